"""The network model's input tables, checked and turned into arrays (:class:`NetworkData`).

Tables (pandas frames; errors name the file line when the frame came from
:func:`workbench.data.io.read_table`, else the 1-based row):

* ``demand``: ``city, lat, lon, demand`` (units per planning period), optional ``hot_share``
  (share of the city's units that are hot items a front warehouse may stock; default
  ``NetworkParams.hot_share``).
* ``centrals`` and ``fronts``: ``site, lat, lon, fixed_cost`` (CNY per period), optional
  ``capacity`` (units per period, empty = unlimited), ``must_open``, ``must_close`` (booleans).
* ``lanes`` (optional): ``origin, destination, hours`` and optional ``cost_per_unit``: for a
  warehouse site ``origin`` and a demand city ``destination``, the order-to-door hours (handling
  included) and the transport cost in CNY per unit that replace the distance-based estimate.
  Line-haul (central -> front) always uses the distance estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError, ParameterError
from workbench.network.geo import delivery_hours, distance_matrix_km, road_km
from workbench.network.places import city_label, city_labels
from workbench.network.params import NetworkParams, shown


@dataclass(frozen=True)
class NetworkData:
    """Validated arrays behind the tables: per city (j), central (c) and front (r), and the
    road km, order-to-door hours and transport CNY per unit of every pair."""

    cities: list[str]
    demand: np.ndarray  # units per period
    hot: np.ndarray  # share of each city's units that are hot items
    centrals: list[str]
    fronts: list[str]
    central_fixed: np.ndarray  # CNY per period
    front_fixed: np.ndarray
    central_capacity: np.ndarray  # units per period, inf = unlimited
    front_capacity: np.ndarray
    central_open: np.ndarray  # must stay open
    central_allowed: np.ndarray  # not must_close
    front_open: np.ndarray
    front_allowed: np.ndarray
    km_cj: np.ndarray  # road km central -> city
    km_rj: np.ndarray  # road km front -> city
    km_cr: np.ndarray  # road km central -> front
    hours_cj: np.ndarray  # order-to-door hours
    hours_rj: np.ndarray
    transport_cj: np.ndarray  # CNY per unit, delivery central -> city
    transport_rj: np.ndarray  # CNY per unit, delivery front -> city
    transport_cr: np.ndarray  # CNY per unit, line-haul central -> front


def _where(frame: pd.DataFrame, name: str, mask) -> str:
    return f"{frame.attrs.get('source', name)}: {describe_rows(frame, mask)}"


def _table(frame: pd.DataFrame, name: str, key: str, required: list[str]) -> None:
    missing = [c for c in [key, *required] if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{frame.attrs.get('source', name)}: missing column(s) "
                                  f"{', '.join(missing)}; expected {', '.join([key, *required])}")
    dup = frame[key].astype(str).str.strip().str.casefold().duplicated(keep="first").to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise DataValidationError(f"{_where(frame, name, dup)}, column {key!r}: "
                                  f"{frame[key].iloc[row]} is listed twice; keep one row per {key}")
    for col in required:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0.0))
        if col in ("demand", "fixed_cost"):
            bad |= values < 0
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(
                f"{_where(frame, name, bad.to_numpy())}, column {col!r} = "
                f"{shown(frame[col].iloc[row])}: expected a "
                + ("number >= 0" if col in ("demand", "fixed_cost") else "number"))
    lat, lon = frame["lat"].astype(float), frame["lon"].astype(float)
    bad = (~lat.between(-90, 90) | ~lon.between(-180, 180)).to_numpy()
    if bad.any():
        raise DataValidationError(f"{_where(frame, name, bad)}: lat/lon outside the globe "
                                  "(lat -90..90, lon -180..180)")


def _optional(frame, name, column, default, *, share=False, allow_empty=False) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, float)
    values = pd.to_numeric(frame[column], errors="coerce")
    empty = frame[column].isna()
    bad = (values.isna() & ~(allow_empty & empty)) | (values < 0) | np.isinf(values.fillna(0.0))
    if share:
        bad |= values > 1
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(f"{_where(frame, name, bad.to_numpy())}, column {column!r} = "
                                  f"{shown(frame[column].iloc[row])}: expected "
                                  + ("a share in [0, 1]" if share else "a number >= 0"
                                     + (" (empty = unlimited)" if allow_empty else "")))
    return values.to_numpy(float)


_TRUTH = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
          "y": True, "n": False, "": False, "nan": False, "1.0": True, "0.0": False}


def parse_flags(frame: pd.DataFrame, name: str, column: str) -> np.ndarray:
    """A yes/no column as booleans (true/false, yes/no, 1/0; empty = no); a missing column is
    all false. Raises :class:`DataValidationError` naming the line of any other value."""
    if column not in frame.columns:
        return np.zeros(len(frame), bool)
    values = frame[column]
    if values.dtype == bool:
        return values.to_numpy(bool)
    mapped = values.map(lambda v: _TRUTH.get(str(v).strip().lower()))
    if mapped.isna().any():
        bad = mapped.isna().to_numpy()
        row = int(np.flatnonzero(bad)[0])
        raise DataValidationError(f"{_where(frame, name, bad)}, column {column!r} = "
                                  f"{shown(values.iloc[row])}: expected yes/no (or true/false)")
    return mapped.to_numpy(bool)


def _road(origins: pd.DataFrame, targets: pd.DataFrame, params: NetworkParams) -> np.ndarray:
    gc = distance_matrix_km(origins["lat"], origins["lon"], targets["lat"], targets["lon"])
    return road_km(gc, params.road_factor)


def _check_fits(params: NetworkParams, tier: str, names: list[str], must_open: np.ndarray,
                allowed: np.ndarray, limit: int, exact: bool) -> None:
    """Parameters beyond the data are refused: an exact count above the candidates that may
    open, or more sites that must stay open than the limit allows."""
    field = "max_centrals" if tier == "central" else "max_fronts"
    n_allowed = int(allowed.sum())
    if exact and limit > n_allowed:
        raise ParameterError(
            f"exactly {field}={limit} {tier} warehouses asked, but only {n_allowed} {tier} "
            f"candidate(s) may open"
            f"{' (' + ', '.join(city_label(n) for n, a in zip(names, allowed, strict=True) if a) + ')' if 0 < n_allowed <= 12 else ''}; "
            f"choose {field} <= {n_allowed} or add candidates")
    if int(must_open.sum()) > limit:
        kept = [n for n, m in zip(names, must_open, strict=True) if m]
        raise ParameterError(
            f"{len(kept)} {tier} site(s) must stay open ({', '.join(city_labels(kept[:12]))}) but "
            f"{field}={limit}; raise {field} or mark fewer sites as existing")


def _apply_lanes(lanes: pd.DataFrame, cities: list[str], centrals: list[str], fronts: list[str],
                 hours_cj, hours_rj, transport_cj, transport_rj) -> None:
    """Write the lane table's hours and costs over the estimates (in place)."""
    missing = [c for c in ("origin", "destination", "hours") if c not in lanes.columns]
    if missing:
        raise DataValidationError(f"{lanes.attrs.get('source', 'lanes')}: missing column(s) "
                                  f"{', '.join(missing)}; expected origin, destination, hours"
                                  "[, cost_per_unit]")
    hours = _optional(lanes, "lanes", "hours", np.nan)
    cost = _optional(lanes, "lanes", "cost_per_unit", np.nan, allow_empty=True)
    origin = lanes["origin"].astype(str).str.strip().to_numpy()
    dest = lanes["destination"].astype(str).str.strip().to_numpy()
    dup = pd.Series(list(zip(origin, dest, strict=True))).duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise DataValidationError(f"{_where(lanes, 'lanes', dup)}: lane {origin[row]} -> {dest[row]} "
                                  "is listed twice; keep one row per lane")
    city_pos = {c: j for j, c in enumerate(cities)}
    cpos = {c: i for i, c in enumerate(centrals)}
    rpos = {r: i for i, r in enumerate(fronts)}
    unknown_origin = np.array([o not in cpos and o not in rpos for o in origin])
    unknown_dest = np.array([d not in city_pos for d in dest])
    for bad, col, what in ((unknown_origin, "origin", "a warehouse site of the sites table"),
                           (unknown_dest, "destination", "a city of the demand table")):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            value = origin[row] if col == "origin" else dest[row]
            raise DataValidationError(f"{_where(lanes, 'lanes', bad)}, column {col!r}: {value} is "
                                      f"not {what}")
    for k, (o, d) in enumerate(zip(origin, dest, strict=True)):
        j = city_pos[d]
        for pos, h_mat, t_mat in ((cpos, hours_cj, transport_cj), (rpos, hours_rj, transport_rj)):
            if o in pos:
                h_mat[pos[o], j] = hours[k]
                if np.isfinite(cost[k]):
                    t_mat[pos[o], j] = cost[k]


def prepare(demand: pd.DataFrame, centrals: pd.DataFrame, fronts: pd.DataFrame,
            params: NetworkParams, lanes: pd.DataFrame | None = None) -> NetworkData:
    """Check the tables and parameters against each other; compute road km, order-to-door hours
    and transport cost per unit for every pair (lanes override the estimates).

    Raises :class:`DataValidationError` for a bad table (file line and column named) and
    :class:`ParameterError` for parameters beyond the data (e.g. ``max_fronts`` above the number
    of front candidates, more must-open sites than the limit).
    """
    params.validate()
    _table(demand, "demand", "city", ["lat", "lon", "demand"])
    _table(centrals, "centrals", "site", ["lat", "lon", "fixed_cost"])
    _table(fronts, "fronts", "site", ["lat", "lon", "fixed_cost"])
    if centrals.empty:
        raise DataValidationError("centrals: no candidate central warehouse; add at least one "
                                  "site with role central")
    ends = {}
    for name, frame in (("centrals", centrals), ("fronts", fronts)):
        must_open, must_close = parse_flags(frame, name, "must_open"), parse_flags(frame, name, "must_close")
        both = must_open & must_close
        if both.any():
            row = int(np.flatnonzero(both)[0])
            raise DataValidationError(f"{_where(frame, name, both)} ({city_label(frame['site'].iloc[row])}) "
                                      "is both must_open and must_close")
        capacity = _optional(frame, name, "capacity", np.inf, allow_empty=True)
        ends[name] = (must_open, ~must_close, np.where(np.isnan(capacity), np.inf, capacity))
    names_c = centrals["site"].astype(str).tolist()
    names_r = fronts["site"].astype(str).tolist()
    _check_fits(params, "central", names_c, ends["centrals"][0], ends["centrals"][1],
                int(params.max_centrals), params.exact_centrals)
    _check_fits(params, "front", names_r, ends["fronts"][0], ends["fronts"][1],
                int(params.max_fronts), params.exact_fronts)
    km_cj = _road(centrals, demand, params)
    km_rj = _road(fronts, demand, params)
    km_cr = _road(centrals, fronts, params)
    timing = dict(line_haul_speed_kmh=params.line_haul_speed_kmh, last_mile_km=params.last_mile_km,
                  last_mile_speed_kmh=params.last_mile_speed_kmh)
    hours_cj = delivery_hours(km_cj, handling_hours=params.central_handling_hours, **timing)
    hours_rj = delivery_hours(km_rj, handling_hours=params.front_handling_hours, **timing)
    transport_cj = params.delivery_cost_per_unit_km * km_cj
    transport_rj = params.delivery_cost_per_unit_km * km_rj
    cities = demand["city"].astype(str).tolist()
    if lanes is not None and len(lanes):
        _apply_lanes(lanes, cities, names_c, names_r, hours_cj, hours_rj, transport_cj, transport_rj)
    return NetworkData(
        cities=cities,
        demand=pd.to_numeric(demand["demand"]).to_numpy(float),
        hot=_optional(demand, "demand", "hot_share", params.hot_share, share=True),
        centrals=names_c,
        fronts=names_r,
        central_fixed=pd.to_numeric(centrals["fixed_cost"]).to_numpy(float),
        front_fixed=pd.to_numeric(fronts["fixed_cost"]).to_numpy(float),
        central_capacity=ends["centrals"][2],
        front_capacity=ends["fronts"][2],
        central_open=ends["centrals"][0],
        central_allowed=ends["centrals"][1],
        front_open=ends["fronts"][0],
        front_allowed=ends["fronts"][1],
        km_cj=km_cj, km_rj=km_rj, km_cr=km_cr,
        hours_cj=hours_cj, hours_rj=hours_rj,
        transport_cj=transport_cj, transport_rj=transport_rj,
        transport_cr=params.linehaul_cost_per_unit_km * km_cr,
    )
