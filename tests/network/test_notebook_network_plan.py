"""``notebooks/network_plan.ipynb`` runs under papermill with small parameters."""

import papermill
import pytest

pytestmark = pytest.mark.slow

SMALL = {"hubs": ["Beijing", "Guangzhou", "Chengdu", "Wuhan", "Shanghai"], "n_front_candidates": 12,
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
    assert "Central warehouses: named Beijing 北京, Guangzhou 广州, Chengdu 成都" in text


def test_network_plan_notebook_rejects_a_bad_parameter(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="max_centrals"):
        run_notebook("network_plan.ipynb", {**SMALL, "max_centrals": 0})


def test_network_plan_notebook_on_own_files(run_notebook, tmp_path):
    demand = tmp_path / "demand.csv"
    demand.write_text("city,demand\n西安,1000\nShanghai,3000\nGuangzhou,2000\nChengdu,1500\n"
                      "Wuhan,1200\n", encoding="utf-8")
    sites = tmp_path / "sites.csv"
    sites.write_text("city,role,fixed_cost,capacity_units_per_day,existing\n"
                     "Beijing,central,3650000,,yes\nGuangzhou,central,3650000,,no\n"
                     "Shanghai,front,365000,,yes\nWuhan,front,365000,,no\n", encoding="utf-8")
    nb = run_notebook("network_plan.ipynb", {**SMALL, "hubs": None, "demand_file": str(demand),
                                             "sites_file": str(sites), "days": 30.0,
                                             "max_centrals": 1, "max_fronts": None,
                                             "hot_target_share": 0.2})
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "5 cities" in text and "30 days from" in text and str(demand) in text
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "Coverage by region" in html


def test_the_runner_refuses_bad_network_files_before_any_kernel(repo, tmp_path):
    """The notebook declares its files' check (metadata workbench_input_checks): a sites file
    naming an unknown city, or a demand file whose period contradicts it, is refused in the
    runner, before a kernel starts; good files pass."""
    from workbench.errors import DataValidationError, ParameterError
    from workbench.reports import runner

    demand, sites = tmp_path / "demand.csv", tmp_path / "sites.csv"
    demand.write_text("city,demand\n西安,1000\nShanghai,3000\n", encoding="utf-8")
    sites.write_text("city,role,fixed_cost,capacity_units_per_day,existing\nBeijing,central,3650000,,yes\n"
                     "Shanghai,front,365000,,yes\n", encoding="utf-8")
    notebook = repo / "notebooks" / "network_plan.ipynb"

    def prepare(**values):
        runner.prepare(notebook, values=values, report="network_plan", tag="", reports_dir=tmp_path / "reports")

    prepare(demand_file=str(demand), sites_file=str(sites), days=30.0)
    sites.write_text(sites.read_text(encoding="utf-8") + "Atlantis,front,365000,,no\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"sites.csv: line 4.*Atlantis"):
        prepare(demand_file=str(demand), sites_file=str(sites), days=30.0)
    with pytest.raises(ParameterError, match="a city table states its period with days"):
        prepare(demand_file=str(demand), event="618", year=2027)
