"""The run ledger: one SQLite row per report run, kept even when old outputs are pruned.

Times are ISO 8601 strings in UTC; ``duration_s`` is in seconds; ``parameters``, ``outputs``
(paths relative to the reports folder), ``results`` and ``data_range`` are JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    pruned_at       TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_report ON runs (report, started_at);
"""


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

    @property
    def series(self) -> tuple[str, str]:
        """Runs of one report with the same parameter tag form a comparable series."""
        return (self.report, self.param_tag)


_JSON_FIELDS = ("parameters", "outputs", "results", "data_range")


def utc_now() -> str:
    # microseconds: two runs in the same second must still sort in the order they started
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class Ledger:
    """Run history stored in ``path`` (an SQLite file, created on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.executescript(_SCHEMA)
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
    ) -> None:
        """Close the row of ``run_id`` with its outcome."""
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        self._write(
            "UPDATE runs SET status=?, ended_at=?, duration_s=?, exit_code=?, error=?, outputs=?, "
            "results=?, data_range=? WHERE run_id=?",
            (
                status,
                ended_at,
                duration_s,
                exit_code,
                error,
                json.dumps(outputs, ensure_ascii=False),
                json.dumps(results, ensure_ascii=False),
                None if data_range is None else json.dumps(data_range, ensure_ascii=False),
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
