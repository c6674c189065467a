"""What the driver sends with each partition's forecast task when series borrow a level's pooled
prior (``core.level_priors``): bytes pickled and seconds spent pickling, over every partition,
on a generated panel of categories x SKUs x regions with launches (every series borrows: the
established ones their category's prior, the launches their SKU's or category's).

The local engine pickles each task's arguments (the partition's rows and the shared job) when a
worker takes it; Dask scatters the shared job once. This script runs the pooling for real (the
panel's and every level's prior are fitted) and stops there: instead of forecasting, its engine
pickles each ``_forecast_partition`` task as a process pool would, times it, and reports. So
every series "fails" (no forecast is made); the run measures dispatch only.

    .venv/bin/python benchmarks/partition_priors.py                   # 12,000 series
    .venv/bin/python benchmarks/partition_priors.py --categories 50 --skus 100 --regions 5   # 25,000
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings

import numpy as np
import pandas as pd

from workbench.errors import ModelError
from workbench.forecast.core import forecast
from workbench.forecast.engines import LocalEngine


class DispatchEngine(LocalEngine):
    """In-process engine that runs the pooling tasks and only pickles the forecast tasks."""

    def __init__(self):
        super().__init__(1)
        self.sizes: list[int] = []
        self.seconds = 0.0
        self.shared = 0

    def map(self, fn, partitions, shared):
        if fn.__name__ != "_forecast_partition":
            yield from super().map(fn, partitions, shared)
            return
        self.shared = len(pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL))
        for i, part in enumerate(partitions):
            t0 = time.perf_counter()
            blob = pickle.dumps((fn, i, part, shared), protocol=pickle.HIGHEST_PROTOCOL)
            self.seconds += time.perf_counter() - t0
            self.sizes.append(len(blob))
            yield i, RuntimeError("dispatch measured only")


def make_panel(categories: int, skus: int, regions: int, days: int = 800, seed: int = 8) -> pd.DataFrame:
    """Daily Poisson series ``cat, sku, region, ds, y`` (categoricals); one SKU in ten launched
    150 days before the end, one in ten a year and a half before it."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(end="2026-10-31", periods=days)
    n = categories * skus * regions
    week = np.array([.95, .97, 1.0, 1.0, 1.02, 1.08, 1.05])[ds.dayofweek]
    level = rng.lognormal(np.log(8.0), 0.8, n)[:, None]
    start = np.zeros(n, dtype=int)
    sku_of = np.repeat(np.arange(categories * skus), regions)
    launch = rng.choice([0, days - 150, days - 550], size=categories * skus, p=[0.8, 0.1, 0.1])
    start = launch[sku_of]
    mu = level * week[None, :] * (np.arange(days)[None, :] >= start[:, None])
    y = rng.poisson(mu).astype(float)
    cat_of = sku_of // skus
    return pd.DataFrame({
        "cat": pd.Categorical.from_codes(np.repeat(cat_of, days), [f"c{i}" for i in range(categories)]),
        "sku": pd.Categorical.from_codes(np.repeat(sku_of, days), [f"s{i}" for i in range(categories * skus)]),
        "region": pd.Categorical.from_codes(np.repeat(np.tile(np.arange(regions), categories * skus), days),
                                            [f"r{i}" for i in range(regions)]),
        "ds": np.tile(ds.values, n), "y": y.ravel()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--categories", type=int, default=30)
    parser.add_argument("--skus", type=int, default=80, help="per category")
    parser.add_argument("--regions", type=int, default=5)
    args = parser.parse_args()
    frame = make_panel(args.categories, args.skus, args.regions)
    n = args.categories * args.skus * args.regions
    engine = DispatchEngine()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            forecast(frame, horizon=60, keys=["cat", "sku", "region"], engine=engine)
        except ModelError:
            pass  # every series "failed": the engine measured the dispatch and forecast nothing
    total = time.perf_counter() - t0
    sizes = np.array(engine.sizes)
    print(f"{n:,} series, {len(sizes)} partitions; pooling and dispatch {total:.1f} s wall")
    print(f"pickled per forecast task: median {np.median(sizes) / 2**20:.2f} MiB, largest "
          f"{sizes.max() / 2**20:.2f} MiB; all tasks {sizes.sum() / 2**20:.1f} MiB, "
          f"{engine.seconds:.2f} s pickling; of each, the job shared by every task {engine.shared / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
