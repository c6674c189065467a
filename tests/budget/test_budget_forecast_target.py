"""gmv_target from the event forecast: the window's GMV uplift (or a share of it) as the target,
the least traffic spend reaching it at ROI >= target, and whether it fits the traffic budget;
checked against a hand-computed case (two equal s = 1 channels: equal marginal ROI means equal
spend, x = k g / (vmax - g) for each channel's GMV g)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.budget.run import run_scenario
from workbench.budget.scenario import load_scenario
from workbench.budget.target import forecast_gmv_target, window_spend
from workbench.calendar import default_calendar
from workbench.cli import main
from workbench.errors import ConfigError

START, END = "2027-06-01", "2027-06-14"  # 14 days


def forecast_csv(folder, start=START, end=END, baseline=True, name="forecast.csv"):
    """Two regions, one row per day a week either side of the window: yhat 1,000,000 and
    baseline 800,000 a day each, so the window's uplift is 14 x 2 x 200,000 = 5,600,000."""
    days = pd.date_range(pd.Timestamp(start) - pd.Timedelta(days=7), pd.Timestamp(end) + pd.Timedelta(days=7))
    frame = pd.concat([pd.DataFrame({"region": r, "ds": days.strftime("%Y-%m-%d"), "yhat": 1_000_000.0,
                                     "yhat_p10": 900_000.0})
                       for r in ("华东", "华南")], ignore_index=True)
    if baseline:
        frame["yhat_baseline"] = 800_000.0
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def scenario(folder, target: str, traffic: float = 700_000, extra: str = "", period: str = "window"):
    """A scenario whose traffic amount is the window's own (``budget_period: window``; ``period``
    None leaves the key out: the amounts are then yearly)."""
    lines = [
        "name: event", "unit: yuan", f"total: {traffic + 1_000_000:.0f}", "areas:", "  traffic:",
        f"    amount: {traffic:.0f}", f"    lines: {{a: {traffic / 2:.0f}, b: {traffic / 2:.0f}}}",
        "  other:", "    amount: 1000000", "    lines: {rest: 1000000}",
        "allocation:", "  area: traffic", "  mode: gmv_target", "  min_roi: 5", "  tolerance: 0.000001",
        *([f"  budget_period: {period}"] if period else []),
        *([extra] if extra else []), f"  gmv_target: {target}", "  channels:",
        "    a: {curve: {vmax: 10000000, k: 1000000, s: 1.0}}", "    b: {curve: {vmax: 10000000, k: 1000000, s: 1.0}}",
    ]
    path = folder / "event.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def least_spend(target: float) -> float:
    g = target / 2
    return 2 * 1e6 * g / (1e7 - g)


@pytest.mark.parametrize("share, traffic, within", [(0.5, 700_000, True), (1.0, 700_000, False),
                                                    (1.0, 800_000, True)])
def test_least_spend_reaching_the_forecast_uplift(tmp_path, share, traffic, within):
    forecast_csv(tmp_path)
    path = scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}, share: {share}}}", traffic)
    s = load_scenario(path)
    assert s.allocation.gmv_target == pytest.approx(share * 5_600_000)
    assert s.allocation.gmv_forecast.uplift == pytest.approx(5_600_000)
    assert s.allocation.gmv_forecast.forecast_gmv == pytest.approx(28_000_000)
    result = run_scenario(s)
    a = result.allocation
    assert a.status == "optimal" and "gmv_target" in a.binding
    expected = least_spend(share * 5_600_000)  # 325,581.4 at 50%, 777,777.8 at 100%
    assert a.total_spend == pytest.approx(expected, rel=1e-4)
    assert a.total_gmv >= share * 5_600_000 and a.roi >= 5
    summary = result.summary()
    assert summary["within_budget"] is within
    assert "forecast GMV uplift 5,600,000" in summary["gmv_target_source"]
    verdict = "is within the traffic budget of the window" if within else "is ABOVE the traffic budget of the window"
    assert verdict in result.describe()


def test_total_measure_and_a_calendar_event(tmp_path):
    window = default_calendar().window("double11", 2026)
    forecast_csv(tmp_path, window.start, window.end, baseline=False)
    path = scenario(tmp_path, "{forecast: forecast.csv, event: double11, year: 2026, measure: total, share: 2%}",
                    traffic=2_000_000)
    target = load_scenario(path).allocation.gmv_forecast
    assert (target.start, target.end) == (window.start, window.end)
    assert target.value == pytest.approx(0.02 * 2 * 1_000_000 * target.days)
    last = default_calendar().window("double11", 2025)
    assert (target.last_year_start, target.last_year_end) == (last.start, last.end)


@pytest.mark.parametrize("target, extra, message", [
    ("{forecast: forecast.csv, start: 2027-06-01, end: 2027-06-30}", "", "no rows for 9 day(s) of the window 2027-06-01..2027-06-30 (first 2027-06-22"),
    ("{forecast: nobase.csv, start: 2027-06-01, end: 2027-06-14}", "", "missing column(s) ['yhat_baseline']"),
    ("{forecast: forecast.csv, start: 2027-06-01}", "", "allocation.gmv_target.end: missing: the window needs both start and end"),
    ("{forecast: forecast.csv, start: 2027-06-01, end: 2027-06-14, share: 0}", "", "share 0 leaves nothing"),
    ("{forecast: forecast.csv, start: 2027-06-01, end: 2027-06-14}", "  periods_per_year: 52",
     "the period is the event window (14 days)"),
])
def test_forecast_target_errors_name_file_and_field(tmp_path, target, extra, message):
    forecast_csv(tmp_path)
    forecast_csv(tmp_path, baseline=False, name="nobase.csv")
    with pytest.raises(ConfigError) as err:
        load_scenario(scenario(tmp_path, target, extra=extra))
    assert "event.yaml:" in str(err.value) and message in str(err.value), str(err.value)


def test_forecast_with_a_bad_value_inside_the_window_names_the_line(tmp_path):
    path = forecast_csv(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[10, "yhat"] = np.inf
    frame.to_csv(path, index=False)
    with pytest.raises(Exception, match=r"column 'yhat' must be a finite number inside the window at line 12"):
        forecast_gmv_target(path, start=START, end=END)


def test_window_spend_is_pro_rata_by_days():
    history = pd.DataFrame({"week": pd.to_datetime(["2026-06-01", "2026-06-08", "2026-06-15"]),
                            "channel": "a", "spend": [700.0, 1400.0, 7000.0]})
    # Wednesday 3 June .. Tuesday 9 June: 5 days of the first week, 2 of the second
    assert window_spend(history, "2026-06-03", "2026-06-09") == pytest.approx({"a": 500.0 + 400.0})


def test_cli_run_answers_within_the_traffic_budget(tmp_path, capsys):
    forecast_csv(tmp_path)
    path = scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}, share: 100%}}", 700_000)
    out = tmp_path / "event.json"
    assert main(["budget", "run", str(path), "--out", str(out)]) == 0  # a plan exists, even above the budget
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert summary["within_budget"] is False and summary["gmv_target"] == pytest.approx(5_600_000)
    assert summary["spend"] == pytest.approx(least_spend(5_600_000), rel=1e-4)
    assert "is ABOVE the traffic budget of the window 700,000 (short by 77,778)" in capsys.readouterr().out
    assert main(["budget", "run", str(path), "--out", str(tmp_path / "forecast.csv")]) == 2  # an input


def test_an_inherited_periods_per_year_is_reported_at_the_users_file_with_the_override(tmp_path):
    forecast_csv(tmp_path)
    base = scenario(tmp_path, "1000000", extra="  periods_per_year: 52")
    base.rename(tmp_path / "base.yaml")
    child = tmp_path / "mine.yaml"
    child.write_text("extends: base.yaml\nname: mine\nallocation:\n"
                     f"  gmv_target: {{forecast: forecast.csv, start: {START}, end: {END}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_scenario(child)
    text = str(err.value)
    assert "mine.yaml:4: allocation.periods_per_year:" in text and "inherited from" in text
    assert "base.yaml:" in text and "write `periods_per_year: null` under allocation in" in text
    child.write_text(child.read_text(encoding="utf-8") + "  periods_per_year: null\n", encoding="utf-8")
    assert load_scenario(child).allocation.periods_per_year == pytest.approx(2.0)  # the 14-day window's weeks


def test_gmv_target_certainty_speaks_of_spend_saved_not_a_gain(tmp_path):
    forecast_csv(tmp_path)
    path = scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}, share: 50%}}", 700_000)
    result = run_scenario(path)
    text = result.describe()
    assert "least spend ¥325,583 for the GMV target 2.8M: ¥374,417 less than the written plan's ¥700,000, whose " \
           "GMV 5.2M on the point fits reaches the target" in text, text
    assert "gain" not in text and "optimized split from the written one" not in text


def test_a_shortfall_under_a_million_is_shown_in_yuan_not_as_0_0m(tmp_path):
    # trial 15 F8: a written plan 4,200 yuan short of the least spend read "0.0M more than the
    # written plan's 0.3M, whose GMV ... falls short", and "short by 4,200" beside it
    forecast_csv(tmp_path)
    written = 2 * round(least_spend(2_800_000) / 2) - 4_200  # the two lines split it evenly
    result = run_scenario(scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}, share: 50%}}",
                                   written))
    text, more = result.describe(), result.allocation.total_spend - written
    assert 4_000 < more < 4_400
    assert f"(short by {more:,.0f})" in text, text
    assert f"¥{more:,.0f} more than the written plan's ¥{written:,}, whose GMV 2.8M on the point fits falls short " \
           f"of the target" in text, text
    assert "0.0M" not in text


def test_a_yearly_plan_is_scaled_to_the_windows_share_of_last_years_spend(tmp_path):
    # two channels, 52 weeks of history: a spends 100/week all year, b 100/week and 400 in the
    # window's two weeks a year earlier (2026-06-01..14); amounts are yearly (no budget_period)
    weeks = pd.date_range("2025-06-16", periods=52, freq="7D")
    in_window = (weeks >= "2026-06-01") & (weeks <= "2026-06-14")
    history = pd.concat([pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "channel": "a", "spend": 100.0}),
                         pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "channel": "b",
                                       "spend": np.where(in_window, 400.0, 100.0)})])
    history["gmv"] = history["spend"] * 6
    history.to_csv(tmp_path / "history.csv", index=False)
    forecast_csv(tmp_path)
    path = scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}, share: 50%}}", 700_000,
                    extra="  history: history.csv", period=None)
    s = load_scenario(path)
    share_a, share_b = 200 / 5200, 800 / 5800
    assert s.allocation.window.of("a") == pytest.approx(share_a) and s.allocation.window.of("b") == pytest.approx(share_b)
    assert s.allocation.window.total == pytest.approx(1000 / 11000)
    assert s.allocation_budget == pytest.approx(700_000 * 1000 / 11000) and s.area_amount == 700_000
    assert [r.planned for r in s.allocation.channels] == pytest.approx([350_000 * share_a, 350_000 * share_b])
    result = run_scenario(s)
    summary = result.summary()
    assert summary["allocation_budget"] == pytest.approx(63_636.36, rel=1e-6)
    assert summary["window_share"] == pytest.approx(1000 / 11000)
    # the written plan's ROI is GMV over spend of the same window, on the same (given, window) curves
    planned = np.array([350_000 * share_a, 350_000 * share_b])
    gmv = 1e7 * planned / (1e6 + planned)
    assert summary["planned_spend"] == pytest.approx(planned.sum())
    assert summary["planned_roi"] == pytest.approx(gmv.sum() / planned.sum())
    text = result.describe()
    assert "traffic budget of the window window 2027-06-01..2027-06-14: 63,636 = 9.09% of the yearly 700,000 " \
           "(last year's spend in 2026-06-01..2026-06-14 over the history's latest 52 weeks)" in text, text
    assert "budget of the window 63,636" in text


def test_a_yearly_plan_without_history_is_scaled_by_days_and_says_so(tmp_path):
    forecast_csv(tmp_path)
    path = scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}}}", 730_000, period=None)
    s = load_scenario(path)
    assert s.allocation_budget == pytest.approx(730_000 * 14 / 365)
    assert "14 of 365 days, pro rata (no history to measure last year's share from)" in s.budget_text()
    with pytest.raises(ConfigError, match="allocation.budget_period: unknown budget_period 'month'"):
        load_scenario(scenario(tmp_path, f"{{forecast: forecast.csv, start: {START}, end: {END}}}", period="month"))
    with pytest.raises(ConfigError, match="budget_period: window needs a gmv_target from the event forecast"):
        load_scenario(scenario(tmp_path, "1000000", period="window"))
