"""The clearance list and days of cover read on the coming year's demand, not a current rate
(trial 12 F15: a winter knit and a New Year gift box listed for 清仓 in September)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.inventory.clearance import clearance_list, moved_note, season_ahead_note, slow_movers
from workbench.inventory.replenishment import replenishment_plan

END = pd.Timestamp("2026-09-15")


def history(rate) -> pd.DataFrame:
    """Seeded Poisson daily sales 2025-02-01..END at ``rate(ds)`` units/day."""
    rng = np.random.default_rng(15)
    ds = pd.date_range("2025-02-01", END, freq="D")
    return pd.DataFrame({"ds": ds, "y": rng.poisson(rate(ds)).astype(float)})


def winter(ds):  # a knit: ~100 a day from October to February, ~4 a day the rest of the year
    return np.where(ds.month.isin([10, 11, 12, 1, 2]), 100.0, 4.0)


def gift_box(ds):  # a 年货 box: launched late December, 1,800 units in January, ~3 a day after
    return np.where(ds < "2025-12-22", 0.0, np.where((ds >= "2026-01-02") & (ds <= "2026-01-29"), 65.0, 3.0))


def steady(ds):
    return np.full(len(ds), 1.0)


def fading(ds):  # a line that lost four fifths of its demand in March: no season, a fall
    return np.where(ds < "2026-03-01", 5.0, 1.0)


def flat(sku: str, mean: float, days: int) -> pd.DataFrame:
    """A forecast held at a current rate from the day after END (the cycle's summer-level knit)."""
    return pd.DataFrame({"sku": sku, "ds": pd.date_range(END + pd.Timedelta(days=1), periods=days),
                         "yhat": mean, "yhat_q10": 0.5 * mean, "yhat_q50": mean, "yhat_q90": 1.5 * mean})


def panel(horizon: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sales = pd.concat([history(f).assign(sku=s) for s, f in
                       [("knit", winter), ("box", gift_box), ("stopped", steady), ("slow", steady),
                        ("fading", fading)]])
    sales.loc[(sales["sku"] == "stopped") & (sales["ds"] > "2026-08-10"), "y"] = 0.0
    fc = pd.concat([flat("knit", 4.84, horizon), flat("box", 3.21, horizon), flat("stopped", 0.0, horizon),
                    flat("slow", 1.0, horizon), flat("fading", 1.0, horizon)])
    stock = pd.DataFrame({"sku": ["knit", "box", "stopped", "slow", "fading"],
                          "on_hand": [767.0, 372.0, 600.0, 1000.0, 1000.0]})
    return sales, fc, stock


def test_a_season_past_the_horizon_is_demand_and_a_stopped_line_or_a_slow_mover_is_still_cleared():
    """The cycle's 双11 horizon (63 days) holds only the knit's summer rate: on that rate it turned
    2.3 times a year with 158 days of cover and 332 units to clear. Read past the horizon on its own
    last year, its winter uses the stock; the box's New Year does too. The stopped line (forecast 0),
    the steady slow mover and the line that lost four fifths of its demand are listed as before."""
    sales, fc, stock = panel(63)
    clear = clearance_list(fc, stock, keys=["sku"], min_turns=4, keep_days=90, history=sales)
    assert clear["sku"].tolist() == ["fading", "slow", "stopped"]  # most units first
    # keeps its busiest 90 days: past the horizon last year's Poisson(1) days at its noisy change since
    # (~1.25), whose busiest of ~275 windows reads ~3 sd above the mean: keeps 90..160, never fewer
    assert 1000 - 160 <= clear.set_index("sku").loc["slow", "clear_units"] <= 1000 - 90
    assert clear.set_index("sku").loc["stopped", "clear_units"] == 600
    turns = slow_movers(fc, stock, keys=["sku"], min_turns=100, history=sales).set_index("sku")["annual_turns"]
    assert turns["knit"] > 10 and turns["box"] > 5  # ~11,400 units a year against 767; ~2,300 against 372
    assert turns["slow"] == pytest.approx(365 / 1000, rel=0.25)  # past the horizon: x its 91 days' change, noisy
    assert clear.attrs["season_ahead"].empty


def test_a_forecast_flat_through_the_season_is_held_off_with_a_note():
    """A horizon through 618 that holds the knit and the box flat at their off-season rates covers
    their seasons: the forecast turns them slowly. Last year's same days, at each line's change
    since, sell their stock: held off the list, named with both figures. The line that lost four
    fifths of its demand is scaled down by that fall: listed; so are the stopped and the slow."""
    sales, fc, stock = panel(280)
    clear = clearance_list(fc, stock, keys=["sku"], min_turns=4, keep_days=90, history=sales)
    held = clear.attrs["season_ahead"].set_index("sku")
    assert sorted(held.index) == ["box", "knit"]
    assert held.loc["knit", "annual_turns"] < 4 < 10 < held.loc["knit", "last_year_turns"]
    assert held.loc["box", "annual_turns"] < 4 < held.loc["box", "last_year_turns"]
    assert sorted(clear["sku"]) == ["fading", "slow", "stopped"]
    assert clear.set_index("sku").loc["fading", "last_year_turns"] < 1
    note = season_ahead_note(clear.attrs["season_ahead"], ["sku"], 4)[0]
    assert "knit (767 on hand: 2.2 turns a year on its forecast" in note and "season is ahead" in note


def test_days_of_cover_are_read_on_the_forecast_ahead():
    """Stock of 200 against 10 a day for 10 days, then 100 a day (a season opening): it lasts 11
    days, not the 200 / 10 = 20 days of the lead time's rate."""
    fc = flat("a", 10.0, 60)
    fc.loc[fc.index[10:], ["yhat", "yhat_q50"]] = 100.0
    fc.loc[fc.index[10:], "yhat_q10"] = 50.0
    fc.loc[fc.index[10:], "yhat_q90"] = 150.0
    plan = replenishment_plan(fc, pd.DataFrame({"sku": ["a"], "lead_time_days": [5]}),
                              pd.DataFrame({"sku": ["a"], "on_hand": [200.0]}), keys=["sku"])
    assert plan["days_of_cover"].iloc[0] == pytest.approx(11.0)
    slow = slow_movers(fc, pd.DataFrame({"sku": ["a"], "on_hand": [200.0]}), keys=["sku"], min_turns=1e9)
    assert slow["days_of_cover"].iloc[0] == pytest.approx(11.0)


def test_a_surplus_another_warehouse_of_the_sku_needs_is_moved_not_cleared():
    """Trial 12's 618 cycle cleared 14 gift boxes at Hangzhou while ordering 70 for the proposed
    Guangzhou and Chengdu. A SKU's stock is judged on its demand at all its warehouses: here A holds
    400 against 1 a day, B none against 3 a day: 90 days keep 360 of the 400, 40 to clear (not 310);
    with 5 a day at B nothing is cleared, and the row is named as moved."""
    fc = pd.concat([flat("s", 1.0, 120).assign(warehouse="A"), flat("s", 3.0, 120).assign(warehouse="B")])
    stock = pd.DataFrame({"sku": ["s", "s"], "warehouse": ["A", "B"], "on_hand": [400.0, 0.0]})
    alone = clearance_list(fc, stock, keys=["sku", "warehouse"], min_turns=4, keep_days=90)
    assert alone["clear_units"].tolist() == [310]
    clear = clearance_list(fc, stock, keys=["sku", "warehouse"], min_turns=4, keep_days=90, pool=["sku"])
    assert clear["warehouse"].tolist() == ["A"] and clear["clear_units"].tolist() == [40]
    fc.loc[fc["warehouse"] == "B", "yhat"] = 5.0
    clear = clearance_list(fc, stock, keys=["sku", "warehouse"], min_turns=4, keep_days=90, pool=["sku"])
    assert clear.empty and clear.attrs["moved"]["warehouse"].tolist() == ["A"]
    note = moved_note(clear.attrs["moved"], ["sku", "warehouse"], ["sku"])[0]
    assert "s at A (400 on hand, 90 of its own demand to keep)" in note and "moved, not cleared" in note


def test_a_seasonal_line_off_season_keeps_what_its_next_season_needs():
    """Trial 13 F9: in December a summer mat (2 a day, ~60 a day from May to July) with 4,000 on hand
    turns ~1.6 a year: slow by turnover, but its next 90 days are its winter trickle, and clearing the
    stock beyond them (3,800 units) sells next summer's stock off. It keeps its busiest 90 days' demand;
    a flat line with the same stock is still cleared down to its 90 days."""
    start = pd.Timestamp("2026-12-01")
    ds = pd.date_range(start, periods=365, freq="D")
    mat = np.where(ds.month.isin([5, 6, 7]), 60.0, 2.0)
    fc = pd.concat([pd.DataFrame({"sku": "mat", "ds": ds, "yhat": mat}),
                    pd.DataFrame({"sku": "flat", "ds": ds, "yhat": np.full(365, mat.mean())})])
    stock = pd.DataFrame({"sku": ["mat", "flat"], "on_hand": [4000.0, 4000.0]})
    clear = clearance_list(fc, stock, keys=["sku"], min_turns=4, keep_days=90).set_index("sku")
    assert "mat" not in clear.index  # May-July: 92 days at 60, its busiest 90 days 5,400 > 4,000 on hand
    assert clear.loc["flat", "clear_units"] == pytest.approx(4000 - 90 * mat.mean(), abs=1)


def _review_panel():
    """Review 11.2 F1/F2: a New Year box (60 a day Jan 1..Feb 10, none else) and a line launched
    2026-07-01 at 10 a day, both with zero rows before; history to 2026-09-10, 62 days forecast."""
    end = pd.Timestamp("2026-09-10")
    ds = pd.date_range(end - pd.Timedelta(days=729), end)
    gift = np.where((ds.month == 1) | ((ds.month == 2) & (ds.day <= 10)), 60.0, 0.0)
    young = np.where(ds >= "2026-07-01", 10.0, 0.0)
    sales = pd.concat([pd.DataFrame({"sku": "gift", "ds": ds, "y": gift}),
                       pd.DataFrame({"sku": "young", "ds": ds, "y": young})])
    days = pd.date_range(end + pd.Timedelta(days=1), periods=62)
    fc = pd.concat([pd.DataFrame({"sku": "gift", "ds": days, "yhat": 0.0}),
                    pd.DataFrame({"sku": "young", "ds": days, "yhat": 10.0})])
    return sales, fc, pd.DataFrame({"sku": ["gift", "young"], "on_hand": [500.0, 800.0]})


def test_a_line_launched_within_the_year_is_read_at_its_rate_before_its_first_sale():
    """The zero rows before a launch are no demand a year on: 80 days of stock at 10 a day is no slow mover."""
    sales, fc, stock = _review_panel()
    turns = slow_movers(fc, stock, keys=["sku"], min_turns=100, history=sales).set_index("sku")
    assert turns.loc["young", "mean_daily"] == pytest.approx(10.0)
    assert "young" not in clearance_list(fc, stock, keys=["sku"], min_turns=4, history=sales)["sku"].tolist()


def test_a_yearly_off_season_forecast_at_zero_is_no_stopped_line():
    """The forecast holds the box at 0 over its off-season horizon, as last year's same days sold
    nothing: its season is ahead (it turns its 500 units ~5 times on last year's January), not a stop."""
    sales, fc, stock = _review_panel()
    clear = clearance_list(fc, stock, keys=["sku"], min_turns=4, history=sales)
    assert "gift" not in clear["sku"].tolist()
    # a line that sold 10 a day all along, forecast 0: last year's same days sold, so it is a stop
    stopped = fc.assign(yhat=np.where(fc["sku"] == "young", 0.0, fc["yhat"]))
    selling = sales.assign(y=np.where(sales["sku"] == "young", 10.0, sales["y"]))
    listed = clearance_list(stopped, stock, keys=["sku"], min_turns=4, history=selling)
    assert listed.set_index("sku").loc["young", "clear_units"] == 800


def test_an_off_seasons_few_units_measure_no_change_and_an_unchanged_knit_is_kept():
    """A winter knit (Poisson 20 a day November-February, 0.1 a day else, the same both years) in
    September, forecast at its 0.1 a day for 62 days, 500 on hand (it sells ~2,400 a winter). Its
    change since last year was read on its last 91 days, ~9 units a side: x0.43..x4.67 over 20 seeds,
    and scaled down by it, its own last year listed it on 4 of them, 159-235 units to clear (review
    11.2 F6). Read where the units measure it (its year here), the change is within 10% of 1 and the
    knit is listed on none."""
    from workbench.inventory.clearance import _change

    end = pd.Timestamp("2026-09-10")
    days = pd.date_range(end - pd.Timedelta(days=729), end)
    winter_days = days.month.isin([11, 12, 1, 2])
    fc = pd.DataFrame({"sku": "knit", "ds": pd.date_range(end + pd.Timedelta(days=1), periods=62), "yhat": 0.1})
    stock = pd.DataFrame({"sku": ["knit"], "on_hand": [500.0]})
    for seed in range(20):
        rng = np.random.default_rng(seed)
        sales = pd.DataFrame({"sku": "knit", "ds": days, "y": rng.poisson(np.where(winter_days, 20.0, 0.1))})
        assert _change(sales, ["sku"])["change"].iloc[0] == pytest.approx(1.0, abs=0.1), seed
        assert clearance_list(fc, stock, keys=["sku"], history=sales).empty, seed


def young_line_plan(end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The young sunscreen FS06's 70-day forecast at 2/3 a day from ``end`` and its 900 units in
    Hangzhou."""
    ahead = pd.date_range(end + pd.Timedelta(days=1), periods=70)
    forecast = pd.DataFrame({"sku": "FS06", "warehouse": "Hangzhou", "ds": ahead, "yhat": 2.0 / 3})
    return forecast, pd.DataFrame({"sku": ["FS06"], "warehouse": ["Hangzhou"], "on_hand": [900.0]})


def young_line_clearance(forecast: pd.DataFrame, stock: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The planning cycle's clearance list of one warehouse serving the East."""
    from workbench.fulfilment.cycle import cycle_clearance

    assignment = pd.DataFrame({"region": ["East"], "warehouse": ["Hangzhou"], "share": [1.0]})
    clearance, _ = cycle_clearance(forecast, stock, history, history, assignment, min_turns=4.0,
                                   keep_days=90.0, min_age_days=90.0)
    return clearance


def test_a_young_seasonal_line_takes_its_categorys_season_past_the_horizon():
    """Trial 14 F18: a sunscreen launched on 2026-07-10 has no last February-June; at a December
    cut-off its coming summer was read at its winter horizon's mean and its stock listed for 清仓.
    Given the categories, the days a year back before its launch are its category's established
    lines' sales times its level against theirs (here a sixth of theirs): it sells ~1,400 units over
    the year, 900 in its busiest 90 days, and its 900 units are kept; without them only its own July
    and August count and it is listed."""
    end = pd.Timestamp("2026-11-30")
    days = pd.date_range(end - pd.Timedelta(days=729), end)
    summer = np.where(days.month.isin([5, 6, 7, 8]), 30.0, 2.0)  # units a day of an established line
    rng = np.random.default_rng(14)
    young = np.where(days >= "2026-07-10", summer / 3, 0.0)
    history = pd.concat([pd.DataFrame({"sku": sku, "region": "East", "ds": days, "y": rng.poisson(rate).astype(float)})
                         for sku, rate in (("FS01", summer), ("FS02", summer), ("FS06", young),
                                           ("HAT", np.full(len(days), 1.0)))], ignore_index=True)
    history.attrs["categories"] = {"FS01": "防晒", "FS02": "防晒", "FS06": "防晒", "HAT": "帽子"}
    forecast, stock = young_line_plan(end)
    clearance = young_line_clearance(forecast, stock, history)
    assert clearance.empty
    sold = history.assign(warehouse="Hangzhou")[["sku", "warehouse", "ds", "y"]]
    turns = slow_movers(forecast, stock, keys=["sku", "warehouse"], min_turns=100, history=sold,
                        group=("sku", history.attrs["categories"])).set_index("sku")
    assert turns.loc["FS06", "mean_daily"] * 365 == pytest.approx(123 * 10 + 242 * 2 / 3, rel=0.15)
    history.attrs["categories"] = {}  # no category: the summer read at its winter rate, listed
    clearance = young_line_clearance(forecast, stock, history)
    assert clearance["sku"].tolist() == ["FS06"]


@pytest.mark.parametrize("shop", ["new category", "shop under a year old"])
def test_a_young_line_without_an_established_line_in_its_category_reads_its_own_year(shop):
    """Trial 17 F0: the planning cycle died (TypeError in the category season) for a young line
    whose category has no line older than a year: a shop opened within the year, or a new
    category in an older shop. Such a line has no category season: its year back before its
    launch is read as without categories, and its summer stock is listed as then."""
    end = pd.Timestamp("2026-11-30")
    opened = end - pd.Timedelta(days=729 if shop == "new category" else 300)
    days = pd.date_range(opened, end)
    summer = np.where(days.month.isin([5, 6, 7, 8]), 30.0, 2.0)
    rng = np.random.default_rng(17)
    young = np.where(days >= "2026-07-10", summer / 3, 0.0)
    history = pd.concat([pd.DataFrame({"sku": sku, "region": "East", "ds": days, "y": rng.poisson(rate).astype(float)})
                         for sku, rate in (("FS01", summer), ("FS06", young))], ignore_index=True)
    history.attrs["categories"] = {"FS01": "防晒", "FS06": "茶礼" if shop == "new category" else "防晒"}
    clearance = young_line_clearance(*young_line_plan(end), history)
    assert clearance["sku"].tolist() == ["FS06"]
