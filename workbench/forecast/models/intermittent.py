"""Intermittent demand: the TSB method and the Syntetos-Boylan test that sends series to it.

A series with many empty periods (a slow-moving SKU selling 0, 1 or 2 a week) is badly served by
a model of log demand: ``log1p`` of mostly zeros has a mean far below the log of the mean, so
the forecast is biased low (a new user's weekly SKU at 0.5 a week was forecast at 0.11), and a
band of log errors collapses onto zero. What a planner needs there is the mean rate per period
(what stock must cover on average) and the spread of a count.

``TSB`` (Teunter, Syntetos & Babai, "Intermittent demand: linking forecasting to inventory
obsolescence", EJOR 214, 2011) smooths two things: the probability ``p`` that a period has
demand, updated every period, and the size ``z`` of a demand when there is one, updated in
periods with demand. The forecast of every future period is ``p * z``, an unbiased estimate of
the mean demand per period (Croston's method, which smooths the interval instead, is biased
high; SBA corrects it approximately: Syntetos & Boylan, IJF 21, 2005). Unlike Croston's, the
rate decays through a run of empty periods, so a line that fades is followed. The smoothing
constants are chosen per series from ``ALPHAS`` by how well each in-sample forecast matches the
mean demand of the ``RATE_PERIODS`` periods after it: one-step squared errors of a series of
zeros and ones pick large constants that chase the last few periods (a weekly SKU at 0.5 a week
was forecast at 0.13 after three empty weeks), and a rate is what the forecast claims
(Kourentzes, "On intermittent demand model optimisation and selection", IJPE 156, 2014, on
rate-based costs). StatsForecast's ``TSB`` takes the constants as parameters.

Quantiles: whole-number data with a small recent mean get those of a negative binomial with the
rate as mean and the recent variance-to-mean ratio (a Poisson when it is at most 1;
``models.base.count_band``); other data (amounts, large lumps) the empirical quantiles of the
recent periods, scaled by the ratio of the rate to their mean.
"""

from __future__ import annotations

import numpy as np

from workbench.calendar import RetailCalendar
from workbench.errors import ModelError
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction, count_band,
                                            count_dispersion)
from workbench.forecast.text import readable

ALPHAS = (0.05, 0.1, 0.2, 0.3)  # candidate smoothing constants of size and probability
RATE_PERIODS = {"D": 28, "W": 13, "MS": 3, "QS": 2}  # periods whose mean rate scores a forecast
INTERMITTENT_ADI = 1.32  # average periods per demand period from which demand is intermittent
INTERMITTENT_WINDOW = {"D": 91, "W": 52, "MS": 24, "QS": 8}  # recent periods the test looks at
MIN_INTERMITTENT_PERIODS = 8  # fewer recent periods than this: too few to call a series intermittent
RECENT = {"D": 91, "W": 26, "MS": 12, "QS": 8}  # recent periods the empirical quantiles come from


def average_demand_interval(y: np.ndarray) -> float:
    """Average demand interval (ADI) of ``y``: periods per period with demand (``inf`` when
    none has any). Syntetos & Boylan's classification (2005) calls demand intermittent from an
    ADI of ``INTERMITTENT_ADI`` = 1.32."""
    y = np.asarray(y, float)
    sold = int((y > 0).sum())
    return len(y) / sold if sold else float("inf")


def is_intermittent(y: np.ndarray, freq: str) -> bool:
    """True when the last ``INTERMITTENT_WINDOW[freq]`` periods of ``y`` (at least
    ``MIN_INTERMITTENT_PERIODS`` of them, with at least two sales) have an average demand
    interval of ``INTERMITTENT_ADI`` or more."""
    recent = np.asarray(y, float)[-INTERMITTENT_WINDOW[freq]:]
    return (len(recent) >= MIN_INTERMITTENT_PERIODS and (recent > 0).sum() >= 2
            and average_demand_interval(recent) >= INTERMITTENT_ADI)


def tsb_path(y: np.ndarray, alpha_size: float, alpha_prob: float) -> np.ndarray:
    """One-step forecasts of TSB over ``y``: shape (len(y) + 1,), element ``t`` the forecast of
    period ``t`` made after period ``t - 1`` (the last one forecasts the period after ``y``).
    Starts from the share of periods with demand and their mean size over the whole of ``y``
    (``y`` must hold at least one demand)."""
    y = np.asarray(y, float)
    prob, size = float((y > 0).mean()), float(y[y > 0].mean())
    out = np.empty(len(y) + 1)
    for t, value in enumerate(y):
        out[t] = prob * size
        if value > 0:
            size += alpha_size * (value - size)
            prob += alpha_prob * (1.0 - prob)
        else:
            prob -= alpha_prob * prob
    out[-1] = prob * size
    return out


class TSB(Forecaster):
    """Teunter-Syntetos-Babai forecast of intermittent demand; see the module docstring.

    Parameters
    ----------
    alpha_size, alpha_prob : smoothing constants in (0, 1] of the demand size and of the
        probability of demand; None (default): chosen from ``ALPHAS`` by the squared error of
        the in-sample forecasts against the mean demand of the ``RATE_PERIODS`` periods after.

    The forecast is flat (units per period) and has no baseline (``Prediction.baseline`` None: an
    event's uplift is not measured, as a naive model's); ``fit`` raises ``ModelError`` for a series
    with no demand at all (nothing to estimate a size from).
    """

    name = "tsb"
    capabilities = Capabilities(min_history=2)

    def __init__(self, alpha_size: float | None = None, alpha_prob: float | None = None):
        self.alpha_size = alpha_size
        self.alpha_prob = alpha_prob

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        if not (self.y_ > 0).any():
            raise ModelError(f"{self.name}: the series has no demand to estimate a size from")
        sizes = ALPHAS if self.alpha_size is None else (self.alpha_size,)
        probs = ALPHAS if self.alpha_prob is None else (self.alpha_prob,)
        # the mean of the RATE_PERIODS periods from each period on (fewer near the end)
        span = RATE_PERIODS[freq]
        ahead = np.convolve(self.y_[::-1], np.ones(span), "full")[:len(self.y_)][::-1]
        ahead = ahead / np.minimum(span, np.arange(len(self.y_), 0, -1))
        best = None
        for a in sizes:
            for b in probs:
                path = tsb_path(self.y_, a, b)
                mse = float(np.mean((ahead - path[:-1]) ** 2))
                if best is None or mse < best[0]:
                    best = (mse, a, b, path[-1])
        _, self.alpha_size_, self.alpha_prob_, self.rate_ = best
        self.recent_ = self.y_[-RECENT[freq]:]
        self.dispersion_ = count_dispersion(self.y_)
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        mean = np.full(horizon, self.rate_)
        if self.dispersion_ is not None:
            qs = count_band(mean, self.dispersion_, quantiles)
            spread = "negative binomial" if self.dispersion_ > 1 else "Poisson"
        else:
            scale = self.rate_ / self.recent_.mean() if self.recent_.mean() > 0 else 0.0
            qs = {q: np.full(horizon, float(np.quantile(self.recent_, q)) * scale) for q in quantiles}
            spread = f"the last {len(self.recent_)} periods' spread"
        sold = (self.y_ > 0).mean()
        notes = [f"{self.name}: mean rate {readable(self.rate_)} a period (sales in {sold:.0%} of "
                 f"{len(self.y_)} periods; smoothing {self.alpha_size_:g} size, {self.alpha_prob_:g} "
                 f"probability), quantiles of {spread}"]
        # a flat rate has no event effect to take off: its uplift is not measured (no baseline), not 0 (user trial F6)
        return Prediction(future, mean, qs, notes)
