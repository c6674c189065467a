"""The China network at prefecture level: the workbench's solve against the plain SciPy model.

Instance: every place of the embedded city table (337 cities, GeoNames populations; see
docs/network.md), the sample's last 12 months of units split by population, the central candidates: every provincial capital of the table plus the most populous other
cities, 40 in all (a far-western capital such as Ürümqi is what keeps Kashgar within 72 hours),
K of them to open, exactly; the 100 most populous cities as front candidates (at most F), 72-hour promise for every unit, 80 % of hot units within 24 h,
default costs (``workbench.network.china``).

Both sides solve the same sparse MILP (``workbench.network.formulation``) with HiGHS to the same
relative gap: ``workbench`` is ``optimize_network`` end to end (table checks, model build,
``workbench.optimize.solve_milp`` on the highspy wheel, read-back check, result tables);
``scipy-milp`` is ``scipy.optimize.milp`` (SciPy's bundled HiGHS) on the built matrices, timed
for the solve alone. One run, both sides in it; wall seconds.

    .venv/bin/python benchmarks/network_china.py                     # K=5, F=20, limit 900 s each
    .venv/bin/python benchmarks/network_china.py --hot-target 0 --time-limit 400
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.network.china import candidate_sites, city_demand, regional_units
from workbench.network.design import NETWORK_MIP_GAP, optimize_network
from workbench.network.formulation import build_network_milp
from workbench.network.params import NetworkParams
from workbench.network.tables import prepare


# provincial capitals (the seat of each province-level division of the mainland)
CAPITALS = ("Beijing", "Tianjin", "Shijiazhuang", "Taiyuan", "Hohhot", "Shenyang", "Changchun",
            "Harbin", "Shanghai", "Nanjing", "Hangzhou", "Hefei", "Fuzhou", "Nanchang", "Jinan",
            "Zhengzhou", "Wuhan", "Changsha", "Guangzhou", "Nanning", "Haikou", "Chongqing",
            "Chengdu", "Guiyang", "Kunming", "Lhasa", "Xi'an", "Lanzhou", "Xining", "Yinchuan",
            "Ürümqi")


def central_candidates(demand, n: int = 40) -> tuple[str, ...]:
    """The provincial capitals in the table, then the most populous other cities, ``n`` in all."""
    capitals = [c for c in CAPITALS if c in set(demand["city"])]
    others = [c for c in demand.sort_values("population", ascending=False)["city"]
              if c not in capitals]
    return tuple(capitals + others[: n - len(capitals)])


def scipy_solve(milp, time_limit: float, mip_gap: float):
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.optimize import milp as scipy_milp

    start = time.perf_counter()
    res = scipy_milp(milp.cost, integrality=milp.integrality.astype(np.uint8),
                     bounds=Bounds(milp.col_lower, milp.col_upper),
                     constraints=LinearConstraint(milp.matrix, milp.row_lower, milp.row_upper),
                     options={"mip_rel_gap": mip_gap, "time_limit": time_limit, "disp": False})
    return time.perf_counter() - start, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centrals", type=int, default=5, help="K central warehouses (exactly)")
    parser.add_argument("--fronts", type=int, default=20, help="F front warehouses (at most)")
    parser.add_argument("--hot-target", type=float, default=0.8,
                        help="share of hot units within 24 h (0 = no target)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per solve")
    args = parser.parse_args()

    demand = city_demand(regional_units())
    centrals, _ = candidate_sites(demand, hubs=central_candidates(demand), n_fronts=100)
    _, fronts = candidate_sites(demand, hubs=(), n_fronts=100)
    params = NetworkParams(max_centrals=args.centrals, max_fronts=args.fronts, promise_hours=72.0,
                           front_hours=24.0, hot_target_share=args.hot_target)
    milp, _ = build_network_milp(prepare(demand, centrals, fronts, params), params)
    print(f"instance: {len(demand)} cities, {len(centrals)} central and {len(fronts)} front "
          f"candidates, K={args.centrals}, F<={args.fronts}, hot target {args.hot_target:.0%}; MILP {milp.num_cols} columns "
          f"({int(milp.integrality.sum())} integer), {milp.num_rows} rows, "
          f"{milp.matrix.nnz} nonzeros; relative gap {NETWORK_MIP_GAP:g}")

    start = time.perf_counter()
    result = optimize_network(demand, centrals, fronts, params, time_limit=args.time_limit)
    ours = time.perf_counter() - start
    out = result.outcome
    if not out.has_plan:
        raise SystemExit(f"workbench: {out.describe()} {result.reason}")
    print(f"workbench : {ours:8.1f} s end to end (solve {out.solve_seconds:.1f} s), status "
          f"{out.status}, objective {out.objective:,.0f}, measured gap {out.gap:.2e}, centrals "
          f"{', '.join(result.open_centrals)}, {len(result.open_fronts)} fronts")

    seconds, res = scipy_solve(milp, args.time_limit, NETWORK_MIP_GAP)
    print(f"scipy-milp: {seconds:8.1f} s solve only, status {res.status} ({res.message.split('.')[0]}), "
          f"objective {res.fun:,.0f}, gap {getattr(res, 'mip_gap', float('nan')):.2e}")
    print(f"ratio workbench / scipy-milp: {ours / seconds:.2f}; objectives differ by "
          f"{abs(out.objective - res.fun) / abs(res.fun):.2e} (relative)")


if __name__ == "__main__":
    main()
