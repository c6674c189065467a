"""Figures of the event peak: daily outbound per warehouse against its handling capacity."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from workbench.fulfilment.peak import PeakResult


def peak_figure(peak: PeakResult, scenario: str = "p50") -> go.Figure:
    """Per warehouse: units ordered a day (solid), handling capacity (dotted; none where it is
    unlimited) and the backlog at the end of each day (dashed) over the event window, for
    ``scenario``."""
    daily = peak.daily[peak.daily["scenario"] == scenario]
    fig = go.Figure()
    colors = qualitative.Plotly
    for i, (warehouse, rows) in enumerate(daily.groupby("warehouse", sort=True)):
        color = colors[i % len(colors)]
        fig.add_trace(go.Scatter(x=rows["ds"], y=rows["arrivals"], name=f"{warehouse} orders",
                                 line={"color": color}, legendgroup=warehouse))
        if np.isfinite(rows["capacity"]).all():  # an unlimited capacity (none given) has no line
            fig.add_trace(go.Scatter(x=rows["ds"], y=rows["capacity"], name=f"{warehouse} capacity",
                                     line={"color": color, "dash": "dot"}, legendgroup=warehouse))
        fig.add_trace(go.Scatter(x=rows["ds"], y=rows["backlog"], name=f"{warehouse} backlog",
                                 line={"color": color, "dash": "dash"}, legendgroup=warehouse,
                                 visible="legendonly"))
    fig.update_layout(title=f"Outbound per warehouse at the {scenario.upper()} peak (units a day)",
                      yaxis_title="units a day", height=460)
    return fig
