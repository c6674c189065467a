"""File-to-file forecasting jobs behind the CLI and the notebooks: read, validate, run, write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.io import read_table, write_table
from workbench.data.validate import prepare_long_frame
from workbench.errors import ParameterError
from workbench.forecast.backtest import compare_models, event_windows
from workbench.forecast.core import forecast


def load_series(data: str | Path, *, date_col: str, target: str, keys=(), freq: str = "D",
                table: str | None = None, query: str | None = None, gaps: str = "zero"):
    """Read and validate a long table; returns the standard frame and its validation report."""
    raw = read_table(data, table=table, query=query)
    return prepare_long_frame(raw, date_col=date_col, target_col=target, keys=list(keys),
                              freq=freq, gaps=gaps)


def forecast_file(data, *, date_col, target, keys=(), freq="D", horizon: int, model="auto",
                  quantiles=(0.1, 0.5, 0.9), out, table=None, query=None, gaps="zero",
                  events: str | None = None, n_jobs: int | None = None) -> pd.DataFrame:
    """Forecast every series of a file and write ``keys, ds, yhat, yhat_qNN`` to ``out``."""
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=freq,
                           table=table, query=query, gaps=gaps)
    fc = forecast(frame, horizon=horizon, model=model, quantiles=quantiles, keys=list(keys),
                  freq=freq, calendar=RetailCalendar(events) if events else None, n_jobs=n_jobs)
    write_table(fc, out)
    return fc


def backtest_file(data, *, date_col, target, keys=(), freq="D", event: str, years, lead: int = 90,
                  models=("auto", "seasonal_naive", "event_naive"), quantiles=(0.1, 0.5, 0.9),
                  out=None, table=None, query=None, gaps="zero", events: str | None = None,
                  n_jobs: int | None = None) -> pd.DataFrame:
    """Compare models on past windows of ``event``; write the table to ``out`` if given."""
    if freq != "D":
        raise ParameterError(f"--freq: event backtests need daily data; got {freq!r}")
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=freq,
                           table=table, query=query, gaps=gaps)
    calendar = RetailCalendar(events) if events else None
    table_ = compare_models(frame, models=models, windows=event_windows(event, years, calendar),
                            lead=lead, keys=list(keys), quantiles=quantiles, calendar=calendar,
                            n_jobs=n_jobs)
    if out:
        write_table(table_, out)
    return table_
