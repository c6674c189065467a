"""A launch's own rise, where no launch curve exists to climb (trial 17 F7).

A SKU launched within the last year is usually still on its ramp at the cut-off. With the
panel's pooled launch curve (``models.launch``) it climbs the curve; but a shop under a year old
has too few older launches for one (``LaunchCurve.usable``), and its launches were held at their
current level: a launched SKU at 0.51 of its 618 2027 in trial 17, a seeded growing shop's
launches 41% low for 双11 (``benchmarks/growing_shop.py``). Its own days since the launch then
say whether it still rises, and how fast that rise slows:

* **the days read**: the series' quiet days of its current regime (since its start or its
  last level shift, ``regime.detect_regime``: level and growth from the current regime only; a
  step inside the year read as a rise had put a young parcel origin's 618 2022 43% high),
  weekday-adjusted, in log units, less the pooled series' log baseline on the same days where
  the pool's path lays a season (a year of its own: ``PooledPrior.yearly``) times the share of
  that path the forecast lays (``pool_season.shares_season``): the rise of its share of the
  pool, not the season's (a winter line launched in the autumn rises with the shop's season,
  which the pooled path carries). A pooled path without a year is the pool's recent slope, its
  season and its launches' growth in one: the launch's own rise replaces it;
* **still rising** (``own_rise``): the days show a rise by the Mann-Kendall test at
  ``RISE_ALPHA``, one-sided (H. B. Mann, "Nonparametric tests against trend", Econometrica 13,
  1945; M. G. Kendall, *Rank Correlation Methods*, 1975: Kendall's tau between age and level),
  its variance inflated for the days' serial correlation (``mann_kendall``);
* **the rise levels off** (a launch reaches a plateau): the share's level (``exp`` of the log
  share, against its mean) is fitted by the modified exponential ``V(a) = V(end) + R (1 -
  exp(-(a - end) / T))`` (the saturating trend curve: a level that approaches its plateau
  ``V(end) + R`` at a rate that slows with the time constant ``T``), by least squares for each
  ``T`` of a geometric grid (``TIME_CONSTANTS``: a week up to the age over which the rise was
  seen; the decay fitted on a grid as the launch curve's tail is, ``launch._tail_factors``),
  the ``T`` of least squared error kept. A launch with a rise that shows no slowing reaches
  the grid's top: nothing says how long it goes on, and a launch levels off, so ``T`` is at
  most its age seen. A launch that ramped in its first weeks and has been flat since gets a
  short ``T`` and nearly nothing left to rise; one past its peak (``R <= 0``) none;
* **kept as far as it is measured**: the rise left ``R`` is shrunk by its noise
  (``conformal.wiener_factor``, its variance the least-squares one);
* **the growth** from age ``a0`` (where the model read its current level) to ``a``:
  ``log(V(a) / V(a0))``; the part past the history's last day is uncertain by its own size
  (whether the rise goes on is unknown, as ``LaunchCurve.growth_spread`` says of a curve's
  tail), which the window bands add (``Prediction.launch_spread``).

Series older than a year, and launches that climb a usable curve, never read it (the models'
rule: ``event_profile._young_path``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau, norm, theilslopes

from workbench.forecast.conformal import wiener_factor

MIN_RISE_DAYS = 42  # quiet days a rise is read on
RISE_ALPHA = 0.05  # one-sided Mann-Kendall level of a rise
TIME_CONSTANTS = 40  # points of the geometric grid of time constants T
MIN_TIME_CONSTANT = 7.0  # days: the shortest T of the grid (a step within a week)


@dataclass(frozen=True)
class OwnRise:
    """A launch's own rise of its share of the pool: ``V(a) = level + rise x (1 - exp(-(a -
    end) / time_constant))``, ``a`` in days since the series' start, ``V`` the share's level
    relative to its mean over the days read.

    ``end``: the age of the history's last day; ``level``: the fitted level there; ``rise``: the
    rise left to its plateau, after the Wiener shrinkage; ``time_constant``: days; ``p_value``:
    the one-sided Mann-Kendall p-value of the rise; ``days``: days read.
    """

    end: float
    level: float
    rise: float
    time_constant: float
    p_value: float
    days: int

    def _value(self, ages) -> np.ndarray:
        a = np.asarray(ages, float)
        return np.maximum(self.level + self.rise * (1 - np.exp(-(a - self.end) / self.time_constant)), 1e-6)

    def growth(self, age_now: float, ages) -> np.ndarray:
        """Log factor of the level from age ``age_now`` to each of ``ages`` (days since the
        series' start; shape (k,)): ``log(V(a) / V(age_now))``."""
        return np.log(self._value(ages) / self._value(age_now))

    def spread(self, age_now: float, ages) -> np.ndarray:
        """Standard deviation (log) of ``growth``: the growth past the history's last day
        (``end``), uncertain by its own size. Shape (k,)."""
        ages = np.asarray(ages, float)
        edge = max(float(age_now), self.end)
        return np.abs(self.growth(age_now, ages) - self.growth(age_now, np.minimum(ages, edge)))

    @property
    def plateau(self) -> float:
        """The level it rises to over its level at ``end``."""
        return float((self.level + self.rise) / self._value(self.end))

    def describe(self) -> str:
        """The rise in words for a note."""
        return (f"its own {self.days} days outside event spans in its current regime rise (Mann-Kendall p = "
                f"{self.p_value:.3f}) and level off as a launch does (a modified exponential, time constant "
                f"{self.time_constant:.0f} days) to x{self.plateau:.2f} of its level at the cut-off")


def own_rise(share: np.ndarray, ages: np.ndarray, end: float) -> tuple[OwnRise | None, str]:
    """A launch's own rise (module docstring) from its quiet days: ``share`` (log level less
    the pool's, weekday-adjusted, shape (m,)) at ``ages`` (days since the series' start, shape
    (m,), increasing); ``end``: the age of the history's last day. Returns ``(rise, why)``:
    the rise, or None with why it is none (too few days, no significant rise, none left)."""
    share, ages = np.asarray(share, float), np.asarray(ages, float)
    if len(share) < MIN_RISE_DAYS:
        return None, (f"{len(share)} days outside event spans in its current regime (a rise is read on "
                      f"{MIN_RISE_DAYS})")
    p = mann_kendall(ages, share)
    if not p < RISE_ALPHA:
        return None, f"no significant rise over its {len(share)} days outside event spans (Mann-Kendall p = {p:.2f})"
    v = np.exp(share - share.mean())
    seen = max(end - ages[0], MIN_TIME_CONSTANT)
    best = None
    for t in np.geomspace(MIN_TIME_CONSTANT, seen, TIME_CONSTANTS):
        x = np.exp(-(ages - end) / t)  # 1 at the end: V = plateau - rise x
        sxx = float(((x - x.mean()) ** 2).sum())
        beta = float(((x - x.mean()) * (v - v.mean())).sum() / sxx)
        sse = float(((v - v.mean() - beta * (x - x.mean())) ** 2).sum())
        if best is None or sse < best[0]:
            best = (sse, t, beta, float(v.mean() - beta * x.mean()), sxx)
    sse, t, beta, plateau, sxx = best
    if beta >= 0:
        return None, (f"its rise (Mann-Kendall p = {p:.3f}) has ended: its level is past its peak")
    se2 = sse / (len(v) - 2) / sxx
    return OwnRise(end=float(end), level=plateau + beta, rise=-beta * wiener_factor(beta, se2), time_constant=float(t),
                   p_value=float(p), days=len(v)), ""


def mann_kendall(x: np.ndarray, y: np.ndarray) -> float:
    """One-sided p-value of a rise of ``y`` along ``x`` (shape (m,) each) by the Mann-Kendall
    test (Kendall's tau of ``x`` and ``y``), its variance inflated for the lag-1 autocorrelation
    ``r`` of ``y``'s residuals about the Theil-Sen line by ``(1 + r) / (1 - r)`` (r > 0 only: the
    effective sample size of S. Yue & C. Wang, "The Mann-Kendall test modified by effective
    sample size to detect trend in serially correlated hydrological series", Water Resources
    Management 18, 2004): days of one promotion are no independent evidence of a rise."""
    tau, p = kendalltau(x, y, alternative="greater")
    slope, intercept = theilslopes(y, x)[:2]
    resid = y - intercept - slope * x
    r = float(np.corrcoef(resid[:-1], resid[1:])[0, 1]) if len(y) > 2 and resid.std() > 0 else 0.0
    if not np.isfinite(p) or not np.isfinite(r):
        return 1.0
    inflation = (1 + r) / (1 - r) if 0 < r < 1 else 1.0
    return float(norm.sf(norm.isf(p) / np.sqrt(inflation)))
