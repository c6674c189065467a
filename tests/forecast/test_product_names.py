"""Product names ride beside the codes into every planner table that lists SKUs, and every ``_pct``
column holds percent (trial 15 F9: the 选品 CSV listed SKU ids only, though the input had 商品名称,
and its ``uplift_pct`` held 0.43 for 43%)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data.sample import load_sample
from workbench.forecast import planning
from workbench.forecast.jobs import backtest_file, forecast_file
from workbench.forecast.request import ForecastRequest
from workbench.fulfilment.cycle import CycleParams, load_history

NAMES = {"600001": "坚果礼盒", "600002": "牛肉干", "600003": "蜂蜜"}


def _named_sales(tmp_path) -> "Path":  # noqa: F821
    """Three of the sample's food SKUs with a 商品名称 column, Chinese headers, GBK."""
    s = load_sample("sku")
    codes = dict(zip(["BEA-E-01", "BEA-E-02", "BEA-E-03"], NAMES))
    s = s[s["sku"].isin(codes) & (s["ds"] >= "2024-01-01")].assign(sku=lambda d: d["sku"].map(codes))
    s = s[["ds", "sku", "units"]]
    s.insert(2, "商品名称", s["sku"].map(NAMES))
    path = tmp_path / "销量.csv"
    s.rename(columns={"ds": "日期", "sku": "商品编码", "units": "销量"}).to_csv(path, index=False, encoding="gbk")
    return path


def test_the_selection_table_and_its_export_carry_the_names_and_uplift_in_percent(tmp_path):
    path = _named_sales(tmp_path)
    p = planning.EventParams(event="618", data=str(path), date_col="日期", target="销量", keys=["商品编码"],
                             model="seasonal_naive", export_dir=str(tmp_path / "out"))
    frame, keys, _, notes = planning.load_planning_frame(p)
    result = planning.event_forecast(frame, event="618", keys=keys, model="event_profile")
    selection = planning.selection_table(result, frame)
    assert list(selection.columns[1:3]) == ["商品编码", "商品名称"]
    assert dict(zip(selection["商品编码"], selection["商品名称"])) == NAMES
    # uplift_pct in percent (43.0), uplift_share a fraction (0.43)
    assert np.allclose(selection["uplift_pct"], 100 * selection["uplift"] / selection["baseline"])
    assert selection["uplift_pct"].abs().max() > 1.5 and np.isclose(selection["uplift_share"].sum(), 1.0)
    assert planning.table_formats(selection, "销量")["uplift_pct"] == "percent"
    (tmp_path / "out").mkdir()
    written = planning.export_tables(selection, p, result)
    for table in written:
        out = pd.read_csv(table, dtype={"商品编码": str}, encoding="utf-8-sig")
        assert set(zip(out["商品编码"], out["商品名称"])) == set(NAMES.items()), table


def test_the_forecast_and_backtest_commands_write_the_names(tmp_path):
    path = _named_sales(tmp_path)
    out, totals, series = tmp_path / "fc.csv", tmp_path / "tot.csv", tmp_path / "series.csv"
    request = ForecastRequest(freq="D", horizon=30, model="seasonal_naive", quantiles=(0.1, 0.5, 0.9))
    from workbench.forecast.jobs import EventTarget
    forecast_file(path, request, date_col="日期", target="销量", keys=["商品编码"], out=out, window_totals=totals,
                  through=EventTarget("618"))
    for written in (out, totals):
        table = pd.read_csv(written, dtype={"商品编码": str})
        assert list(table.columns[:2]) == ["商品编码", "商品名称"], written
        assert dict(zip(table["商品编码"], table["商品名称"])) == NAMES
    backtest_file(path, date_col="日期", target="销量", keys=["商品编码"], event="618", years=[2025],
                  models=["seasonal_naive"], series_out=series)
    table = pd.read_csv(series, dtype={"商品编码": str})
    assert dict(zip(table["商品编码"], table["商品名称"])) == NAMES


def test_a_code_written_with_two_names_shows_its_last_and_says_so(tmp_path):
    from workbench.data.headers import product_names

    raw = pd.DataFrame({"sku": ["A", "A", "B"], "商品名称": ["旧名", "新名", "蜂蜜"]})
    names, notes = product_names(raw, ["sku"], "sales.csv")
    assert names["names"] == {"A": "新名", "B": "蜂蜜"} and names["header"] == "商品名称"
    assert notes == ["sales.csv: sku A is written with 2 names in column '商品名称' (旧名, 新名); the tables "
                     "show its last, 新名"]


def test_the_planning_cycle_reads_the_names_for_its_sku_tables(tmp_path):
    days = pd.date_range("2026-09-01", periods=60)
    rows = [pd.DataFrame({"日期": days.strftime("%Y-%m-%d"), "商品编码": sku, "商品名称": name, "省份": "浙江",
                          "销量": 3}) for sku, name in (("0031000", "坚果礼盒"), ("JG002", "牛肉干"))]
    data = tmp_path / "销售明细.csv"
    pd.concat(rows).to_csv(data, index=False, encoding="gbk")
    params = CycleParams(data=str(data), date_col="日期", sku_col="商品编码", region_col="省份", target="销量",
                         gmv=None, category=None, stock=str(data))
    history, _, _, notes = load_history(params)
    assert history.attrs["product_names"]["names"] == {"0031000": "坚果礼盒", "JG002": "牛肉干"}
    assert not any("商品名称" in n for n in notes)  # read, not named as a column the cycle leaves out
