"""``notebooks/network_plan.ipynb`` runs under papermill with small parameters."""

import papermill
import pytest

pytestmark = pytest.mark.slow

SMALL = {"hubs": "Beijing,Guangzhou,Chengdu,Wuhan,Shanghai", "n_front_candidates": 12,
         "max_fronts": 4, "hot_target_share": 0.5, "time_limit": 60.0, "alert_category": "home"}


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_network_plan_notebook_runs_offline(run_notebook):
    nb = run_notebook("network_plan.ipynb", SMALL)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    maps = [h for h in html if "cities (size = units)" in h]
    assert len(maps) == 2  # named plan and optimized network
    assert any("PlotlyGeoAssets" in h and "asia_110m" in h for h in html)  # base map shipped
    text = "".join(o.get("text", "") for o in outputs)
    assert "Central warehouses: named Beijing, Guangzhou, Chengdu" in text


def test_network_plan_notebook_rejects_a_bad_parameter(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="max_centrals"):
        run_notebook("network_plan.ipynb", {**SMALL, "max_centrals": 0})
