"""Coverage of the bands of event-window totals, per series and per level (no ../shared data needed).

A planner reads each series' and each level's total over an event window with its P10..P90
(the selection table 选品, the level tables). This backtests ``planning.event_forecast`` (history
ending ``--lead`` days before each window; a window after the data is the live plan, scored on
the generator's truth when a panel has one) and scores, per panel, level and window, the share
of window totals inside P10..P90 (target 80%), the shares below P10 and above P90, and the mean
band width over the point total, for these bands:

* ``window``: the window total's own band (``workbench.forecast.window_band``: refits' joint
  errors of sums, a level's series' refits summed, a negative binomial of a small count's sum,
  or independent days), what the tables show;
* ``summed``: the sum of the days' quantiles, what the tables showed before;
* ``direct`` (levels): the band of the level's own direct forecast's refits, the alternative to
  its series' refits summed per refit (``planning.summed_level_bands``, the tables' band).

Panels: the embedded sample's food and beauty SKUs per region (98 series; levels category,
region, national) on 618 2024-2026, Double 11 2024-2025 and the New Year sale 2025-2026; and,
with ``--trial DIR`` (a folder holding ``daily_gbk.csv`` and the generator's ``truth_daily.csv``
of the trial-4 user panel: 40 SKUs in 5 categories, launches, stops, slow movers), its 年货节 /
New Year sale 2025-2026, 618 2025-2026 and Double 11 2025 backtests and the live 年货节 2027
window; with ``--trial5 DIR`` (``销量.csv`` and ``truth.parquet`` of the trial-5 shop: 30 SKUs in 3
categories, launches, a steady grower, slow movers, stops) the same windows and the live 618 2027;
with ``--trial6 DIR`` (``weekly_sales.csv`` and ``truth_weekly.csv`` of the trial-6 planner: 25 SKUs
in 5 categories, weekly, summed over their regions) trial 4's windows, live 年货节 2027 included,
at ``--freq W`` only (its data are weeks); with ``--trial7 DIR`` (``daily_sku_category.csv`` and
``truth.csv`` of the trial-7 shop: 61 SKUs in 5 categories, 13.5 months old at its cut-off
2026-11-29, opening ramp, stops, launches) 618 and Double 11 2026 and the live 年货节 and 618 2027
(its older windows have no history before their cut-offs).
With ``--young SEEDS`` (e.g. ``0,1``), the seeded young shops of ``benchmarks/young_shops.py``
(``produce``, ``baby`` and ``snack``: a snack and tea shop opened 2025-08-01, as trial 17's,
launches 60-200 days old at its cut-off) with their ``YOUNG_WINDOWS``, the live ones scored on the
generator's truth; the series are also split by their age at the cut-off (``young``: first sale
under a year before it, ``YOUNG_DAYS``) in a last table, by the rule that gave their band.

``--freq W`` or ``MS`` sums the daily panels (and truths) to whole weeks (from Monday) or months
and plans at that frequency: each window total and its band are then shares of the periods the
window touches (``data.validate.window_share``).

    .venv/bin/python benchmarks/window_band_coverage.py [--trial /work/trial4/scratch]
        [--trial5 /work/trial5/scratch] [--trial6 /work/trial6/scratch] [--trial7 /work/trial7/scratch]
        [--young 0,1] [--freq D|W|MS] [--lead 90]
        [--model auto] [--no-sample]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.sample import load_sample
from workbench.data.validate import prepare_long_frame
from workbench.errors import ParameterError
from workbench.forecast import planning
from workbench.forecast.core import coarser_levels

sys.path.insert(0, str(Path(__file__).parent))
from periods import to_periods  # noqa: E402
from young_shops import shop  # noqa: E402

SAMPLE_WINDOWS = (("618", 2024), ("618", 2025), ("618", 2026), ("double11", 2024), ("double11", 2025),
                  ("new_year_sale", 2025), ("new_year_sale", 2026))
TRIAL_WINDOWS = (("new_year_sale", 2025), ("new_year_sale", 2026), ("618", 2025), ("618", 2026),
                 ("double11", 2025), ("new_year_sale", None))
TRIAL5_WINDOWS = TRIAL_WINDOWS + (("618", 2027),)
TRIAL7_WINDOWS = (("618", 2026), ("double11", 2026), ("new_year_sale", None), ("618", 2027))
SAMPLE_CATEGORIES = ("food", "beauty")
YOUNG_WINDOWS = {"produce": (("618", 2026), ("double11", 2026), ("new_year_sale", None), ("618", 2027)),
                 "baby": (("618", 2026), ("double11", None), ("new_year_sale", None), ("618", 2027)),
                 "snack": (("618", 2026), ("double11", 2026), ("new_year_sale", None), ("618", 2027))}
YOUNG_DAYS = 365  # a series whose first sale is fewer days than this before the cut-off is young


def sample_panel() -> tuple[pd.DataFrame, list[str]]:
    sku = load_sample("sku")
    sku = sku[sku.category.isin(SAMPLE_CATEGORIES)][["ds", "category", "region", "sku", "units"]]
    frame, _ = prepare_long_frame(sku, date_col="ds", target_col="units", keys=["category", "region", "sku"])
    return frame, ["category", "region", "sku"]


def trial_panel(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    raw = pd.read_csv(folder / "daily_gbk.csv", encoding="gbk", dtype={"商品编码": str})
    frame, _ = prepare_long_frame(raw, date_col="日期", target_col="销量", keys=["类目", "商品编码"])
    truth = pd.read_csv(folder / "truth_daily.csv", dtype={"sku": str}, parse_dates=["ds"])
    truth = truth.rename(columns={"sku": "商品编码", "cat": "类目"})[["类目", "商品编码", "ds", "y"]]
    return frame, ["类目", "商品编码"], truth


def trial5_panel(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    raw = pd.read_csv(folder / "销量.csv", encoding="gbk", dtype={"商品ID": str})
    frame, _ = prepare_long_frame(raw, date_col="日期", target_col="销量", keys=["类目", "商品ID"])
    truth = pd.read_parquet(folder / "truth.parquet", columns=["ds", "sku", "category", "net_units"])
    truth = truth.groupby(["category", "sku", "ds"], as_index=False)["net_units"].sum().rename(
        columns={"category": "类目", "sku": "商品ID", "net_units": "y"})
    truth["商品ID"] = truth["商品ID"].astype(str)
    return frame, ["类目", "商品ID"], truth


def trial6_panel(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    raw = pd.read_csv(folder / "weekly_sales.csv", parse_dates=["ds"])
    raw = raw.groupby(["ds", "category", "sku"], as_index=False)["units"].sum()
    frame, _ = prepare_long_frame(raw, date_col="ds", target_col="units", keys=["category", "sku"], freq="W")
    truth = pd.read_csv(folder / "truth_weekly.csv", parse_dates=["ds"])
    truth = truth.groupby(["category", "sku", "ds"], as_index=False)["units"].sum().rename(columns={"units": "y"})
    return frame, ["category", "sku"], truth


def trial7_panel(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    raw = pd.read_csv(folder / "daily_sku_category.csv", parse_dates=["ds"])
    frame, _ = prepare_long_frame(raw, date_col="ds", target_col="units", keys=["category", "sku"])
    truth = pd.read_csv(folder / "truth.csv", parse_dates=["ds"]).rename(columns={"units": "y"})
    return frame, ["category", "sku"], truth[["category", "sku", "ds", "y"]]


def young_panel(name: str, seed: int) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Young shop ``name`` of ``benchmarks/young_shops.py`` (seeded): its history, keys and truth."""
    history, future = shop(name, seed)
    keys = ["category", "region", "sku"]
    frame, _ = prepare_long_frame(history, date_col="ds", target_col="y", keys=keys)
    return frame, keys, future[[*keys, "ds", "y"]]


def ages(frame: pd.DataFrame, keys: list[str], cutoff: pd.Timestamp) -> dict[tuple, int]:
    """Each series' age at ``cutoff``: days from its first sale to it (keys as a tuple)."""
    sold = frame[(frame["ds"] <= cutoff) & (frame["y"] > 0)]
    first = sold.groupby(keys)["ds"].min()
    return {(k if isinstance(k, tuple) else (k,)): int((cutoff - d).days) for k, d in first.items()}


def window_rows(result: planning.EventForecast, truth: pd.DataFrame | None, age: dict[tuple, int]) -> list[dict]:
    """Per level (series, each coarser key, national) and key: actual, point and both bands;
    a series' row also its ``age`` at the cut-off (days since its first sale, ``ages``)."""
    window, keys, fc = result.window, result.keys, result.forecast
    if truth is not None:  # the live plan: scored on the generator's truth
        fc = fc.drop(columns="y", errors="ignore").merge(truth, on=[*keys, "ds"], how="left")
    table = planning.level_totals(result)
    rows = []
    levels = [("series", keys)] + [(k, [k]) for k in coarser_levels(fc, keys)] + [("national", [])]
    for level, by in levels:
        if level == "series":
            ours, summed = result.totals, planning.window_totals(fc, window, keys, result.freq)
        else:
            ours = table[table.level == (by[0] if by else "national")].rename(columns={"key": by[0]} if by else {})
            summed = planning.window_totals(planning.level_daily(result, by), window, by, result.freq)
        actual = planning.window_totals(planning.aggregate(fc, by), window, by, result.freq)
        cols = ["yhat_q10", "yhat_q90"]
        if by:
            merged = ours[[*by, "yhat", *cols, "window_band"]].merge(
                summed[[*by, *cols]], on=by, suffixes=("", "_summed")).merge(actual[[*by, "actual"]], on=by)
        else:
            merged = pd.concat([ours[["yhat", *cols, "window_band"]].reset_index(drop=True),
                                summed[cols].add_suffix("_summed").reset_index(drop=True),
                                actual[["actual"]].reset_index(drop=True)], axis=1)
        direct = None if level == "series" else (result.direct_levels.get(by[0]) if by else result.direct_total)
        if direct is not None and "window_bands" in direct.attrs:  # the level's own direct forecast's band
            direct = planning.with_window_band(merged[[*by, "yhat", *cols]], pd.DataFrame(direct.attrs["window_bands"]),
                                               by)
            merged[["direct_lo", "direct_hi"]] = direct[cols].to_numpy()
        for _, r in merged.iterrows():
            rows.append({"level": level, "key": ",".join(str(r[k]) for k in by) or "all", "actual": r.actual,
                         "yhat": r.yhat, "window_lo": r.yhat_q10, "window_hi": r.yhat_q90, "rule": r.window_band,
                         "summed_lo": r.yhat_q10_summed, "summed_hi": r.yhat_q90_summed,
                         "direct_lo": r.get("direct_lo", np.nan), "direct_hi": r.get("direct_hi", np.nan),
                         "age": age.get(tuple(r[k] for k in by), np.nan) if level == "series" else np.nan})
    return rows


def score(rows: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for band in ("window", "summed", "direct"):
        lo, hi = rows[f"{band}_lo"], rows[f"{band}_hi"]
        if band == "direct" and lo.isna().all():  # series rows: none
            continue
        out[f"{band}_cov"] = ((rows.actual >= lo) & (rows.actual <= hi)).mean() * 100
        out[f"{band}_below"] = (rows.actual < lo).mean() * 100
        out[f"{band}_above"] = (rows.actual > hi).mean() * 100
        out[f"{band}_width"] = ((hi - lo) / rows.yhat.where(rows.yhat > 0)).median() * 100
    out["n"] = len(rows)
    return pd.Series(out)


def run(name: str, frame: pd.DataFrame, keys: list[str], windows, lead: int, truth=None, freq: str = "D",
        source_freq: str = "D", model: str = "auto") -> pd.DataFrame:
    """Backtest and score ``windows`` of one panel at ``freq`` (``frame`` and ``truth`` are at
    ``source_freq`` and summed to ``freq`` here)."""
    if freq != source_freq:
        frame = to_periods(frame, keys, freq)
        truth = None if truth is None else to_periods(truth, keys, freq)
    rows = []
    for event, year in windows:
        t0 = time.perf_counter()
        try:
            result = planning.event_forecast(frame, event=event, year=year, lead=lead, keys=keys, n_jobs=1,
                                             freq=freq, model=model)
        except ParameterError as exc:  # e.g. too little history at this frequency
            print(f"{name} {event} {year}: skipped ({exc})", file=sys.stderr)
            continue
        live = result.is_next_event
        if live and truth is None:
            continue
        for row in window_rows(result, truth if live else None, ages(frame, keys, result.cutoff)):
            rows.append({"panel": name, "window": f"{event} {result.window.year}" + (" (live)" if live else ""),
                         **row})
        print(f"{name} {event} {result.window.year}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trial", type=Path, default=None, help="folder with daily_gbk.csv and truth_daily.csv")
    parser.add_argument("--trial5", type=Path, default=None,
                        help="folder with 销量.csv and truth.parquet (trial 5's shop: 30 SKUs in 3 categories)")
    parser.add_argument("--trial6", type=Path, default=None,
                        help="folder with weekly_sales.csv and truth_weekly.csv (trial 6: weekly; --freq W only)")
    parser.add_argument("--trial7", type=Path, default=None,
                        help="folder with daily_sku_category.csv and truth.csv (trial 7's young shop: 61 SKUs)")
    parser.add_argument("--freq", choices=("D", "W", "MS"), default="D")
    parser.add_argument("--lead", type=int, default=90)
    parser.add_argument("--model", default="auto", help="the model of every series and level (default auto)")
    parser.add_argument("--young", default=None,
                        help="seeds (e.g. 0,1) of the young shops of benchmarks/young_shops.py to add")
    parser.add_argument("--rows", type=Path, default=None, help="write every scored total to this CSV")
    parser.add_argument("--no-sample", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    parts = []
    if not args.no_sample:
        frame, keys = sample_panel()
        parts.append(run("sample", frame, keys, SAMPLE_WINDOWS, args.lead, freq=args.freq, model=args.model))
    if args.trial is not None:
        frame, keys, truth = trial_panel(args.trial)
        parts.append(run("trial", frame, keys, TRIAL_WINDOWS, args.lead, truth, args.freq, model=args.model))
    if args.trial5 is not None:
        frame, keys, truth = trial5_panel(args.trial5)
        parts.append(run("trial5", frame, keys, TRIAL5_WINDOWS, args.lead, truth, args.freq, model=args.model))
    if args.trial7 is not None:
        frame, keys, truth = trial7_panel(args.trial7)
        parts.append(run("trial7", frame, keys, TRIAL7_WINDOWS, args.lead, truth, args.freq, model=args.model))
    for seed in [] if args.young is None else [int(v) for v in args.young.split(",")]:
        for name, windows in YOUNG_WINDOWS.items():
            frame, keys, truth = young_panel(name, seed)
            parts.append(run(f"{name}{seed}", frame, keys, windows, args.lead, truth, args.freq, model=args.model))
    if args.trial6 is not None and args.freq == "W":
        frame, keys, truth = trial6_panel(args.trial6)
        parts.append(run("trial6", frame, keys, TRIAL_WINDOWS, args.lead, truth, "W", "W", args.model))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows.actual.notna()]
    if args.rows is not None:
        rows.to_csv(args.rows, index=False)
    pd.set_option("display.width", 220)
    print(f"== P10-P90 coverage of window totals, model {args.model}, freq {args.freq}, lead {args.lead} days (percent; width = median (P90 - P10) / "
          f"point) ==")
    print(rows.groupby(["panel", "level", "window"], sort=False).apply(score).round(1).to_string())
    print("\n== over the windows ==")
    print(rows.groupby(["panel", "level"], sort=False).apply(score).round(1).to_string())
    print("\n== series by the rule that gave their band ==")
    print(rows[rows.level == "series"].groupby(["panel", "rule"], sort=False).apply(score).round(1).to_string())
    series = rows[rows.level == "series"].assign(age=lambda r: np.where(r.age < YOUNG_DAYS, "young", "mature"))
    print("\n== series by age at the cut-off and rule, all panels ==")
    print(series.groupby(["age", "rule"]).apply(score).round(1).to_string())
    print(series.groupby(["age"]).apply(score).round(1).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
