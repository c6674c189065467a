"""The ``workbench`` command: a thin layer that parses arguments and calls the library.

Each submodule named in ``COMMANDS`` owns one group of subcommands and exposes
``register(subparsers)``; the handlers it registers take the parsed ``argparse.Namespace`` and
return an exit code. Only the module of the command being run is imported (as pip does with its
command table), so ``workbench --help`` and ``--version`` start without pandas, the solvers or
the forecasting models; each module imports its heavy libraries inside its handlers.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NamedTuple

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.notes import notes_as_lines


class Command(NamedTuple):
    """A top-level command: the ``workbench.cli`` module that registers it, and its one-line
    summary for ``workbench --help``."""

    module: str
    summary: str


COMMANDS = {
    "data": Command("data", "sample data; order exports -> daily sales"),
    "forecast": Command("forecast", "forecast every series of a file"),
    "backtest": Command("forecast", "compare models on past event windows"),
    "report": Command("report", "run notebooks as dated HTML reports, on a schedule, with a run history"),
    "budget": Command("budget", "budget scenarios and traffic allocation against ROI targets"),
    "network": Command("network", "warehouse and front-warehouse placement, plan checks"),
}


def _chosen_command(argv: list[str]) -> str | None:
    """The command named on the command line (the top level has only flag options)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: the chosen command's module registers its full parser; every
    other command is listed by its summary only, without importing its module."""
    chosen = _chosen_command(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Forecasts, network plans, budget allocations and scheduled reports "
        "for e-commerce operations.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        if chosen is not None and command.module == COMMANDS[chosen].module:
            if name == chosen:
                importlib.import_module(f"workbench.cli.{command.module}").register(subparsers)
        else:
            subparsers.add_parser(name, help=command.summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        with notes_as_lines():
            return int(args.handler(args) or 0)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
