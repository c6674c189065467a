"""Moving (lunar) holiday effects on weekly and monthly series: the New Year sale
(年货节) before Spring Festival and the parcel collapse around it, which move by up to a month
between years, so a fixed 52-week or 12-month seasonal index cannot hold them.

Pure functions on one series' arrays and dates. The method is the Chinese New Year regressors
of X-13ARIMA-SEATS' regARIMA (Lin & Liu, "Modelling lunar calendar holiday effects in Taiwan",
Taiwan Economic Forecast and Policy 33, 2003; U.S. Census Bureau, ``genhol``):
- one regressor per window around the festival (``WINDOWS``: the calendar's ``new_year_sale``
  and ``spring_festival`` windows; for weeks the latter split into the wind-down, the statutory
  holiday and the recovery), valued per period as the share of the period's days inside it;
- each regressor is centred on its long-run mean at the same calendar position (month of year,
  week of year; over the calendar's years 2000-2099), so that the seasonal index keeps
  the festival's average effect and the regressor carries only its movement (genhol's
  "calendar" centring). A model with no season gets the uncentred regressors: the whole effect;
- their coefficients (log lift of a period wholly inside the window) are estimated on log demand
  by least squares jointly with the season (one dummy per seasonal position) and a
  piecewise-linear trend (a bend each season), only when the history holds the whole festival
  span at least ``MIN_PLACEMENTS`` times (else the columns are not identified beside the
  season; nor without one: from one festival they are dummies of its periods, which hold
  whatever else happened in them);
- a series' estimate is combined with a pooled one (the same fit on the sum of a panel's
  established series) by precision weighting, the pooled one's variance widened by
  ``PRIOR_SD`` squared (partial pooling: Gelman & Hill, *Data Analysis Using Regression and
  Multilevel/Hierarchical Models*, 2007, ch. 12); a series that cannot identify its own takes
  the pooled one whole.

618 and Double 11 are solar: they keep their month, so the monthly season holds
them; against a 52-week season they drift by one day a year (two after a leap day), as every
solar date does, and need no moving-holiday regressor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.validate import SEASON_LENGTH

PRE, WIND_DOWN, HOLIDAY, POST, FESTIVAL = "pre-festival", "wind-down", "holiday", "recovery", "festival"
# the frequencies with moving-holiday effects: a quarter holds the whole festival but for up to
# two weeks of the sale in December (under 6% of a quarter's days); on the seeded quarterly panel
# the effects moved WAPE 2.35 -> 2.40% (docs/benchmarks.md), so quarters keep their season only
WINDOWS = {"W": (PRE, WIND_DOWN, HOLIDAY, POST), "MS": (PRE, FESTIVAL)}
# weeks resolve the festival window's parts: the days before the statutory holiday, the holiday
# (eve to day 6: the deepest collapse) and the recovery after it (a synthetic collapse twice as
# deep in the holiday as before it was 20% over-forecast in its weeks with one festival column);
# months cannot (the parts would be one column three times), so there the
# festival is the whole ``spring_festival`` window
HOLIDAY_DAYS = (-1, 6)  # the statutory Spring Festival holiday, days from the festival (eve to day 6)
# whole festival spans a series' history needs to estimate its own effects; with one, even a
# model with no season read noise as effects (parcel origins' months: WAPE 16.7 -> 20.3%)
MIN_PLACEMENTS = 2
MIN_RESIDUAL_DOF = 4  # fewest residual degrees of freedom of that regression
PRIOR_SD = 0.3  # spread of a series' effect around the pooled one (log points)
REFERENCE_YEARS = range(2000, 2100)  # the calendar's years: the long-run means, and the dates served
_REF_START = pd.Timestamp(f"{REFERENCE_YEARS[0]}-01-01")
_REF_END = pd.Timestamp(f"{REFERENCE_YEARS[-1] + 1}-01-01")  # exclusive


@dataclass(frozen=True)
class LunarEffect:
    """Fitted moving-holiday effects of one series (or of a pooled sum).

    ``windows``: the regressor names; ``beta``: shape (k,), log lift of a period wholly inside
    each window; ``cov``: shape (k, k), the estimate's covariance (log points squared);
    ``spread``: the extra variance (log points squared) of a period the festival touches, over
    the others' (the effect's shape within a window varies, a share cannot hold it);
    ``source``: ``"own"``, ``"own and pooled"`` or ``"pooled"``; ``placements``: whole festival
    spans in the history."""

    windows: tuple[str, ...]
    beta: np.ndarray
    cov: np.ndarray
    spread: float
    source: str
    placements: int

    def variance(self, X: np.ndarray, touched: np.ndarray) -> np.ndarray:
        """Shape (h,): the variance the effects add to the log forecast of periods with
        regressors ``X`` (shape (h, k)) and ``touched`` (shape (h,), bool: inside a window)."""
        return np.einsum("hi,ij,hj->h", X, self.cov, X) + self.spread * touched

    def describe(self) -> str:
        """The effects in words, e.g. ``pre-festival +18% (+-0.05 log), festival -52% (+-0.09 log)``."""
        se = np.sqrt(np.diag(self.cov))
        return ", ".join(f"{name} {np.expm1(b):+.0%} (+-{s:.2f} log)" for name, b, s in zip(self.windows, self.beta, se))


def festival_windows(calendar: RetailCalendar, year: int, freq: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The regressor windows ``[(first day, last day)]`` of the festival of ``year``, in the order
    of ``WINDOWS[freq]``: the calendar's ``new_year_sale`` and ``spring_festival`` windows, the
    latter split at ``HOLIDAY_DAYS`` for weekly data. A part the planner's calendar leaves
    empty (a short ``spring_festival``) has its first day after its last."""
    pre = calendar.window("new_year_sale", year)
    festival = calendar.window("spring_festival", year)
    if freq != "W":
        return [(pre.start, pre.end), (festival.start, festival.end)]
    day = pd.Timedelta(days=1)
    first = min(max(festival.start, festival.anchor + HOLIDAY_DAYS[0] * day), festival.end + day)
    last = max(min(festival.end, festival.anchor + HOLIDAY_DAYS[1] * day), first - day)
    return [(pre.start, pre.end), (festival.start, first - day), (first, last), (last + day, festival.end)]


@lru_cache(maxsize=8)
def _cumulative_days(calendar: RetailCalendar, freq: str) -> np.ndarray:
    """Shape (days + 1, k): running count of the days inside each window from 2000-01-01 (row i:
    the days before ``_REF_START + i``), for overlaps by differences."""
    n = (_REF_END - _REF_START).days
    inside = np.zeros((n, len(WINDOWS[freq])))
    for year in REFERENCE_YEARS:
        for j, (lo, hi) in enumerate(festival_windows(calendar, year, freq)):
            a, b = max((lo - _REF_START).days, 0), min((hi - _REF_START).days + 1, n)
            inside[a:b, j] = 1.0
    return np.vstack([np.zeros((1, inside.shape[1])), np.cumsum(inside, axis=0)])


def _period_ends(ds: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The day after each period: weekly dates label the week they start, as month starts do
    (``MS``)."""
    if freq == "W":
        return ds + pd.Timedelta(days=7)
    return ds + pd.tseries.frequencies.to_offset(freq)


def _raw_shares(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> np.ndarray:
    cum = _cumulative_days(calendar, freq)
    start = np.asarray((ds - _REF_START).days)
    end = np.asarray((_period_ends(ds, freq) - _REF_START).days)
    return (cum[end] - cum[start]) / (end - start)[:, None]


def calendar_position(ds: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Position of each period in the calendar year: month 0-11 or week 0-51 (the week of its
    first day; the days after the 364th join week 51)."""
    if freq == "MS":
        return np.asarray(ds.month - 1)
    return np.minimum(np.asarray(ds.day_of_year - 1) // 7, SEASON_LENGTH["W"] - 1)


@lru_cache(maxsize=16)
def _long_run_means(calendar: RetailCalendar, freq: str, weekday: int) -> np.ndarray:
    """Shape (positions, k): the mean share at each calendar position over ``REFERENCE_YEARS``
    (weeks starting on ``weekday``)."""
    first = _REF_START + pd.Timedelta(days=(weekday - _REF_START.weekday()) % 7) if freq == "W" else _REF_START
    ds = pd.date_range(first, _REF_END - pd.Timedelta(days=400), freq=f"W-{first.day_name()[:3].upper()}"
                       if freq == "W" else freq)
    shares = _raw_shares(ds, freq, calendar)
    position = calendar_position(ds, freq)
    return np.vstack([shares[position == p].mean(axis=0) for p in range(SEASON_LENGTH[freq])])


def lunar_regressors(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, *, centred: bool) -> np.ndarray:
    """Shape (n, k): per period of ``ds`` (weekly: week starts; ``MS``) the share of its
    days inside each window of ``WINDOWS[freq]`` (0-1), minus the long-run mean share at its
    calendar position when ``centred``. Raises ``ValueError`` for dates outside the calendar's
    years 2000-2099 or a frequency other than W and MS."""
    if freq not in WINDOWS:
        raise ValueError(f"moving-holiday regressors are for W and MS data, not {freq!r}")
    ds = pd.DatetimeIndex(ds)
    if ds.min() < _REF_START or _period_ends(ds[-1:], freq)[0] > _REF_END:
        raise ValueError(f"dates {ds.min().date()}..{ds.max().date()} reach outside the calendar's years "
                         f"{REFERENCE_YEARS[0]}-{REFERENCE_YEARS[-1]}")
    shares = _raw_shares(ds, freq, calendar)
    if centred:
        weekday = int(ds[0].weekday()) if freq == "W" else 0  # months: one cache entry
        shares = shares - _long_run_means(calendar, freq, weekday)[calendar_position(ds, freq)]
    return shares


def whole_festivals(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> int:
    """How many festival spans (the first window's first day to the last window's last day) lie
    wholly inside the periods of ``ds``."""
    first, end = ds[0], _period_ends(ds[-1:], freq)[0]
    count = 0
    for year in range(first.year, end.year + 1):
        windows = festival_windows(calendar, year, freq)
        count += bool(windows[0][0] >= first and windows[-1][1] < end)
    return count


def _nuisance(n: int, season: int | None) -> np.ndarray:
    """Shape (n, p): one dummy per seasonal position (``t % season``; an intercept when
    ``season`` is None) and a piecewise-linear trend with a bend each season (while half a
    season follows the bend)."""
    t = np.arange(n, dtype=float)
    span = season or n
    cols = [(t[:, None] % season == np.arange(season)[None, :]).astype(float)] if season else [np.ones((n, 1))]
    trend = [t / span] + [np.maximum(0.0, t - k * span) / span for k in range(1, n // span + 1)
                          if season and n - k * span >= span / 2]
    return np.column_stack(cols + trend)


def _aicc(rss: float, n: int, p: int) -> float:
    """AICc of a least-squares fit with ``p`` coefficients (Hurvich & Tsai, Biometrika 76, 1989)."""
    return n * np.log(max(rss, 1e-300) / n) + 2 * p + 2 * p * (p + 1) / max(n - p - 1, 1)


def own_effect(z: np.ndarray, X: np.ndarray, season: int | None, touched: np.ndarray):
    """``(beta, cov, spread, chosen)``: least-squares coefficients of the regressors ``X`` (shape
    (n, k)) on the log series ``z`` (shape (n,)) jointly with the season and trend
    (``_nuisance``), their covariance (residual variance times the inverse normal matrix's
    block), and the extra residual variance of the periods ``touched`` (shape (n,), bool) by a
    window over the others' (0 at least; both scaled by n / residual degrees of freedom). None
    when the coefficients are not identified (rank) or leave fewer than ``MIN_RESIDUAL_DOF``
    residual degrees of freedom. ``chosen``: the regressors lower the AICc of the fit, the test
    X-13ARIMA-SEATS' ``aictest`` applies to holiday regressors."""
    A = _nuisance(len(z), season)
    design = np.column_stack([A, X])
    dof = len(z) - design.shape[1]
    if dof < MIN_RESIDUAL_DOF:
        return None
    coef, _, rank, _ = np.linalg.lstsq(design, z, rcond=None)
    if rank < design.shape[1]:
        return None
    gram_inv = np.linalg.inv(design.T @ design)
    resid = z - design @ coef
    without = z - A @ np.linalg.lstsq(A, z, rcond=None)[0]
    chosen = _aicc(float(resid @ resid), len(z), design.shape[1]) < _aicc(float(without @ without), len(z), A.shape[1])
    resid2 = resid ** 2 * len(z) / dof
    sigma2 = float(resid2.mean())
    spread = float(resid2[touched].mean() - resid2[~touched].mean()) if touched.any() and (~touched).any() else 0.0
    k = X.shape[1]
    return coef[-k:], sigma2 * gram_inv[-k:, -k:], max(spread, 0.0), chosen


def combine(own, prior: LunarEffect | None, prior_sd: float = PRIOR_SD):
    """``(beta, cov, spread, source)``: the precision-weighted mean of a series' own estimate
    ``(beta, cov, spread)`` (from ``own_effect``) and the pooled one (its covariance plus
    ``prior_sd**2`` on the diagonal), or whichever exists; None when neither does. The spread
    is the series' own when it has one."""
    if prior is None:
        return None if own is None else (*own, "own")
    prior_cov = prior.cov + prior_sd ** 2 * np.eye(len(prior.beta))
    if own is None:
        return prior.beta.copy(), prior_cov, prior.spread, "pooled"
    beta, cov, spread = own
    precision_own, precision_prior = np.linalg.pinv(cov), np.linalg.inv(prior_cov)
    posterior = np.linalg.inv(precision_own + precision_prior)
    return posterior @ (precision_own @ beta + precision_prior @ prior.beta), posterior, spread, "own and pooled"


def fit_lunar_effect(z: np.ndarray, ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, *,
                     season: int | None, prior: LunarEffect | None = None) -> tuple[LunarEffect | None, str]:
    """Moving-holiday effects of one series and a note saying what was done.

    ``z``: shape (n,), log demand (``log1p``) per period; ``ds``: its n dates (weekly: week
    starts); ``season``: the seasonal period the model fits (centred regressors, seasonal
    dummies), or None for a model with no season (uncentred regressors: the whole effect);
    ``prior``: a pooled ``LunarEffect`` (from a fit on a panel's sum) or None.
    Returns ``(effect or None, note)``; the effect's ``beta`` and ``cov`` are in log points per
    period wholly inside each window. A history outside the calendar's years gets none, with a
    note."""
    try:
        X = lunar_regressors(ds, freq, calendar, centred=season is not None)
    except ValueError as exc:
        return None, f"Spring Festival and New Year sale effects not estimated: {exc}"

    touched = lunar_regressors(ds, freq, calendar, centred=False).sum(axis=1) > 0
    placements = whole_festivals(ds, freq, calendar)
    estimate = own_effect(z, X, season, touched) if placements >= MIN_PLACEMENTS else None
    own = estimate[:3] if estimate is not None else None
    # alone, a series keeps only effects that earn their place; beside a pooled estimate its own
    # (even near zero) is weighed by its precision
    fitted = combine(own if prior is not None or estimate is not None and estimate[3] else None, prior)
    if fitted is None:
        why = (f"{placements} whole Spring Festival span(s) in the history, under the {MIN_PLACEMENTS} "
               f"that identify them" if placements < MIN_PLACEMENTS else
               "too few periods to identify them beside the season" if estimate is None else
               "they do not lower the fit's AICc")
        return None, (f"Spring Festival and New Year sale effects not estimated ({why}) and none pooled: "
                      + (f"the season repeats last year's {'weeks' if freq == 'W' else 'periods'}" if season
                         else "the forecast has no festival"))
    beta, cov, spread, source = fitted
    effect = LunarEffect(WINDOWS[freq], beta, cov, spread, source, placements)
    return effect, f"Spring Festival and New Year sale effects ({source}, moved to this year's dates): {effect.describe()}"
