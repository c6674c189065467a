"""Figures for budget scenarios: response curves, allocation, efficient frontier, comparison.

Builders take the budget area's plain results and return plotly figures; money is shown in
million CNY.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.budget.compare import Comparison
from workbench.budget.curves import hill
from workbench.budget.frontier import Frontier

MILLION = 1e6
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def response_curves_figure(channels: pd.DataFrame, plan: pd.DataFrame | None = None,
                           samples: pd.DataFrame | None = None, *, points: int = 200) -> go.Figure:
    """GMV against spend per channel (``channel, label, vmax, k, s, max_spend``), with the
    planned and optimized spend marked (``plan``) and a 5-95% bootstrap band (``samples``)."""
    fig = go.Figure()
    top = float(np.nanmax(np.r_[channels["max_spend"].to_numpy(float),
                                plan["planned"].to_numpy(float) if plan is not None else []]))
    x = np.linspace(0.0, 1.1 * top, points)
    for i, row in enumerate(channels.itertuples()):
        color = _COLORS[i % len(_COLORS)]
        if samples is not None and len(samples):
            mine = samples[samples["channel"] == row.channel]
            if len(mine):
                draws = hill(x[None, :], mine["vmax"].to_numpy()[:, None], mine["k"].to_numpy()[:, None],
                             mine["s"].to_numpy()[:, None])
                low, high = np.quantile(draws, [0.05, 0.95], axis=0)
                fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]] / MILLION, y=np.r_[high, low[::-1]] / MILLION,
                                         fill="toself", line={"width": 0}, fillcolor=color, opacity=0.15,
                                         hoverinfo="skip", showlegend=False, legendgroup=row.channel))
        fig.add_trace(go.Scatter(x=x / MILLION, y=hill(x, row.vmax, row.k, row.s) / MILLION, mode="lines",
                                 name=row.label, line={"color": color}, legendgroup=row.channel,
                                 hovertemplate="spend %{x:.1f}M<br>GMV %{y:.1f}M<extra>" + row.label + "</extra>"))
        if plan is not None and row.channel in set(plan["channel"]):
            p = plan.set_index("channel").loc[row.channel]
            marks = [("planned", p["planned"], "circle-open")]
            if "optimized" in p and pd.notna(p["optimized"]):
                marks.append(("optimized", p["optimized"], "diamond"))
            for what, spend, symbol in marks:
                fig.add_trace(go.Scatter(
                    x=[spend / MILLION], y=[hill(spend, row.vmax, row.k, row.s) / MILLION], mode="markers",
                    marker={"color": color, "size": 11, "symbol": symbol, "line": {"width": 2, "color": color}},
                    name=f"{row.label} ({what})", legendgroup=row.channel, showlegend=False,
                    hovertemplate=f"{what}: " + "%{x:.1f}M → GMV %{y:.1f}M<extra>" + row.label + "</extra>"))
    fig.update_layout(title="Response curves (○ planned, ◆ optimized; band: 5-95% of bootstrap fits)",
                      xaxis_title="Yearly spend (million CNY)", yaxis_title="Attributed GMV (million CNY)",
                      template="plotly_white", legend={"orientation": "h", "y": -0.2})
    return fig


def allocation_figure(plan: pd.DataFrame, title: str = "Traffic allocation") -> go.Figure:
    """Planned against optimized spend per channel, with the optimized ROI in the hover."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=plan["label"], y=plan["planned"] / MILLION, name="planned",
                         customdata=plan[["planned_roi"]], marker_color="#bbbbbb",
                         hovertemplate="%{x}<br>planned %{y:.1f}M, ROI %{customdata[0]:.2f}<extra></extra>"))
    if "optimized" in plan:
        fig.add_trace(go.Bar(x=plan["label"], y=plan["optimized"] / MILLION, name="optimized",
                             customdata=plan[["optimized_roi", "marginal_roi"]], marker_color=_COLORS[0],
                             hovertemplate="%{x}<br>optimized %{y:.1f}M, ROI %{customdata[0]:.2f}, "
                                           "marginal ROI %{customdata[1]:.2f}<extra></extra>"))
    fig.update_layout(title=title, barmode="group", yaxis_title="Spend (million CNY)", template="plotly_white")
    return fig


def frontier_figure(frontier: Frontier) -> go.Figure:
    """Best GMV and its ROI against total budget, the ROI target and the point where ROI meets it."""
    points = frontier.points[frontier.points["status"] != "infeasible"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=points["budget"] / MILLION, y=points["gmv"] / MILLION, mode="lines+markers",
                             name="best GMV", marker={"size": 4}), secondary_y=False)
    fig.add_trace(go.Scatter(x=points["budget"] / MILLION, y=points["roi"], mode="lines", name="ROI",
                             line={"color": _COLORS[1]}), secondary_y=True)
    target = frontier.target
    if frontier.min_roi is not None:
        fig.add_trace(go.Scatter(x=points["budget"] / MILLION, y=np.full(len(points), frontier.min_roi),
                                 mode="lines", name=f"ROI target {frontier.min_roi:g}",
                                 line={"color": _COLORS[3], "dash": "dash"}), secondary_y=True)
    if target is not None and target.feasible:
        # the ROI target or the channel caps set this point (budget.explain.frontier_target_text)
        roi_binds = "min_roi" in target.binding
        label = "largest spend at the ROI target" if roi_binds else "channel caps reached (ROI target not binding)"
        fig.add_trace(go.Scatter(x=[target.total_spend / MILLION], y=[target.roi], mode="markers+text",
                                 name=label, marker={"size": 14, "symbol": "star", "color": _COLORS[3]},
                                 text=[f"{'max spend' if roi_binds else 'caps'} {target.total_spend / MILLION:,.1f}M"],
                                 textposition="top right"),
                      secondary_y=True)
        fig.add_vline(x=target.total_spend / MILLION, line={"color": _COLORS[3], "dash": "dot"})
    title = "Efficient frontier"
    if target is not None and not target.feasible:
        title += f" — ROI target {frontier.min_roi:g} is out of reach"
    fig.update_layout(title=title, xaxis_title="Total budget (million CNY)", template="plotly_white")
    fig.update_yaxes(title_text="GMV (million CNY)", secondary_y=False)
    fig.update_yaxes(title_text="ROI (GMV / spend)", secondary_y=True)
    return fig


def scenario_comparison_figure(comparison: Comparison) -> go.Figure:
    """Areas per scenario, optimized traffic per channel per scenario, and GMV with ROI."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=("Budget by area", "Traffic allocation (optimized)",
                                                        "Expected traffic GMV and ROI"),
                        specs=[[{}, {}, {"secondary_y": True}]])
    areas = comparison.areas_wide()
    for i, (area, row) in enumerate(areas.iterrows()):
        fig.add_trace(go.Bar(x=list(row.index), y=row.to_numpy() / MILLION, name=str(area),
                             marker_color=_COLORS[i % len(_COLORS)], legendgroup="areas"), row=1, col=1)
    traffic = comparison.traffic_wide("optimized")
    for i, (channel, row) in enumerate(traffic.iterrows()):
        fig.add_trace(go.Bar(x=list(row.index), y=row.to_numpy() / MILLION, name=str(channel),
                             marker_color=_COLORS[(i + 4) % len(_COLORS)], legendgroup="traffic"), row=1, col=2)
    s = comparison.summary
    fig.add_trace(go.Bar(x=s["scenario"], y=s["gmv"].astype(float) / MILLION, name="GMV", marker_color="#999999",
                         error_y={"type": "data", "symmetric": False,
                                  "array": (s["gmv_high"].astype(float) - s["gmv"].astype(float)) / MILLION,
                                  "arrayminus": (s["gmv"].astype(float) - s["gmv_low"].astype(float)) / MILLION}),
                  row=1, col=3, secondary_y=False)
    fig.add_trace(go.Scatter(x=s["scenario"], y=s["roi"].astype(float), mode="markers", name="ROI",
                             marker={"size": 12, "color": _COLORS[1]}), row=1, col=3, secondary_y=True)
    fig.add_trace(go.Scatter(x=s["scenario"], y=s["min_roi"].astype(float), mode="markers", name="ROI target",
                             marker={"size": 12, "symbol": "line-ew-open", "color": _COLORS[3]}),
                  row=1, col=3, secondary_y=True)
    fig.update_layout(barmode="stack", template="plotly_white", height=480, title="Scenario comparison")
    fig.update_yaxes(title_text="million CNY", row=1, col=1)
    fig.update_yaxes(title_text="ROI", row=1, col=3, secondary_y=True)
    return fig
