"""The words of budget answers: what binds (the budget, the ROI floor, channel caps), why some
frontier levels are left out or flat, and whether the optimized gain is inside the fits'
uncertainty."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from budget_instances import plan_channels

from workbench.budget.allocate import allocate
from workbench.budget.explain import (allocation_caption, binding_text, certainty_text, comparison_caption,
                                      curves_caption, frontier_caption,
                                      frontier_levels_text, frontier_target_text)
from workbench.budget.frontier import efficient_frontier
from workbench.budget.run import run_scenario

M = 1e6


def test_levels_below_the_minimums_and_beyond_the_caps_are_explained():
    # minimums 10M + 10M + 0; caps 100M + 100M + 80M = 280M
    budgets = [5 * M, 15 * M, 100 * M, 280 * M, 300 * M]
    frontier = efficient_frontier(plan_channels(), budgets)
    assert (frontier.min_total, frontier.cap_total) == (20 * M, 280 * M)
    text = frontier_levels_text(frontier)
    assert text.startswith("5 budget levels from 5.0M to 300.0M, 3 solved")
    assert "2 below the channel minimums' sum 20.0M cannot be spent" in text
    assert "2 at or above the channel caps' sum 280.0M are flat" in text
    flat = frontier.points[frontier.points["budget"] >= 280 * M]
    assert np.allclose(flat["spend"], 280 * M)  # the flat part is real: spend stops at the caps
    assert "budget levels" in frontier.describe() and "flat" in frontier.to_dict()["levels"]


def test_target_point_names_what_binds():
    roi_binds = efficient_frontier(plan_channels(), [50 * M, 100 * M], min_roi=5.0)
    text = frontier_target_text(roi_binds)
    assert "the largest spend whose best split keeps ROI >= 5" in text and "min_roi" in roi_binds.target.binding
    assert "also at their caps: splash, feed" in text
    caps_bind = efficient_frontier(plan_channels(), [50 * M, 100 * M], min_roi=3.0)
    assert caps_bind.target.total_spend == pytest.approx(280 * M)
    text = frontier_target_text(caps_bind)
    assert "ROI target 3 does not bind: every channel is at its cap (280.0M in total)" in text
    assert "the caps, not the ROI target, limit the spend" in text
    assert "largest spend" not in text
    assert "does not bind" in frontier_caption(caps_bind)
    unreachable = efficient_frontier(plan_channels(), [50 * M, 100 * M], min_roi=40.0)
    assert frontier_target_text(unreachable).startswith("ROI target 40: no plan meets the rules (roi)")


def test_binding_text_in_words():
    a = allocate(plan_channels(), budget=120 * M, min_roi=5.0)
    assert binding_text(a) == "binding: the budget (all of it is spent)"
    capped = allocate(plan_channels(), mode="max_spend", min_roi=5.0)
    assert binding_text(capped) == ("binding: the total ROI floor, splash's cap (max_spend), "
                                    "feed's cap (max_spend)")
    infeasible = allocate(plan_channels(), budget=15 * M, min_roi=5.0)
    assert binding_text(infeasible).startswith("no plan meets the rules (bounds): channel minimums add up")


def _result(allocation, planned_gmv, gmv_interval, gain_interval):
    """The parts of a ScenarioResult that certainty_text reads."""
    plan = pd.DataFrame({"planned_gmv": [planned_gmv]})
    return SimpleNamespace(allocation=allocation, plan=plan, gmv_interval=gmv_interval, gain_interval=gain_interval)


@pytest.mark.parametrize("gmv_interval, gain_interval, says", [
    ((970 * M, 1010 * M), (-1 * M, 9 * M), "the curves cannot tell the optimized split from the written one"),
    ((970 * M, 1010 * M), (2 * M, 9 * M), "the written plan's GMV lies inside the optimized GMV's interval), "
                                          "but positive in at least 95% of the fits"),
    ((981 * M, 1010 * M), (2 * M, 9 * M), "; the gain is positive in at least 95% of the fits"),
    (None, None, "the curves are given, not fitted, so no interval is computed"),
])
def test_certainty_says_whether_the_gain_is_inside_the_uncertainty(gmv_interval, gain_interval, says):
    a = allocate(plan_channels(), budget=120 * M, min_roi=5.0)
    planned = a.total_gmv - 5 * M  # the written plan earns 5M less on the point fits
    text = certainty_text(_result(a, planned, gmv_interval, gain_interval))
    assert says in text, text
    assert f"{a.total_gmv / 1e6:,.1f}M, +5.0M (+" in text
    if gain_interval:
        assert f"90% interval of the gain {gain_interval[0] / 1e6:+,.1f}M" in text


def test_scenario_texts_come_from_the_explain_functions(repo):
    result = run_scenario(repo / "budgets" / "plan_base.yaml", bootstrap=20)
    low, high = result.gain_interval
    gain = result.allocation.total_gmv - result.plan["planned_gmv"].sum()
    assert low < high and result.gmv_interval[1] - result.gmv_interval[0] > high - low  # pairing removes shared noise
    assert certainty_text(result) in result.describe()
    caption = allocation_caption(result)
    assert caption.startswith("Operating plan") and "binding: the budget (all of it is spent)" in caption
    assert f"{gain / 1e6:+,.1f}M" in caption


def test_curves_caption_says_where_the_curves_come_from(repo):
    fitted = run_scenario(repo / "budgets" / "plan_base.yaml", bootstrap=5)
    assert curves_caption(fitted).startswith("Response curves fitted from up to 104 weeks of history "
                                             "(splash, feed, challenge); bands: 5-95% of 5 bootstrap refits")
    no_bands = run_scenario(repo / "budgets" / "plan_base.yaml", bootstrap=0)
    assert "no bands: bootstrap 0" in curves_caption(no_bands)


def test_comparison_caption_names_each_answer(repo):
    results = [run_scenario(repo / "budgets" / f"plan_{n}.yaml", bootstrap=0) for n in ("base", "lean")]
    text = comparison_caption(results)
    assert text.startswith("plan_base: optimal, binding: the budget (all of it is spent); plan_lean: optimal, binding:")
    assert text.endswith("no error bars: no scenario has an interval.")  # fitted, but bootstrap 0
    assert "bootstrap 0, so no interval" in certainty_text(results[0])  # not "the curves are given"


@pytest.mark.parametrize("gain_interval", [(-95.2 * M, -68.0 * M), (2 * M, 9 * M), (-1 * M, 9 * M), (-9 * M, 0.0)])
def test_certainty_agrees_with_the_gain_interval(gain_interval):
    """The trial saw "90% interval of the gain -95.2M .. -68.0M; the gain is within the fits'
    uncertainty": an interval that excludes 0 never says so."""
    a = allocate(plan_channels(), budget=120 * M, min_roi=5.0)
    text = certainty_text(_result(a, a.total_gmv - 5 * M, (970 * M, 1010 * M), gain_interval))
    excludes_zero = gain_interval[0] > 0 or gain_interval[1] < 0
    assert ("within the fits' uncertainty" in text) is not excludes_zero, text
    if gain_interval[1] < 0:
        assert "the gain is negative in at least 95% of the fits" in text
