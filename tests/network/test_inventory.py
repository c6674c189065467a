"""Safety stock, reorder point and alerts against hand-computed textbook cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataValidationError, ParameterError
from workbench.network.inventory import alerts, replenishment_plan, service_z, slow_movers

Z90 = 1.2815515655446004


def flat_forecast(keys: dict, mean: float, sd: float, days: int = 120) -> pd.DataFrame:
    """A daily forecast with constant mean and a normal 10-90 % band of standard deviation sd."""
    frame = pd.DataFrame({"ds": pd.date_range("2026-11-01", periods=days, freq="D"),
                          "yhat": mean, "yhat_q10": mean - Z90 * sd, "yhat_q50": mean,
                          "yhat_q90": mean + Z90 * sd})
    return frame.assign(**keys)


def test_service_z():
    assert service_z(0.95) == pytest.approx(1.6449, abs=1e-4)
    with pytest.raises(ParameterError, match="service_level"):
        service_z(1.0)


def test_chopra_meindl_fixed_lead_time():
    # weekly demand N(2500, 500), lead time 2 weeks, CSL 90 %:
    # sigma_L = sqrt(2) * 500 = 707.1, SS = 1.2816 * 707.1 = 906, ROP = 5000 + 906 = 5906
    fc = flat_forecast({"sku": "lego"}, 2500 / 7, 500 / np.sqrt(7))
    plan = replenishment_plan(
        fc, pd.DataFrame({"sku": ["lego"], "lead_time_days": [14]}),
        pd.DataFrame({"sku": ["lego"], "on_hand": [6000.0]}), keys=["sku"], service_level=0.9,
        review_days=0)
    row = plan.iloc[0]
    assert row["sigma_lt"] == pytest.approx(707.1, abs=0.1)
    assert row["safety_stock"] == pytest.approx(906, abs=0.5)
    assert row["reorder_point"] == pytest.approx(5906, abs=0.5)
    assert row["alert"] == "ok" and row["order_qty"] == 0


def test_chopra_meindl_uncertain_lead_time():
    # weekly demand N(2500, 500), lead time 7 weeks with sd 7 weeks, CSL 90 %:
    # sigma_L = sqrt(7 * 500^2 + 2500^2 * 7^2) = 17,550; SS = 1.2816 * 17,550 = 22,491
    fc = flat_forecast({"sku": "lego"}, 2500 / 7, 500 / np.sqrt(7), days=200)
    plan = replenishment_plan(
        fc, pd.DataFrame({"sku": ["lego"], "lead_time_days": [49], "lead_time_std_days": [49]}),
        pd.DataFrame({"sku": ["lego"], "on_hand": [0.0]}), keys=["sku"], service_level=0.9,
        review_days=0)
    assert plan["sigma_lt"].iloc[0] == pytest.approx(17550, rel=1e-3)
    assert plan["safety_stock"].iloc[0] == pytest.approx(22491, rel=1e-3)


def test_alerts_order_up_to_and_stockout_risk():
    # mean 100/day, sd 20/day, L = 4 days, R = 7 days, CSL 95 %
    fc = pd.concat([flat_forecast({"sku": s, "warehouse": "Beijing"}, 100, 20) for s in "abc"])
    lead = pd.DataFrame({"sku": list("abc"), "warehouse": "Beijing", "lead_time_days": 4})
    stock = pd.DataFrame({"sku": list("abc"), "warehouse": "Beijing",
                          "on_hand": [1000.0, 300.0, 100.0], "on_order": [0.0, 100.0, 0.0]})
    plan = replenishment_plan(fc, lead, stock, keys=["sku", "warehouse"], service_level=0.95)
    z = service_z(0.95)
    rop = 400 + z * 20 * 2  # 465.8
    s_level = 1100 + z * 20 * np.sqrt(11)
    by = plan.set_index("sku")
    assert by.loc["a", "reorder_point"] == pytest.approx(rop)
    assert by.loc["a", "alert"] == "ok"
    assert by.loc["b", "alert"] == "reorder"  # position 400 < ROP 465.8, but covers mu_L = 400
    assert by.loc["b", "order_qty"] == pytest.approx(s_level - 400)
    assert by.loc["c", "alert"] == "stockout risk"  # 100 < 400 expected in the lead time
    assert by.loc["c", "days_of_cover"] == pytest.approx(1.0)
    assert alerts(plan)["sku"].tolist() == ["c", "b"]


def test_dynamic_safety_stock_follows_the_forecast():
    # a campaign ramp: the lead-time window sees the higher demand and wider band
    fc = flat_forecast({"sku": "a"}, 100, 20)
    fc.loc[fc.index[:3], ["yhat", "yhat_q50"]] = 300
    fc.loc[fc.index[:3], "yhat_q10"] = 300 - Z90 * 60
    fc.loc[fc.index[:3], "yhat_q90"] = 300 + Z90 * 60
    plan = replenishment_plan(fc, pd.DataFrame({"sku": ["a"], "lead_time_days": [4]}),
                              pd.DataFrame({"sku": ["a"], "on_hand": [0.0]}), keys=["sku"],
                              review_days=0)
    assert plan["demand_lt"].iloc[0] == pytest.approx(3 * 300 + 100)
    assert plan["sigma_lt"].iloc[0] == pytest.approx(np.sqrt(3 * 60**2 + 20**2))


def test_fractional_lead_time_counts_pro_rata():
    fc = flat_forecast({"sku": "a"}, 100, 20)
    plan = replenishment_plan(fc, pd.DataFrame({"sku": ["a"], "lead_time_days": [2.5]}),
                              pd.DataFrame({"sku": ["a"], "on_hand": [0.0]}), keys=["sku"])
    assert plan["demand_lt"].iloc[0] == pytest.approx(250)


def test_slow_movers():
    fc = pd.concat([flat_forecast({"sku": "fast"}, 10, 2), flat_forecast({"sku": "slow"}, 1, 0.5)])
    stock = pd.DataFrame({"sku": ["fast", "slow"], "on_hand": [100.0, 200.0]})
    slow = slow_movers(fc, stock, keys=["sku"], min_turns=4)
    assert slow["sku"].tolist() == ["slow"]
    assert slow["annual_turns"].iloc[0] == pytest.approx(365 * 1 / 200)
    assert slow["days_of_cover"].iloc[0] == pytest.approx(200)


def test_missing_inputs_are_named():
    fc = flat_forecast({"sku": "a"}, 100, 20, days=5)
    lead = pd.DataFrame({"sku": ["a"], "lead_time_days": [4]})
    with pytest.raises(DataValidationError, match="stock: no row for"):
        replenishment_plan(fc, lead, pd.DataFrame({"sku": ["z"], "on_hand": [1.0]}), keys=["sku"])
    with pytest.raises(DataValidationError, match="shorter than its lead time"):
        replenishment_plan(fc, lead, pd.DataFrame({"sku": ["a"], "on_hand": [1.0]}), keys=["sku"])
    with pytest.raises(DataValidationError, match="quantile"):
        replenishment_plan(fc.drop(columns=["yhat_q10"]), lead,
                           pd.DataFrame({"sku": ["a"], "on_hand": [1.0]}), keys=["sku"])
