"""Window bands of young series carry their level's error, not only the count noise (issue 13,
trial 17 F8): a young snack and tea shop's launches had 28-day window bands of +-11-13% (the
count rule's rate sampling error, or independent days) while their level, ramp and borrowed
lifts are estimated; the count bands held 3 of 9 windows. The spread between the panel's
launches of how their level moved over the same ages (``LaunchCurve.level_spread``) is added."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.data.validate import prepare_long_frame
from workbench.forecast import planning
from workbench.calendar.years import YEAR_BACK
from workbench.forecast.models.launch import launch_curve
from workbench.forecast.window_band import window_band

_spec = importlib.util.spec_from_file_location("young_shops", Path(__file__).parents[2] / "benchmarks" / "young_shops.py")
young_shops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(young_shops)

KEYS = ["category", "region", "sku"]
WINDOWS = (("618", 2026), ("double11", 2026), ("new_year_sale", None), ("618", 2027))


def _young_totals(seed: int) -> pd.DataFrame:
    """The snack shop's (``young_shops.shop("snack")``) series window totals with their bands and
    age at the cut-off (days since the first sale), over ``WINDOWS`` (backtests 90 days ahead;
    the live ones scored on the generator's truth)."""
    history, future = young_shops.shop("snack", seed)
    frame, _ = prepare_long_frame(history, date_col="ds", target_col="y", keys=KEYS)
    rows = []
    for event, year in WINDOWS:
        result = planning.event_forecast(frame, event=event, year=year, lead=90, keys=KEYS, n_jobs=1)
        start, end = result.window.start, result.window.end
        actual = (pd.concat([frame, future[[*KEYS, "ds", "y"]]])
                  .query("@start <= ds <= @end").groupby(KEYS)["y"].sum())
        sold = frame[(frame.ds <= result.cutoff) & (frame.y > 0)].groupby(KEYS)["ds"].min()
        totals = result.totals.set_index(KEYS)
        rows.append(pd.DataFrame({"window": f"{event} {result.window.year}", "yhat": totals["yhat"],
                                  "lo": totals["yhat_q10"], "hi": totals["yhat_q90"], "rule": totals["window_band"],
                                  "actual": actual.reindex(totals.index).fillna(0.0),
                                  "age": (result.cutoff - sold.reindex(totals.index)).dt.days}))
    return pd.concat(rows).reset_index()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_young_shops_window_bands_hold_the_truth_80_percent_of_the_time(seed):
    totals = _young_totals(seed)
    young = totals[(totals.age < 365) & (totals.yhat > 0)]
    inside = (young.actual >= young.lo) & (young.actual <= young.hi)
    assert len(young) >= 30
    assert 0.72 <= inside.mean() <= 0.88, young.assign(inside=inside).round(1).to_string()


def test_a_launchs_level_spread_is_the_spread_of_the_panels_launches_over_those_ages():
    levels = [np.array([0.0, 0.5, 0.7, 0.8, 0.8]), np.array([0.0, 0.3, 0.6, 0.5]),
              np.array([0.0, 0.9, 1.0, 1.3, 1.2, 1.1])]
    curve = launch_curve(levels, "D", "2024-01-01")
    # from bin 1 (ages 28-55) to bin 3 (84-111): the three launches moved +0.3, +0.2, +0.4
    assert curve.level_spread(28, 84) == pytest.approx(np.std([0.3, 0.2, 0.4], ddof=1))
    # over the whole span, not bin by bin: these ramps' changes offset, their summed variances do not
    steps = np.var([0.2, 0.3, 0.1], ddof=1) + np.var([0.1, -0.1, 0.3], ddof=1)
    assert curve.level_spread(28, 84) < np.sqrt(steps)
    # past the launches seen (one launch at bin 5) the farthest spread measured grows as a random walk's
    # (bins 0 -> 4, two launches: +0.8, +1.2; 112 days stretched to 168)
    assert curve.level_spread(0, 168) == pytest.approx(np.std([0.8, 1.2], ddof=1) * np.sqrt(168 / 112))
    assert curve.level_spread(28, 364) == curve.level_spread(28, 900)  # held at a year
    assert curve.level_spread(YEAR_BACK["D"], 500) == 0.0  # a year old: its own refits measure it
    assert launch_curve(levels[:1], "D", "2024-01-01").level_spread(30, 200) == 0.0  # one launch: no spread


def test_the_young_spread_widens_the_count_and_independent_days_bands_not_the_measured_ones():
    rng = np.random.default_rng(3)
    point = np.full(28, 6.0)
    days = {q: np.full(28, v) for q, v in ((0.1, 3.0), (0.5, 6.0), (0.9, 9.0))}
    young = rng.poisson(6.0, 100).astype(float)  # too short for its own past window sums
    count, rule = window_band(point, days, 60, (0.1, 0.5, 0.9), history=young)
    wide, _ = window_band(point, days, 60, (0.1, 0.5, 0.9), history=young, young_spread=0.3)
    assert rule == "count" and wide[0.1] < count[0.1] and wide[0.9] > count[0.9]
    assert np.log(wide[0.9] / wide[0.1]) > np.log(count[0.9] / count[0.1]) + 0.3  # P10-P90 of a 0.3 log sd: 0.77
    big = np.full(28, 60.0)
    alone, rule = window_band(big, {q: v * 10 for q, v in days.items()}, 60, (0.1, 0.9))
    wide, _ = window_band(big, {q: v * 10 for q, v in days.items()}, 60, (0.1, 0.9), young_spread=0.3)
    assert rule == "independent days" and wide[0.9] > alone[0.9] and wide[0.1] < alone[0.1]
    # a count whose ratio its own past window sums measured holds its level's moves already
    old = rng.poisson(6.0, 400).astype(float)
    measured, rule = window_band(point, days, 60, (0.1, 0.9), history=old)
    assert rule == "count" and window_band(point, days, 60, (0.1, 0.9), history=old, young_spread=0.3)[0] == measured
