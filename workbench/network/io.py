"""File I/O of the network area: the CSV tables of ``network solve`` and JSON results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import DataValidationError


def read_table(path: str | Path, columns: list[str], *, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV and check it has ``columns``; key columns in ``text_columns`` stay strings."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype={c: str for c in text_columns}, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{path}: cannot be read as CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{path}: missing column(s) {missing}; expected header "
                                  f"{','.join(columns)} (found {','.join(map(str, frame.columns))})")
    return frame


def read_facility_tables(sites: str | Path, customers: str | Path, costs: str | Path):
    """The three ``network solve`` CSVs as frames (sites, customers, costs)."""
    return (
        read_table(sites, ["site", "fixed_cost", "capacity"], text_columns=("site",)),
        read_table(customers, ["customer", "demand"], text_columns=("customer",)),
        read_table(costs, ["site", "customer", "unit_cost"], text_columns=("site", "customer")),
    )
