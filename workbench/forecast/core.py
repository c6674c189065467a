"""Forecasting on long frames: grouping by series keys, running a model per series in
parallel, and assembling the planner's output frame (the statsforecast split: models see one
series' arrays; the core owns frames, partitions, pooling, engines and the fallback model).

Input: the standard frame ``[keys..., ds, y]`` (see ``workbench.data.validate``) and a
``ForecastRequest`` (checked before any work).
Output: ``[keys..., ds, yhat, yhat_q10, yhat_q50, yhat_q90]`` (one column per quantile), every
value >= 0: a prediction with a negative or non-finite value is a failed series, never output.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from workbench.calendar import RetailCalendar, default_calendar
from workbench.calendar.years import YEAR_BACK
from workbench.data.io import write_table
from workbench.data.provinces import REGIONS, provinces_from_addresses
from workbench.data.validate import PERIOD_WORDS, SHORT_PERIOD_SHARE, consecutive_runs
from workbench.errors import ModelError, ParameterError
from workbench.forecast.conformal import (HORIZON_BANDS, MIN_CHANGE_UNITS, apply_offsets, conformal_offsets,
                                          rolling_origin_errors)
from workbench.forecast.guard import GUARD_FALLBACK, check_prediction, window_cap
from workbench.forecast.engines import Engine, make_engine, progress_bar
from workbench.forecast.features import (event_free_periods, event_offsets, in_event_span, quiet_periods,
                                        same_periods_a_year_before)
from workbench.forecast.models import MODELS, make_model, resolve_model
from workbench.forecast.models.base import (DEFAULT_QUANTILES, PER_PERIOD_FIELDS, Prediction, count_dispersion,
                                            future_dates, quantile_column)
from workbench.forecast.models.launch import (BIN_PERIODS, MIN_LAUNCHES, LaunchCurve, age_levels,
                                              grouping_curve, launch_curve, launch_start, not_a_launch)
from workbench.forecast.models.regime import own_steps, stopped_since, unexplained_peak, without_steps
from workbench.forecast.models.event_profile import SHIPPED_PROFILES, PooledPrior
from workbench.forecast.models.yearly_season import zero_off_season
from workbench.forecast.request import ForecastRequest, check_keys
from workbench.forecast.window_band import SPAN_STRIDE, capped_window_band, refused_band_note, span_sums
from workbench.notes import SeriesNote, said_once, series_label


MAX_PARTITION_SERIES = 500
TARGET_PARTITIONS = 32
# below this many series the local engine runs in this process unless n_jobs is given: starting
# worker processes (and their imports) costs more than the work (docs/benchmarks.md, speed)
SERIAL_BELOW = 200
# days: a series that sold that long before its last day, and in its last RECENT_SALES_DAYS, is
# established; the pooled prior is fitted on the sum of the established series
ESTABLISHED_DAYS, RECENT_SALES_DAYS = 392, 28
# established series a level above a series (a category, a region) needs to lend it its pooled
# prior: fewer is one series' own noise, or the series itself
MIN_LEVEL_SERIES = 3
# a young series borrows a level from this many established series in it: its own days say less than
# one established series of its kind (trial 14: young gift sets took the skincare panel's +25% New
# Year sale for their 2 established sets' x4), and the level's events are pooled toward the panel's
MIN_YOUNG_LEVEL_SERIES = 1
# an established series holding this share or more of its level's units over the last year borrows
# the level's sum without itself (``level_priors``: its events are not counted twice)
LEAVE_ONE_OUT = 0.1
PANEL = ()  # ``level_priors``' level for a young series with no level above it: the panel's prior


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
    replaced: list[SeriesFailure] = field(default_factory=list)  # forecast by the fallback, and why


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
    conformal_windows: int = 0
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None  # first and last day of a window total's band
    prior_param: str | None = None  # the model's pooling parameter, when the core pools
    # a file declares unavailable days: a series' forecast on those inside its horizon is sales 0, the
    # demand given up in ``LOST_SALES`` (``constrain_unavailable``; the days travel with each partition)
    unavailable: bool = False
    launch_param: str | None = None  # the model's launch-curve parameter, when the core measures curves
    launch_curves: tuple = ()  # ((key, value), LaunchCurve): product groupings' own (``grouping_launch_curves``)


@dataclass
class _Partition:
    """One forecast task's series: their rows; per series that borrows a level's pooled prior
    (its key values in the job's ``keys`` order) that level; and per such level its prior and
    the note naming it (``level_priors``). Only the partition's own series and levels travel
    with it, never every series' (series without a level take the job's ``params`` prior)."""

    rows: pd.DataFrame
    levels: dict = field(default_factory=dict)
    priors: dict = field(default_factory=dict)
    unavailable: dict = field(default_factory=dict)  # series key values -> its declared days, when any


@dataclass
class _PartitionResult:
    frame: pd.DataFrame | None  # None when written to ``file`` or when the task failed
    series: int
    rows: int
    failures: list[SeriesFailure]
    notes: list[str]
    replaced: list[SeriesFailure]
    file: str | None = None
    windows: list[dict] = field(default_factory=list)  # per series: its window total and band


def series_keys(frame: pd.DataFrame, keys=None) -> list[str]:
    """Key columns: given (each once, present in ``frame``, not ``ds`` or ``y``), or every column
    other than ``ds`` and ``y``. Raises ``ParameterError`` naming a repeated or absent key."""
    if keys is None:
        return [c for c in frame.columns if c not in ("ds", "y")]
    keys = check_keys(keys)
    absent = [k for k in keys if k not in frame.columns or k in ("ds", "y")]
    if absent:
        raise ParameterError(f"keys: {absent} are not key columns of the frame; it has "
                             f"{[c for c in frame.columns if c not in ('ds', 'y')]}")
    return keys


def default_partition_size(n_series: int) -> int:
    """Series per partition: about ``TARGET_PARTITIONS`` partitions, at most
    ``MAX_PARTITION_SERIES`` series each. It depends on the data only, never on the engine, so
    every engine splits (and sums the pooled profile) the same way."""
    return int(min(MAX_PARTITION_SERIES, max(1, -(-n_series // TARGET_PARTITIONS))))


def partition_series(frame: pd.DataFrame, keys, partition_size: int | None = None):
    """Split ``frame`` into partitions of whole series, in sorted key order.

    Returns ``(partitions, series_counts)``; each partition holds ``partition_size`` series
    (the last one fewer; default ``default_partition_size``), rows in their original order.
    Raises ``ModelError`` for an empty frame, ``ParameterError`` for a size below 1.
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


def fallback_model(freq: str, n_periods: int) -> str:
    """The registry name of the model the core uses for a series its model cannot fit (a
    frequency it does not support, or fewer than its ``min_history`` periods): ETS for weekly,
    monthly or quarterly history it can fit (it fits a season, the one season seen, or level
    only, and says which), else the seasonal naive (which fits any series). ``n_periods``: the
    series' length in periods of ``freq``.
    Source: the ``fallback_model`` of Nixtla's statsforecast ``StatsForecast``."""
    if freq != "D" and n_periods >= MODELS["ets"].capabilities.min_history:
        return "ets"
    return "seasonal_naive"


def _choose_model(job: _Job, y: np.ndarray, ds: pd.DatetimeIndex) -> tuple[str, dict, str | None]:
    """``(model, params, note)`` for one series: the job's model, or the fallback with a note
    saying why (from the capabilities the model declares). A series launched within the panel
    with fewer periods since its start than the model needs goes to ``GUARD_FALLBACK`` along
    the panel's launch curve (a flat or seasonal-naive copy of a launch's first periods misses
    its ramp, and one fitted across the zeros before it sits near zero); without a usable curve
    ``GUARD_FALLBACK`` holds its level since the start (trial 10, not rerunnable: a nut box
    launched 47 days before the cut-off, by the seasonal naive before 09989fb, repeated a
    November week into the New Year sale: 184 units against 953). A launch is
    ``launch.launch_of``'s (``LaunchCurve.start_of``), the curve's own rule. A series too short
    for the model that is no launch (a slow seller, a table that starts at its first sale) but
    has a pooled prior goes to ``GUARD_FALLBACK`` with it too (``_fallback_params``): its recent
    level times the pooled event profile, the band widened for the few periods its level was
    read on (``recent_level.level_spread``); the seasonal naive, which ignores the prior, repeated
    a slow gift box's last week into its first 年货节: -84% and -62% of the window
    (``benchmarks/launch_lift.py``)."""
    caps = MODELS[job.model].capabilities
    curve = job.params.get(caps.launch_param) if caps.launch_param else None
    start = curve.start_of(y, ds) if curve is not None else None  # a launch, with a usable curve or not
    if job.freq not in caps.frequencies:
        reason = f"{job.freq} data ({job.model} fits {', '.join(caps.frequencies)} data)"
    elif len(y) < caps.min_history and start is None:
        reason = f"only {len(y)} periods of history ({job.model} needs {caps.min_history})"
        pooled = _fallback_params(job)
        if "prior" in pooled or "lunar_prior" in pooled:  # its recent level x the pooled event profile
            return GUARD_FALLBACK, pooled, (
                f"{job.model}: {reason}; forecast by {GUARD_FALLBACK} at its recent level with the pooled event "
                f"profile instead")
    elif start is not None and len(y) - start < caps.min_history:
        return GUARD_FALLBACK, _fallback_params(job), (
            f"{job.model}: only {len(y) - start} periods since the launch on {ds[start].date()} ({job.model} needs "
            f"{caps.min_history}); forecast by {GUARD_FALLBACK} "
            + (f"along {curve.whose} launch curve instead" if curve.usable else "at its level since the launch instead"))
    else:
        return job.model, job.params, None
    fallback = fallback_model(job.freq, len(y))
    return fallback, {}, f"{job.model}: {reason}; forecast by {fallback} instead"


def _zero_forecast(ds: pd.DatetimeIndex, job: _Job) -> Prediction:
    """An all-zero history forecasts zero in every quantile, with a note (no model would learn
    anything else from it, and band widths from no evidence would invent demand)."""
    future = future_dates(ds, job.freq, job.horizon)
    zeros = np.zeros(job.horizon)
    return Prediction(future, zeros, {q: zeros.copy() for q in job.quantiles},
                      [f"no demand in the {len(ds)} periods of history; forecast zero"], zeros.copy())


def _check_prediction(pred: Prediction, model: str, job: _Job) -> str | None:
    """Why a model's prediction is not a sane forecast of non-negative demand (a mean or
    quantile missing, non-finite or negative; a per-period field not of the horizon's shape),
    or None."""
    values = {"mean": pred.mean, **{quantile_column(q): pred.quantiles.get(q) for q in job.quantiles}}
    for name, v in values.items():
        if v is None or len(v) != job.horizon:
            return f"{model} returned no {name} for {job.horizon} periods"
        v = np.asarray(v, dtype=float)
        if not np.isfinite(v).all():
            return f"{model} returned non-finite {name} values"
        if (v < 0).any():
            return f"{model} returned negative {name} values (min {v.min():.4g}); demand is non-negative"
    for name in PER_PERIOD_FIELDS:  # a field of another shape would fail the partition downstream
        v = getattr(pred, name)
        if v is not None and np.shape(v) != (job.horizon,):
            return f"{model} returned {name} of shape {np.shape(v)}, not one value per period ({job.horizon})"
    return None


def _forecast_one(y, ds, job: _Job):
    """``(prediction, None, replaced, paths)`` or ``(None, error, None, [])`` for one series;
    ``replaced`` says why the fallback forecast it (None when its model did); ``paths`` are the
    refit paths of the model that forecast it (``Forecaster.refit_paths``)."""
    if len(ds) > 1 and not ds.is_monotonic_increasing or not ds.is_unique:  # a data fault, not a model's
        at = ds[np.flatnonzero(np.diff(ds.asi8) <= 0)[0] + 1]
        return None, f"dates must increase (repeated or out of order at {at.date()}); validate the data first", None, []
    if len(y) and not (y > 0).any():
        return _zero_forecast(ds, job), None, None, []
    model, params, note = _choose_model(job, y, ds)
    paths = []
    quiet = quiet_periods(ds, job.freq, job.calendar)  # the guard's, once per series
    try:
        fitted = make_model(model, freq=job.freq, **params).fit(y, ds, freq=job.freq, calendar=job.calendar)
        pred = fitted.predict(job.horizon, job.quantiles)
    except Exception as exc:  # one series' failure must not stop the others, nor lose the series
        reason = f"it failed ({type(exc).__name__}: {exc})"
    else:
        reason = _check_prediction(pred, model, job)
        if not reason:
            pred = _conformal(pred, y, ds, model, params, job)
            reason = _check_prediction(pred, model, job) or check_prediction(y, pred, job.freq, quiet)
            if not reason and job.window is not None:
                try:
                    paths = fitted.refit_paths()
                except Exception as exc:  # a window band's evidence, not the forecast: the series stays
                    pred.notes.append(f"{model}: its refit paths failed ({type(exc).__name__}: {exc}); its window "
                                      f"band takes the rule without them")
    if reason:  # failed, or not believable next to its history: the fallback, with a note
        pred = _fallback(y, ds, quiet, job, model, reason)
        if isinstance(pred, str):
            return None, pred, None, []
    # a yearly off season is zero whatever model forecast it (an intermittent rate, a recent level)
    pred = zero_off_season(pred, y, ds, job.freq, GUARD_FALLBACK if reason else model)
    if note:
        pred.notes.append(note)
    return pred, None, reason, paths


def _window_total(pred: Prediction, paths, y, ds: pd.DatetimeIndex, job: _Job, lost=None, curve=None
                  ) -> dict | None:
    """The series' total over ``job.window`` (``yhat``: each period's forecast times the share
    of its days inside the window, ``data.validate.window_share``), its quantiles
    (``window_band``, held to the guard's cap of a window total, ``guard.window_cap``: a rule whose
    band reaches past it is refused, the next one taken, and a note added to ``pred``'s naming the
    reason: ``window_band.capped_window_band``), which rule gave them (``window_band``) and, under
    ``SPANS``, its refits' span sums (``window_band.span_sums``: what a level's band sums) with each refit's
    ``origin``, the first period it forecast (its path runs from there to the history's last
    period ``ds[-1]``: the date that pairs it with other series' refits); with ``lost`` (the demand
    given up per period, ``constrain_unavailable``) its window total too, as ``LOST_SALES``; with
    ``curve`` (its launch curve, ``models.launch.LaunchCurve``) a young series' band holds its level's
    spread (``young_spread``); None when no forecast period touches the window."""
    from workbench.data.validate import window_share

    start, end = job.window
    share = window_share(pred.ds, job.freq, start, end)
    inside = np.flatnonzero(share > 0)
    if not len(inside):
        return None
    spans = span_sums(paths, share[inside], SPAN_STRIDE[job.freq])
    # the band is held to the sanity the point is (guard.window_cap), a refused rule's band replaced, said
    total = float(share[inside] @ pred.mean[inside])
    lift = 1.0 if pred.pooled_uplift is None else np.exp(np.maximum(np.asarray(pred.pooled_uplift)[inside], 0.0))
    net = float(share[inside] @ (pred.mean[inside] / lift))  # the point net of the pool's rise it borrows
    cap, why = window_cap(y, total, len(inside), int(inside[-1]) + 1, job.freq, total / net if net > 0 else 1.0)
    band, rule, refused = capped_window_band(
        cap, pred.mean[inside], {q: pred.quantiles[q][inside] for q in job.quantiles}, int(inside[0]) + 1,
        job.quantiles, spans=spans, history=y, weights=share[inside], freq=job.freq,
        level_spread=_level_spread(pred, inside), young_spread=young_spread(y, curve, int(inside[0]) + 1, len(inside)),
        day_spread=None if pred.event_spread is None else np.asarray(pred.event_spread)[inside])
    if refused:
        pred.notes.append(refused_band_note(refused, max(job.quantiles), cap, why, rule))
    given = {} if lost is None else {LOST_SALES: float(share[inside] @ lost[inside])}
    return {"yhat": total, **{quantile_column(q): v for q, v in band.items()},
            "window_band": rule, **given, SPANS: {"origin": ds[len(ds) - spans["reach"]],
                                         **{k: spans[k] for k in ("start", "actual", "forecast")}}}


def young_spread(y, curve: LaunchCurve | None, first_step: int, length: int) -> float:
    """The standard deviation (log) of a young series' level over a window, around the level its
    model carries it to: ``LaunchCurve.level_spread`` of ``curve`` (its launch curve) from its age
    now (periods since its first sale, ``y`` its history) to the window's middle (``first_step``:
    the window's first period after the history; ``length``: its periods). 0 for a series that
    sold a year ago or more (``calendar.years.YEAR_BACK``: its own refits or past sums measure its
    level), for no units sold and without a curve. ``window_band(young_spread=...)`` adds it."""
    sold = np.flatnonzero(np.asarray(y, float) > 0)
    if curve is None or not len(sold):
        return 0.0
    age = len(y) - int(sold[0])
    if age >= YEAR_BACK[curve.freq]:
        return 0.0
    return curve.level_spread(age, age + first_step - 1 + (length + 1) / 2)


def _level_spread(pred: Prediction, inside: np.ndarray) -> np.ndarray | None:
    """The standard deviation (log) per period of the level errors no refit measured, on the
    window's periods ``inside`` (indices): a launch's growth past its curve's evidence
    (``Prediction.launch_spread``), an uplift borrowed for an event never seen
    (``Prediction.event_spread``) and a season's level (``Prediction.season_spread``: read from one
    year, or a yearly off season's growth carried across its off months, or a level read on a short
    history, ``recent_level.level_spread``), independent, so added in
    quadrature; None without any."""
    parts = [np.asarray(s, float)[inside] for s in (pred.launch_spread, pred.event_spread, pred.season_spread)
             if s is not None]
    return np.sqrt(sum(p ** 2 for p in parts)) if parts else None


SPANS = "_spans"  # the key of a window record's span sums (kept apart from the band's columns)


def _window_spans(records: list[dict], keys: list[str]) -> dict[str, list]:
    """Every series' refit span sums (``_window_total``'s ``SPANS``) as columns of lists (a
    frame's attrs are compared when frames are joined, which arrays and frames cannot be): keys,
    ``origin``, ``start``, ``actual``, ``forecast``."""
    columns = [*keys, "origin", "start", "actual", "forecast"]
    parts = [pd.DataFrame(w[SPANS]).assign(**{k: w[k] for k in keys}) for w in records if len(w[SPANS]["start"])]
    if not parts:
        return {c: [] for c in columns}
    return pd.concat(parts, ignore_index=True)[columns].to_dict("list")


def _conformal(pred: Prediction, y, ds, model: str, params: dict, job: _Job) -> Prediction:
    """``pred`` with its quantiles calibrated on the model's own out-of-sample errors when the
    request asks for it (``job.conformal_windows`` refits) and the model does not calibrate
    itself at this frequency (``Capabilities.calibrated``): the model is refitted at origins
    ``horizon`` periods apart before the end, as StatsForecast's ``ConformalIntervals(h,
    n_windows)`` does (``conformal.rolling_origin_errors``), and the band around the point
    forecast comes from those log errors by horizon (``conformal.conformal_offsets``, centred).
    Small counts keep the model's count quantiles (``count_dispersion``: most log errors of a
    sparse series are 0, so a log-error band would collapse). A series too short for any refit,
    or whose refits fail, keeps the model's own quantiles, with a note."""
    caps = MODELS[model].capabilities
    if not job.conformal_windows or job.freq in caps.calibrated or count_dispersion(y) is not None:
        return pred
    try:
        horizons, errors = rolling_origin_errors(
            lambda: make_model(model, freq=job.freq, **params), y, ds, horizon=job.horizon,
            n_windows=job.conformal_windows, freq=job.freq, calendar=job.calendar,
            min_history=max(caps.min_history, 2))
    except Exception as exc:  # a refit's failure must not lose the forecast
        pred.notes.append(f"{model}: bands not calibrated (a rolling-origin refit failed: "
                          f"{type(exc).__name__}: {exc}); the model's own quantiles")
        return pred
    if not len(errors):
        pred.notes.append(f"{model}: bands not calibrated ({len(y)} periods leave no room for a "
                          f"{job.horizon}-period rolling-origin refit); the model's own quantiles")
        return pred
    offsets = conformal_offsets(horizons, errors, job.horizon, job.quantiles, bands=HORIZON_BANDS[job.freq])
    return replace(pred, quantiles=apply_offsets(pred.mean, offsets))


def _fallback(y, ds, quiet, job: _Job, model: str, reason: str):
    """The ``GUARD_FALLBACK`` forecast of a series whose ``model`` failed or whose forecast was
    refused (it keeps the pooled prior and the launch curve when it takes them; refused along
    the curve or a young series' pooled path, it holds the level instead, with the pooled event
    profile; refused with the pooled prior too, it takes neither: a prior must not cost a series
    its forecast; a daily series that sold a year ago first follows its own path of a year before,
    ``recent_level.own_path``: a winter blanket refused at its peak was held at it through the
    summer, trial 13 F6), or the error when that fails or is refused too.
    ``reason``: why, in words, for the note; ``quiet``: the series' quiet periods (``guard.check_prediction``).
    Source: the ``fallback_model`` of Nixtla's statsforecast, which also replaces a model that
    raises for one series."""
    params = _fallback_params(job)
    launch = MODELS[GUARD_FALLBACK].capabilities.launch_param
    attempts = [(params, "")]
    if "prior" in params:  # its level held: no launch growth, no pooled seasonal path (a young series' path refused)
        attempts.append(({**{k: v for k, v in params.items() if k != launch}, "pooled_path": False},
                         " with its level held (no launch growth, no pooled seasonal path)"))
    elif launch in params:
        attempts.append(({k: v for k, v in params.items() if k != launch},
                         " without the launch curve (no launch growth)"))
    if "prior" in params or "lunar_prior" in params:  # last: its own recent level, nothing pooled (never no forecast)
        attempts.append(({}, " on the series' own recent level alone (no pooled event profile, no launch curve)"))
    if model == GUARD_FALLBACK:  # the refused forecast was the first attempt's: a repeat would be refused again
        attempts = attempts[1:]
    if job.freq == "D":  # first, a series with a year of its own follows its own year, not its level held flat
        attempts = [({**p, "own_season": True}, how) for p, how in attempts[:1]] + attempts
    for params, how in attempts:
        try:
            pred = make_model(GUARD_FALLBACK, freq=job.freq, **params).fit(y, ds, freq=job.freq,
                                                                           calendar=job.calendar) \
                .predict(job.horizon, job.quantiles)
        except Exception as exc:
            return f"{model}: {reason}; {GUARD_FALLBACK} failed too: {type(exc).__name__}: {exc}"
        again = _check_prediction(pred, GUARD_FALLBACK, job) or check_prediction(y, pred, job.freq, quiet)
        if not again:
            pred.notes.append(f"{model} forecast replaced by {GUARD_FALLBACK}{how}: {reason}")
            return pred
    if not attempts:
        return f"{model}: {reason}; no other {GUARD_FALLBACK} forecast to fall back on"
    return f"{model}: {reason}; {GUARD_FALLBACK} refused too ({again})"


def _fallback_params(job: _Job) -> dict:
    """What ``GUARD_FALLBACK`` keeps of the job's pooled parameters: the pooled profile
    (``prior``; at weeks and months the pooled festival effects, ``lunar_prior``) and the panel's
    launch curve."""
    params = {"prior": job.params["prior"]} if "prior" in job.params else {}
    if job.params.get("lunar_prior") is not None:  # a weekly or monthly launch's New Year sale is no flat level
        params["lunar_prior"] = job.params["lunar_prior"]
    launch = MODELS[job.model].capabilities.launch_param
    if launch in job.params:
        params[MODELS[GUARD_FALLBACK].capabilities.launch_param] = job.params[launch]
    return params


def _series_of(part: pd.DataFrame, keys):
    """``(label, rows)`` per series of a partition, in sorted key order."""
    if not keys:
        return [({}, part)]
    groups = part.groupby(list(keys), sort=True, dropna=False, observed=True)
    return [(dict(zip(keys, key if isinstance(key, tuple) else (key,))), rows) for key, rows in groups]


def partition_file(out_dir, index: int) -> Path:
    """Where partition ``index`` of a streamed forecast is written."""
    return Path(out_dir) / f"part-{index:05d}.parquet"


def _forecast_series(part: _Partition, keys: list, job: _Job):
    """Forecast pieces, failures, notes, fallback replacements and window totals (with
    ``job.window``) of one partition's series."""
    pieces, failures, notes, replaced, windows = [], [], [], [], []
    for label, rows in _series_of(part.rows, keys):
        y = rows["y"].to_numpy(float)
        level = part.levels.get(tuple(label[k] for k in keys))
        series_job, level_note = _with_level_prior(job, None if level is None else part.priors[level])
        curve = None
        if job.launch_param:  # its category's own launch curve where it has one
            curve = _launch_curve_of(label, job.launch_curves, job.params[job.launch_param])
            series_job = replace(series_job, params={**series_job.params, job.launch_param: curve})
        pred, error, why, paths = _forecast_one(y, pd.DatetimeIndex(rows["ds"]), series_job)
        if not error and curve is not None and curve.short_life:
            pred = short_life(pred, y, pd.DatetimeIndex(rows["ds"]), curve)
        if level_note and not error and (y > 0).any():
            pred.notes.append(level_note)
        if error:
            failures.append(SeriesFailure(label, error))
            continue
        if why:
            replaced.append(SeriesFailure(label, why))
        lost = None
        if job.unavailable:  # a planned stock-out: sales 0 on its days, the demand given up said
            days = part.unavailable.get(tuple(label[k] for k in keys), pd.DatetimeIndex([]))
            pred, lost, said = constrain_unavailable(pred, days, job.freq)
            if said:
                pred.notes.append(said)
        piece = pd.DataFrame({"ds": pred.ds, "yhat": pred.mean})
        for q in job.quantiles:
            piece[quantile_column(q)] = pred.quantiles[q]
        if job.with_baseline:
            piece["yhat_baseline"] = pred.baseline if pred.baseline is not None else np.nan
        if lost is not None:
            piece[LOST_SALES] = lost
        for k, v in label.items():
            piece[k] = v
        pieces.append(piece)
        total = _window_total(pred, paths, y, pd.DatetimeIndex(rows["ds"]), job, lost, curve) if job.window is not None \
            else None
        notes += [SeriesNote(series_label(label), n, label) for n in pred.notes]  # a refused band's too
        if total is not None:
            windows.append({**label, **total})
    return pieces, failures, notes, replaced, windows


def _with_level_prior(job: _Job, chosen: tuple | None) -> tuple[_Job, str | None]:
    """``job`` with the pooled prior of ``chosen``, ``(prior, note)`` of the level a series
    borrows from (``level_priors``; prior None: the panel's, which ``job`` holds), and its note;
    ``job`` as it is and None for ``chosen`` None (an established series with the panel's prior,
    or no pooling)."""
    if chosen is None:
        return job, None
    prior, note = chosen
    return (job if prior is None else replace(job, params={**job.params, job.prior_param: prior})), note


def _forecast_partition(index: int, part: _Partition, job: _Job) -> _PartitionResult:
    """Forecast every series of one partition (runs on a worker)."""
    keys = list(job.keys)
    # one series' fit is too small to share: extra BLAS threads only wait (statsmodels' ETS fits
    # were 4x slower on a busy 2-core machine); set once per partition (it costs 1-10 ms)
    with threadpool_limits(1, user_api="blas"):
        pieces, failures, notes, replaced, windows = _forecast_series(part, keys, job)
    columns = [*keys, "ds", "yhat", *map(quantile_column, job.quantiles)] \
        + (["yhat_baseline"] if job.with_baseline else []) + ([LOST_SALES] if job.unavailable else [])
    if pieces:
        out = pd.concat(pieces, ignore_index=True)[columns]
        for k in keys:  # the input's key types, whatever the model's scalars were
            out[k] = out[k].astype(part.rows[k].dtype)
        _sort_quantiles(out, job.quantiles)
    else:
        out = pd.DataFrame({k: part.rows[k].iloc[:0] for k in keys} | {c: pd.Series(dtype=float) for c in columns[len(keys):]})
        out["ds"] = pd.to_datetime(out["ds"])
    if job.out_dir is None:
        return _PartitionResult(out, len(pieces), len(out), failures, notes, replaced, windows=windows)
    path = write_table(out, partition_file(job.out_dir, index))
    return _PartitionResult(None, len(pieces), len(out), failures, notes, replaced, str(path), windows)


def _partition_total(index: int, part: pd.DataFrame, job: _Job) -> pd.DataFrame:
    """Per date, the sum of the partition's series (``all``) and of its established ones
    (``established``, see ``established_series``); runs on a worker."""
    return pd.DataFrame({"all": part.groupby("ds", sort=True)["y"].sum(),
                         "established": established_series(part, job.keys).groupby("ds", sort=True)["y"].sum()}
                        ).fillna(0.0)


def established_series(frame: pd.DataFrame, keys) -> pd.DataFrame:
    """The rows of the series that sold ``ESTABLISHED_DAYS`` or more before their last day and
    sold in their last ``RECENT_SALES_DAYS``: not launched within the year, not stopped. Their
    sum is the like-for-like total: the sum of all series also grows by launches and shrinks by
    stops, a growth no single series has (a young series borrowing it was forecast 14% high on
    a synthetic panel whose launches were large)."""
    keys = list(keys)
    if not keys:
        return frame
    grouped = frame.groupby(keys, sort=False, dropna=False, observed=True)
    last = grouped["ds"].transform("max")
    first_sale = frame["ds"].where(frame["y"] > 0).groupby([frame[k] for k in keys], sort=False, dropna=False,
                                                           observed=True).transform("min")
    recent = frame["y"].where(frame["ds"] > last - pd.Timedelta(days=RECENT_SALES_DAYS), 0.0)
    recent_sales = recent.groupby([frame[k] for k in keys], sort=False, dropna=False, observed=True).transform("sum")
    keep = (first_sale <= last - pd.Timedelta(days=ESTABLISHED_DAYS)) & (recent_sales > 0)
    return frame[keep.to_numpy()]


def _failed_partition(part: pd.DataFrame, keys, exc: BaseException, index: int) -> _PartitionResult:
    error = f"partition {index} failed on the engine: {type(exc).__name__}: {exc}"
    failures = [SeriesFailure(label, error) for label, _ in _series_of(part, keys)]
    return _PartitionResult(None, 0, 0, failures, [], [])


def make_request(frame: pd.DataFrame, request: ForecastRequest | None, fields: dict) -> ForecastRequest:
    """``request``, or one built (and so checked) from keyword ``fields``; the frequency
    defaults to the frame's own (``attrs["freq"]`` from validation, else daily)."""
    if request is not None:
        if fields:
            raise ParameterError(f"give either a ForecastRequest or its fields, not both "
                                 f"(got also {sorted(fields)})")
        return request
    if fields.get("freq") is None:
        fields = {**fields, "freq": frame.attrs.get("freq", "D")}
    if fields.get("model_params") is None:
        fields.pop("model_params", None)
    try:
        return ForecastRequest(**fields)
    except TypeError as exc:  # a missing horizon or an unknown field
        raise ParameterError(f"forecast request: {exc}") from None


# uncensored periods a declared run's level is read from, and fewer than which before a run its
# level is read after it (days: 28 and 7; weeks and months: about the same four weeks)
UNAVAILABLE_LEVEL_PERIODS = {"D": 28, "W": 4, "MS": 2}
UNAVAILABLE_MIN_PERIODS = {"D": 7, "W": 2, "MS": 1}
LOST_SALES = "lost_sales"  # the forecast's column of demand given up on declared days (units per period)


class DeclaredRuns:
    """``read_unavailable``'s table indexed once by the series its runs name: per set of key columns
    the runs name (all of ``keys``, a part of them, e.g. a region for SKU x region series, or none: every
    series), their key values (as text) -> the days they declare (sorted, distinct). A run naming a column
    ``keys`` lack names no series here (a finer series, e.g. a SKU, names no sum of series such as a
    region's). The one reading of which series a run names, for the censoring, the horizon's planned
    stock-outs and the backtest's scores; its cost is the file's days once, not runs x series (review
    10.1 F7: a file of 400 runs made a 400-series forecast 5x slower).

    Parameters
    ----------
    spans : ``read_unavailable``'s table (key columns it names, ``start``, ``end``: inclusive days), or
        None / empty.
    keys : the series key columns of the data it is read against."""

    def __init__(self, spans: pd.DataFrame | None, keys):
        self.keys = list(keys)
        self.days: dict[tuple, dict[tuple, pd.DatetimeIndex]] = {}  # named columns -> values -> days
        self.table: dict[tuple, pd.DataFrame] = {}  # named columns -> [named..., ds], one row a declared day
        if spans is None or not len(spans):
            return
        if any(c not in ("start", "end", "line") and c not in self.keys for c in spans.columns):
            return
        spans = spans.reset_index(drop=True)
        given = spans[[k for k in self.keys if k in spans.columns]].notna()
        for named, runs in spans.groupby([given[k] for k in given.columns], sort=False) if len(given.columns) \
                else [((), spans)]:
            named = tuple(k for k, on in zip(given.columns, named if isinstance(named, tuple) else (named,)) if on)
            start = pd.DatetimeIndex(runs["start"]).to_numpy("datetime64[D]")
            length = (pd.DatetimeIndex(runs["end"]).to_numpy("datetime64[D]") - start).astype(int) + 1
            first = np.repeat(np.cumsum(length) - length, length)
            day = np.repeat(start, length) + (np.arange(length.sum()) - first).astype("timedelta64[D]")
            table = pd.DataFrame({k: np.repeat(runs[k].astype(str).to_numpy(), length) for k in named}
                                 | {"ds": day.astype("datetime64[ns]")}).drop_duplicates()
            self.table[named] = table
            self.days[named] = {(v if isinstance(v, tuple) else (v,)) if named else (): pd.DatetimeIndex(np.sort(g))
                                for v, g in (table.groupby(list(named), sort=False)["ds"].unique().items()
                                             if named else [((), table["ds"].unique())])}

    def __bool__(self) -> bool:
        return bool(self.days)

    def of(self, key: dict) -> pd.DatetimeIndex:
        """The days (sorted, distinct) declared for the one series ``key`` (its key columns and values)."""
        hits = [by[tuple(str(key[k]) for k in named)] for named, by in self.days.items()
                if tuple(str(key[k]) for k in named) in by]
        if len(hits) < 2:
            return hits[0] if hits else pd.DatetimeIndex([])
        return pd.DatetimeIndex(np.unique(np.concatenate([h.to_numpy() for h in hits])))

    def named(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask (shape (len(frame),)) of the rows of ``frame`` (``[keys..., ds, ...]``) of a
        series some run names, on any day."""
        hit = np.zeros(len(frame), dtype=bool)
        for named, by in self.days.items():
            hit |= _key_text(frame, named).isin(list(by)) if named else True
        return hit

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean mask (shape (len(frame),)) of the rows of ``frame`` (``[keys..., ds, ...]``) on a day
        a run declares unavailable for their series."""
        hit = np.zeros(len(frame), dtype=bool)
        for named, table in self.table.items():
            rows = pd.MultiIndex.from_arrays([*(frame[k].astype(str).to_numpy() for k in named),
                                              pd.DatetimeIndex(frame["ds"]).as_unit("ns")])
            hit |= rows.isin(pd.MultiIndex.from_frame(table[[*named, "ds"]]))
        return hit


def _key_text(frame: pd.DataFrame, columns) -> pd.MultiIndex:
    """The key values of ``frame``'s rows in ``columns`` as text (a run's values are text), one tuple a row."""
    return pd.MultiIndex.from_arrays([frame[c].astype(str).to_numpy() for c in columns])


def unavailable_mask(frame: pd.DataFrame, keys, spans: pd.DataFrame | None) -> np.ndarray:
    """Boolean mask (shape (len(frame),)) of the rows of ``frame`` (``[keys..., ds, ...]``) on a day
    ``spans`` (``read_unavailable``'s table) declares unavailable for their series (``DeclaredRuns``):
    the one reading of the declaration, for the censoring (``censor_unavailable``) and the backtest's
    scores."""
    return DeclaredRuns(spans, keys).mask(frame)


def unavailable_share(frame: pd.DataFrame, keys, spans: pd.DataFrame | None, freq: str) -> np.ndarray:
    """The share (shape (len(frame),), 0..1) of the days of each row of ``frame`` (``[keys..., ds,
    ...]``, periods at ``freq`` dated by their first day) that ``spans`` (``read_unavailable``'s
    table) declares unavailable for its series (``declared_share``): 1 for a period whose sales
    forecast is 0 by declaration (``constrain_unavailable``), which a reconciliation holds there, and
    a week's or month's share for one partly declared, which a reconciliation moves only as far as the
    days it sells (``reconcile.reconcile(held=...)``; review 10.1 F4, review 11.1 F5)."""
    runs = DeclaredRuns(spans, keys)
    if freq == "D" or not runs:
        return runs.mask(frame).astype(float)
    out = np.zeros(len(frame))
    named = np.flatnonzero(runs.named(frame))
    keys = list(keys)
    part = frame.iloc[named]
    for key, rows in (part.groupby(keys, sort=False).indices.items() if keys else [((), np.arange(len(part)))]):
        key = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        ds = pd.DatetimeIndex(part["ds"].iloc[rows])
        order = np.argsort(ds.to_numpy())
        out[named[rows[order]]] = declared_share(ds[order], freq, runs.of(key))
    return out


def declared_share(ds, freq: str, days: pd.DatetimeIndex) -> np.ndarray:
    """Per period of ``ds`` (one series' sorted periods, each dated by its first day at ``freq``), the
    share of its days among ``days`` (``DeclaredRuns.of``): 0 or 1 for days, 0..1 for a week or month
    (2 declared days of a week: 2/7). Shape (len(ds),)."""
    from workbench.data.validate import period_end

    ds = pd.DatetimeIndex(ds)
    share = np.zeros(len(ds))
    if not len(days) or not len(ds):
        return share
    ends = period_end(ds, freq)
    at = np.searchsorted(ds.to_numpy("datetime64[ns]"), days.to_numpy("datetime64[ns]"), side="right") - 1  # one unit
    inside = at >= 0
    inside[inside] = days[inside] <= ends[at[inside]]
    counts = np.bincount(at[inside], minlength=len(ds))
    return counts / ((ends - ds).days.to_numpy() + 1)


def censor_unavailable(frame: pd.DataFrame, keys, spans: pd.DataFrame | None, freq: str,
                       calendar: RetailCalendar | None = None) -> tuple[pd.DataFrame, list[SeriesNote]]:
    """``frame`` with each series' declared unavailable days (a stock-out) in its history read as its
    level, and a note per series that says so.

    A day a series could not sell holds zero sales, not zero demand: left as it is, a stock-out at the
    history's end reads as a stopped line and one inside it as a drop or a shift (trial 11 F0/F2). Each run
    of periods holding declared days (consecutive periods of one series) is read from the series' level:
    the median of the ``UNAVAILABLE_LEVEL_PERIODS`` periods without a declared day before the run (after
    it when fewer than ``UNAVAILABLE_MIN_PERIODS`` lie before: a run at the series' start), for the run's
    quiet periods (``quiet_periods``) quiet periods too, past an event span only when fewer than
    ``UNAVAILABLE_MIN_PERIODS`` lie after it (``_nearest``), for its periods in an event span all of them
    (trial 14 F12: MM01, out from inside 双11 to past the cut-off, was
    filled at 112 a day from 28 days 19 of which were the event's, against ~68 sold after it); for days, of
    the same weekday among them (all of them when a weekday is absent), times the change of the sales of
    the series no span names, sold since those periods, over the run against those same periods
    (``_PeerSums``; with a coarser key, the series outside the run's own value of it, e.g. its category,
    whose substitutes would read as the shop's rise, review 10.1 F1; when there are ``MIN_LEVEL_SERIES`` or more: the shop growing, a season or an event over the run, which the level
    before it cannot know; trial 12's top 猫砂 SKU, out the 21 days to its cut-off, was read at 186 a
    day while the other 57 SKUs sold 24% more over those days than before). A day, or a week or month whose
    every day is declared, becomes the level, or keeps its own sales when they are higher (sales on a
    day of a partial stock-out are a lower bound of its demand). A week or month with a share ``s`` of
    its days declared keeps its sales (sold on the other days) and adds ``s`` times the level (the
    declared days' demand). This is the censored-demand imputation of the retail planning tools
    (SAP IBP's out-of-stock correction; Nahmias, *Production and Operations Analysis*, on lost sales):
    every model then reads the series' level on those days. Days declared after the history are the
    forecast's (``forecast``: its sales forecast there is zero, the demand given up in ``lost_sales``).

    Parameters
    ----------
    frame : the standard frame ``[keys..., ds, y]``, ``y`` in the data's units per period.
    keys : series key columns.
    spans : ``workbench.data.unavailable.read_unavailable``'s table (key columns it names, ``start``,
        ``end``; inclusive days), or None / empty (nothing is changed). A span naming a key column
        ``keys`` lack names no series here (``DeclaredRuns``).
    freq : the frame's periods: ``"D"``, ``"W"`` or ``"MS"`` (each dated by its first day).
    calendar : the run's ``RetailCalendar`` (None: the shipped one), whose event spans measure no
        season of the run's own (``_own_season``).

    Returns
    -------
    The frame (a copy, ``y`` as float, when a period held a declared day) and one ``SeriesNote`` per
    series with declared days in its history ("N unavailable days (from..to) read as its level X a day,
    not as zero demand"). Declared days outside a series' rows change nothing.

    Raises
    ------
    ParameterError for quarterly data (a quarter's level from its neighbours is another season).
    """
    if spans is None or not len(spans):
        return frame, []
    if freq not in UNAVAILABLE_LEVEL_PERIODS:
        raise ParameterError(f"--unavailable: declared days are read on daily, weekly or monthly data; this data is "
                             f"{freq!r}: give the daily, weekly or monthly data")
    keys = series_keys(frame, keys)
    runs = DeclaredRuns(spans, keys)
    from workbench.data.validate import period_end

    if freq == "D" and not runs.mask(frame).any():
        return frame, []
    frame = frame.copy()
    frame["y"] = frame["y"].astype(float)
    values = frame["y"].to_numpy(copy=True)
    notes = []
    named = runs.named(frame)  # the rows of the series some span names
    peer_sums = _PeerSums(frame[~named] if keys else frame.iloc[:0], keys)  # what a run's level moves with
    groups = frame[named].groupby(keys, sort=False, observed=True).indices if keys else {(): np.arange(len(frame))}
    where = np.flatnonzero(named) if keys else np.arange(len(frame))
    word = {"D": "day", "W": "week", "MS": "month"}[freq]
    for series, rows in groups.items():
        rows = where[rows]
        series = series if isinstance(series, tuple) else (series,)
        key = dict(zip(keys, series))
        days = runs.of(key)
        if not len(days):
            continue
        rows = rows[np.argsort(frame["ds"].to_numpy()[rows], kind="stable")]
        ds = pd.DatetimeIndex(frame["ds"].to_numpy()[rows])
        share = declared_share(ds, freq, days)
        off = share > 0
        if not off.any():
            continue
        quiet = quiet_periods(ds, freq, calendar or default_calendar())
        y = values[rows]
        said = []
        for run in consecutive_runs(np.flatnonzero(off)):
            start, end = run[0], run[-1] + 1
            inside = days[(days >= ds[start]) & (days <= period_end(ds[end - 1], freq))]
            label = f"{len(inside)} unavailable day(s) ({inside[0].date()}..{inside[-1].date()})"
            if freq != "D":
                label += f" in {end - start} {word}(s)"
            # a run's quiet periods read the series' quiet level, its event periods the level of the periods
            # before as they come (trial 14 F12: a stock-out from inside 双11 on, read at the 28 days before it,
            # 19 of them the event's, filled its December at the event's level, then read as a level shift)
            parts = [(np.arange(start, end)[quiet[start:end]], True, " on its quiet days"),
                     (np.arange(start, end)[~quiet[start:end]], False, " on its event days")]
            parts = [(at, calm, "" if len(at) == end - start else on) for at, calm, on in parts if len(at)]
            read = []
            for at, calm, on in parts:
                level, moved = _run_fill(y, ds, calm, at, start, end, freq, peer_sums, key, keys, quiet, off, word,
                                         calendar or default_calendar())
                if level is None:
                    read.append(f"kept as sold{on}: no uncensored {word} to read its level from")
                    continue
                s = share[at]
                values[rows[at]] = np.where(s < 1, y[at] + s * level, np.maximum(y[at], level))
                how = "a day" if freq == "D" else f"a {word}, each {word}'s declared share of it added to its sales"
                read.append(f"read as its level {level.mean():.3g} {how}{on}{moved}")
            said.append(f"{label} {'; '.join(read)}" + (", not as zero demand" if "read as" in read[-1] else ""))
        notes.append(SeriesNote(series_label(key), "; ".join(said) + " (--unavailable)", key))
    frame["y"] = values
    return frame, notes


def censor_unexplained_peaks(frame: pd.DataFrame, keys, freq: str, calendar: RetailCalendar | None = None
                             ) -> tuple[pd.DataFrame, list[SeriesNote]]:
    """``frame`` with each series' unexplained peaks read as its level, and a note per series
    naming the dates.

    An unexplained peak (``regime.unexplained_peak``) is a run of periods far above the series' own
    level, outside every event window of the run's calendar, that has ended: a 中秋 / Mid-Autumn
    mooncake peak when the planner's calendar lacks 中秋, or a one-off influencer livestream. Read as
    sales, it enters the level (a level shift at its start, a season or growth from a year of it):
    a mooncake peak that ended 10 days before the cut-off carried the next 双11 to +374%
    (``benchmarks/launch_lift.py``). Read at the level around it, the forecast is the series'
    level and its calendar events; a peak that recurs is a festival the planner adds to an
    ``--events`` file, which then explains it. Peaks that are calendar events are never touched.
    Every model, the guard and the window bands read the censored history.

    Parameters
    ----------
    frame : the standard frame ``[keys..., ds, y]``, ``y`` in the data's units per period.
    keys : series key columns.
    freq : the frame's periods (``"D"``, ``"W"``, ``"MS"``, ``"QS"``; each dated by its first day).
    calendar : the run's ``RetailCalendar`` (None: the shipped one), whose event windows explain a peak.

    Returns
    -------
    The frame (a copy, ``y`` as float, when a series has a peak; else ``frame`` itself) and the notes.
    """
    keys = series_keys(frame, keys)
    calendar = calendar or default_calendar()
    values = frame["y"].to_numpy(float, copy=True)
    dates = frame["ds"].to_numpy()
    notes, changed = [], False
    word = PERIOD_WORDS[freq]
    groups = frame.groupby(keys, sort=True, observed=True, dropna=False).indices if keys else {(): np.arange(len(frame))}
    grid = np.unique(dates)  # the calendar read once for every series' dates
    free = event_free_periods(pd.DatetimeIndex(grid), freq, calendar)
    for key_values, rows in groups.items():
        rows = rows[np.argsort(dates[rows], kind="stable")]
        peaks = unexplained_peak(values[rows], free[np.searchsorted(grid, dates[rows])], freq)
        if not peaks:
            continue
        ds = pd.DatetimeIndex(dates[rows])
        key = dict(zip(keys, key_values if isinstance(key_values, tuple) else (key_values,)))
        said = []
        for peak in peaks:
            at = rows[peak.start:peak.end]
            sold = values[at].sum()
            values[at] = peak.level
            said.append(f"{ds[peak.start].date()}..{ds[peak.end - 1].date()} ({peak.end - peak.start} {word}, "
                        + (f"x{sold / peak.level.sum():.1f} its level)" if peak.level.sum() >= 1
                           else f"{sold:,.0f} units over a level of about none)"))
            changed = True
        notes.append(SeriesNote(series_label(key), (
            f"unexplained peak {'; '.join(said)}: far above its level outside every event window of the calendar, "
            f"read at its level for the forecast (its level and growth); a festival your calendar lacks (e.g. 中秋 "
            f"/ Mid-Autumn) goes in an --events file, which then explains it"), key))
    if not changed:
        return frame, []
    frame = frame.copy()
    frame["y"] = values
    return frame, notes


def censor_short_period(frame: pd.DataFrame, keys, freq: str, calendar: RetailCalendar | None = None
                        ) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with its last day read as each series' level when the data say it was cut short,
    and the note that says so.

    An export taken before its last day ended (orders keyed by payment time, the export cut by order
    time: a stub of the orders paid after midnight) holds a last day far below any whole one. Read
    as it is, it is a fall in demand: the daily models read levels on the log scale, where one day of
    5 units after ~1,700 a day weighs as a fall of a quarter over a 28-day level, and trial 12's
    categories moved -25..+22% on it (F21). The test is the table's (``validate.short_last_period``:
    its total, over the series not already short the day before, under 60% of the lowest of its
    quiet siblings', carried down by the same day's fall a year before, and too low for a Poisson
    count there), so the same file gets the same note and the same forecast. Each series' value
    there becomes its median over those siblings (the same weekday of the 4 weeks before), or keeps
    its own sales where higher: the sales of a cut day are a lower bound of its demand, as a declared
    stock-out's are (``censor_unavailable``, the censored-demand imputation of SAP IBP's out-of-stock
    correction). A series already short the day before (the test's ``fell``) keeps its sales: it
    fell before the cut. Every model, the guard and the window bands then read that level.
    Only days: an export cut inside its last day is the mechanism, and a week's or a month's
    shortfall is as often its season's end (a summer shop's first week of September lifted to its
    August level had cost +69% on 8 weeks; review 11.1 F1): it is named (``short_period_note``) and
    read as it is.

    Parameters
    ----------
    frame : the standard frame ``[keys..., ds, y]``, ``y`` in the data's units per period.
    keys : series key columns.
    freq : the frame's periods (``"D"``, ``"W"``, ``"MS"``, ``"QS"``; each dated by its first day).
    calendar : the run's ``RetailCalendar`` (a planner's own events too; None: the shipped one), whose
        event windows are no quiet siblings.

    Returns
    -------
    The frame (a copy, ``y`` as float, when its last day is short; else ``frame`` itself) and the
    note (``[]`` when it is not short, or not a day). A series with no row on any sibling keeps its
    sales.
    """
    from workbench.data.validate import SHORT_PERIOD_SHARE, short_last_period

    if freq != "D":
        return frame, []
    keys = series_keys(frame, keys)
    short = short_last_period(frame[[*keys, "ds", "y"]], freq, calendar, keys)
    if short is None:
        return frame, []
    original, frame = frame, frame.copy()
    frame["y"] = frame["y"].astype(float)
    ds = pd.DatetimeIndex(frame["ds"])
    last = ds == short.last
    if keys:
        by = frame[ds.isin(short.siblings)].groupby(keys, observed=True, sort=True)["y"].median()
        at = frame.loc[last, keys]
        level = by.reindex(pd.MultiIndex.from_frame(at) if len(keys) > 1 else pd.Index(at[keys[0]])).to_numpy()
    else:
        level = np.full(int(last.sum()), frame.loc[ds.isin(short.siblings), "y"].median())
    sold = frame.loc[last, "y"].to_numpy()
    whole = ~np.isnan(level) & ~short.fell[last]
    read = np.where(whole, np.maximum(sold, np.nan_to_num(level)), sold)
    if not (read > sold).any():  # every series sold its level there, or fell before the cut
        return original, []
    frame.loc[last, "y"] = read
    season = f" times {short.season:.2f}, its fall a year before" if short.season < 1 else ""
    kept = f"; {int((~whole).sum())} series low the day before kept as sold" if (~whole).any() else ""
    return frame, [f"forecast: the last day, {short.last.date()}, is cut short (its total {short.total:,.0f} "
                   f"under {SHORT_PERIOD_SHARE:.0%} of the lowest of the same weekday in the {len(short.siblings)} "
                   f"weeks before, {short.lowest:,.0f}{season}): read as each series' median on those days or its "
                   f"own sales where higher ({sold[whole].sum():,.0f} -> {read[whole].sum():,.0f} over "
                   f"{int(whole.sum())} series{kept}), not as a fall in demand"]


def _run_fill(y: np.ndarray, ds: pd.DatetimeIndex, calm: bool, at: np.ndarray, start: int, end: int,
              freq: str, peer_sums: "_PeerSums", key: dict, keys: list, quiet: np.ndarray, off: np.ndarray,
              word: str, calendar: RetailCalendar) -> tuple[np.ndarray | None, str]:
    """``(level, moved)``: the demand per period of a declared run's positions ``at`` (within ``start..end``)
    of one series (``y``, ``ds``: shape (n,), units per period), for ``censor_unavailable``: its level on the
    last ``UNAVAILABLE_LEVEL_PERIODS`` periods without a declared day (``off``, shape (n,)) before the run
    (after it when fewer than ``UNAVAILABLE_MIN_PERIODS`` lie before), ``quiet`` ones when ``calm`` (the
    run's quiet periods; ``_nearest``: past an event span only to find ``UNAVAILABLE_MIN_PERIODS``), times
    its own season over them a year before (``_own_season``, on periods neither declared nor in an event span) and the others' change
    over them (``_peer_change``); ``moved`` the note's account of the factors ("" without). ``(None, "")``
    with no period to read."""
    usable = ~off & quiet if calm else ~off
    around = _nearest(np.flatnonzero(usable[:start])[::-1], freq)[::-1]
    if len(around) < UNAVAILABLE_MIN_PERIODS[freq]:
        around = _nearest(end + np.flatnonzero(usable[end:]), freq)
    if not len(around):
        return None, ""
    before = _run_level(y, ds, around, start, end, freq)[at - start]
    ratio, whose, net = _peer_change(peer_sums, key, keys, ds[around], ds[at], freq, calendar)
    # its own season over the run, from the same periods a year before (an early season's rise), where
    # the others' change is read net of theirs a year before, or there is none: unnetted, it holds a season
    own = _own_season(y, ds, off | ~quiet, around, at, freq) if net or ratio is None else None
    level = before if own is None else np.expm1(np.log1p(before) + own)
    moved = [] if own is None else [f"{np.exp(own):.2f}, its own change over the same {word}s a year "
                                    f"before (their medians)"]
    if ratio is not None:  # the shop's own change over the run: growth, a season, an event
        level = level * ratio
        moved.append(f"{ratio:.2f}: {whose}' sales over those {word}s against the same {word}s before{net}")
    return level, f" (its level before the run, {before.mean():.3g}, times {'; times '.join(moved)})" if moved else ""


def _nearest(positions: np.ndarray, freq: str) -> np.ndarray:
    """The first ``UNAVAILABLE_LEVEL_PERIODS`` of ``positions`` (ordered from a run outwards), stopping
    at the first gap (an event span or a declared period between them) once ``UNAVAILABLE_MIN_PERIODS``
    are taken: the quiet level nearest the run, from further back only where too few lie near it."""
    gaps = np.flatnonzero(np.abs(np.diff(positions)) > 1) + 1
    cut = next((int(g) for g in gaps if g >= UNAVAILABLE_MIN_PERIODS[freq]), len(positions))
    return positions[:min(cut, UNAVAILABLE_LEVEL_PERIODS[freq])]


def _peer_change(peer_sums: "_PeerSums", key: dict, keys: list, around: pd.DatetimeIndex, run: pd.DatetimeIndex,
                 freq: str, calendar: RetailCalendar) -> tuple[float | None, str, str]:
    """``(ratio, whose, net)``: what a declared run's level moves with (``censor_unavailable``), the sales of
    the series ``peer_sums`` holds (``_PeerSums.since``) over the run's periods ``run`` against their level
    on the periods ``around`` (``_run_level``), or None (fewer than ``MIN_LEVEL_SERIES`` such series, none
    sold); ``whose``: those series in words. Net of their own change over the same periods a year before
    (``features.same_periods_a_year_before``: an event's days at the same offset from its anchor a year
    before, other days 364 days or 52 weeks before, the weekday kept; 12 months), on the periods alike to
    their period a year before (both quiet or both an event's), where the data reach back that far and at
    least ``UNAVAILABLE_MIN_PERIODS`` of ``around`` and half of ``run`` are alike, read on the series that
    had sold by then (``net`` says so, "" without): the others' season is not the run's. Trial 16's
    猪肉脯, out 20 December days before 年货节 2026, had been read at a fifth of its level: the others'
    x1.06 over its days, divided by their x4.71 over the same solar days a year before, which lay inside
    年货节 2025 (Spring Festival moved 19 days).
    Trial 13's all-year 四件套 SKU, out 19 days of November, was read at 1.51 times its level, the other
    categories' winter duvets and blankets coming into their season, where its own demand rose by about a
    tenth; net of their same change a year before (x1.35), x1.09. A change is read only on
    ``MIN_CHANGE_UNITS`` units of theirs over the run and the periods before it together, each time
    (else None, or the change unnetted): four winter lines in their off season, 0.3 a day each, ~60
    units, had moved a steady seller's run x0.47..x2.92 over 20 seeds."""
    from workbench.data.validate import PERIOD_WORDS

    def change(values: pd.Series, before: pd.DatetimeIndex, over: pd.DatetimeIndex) -> float | None:
        days = before.append(over)
        v = values.reindex(days).fillna(0.0).to_numpy()
        if v.sum() < MIN_CHANGE_UNITS:  # a ratio of a few units is their noise
            return None
        expected = _run_level(v, days, np.arange(len(before)), len(before), len(days), freq).sum()
        return float(v[len(before):].sum() / expected) if expected > 0 else None

    then_around, alike_around = same_periods_a_year_before(around, freq, calendar)
    then_run, alike_run = same_periods_a_year_before(run, freq, calendar)
    comparable = alike_around.sum() >= UNAVAILABLE_MIN_PERIODS[freq] and alike_run.mean() >= 0.5
    peers, count, outside = peer_sums.since(then_around[alike_around].min(), key) if comparable else (None, 0, False)
    if peers is not None and then_around[alike_around].min() >= peers.index.min():
        now = change(peers, around[alike_around], run[alike_run])
        then = change(peers, then_around[alike_around], then_run[alike_run])
        if now is not None and then:
            net = f" (x{now:.2f}), net of their change over the same {PERIOD_WORDS[freq]} a year before (x{then:.2f})"
            return now / then, _peers_named(count, outside, keys), net
    peers, count, outside = peer_sums.since(around.min(), key)
    if peers is None:
        return None, "", ""
    return change(peers, around, run), _peers_named(count, outside, keys), ""


def _own_season(y: np.ndarray, ds: pd.DatetimeIndex, off: np.ndarray, around: np.ndarray, run: np.ndarray,
                freq: str) -> float | None:
    """A series' own change over a declared run's periods ``run`` (positions) against the periods
    ``around`` its level is read on, measured on the same periods a year before (364 days or 52
    weeks, the weekday kept; 12 months) that are not ``off`` (shape (len(ds),): a declared day, an
    event span's day; trial 13's SJ01, out after 双11, read the event's lull a year before, x0.76,
    where its demand rose ~6%): the difference of their medians of ``log1p(y)`` (``y``: shape
    (len(ds),), units per period), shrunk toward none by empirical Bayes against the series' own
    span-to-span change (``conformal.wiener_factor`` of the prior variance over the noise): the noise is
    its medians' (``conformal.median_variance``, from the medians of alternate periods, on the series'
    periods that are not ``off``), the prior variance the mean square of its own change between adjacent
    spans of the two sides' lengths (``conformal.span_change``) less that noise. A flat 3-5 a day seller
    (30 seeds) had read x0.81..1.18 where it had no season, its medians stepping a whole unit that the
    MADs' noise did not see, and reads x0.95..1.03; a winter rise of x1.63 on the medians keeps
    x1.27..1.82 (``tests/forecast/test_unavailable.py``). A history too short for those (fewer than
    ``conformal.MIN_MEDIAN_CHANGES`` spans) is shrunk by its sampling noise alone, the empirical Wiener
    factor (a median's variance ``pi / 2`` times its side's variance, from their MAD, over its
    periods). None where fewer than ``UNAVAILABLE_MIN_PERIODS`` (3 at least: a MAD on fewer measures
    no noise) of either side lie in the history. A summer mat out of stock in its first April weeks, read at the
    level before the run (its winter's), was filled at 0.27-0.31 of its demand. Medians, not sums: a
    live-stream shop's one-off days are no season (trial 12's CL01 sold x1.46 on the mean a year
    before its run, x1.21 on the median, where its demand's median rose x1.01)."""
    from workbench.forecast.conformal import median_variance, span_change, wiener_factor

    back = pd.DateOffset(months=12) if freq == "MS" else pd.Timedelta(days=364)
    index = pd.Index(ds)
    sides = []
    for periods in (around, run):
        at = index.get_indexer(ds[periods] - back)
        at = at[at >= 0]
        at = at[~off[at]]
        if len(at) < max(UNAVAILABLE_MIN_PERIODS[freq], 3):  # fewer give no MAD, no noise to shrink by
            return None
        sides.append(np.log1p(y[at]))
    change = float(np.median(sides[1]) - np.median(sides[0]))
    # the series' own days outside declared and event days: its medians' noise and its span-to-span change
    own = np.log1p(y[~off])
    noise = [median_variance(own, len(v)) for v in sides]
    moves = span_change(own, len(sides[0]), len(sides[1]))
    if moves is None or None in noise:  # too short a history: the MADs' noise, the change's own square
        noise = sum(np.pi / 2 * (1.4826 * np.median(np.abs(v - np.median(v)))) ** 2 / len(v) for v in sides)
        return change * wiener_factor(change, noise)
    return change * wiener_factor(np.sqrt(max(moves - sum(noise), 0.0)), sum(noise))


def _peers_named(count: int, outside: bool, keys: list) -> str:
    """The series a run's level moves with, in words for its note."""
    return f"the {count} series outside its {'/'.join(keys[:-1])}" if outside else f"the other {count} series"


def _run_level(y: np.ndarray, ds: pd.DatetimeIndex, around: np.ndarray, start: int, end: int, freq: str
               ) -> np.ndarray:
    """Per period ``start..end-1`` of one series' ``y`` (shape (len(ds),)), its level read on the periods
    ``around`` (positions): for days the median of the same weekday among them (of all of them when the
    weekday is absent), else their median. Shape (end - start,)."""
    if freq != "D":
        return np.full(end - start, float(np.median(y[around])))
    weekday = ds.day_of_week.to_numpy()
    return np.array([np.median(y[around][weekday[around] == weekday[i]]) if (weekday[around] == weekday[i]).any()
                     else np.median(y[around]) for i in range(start, end)])


class _PeerSums:
    """What a declared run's level moves with (``censor_unavailable``: a shop growing, a season or an
    event over the run, which the level before it cannot know): the sales per period of the series of
    ``rest`` (the rows ``[keys..., ds, y]`` of the series no declared span names) that sold on or before
    a day, summed once per first-sale day and cumulated, so each run reads its sums without a pass over
    the rows (review 10.1 F7); kept per value of the coarser keys (all but the last: a category of
    ``[category, sku]``), so a run reads the series outside its own, which its substitutes are not
    (review 10.1 F1: a stock-out's demand bought as its category's other SKUs read as the shop's rise)."""

    def __init__(self, rest: pd.DataFrame, keys: list):
        self.cohorts: dict[tuple, tuple[pd.DataFrame, np.ndarray]] = {}  # coarser key values -> sums, first sales
        if not keys or not len(rest):
            return
        first = rest["ds"].where(rest["y"] > 0).groupby([rest[k] for k in keys], sort=False, dropna=False,
                                                        observed=True).transform("min")
        sold = rest.assign(_first=first)[first.notna().to_numpy()]
        coarser = list(keys[:-1])
        for group, rows in sold.groupby(coarser, sort=True, observed=True) if coarser else [((), sold)]:
            cohorts = rows.pivot_table(index="_first", columns="ds", values="y", aggfunc="sum", fill_value=0.0,
                                       sort=True).cumsum()
            firsts = np.sort(rows.groupby(keys, sort=False, observed=True)["_first"].first().to_numpy(
                "datetime64[ns]"))
            self.cohorts[tuple(map(str, group if isinstance(group, tuple) else (group,)))] = (cohorts, firsts)
        self.coarser = coarser

    def since(self, day: pd.Timestamp, key: dict) -> tuple[pd.Series | None, int, bool]:
        """The sales per period (``ds`` -> sum) of the series that sold on or before ``day`` (the first
        period a run's level is read from: a launch after it would read as the shop's growth) outside
        the coarser key values of ``key`` (the declared series: its category), or, with fewer than
        ``MIN_LEVEL_SERIES`` there, of every such series; how many; and whether they are the outside
        ones. None with fewer than ``MIN_LEVEL_SERIES`` series (one or two series are their own noise)."""
        own = tuple(str(key[k]) for k in getattr(self, "coarser", []))
        at = np.datetime64(day, "ns")
        sums, counts = {}, {}
        for group, (cohorts, firsts) in self.cohorts.items():
            counts[group] = int(np.searchsorted(firsts, at, side="right"))
            row = cohorts.index.searchsorted(day, side="right") - 1
            if counts[group]:
                sums[group] = cohorts.iloc[row]
        outside = [g for g in sums if g != own]
        chosen = outside if own and sum(counts[g] for g in outside) >= MIN_LEVEL_SERIES else list(sums)
        count = sum(counts[g] for g in chosen)
        if count < MIN_LEVEL_SERIES:
            return None, count, False
        total = pd.concat([sums[g] for g in chosen], axis=1).fillna(0.0).sum(axis=1)
        return total, count, chosen == outside and bool(own)


def constrain_unavailable(pred: Prediction, days: pd.DatetimeIndex, freq: str
                          ) -> tuple[Prediction, np.ndarray, str | None]:
    """``pred`` (one series' forecast) as sales on its declared unavailable ``days`` (``DeclaredRuns.of``)
    inside its horizon (a planned stock-out), the demand given up per period (shape (horizon,), the
    data's units) and a note (None without such days).

    The sales forecast of a declared day is 0, bands and baseline too; a week or month keeps the share of
    its days that are not declared (``declared_share``). What the forecast held there is the demand given
    up: lost sales, the constrained and unconstrained demand of supply planning (SAP IBP's constrained
    forecast; Nahmias, *Production and Operations Analysis*, lost sales)."""
    from workbench.data.validate import period_end

    share = declared_share(pred.ds, freq, days)
    if not share.any():
        return pred, np.zeros(len(pred.ds)), None
    keep = 1.0 - share
    lost = pred.mean * share
    days = days[(days >= pred.ds[0]) & (days <= period_end(pred.ds[-1], freq))]
    periods = {"D": "", "W": " (their share of each week)", "MS": " (their share of each month)"}[freq]
    note = (f"{len(days)} unavailable day(s) declared in the forecast ({days[0].date()}..{days[-1].date()}): its "
            f"sales forecast there is 0{periods}, bands too; demand given up {lost.sum():,.4g} (column "
            f"{LOST_SALES}; --unavailable)") if len(days) else None
    return replace(pred, mean=pred.mean * keep, quantiles={q: v * keep for q, v in pred.quantiles.items()},
                   baseline=None if pred.baseline is None else pred.baseline * keep), lost, note


def given_up(fc: pd.DataFrame, lost: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """A forecast ``fc`` (``[by..., ds, yhat, yhat_qNN..., yhat_baseline]``: a level's, e.g. the national
    total forecast directly, or a series') as sales: the units ``lost`` gives up (``[by..., ds,
    lost_sales]``: its finer series' lost sales, summed here per key of ``by`` and period) taken off its
    point forecast (never below 0), its quantiles and baseline scaled by the same ratio, and added to its
    ``lost_sales`` column (made when it has none). ``fc`` itself when nothing was given up. Keeps
    ``fc``'s attrs."""
    if lost is None or not len(lost) or not (lost[LOST_SALES] > 0).any():
        return fc
    summed = lost.groupby([*by, "ds"], sort=False)[LOST_SALES].sum().rename("_given").reset_index()
    out = fc.merge(summed, on=[*by, "ds"], how="left")
    given = out.pop("_given").fillna(0.0).to_numpy(float)
    point = out["yhat"].to_numpy(float)
    sales = np.maximum(point - given, 0.0)
    ratio = np.divide(sales, point, out=np.zeros_like(point), where=point > 0)
    for c in [c for c in out.columns if c.startswith("yhat")]:
        out[c] = out[c].to_numpy(float) * ratio
    out[LOST_SALES] = (out[LOST_SALES].to_numpy(float) if LOST_SALES in out else 0.0) + point - sales
    out.attrs = dict(fc.attrs)
    return out


def _censored_history(frame: pd.DataFrame, keys, unavailable: pd.DataFrame | None, freq: str,
                     calendar: RetailCalendar | None = None) -> tuple[pd.DataFrame, list]:
    """What every forecast reads of ``frame`` (the standard frame ``[keys..., ds, y]`` at ``freq``) before
    any fit, and its notes (the short last day's first): its declared unavailable days at its level
    (``censor_unavailable``; ``unavailable``: ``read_unavailable``'s table or None), its unexplained
    peaks at its level (``censor_unexplained_peaks``), then a last day
    cut short at each series' level (``censor_short_period``, judged on the censored sales: a declared
    day is no cut). The one place ``forecast`` and ``forecast_to_parquet`` read them."""
    frame, censored = censor_unavailable(frame, keys, unavailable, freq, calendar)
    frame, peaks = censor_unexplained_peaks(frame, keys, freq, calendar)
    frame, short = censor_short_period(frame, keys, freq, calendar)
    return frame, [*short, *censored, *peaks]


def forecast(
    frame: pd.DataFrame,
    request: ForecastRequest | None = None,
    *,
    keys=None,
    calendar: RetailCalendar | None = None,
    pool_events: bool = True,
    with_baseline: bool = False,
    progress: bool | None = False,
    window=None,
    unavailable: pd.DataFrame | None = None,
    **request_fields,
) -> pd.DataFrame:
    """Forecast every series of ``frame`` (the standard frame ``[keys..., ds, y]``).

    A last period the data show cut short (``validate.short_last_period``) is read as each series'
    level there before any fit (``censor_short_period``), with a note.

    Parameters
    ----------
    frame : the standard frame, one row per series and period, ``y`` >= 0 in the data's units.
    request : what to forecast and how to run it (``ForecastRequest``); or give its fields as
        keywords (``horizon=28, model="ets", quantiles=..., n_jobs=...``) and it is built here.
    keys : series key columns (default: every column other than ``ds`` and ``y``).
    calendar : the retail calendar of event windows (default: the shipped one).
    pool_events : for models that pool (``capabilities.pooling_param``), first fit the sum of
        all series (summed per partition on the workers) and give each series' model that
        pooled prior (one noisy past event per series is a weak estimate); a series borrows the
        prior of the nearest level above it in ``keys`` with established series instead
        (``level_priors``: e.g. its category), and a note names it.
    with_baseline : add ``yhat_baseline``, the forecast without event effects (NaN for models
        with no separate event component).
    progress : show a bar on stderr (None: only when stderr is a terminal).
    window : ``(first day, last day)`` of a window (e.g. an event's) whose total per series is
        wanted with its own band (days, weeks or months): ``attrs["window_bands"]`` then holds one record
        per series with a forecast period that touches it: the keys, ``yhat`` (the window total of the
        point forecast, a week or month counting with the share of its days inside the window),
        a column per quantile (quantiles of the total, not sums of the days':
        ``workbench.forecast.window_band``) and ``window_band`` (the rule that gave them);
        ``attrs["window_spans"]`` the series' refit span sums (columns of lists: keys, ``origin``
        (the refit's first forecast period), ``start``, ``actual``, ``forecast``:
        ``window_band.span_sums``), which a level's band sums.
    unavailable : declared unavailable days (``workbench.data.unavailable.read_unavailable``): those in
        a series' history are read as its level before any fit (``censor_unavailable``), with a note per
        series; those inside its horizon (a planned stock-out) are forecast as sales 0, bands 0
        (``constrain_unavailable``), the demand given up in a ``lost_sales`` column (units per period;
        0 elsewhere; present whenever ``unavailable`` declares any day) and the window records
        (``window_bands``' ``lost_sales``: its window total), with a note per series.

    Returns
    -------
    ``[keys..., ds, yhat, yhat_qNN...]`` (one column per quantile, ``quantile_column``), every
    value >= 0. ``attrs``: ``failures`` (``SeriesFailure`` per series that failed; the others
    finish), ``replaced`` (``SeriesFailure`` per series the guard's fallback forecast because its
    model raised or its forecast was refused, with the reason), ``notes`` (fallbacks, events without history, all-zero series) also raised as
    ``ForecastNoteWarning``, ``model`` (as asked) and ``model_name`` (what ran).

    Raises
    ------
    ParameterError / ModelError for a bad request (before any work); ModelError naming the
    series if every series failed.

    Engines: ``request.engine`` ``"local"`` (worker processes), ``"dask"`` (a new Dask
    ``LocalCluster``, or the cluster at ``dask_address``) or an ``Engine`` such as
    ``DaskEngine("tcp://HOST:PORT")``, which stays open for the caller to reuse. Series are
    split into partitions of ``partition_size`` series (default ``default_partition_size``);
    each partition is one task. The model runs per series on arrays; a series its model cannot
    fit (frequency, history length, as the model declares) goes to ``fallback_model`` with a
    note; an all-zero series forecasts zero with a note.
    """
    request = make_request(frame, request, request_fields)
    if window is not None:
        window = (pd.Timestamp(window[0]), pd.Timestamp(window[1]))
        if window[1] < window[0]:
            raise ParameterError(f"window: ends on {window[1].date()}, before it starts ({window[0].date()})")
        if request.freq not in SPAN_STRIDE:  # spans, strides and horizon bands of window_band
            raise ParameterError(f"window: the band of a window total is measured on days, weeks or months; this "
                                 f"request is {request.freq!r} (forecast the days, weeks or months)")
    frame, censored = _censored_history(frame, keys, unavailable, request.freq, calendar)
    results = _execute(frame, request, keys=keys, calendar=calendar, pool_events=pool_events,
                       with_baseline=with_baseline, progress=progress, out_dir=None, window=window,
                       unavailable=unavailable)
    failures, notes, replaced = _gather_messages(results)
    notes = censored + notes
    frames = [r.frame for r in results if r.frame is not None and len(r.frame)]
    _check_some_succeeded(frames, failures, request.model)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(failures=failures, notes=notes, replaced=replaced, model=request.model,
                     model_name=request.model_name)
    if window is not None:
        records = [w for r in results for w in r.windows]
        out.attrs["window_spans"] = _window_spans(records, series_keys(frame, keys))
        out.attrs["window_bands"] = [{k: v for k, v in w.items() if k != SPANS} for w in records]
    _warn(failures, notes)
    return out


def forecast_to_parquet(frame: pd.DataFrame, out_dir: str | Path, request: ForecastRequest | None = None,
                        *, keys=None, calendar: RetailCalendar | None = None, pool_events: bool = True,
                        with_baseline: bool = False, progress: bool | None = False,
                        unavailable: pd.DataFrame | None = None, **request_fields) -> ForecastRun:
    """Like ``forecast``, but each worker writes its partition's forecast to
    ``out_dir/part-NNNNN.parquet`` and only counts, failures and notes come back, so no process
    holds every forecast. ``out_dir`` must be new or empty, and on a multi-machine cluster
    reachable by every worker at the same path. Failed series are also written to
    ``out_dir/_failures.csv`` (readers of the Parquet dataset skip names starting with ``_``).
    Takes the same arguments as ``forecast``; returns the ``ForecastRun``.
    """
    request = make_request(frame, request, request_fields)
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ParameterError(f"{out_dir}: the output directory must be new or empty (it would mix "
                             f"partitions of different runs); choose another or empty it")
    frame, censored = _censored_history(frame, keys, unavailable, request.freq, calendar)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = _execute(frame, request, keys=keys, calendar=calendar, pool_events=pool_events,
                       with_baseline=with_baseline, progress=progress, out_dir=str(out_dir.resolve()),
                       unavailable=unavailable)
    failures, notes, replaced = _gather_messages(results)
    notes = censored + notes
    files = [Path(r.file) for r in results if r.file]
    if failures:
        write_table(pd.DataFrame([{**f.key, "error": f.error} for f in failures]),
                    out_dir / "_failures.csv")
    _check_some_succeeded([r for r in results if r.series], failures, request.model,
                          where=f"; failures are listed in {out_dir / '_failures.csv'}")
    _warn(failures, notes)
    return ForecastRun(out_dir, files, sum(r.series for r in results), sum(r.rows for r in results),
                       failures, notes, replaced)


def _execute(frame, request: ForecastRequest, *, keys=None, calendar=None, pool_events=True,
             with_baseline=False, progress=False, out_dir=None, window=None, unavailable=None
             ) -> list[_PartitionResult]:
    """Partition, pool, run on the engine; partition results in partition order (``unavailable``:
    declared days, for the workers' ``constrain_unavailable``)."""
    keys = series_keys(frame, keys)
    model = request.model_name
    params = dict(request.model_params)
    parts, counts = partition_series(frame, keys, request.partition_size)
    runs = DeclaredRuns(unavailable, keys)  # indexed once; each partition takes its series' days
    job = _Job(tuple(keys), request.horizon, model, params, request.quantiles, request.freq,
               calendar or default_calendar(), with_baseline, out_dir, request.conformal_windows, window,
               unavailable=unavailable is not None and len(unavailable) > 0)
    engine = request.engine
    owned = not isinstance(engine, Engine)
    runner = make_engine(engine, address=request.dask_address,
                         n_workers=1 if owned and engine == "local" and (
                             sum(counts) < 4 or (request.n_jobs is None and sum(counts) < SERIAL_BELOW))
                         else request.n_jobs)
    priors, borrows = {}, {}
    try:
        caps = MODELS[model].capabilities
        prior_param = caps.pooling_param if caps.pools_at(request.freq) else None
        prior_param = prior_param if prior_param not in params else None
        launch_param = caps.launch_param if caps.launch_param not in params else None
        if pool_events and sum(counts) > 1 and (prior_param or launch_param):
            sums = _distributed_sums(runner, parts, job)
            if prior_param:
                prior = _pooled_from_total(_pooling_total(sums), job)
                if prior:
                    job = replace(job, params={**job.params, prior_param: prior}, prior_param=prior_param)
                    priors, borrows = level_priors(frame, keys, job, runner)
            if launch_param:
                curve = panel_launch_curve(frame, keys, request.freq, sums, borrows)
                groupings = grouping_launch_curves(frame, keys, request.freq, sums, curve, borrows)
                job = replace(job, params={**job.params, launch_param: curve}, launch_param=launch_param,
                              launch_curves=tuple(groupings.items()))
        tasks = [_partition_task(part, keys, priors, borrows, runs) for part in parts]
        results: list[_PartitionResult | None] = [None] * len(parts)
        with progress_bar(sum(counts), desc=f"forecast ({request.model}, {runner.name})",
                          enabled=progress) as bar:
            for i, result in runner.map(_forecast_partition, tasks, job):
                if isinstance(result, BaseException):
                    result = _failed_partition(parts[i], keys, result, i)
                results[i] = result
                bar.update(counts[i])
    finally:
        if owned:
            runner.close()
    return results


def _partition_task(part: pd.DataFrame, keys: list, priors: dict, borrows: dict, runs: DeclaredRuns
                    ) -> _Partition:
    """The forecast task of the rows ``part``: with the entries of ``borrows`` (series key values
    -> level, ``level_priors``) for its series, the ``priors`` of those levels only and its series'
    declared days (``runs``), never the whole file's."""
    if not borrows and not runs:
        return _Partition(part)
    series = list(part[keys].drop_duplicates().itertuples(index=False, name=None)) if keys else [()]
    levels = {s: borrows[s] for s in series if s in borrows}
    days = {s: d for s in series if len(d := runs.of(dict(zip(keys, s))))} if runs else {}
    return _Partition(part, levels, {level: priors[level] for level in set(levels.values())}, days)


def _distributed_sums(runner: Engine, parts, job: _Job) -> pd.DataFrame:
    """Per date, the sum of all series (``all``) and of the established ones (``established``;
    the pooled prior is fitted on ``_pooling_total`` of them): summed per partition on the
    workers, then added here in partition order (a fixed order, so every engine gets the same
    floating-point total)."""
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


def panel_launch_curve(frame: pd.DataFrame, keys, freq: str, sums: pd.DataFrame, borrows: dict | None = None
                       ) -> LaunchCurve:
    """The pooled launch curve of the panel ``frame`` (the standard frame, series by ``keys``,
    at ``freq``; ``models.launch``): the age levels of every launched series that has not
    stopped, relative to the established series' sum in ``sums`` (``_distributed_sums``; a
    panel without established series gets a curve that is not usable: nothing to measure a
    launch's share against), or, for a launch that borrows from a level above it (``borrows``,
    ``level_priors``' series -> level), to that level's established series' sum without it: its
    share of its own category carries no season, that of the shop's mix does (a summer mat's
    share of a winter-heavy shop fell from August, and the curve read its launches' season as a
    fall of x0.62 after their second month, putting a summer launch -54% at 618, trial 13),
    from its start (``launch.launch_start``: a series is launched when it starts after the
    panel's first date), the series of one product by region being one launch
    (``launch_products``); a series ``launch.not_a_launch`` calls no launch (a slow seller, an
    on/off season, a season restarted a year on: the rule the models route by) is left out, and
    so is a launch that stopped (its levels end in zeros); ``LaunchCurve.left_out`` counts them
    by reason, with the launches of fewer than two measured age bins. The curve is
    measured even with too few launches
    (``LaunchCurve.usable`` says so, and the models' notes). Its ceiling is the log of the
    largest established series' mean over its last ``YEAR_BACK`` periods (a level the
    launches' peers reach)."""
    established = (sums["established"] > 0).any()
    levels, cohorts = [], []
    left_out = dict.fromkeys(("stopped", "intermittent", "paused", "a season seen a year before",
                              "under two age bins measured"), 0)
    for one in _launches(frame, keys, freq, sums, borrows):
        # no launch (``launch.not_a_launch``, the models' rule too), or one whose levels end in a stop
        reason = "stopped" if one["stopped"] else one["reason"]
        if reason is not None:
            left_out[reason] = left_out.get(reason, 0) + 1
        elif one["levels"] is not None:
            levels.append(one["levels"])
            cohorts.append(one["cohort"])
        else:
            left_out["under two age bins measured"] += 1
    return launch_curve(levels, freq, frame["ds"].min(), bool(established), _peer_ceiling(frame, keys, freq),
                        cohorts=cohorts, left_out=tuple((r, n) for r, n in left_out.items() if n))


def _launches(frame: pd.DataFrame, keys, freq: str, sums: pd.DataFrame, borrows: dict | None = None) -> list[dict]:
    """Every launched series of ``frame`` (``launch.launch_start``), as a dict: ``label`` (its key
    values by key), ``cohort`` (its product's, ``launch_products``), ``reason`` (why it is no
    launch, ``launch.not_a_launch``; None: a launch), ``stopped`` (it stopped,
    ``regime.stopped_since``), ``life`` (periods from its start to its last sale, or to its last
    period when it still sells) and ``levels`` (its ``age_levels`` against the established
    series' sum in ``sums``, or its own level's where it borrows one in ``borrows``:
    ``panel_launch_curve``; up to its last sale, so a stop's partial bin is no fall; None with
    under two bins measured)."""
    panel_start = frame["ds"].min()
    established = sums["established"] if (sums["established"] > 0).any() else None
    product = launch_products(frame, keys)
    out = []
    own = _level_references(frame, keys, borrows or {})
    for label, rows in _series_of(frame, keys):
        y, ds = rows["y"].to_numpy(float), pd.DatetimeIndex(rows["ds"])
        start = launch_start(y, ds, freq, panel_start)
        if start is None:
            continue
        stop = stopped_since(y[start:], freq)
        life = len(y) - start if stop is None else stop
        reference = own(tuple(label[kk] for kk in keys))  # its own level's sum where it borrows one
        reference = established if reference is None else reference
        reference = reference.reindex(ds).fillna(0.0).to_numpy()[:start + life] if reference is not None else None
        lv = age_levels(y[:start + life], start, BIN_PERIODS[freq], reference)
        out.append({"label": label, "cohort": tuple(label[k] for k in product), "stopped": stop is not None,
                    "reason": not_a_launch(y[:start + life], start, freq), "life": life,
                    "levels": lv if (~np.isnan(lv)).sum() >= 2 else None})
    return out


def grouping_launch_curves(frame: pd.DataFrame, keys, freq: str, sums: pd.DataFrame, panel: LaunchCurve,
                           borrows: dict | None = None) -> dict[tuple, LaunchCurve]:
    """The launch curves of the product groupings above ``frame``'s series (``prior_levels`` but
    the product itself: a category), ``(key, value) -> LaunchCurve`` (``launch.grouping_curve``):
    each from its own launches, stopped ones up to their stop, where ``launch.MIN_LAUNCHES`` of
    them (products) are measured, its factors shrunk toward ``panel``'s, with its launches'
    lives (a grouping whose launches mostly stopped within weeks is a short-life line:
    ``LaunchCurve.short_life``). A launch takes its nearest grouping's (``_launch_curve_of``),
    else the panel's."""
    levels = prior_levels(frame, keys)
    table = frame[list(keys)].drop_duplicates()
    groupings = [k for k in levels if any(_nests(table, k, b) for b in keys if b != k)]  # not 商品编码 itself
    if not groupings:
        return {}
    launches = [one for one in _launches(frame, keys, freq, sums, borrows) if one["reason"] is None]
    curves = {}
    for k in groupings:
        members: dict = {}
        for one in launches:
            members.setdefault(one["label"][k], []).append(one)
        for value, group in members.items():
            measured = [one for one in group if one["levels"] is not None]
            if len({one["cohort"] for one in measured}) < MIN_LAUNCHES:
                continue
            lives = [(one["life"], one["stopped"]) for one in group]
            curves[(k, value)] = grouping_curve([one["levels"] for one in measured],
                                                [one["cohort"] for one in measured], panel, f"{k}={value}", lives)
    return curves


def short_life(pred: Prediction, y: np.ndarray, ds: pd.DatetimeIndex, curve: LaunchCurve) -> Prediction:
    """A launch of a short-life line (``curve.short_life``: its grouping's launches mostly stopped
    within weeks) forecast at its expected sales: each period's mean times the chance it still
    sells then (``LaunchCurve.survival`` from its age now), and each quantile ``q`` of the mixture
    of a stop (0) and its forecast: 0 where ``q`` is under the chance of a stop, else its
    forecast's quantile at ``(q - stop) / (1 - stop)``, read between the quantiles it has
    (linearly; held at the outer ones), with a note (trial 14 F7: five lipstick shades carried
    through 2027, 12,513 units at 618 against 0). ``pred`` as it is for a series that is no
    launch of the curve (``LaunchCurve.start_of``). ``y``: units per period, shape (n,); ``ds`` its
    dates."""
    start = curve.start_of(y, ds)
    if start is None:
        return pred
    age = len(y) - start - 1
    alive = curve.survival(age, age + 1 + np.arange(len(pred.mean)))
    levels = np.array(sorted(pred.quantiles))
    values = np.array([pred.quantiles[q] for q in levels])  # (quantiles, horizon)
    stop = 1.0 - alive
    quantiles = {}
    for q in levels:
        at = np.clip((q - stop) / np.maximum(alive, 1e-12), levels[0], levels[-1])
        inner = np.array([np.interp(at[t], levels, values[:, t]) for t in range(len(alive))])
        quantiles[q] = np.where(q <= stop, 0.0, inner)
    life = curve.median_life
    words = PERIOD_WORDS[curve.freq]
    note = (f"a short-life line: half of its {curve.grouping}'s {len(curve.lives)} launches stopped within "
            f"{life:g} {words} of their start ({sum(st for _, st in curve.lives)} stopped; Kaplan-Meier): "
            f"its forecast is its expected sales, times the chance it still sells ({alive[-1]:.0%} by the "
            f"horizon's end at {age + len(alive):g} {words} old, {alive.mean():.0%} on average over it)")
    return replace(pred, mean=pred.mean * alive, quantiles=quantiles,
                   baseline=None if pred.baseline is None else pred.baseline * alive, notes=[*pred.notes, note])


def _launch_curve_of(label: dict, curves: tuple, panel):
    """The launch curve of the series ``label`` (key values by key): its nearest product
    grouping's (``curves``: ``((key, value), curve)`` pairs, nearest grouping first) where it has
    a usable one, else ``panel`` (the panel's)."""
    return next((c for (k, v), c in curves if label.get(k) == v and (c.usable or c.short_life)), panel)


def _level_references(frame: pd.DataFrame, keys, borrows: dict):
    """For ``panel_launch_curve``: a function from a series (its key values in ``keys`` order) to
    the per-date sum (``pd.Series`` by ``ds``) of the established series (``established_series``)
    of the level it borrows from in ``borrows`` (``level_priors``), the series itself left out;
    None for a series that borrows no level (``PANEL``, or not in ``borrows``) or whose level sold
    nothing without it."""
    keys = list(keys)
    levels = {s: level for s, level in borrows.items() if level != PANEL}
    if not levels:
        return lambda series: None
    established = established_series(frame, keys)
    sums, own = {}, {}

    def reference(series):
        level = levels.get(series)
        if level is None:
            return None
        k, v = level[0], level[1]
        if (k, v) not in sums:
            rows = established[established[k] == v]
            sums[(k, v)] = rows.groupby("ds", sort=True)["y"].sum()
            own[(k, v)] = set(rows[keys].drop_duplicates().itertuples(index=False, name=None))
        total = sums[(k, v)]
        if series in own[(k, v)]:  # an established launch is in its level's sum: the others'
            mine = established[pd.MultiIndex.from_frame(established[keys]).isin([series])]
            total = total.sub(mine.groupby("ds")["y"].sum(), fill_value=0.0)
        return total if (total > 0).any() else None

    return reference


def launch_products(frame: pd.DataFrame, keys) -> list[str]:
    """The keys of ``frame`` that name a launch's product: every key but the geographic ones
    (``_geographic``: a province, city, region or warehouse) when the keys hold both, so that a
    product launched in six provinces is one launch of the pooled launch curve; else every key
    (each series its own launch)."""
    keys = list(keys)
    product = [k for k in keys if not _geographic(frame[k].drop_duplicates(), k)]
    return product if product and len(product) < len(keys) else keys


def _peer_ceiling(frame: pd.DataFrame, keys, freq: str) -> float | None:
    """Log of the largest mean per period over the last ``YEAR_BACK[freq]`` periods of the
    established series of ``frame`` (``established_series``); None without any that sold."""
    peers = established_series(frame, keys)
    if not len(peers) or not list(keys):
        return None
    recent = peers.sort_values("ds").groupby(list(keys), sort=False, dropna=False, observed=True).tail(YEAR_BACK[freq])
    level = recent.groupby(list(keys), sort=False, dropna=False, observed=True)["y"].mean().max()
    return float(np.log(level)) if level > 0 else None


def coarser_levels(frame: pd.DataFrame, keys) -> list[str]:
    """The key columns of ``frame`` that are coarser levels than its series: each key with fewer
    values than there are series (``类目`` beside ``商品编码``; category and region beside sku; not
    a key that alone tells the series apart), in the keys' order."""
    keys = list(keys)
    if len(keys) < 2:
        return []
    n_series = frame.groupby(keys, sort=False).ngroups
    return [k for k in keys if frame[k].nunique() < n_series]


def prior_levels(frame: pd.DataFrame, keys) -> list[str]:
    """The levels above ``frame``'s series that a young series may borrow its pooled prior from,
    nearest (finest) first: the coarser levels (``coarser_levels``) that belong to the PRODUCT
    hierarchy in the keys, a chain of keys whose values nest (each ``商品编码`` has one ``类目``)
    with no geographic key in it (``_geographic``: a province > city chain nests too, but a
    province's sum holds every product, the panel's mix). A key that crosses the others without
    nesting (a province every product sells in) is no level either: its sum is a noisier copy
    of the panel (trial 8 with ``--keys 商品编码,省份``: its launches borrowing their province put
    the New Year sale's total +9.6% against +7.0% from the panel). The panel, all series, comes
    after them (``level_priors``)."""
    keys = list(keys)
    levels = coarser_levels(frame, keys)
    if not levels:
        return []
    table = frame[keys].drop_duplicates()
    width = table.nunique(dropna=False)
    pairs = [(a, b) for a in keys for b in keys if a != b and _nests(table, a, b)]
    chains = {k: {k} for k in keys}  # the nesting components of the keys
    for a, b in pairs:
        merged = chains[a] | chains[b]
        for k in merged:
            chains[k] = merged
    nested = {k for pair in pairs for k in pair}
    geographic = {k for k in nested if _geographic(table[k], k)}
    product = {k for k in nested if not chains[k] & geographic}
    return sorted((k for k in levels if k in product), key=lambda k: -width[k])


GEOGRAPHIC_NAMES = ("province", "city", "region", "district", "warehouse", "省", "城市", "地区", "大区", "区域",
                    "仓")  # key names that say geography (a name holding one, case-insensitive)


def _geographic(values: pd.Series, name: str) -> bool:
    """Is key column ``name`` (its distinct ``values``) geographic: its name says so
    (``GEOGRAPHIC_NAMES``), or most of its values name a province or one of its cities
    (``data.provinces.provinces_from_addresses``: ``广东``, ``Guangdong``, ``深圳市``) or a sales
    region (``data.provinces.REGIONS``)?"""
    if any(word in str(name).lower() for word in GEOGRAPHIC_NAMES):
        return True
    texts = [v for v in values.dropna().unique() if isinstance(v, str)]
    if not texts:
        return False
    found = provinces_from_addresses(texts)
    return sum(p is not None or t in REGIONS for t, p in zip(texts, found)) > len(texts) / 2


def _nests(table: pd.DataFrame, above: str, below: str) -> bool:
    """Does each value of ``below`` have one value of ``above`` (which has fewer) in ``table``
    (the distinct key rows)?"""
    return table[above].nunique(dropna=False) < table[below].nunique(dropna=False) and \
        table.groupby(below, dropna=False, observed=True)[above].nunique(dropna=False).max() == 1


def level_priors(frame: pd.DataFrame, keys, job: _Job, runner: Engine) -> tuple[dict, dict]:
    """The pooled priors the series of ``frame`` borrow from levels above them, as ``(priors,
    borrows)``: ``priors`` maps each level borrowed from (``(key, value)``; ``(key, value,
    series)`` for that level without the series; ``PANEL`` for the panel) to its pooled prior and
    the note naming it (for ``PANEL`` no prior: the job every task gets holds it); ``borrows`` maps
    each series that borrows (its key values in ``keys``
    order) to its level. A series borrows from the nearest level above it (``prior_levels``: its
    SKU's sum over regions, then its category) with enough established series
    (``established_series``) besides itself and whose sum the model can fit, else the panel's
    (``job.params``' prior, the sum of all established series): ``MIN_YOUNG_LEVEL_SERIES`` for a
    young series (``young_series``), whose own days say less than one established series of its
    kind (trial 14's young gift sets took the skincare panel's +25% New Year sale, -63..-70%, as
    their category had 2 established sets, one short of 3; the level's event profiles are pooled
    toward the panel's by their evidence, ``event_profile._pool_profile``), ``MIN_LEVEL_SERIES``
    for an established one, whose own evidence one or two others would only add their noise to.
    A young series looks at every level; an established one only at the levels above its
    product (its category, not its own SKU's sum over the regions, which is the same two
    festivals as its own evidence: trial 8's mature nuts went from +6% to +12% borrowing it).
    An established series is itself in its level's sum: where it holds ``LEAVE_ONE_OUT`` or more
    of the sum's units over the last ``YEAR_BACK`` periods, it borrows the sum of the others
    (leave-one-out), so its own events do not count twice, once as its evidence and once in the
    prior it is pooled with as if independent; below that its part of the prior is small, and a
    fit of the level without each of its hundreds of series would double the run.
    Series without a level keep the panel's prior and are not in the result. A level's prior is
    ``pooled_prior()`` of the model fitted on the sum of its established series with the panel's
    prior as its own, so a level is itself pooled towards the panel (a nested hierarchy: Gelman &
    Hill, *Data Analysis Using Regression and Multilevel/Hierarchical Models*, 2007, ch. 13). A
    launch's own product level (its SKU in every province, all launched together) has no
    established series, so it borrows from its category: trial 8's sparkling water, launched in
    March with one summer seen, followed the panel's path of snacks and gift boxes into the New
    Year sale, x3.2 its sales; trial 9's sunscreen, established but with its one summer read as
    level shifts, followed the panel's path without a summer, +72% in winter. The sums are fitted
    on ``runner``. Both empty when the keys give no level above the series."""
    keys = list(keys)
    levels = prior_levels(frame, keys)
    if not levels:
        return {}, {}
    established = established_series(frame, keys)
    members = established[keys].drop_duplicates()
    counts = {k: members.groupby(k, dropna=False, observed=True).size().to_dict() for k in levels}
    # each level's sum as at its series' current levels: a step of one's own is no season of the level's
    stepless = {k: _without_own_steps(established, keys, k, job.calendar) if job.freq == "D" else established
                for k in levels}
    sums = {k: stepless[k].groupby([k, "ds"], sort=True, dropna=False, observed=True)["y"].sum() for k in levels}
    dates = np.sort(established["ds"].unique())[-YEAR_BACK[job.freq]:]
    units = established[established["ds"].isin(dates)].groupby(keys, dropna=False, observed=True)["y"].sum()
    share = {k: (units / units.groupby(level=k, dropna=False, observed=True).transform("sum")).fillna(0.0).to_dict()
             for k in levels}
    inside = set(members.itertuples(index=False, name=None))
    young = set(young_series(frame, keys, job.freq))
    table = frame[keys].drop_duplicates()
    products = {k for k in levels if not any(_nests(table, k, b) for b in keys if b != k)}  # e.g. 商品编码

    def level_of(series, k):  # the level (k, its value), without the series where it weighs in its sum
        v = series[keys.index(k)]
        member = series in inside
        need = MIN_YOUNG_LEVEL_SERIES if series in young else MIN_LEVEL_SERIES
        if counts[k].get(v, 0) - member < need or not (series in young or k not in products):
            return None
        return (k, v, series) if member and share[k].get(series, 0.0) >= LEAVE_ONE_OUT else (k, v)

    candidates = {row: [c for k in levels for c in [level_of(row, k)] if c is not None]
                  for row in table.itertuples(index=False, name=None)}
    fitted: dict[tuple, object] = {}

    def nearest(series):  # the first candidate not known to fail
        return next((c for c in candidates[series] if fitted.get(c, True) is not None), None)

    while True:
        needed = sorted({c for s in candidates for c in [nearest(s)] if c is not None and c not in fitted}, key=str)
        if not needed:
            break
        own = {k: _histories(stepless[k], keys, {c[2] for c in needed if len(c) == 3 and c[0] == k}) for k in levels}
        totals = [sums[c[0]].xs(c[1], level=0) if len(c) == 2 else
                  sums[c[0]].xs(c[1], level=0).sub(own[c[0]][c[2]], fill_value=0.0).clip(lower=0.0) for c in needed]
        for i, prior in runner.map(_level_prior, totals, job):
            # a product grouping the series nests in: its young series take its season (``pool_season``)
            fitted[needed[i]] = None if isinstance(prior, BaseException) else \
                replace(prior, grouping=needed[i][0]) if isinstance(prior, PooledPrior) else prior
    panel = sum(counts[levels[0]].values())
    borrows = {}
    for series in candidates:
        level = nearest(series)
        if level is not None or series in young:  # an established series without a level: the panel's, no note
            borrows[series] = PANEL if level is None else level
    said = "pooled prior (event profiles, seasonal path, growth): the sum of the"
    enough = f"{MIN_YOUNG_LEVEL_SERIES} for a young series, {MIN_LEVEL_SERIES} for an established one"
    priors = {level: (fitted[level], f"{said} {counts[level[0]][level[1]]} established series of the same {level[0]}, "
                                     f"the nearest level above the series with the established series it needs "
                                     f"({enough})"
                      if len(level) == 2 else
                      f"{said} {counts[level[0]][level[1]] - 1} other established series of the same {level[0]}, "
                      f"the nearest level above the series with the established series it needs besides it "
                      f"({enough}; the series itself, {share[level[0]][level[2]]:.0%} of the level's units over the "
                      f"last year, left out: its own events are its evidence already)")
              for level in set(borrows.values()) if level != PANEL}
    if PANEL in borrows.values():  # the panel's prior is in the job every task gets: its note only
        whose = f"panel's {panel} established series" if panel else f"panel's {len(table)} series (none established)"
        priors[PANEL] = (None, f"{said} {whose} (no level above the series ({', '.join(levels)}) has the "
                               f"established series it needs besides it whose sum fits: {enough})")
    return priors, borrows


def _without_own_steps(established: pd.DataFrame, keys: list, level: str, calendar: RetailCalendar) -> pd.DataFrame:
    """The daily rows ``established`` (``established_series``) with each series' level steps that
    its group of ``level`` (its category) does not share brought to the level after them
    (``regime.own_steps`` against the sum of the group's other series, ``regime.without_steps``):
    the rows whose sum is that level's pooled prior (``level_priors``). A step of one series (a
    channel move, a price cut: a one-time change that stays) in the sum read as the level's
    season and growth, and the path its young series follow laid it again a year on (trial 17 F5:
    a x3 step put the category's path at 618 a year on x1.25 its truth, a launch there x1.53); a
    rise the group made together is its season and stays. The panel's prior (no level) is the sum
    as it is."""
    parts = []
    for _, rows in established.groupby(level, sort=False, dropna=False, observed=True):
        total = rows.groupby("ds", sort=True)["y"].sum()
        offsets = event_offsets(total.index, calendar)
        quiet = ~in_event_span({name: off for name, off in offsets.items() if name in SHIPPED_PROFILES})
        for _, one in rows.groupby(keys, sort=False, dropna=False, observed=True):
            y = one.set_index("ds")["y"].reindex(total.index, fill_value=0.0)
            steps = own_steps(y.to_numpy(), (total - y).to_numpy(), quiet)
            parts.append(one.assign(y=pd.Series(without_steps(y.to_numpy(), steps), total.index)
                                    .loc[one["ds"]].to_numpy()) if steps else one)
    return pd.concat(parts) if parts else established


def _histories(established: pd.DataFrame, keys: list, series: set) -> dict[tuple, pd.Series]:
    """The histories (``y`` by ``ds``) of the ``series`` (key values in ``keys`` order) of the
    frame ``established``: only the few a level's sum is fitted without (``level_priors``), not
    one per established series (review 8.3 #10)."""
    if not series:
        return {}
    chosen = pd.MultiIndex.from_frame(established[keys]).isin(list(series))
    rows = established.loc[chosen, [*keys, "ds", "y"]]
    return {s: one.set_index("ds")["y"]
            for s, one in rows.groupby(keys, sort=False, dropna=False, observed=True)[["ds", "y"]]}


def young_series(frame: pd.DataFrame, keys, freq: str) -> list[tuple]:
    """The key values (in ``keys`` order) of the series of ``frame`` that may borrow their own
    product's level (``level_priors``): first sold less than ``ESTABLISHED_DAYS`` before their
    last day (young: a few events at most, often in their launch ramp, no year of their own
    season), or launched within the panel (``launch.launch_start``: a start after the panel's
    first age bin) at any age. The second kind can be established too (``established_series``):
    such a series borrows its SKU's sum over the other regions, without itself
    (``LEAVE_ONE_OUT``), the same product sold alongside. Taking it from them (young = not
    established, review 7.1 #5) was measured worse at 9d403d1 on trial 8 (类目,商品编码,省份; 年货节 2027:
    SKU window WAPE 10.3 -> 11.7%, categories 4.3 -> 5.5%; its launches of 2025 then borrowed
    only their category) and the same on trial 9, so the rule stays and is said here."""
    panel_start = frame["ds"].min()
    out = []
    for label, rows in _series_of(frame, list(keys)):
        y, ds = rows["y"].to_numpy(float), pd.DatetimeIndex(rows["ds"])
        sold = np.flatnonzero(y > 0)
        if len(sold) and (ds[sold[0]] > ds[-1] - pd.Timedelta(days=ESTABLISHED_DAYS)
                          or launch_start(y, ds, freq, panel_start) is not None):
            out.append(tuple(label[k] for k in keys))
    return out


def _level_prior(index: int, total: pd.Series, job: _Job):
    """The pooled prior of a level's sum ``total`` (per date), pooled towards the panel's prior in
    ``job.params``; None when the model cannot fit it. Runs on a worker."""
    return _pooled_from_total(total, job)


def _pooling_total(sums: pd.DataFrame) -> pd.Series:
    """The total the pooled prior is fitted on: the established series' sum when there are
    any (like for like), else the sum of all series (a young catalogue)."""
    return sums["established"] if (sums["established"] > 0).any() else sums["all"]


def _gather_messages(results: list[_PartitionResult]):
    failures = [f for r in results for f in r.failures]
    notes = [n for r in results for n in r.notes]
    replaced = [f for r in results for f in r.replaced]
    return failures, notes, replaced


def _check_some_succeeded(succeeded, failures, model, where: str = "") -> None:
    if not succeeded:
        detail = "; ".join(f"{series_label(f.key)}: {f.error}" for f in failures[:5])
        raise ModelError(f"every series failed with model {model!r}: {detail}{where}")


def _warn(failures, notes) -> None:
    if failures:
        warnings.warn(f"{len(failures)} series failed and are missing from the forecast: "
                      + "; ".join(f"{series_label(f.key)}: {f.error}" for f in failures[:5]), ForecastNoteWarning,
                      stacklevel=3)
    for note in said_once(notes):  # one rule on many series is one line
        warnings.warn(note, ForecastNoteWarning, stacklevel=3)


def pooled_event_uplift(frame: pd.DataFrame, model: str, params: dict, freq: str,
                        calendar: RetailCalendar) -> dict | None:
    """The pooled prior of ``model`` (``auto`` resolved for ``freq``) fitted on the sum of the
    established series of ``frame`` (``established_series``; of all series when none is), e.g. event log-uplift profiles ``{event: {day offset: log uplift}}``;
    None when the model does not pool or cannot fit the sum. Each series' model then shrinks
    its own estimate towards it (partial pooling: Gelman & Hill, *Data Analysis Using
    Regression and Multilevel/Hierarchical Models*, 2007, ch. 12)."""
    job = _Job((), 1, resolve_model(model, freq), dict(params), DEFAULT_QUANTILES, freq, calendar, False)
    sums = pd.DataFrame({"all": frame.groupby("ds", sort=True)["y"].sum(),
                         "established": established_series(frame, series_keys(frame, None)).groupby(
                             "ds", sort=True)["y"].sum()}).fillna(0.0)
    return _pooled_from_total(_pooling_total(sums), job)


def _pooled_from_total(total: pd.Series, job: _Job) -> dict | None:
    caps = MODELS[job.model].capabilities
    if not caps.pools_at(job.freq) or len(total) < caps.min_history:
        return None  # each series goes on its own (its fallback, if any, does not pool)
    try:
        fitted = make_model(job.model, freq=job.freq, **job.params).fit(
            total.to_numpy(float), pd.DatetimeIndex(total.index), freq=job.freq, calendar=job.calendar)
    except ModelError:
        return None  # e.g. too few days outside event spans: each series goes on its own
    return fitted.pooled_prior()


def _sort_quantiles(out: pd.DataFrame, quantiles) -> None:
    """Quantile columns must not cross (sampling noise can make them); sort row-wise in place."""
    cols = [quantile_column(q) for q in quantiles]
    if len(cols) > 1:
        out[cols] = np.sort(out[cols].to_numpy(), axis=1)
