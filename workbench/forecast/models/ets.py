"""ETS (statsmodels) on log demand: event regressors for daily data, conformal bands otherwise."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.calendar import RetailCalendar
from workbench.data.validate import SEASON_LENGTH
from workbench.forecast.conformal import HORIZON_BANDS, apply_offsets, conformal_offsets, rolling_origin_errors
from workbench.forecast.models.base import (DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction,
                                            censored_at_zero, count_band, count_dispersion)
from workbench.forecast.models.event_dummies import offset_dummies
from workbench.forecast.models.lunar import LunarEffect, fit_lunar_effect, lunar_regressors

PERIOD_WORDS = {"D": "days", "W": "weeks", "MS": "months", "QS": "quarters"}
MIN_FIT = 4  # fewest periods an ETS is fitted on (level only)
MIN_CALIBRATION_ERRORS = 8  # fewer out-of-sample errors than this: the bands use in-sample errors
IN_SAMPLE_WIDENING = 1.5  # in-sample one-step errors understate out-of-sample ones
# longer seasons start from the heuristic initial states instead of estimating one per period:
# 52 weekly states made a fit 3.3 s (0.06 s heuristic) and were no more accurate (sample
# categories, weekly: WAPE 8.1% estimated, 7.7% heuristic); on months and quarters estimating
# them was as accurate or better
HEURISTIC_SEASON = 12


def nondaily_start(y: np.ndarray) -> int:
    """Index of the first period of a weekly, monthly or quarterly series' volume: its first
    non-zero period, or the one after when that first period holds under a third of the median
    of the next three (a launch in the middle of the period). 0 for an all-zero series."""
    nonzero = np.flatnonzero(np.asarray(y) > 0)
    if not len(nonzero):
        return 0
    first = int(nonzero[0])
    following = np.asarray(y[first + 1:first + 4], float)
    if len(following) == 3 and y[first] < np.median(following) / 3:
        return first + 1
    return first


STOP_PERIODS = {"W": 4, "MS": 2, "QS": 2}  # fewest zero periods at the end that can mean a stop


def stopped_since(y: np.ndarray, freq: str) -> int | None:
    """Index of the first of the zero periods that end a weekly, monthly or quarterly series, if
    they mean it stopped: at least ``STOP_PERIODS`` of them, and a longer run of zeros than any
    between its sales before (a slow mover's usual gaps are no stop). None otherwise, and for
    daily data (``event_profile`` has its own rule)."""
    y = np.asarray(y, float)
    sold = np.flatnonzero(y > 0)
    if freq not in STOP_PERIODS or not len(sold):
        return None
    run = len(y) - 1 - sold[-1]
    longest_before = int(np.max(np.diff(sold)) - 1) if len(sold) > 1 else 0
    return int(sold[-1] + 1) if run >= STOP_PERIODS[freq] and run > longest_before else None


def one_season_indices(z: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """Additive seasonal indices of the log series ``z`` from a history of one to two seasons,
    and the variance of each: ``(indices, variances)``, each shape (season,).

    An index is the mean residual of a straight-line trend at its position of the season
    (``t % season``), centred to mean 0: classical decomposition with a linear trend in place of
    the moving average a single season cannot fill (Hyndman & Athanasopoulos, *Forecasting:
    Principles and Practice*, 3rd ed., §3.4). Its variance is the residual noise (the pooled
    variance within the positions seen twice) over the number of times its position was seen.
    """
    t = np.arange(len(z))
    design = np.column_stack([np.ones(len(z)), t])
    resid = z - design @ np.linalg.lstsq(design, z, rcond=None)[0]
    groups = [resid[t % season == j] for j in range(season)]
    idx = np.array([g.mean() for g in groups])
    twice = [g for g in groups if len(g) > 1]
    noise = float(np.mean([g.var(ddof=1) for g in twice])) if twice else float(resid.var())
    return idx - idx.mean(), noise / np.array([len(g) for g in groups], float)


def seasonal_history(freq: str) -> int:
    """Fewest periods for a seasonal ETS at ``freq``: two full seasons plus two periods (one
    season's states are estimated, the second checks them; ``SEASON_LENGTH``)."""
    return 2 * SEASON_LENGTH[freq] + 2


class ETSModel(Forecaster):
    """Damped-trend additive ETS on ``log1p(y)`` (ETS(A,Ad,A), i.e. multiplicative on demand).

    The season (``SEASON_LENGTH``) is estimated by the ETS with ``seasonal_history(freq)``
    periods (two seasons and two). A history of one season and two periods up to that, with no
    zero period since the start, is deseasonalised by ``one_season_indices`` (fixed indices from the one season seen) before a
    non-seasonal ETS, and the indices are added back to the forecast: on 16-20 months of public
    and sample series this cut WAPE from 12-97% to 4-18% (docs/benchmarks.md). A shorter history
    gets the level only (simple exponential smoothing): a young weekly SKU's launch ramp and the
    Double 11 weeks at its end had made a damped trend climb to twice its peak. Both say so in a
    note.
    Initial states are estimated with the parameters, except for seasons longer than
    ``HEURISTIC_SEASON`` (weeks), which start from the heuristic initial states of Hyndman et
    al. (2008, §2.6.1).
    A weekly, monthly or quarterly series that has stopped (``stopped_since``: a run of zeros at
    the end, at least ``STOP_PERIODS`` long and longer than any gap between its sales before) is
    forecast at zero with a note, as ``event_profile`` does for days.
    Weekly, monthly and quarterly series are fitted from their start (``nondaily_start``: the
    zeros before a launch are not a level to trend from) when at least ``MIN_FIT`` periods
    follow it.

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
    fallback).

    Parameters: ``damped_trend`` (bool), ``ridge`` (the L2 penalty of the daily event
    regression, in units of the log series' sum of squares), ``calibration_windows`` (rolling
    origins for the non-daily conformal bands; 0: Gaussian bands from the ETS variance).

    Source: ETS state space models (Hyndman, Koehler, Ord & Snyder, *Forecasting with
    Exponential Smoothing: The State Space Approach*, 2008; statsmodels ``ETSModel``); ridge
    regression (Hoerl & Kennard, Technometrics 12, 1970); conformal bands from rolling-origin
    errors as StatsForecast's ``ConformalIntervals``.
    """

    name = "ets"
    capabilities = Capabilities(min_history=MIN_FIT, events=True, baseline=True, calibrated=("W", "MS", "QS"),
                                pooling_param="lunar_prior")

    def __init__(self, damped_trend: bool = True, ridge: float = 1.0, calibration_windows: int = 4,
                 lunar: bool = True, lunar_prior: LunarEffect | None = None):
        self.damped_trend = damped_trend
        self.ridge = ridge
        self.calibration_windows = calibration_windows
        self.lunar = lunar
        self.lunar_prior = lunar_prior

    def fit(self, y, ds, *, freq="D", calendar: RetailCalendar | None = None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel as _ETS

        self._store_history(y, ds, freq, calendar)
        self.stopped_ = stopped_since(self.y_, freq)
        if self.stopped_ is not None:  # forecast zero: a band fitted across the stop is noise
            return self
        self.start_ = nondaily_start(self.y_) if freq != "D" else 0
        if len(self.y_) - self.start_ < MIN_FIT:
            self.start_ = 0
        z = np.log1p(self.y_[self.start_:])
        self.levels_ = None
        self.beta_ = None
        if freq == "D":
            X, self.levels_ = offset_dummies(self.ds_, self.calendar_)  # daily: start_ is 0
            Xc = X - X.mean(axis=0)
            self.beta_ = np.linalg.solve(Xc.T @ Xc + self.ridge * np.eye(X.shape[1]), Xc.T @ (z - z.mean()))
            z = z - X @ self.beta_
        season = SEASON_LENGTH[freq]
        self.seasonal_ = len(z) >= seasonal_history(freq)
        self.indices_ = self.index_var_ = None  # fixed seasonal indices of a one-season history
        # a zero period inside one season would read as a season (log1p(0) far below the rest)
        one_season = not self.seasonal_ and len(z) >= season + 2 and (self.y_[self.start_:] > 0).all()
        # moving (lunar) holidays: estimated with the season, removed here, added back in predict
        self.lunar_, self.lunar_note_ = None, None
        if freq != "D" and self.lunar:
            self.lunar_season_ = season if self.seasonal_ or one_season else None
            self.lunar_, self.lunar_note_ = fit_lunar_effect(z, self.ds_[self.start_:], freq, self.calendar_,
                                                             season=self.lunar_season_, prior=self.lunar_prior)
            if self.lunar_ is not None:
                z = z - self._lunar_regressors(self.ds_[self.start_:]) @ self.lunar_.beta
        if one_season:
            self.indices_, self.index_var_ = one_season_indices(z, season)
            z = z - self.indices_[np.arange(len(z)) % season]
        # under one season (and two) with no season seen, the changes of a young series are its
        # launch ramp and the events at its end, not a trend to extrapolate: level only
        self.trend_ = self.seasonal_ or self.indices_ is not None or freq == "D"
        series = pd.Series(z, index=pd.RangeIndex(len(z)))
        with warnings.catch_warnings():  # (the core runs every fit with one BLAS thread)
            warnings.simplefilter("ignore")
            self.ets_ = _ETS(series, error="add", trend="add" if self.trend_ else None,
                             damped_trend=self.damped_trend and self.trend_,
                             seasonal="add" if self.seasonal_ else None,
                             seasonal_periods=season if self.seasonal_ else None,
                             initialization_method="heuristic" if self.seasonal_ and season > HEURISTIC_SEASON
                             else "estimated").fit(disp=False)
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        if self.stopped_ is not None:
            zero = np.zeros(horizon)
            return Prediction(future, zero, {q: zero.copy() for q in quantiles},
                              [f"{self.name}: no sales in the last {len(self.y_) - self.stopped_} "
                               f"{PERIOD_WORDS[self.freq_]} (since {self.ds_[self.stopped_].date()}), a longer "
                               f"run than any before: the series stopped and is forecast at zero"], zero.copy())
        n = len(self.y_) - self.start_  # the periods fitted
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self.ets_.get_prediction(start=n, end=n + horizon - 1)
        mu = np.asarray(pred.predicted_mean, float)
        variance = np.asarray(pred.var_pred_mean, float)
        if self.indices_ is not None:  # the indices' own uncertainty adds to the ETS variance
            position = np.arange(n, n + horizon) % len(self.indices_)
            mu = mu + self.indices_[position]
            variance = variance + self.index_var_[position]
        baseline = censored_at_zero(np.expm1(mu))
        notes = []
        if self.start_:
            notes.append(f"{self.name}: the series starts on {self.ds_[self.start_].date()}; fitted from there")
        if self.indices_ is not None:
            notes.append(f"{self.name}: {n} {PERIOD_WORDS[self.freq_]} of history, under the "
                         f"{seasonal_history(self.freq_)} a fitted season needs; the season is taken from the "
                         f"one seen (fixed indices), with level and damped trend")
        elif not self.seasonal_:
            notes.append(f"{self.name}: {n} {PERIOD_WORDS[self.freq_]} of history, under one season and two "
                         f"({SEASON_LENGTH[self.freq_] + 2}); level only: no trend and no seasonality from "
                         f"a launch ramp or the events at its end")
        if self.beta_ is not None:
            X, _ = offset_dummies(future, self.calendar_, self.levels_)
            mu = mu + X @ self.beta_
        if self.lunar_ is not None:  # this year's festival weeks, with the effects' own uncertainty
            X, raw = self._lunar_regressors(future), lunar_regressors(future, self.freq_, self.calendar_, centred=False)
            mu = mu + X @ self.lunar_.beta
            # the season holds the festival's average (centred regressors): the baseline has none
            baseline = censored_at_zero(np.expm1(mu - raw @ self.lunar_.beta))
            variance = variance + self.lunar_.variance(X, raw.sum(axis=1) > 0)
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
        return Prediction(future, mean, qs, notes, baseline=baseline)

    def _lunar_regressors(self, ds: pd.DatetimeIndex) -> np.ndarray:
        return lunar_regressors(ds, self.freq_, self.calendar_, centred=self.lunar_season_ is not None)

    def pooled_prior(self) -> LunarEffect | None:
        """After a fit on a panel's sum: its own moving-holiday effects, which each series of the
        panel combines with its own (``lunar.combine``) or takes whole when it cannot estimate
        them; None when the sum could not estimate them (or for daily data)."""
        return self.lunar_ if getattr(self, "lunar_", None) is not None and self.lunar_.source == "own" else None

    def _conformal_offsets(self, horizon: int, quantiles) -> tuple[dict, str | None]:
        """Log quantile offsets per step from rolling-origin refits (see the class docstring),
        and a note when the history was too short for them."""
        n = len(self.y_) - self.start_
        season = SEASON_LENGTH[self.freq_]
        need = seasonal_history(self.freq_) if self.seasonal_ else season + 2 if self.indices_ is not None else MIN_FIT
        reach = min(horizon, n - need)  # the longest horizon a window can measure
        hs, es = np.zeros(0), np.zeros(0)
        if reach >= 1:
            hs, es = rolling_origin_errors(
                lambda: ETSModel(self.damped_trend, self.ridge, calibration_windows=0, lunar=self.lunar,
                                 lunar_prior=self.lunar_prior),
                self.y_[self.start_:], self.ds_[self.start_:],
                horizon=reach, n_windows=self.calibration_windows, step=max(1, -(-reach // 3)),
                freq=self.freq_, calendar=self.calendar_, min_history=need)
        bands = HORIZON_BANDS[self.freq_]
        if len(es) >= MIN_CALIBRATION_ERRORS:
            return conformal_offsets(hs, es, horizon, quantiles, bands=bands), None
        resid = np.asarray(self.ets_.resid, float)  # one-step errors of the log series
        resid = resid[-max(need, n // 2):] * IN_SAMPLE_WIDENING  # the early fit is the states settling
        note = (f"{self.name}: {n} {PERIOD_WORDS[self.freq_]} of history is too short to calibrate the bands on "
                f"rolling-origin forecasts; they come from in-sample errors, widened")
        return conformal_offsets(np.ones(len(resid)), resid, horizon, quantiles, bands=bands), note
