"""Calendar features for daily demand models: event profiles aligned on their anchors,
holidays and make-up working days. Pure functions of dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.calendar.events import OWN_EVENT_MARGINS
from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.data.validate import pause_days, period_end, placed_periods

# Span of each event profile in days around its anchor (lunar events share Spring Festival):
# wide enough to hold the ramp before and the hangover or recovery after.
# Spans must not overlap (checked by the tests for 2020-2035).
PROFILE_EVENTS = {
    "labor_day": ("labor_day", 3, 2),
    "618": ("618", 5, 10),
    "national_day": ("national_day", 3, 4),
    "double11": ("double11", 8, 10),
    "spring_festival_season": ("new_year_sale", 7, 0),
    "spring_festival": ("spring_festival", 0, 14),
}


# profiles that hold two events of one anchor: the New Year sale and the logistics pause share
# Spring Festival's, and their spans do not overlap
JOINED_PROFILES = {"lunar_new_year": ("spring_festival_season", "spring_festival")}



def profile_spans(calendar: RetailCalendar) -> dict[str, tuple[str, int, int]]:
    """``{profile name: (calendar event, days before its window, days after)}``: the shipped
    ``PROFILE_EVENTS`` and every event the planner's calendar adds (中秋 / Mid-Autumn, a shop's
    anniversary sale), each on its own window widened by ``OWN_EVENT_MARGINS``.

    The calendar refuses a planner's event named like a profile that is no event
    (``calendar.events.RESERVED_EVENT_NAMES``)."""
    spans = dict(PROFILE_EVENTS)
    shipped = {event for event, _, _ in PROFILE_EVENTS.values()}
    for event in calendar.events:
        if event not in shipped:
            spans[event] = (event, *OWN_EVENT_MARGINS)
    return spans


def event_offsets(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    """Day offsets from the anchor for each modelled event profile (``profile_spans``; NaN
    outside its span), ``{profile name: array (n,)}``. One day belongs to one profile: where a
    planner's event's span meets another's, a day inside an event's window stays with it and a
    margin day gives way, and a planner's event's window takes the days it shares with a shipped
    public holiday's (``RetailCalendar._check_user_events``)."""
    spans = profile_spans(calendar)
    out = {name: calendar.event_offsets(dates, event, before=before, after=after)
           for name, (event, before, after) in spans.items()}
    for name, (first, second) in JOINED_PROFILES.items():
        a, b = out.pop(first), out.pop(second)
        out[name] = np.where(np.isnan(a), b, a)
    for name in [name for name in spans if name not in PROFILE_EVENTS]:
        window = ~np.isnan(calendar.event_offsets(dates, name))
        for other, off in out.items():
            if other != name:
                clash = ~np.isnan(off) & ~np.isnan(out[name])
                off[clash & window] = np.nan
                out[name][clash & ~window] = np.nan
    return out


def profile_parts(calendar: RetailCalendar) -> dict[str, list[tuple[str, int, int]]]:
    """Per event profile of ``event_offsets`` (its name), the calendar events it holds, each as
    ``(event, days before its window, days after)`` (``profile_spans``): one for most, two for a
    joined profile (``JOINED_PROFILES``: ``lunar_new_year`` holds the New Year sale and the
    Spring Festival pause)."""
    joined = {part: name for name, parts in JOINED_PROFILES.items() for part in parts}
    out: dict[str, list[tuple[str, int, int]]] = {}
    for key, spec in profile_spans(calendar).items():
        out.setdefault(joined.get(key, key), []).append(spec)
    return out


def profile_label(name: str, calendar: RetailCalendar) -> str:
    """A planner's name for the event profile ``name`` (``profile_parts``): its calendar events'
    labels ("年货节 / New Year sale and Spring Festival" for ``lunar_new_year``), never the
    internal name alone."""
    parts = profile_parts(calendar).get(name)
    return " and ".join(calendar.label(event) for event, _, _ in parts) if parts else name


def named_days(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the ``dates`` that the calendar names for an event of ``profile_spans``:
    its anchor (11-11, 6-18, Spring Festival), the first and last day of its window (a pre-sale
    start, the last shipping day) and its peaks (11-01, 6-01, the year's overrides included).
    The days where an event's shape is expected to jump."""
    dates = pd.DatetimeIndex(dates)
    out = np.zeros(len(dates), bool)
    if len(dates) == 0:
        return out
    for event in {event for event, _, _ in profile_spans(calendar).values()}:
        for window in calendar.windows(event, dates.min(), dates.max()):
            out |= dates.isin([window.anchor, window.start, window.end, *window.peaks])
    return out


def window_days(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the ``dates`` inside the calendar window of an event of ``profile_spans``
    (its own days, from its first to its last: not the margin days its span adds around it)."""
    dates = pd.DatetimeIndex(dates)
    out = np.zeros(len(dates), bool)
    for event in {event for event, _, _ in profile_spans(calendar).values()}:
        out |= ~np.isnan(calendar.event_offsets(dates, event))
    return out


def in_event_span(offsets: dict[str, np.ndarray]) -> np.ndarray:
    """Boolean mask of the days inside any event span of ``offsets`` (``event_offsets``)."""
    spans = [~np.isnan(off) for off in offsets.values()]
    return np.logical_or.reduce(spans) if spans else np.zeros(0, bool)


def quiet_days(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the days of ``dates`` outside every event span (``event_offsets``): the
    days a level, or a run of zero sales, is judged on."""
    return ~in_event_span(event_offsets(pd.DatetimeIndex(dates), calendar))


def event_free_periods(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the periods dated ``ds`` (each by its first day, at ``freq``) with no day
    inside any event span (``quiet_days``): the periods no calendar event explains a rise in
    (``regime.unexplained_peak``). At days, ``quiet_days`` itself. Years the calendar cannot place
    have no known span: their periods are event-free."""
    ds = pd.DatetimeIndex(ds)
    if not len(ds):
        return np.zeros(0, bool)
    days = ds if freq == "D" else pd.date_range(ds[0], period_end(ds[-1], freq))
    placed = placed_periods(days)
    busy = np.zeros(len(days), bool)
    if placed.any():
        busy[placed] = ~quiet_days(days[placed], calendar)
    if freq == "D":
        return ~busy
    period = np.searchsorted(ds.asi8, days.asi8, side="right") - 1  # each day's period
    return np.bincount(period, weights=busy, minlength=len(ds)) == 0


def year_before(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> pd.DatetimeIndex:
    """For each day of ``dates``, the day a year before it is compared with: inside an event
    profile's span (``event_offsets``) the day at the same offset from that event's anchor a year
    before (a lunar festival moves 10-20 days against the solar year: Spring Festival fell on
    2025-01-29 and 2026-02-17), elsewhere the day ``SAME_WEEKDAY_DAYS`` before (the weekday kept).
    The event-aligned seasonal naive's reference (Hyndman & Athanasopoulos, FPP3 §5.2, with the
    anchor alignment of moving holidays as in X-13's genhol)."""
    dates = pd.DatetimeIndex(dates)
    ref = np.asarray(dates - pd.Timedelta(days=SAME_WEEKDAY_DAYS), dtype="datetime64[ns]")
    parts = profile_parts(calendar)  # a joined profile's parts share its anchor
    for name, off in event_offsets(dates, calendar).items():
        event = parts[name][0][0]
        for i in np.flatnonzero(~np.isnan(off)):
            offset = pd.Timedelta(days=int(off[i]))
            this_year = (dates[i] - offset).year
            ref[i] = np.datetime64(calendar.anchor(event, this_year - 1) + offset, "ns")
    return pd.DatetimeIndex(ref)


def same_periods_a_year_before(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar
                               ) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """``(then, comparable)``: for each period of ``ds`` (dated by its first day, at ``freq``), the
    period a year before it (days: ``year_before``; weeks 52 weeks, months 12, quarters 4 before),
    and whether the two are alike (shape (len(ds),)): both quiet (``quiet_periods``) or both in an
    event span. A quiet period's year-ago period inside a festival that moved (a December day before
    年货节 2026 whose day 364 days before lay inside 年货节 2025) measures the festival, not the
    season: trial 16's 猪肉脯, out of stock 20 December days, was read at a fifth of its level
    when the other series' change over its days was netted of theirs a year before (x4.71, last
    year's 年货节)."""
    ds = pd.DatetimeIndex(ds)
    if freq == "D":
        then = year_before(ds, calendar)
    else:
        back = {"W": pd.Timedelta(weeks=52), "MS": pd.DateOffset(months=12), "QS": pd.DateOffset(months=12)}[freq]
        then = pd.DatetimeIndex(ds - back)
    now_quiet = quiet_periods(ds, freq, calendar)
    then_quiet = quiet_periods(then, freq, calendar) if len(then) else np.zeros(0, bool)
    return then, now_quiet == then_quiet


def quiet_periods(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the periods dated ``ds`` (each by its first day, at ``freq``: D, W, MS or
    QS) that a run of zero sales is judged on (``regime.stopped_since``): days outside every
    event span (``quiet_days``: a daily level is distorted by the lull before a sale and its
    peak); weeks, months and quarters of which at most half the days lie in the calendar's
    Spring Festival pause (its ``spring_festival`` window): the only span that can empty a whole
    period by design, while a sale period sells more, its lull and its peak netted.

    A period's mask depends on its date alone, so the last grid computed per frequency and
    calendar is kept and a run of its dates (a model's refits on the first periods of a
    series, a panel's series on the same dates, the core's guard and the model) is served by
    slicing it (``_QUIET_GRIDS``); the result is a new array either way. A period in a year
    whose Spring Festival the calendar cannot place (the ``holidays`` package's 1950-2100; the
    windows searched reach two years either side, ``placed_periods``) has no known pause or event
    span: it is quiet (a 1930s monthly series had raised ``ConfigError`` from the model's stop
    rule and stopped the whole forecast); the periods of placed years keep their own mask
    whatever else the history holds. Before, one such year made EVERY period quiet, and that mask
    was cached: a later series on a sub-run of its dates lost its Spring Festival pause, so the
    result hung on the run order (review 7.3 #1). ``validate.outside_calendar_note`` names those
    years to the user.
    """
    ds = pd.DatetimeIndex(ds)
    key = (freq, calendar)
    held = _QUIET_GRIDS.get(key)
    if held is not None and len(ds):
        dates, mask = held
        at = int(dates.searchsorted(ds[0]))
        if at + len(ds) <= len(dates) and dates[at:at + len(ds)].equals(ds):
            return mask[at:at + len(ds)].copy()
    mask = np.ones(len(ds), bool)
    placed = placed_periods(ds)  # a run of the periods: the calendar's years are one run
    if placed.any():
        inside = ds[placed]
        if freq == "D":
            mask[placed] = quiet_days(inside, calendar)
        else:
            paused, days = pause_days(inside, freq, calendar)
            mask[placed] = paused * 2 <= days
    if len(_QUIET_GRIDS) >= QUIET_GRID_KEYS:
        _QUIET_GRIDS.clear()
    _QUIET_GRIDS[key] = (ds, mask)
    return mask.copy()


# ``quiet_periods``' last grid per (frequency, calendar): dates and mask (review: the mask was
# rebuilt in every ETS refit, and for the guard and the model of one series). The key holds the
# calendar, so its identity (its hash) cannot be reused by another while it is kept.
_QUIET_GRIDS: dict[tuple[str, RetailCalendar], tuple[pd.DatetimeIndex, np.ndarray]] = {}
QUIET_GRID_KEYS = 8  # (frequency, calendar) pairs kept at most


def holiday_flags(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Columns: public holiday outside the Spring Festival pause, make-up working day."""
    hol = calendar.holidays(dates.min(), dates.max())
    hol = hol[~hol.name.str.contains("Spring Festival|New Year's Eve", regex=True)]
    makeup = calendar.makeup_workdays(dates.min(), dates.max())
    return np.column_stack([dates.isin(hol.date), dates.isin(makeup)]).astype(float)
