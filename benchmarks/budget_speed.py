"""Allocation speed: the efficient frontier of 30 channels over 50 budget levels, PuLP (HiGHS and
CBC) on the piecewise-linear model against scipy's SLSQP on the smooth curves, the peer a
planner would otherwise write.

Curves are concave (``s`` in 0.5..1, where SLSQP's local optimum is the global one), money in
CNY. SLSQP is warm-started from the previous budget's answer (its kindest set-up). Also timed:
one allocation with the ROI floor, and a mixed instance with S-shaped channels, where SLSQP can
stop at a local optimum and the MILP cannot. Ratios are from this one run.

    .venv/bin/python benchmarks/budget_speed.py [--channels 30] [--levels 50] [--seed 7]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from workbench.budget.allocate import allocate, budget_sweep
from workbench.budget.curves import hill
from workbench.budget.reference import slsqp_allocate


def make_channels(n: int, seed: int, s_range=(0.5, 1.0)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "channel": [f"ch{i:02d}" for i in range(n)],
        "vmax": rng.uniform(2e8, 1.2e9, n),
        "k": rng.uniform(1e7, 8e7, n),
        "s": rng.uniform(*s_range, n),
        "min_spend": 0.0,
        "max_spend": rng.uniform(5e7, 2e8, n),
    })


def gmv(table: pd.DataFrame, spend: np.ndarray) -> float:
    return float(hill(spend, table["vmax"].to_numpy(), table["k"].to_numpy(), table["s"].to_numpy()).sum())


def slsqp_frontier(table: pd.DataFrame, budgets: np.ndarray) -> tuple[list[float], float, int]:
    """GMV per budget, seconds, and how many solves did not converge."""
    start, out, failed, x0 = time.perf_counter(), [], 0, None
    cols = [table[c].to_numpy() for c in ("vmax", "k", "s", "min_spend", "max_spend")]
    for budget in budgets:
        spend, ok = slsqp_allocate(*cols, budget, x0=x0)
        failed += not ok
        x0 = spend / table["max_spend"].max()  # warm start in SLSQP's scaled units
        out.append(gmv(table, spend))
    return out, time.perf_counter() - start, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--levels", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    table = make_channels(args.channels, args.seed)
    budgets = np.linspace(0.02, 0.9, args.levels) * table["max_spend"].sum()
    print(f"{args.channels} concave channels, {args.levels} budget levels "
          f"({budgets[0] / 1e6:,.0f}M..{budgets[-1] / 1e6:,.0f}M CNY)\n")

    ref, ref_seconds, failed = slsqp_frontier(table, budgets)
    print(f"{'method':<28}{'frontier s':>11}{'per level ms':>14}{'time/SLSQP':>11}{'max GMV gap':>14}{'bound':>12}")
    print(f"{'scipy SLSQP (warm start)':<28}{ref_seconds:>11.2f}{1e3 * ref_seconds / len(budgets):>14.1f}"
          f"{'1.00x':>11}{'':>14}{'':>12}   ({failed} not converged)")
    single = {}
    for solver in ("highs", "cbc"):
        for tolerance in (1e-4, 1e-3):
            start = time.perf_counter()
            sweep = budget_sweep(table, budgets, solver=solver, tolerance=tolerance)
            seconds = time.perf_counter() - start
            shortfall = np.max(np.array(ref) - sweep["gmv"].to_numpy())  # > 0: PuLP below SLSQP
            one = allocate(table, budget=float(budgets[len(budgets) // 2]), min_roi=3.0, solver=solver,
                           tolerance=tolerance)
            start = time.perf_counter()
            one = allocate(table, budget=float(budgets[len(budgets) // 2]), min_roi=3.0, solver=solver,
                           tolerance=tolerance)
            single[(solver, tolerance)] = (time.perf_counter() - start, one)
            name = f"PuLP {solver}, tol {tolerance:g}"
            print(f"{name:<28}{seconds:>11.2f}{1e3 * seconds / len(budgets):>14.1f}"
                  f"{seconds / ref_seconds:>10.2f}x{shortfall / 1e6:>13.3f}M{one.approximation_error / 1e6:>11.3f}M")

    print("\nsingle allocation (budget mode with ROI >= 3, wall clock incl. model build):")
    for (solver, tolerance), (seconds, one) in single.items():
        print(f"  PuLP {solver}, tol {tolerance:g}: {seconds:.3f} s ({one.status}, "
              f"{int(one.channels['segments'].sum())} segments, solver {one.solve_seconds:.3f} s)")

    mixed = make_channels(args.channels, args.seed + 1, s_range=(0.6, 2.5))
    budget = 0.3 * mixed["max_spend"].sum()
    cols = [mixed[c].to_numpy() for c in ("vmax", "k", "s", "min_spend", "max_spend")]
    start = time.perf_counter()
    spend, ok = slsqp_allocate(*cols, budget)
    slsqp_s = time.perf_counter() - start
    start = time.perf_counter()
    milp = allocate(mixed, budget=budget, solver="highs")
    milp_s = time.perf_counter() - start
    n_s = int((mixed["s"] > 1).sum())
    print(f"\nmixed instance ({n_s} S-shaped of {args.channels}), budget {budget / 1e6:,.0f}M:")
    print(f"  SLSQP  GMV {gmv(mixed, spend) / 1e6:,.1f}M in {slsqp_s:.3f} s (converged: {ok})")
    print(f"  MILP   GMV {milp.total_gmv / 1e6:,.1f}M in {milp_s:.3f} s ({milp.status}, measured gap "
          f"{'n/a' if milp.gap is None else f'{milp.gap:.1e}'}, bound {milp.approximation_error / 1e6:.3f}M)")


if __name__ == "__main__":
    main()
