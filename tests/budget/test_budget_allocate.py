"""Allocation correctness: equal marginal ROI at interior optima (closed form and SLSQP), S-shaped
curves against a fine grid, ROI >= target in every plan, the three modes, infeasible answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from budget_instances import plan_channels, random_channels

from workbench.budget.allocate import allocate
from workbench.budget.channels import validate_channels
from workbench.budget.curves import hill
from workbench.budget.reference import slsqp_allocate
from workbench.errors import DataValidationError, ParameterError


def true_gmv(table: pd.DataFrame, spend) -> float:
    return float(hill(np.asarray(spend, float), table["vmax"].to_numpy(), table["k"].to_numpy(),
                      table["s"].to_numpy()).sum())


def closed_form_s1(table: pd.DataFrame, budget: float) -> tuple[np.ndarray, float]:
    """Exact optimum for s = 1 curves: x_c = clip(sqrt(vmax k / lam) - k, lo, hi), sum x = budget."""
    vmax, k = table["vmax"].to_numpy(), table["k"].to_numpy()
    lo, hi = table["min_spend"].to_numpy(), table["max_spend"].to_numpy()
    spend = lambda lam: np.clip(np.sqrt(vmax * k / lam) - k, lo, hi)  # noqa: E731
    a, b = 1e-9, (vmax / k).max() * 2
    for _ in range(200):
        mid = np.sqrt(a * b)
        a, b = (mid, b) if spend(mid).sum() > budget else (a, mid)
    return spend(np.sqrt(a * b)), float(np.sqrt(a * b))


@pytest.mark.parametrize("seed", range(6))
def test_equal_marginal_roi_matches_closed_form(seed):
    table = random_channels(seed, 4 + seed % 3).assign(s=1.0)
    budget = 0.4 * table["max_spend"].sum()
    exact, lam = closed_form_s1(table, budget)
    result = allocate(table, budget=budget, min_roi=1.0, tolerance=1e-6)
    assert result.status == "optimal"
    spend = result.channels["spend"].to_numpy()
    interior = (exact > table["min_spend"] + 1e-3 * budget) & (exact < table["max_spend"] - 1e-3 * budget)
    assert interior.sum() >= 2
    marginal = result.channels["marginal_roi"].to_numpy()[interior]
    np.testing.assert_allclose(marginal, lam, rtol=0.01)  # every interior channel at the same marginal
    assert result.budget_shadow_price == pytest.approx(lam, rel=0.01)
    gap = true_gmv(table, exact) - result.total_gmv
    assert -1e-6 * result.total_gmv <= gap <= result.approximation_error
    np.testing.assert_allclose(spend, exact, rtol=0, atol=2e-3 * budget)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_concave_optimum_matches_slsqp(seed, solver):
    table = random_channels(100 + seed, 6, s_range=(0.5, 1.0))
    budget = 0.35 * table["max_spend"].sum()
    result = allocate(table, budget=budget, min_roi=2.0, solver=solver)
    ref, ok = slsqp_allocate(table["vmax"], table["k"], table["s"], table["min_spend"], table["max_spend"],
                             budget, min_roi=2.0)
    assert ok
    # the PWL plan is never better than the true optimum and loses at most the stated bound
    assert result.total_gmv <= true_gmv(table, ref) * (1 + 1e-9)
    assert true_gmv(table, ref) - result.total_gmv <= result.approximation_error
    interior = (result.channels["spend"] > 1e-3 * budget) & (result.channels["spend"] < table["max_spend"] * 0.999)
    marginal = result.channels.loc[interior, "marginal_roi"]
    assert marginal.max() / marginal.min() - 1 < 0.08  # equal up to the approximation's slope steps


def grid_best(table: pd.DataFrame, budget: float, min_roi: float, n: int) -> tuple[float, float]:
    """Best GMV over a grid of spends on 3 channels (total <= budget, ROI >= min_roi), refined once
    around the coarse winner, and the largest GMV change one fine step can make (the grid's error)."""
    lo, hi = table["min_spend"].to_numpy(), table["max_spend"].to_numpy()
    params = table["vmax"].to_numpy(), table["k"].to_numpy(), table["s"].to_numpy()

    def search(lower, upper):
        grids = [np.linspace(a, b, n) for a, b in zip(lower, upper)]
        x = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(table))
        gmv = hill(x, *params).sum(axis=1)
        ok = (x.sum(axis=1) <= budget) & (gmv >= min_roi * x.sum(axis=1))
        best = int(np.flatnonzero(ok)[np.argmax(gmv[ok])])
        return x[best], float(gmv[best]), np.array([g[1] - g[0] for g in grids])

    x, _, steps = search(lo, hi)
    x, best, steps = search(np.maximum(lo, x - 2 * steps), np.minimum(hi, x + 2 * steps))
    fine = np.linspace(lo, hi, 20001)
    slopes = np.max(np.abs(np.gradient(hill(fine, *params), axis=0)) / (fine[1] - fine[0]), axis=0)
    return best, float((slopes * steps).sum())


@pytest.mark.parametrize("seed", range(4))
def test_s_shaped_against_grid_search(seed):
    table = random_channels(200 + seed, 3, s_range=(1.5, 3.0))
    table["max_spend"] = 60e6
    for budget in (30e6, 90e6):
        result = allocate(table, budget=budget, min_roi=1.0)
        assert result.status == "optimal"
        best, grid_error = grid_best(table, budget, 1.0, 81)
        assert result.total_gmv >= best - result.approximation_error - 1.0
        assert result.total_gmv <= best + grid_error


def test_base_plan_channels_in_every_mode_keep_roi():
    table = plan_channels()
    for kwargs in ({"mode": "budget", "budget": 120e6}, {"mode": "max_spend"},
                   {"mode": "gmv_target", "gmv_target": 1.2e9}):
        for solver in ("highs", "cbc"):
            result = allocate(table, min_roi=5.0, solver=solver, **kwargs)
            assert result.status == "optimal", (kwargs, solver)
            assert result.roi >= 5.0
            assert result.total_gmv == pytest.approx(true_gmv(table, result.channels["spend"]))


@pytest.mark.parametrize("seed", range(12))
def test_roi_target_holds_in_every_returned_plan(seed):
    rng = np.random.default_rng(seed)
    table = random_channels(300 + seed, int(rng.integers(2, 7)), s_range=(0.4, 2.5), min_share=0.05)
    min_roi = float(rng.uniform(2, 9))
    mode = ("budget", "max_spend", "gmv_target")[seed % 3]
    kwargs = {"budget": float(rng.uniform(0.1, 1.0)) * table["max_spend"].sum()} if mode == "budget" else \
        {"gmv_target": float(rng.uniform(0.2, 0.8)) * true_gmv(table, table["max_spend"])} if mode == "gmv_target" else {}
    result = allocate(table, mode=mode, min_roi=min_roi, **kwargs)
    if result.feasible:
        spend = result.channels["spend"].to_numpy()
        assert true_gmv(table, spend) >= min_roi * spend.sum() * (1 - 1e-12)
        assert (spend >= table["min_spend"] - 1e-6).all() and (spend <= table["max_spend"] + 1e-6).all()
        if mode == "budget":
            assert spend.sum() <= kwargs["budget"] * (1 + 1e-9)
        if mode == "gmv_target":
            assert result.total_gmv >= kwargs["gmv_target"]
    else:
        assert result.infeasibility.reason


def test_max_spend_is_the_largest_spend_at_target():
    table = random_channels(7, 5, s_range=(0.6, 1.0))
    table["max_spend"] = 5e8  # room enough that ROI, not bounds, stops the spend
    result = allocate(table, mode="max_spend", min_roi=4.0)
    assert result.status == "optimal" and "min_roi" in result.binding
    assert result.roi == pytest.approx(4.0, rel=1e-3)
    more = allocate(table, budget=result.total_spend * 1.02)
    assert more.roi < 4.0  # even the best split of 2% more spend misses the target


def test_gmv_target_spends_the_least():
    table = random_channels(8, 4)
    target = 0.5 * true_gmv(table, table["max_spend"])
    result = allocate(table, mode="gmv_target", gmv_target=target, min_roi=1.0)
    assert result.total_gmv >= target and "gmv_target" in result.binding
    less = allocate(table, budget=result.total_spend * 0.99)
    assert less.total_gmv < target


def test_channel_floors_are_honored():
    table = plan_channels().assign(min_roi=[np.nan, 11.0, np.nan], min_marginal_roi=[6.0, np.nan, np.nan])
    result = allocate(table, budget=120e6, min_roi=5.0)
    row = result.channels.set_index("channel")
    assert row.loc["feed", "roi"] >= 11.0
    assert row.loc["splash", "marginal_roi"] >= 6.0 * (1 - 1e-6)
    assert "min_marginal_roi[splash]" in result.binding and "min_roi[feed]" in result.binding


def test_minimums_above_budget_name_the_channels():
    table = plan_channels()
    result = allocate(table, budget=15e6, min_roi=5.0)
    assert result.status == "infeasible" and result.infeasibility.kind == "bounds"
    assert set(result.infeasibility.channels) == {"splash", "feed"}
    assert "15,000,000" in result.infeasibility.reason and "splash" in result.infeasibility.reason


def test_unreachable_roi_reports_best_roi_and_spend():
    table = plan_channels()
    result = allocate(table, budget=120e6, min_roi=40.0)
    inf = result.infeasibility
    assert result.status == "infeasible" and inf.kind == "roi"
    assert inf.best_roi < 40.0
    # the best ROI over a fine grid of feasible plans is not better than the reported one
    grids = [np.linspace(lo, hi, 121) for lo, hi in zip(table["min_spend"], table["max_spend"])]
    x = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, 3)
    x = x[(x.sum(axis=1) <= 120e6) & (x.sum(axis=1) > 0)]
    roi = hill(x, table["vmax"].to_numpy(), table["k"].to_numpy(), table["s"].to_numpy()).sum(axis=1) / x.sum(axis=1)
    assert inf.best_roi >= roi.max() * (1 - 1e-3)
    assert inf.best_roi_spend == pytest.approx(sum(inf.best_plan.values()))
    assert f"{inf.best_roi:.3f}" in inf.reason


def test_unreachable_gmv_target_and_max_spend_without_roi_room():
    table = plan_channels()
    result = allocate(table, mode="gmv_target", gmv_target=1e10, min_roi=5.0)
    assert result.infeasibility.kind == "gmv_target"
    assert result.infeasibility.max_gmv == pytest.approx(true_gmv(table, table["max_spend"]))
    result = allocate(table, mode="max_spend", min_roi=50.0)
    assert result.infeasibility.kind == "roi" and result.infeasibility.best_roi < 50.0


def test_channel_roi_floor_impossible_at_minimum():
    table = plan_channels().assign(min_roi=[30.0, np.nan, np.nan])
    result = allocate(table, budget=120e6, min_roi=5.0)
    assert result.infeasibility.kind == "channel_roi" and result.infeasibility.channels == ["splash"]


def test_marginal_cap_below_minimum_is_a_bounds_answer():
    table = plan_channels().assign(min_marginal_roi=[np.nan, 30.0, np.nan])
    result = allocate(table, budget=120e6, min_roi=5.0)
    assert result.infeasibility.kind == "bounds" and result.infeasibility.channels == ["feed"]
    assert "min_marginal_roi" in result.infeasibility.reason


def test_result_json_contract():
    d = allocate(plan_channels(), budget=120e6, min_roi=5.0).to_dict()
    for key in ("status", "total_spend", "total_gmv", "roi", "binding", "budget_shadow_price",
                "approximation_error", "gap", "solve_seconds", "objective"):
        assert key in d
    assert set(d["channels"]) == {"splash", "feed", "challenge"}
    for row in d["channels"].values():
        assert {"spend", "gmv", "marginal_roi", "roi"} <= set(row)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="k"), "missing column"),
    (lambda t: t.assign(colour="red"), "unknown column"),
    (lambda t: t.assign(vmax=[1.0, -2.0, 3.0]), "'vmax' must be a finite number >= 0"),  # 0 is a no-effect channel
    (lambda t: t.assign(min_spend=[200e6, 0, 0]), "min_spend is above max_spend"),
    (lambda t: t.assign(channel=["a", "a", "b"]), "more than once"),
    (lambda t: t.assign(s=["1", "x", "2"]), "non-numeric"),
])
def test_channel_table_errors(change, message):
    table = change(plan_channels())
    table.attrs.update(source="channels.csv", csv_rows=True)
    with pytest.raises(DataValidationError, match=message) as err:
        validate_channels(table)
    assert "channels.csv" in str(err.value)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="needs a budget"):
        allocate(plan_channels(), min_roi=5.0)
    with pytest.raises(ParameterError, match="unknown solver"):
        allocate(plan_channels(), budget=1e8, min_roi=5.0, solver="gurobi")
    with pytest.raises(ParameterError, match="needs min_roi"):
        allocate(plan_channels(), mode="max_spend")


def test_minimums_that_force_the_spend_are_what_binds():
    # minimums this high keep ROI under 6.5; the budget (400M) is far from binding
    table = plan_channels().assign(min_spend=[90e6, 80e6, 0.0])
    result = allocate(table, budget=400e6, min_roi=6.5)
    inf = result.infeasibility
    assert result.status == "infeasible" and inf.kind == "roi"
    assert inf.binding == ["min_spend[splash]", "min_spend[feed]"] == result.binding
    assert result.to_dict()["binding"] == inf.binding and "budget" not in inf.binding
    assert "the minimums (min_spend) of splash, feed" in inf.reason and "within the budget" in inf.reason
    assert inf.best_plan["splash"] == pytest.approx(90e6) and inf.best_plan["feed"] == pytest.approx(80e6)
    # the advised scale is the boundary: at it ROI 5 holds, a little above it does not
    assert 0 < inf.min_scale < 1 and f"{inf.min_scale:.4f} x" in inf.advice
    floors = table["min_spend"].to_numpy()
    assert allocate(table.assign(min_spend=floors * inf.min_scale), budget=400e6, min_roi=6.5).status == "optimal"
    above = allocate(table.assign(min_spend=floors * (inf.min_scale + 0.002)), budget=400e6, min_roi=6.5)
    assert above.status == "infeasible"


def test_unreachable_roi_without_binding_minimums_says_the_curves_fall_short():
    table = plan_channels().assign(min_spend=0.0, s=1.0)
    result = allocate(table, budget=120e6, min_roi=40.0)  # s = 1: no curve returns over vmax / k = 20 per yuan
    inf = result.infeasibility
    assert inf.binding == [] and inf.min_scale is None and inf.advice == ""
    assert "the response curves themselves return less" in inf.reason
    # with minimums that bind but cannot be the fix, the advice says so
    inf = allocate(plan_channels().assign(s=[1.0, 1.0, 1.6]), budget=120e6, min_roi=40.0).infeasibility
    assert "min_spend[splash]" in inf.binding and inf.min_scale == 0.0
    assert "lowering those minimums alone does not reach ROI 40" in inf.advice


def test_a_budget_below_the_s_curves_efficient_spend_binds():
    # an S-shaped channel earns more per yuan as spend grows up to ~k: a small budget holds it back
    table = pd.DataFrame({"channel": ["live"], "vmax": [500e6], "k": [50e6], "s": [3.0],
                          "min_spend": [0.0], "max_spend": [100e6]})
    result = allocate(table, budget=20e6, min_roi=5.0)
    assert result.status == "infeasible" and result.infeasibility.binding == ["budget"]
    assert "the budget" in result.infeasibility.reason


def test_a_gmv_target_that_forces_the_spend_binds():
    # s = 1 curves: average ROI falls with spend, so reaching 1,000M caps the ROI at 8.08 < 9
    table = plan_channels().assign(min_spend=0.0)
    inf = allocate(table, mode="gmv_target", gmv_target=1000e6, min_roi=9.0).infeasibility
    assert inf.kind == "roi" and inf.binding == ["gmv_target"] and inf.best_roi < 9.0
    assert "held there by the GMV target" in inf.reason
