"""Demand over a window from a daily quantile forecast: the forecast frame's checks, daily spread
and window sums (mean and variance), matched by key values, never by row order.

The forecast is a daily long frame with the key columns (e.g. ``sku, warehouse``), ``ds``,
``yhat`` (mean, units/day) and quantile columns ``yhat_qNN`` (the output of
``workbench.forecast.forecast``). Each key's window starts at its own first forecast day.

* daily spread ``sigma_t = (q_hi,t - q_lo,t) / (z_hi - z_lo)``, e.g. ``(q90 - q10) / (2 x 1.2816)``
  for a normal band;
* window mean ``mu_W = sum_t w_t yhat_t`` and variance ``sum_t w_t sigma_t^2`` over the first ``W``
  days, ``w_t = clip(W - t, 0, 1)`` (a fractional last day counts pro rata); forecast days are
  treated as independent (the ``independent days`` rule);
* a level error the days share (``shared_level_variance``): where the forecast gives a window
  total its own band (``workbench.forecast.window_band``: from the model's refit paths, the
  errors of whole windows, level and all), the band's relative variance beyond the independent
  days' is an error of the level that every day and every key of the band's group (a SKU's
  warehouses) shares: ``var = sum_t sigma_t^2 + v_level mu^2`` over any window of its days. Days
  summed as independent had put a SKU's 95% event stock near its mean +8% where a level error
  moves every day (trial finding F17; ``benchmarks/cycle_stock_coverage.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError

_QUANTILE = re.compile(r"^yhat_q(\d{2})$")


def band_columns(forecast: pd.DataFrame) -> tuple[str, str, float, float]:
    """The widest symmetric quantile pair of ``forecast`` (e.g. ``yhat_q10``, ``yhat_q90``) and
    their probabilities.

    Raises:
        DataValidationError: no symmetric pair of ``yhat_qNN`` columns.
    """
    levels = sorted(int(m.group(1)) for c in forecast.columns if (m := _QUANTILE.match(c)))
    pairs = [(lo, 100 - lo) for lo in levels if lo < 50 and (100 - lo) in levels]
    if not pairs:
        raise DataValidationError(
            f"{_name(forecast)}: needs a symmetric pair of quantile columns such as yhat_q10 and "
            f"yhat_q90 (found {[c for c in forecast.columns if c.startswith('yhat')]})")
    lo, hi = pairs[0]
    return f"yhat_q{lo:02d}", f"yhat_q{hi:02d}", lo / 100, hi / 100


def daily_sigma(forecast: pd.DataFrame) -> pd.Series:
    """Per-row demand standard deviation (units/day) from the widest quantile band read as a
    normal band; same index as ``forecast``.

    Raises:
        DataValidationError: a row whose upper quantile is below its lower one.
    """
    lo, hi, p_lo, p_hi = band_columns(forecast)
    spread = (forecast[hi] - forecast[lo]) / (norm.ppf(p_hi) - norm.ppf(p_lo))
    crossed = spread < -1e-9
    if crossed.any():
        raise DataValidationError(f"{_name(forecast)}: {hi} below {lo} at "
                                  f"{describe_rows(forecast, crossed)}")
    return spread.clip(lower=0.0)


def _name(frame: pd.DataFrame) -> str:
    return frame.attrs.get("source", "forecast")


def daily_forecast(forecast: pd.DataFrame, keys: list[str], *, band: bool = True) -> pd.DataFrame:
    """The checked forecast ``[keys..., ds, yhat, sigma, day]``, keys as text, sorted by keys and
    date; ``day`` counts 0, 1, ... from each key's first forecast day.

    Raises:
        DataValidationError: missing columns, empty keys, bad dates, a negative or non-finite
            ``yhat``, repeated (key, ds) rows or missing days inside a key's forecast.
    """
    name = _name(forecast)
    missing = [c for c in [*keys, "ds", "yhat"] if c not in forecast.columns]
    if missing:
        raise DataValidationError(f"{name}: missing column(s) {missing}; the forecast has "
                                  f"{list(forecast.columns)}")
    if len(forecast) == 0:
        raise DataValidationError(f"{name}: the forecast has no rows")
    for key in keys:
        empty = forecast[key].isna()
        if empty.any():
            raise DataValidationError(f"{name}: key column {key!r} is empty at "
                                      f"{describe_rows(forecast, empty)}; every forecast row needs its "
                                      f"{key}: fill it in or remove those rows")
    ds = pd.to_datetime(forecast["ds"], errors="coerce")
    if ds.isna().any():
        raise DataValidationError(f"{name}: column 'ds' has unparseable dates at "
                                  f"{describe_rows(forecast, ds.isna())}")
    yhat = pd.to_numeric(forecast["yhat"], errors="coerce")
    bad = ~np.isfinite(yhat.to_numpy(dtype=float)) | (yhat < 0).to_numpy()
    if bad.any():
        raise DataValidationError(f"{name}: column 'yhat' must be a finite number of units >= 0; "
                                  f"it is not at {describe_rows(forecast, bad)}")
    out = pd.DataFrame({k: forecast[k].astype(str).to_numpy() for k in keys})
    out["ds"] = ds.dt.normalize().to_numpy()
    out["yhat"] = yhat.to_numpy(dtype=float)
    out["sigma"] = daily_sigma(forecast).to_numpy() if band else 0.0
    out["_row"] = np.arange(len(out))
    dup = out.duplicated([*keys, "ds"], keep=False)
    if dup.any():
        raise DataValidationError(f"{name}: repeated ({', '.join([*keys, 'ds'])}) at "
                                  f"{describe_rows(forecast, dup.to_numpy())}; one row per key and day")
    out = out.sort_values([*keys, "ds"], kind="stable").reset_index(drop=True)
    first = out.groupby(keys, sort=False)["ds"].transform("min")
    out["day"] = (out["ds"] - first).dt.days
    count = out.groupby(keys, sort=False).cumcount()
    gap = out["day"] != count
    if gap.any():
        row = out.loc[gap].iloc[0]
        raise DataValidationError(
            f"{name}: the daily forecast of {tuple(row[keys])} misses days before {row['ds'].date()}; "
            "give every day from the first forecast day on")
    return out.drop(columns="_row")


def window_moments(daily: pd.DataFrame, keys: list[str], days: pd.DataFrame, *,
                   window: str = "window") -> pd.DataFrame:
    """Mean and variance of demand over each key's first ``days`` forecast days.

    Args:
        daily: the output of :func:`daily_forecast`.
        keys: key columns.
        days: ``[keys..., days]`` with one row per key (days >= 0, fractional allowed).
        window: what the window is, for the error message (e.g. "its lead time").

    Returns:
        ``days`` (same rows, same order) with ``mean`` (units) and ``var`` (units^2) added.

    Raises:
        DataValidationError: a key whose forecast is shorter than its window.
    """
    span = daily.groupby(keys, as_index=False).agg(_horizon=("day", "size"))
    table = days.merge(span, on=keys, how="left", validate="one_to_one")
    table["_horizon"] = table["_horizon"].fillna(0)
    short = table["_horizon"] < table["days"] - 1e-9
    if short.any():
        row = table.loc[short].iloc[0]
        raise DataValidationError(
            f"forecast: horizon of {tuple(row[keys])} is {int(row['_horizon'])} days, shorter "
            f"than {window} ({row['days']:g} days); forecast further ahead")
    joined = daily.merge(days[[*keys, "days"]], on=keys)
    weight = (joined["days"] - joined["day"]).clip(0.0, 1.0)
    joined["mean"] = weight * joined["yhat"]
    joined["var"] = weight * joined["sigma"] ** 2
    sums = joined.groupby(keys, as_index=False)[["mean", "var"]].sum()
    out = days.merge(sums, on=keys, how="left")
    out[["mean", "var"]] = out[["mean", "var"]].fillna(0.0)
    return out


BAND_RULE = "window band ({})"  # the rule of a key whose window total's band gave its level error
INDEPENDENT = "independent days"  # the rule of a key without one: days summed as independent


def shared_level_variance(daily: pd.DataFrame, keys: list[str], band: pd.DataFrame, window_start,
                          window_end) -> pd.DataFrame:
    """Per key, the relative variance of a level error its days share, read off the band of its
    group's event-window total (method: module doc).

    The band's quantiles are read as a normal in ``log1p`` (as ``window_band.refit_band`` builds
    them: symmetric in logs around the point total): ``m = log1p(P50)`` and
    ``s = (log1p(P_hi) - m) / z_hi`` from the highest quantile ``P_hi`` (the upper tail is the one a
    stock covers), so the total's relative variance is ``v_band = V / E^2`` with
    ``E = exp(m + s^2/2) - 1`` and ``V = exp(2m + s^2) (exp(s^2) - 1)``. The days of the group's keys
    in the window, summed as independent, hold ``v_ind = sum sigma^2 / mu^2`` of it; the rest,
    ``v_level = max(v_band - v_ind, 0)``, is the level error. A group's keys share it in proportion
    to their means, so the group's window total has the band's variance again (coherent: a SKU's
    warehouses err together, each with its own day noise); a band narrower than the independent
    days leaves them as they are (``v_level = 0``).

    Args:
        daily: the output of :func:`daily_forecast` (units/day), covering the window.
        keys: its key columns (e.g. ``sku, warehouse``).
        band: the window totals' bands ``[group..., yhat, yhat_qNN...[, window_band]]`` (units over
            the window; e.g. ``fulfilment.cycle.sku_window_totals``): ``group`` the columns of
            ``keys`` it has (e.g. ``sku``), one row per group; ``yhat_q50`` (else ``yhat``) and a
            quantile above it; ``window_band`` the rule that gave it
            (``workbench.forecast.window_band.SOURCES``).
        window_start, window_end: the event window the band is of (dates, inclusive).

    Returns:
        ``daily``'s keys (one row each, sorted) with ``level_var`` (relative, unit-free; 0 without
        a band) and ``window_rule``: ``"window band (<rule>)"``, or ``"independent days"`` for a
        key whose group has no band (no row, empty quantiles, a zero total or the rule ``none``).

    Raises:
        DataValidationError: a band table without any of ``keys``, without its columns, or with
            a group repeated (each named).
    """
    name = band.attrs.get("source", "window band")
    group = [k for k in keys if k in band.columns]
    upper = sorted((int(m.group(1)), c) for c in band.columns if (m := _QUANTILE.match(c)) and int(m.group(1)) > 50)
    missing = [c for c in ("yhat",) if c not in band.columns] + ([] if upper else ["a yhat_qNN above yhat_q50"])
    if not group or missing:
        raise DataValidationError(f"{name}: needs the key column(s) it is the band of (some of {keys}) and "
                                  f"{missing or ['yhat']}; it has {list(band.columns)}")
    table = band.assign(**{k: band[k].astype(str) for k in group})
    dup = table.duplicated(group, keep=False)
    if dup.any():
        raise DataValidationError(f"{name}: ({', '.join(group)}) repeated at {describe_rows(band, dup.to_numpy())}; "
                                  "one window total per group")
    level, column = upper[-1]
    z = norm.ppf(level / 100)
    median = table["yhat_q50"] if "yhat_q50" in table else table["yhat"]
    m = np.log1p(pd.to_numeric(median, errors="coerce").to_numpy(float).clip(0.0))
    s = np.maximum(np.log1p(pd.to_numeric(table[column], errors="coerce").to_numpy(float).clip(0.0)) - m, 0.0) / z
    mean = np.expm1(m + s ** 2 / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["v_band"] = np.exp(2 * m + s ** 2) * np.expm1(s ** 2) / mean ** 2
    rule = table["window_band"].astype(str) if "window_band" in table else pd.Series("given", index=table.index)
    table["rule"] = rule
    usable = np.isfinite(table["v_band"]) & (mean > 0) & ~rule.isin(["none", "zero"])
    start, end = pd.Timestamp(window_start).normalize(), pd.Timestamp(window_end).normalize()
    inside = daily[(daily["ds"] >= start) & (daily["ds"] <= end)]
    days = inside.assign(var=inside["sigma"] ** 2).groupby(group, as_index=False)[["yhat", "var"]].sum()
    out = daily[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    joined = out.merge(days, on=group, how="left").merge(table.loc[usable, [*group, "v_band", "rule"]],
                                                        on=group, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        independent = joined["var"] / joined["yhat"] ** 2
    has = joined["v_band"].notna() & (joined["yhat"] > 0)
    out["level_var"] = np.where(has, np.maximum(joined["v_band"] - independent, 0.0), 0.0)
    out["window_rule"] = np.where(has, [BAND_RULE.format(r) for r in joined["rule"].fillna("")], INDEPENDENT)
    return out


def pool_forecast(forecast: pd.DataFrame, assignment: pd.DataFrame, *, area: str,
                  keys: list[str]) -> pd.DataFrame:
    """A forecast per area (e.g. ``sku, region``) pooled at the warehouses serving the areas.

    Each warehouse gets ``share x`` the area's forecast; means and medians add, and each other
    quantile's distance from the mean adds in quadrature (areas' demands independent, bands read as
    normal), so ``q = yhat -/+ sqrt(sum (share (yhat - q))^2)`` below / above the median.

    Args:
        forecast: ``[area, keys..., ds, yhat, yhat_qNN...]``.
        assignment: ``[area, warehouse, share]`` (shares of an area add up to 1).
        area: the area column.
        keys: the other key columns kept (e.g. ``["sku"]``).

    Returns:
        ``[keys..., warehouse, ds, yhat, yhat_qNN...]`` sorted by keys, warehouse and date.

    Raises:
        DataValidationError: an area of the forecast with no warehouse.
    """
    quantiles = [c for c in forecast.columns if _QUANTILE.match(c)]
    unserved = sorted(set(forecast[area].astype(str)) - set(assignment[area].astype(str)))
    if unserved:
        raise DataValidationError(f"assignment: no warehouse serves {area} {unserved[:5]}; every "
                                  f"{area} of the forecast needs one")
    right = assignment[[area, "warehouse", "share"]].astype({area: str})
    joined = forecast.astype({area: str}).merge(right, on=area)
    parts = {"yhat": joined["share"] * joined["yhat"]}
    for col in quantiles:
        if col == "yhat_q50":  # medians are pooled like means
            parts[col] = joined["share"] * joined[col]
        else:
            parts[col] = (joined["share"] * (joined[col] - joined["yhat"])) ** 2
    frame = pd.concat([joined[[*keys, "warehouse", "ds"]], pd.DataFrame(parts)], axis=1)
    pooled = frame.groupby([*keys, "warehouse", "ds"], as_index=False)[["yhat", *quantiles]].sum()
    for col in quantiles:
        level = int(_QUANTILE.match(col).group(1))
        if level != 50:
            pooled[col] = pooled["yhat"] + np.sign(level - 50) * np.sqrt(pooled[col])
    return pooled.sort_values([*keys, "warehouse", "ds"]).reset_index(drop=True)


def cover_days(path: pd.DataFrame, on_hand: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Days of cover read on the demand ahead, not on a current rate: the days until each key's
    cumulative demand reaches its stock (fractional; past the path at the path's mean rate; inf
    with no demand; 0 with nothing on hand).

    Args:
        path: ``[keys..., day, demand]``, day 0, 1, ... per key, units/day.
        on_hand: ``[keys..., on_hand]``, one row per key, units.
        keys: key columns (as text in both).

    Returns:
        Days, aligned with ``on_hand``'s rows.
    """
    joined = path.merge(on_hand[[*keys, "on_hand"]], on=keys)
    joined["cum"] = joined.groupby(keys)["demand"].cumsum()
    hit = joined[(joined["cum"] >= joined["on_hand"]) & (joined["on_hand"] > 0)]
    first = hit.groupby(keys).head(1)
    into = (first["on_hand"] - (first["cum"] - first["demand"])) / first["demand"]
    first = first.assign(cover=first["day"] + into.fillna(0.0))[[*keys, "cover"]]
    ends = joined.groupby(keys, as_index=False).agg(days=("day", "size"), total=("demand", "sum"))
    table = on_hand[keys].merge(first, on=keys, how="left").merge(ends, on=keys, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        past = table["days"] + (on_hand["on_hand"].to_numpy() - table["total"]) / (table["total"] / table["days"])
    past = past.where(table["total"] > 0, np.inf)
    cover = table["cover"].fillna(past)
    return cover.where(on_hand["on_hand"].to_numpy() > 0, 0.0).set_axis(on_hand.index)
