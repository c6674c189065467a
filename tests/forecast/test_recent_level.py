"""recent_level on small, intermittent counts: no weekly pattern read from a single sale, and
count quantiles (negative binomial / Poisson) instead of log-ratio quantiles."""

import numpy as np
import pytest
import pandas as pd
from scipy import stats

from workbench.forecast import forecast
from workbench.forecast.models import make_model

DAYS = pd.date_range("2024-11-01", "2026-11-18", freq="D")


def _sparse(seed: int, rate: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.poisson(rate, len(DAYS)).astype(float)
    y[rng.choice(len(DAYS), 8, replace=False)] += 20  # a few live-stream days
    return y


def test_one_big_friday_is_not_a_weekly_pattern():
    y = np.zeros(len(DAYS))
    y[-56:] = np.random.default_rng(1).poisson(0.2, 56)
    friday = np.flatnonzero(DAYS[-56:].dayofweek == 4)[3] + len(DAYS) - 56
    y[friday] = 24.0
    model = make_model("recent_level").fit(y, DAYS, freq="D")
    assert np.allclose(model.weekday_, 1.0)  # 0.6 units a day: too few counts for a weekday effect
    pred = model.predict(14)
    # flat, at the rate it sells at: 0.2 a day plus the Friday's 24 over its 56 days
    assert np.allclose(pred.mean, pred.mean[0]) and abs(pred.mean[0] / (0.2 + 24 / 56) - 1) < 0.2


def test_the_zeros_before_a_first_sale_are_no_level():
    """A line first sold 20 days ago at 3 a day (no launch curve to follow) is forecast at about
    3 a day, not at its sales spread over the 56-day window with the zeros before them (1.1)."""
    y = np.zeros(len(DAYS))
    y[-20:] = np.random.default_rng(2).poisson(3.0, 20)
    pred = make_model("recent_level").fit(y, DAYS, freq="D").predict(14)
    assert abs(pred.mean.mean() / 3.0 - 1) < 0.25


def test_small_counts_get_negative_binomial_quantiles():
    y = _sparse(2)
    pred = make_model("recent_level").fit(y, DAYS, freq="D").predict(28, (0.1, 0.5, 0.9))
    recent = y[-56:]
    ratio = recent.var() / recent.mean()
    assert ratio > 1
    mean = pred.mean[0]
    expected = stats.nbinom.ppf(0.9, mean / (ratio - 1), 1 / ratio)
    assert pred.quantiles[0.9][0] == expected
    for q in (0.1, 0.5, 0.9):
        values = pred.quantiles[q]
        assert np.all(values == np.round(values)) and np.all(values >= 0)
    assert np.all(pred.quantiles[0.1] <= pred.quantiles[0.5])
    assert np.all(pred.quantiles[0.5] <= pred.quantiles[0.9])


def test_large_counts_keep_the_weekday_pattern_and_log_quantiles():
    rng = np.random.default_rng(3)
    y = 200.0 * np.where(DAYS.dayofweek >= 5, 1.5, 1.0) + rng.normal(0, 5, len(DAYS))
    model = make_model("recent_level").fit(y, DAYS, freq="D")
    assert model.dispersion_ is None
    assert model.weekday_[5] > 1.3 > 1.1 > model.weekday_[0]


def test_a_sparse_shop_panel_is_forecast_for_every_sku():
    frame = pd.concat([pd.DataFrame({"sku": f"S{k}", "ds": DAYS, "y": _sparse(10 + k)}) for k in range(5)])
    fc = forecast(frame, horizon=72, keys=["sku"])
    assert fc["sku"].nunique() == 5
    history_max = frame.groupby("sku")["y"].max()
    for sku, rows in fc.groupby("sku"):
        assert rows["yhat_q90"].max() <= 10 * history_max[sku]
        assert (rows[["yhat", "yhat_q10", "yhat_q50", "yhat_q90"]] >= 0).all().all()


def test_naive_models_give_count_bands_on_small_counts():
    y = _sparse(4, rate=0.5)
    for name in ("seasonal_naive", "event_naive", "recent_level"):
        pred = make_model(name).fit(y, DAYS, freq="D").predict(60, (0.1, 0.5, 0.9))
        q50, q90 = pred.quantiles[0.5], pred.quantiles[0.9]
        assert np.all(q90 == np.round(q90)) and np.all(q90 >= q50), name
        selling = pred.mean > 0
        assert selling.any() and (q90 > q50)[selling].mean() > 0.9, name  # no collapse onto the median


def test_a_launch_inside_an_event_takes_its_level_net_of_the_pooled_uplift():
    """Trial 8 F4: a SKU launched on 10-22, inside the Double 11 span, had its level read off the
    event's days (x1.3 a day, x3 on 11-11) and was forecast 40% high for the next New Year sale."""
    from workbench.calendar import default_calendar
    from workbench.forecast.features import event_offsets
    from workbench.forecast.models.event_profile import PooledPrior

    days = pd.date_range("2026-10-22", "2026-11-29", freq="D")
    offsets = event_offsets(days, default_calendar())["double11"]
    profile = {o: float(np.log(3.0 if o == 0 else 1.3)) for o in range(-30, 11)}
    lift = np.exp([profile.get(int(o), 0.0) if not np.isnan(o) else 0.0 for o in offsets])
    assert (lift > 1).sum() == 31  # 31 of its 39 days are Double 11 days
    y = np.random.default_rng(8).poisson(50.0 * lift).astype(float)
    prior = PooledPrior(uplift={"double11": profile})
    net = make_model("recent_level", prior=prior).fit(y, days, freq="D")
    assert abs(net.level_ / 50.0 - 1) < 0.05
    pred = net.predict(28)
    assert abs(pred.mean.mean() / 50.0 - 1) < 0.05  # the days after the span: the level, no uplift
    assert net.uplift_share_ > 0.8
    assert "of the pooled event uplift on 31 of them" in pred.notes[0]
    gross = make_model("recent_level").fit(y, days, freq="D")  # without a profile to take out: the event's level
    assert gross.level_ / 50.0 - 1 > 0.25


@pytest.mark.parametrize("pause", [0.15, 0.08, 0.05])
def test_a_series_selling_through_the_pooled_pause_keeps_its_level_and_a_forecast(pause):
    """Review 7.1 #1 (trial 9 KH005/Southwest): dividing every window day by the pooled dip read a
    flat Poisson(50) through a pause at x0.15 / x0.08 / x0.05 as 102 / 166 / 247 a day, the guard
    refused it and the series ended with no forecast. The series shows none of the dip: its level
    is its own mean and the forecast passes the guard."""
    from workbench.forecast.guard import check_prediction
    from workbench.forecast.models.event_profile import PooledPrior

    days = pd.date_range("2025-12-20", "2026-02-24", freq="D")
    profile = {o: float(np.log(pause)) for o in range(-5, 15)}
    profile.update({o: float(np.log(1.5)) for o in range(-35, -5)})
    y = np.random.default_rng(1).poisson(50.0, len(days)).astype(float)
    model = make_model("recent_level", prior=PooledPrior(uplift={"lunar_new_year": profile})).fit(y, days, freq="D")
    assert model.event_days_ > 20  # the window does cross the pooled pause
    assert model.uplift_share_ < 0.1
    assert abs(model.level_ / 50.0 - 1) < 0.15
    assert check_prediction(y, model.predict(60), "D") is None


def test_a_series_sharing_part_of_the_pooled_dip_is_netted_by_that_part():
    """A series that falls to x0.5 where the pool falls to x0.1 shows log 0.5 / log 0.1 = 0.30 of
    the pooled log dip: the share read is 0.30; no sales or no uplift over the window: 0."""
    from workbench.forecast.models.recent_level import uplift_share

    uplift = np.r_[np.zeros(30), np.full(26, np.log(0.1))]
    y = np.random.default_rng(3).poisson(200.0 * np.exp(0.3 * uplift)).astype(float)
    assert abs(uplift_share(y, uplift) - 0.3) < 0.05
    assert uplift_share(np.zeros(56), uplift) == 0.0
    assert uplift_share(y, np.zeros(56)) == 0.0
