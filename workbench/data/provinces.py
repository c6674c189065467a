"""China's 34 provincial-level divisions: names as written in order exports -> canonical province
and the workbench's seven sales regions.

Canonical names are the English (pinyin) names the embedded city table uses (``Guangdong``,
``Inner Mongolia``, ``Tibet``, ``Hong Kong``...), or the short Chinese names (``广东``, ``内蒙古``)
for a Chinese export (``writes_chinese``), which every reader of a province maps back. The regions are those of the sample data and the
network (``docs/network.md``): North, Northeast, East, Central, South, Southwest, Northwest.
Hong Kong, Macao and Taiwan are recognised but belong to none of the seven regions; callers count
and report them, as they do values that name no province.

Recognised spellings of a province value: the full Chinese name (``广东省``, ``内蒙古自治区``,
``新疆维吾尔自治区``), the short name (``广东``, ``内蒙古``), the short name with another suffix
(``广西省``), traditional characters for Hong Kong, Macao and Taiwan, and English or pinyin in any
case, with or without ``Province`` / ``Sheng`` / ``Shi`` / ``Autonomous Region`` / ``SAR``.

Full addresses (``广东省深圳市南山区...``, ``深圳市南山区...``): a province name at the start
decides; otherwise the offline address parser ``cpca`` (the administrative divisions of China)
finds the city, and its province is used only when the address names that city or province. An
address with only a district or street (``朝阳区建国路``: Beijing or Changchun?) is unknown,
never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

REGIONS = ("North", "Northeast", "East", "Central", "South", "Southwest", "Northwest")
OUTSIDE_REGIONS = ("Hong Kong", "Macao", "Taiwan")
# the regions as a Chinese export writes them (大区 / 区域 columns)
REGION_NAMES_ZH = {"华北": "North", "东北": "Northeast", "华东": "East", "华中": "Central", "华南": "South",
                   "西南": "Southwest", "西北": "Northwest"}


def region_of(value) -> str | None:
    """The sales region (one of ``REGIONS``) a region-column value names: the English name in any
    case (``north``), or the Chinese one (``华北``, ``华北区``, ``华北地区``, ``华北大区``);
    None for anything else (a province is no region: ``resolve_provinces`` reads those)."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", "", value)
    english = {r.lower(): r for r in REGIONS}.get(text.lower())
    if english:
        return english
    for suffix in ("大区", "地区", "区"):
        if text.endswith(suffix) and text[: -len(suffix)] in REGION_NAMES_ZH:
            text = text[: -len(suffix)]
            break
    return REGION_NAMES_ZH.get(text)


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


def provinces_from_addresses(addresses) -> list[Province | None]:
    """The province of each full Chinese address, or None where it cannot be told.

    A province name (full or short) at the start of the address decides. Otherwise the address
    parser ``cpca`` (China's administrative divisions, offline) reads province and city; its
    province is accepted only when the address itself names it or the city (``深圳市南山区...``
    -> Guangdong), never when it is inferred from a district name alone, since district names
    repeat across provinces (``朝阳区`` is in Beijing and in Changchun).
    """
    texts = [re.sub(r"\s+", "", a) if isinstance(a, str) else "" for a in addresses]
    found: list[Province | None] = [_province_prefix(t) for t in texts]
    # cpca reads Chinese names only: a text all in ASCII (a SKU code) names none, and is spared its
    # dictionary's load (0.4 s a process, a small forecast's largest fixed cost: core._geographic)
    rest = [i for i, (t, p) in enumerate(zip(texts, found)) if p is None and t and not t.isascii()]
    if rest:
        import cpca

        parsed = cpca.transform([texts[i] for i in rest])
        for i, province_zh, city_zh in zip(rest, parsed["省"], parsed["市"]):
            province = province_of(province_zh)
            if province is None:
                continue
            named = [province.short, *(n for n in province.aliases if not n.isascii())]
            if isinstance(city_zh, str) and city_zh != "市辖区":
                named.append(re.sub(r"(市|地区|盟|自治州|林区)$", "", city_zh))
            if any(len(n) >= 2 and n in texts[i] for n in named):
                found[i] = province
    return found


def _province_prefix(text: str) -> Province | None:
    if not text:
        return None
    whole = province_of(text)
    if whole is not None:
        return whole
    for name, province in _chinese_prefixes():
        if text.startswith(name):
            return province
    return None


_HAN = re.compile(r"[\u4e00-\u9fff]")


def writes_chinese(values: pd.Series) -> bool:
    """True when most non-empty values of a column (province names or addresses) hold Chinese
    characters: the column is a Chinese export's, and its provinces are best shown in Chinese."""
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    return bool(len(text)) and float(text.str.contains(_HAN).mean()) > 0.5


def resolve_provinces(values: pd.Series, *, addresses: bool = False, chinese: bool = False) -> pd.DataFrame:
    """Canonical ``province`` and ``region`` for each value of a column (None where unknown).

    ``addresses``: the values are full addresses (see ``provinces_from_addresses``), else
    province names (``province_of``). ``chinese``: the province is named by its short Chinese
    name (``广东``, ``内蒙古``: one spelling for 广东省 / 广东 / Guangdong), else by its English
    name (``Guangdong``); the region is one of ``REGIONS`` either way. Works on the distinct
    values. Returns a frame aligned with ``values``: ``province``, ``region`` (None for Hong
    Kong, Macao, Taiwan and unknown values).
    """
    text = values.where(values.notna(), "").astype(str)
    distinct = list(pd.unique(text))
    places = provinces_from_addresses(distinct) if addresses else [province_of(v) for v in distinct]
    found = dict(zip(distinct, places))
    province = text.map({v: (p.short if chinese else p.name) if p else None for v, p in found.items()})
    region = text.map({v: p.region if p else None for v, p in found.items()})
    return pd.DataFrame({"province": province, "region": region}, index=values.index)
