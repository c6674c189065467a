"""benchmarks/periods.to_periods: daily panels summed to whole weeks and months only (review 7.3
#13: a week holding a missing day had counted as whole and was summed low)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

_spec = importlib.util.spec_from_file_location("periods", Path(__file__).parents[2] / "benchmarks" / "periods.py")
periods = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(periods)


def _days(start: str, end: str) -> pd.DataFrame:
    ds = pd.date_range(start, end)
    return pd.DataFrame({"series": "a", "ds": ds, "y": np.ones(len(ds))})


def test_partial_first_and_last_periods_are_left_out():
    """2026-01-01 is a Thursday: its week and the week of 2026-02-02 (to Wednesday 02-04) are
    partial; January is whole, February is not."""
    days = _days("2026-01-01", "2026-02-04")
    weeks = periods.to_periods(days, ["series"], "W")
    assert weeks.ds.min() == pd.Timestamp("2026-01-05") and weeks.ds.max() == pd.Timestamp("2026-01-26")
    assert (weeks.y == 7).all()
    months = periods.to_periods(days, ["series"], "MS")
    assert months.ds.tolist() == [pd.Timestamp("2026-01-01")] and months.y.tolist() == [31]


def test_a_period_holding_a_missing_day_is_partial():
    days = _days("2026-01-05", "2026-02-28")  # 7 whole weeks (the last, from 02-23, is partial)
    days.loc[days.ds == "2026-01-14", "y"] = np.nan
    weeks = periods.to_periods(days, ["series"], "W")
    assert pd.Timestamp("2026-01-12") not in set(weeks.ds) and len(weeks) == 6
    months = periods.to_periods(days, ["series"], "MS")
    assert months.ds.tolist() == [pd.Timestamp("2026-02-01")]
