"""event_profile's running statistics and significance bars: the same figures as the pandas and
scipy calls they replace, at a cost that no longer dominates a series' fit (docs/benchmarks.md,
"Where the default model's time went, and the speed-ups that keep every forecast")."""

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import binom, norm

from workbench.forecast.models.event_profile import (JUMP_SIDE, _centred_median, _centred_sum_count, _day_jumps,
                                                     _jump_z)


def _series(rng, n):
    values = rng.normal(size=n)
    values[rng.random(n) < rng.random()] = np.nan
    return values


def test_running_medians_are_pandas_figures():
    rng = np.random.default_rng(0)
    for _ in range(100):
        values = _series(rng, int(rng.integers(1, 200)))
        for window in (4, 7, 15):
            expected = pd.Series(values).rolling(window, center=True, min_periods=max(3, window // 3)).median()
            assert np.array_equal(_centred_median(values, window), expected.to_numpy(), equal_nan=True)


def test_day_jumps_are_over_the_pandas_medians_of_both_sides():
    rng = np.random.default_rng(1)
    for _ in range(100):
        residual = rng.normal(size=int(rng.integers(1, 200)))
        r = pd.Series(residual)
        before = r.shift(1).rolling(JUMP_SIDE, min_periods=1).median().to_numpy()
        after = r[::-1].shift(1).rolling(JUMP_SIDE, min_periods=1).median()[::-1].to_numpy()
        up, down = residual - np.fmax(before, after), np.fmin(before, after) - residual
        expected = np.nan_to_num(np.where(up > 0, up, np.where(down > 0, -down, 0.0)))
        assert np.array_equal(_day_jumps(residual), expected)


def test_centred_sums_and_counts_are_pandas_figures_to_rounding():
    rng = np.random.default_rng(2)
    for _ in range(100):
        values = _series(rng, int(rng.integers(1, 900)))
        rolling = pd.Series(values).rolling(7, center=True, min_periods=1)
        total, count = _centred_sum_count(values, 7)
        assert np.array_equal(count, rolling.count().fillna(0).to_numpy())
        np.testing.assert_allclose(total, rolling.sum().to_numpy(), rtol=0, atol=1e-12)


def test_jump_bar_is_scipys_root_at_a_fraction_of_its_cost():
    """The root of scipy.stats' own integrand, bit for bit (its speed is measured in
    benchmarks/forecast_speed.py, not asserted here)."""
    alpha = 0.01 / 37  # a level no other test asks for: not in the cache

    def tail(z):
        def median_cdf(m):
            return binom.sf(JUMP_SIDE // 2, JUMP_SIDE, norm.cdf(m))
        return quad(lambda x: norm.pdf(x) * median_cdf(x - z) ** 2, -12, 12)[0] - alpha

    z = _jump_z(alpha)
    assert z == float(brentq(tail, 0.0, 12.0))
