"""The planning cycle reads a team's own sales export as it is (trial 8 F7): its column names
are parameters, a province column is read as the network's regions, and the file is checked
before any kernel starts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data.provinces import REGIONS
from workbench.errors import DataValidationError, ParameterError
from workbench.fulfilment.cycle import CycleParams, check_sales_file, load_history

CHINESE = {"date_col": "日期", "sku_col": "商品编码", "region_col": "省份", "category_col": "类目", "target": "销量"}


def _export(tmp_path) -> dict:
    """A Chinese export: two SKUs (one code with a leading zero) in four provinces of three
    regions, 60 days; returns the files' parameters."""
    days = pd.date_range("2026-09-01", periods=60)
    rows = [pd.DataFrame({"日期": days.strftime("%Y-%m-%d"), "商品编码": sku, "省份": province, "类目": "零食",
                          "销量": units})
            for sku, units in (("0031000", 3), ("JG002", 5)) for province in ("广东省", "浙江", "江苏省", "四川省")]
    data = tmp_path / "销售明细.csv"
    pd.concat(rows).to_csv(data, index=False, encoding="gbk")
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,warehouse,on_hand,on_order\n0031000,Guangzhou,10,0\n", encoding="utf-8")
    return {"data": str(data), "stock": str(stock), **CHINESE}


def test_an_export_with_chinese_columns_and_provinces_is_read_as_it_is(tmp_path):
    files = _export(tmp_path)
    history, gmv, skus, notes = load_history(CycleParams(**files, gmv=None, category=None))
    assert set(history["region"]) == {"South", "East", "Southwest"} and set(history["region"]) <= set(REGIONS)
    east = history[(history["sku"] == "JG002") & (history["region"] == "East")]
    assert (east["y"] == 10).all() and len(east) == 60  # 浙江 and 江苏 summed into East
    assert history["y"].sum() == 60 * 4 * (3 + 5) and skus == ["0031000", "JG002"]  # the code keeps its zeros
    assert gmv is None and any("column '省份' holds provinces or other names" in note and "广东省 -> South" in note for note in notes)
    check_sales_file({**files, "category": None})  # the same file passes the check before any kernel


def test_a_missing_column_or_an_unknown_region_is_refused_before_any_kernel_naming_the_parameter(tmp_path):
    files = _export(tmp_path)
    with pytest.raises(DataValidationError, match=r"no column '付款日' \(date_col\).*-p date_col 日期"):
        check_sales_file({**files, "date_col": "付款日", "category": None})
    check_sales_file({**files, "date_col": "ds", "category": None})  # 日期 is one of ds' headers (data.headers)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype=str)
    raw.loc[3, "省份"] = "火星"
    raw.to_csv(files["data"], index=False, encoding="gbk")
    with pytest.raises(DataValidationError, match=r"column '省份' has \['火星'\], neither one of the network's regions"):
        check_sales_file({**files, "category": None})
    without_stock = {k: v for k, v in _export(tmp_path).items() if k != "stock"}
    with pytest.raises(ParameterError, match="stock: give your stock snapshot file"):
        check_sales_file({**without_stock, "category": None})
    with pytest.raises(ParameterError, match="sku_col, region_col.*name one column twice"):
        CycleParams(**{**files, "sku_col": "省份"})
    with pytest.raises(ParameterError, match="the sample data has fixed columns"):
        CycleParams(date_col="日期")


def test_notes_speak_the_files_own_column_names(tmp_path):
    """Trial 8 N6: after the cycle read 商品编码 as ``sku`` its notes said "in column 'sku'" and
    "sku=JG008"; they name the file's columns (the regions, read from provinces, as region), and
    a number column it does not read (退货量) is named."""
    from workbench.notes import SeriesNote, relabelled

    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    days = pd.to_datetime(raw["日期"])
    replaced = raw[(raw["商品编码"] == "JG002") & (days >= "2026-10-01")].assign(商品编码="JG002B")
    raw = pd.concat([raw[~((raw["商品编码"] == "JG002") & (days >= "2026-10-01"))], replaced])
    raw.assign(退货量=1).to_csv(files["data"], index=False, encoding="gbk")
    history, _, _, notes = load_history(CycleParams(**files, gmv=None, category=None))
    hint = [n for n in notes if "JG002 (last sale 2026-09-30" in n]
    assert len(hint) == 1 and "in column '商品编码'" in hint[0] and "'sku'" not in hint[0]
    assert any("column(s) ['退货量'] not used" in n for n in notes)
    names = history.attrs["series_names"]
    assert names == {"sku": "商品编码", "region": "region"}  # provinces were read as regions
    note = relabelled([SeriesNote("sku=JG002, region=East", "stopped", {"sku": "JG002", "region": "East"})], names)[0]
    assert note == "商品编码=JG002, region=East: stopped" and note.key == {"商品编码": "JG002", "region": "East"}


def test_the_default_category_plans_every_sku_of_a_users_file(tmp_path):
    """Trial 8 F7: the notebook's default category was the sample's 'beauty', which refused a
    team's file until `-p category None`; the default is every SKU (as CycleParams')."""
    from pathlib import Path

    from workbench.reports.params import read_notebook_parameters

    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "planning_cycle.ipynb"
    assert read_notebook_parameters(notebook)["category"].default is None
    assert CycleParams().category is None
    files = _export(tmp_path)
    check_sales_file(files)  # no category given: passes
    assert load_history(CycleParams(**files, gmv=None))[2] == ["0031000", "JG002"]
    with pytest.raises(ParameterError, match=r"category: 'beauty' is not in .*; it has \['零食'\]"):
        check_sales_file({**files, "category": "beauty"})  # a category the file lacks is still refused


def test_a_sku_with_two_categories_takes_its_latest_and_is_named(tmp_path):
    """Review 7.2 #7: a re-categorised SKU took the category of the file's last row (file order).
    It takes its category on its latest date, and a note names it."""
    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    late = raw["日期"] >= "2026-10-01"
    raw.loc[(raw["商品编码"] == "JG002") & late, "类目"] = "饮品"  # re-categorised on 10-01
    raw = raw.iloc[::-1]  # newest rows first: the file's last row holds the old category
    raw.to_csv(files["data"], index=False, encoding="gbk")
    _, _, skus, notes = load_history(CycleParams(**files, gmv=None, category="饮品"))
    assert skus == ["JG002"]
    assert any("1 SKUs have more than one category (JG002: 零食 -> 饮品)" in n for n in notes)
    assert load_history(CycleParams(**files, gmv=None, category="零食"))[2] == ["0031000"]


def test_a_named_gmv_column_the_file_lacks_is_refused(tmp_path):
    """Review 7.2 #15: `-p gmv 成交金额` on a file without it (a typo) planned without GMV, said only
    as "no GMV column"; it is refused naming the file's columns. The default name may be absent."""
    files = _export(tmp_path)
    with pytest.raises(ParameterError, match=r"gmv: .* has no column '成交金额' \(its columns: \[.*'销量'"):
        check_sales_file({**files, "gmv": "成交金额"})
    with pytest.raises(ParameterError, match="has no column '成交金额'"):
        load_history(CycleParams(**files, gmv="成交金额"))
    check_sales_file(files)  # the default 'gmv', absent: no GMV
    check_sales_file({**files, "gmv": None})


def test_the_cycle_reads_the_tables_workbench_data_orders_writes(tmp_path):
    """Trial 9 F7: `workbench data orders --level sku_province` writes ds, sku, province, region,
    units, gmv; the cycle refused it in the kernel (duplicate (ds, sku, region) rows differing in
    province). Its province is a finer key the cycle declares by default (sum_over), summed over
    with a note (the event report's rule); the category level keeps each SKU's category for
    `category`."""
    from workbench.data.orders import daily_sales
    from workbench.data.sample import sample_order_export

    export = sample_order_export("2026-08-01", "2026-10-31", share=0.02)
    codes = sorted(export["商品ID"].unique())
    export["商品类目"] = export["商品ID"].map({c: ("零食" if i % 2 else "饮品") for i, c in enumerate(codes)})
    for level in ("sku_province", "sku_category_province", "sku_category_region"):
        table = daily_sales(export, level=level).table
        path = tmp_path / f"{level}.csv"
        table.to_csv(path, index=False)
        files = {"data": str(path), "stock": str(path)}
        check_sales_file({**files, "category": None})
        history, gmv, skus, notes = load_history(CycleParams(**files, category=None))
        assert history["y"].sum() == table["units"].sum() and gmv["y"].sum() == pytest.approx(table["gmv"].sum())
        assert skus == sorted(table["sku"].unique())
        summed = [n for n in notes if "series summed over province (" in n]  # the declared default, sum_over
        assert len(summed) == ("province" in level)
    category = table["category"].iloc[0]
    assert load_history(CycleParams(**files, category=category))[2] == \
        sorted(table.loc[table["category"] == category, "sku"].unique())


def test_a_last_day_the_data_show_cut_short_is_named(tmp_path):
    """Review 7.2 #6: the planning cycle never said that its last day was a morning's export
    (read then as a whole day and its shortfall as a fall). The data say it
    (``validate.unfinished_period_note``); the whole day gets no note."""
    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    raw = raw[raw["日期"] <= "2026-09-23"]
    raw.to_csv(files["data"], index=False, encoding="gbk")
    notes = load_history(CycleParams(**files, gmv=None, category=None))[3]
    assert not any("was the export taken before it ended?" in n for n in notes)
    raw.loc[raw["日期"] == "2026-09-23", "销量"] = 0
    raw.to_csv(files["data"], index=False, encoding="gbk")
    notes = load_history(CycleParams(**files, gmv=None, category=None))[3]
    assert any(f"{files['data']}: the last day, 2026-09-23, totals 0" in n for n in notes)


def test_the_stocks_share_of_the_forecast_is_said_for_what_it_is():
    """Review 7.2 #13: with every SKU planned, units the stock lacks (a region none of whose SKUs
    could be forecast) were called "the planned SKUs' share". That is said only when a category
    or max_skus chose the SKUs; else the gap is named and the notes pointed to."""
    from workbench.fulfilment.cycle import stock_share

    assert stock_share(1000.0, 1000.2, subset=False) == "" and stock_share(1000.0, 1000.2, subset=True) == ""
    assert stock_share(200.0, 1000.0, subset=True) == " (the planned SKUs' share, 20%)"
    said = stock_share(970.0, 1000.0, subset=False)
    assert "planned SKUs' share" not in said and "30 units of the forecast are in no SKU's series" in said
    assert said.startswith(" (97%: every SKU is planned") and "the notes say where" in said


def test_only_declared_finer_keys_are_summed_over(tmp_path):
    """Review 7.2 #5: every text column beside the keys was summed over, a status column too (its
    cancelled rows summed in as sales). Only ``sum_over``'s are; rows that differ in another
    column are refused, naming it and sum_over."""
    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    status = pd.concat([raw.assign(订单状态="已完成"), raw.assign(订单状态="已取消")])
    status.to_csv(files["data"], index=False, encoding="gbk")
    with pytest.raises(DataValidationError, match=r"they differ in \['订单状态'\]: add it to the keys to forecast "
                                                  r"each, sum over it \(sum_over \['订单状态'\]\), or aggregate"):
        load_history(CycleParams(**files, gmv=None, category=None))
    raw.assign(渠道=np.where(np.arange(len(raw)) % 2, "直播", "商品卡")).to_csv(files["data"], index=False, encoding="gbk")
    history, _, _, notes = load_history(CycleParams(**files, gmv=None, category=None, sum_over=["渠道"]))
    assert history["y"].sum() == raw["销量"].sum()
    assert any("series summed over 渠道 (2 values) to" in n for n in notes)
    with pytest.raises(DataValidationError, match=r"sum_over: .* has no column '渠 道'"):
        load_history(CycleParams(**files, gmv=None, category=None, sum_over=["渠 道"]))
    # digit codes are keys too (review 8.4 #1): GB/T 2260 province codes under the default
    # sum_over, numeric store IDs with leading zeros declared
    codes = raw.assign(province=np.where(np.arange(len(raw)) % 2, "44", "11"),
                       店铺ID=np.where(np.arange(len(raw)) % 3, "001", "002"))
    codes.to_csv(files["data"], index=False, encoding="gbk")
    history, _, _, notes = load_history(CycleParams(**files, gmv=None, category=None))
    assert history["y"].sum() == raw["销量"].sum() and any("summed over province (2 values) to" in n for n in notes)
    history, _, _, notes = load_history(CycleParams(**files, gmv=None, category=None, sum_over=["province", "店铺ID"]))
    assert history["y"].sum() == raw["销量"].sum()
    assert any("summed over province (2 values), 店铺ID (2 values) to" in n for n in notes)



def test_the_cycle_gives_the_notes_every_table_read_gives(tmp_path):
    """Review 8.4 #7: the cycle put its own list of notes together and left out the years the
    calendar cannot place, which the forecast and the event report said. Every entry point now
    calls ``validate.table_notes``: the cycle's first notes are its table notes."""
    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    raw["日期"] = (pd.to_datetime(raw["日期"]) + pd.DateOffset(years=73)).dt.strftime("%Y-%m-%d")  # 2099
    raw.assign(退货量=1).to_csv(files["data"], index=False, encoding="gbk")
    notes = load_history(CycleParams(**files, gmv=None, category=None))[3]
    assert notes[0] == f"{files['data']}: column(s) ['退货量'] not used: the forecast is of '销量' as it is"
    assert notes[1].startswith(f"{files['data']}: the whole history (2099) lies outside the calendar's years "
                               f"1952-2098")


def test_the_cycles_replacement_hint_says_a_pair_across_categories_is_one(tmp_path):
    """Trial 10: a season's end beside a launch in another category read as a replacement. The
    cycle's series keys hold no category, so the hint reads it from the file's category column:
    a pair within one category is named as before, a pair across two says so."""
    files = _export(tmp_path)
    raw = pd.read_csv(files["data"], encoding="gbk", dtype={"商品编码": str})
    days = pd.to_datetime(raw["日期"])
    late = (raw["商品编码"] == "JG002") & (days >= "2026-10-01")
    raw = pd.concat([raw[~late], raw[late].assign(商品编码="YP100", 类目="饮品")])
    raw.to_csv(files["data"], index=False, encoding="gbk")
    notes = load_history(CycleParams(**files, gmv=None, category=None))[3]
    hint = [n for n in notes if "JG002 (last sale 2026-09-30" in n]
    assert len(hint) == 1 and "-> YP100 (first sale 2026-10-01" in hint[0]
    assert "across '类目' (零食 -> 饮品: a replacement rarely changes its '类目')" in hint[0]


def test_the_network_places_each_region_at_the_provinces_the_sales_name(tmp_path):
    """Trial 11 F0b: the cycle summed a shop's provinces into regions and the network spread each
    region over all its cities by population (新疆, 4% of the orders, read as 0.8% over Xi'an and
    Lanzhou; the 72 h KPI 99.2% against 95.8%). The regions' units go to the provinces the sales
    name, by their recent shares, then over each province's cities."""
    from workbench.fulfilment.cycle import plan_network

    files = _export(tmp_path)
    history, _, _, _ = load_history(CycleParams(**files, gmv=None, category=None))
    shares = pd.DataFrame(history.attrs["province_shares"])
    assert shares.set_index("province")["share"].to_dict() == {"Jiangsu": 0.5, "Zhejiang": 0.5, "Sichuan": 1.0,
                                                                "Guangdong": 1.0}
    pd.concat([history, history])  # the attrs hold records: pandas compares them on every concat
    params = CycleParams(**files, gmv=None, category=None, time_limit=60.0, hot_target_share=0.0)
    totals = pd.DataFrame({"region": ["South", "East", "Southwest"], "yhat": [100.0, 200.0, 50.0]})
    window = type("W", (), {"start": pd.Timestamp("2027-01-02"), "end": pd.Timestamp("2027-01-29"),
                            "label": "年货节", "year": 2027, "event": "new_year_sale"})()
    report = plan_network(params, window, None, totals, shares)
    placed = report.demand.groupby("province")["demand"].sum()
    assert placed[["Guangdong", "Zhejiang", "Jiangsu", "Sichuan"]].tolist() == pytest.approx([100, 100, 100, 50])
    assert placed.drop(["Guangdong", "Zhejiang", "Jiangsu", "Sichuan"]).sum() == pytest.approx(0.0)


WINDOW = type("W", (), {"start": pd.Timestamp("2027-01-02"), "end": pd.Timestamp("2027-01-29"),
                        "label": "年货节", "year": 2027, "event": "new_year_sale"})()


def test_a_province_without_a_city_of_the_population_floor_keeps_its_largest_city():
    """Review 9.1 #1: one unit sold in 西藏 stopped the cycle ("provinces ['Tibet'] have units but no
    city in the city table"): the network's demand cities are those of >= 1,000,000 people and Tibet
    has none. A place with units and no such city keeps its largest city, said in a note; every
    unit is placed."""
    from workbench.fulfilment.cycle import plan_network

    totals = pd.DataFrame({"region": ["South", "Southwest"], "yhat": [100.0, 50.0]})
    shares = pd.DataFrame({"province": ["Guangdong", "Sichuan", "Tibet"], "region": ["South", "Southwest", "Southwest"],
                           "share": [1.0, 0.98, 0.02], "units": [10.0, 49.0, 1.0]})
    params = CycleParams(data="sample", gmv=None, category=None, time_limit=60.0, hot_target_share=0.0)
    report = plan_network(params, WINDOW, None, totals, shares)
    placed = report.demand.groupby("province")["demand"].sum()
    assert report.demand["demand"].sum() == pytest.approx(150.0)
    assert placed["Tibet"] == pytest.approx(1.0) and placed["Sichuan"] == pytest.approx(49.0)
    assert report.demand.set_index("city").loc["Lhoka", "demand"] == pytest.approx(1.0)
    assert any("province Tibet: no city of 1,000,000 people or more; its 1 units go to its largest city, Lhoka" in n
               for n in report.notes)


def test_units_whose_province_is_unknown_stay_at_region_level_and_are_counted():
    """Review 9.1 #2: rows whose province names none (未知, 其他, empty) were dropped from the
    shares, so a region sold only to 未知 lost its forecast from the network (150 of 180 units
    placed) and a region mostly 未知 was moved onto its one known province. The unknown share of
    a region stays at region level, a region without shares keeps all its units, the placed total
    is the forecast's, and a note counts the units with no province."""
    from workbench.fulfilment.cycle import plan_network, province_notes, province_shares

    days = pd.date_range("2026-01-01", periods=10)
    sales = pd.concat([pd.DataFrame({"sku": "A", "region": region, "_province": province, "ds": days, "y": y})
                       for region, province, y in [("North", "内蒙古", 5.0), ("North", "北京", 5.0), ("East", "未知", 50.0),
                                                   ("East", "上海", 1.0), ("Northwest", "其他", 3.0),
                                                   ("South", "广东", 2.0)]])
    shares = province_shares(sales)
    by = shares.assign(province=shares["province"].fillna("?")).set_index(["region", "province"])["share"]
    assert by[("East", "?")] == pytest.approx(50 / 51) and by[("East", "Shanghai")] == pytest.approx(1 / 51)
    assert by[("Northwest", "?")] == 1.0 and by.groupby(level=0).sum().tolist() == pytest.approx([1.0] * 4)
    notes = province_notes(shares)
    assert any("530 of the sales' 660 units name no province" in n and "East 98%" in n and "Northwest 100%" in n
               for n in notes)
    totals = pd.DataFrame({"region": ["North", "East", "Northwest", "Southwest"], "yhat": [40.0, 51.0, 30.0, 9.0]})
    params = CycleParams(data="sample", gmv=None, category=None, time_limit=60.0, hot_target_share=0.0)
    report = plan_network(params, WINDOW, None, totals, shares)
    demand = report.demand
    assert demand["demand"].sum() == pytest.approx(130.0)
    by_region = demand.groupby("region")["demand"].sum()
    assert by_region[["North", "East", "Northwest", "Southwest"]].tolist() == pytest.approx([40.0, 51.0, 30.0, 9.0])
    assert demand.groupby("province")["demand"].sum()["Shanghai"] == pytest.approx(1.0 + 50.0 * demand.loc[
        demand["province"] == "Shanghai", "population"].sum() / demand.loc[demand["region"] == "East", "population"].sum())


def test_a_stock_out_file_names_a_region_or_a_province_and_passes_both_checks(tmp_path):
    """Review 10.1 F6: with a province column, a file naming the network's region was refused before
    the kernel, one naming the file's own 省份 column in it, both advising a --keys the notebook lacks.
    One reading for both checks: the SKU by the sales file's column, the place by its region column
    (or ``region``): a region (East, 华南) or a province (浙江, read as its region, said in a note)."""
    from workbench.fulfilment.cycle import check_cycle_unavailable, load_unavailable

    files = _export(tmp_path)
    params = CycleParams(**files, gmv=None, category=None)
    history, _, _, _ = load_history(params)
    cases = {"省份": ("浙江", "East"), "region": ("华南", "South")}
    for column, (place, region) in cases.items():
        oos = tmp_path / f"oos_{column}.csv"
        oos.write_text(f"商品编码,{column},start,end\nJG002,{place},2026-09-10,2026-09-12\n", encoding="utf-8")
        check_cycle_unavailable({**files, "unavailable": str(oos)})
        spans = load_unavailable(CycleParams(**files, gmv=None, category=None, unavailable=str(oos)), history)
        assert spans[["sku", "region"]].values.tolist() == [["JG002", region]]
        assert bool(spans.attrs["notes"]) == (column == "省份")  # a province is said to be read as its region
    bad = tmp_path / "oos_bad.csv"
    bad.write_text("商品编码,仓库,start,end\nJG002,杭州,2026-09-10,2026-09-12\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column\(s\) \['仓库'\] are neither.*the place \('省份' or "
                                                  r"'region'.*rename them$"):
        check_cycle_unavailable({**files, "unavailable": str(bad)})
    mars = tmp_path / "oos_mars.csv"
    mars.write_text("商品编码,省份,start,end\nJG002,火星,2026-09-10,2026-09-12\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"line 2, column '省份': '火星' is neither one of the network's regions"):
        check_cycle_unavailable({**files, "unavailable": str(mars)})
    north = tmp_path / "oos_north.csv"  # a region the shop does not sell in
    north.write_text("商品编码,region,start,end\nJG002,North,2026-09-10,2026-09-12\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"line 2, column 'region': 'North' is no value of 'region'"):
        load_unavailable(CycleParams(**files, gmv=None, category=None, unavailable=str(north)), history)


def test_regions_named_in_chinese_place_no_province_and_the_network_takes_them(tmp_path):
    """Trial 18 F2: a region column of 华东 / 华南 / 华北 / 西南 was read as provinces for the network's
    shares (none found), and the empty split of the known provinces failed the cycle with pandas'
    "Can only string multiply by an integer" (exit 3). Region names are regions: no province
    shares; the network places each region's units over its cities."""
    from workbench.fulfilment.cycle import plan_network

    days = pd.date_range("2026-09-01", periods=60)
    data = tmp_path / "销售.csv"
    pd.concat([pd.DataFrame({"日期": days.strftime("%Y-%m-%d"), "商品ID": sku, "地区": region, "类目": "护肤", "销量": 4})
               for sku in ("1234567890123456789", "1234567890123456790") for region in ("华东", "华南", "华北", "西南")]
              ).to_csv(data, index=False, encoding="gbk")
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,warehouse,on_hand,on_order\n1234567890123456789,Hangzhou,10,0\n", encoding="utf-8")
    files = {"data": str(data), "stock": str(stock), "date_col": "日期", "sku_col": "商品ID", "region_col": "地区",
             "category_col": "类目", "target": "销量"}
    history, _, _, notes = load_history(CycleParams(**files, gmv=None, category=None))
    assert set(history["region"]) == {"East", "South", "North", "Southwest"}
    assert history.attrs["province_shares"] is None
    totals = pd.DataFrame({"region": ["East", "South", "North", "Southwest"], "yhat": [40.0, 30.0, 20.0, 10.0]})
    params = CycleParams(**files, gmv=None, category=None, time_limit=60.0, hot_target_share=0.0)
    report = plan_network(params, WINDOW, None, totals, None)
    assert report.demand["demand"].sum() == pytest.approx(100.0)
    # shares whose provinces are all unknown (未知) keep every unit at region level, as floats
    unknown = pd.DataFrame({"province": [None, None], "region": ["East", "South"], "share": [1.0, 1.0], "units": [5.0, 5.0]})
    report = plan_network(params, WINDOW, None, totals.iloc[:2], unknown.astype({"region": "string"}))
    assert report.demand["demand"].sum() == pytest.approx(70.0)
