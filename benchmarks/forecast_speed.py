"""Forecast speed: the default model on 1,000 daily series of three years (horizon 120 days,
P10/P50/P90) against plain Prophet and StatsForecast's set-ups (AutoETS with season 7 on one
core and on all cores, MSTL with seasons 7 and 365: the peers of benchmarks/forecast_accuracy.py),
in one run; the ratio is taken against the fastest of them. Also a small input (20 series) with
the default engine choice against one process and a forced pool.

Prophet and StatsForecast are timed on seeded random subsets of the series (``--prophet-sample``,
``--statsforecast-sample``); StatsForecast runs in the peer venv that forecast_accuracy.py
creates (``--peer-venv``; skipped when absent). Ratios are per series.

    .venv/bin/python benchmarks/forecast_speed.py [--series 1000] [--prophet-sample 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

from pathlib import Path

from workbench.data.sample import generate_sales
from workbench.forecast.core import forecast


def make_series(n: int) -> pd.DataFrame:
    """``n`` daily SKU series of three years, from differently seeded sample generators."""
    parts, seed = [], 1
    while sum(p.sku.nunique() for p in parts) < n:
        part = generate_sales("2023-11-01", "2026-10-31", seed=seed)
        part["sku"] = f"s{seed}-" + part["sku"]
        parts.append(part)
        seed += 1
    frame = pd.concat(parts, ignore_index=True)
    keep = frame.sku.drop_duplicates().iloc[:n]
    frame = frame[frame.sku.isin(keep)]
    return pd.DataFrame({"sku": frame.sku, "ds": frame.ds, "y": frame.units}).reset_index(drop=True)


def time_prophet(frame: pd.DataFrame, sample: int, horizon: int) -> float:
    """Seconds per series for plain Prophet (fit, then predict with its intervals)."""
    import logging

    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    rng = np.random.default_rng(0)
    skus = rng.choice(frame.sku.unique(), size=sample, replace=False)
    start = time.perf_counter()
    for sku in skus:
        part = frame[frame.sku == sku][["ds", "y"]]
        model = Prophet().fit(part)
        model.predict(model.make_future_dataframe(horizon, include_history=False))
    return (time.perf_counter() - start) / sample


def time_statsforecast(frame: pd.DataFrame, sample: int, horizon: int, venv: Path) -> dict[str, float] | None:
    """Seconds per series of each StatsForecast set-up (``statsforecast_peers.SPEED_CONFIGS``),
    or None without the peer venv."""
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    rng = np.random.default_rng(0)
    skus = rng.choice(frame.sku.unique(), size=sample, replace=False)
    part = frame[frame.sku.isin(skus)].rename(columns={"sku": "unique_id"})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "series.csv"
        part.to_csv(src, index=False)
        out = subprocess.run([str(python), str(Path(__file__).with_name("statsforecast_peers.py")), "--time",
                              str(src), str(horizon)], check=True, capture_output=True, text=True)
    return {label: float(sec) for label, sec in (line.split("\t") for line in out.stdout.strip().splitlines())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--prophet-sample", type=int, default=30)
    parser.add_argument("--statsforecast-sample", type=int, default=100)
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/wb-peers-venv"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    frame = make_series(args.series)
    print(f"{frame.sku.nunique()} series x {frame.ds.nunique()} days, horizon {args.horizon}, "
          f"{os.cpu_count()} cores")

    start = time.perf_counter()
    fc = forecast(frame, horizon=args.horizon, model="auto", keys=["sku"])
    auto_wall = time.perf_counter() - start
    auto_per_series = auto_wall / frame.sku.nunique()
    assert len(fc) == frame.sku.nunique() * args.horizon, fc.attrs.get("failures")
    print(f"workbench auto (all cores, with P10/P50/P90): {auto_wall:8.1f} s wall, "
          f"{auto_per_series * 1000:7.1f} ms per series")

    one = time.perf_counter()
    forecast(frame[frame.sku.isin(frame.sku.unique()[:200])], horizon=args.horizon, model="auto",
             keys=["sku"], n_jobs=1)
    serial_per_series = (time.perf_counter() - one) / 200
    print(f"workbench auto, one core (200 series):       {serial_per_series * 1000:7.1f} ms per series "
          f"-> parallel speed-up {serial_per_series / auto_per_series:.2f}x")

    small = frame[frame.sku.isin(frame.sku.unique()[:20])]
    for label, n_jobs in (("default engine choice", None), ("one process", 1), ("forced pool of 2", 2)):
        t0 = time.perf_counter()
        forecast(small, horizon=args.horizon, model="auto", keys=["sku"], n_jobs=n_jobs)
        print(f"workbench auto, 20 series, {label:22s} {time.perf_counter() - t0:6.2f} s wall")

    prophet_per_series = time_prophet(frame, args.prophet_sample, args.horizon)
    print(f"plain Prophet per series ({args.prophet_sample} series, one core): "
          f"{prophet_per_series * 1000:7.1f} ms per series")
    print(f"ratio: auto is {prophet_per_series / auto_per_series:.1f}x faster per series than Prophet "
          f"({prophet_per_series / serial_per_series:.1f}x on one core)")
    sf = time_statsforecast(frame, args.statsforecast_sample, args.horizon, args.peer_venv)
    if sf is None:
        print(f"StatsForecast: no peer venv at {args.peer_venv} (benchmarks/forecast_accuracy.py creates it)")
    else:
        for label, seconds in sf.items():
            print(f"StatsForecast {label} ({args.statsforecast_sample} series): {seconds * 1000:7.1f} ms per series")
        fastest = min(sf, key=sf.get)
        print(f"ratio: auto is {sf[fastest] / auto_per_series:.1f}x faster per series than StatsForecast's "
              f"fastest set-up, {fastest} ({sf[fastest] / serial_per_series:.1f}x against auto on one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
