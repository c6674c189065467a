"""The accuracy bar on real parcel volumes (../shared, evaluation only; skipped without it).

Peers measured on daily_total with the same protocol (issue 2): seasonal naive 26.8 / 14.3 /
13.3 % WAPE, Prophet with CN holidays 46.1 / 20.6 / 23.2 %, plain Prophet 20.2 / 26.5 / 23.2 %.
"""

import importlib.util

import pytest

from pathlib import Path
from workbench.forecast.backtest import backtest_windows

REPO = Path(__file__).resolve().parents[2]

BEST_PEER_WAPE = {"Spring Festival 2022": 0.202, "618 2022": 0.143, "Double 11 2022": 0.133}


@pytest.fixture(scope="module")
def accuracy(shared):
    spec = importlib.util.spec_from_file_location("forecast_accuracy", REPO / "benchmarks" / "forecast_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_auto_beats_the_best_peer_on_every_window_of_the_total(accuracy):
    result = backtest_windows(accuracy.load_total(), windows=accuracy.WINDOWS, model="auto", lead=90)
    wape = result.totals.set_index("window").wape
    for window, bar in BEST_PEER_WAPE.items():
        assert wape[window] < bar, f"{window}: {wape[window]:.3f} >= best peer {bar}"


def test_auto_beats_seasonal_naive_on_the_median_origin(accuracy):
    origins = accuracy.load_origins()
    ours = backtest_windows(origins, windows=accuracy.WINDOWS, model="auto", lead=90).per_series
    naive = backtest_windows(origins, windows=accuracy.WINDOWS, model="seasonal_naive", lead=90).per_series
    for window in accuracy.WINDOWS:
        assert (ours[ours.window == window].wape.median()
                < naive[naive.window == window].wape.median()), window
