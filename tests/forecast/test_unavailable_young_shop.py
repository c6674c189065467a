"""A young mother-and-baby shop whose top SKU was out of stock before the cut-off and over last 年货节
(trial 11 F0/F2, seeded): with the stock-outs declared, the next 双11 and 年货节 windows of the SKU and
the shop are forecast near the seeded demand; without, the SKU reads as stopped."""

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.data.unavailable import read_unavailable
from workbench.forecast.planning import event_forecast

START, CUTOFF, END = "2025-03-01", "2026-09-30", "2027-02-28"  # 19 months of history; the truth runs on
TOP = "MB01"
# the top SKU's stock-outs: over last 年货节 (2026-01-13..02-09) and the 19 days before the cut-off
STOCK_OUTS = (("2026-01-20", "2026-02-05"), ("2026-09-12", "2026-09-30"))
WEEK = np.array([0.95, 0.9, 0.9, 0.95, 1.05, 1.15, 1.1])  # Monday..Sunday
# SKU: (category, level a day at maturity, launch day)
SKUS = {"MB01": ("纸尿裤", 60.0, START), "MB02": ("纸尿裤", 25.0, START), "MB03": ("奶粉", 30.0, START),
        "MB04": ("奶粉", 18.0, START), "MB05": ("湿巾", 22.0, START), "MB06": ("湿巾", 9.0, START),
        "MB07": ("辅食", 12.0, START), "MB08": ("辅食", 6.0, "2025-08-01"), "MB09": ("奶粉", 14.0, "2025-10-15"),
        "MB10": ("纸尿裤", 8.0, "2026-03-01")}
UPLIFT = {"618": 1.7, "double11": 2.0, "new_year_sale": 1.5}  # on a window's days, x1.6 more on its last 3


def young_shop(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(sales, demand)``: daily ``[category, sku, ds, y]`` from 2025-03-01 to 2027-02-28, the shop
    ramping up its first six months then growing 15% a year, each SKU from its launch (a 60-day ramp),
    with a weekly shape, the events' uplifts and the Spring Festival courier pause; ``demand`` the
    seeded demand (negative binomial around it), ``sales`` the same but 0 on the top SKU's stock-out
    days."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    ds = pd.date_range(START, END, freq="D")
    age = (ds - ds[0]).days.to_numpy()
    shop = np.minimum(0.55 + 0.45 * age / 182, 1.0) * 1.15 ** (age / 365)
    event = np.ones(len(ds))
    for name, lift in UPLIFT.items():
        for year in (2025, 2026, 2027):
            w = calendar.window(name, year)
            inside = (ds >= w.start) & (ds <= w.end)
            event[inside] *= lift
            event[(ds > w.end - pd.Timedelta(days=3)) & inside] *= 1.6
    for festival in ("2026-02-17", "2027-02-06"):  # couriers stop: orders fall around Spring Festival
        event[(ds >= pd.Timestamp(festival) - pd.Timedelta(days=6)) & (ds <= pd.Timestamp(festival) + pd.Timedelta(days=6))] *= 0.35
    rows = []
    for sku, (category, level, launch) in SKUS.items():
        since = (ds - pd.Timestamp(launch)).days.to_numpy()
        ramp = np.clip(since / 60, 0, 1) * (since >= 0)
        mean = level * shop * ramp * WEEK[ds.day_of_week] * event
        y = rng.negative_binomial(8, 8 / (8 + mean)).astype(float)  # sd about mean * sqrt(1/8 + 1/mean)
        rows.append(pd.DataFrame({"category": category, "sku": sku, "ds": ds, "y": y})[since >= 0])
    demand = pd.concat(rows, ignore_index=True)
    sales = demand.copy()
    for first, last in STOCK_OUTS:
        sales.loc[(sales["sku"] == TOP) & sales["ds"].between(first, last), "y"] = 0.0
    return sales, demand


def measure(seed: int, tmp_path) -> dict:
    """Per window (双11 2026, 年货节 2027; cut-off 2026-09-30) and per run (declared or not): the top SKU's
    window total and the shop's, each over the seeded demand, and the WAPE of the SKUs' window totals."""
    sales, demand = young_shop(seed)
    history = sales[sales["ds"] <= CUTOFF].reset_index(drop=True)
    history.attrs["freq"] = "D"
    path = tmp_path / "oos.csv"
    path.write_text("sku,start,end\n" + "".join(f"{TOP},{a},{b}\n" for a, b in STOCK_OUTS), encoding="utf-8")
    spans = read_unavailable(path, history, ["category", "sku"])
    out = {}
    for event in ("double11", "new_year_sale"):
        for declared in (False, True):
            result = event_forecast(history, event=event, keys=["category", "sku"], n_jobs=1,
                                    unavailable=spans if declared else None)
            w = result.window
            truth = demand[demand["ds"].between(w.start, w.end)].groupby("sku")["y"].sum()
            got = result.totals.set_index("sku")["yhat"].reindex(truth.index)
            out[(event, declared)] = {"top": got[TOP] / truth[TOP], "shop": got.sum() / truth.sum(),
                                      "wape": float((got - truth).abs().sum() / truth.sum()),
                                      "top_units": (got[TOP], truth[TOP]), "shop_units": (got.sum(), truth.sum())}
    return out


@pytest.mark.slow
def test_declared_stock_outs_bring_the_top_sku_and_the_shop_near_the_demand(tmp_path):
    figures = measure(0, tmp_path)
    for event in ("double11", "new_year_sale"):
        without, with_file = figures[(event, False)], figures[(event, True)]
        assert without["top"] < 0.3  # read as a stopped line
        assert 0.75 < with_file["top"] < 1.25, (event, with_file)
        assert abs(with_file["shop"] - 1) < abs(without["shop"] - 1) and 0.8 < with_file["shop"] < 1.2
        assert with_file["wape"] < without["wape"]
