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
    monkeypatch.setattr(R, "_session", {"results": {}, "data_range": None})
    monkeypatch.delenv(R.RECORD_FILE_ENV, raising=False)


def test_without_the_runner_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert R.record("total", 12.5) == 12.5
    assert R.recorded() == {"results": {"total": 12.5}, "data_range": None}
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
    }
    assert R.read_record_file(side) == data
    assert R.read_record_file(tmp_path / "absent.json") == {"results": {}, "data_range": None}
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
