"""A network solution read back into plain tables: flows, cities, sites, costs and coverage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.network.costs import arc_costs, cost_parts
from workbench.network.formulation import Pairs
from workbench.network.params import NetworkParams
from workbench.network.tables import NetworkData
from workbench.optimize import CarriesOutcome, Milp, MilpSolution, SolveOutcome

FLOW_TOL = 1e-7  # shares below this are solver noise
COST_RTOL = 1e-6  # reported total vs the solver's objective


@dataclass
class NetworkResult(CarriesOutcome):
    """Plain result of optimizing or evaluating a network; every table is a DataFrame.

    ``outcome``: the solve (:class:`~workbench.optimize.SolveOutcome`; ``status``,
    ``objective``, ``gap`` ... read through). ``costs``: CNY per period by part
    (:func:`workbench.network.costs.cost_parts`). ``coverage``: units-weighted shares within
    24 h, 48 h and the promise, mean and 95th-percentile hours.
    ``flows``: ``leg`` (central->city, front->city, central->front), ``source``, ``target``,
    ``units``, ``road_km``, ``hours`` (order to door; NaN for replenishment), ``cost`` (CNY).
    ``cities``: per city the units, main central and front, share from fronts, worst hours and
    the shares of its units delivered within 24 h and within the promise (of all its units:
    units not delivered count as late).
    ``sites``: per site the tier, whether open, units handled, capacity and utilization.
    """

    outcome: SolveOutcome
    open_centrals: list[str]
    open_fronts: list[str]
    costs: dict
    coverage: dict
    flows: pd.DataFrame
    cities: pd.DataFrame
    sites: pd.DataFrame
    params: NetworkParams
    reason: str = ""
    details: dict = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        """True when the result carries a checked plan (optimal, feasible or time_limit)."""
        return self.outcome.has_plan

    def to_dict(self) -> dict:
        return {
            **self.outcome.to_dict(),
            "open_centrals": self.open_centrals, "open_fronts": self.open_fronts,
            "costs": self.costs, "coverage": self.coverage, "reason": self.reason,
            "details": self.details, "params": asdict(self.params),
            "flows": self.flows.to_dict(orient="records"),
            "cities": self.cities.to_dict(orient="records"),
            "sites": self.sites.to_dict(orient="records"),
        }


def coverage_shares(hours: np.ndarray, units: np.ndarray, promise_hours: float) -> dict:
    """Shares of delivered units within 24 h, 48 h and the promise; mean and 95th-percentile
    hours (units-weighted). All ``None`` when nothing is delivered."""
    total = units.sum()
    if total <= 0:
        return {"within_24h": None, "within_48h": None, "within_promise": None,
                "mean_hours": None, "p95_hours": None}
    order = np.argsort(hours)
    cum = np.cumsum(units[order]) / total
    return {
        "within_24h": float(units[hours <= 24].sum() / total),
        "within_48h": float(units[hours <= 48].sum() / total),
        "within_promise": float(units[hours <= promise_hours].sum() / total),
        "mean_hours": float((hours * units).sum() / total),
        "p95_hours": float(hours[order][np.searchsorted(cum, 0.95 - 1e-12)]),
    }


def empty_result(outcome: SolveOutcome, params: NetworkParams, reason: str = "",
                 details: dict | None = None) -> NetworkResult:
    """A result without a plan (infeasible, error, or a time limit before any plan)."""
    return NetworkResult(outcome=outcome, open_centrals=[], open_fronts=[], costs={}, coverage={},
                         flows=pd.DataFrame(), cities=pd.DataFrame(), sites=pd.DataFrame(),
                         params=params, reason=reason or "", details=details or {})


def read_solution(data: NetworkData, params: NetworkParams, milp: Milp, pairs: Pairs,
                  sol: MilpSolution, reason: str = "", details: dict | None = None, *,
                  costed: bool = True) -> NetworkResult:
    """Turn a MILP solution into flows, city and site tables, costs and coverage.

    ``costed``: the model minimized cost, so the reported total must equal the solver's
    objective (one cost model); a mismatch makes the outcome ``error``."""
    if not sol.has_plan:
        return empty_result(sol.outcome, params, reason, details)
    v = sol.values
    y, z = milp.block(v, "central_open") > 0.5, milp.block(v, "front_open") > 0.5
    x, w, u = milp.block(v, "x"), milp.block(v, "w"), milp.block(v, "u")
    d = data.demand
    arcs = arc_costs(data, params, pairs.x_c, pairs.x_j, pairs.w_r, pairs.w_j, pairs.u_c, pairs.u_r)
    x_units, w_units = x * d[pairs.x_j], w * d[pairs.w_j]
    costs = cost_parts(data, arcs, y, z, x_units, w_units, u)
    outcome = sol.outcome
    if costed and abs(costs["total"] - outcome.objective) > COST_RTOL * max(1.0, abs(costs["total"])):
        outcome = replace(outcome, status="error", objective=None, gap=None,
                          message=f"reported cost {costs['total']:,.2f} differs from the solver's "
                                  f"objective {outcome.objective:,.2f}")
        return empty_result(outcome, params, reason, details)
    kx, kw = x > FLOW_TOL, w > FLOW_TOL
    ku = u > FLOW_TOL * max(d.max(initial=1.0), 1.0)
    cen, fro, cit = (np.asarray(n, dtype=object) for n in (data.centrals, data.fronts, data.cities))
    xc, xj, wr, wj = pairs.x_c[kx], pairs.x_j[kx], pairs.w_r[kw], pairs.w_j[kw]
    uc, ur = pairs.u_c[ku], pairs.u_r[ku]
    flows = pd.concat([
        pd.DataFrame({"leg": "central->city", "source": cen[xc], "target": cit[xj],
                      "units": x_units[kx], "road_km": data.km_cj[xc, xj],
                      "hours": data.hours_cj[xc, xj], "cost": x_units[kx] * arcs.x_total[kx]}),
        pd.DataFrame({"leg": "front->city", "source": fro[wr], "target": cit[wj],
                      "units": w_units[kw], "road_km": data.km_rj[wr, wj],
                      "hours": data.hours_rj[wr, wj], "cost": w_units[kw] * arcs.w_total[kw]}),
        pd.DataFrame({"leg": "central->front", "source": cen[uc], "target": fro[ur],
                      "units": u[ku], "road_km": data.km_cr[uc, ur], "hours": np.nan,
                      "cost": u[ku] * arcs.u_total[ku]}),
    ], ignore_index=True)
    delivered = flows[flows["leg"] != "central->front"]
    hours, units = delivered["hours"].to_numpy(float), delivered["units"].to_numpy(float)
    coverage = coverage_shares(hours, units, params.promise_hours)
    coverage["served_share"] = float(units.sum() / d.sum()) if d.sum() > 0 else None
    return NetworkResult(outcome=outcome, open_centrals=list(cen[y]), open_fronts=list(fro[z]),
                         costs=costs, coverage=coverage, flows=flows,
                         cities=_city_table(data, params, delivered),
                         sites=_site_table(data, y, z, flows), params=params,
                         reason=reason or "", details=details or {})


def _main(frame: pd.DataFrame, leg: str) -> pd.Series:
    part = frame[frame["leg"] == leg]
    return (part.sort_values("units", ascending=False).drop_duplicates("target")
            .set_index("target")["source"])


def _city_table(data: NetworkData, params: NetworkParams, delivered: pd.DataFrame) -> pd.DataFrame:
    g = delivered.assign(
        in24=delivered["units"] * (delivered["hours"] <= 24),
        in_promise=delivered["units"] * (delivered["hours"] <= params.promise_hours),
        from_front=delivered["units"] * (delivered["leg"] == "front->city"),
    ).groupby("target")
    table = pd.DataFrame({"city": data.cities, "units": data.demand}).set_index("city")
    served = g["units"].sum().reindex(table.index).fillna(0.0)
    # shares of the city's units; a city without units has no share
    units = table["units"].where(table["units"] > 0)
    table["central"] = _main(delivered, "central->city")
    table["front"] = _main(delivered, "front->city")
    table["front_share"] = g["from_front"].sum().reindex(table.index).fillna(0.0) / units
    table["worst_hours"] = g["hours"].max()
    table["within_24h"] = g["in24"].sum().reindex(table.index).fillna(0.0) / units
    table["within_promise"] = g["in_promise"].sum().reindex(table.index).fillna(0.0) / units
    table["served_share"] = served / units
    return table.reset_index()


def _site_table(data: NetworkData, y, z, flows: pd.DataFrame) -> pd.DataFrame:
    out = flows[flows["leg"] != "front->city"].groupby("source")["units"].sum()
    front_out = flows[flows["leg"] == "front->city"].groupby("source")["units"].sum()
    parts = []
    for tier, names, opened, cap, through in (
            ("central", data.centrals, y, data.central_capacity, out),
            ("front", data.fronts, z, data.front_capacity, front_out)):
        handled = through.reindex(names).fillna(0.0).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            util = np.where(np.isfinite(cap) & (cap > 0), handled / np.where(cap > 0, cap, 1), np.nan)
        parts.append(pd.DataFrame({"site": names, "tier": tier, "open": opened, "units": handled,
                                   "capacity": cap, "utilization": util}))
    return pd.concat(parts, ignore_index=True)
