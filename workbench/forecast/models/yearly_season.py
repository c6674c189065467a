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
  chance of ``L`` zero periods in a row, ``exp(-r L)``, is under ``OFF_ALPHA``, and so is ``p0^L``,
  ``p0`` the share of empty periods in that season (Laplace's rule of succession; lumpy amounts, CNY thousands in a random third
  of the months, make any two empty months improbable by their unit rate, not by their share). A
  slow mover's long gaps are chance; a season's end is not;
* the series has a **yearly off season** when two of its off runs, one shifted by whole years
  (``YEAR_PERIODS``: the calendar date, as a fruit's season follows it, not the weekday), overlap
  by at least ``OVERLAP`` of the shorter (the last one may be the run that ends the history, still
  going on): the same months off in two years. Runs with such a partner are its off season; a
  one-off gap (a stock-out, a relaunch) has none and is left out;
* and the series must be in the same state at the cut-off as a year before: its last
  ``OFF_PERIODS`` periods sold on (about) as many periods as the same periods a year before lay
  outside its off season (within ``STATE_TOLERANCE``); a product that now sells through its old off
  months has left the pattern;
* then a **future period is off** when the same date a year before (or, for a horizon beyond a
  year, the latest year back inside the history) lay in one of those runs: it is forecast at zero,
  its band too, and a note says so (``zero_off_season``, applied by the core to every model's
  forecast, the fallback's included).

A season start seen in an earlier year too is no launch (``regime.after_trickle``: an earlier season
is no pre-launch trickle), and an end that matches last year's is no stop (``regime.stopped_since``).
Source of the rate test: the Poisson zero probability, as ``regime.zero_run_chance`` uses it for a stop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from workbench.forecast.models.intermittent import INTERMITTENT_ADI, average_demand_interval

YEAR_PERIODS = {"D": 365, "W": 52, "MS": 12, "QS": 4}  # a calendar year: produce seasons follow the date
OFF_PERIODS = {"D": 28, "W": 4, "MS": 2, "QS": 2}  # fewest zero periods of an off run (regime.STOP_PERIODS: a stop's)
OFF_ALPHA = 1e-3  # an off run's chance at its season's rate is under this
OVERLAP = 0.5  # two off runs a year apart share at least this share of the shorter
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
        # and at its season's share of empty periods (Laplace's rule of succession, (k + 1) / (n + 2):
        # a season of two periods says little of it): lumps of CNY 2,000-5,000 in a random third of
        # the months make any two empty months improbable by their unit rate, not by their share
        empty = (float((y[season_start:a] == 0).sum()) + 1) / (a - season_start + 2)
        if np.exp(-rate * length) < OFF_ALPHA and empty ** length < OFF_ALPHA:
            runs.append((a, a + length))
            season_start = a + length
    return runs


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
    if not recurring:
        return None
    found = YearlyOff(tuple(sorted(recurring)), year, int(np.argmax(y > 0)), len(y))
    last = np.arange(len(y) - OFF_PERIODS[freq], len(y))
    if last[0] - year >= found.first:  # the cut-off's state, against the same periods a year before
        now_on, then_on = float((y[last] > 0).mean()), float((~found.off(last - year)).mean())
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
