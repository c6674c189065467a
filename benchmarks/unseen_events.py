"""Events a history never saw, on the real parcel series (../shared/data, evaluation only).

Two measurements (``workbench.forecast.models.unseen``):

1. ``--constants``: the spreads the rule uses, on the daily total and the 20 largest origins
   fitted on their whole two years (each event seen in 2021 and 2022): per series, each event's
   window multiplier ``M_e`` (log of the mean of ``exp(uplift)`` of its profile over its
   window's days); per kind (sale: 618, 双11, 年货节; holiday: Labour Day, National Day; pause:
   the Spring Festival pause), the spreads by estimators that are consistent when the
   multipliers are normal and robust to a series that exploded (a young origin's first 双11
   read as x30, DC62, would rule a mean of squares):

   * ``TAU^2``, the variance of ``M_e`` between a kind's events within a series: the median over
     the series of ``s_i^2 df_i / chi2_{0.5}(df_i)``, ``s_i^2`` the series' sample variance over
     its ``df_i + 1`` events of the kind (each term has median ``TAU^2``, so their median does;
     a bare median of the ``s_i^2`` is ``chi2_{0.5}(df)/df`` of it: 0.69 for three events, 0.45
     for two);
   * ``UNSEEN^2``, the mean square of ``M_e`` around none: ``median(M_e)^2 + (1.4826
     MAD(M_e))^2`` over the series and events of the kind (location squared plus spread
     squared, each read robustly; a bare median of ``M_e^2`` falls short of the mean square).

   The uncorrected medians and the plain means are printed beside them.
2. the spring 2021 cut-off (default): the data start on 2021-01-01, so a cut-off on
   ``--cutoff`` (2021-04-20) forecasts 618 2021 (05-25..06-18), Labour Day and the days around
   them with no 618 and no 双11 in the history: the total and the 20 origins, ``auto``, scored on
   the window (window totals' error and P10-P90 coverage of the totals, pooled daily WAPE, bias
   and daily P10-P90 coverage).

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/unseen_events.py [--constants] [--cutoff 2021-04-20]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forecast_accuracy import DATA, load_origins, load_total  # noqa: E402

from workbench.calendar import default_calendar  # noqa: E402
from workbench.forecast import metrics  # noqa: E402
from workbench.forecast.core import forecast  # noqa: E402
from workbench.forecast.models import make_model  # noqa: E402

WINDOW_618_2021 = ("2021-05-25", "2021-06-18")


def window_multipliers(uplift: dict, year: int) -> dict[str, float]:
    """``{event: M_e}`` of an event_profile fit's profiles (``uplift_``) at the windows of ``year``."""
    from workbench.forecast.features import profile_parts
    from workbench.forecast.models.unseen import role_offsets

    calendar = default_calendar()
    out = {}
    for name, parts in profile_parts(calendar).items():
        profile = uplift.get(name) or {}
        for event, before, after in parts:
            roles = role_offsets(calendar, event, before, after, year)
            days = np.concatenate([roles["window"], roles["peak"]])
            values = np.array([profile[int(o)] for o in days if int(o) in profile])
            if len(values) >= len(days) / 2:
                out[event] = float(np.log(np.mean(np.exp(values))))
    return out


def constants(frames: dict[str, tuple[pd.DataFrame, list[str]]]) -> None:
    calendar = default_calendar()
    rows = []
    for label, (frame, keys) in frames.items():
        for key, s in (frame.groupby(keys) if keys else [("total", frame)]):
            model = make_model("event_profile").fit(s["y"].to_numpy(float), pd.DatetimeIndex(s["ds"]))
            for event, m in window_multipliers(model.uplift_, 2022).items():
                rows.append({"series": f"{label}:{key}", "event": event, "kind": calendar.kind(event), "M": m})
    table = pd.DataFrame(rows)
    print(table.pivot(index="series", columns="event", values="M").round(3).to_string())
    for kind, part in table.groupby("kind"):
        tau, n, bare_tau, pooled = between_event_spread(part)
        unseen, bare_unseen, rms = size_around_none(part["M"].to_numpy(float))
        print(f"{kind}: TAU {tau:.3f} (median-unbiased over {n} series with two or more events; bare median "
              f"{bare_tau:.3f}, pooled mean {pooled:.3f}), UNSEEN {unseen:.3f} (robust root mean square over "
              f"{len(part)} series x events; root median of M_e^2 {bare_unseen:.3f}, root mean {rms:.3f})")


def between_event_spread(part: pd.DataFrame) -> tuple[float, int, float, float]:
    """``TAU`` (log) of one kind: the root of the median over the series of ``s_i^2 df_i /
    chi2_{0.5}(df_i)`` (``part``: rows ``series``, ``M``); also the number of series with two
    or more events, the root of the bare median of the ``s_i^2`` and of the pooled variance
    ``sum df_i s_i^2 / sum df_i`` (unbiased, not robust). NaN each without such a series."""
    from scipy.stats import chi2

    grouped = part.groupby("series")["M"]
    s2, df = grouped.var(ddof=1), grouped.count() - 1
    s2, df = s2[df >= 1], df[df >= 1]
    if not len(s2):
        return float("nan"), 0, float("nan"), float("nan")
    scaled = s2 * df / chi2.ppf(0.5, df)
    return (float(np.sqrt(scaled.median())), len(s2), float(np.sqrt(s2.median())),
            float(np.sqrt((s2 * df).sum() / df.sum())))


def size_around_none(m: np.ndarray) -> tuple[float, float, float]:
    """``UNSEEN`` (log) of one kind from its window multipliers ``m`` (shape (k,)): the root of
    ``median(m)^2 + (1.4826 MAD(m))^2``; also the root of the median and of the mean of ``m^2``."""
    centre = float(np.median(m))
    scale = 1.4826 * float(np.median(np.abs(m - centre)))
    return (float(np.sqrt(centre ** 2 + scale ** 2)), float(np.sqrt(np.median(m ** 2))),
            float(np.sqrt(np.mean(m ** 2))))


def spring_2021(frames: dict[str, tuple[pd.DataFrame, list[str]]], cutoff: pd.Timestamp) -> None:
    start, end = (pd.Timestamp(d) for d in WINDOW_618_2021)
    horizon = (end - cutoff).days
    for label, (frame, keys) in frames.items():
        train = frame[frame.ds <= cutoff]
        fc = forecast(train, keys=keys or None, horizon=horizon, model="auto", window=(start, end))
        bands = pd.DataFrame(fc.attrs["window_bands"])
        actual = frame[(frame.ds >= start) & (frame.ds <= end)]
        days = fc[(fc.ds >= start) & (fc.ds <= end)].merge(actual, on=[*keys, "ds"])
        truth = days.groupby(keys)["y"].sum() if keys else pd.Series({0: days.y.sum()})
        bands.index = bands.set_index(keys).index if keys else [0]
        bands = bands.join(truth.rename("y"))
        inside = (bands.y >= bands.yhat_q10) & (bands.y <= bands.yhat_q90)
        print(f"{label}, 618 2021 from {cutoff.date()}: window total {bands.yhat.sum():,.0f} vs {bands.y.sum():,.0f} "
              f"({bands.yhat.sum() / bands.y.sum() - 1:+.1%}); window totals' WAPE "
              f"{(bands.yhat - bands.y).abs().sum() / bands.y.sum():.1%}, inside P10-P90 {inside.sum()}/{len(bands)}; "
              f"daily pooled WAPE {metrics.wape(days.y, days.yhat):.1%}, bias {metrics.bias(days.y, days.yhat):+.1%}, "
              f"daily P10-P90 coverage {metrics.coverage(days.y, days.yhat_q10, days.yhat_q90):.1%}")
        notes = [n for n in fc.attrs["notes"] if "no history of event" in n]
        for note in notes[:3]:
            print(f"  note: {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constants", action="store_true", help="measure TAU and UNSEEN instead")
    parser.add_argument("--cutoff", default="2021-04-20", help="last day of history (spring 2021)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}; nothing to measure")
        return 0
    warnings.simplefilter("ignore")
    frames = {"daily_total": (load_total(), []), "20 origins": (load_origins(), ["origin"])}
    if args.constants:
        constants(frames)
    else:
        spring_2021(frames, pd.Timestamp(args.cutoff))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
