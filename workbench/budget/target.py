"""A GMV target taken from the event forecast: the event's forecast GMV uplift (or its forecast
GMV), or a share of it, over the event window.

The forecast file is the forecaster's output (``workbench forecast`` or the event notebook's
table): one row per series and day with ``ds`` and ``yhat`` (GMV in yuan) and, for the uplift,
``yhat_baseline`` (the forecast without the event's effect). Key columns (``sku``, ``region``,
...) may be present; every series is summed. The target is

    share x sum over the window's days and every series of (yhat - yhat_baseline)   (uplift)
    share x sum over the window's days and every series of yhat                     (total)

The window is an event of the retail calendar in a year (``618`` in 2027) or explicit dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.budget.curves import last_year_spend
from workbench.budget.explain import shown
from workbench.data.io import read_table
from workbench.data.validate import describe_rows
from workbench.data.validate import window_share as days_share  # target.window_share is the budget's
from workbench.errors import DataValidationError

MEASURES = ("uplift", "total")


@dataclass(frozen=True)
class ForecastTarget:
    """The GMV target from a forecast (money in yuan; dates inclusive).

    ``forecast_gmv``: the window's forecast GMV (sum of ``yhat``); ``uplift``: its uplift over the
    baseline (``None`` when the measure is ``total`` and the file has no baseline); ``value``:
    the target, ``share`` x the measure. ``last_year_start``/``last_year_end``: the same
    window a year before (the same event's window for a calendar event), against which
    ``min_vs_last``/``max_vs_last`` compare.
    """

    file: Path
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    last_year_start: pd.Timestamp
    last_year_end: pd.Timestamp
    measure: str
    share: float
    forecast_gmv: float
    uplift: float | None
    value: float

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    @property
    def weeks(self) -> float:
        """The window's length in weeks: fitted weekly curves are scaled to it."""
        return self.days / 7.0

    def describe(self) -> str:
        """One line: where the target comes from and how it was computed."""
        base = f"{self.label} {self.start:%Y-%m-%d}..{self.end:%Y-%m-%d} ({self.days} days)"
        what = "GMV uplift" if self.measure == "uplift" else "GMV"
        amount = self.uplift if self.measure == "uplift" else self.forecast_gmv
        share = "" if self.share == 1.0 else f"{self.share:.0%} of "
        return f"GMV target {self.value:,.0f} = {share}the forecast {what} {amount:,.0f} of {base}"


def forecast_gmv_target(path: str | Path, *, start, end, measure: str = "uplift", share: float = 1.0,
                        label: str = "window", last_year: tuple | None = None) -> ForecastTarget:
    """Read a forecast file and compute the GMV target over ``start``..``end`` (inclusive).

    Parameters: ``path`` a forecast table (any format :func:`workbench.data.io.read_table`
    reads) with ``ds``, ``yhat`` and for ``measure="uplift"`` ``yhat_baseline`` (GMV in yuan);
    ``share`` in (0, 1]; ``last_year`` the comparison window (default: the same dates a year
    earlier). Returns a :class:`ForecastTarget`.

    Raises :class:`DataValidationError` (naming the file and lines) when columns are missing,
    values are not finite, a day of the window is missing from the forecast, or the measure
    is not positive.
    """
    if measure not in MEASURES:
        raise DataValidationError(f"measure {measure!r}: use one of {', '.join(MEASURES)}")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    frame = read_table(path)
    src = frame.attrs.get("source", str(path))
    needed = ["ds", "yhat"] + (["yhat_baseline"] if measure == "uplift" else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        hint = ("; `workbench forecast ... --with-baseline` writes yhat_baseline (with --model auto, "
                "event_profile, ets or prophet: naive models have no baseline), or use measure: total "
                "for the whole forecast GMV") if "yhat_baseline" in missing else ""
        raise DataValidationError(f"{src}: missing column(s) {missing}; a forecast for a GMV target needs "
                                  f"{', '.join(needed)}{hint}")
    days = pd.to_datetime(frame["ds"].astype(str).str.strip().str[:10], errors="coerce", format="%Y-%m-%d")
    if days.isna().any():
        bad = days.isna()
        raise DataValidationError(f"{src}: column 'ds' is not a date (YYYY-MM-DD) at {describe_rows(frame, bad)} "
                                  f"(got {shown(frame['ds'][bad].iloc[0])})")
    inside = ((days >= start) & (days <= end)).to_numpy()
    for col in needed[1:]:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = inside & ~np.isfinite(values.to_numpy(float))
        if bad.any():
            raise DataValidationError(f"{src}: column {col!r} must be a finite number inside the window at "
                                      f"{describe_rows(frame, bad)} (got {shown(frame[col][bad].iloc[0])})")
        frame[col] = values
    covered = set(days[inside])
    absent = [d for d in pd.date_range(start, end) if d not in covered]
    if absent:
        raise DataValidationError(
            f"{src}: the forecast has no rows for {len(absent)} day(s) of the window {start:%Y-%m-%d}..{end:%Y-%m-%d} "
            f"(first {absent[0]:%Y-%m-%d}; it covers {days.min():%Y-%m-%d}..{days.max():%Y-%m-%d}); forecast the "
            f"whole window")
    forecast_gmv = float(frame.loc[inside, "yhat"].sum())
    uplift = float((frame.loc[inside, "yhat"] - frame.loc[inside, "yhat_baseline"]).sum()) \
        if "yhat_baseline" in frame.columns and measure == "uplift" else None
    amount = uplift if measure == "uplift" else forecast_gmv
    if not amount > 0:
        raise DataValidationError(f"{src}: the forecast {'GMV uplift' if measure == 'uplift' else 'GMV'} over "
                                  f"{start:%Y-%m-%d}..{end:%Y-%m-%d} is {amount:,.0f}, not positive: there is "
                                  f"nothing for traffic to reach")
    ly_start, ly_end = last_year or (start - pd.DateOffset(years=1), end - pd.DateOffset(years=1))
    return ForecastTarget(Path(path), label, start, end, pd.Timestamp(ly_start), pd.Timestamp(ly_end), measure,
                          float(share), forecast_gmv, uplift, float(share) * amount)


def window_spend(history: pd.DataFrame, start, end) -> dict[str, float]:
    """Spend per channel over ``start``..``end`` (inclusive) from a weekly history ``week,
    channel, spend`` (weeks labelled by their first day): each week counts in proportion to its
    days inside the window. Money as in the history."""
    weight = days_share(history["week"], "W", start, end)  # data.validate.window_share: the network's rule
    spend = history["spend"].to_numpy(float) * weight
    totals = pd.Series(spend).groupby(history["channel"].astype(str).to_numpy(), sort=False).sum()
    return {str(k): float(v) for k, v in totals.items()}


@dataclass(frozen=True)
class WindowShare:
    """The event window's share of the yearly traffic plan (fractions of yearly spend).

    ``total``: the window's share of the area's yearly budget; ``channels``: each channel's own
    share of its written yearly amount (channels missing here take ``total``); ``source``: how
    it was measured, in words for the output.
    """

    total: float
    channels: dict[str, float]
    source: str

    def of(self, channel: str) -> float:
        return self.channels.get(channel, self.total)


def window_share(history: pd.DataFrame | None, target: ForecastTarget, periods_per_year: int = 52) -> WindowShare:
    """How much of a yearly traffic plan falls in ``target``'s event window.

    With a weekly history ``week, channel, spend`` covering last year's same window
    (``target.last_year_start..last_year_end``): per channel, last year's spend in that window
    (:func:`window_spend`) over its spend in the history's latest ``periods_per_year`` weeks (the
    "last year" that ``min_vs_last`` compares against), and in total the sums' ratio; i.e. this
    year's plan is spent through the year as last year's was. Without such a history: the
    window's days over 365, said so in ``source``. Returns a :class:`WindowShare`.
    """
    by_days = target.days / 365.0
    days_text = f"{target.days} of 365 days, pro rata"
    if history is None or history.empty:
        return WindowShare(by_days, {}, f"{days_text} (no history to measure last year's share from)")
    first, last = history["week"].min(), history["week"].max() + pd.Timedelta(days=6)
    if first > target.last_year_start or last < target.last_year_end:
        return WindowShare(by_days, {}, f"{days_text} (the history {first:%Y-%m-%d}..{last:%Y-%m-%d} does not "
                                        f"cover last year's window {target.last_year_start:%Y-%m-%d}.."
                                        f"{target.last_year_end:%Y-%m-%d})")
    in_window = window_spend(history, target.last_year_start, target.last_year_end)
    yearly = last_year_spend(history, periods_per_year)
    channels = {c: in_window.get(c, 0.0) / spend for c, spend in yearly.items() if spend > 0}
    total = sum(in_window.values()) / sum(yearly.values()) if sum(yearly.values()) > 0 else by_days
    return WindowShare(total, channels,
                       f"last year's spend in {target.last_year_start:%Y-%m-%d}..{target.last_year_end:%Y-%m-%d} "
                       f"over the history's latest {periods_per_year} weeks")
