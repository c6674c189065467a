"""All file and database reading and writing of tables and results: CSV, Parquet, DuckDB, JSON."""

from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError

DUCKDB_SUFFIXES = {".duckdb", ".db", ".ddb"}


def read_table(source: str | Path, *, table: str | None = None, query: str | None = None) -> pd.DataFrame:
    """Read a long-format table from CSV, Parquet or DuckDB.

    For a DuckDB database give ``table`` (a table or view name) or ``query`` (SQL). The frame's
    ``attrs["source"]`` names where it came from, so validation errors can name the file.
    """
    path = Path(source)
    if not path.exists():
        raise DataValidationError(f"{path}: file not found; check the --data path")
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"} or path.name.endswith(".csv.gz"):
            frame = pd.read_csv(path)
        elif suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
        elif suffix in DUCKDB_SUFFIXES:
            frame = _read_duckdb(path, table=table, query=query)
        else:
            raise DataValidationError(
                f"{path}: unknown file type {suffix!r}; use .csv, .parquet or a DuckDB file "
                f"({', '.join(sorted(DUCKDB_SUFFIXES))})"
            )
    except DataValidationError:
        raise
    except Exception as exc:  # parser errors carry the library's own detail
        raise DataValidationError(f"{path}: cannot be read: {exc}") from exc
    frame.attrs["source"] = str(path) if not table and not query else f"{path} ({table or query})"
    frame.attrs["csv_rows"] = suffix in {".csv", ".txt"}
    return frame


def _read_duckdb(path: Path, *, table: str | None, query: str | None) -> pd.DataFrame:
    import duckdb

    if bool(table) == bool(query):
        raise DataValidationError(f"{path}: a DuckDB source needs exactly one of --table or --query")
    with duckdb.connect(str(path), read_only=True) as con:
        if table:
            names = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
            if table not in names:
                raise DataValidationError(
                    f"{path}: no table or view {table!r}; it has {sorted(names)}")
            return con.execute(f'select * from "{table}"').df()
        return con.execute(query).df()


@contextmanager
def atomic_output(path: str | Path):
    """Yield a temporary path beside ``path``; on success rename it onto ``path`` (readers never
    see a half-written file), on failure remove it and leave any existing file untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to CSV or Parquet by suffix, atomically."""
    path = Path(path)
    with atomic_output(path) as tmp:
        if path.suffix.lower() in {".parquet", ".pq"}:
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
    return path


def json_ready(value):
    """``value`` with numpy scalars as Python numbers and NaN / infinity as None (JSON null)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data, path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON (see ``json_ready``), atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(json_ready(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                       encoding="utf-8")
    return Path(path)
