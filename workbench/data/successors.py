"""Successor mapping: a product line replaced by a new code (demand moves from the old code to the new).

A live-stream shop replaces a line by a new code (a new pack, a new model: trial 7's 收纳箱 SN008
became SN108 on 2026-09-01). Read as two series, the old code is a line that stopped and the new
one a launch with a few weeks of history: the launch borrows the panel's launch curve and no
event evidence of its own, though the line's own history holds every event it sold through.
Mature planning tools take a user's mapping for this (SAP IBP's product interchangeability,
Blue Yonder's like-item modelling): the successor's series is continued by its predecessor's
history.

The mapping file (``read_successors``) is a table (CSV in UTF-8 or GBK, or Excel) with one row
per replacement:

* ``predecessor``: the old code; ``successor``: the code that replaces it (both as written in
  the data's key column);
* ``from`` (optional column, optional per row): the date the successor took over. Without it the
  predecessor's whole history moves to the successor. With it, the predecessor's units before
  that date move, and its units from that date on stay its own series (a sell-off of its stock,
  forecast on its own), said in a note.

The file is checked whole before any data is touched (``DataValidationError`` naming the file,
the line and the column): missing or unknown columns, empty codes, a code replaced by itself, a
predecessor mapped twice (its demand cannot move to two codes), a cycle (A -> B -> A), a date
that cannot be read. Two predecessors may share a successor (two lines merged into one), and
chains resolve (A -> B -> C: both A's and B's history continue C).

``apply_successors`` applies the mapping in one place, the data layer, to the standard frame
(``validate.prepare_long_frame``) before any forecast, backtest or report: the predecessor's
units are added, date by date, to its successor's series (an overlap of the two codes, a pilot
or a sell-off stays the line's demand, and no total changes), and the predecessor is no series
of its own (it is not forecast as a stopped line, nor the successor as a launch). The key column
that holds the codes is the one in which every code of the file is found; the other key columns
either belong to the code (one value per code, such as its category: the successor's are kept)
or split it (a region, a channel: the predecessor's region r continues the successor's region
r). Every code must be in the data: a code that is not is refused with its line, so a typo
never moves nothing silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.io import display_path, read_table
from workbench.data.validate import PERIOD_LENGTH, PERIOD_WORDS, closest_hint, describe_rows, fill_gaps, pandas_freq, parse_dates
from workbench.errors import DataValidationError, ParameterError

class SuccessorsWarning(UserWarning):
    """The note that a successor mapping moved history (printed as a ``note:`` line)."""


COLUMNS = ("predecessor", "successor")  # required
OPTIONAL = ("from",)
SHOWN_PAIRS = 5  # replacements named in a note (the rest are counted)
# an undeclared replacement (likely_replacements): the old code's last sale and the new one's
# first within this many days, their levels over up to these many periods within this factor
HINT_GAP = 14
HINT_PERIODS = {"D": 28, "W": 4, "MS": 2, "QS": 1}
HINT_RATIO = 2.0


@dataclass(frozen=True)
class Replacement:
    """One row of a mapping file: ``predecessor`` is replaced by ``successor`` (codes as
    written), its units before ``start`` moving (None: all of them); ``line`` names the row
    (``"line 3"``, ``"sheet row 3"``) for messages."""

    predecessor: str
    successor: str
    start: pd.Timestamp | None
    line: str


@dataclass(frozen=True)
class Successors:
    """A checked mapping file (``read_successors``): its ``source`` and ``replacements`` in file
    order."""

    source: str
    replacements: tuple[Replacement, ...]

    def final(self, code: str) -> str:
        """The code that ``code``'s demand ends in, following chains (A -> B -> C: C)."""
        to = {r.predecessor: r.successor for r in self.replacements}
        while code in to:
            code = to[code]
        return code


def read_successors(path: str | Path) -> Successors:
    """Read and check a successor mapping file (see the module docstring for its columns).

    Parameters
    ----------
    path : a ``.csv`` (UTF-8, UTF-8 with BOM or GBK, detected) or ``.xlsx`` file.

    Returns
    -------
    ``Successors``.

    Raises
    ------
    DataValidationError
        naming the file, and the line and column where it applies: unreadable file, missing or
        unknown columns, no rows, an empty code, a code replaced by itself, a predecessor mapped
        twice, a cycle, or a ``from`` date that cannot be read.
    """
    # codes such as 00123 keep their zeros; 旧编码/新编码 are read as predecessor/successor (data.headers)
    raw = read_table(path, text_columns=True, fields=COLUMNS + OPTIONAL)
    src = raw.attrs.get("source", display_path(path))
    columns = {str(c).strip().lower(): c for c in raw.columns}
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [str(c) for key, c in columns.items() if key not in COLUMNS + OPTIONAL]
    if missing or unknown:
        raise DataValidationError(
            f"{src}: a successor file has the columns {list(COLUMNS)} and optionally {list(OPTIONAL)} "
            f"(old code, new code, the date the new one took over); "
            + (f"missing {missing}" if missing else f"unknown column(s) {unknown}")
            + f" (its header: {[str(c) for c in raw.columns]})")
    if not len(raw):
        raise DataValidationError(f"{src}: no rows; one row per replaced code (predecessor,successor[,from])")
    frame = pd.DataFrame({k: raw[columns[k]] for k in COLUMNS + OPTIONAL if k in columns}, index=raw.index)
    frame.attrs.update(raw.attrs)
    for column in COLUMNS:
        text = frame[column].astype("string").str.strip()
        empty = text.isna() | (text == "")
        if empty.any():
            raise DataValidationError(f"{src}: column {column!r} is empty at {describe_rows(frame, empty)}; "
                                      f"every row needs both codes")
        frame[column] = text.astype(str)
    starts = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if "from" in frame:
        given = frame["from"].notna() & (frame["from"].astype("string").str.strip() != "")
        if given.any():
            starts[given] = parse_dates(frame[given], "from", source=src).dt.normalize().to_numpy()
    lines = [describe_rows(frame, np.arange(len(frame)) == i) for i in range(len(frame))]
    same = frame["predecessor"] == frame["successor"]
    if same.any():
        at = int(np.flatnonzero(same)[0])
        raise DataValidationError(f"{src}: {lines[at]}: {frame['predecessor'].iloc[at]!r} is replaced by itself; "
                                  f"name the new code in column 'successor'")
    twice = frame["predecessor"].duplicated(keep=False)
    if twice.any():
        code = frame.loc[twice, "predecessor"].iloc[0]
        raise DataValidationError(
            f"{src}: column 'predecessor': {code!r} is mapped twice, at "
            f"{describe_rows(frame, (frame['predecessor'] == code).to_numpy())}; a code's demand moves to one "
            f"successor: keep one row (to split a line, map it to one code and plan the split there)")
    replacements = tuple(Replacement(p, s, None if pd.isna(t) else pd.Timestamp(t), line)
                         for p, s, t, line in zip(frame["predecessor"], frame["successor"], starts, lines))
    _refuse_cycles(replacements, src)
    return Successors(src, replacements)


def _refuse_cycles(replacements: tuple[Replacement, ...], src: str) -> None:
    """Raise ``DataValidationError`` naming the lines of a cycle (A -> B -> ... -> A)."""
    to = {r.predecessor: r for r in replacements}
    for r in replacements:
        path, code = [r], r.successor
        while code in to:
            path.append(to[code])
            if to[code] is r:
                chain = " -> ".join([p.predecessor for p in path[:-1]] + [r.predecessor])
                raise DataValidationError(f"{src}: a cycle of replacements, {chain} ({', '.join(p.line for p in path[:-1])}): "
                                          f"a code cannot replace a code that (in turn) replaces it")
            if len(path) > len(replacements):
                break
            code = to[code].successor


def code_column(frame: pd.DataFrame, keys: list[str], successors: Successors) -> str:
    """The key column of ``frame`` that holds every code of ``successors``.

    Raises ``DataValidationError`` naming the file's line and column of a code found in no key
    column (with the column that holds the others), or when no key column is given."""
    if not keys:
        raise DataValidationError(f"{successors.source}: a successor file maps codes of a key column, but the data "
                                  f"has no key columns (--keys / keys): name the column that holds the codes")
    codes = [(r.predecessor, "predecessor", r.line) for r in successors.replacements] + \
            [(r.successor, "successor", r.line) for r in successors.replacements]
    values = {k: set(frame[k].unique()) for k in keys}
    found = {k: sum(code in values[k] for code, _, _ in codes) for k in keys}
    best = max(keys, key=lambda k: found[k])
    absent = [(code, column, line) for code, column, line in codes if code not in values[best]]
    if absent:
        code, column, line = absent[0]
        where = f"key column {best!r}, which holds the other codes," if found[best] else f"any key column {keys}"
        more = f" ({len(absent) - 1} more codes are missing too)" if len(absent) > 1 else ""
        raise DataValidationError(f"{successors.source}: {line}, column {column!r}: code {code!r} is not in "
                                  f"{where} of the data{more}; check the code (a successor must have sold "
                                  f"once to be in the data){closest_hint(code, values[best])}")
    return best


def apply_successors(frame: pd.DataFrame, keys, successors: Successors) -> tuple[pd.DataFrame, list[str]]:
    """The standard frame ``frame`` (``[keys..., ds, y]``, ``attrs["freq"]`` set, each series
    over its first date to the table's last) with each predecessor's units added to its final
    successor's series (see the module docstring), and the note that says so (one line).

    A successor's series covers both codes' dates, its missing periods filled with 0 (the
    periods between a predecessor's ``from`` date and its successor's first row). A
    predecessor's rows from its ``from`` date on stay its own series when they hold units (a
    sell-off), and are dropped when they are all zero (nothing sold: nothing to forecast).
    Raises ``DataValidationError`` for a code not in the data (``code_column``)."""
    keys = list(keys)
    column = code_column(frame, keys, successors)
    attributes = [k for k in keys if k != column and (frame.groupby(column, observed=True)[k].nunique() <= 1).all()]
    final = {r.predecessor: successors.final(r.predecessor) for r in successors.replacements}
    start = pd.Series({r.predecessor: r.start for r in successors.replacements}, dtype="datetime64[ns]")
    code = frame[column]
    replaced = code.isin(final.keys())
    limit = code.map(start)
    moving = replaced & (limit.isna() | (frame["ds"] < limit))
    left = frame[replaced & ~moving]
    sold_after = left.groupby(keys, observed=True)["y"].transform("sum") > 0
    keep = ~replaced | moving
    keep[left.index[sold_after.to_numpy()]] = True
    moved = frame[moving].copy()
    note = _note(moved, column, successors, final, sorted(set(left.loc[sold_after.to_numpy(), column])))
    moved[column] = moved[column].map(final)
    if attributes:
        own = frame.drop_duplicates(column).set_index(column)[attributes]
        for k in attributes:
            moved[k] = moved[column].map(own[k])
    merged = pd.concat([frame[keep & ~moving], moved], ignore_index=True)
    merged = merged.groupby([*keys, "ds"], sort=False, as_index=False, observed=True)["y"].sum()
    # every series runs to the table's end (the standard frame's), a successor's too in a region it has not sold
    # in, whose only rows are its predecessor's from before a ``from`` date: its periods since padded with 0
    # (``fill_gaps`` reads each series' first date off its first row, hence the sort)
    merged = merged.sort_values([*keys, "ds"], kind="stable")
    alias = pandas_freq(frame.attrs.get("freq", "D"), pd.DatetimeIndex(merged["ds"].sort_values().unique()))
    merged = fill_gaps(merged, keys, alias, "zero", "successors")[0]
    merged = merged.sort_values([*keys, "ds"], kind="stable").reset_index(drop=True)
    merged.attrs.update(frame.attrs)
    return merged, [note]


def _note(moved: pd.DataFrame, column: str, successors: Successors, final: dict, sell_off: list[str]) -> str:
    """One note for every replacement of ``successors``: what moved where (``moved``: the
    predecessors' rows that move, before their codes change; ``sell_off``: predecessors that keep
    their own series from their ``from`` date)."""
    pairs = []
    for r in successors.replacements[:SHOWN_PAIRS]:
        own = moved[(moved[column] == r.predecessor) & (moved["y"] > 0)]  # its sales' span, not its padding
        span = f"{own['ds'].min().date()}..{own['ds'].max().date()}" if len(own) else "no dates"
        to = r.successor if final[r.predecessor] == r.successor else f"{r.successor} (then {final[r.predecessor]})"
        pairs.append(f"{r.predecessor} -> {to}: {own['y'].sum():,.0f} units of {span}")
    more = f"; and {len(successors.replacements) - SHOWN_PAIRS} more" \
        if len(successors.replacements) > SHOWN_PAIRS else ""
    kept = (f"; from their 'from' date on, {', '.join(sell_off)} keep their own series (a sell-off)"
            if sell_off else "")
    return (f"{successors.source}: {len(successors.replacements)} replaced code(s), each predecessor's units added to "
            f"its successor's series in column {column!r} ({'; '.join(pairs)}{more}){kept}: the successor is "
            f"forecast from the line's whole history, not as a launch, and the predecessor is replaced, not "
            f"forecast as a stopped line")


def map_codes(frame: pd.DataFrame, keys, successors: Successors | None, groups: dict | None = None
              ) -> tuple[pd.DataFrame, list[str]]:
    """What every entry point does with a user's codes (the CLI's ``load_series``, the event
    report's and the planning cycle's loaders): ``successors`` applied (``apply_successors``, when
    given), then the hint of an undeclared replacement (``likely_replacements``, with ``groups``).
    Returns the frame and the notes, in that order. Raises what ``apply_successors`` raises."""
    notes = []
    if successors is not None:
        frame, notes = apply_successors(frame, keys, successors)
    return frame, notes + likely_replacements(frame, keys, groups)


def check_successors_file(values: dict) -> None:
    """A notebook's check of its ``successors`` parameter before any kernel starts (declared in
    the event and planning-cycle notebooks' metadata, run by ``reports.runner.check_inputs``):
    the mapping file is read and checked (``read_successors``), refused with the sample data
    (which replaces no codes; ``data`` not given is the sample), and its codes are checked
    against the sales file (``code_column`` over its columns read as text, but for the date,
    ``target`` and ``gmv`` columns: the key or finer column the codes are in), so a code typo
    is refused in seconds for every notebook, not after a kernel's start (review 1 #8, review
    7.2 #4). The one home of this check: the run applies the mapping (``map_codes``).

    Raises:
        DataValidationError: the file's faults, named by line and column (``read_successors``),
            or a code the sales file does not hold (``code_column``: its line and column).
        ParameterError: a mapping with the sample data.
    """
    if values.get("successors") is None:
        return
    successors = read_successors(values["successors"])
    data = values.get("data", "sample")
    if data == "sample":
        raise ParameterError("successors: the sample data replaces no codes; give it with your own file (-p data)")
    from workbench.data.io import read_table

    raw = read_table(data, text_columns=True)  # codes as written: 00123 keeps its zeros
    not_codes = {values.get("date_col", "ds"), values.get("target", "units"), values.get("gmv")}
    columns = [c for c in raw.columns if c not in not_codes]
    code_column(raw[columns].drop_duplicates(), columns, successors)


def likely_replacements(frame: pd.DataFrame, keys, groups: dict | None = None) -> list[str]:
    """A note naming pairs of codes that look like a replacement nobody declared (a new user's
    LS004 stopped on 2026-06-30 and LS004B started on 2026-07-01 at its level: read as a stop and a
    launch), with how to declare it (``--successors``); ``[]`` when there are none.

    ``frame``: the standard frame (``attrs["freq"]`` set). For each key column (summed over the
    others), a code that *stopped* (its last sale ``HINT_GAP`` days or more before the table's
    last date) and one that *started* after the table's first ``HINT_GAP`` days are paired when
    the new one's first sale falls within ``HINT_GAP`` days of the old one's last (weeks: it
    stopped before the last week and the new one started after the first, in the old one's last
    week or the next; months and quarters: in the next, since a month holds many launches and
    stops that are no replacement), and its mean
    per period since (at most ``HINT_PERIODS[freq]``) is within a factor ``HINT_RATIO`` of the old
    one's over its last as many periods. A replacement mostly shares its product group: where
    another key column groups the codes (each 商品编码 in one 类目: ``keys`` [类目, 商品编码]), the
    pairs within one group are named first, and a pair across two groups is named after them with
    both groups, as across them (trial 10: a lychee's season end was offered as a nut gift box's
    predecessor with nothing to tell it from the real pair). ``groups``: for a key column whose
    group is no key (the planning cycle's SKUs, whose category is a column of the file),
    ``{column: (group name, {code: group})}``. A hint only: nothing is changed."""
    keys = list(keys)
    if not keys or not len(frame):
        return []
    freq = frame.attrs.get("freq", "D")
    first_day, last_day = frame["ds"].min(), frame["ds"].max()
    gap = pd.Timedelta(days=HINT_GAP)
    span = HINT_PERIODS.get(freq, HINT_PERIODS["D"])
    found = []  # (column, old code, new code, text, across)
    for column in keys:
        codes = frame.groupby([column, "ds"], observed=True)["y"].sum()
        sold = codes[codes > 0].reset_index()
        if sold.empty:
            continue
        ends = sold.groupby(column, observed=True)["ds"].agg(["min", "max"])
        if groups and column in groups:
            name, by_code = groups[column]
            above, group = [name], {code: (g,) for code, g in by_code.items()}
        else:
            above, group = _group_of(frame, column, keys)
        if freq == "D":
            old, new = ends[ends["max"] <= last_day - gap], ends[ends["min"] > first_day + gap]
        else:
            old, new = ends[ends["max"] < last_day], ends[ends["min"] > first_day]
        for code, row in old.iterrows():
            if freq == "D":
                near = new[(new["min"] - row["max"]).abs() <= gap]
            else:  # a week holds a switch (the same week or the next); a month's launches and stops are many: the next
                first = row["max"] + (PERIOD_LENGTH[freq] if freq != "W" else pd.DateOffset(0))
                near = new[(new["min"] >= first) & (new["min"] <= row["max"] + PERIOD_LENGTH[freq])]
            for successor, nrow in near.iterrows():
                if successor == code:
                    continue
                before = codes.loc[code]
                before = before[before.index <= row["max"]].iloc[-span:].mean()
                after = codes.loc[successor]
                after = after[after.index >= nrow["min"]].iloc[:span].mean()
                if before > 0 and after > 0 and 1 / HINT_RATIO <= after / before <= HINT_RATIO:
                    word = PERIOD_WORDS[freq][:-1]
                    pair = (f"{code} (last sale {row['max'].date()}, {_units(before)} a {word}) -> {successor} "
                            f"(first sale {nrow['min'].date()}, {_units(after)} a {word}) in column {column!r}")
                    old_group, new_group = group.get(code), group.get(successor)
                    if old_group == new_group or old_group is None or new_group is None:  # unknown: no claim
                        found.append((column, code, successor, pair, False))
                    else:
                        names = ", ".join(map(repr, above))
                        found.append((column, code, successor,
                                      f"{pair}, across {names} ({'/'.join(map(str, old_group))} -> "
                                      f"{'/'.join(map(str, new_group))}: a replacement rarely changes its "
                                      f"{names})", True))
    pairs, turnover = _one_to_one(found)
    if not pairs and not turnover:
        return []
    notes = []
    if pairs:
        notes.append(f"{len(pairs)} code(s) stopped as another started at a like level, as a line replaced by a new "
                     f"code does: {'; '.join(pairs[:SHOWN_PAIRS])}{'; and more' if len(pairs) > SHOWN_PAIRS else ''}. "
                     f"They are forecast as a stopped line and a launch; if the new code replaces the old one, say so "
                     f"with --successors FILE (the reports' successors parameter): its series then continues the old "
                     f"one's history (docs/own-data.md)")
    if turnover:
        shown = ", ".join(turnover[:2 * SHOWN_PAIRS]) + (", ..." if len(turnover) > 2 * SHOWN_PAIRS else "")
        notes.append(f"{len(turnover)} code(s) stopped and launched in turn at like levels, several beside each "
                     f"other ({shown}): a range that turns over (shades, a season's lines), not one line replacing "
                     f"another, so no pair is named; a code that does replace another goes in --successors FILE")
    return notes


def _one_to_one(found: list[tuple]) -> tuple[list[str], list[str]]:
    """The hint's pairs of ``likely_replacements`` that read as one line replaced by one code, in
    order (within a group first, then across groups), and the codes that turn over instead.

    A stopped code with a candidate in its own group drops its candidates across groups (a
    replacement rarely changes its category). A code left in two or more candidate pairs, as the
    old code, the new one or both (two shades stopped beside one launch; a launch that stopped
    beside the next), is a range turning over: the pairs it is in are dropped and its code is
    listed (trial 14 F5: a lipstick range's 34 rotations
    were offered as replacements after the shop had declared its one successor)."""
    in_group = {(column, old) for column, old, _, _, across in found if not across}
    kept = [f for f in found if not (f[4] and (f[0], f[1]) in in_group)]
    seen = pd.Series([(f[0], code) for f in kept for code in (f[1], f[2])], dtype=object).value_counts()
    pairs, turnover = [], []
    for column, old, new, text, across in sorted(kept, key=lambda f: f[4]):
        if seen[(column, old)] == 1 and seen[(column, new)] == 1:
            pairs.append(text)
        else:
            turnover += [str(code) for code in (old, new) if str(code) not in turnover]
    return pairs, turnover


def _group_of(frame: pd.DataFrame, column: str, keys: list[str]) -> tuple[list[str], dict]:
    """The other key columns that group the codes of ``column`` (each code in one value of
    theirs: a category above a SKU; a region does not, a SKU sells in many) and each code's
    values of theirs as a tuple; ``([], {})`` when none does (every code's group is then None)."""
    by_code = frame.groupby(column, observed=True)
    above = [k for k in keys if k != column and by_code[k].nunique().max() == 1]
    if not above:
        return [], {}
    first = by_code[above].first()
    return above, dict(zip(first.index, map(tuple, first.to_numpy())))


def _units(value: float) -> str:
    """A level for a note: whole units from 100 on (2,490), three digits below (7.43)."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
