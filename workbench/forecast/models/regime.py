"""Where a series' current regime begins: its start, a stop, and level shifts (daily data; months for ets).

Real SKU and flow data is young and changing: products launch (zeros, then a level), lines stop
(a level, then zeros) and channels move (one level, then another). Level and growth must come
from the current regime only; a year-on-year growth factor measured against a near-zero base, or
against a level the series has left, reaches absurd values.

* **start** (``series_start``): the first *sustained level*. Volume begins on the first day of
  the first ``START_RUN``-day stretch with at least ``START_SHARE`` of its days non-zero (stray
  early orders do not count; but ``SCATTERED_DAYS`` (56) or more before it that sold on at least
  ``INTERMITTENT_SHARE`` (half) the share of days the series sold on over as many days from it are
  its volume already, scattered: it starts at its first sale), or on the first non-zero week, month or quarter. A *pre-launch
  trickle* is then skipped (``after_trickle``): when everything sold from there up to a later
  period averages under ``TRICKLE_SHARE`` (5%) of the median level of the ``LEVEL_PERIODS``
  periods that follow it (28 days, 4 weeks, 3 months, 2 quarters; at least
  ``MIN_LEVEL_PERIODS`` of them seen), the series starts at the first such period: test or pilot
  volume (a parcel origin's 500-1,050 test parcels a month for six months before it opened at
  1.9 million) is not the level the launch is measured from. A daily trickle must last
  ``MIN_TRICKLE_DAYS`` (28): a normal seasonal low, such as the Spring Festival days, is short
  and, at a month or more, never that far below the level around it. Of weekly, monthly or
  quarterly data, the first period of that level is also skipped when it is a partial launch
  period (``nondaily_start``);
* **stop** (every frequency, ``stopped_since``): the zero periods that end the series, at least
  ``STOP_PERIODS`` of them (28 days, 4 weeks, 2 months or 2 quarters) and longer than any run of
  zeros between its sales before (a slow mover's usual gaps are no stop); or a shorter run, from
  ``MIN_STOP_RUN`` quiet periods (7 days, 1 week, month or quarter), that chance cannot explain at
  the series' rate: the probability of that many zero periods in a row, each with the zero
  probability of the ``RATE_PERIODS`` quiet periods before the run (56 days, 8 weeks, 6 months, 4
  quarters; the larger of their share of zero periods and the negative binomial chance of a zero
  at their mean and variance, by the method of moments, Poisson when they vary less than a
  Poisson count), is under ``STOP_CHANCE`` (a line that sold 18 a day and then nothing for a
  week has stopped, and so has one that sold 50 a week and then nothing for a week, or 300 a month
  and then nothing for a month; or run out of stock: the two look the same, and a note says so).
  A day is quiet outside every event span, a week, month or quarter unless most of its days are
  in the Spring Festival pause (``features.quiet_periods``): empty shelves by design, not a stop;
* **opening ramp** (``opening_ramp``, ``ramp_gaps``): a history whose first quiet periods sit
  more than ``OPENING_GAP`` below the level after them opened with a ramp (a shop's first weeks);
  its gaps below the level it reached (an isotonic fit of the quiet periods, or the pooled
  series' ramp scaled to the series) are what ``event_profile`` raises those periods by, a level
  shift found inside the ramp being the ramp: a ramp is neither a shift, nor season, nor growth;
* **level shifts**: change points of the weekly mean of ``log1p(y)`` over quiet weeks (event
  days left out; a week with fewer than ``MIN_QUIET_DAYS`` quiet days has no mean and is
  interpolated), found by PELT (Killick, Fearnhead & Eckley 2012; ``ruptures.KernelCPD`` with
  the linear kernel, its C implementation) with an L2 cost and a BIC-like penalty scaled by the
  series' own week-to-week noise; a change point counts as a shift when the mean log level of
  the (up to) ``SHIFT_WEEKS`` observed weeks after it differs from the observed weeks before it
  by more than ``MIN_SHIFT`` (a factor of 1.5) and by more than ``SHIFT_Z`` standard errors of
  that difference, and so do the (up to) ``HELD_SPAN`` (13) either side, in the same
  direction: seasonality and steady growth move the level gradually, a few noisy weeks of a
  slow seller (or one quiet day beside an event, carried across the event by the
  interpolation) are not shifts, and a new level holds for a quarter. Both steps are net of the
  series' growth (``_yearly_growth``: the median change between observed weeks a year apart,
  both on the same side of the change point) over the time between the two sides: the weeks
  either side of an event span lie months apart, and a series growing 30% a year, four weeks
  above its trend after four below across the Double 11 span, had a 'shift' read into its
  growth (trial 5: forecast at 57% of its recent level). On 60 seeded growers: 5 such shifts
  before, 1 now; real halvings and doublings found 18 and 19 of 20 before, 19 and 19 now
  (``test_steady_growth_is_not_a_level_shift``). (Requiring 4 observed weeks either side took
  the growers to none but missed recent shifts behind the 618 span at the Double 11 cut-off:
  20 origins' Double 11 WAPE 32.3 -> 34.1%.) The quarter's step must also hold *net of the
  series' own season* where the series has one (``_seasonal_step``): the mean year-on-year
  change of the periods a year apart that straddle the change point (the same weeks a year
  before, or after when the change lies in the data's first year), less the growth, must pass
  the same test (its standard error counts both ends' noise). A season's rise or fall repeats a
  year apart and cancels; a level shift does not. Trial 8's drinks (four times more in summer
  than in winter, two summers seen) had each summer read as a shift, a regime under a year old
  and a winter forecast on the pooled panel's season at twice the truth; on 40 seeded such
  series false shifts went from 39 to 1, a doubling still found on 19 of 20
  (``test_a_strong_season_seen_twice_is_not_a_level_shift``). A season seen once (no period a
  year from the change observed) is still indistinguishable from a shift, but for one seen at
  both ends of a year of history (``season_returned``): the last rise (or fall), untestable net
  of the season, that took the series back to the level it had a year before its last days is
  its season's return, and the shifts of the last year are dropped (a winter sweater from
  February to a February cut-off: its autumn rise had carried the winter level into June, x23-x42
  the truth on 20 seeded sellers, now x0.88-x1.15; ``test_regime_season_return.py``).
* **level shifts of monthly data** (``period_shifts``): the same search and tests on the months'
  log levels, at least 2 months between change points and either side, the level held for 3.
  ``ets`` uses them on launches only (zeros or a trickle before the start): a launch's ramp ends
  in one (the parcel origin DC8 opened in July 2021 and reached its level in January 2022: its
  ramp had been read as growth, 9.3M against 4.8M over October-December 2022), while a strong
  season seen once passes for one (three months either side of a +-0.5 log season's steepest
  month differ by 0.7). ``ets`` also asks them of a young series' one-season months before it
  carries their year-on-year growth: a pair across a step reads it as growth, so a shift keeps
  the damped trend (a season taken for a shift there costs only the growth carried). Weeks
  (``W``) are searched the same way for daily data, but ``ets`` keeps
  a weekly history whole: cut at its shifts, the parcel origins' weeks lost 23.1 -> 23.6% (the
  2022 lockdown's recovery read as a new level at the June cut-off, and the season seen once
  lost with the weeks before it). Quarters have too few periods for a tested step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

from workbench.calendar.years import CALENDAR_YEAR
from workbench.data.validate import PERIOD_WORDS, SEASON_LENGTH
from workbench.forecast.models.yearly_season import OFF_PERIODS, low_a_year_on, low_season, yearly_off
from workbench.forecast.text import readable

START_RUN = 14
START_SHARE = 0.7
# sale days before the first sustained stretch, as a share of the sale days' share after it, from which
# the series was already selling (intermittently) there: its start is its first sale (``volume_start``)
INTERMITTENT_SHARE = 0.5
SCATTERED_DAYS = 56  # days of scattered sales before the stretch, at least: a regime of their own (8 weeks)
TRICKLE_SHARE = 0.05  # pre-launch volume: under this share of the level that follows it
SEASON_SHARE = 0.5  # volume that sold at this share of the level over LEVEL_PERIODS periods is no trickle
LEVEL_PERIODS = {"D": 28, "W": 4, "MS": 3, "QS": 2}  # periods whose median is the level after a trickle
MIN_LEVEL_PERIODS = {"D": START_RUN, "W": 2, "MS": 2, "QS": 2}  # fewest of them: a level, not one spike
MIN_TRICKLE_DAYS = 28  # a shorter daily stretch far below the level is a seasonal low (Spring Festival)
OPENING_GAP = float(np.log(1.25))  # a level within this (log) of the level that follows has settled: no ramp
MIN_RAMP_PERIODS = 7  # quiet periods of an opening ramp that measure its shape (else it is not flattened)
RAMP_SIDE = 7  # quiet periods after an event span whose fitted ramp gives its local level there (``ramp_gaps``)
MAX_RAMP_FACTOR = 2.0  # a series' opening ramp, at most this many times its panel's
STOP_PERIODS = OFF_PERIODS  # fewest zero periods at the end that can mean a stop (and an off run: one home)
# fewest quiet zero periods a stop by chance needs: a daily run shorter than a week is no stop,
# however steady the seller (weekly closures); a whole week, month or quarter can be
MIN_STOP_RUN = {"D": 7, "W": 1, "MS": 1, "QS": 1}
# the quiet periods before a zero run that give the series' zero probability (8 weeks; a season's
# worth of months and quarters, for a variance), and the fewest that measure one (else only the
# long rule applies)
RATE_PERIODS = {"D": 56, "W": 8, "MS": 6, "QS": 4}
MIN_RATE_PERIODS = {"D": 14, "W": 4, "MS": 3, "QS": 3}
STOP_CHANCE = 1e-4  # a zero run less likely than this by chance is a stop (one false stop in 10,000 series)
MIN_SHIFT = float(np.log(1.5))
SHIFT_WEEKS = 4  # fewest weeks between change points
# by the grid the change points are searched on (daily data: weeks): fewest periods between change
# points and the observed periods either side of a step (``SHIFT_SPAN``), and the observed periods
# either side the new level must hold (``HELD_SPAN``: a quarter)
SHIFT_SPAN = {"W": SHIFT_WEEKS, "MS": 2}
HELD_SPAN = {"W": 13, "MS": 3}
MIN_GROWTH_PAIRS = 8  # periods a year apart the growth a step is tested against needs (else none)
MIN_SEASONAL_PAIRS = 2  # straddling pairs a year apart that measure a step net of the season
SHIFT_Z = 3.0  # a shift's size over its standard error (the weekly noise): clear of the noise
MIN_QUIET_DAYS = 4  # of a week's 7, for its mean to count (one quiet day next to an event is no week)


@dataclass(frozen=True)
class Regime:
    """Indices into the history (0 = its first day).

    ``born``: the series' start; ``start``: the first day of the current regime (``born`` or the
    last level shift); ``shifts``: every level shift found, in order; ``stopped``: the series
    has stopped (``stopped_since``); ``season``: the first days of the week a year before the
    history's last and of the rise that returned the series to its level there, read as its
    season and not as shifts (``season_returned``), or None.
    """

    born: int
    start: int
    shifts: tuple[int, ...] = ()
    stopped: bool = False
    season: tuple[int, int] | None = None  # (a year back, rise): a rise read as the season's return, not a shift


def volume_start(y: np.ndarray, freq: str = "D") -> int:
    """Index where the volume of ``y`` (units per period, >= 0, at ``freq``: D, W, MS or QS)
    begins: its first sustained non-zero day (the first ``START_RUN``-day stretch with at least
    ``START_SHARE`` of its days non-zero; 0 when the series never sustains volume, and its first
    sale when the ``SCATTERED_DAYS`` or more before the stretch sold on ``INTERMITTENT_SHARE`` of
    the share of days it sold on over as many days from it or more, so that an intermittent series
    is taken whole), or its first
    non-zero week, month or quarter. 0 for an all-zero series."""
    y = np.asarray(y, float)
    nonzero = (y > 0).astype(float)
    if not nonzero.any():
        return 0
    if freq != "D" or len(nonzero) < START_RUN:
        return int(np.argmax(nonzero))
    share = np.convolve(nonzero, np.ones(START_RUN) / START_RUN, mode="valid")
    ok = np.flatnonzero((share >= START_SHARE) & (nonzero[: len(share)] > 0))
    if not len(ok):
        return 0
    first, start = int(np.argmax(nonzero)), int(ok[0])
    # a series that sold on its scattered days for SCATTERED_DAYS or more before the stretch, on
    # INTERMITTENT_SHARE or more of the share of days it sold on over as many days from it, had its volume
    # already: a chance run of sale days (ten in a fortnight at a third of the days) is no start (a SKU at 36%
    # sale days lost two years, and its past 年货节, to one); a season's first weeks are not that long
    before = nonzero[first:start]
    if len(before) >= SCATTERED_DAYS and before.mean() >= INTERMITTENT_SHARE * nonzero[start:start + len(before)].mean():
        return first
    return start


def series_start(y: np.ndarray, freq: str = "D") -> int:
    """Index of the first period of the sustained level of ``y`` (units per period, >= 0, at
    ``freq``; see the module docstring): ``volume_start`` after a pre-launch trickle
    (``after_trickle``)."""
    return after_trickle(y, volume_start(y, freq), freq)


def after_trickle(y: np.ndarray, first: int, freq: str) -> int:
    """Index where the level of ``y`` (units per period, >= 0, at ``freq``) begins when its
    volume from index ``first`` is a pre-launch trickle: the first period ``k`` after ``first``
    with ``y[first:k]`` averaging under ``TRICKLE_SHARE`` of the median of the up to
    ``LEVEL_PERIODS[freq]`` periods from ``k`` (at least ``MIN_LEVEL_PERIODS[freq]`` of them,
    and ``MIN_TRICKLE_DAYS`` before ``k`` for daily data) and ``y[k]`` itself not under that
    share (the level's first period, not the trickle's last). ``first`` when there is none.
    Volume that once sold at ``SEASON_SHARE`` of that level or more over ``LEVEL_PERIODS[freq]``
    periods is no trickle: an earlier season of a product sold only in its months, its off
    months averaging it down (trial 10: lychee's 2024 and 2025 seasons were a "trickle" under
    its bigger 2026 season, which was then a launch, and its end a stop: 618 2027 at zero)."""
    y = np.asarray(y, float)
    span, fewest = LEVEL_PERIODS[freq], MIN_LEVEL_PERIODS[freq]
    shortest = MIN_TRICKLE_DAYS if freq == "D" else 1
    mean_before = np.cumsum(y[first:]) / np.arange(1, len(y) - first + 1)  # of y[first:k + 1]
    # the busiest span of periods wholly before k (-1 before a whole span): y[k - span:k]'s mean at most
    csum = np.concatenate([[0.0], np.cumsum(y[first:])])
    span_means = (csum[span:] - csum[:-span]) / span  # of y[first + j:first + j + span]
    busiest = np.full(len(y) - first + 1, -1.0)
    busiest[span:] = np.maximum.accumulate(span_means) if len(span_means) else busiest[span:]
    ks = np.arange(first + shortest, len(y) - fewest + 1)
    # a median is at most the largest value after k: only those k can pass (most series: none)
    largest_after = np.maximum.accumulate(y[::-1])[::-1]
    before = mean_before[ks - 1 - first]
    ks = ks[(y[ks] > before / TRICKLE_SHARE) & (before < TRICKLE_SHARE * largest_after[ks])]
    year = CALENDAR_YEAR.get(freq)
    for k in ks:
        level = float(np.median(y[k:k + span]))
        if mean_before[k - 1 - first] < TRICKLE_SHARE * level <= y[k] and busiest[k - first] < SEASON_SHARE * level \
                and not low_a_year_on(np.log1p(y), first, k, np.log1p(level), year):
            return int(k)  # k itself is of the level, nothing before it sold near it, nor is it its low season
    return first


def nondaily_start(y: np.ndarray, freq: str) -> int:
    """Index of the first period of a weekly, monthly or quarterly series' level (``freq``: W,
    MS or QS): its ``series_start``, or the period after when that first period holds under a
    third of the median of the next three (a launch in the middle of the period). 0 for an
    all-zero series."""
    y = np.asarray(y, float)
    first = series_start(y, freq)
    following = y[first + 1:first + 4]
    if len(following) == 3 and y[first] < np.median(following) / 3:
        return first + 1
    return first


def trailing_zeros(y: np.ndarray) -> tuple[int, int] | None:
    """``(run, longest_before)``: the number of zero periods that end ``y`` (units per period,
    >= 0) and the longest run of zeros between its sales before them; None for a series that
    never sold."""
    sold = np.flatnonzero(np.asarray(y, float) > 0)
    if not len(sold):
        return None
    longest_before = int(np.max(np.diff(sold)) - 1) if len(sold) > 1 else 0
    return len(y) - 1 - int(sold[-1]), longest_before


def stopped_since(y: np.ndarray, freq: str, quiet: np.ndarray | None = None) -> int | None:
    """Index of the first of the zero periods that end ``y`` (units per period, >= 0, on the
    ``freq`` grid: D, W, MS or QS) if they mean the series stopped, judged on its quiet periods
    (``quiet``, the boolean mask of ``features.quiet_periods``; None: every period): the quiet
    zero periods that end it must be more than any run of quiet zero periods between its sales
    before (a slow mover's usual gaps, or a seasonal line's off-season, are no stop), and either
    at least ``STOP_PERIODS[freq]`` or at least ``MIN_STOP_RUN[freq]`` whose chance
    (``zero_run_chance``, with ``quiet`` only) is under ``STOP_CHANCE``. Periods outside the
    quiet ones do not count (a week of zeros in the Spring Festival pause is a closure, not a
    stop). None otherwise (for a series that never sold in a quiet period, and for one whose last
    period sold: a line selling through an event span up to the cut-off has not stopped, however
    long its quiet zeros before that span), and when the zero periods that end it are a yearly off season (``yearly_season.yearly_off``: its season ended
    where it ended a year before, and the off months came back as they did) or a yearly low season
    (``yearly_season.low_season``, a run of ``OFF_PERIODS`` or more: the same periods a year before sold about as rarely, and the year
    between held its season)."""
    zeros = trailing_zeros(y)
    judged = trailing_zeros(np.asarray(y, float)[np.asarray(quiet, bool)] if quiet is not None else y)
    if zeros is None or judged is None or zeros[0] == 0:  # a stop needs zero periods that end it
        return None
    season = yearly_off(y, freq) if zeros[0] >= OFF_PERIODS[freq] else None
    if season is not None and season.runs[-1][1] == len(y):
        return None
    # a seasonal line in its low season, the same days a year before about as empty (trial 13's 凉被 LB01
    # sold on 6% of its October days): its season is to come, not over
    if zeros[0] >= OFF_PERIODS[freq] and low_season(y, freq, zeros[0]) is not None:
        return None
    # only the quiet periods of the zero run that ends y count: a line selling through an event
    # span to the cut-off (lychee opening its season inside 618) has no quiet sale after the
    # quiet zeros before that span, yet it did not stop
    run, longest_before = zeros[0], judged[1]
    quiet_run = int(np.asarray(quiet, bool)[len(y) - run:].sum()) if quiet is not None else run
    if quiet_run <= longest_before:
        return None
    if quiet_run >= STOP_PERIODS[freq]:
        return len(y) - run
    if quiet is not None and quiet_run >= MIN_STOP_RUN[freq] and zero_run_chance(y, run, quiet, freq)[0] < STOP_CHANCE:
        return len(y) - run
    return None


def zero_chance(before: np.ndarray) -> float:
    """The probability that one period of a series is zero, from ``before``, its units in the
    periods that measure its rate (shape (n,), n >= 1): the larger of their share of zeros and
    the negative binomial probability of a zero at their mean ``m`` and variance ``v``,
    ``(1 + m / k) ** -k`` with ``k = m**2 / (v - m)`` (method of moments; the Poisson ``exp(-m)``
    when ``v <= m``), so that neither a steady nor a lumpy seller looks steadier than it is. The
    share of zeros is not smoothed (the daily rule once added half a period to both counts: with
    the 6 months or 8 weeks that measure a weekly or monthly rate, that alone kept one empty
    period from ever being a stop); a variance from so few periods is rough, which the note's
    "a stock-out looks the same" and the rule's 1 in 10,000 leave room for.

    Source: the negative binomial as a Poisson-gamma mixture for over-dispersed counts
    (Cameron & Trivedi, *Regression Analysis of Count Data*, 2nd ed. 2013, §3.3)."""
    before = np.asarray(before, float)
    m = float(before.mean())
    v = float(before.var(ddof=1)) if len(before) > 1 else m
    if m <= 0:
        return 1.0
    k = m * m / (v - m) if v > m else np.inf  # the negative binomial's size; infinite: Poisson
    p_count = float(np.exp(-m)) if np.isinf(k) else float((1 + m / k) ** -k)
    return max(float((before == 0).mean()), p_count)


def zero_run_chance(y: np.ndarray, run: int, quiet: np.ndarray | None = None,
                    freq: str = "D") -> tuple[float, float]:
    """``(chance, rate)``: the probability that the last ``run`` periods of ``y`` (units per
    period at ``freq``: D, W, MS or QS) are all zero by chance, and the series' mean units per
    quiet period before them.

    The zero probability of a period is ``zero_chance`` of the last ``RATE_PERIODS[freq]`` quiet
    periods before the run; only the run's quiet periods count (``quiet``:
    ``features.quiet_periods``; the Spring Festival pause empties shelves by design).
    ``(1.0, rate)`` when the run has fewer than ``MIN_STOP_RUN[freq]`` quiet periods or fewer than
    ``MIN_RATE_PERIODS[freq]`` quiet periods precede it.
    """
    y = np.asarray(y, float)
    quiet = np.ones(len(y), bool) if quiet is None else np.asarray(quiet, bool)
    before = y[:len(y) - run][quiet[:len(y) - run]][-RATE_PERIODS[freq]:]
    rate = float(before.mean()) if len(before) else 0.0
    quiet_run = int(quiet[len(y) - run:].sum())
    if quiet_run < MIN_STOP_RUN[freq] or len(before) < MIN_RATE_PERIODS[freq]:
        return 1.0, rate
    return zero_chance(before) ** quiet_run, rate


def describe_stop(y: np.ndarray, ds, quiet: np.ndarray | None = None, freq: str = "D") -> str:
    """Why the series ``y`` (units per period at ``freq``, periods dated ``ds``) is taken as
    stopped (``stopped_since``), in words for a note."""
    run = trailing_zeros(y)[0]
    quiet_run = trailing_zeros(np.asarray(y, float)[np.asarray(quiet, bool)] if quiet is not None else y)[0]
    last, words = ds[len(y) - 1 - run].date(), PERIOD_WORDS[freq]
    if quiet_run >= STOP_PERIODS[freq]:
        return f"no volume since {last} ({run} {words}, longer than any gap between its sales before)"
    chance, rate = zero_run_chance(y, run, quiet, freq)
    power = int(np.floor(-np.log10(max(chance, 1e-300))))
    return (f"no sales in its last {words[:-1] if run == 1 else f'{run} {words}'} (last on {last}) against "
            f"{readable(rate)} a {words[:-1]} before: a run that long has a chance under 1 in 10^{power} (a stock-out "
            f"looks the same: check its stock before planning on zero)")


def opening_ramp(level: np.ndarray, quiet: np.ndarray, ahead: int, gap: float, longest: int,
                 further: bool = False, year: int | None = None) -> int:
    """Periods of the opening ramp of a history (a shop's first weeks, a line rolled out with the
    data's start), 0 without one: the ramp ends on the first quiet period whose log ``level``
    (shape (n,); ``quiet``: boolean mask of periods outside event spans) is within ``gap`` (log)
    of the median level of the ``ahead`` quiet periods after it, looked for over the quiet
    periods of the first ``longest``; a history settled from its first quiet period has none.
    With ``further`` (event_profile's smoothed daily level; ets's weekly and monthly values are
    read without it), once a ramp is seen, a period whose next ``ahead`` quiet periods still rise
    by more than half of ``gap`` is settled only if it is also within ``gap`` of the median level
    of the ``ahead`` quiet periods after those (a slow ramp rises less than ``gap`` over any
    ``ahead`` periods; a level that holds before a later step does not rise over the next ones).
    A new shop's SKUs opened at a third of their level and took 45 days to reach it: its first
    November, read as last year's base, put every SKU 40-50% high a year later (trial 7).
    With ``year`` (periods in a year), a ramp whose periods came back to their level a year on
    (``yearly_season.low_a_year_on``) is the season's rise, not an opening: none (a winter duvet
    whose months start in July, its July-November read as an opening, had no season from them)."""
    level, quiet_at = np.asarray(level, float), np.flatnonzero(np.asarray(quiet, bool))
    periods = _ramp_periods(level, quiet_at, ahead, gap, longest, further)
    after = quiet_at[quiet_at >= periods][:ahead]
    if periods and year and len(after) and low_a_year_on(level, 0, periods, float(np.median(level[after])), year):
        return 0
    return periods


def _ramp_periods(level: np.ndarray, quiet_at: np.ndarray, ahead: int, gap: float, longest: int,
                  further: bool) -> int:
    """``opening_ramp``'s periods before its yearly check (``quiet_at``: the quiet periods' indices)."""
    periods = 0
    for d in quiet_at[quiet_at < longest]:
        later = quiet_at[quiet_at > d]
        after = level[later[:ahead]]
        if len(after) < ahead:
            return int(d) if periods else 0
        rise = np.median(after) - level[d]
        # a ramp seen that still rises over the next ``ahead`` periods (by half the gap) ends only where the
        # level also holds over the ``ahead`` after those: a slow ramp rises less than ``gap`` over any
        # ``ahead`` periods (a shop opened at 40% and settled over 90 days was 'settled' after 11-50 of
        # them, and the rest of its ramp was last year's baseline a year later). Whether there is a ramp
        # at all is the first period's test alone, and a level that holds before a later step is no ramp
        further_on = further and periods and rise > gap / 2 and len(later) >= 2 * ahead
        beyond = level[later[ahead:2 * ahead]] if further_on else after
        if rise <= gap and np.median(beyond) - level[d] <= gap:
            return int(d) if periods else 0  # the first settled period ends a ramp seen before it
        periods = min(int(d) + 1, longest)
    return periods


def ramp_gaps(values: np.ndarray, quiet: np.ndarray, ramp: int, shape: np.ndarray | None = None) -> np.ndarray:
    """Log gap (<= 0) of each of the first periods of a history that opened with a ramp
    (``opening_ramp``: its first ``ramp`` periods) below the level the ramp reached: what the
    opening takes from a level that holds after it. Returns the gaps of the ramp's periods
    (shape (m,), m the periods up to the level; empty where nothing measures a rise).

    ``values``: the log values with the weekday effect out of the ramp and the periods after it
    that show its level (shape (n,), n > ``ramp``); ``quiet``: boolean mask of them outside
    event spans (only they measure the ramp: a span's periods have the event's uplift on top).
    The level reached is the median of the quiet values after the first ``ramp`` periods.
    Without ``shape`` the ramp is the isotonic (non-decreasing least-squares: the pool-adjacent-
    violators algorithm, R. Barlow et al., *Statistical Inference under Order Restrictions*,
    1972) fit of the quiet values, below that level, interpolated in time across a span: any
    rising shape (a shop's traffic and its lines' own first weeks together rise steeply, then
    slowly: a straight line fitted to them missed the slow part and put trial 8's shape 20% low),
    ending on the first quiet period that reaches the level; across a span it runs between the
    fit on the last quiet period before it and the median of the fit over the ``RAMP_SIDE``
    quiet periods after it (the ramp's local levels either side: the event's days are measured
    against the ramp, not against one pooled block of low days after the span). The level is a median, not the
    level of the first period within ``OPENING_GAP`` of it (a shop opened at 30% was read as
    settled at 86% of its level, and its forecast a year later 15% low). With ``shape`` (log
    gaps <= 0 of the first periods: the pooled series' ramp on the same days) the gaps are
    ``shape`` times its least-squares factor on the quiet periods (the level fitted with it),
    between 0 (the series did not ramp with its panel) and ``MAX_RAMP_FACTOR``: a shop's
    opening lifts its lines alike, and one line's few noisy days measure one factor better than
    a shape."""
    values, quiet = np.asarray(values, float), np.asarray(quiet, bool)
    at = np.flatnonzero(quiet)
    before, after = at[at < ramp], at[at >= ramp]
    if len(before) < MIN_RAMP_PERIODS or len(after) < MIN_RAMP_PERIODS:
        return np.zeros(0)
    if shape is not None:
        shape = np.asarray(shape, float)
        x = np.where(at < len(shape), shape[np.minimum(at, len(shape) - 1)], 0.0)
        xc = x - x.mean()
        power = float(xc @ xc)
        if not power > 0:
            return np.zeros(0)
        return float(np.clip(xc @ values[at] / power, 0.0, MAX_RAMP_FACTOR)) * shape
    level = float(np.median(values[after]))
    fitted = isotonic_regression(values[at]).x - level
    reached = np.flatnonzero(fitted >= 0)
    if not len(reached) or reached[0] == 0:
        return np.zeros(0)
    # across a span the ramp runs between its local levels either side: the fit's value on the last
    # quiet period before the span (a non-decreasing fit's highest there) and the median of the fit
    # over the RAMP_SIDE quiet periods after it (the fit's first value after a span is the mean of
    # the block it pools, a few low days: a shop's first Double 11, 41 days late in its 90-day ramp,
    # was raised by the ramp's gap 0.15 log above its end and its uplift read 14% too large)
    m = int(at[reached[0]])
    gaps = np.minimum(fitted, 0.0)
    after_span = np.flatnonzero(np.diff(at) > 1) + 1
    side = _running_forward_median(gaps, RAMP_SIDE)
    gaps[after_span] = np.maximum(gaps[after_span], side[after_span])
    return np.interp(np.arange(m), at[:reached[0] + 1], gaps[:reached[0] + 1])


def _running_forward_median(values: np.ndarray, periods: int) -> np.ndarray:
    """The median of each value and the ``periods - 1`` after it (fewer at the end)."""
    return pd.Series(values[::-1]).rolling(periods, min_periods=1).median().to_numpy()[::-1]


def level_shifts(z: np.ndarray, quiet: np.ndarray) -> tuple[list[int], tuple[int, int] | None]:
    """Day indices where the level of the log series ``z`` shifts (see the module docstring), and
    the two opposite steps read as the series' season instead (``season_returned``; None).

    ``quiet``: boolean mask of days outside event spans (event days are left out of the weekly
    means). Returns indices in increasing order, each the first day of the new level.
    """
    n_weeks = len(z) // 7
    if n_weeks < 2 * SHIFT_WEEKS + 2:
        return [], None
    head = len(z) - 7 * n_weeks  # whole weeks, ending on the last day
    zq = np.where(quiet, z, np.nan)[head:].reshape(n_weeks, 7)
    counts = (~np.isnan(zq)).sum(axis=1)
    weekly = np.divide(np.nansum(zq, axis=1), counts, out=np.full(n_weeks, np.nan), where=counts >= MIN_QUIET_DAYS)
    shifts = period_shifts(weekly, "W")
    kept, season = season_returned(shifts, weekly, "W")
    return [head + 7 * b for b in kept], None if season is None else (head + 7 * season[0], head + 7 * season[1])


def season_returned(shifts: list[int], v: np.ndarray, freq: str) -> tuple[list[int], tuple[int, int] | None]:
    """``shifts`` less a season seen at both ends of a history of about a year (``_returned``), when
    the periods that sold read it too: with the periods that sold nothing at all left out (``v`` 0,
    the log of 1), the same return is found. A season's low keeps selling (a winter sweater's off
    season, 2-8 a day); an undeclared stock-out that recovered inside the year sold nothing, and
    read as a season its zeros were laid on the next year's same weeks (April-June forecast 0 a
    day: review 11.1 F3). Without its empty periods its low is gone (a 16-week stock-out) or lies
    at the level around it (a 6-week one), so its shifts stand."""
    kept, season = _returned(shifts, v, freq)
    if season is not None and _returned(shifts, np.where(v > 0, v, np.nan), freq)[1] != season:
        return shifts, None
    return kept, season


def _returned(shifts: list[int], v: np.ndarray, freq: str) -> tuple[list[int], tuple[int, int] | None]:
    """``shifts`` (``period_shifts`` of the mean log levels ``v``, one a week or month, NaN where
    not observed) less a season seen at both ends of a history of about a year. The last shifts,
    all one way inside the last year (a rise of several steps is one rise), are the season's return
    when the last cannot be tested net of the season (``_seasonal_step``: no period pairs a year
    apart around it, as when the history's ends lie in the Spring Festival and New Year sale spans)
    and the series stood, a year before its last period, on the side the rise went to: its level on
    the two observed periods nearest that one (within ``SHIFT_SPAN``) differs from the level before
    the rise by more than ``MIN_SHIFT`` that way, and the level after the rise lies nearer it than
    the level before. A winter sweater's history from February to a February cut-off falls in March and rises
    in October; read as a shift, its winter level was carried into June (trial 12's 618 2026
    backtest, AP04: 8,352 against 171). Every shift after the period a year back is then dropped
    (``event_profile`` reads the history along last year's path), and ``(year back, rise)`` (their
    period indices) says it. Its limit: a level lost and won back inside the year (a listing) is
    read the same way, its dip laid on next year's days: one year of data cannot tell them apart
    (``season_returned`` tells a stock-out's, which sold nothing). ``(shifts, None)`` when the history holds no such return."""
    season = SEASON_LENGTH[freq]
    back = len(v) - 1 - season  # the period a year before the last one
    if not shifts or back < 0 or shifts[-1] <= back:
        return shifts, None
    t = np.flatnonzero(~np.isnan(v))
    vals = v[t]

    def level(first, end, span, last=False):  # the mean of up to ``span`` observed periods in [first, end)
        inside = vals[(t >= first) & (t < end)]
        inside = inside[-span:] if last else inside[:span]
        return float(inside.mean()) if len(inside) >= 2 else np.nan

    span, near = HELD_SPAN[freq], SHIFT_SPAN[freq]

    def rises(b):  # the direction of the step at ``b``: its sides' observed periods, whatever shifts lie between
        return level(b, len(v), near) > level(0, b, near, last=True)

    rise = shifts[-1]
    up = rises(rise)
    first = len(shifts) - 1
    while first > 0 and shifts[first - 1] > back and rises(shifts[first - 1]) == up:
        first -= 1  # one rise in steps
    earlier = [b for b in shifts[:first] if b <= back]
    after = level(rise, len(v), span)
    before = level(earlier[-1] if earlier else 0, shifts[first], span, last=True)
    close = t[np.abs(t - back) <= near]
    close = close[np.argsort(np.abs(close - back), kind="stable")][:2]  # the two observed periods nearest a year back
    year_back = float(v[close].mean()) if len(close) == 2 else np.nan
    tb, ta = t[t < rise][-span:], t[t >= rise][:span]
    if np.isnan([after, before, year_back]).any() or _seasonal_step(rise, tb, ta, t, v, season) is not None:
        return shifts, None
    if abs(year_back - before) <= MIN_SHIFT or (year_back > before) != up or \
            abs(after - year_back) >= abs(after - before):
        return shifts, None
    return earlier, (back, shifts[first])


def period_shifts(v: np.ndarray, freq: str) -> list[int]:
    """Period indices where the level of the log series ``v`` (one mean log level per week or
    month, ``freq`` W or MS; NaN where a period is not observed, e.g. a sale week) shifts: the
    change points of PELT on ``v`` (interpolated across unobserved periods) that pass
    ``_tested_shifts``; ``SHIFT_SPAN[freq]`` periods at least between them. Returns indices in
    increasing order, each the first period of the new level ([] for too short a series or
    another frequency: a quarter's few periods hold no testable step)."""
    import ruptures

    if freq not in SHIFT_SPAN:
        return []
    near = SHIFT_SPAN[freq]
    ok = ~np.isnan(v)
    if ok.sum() < 2 * near + 2:
        return []
    idx = np.arange(len(v))
    observed = v[ok]
    # robust sd of a period's mean, from consecutive observed periods (not the interpolated ones)
    noise = max(np.median(np.abs(np.diff(observed))) / 0.6745 / np.sqrt(2), 0.05)
    # the linear kernel's cost is the L2 cost; KernelCPD runs PELT in C (ruptures.Pelt is pure
    # Python, about 0.8 s a series)
    breaks = ruptures.KernelCPD(kernel="linear", min_size=near, jump=1).fit(np.interp(idx, idx[ok], observed)).predict(
        pen=3 * noise ** 2 * np.log(len(v)))
    return _tested_shifts(breaks[:-1], idx[ok], observed, noise, freq)


def _yearly_growth(t: np.ndarray, v: np.ndarray, season: int, across: int) -> float:
    """The series' log growth per period away from the change point ``across``: the median
    over observed periods a season apart (``t``: their indices, ``v``: their mean log levels),
    both on the same side of ``across``, of the change from the one to the other, over
    ``season`` (a year-on-year change holds no season; a pair across the change point would
    count its step as growth). 0 with fewer than ``MIN_GROWTH_PAIRS`` pairs."""
    later = np.flatnonzero(np.isin(t, t + season) & ((t < across) | (t - season >= across)))
    if len(later) < MIN_GROWTH_PAIRS:
        return 0.0
    earlier = np.searchsorted(t, t[later] - season)
    return float(np.median(v[later] - v[earlier])) / season


def _seasonal_step(b: int, tb: np.ndarray, ta: np.ndarray, t: np.ndarray, v: np.ndarray, season: int) -> tuple[float, int] | None:
    """The step at the change point ``b`` (period index) net of the series' own season:
    ``(step, pairs)``. Of the observed periods (indices ``t``, mean log levels ``v``) the pairs a
    ``season`` apart that straddle ``b`` and have one end among the periods tested either side
    (``tb`` before, ``ta`` from ``b``): the mean of their year-on-year changes, less the
    series' growth over a season (``_yearly_growth`` on the pairs that do not straddle ``b``).
    A season's rise or fall repeats a season apart and cancels in a
    year-on-year change; a level shift stays in it. None with fewer than ``MIN_SEASONAL_PAIRS``
    straddling pairs (the series has no season of its own around ``b``)."""
    later = ta[np.isin(ta - season, t)]
    earlier = tb[np.isin(tb + season, t) & (tb + season >= b)]
    changes = np.r_[v[np.searchsorted(t, later)] - v[np.searchsorted(t, later - season)],
                    v[np.searchsorted(t, earlier + season)] - v[np.searchsorted(t, earlier)]]
    if len(changes) < MIN_SEASONAL_PAIRS:
        return None
    growth = _yearly_growth(t, v, season, b)
    return float(changes.mean() - growth * season), len(changes)


def _tested_shifts(breaks, t: np.ndarray, v: np.ndarray, noise: float, freq: str) -> list[int]:
    """The change points ``breaks`` (period indices) that are level shifts, among the observed
    periods (indices ``t``, mean log levels ``v``; an interpolated stretch across an event is no
    evidence; ``freq``: W or MS, the periods' length). A shift's step is measured twice, each net
    of the series' growth away from it (``_yearly_growth``) over the distance between the two
    sides' mean times: between the up to ``SHIFT_SPAN[freq]`` observed periods either side (a
    shift is a step, not a drift) and between the up to ``HELD_SPAN[freq]`` (the new level
    holds: a few weeks above the trend that come back are no shift). Both must exceed
    ``MIN_SHIFT`` and ``SHIFT_Z`` standard errors (``noise``: one period's sd), in the same
    direction. Where the same periods a season before (or after) are observed, the quarter's
    step must also pass the same test net of the series' own season (``_seasonal_step``; its standard
    error counts the reference's noise too): a strong season's rise, seen again a year apart,
    is no shift (trial 8: drinks selling 4x more in summer than in winter had their summers
    read as level shifts, and their winter forecast followed the pooled panel's season)."""
    out = []
    season = SEASON_LENGTH[freq]
    for b in breaks:
        growth, steps, spans = _yearly_growth(t, v, season, b), [], (SHIFT_SPAN[freq], HELD_SPAN[freq])
        for span in spans:
            tb, vb = t[t < b][-span:], v[t < b][-span:]
            ta, va = t[t >= b][:span], v[t >= b][:span]
            if len(vb) < 2 or len(va) < 2:
                break
            # (step, its standard error in units of ``noise``)
            measured = [(va.mean() - vb.mean() - growth * (ta.mean() - tb.mean()), np.sqrt(1 / len(vb) + 1 / len(va)))]
            seasonal = _seasonal_step(b, tb, ta, t, v, season) if span == spans[-1] else None
            if seasonal is not None:
                measured.append((seasonal[0], np.sqrt(2 / seasonal[1])))  # each change: two periods' noise
            if any(abs(step) <= MIN_SHIFT or abs(step) <= SHIFT_Z * noise * se for step, se in measured):
                break
            steps.append([step for step, _ in measured])
        if len(steps) == len(spans) and len({bool(step > 0) for side in steps for step in side}) == 1:
            out.append(int(b))
    return out


def detect_regime(y: np.ndarray, quiet: np.ndarray, off: np.ndarray | None = None) -> Regime:
    """The regime of the daily series ``y`` (units per day, >= 0) with ``quiet`` days marked;
    ``off`` (shape (n,), bool; None: none): the days of its yearly off season
    (``yearly_season.yearly_off``), no level for a shift, and a step whose ``SHIFT_WEEKS`` either
    side reach into them is no shift: a season's end is no level shift, and a season's level
    against the last one's is its year-on-year growth (a fruit with two seasons seen had its
    shift at its last season's end, 3 of 16 seeds, and its next season forecast at zero)."""
    y = np.asarray(y, float)
    born = series_start(y, "D")
    stopped = stopped_since(y[born:], "D", np.asarray(quiet)[born:]) is not None
    off = np.zeros(len(y), bool) if off is None else np.asarray(off, bool)
    found, season = level_shifts(np.log1p(y[born:]), np.asarray(quiet, bool)[born:] & ~off[born:]) if not stopped \
        else ([], None)
    shifts = tuple(born + s for s in found if not off[max(born + s - 7 * SHIFT_WEEKS, 0):born + s + 7 * SHIFT_WEEKS].any())
    return Regime(born, shifts[-1] if shifts else born, shifts, stopped,
                  None if season is None else (born + season[0], born + season[1]))


# quiet days either side of a level shift that measure its step (``own_steps``): at most (4 weeks), at least (2)
OWN_STEP_DAYS, MIN_OWN_STEP_DAYS = 28, 14


def own_steps(y: np.ndarray, others: np.ndarray, quiet: np.ndarray) -> list[tuple[int, float]]:
    """The level steps of the daily series ``y`` that its product grouping's season does not
    explain: ``(day index, log step)`` of each of its level shifts (``detect_regime``) whose change
    in mean units over the up to ``OWN_STEP_DAYS`` quiet days either side, net of the change of
    ``others`` (the sum of the grouping's other series, shape (n,), units per day on the same days)
    over the same days, exceeds ``MIN_SHIFT`` (x1.5) either way. ``quiet``: the days outside the
    shipped events' spans (shape (n,), bool). Measured from the latest shift back, each on the
    history already brought to the later steps (two change points found either side of a span that
    hides one step are one step).

    With under about a year and a half of a series a step and a season look alike on the series
    alone (a summer line's spring rise and autumn fall are read as shifts); its grouping's other
    series, the season it shares, tell them apart: a rise they made too is the season. A step of
    its own (a channel move, a price cut) is a one-time change that stays, which the grouping's
    sum must not take as its season or growth (trial 17 F5: a x3 step, 9 months before the
    cut-off, put the category's path at 618 a year on x1.25 its truth)."""
    y, others, quiet = np.asarray(y, float), np.asarray(others, float), np.asarray(quiet, bool)
    found, level = [], y.copy()
    days = np.flatnonzero(quiet)
    for s in sorted(detect_regime(y, quiet).shifts, reverse=True):
        before, after = days[days < s][-OWN_STEP_DAYS:], days[days >= s][:OWN_STEP_DAYS]
        if len(before) < MIN_OWN_STEP_DAYS or len(after) < MIN_OWN_STEP_DAYS:
            continue
        means = [level[before].mean(), level[after].mean(), others[before].mean(), others[after].mean()]
        if min(means) <= 0:
            continue
        step = float(np.log(means[1] / means[0]) - np.log(means[3] / means[2]))
        if abs(step) > MIN_SHIFT:
            found.append((int(s), step))
            level[:s] *= np.exp(step)
    return sorted(found)


def without_steps(y: np.ndarray, steps: list[tuple[int, float]]) -> np.ndarray:
    """``y`` (units per period, shape (n,)) with the periods before each of ``steps`` (``(index, log
    step)``, ``own_steps``) brought to the level after it: times ``exp(step)``, of every later step."""
    out = np.asarray(y, float).copy()
    for at, step in steps:
        out[:at] *= np.exp(step)
    return out


# an unexplained peak (``unexplained_peak``): a run this far above the level (log), at least ...
PEAK_RISE = float(np.log(2.0))
PEAK_Z = 3.5  # ... and this many robust standard deviations of the series' own noise above it
MIN_PEAK_RUN = {"D": 5, "W": 2, "MS": 1, "QS": 1}  # fewest periods of a run: a live-stream day is the level's
PEAK_SPAN = {"D": 35, "W": 5, "MS": 3, "QS": 2}  # half-width of the running median that is the level
PEAK_RETURN = {"D": 7, "W": 2, "MS": 1, "QS": 1}  # periods after a run the series must be back: it ended


@dataclass(frozen=True)
class Peak:
    """A run of periods far above a series' level outside every event window
    (``unexplained_peak``): indices ``start`` to ``end`` (exclusive) into the history, and
    ``level``, the series' level over them (units per period, shape (end - start,))."""

    start: int
    end: int
    level: np.ndarray


def unexplained_peak(y: np.ndarray, outside: np.ndarray, freq: str = "D") -> list[Peak]:
    """The runs of periods far above the series' own level that no calendar event explains and
    that have ended: a 中秋 / Mid-Autumn mooncake peak in a calendar without 中秋, a one-off
    influencer livestream. Read as level, such a run reads as a level shift or a season and
    carries the next window (trial 15: a mooncake peak forecast the next 双11 at +132..+374%).

    The level is the centred running median of ``log1p(y)`` over the ``outside`` periods,
    ``PEAK_SPAN`` either side (35 days, 5 weeks, 3 months, 2 quarters): a run shorter than that
    half-width cannot move it, a longer one is the level (a new level or a season). A period is
    far above it when its log excess is over ``PEAK_RISE`` (x2) and over ``PEAK_Z`` (3.5) times
    the series' own noise, the scaled median absolute deviation of the outside periods' excess
    (robust to the peaks themselves and to a live-stream shop's single big days). A run is the
    periods in a row over half that bar (hysteresis, as Canny's edge threshold: one day of a x4 run
    drawn low is no end of it; event periods do not end it either: a season goes on through a
    holiday) holding at least ``MIN_PEAK_RUN`` periods over the whole bar (5 days, 2 weeks, a month
    or quarter). It is a peak only when
    * it has ended: the ``PEAK_RETURN`` quiet periods after it (7 days, 2 weeks, a month or quarter)
      are back at the level before it (a rise that lasts to the cut-off may be a new level, which
      ``detect_regime`` judges; a step's first weeks above a running median that has not caught up
      are no peak);
    * it starts and ends on quiet periods: one against an event window may be that event's season,
      or a season the window cut (a fruit's opening days before 劳动节, a winter product's December
      before the New Year sale's months);
    * it did not recur a year before or after (``_recurs``): that is a season the calendar does not
      name (a fruit's, a 中秋 every year), which the yearly season reads.
    Periods before the series' first sale are not read.

    Parameters
    ----------
    y : array (n,), units per period (>= 0).
    outside : boolean array (n,), the periods outside every event window of the calendar
        (``features.event_free_periods``).
    freq : the periods: ``"D"``, ``"W"``, ``"MS"`` or ``"QS"``.

    Returns
    -------
    The peaks (``Peak``) in order; empty when there is none, or when no ``2 * PEAK_SPAN[freq] + 1``
    periods since the first sale hold ``PEAK_SPAN[freq]`` outside ones to read a level on.

    Raises ``ValueError`` when ``outside`` is not of ``y``'s length.

    Source: a Hampel filter (a running median and MAD outlier test; Hampel, *J. Am. Stat. Assoc.*
    69, 1974; Pearson et al., *IEEE Trans. Signal Process.* 64, 2016) on the log scale, kept to
    runs that end, outside the calendar's events.
    """
    y = np.asarray(y, float)
    outside = np.asarray(outside, bool)
    if len(y) != len(outside):
        raise ValueError(f"unexplained_peak: {len(outside)} event-window flags for {len(y)} periods")
    sold = np.flatnonzero(y > 0)
    if not len(sold):
        return []
    first, half = int(sold[0]), PEAK_SPAN[freq]
    read = outside.copy()
    read[:first] = False
    if read.sum() < half:
        return []
    v = np.log1p(y)
    level = pd.Series(np.where(read, v, np.nan)).rolling(2 * half + 1, center=True, min_periods=half).median() \
        .to_numpy()
    known = np.flatnonzero(~np.isnan(level))  # event periods and thin stretches: the level either side
    if not len(known):  # no stretch holds enough outside periods to read a level on
        return []
    level = np.interp(np.arange(len(v)), known, level[known])
    excess = v - level
    kept = excess[read & ~np.isnan(excess)]
    noise = 1.4826 * float(np.median(np.abs(kept - np.median(kept)))) if len(kept) else 0.0
    bar = max(PEAK_RISE, PEAK_Z * noise)
    high, raised = read & (excess > bar), read & (excess > bar / 2)
    peaks, at, n = [], first, len(y)
    while at < n:
        if not raised[at]:
            at += 1
            continue
        end = at  # event periods do not end a run: a season goes on through a holiday in it
        while end < n and (raised[end] or not read[end]):
            end += 1
        last = at + 1 + int(np.flatnonzero(raised[at:end])[-1])
        # seen to start and end on quiet periods: a run against an event window may be that event's
        # season, or a season that window cut (a winter product's December before 年货节's months)
        bounded = end == last and (at == first or read[at - 1])
        # ended: the sales after it back at the level before it, not a running median that caught up with a
        # step (a season's opening weeks, a level shift's first weeks looked like a run that ended)
        after = v[end:end + PEAK_RETURN[freq]][read[end:end + PEAK_RETURN[freq]]]
        back = len(after) > 0 and float(np.median(after)) - level[max(at - 1, first)] < bar / 2
        if bounded and back and high[at:end].sum() >= MIN_PEAK_RUN[freq] and end + PEAK_RETURN[freq] <= n \
                and not _recurs(v, level[at:end] + bar / 2, at, first, CALENDAR_YEAR[freq]):
            peaks.append(Peak(at, end, np.expm1(level[at:end])))
        at = end
    return peaks


def _recurs(v: np.ndarray, raised: np.ndarray, start: int, first: int, year: int) -> bool:
    """True when the log sales ``v`` a year before or after the run from ``start`` were over its
    own bar ``raised`` (log, one per period of the run) on over half of the run's periods the
    history holds there (from ``first``): a season the calendar does not name (a fruit's, a
    mooncake's every year), which the yearly season reads, not a one-off. The run's own bar, not
    the level a year away: an orange season cut in two by a moved Spring Festival has no level
    of its own in its last weeks, a year before it was the level."""
    end = start + len(raised)
    for shift in (-year, year):
        lo, hi = max(start + shift, first), min(end + shift, len(v))
        held = hi - lo >= max(1, (end - start) // 2)
        if held and (v[lo:hi] > raised[lo - shift - start:hi - shift - start]).mean() > 0.5:
            return True
    return False
