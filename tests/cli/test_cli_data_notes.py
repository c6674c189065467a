"""What the command line says about a user's file: every entry point names the columns it
leaves out (trial 8 F8: the event report named 退货量, `workbench forecast` did not)."""

from __future__ import annotations

import pandas as pd

from workbench.cli import main

NOTE = "column(s) ['退货量'] not used: the forecast is of '销量' as it is"


def _export(tmp_path):
    days = pd.date_range("2025-01-01", periods=200)
    frame = pd.DataFrame({"日期": list(days) * 2, "商品编码": ["JG001"] * 200 + ["JG002"] * 200,
                          "销量": [5.0, 7.0, 6.0, 9.0] * 100, "退货量": [0, 1] * 200})
    data = tmp_path / "export.csv"
    frame.to_csv(data, index=False)
    return data


def test_forecast_and_backtest_name_an_unused_number_column_on_stderr_and_in_the_notes_file(tmp_path, capsys):
    data = _export(tmp_path)
    common = ["--data", str(data), "--date-col", "日期", "--target", "销量", "--keys", "商品编码", "--freq", "D"]
    assert main(["forecast", *common, "--horizon", "7", "--model", "seasonal_naive", "--out",
                 str(tmp_path / "fc.csv"), "--notes", str(tmp_path / "notes.csv")]) == 0
    assert f"note: {data}: {NOTE}" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "notes.csv")["note"].str.contains(NOTE, regex=False).any()
    assert main(["backtest", *common, "--event", "618", "--years", "2025", "--lead", "30",
                 "--models", "seasonal_naive"]) == 0
    assert NOTE in capsys.readouterr().err


def test_a_file_whose_every_number_column_is_read_gets_no_such_note(tmp_path, capsys):
    data = _export(tmp_path)
    pd.read_csv(data).drop(columns="退货量").to_csv(data, index=False)
    assert main(["forecast", "--data", str(data), "--date-col", "日期", "--target", "销量", "--keys", "商品编码",
                 "--freq", "D", "--horizon", "7", "--model", "seasonal_naive", "--out", str(tmp_path / "fc.csv")]) == 0
    assert "not used" not in capsys.readouterr().err


def test_a_filled_export_outage_is_in_the_notes_file_too(tmp_path, capsys):
    """Review 1 #10: the --notes file is the record of what was done to the data, and the one
    imputation, an export outage's dates filled from the weeks around them, reached only stderr."""
    data = _export(tmp_path)
    table = pd.read_csv(data)
    table[~pd.to_datetime(table["日期"]).between("2025-05-05", "2025-05-11")].to_csv(data, index=False)
    assert main(["forecast", "--data", str(data), "--date-col", "日期", "--target", "销量", "--keys", "商品编码",
                 "--freq", "D", "--horizon", "7", "--model", "seasonal_naive", "--out", str(tmp_path / "fc.csv"),
                 "--notes", str(tmp_path / "notes.csv")]) == 0
    said = pd.read_csv(tmp_path / "notes.csv")["note"]
    assert said.str.contains("7 dates have no rows at all (2025-05-05..2025-05-11: an export outage?)", regex=False).any()


def test_the_cli_backtest_says_what_it_means_for_the_default_model(tmp_path, capsys):
    """Trial 9 F3: the event report said auto was the worst of three on the shop's 双11, the CLI
    backtest printed the same table and said nothing. It prints the event report's verdict
    (planning.backtest_verdict) on auto, the model `workbench forecast` uses unless told."""
    from workbench.forecast.planning import backtest_verdict

    days = pd.date_range("2024-01-01", "2025-07-31")
    level = [10.0 if d < pd.Timestamp("2025-05-01") else 30.0 for d in days]  # a step after the cut-off
    frame = pd.DataFrame({"ds": list(days) * 2, "sku": ["A"] * len(days) + ["B"] * len(days), "units": level * 2})
    data = tmp_path / "sales.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "bt.csv"
    assert main(["backtest", "--data", str(data), "--date-col", "ds", "--target", "units", "--keys", "sku",
                 "--freq", "D", "--event", "618", "--years", "2025", "--lead", "30",
                 "--models", "seasonal_naive,auto", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out)
    lines = backtest_verdict(table, "auto", [0.1, 0.5, 0.9])
    assert lines and "auto's total was" in lines[0] and "low" in lines[0]
    for line in lines:
        assert f"what the backtest says about auto: {line}" in printed


def test_a_last_day_the_data_show_cut_short_is_a_note_of_its_own_kind(tmp_path, capsys):
    """Review 7.2 #6 / 7.3 #12: the unfinished-period note read the wall clock and was warned as
    an UnusedColumnsWarning. A last day whose units fall far below the same weekday's (an export
    taken in the morning) is named on stderr and in the notes file, as UnfinishedPeriodWarning;
    the whole day is not."""
    import pytest

    from workbench.data.validate import UnfinishedPeriodWarning, UnusedColumnsWarning
    from workbench.forecast.jobs import load_series

    data = _export(tmp_path)
    table = pd.read_csv(data).drop(columns="退货量")
    table.to_csv(data, index=False)
    with warnings_of(UnfinishedPeriodWarning) as caught:
        load_series(data, date_col="日期", target="销量", keys=["商品编码"])
    assert caught == []
    table.loc[table["日期"] == table["日期"].max(), "销量"] = 1.0
    table.to_csv(data, index=False)
    with pytest.warns(UnfinishedPeriodWarning, match="the last day, 2025-07-19, totals 2") as caught:
        frame, _ = load_series(data, date_col="日期", target="销量", keys=["商品编码"])
    assert not any(issubclass(w.category, UnusedColumnsWarning) for w in caught)
    assert any("the last day, 2025-07-19" in n for n in frame.attrs["data_notes"])
    assert main(["forecast", "--data", str(data), "--date-col", "日期", "--target", "销量", "--keys", "商品编码",
                 "--freq", "D", "--horizon", "7", "--model", "seasonal_naive", "--out", str(tmp_path / "fc.csv"),
                 "--notes", str(tmp_path / "notes.csv")]) == 0
    assert "was the export taken before it ended?" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "notes.csv")["note"].str.contains("the last day, 2025-07-19", regex=False).any()


def warnings_of(category):
    """A context that records the warnings of ``category`` only (a list, empty when none)."""
    import contextlib
    import warnings

    @contextlib.contextmanager
    def recorder():
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            mine = []
            yield mine
            mine += [w for w in seen if issubclass(w.category, category)]
    return recorder()


def test_forecast_names_the_category_column_the_keys_lack(tmp_path, capsys):
    """Trial 8: launches without a category key follow the panel; the CLI says which column to add."""
    days = pd.date_range("2025-01-01", periods=120)
    frame = pd.DataFrame([{"日期": d, "商品编码": sku, "类目": cat, "销量": 4.0}
                          for d in days for sku, cat in zip(("S1", "S2", "S3", "S4", "S5", "S6"), "AAABBB")])
    data = tmp_path / "shop.csv"
    frame.to_csv(data, index=False)
    common = ["forecast", "--data", str(data), "--date-col", "日期", "--target", "销量", "--freq", "D", "--horizon", "7",
              "--model", "seasonal_naive", "--out", str(tmp_path / "fc.csv")]
    assert main([*common, "--keys", "商品编码"]) == 0
    assert "column '类目' groups the 商品编码 codes (2 values, each 商品编码 in one): add it to the keys " \
           "(--keys 类目,商品编码)" in capsys.readouterr().err
    assert main([*common, "--keys", "类目,商品编码"]) == 0
    assert "groups the" not in capsys.readouterr().err
