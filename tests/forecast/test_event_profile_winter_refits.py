"""A winter line seen through one winter (trial 12 F1): pet coats sell ~30 times more in December
than in summer; the history starts in one winter's tail (February) and is cut in September. The
fall at the tail's end is read as a level shift, so the refits from the first months of the
current regime hold their winter level along the pooled path and miss the fall by up to x50,
while the forecast lays its path over last winter's. Those refits' errors must not calibrate
the forecast (``EventProfile._same_path_refits``): they had put the coats' 双11 P90 at ~38 times
the mean, and the guard had replaced forecasts within 5% of the truth by a flat summer level."""

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore")

from workbench.forecast.core import forecast

START, CUT, END = pd.Timestamp("2025-02-02"), pd.Timestamp("2026-09-15"), pd.Timestamp("2026-11-11")
WINDOW = (pd.Timestamp("2026-10-20"), END)


def coats(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five coats (category 服饰) at 8-30 units a day on average: a winter season
    ``clip(cos(2 pi (doy - 350) / 365), 0)^1.5 + 0.03`` (peak mid-December, x34 over summer),
    +30% a year, weekends x1.1, 双11 x1.4 (x2 on 11-01 and 11-11), three live days a month x2-3;
    gamma-Poisson day noise. The history to ``CUT``, the truth's mean to ``END``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, END)
    doy = days.day_of_year.to_numpy()
    winter = np.clip(np.cos(2 * np.pi * (doy - 350) / 365.0), 0, None) ** 1.5 + 0.03
    shape = winter / winter.mean() * 1.3 ** ((days - START).days.to_numpy() / 365.0)
    shape *= np.where(days.day_of_week >= 5, 1.1, 1.0)
    for year in (2025, 2026):
        off = (days - pd.Timestamp(f"{year}-11-11")).days.to_numpy()
        shape *= np.where((off >= -22) & (off <= 0), np.where(np.isin(off, (-10, 0)), 2.0, 1.4), 1.0)
    for month in pd.period_range(days[0], days[-1], freq="M"):
        inside = np.flatnonzero(days.to_period("M") == month)
        shape[rng.choice(inside, 3, replace=False)] *= rng.uniform(2, 3, 3)
    frames, truths = [], []
    for i in range(5):
        mean = rng.uniform(8, 30) * shape
        y = rng.poisson(mean * rng.gamma(30.0, 1 / 30.0, len(days))).astype(float)
        frames.append(pd.DataFrame({"category": "服饰", "sku": f"AP{i}", "ds": days, "y": y}))
        truths.append(pd.DataFrame({"sku": f"AP{i}", "ds": days, "mean": mean}))
    panel = pd.concat(frames, ignore_index=True)
    return panel[panel.ds <= CUT], pd.concat(truths, ignore_index=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_winter_line_keeps_its_forecast_and_band(seed):
    history, truth = coats(seed)
    fc = forecast(history, keys=["category", "sku"], horizon=(END - CUT).days, model="auto")
    assert fc.attrs["replaced"] == [], fc.attrs["replaced"]
    inside = (fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])
    got = fc[inside].groupby("sku").yhat.sum()
    want = truth[(truth.ds >= WINDOW[0]) & (truth.ds <= WINDOW[1])].groupby("sku")["mean"].sum()
    assert abs(got.sum() / want.sum() - 1) < 0.2, (got, want)
    # the days' P90 stay within a few times the mean: no band of refits that missed the season
    q90 = fc[inside].groupby("sku").yhat_q90.sum()
    assert (q90 / got).max() < 4, q90 / got
