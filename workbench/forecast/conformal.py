"""Conformal calibration of forecast quantiles by horizon (pure functions on arrays).

A model's quantiles are calibrated on its own out-of-sample errors: refit at rolling origins
before the end of the history, forecast on, and keep the errors ``log1p(actual) -
log1p(forecast)`` with their horizon (periods after the origin). ``conformal_offsets`` turns
those errors into per-step quantile offsets; a quantile of the forecast is then
``expm1(log1p(point) + offset)`` (``apply_offsets``), censored at zero.

This is split conformal prediction (Vovk, Gammerman & Shafer, *Algorithmic Learning in a Random
World*, 2005; Lei, G'Sell, Rinaldo, Tibshirani & Wasserman, "Distribution-free predictive
inference for regression", JASA 113, 2018) applied per horizon to multi-step forecasts
(Stankeviciute, Alaa & van der Schaar, "Conformal time-series forecasting", NeurIPS 2021), on
signed errors so that a skewed error gives an asymmetric band (as conformalised quantile
regression does: Romano, Patterson & Candes, NeurIPS 2019). StatsForecast's
``ConformalIntervals(h, n_windows)`` does the same on absolute errors of its cross-validation
windows.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from workbench.errors import ModelError
from workbench.forecast.metrics import robust_sd

# Horizon bands per frequency (in periods): the errors of a band calibrate its steps.
HORIZON_BANDS = {
    "D": (14, 30, 60, 90, 120, 180, 270, 365),
    "W": (2, 4, 8, 13, 26, 52),
    "MS": (1, 2, 3, 6, 12),
    "QS": (1, 2, 4),
}
MIN_BAND_ERRORS = 28  # fewest errors a band's quantiles are taken from (else shorter horizons join)
# weight, in refits, of the other horizon bands' pooled level variance in a band's own
# (``shrunk_variance``): a band measured by two refits gets half its spread from the pool, one by
# eight a fifth (parcel backtests, docs/benchmarks.md: 2 and 4 both lowered the scaled pinball)
LEVEL_PRIOR_REFITS = 2.0
# the units a change of sales (a ratio of two sums) is read on: two Poisson counts that sum to n give a log
# ratio of sd about 2 / sqrt(n), 0.2 at 100; an off season's few units are noise (review 11.2 F6)
MIN_CHANGE_UNITS = 100
# quantile levels at which a band's level errors and the pooled day noise are convolved
CONVOLUTION_GRID = (np.arange(50) + 0.5) / 50


def conformal_offsets(horizons, errors, horizon: int, quantiles, *, spread=None, future_spread=None,
                      centred: bool = True, bands=HORIZON_BANDS["D"],
                      min_errors: int = MIN_BAND_ERRORS, noise: float | None = None, day=None, groups=None,
                      symmetric: bool = False, paths=None, level_prior: float = LEVEL_PRIOR_REFITS
                      ) -> dict[float, np.ndarray]:
    """Per-step quantile offsets (log scale) from out-of-sample errors measured at ``horizons``.

    Parameters
    ----------
    horizons : shape (m,), whole periods >= 1 after the origin at which each error was measured.
    errors : shape (m,), the errors ``log1p(actual) - log1p(forecast)`` (unit-free).
    horizon : steps to calibrate (1..horizon periods ahead).
    quantiles : levels in (0, 1).
    spread, future_spread : shape (m,) and (horizon,), positive relative spreads of each error
        and of each step to calibrate (default 1): the conformity score of an error is its
        deviation from its band's median divided by its ``spread``, and a step's offsets are
        the band's median plus the score quantiles times its ``future_spread`` (normalised
        scores; see ``scale_slope``). Beyond the errors' mean horizon (``bands``) the growth of
        the spread is not multiplied by ``future_spread``: a step's variance is the band's
        times ``future_spread^2 + g (h / hbar - 1)``, ``g`` the share that grows (below). An
        event's wider errors were measured at the refits' horizons; multiplying a level's
        random walk 200 days ahead as well had put a launched SKU's P90 on 618 at 7 times its
        median (docs/benchmarks.md).
    centred : True: the band is centred on the point forecast (offset 0 at the median, the
        errors' band median is left out); False: it keeps the errors' median, a correction of
        the point by past errors. Rolling-origin errors all end on the same last days of the
        history, so their median is one shared level error, not the next one: centring gave
        a lower scaled pinball loss on every horizon band of the parcel backtests
        (docs/benchmarks.md).
    bands : increasing upper edges (periods) of the horizon bands; steps in a band take the
        errors measured in it. A band with fewer than ``min_errors`` errors takes every error
        up to its upper edge (or all of them). Steps beyond the mean horizon ``hbar`` of the
        errors used (beyond the longest horizon measured, above all) stretch the spread around
        the median: its variance grows as ``noise + (V - noise) h / hbar``, ``V`` the variance
        of the band's scores (robust: (1.4826 x median absolute deviation)^2), i.e. the day
        noise stays and the rest grows as a random walk's (the h-step variance of a local
        level, ETS(A,N,N): ``sigma^2 (1 + (h - 1) alpha^2)``; Hyndman, Koehler, Ord & Snyder,
        *Forecasting with Exponential Smoothing*, 2008, table 6.1).
    min_errors : see ``bands``.
    noise : the variance (squared score units) of the part of the errors that does not grow
        with the horizon, e.g. each path's errors less their weekly mean; None: all of it grows
        (the spread as ``sqrt(h / hbar)``). With all of it growing, refits reaching 84 days
        ahead of 276 days of history had stretched their day noise to twice its size 150 days
        ahead (docs/benchmarks.md).
    day : shape (m,) or None, the part of each error that does not depend on the horizon
        (e.g. each path's errors less their centred weekly mean; the rest, ``errors - day``,
        is the path's level error). Given, a band's scores are its errors' level parts
        convolved with the day parts of all the errors (the two empirical distributions, each
        on the ``CONVOLUTION_GRID`` quantiles): a day's error is its path's level error at
        that horizon plus day noise, which every path's days measure, where a band's own days
        are those of one season (a band 90-120 days ahead of the parcel total's 618 2022
        cut-off was measured on the Spring Festival weeks of two refits; docs/benchmarks.md).

    groups : shape (m,) or None, the refit (or other cluster) each error comes from: errors of
        one refit share its level error, so the band's errors count as ``effective_count`` of
        them in the finite-sample correction (None: each error counts, independent).
    symmetric : True: the band is symmetric around the point forecast, from the errors and their
        mirror images (absolute errors, as StatsForecast's ``ConformalIntervals`` takes them); a
        mirrored pair counts once in the finite-sample correction (``n`` is that of the errors,
        not of twice as many scores: a mirror image is no new evidence). ``bands`` and
        ``min_errors`` count the errors, not their mirrors.
    paths, level_prior : with ``day``: ``paths`` shape (m,), the refit path each error comes
        from, and ``level_prior`` (in refits, >= 0) the weight of the pooled level variance of
        the other bands in a band's own (``shrunk_variance``): a band's level errors, scaled
        around their median, take the variance ``(level_prior V_pool + r V_band) / (level_prior
        + r)``, ``r`` the refits that measured the band. A band is one level error per refit,
        and a spread from two refits is itself a guess (at the parcel total's 618 2022 cut-off
        the band 91-120 days ahead rested on two refits 0.21 apart, the others on 3-4;
        docs/benchmarks.md). None (paths) or 0: each band keeps its own.

    Returns
    -------
    ``{q: array (horizon,)}`` of log offsets, non-decreasing in ``q`` at every step (0 at
    ``q = 0.5`` when ``centred``). Each
    quantile is the empirical quantile at level ``0.5 + (q - 0.5) (n + 1) / n`` of the band's
    ``n`` errors (clipped to [0, 1]; ``n`` their effective number with ``groups``): the
    finite-sample correction of split conformal prediction, which widens the band when few
    errors, or few independent ones, are at hand.

    Raises
    ------
    ModelError when there are no errors, or ``horizons`` and ``errors`` differ in length or
    hold non-finite values.
    """
    horizons, errors = np.asarray(horizons, float), np.asarray(errors, float)
    if horizons.shape != errors.shape or horizons.ndim != 1:
        raise ModelError(f"conformal offsets: {horizons.shape} horizons but {errors.shape} errors")
    spread = np.ones(len(errors)) if spread is None else np.asarray(spread, float)
    future_spread = np.ones(horizon) if future_spread is None else np.asarray(future_spread, float)
    if spread.shape != errors.shape or future_spread.shape != (horizon,):
        raise ModelError(f"conformal offsets: spreads of shape {spread.shape} and {future_spread.shape}; "
                         f"expected {errors.shape} and ({horizon},)")
    if not (spread > 0).all() or not (future_spread > 0).all():
        raise ModelError("conformal offsets: spreads must be positive")
    if noise is not None and not (np.isfinite(noise) and noise >= 0):
        raise ModelError(f"conformal offsets: the day noise's variance must be finite and >= 0, not {noise}")
    if day is not None:
        day = np.asarray(day, float)
        if day.shape != errors.shape or not np.isfinite(day).all():
            raise ModelError(f"conformal offsets: the day noise must be finite and one per error, not of "
                             f"shape {day.shape} for {errors.shape} errors")
    if groups is not None and np.shape(groups) != errors.shape:
        raise ModelError(f"conformal offsets: {np.shape(groups)} groups for {errors.shape} errors")
    if paths is not None and np.shape(paths) != errors.shape:
        raise ModelError(f"conformal offsets: {np.shape(paths)} paths for {errors.shape} errors")
    if not (np.isfinite(level_prior) and level_prior >= 0):
        raise ModelError(f"conformal offsets: the level prior's weight must be finite and >= 0, not {level_prior}")
    if not len(errors):
        raise ModelError("conformal offsets: no errors to calibrate on")
    if not (np.isfinite(errors).all() and np.isfinite(horizons).all()):
        raise ModelError("conformal offsets: errors and horizons must be finite")
    quantiles = list(quantiles)
    h = np.arange(1, horizon + 1)
    edges = np.array([0, *bands, np.inf])
    band_of = np.searchsorted(edges, h, side="left") - 1
    out = {q: np.empty(horizon) for q in quantiles}
    if day is not None:  # every path's day noise, in score units, on a grid of its quantiles
        pooled = np.quantile(day / spread, CONVOLUTION_GRID)
        shrink = paths is not None and level_prior > 0
        if shrink:
            level_all = band_centred_levels(horizons, (errors - day) / spread, bands)
    for b in np.unique(band_of):
        lo, hi = edges[b], edges[b + 1]
        sel = (horizons > lo) & (horizons <= hi)
        if sel.sum() < min_errors:
            sel = horizons <= hi
        if sel.sum() < min_errors:
            sel = np.ones(len(horizons), bool)
        steps = band_of == b
        mid = 0.0 if symmetric else np.median(errors[sel])
        scores = (errors[sel] - mid) / spread[sel]
        n = len(scores) if groups is None else effective_count(scores, np.asarray(groups)[sel])
        days = None if day is None else day[sel] / spread[sel]
        if symmetric:  # each error and its mirror image, counted once (n above)
            scores = np.r_[scores, -scores]
            days = None if days is None else np.r_[days, -days]
        if day is not None:  # the band's level errors plus any path's day noise
            level = scores - days
            own, others = robust_sd(level) ** 2, ~sel
            if shrink and own > 0 and others.sum() >= min_errors:
                variance = shrunk_variance(own, len(np.unique(np.asarray(paths)[sel])),
                                           robust_sd(level_all[others]) ** 2, level_prior)
                centre = np.median(level)
                level = centre + (level - centre) * np.sqrt(variance / own)
            level = np.quantile(level, CONVOLUTION_GRID)
            scores = (level[:, None] + pooled[None, :]).ravel()
        levels = np.clip(0.5 + (np.asarray(quantiles) - 0.5) * (n + 1) / n, 0.0, 1.0)
        values = np.quantile(scores, levels)
        if centred:
            values, mid = values - np.median(scores), 0.0
        ratio = np.maximum(h[steps] / horizons[sel].mean(), 1.0)
        grows = 1.0
        if noise is not None:  # only the part above the day noise grows
            total = robust_sd(scores) ** 2
            grows = 1 - min(noise / total, 1.0) if total > 0 else 0.0
        # an event step widens the spread as measured, not its growth beyond the errors' horizon
        stretch = np.sqrt(future_spread[steps] ** 2 + grows * (ratio - 1))
        for q, v in zip(quantiles, values):
            out[q][steps] = mid + v * stretch
    return out


def band_centred_levels(horizons, levels, bands=HORIZON_BANDS["D"]) -> np.ndarray:
    """Each error's level part (``levels``, shape (m,): an error less its day noise, in score
    units) around the median of its own horizon band (``bands``: upper edges in periods, of
    ``horizons``, shape (m,)): the draws whose spread is pooled over bands in ``shrunk_variance``
    (a band's own centre is its bias, not spread). Returns shape (m,)."""
    horizons, out = np.asarray(horizons, float), np.array(levels, float)
    own_band = np.searchsorted(np.array([0, *bands, np.inf]), horizons, side="left") - 1
    for b in np.unique(own_band):
        at = own_band == b
        out[at] -= np.median(out[at])
    return out


def shrunk_variance(variance: float, count: float, pooled: float, prior: float = LEVEL_PRIOR_REFITS) -> float:
    """A variance measured on ``count`` draws (e.g. one level error per refit) shrunk toward a
    ``pooled`` variance worth ``prior`` draws: ``(prior pooled + count variance) / (prior + count)``,
    the scale of the posterior of a normal variance under a scaled-inverse-chi-square prior
    (``prior`` degrees of freedom around ``pooled``; Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
    2013, section 3.3), as limma moderates each gene's variance toward the pooled one (Smyth,
    "Linear models and empirical Bayes methods for assessing differential expression in
    microarray experiments", SAGMB 3, 2004). Units: those of the variances (log^2 here). A
    variance of many draws keeps itself; of none, the pooled one."""
    return float((prior * pooled + count * variance) / (prior + count)) if prior + count > 0 else float(variance)


def wiener_factor(estimate, variance):
    """The empirical Wiener factor ``b^2 / (b^2 + v)`` of a noisy ``estimate`` ``b`` with
    sampling ``variance`` ``v`` (``b`` in any unit, ``v`` in it squared; scalars or arrays of one
    shape): a Wiener filter whose signal power is estimated by the estimate's own square (the
    empirical Wiener rule of wavelet denoising: S. Ghael, A. Sayeed & R. Baraniuk, "Improved
    wavelet denoising via empirical Wiener filtering", Proc. SPIE 3169, 1997; for seasonal
    factors, D. Miller & D. Williams, IJF 19, 2003). An estimate several noise sd from 0 keeps
    nearly all of itself, one within its noise little. The one home of the rule: event profiles'
    day deviations, one-season indices, sale lifts and launch-curve factors use it. Returns a
    float for scalar input, else an array of the inputs' shape; 0 where ``b^2 + v`` is 0."""
    b2 = np.square(np.asarray(estimate, float))
    total = b2 + np.asarray(variance, float)
    factor = np.divide(b2, total, out=np.zeros(np.shape(total)), where=total > 0)
    return float(factor) if factor.ndim == 0 else factor


MIN_MEDIAN_CHANGES = 8  # fewest span-to-span changes (from positions a span apart) that measure their variance


def median_variance(values, width: int) -> float | None:
    """The sampling variance of the median of ``width`` consecutive values of a series, measured
    on the series itself: over every span of ``2 width`` consecutive values, the medians of its
    alternate values (the odd and the even ones: the same days, so the same level and season, and
    each weekday in both halves over a fortnight) differ by their noise alone, and half their mean
    square difference is one such median's variance (a split-sample, or interpenetrating-sample,
    variance: P. C. Mahalanobis, "Recent experiments in statistical sampling in the Indian
    Statistical Institute", JRSS 109, 1946). Unlike one read off the values' spread (a MAD's
    ``pi / 2`` sigma^2 / n), it holds what the median of whole counts does, a step of a whole unit
    now and then (a flat 3-5 a day series' 21-day median steps between 3, 4 and 5). ``values``:
    shape (n,), any unit (log1p units here); returns the variance in it squared, or None with fewer
    than ``MIN_MEDIAN_CHANGES`` spans from positions a span apart."""
    values = np.asarray(values, float)
    span = 2 * int(width)
    if width < 1 or len(values) < span or (len(values) - span) // span + 1 < MIN_MEDIAN_CHANGES:
        return None
    windows = np.lib.stride_tricks.sliding_window_view(values, span)
    return float(np.mean((np.median(windows[:, ::2], axis=1) - np.median(windows[:, 1::2], axis=1)) ** 2) / 2)


def span_change(values, before: int, after: int) -> float | None:
    """The mean square of a series' own span-to-span change: over every position of ``values``
    (shape (n,), any unit; log1p units here), the difference between the median of the ``after``
    values from it and the median of the ``before`` values up to it. It holds both medians' noise
    (``median_variance``) and the series' own change over such a gap (a drift, a season): less the
    noise, the prior variance of a change measured on two such spans elsewhere (a year before a
    stock-out), shrunk toward none by empirical Bayes (the normal-normal model's method of moments:
    B. Efron & C. Morris, "Data analysis using Stein's estimator and its generalizations", JASA 70,
    1975). Returns the mean square in the unit squared, or None with fewer than
    ``MIN_MEDIAN_CHANGES`` changes from positions a whole span (``before + after``) apart."""
    values = np.asarray(values, float)
    if before < 1 or after < 1 or len(values) < before + after or \
            (len(values) - before - after) // (before + after) + 1 < MIN_MEDIAN_CHANGES:
        return None
    windows = np.lib.stride_tricks.sliding_window_view
    left = np.median(windows(values[:len(values) - after], before), axis=1)
    right = np.median(windows(values[before:], after), axis=1)
    return float(np.mean((right - left) ** 2))


def effective_count(errors, groups) -> float:
    """How many independent errors ``errors`` (shape (m,)) are worth when those of one group
    (``groups``, shape (m,): e.g. the refit each came from, whose errors share its level error)
    are correlated: ``m / (1 + (mbar - 1) rho)``, Kish's design effect of a cluster sample
    (Kish, *Survey Sampling*, 1965, section 5.4), with ``mbar = sum(m_g^2) / m`` and ``rho`` the
    intra-class correlation from a one-way analysis of variance (clipped to [0, 1]). ``m`` when
    every group holds one error; the number of groups when errors within each are equal."""
    errors = np.asarray(errors, float)
    _, index, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    m, k = len(errors), len(sizes)
    if k < 2 or k == m:
        return float(k)
    means = np.bincount(index, weights=errors) / sizes
    between = float(np.sum(sizes * (means - errors.mean()) ** 2)) / (k - 1)
    within = float(np.sum((errors - means[index]) ** 2)) / (m - k)
    m0 = (m - np.sum(sizes ** 2) / m) / (k - 1)
    denominator = between + (m0 - 1) * within
    rho = 1.0 if denominator <= 0 else min(max((between - within) / denominator, 0.0), 1.0)
    return float(m / (1 + (np.sum(sizes ** 2) / m - 1) * rho))


MAX_SCALE_SLOPE = 3.0  # largest k of a score scale 1 + k x (a wider band is not evidence, it is noise)
MIN_SCALE_ERRORS = 28  # errors with x > 0.1 needed to estimate k


def scale_slope(horizons, errors, x, *, bands=HORIZON_BANDS["D"]) -> float | None:
    """How much wider the errors are where a non-negative covariate ``x`` is large: ``k`` such
    that the spread of ``errors`` is ``c(band) * (1 + k x)``.

    Normalised conformity scores (Papadopoulos, Gammerman & Vovk 2008; Lei et al. 2018, §5.2,
    "locally weighted" conformal): calibrating the deviations divided by ``1 + k x`` and
    multiplying the offsets back by ``1 + k x`` of each future step (``conformal_offsets``'s
    ``spread`` and ``future_spread``) keeps the coverage guarantee for any fixed ``k``, and
    with a ``k`` that fits the errors gives narrower bands where ``x`` is small and wider ones
    where it is large. ``k`` is fitted by alternating least squares on the absolute deviations
    from each horizon band's median (``bands`` as in ``conformal_offsets``): ``c`` per band,
    then ``k``; it is clipped to ``[0, MAX_SCALE_SLOPE]``.

    Parameters
    ----------
    horizons, errors, x : shape (m,) each: horizon (periods), error (log scale), covariate
        (e.g. the absolute log event uplift the refit forecast on that day).

    Returns
    -------
    ``k`` (unit: per unit of ``x``), or None when fewer than ``MIN_SCALE_ERRORS`` errors have
    ``x > 0.1`` (no evidence either way: the caller decides, e.g. from a pooled series).
    """
    horizons, errors, x = (np.asarray(a, float) for a in (horizons, errors, x))
    if (x > 0.1).sum() < MIN_SCALE_ERRORS:
        return None
    band = np.searchsorted(np.array([0, *bands, np.inf]), horizons, side="left") - 1
    dev = np.empty(len(errors))
    for b in np.unique(band):
        sel = band == b
        dev[sel] = np.abs(errors[sel] - np.median(errors[sel]))
    count = np.bincount(band).astype(float)
    used = count > 0
    k = 0.0
    for _ in range(5):  # alternate: c per band given k, then k given c
        c = np.bincount(band, weights=dev / (1 + k * x))[band] / count[band]
        if not (c > 0).all() or not used.any():
            return 0.0
        k = float(np.sum(x * (dev / c - 1)) / np.sum(x ** 2))
        k = min(max(k, 0.0), MAX_SCALE_SLOPE)
    return k


DAY_WINDOW = 7  # days: a path's errors less their centred mean over this many days are its day noise


def day_parts(errors, window: int = DAY_WINDOW, one_off=None) -> np.ndarray:
    """The day-to-day part of one path's consecutive errors (shape (m,), log scale): each error
    less the centred ``window``-period mean of the path's errors (fewer at its ends). The mean is
    the path's level error, which grows with the horizon; the rest is day noise, which does not
    (``conformal_offsets``' ``day``).

    ``one_off``: shape (m,) boolean or None, the path's one-off days (a live-stream shop's x2-x5
    days on no calendar): the mean is taken over the other days (all of them where a window
    holds only one-off days), so a one-off day's share of its week stays in the day parts and
    is no level error; the one-off days keep their whole day part."""
    errors = np.asarray(errors, float)
    roll = dict(window=window, center=True, min_periods=1)
    level = pd.Series(errors).rolling(**roll).mean().to_numpy()
    if one_off is not None and np.any(one_off):
        usual = ~np.asarray(one_off, bool)
        total = pd.Series(np.where(usual, errors, 0.0)).rolling(**roll).sum().to_numpy()
        count = pd.Series(usual.astype(float)).rolling(**roll).sum().to_numpy()
        level = np.where(count > 0, total / np.maximum(count, 1), level)
    return errors - level


def day_noise(day, window: int = DAY_WINDOW) -> float | None:
    """The variance of the day noise (log^2) from day parts (``day_parts``, pooled over paths):
    their robust variance ((1.4826 x median absolute deviation)^2) times ``window / (window - 1)``,
    since an error less a centred mean of ``window`` errors keeps ``1 - 1 / window`` of its
    variance; None when there is no day part (nothing is known not to grow)."""
    day = np.asarray(day, float)
    if not day.size:
        return None
    return float(robust_sd(day) ** 2 * window / (window - 1))


def apply_offsets(point, offsets: dict[float, np.ndarray]) -> dict[float, np.ndarray]:
    """Quantiles ``max(0, expm1(log1p(point) + offset))`` of non-negative demand.

    ``point``: shape (horizon,), the point forecast in the data's units (>= 0); ``offsets``: from
    ``conformal_offsets``. Returns ``{q: array (horizon,)}`` in the data's units."""
    z = np.log1p(np.maximum(np.asarray(point, float), 0.0))
    return {q: np.maximum(np.expm1(z + off), 0.0) for q, off in offsets.items()}


def widened_offsets(offsets: dict[float, np.ndarray], spread) -> dict[float, np.ndarray]:
    """Log quantile offsets ``{q: array}`` around a log forecast (or a log total), widened by an
    independent error of standard deviation ``spread`` (log; a scalar or an array of the
    offsets' shape) that they do not hold: each offset ``d`` becomes ``sign(z_q) sqrt(d^2 +
    (z_q spread)^2)`` (``z_q`` the normal quantile; the two errors each near normal in logs, so
    their spreads add in quadrature); the median's offset is kept, and so is any offset where
    ``spread`` is 0. The one home of the rule: a launch's growth past its evidence and an uplift
    borrowed for an event never seen widen window totals and days by it."""
    from scipy.stats import norm

    out = {}
    for q, d in offsets.items():
        d = np.asarray(d, float)
        z = norm.ppf(q) * np.asarray(spread, float)
        out[q] = d if q == 0.5 else np.where(z != 0, np.sign(z) * np.sqrt(d ** 2 + z ** 2), d)
    return out


def narrowed_offsets(offsets: dict[float, np.ndarray], spread) -> dict[float, np.ndarray]:
    """The inverse of ``widened_offsets``: log quantile offsets ``{q: array}`` that hold an
    independent error of standard deviation ``spread`` (log; a scalar or an array of the offsets'
    shape) without it, each offset ``d`` becoming ``sign(d) sqrt(max(d^2 - (z_q spread)^2, 0))``
    (``z_q`` the normal quantile); the median's offset is kept, and so is any offset where
    ``spread`` is 0. A window total's band that sums its days as independent takes a level error
    all its days share out of each day, to add it once to the total (``window_band``)."""
    from scipy.stats import norm

    out = {}
    for q, d in offsets.items():
        d = np.asarray(d, float)
        z = norm.ppf(q) * np.asarray(spread, float)
        out[q] = d if q == 0.5 else np.where(z != 0, np.sign(d) * np.sqrt(np.maximum(d ** 2 - z ** 2, 0.0)), d)
    return out


def rolling_origin_paths(make_model: Callable, y, ds, *, horizon: int, n_windows: int = 2,
                         step: int | None = None, freq: str = "D", calendar=None,
                         min_history: int = 1, to_end: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
    """A model refitted at rolling origins (cross-validation windows): per window, the actuals
    and the refit's point forecast of the periods after its origin.

    Window ``k`` (0 .. ``n_windows`` - 1) fits a new ``make_model()`` on ``y[:o]`` with
    ``o = len(y) - horizon - k * step`` and forecasts the next ``min(horizon, len(y) - o)``
    periods; as StatsForecast's ``ConformalIntervals(h=horizon, n_windows)``, with
    ``step = horizon`` by default. Windows whose training part is shorter than ``min_history``
    periods are skipped, as are windows whose fit or prediction raises ``ModelError``.

    Parameters
    ----------
    make_model : a callable returning a new, unfitted ``Forecaster``.
    y : shape (n,), the history (units per period, >= 0); ``ds``: its n dates.
    horizon, n_windows, step : periods ahead, number of windows, periods between origins.
    freq, calendar : passed to ``fit``.
    to_end : True: each window forecasts every period from its origin to the end of ``y``
        (``len(y) - o``, more than ``horizon`` for ``k >= 1``), so that a path's length says
        its origin and paths of series that end on one date share their origins by it (what
        ``window_band.summed_band`` sums a level's refits by); its first ``horizon`` periods
        are the window's as without it.

    Returns
    -------
    ``[(actual, forecast), ...]``, one per window fitted, each shape (m,) with m <= horizon
    (``to_end``: m = ``len(y) - o``; units per period; the forecast is the refit's mean, at
    least 0); empty when none could be.
    """
    y = np.asarray(y, float)
    ds = pd.DatetimeIndex(ds)
    step = step or horizon
    paths = []
    for k in range(n_windows):
        origin = len(y) - horizon - k * step
        if origin < max(1, min_history):
            break
        ahead = len(y) - origin if to_end else min(horizon, len(y) - origin)
        try:
            pred = make_model().fit(y[:origin], ds[:origin], freq=freq, calendar=calendar).predict(ahead, (0.5,))
        except ModelError:
            continue
        paths.append((y[origin:origin + ahead], np.maximum(np.asarray(pred.mean, float), 0.0)))
    return paths


def path_errors(paths) -> tuple[np.ndarray, np.ndarray]:
    """``(horizons, errors)`` of rolling-origin paths (``rolling_origin_paths``), each shape
    (m,): the step (1 = the first period after the origin) of every period and its error
    ``log1p(actual) - log1p(forecast)``; empty arrays without paths."""
    if not paths:
        return np.zeros(0), np.zeros(0)
    return (np.concatenate([np.arange(1, len(a) + 1) for a, _ in paths]).astype(float),
            np.concatenate([np.log1p(a) - np.log1p(f) for a, f in paths]))


def rolling_origin_errors(make_model: Callable, y, ds, *, horizon: int, n_windows: int = 2,
                          step: int | None = None, freq: str = "D", calendar=None,
                          min_history: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-sample log errors of a model refitted at rolling origins: ``path_errors`` of
    ``rolling_origin_paths`` (same parameters). Returns ``(horizons, errors)``, each shape (m,):
    the step (1..horizon) of every error and the error ``log1p(actual) - log1p(forecast)``
    (m = 0 when no window could be fitted)."""
    return path_errors(rolling_origin_paths(make_model, y, ds, horizon=horizon, n_windows=n_windows, step=step,
                                            freq=freq, calendar=calendar, min_history=min_history))


__all__ = ["CONVOLUTION_GRID", "DAY_WINDOW", "HORIZON_BANDS", "LEVEL_PRIOR_REFITS", "MIN_BAND_ERRORS", "apply_offsets",
           "band_centred_levels",
           "conformal_offsets", "day_noise", "day_parts", "effective_count", "path_errors", "rolling_origin_errors",
           "rolling_origin_paths", "scale_slope", "shrunk_variance", "wiener_factor"]
