"""Two young-series faults of the default forecast, on seeded daily panels with a known future.

* ``gift``: a slow 年货 gift box (0.5-1.5 a day, no launch of the panel's curve: a slow seller)
  first sold 5-7 weeks before the cut-off, too few days for ``event_profile`` (56), in a shop of
  four established gift boxes (its category: 年货节 x3.5, 双11 x1.8) and four snacks. Asked for
  the 年货节 window of 2027 from a cut in late November / December (``new_year_sale``), or for 618
  2026 from a cut in April (``618``). It borrows its category's pooled event profile
  (``core.level_priors``); too short for its own model, it went to the seasonal naive, which
  ignores that prior.
* ``peak``: a series at 60-140 a day with the shop's 618 / 双11 / 年货节 lifts and a run of 14-21
  days at x4-x6 in August-September that no calendar event explains (a 中秋 mooncake peak in a
  calendar without 中秋, or a one-off influencer livestream), ended 7-14 days before a cut-off in
  September / October; asked for 双11 2026. ``events`` is the same series without that run: its
  only peaks are calendar events, which the rule must leave alone.

Each day is negative-binomial (size ``NB_SIZE``) around level x weekday x the events' multipliers;
the future is one seeded draw of the same process. Reported per case over the seeds: the window
forecast / actual (mean, median, P10-P90 spread of the ratios) and the share of the actual window
totals inside the forecast's P10-P90 band. Run it on main's checkout for the figures before:

    .venv/bin/python benchmarks/launch_lift.py [--seeds 12]
    PYTHONPATH=/path/to/main .venv/bin/python benchmarks/launch_lift.py   # before
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.core import forecast

WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # Monday first
NB_SIZE = 20.0  # variance = mean + mean^2 / NB_SIZE
GIFT = {"618": 0.3, "double11": 0.8, "new_year_sale": 2.5, "spring_festival": -0.8}  # event -> uplift u (x 1+u)
SNACK = {"618": 0.6, "double11": 1.0, "new_year_sale": 0.5, "spring_festival": -0.7}
SHOP = {"618": 0.8, "double11": 1.2, "new_year_sale": 0.4, "spring_festival": -0.6}
DAYS = pd.date_range("2024-01-01", "2027-03-31")
TARGET = "NEW"  # the series each case scores
CASES = ("gift_new_year_sale", "gift_618", "peak", "events")


def event_multiplier(days: pd.DatetimeIndex, uplift: dict[str, float]) -> np.ndarray:
    """Per day, the product of ``1 + u`` over the calendar's event windows holding it (1 outside);
    ``uplift``: event -> u (a pause's is negative)."""
    calendar = default_calendar()
    out = np.ones(len(days))
    for event, u in uplift.items():
        for window in calendar.windows(event, days[0], days[-1]):
            out[(days >= window.start) & (days <= window.end)] *= 1 + u
    return out


def _draw(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    return rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + mean)).astype(float)


def gift_box_panel(seed: int, event: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple, int]:
    """The ``gift`` case (module docstring) for ``event`` ``"new_year_sale"`` (cut 2026-11-25 to
    2026-12-15, window 2027) or ``"618"`` (cut 2026-04-08 to 2026-04-25, window 2026):
    ``(history, future, (window start, window end), horizon in days)``, frames of
    ``[category, sku, ds, y]`` (the future's ``y`` the draw scored against); each series' rows
    begin on its first day (the box's on its launch, 35-49 days before the cut)."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    if event == "new_year_sale":
        cut, window = pd.Timestamp("2026-11-25") + pd.Timedelta(days=int(rng.integers(0, 21))), \
            calendar.window("new_year_sale", 2027)
    else:
        cut, window = pd.Timestamp("2026-04-08") + pd.Timedelta(days=int(rng.integers(0, 18))), \
            calendar.window("618", 2026)
    launch = cut - pd.Timedelta(days=int(rng.integers(35, 50)) - 1)
    series = [(f"G{i}", "gift", rng.uniform(20, 60), GIFT, DAYS[0]) for i in range(4)] \
        + [(f"S{i}", "snack", rng.uniform(40, 100), SNACK, DAYS[0]) for i in range(4)] \
        + [(TARGET, "gift", rng.uniform(0.5, 1.5), GIFT, launch)]
    frames = []
    for sku, category, level, uplift, start in series:
        days = DAYS[DAYS >= start]
        y = _draw(rng, level * WEEKDAY[days.day_of_week] * event_multiplier(days, uplift))
        frames.append(pd.DataFrame({"category": category, "sku": sku, "ds": days, "y": y}))
    frame = pd.concat(frames, ignore_index=True)
    return frame[frame.ds <= cut], frame[frame.ds > cut], (window.start, window.end), int((window.end - cut).days)


def peak_panel(seed: int, peak: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, tuple, int]:
    """The ``peak`` case (``peak`` True) or its ``events`` control (module docstring): four
    peers and the scored series, ``[sku, ds, y]`` from 2024-06-01, cut 2026-09-20 to 2026-10-05;
    returns as ``gift_box_panel``. The run (14-21 days at x4-x6) ends 7-14 days before the cut."""
    rng = np.random.default_rng(1000 + seed)
    cut = pd.Timestamp("2026-09-20") + pd.Timedelta(days=int(rng.integers(0, 16)))
    length, gap, size = int(rng.integers(14, 22)), int(rng.integers(7, 15)), rng.uniform(4, 6)
    first = cut - pd.Timedelta(days=gap + length - 1)
    days = DAYS[DAYS >= "2024-06-01"]
    run = (days >= first) & (days < first + pd.Timedelta(days=length))
    window = default_calendar().window("double11", 2026)
    frames = []
    for i in range(5):
        level = rng.uniform(60, 140)
        mean = level * WEEKDAY[days.day_of_week] * event_multiplier(days, SHOP)
        if i == 0 and peak:
            mean = mean * np.where(run, size, 1.0)
        frames.append(pd.DataFrame({"sku": TARGET if i == 0 else f"P{i}", "ds": days, "y": _draw(rng, mean)}))
    frame = pd.concat(frames, ignore_index=True)
    return frame[frame.ds <= cut], frame[frame.ds > cut], (window.start, window.end), int((window.end - cut).days)


def panel(case: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, tuple, int]:
    """One of ``CASES``' panels."""
    if case.startswith("gift_"):
        return gift_box_panel(seed, case.removeprefix("gift_"))
    return peak_panel(seed, peak=case == "peak")


def score(case: str, seed: int) -> dict:
    """The default forecast of ``case``'s panel for ``seed``, scored on ``TARGET``'s window:
    ``ratio`` (window forecast / actual), ``covered`` (actual inside P10-P90), and its notes."""
    history, future, (start, end), horizon = panel(case, seed)
    keys = [c for c in history.columns if c not in ("ds", "y")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = forecast(history, horizon=horizon, keys=keys, window=(start, end), n_jobs=1)
    bands = pd.DataFrame(out.attrs["window_bands"])
    row = bands[bands.sku == TARGET].iloc[0]
    actual = future[(future.sku == TARGET) & (future.ds >= start) & (future.ds <= end)].y.sum()
    return {"ratio": row.yhat / actual, "covered": bool(row.yhat_q10 <= actual <= row.yhat_q90),
            "notes": [n.note for n in out.attrs["notes"] if getattr(n, "key", {}).get("sku") == TARGET]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args()
    print(f"{'case':<20} {'mean':>7} {'median':>7} {'P10..P90 of ratio':>19} {'P10-P90 coverage':>17}")
    for case in CASES:
        scored = [score(case, seed) for seed in range(args.seeds)]
        r = np.array([s["ratio"] for s in scored])
        p10, p90 = np.quantile(r, [0.1, 0.9])
        print(f"{case:<20} {r.mean() - 1:>+7.0%} {np.median(r) - 1:>+7.0%} {p10 - 1:>+9.0%}..{p90 - 1:<+9.0%}"
              f" {np.mean([s['covered'] for s in scored]):>16.0%}")


if __name__ == "__main__":
    main()
