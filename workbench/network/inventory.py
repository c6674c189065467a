"""Replenishment from forecast quantiles: safety stock, reorder point, order-up-to, alerts, slow movers.

Inputs are plain frames:

* ``forecast``: a daily long frame with the key columns (e.g. ``sku, warehouse``), ``ds``,
  ``yhat`` and quantile columns ``yhat_qNN`` (the output of ``workbench.forecast.forecast``).
* ``lead_times``: keys + ``lead_time_days``, optional ``lead_time_std_days``.
* ``stock``: keys + ``on_hand``, optional ``on_order`` (units already ordered, not yet received).

Formulas (``L`` lead time in days, ``R`` review period in days, ``z = Phi^-1(service_level)``, the
cycle service level; forecast days are treated as independent):

* daily demand spread from the forecast band: ``sigma_t = (q_hi,t - q_lo,t) / (z_hi - z_lo)``,
  e.g. ``(q90 - q10) / (2 x 1.2816)`` for a normal demand;
* lead-time demand ``mu_L = sum_{t < L} yhat_t`` (the next ``L`` forecast days; a fractional last
  day counts pro rata) and ``sigma_L = sqrt(sum_{t < L} sigma_t^2 + mu_d^2 s_L^2)`` with ``mu_d``
  the mean daily forecast over the lead time and ``s_L`` the lead-time standard deviation (days)
  (Chopra & Meindl, safety inventory with uncertain lead time);
* safety stock ``SS = z sigma_L``; reorder point ``ROP = mu_L + SS``;
* order-up-to level ``S = mu_{L+R} + z sigma_{L+R}`` (periodic review every ``R`` days);
* inventory position ``IP = on_hand + on_order``; alert when ``IP < ROP`` and order ``S - IP``;
  the alert is ``stockout risk`` when even ``on_hand + on_order < mu_L`` (expected to run out
  before the next receipt), else ``reorder``;
* days of cover ``on_hand / mu_d``; annual turnover ``365 mu_d / on_hand``; a slow mover
  (clearance candidate) has turnover below ``min_turns`` a year.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.errors import DataValidationError, ParameterError

_QUANTILE = re.compile(r"^yhat_q(\d{2})$")


def service_z(service_level: float) -> float:
    """``Phi^-1(service_level)``: 0.95 -> 1.645, 0.90 -> 1.2816."""
    if not 0.5 <= service_level < 1.0:
        raise ParameterError(f"service_level={service_level!r} must be in [0.5, 1)")
    return float(norm.ppf(service_level))


def band_columns(forecast: pd.DataFrame) -> tuple[str, str, float, float]:
    """The widest symmetric quantile pair of ``forecast`` and their probabilities."""
    levels = sorted(int(m.group(1)) for c in forecast.columns if (m := _QUANTILE.match(c)))
    pairs = [(lo, 100 - lo) for lo in levels if lo < 50 and (100 - lo) in levels]
    if not pairs:
        raise DataValidationError(
            "forecast: needs a symmetric pair of quantile columns such as yhat_q10 and yhat_q90 "
            f"(found {[c for c in forecast.columns if c.startswith('yhat')]})")
    lo, hi = pairs[0]
    return f"yhat_q{lo:02d}", f"yhat_q{hi:02d}", lo / 100, hi / 100


def daily_sigma(forecast: pd.DataFrame) -> pd.Series:
    """Per-row demand standard deviation from the widest quantile band (normal approximation)."""
    lo, hi, p_lo, p_hi = band_columns(forecast)
    spread = (forecast[hi] - forecast[lo]) / (norm.ppf(p_hi) - norm.ppf(p_lo))
    if (spread < -1e-9).any():
        row = int(np.flatnonzero((spread < -1e-9).to_numpy())[0])
        raise DataValidationError(f"forecast: row {row + 1} has {hi} below {lo}")
    return spread.clip(lower=0.0)


def _merge_keys(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str], name: str,
                columns: list[str]) -> pd.DataFrame:
    missing = [c for c in [*keys, *columns] if c not in other.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}")
    dup = other.duplicated(keys)
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataValidationError(f"{name}: row {row + 1} repeats key {tuple(other[keys].iloc[row])}")
    merged = frame.merge(other, on=keys, how="left", indicator=True)
    absent = merged["_merge"] == "left_only"
    if absent.any():
        raise DataValidationError(f"{name}: no row for {tuple(merged.loc[absent, keys].iloc[0])}; "
                                  f"every forecast key needs one")
    return merged.drop(columns="_merge")


def _window_sums(fc: pd.DataFrame, keys: list[str], days: pd.Series) -> pd.DataFrame:
    """Per key: forecast mean and variance summed over the first ``days`` days (fractional ok)."""
    fc = fc.sort_values([*keys, "ds"]).copy()
    fc["_t"] = fc.groupby(keys).cumcount()
    fc = fc.merge(days.rename("_days").reset_index(), on=keys)
    weight = (fc["_days"] - fc["_t"]).clip(0.0, 1.0)
    short = fc.groupby(keys)["_t"].max() + 1 < days - 1e-9
    if short.any():
        key = short[short].index[0]
        raise DataValidationError(f"forecast: horizon of {key} is shorter than its lead time plus "
                                  "review period; forecast further ahead")
    fc["_mu"] = weight * fc["yhat"]
    fc["_var"] = weight * fc["_sigma"] ** 2
    return fc.groupby(keys)[["_mu", "_var"]].sum()


def replenishment_plan(forecast: pd.DataFrame, lead_times: pd.DataFrame, stock: pd.DataFrame, *,
                       keys: list[str], service_level: float = 0.95,
                       review_days: float = 7.0) -> pd.DataFrame:
    """Safety stock, reorder point, order-up-to level and alerts per key (formulas: module doc).

    Returns one row per key with ``mean_daily, lead_time_days, demand_lt, sigma_lt, safety_stock,
    reorder_point, order_up_to, on_hand, on_order, position, order_qty, alert, days_of_cover``;
    ``alert`` is ``stockout risk``, ``reorder`` or ``ok``. Units follow the forecast.
    """
    z = service_z(service_level)
    if not review_days >= 0:
        raise ParameterError(f"review_days={review_days!r} must be >= 0")
    missing = [c for c in [*keys, "ds", "yhat"] if c not in forecast.columns]
    if missing:
        raise DataValidationError(f"forecast: missing column(s) {missing}")
    fc = forecast[[*keys, "ds", "yhat"]].copy()
    fc["_sigma"] = daily_sigma(forecast).to_numpy()
    base = fc[keys].drop_duplicates().reset_index(drop=True)
    base = _merge_keys(base, lead_times, keys, "lead_times", ["lead_time_days"])
    base = _merge_keys(base, stock, keys, "stock", ["on_hand"])
    if "lead_time_std_days" not in base:
        base["lead_time_std_days"] = 0.0
    if "on_order" not in base:
        base["on_order"] = 0.0
    for col in ("lead_time_days", "lead_time_std_days", "on_hand", "on_order"):
        bad = pd.to_numeric(base[col], errors="coerce").isna() | (base[col] < 0)
        if bad.any():
            raise DataValidationError(f"{col} for {tuple(base.loc[bad, keys].iloc[0])} is "
                                      f"{base.loc[bad, col].iloc[0]!r}; expected a number >= 0")
    base = base.set_index(keys)
    lt = _window_sums(fc, keys, base["lead_time_days"])
    ltr = _window_sums(fc, keys, base["lead_time_days"] + review_days)
    out = base[["lead_time_days", "lead_time_std_days", "on_hand", "on_order"]].copy()
    mean_daily = lt["_mu"] / base["lead_time_days"].where(base["lead_time_days"] > 0)
    first_day = fc.sort_values("ds").groupby(keys)["yhat"].first()
    out["mean_daily"] = mean_daily.fillna(first_day)
    lt_var = out["mean_daily"] ** 2 * out["lead_time_std_days"] ** 2
    out["demand_lt"] = lt["_mu"]
    out["sigma_lt"] = np.sqrt(lt["_var"] + lt_var)
    out["safety_stock"] = z * out["sigma_lt"]
    out["reorder_point"] = out["demand_lt"] + out["safety_stock"]
    out["order_up_to"] = ltr["_mu"] + z * np.sqrt(ltr["_var"] + lt_var)
    out["position"] = out["on_hand"] + out["on_order"]
    below = out["position"] < out["reorder_point"]
    out["order_qty"] = np.where(below, np.maximum(out["order_up_to"] - out["position"], 0.0), 0.0)
    out["alert"] = np.select([below & (out["position"] < out["demand_lt"]), below],
                             ["stockout risk", "reorder"], "ok")
    out["days_of_cover"] = out["on_hand"] / out["mean_daily"].where(out["mean_daily"] > 0)
    return out.reset_index()


def alerts(plan: pd.DataFrame) -> pd.DataFrame:
    """The rows of a replenishment plan that need action, most urgent first."""
    urgent = plan[plan["alert"] != "ok"].copy()
    urgent["_rank"] = urgent["alert"].map({"stockout risk": 0, "reorder": 1})
    return urgent.sort_values(["_rank", "days_of_cover"]).drop(columns="_rank").reset_index(drop=True)


def slow_movers(forecast: pd.DataFrame, stock: pd.DataFrame, *, keys: list[str],
                min_turns: float = 4.0) -> pd.DataFrame:
    """Clearance candidates: keys whose annual turnover ``365 mu_d / on_hand`` is below
    ``min_turns`` (``mu_d`` = mean daily forecast over the whole horizon), lowest first."""
    if not min_turns > 0:
        raise ParameterError(f"min_turns={min_turns!r} must be > 0 turns a year")
    mean_daily = forecast.groupby(keys)["yhat"].mean().rename("mean_daily").reset_index()
    table = _merge_keys(mean_daily, stock, keys, "stock", ["on_hand"])
    held = table["on_hand"] > 0
    table["annual_turns"] = np.where(held, 365.0 * table["mean_daily"] / table["on_hand"].where(held),
                                     np.inf)
    table["days_of_cover"] = table["on_hand"] / table["mean_daily"].where(table["mean_daily"] > 0)
    slow = table[table["annual_turns"] < min_turns]
    return slow[[*keys, "on_hand", "mean_daily", "annual_turns", "days_of_cover"]] \
        .sort_values("annual_turns").reset_index(drop=True)
