"""Weekly, monthly and quarterly accuracy: what ``auto`` uses for non-daily data, against
StatsForecast's AutoETS with the season of the frequency (a well-configured ETS) in the peer venv
of benchmarks/forecast_accuracy.py (skipped when absent).

Data: the parcel network's 20 largest origins (../shared/data, evaluation only) summed to weeks
(13 weeks held out after 2022-09-30) and months (Oct-Dec 2022 held out); the embedded sample's
categories summed to months (the last 6 months held out) and quarters (the last 3). Prints pooled
WAPE, bias and P10-P90 coverage per model.

    .venv/bin/python benchmarks/forecast_nondaily.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from workbench.data.sample import load_sample
from workbench.forecast import metrics
from workbench.forecast.core import forecast

sys.path.insert(0, str(Path(__file__).parent))
from forecast_accuracy import DATA, load_origins  # noqa: E402

MODELS = ("auto", "ets", "seasonal_naive", "recent_level")
SEASON = {"W": 52, "MS": 12, "QS": 4}
PANDAS_FREQ = {"W": "W-SUN", "MS": "MS", "QS": "QS"}
PEER_VENV = Path("/tmp/wb-peers-venv")


def aggregate(frame: pd.DataFrame, key: str, freq: str) -> pd.DataFrame:
    """Whole periods only (a partial first or last period would look like a collapse)."""
    out = (frame.set_index("ds").groupby(key)["y"].resample(PANDAS_FREQ[freq]).agg(["sum", "count"])
           .reset_index().rename(columns={"sum": "y"}))
    full = out["count"] >= out["count"].max() * 0.95
    return out[full][[key, "ds", "y"]].reset_index(drop=True)


def data_sets() -> dict:
    sets = {}
    if DATA.is_dir():
        origins = load_origins()
        for freq, cutoff, horizon in (("W", "2022-09-30", 13), ("MS", "2022-09-30", 3)):
            sets[f"parcel origins, {freq}"] = (aggregate(origins, "origin", freq), "origin", freq, cutoff, horizon)
    cat = load_sample("category")
    cat = pd.DataFrame({"category": cat.category, "ds": cat.ds, "y": cat.units})
    sets["sample categories, MS"] = (aggregate(cat, "category", "MS"), "category", "MS", "2026-03-31", 6)
    sets["sample categories, QS"] = (aggregate(cat, "category", "QS"), "category", "QS", "2025-12-31", 3)
    return sets


def peer(train: pd.DataFrame, key: str, freq: str, horizon: int) -> pd.DataFrame | None:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        train.rename(columns={key: "unique_id"}).to_csv(src, index=False)
        subprocess.run([str(python), str(Path(__file__).with_name("statsforecast_peers.py")), "--ets", str(src),
                        str(dst), PANDAS_FREQ[freq], str(SEASON[freq]), str(horizon)], check=True)
        out = pd.read_csv(dst, parse_dates=["ds"]).rename(columns={"unique_id": key})
    out[key] = out[key].astype(train[key].dtype)
    for c in ("yhat", "yhat_q10", "yhat_q90"):
        out[c] = out[c].clip(lower=0)
    return out


def main() -> int:
    warnings.simplefilter("ignore")
    rows = []
    for label, (frame, key, freq, cutoff, horizon) in data_sets().items():
        train = frame[frame.ds <= cutoff]
        test = frame[frame.ds > cutoff]
        test = test[test.ds.isin(sorted(test.ds.unique())[:horizon])]
        fcs = {m: forecast(train, horizon=horizon, model=m, keys=[key], freq=freq, n_jobs=1) for m in MODELS}
        sf = peer(train, key, freq, horizon)
        if sf is not None:
            fcs[f"StatsForecast AutoETS (season {SEASON[freq]})"] = sf
        for model, fc in fcs.items():
            j = test.merge(fc, on=[key, "ds"], how="left")
            if j.yhat.isna().any():
                raise SystemExit(f"{label}, {model}: forecast dates do not match the held-out periods")
            rows.append({"data": label, "model": model, "pooled WAPE %": 100 * metrics.wape(j.y, j.yhat),
                         "bias %": 100 * metrics.bias(j.y, j.yhat),
                         "P10-P90 coverage %": 100 * metrics.coverage(j.y, j.yhat_q10, j.yhat_q90)})
    print(pd.DataFrame(rows).set_index(["data", "model"]).round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
