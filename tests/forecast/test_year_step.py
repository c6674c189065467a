"""A level step under the regime's factor 1.5 inside the year-on-year growth (``models.year_step``;
issue 13, trial 11 F6): a -15% price rise went into the growth, and the path laid over last
year's baseline counted it again once the year-ago days passed it (the shop's formula 24% low
for the next 618)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.forecast.features import event_offsets, in_event_span
from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.forecast.models.event_profile import EventProfile
from workbench.forecast.models.year_step import growth_step, year_step

DAYS = pd.date_range("2023-01-02", "2027-07-31")
OFFSETS = event_offsets(DAYS, default_calendar())
QUIET = ~in_event_span(OFFSETS)
CUT = pd.Timestamp("2026-09-20")
WEEKLY = np.log([0.97, 0.98, 0.99, 1.0, 1.02, 1.08, 1.05])  # log weekday pattern, Monday first
_spec = importlib.util.spec_from_file_location("young_shops", Path(__file__).parents[2] / "benchmarks" / "young_shops.py")
young_shops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(young_shops)


def daily(rng, step: float = 1.0, step_day: pd.Timestamp | None = None, growth: float = 0.1, season: float = 0.25,
          noise: float = 0.12, level: float = 300.0, trend: str = "steady",
          until: pd.Timestamp | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded daily units over ``DAYS`` and their mean: a yearly season (a sine of log amplitude
    ``season``, random phase), a weekly pattern, 618 and Double 11 spikes, the New Year sale and
    the Spring Festival pause on their lunar dates, a growth (``steady``: ``growth`` a year;
    ``fading``: a saturating curve; ``speeding``: a convex one), a level step ``step`` from
    ``step_day`` (to the day before ``until``, where given: a bump), and Poisson counts around a log-normal day noise of sd ``noise``."""
    t = np.arange(len(DAYS)) / 365.25
    grows = {"steady": np.log1p(growth) * t, "fading": 1.2 * (1 - np.exp(-t / 1.5)), "speeding": 0.04 * t ** 2.2}
    log_level = np.log(level) + grows[trend] + season * np.sin(2 * np.pi * (t - rng.uniform()))
    if step_day is not None:
        log_level = log_level + np.log(step) * ((DAYS >= step_day) & (DAYS < (until or DAYS[-1] + pd.Timedelta(days=1))))
    effect = np.zeros(len(DAYS))
    for name, size in (("618", 1.0), ("double11", 1.2)):
        inside = ~np.isnan(OFFSETS[name])
        effect[inside] += size * np.exp(-np.abs(OFFSETS[name][inside]) / 3)
    lunar = OFFSETS["lunar_new_year"]
    inside = ~np.isnan(lunar)
    effect[inside] += np.where(lunar[inside] < -8, 0.4, -1.2 * np.exp(-lunar[inside] / 6))
    mean = np.exp(log_level + WEEKLY[DAYS.day_of_week] + effect)
    return rng.poisson(mean * np.exp(rng.normal(0, noise, len(DAYS)) - noise ** 2 / 2)).astype(float), mean


def found_step(y: np.ndarray, n: int):
    """``year_step`` on the weekday-adjusted log values of ``y``'s first ``n`` days (quiet days
    outside the default calendar's spans; the pairs of the last year), as the daily model reads them."""
    z, quiet = np.log1p(y[:n]) - WEEKLY[DAYS[:n].day_of_week], QUIET[:n]
    t = np.arange(n - SAME_WEEKDAY_DAYS, n)
    later = t[quiet[t] & quiet[t - SAME_WEEKDAY_DAYS]]
    return year_step(later, z[later] - z[later - SAME_WEEKDAY_DAYS], z, quiet, SAME_WEEKDAY_DAYS)


@pytest.mark.parametrize("step,seed", [(0.8, 2), (0.85, 1), (1.3, 2)])
def test_a_level_step_is_not_counted_twice(step, seed):
    """A x0.8, x0.85 or x1.3 step six months before the cut-off (a price change): the quiet days
    whose year-ago days are past the step, and the next 618, are forecast at the truth (1.00 /
    1.04, 0.96 / 0.96, 1.00 / 1.03; within 7% and 6% allowed), not with the step again (0.90 /
    0.93, 0.92 / 0.92 and 1.28 / 1.32 before: the growth carried the step)."""
    y, mean = daily(np.random.default_rng(seed), step=step, step_day=CUT - pd.DateOffset(months=6))
    fit = DAYS <= CUT
    model = EventProfile().fit(y[fit], DAYS[fit])
    pred = model.predict(int((DAYS[-1] - CUT).days))
    truth, ahead = mean[~fit], DAYS[~fit]
    passed = (ahead - pd.Timedelta(days=SAME_WEEKDAY_DAYS) >= CUT - pd.DateOffset(months=6)) & QUIET[~fit]
    june = (ahead >= "2027-05-25") & (ahead <= "2027-06-20")
    assert model.year_step_ is not None and model.year_step_.this_year
    assert any("year-on-year growth stepped" in note for note in pred.notes), pred.notes
    assert abs(pred.mean[passed].sum() / truth[passed].sum() - 1) < 0.07
    assert abs(pred.mean[june].sum() / truth[june].sum() - 1) < 0.06


def test_no_false_steps_without_a_step():
    """200 seeded series without a step (growth -10..+30% a year, no/mild/strong season, day
    noise 0.08-0.25): no step is read (2 allowed); 100 whose growth fades, and 100 whose growth
    speeds up, move their differences gradually: 0 and 6 (2 and 8 allowed; a line through the
    differences that fits about as well is a drift, not a step)."""
    def steps(trend, count):
        found = 0
        for seed in range(count):
            rng = np.random.default_rng(1000 + seed)
            n = int(rng.integers(len(DAYS) - 400, len(DAYS) - 300))
            y, _ = daily(rng, season=rng.choice([0.0, 0.25, 0.5]), noise=rng.choice([0.08, 0.15, 0.25]),
                         growth=rng.uniform(-0.1, 0.3), trend=trend)
            found += found_step(y, n) is not None
        return found
    assert steps("steady", 200) <= 2
    assert steps("fading", 100) <= 2
    assert steps("speeding", 100) <= 8


def test_the_year_of_a_step_is_read_from_the_level():
    """Steps of x0.8-x1.3 2-10 months before the cut-off (this year's: the year-ago days are
    before it) or 13-22 months before (last year's: the differences step back when the year-ago
    days pass it), on three-year histories: found on 38 and 41 of 100 (the rest: no step beyond
    the differences' noise, or a level that cannot tell the year, as beside a long event span
    in a strong season), and read in the right year on all of them (1 wrong allowed)."""
    for this_year in (True, False):
        read = wrong = 0
        for seed in range(100):
            rng = np.random.default_rng(2000 + seed)
            n = int(rng.integers(len(DAYS) - 400, len(DAYS) - 300))
            ago = int(rng.integers(60, 300)) if this_year else int(rng.integers(SAME_WEEKDAY_DAYS + 40, SAME_WEEKDAY_DAYS + 300))
            y, _ = daily(rng, step=rng.choice([0.8, 0.85, 1.2, 1.3]), step_day=DAYS[n - ago],
                         season=rng.choice([0.0, 0.25, 0.5]), noise=rng.choice([0.08, 0.15, 0.25]),
                         growth=rng.uniform(-0.1, 0.3))
            found = found_step(y, n)
            if found is not None:
                read += 1
                wrong += found.this_year != this_year
        assert read >= 30 and wrong <= 1, (this_year, read, wrong)


def test_last_years_step_is_said():
    """Review 10.1 F2: a step read as last year's changes the growth (the pairs since it) without
    a word, though the docs say a note names the step. A x0.8 step 16 months before the cut-off."""
    rng = np.random.default_rng(0)
    y, _ = daily(rng, step=0.8, step_day=CUT - pd.Timedelta(days=SAME_WEEKDAY_DAYS + 120))
    fit = DAYS <= CUT
    model = EventProfile().fit(y[fit], DAYS[fit])
    assert model.year_step_ is not None and not model.year_step_.this_year
    said = [n for n in model.predict(90).notes if "the level stepped" in n]
    assert said and "-2" in said[0] and "a year before" in said[0], said


def test_too_few_periods_either_side_is_no_step():
    t = np.arange(400, 420)
    assert growth_step(t, np.r_[np.zeros(10), np.ones(10)]) is None  # three weeks: under 4 either side


def test_differences_that_fell_back_at_the_end_are_no_step():
    """Weekly differences at +0.10 for 12 weeks, +0.33 for 9, and back to 0.0 in the last week
    (seeded week noise 0.04): a pulse, not a level that stands at the cut-off (read as a +0.23
    step before)."""
    rng = np.random.default_rng(0)
    means = np.r_[np.full(12, 0.10), np.full(9, 0.33), 0.0] + rng.normal(0, 0.04, 22)
    t = np.repeat(np.arange(22) * 7 + 500, 7) + np.tile(np.arange(7), 22)
    assert growth_step(t, np.repeat(means, 7)) is None
    held = np.repeat(means[:-1], 7)  # without the last week the step stands to the end
    assert growth_step(t[:-7], held) is not None


@pytest.mark.parametrize("seed", [0, 2])
def test_a_season_that_rose_and_ended_is_no_step(seed):
    """The seeded produce shop (``benchmarks/young_shops.py``) sold a grape line launched in its
    first season, July to October 2026, its best seller while it lasted: the shop's differences
    rose by it and fell back in its last quiet week before the 2026-11-30 cut-off. No step is
    read, and its direct total's 618 2027 is forecast within 8% of the process's mean (+6.8% and
    +4.4%; +18.6% and +10.9% when the season was carried as a step to the next August,
    undamped, while the start step that cancelled it faded)."""
    history, future = young_shops.shop("produce", seed)
    y = history.groupby("ds")["y"].sum()
    mean = future.groupby("ds")["mean"].sum()
    model = EventProfile().fit(y.to_numpy(), y.index)
    pred = model.predict(len(mean))
    window = default_calendar().windows("618", pd.Timestamp("2027-01-01"), pd.Timestamp("2027-06-30"))[0]
    inside = (mean.index >= window.start) & (mean.index <= window.end)
    assert model.year_step_ is None
    assert abs(pred.mean[inside].sum() / mean[inside].sum() - 1) < 0.08


SHORT = pd.Timestamp("2025-02-17")  # a 19-month history to the cut-off: its first year-on-year pairs fall in March 2026


def short_618(step: float, step_day: pd.Timestamp, seed: int, until: pd.Timestamp | None = None) -> float:
    """618 2027's forecast over the truth, less one, of ``daily``'s series from ``SHORT`` to ``CUT``
    with a level step (a bump, with ``until``), fitted alone."""
    y, mean = daily(np.random.default_rng(seed), step=step, step_day=step_day, until=until)
    keep = DAYS >= SHORT
    days, y, mean = DAYS[keep], y[keep], mean[keep]
    fit = days <= CUT
    pred = EventProfile().fit(y[fit], days[fit]).predict(int((days[-1] - CUT).days))
    june = (days[~fit] >= "2027-05-20") & (days[~fit] <= "2027-06-18")
    return pred.mean[june].sum() / mean[~fit][june].sum() - 1


def test_a_spring_step_in_a_19_month_history_is_not_counted_twice():
    """Closing note 10, item 6: a x1.3 or x0.77 step on 2026-04-02, two quiet weeks after the
    Spring Festival span, in a history from 2025-02-17 to 2026-09-20. No year-on-year pair lay
    four weeks before it, no step was read, and the growth carried the step past its
    anniversary: 618 2027's mean absolute error over seeds 1-10 30.6% and 22.0% (every seed
    +24..+36% and -18..-27%). The history's first differences now take a split two weeks in,
    told from a drift of the growth by the level's own jump there: 23.6% and 11.3% (a step read
    on 3 and 5 of the 10; the rest are left undecided between this year and last, as before)."""
    day = pd.Timestamp("2026-04-02")
    for step, bound in ((1.3, 0.27), (0.77, 0.15)):
        errors = [short_618(step, day, seed) for seed in range(1, 11)]
        assert np.mean(np.abs(errors)) < bound, (step, np.round(errors, 3))


def test_a_short_bump_is_not_carried():
    """Closing note 10, item 6: a x1.3 bump over the six weeks that end four weeks before the
    cut-off, in the same 19-month history, is no step and is not carried: 618 2027 +1.5, +5.6,
    +9.0, +0.8 and +5.3% on seeds 1-5 (mean absolute 4.4%; 3.9% without the bump), as at
    b41f056 (the 16-37% that closing note measured is gone)."""
    start = CUT - pd.Timedelta(weeks=10)
    errors = np.abs([short_618(1.3, start, seed, until=start + pd.Timedelta(weeks=6)) for seed in range(1, 6)])
    assert errors.mean() < 0.06 and errors.max() < 0.12, np.round(errors, 3)


def test_no_false_steps_in_the_first_differences():
    """300 seeded histories of 18-20 months without a step (steady, fading and speeding growth,
    no/mild/strong season, day noise 0.08-0.25): the history's first differences, which now
    take a split two weeks in, read no step (2 allowed)."""
    found = 0
    for trend in ("steady", "fading", "speeding"):
        for seed in range(100):
            rng = np.random.default_rng(1000 + seed)
            n = int(rng.integers(len(DAYS) - 400, len(DAYS) - 300))
            y, _ = daily(rng, season=rng.choice([0.0, 0.25, 0.5]), noise=rng.choice([0.08, 0.15, 0.25]),
                         growth=rng.uniform(-0.1, 0.3), trend=trend)
            start = n - int(rng.integers(540, 600))
            z, quiet = np.log1p(y[start:n]) - WEEKLY[DAYS[start:n].day_of_week], QUIET[start:n]
            t = np.arange(SAME_WEEKDAY_DAYS, n - start)
            later = t[quiet[t] & quiet[t - SAME_WEEKDAY_DAYS]]
            found += year_step(later, z[later] - z[later - SAME_WEEKDAY_DAYS], z, quiet, SAME_WEEKDAY_DAYS, first=True) is not None
    assert found <= 2
