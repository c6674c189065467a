"""The plan's KPIs side by side with their targets, each green or red, and what to change.

A KPI is green when its value meets the target in the stated direction (``>=`` or ``<=``),
red when it does not, and ``info`` when it has no target (a figure to act on, such as the stock
to buy) or no value (the input to compute it is missing; the reason is given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from workbench.notes import figure

STATUSES = ("green", "red", "info")


@dataclass(frozen=True)
class Kpi:
    """One KPI row.

    ``name`` is the key recorded for the report index (e.g. ``kpi_ship_48h_p50``); ``kind`` is a
    ``workbench.reports.tables`` format kind (``share``, ``ratio``, ``money``, ``units``);
    ``action`` says what to change when the KPI is red (or why it has no value);
    ``status_override`` (one of :data:`STATUSES`) replaces the judged status.
    """

    name: str
    label: str
    value: float | None
    target: float | None
    direction: str | None
    kind: str
    action: str = ""
    status_override: str | None = None

    @property
    def status(self) -> str:
        """``status_override`` when set (a verdict the value alone does not carry: an infeasible
        plan, a GMV target beyond the traffic budget), else :func:`judge`."""
        return self.status_override or judge(self.value, self.target, self.direction)


def judge(value: float | None, target: float | None, direction: str | None) -> str:
    """``green`` when ``value`` meets ``target`` in ``direction`` (``>=`` or ``<=``, with a 1e-9
    tolerance), ``red`` when it does not, ``info`` without a target or a value.

    Raises:
        ValueError: ``direction`` other than ``>=``, ``<=`` or None with a target.
    """
    if target is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return "info"
    if direction == ">=":
        return "green" if value >= target - 1e-9 else "red"
    if direction == "<=":
        return "green" if value <= target + 1e-9 else "red"
    raise ValueError(f"direction {direction!r} must be '>=' or '<='")


def kpi_table(kpis: list[Kpi]) -> pd.DataFrame:
    """``kpi, value, target, status, what to change`` (one row per KPI, in the given order);
    ``target`` reads e.g. ``>= 95.0%``."""
    rows = []
    for k in kpis:
        rows.append({"kpi": k.label, "value": k.value,
                     "target": "" if k.target is None else f"{k.direction} {_fmt(k.target, k.kind)}",
                     "status": k.status, "what to change": k.action if k.status != "green" else ""})
    return pd.DataFrame(rows)


def _fmt(value: float, kind: str) -> str:
    if kind in ("share", "pct"):
        return f"{value:.1%}"
    if kind in ("money", "units"):
        return figure(value)  # a non-zero target never reads 0
    return f"{value:.2f}" if kind == "ratio" else f"{value:g}"


_COLOURS = {"green": "#c8e6c9", "red": "#ffcdd2", "info": "#eeeeee"}


def kpi_html(kpis: list[Kpi], *, caption: str = "The plan's KPIs against their targets") -> str:
    """:func:`kpi_table` as a report table (``workbench.reports.tables.table_html``: CSV link,
    the report's table style) with values formatted by kind (shares as %, money and units with
    thousands separators) and each status cell coloured green, red or grey."""
    from workbench.reports.tables import table_html

    table = kpi_table(kpis)
    table["value"] = [("—" if k.value is None else _fmt(k.value, k.kind)) for k in kpis]
    text = table_html(table, {c: "text" for c in table.columns}, caption=caption,
                      download="planning_cycle_kpis")
    for status, colour in _COLOURS.items():
        text = text.replace(f"<td>{status}</td>",
                            f'<td style="background-color:{colour};font-weight:bold">{status}</td>')
    return text
