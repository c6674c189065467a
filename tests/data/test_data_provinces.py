"""workbench.data.provinces: the 34 provincial-level names and their regions."""

import sys

import pandas as pd
import pytest

from workbench.data.provinces import PROVINCES, REGIONS, province_of, provinces_from_addresses, resolve_provinces
from workbench.network.china import load_cities


def test_all_34_divisions_in_full_short_and_english_spellings():
    assert len(PROVINCES) == 34 and len({p.name for p in PROVINCES}) == 34
    for p in PROVINCES:
        for spelling in (p.zh, p.short, p.name, p.name.upper(), f" {p.name} Province", p.short + "省"):
            assert province_of(spelling) is p, spelling
    assert {p.region for p in PROVINCES} == {*REGIONS, None}
    assert [p.name for p in PROVINCES if p.region is None] == ["Hong Kong", "Macao", "Taiwan"]


@pytest.mark.parametrize("value,name", [("内蒙古自治区", "Inner Mongolia"), ("新疆维吾尔自治区", "Xinjiang"),
                                        ("广西壮族自治区", "Guangxi"), ("宁夏回族自治区", "Ningxia"),
                                        ("西藏", "Tibet"), ("Shaanxi", "Shaanxi"), ("Shanxi", "Shanxi"),
                                        ("Macau", "Macao"), ("臺灣", "Taiwan"), ("Hong Kong SAR", "Hong Kong"),
                                        ("Nei Mongol", "Inner Mongolia")])
def test_usual_spellings(value, name):
    assert province_of(value).name == name


@pytest.mark.parametrize("value", ["", "火星", "Atlantis", None, 3.0, "广"])
def test_values_that_name_no_province(value):
    assert province_of(value) is None


def test_regions_agree_with_the_network_city_table():
    cities = load_cities()
    by_name = {p.name: p.region for p in PROVINCES}
    assert all(by_name[prov] == region for prov, region in zip(cities.province, cities.region))


def test_addresses_province_prefix_city_or_unknown():
    found = provinces_from_addresses(["广东省深圳市南山区", "深圳市南山区科技园", "杭州西湖区", "内蒙呼和浩特",
                                      "朝阳区建国路", "南山区科技园", "北京市朝阳区", "香港九龙", "", None])
    names = [p.name if p else None for p in found]
    assert names == ["Guangdong", "Guangdong", "Zhejiang", "Inner Mongolia", None, None, "Beijing",
                     "Hong Kong", None, None]


def test_resolve_provinces_is_aligned_with_its_input():
    values = pd.Series(["广东", None, "Hong Kong", "广东"], index=[10, 11, 12, 13])
    out = resolve_provinces(values)
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out.province.fillna("-").tolist() == ["Guangdong", "-", "Hong Kong", "Guangdong"]
    assert out.region.fillna("-").tolist() == ["South", "-", "-", "South"]


def test_ascii_codes_are_read_without_the_address_parser(monkeypatch):
    """An all-ASCII text (a SKU code, a Latin province name) never reaches cpca, which reads
    Chinese names only and costs 0.4 s a process to load: ``core._geographic`` asks about every
    key column of every forecast (docs/benchmarks.md, "Where the default model's time went")."""
    monkeypatch.setitem(sys.modules, "cpca", None)  # importing it now fails
    found = provinces_from_addresses(["SKU-001", "s1-F001", "Guangdong", "GD 12", ""])
    assert [p.name if p else None for p in found] == [None, None, "Guangdong", None, None]
