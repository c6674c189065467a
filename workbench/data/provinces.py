"""China's 34 provincial-level divisions: names as written in order exports -> canonical province
and the workbench's seven sales regions.

Canonical names are the English (pinyin) names the embedded city table uses (``Guangdong``,
``Inner Mongolia``, ``Tibet``, ``Hong Kong``...). The regions are those of the sample data and the
network (``docs/network.md``): North, Northeast, East, Central, South, Southwest, Northwest.
Hong Kong, Macao and Taiwan are recognised but belong to none of the seven regions; callers count
and report them, as they do values that name no province.

Recognised spellings of a province value: the full Chinese name (``广东省``, ``内蒙古自治区``,
``新疆维吾尔自治区``), the short name (``广东``, ``内蒙古``), the short name with another suffix
(``广西省``), traditional characters for Hong Kong, Macao and Taiwan, and English or pinyin in any
case, with or without ``Province`` / ``Sheng`` / ``Shi`` / ``Autonomous Region`` / ``SAR``.

Full addresses (``广东省深圳市南山区...``, ``深圳市南山区...``): the province is read from the start
of the address (a province name, short or full), else from a city name at its start, using the
cities of at least one million inhabitants of the embedded city table (``workbench/network/data``).
An address that starts with neither (a county or street alone) is unknown, never guessed. This is
a prefix match on the canonical names, documented here because no maintained address parser fits:
the parsers on PyPI (``cpca`` and its forks) were last released in 2021 or are one-person forks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

REGIONS = ("North", "Northeast", "East", "Central", "South", "Southwest", "Northwest")
OUTSIDE_REGIONS = ("Hong Kong", "Macao", "Taiwan")


@dataclass(frozen=True)
class Province:
    name: str  # canonical English / pinyin name
    zh: str  # full Chinese name
    short: str  # short Chinese name
    region: str | None  # one of REGIONS; None for Hong Kong, Macao, Taiwan
    aliases: tuple[str, ...] = ()  # other spellings (pinyin, traditional characters)


PROVINCES: tuple[Province, ...] = (
    Province("Beijing", "北京市", "北京", "North"),
    Province("Tianjin", "天津市", "天津", "North"),
    Province("Hebei", "河北省", "河北", "North"),
    Province("Shanxi", "山西省", "山西", "North"),
    Province("Inner Mongolia", "内蒙古自治区", "内蒙古", "North", ("Nei Mongol", "Neimenggu", "Nei Menggu", "内蒙")),
    Province("Liaoning", "辽宁省", "辽宁", "Northeast"),
    Province("Jilin", "吉林省", "吉林", "Northeast"),
    Province("Heilongjiang", "黑龙江省", "黑龙江", "Northeast"),
    Province("Shanghai", "上海市", "上海", "East"),
    Province("Jiangsu", "江苏省", "江苏", "East"),
    Province("Zhejiang", "浙江省", "浙江", "East"),
    Province("Anhui", "安徽省", "安徽", "East"),
    Province("Fujian", "福建省", "福建", "East"),
    Province("Jiangxi", "江西省", "江西", "East"),
    Province("Shandong", "山东省", "山东", "East"),
    Province("Henan", "河南省", "河南", "Central"),
    Province("Hubei", "湖北省", "湖北", "Central"),
    Province("Hunan", "湖南省", "湖南", "Central"),
    Province("Guangdong", "广东省", "广东", "South"),
    Province("Guangxi", "广西壮族自治区", "广西", "South", ("Guangxi Zhuang",)),
    Province("Hainan", "海南省", "海南", "South"),
    Province("Chongqing", "重庆市", "重庆", "Southwest"),
    Province("Sichuan", "四川省", "四川", "Southwest"),
    Province("Guizhou", "贵州省", "贵州", "Southwest"),
    Province("Yunnan", "云南省", "云南", "Southwest"),
    Province("Tibet", "西藏自治区", "西藏", "Southwest", ("Xizang",)),
    Province("Shaanxi", "陕西省", "陕西", "Northwest"),
    Province("Gansu", "甘肃省", "甘肃", "Northwest"),
    Province("Qinghai", "青海省", "青海", "Northwest"),
    Province("Ningxia", "宁夏回族自治区", "宁夏", "Northwest", ("Ningxia Hui",)),
    Province("Xinjiang", "新疆维吾尔自治区", "新疆", "Northwest", ("Xinjiang Uygur", "Xinjiang Uyghur")),
    Province("Hong Kong", "香港特别行政区", "香港", None, ("Hongkong", "HK", "Xianggang", "香港特別行政區")),
    Province("Macao", "澳门特别行政区", "澳门", None, ("Macau", "Aomen", "澳門", "澳門特別行政區")),
    Province("Taiwan", "台湾省", "台湾", None, ("臺灣", "台灣", "臺灣省", "台灣省")),
)
_LATIN_SUFFIXES = ("specialadministrativeregion", "autonomousregion", "municipality", "province",
                   "zizhiqu", "sheng", "shi", "sar")
_CHINESE_SUFFIXES = ("特别行政区", "特別行政區", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
                     "省", "市")


def _latin_key(text: str) -> str:
    key = re.sub(r"[^a-z]", "", text.lower())
    for suffix in _LATIN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


@lru_cache(maxsize=1)
def _lookup() -> dict[str, Province]:
    table: dict[str, Province] = {}
    for p in PROVINCES:
        for spelling in (p.name, p.zh, p.short, *p.aliases):
            table[spelling] = p
            if spelling.isascii():
                table[_latin_key(spelling)] = p
    table["shaanxi"] = table["Shaanxi"]  # pinyin with the doubled vowel that tells it from Shanxi
    return table


@lru_cache(maxsize=1)
def _chinese_prefixes() -> tuple[tuple[str, Province], ...]:
    """Chinese names longest first, so ``内蒙古自治区`` wins over ``内蒙``."""
    pairs = [(name, p) for p in PROVINCES for name in (p.zh, p.short, *p.aliases) if not name.isascii()]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=1)
def _city_prefixes() -> tuple[tuple[str, Province], ...]:
    """City names of the embedded city table (Chinese, longest first) -> their province."""
    from workbench.network.china import load_cities

    by_name = {p.name: p for p in PROVINCES}
    cities = load_cities()
    pairs = {(zh, by_name[province]) for zh, province in zip(cities["city_zh"], cities["province"])
             if isinstance(zh, str) and len(zh) >= 2}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def province_of(value) -> Province | None:
    """The province a province-column value names, or None when it names none.

    ``value`` is one cell: ``广东省``, ``广东``, ``Guangdong``, ``guangdong sheng``,
    ``内蒙古自治区``... Empty and non-text values give None.
    """
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", "", value)
    if not text:
        return None
    table = _lookup()
    if text in table:
        return table[text]
    if text.isascii():
        return table.get(_latin_key(text))
    for suffix in _CHINESE_SUFFIXES:  # 广西省, 内蒙古省: a short name with the wrong suffix
        if text.endswith(suffix) and text[: -len(suffix)] in table:
            return table[text[: -len(suffix)]]
    return None


def province_from_address(address) -> Province | None:
    """The province at the start of a full Chinese address, or None.

    A province name (full or short) at the start wins; otherwise a city of the embedded city
    table at the start (``深圳市南山区...`` -> Guangdong). Anything else is unknown.
    """
    if not isinstance(address, str):
        return None
    text = re.sub(r"\s+", "", address)
    if not text:
        return None
    whole = province_of(text)
    if whole is not None:
        return whole
    for name, province in _chinese_prefixes():
        if text.startswith(name):
            return province
    for name, province in _city_prefixes():
        if text.startswith(name):
            return province
    return None


def resolve_provinces(values: pd.Series, *, addresses: bool = False) -> pd.DataFrame:
    """Canonical ``province`` and ``region`` for each value of a column (None where unknown).

    ``addresses``: the values are full addresses (see ``province_from_address``), else province
    names (``province_of``). Works on the distinct values, so a million order lines cost as much
    as their few thousand addresses. Returns a frame aligned with ``values``: ``province``,
    ``region`` (None for Hong Kong, Macao, Taiwan and unknown values).
    """
    find = province_from_address if addresses else province_of
    text = values.where(values.notna(), "").astype(str)
    found = {v: find(v) for v in pd.unique(text)}
    province = text.map({v: p.name if p else None for v, p in found.items()})
    region = text.map({v: p.region if p else None for v, p in found.items()})
    return pd.DataFrame({"province": province, "region": region}, index=values.index)
