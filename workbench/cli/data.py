"""``workbench data``: the embedded sample data and a team's own order exports."""

from __future__ import annotations

from workbench.data.sample import LEVELS as SAMPLE_LEVELS


def table_input_options(parser) -> None:
    """``--encoding`` and ``--sheet``: how to read a CSV or Excel input (see ``data.io.read_table``)."""
    parser.add_argument("--encoding", help="CSV encoding (utf-8, gbk, gb18030...); default: detected")
    parser.add_argument("--sheet", help="Excel sheet name or 0-based number (default: the first sheet)")


def table_output_options(parser) -> None:
    """``--excel-csv``: a CSV output Excel opens ungarbled (UTF-8 with BOM)."""
    parser.add_argument("--excel-csv", action="store_true",
                        help="write CSV as UTF-8 with BOM, so Excel shows Chinese text correctly")


def register(subparsers) -> None:
    from workbench.data.orders import LEVELS as ORDER_LEVELS

    p = subparsers.add_parser("data", help="sample data and order exports",
                              description="Write the embedded sample data, or turn a shop's order "
                              "export into the daily table the forecaster reads.")
    sub = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)
    s = sub.add_parser("sample", help="write the sample sales history",
                       description="Write the deterministic sample sales (2023-01-01..2026-10-31): "
                       "ds, keys, units, gmv (CNY).")
    s.add_argument("--level", choices=SAMPLE_LEVELS, default="category_region", help="hierarchy level")
    s.add_argument("--out", required=True, help="output file (.csv, .xlsx or .parquet)")
    table_output_options(s)
    s.set_defaults(handler=_sample)

    e = sub.add_parser("sample-orders", help="write a sample order export (Chinese headers)",
                       description="Write an order export drawn from the sample sales (food category, "
                       "7 products, 2024-01-01..2026-10-31, 1%% of the units): one row per order line "
                       "with Chinese headers, cancelled and refunded lines, amounts like 1,944.00, "
                       "provinces and full addresses. Input for trying `workbench data orders`.")
    e.add_argument("--out", required=True, help="output file (.csv, .xlsx or .parquet)")
    e.add_argument("--encoding", default="utf-8", help="CSV encoding, e.g. gbk as Chinese Windows "
                   "tools write (default utf-8)")
    e.set_defaults(handler=_sample_orders)

    o = sub.add_parser(
        "orders", help="order export -> daily sales table",
        description="Turn an order export (one row per order line; CSV in UTF-8/GBK/GB18030, .xlsx "
        "or Parquet; Chinese headers) into the long daily table ds, level keys, units, gmv (CNY). "
        "Cancelled, closed and refunded lines are dropped and counted; a status in neither list of "
        "the mapping is an error. Prints rows read, rows dropped per status, days covered and "
        "series made.")
    o.add_argument("--data", required=True, help="order export (.csv, .xlsx, .parquet)")
    o.add_argument("--mapping", help="YAML mapping of export headers and sales statuses "
                   "(default: workbench/data/order_mapping.yaml, common Chinese export headers)")
    o.add_argument("--level", required=True, choices=list(ORDER_LEVELS),
                   help="series level: its key columns are written beside ds")
    o.add_argument("--out", required=True, help="output file (.csv, .xlsx or .parquet)")
    o.add_argument("--until", metavar="YYYY-MM-DD",
                   help="the table's last day: later sales lines are left out and counted (an export cut at "
                        "midnight by order time and read by payment time has a short day after its last whole one, "
                        "which is left out without --until when the lines' times show it; --until that day keeps it)")
    table_input_options(o)
    table_output_options(o)
    o.set_defaults(handler=_orders)


def _sample(args) -> int:
    from workbench.data.io import write_table
    from workbench.data.sample import load_sample

    frame = load_sample(args.level)
    write_table(frame, args.out, excel_csv=args.excel_csv)
    print(f"wrote {len(frame)} rows ({args.level}) to {args.out}")
    return 0


def _sample_orders(args) -> int:
    from workbench.data.io import write_table
    from workbench.data.sample import sample_order_export

    export = sample_order_export()
    write_table(export, args.out, encoding=None if args.out.lower().endswith((".xlsx", ".parquet"))
                else args.encoding)
    print(f"wrote {len(export)} order lines to {args.out}")
    return 0


def _orders(args) -> int:
    from workbench.data.io import refuse_overwrite, write_table
    from workbench.data.orders import daily_sales, load_mapping

    refuse_overwrite(args.out, args.data, args.mapping)
    mapping = load_mapping(args.mapping)
    result = daily_sales(args.data, level=args.level, mapping=mapping, encoding=args.encoding,
                          sheet=args.sheet, until=args.until)
    write_table(result.table, args.out, excel_csv=args.excel_csv,
                decimals={"gmv": 2} if "gmv" in result.table else None)
    print(result.summary())
    print(f"wrote {len(result.table)} rows to {args.out}")
    return 0
