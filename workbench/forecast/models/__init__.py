"""The registry of forecasting models: one name, one class, one interface (``Forecaster``).

``auto`` is not a model: it names the default choice per frequency (``DEFAULT_MODEL``), which
the core resolves with ``resolve_model`` before it makes any model.
"""

from __future__ import annotations

from workbench.errors import ModelError
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            quantile_column)
from workbench.forecast.models.event_profile import EventProfile
from workbench.forecast.models.ets import ETSModel
from workbench.forecast.models.intermittent import TSB
from workbench.forecast.models.naive import EventNaive, SeasonalNaive
from workbench.forecast.models.prophet_model import ProphetModel
from workbench.forecast.models.recent_level import RecentLevel

MODELS: dict[str, type[Forecaster]] = {
    cls.name: cls for cls in (EventProfile, SeasonalNaive, EventNaive, ProphetModel, ETSModel, RecentLevel, TSB)
}

AUTO = "auto"
# The default choice per frequency: what ``auto`` means (one table).
DEFAULT_MODEL = {"D": "event_profile", "W": "ets", "MS": "ets", "QS": "ets"}
MODEL_CHOICES = (AUTO, *sorted(MODELS))  # what a user may name


def resolve_model(name: str, freq: str = "D") -> str:
    """The registry name behind ``name``: ``auto`` becomes ``DEFAULT_MODEL[freq]``; any other
    name must be registered. Raises ``ModelError`` naming the choices."""
    if name == AUTO:
        try:
            return DEFAULT_MODEL[freq]
        except KeyError:
            raise ModelError(f"no default model for frequency {freq!r}; use one of "
                             f"{sorted(DEFAULT_MODEL)}") from None
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose one of {list(MODEL_CHOICES)}")
    return name


def make_model(name: str, /, *, freq: str = "D", **params) -> Forecaster:
    """A new, unfitted model by registry name (or ``auto``, resolved for ``freq``), with
    ``params`` passed to its constructor. Raises ``ModelError`` on an unknown name or parameter."""
    resolved = resolve_model(name, freq)
    try:
        return MODELS[resolved](**params)
    except TypeError as exc:
        raise ModelError(f"{resolved}: bad model parameters {params}: {exc}") from None


__all__ = ["AUTO", "DEFAULT_MODEL", "DEFAULT_QUANTILES", "MODELS", "MODEL_CHOICES", "Capabilities",
           "Forecaster", "Prediction", "make_model", "quantile_column", "resolve_model"]
