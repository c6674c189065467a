"""Rolling-origin backtests around past events.

For each event window, the model is fitted on history ending ``lead`` days before the window
(default 90: the plan's "three months ahead") and scored on the window: WAPE, bias, MASE,
event-total error, P10-P90 interval coverage and the scaled pinball loss of the quantiles, per
series and on the sum of all series; ``compare_models`` adds the pooled and median series WAPE and
the mean and spread of the series' bias.

Source: rolling-origin (fixed-lead) out-of-sample evaluation, Tashman, "Out-of-sample tests of
forecasting accuracy", International Journal of Forecasting 16, 2000; the metrics' sources are
in ``workbench.forecast.metrics``.
"""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ModelError, ParameterError
from workbench.forecast import metrics
from workbench.forecast.core import (LOST_SALES, ForecastNoteWarning, censor_unavailable, forecast, given_up,
                                     series_keys, unavailable_mask, unavailable_share)
from workbench.forecast.models import AUTO
from workbench.forecast.models.base import DEFAULT_QUANTILES, quantile_column
from workbench.forecast.reconcile import prepare_method, reconcile as reconcile_levels, scale_band
from workbench.forecast.request import ForecastRequest, check_lead
from workbench.notes import series_label

METRIC_COLUMNS = ["wape", "bias", "mase", "total_error", "coverage", "scaled_pinball"]
MIN_CUTOFF_HISTORY = 56  # days of history a backtest's cut-off needs: the 8 weeks the default model fits on


@dataclass
class BacktestResult:
    per_series: pd.DataFrame  # keys, window, metrics, replaced (why the fallback forecast it, or "")
    totals: pd.DataFrame      # window, metrics on the sum over series
    forecasts: pd.DataFrame   # keys, window, ds, y, yhat, quantiles


def event_windows(event: str, years, calendar: RetailCalendar | None = None) -> dict[str, tuple]:
    """``{"618 2025": (start, end), ...}`` from the retail calendar (dates as Timestamps).
    Raises ``ConfigError`` for an unknown event."""
    calendar = calendar or default_calendar()
    out = {}
    for year in years:
        window = calendar.window(event, int(year))
        out[f"{event} {year}"] = (window.start, window.end)
    return out


@dataclass(frozen=True)
class WindowHistory:
    """What a past window's backtest has to learn from: its cut-off (``lead`` days before the
    window), the reason it cannot be backtested ("" when it can) and whether the history before
    the cut-off holds an earlier window of the event whole (the model has seen the event)."""

    cutoff: pd.Timestamp
    refused: str
    seen_before: bool


def window_history(event: str, year: int, lead: int, start, end,
                   calendar: RetailCalendar | None = None) -> WindowHistory:
    """Whether ``event``'s window of ``year`` can be backtested on data from ``start`` to ``end``
    (Timestamps) with a cut-off ``lead`` days before it: the window must end inside the data and
    at least ``MIN_CUTOFF_HISTORY`` days must precede the cut-off (a backtest cut off at the
    data's first day has nothing to fit); ``seen_before`` says whether those days hold an earlier
    window of the event whole. One rule for the command line and the event report."""
    calendar = calendar or default_calendar()
    window = calendar.window(event, int(year))
    cutoff = window.start - pd.Timedelta(days=lead)
    seen = any(w.start >= start and w.end <= cutoff for w in calendar.windows(event, start, cutoff))
    if window.end > end:
        refused = f"the window ends {window.end.date()}, after the data ({end.date()})"
    elif (cutoff - start).days < MIN_CUTOFF_HISTORY:
        before = max((cutoff - start).days, 0)
        refused = (f"its cut-off {cutoff.date()} ({lead} days before the window) has {before} days of history "
                   f"before it (the data start {start.date()}); a backtest needs {MIN_CUTOFF_HISTORY}")
    else:
        refused = ""
    return WindowHistory(cutoff, refused, seen)


def unseen_note(event: str, year: int, history: WindowHistory, calendar: RetailCalendar | None = None,
                models=()) -> str | None:
    """The note a backtest of ``event``'s window of ``year`` carries when the history before its cut-off
    (``history``, ``window_history``'s) holds no earlier window of the event whole: the window is scored
    all the same, the models forecasting it without having seen the event (what ``auto`` then borrows is
    said only when ``models`` holds it; review 8.4 #9). None when the models saw the event. The command
    line and the event report say it alike (trial 12 F20: the report hid a window the command line scored)."""
    if history.seen_before:
        return None
    calendar = calendar or default_calendar()
    label = calendar.label(event)
    borrowed = (" (auto's event_profile and recent_level borrow the uplift of the events of its kind if they "
                "saw any (else they add none), with a wider band: their notes say which)") if AUTO in models else ""
    return (f"{label} {year}: the history before its cut-off {history.cutoff.date()} holds no earlier {label} "
            f"window whole; the models forecast it without having seen the event{borrowed}")


def _score(actual: pd.DataFrame, train_y: np.ndarray, lo: str, hi: str, quantiles) -> dict:
    y, yhat = actual["y"].to_numpy(), actual["yhat"].to_numpy()
    qs = {q: actual[quantile_column(q)].to_numpy() for q in quantiles}
    return {
        "wape": metrics.wape(y, yhat),
        "bias": metrics.bias(y, yhat),
        "mase": metrics.mase(y, yhat, train_y),
        "total_error": metrics.event_total_error(y, yhat),
        "coverage": metrics.coverage(y, actual[lo], actual[hi]),
        "scaled_pinball": metrics.scaled_pinball(y, qs, train_y),
        "actual_total": float(y.sum()),
        "forecast_total": float(yhat.sum()),
    }


@contextmanager
def _notes_named(where: str):
    """Re-issue the forecast notes (``ForecastNoteWarning``) raised inside, prefixed with
    ``where`` (the model and the window), so a backtest's notes say which fit they are about."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ForecastNoteWarning)
        yield
    for item in caught:
        if issubclass(item.category, ForecastNoteWarning):
            warnings.warn(f"{where}: {item.message}", ForecastNoteWarning, stacklevel=3)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def _window_inside(joined: pd.DataFrame, bands: pd.DataFrame, keys: list[str], lo: str, hi: str) -> dict:
    """Each series' window-total band and whether its actual window total lies inside it, by the
    tuple of key values (``()`` without keys): ``{"band_lo", "band_hi", "window_covered"}``, the
    outer quantiles of its window total's own band (``core.forecast``'s ``window_bands``, scaled to
    the forecast as scored: ``planning.with_window_band``) and 1.0 / 0.0 (NaN without a band)."""
    from workbench.forecast.planning import with_window_band

    value = [c for c in joined.columns if c.startswith("yhat")]
    totals = joined.groupby(keys, sort=True)[[*value, "y"]].sum().reset_index() if keys else \
        joined[[*value, "y"]].sum().to_frame().T
    totals = with_window_band(totals, bands, keys)
    covered = ((totals["y"] >= totals[lo]) & (totals["y"] <= totals[hi])).astype(float) \
        .where(totals[lo].notna() & totals[hi].notna())
    index = list(totals[keys].itertuples(index=False, name=None)) if keys else [()]
    return {k: {"band_lo": a, "band_hi": b, "window_covered": c}
            for k, a, b, c in zip(index, totals[lo], totals[hi], covered)}


def backtest_windows(frame: pd.DataFrame, *, windows: dict[str, tuple], model: str = "auto",
                     lead: int = 90, keys=None, quantiles=DEFAULT_QUANTILES,
                     calendar: RetailCalendar | None = None, model_params: dict | None = None,
                     n_jobs: int | None = None, pool_events: bool = True,
                     conformal_windows: int = 0, reconcile: str | None = None,
                     unavailable: pd.DataFrame | None = None) -> BacktestResult:
    """Backtest ``model`` on each named window ``(start, end)`` of daily data: fit on history
    ending ``lead`` days (1 to ``MAX_LEAD``) before the window, score the window
    (``conformal_windows``: as in ``ForecastRequest``, the core's calibration of the bands).
    ``per_series`` ``band_lo`` / ``band_hi`` are the outer quantiles of the series' window total's
    own band (``workbench.forecast.window_band``; not sums of the days' quantiles; NaN without a
    band) and ``window_covered`` is 1.0 when its actual window total lies inside it, 0.0 when not,
    NaN without a band.

    ``reconcile`` (a ``workbench.forecast.reconcile`` method without in-sample errors, e.g.
    ``"forecast_proportions"``; ``"mint_refits"`` weighs by the forecasts' own refit errors; or ``"auto"``: ``reconcile.resolve_method`` on the training
    histories, as ``planning.event_forecast`` does; keyed frames only): the total is also forecast directly and the
    series are reconciled to it, as ``planning.event_forecast`` does; the series and the total
    are then scored as reconciled (the total's coverage and scaled pinball on the direct total's
    own quantiles, scaled each day to the reconciled total: summed series quantiles are no quantiles of the sum, so without ``reconcile``
    a keyed total's coverage and pinball are NaN; the series' own are in ``per_series``), and ``totals`` adds ``summed_wape`` / ``summed_bias`` (the
    total as the sum of the series as forecast), ``direct_total_wape`` / ``direct_total_bias``
    (the total as forecast directly) and ``per_series`` ``direct_wape`` (each series as
    forecast), the direct figures beside the reconciled ones.

    ``unavailable`` (``workbench.data.unavailable.read_unavailable``'s table): declared days in the
    history are read as the series' level (``core.censor_unavailable``; with ``reconcile`` the total is
    forecast from the censored histories and gives up the series' lost sales after the cut-off,
    ``core.given_up``; the reconciliation holds the declared days at sales 0, ``reconcile(held=...)``),
    and a series with a declared day in a window is left out of that window's scores (it had no demand
    to score there), with a note.

    Returns the ``BacktestResult``. Raises ``ParameterError`` for a bad lead, model or
    quantiles (before any fit) and ``ModelError`` for a window without history before its
    cut-off or beyond the data."""
    lead = check_lead(lead)
    keys = series_keys(frame, keys)
    if keys and reconcile:  # an unknown method fails before any fit (the histories resolve "auto" per window)
        prepare_method(reconcile, frame.iloc[:0], keys, "D", quantiles)
    base = ForecastRequest(horizon=1, model=model, quantiles=quantiles, freq="D",
                           model_params=dict(model_params or {}), n_jobs=n_jobs,
                           conformal_windows=conformal_windows)
    lo, hi = quantile_column(base.quantiles[0]), quantile_column(base.quantiles[-1])
    per_rows, total_rows, fc_parts = [], [], []
    for label, (start, end) in windows.items():
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        cutoff = start - pd.Timedelta(days=lead)
        train = frame[frame["ds"] <= cutoff]
        if train.empty:
            raise ModelError(f"window {label}: no history before the cutoff {cutoff.date()} "
                             f"({lead} days before {start.date()})")
        if frame["ds"].max() < end:
            raise ModelError(f"window {label}: the data end {frame['ds'].max().date()} before the "
                             f"window ends ({end.date()}); choose an earlier year")
        horizon = int((end - cutoff).days)
        with _notes_named(f"{model} on {label}"):  # the same note comes from every window
            fc = forecast(train, base.replace(horizon=horizon), keys=keys, calendar=calendar,
                          pool_events=pool_events, window=(start, end), unavailable=unavailable)
            direct, bands = fc, pd.DataFrame(fc.attrs["window_bands"])
            if keys and reconcile:  # the total of the censored histories, giving up the series' lost sales
                censored, _ = censor_unavailable(train, keys, unavailable, "D", calendar)
                total = forecast(censored.groupby("ds", as_index=False)["y"].sum(), base.replace(horizon=horizon),
                                 calendar=calendar, pool_events=pool_events, window=(start, end))
                if LOST_SALES in fc:
                    total = given_up(total, fc[["ds", LOST_SALES]], [])
                method, why, errors = prepare_method(reconcile, train, keys, base.freq, base.quantiles,
                                                     fc.attrs["window_spans"], total.attrs.get("window_spans"))
                if why:  # "auto"'s choice or a fallback, as the planning's note says it
                    warnings.warn(f"levels reconciled by {method} ({why})", ForecastNoteWarning, stacklevel=2)
                fc = reconcile_levels(fc, total, keys=keys, method=method, errors=errors,
                                      held=unavailable_share(fc, keys, unavailable, "D"))
        window_fc = fc[(fc["ds"] >= start) & (fc["ds"] <= end)]
        replaced = {tuple(f.key.get(k) for k in keys): f.error for f in fc.attrs.get("replaced", [])}
        joined = window_fc.merge(frame, on=[*keys, "ds"], how="left")
        joined["y"] = joined["y"].fillna(0.0)
        joined = _without_unavailable(joined, keys, unavailable, label)
        if direct is not fc:
            joined = joined.merge(direct[[*keys, "ds", "yhat"]].rename(columns={"yhat": "yhat_direct"}),
                                  on=[*keys, "ds"], how="left")
        joined.insert(0, "window", label)
        fc_parts.append(joined)
        inside = _window_inside(joined, bands, keys, lo, hi)
        groups = joined.groupby(keys, sort=True) if keys else [((), joined)]
        train_groups = dict(list(train.groupby(keys))) if keys else {(): train}
        for key, part in groups:
            label_key = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            ty = train_groups[key]["y"].to_numpy()
            extra = {"direct_wape": metrics.wape(part["y"], part["yhat_direct"])} if direct is not fc else {}
            band = inside.get(tuple(label_key[k] for k in keys), {})
            per_rows.append({**label_key, "window": label, **_score(part, ty, lo, hi, quantiles), **extra,
                             "band_lo": band.get("band_lo", np.nan), "band_hi": band.get("band_hi", np.nan),
                             "window_covered": band.get("window_covered", np.nan),
                             "replaced": replaced.get(tuple(label_key[k] for k in keys), "")})
        values = ["y", "yhat", *map(quantile_column, quantiles), *(["yhat_direct"] if direct is not fc else [])]
        summed = joined.groupby("ds")[values].sum().reset_index()
        ty = train.groupby("ds")["y"].sum().to_numpy()
        extra = {}
        if direct is not fc:  # the two totals the reconciliation weighed, beside the reconciled one
            own = summed[["ds", "y"]].merge(total[["ds", "yhat"]], on="ds", how="left")
            extra = {"summed_wape": metrics.wape(summed["y"], summed["yhat_direct"]),
                     "summed_bias": metrics.bias(summed["y"], summed["yhat_direct"]),
                     "direct_total_wape": metrics.wape(own["y"], own["yhat"]),
                     "direct_total_bias": metrics.bias(own["y"], own["yhat"])}
        scores = _score(summed, ty, lo, hi, quantiles)
        if keys:  # a sum of the series' quantiles is no quantile of their sum (far too wide a band):
            # the total's band is the directly forecast total's, scaled each day to the reconciled
            # total (``scale_band``, as the event report's levels are), or none
            band = scale_band(summed, total, ["ds"]) if direct is not fc else None
            scores.update(coverage=metrics.coverage(band["y"], band[lo], band[hi]) if band is not None else np.nan,
                          scaled_pinball=metrics.scaled_pinball(band["y"], {q: band[quantile_column(q)].to_numpy()
                                                                             for q in quantiles}, ty)
                          if band is not None else np.nan)
        total_rows.append({"window": label, **scores, **extra})
    return BacktestResult(pd.DataFrame(per_rows), pd.DataFrame(total_rows),
                          pd.concat(fc_parts, ignore_index=True))


def _without_unavailable(joined: pd.DataFrame, keys: list, spans: pd.DataFrame | None, label: str) -> pd.DataFrame:
    """``joined`` (a window's forecast and actuals) without the series that have a declared unavailable
    day in it (``core.unavailable_mask``), with a note naming them; ``ModelError`` when that is every
    series."""
    out = unavailable_mask(joined, keys, spans)
    if not out.any():
        return joined
    series = joined.loc[out, keys].drop_duplicates() if keys else pd.DataFrame()
    dropped = joined[keys].apply(tuple, axis=1).isin(set(series.itertuples(index=False, name=None))) if keys \
        else pd.Series(True, index=joined.index)
    if dropped.all():
        raise ModelError(f"window {label}: every series has declared unavailable days in it (--unavailable): "
                         f"nothing to score")
    names = "; ".join(series_label(dict(zip(keys, s))) for s in series.itertuples(index=False, name=None))
    warnings.warn(f"{label}: {len(series)} series with declared unavailable days in the window left out of its "
                  f"scores (no demand to score on those days): {names}", ForecastNoteWarning, stacklevel=2)
    return joined[~dropped.to_numpy()]


def compare_models(frame: pd.DataFrame, *, models, windows: dict[str, tuple], lead: int = 90,
                   keys=None, quantiles=DEFAULT_QUANTILES, calendar=None, n_jobs=None,
                   reconcile: str | None = None, unavailable: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per model and window: metrics on the total; over the series, the pooled WAPE
    (sum |error| / sum actual over every series and day: one exploding series shows), the median
    WAPE, and the mean and standard deviation of the per-series bias.

    A model that fails on a window (e.g. on every series of a sparse panel), or whose every
    series there was forecast by the core's fallback instead, is skipped there with a note naming
    the model, the window and a short reason; the others are scored, and ``replaced_series``
    counts the series the fallback forecast. With ``reconcile`` (see ``backtest_windows``) the
    total and the series are scored as reconciled, beside ``summed_wape`` (the total as the sum
    of the series as forecast), ``direct_total_wape`` (the total as forecast directly) and
    ``direct_series_wape`` (the series as forecast, pooled). The
    notes are in ``table.attrs["notes"]`` (a list of str). Raises ``ParameterError`` for a bad
    lead or quantiles and ``ModelError`` only when no model could be scored on any window
    (naming each failure). ``series_coverage``: the share of series-days inside the series' own
    outer quantiles (pooled over every series and day), the calibration a planner can use;
    ``window_coverage``: the share of series whose window total lies inside its own band (the
    selection table's). ``worst_series``: the series furthest off (``worst_series``), so a large series bias
    can be traced; ``table.attrs["series"]``: every scored series' window totals per model and window
    (``series_table``). ``unavailable``: declared unavailable days, as ``backtest_windows`` takes them.
    ``not_scored``: why a figure of the row is blank (NaN: a keyed total has no band of its own, a
    window without sales no bias, a flat history no scale), and over how many series a pooled series
    figure was computed when some had none (``not_scored``; "" when every figure is scored)."""
    lo, hi = quantile_column(min(quantiles)), quantile_column(max(quantiles))
    rows, notes, series_rows = [], [], []
    for model in models:
        for label, window in windows.items():
            try:
                result = backtest_windows(frame, windows={label: window}, model=model, lead=lead, keys=keys,
                                          quantiles=quantiles, calendar=calendar, n_jobs=n_jobs,
                                          reconcile=reconcile, unavailable=unavailable)
            except ModelError as exc:
                notes.append(f"model {model!r} not scored on {label}: {short_reason(exc)}")
                continue
            for _, tot in result.totals.iterrows():
                per = result.per_series[result.per_series.window == tot.window]
                fc = result.forecasts[result.forecasts.window == tot.window]
                if len(per) and (per["replaced"] != "").all():
                    notes.append(f"model {model!r} not scored on {tot.window}: the fallback forecast every "
                                 f"series ({short_reason(Exception(per['replaced'].iloc[0]))})")
                    continue
                series_rows.append(series_table(per, model, series_keys(frame, keys), lo, hi))
                rows.append({"model": model, "window": tot.window,
                             **{m: tot[m] for m in METRIC_COLUMNS},
                             "pooled_series_wape": metrics.wape(fc["y"], fc["yhat"]),
                             "median_series_wape": per["wape"].median(),
                             "mean_series_bias": per["bias"].mean(),
                             "series_bias_sd": per["bias"].std(ddof=0),
                             "series_coverage": metrics.coverage(fc["y"], fc[lo], fc[hi]),
                             "window_coverage": per["window_covered"].mean(),
                             "worst_series": worst_series(per, series_keys(frame, keys)),
                             "series": len(per), "replaced_series": int((per["replaced"] != "").sum()),
                             **({"summed_wape": tot["summed_wape"], "direct_total_wape": tot["direct_total_wape"],
                                 "direct_series_wape": metrics.wape(fc["y"], fc["yhat_direct"])}
                                if "summed_wape" in tot else {})})
                rows[-1]["not_scored"] = not_scored(rows[-1], per, series_keys(frame, keys),
                                                    keyed_total=bool(series_keys(frame, keys)) and not reconcile)
    if not rows:
        raise ModelError("no model could be backtested: " + "; ".join(notes)
                         + ". Try other models (e.g. event_naive, seasonal_naive), a shorter lead or "
                           "other years")
    table = pd.DataFrame(rows)
    table.attrs["notes"] = notes
    table.attrs["series"] = pd.concat(series_rows, ignore_index=True)
    return table


# why a figure of the backtest table is blank (NaN): the figure's columns and the reason
_NO_SCALE = ("the history's in-sample seasonal-naive MAE is 0 or undefined (a flat history, or one week or "
             "less): nothing to scale by")


def not_scored(row: dict, per: pd.DataFrame, keys: list[str], *, keyed_total: bool) -> str:
    """Why each blank (NaN) figure of a ``compare_models`` row is blank, and over how many series a
    pooled series figure was computed when some series have none (trial 15 F10: coverage and
    pinball showed NaN unexplained). ``row``: the row's figures; ``per``: its window's per-series
    scores (``backtest_windows``' ``per_series``); ``keyed_total``: the total is a sum of series
    not reconciled with a direct forecast (no band of its own). "" when every figure is scored
    over every series.

    The rules: WAPE and bias need sales in the window; MASE and the scaled pinball the history's
    in-sample seasonal-naive MAE (``metrics.seasonal_naive_mae``, Hyndman & Koehler 2006) as a
    scale; coverage and the pinball a band (a keyed total's sum of quantiles is none). A series'
    bias and WAPE need its own sales in the window, its window coverage a band of its window total.
    """
    def blank(*columns):
        return [c for c in columns if c in row and not np.isfinite(float(row[c]))]

    parts = []
    if blank("wape", "bias"):
        parts.append(f"{', '.join(blank('wape', 'bias', 'total_error'))}: nothing sold in the window")
    banded = blank("coverage", "scaled_pinball")
    if banded and (keyed_total or "coverage" in banded):
        why = ("the sum of the series' quantiles is no quantile of the total (the event report, or --reconcile, "
               "scores the directly forecast total's band)" if keyed_total else "the model gave no band")
        parts.append(f"{', '.join(banded)}: {why}")
    scaled = blank("mase") + [c for c in blank("scaled_pinball") if not keyed_total and "coverage" not in banded]
    if scaled:
        parts.append(f"{', '.join(scaled)}: {_NO_SCALE}")
    unsold = per[~np.isfinite(per["bias"].to_numpy(float))]
    if len(unsold) and len(unsold) < len(per):
        parts.append(f"median_series_wape, mean_series_bias, series_bias_sd over {len(per) - len(unsold)} of "
                     f"{len(per)} series: {len(unsold)} sold nothing in the window ({_named(unsold, keys)})")
    unbanded = per[~np.isfinite(per["window_covered"].to_numpy(float))]
    if len(unbanded) and len(unbanded) < len(per):
        parts.append(f"window_coverage over {len(per) - len(unbanded)} of {len(per)} series: {len(unbanded)} "
                     f"without a band of its window total ({_named(unbanded, keys)})")
    elif len(unbanded):
        parts.append("window_coverage: no series has a band of its window total")
    return "; ".join(parts)


def _named(rows: pd.DataFrame, keys: list[str], limit: int = 3) -> str:
    """Up to ``limit`` series of ``rows`` by their keys, the rest counted."""
    names = [series_label({k: r[k] for k in keys}) for _, r in rows.head(limit).iterrows()]
    return ", ".join(names) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def series_table(per: pd.DataFrame, model: str, keys: list[str], lo: str, hi: str) -> pd.DataFrame:
    """One model's window totals per series (``backtest_windows``' ``per_series`` of one window) as a
    planner reads them: ``model``, ``window``, the keys, ``forecast`` and ``actual`` (window totals,
    the data's units), ``error`` (forecast - actual), ``bias`` (error / actual; NaN when nothing
    sold), ``wape`` (of the window's days), ``lo`` / ``hi`` (the outer quantiles of the window
    total's own band, e.g. ``yhat_q10`` / ``yhat_q90``), ``in_band`` (the actual inside them; empty
    without a band) and ``replaced`` (why the guard's fallback forecast the series, or "")."""
    out = per[[*keys, "window"]].copy()
    out.insert(0, "model", model)
    out["forecast"], out["actual"] = per["forecast_total"], per["actual_total"]
    out["error"] = out["forecast"] - out["actual"]
    out["bias"], out["wape"] = per["bias"], per["wape"]
    out[lo], out[hi] = per["band_lo"], per["band_hi"]
    out["in_band"] = per["window_covered"].map({1.0: True, 0.0: False}).astype("boolean")
    out["replaced"] = per["replaced"]
    # a blank figure says why (trial 15 F10)
    unsold = ~np.isfinite(per["bias"].to_numpy(float))
    unbanded = ~np.isfinite(per["window_covered"].to_numpy(float))
    out["not_scored"] = [", ".join(w for w, on in (("bias and wape: nothing sold in the window", a),
                                                   ("in_band: no band of the window total", b)) if on)
                         for a, b in zip(unsold, unbanded)]
    return out.reset_index(drop=True)


def worst_series(per: pd.DataFrame, keys: list[str]) -> str:
    """The series whose window total was furthest off in relative terms (largest ``|bias|``: the one
    that moves ``mean_series_bias`` most; trial 12 F12: a mean series bias of +527% the user could not
    trace), named with its forecast and actual window totals, e.g. ``sku=AP03: 1,020 vs 85 (+1100%)``;
    "" when no series sold in the window."""
    scored = per[np.isfinite(per["bias"].to_numpy(float))]
    if scored.empty:
        return ""
    row = scored.loc[scored["bias"].abs().idxmax()]
    return (f"{series_label({k: row[k] for k in keys})}: {row['forecast_total']:,.0f} vs "
            f"{row['actual_total']:,.0f} ({row['bias']:+.0%})")


def short_reason(exc: Exception, limit: int = 200) -> str:
    """``exc``'s message for a note: series keys as ``sku 123`` instead of dict reprs, one
    line, at most ``limit`` characters (cut at a word, with an ellipsis)."""
    text = " ".join(_KEY_DICT.sub(_key_label, str(exc)).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


_KEY_DICT = re.compile(r"\{((?:'[^']*'|\"[^\"]*\"): [^{}]*)\}")
_KEY_PAIR = re.compile(r"['\"]([^'\"]*)['\"]: ('[^']*'|\"[^\"]*\"|[^,]*)")


def _key_label(match: re.Match) -> str:
    return ", ".join(f"{k} {v.strip(chr(39) + chr(34))}" for k, v in _KEY_PAIR.findall(match.group(1)))
