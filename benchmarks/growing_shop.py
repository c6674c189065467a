"""Young shops whose launched SKUs are still rising at the cut-off (trial 17 F7), seeded, with a
known truth: does the default forecast carry a launch's rise where no launch curve exists?

A snack & tea shop opened on 2025-08-01 (trial 17's date) sells three established SKUs (from
its opening) and two SKUs launched 2-9 months before the cut-off (at least five weeks after the
opening: no launch within the panel's first age bin). Two launched products are too few for the
panel's launch curve (``launch.MIN_LAUNCHES``), so the models have no curve to climb. Three shops:

* ``ramp``: the launches still rise to a plateau at the cut-off: their mean at age ``a`` days is
  ``plateau x (1 - exp(-(a + 1) / tau))``, ``tau`` 70-140 days (at the cut-off 35-98% of the
  plateau); the established SKUs are flat;
* ``steady``: the established SKUs grow 15% a year; the launches reach their level in 4 weeks
  and stay there (a launch past its ramp: no rise to carry);
* ``flat``: everything flat, the launches at their level from their first day.

Every SKU shares the shop's events (618 x1.8, 双11 x2.0, 年货节 x1.4, the Spring Festival pause
x0.4), a weekday pattern and a winter season (tea: +-15%, highest in mid-January). A day's units
are negative-binomial (size ``NB_SIZE``) around that mean; the future is one seeded draw of the
same process. 618 2026 is forecast from cut-offs 2026-03-15 and 04-15, 双11 2026 from 07-15 and
08-15. Reported per shop and event over the seeds and cut-offs: the bias of the shop's window
total and of its launched SKUs' (sum of forecasts / sum of actuals - 1), and the SKU coverage:
the share of SKU window totals (all five SKUs) inside their P10-P90 band (the launches' alone in
brackets).

    PYTHONPATH=. .venv/bin/python benchmarks/growing_shop.py [--seeds 8] [--season 0]
    PYTHONPATH=/path/to/main .venv/bin/python benchmarks/growing_shop.py   # before

``--season 0`` drops the winter season (the shops' launches are then rising or flat against a
flat shop: with less than a year of history a launch's rise and its season cannot be told apart).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.core import forecast

sys.path.insert(0, str(Path(__file__).parent))
from launch_lift import event_multiplier  # noqa: E402

OPENED = pd.Timestamp("2025-08-01")
WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # Monday first
NB_SIZE = 20.0  # variance = mean + mean^2 / NB_SIZE
EVENTS = {"618": 0.8, "double11": 1.0, "new_year_sale": 0.4, "spring_festival": -0.6}  # event -> u (x 1+u)
SEASON = 0.15  # the winter season's amplitude (tea), highest on January 15
SHOPS = ("ramp", "steady", "flat")
CUTS = {"618": ("2026-03-15", "2026-04-15"), "double11": ("2026-07-15", "2026-08-15")}
LAUNCHED = ("L1", "L2")


def season(days: pd.DatetimeIndex, amplitude: float = SEASON) -> np.ndarray:
    """The shop's yearly season: ``1 + amplitude x cos(2 pi (day of year - 15) / 365.25)``."""
    return 1 + amplitude * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 15) / 365.25)


def shop(kind: str, cut: str, seed: int, amplitude: float = SEASON) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history (through ``cut``) and the future (to 2026-11-30) of a ``kind`` shop (``SHOPS``),
    ``[category, sku, ds, y]``, the future with ``mean`` (the process's expected units a day);
    each SKU's rows start on its first day (the shop's opening or its launch); ``amplitude``: the
    winter season's (``season``)."""
    rng = np.random.default_rng([SHOPS.index(kind), seed, int(pd.Timestamp(cut).month)])
    cut = pd.Timestamp(cut)
    days = pd.date_range(OPENED, "2026-11-30")
    base = WEEKDAY[days.day_of_week] * event_multiplier(days, EVENTS) * season(days, amplitude)
    years = (days - OPENED).days.to_numpy() / 365.25
    frames = []
    for i in range(3):
        growth = 0.15 if kind == "steady" else 0.0
        mean = rng.uniform(20, 40) * (1 + growth) ** years * base
        frames.append(("snack", f"E{i + 1}", days, mean))
    latest = min(270, (cut - OPENED).days - 35)  # launched after the panel's first age bin
    for sku in LAUNCHED:
        launch = cut - pd.Timedelta(days=int(rng.integers(60, latest + 1)))
        age = (days - launch).days.to_numpy()
        if kind == "ramp":
            rise = 1 - np.exp(-(age + 1) / rng.uniform(70, 140))
        elif kind == "steady":
            rise = np.clip((age + 1) / 28, 0, 1)
        else:
            rise = np.ones(len(days))
        mean = rng.uniform(50, 90) * np.where(age >= 0, rise, 0.0) * base
        frames.append(("tea", sku, days[age >= 0], mean[age >= 0]))
    parts = [pd.DataFrame({"category": cat, "sku": sku, "ds": ds, "mean": mean,
                           "y": rng.negative_binomial(NB_SIZE, NB_SIZE / (NB_SIZE + mean)).astype(float)})
             for cat, sku, ds, mean in frames]
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame.ds <= cut].drop(columns="mean").reset_index(drop=True), \
        frame[frame.ds > cut].reset_index(drop=True)


def score(kind: str, event: str, cut: str, seed: int, amplitude: float = SEASON) -> pd.DataFrame:
    """One SKU per row of the default forecast of ``shop(kind, cut, seed, amplitude)`` over
    ``event``'s 2026 window: ``sku``, ``launched``, ``yhat``, ``q10``, ``q90``, ``actual`` (window
    totals), ``notes`` (the SKU's notes, joined)."""
    history, future = shop(kind, cut, seed, amplitude)
    window = default_calendar().window(event, 2026)
    horizon = int((window.end - pd.Timestamp(cut)).days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = forecast(history, horizon=horizon, keys=["category", "sku"], window=(window.start, window.end),
                       n_jobs=1)
    bands = pd.DataFrame(out.attrs["window_bands"]).set_index("sku")
    inside = future[(future.ds >= window.start) & (future.ds <= window.end)]
    actual = inside.groupby("sku")["y"].sum()
    return pd.DataFrame({"sku": actual.index, "launched": actual.index.isin(LAUNCHED),
                         "yhat": bands.loc[actual.index, "yhat"].to_numpy(),
                         "q10": bands.loc[actual.index, "yhat_q10"].to_numpy(),
                         "q90": bands.loc[actual.index, "yhat_q90"].to_numpy(), "actual": actual.to_numpy(),
                         "notes": [" | ".join(n.note for n in out.attrs["notes"]
                                              if getattr(n, "key", {}).get("sku") == sku) for sku in actual.index]})


def summary(rows: pd.DataFrame) -> dict:
    """Bias of the shop's total and of the launches', SKU coverage (all, launches), over ``rows``."""
    launched = rows[rows.launched]
    covered = (rows.q10 <= rows.actual) & (rows.actual <= rows.q90)
    return {"shop bias": rows.yhat.sum() / rows.actual.sum() - 1,
            "launch bias": launched.yhat.sum() / launched.actual.sum() - 1,
            "SKU coverage": covered.mean(), "launch coverage": covered[rows.launched].mean()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--shops", default=",".join(SHOPS))
    parser.add_argument("--season", type=float, default=SEASON, help="the winter season's amplitude")
    args = parser.parse_args()
    print(f"{'shop':<7} {'event':<9} {'shop bias':>9} {'launch bias':>11} {'SKU coverage (launches)':>24}")
    for kind in args.shops.split(","):
        for event, cuts in CUTS.items():
            rows = pd.concat([score(kind, event, cut, seed, args.season) for cut in cuts for seed in range(args.seeds)])
            s = summary(rows)
            print(f"{kind:<7} {event:<9} {s['shop bias']:>+9.0%} {s['launch bias']:>+11.0%} "
                  f"{s['SKU coverage']:>15.0%} ({s['launch coverage']:.0%})", flush=True)


if __name__ == "__main__":
    main()
