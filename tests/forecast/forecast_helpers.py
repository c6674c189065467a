"""Shared pieces of the seeded synthetic daily panels of the forecast tests."""

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.data.sample import _WEEKLY, campaign_log_uplift, generate_sales, logistics_log_effect
from workbench.errors import ModelError
from workbench.forecast.features import event_offsets
from workbench.forecast.models.naive import SeasonalNaive

WEEKLY = np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # log weekday pattern, Monday first


def peaks_and_weekdays(days: pd.DatetimeIndex, peak: float) -> tuple[np.ndarray, np.ndarray]:
    """Log uplift of the 618 and Double 11 windows (``peak * exp(-|offset| / 2)`` on each window
    day of the retail calendar) and the log weekday pattern, each shape (len(days),)."""
    offsets = event_offsets(days, default_calendar())
    uplift = np.zeros(len(days))
    for name in ("618", "double11"):
        off = offsets[name]
        inside = ~np.isnan(off)
        uplift[inside] += peak * np.exp(-np.abs(off[inside]) / 2)
    return uplift, WEEKLY[days.dayofweek]


def live_days(rng: np.random.Generator, days: pd.DatetimeIndex) -> np.ndarray:
    """A live-stream shop's day multipliers, shape (len(days),): three random days a month at x2-x5
    (mean x3.5: +25% on the mean day), 1 elsewhere, as trial 9's shop."""
    mult = np.ones(len(days))
    for _, idx in pd.Series(np.arange(len(days))).groupby([days.year, days.month]):
        mult[rng.choice(idx.to_numpy(), 3, replace=False)] = rng.uniform(2, 5, 3)
    return mult


def sample_periods(start: str, end: str) -> dict[str, pd.DataFrame]:
    """The embedded sample's generator (seeded daily sales, seed 11, with the New Year sale and
    the Spring Festival collapse on their lunar dates) from ``start`` to ``end``: 12
    category-region series (North and East) summed to week starts (Mondays) and months,
    ``{"W": frame, "MS": frame}`` of ``[series, ds, y]`` (units); the first and last periods may
    be partial, the caller keeps the whole ones."""
    daily = generate_sales(start, end, seed=11)
    daily = daily[daily.region.isin(["North", "East"])]
    daily = daily.assign(series=daily.category + "-" + daily.region).groupby(["series", "ds"])["units"].sum()
    return {freq: (daily.reset_index("series").groupby("series")["units"]
                   .resample(rule, label="left", closed="left").sum().reset_index().rename(columns={"units": "y"}))
            for freq, rule in (("W", "W-MON"), ("MS", "MS"))}


class FailsOnYoungSeries(SeasonalNaive):
    """A model that cannot fit a series of under 200 days (as a model of yearly seasonality
    cannot), registered by a test (``monkeypatch.setitem(MODELS, ...)``) to see what the core
    does when a model raises for some series: its fallback forecasts them, with a note."""

    name = "fails_on_young"

    def fit(self, y, ds, *, freq="D", calendar=None):
        if len(y) < 200:
            raise ModelError(f"{self.name}: only {len(y)} days of history; it needs 200")
        return super().fit(y, ds, freq=freq, calendar=calendar)


class BrokenRefitPaths(SeasonalNaive):
    """A model whose forecast is sound but whose refit paths (a window band's evidence) raise, as
    a bug there would: registered by a test to see that the core keeps the series."""

    name = "broken_refit_paths"

    def refit_paths(self):
        raise ValueError("no paths here")


def poisson_skus(days: pd.DatetimeIndex, shop: np.ndarray, skus: int, levels: tuple[float, float],
                 prefix: str, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``skus`` series of one shop whose log mean is ``shop`` (shape (len(days),)) plus a level
    drawn uniformly in ``levels`` (units a day), with Poisson counts around a log-normal day
    noise of sd 0.2: the long frame ``[sku, ds, y]`` and the truth ``[sku, ds, mean]``."""
    frames, truths = [], []
    for i in range(skus):
        mean = np.exp(np.log(rng.uniform(*levels)) + shop)
        y = rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days)))
        frames.append(pd.DataFrame({"sku": f"{prefix}{i}", "ds": days, "y": y.astype(float)}))
        truths.append(pd.DataFrame({"sku": f"{prefix}{i}", "ds": days, "mean": mean}))
    return pd.concat(frames, ignore_index=True), pd.concat(truths, ignore_index=True)


WINTER_OUT = (pd.Timestamp("2025-12-08"), pd.Timestamp("2025-12-31"))  # the sleeping bag's stock-out


def winter_shop(seed: int, peers: int = 8) -> pd.DataFrame:
    """A young mother-and-baby shop (2025-03-01..2026-04-30, the sample's campaigns and courier pause,
    its first five months ramping up): ``peers`` all-year SKUs and a winter sleeping bag (1 a day in
    summer, ~20 from December to February) with no sales ``WINTER_OUT``, its stock-out (trial 14 F8)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-03-01", "2026-04-30")
    campaigns = campaign_log_uplift(ds, default_calendar())
    common = _WEEKLY[ds.day_of_week] + 0.9 * sum(campaigns.values()) + logistics_log_effect(ds, default_calendar())
    ramp = np.minimum(0.5 + 0.5 * np.arange(len(ds)) / 150, 1.0)
    rows = [pd.DataFrame({"category": "纸尿裤", "sku": f"MB{i:02d}", "ds": ds,
                          "y": rng.poisson(rng.lognormal(np.log(8), 0.8) * ramp * np.exp(common)).astype(float)})
            for i in range(peers)]
    season = 1 + 19 * np.clip(np.cos(2 * np.pi * (ds.day_of_year.to_numpy() - 15) / 365.25), 0, None) ** 1.5
    y = rng.poisson(season * ramp * np.exp(common)).astype(float)
    y[(ds >= WINTER_OUT[0]) & (ds <= WINTER_OUT[1])] = 0.0
    return pd.concat(rows + [pd.DataFrame({"category": "睡袋", "sku": "SD01", "ds": ds, "y": y})], ignore_index=True)
