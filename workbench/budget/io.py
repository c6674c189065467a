"""Reading the budget area's tables: channel tables and channel history. Tables are read through
:func:`workbench.data.io.read_table` (the one reader of CSV/xlsx/Parquet), scenario YAML through
:func:`workbench.data.io.read_yaml_with_lines` (line numbers, size and alias limits, duplicate keys
refused), and results written through data.io's writers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.budget.channels import ChannelSpec, validate_channels
from workbench.budget.explain import shown
from workbench.data.io import display_path, read_table
from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError

HISTORY_COLUMNS = ("week", "channel", "spend", "gmv")
CAMPAIGN_COLUMN = "campaign"  # optional: 0/1 or a campaign's name; empty or 0 = no campaign


def read_channels_csv(path: str | Path, *, encoding: str | None = None,
                      sheet: str | int | None = None) -> tuple[ChannelSpec, ...]:
    """Read and validate a channel table ``channel,vmax,k,s,min_spend,max_spend[,...]`` (any
    format :func:`workbench.data.io.read_table` reads; ``encoding``/``sheet`` passed to it) into
    channel specs."""
    frame = read_table(path, encoding=encoding, sheet=sheet, fields=("channel",))
    return validate_channels(frame, display_path(Path(path)))


def read_history_csv(path: str | Path, *, encoding: str | None = None,
                     sheet: str | int | None = None) -> pd.DataFrame:
    """Read weekly channel history ``week,channel,spend,gmv[,campaign]`` (money in CNY, spend >= 0,
    gmv >= 0).

    ``campaign`` (optional) marks the weeks a campaign (618, 双11, a brand day...) lifted GMV beyond
    what the spend bought: ``1`` or the campaign's name; ``0`` or empty for other weeks. It is
    returned as text (``""`` for no campaign) and the curve fit controls for it
    (:func:`workbench.budget.curves.fit_channel_curves`). Any format :func:`workbench.data.io.read_table` reads (``encoding``/``sheet`` passed to it). Raises :class:`DataValidationError`
    naming the file and line of the first bad value of each kind.
    """
    src = display_path(Path(path))
    # 周 / 渠道 / 花费 / 成交额 are read as week / channel / spend / gmv (the one alias mapping: data.headers)
    frame = read_table(path, encoding=encoding, sheet=sheet, fields=(*HISTORY_COLUMNS, CAMPAIGN_COLUMN))
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{src}: missing column(s) {missing}; history needs {', '.join(HISTORY_COLUMNS)}")
    if len(frame) == 0:
        raise DataValidationError(f"{src}: the history has no rows")
    if pd.api.types.is_datetime64_any_dtype(frame["week"]):  # Parquet / xlsx give real dates
        weeks = frame["week"]
    else:  # one format for the whole column, strictly: a day-first date is not guessed
        weeks = pd.to_datetime(frame["week"].astype(str).str.strip(), errors="coerce", format="%Y-%m-%d")
    bad = weeks.isna()
    if bad.any():
        raise DataValidationError(f"{src}: column 'week' is not a date (write YYYY-MM-DD) at "
                                  f"{describe_rows(frame, bad)} (got {shown(frame['week'][bad].iloc[0])})")
    blank = frame["channel"].isna() | (frame["channel"].astype(str).str.strip() == "")
    if blank.any():
        raise DataValidationError(f"{src}: column 'channel' is empty at {describe_rows(frame, blank)}; name "
                                  f"the channel of each row or remove those rows")
    for col in ("spend", "gmv"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            raise DataValidationError(f"{src}: column {col!r} must be a finite number >= 0 at "
                                      f"{describe_rows(frame, bad)} (got {shown(frame[col][bad].iloc[0])})")
        frame[col] = values.astype(float)
    frame["week"] = weeks
    frame["channel"] = frame["channel"].astype(str).str.strip()
    dup = frame.duplicated(["channel", "week"], keep=False)
    if dup.any():
        raise DataValidationError(f"{src}: channel {frame['channel'][dup].iloc[0]!r} has the same week twice at "
                                  f"{describe_rows(frame, dup)}")
    columns = list(HISTORY_COLUMNS)
    if CAMPAIGN_COLUMN in frame.columns:
        frame[CAMPAIGN_COLUMN] = campaign_marks(frame[CAMPAIGN_COLUMN])
        columns.append(CAMPAIGN_COLUMN)
    out = frame[columns].copy()
    out.attrs = {"source": src, "csv_rows": frame.attrs.get("csv_rows", False)}
    return out


def campaign_marks(values: pd.Series) -> pd.Series:
    """A history's ``campaign`` column as text: the campaign's name, ``"1"`` for a bare flag, and
    ``""`` for no campaign (empty, ``0``, ``0.0``, ``false``, ``no``)."""
    text = values.astype("string").fillna("").str.strip()
    none = text.str.lower().isin(["", "0", "0.0", "false", "no", "nan"])
    flag = text.str.lower().isin(["1.0", "true", "yes"])
    return text.where(~flag, "1").where(~none, "").astype(str)
