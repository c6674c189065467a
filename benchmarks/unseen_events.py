"""Events a history never saw, on the real parcel series (../shared/data, evaluation only).

Two measurements (``workbench.forecast.models.unseen``):

1. ``--constants``: the spreads the rule uses, on the daily total and the 20 largest origins
   fitted on their whole two years (each event seen in 2021 and 2022): per series, each event's
   window multiplier ``M_e`` (log of the mean of ``exp(uplift)`` of its profile over its
   window's days); per kind (sale: 618, 双11, 年货节; holiday: Labour Day, National Day; pause:
   the Spring Festival pause), the root of the median over the series of the sample variance
   of ``M_e`` between the kind's events (``TAU``) and the root of the median of ``M_e^2`` over
   the series and events (``UNSEEN``): medians, since a young origin's first 双11 read as x30
   (DC62) would rule a mean of squares.
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
        spread2 = part.groupby("series")["M"].var(ddof=1).dropna()
        tau = float(np.sqrt(spread2.median())) if len(spread2) else float("nan")
        print(f"{kind}: TAU {tau:.3f} (root median of the between-event variances of {len(spread2)} series; "
              f"root mean {float(np.sqrt(spread2.mean())) if len(spread2) else float('nan'):.3f}), "
              f"UNSEEN {float(np.sqrt((part.M ** 2).median())):.3f} (root median of M_e^2 over {len(part)} series x "
              f"events; root mean {float(np.sqrt((part.M ** 2).mean())):.3f})")


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
