"""Forecast identity check for refactors that must not move any forecast.

Runs ``forecast(model="auto")`` on a fixed panel (the sample data of
``workbench.data.sample.generate_sales``, 294 SKU x region series, and the seeded young shops
``young_shops.shop("produce")`` and ``shop("baby")``, 68 and 44 series) and stores every point
forecast and quantile; ``--compare`` reads two stored runs (e.g. main's and a branch's, each run
with ``PYTHONPATH`` at its own tree) and prints the largest relative difference per panel.

    PYTHONPATH=/path/to/tree .venv/bin/python benchmarks/forecast_identity.py --out /tmp/a.parquet
    .venv/bin/python benchmarks/forecast_identity.py --compare /tmp/a.parquet /tmp/b.parquet

A pure refactor leaves every figure equal to float rounding: the relative difference
``|a - b| / max(|a|, 1)`` (units a day) is at most 1e-9 (exit status 1 past it).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

HORIZON = 120  # days
TOLERANCE = 1e-9  # relative, see the module docstring


def panels() -> dict[str, pd.DataFrame]:
    """The fixed panel: name -> standard frame ``[sku, region, ds, y]`` (category dropped: one
    level of keys keeps the run short; the level priors still pool over the panel)."""
    from workbench.data.sample import generate_sales
    from young_shops import shop

    sample = generate_sales().rename(columns={"units": "y"})[["sku", "region", "ds", "y"]]
    out = {"sample": sample}
    for name in ("produce", "baby"):
        history, _ = shop(name, seed=0)
        out[name] = history[["sku", "region", "ds", "y"]]
    return out


def run(out: Path) -> None:
    """Forecast each panel with the default model on one process and store the figures."""
    import workbench
    from workbench.forecast.core import forecast

    warnings.filterwarnings("ignore")
    parts = []
    for name, frame in panels().items():
        start = time.perf_counter()
        fc = forecast(frame, horizon=HORIZON, model="auto", keys=["sku", "region"], n_jobs=1)
        n = frame.groupby(["sku", "region"]).ngroups
        print(f"{name}: {n} series, {(time.perf_counter() - start) / n * 1000:.1f} ms/series "
              f"({workbench.__file__})")
        parts.append(fc.assign(panel=name))
    pd.concat(parts, ignore_index=True).to_parquet(out)


def compare(a: Path, b: Path) -> bool:
    """Print the largest relative difference of every figure column per panel; True when all
    are within ``TOLERANCE`` and the rows match."""
    left, right = pd.read_parquet(a), pd.read_parquet(b)
    keys = ["panel", "sku", "region", "ds"]
    figures = [c for c in left.columns if c.startswith("yhat")]  # the point forecast and each quantile
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    ok = bool((merged["_merge"] == "both").all())
    if not ok:
        print(f"rows differ: {(merged['_merge'] != 'both').sum()}")
    for panel, part in merged.groupby("panel"):
        worst = {}
        for col in figures:
            x, y = part[f"{col}_a"].to_numpy(float), part[f"{col}_b"].to_numpy(float)
            both_nan = np.isnan(x) & np.isnan(y)
            rel = np.where(both_nan, 0.0, np.abs(x - y) / np.maximum(np.abs(x), 1.0))
            worst[col] = float(np.nan_to_num(rel, nan=np.inf).max())
        print(f"{panel}: {len(part)} rows; max relative difference "
              + ", ".join(f"{c} {v:.2e}" for c, v in worst.items()))
        ok &= max(worst.values()) <= TOLERANCE
    print("identical within 1e-9" if ok else "DIFFERENT")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="store this tree's forecasts here (parquet)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(0 if compare(*args.compare) else 1)
    run(args.out)


if __name__ == "__main__":
    main()
