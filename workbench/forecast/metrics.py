"""Forecast accuracy metrics on arrays (pure functions; inputs are aligned 1-D arrays)."""

from __future__ import annotations

import numpy as np


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
    y, yhat, y_train = (np.asarray(a, float) for a in (y, yhat, y_train))
    if len(y_train) <= season:
        return float("nan")
    scale = np.mean(np.abs(y_train[season:] - y_train[:-season]))
    return float(np.mean(np.abs(y - yhat)) / scale) if scale > 0 else float("nan")


def coverage(y, lower, upper) -> float:
    """Share of actuals inside [lower, upper]."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))))


def pinball(y, yq, q: float) -> float:
    """Mean pinball (quantile) loss of the forecast quantile ``yq`` at level ``q``."""
    diff = np.asarray(y, float) - np.asarray(yq, float)
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))
