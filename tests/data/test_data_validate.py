import warnings

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
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-02,a,3\n2024-01-01,a,1\n2024-01-01,b,0\n")
    out, report = _prepare(frame)
    assert list(out.columns) == ["sku", "ds", "y"]
    assert out.sku.tolist() == ["a", "a", "b"] and out.y.tolist() == [1.0, 3.0, 0.0]
    assert report.n_series == 2 and report.gaps_filled == 0


def test_missing_column_names_file_and_columns(tmp_path):
    frame, path = _csv(tmp_path, "date,sku,qty\n2024-01-01,a,1\n")
    with pytest.raises(DataValidationError) as err:
        _prepare(frame)
    assert str(path) in str(err.value) and "['units']" in str(err.value) and "qty" in str(err.value)


def test_unparseable_dates_name_the_lines(tmp_path):
    frame, path = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\nyesterday,a,2\n2024-01-03,a,3\n")
    with pytest.raises(DataValidationError, match=r"unparseable .* line 3 .*'yesterday'"):
        _prepare(frame)


def test_duplicates_name_the_lines(tmp_path):
    frame, _ = _csv(tmp_path, "date,sku,units\n2024-01-01,a,1\n2024-01-01,a,2\n2024-01-01,b,2\n")
    with pytest.raises(DataValidationError, match=r"duplicate \(date, sku\) rows at lines 2, 3"):
        _prepare(frame)


@pytest.mark.parametrize("value,message", [("-4", "negative values at line 3"),
                                           ("abc", "non-numeric values at line 3"),
                                           ("", "is empty at line 3")])
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
    with pytest.raises(DataValidationError, match="one weekday"):
        _prepare(weekly, freq="W")


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
    (tmp_path / "s.xlsx").write_text("x")
    with pytest.raises(DataValidationError, match="unknown file type '.xlsx'"):
        read_table(tmp_path / "s.xlsx")
    with pytest.raises(DataValidationError, match="file not found"):
        read_table(tmp_path / "none.csv")
