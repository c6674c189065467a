"""Two-tier network design: central warehouses, front warehouses (前置仓) and city demand.

Tables (pandas frames):

* ``demand``: ``city, lat, lon, demand`` (units per planning period), optional ``hot_share``
  (share of the city's units that are hot items a front warehouse may stock; default
  ``NetworkParams.hot_share``).
* ``centrals`` and ``fronts``: ``site, lat, lon, fixed_cost`` (CNY per period), optional
  ``capacity`` (units per period, NaN = unlimited), ``must_open``, ``must_close`` (booleans).

Model, with ``x_cj`` the share of city j's units shipped from central c, ``w_rj`` the share shipped
from front r (hot items only), ``u_cr`` the units central c sends to front r::

    min  sum F_c y_c + sum f_r z_r
         + sum d_j x_cj (k_del road_cj + h_c) + sum d_j w_rj (k_del road_rj + h_r)
         + sum u_cr (k_lh road_cr + h_c)
    s.t. sum_c x_cj + sum_r w_rj = 1                 every city served
         sum_r w_rj <= hot_j                         fronts stock hot items only
         x_cj <= y_c,  w_rj <= hot_j z_r             strong linking
         sum_j d_j x_cj + sum_r u_cr <= Q_c y_c      central capacity (throughput)
         sum_j d_j w_rj <= q_r z_r                   front capacity
         sum_c u_cr = sum_j d_j w_rj                 fronts are replenished by centrals
         u_cr <= M_r y_c
         sum y_c = K (or <= K),  sum z_r <= F (or = F)
         promise: x_cj = 0 if hours_cj > P and w_rj = 0 if hours_rj > P (promise_share = 1),
                  else sum of on-time units >= promise_share * total units
         fronts serve only cities within ``front_hours``; hot-item service target: at least
         ``hot_target_share`` of hot units arrive within ``front_hours``, from a front or from a
         central close enough (g_j = hot units of j from such centrals)::
             g_j <= d_j sum_{c: hours_cj <= front_hours} x_cj,  g_j <= d_j (hot_j - sum_r w_rj)
             sum_j (d_j sum_r w_rj + g_j) >= hot_target_share * sum_j hot_j d_j
         single sourcing (optional): one central per city, one front per city, one central per front

``k_del``/``k_lh`` are CNY per unit per road-km (delivery / line-haul), ``h_c``/``h_r`` CNY per
unit handled, road km = ``road_factor`` x great-circle km, hours from
:func:`workbench.network.geo.delivery_hours`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.network.geo import delivery_hours, distance_matrix_km, road_km
from workbench.optimize import (DEFAULT_SOLVER, CarriesOutcome, Milp, MilpBuilder, MilpSolution,
                                SolveOutcome, check_solver_options, solve_milp)

FLOW_TOL = 1e-7  # shares below this are solver noise


@dataclass(frozen=True)
class NetworkParams:
    """Cost, time and policy parameters of the two-tier model (defaults are planning guesses)."""

    max_centrals: int = 3  # K
    exact_centrals: bool = True  # open exactly K (else at most K)
    max_fronts: int = 20  # F
    exact_fronts: bool = False  # open exactly F fronts (else at most F)
    promise_hours: float = 72.0  # delivery promise, order to door
    promise_share: float = 1.0  # share of units that must meet the promise (1 = every city)
    front_hours: float = 24.0  # a front serves only cities within this many hours (hot items)
    hot_target_share: float = 0.0  # minimum share of hot units delivered within front_hours
    hot_share: float = 0.35  # default share of a city's units that are hot items
    single_source: bool = False
    road_factor: float = 1.25  # road km per great-circle km
    delivery_cost_per_unit_km: float = 0.004  # CNY per unit per road-km, warehouse -> city
    linehaul_cost_per_unit_km: float = 0.0008  # CNY per unit per road-km, central -> front (bulk)
    central_handling_cost: float = 1.0  # CNY per unit through a central warehouse
    front_handling_cost: float = 1.2  # CNY per unit through a front warehouse
    line_haul_speed_kmh: float = 50.0  # effective inter-city speed incl. hub dwell
    last_mile_km: float = 25.0
    last_mile_speed_kmh: float = 20.0
    central_handling_hours: float = 12.0  # order to departure at a central warehouse
    front_handling_hours: float = 4.0  # order to departure at a front warehouse

    def validate(self) -> NetworkParams:
        """Raise :class:`ParameterError` naming the first bad field; returns ``self``."""
        for name in ("max_centrals", "max_fronts"):
            value = getattr(self, name)
            if int(value) != value or value < 0 or (name == "max_centrals" and value < 1):
                raise ParameterError(f"{name}={value!r} must be a whole number "
                                     f"{'>= 1' if name == 'max_centrals' else '>= 0'}")
        for name in ("promise_share", "hot_target_share", "hot_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ParameterError(f"{name}={value!r} must be a share between 0 and 1")
        for name in ("promise_hours", "front_hours", "road_factor", "line_haul_speed_kmh",
                     "last_mile_speed_kmh"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"{name}={getattr(self, name)!r} must be > 0")
        for name in ("delivery_cost_per_unit_km", "linehaul_cost_per_unit_km",
                     "central_handling_cost", "front_handling_cost", "last_mile_km",
                     "central_handling_hours", "front_handling_hours"):
            if not getattr(self, name) >= 0:
                raise ParameterError(f"{name}={getattr(self, name)!r} must be >= 0")
        if self.road_factor < 1:
            raise ParameterError(f"road_factor={self.road_factor!r} must be >= 1 (road km are "
                                 "never shorter than great-circle km)")
        return self


@dataclass(frozen=True)
class NetworkData:
    """Validated arrays and the distance / time matrices behind the three tables."""

    cities: list[str]
    demand: np.ndarray
    hot: np.ndarray
    centrals: list[str]
    fronts: list[str]
    central_fixed: np.ndarray
    front_fixed: np.ndarray
    central_capacity: np.ndarray  # inf = unlimited
    front_capacity: np.ndarray
    central_open: np.ndarray  # (lower, upper) bounds of y: must-open / must-close
    central_allowed: np.ndarray
    front_open: np.ndarray
    front_allowed: np.ndarray
    km_cj: np.ndarray  # road km central -> city
    km_rj: np.ndarray  # road km front -> city
    km_cr: np.ndarray  # road km central -> front
    hours_cj: np.ndarray
    hours_rj: np.ndarray


def _table(frame: pd.DataFrame, name: str, key: str, required: list[str]) -> pd.DataFrame:
    missing = [c for c in [key, *required] if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}")
    dup = frame[key].astype(str).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataValidationError(f"{name}: row {row + 1} repeats {key} {frame[key].iloc[row]!r}")
    for col in required:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna()
        if col in ("demand", "fixed_cost"):
            bad |= values < 0
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(f"{name}: row {row + 1}, column {col!r} = "
                                      f"{frame[col].iloc[row]!r} is not a valid number")
    lat, lon = frame["lat"].astype(float), frame["lon"].astype(float)
    bad = ~lat.between(-90, 90) | ~lon.between(-180, 180)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(f"{name}: row {row + 1} has lat/lon outside the globe")
    return frame


def _optional(frame, name, column, default, *, share=False, allow_nan=False):
    if column not in frame.columns:
        return np.full(len(frame), default, float)
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = (values.isna() & ~(allow_nan & frame[column].isna())) | (values < 0)
    if share:
        bad |= values > 1
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(f"{name}: row {row + 1}, column {column!r} = "
                                  f"{frame[column].iloc[row]!r}; expected "
                                  + ("a share in [0, 1]" if share else "a number >= 0"))
    return values.to_numpy(float)


def _flags(frame, name, column):
    if column not in frame.columns:
        return np.zeros(len(frame), bool)
    values = frame[column]
    if values.dtype != bool:
        mapped = values.map(lambda v: {"true": True, "false": False, "1": True, "0": False,
                                       "": False, "nan": False}.get(str(v).strip().lower()))
        if mapped.isna().any():
            row = int(np.flatnonzero(mapped.isna().to_numpy())[0])
            raise DataValidationError(f"{name}: row {row + 1}, column {column!r} = "
                                      f"{values.iloc[row]!r}; expected true/false")
        values = mapped.astype(bool)
    return values.to_numpy(bool)


def _road(origins: pd.DataFrame, targets: pd.DataFrame, params: NetworkParams) -> np.ndarray:
    gc = distance_matrix_km(origins["lat"], origins["lon"], targets["lat"], targets["lon"])
    return road_km(gc, params.road_factor)


def prepare(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame,
            params: NetworkParams) -> NetworkData:
    """Validate the tables and compute road km and delivery hours for every pair."""
    params.validate()
    _table(demand, "demand", "city", ["lat", "lon", "demand"])
    _table(centrals, "centrals", "site", ["lat", "lon", "fixed_cost"])
    _table(fronts, "fronts", "site", ["lat", "lon", "fixed_cost"])
    if centrals.empty:
        raise DataValidationError("centrals: no candidate central warehouse")
    ends = {}
    for name, frame in (("centrals", centrals), ("fronts", fronts)):
        must_open, must_close = _flags(frame, name, "must_open"), _flags(frame, name, "must_close")
        both = must_open & must_close
        if both.any():
            row = int(np.flatnonzero(both)[0])
            raise DataValidationError(f"{name}: row {row + 1} ({frame['site'].iloc[row]}) is both "
                                      "must_open and must_close")
        capacity = _optional(frame, name, "capacity", np.inf, allow_nan=True)
        ends[name] = (must_open, ~must_close, np.where(np.isnan(capacity), np.inf, capacity))
    km_cj = _road(centrals, demand, params)
    km_rj = _road(fronts, demand, params)
    km_cr = _road(centrals, fronts, params)
    timing = dict(line_haul_speed_kmh=params.line_haul_speed_kmh, last_mile_km=params.last_mile_km,
                  last_mile_speed_kmh=params.last_mile_speed_kmh)
    units = demand["demand"].to_numpy(float)
    return NetworkData(
        cities=demand["city"].astype(str).tolist(),
        demand=units,
        hot=_optional(demand, "demand", "hot_share", params.hot_share, share=True),
        centrals=centrals["site"].astype(str).tolist(),
        fronts=fronts["site"].astype(str).tolist(),
        central_fixed=centrals["fixed_cost"].to_numpy(float),
        front_fixed=fronts["fixed_cost"].to_numpy(float),
        central_capacity=ends["centrals"][2],
        front_capacity=ends["fronts"][2],
        central_open=ends["centrals"][0],
        central_allowed=ends["centrals"][1],
        front_open=ends["fronts"][0],
        front_allowed=ends["fronts"][1],
        km_cj=km_cj, km_rj=km_rj, km_cr=km_cr,
        hours_cj=delivery_hours(km_cj, handling_hours=params.central_handling_hours, **timing),
        hours_rj=delivery_hours(km_rj, handling_hours=params.front_handling_hours, **timing),
    )


@dataclass(frozen=True)
class Pairs:
    """Index pairs of the sparse assignment variables (``x``: central-city, ``w``: front-city)."""

    x_c: np.ndarray
    x_j: np.ndarray
    w_r: np.ndarray
    w_j: np.ndarray


def candidate_pairs(data: NetworkData, params: NetworkParams, *, enforce_promise: bool) -> Pairs:
    """Central-city pairs (within the promise when it is enforced for every city) and front-city
    pairs (within ``front_hours`` and the promise, for cities with hot items)."""
    x_ok = np.ones_like(data.hours_cj, bool)
    if enforce_promise:
        x_ok &= data.hours_cj <= params.promise_hours
    w_ok = (data.hours_rj <= min(params.front_hours, params.promise_hours)) & (data.hot > 0)[None, :]
    x_ok &= data.central_allowed[:, None]
    w_ok &= data.front_allowed[:, None]
    x_c, x_j = np.nonzero(x_ok)
    w_r, w_j = np.nonzero(w_ok)
    return Pairs(x_c, x_j, w_r, w_j)


def build_network_milp(data: NetworkData, params: NetworkParams, *,
                       objective: str = "cost") -> tuple[Milp, Pairs]:
    """The MILP of the module docstring (``objective="cost"``), or a diagnostic variant.

    ``objective="promise"``: every pair is allowed, a city may stay unserved, and the model
    maximizes the units delivered within the promise. ``objective="hot"``: the promise stays,
    and the model maximizes the hot units delivered within ``front_hours``. Both ignore costs.
    """
    if objective not in ("cost", "promise", "hot"):
        raise ParameterError(f"objective={objective!r} must be 'cost', 'promise' or 'hot'")
    coverage = objective if objective != "cost" else ""
    hard_promise = params.promise_share >= 1.0 and coverage != "promise"
    pairs = candidate_pairs(data, params, enforce_promise=hard_promise)
    nc, nr, nj = len(data.centrals), len(data.fronts), len(data.cities)
    d = data.demand
    px, pw = pairs.x_c.size, pairs.w_r.size
    on_time_x = data.hours_cj[pairs.x_c, pairs.x_j] <= params.promise_hours
    b = MilpBuilder()

    def cost(values):
        return 0.0 if coverage else values

    y = b.add_vars("central_open", nc, cost=cost(data.central_fixed),
                   lower=data.central_open.astype(float), upper=data.central_allowed.astype(float),
                   integer=True)
    z = b.add_vars("front_open", nr, cost=cost(data.front_fixed),
                   lower=data.front_open.astype(float), upper=data.front_allowed.astype(float),
                   integer=True)
    x_cost = d[pairs.x_j] * (params.delivery_cost_per_unit_km * data.km_cj[pairs.x_c, pairs.x_j]
                             + params.central_handling_cost)
    w_cost = d[pairs.w_j] * (params.delivery_cost_per_unit_km * data.km_rj[pairs.w_r, pairs.w_j]
                             + params.front_handling_cost)
    if coverage == "promise":
        x_cost, w_cost = -d[pairs.x_j] * on_time_x, -d[pairs.w_j]
    elif coverage == "hot":
        x_cost, w_cost = 0.0, -d[pairs.w_j]
    x = b.add_vars("x", px, cost=x_cost, upper=1.0)
    w = b.add_vars("w", pw, cost=w_cost, upper=1.0)
    uc, ur = np.divmod(np.arange(nc * nr), nr) if nr else (np.zeros(0, int), np.zeros(0, int))
    u_cost = params.linehaul_cost_per_unit_km * data.km_cr[uc, ur] + params.central_handling_cost
    u = b.add_vars("u", uc.size, cost=cost(u_cost))

    # every city served (the promise variant may leave units unserved)
    rows = np.r_[pairs.x_j, pairs.w_j]
    cols = np.r_[x, w]
    b.add_rows("demand", nj, rows, cols, 1.0, lower=0.0 if coverage == "promise" else 1.0, upper=1.0)
    b.add_rows("hot", nj, pairs.w_j, w, 1.0, upper=data.hot)
    b.add_rows("link_x", px, np.r_[np.arange(px), np.arange(px)], np.r_[x, y[pairs.x_c]],
               np.r_[np.ones(px), -np.ones(px)], upper=0.0)
    # w_rj <= hot_j z_r: tighter than w_rj <= z_r since a front only ever serves the hot share
    b.add_rows("link_w", pw, np.r_[np.arange(pw), np.arange(pw)], np.r_[w, z[pairs.w_r]],
               np.r_[np.ones(pw), -data.hot[pairs.w_j]], upper=0.0)
    cap_c = np.where(np.isfinite(data.central_capacity), data.central_capacity, 0.0)
    capped = np.isfinite(data.central_capacity)
    b.add_rows("central_capacity", nc, np.r_[pairs.x_c, uc, np.arange(nc)[capped]],
               np.r_[x, u, y[capped]], np.r_[d[pairs.x_j], np.ones(uc.size), -cap_c[capped]],
               upper=np.where(capped, 0.0, np.inf))
    if nr:
        cap_r = np.where(np.isfinite(data.front_capacity), data.front_capacity, 0.0)
        capped_r = np.isfinite(data.front_capacity)
        b.add_rows("front_capacity", nr, np.r_[pairs.w_r, np.arange(nr)[capped_r]],
                   np.r_[w, z[capped_r]], np.r_[d[pairs.w_j], -cap_r[capped_r]],
                   upper=np.where(capped_r, 0.0, np.inf))
        b.add_rows("front_balance", nr, np.r_[ur, pairs.w_r], np.r_[u, w],
                   np.r_[np.ones(uc.size), -d[pairs.w_j]], lower=0.0, upper=0.0)
        reachable_hot = np.zeros(nr)
        np.add.at(reachable_hot, pairs.w_r, d[pairs.w_j] * data.hot[pairs.w_j])
        big_m = np.minimum(reachable_hot, data.front_capacity)[ur]
        b.add_rows("link_u", uc.size, np.r_[np.arange(uc.size), np.arange(uc.size)],
                   np.r_[u, y[uc]], np.r_[np.ones(uc.size), -big_m], upper=0.0)
    b.add_rows("count_centrals", 1, np.zeros(nc, int), y, 1.0,
               lower=float(params.max_centrals) if params.exact_centrals else -np.inf,
               upper=float(params.max_centrals))
    if nr:
        b.add_rows("count_fronts", 1, np.zeros(nr, int), z, 1.0,
                   lower=float(params.max_fronts) if params.exact_fronts else -np.inf,
                   upper=float(params.max_fronts))
    if not hard_promise and coverage != "promise":
        cols = np.r_[x[on_time_x], w]
        vals = np.r_[d[pairs.x_j[on_time_x]], d[pairs.w_j]]
        b.add_rows("promise_share", 1, np.zeros(cols.size, int), cols, vals,
                   lower=params.promise_share * d.sum())
    if coverage != "promise" and (params.hot_target_share > 0 or coverage == "hot"):
        fast = data.hours_cj[pairs.x_c, pairs.x_j] <= params.front_hours
        g = b.add_vars("hot_fast_central", nj, cost=-1.0 if coverage == "hot" else 0.0,
                       upper=d * data.hot)
        b.add_rows("hot_fast_central_x", nj, np.r_[pairs.x_j[fast], np.arange(nj)],
                   np.r_[x[fast], g], np.r_[-d[pairs.x_j[fast]], np.ones(nj)], upper=0.0)
        b.add_rows("hot_fast_central_rest", nj, np.r_[pairs.w_j, np.arange(nj)], np.r_[w, g],
                   np.r_[d[pairs.w_j], np.ones(nj)], upper=d * data.hot)
        if coverage != "hot":
            b.add_rows("hot_target", 1, np.zeros(pw + nj, int), np.r_[w, g],
                       np.r_[d[pairs.w_j], np.ones(nj)],
                       lower=params.hot_target_share * float((d * data.hot).sum()))
    if params.single_source:
        _single_source_rows(b, pairs, data, x, w, u, uc, ur, big_m if nr else None)
    return b.build(), pairs


def _single_source_rows(b, pairs, data, x, w, u, uc, ur, big_m) -> None:
    """One central per city (binary a), one front per city (binary s), one central per front (v)."""
    nj, nr = len(data.cities), len(data.fronts)
    px, pw = x.size, w.size
    a = b.add_vars("x_pick", px, upper=1.0, integer=True)
    b.add_rows("x_pick_link", px, np.r_[np.arange(px), np.arange(px)], np.r_[x, a],
               np.r_[np.ones(px), -np.ones(px)], upper=0.0)
    b.add_rows("x_pick_one", nj, pairs.x_j, a, 1.0, upper=1.0)
    s = b.add_vars("w_pick", pw, upper=1.0, integer=True)
    b.add_rows("w_pick_link", pw, np.r_[np.arange(pw), np.arange(pw)], np.r_[w, s],
               np.r_[np.ones(pw), -data.hot[pairs.w_j]], upper=0.0)
    b.add_rows("w_pick_one", nj, pairs.w_j, s, 1.0, upper=1.0)
    if nr:
        v = b.add_vars("u_pick", uc.size, upper=1.0, integer=True)
        b.add_rows("u_pick_link", uc.size, np.r_[np.arange(uc.size), np.arange(uc.size)],
                   np.r_[u, v], np.r_[np.ones(uc.size), -big_m], upper=0.0)
        b.add_rows("u_pick_one", nr, ur, v, 1.0, upper=1.0)


@dataclass
class NetworkResult(CarriesOutcome):
    """Plain result of optimizing or evaluating a network; every table is a DataFrame.

    ``flows``: ``leg`` (central->city, front->city, central->front), ``source``, ``target``,
    ``units``, ``road_km``, ``hours`` (order to door; NaN for replenishment), ``cost`` (CNY).
    ``cities``: per city the units, main central and front, share from fronts, worst hours and the
    shares of its units delivered within 24 h and within the promise.
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
    """Shares of delivered units within 24 h, 48 h and the promise; mean and 95th-percentile hours
    (units-weighted)."""
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


def read_solution(data: NetworkData, params: NetworkParams, milp: Milp, pairs: Pairs,
                  sol: MilpSolution, reason: str = "", details: dict | None = None) -> NetworkResult:
    """Turn a MILP solution into flows, city and site tables, costs and coverage."""
    base = dict(outcome=sol.outcome, params=params, reason=reason or "", details=details or {})
    if not sol.has_plan:
        return NetworkResult(open_centrals=[], open_fronts=[], costs={},
                             coverage={}, flows=pd.DataFrame(), cities=pd.DataFrame(),
                             sites=pd.DataFrame(), **base)
    v = sol.values
    y, z = milp.block(v, "central_open") > 0.5, milp.block(v, "front_open") > 0.5
    x, w, u = milp.block(v, "x"), milp.block(v, "w"), milp.block(v, "u")
    nr = len(data.fronts)
    uc, ur = np.divmod(np.arange(u.size), nr) if nr else (np.zeros(0, int), np.zeros(0, int))
    d = data.demand
    kx, kw, ku = x > FLOW_TOL, w > FLOW_TOL, u > FLOW_TOL * max(d.max(initial=1.0), 1.0)
    cen, fro, cit = (np.asarray(n, dtype=object) for n in (data.centrals, data.fronts, data.cities))
    xc, xj, wr, wj = pairs.x_c[kx], pairs.x_j[kx], pairs.w_r[kw], pairs.w_j[kw]
    x_units, w_units = x[kx] * d[xj], w[kw] * d[wj]
    x_km, w_km, u_km = data.km_cj[xc, xj], data.km_rj[wr, wj], data.km_cr[uc[ku], ur[ku]]
    delivery_x = params.delivery_cost_per_unit_km * x_km * x_units
    delivery_w = params.delivery_cost_per_unit_km * w_km * w_units
    linehaul = params.linehaul_cost_per_unit_km * u_km * u[ku]
    flows = pd.concat([
        pd.DataFrame({"leg": "central->city", "source": cen[xc], "target": cit[xj], "units": x_units,
                      "road_km": x_km, "hours": data.hours_cj[xc, xj],
                      "cost": delivery_x + params.central_handling_cost * x_units}),
        pd.DataFrame({"leg": "front->city", "source": fro[wr], "target": cit[wj], "units": w_units,
                      "road_km": w_km, "hours": data.hours_rj[wr, wj],
                      "cost": delivery_w + params.front_handling_cost * w_units}),
        pd.DataFrame({"leg": "central->front", "source": cen[uc[ku]], "target": fro[ur[ku]],
                      "units": u[ku], "road_km": u_km, "hours": np.nan,
                      "cost": linehaul + params.central_handling_cost * u[ku]}),
    ], ignore_index=True)
    costs = {
        "fixed_central": float(data.central_fixed[y].sum()),
        "fixed_front": float(data.front_fixed[z].sum()),
        "delivery": float(delivery_x.sum() + delivery_w.sum()),
        "linehaul": float(linehaul.sum()),
        "handling": float(params.central_handling_cost * (x_units.sum() + u[ku].sum())
                          + params.front_handling_cost * w_units.sum()),
    }
    costs["total"] = float(sum(costs.values()))
    delivered = flows[flows["leg"] != "central->front"]
    hours, units = delivered["hours"].to_numpy(float), delivered["units"].to_numpy(float)
    coverage = coverage_shares(hours, units, params.promise_hours)
    coverage["served_share"] = float(units.sum() / d.sum()) if d.sum() > 0 else None
    return NetworkResult(open_centrals=list(cen[y]), open_fronts=list(fro[z]), costs=costs,
                         coverage=coverage, flows=flows,
                         cities=_city_table(data, params, delivered),
                         sites=_site_table(data, y, z, flows), **base)


def _main(frame: pd.DataFrame, leg: str) -> pd.Series:
    part = frame[frame["leg"] == leg]
    return part.sort_values("units", ascending=False).drop_duplicates("target").set_index("target")["source"]


def _city_table(data: NetworkData, params: NetworkParams, delivered: pd.DataFrame) -> pd.DataFrame:
    g = delivered.assign(
        in24=delivered["units"] * (delivered["hours"] <= 24),
        in_promise=delivered["units"] * (delivered["hours"] <= params.promise_hours),
        from_front=delivered["units"] * (delivered["leg"] == "front->city"),
    ).groupby("target")
    table = pd.DataFrame({"city": data.cities, "units": data.demand}).set_index("city")
    served = g["units"].sum()
    table["central"] = _main(delivered, "central->city")
    table["front"] = _main(delivered, "front->city")
    table["front_share"] = g["from_front"].sum() / served
    table["worst_hours"] = g["hours"].max()
    table["within_24h"] = g["in24"].sum() / served
    table["within_promise"] = g["in_promise"].sum() / served
    table["served_share"] = (served / table["units"]).reindex(table.index).fillna(0.0)
    return table.reset_index()


def _site_table(data: NetworkData, y, z, flows: pd.DataFrame) -> pd.DataFrame:
    through = flows.groupby("source")["units"].sum()
    parts = []
    for tier, names, opened, cap in (("central", data.centrals, y, data.central_capacity),
                                     ("front", data.fronts, z, data.front_capacity)):
        handled = np.array([through.get(n, 0.0) if tier == "central" else
                            flows.loc[(flows["leg"] == "front->city") & (flows["source"] == n),
                                      "units"].sum() for n in names])
        parts.append(pd.DataFrame({"site": names, "tier": tier, "open": opened, "units": handled,
                                   "capacity": cap,
                                   "utilization": np.where(np.isfinite(cap) & (cap > 0),
                                                           handled / np.where(cap > 0, cap, 1), np.nan)}))
    return pd.concat(parts, ignore_index=True)


def diagnose(data: NetworkData, params: NetworkParams, *, solver: str, time_limit: float | None,
             mip_gap: float) -> tuple[str, dict]:
    """Why the network cannot keep its targets: unreachable cities, short capacity, and (from
    re-solves that maximize coverage) the best achievable share of units within the promise and
    of hot units within ``front_hours``."""
    pairs = candidate_pairs(data, params, enforce_promise=True)
    details: dict = {}
    reasons = []
    has_central = np.zeros(len(data.cities), bool)
    has_central[pairs.x_j] = True
    needs_central = data.hot < 1.0
    stranded = needs_central & ~has_central & (data.demand > 0)
    if stranded.any() and params.promise_share >= 1.0:
        nearest = np.where(data.central_allowed[:, None], data.hours_cj, np.inf).min(axis=0)
        names = [f"{c} ({h:.0f} h)" for c, h, s in zip(data.cities, nearest, stranded, strict=True) if s]
        details["unreachable_cities"] = [c for c, s in zip(data.cities, stranded, strict=True) if s]
        reasons.append(f"{len(names)} city(ies) are beyond {params.promise_hours:g} h of every "
                       f"allowed central warehouse (nearest shown): {', '.join(names[:15])}")
    k = params.max_centrals
    cap = np.where(data.central_allowed, data.central_capacity, 0.0)
    forced = cap[data.central_open].sum()
    optional = np.sort(cap[data.central_allowed & ~data.central_open])[::-1]
    best_capacity = float(forced + optional[: max(k - int(data.central_open.sum()), 0)].sum())
    total = float(data.demand.sum())
    if best_capacity < total:
        details.update(total_units=total, best_central_capacity=best_capacity,
                       shortfall=total - best_capacity)
        reasons.append(f"central capacity is short: {k} central warehouse(s) hold at most "
                       f"{best_capacity:,.0f} units, demand is {total:,.0f}")
    milp, cpairs = build_network_milp(data, params, objective="promise")
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if sol.has_plan:
        best = -sol.outcome.objective / total if total > 0 else 0.0
        details["best_promise_share"] = float(best)
        if best < params.promise_share - 1e-6:
            result = read_solution(data, params, milp, cpairs, sol)
            late = result.cities[result.cities["within_promise"].fillna(0.0) < 1 - 1e-6]
            details["cities_missing_promise"] = late["city"].tolist()
            details["best_plan_centrals"] = result.open_centrals
            reasons.append(f"best achievable: {best:.1%} of units within {params.promise_hours:g} h "
                           f"(required {params.promise_share:.0%}) with centrals "
                           f"{', '.join(result.open_centrals)}")
            if len(late):
                reasons.append(f"cities that miss it in that plan: {', '.join(late['city'].head(15))}")
    if params.hot_target_share > 0 and "cities_missing_promise" not in details:
        milp, cpairs = build_network_milp(data, params, objective="hot")
        sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        hot_total = float((data.demand * data.hot).sum())
        if sol.has_plan and hot_total > 0:
            best = -sol.outcome.objective / hot_total
            details["best_hot_target_share"] = float(best)
            if best < params.hot_target_share - 1e-6:
                result = read_solution(data, params, milp, cpairs, sol)
                reasons.append(
                    f"hot-item target binds: at most {best:.1%} of hot units can arrive within "
                    f"{params.front_hours:g} h (required {params.hot_target_share:.0%}) with "
                    f"{params.max_fronts} front warehouse(s) of the allowed candidates; in that plan "
                    f"fronts {', '.join(result.open_fronts) or 'none'}")
    return "; ".join(reasons) or "the constraints conflict", details


def optimize_network(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame,
                     params: NetworkParams | None = None, *, solver: str = DEFAULT_SOLVER,
                     time_limit: float | None = None, mip_gap: float = 1e-4) -> NetworkResult:
    """Choose central and front warehouses and the flows at minimum cost (see module docstring).

    An infeasible network is an answer: status ``infeasible`` with ``reason`` naming the cities or
    sites that bind and ``details["best_promise_share"]``, the best achievable on-time share.
    """
    params = params or NetworkParams()
    check_solver_options(solver, time_limit, mip_gap)
    data = prepare(demand, centrals, fronts, params)
    milp, pairs = build_network_milp(data, params)
    sol = solve_milp(milp, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    if sol.outcome.status == "infeasible":
        reason, details = diagnose(data, params, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        return read_solution(data, params, milp, pairs, sol, reason, details)
    return read_solution(data, params, milp, pairs, sol)
