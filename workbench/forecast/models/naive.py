"""Baselines a planner already uses: seasonal naive and the event-aligned naive."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.validate import PERIOD_LENGTH, SEASON_LENGTH

PERIOD_WORD = {"W": "week", "MS": "month", "QS": "quarter"}
from workbench.forecast.features import quiet_days, same_periods_a_year_before, year_before
from workbench.forecast.models.regime import stopped_since
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero, count_band, count_dispersion)

# rolling origins of the refit paths (``refit_paths``): as many, as far apart in days, as
# event_profile's calibration refits; never more than a season back, where a naive forecast
# would repeat its own forecast
REFIT_ORIGINS = 6
REFIT_STEP = {"D": 42, "W": 6, "MS": 2, "QS": 1}



def _log_error_quantiles(actual: np.ndarray, reference: np.ndarray, quantiles) -> dict[float, float]:
    ok = ~np.isnan(reference)
    err = np.log1p(actual[ok]) - np.log1p(reference[ok])
    if len(err) < 10:
        err = np.array([-0.5, 0.0, 0.5])  # no evidence: wide, stated bands
    return {q: float(np.quantile(err, q)) for q in quantiles}


def _log_error_band(mean: np.ndarray, errors: dict[float, float]) -> dict[float, np.ndarray]:
    """Quantiles ``expm1(log1p(mean) + e_q)`` of demand, censored at zero (``censored_at_zero``):
    a negative log error on a zero forecast would otherwise give a quantile below zero."""
    return {q: censored_at_zero(np.expm1(np.log1p(mean) + e)) for q, e in errors.items()}


def _band(history: np.ndarray, mean: np.ndarray, quantiles, log_errors) -> dict[float, np.ndarray]:
    """Count quantiles around ``mean`` when ``history`` ends in small counts (``count_band``),
    else the log-error band of ``log_errors()`` (the model's own error quantiles)."""
    dispersion = count_dispersion(history)
    if dispersion is not None:
        return count_band(mean, dispersion, quantiles)
    return _log_error_band(mean, log_errors())


class SeasonalNaive(Forecaster):
    """Same period last year: the same calendar date for daily data (Feb 29 takes Feb 28),
    52 weeks, 12 months or 4 quarters back (``SEASON_LENGTH``). Quantiles come from the
    history's own year-on-year errors of ``log1p(y)``, censored at zero; for small counts
    (``count_dispersion``) from a negative binomial around the forecast (``count_band``). With less than a year
    of history it repeats the last week of daily data, or the last period of weekly, monthly or
quarterly data (stated in the notes). Any history length fits, so the
    core uses it as the last fallback.

    Source: the seasonal naive method (Hyndman & Athanasopoulos, *Forecasting: Principles and
    Practice*, 3rd ed., 2021, §5.2); intervals from the empirical distribution of its own
    errors (ibid. §5.5, without resampling)."""

    name = "seasonal_naive"
    capabilities = Capabilities()

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        return self

    def _reference(self, dates: pd.DatetimeIndex, values: pd.Series) -> np.ndarray:
        if self.freq_ == "D":
            back = dates - pd.DateOffset(years=1)
        else:
            back = dates - SEASON_LENGTH[self.freq_] * PERIOD_LENGTH[self.freq_]  # the frequency is known:
            # inferring it from the dates failed on a refit's two months (trial 7: 5 launched SKUs dropped)
        return values.reindex(back).to_numpy()

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        notes = []
        values = pd.Series(self.y_, index=self.ds_)
        history_years = (self.ds_[-1] - self.ds_[0]).days / 365.25
        if history_years < 1 - 1 / 52:
            # daily: the last week (its weekday pattern); weekly and coarser: the last period, a
            # naive forecast (a few partial launch months are no season to repeat)
            step = 7 if self.freq_ == "D" else 1
            last = "week" if self.freq_ == "D" else PERIOD_WORD[self.freq_]
            notes.append(f"{self.name}: less than a year of history; repeating the last {last}")
            mean = np.resize(self.y_[-step:], horizon)
            errors = partial(_log_error_quantiles, self.y_[step:], self.y_[:-step], quantiles)
        else:
            for day in future:  # recursive beyond one season
                ref = self._reference(pd.DatetimeIndex([day]), values)[0]
                values.loc[day] = ref if not np.isnan(ref) else values.iloc[-1]
            mean = values.loc[future].to_numpy()
            errors = partial(_log_error_quantiles, self.y_, self._reference(self.ds_, values), quantiles)
        return Prediction(future, mean, _band(self.y_, mean, quantiles, errors), notes)

    def refit_paths(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The model refitted at ``REFIT_ORIGINS`` rolling origins ``REFIT_STEP`` periods apart
        before the end, each ``(actual, forecast, missed)`` of the periods from its origin to the
        end (units per period; nothing missed: the model knows no event). They need no fit: from
        an origin with a year of history before it, the forecast of each later period (up to a
        season ahead) is the history's value a season before it; with less, the last week of
        days (or the last period) repeated, as ``predict`` does. Origins stop where the history
        is too short for either. Empty for small counts (``count_dispersion``), whose window
        totals take a count's band, as their days do."""
        if count_dispersion(self.y_) is not None:
            return []
        return _naive_paths(self.y_, self._reference(self.ds_, pd.Series(self.y_, index=self.ds_)), self.ds_,
                            self.freq_)


def _naive_paths(y: np.ndarray, reference: np.ndarray, ds: pd.DatetimeIndex, freq: str, growth=lambda origin: 1.0
                 ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Refit paths of a naive forecast: from origins ``k * REFIT_STEP[freq]`` periods before
    the end (k = 1..``REFIT_ORIGINS``), the actuals ``y[o:]`` and the forecast: ``reference[o:]``
    (each period's aligned value a year before) times ``growth(o)`` (the refit's growth, from
    the history before ``o``) where the history before ``o`` spans a year, else the last week
    of days (or last period) before ``o`` repeated. An origin a season or more before the end,
    or one whose forecast would need values the history lacks, ends them."""
    n, step = len(y), REFIT_STEP[freq]
    season = 365 if freq == "D" else SEASON_LENGTH[freq]
    repeat = 7 if freq == "D" else 1
    paths = []
    for k in range(1, REFIT_ORIGINS + 1):
        origin = n - k * step
        if origin < repeat or n - origin >= season:
            break
        if (ds[origin - 1] - ds[0]).days / 365.25 >= 1 - 1 / 52:
            forecast = reference[origin:] * growth(origin)
        else:
            forecast = np.resize(y[origin - repeat:origin], n - origin)
        if not np.isfinite(forecast).all():
            break
        paths.append((y[origin:], np.maximum(forecast, 0.0), np.zeros(n - origin, bool)))
    return paths


class EventNaive(Forecaster):
    """Last year's event, aligned on the event day, times the current level.

    Days inside an event span take the value at the same offset from last year's anchor
    (June 18, Nov 11, or Spring Festival, a lunar date); other days take the same weekday 52
    weeks back. Everything is scaled by the growth of the last ``level_window`` non-event days
    over the same days a year earlier, of the days whose day a year before was no event's either
    (``features.same_periods_a_year_before``: a festival that moved). Where last year's reference day is not in the history,
    the mean of the last four same weekdays is used and a note says so. Daily data only; other
    frequencies use the seasonal naive times the growth. A daily series that stopped
    (``regime.stopped_since``) is forecast at 0: a line launched and stopped within the year has
    no year-on-year growth to scale last year's window by (trial 14 F26: two lipstick shades
    stopped in spring came back at their last New Year sale). Quantiles as in ``SeasonalNaive``.

    Source: the planners' "last year's event, same offset from the event day" rule, made a
    model here; the growth is a ratio of sums over matching quiet days (no published method).
    """

    name = "event_naive"
    capabilities = Capabilities(events=True)

    def __init__(self, level_window: int = 56):
        self.level_window = level_window

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        # each day's day a year before and whether the two are alike, once: the refits' growths slice it
        self.year_ago_ = same_periods_a_year_before(self.ds_, "D", self.calendar_) if self.freq_ == "D" else None
        return self

    def _references(self, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """For each date, the date last year that it is aligned to (``features.year_before``)."""
        return year_before(dates, self.calendar_)

    def _growth(self, values: pd.Series, end: int | None = None, quiet=None) -> tuple[float, str | None]:
        """The growth of the last ``level_window`` quiet days of the history (of its first
        ``end`` days: a refit's; ``quiet``: ``features.quiet_days``, computed once by a caller that
        asks often) over the same days a year before, and a note when it is taken as 1 (a year
        before that lies mostly before the series' first sale, or sold nothing)."""
        quiet = quiet_days(self.ds_, self.calendar_) if quiet is None else quiet
        then, alike = self.year_ago_
        # a quiet day whose day a year before lay inside a festival that moved measures the festival
        at = np.flatnonzero(quiet[:end] & alike[:end])[-self.level_window:]
        recent = self.ds_[at]
        before = values.reindex(then[at])
        sold = np.flatnonzero(self.y_ > 0)
        # days before the series' first sale are no base: a launch's one day of sales a year back read x56
        before = before.where(before.index >= self.ds_[sold[0]]) if len(sold) else before * np.nan
        ok = before.notna().to_numpy()
        if before.isna().mean() > 0.2 or len(recent) < 14 or before.to_numpy()[ok].sum() <= 0:
            return 1.0, f"{self.name}: no sales on the same weeks a year before the last {self.level_window} days; growth taken as 1"
        now = values.reindex(recent)
        return float(now.to_numpy()[ok].sum() / before.to_numpy()[ok].sum()), None

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        if self.freq_ != "D":
            base = SeasonalNaive().fit(self.y_, self.ds_, freq=self.freq_, calendar=self.calendar_)
            pred = base.predict(horizon, quantiles)
            pred.notes.append(f"{self.name}: {self.freq_} data; seasonal naive without event alignment")
            return pred
        future = self._future_dates(horizon)
        values = pd.Series(self.y_, index=self.ds_)
        quiet = quiet_days(self.ds_, self.calendar_)
        growth, note = self._growth(values, quiet=quiet)
        notes = [note] if note else []
        stop = stopped_since(self.y_, "D", quiet)
        if stop is not None:  # a line stopped since a year before would come back at last year's window
            growth = 0.0
            notes = [f"{self.name}: no sale since {self.ds_[stop].date()}, a stop by the regime's rule "
                     f"(regime.stopped_since): forecast 0, not last year's days"]
        refs = self._references(future)
        missing = 0
        for day, ref in zip(future, refs):  # recursive: later days may refer to forecasts
            if ref in values.index:
                values.loc[day] = values.loc[ref] * (growth if ref <= self.ds_[-1] else 1.0)
            else:
                same = values[values.index.day_of_week == day.day_of_week].iloc[-4:]
                values.loc[day] = float(same.mean())
                missing += 1
        if missing:
            notes.append(f"{self.name}: {missing} forecast day(s) have no aligned day last year in the "
                         f"history (e.g. an event with no history); they use the mean of the last four same weekdays")
        mean = values.loc[future].to_numpy()
        hist_refs = self._references(self.ds_)
        reference = values.reindex(hist_refs).to_numpy() * growth
        band = _band(self.y_, mean, quantiles, partial(_log_error_quantiles, self.y_, reference, quantiles))
        return Prediction(future, mean, band, notes)

    def refit_paths(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """As ``SeasonalNaive.refit_paths`` (weeks and months: the seasonal naive's, as
        ``predict``); daily, each origin's forecast of a later day is its aligned day a year
        before times the growth measured on the quiet days before that origin (no fit needed)."""
        if self.freq_ != "D" or count_dispersion(self.y_) is not None:
            return SeasonalNaive().fit(self.y_, self.ds_, freq=self.freq_, calendar=self.calendar_).refit_paths()
        values = pd.Series(self.y_, index=self.ds_)
        aligned = values.reindex(self._references(self.ds_)).to_numpy()
        quiet = quiet_days(self.ds_, self.calendar_)
        return _naive_paths(self.y_, aligned, self.ds_, "D",
                            growth=lambda origin: self._growth(values, origin, quiet)[0])
