"""Campaign weeks in a budget history: fitted against true curves, without and with a
``campaign`` column (trial 6 #8; no ../shared data needed).

The trial-6 shop's generator (``gen_fin.py``: 5 channels, 104 weeks, Hill responses; in campaign
weeks spend is 1.5-2.2x and GMV 1.08x beyond the spend's effect) wrote ``channels_weekly.csv``
(``week, channel, spend, gmv``) and ``channels_truth.csv`` (the true yearly curves). This runs the
trial's ``plan_ours.yaml`` (budget mode, ROI >= 5, 100 bootstrap refits) twice: on the history as
written, and with a ``campaign`` column from the generator's campaign rule (copied below). Per
run it prints the plan's spend, its fitted GMV and 90% interval, its GMV and ROI on the TRUE
curves and whether the truth lies in the interval; per channel the fitted and true shape ``s``,
the fitted over true GMV at last year's spend and the fitted campaign lift; and the notes.

    .venv/bin/python benchmarks/budget_campaign.py --trial /work/trial6/scratch
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from workbench.budget.curves import hill
from workbench.budget.run import run_scenario


def campaign(week: str) -> str:
    """The generator's campaign rule (gen_fin.py), named: the week's Thursday decides."""
    d = pd.Timestamp(week) + pd.Timedelta(days=3)
    if (d.month == 6 and d.day <= 20) or (d.month == 5 and d.day >= 25):
        return "618"
    if (d.month == 10 and d.day >= 20) or (d.month == 11 and d.day <= 12):
        return "双11"
    if (d.month == 1 and d.day <= 25 and d.year == 2025) or \
            (d.year == 2026 and (d.month == 1 or (d.month == 2 and d.day <= 8))):
        return "年货节"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trial", type=Path, required=True, help="folder with channels_weekly.csv, "
                        "channels_truth.csv and plan_ours.yaml of trial 6")
    args = parser.parse_args()
    history = pd.read_csv(args.trial / "channels_weekly.csv")
    truth = pd.read_csv(args.trial / "channels_truth.csv").set_index("channel")
    true_gmv = lambda c, x: hill(x, truth.loc[c, "vmax_year"], truth.loc[c, "k_year"], truth.loc[c, "s"])  # noqa: E731
    plan = (args.trial / "plan_ours.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="budget-campaign-") as folder:
        folder = Path(folder)
        history.to_csv(folder / "plain.csv", index=False)
        history.assign(campaign=history["week"].map(campaign)).to_csv(folder / "marked.csv", index=False)
        for name in ("plain", "marked"):
            path = folder / f"{name}.yaml"
            path.write_text(plan.replace("history: channels_weekly.csv", f"history: {name}.csv"), encoding="utf-8")
            result = run_scenario(path)
            fits = result.fits.table.set_index("channel")
            spend = result.allocation.channels.set_index("channel")["spend"]
            gmv = sum(true_gmv(c, spend[c]) for c in spend.index)
            low, high = result.gmv_interval
            print(f"== {name}: spend {spend.sum() / 1e6:.1f}M, fitted GMV {result.allocation.total_gmv / 1e6:.1f}M "
                  f"(90% {low / 1e6:.1f}..{high / 1e6:.1f}M); on the TRUE curves GMV {gmv / 1e6:.1f}M, "
                  f"ROI {gmv / spend.sum():.3f}; truth inside the interval: {low <= gmv <= high}")
            for c in spend.index:
                last = truth.loc[c, "last_year_spend"]
                fitted = hill(last, fits.loc[c, "vmax"], fits.loc[c, "k"], fits.loc[c, "s"])
                print(f"   {c}: s {fits.loc[c, 's']:.2f} (true {truth.loc[c, 's']:.2f}); GMV at last year's spend "
                      f"{fitted / true_gmv(c, last) - 1:+.1%} against the truth; campaign lift "
                      f"{fits.loc[c, 'campaign_lift']:.3f} [{fits.loc[c, 'campaign_lift_low']:.3f}, "
                      f"{fits.loc[c, 'campaign_lift_high']:.3f}]")
            for note in result.fits.notes:
                print(f"   note: {note}")


if __name__ == "__main__":
    main()
