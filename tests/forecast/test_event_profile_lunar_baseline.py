"""A winter duvet seen through one winter (trial 13 F1): its season runs to Spring Festival, when
it collapses (2026-02-17; 2027-02-06, 11 days earlier). Last year's 年货节 + 春节 span
(2026-01-13..03-05) has its baseline interpolated across it, falling from January's level to the
spring low, and the 年货节 uplift at each offset is read against that falling line. The forecast
read next year's baseline on the day a year back, 11 days further down the line than the offset
its uplift was read at: the uplift read on a low stretch laid on a higher one put the 2027
年货节 window at about twice its truth. A day of a moving event's span reads last year's
baseline at its own offset (``EventProfile._aligned_refs``).

The line itself was the season's shape put in the uplift: falling from the span's first day, it
sat at 40% of the duvet's winter level over the 年货节, and the sale (x1.15) was read as x2.8.
A report's split (the baseline and the event's uplift) said so, and a profile pooled with another
series' or averaged with another year's carried the season's fall. Across a moving festival's
span the baseline holds the season until the days show it moving (``_season_moves``)."""

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore")

from workbench.forecast.core import forecast

START, CUT, END = pd.Timestamp("2025-07-01"), pd.Timestamp("2026-11-30"), pd.Timestamp("2027-01-29")
WINDOW = (pd.Timestamp("2027-01-02"), END)
FESTIVAL = {2026: pd.Timestamp("2026-02-17"), 2027: pd.Timestamp("2027-02-06")}


def duvet(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """One duvet at ~300 units a day in its winter (a rise from October, the level held to a week
    before Spring Festival, then x0.12 and fading to the summer's few units), 年货节 x1.15, weekends
    x1.1, gamma-Poisson day noise. The history to ``CUT``, the truth's mean."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, END)
    d = days.to_numpy()
    rise = 1 / (1 + np.exp(-(days - pd.Timestamp("2025-10-25")).days.to_numpy() / 8.0))
    rise2 = 1 / (1 + np.exp(-(days - pd.Timestamp("2026-10-25")).days.to_numpy() / 8.0))
    season = np.where(days < pd.Timestamp("2026-06-01"), rise, rise2)
    for year, sf in FESTIVAL.items():
        after = (days - (sf - pd.Timedelta(days=7))).days.to_numpy()
        fall = np.where(after >= 0, 0.12 * np.exp(-np.clip(after, 0, None) / 40.0), 1.0)
        span = (days > sf - pd.Timedelta(days=120)) & (days < sf + pd.Timedelta(days=200))
        season = np.where(span, season * fall, season)
    mean = 300 * np.maximum(season, 0.01) * np.where(days.day_of_week >= 5, 1.1, 1.0)
    for first, last in (("2026-01-13", "2026-02-09"), ("2027-01-02", "2027-01-29")):
        mean = mean * np.where((d >= np.datetime64(first)) & (d <= np.datetime64(last)), 1.15, 1.0)
    y = rng.poisson(mean * rng.gamma(30.0, 1 / 30.0, len(days))).astype(float)
    frame = pd.DataFrame({"sku": "DB01", "ds": days, "y": y})
    return frame[frame.ds <= CUT], pd.Series(mean, index=days)


@pytest.mark.parametrize("seed", [0, 1])
def test_moving_festival_reads_last_years_baseline_at_its_offsets(seed):
    history, truth = duvet(seed)
    fc = forecast(history, keys=["sku"], horizon=(END - CUT).days, model="auto")
    got = fc[(fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])].yhat.sum()
    want = truth[WINDOW[0]:WINDOW[1]].sum()
    assert abs(got / want - 1) < 0.3, (got, want)


@pytest.mark.parametrize("seed", [0, 1])
def test_moving_festival_uplift_is_the_sales_not_the_seasons(seed):
    """Over the 2027 年货节 window the baseline is the duvet's winter (its mean without the sale,
    within 20%), and the uplift on it is the sale's x1.15 (between x1.0 and x1.45; main: the
    baseline 55-59% low and the uplift x2.7-x3.0, seeds 0-3)."""
    history, truth = duvet(seed)
    fc = forecast(history, keys=["sku"], horizon=(END - CUT).days, model="auto", with_baseline=True)
    window = fc[(fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])]
    baseline = truth[WINDOW[0]:WINDOW[1]].sum() / 1.15
    assert abs(window.yhat_baseline.sum() / baseline - 1) < 0.2, (window.yhat_baseline.sum(), baseline)
    assert 1.0 < window.yhat.sum() / window.yhat_baseline.sum() < 1.45, window.yhat.sum() / window.yhat_baseline.sum()
