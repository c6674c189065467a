"""Coherent levels on a sparse real panel, against hierarchicalforecast (Nixtla) as the peer:
``--panel routes`` (default), the ~1,000 routes (origin -> destination flows) of the parcel
network (../shared/data, evaluation only), mostly young, intermittent or stopping, their 77
origins and the network total, on the three 2022 windows; ``--panel sample``, the embedded
sample's 294 mature SKUs, their 6 categories and the total, on its last three event windows;
``--panel FILE.csv`` a team's daily file ``ds, <bottom keys>, <middle columns>, units``
(``--bottom sku,region --middle category,region,sku``: every middle column is a level of a
grouped structure), on the last New Year sale, 618 and Double 11 windows inside it.

For each window (training ends ``--lead`` days before it), the default model forecasts every
bottom series, every middle one and the total directly (the base forecasts), with the window
given, so each forecast carries its refits' errors over spans of the window's length
(``mint_refits``' errors, ``reconcile.refit_errors``). Past errors for MinT-shrink
(``--errors origins``, the default) come from rolling-origin refits: the three levels forecast
again from cut-offs 40, 80 and 120 days before the window's cut-off, each up to it (no model
here gives in-sample fitted values), 240 error rows per series at horizons 1-120 days; with
``--errors refits`` MinT-shrink takes the base forecasts' refit span errors instead (no extra
forecasts: a quarter of the time; the peer masks the series without refits, the workbench's
mint_shrink, which needs every error, is left out). The same base forecasts, summing
matrix and errors are reconciled by the workbench (``workbench.forecast.reconcile``: bottom-up,
top-down by forecast proportions, MinT ols, wls_struct, wls_var, mint_refits and mint_shrink) and by
hierarchicalforecast 1.5.3 (BottomUp, TopDown forecast_proportions, MinTrace ols / wls_struct /
mint_shrink) in a separate venv that this script creates or extends (``--peer-venv``, default
/tmp/wb-peers-venv beside StatsForecast; never a project dependency).

Prints, per level and window: pooled WAPE, bias, P10-P90 coverage (the workbench's reconciled
quantiles; the peer reconciles the mean only here, so it has none) and the negative values each
method produced (the workbench sets them to zero and counts them; the peer's are scored as they
are), and the largest difference between the workbench's and the peer's MinT before clipping.

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/forecast_reconcile.py [--panel routes|sample]
        [--routes N (0: all)] [--no-peer] [--errors origins|refits] [--cache DIR]
    .venv/bin/python benchmarks/forecast_reconcile.py --panel FILE.csv --bottom sku,region --middle category,region,sku
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.validate import prepare_long_frame
from workbench.forecast import metrics
from workbench.forecast.core import forecast
from workbench.forecast.reconcile import (NEGATIVE_TOLERANCE, PROJECTIONS, level_totals, reconcile, refit_errors,
                                         summing_matrix)

sys.path.insert(0, str(Path(__file__).parent))
from forecast_accuracy import DATA, STATSFORECAST, WINDOWS  # noqa: E402  (same data, windows and peer venv)

HIERARCHICALFORECAST = "hierarchicalforecast==1.5.3"
ERROR_ORIGINS = (120, 80, 40)  # days before the cut-off: rolling origins for MinT-shrink's errors
METHODS = ("bottom_up", "forecast_proportions", "top_down_var", "ols", "wls_struct", "wls_var", "mint_refits",
           "mint_shrink")
PEER_METHODS = ("bottom_up", "forecast_proportions", "ols", "wls_struct", "wls_var", "mint_shrink")
SAMPLE_WINDOWS = (("new_year_sale", 2026), ("618", 2026), ("double11", 2025))


class Panel:
    """The bottom series under middle levels (one column each: a hierarchy or a grouped
    structure) and the total: ``frame`` ``[bottom keys..., middle columns..., ds, y]``, the
    windows (label -> start, end) and a label per level (``"total"``, each middle column,
    ``"bottom"``)."""

    def __init__(self, frame: pd.DataFrame, bottom: list[str], middles: list[str], windows: dict, labels: dict):
        self.frame, self.bottom, self.middles, self.windows = frame, list(bottom), list(middles), windows
        self.keys = {"total": [], **{m: [m] for m in middles}, "bottom": self.bottom}
        self.levels = list(self.keys)
        self.labels = {"total": "total", **{m: f"{frame[m].nunique()} {m}" for m in middles},
                       "bottom": f"{frame.groupby(self.bottom).ngroups:,} {' x '.join(self.bottom)}", **labels}
        self.extra = [m for m in middles if m not in self.bottom]  # middle columns carried by the bottom
        self.actual = {level: frame.groupby([*keys, "ds"], as_index=False).y.sum() for level, keys in self.keys.items()}


def route_panel(limit: int = 0) -> Panel:
    routes = load_routes(limit)
    return Panel(routes, ["route"], ["origin"], {w: tuple(map(pd.Timestamp, d)) for w, d in WINDOWS.items()},
                 {"origin": f"{routes.origin.nunique()} origins", "bottom": f"{routes.route.nunique():,} routes"})


def file_panel(path: Path, bottom: list[str], middles: list[str]) -> Panel:
    """A team's daily file (``ds``, the key columns, ``units``), on the last windows of the New
    Year sale, 618 and Double 11 that end inside it."""
    from workbench.calendar import default_calendar

    raw = pd.read_csv(path)
    frame, _ = prepare_long_frame(raw[["ds", *dict.fromkeys([*bottom, *middles]), "units"]], date_col="ds",
                                  target_col="units", keys=list(dict.fromkeys([*bottom, *middles])))
    calendar, end = default_calendar(), frame.ds.max()
    windows = {}
    for event in ("new_year_sale", "618", "double11"):
        window = max((w for w in calendar.windows(event, frame.ds.min(), end) if w.end <= end), key=lambda w: w.end)
        windows[f"{calendar.label(event)} {window.year}"] = (window.start, window.end)
    return Panel(frame, bottom, middles, windows, {})


def sample_panel() -> Panel:
    from workbench.calendar import default_calendar
    from workbench.data.sample import load_sample

    sales = load_sample("sku")
    frame = sales.rename(columns={"units": "y"})[["sku", "category", "ds", "y"]]
    calendar = default_calendar()
    windows = {f"{calendar.label(e)} {y}": (w.start, w.end) for e, y in SAMPLE_WINDOWS
               for w in [calendar.window(e, y)]}
    return Panel(frame, ["sku"], ["category"], windows,
                 {"category": f"{frame.category.nunique()} categories", "bottom": f"{frame.sku.nunique()} SKUs"})


def load_routes(limit: int = 0) -> pd.DataFrame:
    """Every route over the two years, a missing day being zero parcels; ``limit``: the largest N."""
    raw = pd.read_csv(DATA / "daily_by_route.csv.gz")
    raw["route"] = raw.origin + ">" + raw.dest
    if limit:
        raw = raw[raw.route.isin(raw.groupby("route").volume.sum().nlargest(limit).index)]
    routes = raw[["route", "origin"]].drop_duplicates().set_index("route")
    grid = pd.MultiIndex.from_product([routes.index, pd.date_range("2021-01-01", "2022-12-31").strftime("%Y-%m-%d")],
                                      names=["route", "date"])
    full = raw.groupby(["route", "date"]).volume.sum().reindex(grid, fill_value=0).reset_index()
    frame, _ = prepare_long_frame(full, date_col="date", target_col="volume", keys=["route"])
    frame["origin"] = frame.route.map(routes.origin).astype(str)
    return frame


def _direct(frame: pd.DataFrame, horizon: int, keys: list[str], window=None) -> pd.DataFrame:
    """The default model's forecast of every series (a failed series must not improve a score);
    with ``window``, its refits' span sums in ``attrs["window_spans"]`` (``mint_refits``' errors)."""
    fc = forecast(frame, horizon=horizon, keys=keys, window=window)
    failures = fc.attrs.get("failures", [])
    if failures:
        raise SystemExit(f"{len(failures)} series failed, first {failures[0].key}: {failures[0].error}")
    return fc


def base_forecasts(panel: Panel, cutoff: pd.Timestamp, horizon: int, window=None) -> dict:
    """The direct forecasts of every level from history up to ``cutoff``; with ``window``,
    ``"refits"``: each level's refit errors over spans of the window's length (``refit_errors``)."""
    train = panel.frame[panel.frame.ds <= cutoff]
    out = {level: _direct(train.groupby([*keys, "ds"], as_index=False).y.sum(), horizon, keys, window)
           for level, keys in panel.keys.items()}
    refits = {level: refit_errors(out[level].attrs["window_spans"], keys)
              for level, keys in panel.keys.items()} if window is not None else None
    for frame in out.values():
        frame.attrs.clear()  # the spans are in refits; pandas deep-copies attrs on every operation
    if panel.extra:
        columns = panel.frame[[*panel.bottom, *panel.extra]].drop_duplicates()
        out["bottom"] = out["bottom"].merge(columns, on=panel.bottom, how="left")
    if refits is not None:
        out["refits"] = refits
    return out


def past_errors(panel: Panel, cutoff: pd.Timestamp) -> dict:
    """Errors (actual - forecast) at every level from the ``ERROR_ORIGINS`` rolling origins."""
    parts = {level: [] for level in panel.levels}
    for days in ERROR_ORIGINS:
        origin = cutoff - pd.Timedelta(days=days)
        dates = pd.date_range(origin + pd.Timedelta(days=1), cutoff)
        for level, fc in base_forecasts(panel, origin, days).items():
            keys = panel.keys[level]
            # every series known at the cut-off, at every date: one launched after the origin was
            # forecast at nothing (error = its actuals), a day without a row sold nothing
            known = panel.actual[level][panel.actual[level].ds <= cutoff]
            grid = (known[keys].drop_duplicates().merge(pd.DataFrame({"ds": dates}), how="cross") if keys
                    else pd.DataFrame({"ds": dates}))
            fc = grid.merge(fc[[*keys, "ds", "yhat"]], on=[*keys, "ds"], how="left").fillna({"yhat": 0.0})
            if level == "bottom" and panel.extra:
                fc = fc.merge(panel.frame[[*panel.bottom, *panel.extra]].drop_duplicates(), on=panel.bottom)
            joined = fc.merge(panel.actual[level], on=[*keys, "ds"], how="left").fillna({"y": 0.0})
            parts[level].append(joined.assign(cutoff=origin, error=joined.y - joined.yhat)
                                [[*keys, *(panel.extra if level == "bottom" else []), "cutoff", "ds", "y", "error"]])
    return {level: pd.concat(p, ignore_index=True) for level, p in parts.items()}


def score(fc: pd.DataFrame, actual: pd.DataFrame, keys, start, end) -> dict:
    joined = fc[(fc.ds >= start) & (fc.ds <= end)].merge(actual, on=[*keys, "ds"], how="left").fillna({"y": 0.0})
    out = {"wape": metrics.wape(joined.y, joined.yhat), "bias": metrics.bias(joined.y, joined.yhat)}
    out["coverage"] = (metrics.coverage(joined.y, joined.yhat_q10, joined.yhat_q90)
                       if "yhat_q10" in joined else np.nan)
    return out


def peer_python(venv: Path) -> Path:
    """The peer venv's python with hierarchicalforecast (created, or extended, on first use)."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating the peer venv {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(python), "-c", "import hierarchicalforecast"], capture_output=True).returncode:
        subprocess.run([str(python), "-m", "pip", "install", "-q", STATSFORECAST, HIERARCHICALFORECAST], check=True)
    return python


def peer_reconcile(python: Path, panel: Panel, base: dict, errors: dict) -> pd.DataFrame:
    """hierarchicalforecast's reconciled forecasts ``[level, key, ds, method, yhat, seconds]``
    from the same base forecasts, summing matrix and errors."""
    columns = list(dict.fromkeys([*panel.bottom, *panel.middles]))
    table = base["bottom"][columns].drop_duplicates().sort_values(panel.bottom).reset_index(drop=True)
    S, labels = summing_matrix(table, [(), *[(m,) for m in panel.middles]])
    middle_ids = {m: [f"{m}|{key[0]}" for level, key in labels if level == (m,)] for m in panel.middles}
    bottom_ids = list("bottom|" + table[panel.bottom].astype(str).agg("/".join, axis=1))

    def uid(level, frame):
        if level == "total":
            return pd.Series("total", index=frame.index)
        return f"{level}|" + frame[panel.keys[level]].astype(str).agg("/".join, axis=1)

    base_rows = pd.concat([pd.DataFrame({"unique_id": uid(lv, f), "ds": f.ds, "auto": f.yhat})
                           for lv, f in base.items() if lv != "refits"])
    stamps = sorted(set().union(*[f.set_index(["cutoff", "ds"]).index for f in errors.values()]))
    pseudo = {k: pd.Timestamp("2000-01-01") + pd.Timedelta(days=i) for i, k in enumerate(stamps)}
    insample = pd.concat([pd.DataFrame({"unique_id": uid(lv, f), "ds": [pseudo[k] for k in zip(f.cutoff, f.ds)],
                                        "y": f.y, "auto": f.y - f.error}) for lv, f in errors.items() if len(f)])
    with tempfile.TemporaryDirectory(prefix="wb-reconcile-peer-") as tmp:
        folder = Path(tmp)
        base_rows.to_csv(folder / "base.csv", index=False)
        insample.to_csv(folder / "insample.csv", index=False)
        s_frame = pd.DataFrame(S, columns=bottom_ids)
        s_frame.insert(0, "unique_id", ["total", *[i for m in panel.middles for i in middle_ids[m]], *bottom_ids])
        s_frame.to_csv(folder / "S.csv", index=False)
        (folder / "tags.json").write_text(json.dumps({"total": ["total"], **middle_ids, "bottom": bottom_ids}))
        subprocess.run([str(python), str(Path(__file__).with_name("hierarchical_peers.py")), str(folder)], check=True)
        out = pd.read_csv(folder / "reconciled.csv", parse_dates=["ds"])
    parts = out.unique_id.str.split("|", n=1, expand=True)
    out["level"], out["key"] = parts[0], parts[1]
    return out


def peer_level(part: pd.DataFrame, panel: Panel, level: str) -> pd.DataFrame:
    """The peer's reconciled forecasts of one level, with the level's key columns."""
    fc = part[part.level == level].copy()
    if level != "total":
        fc[panel.keys[level]] = fc.key.str.split("/", expand=True).to_numpy()
    return fc[[*panel.keys[level], "ds", "yhat"]]


def cached(folder: Path | None, name: str, compute):
    """``compute()``, or its result kept in ``folder`` from an earlier run with the same ``name``
    (the panel, routes, lead and window: the base forecasts depend on nothing else but the code)."""
    if folder is None:
        return compute()
    path = folder / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)}.pkl"
    if path.exists():
        print(f"reusing {path} (delete it after a change of the models)", file=sys.stderr)
        return pd.read_pickle(path)
    result = compute()
    folder.mkdir(parents=True, exist_ok=True)
    pd.to_pickle(result, path)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default="routes", help="routes, sample or a daily CSV file")
    parser.add_argument("--bottom", default="sku,region", help="a file panel's bottom key columns")
    parser.add_argument("--middle", default="category,region,sku", help="a file panel's middle levels")
    parser.add_argument("--routes", type=int, default=0, help="only the N largest routes (0: all)")
    parser.add_argument("--lead", type=int, default=90)
    parser.add_argument("--no-peer", action="store_true", help="skip hierarchicalforecast")
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/wb-peers-venv"))
    parser.add_argument("--errors", choices=("origins", "refits"), default="origins",
                        help="MinT-shrink's past errors (the workbench's and the peer's): 'origins', every level "
                             "forecast again from 3 earlier cut-offs (4 times the forecasting); 'refits', the "
                             "base forecasts' own refit errors over spans of the window's length, as mint_refits "
                             "takes them (a series without refits has none: the workbench's mint_shrink needs "
                             "every error and is left out, the peer's masks them)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep each window's base forecasts and past errors in this folder (pickle) and reuse "
                             "them: the forecasts take most of the run, the reconciliations seconds")
    args = parser.parse_args(argv)
    if args.panel == "routes" and not DATA.is_dir():
        print(f"no evaluation data at {DATA}; nothing to measure")
        return 0
    warnings.simplefilter("ignore")
    panel = (route_panel(args.routes) if args.panel == "routes" else sample_panel() if args.panel == "sample"
             else file_panel(Path(args.panel), args.bottom.split(","), args.middle.split(",")))
    print(f"{', '.join(panel.labels.values())}; zero days: {(panel.frame.y == 0).mean():.0%}", file=sys.stderr)
    python = None if args.no_peer else peer_python(args.peer_venv)
    rows, agreement = [], []
    for window, (start, end) in panel.windows.items():
        t0 = time.perf_counter()
        cutoff = start - pd.Timedelta(days=args.lead)
        horizon = int((end - cutoff).days)
        base = cached(args.cache, f"{args.panel}-{args.routes}-{args.lead}-{window}-base",
                      lambda: base_forecasts(panel, cutoff, horizon, (start, end)))
        if args.errors == "origins":
            errors = cached(args.cache, f"{args.panel}-{args.routes}-{args.lead}-{window}-errors",
                            lambda: past_errors(panel, cutoff))
        else:  # the refits' span errors in past_errors' columns (a refit's path length for its cut-off),
            # every series at every refit and span (NaN: it has no refit there; the peer masks them)
            stamps = pd.concat([f[["refit", "step"]] for f in base["refits"].values()]).drop_duplicates()
            errors = {}
            for level, f in base["refits"].items():
                keys = panel.keys[level]
                grid = base[level][keys].drop_duplicates().merge(stamps, how="cross") if keys else stamps
                full = grid.merge(f, on=[*keys, "refit", "step"], how="left")
                if level == "bottom" and panel.extra:
                    full = full.merge(panel.frame[[*panel.bottom, *panel.extra]].drop_duplicates(), on=panel.bottom)
                errors[level] = full.rename(columns={"refit": "cutoff", "step": "ds"}).assign(y=full.error)
        upper = {(): base["total"], **{(m,): base[m] for m in panel.middles}}
        errs = {(): errors["total"], **{(m,): errors[m] for m in panel.middles}, "bottom": errors["bottom"]}
        refits = {"bottom": base["refits"]["bottom"]}  # mint_refits correlates the bottom's errors
        scale = base["total"].yhat.sum()

        def add(figures, fc_of, **extra):
            for level in panel.levels:
                rows.append({"level": panel.labels[level], "figures": figures, "window": window,
                             **score(fc_of(level), panel.actual[level], panel.keys[level], start, end), **extra})

        add("direct", base.get)
        mine = {}
        for method in METHODS:
            if method == "mint_shrink" and args.errors == "refits":
                continue
            t1 = time.perf_counter()
            out = reconcile(base["bottom"], upper, keys=panel.bottom, method=method,
                            errors=refits if method == "mint_refits" else errs)
            seconds = time.perf_counter() - t1
            mine[method] = out
            info = out.attrs["reconcile"]
            add(f"workbench {method}", lambda level: out if level == "bottom" else level_totals(out, panel.keys[level]),
                negatives=info.get("negative_values", 0), negative_pct=100 * info.get("negative_units", 0.0) / scale,
                seconds=seconds, shrinkage=info.get("shrinkage", np.nan))
        if python is not None:
            peer = peer_reconcile(python, panel, base, errors)
            for method in PEER_METHODS:
                part = peer[peer.method == method]
                if part.empty:  # TopDown needs a strict hierarchy, not a grouped structure
                    continue
                theirs = peer_level(part, panel, "bottom")
                add(f"hierarchicalforecast {method}", lambda level, part=part: peer_level(part, panel, level),
                    negatives=int((theirs.yhat < -NEGATIVE_TOLERANCE).sum()),
                    negative_pct=-100 * theirs.yhat.clip(upper=0).sum() / scale, seconds=part.seconds.iloc[0])
                if method in PROJECTIONS and method in mine:  # the same projection: compare where neither clipped
                    joined = mine[method].merge(theirs, on=[*panel.bottom, "ds"], suffixes=("", "_peer"))
                    kept = joined.yhat_peer >= 0
                    agreement.append({"window": window, "method": method,
                                      "max_abs_diff": float((joined.yhat - joined.yhat_peer)[kept].abs().max()),
                                      "largest_value": float(joined.yhat_peer.abs().max())})
        print(f"{window}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    windows = list(panel.windows)
    for metric, unit in (("wape", "%"), ("bias", "% (the same at every level for coherent figures: the "
                                               "total, and the direct levels)"),
                         ("coverage", "% (P10-P90, target 80)")):
        shown = table if metric != "bias" else table[(table.level == "total") | (table.figures == "direct")]
        wide = shown.pivot_table(index=["level", "figures"], columns="window", values=metric, sort=False, dropna=False)
        print(f"\nPooled {metric.upper()} {unit}, by level (base: the default model's direct forecasts)")
        print((wide[windows].dropna(how="all") * 100).round(1).to_string())
    extra = table[table.level == panel.labels["bottom"]].pivot_table(
        index="figures", columns="window", values=["negatives", "negative_pct", "seconds", "shrinkage"], sort=False)
    print(f"\nNegative values of the bottom ({panel.labels['bottom']} x days) and their units in % of the direct "
          "total forecast (before the workbench sets them to zero), seconds per reconciliation, shrinkage intensity")
    print(extra.round(3).to_string())
    if agreement:
        print("\nWorkbench vs hierarchicalforecast, same projection, bottom values where neither is negative")
        print(pd.DataFrame(agreement).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
