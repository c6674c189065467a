"""The event planner on weekly and monthly data against daily: the embedded sample's 6
categories summed to weeks (dated by their Monday, whole weeks only) and to months, each past
window (年货节 2025 and 2026, 618 2026) forecast with ``planning.event_forecast`` from history
ending ``lead`` = 90 days before it, with ``freq`` D, W and MS.

Prints per window and frequency: the national window total as forecast, its error against the
days' own actual total, and the actual total taken the way a weekly or monthly file must take it
(the share of each period's days inside the window, ``data.validate.window_share``) with its
error against the days' own: what spreading a period evenly over its days costs by itself.

Run: ``.venv/bin/python benchmarks/event_nondaily.py`` (about 1 minute on one core). Results:
docs/own-data.md, "Weekly or monthly sales".
"""

import sys
import warnings
from pathlib import Path

from workbench.data.sample import load_sample
from workbench.forecast import planning

sys.path.insert(0, str(Path(__file__).parent))
from periods import to_periods  # noqa: E402

WINDOWS = [("new_year_sale", 2025), ("new_year_sale", 2026), ("618", 2026)]


def main() -> None:
    warnings.simplefilter("ignore")  # the models' notes: the figures are the point here
    days = load_sample("category")[["ds", "category", "units"]].rename(columns={"units": "y"})
    frames = {freq: to_periods(days, ["category"], freq) for freq in ("D", "W", "MS")}
    for event, year in WINDOWS:
        for freq, frame in frames.items():
            result = planning.event_forecast(frame, event=event, year=year, lead=90, keys=["category"], freq=freq)
            total = planning.national_totals(result)
            window = result.window
            truth = days[(days.ds >= window.start) & (days.ds <= window.end)].y.sum()
            print(f"{event} {year} {freq:>2}: forecast {total['yhat']:>12,.0f} ({total['yhat'] / truth - 1:+.1%}); "
                  f"actual {truth:,.0f}, as spread from the periods {total['actual']:,.0f} "
                  f"({total['actual'] / truth - 1:+.1%})", flush=True)


if __name__ == "__main__":
    main()
