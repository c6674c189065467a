"""ETS (statsmodels) with event regressors, on log demand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.calendar import RetailCalendar
from workbench.data.validate import SEASON_LENGTH
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero)
from workbench.forecast.models.event_dummies import offset_dummies


class ETSModel(Forecaster):
    """Damped-trend additive ETS on ``log1p(y)`` after removing event effects.

    Daily data: event-offset and holiday effects are first estimated by ridge regression on the
    log series (ETS takes no regressors), the ETS(A,Ad,A) model with weekly season runs on what
    remains, and the effects are added back over the horizon. Quantiles are Gaussian in log
    space from ETS's forecast variance, censored at zero. Non-daily data: ETS alone (seasonal
    with two seasons of history, ``SEASON_LENGTH``). At least 4 periods (``capabilities``).

    Parameters: ``damped_trend`` (bool), ``ridge`` (the L2 penalty of the event regression, in
    units of the log series' sum of squares).

    Source: ETS(A,Ad,A) state space model (Hyndman, Koehler, Ord & Snyder, *Forecasting with
    Exponential Smoothing: The State Space Approach*, 2008; statsmodels ``ETSModel``); ridge
    regression (Hoerl & Kennard, Technometrics 12, 1970).
    """

    name = "ets"
    capabilities = Capabilities(min_history=4, events=True, baseline=True)

    def __init__(self, damped_trend: bool = True, ridge: float = 1.0):
        self.damped_trend = damped_trend
        self.ridge = ridge

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel as _ETS

        self._store_history(y, ds, freq, calendar)
        z = np.log1p(self.y_)
        self.levels_ = None
        self.beta_ = None
        if freq == "D":
            X, self.levels_ = offset_dummies(self.ds_, self.calendar_)
            Xc = X - X.mean(axis=0)
            self.beta_ = np.linalg.solve(Xc.T @ Xc + self.ridge * np.eye(X.shape[1]), Xc.T @ (z - z.mean()))
            z = z - X @ self.beta_
        season = SEASON_LENGTH[freq]
        seasonal = "add" if len(z) >= 2 * season + 2 else None
        series = pd.Series(z, index=pd.RangeIndex(len(z)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.ets_ = _ETS(series, error="add", trend="add", damped_trend=self.damped_trend,
                             seasonal=seasonal, seasonal_periods=season if seasonal else None).fit(disp=False)
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        n = len(self.y_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self.ets_.get_prediction(start=n, end=n + horizon - 1)
        mu = np.asarray(pred.predicted_mean, float)
        sd = np.sqrt(np.asarray(pred.var_pred_mean, float))
        baseline = censored_at_zero(np.expm1(mu))
        if self.beta_ is not None:
            X, _ = offset_dummies(future, self.calendar_, self.levels_)
            mu = mu + X @ self.beta_
        qs = {q: censored_at_zero(np.expm1(mu + norm.ppf(q) * sd)) for q in quantiles}
        return Prediction(future, censored_at_zero(np.expm1(mu)), qs, baseline=baseline)
