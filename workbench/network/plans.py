"""Evaluate a given network plan and compare plans side by side.

A plan names its open central and front warehouses; evaluating it solves the same model as
:func:`~workbench.network.design.optimize_network` with exactly those sites open (every other
candidate closed), so flows and costs are the best the plan can do and the numbers compare
directly with an optimized plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.optimize import DEFAULT_SOLVER
from workbench.errors import ParameterError
from workbench.network.design import NETWORK_MIP_GAP, optimize_network
from workbench.network.params import NetworkParams
from workbench.network.places import city_labels
from workbench.network.result import NetworkResult


def fix_sites(candidates: pd.DataFrame, chosen: list[str], tier: str) -> pd.DataFrame:
    """A copy of ``candidates`` with exactly ``chosen`` must-open and every other site closed."""
    known = set(candidates["site"].astype(str))
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ParameterError(f"{tier} {', '.join(city_labels(unknown))} are not {tier} "
                             f"candidates; choose from {', '.join(city_labels(sorted(known)))}")
    dup = sorted({s for s in chosen if chosen.count(s) > 1})
    if dup:
        raise ParameterError(f"{tier} {', '.join(city_labels(dup))} named more than once")
    fixed = candidates.copy()
    opened = fixed["site"].astype(str).isin(chosen)
    fixed["must_open"] = opened
    fixed["must_close"] = ~opened
    return fixed


def evaluate_plan(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame,
                  *, plan_centrals: list[str], plan_fronts: list[str],
                  params: NetworkParams | None = None, lanes: pd.DataFrame | None = None,
                  solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
                  mip_gap: float = NETWORK_MIP_GAP) -> NetworkResult:
    """Cost, coverage and flows of the plan that opens exactly ``plan_centrals`` and ``plan_fronts``.

    Only the flows are optimized. If the plan cannot keep the promise the result is
    ``infeasible`` with the reason and the best on-time share the plan can reach.
    """
    params = params or NetworkParams()
    plan_params = NetworkParams(**{**params.__dict__, "max_centrals": len(plan_centrals),
                                   "exact_centrals": True,
                                   "max_fronts": max(len(plan_fronts), 0)})
    return optimize_network(demand, fix_sites(centrals, list(plan_centrals), "centrals"),
                            fix_sites(fronts, list(plan_fronts), "fronts"), plan_params,
                            lanes=lanes, solver=solver, time_limit=time_limit, mip_gap=mip_gap)


METRICS = (
    ("status", "status"),
    ("total cost (CNY)", "total"),
    ("fixed cost, central", "fixed_central"),
    ("fixed cost, front", "fixed_front"),
    ("delivery cost", "delivery"),
    ("line-haul cost", "linehaul"),
    ("handling cost", "handling"),
    ("units within 24 h", "within_24h"),
    ("units within 48 h", "within_48h"),
    ("units within promise", "within_promise"),
    ("mean hours to door", "mean_hours"),
    ("95th pct hours", "p95_hours"),
    ("units-weighted km to door", "mean_km"),
    ("share of units from fronts", "front_share"),
    ("max central utilization", "max_central_util"),
    ("central warehouses", "centrals"),
    ("front warehouses", "n_fronts"),
    ("gap", "gap"),
)
# How each metric is shown (workbench.reports.tables kinds): money in CNY, shares in %.
METRIC_KINDS = {"status": "text", "total": "money", "fixed_central": "money", "fixed_front": "money",
                "delivery": "money", "linehaul": "money", "handling": "money", "within_24h": "pct",
                "within_48h": "pct", "within_promise": "pct", "mean_hours": "number",
                "p95_hours": "number", "mean_km": "number", "front_share": "pct",
                "max_central_util": "pct", "centrals": "text", "n_fronts": "count", "gap": "pct:2"}


def plan_metrics(result: NetworkResult) -> dict:
    """One plan's headline numbers (cost parts in CNY, shares in [0, 1], hours, km)."""
    out = {"status": result.status, "gap": result.gap,
           "centrals": ", ".join(city_labels(result.open_centrals)), "n_fronts": len(result.open_fronts)}
    out.update(result.costs)
    out.update(result.coverage)
    if result.feasible:
        delivered = result.flows[result.flows["leg"] != "central->front"]
        units = delivered["units"].sum()
        out["mean_km"] = float((delivered["road_km"] * delivered["units"]).sum() / units)
        out["front_share"] = float(delivered.loc[delivered["leg"] == "front->city", "units"].sum()
                                   / units)
        util = result.sites.loc[(result.sites["tier"] == "central") & result.sites["open"],
                                "utilization"]
        out["max_central_util"] = float(util.max()) if util.notna().any() else np.nan
    return out


def compare_plans(results: dict[str, NetworkResult]) -> pd.DataFrame:
    """Side-by-side table: one row per metric of :data:`METRICS`, one column per named plan."""
    metrics = {name: plan_metrics(r) for name, r in results.items()}
    return pd.DataFrame(
        {name: [m.get(key) for _, key in METRICS] for name, m in metrics.items()},
        index=[label for label, _ in METRICS],
    )


def hours_distribution(results: dict[str, NetworkResult],
                       bins=(0, 12, 24, 36, 48, 60, 72, np.inf)) -> pd.DataFrame:
    """Share of delivered units per band of order-to-door hours, one column per plan."""
    labels = [f"<= {int(b)} h" if np.isfinite(b) else f"> {int(bins[-2])} h" for b in bins[1:]]
    out = {}
    for name, r in results.items():
        if not r.feasible:
            continue
        delivered = r.flows[r.flows["leg"] != "central->front"]
        band = pd.cut(delivered["hours"], bins=list(bins), labels=labels, include_lowest=True)
        out[name] = delivered.groupby(band, observed=False)["units"].sum() / delivered["units"].sum()
    return pd.DataFrame(out)


def coverage_by_region(result: NetworkResult, demand: pd.DataFrame,
                       hours: tuple[float, ...] = (24.0, 72.0)) -> pd.DataFrame:
    """Per region: ``units`` and, for each ``h`` in ``hours``, ``within_{h}h``: the share of the
    region's units (demand, units per period) delivered within ``h`` order-to-door hours in
    ``result``'s plan. Units not delivered count as late. ``demand`` has ``city, region,
    demand``; cities without a region are grouped as ``(no region)``. Empty when the result has
    no plan."""
    if not result.feasible:
        return pd.DataFrame(columns=["units", *[f"within_{h:g}h" for h in hours]])
    region = demand.set_index("city")["region"].fillna("(no region)")
    units = demand.set_index("city")["demand"]
    delivered = result.flows[result.flows["leg"] != "central->front"]
    out = pd.DataFrame({"units": units.groupby(region).sum()})
    for h in hours:
        on_time = delivered[delivered["hours"] <= h + 1e-9].groupby("target")["units"].sum()
        by_region = on_time.reindex(units.index).fillna(0.0).groupby(region).sum()
        out[f"within_{h:g}h"] = by_region / out["units"].where(out["units"] > 0)
    out.index.name = "region"
    return out
