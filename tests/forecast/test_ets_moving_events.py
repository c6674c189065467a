"""A planner's own event that moves against the solar season (中秋 / Mid-Autumn, ``lunar:08-15``:
11-19 days earlier or later each year) in a weekly or monthly ETS with a fitted season: its lift
is measured on its sightings and carried to this year's dates (``ets.moving_events``), not
repeated in last year's weeks by the season (review 8.4, closing note 8: "an ETS with a fitted
season repeats last year's weeks for a planner's lunar event")."""

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import RetailCalendar
from workbench.forecast.models.ets import MOVING_DAYS, ETSModel, day_spread, moving_events

MID_AUTUMN = {"events": {"mid_autumn": {"label": "中秋 / Mid-Autumn", "anchor": "lunar:08-15",
                                        "start": -14, "end": -1, "peaks": [-4]}}}


def _gift_weeks(calendar: RetailCalendar, seed: int, lift: float = 2.0) -> tuple[pd.DatetimeIndex, np.ndarray,
                                                                                np.ndarray]:
    """``(weeks, units, expected units)`` per Monday week, 2023-01-02 to 2026-12-28, of a gift
    box selling about 100 a day with a mild yearly season, ``lift`` times that on the days of
    中秋's window."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-02", "2027-01-03")
    inside = np.zeros(len(days), bool)
    for window in calendar.windows("mid_autumn", days[0], days[-1]):
        inside |= (days >= window.start) & (days <= window.end)
    mu = 100 * (1 + 0.15 * np.sin(2 * np.pi * days.day_of_year / 365.25)) * np.where(inside, lift, 1.0)
    daily = pd.Series(rng.poisson(mu * np.exp(rng.normal(0, 0.05, len(days)))), index=days)
    week = days - pd.to_timedelta(days.day_of_week, unit="D")
    weeks, expected = daily.groupby(week).sum(), pd.Series(mu, index=days).groupby(week).sum()
    return pd.DatetimeIndex(weeks.index), weeks.to_numpy(float), expected.to_numpy()


def test_only_events_that_move_against_the_season_are_moving():
    """中秋 moves between the years (11-19 days); 618 and Double 11 keep their dates."""
    calendar = RetailCalendar(MID_AUTUMN)
    ds = pd.date_range("2021-01-04", "2026-12-28", freq="W-MON")
    assert moving_events(ds, "W", calendar) == ["mid_autumn"]
    assert moving_events(ds, "W", RetailCalendar()) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_lunar_own_event_is_forecast_at_this_years_weeks(seed):
    """3.5 years of weeks to June 2026 (a fitted 52-week season, three 中秋 seen, in 2023-2025
    on Sep 29, Sep 17 and Oct 6): the 2026 window (Sep 11-24) lifts the weeks from 09-07 to 10-05
    each within 10% of its expected units (3, 7 and 4 of their days inside it, then none); the
    note names the lift. Before, the season averaged the three years' weeks: 09-07 +19%, 09-14
    -27%, 09-21 -21% (seed 1)."""
    calendar = RetailCalendar(MID_AUTUMN)
    ds, y, expected = _gift_weeks(calendar, seed)
    n = int(np.searchsorted(ds, pd.Timestamp("2026-06-29")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel().fit(y[:n], ds[:n], freq="W", calendar=calendar)
        pred = model.predict(20)
    error = (pd.Series(pred.mean, index=pred.ds) / pd.Series(expected, index=ds) - 1)["2026-09-07":"2026-10-05"]
    assert model.form_ == "season" and len(error) == 5
    assert (error.abs() < 0.1).all(), error
    assert any("中秋 / Mid-Autumn +" in note and "this year's dates" in note for note in pred.notes), pred.notes


def test_a_moving_event_that_cannot_be_measured_is_named():
    """Review 9.3 #6: a lunar own event whose sightings have no quiet periods either side (a
    planner's spring and summer sales, April 1 to May 11 and
    June 21 to August 19, with 618 between, before 中秋's September/October months, Double 11 after) is
    neither measured nor removed: the fitted season repeats it at last year's months, and a note
    now says so. Before, nothing was said."""
    spec = {"events": {**MID_AUTUMN["events"],
                       "spring_sale": {"label": "spring sale", "anchor": "04-01", "start": 0, "end": 40,
                                       "peaks": [20]},
                       "summer_sale": {"label": "summer sale", "anchor": "06-21", "start": 0, "end": 59,
                                       "peaks": [30]}}}
    calendar = RetailCalendar(spec)
    months = pd.date_range("2021-01-01", "2026-06-01", freq="MS")
    rng = np.random.default_rng(3)
    y = rng.poisson(3000 * (1 + 0.3 * np.sin(2 * np.pi * months.month / 12))).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel().fit(y, months, freq="MS", calendar=calendar)
        pred = model.predict(6)
    assert model.form_ == "season" and model.moving_ == [] and model.unmeasured_moving_ == ["mid_autumn"]
    assert any("中秋 / Mid-Autumn: its window moves between the years against the season but could not be "
               "measured" in note for note in pred.notes), pred.notes


def test_days_either_side_of_new_year_are_days_apart_not_a_year():
    """Review 9.3 #6 (low): anchors on December 29 one year and January 3 the next move 5 days,
    under ``MOVING_DAYS`` (their day-of-year spread read 360: a moving event); 中秋's 2023-2025
    anchors (September 29, 17, October 6) spread 19 days."""
    assert day_spread([pd.Timestamp("2025-12-29").day_of_year, pd.Timestamp("2027-01-03").day_of_year]) < MOVING_DAYS
    assert day_spread([272, 260, 279]) == 19 and day_spread([100]) == 0
