"""The workbench's one solver layer: model building, solving, honest status, measured gap, time
limit and the read-back check, shared by the network and the budget optimizers.

Two kinds of model, one outcome type:

* Sparse matrix models (the network): build a :class:`Milp` with :class:`MilpBuilder`
  (``add_vars(name, n, cost=, lower=, upper=, integer=)`` and ``add_rows(name, n, rows, cols,
  vals, lower=, upper=)``, then ``build()``), solve with :func:`solve_milp`, read values by
  block name with ``milp.block(solution.values, name)``::

      b = MilpBuilder()
      y = b.add_vars("open", 3, cost=[5, 6, 7], upper=1, integer=True)
      b.add_rows("at_least_one", 1, [0, 0, 0], y, 1.0, lower=1.0)
      milp = b.build()
      sol = solve_milp(milp, time_limit=60)          # HiGHS unless solver="cbc"
      if sol.has_plan: opened = milp.block(sol.values, "open") > 0.5
      sol.outcome.status, sol.outcome.gap           # "optimal", 0.0

* PuLP models (the budget): build a ``pulp.LpProblem`` as usual and call :func:`solve_pulp`;
  it solves in place and returns the :class:`SolveOutcome`; read ``v.varValue`` only when
  ``outcome.has_plan``::

      outcome = solve_pulp(prob, solver="highs", time_limit=60, mip_gap=1e-6)
      if outcome.status == "infeasible": ...         # an answer, diagnose it
      elif outcome.status == "error": raise SolverError(outcome.message)

Every solve returns a :class:`SolveOutcome` (``status`` optimal | feasible | time_limit |
infeasible | error, ``objective``, ``bound``, measured ``gap``, ``solve_seconds``, ``solver``,
``time_limit``, ``requested_gap``, ``message``); results embed it (``result.outcome``) and put
``outcome.to_dict()`` first in their JSON. Status comes from the solver's own status (HiGHS'
model status, CBC's result line), never from elapsed time; the gap is measured from the
solver's bound, never the requested one; a plan whose recomputed objective differs from the
solver's, or that breaks a bound, an integrality or a row beyond tolerance
(:mod:`workbench.optimize.check`), is ``error`` with the reason, never ``optimal``.
:data:`DEFAULT_SOLVER` (HiGHS) is the default of every command and report.
"""

from workbench.optimize.milp import Milp, MilpBuilder, to_pulp
from workbench.optimize.outcome import (DEFAULT_SOLVER, SOLVED, SOLVERS, STATUSES, CarriesOutcome,
                                        SolveOutcome, relative_gap)
from workbench.optimize.solve import (DEFAULT_MIP_GAP, MilpSolution, check_solver_options,
                                      solve_milp, solve_pulp)

__all__ = [
    "DEFAULT_MIP_GAP", "DEFAULT_SOLVER", "SOLVED", "SOLVERS", "STATUSES", "CarriesOutcome", "Milp",
    "MilpBuilder", "MilpSolution", "SolveOutcome", "check_solver_options", "relative_gap",
    "solve_milp", "solve_pulp", "to_pulp",
]
