"""Retention: remove report outputs older than N days, keep every ledger row.

Retention works run by run, from the ledger: the outputs (page, notebook, failed-run folder) of a
run whose logical date is older than ``today - keep_days`` are removed, except

- the newest successful run of every variant (report and parameter tag): a report's default
  variant keeps its last good page even when other variants ran since;
- files a kept run still points at (a later run of the same slot replaced them);
- anything of a report that is running now (its lock is held): pruned on a later call.

Files the ledger does not know are never touched; date folders left empty are removed. The
ledger rows of removed runs get ``pruned_at``, and the index is rewritten so it has no dead
links ("removed by retention").
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from workbench.errors import ParameterError
from workbench.reports import limits
from workbench.reports.index import write_index
from workbench.reports.layout import LEDGER_FILE
from workbench.reports.ledger import Ledger, RunRecord, utc_now
from workbench.reports.lock import ReportLocked, report_lock



def check_keep_days(keep_days: object, where: str = "--days") -> int:
    """``keep_days`` if it is a whole number of days from 1 to ``limits.MAX_RETENTION_DAYS``, else ``ParameterError``."""
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or not 1 <= keep_days <= limits.MAX_RETENTION_DAYS:
        raise ParameterError(f"{where} must be a whole number of days from 1 to {limits.MAX_RETENTION_DAYS}, got {keep_days!r}")
    return keep_days


def _newest_good(runs: list[RunRecord]) -> set[str]:
    """Run ids of the newest successful run of every (report, tag)."""
    newest: dict[tuple[str, str], RunRecord] = {}
    for run in runs:
        if run.status != "success":
            continue
        best = newest.get(run.series)
        if best is None or (run.logical_date, run.started_at) > (best.logical_date, best.started_at):
            newest[run.series] = run
    return {run.run_id for run in newest.values()}


def prune(
    reports_dir: str | Path, keep_days: int, today: dt.date | None = None, *, update_index: bool = True
) -> list[Path]:
    """Remove outputs of runs older than ``today - keep_days``; returns the removed paths.

    Raises ``ParameterError`` when ``keep_days`` is outside 1 to ``limits.MAX_RETENTION_DAYS``. Rewrites
    ``index.html`` afterwards unless ``update_index`` is false (the caller writes it).
    """
    check_keep_days(keep_days)
    reports_dir = Path(reports_dir)
    ledger = Ledger(reports_dir / LEDGER_FILE)
    cutoff = ((today or dt.date.today()) - dt.timedelta(days=keep_days)).isoformat()
    runs = ledger.runs()
    keep = _newest_good(runs)
    removed: list[Path] = []
    for report in sorted({run.report for run in runs}):
        mine = [run for run in runs if run.report == report]
        old = [run for run in mine if run.logical_date < cutoff and run.run_id not in keep
               and not run.pruned_at and run.status != "running"]
        if not old:
            continue
        kept_files = {rel for run in mine if run not in old for rel in run.outputs.values()}
        try:
            with report_lock(reports_dir, report):
                for run in old:
                    removed += _remove_outputs(reports_dir, run, kept_files)
                ledger.mark_pruned([run.run_id for run in old], utc_now())
        except ReportLocked:
            continue  # running now; pruned on a later call
    if update_index:
        write_index(reports_dir)
    return removed


def _remove_outputs(reports_dir: Path, run: RunRecord, kept_files: set[str]) -> list[Path]:
    """Delete the files of ``run`` no kept run points at, then its emptied folders."""
    removed = []
    root = reports_dir.resolve()
    for rel in sorted(set(run.outputs.values()) - kept_files):
        path = (reports_dir / rel).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            continue  # never outside the reports folder; already gone
        path.unlink()
        removed.append(reports_dir / rel)
        folder = path.parent
        while folder != root and folder.parent != root and not any(folder.iterdir()):
            folder.rmdir()  # failed/<run id>/, failed/, <date>/ once empty; never <report>/
            folder = folder.parent
    return removed
