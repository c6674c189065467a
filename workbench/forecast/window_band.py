"""Quantiles of a window total: the band of a sum of days (pure functions on one series' arrays).

A planner reads an event window's total (28 days of a SKU, a category, the nation), and its
P10..P90 must be quantiles of that sum. The sum of the days' quantiles is not: it assumes every
day errs to its own P90 at once. For a smooth series, whose day errors are mostly day noise that
cancels over a window, it is far too wide (a SKU's 28-day total of 8,315 was shown from 5,304 to
14,094; it sold 8,589); for a sparse one it is wrong the other way (a mean of 8 units over the
window with a P50 of 0, since each day's median is 0).

Weeks and months: a window touches periods it holds in part (a 28-day window, 5 weeks or 2
months), and its total is the share of each period's units whose days fall in it
(``data.validate.window_share``, each period split evenly over its days); every sum below weighs
the periods by those shares (``weights``), and spans, strides and horizon bands are in periods.

Three rules, in order (``window_band`` says which one gave a band):

* **refits**: the model's own rolling-origin refits (``Forecaster.refit_paths``: the actuals and
  the refit's point forecast from its origin on: event_profile's calibration refits; ets's
  conformal refits at weeks and months; the naive models' forecasts from earlier origins,
  which need no fit) give the errors of sums over spans of the window's length
  (``span_errors``: ``log1p(sum actual) - log1p(sum forecast)`` at every ``SPAN_STRIDE``
  periods of each refit's path), the joint error of the days, level error and all. The band
  is symmetric in logs around the point forecast: quantiles of the absolute errors (the errors
  with their mirror images), as StatsForecast's ``ConformalIntervals`` takes them, split
  conformal by horizon band and, beyond the horizons measured, stretched as a random walk's
  by what the spans' errors grew since each refit's first span (``conformal.conformal_offsets``,
  ``refit_band``), at the window's mean horizon. Every refit's path ends on
  the history's last days, so the spans share one level error; centred on their median (as the
  daily bands are) the band's spread was three quarters of the window errors' on seeded steady
  series (62% coverage of 40 windows, a scratch run), around zero it matched them (75%). The
  spans of one refit share its level error, so the finite-sample correction counts them as
  their effective number (``conformal.effective_count``: Kish's design effect), not as
  independent errors: a smooth total whose spans err alike is worth about as many errors as it
  has refits. Needs ``MIN_SPANS`` spans from ``MIN_REFITS`` refits.
* **count**: small counts (``models.base.count_dispersion``: whole units, a recent mean under
  ``COUNT_LEVEL`` a day) without refits take a negative binomial of the sum, mean ``M`` (the
  window's point total) and variance ``r M``. The ratio ``r`` is measured on the series' own
  past window sums at the same lead (``past_sum_dispersion``: how far each of the last year's
  window-long sums fell from the recent mean a forecast at that lead would have used: the
  counts' lumpiness, gaps and drift together). Where that ratio exceeds ``M`` (a negative
  binomial whose mode is 0, for a series that sells most weeks: a season's swing that the
  recent mean misses, not the counts'), the spans at the window's time of year in earlier years
  measure it instead, where they show less (trial 12's winter coat, 9 a day in summer: its 618
  window's P50 0 against 2025's winters, a ratio of 14,500, and 146 against its summers, 487;
  seeded winter sellers' off-season windows covered 50% -> 80-85%, ``tests/forecast/test_window_band.py``).
  With too short a history, the count model's:
  days with means ``m_t`` and the series' variance-to-mean ratio ``phi`` sum to a negative
  binomial with variance ``phi M`` (negative binomials with one success probability add up),
  widened by the sampling error of the rate (the recent ``COUNT_WINDOW`` days' ``N`` units:
  relative variance ``phi / N``, so ``r = phi + M phi / N``, a gamma-mixed rate's: Lawless,
  "Negative binomial and mixed Poisson regression", Canadian Journal of Statistics 15, 1987).
  Its P90 is at least the mean (raised to it if a very lumpy count puts it lower) and its P50
  is no longer the 0 of every day's median.
* **independent days**: otherwise (no refits: a model without them, a series too young for
  one, or weekly and monthly small counts, whose count rule is not measured in periods) the
  days (periods) are taken as independent: each one's spread from its outer quantiles as a
  normal's, the variances summed, and a log-normal with the window's mean and that variance.
  It leaves out a level error shared by the days, so it is narrow where the level is
  uncertain (the naive models' errors are mostly level errors: their window totals fell inside
  it 4-79% of the time before they had refits; docs/benchmarks.md), and the tables'
  ``window_band`` column says it is a stated rule, not a measured band. A shared error the
  days' quantiles already hold (a borrowed uplift's spread, ``day_spread``) is taken out of
  each day first and added once with the level spread below.

A level's total (a category's, the nation's; days, weeks and months) takes **summed refits**
(``summed_band``): its series' ``span_sums`` added up per refit origin and span, the errors of
the sum as it happened (the level's series neither independent nor perfectly correlated), then
the refits rule; the planning core falls back to the level's own direct forecast's refits.

**A young series** (under a year of sales) has no refits, or too few, far more often than not,
and its level is estimated, not only counted: read on a few weeks, its launch ramp and growth
borrowed from a curve, its event lift from a pool. The count rule's rate sampling error and the
independent days hold none of that (a 120-day-old launch's 28-day total was +-11%, and the count
bands of a young shop's launches held 3 of 9 windows, trial 17 F8). Both take, as one more level
error of the window (``young_spread``, in quadrature), the spread between the panel's launches
of how their level moved from the series' age now to its age at the window
(``LaunchCurve.level_spread``): the gamma part of a gamma-Poisson mixture, measured on the
panel's own launches; the refits rule measures it on the series' own history.

The point forecast (the sum of the days' means) always lies inside the P10..P90 band. A series'
band is held to the sanity its point is (``capped_window_band``, at ``guard.window_cap``): a rule
whose band reaches past the cap is refused and the next one taken, said in a note.
Measured in docs/benchmarks.md ("Bands of event-window totals"): ``benchmarks/window_band_coverage.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.errors import ModelError
from workbench.forecast.conformal import (HORIZON_BANDS, MIN_BAND_ERRORS, conformal_offsets, narrowed_offsets,
                                          widened_offsets)
from workbench.forecast.metrics import robust_sd
from workbench.forecast.models.base import COUNT_WINDOW, count_band, count_dispersion, has_band

SPAN_STRIDE = {"D": 7, "W": 1, "MS": 1}  # periods between a refit's span starts (days: keep the weekdays' mix)
MIN_SPANS, MIN_REFITS = 8, 2  # fewest spans, and refits they come from, for a measured band
YEAR_SPANS = 52  # a count's latest window sums (a year of weekly starts) that measure its spread
SAME_WEEKDAY_DAYS, SEASON_DAYS = 364, 42  # days: a count's spans at the window's time of year start this near it, years before

SOURCES = {"refits": "the joint error of the model's rolling-origin refits over spans of the window's length",
           "summed refits": "a level's series' refits summed per refit (the level's joint error)",
           "count": "a negative binomial of the window's units (small counts, no refits)",
           "independent days": "the days' spreads summed as independent (no refits: a stated rule, "
                               "narrow if the level is uncertain)",
           "zero": "the forecast is zero on every day of the window",
           "held": "held at the guard's cap (guard.window_cap): every rule's band reached past it"}
RULES = ("refits", "count", "independent days")  # in the order window_band tries them


def span_sums(paths, weights, stride: int = SPAN_STRIDE["D"]) -> dict[str, np.ndarray]:
    """Weighted sums over spans of consecutive periods of rolling-origin refit paths.

    Parameters
    ----------
    paths : list of ``(actual, forecast, missed)``, each shape (m,) for one refit: the actuals
        and the refit's point forecast (units per period) of the m periods from its origin on,
        and the periods it forecast without an event the model knows
        (``Forecaster.refit_paths``): a span holding one is left out (its error is the missed
        uplift, not the forecast's error).
    weights : shape (L,), the share of each of the window's L periods that the window holds
        (``data.validate.window_share``: all 1 for days; a week or month the window holds in
        part counts with that part): a span's sums weigh its periods alike.
    stride : periods between the starts of consecutive spans of one path (the first starts at
        the origin).

    Returns
    -------
    ``{"refit", "reach", "start", "actual", "forecast"}``, each shape (s,) over the spans: the
    index in ``paths`` of the refit the span comes from, that path's length (periods; paths
    that end on the history's last period and share a length share their origin), the span's
    first period (0 = the origin's), and its weighted sums of actuals and forecasts (units).
    Raises ``ModelError`` for no weight above 0, or paths of mismatched shapes.
    """
    weights = np.asarray(weights, float)
    if weights.ndim != 1 or not len(weights) or not (weights > 0).any() or (weights < 0).any():
        raise ModelError(f"window band: a span needs at least one period with a share above 0, not {weights}")
    length = len(weights)
    parts = {k: [] for k in ("refit", "reach", "start", "actual", "forecast")}
    for index, (actual, forecast, missed) in enumerate(paths):
        actual, forecast, missed = np.asarray(actual, float), np.asarray(forecast, float), np.asarray(missed, bool)
        if not actual.shape == forecast.shape == missed.shape:
            raise ModelError(f"window band: a refit path has {actual.shape} actuals, {forecast.shape} forecasts "
                             f"and {missed.shape} missed-event flags")
        starts = np.arange(0, len(actual) - length + 1, stride)
        csum_m = np.r_[0, np.cumsum(missed)]
        starts = starts[csum_m[starts + length] == csum_m[starts]]
        windows = np.lib.stride_tricks.sliding_window_view
        parts["refit"].append(np.full(len(starts), index))
        parts["reach"].append(np.full(len(starts), len(actual)))
        parts["start"].append(starts)
        parts["actual"].append(windows(actual, length)[starts] @ weights if len(starts) else np.zeros(0))
        parts["forecast"].append(windows(np.maximum(forecast, 0.0), length)[starts] @ weights
                                 if len(starts) else np.zeros(0))
    return {k: np.concatenate(v) if v else np.zeros(0, float if k in ("actual", "forecast") else int)
            for k, v in parts.items()}


def span_errors(paths, weights, stride: int = SPAN_STRIDE["D"]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Errors of the spans of ``span_sums`` (same parameters): ``sum_errors`` of its sums.

    Returns
    -------
    ``(horizons, errors, refits)``, each shape (s,): see ``sum_errors``; ``refits`` is the
    index in ``paths`` of the refit each span comes from (its spans share the refit's level
    error).
    """
    return _sums_errors(span_sums(paths, weights, stride), len(weights))


def _sums_errors(sums: dict[str, np.ndarray], length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``span_errors`` of spans already summed (``span_sums``' output, spans of ``length`` periods)."""
    return sum_errors(sums["start"], sums["actual"], sums["forecast"], length) + (sums["refit"],)


def sum_errors(start, actual, forecast, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Each span's mean horizon and error, the one home of both formulas (a series' spans,
    ``span_errors``, and a level's spans summed over its series, ``summed_band``).

    Parameters
    ----------
    start : shape (s,), each span's first period (0 = the refit origin's first period).
    actual, forecast : shape (s,), the span's weighted sums of actuals and forecasts (units).
    length : the span's periods (the window's).

    Returns
    -------
    ``(horizons, errors)``, each shape (s,): the span's mean horizon (periods after the origin,
    1 = the first period) and its error ``log1p(actual) - log1p(forecast)`` (unit-free).
    """
    start, actual, forecast = (np.asarray(v, float) for v in (start, actual, forecast))
    return start + (length + 1) / 2, np.log1p(actual) - np.log1p(forecast)


def refit_band(total: float, horizons, errors, refits, first_step: int, length: int, quantiles,
               freq: str = "D", grow_all: bool = False) -> dict[float, float] | None:
    """The ``refits`` rule's band of a window total ``total`` (units): the symmetric split
    conformal quantiles of the spans' errors (``span_errors``: their ``horizons``, ``errors``
    and ``refits``, shape (s,) each) at the window's mean horizon (``first_step``, ``length``:
    its first period after the history and its periods), spans of one refit counted as their
    effective number (``conformal.effective_count``) and a span and its mirror image once
    (``conformal_offsets(symmetric=True)``; counted twice, the pairs had made P90 slightly
    narrow). Beyond the spans' horizons only what the spans' errors grew by since each refit's
    first span is stretched as a random walk's (``conformal_offsets``'s ``noise``: the variance
    of the first spans' errors, which no horizon added to); stretching all of it had widened the
    bands of series whose span errors do not grow with the horizon (``refits`` SKUs 89.5-92.4%
    covered on the sample and trials 4-5, 95-100% on trial 7's live windows; docs/benchmarks.md).
    ``grow_all``: all of it grows (a level's summed refits, ``summed_band``). None with fewer
    than ``MIN_SPANS`` spans from ``MIN_REFITS`` refits."""
    horizons, errors, refits = np.asarray(horizons, float), np.asarray(errors, float), np.asarray(refits)
    if len(errors) < MIN_SPANS or len(np.unique(refits)) < MIN_REFITS:
        return None
    at = int(np.ceil(first_step + (length - 1) / 2))  # the window's mean horizon
    first = horizons == horizons.min()  # each refit's first span: the error no horizon has added to
    noise = None if grow_all else robust_sd(np.r_[errors[first], -errors[first]]) ** 2
    offsets = conformal_offsets(horizons, errors, at, quantiles, bands=HORIZON_BANDS[freq],
                                min_errors=MIN_BAND_ERRORS, groups=refits, symmetric=True, noise=noise)
    z = np.log1p(total)
    return {q: float(max(np.expm1(z + offsets[q][-1]), 0.0)) for q in quantiles}


def summed_band(total: float, spans, first_step: int, length: int, quantiles, freq: str = "D"
                ) -> dict[float, float] | None:
    """The band of a level's window total (a category's, the nation's: ``total`` units) from
    its series' refits summed per refit: ``spans`` holds the series' ``span_sums`` (columns
    ``origin``, the refit's first forecast period as ``core.forecast(window=...)`` adds it,
    ``start``, ``actual``, ``forecast``), summed per ``(origin, start)``, the same periods in
    every series, into the level's span errors, then
    ``refit_band`` with all of the errors' spread stretched beyond the spans' horizons
    (``grow_all``): a level's coverage is held down by its point's bias, and stretching only
    the growth measured since the first spans took trial 4's 类目 from 80.0% to 70.0% and trial
    5's from 85.7% to 76.2% (refits recomputed, docs/benchmarks.md). Series without refits
    (young series, small counts) are not in the sums: the errors are those of the series that
    have them. None when the sums give too few spans."""
    sums = spans.groupby(["origin", "start"], sort=True)[["actual", "forecast"]].sum().reset_index()
    return refit_band(total, *sum_errors(sums["start"], sums["actual"], sums["forecast"], length),
                      sums["origin"].to_numpy(), first_step, length, quantiles, freq, grow_all=True)


def window_band(point, day_quantiles: dict, first_step: int, quantiles, *, paths=(), spans=None, history=None,
                weights=None, freq: str = "D", level_spread=None, day_spread=None, young_spread: float = 0.0,
                skip=()) -> tuple[dict[float, float], str]:
    """Quantiles of one series' total over a window of consecutive periods.

    Parameters
    ----------
    point : shape (L,), the point forecast (mean, units per period) of the L periods the window
        touches.
    day_quantiles : ``{q: array (L,)}``, the periods' own quantiles (used by the
        independent-days rule only).
    first_step : the window's first period, in periods after the end of the history (1 = the
        next one).
    quantiles : levels in (0, 1).
    paths : the model's refit paths (``Forecaster.refit_paths``); empty without refits.
    spans : ``span_sums(paths, weights, SPAN_STRIDE[freq])`` when the caller has already summed
        them (the core keeps them for a level's band, ``summed_band``); then ``paths`` is not
        read (give one or the other). None: summed here from ``paths``.
    history : shape (n,), the series' history (units per period), for the count rule (days).
    weights : shape (L,), the share of each period's units the window holds
        (``data.validate.window_share``); None: all of them (days).
    freq : ``"D"``, ``"W"`` or ``"MS"``: the periods (span strides ``SPAN_STRIDE`` and horizon
        bands ``conformal.HORIZON_BANDS`` are in them). The count rule is measured in days, so
        weeks and months without refits take the independent-days rule.
    level_spread : shape (L,) or None, the standard deviation (log) per period of the level
        errors that every period shares and no refit measured (the core's ``_level_spread``
        names them: a launch's growth read off its curve past the evidence,
        ``Prediction.launch_spread``, an uplift borrowed for an event never seen,
        ``Prediction.event_spread``, and a season read from one year, ``Prediction.season_spread``,
        in quadrature). Added to any rule's band
        (``with_level_spread``).
    day_spread : shape (L,) or None, the part of ``level_spread`` the periods' own quantiles
        already hold (the models widen each day's band by a borrowed uplift's spread,
        ``Prediction.event_spread``). The independent-days rule takes it out of each period
        (``conformal.narrowed_offsets``, around the period's median, or the midpoint of its outer
        quantiles without one) before summing them, so that it counts once, as the error the
        periods share: summed as each day's own error too, it had widened a young shop's 双11
        band (no refits) to 91% coverage of 96 seeded windows.
    young_spread : the standard deviation (log) of a young series' level at the window around
        the level its model carries it to (the core's ``young_spread``: how far one launch's level
        moves from its launch curve's between these ages, ``LaunchCurve.level_spread``), 0 for a
        series a year old or more. Added (``with_level_spread``, in quadrature with
        ``level_spread``) to a band no refit measured: the independent-days rule's, and the count
        rule's unless its ratio came from the series' own past window sums (which hold its level's
        moves); a young series' count band was the Poisson noise of its rate alone (a 120-day-old
        launch's 28-day total +-11%, trial 17 F8).
    skip : rules of ``RULES`` not to use (``capped_window_band``: a rule whose band the guard
        refused); the independent-days rule cannot be skipped.

    Returns
    -------
    ``({q: window-total quantile in units}, rule)`` with ``rule`` a key of ``SOURCES``; the
    window total is ``sum(weights * point)``; every lower quantile (q < 0.5) is at most it and
    every upper one at least.
    Raises ``ModelError`` for an empty window, an unknown ``freq``, shapes that do not match, or
    both ``paths`` and ``spans``.
    """
    if spans is not None and len(paths):
        raise ModelError("window band: give the refit paths or their span sums, not both")
    point = np.asarray(point, float)
    length = len(point)
    if not length:
        raise ModelError("window band: the window has no day in the forecast")
    if freq not in SPAN_STRIDE:
        raise ModelError(f"window band: periods {freq!r} are not one of {list(SPAN_STRIDE)}")
    weights = np.ones(length) if weights is None else np.asarray(weights, float)
    if weights.shape != point.shape:
        raise ModelError(f"window band: {weights.shape} shares for {point.shape} periods")
    total = float(weights @ point)
    quantiles = sorted(float(q) for q in quantiles)
    if total <= 0:
        return {q: 0.0 for q in quantiles}, "zero"
    sums = span_sums(paths, weights, SPAN_STRIDE[freq]) if spans is None else spans
    band = None if "refits" in skip else refit_band(total, *_sums_errors(sums, length), first_step, length,
                                                    quantiles, freq)
    unmeasured = 0.0  # the young level's spread where the rule did not measure the level's moves
    if band is not None:
        rule = "refits"
    elif "count" not in skip and (dispersion := count_dispersion(history) if history is not None and freq == "D"
                                  else None) is not None:
        ratio = past_sum_dispersion(history, length, first_step - 1)
        if ratio is not None and ratio > total:  # a negative binomial whose mode is 0: a season's swing?
            season = past_sum_dispersion(history, length, first_step - 1, season=True)
            ratio = min(ratio, season) if season is not None else ratio
        if ratio is None:  # too short a history: the count model's own spread, and the young level's
            recent = float(np.asarray(history, float)[-COUNT_WINDOW:].sum())
            ratio = dispersion + total * dispersion / recent  # variance / mean of the window's units
            unmeasured = young_spread
        counts = count_band(np.array([total]), max(ratio, 1.0 + 1e-9), quantiles)
        band, rule = _holding(total, {q: float(v[0]) for q, v in counts.items()}), "count"
    else:
        own = _without_shared(day_quantiles, day_spread, point.shape)
        band = _independent_days(point * weights, {q: v * weights for q, v in own.items()}, quantiles)
        rule, unmeasured = "independent days", young_spread
    if not (np.isfinite(young_spread) and young_spread >= 0):
        raise ModelError(f"window band: the young level's spread must be finite and >= 0, not {young_spread}")
    shared = 0.0
    if level_spread is not None:
        level_spread = np.asarray(level_spread, float)
        if level_spread.shape != point.shape or not (np.isfinite(level_spread) & (level_spread >= 0)).all():
            raise ModelError(f"window band: the level spread must be finite, >= 0 and one per period, not "
                             f"{level_spread.shape} values for {point.shape} periods")
        shared = float(weights * point @ level_spread) / total
    band = with_level_spread(total, band, float(np.hypot(shared, unmeasured)))
    return band, rule


def capped_window_band(cap: float, point, day_quantiles: dict, first_step: int, quantiles, **rules
                       ) -> tuple[dict[float, float], str, list[tuple[str, float]]]:
    """``window_band`` held to the guard's cap of a window total (``guard.window_cap``: the same
    sanity the forecast's point is held to): a rule whose band reaches past ``cap`` (units; its
    top quantile, after the level spread) is refused and the next rule of ``RULES`` tried (refits
    missing a season the model now knows by an order of magnitude, trial 14 F8: a seasonal SKU's
    618 P90 of 4,023 units against 61 sold); a band of the last rule that still reaches past it
    has every quantile held at ``cap`` (rule ``"held"``). Parameters as ``window_band``'s (``rules``:
    its keywords, ``skip`` excluded).

    Returns
    -------
    ``(band, rule, refused)``: ``window_band``'s band and rule, and each refused rule with the top
    quantile its band reached (units), for the note that names the series and the reason.
    """
    refused: list[tuple[str, float]] = []
    while True:
        band, rule = window_band(point, day_quantiles, first_step, quantiles, skip=tuple(r for r, _ in refused),
                                 **rules)
        top = max(band.values())
        if top <= cap * (1 + 1e-9):
            return band, rule, refused
        refused.append((rule, top))
        if rule == RULES[-1]:
            return {q: min(v, cap) for q, v in band.items()}, "held", refused


def refused_band_note(refused: list[tuple[str, float]], top: float, cap: float, why: str, rule: str) -> str:
    """The note of a window band ``capped_window_band`` refused: each ``refused`` rule with its top
    quantile's reach (units; ``top`` the quantile level, e.g. 0.9), the ``cap`` (units) and ``why``
    (``guard.window_cap``'s words), and the ``rule`` that gave the band in its place (a key of
    ``SOURCES``, or the band's source in words: a level's direct forecast's)."""
    reached = "; ".join(f"the {r} rule's band reached {top * 100:g}% at {v:,.0f}" for r, v in refused)
    instead = ("its quantiles held at the cap (no rule's band stayed under it)" if rule == "held" else
               f"the {rule} rule's band in its place" if rule in SOURCES else f"{rule} in its place")
    return (f"window total's band refused: {reached}, past the guard's cap of {cap:,.0f} units ({why}); "
            f"{instead}")


def with_level_spread(total: float, band: dict[float, float], spread: float) -> dict[float, float]:
    """``band`` (quantiles of a window total ``total``, units) widened by a level error of
    standard deviation ``spread`` (log) that its rule did not measure: each quantile's log
    distance from the total, ``d_q``, becomes ``sign(d_q) sqrt(d_q^2 + (z_q spread)^2)``
    (``z_q`` the normal quantile; the two errors independent and each near normal in logs, so
    their spreads add in quadrature). A quantile at 0 stays 0; the median's distance is kept."""
    if spread <= 0:
        return band
    wide = widened_offsets({q: np.log(v / total) for q, v in band.items() if v > 0}, spread)
    return {q: float(total * np.exp(wide[q])) if q in wide else v for q, v in band.items()}


def past_sum_dispersion(history, length: int, gap: int, *, window: int = COUNT_WINDOW,
                        stride: int = SPAN_STRIDE["D"], spans: int = YEAR_SPANS,
                        season: bool = False) -> float | None:
    """Variance-to-mean ratio of a count's window sums around the recent mean's forecast of
    them, measured on the series' own history: for the latest ``spans`` spans of ``length``
    days (``stride`` days apart), the forecast is ``length`` times the mean of the ``window``
    days that end ``gap`` days before the span (as the window is forecast now), and the ratio is
    ``sum (actual - forecast)^2 / sum forecast``. It holds the counts' own lumpiness and what a
    recent mean misses of a slow mover's gaps and drifts, which the negative binomial of a
    stable rate does not. ``season``: only the spans that start within ``SEASON_DAYS`` of the
    window's start a whole year or more before it (its time of year: a winter coat's summer
    window against its summers, not its winters, which a recent mean misses by x30). None with
    fewer than ``MIN_SPANS`` spans or no forecast units.
    ``history``: shape (n,), units per day; ``length``, ``gap``, ``window``, ``stride``: days."""
    y = np.asarray(history, float)
    c = np.r_[0.0, np.cumsum(y)]
    starts = np.arange(len(y) - length, gap + window - 1, -stride)
    if season:
        before = len(y) + gap - starts  # days from each span's start to the window's
        apart = np.abs((before + SAME_WEEKDAY_DAYS // 2) % SAME_WEEKDAY_DAYS - SAME_WEEKDAY_DAYS // 2)
        starts = starts[(apart <= SEASON_DAYS) & (before >= SAME_WEEKDAY_DAYS - SEASON_DAYS)]
    starts = starts[:spans]
    if len(starts) < MIN_SPANS:
        return None
    origin = starts - gap
    forecast = length * (c[origin] - c[origin - window]) / window
    actual = c[starts + length] - c[starts]
    if forecast.sum() <= 0:
        return None
    return float(np.sum((actual - forecast) ** 2) / forecast.sum())


def _without_shared(day_quantiles: dict, day_spread, shape: tuple) -> dict[float, np.ndarray]:
    """The periods' quantiles (``{q: array}``, units) without the shared error of standard
    deviation ``day_spread`` (log, shape ``shape``, or None: as they are) they were widened by:
    their log1p offsets from the median (the midpoint of the outer quantiles without one)
    narrowed by it (``conformal.narrowed_offsets``). Raises ``ModelError`` for a spread of
    another shape, negative or not finite."""
    quantiles = {q: np.asarray(v, float) for q, v in day_quantiles.items()}
    if day_spread is None:
        return quantiles
    day_spread = np.asarray(day_spread, float)
    if day_spread.shape != shape or not (np.isfinite(day_spread) & (day_spread >= 0)).all():
        raise ModelError(f"window band: the days' shared spread must be finite, >= 0 and one per period, not "
                         f"{day_spread.shape} values for {shape} periods")
    logs = {q: np.log1p(np.maximum(v, 0.0)) for q, v in quantiles.items()}
    centre = logs[0.5] if 0.5 in logs else (logs[min(logs)] + logs[max(logs)]) / 2
    narrow = narrowed_offsets({q: v - centre for q, v in logs.items()}, day_spread)
    return {q: np.expm1(centre + d) for q, d in narrow.items()}


def _independent_days(point: np.ndarray, day_quantiles: dict, quantiles) -> dict[float, float]:
    """The window total's quantiles with its days independent: each day's standard deviation
    from its outermost quantiles as a normal's (``(q_hi - q_lo) / (z_hi - z_lo)``), the
    variances summed, and the log-normal with the total's mean and that variance (its median
    is below the mean, as a sum of skewed days' is)."""
    if not has_band(day_quantiles):
        raise ModelError(f"window band: the days' quantiles {sorted(day_quantiles)} hold no band around the median")
    lo, hi = min(day_quantiles), max(day_quantiles)
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


__all__ = ["MIN_REFITS", "MIN_SPANS", "RULES", "SOURCES", "SPAN_STRIDE", "capped_window_band", "refit_band",
           "refused_band_note", "span_errors", "span_sums", "sum_errors", "summed_band", "window_band",
           "with_level_spread"]
