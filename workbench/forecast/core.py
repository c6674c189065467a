"""Forecasting on long frames: grouping by series keys, running a model per series in
parallel, and assembling the planner's output frame.

Input: the standard frame ``[keys..., ds, y]`` (see ``workbench.data.validate``).
Output: ``[keys..., ds, yhat, yhat_q10, yhat_q50, yhat_q90]`` (one column per quantile).
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ModelError
from workbench.forecast.models import make_model
from workbench.forecast.models.base import DEFAULT_QUANTILES, check_quantiles, quantile_column


class ForecastNoteWarning(UserWarning):
    """A model said something a planner should know (e.g. an event without history)."""


@dataclass
class SeriesFailure:
    key: dict
    error: str


def series_keys(frame: pd.DataFrame, keys=None) -> list[str]:
    """Key columns: given, or every column other than ``ds`` and ``y``."""
    if keys is None:
        return [c for c in frame.columns if c not in ("ds", "y")]
    return list(keys)


def _forecast_one(task):
    key, y, ds, model, params, horizon, quantiles, freq, calendar = task
    try:
        pred = make_model(model, **params).fit(y, ds, freq=freq, calendar=calendar).predict(
            horizon, quantiles)
    except Exception as exc:  # one bad series must not stop the others
        return key, None, f"{type(exc).__name__}: {exc}"
    return key, pred, None


def _run(tasks, n_jobs: int):
    if n_jobs <= 1 or len(tasks) < 4:
        return [_forecast_one(t) for t in tasks]
    chunk = max(1, len(tasks) // (n_jobs * 4))
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        return list(pool.map(_forecast_one, tasks, chunksize=chunk))


def forecast(
    frame: pd.DataFrame,
    *,
    horizon: int,
    model: str = "auto",
    quantiles=DEFAULT_QUANTILES,
    keys=None,
    freq: str | None = None,
    calendar: RetailCalendar | None = None,
    n_jobs: int | None = None,
    model_params: dict | None = None,
) -> pd.DataFrame:
    """Forecast every series of ``frame`` ``horizon`` periods ahead.

    ``n_jobs``: worker processes (default: all cores). Series that fail are listed in
    ``result.attrs["failures"]`` and reported in a warning while the others finish; if every
    series fails, ``ModelError`` names them. Model notes (e.g. an event with no history and the
    fallback used) are in ``result.attrs["notes"]`` and raised as ``ForecastNoteWarning``.
    """
    quantiles = check_quantiles(quantiles)
    keys = series_keys(frame, keys)
    freq = freq or frame.attrs.get("freq", "D")
    calendar = calendar or default_calendar()
    n_jobs = n_jobs or os.cpu_count() or 1
    params = dict(model_params or {})
    make_model(model, **params)  # unknown model or parameters fail before any work
    groups = frame.groupby(keys, sort=True) if keys else [((), frame)]
    tasks = []
    for key, part in groups:
        label = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        tasks.append((label, part["y"].to_numpy(float), pd.DatetimeIndex(part["ds"]), model,
                      params, horizon, quantiles, freq, calendar))
    results = _run(tasks, n_jobs)

    pieces, failures, notes = [], [], []
    for label, pred, error in results:
        if error:
            failures.append(SeriesFailure(label, error))
            continue
        part = pd.DataFrame({"ds": pred.ds, "yhat": pred.mean})
        for q in quantiles:
            part[quantile_column(q)] = pred.quantiles[q]
        for k, v in label.items():
            part[k] = v
        pieces.append(part)
        notes += [f"{label or 'series'}: {n}" for n in pred.notes]
    if not pieces:
        detail = "; ".join(f"{f.key or 'series'}: {f.error}" for f in failures[:5])
        raise ModelError(f"every series failed with model {model!r}: {detail}")
    out = pd.concat(pieces, ignore_index=True)[[*keys, "ds", "yhat", *map(quantile_column, quantiles)]]
    _sort_quantiles(out, quantiles)
    out.attrs.update(failures=failures, notes=notes, model=model)
    if failures:
        warnings.warn(f"{len(failures)} series failed and are missing from the forecast: "
                      + "; ".join(f"{f.key}: {f.error}" for f in failures[:5]), ForecastNoteWarning,
                      stacklevel=2)
    for note in dict.fromkeys(notes):
        warnings.warn(note, ForecastNoteWarning, stacklevel=2)
    return out


def _sort_quantiles(out: pd.DataFrame, quantiles) -> None:
    """Quantile columns must not cross (sampling noise can make them); sort row-wise in place."""
    cols = [quantile_column(q) for q in quantiles]
    if len(cols) > 1:
        out[cols] = np.sort(out[cols].to_numpy(), axis=1)
