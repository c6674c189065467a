"""Executed notebook -> offline HTML page through the ``templates/report`` nbconvert template.

The page has no code cells, a header (report name, parameters, data time range, package version,
run time) and, for a failed run, an error banner at the top. Figures come from
``workbench.plots.show`` as ``text/html`` with plotly.js inlined by the first figure, so the page
needs no network.
"""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from workbench.reports.limits import DEFAULT_TIMEZONE
from workbench.reports.record import worst_answer

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE_NAME = "report"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"  # papermill's own "An Exception was..." cells


@dataclass(frozen=True)
class RunFailure:
    """What the error banner shows: a title, one-line message, failing cell and traceback."""

    title: str
    message: str
    cell: str = ""
    traceback: str = ""


@dataclass(frozen=True)
class ReportHeader:
    """The run facts printed above the notebook's outputs."""

    report: str
    notebook: str
    logical_date: str
    parameters: dict[str, Any]
    started_at: str
    duration_s: float
    run_id: str
    package_version: str
    data_range: dict[str, str] | None = None
    error: RunFailure | None = None
    timezone: str = DEFAULT_TIMEZONE  # the logical date's zone; times are shown in it
    answers: list[dict[str, str]] = field(default_factory=list)  # optimizer answer statuses


def local_time(utc_iso: str, timezone: str) -> str:
    """``utc_iso`` (an ISO time with offset) as ``YYYY-MM-DD HH:MM`` in ``timezone``."""
    moment = dt.datetime.fromisoformat(utc_iso)
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float) -> str:
    """``83.2`` -> ``'1 min 23 s'``."""
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _for_display(nb: nbformat.NotebookNode, failed: bool) -> nbformat.NotebookNode:
    """A copy without papermill's error-marker cells; stderr streams hidden on good runs."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    if not failed:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
                ]
    return nb


def render_html(
    nb: nbformat.NotebookNode, header: ReportHeader, templates_dir: str | Path = TEMPLATES_DIR
) -> str:
    """The report page of executed notebook ``nb`` as an HTML string."""
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(templates_dir)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    info = asdict(header)
    info["duration"] = format_duration(header.duration_s)
    info["started"] = local_time(header.started_at, header.timezone)
    info["answer"] = worst_answer(header.answers)
    info["parameters"] = {k: repr(v) if not isinstance(v, str) else v for k, v in header.parameters.items()}
    resources = {"metadata": {"name": header.report}, "workbench": info}
    body, _ = exporter.from_notebook_node(_for_display(nb, header.error is not None), resources)
    return body
