"""The one table formatter of reports: numbers a reader can read, and a CSV download."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pandas as pd
import pytest

from workbench.reports.tables import csv_bytes, format_number, formatted_cells, table_html, text_table


def test_numbers_by_kind():
    assert format_number(101836920.166633, "money", 1, scale=1e6) == "101.8"
    assert format_number(2.271169e06, "money", 0) == "2,271,169"
    assert format_number(4.061270e08, "units", 0) == "406,127,000"
    assert format_number(1234.56, "units", 0) == "1,235"
    assert format_number(0.43, "pct", 1) == "43.0%"
    assert format_number(0.57443, "share", 1) == "57.4%"
    assert format_number(-0.125, "pct", 1) == "-12.5%"
    assert format_number(5.2345, "ratio", 2) == "5.23"
    assert format_number(-0.0001, "number", 1) == "0.0"  # no "-0.0"
    assert format_number(float("nan"), "units", 0) == "—"
    assert format_number(None, "money", 1) == "—"
    assert format_number(np.int64(7), "count", 0) == "7"
    with pytest.raises(TypeError, match="expected a number"):
        format_number("12", "units", 0)


def test_no_scientific_notation_for_tiny_or_huge_values():
    for value in (1e-12, 3.2e-7, 1e15, 1.5e21):
        for kind, decimals in (("money", 1), ("number", 1), ("ratio", 2), ("pct", 1)):
            assert "e" not in format_number(value, kind, decimals).lower()


def test_cells_headers_index_and_units():
    frame = pd.DataFrame(
        {"gmv": [101836920.166633, 2.271169e06], "units": [1234.56, 7.0], "uplift_pct": [0.43, -0.05],
         "roi": [5.2345, 4.0]},
        index=pd.Index(["beauty", "food"], name="category"),
    )
    headers, rows = formatted_cells(
        frame, {"gmv": "money", "units": "units", "uplift_pct": "pct", "roi": "ratio"},
        money_unit="million CNY", labels={"uplift_pct": "uplift"},
    )
    assert headers == ["category", "gmv (million CNY)", "units", "uplift", "roi"]
    assert rows == [["beauty", "101.8", "1,235", "43.0%", "5.23"], ["food", "2.3", "7", "-5.0%", "4.00"]]


def test_default_index_is_dropped_and_multilevel_columns_are_joined():
    frame = pd.DataFrame({("optimized", "within 24 h"): [0.5], ("", "units"): [10]})
    headers, rows = formatted_cells(frame, {"optimized / within 24 h": "share"})
    assert headers == ["optimized / within 24 h", "units"]
    assert rows == [["50.0%", "10"]]


def test_money_in_cny_has_no_decimals_unless_asked():
    frame = pd.DataFrame({"cost": [1234.567]})
    assert formatted_cells(frame, {"cost": "money"})[1] == [["1,235"]]
    assert formatted_cells(frame, {"cost": "money:2"})[1] == [["1,234.57"]]


def test_labels_dates_and_integers_need_no_kind_but_decimals_do():
    frame = pd.DataFrame({"ds": pd.to_datetime(["2026-06-18 00:00", "2026-06-19 08:30"]), "sku": ["A", "广东"],
                          "orders": [1200, 3]})
    headers, rows = formatted_cells(frame)
    assert rows == [["2026-06-18", "A", "1,200"], ["2026-06-19 08:30", "广东", "3"]]
    with pytest.raises(ValueError, match=r"columns \['x'\] hold decimals"):
        formatted_cells(pd.DataFrame({"x": [0.5]}))


def test_refusals_name_the_column():
    frame = pd.DataFrame({"a": [0.2, 1.4], "b": ["x", "y"]})
    with pytest.raises(ValueError, match="not columns of the table"):
        formatted_cells(frame, {"typo": "money"}, others="text")
    with pytest.raises(ValueError, match="column 'a': unknown kind 'percentage'"):
        formatted_cells(frame, {"a": "percentage"})
    with pytest.raises(ValueError, match="column 'a' is declared a share but row 2 holds 1.4"):
        formatted_cells(frame, {"a": "share"})
    with pytest.raises(ValueError, match="column 'b', row 1: expected a number"):
        formatted_cells(frame, {"a": "pct", "b": "units"})
    with pytest.raises(ValueError, match="money_unit 'yuan'"):
        formatted_cells(frame, {"a": "money"}, others="text", money_unit="yuan")


def test_html_escapes_scrolls_and_embeds_a_bom_csv_download():
    frame = pd.DataFrame({"渠道": ["<feed>", "直播"], "spend": [1.5e6, 2.25e6], "share": [0.4, 0.6]})
    page = table_html(frame, {"spend": "money", "share": "share"}, caption="Spend by channel",
                      money_unit="million CNY")
    assert "overflow-x:auto" in page and "&lt;feed&gt;" in page and '<p class="wb-caption">Spend by channel</p>' in page
    assert '<td class="num">1.5</td>' in page and '<td class="num">60.0%</td>' in page
    link = re.search(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert link and link.group(1) == "spend_by_channel.csv"
    data = base64.b64decode(link.group(2))
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["渠道", "spend (CNY)", "share (%)"]
    assert back["spend (CNY)"].tolist() == [1500000.0, 2250000.0] and back["share (%)"].tolist() == [40.0, 60.0]
    assert "download=" not in table_html(frame, {"spend": "money", "share": "share"}, download=False)


def test_csv_rounds_units_and_keeps_whole_numbers_whole():
    frame = pd.DataFrame({"units": [12.4, 7.6], "gmv": [1234.5678, 0.001]})
    text = csv_bytes(frame, {"units": "units", "gmv": "money"}).decode("utf-8-sig")
    assert text.splitlines() == ["units,gmv (CNY)", "12,1234.57", "8,0.0"]


def test_xlsx_link_holds_the_same_table():
    frame = pd.DataFrame({"省份": ["广东", "浙江"], "gmv": [1.5e6, 2.0e6]})
    page = table_html(frame, {"gmv": "money"}, download="gmv_by_province.csv", xlsx=True)
    names = re.findall(r'download="([^"]+)"', page)
    assert names == ["gmv_by_province.csv", "gmv_by_province.xlsx"]
    data = re.search(r'href="data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,'
                     r'([^"]+)"', page).group(1)
    back = pd.read_excel(io.BytesIO(base64.b64decode(data)), sheet_name="table")
    assert back.to_dict("list") == {"省份": ["广东", "浙江"], "gmv (CNY)": [1500000, 2000000]}


def test_download_name_from_a_long_caption_is_its_first_words():
    page = table_html(pd.DataFrame({"a": ["x"]}), caption="Operating plan — base case 基准方案: optimal, spend 120.0M, GMV 990.7M")
    assert re.search(r'download="([^"]+)"', page).group(1) == "operating_plan_base_case_基准方案_optimal.csv"


def test_text_table_for_terminals_uses_the_same_rules():
    frame = pd.DataFrame({"metric": ["total cost", "within 24 h"], "named": [44187080.184, 0.584]})
    text = text_table(frame.iloc[:1], {"named": "money"}, money_unit="million CNY")
    assert text.splitlines() == ["metric      named (million CNY)", "total cost                 44.2"]
    assert text_table(pd.DataFrame({"share": [0.584]}), {"share": "pct"}) == "share\n58.4%"


def test_format_value_for_text_that_mixes_kinds():
    from workbench.reports.tables import format_value

    assert format_value(44187080.184, "money") == "44,187,080"
    assert format_value(44187080.184, "money", money_unit="million CNY") == "44.2"
    assert format_value(0.584, "pct") == "58.4%" and format_value(6.1e-05, "pct:3") == "0.006%"
    assert format_value("optimal", "text") == "optimal" and format_value(None, "number") == "—"


def test_a_label_naming_a_money_unit_gets_the_tables_unit():
    frame = pd.DataFrame({"total": [2.5e6]})
    headers, rows = formatted_cells(frame, {"total": "money"}, money_unit="million CNY",
                                    labels={"total": "total cost (CNY)"})
    assert headers == ["total cost (million CNY)"] and rows == [["2.5"]]


def test_flags_read_yes_and_no():
    frame = pd.DataFrame({"sku": ["A", "B"], "no_event_history": [False, True]})
    assert formatted_cells(frame)[1] == [["A", "no"], ["B", "yes"]]


def test_a_non_zero_amount_is_never_shown_as_zero():
    # trial 15 F8: 40,000 CNY in a million-CNY column read 0.0, beside a verdict that it was short
    assert format_number(40_000, "money", 1, scale=1e6) == "0.04"
    assert format_number(-40_000, "money", 1, scale=1e6) == "-0.04"
    assert format_number(0.4, "units", 0) == "0.4"
    # rounding noise still reads as zero, unsigned
    assert format_number(-1e-12, "money", 1) == "0.0" and format_number(0.0, "units", 0) == "0"
