"""Event-profile decomposition (``event_profile``): the workbench's default model of daily demand.

On ``log1p(y)`` the history is split into

    weekday effect + smooth baseline level L(t) + event uplift u_e(offset from the event's anchor)

* the weekday effect is the median deviation of each weekday from a centred weekly mean;
* L is a centred running median over days outside every event span, interpolated across them;
* u_e is the mean excess over L at each day offset from the anchor (June 18, Nov 11, Spring
  Festival — a lunar date — May 1, Oct 1), averaged over the event's past occurrences and,
  when ``prior_uplift`` is given (a profile pooled over many series by the core), shrunk towards
  it with weight ``prior_weight`` occurrences.

The forecast lays last year's baseline (same weekday, 52 weeks back) over the horizon and adds
the year-on-year growth of the baseline measured over the last ``growth_window`` days. Without a
year of overlap, the growth is the recent slope of the baseline, shrunk by ``trend_shrink``
(a few months of level change over-state a year's growth because they include the season).
Quantiles are empirical quantiles of the model's own log errors on a hold-out of the last
``interval_lead`` days (a backtest at the planning lead), widened by the in-sample spread, with a
spread that grows with the horizon and with the size of the event effect.

It declares daily data and 8 weeks of history (``capabilities``); the core sends other series
to its fallback model and the notes say so.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.errors import ModelError
from workbench.forecast.features import event_offsets
from workbench.forecast.models.base import DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction

YEAR = 364  # days: keeps the weekday
SPAN = 400  # event offsets lie within this many days of their anchor


@lru_cache(maxsize=64)
def _offsets(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    return event_offsets(pd.date_range(start, periods=n, freq="D"), calendar)


def _centred_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred running median ignoring NaN (at least a third of the window must be present)."""
    return pd.Series(values).rolling(window, center=True, min_periods=max(3, window // 3)).median().to_numpy()


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


class EventProfile(Forecaster):
    """Baseline x event-uplift decomposition with year-on-year growth (daily data).

    Parameters
    ----------
    level_window : days of the running median that gives the baseline level.
    growth_window : recent days over which year-on-year baseline growth is averaged.
    trend_shrink : share of the recent baseline slope used as growth without a year of overlap.
    growth_halflife : days over which the growth measured at the end of history halves
        (growth rates revert; None keeps it constant).
    prior_uplift : ``{event: {offset: log uplift}}`` pooled over series, or None.
    prior_weight : weight of the prior, in occurrences of the event.
    interval_lead : days held out at the end of history to measure errors for the quantiles.
    """

    name = "event_profile"
    capabilities = Capabilities(frequencies=("D",), min_history=56, events=True, baseline=True,
                                pooling_param="prior_uplift")

    def __init__(self, level_window: int = 15, growth_window: int = 28, trend_shrink: float = 0.5,
                 growth_halflife: float | None = 240.0, prior_uplift: dict | None = None,
                 prior_weight: float = 2.0, interval_lead: int = 90):
        self.level_window = level_window
        self.growth_window = growth_window
        self.trend_shrink = trend_shrink
        self.growth_halflife = growth_halflife
        self.prior_uplift = prior_uplift
        self.prior_weight = prior_weight
        self.interval_lead = interval_lead

    def fit(self, y, ds, *, freq: str = "D", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
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
        self.z_ = np.log1p(self.y_)
        self.dow_ = _weekday(self.ds_)
        self.prior_profiles_ = self._prior_profiles()
        self.components_ = self._decompose(self.z_, _offsets(self.ds_[0], len(self.z_), self.calendar_))
        self.uplift_ = {name: {int(i) - SPAN: float(v) for i in np.flatnonzero(~np.isnan(p)) for v in [p[i]]}
                        for name, p in self.components_["profiles"].items()}
        return self

    def pooled_prior(self) -> dict[str, dict[int, float]]:
        """The fitted event log-uplift profiles ``{event: {offset: uplift}}``: fitted on the sum
        of many series, the prior each series' profile is shrunk towards (``prior_uplift``)."""
        return {name: dict(profile) for name, profile in self.uplift_.items()}

    # -- decomposition --------------------------------------------------------------------------
    def _prior_profiles(self) -> dict[str, np.ndarray]:
        dense = {}
        for name, profile in (self.prior_uplift or {}).items():
            arr = np.full(2 * SPAN + 1, np.nan)
            for offset, value in profile.items():
                arr[int(offset) + SPAN] = value
            dense[name] = arr
        return dense

    def _decompose(self, z: np.ndarray, offsets: dict[str, np.ndarray]) -> dict:
        """Weekday effect, baseline level and event profiles of the log series ``z``."""
        n = len(z)
        in_event = np.zeros(n, bool)
        for off in offsets.values():
            in_event |= ~np.isnan(off)
        quiet = ~in_event
        dow = self.dow_[:n]
        deviation = z - _centred_mean(z, 7, min_count=4)
        weekday = np.zeros(7)
        for d in range(7):
            dev = deviation[(dow == d) & quiet]
            weekday[d] = np.median(dev) if len(dev) else 0.0
        weekday -= weekday.mean()
        zd = z - weekday[dow]
        level = _centred_median(np.where(quiet, zd, np.nan), self.level_window)
        ok = ~np.isnan(level)
        if ok.sum() < 14:
            raise ModelError(f"{self.name}: fewer than 14 days outside event spans; cannot find a baseline")
        idx = np.arange(n)
        level = np.interp(idx, idx[ok], level[ok])
        profiles = {}
        for name, off in offsets.items():
            inside = ~np.isnan(off)
            prior = self.prior_profiles_.get(name)
            if not inside.any() and prior is None:
                continue
            at = off[inside].astype(int) + SPAN
            counts = np.bincount(at, minlength=2 * SPAN + 1).astype(float)
            sums = np.bincount(at, weights=zd[inside] - level[inside], minlength=2 * SPAN + 1)
            own = np.divide(sums, counts, out=np.full(2 * SPAN + 1, np.nan), where=counts > 0)
            if prior is not None:
                has = ~np.isnan(prior)
                w = self.prior_weight
                own = np.where(has & (counts > 0), (np.nan_to_num(own) * counts + np.nan_to_num(prior) * w) / (counts + w), own)
                own = np.where(has & (counts == 0), prior, own)
            profiles[name] = own
        return dict(level=level, weekday=weekday, profiles=profiles, in_event=in_event)

    def _growth(self, level: np.ndarray, in_event: np.ndarray) -> tuple[float, str | None]:
        """Year-on-year log growth of the baseline, per year."""
        n = len(level)
        if n > YEAR + 28:
            t = np.arange(YEAR, n)
            pairs = t[~in_event[t] & ~in_event[t - YEAR]][-self.growth_window:]
            if len(pairs) >= 28:
                return float(np.mean(level[pairs] - level[pairs - YEAR])), None
        recent = np.flatnonzero(~in_event)[-min(180, n):]
        slope = np.polyfit(recent, level[recent], 1)[0] if len(recent) >= 28 else 0.0
        note = (f"{self.name}: less than a year of overlapping history; growth is {self.trend_shrink:.0%} "
                f"of the recent baseline slope")
        return float(slope * YEAR * self.trend_shrink), note

    def _forecast_log(self, comp: dict, future_offsets: dict[str, np.ndarray], future_dow: np.ndarray):
        """Log forecast, the event uplift in it, and notes, for the days after the history."""
        level = comp["level"]
        n, horizon = len(level), len(future_dow)
        growth, note = self._growth(level, comp["in_event"])
        notes = [note] if note else []
        h = np.arange(1, horizon + 1)
        g = growth * (0.5 ** (h / self.growth_halflife) if self.growth_halflife else np.ones(horizon))
        ext = np.concatenate([level, np.empty(horizon)])
        for start in range(n, n + horizon, YEAR):  # a second year builds on the first
            t = np.arange(start, min(start + YEAR, n + horizon))
            ref = t - YEAR
            ext[t] = np.where(ref >= 0, ext[np.maximum(ref, 0)] + g[t - n], level[-1] + g[t - n] * h[t - n] / YEAR)
        mu = ext[n:] + comp["weekday"][future_dow]
        uplift = np.zeros(horizon)
        for name, off in future_offsets.items():
            inside = ~np.isnan(off)
            if not inside.any():
                continue
            profile = comp["profiles"].get(name)
            known = profile[off[inside].astype(int) + SPAN] if profile is not None else np.full(inside.sum(), np.nan)
            if np.isnan(known).all():
                notes.append(f"{self.name}: no history of event {name!r} before {self.ds_[n - 1].date()}; "
                             f"its days are forecast at the baseline (no uplift)")
            uplift[inside] += np.nan_to_num(known)
        return mu + uplift, uplift, notes

    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        n = len(self.z_)
        offsets = _offsets(self.ds_[0], n + horizon, self.calendar_)
        future_offsets = {k: v[n:] for k, v in offsets.items()}
        mu, uplift, notes = self._forecast_log(self.components_, future_offsets, _weekday(future))
        errors = self._holdout_errors(offsets, n)
        centre = np.median(errors)
        # spread grows with the horizon beyond the hold-out's typical one and with the size of
        # the event effect (a campaign's strength varies from year to year)
        h = np.arange(1, horizon + 1)
        ref = max(self.interval_lead / 2, 1)
        scale = np.sqrt(np.maximum(h, ref) / ref) * (1 + np.abs(uplift))
        spread = np.quantile(errors, list(quantiles)) - centre
        mean = np.expm1(mu + centre).clip(min=0)
        qs = {q: np.expm1(mu + centre + scale * e).clip(min=0) for q, e in zip(quantiles, spread)}
        baseline = np.expm1(mu - uplift + centre).clip(min=0)
        return Prediction(future, mean, qs, notes, baseline)

    def _holdout_errors(self, offsets: dict[str, np.ndarray], n: int) -> np.ndarray:
        """Log errors at the planning lead (refit without the last days) and in sample."""
        comp = self.components_
        fitted = comp["level"] + comp["weekday"][self.dow_]
        for name, off in offsets.items():
            inside = ~np.isnan(off[:n])
            if inside.any() and name in comp["profiles"]:
                fitted[inside] += np.nan_to_num(comp["profiles"][name][off[:n][inside].astype(int) + SPAN])
        in_sample = self.z_ - fitted
        lead = min(self.interval_lead, n // 4)
        if n - lead >= YEAR // 2:
            head = self._decompose(self.z_[: n - lead], {k: v[: n - lead] for k, v in offsets.items()})
            tail = {k: v[n - lead: n] for k, v in offsets.items()}
            mu, _, _ = self._forecast_log(head, tail, self.dow_[n - lead:])
            return np.concatenate([self.z_[n - lead:] - mu, in_sample * 1.25])
        return in_sample * 1.5
