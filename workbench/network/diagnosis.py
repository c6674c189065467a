"""Why a network cannot keep its targets: unreachable cities, short capacity, the best
achievable promise and hot-item shares (from re-solves that maximize them), single sourcing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from workbench.network.formulation import build_network_milp, candidate_pairs
from workbench.network.params import NetworkParams, beside
from workbench.network.places import city_label, city_labels
from workbench.network.result import read_solution
from workbench.network.tables import NetworkData
from workbench.notes import figure
from workbench.optimize import solve_milp

SHOW = 15  # names listed in a reason; details carry them all


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - SHOW} more" if len(names) > SHOW else ""
    return ", ".join(names[:SHOW]) + more


def diagnose(data: NetworkData, params: NetworkParams, *, solver: str, time_limit: float | None,
             mip_gap: float) -> tuple[str, dict]:
    """``(reason, details)`` for an infeasible network.

    ``details`` may hold ``unreachable_cities`` with ``unreachable_hours`` (each one's hours to
    its nearest allowed central); ``total_units``, ``best_central_capacity``,
    ``shortfall`` (units); ``best_promise_share`` (the largest share of units that can arrive
    within the promise), ``cities_missing_promise`` (every city below 100 % in that best plan,
    most units late first) with ``units_missing_promise`` per city, ``best_plan_centrals``;
    ``best_hot_target_share``; ``single_source_conflicts`` (cities a split plan serves from
    more than one site, with the sites)."""
    pairs = candidate_pairs(data, params, enforce_promise=True)
    details: dict = {}
    reasons = []
    has_central = np.zeros(len(data.cities), bool)
    has_central[pairs.x_j] = True
    stranded = (data.hot < 1.0) & ~has_central & (data.demand > 0)
    if stranded.any() and params.promise_share >= 1.0:
        nearest = np.where(data.central_allowed[:, None], data.hours_cj, np.inf).min(axis=0)
        names = [f"{city_label(c)} ({beside(h, params.promise_hours)} h)"
                 for c, h, s in zip(data.cities, nearest, stranded, strict=True) if s]
        details["unreachable_cities"] = [c for c, s in zip(data.cities, stranded, strict=True) if s]
        details["unreachable_hours"] = {c: float(h) for c, h, s in zip(data.cities, nearest, stranded, strict=True)
                                        if s}
        reasons.append(f"{len(names)} city(ies) are beyond {params.promise_hours:g} h of every "
                       f"allowed central warehouse (nearest shown): {_listed(names)}")
    k = int(params.max_centrals)
    cap = np.where(data.central_allowed, data.central_capacity, 0.0)
    forced = cap[data.central_open].sum()
    optional = np.sort(cap[data.central_allowed & ~data.central_open])[::-1]
    best_capacity = float(forced + optional[: max(k - int(data.central_open.sum()), 0)].sum())
    total = float(data.demand.sum())
    if best_capacity < total:
        details.update(total_units=total, best_central_capacity=best_capacity,
                       shortfall=total - best_capacity)
        reasons.append(f"central capacity is short: {k} central warehouse(s) hold at most "
                       f"{figure(best_capacity)} units, demand is {figure(total)}: "
                       f"short by {figure(total - best_capacity)}")
    # the promise and hot-item re-solves allow split deliveries: what they find binds either way
    relaxed = replace(params, single_source=False)
    milp, cpairs = build_network_milp(data, relaxed, objective="promise")
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if sol.has_plan and total > 0:
        best = -sol.outcome.objective / total
        details["best_promise_share"] = float(best)
        if best < params.promise_share - 1e-6:
            result = read_solution(data, relaxed, milp, cpairs, sol, costed=False)
            cities = result.cities.assign(
                late=result.cities["units"] * (1 - result.cities["within_promise"].fillna(1.0)))
            late = cities[cities["late"] > 1e-6 * max(total, 1.0)].sort_values("late", ascending=False)
            details["cities_missing_promise"] = late["city"].tolist()
            details["units_missing_promise"] = dict(zip(late["city"], late["late"].astype(float),
                                                        strict=True))
            details["best_plan_centrals"] = result.open_centrals
            bound = "" if sol.outcome.status == "optimal" else \
                f" (search stopped: {sol.outcome.describe()})"
            reasons.append(f"best achievable: {beside(100 * best, 100 * params.promise_share, decimals=1)}"
                           f"% of units within {params.promise_hours:g} h "
                           f"(required {params.promise_share:.0%}) with centrals "
                           f"{', '.join(city_labels(result.open_centrals))}{bound}")
            if len(late):
                shown = [f"{city_label(c)} ({beside(100 * u / total, 0, decimals=1)}% of units)"
                         for c, u in zip(late["city"], late["late"], strict=True)]
                reasons.append(f"{len(late)} city(ies) miss it in that plan, "
                               f"{beside(100 * late['late'].sum() / total, 0, decimals=1)}% of all "
                               f"units: {_listed(shown)}")
    if params.hot_target_share > 0 and "cities_missing_promise" not in details:
        milp, cpairs = build_network_milp(data, relaxed, objective="hot")
        sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        hot_total = float((data.demand * data.hot).sum())
        if sol.has_plan and hot_total > 0:
            best = -sol.outcome.objective / hot_total
            details["best_hot_target_share"] = float(best)
            if best < params.hot_target_share - 1e-6:
                result = read_solution(data, relaxed, milp, cpairs, sol, costed=False)
                reasons.append(
                    f"hot-item target binds: at most {best:.1%} of hot units can arrive within "
                    f"{params.front_hours:g} h (required {params.hot_target_share:.0%}) with "
                    f"{params.max_fronts} front warehouse(s) of the allowed candidates; in that plan "
                    f"fronts {', '.join(city_labels(result.open_fronts)) or 'none'}")
    if not reasons and params.single_source:
        reasons.append(_single_source_conflicts(data, params, details, solver=solver,
                                                time_limit=time_limit, mip_gap=mip_gap))
    return "; ".join(r for r in reasons if r) or "the constraints conflict", details


def _single_source_conflicts(data, params, details, *, solver, time_limit, mip_gap) -> str:
    """Solve without single sourcing; name the cities the split plan serves from several sites."""
    split = replace(params, single_source=False)
    milp, pairs = build_network_milp(data, split)
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if not sol.has_plan:
        return ""
    result = read_solution(data, split, milp, pairs, sol)
    legs = result.flows[result.flows["leg"] != "central->front"]
    sources = legs.groupby(["target", "leg"])["source"].agg(lambda s: sorted(set(s)))
    conflicts = {f"{city_label(city)} ({leg.split('->')[0]})": city_labels(names)
                 for (city, leg), names in sources.items() if len(names) > 1}
    details["single_source_conflicts"] = conflicts
    shown = [f"{c} from {' + '.join(n)}" for c, n in conflicts.items()]
    return ("single sourcing is what cannot hold: with split deliveries a plan exists, serving "
            f"{len(conflicts)} city(ies) from more than one site: {_listed(shown)}; allow split "
            "deliveries or add capacity near these cities")
