"""The ``workbench budget`` commands, run in-process through the real parser."""

from __future__ import annotations

import json

import pytest
from budget_instances import plan_channels

from workbench.budget.frontier import efficient_frontier
from workbench.cli import main


@pytest.fixture
def channels_csv(tmp_path):
    path = tmp_path / "channels.csv"
    plan_channels().to_csv(path, index=False)
    return path


def test_allocate_contract(channels_csv, tmp_path, capsys):
    out = tmp_path / "result.json"
    code = main(["budget", "allocate", "--channels", str(channels_csv), "--budget", "120e6", "--min-roi", "5",
                 "--solver", "cbc", "--out", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert result["total_spend"] == pytest.approx(120e6)
    assert result["roi"] >= 5 and result["total_gmv"] == pytest.approx(result["roi"] * result["total_spend"])
    for name in ("splash", "feed", "challenge"):
        assert {"spend", "gmv", "marginal_roi"} <= set(result["channels"][name])
    assert sum(c["spend"] for c in result["channels"].values()) == pytest.approx(result["total_spend"])
    assert "budget shadow price" in capsys.readouterr().out


def test_allocate_other_modes_and_infeasible_exit_code(channels_csv, tmp_path):
    out = tmp_path / "r.json"
    assert main(["budget", "allocate", "--channels", str(channels_csv), "--max-spend", "--min-roi", "5",
                 "--out", str(out)]) == 0
    assert json.loads(out.read_text())["mode"] == "max_spend"
    assert main(["budget", "allocate", "--channels", str(channels_csv), "--gmv-target", "1e9", "--min-roi", "5",
                 "--solver", "highs", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["total_gmv"] >= 1e9
    assert main(["budget", "allocate", "--channels", str(channels_csv), "--budget", "120e6", "--min-roi", "40",
                 "--out", str(out)]) == 1
    result = json.loads(out.read_text())
    assert result["status"] == "infeasible" and result["infeasibility"]["best_roi"] < 40


def test_allocate_needs_exactly_one_mode(channels_csv, tmp_path):
    with pytest.raises(SystemExit):
        main(["budget", "allocate", "--channels", str(channels_csv), "--budget", "1", "--max-spend",
              "--min-roi", "5", "--out", str(tmp_path / "x.json")])


def test_bad_channel_file_is_an_error_naming_the_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("channel,vmax,k,s,min_spend,max_spend\na,1e8,1e7,1,0,5e7\nb,1e8,-1,1,0,5e7\n")
    code = main(["budget", "allocate", "--channels", str(path), "--budget", "1e7", "--min-roi", "5",
                 "--out", str(tmp_path / "r.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 3" in err and "'k'" in err
    assert not (tmp_path / "r.json").exists()


def test_run_and_compare_scenarios(repo, tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["budget", "run", str(repo / "budgets" / "plan_lean.yaml"), "--bootstrap", "0",
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["summary"]["scenario"] == "plan_lean" and result["allocation"]["roi"] >= 6
    cmp = tmp_path / "cmp.json"
    assert main(["budget", "compare", str(repo / "budgets" / "plan_base.yaml"),
                 str(repo / "budgets" / "plan_lean.yaml"), "--bootstrap", "0", "--out", str(cmp)]) == 0
    assert [row["scenario"] for row in json.loads(cmp.read_text())["summary"]] == ["plan_base", "plan_lean"]
    assert "plan_lean" in capsys.readouterr().out


def test_invalid_scenario_exit_code(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("total: 10\n")
    assert main(["budget", "run", str(path)]) == 2
    assert "s.yaml" in capsys.readouterr().err


def test_frontier_marks_the_roi_target(channels_csv, tmp_path):
    out = tmp_path / "f.json"
    assert main(["budget", "frontier", "--channels", str(channels_csv), "--min-roi", "5", "--points", "8",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert len(data["points"]) == 8
    target = data["target"]
    assert target["roi"] == pytest.approx(5.0, rel=1e-3)
    frontier = efficient_frontier(plan_channels(), [target["total_spend"] * 0.95, target["total_spend"]])
    roi = frontier.points["roi"].to_numpy()
    assert roi[0] > 5.0 and roi[1] == pytest.approx(5.0, rel=1e-3)  # the frontier crosses the target there
    assert (frontier.points["gmv"].diff().dropna() > 0).all()


def test_fit_and_sample_history(tmp_path, repo):
    history = tmp_path / "h.csv"
    assert main(["budget", "sample-history", "--out", str(history)]) == 0
    assert history.read_text() == (repo / "budgets" / "channel_history.csv").read_text()
    curves = tmp_path / "curves.csv"
    assert main(["budget", "fit", "--history", str(history), "--bootstrap", "5", "--out", str(curves)]) == 0
    assert curves.read_text().splitlines()[0].startswith("channel,vmax,k,s,vmax_low")


def test_budget_help_is_light_and_its_choices_match_the_library():
    import subprocess
    import sys

    from workbench.budget.allocate import DEFAULT_TOLERANCE
    from workbench.cli.budget import SOLVER_CHOICES
    from workbench.optimize import SOLVERS

    assert SOLVER_CHOICES == SOLVERS and DEFAULT_TOLERANCE == 1e-4  # the help text says 1e-4
    code = ("import sys, workbench.cli.budget as b, argparse; p = argparse.ArgumentParser(); "
            "b.register(p.add_subparsers()); "
            "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'pulp', 'plotly') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
