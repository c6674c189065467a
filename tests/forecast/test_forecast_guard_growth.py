"""A channel that grows fast (trial 12 F11): 视频号 went from 2% to 25% of a pet shop in a year.
Its model's forecast 9 months ahead rose above 3x its last year's largest day, and the guard
held it flat at its last 56 days' mean: 618 -67% against the truth, where the model's own
forecast was +28%. The guard's caps allow the growth the series made over its last year
(``guard.own_growth``); a blow-up from a near-zero base (a launch's zeros) is still refused."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.guard import check_prediction, own_growth
from workbench.forecast.models.base import Prediction

pytestmark = pytest.mark.filterwarnings("ignore")

def test_a_channel_that_grew_may_grow_as_much_again():
    """A channel at ~25 a day a year ago and ~120 a day now (x5): a forecast whose baseline
    reaches 4x its last year's largest day is believable; x40 is not."""
    rng = np.random.default_rng(0)
    level = 8.0 * np.exp(np.log(15.0) * np.arange(600) / 600)
    y = rng.poisson(level).astype(float)
    growth = own_growth(y, "D")
    assert 4 < growth < 6  # x15 over 600 days: x5.2 a year
    days = pd.date_range("2026-09-16", periods=270)
    for factor, believable in ((4.0, True), (40.0, False)):
        path = np.full(270, factor * y[-365:].max())
        pred = Prediction(days, path, {0.1: path * 0.8, 0.5: path, 0.9: path * 1.2}, [], path)
        reason = check_prediction(y, pred, "D")
        assert (reason is None) == believable, reason
    assert "times the growth it made over its last year" in reason


def test_a_blow_up_from_a_launch_is_still_refused():
    """A series launched 200 days ago (zeros before) has no year-before base: no growth allowance."""
    y = np.r_[np.zeros(400), np.full(200, 50.0)]
    assert own_growth(y, "D") == 1.0
    days = pd.date_range("2027-01-01", periods=90)
    blown = np.full(90, 50.0 * 20)
    pred = Prediction(days, blown, {0.1: blown * 0.8, 0.5: blown, 0.9: blown * 1.2}, [], blown)
    assert "more than 3x the largest value of the last year" in check_prediction(y, pred, "D")


def test_the_growth_allowed_is_the_series_own_over_a_year():
    y = np.r_[np.full(365, 10.0), np.full(84, 60.0)]
    assert own_growth(y, "D") == pytest.approx(6.0)
    assert own_growth(np.r_[np.full(365, 5.0), np.full(84, 500.0)], "D") == 10.0  # at most MAX_OWN_GROWTH
    trickle = np.r_[np.where(np.arange(365) % 3 == 0, 1.0, 0.0), np.full(84, 60.0)]
    assert own_growth(trickle, "D") == 1.0  # sold on a third of the year-before days: no base
    channel = np.r_[np.where(np.arange(365) % 2 == 0, 1.0, 0.0), np.full(84, 90.0)]
    channel[len(channel) - 365 - 84:len(channel) - 365:3] = 1.0  # sold on 2 of 3 days, 1 a day (trial 12's 视频号)
    assert own_growth(channel, "D") == 10.0


def test_a_stock_out_or_a_promotion_is_no_growth():
    """Review 10.3 #2: a year-before window half out of stock (5 a day on 15 of 28 days) allowed
    x10, and a 5-day x5 promotion in this year's window x1.75."""
    rng = np.random.default_rng(1)
    y = rng.poisson(50.0, 365 + 84).astype(float)
    y[len(y) - 365 - 28:len(y) - 365 - 13] = 5.0
    assert own_growth(y, "D") < 1.2
    y = rng.poisson(50.0, 365 + 84).astype(float)
    y[-5:] *= 5
    assert own_growth(y, "D") < 1.2
