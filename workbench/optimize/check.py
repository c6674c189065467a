"""Read-back check of a solver's plan: the objective recomputed from the plan must match the
solver's, and every bound, integrality requirement and constraint must hold within tolerance.

Tolerances are relative to the size of the numbers involved (``FEAS_TOL`` x max(1, |bound|,
sum |a_ij x_j|) for a row; ``OBJ_TOL`` x max(1, |objective|) for the objective), a little looser
than the solvers' own feasibility tolerances (1e-7 on HiGHS' scaled model, 1e-7 in CBC) so that
only a plan that is really wrong fails.
"""

from __future__ import annotations

import numpy as np

FEAS_TOL = 1e-6  # relative feasibility tolerance of rows and bounds
INT_TOL = 1e-5  # distance from the nearest integer allowed for an integer variable
OBJ_TOL = 1e-6  # relative tolerance between recomputed and reported objective


def _fmt(value: float) -> str:
    return f"{float(value):.10g}"


def check_milp_plan(milp, values: np.ndarray, solver_objective: float | None) -> str:
    """Empty string when ``values`` is a valid plan of ``milp`` whose objective matches
    ``solver_objective``; otherwise the first reason it is not (names the row or column block)."""
    if values.shape != (milp.num_cols,) or not np.isfinite(values).all():
        return "the plan has missing or non-finite values"
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(milp.col_lower), milp.col_lower, 0.0)))
    low = values < milp.col_lower - FEAS_TOL * scale
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(milp.col_upper), milp.col_upper, 0.0)))
    high = values > milp.col_upper + FEAS_TOL * scale
    frac = milp.integrality & (np.abs(values - np.round(values)) > INT_TOL)
    for bad, what in ((low, "below its lower bound"), (high, "above its upper bound"),
                      (frac, "not integer")):
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            return (f"column {_block_name(milp.blocks, k)} = {_fmt(values[k])} is {what} "
                    f"[{_fmt(milp.col_lower[k])}, {_fmt(milp.col_upper[k])}]")
    activity = milp.matrix @ values
    magnitude = abs(milp.matrix) @ np.abs(values)
    lo_scale = np.maximum.reduce([np.ones_like(activity), magnitude,
                                  np.abs(np.where(np.isfinite(milp.row_lower), milp.row_lower, 0))])
    up_scale = np.maximum.reduce([np.ones_like(activity), magnitude,
                                  np.abs(np.where(np.isfinite(milp.row_upper), milp.row_upper, 0))])
    broken = (activity < milp.row_lower - FEAS_TOL * lo_scale) | \
             (activity > milp.row_upper + FEAS_TOL * up_scale)
    if broken.any():
        r = int(np.flatnonzero(broken)[0])
        return (f"{int(broken.sum())} constraint row(s) violated, first {_block_name(milp.row_blocks, r)}: "
                f"activity {_fmt(activity[r])} outside [{_fmt(milp.row_lower[r])}, "
                f"{_fmt(milp.row_upper[r])}]")
    objective = float(milp.cost @ values + milp.offset)
    return _objective_problem(objective, solver_objective)


def _objective_problem(objective: float, solver_objective: float | None) -> str:
    if solver_objective is None:
        return "the solver reported no objective for its plan"
    if abs(objective - solver_objective) > OBJ_TOL * max(1.0, abs(objective), abs(solver_objective)):
        return (f"objective recomputed from the plan is {_fmt(objective)}, the solver reported "
                f"{_fmt(solver_objective)}")
    return ""


def _block_name(blocks: dict[str, slice], index: int) -> str:
    for name, part in blocks.items():
        if part.start <= index < part.stop:
            return f"{name}[{index - part.start}]"
    return f"#{index}"


def check_pulp_plan(prob, solver_objective: float | None) -> tuple[float | None, str]:
    """``(objective recomputed from the variables, problem)`` for a solved PuLP problem;
    ``problem`` is empty when every bound, integrality and constraint holds and the objective
    matches ``solver_objective``."""
    import pulp

    for v in prob.variables():
        x = v.varValue
        if x is None or not np.isfinite(x):
            return None, f"variable {v.name} has no value"
        if v.lowBound is not None and x < v.lowBound - FEAS_TOL * max(1.0, abs(v.lowBound)):
            return None, f"variable {v.name} = {_fmt(x)} is below its lower bound {_fmt(v.lowBound)}"
        if v.upBound is not None and x > v.upBound + FEAS_TOL * max(1.0, abs(v.upBound)):
            return None, f"variable {v.name} = {_fmt(x)} is above its upper bound {_fmt(v.upBound)}"
        if v.cat == pulp.LpInteger and abs(x - round(x)) > INT_TOL:
            return None, f"integer variable {v.name} = {_fmt(x)} is not integer"
    # PuLP 3.3 deprecates the mapping view; ``prob.constraints()`` is the list of PuLP 4
    for c in prob.constraints():
        name = c.name
        terms = [coef * var.varValue for var, coef in c.items()]
        value = float(sum(terms)) + float(c.constant)
        tol = FEAS_TOL * max(1.0, abs(float(c.constant)), float(sum(abs(t) for t in terms)))
        if (c.sense == pulp.LpConstraintLE and value > tol) or \
                (c.sense == pulp.LpConstraintGE and value < -tol) or \
                (c.sense == pulp.LpConstraintEQ and abs(value) > tol):
            rel = {pulp.LpConstraintLE: "<=", pulp.LpConstraintGE: ">=", pulp.LpConstraintEQ: "="}
            return None, (f"constraint {name!r} is violated: left side minus right side is "
                          f"{_fmt(value)}, required {rel[c.sense]} 0")
    objective = float(pulp.value(prob.objective)) if prob.objective is not None else 0.0
    return objective, _objective_problem(objective, solver_objective)
