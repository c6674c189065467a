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
        "plan", help="check a warehouse plan against the optimized network (sample or own files)",
        description="Two-tier China network (central warehouses + front warehouses 前置仓): "
        "evaluate the named plan, the named centrals with the best fronts, and the optimized "
        "network; print cost, 24 h / promise coverage and why the optimized network uses its "
        "number of fronts. Runs on the embedded sample, or on your own --demand, --sites and "
        "--lanes files (CSV in UTF-8/GBK, xlsx). Exit 0 with an answer for every plan, 1 when a "
        "plan is infeasible or failed (its reason is printed), 2 for bad input.",
    )
    plan.add_argument("--demand", default=None, metavar="FILE",
                      help="a forecast (ds, yhat and province or region columns; other keys are "
                      "summed) or a city table (city, demand[, hot_share, lat, lon, province]); "
                      "default: the sample's last 12 months")
    plan.add_argument("--period", default=None, metavar="START..END",
                      help="the forecast dates to plan for, e.g. 2026-06-01..2026-06-20 "
                      "(default: every date in the forecast)")
    plan.add_argument("--event", default=None, help="plan for this event's window (any event of the calendar: 618, "
                      "new_year_sale, double11, national_day, ..., or an event of --events), with --year")
    plan.add_argument("--events", default=None, metavar="FILE",
                      help="your events YAML: your own events (中秋 with anchor \"lunar:08-15\") and "
                      "changed windows, for --event (README, \"Event windows\"); default: the shipped calendar")
    plan.add_argument("--year", type=int, default=None, help="year of --event's window")
    plan.add_argument("--days", type=float, default=None,
                      help="length in days of the period a city table covers (default 365)")
    plan.add_argument("--sites", default=None, metavar="FILE",
                      help="candidate and existing warehouses: city, role (central|front), "
                      "fixed_cost (CNY/year), capacity_units_per_day (empty = unlimited), "
                      "existing (yes/no)[, lat, lon]")
    plan.add_argument("--lanes", default=None, metavar="FILE",
                      help="origin, destination, hours[, cost_per_unit]: replaces the distance "
                      "estimate for those warehouse-city pairs")
    plan.add_argument("--encoding", default=None, help="CSV encoding (default: detected)")
    plan.add_argument("--centrals", default=None,
                      help="comma-separated central warehouses of the named plan (Chinese or "
                      "English; default: the existing sites of --sites, else Beijing,Guangzhou,Chengdu)")
    plan.add_argument("--fronts", default=None,
                      help="comma-separated front cities of the named plan (default: the existing "
                      "fronts of --sites, else the largest front candidates other than the named "
                      "centrals)")
    plan.add_argument("--max-centrals", type=int, default=3, metavar="K",
                      help="at most K central warehouses in the optimized plan (default 3)")
    plan.add_argument("--max-fronts", type=int, default=None, metavar="F",
                      help="at most F front warehouses (default 20, or every candidate if fewer); "
                      "more than the candidates is refused")
    plan.add_argument("--promise-hours", type=float, default=72.0,
                      help="delivery promise in hours (default 72)")
    plan.add_argument("--promise-share", type=float, default=1.0, metavar="S",
                      help="share of all units every plan must deliver within --promise-hours "
                      "(default 1: every unit of every city; e.g. 0.99 lets the hardest cities "
                      "be late)")
    plan.add_argument("--front-hours", type=float, default=24.0,
                      help="front-warehouse service target for hot items, hours (default 24)")
    plan.add_argument("--hot-target", type=float, default=0.8,
                      help="share of hot-item units that must arrive within --front-hours "
                      "(default 0.8)")
    plan.add_argument("--annual-units", type=float, default=None,
                      help="sample only: total yearly units to place on the network (default: "
                      "the sample data's last 12 months)")
    plan.add_argument("--hubs", default=None,
                      help="without --sites: comma-separated central candidates (default: 16 "
                      "logistics hubs; the named centrals are always candidates)")
    plan.add_argument("--front-candidates", type=int, default=40, metavar="N",
                      help="without --sites: the N largest cities are front candidates (default 40)")
    plan.add_argument("--no-siting", dest="siting", action="store_false",
                      help="plan only the warehouses as given (--centrals/--fronts, or the existing "
                      "sites of --sites): no optimized network, the share within the promise measured, "
                      "not imposed; without --sites no capacity and no fixed cost are assumed")
    plan.add_argument("--scenario", choices=("base", "growth", "costly_fronts"), default="base",
                      help="sample only: base (last 12 months), growth (+30%% units), "
                      "costly_fronts (front rent doubled)")
    _solver_options(plan, default_time_limit=120.0)
    plan.add_argument("--out", default=None, metavar="PLAN.json",
                      help="also write the comparison and every plan as JSON")
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
    from workbench.data.io import refuse_overwrite, write_json
    from workbench.network.facility import solve_facility_location
    from workbench.network.io import read_facility_tables

    refuse_overwrite(args.out, args.sites, args.customers, args.costs)
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


def _period(text: str | None):
    from workbench.errors import ParameterError

    if text is None:
        return None
    parts = text.split("..")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ParameterError(f"--period {text!r}: write START..END, e.g. 2026-06-01..2026-06-20")
    return tuple(p.strip() for p in parts)


def _plan(args) -> int:
    from workbench.data.io import refuse_overwrite, write_json
    from workbench.network.china import plan_request, run_request

    refuse_overwrite(args.out, args.demand, args.sites, args.lanes, args.events)
    request = plan_request(
        scenario=args.scenario, demand_file=args.demand, period=_period(args.period),
        event=args.event, events=args.events, year=args.year, days=args.days, sites_file=args.sites,
        lanes_file=args.lanes, encoding=args.encoding,
        named_centrals=_names(args.centrals) if args.centrals else None,
        named_fronts=_names(args.fronts) if args.fronts else None,
        max_centrals=args.max_centrals, max_fronts=args.max_fronts,
        promise_hours=args.promise_hours, promise_share=args.promise_share,
        front_hours=args.front_hours,
        hot_target_share=args.hot_target, annual_units=args.annual_units,
        hubs=_names(args.hubs) if args.hubs else None, n_front_candidates=args.front_candidates,
        siting=args.siting, solver=args.solver, time_limit=args.time_limit)
    report = run_request(request)
    print(report.summary_text())
    if args.out:
        write_json(report.to_dict(), args.out)
        print(f"written: {args.out}")
    return 0 if report.answered else 1
