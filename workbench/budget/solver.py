"""Running a PuLP model on CBC or HiGHS and reading back an honest status.

PuLP's ``LpStatus`` says "Optimal" even when a solver stopped at its time limit with an
unproven incumbent, so the status here comes from ``prob.sol_status``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import pulp

from workbench.errors import ParameterError, SolverError

SOLVERS = ("highs", "cbc")
MIP_GAP = 1e-6  # relative MIP gap asked of the solver


@dataclass(frozen=True)
class SolveInfo:
    """What a solve produced: status, objective, relative MIP gap (None if the solver does not
    say) and wall-clock seconds."""

    status: str  # optimal | feasible | time_limit | infeasible
    objective: float | None
    gap: float | None
    seconds: float
    solver: str


def _backend(name: str, time_limit: float):
    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=MIP_GAP, threads=1)
    if name == "cbc":
        # CBC 2.10's integer preprocessing wrongly declares some of these models infeasible
        # (ordering binaries over zero-slope tangent segments); the models are small without it
        with warnings.catch_warnings():  # PuLP 3 warns that the bundled CBC goes away in PuLP 4
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=MIP_GAP,
                                     options=["preprocess off"])
    raise ParameterError(f"unknown solver {name!r}; use one of {', '.join(SOLVERS)}")


def solve(prob: pulp.LpProblem, solver: str = "highs", time_limit: float = 60.0) -> SolveInfo:
    """Solve ``prob`` in place; raise :class:`SolverError` when no answer came back at all."""
    backend = _backend(solver, time_limit)
    start = time.perf_counter()
    try:
        prob.solve(backend)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"{solver} failed on model {prob.name!r}: {exc}") from exc
    seconds = time.perf_counter() - start
    sol = prob.sol_status
    is_mip = bool(prob.isMIP())
    if sol == pulp.LpSolutionInfeasible:
        return SolveInfo("infeasible", None, None, seconds, solver)
    if sol == pulp.LpSolutionUnbounded:
        raise SolverError(f"model {prob.name!r} is unbounded; every channel needs a finite max_spend")
    if sol == pulp.LpSolutionNoSolutionFound:
        if seconds >= 0.98 * time_limit:
            raise SolverError(f"{solver} found no plan within the time limit of {time_limit:g} s; "
                              f"raise the time limit or loosen the tolerance")
        raise SolverError(f"{solver} returned no solution for model {prob.name!r} "
                          f"(status {pulp.LpStatus[prob.status]})")
    objective = pulp.value(prob.objective)
    gap = _gap(prob, solver, is_mip, sol)
    if sol == pulp.LpSolutionOptimal:
        status = "optimal"
    else:
        status = "time_limit" if seconds >= 0.98 * time_limit else "feasible"
    return SolveInfo(status, None if objective is None else float(objective), gap, seconds, solver)


def _gap(prob: pulp.LpProblem, solver: str, is_mip: bool, sol: int) -> float | None:
    """Relative MIP gap: 0 for LPs; read from HiGHS; for CBC only its proven bound when optimal."""
    if not is_mip:
        return 0.0
    if solver == "highs":
        return float(prob.solverModel.getInfo().mip_gap)
    return MIP_GAP if sol == pulp.LpSolutionOptimal else None
