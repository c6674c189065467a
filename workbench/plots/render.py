"""Offline rendering of plotly figures in notebooks and their HTML exports.

Figures are displayed as ``text/html`` so that nbconvert keeps them (it drops plotly's JSON
mime type), with plotly.js inlined by the first figure of a kernel session and never fetched
from a CDN: reports open on a machine with no network.
"""

from __future__ import annotations

import plotly.graph_objects as go
from IPython.display import HTML, display

_state = {"plotlyjs_sent": False}


def figure_html(fig: go.Figure, *, include_plotlyjs: bool) -> str:
    """The figure as an HTML fragment; plotly.js inlined only when asked."""
    return fig.to_html(
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        config={"displaylogo": False, "responsive": True},
    )


def show(fig: go.Figure) -> None:
    """Display ``fig`` in a notebook so that it survives papermill and HTML export offline."""
    display(HTML(figure_html(fig, include_plotlyjs=not _state["plotlyjs_sent"])))
    _state["plotlyjs_sent"] = True
