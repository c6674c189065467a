"""Where a series' current regime begins: its start, a stop, and level shifts (daily data).

Real SKU and flow data is young and changing: products launch (zeros, then a level), lines stop
(a level, then zeros) and channels move (one level, then another). Level and growth must come
from the current regime only; a year-on-year growth factor measured against a near-zero base, or
against a level the series has left, reaches absurd values.

* **start**: the first day of the first ``START_RUN``-day stretch with at least ``START_SHARE``
  of its days non-zero (the first *sustained* non-zero; stray early orders do not count); of
  weekly, monthly or quarterly data, the first non-zero period unless it is a partial launch
  period (``nondaily_start``);
* **stop** (every frequency, ``stopped_since``): the zero periods that end the series, at least
  ``STOP_PERIODS`` of them (28 days, 4 weeks, 2 months or 2 quarters) and longer than any run of
  zeros between its sales before (a slow mover's usual gaps are no stop);
* **level shifts**: change points of the weekly mean of ``log1p(y)`` over quiet weeks (event
  days left out; a week with fewer than ``MIN_QUIET_DAYS`` quiet days has no mean and is
  interpolated), found by PELT (Killick, Fearnhead & Eckley 2012; ``ruptures.KernelCPD`` with
  the linear kernel, its C implementation) with an L2 cost and a BIC-like penalty scaled by the
  series' own week-to-week noise; a change point counts as a shift when the mean log level of
  the (up to) ``SHIFT_WEEKS`` observed weeks after it differs from the observed weeks before it
  by more than ``MIN_SHIFT`` (a factor of 1.5) and by more than ``SHIFT_Z`` standard errors of
  that difference: seasonality and steady growth move the level gradually, and a few noisy
  weeks of a slow seller (or one quiet day beside an event, carried across the event by the
  interpolation) are not shifts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

START_RUN = 14
START_SHARE = 0.7
STOP_PERIODS = {"D": 28, "W": 4, "MS": 2, "QS": 2}  # fewest zero periods at the end that can mean a stop
MIN_SHIFT = float(np.log(1.5))
SHIFT_WEEKS = 4
SHIFT_Z = 3.0  # a shift's size over its standard error (the weekly noise): clear of the noise
MIN_QUIET_DAYS = 4  # of a week's 7, for its mean to count (one quiet day next to an event is no week)


@dataclass(frozen=True)
class Regime:
    """Indices into the history (0 = its first day).

    ``born``: the series' start; ``start``: the first day of the current regime (``born`` or the
    last level shift); ``shifts``: every level shift found, in order; ``stopped``: the series
    has stopped (``stopped_since``).
    """

    born: int
    start: int
    shifts: tuple[int, ...] = ()
    stopped: bool = False


def series_start(y: np.ndarray) -> int:
    """Index of the first sustained non-zero day (0 when the series never sustains volume, so
    that an intermittent series is taken whole)."""
    nonzero = (np.asarray(y) > 0).astype(float)
    if len(nonzero) < START_RUN:
        return int(np.argmax(nonzero)) if nonzero.any() else 0
    share = np.convolve(nonzero, np.ones(START_RUN) / START_RUN, mode="valid")
    ok = np.flatnonzero((share >= START_SHARE) & (nonzero[: len(share)] > 0))
    return int(ok[0]) if len(ok) else 0


def nondaily_start(y: np.ndarray) -> int:
    """Index of the first period of a weekly, monthly or quarterly series' volume: its first
    non-zero period, or the one after when that first period holds under a third of the median
    of the next three (a launch in the middle of the period). 0 for an all-zero series."""
    nonzero = np.flatnonzero(np.asarray(y) > 0)
    if not len(nonzero):
        return 0
    first = int(nonzero[0])
    following = np.asarray(y[first + 1:first + 4], float)
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


def stopped_since(y: np.ndarray, freq: str) -> int | None:
    """Index of the first of the zero periods that end ``y`` (units per period, >= 0, on the
    ``freq`` grid: D, W, MS or QS) if they mean the series stopped: at least ``STOP_PERIODS[freq]``
    of them, and a longer run of zeros than any between its sales before. None otherwise (and
    for a series that never sold)."""
    zeros = trailing_zeros(y)
    if zeros is None:
        return None
    run, longest_before = zeros
    return len(y) - run if run >= STOP_PERIODS[freq] and run > longest_before else None


def level_shifts(z: np.ndarray, quiet: np.ndarray) -> list[int]:
    """Day indices where the level of the log series ``z`` shifts (see the module docstring).

    ``quiet``: boolean mask of days outside event spans (event days are left out of the weekly
    means). Returns indices in increasing order, each the first day of the new level.
    """
    import ruptures

    n_weeks = len(z) // 7
    if n_weeks < 2 * SHIFT_WEEKS + 2:
        return []
    head = len(z) - 7 * n_weeks  # whole weeks, ending on the last day
    zq = np.where(quiet, z, np.nan)[head:].reshape(n_weeks, 7)
    counts = (~np.isnan(zq)).sum(axis=1)
    weekly = np.divide(np.nansum(zq, axis=1), counts, out=np.full(n_weeks, np.nan), where=counts >= MIN_QUIET_DAYS)
    ok = ~np.isnan(weekly)
    if ok.sum() < 2 * SHIFT_WEEKS + 2:
        return []
    idx = np.arange(n_weeks)
    observed = weekly[ok]
    # robust sd of a week's mean, from consecutive observed weeks (not the interpolated ones)
    noise = max(np.median(np.abs(np.diff(observed))) / 0.6745 / np.sqrt(2), 0.05)
    weekly = np.interp(idx, idx[ok], observed)
    # the linear kernel's cost is the L2 cost; KernelCPD runs PELT in C (ruptures.Pelt is pure
    # Python, about 0.8 s a series)
    breaks = ruptures.KernelCPD(kernel="linear", min_size=SHIFT_WEEKS, jump=1).fit(weekly).predict(
        pen=3 * noise ** 2 * np.log(n_weeks))
    out, weeks = [], idx[ok]
    for b in breaks[:-1]:
        # the observed weeks either side (an interpolated stretch across an event is no evidence)
        before, after = observed[weeks < b][-SHIFT_WEEKS:], observed[weeks >= b][:SHIFT_WEEKS]
        if len(before) < 2 or len(after) < 2:
            continue
        step = abs(after.mean() - before.mean())
        if step > MIN_SHIFT and step > SHIFT_Z * noise * np.sqrt(1 / len(before) + 1 / len(after)):
            out.append(head + 7 * b)
    return out


def detect_regime(y: np.ndarray, quiet: np.ndarray) -> Regime:
    """The regime of the daily series ``y`` (units per day, >= 0) with ``quiet`` days marked."""
    y = np.asarray(y, float)
    born = series_start(y)
    stopped = stopped_since(y[born:], "D") is not None
    shifts = tuple(born + s for s in level_shifts(np.log1p(y[born:]), np.asarray(quiet)[born:])) \
        if not stopped else ()
    return Regime(born, shifts[-1] if shifts else born, shifts, stopped)
