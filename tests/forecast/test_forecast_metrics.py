import numpy as np
import pytest

from workbench.forecast import metrics


def test_hand_computed_values():
    y, yhat = np.array([10.0, 20.0, 30.0]), np.array([12.0, 18.0, 33.0])
    assert metrics.wape(y, yhat) == pytest.approx(7 / 60)
    assert metrics.bias(y, yhat) == pytest.approx(3 / 60)
    assert metrics.event_total_error(y, yhat) == pytest.approx(0.05)
    assert metrics.coverage(y, y - 1, y + 1) == 1.0
    assert metrics.coverage(y, yhat - 1, yhat + 1) == 0.0
    train = np.array([1.0, 2, 3, 4, 5, 6, 7, 3, 4, 5])  # seasonal (7) naive MAE: (2+2+2)/3 = 2
    assert metrics.mase(y, yhat, train, season=7) == pytest.approx((7 / 3) / 2)
    assert metrics.pinball([10.0], [8.0], 0.9) == pytest.approx(1.8)
    assert metrics.pinball([10.0], [12.0], 0.9) == pytest.approx(0.2)


def test_degenerate_inputs_give_nan_not_errors():
    assert np.isnan(metrics.wape([0.0, 0.0], [1.0, 2.0]))
    assert np.isnan(metrics.mase([1.0], [1.0], [1.0, 1.0], season=7))


def test_scaled_pinball_is_the_mean_quantile_loss_over_the_seasonal_naive_mae():
    train = np.array([1.0, 2, 3, 4, 5, 6, 7, 3, 4, 5])  # seasonal (7) naive MAE 2
    assert metrics.seasonal_naive_mae(train, season=7) == pytest.approx(2.0)
    y = np.array([10.0])
    qs = {0.1: np.array([8.0]), 0.5: np.array([10.0]), 0.9: np.array([12.0])}
    # losses: 0.1 * 2 = 0.2, 0, 0.1 * 2 = 0.2 -> mean 0.4 / 3, scaled by 2
    assert metrics.scaled_pinball(y, qs, train, season=7) == pytest.approx(0.4 / 3 / 2)
    # a band that misses costs more than one that holds the actual
    wide_miss = {0.1: np.array([20.0]), 0.5: np.array([25.0]), 0.9: np.array([30.0])}
    assert metrics.scaled_pinball(y, wide_miss, train, season=7) > metrics.scaled_pinball(y, qs, train, season=7)


def test_scaled_pinball_is_nan_without_a_scale():
    assert np.isnan(metrics.scaled_pinball([1.0], {0.5: [1.0]}, [3.0] * 10, season=7))  # flat history
    assert np.isnan(metrics.scaled_pinball([1.0], {0.5: [1.0]}, [3.0, 4.0], season=7))  # too short


def test_robust_sd_is_the_sd_of_normal_data_and_ignores_a_few_outliers():
    import math

    from workbench.forecast.metrics import robust_sd

    x = np.random.default_rng(7).normal(10.0, 2.0, 20_000)
    assert robust_sd(x) == pytest.approx(2.0, rel=0.02)
    assert robust_sd(np.r_[x, np.full(200, 1e6)]) == pytest.approx(robust_sd(x), rel=0.02)  # 1% wild values
    assert robust_sd([1.0, 2.0, 3.0, 100.0]) == pytest.approx(1.4826)  # median 2.5, deviations 1.5, 0.5, 0.5, 97.5
    assert math.isnan(robust_sd([]))
