"""How often the planning cycle's stock at a service level is short of the demand it was set
for, on the two seeded young shops with a known future (``benchmarks/young_shops.py``).

For each shop, seed and next event window, the cycle's forecast (``cycle.cycle_demand``: every
SKU forecast, reconciled with the national total and split over the regions) is pooled at
three warehouses (``ASSIGNMENT``: the Central region shipped half from each of two of them, as
``inventory.demand.pool_forecast`` pools the cycle's) and the stock is set from it with no stock
on hand, by each rule of the window's demand (``inventory.replenishment``):

* ``independent days``: the days' spreads summed as independent (the rule before the window
  band; ``pre_event_build`` and ``replenishment_plan`` with a plain daily forecast);
* ``window band``: the SKU's own window-total band (``sku_window_totals``), its spread beyond
  the independent days a level error every day and warehouse of the SKU shares.

The SKUs' window bands themselves (``sku_window_totals``: P10..P90 of each SKU's window total,
what the stock reads its level error from) are scored too: the share of SKU windows inside
P10..P90 (80% is right) and above P90 (10%), by the rule that gave the band and by the SKU's
kind (``young_shops.kinds``: launch, grower, mature).

Scored against the simulated future (one seeded draw): the share of SKU windows and of
SKU x warehouse windows whose units exceed ``target_stock`` at the 95% service level (near 5% is
right), the share of SKU x warehouse lead times (the first ``LEAD`` days after the history)
whose units exceed the reorder point, and of lead time plus review (``LEAD + REVIEW`` days) the
order-up-to level, and the stock's size (target over the window's mean, pooled).

    .venv/bin/python benchmarks/cycle_stock_coverage.py [--seeds 0,1,2] [--shops produce,baby] [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.fulfilment.cycle import cycle_demand, sku_window_totals
from workbench.inventory.demand import pool_forecast
from workbench.inventory.replenishment import pre_event_build, replenishment_plan

sys.path.insert(0, str(Path(__file__).parent))
from young_shops import kinds, shop  # noqa: E402

WINDOWS = {"produce": (("new_year_sale", 2027), ("618", 2027)),
           "baby": (("double11", 2026), ("new_year_sale", 2027), ("618", 2027))}
ASSIGNMENT = pd.DataFrame({"region": ["North", "East", "South", "Central", "Central"],
                           "warehouse": ["Beijing", "Shanghai", "Guangzhou", "Shanghai", "Guangzhou"],
                           "share": [1.0, 1.0, 1.0, 0.5, 0.5]})
SERVICE, LEAD, REVIEW = 0.95, 5.0, 7.0  # the cycle's defaults (CycleParams)
RULES = ("independent days", "window band")


def _forecast(frame: pd.DataFrame, categories: dict, event: str, year: int, cache: Path | None, label: str):
    """``cycle_demand``'s SKU x region forecast, window and the SKUs' window totals, cached."""
    path = cache / f"{label.replace(' ', '_')}.pkl" if cache is not None else None
    if path is not None and path.exists():
        return pd.read_pickle(path)
    from workbench.forecast.planning import event_window

    window = event_window(event, year, frame["ds"].max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series, _ = cycle_demand(frame, window, n_jobs=2, categories=categories)
    out = (series.forecast, window, sku_window_totals(series))
    if path is not None:
        cache.mkdir(parents=True, exist_ok=True)
        pd.to_pickle(out, path)
    return out


def _pooled_truth(future: pd.DataFrame) -> pd.DataFrame:
    """The future's units per SKU, warehouse and day, split as the forecast is (``ASSIGNMENT``)."""
    return pool_forecast(future[["sku", "region", "ds", "y"]].rename(columns={"y": "yhat"}), ASSIGNMENT,
                         area="region", keys=["sku"]).rename(columns={"yhat": "y"})


def run(name: str, seed: int, cache: Path | None) -> tuple[list[dict], list[dict], list[dict]]:
    """Per window, each rule's event-stock rows, per rule the lead-time rows (first window), and
    per window each SKU's window band with its actual total."""
    history, future = shop(name, seed)
    categories = dict(zip(history["sku"], history["category"]))
    frame = history[["sku", "region", "ds", "y"]]
    truth = _pooled_truth(future)
    events, leads, bands = [], [], []
    kind = kinds(name)
    for number, (event, year) in enumerate(WINDOWS[name]):
        started = time.time()
        fc, window, sku_totals = _forecast(frame, categories, event, year, cache, f"{name} {seed} {event} {year}")
        print(f"{name} seed {seed} {event} {year}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        quantiles = [c for c in fc.columns if c.startswith("yhat_q")]
        pooled = pool_forecast(fc[["sku", "region", "ds", "yhat", *quantiles]], ASSIGNMENT, area="region",
                               keys=["sku"])
        skus = pooled.groupby(["sku", "ds"], as_index=False)[["yhat"]].sum()
        # the SKU's daily quantiles: its regions' shares of one forecast, so they add up
        skus = skus.merge(fc.groupby(["sku", "ds"], as_index=False)[quantiles].sum(), on=["sku", "ds"])
        inside = truth[(truth["ds"] >= window.start) & (truth["ds"] <= window.end)]
        actual = {"sku x warehouse": inside.groupby(["sku", "warehouse"])["y"].sum(),
                  "sku": inside.groupby("sku")["y"].sum()}
        for row in sku_totals.merge(actual["sku"].rename("actual").reset_index(), on="sku", how="left"
                                    ).fillna({"actual": 0.0}).itertuples(index=False):
            if row.yhat > 0 or row.actual > 0:
                bands.append({"shop": f"{name} {seed}", "window": f"{event} {year}", "sku": row.sku,
                              "kind": kind[row.sku], "window_rule": row.window_band, "actual": row.actual,
                              "p10": row.yhat_q10, "p90": row.yhat_q90, "yhat": row.yhat})
        for rule in RULES:
            band = sku_totals if rule == "window band" else None
            for level, daily, keys in (("sku", skus, ["sku"]), ("sku x warehouse", pooled, ["sku", "warehouse"])):
                stock = daily[keys].drop_duplicates().assign(on_hand=0.0)
                build = pre_event_build(daily, stock, keys=keys, window_start=window.start, window_end=window.end,
                                        service_level=SERVICE, window_band=band)
                build = build.merge(actual[level].rename("actual").reset_index(), on=keys, how="left")
                for row in build.itertuples(index=False):
                    if row.window_demand > 0 or row.actual > 0:
                        events.append({"shop": f"{name} {seed}", "window": f"{event} {year}", "rule": rule,
                                       "level": level, "mean": row.window_demand, "target": row.target_stock,
                                       "actual": row.actual, "window_rule": row.window_rule})
            if number == 0:  # the lead time is the same days after the history for every window
                keys = ["sku", "warehouse"]
                stock = pooled[keys].drop_duplicates().assign(on_hand=0.0)
                lead = stock[keys].assign(lead_time_days=LEAD, lead_time_std_days=0.0)
                plan = replenishment_plan(pooled, lead, stock, keys=keys, service_level=SERVICE,
                                          review_days=REVIEW, window_band=band, band_window=(window.start, window.end))
                first = truth["ds"] > frame["ds"].max()
                for days, column in ((LEAD, "reorder_point"), (LEAD + REVIEW, "order_up_to")):
                    sold = truth[first & (truth["ds"] <= frame["ds"].max() + pd.Timedelta(days=days))]
                    got = plan.merge(sold.groupby(keys, as_index=False)["y"].sum(), on=keys, how="left")
                    for row in got.itertuples(index=False):
                        if row.demand_lt > 0 or row.y > 0:
                            leads.append({"shop": f"{name} {seed}", "rule": rule, "what": column,
                                          "target": getattr(row, column), "actual": row.y})
    return events, leads, bands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    parser.add_argument("--shops", default="produce,baby", help="comma-separated: produce, baby")
    parser.add_argument("--cache", type=Path, help="keep each window's forecast here and read it back")
    args = parser.parse_args()
    events, leads, bands = [], [], []
    for name in args.shops.split(","):
        for seed in map(int, args.seeds.split(",")):
            e, lt, b = run(name, seed, args.cache)
            events += e
            leads += lt
            bands += b
    table, lead, band = pd.DataFrame(events), pd.DataFrame(leads), pd.DataFrame(bands)
    band["above_p90"] = band["actual"] > band["p90"] + 1e-9
    band["inside"] = ~band["above_p90"] & (band["actual"] >= band["p10"] - 1e-9)
    band["width"] = (band["p90"] - band["p10"]) / band["yhat"]
    table["above"] = table["actual"] > table["target"] + 1e-9
    lead["above"] = lead["actual"] > lead["target"] + 1e-9
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        summary = table.groupby(["level", "rule"]).agg(
            windows=("above", "size"), above_target=("above", "mean"),
            target_over_mean=("target", "sum"), mean=("mean", "sum"))
        summary["target_over_mean"] /= summary.pop("mean")
        print("event windows, target stock at the 95% service level:")
        print(summary.to_string())
        print("\nper window (share above target, SKU x warehouse):")
        print(table[table["level"] == "sku x warehouse"].pivot_table(
            index=["shop", "window"], columns="rule", values="above", aggfunc="mean").to_string())
        print("\nwindow band: share above target by the rule of the SKU's band (a band's own calibration):")
        banded = table[table["rule"] == "window band"]
        print(banded.groupby(["level", "window_rule"]).agg(windows=("above", "size"), above_target=("above", "mean"))
              .to_string())
        print("\nthe SKUs' window bands (P10..P90 of the window total: 80% inside, 10% above P90 is right):")
        for by in ("window_rule", "kind", ["window_rule", "kind"]):
            print(band.groupby(by).agg(windows=("inside", "size"), inside_p10_p90=("inside", "mean"),
                                       above_p90=("above_p90", "mean"), median_width=("width", "median"))
                  .to_string(), end="\n\n")
        print("lead times (first window per shop and seed), SKU x warehouse:")
        print(lead.groupby(["what", "rule"]).agg(rows=("above", "size"), above=("above", "mean")).to_string())


if __name__ == "__main__":
    main()
