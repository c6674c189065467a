"""Safety stock and reorder-point policy: the service-level quantile of lead-time demand.

Lead-time demand ``D_L`` has mean ``mu_L`` and variance ``sigma_L^2`` (from the forecast band:
:mod:`workbench.inventory.demand`, :mod:`workbench.inventory.replenishment`). The reorder point
is the ``service_level`` quantile of ``D_L``, so the cycle service level ``P(D_L <= ROP)`` (the
probability of no stockout in a replenishment cycle) is the one asked for.

Which distribution (:func:`lead_time_quantile`):

* ``normal`` where lead-time demand is large: ``ROP = mu_L + z sigma_L``, ``z = Phi^-1(CSL)``
  (the textbook safety stock ``SS = z sigma_L``), achieved CSL = the one asked (1 when
  ``sigma_L = 0``); ``log-normal`` in its place for a demand whose variance holds a level error
  read off a window band (``skewed``: ``s^2 = log(1 + sigma_L^2 / mu_L^2)``,
  ``ROP = mu_L exp(z s - s^2 / 2)``), as the band is symmetric in logs;
* a discrete distribution where counts are small (mean below ``discrete_below`` units): demand
  counts are at least Poisson-dispersed (a sum of independent customer orders), so
  ``Poisson(mu_L)`` when ``sigma_L^2 <= mu_L``, else the negative binomial with the same mean and
  variance; the reorder point is the smallest
  integer ``s >= ceil(mu_L)`` with ``P(D_L <= s) >= CSL`` and the achieved CSL is ``P(D_L <= s)``.
  A normal approximation there under-stocks: 0.3 a day over 7 days (Poisson 2.1) with a normal
  band gives ROP 3, CSL 0.84, where 0.95 needs ROP 5 (CSL 0.980).

Sources: Chopra & Meindl, *Supply Chain Management*, chapter "Managing uncertainty in a supply
chain: safety inventory" (normal case, ``SS = z sigma_L``); Axsaeter, *Inventory Control*, ch. 5
"Single-echelon systems: reorder points" (Poisson and compound-Poisson / negative-binomial
lead-time demand, reorder point from the discrete distribution).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import nbinom, norm, poisson

from workbench.errors import DataValidationError, ParameterError

DISTRIBUTIONS = ("auto", "normal", "discrete")
DISCRETE_BELOW = 50.0


def service_z(service_level: float) -> float:
    """``Phi^-1(service_level)`` for a cycle service level in [0.5, 1): 0.95 -> 1.645.

    Raises:
        ParameterError: ``service_level`` outside [0.5, 1).
    """
    check_service_level(service_level)
    return float(norm.ppf(service_level))


def check_service_level(service_level: float) -> float:
    """``service_level`` if it is a probability in [0.5, 1), else a ParameterError."""
    if not isinstance(service_level, (int, float)) or not 0.5 <= service_level < 1.0:
        raise ParameterError(f"service_level={service_level!r} must be a cycle service level in "
                             "[0.5, 1), e.g. 0.95")
    return float(service_level)


def lead_time_quantile(mean, variance, service_level: float, *, distribution: str = "auto",
                       discrete_below: float = DISCRETE_BELOW, skewed=False) -> pd.DataFrame:
    """The ``service_level`` quantile of lead-time demand, per item (method: module doc).

    Args:
        mean: lead-time demand means, units (array-like, >= 0).
        variance: lead-time demand variances, units^2 (array-like, >= 0), same length.
        service_level: cycle service level asked for, in [0.5, 1).
        distribution: ``auto`` (discrete where ``mean < discrete_below``, else normal),
            ``normal`` or ``discrete`` (Poisson or negative binomial).
        discrete_below: the mean (units) under which ``auto`` uses the discrete distribution.
        skewed: bool, or array-like of bools (one per item): the continuous distribution of those
            items is the log-normal with their mean and variance (``log-normal``), not the normal:
            a window total whose variance holds a level error, read off a band symmetric in logs
            (``demand.shared_level_variance``), whose upper tail a normal cuts short.

    Returns:
        A frame in the input order with ``level`` (the reorder point or order-up-to level,
        units), ``achieved`` (``P(D <= level)``) and ``distribution`` (``normal``, ``log-normal``,
        ``poisson``, ``negative binomial``).

    Raises:
        ParameterError: bad ``service_level``, ``distribution`` or ``discrete_below``.
        DataValidationError: a negative or non-finite mean or variance.
    """
    z = service_z(service_level)
    if distribution not in DISTRIBUTIONS:
        raise ParameterError(f"distribution={distribution!r} must be one of {DISTRIBUTIONS}")
    if not (isinstance(discrete_below, (int, float)) and discrete_below >= 0):
        raise ParameterError(f"discrete_below={discrete_below!r} must be a number of units >= 0")
    mu = np.asarray(mean, dtype=float)
    var = np.asarray(variance, dtype=float)
    if not (np.isfinite(mu).all() and np.isfinite(var).all()) or (mu < 0).any() or (var < -1e-9).any():
        raise DataValidationError("lead-time demand: means and variances must be finite and >= 0")
    var = np.clip(var, 0.0, None)
    if distribution == "normal":
        discrete = np.zeros(len(mu), dtype=bool)
    elif distribution == "discrete":
        discrete = np.ones(len(mu), dtype=bool)
    else:
        discrete = mu < discrete_below

    sd = np.sqrt(var)
    level = mu + z * sd
    achieved = np.where(sd > 0, service_level, 1.0)
    kind = np.full(len(mu), "normal", dtype=object)
    skew = np.broadcast_to(np.asarray(skewed, dtype=bool), mu.shape) & ~discrete & (mu > 0) & (var > 0)
    if skew.any():  # the log-normal of that mean and variance: exp(m + z s)
        s2 = np.log1p(var[skew] / mu[skew] ** 2)
        level[skew] = mu[skew] * np.exp(z * np.sqrt(s2) - s2 / 2)
        kind[skew] = "log-normal"

    # discrete: Poisson at least, negative binomial (same mean and variance) when overdispersed
    pois = discrete & (var <= mu * (1 + 1e-9))
    nb = discrete & ~pois & (mu > 0)
    zero = discrete & (mu == 0)
    floor = np.ceil(mu - 1e-9)
    if pois.any():
        level[pois] = np.maximum(poisson.ppf(service_level, mu[pois]), floor[pois])
        achieved[pois] = poisson.cdf(level[pois], mu[pois])
        kind[pois] = "poisson"
    if nb.any():
        p = mu[nb] / var[nb]
        n = mu[nb] ** 2 / (var[nb] - mu[nb])
        level[nb] = np.maximum(nbinom.ppf(service_level, n, p), floor[nb])
        achieved[nb] = nbinom.cdf(level[nb], n, p)
        kind[nb] = "negative binomial"
    level[zero] = 0.0
    achieved[zero] = 1.0
    return pd.DataFrame({"level": level, "achieved": achieved, "distribution": kind})
