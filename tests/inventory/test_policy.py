"""Reorder points from lead-time demand: textbook normal case, exact Poisson and negative binomial."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.errors import DataValidationError, ParameterError
from workbench.inventory.policy import lead_time_quantile, service_z


def poisson_cdf(k: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1))


def nb_cdf(k: int, mean: float, var: float) -> float:
    # P(X = i) = C(i + r - 1, i) p^r (1 - p)^i with p = mean / var, r = mean^2 / (var - mean)
    p, r = mean / var, mean**2 / (var - mean)
    return sum(math.exp(math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1))
               * p**r * (1 - p) ** i for i in range(k + 1))


def test_normal_case_is_the_textbook_safety_stock():
    # Chopra & Meindl: sigma_L = 707.1, CSL 90 % -> ROP = 5000 + 1.2816 * 707.1 = 5906
    out = lead_time_quantile([5000.0], [707.1**2], 0.90)
    assert out["distribution"].iloc[0] == "normal"
    assert out["level"].iloc[0] == pytest.approx(5906.2, abs=0.1)
    assert out["achieved"].iloc[0] == pytest.approx(0.90)
    assert service_z(0.95) == pytest.approx(1.6449, abs=1e-4)


def test_issue_examples_reach_the_service_level_asked():
    # 0.3/day x 7 days = Poisson(2.1): the normal band gave ROP 3 (CSL 0.84); 0.95 needs 5
    out = lead_time_quantile([2.1, 0.35], [0.2, 0.0], 0.95)
    assert out["distribution"].tolist() == ["poisson", "poisson"]
    assert poisson_cdf(3, 2.1) == pytest.approx(0.8386, abs=1e-4)
    assert poisson_cdf(4, 2.1) < 0.95 <= poisson_cdf(5, 2.1)
    assert out["level"].iloc[0] == 5
    assert out["achieved"].iloc[0] == pytest.approx(poisson_cdf(5, 2.1))  # 0.9796
    # 0.05/day x 7 = Poisson(0.35): no safety stock gave CSL e^-0.35 = 0.70; one unit gives 0.951
    assert out["level"].iloc[1] == 1
    assert out["achieved"].iloc[1] == pytest.approx(poisson_cdf(1, 0.35))
    assert (out["achieved"] >= 0.95).all()


def test_overdispersed_counts_use_the_negative_binomial():
    mean, var = 4.0, 12.0
    out = lead_time_quantile([mean], [var], 0.95)
    level = int(out["level"].iloc[0])
    assert out["distribution"].iloc[0] == "negative binomial"
    assert nb_cdf(level - 1, mean, var) < 0.95 <= nb_cdf(level, mean, var)
    assert out["achieved"].iloc[0] == pytest.approx(nb_cdf(level, mean, var))


def test_zero_demand_needs_no_stock_and_never_goes_negative():
    out = lead_time_quantile([0.0, 0.0], [0.0, 0.0], 0.99, distribution="discrete")
    assert out["level"].tolist() == [0.0, 0.0]
    assert out["achieved"].tolist() == [1.0, 1.0]
    normal = lead_time_quantile([0.0], [0.0], 0.99, distribution="normal")
    assert normal["level"].iloc[0] == 0.0


def test_discrete_reorder_point_never_below_the_mean():
    # a very skewed negative binomial at CSL 0.5 has its median below the mean: keep >= ceil(mean)
    out = lead_time_quantile([3.0], [300.0], 0.5)
    assert out["level"].iloc[0] >= 3


def test_bad_arguments_are_named():
    with pytest.raises(ParameterError, match="service_level"):
        lead_time_quantile([1.0], [1.0], 1.0)
    with pytest.raises(ParameterError, match="distribution"):
        lead_time_quantile([1.0], [1.0], 0.9, distribution="gamma")
    with pytest.raises(DataValidationError, match=">= 0"):
        lead_time_quantile([-1.0], [1.0], 0.9)
    with pytest.raises(DataValidationError, match="finite"):
        lead_time_quantile([np.nan], [1.0], 0.9)


def test_a_skewed_demand_takes_the_log_normal_of_its_mean_and_variance():
    # mean 1000, sd 300: s^2 = log(1 + 0.09) = 0.0862, P95 = 1000 exp(1.6449 s - s^2 / 2) = 1550.8
    # (the normal's 1493.5 cuts the upper tail of a level error short); small counts stay discrete
    out = lead_time_quantile([1000.0, 1000.0, 4.0], [300.0**2, 300.0**2, 12.0], 0.95, skewed=[True, False, True])
    s2 = np.log1p(0.09)
    assert out["distribution"].tolist() == ["log-normal", "normal", "negative binomial"]
    assert out["level"].iloc[0] == pytest.approx(1000 * np.exp(1.6449 * np.sqrt(s2) - s2 / 2), rel=1e-4)
    assert out["level"].iloc[1] == pytest.approx(1000 + 1.6449 * 300, rel=1e-4)
    assert out["achieved"].iloc[0] == pytest.approx(0.95)
