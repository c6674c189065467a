"""A planner's own events (``--events``): a lunar gift-box season (中秋 / Mid-Autumn) is modelled
by the default daily model, not forecast as ordinary days."""

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import WEEKLY, poisson_skus
from workbench.calendar import RetailCalendar
from workbench.calendar.events import NewEventWarning
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets

MID_AUTUMN = {"events": {"mid_autumn": {"label": "中秋 / Mid-Autumn", "anchor": "lunar:08-15",
                                        "start": -14, "end": -1, "peaks": [-4]}}}
SKUS = 6


def gift_shop(calendar: RetailCalendar, end: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``SKUS`` gift-box series (levels 20-80 a day, Poisson around a log-normal day noise of sd
    0.2, growing 10% a year) whose sales rise to x3 on the 4th day before Mid-Autumn over the
    two weeks before it: the long frame ``[sku, ds, y]`` and the truth ``[sku, ds, mean]``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-01", end)
    off = event_offsets(days, calendar)["mid_autumn"]
    lift = np.zeros(len(days))
    window = ~np.isnan(off) & (off <= -1) & (off >= -14)
    lift[window] = np.log(3.0) * np.exp(-np.abs(off[window] + 4) / 4)
    shop = WEEKLY[days.dayofweek] + np.log(1.1) * (days - days[0]).days / 365 + lift
    return poisson_skus(days, shop, SKUS, (20, 80), "G", rng)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_lunar_gift_box_season_of_the_planners_calendar_is_forecast(seed):
    """Mid-Autumn 2027 (09-15) from the cut-off 2027-07-31, with three seasons seen (2024-09-17,
    2025-10-06: its window takes National Day's first days, 2026-09-25): the window's total
    within 12% of the truth with the planner's calendar; with the shipped one, which does not
    know the event, the window is forecast as ordinary days (about half the truth)."""
    with pytest.warns(NewEventWarning, match="national_day in .*2025"):
        calendar = RetailCalendar(MID_AUTUMN)
    panel, truth = gift_shop(calendar, "2027-09-20", seed)
    window = calendar.window("mid_autumn", 2027)
    cut = pd.Timestamp("2027-07-31")
    real = truth[(truth.ds >= window.start) & (truth.ds <= window.end)]["mean"].sum()
    ratios = {}
    for name, cal in (("own", calendar), ("shipped", RetailCalendar())):
        fc = forecast(panel[panel.ds <= cut], horizon=int((window.end - cut).days), keys=["sku"],
                      calendar=cal, n_jobs=1)
        ratios[name] = fc.loc[fc.ds >= window.start, "yhat"].sum() / real
    assert abs(ratios["own"] - 1) < 0.12, ratios
    assert ratios["shipped"] < 0.8, ratios

