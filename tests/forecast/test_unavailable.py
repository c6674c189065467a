"""Declared unavailable days (a stock-out) are read as the series' level by the core (trial 11 F0/F2)."""

import numpy as np
import pandas as pd
import pytest

from workbench.data.unavailable import read_unavailable
from workbench.errors import DataValidationError, ParameterError
from workbench.forecast.core import censor_unavailable, forecast

LEVEL = 40.0
WEEK = np.array([0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.0])  # Monday..Sunday


def _shop(seed: int, out_from: int, out_to: int, days: int = 540) -> pd.DataFrame:
    """Two SKUs of daily Poisson sales at LEVEL with a weekly shape; A sells nothing on days
    out_from..out_to-1 (positions from the start: a stock-out)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-20", periods=days, freq="D")
    rows = []
    for sku in ("A", "B"):
        y = rng.poisson(LEVEL * WEEK[ds.day_of_week]).astype(float)
        if sku == "A":
            y[out_from:out_to] = 0
        rows.append(pd.DataFrame({"sku": sku, "ds": ds, "y": y}))
    frame = pd.concat(rows, ignore_index=True)
    frame.attrs["freq"] = "D"
    return frame


def _spans(frame, tmp_path, start, end, sku="A"):
    path = tmp_path / "oos.csv"
    path.write_text(f"sku,start,end\n{sku},{start.date()},{end.date()}\n", encoding="utf-8")
    return read_unavailable(path, frame, ["sku"])


@pytest.mark.parametrize("seed", [0, 1])
def test_a_stock_out_at_the_end_is_no_stop_with_the_file(seed, tmp_path):
    frame = _shop(seed, 528, 540)  # the last 12 days: nothing sold
    ds = frame["ds"].drop_duplicates().reset_index(drop=True)
    without = forecast(frame, horizon=28, model="auto", freq="D", keys=["sku"], n_jobs=1)
    a = without[without["sku"] == "A"]
    assert a["yhat"].sum() < 0.1 * LEVEL * 28  # read as a stop
    assert any("stopped" in n or "no sales" in n for n in without.attrs["notes"] if "sku=A" in n)
    spans = _spans(frame, tmp_path, ds[528], ds[539])
    fc = forecast(frame, horizon=28, model="auto", freq="D", keys=["sku"], n_jobs=1, unavailable=spans)
    a = fc[fc["sku"] == "A"]
    assert 0.8 < a["yhat"].sum() / (LEVEL * WEEK.mean() * 28) < 1.2
    note = [n for n in fc.attrs["notes"] if "unavailable" in n]
    assert len(note) == 1 and "sku=A" in note[0] and "12 unavailable day(s)" in note[0]
    assert "not as zero demand" in note[0]


def test_a_stock_out_inside_the_history_keeps_its_level(tmp_path):
    frame = _shop(2, 480, 500)  # 20 days out, ending 40 days before the cut-off
    ds = frame["ds"].drop_duplicates().reset_index(drop=True)
    spans = _spans(frame, tmp_path, ds[480], ds[499])
    censored, notes = censor_unavailable(frame, ["sku"], spans, "D")
    a = censored[censored["sku"] == "A"].reset_index(drop=True)
    filled = a.loc[480:499, "y"]
    assert 0.8 < filled.mean() / (LEVEL * WEEK.mean()) < 1.2
    assert filled.min() > 0
    same = censored[censored["sku"] == "B"]["y"].to_numpy()
    assert np.array_equal(same, frame[frame["sku"] == "B"]["y"].to_numpy())  # B untouched
    assert len(notes) == 1 and "20 unavailable day(s)" in notes[0]
    fc = forecast(frame, horizon=28, model="auto", freq="D", keys=["sku"], n_jobs=1, unavailable=spans)
    a = fc[fc["sku"] == "A"]
    assert 0.8 < a["yhat"].sum() / (LEVEL * WEEK.mean() * 28) < 1.2


def test_a_run_at_the_start_reads_the_level_after_it(tmp_path):
    frame = _shop(3, 0, 10)
    ds = frame["ds"].drop_duplicates().reset_index(drop=True)
    censored, _ = censor_unavailable(frame, ["sku"], _spans(frame, tmp_path, ds[0], ds[9]), "D")
    filled = censored[censored["sku"] == "A"]["y"].iloc[:10]
    assert 0.7 < filled.mean() / (LEVEL * WEEK.mean()) < 1.3


def test_days_declared_only_after_the_history_change_no_value_and_are_said(tmp_path):
    frame = _shop(4, 0, 0)
    later = frame["ds"].max() + pd.Timedelta(days=5)
    spans = _spans(frame, tmp_path, later, later)
    out, notes = censor_unavailable(frame, ["sku"], spans, "D")
    assert out is frame and len(notes) == 1 and "are not forecast at zero" in str(notes[0])
    with pytest.raises(ParameterError, match="declares days"):
        censor_unavailable(frame, ["sku"], spans, "W")


@pytest.mark.parametrize("text, message", [
    ("sku,start\nA,2025-01-01\n", r"column\(s\) \['end'\] missing"),
    ("sku,start,end\nA,2025-01-21,2025-01-25\nA,2025-13-01,2025-01-05\n", "line 3, column 'start'"),
    ("sku,start,end\nA,2025-02-01,2025-01-05\n", "line 2, column 'end'.*before the start"),
    ("sku,start,end\nA,2025-01-21,2025-01-22\nZ9,2025-01-01,2025-01-02\n", "line 3, column 'sku': 'Z9' is no value"),
    ("sku,start,end\n,2025-01-01,2025-01-02\n", "line 2, column 'sku': empty"),
    ("store,start,end\nX,2025-01-01,2025-01-02\n", r"\['store'\] are neither"),
])
def test_bad_files_name_the_line_and_column(text, message, tmp_path):
    path = tmp_path / "oos.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=message) as info:
        read_unavailable(path, _shop(5, 0, 0, days=30), ["sku"])
    assert "oos.csv" in str(info.value)


def test_a_gbk_file_with_chinese_keys_and_no_key_column(tmp_path):
    frame = _shop(6, 0, 0, days=30).rename(columns={"sku": "商品ID"})
    path = tmp_path / "缺货.csv"
    path.write_bytes("商品ID,start,end\nA,2025-01-23,2025-01-24\n".encode("gbk"))
    spans = read_unavailable(path, frame, ["商品ID"])
    assert spans[["商品ID", "line"]].values.tolist() == [["A", 2]]
    path.write_text("start,end\n2025-01-23,2025-01-24\n", encoding="utf-8")  # the shop closed: every series
    out, notes = censor_unavailable(frame, ["商品ID"], read_unavailable(path, frame, ["商品ID"]), "D")
    assert len(notes) == 2


def test_the_backtest_reads_declared_days_before_its_cut_off_and_leaves_a_window_s_out_of_its_scores(tmp_path):
    from workbench.forecast.backtest import backtest_windows

    cut = 451  # 2026-04-16, a quiet day
    frame = _shop(7, cut - 11, cut + 1)  # A out the 12 days through the cut-off
    ds = frame["ds"].drop_duplicates().reset_index(drop=True)
    window = {"w": (ds[cut + 7], ds[cut + 21])}  # lead 7
    path = tmp_path / "oos.csv"
    path.write_text(f"sku,start,end\nA,{ds[cut - 11].date()},{ds[cut].date()}\n"
                    f"B,{ds[cut + 10].date()},{ds[cut + 12].date()}\n")
    spans = read_unavailable(path, frame, ["sku"])
    before = backtest_windows(frame, windows=window, model="auto", lead=7, keys=["sku"], n_jobs=1)
    assert before.per_series.set_index("sku").loc["A", "wape"] > 0.9  # read as a stop
    with pytest.warns(Warning, match="1 series with declared unavailable days in the window left out"):
        after = backtest_windows(frame, windows=window, model="auto", lead=7, keys=["sku"], n_jobs=1,
                                 unavailable=spans)
    per = after.per_series.set_index("sku")
    assert list(per.index) == ["A"] and per.loc["A", "wape"] < 0.3


def test_days_declared_after_the_history_are_said_not_silently_ignored(tmp_path):
    """A stock-out declared past the cut-off (the new user's 09-10..09-24 from a 09-20 cut-off): the
    days in the history are read as the level, and a note says the days after its end are not
    forecast at zero (the censoring reaches the history only)."""
    frame = _shop(4, 530, 540)
    ds = frame["ds"].drop_duplicates().reset_index(drop=True)
    after = ds.iloc[-1] + pd.Timedelta(days=4)
    censored, notes = censor_unavailable(frame, ["sku"], _spans(frame, tmp_path, ds[530], after), "D")
    assert len(notes) == 2 and "10 unavailable day(s)" in str(notes[0])
    first = (ds.iloc[-1] + pd.Timedelta(days=1)).date()
    assert f"declared after its history ends ({first}..{after.date()}) are not forecast at zero" in str(notes[1])
    assert "sku=A" in str(notes[1])
    only_ahead = _spans(frame, tmp_path, ds.iloc[-1] + pd.Timedelta(days=2), after, sku="B")
    unchanged, notes = censor_unavailable(frame, ["sku"], only_ahead, "D")
    assert unchanged is frame and len(notes) == 1 and "sku=B" in str(notes[0])
