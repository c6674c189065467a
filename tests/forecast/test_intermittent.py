"""Intermittent weekly, monthly and quarterly demand: the Syntetos-Boylan test, TSB, and the
default model sending slow movers to it."""

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError
from workbench.forecast.core import forecast
from workbench.forecast.models import make_model
from workbench.forecast.models.intermittent import TSB, average_demand_interval, is_intermittent, tsb_path


def test_tsb_path_by_hand():
    """y = [2, 0, 4], alphas 0.5: starts at p = 2/3, z = 3; after 2: z 2.5, p 5/6; after 0:
    p 5/12; after 4: z 3.25, p 17/24."""
    path = tsb_path(np.array([2.0, 0.0, 4.0]), 0.5, 0.5)
    assert np.allclose(path, [2 / 3 * 3, 5 / 6 * 2.5, 5 / 12 * 2.5, 17 / 24 * 3.25])


def test_average_demand_interval_and_the_cut_off():
    assert average_demand_interval(np.array([0, 1, 0, 0, 2, 0.0])) == 3.0
    assert average_demand_interval(np.zeros(4)) == np.inf
    assert is_intermittent(np.tile([0, 0, 1.0], 10), "W")
    assert is_intermittent(np.tile([0, 1, 1, 1.0], 10), "W")  # ADI 1.33
    assert not is_intermittent(np.tile([0, 1, 1, 1, 1.0], 10), "W")  # ADI 1.25
    assert not is_intermittent(np.array([0, 0, 0, 1, 0, 0, 1.0]), "W")  # under 8 periods
    assert not is_intermittent(np.r_[np.zeros(20), 1.0], "MS")  # one sale is no rate


def test_tsb_follows_a_fading_line_and_refuses_no_demand():
    ds = pd.date_range("2024-01-01", periods=60, freq="W-MON")
    y = np.r_[np.tile([1.0, 0, 2, 0], 10), np.tile([0, 0, 0, 1.0, 0], 4)]
    model = TSB().fit(y, ds, freq="W")
    assert model.rate_ < 0.75 * y[:40].mean()
    with pytest.raises(ModelError, match="no demand"):
        TSB().fit(np.zeros(10), ds[:10], freq="W")


def test_a_sparse_weekly_sku_gets_an_unbiased_rate_and_a_count_band():
    """Poisson(0.5) weeks (a new user's slow mover sold 0.5 a week and was forecast 80% low, with
    P10 = P50 = P90 = 0 in 17 of 26 weeks): over 12 seeded SKUs with 120 weeks of history the
    26-week mean forecast is within 10% of the true rate, P90 is at least 1 in every week and
    the P10-P90 band covers at least 80% of the held-out weeks."""
    frames, future = [], []
    ds = pd.date_range("2024-01-01", periods=146, freq="W-MON")
    for i in range(12):
        y = np.random.default_rng(i).poisson(0.5, 146).astype(float)
        frames.append(pd.DataFrame({"sku": f"p{i}", "ds": ds[:120], "y": y[:120]}))
        future.append(pd.DataFrame({"sku": f"p{i}", "ds": ds[120:], "y": y[120:]}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = forecast(pd.concat(frames), horizon=26, model="auto", keys=["sku"], freq="W", n_jobs=1)
    joined = pd.concat(future).merge(out, on=["sku", "ds"])
    assert len(joined) == 12 * 26
    assert abs(joined.yhat.mean() / 0.5 - 1) < 0.10
    assert (joined.yhat_q90 >= 1).all()
    assert ((joined.y >= joined.yhat_q10) & (joined.y <= joined.yhat_q90)).mean() >= 0.8
    notes = " ".join(str(w.message) for w in caught)
    assert "intermittent" in notes and "forecast by tsb" in notes


def test_amounts_that_are_intermittent_get_the_spread_of_their_recent_periods():
    """Lumps of CNY 2,000-5,000 in a third of the months: the mean is the rate, P90 a lump."""
    rng = np.random.default_rng(5)
    y = np.where(rng.random(36) < 0.33, rng.uniform(2000, 5000, 36), 0.0)
    ds = pd.date_range("2023-01-01", periods=36, freq="MS")
    pred = make_model("auto", freq="MS").fit(y, ds, freq="MS").predict(3)
    assert 0.5 * y.mean() < pred.mean[0] < 2 * y.mean()
    assert pred.quantiles[0.1][0] == 0 and pred.quantiles[0.9][0] > 1500
    assert any("forecast by tsb" in n for n in pred.notes)
