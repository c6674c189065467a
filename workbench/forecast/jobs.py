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


def load_series(data: str | Path, *, date_col: str, target: str, keys=(), freq: str = "D",
                table: str | None = None, query: str | None = None, gaps: str = "zero"):
    """Read and validate a long table; returns the standard frame and its validation report."""
    raw = read_table(data, table=table, query=query)
    return prepare_long_frame(raw, date_col=date_col, target_col=target, keys=list(keys),
                              freq=freq, gaps=gaps)


def forecast_file(data, *, date_col, target, keys=(), freq="D", horizon: int, model="auto",
                  quantiles=(0.1, 0.5, 0.9), out=None, out_dir=None, table=None, query=None,
                  gaps="zero", events: str | None = None, n_jobs: int | None = None,
                  engine: str = "local", dask_address: str | None = None,
                  partition_size: int | None = None,
                  progress: bool | None = False) -> pd.DataFrame | ForecastRun:
    """Forecast every series of a file.

    With ``out`` (CSV or Parquet) it writes ``keys, ds, yhat, yhat_qNN`` there and returns the
    frame; with ``out_dir`` each partition's workers write ``out_dir/part-NNNNN.parquet`` (the
    same columns; no process holds every forecast) and it returns the ``ForecastRun``.
    ``engine``: ``local`` or ``dask`` (a LocalCluster of ``n_jobs`` workers, or the cluster at
    ``dask_address``).
    """
    if (out is None) == (out_dir is None):
        raise ParameterError("give exactly one of --out FILE or --out-dir DIR")
    if dask_address and engine != "dask":
        raise ParameterError(f"--dask-address {dask_address} needs --engine dask")
    if dask_address and n_jobs:
        raise ParameterError("--n-jobs sizes a local cluster; the cluster at --dask-address has its "
                             "own workers, so leave --n-jobs out")
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=freq,
                           table=table, query=query, gaps=gaps)
    options = dict(horizon=horizon, model=model, quantiles=quantiles, keys=list(keys), freq=freq,
                   calendar=RetailCalendar(events) if events else None,
                   partition_size=partition_size, progress=progress)
    with make_engine(engine, n_workers=n_jobs, address=dask_address) as runner:
        if out_dir is not None:
            return forecast_to_parquet(frame, out_dir, engine=runner, **options)
        fc = forecast(frame, engine=runner, **options)
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
