"""The team's stock and lead-time tables: reading (through ``workbench.data.io.read_table``) and
checks whose errors name the file, the line and the column; and the seeded demo snapshot used
only with the sample data.

Stock snapshot, one row per ``(sku, warehouse)``::

    sku, warehouse, on_hand, on_order[, unit_cost][, supplier]

``on_hand`` and ``on_order`` are units (>= 0; ``on_order`` = ordered, not yet received),
``unit_cost`` currency per unit (>= 0), ``supplier`` the supplier a lead-time table may key on.

Lead times, one row per ``(sku, warehouse)`` or per ``(supplier, warehouse)``::

    sku | supplier, warehouse, lead_time_days[, lead_time_std_days]

``lead_time_days`` > 0 and ``lead_time_std_days`` >= 0 (days, default 0). A warehouse written
``*`` applies to every warehouse without its own row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.validate import describe_rows
from workbench.errors import DataValidationError

STOCK_COLUMNS = ("sku", "warehouse", "on_hand", "on_order")
STOCK_OPTIONAL = ("unit_cost", "supplier")
LEAD_TIME_COLUMNS = ("warehouse", "lead_time_days")
ANY_WAREHOUSE = "*"
# keys kept as written (SKU codes with leading zeros), in the header spellings we accept
_TEXT_COLUMNS = [f(name) for name in ("sku", "warehouse", "supplier")
                 for f in (str.lower, str.upper, str.title)]
DEMO_STOCK_LABEL = ("DEMO stock snapshot: seeded, made up for the sample data (which has no "
                    "inventory); not a real stock position")


def read_stock(path: str | Path, *, warehouses=None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and check a stock snapshot file (CSV, xlsx, Parquet; see the module doc).

    Args:
        path: the file.
        warehouses: the network's warehouse names (centrals by city, fronts ``"<city> front"``);
            the file's names are resolved to them through the city-name resolver (``上海``,
            ``上海前置仓``, ``Urumqi``: :class:`workbench.network.places.WarehouseNames`);
            ``None`` keeps the names as written.
        sheet: the xlsx sheet (name or 0-based index), default the first.

    Returns:
        The checked frame (see :func:`check_stock`).

    Raises:
        DataValidationError: unreadable file or any check of :func:`check_stock`.
    """
    return check_stock(_read(path, sheet), warehouses=warehouses)


def read_lead_times(path: str | Path, *, warehouses=None,
                    sheet: str | int | None = None) -> pd.DataFrame:
    """Read and check a lead-time file (see :func:`check_lead_times`).

    Raises:
        DataValidationError: unreadable file or any check of :func:`check_lead_times`.
    """
    return check_lead_times(_read(path, sheet), warehouses=warehouses)


def _read(path: str | Path, sheet) -> pd.DataFrame:
    from workbench.data.io import read_table

    # 商品ID / 仓库 / 现有库存... are read as sku / warehouse / on_hand (the one alias mapping: data.headers)
    frame = read_table(path, sheet=sheet, text_columns=_TEXT_COLUMNS,
                       fields=(*STOCK_COLUMNS, *STOCK_OPTIONAL, *LEAD_TIME_COLUMNS))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _where(frame: pd.DataFrame, mask, column: str) -> str:
    return f"{frame.attrs.get('source', '<table>')}: column {column!r} at {describe_rows(frame, mask)}"


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    text = values.astype(str).str.strip()
    empty = values.isna().to_numpy() | (text == "").to_numpy()
    if empty.any():
        raise DataValidationError(f"{_where(frame, empty, column)} is empty; fill it in or remove "
                                  "the row")
    return text


def _number_column(frame: pd.DataFrame, column: str, *, positive: bool = False,
                   default: float | None = None) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=float)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        raise DataValidationError(f"{_where(frame, bad, column)} is not a number "
                                  f"(e.g. {raw[bad].iloc[0]!r})")
    if default is None and values.isna().any():
        raise DataValidationError(f"{_where(frame, values.isna(), column)} is empty; write a number")
    values = values.fillna(default) if default is not None else values
    infinite = ~np.isfinite(values.to_numpy(dtype=float))
    if infinite.any():
        raise DataValidationError(f"{_where(frame, infinite, column)} is not finite")
    low = values <= 0 if positive else values < 0
    if low.any():
        raise DataValidationError(
            f"{_where(frame, low, column)} is {values[low].iloc[0]:g}; it must be "
            f"{'> 0' if positive else '>= 0'}")
    return values.astype(float)


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{frame.attrs.get('source', '<table>')}: missing column(s) "
                                  f"{missing} of the {what}; it has {list(frame.columns)}")
    if len(frame) == 0:
        raise DataValidationError(f"{frame.attrs.get('source', '<table>')}: the {what} has no rows")


def _known_warehouses(frame: pd.DataFrame, names: pd.Series, warehouses, *,
                      allow_any: bool = False) -> pd.Series:
    """``names`` as the network names them (:class:`workbench.network.places.WarehouseNames`:
    ``上海`` -> ``Shanghai``, ``上海前置仓`` -> ``Shanghai front``); unchanged without ``warehouses``.

    Raises:
        DataValidationError: a name that is no warehouse of the network, with the closest ones.
    """
    if warehouses is None:
        return names
    from workbench.network.places import WarehouseNames

    index = WarehouseNames(warehouses)
    resolved = names.map(lambda name: name if allow_any and name == ANY_WAREHOUSE
                         else index.find(name))
    unknown = resolved.isna().to_numpy()
    if unknown.any():
        name = names[unknown].iloc[0]
        close = index.closest(name)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise DataValidationError(
            f"{_where(frame, unknown, 'warehouse')} names warehouse {name!r}, which is not in the "
            f"network ({', '.join(map(index.label, index.warehouses))}){hint}; write a warehouse "
            "by its city in Chinese or English, a front warehouse as '<city> front' or "
            "'<city>前置仓'")
    return resolved


def _unique(frame: pd.DataFrame, out: pd.DataFrame, keys: list[str], what: str) -> None:
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        first = tuple(out.loc[dup, keys].iloc[0])
        raise DataValidationError(
            f"{frame.attrs.get('source', '<table>')}: ({', '.join(keys)}) {first} repeated at "
            f"{describe_rows(frame, dup.to_numpy())}; give one {what} row per key (add the rows up "
            "first)")


def check_stock(frame: pd.DataFrame, *, warehouses=None) -> pd.DataFrame:
    """The checked stock snapshot ``[sku, warehouse, on_hand, on_order[, unit_cost][, supplier]]``
    (keys as text, numbers as float), in the file's row order.

    Raises:
        DataValidationError: a missing column, an empty key, a non-numeric, non-finite or
            negative quantity or cost, a warehouse that names none of ``warehouses`` (names
            resolved as in :func:`read_stock`, the closest ones given),
            a repeated ``(sku, warehouse)``; each names the file, line and column.
    """
    _require(frame, STOCK_COLUMNS, "stock snapshot (sku, warehouse, on_hand, on_order)")
    out = pd.DataFrame({"sku": _text_column(frame, "sku"),
                        "warehouse": _text_column(frame, "warehouse")})
    out["warehouse"] = _known_warehouses(frame, out["warehouse"], warehouses)
    out["on_hand"] = _number_column(frame, "on_hand")
    out["on_order"] = _number_column(frame, "on_order", default=0.0)
    if "unit_cost" in frame.columns:
        out["unit_cost"] = _number_column(frame, "unit_cost")
    if "supplier" in frame.columns:
        out["supplier"] = _text_column(frame, "supplier")
    _unique(frame, out, ["sku", "warehouse"], "stock")
    out.attrs = dict(frame.attrs)
    return out.reset_index(drop=True)


def check_lead_times(frame: pd.DataFrame, *, warehouses=None) -> pd.DataFrame:
    """The checked lead times ``[sku | supplier, warehouse, lead_time_days, lead_time_std_days]``.

    Raises:
        DataValidationError: neither (or both) of ``sku`` and ``supplier``, an empty key, a lead
            time <= 0 or not a number, a negative standard deviation, an unknown warehouse, a
            repeated key; each names the file, line and column.
    """
    source = frame.attrs.get("source", "<table>")
    has = [c for c in ("sku", "supplier") if c in frame.columns]
    if len(has) != 1:
        raise DataValidationError(
            f"{source}: a lead-time table is keyed by exactly one of 'sku' or 'supplier' "
            f"(it has {has or 'neither'}); columns: {list(frame.columns)}")
    key = has[0]
    _require(frame, [key, *LEAD_TIME_COLUMNS], "lead-time table")
    out = pd.DataFrame({key: _text_column(frame, key),
                        "warehouse": _text_column(frame, "warehouse")})
    out["warehouse"] = _known_warehouses(frame, out["warehouse"], warehouses, allow_any=True)
    out["lead_time_days"] = _number_column(frame, "lead_time_days", positive=True)
    out["lead_time_std_days"] = _number_column(frame, "lead_time_std_days", default=0.0)
    _unique(frame, out, [key, "warehouse"], "lead-time")
    out.attrs = dict(frame.attrs)
    out.attrs["key"] = key
    return out.reset_index(drop=True)


def lead_times_for(stock: pd.DataFrame, lead_times: pd.DataFrame, *,
                   missing: str = "raise") -> pd.DataFrame:
    """Lead time per stock row ``[sku, warehouse, lead_time_days, lead_time_std_days]``: matched
    on ``(sku, warehouse)`` or ``(supplier, warehouse)``, a ``*`` warehouse row as the fallback.

    Args:
        stock: rows ``[sku, warehouse[, supplier]]`` (a stock snapshot, or rows to add to it; an
            empty ``supplier`` matches nothing).
        lead_times: the checked lead-time table (:func:`check_lead_times`).
        missing: ``"raise"`` for a row without a lead time, or ``"keep"`` to leave it NaN (the
            caller says what it does with it).

    Raises:
        DataValidationError: lead times by supplier with a stock snapshot without ``supplier``,
            or (``missing="raise"``) stock rows with no lead time (named).
    """
    key = lead_times.attrs.get("key") or ("sku" if "sku" in lead_times.columns else "supplier")
    if key not in stock.columns:
        raise DataValidationError(
            f"{lead_times.attrs.get('source', 'lead times')}: lead times are given per {key}, but "
            f"the stock snapshot {stock.attrs.get('source', '')} has no {key!r} column to match them")
    cols = [key, "warehouse", "lead_time_days", "lead_time_std_days"]
    rows = stock[["sku", "warehouse", *([key] if key != "sku" else [])]]
    exact = rows.merge(lead_times[cols], on=[key, "warehouse"], how="left")
    fallback = rows.merge(lead_times.loc[lead_times["warehouse"] == ANY_WAREHOUSE, cols]
                          .drop(columns="warehouse"), on=key, how="left")
    for col in ("lead_time_days", "lead_time_std_days"):
        exact[col] = exact[col].fillna(fallback[col])
    absent = exact["lead_time_days"].isna()
    if absent.any() and missing == "raise":
        pairs = [tuple(r) for r in exact.loc[absent, [key, "warehouse"]].head(5).itertuples(index=False)]
        raise DataValidationError(
            f"{lead_times.attrs.get('source', 'lead times')}: no lead time for ({key}, warehouse) "
            f"{', '.join(map(str, pairs))}{' and more' if absent.sum() > 5 else ''} of the stock "
            f"snapshot; add rows (or a '{ANY_WAREHOUSE}' warehouse row)")
    return exact[["sku", "warehouse", "lead_time_days", "lead_time_std_days"]]


def from_other_rows(stock: pd.DataFrame, rows: pd.DataFrame,
                    columns=STOCK_OPTIONAL) -> pd.DataFrame:
    """``rows`` (``sku, warehouse`` pairs the snapshot lacks) with each of ``columns`` the snapshot
    has (``supplier``, ``unit_cost``) taken from the SKU's other rows when they all agree on one
    value; NaN when the SKU has no row or rows that disagree (nothing is guessed).

    Returns:
        ``rows`` plus those columns, in the order of ``rows``.
    """
    out = rows.reset_index(drop=True).copy()
    for column in [c for c in columns if c in stock.columns]:
        values = stock.groupby("sku")[column].agg(lambda v: v.iloc[0] if v.nunique() == 1
                                                  and v.notna().all() else np.nan)
        out[column] = out["sku"].map(values)
    return out


def demo_stock(keys: pd.DataFrame, mean_daily, *, seed: int = 618) -> pd.DataFrame:
    """A seeded DEMO stock snapshot for the sample data only (it has no inventory): on hand = mean
    daily units x a days-of-cover draw (1-150 days, log-uniform), on order = 0 or one week of units
    (rounded). The frame's ``attrs["source"]`` is :data:`DEMO_STOCK_LABEL`; show it wherever the
    snapshot is used.

    Args:
        keys: key rows (e.g. ``sku, warehouse``).
        mean_daily: mean daily units per key row, same length and order as ``keys``.
        seed: random seed.
    """
    rng = np.random.default_rng(seed)
    mean = np.asarray(mean_daily, dtype=float)
    if len(mean) != len(keys):
        raise ValueError("mean_daily must have one value per key row")
    n = len(keys)
    cover = np.exp(rng.uniform(np.log(1.0), np.log(150.0), n))
    week = np.where(rng.uniform(size=n) < 0.3, 7.0, 0.0)
    out = keys.reset_index(drop=True).assign(on_hand=np.round(mean * cover),
                                             on_order=np.round(mean * week))
    out.attrs["source"] = DEMO_STOCK_LABEL
    out.attrs["demo"] = True
    return out
