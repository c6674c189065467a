"""A yearly off season at months (``models.off_season`` and its route in ``ets``; weeks keep TSB):
fruit and crabs sold only in their season, the same periods empty every year (trial 10's
monthly file: every fruit went to TSB at one flat rate, and the guard replaced the crabs'
off season by their last months' mean)."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast
from workbench.forecast.models.ets import ETSModel
from workbench.forecast.models.off_season import OffSeasonPath, season_growth

SEASONS = {"cherries": (12, 1, 2), "lychee": (5, 6, 7), "crabs": (9, 10, 11), "oranges": (11, 12, 1, 2, 3)}


def _fruit(months: pd.DatetimeIndex, season: tuple[int, ...], rng, growth: float = 1.3, level: float = 800):
    """Units per month: ``level`` x the yearly ``growth`` in the months of ``season`` (Poisson,
    with 10% log noise), none in the others."""
    years = (months - months[0]).days / 365.25
    mean = level * growth ** years * np.exp(rng.normal(0, 0.1, len(months))) * np.isin(months.month, season)
    return rng.poisson(mean).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seasonal_fruit_months_are_zero_out_of_season_and_last_years_season_grown_in_it(seed):
    """Four fruits and crabs, 30 months to November 2026, then 8 months ahead: every month
    out of season is forecast at zero with a zero band, every month in season within 30% of
    its expected value (1.3 a year growth); the crabs, whose season ends at the cut-off, are not
    replaced by the guard. Before, each went to TSB at one flat rate a month (cherries' December
    to July at about a quarter of their season's months, out of season far above zero)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2024-06-01", "2027-07-01", freq="MS")
    history, ahead = months[:30], months[30:]
    frame = pd.concat([pd.DataFrame({"sku": name, "ds": history,
                                     "y": _fruit(months, season, rng)[:30]}) for name, season in SEASONS.items()])
    out = forecast(frame, horizon=8, model="auto", keys=["sku"], freq="MS", n_jobs=1)
    assert not out.attrs.get("failures"), out.attrs.get("failures")
    for name, season in SEASONS.items():
        got = out[out.sku == name].set_index("ds").reindex(ahead)
        on = np.isin(ahead.month, season)
        expected = 800 * 1.3 ** ((ahead - months[0]).days / 365.25) * np.exp(0.1 ** 2 / 2)
        assert (got.yhat[~on] == 0).all() and (got.yhat_q90[~on] == 0).all(), (name, got.yhat)
        ratio = got.yhat.to_numpy()[on] / expected[on]
        assert (np.abs(ratio - 1) < 0.3).all(), (name, ratio)
    assert not any("replaced by" in note for note in out.attrs["notes"]), out.attrs["notes"]
    assert sum("a yearly off season" in note for note in out.attrs["notes"]) == len(SEASONS)


def test_a_slow_seller_stays_intermittent_demand():
    """A slow seller (Poisson 0.3 a month, 36 months: its empty months fall anywhere) is
    intermittent demand, not an off season (``yearly_season.yearly_off``): ``ets`` does not send
    it to the off-season path on 20 seeds."""
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    for seed in range(20):
        y = np.random.default_rng(seed).poisson(0.3, len(months)).astype(float)
        y[0] = 1.0  # sold from the first month: the whole history is its regime
        model = ETSModel().fit(y, months, freq="MS")  # TSB, or stopped (a long run of zeros at the end)
        assert not isinstance(getattr(model, "intermittent_", None), OffSeasonPath), y


def test_the_growth_is_the_mean_of_the_last_two_seasons_and_weeks_keep_tsb():
    """The year-on-year growth is the mean over the last two seasons' pairs (``season_growth``):
    two years that disagree (x2, then x0.5) give none, a steady x1.5 gives it. A weekly cherry
    season keeps TSB (``FREQUENCIES``: last year's weeks would repeat last year's festival week)."""
    steady = np.tile([100.0, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0], 3)
    disagree = steady * np.repeat([1.0, 2.0, 1.0], 12)  # x2 then x0.5: no trend over the two years
    growing = steady * np.repeat([1.0, 1.5, 2.25], 12) * np.tile([1.0, 1.1, 0.9] + [1] * 9, 3)
    assert season_growth(steady, 12)[0] == 0 and abs(season_growth(disagree, 12)[0]) < 0.1
    assert abs(season_growth(growing, 12)[0] - np.log(1.5)) < 0.01
    rng = np.random.default_rng(4)
    weeks = pd.date_range("2023-11-27", "2026-10-05", freq="W-MON")
    y = rng.poisson(200 * np.isin(weeks.month, (12, 1, 2))).astype(float)
    assert type(ETSModel().fit(y, weeks, freq="W").intermittent_).__name__ == "TSB"
