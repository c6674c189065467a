"""Run one report: validate parameters, execute with papermill, publish atomically, record.

Two steps so that bad input fails before any kernel starts:

- :func:`prepare` reads the notebook's parameters cell, checks and coerces the given values and
  works out the output slot; it raises ``ConfigError`` / ``ParameterError`` and touches nothing.
- :func:`execute` takes the report's lock, runs the notebook in a fresh ``workbench`` kernel with
  the notebook's folder as working directory and a per-cell timeout, renders the HTML page and
  moves both files into place with ``os.replace`` (readers never see half a report). A failed
  run's partial notebook and error page go to the slot's ``failed/<run id>/`` folder; the last
  good report of the slot is never replaced. A run succeeds only when every code cell
  completed without an error output (a cell that calls ``sys.exit`` stops the notebook without
  an exception in papermill; it still fails the run). Every run gets a ledger row, and the row
  always ends: ``success``, ``failed``, ``kernel_died`` or ``interrupted`` (Ctrl-C, SIGTERM);
  only ``kill -9`` leaves it ``running`` until the report's next run closes it.

Exit status: 0 success, 3 a cell raised, timed out, stopped the notebook or the outputs could
not be published (``ReportError``), 4 the kernel died, usually out of memory
(``KernelDiedError``), 130 interrupted (``RunInterrupted``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import math
import os
import secrets
import shutil
import signal
import threading
import time
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from workbench import __version__
from workbench.errors import ConfigError, KernelDiedError, ParameterError, ReportError, RunInterrupted
from workbench.reports import limits
from workbench.reports import params as P
from workbench.reports.index import format_value, write_index
from workbench.reports.kernel import execution_options
from workbench.reports.layout import LEDGER_FILE, WORK_DIR, Slot, check_report_name, param_tag
from workbench.reports.ledger import Ledger, RunRecord, utc_now
from workbench.reports.limits import DEFAULT_TIMEZONE
from workbench.reports.lock import report_lock
from workbench.reports.record import RECORD_FILE_ENV, read_record_file, worst_answer
from workbench.reports.render import PAPERMILL_ERROR_TAG, ReportHeader, RunFailure, format_duration, render_html

KERNEL_NAME = "workbench"
CELL_TIMEOUT_S = limits.CELL_TIMEOUT_S


def check_cell_timeout(value: object, where: str = "--cell-timeout") -> float:
    """``value`` as seconds if it lies in ``limits.CELL_TIMEOUT_RANGE``, else ``ParameterError``.

    There is no "no limit" value: a cell that hangs must not hold a scheduled run forever.
    """
    low, high = limits.CELL_TIMEOUT_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ParameterError(
            f"{where} must be a number of seconds from {low:g} to {high:g} (24 h), got {value!r}"
        )
    return float(value)


def check_timezone(value: object, where: str = "timezone") -> str:
    """``value`` if it is an IANA time zone name, else ``ConfigError``."""
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a name like 'Asia/Shanghai', not {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {value!r}; use an IANA name like 'Asia/Shanghai'") from None
    return value


def logical_date_at(moment: dt.datetime, timezone: str) -> dt.date:
    """The logical date of a run started (or scheduled) at ``moment``: its date in ``timezone``.

    The one rule for every command: ``report run``, ``run-all`` and ``due`` date a run by the
    report time zone (the manifest's ``timezone``), never by the machine's.
    """
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class RunRequest:
    """A validated report run: what to execute, with which parameters, published where."""

    notebook: Path
    slot: Slot
    parameters: dict[str, Any]  # the values injected by papermill, already type-checked
    slot_time: str  # UTC ISO time of the schedule slot (manual runs: when requested)
    trigger: str = "manual"
    cell_timeout_s: float = CELL_TIMEOUT_S
    kernel_name: str = KERNEL_NAME
    cwd: Path | None = None  # defaults to the notebook's folder
    variant: dict[str, Any] = field(default_factory=dict)  # the non-default parameters
    timezone: str = DEFAULT_TIMEZONE  # the logical date is counted in this zone

    @property
    def report(self) -> str:
        return self.slot.report

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.slot.reports_dir / LEDGER_FILE)


@dataclass
class RunOutcome:
    """What happened: status, exit code, published paths, recorded results, the ledger row id."""

    run_id: str
    report: str
    status: str
    exit_code: int
    notebook_path: Path
    html_path: Path
    duration_s: float
    results: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    answers: list[dict[str, str]] = field(default_factory=list)
    result_kinds: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"report {self.report}: {self.status} in {format_duration(self.duration_s)} (run {self.run_id})",
            f"  html:     {self.html_path}",
            f"  notebook: {self.notebook_path}",
        ]
        answer = worst_answer(self.answers)
        if answer is not None:
            detail = f" ({answer['detail']})" if answer["detail"] else ""
            lines.append(f"  answer:   {answer['status']}{detail}")
        lines += [f"  {name} = {format_value(value, self.result_kinds.get(name, 'number'))}"
                  for name, value in self.results.items()]
        return "\n".join(lines)


def prepare(
    notebook: str | Path,
    *,
    values: dict[str, Any] | None = None,
    cli_pairs: list[tuple[str, str]] | None = None,
    parameters_file: str | Path | None = None,
    report: str | None = None,
    tag: str | None = None,
    logical_date: dt.date | None = None,
    reports_dir: str | Path = "reports",
    trigger: str = "manual",
    slot_time: dt.datetime | None = None,
    cell_timeout_s: float = CELL_TIMEOUT_S,
    kernel_name: str = KERNEL_NAME,
    cwd: str | Path | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    values_dir: str | Path | None = None,
) -> RunRequest:
    """A :class:`RunRequest`, or ``ConfigError`` / ``ParameterError`` before anything runs.

    Values are merged in order: ``parameters_file`` (YAML), ``values``, then ``cli_pairs``
    (``-p NAME VALUE`` strings coerced to the declared types). File parameters (``Path``
    hints) are made absolute and must exist: ``-p`` values against the current directory,
    ``values`` against ``values_dir`` (default: the current directory), the parameters file's
    against its folder. The report name defaults to the
    notebook's file stem; the tag to the non-default parameters (``tag=""`` for none). The
    logical date defaults to the date of ``slot_time`` (default: now) in ``timezone``.
    Also checked here: the cell timeout's range, the run ledger, that every folder and file
    the run writes can be written, and the input checks the notebook declares
    (:func:`check_inputs`; they raise the input's own ``WorkbenchError``).
    """
    cell_timeout_s = check_cell_timeout(cell_timeout_s)
    timezone = check_timezone(timezone)
    notebook = Path(notebook)
    report = check_report_name(report if report is not None else notebook.stem)
    declared, metadata = P.read_notebook(notebook)
    where = f"notebook {notebook}"
    merged: dict[str, Any] = {}
    if parameters_file is not None:
        from_file = P.validate_parameters(P.load_parameters_file(parameters_file), declared, where)
        merged.update(P.resolve_paths(from_file, declared, Path(parameters_file).absolute().parent,
                                      f"parameters file {parameters_file}"))
    merged.update(P.resolve_paths(P.validate_parameters(values or {}, declared, where), declared,
                                  Path(values_dir) if values_dir is not None else Path.cwd(), "the values given"))
    cli_values = P.parse_cli_parameters(list(cli_pairs or []), declared, where)
    merged.update(P.resolve_paths(cli_values, declared, Path.cwd(), "-p"))
    check_inputs(notebook, metadata.get(INPUT_CHECKS) or [], merged, declared)
    variant = P.non_default(merged, declared)
    if tag is None:
        tag = param_tag(variant)
    when = slot_time or dt.datetime.now(dt.timezone.utc)
    # Absolute: papermill changes the working directory to the notebook's folder while it runs.
    slot = Slot(Path(reports_dir).resolve(), report, logical_date or logical_date_at(when, timezone), tag)
    slot.inside_reports().check_writable()
    Ledger(slot.reports_dir / LEDGER_FILE).check()
    return RunRequest(
        notebook=notebook.resolve(),
        slot=slot,
        parameters=merged,
        slot_time=when.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
        trigger=trigger,
        cell_timeout_s=cell_timeout_s,
        kernel_name=kernel_name,
        cwd=Path(cwd).resolve() if cwd is not None else None,
        variant=variant,
        timezone=timezone,
    )


INPUT_CHECKS = "workbench_input_checks"  # notebook metadata: ["workbench.module:function", ...]


def check_inputs(notebook: Path, checks: list, values: dict[str, Any],
                 declared: dict[str, P.NotebookParameter] | None = None) -> None:
    """Run the input ``checks`` that ``notebook`` declares in its metadata (``INPUT_CHECKS``, read
    with its parameters by ``params.read_notebook``: functions
    that take the values, a dict of parameter name to value, e.g. the planning cycle's check of
    its sales file against weekly dates) before any kernel starts: a file the notebook would
    refuse after its kernel has started is refused here, in seconds. The checks see the given
    ``values`` over the defaults of ``declared`` (the notebook's parameters) that are not files,
    e.g. the planning cycle's default ``category`` against the given sales file; a file left at
    its default (relative to the notebook's folder) is the notebook's own to check. Raises what
    a check raises (a ``WorkbenchError``), or ``ConfigError`` for a declared check that is not a
    workbench function."""
    import importlib

    values = {**{name: p.default for name, p in (declared or {}).items() if not p.type.names_paths}, **values}
    for target in checks:
        module, _, function = str(target).partition(":")
        if not module.startswith("workbench.") or not function:
            raise ConfigError(f"notebook {notebook}: metadata {INPUT_CHECKS} entry {target!r} is not "
                              f"'workbench.module:function'")
        getattr(importlib.import_module(module), function)(values)


def new_run_id() -> str:
    """Sortable and unique: UTC time to the second plus 6 random hex digits."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the kernel papermill starts (inherits ours)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _failing_cell(nb: nbformat.NotebookNode) -> str:
    """The first line of the first cell that failed, else of the last cell papermill started."""
    started = ""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if meta.get("status") == "failed" or (errors and PAPERMILL_ERROR_TAG not in cell.metadata.get("tags", [])):
            return _first_line(cell.source)
        if cell.cell_type == "code" and meta.get("start_time"):
            started = _first_line(cell.source)
    return started


def _unfinished_cells(nb: nbformat.NotebookNode) -> RunFailure | None:
    """Why a notebook papermill returned from without an exception is still not a good report.

    Every code cell must have completed with no error output. A cell calling ``sys.exit`` or
    ``exit()`` stops the notebook with no exception in papermill: that cell is ``failed`` (or
    has an error output) and the later ones are still ``pending``.
    """
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    for number, cell in enumerate(code, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        status = cell.get("metadata", {}).get("papermill", {}).get("status", "completed")
        if not errors and status == "completed":
            continue
        never_ran = sum(
            1 for c in code[number:] if c.get("metadata", {}).get("papermill", {}).get("status") != "completed"
        )
        reason = f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else f"the cell is {status}"
        return RunFailure(
            title="The report failed: the notebook stopped before its end",
            message=f"code cell {number} of {len(code)} did not complete ({reason}); "
            f"{never_ran} later cell(s) never ran. A report must run every cell: remove the "
            "sys.exit / exit() call or raise an error with a message instead",
            cell=_first_line(cell.source),
            traceback="\n".join(errors[0].get("traceback", [])) if errors else "",
        )
    return None


def _failure(exc: BaseException, request: RunRequest, nb: nbformat.NotebookNode) -> tuple[str, RunFailure, type[ReportError]]:
    """(status, banner, exception class) for an execution error."""
    if isinstance(exc, KeyboardInterrupt):
        return (
            "interrupted",
            RunFailure(
                title="The report was interrupted",
                message="The run was stopped (Ctrl-C or SIGTERM) before it finished",
                cell=_failing_cell(nb),
            ),
            RunInterrupted,
        )
    if isinstance(exc, PapermillExecutionError):
        return (
            "failed",
            RunFailure(
                title="The report failed: a cell raised an error",
                message=f"{exc.ename}: {exc.evalue}",
                cell=_failing_cell(nb),
                traceback="\n".join(exc.traceback),
            ),
            ReportError,
        )
    if isinstance(exc, DeadKernelError):
        return (
            "kernel_died",
            RunFailure(
                title="The report failed: the kernel died",
                message="The Python kernel stopped while running a cell, usually because it ran "
                "out of memory; try smaller parameters or a machine with more memory",
                cell=_failing_cell(nb),
            ),
            KernelDiedError,
        )
    if isinstance(exc, CellTimeoutError):
        return (
            "failed",
            RunFailure(
                title="The report failed: a cell timed out",
                message=f"A cell ran longer than the per-cell timeout of {request.cell_timeout_s:g} s; "
                "raise the timeout or make the cell faster",
                cell=_failing_cell(nb),
            ),
            ReportError,
        )
    return (
        "failed",
        RunFailure(
            title="The report failed before it finished",
            message=f"{type(exc).__name__}: {exc}",
            cell=_failing_cell(nb),
        ),
        ReportError,
    )


def _plain_error_page(header: ReportHeader) -> str:
    """A minimal error page for when the report template itself fails."""
    failure = header.error
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(header.report)}"
        f"</title></head><body><section class='wb-error-banner' role='alert'><h2>"
        f"{html.escape(failure.title)}</h2><p>{html.escape(failure.message)}</p></section>"
        f"<p>Report {html.escape(header.report)}, run {html.escape(header.run_id)}; the executed "
        "notebook is next to this page.</p></body></html>"
    )


def execute(request: RunRequest, *, update_index: bool = True) -> RunOutcome:
    """Run ``request``; returns the outcome of a success, raises ``ReportError`` on failure.

    ``ReportLocked`` (a ``ReportError``) is raised without running when another run of the same
    report holds its lock. The failure's exception carries the ``RunOutcome`` as ``.outcome``.
    """
    slot = request.slot
    try:
        with report_lock(slot.reports_dir, slot.report):
            outcome = execute_holding_lock(request)
    finally:
        if update_index:
            write_index(slot.reports_dir)
    return outcome


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM (systemd stop, ``kill``) into ``KeyboardInterrupt`` so the run's row ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_papermill(request: RunRequest, partial: Path, record_file: Path) -> BaseException | None:
    """Execute the notebook into ``partial`` (saved after every cell); the error, if any.

    ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM via :func:`_sigterm_as_interrupt`) is returned
    too, so the caller can close the run's ledger row before re-raising it as
    ``RunInterrupted``.
    """
    try:
        with _environment(RECORD_FILE_ENV, str(record_file)), _sigterm_as_interrupt(), \
                execution_options() as options:
            papermill.execute_notebook(
                str(request.notebook),
                str(partial),
                parameters=request.parameters,
                kernel_name=request.kernel_name,
                cwd=str(request.cwd or request.notebook.parent),
                execution_timeout=request.cell_timeout_s,
                progress_bar=False,
                request_save_on_cell_execute=True,
                **options,
            )
    except (Exception, KeyboardInterrupt) as exc:  # recorded, published and re-raised by the caller
        return exc
    return None


def _publish(files: list[Path], target: Path) -> list[Path]:
    """Move ``files`` into ``target`` by rename, in order (the page last: readers open it)."""
    target.mkdir(parents=True, exist_ok=True)
    placed = []
    for path in files:
        os.replace(path, target / path.name)
        placed.append(target / path.name)
    return placed


def execute_holding_lock(request: RunRequest) -> RunOutcome:
    """:func:`execute` for a caller that already holds the report's lock; no index update.

    The ledger row this starts always ends: if anything after the start fails (rendering,
    publishing, even Ctrl-C while publishing) the row is closed as ``failed`` or
    ``interrupted`` and a ``ReportError`` says what happened.
    """
    slot, ledger = request.slot, request.ledger
    # Holding the lock, no other run of this report is alive: close rows of killed runs.
    for stale in ledger.close_interrupted(slot.report, utc_now()):
        shutil.rmtree(slot.reports_dir / WORK_DIR / stale, ignore_errors=True)
    run_id = new_run_id()
    work = slot.reports_dir / WORK_DIR / run_id
    work.mkdir(parents=True)
    started_at = utc_now()
    ledger.start(
        RunRecord(
            run_id=run_id,
            report=slot.report,
            param_tag=slot.tag,
            notebook=str(request.notebook),
            parameters=request.parameters,
            logical_date=slot.logical_date.isoformat(),
            slot_time=request.slot_time,
            trigger=request.trigger,
            started_at=started_at,
            package_version=__version__,
            variant=request.variant,
            timezone=request.timezone,
        )
    )
    clock = time.monotonic()
    try:
        return _run_and_publish(request, run_id, work, started_at, clock)
    except ReportError:
        raise  # the row is closed
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        problem = "the run was interrupted while publishing" if interrupted else \
            f"the outputs could not be published: {type(exc).__name__}: {exc}"
        ledger.finish(run_id, status="interrupted" if interrupted else "failed", ended_at=utc_now(),
                      duration_s=round(time.monotonic() - clock, 3), exit_code=130 if interrupted else 3,
                      error=problem, outputs={}, results={}, data_range=None)
        error_class = RunInterrupted if interrupted else ReportError
        raise error_class(
            f"report '{slot.report}' ({slot.logical_date}): {problem}. Its ledger row {run_id} is "
            f"closed. {_last_good(slot)}"
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _last_good(slot: Slot) -> str:
    """What a failed run left of the slot's published report, for its error message."""
    if slot.html.is_file():
        return f"The last good report of this slot is unchanged ({slot.html})."
    return "There is no earlier good report of this slot."


def _run_and_publish(request: RunRequest, run_id: str, work: Path, started_at: str, clock: float) -> RunOutcome:
    """Execute, render, publish and close the ledger row of run ``run_id``."""
    slot, ledger = request.slot, request.ledger
    partial, html_tmp = work / f"{slot.stem}.ipynb", work / f"{slot.stem}.html"
    record_file = work / "record.json"
    error = _run_papermill(request, partial, record_file)
    duration = time.monotonic() - clock

    if not partial.exists():  # failed before papermill wrote anything, e.g. no such kernel
        shutil.copyfile(request.notebook, partial)
    nb = nbformat.read(partial, as_version=4)
    recorded = read_record_file(record_file)
    header = ReportHeader(
        report=slot.report,
        notebook=str(request.notebook),
        logical_date=slot.logical_date.isoformat(),
        parameters=request.parameters,
        started_at=started_at,
        duration_s=duration,
        run_id=run_id,
        package_version=__version__,
        data_range=recorded["data_range"],
        timezone=request.timezone,
        answers=recorded["answers"],
    )
    status, failure, error_class = "success", None, None
    if error is not None:
        status, failure, error_class = _failure(error, request, nb)
    else:
        failure = _unfinished_cells(nb)
        if failure is not None:
            status, error_class = "failed", ReportError
    if failure is not None:
        header = dataclasses.replace(header, error=failure)
    try:
        page = render_html(nb, header)
    except Exception as exc:  # a page that cannot be rendered fails the run, not the ledger
        status, error_class = "failed", ReportError
        failure = RunFailure("The report page could not be rendered", f"{type(exc).__name__}: {exc}")
        page = _plain_error_page(dataclasses.replace(header, error=failure))
    html_tmp.write_text(page, encoding="utf-8")

    target = slot.folder if failure is None else slot.failed_folder(run_id)
    notebook_path, html_path = _publish([partial, html_tmp], target)

    exit_code = 0 if error_class is None else error_class.exit_code
    message = None
    if failure is not None:
        message = failure.message + (f" (in the cell starting {failure.cell!r})" if failure.cell else "")
    ledger.finish(
        run_id,
        status=status,
        ended_at=utc_now(),
        duration_s=round(duration, 3),
        exit_code=exit_code,
        error=message,
        outputs={
            "ipynb": notebook_path.relative_to(slot.reports_dir).as_posix(),
            "html": html_path.relative_to(slot.reports_dir).as_posix(),
        },
        results=recorded["results"],
        data_range=recorded["data_range"],
        answers=recorded["answers"],
        result_kinds=recorded["kinds"],
    )
    outcome = RunOutcome(
        run_id=run_id,
        report=slot.report,
        status=status,
        exit_code=exit_code,
        notebook_path=notebook_path,
        html_path=html_path,
        duration_s=duration,
        results=recorded["results"],
        error=message,
        answers=recorded["answers"],
        result_kinds=recorded["kinds"],
    )
    if error_class is not None:
        what = {"kernel_died": "stopped: the kernel died", "interrupted": "was interrupted"}.get(status, "failed")
        exc = error_class(
            f"report '{slot.report}' ({slot.logical_date}) {what} after {format_duration(duration)}: "
            f"{message}. Partial notebook: {notebook_path}; error page: {html_path}. {_last_good(slot)}"
        )
        exc.outcome = outcome
        raise exc from (error if isinstance(error, Exception) else None)
    return outcome
