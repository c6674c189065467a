"""A level step inside the year-on-year growth of a path laid over last year's (daily data).

A path that repeats last year's level plus a year-on-year growth (``event_profile``'s baseline
path) reads the growth from the latest year-on-year differences. A level step that the regime
test lets pass (``regime``: only steps beyond a factor 1.5 start a new regime), a price rise that
cut a line's sales by 15%, sits in the differences since it: the growth carries it. Laid over
last year's level, that growth is right while the year-ago days lie before the step, and counts
it a second time once they pass it (a mother-and-baby shop's formula, -15% in the spring, was
forecast 24% low for the next 618: trial 11, F6).

So the year-on-year differences of the last year (their later day within the year before the
cut-off) are tested for one change point (``growth_step``): the exact least-squares split of
their weekly means (each of at least ``MIN_PAIRS_A_WEEK`` day pairs), found by ``ruptures`` (``KernelCPD`` with the linear
kernel: the L2 cost, solved exactly by dynamic programming; C. Truong, L. Oudre & N. Vayatis,
"Selective review of offline change point detection methods", Signal Processing 167, 2020),
with at least ``STEP_WEEKS`` weeks on either side (``FIRST_WEEKS`` before it at a history's first
differences, where the level's own jump stands in for the line test below). It is a step when

* its size exceeds ``STEP_Z`` standard errors of the difference of the two sides' means, the
  noise being the sd of the weeks around their side's mean (3.5, above the 3 of a test at a
  known place: the split is the best of some 20-50), and
* a step explains the weeks better than a straight line in time does by ``LINE_MARGIN``
  times the noise variance (a growth that fades or speeds up moves the differences gradually:
  a drift of the growth, which its damping reads, not a step), and
* it stands to the end: no run of the latest weeks after it lies back against it beyond
  ``STEP_Z`` standard errors (``_returned``: a pulse, such as a fruit line launched in its
  season and sold out; carried as a level to the step's next anniversary, while the start step
  that cancelled it faded, it put the seeded produce shop's 618 2027 +18.6% against +6.8%).

A step in the differences at day ``c`` is the level's own step at ``c`` (this year: the days
a year before ``c`` lie before it) or the echo of a step at ``c - season`` (the year-ago days
have just passed a step of last year). The differences alone never tell them apart; the level's
abruptness can, as far as the season lets it (``which_year``). Seeded (``tests/forecast/
test_year_step.py``): no step on 200 series without one, 0 and 6 of 100 whose growth fades or
speeds up; 38 and 41 of 100 steps of this year and of last year read, all in the right year.

The path then takes (``YearStep``):

* this year's step: the growth is that of the differences before the step (their pairs lie on
  one side of it) and the step is added, whole and undamped (it is a level, not a growth), to
  the horizon's days whose year-ago day lies before ``c``; once the year-ago days
  pass the step, last year's level holds it;
* last year's step: the growth is that of the differences since ``c`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.forecast.metrics import robust_sd

STEP_WEEKS = 4  # fewest weeks either side of a step
# fewest weeks before a step where the history's year-on-year differences begin under STEP_WEEKS weeks
# before it (a spring step in a 19-month history: the quiet weeks after the Spring Festival span)
FIRST_WEEKS = 2
GRID_DAYS = 7  # the differences are searched as weekly means (a day's own noise is too large to place a step)
MIN_PAIRS_A_WEEK = 3  # day pairs a week's mean needs to count (a week mostly in an event span has none)
STEP_Z = 3.5  # a step's size over its standard error (the split is the best of many places: above 3)
LINE_MARGIN = 10.0  # noise variances by which a step must beat a straight line (a growth that fades or speeds up)
JUMP_DAYS = 28  # quiet days either side of a step (quiet in every year compared) whose levels give its jumps
# fewest such days on either side; at the history's first differences (``growth_step``'s ``first``), where the
# quiet days between the Spring Festival span and a spring step are about two weeks, MIN_FIRST_JUMP_DAYS
MIN_JUMP_DAYS, MIN_FIRST_JUMP_DAYS = JUMP_DAYS // 2, 7
# the level's jump at a change point the differences placed, over its standard error, that tells a step from a
# drift of the growth (a test at a known place: 3; the place is the best of the 13 days around the split's week)
JUMP_Z = 3.0
YEAR_MARGIN = 2.0  # log-likelihood ratio by which one year's reading must beat the other's
MIN_NOISE = 0.01  # log: a floor under the weeks' noise (a series read without noise has no step of size 0)


@dataclass(frozen=True)
class YearStep:
    """A level step found in a series' year-on-year differences (day indices).

    ``at``: the first day whose year-on-year difference carries the new level; ``size``: the
    change in the differences there (log; after less before); ``this_year``: the level stepped at
    ``at`` (True) or at ``at - season`` (False: the year-ago days have passed last year's step).
    """

    at: int
    size: float
    this_year: bool


def growth_step(t: np.ndarray, d: np.ndarray, first: bool = False,
                level_jump=None) -> tuple[int, float] | None:
    """The change point of the year-on-year differences ``d`` (log, shape (k,)) of the day pairs
    whose later day is ``t`` (day indices, increasing), if it is a step (see the module
    docstring): ``(at, size)``, ``at`` the first day of the first week of the new level of the
    differences and ``size`` their change there (log). None without ``STEP_WEEKS`` weeks either
    side, or without a step. ``first``: the differences are the history's first (no pair lies
    before ``t[0]``: a history of under two years), and ``FIRST_WEEKS`` weeks before the split
    suffice. There, where a line fits about as well as the step, or the split has fewer than
    ``STEP_WEEKS`` weeks before it (a line through so few weeks tells no drift from a step), the
    level's own jump decides: ``level_jump(at)``, ``(jump, standard error)`` in log or None
    (``level_jump``), must stand beyond ``JUMP_Z`` standard errors in the step's direction (a
    growth that fades or speeds up makes no jump at one place). A spring step in a 19-month
    history had no pair four weeks before it, and the growth carried it past its anniversary:
    618 2027 +30% after a x1.3 step, -23% after a x0.77 one (closing note 10, item 6)."""
    import ruptures

    t, d = np.asarray(t, int), np.asarray(d, float)
    if not len(t):
        return None
    week = (t[-1] - t) // GRID_DAYS  # weeks counted back from the last pair's day
    counts = np.bincount(week)
    sums = np.bincount(week, weights=d)
    keep = np.flatnonzero(counts >= MIN_PAIRS_A_WEEK)[::-1]  # oldest first
    v, starts = sums[keep] / counts[keep], t[-1] - GRID_DAYS * keep - (GRID_DAYS - 1)
    least = FIRST_WEEKS if first else STEP_WEEKS
    if len(v) < least + STEP_WEEKS:
        return None
    split = ruptures.KernelCPD(kernel="linear", min_size=least, jump=1).fit(v).predict(n_bkps=1)[0]
    before, after = v[:split], v[split:]
    if len(after) < STEP_WEEKS:
        return None
    residual = np.r_[before - before.mean(), after - after.mean()]
    # the sd, not a robust one: the weeks' few outliers are what a false split of a handful of them rests on
    noise = max(float(np.std(residual, ddof=2)), MIN_NOISE)
    size = float(after.mean() - before.mean())
    if abs(size) <= STEP_Z * noise * np.sqrt(1 / len(before) + 1 / len(after)):
        return None
    x = (starts - starts[0]) / max(starts[-1] - starts[0], 1)  # in time: event spans leave gaps between weeks
    drift = v - np.polyval(np.polyfit(x, v, 1), x)  # a growth that fades or speeds up: a line
    # a drift of the growth, no step; at the history's first differences the level's own jump may say otherwise
    drifts = len(before) < STEP_WEEKS or drift @ drift - residual @ residual < LINE_MARGIN * noise ** 2
    if drifts:
        jump = level_jump(int(starts[split])) if first and level_jump is not None else None
        if jump is None or jump[0] * np.sign(size) <= JUMP_Z * jump[1]:
            return None
    if _returned(after, size):  # a pulse (a seasonal line launched and ended): no level to carry on
        return None
    return int(starts[split]), size


def _returned(after: np.ndarray, size: float) -> bool:
    """Whether the latest of the weekly differences ``after`` a step of ``size`` (log) moved back
    against it: for some ``k`` of its last weeks, their mean lies beyond ``STEP_Z`` standard
    errors on the far side of the weeks before them (the noise from the two parts' own spread).
    The step has then not stood to the end of the history (a fruit line launched in its season
    and sold out: the shop's differences rose for its season and fell back after it), and
    carried as a level it would put every day to the next anniversary of the step as high."""
    for k in range(1, len(after) - 1):
        held, tail = after[:-k], after[-k:]
        spread = np.r_[held - held.mean(), tail - tail.mean()]
        noise = max(float(np.std(spread, ddof=2)), MIN_NOISE)
        back = (held.mean() - tail.mean()) * np.sign(size)
        if back > STEP_Z * noise * np.sqrt(1 / len(held) + 1 / k):
            return True
    return False


def season_move(z: np.ndarray, quiet: np.ndarray, lag: float, width: int, steps=()) -> float | None:
    """The mean square of the log level's moves over ``lag`` periods (``z``: shape (n,), read on
    its ``quiet`` periods, boolean mask): of the differences ``lag`` apart of its centred
    ``width``-period means (of half of them quiet at least). What a season (and a growth) moves
    the level by across such a gap, as far as the history shows (about zero: a move's size, not
    its spread); moves across any of the indices ``steps`` (the possible steps) are left out.
    None with fewer than ``width`` such moves."""
    means = pd.Series(np.where(quiet, z, np.nan)).rolling(width, min_periods=max(1, width // 2), center=True).mean()
    lag = int(round(lag))
    moves = (means.shift(-lag) - means).to_numpy().copy()
    start = np.arange(len(z)) - width // 2  # the periods a move reads: from its first mean's to its last's
    for step in steps:  # a move across a possible step is no season's
        moves[(start <= step) & (start + lag + width > step)] = np.nan
    moves = moves[~np.isnan(moves)]
    return float(np.mean(moves ** 2)) if len(moves) >= width else None


def which_year(z: np.ndarray, quiet: np.ndarray, at: int, season: int, least: int = MIN_JUMP_DAYS) -> bool | None:
    """Whether a step in the year-on-year differences at day ``at`` is the level's own step
    there (True) or the echo of one at ``at - season`` (False), or None when the history cannot
    tell. ``z``: the weekday-adjusted log level, shape (n,); ``quiet``: boolean mask of the days
    that measure it (outside event spans, in the regime), shape (n,); ``season``: days a year.

    The differences alone never tell: a step in one year and the opposite step a year before
    it, with a season and a growth to match, give the same differences. The level's own jumps
    do, as far as the season lets them: across the same calendar gap (the up to ``JUMP_DAYS``
    days before ``at`` and from it that are quiet in both years), the level jumps by
    ``J1 = s + Δ`` this year and ``J0 = s`` a year before (this year's step), or by ``s`` and
    ``s - Δ`` (last year's), ``Δ = J1 - J0`` and ``s`` the season's (and growth's) move across the
    gap. So ``x = (J1 + J0) / 2`` is ``s + Δ/2`` or ``s - Δ/2``. Where a third year was quiet on the
    same days, its jump is ``s`` alone and ``x - J2`` is ``±Δ/2`` within the jumps' noise; else ``s``
    is taken as normal with the mean square of the series' own moves across such a gap
    (``season_move``). The log-likelihood ratio of the two readings is ``x Δ / V`` (``V``: that
    variance); beyond ``YEAR_MARGIN`` either way it decides (a step beside a long event span in a
    strong season, across which the season moves as much, does not). ``least``: the fewest quiet
    days either side (``_jumps``)."""
    found = _jumps(z, quiet, at, season, (3, 2), least)
    if found is None:
        return None
    before, after, jumps, jump = found
    years = len(jumps)
    size, x = jumps[0] - jumps[1], (jumps[0] + jumps[1]) / 2
    if years == 3:  # the year before last moved by the season alone
        x -= jumps[2]
        variance = jump * 1.5
    else:
        move = season_move(z, np.asarray(quiet, bool), after.mean() - before.mean(), JUMP_DAYS, (at, at - season))
        if move is None:
            return None
        variance = move + jump / 2
    ratio = x * size / variance
    if abs(ratio) < YEAR_MARGIN:
        return None
    return bool(ratio > 0)


def _jumps(z: np.ndarray, quiet: np.ndarray, at: int, season: int, years=(3, 2), least: int = MIN_JUMP_DAYS):
    """The level's jumps across day ``at``: ``(before, after, jumps, variance)``, ``before`` and
    ``after`` the up to ``JUMP_DAYS`` days before ``at`` and from it that are quiet in each of the
    first of ``years`` (counts of years, tried in turn) that has ``least`` of them either side,
    ``jumps`` the mean level's jump across them this year and in each year before (log, one a
    year), and ``variance`` a jump's own (a day's noise, from consecutive quiet days, over the
    days either side); None where no count of years has the days."""
    q = np.asarray(quiet, bool)
    for count in years:
        t = np.arange(season * (count - 1), len(z))
        both = t[np.all([q[t - season * k] for k in range(count)], axis=0)]
        before, after = both[both < at][-JUMP_DAYS:], both[both >= at][:JUMP_DAYS]
        if min(len(before), len(after)) >= least:
            jumps = [z[after - season * k].mean() - z[before - season * k].mean() for k in range(count)]
            noise = robust_sd(np.diff(z[np.r_[before, after]])) ** 2 / 2  # a day's own noise
            return before, after, jumps, noise * (1 / len(before) + 1 / len(after))
    return None


def level_jump(z: np.ndarray, quiet: np.ndarray, at: int, season: int) -> tuple[float, float] | None:
    """The level's own step in the week of day ``at`` (the first day of the change point's week,
    ``growth_step``), net of the season: its jump across the quiet days either side this year less
    the same calendar days' jump a year before (``_jumps``), at the day of that week and the next
    where it stands furthest out of its standard error, and that standard error, both log; None
    without ``MIN_FIRST_JUMP_DAYS`` such days either side in both years (it reads the history's
    first differences only). The weeks are counted back from the last pair, not from the step: a
    step inside the week before its split had its jump diluted by that week's days read after it."""
    best = None
    for day in range(at - GRID_DAYS + 1, at + GRID_DAYS):
        found = _jumps(z, quiet, day, season, (2,), MIN_FIRST_JUMP_DAYS)
        if found is None:
            continue
        _, _, jumps, jump = found
        size, se = jumps[0] - jumps[1], float(np.sqrt(2 * jump))
        with np.errstate(divide="ignore", invalid="ignore"):  # noiseless quiet days: se 0, the jump exact
            if best is None or abs(size) / se > abs(best[0]) / best[1]:
                best = (size, se)
    return best


def year_step(t: np.ndarray, d: np.ndarray, z: np.ndarray, quiet: np.ndarray, season: int,
              first: bool = False) -> YearStep | None:
    """The level step inside a daily series' year-on-year differences, if any (module docstring).

    ``t``: the later days of the pairs a year (``season`` days) apart (indices into ``z``,
    increasing, within the last year of the history); ``d``: their differences (log, shape
    (len(t),)); ``z``: the series' weekday-adjusted log level, shape (n,); ``quiet``: boolean mask
    of its days outside event spans (and in season, in the regime), shape (n,); ``first``: no pair
    of the history lies before ``t[0]`` (``growth_step``). None without a step, or where the
    level cannot say in which year it happened."""
    found = growth_step(t, d, first, lambda at: level_jump(z, quiet, at, season))
    if found is None:
        return None
    at, size = found
    this_year = which_year(z, quiet, at, season, MIN_FIRST_JUMP_DAYS if first else MIN_JUMP_DAYS)
    return None if this_year is None else YearStep(at, size, this_year)
