"""How often ``validate.short_period_note`` names a last period as cut short, on real data: every
date of the parcel network's daily tables (2021-2022, ``../shared/data``) taken in turn as a table's last
period, whole (a note there is a false one) and cut to a share of its units (a morning's export:
a note there is found). Days, and the same tables summed to weeks and months.

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/unfinished_period.py

Prints, per table and frequency, the share of cuts noted whole and at each cut share. Exits 0
with a message when the data are absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from periods import to_periods  # noqa: E402

from workbench.data.validate import short_period_note  # noqa: E402

SHARES = (1.0, 0.5, 0.3)  # the last period's units kept: 1.0 whole
FIRST = {"D": 60, "W": 9, "MS": 4}  # periods of history before the first cut


def noted(frame: pd.DataFrame, freq: str, share: float) -> tuple[int, int]:
    """(cuts noted, cuts) over every period of ``frame`` (``[keys..., ds, y]``) after ``FIRST``."""
    dates = sorted(frame["ds"].unique())[FIRST[freq]:]
    hits = 0
    for day in dates:
        cut = frame[frame["ds"] <= day].assign(y=lambda f: f["y"].astype(float))
        cut.loc[cut["ds"] == day, "y"] *= share
        hits += bool(short_period_note(cut, freq, "table"))
    return hits, len(dates)


def main() -> int:
    shared = Path(os.environ.get("WORKBENCH_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
    folder = shared / "data" / "ecom_parcels_2021_2022"
    if not folder.is_dir():
        print(f"no parcel data at {folder}: set WORKBENCH_SHARED")
        return 0
    total = pd.read_csv(folder / "daily_total.csv", parse_dates=["date"]).rename(columns={"date": "ds", "volume": "y"})
    origins = pd.read_csv(folder / "daily_by_origin.csv", parse_dates=["date"]).rename(
        columns={"date": "ds", "volume": "y"})
    largest = origins.groupby("origin")["y"].sum().nlargest(20).index
    tables = {"total": (total, []), "20 largest origins (one table)": (origins[origins.origin.isin(largest)], ["origin"])}
    print("table | freq | " + " | ".join(f"noted at {s:.0%} of its units" for s in SHARES))
    for name, (frame, keys) in tables.items():
        for freq in ("D", "W", "MS"):
            periods = to_periods(frame[[*keys, "ds", "y"]], keys, freq)
            cells = [noted(periods, freq, share) for share in SHARES]
            print(f"{name} | {freq} | " + " | ".join(f"{h} of {n} ({h / n:.1%})" for h, n in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
