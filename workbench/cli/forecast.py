"""``workbench forecast`` and ``workbench backtest``."""

from __future__ import annotations

import argparse

from workbench.errors import ParameterError
from workbench.forecast.engines import ENGINES
from workbench.forecast.models import AUTO, DEFAULT_MODEL, DEFAULT_QUANTILES, MODEL_CHOICES
from workbench.forecast.planning import PLANNING_RECONCILE
from workbench.forecast.jobs import ROUNDING
from workbench.forecast.request import MAX_HORIZON, MAX_LEAD


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def _quantiles(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(q) for q in _list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--quantiles takes numbers like 0.1,0.5,0.9; got {text!r}") from None


def _data_options(parser: argparse.ArgumentParser, freq_help: str = ("D, W, MS or QS; a period is dated by its first day (a week by the day it starts, "
                                                                    "a month by the 1st)")) -> None:
    parser.add_argument("--data", required=True,
                        help="CSV (UTF-8, UTF-8 with BOM or GBK/GB18030, detected), Excel .xlsx, "
                        "Parquet or DuckDB file (long format)")
    parser.add_argument("--encoding", help="CSV text encoding, overriding detection (e.g. gb18030)")
    parser.add_argument("--sheet", help="Excel: sheet name (default: the first sheet)")
    parser.add_argument("--table", help="DuckDB: table or view to read")
    parser.add_argument("--query", help="DuckDB: SQL query to read")
    parser.add_argument("--date-col", required=True, help="date column")
    parser.add_argument("--target", required=True, help="column to forecast (units, GMV, parcels)")
    parser.add_argument("--keys", type=_list, default=[], help="series key columns, comma-separated")
    parser.add_argument("--freq", required=True, help=freq_help)
    parser.add_argument("--gaps", choices=["zero", "error"], default="zero",
                        help="missing periods: fill with 0 (default, reported) or reject")
    parser.add_argument("--events", help="YAML file overriding the retail calendar's event windows")
    parser.add_argument("--successors", metavar="FILE",
                        help="CSV or .xlsx with columns predecessor,successor[,from]: each old code's history "
                        "continues the series of the code that replaced it (a new pack or model), so the new "
                        "code is forecast from the line's history, not as a launch, and the old one is not "
                        "forecast as a stopped line (docs/own-data.md)")
    parser.add_argument("--unavailable", metavar="FILE",
                   help="CSV or .xlsx of days series could not sell (a stock-out): columns start, end (first and "
                        "last day, inclusive) and any of the --keys columns that name the series; those days are "
                        "read as each series' level before it, not as zero demand, with a note; days after the "
                        "history (a planned stock-out) are forecast as sales 0, the demand given up in a lost_sales "
                        "column; a backtest leaves a series out of a window's scores where it declares days in it "
                        "(daily, weekly or monthly data; docs/own-data.md)")
    parser.add_argument("--quantiles", type=_quantiles, default=DEFAULT_QUANTILES,
                        help="quantile levels, comma-separated (default "
                        f"{','.join(map(str, DEFAULT_QUANTILES))})")
    parser.add_argument("--n-jobs", type=int, help="worker processes (default: all cores)")


def register(subparsers) -> None:
    p = subparsers.add_parser("forecast",
                              description="Forecast every series of a long table and write "
                              "keys, ds, yhat and yhat_qNN per quantile (and yhat_baseline with --with-baseline) to a CSV, Excel or Parquet "
                              "file. Every value is >= 0.")
    _data_options(p)
    how_far = p.add_mutually_exclusive_group(required=True)
    how_far.add_argument("--horizon", type=int,
                         help="periods to forecast: 1 to " + ", ".join(f"{n} ({f})" for f, n in MAX_HORIZON.items()))
    how_far.add_argument("--through-event", metavar="EVENT",
                         help="forecast through the end of EVENT's next window after the data "
                         "(618, new_year_sale, double11, spring_festival, ...); prints the window "
                         "and the history end")
    p.add_argument("--event-year", type=int, metavar="Y",
                   help="with --through-event: that year's window instead of the next one")
    p.add_argument("--model", choices=MODEL_CHOICES, default=AUTO,
                   help="model (default auto: " + ", ".join(f"{m} for {f}" for f, m in DEFAULT_MODEL.items()) + ")")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="output file: .csv, .xlsx (a workbook) or .parquet")
    where.add_argument("--out-dir", help="output directory (new or empty): each partition of series "
                       "is written by its worker to DIR/part-NNNNN.parquet, failed series to "
                       "DIR/_failures.csv; for runs too large to hold in one process")
    p.add_argument("--engine", choices=list(ENGINES), default="local",
                   help="local: worker processes on this machine (default); dask: a Dask cluster "
                   "(a LocalCluster of --n-jobs workers, or the one at --dask-address)")
    p.add_argument("--dask-address", help="scheduler of a running Dask cluster, tcp://HOST:PORT "
                   "(with --engine dask); its workers need workbench installed")
    p.add_argument("--partition-size", type=int,
                   help="series per partition, i.e. per task and per output file (default: about "
                   "32 partitions, at most 500 series each)")
    p.add_argument("--conformal-windows", type=int, default=0,
                   help="calibrate the bands of a model that does not calibrate itself on this many "
                   "rolling-origin refits per series (0-10; default 0: the model's own bands)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--excel-csv", action="store_true",
                   help="CSV as UTF-8 with a BOM, so Excel opens Chinese text ungarbled")
    p.add_argument("--keep-date-col", action="store_true",
                   help="name the date column as in the input (--date-col) instead of ds")
    p.add_argument("--window-totals", metavar="FILE",
                   help="with --through-event on daily, weekly or monthly data: also write each series' total over the event "
                        "window with its own band (quantiles of the total, not sums of the daily quantiles) "
                        "to FILE (.csv, .xlsx or .parquet)")
    p.add_argument("--notes", metavar="FILE",
                   help="also write every note, one row per series and note (its key columns, series, note), "
                        "to FILE (.csv, .xlsx or .parquet); the notes printed say a note many series share once, "
                        "with the range of its figures")
    p.add_argument("--reconcile", metavar="METHOD", nargs="?", const="auto", default=None,
                   help="with --through-event and --keys: reconcile the series with their total forecast "
                        "directly, as the event report does, so they add up to one figure (METHOD: auto, the "
                        "default: MinT on the refits, or forecast proportions on a sparse bottom; "
                        f"{', '.join(m for m in PLANNING_RECONCILE if m != 'auto')}); "
                        "a note gives the summed series, the direct total and the reconciled one")
    p.add_argument("--with-baseline", action="store_true",
                   help="also write yhat_baseline, the forecast without event effects (what a budget's "
                   "gmv_target with measure: uplift reads); empty for models without one")
    p.add_argument("--round", choices=list(ROUNDING), dest="rounding",
                   help="round the forecast values: units (whole), units.1 (one decimal), money (two "
                   "decimals); default full precision")
    p.set_defaults(handler=_forecast)

    b = subparsers.add_parser("backtest",
                              description="Rolling-origin backtest: fit with history ending LEAD "
                              "days before each past window of EVENT and score the window.")
    _data_options(b, freq_help="D: event backtests need daily data (event windows are days)")
    b.add_argument("--event", required=True, help="618, new_year_sale, double11, spring_festival, or an event your --events file adds")
    b.add_argument("--years", type=_list, required=True, help="event years, comma-separated")
    b.add_argument("--lead", type=int, default=90,
                   help=f"days between the last day of history and the window's first day, 1 to {MAX_LEAD} (default 90)")
    b.add_argument("--models", type=_list, default=[AUTO, "seasonal_naive", "event_naive"],
                   help=f"models to compare, comma-separated, from {', '.join(MODEL_CHOICES)}")
    b.add_argument("--out", help="also write the comparison table to this CSV")
    b.add_argument("--series-out", help="also write each series' window totals to this CSV, per model and "
                   "window: forecast, actual, error, bias, the window total's band and whether the actual "
                   "fell inside it (to find the series behind a large series bias)")
    b.set_defaults(handler=_backtest)


def _common(args) -> dict:
    return dict(date_col=args.date_col, target=args.target, keys=args.keys, table=args.table,
                query=args.query, gaps=args.gaps, events=args.events, encoding=args.encoding,
                sheet=args.sheet, successors=args.successors, unavailable=args.unavailable)


def _forecast(args) -> int:
    from workbench.forecast.jobs import EventTarget, OutputFormat, forecast_file
    from workbench.forecast.request import ForecastRequest

    if args.event_year is not None and not args.through_event:
        raise ParameterError("--event-year goes with --through-event EVENT")
    through = EventTarget(args.through_event, args.event_year) if args.through_event else None
    # with --through-event the horizon is set from the data's end; 1 stands in until then
    request = ForecastRequest(horizon=args.horizon if through is None else 1, model=args.model,
                              quantiles=args.quantiles, freq=args.freq, engine=args.engine,
                              n_jobs=args.n_jobs, dask_address=args.dask_address,
                              partition_size=args.partition_size, conformal_windows=args.conformal_windows)
    output = OutputFormat(excel_csv=args.excel_csv, rounding=args.rounding,
                          date_name=args.date_col if args.keep_date_col else None)
    result = forecast_file(args.data, request, out=args.out, out_dir=args.out_dir,
                           progress=args.progress, output=output, through=through, echo=print,
                           with_baseline=args.with_baseline, window_totals=args.window_totals,
                           notes=args.notes, reconcile=args.reconcile, **_common(args))
    if args.out_dir:
        print(f"wrote {result.rows} rows for {result.series} series to {len(result.files)} Parquet "
              f"files in {args.out_dir}")
        if result.failures:
            print(f"{len(result.failures)} series failed; listed in {args.out_dir}/_failures.csv")
        _say_replaced(result.replaced)
        return 0
    n_series = result.groupby(args.keys).ngroups if args.keys else 1
    print(f"wrote {len(result)} rows for {n_series} series to {args.out}")
    _say_replaced(result.attrs.get("replaced", []))
    return 0


def _say_replaced(replaced) -> None:
    if replaced:
        print(f"{len(replaced)} of them forecast by recent_level, the guard's fallback (the model failed "
              f"or its forecast was refused; the notes above say why)")


def _backtest(args) -> int:
    import pandas as pd

    from workbench.forecast.jobs import backtest_file

    unknown = [m for m in args.models if m not in MODEL_CHOICES]
    if unknown:
        raise ParameterError(f"--models: unknown {unknown}; choose from {list(MODEL_CHOICES)}")
    try:
        years = [int(y) for y in args.years]
    except ValueError:
        raise ParameterError(f"--years takes years like 2024,2025; got {args.years}") from None
    table = backtest_file(args.data, event=args.event, years=years, lead=args.lead, models=args.models,
                          out=args.out, series_out=args.series_out, freq=args.freq, quantiles=args.quantiles,
                          n_jobs=args.n_jobs, **_common(args))
    for note in table.attrs.get("notes", []):
        print("note:", note)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        # a figure that cannot be scored is blank, never NaN, and the line after the table says why
        print(table.drop(columns=["worst_series", "not_scored"]).round(4).to_string(index=False, na_rep=""))
    for _, row in table[table["worst_series"] != ""].iterrows():  # the series behind a large series bias
        print(f"furthest off, {row['model']} on {row['window']}: {row['worst_series']}")
    for _, row in table[table["not_scored"] != ""].iterrows():
        print(f"blank or partly scored, {row['model']} on {row['window']}: {row['not_scored']}")
    if args.series_out:
        print(f"wrote every series' window totals per model and window to {args.series_out}")
    for line in table.attrs.get("verdict", []):  # the event report's verdict, said here too (trial 9 F3)
        print(line)
    return 0
