"""A seasonal line past its own launch ramp is forecast along its season, not down the launch
curve: a summer line (fans, swimwear, sun cream) launched a year or more before a March-April
cut-off was forecast for 618 at 0.36-0.47 of its sales, a winter line cut in July-September for
Double 11 at 0.35-0.47 (``benchmarks/seasonal_lines.py``, 3 seeds per history length on main):
its first season's fall was read as its launch ramp's decline, and its year before, said to hold
its ramp, gave it no season. ``launch.own_ramp_end`` says where its own ramp ended."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast
from workbench.forecast.models.launch import own_ramp_end

_spec = importlib.util.spec_from_file_location("seasonal_lines",
                                               Path(__file__).parents[2] / "benchmarks" / "seasonal_lines.py")
seasonal_lines = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seasonal_lines)

YEAR_BINS = 13  # 28-day bins in a 364-day year


def levels(bins: int, peak_bin: float, ramp_days: float = 30.0, growth: float = 0.0) -> np.ndarray:
    """Log level by 28-day age bin of a launch: its ramp (20% of its level at launch, time constant
    ``ramp_days``; 0 days: none), a yearly season of x12 from low to peak (peak in bin
    ``peak_bin``) and ``growth`` (log) a year."""
    age = 28 * np.arange(bins) + 14.0
    ramp = np.log(1 - 0.8 * np.exp(-age / ramp_days)) if ramp_days else np.zeros(bins)
    season = np.log(12) / 2 * np.cos(2 * np.pi * (age - 28 * peak_bin - 14) / 364)
    return ramp + season + growth * age / 364


@pytest.mark.parametrize("peak_bin", [0, 4, 7, 10])
def test_the_ramp_ends_where_a_year_on_gains_no_more_than_the_settled_growth_whatever_the_season(peak_bin):
    """A 30-day ramp is within log 1.2 of its level from its third bin on (ages 56-84 days, x0.92):
    read by age its x12 season (peaking anywhere in the year) rose and fell far more, and a first
    sustained peak would have been the season's; a year on, the season cancels."""
    assert own_ramp_end(levels(20, peak_bin), YEAR_BINS) == 2
    assert own_ramp_end(levels(20, peak_bin, growth=0.3), YEAR_BINS) == 2  # a steady growth is no ramp
    assert own_ramp_end(levels(20, peak_bin, ramp_days=0), YEAR_BINS) == 0  # a season without a ramp


def test_no_ramp_end_without_three_bins_a_year_on_or_while_still_ramping():
    """Under a year and three bins of history a ramp cannot be told from a season (None, not a
    guess); nor can its end while the later bins seen a year on still gain less and less (a 150-day
    ramp: x2.4, x1.9 after a year)."""
    assert own_ramp_end(levels(15, 4), YEAR_BINS) is None
    assert own_ramp_end(levels(16, 4, ramp_days=150), YEAR_BINS) is None
    unsold = levels(20, 4)
    unsold[[0, 13]] = np.nan  # bins without sales are not read
    assert own_ramp_end(unsold, YEAR_BINS) == 2


def window_ratio(seed: int, kind: str, months: int) -> tuple[float, bool, list[str]]:
    """Line S0's window total forecast over its sales, whether its P10-P90 holds them, and its notes."""
    history, whole, window, cut = seasonal_lines.seasonal_panel(seed, kind, months)
    fc = forecast(history, horizon=int((window[1] - cut).days), keys=["sku"], window=window, n_jobs=1)
    band = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku").loc["S0"]
    sold = whole[(whole.sku == "S0") & (whole.ds >= window[0]) & (whole.ds <= window[1])]["y"].sum()
    notes = [str(n) for n in fc.attrs["notes"] if "sku=S0:" in str(n)]
    return band["yhat"] / sold, band["yhat_q10"] <= sold <= band["yhat_q90"], notes


@pytest.mark.parametrize("kind, months", [("summer", 16), ("winter", 20)])
def test_a_seasonal_line_past_its_ramp_is_forecast_along_its_own_season(kind, months):
    """A summer line launched 16 months before a March-April cut-off, asked for 618 (main: 0.17-0.56
    of its sales), and a winter line 20 months old cut in July-September, asked for Double 11 (main:
    0.36-0.44), are within 15% with their sales inside the window band; the note says where the
    line's own ramp ended and that the launch curve is not read past it."""
    ratio, inside, notes = window_ratio(1, kind, months)
    assert 0.85 < ratio < 1.15, (ratio, notes)
    assert inside, (ratio, notes)
    assert any("its own launch ramp ended" in n and "not grown along the launch curve" in n for n in notes), notes
    assert any("season read from one year" in n for n in notes), notes
