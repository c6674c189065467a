"""Reading the budget area's files: scenario YAML (with line numbers, size and alias limits),
channel tables and channel history. Tables are read through :func:`workbench.data.io.read_table`
(the one reader of CSV/xlsx/Parquet) and results written through its writers.

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

from workbench.budget.channels import ChannelSpec, shown, validate_channels
from workbench.data.io import read_table
from workbench.data.validate import describe_rows
from workbench.errors import ConfigError, DataValidationError

HISTORY_COLUMNS = ("week", "channel", "spend", "gmv")
MAX_YAML_BYTES = 1_000_000  # a scenario is a few kB
MAX_YAML_VALUES = 100_000  # values built from one file, aliases expanded
MAX_YAML_ALIASES = 100  # aliases to mappings or lists


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
    if not path.is_file():
        raise ConfigError(f"{name}: file not found" if not path.exists() else f"{name}: not a file")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise ConfigError(f"{name}: the file has {size:,} bytes, more than a scenario's limit of "
                          f"{MAX_YAML_BYTES:,}; is it the right file?")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (byte {exc.start}); save the scenario as UTF-8") from None
    loader = yaml.SafeLoader(text)
    locations: dict[tuple, Location] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(f"{name}: the file is empty")
        locations[()] = Location(path.resolve(), node.start_mark.line + 1)
        data = _build(loader, node, (), path.resolve(), locations, _Budget(name))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    finally:
        loader.dispose()
    return data, locations


class _Budget:
    """Counts the values built from one YAML file and the aliases (``*name``) followed, so that
    a file whose aliases multiply (a "billion laughs" bomb) is refused instead of expanded."""

    def __init__(self, name: str):
        self.name = name
        self.values = 0
        self.aliases = 0
        self.seen: set[int] = set()

    def visit(self, node) -> None:
        self.values += 1
        if id(node) in self.seen and not isinstance(node, yaml.ScalarNode):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise ConfigError(f"{self.name}:{node.start_mark.line + 1}: more than {MAX_YAML_ALIASES} "
                                  f"aliases (*name) to mappings or lists; write the values out")
        self.seen.add(id(node))
        if self.values > MAX_YAML_VALUES:
            raise ConfigError(f"{self.name}:{node.start_mark.line + 1}: more than {MAX_YAML_VALUES:,} values "
                              f"(aliases multiply them); a scenario is far smaller")


def _build(loader: yaml.SafeLoader, node, path: tuple, file: Path, locations: dict, budget: _Budget) -> object:
    budget.visit(node)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            name = display_path(file)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(f"{name}:{line}: keys must be text, got a {key_node.id}")
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConfigError(f"{name}:{line}: keys must be text, got {key!r}")
            if key in out:
                first = locations[path + (key,)].line
                raise ConfigError(f"{name}:{line}: {'.'.join(map(str, path + (key,)))}: duplicate key "
                                  f"(first written on line {first}); keep one")
            locations[path + (key,)] = Location(file, line)
            out[key] = _build(loader, value_node, path + (key,), file, locations, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            locations[path + (i,)] = Location(file, item.start_mark.line + 1)
            out.append(_build(loader, item, path + (i,), file, locations, budget))
        return out
    return loader.construct_object(node, deep=True)


def read_channels_csv(path: str | Path, *, encoding: str | None = None,
                      sheet: str | int | None = None) -> tuple[ChannelSpec, ...]:
    """Read and validate a channel table ``channel,vmax,k,s,min_spend,max_spend[,...]`` (any
    format :func:`workbench.data.io.read_table` reads; ``encoding``/``sheet`` passed to it) into
    channel specs."""
    frame = read_table(path, encoding=encoding, sheet=sheet)
    return validate_channels(frame, display_path(Path(path)))


def read_history_csv(path: str | Path, *, encoding: str | None = None,
                     sheet: str | int | None = None) -> pd.DataFrame:
    """Read weekly channel history ``week,channel,spend,gmv`` (money in CNY, spend >= 0, gmv >= 0).

    Any format :func:`workbench.data.io.read_table` reads (``encoding``/``sheet`` passed to it). Raises :class:`DataValidationError`
    naming the file and line of the first bad value of each kind.
    """
    src = display_path(Path(path))
    frame = read_table(path, encoding=encoding, sheet=sheet)
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
        raise DataValidationError(f"{src}: column 'channel' is empty at {describe_rows(frame, blank)}")
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
    out = frame[list(HISTORY_COLUMNS)].copy()
    out.attrs = {"source": src, "csv_rows": frame.attrs.get("csv_rows", False)}
    return out
