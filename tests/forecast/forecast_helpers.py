"""Shared pieces of the seeded synthetic daily panels of the forecast tests."""

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.features import event_offsets

WEEKLY = np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # log weekday pattern, Monday first


def peaks_and_weekdays(days: pd.DatetimeIndex, peak: float) -> tuple[np.ndarray, np.ndarray]:
    """Log uplift of the 618 and Double 11 windows (``peak * exp(-|offset| / 2)`` on each window
    day of the retail calendar) and the log weekday pattern, each shape (len(days),)."""
    offsets = event_offsets(days, default_calendar())
    uplift = np.zeros(len(days))
    for name in ("618", "double11"):
        off = offsets[name]
        inside = ~np.isnan(off)
        uplift[inside] += peak * np.exp(-np.abs(off[inside]) / 2)
    return uplift, WEEKLY[days.dayofweek]
