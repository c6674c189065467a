"""The planning cycle's one forecast of the window: SKU x region series, the regions their sums
(``cycle.cycle_demand``; ``planning.level_forecast``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import default_calendar
from workbench.forecast.planning import national_totals


def _produce(seed: int = 0) -> pd.DataFrame:
    """Two regions; a steady SKU (20 a day) and grapes sold only July-October (40 a day) every
    year, to a cut-off on 2026-11-30: ``[sku, region, ds, y]``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-06-01", "2026-11-30")
    season = days.month.isin([7, 8, 9, 10])
    parts = []
    for region in ("East", "South"):
        parts.append(pd.DataFrame({"sku": "NUTS", "region": region, "ds": days, "y": rng.poisson(20, len(days))}))
        grapes = np.where(season, rng.poisson(40, len(days)), 0)
        first = int(np.argmax(season))
        parts.append(pd.DataFrame({"sku": "GRAPE", "region": region, "ds": days[first:], "y": grapes[first:]}))
    return pd.concat(parts, ignore_index=True).astype({"y": float})


def test_the_regions_are_the_sums_of_the_sku_series_and_carry_their_off_seasons():
    """Trial 10: the cycle forecast each region's sum as one series, in which grapes out of season
    are part of one smooth shape, and read the shop's 年货节 far higher than its SKUs did. The
    regions are now the sums of the SKU x region forecasts: the grapes' off season (the core's
    yearly rule, per series) reaches them, and the national figure is the regions' sum."""
    from workbench.fulfilment.cycle import cycle_demand
    from workbench.fulfilment.cycle import next_window

    history = _produce()
    window = next_window("new_year_sale", None, history["ds"].max())
    series, regions = cycle_demand(history, window, default_calendar(), n_jobs=1)
    assert regions.keys == ["region"] and set(regions.totals["region"]) == {"East", "South"}
    inside = series.forecast[series.forecast["ds"].between(window.start, window.end)]
    grapes = inside[inside["sku"] == "GRAPE"]
    assert grapes["yhat"].abs().sum() == pytest.approx(0.0, abs=1e-6)  # off season, per series
    by_region = inside.groupby("region")[["yhat", "yhat_q50"]].sum()
    totals = regions.totals.set_index("region")
    assert totals["yhat"].to_numpy() == pytest.approx(by_region.loc[totals.index, "yhat"].to_numpy(), rel=1e-9)
    # the steady SKU's 28 days at 20 a day, in each region: nothing of the grapes' summer
    assert totals["yhat"].to_numpy() == pytest.approx([20 * 28] * 2, rel=0.15)
    assert national_totals(regions)["yhat"] == pytest.approx(totals["yhat"].sum(), rel=1e-9)
    assert (totals["yhat_q10"] < totals["yhat"]).all() and (totals["yhat"] < totals["yhat_q90"]).all()


def test_a_level_that_tells_the_series_apart_is_the_series_themselves():
    """One SKU sold in two regions: the regions are the series, with their own bands; a key that is
    no key of the series is refused by name."""
    from workbench.errors import ParameterError
    from workbench.forecast.planning import event_forecast, level_forecast

    history = _produce()
    history = history[history["sku"] == "NUTS"]
    result = event_forecast(history, event="new_year_sale", keys=["sku", "region"], n_jobs=1,
                            quantiles=(0.1, 0.5, 0.9))
    regions = level_forecast(result, "region")
    assert regions.totals["yhat"].to_numpy() == pytest.approx(result.totals["yhat"].to_numpy(), rel=1e-9)
    assert regions.totals["yhat_q90"].to_numpy() == pytest.approx(result.totals["yhat_q90"].to_numpy(), rel=1e-9)
    with pytest.raises(ParameterError, match="level: 'category' is not one of the series' keys"):
        level_forecast(result, "category")
