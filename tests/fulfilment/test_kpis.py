"""KPIs against targets: green, red or info, and the report table."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.fulfilment.kpis import Kpi, judge, kpi_html, kpi_table


def test_judge():
    assert judge(0.96, 0.95, ">=") == "green"
    assert judge(0.95, 0.95, ">=") == "green"  # a share exactly on the target holds it
    assert judge(0.9499, 0.95, ">=") == "red"
    assert judge(4.0, 5.0, "<=") == "green" and judge(6.0, 5.0, "<=") == "red"
    assert judge(None, 0.95, ">=") == "info" and judge(3.0, None, None) == "info"
    with pytest.raises(ValueError, match="direction"):
        judge(1.0, 1.0, ">")


def test_table_says_what_to_change_only_where_missed():
    kpis = [Kpi("kpi_ship_48h_p50", "48 h", 0.9, 0.95, ">=", "share", "add 26 units a day at Wuhan"),
            Kpi("kpi_traffic_roi", "ROI", 8.26, 5.0, ">=", "ratio", "lower the budget"),
            Kpi("kpi_coverage_72h", "72 h", None, 1.0, ">=", "share", "infeasible: ...",
                status_override="red")]
    table = kpi_table(kpis)
    assert table["status"].tolist() == ["red", "green", "red"]
    assert table["what to change"].tolist() == ["add 26 units a day at Wuhan", "", "infeasible: ..."]
    assert table["target"].tolist() == [">= 95.0%", ">= 5.00", ">= 100.0%"]
    html = kpi_html(kpis)
    assert 'class="wb-table"' in html and html.count("background-color:#ffcdd2") == 2
    assert "90.0%" in html and "8.26" in html and "—" in html


def test_a_missed_roi_says_what_binds():
    from types import SimpleNamespace

    from workbench.budget.infeasibility import Infeasibility
    from workbench.fulfilment.cycle import CycleParams, judge_plan

    class Allocation:  # an answer without a plan, as budget.explain.binding_text reads it
        feasible = False
        infeasibility = Infeasibility("roi", "the best ROI within the budget is 4.2", advice="lower min_vs_last to 1.07")

    budget = SimpleNamespace(allocation=Allocation(), summary=lambda: {
        "scenario": "lean", "roi": 4.2, "status": "infeasible", "within_budget": None})
    plan = SimpleNamespace(feasible=True, coverage={"within_promise": 1.0}, open_centrals=["Wuhan"],
                           open_fronts=[],
                           cities=pd.DataFrame({"city": [], "units": [], "within_promise": []}))
    report = SimpleNamespace(plans={"optimized": plan})
    kpis = judge_plan(CycleParams(gmv_share=None), report, plan, None, None, None, budget, None,
                      "no network")
    roi = next(k for k in kpis if k.name == "kpi_traffic_roi")
    assert roi.status == "red" and "the best ROI within the budget is 4.2; lower min_vs_last to 1.07" in roi.action


def _budget():
    from types import SimpleNamespace

    from workbench.budget.infeasibility import Infeasibility

    class Allocation:  # the budget is not under test: an answer without a plan
        feasible = False
        infeasibility = Infeasibility("roi", "the best ROI within the budget is 4.2")

    return SimpleNamespace(allocation=Allocation(), summary=lambda: {
        "scenario": "lean", "roi": 4.2, "status": "infeasible", "within_budget": None})


def test_a_met_promise_is_green_and_the_constraint_that_binds_gets_the_red_row():
    """Trial 10 F8: the plan as given broke the 24 h hot-item target, and its 72 h row read
    "100.0% | >= 100.0% | red". The promise's row is judged on its figure (the most the sites could
    deliver, an upper bound: "at most"), and the hot-item target gets its own red row with its best
    achievable share; a plan that misses the promise keeps a red promise row and no other."""
    from types import SimpleNamespace

    from workbench.fulfilment.cycle import CycleParams, judge_plan

    reason = "hot-item target binds: at most 70.7% of hot units can arrive within 24 h (required 80%)"
    named = SimpleNamespace(feasible=False, status="infeasible", reason=reason, coverage={},
                            details={"best_promise_share": 1.0, "best_hot_target_share": 0.707})
    report = SimpleNamespace(plans={"named plan": named}, params=SimpleNamespace(front_hours=24.0))
    kpis = judge_plan(CycleParams(gmv_share=None), report, named, None, None, None, _budget(), None, "no peak")
    table = kpi_table(kpis).set_index("kpi")
    promise = table.loc["units within 72 h (plan as given, at most)"]
    assert promise["status"] == "green" and promise["target"] == ">= 100.0%"
    hot = table.loc["hot-item units within 24 h (plan as given, at most)"]
    assert hot["status"] == "red" and hot["target"] == ">= 80.0%" and hot["value"] == pytest.approx(0.707)
    assert hot["what to change"] == (f"the plan as given is infeasible: {reason}; the target is hot_target_share 0.8 "
                                     f"(the default): add front warehouses near the hot items' cities, or lower it "
                                     f"(-p hot_target_share 0 plans without it)")
    assert [k.name for k in kpis][:2] == ["kpi_coverage_72h", "kpi_hot_target_share"]
    # another cause (single sourcing): a red row without a value says it
    other = SimpleNamespace(**{**vars(named), "reason": "single sourcing is what cannot hold",
                               "details": {"best_promise_share": 1.0, "best_hot_target_share": 0.9}})
    kpis = judge_plan(CycleParams(gmv_share=None), report, other, None, None, None, _budget(), None, "no peak")
    assert kpis[1].name == "kpi_plan_as_given" and kpis[1].status == "red"
    assert kpis[1].action == "the plan as given is infeasible: single sourcing is what cannot hold"
    from workbench.fulfilment.cycle import CycleResult

    recorded = CycleResult(None, kpis, *[None] * 12, _budget(), None).recorded()
    assert recorded["kpi_plan_as_given"] == "red: the plan as given is infeasible: single sourcing is what cannot hold"
    # the promise binds: its own row is red, nothing else is added
    late = SimpleNamespace(**{**vars(named), "details": {"best_promise_share": 0.97}})
    kpis = judge_plan(CycleParams(gmv_share=None), report, late, None, None, None, _budget(), None, "no peak")
    assert kpis[0].status == "red" and kpis[1].name == "kpi_ship_48h_p50"
