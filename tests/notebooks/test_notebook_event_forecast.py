"""notebooks/event_forecast.ipynb runs under papermill with small parameters."""


def _outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if kind in o.get("data", {})]


def test_event_forecast_notebook_runs_for_the_new_year_sale(run_notebook):
    nb = run_notebook("event_forecast.ipynb", {"event": "new_year_sale", "year": 2026, "level": "region",
                                               "backtest_years": [2025], "backtest_models": ["auto", "seasonal_naive"]})
    html = [o["data"]["text/html"] for o in _outputs(nb, "text/html")]
    assert sum("plotly" in h for h in html) == 3  # forecast, uplift and backtest figures
    assert sum("<script" in h and "Plotly" in h and len(h) > 1_000_000 for h in html) == 1  # plotly.js inlined once
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "年货节 / New Year sale 2026" in text


def test_event_forecast_notebook_rejects_a_bad_parameter(run_notebook):
    import papermill
    import pytest

    with pytest.raises(papermill.PapermillExecutionError, match="event: 'black_friday'"):
        run_notebook("event_forecast.ipynb", {"event": "black_friday"})
