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
  (``CALENDAR_YEAR``: the calendar date, as a fruit's season follows it, not the weekday), overlap
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
* a year back is the calendar date, as a fruit's season follows it, except where the off runs
  (at days or weeks) each hold a Spring Festival within ``FESTIVAL_REACH`` days either side and
  overlap better at the same distance from it (``lunar_frame``): a shop closed from 10 days before
  the festival to 20 after, read on the calendar date, had 11 open days of 2027 zeroed and 11
  closed ones forecast (the festival moves 11 days earlier; review 9.4 #3);
* then a **future period is off** when the same date a year before (or, for a horizon beyond a
  year, the latest year back inside the history) lay in one of those runs: it is forecast at zero,
  and a note says so (``zero_off_season``, applied by the core to every model's forecast, the
  fallback's included). The edges' dates vary between years (``edge_sd``, from the years seen):
  the band of a period near one holds the chance the season is on there (``YearlyOff.chance``),
  where a hard zero band had missed every day of a season opening a week early (review 9.4 #4).

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
from scipy.stats import norm

from workbench.calendar import spring_festival
from workbench.calendar.years import CALENDAR_YEAR
from workbench.data.validate import PERIOD_WORDS
from workbench.errors import CalendarRangeError
from workbench.forecast.models.base import PER_PERIOD_FIELDS, censored_at_zero
from workbench.forecast.models.intermittent import INTERMITTENT_ADI, average_demand_interval

OFF_PERIODS = {"D": 28, "W": 4, "MS": 2, "QS": 2}  # fewest zero periods of an off run (regime.STOP_PERIODS: a stop's)
OFF_ALPHA = 1e-3  # an off run's chance at its season's rate is under this
OVERLAP = 0.5  # two off runs a year apart share at least this share of the shorter
SEASON_ALPHA = 0.01  # emptiness depends on the place in the year (calendar_bound) at this level:
# two years of months are the least a user has (trial 10's fruits, 30 months), and there a 3-month season
# seen twice, every month on or off as the season says, has a permutation p of 220 / C(24, 6) = 0.0016
YEAR_BINS = 12  # the year's parts the calendar test compares (a quarter's year has 4)
PERMUTATIONS = 2000  # of the calendar test's p-value: 1 in 2,001 at best, well under SEASON_ALPHA
STATE_TOLERANCE = 0.5  # share of the last OFF_PERIODS periods the state at the cut-off may differ from a year before
# the frequencies whose periods resolve Spring Festival's move (11-19 days a year): a closure over it is
# read in its lunar frame there (``lunar_frame``); a month or a quarter holds it on either date
LUNAR_FREQUENCIES = ("D", "W")
PERIOD_DAYS = {"D": 1, "W": 7}
# a closure read in the lunar frame lies within this many days either side of the festival it holds
# (the New Year sale starts 35 days before it, the Lantern Festival is 14 days after): a fruit's off
# season of months that holds the festival keeps the calendar date
FESTIVAL_REACH = 42
# sd (periods) of the difference of two festivals' places rounded down to their week: each is off
# by a uniform 0..1 week (the festival's weekday moves every year), sqrt(2 / 12)
ROUNDING_SD = float(np.sqrt(2 / 12))
FRAME_YEARS = 12  # festivals placed past the history's end: the years ahead a forecast may reach
EDGE_SURE = 1e-3  # a chance of being off within this of 0 or 1 is taken as sure (past 3.1 edge sds)


@dataclass(frozen=True)
class YearlyOff:
    """A series' yearly off season (``yearly_off``).

    ``runs``: the off runs ``(a, b)`` (periods ``a`` to ``b - 1`` of the history, ``b`` = ``n`` for
    the run that ends it) that recur a year apart; ``freq``: the periods' frequency (``year``:
    periods in a year, ``CALENDAR_YEAR``); ``first``: the series' first sale; ``n``: its length;
    ``festivals``: the period index of each Spring Festival from the history's start on when the
    runs move with it (a shop closed over the festival,
    ``lunar_frame``: a year back is the same distance from the festival a year before), None when
    they keep the calendar date (a fruit's season: a year back is ``year`` periods back);
    ``edge_sd``: the standard deviation (periods) of the runs' start and end dates between years
    in that frame (``yearly_off``), the uncertainty of the edges ahead (0: sharp).
    """

    runs: tuple[tuple[int, int], ...]
    freq: str
    first: int
    n: int
    festivals: tuple[int, ...] | None = None
    edge_sd: float = 0.0

    @property
    def year(self) -> int:
        return CALENDAR_YEAR[self.freq]

    def back(self, index: np.ndarray, k) -> np.ndarray:
        """The periods ``k`` years (int or shape (m,)) before the periods ``index`` (shape (m,)):
        ``year`` periods each, or, in a lunar frame, the same distance from the Spring Festival
        ``k`` festivals before the one nearest each period."""
        index = np.asarray(index, int)
        k = np.broadcast_to(np.asarray(k, int), index.shape)
        if self.festivals is None:
            return index - k * self.year
        f = np.asarray(self.festivals)
        pos = np.clip(np.searchsorted(f, index), 1, len(f) - 1)
        near = np.where(index - f[pos - 1] <= f[pos] - index, pos - 1, pos)
        return np.where(near >= k, f[np.maximum(near - k, 0)] + index - f[near], index - k * self.year)

    def seen(self, index: np.ndarray, until: int | None = None) -> np.ndarray:
        """For each period of ``index`` (shape (m,); may lie beyond the history) the latest period
        a whole number of years back (``back``) before ``until`` (default: the history's end; a
        refit's origin for its forecast): the history that says whether it is off."""
        index = np.asarray(index, int)
        last = (self.n if until is None else int(until)) - 1
        seen, k = index.copy(), np.zeros(len(index), int)
        while (ahead := seen > last).any():
            k[ahead] += 1
            seen[ahead] = self.back(index[ahead], k[ahead])
        return seen

    def off(self, index: np.ndarray, until: int | None = None) -> np.ndarray:
        """Boolean mask of the periods ``index`` (shape (k,); may lie beyond the history) in the off
        season: the period ``seen`` for it (``until`` as there) lies in one of ``runs``, from the
        first sale (no evidence, such as before the first sale: not off)."""
        seen = self.seen(index, until)
        off = np.zeros(len(seen), bool)
        for a, b in self.runs:
            off |= (seen >= a) & (seen < b)
        return off & (seen >= self.first)

    def chance(self, index: np.ndarray, until: int | None = None) -> np.ndarray:
        """The probability that each period of ``index`` (shape (k,)) is off: the period ``seen``
        for it lies after the start and before the end of one of ``runs`` moved by a normal error
        of sd ``edge_sd`` each (independent; a run that ends the history has no end seen);
        ``off`` where ``edge_sd`` is 0. Shape (k,), in [0, 1]."""
        if self.edge_sd <= 0:
            return self.off(index, until).astype(float)
        seen = self.seen(index, until)
        chance = np.zeros(len(seen))
        for a, b in self.runs:
            begun = norm.cdf((seen - a + 0.5) / self.edge_sd)
            ended = norm.cdf((seen - b + 0.5) / self.edge_sd) if b < self.n else 0.0
            chance = np.maximum(chance, begun * (1 - ended))
        return np.where(seen >= self.first, chance, 0.0)

    def edge_sales(self, y: np.ndarray, index: np.ndarray, until: int | None = None) -> list[np.ndarray]:
        """Per period of ``index``: the sales of ``y`` (the history, shape (n,)) on the in-season
        side of the off-season edge nearest the period ``seen`` for it (the ``OFF_PERIODS``
        periods before a run's start, or from its end), what the season sells if it has not
        ended or has begun there."""
        seen, out = self.seen(index, until), []
        edges = [(a, -1) for a, _ in self.runs] + [(b, 1) for _, b in self.runs if b < self.n]
        span = OFF_PERIODS[self.freq]
        for s in seen:
            at, side = min(edges, key=lambda e: abs(s - e[0]))
            out.append(y[max(at - span, self.first):at] if side < 0 else y[at:at + span])
        return out

    def describe(self, ds: pd.DatetimeIndex, freq: str) -> str:
        """The off runs in words: ``"2025-03-01..2025-12-04, 2026-03-01..2026-11-29 (still off)"``."""
        words = []
        for a, b in self.runs:
            end = f"{ds[b - 1].date()}" + (" (still off)" if b == self.n else "")
            words.append(f"{ds[a].date()}..{end}")
        return ", ".join(words) + (" (moving with Spring Festival)" if self.festivals is not None else "")


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
    ``CALENDAR_YEAR[freq]`` periods, fewer for ``QS``) x (empty, sold) over the periods from the
    first sale on, its p-value by ``PERMUTATIONS`` seeded permutations of the empty periods (the
    chi-squared approximation is far off in tables this sparse: a one-month season sold in three
    Decembers of 25 months reads p = 0.07 by it, 1 in 2,300 by permutation). 1.0 when the table has
    one part of the year or one column (never or always empty). Source: the G-test of
    independence (Sokal & Rohlf, *Biometry*, 4th ed. 2012, §17.6) with a Monte Carlo p-value
    (Hope, *J. R. Stat. Soc. B* 30, 1968)."""
    y = np.asarray(y, float)
    if not (y > 0).any():
        return 1.0
    year = CALENDAR_YEAR[freq]
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


def lunar_frame(ds: pd.DatetimeIndex, freq: str) -> tuple[int, ...] | None:
    """The period index (from ``ds[0]``; may be negative or past the history) of each Spring
    Festival from the year before the history's to ``FRAME_YEARS`` after its end, for the
    frequencies whose periods resolve its move (``LUNAR_FREQUENCIES``); None for the others or
    where the calendar places no festival (``calendar.spring_festival``: 1950-2100)."""
    if freq not in LUNAR_FREQUENCIES or ds is None or not len(ds):
        return None
    days = PERIOD_DAYS[freq]
    years = range(ds[0].year - 1, ds[-1].year + FRAME_YEARS + 1)
    try:
        return tuple(int((spring_festival(year) - ds[0]).days // days) for year in years)
    except CalendarRangeError:
        return None


def _recurring(frame: YearlyOff, runs: list[tuple[int, int]]) -> tuple[set, int, list[int]]:
    """The runs of ``runs`` with a partner a whole number of years apart in ``frame`` (``back``)
    that overlaps by ``OVERLAP`` of the shorter, the periods the pairs share, and their edges'
    differences (periods: the starts', and the ends' of runs that ended)."""
    recurring, shared_all, gaps = set(), 0, []
    for i, (a, b) in enumerate(runs):
        for c, d in runs[i + 1:]:
            for k in range(1, (d - a) // frame.year + 2):
                c0, d0 = int(frame.back([c], k)[0]), int(frame.back([d - 1], k)[0]) + 1
                shared = min(b, d0) - max(a, c0)
                if shared >= OVERLAP * min(b - a, d - c):
                    recurring |= {(a, b), (c, d)}
                    shared_all += shared
                    gaps += [a - c0] + ([b - d0] if d < frame.n else [])
    return recurring, shared_all, gaps


def yearly_off(y: np.ndarray, freq: str, ds: pd.DatetimeIndex | None = None) -> YearlyOff | None:
    """The yearly off season of ``y`` (units per period at ``freq``, >= 0, shape (n,)), or None
    when it has none (see the module docstring). With the dates ``ds`` (shape (n,)) at days and
    weeks, off runs that each hold a Spring Festival, lie within ``FESTIVAL_REACH`` days of it,
    and overlap better at the same distance from it than on the same dates are read in its lunar
    frame (``lunar_frame``: a shop closed over the festival, which moves 11-19 days a year, is off
    on next year's festival days, not on this year's dates). The edges' spread ``edge_sd`` is the
    root mean square of the recurring pairs' edge differences: an edge ahead is read off last
    year's, so its error is such a difference (two years' edge errors, not one); in a lunar frame at
    weeks at least ``ROUNDING_SD``, the error of two festivals' places rounded to their weeks."""
    y = np.asarray(y, float)
    if freq not in CALENDAR_YEAR or not (y > 0).any():
        return None
    runs, first = off_runs(y, freq), int(np.argmax(y > 0))
    found = YearlyOff((), freq, first, len(y))
    recurring, shared, gaps = _recurring(found, runs)
    festivals = lunar_frame(ds, freq) if ds is not None else None
    if festivals is not None:
        lunar = replace(found, festivals=festivals)
        moved, moved_shared, moved_gaps = _recurring(lunar, runs)
        reach, f = FESTIVAL_REACH // PERIOD_DAYS[freq], np.asarray(festivals)
        held = all(((a <= f) & (f < b) & (f - a <= reach) & (b - f <= reach)).any() for a, b in moved if b < len(y))
        if moved and held and moved_shared > shared:
            found, recurring, gaps = lunar, moved, moved_gaps
    if not recurring or calendar_bound(y, freq) >= SEASON_ALPHA:
        return None
    edge_sd = float(np.sqrt(np.mean(np.square(gaps)))) if gaps else 0.0
    if found.festivals is not None and PERIOD_DAYS[freq] > 1:
        # weeks placed by a rounded festival: an edge week ahead may hold open days whatever the years
        # seen agree on (review 10.2 #1: a week open 2 days forecast 0 with a band of 0..0)
        edge_sd = max(edge_sd, ROUNDING_SD)
    found = replace(found, runs=tuple(sorted(recurring)), edge_sd=edge_sd)
    last = np.arange(len(y) - OFF_PERIODS[freq], len(y))
    before = found.back(last, 1)
    if before[0] >= found.first:  # the cut-off's state, against the same periods a year before
        now_on, then_on = float((y[last] > 0).mean()), float((y[before] > 0).mean())
        if abs(now_on - then_on) > STATE_TOLERANCE:
            return None
    return found


def _quantile_at(levels: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Quantiles at the levels ``at`` (shape (m,), in (0, 1)) of per-period distributions known by
    their quantiles ``values`` (shape (k, m), units) at ``levels`` (shape (k,), increasing):
    ``log1p`` of the values linear in the normal score of the level between the known ones, and
    on past them (the log-normal band the models give). Shape (m,), >= 0."""
    z, v, za = norm.ppf(levels), np.log1p(values), norm.ppf(at)
    if len(levels) == 1:
        return values[0].copy()
    seg = np.clip(np.searchsorted(z, za) - 1, 0, len(z) - 2)
    cols = np.arange(v.shape[1])
    slope = (v[seg + 1, cols] - v[seg, cols]) / (z[seg + 1] - z[seg])
    return censored_at_zero(np.expm1(v[seg, cols] + slope * (za - z[seg])))


def zero_off_season(pred, y: np.ndarray, ds: pd.DatetimeIndex, freq: str, model: str):
    """``pred`` (a ``Prediction`` of the periods after ``ds``) with its yearly off season
    (``yearly_off`` of the history ``y``, units per period at ``freq``, and ``ds``) taken in: its
    off periods (``YearlyOff.off``) at zero in the mean and every per-period field
    (``PER_PERIOD_FIELDS``); the band of a period near an edge, off with chance ``p``
    (``YearlyOff.chance``, between ``EDGE_SURE`` and ``1 - EDGE_SURE``), the quantiles of the
    mixture of zero (weight ``p``) and its sales in season (weight ``1 - p``): quantile ``q``
    zero for ``q <= p``, else the in-season distribution's at ``(q - p) / (1 - p)``
    (``_quantile_at``); a surely off period's band at zero. In season is the model's forecast
    where it is above zero, else (a model that read the period as off) the history's sales on the
    in-season side of the nearest edge (``YearlyOff.edge_sales``): a season that opens a week
    early is in the band, while the point forecast keeps last year's edge (a mixture's mean
    put the days on both sides of an edge wrong by part: seeded produce's WAPE rose 3-7 points).
    A note names the off runs it follows. ``pred`` unchanged without one or when nothing moves.
    ``model``: the model that forecast it, for the note."""
    found = yearly_off(y, freq, ds)
    if found is None:
        return pred
    index = np.arange(len(y), len(y) + len(pred.mean))
    chance = found.chance(index)
    chance = np.where(chance > 1 - EDGE_SURE, 1.0, np.where(chance < EDGE_SURE, 0.0, chance))
    mean = np.asarray(pred.mean, float)
    off, edge = found.off(index), (chance > 0) & (chance < 1)
    if not (mean[off] > 0).any() and not edge.any():
        return pred
    levels = np.array(sorted(pred.quantiles))
    on_q = np.array([np.asarray(pred.quantiles[q], float) for q in levels]).reshape(len(levels), len(mean))
    borrowed = np.flatnonzero(edge & (mean <= 0))
    for i, sales in zip(borrowed, found.edge_sales(y, index[borrowed])):
        if len(sales):
            on_q[:, i] = np.quantile(sales, levels)
    at = np.clip((levels[:, None] - chance) / np.maximum(1 - chance, EDGE_SURE), EDGE_SURE, 1 - EDGE_SURE)
    mixed = {q: np.where(q <= chance, 0.0, _quantile_at(levels, on_q, at[j])) for j, q in enumerate(levels)}
    quantiles = {q: np.where(edge, mixed[q], np.where(off, 0.0, np.asarray(pred.quantiles[q], float))) for q in levels}

    def zeroed(v):
        return None if v is None else np.where(off, 0.0, np.asarray(v, float))

    words = PERIOD_WORDS[freq]
    said = []
    if off.any():
        said.append(f"forecast zero on its {int(off.sum())} {words} of the horizon from {pred.ds[off][0].date()} to "
                    f"{pred.ds[off][-1].date()}, not at its rate in season")
    if edge.any():
        said.append(f"the band of its {int(edge.sum())} {words} at the season's edges holds the chance it is still or "
                    f"already in season (its edges vary by +-{found.edge_sd:.1f} {words} between years)")
    same = "days from Spring Festival" if found.festivals is not None else "dates"
    note = (f"{model}: a yearly off season (no sales on the same {same} in {len({ds[a].year for a, _ in found.runs})} "
            f"years: {found.describe(ds, freq)}): " + "; ".join(said))
    return replace(pred, mean=zeroed(mean), quantiles=quantiles, notes=[*pred.notes, note],
                   **{name: zeroed(getattr(pred, name)) for name in PER_PERIOD_FIELDS})


def low_a_year_on(log_level: np.ndarray, start: int, end: int, reached: float, year: int) -> bool:
    """Did the low stretch ``log_level[start:end]`` (log units per period, shape (n,)), below the
    log level ``reached`` that followed it, come back at the same dates a year on (``year``
    periods later, ``CALENDAR_YEAR``): is the stretch ``year`` // 6 periods long at least (two
    months, eight weeks: one low period a year apart is a holiday's, a January or a Spring
    Festival week, not a season; on the parcel origins such a first week and a first month had
    lost them their opening ramp), and do the periods there that the history holds (as many as the
    stretch, or that many at least) average nearer the stretch's mean than ``reached`` (below
    their log midpoint)? Then the stretch was the series' yearly low
    season seen where the data start, not a pre-launch trickle nor an opening ramp: a winter
    blanket whose export starts in July sells a trickle until October, and read as a launch in
    November it was held at its winter level all next summer (trial 13's monthly 电热毯, x42-73
    from April to September, F20). A launch, or a shop's opening, is not back at its first level
    a year on. False where the history does not reach far enough."""
    fewest = max(year // 6, 1)
    later = np.asarray(log_level, float)[start + year:end + year]
    if end - start < fewest or len(later) < fewest:
        return False
    return float(later.mean()) < (float(np.mean(log_level[start:end])) + float(reached)) / 2


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
    if freq not in CALENDAR_YEAR:
        return False
    runs = [run for run in off_runs(y, freq) if run[1] <= start]
    if not runs or start - runs[-1][1] >= OFF_PERIODS[freq]:
        return False
    off = runs[-1][0]
    begun = runs[-2][1] if len(runs) > 1 else int(np.argmax(y > 0))
    near = start - CALENDAR_YEAR[freq]
    return (off > near - OFF_PERIODS[freq] and begun <= near + OFF_PERIODS[freq]
            and average_demand_interval(y[begun:off]) < INTERMITTENT_ADI)


@dataclass(frozen=True)
class LowSeason:
    """A series' yearly low season at the cut-off (``low_season``): the share of its last
    ``window`` periods that sold (``now``), of the same periods a year before (``year_before``),
    and of its best-selling ``window`` periods in the year between (``in_season``)."""

    window: int
    now: float
    year_before: float
    in_season: float

    def describe(self, freq: str) -> str:
        words = PERIOD_WORDS[freq]
        return (f"sold on {self.now:.0%} of its last {self.window} {words}, as on {self.year_before:.0%} of the same "
                f"{words} a year before, and on {self.in_season:.0%} of its {self.window} best {words} in the year "
                f"between: its yearly low season, not intermittent demand")


def low_season(y: np.ndarray, freq: str, window: int) -> LowSeason | None:
    """Whether the last ``window`` periods of ``y`` (units per period at ``freq``, >= 0, shape (n,)),
    sold on few of them, are its yearly low season, not its nature: a summer mat sells a unit or
    two on two days in three from September to April and 80 a day in June (trial 13's 凉席, read
    as intermittent demand and forecast at its winter trickle for 618: -98%). The low season of a
    series with no off run (``yearly_off`` needs runs of ``OFF_PERIODS`` zero periods), when

    * whether a period is empty depends on its place in the year (``calendar_bound`` under
      ``SEASON_ALPHA``, the test ``yearly_off`` asks) in its history before those periods (their
      own emptiness, a run of zeros at the end, would make any steady seller's calendar-bound);
    * the same ``window`` periods a year before sold on about as large a share of them (within
      ``STATE_TOLERANCE``, ``yearly_off``'s state at the cut-off): the season is at the phase it
      was a year before;
    * and in the year between, some ``window`` periods in a row sold regularly (an average demand
      interval under ``INTERMITTENT_ADI``, Syntetos & Boylan 2005): its season, where a model of
      its level has units to read.

    Returns a ``LowSeason``, or None (also with under a year and ``window`` periods since its first
    sale)."""
    y = np.asarray(y, float)
    year = CALENDAR_YEAR.get(freq)
    n = len(y)
    if year is None or not (y > 0).any() or n - year - window < int(np.argmax(y > 0)):
        return None
    now, before = y[n - window:], y[n - year - window:n - year]
    between = y[n - year:n - window]
    if len(between) < window:
        return None
    sold = np.convolve((between > 0).astype(float), np.ones(window), "valid") / window
    found = LowSeason(window, float((now > 0).mean()), float((before > 0).mean()), float(sold.max()))
    if abs(found.now - found.year_before) > STATE_TOLERANCE or found.in_season < 1 / INTERMITTENT_ADI:
        return None
    return found if calendar_bound(y[:n - window], freq) < SEASON_ALPHA else None
