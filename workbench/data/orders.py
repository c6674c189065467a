"""Order exports (one row per order line) -> the long daily table the forecaster reads.

An export from a shop back office (Douyin, Taobao, JD, Kuaishou...) has one row per order line,
Chinese headers, cancelled and refunded lines mixed in, amounts like ``1,944.00`` and the province
as ``广东省`` or inside a full address. ``daily_sales`` turns it into ``ds``, the level's key
columns, ``units`` (items) and ``gmv`` (CNY): the sales lines summed per day and series, with a
zero for each day of a series between its first sale and the last day of the export (a day with
no order sold nothing), except on the dates of an export outage (days without any sales line in a
run chance cannot explain: ``validate.missing_dates``, the rule of every table read), which keep
no row and are named, so the forecaster fills them instead of reading zeros. A last day the lines'
times show cut inside it (``_cut_last_day``: an export cut at midnight by order time and read by
payment time holds only the orders paid after midnight) is left out, with a note (``until`` keeps
it). A last day whose units the data show cut short and years the calendar cannot place are named
too (``validate.table_notes``, the notes of every table read).

The mapping (``order_mapping.yaml`` beside this module, or a user's file with the same keys)
names the source column of each field and which status values are sales; a line whose after-sale
status (售后状态, when the export has it) is a non-sales value such as 退款成功 is not a sale either,
whatever its order status. Nothing is guessed: a
field the level needs and no header matches, a status or after-sale value in neither list, a line
number seen twice, a quantity or amount that is not a number are errors naming the file and lines;
lines whose province is Hong Kong, Macao, Taiwan or unknown are counted and reported (they belong
to none of the seven regions), never placed in a region. A totals row (合计 / 总计 in its first
filled cell, as back offices append) and return lines (a negative quantity on a sales row) are no
order lines: left out, counted and named in the notes; the table counts the items sold, gross of
returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.io import encoding_hint, parse_numbers, read_table, read_yaml, read_yaml_with_lines
from workbench.data.provinces import resolve_provinces, writes_chinese
from workbench.data.validate import describe_dates, describe_rows, festival_pause, missing_dates, parse_dates, table_notes
from workbench.errors import ConfigError, DataValidationError, ParameterError

FIELDS = {
    "line_id": "order line number (子订单编号), to catch lines exported twice",
    "order_id": "order number (订单编号)",
    "time": "order or payment time (支付完成时间 / 订单提交时间)",
    "sku": "product or SKU code (商品ID / 商家编码)",
    "category": "product category (商品类目)",
    "quantity": "items on the line (商品数量)",
    "amount": "amount paid for the line, CNY (订单应付金额 / 实付金额)",
    "province": "province of the delivery address (省 / 收件省份)",
    "address": "full delivery address (收货地址), read when there is no province column or a row's is empty",
    "status": "order status (订单状态)",
    "after_sale": "after-sale status (售后状态): a line refunded after the sale (退款成功) is not a sale",
    "channel": "sales channel (渠道: 抖音, 视频号, 快手...), a key of the *_channel levels",
}
LEVELS = {
    "sku": ("sku",),
    "sku_region": ("sku", "region"),
    "sku_province": ("sku", "province", "region"),
    "sku_category": ("category", "sku"),
    "sku_category_region": ("category", "sku", "region"),  # the planning cycle's file, with its category
    "sku_category_province": ("category", "sku", "province", "region"),
    "category": ("category",),
    "category_region": ("category", "region"),
    "province": ("province", "region"),
    "region": ("region",),
    "national": (),
    "channel": ("channel",),  # each channel's own series (trial 11: 视频号 since 2026-05)
    "sku_channel": ("sku", "channel"),
    "category_channel": ("category", "channel"),
    "sku_category_channel": ("category", "sku", "channel"),
}
_ALWAYS = ("time", "quantity", "amount", "status")  # amount may be left out (null): the table then has no gmv
# the last day of an export is cut inside it (``_cut_last_day``) when its k lines would all fall at or before
# its latest time of day, and the days before's lines after it would be none, each with this chance (read on
# up to CUT_DAY_DAYS days before, at least CUT_DAY_MIN_DAYS with lines: a whole day, busy or quiet, is called
# cut under once in 1,000 exports)
CUT_DAY_CHANCE = 1e-3
CUT_DAY_DAYS = 28
CUT_DAY_MIN_DAYS = 7
_OPTIONAL = ("amount",)  # fields a mapping may set to null though a table needs them by default
DEFAULT_MAPPING = Path(__file__).with_name("order_mapping.yaml")


@dataclass(frozen=True)
class OrderMapping:
    """Candidate headers per field (first present wins; empty = field not used) and statuses."""

    columns: dict[str, tuple[str, ...]]
    sales_statuses: frozenset[str]
    non_sales_statuses: frozenset[str]
    source: str
    # the after-sale column's own lists (售后状态: 已完成 there is a finished case, not a sale)
    after_sale_none: frozenset[str] = frozenset()
    after_sale_kept: frozenset[str] = frozenset()
    after_sale_dropped: frozenset[str] = frozenset()
    lines: dict = field(default_factory=dict)  # field -> where the user's file sets it ("map.yaml:3")

    def where(self, name: str) -> str:
        """Where field ``name`` is set: ``file:line`` in the user's file, else the mapping's source."""
        return str(self.lines.get(name, self.source))


STATUS_LISTS = ("sales_statuses", "non_sales_statuses", "after_sale_none", "after_sale_kept", "after_sale_dropped")


def load_mapping(path: str | Path | None = None) -> OrderMapping:
    """The default mapping, with the fields and status lists of the file at ``path`` (if given)
    replacing the default ones.

    A user's file: ``columns: {field: header or [headers] or null}``, ``sales_statuses: [...]``,
    ``non_sales_statuses: [...]`` (the order status) and ``after_sale_none``, ``after_sale_kept``,
    ``after_sale_dropped`` (the after-sale column's values; see ``order_mapping.yaml``). Raises
    ``ConfigError`` naming the file and key for unknown keys or fields, wrong types, and a value
    listed twice (as a sale and as none, or in two after-sale lists), and what
    ``data.io.read_yaml`` refuses (missing file, size, aliases, duplicate keys, invalid YAML).
    """
    merged = _mapping_dict(read_yaml(DEFAULT_MAPPING, what="mapping"), str(DEFAULT_MAPPING))
    source, lines = "default mapping", {}
    if path is not None:
        data, locations = read_yaml_with_lines(path, what="mapping")
        user = _mapping_dict(data, str(path))
        lines = {name: locations[("columns", name)] for name in user["columns"] if ("columns", name) in locations}
        merged["columns"].update(user["columns"])
        for key in STATUS_LISTS:
            if key in user:
                merged[key] = user[key]
        source = str(path)
    both = set(merged["sales_statuses"]) & set(merged["non_sales_statuses"])
    if both:
        raise ConfigError(f"{source}: status(es) {sorted(both)} are listed as sales and as non-sales; "
                          f"keep each in one list")
    after = ("after_sale_none", "after_sale_kept", "after_sale_dropped")
    for i, first in enumerate(after):
        for second in after[i + 1:]:
            twice = set(merged[first]) & set(merged[second])
            if twice:
                raise ConfigError(f"{source}: after-sale value(s) {sorted(twice)} are listed in {first} and in "
                                  f"{second}; keep each in one list")
    return OrderMapping(columns=merged["columns"], source=source, lines=lines,
                        **{key: frozenset(merged[key]) for key in STATUS_LISTS})


def _mapping_dict(data, source: str) -> dict:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a mapping is a YAML dictionary with keys columns, {', '.join(STATUS_LISTS)}")
    unknown = sorted(set(data) - {"columns", *STATUS_LISTS})
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {unknown}; use columns, {', '.join(STATUS_LISTS)}")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise ConfigError(f"{source}: columns must map each field to a header, e.g. 'time: 支付完成时间'")
    bad_fields = sorted(set(columns) - set(FIELDS))
    if bad_fields:
        raise ConfigError(f"{source}: unknown field(s) {bad_fields} under columns; fields are {list(FIELDS)}")
    out: dict = {"columns": {}}
    for name, value in columns.items():
        if value is None:
            out["columns"][name] = ()
        elif isinstance(value, (str, int)):
            out["columns"][name] = (str(value).strip(),)
        elif isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
            out["columns"][name] = tuple(str(v).strip() for v in value)
        else:
            raise ConfigError(f"{source}: columns.{name} must be a header name or a list of them, "
                              f"got {value!r}")
    for key in STATUS_LISTS:
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
                raise ConfigError(f"{source}: {key} must be a list of status values")
            out[key] = tuple(str(v).strip() for v in value)
    return out


@dataclass
class OrdersResult:
    """The daily table and what was done to get it (printed by the CLI)."""

    table: pd.DataFrame
    level: str
    source: str
    columns_used: dict[str, str]
    rows_read: int
    sales_lines: int
    dropped_by_status: dict[str, int]
    outside_regions: dict[str, int] = field(default_factory=dict)
    unknown_provinces: dict[str, int] = field(default_factory=dict)
    orders: int | None = None
    zero_days_added: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> pd.Timestamp:
        return self.table["ds"].min()

    @property
    def last_day(self) -> pd.Timestamp:
        return self.table["ds"].max()

    @property
    def series(self) -> int:
        keys = list(LEVELS[self.level])
        return int(self.table.groupby(keys).ngroups) if keys else 1

    def summary(self) -> str:
        used = ", ".join(f"{name} <- {col}" for name, col in self.columns_used.items())
        lines = [f"{self.source}: {self.rows_read} rows read ({used})"]
        if self.orders is not None:
            lines.append(f"  {self.orders} orders")
        dropped = sum(self.dropped_by_status.values())
        detail = ", ".join(f"{status} {n}" for status, n in self.dropped_by_status.items())
        lines.append(f"  {dropped} rows dropped by status" + (f" ({detail})" if detail else ""))
        for title, counts in (("Hong Kong / Macao / Taiwan (outside the seven regions)", self.outside_regions),
                              ("province unknown", self.unknown_provinces)):
            if counts:
                shown = ", ".join(f"{value!r} {n}" for value, n in list(counts.items())[:10])
                more = f" and {len(counts) - 10} more values" if len(counts) > 10 else ""
                lines.append(f"  {sum(counts.values())} sales rows not in the table, {title}: {shown}{more}")
        lines += [f"  note: {note}" for note in self.notes]
        days = (self.last_day - self.first_day).days + 1
        lines.append(f"  {self.sales_lines} sales rows -> {days} days covered "
                     f"({self.first_day.date()}..{self.last_day.date()}), {self.series} series at level "
                     f"{self.level}, {len(self.table)} rows ({self.zero_days_added} zero days added)")
        return "\n".join(lines)


def _pick_columns(frame: pd.DataFrame, mapping: OrderMapping, needed: list[str], src: str) -> dict[str, str]:
    headers = [str(c) for c in frame.columns]
    used = {}
    for name in FIELDS:
        found = next((c for c in mapping.columns.get(name, ()) if c in headers), None)
        if found is not None:
            used[name] = found
    missing = [n for n in needed if n not in used and not (n == "province" and "address" in used)]
    if missing:
        def looked_for(name):
            names = ("province", "address") if name == "province" else (name,)
            return [c for n in names for c in mapping.columns.get(n, ())]

        wanted = "; ".join(
            f"{'province or address' if n == 'province' else n} ({FIELDS[n]}): looked for {looked_for(n)}"
            for n in missing)
        keys = ", ".join(f"columns.{n}" for n in missing)
        optional = [n for n in missing if n in _OPTIONAL]
        leave = (f"; or set {', '.join(f'columns.{n}: null' for n in optional)} there to leave it out (no amount: "
                 f"the table has units only, no gmv)") if optional else ""
        raise DataValidationError(
            f"{src}: cannot map {wanted}. The file's headers are {headers}. " + encoding_hint(
                frame, f"Name the column in a mapping file ({keys}: <header>) and pass it with "
                f"--mapping (format: workbench/data/order_mapping.yaml){leave}"))
    return used


def parse_until(value: str | pd.Timestamp) -> pd.Timestamp:
    """``--until``'s day (YYYY-MM-DD or a timestamp, normalized to its day); ``ParameterError``
    naming the option otherwise."""
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError):
        day = pd.NaT
    if pd.isna(day):
        raise ParameterError(f"--until {value!r} is not a date; write the table's last day as YYYY-MM-DD")
    return day.normalize()


def daily_sales(data: str | Path | pd.DataFrame, *, level: str, mapping: str | Path | OrderMapping | None = None,
                encoding: str | None = None, sheet: str | int | None = None,
                until: str | pd.Timestamp | None = None) -> OrdersResult:
    """Order lines -> daily ``ds``, level keys, ``units``, ``gmv`` (see the module docstring).

    Parameters
    ----------
    data: an order export (CSV in any encoding ``read_table`` detects, .xlsx, Parquet) or a frame
        read with ``read_table(..., text_columns=True)``.
    level: one of ``LEVELS``: sku, sku_region, sku_province (keys sku, province, region),
        sku_category (keys category, sku), sku_category_region (category, sku, region: the
        planning cycle's sales file), sku_category_province (category, sku, province, region),
        category, category_region, province (keys province, region), region, national.
    mapping: a mapping file, an ``OrderMapping`` or None for the default mapping.
    encoding, sheet: passed to ``read_table``.
    until: the table's last day (a date): sales lines after it are left out, counted in a note
        (an export cut at midnight by order time and read by payment time has a short day after
        its last whole one: trial 12 F4); None: the last day with a sales line, unless the lines'
        times show the export ends inside it (``_cut_last_day``), when that day is left out with a
        note (``--until`` that day keeps it).

    Returns an ``OrdersResult``: ``table`` sorted by keys then ``ds``; units in items (integers
    when every quantity is whole), gmv in CNY rounded to 0.01 (no gmv column, with a note, when
    the mapping sets ``amount`` to null: an export without prices). Raises ``ParameterError`` for an unknown level, ``ConfigError`` for a bad
    mapping, ``DataValidationError`` naming the file and lines for everything in the data.
    """
    if level not in LEVELS:
        raise ParameterError(f"--level {level!r} is not a level; use one of {', '.join(LEVELS)}")
    if not isinstance(mapping, OrderMapping):
        mapping = load_mapping(mapping)
    frame = data if isinstance(data, pd.DataFrame) else read_table(data, encoding=encoding, sheet=sheet,
                                                                     text_columns=True)
    src = frame.attrs.get("source", "<data frame>")
    frame, totals_note = _drop_totals_rows(frame)
    if frame.empty:
        raise DataValidationError(f"{src}: the export has no rows")
    keys = list(LEVELS[level])
    left_out = {name for name, headers in mapping.columns.items() if not headers}  # null in the mapping
    needed = [*_ALWAYS, *(k for k in ("sku", "category", "channel") if k in keys)]
    if "province" in keys or "region" in keys:
        needed.append("province")
    refused = [n for n in needed if n in left_out and n not in _OPTIONAL
               and not (n == "province" and mapping.columns.get("address"))]
    if refused:
        raise ConfigError(f"{mapping.where(refused[0])}: columns.{refused[0]} is null, but level {level!r} needs the "
                          f"{refused[0]} ({FIELDS[refused[0]]}); name its header")
    needed = [n for n in needed if n not in left_out or n == "province"]
    used = _pick_columns(frame, mapping, needed, src)
    channel_note = [] if "channel" in keys or "channel" not in used else [
        f"column {used['channel']!r} (channel: {', '.join(map(str, frame[used['channel']].dropna().unique()[:5]))}) "
        f"is summed over at level {level!r}; a *_channel level (--level sku_channel) forecasts each channel"]
    geo = "province" in keys or "region" in keys
    used = {name: col for name, col in used.items()
            if name in needed or name in ("line_id", "order_id", "after_sale")
            or (geo and name in ("province", "address"))}

    _refuse_lines_twice(frame, used.get("line_id"), src)
    after_note: list[str] = []

    status = frame[used["status"]].astype("string").str.strip().fillna("")
    is_sale = status.isin(mapping.sales_statuses)
    not_sale = status.isin(mapping.non_sales_statuses)
    unknown = ~is_sale & ~not_sale
    if unknown.any():
        counts = status[unknown].replace("", "(empty)").value_counts()
        listed = ", ".join(f"{value!r} ({n} rows)" for value, n in counts.head(10).items())
        if len(counts) > 10:
            listed += f" and {len(counts) - 10} more values"
        raise DataValidationError(
            f"{src}: column {used['status']!r} has status value(s) that are in neither list of the "
            f"{mapping.source}: {listed}, first at {describe_rows(frame, unknown)}. Say whether each is a "
            f"sale: add it to sales_statuses or non_sales_statuses in a mapping file and pass --mapping")
    if "after_sale" in used:  # refunded after the sale: the order status may still say 已完成
        column = used["after_sale"]
        after = frame[column].astype("string").str.strip().fillna("")
        none = after.eq("") | after.isin(mapping.after_sale_none)
        kept, refunded = after.isin(mapping.after_sale_kept), after.isin(mapping.after_sale_dropped)
        open_values = is_sale & ~(none | kept | refunded)
        if open_values.any():  # trial 11 F4: 退货退款成功 was kept as a sale without a word
            counts = after[open_values].value_counts()
            listed = ", ".join(f"{value!r} ({n} rows)" for value, n in counts.head(10).items())
            raise DataValidationError(
                f"{src}: column {column!r} (after-sale status) has value(s) that are in none of the after-sale "
                f"lists of the {mapping.source}: {listed}, first at {describe_rows(frame, open_values)}. Say what "
                f"each means for a sales line (in this column 已完成 is a finished after-sale case, a refund or a "
                f"return): add it to after_sale_none (no case), after_sale_kept (still a sale, e.g. 售后关闭: closed "
                f"without a refund; 退货退款成功: returned, counted gross of returns) or after_sale_dropped (not a "
                f"sale, e.g. 退款成功) in a mapping file and pass --mapping")
        kept_after = after[is_sale & kept]  # counted once the return lines are out (they are not kept)
        refunded = is_sale & refunded
        status = status.where(~refunded, after + f" ({column})")
        is_sale, not_sale = is_sale & ~refunded, not_sale | refunded
    dropped = status[not_sale].value_counts()
    sales = frame[is_sale]
    if sales.empty:
        raise DataValidationError(f"{src}: no sales rows; every row has a non-sales status "
                                  f"({', '.join(dropped.index)})")

    try:
        ds = parse_dates(sales, used["time"], source=src)
    except DataValidationError as exc:
        raise DataValidationError(f"{exc} (the order time is read from {used['time']!r}; to read "
                                  f"another column, set columns.time in a mapping file)") from None
    until_note: list[str] = []
    if until is not None:
        last = parse_until(until)
        after = (ds > last).to_numpy()
        if after.all():
            raise DataValidationError(f"{src}: every sales line is after --until {last.date()} (the first on "
                                      f"{ds.min().date()}); give a later day")
        if after.any():
            until_note = [f"{int(after.sum())} sales lines after --until {last.date()} left out (to "
                          f"{ds[after].max().date()}): the table ends on {last.date()}"]
            sales, ds = sales[~after], ds[~after]
    else:  # an export cut inside its last day (by order time, read by payment time): that day left out
        cut = _cut_last_day(sales[used["time"]], ds, used["time"])
        if cut:
            sales, ds = sales[ds < ds.max()], ds[ds < ds.max()]
            until_note = [cut]
    sales, returns_note = _drop_return_lines(sales, used)
    if "after_sale" in used:  # said, not silent: whether a returned line is demand is the mapping's choice
        counted = kept_after[kept_after.index.isin(sales.index)].value_counts()
        if len(counted):
            after_note = [f"{int(counted.sum())} sales lines with an after-sale case in {used['after_sale']!r} are "
                          f"kept as sales ({', '.join(f'{v} {n}' for v, n in counted.items())}: in after_sale_kept; "
                          f"a returned line counts as sold, the table is gross of returns); to leave a value out, "
                          f"move it to after_sale_dropped"]
    units = _amounts(sales, used["quantity"], src, what="quantity")
    empty_lines = units.to_numpy() == 0  # a sales line of no items: an export glitch more often than a sale
    lines = pd.DataFrame({"ds": ds, "units": units}, index=sales.index)
    if "amount" in used:
        lines["gmv"] = gmv = _amounts(sales, used["amount"], src, what="amount")
    for key in ("sku", "category", "channel"):
        if key in keys:
            values = sales[used[key]].astype("string").str.strip()
            empty = values.isna() | values.eq("")
            if empty.any():
                raise DataValidationError(f"{src}: column {used[key]!r} ({key}) is empty at "
                                          f"{describe_rows(sales, empty)}; fill it in or "
                                          f"remove those rows")
            lines[key] = values.astype(str)
    outside: dict[str, int] = {}
    unplaced: dict[str, int] = {}
    from_address = 0
    if geo:
        column = used.get("province", used.get("address"))
        raw = sales[column]
        # the user's language: a Chinese export's provinces stay Chinese (广东), one spelling each
        chinese = writes_chinese(raw)
        places = resolve_provinces(raw, addresses="province" not in used, chinese=chinese)
        if "province" in used:  # a province cell empty or free text (广东深圳): read as an address, then the row's address
            unknown = places["province"].isna()
            sources = [raw] + ([sales[used["address"]]] if "address" in used else [])
            for source in sources:
                if not unknown.any():
                    break
                found = resolve_provinces(source[unknown], addresses=True, chinese=chinese)
                places.loc[found.index, ["province", "region"]] = found.to_numpy()
                if source is not raw:
                    from_address = int(found["province"].notna().sum())
                unknown = places["province"].isna()
        lines["province"], lines["region"] = places["province"], places["region"]
        no_region = places["region"].isna()
        is_outside = places["province"].notna() & no_region
        outside = {str(k): int(v) for k, v in raw[is_outside].value_counts().items()}
        named = raw.notna() & raw.astype(str).str.strip().ne("")
        unplaced = {str(k): int(v) for k, v in raw.where(named, "(empty)")[places["province"].isna()].value_counts().items()}
        lines = lines[~no_region]
        if lines.empty:
            raise DataValidationError(f"{src}: no sales row has a province in the seven regions "
                                      f"(column {column!r}); see the values in the message above")
    last_day = ds.max()
    table, added, outages = _daily(lines, keys, last_day)
    # the export's product names (商品名称) beside the codes, so every table read from this one shows them
    table, names_note = _with_export_names(table, lines, sales, used, src) if "sku" in keys else (table, [])
    orders, notes = None, until_note + totals_note + after_note + returns_note + channel_note + names_note
    if from_address:
        notes.append(f"{from_address} sales rows with no province in {used['province']!r} (empty, or no province "
                     f"name) took it from the address in {used['address']!r}")
    if empty_lines.any():  # trial 10 F10: accepted silently before
        notes.append(f"{int(empty_lines.sum())} sales lines have {used['quantity']!r} 0, at "
                     f"{describe_rows(sales, empty_lines)}: kept (no units; their order counted), not dropped; "
                     f"check the export if a line should hold items")
    if "amount" not in used:  # left out by the mapping (an export without prices: trial 10 F1)
        notes.append(f"no amount column (columns.amount is null in the {mapping.source}): the table has units only, "
                     f"no gmv")
    if outages:
        notes.append(f"{sum(map(len, outages))} dates have no sales line at all ({describe_dates(outages)}: an "
                     f"export outage?): left without rows, not written as 0, so reading the table names them and "
                     f"fills each series there from the same weekday in the weeks either side; if nothing sold, "
                     f"add those days to the export")
    notes += table_notes(table.rename(columns={"units": "y"}), "D", src)  # the export's columns are mapped, not asked about
    if "order_id" in used:
        order_of = sales[used["order_id"]]
        orders = int(order_of.nunique())
        if "amount" in used:
            notes += _order_amount_note(order_of, gmv, used["amount"])
    return OrdersResult(table=table, level=level, source=src, columns_used=used, rows_read=len(frame),
                        sales_lines=len(sales), dropped_by_status={str(k): int(v) for k, v in dropped.items()},
                        outside_regions=outside, unknown_provinces=unplaced, orders=orders,
                        zero_days_added=added, notes=notes)


def _with_export_names(table: pd.DataFrame, lines: pd.DataFrame, sales: pd.DataFrame, used: dict,
                       src: str) -> tuple[pd.DataFrame, list[str]]:
    """``table`` with the export's product names (a ``商品名称`` column other than the one read as
    the code: ``headers.product_names``) beside its ``sku`` column, and the note on a code sold under
    several names; ``table`` as it is when the export has no name column (trial 15 F9)."""
    from workbench.data.headers import NAME_COLUMN, aliases_of, product_names, with_names

    accepted = {a.casefold() for a in aliases_of(NAME_COLUMN)}
    header = next((h for h in sales.columns if h != used.get("sku") and str(h).strip().casefold() in accepted), None)
    if header is None:
        return table, []
    names, notes = product_names(pd.DataFrame({"sku": lines["sku"], header: sales.loc[lines.index, header]}),
                                 ["sku"], src)
    return with_names(table, names), notes


def _refuse_lines_twice(frame: pd.DataFrame, line_column: str | None, src: str) -> None:
    """Refuse order lines exported twice: by the line number (子订单编号) when the export has one,
    else rows equal in every column (same order, product, time, quantity, amount and status),
    which two overlapping exports joined produce and a real order does not: its lines differ in
    product or carry a line number."""
    if line_column is not None:
        line_ids = frame[line_column].astype("string").str.strip()
        twice = line_ids.notna() & line_ids.duplicated(keep=False)
        if twice.any():
            raise DataValidationError(
                f"{src}: order line {line_ids[twice].iloc[0]!r} (column {line_column!r}) appears more "
                f"than once, at {describe_rows(frame, twice)}; were two overlapping exports joined? Keep "
                f"each line once")
        return
    row_hash = pd.util.hash_pandas_object(frame, index=False)  # equal rows, empty cells alike
    twice = row_hash.duplicated(keep=False)
    if twice.any():
        same = row_hash.eq(row_hash[twice].iloc[0])
        raise DataValidationError(
            f"{src}: {describe_rows(frame, same)} are the same order line, equal in every column; "
            f"{int(row_hash.duplicated().sum())} such repeated line(s) in all. Were two overlapping exports "
            f"joined? Keep each line once. If they are really separate lines of one order, export the "
            f"line number (子订单编号) too, or merge them into one line with the summed quantity")


def _order_amount_note(order_of: pd.Series, amount: pd.Series, column: str) -> list[str]:
    """A note when most orders of several lines carry one amount on every line: the amount column
    is then probably the order's total, which the line sum would count once per line."""
    frame = pd.DataFrame({"order": order_of, "amount": amount})
    per_order = frame.groupby("order")["amount"].agg(["size", "nunique"])
    multi = per_order[per_order["size"] > 1]
    repeated = int((multi["nunique"] == 1).sum())
    if len(multi) >= 10 and repeated > len(multi) / 2:
        return [f"{repeated} of {len(multi)} orders with several lines have the same {column!r} on every "
                f"line; if that is the order's total, gmv counts it once per line: map columns.amount "
                f"to the line's own amount (e.g. 商品实付金额)"]
    return []


_TOTALS = re.compile(r"(合计|总计|合計|總計|total)\s*[:：]?", re.IGNORECASE)


def _cut_last_day(raw: pd.Series, ds: pd.DatetimeIndex, column: str) -> str | None:
    """The note saying the export ends inside its last day, which is left out; None when it does not.

    An export cut by order time (下单时间) and read by payment time (支付时间) holds, on the day after its
    last whole one, only the orders paid after midnight: a stub of a few units that a forecast would read
    as a fall in demand (trial 12 F4/F21). The test is on the lines' times of day (``raw``: the sales
    lines' time column as written; ``ds``: their days, ``parse_dates``): the last day's latest line is at
    time t and it has k lines; a share F of the lines of the ``CUT_DAY_DAYS`` days before came at or
    before t in their day, m a day after it; the day is cut when neither its own count nor theirs
    explains the missing later lines: all k at or before t has a chance F^k, and a Poisson count at m
    is 0 with a chance e^-m, both under ``CUT_DAY_CHANCE`` (on the days' count alone a whole but quiet
    day, a closure's first day at an eighth of the lines, was cut on about half the exports: review
    11.1 F2; on its own count alone a busy whole day is cut once in 1,000). A last day in the Spring Festival pause (``validate.festival_pause``,
    low by design) and a column of dates without times (every line at midnight) say nothing: None, as
    for a time column that does not parse as timestamps here, or fewer than ``CUT_DAY_MIN_DAYS`` days
    before with lines."""
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(raw.astype(str).str.strip(), errors="coerce", format="mixed"))
    except (TypeError, ValueError):  # mixed UTC offsets, or a form only ``parse_dates`` reads
        return None
    if stamps.tz is not None:
        stamps = stamps.tz_localize(None)
    ds = pd.DatetimeIndex(ds)
    if stamps.isna().any() or (stamps.normalize() != ds).any():
        return None
    seconds = (stamps - stamps.normalize()).total_seconds().to_numpy()
    last = ds.max()
    on_last = np.asarray(ds == last)
    latest = float(seconds[on_last].max())
    days = pd.date_range(last - pd.Timedelta(days=CUT_DAY_DAYS), last - pd.Timedelta(days=1), freq="D")
    before = np.asarray(ds.isin(days))
    seen = int(pd.Index(ds[before]).nunique())
    if seen < CUT_DAY_MIN_DAYS or not (seconds[on_last] > 0).any() or festival_pause(pd.DatetimeIndex([last]), "D")[0]:
        return None
    share = float((seconds[before] <= latest).mean())  # of the days before's lines, at or before that time of day
    k = int(on_last.sum())
    later = (1 - share) * before.sum() / seen  # lines a day after that time, on the days before
    if share ** k >= CUT_DAY_CHANCE or np.exp(-later) >= CUT_DAY_CHANCE:
        return None
    at = (pd.Timestamp(0) + pd.Timedelta(seconds=latest)).strftime("%H:%M:%S")
    return (f"the export ends inside its last day: the latest sales line of {last.date()} in {column!r} is at {at}, "
            f"while {1 - share:.0%} of the lines of the {seen} days before came later than that (all {k} of its "
            f"lines that early by chance: under {CUT_DAY_CHANCE:.0e}); they are left out, so the table ends on "
            f"{(last - pd.Timedelta(days=1)).date()} and a forecast reads no part-day as a fall in demand; "
            f"to keep that day, pass --until {last.date()}")


def _drop_totals_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` without its totals rows, rows whose first filled cell is 合计 / 总计 / Total
    (a back office's sum appended to the export; trial 11: its empty status read as an unknown
    status value), and the note naming them; ``(frame, [])`` when there is none."""
    cells = [frame[c].astype("string").str.strip() for c in frame.columns]
    candidates = np.zeros(len(frame), bool)
    for column in cells:
        candidates |= column.str.fullmatch(_TOTALS).fillna(False).to_numpy(bool)
    if not candidates.any():
        return frame, []
    text = pd.concat([c[candidates] for c in cells], axis=1).replace("", pd.NA)
    first = pd.Series(pd.NA, index=frame.index, dtype="string")
    first[candidates] = text.bfill(axis=1).iloc[:, 0]
    totals = first.fillna("").str.fullmatch(_TOTALS).fillna(False).to_numpy(bool)
    if not totals.any():
        return frame, []
    note = (f"{describe_rows(frame, totals)}: a totals row ({first[totals].iloc[0]!r} in its first cell), not an "
            f"order line: left out")
    kept = frame[~totals]
    kept.attrs.update(frame.attrs)
    return kept, [note]


def _drop_return_lines(sales: pd.DataFrame, used: dict) -> tuple[pd.DataFrame, list[str]]:
    """The sales lines without the return lines, lines whose quantity is a negative number (an
    export that books a return as a line of -1; trial 11 F4: refused before), and the note
    counting them: the table counts the items sold, gross of returns (a return does not undo the
    demand the stock had to meet), so they are left out, not netted."""
    quantity = parse_numbers(sales[used["quantity"]]).astype(float)
    returns = (np.isfinite(quantity) & (quantity < 0)).to_numpy(bool)
    if not returns.any():
        return sales, []
    note = (f"{int(returns.sum())} sales lines have a negative {used['quantity']!r} (return lines, "
            f"{-quantity[returns].sum():,.0f} items, at {describe_rows(sales, returns)}): left out; the table "
            f"counts the items sold, gross of returns. For net sales, subtract the returns yourself")
    kept = sales[~returns]
    kept.attrs.update(sales.attrs)
    return kept, [note]


def _amounts(frame: pd.DataFrame, column: str, src: str, *, what: str) -> pd.Series:
    raw = frame[column]
    values = parse_numbers(raw).astype(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        first = raw[bad].iloc[0]
        shown = "is empty" if pd.isna(first) or not str(first).strip() else f"holds {first!r}"
        raise DataValidationError(
            f"{src}: column {column!r} ({what}) must be a number >= 0 on sales rows; at "
            f"{describe_rows(frame, bad)} it is not (the first {shown}). Write a plain number there "
            f"(2, not 2件), or remove those lines")
    return values


def _daily(lines: pd.DataFrame, keys: list[str], last_day: pd.Timestamp
           ) -> tuple[pd.DataFrame, int, list[pd.DatetimeIndex]]:
    """Sum per (keys, day); fill each series with zeros from its first day to ``last_day``, except
    on the dates of an export outage: runs of dates without any sales line that chance cannot
    explain (``validate.missing_dates``, the rule every table read applies), which keep no row,
    so whatever reads the table names them and fills them from the weeks around them
    (``validate.fill_missing_dates``) instead of reading a week of zeros as a collapse (review 1
    #2). Returns the table, the zero rows added and the outage runs."""
    values = [c for c in ("units", "gmv") if c in lines.columns]  # gmv when the export has amounts
    summed = lines.groupby([*keys, "ds"], sort=True)[values].sum().reset_index()
    outages = missing_dates(summed.rename(columns={"units": "y"}), keys, "D")
    outage = pd.DatetimeIndex(np.concatenate([r.to_numpy() for r in outages])) if outages else pd.DatetimeIndex([])
    pieces = []
    groups = summed.groupby(keys, sort=True) if keys else [((), summed)]
    for key, part in groups:
        days = pd.date_range(part["ds"].iloc[0], last_day, freq="D", name="ds").difference(outage).rename("ds")
        filled = part.set_index("ds")[values].reindex(days, fill_value=0.0).reset_index()
        for name, value in zip(keys, key if isinstance(key, tuple) else (key,)):
            filled.insert(len(filled.columns) - len(values), name, value)
        pieces.append(filled)
    table = pd.concat(pieces, ignore_index=True)[["ds", *keys, *values]]
    if "gmv" in table:
        table["gmv"] = table["gmv"].round(2)
    if (table["units"] == table["units"].round()).all():  # whole items: written as 14, not 14.0
        table["units"] = table["units"].astype("int64")
    table["ds"] = table["ds"].astype("datetime64[ns]")
    return table, len(table) - len(summed), outages
