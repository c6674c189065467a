"""record() as notebooks call it: harmless without the runner, a JSON side file with it."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ParameterError
from workbench.reports import record as R


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    monkeypatch.setattr(R, "_session", {"results": {}, "data_range": None, "answers": [], "kinds": {}})
    monkeypatch.delenv(R.RECORD_FILE_ENV, raising=False)


def test_without_the_runner_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert R.record("total", 12.5) == 12.5
    assert R.recorded() == {"results": {"total": 12.5}, "data_range": None, "answers": [],
                            "kinds": {"total": "number"}}
    assert list(tmp_path.iterdir()) == []


def test_with_the_runner_results_go_to_the_side_file(tmp_path, monkeypatch):
    side = tmp_path / "record.json"
    monkeypatch.setenv(R.RECORD_FILE_ENV, str(side))
    R.record("total", np.float64(1234.5))
    R.record("units", np.int64(7))
    R.record("when", dt.date(2026, 6, 18))
    R.record("regions", ["North", "East"])
    R.record_data_range(pd.Timestamp("2023-01-01"), pd.Timestamp("2026-10-31 12:00"))
    data = json.loads(side.read_text())
    assert data == {
        "results": {"total": 1234.5, "units": 7, "when": "2026-06-18", "regions": ["North", "East"]},
        "data_range": {"start": "2023-01-01", "end": "2026-10-31T12:00:00"},
        "answers": [],
        "kinds": {"total": "number", "units": "units", "when": "number", "regions": "number"},
    }
    assert R.read_record_file(side) == data
    assert R.read_record_file(tmp_path / "absent.json") == {"results": {}, "data_range": None, "answers": [],
                                                            "kinds": {}}
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("total units", 1.0, "record name"),
        ("", 1.0, "record name"),
        ("total", float("nan"), "not a finite number"),
        ("frame", pd.DataFrame({"a": [1]}), "cannot be stored"),
    ],
)
def test_bad_records_are_refused(name, value, message):
    with pytest.raises(ParameterError, match=message):
        R.record(name, value)


def test_answer_statuses_are_recorded_and_the_least_good_is_shown(tmp_path, monkeypatch):
    side = tmp_path / "record.json"
    monkeypatch.setenv(R.RECORD_FILE_ENV, str(side))
    R.record_answer_status("optimal")
    R.record_answer_status("infeasible", "ROI >= 5 cannot hold with the channel caps")
    R.record_answer_status("time_limit", "gap 2.1%")
    answers = R.read_record_file(side)["answers"]
    assert answers == [
        {"status": "optimal", "detail": ""},
        {"status": "infeasible", "detail": "ROI >= 5 cannot hold with the channel caps"},
        {"status": "time_limit", "detail": "gap 2.1%"},
    ]
    assert R.worst_answer(answers) == answers[1]
    assert R.worst_answer(answers[::2]) == answers[2]
    assert R.worst_answer([]) is None
    R.record_answer_status("error", "x" * 2000)
    assert len(R.recorded()["answers"][-1]["detail"]) == R.MAX_ANSWER_DETAIL


@pytest.mark.parametrize(
    ("status", "detail", "message"),
    [("Optimal", "", "is not one of optimal, feasible"), ("success", "", "is not one of"),
     ("optimal", 3, "detail must be text")],
)
def test_bad_answer_statuses_are_refused(status, detail, message):
    with pytest.raises(ParameterError, match=message):
        R.record_answer_status(status, detail)


def test_a_result_carries_its_kind(tmp_path, monkeypatch):
    side = tmp_path / "record.json"
    monkeypatch.setenv(R.RECORD_FILE_ENV, str(side))
    R.record("uplift", 0.4287, kind="share")
    R.record("event_uplift_pct", 129.0)  # no kind: from the name's words; a *_pct name holds percent
    R.record("kpi_coverage_72h", 1)
    R.record("kpi_ship_48h_p90", 0.9946)
    R.record("optimized_cost_cny", 6866488.7)
    R.record("stock_to_buy_units", 1500.0)
    R.record("kpi_traffic_roi", 5.2)
    R.record("pct_label", "high")  # text is never a share
    assert R.read_record_file(side)["kinds"] == {
        "uplift": "share", "event_uplift_pct": "percent", "kpi_coverage_72h": "share",
        "kpi_ship_48h_p90": "share", "optimized_cost_cny": "money", "stock_to_buy_units": "units",
        "kpi_traffic_roi": "number", "pct_label": "number"}
    with pytest.raises(ParameterError, match="kind 'fraction' is not one of number, share, percent, money, units"):
        R.record("x", 0.5, kind="fraction")
