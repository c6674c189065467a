"""StatsForecast peers for benchmarks/forecast_accuracy.py, run inside the separate venv that
script creates (StatsForecast pins its own library versions; it is never a project dependency).

Reads a CSV of ``unique_id, ds, y, cutoff_label, horizon`` rows (one training history per
``unique_id``), fits AutoETS (season 7) and MSTL (seasons 7 and 365, AutoETS on the remainder)
and writes ``model, unique_id, ds, yhat, yhat_q10, yhat_q50, yhat_q90`` (the 80% prediction
interval gives P10 and P90; the point forecast is the median of these Gaussian models).

    python statsforecast_peers.py IN.csv OUT.csv
    python statsforecast_peers.py --time IN.csv HORIZON    # seconds per series of SPEED_CONFIGS
    python statsforecast_peers.py --ets IN.csv OUT.csv FREQ SEASON HORIZON   # non-daily AutoETS
    python statsforecast_peers.py --intermittent IN.csv OUT.csv FREQ HORIZON  # CrostonSBA, TSB
"""

import sys
import time

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, TSB, AutoETS, CrostonSBA


def main(src: str, dst: str) -> int:
    data = pd.read_csv(src, parse_dates=["ds"])
    outs = []
    for horizon, part in data.groupby("horizon"):
        train = part[["unique_id", "ds", "y"]]
        models = {"StatsForecast AutoETS": AutoETS(season_length=7),
                  "StatsForecast MSTL (7, 365)": MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"))}
        for label, model in models.items():
            t0 = time.perf_counter()
            sf = StatsForecast(models=[model], freq="D", n_jobs=1, fallback_model=AutoETS(season_length=7))
            fc = sf.forecast(df=train, h=int(horizon), level=[80]).reset_index(drop="unique_id" in train.columns)
            col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
            outs.append(pd.DataFrame({"model": label, "unique_id": fc["unique_id"], "ds": fc["ds"],
                                      "yhat": fc[col], "yhat_q10": fc[f"{col}-lo-80"],
                                      "yhat_q50": fc[col], "yhat_q90": fc[f"{col}-hi-80"],
                                      "seconds": time.perf_counter() - t0}))
    pd.concat(outs).to_csv(dst, index=False)
    return 0


SPEED_CONFIGS = {  # label -> (models, n_jobs): the set-ups of forecast_accuracy.py, on one core and on all
    "AutoETS (7), one core": (lambda: [AutoETS(season_length=7)], 1),
    "AutoETS (7), all cores": (lambda: [AutoETS(season_length=7)], -1),
    "MSTL (7, 365), one core": (lambda: [MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"))], 1),
}


def time_configs(src: str, horizon: str) -> int:
    """Prints ``label<TAB>seconds per series`` for each of ``SPEED_CONFIGS`` (80% interval), each
    after a one-series warm-up (compiled code and imports are paid once by a long-running service)."""
    data = pd.read_csv(src, parse_dates=["ds"])
    first = data[data.unique_id == data.unique_id.iloc[0]]
    for label, (models, n_jobs) in SPEED_CONFIGS.items():
        StatsForecast(models=models(), freq="D", n_jobs=1).forecast(df=first, h=int(horizon), level=[80])
        t0 = time.perf_counter()
        StatsForecast(models=models(), freq="D", n_jobs=n_jobs).forecast(df=data, h=int(horizon), level=[80])
        print(f"{label}\t{(time.perf_counter() - t0) / data.unique_id.nunique()}")
    return 0


def non_daily(src: str, dst: str, freq: str, season: str, horizon: str) -> int:
    """AutoETS with the given season on ``unique_id, ds, y`` at ``freq`` (W-..., MS, QS)."""
    data = pd.read_csv(src, parse_dates=["ds"])
    model = AutoETS(season_length=int(season))
    sf = StatsForecast(models=[model], freq=freq, n_jobs=1, fallback_model=AutoETS(season_length=1))
    fc = sf.forecast(df=data, h=int(horizon), level=[80]).reset_index(drop="unique_id" in data.columns)
    pd.DataFrame({"unique_id": fc["unique_id"], "ds": fc["ds"], "yhat": fc["AutoETS"],
                  "yhat_q10": fc["AutoETS-lo-80"], "yhat_q90": fc["AutoETS-hi-80"]}).to_csv(dst, index=False)
    return 0


def intermittent(src: str, dst: str, freq: str, horizon: str) -> int:
    """CrostonSBA and TSB (smoothing 0.1 of size and probability) on ``unique_id, ds, y``: point
    forecasts only (neither gives quantiles), long format with a ``model`` column."""
    data = pd.read_csv(src, parse_dates=["ds"])
    sf = StatsForecast(models=[CrostonSBA(), TSB(alpha_d=0.1, alpha_p=0.1)], freq=freq, n_jobs=1)
    fc = sf.forecast(df=data, h=int(horizon)).reset_index(drop="unique_id" in data.columns)
    out = [pd.DataFrame({"unique_id": fc["unique_id"], "ds": fc["ds"], "model": f"StatsForecast {name}",
                         "yhat": fc[column]}) for name, column in (("CrostonSBA", "CrostonSBA"), ("TSB (0.1, 0.1)", "TSB"))]
    pd.concat(out).to_csv(dst, index=False)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--intermittent":
        sys.exit(intermittent(*sys.argv[2:6]))
    if sys.argv[1] == "--ets":
        sys.exit(non_daily(*sys.argv[2:7]))
    if sys.argv[1] == "--time":
        sys.exit(time_configs(*sys.argv[2:4]))
    sys.exit(main(*sys.argv[1:3]))
