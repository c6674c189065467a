"""Does a young series share the season of the pooled prior it borrows?

A daily series under a year old has no season of its own to forecast with, so its models lay
its level along the pooled path of the level above it (``PooledPrior.path``: ``recent_level``'s
young path and ``event_profile``'s ``_young_path``). That path is the series' season only where
the pool is of its kind. It is taken whole from a product grouping the series nests in (its
category, or its own SKU over the other regions: ``PooledPrior.grouping``, which
``core.level_priors`` sets). The panel's prior, the prior of keys such as ``region, sku`` or
``sku`` alone, is the sum of the shop's whole mix. A winter SKU among summer lines borrowed
that summer-heavy path into 618, +316% against +184% when held flat (review 10.3 #0). A nut
gift box in a produce shop followed the fruits' on and off seasons (618 -34%). So a pool that
is not the series' grouping lends its path only as far as the series' own days since it
started moved with it.

The test: a Poisson log-linear regression of the series' units on its days since it started
outside event spans (and, for ``event_profile``, outside one-off days),
``y_t ~ exp(a + b p_t + c t + o_t)``. ``p_t`` is the pooled log baseline on the same day
(``PooledPrior.level``), ``t`` the day (a straight line in time: the series' own growth or
launch ramp, which is no season; a parcel origin launched in July, climbing while the pool's
baseline fell, had read as moving against the pool, -2.2 of its change) and ``o_t`` a known
offset (the weekday pattern, a launch's ramp along the panel's curve). ``b`` is the share of
the pool's seasonal movement the series made: 1 if it moves with the pool, 0 if it holds its
own level. Its standard error is the sandwich with a Newey-West (Bartlett) window of
``floor(4 (k / 100)^(2/9))`` days, so day noise that is overdispersed and autocorrelated does
not pass for evidence. The days agree with the pool's season where ``b = 1`` is not rejected
at ``ALPHA`` (two-sided): the path is taken whole. Where it is rejected, the series follows the
share it made, ``min(b, 1)``, where that is above 0 at ``ALPHA`` (one-sided): a line with half
the shop's season takes half of it, one with more takes the pool's own path, never more
(``uplift_share`` bounds a series' share of the pooled event uplift the same way); else none,
its level held. Fewer than ``MIN_DAYS`` days test nothing: each model keeps the rule it had
before the test, ``recent_level`` its level held (a launch of 45 days, most of them in the
Double 11 span), ``event_profile``'s young path the pool's path (a parcel origin launched in
the new year had 24 such days by July; held, its Double 11 was 1% further off). Left: a series
with those days over which the pool barely moved cannot reject the pool's season and follows it.

Source: Zeger, "A regression model for time series of counts", *Biometrika* 75 (1988): a
Poisson log-linear model for a count series whose overdispersion and autocorrelation enter
only the sandwich variance; Newey & West, *Econometrica* 55 (1987), for the lag window.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

ALPHA = 0.05  # the level of both tests
MIN_DAYS = 28  # days read: under four weeks (each weekday four times) is no evidence of a season


@dataclass(frozen=True)
class SeasonShare:
    """How much of the pooled path a young series takes: ``share`` in [0, 1] (0: its level
    held), and ``said``, a note naming the evidence (``b`` and its standard error, the days
    read; or the grouping)."""

    share: float
    said: str


def shares_season(prior, days, y, offset=None, untested: float = 0.0) -> SeasonShare:
    """Does the series with units ``y`` on the day numbers ``days`` share ``prior``'s season?

    Parameters
    ----------
    prior : the ``PooledPrior`` the series borrows (``grouping`` set: its product grouping's,
        taken whole without a test).
    days : day numbers (days since 1970-01-01), shape (k,): the series' days since it started,
        outside event spans; days before ``prior.recent``'s first are left out (the pool's
        baseline does not reach them).
    y : units on those days, shape (k,), >= 0.
    offset : known log multipliers of those days (weekday pattern, launch ramp), shape (k,);
        None: zeros.
    untested : the share taken where the days cannot test it (fewer than ``MIN_DAYS``, or a
        pool that did not move over them): the model's rule before the test, 0 for
        ``recent_level`` (its level held), 1 for ``event_profile``'s young path (the pool's path).

    Returns
    -------
    ``SeasonShare``: all of the path from a grouping; otherwise the share the module
    docstring's test reads (0 without evidence), with the figures in ``said``.
    """
    if getattr(prior, "grouping", None):
        return SeasonShare(1.0, f"the pooled series is its {prior.grouping}'s, a product grouping it belongs to")
    days, y = np.asarray(days, np.int64), np.asarray(y, float)
    offset = np.zeros(len(days)) if offset is None else np.asarray(offset, float)
    first = min(prior.recent, default=None)
    keep = days >= first if first is not None else np.zeros(len(days), bool)
    days, y, offset = days[keep], y[keep], offset[keep]
    what = "the pooled series is not a product grouping it belongs to (the panel's mix)"
    if len(days) < MIN_DAYS or y.sum() <= 0:
        return SeasonShare(untested, f"{what}, and its {len(days)} days outside event spans since it started are "
                                     f"too few to test whether its season is the pool's (a test needs {MIN_DAYS})")
    pool = prior.level(days)
    if np.ptp(pool) == 0:
        return SeasonShare(untested, f"{what}, and the pool's baseline did not move over its {len(days)} days")
    b, se = _pool_slope(y, pool, days, offset)
    if not np.isfinite(se):
        share = 0.0
    elif abs(b - 1) < norm.ppf(1 - ALPHA / 2) * se:
        share = 1.0  # its days agree with the pool's season
    else:
        share = min(b, 1.0) if b > norm.ppf(1 - ALPHA) * se else 0.0
    return SeasonShare(share, f"{what}; over its {len(days)} days outside event spans since it started, net of a "
                              f"straight line (its own growth), it made {b:.2f} (se {se:.2f}) of the pool's baseline "
                              f"change: {share:.0%} of the pool's season taken (all of it where that is not unlike "
                              f"1 at {ALPHA:g}; else its share where above 0, at most all of it)")


def _pool_slope(y: np.ndarray, pool: np.ndarray, days: np.ndarray, offset: np.ndarray) -> tuple[float, float]:
    """``b`` of the Poisson regression ``y ~ exp(a + b pool + c days + offset)`` and its
    Newey-West sandwich standard error (``nan`` where the fit fails); arrays of shape (k,), in
    time order."""
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    t = days - days.mean()
    x = np.column_stack([np.ones(len(pool)), pool - pool.mean(), t / max(float(t.std()), 1.0)])
    lags = int(4 * (len(y) / 100) ** (2 / 9))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = GLM(y, x, family=Poisson(), offset=offset).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    except (np.linalg.LinAlgError, ValueError):
        return 0.0, float("nan")
    return float(fit.params[1]), float(fit.bse[1])
