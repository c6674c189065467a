"""Slow movers by turnover and the clearance list (滞销品清仓).

Per key of the forecast or the stock (a stock row without a forecast has ``mu_d = 0``): ``mu_d``
the mean daily forecast over the whole horizon (units/day), annual turnover
``365 mu_d / on_hand`` (turns a year; infinite with no stock on hand), days of cover
``on_hand / mu_d``. A slow mover turns less than ``min_turns`` a year. Its clearance quantity is
the stock beyond ``keep_days`` of forecast demand, ``ceil(max(on_hand - keep_days mu_d, 0))``
units, valued at ``unit_cost`` when given. Turnover is the standard inventory measure (annual
demand over stock held); the clearance quantity is a plain days-of-supply rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.inventory.demand import daily_forecast
from workbench.inventory.replenishment import _non_negative, keyed_inputs


def slow_movers(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                min_turns: float = 4.0) -> pd.DataFrame:
    """Keys whose annual turnover is below ``min_turns``, lowest first.

    Args:
        forecast: daily forecast ``[keys..., ds, yhat, ...]``, units/day (no band needed).
        stock: ``[keys..., on_hand[, unit_cost]]``, units.
        keys: key columns.
        min_turns: turnover threshold, turns a year (> 0).

    Returns:
        ``[keys..., on_hand, mean_daily, annual_turns, days_of_cover]`` for the slow movers.

    Raises:
        ParameterError: ``min_turns`` not > 0.
        DataValidationError: a malformed forecast, a missing, repeated or negative stock row.
    """
    if not (isinstance(min_turns, (int, float)) and min_turns > 0):
        raise ParameterError(f"min_turns={min_turns!r} must be > 0 turns a year")
    table = _turnover(forecast, stock, keys)
    slow = table[table["annual_turns"] < min_turns]
    return slow[[*keys, "on_hand", "mean_daily", "annual_turns", "days_of_cover"]] \
        .sort_values(["annual_turns", *keys], kind="stable").reset_index(drop=True)


def _turnover(forecast: pd.DataFrame, stock: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key of the forecast or the stock: mean daily forecast, on hand, turns, days of cover.
    A stock row without a forecast has zero demand (the deadest stock), never dropped."""
    daily = daily_forecast(forecast, keys, band=False)
    table = daily.groupby(keys, as_index=False).agg(mean_daily=("yhat", "mean"))
    extra = ["unit_cost"] if "unit_cost" in stock.columns else []
    held = stock[keys].astype(str).drop_duplicates()
    unsold = held.merge(table[keys], how="left", indicator=True)
    unsold = unsold[unsold["_merge"] == "left_only"][keys]
    table = pd.concat([table, unsold.assign(mean_daily=0.0)], ignore_index=True)
    table = keyed_inputs(table, stock[[*keys, "on_hand", *extra]], keys, "stock", ["on_hand"])
    _non_negative(table, keys, ["on_hand"])
    held = table["on_hand"] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        table["annual_turns"] = np.where(held, 365.0 * table["mean_daily"] / table["on_hand"],
                                         np.inf)
        table["days_of_cover"] = np.where(table["mean_daily"] > 0,
                                          table["on_hand"] / table["mean_daily"], np.inf)
    return table


def clearance_list(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                   min_turns: float = 4.0, keep_days: float = 90.0) -> pd.DataFrame:
    """The clearance list: slow movers with the units to clear and their value.

    Args:
        forecast, stock, keys, min_turns: as in :func:`slow_movers`; ``stock`` may carry
            ``unit_cost`` (currency per unit).
        keep_days: days of forecast demand to keep (>= 0); the rest is cleared.

    Returns:
        ``[keys..., on_hand, mean_daily, annual_turns, days_of_cover, clear_units[, clear_value]]``,
        largest value (or units) first; keys with nothing beyond ``keep_days`` are left out.

    Raises:
        ParameterError: bad ``min_turns`` or ``keep_days``.
    """
    if not (isinstance(keep_days, (int, float)) and keep_days >= 0):
        raise ParameterError(f"keep_days={keep_days!r} must be a number of days >= 0")
    slow = slow_movers(forecast, stock, keys=keys, min_turns=min_turns)
    slow["clear_units"] = np.ceil(np.maximum(slow["on_hand"] - keep_days * slow["mean_daily"], 0.0)
                                  - 1e-9).clip(lower=0.0)
    order = "clear_units"
    if "unit_cost" in stock.columns:
        cost = keyed_inputs(slow[keys], stock[[*keys, "unit_cost"]], keys, "stock", ["unit_cost"])
        _non_negative(cost, keys, ["unit_cost"], allow_missing=True)
        slow["clear_value"] = slow["clear_units"] * cost["unit_cost"].to_numpy()
        order = "clear_value"
    listed = slow[slow["clear_units"] > 0]
    return listed.sort_values([order, *keys], ascending=[False] + [True] * len(keys),
                              kind="stable").reset_index(drop=True)
