"""The run ledger: one SQLite row per report run, kept even when old outputs are pruned.

Times are ISO 8601 strings in UTC; ``duration_s`` is in seconds; ``parameters``, ``variant``
(the non-default parameters), ``outputs`` (paths relative to the reports folder), ``results``,
``answers`` (optimizer answer statuses), ``result_kinds`` (how each result is shown: share,
money, units, number) and ``data_range`` are JSON; ``timezone`` is the IANA
name the run's logical date is counted in.

A file that is not an SQLite database, or an empty (0-byte) file, is refused with a
``ConfigError`` (exit 2) before anything runs: an empty ledger means the history was lost, and
silently starting a new one would hide that.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError
from workbench.reports.limits import DEFAULT_TIMEZONE  # also of rows written before runs kept a zone

STATUSES = ("running", "success", "failed", "kernel_died", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id          TEXT PRIMARY KEY,
    report          TEXT NOT NULL,
    param_tag       TEXT NOT NULL DEFAULT '',
    notebook        TEXT NOT NULL,
    parameters      TEXT NOT NULL DEFAULT '{}',
    logical_date    TEXT NOT NULL,
    slot_time       TEXT NOT NULL,
    trigger         TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    duration_s      REAL,
    status          TEXT NOT NULL,
    error           TEXT,
    exit_code       INTEGER,
    outputs         TEXT NOT NULL DEFAULT '{}',
    results         TEXT NOT NULL DEFAULT '{}',
    data_range      TEXT,
    package_version TEXT NOT NULL,
    pruned_at       TEXT,
    answers         TEXT NOT NULL DEFAULT '[]',
    variant         TEXT NOT NULL DEFAULT '{}',
    timezone        TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    result_kinds    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_by_report ON runs (report, started_at);
"""
# Columns added after the first release: (name, declaration) for ALTER TABLE on older ledgers.
_ADDED_COLUMNS = (
    ("answers", "TEXT NOT NULL DEFAULT '[]'"),
    ("variant", "TEXT NOT NULL DEFAULT '{}'"),
    ("timezone", "TEXT NOT NULL DEFAULT 'Asia/Shanghai'"),
    ("result_kinds", "TEXT NOT NULL DEFAULT '{}'"),
)


@dataclass
class RunRecord:
    """One row of the ledger."""

    run_id: str
    report: str
    notebook: str
    logical_date: str
    slot_time: str
    trigger: str
    started_at: str
    package_version: str
    param_tag: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    ended_at: str | None = None
    duration_s: float | None = None
    error: str | None = None
    exit_code: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    data_range: dict[str, str] | None = None
    pruned_at: str | None = None
    answers: list[dict[str, str]] = field(default_factory=list)
    variant: dict[str, Any] = field(default_factory=dict)
    timezone: str = DEFAULT_TIMEZONE
    result_kinds: dict[str, str] = field(default_factory=dict)  # name -> share|money|units|number

    @property
    def series(self) -> tuple[str, str]:
        """Runs of one report with the same parameter tag form a comparable series."""
        return (self.report, self.param_tag)


_JSON_FIELDS = ("parameters", "outputs", "results", "data_range", "answers", "variant", "result_kinds")


def utc_now() -> str:
    # microseconds: two runs in the same second must still sort in the order they started
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class Ledger:
    """Run history stored in ``path`` (an SQLite file, created on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def check(self) -> None:
        """Raise ``ConfigError`` unless the ledger is absent or a readable run ledger.

        Called before any kernel starts; also creates or upgrades the table.
        """
        if self.path.exists():
            with closing(self._connect()):
                pass

    def _refuse(self, problem: str) -> ConfigError:
        return ConfigError(
            f"run ledger {self.path} {problem}. The reports next to it are untouched; nothing "
            "was run. Restore the ledger from a backup, or move it away to start a new run "
            "history (the index then lists only runs from then on)"
        )

    def _create(self) -> None:
        """Create the ledger with its table in one step (a hard link of a finished file), so a
        process reading it at the same moment never sees an empty file."""
        if not self.path.parent.is_dir():
            if self.path.parent.exists():
                raise self._refuse(f"cannot be created: {self.path.parent} is a file, not a folder")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        try:
            with closing(sqlite3.connect(tmp)) as conn:
                conn.executescript(_SCHEMA)
            os.link(tmp, self.path)
        except FileExistsError:
            pass  # another process created it first
        finally:
            tmp.unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise self._refuse("is a folder, not a file")
        if self.path.exists() and self.path.stat().st_size == 0:
            raise self._refuse("is empty (0 bytes): its run history was lost (a truncated or "
                               "replaced file)")
        if not self.path.exists():
            self._create()
        try:
            conn = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise self._refuse(f"cannot be opened ({exc})") from None
        try:
            conn.row_factory = sqlite3.Row
            conn.executescript(_SCHEMA)
            present = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
            for name, declaration in _ADDED_COLUMNS:
                if name not in present:
                    conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {declaration}")
            conn.commit()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._refuse(f"is not a workbench run ledger (SQLite: {exc})") from None
        return conn

    def _write(self, sql: str, params: tuple | list) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute(sql, params)

    def start(self, run: RunRecord) -> None:
        """Insert ``run`` (status ``running``)."""
        row = {k: v for k, v in run.__dict__.items()}
        for key in _JSON_FIELDS:
            row[key] = None if row[key] is None else json.dumps(row[key], ensure_ascii=False)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._write(f"INSERT INTO runs ({columns}) VALUES ({marks})", list(row.values()))

    def finish(
        self,
        run_id: str,
        *,
        status: str,
        ended_at: str,
        duration_s: float,
        exit_code: int,
        error: str | None,
        outputs: dict[str, str],
        results: dict[str, Any],
        data_range: dict[str, str] | None,
        answers: list[dict[str, str]] | None = None,
        result_kinds: dict[str, str] | None = None,
    ) -> None:
        """Close the row of ``run_id`` with its outcome."""
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        self._write(
            "UPDATE runs SET status=?, ended_at=?, duration_s=?, exit_code=?, error=?, outputs=?, "
            "results=?, data_range=?, answers=?, result_kinds=? WHERE run_id=?",
            (
                status,
                ended_at,
                duration_s,
                exit_code,
                error,
                json.dumps(outputs, ensure_ascii=False),
                json.dumps(results, ensure_ascii=False),
                None if data_range is None else json.dumps(data_range, ensure_ascii=False),
                json.dumps(answers or [], ensure_ascii=False),
                json.dumps(result_kinds or {}, ensure_ascii=False),
                run_id,
            ),
        )

    def close_interrupted(self, report: str, when: str) -> list[str]:
        """Mark ``report``'s rows still ``running`` as ``interrupted``; returns their run ids.

        Only call while holding the report's lock: then no such run can still be alive.
        """
        if not self.path.exists():
            return []
        with closing(self._connect()) as conn, conn:
            ids = [row[0] for row in conn.execute(
                "SELECT run_id FROM runs WHERE report = ? AND status = 'running'", (report,))]
            conn.executemany(
                "UPDATE runs SET status = 'interrupted', ended_at = ?, error = ? WHERE run_id = ?",
                [(when, "the run stopped without finishing (process killed or machine restarted)", rid)
                 for rid in ids],
            )
        return ids

    def mark_pruned(self, run_ids: list[str], when: str) -> None:
        """Note that the outputs of ``run_ids`` were removed by retention (rows stay)."""
        with closing(self._connect()) as conn, conn:
            conn.executemany(
                "UPDATE runs SET pruned_at=? WHERE run_id=?", [(when, rid) for rid in run_ids]
            )

    def runs(self, report: str | None = None) -> list[RunRecord]:
        """Runs, oldest first; only those of ``report`` when given."""
        if not self.path.exists():
            return []
        sql = "SELECT * FROM runs"
        params: tuple = ()
        if report is not None:
            sql += " WHERE report = ?"
            params = (report,)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY started_at, run_id", params).fetchall()
        records = []
        for row in rows:
            data = dict(row)
            for key in _JSON_FIELDS:
                data[key] = None if data[key] is None else json.loads(data[key])
            records.append(RunRecord(**data))
        return records

    def last_success_slot(self, report: str, tag: str = "") -> str | None:
        """The latest ``slot_time`` (UTC ISO) of a successful run of ``report``, if any."""
        if not self.path.exists():
            return None
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT MAX(slot_time) FROM runs WHERE report = ? AND param_tag = ? "
                "AND status = 'success'",
                (report, tag),
            ).fetchone()
        return row[0]
