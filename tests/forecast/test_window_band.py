"""Bands of window totals (workbench.forecast.window_band): a quantile of a sum of days is not the
sum of the days' quantiles. Seeded series where the summed quantiles fail and the window band holds."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError, ParameterError
from workbench.forecast.core import forecast
from workbench.forecast.models.event_profile import EventProfile
from workbench.forecast.models.naive import SeasonalNaive
from workbench.forecast.models.recent_level import RecentLevel
from workbench.forecast import planning
from workbench.forecast.models import make_model
from workbench.forecast.window_band import (MIN_SPANS, SOURCES, refit_band, span_errors, span_sums, summed_band,
                                             window_band, with_level_spread)

QS = (0.1, 0.5, 0.9)
L = 28  # days of the window


def test_span_errors_sum_each_refit_over_spans_and_leave_out_spans_with_a_missed_event():
    actual, fc = np.full(20, 10.0), np.full(20, 8.0)
    missed = np.zeros(20, bool)
    h, e, refits = span_errors([(actual, fc, missed)], np.ones(7), stride=7)
    assert refits.tolist() == [0, 0] and h.tolist() == [4.0, 11.0]  # spans 1-7 and 8-14; 15-20 is too short
    np.testing.assert_allclose(e, np.log1p(70) - np.log1p(56))
    missed[9] = True  # the second span holds a day of an event the refit had not seen
    h, e, refits = span_errors([(actual, fc, missed), (actual[:5], fc[:5], missed[:5])], np.ones(7), stride=7)
    assert h.tolist() == [4.0] and refits.tolist() == [0]  # the 5-day path gives no span
    with pytest.raises(ModelError, match=r"\(20,\) actuals, \(19,\) forecasts"):
        span_errors([(actual, fc[:-1], missed)], np.ones(7))
    # weeks the window holds in part count with their share (2 of 7 days, then 3 of 7)
    h, e, _ = span_errors([(actual[:4], fc[:4], missed[:4])], np.array([2 / 7, 1.0, 3 / 7]), stride=1)
    assert h.tolist() == [2.0, 3.0]
    np.testing.assert_allclose(e, np.log1p(10 * (2 / 7 + 1 + 3 / 7)) - np.log1p(8 * (2 / 7 + 1 + 3 / 7)))


def _smooth(seed: int, n: int = 800, noise: float = 0.3):
    """A steady daily series (200 a day, a weekday pattern, log-normal day noise)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-03", periods=n, freq="D")
    week = np.array([0.1, 0, 0, 0, 0.05, -0.1, -0.05])[ds.dayofweek]
    return ds, np.round(200 * np.exp(week + rng.normal(0, noise, n)))


def test_a_smooth_series_window_band_is_calibrated_where_the_summed_daily_quantiles_are_not():
    """40 seeded steady series, a 28-day window 61-88 days ahead: day noise cancels over the
    window, so the summed days' P10..P90 holds every total (far too wide, as a SKU's 28-day
    total of 8,315 shown from 5,304 to 14,094); the refits' joint errors hold about 80%."""
    lead, inside, summed, ratio = 60, 0, 0, []
    for seed in range(40):
        ds, y = _smooth(seed)
        cut = len(y) - lead - L
        model = EventProfile().fit(y[:cut], ds[:cut])
        pred = model.predict(lead + L)
        days = slice(lead, lead + L)
        band, rule = window_band(pred.mean[days], {q: v[days] for q, v in pred.quantiles.items()}, lead + 1, QS,
                                 paths=model.refit_paths(), history=y[:cut])
        assert rule == "refits" and band[0.1] <= pred.mean[days].sum() <= band[0.9]
        actual = y[cut + lead:cut + lead + L].sum()
        lo, hi = pred.quantiles[0.1][days].sum(), pred.quantiles[0.9][days].sum()
        inside += band[0.1] <= actual <= band[0.9]
        summed += lo <= actual <= hi
        ratio.append((band[0.9] - band[0.1]) / (hi - lo))
    assert summed / 40 >= 0.95  # the old band: far outside 80 +- 8
    assert 0.68 <= inside / 40 <= 0.92
    assert np.median(ratio) < 0.5  # the window band is less than half as wide


def test_a_sparse_series_window_band_is_a_count_of_the_sum():
    """Slow movers (2 and 8 units expected over the window, Poisson days) forecast by the recent
    level: every day's median is 0 and its P90 0 or 1, so the summed quantiles give P50 = 0 with
    a mean of 8 and P90 = 0 with a mean of 2; the negative binomial of the sum holds the mean
    between P10 and P90, a P50 near it, and about 80% of the totals."""
    rng = np.random.default_rng(7)
    ds = pd.date_range("2024-01-01", periods=200, freq="D")
    inside, summed, n = 0, 0, 0
    for mean in (2.0, 8.0):
        for _ in range(150):
            y = rng.poisson(mean / L, len(ds) + L).astype(float)
            model = RecentLevel().fit(y[:len(ds)], ds)
            pred = model.predict(L)
            band, rule = window_band(pred.mean, pred.quantiles, 1, QS, history=y[:len(ds)])
            if pred.mean.sum() == 0:  # no sale in the recent 56 days: a zero forecast
                assert rule == "zero" and band[0.9] == 0
                continue
            assert rule == "count" and band[0.1] <= pred.mean.sum() <= band[0.9]
            if pred.mean.sum() >= 4:
                assert band[0.5] > 0 and pred.quantiles[0.5].sum() == 0
            actual = y[len(ds):].sum()
            inside += band[0.1] <= actual <= band[0.9]
            summed += pred.quantiles[0.1].sum() <= actual <= pred.quantiles[0.9].sum()
            n += 1
    assert 0.72 <= inside / n <= 0.92
    assert not 0.72 <= summed / n <= 0.92


def test_without_refits_or_counts_the_days_are_summed_as_independent_and_said_so():
    point = np.full(L, 100.0)
    days = {0.1: np.full(L, 80.0), 0.5: np.full(L, 100.0), 0.9: np.full(L, 120.0)}
    band, rule = window_band(point, days, 1, QS, history=np.full(100, 100.5))
    assert rule == "independent days" and "stated rule" in SOURCES[rule]
    sd = np.sqrt(L) * 40 / 2.5631  # 28 independent days, each sd 40 / (z90 - z10)
    assert band[0.9] - band[0.1] == pytest.approx(2.5631 * sd, rel=0.02)
    assert band[0.1] < band[0.5] < 2800 < band[0.9]  # a log-normal: its median below its mean
    assert window_band(np.zeros(L), days, 1, QS) == ({0.1: 0.0, 0.5: 0.0, 0.9: 0.0}, "zero")
    with pytest.raises(ModelError, match="no band around the median"):
        window_band(point, {0.5: days[0.5]}, 1, QS)
    with pytest.raises(ModelError, match="no day"):
        window_band(np.zeros(0), days, 1, QS)
    assert MIN_SPANS > 1


def test_the_core_returns_each_series_window_total_with_its_band_and_rule():
    ds = pd.date_range("2023-01-02", periods=500, freq="D")
    rng = np.random.default_rng(3)
    frame = pd.concat([pd.DataFrame({"sku": "smooth", "ds": ds, "y": np.round(200 * np.exp(rng.normal(0, 0.3, 500)))}),
                       pd.DataFrame({"sku": "slow", "ds": ds, "y": rng.poisson(0.2, 500).astype(float)})])
    window = (ds[-1] + pd.Timedelta(days=31), ds[-1] + pd.Timedelta(days=58))
    fc = forecast(frame, horizon=60, keys=["sku"], window=window, n_jobs=1)
    bands = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku")
    assert bands.window_band.to_dict() == {"smooth": "refits", "slow": "count"}
    inside = fc[(fc.ds >= window[0]) & (fc.ds <= window[1])].groupby("sku").yhat.sum()
    np.testing.assert_allclose(bands.yhat, inside.reindex(bands.index))
    assert (bands.yhat_q10 <= bands.yhat).all() and (bands.yhat <= bands.yhat_q90).all()
    assert "window_bands" not in forecast(frame, horizon=7, keys=["sku"], n_jobs=1).attrs
    # the naive models' refits need no fit: last year's days from each origin
    naive = forecast(frame, horizon=60, keys=["sku"], window=window, n_jobs=1, model="seasonal_naive")
    assert pd.DataFrame(naive.attrs["window_bands"]).set_index("sku").window_band.to_dict() == \
        {"smooth": "refits", "slow": "count"}
    with pytest.raises(ParameterError, match="window: ends on"):
        forecast(frame, horizon=60, keys=["sku"], window=(window[1], window[0]))
    quarters = frame.assign(ds=frame.ds.dt.to_period("Q").dt.to_timestamp()).groupby(["sku", "ds"], as_index=False).y.sum()
    with pytest.raises(ParameterError, match="window: the band of a window total is measured on days, weeks or months"):
        forecast(quarters, horizon=2, keys=["sku"], window=window, freq="QS")


def test_a_slow_mover_with_gaps_takes_the_spread_of_its_own_past_window_sums():
    """Slow movers that sell (0.4 a day) for 30-90 days, then not for 10-60: a recent mean misses
    the gaps to come, and the negative binomial of a stable rate covers about 60% of their
    window totals 61-88 days ahead; the spread of the series' own past window sums around the
    recent mean at that lead (``past_sum_dispersion``, a year of history) about 80%."""
    rng = np.random.default_rng(11)
    lead, n, inside, stable = 60, 700, 0, 0
    ds = pd.date_range("2024-01-01", periods=n, freq="D")
    draws = 0
    for _ in range(200):
        y = np.zeros(n + lead + L)
        t = 0
        while t < len(y):
            on, off = rng.integers(30, 90), rng.integers(10, 60)
            y[t:t + on] = rng.poisson(0.4, len(y[t:t + on]))
            t += on + off
        pred = RecentLevel().fit(y[:n], ds).predict(lead + L)
        days = slice(lead, lead + L)
        if pred.mean[days].sum() == 0:
            continue
        actual, draws = y[n + lead:].sum(), draws + 1
        day_qs = {q: v[days] for q, v in pred.quantiles.items()}
        own, rule = window_band(pred.mean[days], day_qs, lead + 1, QS, history=y[:n])
        short, _ = window_band(pred.mean[days], day_qs, lead + 1, QS, history=y[n - 150:n])  # no past sums
        assert rule == "count"
        inside += own[0.1] <= actual <= own[0.9]
        stable += short[0.1] <= actual <= short[0.9]
    assert 0.72 <= inside / draws <= 0.88
    assert stable / draws < 0.70


def test_a_naive_models_window_band_comes_from_its_own_refits_not_independent_days():
    """40 seeded series whose level drifts (a random walk, 1% a day) under day noise, seasonal
    naive 61-88 days ahead: its errors are level errors shared by the window's days, which the
    independent-days rule leaves out (it held 11 of 40 totals in the run); its refits (last
    year's days from each origin, no fit needed) hold about 80% (31 of 40)."""
    lead, refits, independent = 60, 0, 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n = 900
        ds = pd.date_range("2022-01-03", periods=n + lead + L, freq="D")
        y = np.round(200 * np.exp(np.cumsum(rng.normal(0, 0.01, len(ds))) + rng.normal(0, 0.3, len(ds))))
        model = SeasonalNaive().fit(y[:n], ds[:n])
        pred = model.predict(lead + L)
        days = slice(lead, lead + L)
        day_qs = {q: v[days] for q, v in pred.quantiles.items()}
        actual = y[n + lead:].sum()
        band, rule = window_band(pred.mean[days], day_qs, lead + 1, QS, paths=model.refit_paths(), history=y[:n])
        stated, _ = window_band(pred.mean[days], day_qs, lead + 1, QS, history=y[:n])
        assert rule == "refits" and len(model.refit_paths()) == 6
        refits += band[0.1] <= actual <= band[0.9]
        independent += stated[0.1] <= actual <= stated[0.9]
    assert 0.68 <= refits / 40 <= 0.92
    assert independent / 40 < 0.5


def test_weekly_and_monthly_window_totals_have_a_band_from_the_refits_shares_of_their_periods():
    """A 28-day window over weekly and monthly data touches periods it holds in part: the
    window total and the spans of the model's refits weigh each period by its share of days
    inside the window (``window_share``), and the band comes from those refits."""
    rng = np.random.default_rng(5)
    weeks = pd.date_range("2023-01-02", periods=150, freq="W-MON")
    frame = pd.DataFrame({"sku": "a", "ds": weeks, "y": np.round(1400 * np.exp(rng.normal(0, 0.1, 150)))})
    window = (weeks[-1] + pd.Timedelta(days=66), weeks[-1] + pd.Timedelta(days=93))  # Thursday to Wednesday
    fc = forecast(frame, horizon=14, keys=["sku"], window=window, n_jobs=1, freq="W", model="ets")
    band = fc.attrs["window_bands"][0]
    share = np.array([4 / 7, 1, 1, 1, 3 / 7])  # Thu-Sun of the first week, Mon-Wed of the last
    assert np.isclose(band["yhat"], share @ fc.yhat.to_numpy()[8:13])  # weeks 9 to 13 after the last
    assert band["window_band"] == "refits" and band["yhat_q10"] < band["yhat"] < band["yhat_q90"]
    months = frame.assign(ds=frame.ds.dt.to_period("M").dt.to_timestamp()).groupby(["sku", "ds"], as_index=False).y.sum()
    months = months.iloc[1:-1]  # whole months only
    fc = forecast(months, horizon=5, keys=["sku"], window=window, n_jobs=1, freq="MS", model="seasonal_naive")
    band = fc.attrs["window_bands"][0]
    assert band["window_band"] == "refits" and band["yhat_q10"] < band["yhat"] < band["yhat_q90"]


def test_a_launchs_growth_past_the_curves_evidence_widens_its_window_band():
    """A launch still ramping (trial 6 #3: 917 units with a band of 890..944, 1,980 sold): its
    refits or its days measure the noise around the ramp, not whether the ramp goes on. The
    model's spread of the growth (``Prediction.launch_spread``, log) is one level error for every
    day of the window, added in quadrature to whatever rule gave the band."""
    days = np.full(L, 30.0)
    day_qs = {0.1: days * 0.9, 0.5: days, 0.9: days * 1.1}
    narrow, rule = window_band(days, day_qs, 1, QS)
    wide, same = window_band(days, day_qs, 1, QS, level_spread=np.full(L, 0.3))
    assert rule == same == "independent days" and narrow[0.9] / days.sum() < 1.03  # the days' noise cancels
    z = 1.2815515655446004 * 0.3
    for q, sign in ((0.1, -1), (0.9, 1)):
        d = np.log(narrow[q] / days.sum())
        assert wide[q] == pytest.approx(days.sum() * np.exp(sign * np.sqrt(d ** 2 + z ** 2)))
    assert wide[0.5] == narrow[0.5]
    # the spread of the days that hold most of the window's units counts most
    ramp, spread = np.linspace(10, 50, L), np.linspace(0, 0.4, L)
    ramp_qs = {q: ramp * v[0] / 30 for q, v in day_qs.items()}
    alone, _ = window_band(ramp, ramp_qs, 1, QS)
    both, _ = window_band(ramp, ramp_qs, 1, QS, level_spread=spread)
    expected = with_level_spread(ramp.sum(), alone, ramp @ spread / ramp.sum())  # 0.27, not the mean 0.2
    assert both == pytest.approx(expected)
    with pytest.raises(ModelError, match="level spread must be finite"):
        window_band(days, day_qs, 1, QS, level_spread=np.full(L - 1, 0.3))


def _dated(spans: dict, last: str = "2026-11-29") -> pd.DataFrame:
    """``span_sums`` of daily paths ending on ``last``, with each refit's origin date as
    ``core.forecast(window=...)`` adds it."""
    frame = pd.DataFrame(spans)
    return frame.assign(origin=pd.Timestamp(last) - pd.to_timedelta(frame["reach"] - 1, "D"))


def test_a_levels_band_pairs_its_series_refits_by_origin_date():
    """Review 7.3 #6: refits were paired across series by their path length, which is one date
    only where every history ends on the same day. Two series whose refits err in opposite
    directions, one history ending a week earlier with its refits a week earlier too: each refit
    pairs with the other series' refit from the same origin date, so the sum errs by nothing."""
    level = np.random.default_rng(2).normal(0, 0.1, 6)
    ahead = [(np.full(42 * k, 100.0) * np.exp(level[k - 1]), np.full(42 * k, 100.0), np.zeros(42 * k, bool))
             for k in range(1, 7)]
    # the second history ends 7 days earlier: its refit from the same origin is 7 days shorter
    behind = [(2 * f[:-7] - a[:-7], f[:-7], m[:-7]) for a, f, m in ahead]
    spans = pd.concat([_dated(span_sums(ahead, np.ones(L))), _dated(span_sums(behind, np.ones(L)), "2026-11-22")])
    band = summed_band(5600.0, spans, 60, L, QS)
    assert band[0.1] == pytest.approx(5600, rel=1e-9) and band[0.9] == pytest.approx(5600, rel=1e-9)


def test_a_levels_band_sums_its_series_refits_per_refit():
    """Two series whose refits err in opposite directions by the same units: their sum's spans
    err by nothing, so the level's band from the summed refits is its point (independent or
    perfectly correlated series would give it a width); series that err alike keep their
    relative band."""
    rng = np.random.default_rng(2)
    level = rng.normal(0, 0.1, 6)
    paths = [(np.full(42 * k, 100.0) * np.exp(level[k - 1]), np.full(42 * k, 100.0), np.zeros(42 * k, bool))
             for k in range(1, 7)]
    mirror = [(2 * f - a, f, m) for a, f, m in paths]  # actual - forecast of opposite sign
    spans = pd.concat([_dated(span_sums(p, np.ones(L))) for p in (paths, mirror)])
    band = summed_band(5600.0, spans, 60, L, QS)
    assert band[0.1] == pytest.approx(5600, rel=1e-9) and band[0.9] == pytest.approx(5600, rel=1e-9)
    alike = pd.concat([_dated(span_sums(paths, np.ones(L)))] * 2)
    one = refit_band(2800.0, *span_errors(paths, np.ones(L)), 60, L, QS, grow_all=True)  # a level's rule
    both = summed_band(5600.0, alike, 60, L, QS)
    assert both[0.9] / 5600 == pytest.approx(one[0.9] / 2800, rel=1e-3)
    assert summed_band(5600.0, spans.iloc[:3], 60, L, QS) is None  # too few spans


def test_a_span_and_its_mirror_image_count_once_in_the_finite_sample_correction():
    """10 refits with one span each are 10 independent errors: the symmetric band is their
    absolute values' split conformal quantile at level 0.5 + 0.4 (n + 1) / n with n = 10 (the
    errors and their mirror images, 20 scores, are no 20 errors: counted so, the level was
    0.92 and P90 slightly narrow). Spans of one refit that err alike count about once each refit."""
    rng = np.random.default_rng(11)
    errors = rng.normal(0, 0.2, 10)
    horizons, refits = np.full(10, 40.0), np.arange(10)
    mirrored = np.r_[errors, -errors]
    band = refit_band(100.0, horizons, errors, refits, 20, L, QS)
    assert np.log1p(band[0.9]) - np.log1p(100.0) == pytest.approx(np.quantile(mirrored, 0.5 + 0.4 * 11 / 10))
    doubled = np.quantile(mirrored, 0.5 + 0.4 * 21 / 20)
    assert np.log1p(band[0.9]) - np.log1p(100.0) > doubled + 0.01
    # the same 10 level errors, 4 alike spans each: still about 10 errors, not 40 (nor 80)
    alike = refit_band(100.0, np.repeat(horizons, 4), np.repeat(errors, 4) + rng.normal(0, 1e-4, 40),
                       np.repeat(refits, 4), 20, L, QS)
    assert alike[0.9] == pytest.approx(band[0.9], rel=0.01)


def _refit_spans(refits: int = 6, step: int = 42):
    """Horizons and refit ids of the 28-day spans (7 days apart) of refits whose paths run from
    ``k * step`` days before the end of the history to it (k = 1..refits)."""
    horizons, ids = [], []
    for k in range(1, refits + 1):
        starts = np.arange(0, step * k - L + 1, 7)
        horizons += list(starts + (L + 1) / 2)
        ids += [k] * len(starts)
    return np.array(horizons), np.array(ids)


def test_only_the_span_errors_growth_is_stretched_beyond_the_horizons_measured():
    """A window 286-313 days ahead, beyond every span (at most 238 days). Refits whose level
    error does not grow with the horizon (one N(0, 0.1) error a refit): stretching all of it as a
    random walk's covered 98% in this run; only what the errors grew by since the first spans,
    about 90% (6 refits: a conformal band of 6 errors holds 6/7 or more). Refits whose error is
    a random walk keep their stretch (84%; 88% stretching all of it)."""
    horizons, ids = _refit_spans()
    rng = np.random.default_rng(5)
    flat = walk = 0
    for _ in range(600):
        level = rng.normal(0, 0.1, 7)
        errors = level[ids - 1] + rng.normal(0, 0.02, len(ids))
        band = refit_band(100.0, horizons, errors, ids, 286, L, QS)
        flat += band[0.1] <= 100.0 * np.exp(level[6] + rng.normal(0, 0.02)) <= band[0.9]
        paths = np.cumsum(rng.normal(0, 0.01, (7, 400)), axis=1)
        band = refit_band(100.0, horizons, paths[ids - 1, horizons.astype(int)], ids, 286, L, QS)
        walk += band[0.1] <= 100.0 * np.exp(paths[6, 300]) <= band[0.9]
    assert 0.78 <= flat / 600 <= 0.93
    assert 0.75 <= walk / 600 <= 0.92


def test_weekly_refits_run_to_the_end_so_a_levels_band_sums_its_series_refits_per_origin():
    """ets's weekly refits forecast from each origin to the end of the history (their length is
    their origin, as the daily models' paths), its own band still calibrated on each path's
    first ``reach`` weeks; so a category's and the nation's window totals at weeks take their
    series' refits summed per origin (``summed refits``), not only the level's direct forecast's
    refits, which share no origin with its series' (trial 5's monthly 类目 and national)."""
    rng = np.random.default_rng(3)
    weeks = pd.date_range("2023-01-02", periods=160, freq="W-MON")
    series = [("c1", "a", 900), ("c1", "b", 600), ("c2", "c", 1200), ("c2", "d", 400)]
    frame = pd.concat([pd.DataFrame({"category": c, "sku": s, "ds": weeks,
                                     "y": np.round(m * np.exp(rng.normal(0, 0.15, len(weeks))))})
                       for c, s, m in series], ignore_index=True)
    model = make_model("ets", freq="W").fit(frame[frame.sku == "a"].y.to_numpy(), weeks, freq="W")
    model.predict(13, QS)
    paths = model.refit_paths()
    assert len(paths) >= 2 and len({len(a) for a, _, _ in paths}) == len(paths)  # one length, one origin
    y = frame[frame.sku == "a"].y.to_numpy()
    assert all(np.array_equal(a, y[-len(a):]) for a, _, _ in paths)  # every path ends on the last week
    result = planning.event_forecast(frame, event="618", year=2026, lead=60, keys=["category", "sku"], freq="W",
                                     model="ets", n_jobs=1)
    for level, by in (("category", ["category"]), ("national", [])):
        band = result.window_bands[level]
        assert (band["window_band"] == "summed refits").all(), band
        totals = planning.with_window_band(planning.window_totals(planning.level_daily(result, by), result.window,
                                                                  by, "W"), band, by)
        assert (totals.yhat_q10 < totals.yhat).all() and (totals.yhat < totals.yhat_q90).all()


def test_a_weekly_refit_path_ends_on_the_last_week_when_the_fit_left_out_trailing_zeros():
    """A series whose last week is zero (an unconfirmed stop: ets fits without it) still gives
    refit paths that end on the history's last week, the left-out week flagged missed: a path's
    length is its origin, so a level's summed refits never add one origin's span to another's
    (review R3: the path from origin 106 of 120 had the length of the others' from 107)."""
    rng = np.random.default_rng(0)  # a noisy seller: one zero week is not unlikely at its rate
    weeks = pd.date_range("2023-01-02", periods=160, freq="W-MON")
    y = np.round(60 * np.exp(rng.normal(0, 1.1, len(weeks))))
    y[-1] = 0.0
    assert (y[:-1] > 0).all()
    model = make_model("ets", freq="W").fit(y, weeks, freq="W")
    model.predict(13, QS)
    assert model.end_ == len(y) - 1  # the fit left the zero week out
    paths = model.refit_paths()
    assert paths
    for actual, forecast, missed in paths:
        assert np.array_equal(actual, y[-len(actual):])  # ends on the last week
        assert missed[-1] and not missed[:-1].any() and forecast[-1] == 0.0


def test_a_shared_spread_the_days_already_hold_counts_once_in_the_independent_days_band():
    """A borrowed uplift's spread (``Prediction.event_spread``) widens each day's band and is also
    the window's level spread, an error its days share. Under the independent-days rule it was in
    both: the days summed as independent (each widened by it) and the window again. With
    ``day_spread`` the days give it back (``conformal.narrowed_offsets``) and the band is the one
    of the days' own noise plus the shared spread once (days' own log sd 0.1, shared 0.3: the
    P10-P90 width counted twice was 1.10x for 5 days, 1.22x for 2, 1.02x for 28)."""
    from workbench.forecast.conformal import narrowed_offsets, widened_offsets
    from scipy.stats import norm

    for length in (5, 2):
        point, shared = np.full(length, 100.0), np.full(length, 0.3)
        own = {q: np.full(length, norm.ppf(q) * 0.1) for q in QS}  # each day's own log noise, sd 0.1
        wide = widened_offsets(own, shared)
        np.testing.assert_allclose(narrowed_offsets(wide, shared)[0.9], own[0.9])
        days_wide = {q: np.expm1(np.log1p(100.0) + v) for q, v in wide.items()}
        days_own = {q: np.expm1(np.log1p(100.0) + v) for q, v in own.items()}
        once, rule = window_band(point, days_own, 1, QS, level_spread=shared)
        fixed, _ = window_band(point, days_wide, 1, QS, level_spread=shared, day_spread=shared)
        twice, _ = window_band(point, days_wide, 1, QS, level_spread=shared)
        assert rule == "independent days"
        for q in QS:
            assert fixed[q] == pytest.approx(once[q], rel=0.005), (length, q, fixed, once)
        assert twice[0.9] - twice[0.1] > 1.05 * (fixed[0.9] - fixed[0.1])
    with pytest.raises(ModelError, match="shared spread"):
        window_band(point, days_wide, 1, QS, level_spread=shared, day_spread=np.full(3, 0.3))


def test_a_winter_slow_sellers_summer_window_is_read_against_its_summers():
    """Winter coats (9 a day x0.5-1.5 in summer, up to x30 at the turn of the year, negative
    binomial days) with 592 days of history, forecast flat at their recent mean for a 30-day
    window 247 days ahead (trial 12's 618): the recent mean at that lead missed last winter by
    x30, so the past window sums' ratio (5,000-15,000) made a negative binomial whose P50 is 0
    and whose band held 52% of 200 seeded windows. Read on the spans at the window's time of year
    (``past_sum_dispersion(season=True)``), where they show less: P50 near the mean, about 80%."""
    rng = np.random.default_rng(0)
    n, length, gap = 592, 30, 246
    inside, medians = 0, []
    for _ in range(200):
        t = np.arange(n + gap + length)
        peak = np.clip(np.cos(2 * np.pi * ((31 + t) % 365 - 355) / 365), 0, None) ** 2
        lam = 9 * np.exp(np.log(30) * peak) * rng.uniform(0.5, 1.5)
        y = rng.negative_binomial(3, 3 / (3 + lam)).astype(float)
        point = np.full(length, y[n - 56:n].mean())
        band, rule = window_band(point, {q: point for q in QS}, gap + 1, QS, history=y[:n])
        assert rule == "count"
        actual = y[n + gap:].sum()
        inside += band[0.1] <= actual <= band[0.9]
        medians.append(band[0.5] / point.sum())
    assert 0.72 <= inside / 200 <= 0.9, inside
    assert np.median(medians) > 0.8, np.median(medians)


def test_a_band_past_the_guards_cap_is_refused_and_the_next_rule_taken():
    """Refits from an off season that missed the season's rise (each forecast 1 a day where 20 sold: a
    log error of 2.4 on 28-day sums) put the refits rule's P90 of a 40-unit window at x20 of it; held to
    the guard's cap (trial 14 F8: P90s of 4,023 / 108,865 / 294,809 units against 61 / 606 / 663 sold),
    the band is refused for the next rule, and a band no rule keeps under the cap is held at it."""
    from workbench.forecast.guard import window_cap
    from workbench.forecast.window_band import capped_window_band, refused_band_note

    rng = np.random.default_rng(0)
    history = rng.poisson(np.r_[np.full(200, 1.0), np.full(120, 20.0), np.full(60, 1.0)]).astype(float)
    paths = [(np.r_[np.full(k, 20.0), np.full(60, 1.0)], np.full(k + 60, 1.0), np.zeros(k + 60, bool))
             for k in (70, 90, 110)]
    point = np.full(L, 40 / L)
    days = dict(zip(QS, (point * 0, point, point * 3)))
    band, rule = window_band(point, days, 200, QS, paths=paths, history=history)
    assert rule == "refits" and band[0.9] > 15 * 40  # the blow-up, unchecked
    cap, why = window_cap(history, 40.0, L, 200 + L)
    assert cap == pytest.approx(400) and "10x its point total" in why  # tighter than 10x its winter's 28 days
    band, rule, refused = capped_window_band(cap, point, days, 200, QS, paths=paths, history=history)
    assert [r for r, _ in refused] == ["refits"] and rule == "count" and band[0.1] <= 40 <= band[0.9] <= cap
    note = refused_band_note(refused, 0.9, cap, why, rule)
    assert "refits rule's band reached 90% at" in note and "the count rule's band in its place" in note
    # a spread no rule measured (a borrowed uplift's, x20 in sd) reaches past it whatever the rule: held
    band, rule, refused = capped_window_band(cap, point, days, 200, QS, paths=paths, history=history,
                                             level_spread=np.full(L, 3.0))
    assert rule == "held" and [r for r, _ in refused] == ["refits", "count", "independent days"]
    assert band[0.9] == pytest.approx(cap) and band[0.1] <= 40
    assert "held at the cap" in refused_band_note(refused, 0.9, cap, why, rule)
    # the cap is the series' range where that is the tighter: 10x its largest 28 days (its winter's, ~560)
    cap, why = window_cap(history, 28.0 * L, L, 200 + L)
    seen = np.convolve(history, np.ones(L), "valid").max()
    assert cap == pytest.approx(10 * seen) and f"the largest 28-period total seen ({seen:,.0f})" in why
