"""File-to-file forecasting jobs behind the CLI and the notebooks: read, validate, run, write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.io import read_table, write_table
from workbench.data.validate import prepare_long_frame
from workbench.errors import ParameterError
from workbench.forecast.backtest import compare_models, event_windows
from workbench.forecast.core import ForecastRun, forecast, forecast_to_parquet
from workbench.forecast.engines import make_engine
from workbench.forecast.models import AUTO, resolve_model
from workbench.forecast.models.base import DEFAULT_QUANTILES
from workbench.forecast.request import ForecastRequest, check_keys, check_lead, check_quantiles


def load_series(data: str | Path, *, date_col: str, target: str, keys=(), freq: str = "D",
                table: str | None = None, query: str | None = None, gaps: str = "zero"):
    """Read and validate a long table; returns the standard frame and its validation report."""
    raw = read_table(data, table=table, query=query)
    return prepare_long_frame(raw, date_col=date_col, target_col=target, keys=list(keys),
                              freq=freq, gaps=gaps)


def forecast_file(data, request: ForecastRequest, *, date_col: str, target: str, keys=(),
                  out=None, out_dir=None, table=None, query=None, gaps="zero",
                  events: str | None = None, progress: bool | None = False) -> pd.DataFrame | ForecastRun:
    """Forecast every series of a file as ``request`` says (built and checked by the caller).

    With ``out`` (CSV or Parquet) it writes ``keys, ds, yhat, yhat_qNN`` there and returns the
    frame; with ``out_dir`` each partition's workers write ``out_dir/part-NNNNN.parquet`` (the
    same columns; no process holds every forecast) and it returns the ``ForecastRun``.
    Raises ``ParameterError`` (before reading) for a missing or doubled output or repeated keys,
    ``DataValidationError`` for bad data.
    """
    if (out is None) == (out_dir is None):
        raise ParameterError("give exactly one of --out FILE or --out-dir DIR")
    keys = check_keys(keys)
    calendar = RetailCalendar(events) if events else None
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=request.freq,
                           table=table, query=query, gaps=gaps)
    with make_engine(request.engine, n_workers=request.n_jobs, address=request.dask_address) as runner:
        run = request.replace(engine=runner, n_jobs=None, dask_address=None)
        if out_dir is not None:
            return forecast_to_parquet(frame, out_dir, run, keys=keys, calendar=calendar, progress=progress)
        fc = forecast(frame, run, keys=keys, calendar=calendar, progress=progress)
    write_table(fc, out)
    return fc


def backtest_file(data, *, date_col, target, keys=(), freq="D", event: str, years, lead: int = 90,
                  models=(AUTO, "seasonal_naive", "event_naive"), quantiles=DEFAULT_QUANTILES,
                  out=None, table=None, query=None, gaps="zero", events: str | None = None,
                  n_jobs: int | None = None) -> pd.DataFrame:
    """Compare ``models`` on past windows of ``event`` in ``years``, each fitted on history
    ending ``lead`` days before its window; write the table to ``out`` if given. Every
    parameter is checked before the file is read (``ParameterError`` naming it)."""
    if freq != "D":
        raise ParameterError(f"--freq: event backtests need daily data; got {freq!r}")
    lead = check_lead(lead)
    keys = check_keys(keys)
    quantiles = check_quantiles(quantiles)
    for model in models:
        resolve_model(model, freq)
    calendar = RetailCalendar(events) if events else None
    windows = event_windows(event, years, calendar)
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=freq,
                           table=table, query=query, gaps=gaps)
    table_ = compare_models(frame, models=models, windows=windows, lead=lead, keys=keys,
                            quantiles=quantiles, calendar=calendar, n_jobs=n_jobs)
    if out:
        write_table(table_, out)
    return table_
