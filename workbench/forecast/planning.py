"""Planner outputs for an event: the forecast per day and key, the uplift over the baseline,
window totals per key, and aggregation to category / region / national levels that add up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.calendar import EventWindow, RetailCalendar, default_calendar
from workbench.errors import ParameterError
from workbench.forecast.core import forecast, series_keys
from workbench.forecast.models.base import DEFAULT_QUANTILES, quantile_column
from workbench.forecast.request import ForecastRequest

PLANNING_EVENTS = ("618", "new_year_sale", "double11", "spring_festival")


@dataclass
class EventForecast:
    """The forecast of one event for a planner."""

    window: EventWindow
    cutoff: pd.Timestamp        # last day of history used
    keys: list[str]
    forecast: pd.DataFrame      # keys, ds, yhat, quantiles, yhat_baseline, y (actuals if known)
    totals: pd.DataFrame        # per key over the window: forecast, baseline, uplift, actual
    notes: list[str]            # what the models said: fallbacks, events without history

    @property
    def has_actuals(self) -> bool:
        return self.forecast["y"].notna().any()


def event_forecast(frame: pd.DataFrame, *, event: str, year: int, lead: int = 90,
                   model: str = "auto", quantiles=DEFAULT_QUANTILES, keys=None,
                   calendar: RetailCalendar | None = None, n_jobs: int | None = None) -> EventForecast:
    """Forecast ``event`` of ``year`` from history ending at least ``lead`` days before its window.

    History ends ``lead`` days before the window starts, or where the data ends if that is
    earlier (a future event: the live plan). With actuals in ``frame`` for the window, the
    forecast is a backtest and the totals carry the error.
    ``yhat_baseline`` is the model's forecast without event effects (NaN for models that have no
    separate event component, the naive ones), so ``yhat - yhat_baseline`` is the uplift.
    """
    calendar = calendar or default_calendar()
    keys = series_keys(frame, keys)
    window = calendar.window(event, year)
    end_of_data = frame["ds"].max()
    cutoff = min(end_of_data, window.start - pd.Timedelta(days=lead or 1))
    train = frame[frame["ds"] <= cutoff]
    if train.empty:
        raise ParameterError(f"year: no history before {cutoff.date()} for {window.label} {year}")
    horizon = int((window.end - cutoff).days) + 7
    request = ForecastRequest(horizon=horizon, model=model, quantiles=quantiles, freq="D", n_jobs=n_jobs)
    fc = forecast(train, request, keys=keys, calendar=calendar, with_baseline=True)
    notes = fc.attrs.get("notes", [])
    fc = fc.merge(frame[[*keys, "ds", "y"]], on=[*keys, "ds"], how="left")
    fc.attrs["notes"] = notes
    return EventForecast(window, cutoff, keys, fc, window_totals(fc, window, keys),
                         list(dict.fromkeys(fc.attrs.get("notes", []))))


def window_totals(fc: pd.DataFrame, window: EventWindow, keys: list[str]) -> pd.DataFrame:
    """Per key over the event window: forecast, quantile sums, baseline, uplift, and actuals."""
    inside = fc[(fc["ds"] >= window.start) & (fc["ds"] <= window.end)]
    value_cols = [c for c in inside.columns if c.startswith("yhat")] + ["y"]
    grouped = inside.groupby(keys, sort=True) if keys else inside.assign(_all="all").groupby("_all")
    totals = grouped[value_cols].sum(min_count=1).reset_index()
    if not keys:
        totals = totals.drop(columns="_all")
    totals["uplift"] = totals["yhat"] - totals["yhat_baseline"]
    totals["uplift_pct"] = totals["uplift"] / totals["yhat_baseline"].where(totals["yhat_baseline"] > 0)
    if inside["y"].notna().any():
        totals["error_pct"] = (totals["yhat"] - totals["y"]) / totals["y"].where(totals["y"] > 0)
    return totals.rename(columns={"y": "actual"})


def aggregate(fc: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum a forecast up to the keys ``by`` (``[]`` = national). Point forecasts and baselines
    add up exactly across levels; summed quantiles assume series move together, which makes the
    aggregate band conservative (wider than the true band of the sum)."""
    value_cols = [c for c in fc.columns if c.startswith("yhat") or c == "y"]
    out = fc.groupby([*by, "ds"], sort=True)[value_cols].sum(min_count=1).reset_index()
    return out


def validate_event_params(*, event: str, year: int, lead: int, level: str, model: str = "auto",
                          quantiles=DEFAULT_QUANTILES, data: str = "sample", target: str = "units",
                          backtest_years=(), backtest_models=("auto",)) -> dict:
    """Check the event forecast notebook's parameters; raise ``ParameterError`` naming the bad one."""
    from workbench.data.sample import LEVELS
    from workbench.forecast.models import MODEL_CHOICES

    if str(event) not in PLANNING_EVENTS:
        raise ParameterError(f"event: {event!r} is not one of {PLANNING_EVENTS}")
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise ParameterError(f"year: {year!r} must be a year between 2000 and 2099")
    if not isinstance(lead, int) or lead < 0:
        raise ParameterError(f"lead: {lead!r} must be a whole number of days >= 0")
    if level not in LEVELS:
        raise ParameterError(f"level: {level!r} is not one of {LEVELS}")
    if model not in MODEL_CHOICES:
        raise ParameterError(f"model: {model!r} is not one of {list(MODEL_CHOICES)}")
    qs = [float(q) for q in quantiles]
    if not all(0 < q < 1 for q in qs) or len(qs) < 2:
        raise ParameterError(f"quantiles: {quantiles!r} needs at least two levels strictly between 0 and 1")
    unknown = [m for m in backtest_models if m not in MODEL_CHOICES]
    if unknown:
        raise ParameterError(f"backtest_models: unknown {unknown}; choose from {list(MODEL_CHOICES)}")
    if not all(isinstance(y, int) for y in backtest_years):
        raise ParameterError(f"backtest_years: {backtest_years!r} must be a list of years")
    if data != "sample" and not Path(data).is_file():
        raise ParameterError(f"data: {data!r} is neither 'sample' nor an existing file")
    if data == "sample" and target not in ("units", "gmv"):
        raise ParameterError(f"target: the sample data has 'units' and 'gmv', not {target!r}")
    return dict(event=str(event), year=year, lead=lead, level=level, model=model,
                quantiles=tuple(sorted(qs)), data=data, target=target,
                backtest_years=list(backtest_years), backtest_models=list(backtest_models))


LEVEL_KEYS = {"sku": ["category", "region", "sku"], "category_region": ["category", "region"],
              "category": ["category"], "region": ["region"], "national": []}


def load_planning_frame(data: str, *, level: str, target: str, date_col: str = "ds") -> tuple[pd.DataFrame, list[str]]:
    """The standard frame for the event notebook: the sample at ``level``, or a long file whose
    key columns are the level's (``sku``, ``category``, ``region`` as present)."""
    from workbench.data.io import read_table
    from workbench.data.sample import load_sample
    from workbench.data.validate import prepare_long_frame

    raw = load_sample(level) if data == "sample" else read_table(data)
    keys = [k for k in LEVEL_KEYS[level] if k in raw.columns]
    frame, _ = prepare_long_frame(raw, date_col=date_col, target_col=target, keys=keys, freq="D",
                                  source=None if data != "sample" else f"sample ({level})")
    return frame, keys


def band_columns(quantiles) -> tuple[str, str]:
    """The columns of the outer quantiles, which make the forecast band."""
    qs = sorted(float(q) for q in quantiles)
    return quantile_column(qs[0]), quantile_column(qs[-1])


def national_totals(result: EventForecast) -> dict:
    """Window totals over all series: forecast, baseline, uplift share and actual (if known)."""
    row = window_totals(aggregate(result.forecast, []), result.window, []).iloc[0]
    return {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}


def level_totals(result: EventForecast) -> pd.DataFrame:
    """Window totals at each coarser level (category, region, national) present in the keys;
    the point forecasts and baselines add up exactly from one level to the next."""
    levels = [[k] for k in ("category", "region") if k in result.keys and result.keys != [k]] + [[]]
    parts = []
    for by in levels:
        totals = window_totals(aggregate(result.forecast, by), result.window, by)
        totals.insert(0, "level", by[0] if by else "national")
        totals.insert(1, "key", totals[by[0]] if by else "all")
        parts.append(totals.drop(columns=by))
    return pd.concat(parts, ignore_index=True)
