"""Slow-starting launches in a young shop (trial 17 F1), on a seeded daily panel with a known future.

A snack & tea shop opened on 2025-08-01 (``OPENED``): established snacks, teas and 年货 gift boxes
from its first day, and launches after it. Four launches ramp up linearly over 90-150 days from a
third of their level (the panel's launch curve: it rises about x2); the scored ones are

* ``slow``: slow starters, two 年货 gift boxes (年货节 x3.5, little at 618) and two steady snacks,
  each selling a trickle for 2-8 weeks (0.3-1.5 units a day, or 3% of its level) and then its level
  at once: the trickle is the launch's ramp, and the series is at its level from there. Reported
  apart: those ``launch.launch_of`` dates past a trickle of 4 weeks or more under 5% of their level
  (``dated past a trickle``, trial 17's gift box) and the others (a shorter or higher slow start,
  dated past it or from their first sale);
* ``full``: launches at their full level from their first day (a gift box and a snack), which the
  fix must leave alone.

Each day is negative-binomial (size ``NB_SIZE``) around level x weekday x the events' multipliers
x (for a gift box) a winter season; the future is one seeded draw of the same process (``mean``
its expectation). Cut between 2026-11-20 and 2026-12-10; the scored windows are 年货节 2027 and
618 2027. Reported per kind and window over the seeds: the window forecast / actual (mean and range
of the ratios) and the share of the actual totals inside the forecast's P10-P90 band:

    PYTHONPATH=. .venv/bin/python benchmarks/slow_launch.py [--seeds 6]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar

sys.path.insert(0, str(Path(__file__).parent))
from launch_lift import event_multiplier  # noqa: E402

WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # Monday first
NB_SIZE = 20.0  # variance = mean + mean^2 / NB_SIZE
OPENED = pd.Timestamp("2025-08-01")
LAST = pd.Timestamp("2027-06-30")
GIFT = {"618": 0.2, "double11": 0.8, "new_year_sale": 2.5, "spring_festival": -0.8}  # event -> u (x 1 + u)
SNACK = {"618": 0.6, "double11": 1.0, "new_year_sale": 0.4, "spring_festival": -0.6}
WINDOWS = (("new_year_sale", 2027), ("618", 2027))


def gift_season(days: pd.DatetimeIndex) -> np.ndarray:
    """A 年货 gift box's season: x1.6 from December to the Spring Festival month, x0.6 from April to
    September (a box after the festival sells little), 1 otherwise."""
    month = days.month.to_numpy()
    return np.where(np.isin(month, (12, 1, 2)), 1.6, np.where((month >= 4) & (month <= 9), 0.6, 1.0))


def specs(rng: np.random.Generator) -> list[dict]:
    """The shop's series: ``sku``, ``category``, ``kind`` (established, ramp, slow, full),
    ``level`` (units a day at full level), ``start`` (first day), ``trickle`` (days of trickle
    before the level, slow starters), ``ramp`` (days from a third of the level to all of it)."""
    out = [{"sku": f"S{i}", "category": "snack", "kind": "established", "level": rng.uniform(40, 90)} for i in range(4)]
    out += [{"sku": f"T{i}", "category": "tea", "kind": "established", "level": rng.uniform(30, 60)} for i in range(3)]
    out += [{"sku": f"G{i}", "category": "gift", "kind": "established", "level": rng.uniform(20, 40)} for i in range(3)]
    for i, first in enumerate(("2025-11-10", "2026-02-20", "2026-04-15", "2026-06-01")):
        out.append({"sku": f"R{i}", "category": ("snack", "tea")[i % 2], "kind": "ramp", "level": rng.uniform(30, 60),
                    "start": pd.Timestamp(first) + pd.Timedelta(days=int(rng.integers(0, 20))),
                    "ramp": int(rng.integers(90, 151))})
    for i, category in enumerate(("gift", "gift", "snack", "snack")):
        out.append({"sku": f"SLOW{i}", "category": category, "kind": "slow", "level": rng.uniform(20, 50),
                    "start": pd.Timestamp("2026-08-10") + pd.Timedelta(days=int(rng.integers(0, 60))),
                    "trickle": int(rng.integers(14, 57)), "sparse": bool(i % 2)})
    for i, category in enumerate(("gift", "snack")):
        out.append({"sku": f"FULL{i}", "category": category, "kind": "full", "level": rng.uniform(20, 50),
                    "start": pd.Timestamp("2026-07-01") + pd.Timedelta(days=int(rng.integers(0, 60)))})
    return out


def shop(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp, dict]:
    """``(history, future, cut-off, kinds)``: frames ``[category, sku, ds, y]`` (the future with
    ``mean`` too), each series' rows from its first day; ``kinds``: sku -> kind."""
    rng = np.random.default_rng(seed)
    cut = pd.Timestamp("2026-11-20") + pd.Timedelta(days=int(rng.integers(0, 21)))
    days = pd.date_range(OPENED, LAST)
    frames, kinds = [], {}
    for spec in specs(rng):
        gift = spec["category"] == "gift"
        mean = spec["level"] * WEEKDAY[days.day_of_week] * event_multiplier(days, GIFT if gift else SNACK) \
            * (gift_season(days) if gift else 1.0)
        start = spec.get("start", OPENED)
        age = (days - start).days.to_numpy()
        if spec["kind"] == "ramp":
            mean = mean * np.clip(1 / 3 + 2 / 3 * age / spec["ramp"], 1 / 3, 1.0)
        if spec["kind"] == "slow":  # a trickle, then the level at once
            trickle = rng.uniform(0.3, 1.5) if spec["sparse"] else 0.03 * spec["level"]
            mean = np.where(age < spec["trickle"], trickle, mean)
        keep = age >= 0
        y = rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + mean[keep])).astype(float)
        frames.append(pd.DataFrame({"category": spec["category"], "sku": spec["sku"], "ds": days[keep], "y": y,
                                    "mean": mean[keep]}))
        kinds[spec["sku"]] = spec["kind"]
    frame = pd.concat(frames, ignore_index=True)
    return frame[frame.ds <= cut].drop(columns="mean").reset_index(drop=True), \
        frame[frame.ds > cut].reset_index(drop=True), cut, kinds


def score(seed: int) -> pd.DataFrame:
    """The default forecast of ``shop(seed)`` on each of ``WINDOWS``: one row per scored series
    (slow and full launches) and window: ``sku``, ``kind``, ``window``, ``ratio`` (window forecast
    / actual), ``covered`` (actual inside P10-P90)."""
    from workbench.forecast.core import forecast

    history, future, cut, kinds = shop(seed)
    calendar, rows = default_calendar(), []
    for event, year in WINDOWS:
        window = calendar.window(event, year)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = forecast(history, horizon=int((window.end - cut).days), keys=["category", "sku"],
                           window=(window.start, window.end), n_jobs=1)
        bands = pd.DataFrame(out.attrs["window_bands"]).set_index("sku")
        inside = future[(future.ds >= window.start) & (future.ds <= window.end)].groupby("sku").y.sum()
        for sku, kind in kinds.items():
            if kind in ("slow", "full"):
                b, actual = bands.loc[sku], inside[sku]
                rows.append({"seed": seed, "sku": sku, "kind": kind + ("" if kind == "full" else
                                                                      " (dated past a trickle)" if redated(history, sku)
                                                                      else " (other)"),
                             "window": f"{event} {year}", "ratio": b.yhat / actual,
                             "covered": bool(b.yhat_q10 <= actual <= b.yhat_q90)})
    return pd.DataFrame(rows)


def redated(history: pd.DataFrame, sku: str) -> bool:
    """Is ``sku``'s launch dated past a trickle (``launch.launch_of``'s start after 4 weeks or more of
    sales under 5% of the level of its first 28 days), as trial 17's gift box was? Else its slow start
    is shorter or higher, or inside its age (dated from its first sale)."""
    from workbench.forecast.models.launch import launch_of

    g = history[history.sku == sku]
    days = pd.date_range(OPENED, g.ds.max())
    y = g.set_index("ds").y.reindex(days, fill_value=0.0).to_numpy()
    start = launch_of(y, days, "D", days[0])
    before = y[int(np.argmax(y > 0)):start] if start is not None else np.zeros(0)
    return len(before) >= 28 and before.mean() < 0.05 * y[start:start + 28].mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    args = parser.parse_args()
    scored = pd.concat([score(seed) for seed in range(args.seeds)], ignore_index=True)
    print(scored.to_string())
    print(f"\n{'kind':<26} {'window':<18} {'n':>3} {'mean':>6} {'min':>6} {'max':>6} {'P10-P90 coverage':>17}")
    for (kind, window), g in scored.groupby(["kind", "window"]):
        print(f"{kind:<26} {window:<18} {len(g):>3} {g.ratio.mean():>6.2f} {g.ratio.min():>6.2f} {g.ratio.max():>6.2f}"
              f" {g.covered.mean():>16.0%}")


if __name__ == "__main__":
    main()
