"""The naive models: event_naive's growth is read on days alike to their day a year before."""

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.forecast.features import same_periods_a_year_before, year_before
from workbench.forecast.models.naive import EventNaive


def _festival(ds: pd.DatetimeIndex) -> np.ndarray:
    days = np.zeros(len(ds), bool)
    for window in default_calendar().windows("new_year_sale", ds[0], ds[-1]):
        days |= (ds >= window.start) & (ds <= window.end)
    return days


def test_a_festival_day_is_compared_with_last_years_at_the_same_offset():
    # Spring Festival 2026-02-17, 2025-01-29: 19 days apart; a quiet day keeps 364 days and its weekday
    days = pd.DatetimeIndex(["2026-02-10", "2025-11-30"])
    then = year_before(days, default_calendar())
    assert then[0] == pd.Timestamp("2025-01-22") and then[1] == pd.Timestamp("2024-12-01")
    # a quiet December day whose day 364 days before lay inside 年货节 2025 is not alike to it
    then, alike = same_periods_a_year_before(pd.date_range("2025-12-20", "2026-01-03"), "D", default_calendar())
    assert not alike.any()
    then, alike = same_periods_a_year_before(pd.date_range("2025-10-01", "2025-10-20"), "D", default_calendar())
    assert alike[10:].all()


@pytest.mark.parametrize("seed", [0, 1])
def test_event_naive_growth_is_not_read_against_last_years_moved_festival(seed):
    """A flat shop cut just before 年货节 2026: the 364 days before its last quiet weeks lay inside
    年货节 2025 (x3), which had read a growth of about 0.6 and the coming weeks at 60% of the level."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-03-01", "2026-01-04", freq="D")
    y = rng.poisson(np.where(_festival(ds), 300.0, 100.0)).astype(float)
    model = EventNaive().fit(y, ds, freq="D", calendar=default_calendar())
    growth, note = model._growth(pd.Series(y, index=ds))
    assert note is None and 0.93 < growth < 1.07, growth
