"""Run one report: validate parameters, execute with papermill, publish atomically, record.

Two steps so that bad input fails before any kernel starts:

- :func:`prepare` reads the notebook's parameters cell, checks and coerces the given values and
  works out the output slot; it raises ``ConfigError`` / ``ParameterError`` and touches nothing.
- :func:`execute` takes the report's lock, runs the notebook in a fresh ``workbench`` kernel with
  the notebook's folder as working directory and a per-cell timeout, renders the HTML page and
  moves both files into place with ``os.replace`` (readers never see half a report). A failed
  run's partial notebook and error page go to the slot's ``failed/<run id>/`` folder; the last
  good report of the slot is never replaced. Every run gets a ledger row.

Exit status: 0 success, 3 a cell raised or timed out (``ReportError``), 4 the kernel died,
usually out of memory (``KernelDiedError``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from workbench import __version__
from workbench.errors import KernelDiedError, ReportError
from workbench.reports import params as P
from workbench.reports.index import write_index
from workbench.reports.kernel import execution_options
from workbench.reports.layout import LEDGER_FILE, Slot, check_report_name, param_tag
from workbench.reports.ledger import Ledger, RunRecord, utc_now
from workbench.reports.lock import report_lock
from workbench.reports.record import RECORD_FILE_ENV, read_record_file
from workbench.reports.render import ReportHeader, RunFailure, format_duration, render_html

KERNEL_NAME = "workbench"
CELL_TIMEOUT_S = 1800.0  # default per-cell limit, seconds
WORK_DIR = ".work"  # inside the reports folder, so renames stay on one file system


@dataclass(frozen=True)
class RunRequest:
    """A validated report run: what to execute, with which parameters, published where."""

    notebook: Path
    slot: Slot
    parameters: dict[str, Any]  # the values injected by papermill, already type-checked
    slot_time: str  # UTC ISO time of the schedule slot (manual runs: when requested)
    trigger: str = "manual"
    cell_timeout_s: float | None = CELL_TIMEOUT_S
    kernel_name: str = KERNEL_NAME
    cwd: Path | None = None  # defaults to the notebook's folder

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

    def describe(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"report {self.report}: {self.status} in {format_duration(self.duration_s)} (run {self.run_id})",
            f"  html:     {self.html_path}",
            f"  notebook: {self.notebook_path}",
        ]
        lines += [f"  {name} = {value!r}" for name, value in self.results.items()]
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
    cell_timeout_s: float | None = CELL_TIMEOUT_S,
    kernel_name: str = KERNEL_NAME,
    cwd: str | Path | None = None,
) -> RunRequest:
    """A :class:`RunRequest`, or ``ConfigError`` / ``ParameterError`` before anything runs.

    Values are merged in order: ``parameters_file`` (YAML), ``values``, then ``cli_pairs``
    (``-p NAME VALUE`` strings coerced to the declared types). The report name defaults to the
    notebook's file stem; the tag to the non-default parameters (``tag=""`` for none).
    """
    notebook = Path(notebook)
    report = check_report_name(report if report is not None else notebook.stem)
    declared = P.read_notebook_parameters(notebook)
    where = f"notebook {notebook}"
    merged: dict[str, Any] = {}
    if parameters_file is not None:
        merged.update(P.validate_parameters(P.load_parameters_file(parameters_file), declared, where))
    merged.update(P.validate_parameters(values or {}, declared, where))
    merged.update(P.parse_cli_parameters(list(cli_pairs or []), declared, where))
    if tag is None:
        tag = param_tag(P.non_default(merged, declared))
    # Absolute: papermill changes the working directory to the notebook's folder while it runs.
    slot = Slot(Path(reports_dir).resolve(), report, logical_date or dt.date.today(), tag).inside_reports()
    when = slot_time or dt.datetime.now(dt.timezone.utc)
    return RunRequest(
        notebook=notebook.resolve(),
        slot=slot,
        parameters=merged,
        slot_time=when.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
        trigger=trigger,
        cell_timeout_s=cell_timeout_s,
        kernel_name=kernel_name,
        cwd=Path(cwd).resolve() if cwd is not None else None,
    )


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
    """The first line of the cell that failed, else of the last cell papermill started."""
    started = ""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") == "failed":
            return _first_line(cell.source)
        if cell.cell_type == "code" and meta.get("start_time"):
            started = _first_line(cell.source)
    return started


def _failure(exc: BaseException, request: RunRequest, nb: nbformat.NotebookNode) -> tuple[str, RunFailure, type[ReportError]]:
    """(status, banner, exception class) for an execution error."""
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


def _run_papermill(request: RunRequest, partial: Path, record_file: Path) -> Exception | None:
    """Execute the notebook into ``partial`` (saved after every cell); the error, if any."""
    try:
        with _environment(RECORD_FILE_ENV, str(record_file)), execution_options() as options:
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
    except Exception as exc:  # every failure is recorded, published and re-raised by the caller
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
    """:func:`execute` for a caller that already holds the report's lock; no index update."""
    slot, ledger = request.slot, request.ledger
    # Holding the lock, no other run of this report is alive: close rows of killed runs.
    for stale in ledger.close_interrupted(slot.report, utc_now()):
        shutil.rmtree(slot.reports_dir / WORK_DIR / stale, ignore_errors=True)
    run_id = new_run_id()
    work = slot.reports_dir / WORK_DIR / run_id
    work.mkdir(parents=True)
    partial, html_tmp = work / f"{slot.stem}.ipynb", work / f"{slot.stem}.html"
    record_file = work / "record.json"
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
        )
    )
    clock = time.monotonic()
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
    )
    status, failure, error_class = "success", None, None
    if error is not None:
        status, failure, error_class = _failure(error, request, nb)
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
    shutil.rmtree(work, ignore_errors=True)

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
    )
    if error_class is not None:
        what = "the kernel died" if status == "kernel_died" else "it failed"
        exc = error_class(
            f"report '{slot.report}' ({slot.logical_date}) {what} after {format_duration(duration)}: "
            f"{message}. Partial notebook: {notebook_path}; error page: {html_path}. The last good "
            f"report of this slot, if any, is unchanged ({slot.html})."
        )
        exc.outcome = outcome
        raise exc from error
    return outcome
