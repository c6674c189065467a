"""Planner outputs for an event: which window (the next one after the data, or a given year),
the forecast per day and key, the uplift over the baseline, window totals per key, the series
ranked for selection (选品), aggregation to category / region / national levels that add up,
which past windows can be backtested, and the event notebook's parameters (``EventParams``)
and own-file loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.calendar import EventWindow, RetailCalendar, default_calendar
from workbench.data.headers import product_names, with_names
from workbench.errors import DataValidationError, ModelError, ParameterError
from workbench.forecast.backtest import unseen_note, window_history
from workbench.forecast.core import (LOST_SALES, censor_unavailable, coarser_levels, forecast, given_up, series_keys,
                                     unavailable_share)
from workbench.forecast.models.base import DEFAULT_QUANTILES, quantile_column
from workbench.forecast.request import MAX_HORIZON, ForecastRequest, check_lead
from workbench.notes import series_label

PLANNING_EVENTS = ("618", "new_year_sale", "double11", "spring_festival")
RECONCILE_METHOD = "auto"  # reconcile.choose_method: mint_refits, or forecast proportions on a sparse bottom
# backtest_weights and mint_refits: the forecasts' own refits are their past errors
PLANNING_RECONCILE = ("auto", "forecast_proportions", "top_down_var", "backtest_weights", "bottom_up", "ols",
                      "wls_struct", "wls_var", "mint_refits")
PLANNING_FREQUENCIES = ("D", "W", "MS")  # an event window is days long: quarters are too coarse to plan it
PERIOD_WORDS = {"D": "day", "W": "week", "MS": "month"}
PERIOD_ADJECTIVES = {"D": "daily", "W": "weekly", "MS": "monthly"}  # the report's labels


@dataclass
class EventForecast:
    """The forecast of one event for a planner."""

    window: EventWindow
    cutoff: pd.Timestamp        # last day of history used
    history_end: pd.Timestamp   # last day of the data
    keys: list[str]
    forecast: pd.DataFrame      # keys, ds, yhat, quantiles, yhat_baseline; y (actuals) for a past window
    totals: pd.DataFrame        # per key over the window: forecast, baseline, uplift (actual if past)
    notes: list[str]            # what the models said: fallbacks, events without history, reconciliation
    direct_total: pd.DataFrame | None = None  # the national total forecast directly (ds, yhat, ...), if keyed
    # the sums of the series per category or region, forecast directly (level, ds, yhat, ...):
    # where the bands of those levels come from (a sum of the series' P10s is no P10 of the sum)
    direct_levels: dict[str, pd.DataFrame] = field(default_factory=dict)
    # the window total's own band per series ("series": keys), per level (a key such as
    # "category") and "national" (its series' refits summed per refit origin,
    # ``summed_level_bands``; where those give none, its direct forecast's), as
    # ``core.forecast``'s ``window_bands``: keys, yhat, quantile columns, window_band (the
    # rule). ``totals`` and ``level_totals`` carry them, scaled to the coherent point forecast
    window_bands: dict[str, pd.DataFrame] = field(default_factory=dict)
    freq: str = "D"             # the periods of ``forecast``'s rows: D days, W weeks, MS months
    # the series' refit span sums (``core.forecast``'s ``window_spans``): what a level's band sums
    window_spans: pd.DataFrame | None = None

    @property
    def has_actuals(self) -> bool:
        return "y" in self.forecast and self.forecast["y"].notna().any()

    @property
    def is_next_event(self) -> bool:
        """The window starts after the data: a plan, not a backtest."""
        return self.window.start > self.history_end

    def describe(self) -> str:
        """One line: the window, its dates and where the history ends."""
        return describe_window(self.window, self.history_end, self.cutoff)


def event_window(event: str, year: int | None, history_end, calendar: RetailCalendar | None = None
                 ) -> EventWindow:
    """The window of ``event`` in ``year``; with ``year=None`` the next one: the first window
    that starts after ``history_end`` (the last day of the data). Raises ``ConfigError`` for
    an unknown event."""
    calendar = calendar or default_calendar()
    if year is None:
        return calendar.next_window(event, history_end)
    return calendar.window(event, int(year))


def describe_window(window: EventWindow, history_end, cutoff=None) -> str:
    """``"年货节 / New Year sale 2027: 2027-01-02 to 2027-01-29 (28 days); history ends
    2026-11-30, 33 days before the window"`` (and the cut-off when history is cut earlier)."""
    history_end = pd.Timestamp(history_end)
    gap = (window.start - history_end).days
    where = (f"{gap} days before the window" if gap > 0
             else "inside the window" if history_end <= window.end else "after the window")
    text = (f"{window.label} {window.year}: {window.start.date()} to {window.end.date()} "
            f"({len(window.days)} days); history ends {history_end.date()}, {where}")
    if cutoff is not None and pd.Timestamp(cutoff) < history_end:
        text += f"; fitted on history to {pd.Timestamp(cutoff).date()}"
    return text


def horizon_through(window: EventWindow, last_period, freq: str = "D") -> int:
    """Periods of ``freq`` after the data's last period (dated ``last_period``: periods are dated
    by their first day) through the period that holds the window's last day. Raises
    ``ParameterError`` when the window ends before the last period does (nothing to forecast)."""
    from workbench.data.validate import pandas_freq, period_end

    last_period = pd.Timestamp(last_period)
    history_end = period_end(last_period, freq)
    if window.end <= history_end:
        raise ParameterError(f"{window.label} {window.year} ended on {window.end.date()}, on or before "
                             f"the end of the data ({history_end.date()}); choose a later year or leave "
                             f"the year out for the next one")
    dates = pd.date_range(last_period, window.end, freq=pandas_freq(freq, pd.DatetimeIndex([last_period])))
    return int((dates > last_period).sum())


def event_forecast(frame: pd.DataFrame, *, event: str, year: int | None = None, lead: int = 90,
                   model: str = "auto", quantiles=DEFAULT_QUANTILES, keys=None,
                   calendar: RetailCalendar | None = None, n_jobs: int | None = None,
                   reconcile: str = RECONCILE_METHOD, freq: str = "D", unavailable: pd.DataFrame | None = None
                   ) -> EventForecast:
    """Forecast ``event`` in ``year`` (None: the next window after the data) per series.

    ``freq``: the periods of ``frame`` (``PLANNING_FREQUENCIES``: ``"D"`` days, ``"W"`` weeks,
    ``"MS"`` months, each dated by its first day). Weeks and months are forecast as such, through
    the period that holds the window's last day (``horizon_through``), and every window total
    takes the share of each period's units whose days fall in the window (``window_totals``).
    Every window total has its own band (``workbench.forecast.window_band``: at ``W``/``MS`` from
    the refits' errors of the same shares of their periods). A level's (category, region,
    national) comes from its series' refits summed per refit origin (``summed_level_bands``:
    the level's joint error, neither independent nor perfectly correlated series; measured
    against the direct forecasts' refits in docs/benchmarks.md), else from the level's direct
    forecast's refits.

    With keys, the national total (the sum of all series) is also forecast directly and the
    series and it are reconciled (``reconcile``: ``"auto"``, the default, is
    ``reconcile.choose_method``'s: ``"mint_refits"``, MinT with each series' and the total's
    variance read off its own band and the series' errors correlated as their refits' were, so
    the less sure move more and the national total lands between the direct forecast and the
    summed series, nearer the surer; or, on a sparse bottom (half its
    series intermittent), ``"forecast_proportions"``, which splits the direct total in
    proportion to the series' forecasts;
    ``"bottom_up"`` keeps the series as forecast; see ``workbench.forecast.reconcile`` and
    docs/benchmarks.md, "Coherent levels"), so every level built from ``forecast``
    (``level_totals``, ``national_totals``, a region's demand) adds up, means and medians. A note
    gives the summed series, the direct total and what the levels add up to.
    Not reconciled (a note says why) when a series failed (the direct total includes it) or the
    total cannot be forecast; one series is its own total.

    A window that starts after the data is planned from all of the history (the live plan; no
    actuals exist). A window inside the data is forecast from history ending ``lead`` days
    (1 to ``MAX_LEAD``) before it starts, and the totals carry the error against the actuals.
    ``yhat_baseline`` is the model's forecast without event effects (NaN for models that have
    no separate event component, the naive ones), so ``yhat - yhat_baseline`` is the uplift.
    ``unavailable`` (``workbench.data.unavailable.read_unavailable``'s table): declared days in the
    history are read as each series' level (``core.censor_unavailable``) before any forecast, and so
    are the sums the national total and the levels are forecast from (the reconciled levels read
    the censored histories); declared days inside the horizon are sales 0 with the demand given up
    in ``lost_sales`` (``core.constrain_unavailable``), and the national total's and levels'
    direct forecasts give up the same units (``core.given_up``), so every total, band and table
    reads the constrained figure; ``forecast`` and ``totals`` then have a ``lost_sales`` column.
    Raises ``ParameterError`` for a bad lead, a window too far ahead or without history.
    """
    calendar = calendar or default_calendar()
    keys = series_keys(frame, keys)
    lead = check_lead(lead)
    if freq not in PLANNING_FREQUENCIES:
        raise ParameterError(f"freq: {freq!r} is not one of {list(PLANNING_FREQUENCIES)} (days, weeks, months)")
    if reconcile not in PLANNING_RECONCILE:
        raise ParameterError(f"reconcile: {reconcile!r} is not one of {list(PLANNING_RECONCILE)} (mint_shrink "
                             f"needs in-sample errors of every level: workbench.forecast.reconcile)")
    from workbench.data.validate import period_end

    end_of_data = period_end(frame["ds"].max(), freq)  # the last day the data cover
    window = event_window(event, year, end_of_data, calendar)
    cutoff = end_of_data if window.start > end_of_data else window.start - pd.Timedelta(days=lead)
    ends = period_end(frame["ds"], freq)
    train = frame[ends <= cutoff]  # whole periods only: a week that runs past the cut-off is not history
    if train.empty:
        raise ParameterError(f"year: no history before {cutoff.date()} for {window.label} {window.year} "
                             f"({lead} days before the window); the data start {frame['ds'].min().date()}")
    if freq == "D":
        horizon = int((window.end - cutoff).days) + 7
        too_far = horizon > MAX_HORIZON["D"]
    else:
        cutoff = period_end(train["ds"].max(), freq)
        horizon = horizon_through(window, train["ds"].max(), freq)
        too_far = horizon > MAX_HORIZON[freq]
    if too_far:
        raise ParameterError(f"year: {window.label} {window.year} ends {(window.end - cutoff).days} days after the "
                             f"history ({cutoff.date()}); at most {MAX_HORIZON[freq]} {PERIOD_WORDS[freq]}s "
                             f"can be forecast")
    request = ForecastRequest(horizon=horizon, model=model, quantiles=quantiles, freq=freq, n_jobs=n_jobs)
    span = (window.start, window.end)
    fc = forecast(train, request, keys=keys, calendar=calendar, with_baseline=True, window=span,
                  unavailable=unavailable)
    train, _ = censor_unavailable(train, keys, unavailable, freq, calendar)  # the sums below: censored histories
    notes = list(dict.fromkeys(fc.attrs.get("notes", [])))
    if freq != "D":
        notes.append(f"{PERIOD_ADJECTIVES[freq]} data: each window total is the share of each {PERIOD_WORDS[freq]}'s "
                     f"units whose days fall in the window (a {PERIOD_WORDS[freq]} split evenly over its days), "
                     f"and so is its band's (the refits' errors of such shares of their {PERIOD_WORDS[freq]}s)")
    # taken off the frame: pandas deep-copies attrs on every operation on it
    bands, spans = {"series": pd.DataFrame(fc.attrs["window_bands"])}, pd.DataFrame(fc.attrs.pop("window_spans"))
    direct = None
    if keys and fc.groupby(keys).ngroups > 1:
        fc, direct, note = _reconciled(fc, train, request, keys, calendar, reconcile, window, span, spans, notes,
                                       unavailable)
        notes.append(note)
    if direct is not None:
        bands["national"] = pd.DataFrame(direct.attrs["window_bands"])
    elif not keys or fc.groupby(keys).ngroups == 1:  # one series is its own total
        bands["national"] = bands["series"].drop(columns=keys)
    if window.start <= end_of_data:  # a past window: the actuals, for the error
        attrs = dict(fc.attrs)  # a merge drops them (failures, notes, reconcile)
        fc = fc.merge(frame[[*keys, "ds", "y"]], on=[*keys, "ds"], how="left")
        fc.attrs.update(attrs)
    levels = {}
    if direct is not None:
        for level in coarser_levels(train, keys):
            sums = train.groupby([level, "ds"], sort=True, as_index=False)["y"].sum()
            try:
                with inner_notes(f"the {level} totals' own forecast, made only for their band (not an output "
                                 f"series)", notes):
                    levels[level] = forecast(sums, request, keys=[level], calendar=calendar, with_baseline=True,
                                             window=span)
                if LOST_SALES in fc:
                    levels[level] = given_up(levels[level], fc[[level, "ds", LOST_SALES]], [level])
            except ModelError as exc:
                notes.append(f"the {level} totals have no band: they could not be forecast directly ({exc}), "
                             f"and a sum of the series' bands is no band of their sum")
            else:
                bands[level] = pd.DataFrame(levels[level].attrs["window_bands"])
    totals = with_window_band(window_totals(fc, window, keys, freq), bands.get("series"), keys)
    result = EventForecast(window, cutoff, end_of_data, keys, fc, totals, notes, direct, levels, bands, freq, spans)
    if direct is not None:  # a level's band: its series' refits summed per refit, else its direct forecast's
        for level, by in [(k, [k]) for k in levels] + [("national", [])]:
            summed = summed_level_bands(result, by, train)
            if summed is not None:
                result.window_bands[level] = _or_direct(summed, bands.get(level), by)
    return result


NAMED_KEYS = 5  # keys a middle-out note names one by one (the rest are counted)


def middle_out(frame: pd.DataFrame, middle: EventForecast, keys, *, planned=None, other: str = "(other)",
               model: str = "auto", n_jobs: int | None = None, names: dict[str, str] | None = None,
               calendar: RetailCalendar | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The series of ``frame`` below the reconciled level ``middle`` (an ``event_forecast`` keyed
    by a coarser key, e.g. regions under SKU x region), forecast over ``middle``'s horizon and
    split within each of its keys in proportion to their own forecasts, day by day, so they add
    up to ``middle``'s forecast: the mean and the median exactly (each series' baseline is
    scaled with its mean, every band with its median) (``reconcile.reconcile``, ``"forecast_proportions"``). This is
    middle-out reconciliation (hierarchicalforecast's ``MiddleOut`` with forecast proportions):
    the middle level, dense and reconciled with the national total, is the one figure; the
    sparse bottom only shares it out. One forecast of the window, whatever level reads it.

    Args:
        frame: the standard frame ``[keys..., ds, y]`` (units per day, week or month: ``middle``'s
            ``freq``), with the middle's key columns among ``keys``.
        middle: the reconciled forecast of the level above (``event_forecast``); its ``cutoff``
            bounds the history used.
        keys: the bottom series' key columns (``["sku", "region"]``).
        planned: a boolean mask of ``frame``'s rows whose series are wanted one by one (None: all);
            the other rows of each middle key are summed into one series labelled ``other`` in
            every finer key column, forecast, given its share and left out of the result, so the
            wanted series take only theirs.
        other: that series' label (a value no finer key column holds).
        model: the bottom series' model (``workbench.forecast.models``).
        names: how the note names the key columns (a user's own: ``{"sku": "商品编码"}``).
        calendar: the event calendar ``middle`` was forecast with (None: the shipped one), so the
            series' shares come from the same events' shapes.

    Returns:
        ``(forecast, notes)``: the bottom's daily forecast ``[keys..., ds, yhat, yhat_qNN...,
        yhat_baseline]`` (units per period) with ``attrs["failures"]`` of the core, and the
        notes: the models' and one saying what the series summed to over the window and what
        they now add up to. A series whose forecast failed (``attrs["failures"]``) has none, and
        its middle key is not split: its other series keep their own forecasts (its units given
        to none of them; the note names the keys); a key the middle level lacks keeps its series
        as forecast too. On a day when every series of a key forecasts 0 and the key more, its
        units are shared equally among them (``reconcile``'s rule): the note names those days
        per key, as a guess, not a forecast of the series.

    Raises:
        ParameterError: ``keys`` not a strict superset of ``middle.keys``, a key column ``frame``
            lacks, ``other`` a value of a finer key column, ``planned`` not one flag per row of
            ``frame``, or a ``middle`` without a forecast band (its quantile columns).
    """
    from workbench.forecast.reconcile import reconcile

    keys, by = list(keys), list(middle.keys)
    finer = [k for k in keys if k not in by]
    if not by or not set(by) <= set(keys) or not finer:
        raise ParameterError(f"keys: {keys} must hold the middle level's keys {by} and a finer one")
    absent = [c for c in [*keys, "ds", "y"] if c not in frame.columns]
    if absent:
        raise ParameterError(f"frame: no column {absent}; middle_out reads the standard frame [keys..., ds, y] "
                             f"(its columns: {list(frame.columns)})")
    taken = [k for k in finer if (frame[k].astype(str) == other).any()]
    if taken:
        raise ParameterError(f"other: {other!r} is a value of {taken}; choose a label no series has")
    if planned is not None and (np.ndim(planned) != 1 or len(planned) != len(frame)
                                or not pd.api.types.is_bool_dtype(np.asarray(planned))):
        raise ParameterError(f"planned: one true/false flag per row of frame ({len(frame)} rows); got "
                             f"{np.asarray(planned).dtype} of shape {np.shape(planned)}")
    if not any(c.startswith("yhat_q") for c in middle.forecast.columns):
        raise ParameterError(f"middle: its forecast has no quantile columns (yhat_qNN; it has "
                             f"{list(middle.forecast.columns)}); middle_out splits the band with the point: "
                             f"forecast the middle level with quantiles")
    history = frame["ds"] <= middle.cutoff
    train = frame[history]
    wanted = np.asarray(planned)[history.to_numpy()] if planned is not None else None
    if wanted is not None and not wanted.all():
        rest = (train[~wanted].groupby([*by, "ds"], sort=True, as_index=False)["y"].sum()
                .assign(**{k: other for k in finer}))
        train = pd.concat([train[wanted], rest[[*keys, "ds", "y"]]], ignore_index=True)
    qcols = [c for c in middle.forecast.columns if c.startswith("yhat_q")]
    request = ForecastRequest(horizon=middle.forecast["ds"].nunique(), model=model, freq=middle.freq,
                              quantiles=tuple(float(c[len("yhat_q"):]) / 100 for c in qcols), n_jobs=n_jobs)
    fc = forecast(train, request, keys=keys, calendar=calendar, with_baseline=True)
    notes = list(dict.fromkeys(fc.attrs.get("notes", [])))
    failures = fc.attrs.get("failures", [])
    failed = {tuple(f.key[k] for k in by) for f in failures}
    values = [c for c in ("yhat", *qcols, "yhat_baseline") if c in middle.forecast.columns]
    top = {k if isinstance(k, tuple) else (k,): part for k, part in middle.forecast.groupby(by, sort=False)}
    parts, kept, seen, equal = [], [], set(), {}
    for key, part in fc.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        seen.add(key)
        level = top.get(key)
        if level is None or key in failed:  # nothing to split, or a failed series' units (review 7.2 #1)
            if level is None:
                kept.append(", ".join(map(str, key)))
            parts.append(part)
            continue
        split = reconcile(part, level[["ds", *values]], keys=finer, method="forecast_proportions")
        days = split.attrs.get("reconcile", {}).get("equal_split_dates", [])
        if days:
            equal[", ".join(map(str, key))] = days
        split.attrs = {}
        parts.append(split)
    out = pd.concat(parts, ignore_index=True)

    summed, total = (window_point_total(f, middle.window, middle.freq) for f in (fc, out))
    outside = (out[finer] == other).all(axis=1).to_numpy()
    planned_total = window_point_total(out[~outside], middle.window, middle.freq)
    out = out[~outside].reset_index(drop=True)
    out.attrs["failures"] = failures
    gap = f" ({summed / total - 1:+.1%})" if total > 0 else ""
    named = {k: (names or {}).get(k, k) for k in keys}
    series, level = " x ".join(named[k] for k in keys), ", ".join(named[k] for k in by)
    what = (f"the {out.groupby(keys).ngroups} {series} series wanted and the rest summed per {level} ('{other}')"
            if outside.any() else f"the {fc.groupby(keys).ngroups} {series} series")
    note = (f"{what} summed to {summed:,.0f}{gap} over the window; split within each {level} in proportion "
            f"to their own forecasts (middle-out), they add up to the {level} forecast, {total:,.0f}: one "
            f"forecast of the window at every level" if not failed else
            f"{what} summed to {summed:,.0f} over the window; split within each {level} in proportion to their "
            f"own forecasts (middle-out) but where a series failed, they add up to {total:,.0f}, the {level} "
            f"forecast being {window_point_total(middle.forecast, middle.window, middle.freq):,.0f}")
    if outside.any():
        note += f", of which the series wanted hold {planned_total:,.0f}"
    if failed:
        note += (f"; {len(failures)} series failed (the notes say why) and have no forecast: "
                 f"{'; '.join(sorted(', '.join(map(str, k)) for k in failed))} not split (its other series as "
                 f"forecast, none given the failed series' units), so it falls short of the {level} forecast")
    if kept:
        note += f"; not split in {'; '.join(kept)}, which the {level} forecast lacks: its series are as forecast"
    if equal:  # review 7.3 #3: a guess, said
        shown = "; ".join(f"{key}: {len(days)} day(s) from {pd.Timestamp(days[0]).date()}"
                          for key, days in sorted(equal.items())[:NAMED_KEYS])
        more = f" and {len(equal) - NAMED_KEYS} more" if len(equal) > NAMED_KEYS else ""
        note += (f"; on days when every series of a {level} forecast 0 and the {level} more, its units were shared "
                 f"equally among them, a guess, not their forecasts ({shown}{more})")
    lost = sorted(", ".join(map(str, k)) for k in set(top) - seen)
    if lost:
        note += f"; no series of {'; '.join(lost)} could be forecast: its units are in no {series} series"
    return out, [*notes, note]


def summed_level_bands(result: EventForecast, by: list[str], history: pd.DataFrame | None = None
                       ) -> pd.DataFrame | None:
    """Per key of ``by`` (``[]`` = national), the band of the level's window total from its
    series' refits summed per refit (``window_band.summed_band``), around the sum of its
    series' window totals as forecast: ``by``, ``yhat``, the quantile columns and
    ``window_band`` (``"summed refits"``, or ``"none"`` where the sums give too few spans), as
    ``core.forecast``'s ``window_bands`` (``with_window_band`` scales it to the coherent point).
    Days, weeks and months alike (every model's refit paths run from their origins to the end
    of the history, so a path's length is its origin for every series). None without the
    series' spans.
    ``history``: the series' history the forecast read (``[keys..., ds, y]``, censored), whose sums
    per key of ``by`` hold each level's band to the guard's cap of a window total, as the core holds
    a series' (``guard.window_cap``): a band past it is ``"none"`` (``_or_direct`` then takes the
    level's direct forecast's, which the core held to it), with a note in ``result.notes``. None:
    not checked."""
    from workbench.data.validate import window_share
    from workbench.forecast.guard import window_cap
    from workbench.forecast.window_band import refused_band_note, summed_band

    series = result.window_bands.get("series")
    if result.window_spans is None or series is None or series.empty:
        return None
    keys, spans = result.keys, result.window_spans
    qcols = [c for c in series.columns if c.startswith("yhat_q")]
    levels = [float(c[len("yhat_q"):]) / 100 for c in qcols]
    periods = pd.DatetimeIndex(np.sort(result.forecast["ds"].unique()))  # the forecast's periods
    inside = np.flatnonzero(window_share(periods, result.freq, result.window.start, result.window.end) > 0)
    first_step, length = int(inside[0]) + 1, len(inside)  # as core's window total counts them
    if keys:  # the spans of the series with a window total, in their order, split per key of the level once
        spans = spans.merge(series[keys], on=keys)
    level_spans = {k if isinstance(k, tuple) else (k,): g for k, g in spans.groupby(by, sort=False)} if by else {}
    rows = []
    for key, part in (series.groupby(by, sort=True) if by else [((), series)]):
        key = key if isinstance(key, tuple) else (key,)
        total = float(part["yhat"].sum())
        mine = level_spans.get(key, spans.iloc[:0]) if by else spans
        band = (summed_band(total, mine, first_step, length, levels, result.freq) if total > 0 and len(mine)
                else None)
        if band is not None and history is not None:
            own = history[(history[by] == pd.Series(dict(zip(by, key)))).all(axis=1)] if by else history
            cap, why = window_cap(own.groupby("ds")["y"].sum().to_numpy(float), total, length,
                                  first_step + length - 1, result.freq)
            if max(band.values()) > cap * (1 + 1e-9):
                name = ", ".join(f"{k}={v}" for k, v in zip(by, key)) or "national"
                result.notes.append(f"{name}: " + refused_band_note([("summed refits", max(band.values()))],
                                                                    max(levels), cap, why,
                                                                    "the level's direct forecast's band"))
                band = None
        rows.append({**dict(zip(by, key)), "yhat": total,
                     **{c: (band[q] if band else (0.0 if total == 0 else np.nan)) for c, q in zip(qcols, levels)},
                     "window_band": "summed refits" if band else ("zero" if total == 0 else "none")})
    return pd.DataFrame(rows)


def _or_direct(summed: pd.DataFrame, direct: pd.DataFrame | None, by: list[str]) -> pd.DataFrame:
    """``summed`` (``summed_level_bands``) with its keys that have no band (``"none"``) taking
    the level's direct forecast's band (``direct``, ``core.forecast``'s ``window_bands``) where
    it has one."""
    missing = summed["window_band"] == "none"
    if direct is None or direct.empty or not missing.any():
        return summed
    own = summed[missing][by].merge(direct, on=by, how="inner") if by else direct
    return pd.concat([summed[~missing], own], ignore_index=True)


def inner_notes(what: str, notes: list[str]):
    """A context in which the forecast notes (``core.ForecastNoteWarning``) of a forecast the run
    makes for itself, not for its output (a level's total forecast for its band, the national
    total reconciled with), are said as ``"<what>: <note>"``, re-issued and added to ``notes``:
    printed bare, ``category=服饰: ...`` read as one of the output series (review of trial 12)."""
    import warnings
    from contextlib import contextmanager

    from workbench.forecast.core import ForecastNoteWarning

    @contextmanager
    def context():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ForecastNoteWarning)
            yield
        for item in caught:
            if issubclass(item.category, ForecastNoteWarning):
                note = f"{what}: {item.message}"
                notes.append(note)
                warnings.warn(note, ForecastNoteWarning, stacklevel=4)
            else:
                warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return context()


def _reconciled(fc: pd.DataFrame, train: pd.DataFrame, request: ForecastRequest, keys: list[str],
                calendar, method: str, window: EventWindow, span, spans: pd.DataFrame, notes: list[str],
                unavailable: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """The series' forecast reconciled with the direct forecast of their sum (``method``; ``"auto"``:
    ``reconcile.choose_method``; kept as forecast with ``"bottom_up"``), the direct total (forecast with the window total's band; also
    where the national band comes from), and a note with the gap over the window (or why
    nothing was reconciled). ``spans``: the series' refit span sums (``forecast``'s
    ``attrs["window_spans"]``), the errors ``mint_refits`` weighs by; ``notes``: the run's, which the
    direct total's own notes join, labelled (``inner_notes``); ``unavailable``: declared days, whose
    periods wholly declared every method holds at sales 0, and those partly declared it moves only
    as far as the days they sell (``core.unavailable_share``)."""
    from workbench.forecast.reconcile import reconcile

    failures = fc.attrs.get("failures", [])
    if failures:
        named = "; ".join(series_label(f.key) for f in failures[:3]) + \
            (f" and {len(failures) - 3} more" if len(failures) > 3 else "")
        return fc, None, (f"levels not reconciled: {len(failures)} series failed ({named}; the notes say why) and are "
                          f"missing from every level and total; the levels are sums of the series that were forecast, "
                          f"without a band")
    total = train.groupby("ds", sort=True, as_index=False)["y"].sum()
    try:
        with inner_notes("the national total's own forecast, made only to reconcile the series with (not an "
                         "output series)", notes):
            direct = forecast(total, request, calendar=calendar, with_baseline=True, window=span)
    except ModelError as exc:
        return fc, None, (f"levels not reconciled: the national total could not be forecast directly ({exc}); "
                          f"the levels are sums of the series, without a band")
    if LOST_SALES in fc:  # the series' planned stock-outs: the total gives up the same units
        direct = given_up(direct, fc[["ds", LOST_SALES]], [])
    if method == "bottom_up":
        return fc, direct, ("levels not reconciled (bottom_up): each level is the sum of its series; its band is "
                            "that of its own direct forecast, scaled to the sum")
    from workbench.forecast.reconcile import prepare_method

    method, why, errors = prepare_method(method, train, keys, request.freq, request.quantiles, spans,
                                         direct.attrs.get("window_spans"))
    fallback = f" (chosen: {why})" if why else ""
    out = reconcile(fc, direct, keys=keys, method=method, errors=errors,
                    held=unavailable_share(fc, keys, unavailable, request.freq))

    summed, national, coherent = (window_point_total(f, window, request.freq) for f in (fc, direct, out))
    gap = f" ({summed / national - 1:+.1%})" if national > 0 else ""
    how = {"forecast_proportions": "split top-down in proportion to their own forecasts",
           "top_down_var": "moved to it each period in proportion to their forecast variances (the less sure a "
                           "series, the more it moves)"}.get(method, f"reconciled ({method})") + fallback
    info = out.attrs["reconcile"]
    if info.get("equal_split_dates"):
        how += (f"; on {len(info['equal_split_dates'])} days the series forecast nothing while the total did, "
                f"so its forecast is split equally")
    if info.get("proportional_dates"):
        how += (f"; on {len(info['proportional_dates'])} days no series had a band, so the total is split in "
                f"proportion to their forecasts")
    if info.get("at_zero"):
        how += f"; {info['at_zero']} series-days went to zero (the total is below what the others can give up)"
    extra = _how_extra(info, request.freq)
    how += extra
    if method == "backtest_weights":  # the two totals side by side, with the errors that weighed them
        return out, direct, (f"levels reconciled (backtest_weights: the direct national forecast and the series' sum "
                             f"weighed by their own refits' errors over {info['spans']} window-long spans from "
                             f"{info['refits']} origins, RMS {info['rms_total']:.1%} for the direct total and "
                             f"{info['rms_sum']:.1%} for the sum, so {info['weight']:.0%} of the weight on the direct "
                             f"total; the series moved to it by the variances of their bands): the "
                             f"{fc.groupby(keys).ngroups} series summed to {summed:,.0f}{gap} over the window against "
                             f"the direct national forecast of {national:,.0f}; every level now adds up to "
                             f"{coherent:,.0f}{fallback}{extra}")
    if method in ("wls_var", "mint_refits"):  # the national total moves too: towards the surer of the two
        # how far it moved, said plainly: a diagonal W weighs the series' errors as independent,
        # so the sum of many series can look surer than the direct total
        independent = method == "wls_var" or not info["correlation"] > 0
        weighed = ("each series and the national total weighed by the variance of its own band, the less sure "
                   "moving more" if method == "wls_var" else
                   f"each series and the national total weighed by the variance of its own band only, as wls_var: "
                   f"{info['uncorrelated_why']}" if independent else
                   f"each series and the national total weighed by the variance of its own band, the series also "
                   f"by how their refits' window errors went together (correlation {info['correlation']:+.2f}, "
                   f"{info['series_with_errors']} of {fc.groupby(keys).ngroups} series with refits, "
                   f"{info['paired']:.0%} of their pairs with a refit in common), so series that err together "
                   f"count as one error")
        why = (" (their errors are weighed as independent, which makes a sum of many series look surer than it "
               "may be)" if independent else "")
        share = (f", {(coherent - national) / (summed - national):.0%} of the way from the direct national forecast "
                 f"to the series' sum{why}" if abs(summed - national) >= 0.5 else "")
        return out, direct, (f"levels reconciled ({method}: {weighed}): the "
                             f"{fc.groupby(keys).ngroups} series summed to {summed:,.0f}{gap} over the window "
                             f"against the direct national forecast of {national:,.0f}; every level now adds up "
                             f"to {coherent:,.0f}{share}{fallback}{extra}")
    return out, direct, (f"levels reconciled to the direct national forecast, {national:,.0f} over the window: the "
                         f"{fc.groupby(keys).ngroups} series, which summed to {summed:,.0f}{gap}, are {how}")


def _how_extra(info: dict, freq: str) -> str:
    """The reconciliation's notes past its method: series-periods held, values set to zero."""
    word = PERIOD_WORDS[freq]
    held = (f"; {info['held']} series-{word}s wholly declared unavailable held at sales 0, the other series taking "
            f"the gap") if info.get("held") else ""
    held += (f"; {info['partly_held']} series-{word}s partly declared unavailable moved only as far as the days they "
             f"sell") if info.get("partly_held") else ""
    if not info.get("negative_values"):
        return held
    return (f"{held}; {info['negative_values']} series-{word}s came out negative and were set to zero "
            f"({info['negative_units']:,.0f} units), so the levels sum the rest")


def window_point_total(fc: pd.DataFrame, window: EventWindow, freq: str = "D") -> float:
    """The point forecast's total over the event window, all of ``fc``'s rows together: each
    period's ``yhat`` (units) times the share of its days inside the window
    (``data.validate.window_share``), summed: ``window_totals``' ``yhat`` without its keys."""
    from workbench.data.validate import window_share

    return float((fc["yhat"] * window_share(fc["ds"], freq, window.start, window.end)).sum())


def window_totals(fc: pd.DataFrame, window: EventWindow, keys: list[str], freq: str = "D") -> pd.DataFrame:
    """Per key over the event window: forecast, quantile sums, baseline, uplift, and actuals.

    ``fc``'s rows are periods of ``freq`` dated by their first day: a week or month counts with
    the share of its days inside the window (``data.validate.window_share``: its units spread
    evenly over its days), a day whole. The uplift and its baseline cover only the rows whose
    model has a baseline (see ``with_uplift``), so ``uplift_pct`` (100 x uplift / baseline, in
    percent; ``error_pct`` likewise, against the actuals) compares like with like. The
    quantile sums are no quantiles of the total (``with_window_band`` puts the total's own band
    in their place). Units: those of ``fc``'s values."""
    from workbench.data.validate import window_share

    share = window_share(fc["ds"], freq, window.start, window.end)
    inside = with_uplift(fc[share > 0])
    share = share[share > 0]
    value_cols = [c for c in inside.columns if c.startswith("yhat")] + ["uplift"] \
        + (["y"] if "y" in inside else []) + ([LOST_SALES] if LOST_SALES in inside else [])
    inside = inside.assign(**{c: inside[c].to_numpy(float) * share for c in value_cols})
    grouped = inside.groupby(keys, sort=True) if keys else inside.assign(_all="all").groupby("_all")
    totals = grouped[value_cols].sum(min_count=1).reset_index()
    if not keys:
        totals = totals.drop(columns="_all")
    # a column named *_pct holds percent (43.0), a fraction is named *_share (trial 15 F9: one convention)
    totals["uplift_pct"] = 100 * totals["uplift"] / totals["yhat_baseline"].where(totals["yhat_baseline"] > 0)
    if "y" in inside and inside["y"].notna().any():
        totals["error_pct"] = 100 * (totals["yhat"] - totals["y"]) / totals["y"].where(totals["y"] > 0)
    return totals.rename(columns={"y": "actual"})


def with_window_band(totals: pd.DataFrame, band: pd.DataFrame | None, by: list[str]) -> pd.DataFrame:
    """``totals`` (``window_totals`` per ``by``; ``[]`` = national) with the window total's own
    band in place of the summed quantile columns, and ``window_band``, the rule that gave it
    (``workbench.forecast.window_band.SOURCES``).

    ``band``: per key of ``by``, the total as forecast (``yhat``) and its quantiles
    (``core.forecast``'s ``window_bands``). A reconciled total differs from the total as
    forecast, so the band is scaled by their ratio (the relative band is the forecast's own).
    A key without a band (none given, or a zero total as forecast that reconciling made
    positive) has NaN quantiles and the rule ``"none"``: never a sum of the days' quantiles
    (``wls_var`` keeps a zero series at exactly 0: ``reconcile``).
    Returns a new frame."""
    out = totals.copy()
    qcols = [c for c in out.columns if c.startswith("yhat_q")]
    if band is None or band.empty:
        out[qcols] = np.nan
        out["window_band"] = "none"
        return out
    merged = out[by].merge(band, on=by, how="left") if by else pd.concat([band] * len(out), ignore_index=True)
    point, forecast = out["yhat"].to_numpy(float), merged["yhat"].to_numpy(float)
    scale = np.where(forecast > 0, point / np.where(forecast > 0, forecast, 1.0),
                     np.where((forecast == 0) & (point == 0), 1.0, np.nan))  # a zero total keeps its zero band
    for c in qcols:
        out[c] = merged[c].to_numpy() * scale
    out["window_band"] = np.where(np.isfinite(scale), merged["window_band"].to_numpy(), "none")
    return out


def aggregate(fc: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum a forecast up to the keys ``by`` (``[]`` = national). Point forecasts and baselines
    add up exactly across levels; summed quantiles assume series move together, which makes the
    aggregate band conservative (wider than the true band of the sum)."""
    fc = with_uplift(fc)
    value_cols = [c for c in fc.columns if c.startswith("yhat") or c in ("y", "uplift", LOST_SALES)]
    out = fc.groupby([*by, "ds"], sort=True)[value_cols].sum(min_count=1).reset_index()
    return out


def with_uplift(fc: pd.DataFrame) -> pd.DataFrame:
    """``fc`` with an ``uplift`` column per row (``yhat - yhat_baseline``; NaN where the model
    has no baseline), computed before any sum: summed afterwards, a series without a baseline
    would count its whole forecast as uplift."""
    if "uplift" in fc or "yhat_baseline" not in fc:
        return fc
    return fc.assign(uplift=fc["yhat"] - fc["yhat_baseline"])


LEVEL_KEYS = {"sku": ["category", "region", "sku"], "category_region": ["category", "region"],
              "category": ["category"], "region": ["region"], "national": []}
MAX_BACKTEST_YEARS = 2  # default: the last two years that can be backtested


@dataclass(frozen=True)
class EventParams:
    """The event notebook's parameters as one frozen object, checked on construction (in the
    notebook: ``notebook_params(EventParams, globals())``), then passed whole.

    ``year`` None: the next window after the data. ``keys`` None: the ``level``'s key columns
    (``LEVEL_KEYS``), which must all be in the file; a list names the file's own key columns
    (any language). ``lead``: days between the end of a backtest's history and its window.
    ``backtest_years`` None: the last ``MAX_BACKTEST_YEARS`` years with enough history.
    ``export_dir``: where the ranked selection table is written (None: not written).
    ``freq``: the file's periods, ``"D"`` days, ``"W"`` weeks, ``"MS"`` months, each dated by
    its first day; None: read from the file's dates (``load_planning_frame``, with a note).
    ``successors``: a successor mapping file (``workbench.data.successors``) for a file's codes.
    ``sum_over``: the file's columns summed over before the forecast (finer keys: a province
    under keys [sku]), declared, never guessed (``validate.finer_keys``); None: none.
    ``events``: the planner's events YAML (``calendar.RetailCalendar``: own events such as 中秋,
    changed windows); ``event`` is then one of ``PLANNING_EVENTS`` or an event the file adds.
    ``unavailable``: a file of days series could not sell (``workbench.data.unavailable``: a
    stock-out; read by ``load_unavailable``); None: none.
    Raises ``ParameterError`` whose message starts with the bad parameter's name, ``ConfigError``
    for a faulty events file (its file and line).
    """

    event: str = "618"
    year: int | None = None
    data: str = "sample"
    date_col: str = "ds"
    target: str = "units"
    keys: tuple[str, ...] | None = None
    level: str = "category"
    lead: int = 90
    model: str = "auto"
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    backtest_years: tuple[int, ...] | None = None
    backtest_models: tuple[str, ...] = ("auto", "seasonal_naive", "event_naive")
    export_dir: str | None = None
    freq: str | None = None
    successors: str | None = None
    events: str | None = None
    sum_over: tuple[str, ...] | None = None
    unavailable: str | None = None

    def __post_init__(self):
        from workbench.data.sample import LEVELS
        from workbench.forecast.models import MODEL_CHOICES
        from workbench.forecast.request import check_keys, check_quantiles, check_whole_number

        def named(name, check, *args, **kwargs):
            try:
                return check(*args, **kwargs)
            except (ParameterError, DataValidationError) as exc:
                text = str(exc)
                raise ParameterError(text if text.startswith(f"{name}:") else f"{name}: {text}") from None

        set_ = object.__setattr__
        if self.events is not None:
            set_(self, "events", str(self.events))
        check_event_choice(str(self.event), self.events)
        set_(self, "event", str(self.event))
        if self.year is not None:
            set_(self, "year", named("year", check_whole_number, self.year, "year", 2000, 2099))
        set_(self, "lead", named("lead", check_lead, self.lead))
        if self.level not in LEVELS:
            raise ParameterError(f"level: {self.level!r} is not one of {LEVELS}")
        if self.model not in MODEL_CHOICES:
            raise ParameterError(f"model: {self.model!r} is not one of {list(MODEL_CHOICES)}")
        qs = named("quantiles", check_quantiles, self.quantiles)
        if len(qs) < 2:
            raise ParameterError(f"quantiles: {self.quantiles!r} needs at least two levels strictly "
                                 f"between 0 and 1")
        set_(self, "quantiles", qs)
        unknown = [m for m in self.backtest_models if m not in MODEL_CHOICES]
        if unknown:
            raise ParameterError(f"backtest_models: unknown {unknown}; choose from {list(MODEL_CHOICES)}")
        set_(self, "backtest_models", tuple(self.backtest_models))
        if self.backtest_years is not None:
            set_(self, "backtest_years", tuple(named("backtest_years", check_whole_number, y, "backtest_years",
                                                     2000, 2099) for y in self.backtest_years))
        if self.keys is not None:
            set_(self, "keys", tuple(named("keys", check_keys, self.keys, date_col=self.date_col,
                                           target_col=self.target)))
        for name in ("date_col", "target"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ParameterError(f"{name}: {getattr(self, name)!r} must be a column name")
        if self.sum_over is not None:
            if isinstance(self.sum_over, str) or not all(isinstance(c, str) and c for c in self.sum_over):
                raise ParameterError(f"sum_over: {self.sum_over!r} must be a list of column names, e.g. [\"省份\"]")
            if self.data == "sample":
                raise ParameterError("sum_over: the sample data has fixed columns; set it for your own file only")
            set_(self, "sum_over", tuple(self.sum_over))
        if self.data != "sample" and not Path(self.data).is_file():
            raise ParameterError(f"data: {self.data!r} is neither 'sample' nor an existing file")
        if self.unavailable is not None:
            if not Path(self.unavailable).is_file():
                raise ParameterError(f"unavailable: {str(self.unavailable)!r} is not an existing file")
            set_(self, "unavailable", str(self.unavailable))
        if self.successors is not None:
            if self.data == "sample":
                raise ParameterError("successors: the sample data replaces no codes; give it with your own file")
            if not Path(self.successors).is_file():
                raise ParameterError(f"successors: {self.successors!r} is not an existing file")
        if self.data == "sample":
            if self.target not in ("units", "gmv"):
                raise ParameterError(f"target: the sample data has 'units' and 'gmv', not {self.target!r}")
            if self.date_col != "ds" or self.keys is not None:
                raise ParameterError(f"{'date_col' if self.date_col != 'ds' else 'keys'}: the sample data has "
                                     f"fixed columns (ds and the level's keys); set these for your own file only")
        if self.freq is not None and self.freq not in PLANNING_FREQUENCIES:
            raise ParameterError(f"freq: {self.freq!r} is not one of {list(PLANNING_FREQUENCIES)} (D days, W weeks, "
                                 f"MS months, each dated by its first day), or None to read it from the dates")
        if self.data == "sample" and self.freq not in (None, "D"):
            raise ParameterError(f"freq: the sample data is daily, not {self.freq!r}; set freq for your own file only")
        if self.export_dir is not None and Path(self.export_dir).exists() and not Path(self.export_dir).is_dir():
            raise ParameterError(f"export_dir: {self.export_dir!r} is a file, not a directory")

    @property
    def key_columns(self) -> list[str]:
        """The series key columns: ``keys`` as given, else the level's."""
        return list(self.keys) if self.keys is not None else list(LEVEL_KEYS[self.level])


def load_planning_frame(params: EventParams, calendar: RetailCalendar | None = None
                        ) -> tuple[pd.DataFrame, list[str], str, list[str]]:
    """The standard frame for the event notebook, its key columns, its frequency (``"D"``,
    ``"W"`` or ``"MS"``: ``params.freq``, or read from the file's dates by ``file_frequency``)
    and notes.

    The sample is read at ``params.level`` (daily). A file must hold ``params.date_col``,
    ``params.target`` and every key column (``params.key_columns``): a level whose key columns
    are absent is refused (``ParameterError``), never forecast as a total. The columns of
    ``params.sum_over`` (finer keys: a province under keys [sku]; ``validate.finer_keys``,
    declared, never guessed) are validated with the rest and then summed over, and a note says so
    (``validate.sum_finer``); rows that repeat a date and key and differ in another column are
    refused naming it and ``sum_over``. The table's own notes (number columns not read, the last
    period, years outside the calendar, a product level the keys lack) come from
    ``validate.table_notes``, judged on ``calendar`` (the plan's, ``planning_calendar``; None:
    the shipped one). A ``params.successors`` mapping (``workbench.data.successors``) is
    checked before the file is read and applied before that sum (its codes may be the finer
    ones), with a note; so is a note on codes that look like an undeclared replacement
    (``likely_replacements``).
    """
    from workbench.data.io import read_table
    from workbench.data.sample import load_sample
    from workbench.data.validate import prepare_long_frame

    keys = params.key_columns
    if params.data == "sample":
        frame, _ = prepare_long_frame(load_sample(params.level), date_col="ds", target_col=params.target,
                                      keys=keys, freq="D", source=f"sample ({params.level})")
        return frame, keys, "D", []
    from workbench.data.successors import map_codes, read_successors
    from workbench.data.validate import finer_keys, sum_finer, table_notes

    mapping = read_successors(params.successors) if params.successors is not None else None
    raw = read_table(params.data, text_columns=[*keys, *(params.sum_over or ())])  # codes such as 00123 keep their zeros
    absent = [k for k in keys if k not in raw.columns]
    if absent:
        what = f"keys: {absent}" if params.keys is not None else \
            f"level: {params.level!r} needs the key column(s) {keys}"
        raise ParameterError(f"{what}; {params.data} has no {absent} (its columns: {list(raw.columns)}). "
                             f"Choose a level whose columns the file has, or name your own key columns "
                             f"with keys=[...]")
    finer = finer_keys(raw, keys, params.sum_over, str(params.data))
    freq, notes = params.freq, []
    if freq is None:
        freq, note = file_frequency(raw, params.date_col, str(params.data))
        notes += [note] if note else []
    frame, _ = prepare_long_frame(raw, date_col=params.date_col, target_col=params.target,
                                  keys=[*keys, *finer], freq=freq, freq_name="freq", finer_name="sum_over")
    frame, moved = map_codes(frame, [*keys, *finer], mapping)
    notes += moved
    frame, summed = sum_finer(frame, keys, finer, str(params.data))
    notes += summed
    # product names (商品名称) ride beside the codes into the selection and forecast tables (trial 15 F9)
    names, named = product_names(raw, keys, str(params.data))
    notes += table_notes(frame, freq, str(params.data), raw=raw,
                         used=[params.date_col, params.target, *keys, *finer, *([names["header"]] if names else [])],
                         target=params.target, keys=keys, level_flag="keys", calendar=calendar) + named
    frame.attrs["product_names"] = names
    return frame, keys, freq, notes


# the event report's advice on an unavailable-days column that is no key: its parameter, not the CLI's flag
EVENT_KEYS_FIX = "rename them or add them to the keys parameter (-p keys '[...]')"


def load_unavailable(params: EventParams, frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame | None:
    """The declared unavailable days of ``params.unavailable`` (``workbench.data.unavailable``) checked
    against the frame ``load_planning_frame`` read (``frame``, series by ``keys``); None without a file.
    Raises ``DataValidationError`` naming the file, line and column."""
    if params.unavailable is None:
        return None
    from workbench.data.unavailable import read_unavailable

    return read_unavailable(params.unavailable, frame, keys, fix=EVENT_KEYS_FIX)


def check_event_unavailable(values: dict) -> None:
    """The event notebook's check of its ``unavailable`` file before any kernel starts (declared in its
    metadata, run by ``reports.runner.check_inputs``): its columns and dates, that its key columns
    are among the run's keys (``keys``, else the ``level``'s), and its codes against the data's
    (``data``: the file as written, or the sample at ``level``), so a typo is refused in seconds, not
    after a kernel's start; the run checks them again on its frame (``load_unavailable``).

    Raises:
        DataValidationError: the file's faults or a code the data lack, naming its line and column.
    """
    if values.get("unavailable") is None:
        return
    from workbench.data.unavailable import check_codes, read_spans

    keys = values.get("keys")
    keys = list(keys) if keys is not None else LEVEL_KEYS[values.get("level", "category")]
    spans = read_spans(values["unavailable"], keys, fix=EVENT_KEYS_FIX)
    data = values.get("data", "sample")
    if data == "sample":
        from workbench.data.sample import load_sample

        raw = load_sample(values.get("level", "category"))
    else:
        from workbench.data.io import read_table

        raw = read_table(data, text_columns=True)  # codes as written: 00123 keeps its zeros
    check_codes(spans, raw, [k for k in keys if k in raw.columns])


class LevelKeyWarning(UserWarning):
    """A file's column would give its series a product level above them that the keys lack
    (``product_level_note``)."""


def product_level_note(raw: pd.DataFrame, keys, used, source: str, flag: str = "--keys") -> list[str]:
    """The note telling the user to add a column to the keys when ``keys`` (the series' key
    columns of the file ``raw``) hold no product level above the series (``core.prior_levels``
    finds none: ``--keys 商品编码,省份``) and a text column of ``raw`` not among ``used`` (the
    columns the run reads) would be one: it nests the product key above (each ``商品编码`` in
    one ``类目``), is not geographic, and holds ``MIN_LEVEL_SERIES`` products or more per value
    on average, so a pooled prior could be drawn from it (``prior_levels`` on the keys with it,
    the same rule the core applies). Without one, a young or launched series borrows its event
    profile and growth from the whole panel (trial 8: YP004, a launch, forecast at x3 without
    ``类目`` in the keys, -19% with it). Columns of numbers, amounts or dates written as text are
    no level. ``flag``: how the user names the keys (``--keys`` on the command line, ``keys``
    in a notebook). ``[]`` when the keys have a product level or no column would be one."""
    from workbench.data.validate import NUMBER_LIKE
    from workbench.forecast.core import MIN_LEVEL_SERIES, prior_levels

    keys = [k for k in keys if k in raw.columns]
    if not keys:
        return []
    distinct = raw[keys].astype(str).drop_duplicates()
    if prior_levels(distinct, keys):
        return []
    used = {str(c) for c in used if c is not None}
    found = []
    for column in raw.columns:
        if str(column) in used or pd.api.types.is_numeric_dtype(raw[column]) \
                or pd.api.types.is_datetime64_any_dtype(raw[column]):
            continue
        rows = raw[[*keys, column]].dropna().astype(str).drop_duplicates()
        values = pd.Series(rows[column].unique())
        if values.empty or values.str.fullmatch(NUMBER_LIKE).mean() > 0.5:
            continue
        if column not in prior_levels(rows, [column, *keys]):
            continue
        products = [k for k in keys if rows.groupby(k)[column].nunique().max() == 1]  # the keys it is above
        per_value = rows.groupby(column)[products[0]].nunique().mean() if products else 0
        if per_value >= MIN_LEVEL_SERIES:
            found.append((column, len(values), products[0]))
    if not found:
        return []
    column, count, product = min(found, key=lambda f: f[1])  # the coarsest: the most series per value
    others = [f[0] for f in found if f[0] != column]
    with_it = [column, *keys]
    given = f"{flag} {','.join(map(str, with_it))}" if flag.startswith("--") else f"{flag}={with_it}"
    also = f" ({', '.join(map(repr, others))} would be one too)" if others else ""
    return [f"{source}: the keys {keys} hold no product level above {product!r}, so a young or launched series "
            f"borrows its event profile and growth from the whole panel; column {column!r} groups the "
            f"{product} codes ({count} values, each {product} in one){also}: add it to the keys ({given}) so "
            f"they borrow from their own {column}"]


def planning_calendar(events: str | Path | None) -> RetailCalendar:
    """The calendar a plan runs on: the shipped one, or the planner's ``events`` YAML over it.
    Raises ``ParameterError`` for a file that does not exist, ``ConfigError`` for its faults
    (file and line)."""
    if events is None:
        return default_calendar()
    if not Path(events).is_file():
        raise ParameterError(f"events: {str(events)!r} is not an existing file")
    return RetailCalendar(events)


def check_event_choice(event: str, events: str | Path | None) -> None:
    """``event`` is one a plan can be made for: ``PLANNING_EVENTS``, or an event the planner's
    ``events`` file adds (``planning_calendar``). Raises ``ParameterError`` naming the choices."""
    import warnings

    from workbench.calendar.events import NewEventWarning

    own = []
    if events is not None:
        with warnings.catch_warnings():  # the run announces the file's new events once
            warnings.simplefilter("ignore", NewEventWarning)
            calendar = planning_calendar(events)
        own = [name for name in calendar.events if name not in default_calendar().events]
    if event not in (*PLANNING_EVENTS, *own):
        where = f" or an event of {events} ({own})" if events is not None else " (or give an events file)"
        raise ParameterError(f"event: {event!r} is not one of {PLANNING_EVENTS}{where}")


def check_event_input(values: dict) -> None:
    """The event notebook's check of ``event`` and ``events`` before any kernel starts (declared
    in its metadata, run by ``reports.runner.check_inputs``): the events file is read and
    checked, and ``event`` is one of the choices (``check_event_choice``).

    Raises:
        ParameterError: an unknown event, or an events file that does not exist.
        ConfigError: the events file's faults (file and line).
    """
    check_event_choice(str(values.get("event", "618")), values.get("events"))


def check_event_file(values: dict) -> None:
    """The event notebook's check before any kernel starts (declared in its metadata, run on the
    given parameter values by ``reports.runner.check_inputs``): a file given with ``freq`` D
    whose dates are weekly or monthly (``file_frequency``) is refused naming ``freq``. Without
    ``freq`` the notebook reads the periods from the dates; the rest is checked in the run.

    Raises:
        ParameterError: ``freq`` D on weekly or monthly dates, or quarterly dates.
        DataValidationError: a file that cannot be read or dates that cannot be parsed (named).
    """
    data = values.get("data")
    if values.get("freq") != "D" or data is None or data == "sample":
        return
    from workbench.data.io import read_table

    raw = read_table(data)
    source = raw.attrs.get("source", str(data))
    found, _ = file_frequency(raw, values.get("date_col", "ds"), source)
    if found != "D":
        raise ParameterError(f"freq: D (daily) was given, but every date of {source} is a "
                             f"{PERIOD_WORDS[found]}'s first day, one {PERIOD_WORDS[found]} apart: "
                             f"{PERIOD_ADJECTIVES[found]} data? Set freq {found}, or leave freq out to read it "
                             f"from the dates")


def file_frequency(raw: pd.DataFrame, date_col: str, source: str) -> tuple[str, str | None]:
    """The periods of a planner's file read from its distinct dates
    (``data.validate.dates_frequency``): ``"W"`` when every step is 7 days, ``"MS"`` when every
    date is a month's first day a month apart, else ``"D"``; and a note for weeks and months
    (None for days). Quarters are refused (``ParameterError``): an event window is a few weeks
    long. The dates are checked again, with the rows named, when the frame is validated."""
    from workbench.data.validate import dates_frequency, parse_dates

    if date_col not in raw.columns:
        return "D", None  # the validation names the missing column
    freq = dates_frequency(parse_dates(raw, date_col, source=source))
    if freq == "QS":
        raise ParameterError(f"data: {source}'s dates are quarters (every date the first day of a quarter); "
                             f"an event window lasts a few weeks: give daily, weekly or monthly data")
    if freq == "D":
        return "D", None
    word = PERIOD_WORDS[freq]
    return freq, (f"{source}: every date is a {word}'s first day, one {word} apart: read as {PERIOD_ADJECTIVES[freq]} data "
                  f"(freq {freq}); the forecast and its tables are per {word} (set freq to say otherwise)")


def band_columns(quantiles) -> tuple[str, str]:
    """The columns of the outer quantiles, which make the forecast band."""
    qs = sorted(float(q) for q in quantiles)
    return quantile_column(qs[0]), quantile_column(qs[-1])


def level_daily(result: EventForecast, by: list[str]) -> pd.DataFrame:
    """The daily forecast summed up to ``by`` (``[]`` = national; or one of the category and
    region keys): point forecasts, baselines and actuals are sums of the (reconciled) series, so
    they add up across levels; the band (the quantile columns) is the level's own, from its
    direct forecast, scaled by the ratio of the coherent point forecast to the direct one each
    day (a sum of the series' P10s is no P10 of their sum: far too wide). Without a direct
    forecast (not keyed, or not reconciled) the quantiles are the sums, as ``aggregate`` says."""
    from workbench.forecast.reconcile import scale_band

    out = aggregate(result.forecast, by)
    direct = result.direct_total if not by else result.direct_levels.get(by[0]) if len(by) == 1 else None
    return out if direct is None else scale_band(out, direct, [*by, "ds"])


def _national(result: EventForecast) -> pd.DataFrame:
    """The national row of window totals (``level_daily`` summed over the window), with the
    national total's own band (``with_window_band``)."""
    return with_window_band(window_totals(level_daily(result, []), result.window, [], result.freq),
                            result.window_bands.get("national"), [])


def national_totals(result: EventForecast) -> dict:
    """Window totals over all series: forecast, baseline, uplift share and actual (if known), and
    the band of the national window total (quantiles of the total forecast directly, or of the
    one series; None without one), with ``window_band`` the rule that gave it."""
    row = _national(result).iloc[0]
    return {k: (v if isinstance(v, str) else None if pd.isna(v) else float(v)) for k, v in row.items()}


def level_totals(result: EventForecast) -> pd.DataFrame:
    """Window totals at each coarser level in the keys (``core.coarser_levels``: category, region, a
    file's own ``类目``...) and national:
    sums of the (reconciled) series, so the point forecasts and baselines add up exactly from
    one level to the next, up to the reconciled national point forecast (``event_forecast``).
    Each level's band is that of its own window total forecast directly, scaled to the coherent
    point forecast (``with_window_band``; ``window_band`` names the rule)."""
    levels = [[k] for k in coarser_levels(result.forecast, result.keys)] + [[]]
    parts = []
    for by in levels:
        totals = with_window_band(window_totals(level_daily(result, by), result.window, by, result.freq),
                                  result.window_bands.get(by[0] if by else "national"), by)
        totals.insert(0, "level", by[0] if by else "national")
        totals.insert(1, "key", totals[by[0]] if by else "all")
        parts.append(totals.drop(columns=by))
    return pd.concat(parts, ignore_index=True)


def level_forecast(result: EventForecast, level: str) -> EventForecast:
    """``result`` (an ``event_forecast`` keyed by finer series, e.g. ``sku, region``) read at one
    of its coarser levels (``level``, e.g. ``"region"``: ``core.coarser_levels``), as an
    ``EventForecast`` keyed by it: each day's point forecast and baseline are the sums of its
    (reconciled) series, its band its own direct forecast's scaled to that sum
    (``level_daily``), its window totals carry the band of the level's window total
    (``window_bands[level]``), and the national total is the same as ``result``'s. So the
    rules that act on each series (a yearly off season, a launch, a stop, a level step: the
    models' and the core's) reach the level: a sum of series with different seasons is not
    forecast as one smooth series.

    A ``level`` that tells the series apart (one SKU in every region) is the series themselves,
    with their own bands.

    Raises:
        ParameterError: ``level`` is not one of ``result``'s keys.
    """
    if level not in result.keys:
        raise ParameterError(f"level: {level!r} is not one of the series' keys {result.keys}")
    daily = level_daily(result, [level])
    band = result.window_bands.get(level)
    if level not in coarser_levels(result.forecast, result.keys) and "series" in result.window_bands:
        band = result.window_bands["series"].drop(columns=[k for k in result.keys if k != level])
    totals = with_window_band(window_totals(daily, result.window, [level], result.freq), band, [level])
    bands = {"series": band, "national": result.window_bands.get("national")}
    return EventForecast(result.window, result.cutoff, result.history_end, [level], daily, totals,
                         list(result.notes), result.direct_total, {},
                         {k: v for k, v in bands.items() if v is not None}, result.freq)


@dataclass
class BacktestPlan:
    """Which past windows of an event can be backtested on the data, and why others cannot."""

    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]]  # label -> (start, end), oldest first
    notes: list[str]


def backtest_plan(frame: pd.DataFrame, *, event: str, lead: int, years=None,
                  calendar: RetailCalendar | None = None, freq: str = "D", models=()) -> BacktestPlan:
    """The windows of ``event`` to backtest: in ``years`` (None: the last ``MAX_BACKTEST_YEARS``
    that can be). A window can be backtested when ``backtest.window_history`` does not refuse it
    (it lies inside the data and ``MIN_CUTOFF_HISTORY`` days precede its cut-off, ``lead`` days
    before the window): the command line's rule (``jobs.backtest_file``). A window whose history
    holds no earlier window of the event is backtested all the same, with ``backtest.unseen_note``
    saying the models forecast it without having seen the event (``models``: the models compared;
    trial 12 F20: the report skipped 年货节 2026, which the command line scored). A year that cannot be
    backtested is skipped with a note saying why; none at all is an answer (a note), never an error.
    Weekly or monthly data (``freq``) have no backtest here: ``backtest.compare_models`` scores days
    (its cut-off, coverage and window bands are in days), and a note says so."""
    calendar = calendar or default_calendar()
    lead = check_lead(lead)
    if freq != "D":
        return BacktestPlan({}, [f"no backtest on {PERIOD_ADJECTIVES[freq]} data: the backtest of past windows "
                                 f"scores days (its cut-off, coverage and window bands are in days), and an "
                                 f"event window covers parts of {PERIOD_WORDS[freq]}s"])
    start, end = frame["ds"].min(), frame["ds"].max()
    candidates = sorted(set(years)) if years is not None else range(start.year, end.year + 1)
    usable, notes = [], []
    for year in candidates:
        window = calendar.window(event, year)
        history = window_history(event, year, lead, start, end, calendar)
        if not history.refused:
            usable.append((year, window, history))
        elif years is not None or window.end <= end:  # say why a year asked for, or a past one, is out
            notes.append(f"{window.label} {year} not backtested: {history.refused}")
    if years is None:
        usable = usable[-MAX_BACKTEST_YEARS:]
    notes += [note for year, _, history in usable if (note := unseen_note(event, year, history, calendar, models))]
    windows = {f"{event} {year}": (w.start, w.end) for year, w, _ in usable}
    if not windows:
        notes.append(f"no window of {calendar.label(event)} can be backtested on data from "
                     f"{start.date()} to {end.date()}; the forecast above has no backtest")
    return BacktestPlan(windows, notes)


def selection_table(result: EventForecast, history: pd.DataFrame,
                    calendar: RetailCalendar | None = None) -> pd.DataFrame:
    """Series ranked for selection (选品) by forecast event-window total.

    Columns: ``rank``, the keys, ``forecast`` (window total of ``yhat``), the quantiles of the
    window total (its own band, ``with_window_band``; not sums of the days' quantiles) and
    ``window_band`` (the rule that gave them), ``baseline`` (without event effects),
    ``uplift`` (forecast - baseline), ``uplift_pct`` (100 x uplift / baseline: percent, 43.0), ``uplift_share``
    (the series' share of the total uplift over all series, a fraction: 0.12), ``lost_sales`` (with declared unavailable
    days in the window: the demand given up there, ``core.constrain_unavailable``; the forecast is the
    sales left), ``no_event_history`` (True when the
    series' first sale comes after the start of the last past window of the event, e.g. a new product:
    its uplift is the profile pooled over all series for pooling models, none for the others), and
    ``last_window`` (the series' own units in the last window of the event the history holds whole,
    ``attrs["last_window"]`` names it; NaN for a series with no event history, and no column when the
    history holds no whole window): its own reaction beside the forecast, so an item whose forecast
    falls short of what it sold last time is seen (trial 12: a 年货 gift box that sold 1,856 units in
    its first 年货节 ranked 42nd of 48 on a forecast of 311), and ``uplift_measured`` (False where the
    series' model has no baseline without event effects: a naive model, an intermittent rate (TSB),
    last year's path of a yearly off season; its ``baseline``, ``uplift``, ``uplift_pct`` and
    ``uplift_share`` are NaN, "not measured", never 0: a flat rate's 0 read as "the event does not
    lift it", user trial F6). ``attrs["uplift_note"]`` says which series and why ("" when every
    uplift is measured).
    Units are the target's (units or CNY).
    """
    from workbench.data.validate import period_end, window_share

    calendar = calendar or default_calendar()
    keys, totals = result.keys, result.totals.copy()
    qcols = sorted(c for c in totals.columns if c.startswith("yhat_q"))
    given = [LOST_SALES] if LOST_SALES in totals else []  # planned stock-outs: the demand given up
    out = totals[[*keys, "yhat", *qcols, "window_band", "yhat_baseline", "uplift", "uplift_pct", *given]].rename(
        columns={"yhat": "forecast", "yhat_baseline": "baseline"})
    total_uplift = out["uplift"].sum(min_count=1)
    out["uplift_share"] = out["uplift"] / total_uplift if total_uplift and total_uplift > 0 else np.nan
    # a series starts at its first sale: a file's zero rows before a launch are no event seen
    sold = history[history["y"] > 0]
    every = history.groupby(keys, sort=True)["ds"].min() if keys else pd.Series([history["ds"].min()])
    firsts = (sold.groupby(keys, sort=True)["ds"].min() if keys else pd.Series([sold["ds"].min()])
              ).reindex(every.index)
    past = [w for w in calendar.windows(result.window.event, history["ds"].min(), result.cutoff)
            if w.end <= result.cutoff and w.start >= history["ds"].min()]
    last = max(past, key=lambda w: w.start, default=None)
    seen = (firsts.notna() & (firsts <= last.start)).to_numpy() if last is not None else np.zeros(len(firsts), bool)
    flags = pd.DataFrame({"no_event_history": ~seen}, index=firsts.index).reset_index() if keys else \
        pd.DataFrame({"no_event_history": ~seen})
    if last is not None:  # the series' own units in the last window it saw whole: its own reaction, beside the forecast
        upto = history[period_end(history["ds"], result.freq) <= result.cutoff]
        units = upto["y"] * window_share(upto["ds"], result.freq, last.start, last.end)
        own = units.groupby([upto[k] for k in keys], sort=True).sum().rename("last_window").reset_index() \
            if keys else None
        flags = flags.merge(own, on=keys, how="left") if keys else flags.assign(last_window=float(units.sum()))
        flags["last_window"] = flags["last_window"].where(~flags["no_event_history"])
        flags.attrs["last_window"] = f"{last.label} {last.year}"
    out = out.merge(flags, on=keys, how="left") if keys else out.assign(**flags.iloc[0].to_dict())
    out["uplift_measured"] = out["uplift"].notna()
    out = out.sort_values("forecast", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out = with_names(out, history.attrs.get("product_names"))  # 商品名称 beside the code (trial 15 F9)
    out.attrs["product_names"] = history.attrs.get("product_names")
    out.attrs["last_window"] = flags.attrs.get("last_window")
    out.attrs["uplift_note"] = uplift_note(out, keys)
    return out


def uplift_note(selection: pd.DataFrame, keys: list[str]) -> str:
    """The note on the series of a selection table whose uplift is not measured
    (``uplift_measured`` False): how many, the first few by rank, and why; "" when there are none."""
    missing = selection[~selection["uplift_measured"]]
    if missing.empty:
        return ""
    named = ", ".join("/".join(str(row[k]) for k in keys) or "the series" for _, row in missing.head(5).iterrows())
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return (f"uplift not measured (shown as —, not 0) for {len(missing)} of {len(selection)} series ({named}{more}): "
            f"their model has no baseline without event effects (an intermittent rate, last year's path of a "
            f"yearly off season, or a naive model), so how far the event lifts them is unknown; their forecast "
            f"is the window's whole demand")


def export_tables(selection: pd.DataFrame, params: EventParams, result: EventForecast) -> list[Path]:
    """Write the ranked selection table and the daily forecast per series to
    ``params.export_dir`` as ``selection_<event>_<year>.csv`` and ``forecast_<event>_<year>.csv``:
    UTF-8 with BOM (Excel opens Chinese names), the input's date column name (``date_col``)
    instead of ``ds``, values rounded (units to one decimal, money to two, shares to four).
    Returns the paths written (none without an export directory). Refuses to write over the
    input data (``ParameterError``)."""
    if params.export_dir is None:
        return []
    from workbench.data.io import refuse_overwrite, write_table

    stem = f"{params.event}_{result.window.year}"
    paths = [Path(params.export_dir) / f"selection_{stem}.csv", Path(params.export_dir) / f"forecast_{stem}.csv"]
    for path in paths:
        refuse_overwrite(path, None if params.data == "sample" else params.data, flag="export_dir")
    places = 2 if params.target == "gmv" else 1
    values = [c for c in selection.columns if c in ("forecast", "baseline", "uplift", "last_window")
              or c.startswith("yhat_q")]
    write_table(selection, paths[0], excel_csv=True,
                decimals={c: places for c in values} | {"uplift_pct": 2, "uplift_share": 4})
    daily = with_names(result.forecast, selection.attrs.get("product_names"))
    write_table(daily, paths[1], excel_csv=True, date_name=params.date_col,
                decimals={c: places for c in daily.columns if c.startswith("yhat") or c == "y"})
    return paths


def daily_total(result: EventForecast, date_col: str = "ds") -> pd.DataFrame:
    """The forecast summed over all series per period (day, week or month: ``result.freq``; the
    report's downloadable table), with the date column named ``date_col`` (the input's)."""
    return level_daily(result, []).rename(columns={"ds": date_col})


def table_formats(frame: pd.DataFrame, target: str) -> dict[str, str]:
    """Display kinds (``workbench.reports.tables``) of the planning tables' columns: forecast
    values in money (CNY) for the sample's ``gmv``, else units; percentages; counts."""
    value = "money" if target == "gmv" else "units"
    kinds = {}
    for column in frame.columns:
        if column in ("forecast", "baseline", "uplift", "actual", "y", "last_window", LOST_SALES) \
                or str(column).startswith("yhat"):
            kinds[column] = value
        elif column in ("uplift_pct", "error_pct"):  # percent (43.0)
            kinds[column] = "percent"
        elif column == "uplift_share":  # a fraction (0.12)
            kinds[column] = "pct"
        elif column == "rank":
            kinds[column] = "count"
    return kinds


BACKTEST_COLUMNS = {  # column: (header, display kind); shares as percentages
    "model": ("model", "text"),
    "window": ("window", "text"),
    "wape": ("WAPE", "pct"),
    "summed_wape": ("WAPE of the sum", "pct"),
    "direct_total_wape": ("direct total", "pct"),
    "bias": ("bias", "pct"),
    "coverage": ("coverage", "pct"),
    "mase": ("MASE", "ratio"),
    "scaled_pinball": ("pinball", "ratio:3"),
    "pooled_series_wape": ("series WAPE", "pct"),
    "direct_series_wape": ("as forecast", "pct"),
    "median_series_wape": ("median", "pct"),
    "mean_series_bias": ("series bias", "pct"),
    "series_bias_sd": ("sd", "pct"),
    "series_coverage": ("series coverage", "pct"),
    "window_coverage": ("window coverage", "pct"),
    "worst_series": ("furthest off", "text"),
    "replaced_series": ("by fallback", "count"),
    "not_scored": ("blank because", "text"),  # why a figure is blank (—), or its series count (trial 15 F10)
}  # the number of series is said in the caption (backtest_caption), the same on every row


def backtest_view(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """The backtest comparison (``compare_models``) as the report shows it: ``(frame, kinds,
    labels)`` for :func:`workbench.reports.tables.show_table`, with WAPE, bias, coverage and the
    series' errors in percent and short headers (``total_error`` is left out: it is ``|bias|``;
    the number of series goes in :func:`backtest_caption`)."""
    columns = [c for c in BACKTEST_COLUMNS if c in table.columns]
    return (table[columns], {c: BACKTEST_COLUMNS[c][1] for c in columns},
            {c: BACKTEST_COLUMNS[c][0] for c in columns})


def backtest_series_view(table: pd.DataFrame, model: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """``model``'s window totals per series in the backtest (``compare_models``' ``attrs["series"]``,
    ``backtest.series_table``) as the report shows them: ``(frame, kinds, caption)``, the series
    furthest off (largest ``|bias|``; nothing sold last) first, so the series behind a large series bias
    can be found (trial 12 F12). An empty frame when ``model`` was not scored."""
    series = table.attrs.get("series", pd.DataFrame())
    rows = series[series["model"] == model].drop(columns="model") if len(series) else series
    rows = rows.iloc[rows["bias"].abs().fillna(-1).argsort()[::-1]] if len(rows) else rows
    kinds = {c: "units" for c in rows.columns if c in ("forecast", "actual", "error") or c.startswith("yhat_q")}
    kinds.update(bias="pct", wape="pct")
    kinds = {c: k for c, k in kinds.items() if c in rows.columns}
    caption = (f"{model}'s window total per series and backtested window, furthest off first: forecast, actual, "
               f"error (forecast - actual), bias (error / actual), WAPE of the window's days, the window total's "
               f"band and whether the actual fell inside it; replaced = why the guard's fallback forecast it")
    return rows.reset_index(drop=True), kinds, caption


def backtest_caption(table: pd.DataFrame, lead: int, quantiles) -> str:
    """Caption of the backtest table (``compare_models``'): the series scored and what each
    column measures."""
    lo, hi = quantile_column(min(quantiles)), quantile_column(max(quantiles))
    counts = sorted(set(table["series"])) if "series" in table.columns else []
    series = f"{counts[0]:,} series" if len(counts) == 1 else f"{counts[0]:,} to {counts[-1]:,} series" \
        if counts else "the series"
    reconciled = "summed_wape" in table.columns
    return (f"Backtest of {series} on past windows, history ending {lead} days before each: WAPE, bias (+ over-forecast) "
            f"and MASE of the total"
            + ("; the total forecast directly and the series reconciled with it as in the forecast above (WAPE of "
               "the sum = the total as the sum of the series as forecast; direct total = the total as forecast "
               "directly; as forecast = the series' WAPE before reconciling)" if reconciled else "")
            + f"; coverage = share of the total's days inside its own {lo}..{hi} (the directly forecast "
            f"total's; not scored when there is none); pinball = scaled "
            f"pinball loss of the quantiles; series WAPE = pooled over every series and day, then its median "
            f"over series; series bias = mean over series, then its sd; series coverage = share of series-days "
            f"inside the series' own {lo}..{hi}; window coverage = share of series whose window total lies inside "
            f"the {lo}..{hi} of that total (the selection table's band); furthest off = the series with the largest "
            f"relative window-total error, its forecast vs actual total; by fallback = series the guard's "
            f"fallback forecast (the model failed or its forecast was refused; the notes say why)")


# a total's backtest bias beyond this share is said next to the forecast: a planner reads the
# forecast above it as that much high or low
VERDICT_BIAS = 0.10
VERDICT_COVERAGE = 0.08  # points off the nominal band share that the verdict says (the bar's 80 +- 8)


def backtest_verdict(table: pd.DataFrame, model: str, quantiles) -> list[str]:
    """What a backtest (``compare_models``' table: rows of model and window) says about the
    forecast of ``model`` shown above it, in a planner's words: per window, the total's bias when
    it is beyond ``VERDICT_BIAS`` (e.g. "on 年货节 2026 auto's total was 24% high"), the share of
    series whose window total fell inside their outer ``quantiles``' band against the nominal
    share, and the model with the lowest WAPE when it is another. [] when ``model`` was not
    backtested (its notes say why). Figures from the table (fractions shown as percent)."""
    rows = table[table["model"] == model]
    if rows.empty:
        return []
    nominal = max(quantiles) - min(quantiles)
    out = []
    for _, row in rows.iterrows():
        window = table[table["window"] == row["window"]]
        parts = []
        if np.isfinite(row["bias"]) and abs(row["bias"]) > VERDICT_BIAS:
            parts.append(f"{model}'s total was {abs(row['bias']):.0%} {'high' if row['bias'] > 0 else 'low'}")
        covered = row.get("window_coverage", np.nan)
        if np.isfinite(covered) and abs(covered - nominal) > VERDICT_COVERAGE:
            parts.append(f"{covered:.0%} of the series' window totals fell inside their band (nominal {nominal:.0%}: "
                         f"the bands were too {'narrow' if covered < nominal else 'wide'})")
        best = window.loc[window["wape"].idxmin()] if window["wape"].notna().any() else None
        if best is not None and best["model"] != model and best["wape"] < row["wape"]:
            parts.append(f"{best['model']} was more accurate (WAPE {best['wape']:.0%} against {row['wape']:.0%})")
        if parts:
            out.append(f"on {row['window']}, " + "; ".join(parts))
    return out


def window_band_caption(quantiles) -> str:
    """What the band of a window total in the selection and level tables means: its outer
    quantiles are quantiles of the total over the window, and ``window_band`` names the rule
    that gave them (``workbench.forecast.window_band.SOURCES``)."""
    from workbench.forecast.window_band import SOURCES

    lo, hi = band_columns(quantiles)
    rules = "; ".join(f"{name} = {text}" for name, text in SOURCES.items())
    return (f"{lo}..{hi} are quantiles of each window total (the units of all the window's days together, a "
            f"band of its own), not sums of the days' quantiles, which would be far too wide for a steady "
            f"series and too narrow for a slow mover; window band says where it comes from: {rules}; none = no "
            f"band (the notes say why)")


def selection_view(selection: pd.DataFrame) -> pd.DataFrame:
    """The ranked selection table as the report shows it: ``no_event_history`` and
    ``uplift_measured`` as ``yes`` / ``no`` (the exported CSV keeps True / False)."""
    words = {True: "yes", False: "no"}
    return selection.assign(**{flag: selection[flag].map(words) for flag in ("no_event_history", "uplift_measured")
                               if flag in selection})
