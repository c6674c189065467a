"""Unavailable days: days a series could not sell (a stock-out, a delisting, a shop closure).

Zero sales on a day a SKU was out of stock are no zero demand, but a sales table cannot tell
the two apart: a stock-out at the history's end reads as a stopped line, one inside it as a
drop (trial 11 F0/F2). Mature planning tools let the planner declare such days so they are
censored (SAP IBP's and Blue Yonder's out-of-stock flags on demand history); ``read_unavailable``
reads that declaration.

The file (CSV in UTF-8 or GBK, Excel, Parquet: ``workbench.data.io.read_table``) has one row
per run of unavailable days:

* any subset of the run's key columns (``--keys``) that names series, e.g. ``商品ID``: the run
  applies to every series with those values (a SKU in every province when only ``商品ID`` is
  given); no key column at all applies the row to every series (the shop closed);
* a key column may go by another of its field's names (``商品ID`` for ``sku``, ``开始日期`` for
  ``start``: ``workbench.data.headers``, the one mapping every reader uses);
* ``start``, ``end``: the first and last unavailable day, inclusive (``YYYY-MM-DD``, or any one
  format the data's dates take, ``workbench.data.validate.parse_dates``: ``2026年8月26日``...).

What is done with the days is the forecast core's (``workbench.forecast.core.censor_unavailable``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data.headers import renamed_text
from workbench.data.validate import closest_hint, parse_dates
from workbench.errors import DataValidationError

SPAN_COLUMNS = ("start", "end")


def read_unavailable(source: str | Path, frame: pd.DataFrame, keys, *,
                     fix: str = "rename them or add them to --keys") -> pd.DataFrame:
    """Read and check an unavailable-days file against the standard frame it declares days of.

    Parameters
    ----------
    source : the file (see the module docstring for its columns).
    frame : the standard frame ``[keys..., ds, y]`` of the run (its key values are checked).
    keys : the run's series key columns.
    fix : ``read_spans``' advice on a column that is no key.

    Returns
    -------
    ``[key columns of the file..., start, end, line]``: one row per run, ``start``/``end`` as
    ``Timestamp`` days (inclusive), key values as text, ``line`` the file's line (row) number.

    Raises
    ------
    DataValidationError naming the file, its line and column: ``read_spans``' faults, and a key
    value no series of the data holds (with the closest values the data holds, ``validate.closest_hint``).
    """
    out = read_spans(source, keys, fix=fix)
    check_codes(out, frame, [c for c in out.columns if c not in (*SPAN_COLUMNS, "line")])
    return out


def check_codes(spans: pd.DataFrame, frame: pd.DataFrame, columns) -> None:
    """Refuse a row of ``spans`` (``read_spans``' table) whose value in one of ``columns`` (its key
    columns that ``frame``, the data, holds) no row of ``frame`` has: ``DataValidationError`` naming
    the file, line and column (a code typo)."""
    src = spans.attrs.get("source", "the unavailable-days file")
    for k in [c for c in columns if c in spans.columns]:
        known = set(frame[k].astype(str).unique())
        bad = spans[~spans[k].isin(known)]
        if len(bad):
            more = f" ({len(bad) - 1} more rows too)" if len(bad) > 1 else ""
            raise DataValidationError(f"{src}: line {bad['line'].iloc[0]}, column {k!r}: {bad[k].iloc[0]!r} is no "
                                      f"value of {k!r} in the data{more}; check the code{closest_hint(bad[k].iloc[0], known)}")


def read_spans(source: str | Path, keys, *, fix: str = "rename them or add them to --keys") -> pd.DataFrame:
    """Read an unavailable-days file and check it on its own (the notebooks' check before any
    kernel starts; ``read_unavailable`` adds the check of its key values against the data).

    Parameters
    ----------
    source : the file (see the module docstring for its columns).
    keys : the run's series key columns (the file's other columns are refused).
    fix : what the message on another column advises, in the words of the command or notebook
        that reads the file (its keys are ``--keys`` on the command line, ``-p keys`` in the
        event report, the sales file's columns in the planning cycle).

    Returns
    -------
    ``read_unavailable``'s table, its key values not yet checked against any data.

    Raises
    ------
    DataValidationError naming the file, its line and column: a missing ``start``/``end``
    column, a column that is neither a key of the run nor ``start``/``end``, an empty, unreadable
    or ambiguous date (``parse_dates``' faults), an ``end`` before its ``start``, an empty key value.
    """
    from workbench.data.io import read_table

    keys = list(keys)
    # a key or start/end under another name (商品ID for sku, 开始日期 for start) is read as it: the
    # one alias mapping every reader uses (workbench.data.headers; trial 15 F11)
    table = read_table(source, text_columns=True, fields=[*keys, *SPAN_COLUMNS])
    src = table.attrs.get("source", str(source))
    missing = [c for c in SPAN_COLUMNS if c not in table.columns]
    if missing:
        raise DataValidationError(f"{src}: column(s) {missing} missing; an unavailable-days file has the columns "
                                  f"start and end (first and last day, inclusive) and any of the key columns "
                                  f"{keys} that name the series; found {list(table.columns)}")
    unknown = [c for c in table.columns if c not in SPAN_COLUMNS and c not in keys]
    if unknown:
        raise DataValidationError(f"{src}: column(s) {unknown} are neither start/end nor a key column of the run "
                                  f"({keys}); {fix}")
    key_cols = [k for k in keys if k in table.columns]
    # the data's own date reader (trial 12 F17: 2026年8月26日 was refused here, read by `data orders`)
    days = {c: parse_dates(table, c, source=src) for c in SPAN_COLUMNS}
    rows = []
    for i, (label, record) in enumerate(table.iterrows()):
        line = label + 2 if table.attrs.get("csv_rows") else i + 1  # a file's line (header: 1), else its row
        span = {c: days[c].iloc[i] for c in SPAN_COLUMNS}
        if span["end"] < span["start"]:
            raise DataValidationError(f"{src}: line {line}, column 'end': {span['end'].date()} is before the start "
                                      f"{span['start'].date()}; end is the last unavailable day (inclusive)")
        values = {}
        for k in key_cols:
            text = "" if pd.isna(record[k]) else str(record[k]).strip()
            if not text:
                raise DataValidationError(f"{src}: line {line}, column {k!r}: empty; name the series' {k} or drop "
                                          f"the column to apply the row to every series")
            values[k] = text
        rows.append({**values, **span, "line": line})
    out = pd.DataFrame(rows, columns=[*key_cols, *SPAN_COLUMNS, "line"])
    out.attrs["source"], out.attrs["renamed"] = src, table.attrs.get("renamed", {})
    return out


def describe_unavailable(spans: pd.DataFrame | None, cutoff) -> list[str]:
    """What a report says of the declared days (``read_unavailable``'s table; None: nothing): one line
    per run, the series it names (every series when none), its days, and whether they lie in the
    history the forecast read (read as the level) or after ``cutoff``, its last day (forecast as
    sales 0, the demand given up in ``lost_sales``), or both. A past window's forecast reads the
    history to its cut-off, not to the data's end (review 10.1 F3: its declared days in the window
    were said to be read as the level, and were forecast as sales 0)."""
    if spans is None or not len(spans):
        return []
    end = pd.Timestamp(cutoff)
    keys = [c for c in spans.columns if c not in (*SPAN_COLUMNS, "line")]
    lines = []
    for span in spans.to_dict("records"):
        named = ", ".join(f"{k}={span[k]}" for k in keys if k in span) or "every series"
        where = ("in the history: read as the level" if span["end"] <= end else
                 "after the history: forecast as sales 0, the demand given up in lost_sales" if span["start"] > end
                 else "in the history (read as the level) and after it (sales 0, the demand given up in lost_sales)")
        lines.append(f"declared unavailable ({spans.attrs.get('source', 'file')}{renamed_text(spans)} line "
                     f"{span['line']}): {named}, "
                     f"{span['start'].date()}..{span['end'].date()}, {where}")
    return lines
