"""Allocating a traffic budget across channels against an ROI target, with PuLP.

The modes (:mod:`workbench.budget.modes`, one table) share one model:

``budget``      maximize GMV with total spend <= ``budget`` and total GMV / spend >= ``min_roi``;
``max_spend``   the largest total spend (and its allocation) that keeps GMV / spend >= ``min_roi``;
``gmv_target``  the least total spend whose GMV reaches ``gmv_target`` with GMV / spend >= ``min_roi``.

The ROI constraint is linear: ``GMV - min_roi * spend >= 0``. Each channel's Hill curve is
replaced by a piecewise-linear lower approximation (:mod:`workbench.budget.pwl`) within
``tolerance`` x the channel's GMV at its largest allowed spend: concave curves give a linear
program, S-shaped ones add binaries that fill the convex stretch in order (the incremental
MILP formulation, Dantzig 1960; Vielma, Ahmed & Nemhauser 2010, "Mixed-integer models for
nonseparable piecewise-linear optimization"). Because the approximation never exceeds the
curve, every constraint holds on the true curves, and the plan's true GMV is within
``approximation_error`` of the true optimum. Reported spend is exact; reported GMV, ROI and
marginal ROI are the true curves' values. Every plan is read back and verified
(:func:`verify_plan`) before it is reported; a plan that fails has status ``error``.

Money is in one currency unit throughout (CNY unless the caller's curves say otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import pandas as pd
import pulp

from workbench.budget.channels import ChannelSpec, as_specs
from workbench.budget.curves import HillCurve
from workbench.budget.explain import binding_words, money, shown
from workbench.budget.infeasibility import Infeasibility
from workbench.budget.modes import MODES, Mode
from workbench.budget.pwl import PiecewiseLinear, piecewise_linear_many
from workbench.data.io import json_ready
from workbench.errors import ParameterError
from workbench.optimize import DEFAULT_SOLVER, SOLVED, SOLVERS, CarriesOutcome, SolveOutcome, solve_pulp

DEFAULT_TOLERANCE = 1e-4
MIP_GAP = 1e-6  # relative MIP gap asked of the solver
_BINDING_RTOL = 1e-7
_VERIFY_RTOL = 1e-6  # read-back: constraints and objective within this share of the plan's scale


# --------------------------------------------------------------------------- results

@dataclass
class Allocation(CarriesOutcome):
    """A solved allocation; ``channels`` has one row per channel (money in the input's unit).

    ``outcome`` is the solve's :class:`~workbench.optimize.SolveOutcome` (objective and bound in
    money): ``status`` ``optimal`` / ``feasible`` / ``time_limit`` (a verified plan; ``time_limit``
    and ``feasible`` are not proven optimal, ``gap`` is the measured gap) / ``infeasible`` (see
    ``infeasibility``) / ``error`` (the solver failed, or its plan failed the read-back check of
    :func:`verify_plan`; ``outcome.message`` says why and no plan is reported). ``status``,
    ``objective``, ``gap``, ``bound``, ``solve_seconds`` and ``solver`` read through to it.

    Channel columns: ``channel, label, spend, gmv, roi, marginal_roi, min_spend, max_spend``
    (``max_spend`` after any marginal-ROI cap), ``binding`` (the channel bound that binds, or
    empty), ``segments`` and ``approximation_error`` (GMV).
    """

    outcome: SolveOutcome
    mode: str
    min_roi: float | None
    budget: float | None
    gmv_target: float | None
    tolerance: float
    total_spend: float | None = None
    total_gmv: float | None = None
    roi: float | None = None
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    binding: list[str] = field(default_factory=list)
    budget_shadow_price: float | None = None
    next_yuan_gmv: float | None = None
    approximation_error: float = 0.0
    infeasibility: Infeasibility | None = None

    @property
    def feasible(self) -> bool:
        """True when a verified plan is reported (status optimal, feasible or time_limit)."""
        return self.status in SOLVED and self.total_spend is not None

    @property
    def message(self) -> str:
        return self.outcome.message

    def describe(self) -> str:
        """A few lines for a terminal: the answer, what binds, the budget's price, the channels."""
        if self.infeasibility is not None:
            text = f"infeasible ({self.infeasibility.kind}): {self.infeasibility.text}"
            if self.infeasibility.best_plan:
                plan = ", ".join(f"{k} {money(v)}" for k, v in self.infeasibility.best_plan.items())
                text += f"\nbest-ROI plan: {plan}"
            return text
        if not self.feasible:
            return self.outcome.describe()
        roi_rule = f" (target >= {self.min_roi:g})" if self.min_roi is not None else ""
        lines = [
            f"{self.status}: spend {money(self.total_spend)}, GMV {money(self.total_gmv)}, "
            f"ROI {self.roi:.3f}{roi_rule}" if self.roi is not None else f"{self.status}: nothing spent",
            f"binding: {', '.join(self.binding) or 'nothing'}",
        ]
        if self.budget_shadow_price is not None:
            lines.append(f"budget shadow price: one more yuan buys {self.budget_shadow_price:.3f} GMV")
        lines.append(f"curve approximation error <= {money(self.approximation_error)} GMV; "
                     f"{self.outcome.describe()}")
        table = self.channels[["channel", "spend", "gmv", "roi", "marginal_roi", "binding"]].copy()
        for col in ("spend", "gmv"):
            table[col] = table[col].map(money)
        lines.append(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready dict: the solve outcome first (status, objective, bound, gap, seconds,
        solver, time limit, message), then totals and ``channels`` keyed by channel name."""
        out = self.outcome.to_dict() | {
            "mode": self.mode,
            "total_spend": self.total_spend,
            "total_gmv": self.total_gmv,
            "roi": self.roi,
            "min_roi": self.min_roi,
            "budget": self.budget,
            "gmv_target": self.gmv_target,
            "binding": self.binding,
            "budget_shadow_price": self.budget_shadow_price,
            "next_yuan_gmv": self.next_yuan_gmv,
            "tolerance": self.tolerance,
            "approximation_error": self.approximation_error,
            "infeasibility": self.infeasibility.to_dict() if self.infeasibility else None,
            "channels": {},
        }
        for row in self.channels.to_dict("records"):
            name = row.pop("channel")
            out["channels"][name] = {k: (v or None) if k == "binding" else v for k, v in row.items()}
        return json_ready(out)


# --------------------------------------------------------------------------- model

@dataclass
class _Channels:
    """Validated channel data with the effective spend range and its approximation."""

    names: list[str]
    labels: list[str]
    curves: list[HillCurve]
    lo: np.ndarray
    hi: np.ndarray
    hi_source: list[str]  # max_spend | min_marginal_roi | budget
    limit: np.ndarray  # max_spend after the marginal-ROI cap, before the budget's
    min_roi: np.ndarray
    pwls: list[PiecewiseLinear] = field(default_factory=list)

    def gmv(self, spend: np.ndarray) -> np.ndarray:
        return np.array([c.gmv(x) for c, x in zip(self.curves, spend)], dtype=float)

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        return np.array([c.marginal(x) for c, x in zip(self.curves, spend)], dtype=float)


class _PlanModel:
    """The PuLP model of spend and approximate GMV per channel (incremental formulation).

    Channel c spends ``lo + sum_i len_i d_i`` and earns ``pwl(lo) + sum_i rise_i d_i`` with
    ``0 <= d_i <= 1``; on its convex prefix binaries ``z_i`` force ``d_{i+1} <= z_i <= d_i``.
    """

    def __init__(self, ch: _Channels, name: str = "budget_allocation"):
        self.ch = ch
        # money enters the model in units of a thousandth of the largest channel range, so
        # coefficients stay near 1..1000 (CBC's preprocessing misjudges 1e8-sized rows)
        self.unit = max(float(ch.hi.max()), 1.0) / 1000.0
        self.prob = pulp.LpProblem(name, pulp.LpMaximize)
        self.fills: list[list[pulp.LpVariable]] = []
        spend_terms, gmv_terms = [], []
        self.spend, self.gmv = [], []
        for c, pwl in enumerate(ch.pwls):
            fills = [self.prob.add_variable(f"d_{c}_{i}", 0, 1) for i in range(pwl.n_segments)]
            self.fills.append(fills)
            s_terms = list(zip(fills, (pwl.lengths / self.unit).tolist()))
            g_terms = list(zip(fills, (pwl.rises / self.unit).tolist()))
            self.spend.append(pulp.LpAffineExpression(s_terms, float(ch.lo[c]) / self.unit))
            self.gmv.append(pulp.LpAffineExpression(g_terms, float(pwl.y[0]) / self.unit))
            spend_terms += s_terms
            gmv_terms += g_terms
            self._order(c, fills, pwl.convex_prefix)
        self.total_spend = pulp.LpAffineExpression(spend_terms, float(ch.lo.sum()) / self.unit)
        self.total_gmv = pulp.LpAffineExpression(gmv_terms, float(sum(p.y[0] for p in ch.pwls)) / self.unit)
        for c, floor in enumerate(ch.min_roi):
            if np.isfinite(floor):
                self.prob += self.gmv[c] - float(floor) * self.spend[c] >= 0, f"min_roi_{c}"

    def _order(self, c: int, fills: list[pulp.LpVariable], prefix: int) -> None:
        """Fill the convex prefix in order, and the concave rest only once the prefix is full.

        Binary ``z_i <= d_i`` is 1 only when segment i is full; ``d_{i+1} <= z_i`` inside the
        prefix, and every later segment ``d_j <= z_prefix``. Past the prefix slopes fall, so
        the LP itself fills those segments in order.
        """
        if prefix == 0:
            return
        for i in range(prefix + 1 if prefix + 1 < len(fills) else prefix):
            z = self.prob.add_variable(f"z_{c}_{i}", cat=pulp.LpBinary)
            self.prob += z - fills[i] <= 0, f"full_{c}_{i}"
            later = [i + 1] if i < prefix else range(prefix + 1, len(fills))
            for j in later:
                self.prob += fills[j] - z <= 0, f"after_{c}_{i}_{j}"

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """Spend per channel and its approximate GMV, from the solved fills."""
        spend, gmv = [], []
        for c, (fills, pwl) in enumerate(zip(self.fills, self.ch.pwls)):
            d = np.array([v.varValue or 0.0 for v in fills], dtype=float)
            spend.append(self.ch.lo[c] + float(d @ pwl.lengths) if len(d) else self.ch.lo[c])
            gmv.append(pwl.y[0] + float(d @ pwl.rises) if len(d) else pwl.y[0])
        return np.array(spend), np.array(gmv)


# --------------------------------------------------------------------------- allocation

def channel_caps(specs: Sequence[ChannelSpec]) -> tuple[np.ndarray, list[str]]:
    """Each channel's largest allowed spend (money) and what sets it: ``max_spend``, or
    ``min_marginal_roi`` where the marginal ROI falls to the channel's floor before that."""
    caps = np.array([c.max_spend for c in specs], dtype=float)
    source = ["max_spend"] * len(caps)
    for c, spec in enumerate(specs):
        if spec.min_marginal_roi is not None:
            capped = spec.curve.spend_at_marginal(spec.min_marginal_roi)
            if capped < caps[c]:
                caps[c], source[c] = capped, "min_marginal_roi"
    return caps, source


def _prepare(specs: Sequence[ChannelSpec], *, cap: float | None, tolerance: float) -> tuple[_Channels, list[str]]:
    """Effective spend ranges (marginal-ROI caps, ``cap``: the budget) and reasons a range is empty."""
    curves = [c.curve for c in specs]
    lo = np.array([c.min_spend for c in specs], dtype=float)
    limit, source = channel_caps(specs)
    hi = limit.copy()
    empty = []
    for c, spec in enumerate(specs):
        floor = spec.min_marginal_roi
        if cap is not None and cap < hi[c]:
            hi[c], source[c] = cap, "budget"
        if lo[c] > hi[c]:
            why = {"max_spend": f"max_spend {money(hi[c])}",
                   "min_marginal_roi": f"the spend {money(hi[c])} where its marginal ROI falls to "
                                       f"min_marginal_roi {floor:g}",
                   "budget": f"the budget {money(hi[c])}"}[source[c]]
            empty.append(f"channel {spec.name!r}: min_spend {money(lo[c])} is above {why}")
    floors = np.array([np.nan if c.min_roi is None else c.min_roi for c in specs], dtype=float)
    ch = _Channels([c.name for c in specs], [c.label for c in specs], curves, lo, np.maximum(hi, lo), source,
                   limit, floors)
    if not empty:
        tol = tolerance * np.array([max(float(c.gmv(h)), 1e-12) for c, h in zip(curves, ch.hi)])
        ch.pwls = piecewise_linear_many(curves, ch.lo, ch.hi, tol)
    return ch, empty


def _check_arguments(mode: str, min_roi, solver: str, tolerance) -> Mode:
    if mode not in MODES:
        raise ParameterError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if solver not in SOLVERS:
        raise ParameterError(f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
    spec = MODES[mode]
    if spec.needs_min_roi and min_roi is None:
        raise ParameterError(f"mode {mode!r} needs min_roi: without an ROI floor the answer is every max_spend")
    if min_roi is not None and (isinstance(min_roi, bool) or not (np.isfinite(min_roi) and min_roi >= 0)):
        raise ParameterError(f"min_roi must be a number >= 0, got {shown(min_roi)}")
    if not (0 < tolerance < 1):
        raise ParameterError(f"tolerance must be in (0, 1) (relative GMV error per channel), got {shown(tolerance)}")
    return spec


def _mode_target(mode: Mode, budget, gmv_target) -> float | None:
    """The one target the mode uses; an argument the mode does not use is refused, not ignored."""
    given = {"budget": budget, "gmv_target": gmv_target}
    value = given.pop(mode.target) if mode.target else None
    unused = [name for name, v in given.items() if v is not None]
    if unused:
        raise ParameterError(f"mode {mode.name!r} does not use {' or '.join(unused)}; "
                             f"give {mode.target or 'no target'} instead")
    try:
        mode.check_target(value)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    return None if value is None else float(value)


def allocate(channels: pd.DataFrame | Sequence[ChannelSpec], *, mode: str = "budget", budget: float | None = None,
             gmv_target: float | None = None, min_roi: float | None = None, solver: str = DEFAULT_SOLVER,
             tolerance: float = DEFAULT_TOLERANCE, time_limit: float = 60.0) -> Allocation:
    """Solve one allocation (see the module docstring and :mod:`workbench.budget.modes`).

    Parameters
    ----------
    channels : a channel table (validated by :func:`~workbench.budget.channels.validate_channels`)
        or a sequence of :class:`~workbench.budget.channels.ChannelSpec`.
    mode : ``budget`` (needs ``budget``), ``max_spend`` (needs ``min_roi``) or ``gmv_target``
        (needs ``gmv_target``); an argument the mode does not use is refused.
    budget, gmv_target : money, in the curves' unit.
    min_roi : floor on total GMV / spend (``None``: no ROI rule, allowed in modes ``budget``
        and ``gmv_target``).
    tolerance : each curve's approximation error relative to its GMV at its largest allowed spend.
    time_limit : seconds per solve.

    Returns an :class:`Allocation`. An unreachable target is not an error: the result has status
    ``infeasible`` and an :class:`Infeasibility` saying why and what is achievable; a solver
    failure or a plan that fails the read-back check (:func:`verify_plan`) has status ``error``
    and a ``message``; a time limit without a plan has status ``time_limit`` and no plan.

    Raises :class:`ParameterError` for invalid arguments and :class:`DataValidationError` for an
    invalid channel table.
    """
    spec = _check_arguments(mode, min_roi, solver, tolerance)
    target = _mode_target(spec, budget, gmv_target)
    specs = as_specs(channels)
    ch, empty = _prepare(specs, cap=target if spec.caps_channels else None, tolerance=tolerance)
    result = Allocation(_unsolved("infeasible", solver, time_limit, "found before solving"), mode, min_roi,
                        budget, gmv_target, tolerance)
    if empty:
        result.infeasibility = Infeasibility("bounds", "; ".join(empty),
                                             [c for c in ch.names if any(f"{c!r}" in e for e in empty)])
        return result
    result.approximation_error = float(sum(p.error for p in ch.pwls))
    pre = spec.precheck(ch, target)
    if pre is not None:
        result.infeasibility = pre
        return result

    model = _model_with_roi(ch, spec, target, min_roi)
    outcome = _solve(model, solver, time_limit)
    result.outcome = outcome
    if outcome.status != "infeasible" and not outcome.has_plan:  # error, or a time limit without a plan
        return result
    spend, model_gmv = model.values() if outcome.has_plan else (None, None)
    # spending nothing meets any ROI floor trivially; it answers only a zero target
    positive_needed = min_roi is not None and (target is None or target > 0)
    if outcome.status == "infeasible" or (positive_needed and spend.sum() <= _tiny(ch) and ch.lo.sum() == 0):
        def at_scale(names: set[str], t: float) -> _Channels:
            scaled = [replace(s, min_spend=s.min_spend * t) if s.name in names else s for s in specs]
            return _prepare(scaled, cap=target if spec.caps_channels else None, tolerance=tolerance)[0]

        result.infeasibility = _diagnose(ch, spec, target, min_roi, solver, time_limit, at_scale)
        result.binding = list(result.infeasibility.binding)
        result.outcome = replace(outcome, status="infeasible", objective=None, bound=None, gap=None,
                                 message=f"{result.infeasibility.kind}: {result.infeasibility.text}")
        return result
    problems = verify_plan(ch, spec, target, min_roi, spend, model_gmv, outcome.objective)
    if problems:
        result.outcome = replace(outcome, status="error", objective=None, gap=None,
                                 message=f"{solver}'s plan failed the read-back check: " + "; ".join(problems))
        return result
    _fill(result, ch, spec, target, spend, model_gmv)
    return result


def _unsolved(status: str, solver: str, time_limit: float | None, message: str) -> SolveOutcome:
    """The outcome of an answer found without calling the solver (e.g. minimums above the budget)."""
    return SolveOutcome(status, None, None, None, 0.0, solver, time_limit, MIP_GAP, message)


def _solve(model: _PlanModel, solver: str, time_limit: float | None) -> SolveOutcome:
    """Solve ``model`` on the shared solver layer; objective and bound come back in money."""
    # CBC 2.10's integer preprocessing wrongly declares some of these models infeasible
    # (ordering binaries over zero-slope tangent segments); the models are small without it
    outcome = solve_pulp(model.prob, solver=solver, time_limit=time_limit, mip_gap=MIP_GAP, threads=1,
                         cbc_options=("preprocess off",))
    scale = lambda v: None if v is None else v * model.unit  # noqa: E731
    return replace(outcome, objective=scale(outcome.objective), bound=scale(outcome.bound))


def _tiny(ch: _Channels) -> float:
    return _BINDING_RTOL * max(float(ch.hi.sum()), 1.0)


def _model_with_roi(ch: _Channels, mode: Mode, target: float | None, min_roi: float | None) -> _PlanModel:
    """``_model_with_rules`` and, unless ``min_roi`` is None, the total ROI floor
    (total GMV - min_roi x total spend >= 0, the constraint named ``total_roi``)."""
    model = _model_with_rules(ch, mode, target)
    if min_roi is not None:
        model.prob += model.total_gmv - float(min_roi) * model.total_spend >= 0, "total_roi"
    return model


def _model_with_rules(ch: _Channels, mode: Mode, target: float | None) -> _PlanModel:
    """The model with the mode's objective and every rule except the total ROI floor."""
    model = _PlanModel(ch)
    mode.set_objective(model)
    mode.constrain(model, target)
    return model


def _diagnose(ch: _Channels, mode: Mode, target, min_roi, solver, time_limit, at_scale) -> Infeasibility:
    """Say which rule cannot hold, what is achievable (the best ROI and its plan), which rules
    hold the best ROI below the target (:func:`_limits_at_best`) and, when channel minimums do,
    how far they must fall (:func:`_minimum_scale`; ``at_scale(names, t)`` rebuilds the channels
    with those channels' minimums times ``t``)."""
    model = _model_with_rules(ch, mode, target)
    first = _solve(model, solver, time_limit)
    if first.status == "infeasible":
        names = [n for n, p, lo, floor in zip(ch.names, ch.pwls, ch.lo, ch.min_roi)
                 if np.isfinite(floor) and lo > 0 and np.max((p.y - floor * p.x)[p.x >= lo]) < 0]
        if names:
            reason = (f"channel ROI floors cannot hold at the channels' minimum spend: "
                      f"{', '.join(names)}; lower their min_roi or min_spend")
        else:
            reason = "the channel ROI floors, bounds and targets cannot hold together; relax a min_roi"
        return Infeasibility("channel_roi", reason, names)
    if not first.has_plan:
        return Infeasibility("roi", f"no plan keeps total ROI >= {min_roi:g}{mode.within(target)}; the best "
                                   f"achievable ROI is unknown: {first.describe()}", list(ch.names))
    _, plan = _best_roi(model, solver, time_limit)
    spend = np.array([plan[n] for n in ch.names])
    gmv = float(ch.gmv(spend).sum())
    total = float(spend.sum())
    if total <= 0:
        return Infeasibility("roi", f"no positive spend keeps total ROI >= {min_roi:g}", list(ch.names))
    true_roi = gmv / total
    binding = _limits_at_best(ch, mode, target, spend, true_roi)
    held = (f", held there by {binding_words(binding)}" if binding else
            ": no rule holds it there, the response curves themselves return less")
    reason = (f"no plan keeps total ROI >= {min_roi:g}{mode.within(target)}: the best achievable ROI is "
              f"{true_roi:.3f} at spend {money(total)} (GMV {money(gmv)}){held}")
    floors = [b[b.index("[") + 1:-1] for b in binding if b.startswith("min_spend[")]
    scale, advice = None, ""
    if floors:
        scale = _minimum_scale(lambda t: at_scale(set(floors), t), mode, target, min_roi, solver, time_limit)
        lows = {n: lo for n, lo in zip(ch.names, ch.lo)}
        advice = (f"lowering those minimums alone does not reach ROI {min_roi:g}" if scale == 0 else
                  f"ROI >= {min_roi:g} becomes achievable with those minimums at {scale:.4f} x their values "
                  f"or lower (" + ", ".join(f"{n} {money(lows[n] * scale)}" for n in floors) + ")")
    return Infeasibility("roi", reason, [n for n in ch.names if any(b.endswith(f"[{n}]") for b in binding)] or
                         list(ch.names), best_roi=true_roi, best_roi_spend=total, best_roi_gmv=gmv, best_plan=plan,
                         binding=binding, min_scale=scale, advice=advice)


def _limits_at_best(ch: _Channels, mode: Mode, target: float | None, spend: np.ndarray, roi: float) -> list[str]:
    """The rules that hold the best-ROI plan ``spend`` (ROI ``roi``) where it is, in
    :attr:`Allocation.binding`'s terms.

    The plan maximizes ``GMV - roi * spend`` (Dinkelbach's optimality condition), so a rule binds
    when moving past it alone would raise that value on the true curves, i.e. raise the ROI: a
    channel at its minimum that earns more per yuan below it (``min_spend[c]``), one at its
    maximum that earns more above it (``max_spend[c]`` / ``min_marginal_roi[c]``, up to 4 x the
    cap), one held inside its range by its own ROI floor (``min_roi[c]``), the budget when a
    channel with room would add GMV at more than ``roi`` per yuan, and a GMV target the plan
    only just reaches (within the curves' approximation error). Checked on a 64-point grid per
    channel (exact for the concave curves, and finds the S-shaped curves' better points too).
    """
    tol_x = _tiny(ch)
    eps = 1e-7 * max(float(ch.gmv(spend).sum()), 1.0)
    value = lambda c, x: ch.curves[c].gmv(x) - roi * x  # noqa: E731
    here = [float(value(c, x)) for c, x in enumerate(spend)]
    gains = lambda c, xs: np.max(value(c, np.asarray(xs, float))) - here[c] > eps  # noqa: E731
    binding = []
    for c, name in enumerate(ch.names):
        lo, hi, x = ch.lo[c], ch.hi[c], spend[c]
        if lo > 0 and x <= lo + tol_x and gains(c, np.linspace(0.0, lo, 65)[:-1]):
            binding.append(f"min_spend[{name}]")
        elif x >= hi - tol_x and ch.hi_source[c] != "budget" and gains(c, hi * np.linspace(1.0, 4.0, 65)[1:]):
            binding.append(f"{ch.hi_source[c]}[{name}]")
        elif np.isfinite(ch.min_roi[c]) and gains(c, np.linspace(lo, hi, 65)):
            binding.append(f"min_roi[{name}]")
    if mode.target == "budget" and spend.sum() >= target - tol_x:
        room = [c for c in range(len(spend)) if spend[c] < ch.limit[c] - tol_x]
        if any(gains(c, np.linspace(spend[c], ch.limit[c], 65)[1:]) for c in room):
            binding.insert(0, "budget")
    # the plan's model GMV meets the target; its true GMV is above it by at most the approximation error
    if mode.target == "gmv_target" and \
            ch.gmv(spend).sum() <= target * (1 + 1e-6) + sum(p.error for p in ch.pwls):
        binding.insert(0, "gmv_target")
    return binding


def _minimum_scale(channels_at, mode: Mode, target, min_roi: float, solver: str, time_limit,
                   steps: int = 14) -> float:
    """The largest factor ``t`` in [0, 1] such that the rules with the binding minimums times
    ``t`` (``channels_at(t)``) admit a positive plan with total ROI >= ``min_roi``; 0.0 when not
    even ``t = 0`` does. Bisection (``steps`` halvings, 1/16384 at 14): lowering minimums only
    enlarges the set of plans, so the best ROI falls as ``t`` rises."""
    def reaches(t: float) -> bool:
        ch = channels_at(t)
        model = _model_with_roi(ch, mode, target, min_roi)
        if not _solve(model, solver, time_limit).has_plan:
            return False
        return float(model.values()[0].sum()) > _tiny(ch)

    if not reaches(0.0):
        return 0.0
    low, high = 0.0, 1.0
    for _ in range(steps):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if reaches(mid) else (low, mid)
    return low


def _best_roi(model: _PlanModel, solver: str, time_limit: float, max_rounds: int = 50):
    """Highest GMV / spend over the model's rules (Dinkelbach 1967, "On nonlinear fractional
    programming"); ``model`` is solved.

    Each round maximizes ``GMV - r * spend`` and sets ``r`` to the plan's ratio; the ratio only
    rises and stops when no plan beats it.
    """
    spend, gmv = model.values()
    best = (gmv.sum() / spend.sum() if spend.sum() > 0 else 0.0, spend)
    model.prob.sense = pulp.LpMaximize
    for _ in range(max_rounds):
        r = best[0]
        model.prob.setObjective(model.total_gmv - r * model.total_spend)
        if not _solve(model, solver, time_limit).has_plan:  # keep the best plan proven so far
            break
        spend, gmv = model.values()
        gain = gmv.sum() - r * spend.sum()
        if spend.sum() <= _tiny(model.ch) or gain <= 1e-9 * max(gmv.sum(), 1.0):
            break
        best = (gmv.sum() / spend.sum(), spend)
    return best[0], dict(zip(model.ch.names, map(float, best[1])))


def verify_plan(ch: _Channels, mode: Mode, target: float | None, min_roi: float | None, spend: np.ndarray,
                model_gmv: np.ndarray, objective: float | None) -> list[str]:
    """Read a solved plan back and check it on the true curves; return the problems found.

    Checks, each within ``1e-6`` of the plan's scale (total maximum spend, GMV at the maxima):
    every channel's spend within its bounds; the model's GMV per channel not above the true
    curve (the approximation is a lower bound, so a higher value means the solver filled
    segments out of order); the mode's rule (budget, GMV target); the total ROI floor and the
    channel ROI floors on the true curves; and the solver's objective equal to the objective
    recomputed from the plan. An empty list means the plan is verified.
    """
    tol_x = _VERIFY_RTOL * max(float(ch.hi.sum()), 1.0)
    tol_g = _VERIFY_RTOL * max(float(ch.gmv(ch.hi).sum()), 1.0)
    gmv = ch.gmv(spend)
    problems = []
    for c, name in enumerate(ch.names):
        if not (ch.lo[c] - tol_x <= spend[c] <= ch.hi[c] + tol_x):
            problems.append(f"channel {name!r} spends {money(spend[c])}, outside its range "
                            f"{money(ch.lo[c])} .. {money(ch.hi[c])}")
        if model_gmv[c] > gmv[c] + tol_g:
            problems.append(f"channel {name!r}: model GMV {money(model_gmv[c])} is above the curve's "
                            f"{money(gmv[c])} at its spend")
        if np.isfinite(ch.min_roi[c]) and gmv[c] < ch.min_roi[c] * spend[c] - tol_g:
            problems.append(f"channel {name!r}: ROI {gmv[c] / spend[c]:.4f} is below its floor {ch.min_roi[c]:g}")
    total_spend, total_gmv = float(spend.sum()), float(gmv.sum())
    broken = mode.violation(total_spend, total_gmv, target, tol_x, tol_g)
    if broken:
        problems.append(broken)
    if min_roi is not None and total_gmv < min_roi * total_spend - tol_g:
        problems.append(f"total ROI {total_gmv / total_spend:.4f} is below the target {min_roi:g}")
    recomputed = mode.objective_value(total_spend, float(model_gmv.sum()))
    scale = tol_g if mode.objective_of == "gmv" else tol_x
    if objective is not None and abs(objective - recomputed) > scale:
        problems.append(f"the solver's objective {money(objective)} differs from the plan's {money(recomputed)}")
    return problems


def _fill(result: Allocation, ch: _Channels, mode: Mode, target: float | None, spend: np.ndarray,
          model_gmv: np.ndarray):
    """Per-channel and total figures on the true curves, binding rules, the budget's price."""
    tol_x = _tiny(ch)
    for bound in (ch.lo, ch.hi):  # solver round-off at a bound, not a different plan
        spend = np.where(np.abs(spend - bound) <= tol_x, bound, spend)
    gmv = ch.gmv(spend)
    marginal = ch.marginal(spend)
    tol_g = _BINDING_RTOL * max(float(sum(p.y[-1] for p in ch.pwls)), 1.0)
    binding, per_channel = [], []
    for c, name in enumerate(ch.names):
        bound = ""
        if ch.hi[c] > ch.lo[c] and spend[c] >= ch.hi[c] - tol_x and ch.hi_source[c] != "budget":
            bound = f"{ch.hi_source[c]}[{name}]"
        elif spend[c] <= ch.lo[c] + tol_x:
            bound = f"min_spend[{name}]"
        if np.isfinite(ch.min_roi[c]) and spend[c] > tol_x and \
                model_gmv[c] - ch.min_roi[c] * spend[c] <= tol_g:
            bound = f"min_roi[{name}]" if not bound else f"{bound},min_roi[{name}]"
        per_channel.append(bound)
        binding += [b for b in bound.split(",") if b]
    total_spend, total_gmv = float(spend.sum()), float(gmv.sum())
    target_binds = mode.target is not None and mode.target_binds(
        total_spend, float(model_gmv.sum()), target, tol_x, tol_g)
    if target_binds:
        binding.insert(0, mode.target)
    if result.min_roi is not None and model_gmv.sum() - result.min_roi * total_spend <= tol_g:
        binding.insert(0, "min_roi")

    room = spend < ch.limit - tol_x
    next_yuan = float(marginal[room].max()) if room.any() else 0.0
    if mode.shadow_price:
        blocked = mode.target not in binding or ("min_roi" in binding and next_yuan < result.min_roi)
        result.budget_shadow_price = 0.0 if blocked else next_yuan
    result.next_yuan_gmv = next_yuan
    result.total_spend, result.total_gmv = total_spend, total_gmv
    result.roi = total_gmv / total_spend if total_spend > 0 else None
    result.binding = binding
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(spend > 0, gmv / np.where(spend > 0, spend, 1.0), np.nan)
    result.channels = pd.DataFrame({
        "channel": ch.names, "label": ch.labels, "spend": spend, "gmv": gmv, "roi": roi,
        "marginal_roi": marginal, "min_spend": ch.lo, "max_spend": ch.limit, "binding": per_channel,
        "segments": [p.n_segments for p in ch.pwls], "approximation_error": [p.error for p in ch.pwls],
    })


def budget_sweep(channels: pd.DataFrame | Sequence[ChannelSpec], budgets, *, solver: str = DEFAULT_SOLVER,
                 tolerance: float = DEFAULT_TOLERANCE, time_limit: float = 60.0) -> pd.DataFrame:
    """Maximum GMV at each total budget, without an ROI rule (the efficient frontier's points).

    ``budgets``: a 1-d sequence of money amounts >= 0. One model is built (curves approximated
    up to each channel's max_spend) and re-solved with each budget. Returns ``budget, status,
    spend, gmv, roi, next_yuan_gmv, solve_seconds`` plus one ``spend[<channel>]`` column per
    channel; budgets below the channel minimums are rows with status ``infeasible`` and empty
    figures; a plan that fails the read-back check is a row with status ``error``.
    """
    mode = _check_arguments("budget", None, solver, tolerance)
    specs = as_specs(channels)
    ch, _ = _prepare(specs, cap=None, tolerance=tolerance)
    budgets = np.asarray(budgets, dtype=float)
    if budgets.ndim != 1 or len(budgets) == 0 or np.any(~np.isfinite(budgets)) or np.any(budgets < 0):
        raise ParameterError("budgets must be a non-empty list of numbers >= 0")
    model = _model_with_rules(ch, mode, float(budgets[0]))
    rows = []
    for budget in budgets:
        model.prob.get_constraint_by_name("budget").changeRHS((budget - ch.lo.sum()) / model.unit)
        row = {"budget": float(budget)}
        if budget < ch.lo.sum():
            rows.append(row | {"status": "infeasible"})
            continue
        outcome = _solve(model, solver, time_limit)
        if not outcome.has_plan:
            rows.append(row | {"status": outcome.status, "solve_seconds": outcome.solve_seconds})
            continue
        spend, model_gmv = model.values()
        if verify_plan(ch, mode, float(budget), None, spend, model_gmv, outcome.objective):
            rows.append(row | {"status": "error", "solve_seconds": outcome.solve_seconds})
            continue
        room = spend < ch.limit - _tiny(ch)
        marginal = ch.marginal(spend)
        gmv = float(ch.gmv(spend).sum())
        row |= {"status": outcome.status, "spend": float(spend.sum()), "gmv": gmv,
                "roi": gmv / spend.sum() if spend.sum() > 0 else np.nan,
                "next_yuan_gmv": float(marginal[room].max()) if room.any() else 0.0,
                "solve_seconds": outcome.solve_seconds}
        row |= {f"spend[{n}]": float(x) for n, x in zip(ch.names, spend)}
        rows.append(row)
    return pd.DataFrame(rows)
