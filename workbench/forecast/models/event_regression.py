"""Event-profile regression: the workbench's event-aware model of daily demand.

On ``log1p(y)`` it fits, by ridge-regularised least squares,

    level + slope * t + weekday + holiday + make-up day + yearly Fourier (>= 2 years of history)
    + one effect per day offset from each event's anchor (618: June 18; Double 11: Nov 11;
      New Year sale and the Spring Festival pause: Spring Festival, a lunar date).

An event profile is thus last year's (or the average past) deviation from the baseline on the
same day relative to the anchor, which lines up the New Year sale with the moving Spring Festival
and June 1 / June 18 with themselves whatever the weekday. The level is re-anchored on the most
recent non-event weeks and the slope is damped, so a few months of trend do not run away over a
long horizon. Quantiles come from the model's own errors on a hold-out of the last
``interval_lead`` days of history (a backtest at the planning lead), so they are calibrated at
the lead a planner uses; with too little history, in-sample residuals are widened instead.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.errors import ModelError
from workbench.forecast.features import event_offsets, fourier, holiday_flags
from workbench.forecast.models.base import DEFAULT_QUANTILES, Forecaster, Prediction

_DAY = pd.Timedelta(days=1)


@lru_cache(maxsize=64)
def _calendar_block(start: pd.Timestamp, n: int, calendar: RetailCalendar):
    """Event offsets and holiday flags for ``n`` days from ``start`` (shared by all series)."""
    dates = pd.date_range(start, periods=n, freq="D")
    return dates, event_offsets(dates, calendar), holiday_flags(dates, calendar)


class EventRegression(Forecaster):
    """Ridge regression on log demand with anchored event profiles (daily data only).

    Parameters
    ----------
    fourier_order : yearly Fourier pairs, used only with ``min_years_for_fourier`` of history.
    ridge : penalty on event-offset effects (shrinks profiles seen once towards zero a little).
    damping : per-day damping of the trend slope beyond the last observation (1 = none).
    level_window : days of recent non-event history that re-anchor the level.
    interval_lead : days held out at the end of history to measure forecast errors for quantiles.
    """

    name = "event_regression"

    def __init__(self, fourier_order: int = 4, min_years_for_fourier: float = 2.0,
                 ridge: float = 0.05, damping: float = 0.995, level_window: int = 28,
                 interval_lead: int = 90):
        self.fourier_order = fourier_order
        self.min_years_for_fourier = min_years_for_fourier
        self.ridge = ridge
        self.damping = damping
        self.level_window = level_window
        self.interval_lead = interval_lead

    # -- design -----------------------------------------------------------------------------
    def _blocks(self, start: pd.Timestamp, n: int):
        return _calendar_block(pd.Timestamp(start), int(n), self.calendar_)

    def _design(self, idx: np.ndarray, offsets: dict, holidays: np.ndarray, dates: pd.DatetimeIndex,
                levels: dict[str, np.ndarray], order: int):
        dow = np.zeros((len(idx), 6))
        wd = dates.dayofweek.to_numpy()
        for d in range(6):
            dow[:, d] = wd == d
        cols = [dow, holidays[idx], fourier(dates, order)]
        for name, lv in levels.items():
            off = offsets[name][idx]
            cols.append((off[:, None] == lv[None, :]).astype(float))
        return np.hstack(cols)

    def _fit_arrays(self, z: np.ndarray, idx: np.ndarray):
        """Least squares of ``z`` (log demand) on the calendar design for history rows ``idx``."""
        all_dates, offsets, holidays = self._blocks(self.ds_[0], len(self.ds_) + self.horizon_pad_)
        dates = all_dates[idx]
        span_years = (dates[-1] - dates[0]).days / 365.25
        order = self.fourier_order if span_years >= self.min_years_for_fourier else 0
        levels = {name: np.unique(off[idx][~np.isnan(off[idx])]) for name, off in offsets.items()}
        X = self._design(idx, offsets, holidays, dates, levels, order)
        t = (idx - idx[-1]) / 365.25
        base = np.column_stack([np.ones(len(idx)), t])
        A = np.hstack([base, X])
        penalty = np.zeros(A.shape[1])
        n_event = sum(len(v) for v in levels.values())
        penalty[A.shape[1] - n_event:] = self.ridge
        penalty[2:8] = 1e-6  # weekday dummies: numerically safe, effectively unpenalised
        gram = A.T @ A + np.diag(penalty * len(idx) / 365.0 + 1e-9)
        beta = np.linalg.solve(gram, A.T @ z)
        resid = z - A @ beta
        # re-anchor the level on recent weeks outside every event span
        in_event = np.zeros(len(idx), bool)
        for off in offsets.values():
            in_event |= ~np.isnan(off[idx])
        recent = np.flatnonzero(~in_event)[-self.level_window:]
        shift = float(np.median(resid[recent])) if len(recent) >= 7 else 0.0
        return dict(beta=beta, levels=levels, order=order, shift=shift, resid=resid,
                    last=idx[-1], in_event=in_event)

    def _predict_arrays(self, fit: dict, idx: np.ndarray) -> np.ndarray:
        all_dates, offsets, holidays = self._blocks(self.ds_[0], len(self.ds_) + self.horizon_pad_)
        X = self._design(idx, offsets, holidays, all_dates[idx], fit["levels"], fit["order"])
        beta = fit["beta"]
        h = idx - fit["last"]
        damped = np.where(h > 0, (1 - self.damping ** np.maximum(h, 0)) / (1 - self.damping)
                          if self.damping < 1 else h, h) / 365.25
        return beta[0] + fit["shift"] + beta[1] * damped + X @ beta[2:]

    # -- estimator API ----------------------------------------------------------------------
    def fit(self, y, ds, *, freq: str = "D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        if freq != "D":
            raise ModelError(f"{self.name} models daily data; got frequency {freq!r}")
        if len(self.y_) < 56:
            raise ModelError(f"{self.name} needs at least 8 weeks of daily history; got {len(self.y_)} days")
        self.horizon_pad_ = 0
        self.z_ = np.log1p(self.y_)
        self.fit_ = None  # computed lazily in predict, once the horizon is known
        return self

    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        n = len(self.y_)
        self.horizon_pad_ = horizon
        hist = np.arange(n)
        fit = self._fit_arrays(self.z_, hist)
        fut = np.arange(n, n + horizon)
        mu = self._predict_arrays(fit, fut)
        notes = self._unseen_event_notes(fit, fut, future)
        errors = self._holdout_errors(fit)
        qs = {q: np.expm1(mu + np.quantile(errors, q)).clip(min=0) for q in quantiles}
        mean = np.expm1(mu + np.quantile(errors, 0.5)).clip(min=0)
        return Prediction(future, mean, qs, notes)

    def _unseen_event_notes(self, fit, fut, future) -> list[str]:
        _, offsets, _ = self._blocks(self.ds_[0], len(self.ds_) + self.horizon_pad_)
        notes = []
        for name, off in offsets.items():
            want = off[fut][~np.isnan(off[fut])]
            if len(want) and not np.isin(want, fit["levels"][name]).any():
                notes.append(f"no history of event {name!r} before {self.ds_[-1].date()}: its days in "
                             f"the horizon are forecast without an event effect (baseline only)")
        return notes

    def _holdout_errors(self, fit) -> np.ndarray:
        """Log errors of the model at the planning lead, from a refit without the last days."""
        n = len(self.y_)
        lead = min(self.interval_lead, n // 4)
        if n - lead >= 180:
            head = np.arange(n - lead)
            hold = self._fit_arrays(self.z_[head], head)
            tail = np.arange(n - lead, n)
            errors = self.z_[tail] - self._predict_arrays(hold, tail)
            in_sample = fit["resid"]
            # widen by the in-sample spread so a quiet hold-out does not give over-tight bands
            return np.concatenate([errors, in_sample * 1.25])
        return fit["resid"] * 1.5
