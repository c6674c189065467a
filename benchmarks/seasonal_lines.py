"""Seeded seasonal lines with a short history against their generator's truth (no ../shared data
needed): a summer line (fans, swimwear, sun cream) cut in March-April and asked for 618, a winter
line (down jackets, knitwear) cut in July-September and asked for Double 11, each launched 13 to
24 months before the cut-off, so it has seen its own launch ramp and one or two seasons.

Each panel is a shop of ``STEADY`` year-round lines sold since 2023 and three seasonal lines of one
kind launched within a few weeks of each other (the pooled launch curve needs three launches:
``launch.MIN_LAUNCHES``), plus ``LAUNCHED`` year-round lines launched in the year before the cut-off:
the launches the curve is meant for. Every line has the same 618 and Double 11 lifts. A seasonal
line's mean a day is its level x its own launch ramp (20% of its level at launch, settled in about
three months) x its yearly season (x12 from its low to its peak, low but not off: no yearly off
season) x the event lift. Asked for the event window of the cut-off's year, the measure is the
window total forecast over the window's sales (mean, median, spread over seeds per history
length), the window WAPE, and whether the sales lie inside the window total's P10-P90 band.

    PYTHONPATH=. .venv/bin/python benchmarks/seasonal_lines.py [--kind summer winter] [--months 13 16 20 24] [--seeds 4]

The generator (``seasonal_panel``) is also the tests' (``tests/forecast/test_seasonal_lines.py``).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.forecast.core import forecast

PANEL_START = pd.Timestamp("2023-01-01")
STEADY, LAUNCHED = 12, 2  # year-round lines sold since PANEL_START, and launched in the year before the cut-off
# per kind: the day of the year of the season's peak, the event asked for, the months the cut-off falls in
KINDS = {"summer": (196, "618", (3, 4)), "winter": (345, "double11", (7, 8, 9))}
SEASON_RANGE = 12.0  # a seasonal line's peak over its low
EVENT_LIFT, PEAK_LIFT = 1.4, 2.5  # an event window's day, and its peak days
MONTH_DAYS = 30.44


def season(days: pd.DatetimeIndex, peak_day: int) -> np.ndarray:
    """Log season (shape (len(days),)) of a line whose yearly peak falls on day ``peak_day`` of the
    year: ``log(SEASON_RANGE) / 2`` times the cosine of the distance to it, from the low half a
    year away to the peak x``SEASON_RANGE`` above it."""
    return np.log(SEASON_RANGE) / 2 * np.cos(2 * np.pi * (days.dayofyear - peak_day) / 365.25)


def ramp(days: pd.DatetimeIndex, launch: pd.Timestamp) -> np.ndarray:
    """A launch's own ramp: 0 before ``launch``, 20% of its level on the day, settling toward 100%
    with a time constant of 30 days. Shape (len(days),)."""
    age = (days - launch).days.to_numpy().astype(float)
    return np.where(age >= 0, 1 - 0.8 * np.exp(-np.maximum(age, 0) / 30.0), 0.0)


def event_lift(days: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Multiplier of each day (shape (len(days),)): ``EVENT_LIFT`` on 618's and Double 11's window
    days, ``PEAK_LIFT`` on their peak days, 1 elsewhere."""
    lift = np.ones(len(days))
    for event in ("618", "double11"):
        for window in calendar.windows(event, days[0], days[-1]):
            lift[(days >= window.start) & (days <= window.end)] = EVENT_LIFT
            lift[days.isin(pd.DatetimeIndex(window.peaks))] = PEAK_LIFT
    return lift


def seasonal_panel(seed: int, kind: str, months: int) -> tuple[pd.DataFrame, pd.DataFrame, tuple, pd.Timestamp]:
    """One seeded shop (see the module docstring) whose seasonal line ``S0`` of ``kind`` ("summer"
    or "winter") was launched ``months`` months before the cut-off (``S1`` and ``S2`` within three
    weeks after it). Returns the history to the cut-off (``[sku, ds, y]``, units a day), the whole
    generated frame to the window's end with its mean (``[sku, ds, y, mean]``), the window asked for
    (first and last day) and the cut-off."""
    peak_day, event, cut_months = KINDS[kind]
    rng = np.random.default_rng(seed)
    calendar = RetailCalendar()
    cut = pd.Timestamp(2026, int(rng.choice(cut_months)), int(rng.integers(1, 29)))
    window = calendar.next_window(event, cut)
    days = pd.date_range(PANEL_START, window.end)
    lift = event_lift(days, calendar)
    launch = cut - pd.Timedelta(days=int(round(months * MONTH_DAYS)))
    lines = {f"F{i}": (rng.uniform(20, 80), 0.0, PANEL_START) for i in range(STEADY)}
    lines |= {f"L{i}": (rng.uniform(15, 50), 0.0, cut - pd.Timedelta(days=int(rng.integers(60, 330))))
              for i in range(LAUNCHED)}
    lines |= {f"S{i}": (rng.uniform(10, 30), season(days, peak_day), launch + pd.Timedelta(days=10 * i))
              for i in range(3)}
    frames = []
    for sku, (level, log_season, start) in lines.items():
        mean = level * np.exp(log_season) * lift * (ramp(days, start) if start > PANEL_START else 1.0)
        y = rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days))).astype(float)
        frames.append(pd.DataFrame({"sku": sku, "ds": days, "y": y, "mean": mean}))
    whole = pd.concat(frames, ignore_index=True)
    whole = whole[whole["mean"] > 0]  # no rows before a line's launch: its history starts there
    history = whole.loc[whole.ds <= cut, ["sku", "ds", "y"]].reset_index(drop=True)
    return history, whole, (window.start, window.end), cut


def window_forecast(seed: int, kind: str, months: int, sku: str = "S0") -> dict:
    """The window total of line ``sku`` of ``seasonal_panel(seed, kind, months)``: its forecast
    (``yhat`` and its P10-P90, from ``core.forecast(window=...)``) and its sales (``actual``)."""
    history, whole, window, cut = seasonal_panel(seed, kind, months)
    fc = forecast(history, horizon=int((window[1] - cut).days), keys=["sku"], window=window, n_jobs=1)
    band = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku").loc[sku]
    inside = whole[(whole.sku == sku) & (whole.ds >= window[0]) & (whole.ds <= window[1])]
    return {"yhat": float(band["yhat"]), "q10": float(band["yhat_q10"]), "q90": float(band["yhat_q90"]),
            "actual": float(inside["y"].sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", nargs="+", choices=sorted(KINDS), default=sorted(KINDS, reverse=True))
    parser.add_argument("--months", nargs="+", type=int, default=[13, 16, 20, 24])
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: give at least 1 seed")
    if any(not 13 <= m <= 36 for m in args.months):
        parser.error(f"--months {args.months}: a history of 13 to 36 months (a seasonal line past its first year)")
    warnings.filterwarnings("ignore")
    for kind in args.kind:
        every = []
        for months in args.months:
            runs = [window_forecast(seed, kind, months) for seed in range(args.seeds)]
            every += runs
            ratio = np.array([r["yhat"] / r["actual"] for r in runs])
            print(f"{kind} {KINDS[kind][1]}, {months} months: {args.seeds} seeds, window forecast/actual mean "
                  f"{ratio.mean():.2f}, median {np.median(ratio):.2f}, spread {ratio.min():.2f}-{ratio.max():.2f}; "
                  f"WAPE {_wape(runs):.1%}; P10-P90 coverage {_covered(runs)}/{len(runs)}", flush=True)
        print(f"{kind} {KINDS[kind][1]}, all: WAPE {_wape(every):.1%}, P10-P90 coverage "
              f"{_covered(every)}/{len(every)} ({_covered(every) / len(every):.0%})", flush=True)


def _wape(runs: list[dict]) -> float:
    return sum(abs(r["yhat"] - r["actual"]) for r in runs) / sum(r["actual"] for r in runs)


def _covered(runs: list[dict]) -> int:
    return sum(r["q10"] <= r["actual"] <= r["q90"] for r in runs)


if __name__ == "__main__":
    main()
