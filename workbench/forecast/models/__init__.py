"""The registry of forecasting models: one name, one class, one interface (``Forecaster``)."""

from __future__ import annotations

from workbench.errors import ModelError
from workbench.forecast.models.base import DEFAULT_QUANTILES, Forecaster, Prediction, quantile_column
from workbench.forecast.models.event_profile import EventProfile
from workbench.forecast.models.ets import ETSModel
from workbench.forecast.models.naive import EventNaive, SeasonalNaive
from workbench.forecast.models.prophet_model import ProphetModel

MODELS: dict[str, type[Forecaster]] = {
    cls.name: cls for cls in (EventProfile, SeasonalNaive, EventNaive, ProphetModel, ETSModel)
}


def make_model(name: str, **params) -> Forecaster:
    """A new, unfitted model by registry name, with ``params`` passed to its constructor."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose one of {sorted(MODELS)}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise ModelError(f"{name}: bad model parameters {params}: {exc}") from None


__all__ = ["DEFAULT_QUANTILES", "MODELS", "Forecaster", "Prediction", "make_model", "quantile_column"]
