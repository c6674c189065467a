"""One solve entry for the workbench's optimizers: HiGHS (default) or CBC, honest status,
measured gap, and a read-back check of every returned plan.

* :func:`solve_milp` takes a sparse :class:`~workbench.optimize.milp.Milp` (the network models)
  and returns a :class:`MilpSolution` (outcome + solution vector).
* :func:`solve_pulp` takes a ``pulp.LpProblem`` (the budget models), solves it in place (the
  variables' ``varValue`` hold the plan) and returns the :class:`SolveOutcome`.

HiGHS runs through ``highspy`` (the model is passed as column-wise sparse arrays for a
:class:`Milp`, or built by PuLP's ``HiGHS`` interface for a PuLP problem); its model status,
objective and MIP dual bound are read from the solver itself. CBC is the binary bundled with
PuLP; its result line, objective and lower bound are read from its log, because PuLP's
``LpStatus`` says "Optimal" when CBC stopped at its time limit. No status is ever inferred from
elapsed seconds, and the requested gap is never reported as the achieved one.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.errors import ParameterError
from workbench.optimize.check import check_milp_plan, check_pulp_plan
from workbench.optimize.milp import Milp, to_pulp
from workbench.optimize.outcome import DEFAULT_SOLVER, SOLVERS, SolveOutcome, relative_gap

DEFAULT_MIP_GAP = 1e-6  # relative gap at which a solver may stop and call the plan optimal


@dataclass(frozen=True)
class MilpSolution:
    """The outcome of solving a :class:`Milp` and, when ``outcome.has_plan``, the checked
    solution vector ``values`` (one entry per column); otherwise ``values`` is ``None``."""

    outcome: SolveOutcome
    values: np.ndarray | None

    @property
    def has_plan(self) -> bool:
        return self.values is not None


def check_solver_options(solver: str, time_limit: float | None, mip_gap: float) -> None:
    """Raise :class:`ParameterError` for an unknown solver, a time limit that is not a positive
    finite number of seconds, or a relative gap outside [0, 1)."""
    if solver not in SOLVERS:
        raise ParameterError(f"solver={solver!r} is not one of {', '.join(SOLVERS)}")
    if time_limit is not None and not (isinstance(time_limit, (int, float))
                                       and 0 < float(time_limit) < float("inf")):
        raise ParameterError(f"time_limit={time_limit!r} must be a positive number of seconds "
                             "(or none for no limit)")
    if not (isinstance(mip_gap, (int, float)) and 0 <= float(mip_gap) < 1):
        raise ParameterError(f"mip_gap={mip_gap!r} must be a relative gap in [0, 1) "
                             "(1e-6 = 0.0001 %)")


def solve_milp(milp: Milp, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
               mip_gap: float = DEFAULT_MIP_GAP) -> MilpSolution:
    """Solve ``milp`` with ``solver`` (``"highs"`` or ``"cbc"``); ``time_limit`` in wall-clock
    seconds (``None``: no limit), ``mip_gap`` the relative gap at which the solver may stop.

    Returns the outcome (see :class:`SolveOutcome`) and, when a plan passed the read-back check
    (objective recomputed, bounds, integrality and rows within tolerance), its values. Raises
    :class:`ParameterError` for bad options; solver failures are ``status="error"``, not raised.
    """
    check_solver_options(solver, time_limit, mip_gap)
    if solver == "highs":
        outcome, values = _highs_milp(milp, time_limit, mip_gap)
    else:
        prob, variables = to_pulp(milp)
        outcome = _cbc(prob, time_limit, mip_gap, check=False)
        values = None
        if outcome.status in ("optimal", "feasible", "time_limit") and outcome.objective is not None:
            values = np.array([np.nan if v.varValue is None else float(v.varValue)
                               for v in variables])
    if values is None:
        return MilpSolution(outcome, None)
    problem = check_milp_plan(milp, values, outcome.objective)
    if problem:
        return MilpSolution(_error(outcome, problem), None)
    return MilpSolution(_with_objective(outcome, float(milp.cost @ values + milp.offset)), values)


def solve_pulp(prob, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
               mip_gap: float = DEFAULT_MIP_GAP, threads: int | None = None,
               cbc_options: tuple[str, ...] = ()) -> SolveOutcome:
    """Solve the PuLP problem ``prob`` in place and return its checked :class:`SolveOutcome`.

    After the call, read the plan from the variables (``v.varValue``) only when
    ``outcome.has_plan``. ``threads`` caps HiGHS' threads; ``cbc_options`` are extra CBC
    command-line options (e.g. ``("preprocess off",)``). The objective is recomputed from the
    variables' values and compared with the solver's; every constraint, bound and integrality
    is checked; a plan that fails is ``status="error"`` with the reason in ``message``.
    """
    check_solver_options(solver, time_limit, mip_gap)
    if solver == "highs":
        return _highs_pulp(prob, time_limit, mip_gap, threads)
    return _cbc(prob, time_limit, mip_gap, check=True, options=cbc_options)


def _error(outcome: SolveOutcome, reason: str) -> SolveOutcome:
    return SolveOutcome("error", None, outcome.bound, None, outcome.solve_seconds, outcome.solver,
                        outcome.time_limit, outcome.requested_gap,
                        f"{outcome.solver} returned a plan that fails the read-back check "
                        f"(solver status {outcome.status}): {reason}")


def _with_objective(outcome: SolveOutcome, objective: float) -> SolveOutcome:
    """The outcome with the objective recomputed from the plan and the gap measured from it."""
    gap = relative_gap(objective, outcome.bound)
    return SolveOutcome(outcome.status, objective, outcome.bound, gap, outcome.solve_seconds,
                        outcome.solver, outcome.time_limit, outcome.requested_gap, outcome.message)


# ---------------------------------------------------------------- HiGHS


def _highs_status(h, *, is_mip: bool, bounded: bool, to_ours, seconds: float,
                  time_limit: float | None, mip_gap: float) -> SolveOutcome:
    """Map HiGHS' own model status and info to a :class:`SolveOutcome` (objective and bound in
    the caller's sense through ``to_ours``)."""
    import highspy

    ms = highspy.HighsModelStatus
    status = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(status)
    has_point = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    objective = to_ours(info.objective_function_value) if has_point else None
    if status == ms.kOptimal:
        name = "optimal"
    elif status == ms.kInfeasible or (status == ms.kUnboundedOrInfeasible and bounded):
        name = "infeasible"
    elif status == ms.kTimeLimit:
        name = "time_limit"
    elif status in (ms.kIterationLimit, ms.kSolutionLimit, ms.kObjectiveBound,
                    ms.kObjectiveTarget, ms.kInterrupt, ms.kMemoryLimit) and has_point:
        name = "feasible"
    else:
        return SolveOutcome("error", None, None, None, seconds, "highs", time_limit, mip_gap,
                            f"HiGHS stopped with model status {text!r} and no usable plan; check "
                            "the model data for NaN or huge coefficients")
    if name == "infeasible":
        return SolveOutcome(name, None, None, None, seconds, "highs", time_limit, mip_gap, text)
    if is_mip:
        raw = info.mip_dual_bound
        bound = to_ours(raw) if np.isfinite(raw) else None
    else:
        bound = objective if name == "optimal" else None
    return SolveOutcome(name, objective, bound, relative_gap(objective, bound), seconds, "highs",
                        time_limit, mip_gap, text)


def _highs_options(h, time_limit: float | None, mip_gap: float, threads: int | None = None) -> None:
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))


def _highs_milp(milp: Milp, time_limit: float | None, mip_gap: float):
    import highspy

    if milp.num_cols == 0:
        problem = check_milp_plan(milp, np.zeros(0), milp.offset)
        status = "error" if problem else "optimal"
        return SolveOutcome(status, None if problem else milp.offset, milp.offset,
                            None if problem else 0.0, 0.0, "highs", time_limit, mip_gap,
                            problem or "empty model"), (None if problem else np.zeros(0))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = milp.num_cols, milp.num_rows
    lp.col_cost_ = milp.cost
    lp.col_lower_, lp.col_upper_ = milp.col_lower, milp.col_upper
    lp.row_lower_, lp.row_upper_ = milp.row_lower, milp.row_upper
    lp.offset_ = float(milp.offset)
    csc = milp.matrix.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    is_mip = bool(milp.integrality.any())
    if is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                           for k in milp.integrality]
    h = highspy.Highs()
    _highs_options(h, time_limit, mip_gap)
    h.passModel(lp)
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    bounded = bool(np.isfinite(milp.col_lower).all() and np.isfinite(milp.col_upper).all())
    outcome = _highs_status(h, is_mip=is_mip, bounded=bounded, to_ours=float, seconds=seconds,
                            time_limit=time_limit, mip_gap=mip_gap)
    if not outcome.has_plan:
        return outcome, None
    return outcome, np.asarray(h.getSolution().col_value, float)


def _highs_pulp(prob, time_limit: float | None, mip_gap: float, threads: int | None) -> SolveOutcome:
    import pulp

    backend = pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=mip_gap, threads=threads)
    start = time.perf_counter()
    try:
        prob.solve(backend)
    except (pulp.PulpSolverError, KeyError) as exc:  # KeyError: a HiGHS status PuLP cannot map
        if getattr(prob, "solverModel", None) is None:
            return SolveOutcome("error", None, None, None, time.perf_counter() - start, "highs",
                                time_limit, mip_gap, f"HiGHS failed on model {prob.name!r}: {exc}")
    seconds = time.perf_counter() - start
    # PuLP hands HiGHS the objective without its constant, negated when maximizing
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0
    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    bounded = all(v.lowBound is not None and v.upBound is not None for v in prob.variables())
    outcome = _highs_status(prob.solverModel, is_mip=bool(prob.isMIP()), bounded=bounded,
                            to_ours=lambda raw: sign * float(raw) + constant, seconds=seconds,
                            time_limit=time_limit, mip_gap=mip_gap)
    return _checked_pulp(prob, outcome)


def _checked_pulp(prob, outcome: SolveOutcome) -> SolveOutcome:
    if not outcome.has_plan:
        return outcome
    objective, problem = check_pulp_plan(prob, outcome.objective)
    if problem:
        return _error(outcome, problem)
    return _with_objective(outcome, objective)


# ---------------------------------------------------------------- CBC

_NUMBER = r"(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s*" + _NUMBER, re.MULTILINE)
_CBC_BOUND = re.compile(r"^(?:Lower bound|Best possible):\s*" + _NUMBER, re.MULTILINE)
_CLP_OPTIMAL = re.compile(r"^Optimal - objective value " + _NUMBER, re.MULTILINE)
_CLP_OTHER = re.compile(r"^(Problem is infeasible|Problem is unbounded|Primal infeasible|"
                        r"Dual infeasible|Stopped on time|Stopped on iterations)", re.MULTILINE)


def _cbc_status(log: str, is_mip: bool) -> tuple[str, str, float | None, float | None]:
    """(status, CBC's own result text, CBC's objective, CBC's lower bound) from its log."""
    result = _CBC_RESULT.search(log)
    if result:
        text = result.group(1).strip()
        lower = text.lower()
        objective = _CBC_OBJECTIVE.search(log)
        bound = _CBC_BOUND.search(log)
        obj = float(objective.group(1)) if objective else None
        if lower.startswith("optimal solution found"):
            # a proven optimum without a printed bound is proven to zero gap
            return "optimal", text, obj, float(bound.group(1)) if bound else obj
        if "infeasible" in lower:
            return "infeasible", text, None, None
        if lower.startswith("stopped on time"):
            return "time_limit", text, obj, float(bound.group(1)) if bound else None
        if lower.startswith("stopped"):
            return "feasible", text, obj, float(bound.group(1)) if bound else None
        return "error", text, None, None
    optimal = _CLP_OPTIMAL.search(log)
    if optimal and not is_mip:
        value = float(optimal.group(1))
        return "optimal", "Optimal", value, value
    other = _CLP_OTHER.search(log)
    if other:
        text = other.group(1)
        if "infeasible" in text.lower():
            return "infeasible", text, None, None
        if "time" in text:
            return "time_limit", text, None, None
        return "error", text, None, None
    return "error", "CBC's log has no result line", None, None


def _cbc(prob, time_limit: float | None, mip_gap: float, *, check: bool,
         options: tuple[str, ...] = ()) -> SolveOutcome:
    import pulp

    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    with tempfile.TemporaryDirectory(prefix="workbench-cbc-") as tmp:
        log_path = Path(tmp) / "cbc.log"
        with warnings.catch_warnings():  # PuLP 3 warns that the bundled CBC goes away in PuLP 4
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, msg=False,
                                timeLimit=time_limit, gapRel=mip_gap, logPath=str(log_path),
                                options=list(options))
        start = time.perf_counter()
        try:
            prob.solve(cmd)
        except pulp.PulpSolverError as exc:
            return SolveOutcome("error", None, None, None, time.perf_counter() - start, "cbc",
                                time_limit, mip_gap, f"CBC failed on model {prob.name!r}: {exc}")
        seconds = time.perf_counter() - start
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    status, text, objective, bound = _cbc_status(log, bool(prob.isMIP()))
    has_point = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if status == "infeasible":
        return SolveOutcome(status, None, None, None, seconds, "cbc", time_limit, mip_gap, text)
    if status == "error" or (status in ("optimal", "feasible") and not has_point):
        return SolveOutcome("error", None, None, None, seconds, "cbc", time_limit, mip_gap,
                            f"CBC stopped ({text}) with no usable plan; check the model data for "
                            "NaN or huge coefficients")
    # CBC's figures leave out the objective's constant term (PuLP does not pass it)
    objective = objective + constant if (objective is not None and has_point) else None
    bound = bound + constant if bound is not None else None
    outcome = SolveOutcome(status, objective, bound, relative_gap(objective, bound), seconds,
                           "cbc", time_limit, mip_gap, text)
    return _checked_pulp(prob, outcome) if check else outcome
