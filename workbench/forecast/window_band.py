"""Quantiles of a window total: the band of a sum of days (pure functions on one series' arrays).

A planner reads an event window's total (28 days of a SKU, a category, the nation), and its
P10..P90 must be quantiles of that sum. The sum of the days' quantiles is not: it assumes every
day errs to its own P90 at once. For a smooth series, whose day errors are mostly day noise that
cancels over a window, it is far too wide (a SKU's 28-day total of 8,315 was shown from 5,304 to
14,094; it sold 8,589); for a sparse one it is wrong the other way (a mean of 8 units over the
window with a P50 of 0, since each day's median is 0).

Three rules, in order (``window_band`` says which one gave a band):

* **refits**: the model's own rolling-origin refits (``Forecaster.refit_paths``: the actuals and
  the refit's point forecast from its origin to the end of the history) give the errors of sums
  over spans of the window's length (``span_errors``: ``log1p(sum actual) - log1p(sum forecast)``
  at every ``SPAN_STRIDE`` days of each refit's path), the joint error of the days, level error
  and all. The band is symmetric in logs around the point forecast: quantiles of the absolute
  errors (the errors with their mirror images), as StatsForecast's ``ConformalIntervals`` takes
  them, split conformal by horizon band and stretched as a random walk's beyond the horizons
  measured (``conformal.conformal_offsets``), at the window's mean horizon. Every refit's path
  ends on the history's last days, so the spans share one level error; centred on their median
  (as the daily bands are) the band's spread was three quarters of the window errors' on seeded
  steady series (62% coverage of 40 windows, a scratch run), around zero it matched them (75%). Needs
  ``MIN_SPANS`` spans from ``MIN_REFITS`` refits.
* **count**: small counts (``models.base.count_dispersion``: whole units, a recent mean under
  ``COUNT_LEVEL`` a day) without refits take a negative binomial of the sum, mean ``M`` (the
  window's point total) and variance ``r M``. The ratio ``r`` is measured on the series' own
  past window sums at the same lead (``past_sum_dispersion``: how far each of the last year's
  window-long sums fell from the recent mean a forecast at that lead would have used: the
  counts' lumpiness, gaps and drift together). With too short a history, the count model's:
  days with means ``m_t`` and the series' variance-to-mean ratio ``phi`` sum to a negative
  binomial with variance ``phi M`` (negative binomials with one success probability add up),
  widened by the sampling error of the rate (the recent ``COUNT_WINDOW`` days' ``N`` units:
  relative variance ``phi / N``, so ``r = phi + M phi / N``, a gamma-mixed rate's: Lawless,
  "Negative binomial and mixed Poisson regression", Canadian Journal of Statistics 15, 1987).
  Its P90 is at least the mean (raised to it if a very lumpy count puts it lower) and its P50
  is no longer the 0 of every day's median.
* **independent days**: otherwise (no refits: a model without them, such as the naive ones, or
  a series too young for one) the days are taken as independent: each day's spread from its outer quantiles as a
  normal's, the variances summed, and a log-normal with the window's mean and that variance.
  It leaves out a level error shared by the days, so it is narrow where the level is
  uncertain (the naive models' errors are mostly level errors: their window totals fell inside
  it 4-79% of the time; docs/benchmarks.md), and the tables' ``window_band`` column says it is
  a stated rule, not a measured band.

The point forecast (the sum of the days' means) always lies inside the P10..P90 band.
Measured in docs/benchmarks.md ("Bands of event-window totals"): ``benchmarks/window_band_coverage.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from workbench.errors import ModelError
from workbench.forecast.conformal import HORIZON_BANDS, MIN_BAND_ERRORS, conformal_offsets
from workbench.forecast.models.base import COUNT_WINDOW, count_band, count_dispersion

SPAN_STRIDE = 7  # days between the starts of a refit's spans (a span keeps its weekdays' mix)
MIN_SPANS, MIN_REFITS = 8, 2  # fewest spans, and refits they come from, for a measured band
YEAR_SPANS = 52  # a count's latest window sums (a year of weekly starts) that measure its spread

SOURCES = {"refits": "the joint error of the model's rolling-origin refits over spans of the window's length",
           "count": "a negative binomial of the window's units (small counts, no refits)",
           "independent days": "the days' spreads summed as independent (no refits: a stated rule, "
                               "narrow if the level is uncertain)",
           "zero": "the forecast is zero on every day of the window"}


def span_errors(paths, length: int, stride: int = SPAN_STRIDE) -> tuple[np.ndarray, np.ndarray, int]:
    """Errors of sums over spans of ``length`` consecutive days of rolling-origin refit paths.

    Parameters
    ----------
    paths : list of ``(actual, forecast, missed)``, each shape (m,) for one refit: the actuals
        and the refit's point forecast (units per day) of the m days from its origin to the end
        of the history, and the days it forecast without an event the model knows
        (``Forecaster.refit_paths``): a span holding one is left out (its error is the missed
        uplift, not the forecast's error).
    length : days of a span (the window's length).
    stride : days between the starts of consecutive spans of one path (the first starts at the
        origin).

    Returns
    -------
    ``(horizons, errors, refits)``: each span's mean horizon (days after the origin, 1 = the
    first day), its error ``log1p(sum actual) - log1p(sum forecast)`` (unit-free), and how many
    refits gave a span.
    Raises ``ModelError`` for a length below 1 or paths of mismatched shapes.
    """
    if length < 1:
        raise ModelError(f"window band: a span needs at least 1 day, not {length}")
    horizons, errors, refits = [], [], 0
    for actual, forecast, missed in paths:
        actual, forecast, missed = np.asarray(actual, float), np.asarray(forecast, float), np.asarray(missed, bool)
        if not actual.shape == forecast.shape == missed.shape:
            raise ModelError(f"window band: a refit path has {actual.shape} actuals, {forecast.shape} forecasts "
                             f"and {missed.shape} missed-event flags")
        starts = np.arange(0, len(actual) - length + 1, stride)
        csum_m = np.r_[0, np.cumsum(missed)]
        starts = starts[csum_m[starts + length] == csum_m[starts]]
        if not len(starts):
            continue
        refits += 1
        csum_a, csum_f = np.r_[0.0, np.cumsum(actual)], np.r_[0.0, np.cumsum(forecast)]
        errors.append(np.log1p(csum_a[starts + length] - csum_a[starts])
                      - np.log1p(np.maximum(csum_f[starts + length] - csum_f[starts], 0.0)))
        horizons.append(starts + (length + 1) / 2)
    if not errors:
        return np.zeros(0), np.zeros(0), 0
    return np.concatenate(horizons), np.concatenate(errors), refits


def window_band(point, day_quantiles: dict, first_step: int, quantiles, *, paths=(), history=None
                ) -> tuple[dict[float, float], str]:
    """Quantiles of one series' total over a window of consecutive days.

    Parameters
    ----------
    point : shape (L,), the point forecast (mean, units per day) of the window's L days.
    day_quantiles : ``{q: array (L,)}``, the days' own quantiles (used by the independent-days
        rule only).
    first_step : the window's first day, in days after the end of the history (1 = the next day).
    quantiles : levels in (0, 1).
    paths : the model's refit paths (``Forecaster.refit_paths``); empty without refits.
    history : shape (n,), the series' history (units per day), for the count rule.

    Returns
    -------
    ``({q: window-total quantile in units}, rule)`` with ``rule`` a key of ``SOURCES``; every
    lower quantile (q < 0.5) is at most the window's point total and every upper one at least.
    Raises ``ModelError`` for an empty window or shapes that do not match.
    """
    point = np.asarray(point, float)
    length = len(point)
    if not length:
        raise ModelError("window band: the window has no day in the forecast")
    total = float(point.sum())
    quantiles = sorted(float(q) for q in quantiles)
    if total <= 0:
        return {q: 0.0 for q in quantiles}, "zero"
    horizons, errors, refits = span_errors(paths, length)
    if len(errors) >= MIN_SPANS and refits >= MIN_REFITS:
        at = int(np.ceil(first_step + (length - 1) / 2))  # the window's mean horizon
        offsets = conformal_offsets(np.r_[horizons, horizons], np.r_[errors, -errors], at, quantiles,
                                    bands=HORIZON_BANDS["D"], min_errors=2 * MIN_BAND_ERRORS)
        z = np.log1p(total)
        return {q: float(max(np.expm1(z + offsets[q][-1]), 0.0)) for q in quantiles}, "refits"
    dispersion = count_dispersion(history) if history is not None else None
    if dispersion is not None:
        ratio = past_sum_dispersion(history, length, first_step - 1)
        if ratio is None:  # too short a history: the count model's own spread
            recent = float(np.asarray(history, float)[-COUNT_WINDOW:].sum())
            ratio = dispersion + total * dispersion / recent  # variance / mean of the window's units
        band = count_band(np.array([total]), max(ratio, 1.0 + 1e-9), quantiles)
        return _holding(total, {q: float(v[0]) for q, v in band.items()}), "count"
    return _independent_days(point, day_quantiles, quantiles), "independent days"


def past_sum_dispersion(history, length: int, gap: int, *, window: int = COUNT_WINDOW,
                        stride: int = SPAN_STRIDE, spans: int = YEAR_SPANS) -> float | None:
    """Variance-to-mean ratio of a count's window sums around the recent mean's forecast of
    them, measured on the series' own history: for the latest ``spans`` spans of ``length``
    days (``stride`` days apart), the forecast is ``length`` times the mean of the ``window``
    days that end ``gap`` days before the span (as the window is forecast now), and the ratio is
    ``sum (actual - forecast)^2 / sum forecast``. It holds the counts' own lumpiness and what a
    recent mean misses of a slow mover's gaps and drifts, which the negative binomial of a
    stable rate does not. None with fewer than ``MIN_SPANS`` spans or no forecast units.
    ``history``: shape (n,), units per day; ``length``, ``gap``, ``window``, ``stride``: days."""
    y = np.asarray(history, float)
    c = np.r_[0.0, np.cumsum(y)]
    starts = np.arange(len(y) - length, gap + window - 1, -stride)[:spans]
    if len(starts) < MIN_SPANS:
        return None
    origin = starts - gap
    forecast = length * (c[origin] - c[origin - window]) / window
    actual = c[starts + length] - c[starts]
    if forecast.sum() <= 0:
        return None
    return float(np.sum((actual - forecast) ** 2) / forecast.sum())


def _independent_days(point: np.ndarray, day_quantiles: dict, quantiles) -> dict[float, float]:
    """The window total's quantiles with its days independent: each day's standard deviation
    from its outermost quantiles as a normal's (``(q_hi - q_lo) / (z_hi - z_lo)``), the
    variances summed, and the log-normal with the total's mean and that variance (its median
    is below the mean, as a sum of skewed days' is)."""
    lo, hi = min(day_quantiles), max(day_quantiles)
    if not lo < 0.5 < hi:
        raise ModelError(f"window band: the days' quantiles {sorted(day_quantiles)} hold no band around the median")
    width = np.asarray(day_quantiles[hi], float) - np.asarray(day_quantiles[lo], float)
    if width.shape != point.shape:
        raise ModelError(f"window band: {width.shape} quantiles for {point.shape} days")
    sd = np.maximum(width, 0.0) / (stats.norm.ppf(hi) - stats.norm.ppf(lo))
    total = float(point.sum())
    s2 = np.log1p(float(np.sum(sd ** 2)) / total ** 2)
    mu = np.log(total) - s2 / 2
    return _holding(total, {q: float(np.exp(mu + stats.norm.ppf(q) * np.sqrt(s2))) for q in quantiles})


def _holding(total: float, band: dict[float, float]) -> dict[float, float]:
    """``band`` with its lower quantiles at most, and its upper ones at least, the point total
    (a log-normal of a very wide spread, or a very lumpy count, puts its P90 below its mean)."""
    return {q: min(v, total) if q < 0.5 else max(v, total) if q > 0.5 else v for q, v in band.items()}


__all__ = ["MIN_REFITS", "MIN_SPANS", "SOURCES", "SPAN_STRIDE", "span_errors", "window_band"]
