"""Calendar features for daily demand models: event profiles aligned on their anchors,
holidays and make-up working days. Pure functions of dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.validate import pause_days

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


def event_offsets(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    """Day offsets from the anchor for each modelled event profile (NaN outside its span)."""
    out = {}
    for name, (event, before, after) in PROFILE_EVENTS.items():
        out[name] = calendar.event_offsets(dates, event, before=before, after=after)
    # the sale and the logistics pause share one lunar anchor and do not overlap
    sale, pause = out.pop("spring_festival_season"), out.pop("spring_festival")
    out["lunar_new_year"] = np.where(np.isnan(sale), pause, sale)
    return out


def in_event_span(offsets: dict[str, np.ndarray]) -> np.ndarray:
    """Boolean mask of the days inside any event span of ``offsets`` (``event_offsets``)."""
    spans = [~np.isnan(off) for off in offsets.values()]
    return np.logical_or.reduce(spans) if spans else np.zeros(0, bool)


def quiet_days(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the days of ``dates`` outside every event span (``event_offsets``): the
    days a level, or a run of zero sales, is judged on."""
    return ~in_event_span(event_offsets(pd.DatetimeIndex(dates), calendar))


def quiet_periods(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the periods dated ``ds`` (each by its first day, at ``freq``: D, W, MS or
    QS) that a run of zero sales is judged on (``regime.stopped_since``): days outside every
    event span (``quiet_days``: a daily level is distorted by the lull before a sale and its
    peak); weeks, months and quarters of which at most half the days lie in the calendar's
    Spring Festival pause (its ``spring_festival`` window): the only span that can empty a whole
    period by design, while a sale period sells more, its lull and its peak netted."""
    ds = pd.DatetimeIndex(ds)
    if freq == "D":
        return quiet_days(ds, calendar)
    paused, days = pause_days(ds, freq, calendar)
    return paused * 2 <= days


def holiday_flags(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> np.ndarray:
    """Columns: public holiday outside the Spring Festival pause, make-up working day."""
    hol = calendar.holidays(dates.min(), dates.max())
    hol = hol[~hol.name.str.contains("Spring Festival|New Year's Eve", regex=True)]
    makeup = calendar.makeup_workdays(dates.min(), dates.max())
    return np.column_stack([dates.isin(hol.date), dates.isin(makeup)]).astype(float)
