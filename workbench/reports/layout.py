"""Where a report's files live: ``reports/<report>/<logical date>/<report>[__<param tag>].ipynb``.

A *slot* is one report, logical date and parameter tag. Its good outputs sit directly in the
date folder; a failed run's partial notebook and error page go to ``failed/<run id>/`` inside
it, so a failure never replaces the last good report of the slot.

The parameter tag names a *variant* of a report (a set of non-default parameters): a readable
ASCII slug plus a hash of the parameters' canonical JSON, so two different parameter sets never
share a file name (``region-华东`` and ``region-华南`` differ) and the same set always gets the
same name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError

_REPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")
MAX_SLUG = 48  # characters of the readable part of a parameter tag
HASH_CHARS = 10  # hex digits of the parameters' SHA-256 in a tag (40 bits)

LEDGER_FILE = "ledger.sqlite"
INDEX_FILE = "index.html"
LOCK_DIR = ".locks"
WORK_DIR = ".work"  # inside the reports folder, so renames stay on one file system


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
        return "+".join(f"{_slug(k)}-{_slug(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    return _UNSAFE.sub("-", str(value)).strip("-.") or "x"


def canonical_parameters(overrides: dict[str, Any]) -> str:
    """The canonical JSON text of ``overrides``: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(overrides, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def param_tag(overrides: dict[str, Any]) -> str:
    """A file-safe tag naming the parameter set ``overrides`` ('' when there are none).

    ``<readable slug>-<10 hex digits of SHA-256 of the canonical JSON>``: the slug (at most
    ``MAX_SLUG`` ASCII characters; other characters become '-') is for people, the hash makes
    the tag injective (different parameter sets, different tags, up to a 2**-40 collision
    chance) and stable (same set, same tag, whatever the order the values were given in).
    """
    if not overrides:
        return ""
    digest = hashlib.sha256(canonical_parameters(overrides).encode("utf-8")).hexdigest()[:HASH_CHARS]
    slug = "_".join(f"{_UNSAFE.sub('-', str(name))}-{_slug(value)}" for name, value in sorted(overrides.items()))
    return f"{slug[:MAX_SLUG].rstrip('-_.+')}-{digest}"


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

    def check_writable(self) -> "Slot":
        """``self`` after checking that every folder and file a run writes can be written.

        Raises ``ConfigError`` naming the path when a folder on the way is a file, a file to be
        replaced is a folder, or a folder cannot be written, so the run fails before its kernel
        starts instead of after the notebook ran.
        """
        root = self.reports_dir
        folders = [root, root / WORK_DIR, root / LOCK_DIR, root / self.report, self.folder, self.folder / "failed"]
        for folder in folders:
            for path in [*reversed(folder.parents), folder]:
                if path.exists() and not path.is_dir():
                    raise ConfigError(
                        f"cannot write report {self.report!r}: {path} is a file, but the reports "
                        "need a folder there; move the file away or choose another --reports-dir"
                    )
        for path in (self.notebook, self.html, root / INDEX_FILE):  # the ledger checks its own file
            if path.is_dir():
                raise ConfigError(
                    f"cannot write report {self.report!r}: {path} is a folder, but the reports "
                    "write a file there; move the folder away"
                )
        existing = next(p for p in [self.folder, *self.folder.parents] if p.exists())
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ConfigError(f"cannot write report {self.report!r}: no permission to write in {existing}")
        return self
