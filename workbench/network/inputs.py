"""A team's own network inputs: demand, candidate and existing sites, lanes.

Every table is read through :func:`workbench.data.io.read_table` (CSV in UTF-8 / GBK /
GB18030, Excel, Parquet); every error names the file, the line and the column.

* Demand, either
  - a forecast (the forecaster's output: ``ds``, ``yhat`` and a ``province`` or ``region`` column
    (or the user's own name of it, kept by the forecaster: ``省份``, ``省``, ``大区``; ``place_columns``),
    any other keys such as ``sku`` are summed over) for a stated period: ``period=(start, end)``
    or an event window ``event=..., year=...`` from the retail calendar, default the whole
    forecast. A weekly or monthly forecast (``ds`` a week's or month's first day) counts the
    share of each period's units that falls inside the window, by days. Province units are split over the province's cities, region units over the
    region's cities, by population share (embedded city table);
  - or a city table ``city, demand`` (units for the period), optional ``hot_share`` (0..1),
    ``lat, lon`` (needed for a city not in the embedded table) and ``province``; the period is
    ``days`` long (default 365).
* Sites: ``city, role (central|front), fixed_cost (CNY per year), capacity_units_per_day
  (empty = unlimited), existing (yes/no: must stay open)``, optional ``lat, lon`` for a city not
  in the table. Fixed costs are charged for the period's share of a year (days / 365) and
  capacities for its days, so every cost and unit in the model is "per period".
* Lanes (optional): ``origin, destination, hours[, cost_per_unit]`` (cities): order-to-door hours
  and CNY per unit from a warehouse in ``origin`` to the city ``destination``, replacing the
  distance-based estimate for those pairs.

City names: see :mod:`workbench.network.places` (Chinese or English, variants, case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.headers import aliases_of
from workbench.data.io import read_table
from workbench.data.provinces import REGIONS, province_of, region_of
from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError, ParameterError
from workbench.network.params import shown
from workbench.network.places import CityNames, city_demand, load_cities
from workbench.network.tables import parse_flags

ROLES = ("central", "front")
YEAR_DAYS = 365.0


@dataclass(frozen=True)
class Period:
    """The planning period the demand covers: ``start``/``end`` dates (or None for a city
    table), ``days`` (its length) and ``label`` for people."""

    days: float
    label: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    @property
    def year_share(self) -> float:
        return self.days / YEAR_DAYS


def _where(frame: pd.DataFrame, mask) -> str:
    return f"{frame.attrs.get('source', 'table')}: {describe_rows(frame, mask)}"


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{frame.attrs.get('source', what)}: missing column(s) {', '.join(missing)}; a {what} "
            f"needs {', '.join(columns)} (found {', '.join(map(str, frame.columns))})")


def _numbers(frame: pd.DataFrame, column: str, *, allow_empty=False, upper=None) -> np.ndarray:
    """A column of finite numbers >= 0 (<= ``upper``); empty cells are NaN when allowed."""
    values = pd.to_numeric(frame[column], errors="coerce")
    empty = frame[column].isna() | frame[column].astype(str).str.strip().eq("")
    bad = (values.isna() & ~(allow_empty & empty)) | (values < 0) | np.isinf(values.fillna(0))
    if upper is not None:
        bad |= values > upper
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        expect = f"a number between 0 and {upper:g}" if upper is not None else "a number >= 0"
        raise DataValidationError(f"{_where(frame, bad.to_numpy())}, column {column!r} = "
                                  f"{shown(frame[column].iloc[row])}: expected {expect}"
                                  + (" (empty = unlimited)" if allow_empty else ""))
    return values.where(~empty).to_numpy(float) if allow_empty else values.to_numpy(float)


def _places(frame: pd.DataFrame, names: CityNames, column: str = "city") -> pd.DataFrame:
    """``city, city_zh, province, region, lat, lon`` for each row: the embedded table's, or the
    row's own ``lat``/``lon`` (and ``province``) for a city the table does not know."""
    written = frame[column]
    found = written.map(names.find)
    has_coords = {"lat", "lon"} <= set(frame.columns)
    lat = pd.to_numeric(frame["lat"], errors="coerce") if has_coords else pd.Series(np.nan, frame.index)
    lon = pd.to_numeric(frame["lon"], errors="coerce") if has_coords else pd.Series(np.nan, frame.index)
    unknown = found.isna() & (lat.isna() | lon.isna())
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        value = written.iloc[row]
        close = names.closest(str(value))
        raise DataValidationError(
            f"{_where(frame, unknown.to_numpy())}, column {column!r}: unknown city "
            f"{shown(value)}" + (f"; closest known: {'; '.join(close)}" if close else "")
            + "; or give its lat and lon columns to add it")
    table = names.cities.set_index("city")
    rows = []
    for k, (city, raw) in enumerate(zip(found, written, strict=True)):
        if isinstance(city, str):
            r = table.loc[city]
            rows.append((city, r["city_zh"], r["province"], r["region"], float(r["lat"]),
                         float(r["lon"])))
            continue
        if not (-90 <= lat.iloc[k] <= 90 and -180 <= lon.iloc[k] <= 180):
            raise DataValidationError(f"{_where(frame, np.arange(len(frame)) == k)}: lat/lon of "
                                      f"{raw} outside the globe (lat -90..90, lon -180..180)")
        prov = province_of(frame["province"].iloc[k]) if "province" in frame.columns else None
        rows.append((str(raw).strip(), str(raw).strip(), prov.name if prov else None,
                     prov.region if prov else None, float(lat.iloc[k]), float(lon.iloc[k])))
    return pd.DataFrame(rows, columns=["city", "city_zh", "province", "region", "lat", "lon"],
                        index=frame.index)


def _no_repeats(frame: pd.DataFrame, keys: pd.DataFrame, what: str) -> None:
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        first = keys[dup].iloc[0]
        same = (keys == first).all(axis=1).to_numpy()
        raise DataValidationError(f"{_where(frame, same)}: {what} "
                                  f"{' / '.join(map(str, first))} is listed more than once; "
                                  "keep one row")


# ---------------------------------------------------------------- demand


def read_demand(path: str | Path, *, period: tuple | None = None, event: str | None = None,
                year: int | None = None, days: float | None = None, hot_share: float = 0.35,
                encoding: str | None = None, sheet=None, events: str | Path | None = None
                ) -> tuple[pd.DataFrame, Period]:
    """Read a forecast or a city table (see module docstring) into the network's demand table
    ``city, city_zh, province, region, lat, lon, population, demand, hot_share`` and its
    :class:`Period`. ``period`` is ``(start, end)`` dates (inclusive); ``event``/``year`` take
    the window from the retail calendar, with the planner's ``events`` YAML over it (their own
    events, 中秋 with anchor ``lunar:08-15``, and changed windows: ``planning.planning_calendar``,
    as the event report and the planning cycle read it); ``days`` states a city table's period.

    Raises :class:`DataValidationError` naming file, line and column (unknown city with the
    closest names, a repeated city, negative demand, a province with units but no city),
    :class:`ParameterError` for contradictory period options or an event neither shipped nor in
    ``events``, and :class:`ConfigError` for the events file's faults (file and line).
    """
    frame = read_table(path, encoding=encoding, sheet=sheet, text_columns=("city",),
                       fields=("city", "demand", "hot_share", "lat", "lon"))  # a forecast's 省份 keeps its name
    if "city" in frame.columns:
        if period is not None or event is not None:
            raise ParameterError(f"{path}: a city table states its period with days, not with "
                                 "a date range or an event")
        return _city_table(frame, days=YEAR_DAYS if days is None else days, hot_share=hot_share)
    if days is not None:
        raise ParameterError(f"{path}: a forecast's period comes from its dates (period or "
                             "event), not from days")
    return _forecast_table(frame, period=period, event=event, year=year, hot_share=hot_share, events=events)


def _city_table(frame: pd.DataFrame, *, days: float, hot_share: float):
    if not (isinstance(days, (int, float)) and 0 < days <= 3660):
        raise ParameterError(f"days={shown(days)} must be the period's length in days (1..3660)")
    _require(frame, ["city", "demand"], "city demand table")
    units = _numbers(frame, "demand")
    hot = _numbers(frame, "hot_share", upper=1.0) if "hot_share" in frame.columns else \
        np.full(len(frame), hot_share)
    places = _places(frame, CityNames())
    _no_repeats(frame, places[["city"]], "city")
    population = places["city"].map(load_cities().set_index("city")["population"])
    out = places.assign(population=population.to_numpy(), demand=units, hot_share=hot)
    label = "one year" if days == YEAR_DAYS else f"{days:g} days"
    return out.reset_index(drop=True), Period(float(days), label)


def place_columns() -> dict[str, tuple[str, ...]]:
    """A forecast's place columns, as the forecaster keeps a user's own names (trial 11: 省份): the
    province and region headers of the one alias mapping (``workbench.data.headers``)."""
    return {level: aliases_of(level) for level in ("province", "region")}


def _forecast_table(frame: pd.DataFrame, *, period, event, year, hot_share: float, events=None):
    names_of = place_columns()
    found_columns = {level: next((c for c in names if c in frame.columns), None) for level, names in names_of.items()}
    level = "province" if found_columns["province"] else "region" if found_columns["region"] else None
    if level is None:
        raise DataValidationError(
            f"{frame.attrs.get('source', 'demand')}: neither a city table (city, demand) nor a "
            f"forecast with a province column ({', '.join(names_of['province'])}) or a region column "
            f"({', '.join(names_of['region'])}); found {', '.join(map(str, frame.columns))}")
    value = "yhat" if "yhat" in frame.columns else "y" if "y" in frame.columns else None
    if value is None or "ds" not in frame.columns:
        raise DataValidationError(f"{frame.attrs.get('source', 'demand')}: a forecast needs ds and "
                                  f"yhat columns beside {level}")
    from workbench.data.validate import dates_frequency, parse_dates, period_end, window_share

    ds = parse_dates(frame, "ds", source=frame.attrs.get("source"))
    units = _numbers(frame, value)
    # a weekly or monthly forecast's row covers its whole period: the part inside the window counts
    freq = dates_frequency(ds)
    ends = period_end(ds, freq)
    start, end, label = _period_bounds(ds, ends, period=period, event=event, year=year, events=events,
                                       source=frame.attrs.get("source", "demand"))
    inside_share = window_share(ds, freq, start, end)
    inside = np.asarray(inside_share > 0)
    units = units * inside_share
    source = frame.attrs.get("source", "demand")
    province_col, region_col = found_columns["province"], found_columns["region"]
    no_province = np.ones(len(frame), bool)
    province = pd.Series(None, index=frame.index, dtype=object)
    if province_col:
        cells = frame[province_col]
        # an empty province beside a region: the row's units are placed over the region's cities
        no_province = (cells.isna() | cells.astype(str).str.strip().eq("")).to_numpy() & (region_col is not None)
        province = cells.map(lambda v: (p := province_of(v)) and p.name)
        unknown = province.isna().to_numpy() & ~no_province
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise DataValidationError(
                f"{_where(frame, unknown)}, column {province_col!r}: {shown(cells.iloc[row])} is not a known province"
                + (f"; leave it empty to place the row's units over the cities of its {region_col!r}" if region_col else ""))
    region = frame[region_col].map(region_of) if region_col else pd.Series(None, index=frame.index, dtype=object)
    unknown = region.isna().to_numpy() & no_province
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise DataValidationError(f"{_where(frame, unknown)}, column {region_col!r}: {shown(frame[region_col].iloc[row])} "
                                  f"is not a known region (one of {', '.join(REGIONS)}, or 华北, 东北, 华东, 华中, 华南, "
                                  "西南, 西北)")
    by_province, by_region = inside & ~no_province, inside & no_province
    out = city_demand(pd.Series(units[by_region]).groupby(region.to_numpy()[by_region]).sum() if by_region.any() else None,
                      province_units=pd.Series(units[by_province]).groupby(province.to_numpy()[by_province]).sum()
                      if by_province.any() else None, hot_share=hot_share, source=source)
    if province_col and by_region.any():
        out.attrs["notes"].append(f"{source}: {units[by_region].sum():,.0f} units of rows with an empty "
                                  f"{province_col!r} are placed over the cities of their {region_col!r}")
    days = float((end - start).days + 1)
    return out, Period(days, label, start, end)


def _period_bounds(ds: pd.Series, ends: pd.Series, *, period, event, year, source: str, events=None):
    first, last = ds.min(), ends.max()
    if period is not None and event is not None:
        raise ParameterError("give either a period (start, end) or an event, not both")
    if event is not None:
        if year is None:
            raise ParameterError(f"event={event!r} needs the year of its window")
        window = event_calendar(event, events).window(event, int(year))
        start, end, label = window.start, window.end, f"{window.label} {year} window"
    elif period is not None:
        try:
            start, end = (pd.Timestamp(p) for p in period)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"period={period!r} must be two dates (start, end): {exc}") from exc
        if end < start:
            raise ParameterError(f"period ends ({end.date()}) before it starts ({start.date()})")
        label = f"{start.date()} to {end.date()}"
    else:
        start, end, label = first, last, f"the forecast's dates, {first.date()} to {last.date()}"
    if start < first or end > last:
        raise DataValidationError(f"{source}: the forecast covers {first.date()} to {last.date()}, "
                                  f"the period asks {start.date()} to {end.date()}; forecast a "
                                  "longer horizon or state a period inside it")
    return start, end, label


def event_calendar(event: str, events: str | Path | None):
    """The calendar an ``event``'s window is read from: the shipped one with the planner's
    ``events`` YAML over it (``planning.planning_calendar``), once ``event`` is checked to be one
    of its events (any: a network is planned for 国庆 / national_day as for 618, as
    ``workbench forecast --through-event`` takes it). The network's one validating call.

    Raises:
        ParameterError: an event the calendar does not have (naming its events), or an events file
            that does not exist.
        ConfigError: the events file's faults (file and line).
    """
    import warnings

    from workbench.calendar.events import NewEventWarning
    from workbench.forecast.planning import planning_calendar

    with warnings.catch_warnings():  # the run announces the file's new events once
        warnings.simplefilter("ignore", NewEventWarning)
        calendar = planning_calendar(events)
    if event not in calendar.events:
        where = f"the events of the shipped calendar and of {events}" if events is not None else \
            "the shipped calendar's events (or give an events file that adds yours)"
        raise ParameterError(f"event: {event!r} is not one of {where}: {', '.join(calendar.events)}")
    return calendar


def check_network_files(values: dict) -> None:
    """A notebook's check of its network files before any kernel starts (declared in its
    metadata ``workbench_input_checks``, run on the given parameter values by
    ``workbench.reports.runner.check_inputs``): the sites and lanes files (``sites``/``lanes``
    in the planning cycle, ``sites_file``/``lanes_file`` in the network notebook, read with its
    ``encoding``) and the network notebook's ``demand_file`` (with its ``period``, ``event``,
    ``events``, ``year`` and ``days``) are read and checked as the run reads them: cities, roles, numbers,
    repeats. Files left at their default are the notebook's own to check.

    Raises:
        DataValidationError: a bad file, naming the file, line and column.
        ParameterError: period options that contradict the demand file, an unknown event.
        ConfigError: the events file's faults (file and line).
    """
    encoding = values.get("encoding")
    demand = values.get("demand_file")
    if demand is not None:
        period = values.get("period")
        read_demand(demand, period=tuple(period) if period is not None else None, event=values.get("event"),
                    year=values.get("year"), days=values.get("days"), encoding=encoding,
                    events=values.get("events"))
    sites = values.get("sites", values.get("sites_file"))
    if sites is not None:
        read_sites(sites, Period(YEAR_DAYS, "one year"), encoding=encoding)
    lanes = values.get("lanes", values.get("lanes_file"))
    if lanes is not None:
        read_lanes(lanes, encoding=encoding)


# ---------------------------------------------------------------- sites and lanes


def read_sites(path: str | Path, period: Period, *, encoding: str | None = None,
               sheet=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sites table as the model's ``centrals`` and ``fronts`` frames (``site, lat, lon,
    fixed_cost`` for the period, ``capacity`` units for the period, ``must_open``, plus
    ``city_zh``); see the module docstring. Raises :class:`DataValidationError` naming file,
    line and column (unknown city, bad role, a site listed twice, negative cost or capacity)."""
    frame = read_table(path, encoding=encoding, sheet=sheet, text_columns=("city", "role", "existing"),
                       fields=("city", "role", "fixed_cost", "capacity_units_per_day", "existing", "lat", "lon"))
    _require(frame, ["city", "role", "fixed_cost", "capacity_units_per_day", "existing"], "sites table")
    role = frame["role"].astype(str).str.strip().str.lower()
    bad = ~role.isin(ROLES).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataValidationError(f"{_where(frame, bad)}, column 'role' = "
                                  f"{shown(frame['role'].iloc[row])}: expected central or front")
    fixed = _numbers(frame, "fixed_cost")
    capacity = _numbers(frame, "capacity_units_per_day", allow_empty=True)
    existing = parse_flags(frame, frame.attrs.get("source", "sites"), "existing")
    places = _places(frame, CityNames())
    _no_repeats(frame, pd.DataFrame({"city": places["city"], "role": role}), "site (city / role)")
    table = pd.DataFrame({
        "site": places["city"].to_numpy(), "city_zh": places["city_zh"].to_numpy(),
        "lat": places["lat"].to_numpy(), "lon": places["lon"].to_numpy(),
        "fixed_cost": fixed * period.year_share,
        "capacity": np.where(np.isnan(capacity), np.nan, capacity * period.days),
        "must_open": existing, "role": role.to_numpy()})
    centrals = table[table["role"] == "central"].drop(columns="role").reset_index(drop=True)
    fronts = table[table["role"] == "front"].drop(columns="role").reset_index(drop=True)
    return centrals, fronts


def read_lanes(path: str | Path, *, encoding: str | None = None, sheet=None) -> pd.DataFrame:
    """The lane table with canonical city names: ``origin, destination, hours`` and
    ``cost_per_unit`` (NaN where not given). Raises :class:`DataValidationError` naming file,
    line and column (unknown city, negative hours or cost, a lane listed twice)."""
    frame = read_table(path, encoding=encoding, sheet=sheet, text_columns=("origin", "destination"),
                       fields=("origin", "destination", "hours", "cost_per_unit"))
    _require(frame, ["origin", "destination", "hours"], "lane table")
    names = CityNames()
    resolved = {}
    for column in ("origin", "destination"):
        resolved[column] = _places(frame.drop(columns=["lat", "lon"], errors="ignore"), names,
                                   column)["city"].to_numpy()
    hours = _numbers(frame, "hours")
    cost = _numbers(frame, "cost_per_unit", allow_empty=True) if "cost_per_unit" in frame.columns \
        else np.full(len(frame), np.nan)
    out = pd.DataFrame({"origin": resolved["origin"], "destination": resolved["destination"],
                        "hours": hours, "cost_per_unit": cost})
    _no_repeats(frame, out[["origin", "destination"]], "lane")
    out.attrs.update(frame.attrs)
    return out
