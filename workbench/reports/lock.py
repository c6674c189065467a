"""A per-report lock so two overlapping runs of the same report cannot happen.

``flock`` on ``reports/.locks/<report>.lock``: the kernel releases it when the holder exits, even
if it is killed, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workbench.errors import ReportError
from workbench.reports.layout import LOCK_DIR, check_report_name


class ReportLocked(ReportError):
    """Another run of the same report holds its lock."""


@contextmanager
def report_lock(reports_dir: str | Path, report: str) -> Iterator[Path]:
    """Hold the lock of ``report`` for the ``with`` block, or raise ``ReportLocked`` at once."""
    path = Path(reports_dir) / LOCK_DIR / f"{check_report_name(report)}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise ReportLocked(
                f"report '{report}' is already running (lock {path} held by pid {holder}); "
                "wait for that run to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield path
    finally:
        os.close(fd)
