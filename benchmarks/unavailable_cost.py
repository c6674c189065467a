"""Cost of a file of unavailable days (``--unavailable``) against the number of its runs (review 10.1 F7;
no ../shared data needed).

Seeded daily Poisson series (``--series`` of them, 13 months), a file of one 10-day run a series in the
history. Prints the seconds (wall and CPU) to index the runs (``core.DeclaredRuns``), one series' lookup,
the censoring of every series' history (``core.censor_unavailable``) and the partitions' days; with
``--forecast`` also a whole ``forecast`` (``--model``, one job) without and with the file.

    .venv/bin/python benchmarks/unavailable_cost.py --series 1000
    .venv/bin/python benchmarks/unavailable_cost.py --series 400 --forecast
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from workbench.forecast.core import DeclaredRuns, _partition_task, censor_unavailable, forecast


def _timed(label: str, run):
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    print(f"{label}: {time.perf_counter() - wall:.2f} s ({time.process_time() - cpu:.2f} s CPU)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--forecast", action="store_true", help="also time a whole forecast without and with the file")
    parser.add_argument("--model", default="ets")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    count = args.series
    ds = pd.date_range("2025-06-01", "2026-06-30", freq="D")
    skus = [f"S{i:05d}" for i in range(count)]
    frame = pd.DataFrame({"sku": np.repeat(skus, len(ds)), "ds": np.tile(ds, count),
                          "y": rng.poisson(20, count * len(ds)).astype(float)})
    spans = pd.DataFrame({"sku": skus, "start": pd.Timestamp("2026-03-01"), "end": pd.Timestamp("2026-03-10"),
                          "line": np.arange(count) + 2})
    spans.attrs["source"] = "oos.csv"
    runs = _timed(f"index {count} runs", lambda: DeclaredRuns(spans, ["sku"]))
    _timed(f"{count} series' days, one by one", lambda: [runs.of({"sku": s}) for s in skus])
    _timed(f"censor {count} series x {count} runs", lambda: censor_unavailable(frame, ["sku"], spans, "D"))
    _timed("partitions' days (100 series each)", lambda: [
        _partition_task(frame.iloc[i:i + 100 * len(ds)], ["sku"], {}, {}, runs)
        for i in range(0, len(frame), 100 * len(ds))])
    if args.forecast:
        warnings.simplefilter("ignore")
        for label, file in (("forecast, no file", None), (f"forecast, a file of {count} runs", spans)):
            _timed(label, lambda: forecast(frame, horizon=14, model=args.model, freq="D", keys=["sku"], n_jobs=1,
                                           unavailable=file))


if __name__ == "__main__":
    main()
