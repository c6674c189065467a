"""Validation of long-format time-series tables into the workbench's standard frame.

The standard frame has the key columns, ``ds`` (datetime, one frequency) and ``y`` (float, >= 0),
sorted by keys then ``ds``. Gap policy (stated, never silent): missing periods between a series'
first and last date are filled with zero sales (``gaps="zero"``, the default: a day with no rows
sold nothing) or rejected (``gaps="error"``); the number filled is reported. Zeros are kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError

FREQUENCIES = {"D": "daily", "W": "weekly", "MS": "monthly (month start)", "QS": "quarterly (quarter start)"}
GAP_POLICIES = ("zero", "error")
_SHOW = 5


class GapsFilledWarning(UserWarning):
    """Missing periods were filled with zeros under the ``gaps="zero"`` policy."""


@dataclass
class ValidationReport:
    source: str
    n_rows: int
    n_series: int
    start: pd.Timestamp
    end: pd.Timestamp
    freq: str
    gaps_filled: int = 0
    series_with_gaps: list = field(default_factory=list)
    zero_share: float = 0.0

    def summary(self) -> str:
        text = (f"{self.source}: {self.n_series} series, {self.n_rows} rows, "
                f"{self.start.date()}..{self.end.date()} ({FREQUENCIES[self.freq]}), "
                f"{self.zero_share:.1%} zeros")
        if self.gaps_filled:
            text += f", {self.gaps_filled} missing periods filled with 0 in {len(self.series_with_gaps)} series"
        return text


def describe_rows(frame: pd.DataFrame, mask) -> str:
    """Name offending rows as file line numbers for CSV (header is line 1), else 1-based rows:
    ``"line 3"``, ``"rows 2, 5 and 4 more"``."""
    idx = np.flatnonzero(np.asarray(mask))
    csv = frame.attrs.get("csv_rows", False)
    labels = [str(i + 2) if csv else str(i + 1) for i in idx[:_SHOW]]
    more = f" and {len(idx) - _SHOW} more" if len(idx) > _SHOW else ""
    return f"{'line' if csv else 'row'}{'s' if len(idx) > 1 else ''} {', '.join(labels)}{more}"


def pandas_freq(freq: str, dates: pd.DatetimeIndex | None = None) -> str:
    """The pandas offset alias for a workbench frequency; weekly data keeps its own weekday."""
    if freq not in FREQUENCIES:
        raise DataValidationError(
            f"unknown frequency {freq!r}; use one of {', '.join(FREQUENCIES)} "
            f"({', '.join(FREQUENCIES.values())})")
    if freq == "W":
        weekday = "SUN" if dates is None or len(dates) == 0 else dates[0].day_name()[:3].upper()
        return f"W-{weekday}"
    return freq


def prepare_long_frame(
    frame: pd.DataFrame,
    *,
    date_col: str,
    target_col: str,
    keys: list[str] | tuple[str, ...] = (),
    freq: str = "D",
    gaps: str = "zero",
    source: str | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate ``frame`` and return the standard frame ``[keys..., ds, y]`` and a report."""
    src = source or frame.attrs.get("source", "<data frame>")
    keys = list(keys)
    if gaps not in GAP_POLICIES:
        raise DataValidationError(f"unknown gap policy {gaps!r}; use one of {GAP_POLICIES}")
    if freq not in FREQUENCIES:
        pandas_freq(freq)
    missing = [c for c in [date_col, target_col, *keys] if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{src}: missing column(s) {missing}; the file has {list(frame.columns)}. "
            f"Check --date-col, --target and --keys.")
    if len(frame) == 0:
        raise DataValidationError(f"{src}: the table has no rows")

    dates = pd.to_datetime(frame[date_col], errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        raise DataValidationError(
            f"{src}: column {date_col!r} has unparseable or empty dates at {describe_rows(frame, bad)} "
            f"(e.g. {frame.loc[bad, date_col].iloc[0]!r}); write dates as YYYY-MM-DD")

    raw = frame[target_col]
    target = pd.to_numeric(raw, errors="coerce")
    non_numeric = target.isna() & raw.notna()
    if non_numeric.any():
        raise DataValidationError(
            f"{src}: column {target_col!r} has non-numeric values at {describe_rows(frame, non_numeric)} "
            f"(e.g. {raw[non_numeric].iloc[0]!r}); fix or remove those rows")
    empty = raw.isna()
    if empty.any():
        raise DataValidationError(
            f"{src}: column {target_col!r} is empty at {describe_rows(frame, empty)}; write 0 for no "
            f"sales or remove the rows")
    negative = target < 0
    if negative.any():
        raise DataValidationError(
            f"{src}: column {target_col!r} has negative values at {describe_rows(frame, negative)} "
            f"(e.g. {target[negative].iloc[0]}); returns must be netted before forecasting")
    for key in keys:
        null_key = frame[key].isna()
        if null_key.any():
            raise DataValidationError(f"{src}: key column {key!r} is empty at {describe_rows(frame, null_key)}")

    out = pd.DataFrame({k: frame[k].astype(str) for k in keys})
    out["ds"] = dates.dt.normalize().astype("datetime64[ns]")
    out["y"] = target.astype(float)
    dup = out.duplicated([*keys, "ds"], keep=False)
    if dup.any():
        raise DataValidationError(
            f"{src}: duplicate ({', '.join([date_col, *keys])}) rows at {describe_rows(frame, dup)}; "
            f"aggregate them first (e.g. sum per date and key)")

    alias = pandas_freq(freq, pd.DatetimeIndex(out["ds"].sort_values()))
    if freq in {"MS", "QS"}:
        ds = out["ds"].dt
        off = (ds.day != 1) | ((ds.month - 1) % 3 != 0 if freq == "QS" else False)
        if off.any():
            raise DataValidationError(
                f"{src}: frequency {freq} needs dates on the first day of each "
                f"{'month' if freq == 'MS' else 'quarter'}; off-grid dates at {describe_rows(frame, off)}")
    elif freq == "W":
        weekday = out["ds"].dt.day_of_week
        off = weekday != weekday.iloc[out["ds"].argmin()]
        if off.any():
            raise DataValidationError(
                f"{src}: weekly data must fall on one weekday; other weekdays at {describe_rows(frame, off)}")

    out = out.sort_values([*keys, "ds"], kind="stable").reset_index(drop=True)
    out, filled, gappy = _fill_gaps(out, keys, alias, gaps, src)
    report = ValidationReport(
        source=src, n_rows=len(out), n_series=int(out.groupby(keys).ngroups) if keys else 1,
        start=out["ds"].min(), end=out["ds"].max(), freq=freq, gaps_filled=filled,
        series_with_gaps=gappy, zero_share=float((out["y"] == 0).mean()))
    if filled:
        warnings.warn(report.summary(), GapsFilledWarning, stacklevel=2)
    out.attrs["source"] = src
    out.attrs["freq"] = freq
    return out, report


def _fill_gaps(out: pd.DataFrame, keys: list[str], alias: str, gaps: str, src: str):
    pieces, filled, gappy = [], 0, []
    groups = out.groupby(keys, sort=False) if keys else [((), out)]
    for key, part in groups:
        full = pd.date_range(part["ds"].iloc[0], part["ds"].iloc[-1], freq=alias)
        n_missing = len(full) - len(part)
        if n_missing:
            label = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            if gaps == "error":
                first = full.difference(pd.DatetimeIndex(part["ds"]))[0]
                raise DataValidationError(
                    f"{src}: series {label or '(single series)'} misses {n_missing} period(s), "
                    f"first {first.date()}; add rows with 0 or use the gap policy 'zero'")
            part = part.set_index("ds").reindex(full).rename_axis("ds").reset_index()
            part["y"] = part["y"].fillna(0.0)
            for k, v in label.items():
                part[k] = v
            filled += n_missing
            gappy.append(label)
        pieces.append(part)
    if not filled:
        return out, 0, []
    return pd.concat(pieces, ignore_index=True)[[*keys, "ds", "y"]], filled, gappy
