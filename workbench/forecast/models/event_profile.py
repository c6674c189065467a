"""Event-profile decomposition (``event_profile``): the workbench's default model of daily demand.

On ``log1p(y)`` the history is split into

    weekday effect + smooth baseline level L(t) + event uplift u_e(offset from the event's anchor)

* the weekday effect is the median deviation of each weekday from a centred weekly mean;
* L is a centred running median over days outside every event span, interpolated across each
  span between two anchors, the medians of the quiet days on either side (``_anchor_spans``);
  across a moving festival's span (Spring Festival's, a lunar event's) where the anchor after
  lies below the anchor before (a winter duvet's season ends there), L holds the anchor before
  until the days show the fall and falls from there (``_season_moves``), and a forecast reads
  last year's L at the same offset from the festival where that differs from the day a year back
  (``_aligned_refs``): the uplift is read and laid on the same line; a history that ends inside
  a span no earlier occurrence measured reads the days after its windows (the span's margin) as
  quiet (``open_span_tail``): L is not held at the level before the span to the cut-off;
* u_e is the mean excess over L at each day offset from the anchor (June 18, Nov 11, Spring
  Festival — a lunar date — May 1, Oct 1), averaged over the event's past occurrences and,
  when ``prior`` is given (a ``PooledPrior`` fitted on the sum of all series by the core),
  shrunk towards its profile as far as its own is within its noise of it (``_pool_profile``:
  an empirical Bayes weight of at most ``prior_weight`` occurrences); then each offset's
  deviation from the profile's centred weekly mean is shrunk by its own size against the day
  noise of a mean over that many occurrences (``_shrink_profile``: a profile seen once would
  otherwise repeat that year's day noise as the event's shape), or against the spread of its
  occurrences where they disagree beyond that noise (a one-off live-stream spike in one year's
  span is not the event's shape). A day at an offset seen in one year alone, a one-day jump
  beyond the noise that the calendar does not name, keeps only what the series' quiet days'
  own jumps do not explain (``_one_off_part``: a live-stream shop's event seen once).

Young and changing series (``workbench.forecast.models.regime``): the history before the series'
start (its first sustained non-zero) is dropped; a series that stopped is forecast at zero; and
level and growth come from the current regime only (since the start or the last level shift; the
regime is read on the days outside the shipped calendar's event spans, so a planner's own event
moves no window it does not overlap through it):

* a regime of at least a year (plus four weeks) lays last year's baseline (same weekday, 52 weeks
  back) over the horizon and adds the year-on-year growth of the baseline over the latest quiet
  days of the regime (at least ``growth_window``, as many as bring its standard error to
  ``GROWTH_SE``, at most ``MAX_GROWTH_DAYS``; with too few quiet pairs, as at a cut-off in the
  Spring Festival span with about a year of history, event-aligned pairs count too:
  ``_yearly_growth``), a growth that halves every ``growth_halflife`` days. The half-life is
  chosen per series from its own rolling-origin refits (the same refits that calibrate the
  quantiles): the candidate of ``GROWTH_HALFLIVES`` (90, 180, 365 days or
  none) whose refits forecast the days to the end best, so a steady growth persists and a fading
  one is damped (a fixed 240-day half-life put steadily growing series 3-4% low). A level step
  under the regime's factor 1.5 (a price rise) sits in the differences since it; where the last
  year's quiet pairs show one (``models.year_step``: a change point of their weekly means that
  a line does not explain, and in which year the level shows it), the growth is read net of it
  and this year's step is added, whole, only to the days whose year-ago day lies before it
  (``_past_step``): once the year-ago days pass it, last year's baseline holds it (counted
  again, a -20% step put the next 618 10% low);
* a younger regime, and a series launched within the history, starts from its current level
  (the mean of its last ``RECENT_DAYS`` quiet weekday-adjusted days) and follows the pooled
  series' baseline path (``prior.path``: the seasonal shape and growth of the sum of the
  established series, as the core gives it), its change laid on the series' units
  (``on_counts``), or stays flat without one; with a year of history
  before it, its own season rides on that path (``_one_year_season``: its share of the pooled
  series on the same days a year before, shrunk by its noise, the window bands widened by it: a
  shop's sunscreen, its one summer read as level shifts, had followed a flat shop's path into the
  autumn at its August level). A launched series
  (zeros before its start, or a history that starts after the panel's: ``launch_curve``, the
  panel's pooled launch curve the core measures, ``models.launch``) also climbs that curve
  from the age of its current level; the level shifts found before the curve's plateau are
  its ramp, not shifts, and its days up to the plateau give no year-before day of a growth
  pair (a ramp read as year-on-year growth put a launch past its ramp 25% high on the seeded
  panel of ``tests/forecast/test_launch.py``). A launch under a year old without a usable curve
  (a shop under a year old has too few launches for one) carries its own rise instead, where
  the quiet days of its current regime show a significant one, levelling off to a plateau
  (``models.rise``, ``_own_rise``: read net of the pooled path where that path has a year of
  its own, which it then follows; a pool under a year old lays its slope, a season and its
  launches' growth in one, and the launch's own rise replaces it): held at its current level,
  a seeded young shop's launches still on their ramp were forecast 24-31% low for 618 and 双11
  (``benchmarks/growing_shop.py``). (A series with volume
  from the first day of a history shorter than a year is not young: the data is; its growth is
  ``trend_shrink`` of its recent slope, halving every ``SLOPE_HALFLIFE`` days.) A path laid over
  last year's baseline starts where the series stands since the last event span: the gap between
  the quiet days since the span and last year's baseline on the same days plus the growth, kept
  as far as it stands out of the day noise and fading as the growth does (``_start_step``: lines
  launched or stopped inside a span move the level after it, which growth pairs from before the
  span, or a slope, miss). A series
  younger than a year also takes the pooled event profiles as they are (its own few event
  days, often in its launch ramp, are not evidence), except an event it saw: a planner's own is
  tested on its own windows first (below), and so is each shipped sale (``_young_shipped``): where
  its window reacted, the pool's shape at a lift between the pool's and its own (a 年货 gift box
  first sold three weeks before its first 年货节, x20 in it, had taken its category's x2.4 and
  was forecast at 7% of the next, trial 12); where it did not, the pool's whole.
* a history that opens with a ramp (a shop's first weeks: ``_flatten_opening``) is read at the
  level the ramp reached: each ramp day is raised by its gap below that level
  (``regime.ramp_gaps``) before the decomposition, and a level shift found inside the ramp is
  the ramp. So the opening is no level shift, no part of last year's
  baseline under a path a year later, and no event uplift where a span falls inside it; its days
  still give no year-before day of a growth pair (a level it reached is not one measured a year
  before). A series that started before the pooled series' ramp ended takes that ramp's shape
  (``PooledPrior.opening``), scaled to its own quiet days: the pooled path is read the same way.

A planner's own event (a calendar's event beyond the shipped ones: 中秋) lifts a series only
where its own history reacted to it (``_reaction``: the mean excess over its windows seen,
against placebo spans of its quiet days; a series that never reacted gets no uplift, nor the
pool's). A series under a year old is tested the same way on the windows it saw; one that
reacted takes the pool's profile (too few windows for a shape of its own), and only one with no
window of the event takes the pool's untested. A note says how far the event moves the
forecast's days and which case (``_own_event_notes``).

An event that neither the series nor the pooled prior it took ever saw (618 for a shop eight
months old) borrows, in the forecast (not in the refits, whose errors calibrate the bands as
before), the uplift of the seen events of its kind with its band widened by their spread
(``models.unseen.borrow_unseen``); with nothing of its kind seen, no uplift and a band widened
by the measured size of the kind's uplift, and a note says which.

The point forecast is the mean of the day: the log-space forecast (a median) times Duan's
smearing factor of the refits' day-to-day errors (``smearing_``), since forecasts are summed over
days, series and levels and a sum of medians is biased low. A series' one-off days
(``one_off_``: a live-stream shop's x2-x5 days, about three random days a month, on no calendar;
found where the quiet days jump beyond the day noise more often than chance gives:
``_jump_days``) recur at their rate, not at their dates: they are no part of an event's shape
(their jump is left out of the profiles where another occurrence of the offset does not jump,
as ``_one_off_part`` does for offsets seen once), nor of a refit's weekly level error, nor of a
young series' current level, and the smearing factor keeps them whole (no clip). So the
forecast is level x weekday x event x the mean of the day noise, one-off days included, spread
over every day (a seeded live shop's window total: docs/benchmarks.md, "A live-stream shop's one-off
days stay in the mean").

Quantiles are conformal (``workbench.forecast.conformal``): the model refits itself at
``calibration_origins`` rolling origins ``calibration_step`` days apart before the end of the
history (6 x 42 days: paths reach 252 days back, so four of them measure the 90-150 day horizons
of a plan three months ahead) and forecasts to the end; the spread of those log errors around
their median, per horizon band, is the band around the point forecast (``conformal_offsets``,
centred: the refits' median error is one level error they all share, since they all end on the
same days), a band's level errors (each refit's weekly mean error) convolved with the day noise
of all the refits' days (a band's own days are one stretch of the calendar), its level variance
shrunk toward the other bands' by the number of refits that measured it (``LEVEL_PRIOR_REFITS``;
two refits do not measure a spread). An event day's spread is ``1 + k |uplift|`` times a quiet day's, with ``k`` fitted
on the refits' own event days (``scale_slope``); without enough event days among them, the
pooled series' ``k`` (``PooledPrior.spread_slope``) as the same event error in log points
(times the pooled series' day noise over the series' own: ``_borrowed_slope``), else none
(``k = 0``: no evidence that event days err more; an assumed ``k = 1`` had put the parcels'
Spring Festival 2022 at 95% on its event days). A
refit's error on an event day it had no profile for (a short history had not seen the event)
calibrates only the future days the model has no profile for either (``_band_offsets``); beyond
the horizons measured, the refits' day noise stays and only the rest of the spread grows, as a
random walk's (an event day's ``1 + k |uplift|`` widens the spread as measured, not that
growth). A refit
needs 8 weeks of the current regime and half a year of history, or, for a series launched
within the history, 8 weeks since the launch (``_refits``). A series without refits takes its
in-sample errors on quiet days, widened by half. The band is
around the log-space forecast (the P50 is a median); the point forecast is the mean (Duan's
smearing factor of the refits' day noise, ``_smearing``). Measured and rejected on the parcel
backtests (docs/benchmarks.md): a smearing factor of the refits' whole errors, level errors
included (a shifted origin got x1.18), and correcting the level by past errors (at long
horizons they are level errors of refits on less history; they over-correct young series).

It declares daily data and 8 weeks of history (``capabilities``); the core sends other series
to its fallback model. A series with 8 weeks of history but fewer since its start (a launch),
and an intermittent series (its last ``INTERMITTENT_DAYS`` days have an average interval
between sales of ``INTERMITTENT_ADI`` days or more: Syntetos & Boylan's cut-off between smooth
and intermittent demand, "The accuracy of intermittent demand estimates", IJF 21, 2005; the
log of counts of 0, 1 or 2 has no useful median; not a yearly off season, the same months off in
two years: ``yearly_season.yearly_off``, nor a yearly low season, a summer line's winter trickle:
``yearly_season.low_season``, whose season is read along last year's path), are forecast by ``recent_level`` with the
pooled event profile (a launch along the panel's launch curve), and the notes say so; an intermittent
series' events at the pooled uplift times its own lift over it, counted on its past windows
(``own_lift``: a SKU selling on 60-75% of its days with a strong 年货节 of its own had been forecast a
third below its last one at a flat shop's lift, user trial F5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import pdtr, pdtrc
from scipy.stats import chi2, f as f_dist, norm
from scipy.stats import t as t_dist

from workbench.calendar import RetailCalendar
from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.data.validate import consecutive_runs
from workbench.errors import ModelError
from workbench.forecast.conformal import (DAY_WINDOW, MAX_SCALE_SLOPE, MIN_BAND_ERRORS, conformal_offsets, day_noise,
                                          day_parts, scale_slope, widened_offsets, wiener_factor)
from workbench.forecast.features import (JOINED_PROFILES, PROFILE_EVENTS, event_offsets, in_event_span, named_days,
                                        profile_label, profile_parts, window_days)
from workbench.forecast.metrics import robust_sd
from workbench.forecast.models.base import DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction, censored_at_zero
from workbench.forecast.models.intermittent import INTERMITTENT_ADI, INTERMITTENT_WINDOW
from workbench.forecast.models.recent_level import RecentLevel
from workbench.forecast.models.launch import LaunchCurve, launch_of, pre_launch_rise
from workbench.forecast.models.naive import SeasonalNaive
from workbench.forecast.models.pool_season import SeasonShare, shares_season
from workbench.forecast.models.regime import (MIN_SHIFT, OPENING_GAP, SHIFT_Z, describe_stop, detect_regime,
                                              opening_ramp, ramp_gaps)
from workbench.forecast.models.rise import OwnRise, own_rise
from workbench.forecast.models.unseen import TAU, borrow_unseen
from workbench.forecast.models.year_step import year_step
from workbench.forecast.models.yearly_season import low_season, yearly_off

SPAN = 400  # event offsets lie within this many days of their anchor
PATH_DAYS = 2 * SAME_WEEKDAY_DAYS  # days of the pooled baseline path a pooled model publishes
# days before its last day of the pooled baseline a pooled model publishes: a young series' level is
# read on its last RECENT_DAYS quiet days, which the event spans push back up to 139 days on the
# default calendar (a cut-off after the couriers' pause: Double 11, 双12, the New Year sale and the
# pause stacked); a year covers any calendar's
RECENT_PATH_DAYS = SAME_WEEKDAY_DAYS
# a season read from one year (``EventProfile._season_year``) moving the path by this share or more is noted;
# it is read only where its share's moves are significant against its noise at SEASON_ALPHA (chi-squared),
# on MIN_SEASON_DAYS quiet days or more clear of the current regime's shift (8 weeks, as a regime needs; 22
# days of a shop's opening weeks had passed for a +34% season)
SEASON_NOTE, SEASON_ALPHA, MIN_SEASON_DAYS = 0.05, 0.01, 56
# the profiles of the shipped calendar: the regime is read on the days outside their spans only, so a
# planner's own event (中秋) changes no window it does not overlap through the series' regime
SHIPPED_PROFILES = frozenset(PROFILE_EVENTS) | frozenset(JOINED_PROFILES)
SHIPPED_EVENTS = frozenset(event for event, _, _ in PROFILE_EVENTS.values())  # the calendar events they hold
# a planner's event's mean excess, in standard errors, that is a reaction: 5%, one-sided in the
# direction its kind says (a sale lifts, a pause lowers), two-sided otherwise
REACTION_ALPHA = 0.05
REACTION_SIGN = {"sale": 1, "pause": -1}
IN_SAMPLE_HORIZON = 45  # days: the horizon in-sample errors (widened) stand for
IN_SAMPLE_WIDENING = 1.5  # in-sample errors times this stand for out-of-sample ones (no refits)
MIN_SAME_PATH_REFITS = 2  # refits of the forecast's path kind that calibrate it without the others
# F-test: the other kinds' level errors significantly larger than the forecast kind's (5%: with 2-4 refits a
# kind, 1% kept refits x20-x50 off in a third of a seeded young shop's winter lines: ``_same_path_refits``)
OTHER_PATH_ALPHA = 0.05
RECENT_DAYS, MIN_RECENT_DAYS = 28, 7  # quiet days that give a young regime's current level
# an event's after-lull (``EventProfile._unrepeated_lull``): the LULL_DAYS days after a span whose first
# LULL_TEST days sit clearly below the LULL_DAYS after them (LULL_Z standard errors); the occurrence a
# year before the last span is the one whose span ended within LULL_MATCH days of a year before it
LULL_DAYS, LULL_TEST, LULL_Z, LULL_MATCH = 28, 14, 2.0, 45
# a series whose last INTERMITTENT_DAYS days of the regime have an average interval between sales
# of INTERMITTENT_ADI days or more is intermittent (Syntetos & Boylan's cut-off, 2005; one home: intermittent.py)
INTERMITTENT_DAYS = INTERMITTENT_WINDOW["D"]
SMEARING_DAYS = DAY_WINDOW  # days: a refit's errors less their centred weekly mean are its day noise
# robust sds (1.4826 x median absolute deviation) beyond which a refit's day error is a miss (a
# week closed, a profile that did not repeat), not day noise: clipped there in the smearing factor
SMEARING_CLIP = 3.0
# half-lives (days) of the year-on-year growth measured at the cut-off, chosen per series on its
# refits (None: the growth persists)
GROWTH_HALFLIVES = (90.0, 180.0, 365.0, None)
DEFAULT_HALFLIFE = 365.0  # days: without refits to choose from (nor a pooled choice)
# days: half-life of a growth taken from the slope of less than a year of history, where season
# and trend cannot be told apart (the slope must not be carried far)
SLOPE_HALFLIFE = 90.0
GROWTH_SE = 0.03  # target standard error of the year-on-year growth (log points)
MAX_GROWTH_DAYS = 182  # quiet day pairs the growth is averaged over, at most
# days after a launch or a level shift that give no year-before day of a growth pair (a launch
# ramps up, a new level settles): the 8 weeks a model needs (``min_history``)
MIN_REGIME_DAYS = 56
MIN_QUIET_DAYS = 14  # days outside event spans a baseline level is read from
# a history that opens with a ramp (a shop's first weeks): its level settles on the first quiet
# day within OPENING_GAP (log) of the median level of the next OPENING_AHEAD quiet days, looked
# for over the first OPENING_MAX days
OPENING_AHEAD, OPENING_MAX = 56, 182
# a history that opens inside an event span opened with a ramp when its first OPENING_WEEK days
# sit more than OPENING_JUMP (log) below the same offsets of the event's next occurrence (more
# than a year's growth)
OPENING_WEEK, OPENING_JUMP = 7, float(np.log(1.5))
# the baseline across an event span runs between medians of quiet days either side: as many days
# as bring their standard error to ANCHOR_SE (log points), within these bounds
ANCHOR_SE, MIN_ANCHOR_DAYS, MAX_ANCHOR_DAYS = 0.03, 7, 28
# offsets of the centred mean an event profile's day-to-day deviations are shrunk towards
PROFILE_WEEK = 7
# an offset's occurrences disagree beyond the day noise when their variance exceeds it at this level
# (chi-squared test): by chance on 1% of a profile's offsets
SPREAD_ALPHA = 0.01
# days either side whose median a day's one-day jump is measured against (``_day_jumps``)
JUMP_SIDE = 5
# a series has one-off days of its own (``_jump_days``) when its quiet days jump beyond the noise's
# 1% bound (and, in counts, beyond a Poisson law's 1% at their sides' level) more often than chance
# gives at this level: a false alarm flags noise days (no clip, no part of a week's level error), so
# it must be rare; a live-stream shop's 3 days a month are ten times the chance count, far beyond it
ONE_OFF_ALPHA = 1e-4
# across a moving festival's span the baseline falls where the days show it (``_season_moves``) when its
# anchor after lies below the anchor before beyond their noise at this level (one-sided). A false fall is
# tested on every moving span of every series and costly: it lays the anchors' noise as a step across the
# span, which the next occurrence reads whole (a flat snack's anchors 2.7 standard errors apart put its next
# Mid-Autumn +25%); a season's end is far beyond it (trial 13's winter duvet and electric blanket: 24, 27)
MOVE_ALPHA = 1e-3
# a moving festival's span day reads last year's baseline at its own offset (``_aligned_refs``) where that
# differs from the day a year back's by more than this (log): without it the parcel origins' bands moved
# (coverage 74.9 -> 74.8 / 82.3 -> 82.0 on b41f056; 75.3 -> 75.2 / 82.7 -> 82.3, Spring Festival WAPE 26.6
# -> 26.7 on 38adaab), with a season's fall it decides nothing (the held stretch reads the same either way)
ALIGN_LOG = 0.1
# quiet days of the regime (with both sides) that a series' one-off days are judged on, at least: a
# rate of a few days a month needs a quarter (a grape season's first 48 days, its opening days
# high, had its smearing x1.34)
MIN_ONE_OFF_DAYS = 91


def on_counts(level, change):
    """A series' log1p baseline ``level`` (log1p of units a day; scalar or array) moved by the log
    ``change`` (scalar or array) of its units: ``log1p(expm1(level) exp(change))``, as an array.

    The pooled path's change is a sum's (where log1p is log); added to the log1p level of a series
    of a few units a day it moves its units further than the pool's moved, a fall far too low and a
    rise too high (trial 17 F6: a summer line launched in spring, its December forecast at 0.32 a
    day against 1.36 sold, its next summer too high)."""
    return np.log1p(np.maximum(np.expm1(level), 0.0) * np.exp(change))


@lru_cache(maxsize=64)
def _offsets(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    return event_offsets(pd.date_range(start, periods=n, freq="D"), calendar)


@lru_cache(maxsize=64)
def _named(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> np.ndarray:
    return named_days(pd.date_range(start, periods=n, freq="D"), calendar)


@lru_cache(maxsize=64)
def _windows(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> np.ndarray:
    return window_days(pd.date_range(start, periods=n, freq="D"), calendar)


@lru_cache(maxsize=64)
def _part_days(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> dict[str, dict[str, np.ndarray]]:
    """The days of each calendar event a shipped profile holds (``features.profile_parts``), over
    ``n`` days from ``start``: profile -> event -> boolean mask (read-only: shared by every series
    of the same dates, as ``_offsets`` is)."""
    days = pd.date_range(start, periods=n, freq="D")
    out = {}
    for name, parts in profile_parts(calendar).items():
        if name not in SHIPPED_PROFILES:
            continue
        out[name] = {}
        for event, before, after in parts:
            mask = ~np.isnan(calendar.event_offsets(days, event, before=before, after=after))
            mask.setflags(write=False)
            out[name][event] = mask
    return out


def open_span_tail(offsets: dict[str, np.ndarray], windows: np.ndarray) -> np.ndarray:
    """Boolean mask (shape of ``windows``) of the days a history ends on inside an event span
    that lie after the last day of every event window in that span (its margin days: ``windows``
    marks the days inside an event's own calendar window, ``features.window_days``), where no
    earlier occurrence in the history holds their offsets and there are at least
    ``MIN_RECENT_DAYS`` of them; none elsewhere.

    Those days are read as quiet days: no other year measured an uplift there, and a baseline
    held across the open span from the days before it carries a level the series has left.
    Trial 17 F4: a young winter line's level was held at its December peak across the
    New Year sale and Spring Festival span (to 14 days after the pause, past the cut-off of
    03-15), read as the baseline of the days after, 19.35 a day against 9.2 over its last
    three weeks; its post-festival fall was read as an event profile of its only occurrence."""
    n = len(windows)
    tail = np.zeros(n, bool)
    span = in_event_span(offsets) if offsets else np.zeros(n, bool)
    if not n or not span[-1]:
        return tail
    start = n - (np.argmin(span[::-1]) if not span.all() else n)  # the open span's first day
    inside = np.flatnonzero(windows[start:])
    first = start + (inside[-1] + 1 if len(inside) else 0)  # after its last window day
    if not len(inside) or n - first < MIN_RECENT_DAYS:
        return tail
    for off in offsets.values():
        seen = off[first:][~np.isnan(off[first:])]
        if len(seen) and np.isin(seen, off[:start]).any():  # another occurrence measured these offsets
            return tail
    tail[first:] = True
    return tail


def _windows_of(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """Each day's window of ``values`` from ``before`` days before it to ``after`` days after it
    (shape (n, before + after + 1), NaN past the ends): the rows a running statistic reads."""
    if not len(values):
        return np.empty((0, before + after + 1))
    padded = np.concatenate([np.full(before, np.nan), np.asarray(values, float), np.full(after, np.nan)])
    return np.lib.stride_tricks.sliding_window_view(padded, before + after + 1)


def _window_medians(values: np.ndarray, before: int, after: int, min_count: int = 1) -> np.ndarray:
    """Running median over each day's window (``_windows_of``) ignoring NaN; NaN where fewer than
    ``min_count`` values. The figures of pandas' ``rolling(...).median()`` (the mean of the two
    middle values of an even count) without its per-call cost, which in the decomposition's
    hot loops (several per refit) had cost more than the arithmetic."""
    rows = _windows_of(values, before, after)
    ordered = np.sort(rows, axis=1)  # NaN last
    count = rows.shape[1] - np.isnan(rows).sum(axis=1)
    at = np.arange(len(rows))
    low, high = np.maximum(count - 1, 0) // 2, count // 2
    with np.errstate(invalid="ignore"):
        return np.where(count >= max(min_count, 1), (ordered[at, low] + ordered[at, high]) / 2, np.nan)


def _centred_sum_count(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Centred running sum of the non-NaN values over ``window`` (odd) and their count (both
    shape (n,); the sum NaN where the count is 0): pandas' ``rolling(window, center=True,
    min_periods=1)`` sum and count, each a convolution with the window's ones (equal to
    rounding)."""
    half, n = window // 2, len(values)
    if not n:
        return np.zeros(0), np.zeros(0, int)
    known = ~np.isnan(values)
    ones = np.ones(window)
    total = np.convolve(np.where(known, values, 0.0), ones)[half:half + n]
    count = np.convolve(known, ones)[half:half + n].round().astype(int)
    return np.where(count > 0, total, np.nan), count


def _centred_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred running median ignoring NaN (at least a third of the window must be present)."""
    after = (window - 1) // 2  # pandas' centring: an even window reaches a day further back
    return _window_medians(values, window - 1 - after, after, max(3, window // 3))


def _centred_mean(values: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Centred running mean of a complete series; NaN where fewer than ``min_count`` values."""
    half = window // 2
    padded = np.concatenate([np.zeros(half), values, np.zeros(half)])
    ones = np.concatenate([np.zeros(half), np.ones(len(values)), np.zeros(half)])
    csum, ccount = np.concatenate([[0], np.cumsum(padded)]), np.concatenate([[0], np.cumsum(ones)])
    total = csum[window:] - csum[:-window]
    count = ccount[window:] - ccount[:-window]
    return np.where(count >= min_count, total / np.maximum(count, 1), np.nan)


def _weekday(dates) -> np.ndarray:
    """Monday = 0 ... Sunday = 6, from the day number (1970-01-01 was a Thursday)."""
    days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
    return (days + 3) % 7


@dataclass(frozen=True)
class PooledPrior:
    """What series borrow from a fit on the sum of many series (the core passes it as ``prior``).

    ``uplift``: event log-uplift profiles ``{event: {day offset: log uplift}}``; ``path``: the
    pooled log baseline ``{day number: value}`` (days since 1970-01-01) for the pooled history's
    last day and the ``PATH_DAYS`` after it, relative to its level on that last day (empty when
    the pooled series stopped or is itself young and flat); ``growth_halflife``: the pooled
    series' chosen half-life of its growth (days, None: persists), for series without refits
    to choose their own; ``spread_slope``: how much wider the pooled series' errors are on event
    days (``k`` of ``1 + k |uplift|``, None without evidence), for series whose refits show none;
    ``spread_noise``: the pooled series' day noise (log sd) that ``k`` is relative to, so that a
    series borrowing ``k`` takes the same event error in log points, ``k spread_noise |uplift|``,
    whatever its own noise (None: ``k`` is taken as it is); ``opening``: the log gap below the
    level it reached of each day of the pooled series' opening ramp (a shop's first weeks,
    ``_opening_gaps``), by day number (empty without one): the series that started before its
    last day opened with it, and their ramps take its shape;
    ``recent``: the pooled log baseline on the ``SAME_WEEKDAY_DAYS + RECENT_PATH_DAYS`` days up to the last day
    (day number: value, relative to the last day's, as ``path``): where a young series' current
    level was read, and the same days a year before, where a series with a year of history reads
    its own season as its share of the pooled series (``EventProfile._one_year_season``; empty
    with an empty ``path``); ``grouping``: the key of the product grouping whose sum the prior was
    fitted on (``core.level_priors``: a category), whose season the series borrowing it share
    (None: the panel's sum, or a fit of its own; a young series takes its path only where its
    own days show the season, ``pool_season.shares_season``); ``yearly``: the path lays the
    pooled series' baseline of a year before (a season and a growth measured year on year; False:
    a pooled series without a year of its current regime, whose path is its recent slope, a
    season and its launches' growth that less than a year cannot tell apart): only then is a
    launch's own rise read net of it (``EventProfile._own_rise``).
    """

    uplift: dict = field(default_factory=dict)
    path: dict = field(default_factory=dict)
    growth_halflife: float | None = DEFAULT_HALFLIFE
    spread_slope: float | None = None
    spread_noise: float | None = None
    opening: dict = field(default_factory=dict)
    recent: dict = field(default_factory=dict)
    grouping: str | None = None
    yearly: bool = True

    def level(self, days) -> np.ndarray:
        """The pooled log baseline (relative to its last day's) on the day numbers ``days`` (days
        since 1970-01-01, shape (k,)), read from ``recent`` and ``path`` (interpolated between
        the days they hold)."""
        known = {**self.recent, **self.path}
        at = np.array(sorted(known))
        return np.interp(days, at, [known[d] for d in at])

    def change(self, read, ahead) -> np.ndarray | None:
        """The pooled path's log change from its mean over the day numbers ``read`` (where a
        young series' current level was read, shape (k,)) to each of the day numbers ``ahead``
        (shape (h,)): the seasonal shape and growth a young series follows from its level. None
        where ``path`` does not hold every day of ``ahead`` or ``recent`` does not reach back to
        ``read``'s first day (a prior of another history)."""
        read, ahead = np.asarray(read), np.asarray(ahead)
        if not len(ahead) or not all(int(d) in self.path for d in ahead) \
                or read.min() < min(self.recent, default=np.inf):
            return None
        return np.array([self.path[int(d)] for d in ahead]) - float(self.level(read).mean())


class EventProfile(Forecaster):
    """Baseline x event-uplift decomposition on the current regime (daily data).

    Parameters
    ----------
    level_window : days of the running median that gives the baseline level.
    growth_window : fewest recent quiet day pairs (days, each with the same weekday a year
        before) over which the year-on-year baseline growth is averaged; a noisy series uses
        more, up to ``MAX_GROWTH_DAYS``, until the growth's standard error is ``GROWTH_SE``.
    trend_shrink : share (0-1) of the recent baseline slope used as growth when the history (not
        the series: it has volume from the first day) is shorter than a year; that growth halves
        every ``SLOPE_HALFLIFE`` days.
    growth_halflife : days over which the year-on-year growth measured at the end of history
        halves (None keeps it constant), or ``"auto"``: chosen per series among
        ``GROWTH_HALFLIVES`` by the mean absolute log error of its rolling-origin refits (the
        pooled series' choice, or ``DEFAULT_HALFLIFE``, when no refit measures a year-on-year
        growth). The choice is the fitted ``growth_halflife_``.
    prior : a ``PooledPrior`` from a fit on the sum of the established series (the core pools),
        or None: event profiles are shrunk towards its ``uplift``, young regimes follow its
        ``path`` and series without refits take its ``growth_halflife``.
    prior_weight : largest weight of the pooled profile, in occurrences of the event (a series
        whose profile is within its noise of the pool's gets it; a clearly different one less:
        ``_pool_profile``).
    calibration_origins : rolling origins whose errors choose the growth half-life and give
        the quantiles.
    calibration_step : days between those origins (the first is this many days before the end).
    launch_curve : the panel's pooled ``LaunchCurve`` (the core measures it on the panel's
        launched series), or None: a launched series' level is then not ramped up (with a curve
        too thin to use, a launch under a year old carries its own rise: ``_own_rise``).
    """

    name = "event_profile"
    capabilities = Capabilities(frequencies=("D",), min_history=56, events=True, baseline=True,
                                calibrated=("D",), pooling_param="prior", launch_param="launch_curve")

    def __init__(self, level_window: int = 15, growth_window: int = 28, trend_shrink: float = 0.5,
                 growth_halflife: float | str | None = "auto", prior: PooledPrior | None = None,
                 prior_weight: float = 2.0, calibration_origins: int = 6, calibration_step: int = 42,
                 launch_curve: LaunchCurve | None = None):
        self.level_window = level_window
        self.growth_window = growth_window
        self.trend_shrink = trend_shrink
        self.growth_halflife = growth_halflife
        self.prior = prior
        self.prior_weight = prior_weight
        self.calibration_origins = calibration_origins
        self.calibration_step = calibration_step
        self.launch_curve = launch_curve

    def fit(self, y, ds, *, freq: str = "D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        self.year_step_ = None  # a level step in the last year's growth (``_past_step``), read on the whole history
        steps = np.diff(np.asarray(self.ds_, dtype="datetime64[D]").astype(np.int64))
        if (steps <= 0).any():
            raise ModelError(f"{self.name}: dates must increase; validate the data first")
        if freq not in self.capabilities.frequencies:
            raise ModelError(f"{self.name}: {freq} data; event profiles need daily data")
        if len(self.y_) < self.capabilities.min_history:
            raise ModelError(f"{self.name}: only {len(self.y_)} days of history; event profiles need "
                             f"{self.capabilities.min_history} (8 weeks)")
        if (steps != 1).any():
            raise ModelError(f"{self.name} needs consecutive days; validate the data first")
        offsets = _offsets(self.ds_[0], len(self.y_), self.calendar_)
        self.quiet_ = ~in_event_span(offsets)  # days outside event spans: a stop's note
        # the regime on the shipped events' quiet days: a planner's two-week event cannot fake a level
        # held for a quarter, and its span taking the quiet weeks after a real step had dropped the
        # shift, the regime then reaching back over it (trial 10's 麻辣鸭脖 +40% with 中秋 declared)
        # a yearly off season (the same months off in two years: ``yearly_season``) is read once: its
        # days are no level for a shift, and no intermittency below
        yearly = yearly_off(self.y_, "D", self.ds_)
        self.regime_ = detect_regime(self.y_, ~in_event_span({k: v for k, v in offsets.items()
                                                              if k in SHIPPED_PROFILES}),
                                     yearly.off(np.arange(len(self.y_))) if yearly is not None else None)
        born = self.regime_.born
        curve = self.launch_curve
        # the curve's rule (``launch.launch_of``): a series whose first sale falls in the panel's first
        # age bin started with it (a SKU first sold in a new shop's first week was noted "launched",
        # trial 7), and a slow seller or an on/off season is no launch
        start = launch_of(self.y_, self.ds_, "D", curve.panel_start if curve is not None else self.ds_[0])
        self.launched_ = start is not None
        # a slow start's trickle up to its level is the ramp's first part: the curve grows it only by the rest
        self.launch_rise_ = pre_launch_rise(self.y_, start, "D") if self.launched_ else 0.0
        if self.launched_ and curve is not None and curve.usable and self.regime_.start > born:
            # a launch ramps up to the panel's plateau: the "shifts" before it are the ramp,
            # which the launch curve follows from the series' own current level
            shifts = tuple(s for s in self.regime_.shifts if s >= born + curve.plateau)
            self.regime_ = replace(self.regime_, start=shifts[-1] if shifts else born, shifts=shifts)
        self.uplift_ = {}
        self.aligned_refs_ = {}  # ``_aligned_refs`` by its days
        self.delegate_, self.delegate_note_ = None, ""
        recent = self.y_[max(self.regime_.start, len(self.y_) - INTERMITTENT_DAYS):]
        quiet_days = int(self.quiet_[born:].sum())
        if not self.regime_.stopped and len(self.y_) - born < self.capabilities.min_history:
            self.delegate_note_ = (f"only {len(self.y_) - born} days since the series started on "
                                   f"{self.ds_[born].date()} (event profiles need {self.capabilities.min_history})")
        elif not self.regime_.stopped and quiet_days < MIN_QUIET_DAYS:
            self.delegate_note_ = (f"only {quiet_days} days outside event spans since the series started on "
                                   f"{self.ds_[born].date()} (a baseline needs {MIN_QUIET_DAYS})")
        sparse = not self.delegate_note_ and not self.regime_.stopped and len(recent) >= 28 \
            and (recent > 0).mean() < 1 / INTERMITTENT_ADI
        season = yearly if sparse else None
        self.off_season_, self.season_ = season is not None, season
        # its first season's start is a season's, as its later ones are, not a launch's ramp
        self.launched_ = self.launched_ and not self.off_season_
        intermittent = (f"intermittent: sales on {(recent > 0).mean():.0%} of its last {len(recent)} days (a "
                        f"log-scale decomposition of a few units is biased)")
        # a seasonal line in its low season at the cut-off (a summer mat's winter trickle) keeps its season:
        # its last weeks are no intermittent demand (trial 13 F7: 618 at the winter trickle, -98%)
        self.low_season_ = low_season(self.y_, "D", len(recent)) if sparse and not self.off_season_ else None
        if sparse and not self.off_season_ and self.low_season_ is None:
            self.delegate_note_ = intermittent
        if self.off_season_:
            in_season = int((self.quiet_[born:] & ~season.off(np.arange(born, len(self.y_)))).sum())
            if in_season < MIN_QUIET_DAYS:  # its whole season inside event spans: no baseline to read
                self.delegate_note_ = (f"a yearly off season whose season lies inside event spans ({in_season} of its "
                                       f"days in season outside them; a baseline needs {MIN_QUIET_DAYS}): last "
                                       f"year's season repeated")
                return self._delegate(freq, seasonal=True)
        if self.delegate_note_:
            return self._delegate(freq, own_events=self.delegate_note_ is intermittent)
        self.z_ = np.log1p(self.y_[born:])
        # its off season's days (``yearly_season``) measure no level, no noise and no event's shape
        self.off_days_ = season.off(np.arange(born, len(self.y_))) if season is not None else np.zeros(len(self.z_), bool)
        self.dow_ = _weekday(self.ds_[born:])
        self.offsets_ = {k: v[born:] for k, v in offsets.items()}
        # the profiles of festivals whose anchor moves against the solar year (``_season_moves``, ``_aligned_refs``)
        self.moving_ = frozenset(name for name, parts in profile_parts(self.calendar_).items()
                                 if all(self.calendar_.moves(event) for event, _, _ in parts))
        self.prior_profiles_ = self._prior_profiles()
        # the days of each calendar event a shipped profile holds (a young series tests each: ``_young_shipped``)
        self.part_days_ = _part_days(self.ds_[born], len(self.z_), self.calendar_)
        # the offsets that are evidence of an event's shape and growth: without the span cut by the
        # history's start when the history opened in it (``_uncut``); built once, the refits slice it
        self.evidence_offsets_ = _uncut(self.offsets_) if _opened_in_span(self.z_, self.offsets_) else self.offsets_
        self.one_off_ = np.zeros(len(self.z_), bool)  # found on the decomposition (``_one_off_days``)
        self.components_ = self._decompose(self.z_, self.offsets_, self.dow_)
        self.opening_, self.opening_gaps_ = 0, np.zeros(0)
        if not self.launched_ and not self.regime_.stopped and not self.off_season_:  # a season's rise is no opening
            self._flatten_opening()
        # a launch's ramp is no growth: its days give no year-before day of a growth pair, and
        # the regime measures its own growth only a year (and four weeks) after them
        ramp = curve.plateau if self.launched_ and curve is not None and curve.usable \
            and self.regime_.start == born else 0
        self.yearly_days_ = SAME_WEEKDAY_DAYS + 28 + ramp
        self.settle_days_ = max(MIN_REGIME_DAYS, ramp) if self.regime_.start > 0 or self.launched_ else 0
        # the days last year's path may read: a flattened opening is at its settled level
        self.path_settle_days_ = self.settle_days_
        if self.opening_ and self.regime_.start == born:
            # an opening ramp is no growth, as a launch's is not: its days give no year-before day
            # of a growth pair (flattened, they hold the level the ramp reached, not one measured a
            # year before), and the regime measures its own growth a year (and four weeks) after
            self.yearly_days_ += self.opening_
            self.settle_days_ = max(self.settle_days_, self.opening_)
            if not self.opening_gaps_.any():  # a ramp too short to measure is not flattened
                self.path_settle_days_ = self.settle_days_
        regime_days = len(self.y_) - self.regime_.start
        if (self.off_season_ or self.low_season_) and regime_days < self.yearly_days_:  # no path of last year's
            self.off_season_, self.low_season_, self.delegate_note_ = False, None, intermittent
            return self._delegate(freq, own_events=True)
        self.one_off_ = self._one_off_days(regime_days)
        if (self.one_off_ & self.components_["in_event"]).any():  # no event's shape: decomposed without them
            self.components_ = self._decompose(self.z_, self.offsets_, self.dow_)
        if regime_days >= self.yearly_days_:
            self._yearly_growth(self.components_, regime_days)
        self.refits_ = self._refits(regime_days)
        self.growth_halflife_ = self._choose_halflife(regime_days)
        self.refit_errors_ = self._refit_errors(regime_days)
        self.same_path_ = self._same_path_refits(regime_days)
        self.smearing_ = self._smearing(regime_days)
        self.uplift_ = {name: {int(i) - SPAN: float(v) for i in np.flatnonzero(~np.isnan(p)) for v in [p[i]]}
                        for name, p in self.components_["profiles"].items()}
        return self

    def _delegate(self, freq: str, seasonal: bool = False, own_events: bool = False) -> "EventProfile":
        """Hand the series (since its start) to ``recent_level``, for the reason in ``delegate_note_``;
        ``seasonal``: to ``seasonal_naive`` (a June lychee inside 618's span had no baseline, and
        ``recent_level`` held its off season's 0 through its next season: the produce shop's 618
        2027 lost 3,883 of 22,632 units, docs/benchmarks.md, "The planning cycle on young shops");
        ``own_events`` (an intermittent series): each event at the pooled uplift times the series' own
        lift over it, counted on its past windows (``own_lift``: a SKU at 60-75% sale days with a
        strong 年货节 of its own was forecast a third below its last one at the shop's lift, user trial F5)."""
        # a launch's slow start before it (``launch_rise_``) goes too: the delegate dates the launch by the same
        # rule and grows it only by the rest of the curve's rise (cut at the start, it was ramped again)
        born = int(np.argmax(self.y_ > 0)) if self.launch_rise_ > 0 else self.regime_.born
        model = SeasonalNaive() if seasonal else RecentLevel(prior=self.prior, launch_curve=self.launch_curve,
                                                             own_events=own_events)
        self.delegate_ = model.fit(self.y_[born:], self.ds_[born:], freq=freq, calendar=self.calendar_)
        return self

    def pooled_prior(self) -> PooledPrior:
        """Fitted on the sum of many series: the ``prior`` each series' model receives (its event
        profiles, and its baseline path over the next ``PATH_DAYS`` days)."""
        uplift = {k: dict(v) for k, v in self.uplift_.items()}
        if self.delegate_ is not None or self.regime_.stopped:
            return PooledPrior(uplift=uplift)
        comp = self.components_
        regime_days = len(self.y_) - self.regime_.start
        path, _ = self._baseline_path(comp, PATH_DAYS, regime_days)
        last = int(np.asarray(self.ds_[-1:], dtype="datetime64[D]").astype(np.int64)[0])
        rel = np.concatenate([[0.0], path - comp["level"][-1]])
        before = comp["level"][-(SAME_WEEKDAY_DAYS + RECENT_PATH_DAYS):] - comp["level"][-1]
        return PooledPrior(uplift=uplift, path={last + h: float(v) for h, v in enumerate(rel)},
                           recent={last - len(before) + 1 + h: float(v) for h, v in enumerate(before)},
                           growth_halflife=self.growth_halflife_,
                           spread_slope=self._spread_slope(regime_days),
                           spread_noise=self._day_sd(regime_days),
                           opening={self._day_number(self.regime_.born + i): float(g)
                                    for i, g in enumerate(self.opening_gaps_)} if self.opening_gaps_.any() else {},
                           yearly=self._path_growth(comp, regime_days) is not None)

    # -- decomposition --------------------------------------------------------------------------
    def _prior_profiles(self) -> dict[str, np.ndarray]:
        dense = {}
        for name, profile in (self.prior.uplift if self.prior else {}).items():
            arr = np.full(2 * SPAN + 1, np.nan)
            for offset, value in profile.items():
                arr[int(offset) + SPAN] = value
            dense[name] = arr
        return dense

    def _decompose(self, z: np.ndarray, offsets: dict[str, np.ndarray], dow: np.ndarray,
                   full: dict | None = None) -> dict:
        """Weekday effect, baseline level and event profiles of the log series ``z``.

        ``offsets``: the event offsets of ``z``'s days (its event spans); the profiles are read
        on the first ``len(z)`` days of ``evidence_offsets_`` (built once in ``fit``), without
        the jump (``_day_jumps``) of a one-off day (``one_off_``) at an offset whose other
        occurrences do not all jump. ``full``: the decomposition of a longer history that ``z`` starts (a calibration refit
        on a prefix): its weekday effect is kept, and its running median, which only differs
        in the last half window where the centred window is cut short, is recomputed there only.
        """
        # the margin days after the windows of a span first seen, open at the history's end, give the level
        # (a refit's days are the first of the history's: its window days are theirs, computed once)
        windows = _windows(self.ds_[self.regime_.born], len(self.z_), self.calendar_)[:len(z)]
        open_tail = open_span_tail(offsets, windows)
        in_event = in_event_span(offsets) & ~open_tail
        off_days = self.off_days_[:len(z)]
        quiet = ~in_event & ~off_days
        if full is None:
            deviation = z - _centred_mean(z, 7, min_count=4)
            weekday = np.zeros(7)
            for d in range(7):
                dev = deviation[(dow == d) & quiet]
                weekday[d] = np.median(dev) if len(dev) else 0.0
            weekday -= weekday.mean()
        else:
            weekday = full["weekday"]
        zd = z - weekday[dow]
        zq = np.where(quiet, zd, np.nan)
        if full is None:
            raw = _centred_median(zq, self.level_window)
        else:
            w, n = self.level_window, len(z)
            raw = full["raw_level"][:n].copy()
            tail = max(0, n - 2 * w)
            raw[n - w // 2 - 1:] = _centred_median(zq[tail:], w)[n - w // 2 - 1 - tail:]
        level = _anchor_spans(raw, zq)
        ok = ~np.isnan(level)
        if ok.sum() < MIN_QUIET_DAYS:
            raise ModelError(f"{self.name}: fewer than {MIN_QUIET_DAYS} days outside event spans; cannot find a baseline")
        idx = np.arange(len(z))
        level = np.interp(idx, idx[ok], level[ok])
        # across a moving festival's span the season's move (a winter duvet's end at Spring Festival) is read
        # where the days show it, not spread over the span: the uplift is the festival's, not the season's
        moving = np.zeros(len(z), bool)
        for name in self.moving_:
            if name in offsets:
                moving |= ~np.isnan(offsets[name][:len(z)])
        level = _season_moves(level, ok, zd, moving & ~off_days, _anchor_days(raw, zq)[1])
        # a yearly off season's baseline is none; a span at its season's edge is anchored in season
        # (trial 10: lychee's season opens inside the 618 span, whose baseline ran up from the off
        # months' zero, its season read as 618 uplift and shrunk to the pool's: forecast at a quarter)
        level = np.where(off_days, 0.0, level)
        young = len(z) < SAME_WEEKDAY_DAYS
        residual = zd - level
        noise = robust_sd(residual[quiet])  # a day's log noise
        evidence = {k: v[:len(z)] for k, v in self.evidence_offsets_.items()}
        one_off = np.zeros(len(z))
        if not young:
            seen_once = np.zeros(len(z), bool)
            for off in evidence.values():  # days at an offset of their event seen in no other year
                inside = ~np.isnan(off)
                at = off[inside].astype(int) + SPAN
                seen_once[inside] = np.bincount(at, minlength=2 * SPAN + 1)[at] == 1
            named = _named(self.ds_[self.regime_.born], len(self.z_), self.calendar_)[:len(z)]
            one_off = _one_off_part(residual, quiet, seen_once, named, noise)
        live = self.one_off_[:len(z)] & in_event
        jumps = _day_jumps(residual) if live.any() else np.zeros(len(z))
        profiles, reactions, pooled = {}, {}, set()
        for name, off in evidence.items():
            inside = ~np.isnan(off) & ~off_days
            prior = self.prior_profiles_.get(name)
            # a planner's own event the series saw is tested on its own windows, young or not
            tested = name not in SHIPPED_PROFILES and inside.any()
            if prior is not None and young and not tested and inside.any():
                # a shipped event a young series saw: its own lift where its windows show one (trial 12:
                # a gift box's x25 年货节 had been swapped for its category's x2.4, forecast at 7% of the next)
                profiles[name] = self._young_shipped(name, prior, off, inside, residual, zd, np.where(quiet, raw, np.nan),
                                                     reactions)
                pooled.add(name)
                continue
            if prior is not None and young and not tested:  # a young series borrows the pooled profile whole
                profiles[name] = prior
                pooled.add(name)
                continue
            if not inside.any() and prior is None:
                continue
            at = off[inside].astype(int) + SPAN
            counts = np.bincount(at, minlength=2 * SPAN + 1).astype(float)
            # a one-off day at an offset whose other occurrences do not jump is no part of the shape
            lone = live[inside] & (counts[at] >= 2) & (np.bincount(at, weights=live[inside], minlength=2 * SPAN + 1)[at] < counts[at])
            excess = residual[inside] - one_off[inside] - np.where(lone, jumps[inside], 0.0)
            sums = np.bincount(at, weights=excess, minlength=2 * SPAN + 1)
            own = np.divide(sums, counts, out=np.full(2 * SPAN + 1, np.nan), where=counts > 0)
            spread = _occurrence_spread(at, excess, own, counts)
            if tested:  # a planner's own event it saw: did it react?
                reactions[name] = _reaction(np.flatnonzero(inside), excess, zd, np.where(quiet, raw, np.nan),
                                            REACTION_SIGN.get(self.calendar_.kind(name), 0), name in self.moving_)
                if not reactions[name].lifted:  # none in its own history: no uplift, nor the pool's
                    profiles[name] = np.where(counts > 0, 0.0, np.nan)
                    continue
            if prior is not None and young:  # reacted, with too few windows for a shape: the pool's, at its lift
                profiles[name] = _pooled_at_lift(prior, at, reactions[name], TAU.get(self.calendar_.kind(name), 0.0))
                pooled.add(name)
                continue
            if prior is not None:
                own, counts = _pool_profile(own, counts, prior, noise, self.prior_weight)
            profiles[name] = _shrink_profile(own, counts, noise, spread)
        # off days count as no quiet days downstream (growth pairs, recent level, calibration)
        return dict(level=level, raw_level=raw, weekday=weekday, profiles=profiles, in_event=in_event | off_days,
                    reactions=reactions, pooled=pooled, open_tail=bool(open_tail.any()))

    def _young_shipped(self, name: str, prior: np.ndarray, off: np.ndarray, inside: np.ndarray,
                       excess: np.ndarray, zd: np.ndarray, raw: np.ndarray, reactions: dict) -> np.ndarray:
        """The profile of a shipped event ``name`` (its log uplift per offset, shape (2 SPAN + 1,))
        for a series under a year old that saw its window: the pooled ``prior``, except on the
        offsets of each sale the profile holds (the 年货节 of ``lunar_new_year``, apart from the
        Spring Festival pause it is joined with: ``features.JOINED_PROFILES``) where the series'
        own days reacted (``_reaction`` on its days of that sale, one-sided): there the pool's
        shape at a lift between the pool's and its own (``_pooled_at_lift``). A window it did not
        react to is no evidence against the pool's (its few event days often fall in its launch
        ramp). A holiday or the couriers' pause moves a shop's series alike: the pool's whole (tested
        too, a parcel origin three months old read its one National Day and the refits' narrower
        errors took 2.4 points of Spring Festival 2022 coverage). ``off``, ``inside``: the profile's offsets and span days of the series' history (shape
        (n,)); ``excess``: the days' log residual over the baseline (a young series' one-off days
        are no part of it to take out: each offset seen once), ``zd``: the weekday-adjusted
        log values, ``raw``: their running median on quiet days, NaN elsewhere (shape (n,)); each
        event's reaction is added to ``reactions`` under its calendar name."""
        parts = {event: inside & part[:len(inside)] for event, part in self.part_days_.get(name, {}).items()}
        parts = {event: days for event, days in parts.items() if days.any()}
        # each offset of the profile goes with the event whose offsets seen lie nearest
        idx = np.arange(len(prior))
        ranges = {event: (off[days].min() + SPAN, off[days].max() + SPAN) for event, days in parts.items()}
        nearest = {event: np.maximum(lo - idx, 0) + np.maximum(idx - hi, 0) for event, (lo, hi) in ranges.items()}
        profile = prior.copy()
        for event, days in parts.items():
            kind = self.calendar_.kind(event)
            if kind != "sale":  # a holiday's or the couriers' pause's effect is the shop's, which the pool reads best
                continue
            reaction = _reaction(np.flatnonzero(days), excess[days], zd, raw, REACTION_SIGN.get(kind, 0),
                                 name in self.moving_)
            reactions[event] = reaction
            if not reaction.lifted:
                continue
            mine = np.all([nearest[event] <= d for d in nearest.values()], axis=0)
            at = off[days].astype(int) + SPAN
            profile[mine] = _pooled_at_lift(prior, at, reaction, TAU.get(kind, 0.0))[mine]
        return profile

    def _opening_gaps(self, comp: dict) -> tuple[int, np.ndarray]:
        """The opening ramp of ``comp``'s history (a shop's first weeks, a line rolled out with
        the data's start): ``(days, gaps)``, its days and their log gaps below the level it
        reached (``regime.ramp_gaps`` on the weekday-adjusted log values of the ramp and the
        ``OPENING_AHEAD`` quiet days after it; empty where nothing measures a rise: the ramp's
        days then only give no year-before day of a growth pair), or ``(0, empty)`` without one.
        A ramp is there when ``regime.opening_ramp`` finds one on the baseline level: a first
        quiet day more than ``OPENING_GAP`` below the median level of the ``OPENING_AHEAD``
        quiet days after it (past any event span), looked for over the first ``OPENING_MAX``
        days. The series' one-off days (``_one_off_days``, judged since its start: a live-stream
        shop's x2-x5 days) are no part of that level nor of the ramp's fit. With a pooled prior
        whose history opened with a ramp (``PooledPrior.opening``), a series that started before that ramp ended opened with it: its ramp is the pooled
        one's shape, scaled by the series' own days (a sparse SKU's own level is too noisy to
        draw a ramp); scaled to no day more than ``OPENING_GAP`` below its level (the rule of its own
        ramp), with no ramp of its own, it had none: ``(0, empty)``, so no days leave its growth
        pairs and no note names an opening it did not have."""
        quiet = ~comp["in_event"]
        zd = self.z_ - comp["weekday"][self.dow_]
        # a live-stream shop's one-off days measure no ramp: in its first weeks they lifted the running
        # median (a 90-day ramp from 40% was 'settled' on its third day) and the least-squares (isotonic)
        # fit, and the rest of the ramp was last year's baseline a year later. Judged since the start: a
        # ramp is often read as level shifts, which the flattening drops
        one_off = self._one_off_days(len(self.z_), opening=True)
        usual, level = quiet & ~one_off, comp["level"]
        if one_off.any():  # the running median of the baseline, without them
            level = _centred_median(np.where(usual, zd, np.nan), self.level_window)
            level = np.where(np.isnan(level), comp["level"], level)
        days = own = opening_ramp(level, quiet, OPENING_AHEAD, OPENING_GAP, OPENING_MAX, further=True)
        pooled = self.prior.opening if self.prior is not None else {}
        first, shape = self._day_number(self.regime_.born), None
        if pooled and first <= max(pooled):
            shape = np.array([pooled.get(first + i, 0.0) for i in range(min(max(pooled) + 1 - first, len(level)))])
            days = len(shape)
        if not days:
            return 0, np.zeros(0)
        after = np.flatnonzero(quiet[days:])
        end = days + int(after[OPENING_AHEAD - 1]) + 1 if len(after) >= OPENING_AHEAD else len(level)
        gaps = ramp_gaps(zd[:end], usual[:end], days, shape)
        if shape is not None and len(gaps) and not own and not (gaps < -OPENING_GAP).any():
            return 0, np.zeros(0)  # it did not ramp with its panel (scaled within OPENING_GAP), nor on its own
        return (len(gaps), gaps) if len(gaps) else (days, gaps)

    def _flatten_opening(self) -> None:
        """Read an opening ramp (``_opening_gaps``) at the level it reached: its days are raised
        by their gaps in ``z_`` (kept in ``opening_gaps_``; ``opening_``: its days), the history
        is decomposed again, and a level shift found inside the ramp is the ramp (the shifts
        after it stay: looked for again on the flattened history, a strong season's first winter
        raised by the shop's ramp moved the year-on-year growth the season is tested against, and
        trial 8's coconut water had its summer read as a shift in three provinces, its 618 2027
        -20%). An opening is neither a new regime nor season nor growth:
        read as a level shift (trial 8's shop, opened at 65% of its level and settled over 60
        days, had a 'level shift' on its 29th day in most SKUs, their regime under a year old
        and their forecast on the pooled path, itself carrying the ramp: the 年货节 2026
        backtest 38% WAPE, +29% bias), and read a year later as last year's baseline (a shop
        opened at 30% was forecast at half its level over the days a year after its ramp)."""
        self.opening_, self.opening_gaps_ = self._opening_gaps(self.components_)
        if not self.opening_gaps_.any():
            return
        born = self.regime_.born
        self.z_ = self.z_ - np.r_[self.opening_gaps_, np.zeros(len(self.z_) - len(self.opening_gaps_))]
        self.components_ = self._decompose(self.z_, self.offsets_, self.dow_)
        shifts = tuple(s for s in self.regime_.shifts if s >= born + self.opening_)
        self.regime_ = replace(self.regime_, start=shifts[-1] if shifts else born, shifts=shifts)  # its season kept

    def _day_number(self, index: int) -> int:
        """Days since 1970-01-01 of the history's day ``index``."""
        return int(np.asarray(self.ds_[index:index + 1], dtype="datetime64[D]").astype(np.int64)[0])

    def _refits(self, regime_days: int) -> list[tuple[int, dict]]:
        """``(origin, decomposition of the history before it)`` at the rolling origins
        ``calibration_step`` days apart before the end; the growth's half-life and the quantiles
        are measured on their forecasts of the days from the origin to the end. Each refit sees
        8 weeks of the current regime and half a year of history, except for a series launched
        within the history: its forecast, under a year old, is its current level along the
        pooled path (or flat), and so is a refit's from 8 weeks on, so its refits start there
        (its in-sample errors widened by half, the rule without refits, had covered 87-92% of
        the launched series of the regimes panel, four seeds). An origin with too few quiet
        days before it for a baseline (a launch into the 618 span) ends the refits."""
        n = len(self.z_)
        first = n - regime_days + 56 if self.launched_ else max(SAME_WEEKDAY_DAYS // 2, n - regime_days + 56)
        out = []
        for k in range(1, self.calibration_origins + 1):
            origin = n - k * self.calibration_step
            if origin < first:
                break
            try:
                head = self._decompose(self.z_[:origin], {o: v[:origin] for o, v in self.offsets_.items()},
                                       self.dow_[:origin], full=self.components_)
            except ModelError:  # too few quiet days before it (a launch into 618): nor before earlier ones
                break
            out.append((origin, head))
        return out

    def _choose_halflife(self, regime_days: int) -> float | None:
        """The growth's half-life in days (None: the growth persists): ``growth_halflife`` when
        given as a number or None; for ``"auto"``, the candidate of ``GROWTH_HALFLIVES`` whose
        refits (``refits_``) forecast the days from their origins to the end with the smallest
        mean absolute log error, so that a steady growth persists and a fading one is damped
        (the damping chosen by time-series cross-validation: Hyndman & Athanasopoulos,
        *Forecasting: Principles and Practice*, 3rd ed., section 5.10). Only refits that
        measure year-on-year growth with the forecast's estimator (quiet pairs, event-aligned
        pairs or the baseline across a span: ``_yearly_growth``) are scored: a refit whose
        growth came from another estimator errs for that reason, and its errors chose the
        half-life of another growth (on the parcel total's Double 11 2022 cut-off two refits on
        event-aligned pairs, which read the spring's growth low, pulled the choice to 365 days
        and the window 6.2% high; the refits with quiet pairs choose 90 days, 0.7% high);
        without them, the pooled series' choice (``prior``) or ``DEFAULT_HALFLIFE``. Of a
        yearly off season only its season's days are scored (its off days err by nothing whatever
        the growth), and refits that reach none choose nothing."""
        if self.growth_halflife != "auto":
            return self.growth_halflife
        n = len(self.z_)
        if regime_days < self.yearly_days_:
            return self.prior.growth_halflife if self.prior else DEFAULT_HALFLIFE
        # a younger refit's growth is a slope, or the pooled path: another estimator
        yearly = [(o, head) for o, head in self.refits_ if regime_days - (n - o) >= self.yearly_days_]
        estimator = self._growth_estimator(self.components_, regime_days)
        yearly = [(o, head) for o, head in yearly if self._growth_estimator(head, regime_days - (n - o)) == estimator]
        if not yearly:
            return self.prior.growth_halflife if self.prior else DEFAULT_HALFLIFE
        errors = np.zeros(len(GROWTH_HALFLIVES))
        # a yearly off season's days err by nothing whatever the growth: only its season's days choose
        if not (~self.off_days_[min(o for o, _ in yearly):]).any():
            return self.prior.growth_halflife if self.prior else DEFAULT_HALFLIFE
        # a level step found in the last year (``_past_step``) that a refit's origin precedes is no error
        # of its growth's damping: the refit is scored with it (else a fall reads as a growth to damp)
        found = self.components_.get("year_step", {}).get(regime_days)
        for origin, head in yearly:
            tail = {o: v[origin:n] for o, v in self.offsets_.items()}
            season = ~self.off_days_[origin:]
            unseen = found[2] * np.clip((np.arange(origin, n) - found[0]) / max(found[1] - found[0], 1), 0.0, 1.0) \
                if found and found[1] > origin else 0.0
            for i, halflife in enumerate(GROWTH_HALFLIVES):
                mu, _, _ = self._forecast_log(head, tail, self.dow_[origin:], regime_days - (n - origin),
                                              halflife=halflife)
                mu = mu + unseen
                errors[i] += np.abs(self.z_[origin:] - mu)[season].sum()
        return GROWTH_HALFLIVES[int(np.argmin(errors))]

    def _one_off_days(self, regime_days: int, opening: bool = False) -> np.ndarray:
        """The history's one-off days (boolean, shape of ``z_``): days of the current regime the
        calendar does not name whose one-day jump stands out of the day noise, in a series whose
        quiet days jump more often than its noise gives (``_jump_days``, over at least
        ``MIN_ONE_OFF_DAYS`` quiet days with ``JUMP_SIDE`` days of the regime on both sides; on the weekday-adjusted
        log values less the baseline level and the fitted event uplift). A live-stream shop's
        x2-x5 days (about three random days a month, on no calendar) recur at their rate, not at
        their dates: the event profiles already leave them out (``_one_off_part``,
        ``_shrink_profile``), and their share of the mean of a day stays in the forecast's level
        (``_smearing``), which a refit's weekly mean error and the smearing's clip had both taken
        out (trial 9's shop total, 年货节 2027: 17,728 against 19,410 sold). ``regime_days``: the
        days (from the end) judged. ``opening``: their first ``JUMP_SIDE`` days may be one-off days
        too (judged on the sides they have), for an opening ramp's fit (``_opening_gaps``), which
        one live day on a shop's second day held at the level."""
        comp = self.components_
        n = len(self.z_)
        uplift = np.zeros(n)
        for name, off in self.offsets_.items():
            profile = comp["profiles"].get(name)
            inside = ~np.isnan(off)
            if profile is not None and inside.any():
                uplift[inside] += np.nan_to_num(profile[off[inside].astype(int) + SPAN])
        irregular = self.z_ - comp["weekday"][self.dow_] - comp["level"] - uplift
        # a jump over both sides needs both sides in the regime: its first and last JUMP_SIDE days
        # are a level's start (a season's first days) or the history's edge (a cut-off's last day)
        days = np.arange(n)
        regime = (days >= n - regime_days + JUMP_SIDE) & (days < n - JUMP_SIDE)
        quiet = ~comp["in_event"] & regime
        if quiet.sum() < MIN_ONE_OFF_DAYS:  # too few days to tell a rate of one-off days from chance
            return np.zeros(n, bool)
        named = _named(self.ds_[self.regime_.born], n, self.calendar_)
        judged = (days >= n - regime_days) & (days < n - JUMP_SIDE) if opening else regime
        return _jump_days(irregular, quiet, named, units=np.expm1(self.z_)) & judged

    def _refit_day_errors(self) -> list[np.ndarray]:
        """The day-to-day part of each refit's log errors (``refit_errors_``): each error less
        the centred ``SMEARING_DAYS``-day mean of its refit's errors on days other than one-off
        days (``one_off_``; that mean is the refit's level error, which grows with the horizon;
        the rest is day noise, which does not, and a one-off day's jump, which recurs at its
        rate)."""
        return [day_parts(e, SMEARING_DAYS, one_off) for _, e, _, _, one_off in self._calibration_refits()]

    def _calibration_refits(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """``refit_errors_`` on the days that calibrate the band, the smearing factor and ``k``,
        each refit's ``(horizons, log errors, log uplifts, missed flags, one-off flags)``: every
        day, except, for a yearly off season (``off_season_``), the days its refit forecast
        under half a unit and it sold none. Such a day's error is 0 by construction (log1p(0)
        against log1p(0)), no measure of the noise of its season: counted, an on/off fruit's
        quiet days had a day noise of 0 and its season days all the spread, ``k`` went to
        ``MAX_SCALE_SLOPE`` and its 年货节 window P90 to 25 times its mean (trial 10: 182..112,736
        around 4,541; cherries 52.6 million a day, then replaced by a zero). A season's edge
        missed (sold where the refit said none, or the reverse) is a real error and stays."""
        n = len(self.z_)
        out = []
        for h, e, u, m in (errors for errors, same in zip(self.refit_errors_, self.same_path_) if same):
            one_off = self.one_off_[n - len(e):]
            keep = np.ones(len(e), bool)
            if self.off_season_:
                keep = (self.z_[n - len(e):] > 0) & (self.z_[n - len(e):] - e >= np.log1p(0.5))
            out.append((h[keep], e[keep], u[keep], m[keep], one_off[keep]))
        return out if any(len(e) for _, e, *_ in out) else []  # no season day: the in-sample errors

    def _season_days(self) -> np.ndarray:
        """Days (of ``z_``) whose in-sample errors measure the noise: all, but a yearly off
        season's days with sales only (``_calibration_refits``: its zeros fit by construction)."""
        return self.z_ > 0 if self.off_season_ else np.ones(len(self.z_), bool)

    def _smearing(self, regime_days: int) -> float:
        """Log of the factor that turns the log-space forecast (a median of each day) into a
        mean: Duan's smearing estimate, log mean(exp(d)), over the day-to-day part ``d`` of the
        refits' errors (``refits_``: each error less the centred ``SMEARING_DAYS``-day mean of
        its refit's errors, so that a refit's level error, which the calibration covers, is not
        counted as day noise); without refits, over the current regime's in-sample quiet-day
        residuals, centred. Distribution-free: half the variance for log-normal noise, and
        right for small counts too. Errors of days other than one-off days beyond
        ``SMEARING_CLIP`` robust sds of their median are clipped there: a mean of exponentials
        is ruled by its largest terms, and a refit's miss (a week closed in one year's Spring
        Festival pause, open in the next, put a series' whole forecast 20-30% high) is no day
        noise. A one-off day (``one_off_``: a live-stream day, on no calendar, in a series whose
        days jump more often than its noise gives) is neither clipped nor part of its week's
        level error (``_refit_day_errors``): such days recur at their rate, so the mean of any
        day to come holds their share (level x weekday x event x the mean of the day noise,
        one-off days included). Clipped as misses, and their share of each refit's weekly mean
        taken as a level error, they had put a seeded live shop's window total low (the figure:
        docs/benchmarks.md, "A live-stream shop's one-off days stay in the mean"). Source: N. Duan, "Smearing estimate: a
        nonparametric retransformation method", JASA 78 (1983) 605-610."""
        n = len(self.z_)
        parts = self._refit_day_errors()
        flags = [one_off for *_, one_off in self._calibration_refits()]
        if not parts:
            comp = self.components_
            regime = slice(n - regime_days, n)
            quiet = ~comp["in_event"][regime] & self._season_days()[regime]
            e = (self.z_ - comp["level"] - comp["weekday"][self.dow_])[regime][quiet]
            one_off = self.one_off_[regime][quiet]
            usual = e[~one_off]
            parts.append(e - usual.mean() if len(usual) else e)
            flags.append(one_off)
        d, one_off = np.concatenate(parts), np.concatenate(flags)
        if not len(d):
            return 0.0
        usual = d[~one_off]
        if len(usual):
            centre = np.median(usual)
            spread = SMEARING_CLIP * robust_sd(usual)
            if spread > 0:
                d = np.where(one_off, d, np.clip(d, centre - spread, centre + spread))
        return float(np.log(np.mean(np.exp(d))))

    def _baseline_path(self, comp: dict, horizon: int, regime_days: int,
                       halflife: float | None | str = "fitted") -> tuple[np.ndarray, list[str]]:
        """Log baseline (no weekday, no events) for the ``horizon`` days after ``comp``'s history,
        and notes. ``regime_days``: days of the current regime at the end of that history;
        ``halflife``: of the year-on-year growth, in days (None: constant; "fitted": the
        fitted ``growth_halflife_``)."""
        halflife = self.growth_halflife_ if halflife == "fitted" else halflife
        level, in_event = comp["level"], comp["in_event"]
        n = len(level)
        h = np.arange(1, horizon + 1)
        growth, notes = self._path_growth(comp, regime_days), []
        # launched or shifted within the year: the pooled path, with the series' own season where a year of
        # its history shows one (``_one_year_season``)
        if self._follows_pool(comp, regime_days):
            path, notes, ramp, spread, season_sd = self._young_path(comp, regime_days, n, horizon)
            comp.setdefault("launch_growth", {})[horizon] = ramp  # the guard allows it
            comp.setdefault("launch_spread", {})[horizon] = spread  # the window bands widen by both
            comp.setdefault("season_spread", {})[horizon] = season_sd
            return path, notes
        young_data, yearly_halflife = growth is None, halflife
        if young_data:  # the data, not the series, is young: the recent slope, shrunk
            recent = np.flatnonzero(~in_event)[-min(180, n):]
            recent = recent[recent >= self.opening_]  # not its opening ramp
            # a yearly off season's slope is its season's shape (its rise or fall), no trend: none; so is
            # the slope of a rise read as the season's return (``regime.season_returned``)
            seasonal = self.off_season_ or self.regime_.season is not None
            slope = np.polyfit(recent, level[recent], 1)[0] if len(recent) >= 28 and not seasonal else 0.0
            growth = float(slope * SAME_WEEKDAY_DAYS * self.trend_shrink)
            halflife = SLOPE_HALFLIFE
            opened = (f" after the opening ramp of its first {self.opening_} days (to "
                      f"{self.ds_[self.regime_.born + self.opening_].date()}: a shop's or a line's first weeks, no "
                      f"growth)" if self.opening_ else "")
            notes.append(f"{self.name}: no growth measured on its season's days a year apart: last season's "
                         f"level, held" if self.off_season_ else
                         f"{self.name}: less than a year of overlapping history; no growth (its recent slope is its "
                         f"season's rise)" if seasonal else
                         f"{self.name}: less than a year of overlapping history{opened}; growth is "
                         f"{self.trend_shrink:.0%} of the recent baseline slope, halving every "
                         f"{SLOPE_HALFLIFE:.0f} days")
        # a yearly off season's growth was measured on its last season's days, months back: it fades
        # from there, as a damped trend's from its last observation; its level is as uncertain as its
        # seasons' year-to-year changes were (``_off_season_spread``)
        age = comp.get("growth_age", {}).get(regime_days, 0.0) if self.off_season_ and not young_data else 0.0
        fade = 0.5 ** ((h + age) / halflife) if halflife else np.ones(horizon)
        g = growth * fade
        if self.off_season_:
            comp.setdefault("off_season_spread", {})[horizon] = self._off_season_spread(comp, growth, fade)
        # a level step found in the last year's differences (``_past_step``): whole, until the year-ago
        # days pass it, when last year's baseline holds it
        found = None if young_data else comp.get("year_step", {}).get(regime_days)
        stepped = np.zeros(horizon)
        if found:
            lo, hi, size = found
            # the share of the step last year's baseline lacks on each day's year-ago day: all before
            # the step, none after, along the baseline's line across an event span between
            stepped = size * np.clip((hi - (n + h - 1 - SAME_WEEKDAY_DAYS)) / max(hi - lo, 1), 0.0, 1.0)
            notes.append(f"{self.name}: the year-on-year growth stepped {np.expm1(size):+.0%} between "
                         f"{self.ds_[self.regime_.born + lo].date()} and {self.ds_[self.regime_.born + hi].date()} "
                         f"(a level step under the regime's x1.5): carried until the year-ago days pass it, then "
                         f"last year's baseline holds it")
        past = None if young_data else comp.get("past_year_step", {}).get(regime_days)
        if past:  # review 10.1 F2: last year's step changes the growth too, and is said
            at, size = past
            notes.append(f"{self.name}: the level stepped {np.expm1(-size):+.0%} about "
                         f"{self.ds_[self.regime_.born + max(at - SAME_WEEKDAY_DAYS, 0)].date()} (a level step under the regime's "
                         f"x1.5, a year before): the year-on-year growth is read from the day pairs since "
                         f"{self.ds_[self.regime_.born + at].date()}, both of whose days lie after it")
        g = g + stepped
        # a path laid over last year's baseline starts where the series stands since the last span
        step, step_note = self._start_step(comp, regime_days, g) if n >= SAME_WEEKDAY_DAYS else (0.0, "")
        if step_note:
            notes.append(step_note)
        # a step is a year-on-year difference measured at the cut-off: it fades as the growth does
        steps = step * (0.5 ** (h / yearly_halflife) if yearly_halflife else np.ones(horizon))
        ext = np.concatenate([level, np.empty(horizon)])
        aligned = self._aligned_refs(n, horizon)
        # without a year-ago day, a history ending in an open span's tail (``open_span_tail``) starts from the
        # mean of its last quiet days (``_recent_level``): the running median's last value rests on those few
        # days alone (a young nut line's 10 days read at 5.9 a day against their mean of 9.3: trial 17)
        current, age = self._recent_level(comp, regime_days)[:2] if comp["open_tail"] else (level[-1], n - 1)
        for start in range(n, n + horizon, SAME_WEEKDAY_DAYS):  # a second year builds on the first
            tt = np.arange(start, min(start + SAME_WEEKDAY_DAYS, n + horizon))
            ref = tt - SAME_WEEKDAY_DAYS
            moved = aligned[tt - n]
            # the aligned day where last year's baseline there differs from the day a year back's by more
            # than ``ALIGN_LOG`` (the span's baseline falling across it, not a flat stretch)
            ref = np.where((moved >= 0) & (np.abs(ext[np.maximum(moved, 0)] - ext[np.maximum(ref, 0)]) > ALIGN_LOG),
                           moved, ref)
            lift = g[tt - n] + (steps[tt - n] if start == n else 0.0)
            ext[tt] = np.where(ref >= 0, ext[np.maximum(ref, 0)] + lift,
                               current + g[tt - n] * (h[tt - n] + n - 1 - age) / SAME_WEEKDAY_DAYS)
        return ext[n:], notes

    def _aligned_refs(self, n: int, horizon: int) -> np.ndarray:
        """For the ``horizon`` days after the first ``n``: the day a year back whose baseline each
        is read on where that is not the day ``SAME_WEEKDAY_DAYS`` before (-1 elsewhere). A day in the span of a
        moving festival (``moving_``: Spring Festival, 11 days earlier in 2027 than in 2026; a
        lunar event) reads last year's baseline at the same offset from last year's anchor, the
        day its uplift at that offset was read against (``_season_moves``: the span's baseline
        holds the season up to where the days show it moving, and the uplift is read on that
        line): a year-ago day at another offset sits on another stretch of it (trial 13 F1: a
        winter duvet's baseline, read 11 days late across last year's 年货节 + 春节 span, laid the
        年货节 uplift measured on one stretch on another: x2 over the window). ``_baseline_path``
        takes the aligned day where last year's baseline there differs from the day a year back's
        by more than ``ALIGN_LOG``. Kept by ``(n, horizon)``: each refit's path is laid once per
        growth half-life tried (``_choose_halflife``) on the same days."""
        key = (self.regime_.born, n, horizon)
        if key in self.aligned_refs_:
            return self.aligned_refs_[key]
        refs = np.full(horizon, -1)
        offsets = _offsets(self.ds_[self.regime_.born], n + horizon, self.calendar_)
        for name in self.moving_:
            off = offsets[name]
            occurrences = consecutive_runs(np.flatnonzero(~np.isnan(off)))
            for prev, cur in zip(occurrences[:-1], occurrences[1:]):
                prev, cur = prev[prev < n], cur[cur >= n]
                if not len(prev) or not len(cur):
                    continue
                at = np.full(2 * SPAN + 1, -1)
                at[off[prev].astype(int) + SPAN] = prev
                match = at[off[cur].astype(int) + SPAN]
                refs[cur[match >= 0] - n] = match[match >= 0]
        refs.setflags(write=False)
        self.aligned_refs_[key] = refs
        return refs

    def _off_season_spread(self, comp: dict, growth: float, fade: np.ndarray) -> np.ndarray:
        """The standard deviation (log) of a yearly off season's level on each day ahead (shape
        (horizon,), as ``fade``, the share of the growth ``growth`` (log a year) the path keeps
        there): the error of last season's level grown by ``growth x fade`` if its seasons' level
        changes ``D_k`` (``_season_changes``) are independent draws of mean ``mu`` and variance
        ``tau^2``: the coming change's and the growth's own (the last change, as measured)
        variance, ``tau^2 (1 + fade^2)``, plus the faded part of a growth that goes on,
        ``(mu (1 - fade))^2``, with ``tau^2`` and ``mu`` the changes' sample variance and mean,
        the variance widened by ``(t_{0.9, k-1} / z_{0.9})^2`` (the P90 of Student's t with the
        changes' degrees of freedom over the normal's: a variance from three or four seasons is
        itself uncertain).
        From fewer than two changes (two seasons seen) no variation is seen: the size of the
        one growth measured, ``|growth|``, whose repeating or not the path cannot tell (review 9.4
        #5: that size for every series had covered a seeded fruit's next season window 16 of 16
        times where its level changed by 5% a year around its growth, 10 of 16 at 30%)."""
        changes = self._season_changes(comp)
        if len(changes) < 2:
            return np.full(len(fade), abs(growth))
        tau2, mu = float(np.var(changes, ddof=1)), float(np.mean(changes))
        # a variance from a few seasons: widened so that the P10-P90 band is Student's t's with their
        # degrees of freedom (a prediction interval with an estimated variance), not the normal's
        widen = t_dist.ppf(0.9, len(changes) - 1) / norm.ppf(0.9)
        return np.sqrt(widen ** 2 * tau2 * (1 + fade ** 2) + (mu * (1 - fade)) ** 2)

    def _season_changes(self, comp: dict) -> np.ndarray:
        """A yearly off season's level change from each season to the next (log), shape (k,): the
        mean change of ``comp``'s baseline over the quiet day pairs a year apart (``SAME_WEEKDAY_DAYS``) that
        both lie in season, per season of the later day (seasons with ``RECENT_DAYS`` pairs
        or more), oldest first."""
        level, in_event = comp["level"], comp["in_event"]
        n = len(level)
        off = self.off_days_[:n]
        t = np.arange(SAME_WEEKDAY_DAYS, n)
        later = t[~off[t] & ~off[t - SAME_WEEKDAY_DAYS] & ~in_event[t] & ~in_event[t - SAME_WEEKDAY_DAYS]]
        season = np.cumsum(np.r_[False, ~off[1:] & off[:-1]])[later]  # seasons begun before each day
        changes = [np.mean(level[later[season == k]] - level[later[season == k] - SAME_WEEKDAY_DAYS]) for k in np.unique(season)
                   if (season == k).sum() >= RECENT_DAYS]
        return np.array(changes)

    def _path_growth(self, comp: dict, regime_days: int) -> float | None:
        """The year-on-year growth (log points a year) a path over last year's baseline takes at
        the end of ``comp``'s history (``_yearly_growth``), or None where none is measured: under
        ``yearly_days_`` of regime, no measured level a year before, or, in a regime after a shift
        without 28 settled day pairs a year apart, the baseline across a span (it compares a
        year-old level from before the regime settled)."""
        if regime_days < self.yearly_days_:
            return None
        growth = self._yearly_growth(comp, regime_days)
        if np.isnan(growth):
            return None
        if regime_days < len(comp["level"]) and comp["growth_estimator"][regime_days] == "baseline across a span":
            return None
        return growth

    def _follows_pool(self, comp: dict, regime_days: int) -> bool:
        """Whether ``_baseline_path`` lays the forecast from ``comp``'s history along the pooled
        path (``_young_path``: launched, or shifted within the year, with no growth measured),
        not over the series' own baseline a year before."""
        return self._path_growth(comp, regime_days) is None and (regime_days < len(comp["level"]) or self.launched_)

    def _path_kind(self, comp: dict, regime_days: int) -> str:
        """Which path ``_baseline_path`` lays from ``comp``'s history: ``"pooled"``
        (``_follows_pool``), ``"slope"`` (the data under a year old: the recent slope, shrunk) or
        ``"yearly"`` (last year's baseline times the measured year-on-year growth)."""
        if self._follows_pool(comp, regime_days):
            return "pooled"
        return "slope" if self._path_growth(comp, regime_days) is None else "yearly"

    def _same_path_refits(self, regime_days: int) -> np.ndarray:
        """Which refits (``refits_``) calibrate the forecast: all, but where at least
        ``MIN_SAME_PATH_REFITS`` forecast along the path of the forecast's kind (``_path_kind``) and
        the others' level errors are significantly larger than theirs, only those. A refit under a
        year into its regime (or its data) holds its level along the pooled path or its recent
        slope, and a seasonal series' refits from before its first season repeated missed that
        season by up to x50, which the forecast, laid over last year's season, does not: their
        errors had put a pet coat's 双11 P90 at 38 times its mean and the guard had replaced the
        forecast, 9,506 against 10,034 sold, by a flat 1,064 (trial 12 F1). Mondrian conformal
        prediction by the refit's model (Vovk, Gammerman & Shafer 2005, ch. 4.5), only where the
        kinds err differently: each refit's level error is its mean log error, and the ratio of
        the two kinds' mean squares is F-distributed (their counts of refits as degrees of freedom)
        under equal errors; ``OTHER_PATH_ALPHA``, 5%: two to four refits of a kind are few degrees of
        freedom, and at 1% a winter line's refits from its first winter's tail (x3-x30 off) were kept
        where its yearly refits shared a level error (trial 12's new-year costume AP03: yearly
        +0.23..+0.35, slope -0.70 and -1.08, p 0.03; its daily P90 16 times the median, the guard
        replaced its 双11 by a flat summer level, 212 against 3,349 sold), and in 16 of 40 seeded
        winter lines of a young shop (``tests/forecast/test_event_profile_winter_refits.py``; 3 at 5%);
        the parcel benchmarks' series-windows with refits of both kinds are all above 5% (lowest
        0.065: the bars are unchanged). Dropped whenever they differed, the parcel
        total's slope refits, which erred somewhat more than its yearly ones but measured a level
        error the forecast has too, had taken its Double 11 2022 P10-P90 coverage from 81.5% to
        74.1% (docs/benchmarks.md measured the same with the growth estimator, 77.8 -> 70.4%)."""
        n = len(self.z_)
        own = self._path_kind(self.components_, regime_days)
        same = np.array([self._path_kind(head, regime_days - (n - origin)) == own for origin, head in self.refits_],
                        bool)
        if same.all() or same.sum() < MIN_SAME_PATH_REFITS:
            return np.ones(len(self.refits_), bool)
        level = np.array([float(np.mean(e)) if len(e) else 0.0 for _, e, _, _ in self.refit_errors_])
        own_ms, other_ms = float(np.mean(level[same] ** 2)), float(np.mean(level[~same] ** 2))
        if not own_ms > 0:
            return same if other_ms > 0 else np.ones(len(self.refits_), bool)
        p = float(f_dist.sf(other_ms / own_ms, int((~same).sum()), int(same.sum())))
        return same if p < OTHER_PATH_ALPHA else np.ones(len(self.refits_), bool)

    def _start_step(self, comp: dict, regime_days: int, g: np.ndarray) -> tuple[float, str]:
        """The level step (log) at the start of a path laid over last year's baseline, and its
        note ("" when it rounds to nothing): how far the series' level since the last event span
        stands off the path on the same days (last year's baseline a year before them, plus the
        growth at the cut-off, ``g[0]``; ``g``: the path's growth, log, shape (horizon,)), kept
        as far as it stands out of the noise. Zero with fewer than ``MIN_RECENT_DAYS`` quiet
        days since the regime's last span whose day a year before is quiet and settled (past a
        launch's or an opening's ramp: ``settle_days_``): a cut-off in a span or right after
        one has no evidence of a new level yet. Only comparable days count: no one-off day
        (``one_off_``), and not the days of a lull a year before that this year's days do not
        repeat (``_unrepeated_lull``).

        The level since the span is the mean weekday-adjusted log value of those days (the last
        ``RECENT_DAYS`` at most) less the mean quiet residual of the regime (a mean of log values
        sits below the running median the path is made of). Comparing on the same days keeps
        the season out of the step (against the path's first days after the cut-off, a summer
        lull between the 618 span and the cut-off had put the sample's Double 11 2-3% high).
        Lines launched or stopped
        inside a span move the level after it, while the growth is measured on pairs mostly
        before it, or, in data under a year and four weeks old, is a shrunk slope: trial 7's
        家纺布艺 (a line launched inside the Double 11 span, +30%) was forecast at 66 a day for
        December against 88 in its last two weeks and 93 sold.

        The step keeps the share ``max(0, 1 - se^2 / d^2)`` of the gap ``d``: the
        method-of-moments weight of a signal of variance ``max(0, d^2 - se^2)`` against noise
        ``se^2`` (DerSimonian & Laird's, as ``_pool_profile`` weighs a series' lift), so a gap
        within its noise is dropped and a clear one kept nearly whole. ``se^2`` is the variance
        of the level since the span (the day noise over its days) plus that of the path's level
        (a running median of ``level_window`` days: 1.25^2 noise^2 / level_window), the noise
        being the robust sd of the regime's quiet residuals. The caller lets the step fade as
        the year-on-year growth does (it is a year-on-year difference measured at the cut-off;
        trial 7's categories grew 0.40 a year at December and 0.24 at 618)."""
        level, in_event = comp["level"], comp["in_event"]
        n = len(level)
        zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
        start = max(0, n - regime_days)
        quiet = np.flatnonzero(~in_event[start:]) + start
        spans = np.flatnonzero(in_event[start:]) + start
        since = quiet[quiet > spans[-1]] if len(spans) else quiet
        if len(since) < MIN_RECENT_DAYS:  # a cut-off in a span, or right after one
            return 0.0, ""
        # the regime's usual quiet days: a one-off day (``one_off_``) is no more part of the centre
        # than of the days read (a live shop's x2-x5 days in the centre only had put it 9-12% low)
        residual = (zd - level)[quiet[~self.one_off_[quiet]]]
        noise = robust_sd(residual)
        # comparable days: no one-off day, and not the days after a span whose event left a lull a
        # year before that it did not leave now (a young product's first post-Double 11 lull under
        # its path, read against its level and one live day, had put it at +110%)
        lull = self._unrepeated_lull(comp, start, zd, noise)
        since = since[~self.one_off_[since] & ~lull[since]]
        recent = since[-RECENT_DAYS:]
        # last year's path on the same days: settled (past a launch's or an opening's ramp) and quiet
        ago = np.maximum(recent - SAME_WEEKDAY_DAYS, 0)
        recent = recent[(recent - SAME_WEEKDAY_DAYS >= start + self.path_settle_days_) & ~in_event[ago] & ~lull[ago]]
        if len(recent) < MIN_RECENT_DAYS:
            return 0.0, ""
        gap = float((zd[recent] - level[recent - SAME_WEEKDAY_DAYS]).mean() - residual.mean() - g[0])
        se2 = noise ** 2 * (1 / len(recent) + 1.25 ** 2 / self.level_window)
        step = gap * max(0.0, 1 - se2 / gap ** 2) if gap else 0.0
        if abs(np.expm1(step)) < 0.005:
            return step, ""
        first = self.ds_[self.regime_.born + int(recent[0])].date()
        return step, (f"{self.name}: the level since the last event span ({len(recent)} quiet days from {first}) "
                      f"stands {np.expm1(gap):+.0%} off last year's baseline path plus its growth; the path "
                      f"starts {np.expm1(step):+.0%} off it (as far as the step stands out of the day noise), "
                      f"fading as the year-on-year growth does")

    def _unrepeated_lull(self, comp: dict, start: int, zd: np.ndarray, noise: float) -> np.ndarray:
        """Boolean mask (shape of ``comp``'s level) of the days a start step must not be read on:
        the ``LULL_DAYS`` days after the last span and after its event's occurrence a year before
        (the span that ended within ``LULL_MATCH`` days of a year before it: Spring Festival
        moves), when that occurrence left a lull (its first ``LULL_TEST`` days' quiet
        weekday-adjusted log values, ``zd``, more than ``OPENING_GAP`` and ``LULL_Z`` standard
        errors below the quiet days of the ``LULL_DAYS`` after them; ``noise``: a day's sd) and
        the last span did not (its days since, against the ``LULL_DAYS`` before it began, do not
        fall as far as the year-before days did against theirs, by the same two bars): last
        year's path there is a lull this year's days are not in. A lull that recurs is
        comparable, and stays (the parcel origins' after-618 lull, read as no lull, had cost
        their Double 11 0.1 point). All False otherwise; ``start``: the regime's first day."""
        in_event = comp["in_event"]
        n = len(in_event)
        lull = np.zeros(n, bool)
        ends = np.flatnonzero(in_event[:-1] & ~in_event[1:]) + 1  # the first day after each span
        begins = np.flatnonzero(~in_event[:-1] & in_event[1:]) + 1  # the first day of each span
        if not len(ends):
            return lull
        last = ends[-1]
        before = [e for e in ends[:-1] if e >= start and abs(last - SAME_WEEKDAY_DAYS - e) <= LULL_MATCH]
        if not before:
            return lull
        then = min(before, key=lambda e: abs(last - SAME_WEEKDAY_DAYS - e))

        def quiet(a, b):
            days = np.arange(max(a, start), min(b, n))
            return days[~in_event[days]]

        def fall(first, second):  # mean drop from the days ``second`` to ``first``, and its se
            if min(len(first), len(second)) < MIN_RECENT_DAYS:
                return None
            return float(zd[second].mean() - zd[first].mean()), noise * np.sqrt(1 / len(first) + 1 / len(second))

        def clear(found):
            return found is not None and found[0] > OPENING_GAP and found[0] > LULL_Z * found[1]

        if not clear(fall(quiet(then, then + LULL_TEST), quiet(then + LULL_DAYS, then + 2 * LULL_DAYS))):
            return lull  # no lull a year before
        now = quiet(last, last + LULL_TEST)
        shown = now - last  # the same days after the span a year before
        began_now, began_then = begins[begins < last][-1], begins[begins < then][-1] if (begins < then).any() else None
        if began_then is None:
            return lull
        drop_now = fall(now, quiet(began_now - LULL_DAYS, began_now))
        drop_then = fall(quiet(then, then + LULL_TEST)[np.isin(quiet(then, then + LULL_TEST) - then, shown)],
                         quiet(began_then - LULL_DAYS, began_then))
        if drop_now is None or drop_then is None:
            return lull
        gap = drop_then[0] - drop_now[0]
        if gap > OPENING_GAP and gap > LULL_Z * np.hypot(drop_now[1], drop_then[1]):
            lull[last:last + LULL_DAYS] = True
            lull[then:then + LULL_DAYS] = True
        return lull & ~in_event

    def _yearly_growth(self, comp: dict, regime_days: int) -> float:
        """Year-on-year growth of ``comp``'s baseline (log points a year) at the end of its
        history, over the latest day pairs (``_growth_days`` of them) of the current regime:
        quiet pairs (a quiet day and the same weekday a year before, also quiet: the baseline's
        change), or, with fewer than 28 of them (a cut-off in an event span with about a year
        of history: Spring Festival moves, so no quiet day has a quiet day a year before it),
        the quiet pairs and the event-aligned pairs together (``_event_pairs``: a span day and
        the day at the same offset from the event's previous occurrence; the uplift at an
        offset repeats, as the forecast assumes, and cancels in the weekday-adjusted
        difference), and the growth is their median: a span's days are the days a shop or a
        depot closes (a week of zeros in one year's pause read as 1.5 log points a year of
        growth in the mean). The earlier day of a pair is not in the regime's first
        ``MIN_REGIME_DAYS`` days after a launch or a level shift (a launch ramps up; a new
        level settles). Without
        28 pairs of either kind, over the last ``growth_window`` days of the baseline
        interpolated across the span, when the year-before days are settled and at or after the
        regime's first quiet day (else NaN: no growth is measured; a level extrapolated back
        from a later anchor across the history's first span is no year-before level). Kept in ``comp`` (the refits ask for it once per
        candidate half-life), with which of the three estimators gave it
        (``comp["growth_estimator"]``)."""
        cache, kinds = comp.setdefault("yearly_growth", {}), comp.setdefault("growth_estimator", {})
        if regime_days not in cache:
            level, in_event = comp["level"], comp["in_event"]
            n = len(level)
            first = n - regime_days + self.settle_days_
            t = np.arange(max(SAME_WEEKDAY_DAYS, n - regime_days + SAME_WEEKDAY_DAYS), n)
            later = t[~in_event[t] & ~in_event[t - SAME_WEEKDAY_DAYS] & (t - SAME_WEEKDAY_DAYS >= first)]
            earlier, aligned = later - SAME_WEEKDAY_DAYS, np.zeros(len(later), bool)
            if len(later) < 28:
                event_later, event_earlier = self._event_pairs(n, first)
                in_season = ~self.off_days_[event_later] & ~self.off_days_[event_earlier]
                event_later, event_earlier = event_later[in_season], event_earlier[in_season]
                order = np.argsort(np.r_[later, event_later], kind="stable")
                later = np.r_[later, event_later][order]
                earlier = np.r_[earlier, event_earlier][order]
                aligned = np.r_[aligned, np.ones(len(event_later), bool)][order]
            if len(later) >= 28:
                zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
                whole, less = False, 0.0
                if not aligned.any():  # a level step the regime let pass sits in the differences since it
                    later, earlier, whole, less = self._past_step(comp, regime_days, later, earlier, zd, first)
                    aligned = np.zeros(len(later), bool)
                k = len(later) if whole else self._growth_days(comp, later, earlier, median=aligned.any())
                # quiet pairs: the smoothed baseline's change; event-aligned pairs: the days' own
                # (the baseline is only interpolated across a span)
                d = np.where(aligned, zd[later] - zd[earlier], level[later] - level[earlier])
                cache[regime_days] = float(np.median(d[-k:]) if aligned.any() else np.mean(d[-k:]) - less)
                comp.setdefault("growth_age", {})[regime_days] = float(n - np.mean(later[-k:]))  # days
                kinds[regime_days] = "event-aligned pairs" if aligned.any() else "quiet pairs"
            else:
                days = t[~self.off_days_[t] & ~self.off_days_[t - SAME_WEEKDAY_DAYS]][-self.growth_window:]  # in season
                measured = np.flatnonzero(~in_event[n - regime_days:n]) + n - regime_days
                if len(days) and len(measured) and (days - SAME_WEEKDAY_DAYS).min() >= max(first, measured[0]):
                    cache[regime_days] = float(np.mean(level[days] - level[days - SAME_WEEKDAY_DAYS]))
                else:  # the year-before level lies before the regime's first quiet day: not measured
                    cache[regime_days] = float("nan")
                kinds[regime_days] = "baseline across a span"
        return cache[regime_days]

    def _past_step(self, comp: dict, regime_days: int, later: np.ndarray, earlier: np.ndarray, zd: np.ndarray,
                   first: int) -> tuple[np.ndarray, np.ndarray, bool, float]:
        """The quiet day pairs (``later``, ``earlier``: day indices a ``SAME_WEEKDAY_DAYS`` apart, in time
        order) that measure the growth of ``comp``'s history net of a level step found in the
        differences of the last year's pairs (``year_step``: a step under the regime's factor
        1.5, such as a price rise), whether to average them all (``whole``), and the step kept
        in ``comp["year_step"][regime_days]`` as ``(last quiet day before it, first quiet day
        after it, size in log)`` for the path (``_baseline_path``) when it is this year's. This
        year's step: the latest ``MAX_GROWTH_DAYS`` pairs before it, all of them (the series'
        growth), the size being the growth of the pairs since less theirs; last year's (its
        echo: the year-ago days have passed it): the pairs since. The pairs within half a
        ``level_window`` of the step are left out either way (the running median spreads a step
        over them). Where the history's pairs begin too close before this year's step for
        ``growth_window`` of them (a spring step in a 19-month history), the growth is that of
        the pairs since it less the step's size as the change point measured it, the fourth
        item returned (log, subtracted from their mean; 0 otherwise). The whole history is
        tested once; a refit takes its step where its own history holds the step and the days
        after it. All the pairs when no step is found, or too few (``growth_window``) are left
        beside it."""
        steps = comp.setdefault("year_step", {})
        steps[regime_days] = None
        comp.setdefault("past_year_step", {})[regime_days] = None
        n = len(comp["level"])
        if n == len(self.z_):  # the whole history: tested here, once
            recent = later >= n - SAME_WEEKDAY_DAYS
            settled = np.arange(n) >= first
            self.year_step_ = year_step(later[recent], zd[later[recent]] - zd[earlier[recent]], zd,
                                        ~comp["in_event"] & settled, SAME_WEEKDAY_DAYS, first=bool(recent.all()))
        # a refit takes the whole history's step where its history holds it (its own last weeks
        # after the step are too few to find it, and its growth would carry it)
        found = self.year_step_
        if found is None or found.at >= n:
            return later, earlier, False, 0.0
        margin = self.level_window // 2
        keep = later < found.at - margin if found.this_year else later >= found.at + margin
        quiet = np.flatnonzero(~comp["in_event"])
        if found.this_year and keep.sum() < self.growth_window:
            # the differences begin just before this year's step (a short history): the growth is that of the pairs
            # since it less the step the change point measured
            after = later >= found.at + margin
            if after.sum() < self.growth_window:
                return later, earlier, False, 0.0
            steps[regime_days] = (int(quiet[quiet < found.at][-1]), int(quiet[quiet >= found.at][0]), found.size)
            return later[after], earlier[after], False, found.size
        if keep.sum() < self.growth_window:
            return later, earlier, False, 0.0
        if found.this_year:
            # the growth before the step from its latest MAX_GROWTH_DAYS pairs, all of them: they lie before the
            # step whatever their number, and the step is read against them (the few since the last span had
            # put a seeded growth of 0.10 at 0.17 and the step 5 points too deep)
            level, after = comp["level"], later >= found.at + margin
            if not after.any():  # a refit whose history ends at the step: it cannot read it yet
                return later, earlier, False, 0.0
            stepped = float(np.mean(level[later[after]] - level[earlier[after]]))  # the growth with the step
            later, earlier = later[keep][-MAX_GROWTH_DAYS:], earlier[keep][-MAX_GROWTH_DAYS:]
            size = stepped - float(np.mean(level[later] - level[earlier]))
            # the baseline runs across an event span between its quiet days: a step inside the span
            # (found at its end, the first quiet week) enters last year's baseline along it
            steps[regime_days] = (int(quiet[quiet < found.at][-1]), int(quiet[quiet >= found.at][0]), size)
            return later, earlier, True, 0.0
        comp.setdefault("past_year_step", {})[regime_days] = (found.at, found.size)  # said by the path's note
        return later[keep], earlier[keep], False, 0.0

    def _growth_estimator(self, comp: dict, regime_days: int) -> str:
        """Which estimator ``_yearly_growth`` took for ``comp``'s growth (quiet pairs,
        event-aligned pairs, or the baseline across a span)."""
        self._yearly_growth(comp, regime_days)
        return comp["growth_estimator"][regime_days]

    def _event_pairs(self, n: int, first: int) -> tuple[np.ndarray, np.ndarray]:
        """Event-aligned day pairs among the first ``n`` days: ``(later, earlier)`` day indices,
        a day of an event's span and the day at the same offset from the anchor of the event's
        previous occurrence (at index ``first`` or later; not one cut by the history's start if
        the history opened in it: ``evidence_offsets_``), ordered by event and day."""
        later, earlier = [], []
        for off in self.evidence_offsets_.values():
            off = off[:n]
            days = np.flatnonzero(~np.isnan(off))
            occurrences = consecutive_runs(days)
            for prev, cur in zip(occurrences[:-1], occurrences[1:]):
                prev = prev[prev >= first]
                at = np.full(2 * SPAN + 1, -1)
                at[off[prev].astype(int) + SPAN] = prev
                match = at[off[cur].astype(int) + SPAN]
                later.append(cur[match >= 0])
                earlier.append(match[match >= 0])
        if not later:
            return np.zeros(0, int), np.zeros(0, int)
        return np.concatenate(later), np.concatenate(earlier)

    def _growth_days(self, comp: dict, later: np.ndarray, earlier: np.ndarray,
                     median: bool = False) -> int:
        """How many of the latest day pairs (``later``, ``earlier``: day indices, in time
        order) the year-on-year growth is averaged over: at least ``growth_window``, and as
        many as bring its standard error down to ``GROWTH_SE`` (a noisy series needs more days:
        with a day's log noise of sd 0.3, 28 pairs leave the growth +-8 points), at most
        ``MAX_GROWTH_DAYS``. The standard error is that of a mean of the pairs' weekday-adjusted
        log differences, from their robust sd (1.4826 x median absolute deviation), or with
        ``median`` of their median (1.25 times as large)."""
        n = len(comp["level"])
        zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
        d = zd[later] - zd[earlier]
        sd = robust_sd(d)
        need = int(np.ceil(((1.25 if median else 1.0) * sd / GROWTH_SE) ** 2))
        return int(np.clip(need, self.growth_window, MAX_GROWTH_DAYS))

    def _recent_level(self, comp: dict, regime_days: int, season: float = 0.0) -> tuple[float, float, np.ndarray]:
        """The current log baseline level of ``comp``'s history, its age (days since the
        series' start) and the days it was read on (indices): the mean of its weekday-adjusted
        log values over the last ``RECENT_DAYS`` quiet days of the regime other than one-off
        days (the running median's last value rests on half a window and is noisy; a one-off
        day's share of the mean is the smearing factor's, ``_smearing``), narrowed to the latest
        of them whose level is one (``_latest_level_days``), and the mean of their ages, or that
        last value and the last day's age with fewer than ``MIN_RECENT_DAYS`` such days (a
        level left six quiet days before the cut-off: the running median holds those days).

        ``season``: the share (0-1) of the pooled path that is the series' season
        (``_season_share``, for a series that follows it); the split is then judged on its days net
        of that share of the pool's change across them, laid on its units (``on_counts``): a fall
        its category's season explains is no level it left (trial 17 F6: a summer line launched in
        spring, its autumn fall read as one and its level taken from its last 8 days, the running
        median's, at a third of its December)."""
        n = len(comp["level"])
        zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
        usual = ~comp["in_event"] & ~self.one_off_[:n]
        quiet = np.flatnonzero(usual[max(0, n - regime_days):]) + max(0, n - regime_days)
        recent = quiet[-RECENT_DAYS:]
        if len(recent) >= MIN_RECENT_DAYS:
            judged = zd
            days = self._end_day(n) - (n - 1 - recent)
            if season > 0 and days.min() >= min(self.prior.recent, default=np.inf):
                pool = season * self._pooled_level(days)
                base = float(zd[recent].mean())
                judged = zd.copy()
                judged[recent] -= on_counts(base, pool - pool.mean()) - base
            recent = _latest_level_days(judged, recent, robust_sd((zd - comp["level"])[quiet]))
        if len(recent) >= MIN_RECENT_DAYS:
            return float(zd[recent].mean()), float(recent.mean()), recent
        return float(comp["level"][-1]), float(n - 1), np.array([n - 1])

    def _end_day(self, n: int) -> int:
        """Day number (days since 1970-01-01) of the last day of the history's first ``n`` days."""
        return int(np.asarray(self.ds_[-1:], dtype="datetime64[D]").astype(np.int64)[0]) - (len(self.z_) - n)

    def _pooled_path(self, n: int, horizon: int) -> bool:
        """Whether the pooled prior's path covers the ``horizon`` days after the history's first
        ``n`` days (it starts on the pooled history's last day: a refit's earlier origin has none)."""
        path = self.prior.path if self.prior else {}
        end = self._end_day(n)
        return end in path and end + horizon in path

    def _pooled_level(self, days: np.ndarray) -> np.ndarray:
        """The pooled log baseline on the day numbers ``days`` (``PooledPrior.level``)."""
        return self.prior.level(days)

    def _young_path(self, comp: dict, regime_days: int, n: int,
                    horizon: int) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, np.ndarray]:
        """The current log level (``_recent_level`` of the ``regime_days`` days of the current regime,
        read net of the share of the pooled path that is the series' season: measured at some age,
        days since the start, the mean of the days it was read on) along the pooled path (flat
        without one), the path's change taken from its mean over those days (``PooledPrior.recent``)
        and times the share of it that is the series' season (``_season_share``: none, the level
        held, where its days show none) laid on its units (``on_counts``), plus the series' own season
        where a year of history shows one (``_one_year_season``: its share of the pooled series a
        year before), and, for a launched series, up the panel's launch curve
        (``launch_curve``: ``LaunchCurve.growth`` from ``age`` to each future day's age, never
        above the level of the panel's largest established series) when it is usable, else (a curve
        too thin: ``launch_curve`` None says no ramp), launched within the last year, up its own
        rise where the quiet days of its current regime (its last ``regime_days``) show one
        (``_own_rise``); notes;
        that launch growth (log, shape (horizon,); zeros without one) and the standard deviations
        (log, shape (horizon,)) of two level errors no refit measures, which the window bands
        add: the launch growth's (``LaunchCurve.growth_spread``: the part read off the curve's
        tail; ``Prediction.launch_spread``) and the one-year season's (``Prediction.season_spread``;
        zeros without them)."""
        end = self._end_day(n)
        path = self.prior.path if self.prior else {}
        notes = []
        current, age, read_on = self._recent_level(comp, regime_days)
        shares = self._season_share(comp, n, age, current) if self._pooled_path(n, horizon) else None
        if shares is not None and shares.share and self.prior.yearly:  # a season, not a young pool's slope
            current, age, read_on = self._recent_level(comp, regime_days, season=shares.share)
        ramp, spread, season_sd = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
        curve = self.launch_curve
        if self.launched_ and curve is not None and curve.usable:
            ramp = curve.growth(age, np.arange(n, n + horizon), level=current, made=self.launch_rise_)
            spread = curve.growth_spread(age, np.arange(n, n + horizon), level=current, made=self.launch_rise_)
            notes.append(f"{self.name}: launched on {self.ds_[self.regime_.born].date()}, {n} days before the "
                         f"end of its history; its level (at {age:.0f} days) grows by x{np.exp(ramp[-1]):.2f} "
                         f"over the horizon along {curve.describe()}{curve.made_words(self.launch_rise_)}")
        elif self.launched_ and curve is not None and n < SAME_WEEKDAY_DAYS:
            # its share of a pooled path with a season, else its own level (a pool under a year old lays its
            # slope, a season and its launches' growth in one: not laid over the launch's own rise)
            net = shares is not None and self.prior.yearly
            rise, why = self._own_rise(comp, n, regime_days, shares.share if net else 0.0)
            if rise is not None:
                ramp = rise.growth(age, np.arange(n, n + horizon))
                spread = rise.spread(age, np.arange(n, n + horizon))
            notes.append(f"{self.name}: launched on {self.ds_[self.regime_.born].date()}; no launch curve "
                         f"({curve.describe()}): "
                         + (f"its level (at {age:.0f} days) grows by x{np.exp(ramp[-1]):.2f} over the horizon: "
                            f"{rise.describe()}" if rise is not None else f"its current level is not ramped up: {why}"))
            if rise is not None and shares is not None and not net:
                return np.full(horizon, current) + ramp, [f"{self.name}: no year-on-year growth measured in the "
                                                          f"current regime (under a year of it settled); the forecast "
                                                          f"takes its own rise, not the pooled series' path (the "
                                                          f"pool's recent slope under a year of its own: its season "
                                                          f"and its launches' growth in one)", *notes], ramp, spread, \
                    season_sd
        if shares is not None and not shares.share:
            return np.full(horizon, current) + ramp, [f"{self.name}: no year-on-year growth measured in the current "
                                                      f"regime (under a year of it settled); the forecast holds the "
                                                      f"current level, not the pooled series' seasonal path: "
                                                      f"{shares.said}", *notes], ramp, spread, season_sd
        if shares is not None:
            # the path's change from the days the current level was read on, not from the last day:
            # a season falling 20% over a launch's last quiet days had put it 31% high
            read, first = end - (n - 1 - read_on), min(self.prior.recent, default=end)
            if read.min() < first:  # np.interp would hold the first value: an anchor off the days read
                raise ModelError(f"{self.name}: its level was read {end - read.min()} days back; the pooled "
                                 f"path reaches {end - first} days back (a pooled prior of another history?)")
            anchor = float(self._pooled_level(read).mean())
            rel = shares.share * (np.array([path[end + i] for i in range(1, horizon + 1)]) - anchor)
            comp.setdefault("path_change", {})[horizon] = rel  # the guard allows it
            season, season_sd, season_note = self._one_year_season(comp, read_on, n, horizon)
            # the pool's change is a sum's: laid on the series' units, not added to its log1p level
            return on_counts(current, rel) + season + ramp, [
                f"{self.name}: no year-on-year growth measured in the current regime (under a year of it settled); "
                f"the level follows the pooled series' seasonal path and growth ({shares.said})",
                *season_note, *notes], ramp, spread, season_sd
        return np.full(horizon, current) + ramp, [f"{self.name}: no year-on-year growth measured in the current "
                                                  f"regime (under a year of it settled) and no pooled path; "
                                                  f"the forecast holds the current level", *notes], ramp, spread, \
            season_sd

    def _own_rise(self, comp: dict, n: int, regime_days: int, share: float) -> tuple[OwnRise | None, str]:
        """A launch's own rise (``rise.own_rise``: a significant rise, levelling off to a plateau)
        from ``comp``'s history (its first ``n`` days since its start): its quiet days of the
        current regime (the last ``regime_days``; no event span, one-off or off-season day),
        weekday-adjusted, less ``share`` (0-1) times the pooled log baseline on the same days (the
        part of the pool's path the forecast lays: the season's rise is the pool's, not the
        launch's). ``(rise or None, why none)``, kept in ``comp`` by its arguments."""
        cache = comp.setdefault("own_rise", {})
        key = (n, regime_days, share)
        if key not in cache:
            zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
            idx = np.arange(max(0, n - regime_days), n)
            idx = idx[~comp["in_event"][idx] & ~self.one_off_[idx] & ~self.off_days_[idx]]
            pooled = share * self._pooled_level(self._end_day(n) - (n - 1 - idx)) if share else 0.0
            cache[key] = own_rise(zd[idx] - pooled, idx, n - 1)
        return cache[key]

    def _season_share(self, comp: dict, n: int, age: float, current: float) -> SeasonShare:
        """How much of the pooled path is the season of ``comp``'s history (its first ``n`` days,
        the current regime's level ``current`` read at ``age`` days): without a year of its own
        history, or launched within it, the share ``pool_season.shares_season`` reads on its
        days since its start (not only the current regime's: a young summer line's autumn fall was
        read as a level shift, leaving 24 days) outside event spans, one-off days and an off season, offset by the weekday pattern,
        the opening ramp's gaps and a launch's ramp along the panel's curve (days too few to test
        take the pool's path, as this young path always had); with a year of its
        own, all of it: ``_one_year_season`` reads its own season against the pool's (a flat SKU's
        share cancels a seasonal pool). Kept in ``comp`` by ``n``."""
        cache = comp.setdefault("season_share", {})
        if n not in cache:
            if n >= SAME_WEEKDAY_DAYS and not self.launched_:
                cache[n] = SeasonShare(1.0, "its own year of history is read against the pool's")
            else:
                idx = np.arange(n)  # since its start: a season's fall in a young series reads as a level shift
                idx = idx[~comp["in_event"][idx] & ~self.one_off_[idx] & ~self.off_days_[idx]]
                gaps = np.r_[self.opening_gaps_, np.zeros(max(0, n - len(self.opening_gaps_)))]
                offset = comp["weekday"][self.dow_[idx]] + gaps[idx]
                curve = self.launch_curve
                if self.launched_ and curve is not None and curve.usable:  # a ramp along the panel's curve is no season
                    offset = offset + curve.growth(age, idx, level=current, made=self.launch_rise_)
                days = self._end_day(n) - (n - 1 - idx)
                cache[n] = shares_season(self.prior, days, self.y_[self.regime_.born + idx], offset, untested=1.0)
        return cache[n]

    def _one_year_season(self, comp: dict, read_on: np.ndarray, n: int,
                         horizon: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The series' own yearly season read from the one year of its history before the
        forecast, on top of the pooled path: ``(log change, its standard deviation, notes)``,
        each of shape (horizon,) but the notes (zeros and no note where no season is read). The
        season is read once per history (``_season_year``, over the whole year before the cut-off)
        and each future day takes its value on the same weekday a whole number of years before:
        it does not depend on the horizon asked (review 8.2 #3: a 20-day and a 120-day forecast
        had disagreed on the same days, and flat SKUs had passed the noise test on 20 days)."""
        zero = np.zeros(horizon)
        if n < SAME_WEEKDAY_DAYS:
            return zero, zero, []
        cache = comp.setdefault("one_year_season", {})
        key = (n, tuple(int(i) for i in read_on))
        if key not in cache:
            cache[key] = self._season_year(comp, read_on, n)
        season, sd, notes = cache[key]
        if not len(season):
            return zero, zero, notes
        at = np.arange(horizon) % SAME_WEEKDAY_DAYS  # the same weekday a whole number of years before, in the history
        return season[at], np.full(horizon, sd), notes

    def _season_year(self, comp: dict, read_on: np.ndarray, n: int) -> tuple[np.ndarray, float, list[str]]:
        """The one-year season of ``_one_year_season`` on the ``SAME_WEEKDAY_DAYS`` days after the history's
        first ``n`` days: ``(log change, shape (SAME_WEEKDAY_DAYS,) or empty; its standard deviation, log;
        notes)``.

        The series' share of the pooled series, ``r = L - P`` (its baseline level ``L`` of
        ``comp``, events left out and an opening ramp flattened, less the pooled baseline ``P`` on
        the same days: ``PooledPrior.recent``), on each of the last ``SAME_WEEKDAY_DAYS`` days of the history
        (the days a year before the future ones), less its mean on the days a year before those
        its current level was read on (``read_on``): how the share moved over the year after
        them. The pooled path then carries the growth and the pool's own season, and the share the
        series' (a shop's sunscreen, four times more in summer, against the flat rest of the
        shop: the pool's path alone carried its August level into November, trial 9's 双11 2026
        防晒 +197%; a flat SKU in a seasonal shop moves against the pool's season, and its share
        cancels it). Level shifts before the current regime's are read through: a season seen
        once is read as shifts (trial 9's sunscreen), and whether it repeats is not measured (the
        note says so). The days read are the year's quiet days (a span's level is interpolated to
        the quiet days either side: a span ending on a price cut carried the doubled level back
        into the old, a "season" of +77% on a flat SKU) clear of the current regime's shift by
        ``level_window`` days; the days between them take the change of the nearest (linear
        interpolation). The days from that shift on hold whatever of it persists, which the current
        level has already taken: their change is net of the share's change from the days a year
        before the current level's to those days themselves (a price cut's doubling, all of it; a
        children's summer line's spring rise, read as a shift, none, its autumn fall having
        brought it back: trial 11's summer lines had been held at their winter share by a rule
        that read only the days before the shift, 年货节 2027 +48 to +188%). A shift across the year
        read within ``OPENING_AHEAD`` days of the end of the series' opening ramp (``opening_``; the
        days that ramp's end is judged on) is taken for the ramp misread (flat lines of a seeded shop
        ramping over 45 days, its ramp read as 3, had shifts on their days 33-40): no season.

        A season must stand out of the series' noise (review 8.2 #3: noise passed for one on flat
        SKUs): under no season, each change ``d`` is noise of variance ``se^2 = 2 x 1.25^2
        noise^2 / level_window`` (two medians of ``level_window`` days: the running median and
        the mean of it the current level's days take; ``noise`` the robust sd of the series'
        quiet residuals; the pool's, a sum, taken as none), and running medians ``level_window``
        days apart are independent, so ``sum(d^2) / (se^2 level_window)`` is chi-squared with
        ``m / level_window`` degrees of freedom (``m`` days read). No season unless that is
        significant at ``SEASON_ALPHA``. A season that passes is kept as far as it stands out of
        its noise: the share ``w = max(0, 1 - se^2 / mean(d^2))`` (the method-of-moments weight of
        ``_start_step``, DerSimonian & Laird 1986), its standard deviation the shrunk estimate's,
        ``sqrt(w) se`` (normal-normal posterior).

        Not read (empty, with a note where the series has a year of history): for a launched
        series (its year before holds its launch ramp, not a season), with fewer than
        ``MIN_RECENT_DAYS`` quiet days a year before the current level's, with fewer than
        ``MIN_SEASON_DAYS`` days read, with the shift in the opening months, where the pooled baseline the
        prior holds does not reach a year back, and where the test finds no season."""
        empty = np.zeros(0)

        def dropped(why):
            return empty, 0.0, [f"{self.name}: no season read from its one year of history: {why}"]

        if self.launched_:
            return dropped("its year before holds its launch ramp, not a season")
        level, in_event = comp["level"], comp["in_event"]
        anchor = read_on - SAME_WEEKDAY_DAYS
        anchor = anchor[anchor >= 0]
        anchor = anchor[~in_event[anchor]]
        if len(anchor) < MIN_RECENT_DAYS:
            return dropped(f"{len(anchor)} days outside event spans a year before its current level was read "
                           f"(it needs {MIN_RECENT_DAYS})")
        born = self.regime_.born
        ago = np.arange(n - SAME_WEEKDAY_DAYS, n)
        shift = self.regime_.start - born
        across = anchor.min() < shift <= n - 1  # the current regime's shift lies in the year read
        # the days read: quiet (a span's level is interpolated to the quiet days either side, and a span
        # ending on a shift carried the new level back into the old), and a running median's window clear
        # of the current regime's shift
        if across and shift < self.opening_ + OPENING_AHEAD:
            return dropped(f"its level shift of {self.ds_[self.regime_.start].date()} lies in its opening weeks (its "
                           f"first {self.opening_ + OPENING_AHEAD} days), where a ramp is read as shifts")
        read = ago[~in_event[ago]]
        if across:
            read = read[np.abs(read - shift) >= self.level_window]
        if len(read) < MIN_SEASON_DAYS:
            return dropped(f"{len(read)} quiet days in the year before the cut-off (a season needs {MIN_SEASON_DAYS})")
        end = self._end_day(n)
        if end - (n - 1 - anchor.min()) < min(self.prior.recent, default=end):  # the pool's days do not reach
            return dropped("the pooled series' baseline does not reach a year back")
        own_gaps = np.r_[self.opening_gaps_, np.zeros(max(0, n - len(self.opening_gaps_)))][:n]
        pool_gaps = self.prior.opening

        def share(days):  # the log share, both levels as they were (a shop's opening ramp cancels)
            pooled = end - (n - 1 - days)
            return level[days] + own_gaps[days] - self._pooled_level(pooled) \
                - np.array([pool_gaps.get(int(day), 0.0) for day in pooled])

        d = share(read) - share(anchor).mean()
        if across:  # the days from the shift on hold the share's year-on-year change where its current level was read
            d = d - np.where(read >= shift, share(read_on).mean() - share(anchor).mean(), 0.0)
        zd = self.z_[:n] - comp["weekday"][self.dow_[:n]]
        noise = robust_sd((zd - level[:n])[~in_event[:n]])
        se2 = 2 * 1.25 ** 2 * noise ** 2 / self.level_window
        dof = len(read) / self.level_window
        p = float(chi2.sf(float(d @ d) / (se2 * self.level_window), dof)) if se2 > 0 else 0.0
        if not p < SEASON_ALPHA:
            return dropped(f"its share of the pooled series moved within its noise over the year read (chi-squared "
                           f"p = {p:.2f}, a season needs p < {SEASON_ALPHA:g})")
        w = max(0.0, 1 - se2 / float(np.mean(d ** 2)))
        season = w * np.interp(ago, read, d)  # the days between those read, and after the last, as the nearest
        sd = float(np.sqrt(w * se2))
        if not np.abs(np.expm1(season)).max() >= SEASON_NOTE:
            return season, sd, []
        held = (f"; the days from its level shift of {self.ds_[self.regime_.start].date()} net of the share's change "
                f"a year on where its current level was read" if across else "")
        return season, sd, [
            f"{self.name}: season read from one year: its share of the pooled series on the same days a year "
            f"before (from {self.ds_[born + int(ago[0])].date()}) moved {np.expm1(season.min()):+.0%} to "
            f"{np.expm1(season.max()):+.0%} against its share when its current level was read (chi-squared p = "
            f"{p:.1g}; kept {w:.0%}, as far as it stands out of its day noise{held}); one season seen does not show "
            f"whether it repeats, and the window bands widen by its noise"]

    def _forecast_log(self, comp: dict, future_offsets: dict[str, np.ndarray], future_dow: np.ndarray,
                      regime_days: int, halflife: float | None | str = "fitted"):
        """Log forecast, the event uplift in it, and notes, for the days after the history
        (``halflife`` as in ``_baseline_path``). Kept in ``comp`` by horizon, regime and
        half-life (the future days of a history are fixed by its end and the horizon): the
        refits' forecasts serve the half-life choice, the smearing and the calibration."""
        horizon = len(future_dow)
        halflife = self.growth_halflife_ if halflife == "fitted" else halflife
        cache = comp.setdefault("forecasts", {})
        key = (horizon, regime_days, halflife)
        if key not in cache:
            if ("events", horizon) not in cache:
                cache[("events", horizon)] = self._events_log(comp, future_offsets, future_dow)
            shape, uplift, event_notes = cache[("events", horizon)]
            base, notes = self._baseline_path(comp, horizon, regime_days, halflife)
            off = self._off_ahead(len(comp["level"]), horizon)  # none sold: its log1p is 0
            cache[key] = (np.where(off, 0.0, base + shape), np.where(off, 0.0, uplift), notes + event_notes)
        mu, uplift, notes = cache[key]
        return mu, uplift, list(notes)

    def _season_spread(self, horizon: int) -> np.ndarray | None:
        """``Prediction.season_spread`` for ``horizon`` days ahead: a season read from one year's
        (``_season_year``), or the standard deviation (log) of a yearly off season's level
        (``_off_season_spread``: as uncertain as its seasons' year-to-year changes were), 0 off
        season; None for other series. Its refits
        rarely reach a season, and their spans across its edges calibrate nothing (``refit_paths``):
        a window band in season was the days' spreads as independent, 2,530..3,853 around 3,164
        for cherries that sold 4,404 (trial 10's 年货节 2027)."""
        spread = self.components_.get("off_season_spread", {}).get(horizon) if self.off_season_ else None
        if spread is None:  # a season read from one year (``_season_year``), if any
            return self.components_.get("season_spread", {}).get(horizon)
        return np.where(self._off_ahead(len(self.z_), horizon), 0.0, spread)

    def _off_ahead(self, start: int, horizon: int) -> np.ndarray:
        """Which of the ``horizon`` days after the first ``start`` days (of ``z_``) a forecast from
        there reads as its yearly off season (``season_.off``; none without one), shape (horizon,)."""
        if not self.off_season_:
            return np.zeros(horizon, bool)
        born = self.regime_.born
        return self.season_.off(born + start + np.arange(horizon), until=born + start)

    def _events_log(self, comp: dict, future_offsets: dict[str, np.ndarray], future_dow: np.ndarray):
        """Weekday effect plus event uplift (log) for the future days, the uplift alone, notes."""
        horizon = len(future_dow)
        notes = []
        uplift = np.zeros(horizon)
        for name, off in future_offsets.items():
            inside = ~np.isnan(off)
            if not inside.any():
                continue
            profile = comp["profiles"].get(name)
            known = profile[off[inside].astype(int) + SPAN] if profile is not None else np.full(inside.sum(), np.nan)
            if np.isnan(known).all() and profile is not None and not np.isnan(profile).all():
                # seen, but not at these offsets (an event never seen at all: ``unseen.borrow_unseen``)
                unseen = self._future_dates(horizon)[np.flatnonzero(inside)[np.isnan(known)]]
                notes.append(f"{self.name}: no history of {profile_label(name, self.calendar_)} before "
                             f"{self.ds_[-1].date()} at the days {unseen[0].date()}..{unseen[-1].date()} of it; "
                             f"they are forecast at the baseline (no uplift)")
            uplift[inside] += np.nan_to_num(known)
        return comp["weekday"][future_dow] + uplift, uplift, notes

    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        if self.delegate_ is not None:
            pred = self.delegate_.predict(horizon, quantiles)
            pred.notes.append(f"{self.name}: {self.delegate_note_}; forecast by {self.delegate_.name}")
            return pred
        future = self._future_dates(horizon)
        if self.regime_.stopped:
            zero = np.zeros(horizon)
            return Prediction(future, zero, {q: zero.copy() for q in quantiles},
                              [f"{self.name}: {describe_stop(self.y_, self.ds_, self.quiet_)}: the series stopped "
                               f"and is forecast at zero"], zero.copy())
        n = len(self.z_)
        offsets = _offsets(self.ds_[self.regime_.born], n + horizon, self.calendar_)
        future_offsets = {k: v[n:] for k, v in offsets.items()}
        regime_days = len(self.y_) - self.regime_.start
        mu, uplift, notes = self._forecast_log(self.components_, future_offsets, _weekday(future), regime_days)
        # an event never seen: the uplift of the seen events of its kind, its spread in the band
        # (on a yearly off season's days ahead there is nothing to lift: they borrow nothing, said nowhere)
        off = self._off_ahead(n, horizon)
        in_season = {k: np.where(off, np.nan, v) for k, v in future_offsets.items()} if off.any() else future_offsets
        borrowed = borrow_unseen(self.uplift_, in_season, future, self.ds_[-1], self.calendar_, self.name)
        mu, uplift = mu + borrowed.uplift, uplift + borrowed.uplift
        notes += borrowed.notes + self._own_event_notes(future_offsets, uplift)
        if self.off_season_:
            spread, changes = self._season_spread(horizon), len(self._season_changes(self.components_))
            how = (f"the sd of its {changes} seasons' year-to-year level changes" if changes >= 2 else
                   "the size of the one year-on-year growth its seasons show: no variation seen")
            notes.append(f"{self.name}: sold on few of its last {INTERMITTENT_DAYS} days in a yearly off season (the "
                         f"same months off in two years or more): forecast along last year's path (not as "
                         f"intermittent demand)" + (f"; its season's level is uncertain by up to +-{spread.max():.2f} "
                                                    f"log ({how}), which its window band holds"
                                                    if spread is not None and spread.max() > 0.005 else ""))
        if self.low_season_ is not None:
            notes.append(f"{self.name}: {self.low_season_.describe('D')}: forecast along last year's path")
        if self.regime_.start > self.regime_.born:
            notes.append(f"{self.name}: level shift on {self.ds_[self.regime_.start].date()}; level and "
                         f"growth come from the days since")
        if self.regime_.season is not None:
            back, rise = (self.ds_[i].date() for i in self.regime_.season)
            notes.append(f"{self.name}: its rise from {rise} returned it to its level of a year before (around "
                         f"{back}): read as its season, not as a level shift, along last year's path (one year "
                         f"cannot tell a season from a level lost and won back)")
        # a never-seen event's days: its borrowed spread is their one widening, not the refits' missed uplifts
        unknown = _unknown_days(self.components_, future_offsets) & ~borrowed.days
        bands = widened_offsets(self._band_offsets(horizon, quantiles, uplift, unknown, regime_days), borrowed.spread)
        # the mean, not the median, of the day noise around the level: forecasts are summed
        # over days, series and levels, and a sum of medians is biased low
        mean = censored_at_zero(np.expm1(mu + self.smearing_))
        qs = {q: censored_at_zero(np.expm1(mu + bands[q])) for q in quantiles}
        baseline = censored_at_zero(np.expm1(mu - uplift + self.smearing_))
        return Prediction(future, mean, qs, notes, baseline,
                          launch_growth=self.components_.get("launch_growth", {}).get(horizon),
                          path_change=self.components_.get("path_change", {}).get(horizon),
                          launch_spread=self.components_.get("launch_spread", {}).get(horizon),
                          season_spread=self._season_spread(horizon),
                          event_spread=borrowed.spread if borrowed.spread.any() else None)

    def _own_event_notes(self, future_offsets: dict[str, np.ndarray], uplift: np.ndarray) -> list[str]:
        """A note per planner's own event (not a shipped profile) with days in the horizon: how far
        it lifts the forecast on them (the mean of ``expm1`` of the log ``uplift``, shape
        (horizon,), on its days), and why: the series' own reaction in its history
        (``_reaction``), none (no uplift), or the pooled series' profile it took, and whether it
        took it untested (no window of the event in its history) or after reacting in its own
        windows (a series under a year old: too few windows for a shape). The event's own days (its
        calendar window) are counted apart from the days its profile's span adds around them
        (``OWN_EVENT_MARGINS``): an 8-day event was said to move "its 11 days"."""
        notes = []
        future = self._future_dates(len(uplift))
        reactions = self.components_.get("reactions", {})
        for name, off in future_offsets.items():
            inside = ~np.isnan(off)
            if name in SHIPPED_PROFILES or not inside.any():
                continue
            label = f"{self.calendar_.label(name)} ({name})"
            own = inside & ~np.isnan(self.calendar_.event_offsets(future, name))
            margin = inside & ~own
            moves = ", ".join(f"{what.format(int(days.sum()))} {np.expm1(uplift[days]).mean():+.0%}" for what, days in
                              (("its {} days in the horizon", own),
                               ("the {} days beside its window its profile spans", margin)) if days.any())
            reaction = reactions.get(name)
            if reaction is None:
                why = "its own history holds no window of it: the profile is the pooled series'" \
                    if name in self.prior_profiles_ else "no window of it was seen"
            elif reaction.lifted:
                why = (f"its {reaction.windows} windows seen moved it {np.expm1(reaction.lift):+.0%} over the span "
                       f"({reaction.z:+.1f} standard errors of spans of its quiet days)")
                if name in self.components_.get("pooled", ()):
                    why += ("; under a year old, it takes the pooled series' profile, at a lift between the pool's "
                            "and its own by how far its windows show them apart")
            else:
                why = (f"no reaction in its {reaction.windows} windows seen ({np.expm1(reaction.lift):+.0%} over the "
                       f"span, {reaction.z:+.1f} standard errors of spans of its quiet days, short of "
                       f"{reaction.bar:.2f}): no uplift")
            notes.append(f"{self.name}: {label} moves {moves}: {why}")
        for event, reaction in reactions.items():  # a shipped event a young series reacted to (``_young_shipped``)
            if event not in SHIPPED_EVENTS or not reaction.lifted:
                continue
            days = ~np.isnan(self.calendar_.event_offsets(future, event))
            if not days.any():
                continue
            notes.append(f"{self.name}: {self.calendar_.label(event)} ({event}) moves its {int(days.sum())} days in the "
                         f"horizon {np.expm1(uplift[days]).mean():+.0%}: under a year old, its own window moved it "
                         f"{np.expm1(reaction.lift):+.0%} over the span ({reaction.z:+.1f} standard errors of spans of "
                         f"its quiet days), so it takes the pooled series' profile at a lift between the pool's and "
                         f"its own by how far its window shows them apart, not the pool's whole")
        return notes

    def _band_offsets(self, horizon: int, quantiles, uplift: np.ndarray, unknown: np.ndarray,
                      regime_days: int) -> dict[float, np.ndarray]:
        """Log offsets of the quantiles around the log forecast, per future day (``{q: array
        (horizon,)}``), from the calibration errors (``_calibration_errors``).

        The errors are split by what the refit knew (Mondrian conformal prediction: Vovk,
        Gammerman & Shafer 2005, ch. 4.5): an error on an event day at an offset the refit had
        no profile for is the whole uplift, missed; it calibrates only the future days the
        model has no profile for either (``unknown``; not the days of an event never seen, whose
        borrowed spread widens them: ``unseen.borrow_unseen``), when there are at least
        ``MIN_BAND_ERRORS`` of them, and never the others (the refits of a short history miss
        events the forecast knows: on the parcel total's 618 2022 cut-off the refits that had
        not seen Double 11 widened every day's band, and, their errors on event days counted
        as quiet, hid how much more event days err). Among the other errors an event day's
        spread is ``1 + k |u|`` times a quiet day's, ``u`` the refit's forecast log uplift of
        the day (``k``: ``_spread_slope``; without evidence among its refits, the pooled
        series' ``k`` in this series' terms, ``_borrowed_slope``, else 0), and the same ``1 + k |u|`` with the forecast's uplift widens
        the future event days. A day's error is its refit's level error at that horizon plus
        day noise (``_refit_day_errors``), which does not depend on the horizon: each horizon
        band's level errors are convolved with the day noise of all the refits
        (``conformal_offsets``' ``day``), each band's level variance shrunk toward the other
        bands' by the number of refits that measured it (``paths``, ``LEVEL_PRIOR_REFITS``: a
        spread from two refits is itself a guess), and for steps beyond the mean horizon of a band's
        errors (beyond the horizons the refits reach, above all) only the part of the spread
        above the day noise grows (``noise``; without refits, the in-sample residuals are the day
        noise and only their widening grows: a launched SKU 95 days old had its whole band grown
        as a random walk from 45 days, P90 8 times its median 200 days ahead)."""
        horizons, errors, past_uplift, missed = self._calibration_errors(regime_days)
        seen = ~missed if (~missed).any() else np.ones(len(missed), bool)
        k = self._spread_slope(regime_days)
        if k is None:  # no evidence of its own: the pooled series', else none
            k = self._borrowed_slope(regime_days)
        x = np.abs(past_uplift[seen])
        noise = day = paths = None
        if self._calibration_refits():  # the refits' day noise, in the scores' units, does not grow
            parts = self._refit_day_errors()
            day = np.concatenate(parts)[seen]
            paths = np.concatenate([np.full(len(part), i) for i, part in enumerate(parts)])[seen]
            d = np.concatenate([part[~m] / (1 + k * np.abs(u[~m]))
                                for part, (_, _, u, m, _) in zip(parts, self._calibration_refits())])
            # no day left (every refit day fell on an event it had not seen): nothing is known not to grow
            noise = day_noise(d, SMEARING_DAYS)
        else:  # the in-sample residuals are day noise; only their widening stands for a level error
            noise = (robust_sd(errors) / IN_SAMPLE_WIDENING) ** 2
        bands = conformal_offsets(horizons[seen], errors[seen], horizon, quantiles, spread=1 + k * x,
                                  future_spread=1 + k * np.abs(uplift), noise=noise, day=day, paths=paths)
        if unknown.any() and missed.sum() >= MIN_BAND_ERRORS:
            blind = conformal_offsets(horizons[missed], errors[missed], horizon, quantiles)
            for q in quantiles:
                bands[q] = np.where(unknown, blind[q], bands[q])
        return bands

    def _borrowed_slope(self, regime_days: int) -> float:
        """The pooled series' ``k`` (``PooledPrior.spread_slope``) for a series without evidence
        of its own, in this series' terms: the same event error in log points per unit of
        uplift, ``k spread_noise``, over this series' own day noise (``_day_sd``), at most
        ``MAX_SCALE_SLOPE``; 0 without a pooled ``k``. A relative ``k`` of the pooled series,
        whose day noise is that of a sum, times a slow mover's day noise had put a SKU
        launched 90 days before the cut-off at a P90 of 58 times its median on 618, a
        never-seen event (trial 7: k 3.0, pooled day noise against its own 0.23 log)."""
        prior = self.prior
        if prior is None or prior.spread_slope is None:
            return 0.0
        own = self._day_sd(regime_days)
        if prior.spread_noise is None or not own > 0:
            return prior.spread_slope
        return min(prior.spread_slope * prior.spread_noise / own, MAX_SCALE_SLOPE)

    def _day_sd(self, regime_days: int) -> float:
        """The series' day noise on quiet days (log sd), the scale an event day's ``1 + k |u|``
        multiplies: of its refits' day parts on days they forecast within 0.1 of the baseline
        (``day_noise``; all their days whose events they knew when none is), or, without
        refits, of its in-sample quiet residuals (``_calibration_errors`` before their
        widening)."""
        if self._calibration_refits():
            parts = self._refit_day_errors()
            refits = self._calibration_refits()
            quiet = np.concatenate([p[(np.abs(u) <= 0.1) & ~m] for p, (_, _, u, m, _) in zip(parts, refits)])
            if not len(quiet):
                quiet = np.concatenate([p[~m] for p, (_, _, _, m, _) in zip(parts, refits)])
            variance = day_noise(quiet, SMEARING_DAYS)
            return float(np.sqrt(variance)) if variance is not None else 0.0
        _, errors, _, _ = self._calibration_errors(regime_days)
        return robust_sd(errors) / IN_SAMPLE_WIDENING if len(errors) else 0.0

    def _spread_slope(self, regime_days: int) -> float | None:
        """``k`` of an event day's spread ``1 + k |uplift|`` times a quiet day's, fitted on the
        refits' errors on days whose event they knew (``scale_slope``); None when fewer than
        ``MIN_SCALE_ERRORS`` of those are event days (no evidence either way)."""
        horizons, errors, past_uplift, missed = self._calibration_errors(regime_days)
        seen = ~missed
        return scale_slope(horizons[seen], errors[seen], np.abs(past_uplift[seen]))

    def _refit_errors(self, regime_days: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per refit (``refits_``, with the fitted growth half-life), forecasting from its origin
        to the last day: horizons (days), log errors, the forecast log event uplift of each day,
        and whether the day was an event day at an offset the refit had no profile for
        (``_unknown_days``: forecast at the baseline, the uplift missed).
        Computed once in ``fit``: the smearing factor and the quantiles both use them."""
        n = len(self.z_)
        out = []
        for origin, head in self.refits_:
            tail = {o: v[origin:n] for o, v in self.offsets_.items()}
            mu, uplift, _ = self._forecast_log(head, tail, self.dow_[origin:], regime_days - (n - origin))
            out.append((np.arange(1, n - origin + 1), self.z_[origin:] - mu, uplift, _unknown_days(head, tail)))
        return out

    def refit_paths(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The refits' actuals and point forecasts (units per day) from each origin to the end of
        the history (``refit_errors_`` back in units, with the smearing factor the forecast
        carries), and the days the refit forecast at the baseline for an event it had no
        profile for (``_unknown_days``: another forecast than the model's, which knows it) or,
        in a yearly off season (``off_season_``), days out of its season (sold none, forecast
        under half a unit; ``_calibration_refits``): no evidence of the error of a window
        in season, whose spans (``window_band.span_sums``) leave them out. Counted, an on/off
        fruit's spans out of season erred by 0 and those across a season's edge by its whole
        season, and its 年货节 window P90 was 25 times its mean (trial 10). Only the refits that
        calibrate the forecast (``same_path_``). Empty for a delegated or stopped series, or
        without refits."""
        if self.delegate_ is not None:
            return self.delegate_.refit_paths()
        if self.regime_.stopped:
            return []
        paths = []
        for _, e, _, missed in (errors for errors, same in zip(self.refit_errors_, self.same_path_) if same):
            z = self.z_[-len(e):]
            out = self.off_season_ & (z == 0) & (z - e < np.log1p(0.5))
            paths.append((self.y_[-len(e):], censored_at_zero(np.expm1(z - e + self.smearing_)), missed | out))
        return paths

    def _calibration_errors(self, regime_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Horizons (days), log errors, log event uplifts and missed-event flags of the refits
        (``refit_errors_``, concatenated); without any refit, the current regime's in-sample
        errors on quiet days (an event's days fit its own profile), widened by half, standing
        for ``IN_SAMPLE_HORIZON`` days ahead (uplift 0, none missed)."""
        n = len(self.z_)
        if self._calibration_refits():
            return tuple(np.concatenate(parts) for parts in list(zip(*self._calibration_refits()))[:4])
        comp = self.components_
        regime = slice(n - regime_days, n)  # a launch ramp or an old level is not today's noise
        # an event profile fitted on one occurrence has no residual
        quiet = ~comp["in_event"][regime] & self._season_days()[regime]
        errors = (self.z_ - comp["level"] - comp["weekday"][self.dow_])[regime][quiet] * IN_SAMPLE_WIDENING
        return np.full(len(errors), IN_SAMPLE_HORIZON), errors, np.zeros(len(errors)), np.zeros(len(errors), bool)


def _latest_level_days(zd: np.ndarray, days: np.ndarray, noise: float) -> np.ndarray:
    """The latest of ``days`` (indices, oldest first) whose level is one: ``days`` split into
    older and newer where their means of ``zd`` (weekday-adjusted log values) differ most in
    standard errors (``noise``: a day's log sd), the newer kept where that difference is a level
    shift by ``regime``'s bars (at least ``MIN_SHIFT``, x1.5, and ``SHIFT_Z`` standard errors),
    and split again, until no split is one. A current level read across a span back into a
    season's peak, or over a season's fall too short to be a regime (``MIN_REGIME_DAYS``), is a
    level the series has left: a winter duvet's 28 quiet days reached across the 年货节 and Spring
    Festival spans into its December peak and read it at 147 a day against 10 at the cut-off,
    and the backtest of 618 from there put it x70 (trial 13 F19)."""
    while len(days) > 1 and noise > 0:
        k = np.arange(1, len(days))  # the first newer day of each split
        csum = np.cumsum(zd[days])
        older, newer = csum[k - 1] / k, (csum[-1] - csum[k - 1]) / (len(days) - k)
        gap = np.abs(newer - older)
        z = gap / (noise * np.sqrt(1 / k + 1 / (len(days) - k)))
        best = int(np.argmax(z))
        if not (gap[best] >= MIN_SHIFT and z[best] > SHIFT_Z):
            break
        days = days[k[best]:]
    return days


def _anchor_spans(raw: np.ndarray, zq: np.ndarray) -> np.ndarray:
    """``raw`` (the centred running median of the quiet log values ``zq``) without its values
    on event days (the baseline is interpolated across spans), and with the quiet days next to
    a span set to the median of the quiet days on their side: the last quiet day before a span
    takes the quiet days up to it, the first after a span those from it, as many as bring the
    median's standard error to ``ANCHOR_SE`` (from ``MIN_ANCHOR_DAYS`` to ``MAX_ANCHOR_DAYS``:
    more days lag a trend, fewer let the noise through). The baseline across a span is the line
    between these two days; a centred window cut by the span held a few noisy days of a slow
    seller (one week set a whole New Year sale's baseline 25% low, and its forecast a year
    later). The standard error of a median of m days is 1.25 sd / sqrt(m), with sd robust (1.4826
    x the median absolute deviation of the quiet days from ``raw``). Fewer than ``MIN_ANCHOR_DAYS``
    quiet days up to a span (a young series' first days, born just before it) give no anchor and no
    level: the baseline is held back from the anchor after the span to the start (those days are a
    launch's first days, its ramp or its opening offer, not a level to read an event's lift on)."""
    quiet = ~np.isnan(zq)
    days = np.flatnonzero(quiet)
    event = ~quiet
    out = np.where(event, np.nan, raw)  # the window's edge reaches into a span: interpolate there
    if len(days) == 0:
        return out
    m, _ = _anchor_days(raw, zq)
    padded = np.r_[zq[days], np.full(m, np.nan)]  # the quiet values in order, NaN past the end
    steps = np.arange(m)
    before = np.flatnonzero(quiet & np.r_[event[1:], False])
    if len(before):  # the m quiet days up to each (fewer at the start of the history)
        k = np.searchsorted(days, before)[:, None] - steps[None, :]
        out[before] = _row_medians(np.where(k >= 0, padded[np.maximum(k, 0)], np.nan))
        # fewer than MIN_ANCHOR_DAYS quiet days up to it (a series' first days before its first span) is no
        # level: the baseline is held at the anchor after the span (a 年货 gift box's two launch days at
        # twice the week's level had set its one 年货节's baseline, its lift read x0.6 of its own: trial 12)
        few = before[np.searchsorted(days, before) + 1 < MIN_ANCHOR_DAYS]
        if len(few):
            out[:few.max() + 1] = np.nan
    after = np.flatnonzero(quiet & np.r_[False, event[:-1]])
    if len(after):  # the m quiet days from each
        out[after] = _row_medians(padded[np.searchsorted(days, after)[:, None] + steps[None, :]])
    return out


def _anchor_days(raw: np.ndarray, zq: np.ndarray) -> tuple[int, float]:
    """The quiet days an anchor of a span's baseline is the median of (``_anchor_spans``) and its
    standard error (log points): as many days ``m`` as bring ``1.25 sd / sqrt(m)`` to
    ``ANCHOR_SE``, from ``MIN_ANCHOR_DAYS`` to ``MAX_ANCHOR_DAYS``, ``sd`` the robust sd (1.4826 x
    the median absolute deviation) of the quiet log values ``zq`` (NaN on event days) from their
    running median ``raw`` (shape (n,) each)."""
    dev = (zq - raw)[~np.isnan(zq)]
    dev = dev[~np.isnan(dev)]
    sd = robust_sd(dev) if len(dev) else 0.0
    m = int(np.clip(np.ceil((1.25 * sd / ANCHOR_SE) ** 2), MIN_ANCHOR_DAYS, MAX_ANCHOR_DAYS))
    return m, 1.25 * sd / np.sqrt(m)


def _season_moves(level: np.ndarray, anchored: np.ndarray, zd: np.ndarray, moving: np.ndarray,
                  se: float) -> np.ndarray:
    """``level`` (the log baseline, shape (n,), interpolated in a straight line across each run
    of days not ``anchored``, between the anchors either side: ``_anchor_spans``) with each such
    run that holds days of a moving festival's span (``moving``, shape (n,): Spring Festival's,
    a lunar event's), has an anchor on both sides, and whose anchor after lies below the anchor
    before beyond their noise (``se``: each anchor's standard error, log points; one-sided at
    ``MOVE_ALPHA``) held at the anchor before it up to a day ``c0``, then falling in a straight line to
    the anchor after it by a day ``c1``, and held there: a season's collapse, where the days show it.

    ``c0 <= c1`` are chosen by least absolute deviations of the run's ``moving`` days'
    weekday-adjusted log values ``zd`` from that line (segmented regression with two join points,
    D. Hudson, "Fitting segmented curves whose join points have to be estimated", JASA 61, 1966;
    the L1 criterion is the median's, so a peak day or a live-stream spike does not move the join
    points: R. Koenker & G. Bassett, "Regression quantiles", Econometrica 46, 1978). The straight
    line between the anchors is one of the candidates (``c0`` the run's first day, ``c1`` the
    anchor after it). A sale inside the span lifts against the fall, so it can only put the fall's
    start later than the days show, never earlier. A season rising across the span keeps the
    straight line: there a sale's lift and the season's rise are one rise, seen once (a summer
    line's spring rise read from a x1.5 New Year sale put its next January x1.8). Anchors within
    their noise of each other show no move to place (a flat snack's two anchors 2.7 standard
    errors apart had its line jump to the later one at a Mid-Autumn span's first days, and the
    next window read that noise +25%).

    Why: a season that ends at the festival (a winter duvet, held to a week before Spring
    Festival and at its spring low a month after) was spread over the whole span, the line
    falling from its first day, and the festival's uplift read against it held the season's shape:
    x2-x4 in the 年货节 weeks where the sale lifted it x1.3 (trial 13 F1). Such a profile, pooled
    with another series' (a category's, the shop's) or averaged with another year's occurrence at
    another place in the solar season, lays one season's shape on another's, and a report's split
    of the window into baseline and uplift says the season is the sale. A solar event's span lies
    on the same days of the season every year, and keeps the straight line.

    Returns the baseline (shape (n,), log)."""
    out = level.copy()
    n = len(level)
    bar = norm.ppf(1 - MOVE_ALPHA) * np.sqrt(2.0) * se
    for run in consecutive_runs(np.flatnonzero(~anchored)):
        lo, hi = int(run[0]), int(run[-1])
        seen = np.flatnonzero(moving[run])
        if lo == 0 or hi == n - 1 or not len(seen):  # a span cut by the history's start or end: as it was
            continue
        before, after, length = level[lo - 1], level[hi + 1], hi - lo + 1
        if before - after <= bar:  # no collapse beyond the anchors' noise
            continue
        # every (c0, c1), 0 <= c0 <= c1 <= length (run positions; c1 = length: the anchor after)
        c0, c1 = np.triu_indices(length + 1)
        share = np.clip((seen[None, :] - c0[:, None] + 1) / (c1[:, None] - c0[:, None] + 1), 0.0, 1.0)
        cost = np.abs(zd[lo + seen][None, :] - before - (after - before) * share).sum(axis=1)
        best = int(np.argmin(cost))
        pos = np.arange(length)
        out[run] = before + (after - before) * np.clip((pos - c0[best] + 1) / (c1[best] - c0[best] + 1), 0.0, 1.0)
    return out


@lru_cache(maxsize=None)
def _jump_z(alpha: float) -> float:
    """The one-sided ``alpha`` point, in day-noise sds, of a day's jump over both sides
    (``_day_jumps``) when every day carries only Gaussian noise: ``P(X - max(M1, M2) > z) =
    alpha`` for X standard normal and M1, M2 medians of ``JUMP_SIDE`` such values (the median of
    m has the CDF ``P(Binomial(m, F) > m // 2)``). 2.23 at 1% for medians of five.

    The integrand is written with ``math`` (the normal CDF by ``erfc``, the binomial tail as
    its sum of terms): scipy.stats' per-call overhead made each root 0.2 s of CPU (some 7,000
    integrand calls), a worker's first series paying it per level; the same figures."""
    terms = [(k, math.comb(JUMP_SIDE, k)) for k in range(JUMP_SIDE // 2 + 1, JUMP_SIDE + 1)]

    def median_cdf(m: float) -> float:
        p = 0.5 * math.erfc(-m / math.sqrt(2.0))
        return sum(c * p ** k * (1.0 - p) ** (JUMP_SIDE - k) for k, c in terms)

    def tail(z: float) -> float:
        return quad(lambda x: math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi) * median_cdf(x - z) ** 2,
                    -12, 12)[0] - alpha
    return float(brentq(tail, 0.0, 12.0))


def _poisson_sf(k, mu):
    """``P(X > k)`` for ``X`` Poisson with mean ``mu`` (elementwise; 1 below 0, NaN for a negative
    mean): ``scipy.stats.poisson.sf``'s figures from its ``scipy.special.pdtrc``, without the
    distribution's per-call argument handling, which cost more than the tail in the one-off
    days' tests (several per decomposition)."""
    k, mu = np.asarray(k, float), np.asarray(mu, float)
    with np.errstate(invalid="ignore"):
        return np.where(k < 0, np.where(mu >= 0, 1.0, np.nan), pdtrc(np.maximum(k, 0.0), mu))[()]


def _poisson_cdf(k, mu):
    """``P(X <= k)`` for ``X`` Poisson with mean ``mu``, ``k >= 0`` (``scipy.stats.poisson.cdf``'s
    figures from ``scipy.special.pdtr``; as ``_poisson_sf``)."""
    with np.errstate(invalid="ignore"):
        return pdtr(np.asarray(k, float), np.asarray(mu, float))


def _day_jumps(residual: np.ndarray) -> np.ndarray:
    """Each day's one-day jump over both sides (log points, shape of ``residual``): how far its
    residual stands above the higher of the medians of the ``JUMP_SIDE`` days before and the
    ``JUMP_SIDE`` after (positive), or below the lower (negative); 0 when it lies between them.
    A sale's ramp, a plateau or the parcels' collapse over the festival (several days together)
    is no jump; a lone live-stream day is, even with another one two days away (medians of
    five ignore two)."""
    r = np.asarray(residual, float)
    before = _window_medians(np.concatenate([[np.nan], r[:-1]]), JUMP_SIDE - 1, 0)
    after = _window_medians(np.concatenate([r[1:], [np.nan]]), 0, JUMP_SIDE - 1)
    up = residual - np.fmax(before, after)
    down = np.fmin(before, after) - residual
    return np.nan_to_num(np.where(up > 0, up, np.where(down > 0, -down, 0.0)))


def _jump_days(irregular: np.ndarray, quiet: np.ndarray, named: np.ndarray,
               units: np.ndarray | None = None) -> np.ndarray:
    """One-off days (boolean, shape (n,)): days whose one-day jump over both sides
    (``_day_jumps``) lies beyond what Gaussian day noise gives on a day at ``SPREAD_ALPHA``
    (``_jump_z``) and, given ``units``, whose count is that improbable under a Poisson law at the
    level of its sides, in a direction (up, down) in which the ``quiet`` days jump that far more
    often than chance gives (Poisson at ``ONE_OFF_ALPHA``: a series without one-off days of its
    own, as the parcel total or plain count noise, has none or almost none); days the calendar
    names (``named``) are none.

    ``irregular``: each day's log value less its weekday effect, baseline level and event
    uplift (shape (n,)); the day noise is the robust sd of its quiet days. ``units``: each day's
    units (shape (n,), ``expm1`` of the log value), or None for no count test. The count test is
    what keeps small counts' noise out: the MAD of the logs of a few tied counts (3s, 4s) is
    shrunk by the ties and their log is skewed (a 0 among 3s is a far jump down), so the Gaussian
    bound alone flagged 21-37 of ~790 days of Poisson(3)/(8) series (review 8.2 #2); a day whose
    count its sides' level gives at 1% is no jump whatever the log says. A lone jump in a smooth
    series is chance and stays a possible miss; jumps too many for chance are a process of the
    series (a live-stream shop's days, a SKU's stock-outs) that recurs at its rate."""
    out = np.zeros(len(irregular), bool)
    noise = robust_sd(irregular[quiet]) if quiet.any() else 0.0
    if not noise > 0:
        return out
    jump = _day_jumps(irregular)
    beyond = _jump_z(SPREAD_ALPHA) * noise
    for sign in (1.0, -1.0):
        far = sign * jump > beyond
        if units is not None and far.any():  # the count against a Poisson law at its sides' level
            y = np.maximum(units[far], 0.0)
            level = np.expm1(np.log1p(y) - jump[far])
            tail = _poisson_sf(np.ceil(y) - 1, level) if sign > 0 else _poisson_cdf(np.floor(y), level)
            far[far] = tail <= SPREAD_ALPHA
        if _poisson_sf(np.sum(far & quiet) - 1, quiet.sum() * SPREAD_ALPHA) <= ONE_OFF_ALPHA:
            out |= far & ~named
    return out


def _one_off_part(residual: np.ndarray, quiet: np.ndarray, seen_once: np.ndarray, named: np.ndarray,
                  noise: float) -> np.ndarray:
    """The part of each day's log residual that is a one-off day (a live-stream day, a closed
    day), not an event's shape: nonzero only on event days at an offset seen in one year alone.

    ``residual``: each day's weekday-adjusted log value less the baseline level (shape (n,));
    ``quiet``: days outside every event span; ``seen_once``: event days at an offset of their
    profile that no other year's occurrence has; ``named``: days the calendar names
    (``features.named_days``); ``noise``: the quiet days' robust log sd.

    One occurrence cannot tell a one-off day from the event's shape, but the quiet days tell
    how often the series jumps on a day of its own (a shop's live-stream days, x2-x5 on three
    random days a month; a SKU's stock-out days). The ``n`` eligible days are the event days
    seen once that the calendar does not name nor sit next to a named day that jumps the same
    way beyond the noise at ``SPREAD_ALPHA`` (a sale's evening-before or day-after, the
    parcels' day after 11-11). A candidate is an eligible day whose jump over both sides
    (``_day_jumps``) is beyond what the day noise gives on any of them (``_jump_z`` at
    ``SPREAD_ALPHA / n``, Bonferroni: smaller jumps are noise, which ``_shrink_profile``
    removes). Per direction (up, down): nothing goes unless the quiet days jump that far more
    often than their noise gives (Poisson at ``SPREAD_ALPHA``: a series with no one-off days of
    its own, as the parcel total, keeps its event days); every candidate goes whole when the
    quiet days' rate expects at least one such day among the eligible ones and the eligible
    days jump no more often than that (Poisson at ``SPREAD_ALPHA``); else a candidate's jump
    ``j`` goes by its tail-area false discovery rate with the quiet days as the empirical null,
    ``min(1, pi(j) n / N(j))``: ``pi(j)`` the share of quiet days that jump as far, ``N(j)``
    of the eligible days (B. Efron, "Large-Scale Inference", Cambridge 2010, ch. 4 and 6: the
    empirical null). Below one expected day the count test has no power: with 2 quiet
    outliers in 600 days it sent two real sharp event days whole in 90% of seeds (9% with
    the share). Returns that part (log points, shape (n,); the residual
    less it puts the day at the level of its sides)."""
    out = np.zeros(len(residual))
    if not noise > 0 or not quiet.any():
        return out
    jump = _day_jumps(residual)
    exempt = named.copy()
    for side in (1, -1):  # a day next to a named day that jumps the same way beyond the noise
        peak = np.roll(named & (np.abs(jump) > _jump_z(SPREAD_ALPHA) * noise), side)
        peak[0 if side == 1 else -1] = False
        exempt |= peak & (np.sign(np.roll(jump, side)) == np.sign(jump))
    eligible = seen_once & ~quiet & ~exempt
    if not eligible.any():
        return out
    # beyond what the day noise gives on any of the eligible days (Bonferroni): smaller jumps
    # are noise, which ``_shrink_profile`` removes
    level = SPREAD_ALPHA / eligible.sum()
    beyond = _jump_z(level) * noise
    for sign in (1.0, -1.0):
        null, pool = np.sort(sign * jump[quiet]), np.sort(sign * jump[eligible])
        at = np.flatnonzero(eligible & (sign * jump > beyond))
        # no candidate, or quiet days that jump this far no more often than their noise gives: the
        # series has no one-off days of its own to mistake for the event's
        if not len(at) or _poisson_sf(np.sum(null > beyond) - 1, len(null) * level) > SPREAD_ALPHA:
            continue
        j = sign * jump[at]
        # chance explains the candidates' count, and the quiet rate puts at least one such day
        # among the eligible ones: every candidate is a one-off. Where it puts fewer, the count
        # test has no power (2 quiet outliers a year): each keeps its share beyond the null
        rate = np.mean(null > beyond) * len(pool)
        if rate >= 1.0 and _poisson_sf(len(at) - 1, rate) > SPREAD_ALPHA:
            out[at] = sign * j
            continue
        expected = (len(null) - np.searchsorted(null, j, side="left")) / len(null) * len(pool)
        found = len(pool) - np.searchsorted(pool, j, side="left")  # eligible days jumping >= j (>= 1)
        out[at] = sign * j * np.minimum(1.0, expected / found)
    return out


def _pool_profile(own: np.ndarray, counts: np.ndarray, prior: np.ndarray, noise: float,
                  cap: float) -> tuple[np.ndarray, np.ndarray]:
    """One series' event profile pooled with the pooled (all-series) profile, the pool's weight
    set by how far the series' profile lies from it (empirical Bayes).

    ``own`` is the series' mean log uplift at each offset over ``counts`` occurrences (NaN where
    it has none), ``prior`` the pooled profile (NaN where unknown), ``noise`` the robust sd of a
    quiet day's log residual (log points), ``cap`` the pool's largest weight in occurrences.

    The difference ``d = own - prior`` is split into its centred ``PROFILE_WEEK``-offset mean
    ``s`` (the event's lift over the week, which is where series differ: a home-goods SKU
    lifting x1.2 where the panel lifts x1.6) and the day deviations ``d - s``. Over the offsets
    with both, ``s^2`` estimates ``tau^2`` plus ``s``'s noise variance (``noise^2`` over the
    occurrences in its window), so ``tau^2`` is their mean difference floored at zero (the
    method-of-moments between-group variance: R. DerSimonian & N. Laird, "Meta-analysis in
    clinical trials", Controlled Clinical Trials 7, 1986) and the pool's weight on ``s`` is
    ``noise^2 / (PROFILE_WEEK tau^2)`` occurrences (the noise of one occurrence's weekly mean
    over ``tau^2``: C. Morris, "Parametric empirical Bayes inference", JASA 78, 1983), at most
    ``cap``. The day deviations keep the weight ``cap`` (``_shrink_profile`` then shrinks what
    is left of their noise). So a series whose weekly lift is within its noise of the pool's
    keeps the fixed weight (``cap``), and a clearly different one keeps its own lift: a fixed
    two occurrences had kept 40% of the pool's lift in every three-occurrence series.
    Measured one-tau-per-offset (the weekly and the day differences together) left the pool
    1-1.5 occurrences on such series: a day's noise (sd 0.35-0.4 on a SKU) hid the lift.
    Without a measured noise (zero or NaN) the weight is ``cap``, as before.

    Returns ``(profile, counts)``: the pooled profile (the prior where the series has no
    occurrence) and the occurrences each offset now stands for (``counts`` plus ``cap``
    where the prior is known), for ``_shrink_profile``."""
    has = ~np.isnan(prior)
    both = has & (counts > 0) & ~np.isnan(own)
    out = np.where(has & ~both, prior, own)
    if not both.any():
        return out, np.where(has, counts + cap, counts)
    d = np.where(both, own - prior, np.nan)
    d_sum, d_count = _centred_sum_count(d, PROFILE_WEEK)
    inv_sum, _ = _centred_sum_count(np.where(both, 1.0 / np.maximum(counts, 1), np.nan), PROFILE_WEEK)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = d_sum / d_count
        s_var = noise ** 2 * inv_sum / d_count.astype(float) ** 2
    w = cap
    if noise > 0:
        tau2 = max(0.0, float(np.mean(s[both] ** 2 - s_var[both])))
        if noise ** 2 < cap * PROFILE_WEEK * tau2:
            w = noise ** 2 / (PROFILE_WEEK * tau2)
    c = counts[both]
    out[both] = prior[both] + s[both] * c / (c + w) + (d[both] - s[both]) * c / (c + cap)
    return out, np.where(has, counts + cap, counts)


@dataclass(frozen=True)
class Reaction:
    """How a series reacted to a planner's own event in its history (``_reaction``): ``lift``,
    the mean log excess over its baseline on the event's span days, over the ``windows`` of its
    occurrences seen; ``z``: that mean over its standard error ``se`` (log points); ``bar``: the
    ``z`` a reaction needs; ``lifted``: whether it reacted (``z`` past ``bar`` in the kind's
    direction)."""

    lift: float
    z: float
    windows: int
    bar: float
    lifted: bool
    se: float = 0.0


def _reaction(days: np.ndarray, excess: np.ndarray, zd: np.ndarray, raw: np.ndarray, sign: int = 0,
              moving: bool = False) -> Reaction:
    """Whether a series reacted to a planner's own event: the mean of its occurrences' mean log
    excess over the baseline (``days``: the span's day indices, in order; ``excess``: their log
    excess), against placebo spans: stretches of as many consecutive quiet days, each read as a
    span would be (the baseline interpolated across it between its anchors, ``_anchor_spans``,
    on the weekday-adjusted log values ``zd`` and their running median ``raw``, NaN on event
    days), the root mean square of their mean excess over the square root of the occurrences
    its standard error. A span's baseline is a line between two medians, whose errors a day
    noise over the days' count misses: with that error, four of six seeded snacks that never
    reacted were read as reacting. A reaction is significant at ``REACTION_ALPHA``: one-sided,
    ``sign * z``, where the event's kind says its direction (``sign``: +1 a sale, -1 a pause),
    else two-sided, ``|z|``; short of it the series gets no uplift (declaring 中秋 for a shop's gift boxes lifted its snacks and
    seafood in trial 10). Without two placebo spans, the quiet days' sd over the square root of
    the span's days stands for their spread. Without a span day (``days`` empty) there is nothing
    to test: no reaction (``lifted`` False, ``windows`` 0), never an error. ``moving``: the event's
    anchor moves against the solar year, and its span's baseline, so each placebo's, moves where
    its days show (``_season_moves``)."""
    bar = norm.ppf(1 - REACTION_ALPHA) if sign else norm.ppf(1 - REACTION_ALPHA / 2)
    if not len(days):
        return Reaction(0.0, 0.0, 0, float(bar), False)
    occurrences = consecutive_runs(days)
    means = np.array([excess[np.searchsorted(days, run)].mean() for run in occurrences])
    length = int(np.median([len(run) for run in occurrences]))
    quiet = ~np.isnan(raw)
    zq = np.where(quiet, zd, np.nan)
    margin = 2 * MAX_ANCHOR_DAYS
    # the quiet days each occurrence's anchors could take (a young series' first window, days after its start)
    sides = [(int(quiet[:r[0]].sum()), int(quiet[r[-1] + 1:].sum())) for r in occurrences]
    variances = {side: _placebo_variance(zd, raw, length, *side, moving=moving) for side in set(sides)}
    var = float(np.sum([variances[side] for side in sides])) / len(means) ** 2  # of the mean of the occurrences
    lift = float(means.mean())
    se = float(np.sqrt(var))
    z = lift / max(se, 1e-9)
    return Reaction(lift, float(z), len(means), float(bar), bool((sign * z if sign else abs(z)) >= bar), se)


def _placebo_variance(zd: np.ndarray, raw: np.ndarray, length: int, before: int, after: int,
                      moving: bool = False) -> float:
    """The variance (log points squared) of a span's mean excess over its baseline where the span
    is no event (``_reaction``): the mean square of placebo spans, stretches of ``length``
    consecutive quiet days one after another, each read as a span would be (the baseline
    interpolated across it between its anchors, ``_anchor_spans``, on the weekday-adjusted log
    values ``zd`` and their running median ``raw``, NaN on event days), with at most ``before``
    and ``after`` quiet days either side for its anchors (as many as the occurrence had: a young
    series' first window, a week after its start, rests on a median of those few days), and never
    less than the quiet days' variance over the span's days plus that of the mean of its two
    anchors, medians of the quiet days they had, which also stands for the placebos without two
    of them (a history under a year): without the anchors' error, four of nine young snacks that
    never reacted were read as reacting on their one window (seeds 1-3), and a mean square of two
    or three placebos is itself a guess. ``moving``: each placebo's baseline moves where its days
    show, as a moving festival's span's does (``_season_moves``)."""
    quiet = ~np.isnan(raw)
    zq = np.where(quiet, zd, np.nan)
    se = _anchor_days(raw, zq)[1]
    margin = 2 * MAX_ANCHOR_DAYS
    run = pd.Series(quiet).rolling(length).sum().to_numpy() == length  # the stretch ending at each day
    placebos, start = [], margin
    while start + length + margin <= len(zd):
        if run[start + length - 1]:
            lo, hi = start - margin, start + length + margin
            stretch = np.zeros(hi - lo, bool)
            stretch[margin:margin + length] = True
            local = np.where(stretch, np.nan, zq[lo:hi])
            # only the quiet days the occurrence's anchors had
            seen = np.flatnonzero(~np.isnan(local[:margin]))
            local[seen[:max(0, len(seen) - before)]] = np.nan
            seen = np.flatnonzero(~np.isnan(local[margin + length:])) + margin + length
            local[seen[after:]] = np.nan
            level = _anchor_spans(np.where(np.isnan(local), np.nan, raw[lo:hi]), local)
            ok = ~np.isnan(level)
            if ok[:margin].any() and ok[margin + length:].any():
                idx = np.arange(hi - lo)
                level = np.interp(idx, idx[ok], level[ok])
                if moving:
                    level = _season_moves(level, ok, zd[lo:hi], stretch, se)
                placebos.append(float((zd[lo:hi] - level)[stretch].mean()))
            start += length
        else:
            start += 1
    # the day noise over the span's days plus the error of the mean of its two anchors, medians of the
    # quiet days they had (1.25 sd / sqrt(m) each: ``_anchor_spans``): the least the placebos can show, and
    # what stands for them in a history too short for two; a mean square of 2-4 placebos is itself a guess
    sd = float(np.nanstd(zq - raw))
    m = int(np.clip(np.ceil((1.25 * sd / ANCHOR_SE) ** 2), MIN_ANCHOR_DAYS, MAX_ANCHOR_DAYS))
    floor = sd ** 2 / length + 1.25 ** 2 * sd ** 2 * (1 / max(1, min(before, m)) + 1 / max(1, min(after, m))) / 4
    return max(float(np.mean(np.square(placebos))), floor) if len(placebos) >= 2 else floor


def _pooled_at_lift(prior: np.ndarray, at: np.ndarray, reaction: Reaction, tau: float = 0.0) -> np.ndarray:
    """The pooled profile ``prior`` (log uplift per offset, shape (2 SPAN + 1,), NaN where unknown)
    at a young series' own lift: the pool's shape (one or two windows give no shape of their own),
    scaled so that its mean over the series' span days (``at``: their offsets' indices) goes
    from the pool's ``p`` toward the series' own ``reaction.lift`` by the empirical Bayes weight
    ``w = tau^2 / (tau^2 + se^2)`` of their difference ``d`` (``se``: the own lift's standard
    error, from its windows seen and their noise against placebo spans, ``_reaction``; C. Morris,
    "Parametric empirical Bayes inference", JASA 78, 1983). ``tau^2``, the spread of lifts between
    series, is the method-of-moments ``d^2 - se^2`` (DerSimonian & Laird, as ``_pool_profile``
    weighs an older series' lift), at least ``tau^2`` from ``tau`` (log: the measured spread of an
    event's uplift between events of its kind, ``unseen.TAU``; two series are no more alike than
    two events of one series): so an own lift within its noise of the pool's mostly takes the
    pool's, and a clearly different one keeps nearly its own. Scaled, not shifted: the days the
    pool does not lift stay unlifted. Taken whole, the pool's lift (the shop's gift boxes') had put
    young snacks that passed the reaction test on one window at +25% to +64% on the next, and
    young gift boxes 30% low. What is scaled is the pool's course, its centred ``PROFILE_WEEK``-day
    running median (a median keeps the window's edges as steps); each day's deviation from it (a
    peak day, the pool's own live-stream days) is kept in log points. Scaled too (each day's ratio
    to the power ``lift / p``), a gift box x30 in its 年货节 had a day its category sold x3.8 (a live
    stream) at x170-x200 (975 units against a level of 5), its P90 at 4,942, and the guard refused
    the forecast (trial 12's SN09; seeded boxes in a category with a x4 peak day, 20,000 a day at a
    level of 3-10: ``tests/forecast/test_young_shipped_event.py``). A pool without a lift over those
    days, ``|p|`` within the own lift's standard error of none, is shifted on them (on the span's
    days only: shifted everywhere, the Spring Festival pause joined with the 年货节 moved too);
    scaled, a pool at +1% had put a young gift box's x15 at 10^10. A scale below 0 (the own lift
    against the pool's direction) is 0. Returns the profile (same shape)."""
    inside = ~np.isnan(prior[at])
    if not inside.any() or not reaction.se > 0:
        return prior
    pool = float(prior[at][inside].mean())
    d = reaction.lift - pool
    tau2 = max(d ** 2 - reaction.se ** 2, tau ** 2)
    lift = pool + tau2 / (tau2 + reaction.se ** 2) * d if tau2 > 0 else pool
    if abs(pool) <= reaction.se:  # no lift to scale: shifted, on the span's days only
        out = prior.copy()
        out[np.unique(at)] += lift - pool
        return out
    course = pd.Series(prior).rolling(PROFILE_WEEK, center=True, min_periods=1).median().to_numpy()
    course = np.where(np.isnan(prior), np.nan, course)
    days = at[inside]
    scale = (lift - float(np.mean(prior[days] - course[days]))) / float(np.mean(course[days]))
    return prior + (scale - 1) * course if scale > 0 else prior * 0.0


def _occurrence_spread(at: np.ndarray, excess: np.ndarray, mean: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per offset, the variance of one occurrence's log excess over the baseline around the
    offset's mean (``at``: each event day's index into the offsets, ``excess``: its log excess,
    ``mean``, ``counts``: the offsets' means and occurrences; n - 1 in the denominator), NaN
    where the offset has fewer than 2 occurrences. A one-off day (a live-stream spike x3 in one
    year, nothing the next) has a spread of the spike's size; a peak day that repeats, the day
    noise's (``_shrink_profile``)."""
    squares = np.bincount(at, weights=(excess - mean[at]) ** 2, minlength=len(counts))
    return np.divide(squares, counts - 1, out=np.full(len(counts), np.nan), where=counts >= 2)


def _shrink_profile(profile: np.ndarray, counts: np.ndarray, noise: float,
                    spread: np.ndarray | None = None) -> np.ndarray:
    """An event's log-uplift ``profile`` (per offset from the anchor; NaN where unknown) with
    its day-to-day noise shrunk out: each offset's deviation ``d`` from the profile's centred
    ``PROFILE_WEEK``-offset mean is kept by the factor ``d^2 / (d^2 + noise^2 / counts)``.

    An offset's value is a mean over ``counts`` occurrences (the prior's weight included) of
    days that carry the day noise, variance ``noise^2`` (``noise``: the robust sd of the quiet
    days' log residuals), so a profile fitted on one occurrence repeats that year's noise as if
    it were the event's shape. The factor is a Wiener filter whose signal power is estimated by
    each deviation's own square (the empirical Wiener rule of wavelet denoising, which takes it
    from a pilot estimate instead: S. Ghael, A. Sayeed & R. Baraniuk, "Improved wavelet
    denoising via empirical Wiener filtering", Proc. SPIE 3169, 1997): a deviation well above
    the noise (a peak day) is kept nearly whole, one within it mostly goes; the centred mean
    (the event's lift over the week) is kept. Measured on the parcels (docs/benchmarks.md)
    against one empirical Bayes factor for the whole profile (James & Stein's: it shrank a sharp
    event's peak as much as its noise and lowered a seeded 618 by 4%) and the non-negative
    garrote (which zeroes deviations under one noise sd).

    An offset seen in two occurrences or more whose values differ by more than the day noise
    says (``spread``, ``_occurrence_spread``: the variance of one occurrence there, above the
    noise's at the ``SPREAD_ALPHA`` level of a chi-squared test; over the counts the variance
    ``v`` of their mean) keeps only the part of its deviation that their
    disagreement does not explain, the factor ``max(0, 1 - v / d^2)`` (the positive-part
    James-Stein rule, the signal power estimated without bias as ``d^2 - v``: B. Efron & C.
    Morris, "Stein's estimation rule and its competitors", JASA 68, 1973): a day that is not
    repeated at the same offset in another year is not the event's shape. Trial 8: live-stream
    spike days (x2-x4, about two random days a month) inside an event span were repeated a year
    later as phantom +30-60% days (a spike in one of two years: ``d^2`` is about ``v``, so it
    goes; a peak day that repeats has the day noise's spread and keeps the rule above).

    ``profile``, ``counts``, ``spread``: arrays over the offsets (log points; occurrences; log
    points squared, NaN where unknown); ``noise``: log points. Returns the shrunk profile (same
    shape, NaN where ``profile`` is NaN)."""
    known = ~np.isnan(profile)
    if known.sum() < 2 or not noise > 0:  # nothing to smooth towards, or no noise to remove
        return profile
    total, count = _centred_sum_count(profile, PROFILE_WEEK)
    with np.errstate(invalid="ignore", divide="ignore"):
        smooth = total / count
    dev = (profile - smooth)[known]
    var = noise ** 2 / np.maximum(counts[known], 1)
    factor = wiener_factor(dev, var)
    if spread is not None:  # occurrences that disagree beyond the day noise: only their common part
        dof = np.maximum(counts[known] - 1, 1)
        wide = spread[known] > noise ** 2 * _chi2_bars(dof) / dof
        wide_var = spread[known] / np.maximum(counts[known], 1)
        factor = np.where(wide, np.clip(1 - wide_var / np.maximum(dev ** 2, 1e-12), 0, 1), factor)
    out = profile.copy()
    out[known] = smooth[known] + dev * factor
    return out


@lru_cache(maxsize=1024)
def _chi2_bar(dof: float) -> float:
    """The chi-squared ``1 - SPREAD_ALPHA`` quantile on ``dof`` degrees of freedom."""
    return float(chi2.ppf(1 - SPREAD_ALPHA, dof))


def _chi2_bars(dof: np.ndarray) -> np.ndarray:
    """``_chi2_bar`` of each element of ``dof`` (same shape): a profile holds a few distinct
    occurrence counts, and scipy's per-call cost had exceeded the quantiles' own."""
    values, at = np.unique(dof, return_inverse=True)
    return np.array([_chi2_bar(float(v)) for v in values])[at].reshape(np.shape(dof))


def _row_medians(rows: np.ndarray) -> np.ndarray:
    """Median of each row's non-NaN values (each row has at least one); np.nanmedian, without
    its masked-array cost on small arrays."""
    ordered = np.sort(rows, axis=1)  # NaN last
    count = (~np.isnan(rows)).sum(axis=1)
    at = np.arange(len(rows))
    return (ordered[at, (count - 1) // 2] + ordered[at, count // 2]) / 2


def _unknown_days(comp: dict, offsets: dict[str, np.ndarray]) -> np.ndarray:
    """Days inside an event span at an offset that ``comp``'s profiles have no value for."""
    out = np.zeros(len(next(iter(offsets.values()))) if offsets else 0, bool)
    for name, off in offsets.items():
        inside = ~np.isnan(off)
        profile = comp["profiles"].get(name)
        at = np.where(inside, off, 0).astype(int) + SPAN
        out |= inside & (np.isnan(profile[at]) if profile is not None else True)
    return out


def _opened_in_span(z: np.ndarray, offsets: dict[str, np.ndarray]) -> bool:
    """Did the history (log values ``z``, shape (n,); ``offsets`` its event offsets) open with a
    ramp inside an event span? Its first ``OPENING_WEEK`` days lie in a span and sit more than
    ``OPENING_JUMP`` (log) below the same offsets of the event's next occurrence. A data export
    that starts in a span is no opening (the parcels start inside the Spring Festival span, and
    their event-aligned pairs give the growth at a cut-off in the next one); a new shop that
    opened inside the Double 11 span at a third of its level is (trial 7)."""
    for off in offsets.values():
        first = off[:OPENING_WEEK]
        if len(first) < OPENING_WEEK or np.isnan(first).any():
            continue
        days = np.flatnonzero(~np.isnan(off))
        occurrences = consecutive_runs(days)
        if len(occurrences) < 2:
            continue
        nxt = occurrences[1]
        at = {int(o): i for o, i in zip(off[nxt], nxt)}
        later = [at[int(o)] for o in first if int(o) in at]
        if len(later) >= OPENING_WEEK // 2 + 1 and np.mean(z[later]) - np.mean(z[:OPENING_WEEK]) > OPENING_JUMP:
            return True
    return False


def _uncut(offsets: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``offsets`` without the occurrence that holds the history's first day (NaN there), for a
    history that opened in it (``_opened_in_span``): a span cut by the start of the data has no
    quiet days before it to anchor its baseline, and a new shop's first weeks are no evidence of
    an event's shape nor a base for its growth. A shop opened inside the Double 11 span: its
    first November, a third of its level and ramping, was the earlier day of every
    event-aligned growth pair (every SKU 40-50% high a year later) and cut its Double 11 uplift
    from about +24% to +3% (trial 7). The days stay event days (never quiet)."""
    out = {}
    for name, off in offsets.items():
        off = off.copy()
        if len(off) and not np.isnan(off[0]):
            outside = np.flatnonzero(np.isnan(off))
            off[:outside[0] if len(outside) else len(off)] = np.nan
        out[name] = off
    return out
