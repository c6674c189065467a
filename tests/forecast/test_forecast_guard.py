"""The per-series guard (workbench.forecast.guard) and its fallback in the core."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast
from workbench.forecast.guard import check_prediction, seasonal_falls
from workbench.forecast.models.base import Prediction

DAYS = pd.date_range("2025-01-01", periods=400)


def _pred(mean, baseline=None, spread=0.2):
    mean = np.asarray(mean, float)
    ds = pd.date_range(DAYS[-1] + pd.Timedelta(days=1), periods=len(mean))
    return Prediction(ds, mean, {0.1: mean * (1 - spread), 0.5: mean, 0.9: mean * (1 + spread)}, [],
                      None if baseline is None else np.asarray(baseline, float))


def test_a_sane_forecast_passes_and_an_event_may_exceed_the_history():
    y = np.full(400, 100.0)
    assert check_prediction(y, _pred(np.full(90, 104.0))) is None
    # an event day at 5x the baseline: explained by the event profile, not a blow-up
    mean, base = np.full(90, 100.0), np.full(90, 100.0)
    mean[40:43] = 500.0
    assert check_prediction(y, _pred(mean, base)) is None


@pytest.mark.parametrize("mean, baseline, words", [
    (np.full(90, 1e9), None, "baseline forecast reaches"),           # year-on-year growth from ~0
    (np.full(90, 1e9), np.full(90, 100.0), "more than 10x the largest value ever seen"),
    (np.full(90, 2.0), None, "under 1/3 of the last 28 periods' mean"),  # collapse
])
def test_blow_ups_and_collapses_are_refused_with_the_figures(mean, baseline, words):
    reason = check_prediction(np.full(400, 100.0), _pred(mean, baseline))
    assert reason is not None and words in reason


@pytest.mark.parametrize("freq, y", [
    ("MS", [1300.0] * 30 + [1224.0, 0.0]),   # sold 1,224 in September, nothing in October
    ("W", [300.0] * 100 + [0.0, 0.0]),
    ("D", [40.0] * 380 + [0.0] * 20),
])
def test_a_series_that_has_gone_quiet_may_be_forecast_low(freq, y):
    y = np.asarray(y)
    assert check_prediction(y, _pred(np.full(6, 0.05)), freq) is None
    assert "under 1/3" in check_prediction(np.append(y, 5.0), _pred(np.full(6, 0.05)), freq)  # sold again


def test_a_stopped_monthly_sku_keeps_its_models_zero_in_the_core():
    # two zero months: stopped (one is a stock-out or a stop not yet confirmed, ets.unconfirmed_stop)
    months = pd.date_range("2023-01-01", "2026-11-01", freq="MS")
    y = np.r_[np.full(len(months) - 3, 1300.0), 1224.0, 0.0, 0.0]
    fc = forecast(pd.DataFrame({"sku": "SKU032", "ds": months, "y": y}), horizon=4, model="ets",
                  freq="MS", keys=["sku"], n_jobs=1)
    assert fc.attrs["replaced"] == [] and fc.yhat.max() < 200  # not 612 or 1,809 a month


def test_a_band_that_reaches_billions_is_refused():
    pred = _pred(np.full(90, 100.0))
    pred.quantiles[0.9] = np.full(90, 1e12)
    assert "P90 reaches" in check_prediction(np.full(400, 100.0), pred)


def test_a_window_total_many_times_anything_seen_is_refused():
    y = np.full(400, 100.0)
    y[-30] = 1000.0  # one spike: the largest 28-day total seen is 3,700
    mean = np.full(90, 100.0)
    mean[30:60] = 2900.0  # every day under 3x the spike, but a month of it
    assert "28-period baseline total" in check_prediction(y, _pred(mean))


def test_the_core_replaces_a_refused_forecast_and_names_the_series():
    """Seasonal naive repeats last year's 10/day for a series that moved to 1,000/day two months
    ago: the guard refuses the collapse and the recent level replaces it, with a note."""
    rng = np.random.default_rng(3)
    y = np.where(np.arange(len(DAYS)) < 340, 10.0, 1000.0) * rng.lognormal(0, 0.05, len(DAYS))
    steady = 50.0 * rng.lognormal(0, 0.05, len(DAYS))
    frame = pd.DataFrame({"sku": np.repeat(["moved", "steady"], len(DAYS)), "ds": np.tile(DAYS, 2),
                          "y": np.concatenate([y, steady])})
    with pytest.warns(UserWarning, match=r"sku=moved: .*seasonal_naive forecast replaced by recent_level"):
        fc = forecast(frame, horizon=30, model="seasonal_naive", keys=["sku"], n_jobs=1)
    moved = fc[fc.sku == "moved"]
    assert moved.yhat.mean() == pytest.approx(1000, rel=0.1)
    assert fc[fc.sku == "steady"].yhat.mean() == pytest.approx(50, rel=0.1)  # untouched
    assert sum("replaced by recent_level" in n for n in fc.attrs["notes"]) == 1


def test_a_slow_mover_under_forecast_in_log_space_gets_its_recent_mean(categories):
    """Intermittent demand (a unit every few days): the fallback keeps the mean, never negative,
    even on days the pooled uplift is negative (the Spring Festival pause)."""
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-06-01", "2026-01-10")
    slow = pd.DataFrame({"sku": "slow", "ds": days, "y": rng.poisson(0.8, len(days)).astype(float)})
    busy = pd.DataFrame({"sku": "busy", "ds": days, "y": 200 * rng.lognormal(0, 0.1, len(days))})
    fc = forecast(pd.concat([slow, busy], ignore_index=True), horizon=60, keys=["sku"], n_jobs=1)
    part = fc[fc.sku == "slow"]
    assert len(part) == 60 and (part.yhat >= 0).all() and (part.yhat_q10 >= 0).all()
    assert part.yhat.mean() == pytest.approx(0.8, rel=0.5)


def test_notes_show_readable_numbers_never_scientific_notation():
    """The trial saw "its P90 reaches 5.342e+47 per period" and "(2.793e+04)" in notes."""
    pred = _pred(np.full(90, 27_930.0))
    pred.quantiles[0.9] = np.full(90, 5.342e47)
    reason = check_prediction(np.full(400, 27_930.0), pred)
    assert reason == ("its P90 reaches 5.3 x 10^47 per period, more than 10x the largest value ever seen "
                      "(27,930)"), reason
    collapse = check_prediction(np.full(400, 0.1071), _pred(np.full(90, 0.01)))
    assert ("averages 0.01 per period over its first 28 periods, under 1/3 of the last 28 periods' mean (0.107)"
            in collapse)
    notes = forecast(pd.DataFrame({"ds": DAYS, "y": 27_930.0 + np.arange(400) % 7}), horizon=7,
                     model="recent_level").attrs["notes"]
    assert any("(27,933)" in n for n in notes) and not any("e+" in n for n in notes), notes


def test_a_series_that_first_sold_in_its_last_period_gets_a_forecast():
    """Review: a weekly series whose only sale is in its last week got no forecast at all: ets
    cannot fit it and the guard refused recent_level's 4 x 50 against the 50 of the only
    4-week total seen. A series younger than the window is judged on its rate."""
    ds = pd.date_range("2026-01-05", periods=20, freq="W-MON")
    frame = pd.DataFrame({"sku": "new", "ds": ds, "y": [0.0] * 19 + [50.0]})
    fc = forecast(frame, horizon=4, keys=["sku"], freq="W", n_jobs=1)
    assert fc.attrs["failures"] == [] and len(fc) == 4 and fc.yhat.mean() == pytest.approx(50.0, rel=0.5)


def _seasons(years: int, last: str = "2026-11-30") -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Daily days to ``last`` of a crab line sold 70 a day from September 10 to November 30 only,
    over its last ``years`` seasons (zero outside them)."""
    days = pd.date_range(pd.Timestamp(last) - pd.DateOffset(years=2), last)
    doy = days.dayofyear
    season = (doy >= pd.Timestamp("2026-09-10").dayofyear) & (doy <= pd.Timestamp("2026-11-30").dayofyear)
    y = np.where(season & (days.year > days[-1].year - years), 70.0, 0.0)
    return days, y


def test_a_season_that_ends_at_the_cut_off_may_be_forecast_at_zero():
    """Trial 10 F3: crabs sell September 10 to November 30 and nothing else; from the cut-off
    November 30 a forecast near zero is their season ending, as it did a year before (the guard
    replaced it by 70 a day, and the seasonal naive's exact zero too). A line whose first season
    this is has no such evidence: the same forecast is a collapse."""
    _, y = _seasons(2)
    low = _pred(np.full(61, 0.4))
    assert check_prediction(y, low) is None
    _, first = _seasons(1)
    reason = check_prediction(first, low)
    assert reason is not None and "under 1/3" in reason


def test_a_fall_made_inside_the_last_window_is_the_series_own():
    """Trial 13 F19: a winter duvet fell from about 100 a day to 10 over its last 28 days; its
    forecast at 10 a day was refused against their mean (77.5) and replaced by a level read at
    its peak weeks. The collapse is judged from the lower of the window's mean and its last
    quarter's: 10 a day passes, and 2 a day, under a third of the last week's 10, is still refused."""
    y = np.r_[np.full(379, 100.0), np.full(7, 10.0)]
    assert check_prediction(y, _pred(np.full(90, 10.0))) is None
    assert "under 1/3 of the last 7 periods' mean (10)" in check_prediction(y, _pred(np.full(90, 2.0)))
    # weeks: one low last week lowers no bar (its quarter is one period; review 12.1 F3)
    weeks = pd.date_range("2024-12-02", periods=104, freq="W-MON")
    y_w = np.r_[np.random.default_rng(0).poisson(1000.0, 103).astype(float), 300.0]
    flat = Prediction(pd.date_range(weeks[-1] + pd.Timedelta(weeks=1), periods=12, freq="W-MON"), np.full(12, 150.0),
                      {0.1: np.full(12, 120.0), 0.5: np.full(12, 150.0), 0.9: np.full(12, 180.0)}, [])
    assert "under 1/3 of the last 4 periods' mean" in check_prediction(y_w, flat, "W")


def test_a_forecast_is_judged_block_by_block_whatever_the_horizon():
    """Trial 10 F13: a launch's forecast decaying along the panel's launch curve passed the guard
    with 61 days asked and was refused with 201 (the 201 days' mean under a third of the last
    28's), so the same days' forecast differed by x3.4. A decay the launch curve explains is
    allowed at every horizon; a collapse it does not explain is refused wherever it falls in
    the horizon (review 8.1 #1: 100 a day for 28 days, then nothing)."""
    y = np.r_[np.zeros(340), np.full(60, 12.0)]
    growth = np.log(0.05) * np.arange(201) / 200
    decay = _pred(12.0 * np.exp(growth))
    decay.launch_growth = growth
    short = _pred(12.0 * np.exp(growth[:61]))
    short.launch_growth = growth[:61]
    assert check_prediction(y, short) is None and check_prediction(y, decay) is None
    unexplained = _pred(12.0 * np.exp(growth))
    assert "over its periods" in check_prediction(y, unexplained)
    late = np.r_[np.full(28, 100.0), np.zeros(62)]
    assert "over its periods 29-56" in check_prediction(np.full(400, 100.0), _pred(late))


def test_one_stock_out_a_year_before_is_no_season():
    """Review 8.1 #2: a 28-day stock-out a year before the forecast's first days let any collapse
    pass as 'the season'. A season stays low over the block and the window after it; a month's
    stock-out recovers, so the collapse is refused."""
    y = np.full(800, 50.0)
    y[800 - 364:800 - 364 + 28] = 0.0
    reason = check_prediction(y, _pred(np.zeros(60)))
    assert reason is not None and "under 1/3" in reason


@pytest.mark.parametrize("freq, periods", [("D", 364), ("W", 52), ("MS", 12), ("QS", 4)])
def test_seasonal_falls_are_finite_and_read_the_blocks_place_in_the_year(freq, periods):
    """Review 9.3 #1: blocks at or past a year less a window ahead (months 10-12 and later,
    every quarter block after the first) read an empty slice a year back, and its NaN fall let
    a seasonal forecast be called a collapse. Every block of a two-year horizon gets one finite
    fall per earlier year, the same as the block a year nearer (the same periods of the year)."""
    window = {"D": 28, "W": 4, "MS": 3, "QS": 2}[freq]
    place = np.arange(3 * periods) % periods
    y = np.where(place < periods // 2, 100.0, 10.0)[: 3 * periods - 1]  # a high half-year, cut inside the low
    for start in range(0, 2 * periods, window):
        falls = seasonal_falls(y, freq, window, start)
        assert len(falls) == 2 and np.isfinite(falls).all(), (start, falls)
        assert falls == seasonal_falls(y, freq, window, start % periods)


@pytest.mark.parametrize("freq, horizon, seasonal", [
    ("QS", 6, lambda ds: np.where(ds.month == 10, 1000.0, 120.0)),                     # a heater: Q4 only
    ("MS", 18, lambda ds: np.where(np.isin(ds.month, (11, 12, 1)), 900.0, 150.0)),     # a winter line
    ("MS", 18, lambda ds: np.where(np.isin(ds.month, (9, 10, 11)), 800.0, 0.0)),       # crabs, cut at season's end
])
def test_a_seasonal_forecast_longer_than_a_year_is_not_replaced(freq, horizon, seasonal):
    """Review 9.3 #1 (a regression of 3b07c5a): a quarterly heater forecast six quarters ahead,
    and monthly lines 18 months ahead, were replaced by a flat recent level ("periods 5-6",
    "periods 13-15"): the guard read their later blocks' seasonal falls as NaN. They keep their
    own seasonal forecast, whose peak quarter/months stand out again a year on."""
    rng = np.random.default_rng(2)
    ds = pd.date_range("2019-01-01" if freq == "QS" else "2021-12-01", "2026-11-01", freq=freq)
    frame = pd.DataFrame({"sku": "line", "ds": ds, "y": rng.poisson(seasonal(ds)).astype(float)})
    out = forecast(frame, horizon=horizon, model="auto", keys=["sku"], freq=freq, n_jobs=1)
    assert not any("replaced by" in note for note in out.attrs["notes"]), out.attrs["notes"]
    ahead = pd.DatetimeIndex(out.ds)
    high = seasonal(ahead) == seasonal(ahead).max()
    assert out.yhat.to_numpy()[high].min() > 2 * out.yhat.to_numpy()[~high].max(), out.yhat.round().tolist()


def test_a_winter_seller_at_its_peak_may_fall_to_its_trough_whatever_the_horizon():
    """Trial 13 F6: a winter seller (electric blankets, 4 a day in summer, x50-x90 around December
    20) with one whole season in its history, cut at its peak on November 30. Its trough a year
    before (September) is followed by the next season's rise (October), so the fall measured over
    the block and the window after it read that rise (x0.23) and the right September forecast
    (4.5 a day against 353) was refused for the flat peak level, in a run through Double 11 2027
    only (618 x88). A trough is low over the block and the window before it, whatever follows; a
    month's stock-out a year before still recovers before and after, and a tenth of the season is
    still a collapse."""
    weekdays = np.array([0.92, 0.95, 0.97, 1.0, 1.03, 1.10, 1.08])

    def winter(days, low, peak):
        phase = 2 * np.pi * (days.day_of_year.to_numpy() - 354) / 365.25
        return low * peak ** np.clip(np.cos(phase), 0, None) * weekdays[days.day_of_week]

    days, ahead = pd.date_range("2025-07-01", "2026-11-30"), pd.date_range("2026-12-01", periods=346)
    for seed in range(10):
        rng = np.random.default_rng(seed)
        low, peak = rng.uniform(2, 8), rng.uniform(40, 90)
        y = rng.poisson(winter(days, low, peak)).astype(float)
        season = winter(ahead, low, peak)
        assert check_prediction(y, _pred(season, season)) is None, seed
        assert "under 1/3" in check_prediction(y, _pred(season / 10, season / 10)), seed
    y = np.full(800, 50.0)
    y[800 - 364 + 28:800 - 364 + 56] = 0.0  # a month's stock-out over the second block's days a year before
    late = np.r_[np.full(28, 50.0), np.zeros(32)]
    assert "over its periods 29-56" in check_prediction(y, _pred(late))


def test_a_refused_winter_seller_falls_back_on_its_own_year_not_its_peak_held_flat():
    """Trial 13 F6: a winter blanket's forecast refused at its November peak (DR02: its December
    too low) was replaced by its recent level held flat, its peak, through the next summer (618
    x112). The fallback of a daily series that sold a year ago follows its own path of a year
    before, at its level's change since: a seeded winter seller that grew x4 this autumn, whose
    seasonal naive (last year's level) is refused, is forecast near its December and its June."""
    weekdays = np.array([0.92, 0.95, 0.97, 1.0, 1.03, 1.10, 1.08])

    def winter(days, low, peak):
        phase = 2 * np.pi * (days.day_of_year.to_numpy() - 354) / 365.25
        return low * peak ** np.clip(np.cos(phase), 0, None) * weekdays[days.day_of_week]

    days, ahead = pd.date_range("2025-07-01", "2026-11-30"), pd.date_range("2026-12-01", periods=200)
    rng = np.random.default_rng(1)
    y = rng.poisson(winter(days, 5, 60) * np.where(days >= "2026-10-06", 4.0, 1.0)).astype(float)
    frame = pd.DataFrame({"sku": "blanket", "ds": days, "y": y})
    with pytest.warns(UserWarning, match="seasonal_naive forecast replaced by recent_level"):
        fc = forecast(frame, horizon=200, model="seasonal_naive", keys=["sku"], n_jobs=1)
    assert any("following its own path of a year before" in n for n in fc.attrs["notes"])
    truth = pd.Series(4 * winter(ahead, 5, 60), ahead)
    for month in ("2026-12", "2027-06"):
        assert fc.set_index("ds").yhat[month].sum() / truth[month].sum() == pytest.approx(1, abs=0.35), month


def test_own_path_reads_the_part_of_the_year_back_level_days_a_short_history_holds():
    """Trial 13 F11: a history from July 2025 cut on 2026-08-24 holds 419 days, one short of a year
    and the level's 56 days a year back; the part it holds (55 days, half at least) reads the
    change since, so the fallback's November is last November's, not the August trough held."""
    from workbench.forecast.models.recent_level import own_path

    days = pd.date_range("2025-07-01", "2026-08-24")
    phase = 2 * np.pi * (np.r_[days.day_of_year, pd.date_range("2026-08-25", periods=90).day_of_year] - 354) / 365.25
    season = 5 * 60 ** np.clip(np.cos(phase), 0, None)
    y = np.random.default_rng(2).poisson(season[:len(days)]).astype(float)
    path = own_path(y, 56, 90)
    assert path is not None and path[-14:].mean() / season[-14:].mean() == pytest.approx(1, abs=0.3)
    assert own_path(y[-390:], 56, 90) is None  # under a year and half a window


def test_own_path_reads_its_change_since_on_enough_units():
    """A winter knit (20 a day November-February, 0.1 a day else, the same both years) cut on
    2026-09-10: its change since a year before was read on its last 56 off-season days, a few units
    a side, and scaled its next winter x0..x2.08 over 20 seeds (0 where it sold nothing lately). Read
    over the shortest span holding 100 units (its year here), its winter is within 10% on every seed
    the path is made."""
    from workbench.forecast.models.recent_level import own_path

    end = pd.Timestamp("2026-09-10")
    days = pd.date_range(end - pd.Timedelta(days=729), end)
    winter = np.isin(days.month, [11, 12, 1, 2])
    made = 0
    for seed in range(20):
        y = np.random.default_rng(seed).poisson(np.where(winter, 20.0, 0.1)).astype(float)
        path = own_path(y, 56, 150)
        if path is not None:
            made += 1
            assert path[-60:].sum() / (20 * 60) == pytest.approx(1, abs=0.1), seed
    assert made >= 15


def test_a_young_path_falls_from_where_it_stands_at_the_cut_off():
    """Trial 13 F13: a winter duvet launched 53 days before the cut-off reads its level on those
    days (55 a day at the pool's mean over them) and follows its category's path from there: x3.7
    above them at the cut-off, x0.47 below them in February. The collapse test had allowed only
    the path's fall below its level's days, so it read February's 55 a day against the last 28
    days' 230 as a collapse and held the duvet at its Double 11 level into June; the fall from
    where the path stands at the cut-off is the category's season."""
    y = np.r_[np.zeros(347), np.full(25, 60.0), np.full(28, 230.0)]
    change = np.r_[np.linspace(1.3, -0.75, 60), np.full(52, -0.75)]
    base = 55.0 * np.exp(change)
    pred = _pred(base, base)
    pred.path_change = change
    assert check_prediction(y, pred) is None
    # a level far under its last days' with no path to lift it is still a collapse
    assert "under 1/3" in check_prediction(y, _pred(np.full(112, 55.0), np.full(112, 55.0)))
