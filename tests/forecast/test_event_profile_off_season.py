"""A product sold only in its months (trial 10's oranges, November to March) is no intermittent
series in its off months: its off months a year before were as empty and a season came between
(``EventProfile._off_season``), so it is forecast along last year's path, its season back."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast

SEASON = (11, 12, 1, 2, 3)  # months on sale


def oranges(seed: int, end: str) -> tuple[pd.DataFrame, pd.Series]:
    """Daily units from its first season's first day, 2024-11-01, to ``end`` of a product on sale in
    ``SEASON`` only, about 60 a day then (Poisson around a log-normal day noise of sd 0.2), none
    otherwise: the frame and the mean."""
    days = pd.date_range("2024-11-01", end)
    mean = np.where(days.month.isin(SEASON), 60.0, 0.0)
    rng = np.random.default_rng(seed)
    y = rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days))).astype(float)
    return pd.DataFrame({"sku": "orange", "ds": days, "y": y}), pd.Series(mean, days)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_product_in_its_off_months_comes_back_with_its_season(seed):
    """From 2026-11-29 (its last 91 days mostly empty, as a year before; two seasons seen, trial
    10's cut-off) the season to March 2027 was forecast at an intermittent series' recent level,
    about half of it (824-915 a month against 1,680-1,860), and April on at the same level against
    none; now within 20% of its mean (about -10%), April near zero, and a note says why."""
    frame, mean = oranges(seed, "2027-04-30")
    cut = pd.Timestamp("2026-11-29")
    fc = forecast(frame[frame.ds <= cut], horizon=153, keys=["sku"], n_jobs=1).set_index("ds")
    season = (fc.index >= "2026-12-01") & (fc.index <= "2027-03-24")  # past the season's edges
    assert abs(fc.loc[season, "yhat"].sum() / mean[fc.index[season]].sum() - 1) < 0.20
    assert fc.loc["2027-04-08":"2027-04-28", "yhat"].mean() < 3
    assert any("yearly off season" in str(n) for n in fc.attrs["notes"]), fc.attrs["notes"]
