"""One forecast of the event window in the planning cycle (trial 8 F0: the network was sized on
69,808 units and the stock on 76,047 for one window, two forecasts in one report): the stock's
SKU x region series are split from the reconciled regions (``planning.middle_out``), so every
level reads one figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ParameterError
from workbench.forecast.planning import event_forecast, middle_out


def _panel() -> pd.DataFrame:
    """Two regions of three SKUs, 500 days: steady, weekly, and one launched 120 days before the end."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2025-06-01", periods=500)
    rows = []
    for region, scale in (("East", 1.0), ("South", 0.6)):
        for sku, level in (("A", 40.0), ("B", 12.0), ("C", 25.0)):
            mean = level * scale * (1 + 0.3 * (days.dayofweek >= 5))
            if sku == "C":
                mean = np.where(np.arange(500) < 380, 0.0, mean)
            rows.append(pd.DataFrame({"sku": sku, "region": region, "ds": days, "y": rng.poisson(mean).astype(float)}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def regions():
    frame = _panel()
    region = frame.groupby(["region", "ds"], as_index=False)["y"].sum()
    return frame, event_forecast(region, event="618", keys=["region"], quantiles=(0.1, 0.5, 0.9))


def test_the_skus_add_up_to_the_reconciled_regions_every_day_with_or_without_a_plan_subset(regions):
    frame, middle = regions
    every, notes = middle_out(frame, middle, ["sku", "region"])
    sums = every.groupby(["region", "ds"])[["yhat", "yhat_q50"]].sum()
    top = middle.forecast.set_index(["region", "ds"])[["yhat", "yhat_q50"]]
    assert np.allclose(sums.to_numpy(), top.reindex(sums.index).to_numpy(), rtol=1e-9)
    assert (every["yhat_q10"] <= every["yhat_q50"] + 1e-9).all() and (every["yhat_q50"] <= every["yhat_q90"] + 1e-9).all()
    window = every["ds"].between(middle.window.start, middle.window.end)
    total = float(middle.totals["yhat"].sum())
    assert every.loc[window, "yhat"].sum() == pytest.approx(total, rel=1e-9)
    assert f"they add up to the region forecast, {total:,.0f}" in notes[-1]
    # only SKU A planned: the others are one series per region, given their share and left out
    planned = frame["sku"] == "A"
    only_a, notes = middle_out(frame, middle, ["sku", "region"], planned=planned, other="(rest)")
    assert set(only_a["sku"]) == {"A"} and "(rest)" in notes[-1] and "the series wanted hold" in notes[-1]
    a_alone = every[every["sku"] == "A"]
    share = only_a.loc[only_a["ds"].between(middle.window.start, middle.window.end), "yhat"].sum() / total
    assert 0.3 < share < 0.8  # A is about half of the units; its share is its forecast's, not the regions' whole
    assert only_a["yhat"].sum() == pytest.approx(a_alone["yhat"].sum(), rel=0.15)
    # the split rule itself (review 7.2 #10): each day, A's part of its region is A's own forecast's
    # share of A + '(rest)', the series middle_out forecasts (any other split fails here)
    from workbench.forecast.core import forecast
    from workbench.forecast.request import ForecastRequest

    train = frame[frame["ds"] <= middle.cutoff]
    rest = train[train["sku"] != "A"].groupby(["region", "ds"], as_index=False)["y"].sum().assign(sku="(rest)")
    own = forecast(pd.concat([train[train["sku"] == "A"], rest[["sku", "region", "ds", "y"]]], ignore_index=True),
                   ForecastRequest(horizon=middle.forecast["ds"].nunique(), model="auto", freq=middle.freq,
                                   quantiles=(0.1, 0.5, 0.9)), keys=["sku", "region"], with_baseline=True)
    own = own.pivot_table(index=["region", "ds"], columns="sku", values="yhat")
    expected = middle.forecast.set_index(["region", "ds"])["yhat"] * own["A"] / (own["A"] + own["(rest)"])
    got = only_a.set_index(["region", "ds"])["yhat"]
    assert np.allclose(got.to_numpy(), expected.reindex(got.index).to_numpy(), rtol=1e-9, atol=1e-9)


def test_a_failed_series_units_go_to_none_of_its_siblings(regions):
    """Review 7.2 #1: a series whose forecast fails (here a repeated date, a real data fault the
    core reports per series) had its region's units shared by its siblings (A East 1,532 -> 1,840):
    its region is not split, the others keep their own forecasts, the note says so."""
    frame, middle = regions
    window = slice(middle.window.start, middle.window.end)

    def totals(out):
        return out.set_index("ds").sort_index().loc[window].groupby(["sku", "region"])["yhat"].sum()

    every = totals(middle_out(frame, middle, ["sku", "region"])[0])
    repeated = frame[(frame["sku"] == "B") & (frame["region"] == "East")].iloc[[10]]
    bad = pd.concat([frame, repeated]).sort_values(["sku", "region", "ds"], kind="stable")
    out, notes = middle_out(bad, middle, ["sku", "region"])
    failed = totals(out)
    assert [f.key for f in out.attrs["failures"]] == [{"sku": "B", "region": "East"}] and ("B", "East") not in failed
    for sku in ("A", "C"):  # East's siblings take none of B's units: at most their split share without B
        assert failed[(sku, "East")] <= every[(sku, "East")] * 1.01
    assert failed[("A", "South")] == pytest.approx(every[("A", "South")], rel=0.02)  # South still split
    assert "East not split (its other series as forecast, none given the failed series' units)" in notes[-1]


def test_a_label_a_series_holds_or_keys_without_the_middle_level_are_refused(regions):
    frame, middle = regions
    with pytest.raises(ParameterError, match="other: 'A' is a value of"):
        middle_out(frame, middle, ["sku", "region"], planned=frame["sku"] == "B", other="A")
    with pytest.raises(ParameterError, match="must hold the middle level's keys"):
        middle_out(frame.rename(columns={"region": "area"}), middle, ["sku", "area"])


def test_an_equal_split_on_days_a_keys_series_all_forecast_zero_is_said(regions):
    """Review 7.3 #3: on a day when every series of a region forecasts 0 and the region more, the
    region's units are shared equally among them (a guess), and middle_out threw away the days
    reconcile recorded, its note saying every series was split in proportion to its forecast.
    Here South's SKUs all stopped 120 days before the end while the region's forecast (of the
    history before) carries on: the note names South and its days."""
    frame, middle = regions
    stopped = frame.copy()
    stopped.loc[(stopped["region"] == "South") & (stopped["ds"] >= stopped["ds"].max() - pd.Timedelta(days=120)), "y"] = 0.0
    out, notes = middle_out(stopped, middle, ["sku", "region"])
    south = out[out["region"] == "South"].groupby("ds")["yhat"].agg(["min", "max"])
    assert (south["max"] - south["min"] < 1e-9).all() and (south["max"] > 0).all()  # the equal split
    days = middle.forecast["ds"].nunique()
    assert (f"shared equally among them, a guess, not their forecasts (South: {days} day(s) from "
            f"{middle.forecast['ds'].min().date()})") in notes[-1]
    assert "a guess" not in middle_out(frame, middle, ["sku", "region"])[1][-1]


def test_bad_input_to_middle_out_is_a_parameter_error_naming_it(regions):
    """Review 7.3 #11: a planned mask of the wrong length raised numpy's IndexError, a middle
    without quantile columns "quantiles must lie strictly between 0 and 1; got []"."""
    import dataclasses

    frame, middle = regions
    with pytest.raises(ParameterError, match=r"planned: one true/false flag per row of frame \(3000 rows\)"):
        middle_out(frame, middle, ["sku", "region"], planned=(frame["sku"] == "A").to_numpy()[:-5])
    with pytest.raises(ParameterError, match="planned: one true/false flag"):
        middle_out(frame, middle, ["sku", "region"], planned=frame["sku"])
    bare = dataclasses.replace(middle, forecast=middle.forecast[["region", "ds", "yhat"]])
    with pytest.raises(ParameterError, match="middle: its forecast has no quantile columns"):
        middle_out(frame, bare, ["sku", "region"])
    with pytest.raises(ParameterError, match=r"frame: no column \['y'\]"):
        middle_out(frame.rename(columns={"y": "units"}), middle, ["sku", "region"])
