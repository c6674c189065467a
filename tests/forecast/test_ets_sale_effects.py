"""The solar sales' lift of a weekly or monthly ETS without a season (``ets.sale_effects``):
every sighting measured against its quiet neighbours and pooled (review R7: it stopped at the
last sighting it could place, so a clear lift one year was lost to a noisy one the next); the
empirical Wiener shrink's one home (``conformal.wiener_factor``); the quiet-period mask computed
once per series, not in every refit."""

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.calendar.events import spring_festival
from workbench.errors import CalendarRangeError
from workbench.forecast import features
from workbench.forecast.conformal import wiener_factor
from workbench.forecast.models.ets import ETSModel, random_effects_mean, sale_effects, sale_shares
from workbench.forecast.models.lunar import share_lift

CAL = default_calendar()
LIFT = np.log(1.5)  # log lift of a week wholly inside a sale window


def _two_years_of_weeks():
    """104 weeks (April 2024 - March 2026: under the 106 a fitted season needs): 618 and Double
    11 each seen twice with quiet weeks either side; ``(ds, events, shares, festival weeks)``."""
    ds = pd.date_range("2024-04-01", "2026-03-23", freq="W-MON")
    events, shares = sale_shares(ds, "W", CAL)
    model = ETSModel()
    model.freq_, model.calendar_ = "W", CAL
    return ds, events, shares, model._festival_periods(ds)


@pytest.mark.parametrize("noise, bound", [(0.1, 0.038), (0.2, 0.08)])
def test_a_sale_seen_twice_is_measured_on_both_sightings(noise, bound):
    """A shop growing 0.3% a week whose 618 and Double 11 lift their days x1.5 in both years,
    with weekly log noise ``noise``: over 40 seeds the mean absolute error of each sale's
    measured log lift is under ``bound``. The last sighting alone (the rule before) erred by
    0.045 / 0.058 (618 / Double 11) at noise 0.1 and 0.094 / 0.126 at 0.2: a lift that one
    year's noise hides is kept from the other year."""
    ds, events, shares, festival = _two_years_of_weeks()
    errors = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        z = np.log(100) + 0.003 * np.arange(len(ds)) + LIFT * shares.sum(axis=1) + rng.normal(0, noise, len(ds))
        measured = sale_effects(z, shares, festival, "W")
        errors.append([abs(measured[events.index(e)][0] - LIFT) for e in ("618", "double11")])
    assert (np.mean(errors, axis=0) < bound).all(), np.mean(errors, axis=0)


def test_two_sightings_that_disagree_give_a_wide_shrunk_lift():
    """618 lifts x1.5 in 2024 and not at all in 2025 (the shop stopped taking part): the two
    measures disagree far beyond their noise, so the pooled lift is between them and shrunk,
    and its variance holds their disagreement (tau^2), so the band ahead is wide."""
    ds, events, shares, festival = _two_years_of_weeks()
    rng = np.random.default_rng(5)
    year_2024 = np.asarray(ds.year == 2024)[:, None]
    z = np.log(100) + LIFT * (shares * year_2024).sum(axis=1) + rng.normal(0, 0.05, len(ds))
    beta, variance, *_ = sale_effects(z, shares, festival, "W")[events.index("618")]
    assert 0 < beta < LIFT / 2, beta
    assert variance > (LIFT / 2) ** 2 / 2, variance


def test_the_random_effects_mean():
    """One estimate is its own mean; estimates that agree within their noise get tau^2 0 and
    the inverse-variance mean; ones that disagree get tau^2 > 0 and a wider mean variance."""
    assert random_effects_mean(np.array([0.3]), np.array([0.01])) == (0.3, 0.01, 0.0)
    mean, var, tau2 = random_effects_mean(np.array([0.30, 0.32]), np.array([0.01, 0.04]))
    assert tau2 == 0 and mean == pytest.approx((0.30 / 0.01 + 0.32 / 0.04) / (1 / 0.01 + 1 / 0.04))
    assert var == pytest.approx(1 / (1 / 0.01 + 1 / 0.04))
    mean, var, tau2 = random_effects_mean(np.array([0.0, 0.8]), np.array([0.01, 0.01]))
    assert mean == pytest.approx(0.4) and tau2 == pytest.approx(0.32 - 0.01) and var == pytest.approx(0.32 / 2)


def test_the_wiener_factor():
    """``b^2 / (b^2 + v)``: a float for scalars, an array for arrays, 0 where both are 0."""
    assert wiener_factor(2.0, 1.0) == pytest.approx(0.8) and isinstance(wiener_factor(2.0, 1.0), float)
    np.testing.assert_allclose(wiener_factor(np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0, 1.0])), [0, 0.5, 0.9])


def test_the_quiet_mask_is_computed_once_for_a_series_and_its_refits(monkeypatch):
    """A weekly ETS with a fitted season and three rolling-origin refits asks ``quiet_periods``
    for its dates and each refit's first periods: the Spring Festival pause is counted once
    (before, once per refit), and each slice equals the mask computed on its own."""
    calls = []
    pause_days = features.pause_days
    monkeypatch.setattr(features, "pause_days", lambda *a: calls.append(len(a[0])) or pause_days(*a))
    monkeypatch.setattr(features, "_QUIET_GRIDS", {})
    ds = pd.date_range("2023-01-02", periods=130, freq="W-MON")
    y = 100 * np.exp(0.3 * np.sin(2 * np.pi * np.arange(130) / 52) + np.random.default_rng(1).normal(0, 0.05, 130))
    model = ETSModel().fit(y, ds, freq="W")
    model.predict(13)
    assert len(model.calibration_paths_) == 3 and calls == [130], calls
    features._QUIET_GRIDS.clear()
    for stop in (90, 117):
        np.testing.assert_array_equal(features.quiet_periods(ds[:stop], "W", CAL), features.quiet_periods(ds, "W", CAL)[:stop])
        features._QUIET_GRIDS.clear()


def test_a_history_before_the_calendars_years_is_forecast():
    """The calendar knows Spring Festival from 1950 (the ``holidays`` package): a monthly series
    of the 1930s has no known pause, every month is quiet, and the ETS forecasts it (before, the
    stop rule's mask raised ``ConfigError`` and stopped the whole forecast)."""
    ds = pd.date_range("1933-01-01", periods=48, freq="MS")
    y = 100 * np.exp(0.2 * np.sin(2 * np.pi * np.arange(48) / 12))
    assert features.quiet_periods(ds, "MS", CAL).all()
    with pytest.raises(CalendarRangeError, match="1933"):  # the calendar's range, checked by placed_years
        spring_festival(1933)
    pred = ETSModel().fit(y, ds, freq="MS").predict(6)
    assert np.isfinite(pred.mean).all() and (pred.mean > 0).all()


def test_a_history_outside_the_calendars_years_leaves_the_others_masks_alone(monkeypatch):
    """Review 7.3 #1: a history reaching a year the calendar cannot place made EVERY period quiet
    (the festival pause of its known years too), and that mask was cached, so a later series on
    a sub-run of its dates lost its pause: the result hung on the run order. Now only the years
    outside are quiet, the known years keep their own mask whatever ran before, and a note names
    those years (``validate.outside_calendar_note``)."""
    from workbench.data.validate import outside_calendar_note

    monkeypatch.setattr(features, "_QUIET_GRIDS", {})
    months = pd.date_range("1990-01-01", "2020-12-01", freq="MS")
    days = pd.date_range("1952-03-01", "1960-12-31")
    fresh = {"MS": features.quiet_periods(months, "MS", CAL), "D": features.quiet_periods(days, "D", CAL)}
    assert 0.9 < fresh["MS"].mean() < 0.95 and 0.4 < fresh["D"].mean() < 0.6  # pauses and spans found
    old_months = pd.date_range("1930-01-01", "2020-12-01", freq="MS")
    old = features.quiet_periods(old_months, "MS", CAL)
    assert old[old_months.year < 1952].all()  # no pause known before the calendar's years (two either side)
    np.testing.assert_array_equal(old[old_months >= months[0]], fresh["MS"])
    np.testing.assert_array_equal(features.quiet_periods(months, "MS", CAL), fresh["MS"])  # after the 1930s series
    features.quiet_periods(pd.date_range("1948-03-01", "1960-12-31"), "D", CAL)
    np.testing.assert_array_equal(features.quiet_periods(days, "D", CAL), fresh["D"])
    frame = pd.DataFrame({"ds": old_months, "y": 1.0})
    # the note names exactly the years the mask reads as quiet (review 8.4 #3: 1950-51 were quiet, unnamed)
    assert outside_calendar_note(frame, "old.csv") == [
        "old.csv: 22 of its 91 years (1930..1951) lie outside the calendar's years 1952-2098, the years whose "
        "events it can place: no festival pause or sale is known there, so those periods are read as quiet "
        "ones and carry no event effect"]
    edge = pd.DataFrame({"ds": pd.date_range("1951-01-01", "1955-12-01", freq="MS"), "y": 1.0})
    assert "1 of its 5 years (1951) lies outside the calendar's years 1952-2098" in outside_calendar_note(edge, "e")[0]
    late = pd.date_range("2090-01-01", "2100-12-01", freq="MS")
    assert features.quiet_periods(late, "MS", CAL)[late.year > 2098].all()
    assert "2 of its 11 years (2099..2100) lie outside" in outside_calendar_note(pd.DataFrame({"ds": late, "y": 1.0}),
                                                                                 "late.csv")[0]
    assert outside_calendar_note(frame[frame.ds.dt.year < 1940], "old.csv")[0].startswith(
        "old.csv: the whole history (1930..1939) lies outside")
    assert outside_calendar_note(pd.DataFrame({"ds": months, "y": 1.0}), "new.csv") == []


def test_a_young_monthly_shops_pure_noise_lifts_pass_the_test_at_about_its_level():
    """A young shop's 14 months (March 2024 on: 4 steps between months no event touches) of
    pure log noise (sd 0.1), 200 seeds: 618's and Double 11's measured lifts are beyond 1.96 of
    their sd on at most 10% of them (nominal 5%; measured 5%). The MAD of 4 steps read the noise
    at half its size or less as often as not: 23% passed (review 7.1 #2)."""
    ds = pd.date_range("2024-03-01", periods=14, freq="MS")
    events, shares = sale_shares(ds, "MS", CAL)
    model = ETSModel()
    model.freq_, model.calendar_ = "MS", CAL
    festival = model._festival_periods(ds)
    passed = []
    for seed in range(200):
        z = 5 + np.random.default_rng(seed).normal(0, 0.1, len(ds))
        for beta, variance, *_ in sale_effects(z, shares, festival, "MS").values():
            passed.append(abs(beta) / np.sqrt(variance) > 1.96)
    assert len(passed) >= 200 and np.mean(passed) < 0.10, (len(passed), np.mean(passed))



def test_a_sale_lift_beyond_the_bound_is_counted():
    """Two years of weeks whose Double 11 days sell x40 (beyond the x20 a day's lift may reach,
    ``lunar.LIFT_BOUNDS``) and 618 x1.5: both Double 11 sightings' fits stop at the bound and
    are counted, so the fit's note can say so rather than pass a clipped lift off as a measure
    (review 8.4 #12); 618's are not."""
    ds, events, shares, festival = _two_years_of_weeks()
    rng = np.random.default_rng(3)
    lift = np.array([np.log(40) if e == "double11" else LIFT for e in events])
    z = np.log(100) + share_lift(shares, lift, "W")[0] + rng.normal(0, 0.05, len(ds))
    measured = sale_effects(z, shares, festival, "W")
    assert measured[events.index("double11")][3] == 2 and measured[events.index("618")][3] == 0


def test_the_sales_the_note_names_are_those_the_fit_saw():
    """The note names the sale events whose windows the history holds, kept at fit
    (``sales_seen_``), not recomputed at predict; a 44-week history from March holds both."""
    rng = np.random.default_rng(1)
    ds = pd.date_range("2025-03-03", "2025-12-29", freq="W-MON")
    events, shares = sale_shares(ds, "W", CAL)
    y = np.round(100 * np.exp(np.log(1.5) * shares.sum(axis=1) + rng.normal(0, 0.05, len(ds))))
    model = ETSModel().fit(y, ds, freq="W")
    assert model.sales_seen_ == ["618", "double11"]
    short = ETSModel().fit(y[-20:], ds[-20:], freq="W")  # August on: Double 11 only
    assert short.sales_seen_ == ["double11"]
    assert any("(双11 / Double 11; last" in n for n in short.predict(10).notes)
