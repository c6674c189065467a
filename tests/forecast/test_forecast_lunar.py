"""Moving (lunar) holiday effects on weekly and monthly data (``models.lunar`` and its hook in
``ets``): the regressors, their estimation, pooling for young series, and the New Year sale and
Spring Festival weeks and months of a seeded panel aggregated from daily data."""

import re
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.errors import CalendarRangeError
from forecast_helpers import sample_periods
from workbench.forecast import metrics
from workbench.forecast.core import forecast
from workbench.forecast.models import make_model
from workbench.forecast.models.lunar import (WINDOWS, LunarEffect, calendar_position, festival_lift, fit_lunar_effect,
                                             own_effect, lunar_regressors, share_lift, whole_festivals)

CAL = default_calendar()


def test_shares_are_the_days_of_each_period_inside_each_window():
    """Spring Festival 2024 is Feb 10: the New Year sale (-35..-8) runs Jan 6 - Feb 2, the
    festival window (-7..16) Feb 3 - Feb 26; weeks split the latter at the statutory holiday
    (eve Feb 9 to Feb 16)."""
    months = pd.date_range("2023-12-01", periods=4, freq="MS")
    X = lunar_regressors(months, "MS", CAL)
    np.testing.assert_allclose(X[:, 0], [0, 26 / 31, 2 / 29, 0])
    np.testing.assert_allclose(X[:, 1], [0, 0, 24 / 29, 0])
    weeks = pd.date_range("2024-01-29", periods=5, freq="W-MON")  # week starts
    X = lunar_regressors(weeks, "W", CAL)
    days = np.round(X * 7).astype(int)  # pre-festival, wind-down, holiday, recovery
    np.testing.assert_array_equal(days, [[5, 2, 0, 0], [0, 4, 3, 0], [0, 0, 5, 2], [0, 0, 0, 7], [0, 0, 0, 1]])
    assert days[:, 1:].sum() == 24  # the whole spring_festival window, once


def test_the_centred_lift_averages_zero_at_every_calendar_position():
    """Centring the lift (``festival_lift(centred=True)``, the one home of centring) on its
    long-run mean at each month (week) leaves the festival's average effect to the season and
    only its movement to the regressor (genhol's calendar centring), for any effects; so does
    its jacobian. Uncentred, the same lift's means are far from zero."""
    for freq in ("MS", "W"):
        ds = pd.date_range("2000-01-03", "2098-12-01", freq="MS" if freq == "MS" else "W-MON")
        beta = np.linspace(0.8, -1.5, len(WINDOWS[freq]))
        lift, J = festival_lift(ds, freq, CAL, centred=True)(beta)
        position = calendar_position(ds, freq)
        means = np.array([np.c_[lift, J][position == p].mean(axis=0) for p in np.unique(position)])
        assert np.abs(means).max() < 0.01
        assert J.shape[1] == len(WINDOWS[freq]) and np.abs(lift).max() > 0.3  # it does move
        raw = festival_lift(ds, freq, CAL, centred=False)(beta)[0]
        assert np.abs([raw[position == p].mean() for p in np.unique(position)]).max() > 0.1


def test_dates_outside_the_calendar_are_refused_and_such_a_history_is_forecast_without_effects():
    """Public series from the 1950s-1990s (R's datasets) are still forecast, with a note."""
    ds = pd.date_range("1988-01-01", periods=48, freq="MS")
    with pytest.raises(CalendarRangeError, match="outside the calendar's years"):
        lunar_regressors(ds, "MS", CAL)
    y = 100 + 10 * np.sin(np.arange(48) * np.pi / 6)
    pred = make_model("ets").fit(y, ds, freq="MS").predict(6)
    assert np.isfinite(pred.mean).all() and any("outside the calendar's years" in n for n in pred.notes)


def _weekly_log_series(weeks: int, beta, seed: int = 3):
    """Log demand per week from 2019-01-07: trend, a smooth solar season, the given lunar
    effects (log lift of a day inside each window; a week's lift is its days' mean,
    ``share_lift``), and noise (sd 0.05)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2019-01-07", periods=weeks, freq="W-MON")
    t = np.arange(weeks)
    z = 8 + 0.003 * t + 0.2 * np.sin(2 * np.pi * t / 52.18) + rng.normal(0, 0.05, weeks)
    return ds, z + share_lift(lunar_regressors(ds, "W", CAL), np.asarray(beta, float), "W")[0]


def test_effects_are_recovered_with_the_season_from_two_placements_and_locally_from_one():
    beta = [0.4, -0.5, -1.2, -0.3]
    ds, z = _weekly_log_series(4 * 52, beta)
    effect, note = fit_lunar_effect(z, ds, "W", CAL, season=52)
    assert effect.source == "own" and effect.placements == 3 and effect.centred  # 2020-2022 (2019's sale starts Jan 1)
    se = np.sqrt(np.diag(effect.cov))
    assert np.all(np.abs(effect.beta - beta) < 4 * se + 0.02) and se.max() < 0.1
    assert re.search(r"holiday -(6[5-9]|7[0-4])%", note)  # expm1(-1.2) = -70%
    # one festival only (the first 60 weeks): not identified beside the season, so measured
    # against the quiet weeks either side of it, whole (uncentred), with or without a season
    assert whole_festivals(ds[:60], "W", CAL) == 1
    for season in (52, None):
        effect, note = fit_lunar_effect(z[:60], ds[:60], "W", CAL, season=season)
        assert effect.placements == 1 and not effect.centred and "from one festival against the periods" in note
        assert np.abs(effect.beta - beta).max() < 0.2 and effect.beta[2] < -1.0, effect.beta
    # a festival with no quiet week before it (a shop opened in the week its widest span starts,
    # Dec 21 2019) cannot be measured
    assert ds[49] == pd.Timestamp("2019-12-16")
    effect, note = fit_lunar_effect(z[49:60], ds[49:60], "W", CAL, season=None)
    assert effect is None and "without quiet periods on both sides" in note, note


def test_no_effect_is_kept_where_the_data_have_none():
    """Alone, a series keeps the effects only when they lower the fit's AICc (two festivals or
    more) or are significant against their neighbourhood (one): noise is not an effect (it
    would move the forecast and widen the band for nothing)."""
    ds, z = _weekly_log_series(4 * 52, [0, 0, 0, 0], seed=5)
    effect, note = fit_lunar_effect(z, ds, "W", CAL, season=52)
    assert effect is None and "do not lower the fit's AICc, nor is the last festival significant" in note
    effect, note = fit_lunar_effect(z[:60], ds[:60], "W", CAL, season=52)
    assert effect is None and "not significant against the periods either side" in note, note


def test_a_series_without_its_own_estimate_borrows_the_pooled_one_with_its_uncertainty():
    prior = LunarEffect(WINDOWS["MS"], np.array([0.3, -0.6]), np.eye(2) * 0.01, 0.02, "own", 5)
    ds = pd.date_range("2023-03-01", periods=10, freq="MS")  # no whole festival (2024's sale starts Jan 6)
    effect, note = fit_lunar_effect(np.full(10, 5.0), ds, "MS", CAL, season=12, prior=prior)
    assert effect.source == "pooled" and "pooled" in note
    np.testing.assert_allclose(effect.beta, prior.beta)
    assert np.all(np.diag(effect.cov) > np.diag(prior.cov))  # a series differs from the pool
    X = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert effect.variance(X, np.array([True, False]))[0] > 0.09 + 0.02
    assert effect.variance(X, np.array([True, False]))[1] == 0


@lru_cache(maxsize=1)
def _weekly_and_monthly_panel():
    """The embedded sample's generator (seeded daily sales with the New Year sale and the Spring
    Festival collapse on their lunar dates) for 2019-2025, 12 category-region series, summed to
    week starts (Mondays) and months, whole periods only."""
    return {freq: frame[frame.ds < ("2025-03-24" if freq == "W" else "2025-03-01")]
            for freq, frame in sample_periods("2019-01-07", "2025-03-30").items()}


def _festival_scores(freq: str, origin: str, horizon: int, young_weeks: int | None = None, **params):
    """Forecast the panel from ``origin`` (the young half cut to its last ``young_weeks``) and
    score the peak periods (mostly New Year sale) and the collapse periods (mostly Spring
    Festival window): ``{(young?, "peak"/"collapse"): (WAPE, bias, coverage)}``."""
    panel = _weekly_and_monthly_panel()[freq]
    origin = pd.Timestamp(origin)
    young = panel.series.isin(sorted(panel.series.unique())[::2]) if young_weeks else panel.series == ""
    train = panel[(panel.ds < origin) & (~young | (panel.ds >= origin - pd.Timedelta(weeks=young_weeks or 0)))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(train, horizon=horizon, model="auto", keys=["series"], freq=freq, n_jobs=1, model_params=params)
    scored = panel.merge(fc, on=["series", "ds"])
    X = lunar_regressors(pd.DatetimeIndex(scored.ds), freq, CAL)
    scored["peak"], scored["collapse"] = X[:, 0] >= 0.5, X[:, 1:].sum(axis=1) >= 0.5
    scored["young"] = scored.series.isin(train.series[young[train.index]].unique())
    out = {}
    for is_young in (False, True):
        for kind in ("peak", "collapse"):
            s = scored[(scored.young == is_young) & scored[kind]]
            if len(s):
                out[is_young, kind] = (metrics.wape(s.y, s.yhat), metrics.bias(s.y, s.yhat),
                                       metrics.coverage(s.y, s.yhat_q10, s.yhat_q90))
    return out


@pytest.mark.parametrize("freq, origin, horizon", [("W", "2022-12-05", 17), ("MS", "2023-12-01", 4)])
def test_new_year_sale_and_collapse_land_on_this_years_weeks_and_months(freq, origin, horizon):
    """Without the effects the season repeats last year's solar weeks: the New Year sale weeks
    come out low and the collapse weeks high (the trial's fault); with them both are close."""
    without = _festival_scores(freq, origin, horizon, lunar=False)
    with_effects = _festival_scores(freq, origin, horizon)
    for kind in ("peak", "collapse"):
        wape, bias, _ = with_effects[False, kind]
        assert wape < 0.6 * without[False, kind][0] and abs(bias) < 0.15, (kind, with_effects, without)
    assert without[False, "peak"][1] < -0.1 and without[False, "collapse"][1] > 0.1 or freq == "MS"


def test_a_young_weekly_series_borrows_the_pooled_effects():
    """Half the panel has 60 weeks of history (one festival: no own estimate); the panel's sum
    has four. The young series take the pooled effects: their festival weeks are forecast
    close, where a season from one year put them in last year's weeks (bias -48% / +147%)."""
    without = _festival_scores("W", "2023-12-04", 17, young_weeks=60, lunar=False)
    pooled = _festival_scores("W", "2023-12-04", 17, young_weeks=60)
    for kind in ("peak", "collapse"):
        assert pooled[True, kind][0] < 0.5 * without[True, kind][0] and abs(pooled[True, kind][1]) < 0.15
    assert without[True, "peak"][1] < -0.3 and without[True, "collapse"][1] > 0.5


def test_the_hook_says_what_it_did_and_keeps_daily_data_apart():
    panel = _weekly_and_monthly_panel()["MS"]
    one = panel[(panel.series == "food-East") & (panel.ds < "2024-12-01")]
    pred = make_model("ets").fit(one.y.to_numpy(float), pd.DatetimeIndex(one.ds), freq="MS").predict(4)
    assert any("Spring Festival and New Year sale effects (own" in n for n in pred.notes)
    # the baseline has no festival: January 2025 is mostly New Year sale, February the collapse
    assert pred.baseline[1] < pred.mean[1] and pred.baseline[2] > pred.mean[2]
    daily = make_model("ets").fit(np.full(60, 5.0) + np.arange(60) % 7, pd.date_range("2024-01-01", periods=60))
    assert daily.lunar_ is None and daily.pooled_prior() is None


def test_the_weekly_windows_are_chosen_by_aicc_for_a_shop_whose_sale_ends_four_days_before():
    """A shop whose New Year sale runs to day -4 and whose collapse starts at day -3 (the trial's
    shop; the calendar's windows end the sale at -8): the weekly fit chooses those boundaries
    among the candidates, and next year's festival weeks get the shop's lift, where the
    calendar's windows put the last sale days in the collapse window (the trial's weekly peak
    in the wrong week)."""
    spans, season = (-21, -3, 16, 6), 52
    beta = np.array([0.8, -1.0, -1.6, -0.3])
    ds = pd.date_range("2019-01-07", periods=5 * season, freq="W-MON")
    rng = np.random.default_rng(7)
    t = np.arange(len(ds))
    z = (8 + 0.003 * t + 0.2 * np.sin(2 * np.pi * t / season) + rng.normal(0, 0.03, len(ds))
         + share_lift(lunar_regressors(ds, "W", CAL, spans=spans), beta, "W")[0])
    history, future = slice(0, 4 * season), ds[4 * season:]  # the last year's festival is the forecast's
    effect, note = fit_lunar_effect(z[history], ds[history], "W", CAL, season=season)
    assert effect.spans == spans and "New Year sale days -21..-4" in note and "--events" in note
    true_lift = festival_lift(future, "W", CAL, centred=False, spans=spans)(beta)[0]
    chosen_lift = festival_lift(future, "W", CAL, centred=False, spans=effect.spans)(effect.beta)[0]
    assert np.abs(chosen_lift - true_lift).max() < 0.1
    # the calendar's windows alone (-35..-8, -7..+16): the sale's last days read as collapse
    X = lunar_regressors(ds[history], "W", CAL)
    fixed = own_effect(z[history], festival_lift(ds[history], "W", CAL, centred=True), 4, "W", season,
                       X.any(axis=1))[0]
    assert np.abs(festival_lift(future, "W", CAL, centred=False)(fixed)[0] - true_lift).max() > 0.3


def test_a_planners_events_file_fixes_the_windows():
    """``--events`` setting the New Year sale (or the Spring Festival window) is the override:
    no search, the planner's windows, named as such in the note; the shipped calendar searches
    the grid, its own windows first (they win ties)."""
    from workbench.calendar import RetailCalendar
    from workbench.forecast.models.lunar import candidate_spans

    own = RetailCalendar({"events": {"new_year_sale": {"start": -24, "end": -4}, "spring_festival": {"start": -3}}})
    assert candidate_spans(own, "W") == [None] and candidate_spans(CAL, "MS") == [None]  # months: the calendar's
    assert candidate_spans(CAL, "W")[0] == (-35, -7, 16, 6) and len(candidate_spans(CAL, "W")) == 27
    assert candidate_spans(CAL, "W", 2)[0] == (-35, -7, 16, 6) and len(candidate_spans(CAL, "W", 2)) == 3 * 8 * 3 * 3
    assert candidate_spans(CAL, "W", 3) == candidate_spans(CAL, "W")  # beside the season: the coarse grid
    ds, z = _weekly_log_series(4 * 52, [0.4, -0.5, -1.2, -0.3])
    effect, note = fit_lunar_effect(z, ds, "W", own, season=52)
    assert effect.spans is None and "the calendar's new_year_sale and spring_festival windows (fixed" in note


@pytest.mark.parametrize("freq, words", [("W", "holiday clipped at the bound"), ("MS", "festival beyond the bound")])
def test_an_effect_at_the_bound_of_a_days_lift_is_named(freq, words):
    """A shop that closes in the festival's holiday (weeks: x0.0005 a day there; months: a
    month wholly inside the festival window at x0.0005): the weekly fit stops at the bound of a day's lift
    (x0.007, ``LIFT_BOUNDS``) and the monthly linear fit goes beyond it; either way the note
    names the window (review 8.4 #12: clipped in silence before, and the months differed
    silently). A plain festival's note names none."""
    season = 52 if freq == "W" else 12
    ds = pd.date_range("2019-01-07" if freq == "W" else "2019-01-01", periods=5 * season,
                       freq="W-MON" if freq == "W" else "MS")
    beta = np.array([0.5, -0.7, np.log(5e-4), -0.2]) if freq == "W" else np.array([0.3, np.log(5e-4)])
    rng = np.random.default_rng(2)
    t = np.arange(len(ds))
    base = 8 + 0.003 * t + 0.2 * np.sin(2 * np.pi * t / season) + rng.normal(0, 0.03, len(ds))
    raw = lunar_regressors(ds, freq, CAL)
    # weeks: the days' mean multiplier (floored at 1e-12, not the fit's bound); months: genhol's linear form
    lift = (np.log(np.maximum(1 - raw.sum(axis=1) + raw @ np.exp(beta), 1e-12)) if freq == "W"
            else share_lift(raw, beta, freq)[0])
    _, note = fit_lunar_effect(base + lift, ds, freq, CAL, season=season)
    assert words in note and "x0.007 or x20" in note, note
    _, plain = fit_lunar_effect(base + share_lift(raw, np.clip(beta, -1, 1), freq)[0], ds, freq, CAL,
                                season=season)
    assert "bound" not in plain, plain
