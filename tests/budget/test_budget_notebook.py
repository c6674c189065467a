"""The budget notebook runs under papermill with small parameters, and rejects bad ones."""

from __future__ import annotations

import json

import pytest

from workbench.budget.params import budget_notebook_params
from workbench.errors import ParameterError
from workbench.reports.params import parse_cli_parameters, read_notebook_parameters
from workbench.reports.record import RECORD_FILE_ENV, read_record_file, worst_answer


@pytest.mark.slow
def test_budget_notebook_runs(run_notebook):
    nb = run_notebook("budget_scenarios.ipynb", {
        "scenario_files": ["../budgets/plan_base.yaml", "../budgets/plan_lean.yaml"],
        "budget_points": 5, "bootstrap": 3, "budget_range": [60e6, 240e6]})
    cells = nb["cells"]
    html = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"] if "text/html" in o.get("data", {})]
    assert sum("plotly" in "".join(o["data"]["text/html"]) for o in html) >= 4  # curves, allocation, frontier, comparison
    text = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    # the base plan's caps (2 x last year) stop the spend before ROI falls to 5 (issue: "largest spend" was wrong)
    assert "ROI target 5 does not bind: every channel is at its cap" in text and "plan_base" in text
    shown = "".join("".join(o.get("data", {}).get(kind, "")) for c in cells if c["cell_type"] == "code"
                    for o in c["outputs"] for kind in ("text/markdown", "text/html"))
    assert "Response curves fitted from up to 104 weeks" in shown  # every figure is captioned
    assert "binding: the budget (all of it is spent)" in shown and "90% interval of the gain" in shown
    assert "5 budget levels from 60.0M to 240.0M, 5 solved" in shown
    tables = ["".join(o["data"]["text/html"]) for o in html if "wb-table" in "".join(o["data"]["text/html"])]
    assert len(tables) >= 4 and not any("np.float64" in t or "e+0" in t for t in tables)  # formatted numbers


def test_committed_notebook_has_no_outputs(repo):
    nb = json.loads((repo / "notebooks" / "budget_scenarios.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "workbench"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"]["tags"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.parametrize("name, text", [("roi_target", "-5"), ("budget_points", "1"), ("bootstrap", "1.5"),
                                        ("scenario_files", "[]"), ("budget_range", "[-1, 5]")])
def test_bad_parameters_are_refused_before_any_kernel(repo, name, text):
    declared = read_notebook_parameters(repo / "notebooks" / "budget_scenarios.ipynb")
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        parse_cli_parameters([(name, text)], declared, "budget_scenarios")


@pytest.mark.parametrize("change, message", [
    ({"scenario_files": ["nope.yaml"]}, "^scenario_files: 'nope.yaml' is not a file"),
    ({"budget_range": [5e6, 1e6]}, "^budget_range: give"),
    ({"budget_range": [1e6, 2e6, 3e6]}, "^budget_range: give"),
    ({"roi_target": -1.0}, "parameter 'roi_target'"),
])
def test_the_params_object_checks_what_the_hints_cannot(repo, change, message):
    declared = read_notebook_parameters(repo / "notebooks" / "budget_scenarios.ipynb")
    cell = next(c for c in json.loads((repo / "notebooks" / "budget_scenarios.ipynb").read_text())["cells"]
                if "parameters" in c["metadata"].get("tags", []))
    namespace: dict = {}
    exec("".join(cell["source"]), namespace)  # the cell as the kernel runs it (annotations included)
    namespace["scenario_files"] = [str(repo / "budgets" / "plan_base.yaml")]
    namespace.update(change)
    with pytest.raises(ParameterError, match=message):
        budget_notebook_params(namespace)
    namespace.update({k: d.default for k, d in declared.items() if k in change})
    namespace["scenario_files"] = [str(repo / "budgets" / "plan_base.yaml")]
    params = budget_notebook_params(namespace)
    assert params.scenario_files == (str(repo / "budgets" / "plan_base.yaml"),) and len(params.budgets) == 50


@pytest.mark.slow
def test_an_infeasible_scenario_shows_its_status_and_records_no_gmv(run_notebook, tmp_path, repo, monkeypatch):
    side_file = tmp_path / "recorded.json"
    monkeypatch.setenv(RECORD_FILE_ENV, str(side_file))  # as the report runner does; the kernel inherits it
    scenario = tmp_path / "strict.yaml"
    scenario.write_text(f"extends: {repo / 'budgets' / 'plan_base.yaml'}\nname: strict\nallocation:\n  min_roi: 40\n",
                        encoding="utf-8")
    nb = run_notebook("budget_scenarios.ipynb", {"scenario_files": [str(scenario)], "budget_points": 3,
                                                 "bootstrap": 0, "budget_range": [60e6, 240e6]})
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    text = "".join("".join(o.get("text", "")) for o in outputs)
    shown = "".join("".join(o.get("data", {}).get(k, "")) for o in outputs for k in ("text/markdown", "text/html"))
    assert "infeasible (roi): no plan keeps total ROI >= 40" in text
    assert "no plan meets the rules (roi)" in shown  # the caption says so beside the table
    recorded = read_record_file(side_file)
    assert "budget_traffic_gmv" not in recorded["results"]  # no GMV 0 read as a result
    statuses = [a["status"] for a in recorded["answers"]]
    assert statuses[0] == "infeasible" and recorded["answers"][0]["detail"].startswith("strict: no plan meets")
    assert worst_answer(recorded["answers"])["status"] == "infeasible"
