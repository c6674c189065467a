"""The ``reports.yaml`` manifest and the two ways to run it: ``due`` and ``run_all``.

Manifest (paths relative to the manifest's folder)::

    output_dir: reports          # where reports, ledger and index.html go
    timezone: Asia/Shanghai      # default time zone of every schedule
    retention_days: 90           # outputs older than this are removed; ledger rows stay
    cell_timeout: 1800           # default per-cell limit, seconds
    reports:
      event_forecast:            # report name: letters, digits, '_', '-', '.'
        notebook: notebooks/event_forecast.ipynb
        parameters: {event: "618", year: 2025}
        schedule: "0 7 * * *"    # cron: minute hour day-of-month month day-of-week
        timezone: Asia/Shanghai  # optional, overrides the default
        cell_timeout: 900        # optional, seconds

``due`` runs each report whose latest schedule slot has come since its last successful run, once
(running it again in the same slot runs nothing); a report another process is running is
skipped. The logical date of a scheduled run is the slot's date in the report's time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from croniter import croniter

from workbench.errors import ConfigError, ReportError, WorkbenchError
from workbench.reports import runner
from workbench.reports.index import write_index
from workbench.reports.layout import LEDGER_FILE, check_report_name
from workbench.reports.ledger import Ledger
from workbench.reports.lock import ReportLocked, report_lock
from workbench.reports.render import format_duration
from workbench.reports.retention import prune

DEFAULT_TIMEZONE = "Asia/Shanghai"
_TOP_KEYS = {"output_dir", "timezone", "retention_days", "cell_timeout", "reports"}
_REPORT_KEYS = {"notebook", "parameters", "schedule", "timezone", "cell_timeout"}


@dataclass(frozen=True)
class ReportSpec:
    """One named report of the manifest."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    cron: str
    timezone: str
    cell_timeout_s: float

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The most recent schedule time at or before ``now``, in the report's time zone."""
        local = now.astimezone(zoneinfo.ZoneInfo(self.timezone))
        return croniter(self.cron, local + dt.timedelta(seconds=1)).get_prev(dt.datetime)


@dataclass(frozen=True)
class Manifest:
    """A parsed ``reports.yaml``."""

    path: Path
    output_dir: Path
    reports: tuple[ReportSpec, ...]
    retention_days: int | None = None

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.output_dir / LEDGER_FILE)


@dataclass
class RunSummary:
    """What ``due`` / ``run_all`` did, one line per report."""

    ran: list[runner.RunOutcome] = field(default_factory=list)
    failed: list[tuple[str, WorkbenchError]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (report, reason)
    pruned: list[Path] = field(default_factory=list)
    index: Path | None = None

    @property
    def exit_code(self) -> int:
        return max((err.exit_code for _, err in self.failed), default=0)

    def describe(self) -> str:
        """One line per report, then the index path last."""
        lines = [f"ran     {o.report}: {o.status} in {format_duration(o.duration_s)} -> {o.html_path}" for o in self.ran]
        lines += [f"FAILED  {name}: {err}" for name, err in self.failed]
        lines += [f"skipped {name}: {reason}" for name, reason in self.skipped]
        lines += [f"removed {folder} (retention)" for folder in self.pruned]
        if self.index is not None:
            lines.append(str(self.index))
        return "\n".join(lines)


def _fail(path: Path, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}")


def _timezone(value: Any, path: Path, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, where, f"timezone must be a name like 'Asia/Shanghai', not {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail(path, where, f"unknown timezone {value!r}; use an IANA name like 'Asia/Shanghai'") from None
    return value


def _seconds(value: Any, path: Path, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _fail(path, where, f"cell_timeout must be a positive number of seconds, not {value!r}")
    return float(value)


def _report_spec(name: Any, body: Any, path: Path, defaults: dict[str, Any]) -> ReportSpec:
    where = f"report {name!r}"
    check_report_name(name if isinstance(name, str) else repr(name), f"{path}: report name")
    if not isinstance(body, dict):
        raise _fail(path, where, "must be a mapping with notebook, schedule and parameters")
    unknown = set(body) - _REPORT_KEYS
    if unknown:
        raise _fail(path, where, f"unknown field(s) {sorted(unknown)}; allowed: {sorted(_REPORT_KEYS)}")
    if not isinstance(body.get("notebook"), str):
        raise _fail(path, where, "'notebook' (path of an .ipynb, relative to the manifest) is required")
    notebook = (path.parent / body["notebook"]).resolve()  # existence: checked per run
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(k, str) for k in parameters):
        raise _fail(path, where, "'parameters' must be a mapping of parameter name to value")
    cron = body.get("schedule")
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        raise _fail(path, where, f"'schedule' must be a cron expression like '0 7 * * 1', not {cron!r}")
    timezone = _timezone(body.get("timezone", defaults["timezone"]), path, where)
    timeout = _seconds(body.get("cell_timeout", defaults["cell_timeout"]), path, where)
    return ReportSpec(name, notebook, parameters, cron, timezone, timeout)


def load_manifest(path: str | Path) -> Manifest:
    """Parse and check ``reports.yaml``; ``ConfigError`` names the file and the bad field."""
    path = Path(path).resolve()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"report manifest {path} not found; pass --manifest PATH") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the manifest must be a mapping with a 'reports' section")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown top-level field(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    reports = data.get("reports")
    if not isinstance(reports, dict) or not reports:
        raise ConfigError(f"{path}: 'reports' must be a non-empty mapping of report name to settings")
    defaults = {
        "timezone": _timezone(data.get("timezone", DEFAULT_TIMEZONE), path, "timezone"),
        "cell_timeout": _seconds(data.get("cell_timeout", runner.CELL_TIMEOUT_S), path, "cell_timeout"),
    }
    retention = data.get("retention_days")
    if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int) or retention < 1):
        raise ConfigError(f"{path}: retention_days must be a whole number of days >= 1, not {retention!r}")
    output_dir = data.get("output_dir", "reports")
    if not isinstance(output_dir, str):
        raise ConfigError(f"{path}: output_dir must be a folder path, not {output_dir!r}")
    specs = tuple(_report_spec(name, body, path, defaults) for name, body in reports.items())
    return Manifest(path, (path.parent / output_dir).resolve(), specs, retention)


def _request(manifest: Manifest, spec: ReportSpec, slot: dt.datetime, trigger: str) -> runner.RunRequest:
    return runner.prepare(
        spec.notebook,
        values=spec.parameters,
        report=spec.name,
        tag="",  # the report's name already stands for its manifest parameters
        logical_date=slot.date(),
        reports_dir=manifest.output_dir,
        trigger=trigger,
        slot_time=slot,
        cell_timeout_s=spec.cell_timeout_s,
    )


def _slot_key(slot: dt.datetime) -> str:
    return slot.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _select(manifest: Manifest, names: list[str] | None) -> list[ReportSpec]:
    if not names:
        return list(manifest.reports)
    known = {spec.name: spec for spec in manifest.reports}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"{manifest.path}: no report named {missing}; known: {sorted(known)}")
    return [known[n] for n in names]


def _slot_done(ledger: Ledger, report: str, slot_key: str) -> bool:
    """Whether ``report`` has a successful run for the slot ``slot_key`` (UTC ISO) or later."""
    last = ledger.last_success_slot(report, tag="")
    return last is not None and last >= slot_key


def _run(manifest: Manifest, jobs: list[tuple[ReportSpec, runner.RunRequest]], summary: RunSummary,
         *, skip_done_slots: bool) -> None:
    for spec, request in jobs:
        try:
            with report_lock(manifest.output_dir, spec.name):
                # Checked again under the lock: an overlapping `due` may have just run it.
                if skip_done_slots and _slot_done(manifest.ledger, spec.name, request.slot_time):
                    summary.skipped.append((spec.name, "already ran for this slot"))
                    continue
                summary.ran.append(runner.execute_holding_lock(request))
        except ReportLocked as exc:
            summary.skipped.append((spec.name, str(exc)))
        except ReportError as exc:
            summary.failed.append((spec.name, exc))


def _finish(manifest: Manifest, summary: RunSummary, today: dt.date) -> RunSummary:
    if manifest.retention_days is not None:
        summary.pruned = prune(manifest.output_dir, manifest.retention_days, today)
    summary.index = write_index(manifest.output_dir)
    return summary


def due(manifest: Manifest, *, now: dt.datetime | None = None, names: list[str] | None = None) -> RunSummary:
    """Run every report whose latest slot is newer than its last success; see module doc."""
    now = now or dt.datetime.now(dt.timezone.utc)
    summary, jobs = RunSummary(), []
    for spec in _select(manifest, names):
        slot = spec.latest_slot(now)
        if _slot_done(manifest.ledger, spec.name, _slot_key(slot)):
            summary.skipped.append((spec.name, f"up to date (slot {slot.isoformat()} already ran)"))
            continue
        try:
            jobs.append((spec, _request(manifest, spec, slot, "schedule")))
        except WorkbenchError as exc:  # a report with bad parameters must not stop the others
            summary.failed.append((spec.name, exc))
    _run(manifest, jobs, summary, skip_done_slots=True)
    return _finish(manifest, summary, now.date())


def run_all(manifest: Manifest, *, now: dt.datetime | None = None, names: list[str] | None = None) -> RunSummary:
    """Run every report of the manifest once now (the main job); all are checked before any runs."""
    now = now or dt.datetime.now(dt.timezone.utc)
    jobs = []
    for spec in _select(manifest, names):
        local_now = now.astimezone(zoneinfo.ZoneInfo(spec.timezone))
        jobs.append((spec, _request(manifest, spec, local_now, "manual")))
    summary = RunSummary()
    _run(manifest, jobs, summary, skip_done_slots=False)
    return _finish(manifest, summary, now.date())
