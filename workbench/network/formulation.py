"""The two-tier network MILP, written by one builder with a named method per constraint family
(as spopt's ``FacilityModelBuilder``).

With ``x_cj`` the share of city j's units shipped from central c, ``w_rj`` the share shipped
from front r (hot items only), ``u_cr`` the units central c sends to front r, ``y_c``/``z_r``
binary open decisions, ``d_j`` units, ``hot_j`` the hot share and unit costs from
:mod:`workbench.network.costs` (``F`` fixed, ``k`` per unit)::

    min  sum F_c y_c + sum F_r z_r + sum d_j x_cj k_cj + sum d_j w_rj k_rj + sum u_cr k_cr
    s.t. sum_c x_cj + sum_r w_rj = 1                 serve_every_city
         sum_r w_rj <= hot_j                         fronts_stock_hot_items_only
         x_cj <= y_c,  w_rj <= hot_j z_r             link_flows_to_open_sites (strong linking)
         sum_j d_j x_cj + sum_r u_cr <= Q_c y_c      central_capacity (throughput)
         sum_j d_j w_rj <= q_r z_r                   front_capacity
         sum_c u_cr = sum_j d_j w_rj,  u_cr <= M_r y_c   replenish_fronts_from_centrals
         sum y_c = K (or <= K),  sum z_r <= F (or = F)   count_sites
         promise: pairs slower than P hours are left out when every unit must meet it, else
                  sum of on-time units >= promise_share * total units  promise_share
         fronts serve only cities within ``front_hours``; at least ``hot_target_share`` of hot
         units arrive within ``front_hours`` from a front or a central close enough
         (g_j = hot units of j from such centrals)       hot_target
             g_j <= d_j sum_{c fast} x_cj,  g_j <= d_j (hot_j - sum_r w_rj)
         one central per city, one front per city, one central per front   single_sourcing

Source: the capacitated facility location problem (CFLP) with the strong linking constraints
``x_ij <= y_i`` (Cornuéjols, Nemhauser & Wolsey 1990, "The uncapacitated facility location
problem"; Daskin 2013, "Network and Discrete Location", ch. 6), extended by a second tier of
front warehouses replenished from the centrals and a delivery-time promise.

Diagnostic objectives (costs ignored): ``objective="promise"`` allows every pair, lets a city
stay unserved and maximizes the units delivered within the promise; ``objective="hot"`` keeps
the promise and maximizes the hot units delivered within ``front_hours``.

Where to add a constraint: a method here that adds one named row block, called from
:meth:`NetworkModelBuilder.build`; its rows then appear by name in read-back messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.errors import ParameterError
from workbench.network.costs import ArcCosts, arc_costs
from workbench.network.params import NetworkParams
from workbench.network.tables import NetworkData
from workbench.optimize import Milp, MilpBuilder

OBJECTIVES = ("cost", "promise", "hot")


@dataclass(frozen=True)
class Pairs:
    """Index pairs of the sparse flow variables: ``x`` central-city, ``w`` front-city, ``u``
    central-front (every combination)."""

    x_c: np.ndarray
    x_j: np.ndarray
    w_r: np.ndarray
    w_j: np.ndarray
    u_c: np.ndarray
    u_r: np.ndarray


def candidate_pairs(data: NetworkData, params: NetworkParams, *, enforce_promise: bool) -> Pairs:
    """Central-city pairs (within the promise when it is enforced for every unit) and front-city
    pairs (within ``front_hours`` and the promise, for cities with hot items), for sites that
    may open."""
    x_ok = np.ones_like(data.hours_cj, bool)
    if enforce_promise:
        x_ok &= data.hours_cj <= params.promise_hours
    w_ok = (data.hours_rj <= min(params.front_hours, params.promise_hours)) & (data.hot > 0)[None, :]
    x_ok &= data.central_allowed[:, None]
    w_ok &= data.front_allowed[:, None]
    x_c, x_j = np.nonzero(x_ok)
    w_r, w_j = np.nonzero(w_ok)
    nc, nr = len(data.centrals), len(data.fronts)
    u_c, u_r = np.divmod(np.arange(nc * nr), nr) if nr else (np.zeros(0, int), np.zeros(0, int))
    return Pairs(x_c, x_j, w_r, w_j, u_c, u_r)


def _pairs_rows(n: int, a, b, va, vb):
    """Row triplets for ``n`` rows ``va * a[k] + vb * b[k]`` (k = row)."""
    k = np.arange(n)
    return np.r_[k, k], np.r_[a, b], np.r_[np.broadcast_to(va, (n,)), np.broadcast_to(vb, (n,))]


class NetworkModelBuilder:
    """Builds the network MILP of the module docstring; one method per constraint family."""

    def __init__(self, data: NetworkData, params: NetworkParams, *, objective: str = "cost"):
        if objective not in OBJECTIVES:
            raise ParameterError(f"objective={objective!r} must be one of {', '.join(OBJECTIVES)}")
        self.data, self.params, self.objective = data, params, objective
        self.hard_promise = params.promise_share >= 1.0 and objective != "promise"
        self.pairs = candidate_pairs(data, params, enforce_promise=self.hard_promise)
        p = self.pairs
        self.arcs: ArcCosts = arc_costs(data, params, p.x_c, p.x_j, p.w_r, p.w_j, p.u_c, p.u_r)
        self.on_time_x = data.hours_cj[p.x_c, p.x_j] <= params.promise_hours
        self.b = MilpBuilder()
        self.nc, self.nr, self.nj = len(data.centrals), len(data.fronts), len(data.cities)

    # -- variables

    def add_variables(self) -> None:
        """``central_open`` (y), ``front_open`` (z), shares ``x``, ``w`` and units ``u``."""
        d, p, data = self.data.demand, self.pairs, self.data
        costing = self.objective == "cost"
        self.y = self.b.add_vars("central_open", self.nc, cost=data.central_fixed if costing else 0.0,
                                 lower=data.central_open.astype(float),
                                 upper=data.central_allowed.astype(float), integer=True)
        self.z = self.b.add_vars("front_open", self.nr, cost=data.front_fixed if costing else 0.0,
                                 lower=data.front_open.astype(float),
                                 upper=data.front_allowed.astype(float), integer=True)
        if self.objective == "cost":
            x_cost, w_cost = d[p.x_j] * self.arcs.x_total, d[p.w_j] * self.arcs.w_total
        elif self.objective == "promise":
            x_cost, w_cost = -d[p.x_j] * self.on_time_x, -d[p.w_j]
        else:
            x_cost, w_cost = 0.0, -d[p.w_j]
        self.x = self.b.add_vars("x", p.x_c.size, cost=x_cost, upper=1.0)
        self.w = self.b.add_vars("w", p.w_r.size, cost=w_cost, upper=1.0)
        self.u = self.b.add_vars("u", p.u_c.size, cost=self.arcs.u_total if costing else 0.0)

    # -- constraint families

    def serve_every_city(self) -> None:
        """Each city's shares add up to 1 (at most 1 in the promise diagnosis, and for a city
        without units, which needs no open site)."""
        p = self.pairs
        must = (self.data.demand > 0) & (self.objective != "promise")
        self.b.add_rows("serve_every_city", self.nj, np.r_[p.x_j, p.w_j], np.r_[self.x, self.w], 1.0,
                        lower=must.astype(float), upper=1.0)

    def fronts_stock_hot_items_only(self) -> None:
        self.b.add_rows("fronts_stock_hot_items_only", self.nj, self.pairs.w_j, self.w, 1.0,
                        upper=self.data.hot)

    def link_flows_to_open_sites(self) -> None:
        """``x_cj <= y_c`` and ``w_rj <= hot_j z_r`` (tighter than ``<= z_r``: a front only
        ever serves the hot share)."""
        p, px, pw = self.pairs, self.pairs.x_c.size, self.pairs.w_r.size
        self.b.add_rows("link_central", px, *_pairs_rows(px, self.x, self.y[p.x_c], 1.0, -1.0),
                        upper=0.0)
        self.b.add_rows("link_front", pw, *_pairs_rows(pw, self.w, self.z[p.w_r], 1.0,
                                                       -self.data.hot[p.w_j]), upper=0.0)

    def central_capacity(self) -> None:
        """Units leaving a central (to cities and fronts) within its capacity, only if open."""
        p, d, data = self.pairs, self.data.demand, self.data
        capped = np.isfinite(data.central_capacity)
        cap = np.where(capped, data.central_capacity, 0.0)
        self.b.add_rows("central_capacity", self.nc, np.r_[p.x_c, p.u_c, np.arange(self.nc)[capped]],
                        np.r_[self.x, self.u, self.y[capped]],
                        np.r_[d[p.x_j], np.ones(p.u_c.size), -cap[capped]],
                        upper=np.where(capped, 0.0, np.inf))

    def front_capacity(self) -> None:
        p, d, data = self.pairs, self.data.demand, self.data
        if not self.nr:
            return
        capped = np.isfinite(data.front_capacity)
        cap = np.where(capped, data.front_capacity, 0.0)
        self.b.add_rows("front_capacity", self.nr, np.r_[p.w_r, np.arange(self.nr)[capped]],
                        np.r_[self.w, self.z[capped]], np.r_[d[p.w_j], -cap[capped]],
                        upper=np.where(capped, 0.0, np.inf))

    def replenish_fronts_from_centrals(self) -> None:
        """A front ships what the centrals send it; only open centrals send."""
        p, d, data = self.pairs, self.data.demand, self.data
        if not self.nr:
            self.big_m = np.zeros(0)
            return
        self.b.add_rows("front_balance", self.nr, np.r_[p.u_r, p.w_r], np.r_[self.u, self.w],
                        np.r_[np.ones(p.u_c.size), -d[p.w_j]], lower=0.0, upper=0.0)
        reachable_hot = np.zeros(self.nr)
        np.add.at(reachable_hot, p.w_r, d[p.w_j] * data.hot[p.w_j])
        self.big_m = np.minimum(reachable_hot, data.front_capacity)[p.u_r]
        n = p.u_c.size
        self.b.add_rows("link_replenishment", n, *_pairs_rows(n, self.u, self.y[p.u_c], 1.0,
                                                              -self.big_m), upper=0.0)

    def count_sites(self) -> None:
        """Exactly (or at most) K centrals, at most (or exactly) F fronts. With no demand at all
        nothing is forced open: there is nothing to serve."""
        params, any_demand = self.params, self.data.demand.sum() > 0
        self.b.add_rows("count_centrals", 1, np.zeros(self.nc, int), self.y, 1.0,
                        lower=float(params.max_centrals) if params.exact_centrals and any_demand
                        else -np.inf, upper=float(params.max_centrals))
        if self.nr:
            self.b.add_rows("count_fronts", 1, np.zeros(self.nr, int), self.z, 1.0,
                            lower=float(params.max_fronts) if params.exact_fronts and any_demand
                            else -np.inf, upper=float(params.max_fronts))

    def promise_share(self) -> None:
        """With ``promise_share < 1``: at least that share of all units within the promise."""
        if self.hard_promise or self.objective == "promise":
            return
        p, d = self.pairs, self.data.demand
        cols = np.r_[self.x[self.on_time_x], self.w]
        vals = np.r_[d[p.x_j[self.on_time_x]], d[p.w_j]]
        self.b.add_rows("promise_share", 1, np.zeros(cols.size, int), cols, vals,
                        lower=self.params.promise_share * d.sum())

    def hot_target(self) -> None:
        """At least ``hot_target_share`` of hot units within ``front_hours`` (the ``hot``
        diagnosis maximizes that share instead)."""
        params, p, d, data = self.params, self.pairs, self.data.demand, self.data
        if self.objective == "promise" or not (params.hot_target_share > 0 or self.objective == "hot"):
            return
        nj, pw = self.nj, p.w_r.size
        fast = data.hours_cj[p.x_c, p.x_j] <= params.front_hours
        g = self.b.add_vars("hot_fast_central", nj, cost=-1.0 if self.objective == "hot" else 0.0,
                            upper=d * data.hot)
        self.b.add_rows("hot_fast_central_x", nj, np.r_[p.x_j[fast], np.arange(nj)],
                        np.r_[self.x[fast], g], np.r_[-d[p.x_j[fast]], np.ones(nj)], upper=0.0)
        self.b.add_rows("hot_fast_central_rest", nj, np.r_[p.w_j, np.arange(nj)], np.r_[self.w, g],
                        np.r_[d[p.w_j], np.ones(nj)], upper=d * data.hot)
        if self.objective != "hot":
            self.b.add_rows("hot_target", 1, np.zeros(pw + nj, int), np.r_[self.w, g],
                            np.r_[d[p.w_j], np.ones(nj)],
                            lower=params.hot_target_share * float((d * data.hot).sum()))

    def single_sourcing(self) -> None:
        """One central per city (binary pick ``a``), one front per city (``s``), one central per
        front (``v``)."""
        if not self.params.single_source:
            return
        p, b = self.pairs, self.b
        px, pw = p.x_c.size, p.w_r.size
        a = b.add_vars("x_pick", px, upper=1.0, integer=True)
        b.add_rows("x_pick_link", px, *_pairs_rows(px, self.x, a, 1.0, -1.0), upper=0.0)
        b.add_rows("x_pick_one", self.nj, p.x_j, a, 1.0, upper=1.0)
        s = b.add_vars("w_pick", pw, upper=1.0, integer=True)
        b.add_rows("w_pick_link", pw, *_pairs_rows(pw, self.w, s, 1.0, -self.data.hot[p.w_j]),
                   upper=0.0)
        b.add_rows("w_pick_one", self.nj, p.w_j, s, 1.0, upper=1.0)
        if self.nr:
            n = p.u_c.size
            v = b.add_vars("u_pick", n, upper=1.0, integer=True)
            b.add_rows("u_pick_link", n, *_pairs_rows(n, self.u, v, 1.0, -self.big_m), upper=0.0)
            b.add_rows("u_pick_one", self.nr, p.u_r, v, 1.0, upper=1.0)

    def build(self) -> tuple[Milp, Pairs]:
        """Variables, then every constraint family in turn; returns the model and its pairs."""
        self.add_variables()
        for family in (self.serve_every_city, self.fronts_stock_hot_items_only,
                       self.link_flows_to_open_sites, self.central_capacity, self.front_capacity,
                       self.replenish_fronts_from_centrals, self.count_sites, self.promise_share,
                       self.hot_target, self.single_sourcing):
            family()
        return self.b.build(), self.pairs


def build_network_milp(data: NetworkData, params: NetworkParams, *,
                       objective: str = "cost") -> tuple[Milp, Pairs]:
    """The network MILP (``objective="cost"``) or a diagnostic variant (``"promise"``,
    ``"hot"``); see the module docstring."""
    return NetworkModelBuilder(data, params, objective=objective).build()
