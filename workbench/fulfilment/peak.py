"""The event peak: daily outbound per warehouse against its handling capacity, the backlog it
builds and the share of orders shipped within 48 hours.

Model (one warehouse, one scenario; days ``t = 1..T`` of the event window):

* arrivals ``a_t``: the forecast units of the areas (cities or regions) the warehouse serves, times
  the area's share (the assignment), on day ``t``; scenario ``p50`` uses the forecast's median,
  ``p90`` its 90 % quantile. A sum of the areas' P90s is no P90 of the warehouse's units (it
  has every area at its own P90 at once, as likely as none), so given the quantiles of each
  warehouse's window total (``window_totals``, e.g. the window band of the warehouse's own
  total: ``workbench.forecast.window_band``), a scenario's days keep the summed areas' shape and
  are scaled to add up to that quantile of the total: the ``p90`` peak is the window whose
  total is the warehouse's P90. Without it (or for a warehouse it lacks) the scenario is the sum
  of the areas' daily quantiles, an upper bound; ``warehouses.scenario_total`` says which;
* capacity ``c`` units a day, first in first out, starting the window with no backlog:
  shipped ``s_t = min(B_{t-1} + a_t, c)``, backlog ``B_t = B_{t-1} + a_t - s_t``; the capacity
  binds on day ``t`` when ``B_{t-1} + a_t > c``;
* an order placed on day ``t`` is shipped within 48 hours when it ships by the end of day ``t + 1``
  (day granularity). With cumulative arrivals ``A_t`` and shipments ``S_t`` (FIFO), day ``t``'s
  units on time are ``clip(S_{t+1} - A_{t-1}, 0, a_t)``; the day after the window ships only
  backlog ahead of any new order, so ``S_{T+1} = S_T + min(B_T, c)``;
* the 48-hour share is units on time over units ordered in the window (= the share of orders when
  units per order do not vary);
* the extra capacity to hold a share target is the smallest whole number of units a day ``d``
  with share(``c + d``) >= target (the share does not fall as capacity grows: bisection);
* a warehouse that ends the window with backlog ``B_T > 0`` cannot clear it within the window.

This is a deterministic fluid queue at day resolution, read off cumulative arrival and departure
curves (Newell, *Applications of Queueing Theory*, 1982; Hall, *Queueing Methods*, 1991).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError, ParameterError

SCENARIOS = {"p50": "yhat_q50", "p90": "yhat_q90"}
SHIP_TARGET = 0.95
TOTAL_SOURCES = {"band": "the quantile of the warehouse's window total (its own band)",
                 "summed": "the sum of its areas' daily quantiles (an upper bound: every area at once)"}


@dataclass(frozen=True)
class QueueRun:
    """One warehouse's days under one scenario (arrays over the window's days, units)."""

    arrivals: np.ndarray
    shipped: np.ndarray
    backlog: np.ndarray
    on_time: np.ndarray
    binds: np.ndarray

    @property
    def share_48h(self) -> float:
        """Units shipped within 48 hours over units ordered (1.0 with no orders)."""
        total = float(self.arrivals.sum())
        return float(self.on_time.sum()) / total if total > 0 else 1.0


def run_queue(arrivals, capacity: float) -> QueueRun:
    """Simulate one warehouse's window (method: module doc).

    Args:
        arrivals: units ordered per day, shape ``(T,)``, >= 0.
        capacity: units the warehouse can ship a day (>= 0).

    Returns:
        The :class:`QueueRun`.
    """
    a = np.asarray(arrivals, dtype=float)
    shipped = np.empty_like(a)
    backlog = np.empty_like(a)
    binds = np.empty(len(a), dtype=bool)
    carry = 0.0
    for t, units in enumerate(a):
        load = carry + units
        shipped[t] = min(load, capacity)
        carry = load - shipped[t]
        backlog[t] = carry
        binds[t] = load > capacity + 1e-9
    cum_a = np.concatenate([[0.0], np.cumsum(a)])
    cum_s = np.cumsum(shipped)
    after = cum_s[-1] + min(carry, capacity) if len(a) else 0.0
    by_next_day = np.append(cum_s[1:], after)
    on_time = np.clip(by_next_day - cum_a[:-1], 0.0, a)
    return QueueRun(a, shipped, backlog, on_time, binds)


def extra_capacity(arrivals, capacity: float, target: float = SHIP_TARGET) -> int:
    """The smallest whole ``d >= 0`` units a day with ``run_queue(arrivals, capacity + d)``
    shipping at least ``target`` of units within 48 hours.

    Raises:
        ParameterError: ``target`` outside (0, 1].
    """
    if not (isinstance(target, (int, float)) and 0 < target <= 1):
        raise ParameterError(f"target={target!r} must be a share in (0, 1]")

    def holds(d: float) -> bool:
        return run_queue(arrivals, capacity + d).share_48h >= target - 1e-12

    if holds(0):
        return 0
    hi = max(int(math.ceil(float(np.max(arrivals)) - capacity)), 1)  # no backlog at all: share 1
    lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid, hi)
    return hi


@dataclass(frozen=True)
class PeakResult:
    """The event peak per warehouse and scenario.

    ``daily``: ``warehouse, scenario, ds, arrivals, capacity, shipped, backlog, on_time_48h,
    binds``. ``warehouses``: one row per warehouse and scenario with ``units``, ``peak_day_units``,
    ``capacity``, ``days_binding``, ``first_binding_day``, ``max_backlog``, ``backlog_at_end``,
    ``clears_in_window``, ``ship_48h_share``, ``extra_capacity_needed`` (units a day to reach
    ``target``), ``scenario_total`` (a key of ``TOTAL_SOURCES``: where the scenario's window
    total comes from).
    """

    daily: pd.DataFrame
    warehouses: pd.DataFrame
    target: float
    window: tuple[pd.Timestamp, pd.Timestamp]

    def ship_48h_share(self, scenario: str) -> float:
        """Network-wide units shipped within 48 hours over units ordered, for ``scenario``."""
        rows = self.warehouses[self.warehouses["scenario"] == scenario]
        if rows.empty:
            raise ParameterError(f"scenario {scenario!r} is not in this result "
                                 f"({sorted(self.warehouses['scenario'].unique())})")
        units = float(rows["units"].sum())
        return float((rows["ship_48h_share"] * rows["units"]).sum()) / units if units > 0 else 1.0

    def unclear(self, scenario: str) -> list[str]:
        """Warehouses that end the window with a backlog under ``scenario``, largest first."""
        rows = self.warehouses[(self.warehouses["scenario"] == scenario)
                               & ~self.warehouses["clears_in_window"]]
        return rows.sort_values("backlog_at_end", ascending=False)["warehouse"].tolist()

    def extra_capacity(self, scenario: str) -> int:
        """Extra daily units summed over warehouses for every one to reach the target."""
        rows = self.warehouses[self.warehouses["scenario"] == scenario]
        return int(rows["extra_capacity_needed"].sum())


def _name(frame: pd.DataFrame, default: str) -> str:
    return frame.attrs.get("source", default)


def warehouse_arrivals(forecast: pd.DataFrame, assignment: pd.DataFrame, *, area: str,
                       columns: dict[str, str]) -> pd.DataFrame:
    """Daily units per warehouse and scenario: each area's forecast times its assignment share.

    Args:
        forecast: ``[area, ds, <scenario columns>...]`` (other key columns are summed over).
        assignment: ``[area, warehouse[, share]]``; shares of one area sum to 1 (default 1).
        area: the area column (e.g. ``city`` or ``region``).
        columns: scenario -> forecast column, e.g. ``{"p50": "yhat_q50"}``.

    Returns:
        ``[warehouse, ds, <scenario>...]`` (units a day).

    Raises:
        DataValidationError: missing columns, an area in the forecast with no warehouse, shares
            that do not sum to 1, negative or non-finite forecasts.
    """
    from workbench.data.validate import describe_rows

    fname, aname = _name(forecast, "forecast"), _name(assignment, "assignment")
    missing = [c for c in [area, "ds", *columns.values()] if c not in forecast.columns]
    if missing:
        raise DataValidationError(f"{fname}: missing column(s) {missing} for the peak check; it has "
                                  f"{list(forecast.columns)}")
    missing = [c for c in [area, "warehouse"] if c not in assignment.columns]
    if missing:
        raise DataValidationError(f"{aname}: missing column(s) {missing}; the assignment is "
                                  f"'{area}, warehouse[, share]'")
    assign = pd.DataFrame({area: assignment[area].astype(str).str.strip(),
                           "warehouse": assignment["warehouse"].astype(str).str.strip()})
    share = pd.to_numeric(assignment["share"], errors="coerce") if "share" in assignment \
        else pd.Series(1.0, index=assignment.index)
    bad = share.isna() | (share < 0) | (share > 1)
    if bad.any():
        raise DataValidationError(f"{aname}: column 'share' at {describe_rows(assignment, bad)} must "
                                  "be a number in [0, 1]")
    assign["share"] = share.to_numpy(dtype=float)
    dup = assign.duplicated([area, "warehouse"], keep=False)
    if dup.any():
        raise DataValidationError(f"{aname}: ({area}, warehouse) repeated at "
                                  f"{describe_rows(assignment, dup.to_numpy())}")
    totals = assign.groupby(area)["share"].sum()
    off = totals[(totals - 1.0).abs() > 1e-6]
    if len(off):
        raise DataValidationError(f"{aname}: the shares of {area} {off.index[0]!r} add up to "
                                  f"{off.iloc[0]:g}; each {area}'s shares must add up to 1")
    fc = pd.DataFrame({area: forecast[area].astype(str).str.strip(),
                       "ds": pd.to_datetime(forecast["ds"], errors="coerce").dt.normalize()})
    if fc["ds"].isna().any():
        raise DataValidationError(f"{fname}: column 'ds' has unparseable dates at "
                                  f"{describe_rows(forecast, fc['ds'].isna())}")
    for scenario, column in columns.items():
        values = pd.to_numeric(forecast[column], errors="coerce")
        bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0.0))
        if bad.any():
            raise DataValidationError(f"{fname}: column {column!r} must be finite units >= 0; it is "
                                      f"not at {describe_rows(forecast, bad)}")
        fc[scenario] = values.to_numpy(dtype=float)
    unserved = ~fc[area].isin(set(assign[area]))
    if unserved.any():
        names = sorted(fc.loc[unserved, area].unique())
        raise DataValidationError(
            f"{aname}: no warehouse serves {area} {', '.join(map(repr, names[:5]))}"
            f"{' and more' if len(names) > 5 else ''} of the forecast {fname}; add them to the "
            "assignment")
    merged = fc.merge(assign, on=area)
    for scenario in columns:
        merged[scenario] = merged[scenario] * merged["share"]
    return merged.groupby(["warehouse", "ds"], as_index=False)[list(columns)].sum()


def check_capacity(capacity: pd.DataFrame, warehouses) -> pd.Series:
    """``warehouse -> capacity_units_per_day`` for ``warehouses``. A row's warehouse may be written
    as the stock file's (:class:`workbench.network.places.WarehouseNames`: ``上海``,
    ``上海前置仓``); rows of other warehouses are kept as written; ``inf`` is an unlimited capacity
    (no backlog ever builds).

    Raises:
        DataValidationError: missing columns, a capacity not a number or < 0, a warehouse repeated
            or without a capacity row (with the closest names written in the file).
    """
    from workbench.data.validate import describe_rows
    from workbench.network.places import WarehouseNames

    name = _name(capacity, "capacity")
    missing = [c for c in ["warehouse", "capacity_units_per_day"] if c not in capacity.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}; it has "
                                  f"{list(capacity.columns)}")
    index = WarehouseNames(warehouses)
    keys = capacity["warehouse"].astype(str).str.strip().map(lambda w: index.find(w) or w)
    values = pd.to_numeric(capacity["capacity_units_per_day"], errors="coerce")
    bad = values.isna() | (values < 0)  # inf: unlimited (the cycle's warehouse without a given capacity)
    if bad.any():
        raise DataValidationError(f"{name}: column 'capacity_units_per_day' at "
                                  f"{describe_rows(capacity, bad)} must be a number of units >= 0 (inf: "
                                  "unlimited)")
    dup = keys.duplicated(keep=False)
    if dup.any():
        raise DataValidationError(f"{name}: warehouse repeated at {describe_rows(capacity, dup)}")
    table = pd.Series(values.to_numpy(dtype=float), index=keys.to_numpy())
    absent = sorted(set(warehouses) - set(table.index))
    if absent:
        others = sorted(set(table.index) - set(warehouses))
        raise DataValidationError(f"{name}: no capacity for warehouse(s) {', '.join(absent)}; add a "
                                  "row per warehouse (a front warehouse as '<city> front' or "
                                  "'<city>前置仓')"
                                  + (f"; rows not matched: {', '.join(others)}" if others else ""))
    return table


def peak_check(forecast: pd.DataFrame, assignment: pd.DataFrame, capacity: pd.DataFrame, *,
               window_start, window_end, area: str = "region",
               scenarios: dict[str, str] | None = None,
               target: float = SHIP_TARGET, window_totals: pd.DataFrame | None = None) -> PeakResult:
    """Daily outbound per warehouse over the event window against its capacity (module doc).

    Args:
        forecast: daily forecast ``[area, ds, yhat_q50, yhat_q90, ...]`` (units a day; other keys
            such as ``sku`` are summed over), covering the window.
        assignment: ``[area, warehouse[, share]]`` (the network plan's serving warehouse).
        capacity: ``[warehouse, capacity_units_per_day]``.
        window_start, window_end: first and last day of the event window (dates, inclusive).
        area: the area column shared by ``forecast`` and ``assignment``.
        scenarios: scenario -> forecast column, default :data:`SCENARIOS`.
        target: share of units to ship within 48 hours (the plan's KPI, 0.95).
        window_totals: ``[warehouse, <scenario columns>...]``, the quantiles of each warehouse's
            units over the whole window (module doc); a warehouse without a row, or with NaN,
            keeps the sum of its areas' daily quantiles.

    Returns:
        The :class:`PeakResult`.

    Raises:
        ParameterError: a window ending before it starts, a bad ``target``.
        DataValidationError: bad tables (see :func:`warehouse_arrivals`, :func:`check_capacity`),
            a forecast that misses a day of the window, or ``window_totals`` without its columns,
            with a negative quantile or a warehouse twice.
    """
    columns = dict(scenarios or SCENARIOS)
    start, end = pd.Timestamp(window_start).normalize(), pd.Timestamp(window_end).normalize()
    if end < start:
        raise ParameterError(f"event window ends ({end.date()}) before it starts ({start.date()})")
    if not (isinstance(target, (int, float)) and 0 < target <= 1):
        raise ParameterError(f"target={target!r} must be a share in (0, 1]")
    days = pd.date_range(start, end, freq="D")
    if area in forecast.columns and "ds" in forecast.columns:
        present = pd.DataFrame({area: forecast[area].astype(str).str.strip(),
                                "ds": pd.to_datetime(forecast["ds"], errors="coerce").dt.normalize()})
        present = present[present["ds"].between(start, end)].drop_duplicates()
        counts = present.groupby(area)["ds"].nunique()
        areas = sorted(set(forecast[area].astype(str).str.strip()))
        short = [a for a in areas if counts.get(a, 0) < len(days)]
        if short:
            raise DataValidationError(
                f"{_name(forecast, 'forecast')}: the forecast of {area} {short[0]!r} misses "
                f"{len(days) - counts.get(short[0], 0)} day(s) of the event window "
                f"{start.date()}..{end.date()}; forecast every area through the window")
    arrivals = warehouse_arrivals(forecast, assignment, area=area, columns=columns)
    arrivals = arrivals[arrivals["ds"].between(start, end)]
    warehouses = sorted(set(assignment["warehouse"].astype(str).str.strip()))
    cap = check_capacity(capacity, warehouses)
    totals = _window_totals(window_totals, columns)
    daily_rows, summary = [], []
    for warehouse in warehouses:
        mine = arrivals[arrivals["warehouse"] == warehouse].set_index("ds").reindex(days, fill_value=0.0)
        for scenario, column in columns.items():
            a = mine[scenario].to_numpy(dtype=float)
            total = totals.get((warehouse, column), np.nan)
            source = "summed"
            if np.isfinite(total) and a.sum() > 0:  # the days' shape, the total's quantile
                a, source = a * (total / a.sum()), "band"
            run = run_queue(a, cap[warehouse])
            daily_rows.append(pd.DataFrame({
                "warehouse": warehouse, "scenario": scenario, "ds": days, "arrivals": a,
                "capacity": cap[warehouse], "shipped": run.shipped, "backlog": run.backlog,
                "on_time_48h": run.on_time, "binds": run.binds}))
            summary.append({
                "warehouse": warehouse, "scenario": scenario, "units": float(a.sum()),
                "peak_day_units": float(a.max()) if len(a) else 0.0, "capacity": cap[warehouse],
                "days_binding": int(run.binds.sum()),
                "first_binding_day": days[run.binds][0] if run.binds.any() else pd.NaT,
                "max_backlog": float(run.backlog.max()) if len(a) else 0.0,
                "backlog_at_end": float(run.backlog[-1]) if len(a) else 0.0,
                "clears_in_window": bool(len(a) == 0 or run.backlog[-1] <= 1e-9),
                "ship_48h_share": run.share_48h,
                "extra_capacity_needed": extra_capacity(a, cap[warehouse], target),
                "scenario_total": source})
    return PeakResult(pd.concat(daily_rows, ignore_index=True), pd.DataFrame(summary), float(target),
                      (start, end))


def _window_totals(table: pd.DataFrame | None, columns: dict[str, str]) -> dict:
    """``{(warehouse, column): units}`` from ``peak_check``'s ``window_totals`` (NaN left out)."""
    if table is None:
        return {}
    name = _name(table, "window totals")
    missing = [c for c in ["warehouse", *columns.values()] if c not in table.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}; it has {list(table.columns)}")
    keys = table["warehouse"].astype(str).str.strip()
    if keys.duplicated().any():
        raise DataValidationError(f"{name}: warehouse {keys[keys.duplicated()].iloc[0]!r} appears twice")
    out = {}
    for column in columns.values():
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = (numbers.isna() & table[column].notna()) | (numbers < 0)
        if bad.any():
            raise DataValidationError(f"{name}: column {column!r} at {describe_rows(table, bad)} must be units "
                                      f">= 0 (empty where a warehouse has no band of its own)")
        out.update({(w, column): v for w, v in zip(keys, numbers.to_numpy(dtype=float)) if np.isfinite(v)})
    return out
