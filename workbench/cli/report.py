"""``workbench report ...``: run notebooks as reports, on a schedule, with history and an index."""

from __future__ import annotations

import argparse
import datetime as dt

from workbench.reports.runner import CELL_TIMEOUT_S

DEFAULT_MANIFEST = "reports.yaml"
DEFAULT_REPORTS_DIR = "reports"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time like 2026-06-18T07:00+08:00") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. 2026-06-18T07:00+08:00")
    return moment


def _run(args: argparse.Namespace) -> int:
    from workbench.reports import runner

    request = runner.prepare(
        args.notebook,
        cli_pairs=[tuple(pair) for pair in args.param or []],
        parameters_file=args.parameters_file,
        report=args.name,
        logical_date=args.date,
        reports_dir=args.reports_dir,
        cell_timeout_s=args.cell_timeout,
    )
    print(runner.execute(request).describe())
    return 0


def _due(args: argparse.Namespace) -> int:
    from workbench.reports import schedule

    summary = schedule.due(schedule.load_manifest(args.manifest), now=args.now, names=args.reports)
    print(summary.describe())
    return summary.exit_code


def _run_all(args: argparse.Namespace) -> int:
    from workbench.reports import schedule

    summary = schedule.run_all(schedule.load_manifest(args.manifest), names=args.reports)
    print(summary.describe())
    return summary.exit_code


def _history(args: argparse.Namespace) -> int:
    from workbench.reports import index

    print(index.history_text(args.reports_dir, args.report, limit=args.limit))
    return 0


def _index(args: argparse.Namespace) -> int:
    from workbench.reports import index

    print(index.write_index(args.reports_dir))
    return 0


def _prune(args: argparse.Namespace) -> int:
    from workbench.reports import retention

    for folder in retention.prune(args.reports_dir, args.days):
        print(f"removed {folder}")
    return 0


def _params(args: argparse.Namespace) -> int:
    from workbench.reports import params

    print(params.describe_parameters(params.read_notebook_parameters(args.notebook)))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        description="Execute parameterized notebooks with papermill, publish dated HTML "
        "reports under reports/, keep a run ledger and an index page.",
    )
    sub = parser.add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)

    def reports_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--reports-dir", default=DEFAULT_REPORTS_DIR,
                       help="folder of reports, ledger and index.html (default: %(default)s)")

    def manifest_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--manifest", default=DEFAULT_MANIFEST,
                       help="the reports manifest (default: %(default)s)")
        p.add_argument("reports", nargs="*", metavar="NAME",
                       help="only these reports of the manifest (default: all)")

    run = sub.add_parser(
        "run", help="run one notebook as a report now",
        description="Check the parameters against the notebook's parameters cell, execute it in "
        "the 'workbench' kernel (working directory: the notebook's folder) and publish "
        "reports/<report>/<date>/<report>[__<param tag>].ipynb|.html. Exit status 3: a cell "
        "failed or timed out; 4: the kernel died (usually out of memory).",
    )
    run.add_argument("notebook", help="the .ipynb to run")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a parameter; VALUE is read as the type its default declares")
    run.add_argument("-f", "--parameters-file", metavar="PARAMS.yaml",
                     help="YAML mapping of parameter values (-p wins over it)")
    run.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                     help="logical date of the report (default: today)")
    run.add_argument("--name", help="report name (default: the notebook's file name)")
    run.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT_S, metavar="SECONDS",
                     help="per-cell time limit in seconds (default: %(default)g)")
    reports_dir_option(run)
    run.set_defaults(handler=_run)

    due = sub.add_parser(
        "due", help="run every report whose schedule slot has come since its last success",
        description="For cron or a systemd timer: runs each manifest report whose latest cron "
        "slot has not succeeded yet, once; a report already running is skipped.",
    )
    manifest_options(due)
    due.add_argument("--now", type=_moment, help=argparse.SUPPRESS)  # for reproducing a past call
    due.set_defaults(handler=_due)

    run_all = sub.add_parser(
        "run-all", help="run every report of the manifest once now (the main job)",
        description="Runs every report of the manifest now, writes reports/index.html and "
        "prints its path last.",
    )
    manifest_options(run_all)
    run_all.set_defaults(handler=_run_all)

    history = sub.add_parser("history", help="list past runs from the ledger",
                             description="List runs, newest first, with status and results.")
    history.add_argument("report", nargs="?", help="only this report")
    history.add_argument("--limit", type=int, default=50, help="at most this many runs (default: %(default)s)")
    reports_dir_option(history)
    history.set_defaults(handler=_history)

    idx = sub.add_parser("index", help="rewrite reports/index.html from the ledger",
                         description="Rewrite the index page and print its path.")
    reports_dir_option(idx)
    idx.set_defaults(handler=_index)

    prune = sub.add_parser("prune", help="remove outputs older than N days (ledger rows stay)",
                           description="Remove report folders older than --days; the newest good "
                           "report of each report is always kept.")
    prune.add_argument("--days", type=int, required=True, help="keep outputs of the last N days")
    reports_dir_option(prune)
    prune.set_defaults(handler=_prune)

    show = sub.add_parser("params", help="list a notebook's parameters, types and defaults",
                          description="Read the notebook's parameters cell (without running it).")
    show.add_argument("notebook", help="the .ipynb to inspect")
    show.set_defaults(handler=_params)
