"""Event and holiday indicator columns shared by the models that take regressors (Prophet, ETS)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.forecast.features import event_offsets, holiday_flags, profile_parts


def offset_dummies(dates: pd.DatetimeIndex, calendar: RetailCalendar, levels: dict | None = None):
    """One 0/1 column per (event, day offset from its anchor) plus holiday and make-up day.

    ``levels`` fixes the columns (those seen in training); returns ``(matrix, levels)``.
    """
    offsets = event_offsets(dates, calendar)
    if levels is None:
        levels = {name: np.unique(off[~np.isnan(off)]) for name, off in offsets.items()}
    cols = [holiday_flags(dates, calendar)]
    for name, lv in levels.items():
        cols.append((offsets[name][:, None] == lv[None, :]).astype(float))
    return np.hstack(cols), levels


def prophet_holidays(calendar: RetailCalendar, first_year: int, last_year: int) -> pd.DataFrame:
    """Prophet's holidays frame: each event occurrence with a window around its anchor."""
    rows = []
    for key, parts in profile_parts(calendar).items():
        for year in range(first_year, last_year + 1):
            lo, hi, anchor = 0, 0, None
            for event, before, after in parts:
                window = calendar.window(event, year)
                anchor = window.anchor
                lo = min(lo, window.offset(window.start) - before)
                hi = max(hi, window.offset(window.end) + after)
            rows.append({"holiday": key, "ds": anchor, "lower_window": lo, "upper_window": hi})
    return pd.DataFrame(rows)
