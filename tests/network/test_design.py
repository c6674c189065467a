"""Two-tier network design on a three-city line: hand-checked costs, promise and capacity answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataValidationError, ParameterError
from workbench.network.design import optimize_network
from workbench.network.params import NetworkParams
from workbench.network.geo import great_circle_km
from workbench.network.plans import compare_plans, evaluate_plan, hours_distribution

LON = {"A": 110.0, "B": 111.0, "C": 120.0}
UNITS = {"A": 100.0, "B": 100.0, "C": 50.0}


def road(a, b, factor=1.25):
    return great_circle_km(30.0, LON[a], 30.0, LON[b]) * factor


def demand(hot=0.4):
    return pd.DataFrame({"city": list(LON), "lat": 30.0, "lon": list(LON.values()),
                         "demand": list(UNITS.values()), "hot_share": hot})


def sites(names, fixed=1000.0, capacity=np.nan):
    return pd.DataFrame({"site": names, "lat": 30.0, "lon": [LON[n] for n in names],
                         "fixed_cost": fixed, "capacity": capacity})


NO_FRONTS = pd.DataFrame(columns=["site", "lat", "lon", "fixed_cost"])


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_one_central_at_the_heavy_end(solver):
    params = NetworkParams(max_centrals=1, max_fronts=0)
    result = optimize_network(demand(), sites(["A", "C"]), NO_FRONTS, params, solver=solver)
    assert result.status == "optimal" and result.open_centrals == ["A"]
    transport = 0.004 * (100 * road("A", "B") + 50 * road("A", "C"))
    assert result.costs["delivery"] == pytest.approx(transport, rel=1e-6)
    assert result.objective == pytest.approx(1000 + 250 * 1.0 + transport, rel=1e-6)
    # C is 963 km away: 12 h handling + 1204 road km / 50 km/h + 1.25 h last mile = 37.3 h
    c_hours = result.cities.set_index("city").loc["C", "worst_hours"]
    assert c_hours == pytest.approx(12 + road("A", "C") / 50 + 1.25)
    assert result.coverage["within_24h"] == pytest.approx(200 / 250)


def test_front_serves_the_far_city_hot_share():
    params = NetworkParams(max_centrals=1, max_fronts=1)
    result = optimize_network(demand(), sites(["A"]), sites(["C"], fixed=0.0), params, solver="highs")
    assert result.open_fronts == ["C"]
    front = result.flows[result.flows["leg"] == "front->city"]
    assert front["target"].tolist() == ["C"] and front["units"].sum() == pytest.approx(0.4 * 50)
    feed = result.flows[result.flows["leg"] == "central->front"]
    assert feed["units"].sum() == pytest.approx(20.0)
    assert result.costs["linehaul"] == pytest.approx(0.0008 * road("A", "C") * 20)
    # hot units of C now arrive in 4 h handling + 1.25 h last mile
    assert result.coverage["within_24h"] == pytest.approx((200 + 20) / 250)


def test_promise_out_of_reach_reports_best_share_and_city():
    params = NetworkParams(max_centrals=1, max_fronts=0, promise_hours=30.0)
    result = optimize_network(demand(), sites(["A", "C"]), NO_FRONTS, params, solver="highs")
    assert result.status == "infeasible" and result.objective is None
    assert result.details["best_promise_share"] == pytest.approx(200 / 250)
    assert result.details["cities_missing_promise"] == ["C"]
    assert "80.0%" in result.reason


def test_unreachable_city_is_named_with_its_nearest_hours():
    params = NetworkParams(max_centrals=1, max_fronts=0, promise_hours=20.0)
    result = optimize_network(demand(), sites(["A"]), NO_FRONTS, params, solver="highs")
    assert result.status == "infeasible"
    assert result.details["unreachable_cities"] == ["C"]
    assert "C (37 h)" in result.reason


def test_short_central_capacity_is_named():
    params = NetworkParams(max_centrals=2, max_fronts=0)
    result = optimize_network(demand(), sites(["A", "C"], capacity=100.0), NO_FRONTS, params,
                              solver="highs")
    assert result.status == "infeasible"
    assert result.details["shortfall"] == pytest.approx(50.0)


def test_hot_target_out_of_reach_reports_best_share():
    params = NetworkParams(max_centrals=1, max_fronts=0, hot_target_share=1.0)
    result = optimize_network(demand(), sites(["A"]), NO_FRONTS, params, solver="highs")
    assert result.status == "infeasible"
    assert result.details["best_hot_target_share"] == pytest.approx(200 / 250)
    assert "hot-item target binds" in result.reason


def test_promise_share_lets_a_city_be_late():
    params = NetworkParams(max_centrals=1, max_fronts=0, promise_hours=30.0, promise_share=0.8)
    result = optimize_network(demand(), sites(["A", "C"]), NO_FRONTS, params, solver="highs")
    assert result.status == "optimal" and result.open_centrals == ["A"]
    assert result.coverage["within_promise"] == pytest.approx(0.8)


def test_single_source_keeps_each_city_on_one_central():
    params = NetworkParams(max_centrals=2, max_fronts=0)
    cand = sites(["A", "C"], fixed=0.0, capacity=160.0)
    split = optimize_network(demand(), cand, NO_FRONTS, params, solver="highs")
    assert split.flows.groupby("target").size().max() == 2  # B is split between A and C
    single = optimize_network(demand(), cand, NO_FRONTS,
                              NetworkParams(max_centrals=2, max_fronts=0, single_source=True),
                              solver="highs")
    assert single.flows.groupby("target").size().max() == 1
    assert single.objective >= split.objective - 1e-6


def test_evaluate_and_compare_plans():
    params = NetworkParams(max_centrals=1, max_fronts=1)
    cand_c, cand_f = sites(["A", "C"]), sites(["B", "C"], fixed=10.0)
    best = optimize_network(demand(), cand_c, cand_f, params, solver="highs")
    named = evaluate_plan(demand(), cand_c, cand_f, plan_centrals=["C"], plan_fronts=["B"],
                          params=params, solver="highs")
    assert named.open_centrals == ["C"] and named.open_fronts == ["B"]
    assert named.objective > best.objective
    table = compare_plans({"named": named, "optimized": best})
    assert list(table.columns) == ["named", "optimized"]
    assert table.loc["total cost (CNY)", "named"] == pytest.approx(named.costs["total"])
    assert table.loc["central warehouses", "named"] == "C"
    hours = hours_distribution({"named": named, "optimized": best})
    assert np.allclose(hours.sum(), 1.0)
    with pytest.raises(ParameterError, match="not centrals candidates"):
        evaluate_plan(demand(), cand_c, cand_f, plan_centrals=["Z"], plan_fronts=[], params=params)


def test_cost_parts_add_up_to_the_objective():
    params = NetworkParams(max_centrals=1, max_fronts=1)
    result = optimize_network(demand(), sites(["A", "C"]), sites(["C"], fixed=5.0), params,
                              solver="cbc")
    parts = sum(v for k, v in result.costs.items() if k != "total")
    assert parts == pytest.approx(result.costs["total"])
    assert parts == pytest.approx(result.objective, rel=1e-6)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (demand().drop(columns="lon"), "lon"),
        (demand().assign(demand=[1, -1, 1]), "row 2, column 'demand'"),
        (demand().assign(hot_share=[0.1, 1.5, 0.1]), "hot_share"),
        (demand().assign(lat=[30, 95, 30]), "lat/lon"),
    ],
)
def test_bad_demand_table(frame, message):
    with pytest.raises(DataValidationError, match=message):
        optimize_network(frame, sites(["A"]), NO_FRONTS, NetworkParams(max_centrals=1))


def test_bad_params_name_the_field():
    with pytest.raises(ParameterError, match="promise_share"):
        optimize_network(demand(), sites(["A"]), NO_FRONTS, NetworkParams(promise_share=1.5))
    with pytest.raises(ParameterError, match="road_factor"):
        optimize_network(demand(), sites(["A"]), NO_FRONTS, NetworkParams(road_factor=0.9))
