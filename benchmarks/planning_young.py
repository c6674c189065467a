"""The planning cycle's demand and the reconciled levels on two seeded young shops with a known
future (``benchmarks/young_shops.py``: a fresh-produce shop with yearly on/off seasons, a
mother-and-baby shop with a level step, launches and stops), scored against their truth.

For each shop and next event window (forecast from all the history, as the cycle and
``workbench forecast --reconcile`` do), per method, the window totals' error against the
simulated future (one seeded draw): national bias %, and pooled window WAPE % over the
regions, the categories and the SKU x region series:

* ``regions direct``: the cycle before: each region's sum forecast as one series, reconciled
  with the direct national total (``event_forecast`` keyed ``region``), its SKUs split from it
  (``planning.middle_out``);
* ``direct total``: the national total forecast directly, as it is (national row only);
* ``bottom_up``, ``forecast_proportions``, ``mint_refits``, ``backtest_weights`` (and ``auto``,
  what ``choose_method`` picks): the SKU x region series forecast once (``event_forecast``
  keyed ``sku, region``, as ``cycle.cycle_demand`` did from c93b550) and reconciled with the
  direct national total by each method (``workbench.forecast.reconcile``);
* ``SKUs split over regions``: ``cycle.cycle_demand`` now, each SKU forecast (keyed ``category,
  sku``), reconciled with the national total (``auto``) and split over the regions by its
  regional shares (``cycle.regional_shares``), with its time.

    .venv/bin/python benchmarks/planning_young.py [--seeds 0,1,2] [--shops produce,baby]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.forecast.planning import event_forecast, middle_out
from workbench.forecast.reconcile import prepare_method, reconcile
from workbench.fulfilment.cycle import cycle_demand

sys.path.insert(0, str(Path(__file__).parent))
from young_shops import shop  # noqa: E402

QUANTILES = (0.1, 0.5, 0.9)
WINDOWS = {"produce": (("new_year_sale", 2027), ("618", 2027)),
           "baby": (("double11", 2026), ("new_year_sale", 2027), ("618", 2027))}
METHODS = ("bottom_up", "forecast_proportions", "mint_refits", "backtest_weights")


def _scores(fc: pd.DataFrame, truth: pd.DataFrame, window, categories: dict) -> dict:
    """National bias % and pooled window WAPE % of the regions, categories and SKU x region series
    of the daily forecast ``fc`` ``[sku, region, ds, yhat]`` against ``truth`` (same keys, ``y``)."""
    def within(frame):
        return frame[(frame["ds"] >= window.start) & (frame["ds"] <= window.end)]

    totals = within(fc).groupby(["sku", "region"], as_index=False)["yhat"].sum()
    actual = within(truth).groupby(["sku", "region"], as_index=False)["y"].sum()
    both = actual.merge(totals, on=["sku", "region"], how="outer").fillna(0.0)
    both["category"] = both["sku"].map(categories)

    def wape(by):
        g = both.groupby(by)[["y", "yhat"]].sum()
        return 100 * float((g["yhat"] - g["y"]).abs().sum() / g["y"].sum())

    return {"national": 100 * (both["yhat"].sum() / both["y"].sum() - 1), "region": wape("region"),
            "category": wape("category"), "sku x region": wape(["sku", "region"]),
            "truth": float(both["y"].sum()), "forecast": float(both["yhat"].sum())}


def _forecasts(frame: pd.DataFrame, event: str, year: int, cache: Path | None, label: str):
    """The regions' path (``middle_out`` of the reconciled regions) and the SKU x region
    ``event_forecast`` (bottom-up: the series as forecast, with the direct total and the refit
    spans), read from ``cache`` when a run left them there."""
    path = cache / f"{label.replace(' ', '_')}.pkl" if cache is not None else None
    if path is not None and path.exists():
        return pd.read_pickle(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regions = frame.groupby(["region", "ds"], as_index=False)["y"].sum()
        middle = event_forecast(regions, event=event, year=year, quantiles=QUANTILES, keys=["region"], n_jobs=1)
        split, _ = middle_out(frame, middle, ["sku", "region"], n_jobs=1)
        base = event_forecast(frame, event=event, year=year, quantiles=QUANTILES, keys=["sku", "region"],
                              n_jobs=1, reconcile="bottom_up")
    if path is not None:
        cache.mkdir(parents=True, exist_ok=True)
        pd.to_pickle((split, base), path)
    return split, base


def run(name: str, seed: int, cache: Path | None = None) -> list[dict]:
    history, future = shop(name, seed)
    categories = dict(zip(history["sku"], history["category"]))
    frame = history[["sku", "region", "ds", "y"]]
    rows = []
    for event, year in WINDOWS[name]:
        started = time.time()
        split, base = _forecasts(frame, event, year, cache, f"{name} {seed} {event} {year}")
        window = base.window
        label = f"{name} seed {seed} {window.label.split(' /')[0]} {year}"
        rows.append({"shop": label, "method": "regions direct", **_scores(split, future, window, categories)})
        national = _scores(base.direct_total.assign(sku="all", region="all"),
                           future.assign(sku="all", region="all"), window, {"all": "all"})
        rows.append({"shop": label, "method": "direct total", "national": national["national"],
                     "truth": national["truth"], "forecast": national["forecast"]})
        train = frame[frame["ds"] <= base.cutoff]
        for method in (*METHODS, "auto"):
            chosen, why, errors = prepare_method(method, train, ["sku", "region"], "D", QUANTILES, base.window_spans,
                                                 total_spans=base.direct_total.attrs.get("window_spans"))
            fc = base.forecast if chosen == "bottom_up" else reconcile(
                base.forecast, base.direct_total, keys=["sku", "region"], method=chosen, errors=errors)
            rows.append({"shop": label, "method": method if method != "auto" else f"auto ({chosen})",
                         **_scores(fc, future, window, categories)})
        print(f"{label}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
        started = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            series, _ = cycle_demand(frame, window, n_jobs=1, categories=categories)
        rows.append({"shop": label, "method": "SKUs split over regions",
                     **_scores(series.forecast, future, window, categories)})
        print(f"{label}, SKUs split over regions: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (default 0)")
    parser.add_argument("--shops", default="produce,baby", help="comma-separated: produce, baby")
    parser.add_argument("--cache", type=Path, help="keep each window's forecasts here and read them back")
    args = parser.parse_args()
    rows = [row for name in args.shops.split(",") for seed in map(int, args.seeds.split(","))
            for row in run(name, seed, args.cache)]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.1f}".format):
        print(table.to_string(index=False))
        scored = table[table["method"] != "direct total"]
        mean = scored.assign(abs_national=scored["national"].abs()).groupby("method")[
            ["abs_national", "region", "category", "sku x region"]].mean()
        print("\nmean over windows (|national| %, WAPE %):")
        print(mean.to_string())


if __name__ == "__main__":
    main()
