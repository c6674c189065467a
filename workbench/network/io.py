"""The ``network solve`` tables, read through :func:`workbench.data.io.read_table`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data.io import read_table
from workbench.errors import DataValidationError


def read_checked(path: str | Path, columns: list[str], *, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a table (CSV in any supported encoding, xlsx, Parquet) and check it has ``columns``;
    key columns in ``text_columns`` stay text exactly as written."""
    frame = read_table(path, text_columns=text_columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{path}: missing column(s) {missing}; expected header "
                                  f"{','.join(columns)} (found {','.join(map(str, frame.columns))})")
    return frame


def read_facility_tables(sites: str | Path, customers: str | Path, costs: str | Path):
    """The three ``network solve`` tables as frames (sites, customers, costs)."""
    return (
        read_checked(sites, ["site", "fixed_cost", "capacity"], text_columns=("site",)),
        read_checked(customers, ["customer", "demand"], text_columns=("customer",)),
        read_checked(costs, ["site", "customer", "unit_cost"], text_columns=("site", "customer")),
    )
