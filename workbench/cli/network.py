"""``workbench network ...``: facility location from CSV tables, and the default China network."""

from __future__ import annotations

import argparse

from workbench.optimize.outcome import DEFAULT_SOLVER, SOLVERS


def register(subparsers) -> None:
    group = subparsers.add_parser(
        "network",
        description="Facility location and the two-tier warehouse network.",
    )
    sub = group.add_subparsers(dest="network_command", metavar="SUBCOMMAND", required=True)

    solve = sub.add_parser(
        "solve", help="solve a capacitated facility-location problem given as CSV tables",
        description="Capacitated facility location: open sites and assign customers' demand at "
        "minimum fixed plus shipping cost. Writes RESULT.json with status (optimal, feasible, "
        "time_limit, infeasible), objective, open_sites, gap, solve_seconds and flows.",
    )
    solve.add_argument("--sites", required=True, metavar="SITES.csv",
                       help="columns site,fixed_cost,capacity (empty capacity = unlimited)")
    solve.add_argument("--customers", required=True, metavar="CUSTOMERS.csv",
                       help="columns customer,demand")
    solve.add_argument("--costs", required=True, metavar="COSTS.csv",
                       help="columns site,customer,unit_cost (cost per unit of demand shipped; "
                       "a missing pair cannot be used)")
    solve.add_argument("--max-open", type=int, default=None, metavar="K",
                       help="open at most K sites")
    solve.add_argument("--single-source", action="store_true",
                       help="each customer is served by exactly one site (default: demand may split)")
    _solver_options(solve)
    solve.add_argument("--out", required=True, metavar="RESULT.json", help="where to write the result")
    solve.set_defaults(handler=_solve)

    plan = sub.add_parser(
        "plan", help="optimize the default China network and compare it with a named plan",
        description="Two-tier China network (central warehouses + front warehouses 前置仓) on the "
        "embedded city table: optimize, evaluate the named plan, compare them, and print the "
        "cost, 24 h / 72 h coverage and the chosen sites.",
    )
    plan.add_argument("--centrals", default="Beijing,Guangzhou,Chengdu",
                      help="comma-separated central warehouses of the named plan "
                      "(default: Beijing,Guangzhou,Chengdu)")
    plan.add_argument("--fronts", default=None,
                      help="comma-separated front cities of the named plan (default: the largest "
                      "front candidates, --max-fronts of them)")
    plan.add_argument("--max-centrals", type=int, default=3, metavar="K",
                      help="number of central warehouses to open in the optimized plan (default 3)")
    plan.add_argument("--max-fronts", type=int, default=20, metavar="F",
                      help="at most F front warehouses (default 20)")
    plan.add_argument("--promise-hours", type=float, default=72.0,
                      help="delivery promise in hours (default 72)")
    plan.add_argument("--front-hours", type=float, default=24.0,
                      help="front-warehouse service target for hot items, hours (default 24)")
    plan.add_argument("--hot-target", type=float, default=0.8,
                      help="share of hot-item units that must arrive within --front-hours "
                      "(default 0.8)")
    plan.add_argument("--annual-units", type=float, default=None,
                      help="total yearly units to place on the network (default: the sample "
                      "data's last 12 months)")
    plan.add_argument("--hubs", default=None,
                      help="comma-separated central candidates (default: 16 logistics hubs; the "
                      "named centrals are always candidates)")
    plan.add_argument("--front-candidates", type=int, default=40, metavar="N",
                      help="the N largest cities are front candidates (default 40)")
    plan.add_argument("--scenario", choices=("base", "growth", "costly_fronts"), default="base",
                      help="assumptions: base (last 12 months), growth (+30%% units), "
                      "costly_fronts (front rent doubled)")
    _solver_options(plan, default_time_limit=120.0)
    plan.add_argument("--out", default=None, metavar="PLAN.json",
                      help="also write the comparison and both plans as JSON")
    plan.set_defaults(handler=_plan)


def _solver_options(parser: argparse.ArgumentParser, default_time_limit: float | None = None) -> None:
    parser.add_argument("--solver", choices=SOLVERS, default=DEFAULT_SOLVER,
                        help="MILP solver: highs (default, as in the reports) or cbc (bundled "
                        "with PuLP)")
    parser.add_argument("--time-limit", type=float, default=default_time_limit, metavar="S",
                        help="seconds per solve; the result then says time_limit with its gap "
                        f"(default: {default_time_limit or 'none'})")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _solve(args) -> int:
    from workbench.network.facility import solve_facility_location
    from workbench.data.io import write_json
    from workbench.network.io import read_facility_tables

    sites, customers, costs = read_facility_tables(args.sites, args.customers, args.costs)
    result = solve_facility_location(
        sites, customers, costs, max_open=args.max_open, single_source=args.single_source,
        solver=args.solver, time_limit=args.time_limit,
    )
    write_json(result.to_dict(), args.out)
    gap = "n/a" if result.gap is None else f"{result.gap:.2e}"
    objective = "n/a" if result.objective is None else f"{result.objective:,.2f}"
    print(f"{result.status}: objective {objective}, gap {gap}, {len(result.open_sites)} open "
          f"site(s), {result.solve_seconds:.2f} s ({result.solver}) -> {args.out}")
    if result.reason:
        print(f"reason: {result.reason}")
    if result.status != "optimal":
        print(result.outcome.describe())
    return 0 if result.outcome.has_plan else 1  # the JSON is written either way


def _plan(args) -> int:
    from workbench.network.china import SCENARIOS, run_default_plan
    from workbench.data.io import write_json

    report = run_default_plan(
        centrals=_names(args.centrals),
        fronts=_names(args.fronts) if args.fronts else None,
        max_centrals=args.max_centrals, max_fronts=args.max_fronts,
        promise_hours=args.promise_hours, front_hours=args.front_hours,
        hot_target_share=args.hot_target,
        annual_units=args.annual_units, solver=args.solver, time_limit=args.time_limit,
        n_front_candidates=args.front_candidates,
        **({"hubs": tuple(_names(args.hubs))} if args.hubs else {}),
        **SCENARIOS[args.scenario],
    )
    print(report.summary_text())
    if args.out:
        write_json(report.to_dict(), args.out)
        print(f"written: {args.out}")
    return 0
