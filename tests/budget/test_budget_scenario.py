"""Scenario files: the shipped plans, validation errors naming file/line/field, inheritance,
whole-scenario runs and their comparison."""

from __future__ import annotations

import pytest
from budget_instances import write

from workbench.budget.compare import compare_scenarios
from workbench.budget.run import run_scenario
from workbench.budget.scenario import load_scenario
from workbench.errors import ConfigError

M = 1e6


def test_base_plan_encodes_the_plan(repo):
    s = load_scenario(repo / "budgets" / "plan_base.yaml")
    assert s.total == 400 * M
    areas = {a.name: a for a in s.areas}
    assert {n: a.amount for n, a in areas.items()} == {"technology": 140 * M, "traffic": 120 * M,
                                                       "people": 100 * M, "risk_reserve": 40 * M}
    lines = {(row.area, row.line): row.amount for row in s.lines_table().itertuples()}
    assert lines == {("technology", "server_cluster"): 80 * M, ("technology", "recommendation_system"): 30 * M,
                     ("technology", "security"): 30 * M, ("traffic", "splash"): 50 * M,
                     ("traffic", "feed"): 40 * M, ("traffic", "challenge"): 30 * M,
                     ("people", "recruiting"): 20 * M, ("people", "performance_bonus"): 50 * M,
                     ("people", "training"): 30 * M, ("risk_reserve", "reserve"): 40 * M}
    assert s.allocation.area == "traffic" and s.allocation.min_roi == 5.0
    assert s.allocation_budget == 120 * M


def test_alternatives_extend_the_base(repo):
    growth = load_scenario(repo / "budgets" / "plan_growth.yaml")
    lean = load_scenario(repo / "budgets" / "plan_lean.yaml")
    assert growth.files[1].name == lean.files[1].name == "plan_base.yaml"
    assert growth.allocation_budget > 120 * M > lean.allocation_budget
    assert {c.name for c in growth.allocation.channels} == {"splash", "feed", "challenge", "dou_plus", "kol",
                                                            "live_sponsorship"}
    assert lean.allocation.min_roi == 6.0 and lean.name == "plan_lean"
    assert growth.allocation.channels[0].max_vs_last == 2.0  # inherited rule


@pytest.mark.parametrize("body, line, field, message", [
    ("colour: blue\n", 1, "colour", "unknown key 'colour'"),
    ("areas:\n  traffic:\n    lines:\n      splash: {amount: -5}\n", 4, "areas.traffic.lines.splash.amount",
     "negative amount -5"),
    ("areas:\n  traffic:\n    share: 130%\n", 3, "areas.traffic.share", "share 130% is above 100%"),
    ("areas:\n  traffic:\n    share: 1.3\n", 3, "areas.traffic.share", "share 1.3 is above 100%"),
    ("areas:\n  traffic:\n    lines:\n      feed: {amount: 45}\n", 3, "areas.traffic.lines",
     "lines add up to 125, not the area's 120"),
    ("allocation:\n  min_roi: null\n", 1, "allocation.min_roi", "missing ROI target"),
    ("areas:\n  traffic:\n    lines:\n      tv: {amount: 0}\n", 4, "areas.traffic.lines.tv",
     "channel 'tv' (a line of area 'traffic') has no response curve"),
    ("allocation:\n  channels:\n    feed: {curve: {vmax: 10, k: 2}}\n", 3, "allocation.channels.feed.curve.s",
     "missing curve parameter s"),
    ("allocation:\n  channels:\n    radio: {curve: fit}\n", 3, "allocation.channels.radio",
     "'radio' is not a line of area 'traffic'"),
    ("allocation:\n  mode: cheapest\n", 2, "allocation.mode", "unknown mode 'cheapest'"),
])
def test_each_validation_error_names_file_line_and_field(workdir, body, line, field, message):
    path = write(workdir, "child.yaml", "extends: plan_base.yaml\nname: child\n" + body)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert f"child.yaml:{line + 2}: {field}: {message}" in text, text


def test_errors_in_an_inherited_value_point_at_the_parent(workdir):
    write(workdir, "parent.yaml", (workdir / "plan_base.yaml").read_text().replace("amount: 20}", "amount: 25}"))
    path = write(workdir, "child.yaml", "extends: parent.yaml\nname: child\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert "parent.yaml:" in str(err.value) and "areas.people.lines: lines add up to 105" in str(err.value)


def test_all_problems_are_reported_at_once(workdir):
    path = write(workdir, "bad.yaml", """
        unit: million
        total: -1
        areas:
          a: {share: 50%, lines: {x: 1}}
        allocation: {area: b}
        """)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "bad.yaml:2: total: negative total -1" in text
    assert "allocation.area: no area 'b'" in text and "allocation.min_roi: missing ROI target" in text


def test_duplicate_keys_cycles_and_null_removal(workdir):
    with pytest.raises(ConfigError, match=r"dup.yaml:3: total: duplicate key \(first written on line 2\)"):
        load_scenario(write(workdir, "dup.yaml", "name: d\ntotal: 1\ntotal: 2\n"))
    write(workdir, "a.yaml", "extends: b.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_scenario(write(workdir, "b.yaml", "extends: a.yaml\n"))
    path = write(workdir, "nores.yaml", """
        extends: plan_base.yaml
        total: 360
        areas:
          technology: {share: null, amount: 140}
          traffic: {share: null, amount: 120}
          people: {share: null, amount: 100}
          risk_reserve: null
        """)
    s = load_scenario(path)
    assert [a.name for a in s.areas] == ["technology", "traffic", "people"]
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(write(workdir, "broken.yaml", "areas: [unclosed\n"))


def test_fit_without_history_and_rules_against_last_year(workdir):
    path = write(workdir, "nohist.yaml", "extends: plan_base.yaml\nallocation:\n  history: null\n")
    with pytest.raises(ConfigError, match="curve: fit needs allocation.history"):
        load_scenario(path)


def test_run_scenario_beats_the_written_plan_and_keeps_roi(repo):
    result = run_scenario(repo / "budgets" / "plan_base.yaml", bootstrap=8)
    a = result.allocation
    assert a.status == "optimal" and a.roi >= 5.0
    assert a.total_spend == pytest.approx(120 * M)
    planned = result.plan["planned_gmv"].sum()
    assert a.total_gmv >= planned - a.approximation_error  # the written split is a feasible plan
    low, high = result.gmv_interval
    assert low <= a.total_gmv <= high
    last = result.channels.set_index("channel")["last_year_spend"]
    spend = a.channels.set_index("channel")["spend"]
    assert ((spend >= 0.5 * last - 1) & (spend <= 2.0 * last + 1)).all()  # min_vs_last / max_vs_last
    assert result.to_dict()["allocation"]["channels"]["splash"]["spend"] == pytest.approx(spend["splash"])


def test_given_curves_and_infeasible_scenario(workdir):
    path = write(workdir, "given.yaml", """
        extends: plan_base.yaml
        name: given
        allocation:
          history: null
          min_roi: 30
          channels:
            splash: {curve: {vmax: 900, k: 60, s: 1.0}, min_spend: 20, min_vs_last: null, max_vs_last: null}
            feed: {curve: {vmax: 700, k: 35, s: 0.9}, min_vs_last: null, max_vs_last: null}
            challenge: {curve: {vmax: 400, k: 30, s: 1.6}, min_vs_last: null, max_vs_last: null}
        """)
    result = run_scenario(path)
    assert result.allocation.status == "infeasible" and result.allocation.infeasibility.kind == "roi"
    assert result.gmv_interval is None and set(result.channels["curve"]) == {"given"}
    assert "best achievable ROI" in result.describe()


def test_compare_scenarios(repo):
    results = [run_scenario(repo / "budgets" / f"plan_{n}.yaml", bootstrap=0) for n in ("base", "growth", "lean")]
    comparison = compare_scenarios(results)
    assert list(comparison.summary["scenario"]) == ["plan_base", "plan_growth", "plan_lean"]
    wide = comparison.areas_wide()
    assert wide.loc["traffic", "plan_growth"] == 180 * M and wide.loc["risk_reserve", "plan_lean"] == 32 * M
    traffic = comparison.traffic_wide()
    assert traffic.loc["kol", "plan_base"] == 0.0 and traffic.loc["kol", "plan_growth"] > 0
    assert (comparison.summary["roi"] >= comparison.summary["min_roi"]).all()
    assert "plan_growth" in comparison.describe()


def test_the_sample_channel_history_is_recognised_to_the_fen(repo):
    from workbench.budget.io import read_history_csv
    from workbench.budget.sample import is_sample_history

    shipped = read_history_csv(repo / "budgets" / "channel_history.csv")
    assert is_sample_history(shipped)
    changed = shipped.copy()
    changed.loc[5, "gmv"] += 1.0  # a team's own figures differ somewhere
    assert not is_sample_history(changed)
    assert not is_sample_history(shipped.iloc[:-1]) and not is_sample_history(None)


def test_infeasible_minimums_are_advised_in_the_scenarios_keys(workdir):
    path = write(workdir, "keep.yaml", """
        extends: plan_base.yaml
        name: keep
        allocation:
          min_roi: 9
          channels:
            splash: {min_vs_last: 1.1}
            feed: {min_vs_last: 1.1}
            challenge: {min_vs_last: 1.1}
        """)
    result = run_scenario(path, bootstrap=0)
    inf = result.allocation.infeasibility
    assert inf is not None and inf.binding == ["min_spend[splash]", "min_spend[feed]", "min_spend[challenge]"]
    advised = float(inf.advice.split("min_vs_last to ")[1].split(" ")[0])
    assert "held there by the minimums (min_spend) of splash, feed, challenge" in inf.reason
    assert "(now 1.1) on splash, feed, challenge" in inf.advice and advised < 1.1
    assert inf.advice in result.describe() and inf.advice in result.summary()["reason"]
    # the advised value meets the ROI target
    fixed = write(workdir, "fixed.yaml", "extends: keep.yaml\nallocation:\n  channels:\n" + "".join(
        f"    {c}: {{min_vs_last: {advised}}}\n" for c in ("splash", "feed", "challenge")))
    assert run_scenario(fixed, bootstrap=0).allocation.status == "optimal"
