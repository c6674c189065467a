"""Two-tier network design: choose central warehouses, front warehouses (前置仓) and the flows to
city demand at minimum cost under a delivery promise.

The pieces, one concern per module: :mod:`~workbench.network.params` (the parameters),
:mod:`~workbench.network.tables` (input tables checked into arrays, lanes),
:mod:`~workbench.network.costs` (the one cost model), :mod:`~workbench.network.formulation`
(the MILP, one builder method per constraint family), :mod:`~workbench.network.result` (read
back into tables) and :mod:`~workbench.network.diagnosis` (why a network is infeasible).
"""

from __future__ import annotations

import pandas as pd

from workbench.network.diagnosis import diagnose
from workbench.network.formulation import build_network_milp
from workbench.network.params import NetworkParams
from workbench.network.result import NetworkResult, read_solution
from workbench.network.tables import prepare
from workbench.optimize import DEFAULT_SOLVER, check_solver_options, solve_milp

NETWORK_MIP_GAP = 1e-4  # HiGHS' own default: "optimal" is proven to within 0.01 % of the bound

NO_DEMAND = ("total demand is 0: there is nothing to serve, so no warehouse is opened "
             "(only sites marked must-open/existing stay open)")


def optimize_network(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame,
                     params: NetworkParams | None = None, *, lanes: pd.DataFrame | None = None,
                     solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
                     mip_gap: float = NETWORK_MIP_GAP) -> NetworkResult:
    """Choose central and front warehouses and the flows at minimum cost.

    Parameters: the tables of :mod:`workbench.network.tables` (``demand`` in units per period,
    fixed costs in CNY per period, capacities in units per period, optional ``lanes``),
    ``params`` (:class:`NetworkParams`), ``solver`` (``highs`` default or ``cbc``),
    ``time_limit`` in seconds per solve, ``mip_gap`` relative.

    Returns a :class:`NetworkResult`. An infeasible network is an answer: status ``infeasible``
    with ``reason`` naming the cities or sites that bind and ``details`` (e.g.
    ``best_promise_share``, every city that misses the promise in the best plan). All-zero
    demand opens nothing (except must-open sites) and says so in ``reason``.

    Raises :class:`~workbench.errors.DataValidationError` for bad tables and
    :class:`~workbench.errors.ParameterError` for bad or out-of-range parameters (e.g.
    ``max_fronts`` above the number of front candidates).
    """
    params = params or NetworkParams()
    check_solver_options(solver, time_limit, mip_gap)
    data = prepare(demand, centrals, fronts, params, lanes)
    milp, pairs = build_network_milp(data, params)
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if sol.outcome.status == "infeasible":
        reason, details = diagnose(data, params, solver=solver, time_limit=time_limit,
                                   mip_gap=mip_gap)
        return read_solution(data, params, milp, pairs, sol, reason, details)
    reason = NO_DEMAND if data.demand.sum() == 0 else ""
    return read_solution(data, params, milp, pairs, sol, reason)
