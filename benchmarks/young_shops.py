"""Two seeded young shops with a known future, for the planning cycle's and the reconciliation's
measurements (``benchmarks/planning_young.py``): daily units per SKU and region, generated from
the retail calendar's event windows with a hidden truth after the cut-off.

* ``produce``: a fresh-produce and nut-gift-box shop (as trial 10's), 30 months of history to
  2026-11-30: fruit sold only in their season every year (cherries around the New Year, lychee
  in June, grapes July-October, oranges November-March), crabs September-December, nut gift
  boxes with a strong 年货节, snacks, a nut box launched seven weeks before the cut-off, a
  nut box and a snack stopped in the summer, and a grape line (阳光玫瑰) launched in its first season, July to
  October 2026, the shop's best seller while it lasted (the shop's sum grew by it, its SKUs
  without it did not).
* ``baby``: a mother-and-baby shop (as trial 11's), 19.5 months of history to 2026-10-15:
  infant formula (奶粉) with a -15% level step from a price rise on 2026-04-01, diapers
  growing, a summer and a winter clothing line (opposite seasons), an early-learning toy
  launched in 2026-03, baby food; 618 and 双11 uplifts that differ by category.
* ``snack``: a snack and tea shop opened on 2025-08-01 (as trial 17's), 16 months of history to
  2026-11-30, one national series per SKU: every SKU young (an opening ramp over its first
  ``ramp`` days), growing or fading fast, slow movers of 2-8 units a day, launches 60 to 200
  days old at the cut-off, and event uplifts that differ by SKU (a tea gift box's 年货节 x3.5, a
  snack's x1.6), none of them seen by a SKU younger than the event.

Each SKU sells in four regions with fixed shares. A day's units are negative-binomial
(dispersion ``NB_SIZE``) around level x growth x weekday x event uplift x season; the truth is
the same process's mean and one seeded draw after the cut-off. Only the history goes to the
product; the future is scored against.

    from young_shops import shop
    history, future = shop("produce", seed=0)   # [ds, sku, category, region, y]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar

REGIONS = {"North": 0.25, "East": 0.35, "South": 0.25, "Central": 0.15}
SHOP_REGIONS = {"snack": {"全国": 1.0}}  # a shop's regions and shares, where not ``REGIONS``
WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # Monday first
NB_SIZE = 20.0  # negative-binomial size: variance = mean + mean^2 / NB_SIZE
EVENTS = ("618", "double11", "new_year_sale", "spring_festival")

# cut-off, first day of the history, last day of the simulated future
SPANS = {"produce": ("2024-06-01", "2026-11-30", "2027-06-30"),
         "baby": ("2025-03-01", "2026-10-15", "2027-06-30"),
         "snack": ("2025-08-01", "2026-11-30", "2027-06-30")}


def _event_multiplier(days: pd.DatetimeIndex, uplift: dict[str, float]) -> np.ndarray:
    """Per day, the product of each event's multiplier: inside a window, 1 + u ramping from 40% of
    ``u`` at its start to all of it at its end (a sale's build-up to its peak); 1 outside.
    ``uplift``: event -> u (a pause's u is negative: the couriers' Spring Festival stop)."""
    calendar = default_calendar()
    out = np.ones(len(days))
    for event, u in uplift.items():
        for window in calendar.windows(event, days[0], days[-1]):
            inside = (days >= window.start) & (days <= window.end)
            if not inside.any():
                continue
            span = max((window.end - window.start).days, 1)
            ramp = 0.4 + 0.6 * (days[inside] - window.start).days.to_numpy() / span
            out[inside] *= np.maximum(1 + u * ramp, 0.05)
    return out


def _season(days: pd.DatetimeIndex, months: tuple[int, int] | None, start_day: int = 1) -> np.ndarray:
    """1 inside a yearly season from month ``months[0]`` day ``start_day`` to the end of month
    ``months[1]`` (wrapping over the year's end), 0 outside; all 1 without a season."""
    if months is None:
        return np.ones(len(days))
    first, last = months
    month, day = days.month.to_numpy(), days.day.to_numpy()
    after_start = (month > first) | ((month == first) & (day >= start_day))
    if first <= last:
        on = after_start & (month <= last)
    else:
        on = after_start | (month <= last)
    return on.astype(float)


def _produce_skus() -> list[dict]:
    """The produce shop's SKUs: name, category, level (units a day, all regions), growth a year,
    season months, events' uplifts, launch and stop dates."""
    sale = {"618": 0.5, "double11": 0.6, "new_year_sale": 0.4, "spring_festival": -0.7}
    gift = {"618": 0.2, "double11": 0.8, "new_year_sale": 2.5, "spring_festival": -0.8}
    rows = [
        {"sku": "NUT01", "category": "坚果礼盒", "level": 60, "growth": 0.15, "events": gift},
        {"sku": "NUT02", "category": "坚果礼盒", "level": 40, "growth": 0.05, "events": gift},
        {"sku": "NUT03", "category": "坚果礼盒", "level": 25, "growth": -0.10, "events": gift},
        {"sku": "NUT04", "category": "坚果礼盒", "level": 30, "growth": 0.0, "events": gift,
         "launch": "2026-10-10"},
        {"sku": "NUT05", "category": "坚果礼盒", "level": 45, "growth": 0.0, "events": gift,
         "stop": "2026-08-01"},
        {"sku": "CHERRY", "category": "水果", "level": 120, "growth": 0.10, "events": gift,
         "season": (12, 2), "start_day": 10},
        {"sku": "ORANGE", "category": "水果", "level": 90, "growth": 0.05, "events": sale,
         "season": (11, 3), "start_day": 15},
        {"sku": "LYCHEE", "category": "水果", "level": 150, "growth": 0.0, "events": sale,
         "season": (6, 6)},
        {"sku": "GRAPE", "category": "水果", "level": 100, "growth": 0.10, "events": sale,
         "season": (7, 10), "start_day": 15},
        {"sku": "MANGO", "category": "水果", "level": 70, "growth": 0.20, "events": sale,
         "season": (4, 7)},
        {"sku": "SUNROSE", "category": "水果", "level": 250, "growth": 0.0, "events": sale,
         "season": (7, 10), "start_day": 20, "launch": "2026-07-20"},
        {"sku": "CRAB", "category": "海鲜", "level": 110, "growth": 0.05, "events": sale,
         "season": (9, 12), "start_day": 15},
        {"sku": "SHRIMP", "category": "海鲜", "level": 35, "growth": 0.10, "events": gift},
        {"sku": "SNACK1", "category": "零食", "level": 45, "growth": 0.10, "events": sale},
        {"sku": "SNACK2", "category": "零食", "level": 30, "growth": 0.0, "events": sale},
        {"sku": "SNACK3", "category": "零食", "level": 20, "growth": 0.25, "events": sale},
        {"sku": "SNACK4", "category": "零食", "level": 25, "growth": 0.0, "events": sale,
         "stop": "2026-07-20"},
    ]
    return rows


def _baby_skus() -> list[dict]:
    """The mother-and-baby shop's SKUs (as ``_produce_skus``); ``step``: (date, factor), a level
    step from that day on (a price rise)."""
    milk = {"618": 1.0, "double11": 1.2, "new_year_sale": 0.3, "spring_festival": -0.6}
    diaper = {"618": 0.8, "double11": 1.0, "new_year_sale": 0.3, "spring_festival": -0.6}
    other = {"618": 0.4, "double11": 0.5, "new_year_sale": 0.2, "spring_festival": -0.6}
    rows = [
        {"sku": "MILK1", "category": "奶粉", "level": 80, "growth": 0.05, "events": milk,
         "step": ("2026-04-01", 0.85)},
        {"sku": "MILK2", "category": "奶粉", "level": 60, "growth": 0.0, "events": milk,
         "step": ("2026-04-01", 0.85)},
        {"sku": "MILK3", "category": "奶粉", "level": 40, "growth": 0.10, "events": milk,
         "step": ("2026-04-01", 0.85)},
        {"sku": "DIAPER1", "category": "纸尿裤", "level": 120, "growth": 0.20, "events": diaper},
        {"sku": "DIAPER2", "category": "纸尿裤", "level": 90, "growth": 0.15, "events": diaper},
        {"sku": "DIAPER3", "category": "纸尿裤", "level": 40, "growth": 0.0, "events": diaper,
         "launch": "2026-06-15"},
        {"sku": "ROMPER", "category": "童装", "level": 50, "growth": 0.10, "events": other,
         "season": (4, 8)},
        {"sku": "DOWN", "category": "童装", "level": 45, "growth": 0.10, "events": other,
         "season": (10, 2)},
        {"sku": "TOY1", "category": "早教", "level": 30, "growth": 0.0, "events": other,
         "launch": "2026-03-01"},
        {"sku": "FOOD1", "category": "辅食", "level": 35, "growth": 0.10, "events": other},
        {"sku": "FOOD2", "category": "辅食", "level": 20, "growth": 0.0, "events": other,
         "stop": "2026-06-30"},
    ]
    return rows


def _snack_skus() -> list[dict]:
    """The snack and tea shop's SKUs (as ``_produce_skus``); every one launched (the shop opened
    on the history's first day), ``ramp``: the days its launch takes to reach its level."""
    snack = {"618": 0.6, "double11": 0.8, "new_year_sale": 0.5, "spring_festival": -0.6}
    tea = {"618": 0.3, "double11": 0.5, "new_year_sale": 1.0, "spring_festival": -0.5}
    gift = {"618": 0.1, "double11": 0.6, "new_year_sale": 2.5, "spring_festival": -0.8}
    opened = "2025-08-01"
    rows = [
        {"sku": "SN01", "category": "零食", "level": 60, "growth": 0.30, "events": snack, "launch": opened,
         "ramp": 90},
        {"sku": "SN02", "category": "零食", "level": 35, "growth": 0.0, "events": {**snack, "618": 1.2},
         "launch": opened, "ramp": 60},
        {"sku": "SN03", "category": "零食", "level": 6, "growth": 0.5, "events": snack, "launch": opened,
         "ramp": 120},
        {"sku": "SN04", "category": "零食", "level": 25, "growth": -0.3, "events": {**snack, "double11": 0.3},
         "launch": "2025-11-20", "ramp": 45},
        {"sku": "SN05", "category": "零食", "level": 4, "growth": 0.0, "events": snack, "launch": "2026-05-15",
         "ramp": 60},
        {"sku": "SN06", "category": "零食", "level": 40, "growth": 0.2, "events": snack, "launch": "2026-08-18",
         "ramp": 45},
        {"sku": "TE01", "category": "茶", "level": 30, "growth": 0.4, "events": tea, "launch": opened, "ramp": 90},
        {"sku": "TE02", "category": "茶", "level": 8, "growth": 0.0, "events": tea, "launch": opened, "ramp": 60},
        {"sku": "TE03", "category": "茶", "level": 15, "growth": 0.6, "events": {**tea, "618": 0.8},
         "launch": "2026-01-10", "ramp": 90},
        {"sku": "TE04", "category": "茶", "level": 3, "growth": 0.2, "events": tea, "launch": "2026-07-01",
         "ramp": 30},
        {"sku": "TE05", "category": "茶", "level": 20, "growth": 0.0, "events": tea, "launch": "2026-10-01",
         "ramp": 30},
        {"sku": "GB01", "category": "礼盒", "level": 12, "growth": 0.2, "events": gift, "launch": opened,
         "ramp": 60},
        {"sku": "GB02", "category": "礼盒", "level": 5, "growth": 0.0, "events": {**gift, "new_year_sale": 4.0},
         "launch": "2025-10-15", "ramp": 45},
        {"sku": "GB03", "category": "礼盒", "level": 18, "growth": 0.0, "events": gift, "launch": "2026-06-20",
         "ramp": 60},
    ]
    return rows


SKUS = {"produce": _produce_skus, "baby": _baby_skus, "snack": _snack_skus}
GROWER = 0.15  # growth a year from which a SKU is a grower


def kinds(name: str) -> dict[str, str]:
    """Each SKU of shop ``name``'s kind: ``launch`` (launched inside the history), ``grower``
    (growth of ``GROWER`` a year or more) or ``mature``."""
    return {s["sku"]: "launch" if "launch" in s else "grower" if s["growth"] >= GROWER else "mature"
            for s in SKUS[name]()}


def shop(name: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history and the future of shop ``name`` (``"produce"``, ``"baby"`` or ``"snack"``), seeded.

    Returns ``(history, future)``, each ``[ds, sku, category, region, y]`` (units a day; every
    SKU x region every day, zeros included, from the first day of the history or the SKU's
    launch), the history through the cut-off (``SPANS[name][1]``), the future after it;
    ``future`` also carries ``mean``, the process's expected units that day.
    """
    first, cutoff, last = (pd.Timestamp(d) for d in SPANS[name])
    days = pd.date_range(first, last, freq="D")
    rng = np.random.default_rng(seed)
    years = (days - days[0]).days.to_numpy() / 365.25
    parts = []
    for spec in SKUS[name]():
        mean = (spec["level"] * (1 + spec["growth"]) ** years * WEEKDAY[days.dayofweek]
                * _event_multiplier(days, spec["events"]) * _season(days, spec.get("season"), spec.get("start_day", 1)))
        if "launch" in spec:  # a launch ramps to its level over 4 weeks (``ramp`` days where given)
            age = (days - pd.Timestamp(spec["launch"])).days.to_numpy()
            mean = mean * np.clip((age + 1) / spec.get("ramp", 28), 0, 1)
        if "stop" in spec:
            mean = mean * (days < pd.Timestamp(spec["stop"]))
        if "step" in spec:
            when, factor = spec["step"]
            mean = mean * np.where(days >= pd.Timestamp(when), factor, 1.0)
        for region, share in SHOP_REGIONS.get(name, REGIONS).items():
            mu = mean * share
            draws = rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + np.maximum(mu, 1e-9)))
            parts.append(pd.DataFrame({"ds": days, "sku": spec["sku"], "category": spec["category"],
                                       "region": region, "y": np.where(mu > 0, draws, 0).astype(float),
                                       "mean": mu}))
    frame = pd.concat(parts, ignore_index=True)
    launched = frame.groupby(["sku", "region"])["mean"].transform(lambda m: (m > 0).cumsum() > 0)
    frame = frame[launched.to_numpy()]
    history = frame[frame["ds"] <= cutoff].drop(columns="mean").reset_index(drop=True)
    future = frame[frame["ds"] > cutoff].reset_index(drop=True)
    return history, future
