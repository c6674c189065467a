"""Event-profile decomposition: the workbench's default model (``auto``) of daily demand.

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

Data it cannot model — not daily, or under 8 weeks — goes to a stated fallback (``ets`` with at
least two seasons of history, else ``seasonal_naive``) and the prediction's notes say so.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.errors import ModelError
from workbench.forecast.features import event_offsets
from workbench.forecast.models.base import DEFAULT_QUANTILES, Forecaster, Prediction

YEAR = 364  # days: keeps the weekday
SEASONS = {"D": 7, "W": 52, "MS": 12, "QS": 4}


@lru_cache(maxsize=64)
def _offsets(start: pd.Timestamp, n: int, calendar: RetailCalendar) -> dict[str, np.ndarray]:
    return event_offsets(pd.date_range(start, periods=n, freq="D"), calendar)


def _centred_median(values: np.ndarray, window: int) -> np.ndarray:
    return pd.Series(values).rolling(window, center=True, min_periods=max(3, window // 3)).median().to_numpy()


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

    name = "auto"

    def __init__(self, level_window: int = 15, growth_window: int = 28, trend_shrink: float = 0.5,
                 growth_halflife: float | None = 120.0, prior_uplift: dict | None = None,
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
        if (self.ds_[1:] - self.ds_[:-1] <= pd.Timedelta(0)).any():
            raise ModelError(f"{self.name}: dates must increase; validate the data first")
        self.fallback_ = self._fallback_reason()
        if self.fallback_:
            from workbench.forecast.models import make_model

            name = "ets" if freq != "D" and len(self.y_) >= 2 * SEASONS[freq] + 2 else "seasonal_naive"
            self.fallback_model_ = make_model(name).fit(self.y_, self.ds_, freq=freq, calendar=self.calendar_)
            self.uplift_ = {}
            return self
        if (self.ds_[1:] - self.ds_[:-1] != pd.Timedelta(days=1)).any():
            raise ModelError(f"{self.name} needs consecutive days; validate the data first")
        self.z_ = np.log1p(self.y_)
        self.components_ = self._decompose(self.z_, len(self.z_))
        self.uplift_ = self.components_["uplift"]
        return self

    def _fallback_reason(self) -> str | None:
        if self.freq_ != "D":
            return f"{self.freq_} data (event profiles need daily data)"
        if len(self.y_) < 56:
            return f"only {len(self.y_)} days of history (event profiles need 8 weeks)"
        return None

    # -- decomposition --------------------------------------------------------------------------
    def _decompose(self, z: np.ndarray, n: int, extra: int = 0) -> dict:
        offsets = _offsets(self.ds_[0], n + extra, self.calendar_)
        hist = {k: v[:n] for k, v in offsets.items()}
        in_event = np.zeros(n, bool)
        for off in hist.values():
            in_event |= ~np.isnan(off)
        dow = self.ds_[:n].day_of_week.to_numpy()
        quiet = ~in_event
        week_mean = pd.Series(z).rolling(7, center=True, min_periods=4).mean().to_numpy()
        weekday = np.zeros(7)
        for d in range(7):
            dev = (z - week_mean)[(dow == d) & quiet]
            weekday[d] = np.nanmedian(dev) if len(dev) else 0.0
        weekday -= weekday.mean()
        zd = z - weekday[dow]
        masked = np.where(quiet, zd, np.nan)
        level = _centred_median(masked, self.level_window)
        ok = ~np.isnan(level)
        if ok.sum() < 14:
            raise ModelError(f"{self.name}: fewer than 14 days outside event spans; cannot find a baseline")
        idx = np.arange(n)
        level = np.interp(idx, idx[ok], level[ok])
        uplift = {}
        for name, off in hist.items():
            inside = ~np.isnan(off)
            if not inside.any():
                continue
            excess = pd.Series(zd[inside] - level[inside]).groupby(off[inside].astype(int))
            own, count = excess.mean(), excess.size()
            prior = (self.prior_uplift or {}).get(name)
            if prior:
                prior = pd.Series(prior).reindex(own.index)
                w = self.prior_weight
                own = ((own * count + prior.fillna(own) * w) / (count + w))
            uplift[name] = own
        return dict(level=level, weekday=weekday, uplift=uplift, offsets=offsets, in_event=in_event)

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

    def _forecast_log(self, comp: dict, n: int, horizon: int):
        """Log forecast, the event uplift in it, and notes for the ``horizon`` days after ``n``."""
        growth, note = self._growth(comp["level"], comp["in_event"])
        notes = [note] if note else []
        level = np.concatenate([comp["level"], np.empty(horizon)])
        for t in range(n, n + horizon):  # recursive: a second year builds on the first
            ref = t - YEAR
            h = t - n + 1
            g = growth * (0.5 ** (h / self.growth_halflife) if self.growth_halflife else 1.0)
            level[t] = level[ref] + g if ref >= 0 else level[n - 1] + g * h / YEAR
        fut = np.arange(n, n + horizon)
        dates = pd.date_range(self.ds_[0], periods=n + horizon, freq="D")[fut]
        mu = level[fut] + comp["weekday"][dates.day_of_week.to_numpy()]
        uplift = np.zeros(horizon)
        for name, off in comp["offsets"].items():
            o = off[fut]
            inside = ~np.isnan(o)
            if not inside.any():
                continue
            profile = comp["uplift"].get(name)
            known = profile.reindex(o[inside].astype(int)).to_numpy() if profile is not None else np.full(inside.sum(), np.nan)
            if np.isnan(known).all():
                notes.append(f"{self.name}: no history of event {name!r} before {self.ds_[n - 1].date()}; "
                             f"its days are forecast at the baseline (no uplift)")
            uplift[inside] += np.nan_to_num(known)
        return mu + uplift, uplift, notes

    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        if self.fallback_:
            pred = self.fallback_model_.predict(horizon, quantiles)
            pred.notes.append(f"{self.name}: {self.fallback_}; forecast by {self.fallback_model_.name} instead")
            return pred
        future = self._future_dates(horizon)
        n = len(self.z_)
        comp = self._decompose(self.z_, n, extra=horizon)
        mu, uplift, notes = self._forecast_log(comp, n, horizon)
        errors = self._holdout_errors(comp, n)
        centre = np.median(errors)
        # spread grows with the horizon beyond the hold-out's typical one and with the size of
        # the event effect (a campaign's strength varies from year to year)
        h = np.arange(1, horizon + 1)
        ref = max(self.interval_lead / 2, 1)
        scale = np.sqrt(np.maximum(h, ref) / ref) * (1 + np.abs(uplift))
        mean = np.expm1(mu + centre).clip(min=0)
        qs = {q: np.expm1(mu + centre + scale * (np.quantile(errors, q) - centre)).clip(min=0)
              for q in quantiles}
        baseline = np.expm1(mu - uplift + centre).clip(min=0)
        return Prediction(future, mean, qs, notes, baseline)

    def _holdout_errors(self, comp: dict, n: int) -> np.ndarray:
        level, weekday = comp["level"], comp["weekday"]
        dow = self.ds_.day_of_week.to_numpy()
        fitted = level + weekday[dow]
        for name, off in comp["offsets"].items():
            o = off[:n]
            inside = ~np.isnan(o)
            if inside.any() and name in comp["uplift"]:
                fitted[inside] += comp["uplift"][name].reindex(o[inside].astype(int)).fillna(0).to_numpy()
        in_sample = self.z_ - fitted
        lead = min(self.interval_lead, n // 4)
        if n - lead >= YEAR // 2:
            head = self._decompose(self.z_[: n - lead], n - lead, extra=lead)
            mu, _, _ = self._forecast_log(head, n - lead, lead)
            return np.concatenate([self.z_[n - lead:] - mu, in_sample * 1.25])
        return in_sample * 1.5
