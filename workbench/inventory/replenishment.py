"""Replenishment from a daily quantile forecast: reorder point, order-up-to level, alerts, the
orders to place (what, where, by when) and the pre-event build of front warehouses.

Per key (e.g. ``sku, warehouse``), with ``L`` the lead time and ``R`` the review period in days:

* lead-time demand ``D_L``: mean and variance from the forecast over the next ``L`` days
  (:mod:`workbench.inventory.demand`) plus the lead-time uncertainty term ``mu_d^2 s_L^2``
  (Chopra & Meindl, *Supply Chain Management*, safety inventory with uncertain lead time);
  the days are independent (``window_rule`` ``independent days``) unless a ``window_band`` of
  the event window's totals is given: then the level error that band holds beyond the
  independent days is shared by every day (``demand.shared_level_variance``: ``+ v_level mu_L^2``),
  taken for the lead time as measured at the event window (the refits' errors grow with the
  horizon, so it errs on the safe side for days before the window), and the quantile is a
  log-normal's above the discrete range (``policy.lead_time_quantile``'s ``skewed``);
* reorder point ``ROP`` = the ``service_level`` quantile of ``D_L``
  (:func:`workbench.inventory.policy.lead_time_quantile`: normal, Poisson or negative binomial),
  safety stock ``SS = ROP - mu_L``; order-up-to level ``S`` = the same quantile of ``D_{L+R}``
  (the periodic-review order-up-to (R, S) system, review every ``R`` days; Axsaeter,
  *Inventory Control*, ch. 5);
* inventory position ``IP = on_hand + on_order``; order ``S - IP`` when ``IP <= ROP`` and that
  is positive; the alert is ``stockout risk`` when ``IP < mu_L`` (expected to run out before the
  next receipt), else ``reorder``;
* ``reorder_date``: the first forecast day on which ``IP`` minus the expected demand up to that
  day falls to ``ROP`` or below (the first forecast day itself for an alert);
* days of cover: the days until the forecast's cumulative demand reaches ``on_hand``, past the
  horizon at its mean (``demand.cover_days``; a lead time's mean rate would miss a season ahead).

Rows are matched by key values, never by position: the input frames may come in any order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.inventory.demand import INDEPENDENT, cover_days, daily_forecast, shared_level_variance, window_moments
from workbench.inventory.policy import DISCRETE_BELOW, check_service_level, lead_time_quantile

PLAN_COLUMNS = ["mean_daily", "lead_time_days", "demand_lt", "sigma_lt", "safety_stock",
                "reorder_point", "order_up_to", "distribution", "window_rule", "service_level_achieved", "on_hand",
                "on_order", "position", "order_qty", "alert", "days_of_cover", "reorder_date"]


def keyed_inputs(base: pd.DataFrame, other: pd.DataFrame, keys: list[str], name: str,
                 columns: list[str]) -> pd.DataFrame:
    """``base`` (key rows) with ``other``'s columns matched by key values (keys compared as text).

    Raises:
        DataValidationError: missing columns, a repeated key in ``other`` or a base key without
            a row in ``other`` (each named).
    """
    from workbench.data.validate import describe_rows

    source = other.attrs.get("source", name)
    missing = [c for c in [*keys, *columns] if c not in other.columns]
    if missing:
        raise DataValidationError(f"{source}: missing column(s) {missing}; it has "
                                  f"{list(other.columns)}")
    right = other.copy()
    for key in keys:
        right[key] = right[key].astype(str)
    dup = right.duplicated(keys, keep=False)
    if dup.any():
        raise DataValidationError(f"{source}: key ({', '.join(keys)}) repeated at "
                                  f"{describe_rows(other, dup.to_numpy())}; one row per key")
    merged = base.merge(right, on=keys, how="left", indicator=True)
    absent = merged["_merge"] == "left_only"
    if absent.any():
        lost = [tuple(r) for r in merged.loc[absent, keys].head(5).itertuples(index=False)]
        raise DataValidationError(f"{source}: no row for {lost[0] if len(lost) == 1 else lost}"
                                  f"{' and more' if absent.sum() > 5 else ''}; every forecast key "
                                  "needs one")
    return merged.drop(columns="_merge")


def _non_negative(frame: pd.DataFrame, keys: list[str], columns: list[str], *,
                  allow_missing: bool = False) -> None:
    """Turn ``columns`` into floats >= 0 in place (empty cells allowed with ``allow_missing``).

    Raises:
        DataValidationError: naming the first bad key and its value.
    """
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        missing = values.isna() & (frame[col].isna() if allow_missing else False)
        bad = (values.isna() & ~missing) | (values < 0) | ~np.isfinite(values.fillna(0.0))
        if bad.any():
            key = tuple(str(v) for v in frame.loc[bad, keys].iloc[0])
            raise DataValidationError(f"{col} for {key} is {_plain(frame.loc[bad, col].iloc[0])}; "
                                      "expected a number >= 0")
        frame[col] = values.astype(float)


def _plain(value) -> str:
    """A value for a message: numbers as ``1.5``, text quoted, never a numpy repr."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return "empty" if pd.isna(value) else f"{float(value):g}"
    return repr(str(value))


def replenishment_plan(forecast: pd.DataFrame, lead_times: pd.DataFrame, stock: pd.DataFrame, *,
                       keys: list[str], service_level: float = 0.95, review_days: float = 7.0,
                       distribution: str = "auto", discrete_below: float = DISCRETE_BELOW,
                       window_band: pd.DataFrame | None = None, band_window=None) -> pd.DataFrame:
    """Reorder point, order-up-to level, order quantity and alert per key (method: module doc).

    Args:
        forecast: daily forecast ``[keys..., ds, yhat, yhat_qNN...]``, units/day.
        lead_times: ``[keys..., lead_time_days[, lead_time_std_days]]``, days.
        stock: ``[keys..., on_hand[, on_order]]``, units.
        keys: key columns shared by the three tables.
        service_level: cycle service level asked for, in [0.5, 1).
        review_days: review period ``R`` in days (>= 0).
        distribution, discrete_below: see :func:`~workbench.inventory.policy.lead_time_quantile`.
        window_band: optional bands of the event window's totals per group of keys (e.g. per
            ``sku``; :func:`~workbench.inventory.demand.shared_level_variance`): the level error
            they hold beyond the independent days is shared by the lead time's days. None: the
            days are independent.
        band_window: ``(first day, last day)`` of the window ``window_band`` is of; needed with it.

    Returns:
        One row per forecast key (sorted by key): the keys and :data:`PLAN_COLUMNS`
        (``window_rule``: ``independent days`` or ``window band (<rule>)``). Quantities
        are in forecast units and never negative; ``service_level_achieved`` is
        ``P(D_L <= reorder_point)`` under the chosen ``distribution``. Stock rows whose key has
        no forecast are not planned (no demand to plan from): ``attrs["stock_without_forecast"]``
        lists their keys (:func:`~workbench.inventory.clearance.clearance_list` includes them).

    Raises:
        ParameterError: bad ``service_level``, ``review_days`` or ``distribution``; a
            ``window_band`` without its ``band_window``.
        DataValidationError: a malformed forecast, a missing or repeated key in ``lead_times`` or
            ``stock``, a negative or non-numeric lead time or stock, a forecast shorter than
            ``L + R``; a malformed ``window_band``.
    """
    check_service_level(service_level)
    if not (isinstance(review_days, (int, float)) and 0 <= review_days < 366):
        raise ParameterError(f"review_days={review_days!r} must be a number of days in [0, 366)")
    if window_band is not None and band_window is None:
        raise ParameterError("band_window: give the (first day, last day) of the window that window_band is of")
    daily = daily_forecast(forecast, keys)
    base = daily[keys].drop_duplicates().reset_index(drop=True)
    base = keyed_inputs(base, lead_times, keys, "lead_times", ["lead_time_days"])
    base = keyed_inputs(base, stock, keys, "stock", ["on_hand"])
    if "lead_time_std_days" not in base:
        base["lead_time_std_days"] = 0.0
    if "on_order" not in base:
        base["on_order"] = 0.0
    _non_negative(base, keys, ["lead_time_days", "lead_time_std_days", "on_hand", "on_order"])

    lt = window_moments(daily, keys, base[keys].assign(days=base["lead_time_days"]),
                        window="its lead time")
    ltr = window_moments(daily, keys, base[keys].assign(days=base["lead_time_days"] + review_days),
                         window="its lead time plus review period")
    shared = _level_error(daily, keys, base, window_band, band_window)
    out = base[[*keys, "lead_time_days", "lead_time_std_days", "on_hand", "on_order"]].copy()
    first_day = out[keys].merge(daily.loc[daily["day"] == 0, [*keys, "yhat"]], on=keys, how="left")
    lead = out["lead_time_days"].to_numpy()
    # mean daily demand over the lead time; with a zero lead time, the first forecast day's
    out["mean_daily"] = np.where(lead > 0, lt["mean"].to_numpy() / np.where(lead > 0, lead, 1.0),
                                 first_day["yhat"].to_numpy())
    lt_var = (out["mean_daily"] ** 2 * out["lead_time_std_days"] ** 2).to_numpy()
    level_var, skewed = shared["level_var"].to_numpy(), shared["window_rule"].to_numpy() != INDEPENDENT
    out["demand_lt"] = lt["mean"].to_numpy()
    out["sigma_lt"] = np.sqrt(lt["var"].to_numpy() + level_var * lt["mean"].to_numpy() ** 2 + lt_var)
    rop = lead_time_quantile(out["demand_lt"], out["sigma_lt"] ** 2, service_level,
                             distribution=distribution, discrete_below=discrete_below, skewed=skewed)
    up_to = lead_time_quantile(ltr["mean"], ltr["var"].to_numpy() + level_var * ltr["mean"].to_numpy() ** 2 + lt_var,
                               service_level, distribution=distribution, discrete_below=discrete_below,
                               skewed=skewed)
    out["reorder_point"] = rop["level"].to_numpy()
    out["safety_stock"] = np.maximum(out["reorder_point"] - out["demand_lt"], 0.0)
    out["order_up_to"] = np.maximum(up_to["level"].to_numpy(), out["reorder_point"])
    out["distribution"] = rop["distribution"].to_numpy()
    out["window_rule"] = shared["window_rule"].to_numpy()
    out["service_level_achieved"] = rop["achieved"].to_numpy()
    out["position"] = out["on_hand"] + out["on_order"]
    below = out["position"] <= out["reorder_point"]
    out["order_qty"] = np.where(below, np.maximum(out["order_up_to"] - out["position"], 0.0), 0.0)
    ordering = out["order_qty"] > 0
    out["alert"] = np.select([ordering & (out["position"] < out["demand_lt"]), ordering],
                             ["stockout risk", "reorder"], "ok")
    cover = cover_days(daily.rename(columns={"yhat": "demand"}), out, keys)  # on the forecast ahead
    out["days_of_cover"] = cover.where(np.isfinite(cover))
    out["reorder_date"] = _reorder_dates(daily, out, keys)
    result = out[[*keys, *PLAN_COLUMNS]].sort_values(keys).reset_index(drop=True)
    held = stock[keys].astype(str).drop_duplicates().merge(base[keys], how="left", indicator=True)
    result.attrs["stock_without_forecast"] = [
        tuple(row) for row in held.loc[held["_merge"] == "left_only", keys].itertuples(index=False)]
    return result


def _level_error(daily: pd.DataFrame, keys: list[str], base: pd.DataFrame, band: pd.DataFrame | None,
                 window) -> pd.DataFrame:
    """``shared_level_variance`` in ``base``'s row order (``level_var``, ``window_rule``); without a
    band every key's days are independent (``level_var`` 0)."""
    if band is None:
        return base[keys].assign(level_var=0.0, window_rule=INDEPENDENT)
    shared = shared_level_variance(daily, keys, band, window[0], window[1])
    return base[keys].merge(shared, on=keys, how="left", validate="one_to_one")


def _reorder_dates(daily: pd.DataFrame, plan: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Per plan row: the first forecast day with ``IP - demand before that day <= ROP`` (NaT if
    the position outlasts the forecast)."""
    joined = daily.merge(plan[[*keys, "position", "reorder_point"]], on=keys)
    before = joined.groupby(keys)["yhat"].cumsum() - joined["yhat"]
    hit = joined[joined["position"] - before <= joined["reorder_point"] + 1e-9]
    first = hit.groupby(keys, as_index=False)["ds"].min()
    return plan[keys].merge(first, on=keys, how="left")["ds"].to_numpy()


def alerts(plan: pd.DataFrame) -> pd.DataFrame:
    """The rows of a replenishment plan that need an order, most urgent first (stockout risk,
    then reorder; fewest days of cover first)."""
    urgent = plan[plan["alert"] != "ok"].copy()
    urgent["_rank"] = urgent["alert"].map({"stockout risk": 0, "reorder": 1})
    return urgent.sort_values(["_rank", "days_of_cover"], kind="stable") \
        .drop(columns="_rank").reset_index(drop=True)


def replenishment_orders(plan: pd.DataFrame, *, keys: list[str],
                         unit_cost: pd.DataFrame | None = None) -> pd.DataFrame:
    """The orders to place: what (key), where (the key's warehouse), how many whole units, by when.

    Args:
        plan: the output of :func:`replenishment_plan`.
        keys: its key columns.
        unit_cost: optional ``[keys..., unit_cost]`` (currency per unit) to value the orders; an
            empty cost leaves that order's value empty.

    Returns:
        One row per key with a positive order: keys, ``order_units`` (``ceil(order_qty)``),
        ``order_by`` (the reorder date), ``arrives`` (order date + lead time, whole days up),
        ``alert`` and, with ``unit_cost``, ``order_value``; most urgent first.
    """
    due = alerts(plan)
    orders = due[keys].copy()
    orders["order_units"] = np.ceil(due["order_qty"].to_numpy() - 1e-9)
    orders["order_by"] = pd.to_datetime(due["reorder_date"]).to_numpy()
    orders["arrives"] = (pd.to_datetime(due["reorder_date"])
                         + pd.to_timedelta(np.ceil(due["lead_time_days"]), unit="D")).to_numpy()
    orders["alert"] = due["alert"].to_numpy()
    if unit_cost is not None:
        costs = keyed_inputs(orders[keys].astype(str), unit_cost, keys, "unit_cost", ["unit_cost"])
        _non_negative(costs, keys, ["unit_cost"], allow_missing=True)
        orders["order_value"] = orders["order_units"].to_numpy() * costs["unit_cost"].to_numpy()
    return orders


def pre_event_build(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                    window_start, window_end, transfer_days: pd.DataFrame | float = 2.0,
                    service_level: float = 0.95, distribution: str = "auto",
                    discrete_below: float = DISCRETE_BELOW, window_band: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Stock to place at (front) warehouses before an event window opens, and by when.

    Per key: the event-window demand ``D_W`` (forecast days ``window_start..window_end``
    inclusive) and its ``service_level`` quantile (the target stock at opening, same
    distributions as the reorder point). Its variance: with ``window_band`` (the forecast's own
    band of each group's window total, e.g. each SKU's), the days' variances plus the level
    error the band holds beyond them, shared by the group's keys in proportion to their means
    (``demand.shared_level_variance``; the quantile a log-normal's above the discrete range), so a
    SKU's window total has its band's spread; without one (a plain daily forecast), or for a key
    whose group has no band, the days summed as independent, which leaves out an error of the
    level that moves every day of an event window at once (``window_rule`` says which). The stock expected at opening
    ``max(on_hand + on_order - mu_before, 0)`` with ``mu_before`` the mean forecast demand before
    the window; the build ``ceil(max(target - expected, 0))`` units, placed by
    ``window_start - transfer_days`` (the transfer time from the central warehouse, days).

    Args:
        forecast: daily forecast ``[keys..., ds, yhat, yhat_qNN...]`` covering the window.
        stock: ``[keys..., on_hand[, on_order]]``, units.
        keys: key columns (e.g. ``sku, warehouse``).
        window_start, window_end: the event window's first and last day (dates).
        transfer_days: days to move stock into place: one number, or ``[keys..., transfer_days]``.
        service_level, distribution, discrete_below: as in :func:`replenishment_plan`.
        window_band: optional ``[group..., yhat, yhat_qNN...[, window_band]]``, the bands of the
            window's totals per group of ``keys`` (units over this window; e.g.
            ``fulfilment.cycle.sku_window_totals``, grouped by ``sku``).

    Returns:
        One row per key (sorted): keys, ``window_demand`` (mean, units), ``target_stock``,
        ``expected_at_open``, ``build_units``, ``place_by`` (date), ``service_level_achieved``,
        ``distribution`` and ``window_rule`` (``independent days`` or ``window band (<rule>)``).

    Raises:
        ParameterError: a window that ends before it starts, negative ``transfer_days``.
        DataValidationError: the forecast does not cover the window; bad stock rows; a malformed
            ``window_band``.
    """
    check_service_level(service_level)
    start, end = pd.Timestamp(window_start).normalize(), pd.Timestamp(window_end).normalize()
    if end < start:
        raise ParameterError(f"event window ends ({end.date()}) before it starts ({start.date()})")
    daily = daily_forecast(forecast, keys)
    base = daily[keys].drop_duplicates().reset_index(drop=True)
    base = keyed_inputs(base, stock, keys, "stock", ["on_hand"])
    if "on_order" not in base:
        base["on_order"] = 0.0
    _non_negative(base, keys, ["on_hand", "on_order"])
    if isinstance(transfer_days, pd.DataFrame):
        base = keyed_inputs(base, transfer_days, keys, "transfer_days", ["transfer_days"])
    elif isinstance(transfer_days, (int, float)):
        base["transfer_days"] = float(transfer_days)
    else:
        raise ParameterError(f"transfer_days={transfer_days!r} must be days or a table")
    _non_negative(base, keys, ["transfer_days"])

    last = daily.groupby(keys, as_index=False)["ds"].max()
    first = daily.groupby(keys, as_index=False)["ds"].min()
    cover = base[keys].merge(first, on=keys).merge(last, on=keys, suffixes=("_first", "_last"))
    outside = (cover["ds_first"] > start) | (cover["ds_last"] < end)
    if outside.any():
        row = cover.loc[outside].iloc[0]
        raise DataValidationError(
            f"forecast: {tuple(row[keys])} runs {row['ds_first'].date()}..{row['ds_last'].date()}, "
            f"which does not cover the event window {start.date()}..{end.date()}")
    in_window = daily[(daily["ds"] >= start) & (daily["ds"] <= end)]
    window = in_window.groupby(keys, as_index=False).agg(mean=("yhat", "sum"),
                                                         var=("sigma", lambda s: float((s ** 2).sum())))
    before = daily[daily["ds"] < start].groupby(keys, as_index=False).agg(before=("yhat", "sum"))
    table = base.merge(window, on=keys, how="left").merge(before, on=keys, how="left")
    table["before"] = table["before"].fillna(0.0)
    shared = _level_error(daily, keys, table, window_band, (start, end))
    variance = table["var"].to_numpy() + shared["level_var"].to_numpy() * table["mean"].to_numpy() ** 2
    target = lead_time_quantile(table["mean"], variance, service_level, distribution=distribution,
                                discrete_below=discrete_below,
                                skewed=shared["window_rule"].to_numpy() != INDEPENDENT)
    out = table[keys].copy()
    out["window_demand"] = table["mean"].to_numpy()
    out["target_stock"] = target["level"].to_numpy()
    out["expected_at_open"] = np.maximum(table["on_hand"] + table["on_order"] - table["before"], 0.0)
    out["build_units"] = np.ceil(np.maximum(out["target_stock"] - out["expected_at_open"], 0.0)
                                 - 1e-9).clip(lower=0.0)
    out["place_by"] = (start - pd.to_timedelta(np.ceil(table["transfer_days"]), unit="D")).to_numpy()
    out["service_level_achieved"] = target["achieved"].to_numpy()
    out["distribution"] = target["distribution"].to_numpy()
    out["window_rule"] = shared["window_rule"].to_numpy()
    return out.sort_values(keys).reset_index(drop=True)


def event_stock(forecast: pd.DataFrame, lead_times: pd.DataFrame, stock: pd.DataFrame, *,
                keys: list[str], window_start, window_end, service_level: float = 0.95,
                review_days: float = 7.0, transfer_days: pd.DataFrame | float = 2.0,
                distribution: str = "auto", window_band: pd.DataFrame | None = None):
    """Stock for an event: the orders due now and the build still missing when the window opens.

    :func:`replenishment_plan` and :func:`replenishment_orders` give the orders due now; the
    orders that arrive before ``window_start`` are counted as on order by :func:`pre_event_build`,
    so the build is what is still missing at opening and ``order_units + build_units`` is the
    stock to buy for the event (no unit counted twice). ``window_band`` (the bands of the
    window's totals per group of keys, as :func:`pre_event_build` takes them) reaches the
    reorder points too: the level error it holds is shared by the lead time's days.

    Returns:
        ``(plan, orders, build)`` as the three functions return them (``orders`` valued when
        ``stock`` has ``unit_cost``).

    Raises:
        as :func:`replenishment_plan` and :func:`pre_event_build`.
    """
    plan = replenishment_plan(forecast, lead_times, stock, keys=keys, service_level=service_level,
                              review_days=review_days, distribution=distribution, window_band=window_band,
                              band_window=(window_start, window_end))
    unit_cost = stock[[*keys, "unit_cost"]] if "unit_cost" in stock.columns else None
    orders = replenishment_orders(plan, keys=keys, unit_cost=unit_cost)
    arriving = orders[orders["arrives"] < pd.Timestamp(window_start)][[*keys, "order_units"]]
    after = stock.astype({k: str for k in keys}).merge(arriving, on=keys, how="left")
    on_order = after["on_order"] if "on_order" in after else 0.0
    after["on_order"] = on_order + after["order_units"].fillna(0.0)
    build = pre_event_build(forecast, after.drop(columns="order_units"), keys=keys,
                            window_start=window_start, window_end=window_end,
                            transfer_days=transfer_days, service_level=service_level,
                            distribution=distribution, window_band=window_band)
    return plan, orders, build
