"""How the workbench's own warnings (model notes, gaps filled, a new event...) are shown: as
``note: ...`` lines, without Python's ``file:line: Category`` prefix and source line, which mean
nothing to a planner. One home for the command line and the notebooks; other libraries'
warnings are shown as before. Imports nothing heavy (the CLI starts without pandas)."""

from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager


def _shown_as_notes(default):
    def show(message, category, filename, lineno, file=None, line=None):
        if category.__module__.startswith("workbench."):
            print(f"note: {message}", file=file or sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)
    show.workbench_notes = True
    return show


@contextmanager
def notes_as_lines():
    """Within the block, the workbench's warnings print as ``note: ...`` lines on stderr."""
    with warnings.catch_warnings():
        warnings.showwarning = _shown_as_notes(warnings.showwarning)
        yield


def show_notes_as_lines() -> None:
    """From now on (a notebook's kernel), the workbench's warnings print as ``note: ...`` lines;
    calling it again changes nothing."""
    if not getattr(warnings.showwarning, "workbench_notes", False):
        warnings.showwarning = _shown_as_notes(warnings.showwarning)
