"""The allocation modes, in one table: what each optimizes, the rule it adds, what it checks
before solving, how it is labelled and how the CLI and scenario files ask for it.

=============  ==========================  ====================  ==============  ================
mode           objective                   extra rule            target          CLI flag
=============  ==========================  ====================  ==============  ================
``budget``     maximize GMV                spend <= budget       ``budget``      ``--budget B``
``max_spend``  maximize spend              (none)                (none)          ``--max-spend``
``gmv_target`` minimize spend              GMV >= gmv_target     ``gmv_target``  ``--gmv-target G``
=============  ==========================  ====================  ==============  ================

Every mode also keeps total ROI (GMV / spend) >= ``min_roi`` when one is given. To add a mode,
add a :class:`Mode` to :data:`MODES`; the allocator, scenario files, CLI and reports read it here.
The model a mode works on is duck-typed: it has ``prob`` (a PuLP problem), ``total_spend`` and
``total_gmv`` (affine expressions in model units) and ``unit`` (money per model unit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from workbench.budget.explain import money, shown

# nothing heavy at import time: the CLI builds its flags from this table


@dataclass(frozen=True)
class Mode:
    """One allocation mode (see the module table).

    ``target``: the name of the argument the mode needs (``budget`` or ``gmv_target``), or
    ``None``; ``target_positive``: the target must be > 0 (else >= 0); ``scenario_key``: the
    ``allocation`` key a scenario states the target with (``None``: the target is the area's
    amount, or there is none); ``objective_of`` (``gmv`` or ``spend``) and ``sense`` (``max`` or
    ``min``) the objective; ``constrain`` adds the rule named ``target``; ``precheck`` returns
    an :class:`Infeasibility` visible without solving; ``violation`` says how a plan (total
    spend, total true GMV, target, spend and GMV tolerances) breaks the rule, or ``None``;
    ``target_binds`` whether the rule binds at a plan (total spend, model GMV, target, spend and
    GMV tolerances); ``shadow_price`` whether the answer reports the target's shadow price;
    ``within`` words the rule for an infeasibility reason.
    """

    name: str
    title: str
    question: str
    target: str | None
    target_positive: bool
    scenario_key: str | None
    needs_min_roi: bool
    caps_channels: bool
    cli_flag: str
    cli_metavar: str | None
    cli_help: str
    objective_of: str
    sense: str
    constrain: Callable
    precheck: Callable
    violation: Callable
    target_binds: Callable
    shadow_price: bool
    within: Callable[[float | None], str]

    def set_objective(self, model) -> None:
        """Set the model's objective: ``sense`` of total ``objective_of``."""
        import pulp

        model.prob.sense = pulp.LpMaximize if self.sense == "max" else pulp.LpMinimize
        model.prob.setObjective(model.total_gmv if self.objective_of == "gmv" else model.total_spend)

    def objective_value(self, total_spend: float, total_model_gmv: float) -> float:
        """The objective of a plan, recomputed from its totals (money)."""
        return total_model_gmv if self.objective_of == "gmv" else total_spend

    def check_target(self, value: float | None) -> None:
        """Raise ``ValueError`` with a message when ``value`` is not a valid target for this mode."""
        if self.target is None:
            if value is not None:
                raise ValueError(f"mode {self.name!r} takes no target (got {shown(value)})")
            return
        if value is None or isinstance(value, bool) or not math.isfinite(value) or value < 0 \
                or (self.target_positive and value == 0):
            rule = "> 0" if self.target_positive else ">= 0"
            raise ValueError(f"mode {self.name!r} needs a {self.target} {rule}, got {shown(value)}")


def _spend_at_most(model, budget: float) -> None:
    model.prob += model.total_spend <= float(budget) / model.unit, "budget"


def _gmv_at_least(model, target: float) -> None:
    model.prob += model.total_gmv >= float(target) / model.unit, "gmv_target"


def _no_rule(model, _value) -> None:
    return None


def _minimums_within_budget(ch, budget: float):
    """Infeasibility ``bounds`` when the channel minimums add up to more than the budget."""
    from workbench.budget.infeasibility import Infeasibility

    if ch.lo.sum() <= budget:
        return None
    order = (-ch.lo).argsort()
    named = [f"{ch.names[i]} {money(ch.lo[i])}" for i in order if ch.lo[i] > 0]
    return Infeasibility(
        "bounds",
        f"channel minimums add up to {money(ch.lo.sum())}, more than the budget {money(budget)} "
        f"(min_spend: {', '.join(named)}); lower them or raise the budget",
        [ch.names[i] for i in order if ch.lo[i] > 0])


def _target_reachable(ch, target: float):
    """Infeasibility ``gmv_target`` when every channel at its maximum falls short of the target."""
    from workbench.budget.infeasibility import Infeasibility

    reachable = float(sum(p.y[-1] for p in ch.pwls))
    if reachable >= target:
        return None
    true_max = float(ch.gmv(ch.hi).sum())
    return Infeasibility(
        "gmv_target",
        f"the GMV target {money(target)} is out of reach: every channel at its maximum "
        f"spend ({money(ch.hi.sum())} in total) gives {money(true_max)}",
        list(ch.names), max_gmv=true_max)


def _nothing_to_check(_ch, _value) -> None:
    return None


MODES: dict[str, Mode] = {mode.name: mode for mode in (
    Mode("budget", "Most GMV within the budget",
         "the split of the budget that earns the most GMV with total ROI >= the target",
         target="budget", target_positive=False, scenario_key=None, needs_min_roi=False, caps_channels=True,
         cli_flag="--budget", cli_metavar="B", cli_help="maximize GMV spending at most B",
         objective_of="gmv", sense="max", constrain=_spend_at_most, precheck=_minimums_within_budget,
         violation=lambda spend, gmv, value, tol_x, tol_g:
             f"spend {money(spend)} is above the budget {money(value)}" if spend > value + tol_x else None,
         target_binds=lambda spend, gmv, value, tol_x, tol_g: spend >= value - tol_x,
         shadow_price=True, within=lambda value: f" within the budget {money(value)}"),
    Mode("max_spend", "Largest spend at the ROI target",
         "the largest total spend (and its split) that keeps total ROI >= the target",
         target=None, target_positive=False, scenario_key=None, needs_min_roi=True, caps_channels=False,
         cli_flag="--max-spend", cli_metavar=None, cli_help="the largest spend that keeps ROI >= --min-roi",
         objective_of="spend", sense="max", constrain=_no_rule, precheck=_nothing_to_check,
         violation=lambda spend, gmv, value, tol_x, tol_g: None,
         target_binds=lambda spend, gmv, value, tol_x, tol_g: False,
         shadow_price=False, within=lambda value: ""),
    Mode("gmv_target", "Least spend reaching the GMV target",
         "the least total spend whose GMV reaches the target with total ROI >= the target",
         target="gmv_target", target_positive=True, scenario_key="gmv_target", needs_min_roi=False,
         caps_channels=False, cli_flag="--gmv-target", cli_metavar="G", cli_help="the least spend reaching GMV G",
         objective_of="spend", sense="min", constrain=_gmv_at_least, precheck=_target_reachable,
         violation=lambda spend, gmv, value, tol_x, tol_g:
             f"GMV {money(gmv)} is below the target {money(value)}" if gmv < value - tol_g else None,
         target_binds=lambda spend, gmv, value, tol_x, tol_g: gmv <= value + tol_g,
         shadow_price=False, within=lambda value: f" while reaching GMV {money(value)}"),
)}
