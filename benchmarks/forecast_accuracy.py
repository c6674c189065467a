"""Event-window accuracy on real e-commerce parcel volumes (../shared/data, evaluation only).

Backtests every model on ``daily_total.csv`` and on the 20 largest origins of
``daily_by_origin.csv`` (a missing day is zero parcels), with training ending 90 days before each
window: Spring Festival 2022, 618 2022 and Double 11 2022. Prints the WAPE table.

    .venv/bin/python benchmarks/forecast_accuracy.py [--models auto,seasonal_naive,...]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from workbench.data.validate import prepare_long_frame
from workbench.forecast.backtest import backtest_windows

# name -> (registry model, parameters; "pool_events" goes to the core): the workbench's models
# and the peers' usual set-ups
VARIANTS = {
    "auto": ("auto", {}),
    "auto without pooling": ("auto", {"pool_events": False}),
    "seasonal_naive": ("seasonal_naive", {}),
    "event_naive": ("event_naive", {}),
    "prophet (event windows)": ("prophet", {}),
    "prophet plain": ("prophet", {"events": False, "seasonality_mode": "additive"}),
    "prophet + CN holidays": ("prophet", {"events": False, "country_holidays": True,
                                          "seasonality_mode": "additive"}),
    "ets": ("ets", {}),
}
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecom_parcels_2021_2022"
WINDOWS = {
    "Spring Festival 2022": ("2022-01-01", "2022-02-28"),
    "618 2022": ("2022-05-20", "2022-06-20"),
    "Double 11 2022": ("2022-10-20", "2022-11-15"),
}


def load_total() -> pd.DataFrame:
    frame, _ = prepare_long_frame(pd.read_csv(DATA / "daily_total.csv"), date_col="date", target_col="volume")
    return frame


def load_origins(n: int = 20) -> pd.DataFrame:
    raw = pd.read_csv(DATA / "daily_by_origin.csv")
    top = raw.groupby("origin")["volume"].sum().nlargest(n).index
    raw = raw[raw.origin.isin(top)]
    # a missing day is zero parcels: complete every origin over the whole two years
    grid = pd.MultiIndex.from_product([top, pd.date_range("2021-01-01", "2022-12-31").strftime("%Y-%m-%d")],
                                      names=["origin", "date"])
    raw = raw.set_index(["origin", "date"]).reindex(grid, fill_value=0).reset_index()
    frame, _ = prepare_long_frame(raw, date_col="date", target_col="volume", keys=["origin"])
    return frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    parser.add_argument("--lead", type=int, default=90)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}; nothing to measure")
        return 0
    warnings.simplefilter("ignore")
    total, origins = load_total(), load_origins()
    rows = []
    for model in args.models.split(","):
        t0 = time.perf_counter()
        name, params = VARIANTS[model]
        params = dict(params)
        pool = params.pop("pool_events", True)
        for label, frame in (("daily_total", total), ("20 origins", origins)):
            result = backtest_windows(frame, model=name, windows=WINDOWS, lead=args.lead,
                                      model_params=params, pool_events=pool)
            for window in WINDOWS:
                per = result.per_series[result.per_series.window == window]
                tot = result.totals[result.totals.window == window].iloc[0]
                rows.append({"model": model, "data": label, "window": window,
                             "WAPE": tot.wape if label == "daily_total" else per.wape.median(),
                             "bias": tot.bias,
                             "coverage_80": tot.coverage if label == "daily_total" else per.coverage.mean()})
        print(f"{model}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index=["data", "model"], columns="window", values="WAPE", sort=False)
    print("Event-window WAPE (daily_total: total; 20 origins: median over origins)")
    print((wide * 100).round(1).to_string())
    cov = table.pivot_table(index=["data", "model"], columns="window", values="coverage_80", sort=False)
    print("\nP10-P90 interval coverage, target 80% (20 origins: mean over origins)")
    print((cov * 100).round(0).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
