"""workbench.data.io: every encoding and format a team's table comes in, and safe writes."""

import os
import stat

import pandas as pd
import pytest

from workbench.data.io import (read_table, read_yaml, read_yaml_with_lines, refuse_overwrite, write_json,
                              write_table)
from workbench.errors import ConfigError, DataValidationError, ParameterError

CHINESE = "日期,商品,销量,金额\n2025-01-05,坚果礼盒,3,\"1,944.50\"\n2025-01-06,牛奶,12,59.9\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_without_options(tmp_path, encoding):
    path = tmp_path / "sales.csv"
    path.write_bytes(CHINESE.encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == ["日期", "商品", "销量", "金额"]
    assert frame["商品"].tolist() == ["坚果礼盒", "牛奶"]
    assert frame["金额"].tolist() == [1944.5, 59.9]  # thousands separator read as a number
    assert frame.attrs["csv_rows"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_unicode_text_exports_with_a_byte_order_mark_read_without_options(tmp_path, encoding):
    """Excel's and WPS's "Unicode text" export: UTF-16 with its byte order mark, tab-separated
    (trial 12 F5: "cannot be decoded as text; tried utf-8, gb18030")."""
    path = tmp_path / "sales.txt"
    text = CHINESE.replace(",\"1,944.50\"", "\t1944.50").replace(",", "\t")
    data = text.encode(encoding)
    path.write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
    frame = read_table(path)
    assert list(frame.columns) == ["日期", "商品", "销量", "金额"]
    assert frame["商品"].tolist() == ["坚果礼盒", "牛奶"] and frame.attrs["encoding"] == "utf-16"


def test_gb18030_only_characters_and_a_two_line_gbk_file(tmp_path):
    # 𠮷 exists in GB18030 only; a tiny GBK file is ambiguous for detectors (Big5 / CP949 rank high)
    (tmp_path / "a.csv").write_bytes("名称,数量\n𠮷野家,1\n".encode("gb18030"))
    assert read_table(tmp_path / "a.csv")["名称"].tolist() == ["𠮷野家"]
    (tmp_path / "b.csv").write_bytes("日期,销量\n2025-01-01,3\n".encode("gbk"))
    assert list(read_table(tmp_path / "b.csv").columns) == ["日期", "销量"]


def _monthly_gbk(rows: int) -> bytes:
    """A GBK export whose only Chinese is the header and a category per SKU (4 SKUs, 34 months)."""
    lines = ["商品编码,类目,日期,销量"]
    for sku, category in enumerate(["零食", "零食", "服饰", "家居"], start=1):
        lines += [f"SKU{sku:03d},{category},{2024 + m // 12}-{m % 12 + 1:02d}-01,{(sku * 7919 + m * 104729) % 6000 + 1000}"
                  for m in range(34)]
    return ("\n".join(lines[:rows + 1]) + "\n").encode("gbk")


@pytest.mark.parametrize("rows", [3, 114, 136])
def test_gbk_file_with_chinese_only_in_header_and_categories_is_not_read_as_cyrillic(tmp_path, rows):
    # at 114 rows charset-normalizer 3.5 lists ptcp154, cp1251, kz1048 and no GB codec
    path = tmp_path / "monthly.csv"
    path.write_bytes(_monthly_gbk(rows))
    frame = read_table(path)
    assert list(frame.columns) == ["商品编码", "类目", "日期", "销量"] and len(frame) == rows
    assert frame.attrs["encoding"] == "gb18030"
    assert set(frame["类目"]) <= {"零食", "服饰", "家居"}


def test_single_byte_files_are_not_taken_for_chinese(tmp_path):
    # a strict GB18030 decode fails or gives rare characters: the detector's answer stands
    (tmp_path / "ru.csv").write_bytes("Дата,Товар,Продажи\n2025-01-01,Молоко,3\n".encode("cp1251"))
    assert list(read_table(tmp_path / "ru.csv").columns) == ["Дата", "Товар", "Продажи"]
    (tmp_path / "de.csv").write_bytes("Kunde,Stadt\nMüller,Köln\nStraße,Zürich\n".encode("latin-1"))
    assert read_table(tmp_path / "de.csv")["Kunde"].tolist() == ["Müller", "Straße"]


def test_encoding_override_and_its_errors(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(CHINESE.encode("gbk"))
    assert read_table(path, encoding="gbk")["商品"].iloc[0] == "坚果礼盒"
    with pytest.raises(DataValidationError, match=r"line 1 is not valid utf-8.*--encoding"):
        read_table(path, encoding="utf-8")
    with pytest.raises(ParameterError, match="'klingon' is not a known encoding"):
        read_table(path, encoding="klingon")


def test_undecodable_file_lists_the_encodings_tried_and_how_to_resave(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + bytes([0x81, 0x20, 0xFF, 0xFE, 0x81, 0x7F]) * 50)
    with pytest.raises(DataValidationError) as err:
        read_table(path)
    text = str(err.value)
    assert "tried utf-8" in text and "gb18030" in text and "CSV UTF-8" in text and "--encoding" in text


def test_thousands_separators_only_convert_whole_number_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('sku,units,note\n"A,1","1,944",x\n"B,2",12,"1,2"\n', encoding="utf-8")
    frame = read_table(path)
    assert frame["units"].tolist() == [1944, 12]
    assert frame["sku"].tolist() == ["A,1", "B,2"] and frame["note"].tolist() == ["x", "1,2"]


def test_text_columns_keep_leading_zeros(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sku,units\n00123,1\n", encoding="utf-8")
    assert read_table(path)["sku"].tolist() == [123]
    assert read_table(path, text_columns=["sku"])["sku"].tolist() == ["00123"]
    assert read_table(path, text_columns=True)["units"].tolist() == ["1"]


def test_repeated_header_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,units,units \n2025-01-01,1,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"the header names \['units'\] more than once"):
        read_table(path)


def test_excel_first_sheet_or_named_sheet(tmp_path):
    path = tmp_path / "orders.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"日期": ["2025-01-05"], "销量": ["1,944"]}).to_excel(writer, sheet_name="订单", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="说明", index=False)
    first = read_table(path)
    assert first["销量"].tolist() == [1944] and first.attrs["row_word"] == "sheet row"
    assert read_table(path, sheet="说明")["x"].tolist() == [1]
    assert read_table(path, sheet=1)["x"].tolist() == [1]
    with pytest.raises(DataValidationError, match=r"no sheet 'Sheet9'; it has \['订单', '说明'\]"):
        read_table(path, sheet="Sheet9")


def test_options_that_do_not_fit_the_file_type(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="--sheet applies to Excel"):
        read_table(path, sheet="x")
    with pytest.raises(ParameterError, match="--table / --query apply to DuckDB"):
        read_table(path, table="t")
    parquet = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(parquet)
    with pytest.raises(ParameterError, match="--encoding applies to CSV"):
        read_table(parquet, encoding="gbk")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(DataValidationError, match="save it as .xlsx"):
        read_table(tmp_path / "old.xls")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("name", ["o.csv", "o.xlsx", "o.parquet"])
def test_write_table_formats_round_trip_with_the_users_file_mode(tmp_path, umask_022, name):
    frame = pd.DataFrame({"ds": pd.to_datetime(["2025-01-05", "2025-01-06"]), "区域": ["华南", "华东"],
                          "units": [1.26, 2.0], "gmv": [10.004, 3.14159]})
    path = write_table(frame, tmp_path / name, decimals={"units": 1, "gmv": 2})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # 0666 & ~022, not mkstemp's 0600
    back = read_table(path)
    assert back["区域"].tolist() == ["华南", "华东"]
    assert back["units"].tolist() == [1.3, 2.0] and back["gmv"].round(2).tolist() == [10.0, 3.14]
    assert pd.to_datetime(back["ds"]).dt.strftime("%Y-%m-%d").tolist() == ["2025-01-05", "2025-01-06"]


def test_write_table_excel_csv_date_name_and_refusals(tmp_path):
    frame = pd.DataFrame({"ds": pd.to_datetime(["2025-01-05"]), "units": [1.0]})
    path = write_table(frame, tmp_path / "o.csv", excel_csv=True, date_name="日期")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "日期,units\n2025-01-05,1.0\n" == raw[3:].decode("utf-8")
    assert not write_table(frame, tmp_path / "p.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(ParameterError, match="unknown output type '.json'"):
        write_table(frame, tmp_path / "o.json")
    with pytest.raises(ParameterError, match="--excel-csv applies to .csv"):
        write_table(frame, tmp_path / "o.parquet", excel_csv=True)
    with pytest.raises(ParameterError, match="already has that column"):
        write_table(frame, tmp_path / "o.csv", date_name="units")
    with pytest.raises(ParameterError, match=r"cannot round \['gmv'\]"):
        write_table(frame, tmp_path / "o.csv", decimals={"gmv": 2})


def test_excel_csv_keeps_long_digit_codes_as_text_and_reads_them_back(tmp_path):
    """Trial 14 F24: 19-digit 抖店 product IDs written as bare digits in a CSV for Excel become
    3.70000000000067E+18 there, kept to 15 digits: two SKUs merge. In an Excel CSV they are text
    formulas (="..."), as is a code with a leading zero; plain CSV, numbers and short codes are
    as they were, and ``read_table`` reads the formulas back as the codes."""
    from workbench.reports.tables import csv_bytes

    frame = pd.DataFrame({"sku": ["3700000000000665924", "3700000000000640249", "A01", None],
                          "code": ["00123", "123", "0", "7"], "units": [1, 2, 3, 4]})
    path = write_table(frame, tmp_path / "x.csv", excel_csv=True)
    lines = path.read_bytes()[3:].decode("utf-8").splitlines()
    assert lines[1] == '"=""3700000000000665924""","=""00123""",1' and lines[3] == "A01,0,3"
    assert lines[4] == ",7,4"
    assert write_table(frame, tmp_path / "plain.csv").read_text().splitlines()[1] == "3700000000000665924,00123,1"
    back = read_table(path, text_columns=["sku", "code"])
    assert back["sku"].tolist()[:3] == frame["sku"].tolist()[:3] and back["code"].tolist() == frame["code"].tolist()
    assert read_table(path)["units"].tolist() == [1, 2, 3, 4]
    assert '"=""3700000000000640249"""' in csv_bytes(frame).decode("utf-8-sig")


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("old\n")
    with pytest.raises(Exception):
        write_table(pd.DataFrame({"a": [object()]}), tmp_path / "o.parquet")
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]


def test_write_json_uses_the_users_file_mode(tmp_path, umask_022):
    path = write_json({"a": float("nan")}, tmp_path / "r.json")
    assert path.read_text() == '{\n  "a": null\n}\n'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_refuse_overwrite_same_path_symlink_and_hard_link(tmp_path, monkeypatch):
    source = tmp_path / "in.csv"
    source.write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match="--out ./in.csv is the input file .*in.csv"):
        refuse_overwrite("./in.csv", None, source)
    (tmp_path / "link.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    for other in ("link.csv", "hard.csv", "sub/../in.csv"):
        with pytest.raises(ParameterError):
            refuse_overwrite(other, source)
    refuse_overwrite("out.csv", source)  # a new file is fine
    refuse_overwrite(None, source)


def test_read_yaml_plain_values_and_bom(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffcolumns:\n  time: 支付完成时间\nlist: [1, 2]\n".encode("utf-8"))
    assert read_yaml(path) == {"columns": {"time": "支付完成时间"}, "list": [1, 2]}
    data, lines = read_yaml_with_lines(path)
    assert lines[("columns", "time")].line == 2 and lines[("list", 1)].line == 3


@pytest.mark.parametrize("text,message", [
    ("a: 1\nb: 2\na: 3\n", r"m.yaml:3: a: duplicate key \(first written on line 1\)"),
    ("a: [1, 2\nb: 3\n", r"m.yaml:\d+: not valid YAML"),
    ("", "the file is empty"),
    ("? [a, b]\n: 1\n", "keys must be text"),
])
def test_read_yaml_refusals_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_yaml(path)


def test_read_yaml_refuses_an_alias_bomb_and_a_huge_file(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bomb.yaml:.*(aliases|values)"):
        read_yaml(bomb)
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 2_000, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2,003 bytes, more than a mapping's limit of 1,000"):
        read_yaml(big, max_bytes=1_000, what="mapping")
    with pytest.raises(ConfigError, match="not UTF-8"):
        (tmp_path / "gbk.yaml").write_bytes("a: 广东\n".encode("gbk"))
        read_yaml(tmp_path / "gbk.yaml")


def test_line_numbers_survive_blank_lines_and_quoted_line_breaks(tmp_path):
    from workbench.data.validate import prepare_long_frame

    path = tmp_path / "s.csv"
    path.write_text('date,sku,note,units\n2024-01-01,a,"two\nlines",1\n\n2024-01-02,a,x,-5\n', encoding="utf-8")
    frame = read_table(path)
    with pytest.raises(DataValidationError, match="negative values at line 5"):
        prepare_long_frame(frame, date_col="date", target_col="units", keys=["sku"])


def test_a_title_row_above_the_header_is_named(tmp_path):
    path = tmp_path / "t.xlsx"
    pd.DataFrame([["订单导出 2026-01-01", None, None], ["订单编号", "商品ID", "数量"], ["1", "A", "2"]]).to_excel(
        path, index=False, header=False)
    with pytest.raises(DataValidationError, match="the first row is not a header: 2 of 3 columns have no name"):
        read_table(path)


def test_utf16_tab_separated_and_semicolon_files(tmp_path):
    (tmp_path / "u.txt").write_bytes("日期\t销量\n2025-01-01\t3\n".encode("utf-16"))  # Excel "Unicode Text"
    assert read_table(tmp_path / "u.txt").to_dict("list") == {"日期": ["2025-01-01"], "销量": [3]}
    (tmp_path / "s.csv").write_text("date;units\n2025-01-01;3\n", encoding="utf-8")
    assert list(read_table(tmp_path / "s.csv").columns) == ["date", "units"]
