"""Coherent levels: workbench.forecast.reconcile (hand-computed cases and the sample panel)."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ParameterError
from workbench.forecast.core import forecast
from workbench.forecast.reconcile import level_totals, reconcile

DS = pd.date_range("2026-06-01", periods=2)


def _bottom():
    return pd.DataFrame({"sku": ["a", "b", "a", "b"], "ds": DS.repeat(2),
                         "yhat": [10.0, 30.0, 0.0, 0.0], "yhat_q10": [8.0, 20.0, 0.0, 0.0],
                         "yhat_q90": [12.0, 45.0, 0.0, 0.0]})


def test_forecast_proportions_split_the_direct_total_and_scale_the_bands():
    total = pd.DataFrame({"ds": DS, "yhat": [80.0, 6.0], "yhat_q10": [60.0, 4.0], "yhat_q90": [100.0, 9.0]})
    out = reconcile(_bottom(), total, keys=["sku"])
    day1 = out[out.ds == DS[0]].set_index("sku")
    assert day1.yhat.tolist() == pytest.approx([20.0, 60.0])  # 10:30 of 80
    assert day1.yhat_q10.tolist() == pytest.approx([16.0, 40.0])  # the series' own bands, x2
    assert day1.yhat_q90.tolist() == pytest.approx([24.0, 90.0])
    # the bottom forecasts nothing on day 2 but the total does: an equal split, stated
    day2 = out[out.ds == DS[1]]
    assert day2.yhat.tolist() == pytest.approx([3.0, 3.0]) and day2.yhat_q90.tolist() == pytest.approx([4.5, 4.5])
    assert out.attrs["reconcile"]["equal_split_dates"] == [DS[1]]
    assert level_totals(out, []).yhat.tolist() == pytest.approx([80.0, 6.0])


def test_bottom_up_keeps_the_bottom_and_bad_input_is_named():
    assert reconcile(_bottom(), keys=["sku"], method="bottom_up").yhat.tolist() == [10.0, 30.0, 0.0, 0.0]
    with pytest.raises(ParameterError, match="not one of"):
        reconcile(_bottom(), keys=["sku"], method="mint")
    with pytest.raises(ParameterError, match="needs the total"):
        reconcile(_bottom(), keys=["sku"])
    with pytest.raises(ParameterError, match="no row for 1 dates .* 2026-06-02"):
        reconcile(_bottom(), pd.DataFrame({"ds": DS[:1], "yhat": [1.0]}), keys=["sku"])


def test_reconciled_categories_add_up_to_the_direct_national_forecast(categories):
    bottom = forecast(categories, horizon=30, keys=["category"], n_jobs=1)
    total = forecast(categories.groupby("ds", as_index=False)["y"].sum(), horizon=30, n_jobs=1)
    out = reconcile(bottom, total, keys=["category"])
    summed = level_totals(out, []).set_index("ds").yhat
    np.testing.assert_allclose(summed.to_numpy(), total.set_index("ds").yhat.reindex(summed.index).to_numpy(),
                               rtol=1e-9)
    # the categories keep their own shares of each day
    share_before = bottom.set_index(["ds", "category"]).yhat / bottom.groupby("ds").yhat.sum()
    share_after = out.set_index(["ds", "category"]).yhat / out.groupby("ds").yhat.sum()
    np.testing.assert_allclose(share_after.sort_index().to_numpy(), share_before.sort_index().to_numpy(), rtol=1e-9)
