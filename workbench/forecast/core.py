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
    pool_events: bool = True,
    with_baseline: bool = False,
) -> pd.DataFrame:
    """Forecast every series of ``frame`` ``horizon`` periods ahead.

    ``n_jobs``: worker processes (default: all cores). ``pool_events``: for models that take a
    ``prior_uplift``, first fit the sum of all series and shrink each series' event profiles
    towards that pooled profile (one noisy past event per series is a weak estimate).
    ``with_baseline`` adds ``yhat_baseline``, the forecast without event effects (NaN for models
    with no separate event component). Series that fail are listed in
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
    if pool_events and len(tasks) > 1 and "prior_uplift" in make_model(model).get_params() \
            and "prior_uplift" not in params:
        prior = pooled_event_uplift(frame, model, params, freq, calendar)
        if prior:
            tasks = [t[:4] + ({**t[4], "prior_uplift": prior},) + t[5:] for t in tasks]
    results = _run(tasks, n_jobs)

    pieces, failures, notes = [], [], []
    for label, pred, error in results:
        if error:
            failures.append(SeriesFailure(label, error))
            continue
        part = pd.DataFrame({"ds": pred.ds, "yhat": pred.mean})
        for q in quantiles:
            part[quantile_column(q)] = pred.quantiles[q]
        if with_baseline:
            part["yhat_baseline"] = pred.baseline if pred.baseline is not None else np.nan
        for k, v in label.items():
            part[k] = v
        pieces.append(part)
        notes += [f"{label or 'series'}: {n}" for n in pred.notes]
    if not pieces:
        detail = "; ".join(f"{f.key or 'series'}: {f.error}" for f in failures[:5])
        raise ModelError(f"every series failed with model {model!r}: {detail}")
    columns = [*keys, "ds", "yhat", *map(quantile_column, quantiles)]
    out = pd.concat(pieces, ignore_index=True)[columns + (["yhat_baseline"] if with_baseline else [])]
    _sort_quantiles(out, quantiles)
    out.attrs.update(failures=failures, notes=notes, model=model)
    if failures:
        warnings.warn(f"{len(failures)} series failed and are missing from the forecast: "
                      + "; ".join(f"{f.key}: {f.error}" for f in failures[:5]), ForecastNoteWarning,
                      stacklevel=2)
    for note in dict.fromkeys(notes):
        warnings.warn(note, ForecastNoteWarning, stacklevel=2)
    return out


def pooled_event_uplift(frame: pd.DataFrame, model: str, params: dict, freq: str,
                        calendar: RetailCalendar) -> dict | None:
    """Event log-uplift profiles of the sum of all series, as ``{event: {offset: uplift}}``."""
    total = frame.groupby("ds", sort=True)["y"].sum()
    try:
        fitted = make_model(model, **params).fit(total.to_numpy(float), pd.DatetimeIndex(total.index),
                                                 freq=freq, calendar=calendar)
    except ModelError:
        return None  # e.g. too short or not daily: each series goes on its own
    return {name: profile.to_dict() for name, profile in fitted.uplift_.items()}


def _sort_quantiles(out: pd.DataFrame, quantiles) -> None:
    """Quantile columns must not cross (sampling noise can make them); sort row-wise in place."""
    cols = [quantile_column(q) for q in quantiles]
    if len(cols) > 1:
        out[cols] = np.sort(out[cols].to_numpy(), axis=1)
