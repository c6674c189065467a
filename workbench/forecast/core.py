"""Forecasting on long frames: grouping by series keys, running a model per series in
parallel, and assembling the planner's output frame.

Input: the standard frame ``[keys..., ds, y]`` (see ``workbench.data.validate``).
Output: ``[keys..., ds, yhat, yhat_q10, yhat_q50, yhat_q90]`` (one column per quantile).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.data.io import write_table
from workbench.errors import ModelError, ParameterError
from workbench.forecast.engines import Engine, make_engine, progress_bar
from workbench.forecast.models import make_model
from workbench.forecast.models.base import DEFAULT_QUANTILES, check_quantiles, quantile_column


MAX_PARTITION_SERIES = 500
TARGET_PARTITIONS = 32


class ForecastNoteWarning(UserWarning):
    """A model said something a planner should know (e.g. an event without history)."""


@dataclass
class SeriesFailure:
    key: dict
    error: str


@dataclass
class ForecastRun:
    """What ``forecast_to_parquet`` wrote: one Parquet file per partition of series."""

    out_dir: Path
    files: list[Path]
    series: int  # series forecast (failures excluded)
    rows: int
    failures: list[SeriesFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs besides its partition's rows."""

    keys: tuple[str, ...]
    horizon: int
    model: str
    params: dict
    quantiles: tuple[float, ...]
    freq: str
    calendar: RetailCalendar
    with_baseline: bool
    out_dir: str | None = None


@dataclass
class _PartitionResult:
    frame: pd.DataFrame | None  # None when written to ``file`` or when the task failed
    series: int
    rows: int
    failures: list[SeriesFailure]
    notes: list[str]
    file: str | None = None


def series_keys(frame: pd.DataFrame, keys=None) -> list[str]:
    """Key columns: given, or every column other than ``ds`` and ``y``."""
    if keys is None:
        return [c for c in frame.columns if c not in ("ds", "y")]
    return list(keys)


def default_partition_size(n_series: int) -> int:
    """Series per partition: about ``TARGET_PARTITIONS`` partitions, at most
    ``MAX_PARTITION_SERIES`` series each. It depends on the data only, never on the engine, so
    every engine splits (and sums the pooled profile) the same way."""
    return int(min(MAX_PARTITION_SERIES, max(1, -(-n_series // TARGET_PARTITIONS))))


def partition_series(frame: pd.DataFrame, keys, partition_size: int | None = None):
    """Split ``frame`` into partitions of whole series, in sorted key order.

    Returns ``(partitions, series_counts)``; each partition holds ``partition_size`` series
    (the last one fewer), rows in their original order.
    """
    if frame.empty:
        raise ModelError("the frame has no rows to forecast")
    if not keys:
        return [frame], [1]
    codes = frame.groupby(list(keys), sort=True, dropna=False, observed=True).ngroup().to_numpy()
    n_series = int(codes.max()) + 1
    size = partition_size or default_partition_size(n_series)
    if size < 1:
        raise ParameterError(f"partition_size must be at least 1 series; got {partition_size}")
    part_of_row = codes // size
    if (np.diff(part_of_row) >= 0).all():  # already grouped (validated frames are): no copy
        ordered = frame
    else:
        order = np.argsort(part_of_row, kind="stable")
        ordered, part_of_row = frame.take(order), part_of_row[order]
    n_parts = -(-n_series // size)
    bounds = np.searchsorted(part_of_row, np.arange(n_parts + 1))
    parts = [ordered.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    counts = [min(size, n_series - k * size) for k in range(n_parts)]
    return parts, counts


def _forecast_one(y, ds, job: _Job):
    try:
        pred = make_model(job.model, **job.params).fit(y, ds, freq=job.freq, calendar=job.calendar) \
            .predict(job.horizon, job.quantiles)
    except Exception as exc:  # one bad series must not stop the others
        return None, f"{type(exc).__name__}: {exc}"
    return pred, None


def _series_of(part: pd.DataFrame, keys):
    """``(label, rows)`` per series of a partition, in sorted key order."""
    if not keys:
        return [({}, part)]
    groups = part.groupby(list(keys), sort=True, dropna=False, observed=True)
    return [(dict(zip(keys, key if isinstance(key, tuple) else (key,))), rows) for key, rows in groups]


def partition_file(out_dir, index: int) -> Path:
    """Where partition ``index`` of a streamed forecast is written."""
    return Path(out_dir) / f"part-{index:05d}.parquet"


def _forecast_partition(index: int, part: pd.DataFrame, job: _Job) -> _PartitionResult:
    """Forecast every series of one partition (runs on a worker)."""
    keys = list(job.keys)
    pieces, failures, notes = [], [], []
    for label, rows in _series_of(part, keys):
        pred, error = _forecast_one(rows["y"].to_numpy(float), pd.DatetimeIndex(rows["ds"]), job)
        if error:
            failures.append(SeriesFailure(label, error))
            continue
        piece = pd.DataFrame({"ds": pred.ds, "yhat": pred.mean})
        for q in job.quantiles:
            piece[quantile_column(q)] = pred.quantiles[q]
        if job.with_baseline:
            piece["yhat_baseline"] = pred.baseline if pred.baseline is not None else np.nan
        for k, v in label.items():
            piece[k] = v
        pieces.append(piece)
        notes += [f"{label or 'series'}: {n}" for n in pred.notes]
    columns = [*keys, "ds", "yhat", *map(quantile_column, job.quantiles)] \
        + (["yhat_baseline"] if job.with_baseline else [])
    if pieces:
        out = pd.concat(pieces, ignore_index=True)[columns]
        for k in keys:  # the input's key types, whatever the model's scalars were
            out[k] = out[k].astype(part[k].dtype)
        _sort_quantiles(out, job.quantiles)
    else:
        out = pd.DataFrame({k: part[k].iloc[:0] for k in keys} | {c: pd.Series(dtype=float) for c in columns[len(keys):]})
        out["ds"] = pd.to_datetime(out["ds"])
    if job.out_dir is None:
        return _PartitionResult(out, len(pieces), len(out), failures, notes)
    path = write_table(out, partition_file(job.out_dir, index))
    return _PartitionResult(None, len(pieces), len(out), failures, notes, str(path))


def _partition_total(index: int, part: pd.DataFrame, job: _Job) -> pd.Series:
    """Sum of the partition's series per date (runs on a worker)."""
    return part.groupby("ds", sort=True)["y"].sum()


def _failed_partition(part: pd.DataFrame, keys, exc: BaseException, index: int) -> _PartitionResult:
    error = f"partition {index} failed on the engine: {type(exc).__name__}: {exc}"
    failures = [SeriesFailure(label, error) for label, _ in _series_of(part, keys)]
    return _PartitionResult(None, 0, 0, failures, [])


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
    engine: str | Engine = "local",
    partition_size: int | None = None,
    progress: bool | None = False,
) -> pd.DataFrame:
    """Forecast every series of ``frame`` ``horizon`` periods ahead.

    ``engine``: ``"local"`` (worker processes on this machine), ``"dask"`` (a new Dask
    ``LocalCluster``) or an ``Engine`` such as ``DaskEngine("tcp://HOST:PORT")``, which stays
    open for the caller to reuse. ``n_jobs``: workers of an engine made here by name (default:
    all cores). Series are split into partitions of ``partition_size`` series (default
    ``default_partition_size``); each partition is one task. ``progress`` shows a bar
    (None: only when stderr is a terminal).
    ``pool_events``: for models that take a ``prior_uplift``, first fit the sum of all series
    (summed per partition on the workers) and shrink each series' event profiles towards that
    pooled profile (one noisy past event per series is a weak estimate).
    ``with_baseline`` adds ``yhat_baseline``, the forecast without event effects (NaN for models
    with no separate event component). Series that fail are listed in
    ``result.attrs["failures"]`` and reported in a warning while the others finish; if every
    series fails, ``ModelError`` names them. Model notes (e.g. an event with no history and the
    fallback used) are in ``result.attrs["notes"]`` and raised as ``ForecastNoteWarning``.
    """
    results = _execute(frame, horizon=horizon, model=model, quantiles=quantiles, keys=keys,
                       freq=freq, calendar=calendar, n_jobs=n_jobs, model_params=model_params,
                       pool_events=pool_events, with_baseline=with_baseline, engine=engine,
                       partition_size=partition_size, progress=progress, out_dir=None)
    failures, notes = _gather_messages(results)
    frames = [r.frame for r in results if r.frame is not None and len(r.frame)]
    _check_some_succeeded(frames, failures, model)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(failures=failures, notes=notes, model=model)
    _warn(failures, notes)
    return out


def forecast_to_parquet(frame: pd.DataFrame, out_dir: str | Path, *, horizon: int, **options) -> ForecastRun:
    """Like ``forecast``, but each worker writes its partition's forecast to
    ``out_dir/part-NNNNN.parquet`` and only counts, failures and notes come back, so no process
    holds every forecast. ``out_dir`` must be new or empty, and on a multi-machine cluster
    reachable by every worker at the same path. Failed series are also written to
    ``out_dir/_failures.csv`` (readers of the Parquet dataset skip names starting with ``_``).
    Takes the same options as ``forecast``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ParameterError(f"{out_dir}: the output directory must be new or empty (it would mix "
                             f"partitions of different runs); choose another or empty it")
    out_dir.mkdir(parents=True, exist_ok=True)
    results = _execute(frame, horizon=horizon, out_dir=str(out_dir.resolve()), **options)
    failures, notes = _gather_messages(results)
    files = [Path(r.file) for r in results if r.file]
    if failures:
        write_table(pd.DataFrame([{**f.key, "error": f.error} for f in failures]),
                    out_dir / "_failures.csv")
    _check_some_succeeded([r for r in results if r.series], failures, options.get("model", "auto"),
                          where=f"; failures are listed in {out_dir / '_failures.csv'}")
    _warn(failures, notes)
    return ForecastRun(out_dir, files, sum(r.series for r in results), sum(r.rows for r in results),
                       failures, notes)


def _execute(frame, *, horizon, model="auto", quantiles=DEFAULT_QUANTILES, keys=None, freq=None,
             calendar=None, n_jobs=None, model_params=None, pool_events=True, with_baseline=False,
             engine: str | Engine = "local", partition_size=None, progress=False,
             out_dir=None) -> list[_PartitionResult]:
    """Partition, pool, run on the engine; partition results in partition order."""
    quantiles = check_quantiles(quantiles)
    keys = series_keys(frame, keys)
    params = dict(model_params or {})
    make_model(model, **params)  # unknown model or parameters fail before any work
    if isinstance(engine, Engine) and n_jobs:
        raise ParameterError(f"n_jobs={n_jobs} sizes an engine made by name; {engine!r} has its "
                             f"own workers, so leave n_jobs out")
    parts, counts = partition_series(frame, keys, partition_size)
    job = _Job(tuple(keys), horizon, model, params, quantiles, freq or frame.attrs.get("freq", "D"),
               calendar or default_calendar(), with_baseline, out_dir)
    owned = not isinstance(engine, Engine)
    runner = make_engine(engine, n_workers=1 if owned and engine == "local" and sum(counts) < 4
                         else n_jobs)
    try:
        if pool_events and sum(counts) > 1 and "prior_uplift" in make_model(model).get_params() \
                and "prior_uplift" not in params:
            total = _distributed_total(runner, parts, job)
            prior = _pooled_from_total(total, model, params, job.freq, job.calendar)
            if prior:
                job = replace(job, params={**params, "prior_uplift": prior})
        results: list[_PartitionResult | None] = [None] * len(parts)
        with progress_bar(sum(counts), desc=f"forecast ({model}, {runner.name})", enabled=progress) as bar:
            for i, result in runner.map(_forecast_partition, parts, job):
                if isinstance(result, BaseException):
                    result = _failed_partition(parts[i], keys, result, i)
                results[i] = result
                bar.update(counts[i])
    finally:
        if owned:
            runner.close()
    return results


def _distributed_total(runner: Engine, parts, job: _Job) -> pd.Series:
    """Sum of all series per date: summed per partition on the workers, then added here in
    partition order (a fixed order, so every engine gets the same floating-point total)."""
    totals: list[pd.Series | None] = [None] * len(parts)
    for i, total in runner.map(_partition_total, parts, job):
        if isinstance(total, BaseException):
            raise ModelError(f"summing partition {i} for the pooled event profile failed on "
                             f"{runner!r}: {type(total).__name__}: {total}")
        totals[i] = total
    out = totals[0]
    for total in totals[1:]:
        out = out.add(total, fill_value=0.0)
    return out.sort_index()


def _gather_messages(results: list[_PartitionResult]):
    failures = [f for r in results for f in r.failures]
    notes = [n for r in results for n in r.notes]
    return failures, notes


def _check_some_succeeded(succeeded, failures, model, where: str = "") -> None:
    if not succeeded:
        detail = "; ".join(f"{f.key or 'series'}: {f.error}" for f in failures[:5])
        raise ModelError(f"every series failed with model {model!r}: {detail}{where}")


def _warn(failures, notes) -> None:
    if failures:
        warnings.warn(f"{len(failures)} series failed and are missing from the forecast: "
                      + "; ".join(f"{f.key}: {f.error}" for f in failures[:5]), ForecastNoteWarning,
                      stacklevel=3)
    for note in dict.fromkeys(notes):
        warnings.warn(note, ForecastNoteWarning, stacklevel=3)


def pooled_event_uplift(frame: pd.DataFrame, model: str, params: dict, freq: str,
                        calendar: RetailCalendar) -> dict | None:
    """Event log-uplift profiles of the sum of all series, as ``{event: {offset: uplift}}``."""
    return _pooled_from_total(frame.groupby("ds", sort=True)["y"].sum(), model, params, freq, calendar)


def _pooled_from_total(total: pd.Series, model: str, params: dict, freq: str,
                       calendar: RetailCalendar) -> dict | None:
    try:
        fitted = make_model(model, **params).fit(total.to_numpy(float), pd.DatetimeIndex(total.index),
                                                 freq=freq, calendar=calendar)
    except ModelError:
        return None  # e.g. too short or not daily: each series goes on its own
    return {name: dict(profile) for name, profile in fitted.uplift_.items()}


def _sort_quantiles(out: pd.DataFrame, quantiles) -> None:
    """Quantile columns must not cross (sampling noise can make them); sort row-wise in place."""
    cols = [quantile_column(q) for q in quantiles]
    if len(cols) > 1:
        out[cols] = np.sort(out[cols].to_numpy(), axis=1)
