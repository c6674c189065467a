"""How the workbench's own notes (model notes, gaps filled, a new event...) are shown.

- ``note: ...`` lines, without Python's ``file:line: Category`` prefix and source line, which
  mean nothing to a planner (``notes_as_lines``, ``show_notes_as_lines``); other libraries'
  warnings are shown as before.
- Figures in messages through ``figure``: a non-zero amount is never shown as 0.
- A note of one kind on many series is said once (``said_once``): one rule on 141 series is
  one line with their count and the range of its figures across them, not 141 lines that bury
  the few notes that matter. Each series' own note is kept for the notes table and file
  (``note_rows``).

One home for the command line, the notebooks and the HTML reports. Imports nothing heavy (the
CLI starts without pandas; ``show_notes`` imports the table formatter when called).
"""

from __future__ import annotations

import re
import sys
import warnings
from contextlib import contextmanager
from typing import Iterable

# a note of one kind that this many series share or more is said once
SHARED_NOTE_SERIES = 4
# decimals ``figure`` adds at most to show a non-zero value (40 CNY in million CNY: 0.00004)
EXTRA_PLACES = 6
# series named in a note said once (the rest are counted)
NAMED_SERIES = 3

# the figures of a note: ISO dates (also in a range, "2026-01-06..2026-03-20"), then numbers
# (thousands separators, decimals, a percent sign; a sign only where it starts a word, so
# "+-0.16" keeps its "+-" and "days -35..-8" its "..-"). Digits inside a word or a code (SKU001,
# q10, SKU-0012) are names, not figures; "x1.33" is a factor.
_FIGURE = re.compile(r"""(?=[\d+-])(?:  # (a cheap first test: most positions start no figure)
    (?<!\w)\d{4}-\d{2}-\d{2}(?![\w-])
  | (?:(?<=[\s(\[=])|^)[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?
  | (?:(?<![\w.])(?<!\w-)|(?<=\Wx)|(?<=^x))(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?
)""", re.VERBOSE)


class SeriesNote(str):
    """A note on one series: the text ``"<series>: <note>"`` (a plain string to every reader)
    that keeps its parts, so the notes one rule gives many series can be said once.

    ``key``: the series' key columns and values (``{}`` for a frame without keys), for the
    notes table and file."""

    def __new__(cls, series: str, note: str, key: dict | None = None):
        self = super().__new__(cls, f"{series}: {note}")
        self.series, self.note, self.key = series, note, dict(key or {})
        return self

    def __getnewargs__(self):
        return self.series, self.note, self.key


def series_label(key: dict | None) -> str:
    """How a note names a series: its key columns and values, ``商品编码=LS008, 省份=广东省`` (a
    planner's words, not a Python dict: trial 8); ``series`` for a frame without keys."""
    return ", ".join(f"{k}={v}" for k, v in (key or {}).items()) or "series"


def figure(value: float, decimals: int = 0) -> str:
    """``value`` with thousands separators and ``decimals`` decimals, or more when a non-zero value
    would read as zero at that precision (``figure(0.004)`` -> ``"0.004"``, not ``"0"``), down to
    ``EXTRA_PLACES`` more decimals, so a shown amount never contradicts a verdict it stands
    beside (trial 15 F8: "0.0M more" beside "short by"). A value smaller still (rounding noise,
    1e-12) reads as zero, unsigned."""
    x = float(value)
    places = decimals
    while round(abs(x), places) == 0 and places < decimals + EXTRA_PLACES:
        places += 1
    if round(abs(x), places) == 0:
        return f"{0.0:,.{decimals}f}"
    return f"{x:,.{places}f}"


def relabelled(notes: Iterable[str], names: dict[str, str]) -> list[str]:
    """``notes`` with each ``SeriesNote``'s key columns renamed by ``names`` (a run's own column
    names -> the user's: ``{"sku": "商品编码"}``), its label with them (``商品编码=JG008``); other
    notes as they are. For a run that renames a user's columns to read them (the planning
    cycle), so its notes speak the user's names."""
    out = []
    for n in notes:
        if isinstance(n, SeriesNote) and any(k in names for k in n.key):
            key = {names.get(k, k): v for k, v in n.key.items()}
            n = SeriesNote(series_label(key), n.note, key)
        out.append(n)
    return out


def note_kind(text: str) -> tuple[str, list[str]]:
    """``text`` with each figure (date, number, percent) replaced by ``{}``, and the figures in
    order: two notes of one kind differ only in their figures."""
    parts, figures, at = [], [], 0
    for m in _FIGURE.finditer(text):
        parts.append(text[at:m.start()].replace("{", "{{").replace("}", "}}"))
        figures.append(m.group())
        at = m.end()
    parts.append(text[at:].replace("{", "{{").replace("}", "}}"))
    return "{}".join(parts), figures


def _value(figure: str):
    """A figure's order: dates as text (ISO sorts by time), numbers by value."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", figure):
        return (0, figure)
    return (1, float(figure.replace(",", "").rstrip("%")))


def _span(figures: list[str]) -> str:
    """One figure's values across the series: the value when all agree, else ``[lo to hi]``."""
    distinct = sorted(set(figures), key=_value)
    return distinct[0] if len(distinct) == 1 else f"[{distinct[0]} to {distinct[-1]}]"


def said_once(notes: Iterable[str], min_series: int = SHARED_NOTE_SERIES) -> list[str]:
    """``notes`` as a reader should see them: repeats dropped, and the ``SeriesNote`` of one kind
    (``note_kind``: the same words, any figures) on ``min_series`` or more series said once,
    where the first of them stood, as ``"141 series (a; b; c and 138 more): <note>"`` with
    each figure that differs between them given as ``[lowest to highest]``. Other notes are
    kept as they are, in order.

    Returns the lines (plain strings). The per-series notes themselves are ``note_rows``.
    """
    notes = list(dict.fromkeys(notes))
    kinds = {id(n): note_kind(n.note) for n in notes if isinstance(n, SeriesNote)}
    groups: dict[str, list[SeriesNote]] = {}
    for n in notes:
        if isinstance(n, SeriesNote):
            groups.setdefault(kinds[id(n)][0], []).append(n)
    series = {kind: list(dict.fromkeys(g.series for g in group)) for kind, group in groups.items()}
    out = []
    for n in notes:
        kind = kinds[id(n)][0] if isinstance(n, SeriesNote) else None
        if kind is None or len(series[kind]) < min_series:
            out.append(n)
        elif n is groups[kind][0]:
            spans = [_span(list(c)) for c in zip(*(kinds[id(g)][1] for g in groups[kind]))]
            differ = " (figures that differ between them as [lowest to highest])" \
                if any(s.startswith("[") for s in spans) else ""
            named, count = "; ".join(series[kind][:NAMED_SERIES]), len(series[kind])  # a label holds commas
            more = f" and {count - NAMED_SERIES:,} more" if count > NAMED_SERIES else ""
            out.append(f"{count:,} series ({named}{more}){differ}: " + kind.format(*spans))
    return out


def note_rows(notes: Iterable[str]) -> list[dict]:
    """Every note, one record per note and series without repeats: the series' key columns
    (``SeriesNote.key``), ``series`` (its label) and ``note`` (its own text and figures); notes on
    no series have an empty ``series``. For the notes table of a report and the notes file."""
    rows = []
    for n in dict.fromkeys(notes):
        if isinstance(n, SeriesNote):
            rows.append({**n.key, "series": n.series, "note": n.note})
        else:
            rows.append({"series": "", "note": str(n)})
    return rows


def show_notes(notes: Iterable[str], *, download: str = "notes.csv") -> None:
    """In a notebook: print ``notes`` as ``note: ...`` lines (``said_once``) and, when some were
    said once for many series, show every series' own note in a folded table (with a CSV
    download named ``download``)."""
    notes = list(notes)
    lines = said_once(notes)
    for line in lines:
        print("note:", line)
    if len(lines) < len(dict.fromkeys(notes)):
        import pandas as pd
        from IPython.display import HTML, display

        from workbench.reports.tables import table_html

        frame = pd.DataFrame(note_rows(notes)).fillna("")
        table = table_html(frame, {c: "text" for c in frame.columns}, download=download,
                           caption="Every note, one row per series (the lines above say a note many series "
                                   "share once)")
        display(HTML(f"<details><summary>Every series' own notes ({len(frame):,})</summary>{table}</details>"))


def _shown_as_notes(default):
    def show(message, category, filename, lineno, file=None, line=None):
        if category.__module__.startswith("workbench."):
            print(f"note: {message}", file=file or sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)
    show.workbench_notes = True
    return show


@contextmanager
def notes_as_lines():
    """Within the block, the workbench's warnings print as ``note: ...`` lines on stderr."""
    with warnings.catch_warnings():
        warnings.showwarning = _shown_as_notes(warnings.showwarning)
        yield


def show_notes_as_lines() -> None:
    """From now on (a notebook's kernel), the workbench's warnings print as ``note: ...`` lines;
    calling it again changes nothing."""
    if not getattr(warnings.showwarning, "workbench_notes", False):
        warnings.showwarning = _shown_as_notes(warnings.showwarning)
