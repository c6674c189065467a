"""The shared solver layer: honest status from the solver, measured gap, read-back check, for
both sparse Milp models and PuLP problems, on HiGHS and CBC."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from workbench.errors import ParameterError
from workbench.optimize import (MilpBuilder, SolveOutcome, check_solver_options, solve_milp,
                                solve_pulp)
from workbench.optimize.check import check_milp_plan
from workbench.optimize.solve import _cbc_status

SOLVERS = ["highs", "cbc"]


def knapsack_milp(capacity=17.3):
    """max 3a + 2b + 4c + 5 (as min of the negation), 2.1a + 1.3b + 3.7c <= capacity,
    a, b, c integer in 0..10; :func:`brute_force_best` enumerates the optimum."""
    b = MilpBuilder()
    x = b.add_vars("x", 3, cost=[-3.0, -2.0, -4.0], upper=10.0, integer=True)
    b.add_rows("weight", 1, [0, 0, 0], x, [2.1, 1.3, 3.7], upper=capacity)
    return b.build(offset=-5.0)


def brute_force_best(capacity=17.3):
    best = -np.inf
    for a in range(11):
        for b in range(11):
            for c in range(11):
                if 2.1 * a + 1.3 * b + 3.7 * c <= capacity + 1e-9:
                    best = max(best, 3 * a + 2 * b + 4 * c + 5)
    return best


def hard_cflp(m=30, n=90, seed=3):
    """A single-sourcing capacitated facility-location model no solver closes in 0.5 s here."""
    rng = np.random.default_rng(seed)
    b = MilpBuilder()
    fixed, demand = rng.uniform(500, 1500, m), rng.uniform(5, 50, n)
    cap = rng.uniform(200, 400, m)
    cost = rng.uniform(1, 40, (m, n)) * demand[None, :]
    y = b.add_vars("open", m, cost=fixed, upper=1, integer=True)
    x = b.add_vars("assign", m * n, cost=cost.ravel(), upper=1, integer=True)
    ii, jj = np.divmod(np.arange(m * n), n)
    b.add_rows("serve", n, jj, x, 1.0, lower=1.0, upper=1.0)
    b.add_rows("capacity", m, np.r_[ii, np.arange(m)], np.r_[x, y],
               np.r_[demand[jj], -cap], upper=0.0)
    return b.build()


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_optimum_matches_brute_force_with_measured_gap(solver):
    milp = knapsack_milp()
    sol = solve_milp(milp, solver=solver)
    out = sol.outcome
    assert out.status == "optimal" and out.solver == solver
    assert -out.objective == pytest.approx(brute_force_best())
    assert out.gap is not None and out.gap <= 1e-6  # measured from the solver's bound
    assert out.bound is not None and out.requested_gap == pytest.approx(1e-6)
    assert float(milp.cost @ sol.values + milp.offset) == pytest.approx(out.objective)


@pytest.mark.parametrize("solver", SOLVERS)
def test_milp_infeasible_is_an_answer(solver):
    b = MilpBuilder()
    z = b.add_vars("z", 1, upper=1.0, integer=True)
    b.add_rows("too_much", 1, [0], z, 1.0, lower=2.0)
    sol = solve_milp(b.build(), solver=solver)
    assert sol.outcome.status == "infeasible" and sol.values is None
    assert sol.outcome.objective is None and not sol.outcome.has_plan


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limit_is_reported_from_the_solver_with_its_measured_gap(solver):
    sol = solve_milp(hard_cflp(), solver=solver, time_limit=0.5, mip_gap=0.0)
    out = sol.outcome
    assert out.status == "time_limit", out
    assert out.time_limit == 0.5
    if out.objective is not None:  # an incumbent: its gap is the solver's, not the requested 0
        assert out.gap is not None and out.gap > 0
        assert "NOT proven optimal" in out.describe()


def test_read_back_check_refuses_a_wrong_plan():
    milp = knapsack_milp()
    sol = solve_milp(milp)
    bad = sol.values.copy()
    bad[0] += 1  # over the weight row
    assert "weight[0]" in check_milp_plan(milp, bad, sol.outcome.objective)
    assert "objective recomputed" in check_milp_plan(milp, sol.values, sol.outcome.objective + 1)
    frac = sol.values.copy()
    frac[1] = 0.5
    assert "not integer" in check_milp_plan(milp, frac, None)


@pytest.mark.parametrize("solver", SOLVERS)
def test_pulp_max_problem_with_constant(solver):
    prob = pulp.LpProblem("knap", pulp.LpMaximize)
    x = [prob.add_variable(f"x{i}", 0, 10, cat="Integer") for i in range(3)]
    prob += 3 * x[0] + 2 * x[1] + 4 * x[2] + 5
    prob += 2.1 * x[0] + 1.3 * x[1] + 3.7 * x[2] <= 17.3
    out = solve_pulp(prob, solver=solver)
    assert out.status == "optimal" and out.objective == pytest.approx(brute_force_best())
    assert out.gap is not None and out.gap <= 1e-6
    assert pulp.value(prob.objective) == pytest.approx(out.objective)


@pytest.mark.parametrize("solver", SOLVERS)
def test_pulp_lp_and_infeasible(solver):
    lp = pulp.LpProblem("lp", pulp.LpMinimize)
    y = [lp.add_variable(f"y{i}", 0) for i in range(2)]
    lp += y[0] + 2 * y[1] + 1
    lp += y[0] + y[1] >= 3
    out = solve_pulp(lp, solver=solver)
    assert (out.status, out.objective, out.gap) == ("optimal", pytest.approx(4.0), 0.0)
    bad = pulp.LpProblem("bad", pulp.LpMinimize)
    z = bad.add_variable("z", 0, 1, cat="Integer")
    bad += z
    bad += z >= 2
    assert solve_pulp(bad, solver=solver).status == "infeasible"


def test_cbc_log_parsing_takes_cbcs_own_words():
    stopped = ("Result - Stopped on time limit\n\nObjective value:                39407.26\n"
               "Lower bound:                    16785.428\nGap:                            1.35\n")
    assert _cbc_status(stopped, True) == ("time_limit", "Stopped on time limit", 39407.26, 16785.428)
    within = ("Result - Optimal solution found (within gap tolerance)\n\n"
              "Objective value:                20600.95\nLower bound:                    20052.412\n")
    status, _, obj, bound = _cbc_status(within, True)
    assert status == "optimal" and bound == 20052.412  # the gap CBC proved, not the one asked
    assert _cbc_status("Result - Problem proven infeasible\n", True)[0] == "infeasible"
    assert _cbc_status("garbage", True)[0] == "error"


@pytest.mark.parametrize("bad", [dict(solver="gurobi"), dict(time_limit=0), dict(time_limit=-1),
                                 dict(time_limit=float("nan")), dict(time_limit=float("inf")),
                                 dict(mip_gap=-0.1), dict(mip_gap=1.5)])
def test_bad_options_are_refused(bad):
    args = {"solver": "highs", "time_limit": None, "mip_gap": 1e-6, **bad}
    with pytest.raises(ParameterError):
        check_solver_options(args["solver"], args["time_limit"], args["mip_gap"])


def test_outcome_refuses_unknown_status_and_describes_time_limit():
    with pytest.raises(ValueError):
        SolveOutcome("Optimal", 1.0, 1.0, 0.0, 0.1, "highs")
    text = SolveOutcome("time_limit", 110.0, 100.0, 0.0909, 5.0, "highs", 5.0).describe()
    assert "NOT proven optimal" in text and "9.09%" in text
