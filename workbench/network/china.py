"""The China network plan: the named plan, the named centrals with the best fronts, and the
optimized network, on the embedded sample or on a team's own demand, sites and lanes.

Default demand: the sample's regional units (last 12 months, or a forecast's ``yhat``) split over
the cities of the embedded table (:mod:`workbench.network.places`) of at least
``DEFAULT_MIN_POPULATION`` people by population share. Own inputs: :mod:`workbench.network.inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.network.design import optimize_network
from workbench.network.inputs import Period
from workbench.network.params import NetworkParams
from workbench.network.places import city_demand, city_labels, city_sites, load_cities, resolve_cities
from workbench.network.plans import (compare_plans, coverage_by_region, evaluate_plan, fix_sites,
                                     hours_distribution)
from workbench.network.result import NetworkResult
from workbench.notes import figure
from workbench.optimize import DEFAULT_SOLVER

REGIONS = ("North", "East", "South", "Southwest", "Central", "Northwest", "Northeast")
# major logistics hubs: candidate central warehouses
CENTRAL_HUBS = ("Beijing", "Tianjin", "Shenyang", "Shanghai", "Hangzhou", "Nanjing", "Jinan",
                "Zhengzhou", "Wuhan", "Changsha", "Guangzhou", "Shenzhen", "Chengdu", "Chongqing",
                "Xi'an", "Kunming")
NAMED_CENTRALS = ("Beijing", "Guangzhou", "Chengdu")
FRONT_CANDIDATES = 40  # the largest cities are front-warehouse candidates
DEFAULT_MIN_POPULATION = 1_000_000  # the sample network's demand cities (people)
CENTRAL_FIXED_COST = 8_000_000.0  # CNY per year (lease, staff, systems)
FRONT_FIXED_COST = 600_000.0  # CNY per year for a small front warehouse
CENTRAL_CAPACITY_SHARE = 0.45  # a central handles at most this share of national units
FRONT_CAPACITY_SHARE = 0.03  # a front delivers at most this share of national units
YEAR = Period(365.0, "the last 12 months")


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


def candidate_sites(demand: pd.DataFrame, *, hubs: tuple[str, ...] = CENTRAL_HUBS,
                    central_fixed: float = CENTRAL_FIXED_COST,
                    front_fixed: float = FRONT_FIXED_COST,
                    central_capacity_share: float = CENTRAL_CAPACITY_SHARE,
                    front_capacity_share: float = FRONT_CAPACITY_SHARE,
                    n_fronts: int = FRONT_CANDIDATES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Central candidates at ``hubs`` (default :data:`CENTRAL_HUBS`) and front candidates at the
    ``n_fronts`` most populous demand cities, with fixed costs (CNY per period) and capacities as
    shares of total units."""
    total = float(demand["demand"].sum())
    # a hub below the demand cities' population floor still stands where the places table puts it
    centrals = city_sites(resolve_cities(hubs, "hubs")).assign(fixed_cost=central_fixed,
                                                                capacity=central_capacity_share * total)
    big = demand.nlargest(n_fronts, "population")
    fronts = pd.DataFrame({"site": big["city"].to_numpy(), "lat": big["lat"].to_numpy(),
                           "lon": big["lon"].to_numpy(), "fixed_cost": front_fixed,
                           "capacity": front_capacity_share * total})
    return centrals, fronts


def fixed_sites(centrals, fronts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The site tables of a fixed network without a sites file (a shop's own warehouses): the
    ``centrals`` and ``fronts`` (the table's city names) where the places table puts them, with
    no fixed cost (a warehouse the shop has is no choice the plan weighs) and an empty capacity
    (unlimited: no figure the shop did not give; ``network.tables``)."""
    def table(cities):
        return city_sites(list(cities)).assign(fixed_cost=0.0, capacity=np.nan)
    return table(centrals), table(fronts)


def _listing(sites) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    sites = list(sites)
    if not sites:
        return "none"
    return sites[0] if len(sites) == 1 else f"{', '.join(sites[:-1])} and {sites[-1]}"


def _money_change(value: float, what: str) -> str:
    """``value`` CNY as ``"1,234 CNY more {what}"``, ``"... less ..."`` or ``"the same {what}"``
    (a change that rounds to 0 CNY has no sign)."""
    shown = round(float(value))
    if shown == 0:
        return f"the same {what}"
    return f"{abs(shown):,} CNY {'more' if shown > 0 else 'less'} {what}"


def _share_change(value: float, what: str) -> str:
    """A change of a share in percentage points, worded by its sign (rounded to 0.1 point)."""
    points = round(float(value) * 100.0, 1)
    if points == 0:
        return f"the same share of {what}"
    return f"{abs(points):.1f} percentage points {'more' if points > 0 else 'fewer'} {what}"


@dataclass
class FrontCount:
    """Why the optimized network uses the number of fronts it does: the marginal front.

    ``used``/``allowed``: fronts opened / at most allowed; ``other``: the count compared
    (``used + 1``, or ``used - 1`` when the limit binds or every candidate is open);
    ``added``/``dropped``: the fronts the best plan with ``other`` fronts opens / closes against
    the optimized plan (one more front can also swap fronts); ``fixed``: change of the fixed
    front cost; ``saving``: the change in delivery, line-haul and handling cost (CNY per period,
    positive = cheaper with ``other`` fronts); ``net``: change of the total cost (positive =
    ``other`` fronts cost more); ``within_24h_gain``: change of the share of units within 24 h.
    Any of these may be None (no comparison, or no plan with ``other`` fronts); ``note`` says why
    or adds the hot-item target."""

    used: int
    allowed: int
    other: int | None = None
    added: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    fixed: float | None = None
    saving: float | None = None
    net: float | None = None
    within_24h_gain: float | None = None
    note: str = ""

    def change_text(self) -> str:
        """The fronts the compared plan opens and closes, named as added, dropped or swapped."""
        if self.added and self.dropped:
            return (f"adding {_listing(city_labels(self.added))} and dropping "
                    f"{_listing(city_labels(self.dropped))}")
        if self.added:
            return f"adding {_listing(city_labels(self.added))}"
        if self.dropped:
            return f"dropping {_listing(city_labels(self.dropped))}"
        return ""

    def text(self) -> str:
        head = f"Optimized network uses {self.used} of at most {self.allowed} front warehouses"
        known = {name: float(value) for name in ("fixed", "saving", "net", "within_24h_gain")
                 if (value := getattr(self, name)) is not None and np.isfinite(value)}
        if self.other is None or not known:  # no comparison, or no plan with `other` fronts
            return f"{head}. {self.note}".strip()
        if self.other > self.used:
            compared = "one more front"
        elif self.used >= self.allowed:
            compared = "the limit binds; one fewer front"
        else:
            compared = "every front candidate that may open is open; one fewer front"
        change = self.change_text()
        if change:
            compared += f" ({change})"
        effects = []
        if "fixed" in known:
            effects.append(_money_change(known["fixed"], "fixed cost"))
        if "saving" in known:
            effects.append(_money_change(-known["saving"], "delivery, line-haul and handling cost"))
        if "net" in known:
            effects.append("no change in total cost" if round(known["net"]) == 0
                           else f"a net {_money_change(known['net'], 'in total')}")
        if "within_24h_gain" in known:
            effects.append(_share_change(known["within_24h_gain"], "units within 24 h"))
        return f"{head}: {compared} would mean {_listing(effects)}. {self.note}".strip()


@dataclass
class PlanReport:
    """A plan run: the named plan, the named centrals with optimized fronts, and the fully
    optimized network, with their comparison, on the demand of ``period``."""

    plans: dict[str, NetworkResult]
    comparison: pd.DataFrame
    hours: pd.DataFrame
    demand: pd.DataFrame
    centrals: pd.DataFrame
    fronts: pd.DataFrame
    params: NetworkParams
    period: Period = YEAR
    front_count: FrontCount | None = None
    inputs: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the run read differently from the parameters
    lanes: pd.DataFrame | None = None  # the lanes every plan was solved with
    named_sites: tuple = ((), ())  # the plan as given: its centrals and its fronts

    @property
    def answered(self) -> bool:
        """True when every plan has a checked plan (no infeasible or error answer)."""
        return all(r.feasible for r in self.plans.values())

    def summary_text(self) -> str:
        total = self.demand["demand"].sum()
        source = f" from {self.inputs['demand']}" if self.inputs.get("demand") else ""
        lines = [f"China network: {len(self.demand)} cities, {total:,.0f} units over "
                 f"{self.period.label}{source}, promise {self.params.promise_hours:g} h, "
                 f"front target {self.params.front_hours:g} h",
                 "", self._table_text(), ""]
        named, best = self.plans.get("named plan"), self.plans.get("optimized")
        if named is not None and best is not None and named.feasible and best.feasible:
            diff = named.costs["total"] - best.costs["total"]
            same = set(named.open_centrals) == set(best.open_centrals)
            caveat = "" if best.outcome.proven_optimal else f" [{best.outcome.describe()}]"
            lines.append(
                f"Central warehouses: named {', '.join(city_labels(named.open_centrals))}; "
                f"optimized {', '.join(city_labels(best.open_centrals))} - "
                + ("the named ones are the optimal choice" if same else
                   f"the optimized network costs {figure(diff)} CNY less ({diff / named.costs['total']:.1%})")
                + caveat)
        fronts = self.plans.get(f"named centrals, best {self.params.max_fronts} fronts")
        if fronts is not None and fronts.feasible:
            lines.append(f"Best {len(fronts.open_fronts)} front warehouses for the named centrals: "
                         f"{', '.join(city_labels(fronts.open_fronts))}")
        if best is not None and best.feasible:
            lines.append(f"Optimized fronts: {', '.join(city_labels(best.open_fronts)) or 'none'}")
            if self.front_count is not None:
                lines.append(self.front_count.text())
        for name, r in self.plans.items():
            if r.status != "optimal":
                lines.append(f"{name}: {r.outcome.describe()}" + (f" - {r.reason}" if r.reason else ""))
            elif r.reason:
                lines.append(f"{name}: {r.reason}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def _table_text(self) -> str:
        answered = [name for name, r in self.plans.items() if r.feasible]
        if not answered:
            return "No plan meets the constraints; the reasons follow."
        from workbench.network.plans import METRIC_KINDS, METRICS
        from workbench.reports.tables import format_value

        kinds = {label: METRIC_KINDS[key] for label, key in METRICS}
        table = self.comparison[answered]
        shown = pd.DataFrame({plan: [format_value(table.at[label, plan], kinds[label]) for label in table.index]
                              for plan in answered}, index=table.index)
        return shown.to_string()

    def coverage_table(self) -> pd.DataFrame:
        """Per region: units, and per plan the shares of the region's units within 24 h and
        within the promise (:func:`workbench.network.plans.coverage_by_region`)."""
        hours = (24.0, self.params.promise_hours)
        parts = {}
        for name, r in self.plans.items():
            if not r.feasible:
                continue
            table = coverage_by_region(r, self.demand, hours=hours)
            for h in hours:
                parts[(name, f"within {h:g} h")] = table[f"within_{h:g}h"]
        table = pd.DataFrame(parts)
        units = self.demand.groupby(self.demand["region"].fillna("(no region)"))["demand"].sum()
        table.insert(0, ("", "units"), units)
        order = [r for r in REGIONS if r in table.index] + [r for r in table.index if r not in REGIONS]
        return table.reindex(order)

    def to_dict(self) -> dict:
        return {"period": {"label": self.period.label, "days": self.period.days},
                "inputs": self.inputs,
                "front_count": None if self.front_count is None else self.front_count.__dict__,
                "comparison": self.comparison.reset_index(names="metric").to_dict(orient="records"),
                "plans": {name: r.to_dict() for name, r in self.plans.items()}}


def default_front_plan(fronts: pd.DataFrame, demand: pd.DataFrame, n: int,
                       centrals: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The ``n`` front candidates with the most demand, other than the plan's ``centrals`` (a
    central already serves its own city): the plan's default key cities."""
    units = demand.set_index("city")["demand"]
    free = [s for s in fronts["site"] if s not in set(centrals)]
    return sorted(free, key=lambda s: -units.get(s, 0.0))[:n]


def explain_front_count(result: NetworkResult, demand, centrals, fronts, params: NetworkParams,
                        *, lanes=None, solver=DEFAULT_SOLVER, time_limit=None) -> FrontCount:
    """Re-solve the optimized network with its centrals fixed and one front more (one fewer when
    the limit binds) and report the marginal front's fixed cost against what it saves and what
    it adds within 24 h (see :class:`FrontCount`)."""
    used, allowed = len(result.open_fronts), int(params.max_fronts)
    target = ""
    if params.hot_target_share > 0:
        target = (f"The hot-item target ({params.hot_target_share:.0%} of hot units within "
                  f"{params.front_hours:g} h) holds with {used}.")
    n_allowed = int((~fronts.get("must_close", pd.Series(False, fronts.index)).astype(bool)).sum())
    if used < allowed and used < n_allowed:
        other = used + 1
    elif used > 0:
        other = used - 1
    else:
        return FrontCount(used, allowed, note=f"No front candidate may open. {target}".strip())
    fixed_c = fix_sites(centrals, result.open_centrals, "centrals")
    variant = replace(params, max_centrals=len(result.open_centrals), max_fronts=other,
                      exact_fronts=True)
    alt = optimize_network(demand, fixed_c, fronts, variant, lanes=lanes, solver=solver,
                           time_limit=time_limit)
    if not alt.feasible:
        why = "breaks the hot-item target or the promise" if other < used else "has no plan"
        return FrontCount(used, allowed, other, note=f"With {other} fronts the network {why} "
                          f"({alt.status}). {target}".strip())
    added = tuple(sorted(set(alt.open_fronts) - set(result.open_fronts)))
    dropped = tuple(sorted(set(result.open_fronts) - set(alt.open_fronts)))
    variable = ("delivery", "linehaul", "handling")
    saving = sum(result.costs[k] for k in variable) - sum(alt.costs[k] for k in variable)
    fixed = alt.costs["fixed_front"] - result.costs["fixed_front"]
    return FrontCount(used, allowed, other, added, dropped, fixed, saving,
                      alt.costs["total"] - result.costs["total"],
                      alt.coverage["within_24h"] - result.coverage["within_24h"], target)


def run_plan(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame, *,
             plan_centrals: list[str], plan_fronts: list[str], params: NetworkParams,
             lanes: pd.DataFrame | None = None, period: Period = YEAR, inputs: dict | None = None,
             solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
             siting: bool = True) -> PlanReport:
    """The three plans on the given tables (see :mod:`workbench.network.tables`): the named plan
    (exactly ``plan_centrals`` + ``plan_fronts``), the named centrals with the best
    ``params.max_fronts`` fronts, and the optimized network (at most ``params.max_centrals``
    centrals, at most ``params.max_fronts`` fronts); plus why it uses its number of
    fronts. ``time_limit`` is per solve (seconds).

    ``max_centrals`` above the central candidates is read as all of them ("at most": every plan of
    the candidates keeps it), said in the report's notes.

    ``siting=False``: a fixed network (a shop's own warehouses): only the named plan, evaluated on
    the sites of ``centrals``/``fronts`` it opens (:func:`fixed_sites`), each city served at least
    cost from them; the promise and the hot-item target are measured on it, not imposed (there is
    no site to choose), so the plan always has flows unless a given capacity cannot carry the
    volume.

    Raises :class:`ParameterError` before any solve for parameters beyond the data (e.g.
    ``max_fronts`` above the front candidates, a named site that is not a candidate)."""
    params.validate()
    if not siting:
        fix_sites(centrals, list(plan_centrals), "centrals")
        fix_sites(fronts, list(plan_fronts), "fronts")
        fixed = replace(params, max_centrals=len(plan_centrals), max_fronts=len(plan_fronts),
                        promise_share=0.0, hot_target_share=0.0)
        named = evaluate_plan(demand, centrals, fronts, plan_centrals=list(plan_centrals),
                              plan_fronts=list(plan_fronts), params=fixed, lanes=lanes, solver=solver,
                              time_limit=time_limit)
        plans = {"named plan": named}
        notes = [f"a fixed network (siting off): the warehouses as given, "
                 f"{_listing(city_labels(plan_centrals))}"
                 + (f" + fronts {_listing(city_labels(plan_fronts))}" if plan_fronts else "")
                 + "; each city is served at least cost from them, and the share within the promise is "
                 "measured, not imposed"]
        return PlanReport(plans, compare_plans(plans), hours_distribution(plans), demand, centrals,
                          fronts, params, period, None, inputs or {}, notes, lanes,
                          (tuple(plan_centrals), tuple(plan_fronts)))
    n_fronts = len(fronts)
    if params.max_fronts > n_fronts:
        raise ParameterError(f"max_fronts={params.max_fronts} but there are only {n_fronts} front "
                             f"candidates; choose max_fronts <= {n_fronts} or add candidates")
    notes = []
    if params.max_centrals > len(centrals):  # "at most K": every plan of the candidates keeps it (trial 11 F10)
        notes.append(f"max_centrals is {params.max_centrals}, and there are {len(centrals)} central candidates: "
                     f"the optimized network chooses among those {len(centrals)}")
        params = replace(params, max_centrals=len(centrals))
    # before any solve: the named sites are candidates, none repeated
    fix_sites(centrals, list(plan_centrals), "centrals")
    fix_sites(fronts, list(plan_fronts), "fronts")
    common = dict(lanes=lanes, solver=solver, time_limit=time_limit)
    plans = {
        "named plan": evaluate_plan(demand, centrals, fronts, plan_centrals=list(plan_centrals),
                                    plan_fronts=list(plan_fronts), params=params, **common),
        f"named centrals, best {params.max_fronts} fronts": optimize_network(
            demand, fix_sites(centrals, list(plan_centrals), "centrals"), fronts,
            replace(params, max_centrals=len(plan_centrals), exact_fronts=True), **common),
        # at most K centrals: the optimum contains every plan of <= K centrals, so it never
        # costs more than the named centrals with their best fronts
        "optimized": optimize_network(demand, centrals, fronts,
                                      replace(params, exact_centrals=False), **common),
    }
    best = plans["optimized"]
    count = explain_front_count(best, demand, centrals, fronts, params, **common) \
        if best.feasible and best.outcome.proven_optimal else None
    return PlanReport(plans, compare_plans(plans), hours_distribution(plans), demand, centrals,
                      fronts, params, period, count, inputs or {}, notes, lanes,
                      (tuple(plan_centrals), tuple(plan_fronts)))


BEST_ACHIEVABLE = "best achievable"
NO_LIMITS = "the plan as given, without limits"


def reachable_share(share: float) -> float:
    """A share the solver reached, floored to 0.01 point: a target it can meet again."""
    return float(np.floor(share * 1e4) / 1e4)


def best_achievable(report: PlanReport, *, solver: str = DEFAULT_SOLVER,
                    time_limit: float | None = None) -> PlanReport:
    """``report`` with one more plan when none of its plans is feasible, so that a plan's
    stock and peak can still be computed: ``BEST_ACHIEVABLE``, the optimized network re-solved
    with each target it cannot meet lowered to the most it reaches (the diagnosis'
    ``best_promise_share``, then ``best_hot_target_share``, floored to 0.01 point); or, when
    capacity binds (no lowered target helps: every unit must be carried), ``NO_LIMITS``: the
    plan as given with its sites' capacities lifted and no delivery target, each city served
    at least cost (its ``sites`` table keeps the capacities as given, so its utilization, and the
    peak, show where they bind). The plan's ``reason`` says what
    was lowered or lifted; ``comparison`` and ``hours`` include it. ``report`` unchanged when a
    plan is feasible, or when neither re-solve has a plan.
    """
    if any(r.feasible for r in report.plans.values()):
        return report
    common = dict(lanes=report.lanes, solver=solver, time_limit=time_limit)
    params = replace(report.params, exact_centrals=False)
    result, lowered = report.plans.get("optimized"), []
    # a fixed network (run_plan's siting=False) has no optimized plan whose targets to lower
    for _ in range(2 if result is not None else 0):  # the promise, then the hot-item target
        details = result.details
        if "shortfall" in details:
            break
        changes = {}
        promise = details.get("best_promise_share")
        if promise is not None and promise < params.promise_share - 1e-9:
            changes["promise_share"] = reachable_share(promise)
            lowered.append(f"promise_share {params.promise_share:g} -> {changes['promise_share']:g} (the most "
                           f"any plan delivers within {params.promise_hours:g} h)")
        hot = details.get("best_hot_target_share")
        if hot is not None and hot < params.hot_target_share - 1e-9:
            changes["hot_target_share"] = reachable_share(hot)
            lowered.append(f"hot_target_share {params.hot_target_share:g} -> {changes['hot_target_share']:g} "
                           f"(the most hot units any plan delivers within {params.front_hours:g} h)")
        if not changes:
            break
        params = replace(params, **changes)
        result = optimize_network(report.demand, report.centrals, report.fronts, params, **common)
        if result.feasible:
            result.reason = (f"the optimized network with its targets lowered to what it can reach: "
                             f"{'; '.join(lowered)}")
            return _with_plan(report, BEST_ACHIEVABLE, result)
    unlimited = {"capacity": np.nan}  # empty capacity: unlimited (network.tables)
    centrals, fronts = report.named_sites
    result = evaluate_plan(report.demand, report.centrals.assign(**unlimited), report.fronts.assign(**unlimited),
                           plan_centrals=list(centrals), plan_fronts=list(fronts),
                           params=replace(report.params, promise_share=0.0, hot_target_share=0.0), **common)
    if not result.feasible:
        return report
    # its site table keeps the capacities as given: the utilization says where the plan is over them
    given = pd.concat([report.centrals.assign(tier="central"), report.fronts.assign(tier="front")])
    given = given.set_index(["tier", "site"])["capacity"].astype(float) if "capacity" in given else None
    capacity = (np.full(len(result.sites), np.nan) if given is None else
                given.reindex(pd.MultiIndex.from_frame(result.sites[["tier", "site"]])).to_numpy(float))
    capacity = np.where(np.isnan(capacity), np.inf, capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(np.isfinite(capacity) & (capacity > 0), result.sites["units"] / capacity, np.nan)
    result.sites = result.sites.assign(capacity=capacity, utilization=utilization)
    result.reason = ("the plan as given with its sites' capacities lifted and no delivery target (no plan "
                     "carries the volume within the limits): each city served at least cost")
    return _with_plan(report, NO_LIMITS, result)


def _with_plan(report: PlanReport, name: str, result: NetworkResult) -> PlanReport:
    plans = {**report.plans, name: result}
    return replace(report, plans=plans, comparison=compare_plans(plans), hours=hours_distribution(plans))


def run_default_plan(*, centrals: list[str] | tuple[str, ...] = NAMED_CENTRALS,
                     fronts: list[str] | None = None, max_centrals: int = 3, max_fronts: int = 20,
                     promise_hours: float = 72.0, promise_share: float = 1.0,
                     front_hours: float = 24.0,
                     hot_target_share: float = 0.8, annual_units: float | None = None,
                     region_units: pd.Series | None = None, province_units: pd.Series | None = None,
                     hubs: tuple[str, ...] = CENTRAL_HUBS, n_front_candidates: int = FRONT_CANDIDATES,
                     volume_factor: float = 1.0, central_fixed: float = CENTRAL_FIXED_COST,
                     front_fixed: float = FRONT_FIXED_COST, period: Period = YEAR,
                     demand_source: str | None = None,
                     params: NetworkParams | None = None, solver: str = DEFAULT_SOLVER,
                     time_limit: float | None = None, siting: bool = True) -> PlanReport:
    """Answer "are these the right central warehouses, and which front cities" on the embedded
    cities and candidates; with ``siting=False`` only "what do these warehouses deliver": the
    fixed network of ``centrals`` + ``fronts`` (None: none) at the places table's cities
    (:func:`fixed_sites`: no fixed cost, no capacity), :func:`run_plan`'s named plan alone.
    ``centrals``, ``fronts`` and ``hubs`` are written city names (:func:`~workbench.network.places.resolve_cities`).

    ``region_units``: units per region over ``period`` (default: the last 12 months of the sample
    sales, ``period`` a year) times ``volume_factor``, split over the cities of at least
    :data:`DEFAULT_MIN_POPULATION` people; given units need ``demand_source``, the words that say
    where they come from (the report's "from ..."; without units: "sample data").
    ``province_units``: units per province (English names), split over each province's cities
    (a team's own provinces: the planning cycle's ``province_shares``); with ``region_units`` too,
    a city's demand is the sum of both (a region's units whose province is unknown stay at region
    level). One split: :func:`~workbench.network.places.city_demand` (a place with no city of the
    floor keeps its largest city, said in the report's notes).
    ``central_fixed``/``front_fixed`` are CNY per site and year, charged for ``period``'s share of
    the year (as a sites file's are: :func:`workbench.network.inputs.read_sites`);
    ``promise_share`` of all units must arrive within ``promise_hours`` (1: every unit
    of every city); ``hot_target_share`` of hot units must arrive within ``front_hours``; ``annual_units``
    rescales the units to that national total. ``hubs`` are the central candidates (the named
    centrals are added), the ``n_front_candidates`` largest cities the front candidates.
    """
    if region_units is None and province_units is None:
        region_units, demand_source = regional_units(), "sample data"
    elif not demand_source:
        raise ParameterError("region_units: say where the units come from (demand_source); the report "
                             "must not call a team's forecast the sample")
    if not volume_factor > 0:
        raise ParameterError(f"volume_factor={volume_factor!r} must be > 0")
    if annual_units is not None and not annual_units > 0:
        raise ParameterError(f"annual_units={annual_units!r} must be > 0")
    given = [u.astype(float) for u in (region_units, province_units) if u is not None]
    scale = volume_factor if annual_units is None else annual_units / sum(float(u.sum()) for u in given)
    region_units, province_units = (None if u is None else u.astype(float) * scale
                                    for u in (region_units, province_units))
    params = replace(params or NetworkParams(), max_centrals=max_centrals, max_fronts=max_fronts,
                     promise_hours=promise_hours, promise_share=promise_share,
                     front_hours=front_hours,
                     hot_target_share=hot_target_share).validate()
    demand = city_demand(region_units, province_units=province_units, hot_share=params.hot_share,
                         min_population=DEFAULT_MIN_POPULATION, source=demand_source)
    centrals = resolve_cities(centrals, "centrals")
    fronts = None if fronts is None else resolve_cities(fronts, "fronts")
    if not siting:
        cand_c, cand_f = fixed_sites(centrals, fronts or [])
        plan_fronts = list(fronts or [])
    else:
        hubs = tuple(dict.fromkeys([*centrals, *resolve_cities(hubs, "hubs")]))
        cand_c, cand_f = candidate_sites(demand, hubs=hubs, n_fronts=n_front_candidates,
                                         central_fixed=central_fixed * period.year_share,
                                         front_fixed=front_fixed * period.year_share)
        plan_fronts = list(fronts) if fronts is not None else \
            default_front_plan(cand_f, demand, max_fronts, centrals)
    report = run_plan(demand, cand_c, cand_f, plan_centrals=list(centrals), plan_fronts=plan_fronts,
                      params=params, period=period, solver=solver, time_limit=time_limit,
                      inputs={"demand": demand_source}, siting=siting)
    report.notes[:0] = demand.attrs["notes"]
    return report


def _resolve_names(names, what: str) -> list[str]:
    return resolve_cities(names, what)


def run_own_plan(*, demand_file=None, sites_file=None, lanes_file=None, period=None,
                 event: str | None = None, year: int | None = None, days: float | None = None,
                 events: str | None = None,
                 centrals: list[str] | None = None, fronts: list[str] | None = None,
                 max_centrals: int = 3, max_fronts: int | None = None,
                 promise_hours: float = 72.0, promise_share: float = 1.0,
                 front_hours: float = 24.0,
                 hot_target_share: float = 0.8, hot_share: float = 0.35,
                 hubs: tuple[str, ...] = CENTRAL_HUBS, n_front_candidates: int = FRONT_CANDIDATES,
                 encoding: str | None = None, demand_source: str | None = None,
                 solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
                 siting: bool = True) -> PlanReport:
    """The plan run on a team's own files (:mod:`workbench.network.inputs`); any file not given
    falls back to the embedded default (sample demand, hub and largest-city candidates).
    ``demand_source`` says where the demand file's units come from, for the report (default: the
    file's name; e.g. a forecast written to a temporary file). ``events``: the planner's events
    YAML the ``event``'s window is read from (``inputs.event_calendar``; None: the shipped calendar).

    The named plan is ``centrals``/``fronts`` (city names in Chinese or English), else the sites
    marked ``existing`` in the sites file, else the default named centrals and the largest front
    candidates (also when the sites file marks no front as existing). ``max_fronts`` defaults to 20, or the number of front candidates if fewer.
    ``siting=False``: the named plan alone, a fixed network (:func:`run_plan`): a named front
    defaults to the sites file's existing fronts, else none; the sites are the sites file's rows
    of the named cities (their fixed costs and capacities as written, an empty capacity
    unlimited), or without a sites file the places table's cities (:func:`fixed_sites`).
    ``promise_share``: the share of all units that must arrive within ``promise_hours`` (1, the
    default: every unit of every city; below 1 the network may leave the hardest cities late,
    :meth:`~workbench.network.formulation.NetworkModelBuilder.promise_share`).
    Raises :class:`DataValidationError` for bad files (file, line, column named) and
    :class:`ParameterError` for bad or out-of-range options, before any solve.
    """
    from workbench.network.inputs import read_demand, read_lanes, read_sites

    inputs = {}
    if demand_file is not None:
        demand, period_ = read_demand(demand_file, period=period, event=event, year=year,
                                      days=days, hot_share=hot_share, encoding=encoding, events=events)
        inputs["demand"] = demand_source or str(demand_file)
    else:
        if period is not None or event is not None or days is not None or events is not None:
            raise ParameterError("a period, event, events file or days applies to a --demand file")
        demand = city_demand(regional_units(), hot_share=hot_share,
                             min_population=DEFAULT_MIN_POPULATION)
        period_ = YEAR
        inputs["demand"] = "sample data"
    if sites_file is not None:
        cand_c, cand_f = read_sites(sites_file, period_, encoding=encoding)
        inputs["sites"] = str(sites_file)
        existing_c = cand_c.loc[cand_c["must_open"], "site"].tolist()
        existing_f = cand_f.loc[cand_f["must_open"], "site"].tolist()
        if centrals is None and not existing_c:
            raise ParameterError(f"{sites_file}: no central site is marked existing; name the "
                                 "plan's central warehouses (--centrals) or mark them existing")
        plan_c = _resolve_names(centrals, "centrals") if centrals is not None else existing_c
        # no existing front: the named plan takes the largest candidates (below), as documented
        plan_f = _resolve_names(fronts, "fronts") if fronts is not None else (existing_f or None)
        if not siting:  # the named sites only, as the file writes them (fix_sites names one it lacks)
            plan_f = plan_f or []
            fix_sites(cand_c, plan_c, "centrals")
            fix_sites(cand_f, plan_f, "fronts")
            cand_c = cand_c[cand_c["site"].isin(plan_c)].assign(must_open=True)
            cand_f = cand_f[cand_f["site"].isin(plan_f)].assign(must_open=True)
    elif not siting:
        plan_c = _resolve_names(centrals if centrals is not None else NAMED_CENTRALS, "centrals")
        plan_f = [] if fronts is None else _resolve_names(fronts, "fronts")
        cand_c, cand_f = fixed_sites(plan_c, plan_f)
    else:
        plan_c = _resolve_names(centrals if centrals is not None else NAMED_CENTRALS, "centrals")
        hub_names = _resolve_names(hubs, "hubs")
        cand_c, cand_f = candidate_sites(demand, hubs=tuple(dict.fromkeys([*plan_c, *hub_names])),
                                         n_fronts=n_front_candidates,
                                         central_fixed=CENTRAL_FIXED_COST * period_.year_share,
                                         front_fixed=FRONT_FIXED_COST * period_.year_share)
        plan_f = None if fronts is None else _resolve_names(fronts, "fronts")
    if max_fronts is None:
        max_fronts = min(20, len(cand_f))
    if plan_f is None:
        plan_f = default_front_plan(cand_f, demand, max_fronts, plan_c)
    lanes = None
    if lanes_file is not None:
        lanes = read_lanes(lanes_file, encoding=encoding)
        inputs["lanes"] = str(lanes_file)
    params = NetworkParams(max_centrals=max_centrals, max_fronts=max_fronts,
                           promise_hours=promise_hours, promise_share=promise_share,
                           front_hours=front_hours,
                           hot_target_share=hot_target_share, hot_share=hot_share).validate()
    report = run_plan(demand, cand_c, cand_f, plan_centrals=plan_c, plan_fronts=plan_f,
                      params=params, lanes=lanes, period=period_, inputs=inputs, solver=solver,
                      time_limit=time_limit, siting=siting)
    report.notes[:0] = demand.attrs.get("notes", [])
    return report


# Scenarios change the assumptions around the plan, not the plan's own parameters.
SCENARIOS = {
    "base": {},  # last 12 months of sample units, default costs
    "growth": {"volume_factor": 1.3},  # next year's volume, +30 %
    "costly_fronts": {"front_fixed": 2 * FRONT_FIXED_COST},  # front rents double
}

@dataclass(frozen=True)
class PlanRequest:
    """Everything one plan run needs, checked once (:meth:`check`) and passed whole: the CLI and
    the network notebook build one and call :func:`run_request`, so they give the same answer.

    Files (``demand_file``, ``sites_file``, ``lanes_file``) switch from the embedded sample to a
    team's own inputs (:mod:`workbench.network.inputs`); ``period`` (start, end), ``event`` +
    ``year`` or ``days`` state the demand's period (``events``: the planner's events YAML the
    event's window is read from, their own events too, as the event report and the planning cycle
    take it; checked with the event: ``inputs.event_calendar``); ``scenario``/``annual_units`` apply to the
    sample only. ``named_centrals``/``named_fronts``: the plan to check (None: the existing sites
    of the sites file, else Beijing, Guangzhou, Chengdu and the largest front candidates);
    ``max_fronts`` None: 20, or every front candidate if fewer. ``promise_share``: the share of
    all units every plan delivers within ``promise_hours`` (1: every unit of every city). Hours,
    shares in [0, 1], seconds. ``siting`` False: only the plan as given, a fixed network of the
    named sites (``named_centrals``, or the sites file's existing ones; :func:`run_plan`), its
    share within the promise measured, not imposed. City names are Chinese or pinyin
    (:func:`~workbench.network.places.resolve_cities`), checked here.
    """

    scenario: str = "base"
    demand_file: str | None = None
    period: tuple[str, str] | None = None
    event: str | None = None
    events: str | None = None
    year: int | None = None
    days: float | None = None
    sites_file: str | None = None
    lanes_file: str | None = None
    encoding: str | None = None
    named_centrals: tuple[str, ...] | None = None
    named_fronts: tuple[str, ...] | None = None
    max_centrals: int = 3
    max_fronts: int | None = None
    promise_hours: float = 72.0
    promise_share: float = 1.0
    front_hours: float = 24.0
    hot_target_share: float = 0.8
    annual_units: float | None = None
    hubs: tuple[str, ...] | None = None
    n_front_candidates: int = FRONT_CANDIDATES
    siting: bool = True
    solver: str = DEFAULT_SOLVER
    time_limit: float | None = 120.0

    def __post_init__(self) -> None:
        self.check()

    @property
    def own_files(self) -> bool:
        return any(f is not None for f in (self.demand_file, self.sites_file, self.lanes_file))

    def check(self) -> PlanRequest:
        """Raise :class:`ParameterError` naming the first bad field (before any file is read or
        model solved); returns ``self``."""
        from workbench.optimize import check_solver_options

        if self.scenario not in SCENARIOS:
            raise ParameterError(f"scenario={self.scenario!r} must be one of {', '.join(SCENARIOS)}")
        if self.own_files and (self.scenario != "base" or self.annual_units is not None):
            raise ParameterError("scenario and annual_units apply to the sample data; with your "
                                 "own files change the files instead")
        if self.demand_file is None and any(v is not None for v in (self.period, self.event, self.events,
                                                                     self.days, self.encoding)):
            raise ParameterError("period, event, events, days and encoding apply to a demand file")
        if self.events is not None and self.event is None:
            raise ParameterError(f"events={str(self.events)!r} names the event windows to plan for: give "
                                 f"event (and year) too, or leave events out")
        if self.event is not None:
            from workbench.network.inputs import event_calendar

            event_calendar(self.event, self.events)
        if self.period is not None and len(self.period) != 2:
            raise ParameterError(f"period={self.period!r} must be two dates: start, end")
        for name in ("max_centrals", "n_front_candidates"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(f"{name}={value!r} must be a whole number >= 1")
        if self.max_fronts is not None and (isinstance(self.max_fronts, bool)
                                            or not isinstance(self.max_fronts, int)
                                            or self.max_fronts < 0):
            raise ParameterError(f"max_fronts={self.max_fronts!r} must be a whole number >= 0")
        check_solver_options(self.solver, self.time_limit, 0.0)
        for name in ("named_centrals", "named_fronts", "hubs"):
            if getattr(self, name) is not None:
                _resolve_names(getattr(self, name), name)
        if not isinstance(self.siting, bool):
            raise ParameterError(f"siting={self.siting!r} must be true or false")
        if not self.siting and self.named_centrals is None and self.sites_file is None:
            raise ParameterError("siting=False plans the warehouses you name, and none is named: give "
                                 "named_centrals (--centrals) or a sites file with your existing sites")
        if not self.siting and self.hubs is not None:
            raise ParameterError("hubs are central candidates of a siting, and siting is False: leave hubs "
                                 "out, or let the network site (siting=True)")
        if isinstance(self.promise_share, bool) or not isinstance(self.promise_share, (int, float)) \
                or not 0 < self.promise_share <= 1:
            raise ParameterError(f"promise_share={self.promise_share!r} must be a share in (0, 1]")
        NetworkParams(max_centrals=self.max_centrals, max_fronts=self.max_fronts or 0,
                      promise_hours=self.promise_hours, promise_share=self.promise_share,
                      front_hours=self.front_hours,
                      hot_target_share=self.hot_target_share).validate()
        return self


def check_plan_names(values: dict) -> None:
    """The network notebook's check of its warehouses before any kernel starts (declared in its
    metadata ``workbench_input_checks``): ``named_centrals``, ``named_fronts`` and ``hubs`` are
    cities of the places table (:func:`~workbench.network.places.resolve_cities`), and ``siting``
    False names a plan, as :meth:`PlanRequest.check` checks them in the run.

    Raises:
        ParameterError: an unknown city or one named twice, or siting off without a named plan.
    """
    for name in ("named_centrals", "named_fronts", "hubs"):
        if values.get(name) is not None:
            _resolve_names(values[name], name)
    if values.get("siting") is False and values.get("named_centrals") is None and values.get("sites_file") is None:
        raise ParameterError("siting=False plans the warehouses you name, and none is named: give "
                             "named_centrals or a sites file with your existing sites")


def plan_request(**params) -> PlanRequest:
    """A checked :class:`PlanRequest` from keyword parameters (lists become tuples); raises
    :class:`ParameterError` naming an unknown or bad parameter."""
    known = set(PlanRequest.__dataclass_fields__)
    unknown = sorted(set(params) - known)
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; known: {sorted(known)}")
    clean = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    return PlanRequest(**clean)


def run_request(request: PlanRequest) -> PlanReport:
    """Run the plan a :class:`PlanRequest` describes (sample or own files)."""
    common = dict(max_centrals=request.max_centrals, promise_hours=request.promise_hours,
                  promise_share=request.promise_share, front_hours=request.front_hours, hot_target_share=request.hot_target_share,
                  n_front_candidates=request.n_front_candidates, solver=request.solver,
                  time_limit=request.time_limit, siting=request.siting,
                  **({"hubs": tuple(_resolve_names(request.hubs, "hubs"))} if request.hubs else {}))
    if request.own_files:
        return run_own_plan(
            demand_file=request.demand_file, sites_file=request.sites_file,
            lanes_file=request.lanes_file, period=request.period, event=request.event,
            events=None if request.events is None else str(request.events), year=request.year, days=request.days, encoding=request.encoding,
            centrals=None if request.named_centrals is None else list(request.named_centrals),
            fronts=None if request.named_fronts is None else list(request.named_fronts),
            max_fronts=request.max_fronts, **common)
    centrals = NAMED_CENTRALS if request.named_centrals is None else \
        _resolve_names(request.named_centrals, "named_centrals")
    return run_default_plan(
        centrals=centrals,
        fronts=None if request.named_fronts is None else _resolve_names(request.named_fronts,
                                                                        "named_fronts"),
        max_fronts=20 if request.max_fronts is None else request.max_fronts,
        annual_units=request.annual_units, **common, **SCENARIOS[request.scenario])


@dataclass
class AlertReport:
    """Replenishment plan per SKU and warehouse, its alerts and the slow movers."""

    plan: pd.DataFrame
    alerts: pd.DataFrame
    slow_movers: pd.DataFrame


OWN_DATA_ALERTS = ("Replenishment alerts need your own stock and your SKUs' forecast: the planning cycle "
                   "(notebooks/planning_cycle.ipynb, with its stock and lead_times files) computes them on your "
                   "network (docs/planning-cycle.md). This page computes alerts only for the embedded sample's "
                   "DEMO stock, and your demand file is not the sample: none are shown.")


def sample_alerts(request: PlanRequest, result: NetworkResult, demand: pd.DataFrame,
                  **options) -> tuple[AlertReport | None, str]:
    """The network page's replenishment alerts: ``default_alerts`` (``options`` are its keywords)
    on the embedded sample, with the words that say they are the DEMO stock's; ``(None,
    OWN_DATA_ALERTS)`` when ``request`` plans a team's own demand (``demand_file``): the sample's
    SKUs and stock are no alerts of theirs (trial 12 F18: a pet shop's page listed 19 of the
    sample's beauty SKUs as its alerts, and the run ledger counted them)."""
    if request.demand_file is not None:
        return None, OWN_DATA_ALERTS
    return default_alerts(result, demand, **options), "DEMO stock snapshot of the embedded sample"


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
    (:func:`workbench.inventory.inputs.demo_stock`, labelled as such); the slow movers' turnover
    reads the coming year (:mod:`workbench.inventory.clearance`), past the horizon on the SKUs'
    sales a year before (a SKU launched since: the category's, at its level). ``skus`` keeps only the first few SKUs (quick runs).
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
    # turnover on the coming year: past the horizon, the same days' sales a year before
    sold = frame.assign(warehouse=frame["region"].map(region_warehouses(result, demand)))
    sold = sold.groupby(["sku", "warehouse", "ds"], as_index=False)["y"].sum()
    group = ("sku", dict.fromkeys(sold["sku"].astype(str), category))  # a young SKU takes its category's season
    return AlertReport(plan, alerts(plan), slow_movers(wh, stock, keys=["sku", "warehouse"],
                                                       min_turns=min_turns, history=sold, group=group))
