"""Response curves GMV(spend) and their fitting from weekly channel history.

A Hill curve ``vmax * x^s / (x^s + k^s)`` maps spend ``x`` to attributed GMV: ``vmax`` is the
saturation GMV, ``k`` the spend that reaches half of it, ``s`` the shape (concave for
``s <= 1``, S-shaped for ``s > 1`` with an inflection point). ``x``, ``k`` and ``vmax`` are in the
same currency unit (CNY unless a caller says otherwise) over the same period (a week for fitted
history, a year for a plan; :meth:`HillCurve.rescaled` converts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    ``fit(spend, gmv, campaign=None)`` takes 1-d arrays (currency units per week; ``campaign``
    booleans, True in weeks a campaign lifted GMV beyond the spend's effect) and returns self;
    it raises :class:`ModelError` with fewer than 4 weeks of positive spend and GMV outside
    campaigns or when spend never varies. With campaign weeks the model is
    ``log GMV = log hill(spend) + b campaign + noise``: a multiplicative campaign lift ``exp(b)``
    estimated jointly with the curve, so the curve is the response to spend alone (the lift is
    not bought by spend) and the bootstrap refits carry the uncertainty of both.

    Fitted attributes: ``curve_`` (:class:`HillCurve`, without the campaign lift), ``samples_``
    (bootstrap parameter frame ``vmax, k, s`` and ``campaign_lift`` with campaign weeks),
    ``interval_`` (frame of ``low``/``high`` quantiles per parameter), ``campaign_lift_`` (the
    lift's factor, ``None`` without campaign weeks), ``residuals_`` (log GMV minus the fit, per
    kept week), ``kept_`` (which input weeks were fitted: spend and GMV > 0), ``residual_sd_``
    (log-GMV residual standard deviation), ``n_obs_``.
    """

    def __init__(self, *, n_bootstrap: int = 100, seed: int = 0, s_bounds: tuple[float, float] = (0.3, 4.0),
                 interval: float = 0.9):
        self.n_bootstrap = n_bootstrap
        self.seed = seed
        self.s_bounds = s_bounds
        self.interval = interval

    def fit(self, spend, gmv, campaign=None) -> "HillFitter":
        x = np.asarray(spend, dtype=float)
        y = np.asarray(gmv, dtype=float)
        c = np.zeros(x.shape, dtype=bool) if campaign is None else np.asarray(campaign, dtype=bool)
        if x.shape != y.shape or x.ndim != 1 or c.shape != x.shape:
            raise ModelError("spend, gmv (and campaign) must be 1-d arrays of the same length")
        keep = (x > 0) & (y > 0)
        if (keep & ~c).sum() < 4:
            raise ModelError(f"a Hill curve needs at least 4 weeks with positive spend and GMV outside campaigns, "
                             f"got {int((keep & ~c).sum())}")
        x, y, c = x[keep], y[keep], c[keep].astype(float)
        if np.ptp(x) <= 0:
            raise ModelError("spend never varies in the history, so the curve's shape cannot be fitted")
        lifted = bool(c.any())
        theta = self._least_squares(x, np.log(y), None, c if lifted else None)
        fitted_log = self._log_model(theta, x, c if lifted else None)
        residuals = np.log(y) - fitted_log
        rng = np.random.default_rng(self.seed)
        samples = np.empty((self.n_bootstrap, len(theta)))
        for b in range(self.n_bootstrap):
            log_y = fitted_log + rng.choice(residuals, size=len(residuals), replace=True)
            samples[b] = np.exp(self._least_squares(x, log_y, theta, c if lifted else None))
        self.n_obs_ = int(len(x))
        self.kept_ = keep
        self.residuals_ = residuals
        self.curve_ = HillCurve(*map(float, np.exp(theta[:3])))
        self.campaign_lift_ = float(np.exp(theta[3])) if lifted else None
        self.residual_sd_ = float(np.std(residuals, ddof=len(theta))) if len(x) > len(theta) else float("nan")
        self.samples_ = pd.DataFrame(samples, columns=["vmax", "k", "s"] + (["campaign_lift"] if lifted else []))
        tail = (1.0 - self.interval) / 2.0
        self.interval_ = self.samples_.quantile([tail, 1.0 - tail]).T.set_axis(["low", "high"], axis=1)
        return self

    @staticmethod
    def _log_model(theta: np.ndarray, x: np.ndarray, campaign: np.ndarray | None) -> np.ndarray:
        """Log GMV of the model: the Hill curve, plus ``theta[3]`` in campaign weeks."""
        out = np.log(hill(x, *np.exp(theta[:3])))
        return out if campaign is None else out + theta[3] * campaign

    def _least_squares(self, x: np.ndarray, log_y: np.ndarray, start: np.ndarray | None,
                       campaign: np.ndarray | None = None) -> np.ndarray:
        """Best log-parameters (log vmax, log k, log s[, log campaign lift]) for log GMV; bounded
        so the fit stays sane (the lift within a factor e either way)."""
        s_lo, s_hi = np.log(self.s_bounds)
        top = log_y.max() if campaign is None or campaign.all() else log_y[campaign == 0].max()
        lower = [top - 1e-9, np.log(x.min()) - 5.0, s_lo]
        upper = [top + 6.0, np.log(x.max()) + 5.0, s_hi]
        if campaign is not None:
            lower, upper = lower + [-1.0], upper + [1.0]
        lower, upper = np.array(lower), np.array(upper)
        if start is None:
            start = np.array([top + 0.7, np.log(np.median(x)), 0.0]
                             + ([0.0] if campaign is not None else []))
        start = np.clip(start, lower + 1e-9, upper - 1e-9)

        def residual(theta):
            return self._log_model(theta, x, campaign) - log_y

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
    notes: list[str] = field(default_factory=list)
    """What the fit found that a planner must know (e.g. campaign weeks the history does not mark)."""

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
    """Fit one Hill curve per channel of a long weekly history ``week, channel, spend, gmv[,
    campaign]``.

    With ``periods_per_year`` (52 for weekly history; the event window's weeks for an event
    scenario) the curves are rescaled from one week to that many weeks of even spend, and
    ``last_year_spend`` sums the latest ``periods_per_year`` weeks; without it curves stay
    weekly and ``last_year_spend`` sums the whole history. With a ``campaign`` column (text,
    ``""`` = none; :func:`workbench.budget.io.read_history_csv`) each channel's fit controls for a
    multiplicative campaign lift (:class:`HillFitter`); without one, :func:`campaign_check` tests
    whether the residuals run high in the retail calendar's campaign weeks and says so in
    ``notes``. Returns :class:`ChannelFits` (``table`` adds ``campaign_lift`` and its
    ``_low``/``_high`` interval, empty without campaign weeks); raises :class:`ModelError`
    naming the channel that cannot be fitted, :class:`DataValidationError` for an empty history.
    """
    rows, samples, residuals = [], [], []
    factor = float(periods_per_year or 1)
    last = last_year_spend(history, periods_per_year)
    marked = "campaign" in history.columns
    for channel, group in history.groupby("channel", sort=False):
        group = group.sort_values("week")
        campaign = (group["campaign"] != "").to_numpy() if marked else None
        try:
            fitter = HillFitter(n_bootstrap=n_bootstrap, seed=seed).fit(group["spend"], group["gmv"], campaign)
        except ModelError as exc:
            raise ModelError(f"channel {channel!r}: {exc}") from exc
        curve = fitter.curve_.rescaled(factor)
        scale = {"vmax": factor, "k": factor, "s": 1.0, "campaign_lift": 1.0}
        row = {"channel": channel, "vmax": curve.vmax, "k": curve.k, "s": curve.s}
        for name in ("vmax", "k", "s"):
            row[f"{name}_low"] = float(fitter.interval_.loc[name, "low"]) * scale[name]
            row[f"{name}_high"] = float(fitter.interval_.loc[name, "high"]) * scale[name]
        lifted = fitter.campaign_lift_ is not None
        row["campaign_lift"] = fitter.campaign_lift_ if lifted else np.nan
        row["campaign_lift_low"] = float(fitter.interval_.loc["campaign_lift", "low"]) if lifted else np.nan
        row["campaign_lift_high"] = float(fitter.interval_.loc["campaign_lift", "high"]) if lifted else np.nan
        row["residual_sd"] = fitter.residual_sd_
        row["n_weeks"] = fitter.n_obs_
        row["last_year_spend"] = last[str(channel)]
        rows.append(row)
        draws = fitter.samples_.mul(pd.Series(scale)[fitter.samples_.columns])
        draws.insert(0, "draw", np.arange(len(draws)))
        draws.insert(0, "channel", channel)
        samples.append(draws)
        residuals.append(pd.DataFrame({"channel": channel, "week": group["week"].to_numpy()[fitter.kept_],
                                       "residual": fitter.residuals_}))
    if not rows:
        raise DataValidationError("the channel history has no rows")
    notes = [] if marked else campaign_check(pd.concat(residuals, ignore_index=True))
    return ChannelFits(pd.DataFrame(rows), pd.concat(samples, ignore_index=True), notes)


CAMPAIGN_EVENTS = ("618", "double11", "new_year_sale")
CAMPAIGN_ALPHA = 0.01  # one-sided p-value below which campaign weeks' residuals count as high


def campaign_check(residuals: pd.DataFrame, calendar=None, alpha: float = CAMPAIGN_ALPHA) -> list[str]:
    """Do the fitted curves' residuals run high in the retail calendar's campaign weeks?

    ``residuals``: ``channel, week, residual`` (log GMV minus the fit; weeks labelled by their
    first day). A week is a campaign week when 4 or more of its days fall in a window of 618,
    双11 or 年货节 (``calendar``: the default retail calendar). Welch's t-test (one-sided) of the
    campaign weeks' residuals against the other weeks', pooled over channels: when the campaign
    weeks run higher at level ``alpha``, the curves have credited the campaigns' own lift to
    spend (spend is high in those weeks too), the curves are too steep and their intervals too
    narrow. Returns the note to show (with the pooled and per-channel excess in %, and the
    fix: a ``campaign`` column), or an empty list.
    """
    from scipy.stats import ttest_ind

    from workbench.calendar import default_calendar

    calendar = calendar or default_calendar()
    weeks = pd.to_datetime(residuals["week"])
    days = pd.DataFrame({"week": np.repeat(weeks.unique(), 7)})
    days["day"] = days["week"] + pd.to_timedelta(np.tile(np.arange(7), len(days) // 7), unit="D")
    inside = np.zeros(len(days), dtype=bool)
    labels = []
    for event in CAMPAIGN_EVENTS:
        if event not in calendar.events:
            continue
        labels.append(calendar.label(event))
        for window in calendar.windows(event, days["day"].min(), days["day"].max()):
            inside |= ((days["day"] >= window.start) & (days["day"] <= window.end)).to_numpy()
    counted = pd.Series(inside).groupby(days["week"].to_numpy()).sum()
    campaign = weeks.map(counted >= 4).fillna(False).to_numpy(bool)
    if campaign.sum() < 3 or (~campaign).sum() < 3:
        return []
    r = residuals["residual"].to_numpy(float)
    test = ttest_ind(r[campaign], r[~campaign], equal_var=False, alternative="greater")
    if not test.pvalue < alpha:
        return []
    excess = lambda mask: np.exp(r[mask & campaign].mean() - r[mask & ~campaign].mean()) - 1  # noqa: E731
    per_channel = ", ".join(f"{c} {excess((residuals['channel'] == c).to_numpy()):+.1%}"
                            for c in residuals["channel"].unique())
    return [f"GMV in the calendar's campaign weeks ({', '.join(labels)}; {int(campaign.sum())} of {len(r)} "
            f"channel-weeks) runs {excess(np.ones(len(r), bool)):+.1%} above the fitted curves against other "
            f"weeks (Welch t = {test.statistic:.1f}, one-sided p = {test.pvalue:.2g}; per channel: {per_channel}): "
            f"campaigns seem to lift GMV beyond their spend, so the curves credit that lift to spend, run too "
            f"steep and their intervals are too narrow. Mark the campaign weeks in the history with a `campaign` "
            f"column (1 or the campaign's name, 0 or empty otherwise) and the fit controls for them"]
