"""Speed of the facility-location solver core on Beasley's OR-Library instances.

Times, on the same strong formulation (x_ij <= y_i, split demand):

* ``workbench-highs`` / ``workbench-cbc``: ``solve_facility_location`` from the ``network solve``
  tables (validation, sparse build, solve and result tables; the tables are made before timing,
  as the instance arrays are for the other methods);
* ``pulp-highs`` / ``pulp-cbc``: a plain PuLP model written with ``lpSum`` as a user would;
* ``highspy``: the same sparse matrices passed to the ``highspy`` wheel (HiGHS 1.15);
* ``scipy-milp``: ``scipy.optimize.milp`` (SciPy's bundled HiGHS 1.12) with the sparse matrices.

The workbench's ``highs`` route (``workbench.optimize.solve_milp``) passes its sparse model to the
``highspy`` wheel, like ``highspy`` here, and then reads the plan back and checks it;
``scipy-milp`` is the plain SciPy model a user would otherwise write.

Every time is wall-clock seconds including model building; ratios are against ``scipy-milp`` from
the same run (the fastest of ``--repeat`` runs for the small instances, to damp machine noise).
Each objective is checked against ``capopt.txt``. Needs ``../shared``.

    .venv/bin/python benchmarks/network_speed.py                 # 37 cap instances + capa/b/c
    .venv/bin/python benchmarks/network_speed.py --large none    # 37 cap instances only

On capa/capb/capc (100 x 1000, 100,000 columns) only ``workbench-highs``, ``highspy`` and
``scipy-milp`` run
unless ``--all-large``: CBC's root LP ignores the time limit there and takes many minutes, and
plain PuLP with HiGHS runs the same HiGHS as the workbench after a slower build.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from workbench.network.facility import solve_facility_location
from workbench.network.orlib import read_cap, read_cap_optima

REPO = Path(__file__).resolve().parents[1]
CAP = REPO / ".." / "shared" / "benchmarks" / "orlib" / "cap"
GAP = 1e-7


def plain_pulp(inst, solver: str, time_limit: float):
    """The textbook PuLP model, term by term."""
    import pulp

    m, n = inst.cost.shape
    prob = pulp.LpProblem("cflp", pulp.LpMinimize)
    y = [prob.add_variable(f"y{i}", 0, 1, cat=pulp.LpBinary) for i in range(m)]
    x = [[prob.add_variable(f"x{i}_{j}", 0, 1) for j in range(n)] for i in range(m)]
    prob += (pulp.lpSum(inst.fixed_cost[i] * y[i] for i in range(m))
             + pulp.lpSum(inst.cost[i, j] * x[i][j] for i in range(m) for j in range(n)))
    for j in range(n):
        prob += pulp.lpSum(x[i][j] for i in range(m)) == 1
    for i in range(m):
        prob += pulp.lpSum(inst.demand[j] * x[i][j] for j in range(n)) <= inst.capacity[i] * y[i]
        for j in range(n):
            prob += x[i][j] <= y[i]
    if solver == "highs":
        cmd = pulp.HiGHS(msg=False, gapRel=GAP, timeLimit=time_limit)
    else:
        cmd = pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, msg=False, gapRel=GAP,
                            timeLimit=time_limit)
    prob.solve(cmd)
    return pulp.value(prob.objective)


def matrices(inst):
    """Costs, integrality and rows (demand ==, capacity <=, linking <=) with columns y then x."""
    m, n = inst.cost.shape
    nx = m * n
    xi = np.arange(nx)
    site, cust = np.divmod(xi, n)
    c = np.r_[inst.fixed_cost, inst.cost.ravel()]
    demand = sp.csr_matrix((np.ones(nx), (cust, m + xi)), shape=(n, m + nx))
    capacity = sp.csr_matrix((np.r_[inst.demand[cust], -inst.capacity],
                              (np.r_[site, np.arange(m)], np.r_[m + xi, np.arange(m)])),
                             shape=(m, m + nx))
    link = sp.csr_matrix((np.r_[np.ones(nx), -np.ones(nx)], (np.r_[xi, xi], np.r_[m + xi, site])),
                         shape=(nx, m + nx))
    return c, np.r_[np.ones(m), np.zeros(nx)], demand, sp.vstack([capacity, link])


def scipy_milp(inst, time_limit: float):
    """The formulation as sparse matrices for ``scipy.optimize.milp`` (SciPy's bundled HiGHS)."""
    c, integrality, demand, upper = matrices(inst)
    res = milp(c, integrality=integrality, bounds=Bounds(0, 1),
               constraints=[LinearConstraint(demand, 1, 1), LinearConstraint(upper, -np.inf, 0)],
               options={"mip_rel_gap": GAP, "time_limit": time_limit})
    return res.fun


def highspy_direct(inst, time_limit: float):
    """The same matrices passed to the ``highspy`` wheel (a newer HiGHS than SciPy's)."""
    import highspy

    c, integrality, demand, upper = matrices(inst)
    a = sp.vstack([demand, upper]).tocsc()
    rows = demand.shape[0] + upper.shape[0]
    lower = np.r_[np.ones(demand.shape[0]), np.full(upper.shape[0], -np.inf)]
    upper_b = np.r_[np.ones(demand.shape[0]), np.zeros(upper.shape[0])]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", GAP)
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(c.size, rows, int(a.nnz), 1, 1, 0.0, c, np.zeros(c.size), np.ones(c.size),
                lower, upper_b, a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data,
                integrality.astype(np.int32))
    h.run()
    return h.getInfo().objective_function_value


def workbench(tables, solver: str, time_limit: float):
    sites, customers, costs = tables
    return solve_facility_location(sites, customers, costs, solver=solver, time_limit=time_limit,
                                   mip_gap=GAP).objective


METHODS = {
    "workbench-highs": lambda inst, tables, tl: workbench(tables, "highs", tl),
    "workbench-cbc": lambda inst, tables, tl: workbench(tables, "cbc", tl),
    "pulp-highs": lambda inst, tables, tl: plain_pulp(inst, "highs", tl),
    "pulp-cbc": lambda inst, tables, tl: plain_pulp(inst, "cbc", tl),
    "highspy": lambda inst, tables, tl: highspy_direct(inst, tl),
    "scipy-milp": lambda inst, tables, tl: scipy_milp(inst, tl),
}


LARGE_METHODS = ("workbench-highs", "highspy", "scipy-milp")


def markdown(frame: pd.DataFrame, fmt: str) -> str:
    """``frame`` as a GitHub markdown table (index first)."""
    head = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, row in frame.iterrows():
        cells = ["" if pd.isna(v) else format(v, fmt) for v in row]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", default="capa:14000,capb:8000,capc:7250",
                        help="capa/b/c instances as name:capacity, comma-separated, or 'none'")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    parser.add_argument("--all-large", action="store_true",
                        help="also run CBC and plain PuLP on capa/b/c (default: workbench-highs, "
                        "highspy and scipy-milp only)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per small instance and method; the fastest counts (capa/b/c: 1)")
    parser.add_argument("--out", default=None, help="also write the per-instance times as CSV")
    args = parser.parse_args()
    if not CAP.is_dir():
        raise SystemExit(f"{CAP} not found: the OR-Library instances live in ../shared")
    optima = read_cap_optima(CAP / "capopt.txt")
    jobs = [(name, None, opt) for name, opt in
            optima.loc[optima["capacity"].isna(), ["instance", "optimum"]].itertuples(index=False)]
    if args.large != "none":
        for item in args.large.split(","):
            name, cap = item.split(":")
            opt = optima.loc[(optima["instance"] == name) & (optima["capacity"] == float(cap)),
                             "optimum"].item()
            jobs.append((name, float(cap), opt))
    rows = []
    for name, cap, opt in jobs:
        inst = read_cap(CAP / f"{name}.txt", capacity=cap)
        tables = inst.tables()  # the workbench's input, as the arrays are the others' input
        label = name if cap is None else f"{name}@{cap:g}"
        for method, run in METHODS.items():
            if cap is not None and method not in LARGE_METHODS and not args.all_large:
                continue
            times = []
            for _ in range(args.repeat if cap is None else 1):
                start = time.perf_counter()
                value = run(inst, tables, args.time_limit)
                times.append(time.perf_counter() - start)
            seconds = min(times)
            ok = value is not None and abs(value - opt) / opt < 1e-6
            rows.append({"instance": label, "size": f"{inst.cost.shape[0]}x{inst.cost.shape[1]}",
                         "method": method, "seconds": seconds, "optimal": ok})
            print(f"{label:>12} {method:>16} {seconds:8.2f} s {'ok' if ok else 'NOT OPTIMAL'}",
                  flush=True)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, index=False)
    group = np.where(table["instance"].str.startswith("cap") & ~table["instance"].str.contains("@"),
                     "cap41-cap134 (37)", table["instance"])
    wide = table.assign(group=group).pivot_table(index="group", columns="method", values="seconds",
                                                 aggfunc="sum")
    wide = wide[[m for m in METHODS if m in wide.columns]]
    print("\nWall seconds (sum over the group), including model building:")
    print(markdown(wide, ".2f"))
    print("\nRatio to scipy-milp (lower is faster):")
    print(markdown(wide.div(wide["scipy-milp"], axis=0), ".2f"))
    print(f"\nall optimal within 1e-6: {bool(table['optimal'].all())}")


if __name__ == "__main__":
    main()
