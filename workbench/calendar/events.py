"""The retail calendar of Chinese e-commerce: 618, the New Year sale (年货节), the Spring
Festival logistics pause, Double 11 (双11), public holidays and make-up working days (调休).

Spring Festival follows the lunar calendar; its dates come from the ``holidays`` package, which
computes them for any year (checked: 2023-01-22, 2024-02-10, 2025-01-29, 2026-02-17). A planner's
own lunar events (中秋 / Mid-Autumn, 端午 / Dragon Boat) anchor on a lunar month and day
(``anchor: "lunar:08-15"``), converted by the ``lunardate`` package. Campaign windows come from
``default_events.yaml`` and can be overridden per year in a planner's YAML file.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pandas as pd
import yaml
from lunardate import LunarDate

from workbench.errors import CalendarRangeError, ConfigError

SPRING_FESTIVAL_NAME = "Chinese New Year (Spring Festival)"
# days a planner's own event's profile span reaches before its window's start and after its
# end (``forecast.features.profile_spans``): the lull before a gift-box peak and the recovery
# after it, as for the shipped National Day
OWN_EVENT_MARGINS = (3, 4)
# the forecast's own names for profiles that are no calendar event (``forecast.features``): the
# New Year sale with the Spring Festival pause, and the sale's span alone
RESERVED_EVENT_NAMES = ("lunar_new_year", "spring_festival_season")
LUNAR_ANCHOR = re.compile(r"lunar:(\d{2})-(\d{2})")  # "lunar:08-15": lunar month 8, day 15
_EVENT_FIELDS = {"label", "anchor", "start", "end", "peaks", "kind"}
# what an event is (``kind`` in the events file): an event a history has never seen borrows the
# uplift of the seen events of its kind (``workbench.forecast.models.unseen``)
EVENT_KINDS = ("sale", "holiday", "pause")
_YEAR_FIELDS = {"start", "end", "peaks"}
_TOP_FIELDS = {"events", "years", "makeup_workdays", "extra_holidays"}


@dataclass(frozen=True)
class EventWindow:
    """One occurrence of a retail event.

    ``anchor`` is the day event profiles align on (June 18, Spring Festival day, Nov 11), so that
    "last year's event" can be laid over this year's even when the event moves (lunar calendar).
    """

    event: str
    year: int
    label: str
    anchor: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    peaks: tuple[pd.Timestamp, ...]

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")

    def offset(self, day: pd.Timestamp) -> int:
        """Days from the anchor (negative before it)."""
        return int((pd.Timestamp(day) - self.anchor).days)


@lru_cache(maxsize=None)
def spring_festival(year: int) -> pd.Timestamp:
    """Spring Festival (lunar new year's day) of ``year``. Raises ``CalendarRangeError`` for a
    year the ``holidays`` package does not place (outside 1950-2100)."""
    for day, name in sorted(holidays.CN(years=year).items()):
        if name == SPRING_FESTIVAL_NAME:
            return pd.Timestamp(day)
    raise CalendarRangeError(f"the holidays package knows no Spring Festival for {year}")


def placed_years(years) -> np.ndarray:
    """Boolean mask of ``years`` (integers, shape (n,)) whose Spring Festival the calendar can
    place (``spring_festival``: the ``holidays`` package's 1950-2100), so that the lunar events
    (the New Year sale, the Spring Festival pause) have windows there: the one test of the
    calendar's range, asked per year (``spring_festival``'s ``CalendarRangeError`` is its
    answer for a year outside it)."""
    def placed(year: int) -> bool:
        try:
            spring_festival(int(year))
        except CalendarRangeError:
            return False
        return True

    return np.array([placed(y) for y in np.asarray(years, int)], bool)


@lru_cache(maxsize=None)
def lunar_day(year: int, month: int, day: int) -> pd.Timestamp:
    """The Gregorian date of day ``day`` of lunar month ``month`` (the regular month, not a
    leap month) in the lunar year that begins in Gregorian ``year``: (2026, 8, 15) is 中秋 /
    Mid-Autumn 2026-09-25; (2026, 12, 8), 腊八, falls on 2027-01-15, before the next lunar year.

    Source: the ``lunardate`` package's tables of the Chinese calendar (1900-2099).

    Raises
    ------
    CalendarRangeError : ``year`` outside 1900-2099.
    ValueError : no such lunar month, or day 30 of a 29-day month in that year.
    """
    if not 1900 <= year <= 2099:
        raise CalendarRangeError(f"the lunar calendar (lunardate) covers 1900-2099, not {year}")
    return pd.Timestamp(LunarDate(year, month, day).to_solar_date())


def _read_yaml(source: str | Path | dict | None) -> tuple[dict, str, dict]:
    """The planner's overrides, their source's name, and ``{key path: Location}`` (file:line)."""
    from workbench.data.io import read_yaml_with_lines

    if source is None:
        return {}, "<none>", {}
    if isinstance(source, dict):
        return copy.deepcopy(source), "<dict>", {}
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"{path}: events file not found; pass an existing YAML file")
    data, lines = read_yaml_with_lines(path, what="events file", key_types=(str, int))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {sorted(_TOP_FIELDS)}")
    return data, str(path), lines


def _without_replaced_years(defaults: dict, user: dict) -> dict:
    """The shipped calendar without its per-year dates (``years.<year>.<event>.start``, ``end``,
    ``peaks``) of the fields a planner's file sets for that event's rule (``events.<event>``): a
    planner who moves 618's start means every year (trial 11 F8: 618 moved to 06-02 kept the
    shipped 2021-05-25 start and was refused as overlapping the planner's own 六一 week, at the
    planner's line). The planner's own ``years`` entries still apply over the rule."""
    ruled = {name: set(fields) & {"start", "end", "peaks"}
             for name, fields in (user.get("events") or {}).items() if isinstance(fields, dict)}
    if not any(ruled.values()):
        return defaults
    out = copy.deepcopy(defaults)
    for per_event in (out.get("years") or {}).values():
        for name, fields in ruled.items():
            for field in fields:
                (per_event or {}).get(name, {}).pop(field, None)
            if per_event and per_event.get(name) == {}:
                del per_event[name]
    return out


class NewEventWarning(UserWarning):
    """An events file adds an event: said once, with how the models treat it (the daily models
    learn its effect from the windows the history holds; weekly and monthly ETS measure it as a
    sale when no season is fitted) and the public holidays' days it takes."""


CHECKED_YEARS = range(2010, 2041)  # every user event is resolved and checked for overlaps in these years


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list) and key in {
            "makeup_workdays",
            "extra_holidays",
        }:
            merged[key] = merged[key] + value
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _to_date(value: Any, where: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {value!r} is not a date; write YYYY-MM-DD") from exc


def _overlap(a: EventWindow, b: EventWindow) -> bool:
    """Whether two event windows share a day."""
    return a.start <= b.end and b.start <= a.end


def _years_said(years: list[int]) -> str:
    """The years of ``CHECKED_YEARS`` an overlap happens in, short: "every year 2010-2040" or
    "in 4 of the years 2010-2040: 2015, 2018, 2026, 2034"."""
    span = f"{CHECKED_YEARS[0]}-{CHECKED_YEARS[-1]}"
    if len(years) == len(CHECKED_YEARS):
        return f"every year {span}"
    listed = ", ".join(map(str, years[:8])) + (", ..." if len(years) > 8 else "")
    return f"in {len(years)} of the years {span}: {listed}"


class RetailCalendar:
    """Event windows, holidays and make-up working days for any year from 2000 to 2099.

    Parameters
    ----------
    overrides : path to a YAML file (or a dict) of the same shape as ``default_events.yaml``;
        its values replace the defaults, its lists of make-up days and holidays add to them.
    """

    def __init__(self, overrides: str | Path | dict | None = None):
        self.overrides = overrides
        default_text = resources.files("workbench.calendar").joinpath("default_events.yaml")
        defaults = yaml.safe_load(default_text.read_text(encoding="utf-8"))
        user, self._source, self._lines = _read_yaml(overrides)
        self._defaults = set(defaults["events"])
        self._config = _merge(_without_replaced_years(defaults, user), user)
        self._validate()
        self._check_user_events(user)

    def _where(self, *path) -> str:
        """Where a value was written: ``file:line`` in the planner's file, else the source or
        the shipped defaults."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return str(self._lines[path[:end]])
        return self._source if self._source not in ("<none>",) else "default_events.yaml"

    def _check_user_events(self, user: dict) -> None:
        """Every event the planner's file defines or changes resolves in ``CHECKED_YEARS`` (a bad
        date or "MM-DD" is named at its line), does not overlap another event's window (one day
        belongs to one event) but for a shipped holiday or pause that gives way (``_gives_way``:
        National Day, whose week the two weeks before 中秋 reach in 2025 and 2028; the Spring
        Festival pause's last days, which a shop's early-March sale reaches in 2026), whose days a
        planner's NEW event takes, and a new event is announced (``NewEventWarning``). A refused
        overlap names the year nearest today's and the years it happens in."""
        import warnings

        touched = set((user.get("events") or {}))
        for per_event in (user.get("years") or {}).values():
            touched |= set(per_event or {})
        if not touched:
            return
        windows = {}
        for name in self.events:
            for year in CHECKED_YEARS:
                windows[name, year] = self.window(name, year)  # errors name the file and line
        taken = {}
        for name in sorted(touched):
            for year in CHECKED_YEARS:
                mine = windows[name, year]
                if mine.start > mine.end:
                    raise ConfigError(f"{self._where('years', year, name)}: {name} {year} starts "
                                      f"{mine.start.date()}, after its end {mine.end.date()}")
            for other in self.events:
                if other == name:
                    continue
                clashes = [(year, y) for year in CHECKED_YEARS for y in (year - 1, year, year + 1)
                           if (other, y) in windows and _overlap(windows[name, year], windows[other, y])]
                refused = [(year, y) for year, y in clashes
                           if not (name not in self._defaults and other in self._defaults - touched
                                   and self._gives_way(other, windows[other, y], windows[name, year]))]
                for year, y in clashes:
                    if (year, y) not in refused:
                        taken.setdefault(name, {}).setdefault(other, set()).add(y)
                if refused:
                    # the example is the year nearest today's: 2010 says nothing to a planner of 2027
                    year, y = min(refused, key=lambda pair: abs(pair[0] - pd.Timestamp.today().year))
                    mine, theirs = windows[name, year], windows[other, y]
                    years = sorted({y for _, y in refused})
                    raise ConfigError(
                        f"{self._where('events', name)}: {name} {year} ({mine.start.date()} to "
                        f"{mine.end.date()}) overlaps {other} {y} ({theirs.start.date()} to "
                        f"{theirs.end.date()}; {_years_said(years)}); "
                        f"one day belongs to one event: move the window or change {other}'s")
        for name in sorted(touched - self._defaults):
            shared = "; ".join(f"it takes the days it shares with {other} in {', '.join(map(str, sorted(years)))}"
                               for other, years in sorted(taken.get(name, {}).items()))
            warnings.warn(f"{self._where('events', name)}: events.{name} is a new event: the daily models learn "
                          f"its effect from the windows the history holds (each widened by "
                          f"{OWN_EVENT_MARGINS[0]} days before and {OWN_EVENT_MARGINS[1]} after; a history "
                          f"without one forecasts it without an event effect); weekly and monthly ETS measure it "
                          f"as a sale when it has peak days: without a season they lift its periods ahead; with "
                          f"one, a lunar event's lift moves to this year's dates (a solar one's stays in the "
                          f"season)"
                          f"{'; ' + shared if shared else ''}", NewEventWarning, stacklevel=3)

    def _gives_way(self, shipped: str, theirs: EventWindow, mine: EventWindow) -> bool:
        """Whether a shipped event's window ``theirs`` gives the days it shares to a planner's new
        event's ``mine``: a public holiday without peak days (National Day), or a holiday or pause
        whose peak days lie outside ``mine`` (the Spring Festival pause's last week reaches into
        March in 2010, 2015, 2018 and 2026: a shop's 03-01..03-08 sale takes those days). A sale's
        window (618, Double 11) is never shared."""
        if not theirs.peaks:
            return True
        return self.kind(shipped) != "sale" and not any(mine.start <= p <= mine.end for p in theirs.peaks)

    # -- validation ---------------------------------------------------------------------------
    def _validate(self) -> None:
        """Shape of the merged configuration; messages name the planner's file and line."""
        w = self._where
        unknown = set(self._config) - _TOP_FIELDS
        if unknown:
            raise ConfigError(f"{w(sorted(unknown)[0])}: unknown top-level key(s) {sorted(unknown)}; "
                              f"allowed: {sorted(_TOP_FIELDS)}")
        if not isinstance(self._config.get("events"), dict):
            raise ConfigError(f"{w('events')}: events must be a mapping of event names to windows")
        for name, spec in self._config["events"].items():
            if not isinstance(spec, dict):
                raise ConfigError(f"{w('events', name)}: events.{name} must be a mapping")
            bad = set(spec) - _EVENT_FIELDS
            if bad:
                raise ConfigError(f"{w('events', name, sorted(bad)[0])}: events.{name} has unknown field(s) "
                                  f"{sorted(bad)}; allowed: {sorted(_EVENT_FIELDS)}")
            missing = {"anchor", "start", "end"} - set(spec)
            if missing:
                raise ConfigError(f"{w('events', name)}: events.{name} lacks {sorted(missing)}")
            if name in RESERVED_EVENT_NAMES:
                raise ConfigError(f"{w('events', name)}: events.{name}: the name is the forecast's own for the "
                                  f"New Year sale's profile; name the event otherwise")
            self._check_lunar_anchor(name, spec)
            if spec.get("kind") is not None and spec["kind"] not in EVENT_KINDS:
                raise ConfigError(f"{w('events', name, 'kind')}: events.{name}.kind is {spec['kind']!r}; allowed: "
                                  f"{list(EVENT_KINDS)} (or leave it out: the event then lends and borrows no uplift)")
        for year, per_event in (self._config.get("years") or {}).items():
            if not isinstance(year, int) or not 2000 <= year <= 2099:
                raise ConfigError(f"{w('years', year)}: years.{year}: the key must be a year from 2000 "
                                  f"to 2099, like 2027")
            for name, spec in (per_event or {}).items():
                if name not in self._config["events"]:
                    raise ConfigError(f"{w('years', year, name)}: years.{year}.{name}: unknown event; known: "
                                      f"{sorted(self._config['events'])}")
                if not isinstance(spec, dict):
                    raise ConfigError(f"{w('years', year, name)}: years.{year}.{name} must be a mapping")
                bad = set(spec) - _YEAR_FIELDS
                if bad:
                    raise ConfigError(f"{w('years', year, name, sorted(bad)[0])}: years.{year}.{name} has "
                                      f"unknown field(s) {sorted(bad)}; allowed: {sorted(_YEAR_FIELDS)}")
                for field in ("start", "end"):
                    if field in spec:
                        _to_date(spec[field], f"{w('years', year, name, field)}: years.{year}.{name}.{field}")
        for key in ("makeup_workdays", "extra_holidays"):
            for i, item in enumerate(self._config.get(key) or []):
                day = item.get("date") if isinstance(item, dict) else item
                _to_date(day, f"{w(key, i)}: {key}[{i}]")
        for year in self._config.get("years") or {}:
            for name in self._config["years"][year] or {}:
                window = self.window(name, year)
                if window.start > window.end:
                    raise ConfigError(f"{w('years', year, name)}: years.{year}.{name}: start "
                                      f"{window.start.date()} is after end {window.end.date()}")

    # -- events -------------------------------------------------------------------------------
    @property
    def events(self) -> list[str]:
        return list(self._config["events"])

    def label(self, event: str) -> str:
        return self._spec(event).get("label", event)

    def kind(self, event: str) -> str | None:
        """What ``event`` is (one of ``EVENT_KINDS``: sale, holiday, pause), or None when its
        spec gives no ``kind``."""
        return self._spec(event).get("kind")

    def moves(self, event: str) -> bool:
        """Whether ``event``'s anchor moves against the solar year: Spring Festival or a lunar
        month and day (``anchor``), not a solar "MM-DD"."""
        anchor = str(self._spec(event)["anchor"])
        return anchor == "spring_festival" or LUNAR_ANCHOR.fullmatch(anchor) is not None

    def _spec(self, event: str) -> dict:
        try:
            return self._config["events"][event]
        except KeyError:
            raise ConfigError(f"unknown event {event!r}; known events: {self.events}") from None

    def anchor(self, event: str, year: int) -> pd.Timestamp:
        """The day ``event``'s profile aligns on in ``year``: a solar "MM-DD", Spring Festival,
        or a lunar month and day ("lunar:08-15", ``lunar_day``). Raises ``ConfigError`` naming
        the planner's file and line for an anchor that is not a day that year."""
        anchor = str(self._spec(event)["anchor"])
        where = f"{self._where('events', event, 'anchor')}: events.{event}.anchor"
        if anchor == "spring_festival":
            return spring_festival(year)
        lunar = LUNAR_ANCHOR.fullmatch(anchor)
        if lunar:
            month, day = map(int, lunar.groups())
            try:
                return lunar_day(year, month, day)
            except ValueError as exc:
                raise ConfigError(f"{where}: {anchor!r} is no day of the lunar year {year} ({exc}); lunar "
                                  f"months are 01-12 and have 29 or 30 days: for 除夕 (New Year's Eve) "
                                  f"use anchor: spring_festival with start/end offsets") from None
        if anchor.startswith("lunar"):
            raise ConfigError(f"{where}: {anchor!r}: write a lunar anchor as \"lunar:MM-DD\", like "
                              f"\"lunar:08-15\" for 中秋 / Mid-Autumn")
        return _to_date(f"{year}-{anchor}", where)

    def _check_lunar_anchor(self, name: str, spec: dict) -> None:
        """A lunar anchor ("lunar:MM-DD") is of months 01-10, whose days fall in the Gregorian
        year its lunar year begins in (months 11 and 12 reach into January: each year's window
        would be misplaced by a year), and its window is given in days from it: a solar "MM-DD"
        start, end or peak would stay put while the anchor moves up to a month."""
        w = self._where
        lunar = LUNAR_ANCHOR.fullmatch(str(spec.get("anchor")))
        if not lunar:
            return
        if not 1 <= int(lunar.group(1)) <= 12:
            raise ConfigError(f"{w('events', name, 'anchor')}: events.{name}.anchor {spec['anchor']!r}: lunar months "
                              f"are 01-12")
        if int(lunar.group(1)) > 10:
            raise ConfigError(f"{w('events', name, 'anchor')}: events.{name}.anchor {spec['anchor']!r}: lunar months "
                              f"11 and 12 fall in the next Gregorian year in some years; anchor on spring_festival "
                              f"with a negative offset (腊八, lunar 12-08, is about 22 days before it)")
        for field in ("start", "end", "peaks"):
            values = spec.get(field)
            for value in values if isinstance(values, list) else [values]:
                if value is not None and not isinstance(value, int):
                    raise ConfigError(f"{w('events', name, field)}: events.{name}.{field} {value!r}: with a lunar "
                                      f"anchor give days from it (e.g. -14), not a solar date, which stays put "
                                      f"while the anchor moves")

    def _resolve(self, value: Any, anchor: pd.Timestamp, year: int, where: str) -> pd.Timestamp:
        if isinstance(value, int):
            return anchor + pd.Timedelta(days=value)
        text = str(value)
        if len(text) == 5 and text[2] == "-":  # "MM-DD"
            return _to_date(f"{year}-{text}", where)
        return _to_date(text, where)

    def window(self, event: str, year: int) -> EventWindow:
        """The window of ``event`` whose anchor falls in ``year`` (a lunar anchor's months are
        01-10, whose days fall in the Gregorian year its lunar year begins in)."""
        spec = self._spec(event)
        anchor = self.anchor(event, year)
        per_year = ((self._config.get("years") or {}).get(year) or {}).get(event) or {}
        merged = {**spec, **per_year}
        def where(field: str) -> str:
            path = ("years", year, event, field) if field in per_year else ("events", event, field)
            return f"{self._where(*path)}: {'.'.join(map(str, path))} ({year})"

        start = self._resolve(merged["start"], anchor, year, where("start"))
        end = self._resolve(merged["end"], anchor, year, where("end"))
        peaks = tuple(self._resolve(p, anchor, year, where("peaks")) for p in merged.get("peaks") or [])
        return EventWindow(event, year, self.label(event), anchor, start, end, peaks)

    def next_window(self, event: str, after) -> EventWindow:
        """The first window of ``event`` that starts after the day ``after`` (e.g. the last day
        of the data): the next occurrence to plan for. Raises ``ConfigError`` for an unknown
        event or a date beyond the calendar's years (2000-2099)."""
        after = _to_date(after, "after")
        for year in range(after.year - 1, after.year + 3):
            if not 2000 <= year <= 2099:
                continue
            window = self.window(event, year)
            if window.start > after:
                return window
        raise ConfigError(f"no window of {event!r} after {after.date()} in the calendar's years "
                          f"2000-2099")

    def windows(self, event: str, start, end) -> list[EventWindow]:
        """Every window of ``event`` that overlaps the dates ``start``..``end``."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        found = []
        for year in range(start.year - 1, end.year + 2):
            window = self.window(event, year)
            if window.end >= start and window.start <= end:
                found.append(window)
        return found

    def event_offsets(self, dates, event: str, before: int = 0, after: int = 0) -> np.ndarray:
        """Day offset from the anchor of ``event`` for each date inside a window widened by
        ``before`` / ``after`` days; NaN elsewhere. Aligns the lunar events on Spring Festival."""
        dates = pd.DatetimeIndex(dates)
        out = np.full(len(dates), np.nan)
        if len(dates) == 0:
            return out
        for window in self.windows(event, dates.min() - pd.Timedelta(days=before + 60),
                                   dates.max() + pd.Timedelta(days=after + 60)):
            lo = window.start - pd.Timedelta(days=before)
            hi = window.end + pd.Timedelta(days=after)
            inside = (dates >= lo) & (dates <= hi)
            out[inside] = (dates[inside] - window.anchor).days
        return out

    # -- holidays -----------------------------------------------------------------------------
    def holidays(self, start, end) -> pd.DataFrame:
        """Public holidays (statutory days off) between ``start`` and ``end``: ``date, name``."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        cn = holidays.CN(years=range(start.year, end.year + 1))
        rows = [(pd.Timestamp(d), n) for d, n in cn.items()]
        for item in self._config.get("extra_holidays") or []:
            if isinstance(item, dict):
                rows.append((pd.Timestamp(item["date"]), item.get("name", "holiday")))
            else:
                rows.append((pd.Timestamp(item), "holiday"))
        frame = pd.DataFrame(rows, columns=["date", "name"]).drop_duplicates("date")
        frame = frame[(frame.date >= start) & (frame.date <= end)]
        return frame.sort_values("date").reset_index(drop=True)

    def makeup_workdays(self, start, end) -> pd.DatetimeIndex:
        """Official make-up working days (调休: weekend days that are working days)."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        cn = holidays.CN(years=range(start.year, end.year + 1))
        days = {pd.Timestamp(d) for d in cn.weekend_workdays}
        for item in self._config.get("makeup_workdays") or []:
            days.add(pd.Timestamp(item["date"] if isinstance(item, dict) else item))
        return pd.DatetimeIndex(sorted(d for d in days if start <= d <= end))


@lru_cache(maxsize=1)
def default_calendar() -> RetailCalendar:
    """The calendar with the shipped defaults (cached; the object is read-only)."""
    return RetailCalendar()


