"""The team's stock snapshot and lead-time tables: errors name the file, the line and the column."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import DataValidationError
from workbench.inventory.inputs import (
    DEMO_STOCK_LABEL,
    demo_stock,
    lead_times_for,
    read_lead_times,
    read_stock,
)

SITES = ["Beijing", "Guangzhou", "Chengdu", "Wuhan"]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_stock_snapshot_reads(tmp_path):
    path = write(tmp_path, "stock.csv", "SKU, Warehouse ,on_hand,on_order,unit_cost\n"
                 "A1,Beijing,10,0,2.5\nA1,Wuhan,0,5,2.5\nB2,Chengdu,3,,1\n")
    stock = read_stock(path, warehouses=SITES)
    assert stock.columns.tolist() == ["sku", "warehouse", "on_hand", "on_order", "unit_cost"]
    assert stock["on_order"].tolist() == [0.0, 5.0, 0.0]  # an empty on_order means none ordered
    assert stock.attrs["source"] == str(path)


@pytest.mark.parametrize("body, message", [
    ("A1,Shenzen,10,0\n", r"stock.csv: column 'warehouse' at line 2 names warehouse 'Shenzen'"),
    ("A1,Beijing,10,0\nA2,Beijing,-3,0\n", r"stock.csv: column 'on_hand' at line 3 is -3; it must be >= 0"),
    ("A1,Beijing,10,0\nA1,Beijing,4,0\n", r"stock.csv: \(sku, warehouse\) \('A1', 'Beijing'\) repeated at lines 2, 3"),
    ("A1,Beijing,ten,0\n", r"stock.csv: column 'on_hand' at line 2 is not a number \(e.g. 'ten'\)"),
    ("A1,Beijing,,0\n", r"stock.csv: column 'on_hand' at line 2 is empty"),
    (",Beijing,1,0\n", r"stock.csv: column 'sku' at line 2 is empty"),
    ("A1,Beijing,1,-2\n", r"column 'on_order' at line 2 is -2"),
])
def test_stock_errors_name_file_line_and_column(tmp_path, body, message):
    path = write(tmp_path, "stock.csv", "sku,warehouse,on_hand,on_order\n" + body)
    with pytest.raises(DataValidationError, match=message):
        read_stock(path, warehouses=SITES)


def test_unknown_warehouse_suggests_close_names(tmp_path):
    path = write(tmp_path, "stock.csv", "sku,warehouse,on_hand,on_order\nA1,Chengdou,1,0\n")
    with pytest.raises(DataValidationError, match=r"did you mean Chengdu \(成都\)"):
        read_stock(path, warehouses=SITES)


def test_missing_stock_columns_are_listed(tmp_path):
    path = write(tmp_path, "stock.csv", "sku,warehouse,qty\nA1,Beijing,1\n")
    with pytest.raises(DataValidationError, match=r"missing column\(s\) \['on_hand', 'on_order'\]"):
        read_stock(path)


@pytest.mark.parametrize("body, message", [
    ("A1,Beijing,0,1\n", r"lead.csv: column 'lead_time_days' at line 2 is 0; it must be > 0"),
    ("A1,Beijing,-2,1\n", r"column 'lead_time_days' at line 2 is -2; it must be > 0"),
    ("A1,Beijing,3,-1\n", r"column 'lead_time_std_days' at line 2 is -1; it must be >= 0"),
    ("A1,Beijing,3,1\nA1,Beijing,4,1\n", r"lead.csv: \(sku, warehouse\) \('A1', 'Beijing'\) repeated at lines 2, 3"),
    ("A1,Xian,3,1\n", r"column 'warehouse' at line 2 names warehouse 'Xian'"),
])
def test_lead_time_errors_name_file_line_and_column(tmp_path, body, message):
    path = write(tmp_path, "lead.csv", "sku,warehouse,lead_time_days,lead_time_std_days\n" + body)
    with pytest.raises(DataValidationError, match=message):
        read_lead_times(path, warehouses=SITES)


def test_lead_times_by_supplier_with_a_wildcard_warehouse(tmp_path):
    stock = read_stock(write(tmp_path, "stock.csv", "sku,warehouse,on_hand,on_order,supplier\n"
                             "A1,Beijing,1,0,acme\nA2,Wuhan,1,0,acme\nB1,Wuhan,1,0,zeta\n"))
    lead = read_lead_times(write(tmp_path, "lead.csv", "supplier,warehouse,lead_time_days\n"
                                 "acme,*,5\nacme,Wuhan,8\nzeta,Wuhan,2\n"), warehouses=SITES)
    out = lead_times_for(stock, lead)
    assert out["lead_time_days"].tolist() == [5.0, 8.0, 2.0]
    assert out["lead_time_std_days"].tolist() == [0.0, 0.0, 0.0]
    missing = read_lead_times(write(tmp_path, "lead2.csv", "supplier,warehouse,lead_time_days\n"
                                    "acme,Beijing,5\n"))
    with pytest.raises(DataValidationError, match=r"lead2.csv: no lead time for \(supplier, warehouse\)"):
        lead_times_for(stock, missing)


def test_lead_times_need_one_key_column(tmp_path):
    path = write(tmp_path, "lead.csv", "item,warehouse,lead_time_days\nA1,Beijing,5\n")
    with pytest.raises(DataValidationError, match="exactly one of 'sku' or 'supplier'"):
        read_lead_times(path)


def test_the_demo_snapshot_is_labelled():
    keys = pd.DataFrame({"sku": ["a", "b"], "warehouse": ["Beijing", "Beijing"]})
    stock = demo_stock(keys, [10.0, 0.0])
    assert stock.attrs["source"] == DEMO_STOCK_LABEL and "DEMO" in DEMO_STOCK_LABEL
    assert (stock[["on_hand", "on_order"]] >= 0).all().all()
    assert stock.loc[1, "on_hand"] == 0


def test_xlsx_snapshot_keeps_sku_codes_and_names_rows(tmp_path):
    path = tmp_path / "stock.xlsx"
    pd.DataFrame({"SKU": ["007", "008"], "warehouse": ["Wuhan", "Wuhan"], "on_hand": [1, -4],
                  "on_order": [0, 0]}).to_excel(path, index=False)
    with pytest.raises(DataValidationError, match=r"stock.xlsx: column 'on_hand' at .*3 is -4"):
        read_stock(path, warehouses=SITES)
    pd.DataFrame({"SKU": ["007"], "warehouse": ["Wuhan"], "on_hand": [1],
                  "on_order": [0]}).to_excel(path, index=False)
    assert read_stock(path)["sku"].tolist() == ["007"]


def test_gbk_csv_reads(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes("sku,warehouse,on_hand,on_order\n口红01,Wuhan,3,0\n".encode("gbk"))
    assert read_stock(path, warehouses=SITES)["sku"].tolist() == ["口红01"]


NETWORK = ["Shanghai", "Chengdu", "Ürümqi", "Shanghai front", "Shenzhen front"]


def test_warehouses_are_named_as_the_sites_file_names_cities(tmp_path):
    """The city-name resolver of the sites file: Chinese or English, 市, no diacritics; a front
    warehouse as '<city> front' or '<city>前置仓'. Names come back as the network's."""
    stock = read_stock(write(tmp_path, "stock.csv", "sku,warehouse,on_hand,on_order\n"
                             "A1,上海,1,0\nA1,成都市,2,0\nA1,乌鲁木齐,3,0\nA2,Urumqi,4,0\n"
                             "A1,上海 front,5,0\nA1,深圳前置仓,6,0\nA2,shanghai-front,7,0\n"),
                       warehouses=NETWORK)
    assert stock["warehouse"].tolist() == ["Shanghai", "Chengdu", "Ürümqi", "Ürümqi",
                                           "Shanghai front", "Shenzhen front", "Shanghai front"]
    lead = read_lead_times(write(tmp_path, "lead.csv", "sku,warehouse,lead_time_days\n"
                                 "A1,*,7\nA1,乌鲁木齐,12\nA2,上海前置仓,3\nA2,*,9\n"), warehouses=NETWORK)
    assert lead["warehouse"].tolist() == ["*", "Ürümqi", "Shanghai front", "*"]
    assert lead_times_for(stock, lead).set_index(["sku", "warehouse"]).loc[
        ("A1", "Ürümqi"), "lead_time_days"] == 12


def test_one_warehouse_written_two_ways_is_one_row(tmp_path):
    path = write(tmp_path, "stock.csv", "sku,warehouse,on_hand,on_order\nA1,上海,1,0\nA1,Shanghai,2,0\n")
    with pytest.raises(DataValidationError, match=r"\('A1', 'Shanghai'\) repeated at lines 2, 3"):
        read_stock(path, warehouses=NETWORK)


@pytest.mark.parametrize("name, close", [("上每", r"Shanghai \(上海\)"),
                                         ("Shenzen front", r"Shenzhen front \(深圳前置仓\)"),
                                         ("深圳", r"Shenzhen front \(深圳前置仓\)")])
def test_an_unknown_warehouse_suggests_the_closest_of_the_network(tmp_path, name, close):
    path = write(tmp_path, "stock.csv", f"sku,warehouse,on_hand,on_order\nA1,{name},1,0\n")
    with pytest.raises(DataValidationError, match=f"line 2 names warehouse '{name}'.*did you mean {close}"):
        read_stock(path, warehouses=NETWORK)


def test_capacity_rows_take_the_same_names():
    from workbench.fulfilment.peak import check_capacity

    table = pd.DataFrame({"warehouse": ["上海", "上海前置仓", "广州"],
                          "capacity_units_per_day": [900, 150, 400]})
    assert check_capacity(table, ["Shanghai", "Shanghai front"]).to_dict() == {
        "Shanghai": 900.0, "Shanghai front": 150.0, "广州": 400.0}
    with pytest.raises(DataValidationError, match="no capacity for warehouse.*Chengdu.*rows not matched: 广州"):
        check_capacity(table, ["Shanghai", "Shanghai front", "Chengdu"])
