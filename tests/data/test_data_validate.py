import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.data.io import read_table, write_table
from workbench.data.validate import GapsFilledWarning, prepare_long_frame
from workbench.errors import DataValidationError


def _csv(tmp_path, text: str):
    path = tmp_path / "sales.csv"
    path.write_text(text)
    return read_table(path), path


def _prepare(frame, **kw):
    args = dict(date_col="date", target_col="units", keys=["sku"], freq="D")
    args.update(kw)
    return prepare_long_frame(frame, **args)


def test_valid_file_becomes_the_standard_frame(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-02,a,3\n2024-01-01,a,1\n2024-01-01,b,0\n2024-01-02,b,2\n")
    out, report = _prepare(frame)
    assert list(out.columns) == ["sku", "ds", "y"]
    assert out.sku.tolist() == ["a", "a", "b", "b"] and out.y.tolist() == [1.0, 3.0, 0.0, 2.0]
    assert report.n_series == 2 and report.gaps_filled == 0


def test_a_series_whose_rows_end_early_sold_nothing_since(tmp_path):
    # b's rows stop in June while the table runs to October: its forecast must start after
    # October like every other series' (it began at July, months in the past), and its zeros
    # make it a stopped series
    months = pd.date_range("2025-01-01", "2025-10-01", freq="MS").strftime("%Y-%m-%d")
    rows = [f"{m},a,10" for m in months] + [f"{m},b,7" for m in months[:6]]
    frame, _ = _csv(tmp_path, "date,sku,units\n" + "\n".join(rows) + "\n")
    with pytest.warns(UserWarning, match="4 missing periods filled with 0 in 1 series"):
        out, report = _prepare(frame, freq="MS")
    b = out[out.sku == "b"]
    assert b.ds.max() == pd.Timestamp("2025-10-01") and b.y.tolist()[-4:] == [0.0] * 4
    with pytest.raises(DataValidationError, match="misses 4 period"):
        _prepare(frame, freq="MS", gaps="error")


def test_an_off_grid_date_names_its_own_line_in_an_unsorted_file(tmp_path):
    # rows by month, then sku (not sorted by key): the bad row is line 6 of the file
    rows = ["2025-01-01,b,1", "2025-01-01,a,1", "2025-02-01,b,1", "2025-02-01,a,1", "2025-03-15,b,1",
            "2025-03-01,a,1"]
    frame, _ = _csv(tmp_path, "date,sku,units\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataValidationError, match=r"column 'date': .* off-grid dates at line 6 \(e.g. '2025-03-15'\); "
                                                  r"date each month by its first day"):
        _prepare(frame, freq="MS")


def test_missing_column_names_file_and_columns(tmp_path):
    frame, path = _csv(tmp_path, "date,sku,qty\n2024-01-01,a,1\n")
    with pytest.raises(DataValidationError) as err:
        _prepare(frame)
    assert str(path) in str(err.value) and "['units']" in str(err.value) and "qty" in str(err.value)


@pytest.mark.parametrize("written, named, fix", [("gbk", "cp1251", "--encoding gbk"),
                                                  ("utf-8", "latin-1", "--encoding utf-8")])
def test_missing_columns_from_a_mis_decoded_header_say_which_encoding_reads_them(tmp_path, written, named, fix):
    path = tmp_path / "sales.csv"
    path.write_bytes("日期,商品编码,销量\n2025-01-01,A1,3\n".encode(written))
    with pytest.raises(DataValidationError) as err:
        _prepare(read_table(path, encoding=named), date_col="日期", target_col="销量", keys=["商品编码"])
    text = str(err.value)
    assert f"read as {named} (named by --encoding)" in text and "['日期', '商品编码', '销量']" in text
    assert text.endswith(f"Use {fix}.") and "Check --date-col" not in text


def test_missing_columns_in_a_detected_single_byte_file_mention_the_encoding(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes("Дата,Товар,Продажи\n2025-01-01,Молоко,3\n".encode("cp1251"))
    with pytest.raises(DataValidationError) as err:
        _prepare(read_table(path))
    text = str(err.value)
    assert "read as cp1251 (detected)" in text and "--encoding gbk" in text and "Check --date-col" in text


def test_empty_key_names_the_line_and_what_to_do(tmp_path):
    frame, path = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\n2024-01-02,,2\n")
    with pytest.raises(DataValidationError, match=r"sales.csv: key column 'sku' is empty at line 3; "
                                                  r".*fill in the sku or remove those rows"):
        _prepare(frame)


def test_unparseable_dates_name_the_lines(tmp_path):
    frame, path = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\nyesterday,a,2\n2024-01-03,a,3\n")
    with pytest.raises(DataValidationError, match=r"unparseable .* line 3 .*'yesterday'"):
        _prepare(frame)


def test_duplicates_name_the_lines(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\n2024-01-01,a,2\n2024-01-01,b,2\n")
    with pytest.raises(DataValidationError, match=r"duplicate \(date, sku\) rows at lines 2, 3.*an order export.*`workbench data orders`"):
        _prepare(frame)


def test_duplicates_name_the_finer_key_column_that_tells_them_apart(tmp_path):
    """Trial 8: a province file forecast per SKU was refused for duplicates without naming the
    column (省份) that differs between them; a numeric column (退货量) is no key."""
    frame, _ = _csv(tmp_path, "date,sku,省份,退货量,units\n2024-01-01,a,广东省,0,1\n2024-01-01,a,浙江,1,2\n"
                              "2024-01-01,b,广东省,0,2\n")
    with pytest.raises(DataValidationError, match=r"rows at lines 2, 3; they differ in \['省份'\]: add it to the keys"):
        _prepare(frame)


@pytest.mark.parametrize("value,message", [("-4", "negative values at line 3"),
                                           ("abc", "non-numeric values at line 3"),
                                           ("", "is empty or NaN at line 3")])
def test_bad_targets_name_the_lines(tmp_path, value, message):
    frame, _ = _csv(tmp_path, f"date,sku,units\n2024-01-01,a,1\n2024-01-02,a,{value}\n")
    with pytest.raises(DataValidationError, match=message):
        _prepare(frame)


def test_unknown_frequency():
    frame = pd.DataFrame({"date": ["2024-01-01"], "sku": ["a"], "units": [1]})
    with pytest.raises(DataValidationError, match="unknown frequency 'H'; use one of D, W, MS, QS"):
        _prepare(frame, freq="H")


def test_off_grid_monthly_and_weekly_dates():
    monthly = pd.DataFrame({"date": ["2024-01-01", "2024-02-15"], "sku": "a", "units": [1, 2]})
    with pytest.raises(DataValidationError, match="first day of each month"):
        _prepare(monthly, freq="MS")
    weekly = pd.DataFrame({"date": ["2024-01-07", "2024-01-15"], "sku": "a", "units": [1, 2]})
    with pytest.raises(DataValidationError, match="column 'date': weekly data must fall on one weekday; .*; date each "
                                                  "week by its first day, on a Sunday \\(the weekday of the earliest date\\)"):
        _prepare(weekly, freq="W")


def _series(starts_and_steps: dict, periods: int, freq: str) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"date": pd.date_range(start, periods=periods, freq=step).strftime("%Y-%m-%d"),
                                    "sku": sku, "units": 5})
                      for sku, (start, step) in starts_and_steps.items()], ignore_index=True)


def test_weekly_monthly_quarterly_data_given_a_finer_frequency_is_refused_not_zero_filled(tmp_path):
    weekly = _series({"a": ("2024-01-01", "7D"), "b": ("2024-01-01", "7D")}, 6, "W")
    weekly = weekly.drop(index=[3])  # a missing week: still weekly
    path = tmp_path / "weekly.csv"
    weekly.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        _prepare(read_table(path), freq="D")
    text = str(err.value)
    assert text.startswith(f"{path}: --freq D (daily) was given, but every date falls on a Monday")
    assert "(8 of the 9 steps" in text and "weekly data? Use --freq W" in text and "rows with 0" in text
    monthly = _series({"a": ("2024-01-01", "MS"), "b": ("2024-03-01", "MS")}, 5, "MS")
    for given in ("D", "W"):
        with pytest.raises(DataValidationError, match=rf"--freq {given} .* first day of a month .*Use --freq MS"):
            _prepare(monthly, freq=given)
    quarterly = _series({"a": ("2024-01-01", "QS"), "b": ("2024-04-01", "QS")}, 5, "QS")
    for given in ("D", "W", "MS"):
        with pytest.raises(DataValidationError, match=rf"--freq {given} .* first day of a quarter .*Use --freq QS"):
            _prepare(quarterly, freq=given)
    with pytest.warns(GapsFilledWarning):
        assert _prepare(weekly, freq="W")[1].gaps_filled == 1
    assert _prepare(quarterly, freq="QS")[1].gaps_filled == 1  # a's rows end a quarter before b's


def test_sparse_daily_data_is_still_zero_filled():
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", "2024-06-30", freq="D")
    slow = pd.DataFrame({"date": np.concatenate([np.sort(rng.choice(days, 10, replace=False)) for _ in range(3)]),
                         "sku": np.repeat(["a", "b", "c"], 10), "units": 1})
    slow["date"] = slow["date"].dt.strftime("%Y-%m-%d")
    with pytest.warns(GapsFilledWarning):
        out, report = _prepare(slow, freq="D")
    assert report.n_series == 3 and out.groupby("sku").y.sum().tolist() == [10.0, 10.0, 10.0]
    # a weekly live show's SKU among daily sellers; a short weekly-looking history: not judged weekly
    show = pd.concat([_series({"show": ("2024-01-01", "7D")}, 10, "W"), _series({"daily": ("2024-01-01", "D")}, 9, "D")
                      .drop(index=[4])], ignore_index=True)
    with pytest.warns(GapsFilledWarning):
        # the show's 54 days between shows, the daily SKU's missing day and its 55 days after its
        # last row (January 9) to the table's last day (March 4)
        assert _prepare(show, freq="D")[1].gaps_filled == 54 + 1 + 55
    with pytest.warns(GapsFilledWarning):
        assert _prepare(_series({"a": ("2024-01-01", "7D")}, 5, "W"), freq="D")[1].gaps_filled == 24


def test_gap_policy_zero_fills_and_warns_error_rejects():
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-04"], "sku": "a", "units": [5, 6]})
    with pytest.warns(GapsFilledWarning, match="2 missing periods filled with 0"):
        out, report = _prepare(frame)
    assert out.y.tolist() == [5.0, 0.0, 0.0, 6.0] and report.gaps_filled == 2
    with pytest.raises(DataValidationError, match=r"series \{'sku': 'a'\} misses 2 period\(s\), first 2024-01-02"):
        _prepare(frame, gaps="error")


def test_zeros_are_kept_not_dropped():
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=4).astype(str), "sku": "a",
                          "units": [0, 0, 3, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, report = _prepare(frame)
    assert len(out) == 4 and report.zero_share == 0.75


def test_parquet_and_duckdb_sources(tmp_path):
    import duckdb

    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "sku": "a", "units": [1.0, 2.0]})
    write_table(frame, tmp_path / "s.parquet")
    assert read_table(tmp_path / "s.parquet").units.tolist() == [1.0, 2.0]
    db = tmp_path / "s.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table sales as select * from frame")
    assert len(read_table(db, table="sales")) == 2
    assert read_table(db, query="select sum(units) as u from sales").u.iloc[0] == 3.0
    with pytest.raises(DataValidationError, match="no table or view 'nope'"):
        read_table(db, table="nope")
    with pytest.raises(DataValidationError, match="exactly one of --table or --query"):
        read_table(db)


def test_unknown_file_type_and_missing_file(tmp_path):
    (tmp_path / "s.ods").write_text("x")
    with pytest.raises(DataValidationError, match="unknown file type '.ods'"):
        read_table(tmp_path / "s.ods")
    (tmp_path / "s.xlsx").write_text("x")
    with pytest.raises(DataValidationError, match="not a readable .xlsx workbook"):
        read_table(tmp_path / "s.xlsx")
    with pytest.raises(DataValidationError, match="file not found"):
        read_table(tmp_path / "none.csv")


# Strict parsing (issue 10, section 3): one date format per column, the breaking line named.
def test_mixed_date_formats_name_the_breaking_line_not_duplicates(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-05,a,1\n2024-01-06,a,1\n05/01/2024,a,2\n")
    with pytest.raises(DataValidationError, match=r"mixes date formats: most dates are YYYY-MM-DD .* "
                       r"not at line 4 \(e.g. '05/01/2024', read as DD/MM/YYYY\)"):
        _prepare(frame)


def test_ambiguous_day_month_order_is_refused(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n03/04/2024,a,1\n04/04/2024,a,2\n")
    with pytest.raises(DataValidationError, match="DD/MM/YYYY or MM/DD/YYYY alike"):
        _prepare(frame)
    frame, _ = _csv(tmp_path, "date,sku,units\n13/04/2024,a,1\n14/04/2024,a,2\n")
    assert _prepare(frame)[0].ds.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-13", "2024-04-14"]


@pytest.mark.parametrize("values,days", [
    (["2026-01-05T00:00:00+08:00", "2026-01-06T23:30:00+08:00"], ["2026-01-05", "2026-01-06"]),
    (["2026-01-05T00:00:00+08:00", "2026-01-06T01:00:00Z"], ["2026-01-05", "2026-01-06"]),
    (["2026-01-05 10:00", "2026-01-06"], ["2026-01-05", "2026-01-06"]),
    (["2026年1月5日", "2026年1月6日"], ["2026-01-05", "2026-01-06"]),
    (["2026/01/05 13:05:22", "2026/1/6 08:00:00"], ["2026-01-05", "2026-01-06"]),
    (["2025年08月15日 01时", "2025年08月16日 23时59分"], ["2025-08-15", "2025-08-16"]),  # trial 9's back office
    (["2025年08月15日01时05分09秒", "2025年8月16日 7时"], ["2025-08-15", "2025-08-16"]),
    (["2025年08月15日 13时5分", "2025年08月16日 9时5分7秒"], ["2025-08-15", "2025-08-16"]),  # review 7.2 #12
    (["2025年08月15日 13点05分", "2025年08月16日 13点"], ["2025-08-15", "2025-08-16"]),  # 点, the usual spoken form
    (["2025年08月15日 下午3时", "2025年08月16日上午10点半"], ["2025-08-15", "2025-08-16"]),
    # Chinese-locale Excel / WPS time cells (review 8.4 #4): the half-day word before a colon clock
    (["2025/8/15 下午 3:05:00", "2025/8/16 上午 12:05:00"], ["2025-08-15", "2025-08-16"]),
    (["2025/8/15 下午12:30", "2025/8/16 晚上 11:59:59"], ["2025-08-15", "2025-08-16"]),
])
def test_accepted_date_forms_keep_the_day_as_written(values, days):
    frame = pd.DataFrame({"date": values, "sku": "a", "units": [1, 2]})
    assert _prepare(frame)[0].ds.dt.strftime("%Y-%m-%d").tolist() == days


def test_time_zone_aware_datetime_column_keeps_its_wall_clock_day():
    stamps = pd.to_datetime(["2026-01-05 23:30", "2026-01-06 00:30"]).tz_localize("Asia/Shanghai")
    frame = pd.DataFrame({"date": stamps, "sku": "a", "units": [1, 2]})
    assert _prepare(frame)[0].ds.dt.strftime("%Y-%m-%d").tolist() == ["2026-01-05", "2026-01-06"]


@pytest.mark.parametrize("late", ["2025年08月16日 25时", "2025年08月16日 13点75分", "2025年08月16日 下午三时"])
def test_a_chinese_time_of_day_out_of_range_is_refused(late):
    frame = pd.DataFrame({"date": ["2025年08月15日 01时", late], "sku": "a", "units": [1, 2]})
    with pytest.raises(DataValidationError, match="unparseable dates"):
        _prepare(frame)


@pytest.mark.parametrize("values", [[1704067200, 1704153600], [1, 2], [45292.0, 45293.0]])
def test_numbers_are_never_read_as_epoch_or_serial_dates(values):
    frame = pd.DataFrame({"date": values, "sku": "a", "units": [1, 2]})
    with pytest.raises(DataValidationError, match=r"holds numbers .* not dates"):
        _prepare(frame)


def test_yyyymmdd_integers_are_dates(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n20240105,a,1\n20240106,a,2\n")
    assert _prepare(frame)[0].ds.dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-06"]


def test_impossible_dates_and_times_name_the_line(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2025-02-28,a,1\n2025-02-30,a,2\n")
    with pytest.raises(DataValidationError, match=r"unparseable dates at line 3 \(e.g. '2025-02-30'"):
        _prepare(frame)
    frame, _ = _csv(tmp_path, "date,sku,units\n2025-02-28 25:00,a,1\n2025-03-01,a,2\n")
    with pytest.raises(DataValidationError, match="unparseable dates at line 2"):
        _prepare(frame)


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity"])
def test_non_finite_targets_are_refused_with_their_lines(tmp_path, value):
    frame, _ = _csv(tmp_path, f"date,sku,units\n2024-01-01,a,1\n2024-01-02,a,{value}\n")
    with pytest.raises(DataValidationError, match=r"non-finite values \(inf\) at line 3"):
        _prepare(frame)


def test_nan_target_is_refused_and_thousands_separators_are_numbers(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-01,a,NaN\n2024-01-02,a,2\n")
    with pytest.raises(DataValidationError, match="is empty or NaN at line 2"):
        _prepare(frame)
    frame, _ = _csv(tmp_path, 'date,sku,units\n2024-01-01,a,"1,944"\n2024-01-02,a,2\n')
    assert _prepare(frame)[0].y.tolist() == [1944.0, 2.0]


def test_repeated_or_clashing_keys_are_refused_before_reading_rows(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\n")
    with pytest.raises(DataValidationError, match=r"--keys names \['sku'\] more than once"):
        _prepare(frame, keys=["sku", "sku"])
    with pytest.raises(DataValidationError, match="also the date or target column"):
        _prepare(frame, keys=["sku", "units"])


def test_excel_errors_name_sheet_rows(tmp_path):
    path = tmp_path / "s.xlsx"
    pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "sku": "a", "units": [1, -2]}).to_excel(path, index=False)
    with pytest.raises(DataValidationError, match="negative values at sheet row 3"):
        _prepare(read_table(path))


def test_dates_frequency_reads_the_period_of_a_forecasts_dates():
    from workbench.data.validate import dates_frequency

    assert dates_frequency(pd.date_range("2027-01-01", periods=5)) == "D"
    assert dates_frequency(pd.date_range("2026-12-28", periods=5, freq="W-MON")) == "W"
    assert dates_frequency(pd.date_range("2026-11-01", periods=4, freq="MS")) == "MS"
    assert dates_frequency(pd.date_range("2026-10-01", periods=4, freq="QS")) == "QS"
    # repeated dates of several series count once; irregular steps and one date are days
    assert dates_frequency(list(pd.date_range("2026-11-01", periods=3, freq="MS")) * 2) == "MS"
    assert dates_frequency(pd.to_datetime(["2027-01-01", "2027-01-08", "2027-01-20"])) == "D"
    assert dates_frequency(pd.to_datetime(["2027-01-01"])) == "D"


def test_window_share_splits_a_period_evenly_over_its_days():
    from workbench.data.validate import window_share

    start, end = pd.Timestamp("2027-01-02"), pd.Timestamp("2027-01-29")
    weeks = pd.to_datetime(["2026-12-21", "2026-12-28", "2027-01-04", "2027-01-25", "2027-02-01"])
    assert np.allclose(window_share(weeks, "W", start, end), [0, 2 / 7, 1, 5 / 7, 0])
    months = pd.to_datetime(["2026-12-01", "2027-01-01", "2027-02-01"])
    assert np.allclose(window_share(months, "MS", start, end), [0, 28 / 31, 0])
    days = pd.to_datetime(["2027-01-01", "2027-01-02", "2027-01-29", "2027-01-30"])
    assert np.allclose(window_share(days, "D", start, end), [0, 1, 1, 0])


@pytest.mark.parametrize("freq, first, last", [("D", "2027-01-31", "2027-01-31"), ("W", "2026-12-28", "2027-01-03"),
                                               ("MS", "2024-02-01", "2024-02-29"), ("QS", "2026-10-01", "2026-12-31")])
def test_period_end_of_one_date_and_of_many_at_once(freq, first, last):
    """Many dates are computed at once (it was a Python call per row through Series.map) and agree
    with the one-date answer, as a Series (index kept), a DatetimeIndex or a list."""
    from workbench.data.validate import period_end

    assert period_end(first, freq) == pd.Timestamp(last)
    days = pd.Series(pd.to_datetime([first, "2025-01-01", "2025-12-01"]), index=[7, 3, 9])
    ends = period_end(days, freq)
    assert isinstance(ends, pd.Series) and list(ends.index) == [7, 3, 9]
    assert list(ends) == [period_end(d, freq) for d in days]
    assert list(period_end(pd.DatetimeIndex(days), freq)) == list(ends) == list(period_end(list(days), freq))
    with pytest.raises(DataValidationError, match="unknown frequency 'Y'"):
        period_end(days, "Y")


def _shop(seed: int = 8, days=pd.date_range("2025-01-01", "2025-12-31"), n: int = 6, rate: float = 20.0):
    """A shop's daily export: ``n`` SKUs selling Poisson(``rate``) a day, rows absent on zero days."""
    rng = np.random.default_rng(seed)
    rows = [pd.DataFrame({"date": days, "sku": f"s{i}", "units": rng.poisson(rate * (i + 1) / n, len(days))})
            for i in range(n)]
    table = pd.concat(rows, ignore_index=True)
    return table[table.units > 0]


def test_dates_with_no_row_in_any_series_are_an_outage_named_and_not_read_as_zero():
    """Trial 8: an export missing 2025-07-14..20 for every series was filled with zeros (a week
    of no sales in 276 series at once) and made false level shifts. The run is named and each
    series' value there is the median of the same weekday two weeks either side; ordinary
    no-sale days (rows absent for one series) stay 0."""
    table = _shop()
    outage = pd.date_range("2025-07-14", "2025-07-20")
    with pytest.warns(GapsFilledWarning, match=r"7 dates have no rows at all \(2025-07-14\.\.2025-07-20: an export "
                                               r"outage\?\), treated as missing, not 0"):
        out, report = _prepare(table[~table.date.isin(outage)])
    assert [list(r) for r in report.missing_runs] == [list(outage)]
    full, _ = _prepare(table)
    week = out[out.ds.isin(outage)].groupby("sku").y.mean()
    truth = full[full.ds.isin(outage)].groupby("sku").y.mean()
    assert (week > 0.5 * truth).all() and (week < 2 * truth).all(), (week, truth)
    zero_days = full[(full.y == 0) & ~full.ds.isin(outage)]
    assert len(zero_days) and (out.set_index(["sku", "ds"]).loc[pd.MultiIndex.from_frame(zero_days[["sku", "ds"]]), "y"] == 0).all()
    # the other gap policy refuses ordinary gaps, not the outage: a complete export without the week passes
    complete = full[~full.ds.isin(outage)].rename(columns={"ds": "date", "y": "units"})
    assert _prepare(complete, gaps="error")[1].missing_runs


def test_a_row_less_date_that_chance_explains_is_a_day_without_sales():
    """One sparse series (its own no-sale days), a sparse table (rows on under half of the dates)
    and one row-less date among 365 of a busy table (under 1 in 10,000 is needed; one date is 1 in
    730) are no outage: their zeros stay. One busy series missing a week is one (review 7.2 #3: a
    national total's outage was read as a week of zeros)."""
    week = pd.date_range("2025-07-14", "2025-07-20")
    single = _shop(n=1)
    assert [list(r) for r in _prepare(single[~single.date.isin(week)])[1].missing_runs] == [list(week)]
    assert [list(r) for r in _prepare(single[~single.date.isin(week)].drop(columns="sku"), keys=[])[1].missing_runs] \
        == [list(week)]
    sparse_one = _shop(n=1, rate=0.6)
    assert not _prepare(sparse_one[~sparse_one.date.isin(week)])[1].missing_runs
    sparse = _shop(n=3, rate=0.3)
    assert not _prepare(sparse)[1].missing_runs
    busy = _shop()
    assert not _prepare(busy[busy.date != pd.Timestamp("2025-07-14")])[1].missing_runs


def test_a_spring_festival_closure_without_rows_is_no_outage():
    """A busy shop with no rows on 除夕 .. 初三 2025 (2025-01-28..31: closed, as couriers are) keeps
    those days at 0: dates in the calendar's Spring Festival pause are a closure, not an export
    outage (review: they were filled from the weeks around, erasing the festival's collapse)."""
    busy = _shop()
    closed = pd.date_range("2025-01-28", "2025-01-31")
    out, report = _prepare(busy[~busy.date.isin(closed)])
    assert not report.missing_runs
    assert (out[out.ds.isin(closed)].y == 0).all() and len(out[out.ds.isin(closed)]) == 6 * 4


def test_a_last_period_cut_short_is_named_from_the_data_not_the_clock():
    """Trial 9 / review 7.2 #6: the note on an unfinished last period read the wall clock, so a
    rerun of the same file on another day said otherwise, and an export to 11-29 used on 12-01 got
    none. It is now a function of the data: a last period whose total falls well below its
    siblings' (a half month, a morning's orders) is named; a whole one is not, on any day."""
    from workbench.data.validate import unfinished_period_note

    months = pd.DataFrame({"ds": pd.date_range("2025-09-01", "2026-11-01", freq="MS"), "y": 3000.0})
    # a month short of a day or two cannot be told from its total: the last month is said to be read whole
    assert unfinished_period_note(months, "MS", "monthly.csv") == [
        "monthly.csv: the last month, 2026-11-01..2026-11-30, is read as a whole month; a table of months cannot "
        "show whether it holds all its days: if the export ended before 2026-11-30, leave that row out"]
    months.loc[months.index[-1], "y"] = 1400.0  # November to the 14th
    # October holds 国庆 and 双11's pre-sale: no sibling of a quiet month
    assert unfinished_period_note(months, "MS", "monthly.csv") == [
        "monthly.csv: the last month, 2026-11-01..2026-11-30, totals 1,400, under 60% of the lowest total of the 2 "
        "quiet months before it (2026-08-01, 2026-09-01) (3,000): was the export taken before it ended? A forecast reads it as it is, a fall in demand: "
        "if it is cut short, leave that row out, or export to 2026-11-30"]
    rng = np.random.default_rng(3)
    days = pd.DataFrame({"ds": pd.date_range("2026-08-01", "2026-09-30"), "y": 0.0})
    weekday = days["ds"].dt.day_of_week.to_numpy()
    days["y"] = rng.poisson(np.where(weekday >= 5, 150, 400)).astype(float)  # weekends sell less
    assert unfinished_period_note(days, "D", "daily.csv") == []
    assert unfinished_period_note(days.iloc[:-1], "D", "daily.csv") == []  # a low Saturday is a Saturday's
    days.loc[days.index[-1], "y"] = 120.0  # a Wednesday's morning
    assert "daily.csv: the last day, 2026-09-30, totals 120" in unfinished_period_note(days, "D", "daily.csv")[0]
    slow = pd.DataFrame({"ds": pd.date_range("2026-08-01", "2026-09-30"), "y": 3.0})
    slow.loc[slow.index[-1], "y"] = 0.0  # a slow shop's empty day is chance, not a short export
    assert unfinished_period_note(slow, "D", "slow.csv") == []
    pause = pd.DataFrame({"ds": pd.date_range("2025-12-01", "2026-02-17"), "y": 400.0})
    pause.loc[pause.index[-1], "y"] = 20.0  # Spring Festival 2026: the pause, low by design
    assert unfinished_period_note(pause, "D", "pause.csv") == []


def test_the_last_day_is_judged_against_the_runs_own_events_not_the_shipped_calendar():
    """Review 8.4 #8: the siblings of the last day were chosen on the shipped calendar, so a
    planner's own month-long sale (its days x4) stood in as the quiet days a whole day is
    compared with, and a normal day after it was called cut short. On the run's calendar those
    days are no siblings; a day short of its real siblings is still named."""
    from workbench.calendar import RetailCalendar
    from workbench.calendar.events import NewEventWarning
    from workbench.data.validate import table_notes, unfinished_period_note

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NewEventWarning)
        own = RetailCalendar({"events": {"summer_sale": {"label": "夏日大促", "anchor": "08-15", "start": "08-01",
                                                        "end": "08-31", "peaks": ["08-15"], "kind": "sale"}}})
    days = pd.DataFrame({"ds": pd.date_range("2026-06-01", "2026-09-01"), "y": 100.0})
    days.loc[days["ds"].dt.month == 8, "y"] = 400.0  # the shop's own August sale
    # its 4 siblings (the Tuesdays 08-04..08-25) are all in the sale: on the shipped calendar the day looks short
    assert "the last day, 2026-09-01, totals 100" in unfinished_period_note(days, "D", "d.csv")[0]
    assert unfinished_period_note(days, "D", "d.csv", own) == []
    assert table_notes(days, "D", "d.csv", calendar=own) == []
    later = pd.DataFrame({"ds": pd.date_range("2026-06-01", "2026-10-13"), "y": 100.0})
    later.loc[later["ds"].dt.month == 8, "y"] = 400.0
    later.loc[later.index[-1], "y"] = 30.0  # a morning's export, against September's quiet Tuesdays
    assert "the last day, 2026-10-13, totals 30" in unfinished_period_note(later, "D", "d.csv", own)[0]

def test_a_declared_finer_key_of_young_skus_is_summed_and_a_per_row_one_asked_about():
    """Review 8.4 #2: 40 new SKUs in 60 rows summed to their category were refused as "about one
    per row". A declared column is the planner's word: it is summed over, and the note asks
    whether a column with more values than half the rows is an order or line ID."""
    from workbench.data.validate import finer_keys, sum_finer

    days = pd.date_range("2026-01-01", periods=60)
    raw = pd.DataFrame({"ds": days, "category": "nuts", "sku": [f"{i % 40:03d}" for i in range(60)], "y": 1.0})
    assert finer_keys(raw, ["category"], ["sku"], "young.csv") == ["sku"]
    out, notes = sum_finer(raw, ["category"], ["sku"], "young.csv")
    assert out.y.sum() == 60 and len(out) == 60
    assert notes == ["young.csv: 40 series summed over sku (40 values in 60 rows: an order or line ID?) to 1 series "
                     "of category"]
    with pytest.raises(DataValidationError, match=r"sum_over: 'category' is one of the keys"):
        finer_keys(raw, ["category"], ["category"], "young.csv")
