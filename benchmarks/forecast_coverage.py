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
coverage of each cut-off and band, and how wide the band was for the errors made (the mean
half-width of P10-P90 over the root mean square log error of the P50, both in log, the median
over series: 1.28 is right for a normal error, more is too wide for that cut-off's errors),
then the tails at 91-150 days ahead split by the forecast's event effect on the day (lowered,
e.g. the Spring Festival collapse; raised; quiet), for models with a separate event component,
and, for the origins, the same by series, with and without the cut-offs whose P50 missed a
launch, a stop or a ramp (``print_by_series``). ``--refits CUTOFF`` instead shows the calibration refits of
``auto`` on the total at one cut-off (``refit_report``) and what its band is made of, by horizon
band (``band_report``: refits, level and day-noise spreads, P10 / P90, the errors that followed).

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/forecast_coverage.py [--models auto,ets] [--refits DATE]
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


def day_kind(fc: pd.DataFrame) -> np.ndarray:
    """"lowered" / "raised" where the forecast's event effect moves the day by more than 10%
    (log), else "quiet" (``fc`` needs ``yhat_baseline``)."""
    u = np.log1p(fc.yhat.to_numpy()) - np.log1p(fc.yhat_baseline.to_numpy())
    return np.select([u < -0.1, u > 0.1], ["lowered", "raised"], "quiet")


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
        logs = np.log1p(part[["y", "yhat_q10", "yhat_q50", "yhat_q90"]])
        logs["half"], logs["error2"] = (logs.yhat_q90 - logs.yhat_q10) / 2, (logs.y - logs.yhat_q50) ** 2
        width = (logs.groupby(part[keys[0]]) if keys else logs.groupby(np.zeros(len(logs)))).mean()
        rows.append({"cutoff": cutoff.date(), "band": band,
                     "coverage": metrics.coverage(part.y, part.yhat_q10, part.yhat_q90),
                     "width_ratio": float(np.nanmedian(width.half / np.sqrt(width.error2))),
                     "below": float(np.mean(part.y < part.yhat_q10)), "above": float(np.mean(part.y > part.yhat_q90)),
                     "scaled_pinball": loss / scale})
    return rows


def refit_report(frame: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The calibration refits of ``event_profile`` on one series (``frame``: ``[ds, y]``) fitted
    to ``cutoff``: per refit and horizon band, the days of history at the refit's origin, where
    its growth came from (``growth``: the year-on-year estimator of ``_yearly_growth``, as the
    forecast's own, or none with under a year and four weeks of the regime: a slope or the
    pooled path), and the count, mean and sd of its log errors (days of events it had no
    profile for left out, as the bands leave them out); then, as ``forecast``, the fit's own
    growth estimator and the robust sd of its quiet-day residuals (the day noise)."""
    from workbench.calendar import default_calendar
    from workbench.calendar.years import SAME_WEEKDAY_DAYS
    from workbench.forecast.models.event_profile import EventProfile

    train = frame[frame.ds <= cutoff]
    model = EventProfile().fit(train.y.to_numpy(float), pd.DatetimeIndex(train.ds), calendar=default_calendar())
    n = len(model.z_)
    regime_days = len(model.y_) - model.regime_.start

    def growth(comp, days):  # the condition _baseline_path and _choose_halflife test
        return model._growth_estimator(comp, days) if days >= SAME_WEEKDAY_DAYS + 28 else "none (under a year)"

    rows = []
    for (origin, head), (h, err, _, missed) in zip(model.refits_, model.refit_errors_):
        band = pd.cut(h[~missed], [0, 30, 60, 90, 120, 180, 270])
        stats = pd.Series(err[~missed]).groupby(band, observed=True).agg(["size", "mean", "std"])
        source = growth(head, regime_days - (n - origin))
        rows += [{"refit origin": train.ds.iloc[model.regime_.born + origin - 1].date(),
                  "days of history": model.regime_.born + origin, "growth": source, "days ahead": str(b),
                  "errors": int(r["size"]), "mean": round(r["mean"], 3), "sd": round(r["std"], 3)}
                 for b, r in stats.iterrows()]
    comp = model.components_
    resid = (model.z_ - comp["level"] - comp["weekday"][model.dow_])[~comp["in_event"]]
    rows.append({"refit origin": "forecast", "days of history": len(model.y_),
                 "growth": growth(comp, regime_days), "days ahead": "in-sample quiet days",
                 "errors": len(resid), "mean": 0.0,
                 "sd": round(metrics.robust_sd(resid), 3)})
    return pd.DataFrame(rows)


def calibrated_window_spread(level_sd: float, day_sd: float, days: int = 30, draws: int = 20_000,
                             seed: int = 0) -> float:
    """The share of ``days``-day windows whose P10-P90 coverage is within 80 +- 8 points for a
    perfectly calibrated band when each day's log error is a level error shared by the window
    (normal, sd ``level_sd``) plus its own day noise (normal, sd ``day_sd``): the band is the
    exact P10-P90 of their sum, so coverage averages 80% over windows, and this says how often
    one window lands within the bar (seeded Monte Carlo, ``draws`` windows)."""
    rng = np.random.default_rng(seed)
    half = 1.2816 * float(np.hypot(level_sd, day_sd))  # the normal's P90
    errors = rng.normal(0, level_sd, (draws, 1)) + rng.normal(0, day_sd, (draws, days))
    cover = (np.abs(errors) <= half).mean(axis=1)
    return float(np.mean(np.abs(cover - 0.8) <= 0.08 + 1e-9))


def band_report(frame: pd.DataFrame, cutoff: pd.Timestamp, horizon: int = HORIZON) -> pd.DataFrame:
    """What the band of ``event_profile`` on one series (``frame``: ``[ds, y]``) fitted to
    ``cutoff`` is made of, per horizon band (``conformal.HORIZON_BANDS["D"]``) of the next
    ``horizon`` days: how many refits measured it (``refits``; errors on days of events a refit
    had no profile for left out, as the bands leave them out), the robust sd of their level
    errors (each refit's centred weekly mean error, around the band's median) and of the day
    noise pooled over every refit's days (the two parts ``conformal_offsets`` convolves), the
    level sd the band uses (``shrunk level sd``: shrunk toward the other bands' pooled level
    errors by its number of refits, ``conformal.shrunk_variance``; event days' wider spread
    ``1 + k |uplift|`` left out here), the
    mean log P10 and P90 around the P50, how often a perfectly calibrated normal band of that
    make-up covers a 30-day window within 80 +- 8 points (``calibrated_window_spread``), and,
    on the days after the cut-off that ``frame`` holds, the P50's mean log error, its sd and
    the P10-P90 coverage (log: ``log1p``)."""
    from workbench.calendar import default_calendar
    from workbench.forecast.conformal import HORIZON_BANDS, band_centred_levels, shrunk_variance
    from workbench.forecast.models.event_profile import EventProfile

    train = frame[frame.ds <= cutoff]
    model = EventProfile().fit(train.y.to_numpy(float), pd.DatetimeIndex(train.ds), calendar=default_calendar())
    if not getattr(model, "refit_errors_", None):
        raise SystemExit(f"event_profile has no calibration refits at {cutoff.date()} (delegated or too young)")
    pred = model.predict(horizon, (0.1, 0.5, 0.9))
    z = {q: np.log1p(v) for q, v in pred.quantiles.items()}
    actual = frame.set_index("ds").y.reindex(pd.DatetimeIndex(pred.ds)).to_numpy(float)
    steps = np.arange(1, horizon + 1)
    hs, errors, _, missed = (np.concatenate(a) for a in zip(*model.refit_errors_))
    day = np.concatenate(model._refit_day_errors())
    path = np.concatenate([np.full(len(e), i) for i, (_, e, _, _) in enumerate(model.refit_errors_)])
    edges = [0, *[b for b in HORIZON_BANDS["D"] if b < horizon], horizon]
    centred = np.full(len(errors), np.nan)  # the level parts the model pools over bands
    centred[~missed] = band_centred_levels(hs[~missed], errors[~missed] - day[~missed])
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (hs > lo) & (hs <= hi) & ~missed
        level = errors[sel] - day[sel]
        refits = len(np.unique(path[sel]))
        shrunk = np.sqrt(shrunk_variance(metrics.robust_sd(level) ** 2, refits,
                                         metrics.robust_sd(centred[~sel & ~missed]) ** 2))
        at = (steps > lo) & (steps <= hi)
        known = at & np.isfinite(actual)
        e = np.log1p(actual[known]) - z[0.5][known]
        level_sd, day_sd = metrics.robust_sd(level), metrics.robust_sd(day[~missed])
        rows.append({"days ahead": f"{lo + 1}-{hi}", "refits": refits, "errors": int(sel.sum()),
                     "level sd": round(level_sd, 3), "shrunk level sd": round(float(shrunk), 3), "day sd": round(day_sd, 3),
                     "calibrated within %": round(100 * calibrated_window_spread(level_sd, day_sd), 1)
                     if sel.any() else np.nan,
                     "P10": round(float(np.mean(z[0.1][at] - z[0.5][at])), 3),
                     "P90": round(float(np.mean(z[0.9][at] - z[0.5][at])), 3),
                     "actual days": int(known.sum()),
                     "P50 error": round(float(e.mean()), 3) if known.any() else np.nan,
                     "error sd": round(float(e.std()), 3) if known.any() else np.nan,
                     "coverage %": round(100 * float(np.mean((actual[known] >= pred.quantiles[0.1][known])
                                                              & (actual[known] <= pred.quantiles[0.9][known]))), 1)
                     if known.any() else np.nan})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="auto", help="comma-separated registry names")
    parser.add_argument("--cutoffs", type=int, default=12)
    parser.add_argument("--every", type=int, default=28, help="days between cut-offs")
    parser.add_argument("--conformal-windows", type=int, default=0)
    parser.add_argument("--refits", metavar="CUTOFF", help="only show the calibration refits of auto "
                        "(event_profile) on the total fitted to this date (e.g. 2022-02-19), then stop")
    args = parser.parse_args(argv)
    frames = evaluation_frames()
    if frames is None:
        return 0
    if args.refits:
        pd.set_option("display.width", 250)
        print(f"== event_profile's calibration refits on the total, cut-off {args.refits} (log errors) ==")
        print(refit_report(frames["daily_total"][0], pd.Timestamp(args.refits)).to_string(index=False))
        print(f"\n== what its band is made of, by horizon band (log; robust sds; P10 / P90 around the P50) ==")
        print(band_report(frames["daily_total"][0], pd.Timestamp(args.refits)).to_string(index=False))
        return 0
    cutoffs = pd.date_range("2021-09-01", periods=args.cutoffs, freq=f"{args.every}D")
    rows, days, by_series = [], [], []
    for model in [m for m in args.models.split(",") if m]:
        t0 = time.perf_counter()
        for label, (frame, keys) in frames.items():
            for cutoff in cutoffs:
                fc = forecast(frame[frame.ds <= cutoff], horizon=HORIZON, keys=keys or None, model=model,
                              n_jobs=1, conformal_windows=args.conformal_windows, with_baseline=True)
                rows += [{"model": model, "data": label, **r} for r in score_cutoff(fc, frame, keys, cutoff)]
                far = fc.merge(frame, on=[*keys, "ds"])
                far = far[(far.ds - cutoff).dt.days >= BANDS["far"][0]]
                if far.yhat_baseline.notna().all():
                    days.append(pd.DataFrame({"model": model, "data": label, "kind": day_kind(far),
                                              "below": far.y < far.yhat_q10, "above": far.y > far.yhat_q90,
                                              "log_error": np.log1p(far.y) - np.log1p(far.yhat_q50)}))
                if keys:
                    by_series.append(pd.DataFrame({"model": model, "data": label, "cutoff": cutoff, "series": far[keys[0]],
                                                   "below": far.y < far.yhat_q10, "above": far.y > far.yhat_q90,
                                                   "log_error": np.log1p(far.y) - np.log1p(far.yhat_q50)}))
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
    wide = table.pivot_table(index=["data", "model", "band"], columns="cutoff", values="coverage")
    print("\n== coverage by cut-off (percent) ==")
    print((wide * 100).round(0).to_string())
    ratio = table.pivot_table(index=["data", "model", "band"], columns="cutoff", values="width_ratio")
    print("\n== band half-width over the P50's RMS error by cut-off (log, median over series; 1.28 for a normal "
          "error's P10-P90) ==")
    print(ratio.round(2).to_string())
    if days:
        kinds = pd.concat(days).groupby(["data", "model", "kind"]).agg(
            days=("below", "size"), below=("below", "mean"), above=("above", "mean"), log_error=("log_error", "mean"))
        kinds[["below", "above"]] = (kinds[["below", "above"]] * 100).round(1)
        print("\n== days 91-150 ahead by the forecast's event effect (lowered / raised: by more than 10%; "
              "percent below P10 and above P90, mean log error of the P50) ==")
        print(kinds.round(3).to_string())
    if by_series:
        print_by_series(pd.concat(by_series))
    return 0


REGIME_MISS = 1.0  # log points: a P50 off by this much on average over a cut-off's days 91-150 ahead


def print_by_series(days: pd.DataFrame) -> None:
    """Days 91-150 ahead of keyed data by series over all cut-offs: the P10-P90 coverage, the
    shares below P10 and above P90, the P50's mean log error and the cut-offs at which that
    error averaged more than ``REGIME_MISS`` log points (a factor of 2.7: a launch, a stop or a
    ramp the point forecast missed, which no band of a calibrated width covers); then the
    coverage over the series-cut-offs without such a miss."""
    days = days.assign(inside=~(days.below | days.above))
    per = days.groupby(["data", "model", "series", "cutoff"]).agg(
        inside=("inside", "mean"), below=("below", "mean"), above=("above", "mean"), log_error=("log_error", "mean"))
    per["miss"] = per.log_error.abs() > REGIME_MISS
    table = per.groupby(["data", "model", "series"]).agg(
        coverage=("inside", "mean"), below=("below", "mean"), above=("above", "mean"),
        log_error=("log_error", "mean"), regime_misses=("miss", "sum")).sort_values("coverage")
    table[["coverage", "below", "above"]] = (table[["coverage", "below", "above"]] * 100).round(1)
    print(f"\n== days 91-150 ahead by series (percent; log_error: the P50's mean; regime_misses: cut-offs "
          f"whose P50 erred more than {REGIME_MISS:g} log point on average) ==")
    print(table.round(3).to_string())
    kept = per[~per.miss].groupby(["data", "model"])[["inside", "below", "above"]].mean() * 100
    kept["series-cutoffs"] = per[~per.miss].groupby(["data", "model"]).size()
    print("\n== the same without the regime misses (percent) ==")
    print(kept.round(1).to_string())


if __name__ == "__main__":
    sys.exit(main())
