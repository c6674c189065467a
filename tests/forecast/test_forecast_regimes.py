"""Young and changing series: a seeded synthetic panel of launches, stops and level shifts
(workbench.forecast.models.regime and the current-regime rule of event_profile)."""

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import peaks_and_weekdays
from workbench.calendar import default_calendar
from workbench.forecast import metrics
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets
from workbench.forecast.features import in_event_span
from workbench.forecast.models.regime import detect_regime, series_start

DAYS = pd.date_range("2023-01-01", "2025-12-31")
CUTOFF = pd.Timestamp("2025-08-10")
HORIZON = 100  # to 2025-11-18: the Double 11 window


def synthetic_panel(seed: int = 7, n: int = 48) -> tuple[pd.DataFrame, dict]:
    """``n`` daily series over ``DAYS``: mature, launched, stopped and level-shifted (a quarter
    each), with a weekly pattern, 618 and Double 11 peaks and log-normal noise (sd 0.15).
    Returns the long frame and ``{sku: kind}``."""
    rng = np.random.default_rng(seed)
    uplift, weekly = peaks_and_weekdays(DAYS, 1.2)
    t = np.arange(len(DAYS))
    cut = int((CUTOFF - DAYS[0]).days)
    rows, kinds = [], {}
    for i in range(n):
        kind = ("mature", "launched", "stopped", "shifted")[i % 4]
        level = np.log(rng.lognormal(4.5, 1.0)) + 0.10 * t / 365
        if kind == "launched":
            start = cut - int(rng.integers(90, 330))
            level = np.where(t >= start, level, -np.inf)
        elif kind == "stopped":
            stop = cut - int(rng.integers(40, 150))
            level = np.where(t < stop, level, -np.inf)
        elif kind == "shifted":
            when = cut - int(rng.integers(90, 250))
            level = level + np.where(t >= when, np.log(rng.choice([0.4, 2.5])), 0.0)
        y = np.exp(level + weekly + uplift + rng.normal(0, 0.15, len(DAYS)))
        sku = f"{kind}-{i:02d}"
        kinds[sku] = kind
        rows.append(pd.DataFrame({"sku": sku, "ds": DAYS, "y": np.round(y, 1)}))
    return pd.concat(rows, ignore_index=True), kinds


@pytest.fixture(scope="module")
def backtest():
    panel, kinds = synthetic_panel()
    fc = forecast(panel[panel.ds <= CUTOFF], horizon=HORIZON, keys=["sku"], n_jobs=1)
    joined = fc.merge(panel, on=["sku", "ds"])
    assert len(joined) == HORIZON * len(kinds)  # no series failed or went missing
    return joined, kinds, panel


def test_one_stop_rule_at_every_frequency_and_a_slow_movers_usual_gap_is_no_stop():
    """A daily slow mover that once went 70 days without a sale has not stopped after 40 empty
    days (a new user's SKU was forecast at zero), while a steady seller has; the same rule at
    every frequency, each with its fewest periods (28 days, 4 weeks, 2 months, 2 quarters)."""
    from workbench.forecast.models.regime import STOP_PERIODS, stopped_since

    rng = np.random.default_rng(3)
    slow = (rng.random(500) < 0.15).astype(float)
    slow[300:371] = 0  # a 71-day gap between sales
    slow[370] = 1.0
    slow[-40:] = 0
    assert stopped_since(slow, "D") is None and not detect_regime(slow, np.ones(500, bool)).stopped
    steady = np.r_[np.full(460, 20.0), np.zeros(40)]
    assert stopped_since(steady, "D") == 460 and detect_regime(steady, np.ones(500, bool)).stopped
    for freq, fewest in STOP_PERIODS.items():
        y = np.r_[np.full(30, 5.0), np.zeros(fewest)]
        assert stopped_since(y, freq) == 30 and stopped_since(y[:-1], freq) is None
        closed = np.r_[np.ones(30, bool), np.zeros(fewest, bool)]  # the run in a closure (review R2): no stop
        assert stopped_since(y, freq, closed) is None


def test_a_steady_seller_empty_for_a_week_has_stopped_and_a_slow_mover_has_not():
    """Trial 7: two lines that sold about 18 and 6 a day and nothing in the week before the
    cut-off were forecast at their level (one ranked #2 for 选品); a week without sales at that
    rate is no chance (a stop, or a stock-out: the note says both), while a slow mover's week
    without sales is, and so is a week inside an event span (the Spring Festival collapse)."""
    from workbench.forecast.models.regime import STOP_CHANCE, stopped_since, zero_run_chance

    rng = np.random.default_rng(5)
    quiet = np.ones(420, bool)
    for rate in (18.0, 6.0):
        y = np.r_[rng.poisson(rate, 400).astype(float), np.zeros(7)]
        assert stopped_since(y, "D", quiet[:407]) == 400 and zero_run_chance(y, 7)[0] < STOP_CHANCE
        assert stopped_since(y[:-1], "D", quiet[:406]) is None  # six days: under a week is never a stop
        festival = np.r_[np.ones(400, bool), np.zeros(7, bool)]
        assert stopped_since(y, "D", festival) is None
        assert stopped_since(y, "D") is None  # without its quiet days, only the long rule
    slow = np.r_[rng.poisson(0.5, 400).astype(float), np.zeros(7)]
    assert stopped_since(slow, "D", quiet[:407]) is None  # one chance in 40 at half a unit a day
    one_a_day = np.r_[rng.poisson(1.0, 399).astype(float), [1.0], np.zeros(7)]
    assert stopped_since(one_a_day, "D", quiet[:407]) is None
    assert stopped_since(np.r_[one_a_day, np.zeros(5)], "D", quiet[:412]) == 400


def test_a_closure_in_the_spring_festival_span_is_no_stop_for_any_model_or_the_guard():
    """Review: ets, the guard and the launch curve judged a stop without the calendar, so a
    seller closed for 8 days of the Spring Festival was forecast at zero by ets and the guard
    passed a collapse."""
    from workbench.forecast.guard import check_prediction
    from workbench.forecast.models import make_model
    from workbench.forecast.models.base import Prediction

    days = pd.date_range("2025-06-01", "2026-02-20")
    y = np.random.default_rng(2).poisson(18.0, len(days)).astype(float)
    y[-8:] = 0  # closed 2026-02-13..20, inside the Spring Festival span
    pred = make_model("ets").fit(y, days, freq="D").predict(14)
    assert pred.mean.mean() > 1 and not any("stopped" in n for n in pred.notes)  # was 0, "stopped"
    low = Prediction(pd.date_range("2026-02-21", periods=28), np.full(28, 0.5), {0.5: np.full(28, 0.5)}, [])
    quiet = ~in_event_span(event_offsets(days, default_calendar()))
    assert "under 1/3" in (check_prediction(y, low, "D", quiet) or "")


def test_a_line_stopped_a_week_before_the_cut_off_is_forecast_at_zero_with_its_reason():
    days = pd.date_range("2024-06-01", "2026-11-29")
    rng = np.random.default_rng(8)
    live = rng.poisson(18.0, len(days)).astype(float)
    stopped = live.copy()
    stopped[-7:] = 0
    panel = pd.concat([pd.DataFrame({"sku": s, "ds": days, "y": y}) for s, y in (("live", live), ("stopped", stopped))])
    fc = forecast(panel, horizon=60, keys=["sku"], n_jobs=1)
    assert fc[fc.sku == "stopped"].yhat.sum() == 0 and fc[fc.sku == "live"].yhat.mean() > 12
    notes = " ".join(str(n) for n in fc.attrs["notes"])
    assert "no sales in its last 7 days" in notes and "stock-out looks the same" in notes


def test_start_and_stop_and_shift_are_found():
    y = np.r_[np.zeros(100), [0, 3], np.zeros(9), np.full(200, 50.0)]  # a stray order, then the launch
    assert series_start(y) == 111
    quiet = np.ones(len(y), bool)
    assert detect_regime(np.r_[np.full(200, 50.0), np.zeros(40)], np.ones(240, bool)).stopped
    rng = np.random.default_rng(0)
    shifted = np.r_[np.full(200, 50.0), np.full(150, 150.0)] * rng.lognormal(0, 0.1, 350)
    regime = detect_regime(shifted, np.ones(350, bool))
    assert not regime.stopped and abs(regime.start - 200) <= 7
    steady = 50.0 * np.exp(0.3 * np.sin(np.arange(700) / 700 * 2 * np.pi)) * rng.lognormal(0, 0.1, 700)
    assert detect_regime(steady, np.ones(700, bool)).shifts == ()  # a season is not a shift
    assert detect_regime(y, quiet).start == 111


def test_a_pre_launch_trickle_is_not_the_start_of_a_daily_series():
    """Test volume (tens a day, every day, for five months) before a launch at thousands a day:
    the series starts at the launch; a Spring Festival collapse at the start of a series' data
    (4% of its level for three weeks) and a series launching at a tenth of its later level do not."""
    rng = np.random.default_rng(62)
    trickle = rng.poisson(30, 150).astype(float)
    y = np.r_[np.zeros(60), trickle, 60000 * rng.lognormal(0, 0.2, 200)]
    assert series_start(y) == 210
    assert detect_regime(y, np.ones(len(y), bool)).born == 210
    festival = np.r_[40 * rng.lognormal(0, 0.2, 21), 1000 * rng.lognormal(0, 0.2, 300)]
    assert series_start(festival) == 0
    slow_launch = np.r_[np.zeros(30), 100 * rng.lognormal(0, 0.2, 60), 1000 * rng.lognormal(0, 0.2, 300)]
    assert series_start(slow_launch) == 30


def test_steady_growth_is_not_a_level_shift():
    """Trial 5: a SKU growing about 30% a year, with no break, had a 'level shift' found where
    four weeks above its trend followed four below across the Double 11 span, and was forecast
    at 57% of its recent level. A shift is now a step net of the series' year-on-year growth
    that holds for a quarter of quiet weeks: on 60 seeded growers (5-25 a day, +5-35% a year,
    negative binomial noise, the default calendar's event days left out) one shift is found
    (five before, seed 12 among them), and a halving or a doubling on 2026-05-01 is still found
    on 19 and 19 of the first 20 (18 and 19 before)."""
    days = pd.date_range("2024-01-01", "2026-11-25")
    quiet = ~in_event_span(event_offsets(days, default_calendar()))
    years = np.arange(len(days)) / 365
    weekdays = np.array([0.85, 0.9, 0.95, 1.0, 1.1, 1.2, 1.15])[days.day_of_week]
    moved = np.where(days >= "2026-05-01", 1.0, 0.0)
    found, halved, doubled = [], 0, 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        mu = rng.choice([25, 18, 12, 8, 5]) * (1 + rng.uniform(0.05, 0.35)) ** years * weekdays
        if detect_regime(rng.negative_binomial(8, 8 / (8 + mu)).astype(float), quiet).shifts:
            found.append(seed)
        if seed < 20:
            for factor in (0.5, 2.0):
                shifts = detect_regime(rng.negative_binomial(8, 8 / (8 + mu * factor ** moved)).astype(float),
                                       quiet).shifts
                hit = any(abs((days[s] - pd.Timestamp("2026-05-01")).days) <= 28 for s in shifts)
                halved, doubled = halved + (hit and factor < 1), doubled + (hit and factor > 1)
    assert len(found) <= 1 and 12 not in found, found
    assert halved >= 19 and doubled >= 19, (halved, doubled)


def test_a_strong_season_seen_twice_is_not_a_level_shift():
    """Trial 8: drinks selling four times more in summer than in winter (1 + 0.6 cos), two years
    of them, had each summer's rise or autumn's fall read as a level shift, so their regime was
    under a year old and their winter forecast followed the pooled panel's season (x2 the truth).
    A step must now also be a step of the year-on-year change (net of the season, seen again a
    year apart): on 40 seeded drinks (4-30 a day, +20% a year, negative binomial noise, the
    default calendar's event days left out) false shifts went from 39 to at most 2, and a
    doubling on 2026-05-11 is still found on 19 of 20 (20 before). (A halving during the
    season's steepest rise is not found, before or after: the four weeks either side differ by
    less than the season's rise.)"""
    days = pd.date_range("2024-11-20", "2026-11-29")
    quiet = ~in_event_span(event_offsets(days, default_calendar()))
    years = (days - days[0]).days.to_numpy() / 365.25
    weekdays = np.array([0.92, 0.95, 0.97, 1.0, 1.03, 1.10, 1.08])[days.day_of_week]
    season = 1 + 0.6 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 200) / 365.25)
    moved = np.where(days >= "2026-05-11", 1.0, 0.0)
    false, doubled = [], 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        mu = rng.choice([4, 8, 15, 30]) * 1.2 ** years * weekdays * season
        if detect_regime(rng.negative_binomial(4, 4 / (4 + mu)).astype(float), quiet).shifts:
            false.append(seed)
        if seed < 20:
            doubling = mu * 2.0 ** moved
            shifts = detect_regime(rng.negative_binomial(4, 4 / (4 + doubling)).astype(float), quiet).shifts
            doubled += any(abs((days[s] - pd.Timestamp("2026-05-11")).days) <= 28 for s in shifts)
    assert len(false) <= 2, false
    assert doubled >= 19, doubled


def test_no_series_blows_up_or_collapses(backtest):
    joined, kinds, panel = backtest
    for sku, part in joined.groupby("sku"):
        seen = panel[(panel.sku == sku) & (panel.ds <= CUTOFF)].y
        if kinds[sku] == "stopped":
            assert part.yhat.sum() == 0, sku
            continue
        # never many times anything seen (the Double 11 peak is in the panel's own past years)
        assert part.yhat.max() <= 3 * seen.max(), sku
        assert 0.5 < part.yhat.sum() / part.y.sum() < 2, sku


def test_bias_is_near_zero_and_coverage_near_80_percent(backtest):
    joined, kinds, _ = backtest
    live = joined[joined.sku.map(kinds) != "stopped"]
    assert abs(metrics.bias(live.y, live.yhat)) < 0.03  # -1.1% (it was -6% with a fixed growth decay)
    per_kind = {k: metrics.bias(p.y, p.yhat) for k, p in live.groupby(live.sku.map(kinds))}
    assert all(abs(b) < 0.05 for b in per_kind.values()), per_kind  # launched +0.4%, mature -3.5%, shifted -1.1%
    cover = metrics.coverage(live.y, live.yhat_q10, live.yhat_q90)
    assert 0.72 <= cover <= 0.88, cover
    per_kind_cover = {k: metrics.coverage(p.y, p.yhat_q10, p.yhat_q90) for k, p in live.groupby(live.sku.map(kinds))}
    # 80 +- 8 points for mature and shifted series; launched series (no refit origins yet: their
    # in-sample errors, widened) are covered more than 80% (about 93%), never less
    assert all(0.72 <= per_kind_cover[k] <= 0.88 for k in ("mature", "shifted")), per_kind_cover
    assert 0.72 <= per_kind_cover["launched"] <= 0.96, per_kind_cover


def test_a_flat_series_with_event_spikes_stays_flat_outside_them():
    """Issue 13: a flat 100-a-day series with 618 and Double 11 spikes was forecast at 108 a day
    in December."""
    from workbench.forecast.models import make_model

    ds = pd.date_range("2023-01-01", "2025-10-31")
    rng = np.random.default_rng(0)
    y = 100 * rng.lognormal(0, 0.05, len(ds))
    for year in (2023, 2024, 2025):
        for month, day in ((6, 1), (6, 18), (11, 1), (11, 11)):
            y[ds == pd.Timestamp(year, month, day)] *= 4
    pred = make_model("event_profile").fit(y, ds).predict(61)
    december = pred.ds.month == 12
    assert pred.mean[december].mean() == pytest.approx(100, rel=0.03)
    assert pred.mean[pred.ds == "2025-11-11"][0] > 300  # the event still peaks
    assert pred.quantiles[0.1][december].mean() < 100 < pred.quantiles[0.9][december].mean()


def test_slow_sellers_and_event_neighbours_are_not_level_shifts():
    """On the sample's 294 SKUs (no shift in the generator; many sell a few units a day) 56 got a
    'level shift' on dates common to many (one quiet day beside Labor Day or National Day made a
    week's mean, carried across the event by interpolation): none may."""
    from workbench.data.sample import generate_sales

    sales = generate_sales("2023-11-01", "2026-10-31", seed=1)
    days = pd.DatetimeIndex(sorted(sales.ds.unique()))
    offsets = event_offsets(days, default_calendar())
    quiet = ~np.logical_or.reduce([~np.isnan(o) for o in offsets.values()])
    shifted = [sku for sku, part in sales.groupby("sku") if detect_regime(part.units.to_numpy(float), quiet).shifts]
    assert shifted == []


def test_a_shift_inside_the_spring_festival_span_is_found():
    """A level that rises 2.5x during the New Year sale and Spring Festival (event weeks have no
    mean) starts the regime after the span, not at its old level."""
    rng = np.random.default_rng(4)
    offsets = event_offsets(DAYS, default_calendar())
    quiet = ~np.logical_or.reduce([~np.isnan(o) for o in offsets.values()])
    when = int((pd.Timestamp("2025-01-20") - DAYS[0]).days)  # inside the 2025 lunar span
    y = 80 * np.where(np.arange(len(DAYS)) >= when, 2.5, 1.0) * rng.lognormal(0, 0.15, len(DAYS))
    regime = detect_regime(y[: int((CUTOFF - DAYS[0]).days)], quiet[: int((CUTOFF - DAYS[0]).days)])
    span_end = np.flatnonzero(~quiet[:when + 60])[-1]  # the span's last day
    assert when - 42 <= regime.start <= span_end + 14, (DAYS[regime.start], DAYS[span_end])


def test_a_launched_series_follows_the_pooled_path_not_its_launch_slope(backtest):
    """A series launched within the year (zeros before) is young, although all its days since
    the launch have volume: its level follows the pooled path (its launch ramp is no growth)."""
    joined, kinds, panel = backtest
    from workbench.forecast.core import pooled_event_uplift
    from workbench.forecast.models import make_model

    prior = pooled_event_uplift(panel[panel.ds <= CUTOFF], "event_profile", {}, "D", default_calendar())
    sku = next(s for s, k in kinds.items() if k == "launched")
    part = panel[(panel.sku == sku) & (panel.ds <= CUTOFF)]
    pred = make_model("event_profile", prior=prior).fit(part.y.to_numpy(), pd.DatetimeIndex(part.ds)).predict(HORIZON)
    assert any("pooled series' seasonal path" in n for n in pred.notes), pred.notes
    assert not any("recent baseline slope" in n for n in pred.notes), pred.notes


def test_a_young_series_does_not_borrow_the_growth_of_launches():
    """The sum of all series grows when new series launch, a growth no single series has: the
    pooled prior is fitted on the established series (like for like). Ten flat series, eight
    launches spread over the last year (the sum doubles), and a young flat series: its forecast
    stays at its level (borrowing the sum's growth put it 9% high)."""
    from workbench.forecast.core import established_series

    rng = np.random.default_rng(11)
    t = np.arange(len(DAYS))
    cut = int((CUTOFF - DAYS[0]).days)
    rows = []
    for i in range(10):
        rows.append(("flat", i, 100.0))
    for i in range(8):
        rows.append(("launch", i, 125.0))
    frames = []
    for kind, i, level in rows:
        start = 0 if kind == "flat" else cut - 360 + 45 * i
        y = np.where(t >= start, level, 0.0) * rng.lognormal(0, 0.1, len(DAYS))
        frames.append(pd.DataFrame({"sku": f"{kind}-{i}", "ds": DAYS, "y": y}))
    young = cut - 200
    frames.append(pd.DataFrame({"sku": "young", "ds": DAYS,
                                "y": np.where(t >= young, 60.0, 0.0) * rng.lognormal(0, 0.1, len(DAYS))}))
    panel = pd.concat(frames, ignore_index=True)
    history = panel[panel.ds <= CUTOFF]
    assert set(established_series(history, ["sku"]).sku) == {f"flat-{i}" for i in range(10)}
    fc = forecast(history, horizon=HORIZON, keys=["sku"], n_jobs=1)
    part = fc[(fc.sku == "young") & (fc.ds < "2025-10-15")]  # before Double 11
    assert part.yhat.mean() == pytest.approx(60 * np.exp(0.1 ** 2 / 2), rel=0.06)


@pytest.mark.parametrize("seed", range(4))
def test_a_shift_fourteen_months_back_without_settled_year_pairs_holds_its_recent_level(seed):
    """Trial 5: a growing SKU's shift 14 months before a history ending right after Double 11
    leaves no settled day pairs a year apart; the growth taken from the baseline across the
    span compared the level with a year-old one and forecast December at 57% of the recent
    level. Without measured growth the regime's recent level holds (here within 15%). The step
    is x1.7: one of x1.5, the smallest a shift can be (``regime.MIN_SHIFT``), was found only
    with the growth between the two sides added to it, which the shift test now takes out."""
    from workbench.forecast.models.event_profile import EventProfile

    calendar = default_calendar()
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", "2026-11-25")
    offsets = event_offsets(days, calendar)
    in_event = np.zeros(len(days), bool)
    for off in offsets.values():
        in_event |= ~np.isnan(off)
    level = 10 * np.exp(0.3 * np.arange(len(days)) / 365) * np.where(days >= "2025-09-18", 1.7, 1.0)
    y = rng.poisson(level * np.where(in_event, 1.8, 1.0) * np.exp(rng.normal(0, 0.15, len(days)))).astype(float)
    model = EventProfile().fit(y, days, freq="D", calendar=calendar)
    assert model.regime_.start > 0  # the shift is found
    pred = model.predict(36)
    truth = 10 * 1.7 * np.exp(0.3 * np.arange(len(days), len(days) + 36) / 365)
    assert pred.mean[6:].mean() / truth[6:].mean() == pytest.approx(1.0, abs=0.15)
    assert any("no year-on-year growth measured in the current regime" in n for n in pred.notes)


def test_a_launch_with_few_days_outside_event_spans_gets_its_recent_level_and_a_plain_note():
    """Trial 5: a SKU launched 2026-09-26, its 60 days mostly inside the Double 11 span, was
    'replaced by recent_level: it failed (ModelError: ... cannot find a baseline)'."""
    import warnings

    from workbench.forecast.core import ForecastNoteWarning

    days = pd.date_range("2026-09-26", "2026-11-25")
    y = np.random.default_rng(3).poisson(10.0, len(days)).astype(float)
    frame = pd.DataFrame({"sku": "new", "ds": days, "y": y})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ForecastNoteWarning)
        fc = forecast(frame, horizon=30, keys=["sku"], n_jobs=1)
    said = " ".join(str(w.message) for w in caught)
    assert "days outside event spans since the series started on 2026-09-26 (a baseline needs 14)" in said
    assert "ModelError" not in said and "replaced" not in said
    assert fc.yhat.mean() == pytest.approx(10.0, rel=0.3)


def test_the_chance_rule_stops_a_weekly_or_monthly_line_and_keeps_a_slow_or_lumpy_one():
    """Weekly and monthly data kept one empty period as a gap (closing note 5): a line selling 50
    a week, then three empty weeks (or one: trial 7's daily stop is one empty week), and one
    selling 300 a month, then an empty month, have stopped by the daily rule's chance (negative
    binomial zero chance at their rate per period); a slow seller's, a lumpy seller's and a
    Spring Festival week's zeros have not."""
    from workbench.forecast.features import quiet_periods
    from workbench.forecast.models.regime import STOP_CHANCE, stopped_since, zero_run_chance

    rng, calendar = np.random.default_rng(11), default_calendar()
    weeks = pd.date_range("2024-06-03", periods=104, freq="W-MON")  # to 2026-05-25: clear of the festival
    quiet_w = quiet_periods(weeks, "W", calendar)
    for empty in (3, 1):
        y = np.r_[rng.poisson(50.0, 104 - empty).astype(float), np.zeros(empty)]
        assert stopped_since(y, "W", quiet_w) == 104 - empty
        assert zero_run_chance(y, empty, quiet_w, "W")[0] < STOP_CHANCE
        assert stopped_since(y, "W") is None  # without its quiet periods only the long rule (4 weeks)
    slow = np.r_[rng.poisson(1.0, 101).astype(float), [1.0], np.zeros(2)]
    assert stopped_since(slow, "W", quiet_w) is None  # e^-1 per week: two empty weeks are chance
    lumpy = np.r_[rng.negative_binomial(0.3, 0.3 / 50.3, 101).astype(float), [40.0], np.zeros(2)]
    assert lumpy[:101].mean() > 20 and stopped_since(lumpy, "W", quiet_w) is None  # mean ~50, often empty
    months = pd.date_range("2024-01-01", periods=30, freq="MS")  # to 2026-06
    quiet_m = quiet_periods(months, "MS", calendar)
    steady = np.r_[np.round(300 * rng.lognormal(0, 0.15, 29)), [0.0]]
    assert stopped_since(steady, "MS", quiet_m) == 29 and stopped_since(steady[:-1], "MS", quiet_m[:-1]) is None
    slow_m = np.r_[rng.poisson(2.0, 29).astype(float), [0.0]]
    slow_m[-2] = 2.0
    assert stopped_since(slow_m, "MS", quiet_m) is None
    festival = pd.date_range("2024-03-04", periods=103, freq="W-MON")  # ends on the week of 2026-02-16
    quiet_f = quiet_periods(festival, "W", calendar)
    assert not quiet_f[-2:].any() and quiet_f[-3]  # the weeks of 02-09 and 02-16 lie in the pause
    closed = np.r_[rng.poisson(50.0, 101).astype(float), np.zeros(2)]
    assert stopped_since(closed, "W", quiet_f) is None and stopped_since(closed, "W", np.ones(103, bool)) == 101


@pytest.mark.parametrize("freq, periods, rate, empty", [("W", 104, 50.0, 3), ("MS", 30, 300.0, 1)])
def test_a_weekly_or_monthly_line_that_stopped_is_forecast_at_zero_with_its_chance(freq, periods, rate, empty):
    """End to end at weeks and months: the stopped line is zero in every quantile with the
    daily rule's note (its chance, and that a stock-out looks the same), the guard does not put
    it back, and the live line keeps its level."""
    rng = np.random.default_rng(4)
    ds = pd.date_range("2024-06-03" if freq == "W" else "2024-01-01", periods=periods,
                       freq="W-MON" if freq == "W" else "MS")
    live = rng.poisson(rate, periods).astype(float)
    stopped = rng.poisson(rate, periods).astype(float)
    stopped[-empty:] = 0
    panel = pd.concat([pd.DataFrame({"sku": s, "ds": ds, "y": y}) for s, y in (("live", live), ("stopped", stopped))])
    fc = forecast(panel, horizon=4, keys=["sku"], freq=freq, quantiles=(0.1, 0.5, 0.9), n_jobs=1)
    gone, kept = fc[fc.sku == "stopped"], fc[fc.sku == "live"]
    assert (gone[["yhat", "yhat_q10", "yhat_q90"]] == 0).all().all()
    assert kept.yhat.mean() > 0.7 * rate
    notes = " ".join(str(n) for n in fc.attrs["notes"])
    words = "3 weeks" if freq == "W" else "month"
    assert f"no sales in its last {words}" in notes and "stock-out looks the same" in notes
    assert "replaced" not in notes


def test_a_seasonal_lines_off_season_and_a_closure_are_no_stop_at_any_frequency():
    """Review R1: a heater selling ~300 a month from September to March and nothing from April to
    August for three years was stopped on its first empty April (0 for nine months, next winter
    included), a summer product's first empty week likewise: a run no longer than the quiet zero
    runs between its sales before is no stop, by either rule. R2: a young weekly shop's four
    Spring Festival pause weeks were a stop by the long rule; only quiet periods count."""
    from workbench.forecast.features import quiet_periods
    from workbench.forecast.models.regime import stopped_since

    rng, calendar = np.random.default_rng(21), default_calendar()
    months = pd.date_range("2023-09-01", "2026-04-01", freq="MS")
    winter = np.isin(months.month, [9, 10, 11, 12, 1, 2, 3])
    heater = np.where(winter, np.round(300 * rng.lognormal(0, 0.15, len(months))), 0.0)
    assert heater[-1] == 0 and stopped_since(heater, "MS", quiet_periods(months, "MS", calendar)) is None
    weeks = pd.date_range("2024-04-01", "2026-09-14", freq="W-MON")
    summer = np.isin(weeks.month, [5, 6, 7, 8])
    fan = np.where(summer, rng.poisson(50.0, len(weeks)), 0.0)
    fan[-3:] = 0.0  # its first September weeks
    assert stopped_since(fan, "W", quiet_periods(weeks, "W", calendar)) is None
    steady = np.r_[np.round(300 * rng.lognormal(0, 0.15, len(months) - 1)), [0.0]]
    assert stopped_since(steady, "MS", quiet_periods(months, "MS", calendar)) == len(months) - 1  # still a stop
    shop = pd.date_range("2025-06-02", "2026-03-02", freq="W-MON")  # its first Spring Festival
    quiet = quiet_periods(shop, "W", calendar)
    sales = rng.poisson(50.0, len(shop)).astype(float)
    sales[~quiet[:len(shop)] & (shop >= "2026-02-01")] = 0.0  # ships nothing in the pause weeks
    assert (~quiet[-4:]).all() and sales[-4:].sum() == 0
    assert stopped_since(sales, "W", quiet) is None and stopped_since(sales, "W") == len(shop) - 4
