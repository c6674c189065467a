"""Forecasting at scale: the default model on 1,000 / 10,000 / 50,000 generated daily series of
three years (horizon 120 days, P10/P50/P90), streamed to Parquet per partition, on the local
engine and on a Dask LocalCluster.

Each (size, engine, workers) run is a fresh subprocess, so peak memory is that run's own.
Reported per run: series per second (wall), series per worker CPU-second (less sensitive to other
load on the machine), peak resident memory of the driver and of the largest worker process, and
the 1 -> 2 worker scaling ratios from this one run. Nothing is asserted. Local workers are
forked, so their peak memory includes the driver's pages they share copy-on-write.

    .venv/bin/python benchmarks/forecast_scale.py                       # 1000,10000 x local:2,dask:1,dask:2
    .venv/bin/python benchmarks/forecast_scale.py --sizes 1000 --configs dask:1,dask:2   # quick
    .venv/bin/python benchmarks/forecast_scale.py --sizes 50000 --configs local:2,dask:2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.data.sample import campaign_log_uplift, logistics_log_effect
from workbench.forecast.core import forecast_to_parquet
from workbench.forecast.engines import DaskEngine, LocalEngine

START, END = "2023-11-01", "2026-10-31"  # three years of daily history
WEEKLY = np.log([0.96, 0.98, 0.99, 1.0, 1.02, 1.09, 1.06])  # Monday first


def make_series(n: int, seed: int = 6, chunk: int = 5000) -> pd.DataFrame:
    """``n`` daily series ``sku_id, ds, y`` (units/day) with trend, weekly pattern, 618, Double 11,
    the New Year sale, the Spring Festival pause and Poisson noise; seeded, vectorised."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    dates = pd.date_range(START, END, freq="D")
    t_years = np.arange(len(dates)) / 365.25
    campaigns = campaign_log_uplift(dates, calendar)
    base = WEEKLY[dates.dayofweek.to_numpy()] + logistics_log_effect(dates, calendar)
    parts = []
    for first in range(0, n, chunk):
        m = min(chunk, n - first)
        level = rng.normal(np.log(40.0), 1.0, m)[:, None]  # median 40 units/day, wide spread
        growth = rng.uniform(-0.05, 0.25, m)[:, None]
        log_rate = level + np.log1p(growth) * t_years + base + rng.normal(0, 0.1, (m, len(dates)))
        for uplift in campaigns.values():
            log_rate += rng.uniform(0.3, 1.5, m)[:, None] * uplift
        y = rng.poisson(np.exp(log_rate)).astype(float)
        parts.append(pd.DataFrame({"sku_id": np.repeat(np.arange(first, first + m), len(dates)),
                                   "ds": np.tile(dates.values, m), "y": y.ravel()}))
    return pd.concat(parts, ignore_index=True)


def peak_rss_mib() -> float:
    """Peak resident memory of this process, MiB. Linux's VmHWM starts afresh at exec, unlike
    ``ru_maxrss``, which a spawned Dask worker would inherit from the driver."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_stats() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"maxrss_mib": peak_rss_mib(), "cpu_s": usage.ru_utime + usage.ru_stime}


def run_one(n: int, engine_name: str, workers: int, horizon: int, partition_size: int | None) -> dict:
    """One measured run in this process; returns the figures as a dict."""
    t0 = time.perf_counter()
    frame = make_series(n)
    gen_s = time.perf_counter() - t0
    engine = LocalEngine(workers) if engine_name == "local" else DaskEngine(n_workers=workers)
    t0 = time.perf_counter()
    if engine_name == "dask":  # start the cluster outside the timed forecast
        before = engine.client.run(_worker_stats)
    startup_s = time.perf_counter() - t0
    own_cpu = _worker_stats()["cpu_s"]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model notes; failures are counted below
        t0 = time.perf_counter()
        run = forecast_to_parquet(frame, f"{tmp}/out", horizon=horizon, keys=["sku_id"],
                                  engine=engine, partition_size=partition_size)
        wall = time.perf_counter() - t0
        files = len(run.files)
    if engine_name == "dask":
        after = engine.client.run(_worker_stats)
        engine.close()
        worker_rss = max(s["maxrss_mib"] for s in after.values())
        worker_cpu = sum(after[w]["cpu_s"] - before[w]["cpu_s"] for w in after)  # without start-up
    else:
        engine.close()  # joins the pool, so its processes count as children below
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        # forked workers: includes the driver's pages they share copy-on-write
        worker_rss = children.ru_maxrss / 1024 if workers > 1 else float("nan")
        worker_cpu = children.ru_utime + children.ru_stime
    own = resource.getrusage(resource.RUSAGE_SELF)
    driver_cpu = own.ru_utime + own.ru_stime - own_cpu  # partitioning, pooled fit, messages
    if engine_name == "local" and workers == 1:  # in-process: the driver does the work
        worker_cpu = driver_cpu
    return {"series": n, "engine": engine_name, "workers": workers, "failed": len(run.failures),
            "files": files, "rows": run.rows, "generate_s": gen_s, "startup_s": startup_s,
            "wall_s": wall, "series_per_s": n / wall, "worker_cpu_s": worker_cpu,
            "series_per_cpu_s": n / worker_cpu if worker_cpu else float("nan"), "driver_cpu_s": driver_cpu,
            "driver_peak_mib": peak_rss_mib(), "worker_peak_mib": worker_rss,
            "input_mib": frame.memory_usage(deep=True).sum() / 2**20,
            "load_avg": os.getloadavg()[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="series counts, comma-separated")
    parser.add_argument("--configs", default="local:2,dask:1,dask:2",
                        help="ENGINE:WORKERS runs, comma-separated (engine local or dask)")
    parser.add_argument("--horizon", type=int, default=120, help="days to forecast")
    parser.add_argument("--partition-size", type=int, help="series per partition (default: the core's)")
    parser.add_argument("--json", help="also append each run's figures as a JSON line to this file")
    parser.add_argument("--one", nargs=3, metavar=("SERIES", "ENGINE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:  # child mode: one run, figures as JSON on stdout
        n, engine, workers = int(args.one[0]), args.one[1], int(args.one[2])
        print(json.dumps(run_one(n, engine, workers, args.horizon, args.partition_size)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",")]
    print(f"cores: {os.cpu_count()}, horizon {args.horizon} days, {START}..{END} daily history")
    rows = []
    for n in sizes:
        for engine, workers in configs:
            cmd = [sys.executable, __file__, "--one", str(n), engine, str(workers),
                   "--horizon", str(args.horizon)]
            if args.partition_size:
                cmd += ["--partition-size", str(args.partition_size)]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode:
                print(f"{n} series on {engine}:{workers} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"{n:>6} series  {engine}:{workers}  {row['wall_s']:8.1f} s  "
                  f"{row['series_per_s']:6.1f} series/s  {row['series_per_cpu_s']:6.1f} series/CPU-s  "
                  f"driver {row['driver_peak_mib']:6.0f} MiB  worker {row['worker_peak_mib']:6.0f} MiB  "
                  f"failed {row['failed']}  load {row['load_avg']:.1f}", flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(row) + "\n")
    if not rows:
        return 1
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table[["series", "engine", "workers", "wall_s", "series_per_s", "series_per_cpu_s",
                     "driver_cpu_s", "driver_peak_mib", "worker_peak_mib", "startup_s", "failed", "files"]]
              .round(2).to_string(index=False))
    for n, group in table.groupby("series"):
        by = {(r.engine, r.workers): r for r in group.itertuples()}
        for engine in ("local", "dask"):
            if (engine, 1) in by and (engine, 2) in by:
                print(f"{n} series: {engine} 1 -> 2 workers speed-up "
                      f"{by[engine, 2].series_per_s / by[engine, 1].series_per_s:.2f}x (ideal 2.00x)")
        if ("local", 2) in by and ("dask", 2) in by:
            print(f"{n} series: Dask / local throughput with 2 workers "
                  f"{by['dask', 2].series_per_s / by['local', 2].series_per_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
