"""pool_season.shares_season: a young series takes the share of a pooled path its own days show."""

import numpy as np

from workbench.forecast.models.event_profile import PooledPrior
from workbench.forecast.models.pool_season import MIN_DAYS, shares_season

DAYS = np.arange(20000, 20240)  # day numbers: 240 days up to the pool's last day
SEASON = 0.5 * np.sin(2 * np.pi * (DAYS - DAYS[0]) / 365.25)  # the pool's log baseline, rising then falling


def pool(grouping=None) -> PooledPrior:
    """A pooled prior whose baseline over ``DAYS`` is ``SEASON`` (relative to its last day's)."""
    return PooledPrior(recent={int(d): float(v - SEASON[-1]) for d, v in zip(DAYS, SEASON)},
                       path={int(DAYS[-1]): 0.0}, grouping=grouping)


def counts(seed: int, log_level: np.ndarray) -> np.ndarray:
    """Gamma-Poisson day counts (shape 8) around ``exp(log_level)``."""
    rng = np.random.default_rng(seed)
    return rng.poisson(rng.gamma(8.0, np.exp(log_level) / 8.0)).astype(float)


def test_a_series_that_moves_with_the_pool_takes_its_path_and_one_that_does_not_holds_its_level():
    """Eight seeds each: 40 a day along the pool's season (share 1 every time), along half of
    it (about half on average), against it (0 every time), and flat (0 on average, seen as a
    share on one seed of eight at most: a 5% test). Each also climbing 60% over its days, a
    launch's growth, which is no season: the same shares."""
    for growth in (0.0, 0.6):
        climb = growth * (DAYS - DAYS[0]) / len(DAYS)
        shares = {k: [shares_season(pool(), DAYS, counts(seed, np.log(40) + climb + k * SEASON)).share
                      for seed in range(8)] for k in (1.0, 0.5, -1.0, 0.0)}
        assert min(shares[1.0]) == 1.0 and max(shares[-1.0]) == 0.0, shares
        assert 0.3 < np.mean(shares[0.5]) < 0.8 and np.mean(shares[0.0]) < 0.1, shares
        assert sum(s > 0 for s in shares[0.0]) <= 1, shares


def test_a_grouping_lends_its_whole_path_and_too_few_days_none():
    """From its product grouping (a category) the path is taken whole without a test; from the
    panel's mix, under MIN_DAYS days are no evidence: the level is held."""
    y = counts(0, np.log(40) - SEASON)
    assert shares_season(pool("cat"), DAYS, y).share == 1.0
    short = shares_season(pool(), DAYS[-(MIN_DAYS - 1):], y[-(MIN_DAYS - 1):])
    assert short.share == 0 and "too few" in short.said
