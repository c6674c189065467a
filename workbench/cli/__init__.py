"""The ``workbench`` command: a thin layer that parses arguments and calls the library.

Each submodule listed in ``COMMAND_MODULES`` owns one group of subcommands and exposes
``register(subparsers)``; the handlers it registers take the parsed ``argparse.Namespace`` and
return an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workbench import __version__
from workbench.errors import WorkbenchError

COMMAND_MODULES = ("data", "forecast", "report", "budget", "network")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Forecasts, network plans, budget allocations and scheduled reports "
        "for e-commerce operations.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"workbench.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
