"""The warehouse's peak band: the window band of its own total, not a sum of its regions' P90s."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.forecast.planning import event_forecast
from workbench.fulfilment.cycle import warehouse_window_totals


def test_a_warehouse_band_is_its_own_totals_not_the_sum_of_its_regions():
    """Seeded: four regions with independent day noise and level drifts; warehouse A serves r1,
    r2 and half of r3, B the other half and r4. Each warehouse's P90 excess over its point
    total is its own total's (refits), narrower than the sum of its regions' excesses that
    summing their P90s gives, and the point total is what its regions send it."""
    rng = np.random.default_rng(3)
    ds = pd.date_range("2024-01-01", "2026-03-31")
    weekly = 1 + 0.15 * np.sin(2 * np.pi * ds.day_of_week / 7)
    frames = []
    for region, level in {"r1": 400.0, "r2": 250.0, "r3": 300.0, "r4": 150.0}.items():
        drift = np.exp(np.cumsum(rng.normal(0, 0.01, len(ds))))
        y = rng.poisson(level * weekly * drift * np.exp(rng.normal(0, 0.2, len(ds))))
        frames.append(pd.DataFrame({"region": region, "ds": ds, "y": y.astype(float)}))
    regions = pd.concat(frames, ignore_index=True)
    window = default_calendar().window("618", 2026)
    region_fc = event_forecast(regions, event="618", year=2026, quantiles=(0.1, 0.5, 0.9), keys=["region"], n_jobs=1)
    assignment = pd.DataFrame({"region": ["r1", "r2", "r3", "r3", "r4"], "warehouse": ["A", "A", "A", "B", "B"],
                               "share": [1.0, 1.0, 0.5, 0.5, 1.0]})
    totals = warehouse_window_totals(regions, region_fc.totals, assignment, window, n_jobs=1).set_index("warehouse")
    region_totals = region_fc.totals.set_index("region")
    shares = assignment.assign(yhat=assignment.region.map(region_totals.yhat),
                               excess=assignment.region.map(region_totals.yhat_q90 - region_totals.yhat))
    for warehouse, mine in shares.groupby("warehouse"):
        row = totals.loc[warehouse]
        assert row.yhat == pytest.approx((mine.share * mine.yhat).sum(), rel=1e-12)  # summed in another order
        assert row.window_band == "refits"
        assert row.yhat_q10 < row.yhat_q50 < row.yhat_q90 and row.yhat_q10 < row.yhat < row.yhat_q90
        summed_excess = float((mine.share * mine.excess).sum())  # what the sum of the regions' P90s gives
        assert row.yhat_q90 - row.yhat < 0.9 * summed_excess, (warehouse, row.yhat_q90 - row.yhat, summed_excess)
