"""Generic capacitated facility location (the ``workbench network solve`` contract).

Tables (pandas frames):

* ``sites``: ``site, fixed_cost, capacity`` - capacity in demand units, NaN = unlimited.
* ``customers``: ``customer, demand`` - demand in units.
* ``costs``: ``site, customer, unit_cost`` - cost per unit shipped; a missing pair cannot be used.

Model (strong formulation), with ``x_ij`` the share of customer j's demand served by site i::

    min  sum_i f_i y_i + sum_ij u_ij d_j x_ij
    s.t. sum_i x_ij = 1                       every customer served
         sum_j d_j x_ij <= s_i y_i            capacity (capacitated sites only)
         x_ij <= y_i                          linking, keeps the LP bound tight
         sum_i y_i <= K                       optional
         y binary; x in [0, 1], binary with single sourcing

Source: the capacitated facility location problem (CFLP) in its strong form with the linking
constraints ``x_ij <= y_i`` (Cornuéjols, Nemhauser & Wolsey 1990; Beasley 1988 for the
OR-Library instances it is tested on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.network.params import shown
from workbench.notes import figure
from workbench.optimize import (DEFAULT_MIP_GAP, DEFAULT_SOLVER, CarriesOutcome, Milp,
                                MilpBuilder, MilpSolution, SolveOutcome, solve_milp)

FLOW_TOL = 1e-9  # shares below this are solver noise, not flows


@dataclass
class FacilityResult(CarriesOutcome):
    """Plain result of a facility-location solve; ``to_dict`` gives the RESULT.json content
    (the :class:`~workbench.optimize.SolveOutcome` fields first)."""

    outcome: SolveOutcome
    open_sites: list[str]
    fixed_cost: float | None
    transport_cost: float | None
    flows: pd.DataFrame  # site, customer, quantity (units), share, cost
    reason: str = ""
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            **self.outcome.to_dict(),
            "open_sites": self.open_sites,
            "fixed_cost": self.fixed_cost,
            "transport_cost": self.transport_cost,
            "reason": self.reason,
            "details": self.details,
            "flows": self.flows.to_dict(orient="records"),
        }


def _require(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}; expected {columns}")


def _check_numbers(frame, name, column, *, allow_nan=False) -> np.ndarray:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    bad = np.isnan(values) | (values < 0)
    if allow_nan:
        bad &= ~raw.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"{name}: row {row + 1}, column {column!r} = {shown(raw.iloc[row])}; "
            "expected a non-negative number" + (" (empty = unlimited)" if allow_nan else "")
        )
    return values


def _check_unique(frame, name, column) -> list[str]:
    names = frame[column].astype(str).tolist()
    index = pd.Index(names)
    if not index.is_unique:
        row = int(np.flatnonzero(index.duplicated())[0])
        raise DataValidationError(f"{name}: row {row + 1} repeats {column} {names[row]!r}; "
                                  "keep one row per key")
    return names


@dataclass(frozen=True)
class FacilityData:
    """Validated arrays behind the tables: pairs ``(pair_site[k], pair_customer[k])``."""

    sites: list[str]
    customers: list[str]
    fixed_cost: np.ndarray
    capacity: np.ndarray  # inf = unlimited
    demand: np.ndarray
    pair_site: np.ndarray
    pair_customer: np.ndarray
    unit_cost: np.ndarray


def validate_tables(sites: pd.DataFrame, customers: pd.DataFrame, costs: pd.DataFrame) -> FacilityData:
    """Check the three tables and turn them into arrays; raises :class:`DataValidationError`."""
    _require(sites, "sites", ["site", "fixed_cost", "capacity"])
    _require(customers, "customers", ["customer", "demand"])
    _require(costs, "costs", ["site", "customer", "unit_cost"])
    site_names = _check_unique(sites, "sites", "site")
    customer_names = _check_unique(customers, "customers", "customer")
    fixed = _check_numbers(sites, "sites", "fixed_cost")
    capacity = _check_numbers(sites, "sites", "capacity", allow_nan=True)
    demand = _check_numbers(customers, "customers", "demand")
    unit_cost = _check_numbers(costs, "costs", "unit_cost")
    site_pos = pd.Index(site_names).get_indexer(costs["site"].astype(str))
    cust_pos = pd.Index(customer_names).get_indexer(costs["customer"].astype(str))
    for pos, col, table in ((site_pos, "site", "sites"), (cust_pos, "customer", "customers")):
        if (pos < 0).any():
            row = int(np.flatnonzero(pos < 0)[0])
            raise DataValidationError(f"costs: row {row + 1}, {col} {costs[col].iloc[row]!r} "
                                      f"is not in the {table} table")
    # duplicate pairs, found on integer codes (hashing string pairs is the slow part on big tables)
    pair = site_pos.astype(np.int64) * len(customer_names) + cust_pos
    order = np.argsort(pair, kind="stable")
    repeated = np.flatnonzero(np.diff(pair[order]) == 0)
    if repeated.size:
        row = int(order[repeated[0] + 1])
        raise DataValidationError(f"costs: row {row + 1} repeats ['site', 'customer'] = "
                                  f"{tuple(costs[['site', 'customer']].iloc[row])}; keep one row per key")
    return FacilityData(site_names, customer_names, fixed, np.where(np.isnan(capacity), np.inf, capacity),
                        demand, site_pos.astype(np.int64), cust_pos.astype(np.int64), unit_cost)


def build_facility_milp(data: FacilityData, *, max_open: int | None = None,
                        single_source: bool = False, packing: bool = False) -> Milp:
    """The strong facility-location MILP; blocks ``open`` (y) and ``assign`` (x, one per pair).

    ``packing=True`` is the diagnostic variant: customers may stay unserved and the model
    maximizes the units served (costs ignored), to find who does not fit."""
    m, n, p = len(data.sites), len(data.customers), data.pair_site.size
    b = MilpBuilder()
    y = b.add_vars("open", m, cost=0.0 if packing else data.fixed_cost, upper=1.0, integer=True)
    served = data.demand[data.pair_customer]
    x = b.add_vars("assign", p, cost=-served if packing else data.unit_cost * served, upper=1.0,
                   integer=single_source)
    b.add_rows("demand", n, data.pair_customer, x, 1.0, lower=0.0 if packing else 1.0, upper=1.0)
    capped = np.flatnonzero(np.isfinite(data.capacity))
    if capped.size:
        row_of_site = np.full(m, -1)
        row_of_site[capped] = np.arange(capped.size)
        use = row_of_site[data.pair_site] >= 0
        rows = np.concatenate([row_of_site[data.pair_site[use]], np.arange(capped.size)])
        cols = np.concatenate([x[use], y[capped]])
        vals = np.concatenate([data.demand[data.pair_customer[use]], -data.capacity[capped]])
        b.add_rows("capacity", capped.size, rows, cols, vals, upper=0.0)
    b.add_rows("link", p, np.r_[np.arange(p), np.arange(p)], np.r_[x, y[data.pair_site]],
               np.r_[np.ones(p), -np.ones(p)], upper=0.0)
    if max_open is not None:
        b.add_rows("max_open", 1, np.zeros(m, np.int64), y, 1.0, upper=float(max_open))
    return b.build()


def diagnose_infeasible(data: FacilityData, max_open: int | None, single_source: bool, *,
                        solver: str = DEFAULT_SOLVER, time_limit: float | None = None) -> tuple[str, dict]:
    """Why no plan exists: unreachable customers, too little capacity, or single-source packing
    (then the best packing is solved and the customers that do not fit whole are named with the
    sites they could use)."""
    reachable = np.zeros(len(data.customers), bool)
    reachable[data.pair_customer] = True
    if not reachable.all():
        names = [c for c, ok in zip(data.customers, reachable, strict=True) if not ok]
        return (f"{len(names)} customer(s) have no row in the costs table, so no site can serve "
                f"them: {', '.join(names[:20])}", {"unreachable_customers": names})
    total = float(data.demand.sum())
    k = len(data.sites) if max_open is None else min(max_open, len(data.sites))
    best_capacity = float(np.sort(data.capacity)[::-1][:k].sum())
    if best_capacity < total:
        return (f"total demand {figure(total)} exceeds the capacity of the {k} largest sites "
                f"({figure(best_capacity)}); short by {figure(total - best_capacity)} units"
                + (f" - raise --max-open above {max_open} or add capacity" if max_open else ""),
                {"total_demand": total, "best_capacity": best_capacity,
                 "shortfall": total - best_capacity})
    if single_source:
        biggest = np.zeros(len(data.customers))
        np.maximum.at(biggest, data.pair_customer, data.capacity[data.pair_site])
        too_big = [c for c, d, s in zip(data.customers, data.demand, biggest, strict=True) if d > s]
        if too_big:
            return (f"with single sourcing, {len(too_big)} customer(s) demand more than any site "
                    f"they can use can hold: {', '.join(too_big[:20])}",
                    {"customers_too_large": too_big})
        return _packing_conflict(data, max_open, solver=solver, time_limit=time_limit)
    return ("capacity, reachability and the open-site limit conflict: no plan serves every "
            "customer", {})


def _packing_conflict(data: FacilityData, max_open, *, solver, time_limit) -> tuple[str, dict]:
    milp = build_facility_milp(data, max_open=max_open, single_source=True, packing=True)
    sol = solve_milp(milp, solver=solver, time_limit=time_limit)
    total = float(data.demand.sum())
    if not sol.has_plan:
        return ("with single sourcing the demands cannot be packed into the sites' capacities "
                f"(total capacity suffices, the split does not); the packing search gave no plan "
                f"({sol.outcome.describe()}); allow split deliveries or add capacity", {})
    x = milp.block(sol.values, "assign") > 0.5
    opened = milp.block(sol.values, "open") > 0.5
    load = np.zeros(len(data.sites))
    np.add.at(load, data.pair_site[x], data.demand[data.pair_customer[x]])
    packed = np.zeros(len(data.customers), bool)
    packed[data.pair_customer[x]] = True
    left = [j for j in np.flatnonzero(~packed) if data.demand[j] > 0]
    left.sort(key=lambda j: -data.demand[j])
    conflicts, sites_named = {}, []
    for j in left:
        usable = data.pair_site[data.pair_customer == j]
        conflicts[data.customers[j]] = [data.sites[i] for i in usable]
        sites_named += [data.sites[i] for i in usable if data.sites[i] not in sites_named]
    cap = dict(zip(data.sites, data.capacity, strict=True))
    used = dict(zip(data.sites, load, strict=True))
    site_text = ", ".join(f"{s} (capacity {cap[s]:g}, {used[s]:g} used"
                          + ("" if opened[data.sites.index(s)] else ", closed") + ")"
                          for s in sites_named[:10])
    customer_text = ", ".join(f"{data.customers[j]} ({data.demand[j]:g} units)" for j in left[:10])
    served = total - float(sum(data.demand[j] for j in left))
    reason = (f"with single sourcing the demands cannot be packed whole into the sites: the best "
              f"packing serves {served:g} of {total:g} units; customer(s) that do not fit: "
              f"{customer_text}{' and more' if len(left) > 10 else ''}; the sites they could use: "
              f"{site_text}; allow split deliveries or add capacity at these sites")
    return reason, {"customers_not_packed": [data.customers[j] for j in left],
                    "conflicting_sites": sites_named, "best_packed_units": served,
                    "customer_sites": conflicts}


def result_from_solution(data: FacilityData, milp: Milp, sol: MilpSolution, reason: str = "",
                         details: dict | None = None) -> FacilityResult:
    """Read open sites, flows and cost parts back from a MILP solution."""
    empty = pd.DataFrame(columns=["site", "customer", "quantity", "share", "cost"])
    if not sol.has_plan:
        return FacilityResult(sol.outcome, [], None, None, empty, reason or sol.outcome.message,
                              details or {})
    y = milp.block(sol.values, "open")
    x = milp.block(sol.values, "assign")
    opened = y > 0.5
    used = x > FLOW_TOL
    qty = x[used] * data.demand[data.pair_customer[used]]
    flows = pd.DataFrame({
        "site": np.asarray(data.sites, dtype=object)[data.pair_site[used]],
        "customer": np.asarray(data.customers, dtype=object)[data.pair_customer[used]],
        "quantity": qty,
        "share": x[used],
        "cost": qty * data.unit_cost[used],
    })
    fixed = float(data.fixed_cost[opened].sum())
    return FacilityResult(sol.outcome, [s for s, o in zip(data.sites, opened, strict=True) if o],
                          fixed, float(flows["cost"].sum()), flows, reason, details or {})


def solve_facility_location(
    sites: pd.DataFrame,
    customers: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    max_open: int | None = None,
    single_source: bool = False,
    solver: str = DEFAULT_SOLVER,
    time_limit: float | None = None,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> FacilityResult:
    """Solve the capacitated facility-location problem given as tables (see module docstring).

    ``time_limit`` in seconds; ``mip_gap`` relative. An infeasible instance is an answer: the
    result has status ``infeasible`` and ``reason`` names what binds.
    """
    if max_open is not None and (int(max_open) != max_open or max_open < 1):
        raise ParameterError(f"max_open={max_open!r} must be a positive whole number of sites")
    data = validate_tables(sites, customers, costs)
    milp = build_facility_milp(data, max_open=max_open, single_source=single_source)
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if sol.outcome.status == "infeasible":
        reason, details = diagnose_infeasible(data, max_open, single_source, solver=solver,
                                              time_limit=time_limit)
        return result_from_solution(data, milp, sol, reason, details)
    return result_from_solution(data, milp, sol)
