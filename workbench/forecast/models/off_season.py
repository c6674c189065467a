"""A yearly off season at months and quarters: a line sold only in its season (cherries
from December to February, lychee from May to July, crabs from September to November), the
same periods off every year.

Such a series looks intermittent (most of its periods are empty), and a model of intermittent
demand (TSB) spreads its seasons over the year at one flat rate: a new user's monthly fruit
SKUs were forecast at 289 cherries a month from December to July against 1,768 / 4,665 / 1,240
then none (trial 10). Here the off periods stay empty and the season repeats last year's
periods times the series' year-on-year growth: the seasonal naive method with growth
(Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2), as the
daily model forecasts a yearly off season along last year's path (``event_profile``).

What a yearly off season is has one home, ``models.yearly_season`` (``yearly_off``); this module
is the forecast of one at months and quarters (``FREQUENCIES``): ``season_growth``, a pure function on one
series' array, and ``OffSeasonPath``, which ``ets`` fits in place of TSB for such a series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.calendar import RetailCalendar
from workbench.data.validate import PERIOD_WORDS, SEASON_LENGTH
from workbench.forecast.conformal import wiener_factor
from workbench.errors import ModelError
from workbench.forecast.models.base import DEFAULT_QUANTILES, Capabilities, Forecaster, Prediction, censored_at_zero


# the frequencies whose yearly off season takes this path: weeks keep TSB (with the core's zeroed
# off season, ``yearly_season.zero_off_season``): a path of last year's weeks repeats last year's
# Spring Festival collapse week inside a winter fruit's season (trial 10's weekly file: oranges'
# week of 2027-02-01 2,689 against 95; SKU-week WAPE 53.8 -> 54.8%, where months went 31.0 -> 22.3%)
FREQUENCIES = ("MS", "QS")


def season_growth(y: np.ndarray, season: int) -> tuple[float, float, float]:
    """``(log growth, its variance, a period's noise variance)`` of a yearly on/off series ``y``
    (shape (n,), units per period): the mean year-on-year log ratio ``log(y[t] / y[t - season])``
    of the periods of its last two seasons that sold in both years, shrunk towards no growth
    by the mean's variance (``conformal.wiener_factor``: a growth the noise could make is not
    carried a year ahead). The noise variance is half the ratios' variance (a ratio holds two
    periods' noise), and the growth's is that over the pairs, the mean's. Log points (squared).
    Fewer than two pairs: no growth, and one pair's squared log ratio as the noise (none: 0)."""
    t = np.arange(max(season, len(y) - 2 * season), len(y))
    pairs = t[(y[t] > 0) & (y[t - season] > 0)]
    ratios = np.log(y[pairs] / y[pairs - season])
    if len(ratios) < 2:
        return 0.0, 0.0, float(ratios @ ratios) / 2
    noise = float(ratios.var(ddof=1))
    mean, mean_var = float(ratios.mean()), noise / len(ratios)
    return mean * wiener_factor(mean, mean_var), mean_var, noise / 2


class OffSeasonPath(Forecaster):
    """Last year's periods times the year-on-year growth, for a series with a yearly off
    season (``yearly_season.yearly_off``): period ``t`` ahead is the period a season before it
    (``SEASON_LENGTH``; two seasons before beyond a season ahead), times ``exp(g)`` with ``g``
    from ``season_growth``. A period that sold nothing a season before is forecast at zero,
    band included: the series' off season. Quantiles of the others: log-normal around the
    point, ``log1p`` scale, with the variance of a period's noise plus the growth's; ``fit``
    raises ``ModelError`` under a season and a period of history (no year to repeat).

    Not in the registry: ``ets`` fits it in place of TSB for such a series, with a note."""

    name = "ets"
    capabilities = Capabilities(min_history=2)

    def fit(self, y, ds, *, freq="MS", calendar: RetailCalendar | None = None):
        self._store_history(y, ds, freq, calendar)
        self.season_ = SEASON_LENGTH[freq]
        if len(self.y_) <= self.season_:
            raise ModelError(f"{self.name}: {len(self.y_)} {PERIOD_WORDS[freq]} of history, no year before to repeat")
        self.growth_, self.growth_var_, self.noise_ = season_growth(self.y_, self.season_)
        return self

    def predict(self, horizon, quantiles=DEFAULT_QUANTILES) -> Prediction:
        future = self._future_dates(horizon)
        n, season = len(self.y_), self.season_
        back = n + np.arange(horizon) - season * (1 + np.arange(horizon) // season)
        last_year = self.y_[back]
        mean = last_year * np.exp(self.growth_)
        sd = np.sqrt(self.noise_ + self.growth_var_)
        qs = {q: np.where(last_year > 0, censored_at_zero(np.expm1(np.log1p(mean) + norm.ppf(q) * sd)), 0.0)
              for q in quantiles}
        words = PERIOD_WORDS[self.freq_]
        notes = [f"{self.name}: a yearly off season (the same {words} without sales in two years): forecast along "
                 f"last year's {words} x{np.exp(self.growth_):.2f} (its year-on-year growth over its last two seasons, "
                 f"+-{np.sqrt(self.growth_var_):.2f} log), zero where it sold none a year before, not as intermittent "
                 f"demand at one rate"]
        return Prediction(pd.DatetimeIndex(future), mean, qs, notes, mean.copy())
