"""Figures of event forecasts: history and bands, uplift per key, backtest comparison."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.forecast.planning import PERIOD_ADJECTIVES, PERIOD_WORDS, EventForecast, level_daily


def _title(result: EventForecast) -> str:
    return f"{result.window.label} {result.window.year}"


def forecast_figure(history: pd.DataFrame, result: EventForecast, *, lower: str, upper: str,
                    unit: str = "units") -> go.Figure:
    """National history, forecast with its band, baseline and (if known) actuals; window shaded.
    Points are the data's periods (``result.freq``: days, weeks or months, at their first day)."""
    hist = history.groupby("ds")["y"].sum()
    hist = hist[(hist.index >= result.cutoff - pd.Timedelta(days=400)) & (hist.index <= result.cutoff)]
    fc = level_daily(result, [])  # the national band is the total's own, not summed quantiles
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=hist.index, y=hist.values, name="history (training)",
                             line=dict(color="#555", width=1)))
    fig.add_trace(go.Scatter(x=fc.ds, y=fc[upper], line=dict(width=0), showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=fc.ds, y=fc[lower], fill="tonexty", line=dict(width=0),
                             fillcolor="rgba(31,119,180,0.2)", name=f"{lower}–{upper}"))
    fig.add_trace(go.Scatter(x=fc.ds, y=fc.yhat, name="forecast", line=dict(color="#1f77b4")))
    if fc["yhat_baseline"].notna().any():
        fig.add_trace(go.Scatter(x=fc.ds, y=fc.yhat_baseline, name="baseline (no events)",
                                 line=dict(color="#1f77b4", dash="dot")))
    if result.has_actuals:
        fig.add_trace(go.Scatter(x=fc.ds, y=fc.y, name="actual", line=dict(color="#d62728")))
    fig.add_vrect(x0=result.window.start, x1=result.window.end, fillcolor="orange", opacity=0.12,
                  line_width=0, annotation_text=_title(result), annotation_position="top left")
    fig.add_vline(x=result.cutoff, line_dash="dash", line_color="#999")
    axis = "date" if result.freq == "D" else f"{PERIOD_WORDS[result.freq]}, dated by its first day"
    fig.update_layout(title=f"{_title(result)}: {PERIOD_ADJECTIVES[result.freq]} {unit}, all series", xaxis_title=axis,
                      yaxis_title=unit, hovermode="x unified", height=420)
    return fig


def uplift_figure(totals: pd.DataFrame, keys: list[str], unit: str = "units") -> go.Figure:
    """Window total per key: baseline and event uplift stacked, the forecast of series whose
    model has no baseline (the naive ones) as its own bar, actual as a marker."""
    label = totals[keys].astype(str).agg(" / ".join, axis=1) if keys else pd.Series(["all"] * len(totals))
    fig = go.Figure()
    fig.add_trace(go.Bar(x=label, y=totals.yhat_baseline, name="baseline"))
    fig.add_trace(go.Bar(x=label, y=totals.uplift, name="event uplift"))
    unsplit = totals.yhat - totals.yhat_baseline.fillna(0) - totals.uplift.fillna(0)
    if (unsplit.abs() > 1e-9 * totals.yhat.abs().clip(lower=1)).any():
        fig.add_trace(go.Bar(x=label, y=unsplit, name="forecast (model without a baseline)"))
    if "actual" in totals and totals.actual.notna().any():
        fig.add_trace(go.Scatter(x=label, y=totals.actual, mode="markers", name="actual",
                                 marker=dict(color="#d62728", size=9, symbol="diamond")))
    fig.update_layout(barmode="stack", title=f"Event-window total {unit} per series",
                      yaxis_title=unit, height=420)
    return fig


def backtest_figure(table: pd.DataFrame) -> go.Figure:
    """Event-window WAPE per model and past window."""
    fig = go.Figure()
    for model, part in table.groupby("model", sort=False):
        fig.add_trace(go.Bar(x=part.window, y=part.wape * 100, name=model))
    fig.update_layout(barmode="group", title="Backtest: event-window WAPE (%) on the total",
                      yaxis_title="WAPE %", height=380)
    return fig
