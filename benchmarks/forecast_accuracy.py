"""Event-window accuracy on real e-commerce parcel volumes (../shared/data, evaluation only).

Backtests every model of the workbench, and StatsForecast's AutoETS and MSTL (seasons 7 and 365)
as peers, on ``daily_total.csv`` and on the 20 largest origins of ``daily_by_origin.csv`` (a
missing day is zero parcels), with training ending 90 days before each window: Spring Festival
2022, 618 2022 and Double 11 2022. Prints, per data set, model and window: pooled WAPE
(sum |error| / sum actual over every series and day), median series WAPE, bias (pooled, and the
mean and spread of the per-series bias), P10-P90 coverage (target 80%) and the scaled pinball
loss (mean pinball loss of P10/P50/P90 over the in-sample seasonal-naive MAE; over several
series, summed losses over summed scales, so that a series with a near-zero history scale cannot
dominate, as pooled WAPE weighs series by volume). ``--by-series`` adds, for the origins, each
series' coverage and P50 mean log error per window (``series_table``).

The peers run in a separate venv that this script creates on first use (``--peer-venv``,
default /tmp/wb-peers-venv; StatsForecast pins library versions of its own and is never a
project dependency). Peer forecasts are cached under /tmp by a hash of their input, so reruns
only fit the workbench's models.

    .venv/bin/python benchmarks/forecast_accuracy.py [--models auto,ets,...] [--no-peers] [--csv OUT] [--by-series]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.validate import prepare_long_frame
from workbench.forecast import metrics
from workbench.forecast.backtest import backtest_windows

# name -> (registry model, parameters; "pool_events" goes to the core): the workbench's models
# and the peers' usual set-ups
VARIANTS = {
    "auto": ("auto", {}),
    "auto without pooling": ("auto", {"pool_events": False}),
    "seasonal_naive": ("seasonal_naive", {}),
    "event_naive": ("event_naive", {}),
    "prophet (event windows)": ("prophet", {}),
    "prophet plain": ("prophet", {"events": False, "seasonality_mode": "additive"}),
    "prophet + CN holidays": ("prophet", {"events": False, "country_holidays": True,
                                          "seasonality_mode": "additive"}),
    "ets": ("ets", {}),
    "recent_level": ("recent_level", {}),
}
PEERS = ("StatsForecast AutoETS", "StatsForecast MSTL (7, 365)")
STATSFORECAST = "statsforecast==2.1.1"
# ../shared beside the repository (WORKBENCH_SHARED overrides, e.g. for a git worktree elsewhere)
SHARED = Path(os.environ.get("WORKBENCH_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
DATA = SHARED / "data" / "ecom_parcels_2021_2022"
WINDOWS = {
    "Spring Festival 2022": ("2022-01-01", "2022-02-28"),
    "618 2022": ("2022-05-20", "2022-06-20"),
    "Double 11 2022": ("2022-10-20", "2022-11-15"),
}
QUANTILES = (0.1, 0.5, 0.9)
QCOLS = {0.1: "yhat_q10", 0.5: "yhat_q50", 0.9: "yhat_q90"}


def load_total() -> pd.DataFrame:
    frame, _ = prepare_long_frame(pd.read_csv(DATA / "daily_total.csv"), date_col="date", target_col="volume")
    return frame


def evaluation_frames() -> dict[str, tuple[pd.DataFrame, list[str]]] | None:
    """``{"daily_total": (frame, []), "20 origins": (frame, ["origin"])}``, or None (said on
    stdout) when the evaluation data is not beside the repository. Warnings are silenced: the
    models' notes would bury the tables."""
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}; nothing to measure")
        return None
    warnings.simplefilter("ignore")
    return {"daily_total": (load_total(), []), "20 origins": (load_origins(), ["origin"])}


def load_origins(n: int = 20) -> pd.DataFrame:
    raw = pd.read_csv(DATA / "daily_by_origin.csv")
    top = raw.groupby("origin")["volume"].sum().nlargest(n).index
    raw = raw[raw.origin.isin(top)]
    # a missing day is zero parcels: complete every origin over the whole two years
    grid = pd.MultiIndex.from_product([top, pd.date_range("2021-01-01", "2022-12-31").strftime("%Y-%m-%d")],
                                      names=["origin", "date"])
    raw = raw.set_index(["origin", "date"]).reindex(grid, fill_value=0).reset_index()
    frame, _ = prepare_long_frame(raw, date_col="date", target_col="volume", keys=["origin"])
    return frame


def score(forecasts: pd.DataFrame, frame: pd.DataFrame, keys: list[str], lead: int) -> pd.DataFrame:
    """One row per window from ``forecasts`` ``[window, keys..., ds, y, yhat, yhat_q10/50/90]``."""
    rows = []
    for window in [w for w in WINDOWS if w in set(forecasts.window)]:
        part = forecasts[forecasts.window == window]
        cutoff = pd.Timestamp(WINDOWS[window][0]) - pd.Timedelta(days=lead)
        train = frame[frame.ds <= cutoff]
        per = []
        for key, s in (part.groupby(keys) if keys else [((), part)]):
            ty = (train[(train[keys] == pd.Series(dict(zip(keys, key if isinstance(key, tuple) else (key,))))).all(axis=1)]
                  if keys else train)["y"].to_numpy()
            y = s.y.to_numpy()
            per.append({"wape": metrics.wape(y, s.yhat), "bias": metrics.bias(y, s.yhat),
                        "pinball": np.mean([metrics.pinball(y, s[c], q) for q, c in QCOLS.items()]),
                        "scale": metrics.seasonal_naive_mae(ty)})
        per = pd.DataFrame(per)
        y, yhat = part.y.to_numpy(), part.yhat.to_numpy()
        rows.append({"window": window, "pooled_wape": metrics.wape(y, yhat), "median_wape": per.wape.median(),
                     "bias": metrics.bias(y, yhat), "mean_bias": per.bias.mean(), "bias_sd": per.bias.std(),
                     "coverage": metrics.coverage(y, part.yhat_q10, part.yhat_q90),
                     "scaled_pinball": per.pinball.sum() / per.scale.sum(), "worst_wape": per.wape.max(),
                     "series": len(per)})
    return pd.DataFrame(rows)


def peer_forecasts(frames: dict[str, tuple[pd.DataFrame, list[str]]], lead: int, venv: Path) -> pd.DataFrame:
    """StatsForecast forecasts ``[data, window, model, keys..., ds, yhat, q...]`` (cached in /tmp)."""
    rows = []
    for label, (frame, keys) in frames.items():
        for window, (start, end) in WINDOWS.items():
            start, end = pd.Timestamp(start), pd.Timestamp(end)
            cutoff = start - pd.Timedelta(days=lead)
            train = frame[frame.ds <= cutoff].copy()
            train["unique_id"] = (f"{label}|{window}|" + train[keys].astype(str).agg("|".join, axis=1)
                                  if keys else f"{label}|{window}|")
            train["horizon"] = (end - cutoff).days
            rows.append(train[["unique_id", "ds", "y", "horizon"]])
    src = pd.concat(rows, ignore_index=True)
    digest = hashlib.sha256(pd.util.hash_pandas_object(src, index=False).to_numpy().tobytes()
                            + STATSFORECAST.encode()).hexdigest()[:16]
    cache = Path(f"/tmp/wb-forecast-peers-{digest}.csv")
    if not cache.exists():
        python = venv / "bin" / "python"
        if not python.exists():
            print(f"creating the peer venv {venv} ({STATSFORECAST})", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", STATSFORECAST], check=True)
        inp = cache.with_suffix(".in.csv")
        src.to_csv(inp, index=False)
        t0 = time.perf_counter()
        subprocess.run([str(python), str(Path(__file__).with_name("statsforecast_peers.py")), str(inp),
                        str(cache)], check=True)
        print(f"StatsForecast peers: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    out = pd.read_csv(cache, parse_dates=["ds"])
    parts = out.unique_id.str.split("|", n=2, expand=True)
    out["data"], out["window"], out["key"] = parts[0], parts[1], parts[2]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    parser.add_argument("--lead", type=int, default=90)
    parser.add_argument("--no-peers", action="store_true", help="skip the StatsForecast peers")
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/wb-peers-venv"))
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV")
    parser.add_argument("--conformal-windows", type=int, default=0,
                        help="rolling-origin refits with which the core calibrates the bands of models "
                             "that do not calibrate themselves (ForecastRequest.conformal_windows)")
    parser.add_argument("--by-series", action="store_true",
                        help="also print each keyed series' P10-P90 coverage and P50 mean log error per window")
    args = parser.parse_args(argv)
    frames = evaluation_frames()
    if frames is None:
        return 0
    tables, by_series = [], []
    for model in [m for m in args.models.split(",") if m]:
        t0 = time.perf_counter()
        name, params = VARIANTS[model]
        params = dict(params)
        pool = params.pop("pool_events", True)
        for label, (frame, keys) in frames.items():
            result = backtest_windows(frame, model=name, windows=WINDOWS, lead=args.lead, keys=keys,
                                      model_params=params, pool_events=pool,
                                      conformal_windows=args.conformal_windows)
            scored = score(result.forecasts, frame, keys, args.lead)
            n_series = frame.groupby(keys).ngroups if keys else 1
            if (scored.series < n_series).any():  # a failed series must not improve the score
                raise SystemExit(f"{model} on {label}: {n_series - scored.series.min()} series missing from the forecast (failed)")
            tables.append(scored.assign(model=model, data=label))
            if args.by_series and keys:
                by_series.append(series_table(result.forecasts, keys).assign(model=model, data=label))
        print(f"{model}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not args.no_peers:
        peers = peer_forecasts(frames, args.lead, args.peer_venv)
        for label, (frame, keys) in frames.items():
            for peer in PEERS:
                fc = peers[(peers.data == label) & (peers.model == peer)].copy()
                if keys:
                    fc[keys[0]] = fc.key.astype(frame[keys[0]].dtype)
                fc = fc.merge(frame, on=[*keys, "ds"], how="inner")
                fc = fc[[pd.Timestamp(WINDOWS[w][0]) <= d <= pd.Timestamp(WINDOWS[w][1])
                         for w, d in zip(fc.window, fc.ds)]]
                for c in ("yhat", *QCOLS.values()):
                    fc[c] = fc[c].clip(lower=0)
                tables.append(score(fc, frame, keys, args.lead).assign(model=peer, data=label))
    table = pd.concat(tables, ignore_index=True)
    if args.csv:
        table.to_csv(args.csv, index=False)
    pct = ["pooled_wape", "median_wape", "bias", "mean_bias", "bias_sd", "coverage", "worst_wape"]
    shown = table.copy()
    shown[pct] = (shown[pct] * 100).round(1)
    shown["scaled_pinball"] = shown.scaled_pinball.round(3)
    pd.set_option("display.width", 250)
    for label in frames:
        print(f"\n== {label} (percent; scaled pinball unit-free, lower is better) ==")
        part = shown[shown.data == label].set_index(["model", "window"])
        cols = (["pooled_wape", "bias", "coverage", "scaled_pinball"] if label == "daily_total" else
                ["pooled_wape", "median_wape", "worst_wape", "bias", "mean_bias", "bias_sd", "coverage",
                 "scaled_pinball"])
        print(part[cols].to_string())
    for part in by_series:
        print(f"\n== {part.data.iloc[0]}, {part.model.iloc[0]}, by series (coverage %, the P50's mean log error) ==")
        print(part.drop(columns=["data", "model"]).round(2).to_string())
    return 0


def series_table(forecasts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per series (rows) and window (columns): the P10-P90 coverage (percent) and the P50's mean
    log error ``log1p(y) - log1p(P50)`` over the window's days (one log point is a factor of
    2.7: a launch, a stop or a ramp the level missed, not a band too narrow)."""
    fc = forecasts.assign(coverage=100.0 * ((forecasts.y >= forecasts.yhat_q10) & (forecasts.y <= forecasts.yhat_q90)),
                          log_error=np.log1p(forecasts.y) - np.log1p(forecasts.yhat_q50))
    return fc.groupby([keys[0], "window"])[["coverage", "log_error"]].mean().unstack("window")


if __name__ == "__main__":
    sys.exit(main())
