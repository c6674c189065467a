"""A shop's opening ramp is neither a level shift nor season nor growth (event_profile's
``_flatten_opening``, ``regime.ramp_gaps``): its days are read at the level the ramp reached,
in the series' own fit and in the pooled series' path and ramp that the series borrow (trial 8,
N0: a shop opened at 65% of its level had its ramp read as a level shift in most SKUs, and its
年货节 2026 backtest went to 38% WAPE, +29% bias)."""

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import WEEKLY, live_days, peaks_and_weekdays, poisson_skus
from workbench.calendar import default_calendar
from workbench.forecast.backtest import event_windows
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets
from workbench.forecast.models.event_profile import EventProfile, PooledPrior

SKUS = 8


def shop_mean(days: pd.DatetimeIndex, ramp_from: float, ramp_days: int, growth: float,
              lines_from: float = 1.0) -> np.ndarray:
    """Log mean units per day, before each SKU's own level, of a shop that opens on
    ``days[0]`` at ``ramp_from`` of its level and reaches it linearly over ``ramp_days`` days,
    growing by ``growth`` a year (log): weekly pattern, 618 and Double 11 peaks, and the New
    Year sale (x1.9 from 26 to 6 days before the Spring Festival) with the couriers' pause
    (x0.2 from 5 days before to 4 after)."""
    age = np.arange(len(days))
    ramp = np.log(np.clip(ramp_from + (1 - ramp_from) * age / ramp_days, 0, 1)) \
        + np.log(np.clip(lines_from + (1 - lines_from) * age / 21, 0, 1))
    peaks, weekly = peaks_and_weekdays(days, 0.8)
    lunar = event_offsets(days, default_calendar())["lunar_new_year"]
    festival = np.where((lunar >= -26) & (lunar <= -6), np.log(1.9), 0.0) \
        + np.where((lunar >= -5) & (lunar <= 4), np.log(0.2), 0.0)
    return ramp + growth * age / 365.25 + peaks + weekly + np.nan_to_num(festival)


def shop_panel(opened: str, end: str, ramp_from: float, ramp_days: int, growth: float,
               seed: int, lines_from: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``SKUS`` series of one shop (levels 15-90 a day, Poisson counts around a log-normal day
    noise of sd 0.2): the long frame ``[sku, ds, y]`` and the truth ``[sku, ds, mean]``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(opened, end)
    shop = shop_mean(days, ramp_from, ramp_days, growth, lines_from)
    return poisson_skus(days, shop, SKUS, (15, 90), "S", rng)


def window_ratio(panel: pd.DataFrame, truth: pd.DataFrame, cut: pd.Timestamp, first: pd.Timestamp,
                 last: pd.Timestamp) -> tuple[float, list[str]]:
    """The shop's forecast total of ``first..last`` from the cut-off ``cut`` over its true mean,
    and the forecast's notes (the core pools the SKUs: the pooled series has the ramp too)."""
    fc = forecast(panel[panel.ds <= cut], horizon=int((last - cut).days), keys=["sku"], n_jobs=1)
    inside = (fc.ds >= first) & (fc.ds <= last)
    real = truth[(truth.ds >= first) & (truth.ds <= last)]["mean"].sum()
    return fc.loc[inside, "yhat"].sum() / real, [str(n) for n in fc.attrs["notes"]]


@pytest.mark.parametrize("lines_from", [0.3, 1.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_one_year_old_shops_opening_ramp_is_no_level_shift_and_its_new_year_sale_holds(seed, lines_from):
    """Trial 8's shape: a shop opened on 2024-11-20 at 65% of its level, settled over 60 days
    (its lines also starting at ``lines_from`` of their level and reaching it in three weeks),
    the Spring Festival 2025 span from its 28th day, inside the ramp, growing 20% a year; the
    年货节 2026 window from the cut-off 2025-12-10 (a year and three weeks after the opening, the
    backtest's lead of 34 days). The ramp was a 'level shift' on about its 29th day in the
    SKUs, their regime under a year old and their path the pooled one, which carried the ramp;
    the span's baseline started inside the ramp, and the sale's uplift came out too high:
    +19 to +29% on seeds 1-4 with the lines' own ramp (8 of 8 SKUs shifted), -10 to -13%
    without it (1 to 3 shifted). Read at the level the ramp reached: within 10%, no shift."""
    (first, last), = event_windows("new_year_sale", (2026,)).values()
    panel, truth = shop_panel("2024-11-20", last, 0.65, 60, np.log(1.2), seed, lines_from)
    ratio, notes = window_ratio(panel, truth, pd.Timestamp("2025-12-10"), first, last)
    assert abs(ratio - 1) < 0.10, ratio
    assert not any("level shift" in n for n in notes), notes


def test_a_shop_whose_days_a_year_before_the_forecast_are_its_ramp_is_not_forecast_at_the_ramp():
    """A shop opened on 2025-03-03 at 30% of its level, settled over 60 days, growing 10% a
    year; from the cut-off 2026-03-10 the next 50 days' days a year before are the ramp's.
    Every SKU had a 'level shift' in the ramp (7 or 8 of 8 on seeds 1-4), and a rule that
    only dropped a shift inside the ramp laid last year's baseline, the ramp, over those days:
    the shop at half its level. Read at the level the ramp reached: within 10% on seeds 1-3
    (-5.5 to +0.7%), no shift."""
    cut, last = pd.Timestamp("2026-03-10"), pd.Timestamp("2026-04-29")
    for seed in (1, 2, 3):
        panel, truth = shop_panel("2025-03-03", last, 0.30, 60, np.log(1.1), seed)
        ratio, notes = window_ratio(panel, truth, cut, cut + pd.Timedelta(days=1), last)
        assert abs(ratio - 1) < 0.10, (seed, ratio)
        assert not any("level shift" in n for n in notes), notes


@pytest.mark.parametrize("factor", [2.0, 0.5])
def test_a_level_shift_two_months_after_a_flat_opening_is_still_found(factor):
    """A shop that opened at its level (no ramp) and moved by ``factor`` 60 days later: the
    move is a level shift, found where it happened, and no opening ramp is read (flattening a
    step up as a ramp would lift the days before it). Seeds 1-3."""
    days = pd.date_range("2025-07-01", "2026-06-30")
    moved = pd.Timestamp("2025-08-30")
    for seed in (1, 2, 3):
        mean = np.exp(np.log(60.0) + np.where(days >= moved, np.log(factor), 0.0) + WEEKLY[days.dayofweek]
                      + peaks_and_weekdays(days, 0.8)[0])
        y = np.random.default_rng(seed).poisson(mean * np.random.default_rng(seed + 10).lognormal(-0.02, 0.2,
                                                                                                  len(days)))
        model = EventProfile().fit(y.astype(float), days)
        assert model.opening_ == 0, (seed, model.opening_)
        found = [days[s] for s in model.regime_.shifts]
        assert any(abs((d - moved).days) <= 7 for d in found), (seed, found)
        assert any("level shift on" in n for n in model.predict(28).notes)


def test_a_series_that_did_not_ramp_with_its_panel_has_no_opening():
    """The pooled series opened at 40% of its level and ramped over 60 days; a SKU of the same
    days sold at its level from the first day (its least-squares factor on the pooled shape is
    0): it has no opening (``opening_`` 0), so no days leave its growth pairs (review 7.1 #10:
    the pooled ramp's length was its opening). Seeds 1-3."""
    days = pd.date_range("2025-07-01", "2026-06-30")
    first = int(np.asarray(days[:1], dtype="datetime64[D]").astype(np.int64)[0])
    opening = {first + i: float(np.log(0.4 + 0.6 * i / 60)) for i in range(60)}
    for seed in (1, 2, 3):
        mean = np.exp(np.log(60.0) + WEEKLY[days.dayofweek] + peaks_and_weekdays(days, 0.8)[0])
        y = np.random.default_rng(seed).poisson(mean * np.random.default_rng(seed + 10).lognormal(-0.02, 0.2,
                                                                                                  len(days)))
        model = EventProfile(prior=PooledPrior(opening=opening)).fit(y.astype(float), days)
        assert model.opening_ == 0 and not model.opening_gaps_.any(), (seed, model.opening_)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_first_double11_late_in_the_opening_ramp_gives_the_next_years_uplift(seed):
    """A shop opened on 2025-08-15 at 40% of its level and reaching it over 90 days: its first
    Double 11 span (2025-10-12..11-21) lies in the ramp's last third. Its gap below the level the
    ramp reached is interpolated across the span between the ramp's local levels either side
    (``regime.ramp_gaps``): the fitted ramp's first value after the span is the mean of the block
    it pools (a few low days, 0.15 log below the ramp's end on seed 1), which raised the span's days
    by that much and read their uplift as large. Double 11 2026 from a cut-off on 2026-08-25
    (window 10-20..11-11): seed 1 +14.1% -> +3.9%, seed 2 +4.8% -> +5.0% (the weeks before the
    window within 1%); within 8% of the truth."""
    history, truth = shop_panel("2025-08-15", "2026-11-30", 0.4, 90, 0.0, seed)
    cut = pd.Timestamp("2026-08-25")
    fc = forecast(history[history.ds <= cut], horizon=int((pd.Timestamp("2026-11-11") - cut).days), keys=["sku"],
                  n_jobs=1)
    window = (fc.ds >= "2026-10-20") & (fc.ds <= "2026-11-11")
    real = truth[(truth.ds >= "2026-10-20") & (truth.ds <= "2026-11-11")]["mean"].sum()
    assert abs(fc.loc[window, "yhat"].sum() / real - 1) < 0.08, fc.loc[window, "yhat"].sum() / real


@pytest.mark.parametrize("seed", [1, 4])
def test_a_live_shops_slow_opening_ramp_is_read_whole(seed):
    """A live-stream shop (x2-x5 on three random days a month, ``live_days``) opened on 2025-07-15
    at 40% of its level and reaching it over 90 days (trial 9's shape). Its live days measure no
    ramp (``_opening_gaps``: two of them in its first week put the running median near the level
    and lifted the isotonic fit), and a ramp that still rises over the next 8 weeks ends only where
    the level also holds over the 8 weeks after those (``regime.opening_ramp``: a slow ramp rises
    less than ``OPENING_GAP`` over any 8 weeks). Read as 23-63 days, the rest of the ramp was last
    year's baseline under the path. The shop total's September 2026 (09-01..09-28) from a cut-off
    on 2026-08-25, against its mean (live days at their rate), ten seeds: mean +16.4% -> +3.4%,
    mean absolute 18.7 -> 8.9% (seed 1 +31.4 -> +2.3%, seed 4 +26.3 -> +0.5%; seed 2, whose first
    days' level is within ``OPENING_GAP`` of the next 8 weeks', has no ramp: +46.5% both)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-07-15", "2026-10-10")
    mult = live_days(rng, days)
    history, truth = poisson_skus(days, shop_mean(days, 0.4, 90, 0.0) + np.log(mult), SKUS, (15, 90), "S", rng)
    cut, last = pd.Timestamp("2026-08-25"), pd.Timestamp("2026-09-28")
    total = history[history.ds <= cut].groupby("ds")["y"].sum()
    model = EventProfile().fit(total.to_numpy(), total.index)
    ahead = (days >= "2026-09-01") & (days <= last)
    real = (truth.groupby("ds")["mean"].sum().to_numpy() / mult)[ahead].sum() * (1 + 3 / 30.4375 * 2.5)
    mean = model.predict(int((last - cut).days)).mean[-int(ahead.sum()):].sum()
    assert model.opening_ >= 56 and abs(mean / real - 1) < 0.08, (model.opening_, mean / real)
