"""Every reader of a user's table accepts the same header aliases (``workbench.data.headers``, the
one mapping): a Douyin/Kuaishou export's Chinese headers in a GBK file (trial 15 F11: an
unavailable-days file keyed by 商品ID was refused though the order reader took 商品ID)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.budget.io import read_history_csv
from workbench.data.headers import aliases_of, standard_headers
from workbench.data.orders import load_mapping
from workbench.data.successors import read_successors
from workbench.data.unavailable import describe_unavailable, read_spans
from workbench.errors import DataValidationError
from workbench.inventory.inputs import read_stock
from workbench.network.inputs import Period, read_demand, read_lanes, read_sites


def gbk(path, text: str):
    path.write_bytes(text.encode("gbk"))
    return path


def test_unavailable_days_keyed_by_the_exports_product_id_header(tmp_path):
    oos = gbk(tmp_path / "oos.csv", "商品ID,开始日期,结束日期\n000123,2026-08-01,2026-08-10\n")
    spans = read_spans(oos, ["sku"])
    assert list(spans.columns) == ["sku", "start", "end", "line"]
    assert spans["sku"].iloc[0] == "000123"  # a code keeps its zeros under its alias too
    assert spans["start"].iloc[0] == pd.Timestamp("2026-08-01") and spans["line"].iloc[0] == 2
    assert "商品ID read as sku" in describe_unavailable(spans, "2026-09-01")[0]
    # a run keyed by the planner's own name of the field (商品编码) reads sku and 商品ID as it
    assert list(read_spans(oos, ["商品编码"]).columns[:1]) == ["商品编码"]


def test_successors_with_chinese_headers(tmp_path):
    path = gbk(tmp_path / "succ.csv", "旧商品编码,新商品编码,生效日期\nLS004,LS004B,2026-07-01\n")
    mapping = read_successors(path)
    assert mapping.final("LS004") == "LS004B"


def test_network_cities_sites_and_lanes_with_chinese_headers(tmp_path):
    demand, period = read_demand(gbk(tmp_path / "d.csv", "城市,需求\n杭州,1000\n深圳,2000\n"))
    assert set(demand["city"]) == {"Hangzhou", "Shenzhen"} and demand["demand"].sum() == 3000
    centrals, fronts = read_sites(gbk(tmp_path / "s.csv", "城市,仓库类型,年固定成本,日产能,现有\n"
                                                            "杭州,central,1000000,,yes\n深圳,front,200000,500,no\n"),
                                  Period(365.0, "one year"))
    assert list(centrals["site"]) == ["Hangzhou"] and list(fronts["site"]) == ["Shenzhen"]
    lanes = read_lanes(gbk(tmp_path / "l.csv", "始发城市,目的城市,时效小时\n杭州,深圳,48\n"))
    assert lanes["hours"].iloc[0] == 48


def test_stock_and_budget_history_with_chinese_headers(tmp_path):
    stock = read_stock(gbk(tmp_path / "stock.csv", "商品ID,仓库,现有库存,在途库存\n000123,杭州,10,5\n"))
    assert stock["sku"].iloc[0] == "000123" and stock["on_hand"].iloc[0] == 10
    history = read_history_csv(gbk(tmp_path / "h.csv", "周,渠道,花费,成交额\n2026-01-05,抖音,1000,6000\n"
                                                     "2026-01-12,抖音,1200,7000\n"))
    assert list(history.columns[:4]) == ["week", "channel", "spend", "gmv"] and history["spend"].sum() == 2200


def test_one_mapping_for_every_reader():
    # the order reader's product-id headers are every reader's, a product name is no code
    for header in load_mapping().columns["sku"]:
        if header not in aliases_of("name"):
            assert header in aliases_of("sku") and header in aliases_of("商品编码")
    assert "商品名称" not in aliases_of("sku")


def test_two_headers_for_one_column_are_refused_naming_both():
    frame = pd.DataFrame({"商品ID": ["1"], "商家编码": ["A"], "start": ["2026-01-01"]})
    frame.attrs["source"] = "oos.csv"
    with pytest.raises(DataValidationError, match=r"oos.csv: columns \['商品ID', '商家编码'\] all name 'sku'"):
        standard_headers(frame, ["sku", "start"])
    # the reader's own name wins over another header of its field
    frame = frame.rename(columns={"商家编码": "sku"})
    assert list(standard_headers(frame, ["sku"]).columns) == ["商品ID", "sku", "start"]
