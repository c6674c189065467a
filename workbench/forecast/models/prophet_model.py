"""Prophet with the retail calendar's event windows as holidays."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero)
from workbench.forecast.models.event_dummies import prophet_holidays


class ProphetModel(Forecaster):
    """Prophet (Stan MAP fit) with each event occurrence as a holiday spanning its window.

    Quantiles are taken from ``uncertainty_samples`` posterior predictive draws, seeded by
    ``seed``, censored at zero. ``events=False`` gives plain Prophet; ``country_holidays=True``
    adds Prophet's own Chinese holidays (the peer setup planners often start from).
    ``seasonality_mode``: ``"multiplicative"`` or ``"additive"``. At least 2 periods.

    Source: Taylor & Letham, "Forecasting at scale", The American Statistician 72(1), 2018.
    """

    name = "prophet"
    capabilities = Capabilities(min_history=2, events=True, baseline=True)

    def __init__(self, events: bool = True, country_holidays: bool = False,
                 seasonality_mode: str = "multiplicative", uncertainty_samples: int = 200,
                 seed: int = 0):
        self.events = events
        self.country_holidays = country_holidays
        self.seasonality_mode = seasonality_mode
        self.uncertainty_samples = uncertainty_samples
        self.seed = seed

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        from cmdstanpy.utils import get_logger
        from prophet import Prophet

        # cmdstanpy sets its logger to DEBUG with an INFO handler on first use (get_logger):
        # take it first, then quieten it, or every fit prints "Chain [1] start processing"
        get_logger().setLevel(logging.WARNING)
        self._store_history(y, ds, freq, calendar)
        holidays = None
        if self.events and freq == "D":
            holidays = prophet_holidays(self.calendar_, self.ds_[0].year - 1, self.ds_[-1].year + 3)
        model = Prophet(holidays=holidays, seasonality_mode=self.seasonality_mode,
                        uncertainty_samples=self.uncertainty_samples,
                        weekly_seasonality=freq == "D", daily_seasonality=False)
        if self.country_holidays:
            model.add_country_holidays(country_name="CN")
        self.model_ = model.fit(pd.DataFrame({"ds": self.ds_, "y": self.y_}))
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = pd.DataFrame({"ds": self._future_dates(horizon)})
        state = np.random.get_state()
        np.random.seed(self.seed)  # Prophet samples from numpy's global generator
        try:
            samples = self.model_.predictive_samples(future)["yhat"]
        finally:
            np.random.set_state(state)
        components = self.model_.predict(future)
        mean = censored_at_zero(components["yhat"].to_numpy())
        qs = {q: censored_at_zero(np.quantile(samples, q, axis=1)) for q in quantiles}
        baseline = None
        if "holidays" in components:
            effect = components["holidays"].to_numpy()
            # multiplicative holidays scale the trend; additive ones add to it
            baseline = (components["yhat"] - (components["trend"] * effect
                        if self.seasonality_mode == "multiplicative" else effect)).to_numpy()
            baseline = censored_at_zero(baseline)
        return Prediction(pd.DatetimeIndex(future["ds"]), mean, qs, baseline=baseline)
