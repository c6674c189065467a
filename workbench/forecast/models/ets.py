"""ETS (statsmodels) on log demand: event regressors for daily data, conformal bands otherwise."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pandas as pd
from scipy.stats import norm, theilslopes, wilcoxon

from workbench.calendar import RetailCalendar
from workbench.data.validate import PERIOD_WORDS, SEASON_LENGTH, consecutive_runs, period_end, window_share
from workbench.errors import CalendarRangeError, ModelError
from workbench.forecast.conformal import (HORIZON_BANDS, apply_offsets, conformal_offsets, path_errors,
                                         rolling_origin_errors, rolling_origin_paths, wiener_factor)
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero, count_band, count_dispersion)
from workbench.forecast.features import quiet_periods
from workbench.forecast.models.event_dummies import offset_dummies
from workbench.forecast.models.intermittent import (INTERMITTENT_ADI, INTERMITTENT_WINDOW, TSB, average_demand_interval,
                                                    is_intermittent)
from workbench.forecast.models.launch import LaunchCurve, pre_launch_rise
from workbench.forecast.models.off_season import FREQUENCIES as OFF_SEASON_FREQUENCIES, OffSeasonPath
from workbench.calendar.years import CALENDAR_YEAR
from workbench.forecast.models.yearly_season import yearly_off
from workbench.forecast.models.lunar import (FESTIVAL_EVENTS, LIFT_BOUNDS, LOCAL_BASELINE, LOCAL_LIMIT, WINDOWS,
                                            LunarEffect, at_bounds, fit_lunar_effect, local_effect, lunar_regressors,
                                            neighbourhood, share_lift)
from workbench.forecast.models.regime import (OPENING_GAP, STOP_PERIODS, describe_stop, nondaily_start, opening_ramp, period_shifts,
                                              stopped_since, trailing_zeros)

MIN_FIT = 4  # fewest periods an ETS is fitted on (level only)
# days by which a sale event's window must move between the years for a fitted season not to
# hold it (``moving_events``): a week, the smallest period a season repeats
MOVING_DAYS = 7
MIN_QUIET = 3  # fewest periods outside solar sale windows a short history's level is fitted on
QUIET_TAIL = 8  # the last quiet periods whose line continues through the sale periods after them
MIN_CALIBRATION_ERRORS = 8  # fewer out-of-sample errors than this: the bands use in-sample errors
IN_SAMPLE_WIDENING = 1.5  # in-sample one-step errors understate out-of-sample ones
# longer seasons start from the heuristic initial states instead of estimating one per period:
# 52 weekly states made a fit 3.3 s (0.06 s heuristic) and were no more accurate (sample
# categories, weekly: WAPE 8.1% estimated, 7.7% heuristic); on months and quarters estimating
# them was as accurate or better
HEURISTIC_SEASON = 12
# a history's opening ramp (regime.opening_ramp): the quiet periods whose median a settled level
# is within OPENING_GAP (log) of, and the most periods a ramp is looked for over (event_profile's
# 56 and 182 days)
OPENING_PERIODS = {"W": (8, 26), "MS": (2, 6)}
SHRUNK_INDICES = ("MS", "W")  # frequencies whose one-season indices are shrunk by their noise (one_season_indices)
# frequencies whose one-season form carries a young series' year-on-year growth whole (candidate_forms):
# an 18-month history's damped trend had flattened a young shop growing 40% a year, -17.5% over 10 months
# (weeks: the same at 84 weeks, tests/forecast/test_ets_young_monthly_growth.py)
CARRIED_GROWTH = ("MS", "W")


def unconfirmed_stop(y: np.ndarray, freq: str) -> int:
    """Number of zero periods that end ``y`` (units per period, >= 0) when they are fewer than
    ``STOP_PERIODS[freq]`` yet a longer run than any between its sales before (``ets`` asks
    ``stopped_since`` first, which calls a run that chance cannot explain a stop): a stock-out, a
    data gap, or a stop a further zero period would confirm. 0 otherwise (no such run, or a series that never sold). On ``log1p`` demand one such
    zero after hundreds of units drags an ETS level to zero (a new user's monthly SKUs: mean 0
    with P90 rising to 639; one stock-out month cut the next months by 32%)."""
    zeros = trailing_zeros(y)
    if zeros is None:
        return 0
    run, longest_before = zeros
    return run if 0 < run < STOP_PERIODS[freq] and run > longest_before else 0


def sale_shares(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar,
                events: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """``(events, shares)``: the sale events of ``calendar`` (618 and Double 11 in the default
    calendar, and a planner's own events, solar or lunar such as 中秋 / Mid-Autumn; or the
    ``events`` given) and, shape (n, k), the share of the days of each period dated ``ds`` (by
    its first day, at ``freq``) inside that event's windows with peak days
    (``data.validate.window_share``, 0..1): a window that moves between weeks and months moves
    its share. The festival's windows (``lunar.FESTIVAL_EVENTS``) are ``models.lunar``'s;
    holidays without peak days (Labour Day, National Day) are not sales: their columns stay 0."""
    ds = pd.DatetimeIndex(ds)
    if events is None:
        events = [event for event in calendar.events if event not in FESTIVAL_EVENTS]
    shares = np.zeros((len(ds), len(events)))
    if len(ds):
        last = period_end(ds[-1:], freq)[0]
        for j, event in enumerate(events):
            for window in calendar.windows(event, ds.min(), last):
                if window.peaks:
                    shares[:, j] += window_share(ds, freq, window.start, window.end)
    return list(events), shares


def day_spread(days_of_year) -> float:
    """The largest distance in days between two of ``days_of_year`` (shape (k,), k >= 1, 1-366)
    on the year's circle (365.25 days): December 29 and January 3 are 5.25 days apart, not 360."""
    apart = np.abs(np.subtract.outer(days_of_year, days_of_year)) % 365.25
    return float(np.minimum(apart, 365.25 - apart).max())


def moving_events(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> list[str]:
    """The sale events of ``calendar`` (``sale_shares``' events) whose anchor (the day their
    profile aligns on) falls on days of the year at least ``MOVING_DAYS`` apart over the years
    of the periods ``ds`` (at ``freq``, each dated by its first day) and the year after: a
    planner's lunar event (中秋 / Mid-Autumn, ``lunar:08-15``, moves 11-19 days a year), which a
    fitted 52-week or 12-month season would repeat at last year's dates. 618 and Double 11 keep
    their anchor (their windows' first days vary by a few days a year, as a platform sets them:
    the season holds them); the festival's windows are ``models.lunar``'s. Days of the year are
    apart on the year's circle (``day_spread``). Dates outside the calendar's years: none."""
    ds = pd.DatetimeIndex(ds)
    if not len(ds):
        return []
    first, last = pd.Timestamp(f"{ds[0].year}-01-01"), pd.Timestamp(f"{ds[-1].year + 1}-12-31")
    moving = []
    for event in sale_shares(ds[:0], freq, calendar)[0]:
        try:
            starts = [w.anchor.day_of_year for w in calendar.windows(event, first, last) if w.peaks]
        except CalendarRangeError:
            return []
        if len(starts) > 1 and day_spread(starts) >= MOVING_DAYS:
            moving.append(event)
    return moving


def event_periods(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> np.ndarray:
    """Boolean mask of the periods dated ``ds`` (each by its first day, at ``freq``) that overlap
    a window of a sale event of ``calendar`` (``sale_shares``: 618, Double 11 and a planner's own,
    solar or lunar)."""
    return sale_shares(ds, freq, calendar)[1].sum(axis=1) > 0


def sale_effects(z: np.ndarray, shares: np.ndarray, excluded: np.ndarray, freq: str) -> dict[int, tuple]:
    """Each solar sale event's lift, measured on every sighting against the quiet periods either
    side of it (``lunar.neighbourhood`` and ``lunar.local_effect``, the one-festival measure)
    and pooled over the sightings: ``{column of shares: (beta, variance, spread, clipped)}``.

    The sightings' measures are combined by the random-effects mean (R. DerSimonian & N. Laird,
    "Meta-analysis in clinical trials", Controlled Clinical Trials 7, 1986): inverse-variance
    weights widened by the between-sightings variance ``tau^2`` their disagreement beyond their
    noise gives (0 when they agree), so a sale not significant in one year but clear in another
    keeps what the clear one says, and two years that disagree give a wide, shrunk lift.
    ``beta``: the log lift of a period wholly inside the event's windows, shrunk towards 0 by
    ``conformal.wiener_factor`` (``b^2 / (b^2 + v)``, ``v`` the pooled mean's variance);
    ``variance``: the lift ahead's, that mean's variance plus ``tau^2`` (a new year's lift
    varies as the years seen did); ``spread``: the sightings' mean extra variance of a period
    inside the span (``local_effect``). Log points (squared). A fourth element counts the
    sightings whose lift reached ``lunar.LIFT_BOUNDS`` (``lunar.at_bounds``: the fit stopped
    there, so the data asked for more), which the fit's note names.

    ``z``: shape (n,), log demand; ``shares``: shape (n, k), ``sale_shares``; ``excluded``:
    shape (n,), bool, periods that are no quiet neighbour either (the festival's). A sighting at
    the history's first or last period may be partial and is not measured; nor one without a
    quiet period on both sides (a Double 11 that ends the history); an event with no sighting
    measured has no entry."""
    out = {}
    busy = (shares.sum(axis=1) > 0) | excluded  # no quiet neighbour: a sale's or the festival's
    for j in range(shares.shape[1]):
        runs = consecutive_runs(np.flatnonzero(shares[:, j] > 0))
        measures = []  # (beta, variance, spread) of each sighting measured
        for run in runs:
            if run[0] == 0 or run[-1] == len(z) - 1:
                continue
            sighting = np.zeros(len(z), bool)
            sighting[run] = True
            hood = neighbourhood(sighting, busy, LOCAL_BASELINE[freq], LOCAL_LIMIT[freq])
            if hood is None:
                continue
            estimate = local_effect(z, np.where(sighting, shares[:, j], 0.0)[:, None], freq, [hood], ~busy)
            if estimate is not None:
                measures.append((float(estimate[0][0]), float(estimate[1][0, 0]), float(estimate[2])))
        if measures:
            beta, var, spread = (np.array(m) for m in zip(*measures))
            mean, mean_var, tau2 = random_effects_mean(beta, var)
            out[j] = (mean * wiener_factor(mean, mean_var), mean_var + tau2, float(spread.mean()),
                      int(at_bounds(beta).sum()))
    return out


def random_effects_mean(estimates: np.ndarray, variances: np.ndarray) -> tuple[float, float, float]:
    """``(mean, variance of the mean, tau^2)`` of independent ``estimates`` (shape (k,)) with
    sampling ``variances`` (shape (k,), > 0): the DerSimonian-Laird random-effects mean
    (DerSimonian & Laird, Controlled Clinical Trials 7, 1986): ``tau^2 = max(0, (Q - (k - 1)) /
    (S1 - S2 / S1))`` from Cochran's ``Q = sum w (b - b_w)^2`` with ``w = 1 / v``, ``S1 = sum w``,
    ``S2 = sum w^2``; then weights ``1 / (v + tau^2)``. One estimate is its own mean (tau^2 0).
    Units: those of the estimates (their squares for the variances)."""
    w = 1.0 / variances
    fixed = float(w @ estimates / w.sum())
    q = float(w @ (estimates - fixed) ** 2)
    tau2 = max(0.0, (q - (len(w) - 1)) / (w.sum() - (w @ w) / w.sum())) if len(w) > 1 else 0.0
    w = 1.0 / (variances + tau2)
    return float(w @ estimates / w.sum()), float(1.0 / w.sum()), tau2


def quiet_level(z: np.ndarray, quiet: np.ndarray) -> np.ndarray:
    """The log series ``z`` with its sale periods (``~quiet``, at least ``MIN_QUIET`` quiet ones)
    replaced by the level the quiet periods around them give, never above what the period sold
    (a sale lifts demand; a period under that level keeps its value): linear interpolation
    between quiet neighbours; after the last quiet period, the Theil-Sen line of the last
    ``QUIET_TAIL`` quiet periods continued (a launched SKU's ramp goes on through the Double 11
    weeks that end its history; its last quiet value alone had put 13 weeks of five launched
    trial SKUs 43% under truth); before the first, its value. Source: Theil (1950), Sen (1968)
    slopes; as ``regime.py``, event periods are left out of a level, not modelled."""
    t = np.arange(len(z))
    fill = np.interp(t, t[quiet], z[quiet])
    last = int(np.flatnonzero(quiet)[-1])
    if last < len(z) - 1:
        tail = np.flatnonzero(quiet)[-QUIET_TAIL:]
        slope, intercept = theilslopes(z[tail], tail)[:2]
        fill[last + 1:] = intercept + slope * t[last + 1:]
    return np.where(quiet, z, np.minimum(z, fill))


def one_season_indices(z: np.ndarray, season: int, *, shrink: bool = False,
                       skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Additive seasonal indices of the log series ``z`` from a history of one to two seasons,
    and the variance of each: ``(indices, variances)``, each shape (season,).

    An index is the mean residual of the series' growth at its position of the season
    (``t % season``), centred to mean 0: classical decomposition with a growth line in place of
    the moving average a single season cannot fill (Hyndman & Athanasopoulos, *Forecasting:
    Principles and Practice*, 3rd ed., §3.4). Its variance is the residual noise (the pooled
    variance within the positions seen twice) over the number of times its position was seen.

    ``shrink=False``: the growth is the least-squares line through ``z``. ``shrink=True`` (months,
    ``SHRUNK_INDICES``):
    - the growth is the mean year-on-year difference of the positions seen twice, over
      ``season``: a position's year-on-year difference holds no season, while a line through
      one season and a part is pulled by the months seen once;
    - each index is shrunk towards 0 by the factor ``i^2 / (i^2 + v)`` (``i`` the index, ``v``
      its variance): a position seen once repeats that year's noise as if it were the season
      (shrinkage estimators of seasonal factors: D. Miller & D. Williams, IJF 19, 2003; the
      factor is the empirical Wiener rule, ``conformal.wiener_factor``). A strong season (an
      index several noise sd from 0) is kept nearly whole; a month whose two sightings
      disagree, after the year's growth, keeps little of either. The variance stays ``v`` (the
      shrunk ``i^2 v / (i^2 + v)`` trusts the noisy ``i^2``: it narrowed the sample's 18-month
      SKUs' band, 78 -> 72% P10-P90 coverage; 74% with ``v``).
      James & Stein's single factor for all positions (Miller & Williams' first estimator) lost
      to it on the three monthly one-season rows of docs/benchmarks.md (parcel origins' months
      23.2 against 19.2% pooled WAPE: one factor for the year kept a level shift read as season).
    Weeks are shrunk too: a week's index is seen once or twice, and a level shift inside the
    first year (the parcel origin DC10's x3 of August 2021) is read whole as its season's weeks
    (its August-September 2022 forecast x4-5 its truth). The guard had replaced that forecast
    when the shrunk weeks were first measured (21.7 -> 23.4% pooled WAPE then); on this machine's
    environment it no longer does, and the shrunk weeks gave 28.45 -> 24.31% on the parcel
    origins' weeks, 10.79 -> 9.52% on the total's (docs/benchmarks.md). Quarters keep the line and the
    whole indices: four indices of a strong season, each from
    2-5 pairs of noise; shrinking them lost 2.42 -> 2.46% and 3.25 -> 3.32% on the sample's
    categories and SKUs by quarter (the only one-season quarterly rows measured).
    Figures: docs/benchmarks.md, "Weekly, monthly and quarterly data".

    ``skip``: the first periods are an opening ramp (``regime.opening_ramp``): they give neither
    growth nor season, and a position seen only there has index 0 and the variance of one
    sighting (a new shop's first weeks, low and rising, made last year's positions low and this
    year's deseasonalised level high: trial 7's weekly SKUs +37% in the first week ahead).
    """
    t = np.arange(len(z))
    used = t >= skip
    if shrink:
        resid = z - year_on_year_growth(z, season, skip)[0] * t
    else:
        design = np.column_stack([np.ones(len(z)), t])
        resid = z - design @ np.linalg.lstsq(design[used], z[used], rcond=None)[0]
    groups = [resid[used & (t % season == j)] for j in range(season)]
    idx = np.array([g.mean() if len(g) else np.nan for g in groups])
    idx = np.where(np.isnan(idx), 0.0, idx - np.nanmean(idx))
    twice = [g for g in groups if len(g) > 1]
    noise = float(np.mean([g.var(ddof=1) for g in twice])) if twice else float(resid[used].var())
    variance = noise / np.array([max(len(g), 1) for g in groups], float)
    if shrink:
        idx = idx * wiener_factor(idx, variance)
        idx -= idx.mean()
    return idx, variance


def year_on_year_growth(z: np.ndarray, season: int, skip: int = 0) -> tuple[float, float]:
    """``(growth, variance)`` per period of the log series ``z`` (shape (n,)) from the
    year-on-year differences ``z[t + season] - z[t]`` of the positions seen twice from ``skip``
    on (an opening ramp's periods give none): their mean over ``season``, and the mean's variance
    (the differences' sample variance over their number, over ``season`` squared). A difference
    holds no season, so the growth of a history of one season and a part is read free of it. No
    pair: ``(0, 0)``; one: its growth with the variance of ``z``'s differences' spread unknown,
    ``0``. Log points per period (squared)."""
    diffs = (z[season:] - z[:-season])[skip:] if len(z) > season + skip else np.zeros(0)
    if not len(diffs):
        return 0.0, 0.0
    variance = float(diffs.var(ddof=1)) / len(diffs) / season ** 2 if len(diffs) > 1 else 0.0
    return float(diffs.mean()) / season, variance


def seasonal_history(freq: str) -> int:
    """Fewest periods for a seasonal ETS at ``freq``: two full seasons plus two periods (one
    season's states are estimated, the second checks them; ``SEASON_LENGTH``)."""
    return 2 * SEASON_LENGTH[freq] + 2


# the forms of the ETS, by the history they need (periods at a frequency)
FORM_HISTORY = {"season": seasonal_history,  # the ETS fits the season
                "indices": lambda freq: SEASON_LENGTH[freq] + 2,  # one season seen, kept as fixed indices
                "growth": lambda freq: SEASON_LENGTH[freq] + 2,  # the same, the year-on-year growth carried
                "trend": lambda freq: MIN_FIT,  # damped trend, no season
                "level": lambda freq: MIN_FIT}  # level only
FORM_CHOICES = ("auto", *FORM_HISTORY)
FORM_WORDS = {"season": "a fitted season", "indices": "the season seen as fixed indices, level and damped trend",
              "growth": "the season seen as fixed indices, level and the year-on-year growth carried whole",
              "trend": "no season, level and damped trend", "level": "the level only"}
# periods ahead the refits that choose a form forecast; weeks keep the rule's form: 4 refits of 13
# weeks share one level error each, so their 52 errors are about 4 and a test on them switched
# by chance (parcel origins' weeks: WAPE 21.7 -> 23.2%, docs/benchmarks.md)
SELECTION_HORIZON = {"MS": 3, "QS": 2}
# the trends a fitted season's ETS chooses between by AICc (``ETSModel._fit_form``; StatsForecast's
# AutoETS, FPP3 §8.6): statsmodels' ``trend`` and ``damped_trend``, the damped one first (the
# choice when no candidate has a finite AICc)
SEASON_TRENDS = {"damped": ("add", True), "none": (None, False), "linear": ("add", False)}
# the frequencies whose fitted season chooses its trend so: months (the sample's regions' months
# 2.77 -> 2.40% WAPE); the sample's quarters lost by it (categories 2.42 -> 4.40%: 10-16 quarters'
# AICc drops the trend of a growing series), and no weekly benchmark series is long enough for a
# fitted season, so weeks and quarters keep the damped trend (docs/benchmarks.md)
AICC_TREND = ("MS",)
SEASON_TREND_CHOICES = ("aicc", *SEASON_TRENDS)
TREND_WORDS = {"damped": "a damped trend", "none": "no trend", "linear": "a linear trend"}
MIN_SELECTION_ERRORS = 6  # fewer refit errors per form than this: no evidence, the rule's form stays
SELECTION_LEVEL = 0.05  # significance at which another form's refit errors must beat the rule's form


def candidate_forms(y: np.ndarray, freq: str) -> list[str]:
    """The forms of ``FORM_HISTORY`` a series ``y`` (from its start) can take at ``freq``, the
    rule's choice first: a fitted season from ``seasonal_history(freq)`` periods; for one season
    and two periods up to that, with no zero period (a zero inside one season would read as a
    season, log1p(0) far below the rest), the one season seen as fixed indices with a damped
    trend ("indices"; at ``CARRIED_GROWTH``'s frequencies with the year-on-year growth carried
    whole instead, "growth", which ``ETSModel._fit_form`` turns back to "indices" for a history
    that does not start at the series' opening or holds a level shift),
    or no season (damped trend or level only), which its refits choose between at ``SELECTION_HORIZON``'s
    frequencies (``ETSModel._choose_form``); daily data
    under two weeks and two days keep a damped trend; a shorter weekly, monthly or quarterly
    history gets the level only (its changes are its launch ramp and the events at its end,
    not a trend to extrapolate)."""
    y = np.asarray(y, float)
    if len(y) >= seasonal_history(freq):
        return ["season"]
    one_season = len(y) >= FORM_HISTORY["indices"](freq) and bool((y > 0).all())
    if freq == "D":
        return ["indices" if one_season else "trend"]
    if not one_season:
        return ["level"]
    return ["growth" if freq in CARRIED_GROWTH else "indices", "trend", "level"]


class ETSModel(Forecaster):
    """Additive ETS on ``log1p(y)`` (ETS(A,Ad,A), ETS(A,N,A) or ETS(A,A,A), i.e. multiplicative on demand).

    The form depends on the history from the series' start (``candidate_forms``): the ETS
    fits the season (``SEASON_LENGTH``) from ``seasonal_history(freq)`` periods (two seasons and
    two); at months (``AICC_TREND``) with the trend (``SEASON_TRENDS``: damped, none or linear)
    whose fit has the lowest AICc, as StatsForecast's AutoETS chooses (Hyndman & Athanasopoulos,
    *Forecasting: Principles and Practice*, 3rd ed., §8.6): the candidates are fitted to the same
    log series with the same additive error and season, so their likelihoods compare; a fit
    without a finite AICc is no candidate, and with none the damped trend stays (the sample's
    regions' months 2.77 -> 2.40% WAPE, categories' 2.45 -> 2.42%, docs/benchmarks.md). Weeks,
    quarters and days keep the damped trend. From one season and two periods up to that, with
    no zero period since the start, three forms compete: the one season seen as fixed indices (``one_season_indices``, removed
    before a non-seasonal ETS and added back to the forecast; on 16-20 months of public and
    sample series this cut WAPE from 12-97% to 4-18%, docs/benchmarks.md; for months and weeks with
    the growth taken from the year-on-year pairs and each index shrunk by its noise,
    ``SHRUNK_INDICES``), no season with a damped trend, and the level only. Months and weeks
    (``CARRIED_GROWTH``) carry that year-on-year growth whole (``year_on_year_growth``, its variance times the steps ahead
    squared in the band) in place of the damped trend, which an 18-month history damps flat (a
    seeded young shop growing 40% a year: -17.5% over 10 months, +0.4% with it; trial 12's weekly
    SKUs, a shop growing 40-60% a year, 年货节 2027 -34.1 -> -31.2%), when the
    history starts at the series' opening (an opening ramp, or zeros before a launch: a young
    series; an established one's change over one season mixes growth and level, and carried
    whole it cost the parcel network total's months 6.2 -> 6.8% WAPE) and holds no level shift
    (``regime.period_shifts``: the pairs across a step read it as growth). For months and
    quarters the series' own rolling-origin refits choose (``_choose_form``; weeks keep the
    indices, see ``SELECTION_HORIZON``): the
    rule's form stays unless another form's refit errors are
    significantly lower, since a season seen once may be a season, growth, or a level shift
    (the parcel network's young origins). A shorter history gets the level only (simple
    exponential smoothing): a young weekly SKU's launch ramp and the Double 11 weeks at its end
    had made a damped trend climb to twice its peak. The form is said in a note. A weekly history
    without a season, and a monthly one that has not seen a season (under one season and two,
    or a zero month), fits its level (and trend) with its 618 and Double 11 periods
    (``event_periods``) replaced by the quiet periods' level around them (``quiet_level``), with
    a note: their lift is in the refits' errors (the band), not the level; each sale's lift,
    measured on each sighting with quiet periods on both sides and pooled over them
    (``sale_effects``), is added to its periods ahead.
    Initial states are estimated with the parameters, except for seasons longer than
    ``HEURISTIC_SEASON`` (weeks), which start from the heuristic initial states of Hyndman et
    al. (2008, §2.6.1).
    A series that has stopped (``stopped_since``: a run of zeros at the end, at least
    ``STOP_PERIODS`` long and longer than any gap between its sales before, or one that chance
    cannot explain at its rate, judged on its quiet periods: one empty month after 300 a month) is
    forecast at zero with a note, as ``event_profile`` does for days. A shorter run of zeros at the
    end that is still longer than any gap before and not that unlikely (``unconfirmed_stop``: one
    zero month of a slow seller) is left out of the fit, with a note: a stock-out or a stop the
    next zero period confirms, not a level; the forecast starts after it, and its quantiles below the
    median are 0 (a new user's three SKUs that had stopped were forecast at their level with
    a P10 far above zero).
    Weekly, monthly and quarterly series are fitted from their start (``nondaily_start``: the
    zeros before a launch, or its pre-launch trickle, are not a level to trend from), and a
    monthly launch (zeros or a trickle before its start) from its last level shift (``regime.period_shifts``, with a note: a ramp that has reached its
    level is not growth, nor a season seen once); with fewer than ``MIN_FIT`` periods
    since it, ``fit`` raises ``ModelError`` and the core's fallback (``recent_level``, the mean of
    the periods since the start) forecasts the series, with a note: fitted across its pre-launch
    zeros, a level-only ETS had put three SKUs selling 1,000 a month at 660, P10 0 and P90 2,670.
    A series launched within the panel is fitted net of the panel's launch curve
    (``launch_curve``, the core's ``LaunchCurve``: ``_launch_ramp``), which is added back over
    the horizon: a launch still ramping up keeps climbing it, one past its ramp is no longer
    read as a season or a trend (seeded panel, docs/benchmarks.md).

    Weekly and monthly data: the New Year sale and Spring Festival effects, which move between
    weeks and months with the lunar calendar, are estimated with the season
    (``models.lunar.fit_lunar_effect``: moving-holiday regressors, combined with the panel's
    pooled estimate ``lunar_prior`` when the core gives one; from one festival seen, against the
    quiet periods either side of it, uncentred, so a season seen once holds no festival),
    removed before the ETS and added back at this year's dates, with their variance in the
    band; ``lunar=False`` turns them off. The 618 and Double 11 periods (``event_periods``) are
    no level for that one-festival measure.

    Daily data: event-offset and holiday effects are first estimated by ridge regression on the
    log series (ETS takes no regressors), the ETS with weekly season runs on what remains, and
    the effects are added back over the horizon; quantiles are Gaussian in log space from ETS's
    forecast variance, censored at zero.

    Weekly, monthly and quarterly data: quantiles are conformal (``forecast.conformal``): the
    model is refitted at ``calibration_windows`` rolling origins before the end (one every
    ``ceil(horizon / 3)`` periods, each with enough history for the same seasonal form) and
    the log errors of those forecasts by horizon set the band (centred on the point forecast);
    a history too short for ``MIN_CALIBRATION_ERRORS`` such errors uses its in-sample one-step
    errors, widened by ``IN_SAMPLE_WIDENING`` and by the square root of the horizon, with a note.
    Each quantile is then the farther from the point of that conformal one and the Gaussian one
    of ETS's own forecast variance: a few dozen out-of-sample errors understate the tails, and
    the model's variance understates them where the model is wrong, so neither alone reached 80%
    P10-P90 coverage across the benchmark's data sets. Small counts
    (``models.base.count_dispersion``) get count quantiles around the point forecast instead.

    At least ``MIN_FIT`` periods (``capabilities``; the core sends shorter series to its
    fallback), and for weekly, monthly and quarterly data ``MIN_FIT`` since the start.

    Parameters: ``damped_trend`` (bool: the trend of the forms without a fitted season, and of
    a daily fitted season, damped or linear), ``season_trend`` (``"aicc"``, or one of
    ``SEASON_TRENDS`` to fix the trend of a weekly, monthly or quarterly fitted season), ``ridge``
    (the L2 penalty of the daily event
    regression, in units of the log series' sum of squares), ``calibration_windows`` (rolling
    origins for the non-daily conformal bands and the choice of form; 0: Gaussian bands from
    the ETS variance and the rule's form), ``form`` (``"auto"``, or one of ``FORM_HISTORY`` to
    force it; ``fit`` raises ``ModelError`` when the history cannot take that form), ``lunar``
    (bool: weekly and monthly moving-holiday effects), ``lunar_prior`` (a pooled
    ``LunarEffect``; the core passes the one fitted on the panel's sum), ``launch_curve`` (the
    panel's pooled ``LaunchCurve``; the core passes it; None: launches are not ramped).

    Source: ETS state space models (Hyndman, Koehler, Ord & Snyder, *Forecasting with
    Exponential Smoothing: The State Space Approach*, 2008; statsmodels ``ETSModel``); ridge
    regression (Hoerl & Kennard, Technometrics 12, 1970); conformal bands from rolling-origin
    errors as StatsForecast's ``ConformalIntervals``.
    """

    name = "ets"
    capabilities = Capabilities(min_history=MIN_FIT, events=True, baseline=True, calibrated=("W", "MS", "QS"),
                                pooling_param="lunar_prior", pooling_frequencies=tuple(WINDOWS),
                                launch_param="launch_curve")

    def __init__(self, damped_trend: bool = True, ridge: float = 1.0, calibration_windows: int = 4,
                 lunar: bool = True, lunar_prior: LunarEffect | None = None, form: str = "auto",
                 launch_curve: LaunchCurve | None = None, season_trend: str = "aicc"):
        self.damped_trend = damped_trend
        self.season_trend = season_trend
        self.ridge = ridge
        self.calibration_windows = calibration_windows
        self.lunar = lunar
        self.lunar_prior = lunar_prior
        self.form = form
        self.launch_curve = launch_curve

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        self.calibration_paths_ = []  # the conformal band's refits, once ``predict`` has made them
        if self.form not in FORM_CHOICES:
            raise ModelError(f"{self.name}: unknown form {self.form!r}; choose one of {list(FORM_CHOICES)}")
        if self.season_trend not in SEASON_TREND_CHOICES:
            raise ModelError(f"{self.name}: unknown season_trend {self.season_trend!r}; choose one of "
                             f"{list(SEASON_TREND_CHOICES)}")
        self.quiet_ = quiet_periods(self.ds_, freq, self.calendar_)  # a stop is judged on them
        self.stopped_ = stopped_since(self.y_, freq, self.quiet_)
        if self.stopped_ is not None:  # forecast zero: a band fitted across the stop is noise
            return self
        # the launch within the panel (launch.launch_start), once: the ramp, the growth and the note read it
        self.launch_ = self.launch_curve.start_of(self.y_, self.ds_) \
            if self.launch_curve is not None and freq != "D" else None
        # the rise a slow start's trickle made up to its level, of the curve's (``launch.pre_launch_rise``)
        self.launch_rise_ = pre_launch_rise(self.y_, self.launch_, freq) if self.launch_ is not None else 0.0
        self.start_ = nondaily_start(self.y_, freq) if freq != "D" else 0
        self.shift_ = None  # the first period of the current level after a level shift
        # a launch in its own history (zeros or a trickle before its start): regime.py says why only these
        shifts = period_shifts(np.log1p(self.y_[self.start_:]), freq) if freq == "MS" and self.start_ > 0 else []
        if shifts:
            self.shift_ = self.start_ = self.start_ + shifts[-1]
        if len(self.y_) - self.start_ < MIN_FIT:  # fitted across its pre-launch zeros, a level is neither
            raise ModelError(f"{self.name}: {len(self.y_) - self.start_} {PERIOD_WORDS[freq]} since the series' "
                             f"start on {self.ds_[self.start_].date()}, under the {MIN_FIT} an ETS is fitted on")
        self.intermittent_ = None
        self.end_ = len(self.y_)
        if freq != "D" and is_intermittent(self.y_[self.start_:], freq):  # daily: event_profile's rule
            # a yearly off season (the same periods empty in two years) is no intermittent demand
            off = freq in OFF_SEASON_FREQUENCIES and yearly_off(self.y_[self.start_:], freq) is not None
            # the off season's path moves last year's months to this year's festival by the pooled effect
            path = partial(OffSeasonPath, self.lunar_prior if self.lunar else None) if off else TSB
            self.intermittent_ = path().fit(self.y_[self.start_:], self.ds_[self.start_:], freq=freq,
                                            calendar=self.calendar_)
            return self
        if freq != "D":  # zeros at the end a further zero would call a stop: fitted without them
            gap = unconfirmed_stop(self.y_[self.start_:], freq)
            if self.end_ - gap - self.start_ >= MIN_FIT:
                self.end_ -= gap
        z = np.log1p(self.y_[self.start_:self.end_])
        self.levels_ = None
        self.beta_ = None
        if freq == "D":
            X, self.levels_ = offset_dummies(self.ds_, self.calendar_)  # daily: start_ is 0
            Xc = X - X.mean(axis=0)
            self.beta_ = np.linalg.solve(Xc.T @ Xc + self.ridge * np.eye(X.shape[1]), Xc.T @ (z - z.mean()))
            z = z - X @ self.beta_
        ramp = self._launch_ramp(self.start_ + np.arange(len(z)))
        if ramp is not None:  # a launch's ramp is neither level nor trend: fitted net of it
            z = z - ramp
        forms = candidate_forms(self.y_[self.start_:self.end_], freq)
        self.form_errors_ = {}
        self.rule_form_ = forms[0]
        if self.form != "auto":
            # one season seen: either way of reading its growth may be asked
            allowed = forms + (["indices", "growth"] if forms[0] in ("indices", "growth") else [])
            if self.form not in allowed:
                raise ModelError(f"{self.name}: form {self.form!r} does not fit {len(z)} {PERIOD_WORDS[freq]} of "
                                 f"this series; it allows {allowed}")
            self.form_ = self.form
        elif len(forms) > 1 and self.calibration_windows and freq in SELECTION_HORIZON:
            self.form_, self.form_errors_ = self._choose_form(forms)
        else:
            self.form_ = forms[0]
        self._fit_form(z, self.form_, season_seen=forms != ["level"])
        return self

    def _festival_periods(self, ds: pd.DatetimeIndex) -> np.ndarray:
        """Shape (n,), bool: the periods ``ds`` the calendar's New Year sale and Spring Festival
        windows touch (none for quarters or outside the calendar's years)."""
        if self.freq_ not in WINDOWS:
            return np.zeros(len(ds), bool)
        try:
            return lunar_regressors(ds, self.freq_, self.calendar_).sum(axis=1) > 0
        except CalendarRangeError:  # dates outside the calendar's years: no festival is known there
            return np.zeros(len(ds), bool)

    def _fit_form(self, z: np.ndarray, form: str, season_seen: bool = True) -> None:
        """Fit the ETS of ``form`` (``FORMS``) to the (log, deseasonalised-by-events) series ``z``;
        ``season_seen``: the history could take a season (``candidate_forms`` offers more than the
        level)."""
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel as _ETS

        season = SEASON_LENGTH[self.freq_]
        ds = self.ds_[self.start_:self.end_]
        self.seasonal_ = form == "season"
        self.growth_ = None  # (per period, its variance): a one-season monthly history's year-on-year growth
        self.growth_kept_ = None  # why a monthly one-season history keeps its damped trend (not its growth)
        self.indices_ = self.index_var_ = None  # fixed seasonal indices of a one-season history
        # a weekly history without a season, or a monthly one that has not seen a season, cannot
        # tell a solar sale's lift from its level: the sale periods are interpolated from the
        # quiet ones around them for the fit (their excess stays in the errors the band is
        # measured on), and each sale's lift measured on its sightings against their quiet
        # neighbours is added back to its periods ahead (``sale_effects``). (Months of 14 or more:
        # a third of them touch 618 or Double 11; interpolating them changed the refits' choice
        # of form on a noise test.)
        self.event_excess_, self.sale_periods_ = np.zeros(len(z)), np.zeros(len(z), bool)
        self.sale_effects_, self.sales_seen_ = {}, []  # the sale events whose windows the history holds
        sale = None  # the sale periods, once, for the lunar fit and the opening ramp
        if form in ("trend", "level") and (self.freq_ == "W" or self.freq_ == "MS" and not season_seen):
            events, shares = sale_shares(ds, self.freq_, self.calendar_)
            quiet = shares.sum(axis=1) == 0
            sale = ~quiet
            if quiet.sum() >= MIN_QUIET and not quiet.all():
                measured = sale_effects(z, shares, self._festival_periods(ds), self.freq_)
                self.sale_effects_ = {events[j]: effect for j, effect in measured.items()}
                self.sales_seen_ = [event for j, event in enumerate(events) if shares[:, j].any()]
                clean = quiet_level(z, quiet)
                self.event_excess_, self.sale_periods_, z = z - clean, ~quiet, clean
        # a sale event that moves against the season (a planner's lunar 中秋): measured on its
        # sightings, removed at its past dates and added at this year's (predict), as the lunar
        # festival is from one festival seen; a season would repeat it at last year's dates
        self.moving_, self.unmeasured_moving_ = [], []
        if form in ("season", "indices", "growth") and self.freq_ in WINDOWS:
            moving = moving_events(ds, self.freq_, self.calendar_)
            if moving:
                _, shares = sale_shares(ds, self.freq_, self.calendar_, moving)
                busy = self._festival_periods(ds) | event_periods(ds, self.freq_, self.calendar_)
                measured = sale_effects(z, shares, busy, self.freq_)
                self.moving_ = [moving[j] for j in measured]
                # no sighting with quiet periods either side: left in the history, said in a note
                self.unmeasured_moving_ = [event for j, event in enumerate(moving) if j not in measured]
                self.sale_effects_ = {moving[j]: effect for j, effect in measured.items()}
                self.sales_seen_ = list(self.moving_)
                if measured:
                    beta = np.array([effect[0] for effect in measured.values()])
                    z = z - share_lift(shares[:, list(measured)], beta, self.freq_)[0]
        # moving (lunar) holidays: estimated with the season, removed here, added back in predict
        self.lunar_, self.lunar_note_ = None, None
        if sale is None and (self.lunar or form in ("indices", "growth")):
            sale = event_periods(ds, self.freq_, self.calendar_)
        if self.freq_ in WINDOWS and self.lunar:
            self.lunar_, self.lunar_note_ = fit_lunar_effect(
                z, ds, self.freq_, self.calendar_, season=season if form in ("season", "indices", "growth") else None,
                prior=self.lunar_prior, sale=sale)
            if self.lunar_ is not None:
                z = z - self.lunar_.lift(ds, self.freq_, self.calendar_)[0]
        self.opening_ = 0
        if form in ("indices", "growth"):
            if self.freq_ in OPENING_PERIODS and self._launch_ramp(np.array([self.start_])) is None:
                ahead, longest = OPENING_PERIODS[self.freq_]
                self.opening_ = opening_ramp(z, ~sale, ahead, OPENING_GAP, longest, year=CALENDAR_YEAR[self.freq_])
            if form == "growth":  # a young series' growth only, and none read across a level shift
                shifts = period_shifts(z[self.opening_:], self.freq_) if self.opening_ or self.start_ else []
                if not (self.opening_ or self.start_):
                    self.growth_kept_ = ("the history does not start at the series' opening (an established "
                                         "series' year-on-year change over one season mixes growth and level)")
                elif shifts:
                    self.growth_kept_ = (f"a level shift on {ds[self.opening_ + shifts[-1]].date()}: the pairs "
                                         f"across it would read its step as growth")
                if self.growth_kept_:  # (its refits, the same rule on less history, are the indices' too)
                    form = self.form_ = self.rule_form_ = "indices"
                    self.form_errors_ = {"indices" if f == "growth" else f: e for f, e in self.form_errors_.items()}
            self.indices_, self.index_var_ = one_season_indices(z, season, shrink=self.freq_ in SHRUNK_INDICES,
                                                                skip=self.opening_)
            z = z - self.indices_[np.arange(len(z)) % season]
            if form == "growth":  # the growth is the year-on-year pairs': carried, not damped
                growth, growth_var = year_on_year_growth(z, season, self.opening_)
                self.growth_ = (growth * wiener_factor(growth, growth_var), growth_var)
                z = z - self.growth_[0] * np.arange(len(z))
        if self.seasonal_ and self.freq_ != "D" and self.season_trend != "aicc":  # a fitted season's trend as asked
            trends = [self.season_trend]
        elif self.seasonal_ and self.freq_ in AICC_TREND:
            trends = list(SEASON_TRENDS)
        elif form != "level" and self.growth_ is None:
            trends = ["damped" if self.damped_trend else "linear"]
        else:
            trends = ["none"]
        series = pd.Series(z, index=pd.RangeIndex(len(z)))
        fits = {}
        with warnings.catch_warnings():  # (the core runs every fit with one BLAS thread)
            warnings.simplefilter("ignore")
            for trend in trends:  # the same data, error and season: their likelihoods compare
                kind, damped = SEASON_TRENDS[trend]
                fits[trend] = _ETS(series, error="add", trend=kind, damped_trend=damped,
                                   seasonal="add" if self.seasonal_ else None,
                                   seasonal_periods=season if self.seasonal_ else None,
                                   initialization_method="heuristic" if self.seasonal_ and season > HEURISTIC_SEASON
                                   else "estimated").fit(disp=False)
        self.trend_aicc_ = {trend: float(fit.aicc) for trend, fit in fits.items()} if len(fits) > 1 else {}
        # a fit without a degree of freedom for AICc's correction (statsmodels: inf) or without a
        # likelihood (nan) is no candidate; with none, the first (damped) stays
        self.trend_kind_ = min(trends, key=lambda t: self.trend_aicc_[t] if np.isfinite(self.trend_aicc_.get(t, np.nan))
                               else np.inf)
        self.ets_ = fits[self.trend_kind_]

    def _choose_form(self, forms: list[str]) -> tuple[str, dict[str, float]]:
        """The form of ``forms`` its rolling-origin refits say forecasts best, and the mean
        absolute log error of each form's refits (``{}`` when they could not be compared).

        Every form is refitted at the same origins (the last ``calibration_windows``, one every
        ``ceil(h / 3)`` periods, each forecasting ``h = SELECTION_HORIZON`` periods or what the
        history allows, from origins with enough history for every form). The rule's form
        (``forms[0]``) stays unless another one's absolute log errors are lower by more than
        ``SELECTION_T`` standard errors of the paired differences (a Diebold-Mariano test of equal
        accuracy, with the plain variance of the loss differences: Diebold & Mariano, "Comparing
        predictive accuracy", JBES 13, 1995); of those, the one with the lowest mean error wins.
        It stays too when fewer than ``MIN_SELECTION_ERRORS`` errors per form were measured."""
        y, ds = self.y_[self.start_:self.end_], self.ds_[self.start_:self.end_]
        need = max(FORM_HISTORY[f](self.freq_) for f in forms)
        reach = min(SELECTION_HORIZON[self.freq_], len(y) - need)
        if reach < 1:
            return forms[0], {}
        errors = {}
        for form in forms:
            errors[form] = rolling_origin_errors(
                lambda: ETSModel(self.damped_trend, self.ridge, calibration_windows=0, lunar=self.lunar,
                                 lunar_prior=self.lunar_prior, form=form, launch_curve=self.launch_curve,
                                 season_trend=self.season_trend),
                y, ds, horizon=reach, n_windows=self.calibration_windows, step=max(1, -(-reach // 3)),
                freq=self.freq_, calendar=self.calendar_, min_history=need)[1]
        sizes = {len(e) for e in errors.values()}
        if len(sizes) > 1 or sizes.pop() < MIN_SELECTION_ERRORS:  # not the same refits: not comparable
            return forms[0], {}
        scores = {form: float(np.mean(np.abs(e))) for form, e in errors.items()}
        rule = np.abs(errors[forms[0]])
        better = []
        for form in forms[1:]:
            diff = np.abs(errors[form]) - rule
            if diff.mean() < 0 and wilcoxon(diff, alternative="less").pvalue < SELECTION_LEVEL:
                better.append(form)
        return min(better, key=scores.get) if better else forms[0], scores

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        if self.stopped_ is not None:
            zero = np.zeros(horizon)
            return Prediction(future, zero, {q: zero.copy() for q in quantiles},
                              [f"{self.name}: {describe_stop(self.y_, self.ds_, self.quiet_, self.freq_)}: the series "
                               f"stopped and is forecast at zero"],
                              zero.copy())
        if self.intermittent_ is not None:
            return self._predict_intermittent(horizon, quantiles)
        n = self.end_ - self.start_  # the periods fitted
        gap = len(self.y_) - self.end_  # zero periods at the end left out of the fit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self.ets_.get_prediction(start=n, end=n + gap + horizon - 1)
        mu = np.asarray(pred.predicted_mean, float)[gap:]
        variance = np.asarray(pred.var_pred_mean, float)[gap:]
        if self.indices_ is not None:  # the indices' own uncertainty adds to the ETS variance
            position = np.arange(n + gap, n + gap + horizon) % len(self.indices_)
            mu = mu + self.indices_[position]
            variance = variance + self.index_var_[position]
        if self.growth_ is not None:  # the year-on-year growth, carried from the fit's end with its variance
            steps = gap + 1 + np.arange(horizon)
            mu = mu + self.growth_[0] * (n - 1 + steps)
            variance = variance + steps ** 2 * self.growth_[1]
        growth, spread, now = self._launch_growth(float(mu[0]), horizon)
        mu = mu + (growth + now if growth is not None else 0.0)
        baseline = censored_at_zero(np.expm1(mu))
        notes = self._launch_note()
        if self.shift_ is not None:
            notes.append(f"{self.name}: level shift on {self.ds_[self.shift_].date()}; level, growth and season come "
                         f"from the {PERIOD_WORDS[self.freq_]} since")
        elif self.start_:
            notes.append(f"{self.name}: the series starts on {self.ds_[self.start_].date()}; fitted from there")
        if self.opening_:
            notes.append(f"{self.name}: its first {self.opening_} {PERIOD_WORDS[self.freq_]} (to "
                         f"{self.ds_[self.start_ + self.opening_].date()}) are an opening ramp: no season or growth "
                         f"from them")
        if self.freq_ != "D":
            notes += self._form_notes(n)
        if gap:
            words, stop = PERIOD_WORDS[self.freq_], STOP_PERIODS[self.freq_]
            notes.append(f"{self.name}: no sales in the last {words[:-1] if gap == 1 else f'{gap} {words}'} (since "
                         f"{self.ds_[self.end_].date()}), a longer run than any before but under the {stop} {words} "
                         f"that mean a stop, and not unlikely at its rate: taken as a stock-out or data gap and "
                         f"left out of the fit (if the series stopped, a run of {stop} will say so); the quantiles "
                         f"below the median are 0, since it may have stopped")
        sale_lift = np.zeros(horizon)
        low, high = np.exp(LIFT_BOUNDS)
        lifted = ", ".join(f"{self.calendar_.label(event)} {np.expm1(b):+.0%} (+-{np.sqrt(v):.2f} log)"
                           + (f" ({clipped} sighting(s) at the bound of a day's lift, x{low:.3f} or x{high:.0f}: "
                              f"the data ask for more; check them)" if clipped else "")
                           for event, (b, v, _, clipped) in self.sale_effects_.items())
        if self.moving_:
            notes.append(f"{self.name}: {', '.join(self.calendar_.label(e) for e in self.moving_)}: its window moves "
                         f"between the years against the season, so its lift, measured on its sightings against "
                         f"the quiet periods either side of each ({lifted}), is taken out of the history at its "
                         f"past dates and added at this year's dates")
        if self.unmeasured_moving_:
            notes.append(f"{self.name}: {', '.join(self.calendar_.label(e) for e in self.unmeasured_moving_)}: its "
                         f"window moves between the years against the season but could not be measured (no sighting "
                         f"has quiet {PERIOD_WORDS[self.freq_]} on both sides: other events' windows around it): the "
                         f"season repeats its lift at last year's dates, not at this year's")
        if self.sale_periods_.any():
            touched = self.ds_[self.start_:self.end_][self.sale_periods_]
            sales = ", ".join(self.calendar_.label(event) for event in self.sales_seen_)
            ahead = (f"sale periods ahead get the lift measured on their sightings against the quiet periods "
                     f"either side of each: {lifted}" if lifted else "sale periods ahead get no lift of their own")
            notes.append(f"{self.name}: {len(touched)} {PERIOD_WORDS[self.freq_]} in sale-event windows ({sales}; "
                         f"last {', '.join(str(d.date()) for d in touched[-3:])}) set to the level of the "
                         f"quiet ones around them for the fit: without a season their lift is not the level; it "
                         f"widens the band, and {ahead}")
        if self.sale_effects_:  # a sale's lift ahead, with its measure's uncertainty
            events = list(self.sale_effects_)
            X = sale_shares(future, self.freq_, self.calendar_, events)[1]
            beta, var, sale_spread = (np.array([self.sale_effects_[e][i] for e in events]) for i in range(3))
            sale_lift, J = share_lift(X, beta, self.freq_)
            mu = mu + sale_lift
            variance = variance + J ** 2 @ var + (X > 0) @ sale_spread
        if self.beta_ is not None:
            X, _ = offset_dummies(future, self.calendar_, self.levels_)
            mu = mu + X @ self.beta_
        if self.lunar_ is not None:  # this year's festival weeks, with the effects' own uncertainty
            lift, J = self.lunar_.lift(future, self.freq_, self.calendar_)
            raw = lunar_regressors(future, self.freq_, self.calendar_, spans=self.lunar_.spans)
            mu = mu + lift
            # the season holds the festival's average (centred lift): the baseline has none
            baseline = censored_at_zero(np.expm1(mu - share_lift(raw, self.lunar_.beta, self.freq_)[0] - sale_lift))
            variance = variance + self.lunar_.variance(J, raw.sum(axis=1) > 0)
        notes += [f"{self.name}: {self.lunar_note_}"] if self.lunar_note_ else []
        mean = censored_at_zero(np.expm1(mu))
        dispersion = count_dispersion(self.y_)
        sd = np.sqrt(variance)
        if dispersion is not None:
            qs = count_band(mean, dispersion, quantiles)
        elif self.freq_ == "D" or self.calibration_windows == 0:
            qs = {q: censored_at_zero(np.expm1(mu + norm.ppf(q) * sd)) for q in quantiles}
        else:
            offsets, note = self._conformal_offsets(horizon, quantiles)
            # the wider of the conformal band and the model's own: a few dozen out-of-sample
            # errors understate the tails, the model's variance misses its own errors (docs/benchmarks.md)
            offsets = {q: (np.minimum if q < 0.5 else np.maximum)(off, norm.ppf(q) * sd) for q, off in offsets.items()}
            qs = apply_offsets(mean, offsets)
            notes += [note] if note else []
        if gap:  # a stop is as likely an answer as a stock-out until the next period says: the band holds zero
            qs = {q: np.zeros(horizon) if q < 0.5 else v for q, v in qs.items()}
        return Prediction(future, mean, qs, notes, baseline=baseline, launch_growth=growth, launch_spread=spread)

    def _launch_growth(self, level: float, horizon: int) -> tuple[np.ndarray | None, np.ndarray | None, float | None]:
        """``(growth, spread, now)`` of a launch: its growth and the growth's spread over the
        ``horizon`` periods ahead (log, shape (horizon,); ``LaunchCurve.growth`` and
        ``growth_spread`` from its last period's age) and the ramp's log level at its last period
        (``_launch_ramp``, which the fit took out); or ``(None, None, None)``. ``level`` is its
        log level net of the ramp ahead (log units per period), so the tail never lifts it above
        the curve's ceiling (its peers' level)."""
        ramp = self._launch_ramp(np.array([len(self.y_) - 1]))
        if ramp is None:
            return None, None, None
        now = float(ramp[0])
        age, ages = len(self.y_) - 1 - self.launch_, len(self.y_) + np.arange(horizon) - self.launch_
        return (self.launch_curve.growth(age, ages, level=level + now, made=self.launch_rise_),
                self.launch_curve.growth_spread(age, ages, level=level + now, made=self.launch_rise_), now)

    def _launch_ramp(self, index: np.ndarray) -> np.ndarray | None:
        """The log level of the panel's launch curve (``launch_curve``, ``models.launch``) at the
        periods ``index`` (positions in the history, or past its end) relative to the launch,
        for a weekly, monthly or quarterly series launched within the panel when the curve is
        usable; else None. ``fit`` removes it from the history before the ETS (an offset, as the
        lunar effects are removed) and ``predict`` adds it back: the ETS fits the launch's level
        net of its ramp, so neither a flat level nor a trend nor one season's indices read the
        ramp, and the refits that give the band do the same."""
        if self.launch_ is None or not self.launch_curve.usable:
            return None
        return self.launch_curve.growth(0.0, np.asarray(index) - self.launch_, made=self.launch_rise_)

    def _launch_note(self) -> list[str]:
        """What the launch curve did to a launched series' forecast (or why it did nothing)."""
        curve = self.launch_curve
        if curve is None or self.freq_ == "D":
            return []
        first_sale = self.ds_[int(np.argmax(self.y_ > 0))]
        if curve.usable:
            ramp = self._launch_ramp(np.array([len(self.y_) - 1, len(self.y_) + 10 ** 4]))
            return [] if ramp is None else [
                f"{self.name}: launched on {first_sale.date()}; fitted net of {curve.describe()}, which lifts its level "
                f"x{np.exp(ramp[1] - ramp[0]):.2f} from its last period on{curve.made_words(self.launch_rise_)}"]
        if self.launch_ is None:
            return []
        return [f"{self.name}: launched on {first_sale.date()}; no launch curve ({curve.describe()}): its level is "
                f"not ramped up"]

    def _predict_intermittent(self, horizon: int, quantiles) -> Prediction:
        """The TSB forecast of an intermittent series, with a note saying why; or the path of a
        yearly off season (``models.off_season``), whose note says it."""
        pred = self.intermittent_.predict(horizon, quantiles)
        if isinstance(self.intermittent_, OffSeasonPath):
            return pred
        recent = self.y_[self.start_:][-INTERMITTENT_WINDOW[self.freq_]:]
        pred.notes.insert(0, f"{self.name}: intermittent: sales in {int((recent > 0).sum())} of its last {len(recent)} "
                          f"{PERIOD_WORDS[self.freq_]} (average interval {average_demand_interval(recent):.2f} >= "
                          f"{INTERMITTENT_ADI}); a model of log demand is biased low on a few units; forecast by "
                          f"{self.intermittent_.name}")
        return pred

    def _form_notes(self, n: int) -> list[str]:
        """What the form of a weekly, monthly or quarterly fit of ``n`` periods is, and why."""
        words, season = PERIOD_WORDS[self.freq_], SEASON_LENGTH[self.freq_]
        if self.form_ == "season":
            trend = TREND_WORDS[self.trend_kind_]
            if self.season_trend != "aicc":
                return [f"{self.name}: a fitted season with {trend}, as asked"]
            if not self.trend_aicc_:  # weeks and quarters: the damped trend, as every form without a choice
                return []
            scores = ", ".join(f"{kind} {aicc:.1f}" for kind, aicc in self.trend_aicc_.items())
            return [f"{self.name}: a fitted season with {trend}, the lowest AICc of the trends ({scores})"]
        if self.form_errors_:
            scores = ", ".join(f"{form} {err:.3f}" for form, err in self.form_errors_.items())
            verdict = ("forecast significantly better with it" if self.form_ != self.rule_form_
                       else "show no other form significantly better")
            why = (f"{FORM_WORDS[self.form_]}: its rolling-origin refits {verdict} (mean absolute log error "
                   f"{scores})")
        elif self.form != "auto":
            why = f"{FORM_WORDS[self.form_]}, as asked"
        elif self.form_ in ("indices", "growth"):
            why = f"{FORM_WORDS[self.form_]} (too few rolling-origin refits to compare the forms)"
        else:
            why = (f"under one season and two ({season + 2}), or a zero period in it; {FORM_WORDS[self.form_]}: "
                   f"no trend and no seasonality from a launch ramp or the events at its end")
        if self.growth_kept_:
            why += f"; the year-on-year growth is not carried: {self.growth_kept_}"
        return [f"{self.name}: {n} {words} of history, under the {seasonal_history(self.freq_)} a fitted season "
                f"needs; {why}"]

    def pooled_prior(self) -> LunarEffect | None:
        """After a fit on a panel's sum: its own moving-holiday effects, which each series of the
        panel combines with its own (``lunar.combine``) or takes whole when it cannot estimate
        them; None when the sum could not estimate them (or for daily data)."""
        return self.lunar_ if getattr(self, "lunar_", None) is not None and self.lunar_.source == "own" else None

    def refit_paths(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """After ``predict`` at weeks, months or quarters: the rolling-origin refits that
        calibrated its band (``calibration_paths_``), each ``(actual, forecast, missed)`` of the
        periods from its origin to the end of the history (units per period; no period missed:
        a refit is the model itself; its band is calibrated on each path's first ``reach``
        periods, the windows': the rest is there so that a path's length says its origin, as
        the daily models' do, and a level's series' refits are summed per origin,
        ``window_band.summed_band``). Empty for daily data (Gaussian bands, no refits), a
        stopped, intermittent or small-count series, or a history too short for refits. A fit
        that left out zero periods at the end (``unconfirmed_stop``) has refits to its own end:
        those periods are appended as missed (actuals as they are, forecast 0), so the path still
        ends on the history's last period and its length still says its origin."""
        if not self.calibration_paths_:
            return []
        gap = len(self.y_) - self.end_
        tail = self.y_[self.end_:]
        return [(np.r_[a, tail], np.r_[f, np.zeros(gap)], np.r_[np.zeros(len(a), bool), np.ones(gap, bool)])
                for a, f in self.calibration_paths_]

    def _conformal_offsets(self, horizon: int, quantiles) -> tuple[dict, str | None]:
        """Log quantile offsets per step from rolling-origin refits (see the class docstring),
        and a note when the history was too short for them."""
        n = self.end_ - self.start_
        gap = len(self.y_) - self.end_  # steps from the fit's end to the forecast's first period
        need = FORM_HISTORY[self.form_](self.freq_)
        reach = min(horizon + gap, n - need)  # the longest horizon a window can measure
        paths = []
        if reach >= 1:
            paths = rolling_origin_paths(
                lambda: ETSModel(self.damped_trend, self.ridge, calibration_windows=0, lunar=self.lunar,
                                 lunar_prior=self.lunar_prior, form=self.form_, launch_curve=self.launch_curve,
                                 season_trend=self.season_trend),
                self.y_[self.start_:self.end_], self.ds_[self.start_:self.end_],
                horizon=reach, n_windows=self.calibration_windows, step=max(1, -(-reach // 3)),
                freq=self.freq_, calendar=self.calendar_, min_history=need, to_end=True)
        self.calibration_paths_ = paths  # to the end: a path's length is its origin (refit_paths)
        hs, es = path_errors([(a[:reach], f[:reach]) for a, f in paths])
        bands = HORIZON_BANDS[self.freq_]
        if len(es) >= MIN_CALIBRATION_ERRORS:
            offsets = conformal_offsets(hs, es, horizon + gap, quantiles, bands=bands)
            return {q: off[gap:] for q, off in offsets.items()}, None
        # one-step errors of the log series, the sale periods' excess back in
        resid = np.asarray(self.ets_.resid, float) + self.event_excess_
        resid = resid[-max(need, n // 2):] * IN_SAMPLE_WIDENING  # the early fit is the states settling
        note = (f"{self.name}: {n} {PERIOD_WORDS[self.freq_]} of history is too short to calibrate the bands on "
                f"rolling-origin forecasts; they come from in-sample errors, widened")
        offsets = conformal_offsets(np.ones(len(resid)), resid, horizon + gap, quantiles, bands=bands)
        return {q: off[gap:] for q, off in offsets.items()}, note
