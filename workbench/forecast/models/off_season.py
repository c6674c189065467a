"""A yearly off season at months and quarters: a line sold only in its season (cherries
from December to February, lychee from May to July, crabs from September to November), the
same periods off every year.

Such a series looks intermittent (most of its periods are empty), and a model of intermittent
demand (TSB) spreads its seasons over the year at one flat rate: a new user's monthly fruit
SKUs were forecast at 289 cherries a month from December to July against 1,768 / 4,665 / 1,240
then none (trial 10). Here the off periods stay empty and the season repeats last year's
periods times the series' year-on-year growth: the seasonal naive method with growth
(Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2), as the
daily model forecasts a yearly off season along last year's path (``event_profile``). A month
carries last year's Spring Festival and New Year sale, which move between January and February:
each month is moved from last year's festival dates to this year's by the panel's pooled
festival effects (``ets``'s ``lunar_prior``, ``lunar.LunarEffect``), as the moving-holiday
regressors move a fitted season's (cherries' February 2027 had been 3.1 times its expected units
on a seeded panel, carrying the 9 sale days of February 2026; review 9.3 #7-#10).

What a yearly off season is has one home, ``models.yearly_season`` (``yearly_off``); this module
is the forecast of one at months and quarters (``FREQUENCIES``): ``season_growth`` and ``count_noise``,
pure functions on one series' arrays, and ``OffSeasonPath``, which ``ets`` fits in place of TSB for
such a series. Its P10-P90 band covers 80% of seeded fruits' in-season months (the nominal 80%;
``tests/forecast/test_ets_off_season.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as t_dist

from workbench.calendar import RetailCalendar
from workbench.data.validate import PERIOD_WORDS, SEASON_LENGTH
from workbench.forecast.conformal import wiener_factor
from workbench.errors import CalendarRangeError, ModelError
from workbench.forecast.models.base import DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction, censored_at_zero
from workbench.forecast.models.lunar import WINDOWS, LunarEffect, lunar_regressors
from workbench.forecast.models.yearly_season import yearly_off
from workbench.forecast.text import readable


# the frequencies whose yearly off season takes this path: weeks keep TSB (with the core's zeroed
# off season, ``yearly_season.zero_off_season``): a path of last year's weeks repeats last year's
# Spring Festival collapse week inside a winter fruit's season (trial 10's weekly file: oranges'
# week of 2027-02-01 2,689 against 95; SKU-week WAPE 53.8 -> 54.8%, where months went 31.0 -> 22.3%)
FREQUENCIES = ("MS", "QS")


def season_growth(y: np.ndarray, season: int) -> tuple[float, float, float, int]:
    """``(log growth, its variance, a year-on-year ratio's noise variance, the pairs it is read
    from)`` of a yearly on/off
    series ``y`` (shape (n,), units per period): the mean year-on-year log ratio
    ``log(y[t] / y[t - season])`` of the periods of its last two seasons that sold in both years,
    shrunk towards no growth by the mean's variance (``conformal.wiener_factor``: a growth the
    noise could make is not carried a year ahead). The noise variance is the ratios' variance: a
    forecast along last year's period carries that period's noise and misses the coming one's,
    two periods' noise, as one ratio does (the seasonal naive method's error variance, Hyndman &
    Athanasopoulos §5.5); the growth's is that over the pairs, the mean's. Log points (squared).
    Fewer than two pairs: no growth, and one pair's squared log ratio as the noise (none: 0;
    ``OffSeasonPath`` floors it at the counts' own noise)."""
    t = np.arange(max(season, len(y) - 2 * season), len(y))
    pairs = t[(y[t] > 0) & (y[t - season] > 0)]
    ratios = np.log(y[pairs] / y[pairs - season])
    if len(ratios) < 2:
        return 0.0, 0.0, float(ratios @ ratios), len(ratios)
    noise = float(ratios.var(ddof=1))
    mean, mean_var = float(ratios.mean()), noise / len(ratios)
    return mean * wiener_factor(mean, mean_var), mean_var, noise, len(ratios)


def count_noise(values: np.ndarray) -> np.ndarray:
    """The variance on the ``log1p`` scale of a Poisson count with mean ``values`` (shape (k,),
    units per period): ``m / (1 + m)^2`` by the delta method (Casella & Berger, *Statistical
    Inference*, 2nd ed., §5.5.4). A floor under a band estimated from a few ratios: two seasons
    that grew by the same factor are no certainty. Log points squared, shape (k,)."""
    values = np.asarray(values, float)
    return values / (1 + values) ** 2


class OffSeasonPath(Forecaster):
    """Last year's periods times the year-on-year growth, for a series with a yearly off
    season (``yearly_season.yearly_off``, the one home of which periods are off): period ``t``
    ahead is the period a whole number of years before it inside the history (``SEASON_LENGTH``;
    ``k = 1 + t // season`` years back), times ``exp(k g)`` with ``g`` from ``season_growth``.
    A period of the off season (``YearlyOff.off``) is forecast at zero, band included. An
    in-season period that sold nothing a year before (a stock-out, a sparse month) takes the
    mean of its season's periods that sold in the last year instead, times the growth, with a
    note: one empty month is no off season. Quantiles of the others: log-normal around the
    point, ``log1p`` scale, with the variance of a year-on-year ratio's noise (floored at both
    periods' Poisson count noise, ``count_noise``) plus ``k^2`` times the growth's, plus the
    season's spread of months where its level stands in for last year's period; Student's t
    quantiles with the pairs' degrees of freedom where the noise read from them sets the band
    (a prediction interval with an estimated variance). With ``lunar_prior`` (a pooled
    ``lunar.LunarEffect``) each period is moved from its year-ago festival dates to this year's
    (``_festival_move``), the effect's variance added. ``fit`` raises
    ``ModelError`` under a season and a period of history (no year to repeat) or without a
    yearly off season.

    Not in the registry: ``ets`` fits it in place of TSB for such a series, with a note."""

    name = "ets"
    capabilities = Capabilities(min_history=2)

    def __init__(self, lunar_prior: LunarEffect | None = None):
        self.lunar_prior = lunar_prior

    def fit(self, y, ds, *, freq="MS", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        self.season_ = SEASON_LENGTH[freq]
        if len(self.y_) <= self.season_:
            raise ModelError(f"{self.name}: {len(self.y_)} {PERIOD_WORDS[freq]} of history, no year before to repeat")
        self.off_season_ = yearly_off(self.y_, freq)
        if self.off_season_ is None:
            raise ModelError(f"{self.name}: no yearly off season (yearly_season.yearly_off): the same "
                             f"{PERIOD_WORDS[freq]} were not empty in two years; not a seasonal on/off series")
        self.growth_, self.growth_var_, self.noise_, self.pairs_ = season_growth(self.y_, self.season_)
        n = len(self.y_)
        on = ~self.off_season_.off(np.arange(n)) & (self.y_ > 0)
        recent = np.flatnonzero(on[n - self.season_:]) + n - self.season_
        sold = recent if len(recent) else np.flatnonzero(on)
        self.season_level_ = float(self.y_[sold].mean())  # a year-ago period's stand-in, units per period
        self.season_level_var_ = float(np.log1p(self.y_[sold]).var())
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        n, season = len(self.y_), self.season_
        index = n + np.arange(horizon)
        years = 1 + np.arange(horizon) // season
        back = index - season * years
        last_year = self.y_[back]
        off = self.off_season_.off(index)
        empty = ~off & (last_year == 0)  # in season, but nothing sold a year before
        base = np.where(empty, self.season_level_, last_year)
        move, move_var, moved = self._festival_move(pd.DatetimeIndex(future), self.ds_[back], ~off & ~empty)
        mean = np.where(off, 0.0, base * np.exp(years * self.growth_ + move))
        floor = count_noise(base) + count_noise(mean)
        var = (np.maximum(self.noise_, floor) + years ** 2 * self.growth_var_
               + np.where(empty, self.season_level_var_, 0.0) + move_var)
        # a noise read from a few pairs: Student's t with their degrees of freedom (one pair's ratio
        # is a variance about a known zero growth: 1), the classical prediction interval; where the
        # counts' known noise is the floor, the normal
        dof = self.pairs_ - 1 if self.pairs_ >= 2 else self.pairs_
        estimated = (self.noise_ >= floor) & (dof > 0)
        qs = {q: np.where(off, 0.0, censored_at_zero(np.expm1(
            np.log1p(mean) + np.where(estimated, t_dist.ppf(q, max(dof, 1)), norm.ppf(q)) * np.sqrt(var))))
            for q in quantiles}
        words = PERIOD_WORDS[self.freq_]
        notes = [f"{self.name}: a yearly off season (the same {words} without sales in two years: "
                 f"{self.off_season_.describe(self.ds_, self.freq_)}): forecast along last year's {words} "
                 f"x{np.exp(self.growth_):.2f} a year (its year-on-year growth over its last two seasons, "
                 f"+-{np.sqrt(self.growth_var_):.2f} log), zero in its off season, not as intermittent demand at one rate"]
        if moved:
            notes.append(moved)
        if empty.any():
            notes.append(f"{self.name}: {', '.join(str(d.date()) for d in future[empty])}: in season but nothing sold "
                         f"a year before ({', '.join(str(self.ds_[b].date()) for b in back[empty])}; no yearly off "
                         f"season there): forecast at its season's level ({readable(self.season_level_)} per period, "
                         f"the mean of its last year's selling {words}) x the growth, not zero")
        # last year's periods hold its events as they were: no baseline without them, so no uplift measured (F6)
        return Prediction(pd.DatetimeIndex(future), mean, qs, notes)

    def _festival_move(self, future: pd.DatetimeIndex, back: pd.DatetimeIndex,
                       moving: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
        """``(log move, its variance, note)`` of each period of ``future`` (shape (h,)) from the
        period a year or more before it (``back``, the same month or quarter), for the periods
        ``moving`` (boolean, shape (h,): in season with last year's sales to move; the others, and
        the note, get none: review 10.2 #2, a summer fruit's note had "moved" its off-season
        January x1.32, forecast at 0): the Spring Festival
        and New Year sale effects (``lunar_prior``, the panel's pooled ``lunar.LunarEffect``) at this
        year's festival dates less those at that year's, which the period carries (cherries'
        February 2026 held part of the sale, February 2027 holds the courier pause: a month's
        lift moves with the festival, ``lunar.festival_lift``); the variance by the delta method
        with the effect's spread on periods either touches (``LunarEffect.variance``). Zeros and ""
        without a pooled effect, at quarters (``lunar.WINDOWS``), or outside the calendar's years."""
        zero = np.zeros(len(future))
        effect = self.lunar_prior
        if effect is None or self.freq_ not in WINDOWS:
            return zero, zero, ""
        try:
            now, J_now = effect.lift(future, self.freq_, self.calendar_)
            then, J_then = effect.lift(back, self.freq_, self.calendar_)
            touched = (lunar_regressors(future, self.freq_, self.calendar_, spans=effect.spans).sum(axis=1) > 0) | (
                lunar_regressors(back, self.freq_, self.calendar_, spans=effect.spans).sum(axis=1) > 0)
        except CalendarRangeError:
            return zero, zero, ""
        move = np.where(moving, now - then, 0.0)
        if not np.any(np.abs(move) > 1e-9):
            return zero, zero, ""
        words = PERIOD_WORDS[self.freq_]
        return move, np.where(moving, effect.variance(J_now - J_then, touched), 0.0), (
            f"{self.name}: last year's {words} moved to this year's Spring Festival and New Year sale dates by the "
            f"panel's pooled effects ({effect.describe()}): "
            + ", ".join(f"{d.strftime('%Y-%m')} x{np.exp(m):.2f}" for d, m in zip(future, move) if abs(m) > 0.005))
