"""Slow movers by turnover and the clearance list (滞销品清仓), read on the coming year's demand.

Per key of the forecast or the stock (a stock row without a forecast has no demand): the demand
path over the coming year, day by day from the forecast's first day (:func:`year_demand`): the
forecast over its horizon; past it, the key's own sales on the same days a year before (364 days
back, the same weekday) times its change since (below): the seasonal naive forecast with its drift,
when its history is given, so a season the horizon does not reach is counted. A key whose forecast is
zero over its whole horizon (a stopped line) has none past it, unless it sold nothing on last year's
same days either while it sold in its year (a yearly off season, which the forecast holds at 0 too:
its season is ahead). A year back before the key's first sale (a line launched since: its zero rows
then are no demand) is read on its category's established lines at the line's level, given the
categories (``group``); without them, or without a history, the days past the horizon are read at
the horizon's mean.
On that path:

* annual turnover ``demand over the year / on_hand`` (turns a year; infinite with nothing on hand);
  ``mean_daily`` is the year's demand over 365 days (units/day);
* days of cover: the days until the path's cumulative demand reaches ``on_hand`` (fractional; past
  the year at the year's mean rate; infinite with no demand);
* a slow mover turns less than ``min_turns`` a year; its clearance quantity is the stock beyond the
  path's demand over its busiest ``keep_days`` consecutive days of the year (:func:`busiest_window`:
  a seasonal line keeps what its season needs), ``ceil(max(on_hand - D_keep, 0))`` units,
  valued at ``unit_cost`` when given.

A current daily rate would list a winter knit in September, 158 days of cover at its summer sales,
for clearance before the winter it sells out in (trial 12 F15). Turnover is the standard inventory
measure (annual demand over stock held); the clearance quantity a days-of-supply rule.

With a history, a second witness: last year's sales on the same days, times the key's change since
(its last 91 days' sales over the same days a year before, or 182 or 364 days where those hold under
100 units: an off season's few units are noise; as they were where no window holds them or the base
lies before the key's first sale, e.g. a line launched since), the seasonal naive forecast with its
drift. A key the forecast lists is
listed only when that witness turns it slowly too (``last_year_turns`` < ``min_turns``) and leaves
stock beyond ``keep_days``; else it is held off the list, in ``attrs["season_ahead"]``, and
:func:`season_ahead_note` says it: its season is ahead, and a forecast that misses a season is a
worse reason to sell stock off than last year is to keep it (the clearance cannot be undone). A
line the forecast stops (zero over its horizon while last year's same days sold) is not held. A line that sells less than last year is scaled down by its own change, so it is listed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.calendar.years import CALENDAR_DAYS, SAME_WEEKDAY_DAYS
from workbench.errors import ParameterError
from workbench.inventory.demand import cover_days, daily_forecast
from workbench.inventory.replenishment import _non_negative, keyed_inputs

# a key's change since last year (``_change``) is read on the shortest window whose two sides hold this
# many units together (its log sd about 0.2), of these (days: a quarter, half a year, a year); the
# forecast's own rule is forecast.conformal.MIN_CHANGE_UNITS (importing it would load the forecast package)
CHANGE_WINDOWS = (91, 182, 364)
MIN_CHANGE_UNITS = 100


def year_demand(forecast: pd.DataFrame, keys: list[str], history: pd.DataFrame | None = None,
                days: int = CALENDAR_DAYS, group: tuple[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """Each key's daily demand over its first ``days`` days from its first forecast day.

    Args:
        forecast: daily forecast ``[keys..., ds, yhat, ...]``, units/day.
        keys: key columns.
        history: ``[keys..., ds, y]`` daily sales (units), or None.
        days: the path's length in days.
        group: ``(key column, value -> category)``, e.g. ``("sku", {sku: category})``, or None: a
            line launched within the year reads its year back before its first sale on its
            category's established lines (:func:`_category_season`) rather than its horizon's mean.

    Returns:
        ``[keys..., day, ds, demand, last_year, naive]``, ``day`` 0..days-1: ``last_year`` the
        key's sales 364 days before every day (NaN without history), ``naive`` that times the
        key's change since (module doc; ``demand`` where no history covers the day); ``demand``
        the forecast within its horizon, past it ``naive`` (0 for a key whose forecast is zero
        over its horizon; the horizon's mean where no history covers the day). Keys as text.

    Raises:
        DataValidationError: a malformed forecast (:func:`~workbench.inventory.demand.daily_forecast`).
    """
    daily = daily_forecast(forecast, keys, band=False)
    span = daily.groupby(keys, as_index=False).agg(start=("ds", "min"), horizon=("day", "size"),
                                                   mean=("yhat", "mean"), total=("yhat", "sum"))
    grid = span.loc[span.index.repeat(days)].reset_index(drop=True)
    grid["day"] = np.tile(np.arange(days), len(span))
    grid["ds"] = grid["start"] + pd.to_timedelta(grid["day"], unit="D")
    grid = grid.merge(daily[[*keys, "day", "yhat"]], on=[*keys, "day"], how="left")
    if history is None:
        grid["last_year"] = np.nan
    else:
        past = history[[*keys, "ds", "y"]].astype({k: str for k in keys})
        past = past.assign(ds=pd.to_datetime(past["ds"]) + pd.Timedelta(days=SAME_WEEKDAY_DAYS))
        past = past.groupby([*keys, "ds"], as_index=False)["y"].sum().rename(columns={"y": "last_year"})
        grid = grid.merge(past, on=[*keys, "ds"], how="left")
        # a day after the key's first sale that it did not sell on is a zero; before it, unknown (a line
        # launched within the year is read at its horizon's mean there, not as a year of zeros)
        sold = history.loc[history["y"] > 0, [*keys, "ds"]].astype({k: str for k in keys})
        first = sold.assign(ds=pd.to_datetime(sold["ds"])).groupby(keys, as_index=False)["ds"].min()
        since = grid[keys].merge(first.rename(columns={"ds": "first_sale"}), on=keys, how="left")["first_sale"]
        back = grid["ds"] - pd.Timedelta(days=SAME_WEEKDAY_DAYS)
        covered = ((back >= since.to_numpy()) & (back <= pd.to_datetime(history["ds"]).max())).to_numpy()
        grid["last_year"] = grid["last_year"].fillna(0.0).where(covered)
        if group is not None:  # a line launched within the year: its category's last year at its level
            grid["last_year"] = grid["last_year"].fillna(_category_season(grid, history, keys, group))
    change = 1.0 if history is None else \
        grid[keys].merge(_change(history, keys), on=keys, how="left")["change"].fillna(1.0).to_numpy()
    naive = grid["last_year"] * change
    beyond = grid["yhat"].isna()
    # a zero forecast over the horizon is a stop, unless last year's same days sold nothing either while
    # its year did: a yearly off season (the forecast's off season is 0 too), whose season lies ahead
    by_key = [grid[k] for k in keys]
    in_horizon = grid["last_year"].where(~beyond)
    horizon_known = in_horizon.notna().groupby(by_key).transform("sum") > 0
    horizon_last = in_horizon.groupby(by_key).transform("sum")
    year_last = grid["last_year"].groupby(by_key).transform("sum")
    stopped = (grid["total"] <= 0) & ~(horizon_known & (horizon_last == 0) & (year_last > 0))
    grid["demand"] = np.where(beyond, np.where(stopped, 0.0, naive.fillna(grid["mean"])), grid["yhat"])
    grid["naive"] = naive.fillna(grid["demand"])
    return grid[[*keys, "day", "ds", "demand", "last_year", "naive"]]


def _category_season(grid: pd.DataFrame, history: pd.DataFrame, keys: list[str],
                     group: tuple[str, Mapping[str, str]]) -> pd.Series:
    """A young line's sales a year before each day of ``grid`` (``year_demand``'s ``[keys..., ds]``)
    that precede its first sale: its category's established lines' sales that day (keys whose first
    sale lies a full year or more before the history's end, all of them summed) times the line's own
    sales since its first sale over the category's on the same days a year before. The category's
    last year is the seasonal index, the line's months since give the level: the seasonal naive
    forecast with the category's season (a sunscreen launched in July has no last February-June, and
    read at its winter horizon's mean its coming summer was none of its stock: trial 14 F18). NaN
    where the category has no established line or sold nothing on the line's days a year before,
    and for every other row.

    Args:
        grid: rows ``[keys..., ds]`` (days ahead).
        history: ``[keys..., ds, y]`` daily sales, units.
        keys: key columns.
        group: ``(key column, value -> category)``; a value the mapping lacks has no category.

    Returns:
        Units a day, aligned to ``grid``'s index.
    """
    column, categories = group
    sales = history[[*keys, "ds", "y"]].astype({k: str for k in keys})
    sales = sales.assign(ds=pd.to_datetime(sales["ds"]), category=sales[column].map(dict(categories)))
    end = sales["ds"].max()
    first = sales[sales["y"] > 0].groupby(keys)["ds"].min().rename("first_sale")
    sales = sales.join(first, on=keys)
    old = sales[sales["first_sale"] <= end - pd.Timedelta(days=SAME_WEEKDAY_DAYS)]
    season = old.groupby(["category", "ds"])["y"].sum()  # the established lines' days, by category
    young = sales[sales["first_sale"] > end - pd.Timedelta(days=SAME_WEEKDAY_DAYS)].dropna(subset=["category"])
    young = young[young["ds"] >= young["first_sale"]]
    level = young.groupby([*keys, "category"], as_index=False).agg(own=("y", "sum"), first_sale=("first_sale", "min"))
    base = []
    back = pd.Timedelta(days=SAME_WEEKDAY_DAYS)
    for row in level.itertuples(index=False):  # the category's sales on the line's days a year before
        if row.category not in season.index.get_level_values(0):
            base.append(0.0)  # a new category (or a shop under a year old): no established line, NaN below
            continue
        days = season.loc[row.category]
        base.append(float(days[(days.index >= row.first_sale - back) & (days.index <= end - back)].sum()))
    level["scale"] = level["own"] / np.array(base, dtype=float) if len(level) else []
    level = level[np.isfinite(level["scale"])]
    rows = grid[[*keys, "ds"]].astype({k: str for k in keys}).reset_index()
    rows = rows.merge(level[[*keys, "category", "first_sale", "scale"]], on=keys)
    rows["back"] = rows["ds"] - pd.Timedelta(days=SAME_WEEKDAY_DAYS)
    rows = rows[(rows["back"] < rows["first_sale"]) & (rows["back"] >= sales["ds"].min())]
    rows = rows.join(season.rename("season"), on=["category", "back"])
    return (rows["season"].fillna(0.0) * rows["scale"]).set_axis(rows["index"]).reindex(grid.index)


def busiest_window(path: pd.DataFrame, keys: list[str], column: str, days: float) -> pd.Series:
    """Each key's largest demand over any ``days`` consecutive days of its path (a fractional last
    day pro rata), indexed by ``keys``: the stock its busiest stretch of the coming year needs.

    A days-of-supply keep read on the path's first ``days`` days clears a summer mat in December down
    to its winter trickle, though it sells out from May (trial 13 F9); on a flat path both are alike.

    Args:
        path: :func:`year_demand`'s ``[keys..., day, <column>]``, ``day`` 0..n-1 for every key, units/day.
        keys: key columns.
        column: the demand column to sum (``demand`` or ``naive``).
        days: the stretch's length in days (>= 0; the whole path when longer).

    Returns:
        A Series of units per key (a MultiIndex for several keys).
    """
    whole, part = int(np.floor(days)), float(days - np.floor(days))

    ordered = path.sort_values([*keys, "day"], kind="stable")
    n = int(path["day"].max()) + 1 if len(path) else 0  # every key's path has days 0..n-1
    d = ordered[column].to_numpy(dtype=float).reshape(-1, n) if n else np.zeros((0, 0))
    if whole >= n:
        widest = d.sum(axis=1)
    else:
        c = np.concatenate([np.zeros((len(d), 1)), np.cumsum(d, axis=1)], axis=1)
        starts = np.arange(n - whole)
        widest = (c[:, starts + whole] - c[:, starts] + part * d[:, starts + whole]).max(axis=1)
    index = pd.MultiIndex.from_frame(ordered[keys].iloc[::n]) if n and len(keys) > 1 else \
        pd.Index(ordered[keys[0]].iloc[::n] if n else [], name=keys[0])
    return pd.Series(widest, index=index, name=column)


def _change(history: pd.DataFrame, keys: list[str], windows: tuple[int, ...] = CHANGE_WINDOWS) -> pd.DataFrame:
    """``[keys..., change]``: each key's sales over the history's last days over the same days a year
    before, read on the shortest of ``windows`` (days) whose two sides hold ``MIN_CHANGE_UNITS``
    together and whose year-before side lies after the key's first sale; 1 where none does (a line
    launched since is read as it was, and too few units measure no change).

    Two Poisson counts near a ratio of 1 that sum to ``n`` give a log ratio of sd about
    ``2 / sqrt(n)``: 0.2 at 100 units. A winter knit's 91 off-season days before a September cut-off
    hold ~9 units a side, and their ratio ran x0.43..x4.67 over 20 seeds of the same rate both years;
    it scales the whole season past the horizon and the last-year witness alike, so the knit was
    cleared on 4 of them (review 11.2 F6). Its year holds its winter."""
    sales = history[[*keys, "ds", "y"]].astype({k: str for k in keys})
    ds = pd.to_datetime(sales["ds"])
    end = ds.max()
    back = end - pd.Timedelta(days=SAME_WEEKDAY_DAYS)
    first = ds.where(sales["y"] > 0).groupby([sales[k] for k in keys]).min()
    change = pd.Series(np.nan, index=first.index)
    for days in windows:
        now = sales[ds > end - pd.Timedelta(days=days)].groupby(keys)["y"].sum()
        base = sales[(ds > back - pd.Timedelta(days=days)) & (ds <= back)].groupby(keys)["y"].sum()
        table = pd.concat([now.rename("now"), base.rename("base")], axis=1).reindex(first.index).fillna(0.0)
        read = (table["now"] + table["base"] >= MIN_CHANGE_UNITS) & (table["base"] > 0) \
            & (first <= back - pd.Timedelta(days=days - 1)) & change.isna()
        change[read] = table["now"][read] / table["base"][read]
    return change.fillna(1.0).rename("change").reset_index()[[*keys, "change"]]


def slow_movers(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                min_turns: float = 4.0, history: pd.DataFrame | None = None,
                group: tuple[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """Keys whose annual turnover on the coming year's demand is below ``min_turns``, lowest first.

    Args:
        forecast: daily forecast ``[keys..., ds, yhat, ...]``, units/day (no band needed).
        stock: ``[keys..., on_hand[, unit_cost]]``, units.
        keys: key columns.
        min_turns: turnover threshold, turns a year (> 0).
        history: ``[keys..., ds, y]`` daily sales (units) for the year past the forecast's horizon
            (module doc), or None (the horizon's mean).
        group: ``(key column, value -> category)`` (:func:`year_demand`), or None.

    Returns:
        ``[keys..., on_hand, mean_daily, annual_turns, days_of_cover]`` for the slow movers.

    Raises:
        ParameterError: ``min_turns`` not > 0.
        DataValidationError: a malformed forecast, a missing, repeated or negative stock row.
    """
    if not (isinstance(min_turns, (int, float)) and min_turns > 0):
        raise ParameterError(f"min_turns={min_turns!r} must be > 0 turns a year")
    table, _ = _turnover(forecast, stock, keys, history, group)
    slow = table[table["annual_turns"] < min_turns]
    return slow[[*keys, "on_hand", "mean_daily", "annual_turns", "days_of_cover"]] \
        .sort_values(["annual_turns", *keys], kind="stable").reset_index(drop=True)


def _turnover(forecast: pd.DataFrame, stock: pd.DataFrame, keys: list[str], history: pd.DataFrame | None,
              group: tuple[str, Mapping[str, str]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per key of the forecast or the stock: the year's mean daily demand, on hand, turns, days of
    cover; and the demand path (:func:`year_demand`). A stock row without a forecast has zero
    demand (the deadest stock), never dropped."""
    path = year_demand(forecast, keys, history, group=group)
    table = path.groupby(keys, as_index=False).agg(year=("demand", "sum"))
    extra = ["unit_cost"] if "unit_cost" in stock.columns else []
    held = stock[keys].astype(str).drop_duplicates()
    unsold = held.merge(table[keys], how="left", indicator=True)
    unsold = unsold[unsold["_merge"] == "left_only"][keys]
    table = pd.concat([table, unsold.assign(year=0.0)], ignore_index=True)
    table = keyed_inputs(table, stock[[*keys, "on_hand", *extra]], keys, "stock", ["on_hand"])
    _non_negative(table, keys, ["on_hand"])
    table["mean_daily"] = table["year"] / CALENDAR_DAYS
    with np.errstate(divide="ignore", invalid="ignore"):
        table["annual_turns"] = np.where(table["on_hand"] > 0, table["year"] / table["on_hand"], np.inf)
    table["days_of_cover"] = cover_days(path, table, keys)
    table.loc[(table["year"] <= 0) & (table["on_hand"] > 0), "days_of_cover"] = np.inf
    return table.drop(columns="year"), path


def clearance_list(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                   min_turns: float = 4.0, keep_days: float = 90.0,
                   history: pd.DataFrame | None = None, pool: list[str] | None = None,
                   group: tuple[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """The clearance list: slow movers with the units to clear and their value.

    Args:
        forecast, stock, keys, min_turns, history: as in :func:`slow_movers`; ``stock`` may carry
            ``unit_cost`` (currency per unit).
        keep_days: days of the path's demand to keep (>= 0), read on its busiest stretch of that
            length in the coming year; the rest is cleared.
        pool: key columns naming the item whose stock can move between the other keys (e.g.
            ``["sku"]`` of ``sku, warehouse``), or None. A row is then listed only when its item,
            its stock and demand summed over them, is slow and has stock beyond ``keep_days`` too,
            and its units to clear share that excess in proportion to the rows' own (a warehouse's
            surplus that another warehouse of the same SKU needs is moved, not sold off); its
            season is judged on the item as well. Rows kept this way are in ``attrs["moved"]``.
        group: ``(key column, value -> category)``, or None: a line launched within the year takes
            its category's season past the horizon (:func:`year_demand`).

    Returns:
        ``[keys..., on_hand, mean_daily, annual_turns, days_of_cover, keep_demand, clear_units
        [, last_year_turns][, clear_value]]``, largest value (or units) first; ``keep_demand`` the
        path's units over its busiest ``keep_days`` consecutive days (:func:`busiest_window`), ``last_year_turns`` (with a history) the
        turns on last year's same days at the key's change since. Keys with nothing beyond
        ``keep_days`` are left out; keys whose season is ahead (module doc) are held off, in
        ``attrs["season_ahead"]`` (same columns).

    Raises:
        ParameterError: bad ``min_turns`` or ``keep_days``.
    """
    if not (isinstance(keep_days, (int, float)) and keep_days >= 0):
        raise ParameterError(f"keep_days={keep_days!r} must be a number of days >= 0")
    if not (isinstance(min_turns, (int, float)) and min_turns > 0):
        raise ParameterError(f"min_turns={min_turns!r} must be > 0 turns a year")
    table, path = _turnover(forecast, stock, keys, history, group)
    kept = path.groupby(keys, as_index=False).agg(naive=("naive", "sum"))
    for column, out in (("demand", "keep_demand"), ("naive", "keep_naive")):
        kept = kept.merge(busiest_window(path, keys, column, keep_days).rename(out), on=keys, how="left")
    rows = table.merge(kept, on=keys, how="left")
    rows[["keep_demand", "keep_naive", "naive"]] = rows[["keep_demand", "keep_naive", "naive"]].fillna(0.0)
    rows["excess"] = np.maximum(rows["on_hand"] - rows["keep_demand"], 0.0)
    slow = rows[rows["annual_turns"] < min_turns].copy()
    moved = slow.iloc[:0]
    if pool:  # the item's stock and demand over all its rows: a surplus another row needs is moved
        item = rows.assign(year=rows["mean_daily"] * CALENDAR_DAYS).groupby(pool)[
            ["on_hand", "year", "keep_demand", "keep_naive", "naive"]].sum()
        item["spare"] = np.maximum(item["on_hand"] - item["keep_demand"], 0.0) \
            .where(item["year"] < min_turns * item["on_hand"], 0.0)
        item["share"] = (item["spare"] / slow.groupby(pool)["excess"].sum()).clip(upper=1.0)
        item["ahead"] = (item["year"] > 0) & ((item["naive"] >= min_turns * item["on_hand"])
                                              | (item["keep_naive"] >= item["on_hand"]))
        joined = slow[pool].merge(item[["share", "ahead"]].reset_index(), on=pool, how="left")
        slow["excess"] = slow["excess"] * joined["share"].fillna(0.0).to_numpy()
        slow["item_ahead"] = joined["ahead"].fillna(False).to_numpy()
        moved = slow[(slow["excess"] <= 1e-9) & (slow["on_hand"] > slow["keep_demand"])]
    slow["clear_units"] = np.ceil(slow["excess"] - 1e-9).clip(lower=0.0)
    columns = [*keys, "on_hand", "mean_daily", "annual_turns", "days_of_cover", "keep_demand", "clear_units"]
    if history is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            slow["last_year_turns"] = np.where(slow["on_hand"] > 0, slow["naive"] / slow["on_hand"], np.inf)
        columns.append("last_year_turns")
    order = "clear_units"
    if "unit_cost" in stock.columns:
        cost = keyed_inputs(slow[keys], stock[[*keys, "unit_cost"]], keys, "stock", ["unit_cost"])
        _non_negative(cost, keys, ["unit_cost"], allow_missing=True)
        slow["clear_value"] = slow["clear_units"] * cost["unit_cost"].to_numpy()
        columns.append("clear_value")
        order = "clear_value"
    listed = slow[slow["clear_units"] > 0]
    ahead = pd.Series(False, index=listed.index)
    if history is not None:  # last year's witness keeps it: slow there too and stock beyond keep_days
        ahead = (listed["mean_daily"] > 0) & ((listed["last_year_turns"] >= min_turns)
                                              | (listed["keep_naive"] >= listed["on_hand"]))
        if pool:
            ahead = ahead | listed["item_ahead"]
    held, listed = listed[ahead][columns], listed[~ahead][columns]
    out = listed.sort_values([order, *keys], ascending=[False] + [True] * len(keys),
                             kind="stable").reset_index(drop=True)
    out.attrs["season_ahead"] = held.reset_index(drop=True)
    out.attrs["moved"] = moved[[*keys, "on_hand", "keep_demand"]].reset_index(drop=True)
    return out


def moved_note(moved: pd.DataFrame, keys: list[str], pool: list[str]) -> list[str]:
    """The note naming the rows a slow turnover would list whose surplus their item's other rows
    need (``clearance_list(..., pool=...).attrs["moved"]``); ``[]`` when none."""
    if moved is None or moved.empty:
        return []
    rows = "; ".join(f"{' at '.join(str(r[k]) for k in keys)} ({r['on_hand']:,.0f} on hand, "
                     f"{r['keep_demand']:,.0f} of its own demand to keep)" for _, r in moved.iterrows())
    return [f"clearance: {len(moved)} row(s) turn slowly where they are, but their {', '.join(pool)}'s demand at "
            f"its other sites needs the surplus: moved, not cleared: {rows}"]


def season_ahead_note(held: pd.DataFrame, keys: list[str], min_turns: float) -> list[str]:
    """The note naming the keys held off the clearance list because last year's sales say their
    season is ahead (``clearance_list(...).attrs["season_ahead"]``), with their figures; ``[]``
    when none."""
    if held is None or held.empty:
        return []
    rows = "; ".join(f"{' at '.join(str(r[k]) for k in keys)} ({r['on_hand']:,.0f} on hand: {r['annual_turns']:.2g} "
                     f"turns a year on its forecast, {r['last_year_turns']:.2g} on last year's same days)"
                     for _, r in held.iterrows())
    return [f"clearance: {len(held)} row(s) that their forecast turns less than {min_turns:g} times a year are not "
            f"listed for clearance: last year's sales on the same days, at the line's change since, sell their "
            f"stock: {rows}. Their season is ahead of a forecast that may miss it: check the forecast before "
            f"ordering as well"]
