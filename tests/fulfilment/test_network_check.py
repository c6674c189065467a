"""The network check of the planning cycle against a brute force on eight cities: the optimized
network is the cheapest of every choice of sites, and its coverage is the units-weighted share of
cities within the promise (72 h) recomputed from its flows."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from workbench.network.china import candidate_sites, city_demand, load_cities
from workbench.network.design import optimize_network
from workbench.network.params import NetworkParams
from workbench.network.plans import evaluate_plan

CITIES = ["Beijing", "Tianjin", "Shanghai", "Hangzhou", "Guangzhou", "Shenzhen", "Chengdu", "Wuhan"]


@pytest.fixture(scope="module")
def eight():
    cities = load_cities()
    cities = cities[cities["city"].isin(CITIES)].reset_index(drop=True)
    units = cities.groupby("region")["population"].sum() / 1e3  # units by population
    demand = city_demand(units, cities, hot_share=0.35)
    centrals, fronts = candidate_sites(demand, hubs=("Beijing", "Shanghai", "Guangzhou", "Wuhan"),
                                       n_fronts=3, central_capacity_share=0.6,
                                       front_capacity_share=0.1)
    params = NetworkParams(max_centrals=2, max_fronts=1, promise_hours=72.0, front_hours=24.0,
                           hot_target_share=0.5)
    return demand, centrals, fronts, params


def test_optimized_network_is_the_cheapest_choice_of_sites(eight):
    demand, centrals, fronts, params = eight
    best = optimize_network(demand, centrals, fronts, params, solver="highs")
    assert best.status == "optimal"
    costs = {}
    for pair in combinations(centrals["site"], 2):
        for front in [[], *[[f] for f in fronts["site"]]]:
            plan = evaluate_plan(demand, centrals, fronts, plan_centrals=list(pair),
                                 plan_fronts=front, params=params, solver="highs")
            if plan.feasible:
                costs[(pair, tuple(front))] = plan.costs["total"]
    assert len(costs) >= 2
    cheapest = min(costs.values())
    assert best.costs["total"] == pytest.approx(cheapest, rel=1e-6)
    assert best.objective == pytest.approx(best.costs["total"], rel=1e-6)


def test_coverage_is_the_share_of_units_within_the_promise(eight):
    demand, centrals, fronts, params = eight
    plan = evaluate_plan(demand, centrals, fronts, plan_centrals=["Beijing", "Guangzhou"],
                         plan_fronts=["Shanghai"], params=params, solver="highs")
    assert plan.feasible, plan.reason
    delivered = plan.flows[plan.flows["leg"] != "central->front"]
    by_hand = float(delivered.loc[delivered["hours"] <= 72.0, "units"].sum() / delivered["units"].sum())
    assert plan.coverage["within_promise"] == pytest.approx(by_hand)
    assert np.isclose(delivered["units"].sum(), demand["demand"].sum())
