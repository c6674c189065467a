"""A team's own network inputs: city names in Chinese and English, demand from a city table or a
forecast, sites, lanes; clear errors naming file, line and column; the plan command on them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.errors import DataValidationError, ParameterError
from workbench.network.inputs import read_demand, read_lanes, read_sites
from workbench.network.places import CityNames, load_cities
from workbench.network.plans import coverage_by_region


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("written", ["Xi'an", "Xian", "XI AN", "xi-an", "西安", "西安市", " xian city "])
def test_city_name_variants(written):
    assert CityNames().find(written) == "Xi'an"


def test_city_names_with_province_history_and_closest():
    names = CityNames()
    assert names.find("Suzhou") == "Suzhou" and names.find("苏州") == "Suzhou"
    assert names.find("Suzhou, Anhui") == names.find("宿州") == "Suzhou (Anhui)"
    assert names.find("Canton") == "Guangzhou" and names.find("Ürümqi") == names.find("urumqi")
    assert names.find("Gotham") is None
    assert any(label.startswith("Xi'an (西安") for label in names.closest("Xiaan"))


PROVINCIAL_CAPITALS = ["北京", "天津", "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "上海", "南京",
                       "杭州", "合肥", "福州", "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口",
                       "重庆", "成都", "贵阳", "昆明", "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐"]


def test_every_mainland_provincial_capital_is_in_the_table():
    names = CityNames()
    missing = [c for c in PROVINCIAL_CAPITALS if names.find(c) is None]
    assert len(PROVINCIAL_CAPITALS) == 31 and missing == []


CITY_TABLE = "city,demand,hot_share\n西安,1000,0.5\nshanghai,3000,0.4\nGuangzhou市,2000,0.3\n"


def test_city_table_demand(tmp_path):
    demand, period = read_demand(write(tmp_path / "d.csv", CITY_TABLE), days=18)
    assert demand["city"].tolist() == ["Xi'an", "Shanghai", "Guangzhou"]
    assert demand["demand"].tolist() == [1000.0, 3000.0, 2000.0]
    assert demand["hot_share"].tolist() == [0.5, 0.4, 0.3]
    assert period.days == 18 and period.label == "18 days"
    assert demand.set_index("city").loc["Shanghai", "region"] == "East"


def test_a_city_outside_the_table_is_added_with_its_coordinates(tmp_path):
    text = "city,demand,lat,lon,province\nXi'an,10,,,\nNewtown,5,30.1,114.2,湖北\n"
    demand, _ = read_demand(write(tmp_path / "d.csv", text))
    new = demand.set_index("city").loc["Newtown"]
    assert (new["lat"], new["lon"], new["province"], new["region"]) == (30.1, 114.2, "Hubei", "Central")


@pytest.mark.parametrize(("text", "message"), [
    ("city,demand\nXi'an,1\nGotham,2\n", r"d\.csv: line 3, column 'city': unknown city 'Gotham'"),
    ("city,demand\nXian,1\nSHANGHAI,2\n西安,3\n", r"lines 2, 4: city Xi'an is listed more than once"),
    ("city,demand\nXian,-1\n", r"line 2, column 'demand' = -1"),
    ("city,demand,hot_share\nXian,1,1.5\n", r"line 2, column 'hot_share' = 1.5: expected a number between 0 and 1"),
    ("town,units\nXian,1\n", r"neither a city table"),
])
def test_bad_city_tables_name_file_line_and_column(tmp_path, text, message):
    with pytest.raises(DataValidationError, match=message) as info:
        read_demand(write(tmp_path / "d.csv", text))
    assert "np." not in str(info.value)


def test_unknown_city_suggests_the_closest(tmp_path):
    with pytest.raises(DataValidationError, match=r"closest known: Hangzhou \(杭州"):
        read_demand(write(tmp_path / "d.csv", "city,demand\nHangzou,1\n"))


def forecast_file(tmp_path, encoding="utf-8"):
    days = pd.date_range("2026-06-01", periods=20)
    rows = [(d.date(), prov, sku, 10.0) for d in days for prov in ("广东", "湖北省") for sku in ("a", "b")]
    frame = pd.DataFrame(rows, columns=["ds", "province", "sku", "yhat"])
    path = tmp_path / "forecast.csv"
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


def test_forecast_by_province_is_split_over_its_cities(tmp_path):
    path = forecast_file(tmp_path, encoding="gbk")
    demand, period = read_demand(path, period=("2026-06-05", "2026-06-14"))
    assert period.days == 10
    by_province = demand.groupby("province")["demand"].sum()
    assert by_province["Guangdong"] == pytest.approx(10 * 2 * 10.0)
    assert by_province["Hubei"] == pytest.approx(200.0)
    assert by_province.drop(["Guangdong", "Hubei"]).sum() == 0
    cities = load_cities()
    gd = cities[cities["province"] == "Guangdong"]
    shenzhen = demand.set_index("city").loc["Shenzhen", "demand"]
    assert shenzhen == pytest.approx(200.0 * gd.set_index("city").loc["Shenzhen", "population"]
                                     / gd["population"].sum())


def test_forecast_period_outside_its_dates_is_refused(tmp_path):
    with pytest.raises(DataValidationError, match="covers 2026-06-01 to 2026-06-20"):
        read_demand(forecast_file(tmp_path), period=("2026-06-10", "2026-07-10"))
    with pytest.raises(ParameterError, match="days"):
        read_demand(forecast_file(tmp_path), days=30)


@pytest.mark.parametrize("freq,dates,window,expected", [
    # weeks dated by their Monday; the window 01-02..01-29 takes 2 of the first week's 7 days
    # and 5 of the last one's (the forecaster's --through-event file ends with that week)
    ("W", pd.date_range("2026-12-28", periods=5, freq="W-MON"), ("2027-01-02", "2027-01-29"),
     70.0 * 2 / 7 + 70.0 * 3 + 70.0 * 5 / 7),
    # months dated by their first day: 10 of January's 31 days, all of February
    ("MS", pd.date_range("2027-01-01", periods=2, freq="MS"), ("2027-01-22", "2027-02-28"),
     310.0 * 10 / 31 + 310.0),
])
def test_weekly_and_monthly_forecasts_count_the_share_of_each_period_inside_the_window(
        tmp_path, freq, dates, window, expected):
    frame = pd.DataFrame({"ds": dates.date, "region": "South", "yhat": 70.0 if freq == "W" else 310.0})
    path = tmp_path / "weekly.csv"
    frame.to_csv(path, index=False)
    demand, period = read_demand(path, period=window)
    assert demand["demand"].sum() == pytest.approx(expected)
    assert period.days == (pd.Timestamp(window[1]) - pd.Timestamp(window[0])).days + 1
    # the last period covers its days: a window past its end is refused, naming the covered span
    last_day = (dates[-1] + (pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1))
                - pd.Timedelta(days=1))
    with pytest.raises(DataValidationError, match=f"covers {dates[0].date()} to {last_day.date()}"):
        read_demand(path, period=(window[0], (last_day + pd.Timedelta(days=1)).date()))


SITES = ("city,role,fixed_cost,capacity_units_per_day,existing\n"
         "Beijing,central,3650000,,yes\n广州,central,3650000,1000,no\n"
         "Chengdu,central,3650000,,no\nShanghai,front,365000,50,yes\nWuhan,front,365000,,no\n")


def test_sites_are_scaled_to_the_period(tmp_path):
    _, period = read_demand(write(tmp_path / "d.csv", CITY_TABLE), days=10)
    centrals, fronts = read_sites(write(tmp_path / "s.csv", SITES), period)
    assert centrals["site"].tolist() == ["Beijing", "Guangzhou", "Chengdu"]
    assert centrals["fixed_cost"].tolist() == pytest.approx([100000.0] * 3)
    assert centrals["capacity"].iloc[1] == 10000.0 and np.isnan(centrals["capacity"].iloc[0])
    assert centrals["must_open"].tolist() == [True, False, False]
    assert fronts["site"].tolist() == ["Shanghai", "Wuhan"] and fronts["capacity"].iloc[0] == 500.0


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("1000,no", "-5,no"), r"line 3, column 'capacity_units_per_day' = -5"),
    (lambda t: t + "Peking,central,1,,no\n", r"lines 2, 7: site \(city / role\) Beijing / central"),
    (lambda t: t.replace("Wuhan,front", "Wuhan,depot"), r"line 6, column 'role' = 'depot'"),
    (lambda t: t.replace("Chengdu,central,3650000,,no", "Chengdu,central,3650000,,maybe"),
     r"line 4, column 'existing' = 'maybe'"),
    (lambda t: t.replace("Wuhan", "Wuhn"), r"line 6, column 'city': unknown city 'Wuhn'.*Wuhan"),
])
def test_bad_sites_name_file_line_and_column(tmp_path, change, message):
    _, period = read_demand(write(tmp_path / "d.csv", CITY_TABLE))
    with pytest.raises(DataValidationError, match=message):
        read_sites(write(tmp_path / "s.csv", change(SITES)), period)


def test_lanes_resolve_names_and_refuse_unknown_cities(tmp_path):
    lanes = read_lanes(write(tmp_path / "l.csv", "origin,destination,hours,cost_per_unit\n北京,xian,20,\n"))
    assert lanes.iloc[0][["origin", "destination", "hours"]].tolist() == ["Beijing", "Xi'an", 20.0]
    assert np.isnan(lanes["cost_per_unit"].iloc[0])
    with pytest.raises(DataValidationError, match=r"line 2, column 'destination': unknown city"):
        read_lanes(write(tmp_path / "l.csv", "origin,destination,hours\nBeijing,Atlantis,5\n"))


def own_files(tmp_path):
    demand = write(tmp_path / "demand.csv", CITY_TABLE + "Chengdu,1500,0.3\nWuhan,1200,0.3\n")
    sites = write(tmp_path / "sites.csv", SITES)
    lanes = write(tmp_path / "lanes.csv", "origin,destination,hours,cost_per_unit\nBeijing,Xi'an,30,0.9\n")
    return demand, sites, lanes


def test_plan_command_on_own_files(tmp_path, capsys):
    demand, sites, lanes = own_files(tmp_path)
    out = tmp_path / "plan.json"
    code = main(["network", "plan", "--demand", str(demand), "--days", "30", "--sites", str(sites),
                 "--lanes", str(lanes), "--max-centrals", "2", "--hot-target", "0.3",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "5 cities" in printed and "30 days" in printed
    data = json.loads(out.read_text())
    named = data["plans"]["named plan"]
    assert named["open_centrals"] == ["Beijing"] and named["open_fronts"] == ["Shanghai"]
    assert data["plans"]["optimized"]["status"] == "optimal"
    assert data["inputs"]["sites"] == str(sites)


def test_plan_command_refuses_parameters_beyond_the_data(tmp_path, capsys):
    demand, sites, _ = own_files(tmp_path)
    assert main(["network", "plan", "--demand", str(demand), "--sites", str(sites),
                 "--max-fronts", "500"]) == 2
    assert "only 2 front candidates" in capsys.readouterr().err
    assert main(["network", "plan", "--max-fronts", "500"]) == 2


def test_plan_command_exits_1_when_the_promise_cannot_hold(tmp_path, capsys):
    demand, sites, _ = own_files(tmp_path)
    code = main(["network", "plan", "--demand", str(demand), "--sites", str(sites),
                 "--promise-hours", "24", "--hot-target", "0"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "infeasible" in printed and "miss it in that plan" in printed
    # every city named with its Chinese name beside the English one
    assert "Xi'an 西安 (36 h)" in printed and "with centrals Beijing 北京;" in printed


def test_city_labels_show_the_chinese_name_of_table_cities_only():
    from workbench.network.places import city_label

    assert city_label("Aqsu") == "Aqsu 阿克苏" and city_label("Ghulja") == "Ghulja 伊宁"
    assert city_label("Depot 7") == "Depot 7"  # not a city of the table: as given


def test_coverage_by_region_matches_a_hand_count():
    from workbench.network.design import optimize_network
    from workbench.network.params import NetworkParams

    demand = pd.DataFrame({"city": ["A", "B", "C"], "lat": 30.0, "lon": [110.0, 111.0, 120.0],
                           "demand": [100.0, 100.0, 50.0], "hot_share": 0.4,
                           "region": ["West", "West", "East"]})
    central = pd.DataFrame({"site": ["A"], "lat": [30.0], "lon": [110.0], "fixed_cost": [0.0]})
    front = pd.DataFrame({"site": ["C"], "lat": [30.0], "lon": [120.0], "fixed_cost": [0.0]})
    result = optimize_network(demand, central, front, NetworkParams(max_centrals=1, max_fronts=1))
    table = coverage_by_region(result, demand, hours=(24.0, 72.0))
    # A and B are within 24 h of A; C's 40 % hot units come from the front in 5.25 h, the rest
    # from A in 37 h
    assert table.loc["West", "within_24h"] == 1.0 and table.loc["West", "units"] == 200.0
    assert table.loc["East", "within_24h"] == pytest.approx(0.4)
    assert table.loc["East", "within_72h"] == 1.0


def test_named_plan_without_existing_fronts_takes_the_largest_candidates(tmp_path, capsys):
    # --help: --fronts defaults to "the existing fronts of --sites, else the largest front
    # candidates"; a sites file with no existing front must not give a 0-front named plan
    demand, _, _ = own_files(tmp_path)
    sites = write(tmp_path / "sites.csv", SITES.replace("Shanghai,front,365000,50,yes",
                                                        "Shanghai,front,365000,50,no"))
    out = tmp_path / "plan.json"
    code = main(["network", "plan", "--demand", str(demand), "--days", "30", "--sites", str(sites),
                 "--max-centrals", "2", "--max-fronts", "1", "--hot-target", "0.3",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    named = json.loads(out.read_text())["plans"]["named plan"]
    assert named["open_centrals"] == ["Beijing"]
    assert named["open_fronts"] == ["Shanghai"]  # the front candidate with the most demand


MID_AUTUMN = ('events:\n  mid_autumn:\n    label: "中秋 / Mid-Autumn"\n    anchor: "lunar:08-15"\n'
              '    start: -14\n    end: -1\n    peaks: [-4]\n    kind: sale\n')


def test_a_planners_own_event_sets_the_networks_window(tmp_path):
    """The event report and the planning cycle take ``-p events FILE``; the network did not, so a
    shop's own 中秋 gift-box fortnight could not be planned for. The events file is read as they
    read it, with the event, in one check (``inputs.event_calendar``)."""
    from workbench.errors import ConfigError
    from workbench.network.china import plan_request

    events = write(tmp_path / "events.yaml", MID_AUTUMN)
    days = pd.date_range("2026-09-01", "2026-09-30")  # 中秋 2026 is 09-25: the window is 09-11..09-24
    path = tmp_path / "forecast.csv"
    pd.DataFrame({"ds": days.date, "province": "广东", "yhat": 10.0}).to_csv(path, index=False)
    demand, period = read_demand(path, event="mid_autumn", year=2026, events=events)
    assert period.days == 14 and demand["demand"].sum() == pytest.approx(140.0)
    assert period.label == "中秋 / Mid-Autumn 2026 window"
    with pytest.raises(ParameterError, match=r"event: 'mid_autumn' is not one of the shipped calendar's events \(or give an events file"):
        read_demand(path, event="mid_autumn", year=2026)
    with pytest.raises(ParameterError, match=r"event: 'qixi' is not one of the events of the shipped calendar and of .*mid_autumn"):
        plan_request(demand_file=str(path), event="qixi", year=2026, events=str(events))
    with pytest.raises(ParameterError, match="events=.* names the event windows to plan for: give event"):
        plan_request(demand_file=str(path), events=str(events))
    with pytest.raises(ParameterError, match="period, event, events, days and encoding apply to a demand file"):
        plan_request(event="mid_autumn", year=2026, events=str(events))
    bad = write(tmp_path / "bad.yaml", MID_AUTUMN.replace('"lunar:08-15"', '"lunar:13-15"'))
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+"):
        plan_request(demand_file=str(path), event="mid_autumn", year=2026, events=str(bad))
    assert plan_request(demand_file=str(path), event="mid_autumn", year=2026, events=str(events)).events == str(events)


def test_a_forecast_keyed_by_its_own_province_column_and_more_centrals_than_candidates(tmp_path, capsys):
    """Trial 11 F0b/F10: ``network plan`` refused the forecaster's output keyed 省份 (the user's
    own column name, which the forecaster keeps), and a max_centrals above the sites file's central
    candidates failed the planning cycle inside its kernel. The column is read under its Chinese
    names; "at most K centrals" with fewer candidates chooses among them, said in a note."""
    path = forecast_file(tmp_path)
    frame = pd.read_csv(path).rename(columns={"province": "省份"})
    chinese = tmp_path / "fc_zh.csv"
    frame.to_csv(chinese, index=False)
    demand, period = read_demand(chinese, period=("2026-06-05", "2026-06-14"))
    assert demand.groupby("province")["demand"].sum()["Guangdong"] == pytest.approx(200.0)
    demand_file, sites, _ = own_files(tmp_path)
    code = main(["network", "plan", "--demand", str(demand_file), "--days", "30", "--sites", str(sites),
                 "--max-centrals", "5", "--hot-target", "0.3"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert ("note: max_centrals is 5, and there are 3 central candidates: the optimized network chooses among those 3"
            in printed)


@pytest.mark.parametrize("event,days", [("national_day", 7), ("labor_day", 5), ("618", None)])
def test_any_event_of_the_calendar_sets_the_networks_window(tmp_path, event, days):
    """Review 9.1 #3: ``network plan --event national_day`` was refused once the network took the
    planning cycle's list of events (618, 年货节, 双11, spring festival); a network is planned for
    国庆 as for 618: every event of the run's calendar is accepted."""
    from workbench.network.china import plan_request

    path = tmp_path / "forecast.csv"
    span = pd.date_range("2026-04-01", "2026-10-31")
    pd.DataFrame({"ds": span.date, "province": "广东", "yhat": 10.0}).to_csv(path, index=False)
    demand, period = read_demand(path, event=event, year=2026)
    assert period.days == (days or period.days) and demand["demand"].sum() == pytest.approx(10.0 * period.days)
    assert plan_request(demand_file=str(path), event=event, year=2026).event == event
    with pytest.raises(ParameterError, match="not one of the shipped calendar's events.*national_day"):
        read_demand(path, event="nationalday", year=2026)


def test_a_forecast_keyed_by_chinese_place_columns_names_them_and_reads_chinese_regions(tmp_path):
    """Review 9.1 #6: a forecast keyed 省份 / 大区 was reported as column 'province' / 'region', and
    大区's own values (华南, 华东) were refused. Errors name the file's column; 华南 is South; a row
    with an empty 省份 beside its 大区 is placed over the region's cities, with a note."""
    rows = pd.DataFrame({"ds": ["2026-06-01"] * 3, "省份": ["广东", None, "湖北省"], "大区": ["华南", "华东区", "华中"],
                         "yhat": [10.0, 30.0, 5.0]})
    path = tmp_path / "fc.csv"
    rows.to_csv(path, index=False)
    demand, _ = read_demand(path)
    by_region = demand.groupby("region")["demand"].sum()
    assert by_region[["South", "East", "Central"]].tolist() == pytest.approx([10.0, 30.0, 5.0])
    assert demand["demand"].sum() == pytest.approx(45.0)
    assert demand.groupby("province")["demand"].sum()["Guangdong"] == pytest.approx(10.0)
    assert any("30 units of rows with an empty '省份' are placed over the cities of their '大区'" in n
               for n in demand.attrs["notes"])
    rows.assign(省份=["火星", "广东", "广东"]).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"line 2, column '省份': '火星' is not a known province"):
        read_demand(path)
    rows.drop(columns="省份").assign(大区=["华南", "华西", "华中"]).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"line 3, column '大区': '华西' is not a known region.*华南"):
        read_demand(path)
