"""Traffic channels as typed specs: a response curve and the rules on its spend.

A :class:`ChannelSpec` is what the allocator works on. It is built once, either from a channel
table (:func:`validate_channels`, a CSV a user gives ``workbench budget allocate``) or from a
scenario (:func:`workbench.budget.run.scenario_channel_specs`), and carried whole to the
allocation; :func:`channels_frame` turns specs into a table only for display and files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from workbench.budget.curves import HillCurve
from workbench.budget.explain import shown
from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError, ParameterError

REQUIRED_COLUMNS = ("channel", "vmax", "k", "s", "min_spend", "max_spend")
OPTIONAL_COLUMNS = ("min_roi", "min_marginal_roi", "label")


@dataclass(frozen=True)
class ChannelSpec:
    """One traffic channel: its yearly response curve and spend rules (money in one currency unit).

    ``min_spend <= max_spend`` (both finite, >= 0); ``min_roi`` floors the channel's own
    GMV / spend, ``min_marginal_roi`` caps its spend where the next unit returns less
    (``None``: no such rule). ``curve_source`` says where the curve came from (``given`` or
    ``fitted``); ``last_year_spend`` is set when a history was read (``None`` otherwise).
    """

    name: str
    curve: HillCurve
    min_spend: float
    max_spend: float
    label: str = ""
    min_roi: float | None = None
    min_marginal_roi: float | None = None
    curve_source: str = "given"
    last_year_spend: float | None = None

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.name)
        if not (np.isfinite(self.min_spend) and np.isfinite(self.max_spend) and 0 <= self.min_spend <= self.max_spend):
            raise ParameterError(f"channel {self.name!r}: need 0 <= min_spend <= max_spend (finite), got "
                                 f"{float(self.min_spend):,.0f} .. {float(self.max_spend):,.0f}")
        for key in ("min_roi", "min_marginal_roi"):
            value = getattr(self, key)
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise ParameterError(f"channel {self.name!r}: {key} must be a number >= 0, got {float(value)!r}")


def validate_channels(frame: pd.DataFrame, source: str | None = None) -> tuple[ChannelSpec, ...]:
    """Check a channel table and return one :class:`ChannelSpec` per row, in row order.

    Columns: ``channel, vmax, k, s, min_spend, max_spend`` (money in one currency unit, ``s``
    unitless; ``vmax`` may be 0 for a channel with no effect) and optionally ``min_roi``,
    ``min_marginal_roi`` (empty: no rule) and ``label``. Raises :class:`DataValidationError`
    naming the file, line and column of the first kind of problem found.
    """
    src = source or frame.attrs.get("source", "<channel table>")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{src}: missing column(s) {missing}; a channel table needs {', '.join(REQUIRED_COLUMNS)}")
    unknown = [c for c in frame.columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise DataValidationError(
            f"{src}: unknown column(s) {unknown}; allowed are {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    if len(frame) == 0:
        raise DataValidationError(f"{src}: the channel table has no rows")
    out = frame.reset_index(drop=True).copy()
    out.attrs = dict(frame.attrs)
    names = out["channel"]
    blank = names.isna() | (names.astype(str).str.strip() == "")
    if blank.any():
        raise DataValidationError(f"{src}: column 'channel' is empty at {describe_rows(out, blank)}; name the "
                                  f"channel of each row or remove those rows")
    out["channel"] = names.astype(str).str.strip()
    dup = out["channel"].duplicated(keep=False)
    if dup.any():
        raise DataValidationError(
            f"{src}: channel {out.loc[dup, 'channel'].iloc[0]!r} appears more than once ({describe_rows(out, dup)}); "
            f"give each channel one row")
    for col in REQUIRED_COLUMNS[1:] + ("min_roi", "min_marginal_roi"):
        if col not in out.columns:
            out[col] = np.nan
            continue
        raw = out[col]
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = values.isna() & raw.notna()
        if bad.any():
            raise DataValidationError(
                f"{src}: column {col!r} has non-numeric values at {describe_rows(out, bad)} "
                f"(e.g. {shown(raw[bad].iloc[0])})")
        out[col] = values
    rules = [("k", True, "a positive finite number"), ("s", True, "a positive finite number"),
             ("max_spend", True, "a positive finite number"),
             ("vmax", False, "a finite number >= 0 (0: a channel with no effect)"),
             ("min_spend", False, "a finite number >= 0")]
    for col, strict, what in rules:
        ok = np.isfinite(out[col]) & ((out[col] > 0) if strict else (out[col] >= 0))
        if (~ok).any():
            raise DataValidationError(
                f"{src}: column {col!r} must be {what} at {describe_rows(out, ~ok)} "
                f"(got {shown(frame[col].reset_index(drop=True)[~ok].iloc[0])})")
    bad = out["min_spend"] > out["max_spend"]
    if bad.any():
        raise DataValidationError(
            f"{src}: min_spend is above max_spend at {describe_rows(out, bad)}; swap or fix them")
    for col in ("min_roi", "min_marginal_roi"):
        bad = out[col].notna() & ~(np.isfinite(out[col]) & (out[col] >= 0))
        if bad.any():
            raise DataValidationError(
                f"{src}: column {col!r} must be empty or a number >= 0 at {describe_rows(out, bad)}")
    labels = out["label"].fillna(out["channel"]).astype(str) if "label" in out.columns else out["channel"]
    optional = lambda v: None if np.isnan(v) else float(v)  # noqa: E731
    return tuple(
        ChannelSpec(row.channel, HillCurve(float(row.vmax), float(row.k), float(row.s)), float(row.min_spend),
                    float(row.max_spend), label, optional(row.min_roi), optional(row.min_marginal_roi))
        for row, label in zip(out.itertuples(), labels))


def as_specs(channels: pd.DataFrame | Sequence[ChannelSpec]) -> tuple[ChannelSpec, ...]:
    """Specs from a channel table (validated) or a sequence of specs (names must be unique)."""
    if isinstance(channels, pd.DataFrame):
        return validate_channels(channels)
    specs = tuple(channels)
    if not specs or not all(isinstance(c, ChannelSpec) for c in specs):
        raise ParameterError("channels: give a channel table or a non-empty sequence of ChannelSpec")
    names = [c.name for c in specs]
    if len(set(names)) != len(names):
        raise ParameterError(f"channels: names repeat ({', '.join(names)})")
    return specs


def channels_frame(specs: Sequence[ChannelSpec]) -> pd.DataFrame:
    """Specs as a table for display and files: ``channel, label, vmax, k, s, min_spend,
    max_spend, min_roi, min_marginal_roi, curve, last_year_spend`` (empty rules are NaN)."""
    nan = lambda v: np.nan if v is None else v  # noqa: E731
    return pd.DataFrame([{
        "channel": c.name, "label": c.label, "vmax": c.curve.vmax, "k": c.curve.k, "s": c.curve.s,
        "min_spend": c.min_spend, "max_spend": c.max_spend, "min_roi": nan(c.min_roi),
        "min_marginal_roi": nan(c.min_marginal_roi), "curve": c.curve_source,
        "last_year_spend": nan(c.last_year_spend)} for c in specs])
