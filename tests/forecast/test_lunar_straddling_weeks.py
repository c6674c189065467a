"""A week straddling a festival window's edge carries the window's days in the proportion of its
days (``lunar.share_lift``: the days' mean multiplier), not the geometric mean of the log-linear
genhol form: a young shop's weekly plan with one Spring Festival seen (2026-02-17), next year's
(2027-02-06) 11 days earlier, so its weeks straddle the windows' edges at other days (trial 9 F5:
the weekly model's festival weeks +40 / -37 / +78% where the daily model summed to weeks was
+30 / -16 / +9%). Seeded, fails on main 984327e."""

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import RetailCalendar, spring_festival
from workbench.forecast.core import forecast
from workbench.forecast.models.lunar import share_lift

# the day multipliers by days from the festival, in the planner's windows: the New Year sale
# (-28..-8), the wind-down (-7..-2), the statutory holiday (-1..+6) and the recovery (+7..+16)
PROFILE = ((-28, -8, 1.3), (-7, -2, 0.45), (-1, 6, 0.15), (7, 16, 0.7))
# the shop's own windows (an --events file): they fix the windows, so the weeks test the lift
# alone (from one festival seen at one weekday the AICc choice of a window's edge among days
# that share its weeks is the noise's, e.g. the collapse from day -10 on one seed of this panel)
CALENDAR = RetailCalendar({"events": {"new_year_sale": {"start": -28, "end": -8},
                                      "spring_festival": {"start": -7, "end": 16}}})
OPENED, CUT_OFF, END = "2025-08-04", "2026-11-30", "2027-03-28"


def _day_multiplier(days: pd.DatetimeIndex) -> np.ndarray:
    out = np.ones(len(days))
    for year in range(days[0].year, days[-1].year + 1):
        offset = (days - spring_festival(year)).days.to_numpy()
        for first, last, multiplier in PROFILE:
            out[(offset >= first) & (offset <= last)] = multiplier
    return out


@lru_cache(maxsize=4)
def _weekly_totals(seed: int) -> pd.DataFrame:
    """Six seeded series (daily gamma-Poisson counts around 60-260 a day times the profile and
    a weekday pattern) from a shop opened on ``OPENED``, summed to Monday weeks; the forecast of
    the 17 weeks after ``CUT_OFF`` (``auto``) and the true expected totals per week (columns
    yhat, mu)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(OPENED, END)
    weekday = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.15])[days.day_of_week]
    rows = []
    for i in range(6):
        mu = (60 + 40 * i) * _day_multiplier(days) * weekday
        rows.append(pd.DataFrame({"series": f"s{i}", "ds": days, "mu": mu, "y": rng.poisson(rng.gamma(20, mu / 20))}))
    daily = pd.concat(rows)
    weeks = (daily.assign(ds=daily.ds - pd.to_timedelta(daily.ds.dt.day_of_week, unit="D"))
             .groupby(["series", "ds"], as_index=False)[["y", "mu"]].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(weeks[weeks.ds < CUT_OFF][["series", "ds", "y"]], horizon=17, model="auto", keys=["series"],
                      freq="W", n_jobs=1, calendar=CALENDAR)
    return fc.merge(weeks, on=["series", "ds"]).groupby("ds")[["yhat", "mu"]].sum()


def test_a_period_lift_is_its_days_mean_multiplier():
    """Four days at x0.25 and three at x1 sell 0.57 of a normal week, not the 0.45 of the log-
    linear form; a week wholly inside a window takes its effect; the jacobian is exact."""
    shares = np.array([[4 / 7, 0.0], [1.0, 0.0], [0.0, 0.0], [2 / 7, 3 / 7]])
    beta = np.log([0.25, 1.5])
    lift, jacobian = share_lift(shares, beta, "W")
    np.testing.assert_allclose(np.exp(lift), [(4 * 0.25 + 3) / 7, 0.25, 1.0, (2 * 0.25 + 3 * 1.5 + 2) / 7])
    step = 1e-6
    numeric = np.column_stack([(share_lift(shares, beta + step * e, "W")[0] - lift) / step for e in np.eye(2)])
    np.testing.assert_allclose(jacobian, numeric, atol=1e-5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weeks_straddling_the_festivals_windows_are_forecast_in_proportion_to_their_days(seed):
    """The 2027 weeks from 01-18 to 02-22 (the sale's last whole week, the weeks that straddle
    the wind-down, the holiday and the recovery, and the week after) are each within 15% of
    their true expected total, and together within 6% WAPE (seeds 1-3: 4.0 / 2.6 / 4.8%, the
    worst week 10%). With the log-linear lift (the days' geometric mean; main 984327e) the one
    festival seen was measured on straddling weeks too, and the week of 02-08 (holiday days
    +2..+6, recovery +7, +8) came out -26 / -24 / -28% (WAPE 8.1 / 6.0 / 5.8%)."""
    totals = _weekly_totals(seed).loc["2027-01-18":"2027-02-22"]
    error = totals.yhat / totals.mu - 1
    assert (error.abs() < 0.15).all(), error
    assert (totals.yhat - totals.mu).abs().sum() / totals.mu.sum() < 0.06, error


# a collapse whose days are not alike (review 8.4 #5): a trough with shallow edges, days -7..+16
TROUGH = (0.8, 0.65, 0.5, 0.4, 0.3, 0.2, 0.12, 0.08, 0.06, 0.06, 0.08, 0.12, 0.18, 0.25, 0.35, 0.45, 0.55, 0.65,
          0.72, 0.8, 0.85, 0.9, 0.93, 0.96)


def _trough_multiplier(days: pd.DatetimeIndex) -> np.ndarray:
    out = np.ones(len(days))
    for year in range(days[0].year, days[-1].year + 1):
        offset = (days - spring_festival(year)).days.to_numpy()
        out[(offset >= -28) & (offset <= -8)] = 1.3
        for day, multiplier in zip(range(-7, 17), TROUGH):
            out[offset == day] = multiplier
    return out


def test_the_festival_weeks_band_holds_a_collapse_whose_days_are_not_alike():
    """The lift's form assumes a window's days alike; a real collapse is a trough with shallow
    edges (the six series above, their windows' days from x0.8 down to x0.06 and back up to
    x0.96). On 3 seeds, the series' weeks from 01-25 to 02-22 (90 series-weeks) fall inside
    their P10-P90 band 70% of the time or more (76.7% measured), so the band's evidence does
    not rest on the flat days the seeded tests above generate; the points are off by up to
    half a week's volume there (the collapse week of 02-01: +20 / +49 / +43%), said in
    docs/benchmarks.md. (A variance floored at the linear form's jacobian, tried for this,
    moved no band: the conformal band of the refits is the wider one.)"""
    inside = []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        days = pd.date_range(OPENED, END)
        weekday = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.15])[days.day_of_week]
        daily = pd.concat([pd.DataFrame({"series": f"s{i}", "ds": days, "mu": (60 + 40 * i) * _trough_multiplier(days)
                                         * weekday}) for i in range(6)])
        daily["y"] = rng.poisson(rng.gamma(20, daily.mu / 20))
        weeks = (daily.assign(ds=daily.ds - pd.to_timedelta(daily.ds.dt.day_of_week, unit="D"))
                 .groupby(["series", "ds"], as_index=False)[["y", "mu"]].sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(weeks[weeks.ds < CUT_OFF][["series", "ds", "y"]], horizon=17, model="auto",
                          keys=["series"], freq="W", n_jobs=1, calendar=CALENDAR)
        scored = fc.merge(weeks, on=["series", "ds"]).query("'2027-01-25' <= ds <= '2027-02-22'")
        inside += list((scored.y >= scored.yhat_q10) & (scored.y <= scored.yhat_q90))
    assert len(inside) == 90 and np.mean(inside) >= 0.7, np.mean(inside)
