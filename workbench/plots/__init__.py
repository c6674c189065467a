"""Plotly figure builders shared by notebooks and reports, and offline rendering."""

from workbench.plots.render import show

__all__ = ["show"]
