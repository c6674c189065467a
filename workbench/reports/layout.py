"""Where a report's files live: ``reports/<report>/<logical date>/<report>[__<param tag>].ipynb``.

A *slot* is one report, logical date and parameter tag. Its good outputs sit directly in the
date folder; a failed run's partial notebook and error page go to ``failed/<run id>/`` inside
it, so a failure never replaces the last good report of the slot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError

_REPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")
MAX_TAG = 80  # characters; longer tags are shortened and made unique with a hash

LEDGER_FILE = "ledger.sqlite"
INDEX_FILE = "index.html"
LOCK_DIR = ".locks"


def check_report_name(name: str, where: str = "report name") -> str:
    """``name`` if it is a safe folder name inside ``reports/``, else ``ConfigError``."""
    if not isinstance(name, str) or not _REPORT_NAME.match(name) or ".." in name:
        raise ConfigError(
            f"{where} {name!r} is not allowed: use letters, digits, '_', '-' and '.' (no '/', "
            "no '..', at most 100 characters) so the report stays inside the reports folder"
        )
    return name


def _slug(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "+".join(_slug(item) for item in value)
    if isinstance(value, dict):
        return "+".join(f"{_slug(k)}-{_slug(v)}" for k, v in value.items())
    return _UNSAFE.sub("-", str(value)).strip("-") or "empty"


def param_tag(overrides: dict[str, Any]) -> str:
    """A short, file-safe, deterministic tag for non-default parameters ('' when none)."""
    tag = "_".join(f"{_UNSAFE.sub('-', name)}-{_slug(value)}" for name, value in overrides.items())
    if len(tag) > MAX_TAG:
        digest = hashlib.sha1(tag.encode("utf-8")).hexdigest()[:8]
        tag = f"{tag[: MAX_TAG - 9]}-{digest}"
    return tag


@dataclass(frozen=True)
class Slot:
    """One report on one logical date with one set of parameters."""

    reports_dir: Path
    report: str
    logical_date: dt.date
    tag: str = ""

    @property
    def stem(self) -> str:
        return f"{self.report}__{self.tag}" if self.tag else self.report

    @property
    def folder(self) -> Path:
        return self.reports_dir / self.report / self.logical_date.isoformat()

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.stem}.ipynb"

    @property
    def html(self) -> Path:
        return self.folder / f"{self.stem}.html"

    def failed_folder(self, run_id: str) -> Path:
        return self.folder / "failed" / run_id

    def inside_reports(self) -> "Slot":
        """``self`` after checking that its folder resolves inside ``reports_dir``."""
        check_report_name(self.report)
        root = self.reports_dir.resolve()
        if not self.folder.resolve().is_relative_to(root):
            raise ConfigError(f"report {self.report!r} would be written outside {root}")
        return self
