"""``reports/index.html``: the latest run of every report, its history, and how results moved.

Runs of one report with one parameter tag form a series, shown as a *variant* of the report
(labelled by its non-default parameters, the default variant first); each recorded result of a
run is compared with the same result of the series' previous successful run ("moved +4.0% since
the run of 2026-06-01"). Beside a run's status the page shows its optimizer answer status, if
the notebook recorded one (``record_answer_status``), so an infeasible plan never reads as a
plain success. Logical dates and run times are shown in the runs' time zone (the manifest's),
stated once at the top.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from workbench import __version__
from workbench.errors import ConfigError
from workbench.notes import figure
from workbench.reports.layout import INDEX_FILE, LEDGER_FILE
from workbench.reports.ledger import Ledger, RunRecord
from workbench.reports.limits import DEFAULT_TIMEZONE
from workbench.reports.record import default_kind, worst_answer
from workbench.reports.render import TEMPLATES_DIR, format_duration, local_time

INDEX_TEMPLATE = "reports_index.html.j2"
MAX_DECIMALS = 12  # of a recorded result shown in fixed notation


def format_value(value: Any, kind: str = "number") -> str:
    """A recorded result for people: thousands separators, never an exponent.

    ``kind`` (see :func:`workbench.reports.record.record`): a ``share`` is shown in % with one
    decimal (0.4287 -> ``42.9%``), a ``percent`` too (42.87 -> ``42.9%``), ``money`` whole with
    its unit (``6,866,489 CNY``), ``units`` whole. Other numbers: integers and numbers of 1000 or more whole (``2,473,073``), smaller
    ones with 4 significant digits in fixed notation, trailing zeros dropped (``0.6125``,
    ``0.00001234``); lists item by item; other values as text.
    """
    if isinstance(value, list):
        return ", ".join(format_value(item, kind) for item in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if kind in ("share", "percent"):
        return f"{value * (100 if kind == 'share' else 1):,.1f}%"
    if kind == "money":
        return f"{figure(value)} CNY"  # a non-zero amount never reads 0 (trial 15 F8)
    if isinstance(value, int) or abs(value) >= 1000 or kind == "units":
        return figure(value)
    if value == 0:
        return "0"
    decimals = min(MAX_DECIMALS, max(0, 3 - math.floor(math.log10(abs(value)))))
    text = f"{value:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def describe_change(new: Any, old: Any, since: str, kind: str = "number") -> str:
    """How ``new`` compares with ``old`` (a previous run's value), in words; a share's change
    (or a percent's) in percentage points."""
    numeric = (int, float)
    if isinstance(new, numeric) and isinstance(old, numeric) and not isinstance(new, bool) and not isinstance(old, bool):
        if new == old:
            return f"unchanged since {since}"
        if kind in ("share", "percent"):
            points = (new - old) * (100 if kind == "share" else 1)
            return f"moved {points:+.1f} pp since {since} (was {format_value(old, kind)})"
        if old == 0:
            return f"was 0 in {since}"
        pct = (new - old) / abs(old) * 100.0
        return f"moved {pct:+.1f}% since {since} (was {format_value(old, kind)})"
    if new == old:
        return f"unchanged since {since}"
    return f"was {old!r} in {since}"


def result_kind(run: RunRecord, name: str) -> str:
    """How ``run``'s result ``name`` is shown: the kind recorded with it, else from its name
    (rows written before kinds were recorded)."""
    return run.result_kinds.get(name) or default_kind(name, run.results.get(name))


@dataclass(frozen=True)
class ResultView:
    name: str
    value: str
    change: str


@dataclass(frozen=True)
class RunView:
    """One run as the index shows it."""

    run: RunRecord
    results: list[ResultView]
    duration: str
    started: str  # "YYYY-MM-DD HH:MM" in the run's time zone
    html: str | None  # link relative to the index, None once pruned or never written
    ipynb: str | None
    answer: dict[str, str] | None  # the least good optimizer answer recorded, if any


def variant_label(run: RunRecord) -> str:
    """How people read a variant: ``region = 华东, year = 2025``; the default has a fixed label."""
    if not run.param_tag:
        return "default parameters"
    if not run.variant:  # rows written before the ledger kept the variant
        return run.param_tag
    return ", ".join(f"{name} = {value}" for name, value in run.variant.items())


def _view(run: RunRecord, previous: RunRecord | None, reports_dir: Path, show_zone: bool) -> RunView:
    since = f"the run of {previous.logical_date}" if previous else ""
    results = []
    for name, value in run.results.items():
        if previous is None:
            change = "first recorded run"
        elif name not in previous.results:
            change = f"not recorded in {since}"
        else:
            change = describe_change(value, previous.results[name], since, result_kind(run, name))
        results.append(ResultView(name, format_value(value, result_kind(run, name)), change))

    def link(kind: str) -> str | None:
        rel = run.outputs.get(kind)
        return rel if rel and not run.pruned_at and (reports_dir / rel).exists() else None

    duration = format_duration(run.duration_s) if run.duration_s is not None else "running"
    started = local_time(run.started_at, run.timezone)
    if show_zone:
        started += f" ({run.timezone})"
    return RunView(run, results, duration, started, link("html"), link("ipynb"), worst_answer(run.answers))


@dataclass(frozen=True)
class SeriesView:
    """A report series (one variant): its latest run, its latest good run (if not the same) and history."""

    label: str  # "default parameters" or the variant's parameters
    anchor: str  # HTML id of the variant's history
    latest: RunView
    last_good: RunView | None
    history: list[RunView]  # newest first


@dataclass(frozen=True)
class ReportView:
    """One report and its variants, the default variant first."""

    report: str
    variants: list[SeriesView]


def series_views(runs: list[RunRecord], reports_dir: Path, show_zone: bool = False) -> list[ReportView]:
    """One view per report, sorted by name, holding one view per variant (series)."""
    by_series: dict[tuple[str, str], list[RunRecord]] = {}
    for run in sorted(runs, key=lambda r: (r.started_at, r.run_id)):
        by_series.setdefault(run.series, []).append(run)
    reports: dict[str, list[SeriesView]] = {}
    for report, tag in sorted(by_series):
        views, last_success = [], None
        for run in by_series[(report, tag)]:
            views.append(_view(run, last_success, reports_dir, show_zone))
            if run.status == "success":
                last_success = run
        history = list(reversed(views))
        good = next((v for v in history if v.run.status == "success"), None)
        anchor = f"{report}__{tag}" if tag else report
        reports.setdefault(report, []).append(
            SeriesView(variant_label(history[0].run), anchor, history[0],
                       good if good is not history[0] else None, history)
        )
    return [ReportView(name, variants) for name, variants in reports.items()]


def render_index(reports_dir: str | Path, templates_dir: str | Path = TEMPLATES_DIR) -> str:
    """The index page of ``reports_dir`` as HTML, from its ledger."""
    reports_dir = Path(reports_dir)
    runs = Ledger(reports_dir / LEDGER_FILE).runs()
    zones = sorted({run.timezone for run in runs}) or [DEFAULT_TIMEZONE]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    return env.get_template(INDEX_TEMPLATE).render(
        reports=series_views(runs, reports_dir, show_zone=len(zones) > 1),
        timezone=zones[0] if len(zones) == 1 else None,
        generated_at=local_time(now, zones[0]) + ("" if len(zones) == 1 else f" ({zones[0]})"),
        package_version=__version__,
    )


def write_index(reports_dir: str | Path) -> Path:
    """Write ``reports_dir/index.html`` atomically and return its path.

    Raises ``ConfigError`` when the folder is a file (or lies below one) or the index is a folder.
    """
    reports_dir = Path(reports_dir)
    path = reports_dir / INDEX_FILE
    blocked = next((p for p in [reports_dir, *reports_dir.parents] if p.exists() and not p.is_dir()), None)
    if blocked is not None or path.is_dir():
        raise ConfigError(f"cannot write the reports index {path}: "
                          + (f"{blocked} is a file, not a folder" if blocked else "it is a folder")
                          + "; move it away or choose another reports folder")
    reports_dir.mkdir(parents=True, exist_ok=True)
    tmp = reports_dir / f".{INDEX_FILE}.{os.getpid()}.tmp"
    tmp.write_text(render_index(reports_dir), encoding="utf-8")
    os.replace(tmp, path)
    return path


def history_text(reports_dir: str | Path, report: str | None = None, limit: int = 50) -> str:
    """The ledger as a text table, newest first (``workbench report history``).

    Start times are in each run's time zone (named in the header when all runs share one);
    a run's optimizer answer status, if recorded, follows its status (``success/infeasible``).
    """
    runs = Ledger(Path(reports_dir) / LEDGER_FILE).runs(report)
    if not runs:
        return f"no runs recorded{f' for report {report!r}' if report else ''} in {reports_dir}"
    shown = list(reversed(runs))[:limit]
    zones = sorted({run.timezone for run in shown})
    started_title = f"started ({zones[0]})" if len(zones) == 1 else "started"
    header = ("run id", "report", "date", "status", "exit", "duration", started_title, "results")
    rows = [header]
    for run in shown:
        name = f"{run.report}__{run.param_tag}" if run.param_tag else run.report
        duration = format_duration(run.duration_s) if run.duration_s is not None else "-"
        results = ", ".join(f"{k}={format_value(v, result_kind(run, k))}" for k, v in run.results.items())
        if run.variant:
            results = ", ".join(f"{k}={v}" for k, v in run.variant.items()) + (f"; {results}" if results else "")
        if run.error:
            results = (results + "; " if results else "") + f"error: {run.error}"
        exit_code = "" if run.exit_code is None else str(run.exit_code)
        answer = worst_answer(run.answers)
        status = run.status + (f"/{answer['status']}" if answer else "")
        started = local_time(run.started_at, run.timezone) + ("" if len(zones) == 1 else f" {run.timezone}")
        rows.append((run.run_id, name, run.logical_date, status, exit_code, duration, started, results))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(f"{cell:<{w}}" for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows
    ).rstrip()
