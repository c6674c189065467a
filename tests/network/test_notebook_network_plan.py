"""``notebooks/network_plan.ipynb`` runs under papermill with small parameters."""

import pandas as pd
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
    assert any("Replenishment alerts (DEMO stock snapshot of the embedded sample)" in h for h in html)


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
    # the sample's DEMO stock is no alert of theirs (trial 12 F18): said, none shown
    assert "Replenishment alerts need your own stock" in text
    assert "Replenishment alerts (" not in html and "Slow movers (" not in html


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


def test_network_plan_notebook_plans_a_planners_own_event(run_notebook, repo, tmp_path):
    """The network notebook takes ``events`` as the event report and the planning cycle do: a
    forecast by province planned over the shop's own 中秋 fortnight (2026-09-11..09-24 of a
    September forecast); an event the file does not add is refused before any kernel starts."""
    from workbench.errors import ParameterError
    from workbench.reports import runner

    events = tmp_path / "events.yaml"
    events.write_text('events:\n  mid_autumn:\n    label: "中秋 / Mid-Autumn"\n    anchor: "lunar:08-15"\n'
                      '    start: -14\n    end: -1\n    peaks: [-4]\n', encoding="utf-8")
    demand = tmp_path / "forecast.csv"
    days = pd.date_range("2026-09-01", "2026-09-30")
    pd.concat([pd.DataFrame({"ds": days.date, "province": p, "yhat": units})
               for p, units in (("广东", 300.0), ("上海", 200.0), ("四川", 100.0), ("湖北", 100.0))]
              ).to_csv(demand, index=False)
    params = {**SMALL, "demand_file": str(demand), "event": "mid_autumn", "year": 2026, "events": str(events)}
    with pytest.raises(ParameterError, match=r"event: 'double12' is not one of the events of the shipped calendar and of .*events.yaml: .*mid_autumn"):
        runner.prepare(repo / "notebooks" / "network_plan.ipynb", values={**params, "event": "double12"},
                       report="network_plan", tag="", reports_dir=tmp_path / "reports")
    nb = run_notebook("network_plan.ipynb", params)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "Plans over 中秋 / Mid-Autumn 2026 window" in html


def test_network_plan_notebook_plans_ones_own_warehouse_as_given(run_notebook, repo, tmp_path):
    """Trial 16 F3, the network's side: a warehouse named in Chinese with siting off is the plan
    alone (no optimized network, no map of one); a misspelt city is refused before any kernel."""
    from workbench.errors import ParameterError
    from workbench.reports import runner

    demand = tmp_path / "demand.csv"
    demand.write_text("city,demand\n西安,1000\nShanghai,3000\nGuangzhou,2000\nChengdu,1500\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="^named_centrals: unknown city 'Hangzou'"):
        runner.prepare(repo / "notebooks" / "network_plan.ipynb", values={"named_centrals": ["Hangzou"]},
                       report="network_plan", tag="", reports_dir=tmp_path / "reports")
    nb = run_notebook("network_plan.ipynb", {"demand_file": str(demand), "days": 30.0, "named_centrals": ["杭州"],
                                             "siting": False, "time_limit": 60.0})
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "a fixed network (siting off): the warehouses as given, Hangzhou 杭州" in text
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len([h for h in html if "cities (size = units)" in h]) == 1  # the plan as given only
