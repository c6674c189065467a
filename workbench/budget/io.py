"""Reading and writing the budget area's files: scenario YAML (with line numbers), channel
tables and channel history (CSV), results (JSON).

The YAML reader keeps, for every mapping key, the file and line it was written on, so that
validation errors can point at them. Duplicate keys are errors (PyYAML would silently keep the
last one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from workbench.budget.allocate import validate_channels
from workbench.errors import ConfigError, DataValidationError

HISTORY_COLUMNS = ("week", "channel", "spend", "gmv")


@dataclass(frozen=True)
class Location:
    """Where a value was written: file (absolute path) and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_yaml_with_lines(path: str | Path) -> tuple[object, dict[tuple, Location]]:
    """Parse a YAML file into plain Python values and a map ``key path -> Location``.

    Key paths are tuples of mapping keys and list indices from the document root; the root
    itself is ``()``.
    """
    path = Path(path)
    name = display_path(path)
    if not path.exists():
        raise ConfigError(f"{name}: file not found")
    text = path.read_text(encoding="utf-8")
    loader = yaml.SafeLoader(text)
    locations: dict[tuple, Location] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(f"{name}: the file is empty")
        locations[()] = Location(path.resolve(), node.start_mark.line + 1)
        data = _build(loader, node, (), path.resolve(), locations)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    finally:
        loader.dispose()
    return data, locations


def _build(loader: yaml.SafeLoader, node, path: tuple, file: Path, locations: dict) -> object:
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            name = display_path(file)
            if not isinstance(key, str):
                raise ConfigError(f"{name}:{line}: keys must be text, got {key!r}")
            if key in out:
                first = locations[path + (key,)].line
                raise ConfigError(f"{name}:{line}: {'.'.join(map(str, path + (key,)))}: duplicate key "
                                  f"(first written on line {first}); keep one")
            locations[path + (key,)] = Location(file, line)
            out[key] = _build(loader, value_node, path + (key,), file, locations)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            locations[path + (i,)] = Location(file, item.start_mark.line + 1)
            out.append(_build(loader, item, path + (i,), file, locations))
        return out
    return loader.construct_object(node, deep=True)


def read_channels_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a channel table ``channel,vmax,k,s,min_spend,max_spend[,...]``."""
    frame = _read_csv(path)
    return validate_channels(frame, display_path(Path(path)))


def read_history_csv(path: str | Path) -> pd.DataFrame:
    """Read weekly channel history ``week,channel,spend,gmv`` (money in CNY, spend >= 0, gmv >= 0)."""
    frame = _read_csv(path)
    src = display_path(Path(path))
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{src}: missing column(s) {missing}; history needs {', '.join(HISTORY_COLUMNS)}")
    weeks = pd.to_datetime(frame["week"], errors="coerce", format="mixed")
    if weeks.isna().any():
        line = int(np.flatnonzero(weeks.isna())[0]) + 2
        raise DataValidationError(f"{src}:{line}: column 'week' is not a date (write YYYY-MM-DD)")
    for col in ("spend", "gmv"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise DataValidationError(f"{src}:{line}: column {col!r} must be a number >= 0, "
                                      f"got {frame[col][bad].iloc[0]!r}")
        frame[col] = values.astype(float)
    frame["week"] = weeks
    dup = frame.duplicated(["channel", "week"])
    if dup.any():
        line = int(np.flatnonzero(dup)[0]) + 2
        raise DataValidationError(f"{src}:{line}: channel {frame['channel'][dup].iloc[0]!r} has this week twice")
    frame.attrs["source"] = src
    return frame[list(HISTORY_COLUMNS)]


def _read_csv(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    src = display_path(path)
    if not path.exists():
        raise DataValidationError(f"{src}: file not found")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:  # the parser's message carries the line
        raise DataValidationError(f"{src}: cannot be read as CSV: {exc}") from exc
    frame.attrs["source"] = src
    frame.attrs["csv_rows"] = True
    return frame
