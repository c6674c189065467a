"""File-to-file forecasting jobs behind the CLI and the notebooks: read, validate, run, write."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar
from workbench.data.headers import ProductNamesWarning, product_names, with_names
from workbench.data.io import WRITE_SUFFIXES, read_table, refuse_overwrite, write_table
from workbench.data.successors import SuccessorsWarning, map_codes, read_successors
from workbench.data.unavailable import read_unavailable
from workbench.data.validate import PERIOD_LENGTH, period_end, prepare_long_frame, table_notes
from workbench.errors import ParameterError
from workbench.forecast.backtest import compare_models, event_windows, unseen_note, window_history
from workbench.forecast.core import LOST_SALES, ForecastRun, forecast, forecast_to_parquet
from workbench.forecast.engines import make_engine
from workbench.forecast.models import AUTO, resolve_model
from workbench.forecast.models.base import DEFAULT_QUANTILES
from workbench.forecast.planning import backtest_verdict, describe_window, event_window, horizon_through
from workbench.forecast.window_band import SPAN_STRIDE
from workbench.forecast.request import (ForecastRequest, check_keys, check_lead, check_quantiles,
                                        check_whole_number)


def load_series(data: str | Path, *, date_col: str, target: str, keys=(), freq: str = "D",
                table: str | None = None, query: str | None = None, gaps: str = "zero",
                encoding: str | None = None, sheet: str | int | None = None, successors=None,
                calendar: RetailCalendar | None = None):
    """Read and validate a long table; returns the standard frame and its validation report.
    ``successors``: a successor mapping file (``workbench.data.successors``), checked before the
    table is read and applied to the frame, with a note; codes that look like an undeclared
    replacement get one too (``likely_replacements``). The table's own notes (columns not read,
    the last period, years outside the calendar, a product level the keys lack) come from
    ``validate.table_notes``, judged on ``calendar`` (the run's, a planner's events included;
    None: the shipped one). Notes are warnings (``GapsFilledWarning``, the kinds
    ``table_notes`` issues, ``SuccessorsWarning``) and the frame's ``attrs["data_notes"]`` (for
    a notes file; the gaps' summary only when it names an export outage that was filled)."""
    mapping = read_successors(successors) if successors is not None else None
    raw = read_table(data, table=table, query=query, encoding=encoding, sheet=sheet,
                     text_columns=list(keys))  # codes such as 00123 keep their zeros
    frame, report = prepare_long_frame(raw, date_col=date_col, target_col=target, keys=list(keys),
                                       freq=freq, gaps=gaps)
    source = raw.attrs.get("source", str(data))
    # product names (商品名称) ride beside the codes into every table the run writes (trial 15 F9)
    names, named = product_names(raw, keys, source)
    for note in named:
        warnings.warn(note, ProductNamesWarning, stacklevel=2)
    used = [date_col, target, *keys, *([names["header"]] if names else [])]
    read = table_notes(frame, freq, source, raw=raw, used=used, target=target, keys=list(keys), level_flag="--keys",
                       calendar=calendar, warn=True) + named
    frame, notes = map_codes(frame, keys, mapping)
    for note in notes:
        warnings.warn(note, SuccessorsWarning, stacklevel=2)
    outage_notes = [report.summary()] if report.missing_runs else []  # an outage filled: in the notes file too (review 1 #10)
    frame.attrs["data_notes"] = outage_notes + read + notes
    frame.attrs["product_names"] = names
    return frame, report


ROUNDING = {"units": 0, "units.1": 1, "money": 2}  # decimals of the forecast values per kind


@dataclass(frozen=True)
class OutputFormat:
    """How a forecast table is written for a planner: ``excel_csv`` (UTF-8 with a BOM so Excel
    opens Chinese text), ``date_name`` (the date column's name; None keeps ``ds``, the name
    other tools read), ``rounding`` (a key of ``ROUNDING``: units whole or to one decimal,
    money to two; None keeps full precision). Checked on construction."""

    excel_csv: bool = False
    date_name: str | None = None
    rounding: str | None = None

    def __post_init__(self):
        if self.rounding is not None and self.rounding not in ROUNDING:
            raise ParameterError(f"--round: {self.rounding!r} is not one of {list(ROUNDING)}")

    @property
    def is_default(self) -> bool:
        return self == OutputFormat()

    def check_path(self, out, flag: str = "--out") -> None:
        """Refuse an output type the table cannot be written as, before any work (``flag``: the
        option that named ``out``, for the message)."""
        suffix = Path(out).suffix.lower()
        if suffix not in WRITE_SUFFIXES and suffix != ".pq":
            raise ParameterError(f"{flag} {out}: unknown output type {suffix or '(no suffix)'!r}; end the "
                                 f"name with {', '.join(WRITE_SUFFIXES)}")
        if self.excel_csv and suffix != ".csv":
            raise ParameterError(f"--excel-csv applies to a .csv output; {flag} is {out}")

    def write(self, frame: pd.DataFrame, out, names: dict | None = None) -> Path:
        """Write ``frame`` (``ds``, ``yhat...`` columns) to ``out`` in this format, with the
        products' names beside their codes (``names``: ``data.headers.product_names``')."""
        frame = with_names(frame, names)
        decimals = None
        if self.rounding is not None:
            decimals = {c: ROUNDING[self.rounding] for c in frame.columns if c.startswith("yhat")}
        return write_table(frame, out, excel_csv=self.excel_csv, date_name=self.date_name,
                           decimals=decimals)


@dataclass(frozen=True)
class EventTarget:
    """``--through-event EVENT [--event-year Y]``: forecast through the end of that event's
    window (``year`` None: the next window after the data)."""

    event: str
    year: int | None = None

    def __post_init__(self):
        if self.year is not None:
            check_whole_number(self.year, "--event-year", 2000, 2099)


def forecast_file(data, request: ForecastRequest, *, date_col: str, target: str, keys=(),
                  out=None, out_dir=None, table=None, query=None, gaps="zero",
                  encoding: str | None = None, sheet: str | int | None = None,
                  events: str | None = None, progress: bool | None = False,
                  output: OutputFormat = OutputFormat(), through: EventTarget | None = None,
                  echo=None, with_baseline: bool = False, window_totals=None,
                  notes=None, successors=None, reconcile: str | None = None,
                  unavailable=None) -> pd.DataFrame | ForecastRun:
    """Forecast every series of a file as ``request`` says (built and checked by the caller).

    With ``out`` (CSV, Excel or Parquet) it writes ``keys, ds, yhat, yhat_qNN`` there in the
    ``output`` format and returns the frame; with ``out_dir`` each partition's workers write
    ``out_dir/part-NNNNN.parquet`` (the same columns; no process holds every forecast) and it
    returns the ``ForecastRun``. With ``through``, the horizon is set to the periods from the
    end of the data through the end of that event window (``request.horizon`` is replaced) and
    ``echo`` (e.g. ``print``) receives the window and the history end. With ``with_baseline``
    a ``yhat_baseline`` column (the forecast without event effects; empty for series whose model
    has none) follows the quantiles, and ``echo`` is told how many series lack one. With
    ``window_totals`` (a file; days, weeks or months, ``through`` and ``out`` only) each series'
    total over the event window (a week or month with the share of its days inside it) is also
    written there, ``keys, yhat, yhat_qNN, window_band``: quantiles of the total
    (``workbench.forecast.window_band``), not sums of the days' quantiles. With
    ``notes`` (a file) every note is written there, one row per series and note (its key
    columns, ``series``, ``note``: ``workbench.notes.note_rows``); the notes printed say a note
    many series share once (``workbench.notes.said_once``), and without ``notes`` ``echo`` is
    told how to get each series' own. With ``successors`` (a mapping file,
    ``workbench.data.successors``) each replaced code's history continues its successor's series.
    With ``reconcile`` (a method of ``planning.PLANNING_RECONCILE``; ``through``, keys and ``out``
    only, local engine) the series are reconciled with their total forecast directly, as the
    event report does (``planning.event_forecast``: ``"auto"`` is MinT on the refits, or forecast
    proportions on a sparse bottom), so the file's series add up to one total; its note gives the
    summed series, the direct total and the reconciled one (trial 11 F7c: the SKUs summed to +4.8%
    and the total to +16% on one window, and the CLI could not make them agree), and the window
    totals carry the bands scaled to the reconciled figures.
    With ``unavailable`` (a file of days series could not sell: ``workbench.data.unavailable``; daily,
    weekly or monthly data, ``reconcile`` too) those in the history are read as each series' level, with
    a note (``core.censor_unavailable``), so a stock-out is no stop or drop; those in the horizon (a
    planned stock-out) are forecast as sales 0, the demand given up in a ``lost_sales`` column of the
    forecast and of the window totals, with a note (``core.constrain_unavailable``).
    Raises ``ParameterError`` before reading for a missing, doubled or unwritable output, an
    output over an input, or repeated keys; ``DataValidationError`` for bad data.
    """
    if (out is None) == (out_dir is None):
        raise ParameterError("give exactly one of --out FILE or --out-dir DIR")
    if out is not None:
        output.check_path(out)
        refuse_overwrite(out, data, events, successors, unavailable)
    elif not output.is_default:
        raise ParameterError("--excel-csv, --keep-date-col and --round format an --out FILE; --out-dir "
                             "writes Parquet partitions as they are")
    if window_totals is not None:
        if through is None or request.freq not in SPAN_STRIDE or out is None:
            raise ParameterError("--window-totals goes with --through-event EVENT on daily, weekly or monthly data "
                                 "(--freq D, W or MS) and --out FILE: it writes each series' total over that event "
                                 "window")
        _check_side_output("--window-totals", window_totals, output, (data, events, successors), (out,))
    if notes is not None:
        _check_side_output("--notes", notes, output, (data, events, successors), (out, out_dir, window_totals))
    keys = check_keys(keys, date_col=date_col, target_col=target)
    if reconcile is not None:
        _check_reconcile(reconcile, request, keys, through, out)
    if unavailable is not None and request.freq not in ("D", "W", "MS"):
        raise ParameterError(f"--unavailable declares days, read on daily, weekly or monthly data; this run is "
                             f"--freq {request.freq}: give the daily, weekly or monthly data")
    calendar = RetailCalendar(events) if events else None
    if through is not None:
        (calendar or default_calendar()).label(through.event)  # an unknown event fails here
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=request.freq,
                           table=table, query=query, gaps=gaps, encoding=encoding, sheet=sheet,
                           successors=successors, calendar=calendar)
    spans = read_unavailable(unavailable, frame, keys) if unavailable is not None else None
    if through is not None:
        last_period = frame["ds"].max()
        history_end = period_end(last_period, request.freq)  # a week or month dated by its first day
        window = event_window(through.event, through.year, history_end, calendar)
        request = request.replace(horizon=horizon_through(window, last_period, request.freq))
        if echo:
            echo(f"{describe_window(window, history_end)}; horizon {request.horizon} periods")
    if reconcile is not None:
        return _reconciled_file(frame, request, keys, window, calendar, reconcile, out, output, echo,
                                with_baseline, window_totals, notes, spans)
    with make_engine(request.engine, n_workers=request.n_jobs, address=request.dask_address) as runner:
        run = request.replace(engine=runner, n_jobs=None, dask_address=None)
        if out_dir is not None:
            result = forecast_to_parquet(frame, out_dir, run, keys=keys, calendar=calendar, progress=progress,
                                         with_baseline=with_baseline, unavailable=spans)
            _write_notes(frame.attrs.get("data_notes", []) + result.notes, notes, output, echo)
            return result
        fc = forecast(frame, run, keys=keys, calendar=calendar, progress=progress, with_baseline=with_baseline,
                      unavailable=spans, window=(window.start, window.end) if window_totals is not None else None)
    if with_baseline and echo and fc["yhat_baseline"].isna().any():
        missing = fc[fc["yhat_baseline"].isna()]
        count = missing.groupby(keys).ngroups if keys else 1
        echo(f"note: {count:,} series have no baseline (their model, e.g. a naive one or the fallback, has no "
             f"separate event effect): yhat_baseline is empty there; --model auto or event_profile gives one")
    names = frame.attrs.get("product_names")
    output.write(fc, out, names)
    if window_totals is not None:
        totals = pd.DataFrame(fc.attrs["window_bands"])
        output.write(totals, window_totals, names)
        if echo:
            echo(f"wrote the window totals of {len(totals):,} series to {window_totals}: their "
                 f"{', '.join(c for c in totals.columns if c.startswith('yhat_q'))} are quantiles of each total over "
                 f"the window (window_band says where they come from), not sums of the days' quantiles")
    _write_notes(frame.attrs.get("data_notes", []) + fc.attrs.get("notes", []), notes, output, echo)
    return fc


def _check_reconcile(method: str, request: ForecastRequest, keys, through, out) -> None:
    """Refuse, before any work, a ``--reconcile`` the run cannot give (``forecast_file``)."""
    from workbench.forecast.planning import PLANNING_FREQUENCIES, PLANNING_RECONCILE

    if method not in PLANNING_RECONCILE:
        raise ParameterError(f"--reconcile {method!r} is not one of {', '.join(PLANNING_RECONCILE)}")
    if through is None or out is None or not keys or request.freq not in PLANNING_FREQUENCIES \
            or request.engine not in ("local", None):
        raise ParameterError("--reconcile goes with --through-event EVENT, --keys (the series it reconciles "
                             "with their total), --out FILE, daily, weekly or monthly data (--freq D, W or MS) "
                             "and the local engine")
    if request.conformal_windows:
        raise ParameterError("--reconcile takes each model's own bands; leave out --conformal-windows")


def _reconciled_file(frame, request: ForecastRequest, keys, window, calendar, method: str, out,
                     output: OutputFormat, echo, with_baseline: bool, window_totals, notes,
                     spans=None) -> pd.DataFrame:
    """``forecast_file``'s run with ``reconcile``: ``planning.event_forecast`` on the whole history
    (the window is after the data; ``spans``: declared unavailable days, as it takes them), its series
    written through the window's last period."""
    from workbench.forecast.planning import event_forecast

    if window.start <= period_end(frame["ds"].max(), request.freq):
        raise ParameterError(f"--reconcile plans a window after the data; {window.label} {window.year} starts "
                             f"{window.start.date()}, inside it (the backtest scores past windows)")
    result = event_forecast(frame, event=window.event, year=window.year, model=request.model,
                            quantiles=request.quantiles, keys=keys, calendar=calendar, n_jobs=request.n_jobs,
                            reconcile=method, freq=request.freq, unavailable=spans)
    last = frame["ds"].max() + PERIOD_LENGTH[request.freq] * request.horizon
    fc = result.forecast[result.forecast["ds"] <= last]
    columns = [*keys, "ds", "yhat", *[c for c in fc.columns if c.startswith("yhat_q")]]
    given = [LOST_SALES] if LOST_SALES in fc else []
    fc = fc[columns + (["yhat_baseline"] if with_baseline else []) + given].reset_index(drop=True)
    names = frame.attrs.get("product_names")
    output.write(fc, out, names)
    if window_totals is not None:
        totals = result.totals[[*keys, "yhat", *[c for c in result.totals.columns if c.startswith("yhat_q")],
                                "window_band", *given]]
        output.write(totals, window_totals, names)
        if echo:
            echo(f"wrote the reconciled window totals of {len(totals):,} series to {window_totals}")
    if echo:  # the models' notes were printed as warnings; the reconciliation's is the run's own
        for note in result.notes:
            if note.startswith(("levels reconciled", "levels not reconciled")):
                echo(f"note: {note}")
    _write_notes(frame.attrs.get("data_notes", []) + result.notes, notes, output, echo)
    fc.attrs["notes"] = result.notes
    return fc


def _check_side_output(flag: str, path, output: OutputFormat, inputs, outputs) -> None:
    """Refuse, before any work, a second output file of an unknown type, over an input or on
    another output of the run."""
    output.check_path(path, flag)
    refuse_overwrite(path, *inputs, flag=flag)
    if any(o is not None and Path(o).resolve() == Path(path).resolve() for o in outputs):
        raise ParameterError(f"{flag} {path} is another output of this run; name another file")


def _write_notes(notes: list[str], path, output: OutputFormat, echo) -> None:
    """Write every series' own note to ``path`` (``note_rows``: the key columns first, then
    ``series`` and ``note``, whatever note comes first), or, without a path, tell
    ``echo`` that the notes printed said some once for many series, with the flag that writes
    each series' own."""
    from workbench.notes import note_rows, said_once

    if path is not None:
        rows = note_rows(notes)
        keys = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in ("series", "note")]
        write_table(pd.DataFrame(rows, columns=[*keys, "series", "note"]), path, excel_csv=output.excel_csv)
        if echo:
            echo(f"wrote {len(rows):,} notes, one row per series and note, to {path}")
    elif echo and len(said_once(notes)) < len(dict.fromkeys(notes)):
        echo("note: a note that many series share is said once above, with the range of its figures; "
             "--notes FILE writes each series' own")


def _check_backtest_years(frame: pd.DataFrame, event: str, years, lead: int, calendar, models=()) -> list[str]:
    """Refuse, before any fit, a year whose window is not inside the data or has too little
    history before its cut-off (``backtest.window_history``, the event report's rule); the
    message says why for each and lists the years this data and lead allow. Returns notes for
    the years whose history holds no earlier window of the event (the models forecast it
    without having seen it); what ``auto`` then borrows is said only when ``models`` holds it
    (review 8.4 #9: the note named auto's models on a run without them)."""
    calendar = calendar or default_calendar()
    start, end = frame["ds"].min(), frame["ds"].max()
    history = {y: window_history(event, y, lead, start, end, calendar) for y in years}
    bad = {y: h.refused for y, h in history.items() if h.refused}
    if bad:
        allowed = [y for y in range(start.year - 1, end.year + 1)
                   if not window_history(event, y, lead, start, end, calendar).refused]
        reasons = "; ".join(f"{y}: {why}" for y, why in bad.items())
        raise ParameterError(
            f"--years {list(bad)}: {reasons}. With this data and --lead {lead} the years are "
            f"{allowed if allowed else 'none (use a shorter --lead or more history)'}")
    return [note for y, h in history.items() if (note := unseen_note(event, y, h, calendar, models))]


def backtest_file(data, *, date_col, target, keys=(), freq="D", event: str, years, lead: int = 90,
                  models=(AUTO, "seasonal_naive", "event_naive"), quantiles=DEFAULT_QUANTILES,
                  out=None, table=None, query=None, gaps="zero", events: str | None = None,
                  n_jobs: int | None = None, encoding: str | None = None,
                  sheet: str | int | None = None, successors=None, unavailable=None,
                  series_out=None) -> pd.DataFrame:
    """Compare ``models`` on past windows of ``event`` in ``years``, each fitted on history
    ending ``lead`` days before its window; write the table to ``out`` if given, and every
    series' window totals per model and window (``backtest.series_table``: forecast, actual,
    error, bias, band, in band) to ``series_out`` if given (trial 12 F12) (``successors``:
    a successor mapping file, as ``load_series`` applies it; ``unavailable``: a file of days series
    could not sell, ``workbench.data.unavailable``, as ``backtest.backtest_windows`` takes it). Every
    parameter is checked before the file is read (``ParameterError`` naming it). Models skipped
    on a window are named in ``table.attrs["notes"]`` (see ``compare_models``); what the table
    says about ``auto`` (the default model; else the first of ``models``), as the event report
    says it (``planning.backtest_verdict``: its bias, its bands' coverage, a more accurate model),
    in ``table.attrs["verdict"]``."""
    if freq != "D":
        raise ParameterError(f"--freq: event backtests need daily data; got {freq!r}")
    refuse_overwrite(out, data, events, successors, unavailable)
    if series_out is not None:
        _check_side_output("--series-out", series_out, OutputFormat(), [data, events, successors, unavailable],
                           [out])
    lead = check_lead(lead)
    keys = check_keys(keys, date_col=date_col, target_col=target)
    quantiles = check_quantiles(quantiles)
    for model in models:
        resolve_model(model, freq)
    if len(set(models)) < len(models):
        raise ParameterError(f"--models: {sorted({m for m in models if list(models).count(m) > 1})} named more "
                             f"than once; name each model once")
    years = [check_whole_number(y, "--years", 2000, 2099) for y in years]
    repeated = sorted({y for y in years if years.count(y) > 1})
    if repeated or not years:
        raise ParameterError(f"--years: {repeated} given more than once; name each year once" if repeated
                             else "--years: name at least one year")
    calendar = RetailCalendar(events) if events else None
    windows = event_windows(event, years, calendar)
    frame, _ = load_series(data, date_col=date_col, target=target, keys=keys, freq=freq,
                           table=table, query=query, gaps=gaps, encoding=encoding, sheet=sheet,
                           successors=successors, calendar=calendar)
    spans = read_unavailable(unavailable, frame, keys) if unavailable is not None else None
    unseen = _check_backtest_years(frame, event, years, lead, calendar, models)
    table_ = compare_models(frame, models=models, windows=windows, lead=lead, keys=keys,
                            quantiles=quantiles, calendar=calendar, n_jobs=n_jobs, unavailable=spans)
    table_.attrs["notes"] = unseen + list(table_.attrs.get("notes", []))
    judged = AUTO if AUTO in models else models[0]  # the model `workbench forecast` uses unless told
    table_.attrs["verdict"] = [f"what the backtest says about {judged}: {line}"
                               for line in backtest_verdict(table_, judged, quantiles)]
    if out:
        write_table(table_, out)
    if series_out is not None:
        write_table(with_names(table_.attrs["series"], frame.attrs.get("product_names")), series_out)
    return table_
