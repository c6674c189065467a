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


ORDER_EXPORT_START = "2024-01-01"
_FOOD_PRODUCTS = ("坚果礼盒", "纯牛奶整箱", "零食大礼包", "挂耳咖啡", "龙井茶叶", "广式腊肠", "速食米饭")
_NOT_SALES = (("已取消", 0.5), ("交易关闭", 0.15), ("退款成功", 0.25), ("已退款", 0.1))
ORDER_EXPORT_COLUMNS = ("订单编号", "子订单编号", "商品ID", "商品名称", "商品数量", "订单应付金额", "省", "收货地址",
                        "支付完成时间", "订单状态")


def sample_order_export(start: str = ORDER_EXPORT_START, end: str = END, *, share: float = 0.01,
                        seed: int = SEED) -> pd.DataFrame:
    """A shop's order export drawn from the sample sales: one row per order line, Chinese headers.

    The food category's sample SKUs (7 products, ``商品ID`` 600001..600007, sold in every region)
    thinned to ``share`` of their units (a binomial draw per SKU, region and day) and cut into
    lines of 1-3 items; each line is placed in a province of its region (weights: population of
    the embedded city table) with a full address, paid at a random second of its day, its amount
    written with thousands separators (``1,944.00``). Sales lines are 已完成, or 已发货 / 待发货 in
    the last week. Mixed in: lines that are not sales (cancelled, closed, refunded: 12 % more
    lines) and 0.2 % more to Hong Kong and Taiwan. Columns ``ORDER_EXPORT_COLUMNS``, all text.

    The sales lines to mainland provinces add up, per SKU and day, to the thinned units, so
    ``workbench data orders`` on this export can be checked against the sample. ``share`` is in
    (0, 1]; ``seed`` fixes every draw.
    """
    from workbench.data.provinces import PROVINCES
    from workbench.network.china import load_cities

    if not 0 < share <= 1:
        from workbench.errors import ParameterError

        raise ParameterError(f"share must be in (0, 1]; got {share}")
    rng = np.random.default_rng(seed + 1)
    sales = load_sample("sku")
    food = sales[(sales.category == "food") & (sales.ds >= start) & (sales.ds <= end)].reset_index(drop=True)
    cell_units = rng.binomial(food["units"].to_numpy().astype(np.int64), share)
    # Cut the units of all cells, laid end to end, at the cells' ends and at the ends of lines of
    # 1-3 items drawn independently: every piece is one order line inside one cell.
    cell_ends = np.cumsum(cell_units)
    total = int(cell_ends[-1])
    line_ends = np.cumsum(rng.choice([1, 1, 1, 2, 2, 3], size=total))
    cuts = np.union1d(cell_ends, line_ends[line_ends < total])
    cuts = cuts[cuts > 0]
    quantity = np.diff(np.concatenate([[0], cuts]))
    cell = np.searchsorted(cell_ends, cuts, side="left")
    lines = pd.DataFrame({"ds": food["ds"].to_numpy()[cell], "product": food["sku"].str[-2:].astype(int).to_numpy()[cell] - 1,
                          "quantity": quantity, "region": food["region"].to_numpy()[cell]})
    price = (food["gmv"] / food["units"].where(food["units"] > 0)).fillna(49.0).to_numpy()[cell]
    lines["amount"] = np.round(price * quantity, 2)

    cities = load_cities()
    population = cities.groupby("province")["population"].sum()
    by_name = {p.name: p for p in PROVINCES}
    lines["province"] = ""
    for region in REGIONS:
        members = [p.name for p in PROVINCES if p.region == region]
        weights = np.array([population.get(name, 0.0) + 1e6 for name in members])
        here = (lines["region"] == region).to_numpy()
        lines.loc[here, "province"] = rng.choice(members, size=int(here.sum()), p=weights / weights.sum())
    last_week = lines["ds"] > pd.Timestamp(end) - pd.Timedelta(days=7)
    lines["status"] = np.where(last_week, rng.choice(["已发货", "待发货", "已完成"], size=len(lines)), "已完成")

    n = len(lines)
    not_sales = lines.iloc[rng.choice(n, size=int(n * 0.12), replace=False)].copy()
    names, weights = zip(*_NOT_SALES)
    not_sales["status"] = rng.choice(names, size=len(not_sales), p=weights)
    outside = lines.iloc[rng.choice(n, size=max(2, n // 500), replace=False)].copy()
    outside["province"] = rng.choice(["Hong Kong", "Taiwan"], size=len(outside))
    export = pd.concat([lines, not_sales, outside], ignore_index=True)
    export["time"] = export["ds"] + pd.to_timedelta(rng.integers(0, 86_400, size=len(export)), unit="s")
    export = export.sort_values("time", kind="stable").reset_index(drop=True)

    city_names = {p: g.sort_values("population", ascending=False).city_zh.tolist()[:5]
                  for p, g in cities.groupby("province")}
    pick = rng.integers(0, 5, size=len(export))
    zh = [by_name[p].zh for p in export["province"]]
    address = []
    for i, (full, name, k) in enumerate(zip(zh, export["province"], pick)):
        known = city_names.get(name)
        city = f"{known[k % len(known)]}市" if known else ""
        address.append(f"{full}{city}某区某路{i % 97 + 1}号")
    ids = [f"{5_000_000 + i}" for i in range(len(export))]
    return pd.DataFrame({
        "订单编号": ids, "子订单编号": [f"{i}-1" for i in ids],
        "商品ID": [f"6{k + 1:05d}" for k in export["product"]],
        "商品名称": [_FOOD_PRODUCTS[k] for k in export["product"]],
        "商品数量": export["quantity"].astype(str), "订单应付金额": [f"{a:,.2f}" for a in export["amount"]],
        "省": zh, "收货地址": address,
        "支付完成时间": export["time"].dt.strftime("%Y-%m-%d %H:%M:%S"), "订单状态": export["status"],
    })
