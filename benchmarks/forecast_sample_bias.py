"""Bias of the default model on the embedded sample's event windows (no ../shared data needed).

Backtests ``auto`` (fit on history ending 90 days before each window, scored on the window) on
the sample's national total and its 6 category totals, and on the SKUs of two categories (food,
beauty: 98 series, many selling a few units a day), over the 618 / Double 11 / New Year sale
windows the sample's history allows (2024 to 2026; the New Year sale 2024 has under a year of
history before its cut-off and is shown apart: half its sale days have no past occurrence).
Prints per level and window the WAPE and the bias of the total, the mean and spread of the
series' bias, and the mean bias over the windows.

    .venv/bin/python benchmarks/forecast_sample_bias.py [--model auto]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

from workbench.data.sample import load_sample
from workbench.data.validate import prepare_long_frame
from workbench.forecast.backtest import backtest_windows, event_windows

EVENTS = (("618", (2024, 2025, 2026)), ("double11", (2024, 2025)), ("new_year_sale", (2024, 2025, 2026)))
YOUNG = {"new_year_sale 2024"}  # under a year of history before the cut-off
SKU_CATEGORIES = ("food", "beauty")


def frames() -> dict[str, tuple[pd.DataFrame, list[str]]]:
    out = {}
    for level, keys in (("national", []), ("category", ["category"])):
        frame, _ = prepare_long_frame(load_sample(level), date_col="ds", target_col="units", keys=keys)
        out[level] = (frame, keys)
    sku = load_sample("sku")
    sku = sku[sku.category.isin(SKU_CATEGORIES)][["ds", "sku", "units"]]
    frame, _ = prepare_long_frame(sku, date_col="ds", target_col="units", keys=["sku"])
    out["sku (food, beauty)"] = (frame, ["sku"])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    windows = {}
    for event, years in EVENTS:
        windows.update(event_windows(event, years))
    rows = []
    for level, (frame, keys) in frames().items():
        t0 = time.perf_counter()
        result = backtest_windows(frame, windows=windows, model=args.model, keys=keys, n_jobs=1)
        for window, total in result.totals.set_index("window").iterrows():
            per = result.per_series[result.per_series.window == window]
            rows.append({"level": level, "window": window, "wape": total.wape, "bias": total.bias,
                         "mean_series_bias": per.bias.mean(), "series_bias_sd": per.bias.std(ddof=0),
                         "series": len(per)})
        print(f"{level}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    shown = table.copy()
    pct = ["wape", "bias", "mean_series_bias", "series_bias_sd"]
    shown[pct] = (shown[pct] * 100).round(1)
    pd.set_option("display.width", 200)
    print(f"== {args.model} on the sample (percent) ==")
    print(shown.to_string(index=False))
    mature = table[~table.window.isin(YOUNG)]
    summary = mature.groupby("level", sort=False).agg(mean_bias=("bias", "mean"), min_bias=("bias", "min"),
                                                       max_bias=("bias", "max"),
                                                       mean_series_bias=("mean_series_bias", "mean"))
    print(f"\n== over the windows with a year of history ({', '.join(sorted(YOUNG))} left out; percent) ==")
    print((summary * 100).round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
