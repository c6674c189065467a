"""One planning cycle on a team's files: next-event forecast per region -> the network at the peak
-> stock orders -> traffic budget -> the plan's KPIs against their targets.

Orchestration only: every number comes from a tested package function
(:func:`workbench.forecast.planning.event_forecast`, :mod:`workbench.network.china`,
:func:`workbench.fulfilment.peak.peak_check`, :mod:`workbench.inventory`,
:func:`workbench.budget.run.run_scenario`, :mod:`workbench.fulfilment.kpis`).

Stated assumptions (shown in the report):

* one forecast of the window: every SKU's daily forecast, reconciled with the directly forecast
  national total and split over the regions by the SKU's regional shares (:func:`cycle_demand`,
  :func:`~workbench.forecast.planning.event_forecast`, :func:`regional_shares`); the regions are
  its sums, so the network, the peak and the stock read one national figure, which the report
  states (:meth:`CycleResult.forecast_text`), and the rules that act on one SKU (a yearly off
  season, a launch, a stop, a winter) reach the regions; a SKU's stop in one region is read on its
  SKU x region series: its share there is 0 and a note names it (:func:`region_stops`), and a
  region it entered within the year is split on the units since (:func:`regional_shares`);
* the network is sized on the event window's mean units per region (the figure that adds up
  from SKUs to regions to the nation; costs are linear in units; the peak checks P50 and P90),
  split over cities by population share (the network's own rule: :func:`~workbench.network.china.city_demand`, or the
  forecast demand of :mod:`workbench.network.inputs` with a sites or lanes file);
* warehouses are named by city, front warehouses ``"<city> front"``;
* each region's orders are shipped by the warehouses that deliver its cities' units in the plan as
  given (the last leg, central or front), in those proportions;
* a warehouse's P50 and P90 peak are the days its regions send it, scaled to the P50 and P90 of
  the warehouse's own window total: its history (the regions' units times their shares) is
  forecast with the window band of that total (:func:`warehouse_window_totals`), since a sum of
  the regions' P90s is no P90 of their sum;
* a warehouse's daily handling capacity is ``capacity_units_per_day`` from the ``capacity`` file
  when given, else from the ``sites`` file, else its network capacity for the window spread evenly
  over the window's days, times ``capacity_factor`` (labelled as an assumption);
* stock: a ``(sku, warehouse)`` the forecast reaches but the snapshot does not list holds nothing;
  a snapshot row the forecast does not reach has zero forecast demand (a clearance candidate);
* the event build's and the reorder points' demand over many days takes each SKU's own window
  band (:func:`sku_window_totals`): the level error it holds beyond the days summed as
  independent is shared by the SKU's days and warehouses (``inventory.demand.shared_level_variance``;
  the ``window_rule`` column names the rule), since a sum of independent days put the 95% build near
  the window's mean +8% (trial finding F17). The clearance reads the coming year's mean demand only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.headers import product_names, with_names
from workbench.errors import DataValidationError, ParameterError
from workbench.fulfilment.kpis import Kpi, kpi_table
from workbench.fulfilment.peak import SHIP_TARGET, TOTAL_SOURCES, PeakResult, check_capacity, peak_check
from workbench.network.places import city_labels, warehouse_name
from workbench.notes import SeriesNote, figure, relabelled, series_label

QUANTILES = (0.1, 0.5, 0.9)
# how the SKU x region forecasts meet the direct national total (planning.PLANNING_RECONCILE): on
# the seeded young shops' five windows (benchmarks/planning_young.py) auto (mint_refits) is ahead
# of bottom-up on the national and regional totals and level at categories and SKUs
CYCLE_RECONCILE = "auto"
CAPACITY_ASSUMED = ("daily handling capacity ASSUMED: each warehouse's network capacity for the "
                    "window spread evenly over its days x capacity_factor; give a capacity file "
                    "(warehouse, capacity_units_per_day) for real figures")
EXAMPLE_BUDGET_LABEL = ("EXAMPLE traffic budget: the budget scenario's channel history is the sample "
                        "one shipped in budgets/ (generated, at the scale of a large platform), so its "
                        "channels, response curves, budget and ROI are not yours: give budget_scenario "
                        "a scenario with your own channel history (budgets/README.md, docs/budget.md)")


# parameters naming the sales file's own columns, and the names the cycle reads them by
STANDARD_COLUMNS = {"date_col": "ds", "sku_col": "sku", "region_col": "region", "category_col": "category"}
SALES_COLUMNS = tuple(STANDARD_COLUMNS)


@dataclass(frozen=True)
class CycleParams:
    """The planning cycle's parameters, checked on construction (``__post_init__``), frozen.

    Paths are as given (relative to the working directory). ``data="sample"`` uses the embedded
    sample sales; ``stock=None`` is allowed only with it (the labelled demo snapshot). A sales
    file's own column names are ``date_col``, ``sku_col``, ``region_col`` (the network's seven
    regions, or provinces), ``category_col`` (optional) and ``target`` (``standard_sales``);
    ``sum_over``: its columns summed over to SKU x region (finer keys, declared: by default
    ``province``, which ``workbench data orders`` writes beside the region, skipped when absent).
    ``centrals``/``fronts``/``hubs`` take a list or a comma-separated string of cities of the
    places table, in Chinese or pinyin (``杭州``, ``Hangzhou``), stored as tuples of the table's
    names (``network.places.resolve_cities``); the plan as given is ``centrals`` + ``fronts``,
    else the sites marked ``existing`` in the ``sites`` file, else Beijing, Guangzhou, Chengdu and
    the largest ``max_fronts`` cities (``max_fronts`` None: 20, or the number of front candidates
    if fewer); the optimized network opens at most ``max_centrals`` centrals. ``siting``: whether
    the network may propose sites (an optimized network beside the plan as given); None (the
    default) is False when ``centrals`` names the shop's own warehouses, else True. With siting
    False the cycle plans exactly the warehouses as given (``fronts`` None: none, or the sites
    file's existing ones): each city served from them at least cost, the share within the promise
    measured against ``coverage_target``, not imposed; a capacity only where a ``capacity`` or
    ``sites`` file gives one (else unlimited, said in a note). ``coverage_target``: the share of the window's units
    every plan must deliver within ``promise_hours`` (the network's ``promise_share``; 1: every
    unit of every city) and the target of the coverage KPI.
    ``gmv_share``: the share of the event's forecast GMV uplift the traffic must earn (the budget
    scenario in ``gmv_target`` mode over the event window); None runs the scenario as written.
    ``events``: the planner's events YAML (own events such as 中秋, changed windows); ``event`` is
    then one of ``planning.PLANNING_EVENTS`` or an event it adds (``planning.check_event_choice``).
    ``unavailable``: a file of days SKUs could not sell (``workbench.data.unavailable``: a stock-out;
    its key columns the sales file's ``sku_col`` and ``region_col``; ``load_unavailable``).
    """

    data: str = "sample"
    date_col: str = "ds"
    sku_col: str = "sku"
    region_col: str = "region"
    category_col: str = "category"
    target: str = "units"
    gmv: str | None = "gmv"
    event: str = "618"
    year: int | None = None
    category: str | None = None
    max_skus: int | None = None
    sites: str | None = None
    lanes: str | None = None
    successors: str | None = None
    events: str | None = None
    unavailable: str | None = None
    sum_over: tuple[str, ...] | None = ("province",)
    centrals: tuple[str, ...] | None = None
    fronts: tuple[str, ...] | None = None
    max_centrals: int = 3
    max_fronts: int | None = None
    hot_target_share: float = 0.8
    hubs: tuple[str, ...] | None = None
    siting: bool | None = None
    n_front_candidates: int = 40
    promise_hours: float = 72.0
    coverage_target: float = 1.0
    capacity: str | None = None
    capacity_factor: float = 1.0
    ship_target: float = SHIP_TARGET
    stock: str | None = None
    lead_times: str | None = None
    lead_time_days: float = 5.0
    lead_time_std_days: float = 1.5
    review_days: float = 7.0
    service_level: float = 0.95
    transfer_days: float = 2.0
    min_turns: float = 4.0
    keep_days: float = 90.0
    min_age_days: float = 90.0  # a line younger than this (first sale) is held off the clearance list
    budget_scenario: str = "budgets/plan_base.yaml"
    gmv_share: float | None = 0.4
    roi_target: float = 5.0
    solver: str = "highs"
    time_limit: float | None = 120.0

    def __post_init__(self):
        """Check every field; raises ParameterError naming the field first (``"event: ..."``)."""
        from workbench.forecast.planning import check_event_choice

        value = self.sum_over
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if value is not None:
            object.__setattr__(self, "sum_over", tuple(str(v) for v in value))
        for name, value in site_choice(self.centrals, self.fronts, self.hubs, self.siting, self.sites).items():
            object.__setattr__(self, name, value)
        if self.data != "sample":
            _file("data", self.data, allow_none=False)
        names = {name: getattr(self, name) for name in (*SALES_COLUMNS, "target")}
        for name, value in names.items():
            if not isinstance(value, str) or not value.strip():
                raise ParameterError(f"{name}: {value!r} must be a column name of the sales file")
        if len(set(names.values())) < len(names):
            raise ParameterError(f"{', '.join(SALES_COLUMNS)} and target name one column twice ({names}); "
                                 f"each names its own column")
        if self.data == "sample" and any(getattr(self, n) != STANDARD_COLUMNS[n] for n in SALES_COLUMNS):
            raise ParameterError(f"{', '.join(SALES_COLUMNS)}: the sample data has fixed columns "
                                 f"({', '.join(STANDARD_COLUMNS.values())}); set them for your own file only")
        for name in ("stock", "lead_times", "capacity", "sites", "lanes", "successors", "events", "unavailable"):
            _file(name, getattr(self, name))
        check_event_choice(self.event, self.events)
        if self.year is not None and (not isinstance(self.year, int) or not 2000 <= self.year <= 2099):
            raise ParameterError(f"year: {self.year!r} must be a year 2000..2099 or None (the next event)")
        if self.successors is not None and self.data == "sample":
            raise ParameterError("successors: the sample data replaces no codes; give it with your own file")
        _file("budget_scenario", self.budget_scenario, allow_none=False)
        if self.stock is None and self.data != "sample":
            raise ParameterError("stock: give your stock snapshot file (sku, warehouse, on_hand, "
                                 "on_order); the demo snapshot exists only for the sample data")
        if not isinstance(self.max_centrals, int) or isinstance(self.max_centrals, bool) \
                or self.max_centrals < 1:
            raise ParameterError(f"max_centrals: {self.max_centrals!r} must be a whole number >= 1")
        for name in ("max_fronts", "n_front_candidates"):
            value = getattr(self, name)
            if value is None and name == "max_fronts":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ParameterError(f"{name}: {value!r} must be a whole number >= 0")
        if self.max_skus is not None and (not isinstance(self.max_skus, int) or self.max_skus < 1):
            raise ParameterError(f"max_skus: {self.max_skus!r} must be a whole number >= 1 or None")
        if not isinstance(self.hot_target_share, (int, float)) or not 0 <= self.hot_target_share <= 1:
            raise ParameterError(f"hot_target_share: {self.hot_target_share!r} must be a share in [0, 1]")
        for name in ("coverage_target", "ship_target"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ParameterError(f"{name}: {value!r} must be a share in (0, 1]")
        if not isinstance(self.service_level, (int, float)) or not 0.5 <= self.service_level < 1:
            raise ParameterError(f"service_level: {self.service_level!r} must be in [0.5, 1)")
        for name, low, high in (("promise_hours", 0, 24 * 30), ("capacity_factor", 0, 100),
                                ("lead_time_days", 0, 366), ("roi_target", 0, 1000)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not low < value <= high:
                raise ParameterError(f"{name}: {value!r} must be a number in ({low}, {high}]")
        for name in ("lead_time_std_days", "review_days", "transfer_days", "keep_days", "min_age_days"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 366:
                raise ParameterError(f"{name}: {value!r} must be a number of days in [0, 366]")
        if self.gmv_share is not None and (not isinstance(self.gmv_share, (int, float))
                                             or not 0 < self.gmv_share <= 1):
            raise ParameterError(f"gmv_share: {self.gmv_share!r} must be a share in (0, 1] or None "
                                 "(the budget scenario as written)")
        if not isinstance(self.min_turns, (int, float)) or not self.min_turns > 0:
            raise ParameterError(f"min_turns: {self.min_turns!r} must be > 0 turns a year")
        if self.time_limit is not None and not (isinstance(self.time_limit, (int, float))
                                                  and self.time_limit > 0):
            raise ParameterError(f"time_limit: {self.time_limit!r} must be seconds > 0 or None")


def site_choice(centrals, fronts, hubs, siting, sites) -> dict:
    """The cycle's warehouses as given, checked: ``centrals``, ``fronts`` and ``hubs`` (written
    city names, or None) resolved to the places table's cities (``network.places.resolve_cities``),
    and ``siting`` (None: False when ``centrals`` is given) as a bool; ``sites``: the sites
    file's path or None. What :class:`CycleParams` stores and :func:`check_cycle_sites` checks
    before any kernel, one rule for both.

    Raises:
        ParameterError: an unknown city or one named twice, an empty ``centrals``, ``hubs`` with
            siting off, or siting off with no warehouse named (no ``centrals`` and no sites file),
            naming the field first.
    """
    from workbench.network.places import resolve_cities

    out = {}
    for name, value in (("centrals", centrals), ("fronts", fronts), ("hubs", hubs)):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        out[name] = None if value is None else tuple(resolve_cities([str(v) for v in value], name))
    if out["centrals"] is not None and not out["centrals"]:
        raise ParameterError("centrals: an empty list names no warehouse; name your central warehouse(s) "
                             "(e.g. -p centrals '[\"杭州\"]'), or leave centrals out (null) for the default plan")
    if siting is not None and not isinstance(siting, bool):
        raise ParameterError(f"siting: {siting!r} must be true, false or null (null: false when centrals "
                             "names your warehouses)")
    out["siting"] = (out["centrals"] is None) if siting is None else siting
    if not out["siting"] and out["centrals"] is None and sites is None:
        raise ParameterError("siting: false plans your own warehouses, and none is named: name them in "
                             "centrals (and fronts), e.g. -p centrals '[\"杭州\"]', or mark them existing "
                             "in a sites file")
    if not out["siting"] and out["hubs"] is not None:
        raise ParameterError("hubs: central candidates of a siting, and siting is off (the warehouses as "
                             "given are planned): leave hubs out, or set -p siting true to let the network "
                             "propose sites")
    return out


def fixed_warehouses(values: dict) -> list[str] | None:
    """The warehouse names (``network.places.warehouse_name``) a cycle with ``values`` plans when
    its network is fixed and named by parameters (siting off, ``centrals`` given), else None (the
    network decides, or the sites file does). What the stock, lead-time and capacity files are
    checked against before any kernel.

    Raises:
        ParameterError: as :func:`site_choice`.
    """
    choice = site_choice(values.get("centrals"), values.get("fronts"), values.get("hubs"),
                         values.get("siting"), values.get("sites"))
    if choice["siting"] or choice["centrals"] is None:
        return None
    if values.get("sites") is not None and choice["fronts"] is None:
        return None  # its existing fronts join the named centrals: known once the file is read in the run
    return [*choice["centrals"], *[warehouse_name(f, "front") for f in choice["fronts"] or ()]]


def check_cycle_sites(values: dict) -> None:
    """The planning-cycle notebook's check of its warehouses before any kernel starts (declared
    in its metadata): ``centrals``, ``fronts``, ``hubs`` and ``siting`` (:func:`site_choice`),
    and, when the network is the warehouses as given (:func:`fixed_warehouses`), the warehouse
    names of the ``stock``, ``lead_times`` and ``capacity`` files against them, so that a stock
    row of a warehouse the plan does not have is refused in seconds, not after the forecast.

    Raises:
        ParameterError: a bad city or siting choice, naming the field.
        DataValidationError: a file's warehouse the plan does not have (file, line, column).
    """
    from workbench.inventory.inputs import check_lead_times, check_stock

    warehouses = fixed_warehouses(values)
    if warehouses is None:
        return
    stock, lead = stock_files(values.get("stock"), values.get("lead_times"))
    try:
        if stock is not None:
            check_stock(stock, warehouses=warehouses)
        if lead is not None:
            check_lead_times(lead, warehouses=warehouses)
        if values.get("capacity") is not None:
            read_capacity(values["capacity"], warehouses)
    except DataValidationError as exc:
        raise DataValidationError(f"{exc}. The network is the warehouses as given (centrals, fronts; siting "
                                  "off): name each of your warehouses there, or correct the file") from exc


def _file(name: str, value, *, allow_none: bool = True) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (str, Path)) or not Path(value).is_file():
        raise ParameterError(f"{name}: {value!r} is not an existing file")
    return str(value)


def cycle_params(**raw) -> CycleParams:
    """The planning cycle's parameters, checked and frozen (:class:`CycleParams`).

    Raises:
        ParameterError: an unknown name or a bad value, naming the parameter first
            (``"event: ..."``).
    """
    known = CycleParams.__dataclass_fields__
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ParameterError(f"{unknown[0]}: unknown parameter; known: {sorted(known)}")
    return CycleParams(**raw)


@dataclass
class CycleResult:
    """Everything the planning-cycle report shows; ``kpis`` first. ``blocked`` says why the peak
    and stock were not computed (no feasible network); their fields are then None."""

    params: CycleParams
    kpis: list[Kpi]
    window: object
    history_end: pd.Timestamp
    region_forecast: object
    region_totals: pd.DataFrame
    network: object
    assignment: pd.DataFrame
    capacity: pd.DataFrame
    peak: PeakResult | None
    plan: pd.DataFrame | None
    orders: pd.DataFrame | None
    build: pd.DataFrame | None
    clearance: pd.DataFrame | None
    budget: object
    gmv: dict | None
    stock_source: str = ""
    blocked: str = ""
    notes: list[str] = field(default_factory=list)
    history_start: pd.Timestamp | None = None  # first day of the sales history (the report header's range)
    used_plan: str = "named plan"  # the network plan the peak and stock use (a key of network.plans)
    product_names: dict | None = None  # the sales file's product names (data.headers.product_names)

    def kpi_table(self) -> pd.DataFrame:
        return kpi_table(self.kpis)

    def summary_text(self) -> str:
        """The event, its window, the data's end and the data. The run's assumptions and notes
        are ``notes`` (shown after the KPIs by ``workbench.notes.show_notes``: a note many
        series share said once)."""
        w = self.window
        return (f"{w.label} {w.year}: window {w.start.date()}..{w.end.date()} "
                f"({(w.end - w.start).days + 1} days); history to {self.history_end.date()}; "
                f"data: {self.params.data}")

    def forecast_text(self) -> str:
        """The window's one forecast, stated once: the national units over the window (mean, the
        figure the levels add up to) with the P10-P90 of the national window total
        (``planning.national_totals``), the units the network carries (its regions', the same
        figure) and what the stock plans (``stock_share``: the same figure when every SKU is
        planned and forecast)."""
        from workbench.forecast.planning import national_totals

        national = national_totals(self.region_forecast)
        text = f"forecast: {national['yhat']:,.0f} units over the window (mean"
        if national.get("yhat_q10") is not None and national.get("yhat_q90") is not None:
            text += f"; P10-P90 {national['yhat_q10']:,.0f}..{national['yhat_q90']:,.0f}"
        text += f"); the network carries {float(self.network.demand['demand'].sum()):,.0f} (its regions' units)"
        if self.build is None:
            return text + "; the stock is not computed"
        stock = float(self.build["window_demand"].sum())
        subset = self.params.category is not None or self.params.max_skus is not None
        return text + f"; the stock plans {stock:,.0f} of them{stock_share(stock, national['yhat'], subset)}"

    def recorded(self) -> dict:
        """Every KPI for the index and the command line's summary (name -> value): its value,
        or, when it has none, the text ``"not computed: <why>"`` (a verdict without a figure,
        kind ``text``: ``"red: <why>"``)."""
        return {k.name: float(k.value) if k.value is not None else
                f"{k.status}: {k.action}" if k.kind == "text" else
                f"not computed: {k.action.removeprefix('not computed: ') or 'no value'}" for k in self.kpis}

    def table(self, name: str) -> dict:
        """A report table as the keyword arguments of ``workbench.reports.tables.show_table``
        (``frame``, ``formats``, ``caption``, ``money_unit``): ``show_table(**result.table(name))``.

        Names: ``regions`` (mean, the network's figure, and P10/P50/P90 units over the window per
        region), ``plans`` (the
        network's plans side by side: cost, delivery shares, hours), ``coverage`` (shares
        within 24 h and the promise per region and plan), ``peak`` (per warehouse and scenario),
        ``orders``, ``build`` (the event build, fronts first), ``clearance``, ``service`` (reorder
        point and service level achieved per SKU and warehouse). A table of SKUs carries the sales
        file's product names beside the codes when it has a name column (``商品名称``).

        Raises:
            ParameterError: an unknown name.
        """
        makers = {"regions": self._regions, "plans": self._plans, "coverage": self._coverage,
                  "peak": self._peak,
                  "orders": self._orders, "build": self._build, "clearance": self._clearance,
                  "service": self._service}
        if name not in makers:
            raise ParameterError(f"table {name!r}: choose one of {sorted(makers)}")
        if self.blocked and name in ("peak", "orders", "build", "clearance", "service"):
            frame, formats, caption = (pd.DataFrame({"not computed": [self.blocked]}),
                                       {"not computed": "text"}, name)
        else:
            frame, formats, caption = makers[name]()
            named = with_names(frame, self.product_names)  # 商品名称 beside each SKU code (trial 15 F9)
            if named is not frame:
                frame, formats = named, {**formats, self.product_names["header"]: "text"}
        return {"frame": frame, "formats": formats, "caption": caption,
                "money_unit": "million CNY" if name == "plans" else None}

    def answers(self) -> list[tuple[str, str]]:
        """``(status, detail)`` of the run's optimizer answers, for
        ``workbench.reports.record.record_answer_status``: the network plan used (the plan as
        given when it is feasible, else the optimized one) and the traffic allocation. An unused
        alternative plan is not the run's answer: its status is in the network table and, when it
        has no plan, in the notes. When no plan keeps the targets and the plan used is the best
        achievable (``network.china.best_achievable``), the optimized network's infeasible answer
        comes first: the run is not read as a success."""
        from workbench.network.china import BEST_ACHIEVABLE, NO_LIMITS

        used = self.network.plans[self.used_plan]
        out = [(used.status, f"network, plan used ({self.used_plan}): "
                             f"{used.reason or used.outcome.describe()}")]
        if self.used_plan in (BEST_ACHIEVABLE, NO_LIMITS):  # no plan keeps the targets: the answer says so first
            # a fixed network (siting off) has no optimized plan: the warehouses as given's answer
            best = self.network.plans.get("optimized", self.network.plans["named plan"])
            out.insert(0, (best.status, f"network at the targets: {best.reason}"))
        summary = self.budget.summary()
        out.append((summary["status"], f"traffic budget {summary['scenario']}: "
                                        f"{summary.get('reason') or self.budget.allocation.outcome.describe()}"))
        return out

    def figures(self) -> list:
        """The peak figures (P50, P90) of :mod:`workbench.plots.fulfilment`; none when blocked."""
        if self.peak is None:
            return []
        from workbench.plots.fulfilment import peak_figure

        return [peak_figure(self.peak, "p50"), peak_figure(self.peak, "p90")]

    def _regions(self):
        t = self.region_totals
        frame = pd.DataFrame({"region": t["region"], "mean": t["yhat"], "P10": t["yhat_q10"], "P50": t["yhat_q50"],
                              "P90": t["yhat_q90"], "baseline": t["yhat_baseline"],
                              "uplift": t["uplift"], "uplift_pct": t["uplift_pct"]})
        if "lost_sales" in t:  # planned stock-outs: the demand given up, beside the sales the plan carries
            frame["lost_sales"] = t["lost_sales"].to_numpy()
        formats = {"region": "text", "uplift_pct": "percent", **{c: "units" for c in frame.columns
                                                             if c not in ("region", "uplift_pct")}}
        w = self.window
        return frame, formats, f"Units over {w.label} {w.year} ({w.start.date()}..{w.end.date()})"

    def network_text(self) -> str:
        """The network's summary in words (its comparison table is :meth:`table` ``plans``)."""
        blocks = self.network.summary_text().split("\n\n")
        return "\n\n".join([blocks[0], *blocks[2:]]).strip()

    def _plans(self):
        from workbench.network.plans import METRICS

        kinds = {"status": "text", "total": "money", "fixed_central": "money",
                 "fixed_front": "money", "delivery": "money", "linehaul": "money",
                 "handling": "money", "within_24h": "share", "within_48h": "share",
                 "within_promise": "share", "mean_hours": "number", "p95_hours": "number",
                 "mean_km": "number", "front_share": "share", "max_central_util": "share",
                 "centrals": "text", "n_fronts": "count", "gap": "pct:2"}
        frame = self.network.comparison.T.reset_index(names="plan")
        formats = {"plan": "text"}
        for label, key in METRICS:
            if label in frame.columns:
                kind = kinds.get(key, "text")
                if kind != "text":
                    frame[label] = pd.to_numeric(frame[label], errors="coerce")
                formats[label] = kind
        return frame, formats, "The network's plans for the event's forecast volume (mean; money in CNY for the window)"

    def _coverage(self):
        table = self.network.coverage_table()
        frame = pd.DataFrame({"region": table.index.astype(str)})
        formats = {"region": "text"}
        for column in table.columns:
            label = " ".join(str(part) for part in column if str(part)).strip()
            frame[label] = table[column].to_numpy(dtype=float)
            formats[label] = "units" if label == "units" else "share"
        return frame, formats, "Share of units delivered within 24 h and the promise, per region and plan"

    def _peak(self):
        frame = self.peak.warehouses[["warehouse", "scenario", "units", "peak_day_units", "capacity",
                                      "days_binding", "first_binding_day", "max_backlog",
                                      "backlog_at_end", "ship_48h_share", "extra_capacity_needed",
                                      "scenario_total"]]
        formats = {"warehouse": "text", "scenario": "text", "units": "units", "scenario_total": "text",
                   "peak_day_units": "units", "capacity": "units", "days_binding": "count",
                   "first_binding_day": "date", "max_backlog": "units", "backlog_at_end": "units",
                   "ship_48h_share": "share", "extra_capacity_needed": "units"}
        caption = "Outbound per warehouse over the window against capacity (units a day)"
        unlimited = ~np.isfinite(frame["capacity"].to_numpy(float))
        if unlimited.any():  # a warehouse as given without a capacity (siting off): no figure to show
            frame = frame.assign(capacity=frame["capacity"].where(~unlimited))
            caption += "; capacity empty: unlimited (none given)"
        return frame, formats, caption

    def _orders(self):
        frame = self.orders
        formats = {"sku": "text", "warehouse": "text", "order_units": "units", "order_by": "date",
                   "arrives": "date", "alert": "text", "order_value": "money", "site": "text"}
        return frame, {k: v for k, v in formats.items() if k in frame}, "Orders to place"

    def _build(self):
        frame = self.build[self.build["build_units"] > 0].sort_values(["tier", "place_by"],
                                                                      ascending=[False, True])
        formats = {"sku": "text", "warehouse": "text", "window_demand": "units",
                   "target_stock": "units", "expected_at_open": "units", "build_units": "units",
                   "place_by": "date", "service_level_achieved": "share", "window_rule": "text", "tier": "text",
                   "site": "text"}
        return frame, {k: v for k, v in formats.items() if k in frame}, "Stock to place before the window opens (front warehouses first)"

    def _clearance(self):
        frame = self.clearance.replace([np.inf, -np.inf], np.nan)
        formats = {"sku": "text", "warehouse": "text", "on_hand": "units", "mean_daily": "number:2",
                   "annual_turns": "number:2", "days_of_cover": "number", "keep_demand": "units",
                   "last_year_turns": "number:2", "clear_units": "units", "clear_value": "money"}
        return (frame, {k: v for k, v in formats.items() if k in frame},
                "Clearance list (滞销品清仓): slow movers over the coming year's demand (the forecast, past its "
                f"horizon last year's same days at the line's change since) and the units beyond its busiest {self.params.keep_days:g} days of it "
                "(— days of cover: no demand)")

    def _service(self):
        frame = self.plan[["sku", "warehouse", "demand_lt", "reorder_point", "distribution", "window_rule",
                           "service_level_achieved", "position", "alert"]]
        formats = {"sku": "text", "warehouse": "text", "demand_lt": "units",
                   "reorder_point": "units", "distribution": "text", "window_rule": "text",
                   "service_level_achieved": "share", "position": "units", "alert": "text"}
        return frame, formats, (f"Reorder points for a {self.params.service_level:.0%} cycle service "
                                "level and the level achieved")


def stock_share(stock: float, national: float, subset: bool) -> str:
    """What the stock's window units (``stock``) are of the national forecast (``national``, both
    units over the window), said after the stock's figure: nothing when they agree to half a unit;
    "the planned SKUs' share" only where ``subset`` (a ``category`` or ``max_skus`` chose the
    SKUs); else the units no planned series holds (a region none of whose SKUs could be forecast,
    a failed series), pointing to the note that names them (review 7.2 #13: with every SKU planned
    such a shortfall was called the planned SKUs' share)."""
    if abs(stock - national) < 0.5 or national <= 0:
        return ""
    if subset:
        return f" (the planned SKUs' share, {stock / national:.0%})"
    return (f" ({stock / national:.0%}: every SKU is planned, but {national - stock:,.0f} units of the forecast are in no "
            f"SKU's series; the notes say where)" if stock < national else
            f" ({stock / national:.0%}: {stock - national:,.0f} units more than the forecast; the notes say where)")


# -- inputs -------------------------------------------------------------------------------------

def load_unavailable(params: CycleParams, history: pd.DataFrame) -> pd.DataFrame | None:
    """The declared unavailable days of ``params.unavailable`` (``read_cycle_unavailable``) checked
    against the sales ``history`` (``load_history``'s ``[sku, region, ds, y]``): its SKU codes and
    regions; None without a file. Its key columns are ``sku`` and, when it names places, ``region``
    (one of the network's seven, a province read as its region).

    ``attrs["notes"]``: the provinces read as their regions.

    Raises:
        DataValidationError: the file's faults, a SKU code the sales lack or a region they do not
            sell in, naming its line and column.
    """
    if params.unavailable is None:
        return None
    from workbench.data.unavailable import check_codes

    spans, notes = read_cycle_unavailable(params.unavailable, params.sku_col, params.region_col, params.sum_over)
    spans.attrs["notes"] = notes
    check_codes(spans.rename(columns={"sku": params.sku_col}), history.rename(columns={"sku": params.sku_col}),
                [params.sku_col])
    check_codes(spans, history, ["region"])  # a region the sales never reach
    return spans


def unavailable_place_columns(sku_col: str, region_col: str, sum_over) -> list[str]:
    """The columns a planning cycle's unavailable-days file may name a place by: the sales file's
    ``region_col``, ``region`` (the network's name for it) and a province column the cycle sums over
    (``sum_over``: ``province`` beside the region, as ``workbench data orders`` writes them)."""
    from workbench.network.inputs import place_columns

    if isinstance(sum_over, str):
        sum_over = [v.strip() for v in sum_over.split(",") if v.strip()]
    provinces = [c for c in (sum_over or ()) if c in place_columns()["province"]]
    return [c for c in dict.fromkeys([region_col, "region", *provinces]) if c != sku_col]


def read_cycle_unavailable(path, sku_col: str, region_col: str, sum_over) -> tuple[pd.DataFrame, list[str]]:
    """A planning cycle's unavailable-days file (``workbench.data.unavailable.read_spans``) with its
    key columns ``sku`` (the sales file's ``sku_col``) and, when it names places, ``region``: one of
    ``unavailable_place_columns``, its values a region of the network (East, 华东) or a province
    (广东, 浙江省, Guangdong) read as its region (the cycle's series are SKU x region), said in the
    notes; ``attrs["provinces"]`` maps such a run's ``line`` to its province (English name), whose
    share of its region a run after the history gives up (``cycle_demand``).

    Returns:
        ``(spans, notes)``.

    Raises:
        DataValidationError: the file's faults (``read_spans``), two place columns, or a place that
            is neither a region nor a province, naming the file, line and column.
    """
    from workbench.data.provinces import REGIONS, region_of, resolve_provinces
    from workbench.data.unavailable import read_spans

    places = unavailable_place_columns(sku_col, region_col, sum_over)
    fix = (f"the planning cycle's file names the SKU ({sku_col!r}) and, for a run in one region, the place "
           f"({' or '.join(repr(c) for c in places)}: a region such as East or 华东, or a province); rename them")
    spans = read_spans(path, [sku_col, *places], fix=fix)
    src = spans.attrs["source"]
    named = [c for c in places if c in spans.columns]
    if len(named) > 1:
        raise DataValidationError(f"{src}: columns {named} both name a place; keep one ({fix})")
    spans = spans.rename(columns={sku_col: "sku"})
    spans.attrs["source"] = src
    if not named:
        return spans, []
    column = named[0]
    values = spans[column].astype(str)
    regions = values.map(region_of)
    provinces = resolve_provinces(values)
    regions = regions.where(regions.notna(), provinces["region"])
    bad = regions.isna().to_numpy()
    if bad.any():
        row = spans[bad].iloc[0]
        raise DataValidationError(f"{src}: line {row['line']}, column {column!r}: {row[column]!r} is neither one of the "
                                  f"network's regions {list(REGIONS)} (or 华北, 华南...) nor a province (广东, 浙江省, "
                                  f"Guangdong); name the region or the province")
    read_as = [f"{v} -> {r} (line {line})" for v, r, line, p in
               zip(values, regions, spans["line"], provinces["province"]) if region_of(v) is None and p is not None]
    out = spans.drop(columns=column)
    out.insert(int("sku" in out), "region", regions.to_numpy())
    out.attrs["source"] = src
    out.attrs["provinces"] = {int(line): p for v, line, p in zip(values, spans["line"], provinces["province"])
                              if region_of(v) is None and p is not None}
    notes = [f"unavailable: a province is read as its region ({', '.join(read_as[:4])}"
             f"{', ...' if len(read_as) > 4 else ''}): the cycle forecasts each SKU's regions, so in the history the "
             f"run is read at the region's level; after it, it gives up the province's share of its region's "
             f"units"] if read_as else []
    return out, notes


def check_cycle_unavailable(values: dict) -> None:
    """The planning-cycle notebook's check of its ``unavailable`` file before any kernel starts
    (declared in its metadata): the file as the run reads it (``read_cycle_unavailable``: columns,
    dates, places) and its SKU codes against the sales file's (the sample's with the sample data),
    so a typo is refused in seconds; the run checks them again on the sales as read, with the
    regions (``load_unavailable``).

    Raises:
        DataValidationError: the file's faults or a SKU code the sales lack, naming its line and column.
    """
    if values.get("unavailable") is None:
        return
    from workbench.data.unavailable import check_codes

    sku = values.get("sku_col", "sku")
    spans, _ = read_cycle_unavailable(values["unavailable"], sku, values.get("region_col", "region"),
                                      values.get("sum_over", CycleParams.sum_over))
    data = values.get("data", "sample")
    if data == "sample":
        from workbench.data.sample import load_sample

        raw = load_sample("sku")
    else:
        from workbench.data.io import read_table

        raw = read_table(data, text_columns=True)  # codes as written
    if sku in raw.columns:
        check_codes(spans.rename(columns={"sku": sku}), raw, [sku])


def load_history(params: CycleParams, calendar=None) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str], list[str]]:
    """The daily sales ``[sku, region, ds, y]`` (validated, every SKU: the network and GMV see
    the whole business), the national GMV ``[ds, y]`` (None without a GMV column), the SKUs
    whose stock is planned and notes. A ``params.successors`` mapping
    (``workbench.data.successors``) is checked before the sales are read and applied to the
    units, with a note (the GMV is national: nothing moves); a replaced SKU is then no series.
    The planned SKUs are the series' SKUs after that mapping (a replaced code is not planned:
    its successor is, under the successor's category), in ``params.category`` when given, the
    first ``params.max_skus`` of them when given. Codes that look like an undeclared replacement
    get a note (``likely_replacements``); the table's own notes (number columns the cycle does not
    read, a last day the data show cut short, years outside the calendar) come from
    ``validate.table_notes``, judged on ``calendar`` (the plan's; None: the shipped one). The columns of
    ``params.sum_over`` (by default ``province``, which ``workbench data orders --level
    sku_province`` writes beside the region; a channel) are finer keys: validated, then summed
    over, with a note, as the event report does (``validate.finer_keys``: declared, never
    guessed; rows that differ only in another column are refused, naming it).

    The file's own column names come from ``params.date_col``, ``sku_col``, ``region_col`` and
    ``category_col`` (``standard_sales``); a region column of provinces (广东省, 浙江) is read as
    the network's seven regions, with a note (``network_regions``). Notes name series and
    columns by the file's own names (``商品编码=JG008``; ``region=`` where provinces were read as
    regions: ``series_names``).

    Raises:
        DataValidationError: a file without the named columns or with bad rows (named); weekly
            or monthly dates (the cycle plans each day of the peak: ``refuse_periods``); a region
            that is neither one of the seven nor a province.
        ParameterError: a ``category`` the data does not have.
    """
    from workbench.data.io import read_table
    from workbench.data.sample import load_sample
    from workbench.data.successors import map_codes, read_successors
    from workbench.data.validate import finer_keys, prepare_long_frame, sum_finer, table_notes

    mapping = read_successors(params.successors) if params.successors is not None else None
    if params.data == "sample":
        raw, source = load_sample("sku"), "sample (sku)"
    else:
        # a column under another name of its field (商品ID for sku_col sku) is read as it (data.headers)
        raw = read_table(params.data, text_columns=[params.sku_col, params.region_col, params.category_col,
                                                   *(params.sum_over or ())],
                         fields=[*(getattr(params, name) for name in SALES_COLUMNS), params.target])
        source = raw.attrs.get("source", params.data)
    read = [getattr(params, name) for name in (*SALES_COLUMNS, "target", "gmv")]
    as_read = raw
    raw = standard_sales(raw, {name: getattr(params, name) for name in SALES_COLUMNS}, params.target, source)
    refuse_periods(raw, source)
    check_category(raw, params.category, source)
    check_gmv(raw, params.gmv, source)
    # product names (商品名称) ride beside the SKU codes into the cycle's SKU tables (trial 15 F9)
    sku_names, named = product_names(raw, ["sku"], source)
    read += [sku_names["header"]] if sku_names else []
    # the declared finer keys (sum_over: by default the province `workbench data orders` writes
    # beside the region): validated with the rest, then summed over, with a note (the event
    # report's rule, validate.finer_keys / sum_finer); never another text column, guessed
    finer = finer_keys(raw, ["sku", "region"], params.sum_over, source,
                       required=params.sum_over != CycleParams.sum_over)
    frame, _ = prepare_long_frame(raw, date_col="ds", target_col=params.target, keys=["sku", "region", *finer],
                                  freq="D", source=source, finer_name="sum_over")
    from workbench.network.inputs import place_columns

    province_col = next((c for c in place_columns()["province"] if c in finer), None)  # 省份 as sum_over too
    by_province = frame.rename(columns={province_col: "_province"}) if province_col else None
    frame, summed = sum_finer(frame, ["sku", "region"], finer, source,
                              names={"sku": params.sku_col, "region": params.region_col})
    notes = table_notes(frame, "D", source, raw=as_read, used=[*read, *finer], target=params.target,
                        calendar=calendar) + summed + named
    before = frame
    frame, regions = network_regions(frame, params.region_col, source)
    notes += regions
    if regions and _names_provinces(before["region"]):  # the network places each region's units by them
        by_province = before.assign(_province=before["region"])
    shares = province_shares(by_province) if by_province is not None else None
    names = series_names(params, mapped=bool(regions))
    own = frame.rename(columns=names)  # the mapping's and the hint's notes name the file's columns
    category, category_notes = sku_categories(raw, source) if "category" in raw.columns else ({}, [])
    groups = {names["sku"]: (params.category_col, category)} if category else None  # the hint's pairs by category
    own, moved = map_codes(own, list(names.values()), mapping, groups=groups)
    notes += moved
    replaced = {} if mapping is None else {r.predecessor: mapping.final(r.predecessor) for r in mapping.replacements}
    frame = own.rename(columns={v: k for k, v in names.items()})
    frame.attrs.update(own.attrs)
    frame.attrs["series_names"] = names  # for run_cycle's notes (relabelled)
    frame.attrs["product_names"] = sku_names  # for the SKU tables (CycleResult.table)
    frame.attrs["replaced"] = replaced  # replaced code -> its successor: its stock is named (complete_stock)
    # each series' SKU under its category (a successor never sold yet: its predecessor's), the level
    # its forecast pools with (cycle_demand)
    before = {final: old for old, final in replaced.items()}
    frame.attrs["categories"] = {sku: category.get(sku, category.get(before.get(sku)))
                                 for sku in frame["sku"].astype(str).unique()
                                 if category.get(sku, category.get(before.get(sku))) is not None}
    # where the network places a region's units (plan_network); records, not a frame: pandas compares attrs
    frame.attrs["province_shares"] = None if shares is None else shares.to_dict("records")
    stock_skus = sorted(frame["sku"].astype(str).unique())  # after the mapping: a replaced code is no series
    if params.category is not None:  # each SKU under its own category (a successor's own)
        notes += category_notes
        stock_skus = [s for s in stock_skus if category.get(s) == params.category]
    if params.max_skus is not None:
        stock_skus = stock_skus[:params.max_skus]
    gmv = None
    if params.gmv and params.gmv in raw.columns:
        money, _ = prepare_long_frame(raw, date_col="ds", target_col=params.gmv,
                                      keys=["sku", "region", *finer], freq="D", source=source)  # summed: no region needed
        gmv = money.groupby("ds", as_index=False)["y"].sum()  # national: a replacement moves none of it
    return frame, gmv, stock_skus, notes


def _names_provinces(regions: pd.Series) -> bool:
    """Whether a region column names provinces (广东省, 浙江), not only the regions under other
    names (华东, north), which place no unit at a province (trial 18 F2)."""
    from workbench.data.provinces import region_of

    return bool(pd.Series(pd.unique(regions.astype(str))).map(region_of).isna().any())


PROVINCE_SHARE_DAYS = 365  # the recent history whose units say how a region's units split over its provinces


def province_shares(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Each province's share of its region's units, ``province, region, share, units`` (English
    province names, ``data.provinces``; ``units`` the sales' units behind the share), over the last
    ``PROVINCE_SHARE_DAYS`` days of ``frame`` (``[..., region, _province, ds, y]``: the sales with
    the region and the province as written, 广东省 or Guangdong), or its whole history for a region
    that sold nothing in them. Where the network places a region's forecast (``plan_network``): at
    the shop's own provinces, not over every city of the region by population (trial 11 F0b: 新疆
    was 4% of a shop's orders, spread over Xi'an and Lanzhou by population it read 0.8%, and the
    72 h KPI 99.2% where the shop's provinces give 95.8%).

    A row's region is the file's own (its region column, read as ``network_regions`` reads it),
    never re-derived from the province. Units whose province names none of the city table's
    (未知, 其他, empty, 香港) keep a row with ``province`` None: that share of the region stays at
    region level (over the region's cities by population), so a region's shares add up to 1 and
    no unit is lost. None when the frame has no units."""
    from workbench.data.provinces import region_of, resolve_provinces
    from workbench.network.places import load_cities

    regions = pd.Series(pd.unique(frame["region"].astype(str)))
    named = regions.map(region_of)
    network_region = dict(zip(regions, named.where(named.notna(), resolve_provinces(regions)["region"])))
    written = pd.Series(pd.unique(frame["_province"].astype(str)))
    placeable = set(load_cities()["province"])
    province = dict(zip(written, resolve_provinces(written)["province"].map(
        lambda p: p if p in placeable else None)))
    rows = frame.assign(region=frame["region"].astype(str).map(network_region),
                        province=frame["_province"].astype(str).map(province))
    rows = rows[rows["region"].notna()]  # network_regions refused the file before a region could be unknown
    recent = rows[rows["ds"] > rows["ds"].max() - pd.Timedelta(days=PROVINCE_SHARE_DAYS)]
    units = recent.groupby([recent["region"], recent["province"].fillna("")])["y"].sum()
    quiet = set(rows["region"]) - set(units[units > 0].index.get_level_values(0))
    if quiet:
        older = rows[rows["region"].isin(quiet)]
        units = pd.concat([units, older.groupby([older["region"], older["province"].fillna("")])["y"].sum()])
    units = units[units > 0]
    if units.empty:
        return None
    share = units / units.groupby(level=0).transform("sum")
    out = pd.DataFrame({"province": [p or None for p in units.index.get_level_values(1)],
                        "region": units.index.get_level_values(0), "share": share.to_numpy(),
                        "units": units.to_numpy()})
    return out


def province_notes(shares: pd.DataFrame) -> list[str]:
    """What the network's placement of the regions' units at provinces (``province_shares``) says:
    the provinces and their shares, and the units of the sales whose province is unknown (kept at
    region level, per region)."""
    known = shares[shares["province"].notna()].sort_values("share", ascending=False)
    notes = [f"network: each region's units are placed at the provinces the sales name, by their share of "
             f"the region's units over the last {PROVINCE_SHARE_DAYS} days ({len(known)} provinces; "
             + ", ".join(f"{r.province} {r.share:.0%} of {r.region}" for r in known.head(4).itertuples())
             + "), then over each province's cities by population"]
    unknown = shares[shares["province"].isna()]
    if len(unknown):
        notes.append(f"network: {unknown['units'].sum():,.0f} of the sales' {shares['units'].sum():,.0f} units name no "
                     "province of the city table (未知, 其他, empty, 香港...): that share of their region is placed over "
                     "the region's cities by population ("
                     + ", ".join(f"{r.region} {r.share:.0%}" for r in unknown.itertuples()) + ")")
    return notes


def series_names(params: CycleParams, *, mapped: bool) -> dict[str, str]:
    """How the cycle's notes name its key columns ``sku`` and ``region``: the sales file's own
    names (``params.sku_col``, ``params.region_col``: ``商品编码``, ``省份``); ``region`` stays
    where ``mapped`` (the column held provinces, read as the network's regions: its values are
    regions, no longer the column's)."""
    return {"sku": params.sku_col, "region": "region" if mapped else params.region_col}


def standard_sales(raw: pd.DataFrame, columns: dict[str, str], target: str, source: str) -> pd.DataFrame:
    """``raw`` with the sales file's own date, SKU, region and (optional) category columns, named
    by ``columns`` (parameter -> column: ``SALES_COLUMNS``), renamed to ``ds``, ``sku``,
    ``region``, ``category`` (``STANDARD_COLUMNS``), so a Chinese export is read as it is
    (``日期``, ``商品编码``, ``省份``, ``类目``).

    Raises:
        DataValidationError: a named column (or ``target``) the file does not have, or a column of
            the standard name besides the one named for it, each with the parameter that names it
            and the file's columns.
    """
    wanted = {name: column for name, column in columns.items() if name != "category_col"}
    missing = [f"{column!r} ({name})" for name, column in [*wanted.items(), ("target", target)]
               if column not in raw.columns]
    if missing:
        raise DataValidationError(
            f"{source}: no column {', '.join(missing)} for the planning cycle; it has {list(raw.columns)}. Name "
            f"your columns with the parameters, e.g. -p date_col 日期 -p sku_col 商品编码 -p region_col 省份 "
            f"-p category_col 类目 -p target 销量")
    rename = {column: STANDARD_COLUMNS[name] for name, column in columns.items() if column in raw.columns}
    clash = [f"{standard!r} besides {column!r} ({name})" for name, column in columns.items()
             if (standard := STANDARD_COLUMNS[name]) != column and column in raw.columns and standard in raw.columns]
    if clash:
        raise DataValidationError(f"{source}: has a column {', '.join(clash)}; the cycle reads one of each: "
                                  f"rename or remove the other")
    out = raw.rename(columns=rename)
    out.attrs.update(raw.attrs)
    return out


def network_regions(frame: pd.DataFrame, column: str, source: str) -> tuple[pd.DataFrame, list[str]]:
    """The sales frame ``[sku, region, ds, y]`` with its regions as the network's seven
    (``data.provinces.REGIONS``): kept when every value is one; regions in another case (north)
    and a column of provinces (广东省, 浙江, Guangdong) are mapped to them (``data.provinces.resolve_provinces``) and its provinces
    summed per region, with a note. ``column``: the file's name of the region column, for
    messages.

    Raises:
        DataValidationError: a value that is neither a region nor a province, with the values.
    """
    from workbench.data.provinces import REGIONS, region_of, resolve_provinces

    values = frame["region"].astype(str)
    if values.isin(REGIONS).all():
        return frame, []
    distinct = pd.Series(pd.unique(values))
    named = distinct.map(region_of)  # north, EAST, 华南
    mapped = named.where(named.notna(), resolve_provinces(distinct)["region"])
    unknown = distinct[mapped.isna()]
    if len(unknown):
        raise DataValidationError(f"{source}: column {column!r} has {sorted(unknown)[:5]}, neither one of the "
                                  f"network's regions {list(REGIONS)} (or 华北, 华南...) nor a province (广东省, 浙江, Guangdong); "
                                  f"fix those values or map them to a region")
    to_region = dict(zip(distinct, mapped))
    out = frame.assign(region=values.map(to_region)).groupby(["sku", "region", "ds"], as_index=False, sort=True)["y"].sum()
    out.attrs.update(frame.attrs)
    shown = ", ".join(f"{p} -> {r}" for p, r in list(to_region.items())[:4] if p != r)
    return out, [f"{source}: column {column!r} holds provinces or other names; read as the network's regions ({shown}"
                 f"{', ...' if len(to_region) > 4 else ''}): {len(distinct)} values into {out['region'].nunique()} regions"]


def refuse_periods(raw: pd.DataFrame, source: str) -> None:
    """Refuse weekly or monthly sales (read from the distinct dates of ``raw``'s ``ds``,
    ``planning.file_frequency``) with what to do: the cycle's network, peak and stock steps work
    day by day (each warehouse's outbound per day against its capacity, the 48-hour share, daily
    demand over the lead time), which a week's total does not tell; spreading it evenly would
    flatten the event's peak days, the ones the cycle exists to plan.

    Raises:
        DataValidationError: weekly or monthly dates, naming the file and the event report
            (which plans from weeks and months).
        ParameterError: quarterly dates (``file_frequency``).
    """
    from workbench.forecast.planning import PERIOD_ADJECTIVES, PERIOD_WORDS, file_frequency

    freq, _ = file_frequency(raw, "ds", source)
    if freq != "D":
        word = PERIOD_WORDS[freq]
        raise DataValidationError(
            f"{source}: every date is a {word}'s first day, one {word} apart: {PERIOD_ADJECTIVES[freq]} sales. "
            f"The planning cycle needs daily sales per sku and region: it plans each day of the event "
            f"(warehouse outbound against capacity, orders shipped within 48 h, daily demand over the "
            f"lead time), and a {word}'s total does not say how its days differ. Give daily sales (an "
            f"order export becomes them with `workbench data orders`); the event report "
            f"(notebooks/event_forecast.ipynb) plans from {word}s: -p data {Path(source).name}")


def check_category(raw: pd.DataFrame, category: str | None, source: str) -> None:
    """Refuse a ``category`` (None: every SKU) that the sales table ``raw`` does not have.

    Raises:
        ParameterError: no ``category`` column, or not that category, with the ones it has.
    """
    if category is None:
        return
    if "category" not in raw.columns:
        raise ParameterError(f"category: {source} has no category column (name it with category_col); set "
                             f"category to None (-p category null) to plan every SKU's stock")
    if category not in set(raw["category"].astype(str)):
        raise ParameterError(f"category: {category!r} is not in {source}; it has "
                             f"{sorted(raw['category'].astype(str).unique())} (None, -p category null: "
                             f"every SKU)")


def sku_categories(raw: pd.DataFrame, source: str) -> tuple[dict[str, str], list[str]]:
    """``(SKU -> category, notes)`` of the sales table ``raw`` (``ds``, ``sku``, ``category``
    columns, as ``standard_sales`` names them): each SKU's category on its latest date (a
    re-categorised SKU is planned under its current one, not under the file's last row; review
    7.2 #7), and a note naming SKUs with more than one category (the first few, each with its
    categories in date order) so a typo on one row is seen.

    Raises:
        DataValidationError: an unparseable date (``validate.parse_dates``, with the lines).
    """
    from workbench.data.validate import parse_dates

    rows = pd.DataFrame({"ds": parse_dates(raw, "ds", source=source), "sku": raw["sku"].astype(str),
                         "category": raw["category"].astype(str)}).sort_values("ds", kind="stable")
    latest = rows.drop_duplicates("sku", keep="last").set_index("sku")["category"].to_dict()
    seen = rows.drop_duplicates(["sku", "category"])
    several = seen[seen.duplicated("sku", keep=False)].groupby("sku", sort=True)["category"].agg(list)
    if several.empty:
        return latest, []
    named = "; ".join(f"{sku}: {' -> '.join(cats)}" for sku, cats in several.head(5).items())
    more = f" and {len(several) - 5} more" if len(several) > 5 else ""
    return latest, [f"{source}: {len(several)} SKUs have more than one category ({named}{more}); each is planned "
                    f"under its category on its latest date"]


def check_gmv(raw: pd.DataFrame, gmv: str | None, source: str) -> None:
    """Refuse a ``gmv`` column name that was given and that the sales table ``raw`` lacks (a typo
    gave no GMV, said only as "no GMV column"; review 7.2 #15). The default name, ``gmv``, may be
    absent: the file then has no GMV, which the report says.

    Raises:
        ParameterError: naming the file's columns and how to run without GMV.
    """
    if gmv is not None and gmv != CycleParams.gmv and gmv not in raw.columns:
        raise ParameterError(f"gmv: {source} has no column {gmv!r} (its columns: {list(raw.columns)}); name its "
                             f"GMV column, or set gmv to None (-p gmv null) to plan without GMV")


def check_sales_file(values: dict) -> None:
    """The planning-cycle notebook's check of its ``data`` before any kernel starts (declared in
    its metadata, run on the parameter values by ``reports.runner.check_inputs``): the file is
    read with its own column names (``date_col``, ``sku_col``, ``region_col``, ``category_col``,
    ``target``: ``standard_sales``), its regions must be regions or provinces
    (``network_regions``), weekly or monthly dates are refused (``refuse_periods``), and so is a
    ``category`` it does not have (``check_category``; the default, None, plans every SKU) and a
    missing ``stock`` file (the demo snapshot is the sample's only); a ``successors`` code typo is
    ``successors.check_successors_file``'s (every notebook's); the rest is checked in the run.

    Raises:
        DataValidationError: a column the file lacks, a region that is neither, weekly or monthly
            dates, or a file that cannot be read (named).
        ParameterError: a category the file does not have; no stock file.
    """
    data = values.get("data")
    if data is None or data == "sample":
        return
    from workbench.data.io import read_table

    columns = {name: values.get(name, STANDARD_COLUMNS[name]) for name in SALES_COLUMNS}
    raw = read_table(data, text_columns=list(columns.values()),
                     fields=[*columns.values(), values.get("target", "units")])
    source = raw.attrs.get("source", str(data))
    raw = standard_sales(raw, columns, values.get("target", "units"), source)
    refuse_periods(raw, source)
    regions = raw.drop_duplicates("region")[["sku", "region", "ds"]]  # only its names are checked
    network_regions(regions.assign(y=0.0), columns["region_col"], source)
    check_category(raw, values.get("category"), source)
    check_gmv(raw, values.get("gmv", CycleParams.gmv), source)
    if values.get("stock") is None:
        raise ParameterError("stock: give your stock snapshot file (sku, warehouse, on_hand, on_order); the "
                             "demo snapshot exists only for the sample data")


def check_stock_files(values: dict) -> None:
    """The planning-cycle notebook's check of its ``stock`` and ``lead_times`` files before any
    kernel starts (declared in its metadata, run by ``reports.runner.check_inputs``): columns,
    keys and numbers (``workbench.inventory.inputs``); their warehouse names are checked in the
    run, once the network says which warehouses are open.

    Raises:
        DataValidationError: a file that cannot be read or fails a check (file, line, column).
    """
    stock_files(values.get("stock"), values.get("lead_times"))


def check_capacity_file(values: dict) -> None:
    """The planning-cycle notebook's check of its ``capacity`` file before any kernel starts
    (declared in its metadata): columns, numbers and repeated warehouses (``peak.check_capacity``);
    which warehouses it must cover is checked in the run, once the network is known.

    Raises:
        DataValidationError: a bad file, naming the file, line and column.
    """
    if values.get("capacity") is not None:
        read_capacity(values["capacity"], [])


def read_capacity(path, warehouses: list[str]) -> pd.Series:
    """``warehouse -> capacity_units_per_day`` of the capacity file for ``warehouses``
    (``peak.check_capacity``: names resolved as the stock file's).

    Raises:
        DataValidationError: a file that cannot be read, missing columns, a capacity that is not
            a number >= 0, a repeated warehouse or one of ``warehouses`` without a row.
    """
    from workbench.data.io import read_table

    table = read_table(path)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return check_capacity(table, warehouses)


def stock_files(stock, lead_times) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The stock snapshot and the lead-time table read and checked once, with their warehouse
    names as written (None where no file is given): the run resolves the names against the
    network's warehouses on these frames (``check_stock``, ``check_lead_times``), without
    reading the files again.

    Raises:
        DataValidationError: a file that cannot be read or fails a check (file, line, column).
    """
    from workbench.inventory.inputs import read_lead_times, read_stock

    return (None if stock is None else read_stock(stock),
            None if lead_times is None else read_lead_times(lead_times))


def next_window(event: str, year: int | None, history_end: pd.Timestamp, calendar=None):
    """The window of ``event`` in ``year``, or the next one after ``history_end``
    (:func:`workbench.forecast.planning.event_window`, on ``calendar``: None, the shipped one);
    the cycle plans ahead, so the window must start after the history ends.

    Raises:
        ParameterError: a window that does not start after the history ends.
    """
    from workbench.forecast.planning import event_window

    window = event_window(event, year, history_end, calendar)
    if window.start <= history_end:
        raise ParameterError(f"year: the {window.label} {window.year} window starts "
                             f"{window.start.date()}, before the data ends ({history_end.date()}); "
                             "plan a later event")
    return window


# -- steps --------------------------------------------------------------------------------------

SHARE_DAYS = 365  # the recent history whose units say how a SKU's forecast splits over the regions
# the units of the shop's regional mix a SKU's own regional units are pooled with: a SKU with a few
# weeks of sales is split near the shop's mix, one with a year's thousands by its own
SHARE_PRIOR_UNITS = 100.0


def cycle_demand(history: pd.DataFrame, window, calendar=None, *, n_jobs: int | None = None,
                 reconcile: str = CYCLE_RECONCILE, unavailable: pd.DataFrame | None = None,
                 categories: dict[str, str] | None = None):
    """The window's one forecast: every SKU forecast (``planning.event_forecast`` keyed
    ``category, sku`` with ``categories``, else ``sku``: the rules that act on a series, a yearly off
    season, a launch, a stop, a level step, act on each SKU's whole sales) and reconciled with the
    directly forecast national total (``reconcile``, ``CYCLE_RECONCILE``), then split over the
    regions by each SKU's share of its units in them (``regional_shares``: top-down by historical
    proportions, Gross & Sohl 1990; hierarchicalforecast's ``TopDown``), day by day, its band and
    baseline with it. The regions are the split's sums, each with the band of its own direct
    forecast (``event_forecast`` keyed ``region``) scaled to that sum (``planning.level_forecast``).

    A SKU x region series of a small shop is a few units a day: forecast on its own, trial 12's
    winter clothing read its summer level in every region (双11 -68..-97% per SKU, the shop -19.5%,
    every region outside its band), while the same SKUs' own series read their winter (-14..+5%);
    and a cycle of 49 SKUs forecast 336 series (6-10 min on two cores) where 49 carry the figure.

    Args:
        history: daily units ``[sku, region, ds, y]``; ``attrs["province_shares"]`` (``load_history``'s,
            None or absent: the sales name no province) gives a province's run its share of its region.
        window: the event window (``EventWindow``) after the history.
        calendar: the plan's ``RetailCalendar`` (None: the shipped one).
        reconcile: a method of ``planning.PLANNING_RECONCILE`` (the SKUs with the national total).
        unavailable: declared unavailable days (``load_unavailable``; None: none). Rows naming SKUs
            only: the SKUs' series read them (as their level in the history; after it, sales 0 with
            the demand given up in ``lost_sales``, ``event_forecast``). Rows naming a region: the
            SKU x region history is read as its level on them before it is summed to the SKU, and a
            run after the history gives up that region's split units (``lost_sales``), a province's
            run its share of them (``_given_up_in_regions``).
        categories: SKU -> category (each SKU's one), the pooled level young SKUs borrow from; None
            or a SKU without one: keyed ``sku`` only.

    Returns:
        ``(series, regions)``: the SKU x region ``EventForecast`` (the split; its ``window_bands``
        hold ``"sku"``, each SKU's own window band, :func:`sku_window_totals`) and the regions'
        (keyed ``region``; its national total is the series').
    """
    from workbench.forecast.core import LOST_SALES, censor_unavailable, given_up
    from workbench.forecast.planning import (EventForecast, event_forecast, inner_notes, level_forecast,
                                             window_totals)

    places = history.attrs.get("province_shares")  # where a province's run after the history takes its share
    history = history[["sku", "region", "ds", "y"]]
    by_region = unavailable is not None and "region" in unavailable.columns
    censored, _ = censor_unavailable(history, ["sku", "region"], unavailable, "D", calendar)  # notes: the SKUs' forecast's
    skus = (censored if by_region else history).groupby(["sku", "ds"], as_index=False, sort=True)["y"].sum()
    keys = ["sku"]
    if categories and skus["sku"].astype(str).isin(set(categories)).all():
        skus.insert(0, "category", skus["sku"].astype(str).map(categories))
        keys = ["category", "sku"]
    top = event_forecast(skus, event=window.event, year=window.year, quantiles=QUANTILES, keys=keys,
                         n_jobs=n_jobs, calendar=calendar, reconcile=reconcile,
                         unavailable=None if by_region else unavailable)
    shares = regional_shares(censored, top.cutoff, calendar)
    split = top.forecast.drop(columns=[k for k in keys if k != "sku"]).merge(shares, on="sku")
    values = [c for c in split.columns if c.startswith("yhat") or c == LOST_SALES]
    split = split.assign(**{c: split[c].to_numpy(float) * split["share"].to_numpy() for c in values})
    split = split.drop(columns="share")
    direct, given_notes = top.direct_total, []
    if by_region:  # a region's declared days after the history: its split units given up
        split, given_notes = _given_up_in_regions(split, unavailable, top.cutoff, places)
        if direct is not None and LOST_SALES in split:
            direct = given_up(direct, split[["ds", LOST_SALES]], [])
    split = split[["sku", "region", *[c for c in split.columns if c not in ("sku", "region")]]]
    split.attrs["failures"] = top.forecast.attrs.get("failures", [])
    regions = censored.groupby(["region", "ds"], as_index=False, sort=True)["y"].sum()
    notes = [*top.notes, *given_notes, *regional_note(shares, keys)]
    with inner_notes("the region totals' own forecast, made only for their band (not an output series)", notes):
        own = event_forecast(regions, event=window.event, year=window.year, quantiles=QUANTILES, keys=["region"],
                             n_jobs=n_jobs, calendar=calendar, reconcile="bottom_up")
    own_daily = own.forecast
    if LOST_SALES in split:
        own_daily = given_up(own_daily, split[["region", "ds", LOST_SALES]], ["region"])
    # the SKUs' own window bands ("sku"): the stock's window totals (``sku_window_totals``)
    bands = {"sku": top.window_bands["series"].drop(columns=[k for k in keys if k != "sku"]),
             "region": own.window_bands["series"]}
    if "national" in top.window_bands:
        bands["national"] = top.window_bands["national"]
    series = EventForecast(top.window, top.cutoff, top.history_end, ["sku", "region"], split,
                           window_totals(split, top.window, ["sku", "region"]), notes, direct,
                           {"region": own_daily}, bands)
    return series, level_forecast(series, "region")


def sku_window_totals(series) -> pd.DataFrame:
    """Each SKU's window total with its own band: ``[sku, yhat, yhat_q10, yhat_q50, yhat_q90,
    window_band]`` (units over the window; ``window_band`` the rule, ``window_band.SOURCES``, or
    ``"none"``), the SKU's forecast's band (``cycle_demand``'s ``window_bands["sku"]``: from its
    refits, level error and all) scaled to its reconciled total. The stock's event build and
    reorder points read the level error the SKU's days share from it
    (``inventory.demand.shared_level_variance``); a sum of the days' quantiles, or their spreads
    summed as independent days, is no band of the total. ``series``: ``cycle_demand``'s SKU x
    region ``EventForecast``."""
    from workbench.forecast.planning import level_forecast

    totals = level_forecast(series, "sku").totals
    return totals[["sku", "yhat", *[c for c in totals.columns if c.startswith("yhat_q")], "window_band"]]


def regional_shares(history: pd.DataFrame, cutoff, calendar=None) -> pd.DataFrame:
    """Each SKU's share of its units in each region, ``sku, region, share`` (adding up to 1 per
    SKU, over every region of ``history``), from its units over the ``SHARE_DAYS`` days to
    ``cutoff``, or since the latest region it entered (its first sale there) when that is later (a
    region entered 60 days ago at the others' rate holds a sixth of a year's units, not its half;
    its whole history when it sold nothing in the year), pooled with the shop's regional
    mix over the same days as ``SHARE_PRIOR_UNITS`` units of prior (a Dirichlet prior: additive
    smoothing towards the mix), so a SKU of a few weeks' sales is not split by their noise. A
    region where the SKU stopped (``region_stops``: the core's stop rule on its SKU x region
    series) gets 0, its other regions the rest: a year's units would keep a region delisted 150
    days ago at a third of the SKU's forecast (review 11.2 F5). A SKU stopped in every region it sold
    in keeps its year's shares (its own forecast holds its stop).

    Args:
        history: daily units ``[sku, region, ds, y]`` (declared unavailable days read as the level:
            a region's stock-out is no fall of its share).
        cutoff: the last day of history the forecast read.
        calendar: the plan's ``RetailCalendar`` (None: the shipped one), whose event spans and
            Spring Festival pause a stop is not judged on.

    Returns:
        ``sku, region, share``; ``attrs["units"]``: each SKU's units over the days read;
        ``attrs["stopped"]``: ``sku, region, reason`` of the regions set to 0; ``attrs["entered"]``:
        the day each SKU whose units are read since a region's first sale entered it.
    """
    rows = history[history["ds"] <= pd.Timestamp(cutoff)]
    year = rows[rows["ds"] > pd.Timestamp(cutoff) - pd.Timedelta(days=SHARE_DAYS)]
    stops = region_stops(rows, cutoff, calendar)
    selling = rows[rows["y"] > 0].groupby("sku")["region"].nunique()
    held = stops[stops["sku"].map(stops["sku"].value_counts()) < stops["sku"].map(selling)]  # not all it sold in
    # the units since the latest region the SKU entered (its first sale there): a region entered 60
    # days ago at the others' rate holds a sixth of a year's units, not its half of the days since
    first = rows[rows["y"] > 0].groupby(["sku", "region"], as_index=False)["ds"].min()
    first = first[~pd.MultiIndex.from_frame(first[["sku", "region"]]).isin(
        pd.MultiIndex.from_frame(held[["sku", "region"]]))]
    since = year["sku"].map(first.groupby("sku")["ds"].max())
    recent = year[since.isna() | (year["ds"] >= since)]
    units = recent.groupby(["sku", "region"])["y"].sum()
    sold = units.groupby(level=0).sum()
    quiet = pd.Index(rows["sku"].unique()).difference(sold.index[sold > 0])
    if len(quiet):  # no unit in the last year: its whole history
        older = rows[rows["sku"].isin(quiet)].groupby(["sku", "region"])["y"].sum()
        units = pd.concat([units.drop(index=quiet, level=0, errors="ignore"), older])
    every = sorted(rows["region"].astype(str).unique())
    mix = year.groupby("region")["y"].sum().reindex(every).fillna(0.0)
    mix = mix / mix.sum() if mix.sum() > 0 else pd.Series(1.0 / len(every), index=every)
    table = units.unstack("region").reindex(columns=every).fillna(0.0).clip(lower=0.0)
    pooled = table.add(mix * SHARE_PRIOR_UNITS, axis=1)
    for sku, region in zip(held["sku"], held["region"]):
        pooled.loc[sku, str(region)] = 0.0
    share = pooled.div(pooled.sum(axis=1), axis=0)
    out = share.stack().rename("share").reset_index()
    out.columns = ["sku", "region", "share"]
    out.attrs["units"] = table.sum(axis=1)
    out.attrs["stopped"] = held.reset_index(drop=True)
    entered = first.groupby("sku")["ds"].max()
    out.attrs["entered"] = entered[entered > pd.Timestamp(cutoff) - pd.Timedelta(days=SHARE_DAYS)]
    return out


def region_stops(history: pd.DataFrame, cutoff, calendar=None) -> pd.DataFrame:
    """The SKU x region series of ``history`` (daily units ``[sku, region, ds, y]``) that stopped
    by ``cutoff``: ``sku, region, reason``. A stop is the core's long rule (``regime.stopped_since``
    on the series from its first sale to ``cutoff``, zero-filled, judged on the ``calendar``'s quiet
    days) with at least ``regime.STOP_PERIODS`` quiet zero days: a run of zeros at the end longer
    than any gap between its sales before, not a yearly off season. Its short rule (a week at
    odds with the series' rate) is left out: in one region that is as likely a local stock-out,
    which must not move the SKU's units to other regions."""
    from workbench.calendar import default_calendar
    from workbench.forecast.features import quiet_periods
    from workbench.forecast.models.regime import STOP_PERIODS, describe_stop, stopped_since

    calendar = calendar or default_calendar()
    end = pd.Timestamp(cutoff)
    found = []
    for (sku, region), rows in history.groupby(["sku", "region"], sort=True):
        first = rows.loc[rows["y"] > 0, "ds"].min()
        if pd.isna(first) or first > end:
            continue
        days = pd.date_range(first, end)
        y = rows.groupby("ds")["y"].sum().reindex(days, fill_value=0.0).to_numpy(float)
        quiet = quiet_periods(days, "D", calendar)
        since = stopped_since(y, "D", quiet)
        if since is not None and int(quiet[since:].sum()) >= STOP_PERIODS["D"]:
            found.append((sku, region, describe_stop(y, days, quiet)))
    return pd.DataFrame(found, columns=["sku", "region", "reason"])


def regional_note(shares: pd.DataFrame, keys: list[str]) -> list[str]:
    """The notes on how the cycle's SKU forecasts were split over the regions (``regional_shares``):
    the split, and a note per region a SKU stopped in (its share 0)."""
    units = shares.attrs.get("units", pd.Series(dtype=float))
    few = int((units < SHARE_PRIOR_UNITS).sum())
    entered = shares.attrs.get("entered", pd.Series(dtype=object))
    split = (f"regions: each SKU forecast once ({', '.join(keys)}), reconciled with the national total, then split "
             f"over the regions by its share of its units in them over the last {SHARE_DAYS} days"
             + (f" or, for {len(entered)} SKUs that entered a region within them, since that region's first sale"
                if len(entered) else "") + ", pooled with "
             f"the shop's regional mix as {SHARE_PRIOR_UNITS:g} units of it"
             + (f" ({few} SKUs sold fewer units than that: split near the shop's mix)" if few else "")
             + "; each region's band is its own direct forecast's, scaled to its sum")
    stopped = shares.attrs.get("stopped", pd.DataFrame(columns=["sku", "region", "reason"]))
    return [split, *[SeriesNote(series_label({"sku": r.sku, "region": r.region}),
                                f"regions: {r.reason}: stopped in this region, so its share of the SKU's "
                                f"forecast is 0 and its other regions split it", {"sku": r.sku, "region": r.region})
                     for r in stopped.itertuples()]]


def _given_up_in_regions(split: pd.DataFrame, unavailable: pd.DataFrame, cutoff, places=None
                         ) -> tuple[pd.DataFrame, list[str]]:
    """``split`` (the SKU x region daily forecast) with the units ``unavailable``'s rows naming a
    region give up on their days after ``cutoff``: sales 0, bands and baseline too, for a run of the
    whole region; for a run of one province (``read_cycle_unavailable``'s ``attrs["provinces"]``) its
    share of the region (``_province_share``; runs of several provinces on a day add up, to the whole
    region at most), the rest kept. The units given up are added to ``lost_sales``; the notes give
    each province's share. ``places``: ``province_shares``' records (None: the sales name no province).

    A planned 浙江 stock-out had zeroed the SKU in all of East (Shanghai, Jiangsu, Anhui, Fujian,
    Jiangxi, Shandong too) and booked all of it as lost sales (review 11.2 F7)."""
    from workbench.forecast.core import LOST_SALES, unavailable_mask

    after = (split["ds"] > pd.Timestamp(cutoff)).to_numpy()
    provinces = unavailable.attrs.get("provinces") or {}
    named = unavailable["line"].map(provinces) if "line" in unavailable and provinces else \
        pd.Series(None, index=unavailable.index, dtype=object)
    given = unavailable_mask(split, ["sku", "region"], unavailable[named.isna()]).astype(float)
    notes, part = [], np.zeros(len(split))
    for province, runs in unavailable[named.notna()].groupby(named[named.notna()], sort=True):
        region = str(runs["region"].iloc[0])
        share, source = _province_share(province, region, places)
        part += share * unavailable_mask(split, ["sku", "region"], runs)
        notes.append(f"unavailable: {province}'s run(s) after the history give up {share:.0%} of {region}'s units "
                     f"({source})")
    given = np.maximum(given, np.minimum(part, 1.0)) * after
    if not given.any():
        return split, []
    out = split.copy()
    lost = out["yhat"].to_numpy(float) * given
    for c in [c for c in out.columns if c.startswith("yhat")]:
        out[c] = out[c].to_numpy(float) * (1.0 - given)
    out[LOST_SALES] = (out[LOST_SALES].to_numpy(float) if LOST_SALES in out else 0.0) + lost
    return out, notes


def _province_share(province: str, region: str, places) -> tuple[float, str]:
    """A province's share of its region's units and where it comes from: its share of the region's
    sales (``places``: ``province_shares``' records, the network's placement of the region's units;
    0 for a province they do not name), else of the region's population in the city table (the
    network's placement without them)."""
    if places is not None:
        table = pd.DataFrame(places, columns=["province", "region", "share", "units"])
        share = float(table.loc[(table["province"] == province) & (table["region"] == region), "share"].sum())
        return share, f"its share of the region's sales over the last {PROVINCE_SHARE_DAYS} days"
    from workbench.network.places import load_cities

    cities = load_cities()
    inside = cities[cities["region"] == region]
    return (float(inside.loc[inside["province"] == province, "population"].sum() / inside["population"].sum()),
            "the sales name no province: its share of the region's population")


def serving_shares(result, demand: pd.DataFrame) -> pd.DataFrame:
    """``region, warehouse, share``: the share of each region's delivered units shipped by each
    warehouse (:func:`warehouse_name`) on the last leg (central -> city or front -> city) of a
    network result."""
    legs = result.flows[result.flows["leg"].isin(["central->city", "front->city"])]
    region = legs["target"].map(demand.set_index("city")["region"])
    names = [warehouse_name(s, "front" if leg == "front->city" else "central")
             for s, leg in zip(legs["source"], legs["leg"])]
    units = legs.groupby([region.rename("region"), pd.Series(names, index=legs.index,
                                                             name="warehouse")])["units"].sum()
    shares = (units / units.groupby(level=0).transform("sum")).rename("share").reset_index()
    return shares[shares["share"] > 0].reset_index(drop=True)


def warehouse_window_totals(regions: pd.DataFrame, region_totals: pd.DataFrame, assignment: pd.DataFrame,
                            window, *, n_jobs: int | None = None, calendar=None) -> pd.DataFrame:
    """Per warehouse, the quantiles of its units over the event window (``peak_check``'s
    ``window_totals``).

    The point total is what its regions send it: each region's window forecast (``region_totals``,
    ``event_forecast(...).totals``: reconciled to the national forecast) times its share, summed.
    The band is the warehouse's own: its history (each region's daily units times its share,
    summed) is forecast to the window (``event_forecast`` with the window total's band:
    ``workbench.forecast.window_band``), and its quantiles, relative to that forecast, are put
    around the point total. A sum of the regions' quantiles would have every region at its P90
    at once.

    Args:
        regions: daily history ``[region, ds, y]`` (units).
        region_totals: ``[region, yhat, ...]`` over the window (units).
        assignment: ``[region, warehouse, share]`` (``serving_shares``).
        window: the event window (``EventWindow``) after the history.
        calendar: the ``RetailCalendar`` the regions were forecast on (None: the shipped one).

    Returns:
        ``[warehouse, yhat, yhat_q10, yhat_q50, yhat_q90, window_band]`` (units over the window;
        NaN quantiles and ``window_band`` ``"none"`` where the warehouse's total has no band).
    """
    from workbench.forecast.planning import event_forecast

    shares = assignment[["region", "warehouse", "share"]].astype({"region": str})
    served = regions.astype({"region": str}).merge(shares, on="region")
    history = (served.assign(y=served["y"] * served["share"])
               .groupby(["warehouse", "ds"], as_index=False)["y"].sum())
    own = event_forecast(history, event=window.event, year=window.year, quantiles=QUANTILES,
                         keys=["warehouse"], n_jobs=n_jobs, calendar=calendar).totals.set_index("warehouse")
    point = (region_totals.astype({"region": str}).merge(shares, on="region")
             .assign(yhat=lambda t: t["yhat"] * t["share"]).groupby("warehouse")["yhat"].sum())
    out = pd.DataFrame({"warehouse": point.index, "yhat": point.to_numpy()})
    relative = own["yhat"].reindex(point.index).to_numpy(dtype=float)
    for q in QUANTILES:
        column = f"yhat_q{int(round(q * 100))}"
        band = own[column].reindex(point.index).to_numpy(dtype=float)
        out[column] = np.where(relative > 0, point.to_numpy() * band / np.where(relative > 0, relative, 1.0),
                               np.nan)
    out["window_band"] = own["window_band"].reindex(point.index).fillna("none").to_numpy()
    return out


def plan_used(report) -> str:
    """The name of the network plan the peak and stock use: the plan as given (``"named plan"``)
    when it is feasible, else ``"optimized"``, else the plan :func:`~workbench.network.china.best_achievable`
    added (the optimized network at the targets it can reach, or the plan as given without limits);
    ``"optimized"`` when none has a plan (the run is then blocked)."""
    from workbench.network.china import BEST_ACHIEVABLE, NO_LIMITS

    for name in ("named plan", "optimized", BEST_ACHIEVABLE, NO_LIMITS):
        if name in report.plans and report.plans[name].feasible:
            return name
    return "optimized"


def what_to_change(params: CycleParams, report) -> str:
    """The parameters that would let a network keep the targets, each with its value, read off
    the optimized network's diagnosis (``network.diagnosis``): ``coverage_target`` down to the
    most any plan delivers within the promise, ``promise_hours`` up to at least the farthest
    city's hours to its nearest allowed central (or a central candidate nearer it in the sites
    file; when every city is within reach of some central, one more ``max_centrals`` to try),
    the sites' capacity or ``max_centrals`` when capacity is short, ``hot_target_share``
    down to the most it reaches. ``""`` when the optimized network is feasible."""
    from workbench.network.china import reachable_share
    from workbench.network.places import city_label

    best = report.plans.get("optimized")
    if best is None or best.feasible:
        return ""
    details, hours, ways = best.details, params.promise_hours, []
    share = details.get("best_promise_share")
    if share is not None and share < params.coverage_target - 1e-9:
        ways.append(f"-p coverage_target {reachable_share(share):g} (the most any plan of at most {params.max_centrals} "
                    f"centrals delivers within {hours:g} h)")
    far = details.get("unreachable_hours") or {}
    if far:
        city = max(far, key=far.get)
        ways.append(f"-p promise_hours {np.ceil(far[city]):g} at least ({city_label(city)} is {far[city]:.1f} h from "
                    f"its nearest allowed central), or a central candidate nearer the far cities in the sites file")
    elif share is not None and share < params.coverage_target - 1e-9 and params.max_centrals < len(report.centrals):
        ways.append(f"try -p max_centrals {params.max_centrals + 1} (every late city is within {hours:g} h of "
                    f"some allowed central, but not of the {params.max_centrals} the plan may open)")
    if "shortfall" in details:
        days = report.period.days
        ways.append(f"more capacity_units_per_day in the sites file (central capacity is "
                    f"{figure(details['shortfall'])} units short over the window, "
                    f"{figure(details['shortfall'] / days)} a day)" + (f" or -p max_centrals {params.max_centrals + 1}"
                                 if params.max_centrals < len(report.centrals) else ""))
    hot = details.get("best_hot_target_share")
    if hot is not None and hot < params.hot_target_share - 1e-9:
        ways.append(f"-p hot_target_share {reachable_share(hot):g} (the most hot units any plan delivers within "
                    f"{report.params.front_hours:g} h)")
    return "to make the targets feasible: " + "; or ".join(ways) if ways else ""


def plan_network(params: CycleParams, window, forecast: pd.DataFrame, totals: pd.DataFrame,
                 shares: pd.DataFrame | None = None):
    """The network's three plans (``workbench.network.china``) on the event window's mean units,
    each delivering ``params.coverage_target`` of them within ``params.promise_hours``, the
    optimized one with at most ``params.max_centrals`` centrals; when none of them is feasible, a
    fourth the stock can be planned on (``network.china.best_achievable``: the optimized network
    at the targets it can reach, else the plan as given without limits).

    Without ``sites``/``lanes``: :func:`~workbench.network.china.run_default_plan` on the mean
    totals per region over the window (``totals``' ``yhat``) (the embedded cities and candidates, their yearly fixed
    costs charged for the window's share of the year, as a sites file's are). With them:
    :func:`~workbench.network.china.run_own_plan` on the team's sites and lanes, its demand the
    daily mean forecast per region over the window (``forecast``'s ``yhat``: the same units;
    written to a temporary file, removed after). ``shares`` (``province_shares``: the shop's
    own provinces' shares of their regions' units) place each region's units at those provinces,
    each split over its cities by population; without them, over the region's cities.
    ``params.siting`` False: the warehouses as given alone (``network.china.run_plan``'s fixed
    network: no siting, no capacity but a sites file's, the promise measured, not imposed).
    """
    import tempfile

    from workbench.network.china import (
        CENTRAL_HUBS,
        NAMED_CENTRALS,
        best_achievable,
        run_default_plan,
        run_own_plan,
    )
    from workbench.network.inputs import Period

    common = dict(fronts=list(params.fronts) if params.fronts is not None else None,
                  max_centrals=params.max_centrals, promise_hours=params.promise_hours,
                  promise_share=params.coverage_target, hot_target_share=params.hot_target_share,
                  hubs=tuple(params.hubs) if params.hubs is not None else CENTRAL_HUBS,
                  n_front_candidates=params.n_front_candidates, solver=params.solver,
                  time_limit=params.time_limit, siting=params.siting,
                  demand_source="the event forecast (mean) of " + ("the sample data" if params.data == "sample"
                                                                     else str(params.data)))
    if params.sites is None and params.lanes is None:
        days = (window.end - window.start).days + 1
        period = Period(float(days), f"{window.label} {window.year} ({window.start.date()}..{window.end.date()}, "
                                     f"{days} days)", window.start, window.end)
        units = totals.set_index("region")["yhat"]
        known, rest = _province_split(units, shares)
        report = run_default_plan(centrals=list(params.centrals or NAMED_CENTRALS),
                                  max_fronts=20 if params.max_fronts is None else params.max_fronts,
                                  region_units=rest, province_units=known, period=period, **common)
        return best_achievable(_all_placed(report, float(units.sum())), solver=params.solver,
                               time_limit=params.time_limit)
    with tempfile.TemporaryDirectory(prefix="planning-cycle-") as folder:
        demand_file = Path(folder) / "event_demand.csv"
        daily = forecast[["ds", "region", "yhat"]]
        inside = daily[(daily["ds"] >= window.start) & (daily["ds"] <= window.end)]
        if shares is not None:  # a region's rows at its provinces; an empty province: the region's cities
            with_rest = pd.concat([shares[["province", "region", "share"]], _rest_shares(shares, daily["region"])])
            daily = daily.merge(with_rest, on="region")
            daily = daily.assign(yhat=daily["yhat"] * daily["share"])[["ds", "region", "province", "yhat"]]
        daily.to_csv(demand_file, index=False)
        report = run_own_plan(demand_file=demand_file, sites_file=params.sites,
                              lanes_file=params.lanes, event=window.event, year=window.year, events=params.events,
                              centrals=list(params.centrals) if params.centrals else None,
                              max_fronts=params.max_fronts, **common)
        return best_achievable(_all_placed(report, float(inside["yhat"].sum())), solver=params.solver,
                               time_limit=params.time_limit)


def _rest_shares(shares: pd.DataFrame, regions) -> pd.DataFrame:
    """Per region, the share of its units that no known province takes (``province`` None): the
    shares' own unknown rows plus every region of ``regions`` the shares do not cover at all."""
    known = shares[shares["province"].notna()].groupby("region")["share"].sum()
    every = pd.Index(pd.unique(pd.Series(regions))).union(pd.Index(pd.unique(shares["region"])))
    # 1 - (shares adding up to 1) can be -1e-16: no unit is at stake in max(0, .)
    rest = np.maximum(0.0, 1.0 - known.reindex(every).fillna(0.0))
    rest = rest[rest > 0]
    return pd.DataFrame({"province": None, "region": rest.index, "share": rest.to_numpy()})


def _province_split(units: pd.Series, shares: pd.DataFrame | None) -> tuple[pd.Series | None, pd.Series]:
    """A region's forecast ``units`` split into units per known province (``shares``) and units
    per region left at region level (its unknown provinces, a region without shares; all of
    them without shares). The two add up to ``units``."""
    if shares is None:
        return None, units
    known = shares[shares["province"].notna()]
    # as floats: with no known province the mapped column is empty and keeps the regions' text dtype
    placed = (known["share"] * known["region"].map(units).astype(float).fillna(0.0)).groupby(known["province"]).sum()
    rest = _rest_shares(shares, units.index).set_index("region")["share"]
    return placed, units.reindex(rest.index).fillna(0.0) * rest


def _all_placed(report, total: float):
    """``report`` once the network's demand is checked to carry the forecast's ``total`` units
    (nothing dropped on the way to the cities).

    Raises:
        DataValidationError: the placed demand differs from the forecast (names both)."""
    placed = float(report.demand["demand"].sum())
    if not np.isclose(placed, total, rtol=1e-6, atol=1e-3):
        raise DataValidationError(f"the network carries {placed:,.1f} units, the forecast {total:,.1f}: "
                                  "units were lost placing the regions' forecast at cities; please report it")
    return report


def daily_capacity(params: CycleParams, result, warehouses: list[str], days: int) -> pd.DataFrame:
    """``warehouse, capacity_units_per_day``: from the capacity file, else from the sites file
    (its ``capacity_units_per_day``), else the assumption of the module doc
    (``attrs["assumed"]`` says which). With siting off (the warehouses as given) nothing is
    assumed: a warehouse without a given capacity has an unlimited one (``inf``), named in
    ``attrs["unlimited"]``.

    Raises:
        DataValidationError: a warehouse without a capacity in the sites file (siting on).
    """
    if params.capacity is not None:
        series = read_capacity(params.capacity, warehouses)
        out = pd.DataFrame({"warehouse": warehouses,
                            "capacity_units_per_day": series.reindex(warehouses).to_numpy()})
        out.attrs["assumed"] = False
        return out
    sites = result.sites.assign(warehouse=[warehouse_name(s, t) for s, t in
                                           zip(result.sites["site"], result.sites["tier"])])
    per_window = sites.set_index("warehouse")["capacity"].reindex(warehouses).to_numpy(float)
    if not params.siting:
        unlimited = ~np.isfinite(per_window)
        out = pd.DataFrame({"warehouse": warehouses,
                            "capacity_units_per_day": np.where(unlimited, np.inf, per_window / days)})
        out.attrs["assumed"] = False
        out.attrs["unlimited"] = [w for w, u in zip(warehouses, unlimited) if u]
        return out
    if params.sites is not None:
        lacking = [w for w, c in zip(warehouses, per_window) if not np.isfinite(c)]
        if lacking:
            raise DataValidationError(
                f"{params.sites}: no capacity_units_per_day for {', '.join(lacking)}, which ship "
                "orders at the peak; fill it in or give a capacity file")
        out = pd.DataFrame({"warehouse": warehouses, "capacity_units_per_day": per_window / days})
        out.attrs["assumed"] = False
        return out
    out = pd.DataFrame({"warehouse": warehouses,
                        "capacity_units_per_day": per_window / days * params.capacity_factor})
    out.attrs["assumed"] = True
    return out


def _stock_inputs(params: CycleParams, files: tuple, keys: pd.DataFrame, mean_daily: np.ndarray,
                  warehouses: list[str], notes: list[str]):
    """The stock snapshot, the lead time of each of its rows and the lead-time table (None
    without a lead-time file); ``files``: the stock and lead-time tables as read (``stock_files``),
    whose warehouse names are resolved here against the network's ``warehouses``."""
    from workbench.inventory.inputs import (
        DEMO_STOCK_LABEL,
        check_lead_times,
        check_stock,
        demo_stock,
        lead_times_for,
    )

    stock_table, lead_table = files
    if stock_table is None:
        stock = demo_stock(keys, mean_daily)
        notes.append(DEMO_STOCK_LABEL)
    else:
        stock = check_stock(stock_table, warehouses=warehouses)
    table = None
    if lead_table is not None:
        table = check_lead_times(lead_table, warehouses=warehouses)
        lead = lead_times_for(stock, table)
    else:
        lead = stock[["sku", "warehouse"]].assign(lead_time_days=params.lead_time_days,
                                                  lead_time_std_days=params.lead_time_std_days)
        notes.append(f"lead times: {params.lead_time_days:g} ± {params.lead_time_std_days:g} days for "
                     "every SKU and warehouse (no lead-time file given)")
    return stock, lead, table


def complete_stock(forecast: pd.DataFrame, stock: pd.DataFrame, lead: pd.DataFrame,
                   lead_table: pd.DataFrame | None, params: CycleParams, notes: list[str],
                   unplanned=(), replaced: dict[str, str] | None = None, failed=()):
    """Forecast keys without a stock row hold nothing; stock rows of SKUs in ``unplanned`` (SKUs
    that sell but are outside the plan: another ``category``, beyond ``max_skus``) are left out of
    the stock plan, never called unsold; the other stock rows without a forecast get zero demand
    (clearance candidates). Each is counted in ``notes``.

    A row added for a (SKU, warehouse) the snapshot lacks takes the SKU's supplier and unit cost
    from its other rows when they agree (:func:`workbench.inventory.inputs.from_other_rows`) and
    its lead time from ``lead_table`` as the snapshot's rows do
    (:func:`~workbench.inventory.inputs.lead_times_for`); a row still without a lead time gets
    ``params.lead_time_days`` and is named in ``notes`` with the reason.

    Args:
        forecast: daily forecast ``[sku, warehouse, ds, yhat, yhat_qNN...]`` (units a day).
        stock: the snapshot ``[sku, warehouse, on_hand, on_order[, unit_cost][, supplier]]``.
        lead: lead time per snapshot row ``[sku, warehouse, lead_time_days, lead_time_std_days]``.
        lead_table: the checked lead-time file, or None (every row has the default already).
        unplanned: SKUs the history sells that the plan leaves out.
        replaced: replaced code -> the code its demand is forecast under (the ``successors``
            mapping); such a code's stock rows without demand are named in a note (review 1 #5).
        failed: SKUs with a series whose forecast failed: their stock rows without a forecast are
            left out of the stock plan with a note, never called unsold (review 7.2 #1).

    Returns:
        ``(forecast, stock, lead)`` completed.
    """
    from workbench.inventory.inputs import from_other_rows, lead_times_for

    replaced = replaced or {}
    keys = ["sku", "warehouse"]
    fc_keys = forecast[keys].drop_duplicates()
    stock = stock.copy()
    stock[keys] = stock[keys].astype(str)
    lead = lead.copy()
    lead[keys] = lead[keys].astype(str)
    outside = stock["sku"].isin(set(map(str, unplanned))).to_numpy()
    if outside.any():
        scope = " and ".join([*([f"category {params.category!r}"] if params.category is not None else []),
                              *([f"the first {params.max_skus} SKUs"] if params.max_skus is not None else [])])
        notes.append(f"{int(outside.sum())} stock rows of {stock.loc[outside, 'sku'].nunique()} SKUs that sell but "
                     f"are outside the plan ({scope or 'the planned SKUs'}) are left out of the stock plan: "
                     f"no orders, no clearance (category None plans every SKU)")
        kept = stock.loc[~outside, keys]
        stock = stock[~outside].reset_index(drop=True)
        lead = lead.merge(kept, on=keys).reset_index(drop=True)
    absent = fc_keys.merge(stock[keys], how="left", indicator=True)
    absent = absent[absent["_merge"] == "left_only"][keys]
    if len(absent):
        notes.append(f"{len(absent)} (sku, warehouse) with forecast demand have no stock row: "
                     "counted as holding nothing, with the supplier, unit cost and lead time of "
                     "the SKU's other rows")
        added = from_other_rows(stock, absent).assign(on_hand=0.0, on_order=0.0)
        stock = pd.concat([stock, added], ignore_index=True)
        if "unit_cost" in stock.columns:  # a SKU without one agreed cost: its orders carry no value
            stock["unit_cost"] = stock["unit_cost"].astype(float)
        if lead_table is None:
            added_lead = added[keys].assign(lead_time_days=params.lead_time_days,
                                            lead_time_std_days=params.lead_time_std_days)
        else:
            added_lead = lead_times_for(added, lead_table, missing="keep")
            unmatched = added_lead["lead_time_days"].isna().to_numpy()
            if unmatched.any():
                notes.append(_default_lead_note(added[unmatched], lead_table, stock, params))
            added_lead = added_lead.fillna({"lead_time_days": params.lead_time_days,
                                            "lead_time_std_days": params.lead_time_std_days})
        lead = pd.concat([lead, added_lead], ignore_index=True)
    orphan = stock[keys].merge(fc_keys, how="left", indicator=True)
    orphan = orphan[orphan["_merge"] == "left_only"][keys]
    unforecast = orphan["sku"].isin(set(map(str, failed))).to_numpy()
    if unforecast.any():
        notes.append(f"{int(unforecast.sum())} stock rows of {orphan.loc[unforecast, 'sku'].nunique()} SKUs whose "
                     f"forecast failed (the notes say why: {', '.join(sorted(orphan.loc[unforecast, 'sku'].unique()))}) "
                     f"are left out of the stock plan: not planned, no orders, no clearance")
        dropped = orphan[unforecast]
        stock = stock.merge(dropped, on=keys, how="left", indicator=True).query("_merge == 'left_only'")
        stock = stock.drop(columns="_merge").reset_index(drop=True)
        lead = lead.merge(stock[keys], on=keys).reset_index(drop=True)
        orphan = orphan[~unforecast]
    if len(orphan):
        notes.append(f"{len(orphan)} stock rows have no forecast demand (SKU not sold in the "
                     "history, or a warehouse that serves no region): zero demand, clearance "
                     "candidates")
        old = stock.merge(orphan, on=keys)
        old = old[old["sku"].isin(set(replaced))]
        if len(old):
            units = old.groupby("sku")[["on_hand", "on_order"]].sum()
            listed = "; ".join(f"{sku} -> {replaced[sku]} ({row.on_hand:,.0f} on hand, {row.on_order:,.0f} on order)"
                               for sku, row in units.iterrows())
            notes.append(f"stock of replaced codes, whose demand is forecast under their successor's code: {listed}. "
                         f"It is counted as a clearance candidate; if it sells as the new code, write it under that "
                         f"code in the stock file and its orders shrink accordingly")
        days = forecast["ds"].drop_duplicates().sort_values()
        zero = orphan.merge(pd.DataFrame({"ds": days}), how="cross")
        for col in [c for c in forecast.columns if c.startswith("yhat")]:
            zero[col] = 0.0
        forecast = pd.concat([forecast, zero], ignore_index=True)
    return forecast, stock, lead


def _default_lead_note(rows: pd.DataFrame, lead_table: pd.DataFrame, stock: pd.DataFrame,
                       params: CycleParams) -> str:
    """The note naming the added stock rows that fall back to the default lead time, and why."""
    key = lead_table.attrs.get("key", "sku")
    listed = []
    for row in rows.head(8).itertuples(index=False):
        if key == "supplier" and pd.isna(getattr(row, "supplier", np.nan)):
            suppliers = stock.loc[stock["sku"] == row.sku, "supplier"].dropna().unique()
            why = (f"its rows name {len(suppliers)} suppliers" if len(suppliers) > 1
                   else "no stock row names its supplier")
        else:
            why = f"no lead-time row for its {key} at this warehouse or '*'"
        listed.append(f"{row.sku} at {row.warehouse} ({why})")
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    return (f"lead time DEFAULT {params.lead_time_days:g} ± {params.lead_time_std_days:g} days "
            f"(lead_time_days) for {len(rows)} (sku, warehouse) without a stock row: "
            f"{'; '.join(listed)}{more}; add them to the lead-time file")


def run_cycle(params: CycleParams, *, n_jobs: int | None = None) -> CycleResult:
    """Run the planning cycle (module doc) and judge the plan's KPIs.

    Raises:
        DataValidationError, ParameterError, ConfigError: bad inputs, named by file, line, column
            or parameter.
    """
    from workbench.budget.run import run_scenario
    from workbench.budget.scenario import load_scenario
    from workbench.forecast.core import LOST_SALES, censor_unavailable
    from workbench.forecast.planning import event_forecast, national_totals, planning_calendar

    calendar = planning_calendar(params.events)
    history, gmv_history, stock_skus, notes = load_history(params, calendar)
    # the stock and lead-time files and the budget scenario (with the files it names) before any
    # forecast (seconds, not a run); the stock's warehouse names once the network says which are open
    files = stock_files(params.stock, params.lead_times)
    scenario = load_scenario(params.budget_scenario)
    end = history["ds"].max()
    window = next_window(params.event, params.year, end, calendar)
    days = (window.end - window.start).days + 1

    # 1. next-event forecast per SKU and region (the regions are their sums), from the censored
    # sales: a SKU's declared stock-out is no drop of its region, and one planned ahead gives up its units
    spans = load_unavailable(params, history)
    notes += [] if spans is None else spans.attrs.get("notes", [])
    censored, _ = censor_unavailable(history, ["sku", "region"], spans, "D", calendar)  # its notes: the forecast's
    sku_result, region_fc = cycle_demand(history, window, calendar, n_jobs=n_jobs, unavailable=spans,
                                         categories=history.attrs.get("categories"))
    lost = sku_result.forecast[["sku", "region", "ds", LOST_SALES]] if LOST_SALES in sku_result.forecast else None
    totals = region_fc.totals
    notes += _lost_notes(lost, window, gmv_history is not None)
    notes += region_fc.notes + _failure_notes(sku_result.forecast, "network, peak and stock demand")

    # 2. the network at the peak: the plan as given and the optimized one
    shares = history.attrs.get("province_shares")
    shares = None if shares is None else pd.DataFrame(shares, columns=["province", "region", "share", "units"])
    report = plan_network(params, window, region_fc.forecast, totals, shares)
    notes += [f"network: {note}" for note in report.notes]
    if shares is not None:
        notes += province_notes(shares)
    named = report.plans["named plan"]
    used_name = plan_used(report)
    used = report.plans[used_name]
    notes += [f"network, {name} (an alternative, not the plan used): {r.status}: {r.reason}"
              for name, r in report.plans.items()
              if name not in (used_name, "named plan") and not r.feasible]
    blocked = ""
    if not used.feasible:
        blocked = (f"no network delivers the event's volume within the limits ({used.status}: "
                   f"{used.reason}); the peak and stock need a feasible network: see the network "
                   "section")
        notes.append(blocked)
    elif not params.siting and used is not named:  # the warehouses as given cannot carry the volume
        notes.append(f"the warehouses as given are {named.status} ({named.reason}); the peak and stock use "
                     f"the {used_name} network instead: {used.reason}")
    elif used_name != "optimized" and used is not named:
        change = what_to_change(params, report)
        notes.append(f"NO NETWORK KEEPS THE TARGETS ({report.plans['optimized'].reason}); the peak and stock use "
                     f"the {used_name} network instead: {used.reason}" + (f". {change[0].upper()}{change[1:]}"
                                                                          if change else ""))
    elif used is not named:
        notes.append(f"the plan as given is {named.status} ({named.reason}); the peak and stock "
                     "use the optimized network")
    peak = plan = orders = build = clearance = assignment = capacity = None
    stock_source = "not computed (no feasible network)"
    if not blocked:
        (assignment, capacity, peak, plan, orders, build, clearance,
         stock_source) = _peak_and_stock(params, files, window, days, history, censored, stock_skus,
                                         region_fc, sku_result.forecast, report, used, notes, n_jobs, calendar,
                                         sku_window_totals(sku_result))

    # 4. GMV of the event
    gmv, gmv_fc = None, None
    if gmv_history is not None:
        gmv_fc = event_forecast(gmv_history, event=params.event, year=window.year,
                                quantiles=QUANTILES, keys=[], n_jobs=n_jobs, calendar=calendar)
        notes += _failure_notes(gmv_fc.forecast, "event GMV")
        row = national_totals(gmv_fc)  # the window total's own band, not a sum of the days' quantiles
        gmv = {"p50": row["yhat_q50"], "p10": row["yhat_q10"], "p90": row["yhat_q90"], "mean": row["yhat"],
               "uplift": row["uplift"]}

    # 5. traffic budget: as written, or the spend that earns gmv_share of the event's GMV uplift
    if params.gmv_share is None or gmv_fc is None:
        if params.gmv_share is not None:
            notes.append("traffic budget: the scenario as written (the sales data has no GMV column "
                         "to take the event's GMV target from)")
        budget = run_scenario(scenario)  # the scenario's own bootstrap: the plan's interval
    else:
        budget = event_traffic_budget(params, window, gmv_fc.forecast)
    example_budget = params.data != "sample" and _example_budget(budget)
    if example_budget:
        notes.append(EXAMPLE_BUDGET_LABEL)

    kpis = judge_plan(params, report, named, peak, orders, build, budget, gmv, blocked,
                      example_budget=example_budget)
    # the user's column names (the SKUs' forecast is keyed by category too: cycle_demand)
    notes = relabelled(notes, {**history.attrs["series_names"], "category": params.category_col})
    return CycleResult(params, kpis, window, end, region_fc, totals, report, assignment, capacity,
                       peak, plan, orders, build, clearance, budget, gmv, stock_source, blocked,
                       notes, history_start=history["ds"].min(), used_plan=used_name,
                       product_names=history.attrs.get("product_names"))


def _lost_notes(lost: pd.DataFrame | None, window, with_gmv: bool) -> list[str]:
    """The cycle's note on the demand its SKUs give up on declared days after the history
    (``lost``: the SKU x region forecast's ``lost_sales``), or none."""
    if lost is None or not lost["lost_sales"].sum() > 0:
        return []
    inside = lost[(lost["ds"] >= window.start) & (lost["ds"] <= window.end)]
    per = inside.groupby("sku")["lost_sales"].sum()
    named = ", ".join(f"{sku} {units:,.0f}" for sku, units in per[per > 0].items()) or "none in the window"
    return [f"planned stock-outs (unavailable): {inside['lost_sales'].sum():,.0f} units of demand given up over the "
            f"window ({named}); the regions' forecast, the network, the peak and the stock plan the sales left"
            + ("; the event's GMV is national and gives none of it up" if with_gmv else "")]


def _example_budget(budget) -> bool:
    """Whether the solved scenario runs on the sample channel history shipped in budgets/."""
    from workbench.budget.sample import is_sample_history

    return is_sample_history(budget.scenario.allocation.history_table)


def _failure_notes(forecast: pd.DataFrame, what: str) -> list[str]:
    """A note per series the forecaster could not forecast (``forecast.attrs["failures"]``: it is
    missing from ``what``)."""
    failures = forecast.attrs.get("failures", [])
    return [SeriesNote(series_label(f.key), f"{what}: its forecast failed, so it is left out ({f.error})", f.key)
            for f in failures]


def _peak_and_stock(params: CycleParams, files: tuple, window, days: int, history: pd.DataFrame,
                    censored: pd.DataFrame, stock_skus: list[str], region_fc, sku_fc: pd.DataFrame,
                    report, used, notes: list[str], n_jobs: int | None, calendar,
                    sku_bands: pd.DataFrame | None = None):
    """The peak per warehouse, then stock (steps 3 and 4 of :func:`run_cycle`); ``censored``:
    ``history`` with its declared stock-out days read as the level (what the forecast read);
    ``sku_fc``: the SKU x region forecast the regions (``region_fc``) sum; ``calendar``: the plan's
    ``RetailCalendar``; ``sku_bands``: each SKU's window total with its band
    (:func:`sku_window_totals`), the level error the stock's days share (None: days independent)."""
    from workbench.inventory.demand import pool_forecast
    from workbench.inventory.replenishment import event_stock

    assignment = serving_shares(used, report.demand)
    warehouses = sorted(assignment["warehouse"].unique())
    capacity = daily_capacity(params, used, warehouses, days)
    if capacity.attrs["assumed"]:
        notes.append(CAPACITY_ASSUMED)
    if capacity.attrs.get("unlimited"):
        notes.append(f"daily handling capacity of {', '.join(capacity.attrs['unlimited'])}: not given, so "
                     "unlimited (no backlog at the peak); give a capacity file (warehouse, "
                     "capacity_units_per_day) to check the peak against yours")
    region_history = censored.groupby(["region", "ds"], as_index=False)["y"].sum()
    totals = warehouse_window_totals(region_history, region_fc.totals, assignment, window, n_jobs=n_jobs,
                                     calendar=calendar)
    peak = peak_check(region_fc.forecast, assignment, capacity, window_start=window.start,
                      window_end=window.end, area="region", target=params.ship_target,
                      window_totals=totals)
    summed = peak.warehouses.loc[peak.warehouses["scenario_total"] == "summed", "warehouse"].unique()
    if len(summed):
        notes.append(f"peak: {', '.join(summed)} have no band of their own window total; their P50/P90 "
                     f"peak is {TOTAL_SOURCES['summed']}")

    # 3. stock: the planned SKUs' series of the forecast the regions sum (the network's figure),
    # pooled at the serving warehouses, orders now, build before the window
    sku_fc = sku_fc[sku_fc["sku"].astype(str).isin(set(map(str, stock_skus)))]
    columns = ["sku", "region", "ds", "yhat", *[c for c in sku_fc.columns if c.startswith("yhat_q")]]
    pooled = pool_forecast(sku_fc[columns], assignment, area="region", keys=["sku"])
    keys = pooled[["sku", "warehouse"]].drop_duplicates().reset_index(drop=True)
    mean_daily = keys.merge(pooled.groupby(["sku", "warehouse"], as_index=False)["yhat"].mean(),
                            on=["sku", "warehouse"])["yhat"].to_numpy()
    sites = [*used.open_centrals, *[warehouse_name(f, "front") for f in used.open_fronts]]
    try:
        stock, lead, lead_table = _stock_inputs(params, files, keys, mean_daily, sites, notes)
    except DataValidationError as exc:
        named = report.plans["named plan"]
        if used is named:
            raise
        # the warehouses are the network's, not the plan as given's (trial 16 F3: "did you mean ...?")
        raise DataValidationError(
            f"{exc}. The plan as given ({', '.join(city_labels(report.named_sites[0]))}) is {named.status}, so "
            f"the stock is planned on the {plan_used(report)} network, whose warehouses these are: to plan "
            "your own warehouses as given, set -p siting false (the promise is then measured, not "
            "imposed)") from exc
    stock_source = stock.attrs.get("source", str(params.stock))
    unplanned = set(history["sku"].astype(str)) - set(map(str, stock_skus))
    failed = {str(f.key["sku"]) for f in sku_fc.attrs.get("failures", [])}
    pooled, stock, lead = complete_stock(pooled, stock, lead, lead_table, params, notes, unplanned,
                                         history.attrs.get("replaced", {}), failed)
    k = ["sku", "warehouse"]
    plan, orders, build = event_stock(pooled, lead, stock, keys=k, window_start=window.start,
                                      window_end=window.end, service_level=params.service_level,
                                      review_days=params.review_days, transfer_days=params.transfer_days,
                                      window_band=sku_bands)
    fronts = [warehouse_name(f, "front") for f in used.open_fronts]
    build["tier"] = np.where(build["warehouse"].isin(fronts), "front", "central")
    if used is not report.plans["named plan"]:  # the plan used opens sites the shop may not have (trial 12 F15)
        given = {*report.named_sites[0], *[warehouse_name(f, "front") for f in report.named_sites[1]]}
        for frame in (orders, build):
            frame["site"] = np.where(frame["warehouse"].isin(given), "in the plan as given",
                                     "PROPOSED (not in the plan as given)")
    clearance, said = cycle_clearance(pooled, stock, history, censored, assignment, min_turns=params.min_turns,
                                      keep_days=params.keep_days, min_age_days=params.min_age_days)
    notes += said
    return assignment, capacity, peak, plan, orders, build, clearance, stock_source


def cycle_clearance(pooled: pd.DataFrame, stock: pd.DataFrame, history: pd.DataFrame, censored: pd.DataFrame,
                    assignment: pd.DataFrame, *, min_turns: float, keep_days: float, min_age_days: float
                    ) -> tuple[pd.DataFrame, list[str]]:
    """The cycle's clearance list (清仓) and its notes: ``inventory.clearance.clearance_list`` keyed
    ``sku, warehouse``, each SKU's stock judged over all its warehouses (``pool``: a surplus another
    warehouse needs is moved, not cleared), the year past the forecast's horizon read on last year's
    sales at the same warehouses (``censored``; a line launched within the year on its category's
    established lines, at its level: trial 14 F18), the lines younger than ``min_age_days`` held off
    (``hold_new_lines``).

    Args:
        pooled: the SKU x warehouse daily forecast ``[sku, warehouse, ds, yhat, ...]`` (units a day).
        stock: ``[sku, warehouse, on_hand[, unit_cost]]``.
        history: the daily sales ``[sku, region, ds, y]`` as sold (a line's first sale); its
            ``attrs["categories"]`` (SKU -> category), when set, give a young line its category's season.
        censored: ``history`` with its declared stock-out days read as the level
            (``forecast.core.censor_unavailable``), what the forecast read: last year's sales past
            the horizon are demand, and a stock-out last winter is none of it lost (review 11.2 F3:
            a winter knit out of stock last season was listed, read as a line that sold nothing).
        assignment: ``[region, warehouse, share]`` (``serving_shares``).
        min_turns, keep_days, min_age_days: the cycle's parameters (``CycleParams``).
    """
    from workbench.inventory.clearance import clearance_list, moved_note, season_ahead_note
    from workbench.inventory.demand import pool_forecast

    keys = ["sku", "warehouse"]
    sold = pool_forecast(censored[["sku", "region", "ds", "y"]].rename(columns={"y": "yhat"}), assignment,
                         area="region", keys=["sku"]).rename(columns={"yhat": "y"})
    clearance = clearance_list(pooled, stock, keys=keys, min_turns=min_turns, keep_days=keep_days,
                               history=sold, pool=["sku"], group=("sku", history.attrs.get("categories", {})))
    notes = [*season_ahead_note(clearance.attrs["season_ahead"], keys, min_turns),
             *moved_note(clearance.attrs["moved"], keys, ["sku"])]
    clearance, young = hold_new_lines(clearance, history, min_age_days)
    return clearance, [*notes, *young]


def hold_new_lines(clearance: pd.DataFrame, history: pd.DataFrame, min_age_days: float
                   ) -> tuple[pd.DataFrame, list[str]]:
    """The clearance list without the SKUs launched fewer than ``min_age_days`` days before the
    history's last day (their first sale, ``history`` ``[sku, region, ds, y]``) or not sold yet (a
    line stocked for its launch), and the note naming them with their figures (on hand; ``mean_daily``,
    the coming year's demand a day: the forecast, then last year's same days): such a line has not
    had the time to turn its stock, and its forecast rests on a few weeks of a launch (trial 10: a
    nut box launched seven weeks before the data's end, stocked for its first 年货节, was listed
    for 滞销品清仓). ``min_age_days`` is its own parameter, not ``keep_days`` (the days of cover a
    slow mover keeps): clearing harder must not list a six-week-old launch. Held back, not
    dropped: the note says where they stand so the planner checks them. ``[]`` notes when there
    is none.

    A replaced code (``history.attrs["replaced"]``: code -> its successor, whose series its sales
    continue) is as old as its line: its stock is the successor's line's, a clearance candidate
    as ``complete_stock`` says, never a line "not sold yet" (trial 14 F20)."""
    if clearance.empty:
        return clearance, []
    sold = history[history["y"] > 0]
    first = sold.groupby(sold["sku"].astype(str))["ds"].min()
    end = history["ds"].max()
    line = clearance["sku"].astype(str).replace(dict(history.attrs.get("replaced", {})))
    age = (end - line.map(first)).dt.days
    young = age.isna() | (age < min_age_days)
    if not young.any():
        return clearance, []
    held = clearance[young]
    rows = [f"{r.sku} at {r.warehouse} ({r.on_hand:,.0f} on hand, {r.mean_daily:.3g} a day over the coming year)"
            for r in held.itertuples()]
    launched = "; ".join(f"{sku} on {first[sku].date()}" if sku in first.index else f"{sku} none yet"
                         for sku in dict.fromkeys(held["sku"].astype(str)))
    note = (f"clearance: {len(held)} row(s) of lines launched within {min_age_days:g} days of the data's end "
            f"(min_age_days) or not sold yet are not listed for clearance: {'; '.join(rows)}. Their first sale: "
            f"{launched}. Too young to judge by turnover (their forecast rests on a launch's few weeks); check "
            f"their stock by hand")
    return clearance[~young].reset_index(drop=True), [note]


def event_traffic_budget(params: CycleParams, window, gmv_forecast: pd.DataFrame):
    """The budget scenario in ``gmv_target`` mode with the target taken from the event forecast
    (``workbench.budget.target``): ``gmv_share`` of the window's GMV uplift, over the event window.
    The scenario's amounts are its yearly plan: the window's traffic budget and written lines are
    their share in the window (``workbench.budget.target.window_share``: last year's spend in the
    same window over the history's latest 52 weeks), unless the scenario says
    ``budget_period: window``. Fitted curves are bootstrapped as the scenario says (default 100
    refits), so the answer says whether the least spend reaches the target across the fits. The
    scenario and the forecast are written to a temporary folder (the scenario ``extends`` the
    given one), run, and removed.

    Returns:
        The ``ScenarioResult``.
    """
    import tempfile

    import yaml

    from workbench.budget.run import run_scenario

    base = Path(params.budget_scenario).resolve()
    with tempfile.TemporaryDirectory(prefix="planning-cycle-") as folder:
        forecast_file = Path(folder) / "event_gmv_forecast.csv"
        gmv_forecast[["ds", "yhat", "yhat_baseline"]].to_csv(forecast_file, index=False)
        spec = {"extends": str(base), "name": f"{base.stem}_{window.event}_{window.year}",
                "allocation": {"mode": "gmv_target", "periods_per_year": None,
                               "gmv_target": {"forecast": forecast_file.name,
                                              "event": str(window.event), "year": int(window.year),
                                              "measure": "uplift",
                                              "share": f"{params.gmv_share * 100:g}%"}}}
        if params.events is not None:  # the window as the forecast read it
            spec["allocation"]["gmv_target"]["events"] = str(Path(params.events).resolve())
        scenario_file = Path(folder) / "event_scenario.yaml"
        scenario_file.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        return run_scenario(scenario_file)  # the scenario's own bootstrap: the interval of the GMV it brings


def ship_kpi(peak: PeakResult, scenario: str, target: float) -> Kpi:
    """The 48-hour shipping KPI of ``scenario`` (``"p50"``, ``"p90"``): the network's share of
    the window's orders shipped within 48 h, red when it or ANY warehouse's share is under
    ``target`` (a network share must not hide a warehouse that does not clear: the customers it
    serves wait whatever the others do, as in a per-site service-level scorecard). The action
    names each warehouse under the target (its share, the units still waiting at the window's
    end, the extra units a day that hold the target), then those that only end with a backlog.

    Returns:
        The :class:`~workbench.fulfilment.kpis.Kpi` (share in [0, 1]).
    """
    rows = peak.warehouses[peak.warehouses["scenario"] == scenario]
    short = rows[rows["ship_48h_share"] < target - 1e-9].sort_values("ship_48h_share")
    value = peak.ship_48h_share(scenario)
    parts = [f"{r.warehouse} ships {r.ship_48h_share:.1%} within 48 h, {figure(r.backlog_at_end)} "
             f"units still waiting at the window's end: +{figure(r.extra_capacity_needed)} units/day"
             for r in short.itertuples()]
    action = ("add handling capacity for the window: " + "; ".join(parts)) if parts else ""
    waiting = [w for w in peak.unclear(scenario) if w not in set(short["warehouse"])]
    if waiting:
        action += ("; " if action else "") + f"backlog left at the window's end: {', '.join(waiting)}"
    verdict = None
    if len(short) and value >= target - 1e-9:
        verdict = "red"
        action = (f"the network reaches {value:.1%}, but {len(short)} warehouse(s) of "
                  f"{len(rows)} stay under {target:.0%}: {action}")
    return Kpi(f"kpi_ship_48h_{scenario}",
               f"orders shipped within 48 h at the {scenario.upper()} peak (network; every "
               "warehouse)", value, target, ">=", "share", action, status_override=verdict)


def binding_kpis(params: CycleParams, report, named, cover: float) -> list[Kpi]:
    """The KPI row of what makes the plan as given infeasible when the promise does not: its
    ``cover`` (the most its sites could deliver within the promise, a share) meets
    ``params.coverage_target``, so the promise's row is green and the constraint that binds gets
    its own red row (trial 10 F8: "100.0% >= 100.0%" was painted red for a missed hot-item
    target). The hot-item target's row (``kpi_hot_target_share``) carries the diagnosis' best
    achievable share of hot units within the front hours (``best_hot_target_share``) against
    ``params.hot_target_share``; any other cause (single sourcing) a red row without a value
    (``kpi_plan_as_given``) with the network's reason. ``[]`` when the promise itself binds
    (its own row is red then)."""
    from workbench.fulfilment.kpis import judge

    if judge(cover, params.coverage_target, ">=") != "green":
        return []
    hours = report.params.front_hours  # the network's own (a PlanReport always carries its parameters)
    hot = named.details.get("best_hot_target_share")
    why = f"the plan as given is {named.status}: {named.reason}"
    if hot is not None and judge(hot, params.hot_target_share, ">=") == "red":
        default = " (the default)" if params.hot_target_share == CycleParams.hot_target_share else ""
        return [Kpi("kpi_hot_target_share", f"hot-item units within {hours:g} h (plan as given, at most)", hot,
                    params.hot_target_share, ">=", "share",
                    f"{why}; the target is hot_target_share {params.hot_target_share:g}{default}: add front "
                    f"warehouses near the hot items' cities, or lower it (-p hot_target_share 0 plans without it)")]
    return [Kpi("kpi_plan_as_given", "the plan as given can be run", None, None, None, "text", why,
                status_override="red")]


def _plan_label(name: str) -> str:
    """A network plan's name (a key of ``network.plans``) as a KPI label says it."""
    from workbench.network.china import NO_LIMITS

    return "the plan as given without limits" if name == NO_LIMITS else f"the {name} network"


def judge_plan(params: CycleParams, report, named, peak: PeakResult | None,
               orders: pd.DataFrame | None, build: pd.DataFrame | None, budget, gmv: dict | None,
               blocked: str = "", *, example_budget: bool = False) -> list[Kpi]:
    """The plan's KPIs with targets and what to change where one is missed; with ``blocked``
    (no feasible network) the peak KPIs are red without a value and the stock KPI has none;
    ``example_budget``: the budget runs on the sample channels (its KPI says so).

    ``kpi_coverage_72h`` is the share within the promise of the network the peak and stock use
    (``plan_used``); where that is not the plan as given, the plan as given's own figure follows
    it, labelled, as ``kpi_coverage_72h_as_given`` (trial 12: the page showed only the plan as
    given's "84.0% (at most)" beside a stock planned on a network delivering 99.7%)."""
    from workbench.network.china import NO_LIMITS

    best = report.plans.get("optimized")
    cover, action = named.coverage.get("within_promise"), "the plan keeps the promise"
    label, binding = f"units within {params.promise_hours:g} h (plan as given)", []
    if not named.feasible:
        # the plan as given has no flows; its figure is the most it can deliver within the
        # promise (the network's diagnosis re-solves its open sites for that share)
        cover = named.details.get("best_promise_share")
        action = (f"the plan as given is {named.status}: {named.reason}; its figure is the most its sites "
                  f"could deliver within {params.promise_hours:g} h with split deliveries allowed (an upper "
                  f"bound)" if cover is not None else
                  f"not computed: the plan as given is {named.status} and cannot carry the event's "
                  f"volume, so no share of it arrives within {params.promise_hours:g} h ({named.reason})")
        if cover is not None:
            label = f"units within {params.promise_hours:g} h (plan as given, at most)"
            binding = binding_kpis(params, report, named, cover)
    elif best is not None and best.feasible:
        missing = named.cities[named.cities["within_promise"] < 1 - 1e-9]
        worst = missing.sort_values("units", ascending=False)["city"].head(5)
        action = (f"the optimized network ({', '.join(best.open_centrals)} + "
                  f"{len(best.open_fronts)} fronts) covers "
                  f"{best.coverage.get('within_promise', float('nan')):.1%}; cities missing the "
                  f"promise today: {', '.join(worst)}")
    elif best is None and cover is not None and cover < params.coverage_target - 1e-9:
        # the warehouses as given (siting off): the promise was measured, not imposed
        missing = named.cities[named.cities["within_promise"] < 1 - 1e-9]
        worst = city_labels(missing.sort_values("units", ascending=False)["city"].head(5))
        action = (f"the warehouses as given deliver {cover:.1%} within {params.promise_hours:g} h; the largest "
                  f"cities beyond it: {', '.join(worst)}; name a warehouse nearer them (centrals, fronts), "
                  f"or -p siting true for the network to propose sites, or -p coverage_target "
                  f"{np.floor(cover * 100) / 100:g} to accept it")
    change = what_to_change(params, report)
    used_name = plan_used(report)
    used = report.plans[used_name] if used_name in report.plans else None
    as_given = Kpi("kpi_coverage_72h", label, cover, params.coverage_target, ">=", "share",
                   action + (f"; {change}" if change else ""), status_override="red" if cover is None else None)
    if used is None or used is named or not used.feasible:
        kpis = [as_given, *binding]
    else:  # the figure of the network the peak and stock use, then the plan as given's, labelled
        within = used.coverage.get("within_promise")
        network = (f"{', '.join(city_labels(used.open_centrals))} + {len(used.open_fronts)} fronts; the plan as given "
                   f"is {named.status}, its own figure in the next row")
        lifted = used_name == NO_LIMITS  # its figure holds only with the sites' capacities lifted: never green
        kpis = [Kpi("kpi_coverage_72h", f"units within {params.promise_hours:g} h ({_plan_label(used_name)}, "
                                        f"which the peak and stock use)", within, params.coverage_target, ">=",
                    "share", (f"with the sites' capacities lifted: " if lifted else "") + network
                    + (f"; {change}" if change else ""), status_override="red" if lifted else None),
                replace(as_given, name="kpi_coverage_72h_as_given", action=action), *binding]
    for scenario in ("p50", "p90"):
        label = f"orders shipped within 48 h at the {scenario.upper()} peak"
        if peak is None:
            kpis.append(Kpi(f"kpi_ship_48h_{scenario}", label, None, params.ship_target, ">=",
                            "share", blocked, status_override="red"))
            continue
        kpis.append(ship_kpi(peak, scenario, params.ship_target))
    summary = budget.summary()
    roi = summary.get("roi")
    from workbench.budget.explain import binding_text

    example = " on the EXAMPLE channels, not yours" if example_budget else ""
    kpis.append(Kpi("kpi_traffic_roi", f"traffic ROI ({summary['scenario']}{example})", roi, params.roi_target,
                    ">=", "ratio",
                    f"{binding_text(budget.allocation)}; lower the traffic budget or move spend to "
                    "the channels with the highest marginal ROI"))
    within = summary.get("within_budget")
    if gmv is None:
        gmv_action, gmv_status = "no GMV column in the sales data", None
    elif params.gmv_share is None:
        gmv_action, gmv_status = ("set gmv_share to ask what traffic spend earns that share of the "
                                  "event's GMV uplift"), None
    else:
        gmv_action = (f"traffic must earn {params.gmv_share:.0%} of the forecast uplift "
                      f"({summary.get('gmv_target') or 0:,.0f}): least spend "
                      f"{summary.get('spend') or 0:,.0f} is "
                      f"{'within' if within else 'ABOVE'} the traffic budget of the window "
                      f"{summary.get('allocation_budget') or 0:,.0f} ({summary.get('budget_source')})"
                      + ("" if within else "; raise the traffic budget or lower gmv_share"))
        gmv_status = None if within is None else ("green" if within else "red")
    kpis.append(Kpi("forecast_event_gmv", "forecast event GMV (P50)", gmv["p50"] if gmv else None,
                    None, None, "money", gmv_action, status_override=gmv_status))
    if orders is None or build is None:
        kpis.append(Kpi("stock_to_buy_units", "stock to buy: orders due now + the event build",
                        None, None, None, "units", blocked))
        return kpis
    units = float(orders["order_units"].sum()) + float(build["build_units"].sum())
    kpis.append(Kpi("stock_to_buy_units", "stock to buy: orders due now + the event build", units, None,
                    None, "units",
                    f"{len(orders)} orders now ({orders['order_units'].sum():,.0f} units), "
                    f"{build['build_units'].sum():,.0f} units to place before "
                    f"{build['place_by'].min().date() if len(build) else '-'}"))
    return kpis
