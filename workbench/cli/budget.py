"""``workbench budget ...``: allocate a traffic budget against an ROI target, run and compare
scenario files, trace the efficient frontier, fit curves, write the sample history.

Exit codes: 0 a verified plan was found; 1 no plan is reported: the rules cannot be met (the JSON
still says why and what is achievable), the plan failed the read-back check, or a time limit
came without a plan; 2 invalid input (including --out naming one of the command's inputs).
"""

from __future__ import annotations

import argparse

from workbench.budget.modes import MODES  # light: the mode flags come from this table

# handlers import the budget package, pandas and the solvers; `workbench budget --help` does not
SOLVER_CHOICES = ("highs", "cbc")  # workbench.optimize.SOLVERS (a test keeps them equal)


def _options(args: argparse.Namespace) -> dict:
    """Solver options the user gave (the library's defaults otherwise)."""
    given = {"solver": args.solver, "tolerance": getattr(args, "tolerance", None), "time_limit": args.time_limit}
    return {k: v for k, v in given.items() if v is not None}


def _scenario_inputs(scenario) -> list:
    """Every file a scenario reads: the file, its ``extends`` chain, its history and the forecast
    its GMV target comes from."""
    forecast = scenario.allocation.gmv_forecast
    return [*scenario.files, scenario.allocation.history, forecast.file if forecast is not None else None]


def _allocate(args: argparse.Namespace) -> int:
    from workbench.budget import allocate as alloc
    from workbench.budget import io
    from workbench.data.io import refuse_overwrite, write_json

    refuse_overwrite(args.out, args.channels)
    channels = io.read_channels_csv(args.channels, encoding=args.encoding, sheet=args.sheet)
    mode = MODES[args.mode]
    target = {mode.target: args.target} if mode.target else {}
    result = alloc.allocate(channels, mode=mode.name, min_roi=args.min_roi, **_options(args), **target)
    write_json(result.to_dict(), args.out)
    print(result.describe())
    print(f"wrote {args.out}")
    return 0 if result.feasible else 1


def _run(args: argparse.Namespace) -> int:
    from workbench.budget import run
    from workbench.budget.scenario import load_scenario
    from workbench.data.io import refuse_overwrite, write_json

    scenario = load_scenario(args.scenario)
    refuse_overwrite(args.out, *_scenario_inputs(scenario))
    result = run.run_scenario(scenario, solver=args.solver, bootstrap=args.bootstrap, time_limit=args.time_limit)
    print(result.describe())
    if args.out:
        write_json(result.to_dict(), args.out)
        print(f"wrote {args.out}")
    return 0 if result.allocation.feasible else 1


def _compare(args: argparse.Namespace) -> int:
    from workbench.budget import compare, run
    from workbench.budget.scenario import load_scenario
    from workbench.data.io import refuse_overwrite, write_json

    scenarios = [load_scenario(path) for path in args.scenarios]
    refuse_overwrite(args.out, *[f for s in scenarios for f in _scenario_inputs(s)])
    results = [run.run_scenario(s, solver=args.solver, bootstrap=args.bootstrap, time_limit=args.time_limit)
               for s in scenarios]
    comparison = compare.compare_scenarios(results)
    print(comparison.describe())
    if args.out:
        write_json(comparison.to_dict(), args.out)
        print(f"wrote {args.out}")
    return 0 if all(r.allocation.feasible for r in results) else 1


def _frontier(args: argparse.Namespace) -> int:
    from workbench.budget import frontier, io
    from workbench.data.io import refuse_overwrite, write_json

    refuse_overwrite(args.out, args.channels)
    channels = io.read_channels_csv(args.channels, encoding=args.encoding, sheet=args.sheet)
    budgets = frontier.default_budgets(channels, args.points, args.start, args.stop)
    result = frontier.efficient_frontier(channels, budgets, min_roi=args.min_roi, **_options(args))
    write_json(result.to_dict(), args.out)
    print(result.describe())
    print(f"wrote {args.out}")
    return 0


def _fit(args: argparse.Namespace) -> int:
    from workbench.budget import curves, io
    from workbench.data.io import refuse_overwrite, write_table

    refuse_overwrite(args.out, args.history)
    history = io.read_history_csv(args.history, encoding=args.encoding, sheet=args.sheet)
    fits = curves.fit_channel_curves(history, n_bootstrap=args.bootstrap, seed=args.seed,
                                     periods_per_year=args.periods_per_year)
    write_table(fits.table, args.out)
    print(fits.table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    for note in fits.notes:
        print(f"note: {note}")
    print(f"wrote {args.out}")
    return 0


def _sample_history(args: argparse.Namespace) -> int:
    from workbench.budget import sample
    from workbench.data.io import write_table

    write_table(sample.sample_channel_history(sample.SEED if args.seed is None else args.seed), args.out)
    print(f"wrote {args.out}")
    return 0


def _table_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoding", metavar="ENC", help="CSV text encoding (default: detected; UTF-8, GBK, GB18030)")
    parser.add_argument("--sheet", metavar="NAME|N", type=lambda v: int(v) if v.isdigit() else v, help="xlsx sheet name or 0-based number (default: the first)")


class _ModeFlag(argparse.Action):
    """A mode flag: sets ``mode`` to the flag's mode and ``target`` to its value (if any)."""

    def __init__(self, option_strings, dest, mode: str, **kwargs):
        super().__init__(option_strings, dest="mode", **kwargs)
        self.mode = mode

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.mode = self.mode
        namespace.target = values if values != [] else None


def _solver_options(parser: argparse.ArgumentParser, *, tolerance: bool = True) -> None:
    parser.add_argument("--solver", choices=SOLVER_CHOICES, default=None,
                        help="MILP/LP solver through PuLP (default highs; a scenario's own choice for run)")
    if tolerance:
        parser.add_argument("--tolerance", type=float, default=None,
                            help="curve approximation error relative to each channel's GMV at its max "
                                 "(default 1e-4)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (default 60)")


def register(subparsers) -> None:
    parser = subparsers.add_parser("budget",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="budget_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("allocate", help="allocate spend across channels (CHANNELS.csv) with ROI >= --min-roi",
                       description="Allocate spend across channels with response curves. CHANNELS.csv has "
                                   "channel,vmax,k,s,min_spend,max_spend (optional min_roi, min_marginal_roi, "
                                   "label); RESULT.json holds status, total_spend, total_gmv, roi and per "
                                   "channel spend, gmv, marginal_roi.")
    p.add_argument("--channels", required=True, metavar="CHANNELS.csv", help="channel table (money in CNY)")
    _table_options(p)
    group = p.add_mutually_exclusive_group(required=True)
    for m in MODES.values():  # one flag per mode, from the mode table
        group.add_argument(m.cli_flag, action=_ModeFlag, mode=m.name, help=m.cli_help,
                           nargs=None if m.target else 0, type=float if m.target else None,
                           metavar=m.cli_metavar)
    p.add_argument("--min-roi", type=float, required=True, metavar="R", help="floor on total GMV / spend")
    p.add_argument("--out", required=True, metavar="RESULT.json", help="where to write the result")
    _solver_options(p)
    p.set_defaults(handler=_allocate)

    p = sub.add_parser("run", help="run a scenario file: fit curves, allocate, compare with the written plan")
    p.add_argument("scenario", metavar="FILE.yaml", help="scenario file (see budgets/README.md)")
    p.add_argument("--out", metavar="RESULT.json", help="write the full result as JSON")
    p.add_argument("--bootstrap", type=int, default=None, help="bootstrap refits per curve (default: the file's)")
    _solver_options(p, tolerance=False)
    p.set_defaults(handler=_run)

    p = sub.add_parser("compare", help="run several scenario files and compare them side by side")
    p.add_argument("scenarios", nargs="+", metavar="FILE.yaml", help="scenario files")
    p.add_argument("--out", metavar="COMPARISON.json", help="write the comparison tables as JSON")
    p.add_argument("--bootstrap", type=int, default=None, help="bootstrap refits per curve (default: the file's)")
    _solver_options(p, tolerance=False)
    p.set_defaults(handler=_compare)

    p = sub.add_parser("frontier", help="best GMV and ROI against total budget, with the ROI-target point")
    p.add_argument("--channels", required=True, metavar="CHANNELS.csv", help="channel table (money in CNY)")
    _table_options(p)
    p.add_argument("--min-roi", type=float, metavar="R", help="mark the largest spend keeping ROI >= R")
    p.add_argument("--points", type=int, default=50, help="number of budget levels (default 50)")
    p.add_argument("--from", dest="start", type=float, metavar="B", help="first budget level")
    p.add_argument("--to", dest="stop", type=float, metavar="B", help="last budget level")
    p.add_argument("--out", required=True, metavar="FRONTIER.json", help="where to write the frontier")
    _solver_options(p)
    p.set_defaults(handler=_frontier)

    p = sub.add_parser("fit", help="fit Hill curves per channel from weekly history, with bootstrap intervals")
    p.add_argument("--history", required=True, metavar="HISTORY.csv", help="week,channel,spend,gmv")
    _table_options(p)
    p.add_argument("--periods-per-year", type=int, default=52,
                   help="scale weekly curves to a year of even spend (default 52; 1 keeps them weekly)")
    p.add_argument("--bootstrap", type=int, default=100, help="bootstrap refits per channel (default 100)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--out", required=True, metavar="CURVES.csv", help="where to write the fitted curves")
    p.set_defaults(handler=_fit)

    p = sub.add_parser("sample-history", help="write the deterministic sample channel history")
    p.add_argument("--seed", type=int, default=None, help="generator seed (default: the shipped history's)")
    p.add_argument("--out", required=True, metavar="HISTORY.csv", help="where to write it")
    p.set_defaults(handler=_sample_history)
