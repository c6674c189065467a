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

Slots are wall-clock times in the report's time zone: on the day the clocks go back, a daily
slot inside the repeated hour runs once (its second occurrence counts as done); on the day
they go forward, a slot inside the skipped hour runs at the first call after it.

Each report entry is checked on its own when the manifest loads: a bad entry (unknown field,
a cron expression that never fires, a bad time zone...) is reported and skipped, the others
run. Problems with the file as a whole (not YAML, duplicate keys, no ``reports``) stop at once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from croniter import CroniterError, croniter

from workbench.errors import ConfigError, ReportError, RunInterrupted, WorkbenchError
from workbench.reports import limits, retention, runner
from workbench.reports.index import write_index
from workbench.reports.limits import DEFAULT_TIMEZONE
from workbench.reports.layout import INDEX_FILE, LEDGER_FILE, check_report_name
from workbench.reports.ledger import Ledger
from workbench.reports.lock import ReportLocked, report_lock
from workbench.reports.render import format_duration

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
        """The most recent schedule slot at or before ``now``: a wall-clock time in the report's
        time zone (aware; ``fold=0``, the first of a repeated hour)."""
        zone = zoneinfo.ZoneInfo(self.timezone)
        wall = now.astimezone(zone).replace(tzinfo=None)
        slot = croniter(self.cron, wall + dt.timedelta(seconds=1)).get_prev(dt.datetime)
        return slot.replace(tzinfo=zone)

    def slot_done(self, ledger: Ledger, slot: dt.datetime) -> bool:
        """Whether the report has a successful run for ``slot`` or a later slot.

        Compared as wall-clock times in the report's zone, so the second pass through a
        repeated hour (clocks going back) finds the first pass's run.
        """
        last = ledger.last_success_slot(self.name, tag="")
        if last is None:
            return False
        zone = zoneinfo.ZoneInfo(self.timezone)
        last_wall = dt.datetime.fromisoformat(last).astimezone(zone).replace(tzinfo=None)
        return last_wall >= slot.replace(tzinfo=None)


@dataclass(frozen=True)
class Manifest:
    """A parsed ``reports.yaml``."""

    path: Path
    output_dir: Path
    reports: tuple[ReportSpec, ...]
    retention_days: int | None = None
    problems: tuple[tuple[str, ConfigError], ...] = ()  # bad entries: (report name, why), skipped
    timezone: str = DEFAULT_TIMEZONE  # the manifest's default time zone

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
    shown: set[str] = field(default_factory=set)  # lines already printed as the runs ended

    @property
    def exit_code(self) -> int:
        return max((err.exit_code for _, err in self.failed), default=0)

    def describe(self) -> str:
        """One line per report, then the index path last."""
        lines = [ran_line(o) for o in self.ran]
        lines += [failed_line(name, err) for name, err in self.failed]
        lines += [f"skipped {name}: {reason}" for name, reason in self.skipped]
        lines += [f"removed {folder} (retention)" for folder in self.pruned]
        if self.index is not None:
            lines.append(str(self.index))
        return "\n".join(line for line in lines if line not in self.shown)


def ran_line(outcome: runner.RunOutcome) -> str:
    return f"ran     {outcome.report}: {outcome.status} in {format_duration(outcome.duration_s)} -> {outcome.html_path}"


def failed_line(name: str, err: WorkbenchError) -> str:
    return f"FAILED  {name}: {err}"


Progress = Callable[[str], None]


def _fail(path: Path, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}")


def _timezone(value: Any, path: Path, where: str) -> str:
    try:
        return runner.check_timezone(value, "timezone")
    except ConfigError as exc:
        raise _fail(path, where, str(exc)) from None


def _seconds(value: Any, path: Path, where: str) -> float:
    try:
        return runner.check_cell_timeout(value, "cell_timeout")
    except WorkbenchError as exc:
        raise _fail(path, where, str(exc)) from None


# A fixed reference time for checking that a cron expression fires: any expression that fires
# at all fires within croniter's search window from here.
_CRON_CHECK_FROM = dt.datetime(2026, 1, 1)


def _cron(value: Any, path: Path, where: str) -> str:
    """``value`` if it is a cron expression that fires, else ``ConfigError``."""
    if not isinstance(value, str) or not croniter.is_valid(value):
        raise _fail(path, where, f"'schedule' must be a cron expression like '0 7 * * 1', not {value!r}")
    try:
        croniter(value, _CRON_CHECK_FROM).get_next(dt.datetime)
        croniter(value, _CRON_CHECK_FROM).get_prev(dt.datetime)
    except CroniterError:  # CroniterBadDateError: the expression never fires
        raise _fail(path, where, f"schedule {value!r} never fires (no such date, e.g. 30 February); "
                    "fix the day-of-month or month fields") from None
    return value


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
    cron = _cron(body.get("schedule"), path, where)
    timezone = _timezone(body.get("timezone", defaults["timezone"]), path, where)
    timeout = _seconds(body.get("cell_timeout", defaults["cell_timeout"]), path, where)
    return ReportSpec(name, notebook, parameters, cron, timezone, timeout)


def _read_yaml(path: Path) -> tuple[Any, dict]:
    """The manifest's data and the line of each key; duplicate keys, alias bombs are refused."""
    from workbench.data.io import read_yaml_with_lines  # the project's one YAML reader

    if not path.exists():
        raise ConfigError(f"report manifest {path} not found; pass --manifest PATH")
    return read_yaml_with_lines(path, what="reports manifest")


def load_manifest(path: str | Path) -> Manifest:
    """Parse and check ``reports.yaml``; ``ConfigError`` names the file and the bad field.

    A bad report entry does not stop the others: it is kept in ``Manifest.problems`` (with its
    line) and ``due`` / ``run_all`` report it and run the rest. Duplicate report names (or any
    duplicate key) are refused: YAML would silently keep the last.
    """
    path = Path(path).resolve()
    data, lines = _read_yaml(path)
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
    if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int)
                                  or not 1 <= retention <= limits.MAX_RETENTION_DAYS):
        raise ConfigError(f"{path}: retention_days must be a whole number of days from 1 to "
                          f"{limits.MAX_RETENTION_DAYS}, not {retention!r}")
    output_dir = data.get("output_dir", "reports")
    if not isinstance(output_dir, str):
        raise ConfigError(f"{path}: output_dir must be a folder path, not {output_dir!r}")
    specs, problems = [], []
    for name, body in reports.items():
        try:
            specs.append(_report_spec(name, body, path, defaults))
        except ConfigError as exc:
            line = lines.get(("reports", name))
            text = str(exc).replace(f"{path}: ", f"{path}:{line.line}: ", 1) if line else str(exc)
            problems.append((str(name), ConfigError(text + "; this report is skipped, the others run")))
    return Manifest(path, (path.parent / output_dir).resolve(), tuple(specs), retention,
                    tuple(problems), defaults["timezone"])


def _request(manifest: Manifest, spec: ReportSpec, slot: dt.datetime, trigger: str) -> runner.RunRequest:
    return runner.prepare(
        spec.notebook,
        values=spec.parameters,
        values_dir=manifest.path.parent,  # the manifest's paths are relative to it
        report=spec.name,
        tag="",  # the report's name already stands for its manifest parameters
        logical_date=slot.date(),
        reports_dir=manifest.output_dir,
        trigger=trigger,
        slot_time=slot,
        cell_timeout_s=spec.cell_timeout_s,
        timezone=spec.timezone,
    )


def _select(manifest: Manifest, names: list[str] | None, summary: RunSummary) -> list[ReportSpec]:
    """The specs to consider; bad entries among them go to ``summary.failed``."""
    known = {spec.name: spec for spec in manifest.reports}
    bad = dict(manifest.problems)
    if names:
        missing = [n for n in names if n not in known and n not in bad]
        if missing:
            raise ConfigError(f"{manifest.path}: no report named {missing}; known: {sorted([*known, *bad])}")
    summary.failed += [(name, err) for name, err in manifest.problems if not names or name in names]
    return [spec for spec in manifest.reports if not names or spec.name in names]


Job = tuple[ReportSpec, dt.datetime, runner.RunRequest]


def _run(manifest: Manifest, jobs: list[Job], summary: RunSummary, *, skip_done_slots: bool,
         progress: Progress | None = None) -> None:
    """Run the jobs in turn; ``progress`` gets each run's line as soon as it ends (a log of a
    long run-all shows progress), and ``summary.describe()`` then leaves those lines out."""
    for position, (spec, slot, request) in enumerate(jobs):
        before = (len(summary.ran), len(summary.failed))
        _run_one(manifest, spec, slot, request, summary, skip_done_slots)
        new = [ran_line(o) for o in summary.ran[before[0]:]]
        new += [failed_line(name, err) for name, err in summary.failed[before[1]:]]
        if progress is not None:
            for line in new:
                progress(line)
                summary.shown.add(line)
        if any(isinstance(err, RunInterrupted) for _, err in summary.failed[before[1]:]):
            # Ctrl-C or SIGTERM stops the batch, not only the report it fell on
            summary.skipped += [(later.name, "not run: the batch was stopped (Ctrl-C or SIGTERM)")
                                for later, _, _ in jobs[position + 1:]]
            break


def _run_one(manifest: Manifest, spec: ReportSpec, slot: dt.datetime, request: runner.RunRequest,
             summary: RunSummary, skip_done_slots: bool) -> None:
    try:
        with report_lock(manifest.output_dir, spec.name):
            # Checked again under the lock: an overlapping `due` may have just run it.
            if skip_done_slots and spec.slot_done(manifest.ledger, slot):
                summary.skipped.append((spec.name, "already ran for this slot"))
                return
            summary.ran.append(runner.execute_holding_lock(request))
    except ReportLocked as exc:
        summary.skipped.append((spec.name, str(exc)))
    except WorkbenchError as exc:
        summary.failed.append((spec.name, exc))


def _finish(manifest: Manifest, summary: RunSummary, today: dt.date) -> RunSummary:
    """Apply retention, then rewrite the index if anything changed (or it does not exist yet)."""
    if manifest.retention_days is not None:
        summary.pruned = retention.prune(manifest.output_dir, manifest.retention_days, today, update_index=False)
    index = manifest.output_dir / INDEX_FILE
    started = summary.ran or any(isinstance(err, ReportError) for _, err in summary.failed)
    if started or summary.pruned or not index.exists():
        try:
            write_index(manifest.output_dir)
        except ConfigError as exc:  # reported with the runs, which are recorded in the ledger
            summary.failed.append(("index", exc))
            return summary
    summary.index = index
    return summary


def due(manifest: Manifest, *, now: dt.datetime | None = None, names: list[str] | None = None,
        progress: Progress | None = None) -> RunSummary:
    """Run every report whose latest slot is newer than its last success; see module doc.

    Bad entries and reports whose parameters or notebook are wrong are reported in
    ``RunSummary.failed`` (exit 2); the others run.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    summary, jobs = RunSummary(), []
    for spec in _select(manifest, names, summary):
        try:
            slot = spec.latest_slot(now)
            if spec.slot_done(manifest.ledger, slot):
                summary.skipped.append((spec.name, f"up to date (slot {slot.isoformat()} already ran)"))
                continue
            jobs.append((spec, slot, _request(manifest, spec, slot, "schedule")))
        except WorkbenchError as exc:  # a report with bad parameters must not stop the others
            summary.failed.append((spec.name, exc))
    _run(manifest, jobs, summary, skip_done_slots=True, progress=progress)
    return _finish(manifest, summary, runner.logical_date_at(now, manifest.timezone))


def run_all(manifest: Manifest, *, now: dt.datetime | None = None, names: list[str] | None = None,
            progress: Progress | None = None) -> RunSummary:
    """Run every report of the manifest once now (the main job).

    Every report is checked before any runs; bad ones are reported in ``RunSummary.failed``
    (exit 2) and the good ones still run. The logical date is today in each report's time zone.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    summary, jobs = RunSummary(), []
    for spec in _select(manifest, names, summary):
        local_now = now.astimezone(zoneinfo.ZoneInfo(spec.timezone))
        try:
            jobs.append((spec, local_now, _request(manifest, spec, local_now, "manual")))
        except WorkbenchError as exc:
            summary.failed.append((spec.name, exc))
    _run(manifest, jobs, summary, skip_done_slots=False, progress=progress)
    return _finish(manifest, summary, runner.logical_date_at(now, manifest.timezone))
