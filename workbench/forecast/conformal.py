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

# Horizon bands per frequency (in periods): the errors of a band calibrate its steps.
HORIZON_BANDS = {
    "D": (14, 30, 60, 90, 120, 180, 270, 365),
    "W": (2, 4, 8, 13, 26, 52),
    "MS": (1, 2, 3, 6, 12),
    "QS": (1, 2, 4),
}
MIN_BAND_ERRORS = 28  # fewest errors a band's quantiles are taken from (else shorter horizons join)


def conformal_offsets(horizons, errors, horizon: int, quantiles, *, bands=HORIZON_BANDS["D"],
                      min_errors: int = MIN_BAND_ERRORS) -> dict[float, np.ndarray]:
    """Per-step quantile offsets (log scale) from out-of-sample errors measured at ``horizons``.

    Parameters
    ----------
    horizons : shape (m,), whole periods >= 1 after the origin at which each error was measured.
    errors : shape (m,), the errors ``log1p(actual) - log1p(forecast)`` (unit-free).
    horizon : steps to calibrate (1..horizon periods ahead).
    quantiles : levels in (0, 1).
    bands : increasing upper edges (periods) of the horizon bands; steps in a band take the
        errors measured in it. A band with fewer than ``min_errors`` errors takes every error
        up to its upper edge (or all of them). Beyond the longest horizon measured, the spread
        around the median grows with the square root of the horizon over the mean horizon of
        the errors used (a random walk's spread).
    min_errors : see ``bands``.

    Returns
    -------
    ``{q: array (horizon,)}`` of log offsets, non-decreasing in ``q`` at every step. Each
    quantile is the empirical quantile at level ``0.5 + (q - 0.5) (n + 1) / n`` of the band's
    ``n`` errors (clipped to [0, 1]): the finite-sample correction of split conformal
    prediction, which widens the band slightly when few errors are at hand.

    Raises
    ------
    ModelError when there are no errors, or ``horizons`` and ``errors`` differ in length or
    hold non-finite values.
    """
    horizons, errors = np.asarray(horizons, float), np.asarray(errors, float)
    if horizons.shape != errors.shape or horizons.ndim != 1:
        raise ModelError(f"conformal offsets: {horizons.shape} horizons but {errors.shape} errors")
    if not len(errors):
        raise ModelError("conformal offsets: no errors to calibrate on")
    if not (np.isfinite(errors).all() and np.isfinite(horizons).all()):
        raise ModelError("conformal offsets: errors and horizons must be finite")
    quantiles = list(quantiles)
    h = np.arange(1, horizon + 1)
    edges = np.array([0, *bands, np.inf])
    band_of = np.searchsorted(edges, h, side="left") - 1
    out = {q: np.empty(horizon) for q in quantiles}
    for b in np.unique(band_of):
        lo, hi = edges[b], edges[b + 1]
        sel = (horizons > lo) & (horizons <= hi)
        if sel.sum() < min_errors:
            sel = horizons <= hi
        if sel.sum() < min_errors:
            sel = np.ones(len(horizons), bool)
        steps = band_of == b
        chosen = errors[sel]
        n = len(chosen)
        levels = np.clip(0.5 + (np.asarray(quantiles) - 0.5) * (n + 1) / n, 0.0, 1.0)
        values = np.quantile(chosen, levels)
        mid = np.quantile(chosen, 0.5)
        stretch = np.sqrt(np.maximum(h[steps] / horizons[sel].mean(), 1.0))
        for q, v in zip(quantiles, values):
            out[q][steps] = mid + (v - mid) * stretch
    return out


def apply_offsets(point, offsets: dict[float, np.ndarray]) -> dict[float, np.ndarray]:
    """Quantiles ``max(0, expm1(log1p(point) + offset))`` of non-negative demand.

    ``point``: shape (horizon,), the point forecast in the data's units (>= 0); ``offsets``: from
    ``conformal_offsets``. Returns ``{q: array (horizon,)}`` in the data's units."""
    z = np.log1p(np.maximum(np.asarray(point, float), 0.0))
    return {q: np.maximum(np.expm1(z + off), 0.0) for q, off in offsets.items()}


def rolling_origin_errors(make_model: Callable, y, ds, *, horizon: int, n_windows: int = 2,
                          step: int | None = None, freq: str = "D", calendar=None,
                          min_history: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-sample log errors of a model refitted at rolling origins (cross-validation windows).

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

    Returns
    -------
    ``(horizons, errors)``, each shape (m,): the step (1..horizon) of every error and the error
    ``log1p(actual) - log1p(forecast)`` (m = 0 when no window could be fitted).
    """
    y = np.asarray(y, float)
    ds = pd.DatetimeIndex(ds)
    step = step or horizon
    hs, es = [], []
    for k in range(n_windows):
        origin = len(y) - horizon - k * step
        if origin < max(1, min_history):
            break
        ahead = min(horizon, len(y) - origin)
        try:
            pred = make_model().fit(y[:origin], ds[:origin], freq=freq, calendar=calendar).predict(ahead, (0.5,))
        except ModelError:
            continue
        hs.append(np.arange(1, ahead + 1))
        es.append(np.log1p(y[origin:origin + ahead]) - np.log1p(np.maximum(pred.mean, 0.0)))
    if not hs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(hs).astype(float), np.concatenate(es)


__all__ = ["HORIZON_BANDS", "MIN_BAND_ERRORS", "apply_offsets", "conformal_offsets", "rolling_origin_errors"]
