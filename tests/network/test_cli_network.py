"""``workbench network solve`` reads the CSV contract and writes RESULT.json."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main


@pytest.fixture
def csvs(tmp_path):
    (tmp_path / "sites.csv").write_text("site,fixed_cost,capacity\nA,10,5\nB,4,\n")
    (tmp_path / "customers.csv").write_text("customer,demand\n1,3\n2,2\n3,4\n")
    (tmp_path / "costs.csv").write_text(
        "site,customer,unit_cost\nA,1,1\nA,2,1\nA,3,1\nB,1,2\nB,2,3\nB,3,1\n")
    return tmp_path


def argv(path, *extra):
    return ["network", "solve", "--sites", str(path / "sites.csv"), "--customers",
            str(path / "customers.csv"), "--costs", str(path / "costs.csv"),
            "--out", str(path / "result.json"), *extra]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_solve_writes_result_json(csvs, solver, capsys):
    assert main(argv(csvs, "--solver", solver, "--time-limit", "30")) == 0
    result = json.loads((csvs / "result.json").read_text())
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(20.0)
    assert result["open_sites"] == ["B"]  # empty capacity = unlimited
    assert result["gap"] is not None and result["solve_seconds"] >= 0
    assert {f["customer"] for f in result["flows"]} == {"1", "2", "3"}  # ids stay text
    assert sum(f["quantity"] for f in result["flows"]) == pytest.approx(9.0)
    assert "optimal" in capsys.readouterr().out


def test_max_open_and_single_source_flags(csvs):
    assert main(argv(csvs, "--max-open", "1", "--single-source")) == 0
    result = json.loads((csvs / "result.json").read_text())
    assert len(result["open_sites"]) == 1 and result["objective"] == pytest.approx(20.0)


def test_infeasible_is_written_with_reason(csvs, capsys):
    (csvs / "sites.csv").write_text("site,fixed_cost,capacity\nA,10,5\nB,4,3\n")
    assert main(argv(csvs)) == 1  # like `budget allocate`: infeasible exits 1, the answer is written
    result = json.loads((csvs / "result.json").read_text())
    assert result["status"] == "infeasible" and result["objective"] is None
    assert "short by 1" in result["reason"]
    assert "reason:" in capsys.readouterr().out


def test_bad_csv_is_a_clear_error(csvs, capsys):
    (csvs / "customers.csv").write_text("customer,qty\n1,3\n")
    assert main(argv(csvs)) == 2
    err = capsys.readouterr().err
    assert "customers.csv" in err and "demand" in err



def test_plan_promise_share_lets_the_hardest_cities_be_late(tmp_path, capsys):
    """Shanghai + Chengdu cannot reach western Xinjiang within 72 h: every plan is infeasible at
    100 %, and each is feasible when 99 % of units must arrive in time (--promise-share)."""
    import pandas as pd

    sites = tmp_path / "sites.csv"
    sites.write_text("city,role,fixed_cost,capacity_units_per_day,existing\n"
                     "上海,central,55000000,7000,yes\n成都,central,32000000,4500,yes\n"
                     "武汉,central,30000000,5000,no\n杭州,front,5198583,353,no\n", encoding="utf-8")
    days = pd.date_range("2027-06-01", "2027-06-20")
    regions = ("North", "East", "South", "Southwest", "Central", "Northwest", "Northeast")
    demand = tmp_path / "forecast.csv"
    pd.DataFrame([(d, r, 1000.0) for d in days for r in regions],
                 columns=["ds", "region", "yhat"]).to_csv(demand, index=False)
    common = ["network", "plan", "--demand", str(demand), "--sites", str(sites), "--hot-target", "0",
              "--max-centrals", "2", "--out"]
    assert main([*common, str(tmp_path / "strict.json")]) == 1
    assert main([*common, str(tmp_path / "relaxed.json"), "--promise-share", "0.99"]) == 0
    plans = json.loads((tmp_path / "relaxed.json").read_text())["plans"]
    for plan in plans.values():
        assert plan["status"] == "optimal"
        assert 0.99 - 1e-9 <= plan["coverage"]["within_promise"] < 1.0
    capsys.readouterr()
    assert main([*common, str(tmp_path / "bad.json"), "--promise-share", "1.5"]) == 2
    assert "promise_share=1.5 must be a share in (0, 1]" in capsys.readouterr().err
