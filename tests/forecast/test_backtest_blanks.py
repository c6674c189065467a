"""A NaN never reaches a backtest table unexplained (trial 15 F10): a figure that is not defined
(a keyed total's coverage, a window without sales, a flat history's scale) is blank with the
reason, per window and per series, and a pooled series figure states over how many series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.cli import main
from workbench.data.sample import load_sample
from workbench.forecast.backtest import compare_models, event_windows


def _three_series() -> pd.DataFrame:
    """Two sample SKUs, one of which stops selling before 618 2025, and a flat one."""
    s = load_sample("sku")
    s = s[s["sku"].isin(["BEA-E-01", "BEA-E-02"]) & (s["ds"] >= "2024-01-01")][["ds", "sku", "units"]]
    s.loc[(s["sku"] == "BEA-E-02") & (s["ds"] >= "2025-03-01"), "units"] = 0
    flat = s[s["sku"] == "BEA-E-01"].assign(sku="FLAT", units=5)
    return pd.concat([s, flat], ignore_index=True).rename(columns={"units": "y"})


def test_blank_figures_say_why_per_window_and_per_series():
    frame = _three_series()
    table = compare_models(frame, models=["seasonal_naive"], windows=event_windows("618", [2025]), lead=60,
                           keys=["sku"])
    row = table.iloc[0]
    assert np.isnan(row["coverage"]) and np.isnan(row["scaled_pinball"])
    assert "coverage, scaled_pinball: the sum of the series' quantiles is no quantile of the total" in row["not_scored"]
    assert ("median_series_wape, mean_series_bias, series_bias_sd over 2 of 3 series: 1 sold nothing in the window "
            "(sku=BEA-E-02)") in row["not_scored"]
    series = table.attrs["series"].set_index("sku")
    assert series.loc["BEA-E-02", "not_scored"] == "bias and wape: nothing sold in the window"
    assert series.loc["BEA-E-01", "not_scored"] == ""


def test_a_flat_history_has_no_scale_and_says_so():
    frame = _three_series()
    flat = frame[frame["sku"] == "FLAT"].drop(columns="sku")
    row = compare_models(flat, models=["seasonal_naive"], windows=event_windows("618", [2025]), lead=60).iloc[0]
    assert np.isnan(row["mase"]) and np.isfinite(row["coverage"])
    assert row["not_scored"].startswith("mase, scaled_pinball: the history's in-sample seasonal-naive MAE is 0")


def test_the_backtest_command_prints_no_nan(tmp_path, capsys):
    path = tmp_path / "bt.csv"
    _three_series().rename(columns={"y": "units"}).to_csv(path, index=False)
    out = tmp_path / "table.csv"
    assert main(["backtest", "--data", str(path), "--date-col", "ds", "--target", "units", "--keys", "sku",
                 "--freq", "D", "--event", "618", "--years", "2025", "--lead", "60", "--models", "seasonal_naive",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "NaN" not in printed and "nan" not in printed.lower().replace("seasonal_naive", "")
    assert "blank or partly scored, seasonal_naive on 618 2025: coverage, scaled_pinball:" in printed
    assert "not_scored" in pd.read_csv(out).columns
