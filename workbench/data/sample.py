"""Deterministic generator of realistic daily e-commerce sales (the embedded sample data).

What it carries, per day from 2023-01-01 to 2026-10-31, for 6 categories x 7 regions and a SKU
level of 294 series (7 SKUs per category and region):

* trend: category growth of 4-22% a year, compounding daily;
* weekly pattern: live-stream shopping peaks at the weekend (Sat +9%, Sun +6%, Mon -4%);
* a mild yearly cycle (summer lull, autumn pick-up);
* 618: ramp from the campaign start (mid/late May, per year from the retail calendar), peaks on
  June 1 and June 18, a short hangover after;
* Double 11 (双11): ramp from Oct 20, peaks on Nov 1 (end of the first sales wave) and Nov 11;
* the New Year sale (年货节): ramp over the five weeks before Spring Festival (lunar date),
  strongest for food;
* Spring Festival logistics pause: volume collapses to about a fifth on the eve, stays low for
  three days and recovers over about two weeks;
* public holidays (National Day week dip);
* noise: log-normal day shocks per category and region, Poisson counts per SKU (small SKUs have
  zero days), GMV = units x price x (1 - event discount) with price noise.

Units are items sold per day; GMV is in CNY. Everything is drawn from one seeded generator, so the
same seed gives the same numbers on every machine.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar

START, END = "2023-01-01", "2026-10-31"
SEED = 20240618
CATEGORIES = ("beauty", "apparel", "food", "home", "electronics", "mother_baby")
REGIONS = ("North", "East", "South", "Southwest", "Central", "Northwest", "Northeast")
_REGION_CODE = {"North": "N", "East": "E", "South": "S", "Southwest": "SW", "Central": "C",
                "Northwest": "NW", "Northeast": "NE"}
SKUS_PER_CELL = 7
LEVELS = ("sku", "category_region", "category", "region", "national")

# units/day in the North region, average price (CNY), yearly growth
_CATEGORY = {
    "beauty": (900.0, 139.0, 0.14),
    "apparel": (1300.0, 119.0, 0.08),
    "food": (1700.0, 49.0, 0.12),
    "home": (700.0, 89.0, 0.06),
    "electronics": (350.0, 599.0, 0.04),
    "mother_baby": (600.0, 159.0, 0.22),
}
_REGION_SCALE = {"North": 1.0, "East": 1.65, "South": 1.3, "Southwest": 0.75, "Central": 0.85,
                 "Northwest": 0.35, "Northeast": 0.45}
# how strongly each category reacts to each campaign (multiplies the log-uplift profile)
_SENSITIVITY = {
    "beauty": {"618": 1.1, "double11": 1.25, "new_year_sale": 0.6},
    "apparel": {"618": 0.85, "double11": 1.0, "new_year_sale": 0.9},
    "food": {"618": 0.55, "double11": 0.7, "new_year_sale": 1.5},
    "home": {"618": 0.8, "double11": 0.9, "new_year_sale": 0.7},
    "electronics": {"618": 1.3, "double11": 1.1, "new_year_sale": 0.5},
    "mother_baby": {"618": 0.9, "double11": 0.95, "new_year_sale": 0.6},
}
_WEEKLY = np.log([0.96, 0.98, 0.99, 1.0, 1.02, 1.09, 1.06])  # Monday first
_EVENT_DISCOUNT = 0.15


def _interp(offsets: np.ndarray, knots: list[tuple[float, float]]) -> np.ndarray:
    """Piecewise-linear log-uplift through (offset, value) knots; zero outside them."""
    x, y = zip(*knots)
    out = np.interp(offsets, x, y, left=0.0, right=0.0)
    return np.where(np.isnan(offsets), 0.0, out)


def campaign_log_uplift(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    """Log-uplift of each campaign per date, for a category of sensitivity 1."""
    out = {}
    # 618: offsets from June 18; ramp from the year's campaign start.
    off = calendar.event_offsets(dates, "618", before=0, after=7)
    start = np.full(len(dates), np.nan)
    for window in calendar.windows("618", dates.min(), dates.max() + pd.Timedelta(days=30)):
        inside = ~np.isnan(off) & (dates.year == window.year)
        start[inside] = window.offset(window.start)
    ramp = np.clip((off - start) / np.maximum(-17 - start, 1), 0, 1) * 0.45
    spikes = _interp(off, [(-19, 0), (-18, 0.45), (-17, 1.05), (-16, 0.4), (-3, 0.35), (-1, 0.7),
                           (0, 1.25), (1, -0.1), (4, -0.15), (7, 0)])
    out["618"] = np.where(np.isnan(off), 0.0, np.where(off < -17, 0.05 + ramp, spikes))
    # Double 11: offsets from Nov 11, window from Oct 20 (offset -22).
    off = calendar.event_offsets(dates, "double11", before=0, after=7)
    out["double11"] = _interp(off, [(-22, 0.05), (-12, 0.35), (-11, 1.0), (-10, 0.95), (-9, 0.3),
                                    (-2, 0.35), (-1, 0.7), (0, 1.35), (1, -0.1), (4, -0.15), (7, 0)])
    # New Year sale: offsets from Spring Festival.
    off = calendar.event_offsets(dates, "new_year_sale", before=0, after=0)
    out["new_year_sale"] = _interp(off, [(-35, 0.05), (-22, 0.45), (-15, 0.4), (-8, 0.1)])
    return out


def logistics_log_effect(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Spring Festival logistics pause: collapse on the eve, recovery over about two weeks."""
    off = calendar.event_offsets(dates, "spring_festival", before=0, after=0)
    effect = _interp(off, [(-7, 0.0), (-4, -0.35), (-2, -0.9), (-1, -1.6), (0, -1.75), (3, -1.4),
                           (6, -0.8), (10, -0.35), (16, 0.0)])
    holiday_days = calendar.holidays(dates.min(), dates.max())
    national = holiday_days[holiday_days.name.str.contains("National Day")].date
    effect = effect + np.where(dates.isin(national), -0.12, 0.0)
    return effect


def generate_sales(start: str = START, end: str = END, *, seed: int = SEED,
                   calendar: RetailCalendar | None = None) -> pd.DataFrame:
    """Daily SKU-level sales: ``ds, sku, category, region, units, gmv`` (units: items; gmv: CNY)."""
    calendar = calendar or default_calendar()
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, end, freq="D")
    t_years = (dates - pd.Timestamp(START)).days.to_numpy() / 365.25
    doy = dates.day_of_year.to_numpy()
    yearly = 0.05 * np.sin(2 * np.pi * (doy - 200) / 365.25 + np.pi) + 0.03 * np.cos(4 * np.pi * doy / 365.25)
    weekly = _WEEKLY[dates.day_of_week.to_numpy()]
    campaigns = campaign_log_uplift(dates, calendar)
    logistics = logistics_log_effect(dates, calendar)
    in_campaign = (campaigns["618"] > 0.2) | (campaigns["double11"] > 0.2)

    frames = []
    for category in CATEGORIES:
        base_units, price, growth = _CATEGORY[category]
        sens = _SENSITIVITY[category]
        event = sum(sens[name] * campaigns[name] for name in campaigns)
        for region in REGIONS:
            level = np.log(base_units * _REGION_SCALE[region]) + np.log1p(growth) * t_years
            shock = rng.normal(0.0, 0.07, len(dates))
            log_rate = level + yearly + weekly + event + logistics + shock
            shares = rng.dirichlet(np.full(SKUS_PER_CELL, 0.8))
            price_mult = rng.lognormal(0.0, 0.35, SKUS_PER_CELL)
            sku_noise = rng.normal(0.0, 0.12, (SKUS_PER_CELL, len(dates)))
            rate = np.exp(log_rate[None, :] + sku_noise) * shares[:, None]
            units = rng.poisson(rate)
            unit_price = price * price_mult[:, None] * rng.lognormal(0.0, 0.03, units.shape)
            unit_price = unit_price * np.where(in_campaign, 1 - _EVENT_DISCOUNT, 1.0)[None, :]
            for i in range(SKUS_PER_CELL):
                frames.append(pd.DataFrame({
                    "ds": dates,
                    "sku": f"{category[:3].upper()}-{_REGION_CODE[region]}-{i + 1:02d}",
                    "category": category,
                    "region": region,
                    "units": units[i].astype(float),
                    "gmv": np.round(units[i] * unit_price[i], 2),
                }))
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=8)
def _sample_cached(level: str) -> pd.DataFrame:
    sku = generate_sales()
    if level == "sku":
        return sku
    keys = {"category_region": ["category", "region"], "category": ["category"],
            "region": ["region"], "national": []}[level]
    return sku.groupby(["ds", *keys], as_index=False)[["units", "gmv"]].sum()


def load_sample(level: str = "category_region") -> pd.DataFrame:
    """The embedded sample sales at one level of the hierarchy.

    ``level``: ``sku`` (294 series), ``category_region`` (42), ``category`` (6), ``region`` (7) or
    ``national`` (1). Columns: ``ds``, the level's keys, ``units``, ``gmv`` (CNY). Levels add up.
    """
    if level not in LEVELS:
        from workbench.errors import ParameterError

        raise ParameterError(f"unknown sample level {level!r}; use one of {LEVELS}")
    return _sample_cached(level).copy()
