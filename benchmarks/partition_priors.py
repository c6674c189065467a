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
    .venv/bin/python benchmarks/partition_priors.py --parent [--trace]   # the parent's part of level_priors

``--parent`` times ``core.level_priors`` up to its first level fit (what the parent builds before
the fits: shares, candidates, the histories of the series a level is fitted without), with
``--trace`` also its traced peak memory (tracemalloc: slower).
"""

from __future__ import annotations

import argparse
import pickle
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from workbench.calendar.events import default_calendar
from workbench.errors import ModelError
from workbench.forecast import core
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


class _FirstFit(Exception):
    """Raised at ``level_priors``' first level fit: the parent's part is measured."""


class ParentEngine(LocalEngine):
    """In-process engine that stops ``level_priors`` at its first level fit, counting the fits."""

    fits = 0

    def map(self, fn, partitions, shared):
        if fn.__name__ == "_level_prior":
            self.fits = len(partitions)
            raise _FirstFit
        return super().map(fn, partitions, shared)


def parent_part(frame: pd.DataFrame, keys: list[str], trace: bool) -> str:
    """``level_priors`` on ``frame`` up to its first level fit: seconds (and traced peak MiB)."""
    request = core.make_request(frame, None, {"horizon": 60})
    caps = core.MODELS[request.model_name].capabilities
    job = core._Job(tuple(keys), 60, request.model_name, {caps.pooling_param: None}, request.quantiles,
                    request.freq, default_calendar(), False, None, request.conformal_windows, None,
                    prior_param=caps.pooling_param)
    engine = ParentEngine(1)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    try:
        core.level_priors(frame, keys, job, engine)
    except _FirstFit:
        pass
    seconds = time.perf_counter() - t0
    peak = f", traced peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB" if trace else ""
    tracemalloc.stop()
    return f"level_priors up to its first level fit ({engine.fits} level sums to fit): {seconds:.1f} s{peak}"


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
    parser.add_argument("--parent", action="store_true", help="time level_priors up to its first level fit")
    parser.add_argument("--trace", action="store_true", help="with --parent: its traced peak memory too")
    args = parser.parse_args()
    frame = make_panel(args.categories, args.skus, args.regions)
    n = args.categories * args.skus * args.regions
    if args.parent:
        print(f"{n:,} series; {parent_part(frame, ['cat', 'sku', 'region'], args.trace)}")
        return
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
