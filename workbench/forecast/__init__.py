"""Demand forecasting: the request checked at the edge (``request``), models on one series'
arrays (``models``), the long-frame core with grouping, pooling, fallback and engines (``core``),
event backtests (``backtest``), metrics and planner outputs for the next event (``planning``)."""

from workbench.forecast.backtest import backtest_windows, compare_models, event_windows
from workbench.forecast.core import forecast, forecast_to_parquet
from workbench.forecast.engines import DaskEngine, LocalEngine
from workbench.forecast.models import MODELS, make_model
from workbench.forecast.planning import event_forecast
from workbench.forecast.request import ForecastRequest

__all__ = ["MODELS", "DaskEngine", "ForecastRequest", "LocalEngine", "backtest_windows", "compare_models", "event_forecast",
           "event_windows", "forecast", "forecast_to_parquet", "make_model"]
