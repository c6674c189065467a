"""The interface every forecasting model shares.

Models see one series as arrays: ``fit(y, ds)`` with ``y`` the values (float, >= 0) and ``ds``
the matching dates at one frequency; ``predict(horizon, quantiles)`` returns the next
``horizon`` periods. Long frames, grouping and parallelism live in ``workbench.forecast.core``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ModelError

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)  # the one default: P10, P50, P90


@dataclass(frozen=True)
class Capabilities:
    """What a model supports, declared by its class so the core never guesses.

    ``frequencies``: the frequencies it can fit (others go to the core's fallback model).
    ``min_history``: fewest periods it can fit (shorter series go to the fallback model).
    ``events``: uses the retail calendar's events (exogenous event effects).
    ``calibrated``: the frequencies at which the model calibrates its quantiles on its own
    out-of-sample errors (as ``event_profile`` does); at the others the core calibrates them by
    split conformal prediction on rolling-origin refits (``ForecastRequest.conformal_windows``,
    ``workbench.forecast.conformal``), as StatsForecast's ``ConformalIntervals`` does.
    ``baseline``: ``Prediction.baseline`` is the forecast without event effects.
    ``pooling_param``: the constructor parameter that takes a prior pooled over many series
    (what ``pooled_prior()`` of a fit on their sum returns); None: the model does not pool.
    ``pooling_frequencies``: the frequencies at which it pools (empty: all of ``frequencies``);
    at the others the core fits no sum.
    ``launch_param``: the constructor parameter that takes the panel's pooled launch curve
    (``models.launch.LaunchCurve``, which the core measures on the panel's launched series);
    None: the model takes none.
    """

    frequencies: tuple[str, ...] = ("D", "W", "MS", "QS")
    min_history: int = 1
    events: bool = False
    calibrated: tuple[str, ...] = ()
    baseline: bool = False
    pooling_param: str | None = None
    pooling_frequencies: tuple[str, ...] = ()
    launch_param: str | None = None

    @property
    def pooling(self) -> bool:
        return self.pooling_param is not None

    def pools_at(self, freq: str) -> bool:
        """Whether the model takes a pooled prior for ``freq`` data."""
        return self.pooling and freq in (self.pooling_frequencies or self.frequencies)


@dataclass
class Prediction:
    """A forecast of one series: dates, point forecast (``mean``) and quantiles."""

    ds: pd.DatetimeIndex
    mean: np.ndarray
    quantiles: dict[float, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    baseline: np.ndarray | None = None  # the forecast without event effects, where the model has one
    # log growth of the baseline over its history's end that a launch curve explains (models.launch), where
    # the model climbs one: the guard allows it, as it allows event uplift
    launch_growth: np.ndarray | None = None
    # log change of a young series' baseline along the pooled path it follows from the days its level
    # was read on (the season and growth of the level above it: ``PooledPrior.change``), laid only where
    # that season is the series' (``pool_season``): the guard allows it, as it allows a launch's growth
    # (a winter launch's fall into June is its category's season)
    path_change: np.ndarray | None = None
    # its standard deviation (log) per step where the curve is read past its evidence
    # (``LaunchCurve.growth_spread``): one level error shared by every step, which the bands
    # of window totals add (``workbench.forecast.window_band``)
    launch_spread: np.ndarray | None = None
    # the standard deviation (log) per step of an uplift borrowed for an event the history never
    # saw (``models.unseen``; 0 off its days): one error shared by the event's days, which the
    # bands of window totals add as they add ``launch_spread``
    event_spread: np.ndarray | None = None
    # the standard deviation (log) per step of a series' season level: a young series' season read
    # from its one year of history (``EventProfile._season_year``), or a yearly off season's level,
    # last season's carried over its off months by a growth measured then (``models.yearly_season``;
    # 0 off season), or a level read on fewer periods than ``recent_level`` reads (its standard error,
    # ``recent_level.level_spread``: a series too short for its own model): one level error shared by
    # every step, no launch's, which the bands of window totals add as they add ``launch_spread``
    season_spread: np.ndarray | None = None
    # log rise per step of a young series' mean that the pool of the level above it explains: its
    # pooled path (``path_change``), no higher than the pool's baseline has been over its history, plus
    # the uplift of the events it borrowed whole from the pooled profile (its own few days hold none),
    # measured on the pool's windows: the pool's own multiple, which the guard allows (a red bedding
    # set launched 20 days before its New Year sale was held at its launch trickle, -98%, trial 13 F2)
    pooled_uplift: np.ndarray | None = None


# the Prediction fields that hold one value per period ahead besides ``mean`` and the quantiles: the
# one list the core checks the shape of and the yearly off season zeroes (``yearly_season.zero_off_season``)
PER_PERIOD_FIELDS = ("baseline", "launch_growth", "path_change", "launch_spread", "event_spread", "season_spread",
                     "pooled_uplift")


def quantile_column(q: float) -> str:
    """``0.1 -> "yhat_q10"``, ``0.975 -> "yhat_q97.5"``."""
    pct = round(q * 100, 6)
    return f"yhat_q{int(pct)}" if float(pct).is_integer() else f"yhat_q{pct:g}"


def has_band(quantiles) -> bool:
    """Whether the quantile levels ``quantiles`` (in (0, 1); any iterable, a dict's keys too)
    hold a band around the median: one below 0.5 and one above. False for none."""
    return min(quantiles, default=0.5) < 0.5 < max(quantiles, default=0.5)


def censored_at_zero(values: np.ndarray) -> np.ndarray:
    """Quantiles (or means) of non-negative demand: a predictive distribution ``X`` of demand is
    censored at zero (demand is ``max(0, X)``), and a quantile of ``max(0, X)`` is ``max(0, q_X)``
    because quantiles are equivariant under non-decreasing maps (Koenker, *Quantile Regression*,
    2005, §2.2). Returns a new float array of the same shape; NaN stays NaN."""
    return np.maximum(np.asarray(values, dtype=float), 0.0)


COUNT_LEVEL = 20.0  # recent mean per period below which integer data get count quantiles
COUNT_WINDOW = 56  # recent periods whose variance-to-mean ratio sets the count distribution


def count_dispersion(history: np.ndarray, window: int = COUNT_WINDOW) -> float | None:
    """Variance-to-mean ratio of the last ``window`` values of ``history`` when they are small
    counts (whole numbers, mean under ``COUNT_LEVEL`` per period, not all zero), else ``None``:
    for such series a count distribution describes the spread, a log-error band does not (most
    log errors are 0 when most periods are 0, so the band collapses onto the point forecast)."""
    recent = np.asarray(history, dtype=float)[-window:]
    level = float(recent.mean()) if len(recent) else 0.0
    if not 0 < level < COUNT_LEVEL or not np.all(recent == np.round(recent)):
        return None
    return float(recent.var() / level)


def count_band(mean: np.ndarray, dispersion: float, quantiles) -> dict[float, np.ndarray]:
    """Quantiles per period of a negative binomial with mean ``mean`` (units per period, shape
    (horizon,)) and variance ``dispersion * mean``; a Poisson when ``dispersion <= 1``. The
    usual distributions of intermittent retail demand (Syntetos & Boylan 2005; Kolassa 2016,
    "Evaluating predictive count data distributions in retail sales forecasting", IJF 32).
    Returns ``{q: whole-unit quantiles}``."""
    from scipy import stats

    mean = np.maximum(np.asarray(mean, dtype=float), 1e-12)
    if dispersion <= 1.0:
        return {q: stats.poisson.ppf(q, mean).astype(float) for q in quantiles}
    return {q: stats.nbinom.ppf(q, mean / (dispersion - 1.0), 1.0 / dispersion).astype(float)
            for q in quantiles}


def future_dates(ds: pd.DatetimeIndex, freq: str, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` dates after the last of ``ds`` at frequency ``freq`` (weekly data keeps
    its weekday). Raises ``ModelError`` for a horizon below 1."""
    from workbench.data.validate import pandas_freq

    if horizon < 1:
        raise ModelError(f"horizon must be at least 1; got {horizon}")
    return pd.date_range(ds[-1], periods=horizon + 1, freq=pandas_freq(freq, ds))[1:]


class Forecaster(ABC):
    """Base class: ``__init__`` stores parameters, ``fit`` returns self, fitted attributes end in ``_``."""

    name: str = "base"
    capabilities: Capabilities = Capabilities()

    @abstractmethod
    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex, *, freq: str = "D",
            calendar: RetailCalendar | None = None) -> "Forecaster":
        """Fit to one series and return ``self``.

        ``y``: shape (n,), demand per period (units or CNY), finite and >= 0; ``ds``: the n
        dates, increasing, one period of ``freq`` apart; ``calendar``: event windows (default:
        the shipped calendar). Raises ``ModelError`` for input the model cannot fit (the core
        sends series outside the declared ``capabilities`` to its fallback first)."""

    @abstractmethod
    def predict(self, horizon: int, quantiles=DEFAULT_QUANTILES) -> Prediction:
        """Forecast the ``horizon`` periods after the last fitted date: the mean and each of
        ``quantiles`` (levels in (0, 1)) as arrays of shape (horizon,), in the units of ``y``,
        every value >= 0 (see ``censored_at_zero``)."""

    # helpers shared by the models ----------------------------------------------------------
    def _store_history(self, y, ds, freq, calendar) -> None:
        y = np.asarray(y, dtype=float)
        ds = pd.DatetimeIndex(ds)
        if len(y) != len(ds):
            raise ModelError(f"{self.name}: {len(y)} values but {len(ds)} dates")
        if len(y) == 0:
            raise ModelError(f"{self.name}: cannot fit an empty series")
        if np.isnan(y).any():
            raise ModelError(f"{self.name}: the series has missing values; validate it first")
        self.y_ = y
        self.ds_ = ds
        self.freq_ = freq
        self.calendar_ = calendar or default_calendar()

    def _future_dates(self, horizon: int) -> pd.DatetimeIndex:
        return future_dates(self.ds_, self.freq_, horizon)

    def refit_paths(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """After ``fit``: the model's own rolling-origin refits, one ``(actual, forecast,
        missed)`` triple per refit, each shape (m,): the history's values (units per period)
        from the refit's origin to the end, the refit's point forecast of them, and whether the
        refit forecast a period without something the model itself knows (an event it had not
        seen: True; such periods measure another forecast). The core sums them over spans to
        calibrate the band of a window total (``workbench.forecast.window_band``). Empty (the
        default) for a model without refits of its own."""
        return []

    def pooled_prior(self):
        """After a fit on the sum of many series: what each series' model receives in its
        ``capabilities.pooling_param`` (None: nothing to pool). Only pooling models override it."""
        return None

    def get_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
