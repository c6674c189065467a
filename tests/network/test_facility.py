"""Generic capacitated facility location: hand-checked optima, infeasibility reasons, time limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataValidationError, ParameterError
from workbench.network.facility import solve_facility_location

SOLVERS = ["cbc", "highs"]


def tables(fixed, capacity, demand, unit_costs):
    """Sites s0.., customers c0..; ``unit_costs[i][j]`` (None = pair not allowed)."""
    sites = pd.DataFrame({"site": [f"s{i}" for i in range(len(fixed))], "fixed_cost": fixed,
                          "capacity": capacity})
    customers = pd.DataFrame({"customer": [f"c{j}" for j in range(len(demand))], "demand": demand})
    costs = pd.DataFrame(
        [(f"s{i}", f"c{j}", u) for i, row in enumerate(unit_costs) for j, u in enumerate(row)
         if u is not None],
        columns=["site", "customer", "unit_cost"],
    )
    return sites, customers, costs


def random_instance(m, n, seed=7):
    rng = np.random.default_rng(seed)
    sx, sy = rng.uniform(0, 100, (2, m))
    cx, cy = rng.uniform(0, 100, (2, n))
    demand = rng.integers(5, 50, n).astype(float)
    capacity = rng.uniform(0.8, 1.2, m) * demand.sum() * 3 / m
    dist = np.hypot(sx[:, None] - cx[None], sy[:, None] - cy[None])
    return tables(rng.uniform(800, 1500, m), capacity, demand, (dist * 0.1).tolist())


@pytest.mark.parametrize("solver", SOLVERS)
def test_cheap_unlimited_site_beats_two_sites(solver):
    # B alone: 4 + 3*2 + 2*3 + 4*1 = 20; A alone cannot hold 9 units; both: 14 + 5 + 4 = 23
    sites, customers, costs = tables([10, 4], [5, np.nan], [3, 2, 4], [[1, 1, 1], [2, 3, 1]])
    result = solve_facility_location(sites, customers, costs, solver=solver)
    assert result.status == "optimal"
    assert result.open_sites == ["s1"]
    assert result.objective == pytest.approx(20.0)
    assert result.fixed_cost == pytest.approx(4.0) and result.transport_cost == pytest.approx(16.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_split_versus_single_source(solver):
    # A (cap 5, cost 1) and B (unlimited, cost 5); demands 3 and 4
    sites, customers, costs = tables([0, 0], [5, np.nan], [3, 4], [[1, 1], [5, 5]])
    split = solve_facility_location(sites, customers, costs, solver=solver)
    assert split.objective == pytest.approx(5 * 1 + 2 * 5)
    assert len(split.flows) == 3  # one customer is split
    single = solve_facility_location(sites, customers, costs, solver=solver, single_source=True)
    assert single.objective == pytest.approx(4 * 1 + 3 * 5)
    assert single.flows.groupby("customer").size().max() == 1


def test_max_open_limits_sites():
    sites, customers, costs = tables([1, 1, 1], [np.nan] * 3, [1, 1, 1],
                                     [[0, 9, 9], [9, 0, 9], [9, 9, 0]])
    assert len(solve_facility_location(sites, customers, costs).open_sites) == 3
    two = solve_facility_location(sites, customers, costs, max_open=2, solver="highs")
    assert len(two.open_sites) == 2 and two.objective == pytest.approx(2 + 9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_short_capacity_is_an_infeasible_answer_with_the_shortfall(solver):
    sites, customers, costs = tables([1, 1], [4, 3], [5, 5], [[1, 1], [1, 1]])
    result = solve_facility_location(sites, customers, costs, solver=solver)
    assert result.status == "infeasible" and result.objective is None
    assert result.details["shortfall"] == pytest.approx(3.0)
    assert "short by 3" in result.reason


def test_max_open_too_small_names_the_limit():
    sites, customers, costs = tables([1, 1], [6, 6], [5, 5], [[1, 1], [1, 1]])
    result = solve_facility_location(sites, customers, costs, max_open=1)
    assert result.status == "infeasible" and "max-open" in result.reason


def test_unreachable_customer_is_named():
    sites, customers, costs = tables([1], [np.nan], [1, 1], [[1, None]])
    result = solve_facility_location(sites, customers, costs, solver="highs")
    assert result.status == "infeasible"
    assert result.details["unreachable_customers"] == ["c1"]


def test_single_source_packing_conflict_is_explained():
    # total capacity 10 >= 9 units, but a site of 5 holds only one whole customer of 3
    sites, customers, costs = tables([1, 1], [5, 5], [3, 3, 3], [[1, 1, 1], [1, 1, 1]])
    assert solve_facility_location(sites, customers, costs).status == "optimal"
    result = solve_facility_location(sites, customers, costs, single_source=True)
    assert result.status == "infeasible" and "single sourcing" in result.reason


def test_highs_time_limit_reports_incumbent_and_gap():
    sites, customers, costs = random_instance(40, 200)
    result = solve_facility_location(sites, customers, costs, single_source=True, solver="highs",
                                     time_limit=0.5)
    assert result.status == "time_limit"
    if result.objective is not None:
        assert result.gap > 1e-4


def test_cbc_time_limit_is_not_reported_as_optimal():
    # PuLP's LpStatus says "Optimal" here; the result must say time_limit with the gap
    sites, customers, costs = random_instance(20, 100)
    result = solve_facility_location(sites, customers, costs, single_source=True, solver="cbc",
                                     time_limit=0.5)
    assert result.status == "time_limit"
    if result.objective is not None:
        assert result.gap is not None and result.gap > 1e-6


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (0, lambda f: f.drop(columns="capacity"), "capacity"),
        (1, lambda f: f.assign(demand=[1, -2]), "row 2, column 'demand'"),
        (2, lambda f: f.assign(site=["s0", "nowhere"]), "'nowhere' is not in the sites"),
        (0, lambda f: pd.concat([f, f]), "repeats"),
    ],
)
def test_bad_tables_raise_with_location(table, change, message):
    frames = list(tables([1], [np.nan], [1, 1], [[1, 1]]))
    frames[table] = change(frames[table])
    with pytest.raises(DataValidationError, match=message):
        solve_facility_location(*frames)


def test_bad_parameters_raise():
    sites, customers, costs = tables([1], [np.nan], [1], [[1]])
    with pytest.raises(ParameterError, match="solver"):
        solve_facility_location(sites, customers, costs, solver="gurobi")
    with pytest.raises(ParameterError, match="max_open"):
        solve_facility_location(sites, customers, costs, max_open=0)
    with pytest.raises(ParameterError, match="time_limit"):
        solve_facility_location(sites, customers, costs, time_limit=-1)
