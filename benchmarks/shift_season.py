"""A step is not a season, a season's decline is not a step (trial 17 F5 + F6): a seeded young snack
and tea shop opened 2025-08-01, cut on 2026-11-29 (16 months of history), with a known future.

* ``零食`` (snacks): three steady lines from the opening (SN1-SN3), one whose level stepped x3 on
  2026-02-28, nine months before the cut-off (``SN4``: a channel move that stays), and one launched
  on 2026-10-10 (``SN5``, climbing to its level over four weeks);
* ``冷饮`` (iced tea): three summer lines from the opening (TEA1-TEA3, a smooth yearly season peaking
  on July 15 at ``SUMMER_PEAK`` times its January low) and one launched in spring, 2026-04-01, with
  the same season (``TEA4``: June-August high, falling into autumn);
* ``礼盒`` (gift boxes): three steady lines with a strong 年货节 (GF1-GF3), a category that neither
  fault touches.

A day's units are negative-binomial (``NB_SIZE``) around level x growth x weekday x season x event
uplift (``young_shops._event_multiplier``); the truth is the process's mean after the cut-off.

    .venv/bin/python benchmarks/shift_season.py [--seeds 0,1,2]

prints, per kind (``step``, ``launch``, ``spring summer``, ``steady``, ``seasonal``), the forecast's
window total over the truth's (mean over seeds and the kind's lines) for December 2026, the 年货节
2027 and 618 2027 windows, and the share of the lines' window truths inside the P10-P90 band of the
window total.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from young_shops import NB_SIZE, WEEKDAY, _event_multiplier  # noqa: E402

OPEN, CUTOFF, LAST = pd.Timestamp("2025-08-01"), pd.Timestamp("2026-11-29"), pd.Timestamp("2027-06-30")
STEP_DAY = pd.Timestamp("2026-02-28")  # SN4's level x STEP from here on
STEP = 3.0
SUMMER_PEAK = 4.0  # a summer line's July 15 over its January 15
SALE = {"618": 0.5, "double11": 0.6, "new_year_sale": 0.3, "spring_festival": -0.6}
GIFT = {"618": 0.2, "double11": 0.8, "new_year_sale": 2.5, "spring_festival": -0.8}

SKUS = [  # sku, category, level (units a day before season and events), kind, extra
    ("SN1", "零食", 24.0, "steady", {}),
    ("SN2", "零食", 15.0, "steady", {}),
    ("SN3", "零食", 10.0, "steady", {}),
    ("SN4", "零食", 6.0, "step", {"step": (STEP_DAY, STEP)}),
    ("SN5", "零食", 12.0, "launch", {"launch": pd.Timestamp("2026-10-10")}),
    ("TEA1", "冷饮", 14.0, "seasonal", {"summer": True}),
    ("TEA2", "冷饮", 9.0, "seasonal", {"summer": True}),
    ("TEA3", "冷饮", 6.0, "seasonal", {"summer": True}),
    ("TEA4", "冷饮", 2.7, "spring summer", {"summer": True, "launch": pd.Timestamp("2026-04-01")}),
    ("GF1", "礼盒", 12.0, "steady", {"events": GIFT}),
    ("GF2", "礼盒", 8.0, "steady", {"events": GIFT}),
    ("GF3", "礼盒", 5.0, "steady", {"events": GIFT}),
]
WINDOWS = {"December": (pd.Timestamp("2026-12-01"), pd.Timestamp("2026-12-31"))}


def summer(days: pd.DatetimeIndex) -> np.ndarray:
    """A summer line's season, per day: ``SUMMER_PEAK ** ((1 + cos) / 2 - 1/2)``, a log cosine peaking
    on July 15 (day 196), its geometric mean over the year 1."""
    phase = 2 * np.pi * (days.day_of_year.to_numpy() - 196) / 365.25
    return SUMMER_PEAK ** (np.cos(phase) / 2)


def shop(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history and the future of the snack and tea shop, seeded.

    Returns ``(history, future)``, each ``[category, sku, ds, y]`` (units a day, every day from the
    opening or the line's launch), the history through ``CUTOFF``; ``future`` also has ``mean``, the
    process's expected units that day (the truth scored against).
    """
    days = pd.date_range(OPEN, LAST, freq="D")
    rng = np.random.default_rng(seed)
    parts = []
    for sku, category, level, _, extra in SKUS:
        mean = level * WEEKDAY[days.day_of_week] * _event_multiplier(days, extra.get("events", SALE))
        if extra.get("summer"):
            mean = mean * summer(days)
        if "step" in extra:
            when, factor = extra["step"]
            mean = mean * np.where(days >= when, factor, 1.0)
        first = extra.get("launch", OPEN)
        if "launch" in extra:  # a launch climbs to its level over 4 weeks
            mean = mean * np.clip(((days - first).days.to_numpy() + 1) / 28, 0, 1)
        draws = rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + np.maximum(mean, 1e-9)))
        part = pd.DataFrame({"category": category, "sku": sku, "ds": days, "y": draws.astype(float),
                             "mean": mean})
        parts.append(part[part["ds"] >= first])
    frame = pd.concat(parts, ignore_index=True)
    history = frame[frame["ds"] <= CUTOFF].drop(columns="mean").reset_index(drop=True)
    future = frame[frame["ds"] > CUTOFF].reset_index(drop=True)
    return history, future


def windows() -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """December 2026 and the default calendar's 年货节 2027 and 618 2027 windows."""
    from workbench.calendar import default_calendar
    calendar = default_calendar()
    out = dict(WINDOWS)
    for event, label in (("new_year_sale", "年货节"), ("618", "618")):
        (w,) = calendar.windows(event, pd.Timestamp("2027-01-01"), pd.Timestamp("2027-06-30"))
        out[label] = (w.start, w.end)
    return out


def scores(seed: int = 0) -> pd.DataFrame:
    """Per line and window of shop ``seed``: ``ratio`` (forecast window total over the truth's) and
    ``inside`` (the truth's total inside the window total's P10-P90 band), forecast by ``auto``
    keyed ``category, sku`` from the whole history."""
    from workbench.forecast.core import forecast
    history, future = shop(seed)
    rows = []
    for label, (start, end) in windows().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(history, keys=["category", "sku"], freq="D", horizon=(end - CUTOFF).days,
                          model="auto", quantiles=(0.1, 0.5, 0.9), window=(start, end), n_jobs=1)
        bands = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku")
        truth = future[(future["ds"] >= start) & (future["ds"] <= end)].groupby("sku")["mean"].sum()
        for sku, category, _, kind, _ in SKUS:
            b = bands.loc[sku]
            rows.append({"seed": seed, "sku": sku, "kind": kind, "window": label,
                         "ratio": b["yhat"] / truth[sku],
                         "inside": bool(b["yhat_q10"] <= truth[sku] <= b["yhat_q90"])})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    table = pd.concat([scores(int(s)) for s in args.seeds.split(",")], ignore_index=True)
    pd.set_option("display.width", 160)
    print(table.pivot_table(index=["kind", "sku"], columns="window", values="ratio", aggfunc="mean")
          .round(2)[["December", "年货节", "618"]])
    print(table.pivot_table(index="kind", columns="window", values="ratio", aggfunc="mean")
          .round(2)[["December", "年货节", "618"]])
    print("P10-P90 coverage of the window totals:",
          table.pivot_table(index="kind", values="inside", aggfunc="mean").round(2).to_dict()["inside"],
          f"all {table['inside'].mean():.2f}")


if __name__ == "__main__":
    main()
