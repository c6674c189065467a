"""Budget scenario files: the YAML schema, validation with file/line/field errors, inheritance.

A scenario is a total budget split into areas, each split into lines (amounts or shares), and
an ``allocation`` section that says which area's lines are traffic channels, the ROI target and
the rules per channel. ``budgets/README.md`` documents the format; the shipped
``budgets/plan_base.yaml`` is the reference example.

``extends: other.yaml`` (relative to the file) starts from another scenario: mappings merge key
by key, a value given here replaces the inherited one, and ``null`` removes an inherited key.

Every problem found is reported at once, each as ``file:line: field.path: what is wrong``.
Amounts in the file are in ``unit`` (``yuan``, ``thousand`` or ``million`` CNY); the validated
:class:`Scenario` holds them in yuan.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from workbench.budget.curves import HillCurve, last_year_spend
from workbench.budget.io import read_history_csv
from workbench.data.io import Location, display_path, read_yaml_with_lines
from workbench.budget.modes import MODES
from workbench.budget.target import (MEASURES, ForecastTarget, WindowShare, forecast_gmv_target, window_share,
                                     window_spend)
from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ConfigError, DataValidationError, ParameterError
from workbench.optimize import DEFAULT_SOLVER, SOLVERS

UNITS = {"yuan": 1.0, "thousand": 1e3, "million": 1e6}
TOP_KEYS = ("name", "title", "extends", "currency", "unit", "total", "areas", "allocation")
AREA_KEYS = ("label", "share", "amount", "lines")
LINE_KEYS = ("label", "amount", "share")
ALLOCATION_KEYS = ("area", "mode", "min_roi", "gmv_target", "budget_period", "solver", "tolerance", "history",
                   "periods_per_year", "bootstrap", "seed", "channels")
BUDGET_PERIODS = ("year", "window")
CHANNEL_KEYS = ("label", "curve", "min_spend", "max_spend", "min_vs_last", "max_vs_last", "min_roi",
                "min_marginal_roi")
CURVE_KEYS = ("vmax", "k", "s")
FORECAST_TARGET_KEYS = ("forecast", "event", "year", "events", "start", "end", "measure", "share")
_ADD_UP_RTOL = 1e-9


@dataclass(frozen=True)
class Line:
    name: str
    label: str
    amount: float  # yuan


@dataclass(frozen=True)
class Area:
    name: str
    label: str
    amount: float  # yuan
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ChannelRule:
    """One traffic channel as the scenario states it: its curve (``None``: fit from history),
    its rules, and its spend bounds resolved against last year (money in yuan).

    ``lower`` is the larger of ``min_spend`` and ``min_vs_last`` x ``last_year_spend`` (0 when
    neither is given); ``upper`` the smaller of ``max_spend`` and ``max_vs_last`` x
    ``last_year_spend`` (``None`` when neither is given). ``where`` is the ``file:line`` of the
    channel's entry, for errors found later (after fitting).
    """

    name: str
    label: str
    planned: float
    curve: HillCurve | None
    min_spend: float | None
    max_spend: float | None
    min_vs_last: float | None
    max_vs_last: float | None
    min_roi: float | None
    min_marginal_roi: float | None
    last_year_spend: float | None
    lower: float
    upper: float | None
    where: str


@dataclass(frozen=True)
class AllocationSpec:
    area: str
    mode: str
    min_roi: float
    gmv_target: float | None  # yuan
    solver: str
    tolerance: float
    history: Path | None
    periods_per_year: float  # weekly periods in the planning period: 52, or the event window's weeks
    bootstrap: int
    seed: int
    channels: tuple[ChannelRule, ...]
    history_table: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    """The history as read and checked once at load (``week, channel, spend, gmv``), or None."""
    gmv_forecast: ForecastTarget | None = None
    """Where ``gmv_target`` came from when the scenario takes it from the event forecast."""
    window: WindowShare | None = None
    """With ``gmv_forecast``: the event window's share of the yearly traffic plan; the area's
    budget and the written lines (``ChannelRule.planned``) are scaled to the window by it."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; money in yuan. ``files`` is the inheritance chain, child first."""

    name: str
    title: str
    files: tuple[Path, ...]
    currency: str
    unit: str
    total: float
    areas: tuple[Area, ...]
    allocation: AllocationSpec

    @property
    def source(self) -> Path:
        return self.files[0]

    @property
    def area_amount(self) -> float:
        """The allocated area's amount as written (yuan; yearly)."""
        return next(a.amount for a in self.areas if a.name == self.allocation.area)

    @property
    def allocation_budget(self) -> float:
        """The traffic budget of the allocation's period (yuan): the area's amount, or for an
        event window (``allocation.window``) the window's share of it."""
        window = self.allocation.window
        return self.area_amount * (window.total if window is not None else 1.0)

    def budget_text(self) -> str:
        """One line: the traffic budget of the period and where it comes from."""
        a = self.allocation
        if a.window is None:
            return f"{a.area} budget {self.allocation_budget:,.0f} of total {self.total:,.0f}"
        f = a.gmv_forecast
        head = f"{a.area} budget of the window {f.label} {f.start:%Y-%m-%d}..{f.end:%Y-%m-%d}"
        if a.window.channels or a.window.total != 1.0:
            return (f"{head}: {self.allocation_budget:,.0f} = {a.window.total:.2%} of the yearly "
                    f"{self.area_amount:,.0f} ({a.window.source}); the written lines are scaled to the window "
                    f"the same way, per channel")
        return f"{head}: {self.allocation_budget:,.0f} ({a.window.source})"

    @property
    def allocation_target(self) -> float | None:
        """The target the allocation mode needs (yuan): the area's amount for ``budget``,
        ``gmv_target`` for ``gmv_target``, None for ``max_spend``."""
        targets = {"budget": self.allocation_budget, "gmv_target": self.allocation.gmv_target}
        return targets.get(MODES[self.allocation.mode].target)

    def areas_table(self) -> pd.DataFrame:
        """``area, label, amount, share`` (yuan, fraction of the total)."""
        return pd.DataFrame([{"area": a.name, "label": a.label, "amount": a.amount,
                              "share": a.amount / self.total} for a in self.areas])

    def lines_table(self) -> pd.DataFrame:
        """``area, line, label, amount`` (yuan)."""
        return pd.DataFrame([{"area": a.name, "line": ln.name, "label": ln.label, "amount": ln.amount}
                             for a in self.areas for ln in a.lines])


# --------------------------------------------------------------------------- loading

def _merge(base: dict, over: dict, base_locs: dict, over_locs: dict, prefix: tuple = ()) -> dict:
    """Deep-merge ``over`` into ``base`` (null deletes); locations follow the winning values."""
    out = dict(base)
    for key, value in over.items():
        path = prefix + (key,)
        if value is None:
            out.pop(key, None)
            for p in [p for p in base_locs if p[:len(path)] == path]:
                del base_locs[p]
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, base_locs, over_locs, path)
            base_locs[path] = over_locs[path]
        else:
            for p in [p for p in base_locs if p[:len(path)] == path]:
                del base_locs[p]
            out[key] = value
            base_locs.update({p: loc for p, loc in over_locs.items() if p[:len(path)] == path})
    return out


def _load_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict, tuple[Path, ...]]:
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(display_path(p) for p in (*seen, path))
        raise ConfigError(f"{display_path(path)}: extends itself in a cycle ({chain}); break the cycle")
    data, locs = read_yaml_with_lines(path, what="scenario")
    if not isinstance(data, dict):
        raise ConfigError(f"{display_path(path)}:1: a scenario must be a mapping of keys (name, total, areas, ...)")
    parent = data.get("extends")
    if parent is None:
        return data, locs, (path,)
    if not isinstance(parent, str):
        raise ConfigError(f"{locs[('extends',)]}: extends: give the file name of another scenario")
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise ConfigError(f"{locs[('extends',)]}: extends: file {parent!r} not found next to "
                          f"{display_path(path)}")
    base, base_locs, chain = _load_chain(parent_path, (*seen, path))
    base = {k: v for k, v in base.items() if k not in ("name", "extends")}
    child = {k: v for k, v in data.items() if k != "extends"}
    merged = _merge(base, child, base_locs, locs)
    merged_locs = {p: loc for p, loc in base_locs.items() if p and p[0] not in ("name", "extends")}
    merged_locs.update({p: loc for p, loc in locs.items() if p and p[0] == "name"})
    merged_locs[()] = locs[()]
    return merged, merged_locs, (path, *chain)


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file; raise :class:`ConfigError` listing
    every problem as ``file:line: field: message``."""
    path = Path(path)
    data, locs, chain = _load_chain(path, ())
    checker = _Checker(locs, chain)
    scenario = checker.scenario(data, default_name=path.stem)
    if checker.errors:
        n = len(checker.errors)
        raise ConfigError(f"{display_path(path)}: {n} problem{'s' if n > 1 else ''} in the scenario:\n  "
                          + "\n  ".join(checker.errors))
    return scenario


def check_scenario_files(values: dict) -> None:
    """A notebook's check of the budget scenario files it is given, before any kernel starts
    (declared in its metadata ``workbench_input_checks``, run on the given parameter values by
    ``workbench.reports.runner.check_inputs``): ``budget_scenario`` (the planning cycle) and each
    of ``scenario_files`` (the budget notebook) is read by :func:`load_scenario` with every file
    it names (``extends``, ``allocation.history``, a GMV target's forecast), without fitting.
    Files left at their default are the notebook's own to check.

    Raises:
        ConfigError: every problem of a scenario, as ``file:line: field: message``.
    """
    given = values.get("scenario_files") or []
    files = [values["budget_scenario"]] if values.get("budget_scenario") is not None else []
    for file in [*files, *([given] if isinstance(given, (str, Path)) else given)]:
        load_scenario(file)


# --------------------------------------------------------------------------- validation

_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


class _Checker:
    """Walks the merged data, collecting every problem with its location."""

    def __init__(self, locs: dict[tuple, Location], chain: tuple[Path, ...]):
        self.locs = locs
        self.chain = chain
        self.errors: list[str] = []
        self.history_unusable = False  # a history file was given and refused: said once, not per channel

    def where(self, path: tuple) -> Location:
        for n in range(len(path), -1, -1):
            if path[:n] in self.locs:
                return self.locs[path[:n]]
        return Location(self.chain[0], 1)

    def error(self, path: tuple, message: str) -> None:
        field = ".".join(map(str, path)) or "(top level)"
        self.errors.append(f"{self.where(path)}: {field}: {message}")

    def inherited_error(self, path: tuple, anchor: tuple, problem: str, fix: str) -> None:
        """An error at ``path``, saying ``fix`` when the value is written in the scenario's own
        file; when it is inherited (``extends``), reported at ``anchor`` in the scenario's own
        file, naming the base file and line and telling how to override it (``KEY: null``)."""
        written = self.where(path)
        if written.path.resolve() == Path(self.chain[0]).resolve():
            self.error(path, f"{problem}; {fix}")
            return
        field = ".".join(map(str, path))
        self.errors.append(f"{self.where(anchor)}: {field}: {problem}, but the value is inherited from "
                           f"{written} (extends); write `{path[-1]}: null` under {'.'.join(map(str, path[:-1]))} "
                           f"in {display_path(self.chain[0])} to drop it")

    def keys(self, value, path: tuple, allowed: tuple[str, ...], what: str) -> dict:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping of keys ({', '.join(allowed)}), got {value!r}")
            return {}
        for key in value:
            if key not in allowed:
                self.error(path + (key,), f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}")
        return value

    def number(self, value, path: tuple, *, minimum: float = 0.0, strict: bool = False,
               what: str = "amount") -> float | None:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.error(path, f"{what} must be a number, got {value!r}")
            return None
        if value < minimum or (strict and value == minimum):
            sign = ">" if strict else ">="
            kind = "negative " if value < 0 else ""
            self.error(path, f"{kind}{what} {value!r}: must be {sign} {minimum:g}")
            return None
        return float(value)

    def share(self, value, path: tuple) -> float | None:
        text = None
        if isinstance(value, str):
            match = _PERCENT.match(value)
            if not match:
                self.error(path, f"share must be a fraction (0.35) or a percentage ('35%'), got {value!r}")
                return None
            text, value = value, float(match.group(1)) / 100.0
        number = self.number(value, path, what="share")
        if number is not None and number > 1.0:
            shown = text or f"{number:g}"
            self.error(path, f"share {shown} is above 100%; write a fraction like 0.35 or '35%'")
            return None
        return number

    # -- sections -------------------------------------------------------------------------

    def scenario(self, data: dict, default_name: str) -> Scenario | None:
        data = self.keys(data, (), TOP_KEYS, "a scenario")
        unit = data.get("unit", "yuan")
        if unit not in UNITS:
            self.error(("unit",), f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
            unit = "yuan"
        factor = UNITS[unit]
        self.unit = unit
        total = None
        if "total" not in data:
            self.error(("total",), "missing: the scenario's total budget (in `unit`)")
        else:
            total = self.number(data["total"], ("total",), strict=True, what="total")
        areas = self.areas(data.get("areas"), total)
        allocation = None
        if "allocation" not in data:
            self.error(("allocation",), "missing: which area is allocated across traffic channels, "
                                        "with its ROI target (min_roi) and channel curves")
        else:
            allocation = self.allocation(data["allocation"], areas or (), factor)
        if self.errors or total is None or areas is None or allocation is None:
            return None
        scale = lambda a: Area(a.name, a.label, a.amount * factor,  # noqa: E731
                               tuple(Line(ln.name, ln.label, ln.amount * factor) for ln in a.lines))
        return Scenario(str(data.get("name", default_name)), str(data.get("title", data.get("name", default_name))),
                        self.chain, str(data.get("currency", "CNY")), unit, total * factor,
                        tuple(scale(a) for a in areas), allocation)

    def areas(self, value, total: float | None) -> tuple[Area, ...] | None:
        path = ("areas",)
        if value is None:
            self.error(path, "missing: the areas the total is split into")
            return None
        if not isinstance(value, dict) or not value:
            self.error(path, "must be a mapping of area names to {share or amount, lines}")
            return None
        out, shares = [], []
        self.declared_areas = set(value)
        for name, spec in value.items():
            apath = path + (name,)
            spec = self.keys(spec, apath, AREA_KEYS, f"area {name!r}")
            if not spec:
                continue
            amount = None
            if ("share" in spec) == ("amount" in spec):
                self.error(apath, "give exactly one of share (of the total) or amount")
            elif "share" in spec:
                share = self.share(spec["share"], apath + ("share",))
                if share is not None:
                    shares.append((name, share))
                    amount = share * total if total is not None else None
            else:
                amount = self.number(spec["amount"], apath + ("amount",))
            lines = self.lines(spec.get("lines"), apath, amount)
            if amount is not None and lines is not None:
                out.append(Area(name, str(spec.get("label", name)), amount, lines))
        if sum(s for _, s in shares) > 1.0 + _ADD_UP_RTOL:
            self.error(path, f"area shares add up to {sum(s for _, s in shares):.1%}, above 100% "
                             f"({', '.join(f'{n} {s:.1%}' for n, s in shares)})")
        if total is not None and len(out) == len(value):
            added = sum(a.amount for a in out)
            if abs(added - total) > _ADD_UP_RTOL * total:
                self.error(path, f"areas add up to {added:g}, not the total {total:g} "
                                 f"({', '.join(f'{a.name} {a.amount:g}' for a in out)})")
        return tuple(out)  # the valid areas; later sections are checked against them

    def lines(self, value, apath: tuple, area_amount: float | None) -> tuple[Line, ...] | None:
        path = apath + ("lines",)
        if not isinstance(value, dict) or not value:
            self.error(path if value is not None else apath,
                       "missing or empty: the area's lines (name: amount, or name: {amount|share, label})")
            return None
        out, shares = [], 0.0
        for name, spec in value.items():
            lpath = path + (name,)
            if not isinstance(spec, dict):
                spec = {"amount": spec}
            spec = self.keys(spec, lpath, LINE_KEYS, f"line {name!r}")
            if ("share" in spec) == ("amount" in spec):
                self.error(lpath, "give exactly one of amount or share (of the area)")
                continue
            if "share" in spec:
                share = self.share(spec["share"], lpath + ("share",))
                if share is None or area_amount is None:
                    continue
                shares += share
                amount = share * area_amount
            else:
                amount = self.number(spec["amount"], lpath + ("amount",) if "amount" in spec else lpath)
                if amount is None:
                    continue
            out.append(Line(name, str(spec.get("label", name)), amount))
        if shares > 1.0 + _ADD_UP_RTOL:
            self.error(path, f"line shares add up to {shares:.1%}, above 100%")
        if len(out) != len(value):
            return None
        added = sum(ln.amount for ln in out)
        if area_amount is not None and abs(added - area_amount) > _ADD_UP_RTOL * max(area_amount, 1.0):
            self.error(path, f"lines add up to {added:g}, not the area's {area_amount:g} "
                             f"({', '.join(f'{ln.name} {ln.amount:g}' for ln in out)})")
        return tuple(out)

    def allocation(self, value, areas: tuple[Area, ...], factor: float) -> AllocationSpec | None:
        path = ("allocation",)
        spec = self.keys(value, path, ALLOCATION_KEYS, "allocation")
        if not spec:
            return None
        area = spec.get("area")
        by_name = {a.name: a for a in areas}
        if area is None:
            self.error(path + ("area",), "missing: the area whose lines are the traffic channels")
        elif area not in getattr(self, "declared_areas", by_name):
            self.error(path + ("area",), f"no area {area!r}; the areas are {', '.join(by_name)}")
        min_roi = None
        if "min_roi" not in spec:
            self.error(path + ("min_roi",), "missing ROI target: total GMV / spend must stay >= min_roi "
                                            "(e.g. min_roi: 5)")
        else:
            min_roi = self.number(spec["min_roi"], path + ("min_roi",), strict=True, what="ROI target")
        mode = spec.get("mode", "budget")
        if mode not in MODES:
            self.error(path + ("mode",), f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        gmv_target, forecast = None, None  # yuan; the forecast it came from
        key = MODES[mode].scenario_key if mode in MODES else None
        if key is not None:  # the scenario states this mode's target under `key`
            if key not in spec:
                self.error(path + ("gmv_target",), "missing: mode gmv_target needs the GMV to reach (in `unit`) "
                                                   "or {forecast: FILE, event: 618, year: 2027[, share: 40%]}")
            elif isinstance(spec["gmv_target"], dict):
                forecast = self.forecast_target(spec["gmv_target"], path + ("gmv_target",))
                gmv_target = forecast.value if forecast is not None else None
            else:
                gmv_target = self.number(spec["gmv_target"], path + ("gmv_target",), strict=True,
                                         what="GMV target")
                gmv_target = None if gmv_target is None else gmv_target * factor
        elif "gmv_target" in spec:
            self.error(path + ("gmv_target",), f"only used with mode: gmv_target (mode is {mode!r})")
        budget_period = spec.get("budget_period", "year")
        if budget_period not in BUDGET_PERIODS:
            self.error(path + ("budget_period",), f"unknown budget_period {budget_period!r}; use year (the "
                                                  f"area's amounts are yearly, the default) or window")
        elif budget_period == "window" and not isinstance(spec.get("gmv_target"), dict):
            self.error(path + ("budget_period",), "budget_period: window needs a gmv_target from the event "
                                                  "forecast (the window it names)")
        solver = spec.get("solver", DEFAULT_SOLVER)
        if solver not in SOLVERS:
            self.error(path + ("solver",), f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
        tolerance = self.number(spec.get("tolerance", 1e-4), path + ("tolerance",), strict=True, what="tolerance")
        if tolerance is not None and tolerance >= 1:
            self.error(path + ("tolerance",), f"tolerance {tolerance:g} must be below 1 (relative GMV error)")
        periods = self.integer(spec.get("periods_per_year", 52), path + ("periods_per_year",), 1)
        if forecast is not None:  # the planning period is the event window
            if "periods_per_year" in spec:
                self.inherited_error(path + ("periods_per_year",), path + ("gmv_target",),
                                     f"the period is the event window ({forecast.days} days) when gmv_target "
                                     f"comes from the forecast", "remove it")
            periods = forecast.weeks
        bootstrap = self.integer(spec.get("bootstrap", 100), path + ("bootstrap",), 0)
        seed = self.integer(spec.get("seed", 0), path + ("seed",), 0)
        history_path, history = self.history(spec.get("history"), path + ("history",))
        area_obj = by_name.get(area)
        last = {}
        if history is not None:
            last = window_spend(history, forecast.last_year_start, forecast.last_year_end) if forecast is not None \
                else last_year_spend(history, periods or 52)
        channels = self.channels(spec.get("channels"), path + ("channels",), area_obj, history, last, factor)
        if area_obj is None or min_roi is None or channels is None or tolerance is None:
            return None
        if key is not None and gmv_target is None:
            return None
        window = None
        if forecast is not None and budget_period == "window":
            window = WindowShare(1.0, {}, "the scenario's amounts are the window's own: budget_period: window")
        elif forecast is not None:  # the yearly plan's lines and budget, scaled to the window
            window = window_share(history, forecast)
            channels = tuple(replace(r, planned=r.planned * window.of(r.name)) for r in channels)
        return AllocationSpec(area, mode, min_roi, gmv_target, solver, tolerance, history_path, periods or 52,
                              bootstrap or 0, seed or 0, channels, history, forecast, window)

    def forecast_target(self, value: dict, path: tuple) -> ForecastTarget | None:
        """``gmv_target: {forecast, event + year [+ events] | start + end, measure, share}`` resolved to
        yuan; ``events``: the planner's events YAML (relative to this file) the event's window is read
        from, as the forecast's was (None: the shipped calendar)."""
        spec = self.keys(value, path, FORECAST_TARGET_KEYS, "gmv_target from a forecast")
        if not isinstance(spec.get("forecast"), str):
            self.error(path + ("forecast",), "give the forecast file (ds, yhat, yhat_baseline; GMV in yuan), "
                                             "relative to this file")
            return None
        measure = spec.get("measure", "uplift")
        if measure not in MEASURES:
            self.error(path + ("measure",), f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
            return None
        share = self.share(spec.get("share", 1.0), path + ("share",))
        if share is not None and share == 0:
            self.error(path + ("share",), "share 0 leaves nothing to reach; give a share above 0")
            share = None
        by_event, by_dates = "event" in spec or "year" in spec, "start" in spec or "end" in spec
        if by_event == by_dates:
            self.error(path, "give the window as event + year (e.g. event: '618', year: 2027) or as start + end dates")
            return None
        try:
            if by_event:
                year = self.integer(spec.get("year"), path + ("year",), 1900)
                if year is None or share is None:
                    return None
                events = spec.get("events")
                calendar = (default_calendar() if events is None
                            else RetailCalendar(self.where(path + ("events",)).path.parent / str(events)))
                now, before = calendar.window(str(spec.get("event")), year), calendar.window(str(spec.get("event")),
                                                                                           year - 1)
                window, label, last = (now.start, now.end), f"{now.label} {year}", (before.start, before.end)
            else:
                window = tuple(self.date(spec.get(k), path + (k,)) for k in ("start", "end"))
                if None in window or share is None:
                    return None
                if window[1] < window[0]:
                    self.error(path + ("end",), f"end {window[1]:%Y-%m-%d} is before start {window[0]:%Y-%m-%d}")
                    return None
                label, last = "window", None
        except (ConfigError, ParameterError, DataValidationError, KeyError, ValueError) as exc:
            self.error(path + ("event",), f"no window for this event and year: {exc}")
            return None
        file = self.where(path + ("forecast",)).path.parent / spec["forecast"]
        try:
            return forecast_gmv_target(file, start=window[0], end=window[1], measure=measure, share=share,
                                       label=label, last_year=last)
        except DataValidationError as exc:
            self.error(path + ("forecast",), f"cannot use the forecast: {exc}")
            return None

    def date(self, value, path: tuple) -> pd.Timestamp | None:
        if value is None:
            self.error(path, "missing: the window needs both start and end (YYYY-MM-DD, inclusive)")
            return None
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        day = pd.to_datetime(text[:10], errors="coerce", format="%Y-%m-%d")
        if pd.isna(day):
            self.error(path, f"must be a date YYYY-MM-DD, got {value!r}")
            return None
        return day

    def integer(self, value, path: tuple, minimum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(path, f"must be a whole number >= {minimum}, got {value!r}")
            return None
        return value

    def history(self, value, path: tuple) -> tuple[Path | None, pd.DataFrame | None]:
        if value is None:
            return None, None
        if not isinstance(value, str):
            self.error(path, f"must be a CSV file name, got {value!r}")
            return None, None
        file = self.where(path).path.parent / value
        try:
            return file, read_history_csv(file)
        except DataValidationError as exc:
            self.history_unusable = True
            where = "" if file.exists() else f" (a history file is named relative to the scenario file's folder, " \
                                             f"{display_path(self.where(path).path.parent)})"
            self.error(path, f"cannot use the history: {exc}{where}")
            return None, None

    def channels(self, value, path: tuple, area: Area | None, history: pd.DataFrame | None,
                 last: dict[str, float], factor: float) -> tuple[ChannelRule, ...] | None:
        value = {} if value is None else value
        if not isinstance(value, dict):
            self.error(path, "must be a mapping of channel names to their curve and rules")
            return None
        if area is None:
            return None
        lines = {ln.name: ln for ln in area.lines}
        for name in value:
            if name not in lines:
                self.error(path + (name,), f"{name!r} is not a line of area {area.name!r} "
                                           f"(its lines: {', '.join(lines)})")
        known = set(history["channel"].astype(str)) if history is not None else set()
        out = []
        for name, line in lines.items():
            cpath = path + (name,)
            if name not in value:
                self.error(("areas", area.name, "lines", name),
                           f"channel {name!r} (a line of area {area.name!r}) has no response curve; "
                           f"add allocation.channels.{name}.curve ({{vmax, k, s}} or fit)")
                continue
            spec = self.keys(value[name] if value[name] is not None else {}, cpath, CHANNEL_KEYS, f"channel {name!r}")
            curve = self.curve(spec.get("curve"), cpath + ("curve",), name, history, known, factor)
            money = {}
            for key in ("min_spend", "max_spend"):
                money[key] = None if key not in spec else self.number(spec[key], cpath + (key,))
            ratios = {}
            for key in ("min_vs_last", "max_vs_last", "min_roi", "min_marginal_roi"):
                ratios[key] = None if key not in spec else self.number(spec[key], cpath + (key,), what=key)
            if (ratios["min_vs_last"] is not None or ratios["max_vs_last"] is not None) and name not in known \
                    and not self.history_unusable:
                self.error(cpath, "min_vs_last / max_vs_last need this channel's last-year spend: "
                                  "set allocation.history to a file with its weeks")
            lo, hi = money["min_spend"], money["max_spend"]
            if lo is not None and hi is not None and lo > hi:
                self.error(cpath + ("min_spend",), f"min_spend {lo:g} is above max_spend {hi:g}")
            if ratios["min_vs_last"] is not None and ratios["max_vs_last"] is not None \
                    and ratios["min_vs_last"] > ratios["max_vs_last"]:
                self.error(cpath + ("min_vs_last",), "min_vs_last is above max_vs_last")
            if curve is False:
                continue
            lo = None if lo is None else lo * factor
            hi = None if hi is None else hi * factor
            lower, upper = self.bounds(cpath, lo, hi, ratios["min_vs_last"], ratios["max_vs_last"],
                                       last.get(name), factor)
            out.append(ChannelRule(name, str(spec.get("label", line.label)), line.amount * factor, curve,
                                   lo, hi, ratios["min_vs_last"], ratios["max_vs_last"], ratios["min_roi"],
                                   ratios["min_marginal_roi"], last.get(name), lower,
                                   upper, str(self.where(cpath))))
        return tuple(out) if len(out) == len(lines) else None

    def bounds(self, cpath: tuple, lo, hi, min_vs_last, max_vs_last, last: float | None,
               factor: float) -> tuple[float, float | None]:
        """The channel's spend range in yuan: rules combined with last year's spend (before any
        fitting), with an error at the channel's line when the range is empty."""
        lows = [lo or 0.0] + ([min_vs_last * last] if min_vs_last is not None and last is not None else [])
        highs = [v for v in (hi,) if v is not None]
        if max_vs_last is not None and last is not None:
            highs.append(max_vs_last * last)
        lower, upper = max(lows), (min(highs) if highs else None)
        if upper is not None and lower > upper and (min_vs_last is not None or max_vs_last is not None):
            self.error(cpath, f"its minimum {lower / factor:,.6g} is above its maximum {upper / factor:,.6g} "
                              f"(in {self.unit}) once min_vs_last/max_vs_last are applied to last year's "
                              f"spend {last / factor:,.6g}")
        return lower, upper

    def curve(self, value, path: tuple, name: str, history, known: set, factor: float):
        """A :class:`HillCurve` (money scaled to yuan), ``None`` for ``fit``, or False on error."""
        if value is None:
            self.error(path, f"channel {name!r} has no response curve: give {{vmax, k, s}} or fit")
            return False
        if value == "fit":
            if history is None:
                if not self.history_unusable:
                    self.error(path, "curve: fit needs allocation.history (weekly spend and GMV per channel)")
                return False
            if name not in known:
                self.error(path, f"curve: fit, but the history has no weeks for channel {name!r} "
                                 f"(it has {', '.join(sorted(known))})")
                return False
            return None
        spec = self.keys(value, path, CURVE_KEYS, "a curve")
        if not spec:
            return False
        params = {}
        for key in CURVE_KEYS:
            if key not in spec:
                self.error(path + (key,), f"missing curve parameter {key}")
                continue
            # vmax 0 is a channel with no effect (a valid request, e.g. to pin its spend)
            params[key] = self.number(spec[key], path + (key,), strict=key != "vmax", what=f"curve {key}")
        if len(params) < 3 or any(v is None for v in params.values()):
            return False
        return HillCurve(params["vmax"] * factor, params["k"] * factor, params["s"])
