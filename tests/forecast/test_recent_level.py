"""recent_level on small, intermittent counts: no weekly pattern read from a single sale, and
count quantiles (negative binomial / Poisson) instead of log-ratio quantiles."""

import numpy as np
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
    assert np.allclose(pred.mean, y[-56:].mean())


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
