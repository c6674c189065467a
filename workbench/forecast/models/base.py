"""The interface every forecasting model shares.

Models see one series as arrays: ``fit(y, ds)`` with ``y`` the values (float, >= 0) and ``ds``
the matching dates at one frequency; ``predict(horizon, quantiles)`` returns the next
``horizon`` periods. Long frames, grouping and parallelism live in ``workbench.forecast.core``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ModelError

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Prediction:
    """A forecast of one series: dates, point forecast (``mean``) and quantiles."""

    ds: pd.DatetimeIndex
    mean: np.ndarray
    quantiles: dict[float, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    baseline: np.ndarray | None = None  # the forecast without event effects, where the model has one


def quantile_column(q: float) -> str:
    """``0.1 -> "yhat_q10"``, ``0.975 -> "yhat_q97.5"``."""
    pct = round(q * 100, 6)
    return f"yhat_q{int(pct)}" if float(pct).is_integer() else f"yhat_q{pct:g}"


def check_quantiles(quantiles) -> tuple[float, ...]:
    qs = tuple(float(q) for q in quantiles)
    bad = [q for q in qs if not 0 < q < 1]
    if bad:
        raise ModelError(f"quantiles must lie strictly between 0 and 1; got {bad}")
    return tuple(sorted(set(qs)))


class Forecaster(ABC):
    """Base class: ``__init__`` stores parameters, ``fit`` returns self, fitted attributes end in ``_``."""

    name: str = "base"

    @abstractmethod
    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex, *, freq: str = "D",
            calendar: RetailCalendar | None = None) -> "Forecaster":
        """Fit to one series. ``y``: values per period; ``ds``: their dates."""

    @abstractmethod
    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        """Forecast the ``horizon`` periods after the last fitted date."""

    # helpers shared by the models ----------------------------------------------------------
    def _store_history(self, y, ds, freq, calendar) -> None:
        y = np.asarray(y, dtype=float)
        ds = pd.DatetimeIndex(ds)
        if len(y) != len(ds):
            raise ModelError(f"{self.name}: {len(y)} values but {len(ds)} dates")
        if len(y) == 0:
            raise ModelError(f"{self.name}: cannot fit an empty series")
        if np.isnan(y).any():
            raise ModelError(f"{self.name}: the series has missing values; validate it first")
        self.y_ = y
        self.ds_ = ds
        self.freq_ = freq
        self.calendar_ = calendar or default_calendar()

    def _future_dates(self, horizon: int) -> pd.DatetimeIndex:
        from workbench.data.validate import pandas_freq

        if horizon < 1:
            raise ModelError(f"horizon must be at least 1; got {horizon}")
        alias = pandas_freq(self.freq_, self.ds_)
        return pd.date_range(self.ds_[-1], periods=horizon + 1, freq=alias)[1:]

    def get_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
