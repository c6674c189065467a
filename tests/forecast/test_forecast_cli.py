"""The forecast and backtest command-line contracts, run as a user would (a real subprocess)."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.data.sample import load_sample


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "category.csv"
    frame = load_sample("category")
    frame[frame.ds >= "2024-09-01"].to_csv(path, index=False)
    return path


def test_forecast_command_writes_the_contract_columns(sample_csv, tmp_path):
    out = tmp_path / "fc.csv"
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "forecast", "--data", str(sample_csv),
                           "--date-col", "ds", "--target", "units", "--keys", "category", "--freq", "D",
                           "--horizon", "21", "--quantiles", "0.05,0.5,0.95", "--out", str(out)],
                          capture_output=True, text=True, check=True)
    assert "6 series" in proc.stdout
    fc = pd.read_csv(out)
    assert list(fc.columns) == ["category", "ds", "yhat", "yhat_q5", "yhat_q50", "yhat_q95"]
    assert len(fc) == 6 * 21


def test_weekly_forecast_with_a_baseline_model(sample_csv, tmp_path):
    weekly = pd.read_csv(sample_csv, parse_dates=["ds"]).groupby(
        ["category", pd.Grouper(key="ds", freq="W-SUN")]).units.sum().reset_index()
    weekly = weekly[weekly.ds < weekly.ds.max()]
    weekly.to_csv(tmp_path / "w.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "w.csv"), "--date-col", "ds", "--target", "units",
                 "--keys", "category", "--freq", "W", "--horizon", "4", "--model", "seasonal_naive",
                 "--out", str(tmp_path / "w_fc.csv")])
    assert code == 0 and len(pd.read_csv(tmp_path / "w_fc.csv")) == 24


def test_backtest_command_prints_and_writes_the_table(sample_csv, tmp_path, capsys):
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units",
                 "--freq", "D", "--keys", "category", "--event", "618", "--years", "2025", "--lead", "60",
                 "--models", "auto,seasonal_naive", "--out", str(tmp_path / "bt.csv")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "618 2025" in printed and "wape" in printed
    assert set(pd.read_csv(tmp_path / "bt.csv").model) == {"auto", "seasonal_naive"}


def test_bad_input_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("ds,units\n2024-01-01,5\n2024-01-02,-3\n")
    code = main(["forecast", "--data", str(bad), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--horizon", "3", "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2 and f"error: {bad}: column 'units' has negative values at line 3" in err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("command", [[], ["forecast"], ["backtest"], ["data"], ["data", "sample"]])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0 and "usage: workbench" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--horizon", "100000"], "horizon must be from 1 to 1098 days; got 100000"),
    (["--horizon", "0"], "horizon must be from 1 to 1098 days; got 0"),
    (["--horizon", "7", "--keys", "category,category"], "--keys names ['category'] more than once"),
    (["--horizon", "7", "--quantiles", "0.1,1.5"], "quantiles must lie strictly between 0 and 1"),
    (["--horizon", "7", "--n-jobs", "0"], "n_jobs must be from 1 to 4096 workers; got 0"),
    (["--horizon", "7", "--partition-size", "-1"], "partition_size must be from 1"),
    (["--horizon", "7", "--conformal-windows", "11"], "conformal_windows must be from 0 to 10 refits; got 11"),
])
def test_forecast_bounds_are_refused_before_reading(extra, message, tmp_path, capsys):
    """Issue 10 section 3: checked before the data are read (the file here does not exist)."""
    code = main(["forecast", "--data", str(tmp_path / "absent.csv"), "--date-col", "ds", "--target", "units",
                 "--freq", "D", "--out", str(tmp_path / "o.csv"), *extra])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("lead, message", [("-30", "lead must be from 1 to 366 days; got -30"),
                                           ("0", "lead must be from 1 to 366 days; got 0"),
                                           ("400", "lead must be from 1 to 366 days; got 400")])
def test_backtest_lead_out_of_bounds_is_refused(lead, message, tmp_path, capsys):
    """A lead of 0 or below would train on the window it scores."""
    code = main(["backtest", "--data", str(tmp_path / "absent.csv"), "--date-col", "ds", "--target", "units",
                 "--freq", "D", "--event", "618", "--years", "2025", "--lead", lead])
    assert code == 2 and message in capsys.readouterr().err


def test_backtest_refuses_repeated_keys(sample_csv, capsys):
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--keys", "category,category", "--event", "618", "--years", "2025"])
    assert code == 2 and "--keys names ['category'] more than once" in capsys.readouterr().err


def _forecast_args(data, *extra):
    return ["forecast", "--data", str(data), "--date-col", "ds", "--target", "units", "--keys", "category",
            "--freq", "D", *extra]


def test_through_event_forecasts_to_the_end_of_the_next_window(sample_csv, tmp_path, capsys):
    """Issue 11: a user computed --horizon 202 by hand; the data end 2026-10-31."""
    out = tmp_path / "fc.csv"
    code = main(_forecast_args(sample_csv, "--through-event", "new_year_sale", "--out", str(out)))
    printed = capsys.readouterr().out
    assert code == 0
    assert ("年货节 / New Year sale 2027: 2027-01-02 to 2027-01-29 (28 days); history ends 2026-10-31, "
            "63 days before the window; horizon 90 periods") in printed
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert fc.ds.min() == pd.Timestamp("2026-11-01") and fc.ds.max() == pd.Timestamp("2027-01-29")
    code = main(_forecast_args(sample_csv, "--through-event", "618", "--event-year", "2027", "--out", str(out)))
    assert code == 0 and "618 2027: 2027-05-20 to 2027-06-18" in capsys.readouterr().out
    assert pd.read_csv(out, parse_dates=["ds"]).ds.max() == pd.Timestamp("2027-06-18")


def test_notes_many_series_share_are_said_once_and_written_per_series_with_notes(sample_csv, tmp_path, capsys):
    """Trial 6: a 13-week forecast printed one festival note per series, each with its own figures
    (141 of 168 lines). The note is said once with the range of its figures; --notes writes each
    series' own, with its key columns."""
    out, notes = tmp_path / "fc.csv", tmp_path / "notes.csv"
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--model", "recent_level", "--out", str(out)))
    printed = capsys.readouterr()
    flat = [line for line in printed.err.splitlines() if "flat mean of the last" in line]
    assert code == 0 and len(flat) == 1 and flat[0].startswith("note: 6 series (category=")
    assert "--notes FILE writes each series' own" in printed.out
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--model", "recent_level", "--out", str(out),
                               "--notes", str(notes)))
    assert code == 0 and f"notes, one row per series and note, to {notes}" in capsys.readouterr().out
    table = pd.read_csv(notes)
    own = table[table.note.str.contains("flat mean of the last")]
    assert list(table.columns) == ["category", "series", "note"]
    assert sorted(own.category) == sorted(pd.read_csv(out).category.unique()) and own.note.nunique() == 6
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--out", str(out), "--notes", str(out)))
    assert code == 2 and f"--notes {out} is another output of this run" in capsys.readouterr().err
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--out", str(out), "--notes", str(sample_csv)))
    assert code == 2 and f"--notes {sample_csv} is the input file" in capsys.readouterr().err


def test_window_totals_are_written_with_their_own_band(sample_csv, tmp_path, capsys):
    """A planner summing the daily P10/P90 of the file gets no band of a window total (trial 4 F9):
    --window-totals writes each series' total over the event window with its own quantiles."""
    out, totals = tmp_path / "fc.csv", tmp_path / "totals.csv"
    code = main(_forecast_args(sample_csv, "--through-event", "new_year_sale", "--out", str(out),
                               "--window-totals", str(totals)))
    assert code == 0 and f"to {totals}: their yhat_q10, yhat_q50, yhat_q90 are quantiles of each total" \
        in capsys.readouterr().out
    fc, table = pd.read_csv(out, parse_dates=["ds"]), pd.read_csv(totals).set_index("category")
    inside = fc[(fc.ds >= "2027-01-02") & (fc.ds <= "2027-01-29")].groupby("category")
    assert list(table.index) == sorted(fc.category.unique()) and (table.window_band == "refits").all()
    assert (table.yhat - inside.yhat.sum().reindex(table.index)).abs().max() < 1e-6 * table.yhat.max()
    assert (table.yhat_q10 <= table.yhat).all() and (table.yhat <= table.yhat_q90).all()
    summed = inside.yhat_q90.sum() - inside.yhat_q10.sum()
    assert ((table.yhat_q90 - table.yhat_q10) < summed.reindex(table.index)).mean() > 0.5
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--out", str(out), "--window-totals", str(totals)))
    assert code == 2 and "--window-totals goes with --through-event" in capsys.readouterr().err


def test_through_event_on_monthly_data_counts_from_the_last_months_end(sample_csv, tmp_path, capsys):
    """A month is dated by its first day: data through October end on Oct 31, and the 年货节
    window (Jan 2-29) ends in January (a new user's run said "history ends 2026-10-01, 93 days
    before" and forecast February too)."""
    daily = pd.read_csv(sample_csv, parse_dates=["ds"])
    monthly = daily.groupby(["category", pd.Grouper(key="ds", freq="MS")]).units.sum().reset_index()
    data, out = tmp_path / "monthly.csv", tmp_path / "fc.csv"
    monthly.to_csv(data, index=False)
    args = [a if a != "D" else "MS" for a in _forecast_args(data, "--through-event", "new_year_sale", "--out", str(out))]
    assert main(args) == 0
    assert "history ends 2026-10-31, 63 days before the window; horizon 3 periods" in capsys.readouterr().out
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert sorted(fc.ds.unique()) == list(pd.to_datetime(["2026-11-01", "2026-12-01", "2027-01-01"]))


def test_through_event_and_horizon_are_mutually_exclusive(sample_csv, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(_forecast_args(sample_csv, "--through-event", "618", "--horizon", "7", "--out", str(tmp_path / "o.csv")))
    assert done.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["--horizon", "7", "--event-year", "2027"], "--event-year goes with --through-event EVENT"),
    (["--through-event", "black_friday"], "unknown event 'black_friday'"),
    (["--through-event", "618", "--event-year", "2026"], "618 2026 ended on 2026-06-18, on or before the end of "
                                                         "the data (2026-10-31)"),
    (["--through-event", "618", "--event-year", "2031"], "horizon must be from 1 to 1098 days"),
    (["--through-event", "618", "--event-year", "1999"], "--event-year must be from 2000 to 2099"),
])
def test_through_event_refusals(sample_csv, tmp_path, capsys, extra, message):
    code = main(_forecast_args(sample_csv, *extra, "--out", str(tmp_path / "o.csv")))
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_output_options_excel_csv_workbook_date_name_and_rounding(tmp_path, capsys):
    frame = load_sample("category")
    frame = frame[frame.ds >= "2025-09-01"].rename(columns={"ds": "日期", "category": "品类"})
    data = tmp_path / "销量.csv"
    frame.to_csv(data, index=False)
    args = ["forecast", "--data", str(data), "--date-col", "日期", "--target", "units", "--keys", "品类",
            "--freq", "D", "--horizon", "14"]
    assert main([*args, "--out", str(tmp_path / "fc.csv"), "--excel-csv", "--keep-date-col", "--round", "units.1"]) == 0
    raw = (tmp_path / "fc.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "品类,日期,yhat".encode() in raw
    fc = pd.read_csv(tmp_path / "fc.csv", encoding="utf-8-sig")
    values = fc.filter(like="yhat").to_numpy()
    assert (abs(values * 10 - (values * 10).round()) < 1e-9).all()
    assert main([*args, "--out", str(tmp_path / "fc.xlsx"), "--round", "units"]) == 0
    book = pd.read_excel(tmp_path / "fc.xlsx")
    assert list(book.columns[:2]) == ["品类", "ds"] and len(book) == 6 * 14
    assert (book.filter(like="yhat") == book.filter(like="yhat").round()).all().all()
    plain = main([*args, "--out", str(tmp_path / "plain.csv")])
    assert plain == 0 and not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("extra, message", [
    (["--out", "{data}"], "is the input file"),
    (["--out", "{tmp}/fc.parquet", "--excel-csv"], "--excel-csv applies to a .csv output"),
    (["--out", "{tmp}/fc.json"], "unknown output type '.json'"),
    (["--out-dir", "{tmp}/parts", "--round", "units"], "format an --out FILE"),
])
def test_output_refusals_come_before_any_work(sample_csv, tmp_path, capsys, extra, message):
    before = sample_csv.read_bytes()
    extra = [e.format(data=sample_csv, tmp=tmp_path) for e in extra]
    code = main(_forecast_args(sample_csv, "--horizon", "7", *extra))
    assert code == 2 and message in capsys.readouterr().err
    assert sample_csv.read_bytes() == before and not (tmp_path / "parts").exists()


def test_backtest_never_writes_over_its_input(sample_csv, capsys):
    before = sample_csv.read_bytes()
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--event", "618", "--years", "2025", "--out", str(sample_csv)])
    assert code == 2 and "is the input file" in capsys.readouterr().err and sample_csv.read_bytes() == before


@pytest.mark.parametrize("years, lead, message", [
    ("3000", "90", "--years must be from 2000 to 2099; got 3000"),
    ("2025,2025", "90", "--years: [2025] given more than once"),
    ("2027", "90", "--years [2027]: 2027: the window ends 2027-06-18, after the data (2026-10-31)"),
    ("2025", "300", "With this data and --lead 300 the years are [2026]"),
    # trial 7: a cut-off on the data's first day failed in every model with advice to try them
    ("2025", "254", "2025: its cut-off 2024-09-01 (254 days before the window) has 0 days of history before it "
                    "(the data start 2024-09-01); a backtest needs 56"),
])
def test_backtest_years_beyond_the_data_name_the_years_allowed(sample_csv, capsys, years, lead, message):
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--keys", "category", "--event", "618", "--years", years, "--lead", lead])
    assert code == 2 and message in capsys.readouterr().err


def test_gbk_file_with_chinese_headers_and_zero_led_codes(tmp_path, capsys):
    days = pd.date_range("2025-01-01", periods=60, freq="D")
    frame = pd.DataFrame({"日期": days.strftime("%Y/%m/%d").tolist() * 2,
                          "商品编码": ["00123"] * 60 + ["0456"] * 60,
                          "销量": [f"{1000 + i % 7 * 150:,}" for i in range(120)]})
    data = tmp_path / "销量.csv"
    data.write_bytes(frame.to_csv(index=False).encode("gbk"))
    out = tmp_path / "fc.csv"
    assert main(["forecast", "--data", str(data), "--date-col", "日期", "--target", "销量", "--keys", "商品编码",
                 "--freq", "D", "--horizon", "7", "--model", "seasonal_naive", "--out", str(out)]) == 0
    written = pd.read_csv(out, dtype={"商品编码": str})
    assert sorted(written["商品编码"].unique()) == ["00123", "0456"] and len(written) == 14


def test_model_notes_are_plain_note_lines(tmp_path, capsys):
    days = pd.date_range("2026-01-01", periods=90)
    frame = pd.DataFrame({"sku": ["zero"] * 90 + ["sells"] * 90, "ds": list(days) * 2,
                          "units": [0.0] * 90 + [3.0, 5.0, 4.0] * 30})
    frame.to_csv(tmp_path / "d.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "d.csv"), "--date-col", "ds", "--target", "units",
                 "--keys", "sku", "--freq", "D", "--horizon", "7", "--out", str(tmp_path / "fc.csv")])
    err = capsys.readouterr().err
    assert code == 0 and "note: sku=zero: no demand in the 90 periods of history; forecast zero" in err
    assert "Warning" not in err
    fc = pd.read_csv(tmp_path / "fc.csv")
    assert (fc[fc.sku == "zero"].filter(like="yhat") == 0).all().all()


def test_backtest_refuses_a_model_named_twice(sample_csv, capsys):
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--event", "618", "--years", "2025", "--models", "auto,seasonal_naive,auto"])
    assert code == 2 and "--models: ['auto'] named more than once" in capsys.readouterr().err


def test_with_baseline_writes_the_uplift_a_budget_target_reads(tmp_path, capsys):
    """The budget's gmv_target (measure: uplift, the default) needs yhat_baseline: --with-baseline
    writes it; a naive model has none and says so."""
    from workbench.budget.target import forecast_gmv_target
    from workbench.errors import DataValidationError
    from workbench.calendar import default_calendar

    national = load_sample("national")
    national = national[(national.ds >= "2024-06-01") & (national.ds <= "2026-10-31")][["ds", "gmv"]]
    national.to_csv(tmp_path / "gmv.csv", index=False)
    out = tmp_path / "fc.csv"
    args = ["forecast", "--data", str(tmp_path / "gmv.csv"), "--date-col", "ds", "--target", "gmv",
            "--freq", "D", "--through-event", "new_year_sale", "--round", "money", "--with-baseline"]
    assert main([*args, "--out", str(out)]) == 0
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert list(fc.columns) == ["ds", "yhat", "yhat_q10", "yhat_q50", "yhat_q90", "yhat_baseline"]
    window = default_calendar().window("new_year_sale", 2027)
    inside = fc[(fc.ds >= window.start) & (fc.ds <= window.end)]
    assert inside.yhat_baseline.notna().all() and (inside.yhat_baseline > 0).all()
    target = forecast_gmv_target(out, start=window.start, end=window.end, measure="uplift")
    assert target.uplift == pytest.approx((inside.yhat - inside.yhat_baseline).sum()) and target.uplift > 0
    capsys.readouterr()
    assert main([*args, "--model", "seasonal_naive", "--out", str(tmp_path / "naive.csv")]) == 0
    assert "1 series have no baseline" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "naive.csv").yhat_baseline.isna().all()
    without = tmp_path / "plain.csv"
    fc.drop(columns="yhat_baseline").to_csv(without, index=False)
    with pytest.raises(DataValidationError, match="--with-baseline"):
        forecast_gmv_target(without, start=window.start, end=window.end, measure="uplift")


def test_a_backtest_whose_history_never_saw_the_event_says_so(sample_csv, tmp_path, capsys):
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--freq", "D",
                 "--keys", "category", "--event", "618", "--years", "2025", "--models", "seasonal_naive",
                 "--series-out", str(tmp_path / "series.csv")])
    assert code == 0
    out = capsys.readouterr().out
    # trial 12 F12: each series' window totals are written, and the one furthest off is named
    series = pd.read_csv(tmp_path / "series.csv")
    assert list(series.columns[:3]) == ["model", "category", "window"] and len(series) == series.category.nunique()
    worst = series.loc[series.bias.abs().idxmax()]
    assert f"furthest off, seasonal_naive on 618 2025: category={worst.category}: " in out
    assert ("note: 618 2025: the history before its cut-off 2025-02-12 holds no earlier 618 window whole; the models "
            "forecast it without having seen the event\n") in out
    # review 8.4 #9: what auto borrows is said only when auto runs
    from workbench.forecast.jobs import _check_backtest_years, load_series

    frame, _ = load_series(sample_csv, date_col="ds", target="units", keys=["category"])
    note = _check_backtest_years(frame, "618", [2025], 90, None, ("auto", "seasonal_naive"))[0]
    assert note.endswith("without having seen the event (auto's event_profile and recent_level borrow the uplift "
                         "of the events of its kind if they saw any (else they add none), with a wider band: "
                         "their notes say which)")


def test_reconcile_makes_the_files_series_add_up_to_one_total(sample_csv, tmp_path, capsys):
    """Trial 11 F7c: from the CLI the SKUs summed to +4.8% and the directly forecast total to +16%
    on one window, and nothing made them agree (the event report reconciles). ``--reconcile``
    reconciles the series with their total forecast directly, as the report does: the days and
    the window totals add up to the figure its note gives; what cannot be reconciled is refused."""
    import re

    from workbench.calendar import default_calendar

    out, totals = tmp_path / "fc.csv", tmp_path / "tot.csv"
    args = ["forecast", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--keys", "category",
            "--freq", "D", "--through-event", "new_year_sale"]
    assert main([*args, "--reconcile", "--window-totals", str(totals), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    note = re.search(r"note: levels reconciled \((\w+)[^\n]*every level now adds up to ([\d,]+)", said)
    assert note is not None, said
    fc, tot = pd.read_csv(out, parse_dates=["ds"]), pd.read_csv(totals)
    window = default_calendar().window("new_year_sale", 2027)
    inside = fc[(fc.ds >= window.start) & (fc.ds <= window.end)]
    reconciled = float(note.group(2).replace(",", ""))
    assert inside.yhat.sum() == pytest.approx(reconciled, rel=1e-3) and tot.yhat.sum() == pytest.approx(reconciled, rel=1e-3)
    assert fc.ds.max() == window.end and list(fc.columns) == ["category", "ds", "yhat", "yhat_q10", "yhat_q50", "yhat_q90"]
    # review 9.1 #13, properties from outside the run's own note: the plain run's series sum to the
    # note's "summed to", and bottom_up (the series as forecast) leaves the plain run's file unchanged
    plain, bottom_up = tmp_path / "plain.csv", tmp_path / "bu.csv"
    assert main([*args, "--out", str(plain)]) == 0 and main([*args, "--reconcile", "bottom_up", "--out", str(bottom_up)]) == 0
    capsys.readouterr()
    plain, bottom_up = pd.read_csv(plain, parse_dates=["ds"]), pd.read_csv(bottom_up, parse_dates=["ds"])
    summed = float(re.search(r"series summed to ([\d,]+)", said).group(1).replace(",", ""))
    assert plain[(plain.ds >= window.start) & (plain.ds <= window.end)].yhat.sum() == pytest.approx(summed, abs=1.0)
    assert bottom_up.yhat.to_numpy() == pytest.approx(plain.yhat.to_numpy(), rel=1e-6)
    national = float(re.search(r"direct national forecast of ([\d,]+)", said).group(1).replace(",", ""))
    assert abs(national - summed) > 1 and reconciled != pytest.approx(summed, abs=1.0)  # it moved the series
    for bad, message in ((["--horizon", "30"], "--reconcile goes with --through-event"),
                         (["--through-event", "618", "--reconcile", "mint"], "--reconcile 'mint' is not one of")):
        base = [a for a in args if a not in ("--through-event", "new_year_sale")]
        assert main([*base, *bad, *(["--reconcile"] if "--horizon" in bad else []), "--out",
                     str(tmp_path / "x.csv")]) == 2
        assert message in capsys.readouterr().err


def test_unavailable_days_are_read_as_the_level_with_a_note(sample_csv, tmp_path, capsys):
    frame = pd.read_csv(sample_csv)
    category, last = frame["category"].iloc[0], pd.Timestamp(frame["ds"].max())
    oos = tmp_path / "oos.csv"
    oos.write_text(f"category,start,end\n{category},{(last - pd.Timedelta(days=9)).date()},{last.date()}\n")
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--unavailable", str(oos), "--out",
                               str(tmp_path / "fc.csv")))
    out = capsys.readouterr().err
    assert code == 0 and f"category={category}: 10 unavailable day(s)" in out and "not as zero demand" in out


def test_weekly_reconciled_forecast_takes_the_file_and_gives_up_a_planned_stock_out(sample_csv, tmp_path, capsys):
    """Weekly data with --reconcile and --unavailable (both refused before): a category out of stock the
    first 10 days of the 年货节 window is forecast at sales 0 there, the demand given up in lost_sales in
    the forecast and the window totals, which still add up to the reconciled figure of the note."""
    import re

    from workbench.calendar import default_calendar

    days = pd.read_csv(sample_csv, parse_dates=["ds"])
    days = days[days.ds >= "2024-09-02"]  # from a Monday
    weekly = days.assign(ds=days.ds - pd.to_timedelta(days.ds.dt.day_of_week, unit="D")) \
        .groupby(["category", "ds"], as_index=False)["units"].sum()
    weekly = weekly[weekly.ds <= "2026-10-19"]  # whole weeks
    weekly.to_csv(tmp_path / "w.csv", index=False)
    window = default_calendar().window("new_year_sale", 2027)
    category = weekly.category.iloc[0]
    oos = tmp_path / "oos.csv"
    oos.write_text(f"category,start,end\n{category},{window.start.date()},"
                   f"{(window.start + pd.Timedelta(days=9)).date()}\n")
    out, totals = tmp_path / "fc.csv", tmp_path / "tot.csv"
    code = main(["forecast", "--data", str(tmp_path / "w.csv"), "--date-col", "ds", "--target", "units", "--keys",
                 "category", "--freq", "W", "--through-event", "new_year_sale", "--reconcile", "--unavailable",
                 str(oos), "--window-totals", str(totals), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    fc, tot = pd.read_csv(out, parse_dates=["ds"]), pd.read_csv(totals).set_index("category")
    assert "lost_sales" in fc.columns and "lost_sales" in tot.columns
    assert tot.loc[category, "lost_sales"] > 0 and (tot.drop(index=category)["lost_sales"] == 0).all()
    assert f"category={category}: 10 unavailable day(s) declared in the forecast" in captured.err
    reconciled = float(re.search(r"every level now adds up to ([\d,]+)|direct national forecast, ([\d,]+)",
                                 captured.out).group(0).split()[-1].replace(",", ""))
    assert tot.yhat.sum() == pytest.approx(reconciled, rel=2e-3)


@pytest.mark.parametrize("text, message", [
    ("category,start,end\nnot_a_category,2024-10-01,2024-10-02\n", "line 2, column 'category': 'not_a_category'"),
    ("category,start,end\n{c},2024-10-05,2024-10-01\n", "line 2, column 'end': 2024-10-01 is before the start"),
    ("category,start,end\n{c},2024-10-01,10/32/2024\n", "column 'end' has unparseable dates at line 2"),
    ("category,end\n{c},2024-10-01\n", r"column\(s\) \['start'\] missing"),
])
def test_unavailable_file_errors_name_line_and_column(sample_csv, tmp_path, capsys, text, message):
    category = pd.read_csv(sample_csv)["category"].iloc[0]
    oos = tmp_path / "oos.csv"
    oos.write_text(text.format(c=category))
    code = main(_forecast_args(sample_csv, "--horizon", "7", "--unavailable", str(oos), "--out",
                               str(tmp_path / "fc.csv")))
    err = capsys.readouterr().err
    assert code == 2 and f"error: {oos}: " in err and re.search(message, err) and "Traceback" not in err
    assert not (tmp_path / "fc.csv").exists()


def test_backtest_unavailable_file_errors_name_line_and_column(sample_csv, tmp_path, capsys):
    oos = tmp_path / "oos.csv"
    oos.write_text("category,start,end\nnot_a_category,2024-10-01,2024-10-02\n")
    code = main(["backtest", "--data", str(sample_csv), "--date-col", "ds", "--target", "units", "--keys",
                 "category", "--freq", "D", "--event", "double11", "--years", "2024", "--lead", "30",
                 "--unavailable", str(oos)])
    err = capsys.readouterr().err
    assert code == 2 and f"error: {oos}: line 2, column 'category': 'not_a_category'" in err


def test_reconcile_labels_the_notes_of_totals_forecast_for_the_run_itself(tmp_path, capsys):
    """Review of trial 12: with --reconcile, the notes of the category totals forecast only for
    their bands (and of the national total the series are reconciled with) were printed bare
    ("category=electronics: ..."), read as one of the output series. They are labelled as what
    they are, printed and written to --notes that way; only the output series' notes carry key
    columns there."""
    import re

    frame = load_sample("category")
    frame = frame[(frame.ds >= "2024-09-01") & frame.category.isin(frame.category.unique()[:3])]
    # two halves per category; one category stopped 60 days before the data's end (a note at both levels)
    halves = pd.concat([frame.assign(half="a", units=np.floor(frame.units * 0.6)),
                        frame.assign(half="b", units=frame.units - np.floor(frame.units * 0.6))])
    stopped = frame.category.unique()[2]
    halves.loc[(halves.category == stopped) & (halves.ds > halves.ds.max() - pd.Timedelta(days=60)), "units"] = 0
    data, notes = tmp_path / "two.csv", tmp_path / "notes.csv"
    halves[["ds", "category", "half", "units"]].to_csv(data, index=False)
    assert main(["forecast", "--data", str(data), "--date-col", "ds", "--target", "units", "--keys", "category,half",
                 "--freq", "D", "--through-event", "new_year_sale", "--reconcile", "--notes", str(notes),
                 "--out", str(tmp_path / "fc.csv")]) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert not re.search(r"^note: category=[^,:]+: ", said, re.M), said  # no bare category-level note
    label = "the category totals' own forecast, made only for their band (not an output series)"
    assert f"note: {label}: category={stopped}: event_profile: no sales in its last 60 days" in said
    assert "note: the national total's own forecast, made only to reconcile the series with" in said
    written = pd.read_csv(notes)
    assert written.loc[written.category.notna(), "half"].notna().all()  # key columns: output series only
    assert written.note.str.startswith(f"{label}: category={stopped}: ").any()
