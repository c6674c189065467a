"""Allocating a traffic budget across channels against an ROI target, with PuLP.

Three modes over the same model (``mode``):

``budget``      maximize GMV with total spend <= ``budget`` and total GMV / spend >= ``min_roi``;
``max_spend``   the largest total spend (and its allocation) that keeps GMV / spend >= ``min_roi``;
``gmv_target``  the least total spend whose GMV reaches ``gmv_target`` with GMV / spend >= ``min_roi``.

The ROI constraint is linear: ``GMV - min_roi * spend >= 0``. Each channel's Hill curve is
replaced by a piecewise-linear lower approximation (:mod:`workbench.budget.pwl`) within
``tolerance`` x the channel's GMV at its largest allowed spend: concave curves give a linear
program, S-shaped ones add binaries that fill the convex stretch in order (incremental MILP
formulation). Because the approximation never exceeds the curve, every constraint holds on the
true curves, and the plan's true GMV is within ``approximation_error`` of the true optimum.
Reported spend is exact; reported GMV, ROI and marginal ROI are the true curves' values.

Money is in one currency unit throughout (CNY unless the caller's curves say otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from workbench.budget.curves import HillCurve
from workbench.budget.pwl import PiecewiseLinear, piecewise_linear_many
from workbench.budget.solver import SOLVERS, SolveInfo, solve
from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError, ParameterError

MODES = ("budget", "max_spend", "gmv_target")
REQUIRED_COLUMNS = ("channel", "vmax", "k", "s", "min_spend", "max_spend")
OPTIONAL_COLUMNS = ("min_roi", "min_marginal_roi", "label")
DEFAULT_TOLERANCE = 1e-4
_BINDING_RTOL = 1e-7


# --------------------------------------------------------------------------- input table

def validate_channels(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check a channel table and return it with float columns and optional columns filled.

    Columns: ``channel, vmax, k, s, min_spend, max_spend`` (money in one currency unit, ``s``
    unitless) and optionally ``min_roi`` (floor on the channel's GMV / spend),
    ``min_marginal_roi`` (floor on its marginal ROI: caps spend where the next unit returns
    less) and ``label``. Raises :class:`DataValidationError` naming the file, line and column.
    """
    src = source or frame.attrs.get("source", "<channel table>")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{src}: missing column(s) {missing}; a channel table needs {', '.join(REQUIRED_COLUMNS)}")
    unknown = [c for c in frame.columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise DataValidationError(
            f"{src}: unknown column(s) {unknown}; allowed are {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    if len(frame) == 0:
        raise DataValidationError(f"{src}: the channel table has no rows")
    out = frame.copy()
    names = out["channel"]
    blank = names.isna() | (names.astype(str).str.strip() == "")
    if blank.any():
        raise DataValidationError(f"{src}: column 'channel' is empty at {describe_rows(out, blank)}")
    out["channel"] = names.astype(str).str.strip()
    dup = out["channel"].duplicated(keep=False)
    if dup.any():
        raise DataValidationError(
            f"{src}: channel {out.loc[dup, 'channel'].iloc[0]!r} appears more than once ({describe_rows(out, dup)}); "
            f"give each channel one row")
    for col in REQUIRED_COLUMNS[1:] + ("min_roi", "min_marginal_roi"):
        if col not in out.columns:
            out[col] = np.nan
            continue
        raw = out[col]
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = values.isna() & raw.notna()
        if bad.any():
            raise DataValidationError(
                f"{src}: column {col!r} has non-numeric values at {describe_rows(out, bad)} "
                f"(e.g. {raw[bad].iloc[0]!r})")
        out[col] = values
    for col in ("vmax", "k", "s", "max_spend"):
        bad = ~(np.isfinite(out[col]) & (out[col] > 0))
        if bad.any():
            raise DataValidationError(
                f"{src}: column {col!r} must be a positive finite number at {describe_rows(out, bad)} "
                f"(got {frame[col][bad].iloc[0]!r})")
    bad = ~(np.isfinite(out["min_spend"]) & (out["min_spend"] >= 0))
    if bad.any():
        raise DataValidationError(
            f"{src}: column 'min_spend' must be a number >= 0 at {describe_rows(out, bad)} "
            f"(got {frame['min_spend'][bad].iloc[0]!r})")
    bad = out["min_spend"] > out["max_spend"]
    if bad.any():
        raise DataValidationError(
            f"{src}: min_spend is above max_spend at {describe_rows(out, bad)}; swap or fix them")
    for col in ("min_roi", "min_marginal_roi"):
        bad = out[col].notna() & ~(np.isfinite(out[col]) & (out[col] >= 0))
        if bad.any():
            raise DataValidationError(
                f"{src}: column {col!r} must be empty or a number >= 0 at {describe_rows(out, bad)}")
    if "label" not in out.columns:
        out["label"] = out["channel"]
    out["label"] = out["label"].fillna(out["channel"]).astype(str)
    return out[list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- results

@dataclass
class Infeasibility:
    """Why no plan meets the rules, and the best that can be had instead.

    ``kind``: ``bounds`` (channel minimums exceed the budget or a channel's own maximum),
    ``gmv_target`` (unreachable even at every channel's maximum), ``channel_roi`` (a channel's
    ROI floor cannot hold at its minimum spend) or ``roi`` (no spend keeps total ROI at target).
    """

    kind: str
    reason: str
    channels: list[str] = field(default_factory=list)
    best_roi: float | None = None
    best_roi_spend: float | None = None
    best_roi_gmv: float | None = None
    best_plan: dict[str, float] | None = None
    max_gmv: float | None = None

    def to_dict(self) -> dict:
        return {k: _json_number(v) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass
class Allocation:
    """A solved allocation; ``channels`` has one row per channel (money in the input's unit).

    Channel columns: ``channel, label, spend, gmv, roi, marginal_roi, min_spend, max_spend``
    (``max_spend`` after any marginal-ROI cap), ``binding`` (the channel bound that binds, or
    empty), ``segments`` and ``approximation_error`` (GMV).
    """

    status: str
    mode: str
    solver: str
    min_roi: float | None
    budget: float | None
    gmv_target: float | None
    tolerance: float
    objective: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
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
        return self.status != "infeasible"

    def describe(self) -> str:
        """A few lines for a terminal: the answer, what binds, the budget's price, the channels."""
        if not self.feasible:
            text = f"infeasible ({self.infeasibility.kind}): {self.infeasibility.reason}"
            if self.infeasibility.best_plan:
                plan = ", ".join(f"{k} {_money(v)}" for k, v in self.infeasibility.best_plan.items())
                text += f"\nbest-ROI plan: {plan}"
            return text
        roi_rule = f" (target >= {self.min_roi:g})" if self.min_roi is not None else ""
        lines = [
            f"{self.status}: spend {_money(self.total_spend)}, GMV {_money(self.total_gmv)}, "
            f"ROI {self.roi:.3f}{roi_rule}" if self.roi is not None else f"{self.status}: nothing spent",
            f"binding: {', '.join(self.binding) or 'nothing'}",
        ]
        if self.budget_shadow_price is not None:
            lines.append(f"budget shadow price: one more yuan buys {self.budget_shadow_price:.3f} GMV")
        gap = "n/a" if self.gap is None else f"{self.gap:.1e}"
        lines.append(f"curve approximation error <= {_money(self.approximation_error)} GMV; "
                     f"{self.solver} {self.solve_seconds:.3f} s, gap {gap}")
        table = self.channels[["channel", "spend", "gmv", "roi", "marginal_roi", "binding"]].copy()
        for col in ("spend", "gmv"):
            table[col] = table[col].map(_money)
        lines.append(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready dict: totals, solver facts and ``channels`` keyed by channel name."""
        out = {
            "status": self.status,
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
            "solver": self.solver,
            "objective": self.objective,
            "gap": self.gap,
            "solve_seconds": self.solve_seconds,
            "tolerance": self.tolerance,
            "approximation_error": self.approximation_error,
            "infeasibility": self.infeasibility.to_dict() if self.infeasibility else None,
            "channels": {},
        }
        for row in self.channels.to_dict("records"):
            name = row.pop("channel")
            out["channels"][name] = {k: (v or None) if k == "binding" else v for k, v in row.items()}
        return _json_clean(out)


def _json_number(value):
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _json_clean(value):
    if isinstance(value, dict):
        return {k: _json_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_clean(v) for v in value]
    return _json_number(value)


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

def _money(x: float) -> str:
    return f"{x:,.0f}"


def _prepare(table: pd.DataFrame, *, budget: float | None, tolerance: float) -> tuple[_Channels, list[str]]:
    """Effective spend ranges (marginal-ROI caps, the budget) and reasons a range is empty."""
    curves = [HillCurve(float(r.vmax), float(r.k), float(r.s)) for r in table.itertuples()]
    lo = table["min_spend"].to_numpy(float)
    hi = table["max_spend"].to_numpy(float).copy()
    source = ["max_spend"] * len(hi)
    limit = hi.copy()
    empty = []
    for c, (curve, floor) in enumerate(zip(curves, table["min_marginal_roi"])):
        if np.isfinite(floor):
            cap = curve.spend_at_marginal(float(floor))
            if cap < hi[c]:
                hi[c], source[c] = cap, "min_marginal_roi"
        limit[c] = hi[c]
        if budget is not None and budget < hi[c]:
            hi[c], source[c] = budget, "budget"
        if lo[c] > hi[c]:
            why = {"max_spend": f"max_spend {_money(hi[c])}",
                   "min_marginal_roi": f"the spend {_money(hi[c])} where its marginal ROI falls to "
                                       f"min_marginal_roi {floor:g}",
                   "budget": f"the budget {_money(hi[c])}"}[source[c]]
            empty.append(f"channel {table['channel'][c]!r}: min_spend {_money(lo[c])} is above {why}")
    ch = _Channels(list(table["channel"]), list(table["label"]), curves, lo, np.maximum(hi, lo), source,
                   limit, table["min_roi"].to_numpy(float))
    if not empty:
        tol = tolerance * np.array([max(float(c.gmv(h)), 1e-12) for c, h in zip(curves, ch.hi)])
        ch.pwls = piecewise_linear_many(curves, ch.lo, ch.hi, tol)
    return ch, empty


def _check_arguments(mode, budget, gmv_target, min_roi, solver, tolerance):
    if mode not in MODES:
        raise ParameterError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if solver not in SOLVERS:
        raise ParameterError(f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
    if mode == "budget" and (budget is None or not np.isfinite(budget) or budget < 0):
        raise ParameterError(f"mode 'budget' needs a budget >= 0, got {budget!r}")
    if mode == "gmv_target" and (gmv_target is None or not np.isfinite(gmv_target) or gmv_target <= 0):
        raise ParameterError(f"mode 'gmv_target' needs a gmv_target > 0, got {gmv_target!r}")
    if mode == "max_spend" and min_roi is None:
        raise ParameterError("mode 'max_spend' needs min_roi: without an ROI floor the answer is every max_spend")
    if min_roi is not None and not (np.isfinite(min_roi) and min_roi >= 0):
        raise ParameterError(f"min_roi must be a number >= 0, got {min_roi!r}")
    if not (0 < tolerance < 1):
        raise ParameterError(f"tolerance must be in (0, 1) (relative GMV error per channel), got {tolerance!r}")


def allocate(channels: pd.DataFrame, *, mode: str = "budget", budget: float | None = None,
             gmv_target: float | None = None, min_roi: float | None = None, solver: str = "highs",
             tolerance: float = DEFAULT_TOLERANCE, time_limit: float = 60.0) -> Allocation:
    """Solve one allocation (see the module docstring for the modes).

    ``channels`` is a channel table (:func:`validate_channels`); ``budget`` and ``gmv_target``
    are money, ``min_roi`` a GMV / spend ratio (``None``: no ROI rule, allowed in modes
    ``budget`` and ``gmv_target``); ``tolerance`` is each curve's approximation error relative
    to its GMV at its largest allowed spend; ``time_limit`` in seconds per solve.
    An unreachable target is not an error: the result has status ``infeasible`` and an
    :class:`Infeasibility` saying why and what is achievable.
    """
    _check_arguments(mode, budget, gmv_target, min_roi, solver, tolerance)
    table = validate_channels(channels)
    ch, empty = _prepare(table, budget=budget if mode == "budget" else None, tolerance=tolerance)
    result = Allocation("infeasible", mode, solver, min_roi, budget, gmv_target, tolerance)
    if empty:
        result.infeasibility = Infeasibility("bounds", "; ".join(empty),
                                             [c for c in ch.names if any(f"{c!r}" in e for e in empty)])
        return result
    result.approximation_error = float(sum(p.error for p in ch.pwls))
    pre = _precheck(ch, mode, budget, gmv_target)
    if pre is not None:
        result.infeasibility = pre
        return result

    model = _model_with_rules(ch, mode, budget, gmv_target)
    if min_roi is not None:
        model.prob += model.total_gmv - float(min_roi) * model.total_spend >= 0, "total_roi"
    info = solve(model.prob, solver, time_limit)
    spend, model_gmv = model.values() if info.status != "infeasible" else (None, None)
    positive_needed = min_roi is not None and (mode != "budget" or budget > 0)
    if info.status == "infeasible" or (positive_needed and spend.sum() <= _tiny(ch) and ch.lo.sum() == 0):
        result.infeasibility = _diagnose(ch, mode, budget, gmv_target, min_roi, solver, time_limit)
        result.solve_seconds = info.seconds
        return result
    objective = None if info.objective is None else info.objective * model.unit
    _fill(result, ch, info, objective, spend, model_gmv)
    return result


def _tiny(ch: _Channels) -> float:
    return _BINDING_RTOL * max(float(ch.hi.sum()), 1.0)


def _model_with_rules(ch: _Channels, mode: str, budget, gmv_target) -> _PlanModel:
    """The model with its objective and every rule except the total ROI floor."""
    model = _PlanModel(ch)
    prob = model.prob
    if mode == "budget":
        prob.sense = pulp.LpMaximize
        prob.setObjective(model.total_gmv)
        prob += model.total_spend <= float(budget) / model.unit, "budget"
    elif mode == "max_spend":
        prob.sense = pulp.LpMaximize
        prob.setObjective(model.total_spend)
    else:
        prob.sense = pulp.LpMinimize
        prob.setObjective(model.total_spend)
        prob += model.total_gmv >= float(gmv_target) / model.unit, "gmv_target"
    return model


def _precheck(ch: _Channels, mode, budget, gmv_target) -> Infeasibility | None:
    """Infeasibility visible without a solve: minimums over the budget, an unreachable GMV."""
    if mode == "budget" and ch.lo.sum() > budget:
        order = np.argsort(-ch.lo)
        named = [f"{ch.names[i]} {_money(ch.lo[i])}" for i in order if ch.lo[i] > 0]
        return Infeasibility(
            "bounds",
            f"channel minimums add up to {_money(ch.lo.sum())}, more than the budget {_money(budget)} "
            f"(min_spend: {', '.join(named)}); lower them or raise the budget",
            [ch.names[i] for i in order if ch.lo[i] > 0])
    if mode == "gmv_target":
        reachable = float(sum(p.y[-1] for p in ch.pwls))
        true_max = float(ch.gmv(ch.hi).sum())
        if reachable < gmv_target:
            return Infeasibility(
                "gmv_target",
                f"the GMV target {_money(gmv_target)} is out of reach: every channel at its maximum "
                f"spend ({_money(ch.hi.sum())} in total) gives {_money(true_max)}",
                list(ch.names), max_gmv=true_max)
    return None


def _diagnose(ch: _Channels, mode, budget, gmv_target, min_roi, solver, time_limit) -> Infeasibility:
    """Say which rule cannot hold and what is achievable: the best ROI and its spend."""
    model = _model_with_rules(ch, mode, budget, gmv_target)
    if solve(model.prob, solver, time_limit).status == "infeasible":
        names = [n for n, p, lo, floor in zip(ch.names, ch.pwls, ch.lo, ch.min_roi)
                 if np.isfinite(floor) and lo > 0 and np.max((p.y - floor * p.x)[p.x >= lo]) < 0]
        if names:
            reason = (f"channel ROI floors cannot hold at the channels' minimum spend: "
                      f"{', '.join(names)}; lower their min_roi or min_spend")
        else:
            reason = "the channel ROI floors, bounds and targets cannot hold together; relax a min_roi"
        return Infeasibility("channel_roi", reason, names)
    best_roi, plan = _best_roi(model, solver, time_limit)
    spend = np.array([plan[n] for n in ch.names])
    gmv = float(ch.gmv(spend).sum())
    total = float(spend.sum())
    true_roi = gmv / total if total > 0 else None
    where = f" within the budget {_money(budget)}" if mode == "budget" else \
        f" while reaching GMV {_money(gmv_target)}" if mode == "gmv_target" else ""
    return Infeasibility(
        "roi",
        f"no plan keeps total ROI >= {min_roi:g}{where}: the best achievable ROI is "
        f"{true_roi:.3f} at spend {_money(total)} (GMV {_money(gmv)})" if true_roi is not None else
        f"no positive spend keeps total ROI >= {min_roi:g}",
        list(ch.names), best_roi=true_roi, best_roi_spend=total, best_roi_gmv=gmv, best_plan=plan)


def _best_roi(model: _PlanModel, solver: str, time_limit: float, max_rounds: int = 50):
    """Highest GMV / spend over the model's rules (Dinkelbach's method); ``model`` is solved.

    Each round maximizes ``GMV - r * spend`` and sets ``r`` to the plan's ratio; the ratio only
    rises and stops when no plan beats it.
    """
    spend, gmv = model.values()
    best = (gmv.sum() / spend.sum() if spend.sum() > 0 else 0.0, spend)
    model.prob.sense = pulp.LpMaximize
    for _ in range(max_rounds):
        r = best[0]
        model.prob.setObjective(model.total_gmv - r * model.total_spend)
        solve(model.prob, solver, time_limit)
        spend, gmv = model.values()
        gain = gmv.sum() - r * spend.sum()
        if spend.sum() <= _tiny(model.ch) or gain <= 1e-9 * max(gmv.sum(), 1.0):
            break
        best = (gmv.sum() / spend.sum(), spend)
    return best[0], dict(zip(model.ch.names, map(float, best[1])))


def _fill(result: Allocation, ch: _Channels, info: SolveInfo, objective: float | None,
          spend: np.ndarray, model_gmv: np.ndarray):
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
    if result.mode == "budget" and total_spend >= result.budget - tol_x:
        binding.insert(0, "budget")
    if result.mode == "gmv_target" and model_gmv.sum() <= result.gmv_target + tol_g:
        binding.insert(0, "gmv_target")
    if result.min_roi is not None and model_gmv.sum() - result.min_roi * total_spend <= tol_g:
        binding.insert(0, "min_roi")

    room = spend < ch.limit - tol_x
    next_yuan = float(marginal[room].max()) if room.any() else 0.0
    if result.mode == "budget":
        blocked = "budget" not in binding or ("min_roi" in binding and next_yuan < result.min_roi)
        result.budget_shadow_price = 0.0 if blocked else next_yuan
    result.next_yuan_gmv = next_yuan
    result.status, result.objective, result.gap = info.status, objective, info.gap
    result.solve_seconds = info.seconds
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


def budget_sweep(channels: pd.DataFrame, budgets, *, solver: str = "highs",
                 tolerance: float = DEFAULT_TOLERANCE, time_limit: float = 60.0) -> pd.DataFrame:
    """Maximum GMV at each total budget, without an ROI rule (the efficient frontier's points).

    One model is built (curves approximated up to each channel's max_spend) and re-solved with
    each budget. Returns ``budget, status, spend, gmv, roi, next_yuan_gmv, solve_seconds`` plus
    one ``spend[<channel>]`` column per channel; budgets below the channel minimums are rows
    with status ``infeasible`` and empty figures.
    """
    _check_arguments("budget", 0.0, None, None, solver, tolerance)
    table = validate_channels(channels)
    ch, _ = _prepare(table, budget=None, tolerance=tolerance)
    budgets = np.asarray(budgets, dtype=float)
    if budgets.ndim != 1 or len(budgets) == 0 or np.any(~np.isfinite(budgets)) or np.any(budgets < 0):
        raise ParameterError("budgets must be a non-empty list of numbers >= 0")
    model = _model_with_rules(ch, "budget", float(budgets[0]), None)
    rows = []
    for budget in budgets:
        model.prob.get_constraint_by_name("budget").changeRHS((budget - ch.lo.sum()) / model.unit)
        row = {"budget": float(budget)}
        if budget < ch.lo.sum():
            rows.append(row | {"status": "infeasible"})
            continue
        info = solve(model.prob, solver, time_limit)
        spend, _ = model.values()
        room = spend < ch.limit - _tiny(ch)
        marginal = ch.marginal(spend)
        gmv = float(ch.gmv(spend).sum())
        row |= {"status": info.status, "spend": float(spend.sum()), "gmv": gmv,
                "roi": gmv / spend.sum() if spend.sum() > 0 else np.nan,
                "next_yuan_gmv": float(marginal[room].max()) if room.any() else 0.0,
                "solve_seconds": info.seconds}
        row |= {f"spend[{n}]": float(x) for n, x in zip(ch.names, spend)}
        rows.append(row)
    return pd.DataFrame(rows)
