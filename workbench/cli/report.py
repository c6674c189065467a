"""``workbench report ...``: run notebooks as reports, on a schedule, with history and an index."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
from pathlib import Path

from workbench.errors import ConfigError, ParameterError, RunInterrupted
from workbench.reports import limits

# Handlers import the report modules (papermill, nbconvert, jinja2) when they run, so
# `workbench --help` stays fast.
DEFAULT_MANIFEST = "reports.yaml"
DEFAULT_REPORTS_DIR = "reports"


def _interruptible(handler):
    """A handler whose Ctrl-C between runs ends with a message and exit 130, not a traceback.

    A run interrupted while its notebook executes is closed by the runner (``RunInterrupted``).
    """
    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except KeyboardInterrupt:
            print("interrupted (Ctrl-C); runs that had started are marked in the ledger", file=sys.stderr)
            return RunInterrupted.exit_code
    return wrapped


def _run_timezone(args: argparse.Namespace) -> str:
    """The time zone a manual run's logical date is counted in: the same rule as run-all.

    ``--timezone``, else the manifest's zone for a report it names (else its default zone),
    else ``Asia/Shanghai`` when there is no manifest.
    """
    from workbench.reports import runner, schedule

    if args.timezone is not None:
        return runner.check_timezone(args.timezone, "--timezone")
    if not Path(args.manifest).is_file():
        if args.manifest != DEFAULT_MANIFEST:
            raise ConfigError(f"report manifest {args.manifest} not found (--manifest)")
        return limits.DEFAULT_TIMEZONE
    manifest = schedule.load_manifest(args.manifest)
    name = args.name or Path(args.notebook).stem
    return next((spec.timezone for spec in manifest.reports if spec.name == name), manifest.timezone)


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


def _manifest_report(args: argparse.Namespace) -> tuple[str, dict, Path] | None:
    """``(notebook, parameters, manifest folder)`` of the manifest report named by the NOTEBOOK
    argument (``report run planning_cycle``), or None when it names a file (or no report). The
    manifest is ``--manifest``, else ``reports.yaml`` in the current folder or the nearest one above.

    Read with plain YAML (not the full manifest check, which imports the run stack) so a bad
    ``-p`` value is still refused at once.

    Raises:
        ConfigError: the name of a notebook that reports of the manifest run, not of a report
            (``_refuse_a_notebooks_name``).
    """
    target = args.notebook
    if Path(target).exists() or target.endswith(".ipynb"):
        return None
    manifest, reports = _manifest_reports(args)
    body = reports.get(target)
    if not isinstance(body, dict) or not isinstance(body.get("notebook"), str):
        _refuse_a_notebooks_name(target, manifest, reports)
        return None
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ConfigError(f"{manifest}: report {target!r}: 'parameters' must be a mapping of parameter name to value")
    return str(manifest.parent / body["notebook"]), parameters, manifest.absolute().parent


def _own_data_values(args: argparse.Namespace, values: dict) -> dict:
    """The manifest parameters a ``report run NAME`` takes: all of them, unless the report names its
    ``data`` (``planning_cycle``: the sample, with the sample's ``category``) and the run gives its
    own (``-p data sales.csv``, or ``data`` in ``--parameters-file``). The manifest's values then
    belong to the data it names, so none of them is inherited (the notebook's defaults apply; review
    7.2 #2: the sample's ``category: beauty`` refused every team file) and a note says which were
    left out."""
    import yaml

    if "data" not in values:
        return values
    given = {name for name, *_ in args.param or []}
    if args.parameters_file is not None:
        try:
            loaded = yaml.safe_load(Path(args.parameters_file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            loaded = None  # the parameters file's own check names what is wrong with it
        given |= set(loaded) if isinstance(loaded, dict) else set()
    if "data" not in given:
        return values
    left = ", ".join(f"{k}={v!r}" for k, v in values.items())
    print(f"note: report {args.name!r} of {args.manifest} sets {left} for its own data; with your data none "
          f"of them applies (the notebook's defaults do; give any you want with -p)", file=sys.stderr)
    return {}


def _manifest_reports(args: argparse.Namespace) -> tuple[Path, dict]:
    """``(manifest, its reports)``: ``--manifest``, else ``reports.yaml`` in the current folder or
    the nearest one above (``args.manifest`` is set to it: its time zone dates the run too); no
    reports when there is none or it cannot be read (the notebook path's error then says what is
    wrong)."""
    import yaml

    manifest = Path(args.manifest)
    if not manifest.is_file() and args.manifest == DEFAULT_MANIFEST:
        # run from a subfolder (a scratch/ beside the notebooks): the project's manifest above it
        manifest = next((folder / DEFAULT_MANIFEST for folder in Path.cwd().resolve().parents
                         if (folder / DEFAULT_MANIFEST).is_file()), manifest)
        args.manifest = str(manifest)
    if not manifest.is_file():
        return manifest, {}
    try:
        reports = (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("reports") or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return manifest, {}
    return manifest, reports if isinstance(reports, dict) else {}


def _refuse_a_notebooks_name(name: str, manifest: Path, reports: dict) -> None:
    """A NOTEBOOK argument that is no report of the manifest but the name of a notebook some of its
    reports run (``event_forecast``, run by ``event_new_year_sale`` and ``event_618``; trial 9 F10):
    refused naming those reports and the notebook's path, not "not found"."""
    using = [r for r, body in reports.items() if isinstance(body, dict)
             and isinstance(body.get("notebook"), str) and Path(body["notebook"]).stem == name]
    if using:
        notebook = reports[using[0]]["notebook"]
        raise ConfigError(f"{name!r} is no report of {manifest}; it is the notebook {notebook} of the report(s) "
                          f"{', '.join(using)}: give one of them (its parameters as scheduled), or the notebook's "
                          f"path ({notebook}) for its own defaults")


def _project_notebook(args: argparse.Namespace) -> None:
    """A relative notebook path (``notebooks/event_forecast.ipynb``, as the README writes it) that
    is not under the current folder but under the project's, the nearest folder above with a
    ``reports.yaml`` (a scratch/ beside the notebooks): ``args.notebook`` becomes that file, and
    stderr says so. Any other path is left as given (its own error says it is missing)."""
    path = Path(args.notebook)
    if path.exists() or path.is_absolute() or path.suffix != ".ipynb":
        return
    for folder in Path.cwd().resolve().parents:
        if (folder / DEFAULT_MANIFEST).is_file() and (folder / path).is_file():
            args.notebook = str(folder / path)
            print(f"note: {path} is not under the current folder; using the project's {args.notebook}",
                  file=sys.stderr)
            return


def _run(args: argparse.Namespace) -> int:
    from workbench.reports import params

    values, values_dir, tag = None, None, None
    _project_notebook(args)
    named = _manifest_report(args)
    if named is not None:  # a report of the manifest: its notebook, parameters and name
        if args.name is None:
            args.name = args.notebook
        args.notebook, values, values_dir = named
        values = _own_data_values(args, values)
        if not args.param and args.parameters_file is None:
            tag = ""  # as scheduled: the report's name stands for its manifest parameters
    # The -p values are checked first with the light parameters module: a refused value
    # returns in a fraction of a second, before papermill, nbconvert and pandas are imported.
    pairs = [tuple(pair) for pair in args.param or []]
    declared = params.read_notebook_parameters(args.notebook)
    cli_values = params.parse_cli_parameters(pairs, declared, f"notebook {Path(args.notebook)}")
    params.resolve_paths(cli_values, declared, Path.cwd(), "-p")  # a missing file: refused here

    from workbench.reports import runner

    timezone = _run_timezone(args)
    request = runner.prepare(
        args.notebook,
        values=values,
        values_dir=values_dir,
        tag=tag,
        cli_pairs=pairs,
        parameters_file=args.parameters_file,
        report=args.name,
        logical_date=args.date,
        reports_dir=args.reports_dir,
        cell_timeout_s=args.cell_timeout,
        timezone=timezone,
    )
    print(runner.execute(request).describe())
    return 0


def _print_now(line: str) -> None:
    """One report's line as its run ends: flushed, so a log shows progress (stdout to a file
    is block-buffered)."""
    print(line, flush=True)


def _due(args: argparse.Namespace) -> int:
    from workbench.reports import schedule

    summary = schedule.due(schedule.load_manifest(args.manifest), now=args.now, names=args.reports,
                           progress=_print_now)
    if text := summary.describe():
        print(text)
    return summary.exit_code


def _run_all(args: argparse.Namespace) -> int:
    from workbench.reports import schedule

    summary = schedule.run_all(schedule.load_manifest(args.manifest), names=args.reports, progress=_print_now)
    if text := summary.describe():
        print(text)
    return summary.exit_code


def _history(args: argparse.Namespace) -> int:
    from workbench.reports import index

    if not 1 <= args.limit <= limits.MAX_HISTORY:
        raise ParameterError(f"--limit must be a whole number from 1 to {limits.MAX_HISTORY}, got {args.limit}")
    print(index.history_text(args.reports_dir, args.report, limit=args.limit))
    return 0


def _index(args: argparse.Namespace) -> int:
    from workbench.reports import index

    print(index.write_index(args.reports_dir))
    return 0


def _prune(args: argparse.Namespace) -> int:
    from workbench.reports import index, retention

    for path in retention.prune(args.reports_dir, args.days):
        print(f"removed {path}")
    print(Path(args.reports_dir) / index.INDEX_FILE)
    return 0


def _params(args: argparse.Namespace) -> int:
    from workbench.reports import params

    _project_notebook(args)
    notebook = args.notebook
    named = _manifest_report(args)
    if named is not None:  # a report of the manifest, as `report run NAME` takes it
        notebook, values, _ = named
        print(f"report {args.notebook!r} of {args.manifest}: {notebook}")
        if values:
            print("the manifest sets: " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
    print(params.describe_parameters(params.read_notebook_parameters(notebook)))
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
    run.add_argument("notebook", metavar="NOTEBOOK|NAME",
                     help="the .ipynb to run, or the name of a report in the manifest "
                     "(its notebook and parameters; -p and -f add to them)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a parameter; VALUE is read as the type its default declares")
    run.add_argument("-f", "--parameters-file", metavar="PARAMS.yaml",
                     help="YAML mapping of parameter values (-p wins over it)")
    run.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                     help="logical date of the report (default: today in the report time zone)")
    run.add_argument("--name", help="report name (default: the notebook's file name)")
    low, high = limits.CELL_TIMEOUT_RANGE
    run.add_argument("--cell-timeout", type=float, default=limits.CELL_TIMEOUT_S, metavar="SECONDS",
                     help=f"per-cell time limit in seconds, {low:g} to {high:g} (default: %(default)g)")
    run.add_argument("--timezone", metavar="ZONE",
                     help="time zone of the logical date (default: the manifest's, else Asia/Shanghai)")
    run.add_argument("--manifest", default=DEFAULT_MANIFEST,
                     help="manifest that names reports and whose time zone dates the run (default: "
                     "%(default)s here or in the nearest folder above, if present)")
    reports_dir_option(run)
    run.set_defaults(handler=_interruptible(_run))

    due = sub.add_parser(
        "due", help="run every report whose schedule slot has come since its last success",
        description="For cron or a systemd timer: runs each manifest report whose latest cron "
        "slot has not succeeded yet, once; a report already running is skipped.",
    )
    manifest_options(due)
    due.add_argument("--now", type=_moment, help=argparse.SUPPRESS)  # for reproducing a past call
    due.set_defaults(handler=_interruptible(_due))

    run_all = sub.add_parser(
        "run-all", help="run every report of the manifest once now (the main job)",
        description="Runs every report of the manifest now, writes reports/index.html and "
        "prints its path last.",
    )
    manifest_options(run_all)
    run_all.set_defaults(handler=_interruptible(_run_all))

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
                           description="Remove outputs of runs older than --days; the newest good "
                           "run of every report and parameter set is always kept. Rewrites the "
                           "index and prints its path last.")
    prune.add_argument("--days", type=int, required=True,
                       help=f"keep outputs of the last N days, 1 to {limits.MAX_RETENTION_DAYS}")
    reports_dir_option(prune)
    prune.set_defaults(handler=_prune)

    show = sub.add_parser("params", help="list a notebook's parameters, types and defaults",
                          description="Read the notebook's parameters cell (without running it).")
    show.add_argument("notebook", metavar="NOTEBOOK|NAME",
                      help="the .ipynb to inspect, or the name of a report in the manifest")
    show.add_argument("--manifest", default=DEFAULT_MANIFEST,
                      help="the reports manifest that names reports (default: %(default)s, if present)")
    show.set_defaults(handler=_params)
