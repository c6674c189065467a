"""Validation of long-format time-series tables into the workbench's standard frame.

The standard frame has the key columns, ``ds`` (datetime, one frequency) and ``y`` (float, finite,
>= 0), sorted by keys then ``ds``.

Parsing is strict (``parse_dates``, ``parse_target``): a date column has one format, and the line
that breaks it is named; numbers are never read as dates; dates with a UTC offset keep the
calendar day as written; targets are finite numbers >= 0 (thousands separators allowed). Gap policy (stated, never silent): missing periods between a series'
first date and the table's last date (a series whose rows end early sold nothing since) are filled with zero sales (``gaps="zero"``, the default: a day with no rows
sold nothing) or rejected (``gaps="error"``); the number filled is reported. Zeros are kept.
Dates with no row for *any* series (an export outage, ``missing_dates``) are not zero sales: a
table of several series where a run of such dates is too unlikely at the table's daily volume
(``OUTAGE_CHANCE``) has them named in the report and treated as missing: each series' value
there is the median of the same weekday (the same period) of the ``OUTAGE_WEEKS`` weeks either
side (``fill_missing_dates``), not 0, so no model reads a week of zeros as a stop or a level.
Data whose every series follows a coarser cadence than the frequency given (weekly dates given
as daily, month or quarter starts given as daily, weekly or monthly) is refused, not filled.
"""

from __future__ import annotations

import difflib

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.calendar.years import YEAR_BACK
from workbench.data.io import encoding_hint, parse_numbers
from workbench.errors import DataValidationError

FREQUENCIES = {"D": "daily", "W": "weekly", "MS": "monthly (month start)", "QS": "quarterly (quarter start)"}
# Periods in the main season of each frequency: a week of days; a year of weeks, months, quarters.
SEASON_LENGTH = {"D": 7, "W": 52, "MS": 12, "QS": 4}
GAP_POLICIES = ("zero", "error")
_SHOW = 5
# a run of dates with no row in any series is an outage when its chance as zero sales in every
# series is under this (the zero chance of one date: the larger of the table's share of such
# dates and the Poisson chance of a zero total at its median daily total; the regime's stop rule)
OUTAGE_CHANCE = 1e-4
OUTAGE_WEEKS = 2  # periods of the same weekday either side whose median fills an outage date


class GapsFilledWarning(UserWarning):
    """Missing periods were filled with zeros under the ``gaps="zero"`` policy."""


class UnusedColumnsWarning(UserWarning):
    """Number columns of a file that the run does not read (``unused_columns_note``)."""


class UnfinishedPeriodWarning(UserWarning):
    """A table's last period looks cut short by its data (``unfinished_period_note``)."""


class OutsideCalendarWarning(UserWarning):
    """A table's dates reach years the calendar cannot place (``outside_calendar_note``)."""


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
    missing_runs: list = field(default_factory=list)  # runs of outage dates (``missing_dates``), treated as missing

    def summary(self) -> str:
        text = (f"{self.source}: {self.n_series} series, {self.n_rows} rows, "
                f"{self.start.date()}..{self.end.date()} ({FREQUENCIES[self.freq]}), "
                f"{self.zero_share:.1%} zeros")
        if self.gaps_filled:
            text += f", {self.gaps_filled} missing periods filled with 0 in {len(self.series_with_gaps)} series"
        if self.missing_runs:
            near = f"the same weekday in the {OUTAGE_WEEKS} weeks" if self.freq == "D" else f"the {OUTAGE_WEEKS} periods"
            text += (f"; {sum(map(len, self.missing_runs))} dates have no rows at all ({describe_dates(self.missing_runs)}: "
                     f"an export outage?), treated as missing, not 0: each series' value there is the median of "
                     f"{near} either side")
        return text


def describe_dates(runs) -> str:
    """Runs of dates in words, ``first..last`` each (``2025-07-14..2025-07-20, 2025-09-01``)."""
    return ", ".join(f"{r[0].date()}..{r[-1].date()}" if len(r) > 1 else f"{r[0].date()}" for r in runs)


def consecutive_runs(index) -> list[np.ndarray]:
    """Sorted integer positions ``index`` (shape (n,)) split into runs of consecutive ones:
    ``[2, 3, 4, 8, 9] -> [[2, 3, 4], [8, 9]]``; [] for none. The one home of this split (a
    festival's touched periods, an event's occurrences, an outage's dates)."""
    index = np.asarray(index)
    return np.split(index, np.flatnonzero(np.diff(index) > 1) + 1) if len(index) else []


def closest_hint(value: str, known) -> str:
    """``"; the closest: 'CL01', 'CL02'"``: the values of ``known`` (codes of a key column) nearest
    ``value`` (a code the data does not hold, likely a typo; ``difflib``'s ratio, up to 3, at least
    0.5), or "" when none is near (trial 12 F17: 'CL1' was refused without naming CL01)."""
    close = difflib.get_close_matches(str(value), sorted(map(str, known)), n=3, cutoff=0.5)
    return f"; the closest: {', '.join(map(repr, close))}" if close else ""


def describe_rows(frame: pd.DataFrame, mask) -> str:
    """Name offending rows as file line numbers for CSV (header is line 1), else 1-based rows:
    ``"line 3"``, ``"rows 2, 5 and 4 more"``. A frame with an integer index is named by its index
    labels, so a filtered frame (``frame[mask]``) still names the file's lines; Excel sheets read by ``read_table`` say ``"sheet row 3"``
    (the header is sheet row 1)."""
    idx = np.flatnonzero(np.asarray(mask))
    if pd.api.types.is_integer_dtype(frame.index):  # a filtered frame keeps its rows' positions
        idx = np.asarray(frame.index)[idx]
    csv = frame.attrs.get("csv_rows", False)
    labels = [str(i + 2) if csv else str(i + 1) for i in idx[:_SHOW]]
    more = f" and {len(idx) - _SHOW} more" if len(idx) > _SHOW else ""
    word = frame.attrs.get("row_word", "line" if csv else "row")
    return f"{word}{'s' if len(idx) > 1 else ''} {', '.join(labels)}{more}"


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


# the length of one period of each frequency
PERIOD_WORDS = {"D": "days", "W": "weeks", "MS": "months", "QS": "quarters"}  # a period's name, plural
PERIOD_LENGTH = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "MS": pd.DateOffset(months=1),
                 "QS": pd.DateOffset(months=3)}


def period_end(start, freq: str):
    """The last day of the period dated ``start`` at ``freq``: every period is dated by its first
    day (a day; a week by the day it starts; ``MS`` and ``QS`` by the month's or quarter's first
    day).

    ``start``: one date (returns a ``Timestamp``), or many (a ``Series`` or ``DatetimeIndex``,
    returned as the same kind; a list or array as a ``DatetimeIndex``), computed at once, not
    date by date. Raises ``DataValidationError`` for an unknown ``freq``."""
    if freq not in PERIOD_LENGTH:
        pandas_freq(freq)  # raises the unknown-frequency error
    if np.ndim(start) == 0:
        start = pd.Timestamp(start)
    elif not isinstance(start, (pd.Series, pd.DatetimeIndex)):
        start = pd.DatetimeIndex(start)
    return start + PERIOD_LENGTH[freq] - pd.Timedelta(days=1)


def window_share(ds, freq: str, start, end) -> np.ndarray:
    """The share of each period's days that fall in the window ``start``..``end`` (both days
    included): per date of ``ds`` (periods dated by their first day at ``freq``, see
    ``period_end``), the days of the period inside the window over the period's days, 0..1 (1 or
    0 for days). A week from Monday 2026-12-28 and a window from 2027-01-02 share 2 of 7 days.
    How a weekly or monthly row's units are split between a window and the days around it:
    evenly over its days (a period's own daily profile is not known). Returns an array as long
    as ``ds``."""
    ds = pd.Series(pd.to_datetime(pd.Series(ds)).to_numpy())
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    ends = period_end(ds, freq)
    overlap = (ends.clip(upper=end) - ds.clip(lower=start)).dt.days + 1
    return (overlap.clip(lower=0) / ((ends - ds).dt.days + 1)).to_numpy(float)


def dates_frequency(dates) -> str:
    """The frequency of a table's period dates, read from the distinct dates (a forecast file's
    ``ds``): ``W`` when every step is 7 days, ``MS``/``QS`` when every date is a month's or a
    quarter's first day and every step one month or three, else ``D`` (days, also for one date or
    irregular steps: each row is then the day it is dated)."""
    days = pd.DatetimeIndex(pd.unique(pd.to_datetime(pd.Series(dates)).dropna())).sort_values()
    if len(days) < 2:
        return "D"
    steps = np.diff(days.to_numpy()).astype("timedelta64[D]").astype(int)
    if (steps == 7).all():
        return "W"
    months = (days.year * 12 + days.month).to_numpy()
    if (days.day == 1).all():
        month_steps = np.diff(months)
        if (month_steps == 1).all():
            return "MS"
        if (month_steps == 3).all() and (days.month % 3 == 1).all():
            return "QS"
    return "D"


# a text column whose values are all digits and signs (an amount, a date, a time, an ID number)
# is no product level above the series (``planning.product_level_note``, which guesses)
NUMBER_LIKE = r"[\d\s¥$€,.:/+\-年月日时分秒点]+"


def finer_keys(raw: pd.DataFrame, keys, declared, source: str, *, name: str = "sum_over",
               required: bool = True) -> list[str]:
    """The finer key columns of ``raw`` (a file as read) that a run sums its series over to
    ``keys``: the ``declared`` ones only (a province under keys [sku, region]; named by the user's
    ``name`` parameter, or by the tool's own file format), never guessed from the other text
    columns (review 7.2 #5: any text column had been summed over, a status or an order time
    too). Any declared column is accepted whatever it holds (review 8.4 #1/#2: store IDs
    "001", GB/T 2260 province codes, price points, 40 new SKUs in 60 rows): summing over it gives
    the right totals per key, and ``sum_finer``'s note names its distinct count. The callers read
    the declared columns as text so codes keep their leading zeros. Rows that repeat a date and
    key and differ in an undeclared column are refused by ``prepare_long_frame``, which names it
    and ``name``. ``required``: a declared column the file lacks is refused (False: skipped, for
    a default the file may not have).

    Raises:
        DataValidationError: a declared column the file lacks (``required``), or one of the keys.
    """
    keys = list(keys)
    out = []
    for column in dict.fromkeys(declared or ()):
        if column not in raw.columns:
            if required:
                raise DataValidationError(f"{name}: {source} has no column {column!r} (its columns: "
                                          f"{list(raw.columns)})")
            continue
        if column in keys:
            raise DataValidationError(f"{name}: {column!r} is one of the keys {keys}; a column is either a key or "
                                      f"summed over")
        out.append(column)
    return out


def sum_finer(frame: pd.DataFrame, keys, finer, source: str, names: dict | None = None
              ) -> tuple[pd.DataFrame, list[str]]:
    """The standard frame ``[keys..., *finer, ds, y]`` summed over the ``finer`` key columns
    (``finer_keys``) to ``keys``'s series, with the note saying how many series became how many
    and each finer column's distinct count (a column with more values than half the rows is
    asked about: an order or line ID sums to the same totals, but was it meant?); ``frame`` as
    it is and no note without them. ``names``: how the note names the keys (a user's own column
    names)."""
    keys, finer = list(keys), list(finer)
    if not finer:
        return frame, []
    counts = {c: frame[c].nunique() for c in finer}
    n_before, attrs = frame.groupby([*keys, *finer]).ngroups, dict(frame.attrs)
    out = frame.groupby([*keys, "ds"], sort=True, as_index=False)["y"].sum() if keys else \
        frame.groupby("ds", sort=True, as_index=False)["y"].sum()
    out.attrs.update(attrs)
    n_after = out.groupby(keys).ngroups if keys else 1
    shown = [(names or {}).get(k, k) for k in keys]
    what = ", ".join(f"{c} ({n} values" + (f" in {len(frame)} rows: an order or line ID?" if n > max(1, len(frame) // 2)
                                           else "") + ")" for c, n in counts.items())
    return out, [f"{source}: {n_before} series summed over {what} to {n_after} series of "
                 f"{' and '.join(map(str, shown)) or 'the national total'}"]


def check_key_names(keys, *, date_col: str = "ds", target_col: str = "y") -> list[str]:
    """The series key column names as a list: each named once, none of them the date or target
    column. The one check of key names (file readers and the forecast core call it, before any
    row is read). Raises ``DataValidationError`` naming the repeated or clashing keys."""
    keys = [keys] if isinstance(keys, str) else list(keys or [])
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise DataValidationError(f"--keys names {repeated} more than once; give each key column once")
    clash = [k for k in keys if k in (date_col, target_col)]
    if clash:
        raise DataValidationError(f"--keys {clash} is also the date or target column; keys are the "
                                  f"columns that tell series apart (sku, region...)")
    return keys


def unused_columns_note(raw: pd.DataFrame, used, target: str, source: str) -> list[str]:
    """The note naming the number columns of ``raw`` (a file as read) that a run does not read,
    a returns (退货量) or GMV column beside the target: said, not silently left out; ``[]`` when
    there are none. ``used``: the columns the run reads (date, target, keys; None entries are
    skipped). One home for every entry point: the CLI's forecast and backtest, the event report,
    the planning cycle."""
    used = {str(c) for c in used if c is not None}
    unused = [c for c in raw.columns if str(c) not in used and pd.api.types.is_numeric_dtype(raw[c])]
    if not unused:
        return []
    return [f"{source}: column(s) {unused} not used: the forecast is of {target!r} as it is"]


# The last period of a table is named as cut short when its total (all series) falls under this
# share of the lowest of its siblings' totals and a Poisson count at that lowest total would fall
# so low with a chance under SHORT_PERIOD_CHANCE (a slow shop's quiet day is no short export).
SHORT_PERIOD_SHARE = 0.6
SHORT_PERIOD_CHANCE = 0.01
# the siblings of the last period: (periods between two siblings, siblings) per frequency; a day
# is compared with the same weekday of the weeks before (a weekend day with weekend days)
SIBLINGS = {"D": (7, 4), "W": (1, 8), "MS": (1, 3), "QS": (1, 2)}
# weeks, months, quarters: where fewer than 2 of those are quiet, the nearest 2 quiet within 3 times as
# far; not days (a day's dip after 双11 would be read against September and lifted: review 12.1 F1)
SIBLING_REACH = 3


def unfinished_period_note(frame: pd.DataFrame, freq: str, source: str, calendar=None) -> list[str]:
    """The note on the table's last period, a function of the data alone (the same file gives the
    same note on any day; review 7.2 #6: it had read the wall clock). ``frame``: the standard
    frame ``[keys..., ds, y]`` at ``freq`` (units per period); ``calendar``: the run's
    ``RetailCalendar`` (a planner's own events too; None: the shipped one), whose event windows
    are no quiet siblings of the last period.

    A last period cut short (an export taken before the day ended, a week or month summed before
    its last day) is named as such when the data show it (``short_period_note``); a forecast then
    reads a day as each series' level there (``core.censor_short_period``). A table of weeks, months or quarters
    cannot show a period short of only a few of its days (an export to 2026-11-29 summed to
    months: trial 9, trial 10), so its last period, when not named as short, is named as read
    whole, with what to do if the export ended before its last day. ``[]`` for a table of days
    whose last day is not short. Every entry point gets it through ``table_notes``."""
    if frame.empty:
        return []
    short = short_period_note(frame, freq, source, calendar)
    if short or freq == "D":
        return short
    last = pd.Timestamp(frame["ds"].max())
    end, word = period_end(last, freq), PERIOD_WORDS[freq][:-1]
    return [f"{source}: the last {word}, {last.date()}..{end.date()}, is read as a whole {word}; a table of "
            f"{PERIOD_WORDS[freq]} cannot show whether it holds all its days: if the export ended before "
            f"{end.date()}, leave that row out"]


@dataclass(frozen=True)
class ShortPeriod:
    """The table's last period, cut short by its data (``short_last_period``): ``last`` (its date),
    ``total`` (its units, over the series that had not fallen before it), ``lowest`` (the lowest
    of its quiet siblings' totals over those series), ``season`` (the fall of the same period a
    year before against its own siblings, at most 1; 1 without one), ``siblings`` (those siblings' dates, the
    periods each series' level there is read on: ``core.censor_short_period``) and ``fell`` (a
    row mask of the frame tested, shape (len(frame),): the series whose period before the last
    was already short of their level, left out of the totals and kept as sold)."""
    last: pd.Timestamp
    total: float
    lowest: float
    season: float
    siblings: pd.DatetimeIndex
    fell: np.ndarray = field(repr=False)


# the same period a year before: the same weekday 52 weeks back for a day


def short_last_period(frame: pd.DataFrame, freq: str, calendar=None, keys=None) -> ShortPeriod | None:
    """The table's last period when its data say it was cut short, else None: its total (``frame``:
    the standard frame ``[keys..., ds, y]`` at ``freq``; ``keys`` None: every column but ``ds`` and
    ``y``) is under ``SHORT_PERIOD_SHARE`` of the lowest of its siblings' totals (``SIBLINGS``: the
    same weekday of the 4 weeks before for a day, the 8 weeks, 3 months or 2 quarters before; at
    least 2 of them outside the event windows of ``calendar`` and the week after each, else (weeks,
    months, quarters) the nearest 2 such periods within ``SIBLING_REACH`` times as far back,
    ``_in_event``; a planner's own events count when ``calendar`` holds them, None: the shipped
    calendar) and a Poisson count at that lowest total would fall so low with a chance under
    ``SHORT_PERIOD_CHANCE``. Two falls are no cut:

    - a season's: where the same period a year before (``YEAR_BACK``; or its sibling either side,
      a season's end moves by a week) fell against its own siblings, the lowest is carried down by
      the deepest of those falls first (a summer shop's
      first week of September, x0.15 of August's, had been read as cut short and lifted to its
      August level: +69% on 8 weeks, +87% on 6 months monthly; review 11.1 F1);
    - a series' own, before the cut: a series whose period before the last was already under
      ``SHORT_PERIOD_SHARE`` of its median over the siblings, and too low for a Poisson count
      there (a line stopped weeks ago, out of stock), is left out of every total (review 11.1 F4).

    None for a last period in the Spring Festival pause (a closure is low by design). The one test
    of a short last period: the note (``short_period_note``) and the forecast's reading of it
    (``core.censor_short_period``) share it. Its limit: a period short of a few of its days (29 of
    November's 30) is not told from its total; only a shortfall beyond the siblings' spread is, and
    a season's first fall, with no year before it, is not told from a cut."""
    from scipy.stats import poisson

    if frame.empty:
        return None
    last = pd.Timestamp(frame["ds"].max())
    if festival_pause(pd.DatetimeIndex([last]), freq, calendar)[0]:
        return None
    keys = [c for c in frame.columns if c not in ("ds", "y")] if keys is None else list(keys)
    series = frame.groupby(keys, observed=True, sort=False).ngroup().to_numpy() if keys else np.zeros(len(frame), int)
    ds, y = pd.DatetimeIndex(frame["ds"]), frame["y"].to_numpy(float)
    step, count = SIBLINGS[freq]

    def siblings_of(period):  # the period's quiet siblings with rows (an export outage's dates are none)
        reach = count * (SIBLING_REACH if freq != "D" else 1)  # a day after a sale is tested on its own weeks only
        dates = pd.DatetimeIndex([period - PERIOD_LENGTH[freq] * (step * k) for k in range(1, reach + 1)])
        quiet = dates[~_in_event(dates, freq, calendar) & dates.isin(ds)]
        # National Day's and Double 11's weeks fill the 8 weeks before a late-November cut-off: the
        # nearest 2 quiet ones further back stand in (trial 14 F22: a 1-day last week read whole)
        near = quiet[quiet >= dates[count - 1]]
        return (near if len(near) >= 2 else quiet[:2]).sort_values()

    siblings = siblings_of(last)
    if len(siblings) < 2:
        return None
    level = pd.Series(y[ds.isin(siblings)]).groupby(series[ds.isin(siblings)]).median()
    before = pd.Series(y[ds == last - PERIOD_LENGTH[freq]]).groupby(series[ds == last - PERIOD_LENGTH[freq]]).sum()
    level = level.reindex(before.index)
    down = (before < SHORT_PERIOD_SHARE * level) & (poisson.cdf(before, level) < SHORT_PERIOD_CHANCE)
    fell = np.isin(series, down.index[down.to_numpy()])
    totals = pd.Series(y[~fell]).groupby(ds[~fell]).sum()

    def ratio(period, sibs):  # the period's total over the lowest of its siblings', NaN without them
        seen = totals.reindex(sibs).dropna()
        return totals.get(period, np.nan) / seen.min() if len(seen) >= 2 and seen.min() > 0 else np.nan

    lowest, total = float(totals.reindex(siblings).min()), float(totals.get(last, 0.0))
    # a year back and its sibling either side (a season's end a year before fell a week or a day later or earlier)
    falls = [ratio(p, siblings_of(p)) for p in (last - PERIOD_LENGTH[freq] * (YEAR_BACK[freq] + k * step)
                                                for k in (-1, 0, 1))]
    season = float(np.nanmin(falls + [1.0]))  # the deepest fall there, carried; 1 without any
    if not (total < SHORT_PERIOD_SHARE * lowest * season and poisson.cdf(total, lowest * season) < SHORT_PERIOD_CHANCE):
        return None
    return ShortPeriod(last, total, lowest, season, siblings, fell)


def short_period_note(frame: pd.DataFrame, freq: str, source: str, calendar=None) -> list[str]:
    """The note naming the table's last period when its data say it was cut short
    (``short_last_period``, judged on ``calendar``'s events), with what a forecast does with it
    (a day: ``core.censor_short_period``, each series' level there, not a fall in demand; a week,
    month or quarter is read as it is) and how to read it otherwise. ``[]`` when it is not short."""
    short = short_last_period(frame, freq, calendar)
    if short is None:
        return []
    last, n = short.last, len(short.siblings)
    end = period_end(last, freq)
    season = f" times {short.season:.2f}, the same {'day' if freq == 'D' else PERIOD_WORDS[freq][:-1]}'s fall a " \
        f"year before" if short.season < 1 else ""
    fallen = len(frame.loc[short.fell].drop(columns=["ds", "y"]).drop_duplicates()) if short.fell.any() else 0
    fell = f" over the series not already short the period before ({fallen} left out)" if fallen else ""
    if freq == "D":
        what, which = f"the last day, {last.date()},", f"the same weekday in the {n} weeks before"
        then = ("A forecast reads it as each series' level there (its median over those days, or its own "
                "sales where higher), not as a fall in demand; to have it forecast instead, leave that day out, "
                "or export it to its end")
    else:
        word = PERIOD_WORDS[freq]
        what, which = f"the last {word[:-1]}, {last.date()}..{end.date()},", \
            f"the {n} quiet {word} before it ({', '.join(str(d.date()) for d in short.siblings)})"
        then = f"A forecast reads it as it is, a fall in demand: if it is cut short, leave that row out, or export " \
               f"to {end.date()}"
    return [f"{source}: {what} totals {short.total:,.0f}{fell}, under {SHORT_PERIOD_SHARE:.0%} of the lowest total "
            f"of {which} ({short.lowest:,.0f}{season}): was the export taken before it ended? {then}"]


def outside_calendar_note(frame: pd.DataFrame, source: str) -> list[str]:
    """The note naming the years of ``frame``'s dates (the standard frame's ``ds``) whose events
    the calendar cannot place (``placed_periods``, the one test: 1952-2098, the ``holidays``
    package's 1950-2100 less the two years either side a date's windows are searched in): no
    festival pause, New Year sale or other event is known there, so the models read those
    periods as quiet ones (``features.quiet_periods``) and fit no event effect on them; the whole
    history, or its part, is said. ``[]`` when every year is placed."""
    if frame.empty:
        return []
    years = np.unique(pd.DatetimeIndex(frame["ds"]).year)
    outside = years[~placed_periods(pd.DatetimeIndex([pd.Timestamp(year=y, month=1, day=1) for y in years]))]
    if not len(outside):
        return []
    runs = ", ".join(f"{r[0]}..{r[-1]}" if len(r) > 1 else f"{r[0]}"
                     for r in np.split(outside, np.flatnonzero(np.diff(outside) > 1) + 1))
    whole = "the whole history (" + runs + ") lies" if len(outside) == len(years) else \
        f"{len(outside)} of its {len(years)} years ({runs}) {'lies' if len(outside) == 1 else 'lie'}"
    first, last = _placed_range()
    return [f"{source}: {whole} outside the calendar's years {first}-{last}, the years whose events it can "
            f"place: no festival pause or sale is known there, so those periods are read as quiet ones and "
            f"carry no event effect"]


def table_notes(frame: pd.DataFrame, freq: str, source: str, *, raw: pd.DataFrame | None = None,
                used=(), target: str | None = None, keys=None, level_flag: str | None = None,
                calendar=None, warn: bool = False) -> list[str]:
    """The notes on a table as read, the one home every entry point calls (``workbench forecast``
    and ``backtest``: ``jobs.load_series``; the event report: ``planning.load_planning_frame``;
    the planning cycle: ``cycle.load_history``; ``workbench data orders``: ``orders.daily_sales``;
    review 8.4 #7: each had put its own list together and they drifted), in this order:

    - number columns of ``raw`` (the file as read) that the run does not read, a returns or GMV
      column beside ``target`` (``unused_columns_note``; ``used``: the columns read);
    - the last period, cut short or read whole (``unfinished_period_note``, judged against
      ``calendar``'s events: the run's calendar, a planner's own events included; None: the
      shipped one);
    - years of ``frame``'s dates the calendar cannot place (``outside_calendar_note``);
    - a column of ``raw`` the ``keys`` should hold to give the series a product level
      (``planning.product_level_note``; ``level_flag``: how the user names the keys, ``--keys``
      or ``keys``; None where the user chooses no keys).

    ``frame``: the standard frame ``[keys..., ds, y]`` at ``freq`` (units per period); ``raw``
    None: a table the tool built itself (the orders' daily table), whose columns are not asked
    about. ``warn``: each note is also issued as a warning of its kind (``UnusedColumnsWarning``,
    ``UnfinishedPeriodWarning``, ``OutsideCalendarWarning``, ``planning.LevelKeyWarning``), as
    the CLI prints them. Returns the notes, ``[]`` when there are none."""
    groups = []
    if raw is not None and target is not None:
        groups.append((UnusedColumnsWarning, unused_columns_note(raw, used, target, source)))
    groups.append((UnfinishedPeriodWarning, unfinished_period_note(frame, freq, source, calendar)))
    groups.append((OutsideCalendarWarning, outside_calendar_note(frame, source)))
    if raw is not None and level_flag is not None:
        from workbench.forecast.planning import LevelKeyWarning, product_level_note

        groups.append((LevelKeyWarning, product_level_note(raw, keys or [], used, source, flag=level_flag)))
    notes = []
    for category, found in groups:
        for note in found:
            if warn:
                warnings.warn(note, category, stacklevel=3)
            notes.append(note)
    return notes


def prepare_long_frame(
    frame: pd.DataFrame,
    *,
    date_col: str,
    target_col: str,
    keys: list[str] | tuple[str, ...] = (),
    freq: str = "D",
    gaps: str = "zero",
    source: str | None = None,
    freq_name: str = "--freq",
    finer_name: str | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate ``frame`` and return the standard frame ``[keys..., ds, y]`` and a report.
    ``freq_name``: how the caller's user sets the frequency (``--freq`` on the command line, a
    notebook's ``freq`` parameter), named when the dates follow a coarser cadence than ``freq``;
    ``finer_name``: how they name columns to sum over (``sum_over``, ``finer_keys``), named
    beside the columns repeated rows differ in (None: no such parameter)."""
    src = source or frame.attrs.get("source", "<data frame>")
    keys = list(keys)
    if gaps not in GAP_POLICIES:
        raise DataValidationError(f"unknown gap policy {gaps!r}; use one of {GAP_POLICIES}")
    if freq not in FREQUENCIES:
        pandas_freq(freq)
    check_key_names(keys, date_col=date_col, target_col=target_col)
    if date_col == target_col:
        raise DataValidationError(f"--date-col and --target are both {date_col!r}; name two columns")
    missing = [c for c in [date_col, target_col, *keys] if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{src}: missing column(s) {missing}; the file has {list(frame.columns)}. "
            + encoding_hint(frame, "Check --date-col, --target and --keys."))
    if len(frame) == 0:
        raise DataValidationError(f"{src}: the table has no rows")

    dates = parse_dates(frame, date_col, source=src)
    target = parse_target(frame, target_col, source=src)
    for key in keys:
        null_key = frame[key].isna()
        if null_key.any():
            raise DataValidationError(f"{src}: key column {key!r} is empty at {describe_rows(frame, null_key)}; "
                                      f"every row needs its series key: fill in the {key} or remove those rows")

    out = pd.DataFrame({k: frame[k].astype(str) for k in keys})
    out["ds"] = dates.dt.normalize().astype("datetime64[ns]")
    out["y"] = target
    dup = out.duplicated([*keys, "ds"], keep=False)
    if dup.any():
        differ = _differing_columns(frame, out, dup, [date_col, target_col, *keys])
        summed = f", sum over {'it' if len(differ) == 1 else 'them'} ({finer_name} {differ})," if finer_name else ""
        finer = (f"; they differ in {differ}: add {'it' if len(differ) == 1 else 'them'} to the keys to forecast "
                 f"each{summed} or") if differ else ";"
        raise DataValidationError(
            f"{src}: duplicate ({', '.join([date_col, *keys])}) rows at {describe_rows(frame, dup)}{finer} "
            f"aggregate them first (e.g. sum per date and key; an order export, one row per order "
            f"line, becomes a daily table with `workbench data orders`)")

    alias = pandas_freq(freq, pd.DatetimeIndex(out["ds"].sort_values()))
    ordered = out.sort_values([*keys, "ds"], kind="stable").reset_index(drop=True)
    _refuse_coarser_cadence(ordered, keys, freq, src, freq_name)
    # the grid checks name rows of the file: their masks stay in the file's row order
    off = None
    if freq in {"MS", "QS"}:
        ds = out["ds"].dt
        off = (ds.day != 1) | ((ds.month - 1) % 3 != 0 if freq == "QS" else False)
        period = "month" if freq == "MS" else "quarter"
        what = f"frequency {freq} needs dates on the first day of each {period}; off-grid dates"
        fix = f"date each {period} by its first day"
    elif freq == "W":
        weekday = out["ds"].dt.day_of_week
        earliest = out["ds"].min()
        off = weekday != earliest.day_of_week
        what = "weekly data must fall on one weekday; other weekdays"
        fix = f"date each week by its first day, on a {earliest.day_name()} (the weekday of the earliest date)"
    if off is not None and off.any():
        first = frame[date_col].to_numpy()[np.flatnonzero(off.to_numpy())[0]]
        raise DataValidationError(f"{src}: column {date_col!r}: {what} at {describe_rows(frame, off.to_numpy())} "
                                  f"(e.g. {first!r}); {fix}")
    out = ordered

    runs = missing_dates(out, keys, alias, freq)
    out, filled, gappy = fill_gaps(out, keys, alias, gaps, src, runs)
    report = ValidationReport(
        source=src, n_rows=len(out), n_series=int(out.groupby(keys).ngroups) if keys else 1,
        start=out["ds"].min(), end=out["ds"].max(), freq=freq, gaps_filled=filled,
        series_with_gaps=gappy, zero_share=float((out["y"] == 0).mean()), missing_runs=runs)
    if filled or runs:
        warnings.warn(report.summary(), GapsFilledWarning, stacklevel=2)
    out.attrs["source"] = src
    out.attrs["freq"] = freq
    return out, report


# Date formats of the date part of a value; the time part (``13:05``, ``13:05:22.5``) and a UTC
# offset may follow any of them and do not change the day.
DATE_FORMATS = {
    "%Y-%m-%d": "YYYY-MM-DD", "%Y/%m/%d": "YYYY/MM/DD", "%Y.%m.%d": "YYYY.MM.DD",
    "%Y%m%d": "YYYYMMDD", "%Y年%m月%d日": "YYYY年MM月DD日", "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY", "%d.%m.%Y": "DD.MM.YYYY", "%d-%m-%Y": "DD-MM-YYYY",
}
# a time of day written in Chinese after the date (13时05分22秒, 13时5分, 13点, 13点半, 下午3时; a
# Chinese-locale Excel / WPS cell's "2025/8/15 下午 3:05:00"), as the clock the time part reads
# (most specific first). Only the day is read, and a 12-hour clock's half-day word (上午, 下午,
# 晚上...) never moves it (下午 12:05 is noon, 上午 12:05 midnight, both of that day), so the word
# is dropped before any clock.
_HALF_DAY = r"(?:上午|下午|中午|晚上|凌晨|早上)?"
_CHINESE_TIMES = ((r"\s*(?:上午|下午|中午|晚上|凌晨|早上)\s*(\d{1,2}:)", r" \1"),
                  (rf"\s*{_HALF_DAY}\s*(\d{{1,2}})[时点](\d{{1,2}})分(\d{{1,2}})秒$", r" \1:\2:\3"),
                  (rf"\s*{_HALF_DAY}\s*(\d{{1,2}})[时点](\d{{1,2}})分?$", r" \1:\2"),
                  (rf"\s*{_HALF_DAY}\s*(\d{{1,2}})[时点]半$", r" \1:30"),
                  (rf"\s*{_HALF_DAY}\s*(\d{{1,2}})[时点]$", r" \1:00"))
_DATE_TIME = re.compile(
    r"^(?P<date>[^\sT]+?)(?:[\sT]+(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$")


def _differing_columns(frame: pd.DataFrame, out: pd.DataFrame, dup, used: list[str]) -> list[str]:
    """The other text columns of ``frame`` whose values differ between rows that share a date and
    key (``dup``: those rows; ``out``: the parsed keys and dates): a finer key the user left out
    (a province file forecast per SKU), named in the duplicate-row error."""
    rows = frame.loc[np.asarray(dup)]
    groups = [out.loc[np.asarray(dup), c].to_numpy() for c in out.columns if c != "y"]
    others = [c for c in frame.columns if c not in used and not pd.api.types.is_numeric_dtype(frame[c])]
    return [c for c in others if (rows[c].groupby(groups, dropna=False).nunique(dropna=False) > 1).any()]


def parse_dates(frame: pd.DataFrame, column: str, *, source: str | None = None) -> pd.Series:
    """The days of a date column, strictly: one format for the whole column.

    Accepted: datetime columns (Parquet, Excel, DuckDB; a time zone keeps the wall-clock day);
    text in one of ``DATE_FORMATS`` for every row, optionally followed by a time and a UTC
    offset (``2026-01-05T00:00:00+08:00`` is 2026-01-05, the day as written); integers only as
    YYYYMMDD (``20260105``). Numbers are never read as days or seconds since 1970 or as Excel
    serial days. Returns datetime64 days (time dropped) aligned with ``frame``.

    Raises ``DataValidationError`` naming the column and the lines: empty or unparseable values,
    a column that mixes formats (the format most rows use and the lines that differ), a
    day/month order that the values leave ambiguous, numbers that are not YYYYMMDD.
    """
    src = source or frame.attrs.get("source", "<data frame>")
    values = frame[column]
    if pd.api.types.is_bool_dtype(values):
        raise DataValidationError(f"{src}: column {column!r} holds true/false values, not dates")
    if pd.api.types.is_datetime64_any_dtype(values):
        _refuse_empty_dates(frame, column, values.isna(), src)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return values.dt.normalize().astype("datetime64[ns]")
    if pd.api.types.is_numeric_dtype(values):
        _refuse_empty_dates(frame, column, values.isna(), src)
        return _yyyymmdd_numbers(frame, column, src)
    if not pd.api.types.is_object_dtype(values):  # a text column: strings and missing values only
        text = values.str.strip()
        _refuse_empty_dates(frame, column, text.isna() | text.eq(""), src)
        return _parse_text_dates(frame, column, text, src)
    text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    _refuse_empty_dates(frame, column, text.isna() | text.eq(""), src)
    is_text = text.map(lambda v: isinstance(v, str)).astype(bool)
    days = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if (~is_text).any():  # datetime cells of an Excel column that also has text cells
        try:
            days[~is_text] = pd.to_datetime(text[~is_text].tolist()).tz_localize(None).normalize()
        except (TypeError, ValueError):
            bad = ~is_text
            raise DataValidationError(
                f"{src}: column {column!r} has values that are not dates at {describe_rows(frame, bad)} "
                f"(e.g. {values[bad].iloc[0]!r})") from None
    if is_text.any():
        days[is_text] = _parse_text_dates(frame, column, text[is_text].astype(str), src)
    return days


def _refuse_empty_dates(frame: pd.DataFrame, column: str, empty: pd.Series, src: str) -> None:
    if empty.any():
        raise DataValidationError(f"{src}: column {column!r} has empty dates at {describe_rows(frame, empty)}; "
                                  f"every row needs a date")


def _yyyymmdd_numbers(frame: pd.DataFrame, column: str, src: str) -> pd.Series:
    values = frame[column]
    as_text = values.map(lambda v: f"{v:.0f}" if float(v).is_integer() else str(v))
    days = pd.to_datetime(as_text, format="%Y%m%d", errors="coerce")
    bad = days.isna() | ~as_text.str.fullmatch(r"\d{8}")
    if bad.any():
        raise DataValidationError(
            f"{src}: column {column!r} holds numbers (e.g. {as_text[bad].iloc[0]} at "
            f"{describe_rows(frame, bad)}), not dates; numbers are read as dates only as YYYYMMDD "
            f"(never as days or seconds since 1970, nor Excel serial days). Write dates as "
            f"YYYY-MM-DD, or check --date-col")
    return days.astype("datetime64[ns]")


def _parse_text_dates(frame: pd.DataFrame, column: str, text: pd.Series, src: str) -> pd.Series:
    # Formats are tried on the distinct date parts only (a million order times fall on a few
    # hundred days), then mapped back to the rows.
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, distinct = pd.factorize(text)
    values = pa.array(np.asarray(distinct, dtype=object), type=pa.string())
    for pattern, clock in _CHINESE_TIMES:  # a back office's 01时 / 13时05分 / 13时05分22秒 (trial 9)
        values = pc.replace_substring_regex(values, pattern, clock)
    parts = pc.extract_regex(values, _DATE_TIME.pattern)
    bad_time = pa.array(np.zeros(len(distinct), dtype=bool))
    for name, limit in (("h", 23), ("m", 59), ("s", 59)):
        field = pc.struct_field(parts, name)
        given = pc.greater(pc.utf8_length(field), 0)
        number = pc.cast(pc.if_else(given, field, pa.scalar("0")), pa.int32())
        bad_time = pc.or_(bad_time, pc.fill_null(pc.and_(given, pc.greater(number, limit)), False))
    date_part = pd.Series(pc.if_else(bad_time, pa.scalar(None, pa.string()),
                                     pc.struct_field(parts, "date")).to_pandas(), dtype=object)
    days = pd.Series(pd.unique(date_part.dropna()))
    parsed = {fmt: pd.Series(pd.to_datetime(days, format=fmt, errors="coerce").to_numpy(), index=days)
              for fmt in DATE_FORMATS}
    counts = {fmt: int(p.notna().sum()) for fmt, p in parsed.items()}
    best = max(counts.values(), default=0)
    winners = [fmt for fmt, n in counts.items() if n == best]
    row_text = text.to_numpy()

    def rows(ok_distinct: np.ndarray) -> pd.Series:
        mask = pd.Series(False, index=frame.index)
        mask[text.index] = ~ok_distinct[codes]
        return mask

    if best == 0:
        bad = rows(np.zeros(len(distinct), dtype=bool))
        raise DataValidationError(
            f"{src}: column {column!r} has unparseable dates at {describe_rows(frame, bad)} "
            f"(e.g. {row_text[0]!r}); write dates as YYYY-MM-DD")
    fmt = winners[0]
    if len(winners) > 1 and any(not parsed[w].equals(parsed[fmt]) for w in winners[1:]):
        labels = " or ".join(DATE_FORMATS[w] for w in winners)
        raise DataValidationError(
            f"{src}: column {column!r}: the dates read as {labels} alike (e.g. "
            f"{days.iloc[0]!r}), so day and month cannot be told apart; write them as YYYY-MM-DD")
    value = date_part.map(parsed[fmt]).to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(value)
    if not ok.all():
        bad = rows(ok)
        first = int(np.flatnonzero(~ok[codes])[0])
        example, example_day = row_text[first], date_part.iloc[codes[first]]
        other = [DATE_FORMATS[f] for f, p in parsed.items()
                 if isinstance(example_day, str) and pd.notna(p.get(example_day))]
        good = distinct[np.flatnonzero(ok)[0]]
        if other:
            raise DataValidationError(
                f"{src}: column {column!r} mixes date formats: most dates are {DATE_FORMATS[fmt]} "
                f"(e.g. {good!r}), but not at {describe_rows(frame, bad)} (e.g. {example!r}, read as "
                f"{other[0]}); write every date of the column in one format, best YYYY-MM-DD")
        good_day = date_part.iloc[int(np.flatnonzero(ok)[0])]
        with_time = " with a time of day" if str(good).strip() != str(good_day) else ""
        raise DataValidationError(
            f"{src}: column {column!r} has unparseable dates at {describe_rows(frame, bad)} "
            f"(e.g. {example!r}; the others are {DATE_FORMATS[fmt]}{with_time}, e.g. {good!r}); "
            f"correct those values in the same format")
    return pd.Series(value[codes], index=text.index)


def parse_target(frame: pd.DataFrame, column: str, *, source: str | None = None) -> pd.Series:
    """A target column as finite floats >= 0 (``1,944`` and ``¥12.50`` read as numbers).

    Raises ``DataValidationError`` naming the lines of values that are not numbers, empty or
    NaN, infinite, or negative.
    """
    src = source or frame.attrs.get("source", "<data frame>")
    raw = frame[column]
    target = parse_numbers(raw).astype(float)
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    non_numeric = target.isna() & ~blank & ~raw.astype(str).str.strip().str.lower().isin({"nan", "na", "n/a", "null"})
    if non_numeric.any():
        raise DataValidationError(
            f"{src}: column {column!r} has non-numeric values at {describe_rows(frame, non_numeric)} "
            f"(e.g. {raw[non_numeric].iloc[0]!r}); fix or remove those rows")
    empty = target.isna()
    if empty.any():
        raise DataValidationError(
            f"{src}: column {column!r} is empty or NaN at {describe_rows(frame, empty)}; write 0 for no "
            f"sales or remove the rows")
    infinite = ~np.isfinite(target)
    if infinite.any():
        raise DataValidationError(
            f"{src}: column {column!r} has non-finite values (inf) at {describe_rows(frame, infinite)}; "
            f"write the real quantity")
    negative = target < 0
    if negative.any():
        raise DataValidationError(
            f"{src}: column {column!r} has negative values at {describe_rows(frame, negative)} "
            f"(e.g. {target[negative].iloc[0]}); returns must be netted before forecasting")
    return target


# A coarser cadence is called only on this many steps between a series' consecutive dates (all
# series together), at least half of them exactly one period: random sales days of slow movers
# fall on one weekday at every step with odds of 7**-8, on month starts far less often.
_CADENCE_MIN_STEPS = 8


def _refuse_coarser_cadence(out: pd.DataFrame, keys: list[str], freq: str, src: str,
                            freq_name: str = "--freq") -> None:
    """Refuse data whose dates follow a coarser cadence than ``freq`` in every series: weekly data
    (every step a multiple of 7 days) given as daily, monthly (month starts) given as daily or
    weekly, quarterly (quarter starts) given as daily, weekly or monthly. Filling the periods in
    between with zeros would make a spike every 7th day of a forecast. ``out`` is sorted by keys
    and ``ds``; sparse data whose steps do not all fit a cadence passes."""
    ds = out["ds"]
    same_series = pd.Series(True, index=out.index)
    same_series.iloc[0] = False
    if keys:
        same_series &= (out[keys] == out[keys].shift()).all(axis=1)
    if int(same_series.sum()) < _CADENCE_MIN_STEPS:
        return
    days = (ds - ds.shift()).dt.days[same_series]
    month_number = ds.dt.year * 12 + ds.dt.month
    months = (month_number - month_number.shift())[same_series]
    month_starts = bool((ds.dt.day == 1).all())
    found = None
    if freq in {"D", "W", "MS"} and month_starts and bool(((ds.dt.month - 1) % 3 == 0).all()) \
            and (months == 3).mean() >= 0.5:
        found = ("QS", "quarterly", "is the first day of a quarter", (months == 3).sum(), "3 months")
    elif freq in {"D", "W"} and month_starts and (months == 1).mean() >= 0.5:
        found = ("MS", "monthly", "is the first day of a month", (months == 1).sum(), "1 month")
    elif freq == "D" and bool((days % 7 == 0).all()) and (days == 7).mean() >= 0.5:
        weekdays = ds.dt.day_name().unique()
        on = f"falls on a {weekdays[0]} and " if len(weekdays) == 1 else ""
        found = ("W", "weekly", f"{on}is a whole number of weeks after the series' previous date",
                 (days == 7).sum(), "7 days")
    if found is None:
        return
    suggested, label, where, exact, step = found
    raise DataValidationError(
        f"{src}: {freq_name} {freq} ({FREQUENCIES[freq]}) was given, but every date {where} "
        f"({exact} of the {len(days)} steps from a series' date to its next are exactly {step}): {label} "
        f"data? Use {freq_name} {suggested}. If the data is {FREQUENCIES[freq]} and sells only on those "
        f"dates, write out the periods with no sales as rows with 0")


def missing_dates(out: pd.DataFrame, keys: list[str], alias: str, freq: str = "D") -> list[pd.DatetimeIndex]:
    """Runs of dates (periods of ``alias``, the pandas alias of ``freq``: D, W, MS, QS) with no row for any series of the standard frame
    ``out`` that are an outage, not zero sales: a run whose chance as zero sales everywhere is
    under ``OUTAGE_CHANCE``, in a table of one series too (a national total, a one-SKU shop;
    review 7.2 #3; ``keys`` may be empty): the zero chance of one date,
    the larger of the table's share of row-less dates outside the run (half a date added to
    both counts) and the Poisson chance of a zero total at the median total of the dates with
    rows, raised to the run's length (trial 8: an export missing 2025-07-14..20 for all 276
    series of a shop selling about 1,500 units a day). A date whose rows are all 0 has rows: it
    is a day without sales, not missing; nor is a date in the Spring Festival pause
    (``festival_pause``: a closure). [] when there is none."""
    grid = pd.date_range(out["ds"].min(), out["ds"].max(), freq=alias)
    total = out.groupby("ds")["y"].sum().reindex(grid)
    absent = total.isna().to_numpy()
    if absent.any():  # the calendar only when some date has no row (nearly no table)
        absent = absent & ~festival_pause(grid, freq)
    if not absent.any():
        return []
    at = np.flatnonzero(absent)
    runs = consecutive_runs(at)
    zero_total = float(np.exp(-total.median()))
    outages = []
    for run in runs:
        share = (absent.sum() - len(run) + 0.5) / (len(grid) - len(run) + 1)
        if max(share, zero_total) ** len(run) < OUTAGE_CHANCE:
            outages.append(grid[run])
    return outages


def pause_days(ds: pd.DatetimeIndex, freq: str, calendar) -> tuple[np.ndarray, np.ndarray]:
    """``(paused, days)``, each shape (n,): of each period dated ``ds`` (by its first day, at
    ``freq``: D, W, MS or QS) its days inside ``calendar``'s Spring Festival pause (its
    ``spring_festival`` window, when couriers and shops close) and its length in days."""
    if not len(ds):
        return np.zeros(0, int), np.zeros(0, int)
    days = pd.date_range(ds[0], period_end(ds[-1], freq))
    paused = np.r_[0, np.cumsum(~np.isnan(calendar.event_offsets(days, "spring_festival")))]
    first, last = days.searchsorted(ds), days.searchsorted(period_end(ds, freq), side="right")
    return paused[last] - paused[first], last - first


def placed_periods(ds: pd.DatetimeIndex) -> np.ndarray:
    """Boolean mask of the periods dated ``ds`` whose events the calendar can place: their year
    and the two years either side are years whose Spring Festival it knows
    (``calendar.placed_years``; the windows of a date are searched from a year before its
    earliest neighbour). The one test of a date's place in the calendar's range: the quiet mask,
    the festival pause, the event windows a table's last period is judged by."""
    from workbench.calendar import placed_years

    years = np.asarray(pd.DatetimeIndex(ds).year, int)
    distinct = np.unique(years)
    ok = dict(zip(distinct, placed_years(distinct - 2) & placed_years(distinct + 2)))
    return np.array([ok[y] for y in years], bool)


def _placed_range() -> tuple[int, int]:
    """The first and last year ``placed_periods`` places (the ``holidays`` package's years less
    two at each end), for the notes that state the range."""
    from workbench.calendar import placed_years

    years = np.arange(1900, 2201)
    inside = years[placed_years(years - 2) & placed_years(years + 2)]
    return int(inside[0]), int(inside[-1])


def festival_pause(grid: pd.DatetimeIndex, freq: str, calendar=None) -> np.ndarray:
    """Boolean mask of the periods of ``grid`` (each dated by its first day, at ``freq``: D, W,
    MS or QS) that touch ``calendar``'s Spring Festival pause (``pause_days``; None: the shipped
    calendar): dates without rows there are a closure, not an export outage (review: a 除夕 /
    初一 closure was filled from the weeks around it, erasing the collapse)."""
    from workbench.calendar import default_calendar

    out = np.zeros(len(grid), bool)
    placed = placed_periods(grid)  # a year the calendar cannot place has no known pause
    if placed.any():
        out[placed] = pause_days(grid[placed], freq, calendar or default_calendar())[0] > 0
    return out


# days after an event window whose sales are still off their level (a sale's lull, the return
# from the Spring Festival pause): a period there is no sibling of a table's last period
EVENT_AFTERMATH_DAYS = 7


def _in_event(periods: pd.DatetimeIndex, freq: str, calendar=None) -> np.ndarray:
    """Boolean mask of the periods (each dated by its first day, at ``freq``) that overlap a window
    of ``calendar``'s events (None: the shipped calendar; a planner's own events when it holds
    them) or the ``EVENT_AFTERMATH_DAYS`` after it: their totals are not a quiet period's (none
    in a year the calendar cannot place, ``placed_periods``)."""
    from workbench.calendar import default_calendar

    calendar = calendar or default_calendar()
    out = np.zeros(len(periods), bool)
    placed = placed_periods(periods)  # a year the calendar cannot place has no known event
    if not placed.any():
        return out
    periods = periods[placed]
    ends = period_end(periods, freq)
    inside = np.zeros(len(periods), bool)
    for event in calendar.events:
        for window in calendar.windows(event, periods.min(), ends.max()):
            inside |= (periods <= window.end + pd.Timedelta(days=EVENT_AFTERMATH_DAYS)) & (ends >= window.start)
    out[placed] = inside
    return out


def fill_missing_dates(y: np.ndarray, missing: np.ndarray, step: int) -> np.ndarray:
    """``y`` (one series' values per period, shape (n,)) with its ``missing`` periods (boolean,
    shape (n,)) replaced by the median of the observed values ``step`` periods (7 for days: the
    same weekday) and up to ``OUTAGE_WEEKS`` times that either side; 0 where none is observed."""
    y = np.asarray(y, float).copy()
    for i in np.flatnonzero(missing):
        near = [j for k in range(1, OUTAGE_WEEKS + 1) for j in (i - k * step, i + k * step)
                if 0 <= j < len(y) and not missing[j]]
        y[i] = float(np.median(y[near])) if near else 0.0
    return y


def fill_gaps(out: pd.DataFrame, keys: list[str], alias: str, gaps: str, src: str, outages=()):
    """Each series over its first date to the table's last (a series whose rows end early sold
    nothing since, like any period without a row: every forecast then starts after the same
    last period), zeros filled or, with ``gaps="error"``, refused; the dates of ``outages``
    (``missing_dates``) filled by ``fill_missing_dates`` under either policy. The one home of
    this padding (``prepare_long_frame``; ``successors.apply_successors`` for a successor new to
    a region).

    ``out``: a long frame ``[keys..., ds, y]`` (units per period), one row per series and date,
    sorted by date within each series (a series' first row is its first date); ``alias``: the
    pandas alias of its periods (``pandas_freq``); ``src``: the source named in an error.
    Returns ``(frame, filled, gappy)``: the frame (``out`` itself when nothing was filled), the
    number of periods filled with 0, and the keys (dicts) of the series that had them. Raises
    ``DataValidationError`` for a missing period under ``gaps="error"``."""
    pieces, filled, gappy = [], 0, []
    end = out["ds"].max()
    outage = pd.DatetimeIndex(np.concatenate([r.to_numpy() for r in outages])) if len(outages) else pd.DatetimeIndex([])
    step = 7 if alias == "D" else 1
    groups = out.groupby(keys, sort=False) if keys else [((), out)]
    for key, part in groups:
        full = pd.date_range(part["ds"].iloc[0], end, freq=alias)
        missing = full.isin(outage)
        n_missing = len(full) - len(part) - int(missing.sum())
        if n_missing or missing.any():
            label = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            if n_missing and gaps == "error":
                first = full.difference(pd.DatetimeIndex(part["ds"])).difference(outage)[0]
                raise DataValidationError(
                    f"{src}: series {label or '(single series)'} misses {n_missing} period(s), "
                    f"first {first.date()}; add rows with 0 or use the gap policy 'zero'")
            part = part.set_index("ds").reindex(full).rename_axis("ds").reset_index()
            part["y"] = fill_missing_dates(part["y"].fillna(0.0).to_numpy(), missing, step)
            for k, v in label.items():
                part[k] = v
            if n_missing:
                filled += n_missing
                gappy.append(label)
        pieces.append(part)
    if not filled and not len(outage):
        return out, 0, []
    return pd.concat(pieces, ignore_index=True)[[*keys, "ds", "y"]], filled, gappy
