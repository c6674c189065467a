"""Solve a :class:`~workbench.network.model.Milp` with CBC (through PuLP) or HiGHS.

HiGHS runs through ``scipy.optimize.milp``, which takes the sparse matrices as they are, so the
workbench solves with exactly the HiGHS of a plain SciPy model (the ``highspy`` wheel carries a
newer HiGHS; on this machine the two were within run-to-run noise, see ``docs/network.md``).

Every answer is a :class:`MilpSolution` with a status from :data:`STATUSES`, the objective, the
best bound, the relative MIP gap and the wall-clock solve time in seconds.

Status rules:

* ``optimal`` - the solver proved optimality within ``mip_gap``.
* ``time_limit`` - the time limit stopped the search; ``values`` hold the incumbent if one was found
  (PuLP's ``LpStatus`` says "Optimal" here: only ``prob.sol_status`` and the CBC log tell).
* ``feasible`` - stopped for another reason (e.g. a solution limit) with an incumbent.
* ``infeasible`` - no solution exists.

The gap is ``|objective - bound| / max(|objective|, 1e-9)``, HiGHS' definition.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.errors import ParameterError, SolverError
from workbench.network.model import Milp

SOLVERS = ("cbc", "highs")
STATUSES = ("optimal", "feasible", "time_limit", "infeasible")


@dataclass(frozen=True)
class MilpSolution:
    """The outcome of one solve. ``values`` is ``None`` when no feasible point was found."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    solver: str
    values: np.ndarray | None
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.values is not None


@dataclass
class SolveOutcome:
    """What every network result reports about its solve, first in its JSON: status
    (``optimal`` / ``feasible`` / ``time_limit`` / ``infeasible``), objective, relative gap,
    best bound, wall seconds and the solver used."""

    status: str
    objective: float | None
    gap: float | None
    bound: float | None
    solve_seconds: float
    solver: str

    def outcome_dict(self) -> dict:
        return {"status": self.status, "objective": self.objective, "gap": self.gap,
                "bound": self.bound, "solve_seconds": self.solve_seconds, "solver": self.solver}


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-9)``; ``None`` if either is unknown."""
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def check_solver_options(solver: str, time_limit: float | None, mip_gap: float) -> None:
    """Raise :class:`ParameterError` for an unknown solver, a non-positive time limit or gap < 0."""
    if solver not in SOLVERS:
        raise ParameterError(f"solver={solver!r} is not one of {', '.join(SOLVERS)}")
    if time_limit is not None and not time_limit > 0:
        raise ParameterError(f"time_limit={time_limit!r} must be a positive number of seconds")
    if not mip_gap >= 0:
        raise ParameterError(f"mip_gap={mip_gap!r} must be >= 0 (a relative gap, 1e-6 = 0.0001 %)")


def solve_milp(
    milp: Milp, *, solver: str = "cbc", time_limit: float | None = None, mip_gap: float = 1e-7
) -> MilpSolution:
    """Solve ``milp`` with ``solver`` (``"cbc"`` or ``"highs"``).

    ``time_limit`` is in wall-clock seconds (``None`` = no limit); ``mip_gap`` is the relative gap
    at which the solver may stop and call the answer optimal.
    """
    check_solver_options(solver, time_limit, mip_gap)
    if solver == "highs":
        return _solve_highs(milp, time_limit, mip_gap)
    return _solve_cbc(milp, time_limit, mip_gap)


def _objective(milp: Milp, values: np.ndarray) -> float:
    return float(milp.cost @ values + milp.offset)


def _solve_highs(milp: Milp, time_limit: float | None, mip_gap: float) -> MilpSolution:
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.optimize import milp as scipy_milp

    options = {"mip_rel_gap": float(mip_gap), "disp": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    start = time.perf_counter()
    res = scipy_milp(milp.cost, integrality=milp.integrality.astype(np.uint8),
                     bounds=Bounds(milp.col_lower, milp.col_upper),
                     constraints=LinearConstraint(milp.matrix, milp.row_lower, milp.row_upper),
                     options=options)
    seconds = time.perf_counter() - start
    if res.status == 2:
        return MilpSolution("infeasible", None, None, None, seconds, "highs", None, res.message)
    if res.x is None:
        if res.status == 1:
            return MilpSolution("time_limit", None, None, None, seconds, "highs", None, res.message)
        raise SolverError(f"HiGHS stopped ({res.message}) with no solution; check the model data "
                          "for NaN or huge coefficients")
    values = np.asarray(res.x, float)
    objective = _objective(milp, values)
    bound = float(res.mip_dual_bound) + milp.offset if milp.integrality.any() else objective
    name = {0: "optimal", 1: "time_limit"}.get(res.status, "feasible")
    gap = relative_gap(objective, bound)
    return MilpSolution(name, objective, bound, 0.0 if name == "optimal" and gap is None else gap,
                        seconds, "highs", values, res.message)


_CBC_BOUND = re.compile(r"^(?:Lower bound|Best possible):\s*(-?[\d.eE+-]+)", re.MULTILINE)


def _solve_cbc(milp: Milp, time_limit: float | None, mip_gap: float) -> MilpSolution:
    import pulp

    prob, variables = to_pulp(milp)
    with tempfile.TemporaryDirectory(prefix="workbench-cbc-") as tmp:
        log_path = Path(tmp) / "cbc.log"
        # COIN_CMD on the CBC binary bundled with PuLP (PULP_CBC_CMD is deprecated in PuLP 3)
        cmd = pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, msg=False, timeLimit=time_limit,
                            gapRel=mip_gap, logPath=str(log_path))
        start = time.perf_counter()
        prob.solve(cmd)
        seconds = time.perf_counter() - start
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    stopped_on_time = "Stopped on time" in log
    sol = prob.sol_status
    if sol == pulp.LpSolutionInfeasible or (
        prob.status == pulp.LpStatusInfeasible and not stopped_on_time
    ):
        return MilpSolution("infeasible", None, None, None, seconds, "cbc", None,
                            pulp.LpStatus[prob.status])
    if sol == pulp.LpSolutionNoSolutionFound and stopped_on_time:
        return MilpSolution("time_limit", None, None, None, seconds, "cbc", None,
                            "stopped on time limit before finding a feasible solution")
    if sol not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"CBC stopped with status {pulp.LpStatus[prob.status]!r} and no "
                          "solution; check the model data for NaN or huge coefficients")
    values = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables])
    objective = _objective(milp, values)
    match = _CBC_BOUND.search(log)
    if sol == pulp.LpSolutionOptimal:
        name = "optimal"
        bound = float(match.group(1)) + milp.offset if match else objective
    else:
        name = "time_limit" if stopped_on_time else "feasible"
        bound = float(match.group(1)) + milp.offset if match else None
    gap = relative_gap(objective, bound)
    return MilpSolution(name, objective, bound, gap, seconds, "cbc", values,
                        pulp.LpStatus[prob.status])


def to_pulp(milp: Milp):
    """The same model as a ``pulp.LpProblem``; returns ``(problem, variables)``."""
    import pulp

    prob = pulp.LpProblem("workbench", pulp.LpMinimize)
    variables = [
        prob.add_variable(
            f"x{k}",
            lowBound=None if np.isinf(lo) else float(lo),
            upBound=None if np.isinf(up) else float(up),
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for k, (lo, up, integer) in enumerate(
            zip(milp.col_lower, milp.col_upper, milp.integrality, strict=True)
        )
    ]
    nz = np.flatnonzero(milp.cost)
    prob += pulp.LpAffineExpression([(variables[k], float(milp.cost[k])) for k in nz],
                                    constant=float(milp.offset))
    csr = milp.matrix
    for r in range(milp.num_rows):
        sl = slice(csr.indptr[r], csr.indptr[r + 1])
        expr = pulp.LpAffineExpression(
            [(variables[c], float(v)) for c, v in zip(csr.indices[sl], csr.data[sl], strict=True)]
        )
        lo, up = milp.row_lower[r], milp.row_upper[r]
        if lo == up:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", float(lo))
            continue
        if np.isfinite(lo):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}", float(lo))
        if np.isfinite(up):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}u", float(up))
    return prob, variables
