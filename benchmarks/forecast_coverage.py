"""Band calibration over many cut-offs on real e-commerce parcel volumes (../shared/data).

The event-window benchmark (``forecast_accuracy.py``) scores three windows; a window of one
series is one draw of a level error shared by all its days, so its P10-P90 coverage says little
about calibration. Here each model is fitted at ``--cutoffs`` cut-offs ``--every`` days apart
(from 2021-09-01) on ``daily_total.csv`` and the 20 largest origins of ``daily_by_origin.csv``,
forecasts 150 days, and is scored on the days 1-60 ("near") and 91-150 ("far": the plan's three
months ahead) after each cut-off: P10-P90 coverage (target 80%), the shares below P10 and above
P90 (10% each), and the scaled pinball loss (mean pinball loss of P10/P50/P90 over the in-sample
seasonal-naive MAE; over the origins summed losses over summed scales). Prints per data set,
model and horizon band the mean, range and number of cut-offs within 80% +- 8 points, then the
coverage of each cut-off.

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/forecast_coverage.py [--models auto,ets]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from forecast_accuracy import QCOLS, evaluation_frames  # noqa: E402

from workbench.forecast import metrics  # noqa: E402
from workbench.forecast.core import forecast  # noqa: E402

HORIZON = 150
BANDS = {"near": (1, 60), "far": (91, 150)}


def score_cutoff(fc: pd.DataFrame, frame: pd.DataFrame, keys: list[str], cutoff: pd.Timestamp) -> list[dict]:
    """Coverage, tail shares and scaled pinball per horizon band of one cut-off's forecast."""
    joined = fc.merge(frame, on=[*keys, "ds"])
    joined["h"] = (joined.ds - cutoff).dt.days
    train = frame[frame.ds <= cutoff]
    scales = ({k: metrics.seasonal_naive_mae(g.y.to_numpy()) for k, g in train.groupby(keys[0])} if keys
              else {None: metrics.seasonal_naive_mae(train.y.to_numpy())})
    rows = []
    for band, (lo, hi) in BANDS.items():
        part = joined[(joined.h >= lo) & (joined.h <= hi)]
        if part.empty:
            continue
        loss, scale = 0.0, 0.0
        for key, s in (part.groupby(keys[0]) if keys else [(None, part)]):
            loss += np.mean([metrics.pinball(s.y, s[c], q) for q, c in QCOLS.items()])
            scale += scales[key]
        rows.append({"cutoff": cutoff.date(), "band": band,
                     "coverage": metrics.coverage(part.y, part.yhat_q10, part.yhat_q90),
                     "below": float(np.mean(part.y < part.yhat_q10)), "above": float(np.mean(part.y > part.yhat_q90)),
                     "scaled_pinball": loss / scale})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="auto", help="comma-separated registry names")
    parser.add_argument("--cutoffs", type=int, default=12)
    parser.add_argument("--every", type=int, default=28, help="days between cut-offs")
    parser.add_argument("--conformal-windows", type=int, default=0)
    args = parser.parse_args(argv)
    frames = evaluation_frames()
    if frames is None:
        return 0
    cutoffs = pd.date_range("2021-09-01", periods=args.cutoffs, freq=f"{args.every}D")
    rows = []
    for model in [m for m in args.models.split(",") if m]:
        t0 = time.perf_counter()
        for label, (frame, keys) in frames.items():
            for cutoff in cutoffs:
                fc = forecast(frame[frame.ds <= cutoff], horizon=HORIZON, keys=keys or None, model=model,
                              n_jobs=1, conformal_windows=args.conformal_windows)
                rows += [{"model": model, "data": label, **r} for r in score_cutoff(fc, frame, keys, cutoff)]
        print(f"{model}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    summary = table.groupby(["data", "model", "band"], sort=False).agg(
        coverage=("coverage", "mean"), min=("coverage", "min"), max=("coverage", "max"),
        within=("coverage", lambda c: int((np.abs(c - 0.8) <= 0.08).sum())), cutoffs=("coverage", "size"),
        below=("below", "mean"), above=("above", "mean"), scaled_pinball=("scaled_pinball", "mean"))
    pct = ["coverage", "min", "max", "below", "above"]
    summary[pct] = (summary[pct] * 100).round(1)
    pd.set_option("display.width", 250)
    print(f"\n== P10-P90 over {args.cutoffs} cut-offs {args.every} days apart from {cutoffs[0].date()} "
          f"(percent; 'within': cut-offs at 80 +- 8) ==")
    print(summary.round(3).to_string())
    wide = table[table.band == "far"].pivot_table(index=["data", "model"], columns="cutoff", values="coverage")
    print("\n== coverage by cut-off, days 91-150 ahead (percent) ==")
    print((wide * 100).round(0).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
