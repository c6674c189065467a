"""Coherent levels: workbench.forecast.reconcile (hand-computed cases and the sample panel)."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ParameterError
from workbench.forecast.core import forecast
from scipy import optimize, stats

from workbench.forecast.reconcile import (band_variance, choose_method, level_totals, reconcile, refit_errors,
                                         resolve_method, bottom_correlation, scale_band, shrunk_covariance)

DS = pd.date_range("2026-06-01", periods=2)


def _bottom():
    return pd.DataFrame({"sku": ["a", "b", "a", "b"], "ds": DS.repeat(2),
                         "yhat": [10.0, 30.0, 0.0, 0.0], "yhat_q10": [8.0, 20.0, 0.0, 0.0],
                         "yhat_q90": [12.0, 45.0, 0.0, 0.0]})


def test_forecast_proportions_split_the_direct_total_and_scale_the_bands():
    total = pd.DataFrame({"ds": DS, "yhat": [80.0, 6.0], "yhat_q10": [60.0, 4.0], "yhat_q90": [100.0, 9.0]})
    out = reconcile(_bottom(), total, keys=["sku"])
    day1 = out[out.ds == DS[0]].set_index("sku")
    assert day1.yhat.tolist() == pytest.approx([20.0, 60.0])  # 10:30 of 80
    assert day1.yhat_q10.tolist() == pytest.approx([16.0, 40.0])  # the series' own bands, x2
    assert day1.yhat_q90.tolist() == pytest.approx([24.0, 90.0])
    # the bottom forecasts nothing on day 2 but the total does: an equal split, stated
    day2 = out[out.ds == DS[1]]
    assert day2.yhat.tolist() == pytest.approx([3.0, 3.0]) and day2.yhat_q90.tolist() == pytest.approx([4.5, 4.5])
    assert out.attrs["reconcile"]["equal_split_dates"] == [DS[1]]
    assert level_totals(out, []).yhat.tolist() == pytest.approx([80.0, 6.0])


def test_bottom_up_keeps_the_bottom_and_bad_input_is_named():
    assert reconcile(_bottom(), keys=["sku"], method="bottom_up").yhat.tolist() == [10.0, 30.0, 0.0, 0.0]
    with pytest.raises(ParameterError, match="not one of"):
        reconcile(_bottom(), keys=["sku"], method="mint_trace")
    with pytest.raises(ParameterError, match="needs the total"):
        reconcile(_bottom(), keys=["sku"])
    with pytest.raises(ParameterError, match="no row for 1 dates .* 2026-06-02"):
        reconcile(_bottom(), pd.DataFrame({"ds": DS[:1], "yhat": [1.0]}), keys=["sku"])


def test_reconciled_categories_add_up_to_the_direct_national_forecast(categories):
    bottom = forecast(categories, horizon=30, keys=["category"], n_jobs=1)
    total = forecast(categories.groupby("ds", as_index=False)["y"].sum(), horizon=30, n_jobs=1)
    out = reconcile(bottom, total, keys=["category"])
    summed = level_totals(out, []).set_index("ds").yhat
    np.testing.assert_allclose(summed.to_numpy(), total.set_index("ds").yhat.reindex(summed.index).to_numpy(),
                               rtol=1e-9)
    # the categories keep their own shares of each day
    share_before = bottom.set_index(["ds", "category"]).yhat / bottom.groupby("ds").yhat.sum()
    share_after = out.set_index(["ds", "category"]).yhat / out.groupby("ds").yhat.sum()
    np.testing.assert_allclose(share_after.sort_index().to_numpy(), share_before.sort_index().to_numpy(), rtol=1e-9)


# the three-series hierarchy total = a + b, two days: base forecasts incoherent by d = T - a - b
THREE = {"total": [30.0, 40.0], "a": [10.0, 12.0], "b": [15.0, 20.0]}
# past errors, rows: origins/days, columns: total, a, b
ERRORS = np.array([[3., 1., 2.], [-2., -1., -1.], [4., 3., 0.], [0., -1., 2.], [-3., -2., -2.], [1., 0., 1.]])
# hierarchicalforecast 1.5.3 on the same inputs (MinTrace("mint_shrink"); its
# _shrunk_covariance_schaferstrimmer_no_nans for W), recorded from the peer venv
PEER_W = np.array([[7.5, 3.049514563218, 1.856226255872],
                   [3.049514563218, 3.2, 0.662937948526],
                   [1.856226255872, 0.662937948526, 2.666666666667]])
PEER_MINT_SHRINK = {"a": [10.833244, 13.333191], "b": [16.509281, 22.414849]}


def _three(errors=None):
    bottom = pd.DataFrame({"sku": ["a", "a", "b", "b"], "ds": [*DS, *DS],
                           "yhat": [*THREE["a"], *THREE["b"]], "yhat_q90": [20.0, 24.0, 30.0, 40.0]})
    total = pd.DataFrame({"ds": DS, "yhat": THREE["total"]})
    errs = None
    if errors is not None:
        rows = pd.RangeIndex(len(errors))
        errs = {(): pd.DataFrame({"ds": rows, "error": errors[:, 0]}),
                "bottom": pd.DataFrame({"sku": np.repeat(["a", "b"], len(errors)), "ds": [*rows, *rows],
                                        "error": [*errors[:, 1], *errors[:, 2]]})}
    return bottom, total, errs


def _gap_share(W):
    """Closed form for total = a + b: b~_i = b^_i + share_i * (T - a - b) with
    share_i = (W_ii + W_ij - W_iT) / u'Wu, u = (1, -1, -1) (MinT's G applied by hand)."""
    u = np.array([1.0, -1.0, -1.0])
    denominator = u @ W @ u
    return {"a": (W[1, 1] + W[1, 2] - W[1, 0]) / denominator, "b": (W[2, 2] + W[1, 2] - W[2, 0]) / denominator}


@pytest.mark.parametrize("method, W", [("ols", np.eye(3)), ("wls_struct", np.diag([2.0, 1.0, 1.0]))])
def test_ols_and_structural_weights_match_the_closed_form(method, W):
    bottom, total, _ = _three()
    out = reconcile(bottom, total, keys=["sku"], method=method)
    gap = np.subtract(THREE["total"], np.add(THREE["a"], THREE["b"]))  # -5, +8
    share = _gap_share(W)
    assert share["a"] == pytest.approx(1 / 3 if method == "ols" else 1 / 4)
    for sku in ("a", "b"):
        np.testing.assert_allclose(out[out.sku == sku].yhat, np.add(THREE[sku], share[sku] * gap), rtol=1e-12)
    assert out.attrs["reconcile"]["negative_values"] == 0


def test_shrunk_covariance_and_mint_shrink_agree_with_hierarchicalforecast():
    W, lam = shrunk_covariance(ERRORS)
    np.testing.assert_allclose(W, PEER_W, rtol=1e-7, atol=1e-7)
    sample = np.cov(ERRORS.T)
    assert np.diag(W) == pytest.approx(np.diag(sample))  # the diagonal is never shrunk
    assert 0 < lam < 1 and W[0, 1] == pytest.approx((1 - lam) * sample[0, 1])
    bottom, total, errs = _three(ERRORS)
    out = reconcile(bottom, total, keys=["sku"], method="mint_shrink", errors=errs)
    gap = np.subtract(THREE["total"], np.add(THREE["a"], THREE["b"]))
    share = _gap_share(W)
    for sku in ("a", "b"):
        mine = out[out.sku == sku].yhat.to_numpy()
        np.testing.assert_allclose(mine, np.add(THREE[sku], share[sku] * gap), rtol=1e-12)
        np.testing.assert_allclose(mine, PEER_MINT_SHRINK[sku], atol=1e-6)
    assert out.attrs["reconcile"]["shrinkage"] == pytest.approx(lam)
    # the band moves with the mean (scaled by reconciled / base)
    a = out[out.sku == "a"]
    np.testing.assert_allclose(a.yhat_q90, np.array([20.0, 24.0]) * a.yhat / np.array(THREE["a"]), rtol=1e-12)


def test_uncorrelated_errors_are_shrunk_to_the_diagonal():
    rng = np.random.default_rng(7)
    W, lam = shrunk_covariance(rng.normal(size=(8, 30)))  # 8 rows, 30 independent series
    assert lam > 0.8
    W, lam = shrunk_covariance(np.array([[1.0, 5.0], [-1.0, 5.0], [2.0, 5.0]]))  # no variance in series 2
    assert lam == 1.0 and W[0, 1] == 0.0 and W[1, 1] == pytest.approx(0.0, abs=1e-7)
    W, lam = shrunk_covariance(np.outer(rng.normal(size=200), [1.0, 2.0, -1.0]) + rng.normal(size=(200, 3)) * 0.01)
    assert lam < 0.05  # strongly correlated errors, many rows: little shrinkage


def test_negative_projections_are_set_to_zero_and_counted():
    bottom = pd.DataFrame({"sku": ["a", "b"], "ds": [DS[0]] * 2, "yhat": [0.0, 10.0], "yhat_q90": [0.0, 15.0]})
    total = pd.DataFrame({"ds": [DS[0]], "yhat": [4.0]})
    out = reconcile(bottom, total, keys=["sku"], method="ols")  # gap -6: a gets -2, b gets 8
    assert out.yhat.tolist() == pytest.approx([0.0, 8.0])
    info = out.attrs["reconcile"]
    assert info["negative_values"] == 1 and info["negative_units"] == pytest.approx(2.0)
    assert out.yhat_q90.tolist() == pytest.approx([0.0, 12.0])  # zero base: shifted by the new mean (0)
    assert (out[[c for c in out.columns if c.startswith("yhat")]] >= 0).all().all()


def test_mint_inputs_are_checked_by_name():
    bottom, total, errs = _three(ERRORS)
    with pytest.raises(ParameterError, match="needs past forecast errors"):
        reconcile(bottom, total, keys=["sku"], method="mint_shrink")
    with pytest.raises(ParameterError, match=r"errors: none given for level\(s\) \['bottom'\]"):
        reconcile(bottom, total, keys=["sku"], method="mint_shrink", errors={(): errs[()]})
    with pytest.raises(ParameterError, match="no series"):
        reconcile(bottom.assign(region=["n", "n", "s", "s"]), {(): total, ("region",): pd.DataFrame(
            {"region": ["n", "n"], "ds": DS, "yhat": [1.0, 2.0]})}, keys=["sku"], method="ols")
    with pytest.raises(ParameterError, match="no yhat for series"):
        reconcile(bottom, total.iloc[:1], keys=["sku"], method="wls_struct")
    with pytest.raises(ParameterError, match=r"forecast of level bottom: more than one row per series and ds"):
        reconcile(pd.concat([bottom, bottom]), total, keys=["sku"], method="ols")
    with pytest.raises(ParameterError, match=r"errors of level \['sku'\]: no series \('b',\)"):
        reconcile(bottom, total, keys=["sku"], method="mint_shrink",
                  errors={**errs, "bottom": errs["bottom"][errs["bottom"].sku == "a"]})
    with pytest.raises(ParameterError, match=r"no error for series \('bottom', \('b',\)\) at 3"):
        reconcile(bottom, total, keys=["sku"], method="mint_shrink",
                  errors={**errs, "bottom": errs["bottom"].drop(index=9)})  # sku b's 4th row
    with pytest.raises(ParameterError, match="at least one level above"):
        reconcile(bottom, keys=["sku"], method="ols")


def test_top_down_medians_add_up_to_the_total_median_and_bands_keep_their_order():
    bottom = _bottom().assign(yhat_q50=[9.0, 28.0, 0.0, 0.0])
    total = pd.DataFrame({"ds": DS, "yhat": [80.0, 6.0], "yhat_q50": [55.5, 5.0]})
    out = reconcile(bottom, total, keys=["sku"])
    day1 = out[out.ds == DS[0]].set_index("sku")
    assert day1.yhat.tolist() == pytest.approx([20.0, 60.0])  # the mean's factor, 2
    assert day1.yhat_q50.tolist() == pytest.approx([13.5, 42.0])  # the median's factor, 55.5 / 37
    assert day1.yhat_q90.tolist() == pytest.approx([18.0, 67.5])  # the quantiles share the median's factor
    assert (out.yhat_q10 <= out.yhat_q50).all() and (out.yhat_q50 <= out.yhat_q90).all()
    assert level_totals(out, []).yhat_q50.tolist() == pytest.approx([55.5, 5.0])  # day 2: an equal split
    assert out.attrs["reconcile"]["quantile_factor"][DS[0]] == pytest.approx(1.5)


Z80 = stats.norm.ppf(0.9) - stats.norm.ppf(0.1)  # a P10-P90 band's width in standard deviations


def test_top_down_var_moves_the_uncertain_series_more_and_keeps_the_total():
    # a is sure of itself (band 8..12), b is not (10..50); the direct total is 20 above their sum
    bottom = pd.DataFrame({"sku": ["a", "b"], "ds": [DS[0]] * 2, "yhat": [10.0, 30.0],
                           "yhat_q10": [8.0, 10.0], "yhat_q90": [12.0, 50.0]})
    total = pd.DataFrame({"ds": [DS[0]], "yhat": [60.0]})
    out = reconcile(bottom, total, keys=["sku"], method="top_down_var").set_index("sku")
    variance = (np.array([4.0, 40.0]) / Z80) ** 2
    np.testing.assert_allclose(band_variance(bottom), variance, rtol=1e-12)
    # the gap goes in proportion to the variances, 1 : 100
    np.testing.assert_allclose(out.yhat, [10 + 20 / 101, 30 + 2000 / 101], rtol=1e-12)
    assert out.yhat.sum() == pytest.approx(60.0, rel=1e-12)
    # each band moves with its mean
    np.testing.assert_allclose(out.yhat_q90, np.array([12.0, 50.0]) * out.yhat / [10.0, 30.0], rtol=1e-12)
    # forecast proportions move both by the same ratio, 1.5: the confident series by 5 units
    same = reconcile(bottom, total, keys=["sku"]).set_index("sku")
    assert same.yhat.tolist() == pytest.approx([15.0, 45.0])


def test_top_down_var_lowering_is_the_non_negative_least_squares_optimum():
    rng = np.random.default_rng(11)
    n = 40
    base = rng.gamma(0.6, 20.0, n)
    base[:5] = 0.0  # series forecast at zero stay there (no band: no variance)
    width = np.where(base > 0, base * rng.uniform(0.2, 3.0, n), 0.0)
    bottom = pd.DataFrame({"sku": [f"s{i:02d}" for i in range(n)], "ds": DS[0], "yhat": base,
                           "yhat_q10": np.maximum(base - width / 3, 0.0), "yhat_q90": base + 2 * width / 3})
    target = 0.4 * base.sum()  # the total is far below the summed series: some must reach zero
    out = reconcile(bottom, pd.DataFrame({"ds": [DS[0]], "yhat": [target]}), keys=["sku"], method="top_down_var")
    mine = out.yhat.to_numpy()
    assert mine.sum() == pytest.approx(target, rel=1e-10) and (mine >= 0).all()
    assert out.attrs["reconcile"]["at_zero"] > 0 and (mine[:5] == 0).all()
    v = band_variance(bottom)
    weighed = v > 0
    # the same problem solved by a general solver: min sum (b - b^)^2 / v, sum b = T, b >= 0
    solved = optimize.minimize(lambda b: np.sum((b - base[weighed]) ** 2 / v[weighed]), base[weighed],
                               jac=lambda b: 2 * (b - base[weighed]) / v[weighed], method="SLSQP",
                               bounds=[(0, None)] * int(weighed.sum()),
                               constraints=[{"type": "eq", "fun": lambda b: b.sum() - target}],
                               options={"ftol": 1e-14, "maxiter": 500})
    np.testing.assert_allclose(mine[weighed], solved.x, atol=1e-3 * base.max())
    # KKT: every series above zero moved by v * lambda, one common lambda
    moved = (mine - base)[mine > 0] / v[mine > 0]
    np.testing.assert_allclose(moved, moved[0], rtol=1e-9)


def test_top_down_var_medians_add_up_and_days_without_bands_split_by_proportions():
    bottom = _bottom().assign(yhat_q50=[9.0, 28.0, 0.0, 0.0])
    total = pd.DataFrame({"ds": DS, "yhat": [80.0, 6.0], "yhat_q50": [55.5, 5.0]})
    out = reconcile(bottom, total, keys=["sku"], method="top_down_var")
    sums = level_totals(out, [])
    assert sums.yhat.tolist() == pytest.approx([80.0, 6.0]) and sums.yhat_q50.tolist() == pytest.approx([55.5, 5.0])
    assert (out.yhat_q10 <= out.yhat_q50).all() and (out.yhat_q50 <= out.yhat_q90).all()
    # day 2: no series has a band (all zero), so the total is split like forecast proportions (equally here)
    assert out[out.ds == DS[1]].yhat.tolist() == pytest.approx([3.0, 3.0])
    assert out.attrs["reconcile"]["proportional_dates"] == [DS[1]]
    with pytest.raises(ParameterError, match="need a band"):
        reconcile(bottom[["sku", "ds", "yhat"]], total, keys=["sku"], method="top_down_var")


def test_wls_var_is_mint_with_the_band_variances_on_the_diagonal():
    bottom, total, _ = _three()
    bottom = bottom.assign(yhat_q10=bottom.yhat - [2.0, 2.0, 6.0, 6.0], yhat_q90=bottom.yhat + [2.0, 2.0, 6.0, 6.0])
    total = total.assign(yhat_q10=total.yhat - 5.0, yhat_q90=total.yhat + 5.0)
    out = reconcile(bottom, total, keys=["sku"], method="wls_var")
    share = _gap_share(np.diag((np.array([10.0, 4.0, 12.0]) / Z80) ** 2))
    gap = np.subtract(THREE["total"], np.add(THREE["a"], THREE["b"]))
    for sku in ("a", "b"):
        np.testing.assert_allclose(out[out.sku == sku].yhat, np.add(THREE[sku], share[sku] * gap), rtol=1e-7)
    with pytest.raises(ParameterError, match="need a band"):
        reconcile(bottom, total[["ds", "yhat"]], keys=["sku"], method="wls_var")
    # with a median at every level, the medians are projected like the means and the band moves with them
    medians = reconcile(bottom.assign(yhat_q50=bottom.yhat - 1.0), total.assign(yhat_q50=total.yhat - 1.0),
                        keys=["sku"], method="wls_var")
    median_gap = np.subtract(np.subtract(THREE["total"], 1.0), np.add(THREE["a"], THREE["b"]) - 2.0)
    for sku in ("a", "b"):
        mine = medians[medians.sku == sku]
        np.testing.assert_allclose(mine.yhat_q50, np.subtract(THREE[sku], 1.0) + share[sku] * median_gap, rtol=1e-7)
        np.testing.assert_allclose(mine.yhat_q90, (np.add(THREE[sku], [2.0, 2.0] if sku == "a" else [6.0, 6.0]))
                                   * mine.yhat_q50 / np.subtract(THREE[sku], 1.0), rtol=1e-7)


def test_wls_var_for_all_dates_at_once_equals_one_projection_per_date(monkeypatch):
    """Seeded: a grouped structure (total, 6 regions, 4 categories, 90 region x category
    series) with a variance per series and date spanning six orders of magnitude. The
    all-dates solve must equal ``mint_projection``'s ``G_j y^_j`` built date by date, and
    ``reconcile(..., "wls_var")`` must give those values."""
    from workbench.forecast.reconcile import SHRINK_RIDGE, diagonal_projection, mint_projection, summing_matrix

    rng = np.random.default_rng(13)
    series = pd.DataFrame({"key": [f"k{i:02d}" for i in range(90)], "region": rng.integers(0, 6, 90).astype(str),
                           "category": rng.integers(0, 4, 90).astype(str)})
    series.loc[:5, "region"], series.loc[:3, "category"] = list("012345"), list("0123")
    S, labels = summing_matrix(series, [(), ("region",), ("category",)])
    days = 25
    variance = 10.0 ** rng.uniform(-2, 4, (len(S), days))
    means, medians = rng.gamma(0.5, 40.0, (len(S), days)), rng.gamma(0.5, 40.0, (len(S), days))
    fast_means, fast_medians = diagonal_projection(S, variance, means, medians)
    from workbench.forecast import reconcile as module

    monkeypatch.setattr(module, "BLOCK_VALUES", 3 * (len(S) - len(series)) ** 2)  # blocks of 3 dates: the same
    for blocked, whole in zip(diagonal_projection(S, variance, means, medians), (fast_means, fast_medians)):
        np.testing.assert_allclose(blocked, whole, rtol=1e-12)
    for j in range(days):
        G = mint_projection(S, diagonal=variance[:, j])
        np.testing.assert_allclose(fast_means[:, j], G @ means[:, j], rtol=1e-9, atol=1e-9 * np.abs(means).max())
        np.testing.assert_allclose(fast_medians[:, j], G @ medians[:, j], rtol=1e-9, atol=1e-9 * np.abs(medians).max())
    # a total over its bottom: the closed form b~_i = b^_i + w_i (y^_T - sum b^) / (w_T + sum w)
    S2 = np.vstack([np.ones((1, 5)), np.eye(5)])
    assert diagonal_projection(np.eye(3), variance[:3], means[:3])[0].tolist() == means[:3].tolist()  # no level above
    (two,) = diagonal_projection(S2, variance[:6], means[:6])
    gap = (means[0] - means[1:6].sum(axis=0)) / variance[:6].sum(axis=0)
    np.testing.assert_allclose(two, means[1:6] + variance[1:6] * gap, rtol=1e-12)
    # the same through reconcile: every level's band set so that band_variance gives these variances
    dates = pd.date_range("2026-01-01", periods=days)
    half = np.sqrt(variance) * Z80 / 2

    def frame(rows, **keys):
        return pd.DataFrame({**keys, "ds": np.tile(dates, len(rows)), "yhat": means[rows].ravel(),
                             "yhat_q10": (means[rows] - half[rows]).ravel(), "yhat_q90": (means[rows] + half[rows]).ravel()})

    at = {label: i for i, label in enumerate(labels)}
    bottom_rows = [at[("bottom", tuple(row))] for row in series.itertuples(index=False, name=None)]
    bottom = frame(bottom_rows, **{c: np.repeat(series[c], days) for c in series})
    upper = {(): frame([0])}
    for level in ("region", "category"):
        nodes = sorted(series[level].unique())
        upper[(level,)] = frame([at[((level,), (node,))] for node in nodes], **{level: np.repeat(nodes, days)})
    out = reconcile(bottom, upper, keys=["key"], method="wls_var")
    weights = band_variance(pd.concat([upper[()], *[upper[(lv,)] for lv in ("region", "category")], bottom]))
    weights = weights.reshape(len(S), days)
    weights[:len(S) - len(series)] += SHRINK_RIDGE  # the upper series' ridge
    (expected,) = diagonal_projection(S, weights, means)
    mine = out.pivot(index="key", columns="ds", values="yhat").loc[series.key].to_numpy()
    np.testing.assert_allclose(mine, np.maximum(expected, 0.0), rtol=1e-9, atol=1e-9 * np.abs(means).max())
    assert out.attrs["reconcile"]["negative_values"] == int((expected < -1e-6).sum()) > 0
    # a series without variance (its band 0..0: a stopped line forecast at zero) stays exactly at zero
    stopped = bottom.assign(**{c: np.where(bottom.key == "k07", 0.0, bottom[c]) for c in ("yhat", "yhat_q10", "yhat_q90")})
    kept = reconcile(stopped, upper, keys=["key"], method="wls_var")
    assert (kept.loc[kept.key == "k07", ["yhat", "yhat_q10", "yhat_q90"]].to_numpy() == 0.0).all()


def test_variance_weights_beat_forecast_proportions_when_the_series_differ_in_certainty():
    """Seeded: 30 series, three of them forecast 10 times less surely; the direct total is
    nearly exact. The variance split must cut the bottom's squared error well below the
    split by forecast proportions, which moves the sure series as much as the unsure ones."""
    rng = np.random.default_rng(5)
    n, days = 30, 200
    truth = rng.uniform(50, 150, (days, n))
    sd = np.where(np.arange(n) < 3, 30.0, 3.0)
    base = np.maximum(truth + rng.normal(0, sd, (days, n)), 0.0)
    dates = pd.date_range("2026-01-01", periods=days)
    bottom = pd.DataFrame({"sku": np.tile(np.arange(n), days), "ds": np.repeat(dates, n), "yhat": base.ravel(),
                           "yhat_q10": (base - 1.2816 * sd).ravel(), "yhat_q90": (base + 1.2816 * sd).ravel()})
    total = pd.DataFrame({"ds": dates, "yhat": truth.sum(axis=1) + rng.normal(0, 3.0, days)})
    errors = {}
    for method in ("forecast_proportions", "top_down_var", "bottom_up"):
        out = reconcile(bottom, total, keys=["sku"], method=method)
        errors[method] = float(np.mean((out.yhat.to_numpy().reshape(days, n) - truth) ** 2))
    # 71 against 96 and 98 in the seeded run
    assert errors["top_down_var"] < 0.8 * min(errors["forecast_proportions"], errors["bottom_up"])


def test_the_default_is_mint_refits_unless_half_the_bottom_is_intermittent():
    rng = np.random.default_rng(2)
    steady = [rng.poisson(20, 200).astype(float) for _ in range(10)]
    sparse = [np.where(rng.random(200) < 0.2, rng.poisson(3, 200), 0).astype(float) for _ in range(10)]
    idle = [np.r_[rng.poisson(20, 100), np.zeros(100)] for _ in range(2)]  # stopped: no sale in 91 days
    assert choose_method(steady + sparse[:4], "D")[0] == "mint_refits"
    method, why = choose_method(steady[:4] + sparse[:4] + idle, "D")  # 6 of 10
    assert method == "forecast_proportions" and why.startswith("60% of the 10 series are intermittent or idle")
    # planning's and the backtest's "auto": the same rule on a long frame's series; a method given stays
    history = pd.concat([pd.DataFrame({"sku": f"s{i}", "ds": pd.date_range("2025-01-01", periods=len(y)), "y": y})
                         for i, y in enumerate(steady[:4] + sparse[:4] + idle)])
    assert resolve_method("auto", history, ["sku"], "D") == (method, why)
    assert resolve_method("top_down_var", history, ["sku"], "D") == ("top_down_var", "")


def test_a_date_whose_fixed_rows_exceed_its_target_splits_by_proportions():
    """Review: a row without a band (zero weight) but with a forecast above the target could
    not move, so the split missed the total (50 + 0 = 50 against 30) without a word."""
    from workbench.forecast.reconcile import _variance_split

    values, _, flat = _variance_split(np.array([0, 0]), 1, base=np.array([50.0, 10.0]),
                                      weight=np.array([0.0, 4.0]), target=np.array([30.0]))
    assert values.tolist() == pytest.approx([25.0, 5.0]) and flat.all()
    values, _, flat = _variance_split(np.array([0, 0]), 1, base=np.array([50.0, 10.0]),
                                      weight=np.array([0.0, 4.0]), target=np.array([55.0]))
    assert values.tolist() == pytest.approx([50.0, 5.0]) and not flat.any()  # the sure row stays


def test_top_down_var_meets_the_total_on_days_with_zero_width_bands():
    """Review, seeded: rows with a zero-width band cannot move, and on a day where they alone
    exceed the direct total the split missed it (at 067ab0b's parent: the means on 49 of these
    300 days, the medians on 62). Means and medians must add up to the total's every day,
    whatever the rows without a band hold, and every band keeps its order."""
    rng = np.random.default_rng(8)
    n, days = 6, 300
    dates = pd.date_range("2026-01-01", periods=days)
    base = rng.gamma(0.5, 20.0, (days, n)) * (rng.random((days, n)) < 0.8)
    width = base * rng.uniform(0.0, 2.0, (days, n)) * (rng.random((days, n)) < 0.6)  # 40% without a band
    median = np.where(width > 0, base * rng.uniform(0.5, 1.2, (days, n)), base)
    bottom = pd.DataFrame({"sku": np.tile(np.arange(n), days), "ds": np.repeat(dates, n), "yhat": base.ravel(),
                           "yhat_q10": np.minimum(np.maximum(base - width / 2, 0.0), median).ravel(),
                           "yhat_q50": median.ravel(), "yhat_q90": np.maximum(base + width / 2, median).ravel()})
    target = base.sum(axis=1) * rng.uniform(0.0, 2.0, days)
    total = pd.DataFrame({"ds": dates, "yhat": target, "yhat_q50": target * rng.uniform(0.3, 1.5, days)})
    out = reconcile(bottom, total, keys=["sku"], method="top_down_var")
    sums = level_totals(out, [])
    for column in ("yhat", "yhat_q50"):
        np.testing.assert_allclose(sums[column], total[column], rtol=1e-9, atol=1e-9 * total[column].max())
    assert (out.yhat_q10 <= out.yhat_q50 + 1e-9).all() and (out.yhat_q50 <= out.yhat_q90 + 1e-9).all()
    fixed = np.where(width > 0, 0.0, base).sum(axis=1)  # the days the review's case is on
    assert set(dates[fixed > target]) <= set(out.attrs["reconcile"]["proportional_dates"])
    assert (fixed > target).sum() >= 20


def test_mint_refits_is_mint_with_band_variances_and_the_refits_correlation():
    """Seeded grouped structure: ``diagonal_projection`` with a correlation factor equals
    ``mint_projection(S, W_j)`` with ``W_j = D_j^1/2 R D_j^1/2`` date by date (in blocks of
    dates too), and with R the identity it is ``wls_var``'s diagonal projection."""
    from workbench.forecast import reconcile as module
    from workbench.forecast.reconcile import diagonal_projection, mint_projection, summing_matrix

    rng = np.random.default_rng(21)
    series = pd.DataFrame({"key": [f"k{i:02d}" for i in range(24)], "region": np.arange(24) % 4})
    S, labels = summing_matrix(series, [(), ("region",)])
    n, days = len(S), 9
    shared = rng.normal(size=(60, 1)) * rng.uniform(0.5, 2.0, n)           # a level error every series shares
    errors = (shared + rng.normal(size=(60, n)))[:, n - len(series):]      # the bottom's errors
    errors[:20, 7] = np.nan                                                  # a younger series: fewer refits
    bottom, detail = bottom_correlation(errors, np.repeat(np.arange(6), 10))
    factor = np.vstack([np.zeros((n - len(series), 1)), bottom])            # the levels above: as wls_var
    corr = _dense(factor)
    assert np.linalg.eigvalsh(corr).min() > 0 and np.allclose(np.diag(corr), 1.0)
    assert 0 < detail["correlation"] < 1 and corr[-1, -2] == pytest.approx(detail["correlation"])
    variance = 10.0 ** rng.uniform(-1, 3, (n, days))
    means = rng.gamma(2.0, 30.0, (n, days))
    (fast,) = diagonal_projection(S, variance, means, factor=factor)
    for j in range(days):
        d = np.sqrt(variance[:, j])
        np.testing.assert_allclose(fast[:, j], mint_projection(S, d[:, None] * corr * d[None, :]) @ means[:, j],
                                   rtol=1e-9, atol=1e-9 * means.max())
    original = module.BLOCK_VALUES
    try:
        module.BLOCK_VALUES = 2 * (n - len(series)) ** 2  # blocks of 2 dates: the same values
        np.testing.assert_allclose(diagonal_projection(S, variance, means, factor=factor)[0], fast, rtol=1e-12)
    finally:
        module.BLOCK_VALUES = original
    assert diagonal_projection(S, variance, means, factor=np.zeros((n, 1)))[0].tolist() == \
        diagonal_projection(S, variance, means)[0].tolist()
    with pytest.raises(ParameterError, match="squared norm exceeds 1"):
        diagonal_projection(S, variance, means, factor=np.full((n, 1), 1.5))


def _dense(factor):
    """R = F F' + diag(1 - sum F^2), the correlation matrix ``bottom_correlation``'s factor stands for."""
    out = factor @ factor.T
    out[np.diag_indices(len(out))] = 1.0
    return out


def test_bottom_correlation_is_one_correlation_shrunk_by_its_spread_between_refits():
    rng = np.random.default_rng(4)
    # independent errors: nothing to weigh together
    corr = _dense(bottom_correlation(rng.normal(size=(200, 30)), np.repeat(np.arange(20), 10))[0])
    assert np.abs(corr[~np.eye(30, dtype=bool)]).max() < 0.02
    # every series shares each refit's level error (sd 1 against its own 0.5): one correlation for
    # all, before its shrinkage the uncentred closed form m / (m + 0.25), m the mean square of the
    # 8 level errors drawn
    level = np.repeat(rng.normal(size=(8, 1)), 10, axis=0)
    shared = level * np.ones((1, 30)) + 0.5 * rng.normal(size=(80, 30))
    factor, detail = bottom_correlation(shared, np.repeat(np.arange(8), 10))
    corr = _dense(factor)
    m = float((level ** 2).mean())
    raw = detail["correlation"] / (1 - detail["shrinkage"])               # before the shrinkage
    assert abs(raw - m / (m + 0.25)) < 0.03 and detail["shrinkage"] < 0.3, detail
    assert corr[1, 2] == pytest.approx(detail["correlation"]) == pytest.approx(corr[5, 9])
    # the same rows from two refits only: their agreement is two draws, not 80, and mostly shrunk away
    two = np.repeat(np.array([[1.0], [-0.2]]), 40, axis=0) * np.ones((1, 30)) + 0.5 * rng.normal(size=(80, 30))
    _, as_rows = bottom_correlation(two)
    _, as_refits = bottom_correlation(two, np.repeat([0, 1], 40))
    assert as_rows["shrinkage"] < 0.05 < 0.5 < as_refits["shrinkage"]
    # half the series err against the other half: a negative mean is no equicorrelation of 30
    # series; it is floored at 0 (R the identity) and the estimate is kept beside it
    opposed = shared * np.where(np.arange(30) < 15, 1.0, -1.0)
    factor, detail = bottom_correlation(opposed, np.repeat(np.arange(8), 10))
    assert detail["estimate"] < 0 and detail["correlation"] == 0.0 and not factor.any()
    # a series without refits has no evidence: uncorrelated with every other
    shared[:, 4] = np.nan
    corr = _dense(bottom_correlation(shared, np.repeat(np.arange(8), 10))[0])
    assert (corr[4, np.arange(30) != 4] == 0).all() and corr[4, 4] == 1
    with pytest.raises(ParameterError, match="T >= 2"):
        bottom_correlation(np.ones((1, 3)))
    with pytest.raises(ParameterError, match="one per row"):
        bottom_correlation(shared, np.arange(5))


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_bottom_correlation_averages_only_pairs_that_share_a_refit(seed):
    """Review 7.3 #6: a pair of series that never share a refit row is no evidence, but counted
    as a product of 0 it pulled the one correlation towards 0 (wls_var). Half the series here
    are young, with errors in the last 2 of 8 refits only; every series shares each refit's level
    error (+-1, so any refits' mean square is 1, against its own sd 0.5): every pair's uncentred
    correlation is 1 / (1 + 0.25) = 0.8, the young ones' too, not diluted."""
    rng = np.random.default_rng(seed)
    refits = np.repeat(np.arange(8), 10)
    level = np.repeat(rng.choice([-1.0, 1.0], size=(8, 1)), 10, axis=0)
    errors = level * np.ones((1, 30)) + 0.5 * rng.normal(size=(80, 30))
    _, full = bottom_correlation(errors, refits)
    young = errors.copy()
    young[:60, 15:] = np.nan
    _, masked = bottom_correlation(young, refits)
    raw = {name: d["correlation"] / (1 - d["shrinkage"]) for name, d in (("full", full), ("young", masked))}
    # the old mean over every pair, absent products as 0, read about 0.34 here
    assert abs(raw["young"] - 0.8) < 0.05 and abs(raw["full"] - 0.8) < 0.05, (raw, masked)
    assert masked["paired"] == 1.0 and full["paired"] == 1.0
    # two groups that never share a row: the pairs across them are no evidence, and said so
    apart = errors.copy()
    apart[:40, 15:] = np.nan
    apart[40:, :15] = np.nan
    _, split = bottom_correlation(apart, refits)
    assert split["paired"] == pytest.approx((2 * 15 * 14) / (30 * 29))
    assert split["correlation"] / (1 - split["shrinkage"]) > 0.5


def _correlated_panel(seed: int = 3, n: int = 40, days: int = 28):
    """A total and ``n`` series whose forecasts err together: every series' refits were off by
    one level error they share (and the live forecasts are 20% high for the same reason), while
    the direct total is right. Each series' band is as wide as its own errors, so a diagonal W
    takes their sum as far surer than it is."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2027-01-02", periods=days)
    level = rng.uniform(20, 80, n)
    truth = level * rng.uniform(0.9, 1.1, (days, n))
    base = truth * 1.2
    sd = 0.15 * base                                               # each series' band: 15% a day
    bottom = pd.DataFrame({"sku": np.tile([f"s{i:02d}" for i in range(n)], days), "ds": np.repeat(dates, n),
                           "yhat": base.ravel(), "yhat_q10": (base - Z80 / 2 * sd).ravel(),
                           "yhat_q90": (base + Z80 / 2 * sd).ravel()})
    top = truth.sum(axis=1)
    total = pd.DataFrame({"ds": dates, "yhat": top, "yhat_q10": top * (1 - Z80 / 2 * 0.10),
                          "yhat_q90": top * (1 + Z80 / 2 * 0.10)})
    refits, steps = np.repeat(np.arange(6), 5), np.tile(np.arange(5), 6)
    shared = np.repeat(rng.normal(0, 0.15, 6), 5)[:, None]         # a refit's level error, every series
    series_errors = (shared + rng.normal(0, 0.04, (30, n))) * 28 * level
    errors = {"bottom": pd.DataFrame({"sku": np.tile([f"s{i:02d}" for i in range(n)], 30),
                                      "refit": np.repeat(refits, n), "step": np.repeat(steps, n),
                                      "error": series_errors.ravel()})}
    return bottom, total, errors, truth


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_mint_refits_weighs_series_that_err_together_as_one_and_keeps_the_direct_total(seed):
    """Seeded (fails before mint_refits): ``wls_var`` weighs the 40 series' errors as
    independent, so their sum looks far surer than the direct total and the reconciled total
    moves almost all the way to the summed series (20% high). The refits show the series err
    together; ``mint_refits`` weighs their sum as the one error it is and stays near the direct
    total, which was right. Each day's total is MinT's for one total and its series (review
    7.3 #10: asserted from the method, not a seeded share): the direct total and the summed
    series weighed by the inverse of their variances, ``w_total`` and ``V = sum w_i + rho sum_i!=j
    sd_i sd_j`` (rho 0 for wls_var, the correlation used for mint_refits), so it moves
    ``w_total / (w_total + V)`` of the way to the summed series."""
    bottom, total, errors, truth = _correlated_panel(seed)
    summed, direct = bottom.yhat.sum(), total.yhat.sum()
    sd = np.sqrt(band_variance(bottom)).reshape(truth.shape)           # (days, n)
    w_total = band_variance(total)
    gap = bottom.yhat.to_numpy().reshape(truth.shape).sum(axis=1) - total.yhat.to_numpy()
    share, wape = {}, {}
    for method in ("wls_var", "mint_refits"):
        out = reconcile(bottom, total, keys=["sku"], method=method, errors=errors)
        rho = out.attrs["reconcile"].get("correlation", 0.0)
        v = (sd ** 2).sum(axis=1) + rho * (sd.sum(axis=1) ** 2 - (sd ** 2).sum(axis=1))
        expected = total.yhat.to_numpy() + w_total / (w_total + v) * gap
        np.testing.assert_allclose(out.yhat.to_numpy().reshape(truth.shape).sum(axis=1), expected, rtol=1e-9)
        share[method] = (out.yhat.sum() - direct) / (summed - direct)
        wape[method] = np.abs(out.yhat.to_numpy().reshape(truth.shape) - truth).sum() / truth.sum()
    info = out.attrs["reconcile"]
    assert info["error_rows"] == 30 and info["series_with_errors"] == 40
    assert 0.5 < info["correlation"] < 1.0  # the estimate itself: test_bottom_correlation_is_one_correlation_shrunk_*
    assert share["wls_var"] > share["mint_refits"] and wape["mint_refits"] < wape["wls_var"], (share, wape)
    with pytest.raises(ParameterError, match="refit errors"):
        reconcile(bottom, total, keys=["sku"], method="mint_refits")
    with pytest.raises(ParameterError, match="is not in the forecast"):
        reconcile(bottom, total, keys=["sku"], method="mint_refits",
                  errors={**errors, "bottom": errors["bottom"].replace({"sku": {"s03": "s99"}})})
    # series without refits have no correlation: alone, it is wls_var
    none = {"bottom": errors["bottom"].iloc[:0]}
    alone = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors=none)
    np.testing.assert_allclose(alone.yhat, reconcile(bottom, total, keys=["sku"], method="wls_var").yhat, rtol=1e-12)


def test_refit_errors_pair_the_series_by_their_refits_origin_date():
    """Review 7.3 #6: a refit was named by its path's length, one date only where every history
    ends on the same day. Half the series here end a week earlier, their refits from the same
    origins a week shorter: named by the origin date, every pair shares its refits (by length,
    none across the halves would)."""
    bottom, total, errors, _ = _correlated_panel()
    frame = errors["bottom"]
    early = frame["sku"] < "s20"
    origin = pd.Timestamp("2026-06-01") + pd.to_timedelta(frame["refit"] * 42, "D")
    spans = pd.DataFrame({"sku": frame["sku"], "origin": origin, "start": frame["step"] * 7,
                          "actual": frame["error"] + 100.0, "forecast": 100.0})
    named = refit_errors(spans, ["sku"])
    assert (named["refit"] == origin).all()
    np.testing.assert_allclose(named["error"], frame["error"], rtol=1e-12, atol=1e-9)
    out = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors={"bottom": named})
    assert out.attrs["reconcile"]["paired"] == 1.0 and out.attrs["reconcile"]["correlation"] > 0.5
    by_length = named.assign(refit=np.where(early, 300, 307) - frame["refit"] * 42)  # what the path lengths gave
    alone = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors={"bottom": by_length})
    assert alone.attrs["reconcile"]["paired"] == pytest.approx(2 * 20 * 19 / (40 * 39))


def test_mint_refits_reports_the_correlation_it_used():
    """``attrs["reconcile"]["correlation"]`` is the off-diagonal of the R that W was built with:
    a negative estimate is floored at 0 (W is wls_var's, the same reconciled values) and the
    estimate is kept beside it with the reason; without refit rows it is 0 and says why."""
    bottom, total, errors, _ = _correlated_panel()
    plain = reconcile(bottom, total, keys=["sku"], method="wls_var").yhat
    out = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors=errors)
    info = out.attrs["reconcile"]
    assert info["correlation"] == pytest.approx(info["estimated_correlation"]) and info["correlation"] > 0.5
    assert info["uncorrelated_why"] == ""
    opposed = errors["bottom"].copy()  # half the series err against the shared level error: rho < 0
    opposed["error"] = np.where(opposed["sku"] < "s20", 1.0, -1.0) * opposed["error"]
    out = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors={"bottom": opposed})
    info = out.attrs["reconcile"]
    assert info["estimated_correlation"] < 0 and info["correlation"] == 0.0, info
    assert "floors at 0" in info["uncorrelated_why"]
    np.testing.assert_allclose(out.yhat, plain, rtol=1e-9)
    alone = reconcile(bottom, total, keys=["sku"], method="mint_refits", errors={"bottom": opposed.iloc[:0]})
    assert alone.attrs["reconcile"]["correlation"] == 0.0
    assert "fewer than 2 refit span rows" in alone.attrs["reconcile"]["uncorrelated_why"]


def test_scale_band_keeps_the_point_inside_its_band():
    """A level's band moves with its coherent point as a bottom series' does: scaled where the
    direct point is above 0, shifted where it is 0 (a coherent 50 around a direct 0..0 band was
    given P10 = P90 = 0); a row the direct forecast lacks keeps its own quantiles."""
    dates = pd.date_range("2027-01-01", periods=3)
    coherent = pd.DataFrame({"ds": dates, "yhat": [50.0, 120.0, 30.0], "yhat_q10": [1.0, 2.0, 20.0],
                             "yhat_q50": [50.0, 118.0, 30.0], "yhat_q90": [99.0, 300.0, 40.0]})
    direct = pd.DataFrame({"ds": dates[:2], "yhat": [0.0, 100.0], "yhat_q10": [0.0, 80.0],
                           "yhat_q50": [0.0, 98.0], "yhat_q90": [0.0, 130.0]})
    out = scale_band(coherent, direct, ["ds"])
    np.testing.assert_allclose(out[["yhat_q10", "yhat_q50", "yhat_q90"]].to_numpy(),
                               [[50.0, 50.0, 50.0], [96.0, 117.6, 156.0], [20.0, 30.0, 40.0]])
    assert ((out.yhat_q10 <= out.yhat) & (out.yhat <= out.yhat_q90)).all()
    assert list(out.columns) == list(coherent.columns) and out.yhat.equals(coherent.yhat)


def _spans(seed: int, total_error: float, sum_error: float, refits: int = 6):
    """Refit span sums of two series and their direct total over ``refits`` origins, each span's
    forecast off its actual by a seeded relative error of sd ``total_error`` (the total) and
    ``sum_error`` (each series): ``(series spans, total spans)`` as ``core.forecast``'s
    ``attrs["window_spans"]``."""
    rng = np.random.default_rng(seed)
    series, total = [], []
    for origin in pd.date_range("2026-01-05", periods=refits, freq="14D"):
        for start in (0, 7):
            actual = {"a": 300.0, "b": 100.0}
            for sku, a in actual.items():
                series.append({"sku": sku, "origin": origin, "start": start, "actual": a,
                               "forecast": a * (1 + rng.normal(0, sum_error))})
            total.append({"origin": origin, "start": start, "actual": 400.0,
                          "forecast": 400.0 * (1 + rng.normal(0, total_error))})
    return pd.DataFrame(series), pd.DataFrame(total)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backtest_weights_lean_to_the_total_whose_refits_erred_less(seed):
    """Trial 11: MinT's band variances pulled the total towards a direct forecast that had erred
    more than the series' sum. backtest_weights weighs the two by their own refits' errors."""
    from workbench.forecast.reconcile import total_weight

    bottom = _bottom()
    total = pd.DataFrame({"ds": DS, "yhat": [80.0, 6.0], "yhat_q10": [60.0, 4.0], "yhat_q50": [80.0, 6.0],
                          "yhat_q90": [100.0, 9.0]})
    series, direct = _spans(seed, total_error=0.30, sum_error=0.05)  # the direct total erred far more
    weight, detail = total_weight(series, direct, ["sku"])
    assert detail["refits"] == 6 and detail["spans"] == 12 and detail["rms_total"] > 2 * detail["rms_sum"]
    assert weight < 0.2
    out = reconcile(bottom, total, keys=["sku"], method="backtest_weights", errors={"bottom": series, "total": direct})
    day1 = out[out.ds == DS[0]]
    # the day's total is the summed series' 40 plus the weight of the gap to the direct 80
    assert day1.yhat.sum() == pytest.approx(40 + weight * 40)
    assert out.attrs["reconcile"]["weight"] == pytest.approx(weight)
    # the other way round, the direct total takes most of the weight
    series, direct = _spans(seed, total_error=0.05, sum_error=0.30)
    weight, _ = total_weight(series, direct, ["sku"])
    assert weight > 0.8
    out = reconcile(bottom, total, keys=["sku"], method="backtest_weights", errors={"bottom": series, "total": direct})
    assert out[out.ds == DS[0]].yhat.sum() == pytest.approx(40 + weight * 40)


def test_backtest_weights_need_shared_refits_and_say_so():
    """Fewer than WEIGHT_REFITS origins shared by the total and the series: mint_refits, with the
    reason; a span where the series with refits sold under WEIGHT_COVERED of the total is not
    scored (a series younger than the origin is in the total, not in the sum)."""
    from workbench.forecast.reconcile import prepare_method, total_weight

    series, direct = _spans(0, 0.1, 0.1, refits=2)
    history = pd.DataFrame({"sku": "a", "ds": pd.date_range("2025-01-01", periods=200), "y": 20.0})
    method, why, errors = prepare_method("backtest_weights", history, ["sku"], "D", (0.1, 0.5, 0.9), series, direct)
    assert method == "mint_refits" and "2 shared, so mint_refits" in why and set(errors) == {"bottom"}
    series, direct = _spans(0, 0.1, 0.1)
    young = series[series.sku == "a"]  # "b" has no refits: the series sold 300 of the total's 400
    assert total_weight(young, direct, ["sku"]) == (None, {"refits": 0, "spans": 0, "rms_total": pytest.approx(np.nan,
                                                                                                  nan_ok=True),
                                                         "rms_sum": pytest.approx(np.nan, nan_ok=True)})
    with pytest.raises(ParameterError, match="backtest_weights needs the refit span sums"):
        reconcile(_bottom(), pd.DataFrame({"ds": DS, "yhat": [1.0, 1.0]}), keys=["sku"], method="backtest_weights")


DS3 = pd.date_range("2026-06-01", periods=4)


def _held_panel():
    """Three SKUs over four days; c is declared unavailable on days 2-4 (sales 0, band 0..0, as
    ``core.constrain_unavailable`` leaves it); the direct total is above the sum on days 1-2 and
    below it on day 3; on day 4 c alone is forecast and held, the total above it."""
    a, b, c = [10.0, 12.0, 14.0, 0.0], [20.0, 18.0, 30.0, 0.0], [8.0, 0.0, 0.0, 0.0]
    bottom = pd.DataFrame({"sku": np.repeat(["a", "b", "c"], 4), "ds": np.tile(DS3, 3), "yhat": [*a, *b, *c]})
    bottom["yhat_q10"], bottom["yhat_q50"] = bottom["yhat"] * 0.7, bottom["yhat"] * 0.95
    bottom["yhat_q90"] = bottom["yhat"] * 1.4
    total = pd.DataFrame({"ds": DS3, "yhat": [50.0, 45.0, 30.0, 6.0]})
    total["yhat_q10"], total["yhat_q50"], total["yhat_q90"] = total["yhat"] * 0.8, total["yhat"], total["yhat"] * 1.2
    held = ((bottom["sku"] == "c") & (bottom["ds"] > DS3[0])).to_numpy()
    return bottom, total, held


def _held_errors(method):
    rng = np.random.default_rng(5)
    if method == "mint_shrink":
        e = rng.normal(size=(8, 4))
        rows = pd.RangeIndex(8)
        return {(): pd.DataFrame({"ds": rows, "error": e[:, 0]}),
                "bottom": pd.DataFrame({"sku": np.repeat(["a", "b", "c"], 8), "ds": np.tile(rows, 3),
                                        "error": e[:, 1:].T.ravel()})}
    if method == "mint_refits":
        return {"bottom": pd.DataFrame({"sku": np.repeat(["a", "b", "c"], 6), "refit": np.tile(np.repeat(
            pd.date_range("2026-01-05", periods=3, freq="14D"), 2), 3), "step": np.tile([0, 7], 9),
            "error": rng.normal(size=18)})}
    if method == "backtest_weights":
        series, direct = _spans(0, 0.1, 0.1)
        return {"bottom": series, "total": direct}
    return None


@pytest.mark.parametrize("method", ["forecast_proportions", "top_down_var", "backtest_weights", "ols", "wls_struct",
                                    "wls_var", "mint_refits", "mint_shrink"])
def test_held_series_days_stay_as_forecast_under_every_method(method):
    """Review 10.1 F4: --reconcile ols / wls_struct gave a stocked-out SKU sales again on its declared
    days (the projection spread the gap over every series). Every method keeps the held rows (sales 0,
    band 0) and the other series of the day take the gap: the bottom still adds up to one coherent
    total, and a day whose every forecast series is held keeps it."""
    bottom, total, held = _held_panel()
    out = reconcile(bottom, total, keys=["sku"], method=method, errors=_held_errors(method), held=held)
    values = [c for c in out.columns if c.startswith("yhat")]
    assert (out.loc[held, values] == 0).all().all()
    assert out.attrs["reconcile"]["held"] == 3
    assert np.isfinite(out[values].to_numpy()).all() and (out[values] >= 0).all().all()
    free = out[~held & (out["ds"] < DS3[3])]
    assert (free.groupby("ds")["yhat"].sum() != bottom[~held & (bottom["ds"] < DS3[3])].groupby("ds")["yhat"].sum()
            ).all()  # the gap moved the free series
    if method in ("forecast_proportions", "top_down_var"):  # the direct total is met on days with a free series
        np.testing.assert_allclose(out.groupby("ds")["yhat"].sum().iloc[:3], total["yhat"].iloc[:3], rtol=1e-9)
    if method == "ols":  # W = I without the held row: the gap over the total and the free series
        gap = total["yhat"].iloc[:3].to_numpy() - bottom.groupby("ds")["yhat"].sum().iloc[:3].to_numpy()
        a = out[out["sku"] == "a"]["yhat"].to_numpy()[:3]
        np.testing.assert_allclose(a, np.array([10.0, 12.0, 14.0]) + gap / np.array([4, 3, 3]), rtol=1e-12)


def test_held_rows_must_be_one_a_row():
    bottom, total, held = _held_panel()
    with pytest.raises(ParameterError, match=r"held: one share per row of the bottom forecast \(12\)"):
        reconcile(bottom, total, keys=["sku"], method="ols", held=held[:5])
    with pytest.raises(ParameterError, match=r"held: each row's share of its days declared unavailable, from 0 to 1"):
        reconcile(bottom, total, keys=["sku"], method="ols", held=held * 2.0)
