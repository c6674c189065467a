"""Forecast accuracy metrics on arrays (pure functions; inputs are aligned 1-D arrays)."""

from __future__ import annotations

import numpy as np


MAD_TO_SD = 1.4826  # 1 / Phi^-1(3/4): the median absolute deviation of normal data times this is their sd


def robust_sd(values) -> float:
    """The robust standard deviation of ``values`` (any shape, flattened): ``MAD_TO_SD`` times
    their median absolute deviation from their median, the normal-consistent MAD (Hampel, *J.
    Amer. Statist. Assoc.* 69, 1974; Rousseeuw & Croux, *J. Amer. Statist. Assoc.* 88, 1993), in
    the units of ``values``; a few outliers barely move it. NaN for no values."""
    x = np.asarray(values, dtype=float)
    if not x.size:
        return float("nan")
    return float(MAD_TO_SD * np.median(np.abs(x - np.median(x))))


def wape(y, yhat) -> float:
    """Weighted absolute percentage error: sum|y - yhat| / sum|y| (a share, 0.1 = 10%)."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    denom = np.abs(y).sum()
    return float(np.abs(y - yhat).sum() / denom) if denom > 0 else float("nan")


def bias(y, yhat) -> float:
    """Signed total error relative to the actual total: sum(yhat - y) / sum(y); > 0 over-forecasts."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    denom = y.sum()
    return float((yhat - y).sum() / denom) if denom > 0 else float("nan")


def event_total_error(y, yhat) -> float:
    """Relative error of the event-window total: |sum yhat - sum y| / sum y."""
    return abs(bias(y, yhat))


def mase(y, yhat, y_train, season: int = 7) -> float:
    """Mean absolute scaled error against the in-sample seasonal naive (season in periods)."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    scale = seasonal_naive_mae(y_train, season)
    return float(np.mean(np.abs(y - yhat)) / scale) if not np.isnan(scale) else float("nan")


def coverage(y, lower, upper) -> float:
    """Share of actuals inside [lower, upper]."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))))


def pinball(y, yq, q: float) -> float:
    """Mean pinball (quantile) loss of the forecast quantile ``yq`` at level ``q``."""
    diff = np.asarray(y, float) - np.asarray(yq, float)
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))


def seasonal_naive_mae(y_train, season: int = 7) -> float:
    """In-sample MAE of the seasonal naive forecast ``y[t] = y[t - season]`` (units of ``y``);
    NaN when the history is not longer than one season or the MAE is zero. The scale of MASE
    and of the scaled pinball loss (Hyndman & Koehler 2006)."""
    y_train = np.asarray(y_train, float)
    if len(y_train) <= season:
        return float("nan")
    scale = float(np.mean(np.abs(y_train[season:] - y_train[:-season])))
    return scale if scale > 0 else float("nan")


def scaled_pinball(y, quantile_forecasts: dict, y_train, season: int = 7) -> float:
    """Mean pinball loss over the quantile levels, divided by the in-sample seasonal-naive MAE.

    ``quantile_forecasts``: ``{q: array}`` aligned with ``y`` (e.g. P10, P50, P90). Unit-free,
    so series of any size average fairly (as MASE does for the point forecast; the M5
    uncertainty competition's SPL, Makridakis et al. 2022). Lower is better; NaN when the scale
    is undefined (see ``seasonal_naive_mae``).
    """
    scale = seasonal_naive_mae(y_train, season)
    if not quantile_forecasts or np.isnan(scale):
        return float("nan")
    return float(np.mean([pinball(y, yq, q) for q, yq in quantile_forecasts.items()]) / scale)
