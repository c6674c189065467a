"""The New Year sale (年货节) and Spring Festival in weekly and monthly forecasts: ``auto``
(``ets``) with its moving-holiday effects (``workbench.forecast.models.lunar``) against the same
model without them (``lunar=False``: the season repeats last year's solar weeks and months).

Data sets:
- a seeded panel from the embedded sample's generator (daily sales with the New Year sale and
  the Spring Festival collapse on their lunar dates), 2019-2025, 42 category-region series
  summed to week starts (Mondays) and months; origins on the first Monday of December (and on
  December 1) before Spring Festival 2023, 2024 and 2025, 17 weeks or 4 months ahead; once with
  every series' whole history and once with half the series cut to their last 60 weeks or
  14 months (one festival seen: they cannot estimate their own effects and borrow the panel's);
- the parcel network (../shared/data, evaluation only): its total and 20 largest origins
  summed to week starts and months, origins 2021-12-06 / 2021-12-01 (13 weeks, 3 months, over
  Spring Festival 2022), against StatsForecast AutoETS (the peer venv of
  benchmarks/forecast_accuracy.py; skipped when absent) and the daily ``auto`` summed to the
  same weeks and months.

Periods scored: all, the peak ones (at least half their days in the New Year sale window) and
the collapse ones (at least half in the Spring Festival window). Prints pooled WAPE, bias and
P10-P90 coverage (%).

    WORKBENCH_SHARED=/work/shared .venv/bin/python benchmarks/forecast_lunar.py [--only seeded|parcels]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.data.sample import generate_sales
from workbench.data.validate import SEASON_LENGTH
from workbench.forecast import metrics
from workbench.forecast.core import forecast
from workbench.forecast.models.lunar import lunar_regressors

sys.path.insert(0, str(Path(__file__).parent))
from forecast_accuracy import DATA, load_origins, load_total  # noqa: E402
from forecast_nondaily import PEER_VENV  # noqa: E402
from periods import to_periods  # noqa: E402

RULE = {"W": "W-MON", "MS": "MS"}  # weeks labelled by their first day (a Monday), as months are
HORIZON = {"W": 17, "MS": 4}
YOUNG = {"W": 60, "MS": 14}  # periods a young series keeps: one festival


def first_origin(freq: str, year: int) -> pd.Timestamp:
    """December 1 of ``year``, or the first Monday on or after it for weeks."""
    day = pd.Timestamp(f"{year}-12-01")
    return day + pd.Timedelta(days=(-day.weekday()) % 7) if freq == "W" else day


def autoets(train: pd.DataFrame, key: str, freq: str, horizon: int) -> pd.DataFrame | None:
    """StatsForecast AutoETS (season 52 or 12) in the peer venv, or None when it is absent."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        train.rename(columns={key: "unique_id"})[["unique_id", "ds", "y"]].to_csv(src, index=False)
        subprocess.run([str(python), str(Path(__file__).with_name("statsforecast_peers.py")), "--ets", str(src),
                        str(dst), RULE[freq], str(SEASON_LENGTH[freq]), str(horizon)], check=True)
        out = pd.read_csv(dst, parse_dates=["ds"]).rename(columns={"unique_id": key})
    out[key] = out[key].astype(train[key].dtype)
    out[["yhat", "yhat_q10", "yhat_q90"]] = out[["yhat", "yhat_q10", "yhat_q90"]].clip(lower=0)
    return out


def scores(joined: pd.DataFrame, freq: str) -> dict:
    """Pooled WAPE / bias / coverage (%) of all, peak and collapse periods of ``joined``."""
    shares = lunar_regressors(pd.DatetimeIndex(joined.ds), freq, default_calendar())
    out = {}
    for kind, rows in (("all", np.ones(len(joined), bool)), ("peak", shares[:, 0] >= 0.5),
                       ("collapse", shares[:, 1:].sum(axis=1) >= 0.5)):
        s = joined[rows]
        coverage = "-" if s.yhat_q10.isna().all() else f"{100 * metrics.coverage(s.y, s.yhat_q10, s.yhat_q90):.0f}"
        out[kind] = f"{100 * metrics.wape(s.y, s.yhat):.1f} / {100 * metrics.bias(s.y, s.yhat):+.1f} / {coverage}"
    return out


def synthetic(freq: str, young: bool) -> list[dict]:
    daily = generate_sales("2019-01-07", "2025-04-30", seed=11)
    daily = (daily.assign(series=daily.category + "-" + daily.region).groupby(["series", "ds"], as_index=False)["units"]
             .sum().rename(columns={"units": "y"}))
    panel = to_periods(daily, ["series"], freq)
    cut_series = sorted(panel.series.unique())[::2] if young else []
    rows = []
    for lunar in (False, True):
        joined = []
        for year in (2022, 2023, 2024):
            origin = first_origin(freq, year)
            recent = panel.ds >= origin - pd.DateOffset(**({"weeks": YOUNG["W"]} if freq == "W" else {"months": YOUNG["MS"]}))
            train = panel[(panel.ds < origin) & (~panel.series.isin(cut_series) | recent)]
            fc = forecast(train, horizon=HORIZON[freq], model="auto", keys=["series"], freq=freq, n_jobs=1,
                          model_params={"lunar": lunar})
            joined.append(panel.merge(fc, on=["series", "ds"]))
        joined = pd.concat(joined)
        groups = [("young", joined.series.isin(cut_series)), ("established", ~joined.series.isin(cut_series))] \
            if young else [("all", np.ones(len(joined), bool))]
        for label, rows_of in groups:
            rows.append({"data": f"seeded 42, {freq}" + (", half young" if young else ""), "series": label,
                         "model": "auto" if lunar else "auto, lunar=False", **scores(joined[rows_of], freq)})
    return rows


def parcels(freq: str) -> list[dict]:
    origin = first_origin(freq, 2021)
    horizon = {"W": 13, "MS": 3}[freq]
    rows = []
    for label, daily, key in (("parcel total", load_total().assign(series="total"), "series"),
                              ("parcel 20 origins", load_origins(), "origin")):
        panel = to_periods(daily, [key], freq)
        train = panel[panel.ds < origin]
        results = {}
        for name, params in (("auto, lunar=False", {"lunar": False}), ("auto", {})):
            results[name] = forecast(train, horizon=horizon, model="auto", keys=[key], freq=freq, n_jobs=1,
                                     model_params=params)
        day_train = daily[daily.ds < origin]
        end = panel[panel.ds >= origin].ds.drop_duplicates().sort_values().iloc[horizon - 1]
        days = (end - origin).days + (7 if freq == "W" else pd.Timestamp(end).days_in_month)
        day_fc = forecast(day_train, horizon=days, model="auto", keys=[key], freq="D", n_jobs=1)
        summed = to_periods(day_fc, [key], freq, value="yhat")
        for c in ("yhat_q10", "yhat_q90"):  # a band of sums is no sum of bands: shown for the point only
            summed[c] = np.nan
        results["daily auto, summed"] = summed
        sf = autoets(train, key, freq, horizon)
        if sf is not None:
            results["StatsForecast AutoETS"] = sf
        for name, fc in results.items():
            joined = panel.merge(fc[[key, "ds", "yhat", "yhat_q10", "yhat_q90"]], on=[key, "ds"])
            rows.append({"data": f"{label}, {freq}", "series": "all", "model": name, **scores(joined, freq)})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("seeded", "parcels"), help="one of the two data sets")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    for freq in ("W", "MS") if args.only != "parcels" else ():
        for young in (False, True):
            rows += synthetic(freq, young)
            print(pd.DataFrame(rows[-4 if young else -2:]).to_string(index=False), flush=True)
    if args.only != "seeded" and DATA.is_dir():
        for freq in ("W", "MS"):
            rows += parcels(freq)
            print(pd.DataFrame(rows[-8:]).to_string(index=False), flush=True)
    print("\npooled WAPE % / bias % / P10-P90 coverage %:")
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
