"""Response curves GMV(spend) and their fitting from weekly channel history.

A Hill curve ``vmax * x^s / (x^s + k^s)`` maps spend ``x`` to attributed GMV: ``vmax`` is the
saturation GMV, ``k`` the spend that reaches half of it, ``s`` the shape (concave for
``s <= 1``, S-shaped for ``s > 1`` with an inflection point). ``x``, ``k`` and ``vmax`` are in the
same currency unit (CNY unless a caller says otherwise) over the same period (a week for fitted
history, a year for a plan; :meth:`HillCurve.rescaled` converts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from workbench.budget.explain import shown
from workbench.errors import DataValidationError, ModelError, ParameterError


def hill(x, vmax, k, s):
    """GMV at spend ``x`` (>= 0) of the Hill curve ``vmax x^s / (x^s + k^s)`` (Hill 1910; the
    shape-and-saturation curve of media-mix models, Jin et al. 2017).

    ``x``, ``k`` and ``vmax`` in one currency unit per period, ``s`` unitless; parameters may be
    arrays that broadcast with ``x`` (one curve per element). Returns GMV (float array); 0 at
    ``x = 0``.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.where(x > 0, (k / np.where(x > 0, x, 1.0)) ** s, np.inf)
    return vmax / (1.0 + ratio)


def hill_marginal(x, vmax, k, s):
    """dGMV/dspend at ``x``: the marginal ROI (GMV per extra unit of spend, unitless), the
    derivative ``vmax s (x/k)^s / (x (1 + (x/k)^s)^2)``; at ``x = 0`` inf when s < 1, vmax / k when
    s = 1, 0 when s > 1. Parameters may be arrays that broadcast with ``x``.
    """
    x, vmax, k, s = (np.asarray(v, dtype=float) for v in (x, vmax, k, s))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        safe = np.where(x > 0, x, 1.0)
        u = (safe / k) ** s
        positive = vmax * s * u / (safe * (1.0 + u) ** 2)
        at_zero = np.where(s < 1, np.inf, np.where(s == 1, vmax / k, 0.0))
    return np.where(x > 0, positive, at_zero)


def hill_inflection(k, s):
    """Spend where an S-shaped curve turns from convex to concave, ``k ((s-1)/(s+1))^(1/s)``
    (the zero of the second derivative); 0 when ``s <= 1``. Same unit as ``k``."""
    k, s = np.asarray(k, dtype=float), np.asarray(s, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = k * (np.maximum(s - 1.0, 0.0) / (s + 1.0)) ** (1.0 / s)
    return np.where(s > 1, point, 0.0)


@dataclass(frozen=True)
class HillCurve:
    """A Hill response curve (Hill 1910; the saturating response curve of marketing-mix models,
    e.g. Jin et al. 2017, "Bayesian methods for media mix modeling with carryover and shape
    effects"); ``vmax`` and ``k`` in currency units per period, ``s`` unitless.

    ``vmax`` may be 0: a channel with no effect (GMV 0 at any spend); ``k`` and ``s`` are > 0.
    Raises :class:`ParameterError` otherwise.
    """

    vmax: float
    k: float
    s: float

    def __post_init__(self):
        for name in ("vmax", "k", "s"):
            value = float(getattr(self, name))
            object.__setattr__(self, name, value)  # numpy scalars would show as np.float64(..) in messages
            if not np.isfinite(value) or value < 0 or (value == 0 and name != "vmax"):
                rule = "a number >= 0" if name == "vmax" else "a positive number"
                raise ParameterError(f"Hill curve parameter {name} must be {rule}, got {shown(value)}")

    @property
    def is_concave(self) -> bool:
        return self.s <= 1.0

    @property
    def inflection(self) -> float:
        """Spend where the S-shape turns from convex to concave (0 for concave curves)."""
        return float(hill_inflection(self.k, self.s))

    def gmv(self, x):
        return hill(x, self.vmax, self.k, self.s)

    def marginal(self, x):
        return hill_marginal(x, self.vmax, self.k, self.s)

    def roi(self, x):
        """Average ROI GMV/spend at ``x`` (> 0)."""
        x = np.asarray(x, dtype=float)
        return self.gmv(x) / x

    def spend_at_marginal(self, m: float) -> float:
        """Largest spend whose marginal ROI is still >= ``m`` (0 if the curve never reaches ``m``).

        Past the inflection the marginal only falls, so the answer is found by bisection there.
        """
        lo = self.inflection
        if self.marginal(lo) < m:
            return 0.0
        hi = max(self.k, lo) * 2.0
        while self.marginal(hi) >= m:
            hi *= 2.0
            if hi > 1e30:
                raise ParameterError(f"marginal ROI floor {shown(m)} is never crossed by {self}")
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if self.marginal(mid) >= m:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-12 * hi:
                break
        return lo

    def rescaled(self, factor: float) -> "HillCurve":
        """The same response over ``factor`` periods of even spend (e.g. 52 turns weekly into yearly)."""
        return HillCurve(self.vmax * factor, self.k * factor, self.s)


class HillFitter:
    """Least-squares fit of a Hill curve to (spend, GMV) pairs with bootstrap uncertainty.

    Residuals are taken on log GMV (attribution noise is multiplicative); the fit is bounded
    least squares (scipy's trust-region reflective method) on log parameters with ``s`` in
    ``s_bounds``. Uncertainty comes from a residual bootstrap (Efron & Tibshirani 1993, "An
    Introduction to the Bootstrap", ch. 9): ``n_bootstrap`` refits on the fitted curve times
    resampled residuals, drawn from a generator seeded with ``seed``; ``interval`` is the
    central coverage of ``interval_`` (0.9: 5% and 95% quantiles).

    ``fit(spend, gmv)`` takes two 1-d arrays (currency units per week) and returns self; it
    raises :class:`ModelError` with fewer than 4 weeks of positive spend and GMV or when spend
    never varies.

    Fitted attributes: ``curve_`` (:class:`HillCurve`), ``samples_`` (bootstrap parameter frame
    ``vmax, k, s``), ``interval_`` (frame of ``low``/``high`` quantiles per parameter),
    ``residual_sd_`` (log-GMV residual standard deviation), ``n_obs_``.
    """

    def __init__(self, *, n_bootstrap: int = 100, seed: int = 0, s_bounds: tuple[float, float] = (0.3, 4.0),
                 interval: float = 0.9):
        self.n_bootstrap = n_bootstrap
        self.seed = seed
        self.s_bounds = s_bounds
        self.interval = interval

    def fit(self, spend, gmv) -> "HillFitter":
        x = np.asarray(spend, dtype=float)
        y = np.asarray(gmv, dtype=float)
        if x.shape != y.shape or x.ndim != 1:
            raise ModelError("spend and gmv must be 1-d arrays of the same length")
        keep = (x > 0) & (y > 0)
        if keep.sum() < 4:
            raise ModelError(f"a Hill curve needs at least 4 weeks with positive spend and GMV, got {int(keep.sum())}")
        x, y = x[keep], y[keep]
        if np.ptp(x) <= 0:
            raise ModelError("spend never varies in the history, so the curve's shape cannot be fitted")
        theta = self._least_squares(x, np.log(y), None)
        residuals = np.log(y) - np.log(hill(x, *np.exp(theta)))
        rng = np.random.default_rng(self.seed)
        fitted_log = np.log(hill(x, *np.exp(theta)))
        samples = np.empty((self.n_bootstrap, 3))
        for b in range(self.n_bootstrap):
            log_y = fitted_log + rng.choice(residuals, size=len(residuals), replace=True)
            samples[b] = np.exp(self._least_squares(x, log_y, theta))
        self.n_obs_ = int(len(x))
        self.curve_ = HillCurve(*map(float, np.exp(theta)))
        self.residual_sd_ = float(np.std(residuals, ddof=3)) if len(x) > 3 else float("nan")
        self.samples_ = pd.DataFrame(samples, columns=["vmax", "k", "s"])
        tail = (1.0 - self.interval) / 2.0
        self.interval_ = self.samples_.quantile([tail, 1.0 - tail]).T.set_axis(["low", "high"], axis=1)
        return self

    def _least_squares(self, x: np.ndarray, log_y: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        """Best log-parameters (log vmax, log k, log s) for log GMV; bounded so the fit stays sane."""
        s_lo, s_hi = np.log(self.s_bounds)
        lower = np.array([np.log(np.exp(log_y).max()) - 1e-9, np.log(x.min()) - 5.0, s_lo])
        upper = np.array([np.log(np.exp(log_y).max()) + 6.0, np.log(x.max()) + 5.0, s_hi])
        if start is None:
            start = np.array([np.log(np.exp(log_y).max()) + 0.7, np.log(np.median(x)), 0.0])
        start = np.clip(start, lower + 1e-9, upper - 1e-9)

        def residual(theta):
            return np.log(hill(x, *np.exp(theta))) - log_y

        result = least_squares(residual, start, bounds=(lower, upper), method="trf")
        return result.x


@dataclass
class ChannelFits:
    """Fitted curves per channel: ``table`` (one row per channel) and bootstrap ``samples``.

    ``table`` has ``channel, vmax, k, s`` (point fit), ``vmax_low .. s_high`` (bootstrap
    interval), ``residual_sd`` (log GMV), ``n_weeks`` and ``last_year_spend``; ``samples`` has
    ``channel, draw, vmax, k, s``. Both are on the scale the fit was asked for (week or year).
    """

    table: pd.DataFrame
    samples: pd.DataFrame

    def curve(self, channel: str) -> HillCurve:
        row = self.table.set_index("channel").loc[channel]
        return HillCurve(float(row["vmax"]), float(row["k"]), float(row["s"]))


def last_year_spend(history: pd.DataFrame, periods_per_year: float | None) -> dict[str, float]:
    """Spend per channel over its latest ``periods_per_year`` weeks (rounded) of a history
    ``week, channel, spend`` (the whole history when None), money as in the history."""
    out = {}
    for channel, group in history.groupby("channel", sort=False):
        spend = group.sort_values("week")["spend"]
        out[str(channel)] = float((spend.tail(int(round(periods_per_year))) if periods_per_year else spend).sum())
    return out


def fit_channel_curves(history: pd.DataFrame, *, n_bootstrap: int = 100, seed: int = 0,
                       periods_per_year: float | None = None) -> ChannelFits:
    """Fit one Hill curve per channel of a long weekly history ``week, channel, spend, gmv``.

    With ``periods_per_year`` (52 for weekly history; the event window's weeks for an event
    scenario) the curves are rescaled from one week to that many weeks of even spend, and
    ``last_year_spend`` sums the latest ``periods_per_year`` weeks; without it curves stay
    weekly and ``last_year_spend`` sums the whole history. Returns :class:`ChannelFits`; raises
    :class:`ModelError` naming the channel that cannot be fitted, :class:`DataValidationError`
    for an empty history.
    """
    rows, samples = [], []
    factor = float(periods_per_year or 1)
    last = last_year_spend(history, periods_per_year)
    for channel, group in history.groupby("channel", sort=False):
        group = group.sort_values("week")
        try:
            fitter = HillFitter(n_bootstrap=n_bootstrap, seed=seed).fit(group["spend"], group["gmv"])
        except ModelError as exc:
            raise ModelError(f"channel {channel!r}: {exc}") from exc
        curve = fitter.curve_.rescaled(factor)
        scale = {"vmax": factor, "k": factor, "s": 1.0}
        row = {"channel": channel, "vmax": curve.vmax, "k": curve.k, "s": curve.s}
        for name in ("vmax", "k", "s"):
            row[f"{name}_low"] = float(fitter.interval_.loc[name, "low"]) * scale[name]
            row[f"{name}_high"] = float(fitter.interval_.loc[name, "high"]) * scale[name]
        row["residual_sd"] = fitter.residual_sd_
        row["n_weeks"] = fitter.n_obs_
        row["last_year_spend"] = last[str(channel)]
        rows.append(row)
        draws = fitter.samples_.mul(pd.Series(scale))
        draws.insert(0, "draw", np.arange(len(draws)))
        draws.insert(0, "channel", channel)
        samples.append(draws)
    if not rows:
        raise DataValidationError("the channel history has no rows")
    return ChannelFits(pd.DataFrame(rows), pd.concat(samples, ignore_index=True))
