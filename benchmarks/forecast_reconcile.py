"""Coherent levels on a sparse real panel: the ~1,000 routes (origin -> destination flows) of the
parcel network (../shared/data, evaluation only), mostly young, intermittent or stopping.

For each 2022 window (training ends 90 days before it), the default model forecasts every route
(the bottom), every origin and the network total directly; the bottom is then summed as it is
(bottom-up) and reconciled top-down by forecast proportions (``workbench.forecast.reconcile``).
Prints, per level and window, the pooled WAPE and bias of the direct, bottom-up and reconciled
figures side by side.

    .venv/bin/python benchmarks/forecast_reconcile.py [--routes 0 (all)]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import pandas as pd

from workbench.data.validate import prepare_long_frame
from workbench.forecast import metrics
from workbench.forecast.core import forecast
from workbench.forecast.reconcile import level_totals, reconcile

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from forecast_accuracy import DATA, WINDOWS  # noqa: E402  (same data and windows)


def load_routes(limit: int = 0) -> pd.DataFrame:
    """Every route over the two years, a missing day being zero parcels; ``limit``: the largest N."""
    raw = pd.read_csv(DATA / "daily_by_route.csv.gz")
    raw["route"] = raw.origin + ">" + raw.dest
    if limit:
        raw = raw[raw.route.isin(raw.groupby("route").volume.sum().nlargest(limit).index)]
    routes = raw[["route", "origin"]].drop_duplicates().set_index("route")
    grid = pd.MultiIndex.from_product([routes.index, pd.date_range("2021-01-01", "2022-12-31").strftime("%Y-%m-%d")],
                                      names=["route", "date"])
    full = raw.groupby(["route", "date"]).volume.sum().reindex(grid, fill_value=0).reset_index()
    frame, _ = prepare_long_frame(full, date_col="date", target_col="volume", keys=["route"])
    frame["origin"] = frame.route.map(routes.origin).astype(str)
    return frame


def score(fc: pd.DataFrame, actual: pd.DataFrame, keys, start, end) -> dict:
    joined = fc[(fc.ds >= start) & (fc.ds <= end)].merge(actual, on=[*keys, "ds"], how="left").fillna({"y": 0.0})
    return {"wape": metrics.wape(joined.y, joined.yhat), "bias": metrics.bias(joined.y, joined.yhat)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=0, help="only the N largest routes (0: all)")
    parser.add_argument("--lead", type=int, default=90)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}; nothing to measure")
        return 0
    warnings.simplefilter("ignore")
    routes = load_routes(args.routes)
    origins = routes.groupby(["origin", "ds"], as_index=False).y.sum()
    total = routes.groupby("ds", as_index=False).y.sum()
    print(f"{routes.route.nunique()} routes, {origins.origin.nunique()} origins; zero days: "
          f"{(routes.y == 0).mean():.0%}", file=sys.stderr)
    rows = []
    for window, (start, end) in WINDOWS.items():
        t0 = time.perf_counter()
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        cutoff = start - pd.Timedelta(days=args.lead)
        horizon = int((end - cutoff).days)
        train = routes[routes.ds <= cutoff]
        bottom = forecast(train[["route", "ds", "y"]], horizon=horizon, keys=["route"])
        bottom["origin"] = bottom.route.map(routes.drop_duplicates("route").set_index("route").origin)
        direct_total = forecast(total[total.ds <= cutoff], horizon=horizon)
        direct_origins = forecast(origins[origins.ds <= cutoff], horizon=horizon, keys=["origin"])
        top_down = reconcile(bottom, direct_total, keys=["route"])
        figures = {
            ("total", "direct"): score(direct_total, total, [], start, end),
            ("total", "bottom-up (sum of routes)"): score(level_totals(bottom, []), total, [], start, end),
            ("total", "reconciled (top-down)"): score(level_totals(top_down, []), total, [], start, end),
            ("origins", "direct"): score(direct_origins, origins, ["origin"], start, end),
            ("origins", "bottom-up (sum of routes)"): score(level_totals(bottom, ["origin"]), origins, ["origin"], start, end),
            ("origins", "reconciled (top-down)"): score(level_totals(top_down, ["origin"]), origins, ["origin"], start, end),
            ("routes", "direct"): score(bottom, routes, ["route"], start, end),
            ("routes", "reconciled (top-down)"): score(top_down, routes, ["route"], start, end),
        }
        for (level, how), s in figures.items():
            rows.append({"level": level, "figures": how, "window": window, **s})
        print(f"{window}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    for metric in ("wape", "bias"):
        wide = table.pivot_table(index=["level", "figures"], columns="window", values=metric, sort=False)
        print(f"\nPooled {metric.upper()} %, by level (default model; routes reconciled top-down to the direct total)")
        print((wide[list(WINDOWS)] * 100).round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
