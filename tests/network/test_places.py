"""The places table's name resolution of the warehouses a plan is given (trial 16 F3)."""

from __future__ import annotations

import pytest

from workbench.errors import ParameterError
from workbench.network.places import city_sites, resolve_cities


def test_chinese_and_pinyin_names_are_one_city():
    assert resolve_cities(["杭州"], "centrals") == ["Hangzhou"]
    assert resolve_cities(["Hangzhou"], "centrals") == ["Hangzhou"]
    assert resolve_cities(["杭州市", "乌鲁木齐", "Xian"], "fronts") == ["Hangzhou", "Ürümqi", "Xi'an"]


def test_an_unknown_city_is_refused_naming_the_field_and_what_to_write():
    with pytest.raises(ParameterError, match=r"^centrals: unknown city 'Hangzou'; write a city of the places "
                                             r"table in Chinese or pinyin \(e.g. 杭州 or Hangzhou\); closest "
                                             r"known: Hangzhou \(杭州, Zhejiang\)"):
        resolve_cities(["Hangzou"], "centrals")


def test_one_city_named_twice_is_refused():
    with pytest.raises(ParameterError, match=r"^centrals: 'Hangzhou' names Hangzhou 杭州 a second time"):
        resolve_cities(["杭州", "Hangzhou"], "centrals")


def test_a_small_city_stands_where_the_table_puts_it():
    sites = city_sites(["Lishui", "Hangzhou"])  # 丽水: 451,418 people, below the plan's demand cities
    assert sites["site"].tolist() == ["Lishui", "Hangzhou"]
    assert sites.loc[0, ["lat", "lon"]].tolist() == pytest.approx([28.4604, 119.9103])
    with pytest.raises(ParameterError, match="resolve the written names first"):
        city_sites(["丽水"])
