"""Retention: remove report outputs older than N days, keep every ledger row.

Only date folders (``reports/<report>/<YYYY-MM-DD>/``) of reports the ledger knows are removed,
never the folder of a report's newest successful run, and never while the report is running.
The ledger rows of removed runs get ``pruned_at`` so the index shows why their links are gone.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from workbench.errors import ParameterError
from workbench.reports.layout import LEDGER_FILE
from workbench.reports.ledger import Ledger, utc_now
from workbench.reports.lock import ReportLocked, report_lock


def prune(reports_dir: str | Path, keep_days: int, today: dt.date | None = None) -> list[Path]:
    """Remove date folders older than ``today - keep_days``; returns the removed folders."""
    if keep_days < 1:
        raise ParameterError(f"retention must keep at least 1 day of outputs, got {keep_days}")
    reports_dir = Path(reports_dir)
    ledger = Ledger(reports_dir / LEDGER_FILE)
    cutoff = (today or dt.date.today()) - dt.timedelta(days=keep_days)
    runs = ledger.runs()
    removed: list[Path] = []
    for report in sorted({run.report for run in runs}):
        mine = [run for run in runs if run.report == report]
        successes = [run.logical_date for run in mine if run.status == "success"]
        newest_good = max(successes, default=None)
        try:
            with report_lock(reports_dir, report):
                for folder in sorted((reports_dir / report).glob("????-??-??")):
                    try:
                        day = dt.date.fromisoformat(folder.name)
                    except ValueError:
                        continue
                    if day >= cutoff or folder.name == newest_good or not folder.is_dir():
                        continue
                    shutil.rmtree(folder)
                    removed.append(folder)
                    gone = [run.run_id for run in mine if run.logical_date == folder.name]
                    ledger.mark_pruned(gone, utc_now())
        except ReportLocked:
            continue  # running now; pruned on a later call
    return removed
