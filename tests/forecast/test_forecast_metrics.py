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
