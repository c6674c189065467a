"""Conformal quantile offsets by horizon (workbench.forecast.conformal)."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from workbench.calendar import default_calendar
from workbench.errors import ModelError
from workbench.forecast.conformal import (apply_offsets, conformal_offsets, day_parts, rolling_origin_errors, scale_slope,
                                          widened_offsets)
from workbench.forecast import metrics
from workbench.forecast.backtest import backtest_windows
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets
from workbench.forecast.models import make_model
from workbench.forecast.models.event_profile import PooledPrior

Q = (0.1, 0.5, 0.9)


def _errors_growing_with_horizon(rng, paths: int = 400, horizon: int = 120, sd: float = 0.02):
    """Errors of a random-walk level: at step h the error is N(0, sd^2 h)."""
    h = np.tile(np.arange(1, horizon + 1), paths)
    return h.astype(float), rng.normal(0, sd * np.sqrt(h))


def test_offsets_are_the_quantiles_of_each_horizon_band():
    rng = np.random.default_rng(0)
    h, e = _errors_growing_with_horizon(rng)
    off = conformal_offsets(h, e, 120, Q)
    assert set(off) == set(Q) and all(v.shape == (120,) for v in off.values())
    # band (90, 120]: a mixture of N(0, 0.02^2 h) over h in 91..120
    mix = rng.normal(0, 0.02 * np.sqrt(rng.integers(91, 121, 200_000)))
    assert off[0.9][100] == pytest.approx(np.quantile(mix, 0.9), rel=0.06)
    assert off[0.1][100] == pytest.approx(np.quantile(mix, 0.1), rel=0.06)
    assert abs(off[0.5][100]) < 0.01
    # the first band (1..14) is much narrower than the last
    assert off[0.9][5] - off[0.1][5] < 0.5 * (off[0.9][100] - off[0.1][100])
    # fresh errors fall inside P10..P90 about 80% of the time at every step
    h2, e2 = _errors_growing_with_horizon(np.random.default_rng(1))
    step = h2.astype(int) - 1
    inside = (e2 >= off[0.1][step]) & (e2 <= off[0.9][step])
    assert 0.77 <= inside.mean() <= 0.83
    for band in (slice(0, 14), slice(90, 120)):
        sel = (step >= band.start) & (step < band.stop)
        assert 0.74 <= inside[sel].mean() <= 0.86


def test_few_errors_are_widened_by_the_finite_sample_rule():
    errors = np.arange(1.0, 30.0)  # 29 errors, one band
    off = conformal_offsets(np.ones(29), errors, 1, Q)
    level = 0.5 + 0.4 * 30 / 29
    assert off[0.9][0] == pytest.approx(np.quantile(errors, level) - np.median(errors))
    assert off[0.9][0] > np.quantile(errors, 0.9) - np.median(errors)
    assert off[0.5][0] == 0.0


def test_beyond_the_longest_measured_horizon_the_spread_grows_like_a_random_walk():
    rng = np.random.default_rng(2)
    h, e = _errors_growing_with_horizon(rng, horizon=30)
    off = conformal_offsets(h, e, 240, Q)
    width = off[0.9] - off[0.1]
    # steps 181..240 use every error (mean horizon 15.5) stretched by sqrt(h / 15.5)
    assert width[239] / width[199] == pytest.approx(np.sqrt(240 / 200), rel=1e-9)
    expected = 2 * norm.ppf(0.9) * 0.02 * np.sqrt(240)
    assert width[239] == pytest.approx(expected, rel=0.25)


def test_only_the_spread_above_the_day_noise_grows_beyond_the_measured_horizons():
    """Errors of day noise (sd 0.1) plus a random-walk level (sd 0.01 sqrt(h)) measured 1-30
    steps ahead: with the day noise given, the band 240 steps ahead is the noise's plus a level
    grown as a random walk, not the whole measured spread stretched by sqrt(240 / 15.5)."""
    rng = np.random.default_rng(3)
    h = np.tile(np.arange(1, 31), 400).astype(float)
    e = rng.normal(0, 0.1, len(h)) + rng.normal(0, 0.01 * np.sqrt(h))
    whole = conformal_offsets(h, e, 240, Q)
    parted = conformal_offsets(h, e, 240, Q, noise=0.1 ** 2)
    truth = 2 * norm.ppf(0.9) * np.sqrt(0.1 ** 2 + 0.01 ** 2 * 240)
    assert parted[0.9][239] - parted[0.1][239] == pytest.approx(truth, rel=0.15)
    assert whole[0.9][239] - whole[0.1][239] > 1.8 * truth  # every part stretched
    np.testing.assert_allclose(parted[0.9][:7], whole[0.9][:7])  # up to the mean horizon of a band: as before
    same = conformal_offsets(h, e, 240, Q, noise=1.0)  # all of it day noise: nothing grows
    assert same[0.9][239] == pytest.approx(same[0.9][200])  # one band (all errors): no growth in it


def test_a_band_measured_in_one_noisy_season_takes_every_paths_day_noise():
    """Six paths whose days 91-120 ahead all fell in one noisy season (day noise sd 0.3, sd 0.1
    elsewhere), each path with its own level error (sd 0.05): with the day parts given, the band
    there is the paths' level errors plus the day noise of all their days, not the season's, and
    so is every other band's (the noise does not depend on the horizon)."""
    rng = np.random.default_rng(4)
    h = np.tile(np.arange(1, 151), 6).astype(float)
    day = rng.normal(0, np.where((h > 90) & (h <= 120), 0.3, 0.1))
    level = np.repeat(rng.normal(0, 0.05, 6), 150)
    alone = conformal_offsets(h, level + day, 150, Q)
    pooled = conformal_offsets(h, level + day, 150, Q, day=day)
    width = {name: off[0.9][100] - off[0.1][100] for name, off in (("alone", alone), ("pooled", pooled))}
    season_free = 2 * norm.ppf(0.9) * np.sqrt(0.05 ** 2 + 0.1 ** 2)
    assert width["alone"] > 1.8 * season_free
    assert season_free < width["pooled"] < 1.5 * season_free  # the pool holds the 30 noisy days of 150
    first = [0, 14, 30, 60, 90, 120]  # each band's first step (within its mean horizon: not stretched)
    np.testing.assert_allclose((pooled[0.9] - pooled[0.1])[first], width["pooled"], rtol=0.1)
    with pytest.raises(ModelError, match="day noise"):
        conformal_offsets(h, level + day, 150, Q, day=day[:-1])


def _paths_with_levels(rng, few: tuple[float, ...], paths: int = 10, sd: float = 0.1, noise: float = 0.05):
    """Errors of ``paths`` refit paths 150 days long, each path's level error drawn per horizon
    band (sd ``sd``) plus day noise; the band 91-120 days ahead is measured only by the first
    ``len(few)`` paths, with the level errors ``few``."""
    h, level, path = [], [], []
    edges = (0, 14, 30, 60, 90, 120, 150)
    for i in range(paths):
        for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
            if lo == 90 and i >= len(few):
                continue
            steps = np.arange(lo + 1, hi + 1)
            h.append(steps)
            level.append(np.full(len(steps), few[i] if lo == 90 else rng.normal(0, sd)))
            path.append(np.full(len(steps), i))
    h, level, path = (np.concatenate(a) for a in (h, level, path))
    day = rng.normal(0, noise, len(h))
    return h.astype(float), level + day, day, path


def test_a_band_measured_by_few_refits_borrows_the_other_bands_level_spread():
    """A horizon band measured by two refits whose level errors lie far apart (+-0.3 in log,
    the other bands' level sd 0.1 from ten refits) takes a level variance shrunk toward the
    other bands' by its two refits against the prior's ``LEVEL_PRIOR_REFITS``
    (``shrunk_variance``): narrower than its own, wider than the pool's; a band measured by
    ten refits keeps nearly its own."""
    from workbench.forecast.conformal import LEVEL_PRIOR_REFITS, shrunk_variance

    h, errors, day, path = _paths_with_levels(np.random.default_rng(3), few=(0.3, -0.3))
    shrunk = conformal_offsets(h, errors, 150, Q, day=day, paths=path)
    alone = conformal_offsets(h, errors, 150, Q, day=day, paths=path, level_prior=0)
    unpooled = conformal_offsets(h, errors, 150, Q, day=day)  # no paths: each band its own
    for q in Q:
        np.testing.assert_array_equal(alone[q], unpooled[q])
    width = {name: off[0.9] - off[0.1] for name, off in (("shrunk", shrunk), ("alone", alone))}
    pool = 2 * norm.ppf(0.9) * np.hypot(0.1, 0.05)  # the other bands' level and day noise
    assert pool < width["shrunk"][100] < 0.8 * width["alone"][100]
    assert width["shrunk"][40] == pytest.approx(width["alone"][40], rel=0.1)  # ten refits: its own
    assert shrunk_variance(0.09, 2, 0.01) == pytest.approx((2 * 0.01 + 2 * 0.09) / 4)
    assert shrunk_variance(0.09, 0, 0.01) == 0.01 and shrunk_variance(0.09, 5, 0.01, prior=0) == 0.09
    assert LEVEL_PRIOR_REFITS > 0
    with pytest.raises(ModelError, match="paths"):
        conformal_offsets(h, errors, 150, Q, day=day, paths=path[:-1])
    with pytest.raises(ModelError, match="level prior"):
        conformal_offsets(h, errors, 150, Q, day=day, paths=path, level_prior=-1)


def test_bad_inputs_are_refused():
    with pytest.raises(ModelError, match="no errors"):
        conformal_offsets([], [], 5, Q)
    with pytest.raises(ModelError, match="horizons but"):
        conformal_offsets([1, 2], [0.1], 5, Q)
    with pytest.raises(ModelError, match="finite"):
        conformal_offsets([1, 2], [0.1, np.nan], 5, Q)
    with pytest.raises(ModelError, match="day noise"):  # e.g. the median of no errors
        conformal_offsets([1, 2], [0.1, 0.2], 5, Q, noise=np.nan)


def test_apply_offsets_is_censored_at_zero():
    out = apply_offsets(np.array([0.0, 9.0]), {0.1: np.array([-1.0, -1.0]), 0.9: np.array([0.5, 0.5])})
    assert out[0.1][0] == 0.0 and out[0.1][1] == pytest.approx(np.expm1(np.log(10) - 1))
    assert out[0.9][1] == pytest.approx(np.expm1(np.log(10) + 0.5))


def test_rolling_origin_errors_are_the_refits_own_errors():
    ds = pd.date_range("2024-01-07", periods=30, freq="W-SUN")
    y = np.r_[np.full(20, 10.0), np.full(10, 20.0)]
    h, e = rolling_origin_errors(lambda: make_model("recent_level"), y, ds, horizon=5, n_windows=3,
                                 freq="W", min_history=7)
    assert h.tolist() == [1, 2, 3, 4, 5] * 3
    # recent_level: the mean of the last 8 weeks. Origin 25: 3 weeks at 10 and 5 at 20 (16.25)
    # against 20; origin 20: 10 against 20; origin 15: 10 against 10
    expected = np.r_[np.full(5, np.log(21 / 17.25)), np.full(5, np.log(21 / 11)), np.zeros(5)]
    np.testing.assert_allclose(e, expected, atol=1e-9)
    h, e = rolling_origin_errors(lambda: make_model("recent_level"), y, ds, horizon=5, n_windows=9,
                                 freq="W", min_history=7)
    assert len(h) == 5 * 4  # origins 25, 20, 15, 10 (5 is shorter than min_history)


def test_scale_slope_finds_how_much_wider_event_days_err():
    rng = np.random.default_rng(3)
    h = np.tile(np.arange(1.0, 61.0), 40)
    x = np.where(rng.random(len(h)) < 0.3, rng.uniform(0.2, 1.5, len(h)), 0.0)  # |uplift| on event days
    e = rng.normal(0, 0.1, len(h)) * (1 + 0.8 * x)
    k = scale_slope(h, e, x)
    assert k == pytest.approx(0.8, abs=0.2)
    assert scale_slope(h, rng.normal(0, 0.1, len(h)), x) < 0.2  # no wider: no stretch
    assert scale_slope(h, e, np.zeros(len(h))) is None  # no event days: no evidence
    # normalised scores: P10..P90 covers about 80% on quiet days and on big event days alike
    off_quiet = conformal_offsets(h, e, 60, Q, spread=1 + k * x, future_spread=np.ones(60))
    off_event = conformal_offsets(h, e, 60, Q, spread=1 + k * x, future_spread=np.full(60, 1 + k * 1.2))
    z = rng.normal(0, 0.1, 200_000)
    for off, xx in ((off_quiet, 0.0), (off_event, 1.2)):
        fresh = z * (1 + 0.8 * xx)
        assert 0.75 <= np.mean((fresh >= off[0.1][30]) & (fresh <= off[0.9][30])) <= 0.85


def test_centred_bands_leave_out_the_shared_level_error_of_the_refits():
    rng = np.random.default_rng(4)
    h = np.tile(np.arange(1.0, 31.0), 10)
    e = 0.3 + rng.normal(0, 0.1, len(h))  # every refit 30% low: one shared level error
    centred = conformal_offsets(h, e, 30, Q)
    kept = conformal_offsets(h, e, 30, Q, centred=False)
    assert np.all(centred[0.5] == 0) and centred[0.1][0] < 0 < centred[0.9][0]
    np.testing.assert_allclose(kept[0.9] - kept[0.1], centred[0.9] - centred[0.1])
    assert kept[0.5][0] == pytest.approx(np.median(e[h <= 14]))


@pytest.mark.parametrize("drift_sd", [0.0, 0.004])
def test_event_profile_bands_cover_80_percent_three_to_five_months_ahead(drift_sd):
    """The long-horizon case: 150 days ahead of three years of daily history (weekly pattern,
    log-normal noise, a level that may drift as a random walk), P10-P90 covers about 80% of
    the days 91-150 ahead, and the band there is wider than in the first month."""
    ds = pd.date_range("2022-01-01", "2024-12-31")
    cut = len(ds) - 150
    inside, widths = [], []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        level = np.cumsum(rng.normal(0, drift_sd, len(ds)))
        weekly = np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[ds.dayofweek]
        y = np.exp(6 + level + weekly + rng.normal(0, 0.1, len(ds)))
        pred = make_model("event_profile").fit(y[:cut], ds[:cut]).predict(150)
        inside.append((y[cut:] >= pred.quantiles[0.1]) & (y[cut:] <= pred.quantiles[0.9]))
        widths.append(np.log(pred.quantiles[0.9] / pred.quantiles[0.1]))
    inside, widths = np.array(inside), np.array(widths)
    assert 0.72 <= inside[:, 90:].mean() <= 0.88
    assert 0.72 <= inside[:, :30].mean() <= 0.88
    assert widths[:, 90:].mean() > widths[:, :30].mean()


def _random_walk_panel(n: int = 30, weeks: int = 104) -> pd.DataFrame:
    ds = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    rows = []
    for i in range(n):
        rng = np.random.default_rng(i)
        y = np.exp(5 + np.cumsum(rng.normal(0, 0.05, weeks)) + rng.normal(0, 0.1, weeks))
        rows.append(pd.DataFrame({"sku": f"s{i}", "ds": ds, "y": y.round(1)}))
    return pd.concat(rows, ignore_index=True)


def test_the_core_calibrates_a_model_that_does_not_calibrate_itself():
    """recent_level's own band (the recent weeks' spread around their mean) knows nothing of a
    drifting level: 13 weeks ahead on random-walk series it covers about half the weeks; the
    core's split conformal calibration on 5 rolling-origin refits brings it to about 80%."""
    panel = _random_walk_panel()
    cut = panel.ds.unique()[-14]
    train, test = panel[panel.ds <= cut], panel[panel.ds > cut]
    cover = {}
    for windows in (0, 5):
        fc = forecast(train, horizon=13, keys=["sku"], model="recent_level", freq="W",
                      conformal_windows=windows, n_jobs=1)
        j = fc.merge(test, on=["sku", "ds"])
        assert len(j) == 13 * 30
        cover[windows] = float(((j.y >= j.yhat_q10) & (j.y <= j.yhat_q90)).mean())
        assert (j.yhat_q10 <= j.yhat).all() and (j.yhat <= j.yhat_q90).all()
    assert cover[0] < 0.65 and 0.72 <= cover[5] <= 0.88, cover


def test_the_core_leaves_self_calibrated_models_counts_and_short_series_alone():
    rng = np.random.default_rng(0)
    ds = pd.date_range("2024-01-01", periods=400, freq="D")
    daily = pd.DataFrame({"ds": ds, "y": 100 * rng.lognormal(0, 0.1, len(ds))})
    own = forecast(daily, horizon=30, model="event_profile")
    again = forecast(daily, horizon=30, model="event_profile", conformal_windows=3)
    pd.testing.assert_frame_equal(own, again)  # calibrated=("D",): its own conformal bands
    counts = daily.assign(y=rng.poisson(3, len(ds)).astype(float))
    own = forecast(counts, horizon=30, model="seasonal_naive")
    again = forecast(counts, horizon=30, model="seasonal_naive", conformal_windows=3)
    pd.testing.assert_frame_equal(own, again)  # small counts keep their count quantiles
    short = daily.iloc[:20]
    with pytest.warns(Warning, match="bands not calibrated"):
        out = forecast(short, horizon=30, model="seasonal_naive", conformal_windows=2)
    assert any("bands not calibrated" in n for n in out.attrs["notes"])


@pytest.mark.parametrize("bad", [-1, 11, 2.5, "2", True])
def test_conformal_windows_is_checked_at_the_edge(bad):
    from workbench.errors import ParameterError
    from workbench.forecast.request import ForecastRequest

    with pytest.raises(ParameterError, match="conformal_windows"):
        ForecastRequest(horizon=5, conformal_windows=bad)


def _launched_coverage(sold_days: int, check) -> float:
    """P10-P90 coverage of the next 60 days of 10 seeded series launched after 300 empty days
    at 50 a day (log noise sd 0.2), fitted on ``sold_days`` days of sales; ``check(model)``
    must hold for every fitted model."""
    ds = pd.date_range("2024-01-01", periods=300 + sold_days + 60)
    inside = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        y = np.r_[np.zeros(300), 50 * rng.lognormal(0, 0.2, sold_days + 60)]
        model = make_model("event_profile").fit(y[:-60], ds[:-60])
        assert check(model)
        pred = model.predict(60)
        inside.append((y[-60:] >= pred.quantiles[0.1]) & (y[-60:] <= pred.quantiles[0.9]))
    return float(np.mean(inside))


def test_a_young_series_without_refits_keeps_its_day_noise_in_the_band():
    """A series launched 90 days before the cut-off (a refit needs 8 weeks of it, 42 days
    before the end: none yet) in the event-heavy winter: its in-sample errors on event days are
    ~0 (each event's profile is fitted on its one occurrence), so the band comes from its quiet
    days. It used to collapse to +-3%."""
    assert 0.72 <= _launched_coverage(sold_days=90, check=lambda model: not model.refits_) <= 0.95


def test_a_launched_series_is_calibrated_on_refits_from_eight_weeks_after_its_launch():
    """A launched series forecasts its current level along the pooled path (here flat), and so
    does a refit from 8 weeks after the launch on: 160 days after the launch it has refits 42,
    84 (and 126 days back were it older), where it used to wait for half a year of history and
    take its in-sample errors widened by half. P10-P90 covers about 80% of the next 60 days."""
    assert 0.72 <= _launched_coverage(sold_days=160, check=lambda model: [o for o, _ in model.refits_] == [118, 76]) \
        <= 0.88


def test_a_young_series_without_refits_does_not_stretch_its_day_noise_far_ahead():
    """A series launched 90 days before the cut-off has no refit: its band is its in-sample
    residuals widened by half, standing for 45 days ahead. Beyond that only the widening (a
    level error) grows as a random walk, not the residuals' day noise: 121-200 days ahead of
    10 seeded flat series the P90 is under 1.7 times the median and covers under 97% (grown
    whole it was 1.77 times and 98%; a trial's launched SKU had P90 8 times its median 200 days
    ahead)."""
    horizon = 200
    ds = pd.date_range("2024-01-01", periods=300 + 90 + horizon)
    inside, ratio = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        y = np.r_[np.zeros(300), 50 * rng.lognormal(0, 0.2, 90 + horizon)]
        model = make_model("event_profile").fit(y[:-horizon], ds[:-horizon])
        assert not model.refits_
        pred = model.predict(horizon)
        inside.append(((y[-horizon:] >= pred.quantiles[0.1]) & (y[-horizon:] <= pred.quantiles[0.9]))[120:])
        ratio.append((pred.quantiles[0.9] / pred.quantiles[0.5])[120:].mean())
    assert np.mean(ratio) < 1.7
    assert 0.72 <= np.mean(inside) < 0.97


def test_refits_that_missed_an_event_the_forecast_knows_do_not_widen_the_quiet_days():
    """415 days of history (the parcel total's 618 2022 cut-off): the refits from 210 days
    back had not seen Double 11 and forecast it at the baseline, an error of the whole uplift
    (x e^1.5). Those errors calibrate only days of events the model has no profile for; the
    quiet days' P10-P90 stays near the day noise's (2 x 1.28 x 0.1 = 0.26 in log) and covers
    about 80%. Counted with the rest, they had widened every day's band to 0.40 (84% coverage
    of the quiet days 1-150 ahead)."""
    ds = pd.date_range("2021-01-01", "2022-07-31")
    cut = int(np.flatnonzero(ds == pd.Timestamp("2022-02-19"))[0]) + 1
    off = event_offsets(ds, default_calendar())
    lift = np.zeros(len(ds))
    for name, size in (("double11", 1.5), ("618", 1.2)):  # a ramp up to the day
        lift += np.where((off[name] >= -10) & (off[name] <= 0), size * (1 + off[name] / 11), 0.0)
    quiet = lift[cut:cut + 150] == 0
    inside, widths = [], []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        weekly = np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[ds.day_of_week]
        y = np.exp(6 + weekly + lift + rng.normal(0, 0.1, len(ds)))
        pred = make_model("event_profile").fit(y[:cut], ds[:cut]).predict(150)
        future = y[cut:cut + 150]
        inside.append(((future >= pred.quantiles[0.1]) & (future <= pred.quantiles[0.9]))[quiet])
        widths.append(np.log(pred.quantiles[0.9] / pred.quantiles[0.1])[quiet])
    assert np.mean(widths) < 0.34
    assert 0.72 <= np.mean(inside) <= 0.88


def test_days_of_an_event_the_model_never_saw_take_the_spread_of_the_refits_misses():
    """History from 2021-10-12 (just after National Day) to 2022-09-15: no 618 before the
    refit from 126 days back, so it forecast 618 2022 at the baseline (45 missed days), and the
    forecast has no National Day profile (note). Its National Day days are calibrated on those
    misses, wider than the quiet days' band; the quiet days are not widened by them."""
    ds = pd.date_range("2021-10-12", "2022-12-31")
    cut = int(np.flatnonzero(ds == pd.Timestamp("2022-09-15"))[0]) + 1
    off = event_offsets(ds, default_calendar())
    lift = np.zeros(len(ds))
    for name, size in (("national_day", 1.0), ("618", 1.2), ("double11", 1.5)):
        lift += np.where((off[name] >= -10) & (off[name] <= 0), size * (1 + off[name] / 11), 0.0)
    rng = np.random.default_rng(0)
    y = np.exp(6 + np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[ds.day_of_week] + lift
               + rng.normal(0, 0.1, len(ds)))
    model = make_model("event_profile").fit(y[:cut], ds[:cut])
    assert sum(missed.sum() for *_, missed in model.refit_errors_) >= 28
    pred = model.predict(100)
    assert any("no history of event 'national_day'" in n for n in pred.notes)
    width = np.log(pred.quantiles[0.9] / pred.quantiles[0.1])
    unseen = ~np.isnan(off["national_day"][cut:cut + 100])
    quiet = np.logical_and.reduce([np.isnan(v[cut:cut + 100]) for v in off.values()])
    assert width[unseen].mean() > 2 * width[quiet].mean()
    assert width[quiet].mean() < 0.3  # the day noise's band is 0.26


def test_day_noise_is_not_stretched_five_months_ahead_of_a_short_history():
    """276 days of a steady series (weekly pattern, day noise sd 0.1): the two refits reach 84
    days, and the band 91-180 days ahead keeps their day noise and grows only the rest. Stretched
    whole as a random walk, it had covered 99% of those quiet days (band 0.57 in log; now 83%,
    0.32; the noise alone 0.26)."""
    ds = pd.date_range("2021-01-01", "2022-04-30")
    cut = int(np.flatnonzero(ds == pd.Timestamp("2021-10-03"))[0]) + 1
    quiet = np.logical_and.reduce([np.isnan(v[cut:cut + 180]) for v in event_offsets(ds, default_calendar()).values()])
    quiet[:90] = False
    inside, widths = [], []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        y = np.exp(6 + np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[ds.day_of_week] + rng.normal(0, 0.1, len(ds)))
        pred = make_model("event_profile").fit(y[:cut], ds[:cut]).predict(180)
        inside.append(((y[cut:cut + 180] >= pred.quantiles[0.1]) & (y[cut:cut + 180] <= pred.quantiles[0.9]))[quiet])
        widths.append(np.log(pred.quantiles[0.9] / pred.quantiles[0.1])[quiet])
    assert 0.72 <= np.mean(inside) <= 0.88
    assert np.mean(widths) < 0.4


def _spring_festival_collapse(ds: pd.DatetimeIndex) -> np.ndarray:
    """Log uplift of a parcel-like collapse around Spring Festival (down to e^-1.5 on the day)."""
    off = event_offsets(ds, default_calendar())["lunar_new_year"]
    return np.nan_to_num(np.where(np.abs(off) <= 7, -1.5 * (1 - np.abs(off) / 8), 0.0))


def test_without_evidence_event_days_take_the_pooled_spread_slope_or_none():
    """276 days of history (the parcels' Spring Festival 2022 cut-off): no refit reaches an
    event day, so nothing says how much more event days err. The band of an event day is then
    ``1 + k |uplift|`` times a quiet day's with the pooled series' ``k``, or ``k = 0`` without
    one; an assumed ``k = 1`` had covered 98% of the collapse's days (now under 93%). Beyond
    the horizons the refits measured, the spread's growth (a level's random walk) is not
    widened by ``1 + k |uplift|``: the collapse's band is wider than a quiet day's, less than
    ``1 + k |uplift|`` times."""
    ds = pd.date_range("2021-01-01", "2022-04-30")
    cut = int(np.flatnonzero(ds == pd.Timestamp("2021-10-03"))[0]) + 1
    lift = _spring_festival_collapse(ds)
    event = lift[cut:cut + 180] < 0
    inside = []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        y = np.exp(6 + np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[ds.day_of_week] + lift
                   + rng.normal(0, 0.1, len(ds)))
        pred = make_model("event_profile").fit(y[:cut], ds[:cut]).predict(180)
        inside.append(((y[cut:cut + 180] >= pred.quantiles[0.1]) & (y[cut:cut + 180] <= pred.quantiles[0.9]))[event])
        if seed == 0:
            fits = {k: make_model("event_profile", prior=PooledPrior(spread_slope=k)).fit(y[:cut], ds[:cut])
                    for k in (None, 1.0)}
            assert all(m._spread_slope(len(m.y_)) is None for m in fits.values())
            own, pooled = (fits[k].predict(180) for k in (None, 1.0))
            width = {k: np.log1p(p.quantiles[0.9]) - np.log1p(p.quantiles[0.1]) for k, p in ((None, own), (1.0, pooled))}
            u = np.abs(np.log1p(own.mean) - np.log1p(own.baseline))
            ratio = width[1.0] / width[None]  # 1 + k |u| as measured; its growth beyond is not widened
            assert (ratio >= 0.98).all() and (ratio <= 1.02 * (1 + u)).all()
            assert u[event].max() > 1.0
            deep = u > 1.0  # the collapse, 110-140 days ahead: beyond the refits' 84 days
            assert (ratio[deep] > 1.3).all() and (ratio[deep] < 0.95 * (1 + u[deep])).all()
    assert np.mean(inside) < 0.93


def test_a_borrowed_spread_slope_is_the_pooled_series_event_error_in_log_points():
    """A SKU launched 90 days before the cut-off (no refit yet, day noise 0.2-0.4 in log)
    borrows the pooled series' 618 profile (peak +1.2 in log) and its ``k`` of 3 (the clip),
    measured against the pooled series' day noise of 0.05. Borrowed as it is, ``k`` made the
    SKU's band on the peak 1 + 3 x 1.2 = 4.6 times its quiet band, a P90 far above anything it
    had sold, which the guard then replaced (trial 7: SN108, P90 1,926 against at most 37
    sold). Now it takes the same event error in log points: ``k`` 3 x 0.05 / 0.3, 0.5, and
    the peak's band, 200 days ahead, is 1.3 times a quiet day's (2.9 with ``k`` borrowed as it
    is; 4.8 when the growth of the spread beyond 45 days was widened too)."""
    ds = pd.date_range("2026-01-01", "2026-11-29")
    rng = np.random.default_rng(5)
    y = np.r_[np.zeros(len(ds) - 90), rng.poisson(20 * rng.lognormal(0, 0.45, 90))].astype(float)
    peak = {offset: 1.2 * np.exp(-abs(offset) / 3) for offset in range(-10, 4)}
    fits = {noise: make_model("event_profile", prior=PooledPrior(uplift={"618": peak}, spread_slope=3.0,
                                                              spread_noise=noise)).fit(y, ds)
            for noise in (None, 0.05)}
    assert all(not m.refits_ and m._spread_slope(len(m.y_)) is None for m in fits.values())
    own = fits[0.05]._day_sd(len(y))
    assert 0.2 < own < 0.4
    assert fits[0.05]._borrowed_slope(len(y)) == pytest.approx(3.0 * 0.05 / own)
    assert fits[None]._borrowed_slope(len(y)) == 3.0
    horizon = 210
    june18 = int(np.flatnonzero(pd.date_range(ds[-1], periods=horizon + 1)[1:] == pd.Timestamp("2027-06-18"))[0])
    width = {}
    for noise, model in fits.items():
        pred = model.predict(horizon)
        log90 = np.log1p(pred.quantiles[0.9]) - np.log1p(pred.quantiles[0.5])
        width[noise] = log90[june18] / log90[june18 - 20]  # the peak's band over a quiet day's
    assert width[None] > 2.5
    assert width[0.05] < 1.6


def test_parcel_bands_cover_80_percent_on_every_window_level(shared, repo):
    """Issue 13's bar on real parcels (../shared; skipped without it): P10-P90 covers 80 +- 8
    points of each 2022 window (Spring Festival, 618, Double 11) on the total and on the 20
    largest origins, 90 days ahead. The total's 618 2022 was out at 90.6% (29 of 32 days) while
    its band 91-120 days ahead took the level spread of the two refits that measured it alone
    (level errors -0.02 and -0.22); with that spread shrunk toward the other bands' by its two
    refits (``conformal.shrunk_variance``) it is 87.5%, at the bar's edge (docs/benchmarks.md:
    a perfectly calibrated band of that make-up lands a 30-day window within the bar in 12% of
    windows, `benchmarks/forecast_coverage.py --refits 2022-02-19`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("forecast_accuracy", repo / "benchmarks" / "forecast_accuracy.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    for label, frame, keys in (("total", bench.load_total(), []), ("origins", bench.load_origins(), ["origin"])):
        fc = backtest_windows(frame, windows=bench.WINDOWS, model="auto", lead=90, keys=keys).forecasts
        for window, part in fc.groupby("window"):
            cover = metrics.coverage(part.y, part.yhat_q10, part.yhat_q90)
            assert abs(cover - 0.8) <= 0.08, (label, window, cover)


def test_effective_count_counts_errors_that_share_a_group_as_fewer():
    from workbench.forecast.conformal import effective_count

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(6), 10)
    assert effective_count(np.repeat(rng.normal(size=6), 10), groups) == pytest.approx(6)  # one error a group
    assert effective_count(rng.normal(size=60), np.arange(60)) == 60  # every error its own group
    assert 40 < effective_count(rng.normal(size=60), groups) <= 60  # independent within groups: about all
    shared = np.repeat(rng.normal(size=6), 10) + rng.normal(0, 0.3, 60)
    assert 6 < effective_count(shared, groups) < 15
    # a band of few effective errors is wider (the finite-sample correction of conformal prediction)
    errors = np.r_[shared, -shared]
    wide = conformal_offsets(np.ones(120), errors, 1, (0.1, 0.9), groups=np.r_[groups, groups + 6])
    narrow = conformal_offsets(np.ones(120), errors, 1, (0.1, 0.9))
    assert wide[0.9][0] > narrow[0.9][0]


def test_widened_offsets_add_the_spread_in_quadrature_and_keep_the_median():
    """``widened_offsets``: the median's offset is kept whatever the spread, spread 0 keeps an
    offset, and d = 0.3 with z_q x spread = 0.4 becomes 0.5 on the offset's own side; an array
    spread widens each day by its own."""
    q = 0.9
    spread = 0.4 / norm.ppf(q)  # z_q x spread = 0.4
    offsets = {0.1: np.array([-0.3, -0.3]), 0.5: np.array([0.05, 0.05]), q: np.array([0.3, 0.3])}
    out = widened_offsets(offsets, spread)
    np.testing.assert_allclose(out[0.5], [0.05, 0.05])
    np.testing.assert_allclose(out[q], [0.5, 0.5])
    np.testing.assert_allclose(out[0.1], [-0.5, -0.5])
    np.testing.assert_allclose(widened_offsets(offsets, 0.0)[q], offsets[q])
    per_day = widened_offsets(offsets, np.array([0.0, spread]))
    np.testing.assert_allclose(per_day[q], [0.3, 0.5])
    np.testing.assert_allclose(per_day[0.1], [-0.3, -0.5])


def test_day_parts_keep_a_one_off_days_jump_whole():
    """``day_parts(..., one_off=)``: a flagged day keeps its jump whole, the other days' level is
    the mean of the window without it, and a window of flagged days only falls back to all days."""
    errors = np.array([0.1, 0.1, 0.1, 1.1, 0.1, 0.1, 0.1])
    flagged = np.zeros(7, bool)
    flagged[3] = True
    plain = day_parts(errors, 7)
    np.testing.assert_allclose(plain[3], 1.1 - np.mean(errors[:7]))  # without: the jump shares its week
    parts = day_parts(errors, 7, flagged)
    np.testing.assert_allclose(parts[3], 1.0)  # its jump whole over the others' level 0.1
    np.testing.assert_allclose(np.delete(parts, 3), 0.0, atol=1e-12)  # the others' level leaves it out
    np.testing.assert_allclose(day_parts(errors, 7, np.zeros(7, bool)), plain)
    np.testing.assert_allclose(day_parts(errors, 3, np.ones(7, bool)), day_parts(errors, 3))  # all flagged
    lone = np.zeros(7, bool)
    lone[3] = True
    short = day_parts(np.array([0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0]), 1, lone)  # its window is itself alone
    np.testing.assert_allclose(short, 0.0)



def test_median_variance_reads_a_medians_noise_and_span_change_its_change_on_the_series_itself():
    """A median's noise from the medians of a span's alternate values (the same days): for Poisson(20)
    its known large-sample variance, pi/2 x 20 / 21 on the counts (about 1.5 on 21 days), and for
    flat 3-5 a day counts the steps of a whole unit a MAD does not see (its MAD is 0 on spans of one
    value). The span-to-span change holds that noise on a flat series and a season's change besides."""
    from workbench.forecast.conformal import MIN_MEDIAN_CHANGES, median_variance, span_change

    rng = np.random.default_rng(0)
    counts = rng.poisson(20, 4000).astype(float)
    assert median_variance(counts, 21) == pytest.approx(np.pi / 2 * 20 / 21, rel=0.2)
    flat = np.log1p(rng.integers(3, 6, 540).astype(float))
    noise = median_variance(flat, 28) + median_variance(flat, 21)
    assert 0 < noise and span_change(flat, 28, 21) == pytest.approx(noise, rel=0.5)
    season = np.log1p(rng.poisson(10 * np.exp(0.8 * np.sin(2 * np.pi * np.arange(540) / 365))).astype(float))
    assert span_change(season, 28, 21) > 2 * (median_variance(season, 28) + median_variance(season, 21))
    short = 2 * 21 * MIN_MEDIAN_CHANGES - 1  # too few spans from positions a span apart: no variance
    assert median_variance(flat[:short], 21) is None and span_change(flat[:(28 + 21) * 7], 28, 21) is None
