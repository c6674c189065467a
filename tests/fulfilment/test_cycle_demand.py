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


REGION_SHARES = {"East": 0.32, "South": 0.16, "North": 0.13, "Central": 0.13, "Southwest": 0.12,
                 "Northeast": 0.07, "Northwest": 0.07}


def _pet_shop(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small shop in the seven regions (trial 12's scale): a coat that sells from October to
    February (x25 its summer of 4 a day, peaking in December), food and a toy all year, Poisson days, history
    to 2026-09-15 (one winter seen): ``(history [sku, region, ds, y], future [..., mu])``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-02-01", "2026-12-31")
    winter = 0.04 + np.clip(np.cos(2 * np.pi * (days.dayofyear.to_numpy() - 350) / 365), 0, None) ** 2
    means = {"COAT": 100 * winter, "FOOD": np.full(len(days), 60.0), "TOY": np.full(len(days), 25.0)}
    frame = pd.concat([pd.DataFrame({"sku": sku, "region": region, "ds": days, "mu": mean * share,
                                     "y": rng.poisson(mean * share).astype(float)})
                       for sku, mean in means.items() for region, share in REGION_SHARES.items()],
                      ignore_index=True)
    history = frame["ds"] <= "2026-09-15"
    return frame[history][["sku", "region", "ds", "y"]], frame[~history]


def test_a_winter_sku_of_a_small_shop_keeps_its_winter_in_every_region():
    """Trial 12: each SKU x region series of a small shop is a few units a day; forecast on its own,
    a coat's read its summer level in every region (AP01..AP05 双11 -68..-97%, the shop -19.5%). The
    cycle forecasts each SKU once and splits it over the regions by its shares: the coat keeps its
    winter (it read -93% here as SKU x region series), and each region its units."""
    from workbench.fulfilment.cycle import cycle_demand, next_window

    history, future = _pet_shop()
    window = next_window("double11", None, history["ds"].max())
    series, regions = cycle_demand(history, window, default_calendar(), n_jobs=1)
    inside = future[future["ds"].between(window.start, window.end)]
    fc = series.forecast[series.forecast["ds"].between(window.start, window.end)]
    coat = fc.loc[fc["sku"] == "COAT", "yhat"].sum()
    assert coat == pytest.approx(inside.loc[inside["sku"] == "COAT", "mu"].sum(), rel=0.25)
    expected = inside.groupby("region")["mu"].sum()
    got = regions.totals.set_index("region")["yhat"]
    assert (got / expected.reindex(got.index)).between(0.9, 1.1).all()
    assert national_totals(regions)["yhat"] == pytest.approx(got.sum(), rel=1e-9)
    assert any(note.startswith("regions: each SKU forecast once (sku)") for note in series.notes)


def test_a_stock_out_in_one_region_gives_up_that_regions_units_only():
    """A run declared for one SKU in one region (``unavailable`` naming ``region``): in the history it
    is read as that SKU x region's level before the SKU is summed (the region's share is no fall);
    after it, that region's split units are given up (``lost_sales``), the other regions keep theirs."""
    from workbench.fulfilment.cycle import cycle_demand, next_window

    history, _ = _pet_shop(1)
    window = next_window("double11", None, history["ds"].max())
    first = (window.start + pd.Timedelta(days=4)).date()
    spans = pd.DataFrame({"sku": ["FOOD", "FOOD"], "region": ["East", "South"],
                          "start": pd.to_datetime(["2026-08-01", str(window.start.date())]),
                          "end": pd.to_datetime(["2026-09-15", str(first)]), "line": [2, 3]})
    out = history["ds"].between("2026-08-01", "2026-09-15") & (history["sku"] == "FOOD") & (history["region"] == "East")
    history = history.assign(y=history["y"].where(~out, 0.0))  # East sold no food for its last 46 days
    series, regions = cycle_demand(history, window, default_calendar(), n_jobs=1, unavailable=spans)
    fc = series.forecast[series.forecast["ds"].between(window.start, window.end)]
    food = fc[fc["sku"] == "FOOD"].groupby("region")[["yhat", "lost_sales"]].sum()
    assert food.loc["East", "yhat"] / food["yhat"].sum() == pytest.approx(0.32 / (1 - 0.16 * 5 / 23), rel=0.15)
    assert food.loc["South", "lost_sales"] == pytest.approx(food.loc["South", "yhat"] * 5 / 18, rel=0.3)
    assert (food.drop(index="South")["lost_sales"] == 0).all()
    given = regions.totals.set_index("region")["lost_sales"]
    assert given["South"] == pytest.approx(food.loc["South", "lost_sales"]) and given.drop("South").sum() == 0


def test_a_sku_stopped_in_one_region_is_split_over_the_regions_it_still_sells_in():
    """Review 11.2 F5: the split read each SKU's units over the last 365 days, so nuts delisted in
    South 150 days before the cut-off kept 37% of their forecast there (South 217, East 371 at
    年货节 against a true 0 and ~560). A region where the SKU stopped (the core's stop rule on its
    SKU x region series) now gets 0 and a note; the SKU selling on in both regions keeps its split."""
    from workbench.fulfilment.cycle import cycle_demand, next_window

    rng = np.random.default_rng(0)
    days = pd.date_range("2024-06-01", "2026-11-30")
    parts = []
    for region in ("East", "South"):
        nuts = rng.poisson(20, len(days)).astype(float)
        if region == "South":
            nuts[days > days[-1] - pd.Timedelta(days=150)] = 0.0
        parts.append(pd.DataFrame({"sku": "NUTS", "region": region, "ds": days, "y": nuts}))
        parts.append(pd.DataFrame({"sku": "TEA", "region": region, "ds": days, "y": rng.poisson(10, len(days))}))
    history = pd.concat(parts, ignore_index=True).astype({"y": float})
    window = next_window("new_year_sale", None, history["ds"].max())
    series, _ = cycle_demand(history, window, default_calendar(), n_jobs=1)
    inside = series.forecast[series.forecast["ds"].between(window.start, window.end)]
    units = inside.groupby(["sku", "region"])["yhat"].sum()
    assert units[("NUTS", "South")] == pytest.approx(0.0, abs=1e-9)
    assert units[("NUTS", "East")] == pytest.approx(20 * 28, rel=0.15)
    assert units[("TEA", "East")] == pytest.approx(units[("TEA", "South")], rel=0.15)  # both still sell
    stopped = [n for n in series.notes if "stopped in this region" in n]
    assert len(stopped) == 1 and "sku=NUTS, region=South" in stopped[0] and "2026-07-03" in stopped[0]


def test_a_region_a_sku_entered_within_the_year_is_split_on_the_units_since():
    """Review 11.2 F5: the split's 365 days gave a region the nuts entered 60 days before the
    cut-off, at East's 20 a day, 14% of their forecast. The shares now read the units since the
    latest region's first sale: about half each, and the note says how many SKUs were read so."""
    from workbench.fulfilment.cycle import regional_note, regional_shares

    rng = np.random.default_rng(0)
    days = pd.date_range("2024-06-01", "2026-11-30")
    entered = days > days[-1] - pd.Timedelta(days=60)
    history = pd.concat([pd.DataFrame({"sku": "NUTS", "region": "East", "ds": days, "y": rng.poisson(20, len(days))}),
                         pd.DataFrame({"sku": "NUTS", "region": "South", "ds": days,
                                       "y": np.where(entered, rng.poisson(20, len(days)), 0)}),
                         *[pd.DataFrame({"sku": "TEA", "region": region, "ds": days, "y": rng.poisson(10, len(days))})
                           for region in ("East", "South")]], ignore_index=True).astype({"y": float})
    shares = regional_shares(history, days[-1]).set_index(["sku", "region"])["share"]
    assert shares[("NUTS", "South")] == pytest.approx(0.5, abs=0.05)
    assert shares[("TEA", "South")] == pytest.approx(0.5, abs=0.05)
    assert "or, for 1 SKUs that entered a region within them, since that region's first sale" in \
        regional_note(regional_shares(history, days[-1]), ["sku"])[0]


def test_a_stock_out_in_one_province_gives_up_its_share_of_the_region_only(tmp_path):
    """Review 11.2 F7: a planned 浙江 stock-out of NUTS (a file naming the province, read as East by
    ``read_cycle_unavailable``) zeroed NUTS in all of East, 560 units of a 20-a-day split over
    2027-01-02..01-29 booked as lost sales. It gives up Zhejiang's share of East: its share of East's
    sales where the sales name provinces (40% here), else its share of East's population; a run naming
    the region gives up all of it, and South keeps its units."""
    from workbench.fulfilment.cycle import _given_up_in_regions, read_cycle_unavailable
    from workbench.network.places import load_cities

    oos = tmp_path / "oos.csv"
    oos.write_text("sku,province,start,end\nNUTS,浙江,2027-01-02,2027-01-29\nTEA,East,2027-01-02,2027-01-29\n",
                   encoding="utf-8")
    spans, notes = read_cycle_unavailable(oos, "sku", "region", ["province"])
    assert spans[["sku", "region"]].values.tolist() == [["NUTS", "East"], ["TEA", "East"]]
    assert "gives up the province's share of its region's units" in notes[0]
    days = pd.date_range("2027-01-02", "2027-01-29")
    split = pd.DataFrame([{"sku": sku, "region": region, "ds": d, "yhat": 20.0, "yhat_q90": 30.0}
                          for sku in ("NUTS", "TEA") for region in ("East", "South") for d in days])
    places = [{"province": "Zhejiang", "region": "East", "share": 0.4, "units": 400.0},
              {"province": "Jiangsu", "region": "East", "share": 0.6, "units": 600.0},
              {"province": "Guangdong", "region": "South", "share": 1.0, "units": 900.0}]
    cities = load_cities()
    east = cities[cities["region"] == "East"]
    by_population = east.loc[east["province"] == "Zhejiang", "population"].sum() / east["population"].sum()
    for shares, zhejiang in ((places, 0.4), (None, by_population)):
        out, said = _given_up_in_regions(split, spans, "2026-12-31", shares)
        total = out.groupby(["sku", "region"])[["yhat", "yhat_q90", "lost_sales"]].sum()
        assert total.loc[("NUTS", "East")].tolist() == pytest.approx([560 * (1 - zhejiang), 840 * (1 - zhejiang),
                                                                     560 * zhejiang])
        assert total.loc[("TEA", "East")].tolist() == pytest.approx([0.0, 0.0, 560.0])
        assert total.xs("South", level="region")["yhat"].tolist() == [560.0, 560.0]
        assert total.xs("South", level="region")["lost_sales"].tolist() == [0.0, 0.0]
        assert said == [f"unavailable: Zhejiang's run(s) after the history give up {zhejiang:.0%} of East's units ("
                        + ("its share of the region's sales over the last 365 days)" if shares else
                           "the sales name no province: its share of the region's population)")]
