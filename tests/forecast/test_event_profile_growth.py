"""The growth of event_profile's baseline: measured year on year at the cut-off and damped by a
half-life chosen per series from its own rolling-origin refits (issue 13: `auto` was biased low
on steadily growing data, since a fixed 240-day half-life decayed every growth)."""

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import peaks_and_weekdays
from workbench.calendar import default_calendar
from workbench.forecast import metrics
from workbench.forecast.backtest import event_windows
from workbench.forecast.features import event_offsets
from workbench.forecast.models.event_profile import GROWTH_HALFLIVES, EventProfile

DAYS = pd.date_range("2022-01-01", "2026-10-31")
LEAD = 90  # days: the plan's three months ahead
WINDOWS = {**event_windows("618", (2025, 2026)), **event_windows("double11", (2025,)),
           **event_windows("new_year_sale", (2026,))}


def series(log_level: np.ndarray, seed: int = 1) -> np.ndarray:
    """Daily demand over ``DAYS`` around ``log_level``: weekly pattern, 618, Double 11 and New
    Year sale uplift, the Spring Festival pause, log-normal noise (sd 0.08)."""
    rng = np.random.default_rng(seed)
    off = event_offsets(DAYS, default_calendar())
    effect = np.zeros(len(DAYS))
    for name, size in (("618", 1.0), ("double11", 1.2)):
        inside = ~np.isnan(off[name])
        effect[inside] += size * np.exp(-np.abs(off[name][inside]) / 3)
    lunar = off["lunar_new_year"]
    inside = ~np.isnan(lunar)
    effect[inside] += np.where(lunar[inside] < -8, 0.3, -1.2 * np.exp(-lunar[inside] / 6))[()]
    weekly = np.log([0.97, 0.98, 0.99, 1.0, 1.02, 1.08, 1.05])[DAYS.day_of_week]
    return np.exp(log_level + weekly + effect + rng.normal(0, 0.08, len(DAYS)))


def window_biases(y: np.ndarray, **params) -> tuple[dict[str, float], list]:
    """Bias of each window of ``WINDOWS`` forecast ``LEAD`` days ahead, and the fitted models."""
    out, models = {}, []
    for label, (start, end) in WINDOWS.items():
        cut = start - pd.Timedelta(days=LEAD)
        fit = DAYS <= cut
        model = EventProfile(**params).fit(y[fit], DAYS[fit])
        pred = model.predict(int((end - cut).days))
        inside = (pred.ds >= start) & (pred.ds <= end)
        actual = y[(DAYS >= start) & (DAYS <= end)]
        out[label] = metrics.bias(actual, pred.mean[inside])
        models.append(model)
    return out, models


def test_steady_growth_is_not_forecast_low():
    """15% a year, every year: the growth persists and the windows are not forecast low on
    average (5 seeds x 4 windows; a fixed 240-day half-life put them 3.5% low on average)."""
    t = np.arange(len(DAYS)) / 365.25
    biases, halflives = [], []
    for seed in range(1, 6):
        found, models = window_biases(series(np.log(500) + np.log(1.15) * t, seed=seed))
        biases += list(found.values())
        halflives += [m.growth_halflife_ for m in models]
    assert sum(h is None or h >= 365 for h in halflives) >= 0.9 * len(halflives), halflives
    assert abs(np.mean(biases)) < 0.015, biases


def test_fading_growth_is_damped():
    """Growth that fades (a saturating curve: 80% a year at first, 5-9% by 2025-2026): the
    refits damp it in most windows, and the forecast is not carried up by a growth the series
    no longer has (kept constant, the same growth puts 618 2025 8% high)."""
    t = np.arange(len(DAYS)) / 365.25
    level = np.log(500) + 1.2 * (1 - np.exp(-t / 1.5))
    auto, models = window_biases(series(level, seed=2))
    kept, _ = window_biases(series(level, seed=2), growth_halflife=None)
    assert sum(m.growth_halflife_ is not None for m in models) >= 3, [m.growth_halflife_ for m in models]
    assert np.mean(np.abs(list(auto.values()))) < np.mean(np.abs(list(kept.values()))) - 0.01, (auto, kept)
    assert abs(np.mean(list(auto.values()))) < 0.04, auto


def test_a_fixed_halflife_is_kept_and_candidates_are_sorted():
    y = series(np.log(500) + 0.1 * np.arange(len(DAYS)) / 365.25)
    assert EventProfile(growth_halflife=120.0).fit(y, DAYS).growth_halflife_ == 120.0
    assert EventProfile(growth_halflife=None).fit(y, DAYS).growth_halflife_ is None
    finite = [h for h in GROWTH_HALFLIVES if h is not None]
    assert finite == sorted(finite) and GROWTH_HALFLIVES[-1] is None


def test_the_point_forecast_is_the_mean_of_noisy_days():
    """Day noise of sd 0.3 in logs: the median is 4.4% below the mean; forecasts are summed over
    days, SKUs and levels, so the point forecast is the mean: the log-space forecast raised by
    the smearing factor of its errors (half the noise variance for log-normal noise). 40 flat series (one series' year-ago
    level is itself +-4% noisy)."""
    ratios = []
    for seed in range(40):
        y = 50 * np.random.default_rng(seed).lognormal(0, 0.3, len(DAYS))
        cut = DAYS <= pd.Timestamp("2026-06-30")
        model = EventProfile().fit(y[cut], DAYS[cut])
        assert 0.01 < model.smearing_ < 0.12  # half the noise's variance (0.045), and the forecast's error
        pred = model.predict(60)  # July-August: no event
        ratios.append(pred.mean.mean() / (50 * np.exp(0.3 ** 2 / 2)))
    assert 0.99 < np.mean(ratios) < 1.05, ratios  # the median alone: 0.978


def test_a_slope_from_less_than_a_year_is_not_carried_far():
    """Ten months of history rising through a season: the slope is damped (halving every 90
    days), not laid over the next five months."""
    days = pd.date_range("2025-01-01", "2025-10-31")
    y = 100 * np.exp(0.4 * np.arange(len(days)) / 365) * np.random.default_rng(6).lognormal(0, 0.05, len(days))
    pred = EventProfile().fit(y, days).predict(150)
    slope_kept = y[-28:].mean() * np.exp(0.5 * 0.4 * 150 / 365)
    assert pred.baseline[-1] < 0.5 * (y[-28:].mean() + slope_kept)
    assert any("halving every 90 days" in n for n in pred.notes), pred.notes


@pytest.mark.parametrize("cutoff", ["2025-02-12", "2026-02-19"])
def test_growth_at_a_spring_festival_cut_off(cutoff):
    """Issue 13: the 618 cut-off (90 days ahead) falls in the moving Spring Festival span, where
    no quiet day has a quiet day a year before it: the growth comes from the latest quiet pairs
    before the span (autumn), not from a baseline held flat across it, and 618 is not low."""
    t = np.arange(len(DAYS)) / 365.25
    growths, biases = [], []
    for seed in range(1, 4):
        y = series(np.log(500) + np.log(1.15) * t, seed=seed)
        fit = DAYS <= pd.Timestamp(cutoff)
        model = EventProfile().fit(y[fit], DAYS[fit])
        assert model.components_["in_event"][-1]  # the cut-off is inside an event span
        growths.append(model._yearly_growth(model.components_, len(model.z_)))
        start, end = event_windows("618", (int(cutoff[:4]),))[f"618 {cutoff[:4]}"]
        pred = model.predict(int((end - pd.Timestamp(cutoff)).days))
        inside = (pred.ds >= start) & (pred.ds <= end)
        biases.append(metrics.bias(y[(DAYS >= start) & (DAYS <= end)], pred.mean[inside]))
    assert np.mean(growths) == pytest.approx(np.log(1.15), abs=0.03), growths
    assert np.mean(biases) > -0.03, biases


@pytest.mark.parametrize("start,cutoff", [("2023-01-01", "2024-02-20"), ("2024-01-01", "2025-02-12"),
                                          ("2025-01-01", "2026-02-19")])
def test_growth_at_a_spring_festival_cut_off_with_13_months_of_history(start, cutoff):
    """Issue 13 (the parcels' 618 2022): 13-14 months of history that start and end inside the
    moving Spring Festival span, so no quiet day has a quiet day a year before it. The growth
    comes from event-aligned pairs (each span day against the same offset from the previous
    Spring Festival), not from a baseline held flat across both spans (which compared December
    with March: 0.07 a year against 0.14 on the 2025 cut-off, 618 6-7% low)."""
    t = np.arange(len(DAYS)) / 365.25
    growths, biases = [], []
    for seed in range(1, 4):
        y = series(np.log(500) + np.log(1.15) * t, seed=seed)
        fit = (DAYS >= pd.Timestamp(start)) & (DAYS <= pd.Timestamp(cutoff))
        model = EventProfile().fit(y[fit], DAYS[fit])
        assert model.components_["in_event"][0] and model.components_["in_event"][-1]
        growths.append(model._yearly_growth(model.components_, len(model.z_)))
        (first, last), = event_windows("618", (int(cutoff[:4]),)).values()
        pred = model.predict(int((last - pd.Timestamp(cutoff)).days))
        inside = (pred.ds >= first) & (pred.ds <= last)
        biases.append(metrics.bias(y[(DAYS >= first) & (DAYS <= last)], pred.mean[inside]))
    assert np.mean(growths) == pytest.approx(np.log(1.15), abs=0.03), growths
    assert np.mean(biases) > -0.04, biases


def test_a_week_closed_in_one_spring_festival_neither_grows_nor_lifts_the_forecast():
    """A shop closed for the first year's Spring Festival week (zero sales) and open in the
    next: at a cut-off in the next span the event-aligned pairs hold a week of log1p(0)
    against open days. Their median keeps the growth near the truth (their mean read 1.5 log
    points a year: 618 forecast 3.8x), and the refits' misses on those days are clipped out of
    the smearing factor (it put 618 20-30% high)."""
    t = np.arange(len(DAYS)) / 365.25
    lunar = event_offsets(DAYS, default_calendar())["lunar_new_year"]
    growths, biases = [], []
    for seed in range(1, 4):
        y = series(np.log(500) + np.log(1.15) * t, seed=seed)
        y = np.where((lunar >= 0) & (lunar <= 6) & (DAYS < pd.Timestamp("2025-07-01")), 0.0, y)
        fit = (DAYS >= pd.Timestamp("2025-01-01")) & (DAYS <= pd.Timestamp("2026-02-19"))
        model = EventProfile().fit(y[fit], DAYS[fit])
        growths.append(model._yearly_growth(model.components_, len(model.z_)))
        (first, last), = event_windows("618", (2026,)).values()
        pred = model.predict(int((last - pd.Timestamp("2026-02-19")).days))
        inside = (pred.ds >= first) & (pred.ds <= last)
        biases.append(metrics.bias(y[(DAYS >= first) & (DAYS <= last)], pred.mean[inside]))
    assert np.mean(growths) == pytest.approx(np.log(1.15), abs=0.06), growths
    assert abs(np.mean(biases)) < 0.05, biases


def test_a_launch_ramp_is_not_year_on_year_growth():
    """A series launched in a Spring Festival span, ramping from 40% to its level over six
    weeks, flat since: at a cut-off in the next span, event-aligned pairs against the ramp's
    days would read 0.44 a year of growth; the regime's first 8 weeks give no pair."""
    growths = []
    for seed in range(1, 4):
        y = series(np.full(len(DAYS), np.log(500)), seed=seed)
        ramp = (DAYS - pd.Timestamp("2025-01-05")).days / 42
        y = np.where(ramp > 0, y * np.minimum(0.4 + 0.6 * ramp, 1), 0.0)
        fit = (DAYS >= pd.Timestamp("2025-01-01")) & (DAYS <= pd.Timestamp("2026-03-01"))
        model = EventProfile().fit(y[fit], DAYS[fit])
        assert model.regime_.start > 0 and model.components_["in_event"][-1]
        growth = model._yearly_growth(model.components_, len(model.y_) - model.regime_.start)
        growths.append(0.0 if np.isnan(growth) else growth)  # NaN: none measured (no settled year-before day)
    assert abs(np.mean(growths)) < 0.1, growths


def test_a_gift_box_with_a_strong_new_year_sale_is_not_forecast_below_last_year():
    """Issue 13: a gift-box SKU with a strong New Year sale was forecast 15% below last year's
    sale. A slow seller (about 15 a day, Poisson, growing 10% a year, the sale x3): the baseline
    across the sale's span was anchored on a few noisy days at its edges, so one quiet week set
    the whole span's level. 8 seeds: the 2027 sale is forecast near last year's x1.1."""
    from workbench.calendar import default_calendar
    from workbench.forecast.features import event_offsets

    days = pd.date_range("2024-01-01", "2026-10-31")
    lunar = event_offsets(days, default_calendar())["lunar_new_year"]
    inside = ~np.isnan(lunar)
    effect = np.where(inside & (lunar < -8), 1.1, 0.0) - np.where(inside & (lunar >= 0),
                                                                 np.exp(-np.nan_to_num(lunar) / 5), 0.0)
    t = np.arange(len(days)) / 365.25
    (start26, end26), = event_windows("new_year_sale", (2026,)).values()
    (start27, end27), = event_windows("new_year_sale", (2027,)).values()
    ratios = []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        y = rng.poisson(np.exp(np.log(12) + np.log(1.1) * t + effect + rng.normal(0, 0.15, len(days)))).astype(float)
        pred = EventProfile().fit(y, days).predict(int((end27 - days[-1]).days))
        sale27 = pred.mean[(pred.ds >= start27) & (pred.ds <= end27)].sum()
        ratios.append(sale27 / y[(days >= start26) & (days <= end26)].sum())
    assert min(ratios) > 0.93, ratios  # it was 0.80 and 0.82 on two seeds
    assert 1.0 < np.mean(ratios) < 1.2, ratios


def _opening_shop_log_mean(days: pd.DatetimeIndex) -> np.ndarray:
    """Log mean units per day of a shop that opens on ``days[0]`` at 35% of its level of 100 a
    day and ramps up over 45 days, with a weekly pattern and a Double 11 uplift (x3.3 at its
    peak)."""
    off = event_offsets(days, default_calendar())
    effect = np.zeros(len(days))
    inside = ~np.isnan(off["double11"])
    effect[inside] += 1.2 * np.exp(-np.abs(off["double11"][inside]) / 3)
    weekly = np.log([0.97, 0.98, 0.99, 1.0, 1.02, 1.08, 1.05])[days.day_of_week]
    ramp = np.log(np.clip(0.35 + 0.65 * np.arange(len(days)) / 45, 0, 1))
    return np.log(100.0) + ramp + weekly + effect


@pytest.mark.parametrize("opened", ["2025-10-15", "2025-09-20"])
def test_a_shops_opening_ramp_is_no_growth(opened):
    """A shop opens at a third of its level and ramps up over 45 days; its level then holds.
    Thirteen and a half months later its November's growth pairs fell on the opening month, read
    as +40-50% a year (trial 7). Opened inside the Double 11 span (2025-10-15) the cut
    occurrence gives no pair and no uplift (``_uncut``); opened before it (2025-09-20) the
    opening's quiet days, to the first settled one after the span, give no year-before day
    (``_opening_gaps``). The next 60 days within 8% of the mean (within 1.3% on seeds 1-3;
    +48 to +54% and +10 to +18% before)."""
    days = pd.date_range(opened, "2027-01-28")
    cut = pd.Timestamp("2026-11-29")
    mean = np.exp(_opening_shop_log_mean(days))
    ahead = (days > cut) & (days <= cut + pd.Timedelta(days=60))
    for seed in (1, 2, 3):
        y = mean * np.random.default_rng(seed).lognormal(-0.08 ** 2 / 2, 0.08, len(days))
        model = EventProfile().fit(y[days <= cut], days[days <= cut])
        pred = model.predict(60)
        assert abs(pred.mean.sum() / mean[ahead].sum() - 1) < 0.08, (seed, pred.mean.sum() / mean[ahead].sum())


@pytest.mark.parametrize("lift", [1.35, 0.75])
def test_a_step_inside_the_last_event_span_is_kept_without_a_years_growth(lift):
    """A young shop's category (trial 7, N1): opened 2025-10-15, ramping over 45 days, then flat;
    a line launched (or stopped) inside the Double 11 span, on 2026-11-08, moves it by
    ``lift``. Thirteen and a half months on, no year-on-year growth is measured, so the path is
    last year's baseline, which held the level before the span: December was forecast 25-27%
    low (x1.35) or 27-30% high (x0.75). The 8 quiet days since the span, against last year's
    path on the same days, give the step: December within 7% of the mean over 3 seeds (each
    within 12%; those year-before days are the opening ramp's last week, about 6% below the
    level, which no rule can tell from noise), and the notes say so."""
    days = pd.date_range("2025-10-15", "2027-01-28")
    cut = pd.Timestamp("2026-11-29")
    step = np.where(days >= pd.Timestamp("2026-11-08"), np.log(lift), 0.0)
    mean = np.exp(_opening_shop_log_mean(days) + step)
    december = (days > cut) & (days <= pd.Timestamp("2026-12-31"))
    ratios = []
    for seed in (1, 2, 3):
        y = mean * np.random.default_rng(seed).lognormal(-0.08 ** 2 / 2, 0.08, len(days))
        pred = EventProfile().fit(y[days <= cut], days[days <= cut]).predict(int(december.sum()))
        ratios.append(pred.mean.sum() / mean[december].sum())
        assert any("level since the last event span (8 quiet days from 2026-11-22)" in n for n in pred.notes), \
            pred.notes
    assert max(abs(r - 1) for r in ratios) < 0.12, ratios
    assert abs(np.mean(ratios) - 1) < 0.07, ratios


@pytest.mark.parametrize("opened,cut", [("2026-03-01", "2026-11-29"), ("2025-10-15", "2026-11-15")])
def test_no_step_without_last_years_path_or_days_since_the_span(opened, cut):
    """The step needs last year's baseline on the days since the last event span: a history
    under a year long (9 months: the parcel total's Spring Festival 2022 cut-off, whose path
    keeps last year's festival trough; holding the recent level had taken it 12.0 -> 17.1%)
    and a cut-off inside the Double 11 span (no quiet day since it) get none, whatever the
    level did inside the span."""
    days = pd.date_range(opened, cut)
    off = event_offsets(days, default_calendar())
    effect = np.zeros(len(days))
    inside = ~np.isnan(off["double11"])
    effect[inside] += 1.2 * np.exp(-np.abs(off["double11"][inside]) / 3)
    step = np.where(days >= pd.Timestamp("2026-11-08"), np.log(1.35), 0.0)
    y = np.exp(np.log(100.0) + effect + step) * np.random.default_rng(1).lognormal(0, 0.08, len(days))
    model = EventProfile().fit(y, days)
    assert model._start_step(model.components_, len(model.z_), np.zeros(30)) == (0.0, "")
    assert not any("since the last event span" in n for n in model.predict(30).notes)


def test_a_real_step_at_the_cut_off_is_kept():
    """A line whose level rose 80% from 2026-10-20 (inside the Double 11 span: a line launched
    in it, trial 7's 家纺布艺), two years of history growing 20% a year with gamma-Poisson day
    noise (shape 8): its next 30 days follow the new level. Review 9.2 #2: a step weighed by
    the series' own gaps at its earlier origins (which never stepped) kept a few percent of
    it, forecast/truth 0.79 / 0.59 / 0.61 / 0.68 on these seeds; the gap weighed by its own
    noise keeps most of it (seed 1's gap is read against a post-Double 11 dip: left low)."""
    days = pd.date_range("2024-11-20", "2026-11-29")
    t = np.arange(len(days) + 30)
    mean = 40.0 * 1.2 ** (t / 365.25) * np.where(t >= days.get_loc(pd.Timestamp("2026-10-20")), 1.8, 1.0)
    ratios = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        y = rng.poisson(rng.gamma(8.0, mean[:len(days)] / 8.0)).astype(float)
        ratios.append(EventProfile().fit(y, days).predict(30).mean.sum() / mean[len(days):].sum())
    assert np.mean(ratios) > 0.8, ratios


def _young_product(seed: int) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """A young product (trial 12's learning machine, 早教机): launched 2025-07-15 at 20 a day, a
    weekly pattern, 618 and Double 11 peaks, gamma-Poisson day noise (shape 8); the 21 days
    after its first Double 11 span (ends 2025-11-21) in a lull (x0.5 at its deepest, recovering
    over the last two weeks), none after the next; one live-stream day sells x8 on 2026-11-26.
    Returns the days to 2027-01-31, the observed units and their means."""
    days = pd.date_range("2024-11-20", "2027-01-31")
    uplift, weekly = peaks_and_weekdays(days, 1.2)
    mu = np.exp(np.log(20.0) + weekly + uplift) * (days >= pd.Timestamp("2025-07-15"))
    off = (days - pd.Timestamp("2025-11-21")).days.to_numpy()
    mu = mu * np.where((off > 0) & (off <= 21), 1 - 0.5 * np.clip((22 - off) / 14, 0, 1), 1.0)
    rng = np.random.default_rng(seed)
    y = rng.poisson(rng.gamma(8.0, mu / 8.0)).astype(float)
    y[days.get_loc(pd.Timestamp("2026-11-26"))] *= 8
    return days, y, mu


def test_the_start_step_is_not_read_against_last_years_after_lull():
    """Trial 12: one live-stream day after 双11 put a young product at +110% / +177%: its
    start step was read on the 8 quiet days after the span against last year's path there, its
    first Double 11's lull (x0.5), while this year sold at its level. The days after a span whose
    event left a lull a year before that it did not leave now are no comparable days
    (``EventProfile._unrepeated_lull``): no step is read there, and December follows last year's
    recovered path. Six seeds, December's bias: +183 / +70 / +77 / +179 / +49 / +69% before,
    +23 / +0 / -13 / +11 / -20 / -6% now (a lull in both years is comparable: read as before)."""
    cut = pd.Timestamp("2026-11-29")
    biases = []
    for seed in range(6):
        days, y, mu = _young_product(seed)
        december = (days > cut) & (days <= pd.Timestamp("2026-12-31"))
        model = EventProfile().fit(y[days <= cut], days[days <= cut])
        pred = model.predict(int(december.sum()))
        biases.append(pred.mean.sum() / mu[december].sum() - 1)
        assert not any("since the last event span" in n for n in pred.notes), pred.notes
    assert max(np.abs(biases)) < 0.25, biases
    assert abs(np.mean(biases)) < 0.1, biases
