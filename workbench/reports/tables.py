"""Tables in notebooks and reports: one formatting rule for every table a report shows.

Each column gets a *kind* that says how a reader should see it:

==========  ==================================================  ====================  ========
kind        meaning                                             shown as              decimals
==========  ==================================================  ====================  ========
``money``   an amount in CNY (yuan)                             ``101.8`` in the      1 (0 for
                                                                table's money unit,   ``CNY``)
                                                                unit in the header
``units``   quantities of goods (may be fractional forecasts)   ``12,345``            0
``count``   numbers of things (orders, series, sites)           ``1,234``             0
``pct``     a fraction shown in percent (0.43 is 43 %)          ``43.0%``             1
``share``   a part of a whole, a fraction in [0, 1]             ``57.4%``             1
``percent`` a value already in percent (a ``_pct`` column: 43.0)  ``43.0%``             1
``ratio``   a dimensionless ratio such as ROI (GMV / spend)     ``5.23``              2
``number``  any other measured value (hours, km, days)          ``1,234.5``           1
``text``    labels (true/false as yes/no)                       as is                 -
``date``    dates or times                                      ``2026-06-18``        -
==========  ==================================================  ====================  ========

A kind may carry its own number of decimals: ``"ratio:3"``, ``"money:2"``. Every number gets
thousands separators and fixed decimals, never scientific notation; missing values show as
``—``. The pandas index is not shown: a meaningful (named or non-default) index becomes
ordinary leading columns. Wide tables scroll inside the page.

Every table carries a download link (the whole table as CSV, UTF-8 with a byte-order mark so
Excel opens Chinese text correctly, long digit codes as text, ``data.io.excel_safe_text``)
embedded in the page as a ``data:`` URI, so the link works
in an offline copy of the HTML report (``xlsx=True`` adds the same table as an Excel workbook).
The CSV holds the same numbers as the page except money,
which it keeps in CNY with two decimals, and percentages, which it gives as percent numbers.
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.notes import figure

KINDS = ("money", "units", "count", "pct", "share", "percent", "ratio", "number", "text", "date")
_NUMERIC_KINDS = {"money", "units", "count", "pct", "share", "percent", "ratio", "number"}
_AMOUNT_KINDS = {"money", "units", "count"}  # shown by ``notes.figure``: never 0 when not zero
_DEFAULT_DECIMALS = {"money": 1, "units": 0, "count": 0, "pct": 1, "share": 1, "percent": 1, "ratio": 2, "number": 1}

MONEY_UNITS = {"CNY": 1.0, "thousand CNY": 1e3, "million CNY": 1e6, "billion CNY": 1e9}
"""Money units a table can show, with their size in CNY."""

DEFAULT_MONEY_UNIT = "CNY"
MISSING = "—"
_SHARE_TOLERANCE = 1e-9  # shares computed as a / b may overshoot [0, 1] by rounding only

# Selectors are more specific than the notebook page's own table rules (JupyterLab right-aligns
# every cell with ":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td", two classes); the
# caption sits outside the scrolling box so that it wraps to the page.
_T = "div.wb-table-block div.wb-table table"
_STYLE = (
    "<style>"
    "div.wb-table-block{margin:0.4em 0 1.2em 0}"
    "div.wb-table-block p.wb-caption{font-weight:600;margin:0 0 0.3em 0}"
    "div.wb-table-block div.wb-table{overflow-x:auto;max-width:100%}"
    f"{_T}{{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:0.92em;margin:0}}"
    f"{_T} th,{_T} td{{padding:0.2em 0.7em;border-bottom:1px solid #ddd;white-space:nowrap;text-align:left}}"
    f"{_T} th{{border-bottom:2px solid #999}}"
    f"{_T} th.num,{_T} td.num{{text-align:right}}"
    "div.wb-table-block div.wb-downloads{font-size:0.85em;margin-top:0.3em}"
    "</style>"
)


@dataclass(frozen=True)
class ColumnFormat:
    """How one column is shown: its kind and number of decimals (``None`` for text and dates)."""

    kind: str
    decimals: int | None

    @classmethod
    def parse(cls, spec: str, column: str, money_unit: str = DEFAULT_MONEY_UNIT) -> ColumnFormat:
        """``"kind"`` or ``"kind:decimals"`` (default decimals per kind; money in whole CNY has
        none); raises ``ValueError`` naming ``column``."""
        kind, _, digits = str(spec).partition(":")
        if kind not in KINDS:
            raise ValueError(f"column {column!r}: unknown kind {spec!r}; use one of {', '.join(KINDS)}")
        if kind not in _NUMERIC_KINDS:
            if digits:
                raise ValueError(f"column {column!r}: kind {kind!r} takes no decimals, got {spec!r}")
            return cls(kind, None)
        if not digits:
            return cls(kind, 0 if kind == "money" and money_unit == "CNY" else _DEFAULT_DECIMALS[kind])
        if not digits.isdigit() or int(digits) > 6:
            raise ValueError(f"column {column!r}: decimals in {spec!r} must be a whole number 0-6")
        return cls(kind, int(digits))


def format_number(value, kind: str, decimals: int, *, scale: float = 1.0) -> str:
    """One number as text: ``value / scale`` (times 100 with ``%`` for ``pct`` and ``share``)
    with thousands separators and ``decimals`` fixed decimals, more for an amount (money, units,
    count) that would read as 0 (``notes.figure``); ``—`` for a missing value.

    Raises ``TypeError`` when ``value`` is not a real number.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected a number, got {value!r} ({type(value).__name__})")
    number = float(value)
    if math.isnan(number):
        return MISSING
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if kind in ("pct", "share"):
        number *= 100.0
    else:
        number /= scale
    if kind in _AMOUNT_KINDS:  # a non-zero amount is never shown as 0.0 (trial 15 F8: "0.0M" short)
        text = figure(number, decimals)
    else:
        text = f"{number:,.{decimals}f}"
        if text.lstrip("-").strip("0.,") == "":  # -0.0 after rounding reads as zero
            text = text.lstrip("-")
    return text + "%" if kind in ("pct", "share", "percent") else text


def format_value(value, spec: str, *, money_unit: str | None = None) -> str:
    """One value shown by the rules of a column of kind ``spec`` (``"money"``, ``"pct:4"``,
    ``"text"``...), for text that mixes kinds row by row; raises ``ValueError`` for an unknown
    kind or unit and ``TypeError`` for a non-number in a numeric kind."""
    unit = money_unit or DEFAULT_MONEY_UNIT
    if unit not in MONEY_UNITS:
        raise ValueError(f"money_unit {unit!r} is not one of {', '.join(MONEY_UNITS)}")
    fmt = ColumnFormat.parse(spec, "value", unit)
    if fmt.kind == "text":
        return MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if fmt.kind == "date":
        return format_date(value)
    return format_number(value, fmt.kind, fmt.decimals, scale=MONEY_UNITS[unit] if fmt.kind == "money" else 1.0)


def format_date(value) -> str:
    """A date (``YYYY-MM-DD``) or, when it has a time of day, ``YYYY-MM-DD HH:MM``."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, str):
        return value
    stamp = pd.Timestamp(value)
    if stamp.hour == stamp.minute == stamp.second == stamp.microsecond == 0:
        return stamp.strftime("%Y-%m-%d")
    return stamp.strftime("%Y-%m-%d %H:%M")


def _column_name(column) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part) != "")
    return str(column)


def _plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a meaningful index turned into columns, a default one dropped, and
    column labels (also multi-level ones) as strings."""
    index = frame.index
    default_index = (
        isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1
    )
    out = frame.reset_index(drop=default_index)
    out.columns = [_column_name(c) for c in out.columns]
    duplicated = out.columns[out.columns.duplicated()].tolist()
    if duplicated:
        raise ValueError(f"the table has duplicated column names {duplicated}; rename them first")
    return out


def _infer_format(series: pd.Series) -> ColumnFormat | None:
    """Kinds that need no choice: labels, dates and whole numbers; ``None`` for decimals."""
    if pd.api.types.is_bool_dtype(series) or isinstance(series.dtype, pd.CategoricalDtype):
        return ColumnFormat("text", None)
    if pd.api.types.is_datetime64_any_dtype(series):
        return ColumnFormat("date", None)
    if pd.api.types.is_integer_dtype(series):
        return ColumnFormat("count", 0)
    if pd.api.types.is_numeric_dtype(series):
        return None
    values = series.dropna()
    if len(values) and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        return None
    return ColumnFormat("text", None)


def column_formats(frame: pd.DataFrame, formats: dict[str, str] | None = None, *,
                   others: str | None = None, money_unit: str = DEFAULT_MONEY_UNIT) -> dict[str, ColumnFormat]:
    """The format of every column of ``frame`` (already plain: see :func:`table_html`).

    ``formats`` maps column names to kinds; ``others`` is the kind of every column not named.
    Without either, labels, dates and whole-number columns are recognized; a column of
    decimals must be named, because only the caller knows whether 0.43 is a share or a ratio.

    Raises ``ValueError`` for a name in ``formats`` that is not a column, an unknown kind, or
    a column of decimals with no kind.
    """
    formats = dict(formats or {})
    unknown = [name for name in formats if name not in frame.columns]
    if unknown:
        raise ValueError(f"formats names {unknown}, which are not columns of the table "
                         f"(columns: {list(frame.columns)})")
    result: dict[str, ColumnFormat] = {}
    missing: list[str] = []
    for name in frame.columns:
        if name in formats:
            result[name] = ColumnFormat.parse(formats[name], name, money_unit)
        elif others is not None:
            result[name] = ColumnFormat.parse(others, name, money_unit)
        else:
            inferred = _infer_format(frame[name])
            if inferred is None:
                missing.append(name)
            else:
                result[name] = inferred
    if missing:
        raise ValueError(f"columns {missing} hold decimals: give each a kind in formats= "
                         f"({', '.join(sorted(_NUMERIC_KINDS))})")
    return result


def _check_shares(frame: pd.DataFrame, fmts: dict[str, ColumnFormat]) -> None:
    for name, fmt in fmts.items():
        if fmt.kind != "share":
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        bad = values[(values < -_SHARE_TOLERANCE) | (values > 1 + _SHARE_TOLERANCE)]
        if len(bad):
            row = bad.index[0] + 1  # counted from 1, as a reader counts
            raise ValueError(f"column {name!r} is declared a share but row {row} holds {float(bad.iloc[0]):g}, "
                             "outside [0, 1]; use kind 'pct' for changes that can exceed 100%")


def _cell_text(value, fmt: ColumnFormat, scale: float, column: str, row: int) -> str:
    if fmt.kind == "text":
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        return MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if fmt.kind == "date":
        return format_date(value)
    try:
        return format_number(value, fmt.kind, fmt.decimals, scale=scale if fmt.kind == "money" else 1.0)
    except TypeError as exc:
        raise ValueError(f"column {column!r}, row {row + 1}: {exc}") from None


def _header(name: str, fmt: ColumnFormat, labels: dict[str, str], money_unit: str) -> str:
    label = labels.get(name, name)
    if fmt.kind != "money":
        return label
    for unit in MONEY_UNITS:  # a label that already names a money unit gets the table's instead
        label = label.removesuffix(f" ({unit})")
    return f"{label} ({money_unit})"


def formatted_cells(frame: pd.DataFrame, formats: dict[str, str] | None = None, *,
                    others: str | None = None, money_unit: str | None = None,
                    labels: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """The table as text, exactly as a report shows it: (headers, rows of cell texts).

    ``frame``'s index becomes leading columns unless it is the default 0..n-1 range (dropped);
    multi-level column labels are joined with ``" / "`` (the names ``formats`` and ``labels`` use).
    ``money_unit`` is one of :data:`MONEY_UNITS` (default CNY); money columns hold CNY.
    ``labels`` renames columns for display. Raises ``ValueError`` as :func:`column_formats`
    does, for a non-number in a numeric column, a share outside [0, 1] or an unknown unit.
    """
    money_unit = money_unit or DEFAULT_MONEY_UNIT
    if money_unit not in MONEY_UNITS:
        raise ValueError(f"money_unit {money_unit!r} is not one of {', '.join(MONEY_UNITS)}")
    plain = _plain_frame(frame)
    fmts = column_formats(plain, formats, others=others, money_unit=money_unit)
    _check_shares(plain, fmts)
    labels = labels or {}
    scale = MONEY_UNITS[money_unit]
    headers = [_header(name, fmts[name], labels, money_unit) for name in plain.columns]
    rows = [
        [_cell_text(value, fmts[name], scale, name, row) for name, value in zip(plain.columns, values)]
        for row, values in enumerate(plain.itertuples(index=False, name=None))
    ]
    return headers, rows


def text_table(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, others: str | None = None,
               money_unit: str | None = None, labels: dict[str, str] | None = None) -> str:
    """The table as aligned plain text for a terminal or a printed summary, formatted by the same
    rules as the HTML table (:func:`formatted_cells`): labels left, numbers right, two spaces
    between columns. Raises ``ValueError`` as :func:`formatted_cells` does."""
    headers, rows = formatted_cells(frame, formats, others=others, money_unit=money_unit, labels=labels)
    fmts = column_formats(_plain_frame(frame), formats, others=others, money_unit=money_unit or DEFAULT_MONEY_UNIT)
    numeric = [fmt.kind in _NUMERIC_KINDS for fmt in fmts.values()]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric)).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


def export_frame(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, others: str | None = None,
                 labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The table as downloaded: no index, money in CNY with two decimals (header ``... (CNY)``),
    percentages as percent numbers (header ``... (%)``), other numbers rounded to their shown
    decimals (whole numbers as integers), dates as ISO text."""
    plain = _plain_frame(frame)
    fmts = column_formats(plain, formats, others=others)
    labels = labels or {}
    out = pd.DataFrame(index=plain.index)
    for name, fmt in fmts.items():
        label = labels.get(name, name)
        column = plain[name]
        if fmt.kind == "money":
            out[f"{label} (CNY)"] = pd.to_numeric(column).round(2)
        elif fmt.kind in ("pct", "share", "percent"):
            out[f"{label} (%)"] = (pd.to_numeric(column) * (1 if fmt.kind == "percent" else 100)).round(fmt.decimals)
        elif fmt.kind in _NUMERIC_KINDS:
            values = pd.to_numeric(column).round(fmt.decimals)
            out[label] = values.astype("Int64") if fmt.decimals == 0 else values
        elif fmt.kind == "date":
            out[label] = [format_date(v) if v is not None else "" for v in column]
        else:
            out[label] = column
    return out


def csv_bytes(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, others: str | None = None,
              labels: dict[str, str] | None = None) -> bytes:
    """:func:`export_frame` as CSV for Excel: UTF-8 with a byte-order mark, CRLF line ends, long
    digit codes as text (``data.io.excel_safe_text``)."""
    from workbench.data.io import excel_safe_text

    out = excel_safe_text(export_frame(frame, formats, others=others, labels=labels))
    return ("\ufeff" + out.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, others: str | None = None,
               labels: dict[str, str] | None = None) -> bytes:
    """:func:`export_frame` as an Excel workbook (one sheet, ``table``), written by openpyxl."""
    buffer = io.BytesIO()
    export_frame(frame, formats, others=others, labels=labels).to_excel(
        buffer, index=False, sheet_name="table", engine="openpyxl")
    return buffer.getvalue()


_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_stem(download: str | bool, caption: str | None) -> str:
    if isinstance(download, str):
        return re.sub(r"\.(csv|xlsx)$", "", download, flags=re.IGNORECASE)
    stem = re.sub(r"[^\w-]+", "_", caption or "table").strip("_").lower()
    if len(stem) > 40:  # a long caption: its first words, cut at a word boundary
        stem = stem[:40].rsplit("_", 1)[0]
    return stem or "table"


def _link(name: str, mime: str, data: bytes, rows: int) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="wb-download" download="{html.escape(name)}" href="data:{mime};base64,{encoded}">'
            f"Download {html.escape(name)} ({rows:,} rows)</a>")


def table_html(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, caption: str | None = None,
               money_unit: str | None = None, others: str | None = None,
               labels: dict[str, str] | None = None, download: str | bool = True, xlsx: bool = False) -> str:
    """The table as an HTML fragment (see the module docstring for the formatting rules).

    ``download``: a file name for the CSV link, ``True`` for a name made from the caption, or
    ``False`` for no link; ``xlsx`` adds a link to the same table as an Excel workbook. Raises
    ``ValueError`` as :func:`formatted_cells` does.
    """
    headers, rows = formatted_cells(frame, formats, others=others, money_unit=money_unit, labels=labels)
    plain = _plain_frame(frame)
    fmts = column_formats(plain, formats, others=others, money_unit=money_unit)
    numeric = [fmts[name].kind in _NUMERIC_KINDS for name in plain.columns]

    def cell(tag: str, text: str, is_number: bool) -> str:
        css = ' class="num"' if is_number else ""
        return f"<{tag}{css}>{html.escape(text)}</{tag}>"

    parts = ['<div class="wb-table-block">', _STYLE]
    if caption:
        parts.append(f'<p class="wb-caption">{html.escape(caption)}</p>')
    parts += ['<div class="wb-table" style="overflow-x:auto;max-width:100%">', "<table>"]
    parts.append("<thead><tr>" + "".join(cell("th", h, n) for h, n in zip(headers, numeric)) + "</tr></thead>")
    parts.append("<tbody>")
    parts.extend("<tr>" + "".join(cell("td", t, n) for t, n in zip(row, numeric)) + "</tr>" for row in rows)
    parts.append("</tbody></table></div>")
    if download is not False:
        stem = _file_stem(download, caption)
        links = [_link(f"{stem}.csv", "text/csv;charset=utf-8", csv_bytes(frame, formats, others=others,
                                                                          labels=labels), len(rows))]
        if xlsx:
            links.append(_link(f"{stem}.xlsx", _XLSX_TYPE, xlsx_bytes(frame, formats, others=others,
                                                                     labels=labels), len(rows)))
        parts.append('<div class="wb-downloads">' + " · ".join(links) + "</div>")
    parts.append("</div>")
    return "".join(parts)


def show_table(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, caption: str | None = None,
               money_unit: str | None = None, others: str | None = None,
               labels: dict[str, str] | None = None, download: str | bool = True, xlsx: bool = False) -> None:
    """Display ``frame`` in a notebook as a formatted table with a CSV download link.

    ``formats`` maps columns to kinds (``"money"``, ``"units"``, ``"count"``, ``"pct"``,
    ``"share"``, ``"ratio"``, ``"number"``, ``"text"``, ``"date"``, optionally ``"kind:decimals"``);
    ``others`` is the kind of every column not named; ``money_unit`` one of :data:`MONEY_UNITS`
    (money columns hold CNY); ``labels`` renames columns for display; ``download`` and ``xlsx``
    as in :func:`table_html`. Raises ``ValueError`` naming the column at fault.
    """
    from IPython.display import HTML, display

    display(HTML(table_html(frame, formats, caption=caption, money_unit=money_unit, others=others,
                            labels=labels, download=download, xlsx=xlsx)))
