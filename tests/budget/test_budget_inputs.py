"""Inputs are read once, strictly and safely: the typed pipeline from scenario to allocation,
bounds against last year checked at load with their line, YAML size/alias limits, no output
over an input, zero-effect channels, no numpy reprs in messages, every plan read back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from budget_instances import plan_channels, random_channels, write

from workbench.budget.allocate import _prepare, allocate, verify_plan
from workbench.budget.channels import ChannelSpec, validate_channels
from workbench.budget.curves import HillCurve
from workbench.budget.frontier import efficient_frontier
from workbench.budget.modes import MODES
from workbench.budget.run import run_scenario
from workbench.budget.scenario import load_scenario
from workbench.cli import main
from workbench.errors import ConfigError, DataValidationError, ParameterError

M = 1e6


def test_history_is_read_once_at_load(workdir):
    scenario = load_scenario(workdir / "plan_base.yaml")
    (workdir / "channel_history.csv").unlink()  # a second read would fail
    result = run_scenario(scenario, bootstrap=0)
    assert result.allocation.status == "optimal"
    assert all(isinstance(c, ChannelSpec) for c in result.specs)
    last = {r.name: r.last_year_spend for r in scenario.allocation.channels}
    assert last == pytest.approx({"splash": 45 * M, "feed": 36 * M, "challenge": 25 * M})  # sample.LAST_YEAR_SPEND
    splash = next(c for c in result.specs if c.name == "splash")
    assert (splash.min_spend, splash.max_spend) == pytest.approx((22.5 * M, 90 * M))


def test_bounds_against_last_year_are_checked_at_load_with_the_line(workdir):
    path = write(workdir, "high.yaml", """
        extends: plan_base.yaml
        name: high
        allocation:
          channels:
            splash: {curve: fit, min_spend: 100, max_vs_last: 2.0}
        """)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "high.yaml:5: allocation.channels.splash: its minimum 100 is above its maximum 90" in text, text


def test_history_errors_name_the_line(workdir):
    history = workdir / "channel_history.csv"
    rows = history.read_text().splitlines()
    rows[3] = rows[3].replace("2024-11-18", "18/11/2024")
    history.write_text("\n".join(rows) + "\n")
    with pytest.raises(ConfigError, match=r"channel_history.csv: column 'week' is not a date .* at line 4"):
        load_scenario(workdir / "plan_base.yaml")


def test_yaml_alias_bomb_is_refused(workdir):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = write(workdir, "bomb.yaml", "\n".join(levels) + "\ntotal: *a8\n")
    with pytest.raises(ConfigError, match="bomb.yaml:.*(aliases|values)"):
        load_scenario(path)


def test_oversized_scenario_is_refused(workdir):
    path = workdir / "huge.yaml"
    path.write_text("name: huge\n" + "# padding\n" * 120_000)
    with pytest.raises(ConfigError, match="more than a scenario's limit"):
        load_scenario(path)


@pytest.mark.parametrize("out", ["scenario", "parent", "history"])
def test_run_never_writes_over_an_input(workdir, capsys, out):
    child = write(workdir, "child.yaml", "extends: plan_base.yaml\nname: child\n")
    target = {"scenario": child, "parent": workdir / "plan_base.yaml",
              "history": workdir / "channel_history.csv"}[out]
    before = target.read_bytes()
    assert main(["budget", "run", str(child), "--bootstrap", "0", "--out", str(target)]) == 2
    assert "overwrite its own input" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_allocate_fit_and_compare_never_write_over_inputs(workdir, capsys):
    channels = workdir / "channels.csv"
    plan_channels().to_csv(channels, index=False)
    before = channels.read_bytes()
    assert main(["budget", "allocate", "--channels", str(channels), "--budget", "1e8", "--min-roi", "5",
                 "--out", "./channels.csv"]) == 2
    assert main(["budget", "frontier", "--channels", str(channels), "--out", str(channels)]) == 2
    assert channels.read_bytes() == before
    history = workdir / "channel_history.csv"
    assert main(["budget", "fit", "--history", str(history), "--out", str(history)]) == 2
    assert main(["budget", "compare", str(workdir / "plan_base.yaml"), "--out", str(history)]) == 2
    assert capsys.readouterr().err.count("overwrite its own input") == 4


def test_empty_channel_name_says_what_to_do():
    table = plan_channels()
    table.loc[1, "channel"] = " "
    with pytest.raises(DataValidationError, match=r"column 'channel' is empty at .*; name the channel of each "
                                                  r"row or remove those rows"):
        validate_channels(table, source="channels.csv")


def test_zero_effect_channel_pinned_is_a_valid_request():
    table = plan_channels()
    table.loc[len(table)] = ["tv", 0.0, 1e7, 1.0, 5e6, 5e6]
    result = allocate(table, budget=120e6, min_roi=5.0)
    assert result.status == "optimal"
    tv = result.channels.set_index("channel").loc["tv"]
    assert tv["spend"] == pytest.approx(5e6) and tv["gmv"] == 0.0
    assert result.roi >= 5.0


def test_zero_effect_channel_in_a_scenario(workdir):
    path = write(workdir, "zero.yaml", """
        extends: plan_base.yaml
        name: zero
        allocation:
          channels:
            challenge: {curve: {vmax: 0, k: 30, s: 1.6}, min_vs_last: null, max_vs_last: null, max_spend: 10}
        """)
    result = run_scenario(path, bootstrap=0)
    assert result.allocation.status == "optimal"
    assert result.allocation.channels.set_index("channel").loc["challenge", "spend"] == 0.0


@pytest.mark.parametrize("column, value", [("vmax", -1.0), ("k", 0.0), ("s", np.inf), ("max_spend", 0.0),
                                           ("min_spend", -5.0)])
def test_messages_never_show_numpy_reprs(column, value):
    table = plan_channels()
    table[column] = table[column].astype(float)
    table.loc[1, column] = value
    table.attrs.update(source="channels.csv", csv_rows=True)
    with pytest.raises(DataValidationError) as err:
        validate_channels(table)
    text = str(err.value)
    assert "np." not in text and "numpy" not in text and "line 3" in text and repr(float(value)) in text
    with pytest.raises(ParameterError) as err:
        HillCurve(np.float64(-1.0), np.float64(1.0), np.float64(1.0))
    assert "np." not in str(err.value)


def test_mode_arguments_come_from_the_mode_table():
    with pytest.raises(ParameterError, match="does not use gmv_target"):
        allocate(plan_channels(), budget=1e8, gmv_target=1e9, min_roi=5.0)
    with pytest.raises(ParameterError, match="needs a gmv_target > 0"):
        allocate(plan_channels(), mode="gmv_target", min_roi=5.0)
    assert set(MODES) == {"budget", "max_spend", "gmv_target"}
    assert {m.cli_flag for m in MODES.values()} == {"--budget", "--max-spend", "--gmv-target"}


def test_read_back_rejects_a_plan_that_breaks_a_rule():
    specs = validate_channels(plan_channels())
    ch, _ = _prepare(specs, cap=120e6, tolerance=1e-4)
    mode = MODES["budget"]
    good = allocate(specs, budget=120e6, min_roi=5.0)
    spend = good.channels["spend"].to_numpy()
    model_gmv = np.array([p(x) for p, x in zip(ch.pwls, spend)])
    assert verify_plan(ch, mode, 120e6, 5.0, spend, model_gmv, float(model_gmv.sum())) == []
    over = spend * 1.1  # above the budget
    assert any("above the budget" in p for p in verify_plan(ch, mode, 120e6, 5.0, over, model_gmv, None))
    inflated = model_gmv * 1.01  # the model claims more GMV than the curve gives
    problems = verify_plan(ch, mode, 120e6, 5.0, spend, inflated, float(inflated.sum()))
    assert any("above the curve" in p for p in problems)
    assert any("objective" in p for p in verify_plan(ch, mode, 120e6, 5.0, spend, model_gmv, 1.0))
    assert any("below the target 9" in p for p in verify_plan(ch, mode, 120e6, 9.0, spend, model_gmv, None))


def test_every_result_json_has_no_numpy_and_a_status(tmp_path):
    out = tmp_path / "r.json"
    path = tmp_path / "c.csv"
    plan_channels().to_csv(path, index=False)
    assert main(["budget", "allocate", "--channels", str(path), "--max-spend", "--min-roi", "5",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["status"] == "optimal" and data["mode"] == "max_spend" and data["solver"] == "highs"
    assert data["gap"] is not None and data["gap"] <= 1e-6 and "bound" in data and "time_limit" in data
    assert isinstance(pd.Series(data["channels"]).iloc[0]["spend"], float)


def test_a_time_limit_is_reported_honestly_never_as_optimal():
    # 40 S-shaped channels at a tight tolerance: HiGHS needs about 40 s on the 2-core machine
    table = random_channels(5, 40, s_range=(1.5, 3.0))
    result = allocate(table, budget=0.3 * table["max_spend"].sum(), min_roi=1.0, tolerance=1e-5, time_limit=0.05)
    assert result.status == "time_limit" and result.outcome.time_limit == 0.05
    if result.feasible:  # an incumbent: verified, with its measured gap, and said to be unproven
        assert "NOT proven optimal" in result.describe()
    else:
        assert result.total_spend is None and "time limit" in result.describe()


def test_gbk_channel_table_with_chinese_labels_and_thousands_separators(tmp_path):
    path = tmp_path / "渠道.csv"
    path.write_bytes("channel,label,vmax,k,s,min_spend,max_spend\n"
                     "splash,开屏广告,\"900,000,000\",60000000,1.0,0,\"100,000,000\"\n"
                     "feed,信息流广告,700000000,35000000,0.9,0,100000000\n".encode("gbk"))
    out = tmp_path / "r.json"
    assert main(["budget", "allocate", "--channels", str(path), "--budget", "1e8", "--min-roi", "5",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["channels"]["splash"]["label"] == "开屏广告" and data["total_spend"] == pytest.approx(1e8)


@pytest.mark.parametrize("call", [
    lambda: allocate(plan_channels(), budget=1e8, min_roi=np.float64(-1.0)),
    lambda: allocate(plan_channels(), budget=1e8, min_roi=5.0, tolerance=np.float64(2.0)),
    lambda: allocate(plan_channels(), budget=np.float64(-5.0), min_roi=5.0),
    lambda: HillCurve(np.float64(1), np.float64(-2), 1),
    lambda: efficient_frontier(plan_channels(), [1e7, 2e7], min_roi=np.float64(-1.0)),
])
def test_argument_errors_show_plain_numbers(call):
    with pytest.raises(ParameterError) as err:
        call()
    assert "np." not in str(err.value) and "numpy" not in str(err.value)


def test_history_campaign_column_reads_flags_and_names(tmp_path):
    from workbench.budget.io import read_history_csv

    path = tmp_path / "history.csv"
    path.write_text("week,channel,spend,gmv,campaign\n2026-06-01,feed,100,600,618\n2026-06-08,feed,100,600,0\n"
                    "2026-06-15,feed,100,600,\n2026-06-22,feed,100,600,1.0\n2026-06-29,feed,100,600,双11\n",
                    encoding="utf-8")
    assert read_history_csv(path)["campaign"].tolist() == ["618", "", "", "1", "双11"]
