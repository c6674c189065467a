"""What every optimizer answer reports about its solve: :class:`SolveOutcome`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

SOLVERS = ("highs", "cbc")
DEFAULT_SOLVER = "highs"
STATUSES = ("optimal", "feasible", "time_limit", "infeasible", "error")
SOLVED = ("optimal", "feasible", "time_limit")  # statuses that may carry a plan


@dataclass(frozen=True)
class SolveOutcome:
    """The solver's own account of one solve, checked against the plan it returned.

    * ``status``: ``optimal`` (proven within ``requested_gap``), ``feasible`` (a plan, stopped
      for a reason other than time, e.g. a solution or iteration limit), ``time_limit`` (stopped
      at ``time_limit`` seconds; ``objective`` is the incumbent if one was found),
      ``infeasible`` (no plan exists), ``error`` (the solver failed, or its plan did not pass the
      read-back check; ``message`` says why).
    * ``objective``: the objective of the returned plan, recomputed from it (model units).
    * ``bound``: the best proven bound on the objective (the solver's dual bound), or ``None``.
    * ``gap``: the MEASURED relative gap ``|objective - bound| / max(|objective|, 1e-9)`` from
      the solver's own bound (HiGHS' info, CBC's log); ``None`` when the solver gave no bound.
      Never the requested gap.
    * ``requested_gap``: the relative gap at which the solver was allowed to stop.
    * ``solve_seconds``: wall-clock seconds of the solve call; ``time_limit``: seconds or ``None``.
    * ``solver``: ``highs`` or ``cbc``; ``message``: the solver's status text or the reason of
      an ``error``.
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    solver: str
    time_limit: float | None = None
    requested_gap: float | None = None
    message: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")

    @property
    def has_plan(self) -> bool:
        """True when a checked plan came back (the objective is that plan's)."""
        return self.status in SOLVED and self.objective is not None

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    def to_dict(self) -> dict:
        """The JSON fields of every optimizer result (status first)."""
        return asdict(self)

    def describe(self) -> str:
        """One line for people: the status and, unless proven optimal, what that means."""
        gap = "unknown" if self.gap is None else f"{self.gap:.2%}"
        if self.status == "optimal":
            return f"optimal ({self.solver}, {self.solve_seconds:.1f} s, measured gap {gap})"
        if self.status == "time_limit":
            if self.objective is None:
                return (f"stopped at the time limit of {self.time_limit:g} s without a plan "
                        f"({self.solver}); raise the time limit")
            return (f"NOT proven optimal: stopped at the time limit of {self.time_limit:g} s with "
                    f"the best plan found, up to {gap} above the best possible ({self.solver})")
        if self.status == "feasible":
            return f"NOT proven optimal: a feasible plan, measured gap {gap} ({self.solver})"
        if self.status == "infeasible":
            return f"infeasible: no plan meets every constraint ({self.solver})"
        return f"error: {self.message}"


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-9)`` (HiGHS' definition); ``None`` if either is
    unknown or not finite."""
    if objective is None or bound is None or not math.isfinite(bound) or not math.isfinite(objective):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


class CarriesOutcome:
    """Mixin for result classes with an ``outcome: SolveOutcome`` attribute: reads its status,
    objective, bound, gap, solve seconds and solver through, so ``result.status`` works."""

    outcome: SolveOutcome

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def objective(self) -> float | None:
        return self.outcome.objective

    @property
    def bound(self) -> float | None:
        return self.outcome.bound

    @property
    def gap(self) -> float | None:
        return self.outcome.gap

    @property
    def solve_seconds(self) -> float:
        return self.outcome.solve_seconds

    @property
    def solver(self) -> str:
        return self.outcome.solver
