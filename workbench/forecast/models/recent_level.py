"""The recent level: the guard's fallback, for series no richer model can be trusted on.

The forecast is the mean of the last ``window`` periods, held flat (no growth of its own),
but a daily series first sold under ``YOUNG_DAYS`` ago, with no season of its own, follows the
pooled prior's path (its season and growth) from the days its level was read on
(``PooledPrior.change``, ``Prediction.path_change``: a winter launch is not held flat into 618)
as far as that season is the series' (``pool_season.shares_season``: all of it where the prior
is its product grouping's, its category's; else the share of the pool's baseline change its
own days since its first sale made, where they made one). Otherwise its level is held: a winter
SKU keyed by region and SKU, whose prior is the shop's summer-heavy mix, would have followed the
summer lines into 618. Weekly, monthly and quarterly series are held flat whatever their
category's season (a young weekly launch too), but for the pooled Spring Festival and New Year
sale effects at weeks and months (``lunar_prior``, the panel's: a launch held flat through its
first New Year sale missed it, trial 12's weekly launches -54..-56%). The periods averaged are only those since the
series' first sale at days, a launch or not, down to the one day of a series first sold on its
last day; for weekly, monthly and quarterly data those since its start, ``regime.nondaily_start``
(a series launched two months ago is not averaged with its pre-launch zeros). The forecast is
that level times the weekday pattern of those periods for daily data, times the event uplift
of a pooled profile when the core gives one (``prior``, the ``PooledPrior`` of
``event_profile``; its ``uplift``, and a young series' ``path`` as above; an event that
profile never saw borrows the uplift of the seen events of its kind, its spread in the band:
``models.unseen``; a young series declares that uplift and its path, no higher than the pool
has been, as ``Prediction.pooled_uplift``: the pool's own rise, which the guard allows). The level is
net of the SHARE of that uplift the series itself shows in its window (a SKU launched inside
the Double 11 span had its level read off the event's days and was forecast 40% high for the
next New Year sale, trial 8 F4): the window's days are fitted as ``level * exp(share * u + o)``,
``u`` the pooled log uplift on each day and ``o`` what else is known to move them (a launch's
ramp along the curve from its level's age; for a young series that follows the pooled path,
that path's share of the pool's baseline over them from its mean there, where the path is
laid from: a winter duvet launched into Double 11 and its season's rise read 28% of the lift
without them and was forecast +268% for the New Year sale, trial 13 F13), by Poisson maximum
likelihood with ``share`` in [0, 1] (a log-link GLM with one covariate and an offset; McCullagh
& Nelder, *Generalized Linear Models*, 1989, ch. 6), so the level is
``sum(y) / sum(exp(share * u + o))``. A series that sells through
the couriers' pause while the pooled total falls to x0.05 shows no share of the dip and keeps
its plain mean (dividing each day by the full pooled dip read a flat 50 a day as 247). The
level therefore stays within the window's range divided by the pooled uplift's range over it;
for a series launched within the panel it also follows the panel's launch curve: ``launch_curve``, the
core's ``LaunchCurve``: its level, the mean of the periods since its start when fewer than
``window`` (with a curve too few launches measure as well: the zeros before a start are no
level), grows along that curve from their mean age, as ``event_profile`` and ``ets`` do for
older launches, or is held flat without a usable one; a launch a few periods old is still
ramping up).

With ``own_events`` (the intermittent series ``event_profile`` hands it) each event's uplift is the
pooled one times the series' own lift over it, counted on its past windows (``own_lift.own_lifts``:
units sold over those expected at its base rate times the pooled uplift, shrunk toward the pool by
its count noise: one window of a few units is no lift of its own), and the level is read net
of that whole uplift; the lift's noise widens the window band (``Prediction.event_spread``).

The weekday pattern is used only where each weekday carries at least ``MIN_WEEKDAY_UNITS``
expected units in the window: below that one sale on one Friday would read as a weekly pattern
(a Poisson count of 20 has a relative standard error of 22%).

As the guard's fallback (``own_season``) a daily series that sold a year and half a window ago follows
its own path of a year before instead of being held flat (``own_path``): a winter blanket refused
at its November peak was held at its peak level through the next summer, 618 x88 (trial 13 F6).
Each day's forecast is the centred ``OWN_SMOOTH``-day mean of its sales a year back (364 days: the
same weekdays), times the change of its sales over the level's days since: its season and its
events as they were (the pooled uplift is not added: a winter duvet's pooled Double 11 lift, read
on one season's rise, put it at x2.7 its truth on top of its own November, trial 13 F11).

Quantiles: for small counts (``models.base.count_dispersion``) the quantiles of a negative
binomial with the forecast mean and the recent variance-to-mean ratio (``count_band``);
otherwise the empirical quantiles of the recent periods' log ratio to the level (for a launch,
to the level along the curve over those periods: its ramp is explained, no error), widened with
the square root of the horizon in windows of the full ``window`` (a random walk's spread over
calendar time, also for a launch whose level was read on fewer periods: trial 12's launches,
18-28 days old, had their P90 276 days ahead past 10x their largest day and were held flat by
the guard in a run through 618 only). A level read on fewer periods than ``window`` (a series too
short for its own model, which the core sends here with its pooled prior) is itself uncertain: its
standard error (``level_spread``) is one error every period shares, ``Prediction.season_spread``,
which a window total's band adds.

Source: the "mean" and "seasonal window average" benchmarks of Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice* (3rd ed.), section 5.2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

from workbench.calendar import RetailCalendar
from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.errors import CalendarRangeError
from workbench.forecast.conformal import MIN_CHANGE_UNITS, widened_offsets
from workbench.forecast.features import event_offsets
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero, count_band, count_dispersion)
from workbench.forecast.models.launch import LaunchCurve, pre_launch_rise
from workbench.forecast.models.lunar import WINDOWS as FESTIVAL_FREQUENCIES, LunarEffect, festival_lift
from workbench.forecast.models.own_lift import OwnLifts, own_lifts
from workbench.forecast.models.pool_season import SeasonShare, shares_season
from workbench.forecast.models.regime import nondaily_start
from workbench.forecast.models.unseen import borrow_unseen
from workbench.forecast.text import readable

WINDOW = {"D": 56, "W": 8, "MS": 3, "QS": 2}
YOUNG_DAYS = 364  # days since its first sale under which a daily series has no season of its own
MIN_WEEKDAY_UNITS = 20.0  # expected units per weekday in the window for a weekday pattern
OWN_SMOOTH = 7  # days of the centred mean a series' own path a year back is read on: a week, its events kept


class RecentLevel(Forecaster):
    """Flat recent mean (x weekday pattern, x pooled event uplift); see the module docstring.

    Parameters
    ----------
    window : periods averaged (default 56 days, 8 weeks, 3 months or 2 quarters by frequency).
    prior : a ``PooledPrior`` (``event_profile``'s, fitted on the sum of all series), or None.
    launch_curve : the panel's ``LaunchCurve`` (the core's), or None: a launch is held flat.
    pooled_path : whether a young daily series may follow ``prior``'s path where it shares its
        season (False: its level held, the guard's fallback after a refusal along that path).
    own_season : follow the series' own path of a year before (``own_path``; daily data, a series
        that sold a year and half a window ago): the guard's fallback for a refused forecast.
    lunar_prior : a pooled ``lunar.LunarEffect`` (``ets``'s, fitted on a panel's sum; the core
        passes it to the guard's fallback at weeks and months), or None: the festival's effects
        at their dates are the weekly and monthly series' pooled uplift (``_pooled_uplift``).
    own_events : daily data: each event's uplift is the pooled one times the series' own lift
        over it, counted on its past windows (``own_lift.own_lifts``), and the level is read net
        of both; ``event_profile`` asks it for the intermittent series it hands over.
    """

    name = "recent_level"

    capabilities = Capabilities(events=True, baseline=True, launch_param="launch_curve")

    def __init__(self, window: int | None = None, prior=None, launch_curve: LaunchCurve | None = None,
                 pooled_path: bool = True, own_season: bool = False, lunar_prior: LunarEffect | None = None,
                 own_events: bool = False):
        self.window = window
        self.prior = prior
        self.lunar_prior = lunar_prior
        self.launch_curve = launch_curve
        self.pooled_path = pooled_path
        self.own_season = own_season
        self.own_events = own_events

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        # not its pre-launch zeros (nor a partial launch period): a slow seller launched a month ago is
        # no launch of the curve (``launch.not_a_launch``), and the zeros before its first sale no level
        first = nondaily_start(self.y_, freq) if freq != "D" else int(np.argmax(self.y_ > 0))
        since = len(self.y_) - first
        width = min(self.window or WINDOW.get(freq, 8), max(since, 1))
        self.start_ = self.launch_age_ = None  # a launch's start (index) and its level's age (periods)
        self.launch_rise_ = 0.0  # the rise it made before its start (a slow start's trickle), of the curve's
        curve = self.launch_curve
        start = curve.start_of(self.y_, self.ds_) if curve is not None else None  # growth only if usable
        if start is not None:
            width = min(width, len(self.y_) - start)  # the zeros (or partial period) before it are no level
            self.start_, self.launch_age_ = start, len(self.y_) - start - 1 - (width - 1) / 2
            self.launch_rise_ = pre_launch_rise(self.y_, start, freq)
        recent = self.y_[-width:]
        # a daily series first sold under a year ago has no season of its own: it may follow the pooled path,
        # and the pooled uplift is its events' whole evidence
        self.young_ = freq == "D" and self.prior is not None and len(self.y_) - first < YOUNG_DAYS
        self.path_days_ = _day_numbers(self.ds_[-width:]) if self.young_ and self.pooled_path else None
        # its own lift over the pooled uplift in the event windows it saw (counted: ``own_lift``)
        self.own_ = own_lifts(self.y_[first:], self.ds_[first:], self.calendar_, self._pooled_uplift(self.ds_[first:])) \
            if self.own_events and freq == "D" else OwnLifts()
        uplift = self._event_uplift(self.ds_[-width:])
        self.event_days_ = int((uplift != 0.0).sum())
        self.width_ = width
        # a launch's days ramp along the curve: that rise is neither event nor error of the level
        ramp = np.zeros(width)
        if self.launch_age_ is not None:
            ages = len(self.y_) - self.start_ - width + np.arange(width)
            ramp = curve.growth(self.launch_age_, ages, level=np.log(recent.mean()) if recent.any() else None,
                                made=self.launch_rise_)
        lift = self._read_level(recent, uplift, ramp)
        self.season_ = self._season_share(first) if self.path_days_ is not None else None
        if self.season_ is not None and self.season_.share > 0 and self.path_days_.min() >= min(self.prior.recent,
                                                                                                 default=np.inf):
            # the pool's path over the days read, as far as it is the series' season: a winter launch read
            # over its first weeks of season and Double 11 is no level that rise and lift both hold
            pool = self.prior.level(self.path_days_)
            lift = self._read_level(recent, uplift, ramp + self.season_.share * (pool - pool.mean()))
        fitted = self.level_ * lift * (self.weekday_[self.ds_[-width:].dayofweek.to_numpy()] if freq == "D" else 1.0)
        self.log_errors_ = np.log1p(recent) - np.log1p(fitted)
        self.dispersion_ = count_dispersion(recent)  # None: not small counts
        return self

    def _read_level(self, recent: np.ndarray, uplift: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """Set ``level_``, ``uplift_share_`` and ``weekday_`` from the days read, ``recent``
        (units, shape (width,)), given the pooled log ``uplift`` and the known log ``offset`` (a
        launch's ramp along the curve, the pool's path over them: its level's age and the pool's
        mean over them are where the forecast grows from) on each; returns each day's multiple of
        the level, ``exp(share * uplift + offset)`` (shape (width,))."""
        # with its own lifts measured the uplift is the series' own, net of which the level is read whole
        self.uplift_share_ = 1.0 if self.own_.lift else uplift_share(recent, uplift, offset)
        lift = np.exp(self.uplift_share_ * uplift + offset)  # the share of the pooled uplift the series shows
        self.level_ = float(recent.sum() / lift.sum())
        self.weekday_ = np.ones(7)
        width = len(recent)
        if self.freq_ == "D" and width >= 14 and self.level_ * width / 7 >= MIN_WEEKDAY_UNITS:
            dow = self.ds_[-width:].dayofweek.to_numpy()
            self.weekday_ = np.array([recent[dow == d].sum() / lift[dow == d].sum() / self.level_
                                      if (dow == d).any() else 1.0 for d in range(7)])
        return lift

    def _season_share(self, first: int) -> SeasonShare:
        """Whether the pooled path is this young series' season (``pool_season.shares_season``)
        on its days since its first sale (index ``first``; since its launch for a launch) outside
        the pooled event spans, offset by its weekday pattern and its ramp along the launch curve."""
        start = first if self.start_ is None else max(first, self.start_)
        idx = np.arange(start, len(self.y_))
        idx = idx[self._event_uplift(self.ds_[idx]) == 0.0]
        week = self.weekday_[self.ds_[idx].dayofweek.to_numpy()]
        offset = np.log(np.where(week > 0, week, 1.0))
        if self.launch_age_ is not None:  # a ramp along the panel's curve is no season
            offset = offset + self.launch_curve.growth(self.launch_age_, idx - self.start_,
                                                       level=np.log(self.level_) if self.level_ > 0 else None,
                                                       made=self.launch_rise_)
        return shares_season(self.prior, _day_numbers(self.ds_[idx]), self.y_[idx], offset)

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        base = np.full(horizon, self.level_)
        if self.freq_ == "D":
            base = base * self.weekday_[future.dayofweek.to_numpy()]
        own = own_path(self.y_, self.width_, horizon) \
            if self.own_season and self.freq_ == "D" and self.start_ is None and self.path_days_ is None else None
        uplift = self._event_uplift(future) if own is None else np.zeros(horizon)  # its own year holds its events
        borrowed = None
        if self.freq_ == "D" and self.prior is not None and own is None:  # an event the pooled profile never saw
            borrowed = borrow_unseen(self.prior.uplift, event_offsets(future, self.calendar_), future,
                                     self.ds_[-1], self.calendar_, self.name)
            uplift = uplift + borrowed.uplift
        netted = "its own event lifts" if self.own_.lift else f"{self.uplift_share_:.0%} of the pooled event uplift"
        net = f" net of {netted} on {self.event_days_} of them" if self.event_days_ else ""
        growth = spread = None
        read = f"mean of the last {self.width_} periods{net} ({readable(self.level_)})"
        said = []
        path = self.prior.change(self.path_days_, _day_numbers(future)) \
            if self.path_days_ is not None and self.season_.share > 0 else None
        path = None if path is None else self.season_.share * path
        if own is not None:  # an established series' own year, its events too, not its level held flat
            base = base / self.level_ * own if self.level_ > 0 else base * 0.0
            said.append(f"following its own path of a year before, its events too ({readable(own.min())} to "
                        f"{readable(own.max())} a day over the horizon)")
        if path is not None:  # a young series follows the pooled path (its seasonal shape and growth), as event_profile's
            base = base * np.exp(path)
            said.append(f"under a year since its first sale: following the pooled series' seasonal path and growth "
                        f"from the days its level was read on (x{np.exp(path.min()):.2f} to x{np.exp(path.max()):.2f} "
                        f"over the horizon; {self.season_.said})")
        elif self.season_ is not None:
            said.append(f"under a year since its first sale: its level held, not laid along the pooled series' "
                        f"seasonal path ({self.season_.said})")
        if self.launch_age_ is not None:  # a launch: up the panel's launch curve from its level's age
            since = len(self.y_) - self.start_
            level = np.log(self.level_) if self.level_ > 0 else None
            ages = since + np.arange(horizon)
            growth = self.launch_curve.growth(self.launch_age_, ages, level=level, made=self.launch_rise_)
            spread = self.launch_curve.growth_spread(self.launch_age_, ages, level=level, made=self.launch_rise_)
            ramp = np.exp(growth)
            base = base * ramp
            read = (f"mean of the last {self.width_} periods since the launch on {self.ds_[self.start_].date()}{net} "
                    f"({readable(self.level_)})")
            said.append(f"growing by x{ramp[-1]:.2f} over the horizon along {self.launch_curve.describe()}"
                        f"{self.launch_curve.made_words(self.launch_rise_)}"
                        if self.launch_curve.usable else
                        f"{'not ramped up' if said else 'held flat'}: no pooled launch curve "
                        f"({self.launch_curve.describe()})")
        if self.lunar_prior is not None and self.freq_ in FESTIVAL_FREQUENCIES and uplift.any():
            said.append(f"with the pooled Spring Festival and New Year sale effects at this year's dates "
                        f"({self.lunar_prior.describe()})")
        if self.own_.lift and own is None:
            said.append(f"its own event lifts over the pooled profile, counted on its past windows: "
                        f"{self.own_.describe(self.calendar_)}")
        notes = [f"{self.name}: {read}, {'; '.join(said)}" if said else f"{self.name}: flat {read}, no growth"]
        mean = base * np.exp(uplift)  # the uplift is a log ratio to the baseline
        # a walk's step is calendar time (the full window), not the few days a launch's level was read on:
        # those had a launch's P90 276 days ahead at x30 its mean, refused by the guard (trial 12 F8)
        steps = np.sqrt(np.maximum(np.arange(1, horizon + 1) / (self.window or WINDOW.get(self.freq_, 8)), 1.0))
        if self.dispersion_ is not None:
            qs = count_band(mean, self.dispersion_, quantiles)
        else:
            qs = {}
            for q in quantiles:
                e = float(np.quantile(self.log_errors_, q)) if len(self.log_errors_) >= 7 else (q - 0.5)
                qs[q] = censored_at_zero(np.expm1(np.log1p(mean) + e * steps))
        event_spread = None
        if borrowed is not None:
            notes += borrowed.notes  # also an event without a kind: forecast flat, and said so
        # an own lift's remaining noise and a borrowed uplift's spread: level errors of a window no refit measured
        unmeasured = self.own_.on(future, self.calendar_)[1] if own is None else np.zeros(horizon)
        if borrowed is not None:
            unmeasured = np.hypot(unmeasured, borrowed.spread)
        if unmeasured.any():
            event_spread = unmeasured
            centre = np.log1p(mean)
            wide = widened_offsets({q: np.log1p(v) - centre for q, v in qs.items()}, event_spread)
            qs = {q: censored_at_zero(np.expm1(centre + d)) for q, d in wide.items()}
        full = self.window or WINDOW.get(self.freq_, 8)
        short = level_spread(self.y_[-self.width_:], self.log_errors_, self.dispersion_) if self.width_ < full else 0.0
        if short > 0:
            notes.append(f"{self.name}: its level read on {self.width_} periods, under the {full} it reads on: "
                         f"window bands widened by its standard error (+-{short:.2f} log)")
        return Prediction(future, mean, qs, notes, base, launch_growth=growth, path_change=path, launch_spread=spread,
                          event_spread=event_spread, pooled_uplift=self._pooled_rise(path, uplift),
                          season_spread=np.full(horizon, short) if short > 0 else None)

    def _pooled_rise(self, path: np.ndarray | None, uplift: np.ndarray) -> np.ndarray | None:
        """``Prediction.pooled_uplift`` of a young series (None otherwise): the pooled ``uplift``
        it borrows (log, shape (horizon,)) plus its ``path`` (log change from its level's days),
        each day's no higher than the pooled baseline's highest over its history (``prior.recent``)
        above its level on those days: a rise the pool itself never made is no evidence."""
        if not self.young_:
            return None
        if path is None:
            return uplift
        seen = max(self.prior.recent.values()) - float(self.prior.level(self.path_days_).mean())
        return uplift + np.minimum(path, self.season_.share * seen)

    def _event_uplift(self, dates) -> np.ndarray:
        """Log uplift on each of ``dates`` (shape (len(dates),)): the pooled one
        (``_pooled_uplift``) plus the series' own lift over it (``own_``; daily data)."""
        uplift = self._pooled_uplift(dates)
        return uplift + self.own_.on(dates, self.calendar_)[0] if self.own_.lift else uplift

    def _pooled_uplift(self, dates) -> np.ndarray:
        """Log uplift of the pooled profile (``prior.uplift``) on each of ``dates`` (daily data;
        shape (len(dates),)); zeros outside event spans, at offsets the profile has no value for,
        without a prior and for quarterly data. At weeks and months, the pooled Spring Festival and
        New Year sale effects (``lunar_prior``) at their windows' dates, whole (uncentred: a
        level has no season to hold their average; ``lunar.festival_lift``), or zeros without
        one: a young weekly launch held flat missed its New Year sale (trial 12's launches,
        -54..-56% in its window)."""
        uplift = np.zeros(len(dates))
        if self.freq_ in FESTIVAL_FREQUENCIES and self.lunar_prior is not None and len(dates):
            try:
                return festival_lift(pd.DatetimeIndex(dates), self.freq_, self.calendar_, centred=False,
                                     spans=self.lunar_prior.spans)(self.lunar_prior.beta)[0]
            except CalendarRangeError:  # dates outside the calendar's years: no festival is known there
                return uplift
        if self.freq_ == "D" and self.prior is not None:
            for name, off in event_offsets(dates, self.calendar_).items():
                profile = self.prior.uplift.get(name, {})
                for i in np.flatnonzero(~np.isnan(off)):
                    uplift[i] += profile.get(int(off[i]), 0.0)
        return uplift


def own_path(y, width: int, horizon: int) -> np.ndarray | None:
    """A daily series' own path of a year before: for each of the ``horizon`` days after ``y``'s last
    the centred ``OWN_SMOOTH``-day mean of ``y`` ``SAME_WEEKDAY_DAYS`` days before it (a day past a year
    ahead, its place in the last year), times the mean of its last ``width`` days over that of
    the same days a year back (of the part of them the history holds, half at least: a history
    from July cut in late August, trial 13 F11; a lunar festival stays at last year's dates), read
    over the last 91, 182 or 364 days instead where those hold under ``MIN_CHANGE_UNITS`` units
    together, and as 1 where none the history holds does (an off season's few units are noise: a
    winter knit cut in September, 0.1 a day, had its next winter at x0..x2.08 over 20 seeds); shape
    (horizon,), units a day >= 0. None when the series did not sell over those days a year back
    (a series first sold under a year and half a ``width`` ago has no season of its own).
    ``y``: units per day, shape (n,).
    Source: the seasonal naive method, Hyndman & Athanasopoulos, *Forecasting: Principles and
    Practice* (3rd ed.), section 5.2, read as a ratio to the level, smoothed."""
    n = len(y)
    first = int(np.argmax(np.asarray(y) > 0))
    held = min(width, n - SAME_WEEKDAY_DAYS - first)
    if held < (width + 1) // 2:
        return None
    y = np.asarray(y, float)
    if not y[n - SAME_WEEKDAY_DAYS - held:n - SAME_WEEKDAY_DAYS].sum() > 0:
        return None
    change = 1.0  # too few units over any span the history holds a year back: last year's path as it was
    for days in [held, *(d for d in (91, 182, 364) if held < d <= n - SAME_WEEKDAY_DAYS - first)]:
        back, last = y[n - SAME_WEEKDAY_DAYS - days:n - SAME_WEEKDAY_DAYS].sum(), y[n - days:].sum()
        if back > 0 and back + last >= MIN_CHANGE_UNITS:
            change = last / back
            break
    smooth = pd.Series(y).rolling(OWN_SMOOTH, center=True, min_periods=1).mean().to_numpy()
    return smooth[n - SAME_WEEKDAY_DAYS + np.arange(horizon) % SAME_WEEKDAY_DAYS] * change


def level_spread(recent, log_errors, dispersion: float | None) -> float:
    """The standard error (log) of a level read as the mean of ``recent`` (units per period,
    shape (k,)): for small counts (``dispersion``, their variance-to-mean ratio, floored at a
    Poisson count's 1) ``sqrt(dispersion / sum(recent))``, the relative error of a count's mean;
    otherwise the standard deviation of the periods' ``log_errors`` (log ratios to the fitted
    level, shape (k,)) over ``sqrt(k)``. 0 for no units or fewer than 2 periods. It is shared by
    every period ahead: a window total's band adds it (``Prediction.season_spread``) where the
    level was read on fewer periods than ``WINDOW`` (a series too short for its own model).
    Source: the standard error of a mean (a Poisson count's: its variance is its mean)."""
    recent = np.asarray(recent, float)
    total = float(recent.sum())
    if total <= 0 or len(recent) < 2:
        return 0.0
    if dispersion is not None:
        return float(np.sqrt(max(dispersion, 1.0) / total))
    return float(np.std(log_errors, ddof=1) / np.sqrt(len(log_errors)))


def _day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 of ``dates`` (the keys of ``PooledPrior.path``), shape (len(dates),)."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


def uplift_share(y, uplift, offset=None) -> float:
    """The share in [0, 1] of a pooled log uplift that a series shows: the Poisson maximum
    likelihood ``b`` of ``y[t] ~ level * exp(b * uplift[t] + offset[t])`` with ``level`` profiled
    out, i.e. the maximiser of ``b * sum(y * uplift) - sum(y) * log(sum(exp(b * uplift + offset)))``
    (concave in ``b``). The offset holds what else moved the days: a launch ramping up through
    the Double 11 it launched into shows little of the lift without it (a winter duvet launched
    in October read 28% of it and was forecast +268% for the New Year sale, trial 13 F13).

    Parameters
    ----------
    y : array (n,), units per period (>= 0).
    uplift : array (n,), the pooled profile's log uplift on the same periods (0 off events).
    offset : array (n,), known log multipliers of the same periods (None: zeros).

    Returns
    -------
    float in [0, 1]: 0 when nothing sold or the uplift is constant over the periods (nothing to
    read a share from), 1 when the series follows the pooled uplift fully or more.

    Source: maximum likelihood for a log-link Poisson GLM with an offset (McCullagh & Nelder,
    *Generalized Linear Models*, 1989, ch. 6), bounded to [0, 1].
    """
    y, uplift = np.asarray(y, float), np.asarray(uplift, float)
    offset = np.zeros(len(y)) if offset is None else np.asarray(offset, float)
    total = y.sum()
    if total <= 0 or np.ptp(uplift) == 0:
        return 0.0

    def loss(b):
        return total * logsumexp(b * uplift + offset) - b * float(y @ uplift)

    return float(minimize_scalar(loss, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-4}).x)
