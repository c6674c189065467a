"""``workbench data``: the embedded sample data."""

from __future__ import annotations

from workbench.data.sample import LEVELS


def register(subparsers) -> None:
    p = subparsers.add_parser("data", description="Work with the embedded sample data.")
    sub = p.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)
    s = sub.add_parser("sample", help="write the sample sales history",
                       description="Write the deterministic sample sales (2023-01-01..2026-10-31): "
                       "ds, keys, units, gmv (CNY).")
    s.add_argument("--level", choices=LEVELS, default="category_region", help="hierarchy level")
    s.add_argument("--out", required=True, help="output file (.csv or .parquet)")
    s.set_defaults(handler=_sample)


def _sample(args) -> int:
    from workbench.data.io import write_table
    from workbench.data.sample import load_sample

    frame = load_sample(args.level)
    write_table(frame, args.out)
    print(f"wrote {len(frame)} rows ({args.level}) to {args.out}")
    return 0
