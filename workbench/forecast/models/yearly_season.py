"""A yearly on/off season: a product sold only in its months (fruit, crabs, a heater), that switched
off at the same time of year in two years or more.

Seasonal produce sells in its season and not at all outside it. Its off months are neither
intermittent demand (a rate spread over the year: grapes sold on 68% of their last 91 days, the
last 29 of them empty, were forecast at about 750 a month from December to June against none), nor
a stop (lychee, off since July, was forecast at zero through its next season), nor a launch when
the season comes back. The rule, at any frequency (``D``, ``W``, ``MS``, ``QS``):

* an **off run** is a run of at least ``OFF_PERIODS`` zero periods after the series' first sale (the
  periods ``regime.stopped_since`` would call a stop, had the series ended there) that its rate
  cannot explain: at the mean rate ``r`` of the periods since the off run before it (its season;
  over ``OFF_PERIODS`` periods at least, so that a first sale or two is no season), the Poisson
  chance of ``L`` zero periods in a row, ``exp(-r L)``, is under ``OFF_ALPHA``. A slow mover's long
  gaps are chance; a season's end is not;
* the series has a **yearly off season** when two of its off runs, one shifted by whole years
  (``YEAR_PERIODS``: the calendar date, as a fruit's season follows it, not the weekday), overlap
  by at least ``OVERLAP`` of the shorter (the last one may be the run that ends the history, still
  going on): the same months off in two years. Runs with such a partner are its off season; a
  one-off gap (a stock-out, a relaunch) has none and is left out;
* and whether a period is empty must depend on its place in the year (``calendar_bound``): a
  G-test of independence of (the period's twelfth of the year, a quarter for ``QS``) x (empty or
  not) over the periods since the first sale, its permutation p under ``SEASON_ALPHA``. Lumpy amounts (CNY
  thousands in a random third of the months) make any two empty months improbable by their unit
  rate, and two such runs a year apart are common; their empty months fall anywhere in the year.
  The test is asked once, of the whole history, at every frequency (a per-run share of empty
  periods could never pass for quarters, and at months passed or not by where the export
  started: review 9.3 #2);
* and the series must be in the same state at the cut-off as a year before: its last
  ``OFF_PERIODS`` periods sold on (about) as large a share of them as the same periods a year
  before did (within ``STATE_TOLERANCE``): sales against sales, so that a slow seller, selling on
  a quarter of its days in season, keeps its off season (a share of days sold compared with a
  share of days in season lost it: review 9.4 #1); a product that now sells through its old off
  months has left the pattern;
* then a **future period is off** when the same date a year before (or, for a horizon beyond a
  year, the latest year back inside the history) lay in one of those runs: it is forecast at zero,
  its band too, and a note says so (``zero_off_season``, applied by the core to every model's
  forecast, the fallback's included).

A season start seen in an earlier year too is no launch (``regime.after_trickle``: an earlier season
is no pre-launch trickle), and an end that matches last year's is no stop (``regime.stopped_since``).
Source of the rate test: the Poisson zero probability, as ``regime.zero_run_chance`` uses it for a stop.
Source of the calendar test: the G-test of independence of a contingency table (Sokal & Rohlf,
*Biometry*, 4th ed. 2012, §17.6), its p-value by permutation (Hope 1968).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import xlogy

from workbench.forecast.models.intermittent import INTERMITTENT_ADI, average_demand_interval

YEAR_PERIODS = {"D": 365, "W": 52, "MS": 12, "QS": 4}  # a calendar year: produce seasons follow the date
OFF_PERIODS = {"D": 28, "W": 4, "MS": 2, "QS": 2}  # fewest zero periods of an off run (regime.STOP_PERIODS: a stop's)
OFF_ALPHA = 1e-3  # an off run's chance at its season's rate is under this
OVERLAP = 0.5  # two off runs a year apart share at least this share of the shorter
SEASON_ALPHA = 0.01  # emptiness depends on the place in the year (calendar_bound) at this level:
# two years of months are the least a user has (trial 10's fruits, 30 months), and there a 3-month season
# seen twice, every month on or off as the season says, has a permutation p of 220 / C(24, 6) = 0.0016
YEAR_BINS = 12  # the year's parts the calendar test compares (a quarter's year has 4)
PERMUTATIONS = 2000  # of the calendar test's p-value: 1 in 2,001 at best, well under SEASON_ALPHA
STATE_TOLERANCE = 0.5  # share of the last OFF_PERIODS periods the state at the cut-off may differ from a year before


@dataclass(frozen=True)
class YearlyOff:
    """A series' yearly off season (``yearly_off``).

    ``runs``: the off runs ``(a, b)`` (periods ``a`` to ``b - 1`` of the history, ``b`` = ``n`` for
    the run that ends it) that recur a year apart; ``years``: the distinct years (calendar) their
    starts fall in; ``year``: periods in a year; ``first``: the series' first sale; ``n``: its length.
    """

    runs: tuple[tuple[int, int], ...]
    year: int
    first: int
    n: int

    def off(self, index: np.ndarray, until: int | None = None) -> np.ndarray:
        """Boolean mask of the periods ``index`` (shape (k,); may lie beyond the history) in the off
        season: the latest period a whole number of years back before ``until`` (default: the
        history's end; a refit's origin for its forecast), from the first sale, lies in one of
        ``runs`` (no evidence, such as before the first sale: not off)."""
        index = np.asarray(index, int)
        last = (self.n if until is None else int(until)) - 1
        back = np.maximum(np.ceil((index - last) / self.year), 0).astype(int)
        seen = index - back * self.year
        off = np.zeros(len(index), bool)
        for a, b in self.runs:
            off |= (seen >= a) & (seen < b)
        return off & (seen >= self.first)

    def describe(self, ds: pd.DatetimeIndex, freq: str) -> str:
        """The off runs in words: ``"2025-03-01..2025-12-04, 2026-03-01..2026-11-29 (still off)"``."""
        words = []
        for a, b in self.runs:
            end = f"{ds[b - 1].date()}" + (" (still off)" if b == self.n else "")
            words.append(f"{ds[a].date()}..{end}")
        return ", ".join(words)


def off_runs(y: np.ndarray, freq: str) -> list[tuple[int, int]]:
    """The off runs of ``y`` (units per period at ``freq``, >= 0, shape (n,); see the module
    docstring): ``(a, b)`` per run of at least ``OFF_PERIODS[freq]`` zero periods after the first
    sale whose Poisson chance at the rate of the periods since the run before (its season, over
    ``OFF_PERIODS[freq]`` periods at least) is under ``OFF_ALPHA``. Empty for a series that never
    sold."""
    y = np.asarray(y, float)
    sold = np.flatnonzero(y > 0)
    if not len(sold):
        return []
    gaps = np.diff(np.r_[sold, len(y)]) - 1  # zero periods after each sale (the last: to the end)
    runs, season_start = [], int(sold[0])
    for i in np.flatnonzero(gaps >= OFF_PERIODS[freq]):
        a, length = int(sold[i]) + 1, int(gaps[i])
        span = max(a - season_start, OFF_PERIODS[freq])  # a few sales: no season
        rate = float(y[season_start:a].sum()) / span
        if np.exp(-rate * length) < OFF_ALPHA:
            runs.append((a, a + length))
            season_start = a + length
    return runs


def calendar_bound(y: np.ndarray, freq: str) -> float:
    """The p-value that whether a period of ``y`` (units per period at ``freq``, >= 0, shape (n,))
    is empty does not depend on its place in the year: the G statistic (log-likelihood ratio) of
    the contingency table (the period's part of the year, ``YEAR_BINS`` equal parts of
    ``YEAR_PERIODS[freq]`` periods, fewer for ``QS``) x (empty, sold) over the periods from the
    first sale on, its p-value by ``PERMUTATIONS`` seeded permutations of the empty periods (the
    chi-squared approximation is far off in tables this sparse: a one-month season sold in three
    Decembers of 25 months reads p = 0.07 by it, 1 in 2,300 by permutation). 1.0 when the table has
    one part of the year or one column (never or always empty). Source: the G-test of
    independence (Sokal & Rohlf, *Biometry*, 4th ed. 2012, §17.6) with a Monte Carlo p-value
    (Hope, *J. R. Stat. Soc. B* 30, 1968)."""
    y = np.asarray(y, float)
    if not (y > 0).any():
        return 1.0
    year = YEAR_PERIODS[freq]
    bins = min(YEAR_BINS, year)
    t = np.arange(int(np.argmax(y > 0)), len(y))
    part, empty = (t % year) * bins // year, (y[t] == 0).astype(float)
    sizes = np.bincount(part, minlength=bins).astype(float)
    if (sizes > 0).sum() < 2 or empty.sum() in (0, len(t)):
        return 1.0
    one_hot = (part[:, None] == np.arange(bins)).astype(float)
    shuffled = np.random.default_rng(0).permuted(np.tile(empty, (PERMUTATIONS, 1)), axis=1)
    counts = np.vstack([empty @ one_hot, shuffled @ one_hot])  # empty periods per part; row 0 observed
    share = empty.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * (xlogy(counts, counts / (sizes * share)) +
                 xlogy(sizes - counts, (sizes - counts) / (sizes * (1 - share)))).sum(axis=1, where=sizes > 0)
    return float((1 + np.sum(g[1:] >= g[0] - 1e-9)) / (1 + PERMUTATIONS))


def yearly_off(y: np.ndarray, freq: str) -> YearlyOff | None:
    """The yearly off season of ``y`` (units per period at ``freq``, >= 0, shape (n,)), or None
    when it has none (see the module docstring)."""
    y = np.asarray(y, float)
    if freq not in YEAR_PERIODS or not (y > 0).any():
        return None
    year, runs = YEAR_PERIODS[freq], off_runs(y, freq)
    recurring = set()
    for i, (a, b) in enumerate(runs):
        for c, d in runs[i + 1:]:
            for k in range(1, (d - a) // year + 2):
                shared = min(b + k * year, d) - max(a + k * year, c)
                if shared >= OVERLAP * min(b - a, d - c):
                    recurring |= {(a, b), (c, d)}
    if not recurring or calendar_bound(y, freq) >= SEASON_ALPHA:
        return None
    found = YearlyOff(tuple(sorted(recurring)), year, int(np.argmax(y > 0)), len(y))
    last = np.arange(len(y) - OFF_PERIODS[freq], len(y))
    if last[0] - year >= found.first:  # the cut-off's state, against the same periods a year before
        now_on, then_on = float((y[last] > 0).mean()), float((y[last - year] > 0).mean())
        if abs(now_on - then_on) > STATE_TOLERANCE:
            return None
    return found


def zero_off_season(pred, y: np.ndarray, ds: pd.DatetimeIndex, freq: str, model: str):
    """``pred`` (a ``Prediction`` of the periods after ``ds``) with its yearly off season's periods
    (``yearly_off`` of the history ``y``, units per period at ``freq``) at zero: mean, quantiles and
    baseline, and a note naming the off runs it follows; ``pred`` unchanged without one or without
    an off period in the horizon. ``model``: the model that forecast it, for the note."""
    found = yearly_off(y, freq)
    if found is None:
        return pred
    off = found.off(np.arange(len(y), len(y) + len(pred.mean)))
    if not off.any() or not (np.asarray(pred.mean)[off] > 0).any():
        return pred

    def zeroed(v):
        return None if v is None else np.where(off, 0.0, np.asarray(v, float))

    days = pred.ds[off]
    note = (f"{model}: a yearly off season (no sales on the same dates in {len({ds[a].year for a, _ in found.runs})} "
            f"years: {found.describe(ds, freq)}): forecast zero on its {int(off.sum())} periods of the horizon "
            f"from {days[0].date()} to {days[-1].date()}, not at its rate in season")
    return replace(pred, mean=zeroed(pred.mean), quantiles={q: zeroed(v) for q, v in pred.quantiles.items()},
                   baseline=zeroed(pred.baseline), notes=[*pred.notes, note],
                   launch_growth=pred.launch_growth, launch_spread=zeroed(pred.launch_spread),
                   event_spread=zeroed(pred.event_spread), season_spread=zeroed(pred.season_spread))


def season_restarted(y: np.ndarray, start: int, freq: str) -> bool:
    """Did the series ``y`` (units per period at ``freq``, >= 0, shape (n,)), started at index
    ``start``, come back from an off run (``off_runs``: the last one ending at most
    ``OFF_PERIODS[freq]`` periods before ``start``) after a season that lay a year before: its
    sold span before that run (from the off run before it, or the first sale) reaches within
    ``OFF_PERIODS[freq]`` periods of the same date a year before ``start`` and sold regularly, not
    intermittently (an average demand interval under ``intermittent.INTERMITTENT_ADI``, Syntetos &
    Boylan 2005)? A fruit's season seen once, too short or too thin for a start of its own (trial
    10's lychee, ten thin days in June), is then a season begun again, not a launch
    (``launch.not_a_launch``); a few stray units or test sales a year before a launch are no season
    (review 9.2 #3: two units in July and August 2025 made a launch on 2026-08-01 'a season seen a
    year before')."""
    y = np.asarray(y, float)
    if freq not in YEAR_PERIODS:
        return False
    runs = [run for run in off_runs(y, freq) if run[1] <= start]
    if not runs or start - runs[-1][1] >= OFF_PERIODS[freq]:
        return False
    off = runs[-1][0]
    begun = runs[-2][1] if len(runs) > 1 else int(np.argmax(y > 0))
    near = start - YEAR_PERIODS[freq]
    return (off > near - OFF_PERIODS[freq] and begun <= near + OFF_PERIODS[freq]
            and average_demand_interval(y[begun:off]) < INTERMITTENT_ADI)
