"""A young monthly shop that has seen one Spring Festival, early (late January) or late: the
one-festival measure (``lunar.festival_neighbourhoods`` -> ``local_effect``) is taken in every
year, and next year's festival is split between January and February by its days (review R4:
with a festival before about February 4 the New Year sale starts in December, whose two months
before are Double 11's, so the measure had no quiet month on its left and gave none: 2022, 2023
and 2025 were forecast with last year's calendar months)."""

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import sample_periods
from workbench.forecast.core import forecast
from workbench.forecast.models.lunar import LOCAL_BASELINE, LOCAL_LIMIT, neighbourhood


@lru_cache(maxsize=4)
def _young_shop(opened: str, cut_off: str):
    """The embedded sample's generator (12 category-region series, the New Year sale and the
    collapse on their lunar dates) from a shop opened on ``opened`` to July of the year after
    ``cut_off``, by month; the forecast of the 8 months after ``cut_off`` (``auto``), its notes
    on the festival, and the forecast and true totals per month (columns yhat, y)."""
    panel = sample_periods(opened, f"{pd.Timestamp(cut_off).year + 1}-07-31")["MS"]
    panel = panel[panel.ds >= opened]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fc = forecast(panel[panel.ds < cut_off], horizon=8, model="auto", keys=["series"], freq="MS", n_jobs=1)
    notes = [str(w.message) for w in caught if "Spring Festival" in str(w.message)]
    return notes, fc.merge(panel, on=["series", "ds"]).groupby("ds")[["yhat", "y"]].sum()


@pytest.mark.parametrize("opened, cut_off, seen, ahead", [
    ("2021-09-01", "2022-11-30", "2022-02-01", "2023-01-22"),  # early seen, early ahead
    ("2022-09-01", "2023-11-30", "2023-01-22", "2024-02-10"),  # early seen, late ahead
    ("2024-09-01", "2025-11-30", "2025-01-29", "2026-02-17"),  # early seen, late ahead
])
def test_an_early_festival_seen_once_is_measured_and_moved_to_next_years_months(opened, cut_off, seen, ahead):
    """A shop opened in September, 15 months of history at the cut-off, one whole festival
    (``seen``) in it: every series measures its effects against the quiet months either side
    (September, past Double 11's October and November, and March-April), and next year's
    January and February (festival ``ahead``) are each within 18% of the truth, the 8 months'
    totals within 6% WAPE. Before, each said "not estimated (... without quiet periods on both
    sides ...)" and repeated last year's calendar months: January / February +29 / -24%,
    -32 / +37%, -13 / +6%; totals' WAPE 9.4, 10.9, 4.4% (one run each)."""
    notes, totals = _young_shop(opened, cut_off)
    assert notes and all("its own from one festival against the periods either side of it" in n for n in notes), notes
    error = totals.yhat / totals.y - 1
    year = pd.Timestamp(ahead).year
    assert (error.loc[[pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-02-01")]].abs() < 0.18).all(), error
    assert (totals.yhat - totals.y).abs().sum() / totals.y.sum() < 0.06, error


def test_a_side_without_a_quiet_month_within_reach_takes_the_nearest_within_the_limit():
    """Months September to April around an early festival touching December to February, with
    October and November Double 11's: the left side has no quiet month within
    ``LOCAL_BASELINE`` (2), so it takes September (3 back), the nearest within ``LOCAL_LIMIT``;
    the right side keeps its two within reach. A side whose nearest quiet period is beyond the
    limit gives None, and a side with one within reach does not look farther."""
    months = pd.date_range("2021-08-01", "2022-05-01", freq="MS")  # Aug .. May
    touched = np.isin(months.month, [12, 1, 2])
    excluded = np.isin(months.month, [10, 11, 5])
    rows, base = neighbourhood(touched, excluded, LOCAL_BASELINE["MS"], LOCAL_LIMIT["MS"])
    assert list(months[base].month) == [9, 3, 4] and list(months[rows].month) == [9, 12, 1, 2, 3, 4]
    assert neighbourhood(touched, excluded, LOCAL_BASELINE["MS"]) is None  # no limit: the reach alone
    beyond = excluded | np.isin(months.month, [8, 9])  # nothing quiet within 4 months to the left
    assert neighbourhood(touched, beyond, LOCAL_BASELINE["MS"], LOCAL_LIMIT["MS"]) is None
    late = np.isin(months.month, [1, 2, 3])  # a late festival: December is quiet and within reach
    rows, base = neighbourhood(late, excluded, LOCAL_BASELINE["MS"], LOCAL_LIMIT["MS"])
    assert list(months[base].month) == [12, 4]


def test_the_noise_of_a_one_festival_measure_leaves_the_sales_steps_out():
    """Two years of months (December 2024 - November 2026) of a shop whose 618 and Double 11
    months sell x1.65 and whose festival lifts its sale days by +35% and lowers its collapse
    days by 33% (log 0.3 / -0.4), month noise sd 0.05: measured on the 2026 festival against
    December and April, the effects' standard errors come from the steps between calm months
    (no sale, no festival: 5 of them) at about 0.13 log (their sample variance widened for its
    4 degrees of freedom, ``lunar.step_noise``; their MAD gave 0.08, half the noise as often as
    not), and the effects are significant in 17 of 20 seeds; with every step outside the span,
    the sales' steps made the noise about 0.23 and 5 of 20 were."""
    from workbench.calendar import default_calendar
    from workbench.forecast.models import lunar
    from workbench.forecast.models.ets import event_periods, sale_shares

    cal = default_calendar()
    ds = pd.date_range("2024-12-01", "2026-11-01", freq="MS")
    sale = event_periods(ds, "MS", cal)
    shares = sale_shares(ds, "MS", cal)[1]
    raw = lunar.lunar_regressors(ds, "MS", cal)
    calm = ~sale & ~(raw.sum(axis=1) > 0)
    hoods = lunar.festival_neighbourhoods(ds, "MS", cal, None, sale)[-1:]
    significant, se = 0, []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        z = (np.log(1000) + 0.01 * np.arange(len(ds)) + 0.5 * shares.sum(axis=1) + raw @ np.array([0.3, -0.4])
             + rng.normal(0, 0.05, len(ds)))
        beta, cov, _, chosen, _ = lunar.local_effect(z, raw, "MS", hoods, calm)
        significant += bool(chosen)
        se.append(np.sqrt(np.diag(cov)))
    assert significant >= 16 and np.mean(se) < 0.16, (significant, np.mean(se, axis=0))
