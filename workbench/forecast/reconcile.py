"""Coherent forecasts across levels: the bottom series add up to the forecasts of their totals.

Forecasting every series of a hierarchy on its own gives levels that do not add up, and on sparse
panels (young, intermittent flows) the summed bottom forecasts can miss the directly forecast
total by a factor (each small series' noise, launches and stops, does not average out the way
the total's does). Every method returns the reconciled bottom; a middle level (region,
category, origin) or the total is then the sum of it (``level_totals``), so every level is
coherent. The methods:

* ``"forecast_proportions"`` (top-down by forecast proportions; Athanasopoulos, Ahmed & Hyndman
  2009, *Int. J. Forecasting* 25(1)): each period, the direct forecast of the total is split
  among the bottom series in proportion to their own forecasts. The total keeps its direct
  forecast; the bottom keeps its own shape. Every series of a day moves by the same ratio,
  however sure of itself it is.
* ``"top_down_var"`` (WLS with variance scaling, the direct total held; Wickramasuriya,
  Athanasopoulos & Hyndman 2019's ``W = diag(var)`` with the total's weight taken to zero):
  each day, the gap between the direct total and the summed bottom goes to the bottom series in
  proportion to their forecast variances, so an uncertain series moves more than a confident
  one: ``b~_i = max(0, b^_i + v_i lambda)``, ``lambda`` such that the ``b~`` add up to the
  direct total (the exact non-negative weighted least-squares solution: a series set to zero is
  at the constraint, not clipped afterwards, and the total still holds). ``v_i`` is the series'
  variance that day read off its own calibrated band (``band_variance``). A day whose bands all
  have zero width is split by forecast proportions (listed).
* ``"backtest_weights"`` (the direct total and the summed bottom combined by their own backtest
  errors, then split as ``top_down_var``): the two forecasts of the total, direct and summed,
  are weighed by the inverse of the mean square of their relative errors over the spans of the
  window's length of their rolling-origin refits, at the origins both have (``total_weight``;
  Bates & Granger 1969, *Operational Research Quarterly* 20(4)): the national total each day is
  ``S_t + w (T_t - S_t)``, ``w = MSE_S / (MSE_S + MSE_T)``, and the series move to it by
  their variances. The band variances weigh each series against the others, not the total
  against the sum: a young panel's series carry wide bands (a launch's, a season read from one
  year), which made MinT trust a direct total that had erred more than the sum (trial 11: the
  reconciled total +11.7% against the SKUs' sum +7.7%).
* ``"bottom_up"``: the total is the sum of the bottom forecasts (no change at the bottom).
* ``"ols"``, ``"wls_struct"``, ``"wls_var"``, ``"mint_refits"``, ``"mint_shrink"``: the minimum-trace projection (MinT;
  Wickramasuriya, Athanasopoulos & Hyndman 2019, *JASA* 114(526)) of the base forecasts of every
  level onto the coherent subspace, ``b~ = G y^`` with ``G = J - J W U (U' W U)^-1 U'``
  (the paper's Lemma 1; ``U' = [I | -C]`` for ``S = [C; I]``). ``W`` is the identity (``ols``),
  the number of bottom series under each series (``wls_struct``), each series' forecast
  variance that day from its own band (``wls_var``, one projection a day, all days solved at
  once by ``diagonal_projection``), those variances with the correlation of the series' own
  rolling-origin refit errors (``mint_refits``: ``W_t = D_t^1/2 R D_t^1/2``, R one
  correlation among the bottom series' refit errors over spans of the window's length, shrunk
  by its spread between refits: ``bottom_correlation`` and ``refit_errors``;
  ``diagonal_projection`` with its factor), or the
  Schafer-Strimmer shrunk covariance of past forecast errors (``mint_shrink``; Schafer &
  Strimmer 2005, *Stat. Appl. Genet. Mol. Biol.* 4(1), target: the diagonal;
  ``shrunk_covariance``). Every level's base forecast moves; none is kept as it was.

  Why ``mint_refits``: a diagonal W (``wls_var``) weighs the series' errors as independent, so
  the sum of many series looks surer than it is when they err together (a shop's SKUs all
  forecast high after one good season), and the total leans to that sum. MinT's W is the
  covariance of the levels' errors; in-sample residuals are not comparable across levels (a
  total's model and its series' fit differently), but the refits the core already makes to
  calibrate each band (``Forecaster.refit_paths``, from origins that every series ending on the
  same day shares) are out-of-sample errors at the plan's own leads, at every level. Their
  correlation, not their size, is taken: each day's variance stays that of the series' own
  calibrated band at that horizon. Two series' refits pair where they start on the same date
  and span the same periods (``refit_errors``), and the correlation is the mean over the pairs
  that share such a refit (a young series' fewer refits, a weekly series on its own refit
  schedule, pair with none of some series: no evidence, not a correlation of 0;
  ``attrs["reconcile"]["paired"]`` is the share of pairs that share one). A series without
  refits (a count model, a young series) has no correlation with the others, so with no refits
  at all ``mint_refits`` is ``wls_var``. Only the bottom series' errors are correlated (one correlation among them): the
  levels above keep their own band variances, uncorrelated, as in ``wls_var`` (a correlation
  per pair of levels, a node's with the routes of other nodes too, had moved the parcel
  routes' total from 11.2% to 27.3% WAPE on 618 2022). Measured (docs/benchmarks.md, "Coherent
  levels"): the default (``choose_method``).

Non-negativity: a projection can give a bottom series a negative forecast. Those values are set
to zero and the levels above are the sums of the result ("set negative to zero", Di Fonzo &
Girolimetto 2023, *Int. J. Forecasting* 39(1)); coherence holds, and ``attrs["reconcile"]``
counts the values and units set to zero (never silent; values above ``-NEGATIVE_TOLERANCE``
units are rounding of all-zero series and are not counted). Top-down and bottom-up cannot go
negative.

Held rows (``reconcile(held=...)``): a series-period whose sales are 0 by declaration (a planned
stock-out, ``core.unavailable_share`` 1) stays as forecast under every method and the other series take
the gap: the projections weigh it with no error variance (its row and column of W zero, one W per
date, so ``b~ = b^`` there; ``ols`` and ``wls_struct`` had spread the gap over it, review 10.1 F4),
the top-down splits leave it out. A week or month partly declared (a share ``s`` of its days) sells
on the rest, and moves only as far as they do: ``ols``, ``wls_struct`` and ``mint_shrink`` weigh its
error variance by ``1 - s`` (its selling days, as the structural scaling counts bottom series; a week
with 6 of its 7 days declared had been moved like a whole free week, 10 -> 20 units under ``ols``,
review 11.1 F5); forecast proportions and the band-weighted methods read it already, its forecast and
band being scaled by ``1 - s`` (``core.constrain_unavailable``).

Quantiles: quantiles of a sum are not sums of quantiles, so each bottom series keeps its own
band, moved with its mean: scaled by the ratio of its reconciled to its base mean, or, where the
base mean is zero, shifted by the reconciled mean. Where every level has a median
(``yhat_q50``), the methods reconcile the medians as they do the means (so the bottom medians
add up to the reconciled medians above) and the band moves with the median. Top-down scales every quantile of a day by
one factor, the direct total's median over the summed bottom medians (the mean's factor when
there is no median), so the bottom medians add up to the total's median (what a network sized
on P50 demand needs) and each band keeps its order and relative width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.forecast.models.base import has_band

METHODS = ("forecast_proportions", "top_down_var", "backtest_weights", "bottom_up", "ols", "wls_struct", "wls_var",
           "mint_refits", "mint_shrink")
PROJECTIONS = ("ols", "wls_struct", "wls_var", "mint_refits", "mint_shrink")
VARIANCE_WEIGHTED = ("top_down_var", "backtest_weights", "wls_var", "mint_refits")  # by the variance of each band
WITH_REFITS = ("mint_refits", "backtest_weights")  # need the forecasts' refit spans (``refit_errors``, ``total_weight``)
WEIGHT_REFITS = 3  # refit origins the direct total and the summed series must share for backtest_weights
WEIGHT_COVERED = 0.9  # a span is scored where the series with a refit there sold this share of the total's units
SPARSE_SHARE = 0.5  # a bottom with at least this share of intermittent series is sparse (choose_method)
SHRINK_RIDGE = 2e-8  # added to the shrunk covariance's diagonal (as hierarchicalforecast does), and to wls_var's upper series
BLOCK_VALUES = 4e6  # diagonal_projection: values of the systems solved at once (~32 MB)
NEGATIVE_TOLERANCE = 1e-6  # units: smaller negative values are rounding (zero series), not counted


def _value_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c == "yhat" or c.startswith("yhat_q") or c == "yhat_baseline"]


def choose_method(histories, freq: str) -> tuple[str, str]:
    """The default method for a bottom whose series have these histories, and why.

    ``"mint_refits"``, unless the bottom is sparse: at least ``SPARSE_SHARE`` of its series are
    intermittent or sell nothing in their last ``INTERMITTENT_WINDOW[freq]`` periods (average
    demand interval >= 1.32, Syntetos & Boylan 2005: ``models.intermittent``); then
    ``"forecast_proportions"``. Measured (docs/benchmarks.md, "Coherent levels"), a mixed
    record: ``mint_refits`` against ``wls_var`` (the default before it) is ahead on trials 6
    and 8's next 年货节 (0.04-2.0 points), within 0.1 point on the sample, and behind by up to
    0.7 point on trial 6's Double 11 backtest (total 7.7 against 7.0% WAPE, regions 9.7 against
    9.5%). The parcel routes (81-84% intermittent) get forecast proportions, so they are no
    evidence for this branch: there both variance-weighted methods move the direct total
    towards a summed bottom that misses by a factor. ``prepare_method`` gives ``mint_refits``
    the bottom's refit errors (``refit_errors``).

    ``histories``: one array per bottom series (units per period, oldest first). Returns
    ``(method, reason)``.
    """
    from workbench.forecast.models.intermittent import (INTERMITTENT_ADI, INTERMITTENT_WINDOW,
                                                        average_demand_interval)

    window = INTERMITTENT_WINDOW[freq]
    flags = [average_demand_interval(np.asarray(y, float)[-window:]) >= INTERMITTENT_ADI for y in histories]
    share = float(np.mean(flags)) if flags else 0.0
    what = (f"{share:.0%} of the {len(flags)} series are intermittent or idle over their last {window} periods "
            f"(average demand interval >= {INTERMITTENT_ADI})")
    if share >= SPARSE_SHARE:
        return "forecast_proportions", f"{what}: a sparse bottom, so the direct total is kept and split"
    return "mint_refits", f"{what}: each level weighed by the variance of its own band, the series' correlated"


def resolve_method(method: str, history: pd.DataFrame, keys, freq: str) -> tuple[str, str]:
    """``method``, or for ``"auto"`` ``choose_method``'s on the series of ``history`` (a long
    frame ``[keys..., ds, y]``, units per period, sorted by date within each series), and why
    (``""`` for a method given). ``prepare_method`` is what the planning and the backtest call."""
    if method != "auto":
        return method, ""
    return choose_method([g["y"].to_numpy() for _, g in history.groupby(list(keys), sort=False)], freq)


def prepare_method(method: str, history: pd.DataFrame, keys, freq: str, quantiles,
                   spans=None, total_spans=None) -> tuple[str, str, dict | None]:
    """The method ``reconcile`` is called with, why, and the errors it needs: the one home of
    the planning's (``planning.event_forecast``) and the backtest's (``backtest_windows``)
    choice, so the backtest scores what the planning does.

    ``method``: one of ``METHODS`` or ``"auto"`` (``resolve_method`` on ``history``, a long
    frame ``[keys..., ds, y]`` in units per period). A variance-weighted method
    (``VARIANCE_WEIGHTED``) needs a band: when ``quantiles`` (the request's levels in (0, 1))
    hold none below and above the median, it becomes ``"forecast_proportions"`` and the reason
    says so. ``spans``: the bottom series' refit span sums (``core.forecast(window=...)``'s
    ``attrs["window_spans"]``), turned into ``{"bottom": refit_errors(spans, keys)}`` for
    ``mint_refits``; ``None`` skips them (a check before the forecasts run). ``total_spans``:
    the direct total's (the same attrs of its forecast); ``backtest_weights`` takes both as they
    are, and becomes ``mint_refits`` where they share fewer than ``WEIGHT_REFITS`` refit origins
    (``total_weight``; the reason says so).

    Returns ``(method, reason, errors)``: ``reason`` is ``""`` for a method given and kept,
    ``errors`` is ``None`` unless the method weighs by refit errors and ``spans`` were given.
    Raises ``ParameterError`` for an unknown method (before anything is fitted when called
    with ``spans=None`` first)."""
    if method != "auto" and method not in METHODS:
        raise ParameterError(f"reconcile method must be 'auto' or one of {', '.join(METHODS)}; got {method!r}")
    method, why = resolve_method(method, history, keys, freq)
    if method in VARIANCE_WEIGHTED and not has_band(quantiles):
        why = (f"{method} weighs each series by its band: none without a quantile below and above the median "
               f"(quantiles {sorted(quantiles)}), so forecast proportions" + (f"; chosen first: {why}" if why else ""))
        method = "forecast_proportions"
    if method == "backtest_weights" and spans is not None:
        weight, detail = total_weight(spans, total_spans, keys)
        if weight is None:
            why = (f"backtest_weights needs refits of the direct total and the series at {WEIGHT_REFITS} origins at "
                   f"least; {detail['refits']} shared, so mint_refits" + (f"; chosen first: {why}" if why else ""))
            method = "mint_refits"
        else:
            return method, why, {"bottom": pd.DataFrame(spans), "total": pd.DataFrame(total_spans)}
    errors = {"bottom": refit_errors(spans, keys)} if method == "mint_refits" and spans is not None else None
    return method, why, errors


def band_variance(frame: pd.DataFrame) -> np.ndarray:
    """Each row's forecast variance (units squared) read off its own band: the outermost
    quantile columns ``yhat_q<lo>`` and ``yhat_q<hi>`` (lo < 50 < hi) taken as a normal's,
    ``((q_hi - q_lo) / (z_hi - z_lo))^2``. The core's bands are calibrated on each model's
    rolling-origin errors by horizon (``workbench.forecast.conformal``) or are count bands
    for small counts, so this is the variance of that series' error at that horizon.

    Returns shape (len(frame),). Raises ``ParameterError`` when the frame has no quantile
    below and above the median, or a band is NaN or inverted.
    """
    levels = {float(c[len("yhat_q"):]) / 100: c for c in frame.columns
              if c.startswith("yhat_q") and c[len("yhat_q"):].replace(".", "", 1).isdigit()}
    if not has_band(levels):
        raise ParameterError(f"variance weights need a band (quantile columns below and above the median); "
                             f"the forecast has {sorted(levels.values())}")
    lo, hi = min(levels), max(levels)
    from scipy import stats

    width = frame[levels[hi]].to_numpy(dtype=float) - frame[levels[lo]].to_numpy(dtype=float)
    if not (np.isfinite(width) & (width >= 0)).all():
        raise ParameterError(f"variance weights: {levels[lo]}..{levels[hi]} is NaN or inverted in "
                             f"{int((~(np.isfinite(width) & (width >= 0))).sum())} rows")
    return (width / (stats.norm.ppf(hi) - stats.norm.ppf(lo))) ** 2


def scale_band(frame: pd.DataFrame, direct: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """A level's coherent forecast with its own band: ``frame`` (``[on..., yhat, yhat_q...]``, the
    level's reconciled point forecast, units per period) with each quantile column that
    ``direct`` (the level's direct forecast, same columns) also has taken from ``direct`` and
    moved with the point as a bottom series' band is (``_moved``): scaled each row by the
    coherent point over the direct one, or, where the direct point is 0, shifted by the coherent
    point (so a band of 0..0 around a direct 0 sits at the coherent point, never beside it): a
    sum of the series' quantiles is no quantile of their sum (far too wide a band). A row that
    ``direct`` lacks keeps ``frame``'s quantiles. The one home of this rule: the event report's
    levels (``planning.level_daily``) and the backtest's reconciled total
    (``backtest.backtest_windows``), so the backtest scores the band the report shows.

    Returns a new frame, ``frame``'s rows and columns in order."""
    qcols = [c for c in frame.columns if c.startswith("yhat_q") and c in direct.columns]
    merged = frame[[*on, "yhat"]].merge(direct[[*on, "yhat", *qcols]], on=on, how="left", suffixes=("", "_direct"))
    base = merged[["yhat_direct", *qcols]].rename(columns={"yhat_direct": "yhat"})
    moved = _moved(base, "yhat", merged["yhat"].to_numpy(dtype=float), qcols)
    out = frame.copy()
    for i, c in enumerate(qcols):
        out[c] = np.where(merged[c].notna(), moved[:, i], out[c])
    return out


def shrunk_covariance(errors: np.ndarray, ridge: float = SHRINK_RIDGE) -> tuple[np.ndarray, float]:
    """Schafer-Strimmer shrinkage of the error covariance towards its diagonal.

    Parameters
    ----------
    errors : shape (T, n): T past forecast errors (actual - forecast, in the series' units) of
        each of n series, aligned by row (the same origin and date in every column).
    ridge : added to the diagonal (numerical protection for series without error).

    Returns
    -------
    ``(W, lambda)``: W (n, n) = the sample covariance (centred, divisor T - 1) with its
    off-diagonal entries multiplied by ``1 - lambda``, and ``lambda`` in [0, 1], the estimated
    optimal intensity ``sum var(r_ij) / sum r_ij^2`` over i != j, r the sample correlations
    (Schafer & Strimmer 2005, target "D"; the estimator of MinT-shrink in Wickramasuriya et al.
    2019). Series with zero error variance have zero correlation with all others.

    Raises
    ------
    ParameterError : fewer than 2 rows, or non-finite errors.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim != 2 or errors.shape[0] < 2:
        raise ParameterError(f"errors: need a (T, n) array with T >= 2 past errors, got shape {errors.shape}")
    if not np.isfinite(errors).all():
        raise ParameterError("errors: NaN or infinite values; every series needs an error at every row")
    t, n = errors.shape
    centred = errors - errors.mean(axis=0)
    cov = centred.T @ centred / (t - 1)
    sd = np.sqrt(np.diag(cov))
    scaled = np.divide(centred, sd, out=np.zeros_like(centred), where=sd > 0)
    w_mean = scaled.T @ scaled / t                       # mean of w_kij over k
    w_sq = (scaled ** 2).T @ (scaled ** 2) / t           # mean of w_kij^2 over k
    var_r = t / (t - 1) ** 3 * t * (w_sq - w_mean ** 2)  # sum_k (w_kij - mean)^2 * t / (t-1)^3
    corr = w_mean * t / (t - 1)
    off = ~np.eye(n, dtype=bool)
    denominator = float((corr[off] ** 2).sum())
    lam = 1.0 if denominator == 0 else float(np.clip(var_r[off].sum() / denominator, 0.0, 1.0))
    shrunk = cov * (1.0 - lam)
    shrunk[np.diag_indices(n)] = np.diag(cov) + ridge
    return shrunk, lam


def bottom_correlation(errors: np.ndarray, refits=None) -> tuple[np.ndarray, dict]:
    """One correlation among the errors of n series (the bottom's), shrunk by its own sampling
    variance between refits.

    Parameters
    ----------
    errors : shape (T, n): T past forecast errors (actual - forecast, units) of each of n series,
        aligned by row (the same refit origin and span in every column); NaN where a series has
        no error in that row (a younger series has fewer refits; one without refits has none).
    refits : shape (T,) or None: the refit each row comes from. Rows of one refit share its
        level error, so the correlation's sampling variance is measured between refits
        (cluster-robust), not as if the rows were independent; None: every row its own refit.

    Returns
    -------
    ``(F, detail)``: F (n, 1), the factor of ``R = F F' + diag(1 - F^2)`` (unit diagonal;
    ``diagonal_projection`` takes it so: W a diagonal plus a rank-1 matrix): ``R_ij = rho*``
    for every pair of series with errors, ``rho*`` = the mean product ``z_tk z_tl`` over every
    row t and pair k != l of series that both have an error in that row (``z = e / rms(e)``
    over a series' own rows; the products not centred, as MinT's ``W_1 = sum e e' / T``: a level
    error the refits share is part of it; Wickramasuriya, Athanasopoulos & Hyndman 2019; a pair
    that never shares a row, a young series' fewer refits, is no evidence either way and does not
    pull the mean to 0), times ``max(0, 1 - var / rho^2)``, ``var`` the mean's variance between
    refits (a ratio estimator's, clustered by refit; Schafer & Strimmer 2005's intensity for one
    parameter), floored at 0 (an equicorrelation below 0 is not a correlation matrix for many
    series: ``R`` is then the identity, ``wls_var``'s W). A series without errors is
    uncorrelated with every other (F 0). With 6 refits, the correlation of each pair of hundreds
    of series is noise; one for all is the constant-correlation model (Elton & Gruber 1973; the
    target of Ledoit & Wolf 2004, *J. Portfolio Management* 30(4)). ``detail``:
    ``{"correlation": rho* as used (>= 0), "estimate": rho* before the floor, "shrinkage": ...,
    "paired": the share of the pairs of series with errors that share at least one row}``.

    Raises
    ------
    ParameterError : not a (T, n) array with T >= 2, infinite values, ``refits`` of another
        length.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim != 2 or errors.shape[0] < 2:
        raise ParameterError(f"errors: need a (T, n) array with T >= 2 past errors, got shape {errors.shape}")
    if np.isinf(errors).any():
        raise ParameterError("errors: infinite values (NaN marks a missing error)")
    t, n = errors.shape
    refits = np.arange(t) if refits is None else np.asarray(refits)
    if refits.shape != (t,):
        raise ParameterError(f"refits: one per row of errors ({t}); got {refits.shape}")
    present = np.isfinite(errors)
    filled = np.where(present, errors, 0.0)
    rows = present.sum(axis=0)
    rms = np.sqrt(np.divide((filled ** 2).sum(axis=0), rows, out=np.zeros(n), where=rows > 0))
    z = np.divide(filled, rms, out=np.zeros_like(filled), where=rms > 0)
    evidence = rms > 0
    members = int(evidence.sum())
    present &= evidence
    count = present.sum(axis=1)
    pairs = count * (count - 1)                                          # (T,): the pairs present per row
    if members < 2 or not pairs.any():
        return np.zeros((n, 1)), {"correlation": 0.0, "estimate": 0.0, "shrinkage": 1.0, "paired": 0.0}
    # pairs that share a row, counted over the series' few distinct refit schedules (not n x n)
    schedules, size = np.unique(present[:, evidence].T, axis=0, return_counts=True)
    meet = (schedules.astype(float) @ schedules.T.astype(float)) > 0
    paired = float((size @ meet @ size - members) / (members * (members - 1)))
    products = z.sum(axis=1) ** 2 - (z ** 2).sum(axis=1)                 # (T,): the products' sum per row
    mean = products.sum() / pairs.sum()
    groups = np.unique(refits)
    var = 0.0
    if len(groups) >= 2:
        totals = np.array([(products[refits == g] - mean * pairs[refits == g]).sum() for g in groups])
        var = float((totals ** 2).sum()) * len(groups) / (len(groups) - 1) / float(pairs.sum()) ** 2
    shrink = 1.0 if mean == 0 or len(groups) < 2 else float(np.clip(var / mean ** 2, 0.0, 1.0))
    estimate = mean * (1.0 - shrink)
    used = max(estimate, 0.0)
    return (np.sqrt(used) * evidence)[:, None], {"correlation": used, "estimate": estimate, "shrinkage": shrink,
                                                 "paired": paired}


def refit_errors(spans, keys) -> pd.DataFrame:
    """The errors ``mint_refits`` weighs by, from a forecast's refit span sums (the core's
    ``attrs["window_spans"]``: columns ``keys..., origin, start, actual, forecast``, one row per
    span of the window's length of each series' rolling-origin refits; ``window_band.span_sums``).

    Returns ``[keys..., refit, step, error]``: ``refit`` the refit's origin (its first forecast
    period: the rows of series whose refits start on the same date and span the same periods
    pair up, whatever each history's length or end), ``step`` the span's first period after the
    origin, ``error`` the span's actual minus forecast (units over the window's length: the
    error of a window total at that lead). Raises ``ParameterError`` for missing columns."""
    frame = pd.DataFrame(spans)
    missing = [c for c in [*keys, "origin", "start", "actual", "forecast"] if c not in frame.columns]
    if missing and len(frame):
        raise ParameterError(f"refit spans: missing columns {missing}")
    if not len(frame):
        return pd.DataFrame(columns=[*keys, "refit", "step", "error"])
    return pd.DataFrame({**{k: frame[k] for k in keys}, "refit": pd.to_datetime(frame["origin"]),
                         "step": frame["start"].astype(int),
                         "error": frame["actual"].astype(float) - frame["forecast"].astype(float)})


def total_weight(spans, total_spans, keys) -> tuple[float | None, dict]:
    """The weight of the direct total against the summed series, from their own backtest
    errors: the spans of the window's length of their rolling-origin refits
    (``core.forecast(window=...)``'s ``attrs["window_spans"]``, ``window_band.span_sums``).

    A span (a refit origin and first period) is scored where the total has it and the series
    with a refit there sold at least ``WEIGHT_COVERED`` of the total's units in it (a series
    younger than the origin, or one whose refits skip the span, is not in the sum): the relative
    errors ``e_T = forecast / actual - 1`` of the total and ``e_S`` of those series' summed
    forecast against their summed actual. ``w = MSE_S / (MSE_S + MSE_T)``, the mean squares over
    the scored spans (Bates & Granger 1969's weights for two unbiased forecasts of one figure,
    their error covariance left out, as their paper advises on few errors).

    Args:
        spans: the series' span sums ``[keys..., origin, start, actual, forecast]`` (units).
        total_spans: the direct total's ``[origin, start, actual, forecast]``; None: none.
        keys: the series' key columns.

    Returns:
        ``(w, detail)``: ``w`` in [0, 1], or None where fewer than ``WEIGHT_REFITS`` refit
        origins are scored; ``detail``: ``refits`` (origins scored), ``spans``, ``rms_total``
        and ``rms_sum`` (root mean square relative errors, fractions).
    """
    empty = {"refits": 0, "spans": 0, "rms_total": float("nan"), "rms_sum": float("nan")}
    bottom, total = pd.DataFrame(spans), pd.DataFrame(total_spans if total_spans is not None else [])
    if bottom.empty or total.empty:
        return None, empty
    on = ["origin", "start"]
    summed = bottom.groupby(on, as_index=False)[["actual", "forecast"]].sum()
    both = total[[*on, "actual", "forecast"]].merge(summed, on=on, suffixes=("_total", "_sum"))
    scored = both[(both["actual_total"] > 0) & (both["actual_sum"] >= WEIGHT_COVERED * both["actual_total"])]
    refits = int(scored["origin"].nunique())
    if refits < WEIGHT_REFITS:
        return None, {**empty, "refits": refits}
    e_total = scored["forecast_total"] / scored["actual_total"] - 1
    e_sum = scored["forecast_sum"] / scored["actual_sum"] - 1
    mse_total, mse_sum = float((e_total ** 2).mean()), float((e_sum ** 2).mean())
    weight = 0.5 if mse_total + mse_sum == 0 else mse_sum / (mse_total + mse_sum)
    return weight, {"refits": refits, "spans": len(scored), "rms_total": mse_total ** 0.5, "rms_sum": mse_sum ** 0.5}


def _backtest_weighted(bottom: pd.DataFrame, total: pd.DataFrame, keys, errors, held: np.ndarray) -> pd.DataFrame:
    """``backtest_weights`` (module doc): each day's total ``S_t + w (T_t - S_t)`` of the summed
    bottom ``S`` and the direct total ``T`` (the mean; the median likewise where both have one),
    ``w`` from ``total_weight``, then ``_top_down_var`` to it (``held`` rows kept).

    Raises:
        ParameterError: no span sums (``errors``), or too few shared refits for a weight."""
    if not errors or "bottom" not in errors or "total" not in errors:
        raise ParameterError("backtest_weights needs the refit span sums of the series and the total "
                             "(errors={'bottom': ..., 'total': ...}: each forecast's attrs['window_spans'])")
    weight, detail = total_weight(errors["bottom"], errors["total"], keys)
    if weight is None:
        raise ParameterError(f"backtest_weights: the series and the total share {detail['refits']} refit origins; "
                             f"it needs {WEIGHT_REFITS} (prepare_method falls back to mint_refits)")
    direct = _direct_total(bottom, total)
    target = direct.copy()
    for column in ("yhat", "yhat_q50"):
        if column in bottom.columns and column in direct.columns:
            summed = bottom.groupby("ds")[column].sum().reindex(direct.index)
            target[column] = summed + weight * (direct[column] - summed)
    out = _top_down_var(bottom, target.reset_index(), held)
    out.attrs["reconcile"] = {**out.attrs["reconcile"], "method": "backtest_weights", "weight": weight, **detail}
    return out


def mint_projection(S: np.ndarray, W: np.ndarray | None = None, diagonal: np.ndarray | None = None) -> np.ndarray:
    """The MinT reconciliation matrix ``G`` (n_bottom, n): reconciled bottom ``b~ = G y^``.

    Parameters
    ----------
    S : summing matrix (n, n_bottom) whose last n_bottom rows are the identity (upper series
        first, then the bottom), as ``summing_matrix`` builds it.
    W : the base forecast errors' covariance (n, n); or ``diagonal`` (n,) for a diagonal W.

    Returns ``G = J - J W U (U' W U)^-1 U'`` with ``J = [0 | I]`` and ``U' = [I | -C]``
    (Wickramasuriya, Athanasopoulos & Hyndman 2019, Lemma 1), equal to
    ``(S' W^-1 S)^-1 S' W^-1`` but solving only an (n_upper, n_upper) system.
    Raises ``ParameterError`` when ``U' W U`` is singular.
    """
    n, n_bottom = S.shape
    n_upper = n - n_bottom
    ut = np.hstack([np.eye(n_upper), -S[:n_upper]])
    if (W is None) == (diagonal is None):
        raise ParameterError("give either W or its diagonal")
    wu = W @ ut.T if W is not None else diagonal[:, None] * ut.T     # (n, n_upper)
    try:
        core = np.linalg.solve(ut @ wu, ut)                          # (U'WU)^-1 U'
    except np.linalg.LinAlgError:
        raise ParameterError("MinT: U'WU is singular (a series with no error variance under a "
                             "total?); use wls_struct or forecast_proportions") from None
    G = -wu[n_upper:] @ core
    G[:, n_upper:] += np.eye(n_bottom)
    return G


def diagonal_projection(S: np.ndarray, diagonal: np.ndarray, *values: np.ndarray,
                        factor: np.ndarray | None = None) -> list[np.ndarray]:
    """The MinT projection of every column of ``values`` with its own diagonal ``W``: column
    ``j`` is reconciled with ``W_j = diag(diagonal[:, j])`` (``wls_var``: one variance per
    series and date), without forming any ``G``; with ``factor`` F, with ``W_j = D_j^1/2 R
    D_j^1/2`` (``mint_refits``: those variances and one correlation matrix ``R = F F' + diag(1
    - sum_k F_ik^2)``, e.g. ``bottom_correlation``'s), a diagonal plus a rank-k matrix.

    Parameters
    ----------
    S : summing matrix (n, n_bottom), upper rows first, then the identity (``summing_matrix``).
    diagonal : shape (n, m), each series' forecast error variance per column (date), > 0.
    values : arrays (n, m) of base forecasts (e.g. the means and the medians), reconciled
        with the same ``W_j``.
    factor : None, or shape (n, k) with rows of squared norm <= 1.

    Returns one (n_bottom, m) array per ``values``: ``b~_j = G_j y^_j`` of ``mint_projection``,
    computed as ``b^ + w_b * C' x`` with ``(W_u + C W_b C') x = y^_u - C b^`` (the same
    Lemma 1 with ``U' = [I | -C]``: ``U'WU = W_u + C W_b C'`` and ``-J W U = W_b C'``; for a
    total and its bottom this is the closed form ``b~_i = b^_i + w_i (y^_total - sum b^) /
    (w_total + sum w)``). Per date that is one (n_upper, n_upper) system, assembled from the
    sparse pairs of upper series that share a bottom series and solved for all dates at once,
    instead of an (n_bottom, n) matrix per date: O(m (L^2 n_bottom + n_upper^3)) for L levels,
    against O(m n_bottom n n_upper). With F, ``W_j = diag(w_j) + V_j V_j'`` (``w = diagonal *
    (1 - sum F^2)``, ``V_j = D_j^1/2 F``): the system gains ``G_j' G_j`` (``G_j = V_j' U``, k x
    n_upper) and the bottom ``- V_b G_j x``: O(m n k) more, never an (n, n) matrix.

    Raises ``ParameterError`` when ``U'WU`` is singular for a date, or a factor row's squared
    norm exceeds 1.
    """
    from scipy import sparse

    if factor is not None and factor.any():
        rest = 1.0 - (factor ** 2).sum(axis=1)                    # R's diagonal beyond F F'
        if (rest < -1e-9).any():
            raise ParameterError("correlation factor: a row's squared norm exceeds 1 (not a correlation matrix)")
        root, diagonal = np.sqrt(diagonal), diagonal * np.clip(rest, 0.0, None)[:, None]
    else:
        factor = None

    n, n_bottom = S.shape
    n_upper = n - n_bottom
    if n_upper == 0:  # nothing above the bottom: already coherent
        return [v.astype(float) for v in values]
    C = sparse.csr_matrix(S[:n_upper])
    rows, cols = np.nonzero(S[:n_upper].T)   # (bottom, upper) pairs, grouped by bottom series
    counts = np.bincount(rows, minlength=n_bottom)
    starts = np.cumsum(counts) - counts
    # every pair (u, v) of upper series above the same bottom series b: C W_b C' = P w_b
    first = np.repeat(np.arange(len(rows)), counts[rows])
    second = starts[rows[first]] + np.arange(len(first)) - np.repeat(np.cumsum(counts[rows]) - counts[rows],
                                                                     counts[rows])
    weights = S[:n_upper].T[rows, cols]
    pairs = sparse.csr_matrix((weights[first] * weights[second], (cols[first] * n_upper + cols[second], rows[first])),
                              shape=(n_upper * n_upper, n_bottom))
    w_upper, w_bottom = diagonal[:n_upper], diagonal[n_upper:]
    gaps = np.stack([v[:n_upper] - C @ v[n_upper:] for v in values], axis=-1)   # (n_upper, m, k): U'y
    out = [v[n_upper:].astype(float) for v in values]
    step = max(1, int(BLOCK_VALUES // (n_upper * n_upper)))   # dates per block: bounded memory
    for block in range(0, diagonal.shape[1], step):
        cut = slice(block, block + step)
        system = (pairs @ w_bottom[:, cut]).T.reshape(-1, n_upper, n_upper)
        system[:, np.arange(n_upper), np.arange(n_upper)] += w_upper[:, cut].T
        if factor is not None:  # G_j = V_j' U = V_u' - (C V_b)'
            v = root[:, cut, None] * factor[:, None, :]                             # (n, dates, k)
            g = v[:n_upper] - (C @ v[n_upper:].reshape(n_bottom, -1)).reshape(n_upper, -1, factor.shape[1])
            system += np.einsum("udk,vdk->duv", g, g)
        try:
            x = np.linalg.solve(system, gaps[:, cut].transpose(1, 0, 2))              # (dates, n_upper, k)
        except np.linalg.LinAlgError:
            raise ParameterError("MinT: U'WU is singular (a series with no error variance under a "
                                 "total?); use wls_struct or forecast_proportions") from None
        for i, reconciled in enumerate(out):
            reconciled[:, cut] += w_bottom[:, cut] * (C.T @ x[:, :, i].T)
            if factor is not None:
                reconciled[:, cut] -= np.einsum("bdk,dk->bd", v[n_upper:], np.einsum("udk,du->dk", g, x[:, :, i]))
    return out


def summing_matrix(bottom: pd.DataFrame, levels) -> tuple[np.ndarray, list[tuple[tuple, tuple]]]:
    """The summing matrix of a hierarchy (or grouped structure) and its row labels.

    Parameters
    ----------
    bottom : one row per bottom series: its key columns and the columns of every level.
    levels : the upper levels, each a tuple of column names (``()`` the total), listed as the
        rows of S should be.

    Returns ``(S, labels)``: S (n_upper + n_bottom, n_bottom) of 0/1, the upper series (each
    level's keys in sorted order) then the bottom in ``bottom``'s row order (identity);
    ``labels`` is ``(level, key values)`` per row of S, the bottom's level being ``"bottom"``
    (with the values of every column of ``bottom``).
    """
    rows, labels = [], []
    for level in levels:
        level = tuple(level)
        if not level:
            rows.append(np.ones((1, len(bottom))))
            labels.append(((), ()))
            continue
        codes, uniques = pd.MultiIndex.from_frame(bottom[list(level)]).factorize(sort=True)
        block = np.zeros((len(uniques), len(bottom)))
        block[codes, np.arange(len(bottom))] = 1.0
        rows.append(block)
        labels += [(level, tuple(u)) for u in uniques]
    rows.append(np.eye(len(bottom)))
    labels += [("bottom", tuple(row)) for row in bottom.itertuples(index=False, name=None)]
    return np.vstack(rows), labels


def _series_table(bottom: pd.DataFrame, keys: list[str], levels) -> pd.DataFrame:
    """One row per bottom series with its level columns; each must be constant per series."""
    columns = list(dict.fromkeys([*keys, *[c for level in levels for c in level]]))
    missing = [c for c in columns if c not in bottom.columns]
    if missing:
        raise ParameterError(f"bottom forecast: missing level column(s) {missing}")
    table = bottom[columns].drop_duplicates()
    if table.duplicated(keys).any():
        key = tuple(table[table.duplicated(keys)].iloc[0][keys])
        raise ParameterError(f"bottom series {key}: more than one value of a level column "
                             f"{[c for c in columns if c not in keys]}; each series belongs to one node")
    return table.sort_values(keys).reset_index(drop=True)


def _stack(frames: dict, table: pd.DataFrame, keys, levels, labels, value: str, index_cols,
           what: str) -> tuple[np.ndarray, pd.Index]:
    """The (n, m) matrix of ``value`` per series of S and the m columns (the ``index_cols``
    values of the bottom frame, sorted), from the level frames; a missing series or row is named."""
    out = []
    for level in [*levels, "bottom"]:
        columns = [*(keys if level == "bottom" else level), *index_cols]
        if frames[level].duplicated(columns).any():
            raise ParameterError(f"{what} of level {level if level == 'bottom' else list(level)}: more than one "
                                 f"row per series and {' and '.join(index_cols)}")
    for level in levels:
        level = tuple(level)
        frame = frames[level]
        wide = (frame.set_index([*level, *index_cols])[value].unstack(index_cols) if level else
                frame.set_index(index_cols)[value].to_frame().T)
        want = [key for lv, key in labels if lv == level] if level else [()]
        out.append(_aligned(wide, want, level, what))
    wide = frames["bottom"].set_index([*keys, *index_cols])[value].unstack(index_cols)
    out.append(_aligned(wide, list(table[keys].itertuples(index=False, name=None)), tuple(keys), what))
    columns = out[-1].columns
    stacked = [part.reindex(columns=columns) for part in out]
    matrix = np.vstack([part.to_numpy(dtype=float) for part in stacked])
    if np.isnan(matrix).any():
        row, col = map(int, np.argwhere(np.isnan(matrix))[0])
        raise ParameterError(f"{what}: no {value} for series {labels[row]} at {columns[col]}; every series "
                             f"of every level needs a value at every date")
    return matrix, columns


def _aligned(wide: pd.DataFrame, want: list, level: tuple, what: str) -> pd.DataFrame:
    if len(level) == 1 and not isinstance(wide.index, pd.MultiIndex):
        wide.index = pd.MultiIndex.from_arrays([wide.index])
    if level:
        where = wide.index.get_indexer(pd.MultiIndex.from_tuples(want, names=wide.index.names))
        if (where < 0).any():
            absent = [key for key, at in zip(want, where) if at < 0]
            raise ParameterError(f"{what} of level {list(level)}: no series {absent[0]} "
                                 f"({len(absent)} missing); forecast every node of the level")
        return wide.iloc[where]
    return wide


def reconcile(bottom: pd.DataFrame, upper=None, *, keys, method: str = "forecast_proportions",
              errors: dict | None = None, held=None) -> pd.DataFrame:
    """Bottom forecasts made coherent with the forecasts of the levels above them.

    Parameters
    ----------
    bottom : the core's forecast frame of the bottom series, ``[keys..., ds, yhat, yhat_q..]``
        (units per period), with the columns of every upper level (e.g. ``origin`` beside
        ``route``).
    upper : the direct forecasts of the levels above: a frame ``[ds, yhat, ...]`` (the total),
        or a dict ``{level columns tuple: frame}`` with ``()`` for the total, e.g.
        ``{(): total, ("origin",): origins}``. ``"forecast_proportions"`` and
        ``"top_down_var"`` need the total;
        the projections use every level given (the hierarchy is the levels given plus the
        bottom); ``"bottom_up"`` needs none.
    keys : the bottom frame's key columns.
    method : one of ``METHODS`` (see the module docstring). ``"top_down_var"`` and ``"wls_var"``
        need quantile columns (a band) in every frame they weigh.
    errors : ``"mint_shrink"``: past forecast errors, ``{level tuple: frame}`` for every
        level of ``upper`` and ``"bottom"``, each ``[level columns..., cutoff, ds, error]``
        (error = actual - forecast, the same cut-offs and dates at every level).
        ``"mint_refits"``: ``{"bottom": [keys..., refit, step, error]}``, the bottom series'
        refit errors (``refit_errors`` of the forecast's ``attrs["window_spans"]``; a series
        may have none). ``"backtest_weights"``: ``{"bottom": ..., "total": ...}``, the bottom
        series' and the total's refit span sums (each forecast's ``attrs["window_spans"]``:
        ``[keys..., origin, start, actual, forecast]``, the total's without keys).
    held : None, or an array of shape (len(bottom),): each bottom row's share of its days declared
        unavailable (``core.unavailable_share``, 0..1; booleans: 1 or 0). A row at 1 (sales 0 by
        declaration; review 10.1 F4) every method keeps as forecast, the other series of the date
        taking the gap: a projection weighs it with no error variance (its row and column of W zero,
        one W per date, as a band of 0..0 under ``wls_var``: ``b~ = b^`` there, Lemma 1), the top-down
        splits leave it out. A row between moves as far as its selling days (module doc).

    Returns
    -------
    A copy of ``bottom`` with every value column (``yhat``, quantiles, baseline) reconciled; its
    ``attrs["reconcile"]`` holds the method, ``held`` (the rows held), ``partly_held`` (the rows
    partly declared), and per method the top-down factors (dicts date ->
    factor, for the mean and the quantiles), the shrinkage intensity (``mint_refits``: the
    bottom's correlation, the error rows and the series with errors), and the count and units of
    negative values set to zero.

    Raises
    ------
    ParameterError : unknown method; a missing level, series, date or column; errors missing or
        misaligned for ``"mint_shrink"``; ``held`` of another length or outside 0..1.
    """
    if method not in METHODS:
        raise ParameterError(f"method: {method!r} is not one of {list(METHODS)}")
    keys = list(keys)
    missing = [k for k in [*keys, "ds", "yhat"] if k not in bottom.columns]
    if missing:
        raise ParameterError(f"bottom forecast: missing columns {missing}")
    declared = np.zeros(len(bottom)) if held is None else np.asarray(held, dtype=float)
    if declared.shape != (len(bottom),):
        raise ParameterError(f"held: one share per row of the bottom forecast ({len(bottom)}); got {declared.shape}")
    if not ((declared >= 0) & (declared <= 1)).all():
        raise ParameterError("held: each row's share of its days declared unavailable, from 0 to 1")
    held = declared >= 1
    upper = {(): upper} if isinstance(upper, pd.DataFrame) else dict(upper or {})
    upper = {tuple(level): _bare(frame) for level, frame in upper.items()}
    attrs, bottom = dict(bottom.attrs), _bare(bottom)
    if method == "bottom_up":
        out = bottom.copy()
        out.attrs["reconcile"] = {"method": method}
    elif method in ("forecast_proportions", "top_down_var", "backtest_weights"):
        total = upper.get(())
        if total is None or "yhat" not in total.columns or "ds" not in total.columns:
            raise ParameterError(f"{method} needs the total's forecast [ds, yhat, ...]")
        if method == "backtest_weights":
            out = _backtest_weighted(bottom, total, keys, errors, held)
        else:
            out = (_top_down(bottom, total, held) if method == "forecast_proportions" else
                   _top_down_var(bottom, total, held))
    elif not upper:
        raise ParameterError(f"{method} needs the direct forecasts of at least one level above the bottom")
    else:
        out = _project(bottom, upper, keys, method, errors, declared)
    out.attrs = {**attrs, "reconcile": {**out.attrs["reconcile"], "held": int(held.sum()),
                                        "partly_held": int(((declared > 0) & ~held).sum())}}
    return out


def _bare(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its attrs (a shallow copy): pandas deep-copies attrs on every operation,
    and a forecast's (window bands, notes) made a reconciliation of 276 series take seconds."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def _direct_total(bottom: pd.DataFrame, total: pd.DataFrame) -> pd.DataFrame:
    """The total's forecast indexed by date, one row for every date of the bottom."""
    direct = total.set_index("ds")
    if direct.index.duplicated().any():
        raise ParameterError("total forecast: one row per date expected (it is the sum of all series)")
    uncovered = sorted(set(bottom.ds) - set(direct.index))
    if uncovered:
        raise ParameterError(f"total forecast: no row for {len(uncovered)} dates of the bottom forecast, "
                             f"first {pd.Timestamp(uncovered[0]).date()}")
    return direct


def _top_down(bottom: pd.DataFrame, total: pd.DataFrame, held: np.ndarray) -> pd.DataFrame:
    """Forecast proportions (module doc); the ``held`` rows are kept and the others split what the
    total leaves them (never below 0)."""
    out = bottom.copy()
    direct = _direct_total(bottom, total)
    free = ~held
    columns = _value_columns(out)
    # the mean (and baseline) split in proportion to the bottom's means; the quantiles scaled by
    # the median's day factor when both sides have a median, so the bottom medians add up to the
    # total's median and every band keeps its order and relative width
    median = "yhat_q50" if "yhat_q50" in out and "yhat_q50" in direct else "yhat"
    groups = {"yhat": [c for c in columns if not c.startswith("yhat_q")],
              median: [c for c in columns if c.startswith("yhat_q")]}
    if median == "yhat":
        groups = {"yhat": columns}
    factors, empty_dates = {}, set()
    counts = out[free].groupby("ds").size().reindex(out["ds"].unique(), fill_value=0)
    for by, cols in groups.items():
        summed = out[by].where(free, 0.0).groupby(out["ds"]).sum()
        top = direct[by].reindex(summed.index)
        if held.any():  # what the held rows keep is not split
            top = (top - out[by].where(held, 0.0).groupby(out["ds"]).sum()).clip(lower=0.0)
        factor = top / summed.where(summed > 0)
        # the free bottom forecasts nothing that day (a day with every series held keeps them)
        empty = factor.index[factor.isna() & (top > 0) & (counts.reindex(factor.index) > 0)]
        scale = np.where(held, 1.0, out.ds.map(factor).fillna(0.0).to_numpy())
        on = out.ds.isin(empty).to_numpy() & free
        for col in cols:
            values = out[col].to_numpy() * scale
            if on.any():  # nothing to split in proportion: an equal split of the total's values
                source = direct[col] if col in direct.columns else direct[by]
                values[on] = out.loc[on, "ds"].map(source / counts).to_numpy()
            out[col] = values
        factors[by] = factor
        empty_dates |= set(empty)
    out.attrs["reconcile"] = {"method": "forecast_proportions", "factor": factors["yhat"].to_dict(),
                              "quantile_factor": factors.get(median, factors["yhat"]).to_dict(),
                              "equal_split_dates": sorted(empty_dates)}
    return out


def _top_down_var(bottom: pd.DataFrame, total: pd.DataFrame, held: np.ndarray) -> pd.DataFrame:
    """The variance-weighted non-negative split of each day's gap (module doc): of the mean, and
    of the median when both sides have one (the other quantiles move with the median, as in
    ``_top_down``, so the bottom medians add up to the total's); the ``held`` rows do not move."""
    direct = _direct_total(bottom, total)
    codes, dates = pd.factorize(bottom["ds"], sort=True)
    weight = band_variance(bottom)
    columns = _value_columns(bottom)
    median = "yhat_q50" if "yhat_q50" in bottom and "yhat_q50" in direct else "yhat"
    groups = {"yhat": [c for c in columns if median == "yhat" or not c.startswith("yhat_q")]}
    if median != "yhat":
        groups[median] = [c for c in columns if c.startswith("yhat_q")]
    out, info = bottom.copy(), {"method": "top_down_var"}
    for by, cols in groups.items():
        new, lam, flat = _variance_split(codes, len(dates), bottom[by].to_numpy(dtype=float), weight,
                                         direct[by].reindex(dates).to_numpy(dtype=float), held)
        out[cols] = _moved(bottom, by, new, cols)
        info.update({"lambda" if by == "yhat" else "median_lambda": dict(zip(dates, lam))})
        if by == "yhat":
            info.update(at_zero=int(((new == 0) & (bottom[by].to_numpy() > 0)).sum()),
                        proportional_dates=sorted(set(dates[np.unique(codes[flat])])))
    out.attrs["reconcile"] = info
    return out


def _variance_split(codes: np.ndarray, m: int, base: np.ndarray, weight: np.ndarray, target: np.ndarray,
                    held: np.ndarray | None = None):
    """``max(0, base + weight * lambda[codes])`` with ``lambda`` per date (``codes`` 0..m-1) such
    that each date's values add up to ``target``: the non-negative weighted least-squares split
    (KKT: a value above zero moves by ``weight * lambda``, one at zero would go below it). Where
    every weight of a date is zero, or the rows without weight already exceed its target (they
    cannot move), the weights are the base values (forecast proportions), or one each (an equal
    split) when the base is zero too. ``held`` rows (shape like ``base``) never move, flat or not:
    a date with every row held keeps them, whatever its target. Returns ``(values, lambda, flat)``,
    ``flat`` marking the rows of such dates. Raises ``ParameterError`` for a negative target."""
    if not (np.isfinite(target) & (target >= 0)).all():
        raise ParameterError("total forecast: the values split must be finite and >= 0 on every date")
    held = np.zeros(len(base), dtype=bool) if held is None else held
    weight = np.where(held, 0.0, weight)
    summed, spread = np.bincount(codes, base, m), np.bincount(codes, weight, m)
    # a date whose rows that cannot move (zero weight) already exceed its target cannot be met
    # by moving the others: forecast proportions there, like a date without weights
    fixed = np.bincount(codes, np.where(weight > 0, 0.0, base), m)
    flat = ((spread[codes] <= 0) | (fixed[codes] > target[codes] * (1 + 1e-12))) \
        & (np.bincount(codes, ~held, m)[codes] > 0)
    free_sum = np.bincount(codes, np.where(held, 0.0, base), m)
    weight = np.where(flat & ~held, np.where(free_sum[codes] > 0, base, 1.0), weight)
    spread = np.bincount(codes, weight, m)
    # exact when raising (no value reaches zero); 0 on a date with every row held
    lam = np.divide(target - summed, spread, out=np.zeros(m), where=spread > 0)
    low = target < summed
    if low.any():  # lowering: bisect for the active set, then solve on it exactly
        floor = np.zeros(m)
        np.minimum.at(floor, codes, np.where(weight > 0, -base / np.where(weight > 0, weight, 1.0), 0.0))
        lo, hi = floor, np.zeros(m)
        for _ in range(100):
            mid = (lo + hi) / 2
            over = np.bincount(codes, np.maximum(base + weight * mid[codes], 0.0), m) > target
            hi, lo = np.where(over, mid, hi), np.where(over, lo, mid)
        active = base + weight * hi[codes] > 0
        rest = np.bincount(codes, np.where(active, base, 0.0), m)
        room = np.bincount(codes, np.where(active, weight, 0.0), m)
        lam = np.where(low, np.divide(target - rest, room, out=hi.copy(), where=room > 0), lam)
    return np.maximum(base + weight * lam[codes], 0.0), lam, flat


def _moved(bottom: pd.DataFrame, by: str, new: np.ndarray, columns) -> np.ndarray:
    """The ``columns`` of ``bottom`` moved with ``by`` now at ``new``: scaled by the ratio of the
    new to the old ``by``, or shifted by ``new`` where the old is zero. Shape (rows, columns)."""
    old = bottom[by].to_numpy(dtype=float)
    ratio = np.divide(new, old, out=np.zeros_like(new), where=old > 0)
    values = bottom[list(columns)].to_numpy(dtype=float)
    moved = np.where((old > 0)[:, None], values * ratio[:, None], values + new[:, None])
    moved[:, [i for i, c in enumerate(columns) if c == by]] = new[:, None]
    return moved


def _held_rows(bottom: pd.DataFrame, declared: np.ndarray, table: pd.DataFrame, keys, dates) -> np.ndarray:
    """``declared`` (each row of ``bottom``'s share of its days declared unavailable) as an (n_bottom,
    m) matrix over the table's series and the ``dates``, as ``_stack`` orders them (0 elsewhere)."""
    out = np.zeros((len(table), len(dates)))
    on = declared > 0
    if on.any():
        rows = pd.MultiIndex.from_frame(table[keys]).get_indexer(pd.MultiIndex.from_frame(bottom.loc[on, keys]))
        out[rows, pd.Index(dates).get_indexer(bottom.loc[on, "ds"])] = declared[on]
    return out


def _project(bottom, upper, keys, method, errors, declared: np.ndarray) -> pd.DataFrame:
    levels = [level for level in upper if level != tuple(keys)]
    table = _series_table(bottom, keys, levels)
    S, labels = summing_matrix(table, levels)
    frames = {**upper, "bottom": bottom}
    base, dates = _stack(frames, table, keys, levels, labels, "yhat", ["ds"], "forecast")
    shares = _held_rows(bottom, declared, table, keys, dates)   # (n_bottom, dates): declared shares
    fixed = shares >= 1
    n_upper = len(S) - S.shape[1]
    info = {"method": method}
    G, factor = None, None
    if method in ("ols", "wls_struct"):
        diagonal = np.ones(len(S)) if method == "ols" else S.sum(axis=1)
        if shares.any():  # a series-day weighs its selling days (none held): one W a date, as wls_var's
            variance = np.repeat(diagonal[:, None], len(dates), axis=1)
            variance[n_upper:] *= 1.0 - shares
        else:
            G = [(mint_projection(S, diagonal=diagonal), slice(None))]
    elif method in ("wls_var", "mint_refits"):  # one projection a day: each series' variance at that horizon
        weighed = {level: frame.assign(_variance=band_variance(frame)) for level, frame in frames.items()}
        variance, _ = _stack(weighed, table, keys, levels, labels, "_variance", ["ds"], "forecast")
        if method == "mint_refits":  # the bottom series' errors correlated; the levels above as wls_var's
            E, refits = _error_matrix(errors, table, keys)
            factor, detail = bottom_correlation(E, refits) if E.shape[0] >= 2 else (None, {})
            if factor is not None:
                factor = np.vstack([np.zeros((len(S) - S.shape[1], 1)), factor])
            used, estimate = detail.get("correlation", 0.0), detail.get("estimate", 0.0)
            info.update(correlation=used, estimated_correlation=estimate, error_rows=E.shape[0],
                        series_with_errors=int(np.isfinite(E).any(axis=0).sum()), paired=detail.get("paired", 0.0),
                        uncorrelated_why="" if used > 0 else
                        (f"fewer than 2 refit span rows among the series ({E.shape[0]})" if E.shape[0] < 2 else
                         f"their refits' errors correlate {estimate:+.2f}, which the model floors at 0"
                         if estimate < 0 else "their refits' errors show no correlation after shrinkage"))
    else:
        if errors is None:
            raise ParameterError("mint_shrink needs past forecast errors of every level (errors=...)")
        errors = {tuple(k) if k != "bottom" else k: v for k, v in errors.items()}
        absent = [lv for lv in [*levels, "bottom"] if lv not in errors]
        if absent:
            raise ParameterError(f"errors: none given for level(s) {absent}")
        index_cols = ["cutoff", "ds"] if "cutoff" in errors["bottom"].columns else ["ds"]
        E, _ = _stack(errors, table, keys, levels, labels, "error", index_cols, "errors")
        W, lam = shrunk_covariance(E.T)
        G = []
        for pattern in np.unique(shares.T, axis=0):  # one G per set of declared shares: W weighed by selling days
            selling = np.sqrt(np.r_[np.ones(n_upper), 1.0 - pattern])  # held: their rows of W zero
            G.append((mint_projection(S, W * np.outer(selling, selling)), (shares.T == pattern).all(axis=1)))
        info.update(shrinkage=lam, error_rows=E.shape[1])
    if G is None:
        variance[n_upper:][fixed] = 0.0

    def project(*values: np.ndarray) -> list[np.ndarray]:  # each (n, dates) -> its reconciled bottom (n_bottom, dates)
        if G is not None:
            out = [np.empty((S.shape[1], v.shape[1])) for v in values]
            for matrix, columns in G:
                for reconciled, v in zip(out, values):
                    reconciled[:, columns] = matrix @ v[:, columns]
            return out
        # the ridge on the upper series only: it keeps U'WU invertible (a band 0..0 above), and a
        # bottom series without variance (a band 0..0, a stopped line, a held day) stays exactly where it is
        ridge = SHRINK_RIDGE if method in ("wls_var", "mint_refits") else 0.0  # ols/wls_struct: W_upper >= 1
        ridged = variance + ridge * (np.arange(len(S)) < n_upper)[:, None]
        return diagonal_projection(S, ridged, *values, factor=factor)

    where = pd.MultiIndex.from_frame(bottom[[*keys, "ds"]])

    def bottom_values(reconciled: np.ndarray) -> np.ndarray:
        new = pd.DataFrame(reconciled, index=pd.MultiIndex.from_frame(table[keys]), columns=dates).stack()
        new.index.names = [*keys, "ds"]
        return new.reindex(where).to_numpy()

    out, columns = bottom.copy(), _value_columns(bottom)
    quantiles = [c for c in columns if c.startswith("yhat_q")]
    # the medians projected like the means when every level has one, so they add up too; the
    # other quantiles move with the median (as top-down's do), else everything with the mean
    with_median = "yhat_q50" in quantiles and all("yhat_q50" in frame for frame in upper.values())
    if with_median:
        medians, _ = _stack(frames, table, keys, levels, labels, "yhat_q50", ["ds"], "forecast")
        reconciled, median = project(base, medians)
    else:
        (reconciled,) = project(base)
    negative = reconciled < -NEGATIVE_TOLERANCE
    info.update(negative_values=int(negative.sum()), negative_units=float(abs(reconciled[negative].sum())))
    reconciled[reconciled < 0] = 0.0                        # set negative to zero, counted above
    moved_with_mean = [c for c in columns if not (with_median and c in quantiles)]
    out[moved_with_mean] = _moved(bottom, "yhat", bottom_values(reconciled), moved_with_mean)
    if with_median:
        out[quantiles] = _moved(bottom, "yhat_q50", bottom_values(np.maximum(median, 0.0)), quantiles)
    out.attrs["reconcile"] = info
    return out


def _error_matrix(errors, table: pd.DataFrame, keys) -> tuple[np.ndarray, np.ndarray]:
    """``mint_refits``' errors as a (T, n_bottom) matrix over the bottom series in the table's
    order (NaN: no error; a series without refits has none) and the refit of each of the T rows
    (every ``(refit, step)``). ``errors``: ``{"bottom": [keys..., refit, step, error]}``
    (``refit_errors``). Raises ``ParameterError`` for missing errors or columns, or a series the
    hierarchy does not hold."""
    if errors is None or "bottom" not in errors:
        raise ParameterError("mint_refits needs the bottom series' refit errors (errors={'bottom': ...}: "
                             "reconcile.refit_errors of the forecast's attrs['window_spans'])")
    frame, columns = errors["bottom"], list(keys)
    missing = [c for c in [*columns, "refit", "step", "error"] if c not in frame.columns]
    if missing:
        raise ParameterError(f"errors of the bottom: missing columns {missing}")
    if frame.duplicated([*columns, "refit", "step"]).any():
        raise ParameterError("errors of the bottom: more than one row per series, refit and step")
    rows = pd.MultiIndex.from_frame(table[columns]).get_indexer(pd.MultiIndex.from_frame(frame[columns]))
    if (rows < 0).any():
        at = int(np.flatnonzero(rows < 0)[0])
        raise ParameterError(f"errors: series {dict(zip(columns, frame[columns].iloc[at]))} is not in the "
                             f"forecast's hierarchy")
    long = pd.DataFrame({"row": rows, "refit": frame["refit"].to_numpy(), "step": frame["step"].to_numpy(),
                         "error": frame["error"].to_numpy(dtype=float)})
    wide = long.pivot(index=["refit", "step"], columns="row", values="error").reindex(columns=range(len(table)))
    return wide.to_numpy(dtype=float), wide.index.get_level_values("refit").to_numpy()


def level_totals(frame: pd.DataFrame, level, value_columns=None) -> pd.DataFrame:
    """Sums of a (reconciled) bottom forecast per ``level`` columns and date: a middle level of
    the hierarchy (``level=[]`` gives the total). Quantile columns are summed too, which is
    coherent with the bottom but not a quantile of the sum (said in ``attrs["note"]``)."""
    cols = value_columns or _value_columns(frame)
    out = frame.groupby([*level, "ds"], sort=True)[cols].sum().reset_index()
    out.attrs["note"] = "quantile columns are sums of the bottom quantiles (coherent, not quantiles of the sum)"
    return out
