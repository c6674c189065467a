"""Header aliases: the one mapping of the names a column goes by in a user's files.

A Douyin or Kuaishou export names the product id ``商品ID``, a planner's own sheet ``商品编码`` or
``sku``; every reader of a user's table (sales, orders, unavailable days, successors, cities,
warehouses and lanes, stock and lead times, budget history and channels) accepts the same names
for the same field, from this module, so no reader can drift from another (trial 15 F11: an
unavailable-days file keyed by ``商品ID`` was refused though the order reader took it).

The order export's fields (``sku``, ``category``, ``province``, ``channel``...) keep their
header lists in ``order_mapping.yaml`` (the ``--mapping`` format, ``workbench.data.orders``);
``ALIASES`` adds the fields of the other inputs. A product's display name (``商品名称``) is the
field ``name``, not a code: the order reader falls back on it for ``sku`` when an export has no
code, the other readers never read it as one.

``read_table(..., fields=[...])`` (``workbench.data.io``) renames a header that is an alias of one
of the columns a reader knows to that column's name, before any check, so every message then
names the reader's column and the file's own header (``standard_headers``).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from workbench.errors import DataValidationError

# fields of the inputs other than the order export (whose fields are in order_mapping.yaml);
# each list: the field's own name first, then the headers Chinese tools and sheets use
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "product_name", "商品名称", "商品标题", "商品名", "宝贝标题", "选购商品", "品名"),
    "region": ("region", "大区", "区域"),
    "ds": ("ds", "date", "日期", "统计日期", "销售日期"),
    "units": ("units", "销量", "销售数量", "件数"),
    # unavailable days (workbench.data.unavailable)
    "start": ("start", "开始日期", "起始日期", "开始", "缺货开始", "断货开始"),
    "end": ("end", "结束日期", "截止日期", "结束", "缺货结束", "断货结束"),
    # successors (workbench.data.successors)
    "predecessor": ("predecessor", "旧编码", "原编码", "旧商品ID", "原商品ID", "旧商品编码", "原商品编码"),
    "successor": ("successor", "新编码", "新商品ID", "新商品编码"),
    "from": ("from", "切换日期", "生效日期"),
    # network: cities, sites, lanes (workbench.network.inputs)
    "city": ("city", "城市", "城市名称"),
    "demand": ("demand", "需求", "需求量"),
    "hot_share": ("hot_share", "爆品占比"),
    "lat": ("lat", "纬度"),
    "lon": ("lon", "经度"),
    "role": ("role", "仓库类型", "角色"),
    "fixed_cost": ("fixed_cost", "年固定成本", "固定成本"),
    "capacity_units_per_day": ("capacity_units_per_day", "日产能", "日处理能力", "日出库能力"),
    "existing": ("existing", "现有", "是否现有"),
    "origin": ("origin", "始发城市", "发货城市", "始发地"),
    "destination": ("destination", "目的城市", "收货城市", "目的地"),
    "hours": ("hours", "时效小时", "时效"),
    "cost_per_unit": ("cost_per_unit", "单件运费", "单件成本"),
    # stock and lead times (workbench.inventory.inputs)
    "warehouse": ("warehouse", "仓库", "仓库名称"),
    "on_hand": ("on_hand", "现有库存", "可用库存", "在库数量", "库存"),
    "on_order": ("on_order", "在途库存", "在途数量", "在途"),
    "unit_cost": ("unit_cost", "单位成本", "成本价"),
    "supplier": ("supplier", "供应商"),
    "lead_time_days": ("lead_time_days", "提前期", "采购提前期", "交货期"),
    # budget history and channels (workbench.budget.io)
    "week": ("week", "周", "周开始日期", "周次"),
    "spend": ("spend", "花费", "消耗", "投放金额", "广告花费"),
    "gmv": ("gmv", "GMV", "成交额", "销售额", "成交金额"),
    "campaign": ("campaign", "大促", "活动"),
}
# the order export's fields read as keys of other inputs (their header lists: order_mapping.yaml)
ORDER_KEY_FIELDS = ("sku", "category", "province", "channel")


@lru_cache(maxsize=1)
def field_aliases() -> dict[str, tuple[str, ...]]:
    """Every field's accepted headers: the order mapping's key fields (``order_mapping.yaml``; a
    product name is the field ``name``, never a code) and ``ALIASES``."""
    from workbench.data.orders import load_mapping

    columns = load_mapping().columns
    names = {n.casefold() for n in ALIASES["name"]}
    out = {f: tuple(dict.fromkeys([f, *(h for h in columns[f] if h.casefold() not in names)]))
           for f in ORDER_KEY_FIELDS}
    out.update(ALIASES)
    return out


def aliases_of(column: str) -> tuple[str, ...]:
    """The headers accepted for a reader's column ``column``: the headers of the field it is one of
    (``sku``, ``商品编码`` and ``商品ID`` are one field), ``column`` itself first; ``(column,)``
    when it belongs to no field (a user's own key name)."""
    key = str(column).strip().casefold()
    for headers in field_aliases().values():
        if key in {h.casefold() for h in headers}:
            return tuple(dict.fromkeys([column, *headers]))
    return (column,)


def standard_headers(frame: pd.DataFrame, columns, source: str | None = None) -> pd.DataFrame:
    """``frame`` with each header that is an alias of one of ``columns`` (the columns a reader
    knows, by its own names) renamed to it; ``attrs["renamed"]`` maps each column read under
    another header to that header (``{"sku": "商品ID"}``), for the reader's notes and messages.

    Headers compare after trimming spaces, case-insensitively. A header that is no alias of any
    of ``columns`` is kept as it is (each reader says what it does with other columns).

    A header that is the column's own name is read as it, other headers of its field are kept.
    Raises ``DataValidationError`` naming the file (``source`` or ``attrs["source"]``) when two
    other headers name one column (``商品ID`` and ``商家编码`` for ``sku``): which is meant is not guessed.
    """
    src = source or frame.attrs.get("source", "the table")
    rename, taken = {}, {}
    headers = [str(h).strip() for h in frame.columns]
    columns = list(dict.fromkeys(columns))
    own = set(headers) & set(columns)  # a header that is a column's own name is that column's only
    for column in columns:
        if column in own:  # other headers of its field stay as they are
            continue
        accepted = {a.casefold() for a in aliases_of(column)}
        found = [h for h in headers if h.casefold() in accepted and h not in own]
        if len(found) > 1:
            raise DataValidationError(f"{src}: columns {found} all name {column!r}; keep one of them (rename or "
                                      f"remove the others)")
        if found and found[0] != column:
            if found[0] in taken:
                raise DataValidationError(f"{src}: column {found[0]!r} could be {taken[found[0]]!r} or {column!r}; "
                                          f"rename it to the one it is")
            rename[found[0]] = column
        if found:
            taken[found[0]] = column
    out = frame.rename(columns={c: rename.get(str(c).strip(), c) for c in frame.columns})
    out.attrs.update(frame.attrs)
    out.attrs["renamed"] = {new: old for old, new in rename.items()}
    return out


def renamed_text(frame: pd.DataFrame) -> str:
    """How a note says the headers read under the reader's names: ``" (商品ID read as sku)"``, or ""."""
    renamed = frame.attrs.get("renamed") or {}
    return f" ({', '.join(f'{old} read as {new}' for new, old in renamed.items())})" if renamed else ""


class ProductNamesWarning(UserWarning):
    """A code written with several product names (``product_names``)."""


NAME_COLUMN = "name"  # the field of a product's display name, beside its code


def product_names(raw: pd.DataFrame, keys, source: str | None = None) -> tuple[dict | None, list[str]]:
    """The product names of a user's table ``raw`` (a ``商品名称`` / ``product_name`` column: the
    field ``name``), per code of its product key: the key among ``keys`` that is a product code
    (the field ``sku``: ``sku``, ``商品编码``, ``商品ID``...), so every planner table that lists the
    codes can show their names (trial 15 F9: the 选品 CSV listed SKU ids only).

    Returns ``(names, notes)``: ``names`` ``{"column": product key, "header": the name column's
    header, "names": {code: name}}`` (plain values: it rides in a frame's ``attrs``), or None when
    the table has no name column or no product key; a code written with several names (a renamed
    product) takes its last row's, and a note names each such code with its names.
    """
    keys = list(keys)
    headers = [h for h in raw.columns if h not in keys and str(h).strip().casefold() in
               {a.casefold() for a in aliases_of(NAME_COLUMN)}]
    sku_field = {a.casefold() for a in field_aliases()["sku"]}
    products = [k for k in keys if str(k).strip().casefold() in sku_field]
    if not headers or not products:
        return None, []
    header, column = headers[0], products[0]
    pairs = raw[[column, header]].dropna().astype(str)
    pairs = pairs[pairs[header].str.strip() != ""]
    several = pairs.groupby(column)[header].unique()
    several = several[several.map(len) > 1]
    notes = [f"{source or raw.attrs.get('source', 'the table')}: {column} {code} is written with {len(names)} names "
             f"in column {header!r} ({', '.join(names)}); the tables show its last, {names[-1]}"
             for code, names in several.items()]
    return {"column": column, "header": header, "names": dict(zip(pairs[column], pairs[header].str.strip()))}, notes


def with_names(table: pd.DataFrame, names: dict | None) -> pd.DataFrame:
    """``table`` with the names (``product_names``'), under the input's own header (``商品名称``),
    right after its product key column; a code without a name gets an empty one. ``table`` itself
    when there are no names, or it lacks the product key or already has that column."""
    if not names or names["column"] not in table.columns or names["header"] in table.columns:
        return table
    out = table.copy()
    at = list(out.columns).index(names["column"]) + 1
    out.insert(at, names["header"], out[names["column"]].astype(str).map(names["names"]).fillna(""))
    out.attrs.update(table.attrs)
    return out
