"""The accuracy bar on real parcel volumes (../shared, evaluation only; skipped without it).

Peers measured on daily_total with the same protocol (benchmarks/forecast_accuracy.py, one run
2026-11-30): seasonal naive 23.5 / 14.3 / 13.3 % WAPE, Prophet with event windows 51.2 / 11.6 /
12.1 %, plain Prophet 19.4 / 25.9 / 23.3 %, StatsForecast MSTL (7, 365) 22.7 / 10.3 / 12.8 %. On the 20 largest origins the best outside peer's pooled WAPE per window
(Spring Festival / 618 / Double 11 2022): StatsForecast AutoETS 33.9 %, StatsForecast MSTL
(7, 365) 32.8 % and 37.2 % (the workbench's own ets, guarded, scores 28.3 / 31.7 / 31.1 %:
docs/benchmarks.md says where auto trails it).
"""

import importlib.util

import pandas as pd
import pytest

from pathlib import Path

from workbench.forecast import metrics
from workbench.forecast.backtest import backtest_windows
from workbench.calendar.years import SAME_WEEKDAY_DAYS
from workbench.forecast.models.event_profile import EventProfile

REPO = Path(__file__).resolve().parents[2]

# the best outside peer's WAPE on the total (Prophet, StatsForecast, naive): plain Prophet,
# StatsForecast MSTL (auto 10.1% since the event profiles lost their day noise; 10.7% before),
# Prophet with event windows
BEST_PEER_WAPE = {"Spring Festival 2022": 0.194, "618 2022": 0.103, "Double 11 2022": 0.121}
BEST_PEER_POOLED_ORIGINS = {"Spring Festival 2022": 0.339, "618 2022": 0.328, "Double 11 2022": 0.372}


@pytest.fixture(scope="module")
def accuracy(shared):
    spec = importlib.util.spec_from_file_location("forecast_accuracy", REPO / "benchmarks" / "forecast_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def origins_backtest(accuracy):
    return backtest_windows(accuracy.load_origins(), windows=accuracy.WINDOWS, model="auto", lead=90,
                            keys=["origin"])


def test_auto_beats_every_peer_on_every_window_of_the_total(accuracy):
    """Issue 13's bar: the default is ahead of every peer on the three event windows of the
    total (docs/benchmarks.md has the peers' figures, from one run of the same protocol)."""
    result = backtest_windows(accuracy.load_total(), windows=accuracy.WINDOWS, model="auto", lead=90)
    wape = result.totals.set_index("window").wape
    for window, bar in BEST_PEER_WAPE.items():
        assert wape[window] < bar, f"{window}: {wape[window]:.3f} >= best peer {bar}"


def test_no_origin_blows_up_and_pooled_wape_reaches_the_best_peer(origins_backtest):
    """Issue 13: one young origin forecast at 1.2 billion parcels made the pooled WAPE 2,877%."""
    fc, per = origins_backtest.forecasts, origins_backtest.per_series
    assert (per.groupby("window").size() == 20).all()  # no origin failed or went missing
    live = per[per.actual_total > 0]  # DC21 stops after the Double 11 cut-off: nobody could know
    assert (live.forecast_total <= 2.5 * live.actual_total).all(), \
        live[live.forecast_total > 2.5 * live.actual_total][["origin", "window", "forecast_total", "actual_total"]]
    for window, bar in BEST_PEER_POOLED_ORIGINS.items():
        part = fc[fc.window == window]
        assert metrics.wape(part.y, part.yhat) <= bar, window


def test_the_618_total_grows_by_its_spring_festival_not_by_december_against_march(accuracy):
    """618 2022's cut-off (2022-02-19, 415 days of history) starts and ends in a Spring Festival
    span: no quiet day has a quiet day a year before it. The growth comes from the span's days
    against the same offsets of Spring Festival 2021 (the window's own year on year: 0.146 log
    points); the baseline held flat across both spans compared December 2021 with mid-March
    2021 and read 0.075, 618 7.6% low."""
    total = accuracy.load_total()
    history = total[total.ds <= pd.Timestamp("2022-02-19")]
    model = EventProfile().fit(history.y.to_numpy(float), pd.DatetimeIndex(history.ds))
    growth = model._yearly_growth(model.components_, len(model.z_))
    assert 0.09 < growth < 0.2, growth
    start, end = (pd.Timestamp(d) for d in accuracy.WINDOWS["618 2022"])
    pred = model.predict((end - pd.Timestamp("2022-02-19")).days)
    inside = (pred.ds >= start) & (pred.ds <= end)
    actual = total[(total.ds >= start) & (total.ds <= end)].y.to_numpy()
    assert metrics.bias(actual, pred.mean[inside]) > -0.065


def test_the_double11_total_chooses_its_growth_half_life_on_refits_with_its_own_estimator(accuracy):
    """Double 11 2022's cut-off (2022-07-22) measures its growth on quiet day pairs; two of its
    refits (origins in February and March 2022, in or just after the Spring Festival span) can
    only measure theirs on event-aligned pairs, which read the spring's growth low, and their
    errors chose a persisting growth (365 days): the window came out 6.2% high. Scored on the
    refits with quiet pairs only, the half-life is shorter and the window is within 3%."""
    total = accuracy.load_total()
    cutoff = pd.Timestamp("2022-07-22")
    history = total[total.ds <= cutoff]
    model = EventProfile().fit(history.y.to_numpy(float), pd.DatetimeIndex(history.ds))
    assert model.regime_.start == 0  # the regime is the whole history: a refit's is its origin's days
    estimators = {model._growth_estimator(head, origin) for origin, head in model.refits_
                  if origin >= SAME_WEEKDAY_DAYS + 28}
    assert estimators == {"quiet pairs", "event-aligned pairs"}, estimators  # both kinds are there
    assert model.growth_halflife_ is not None and model.growth_halflife_ < 365
    start, end = (pd.Timestamp(d) for d in accuracy.WINDOWS["Double 11 2022"])
    pred = model.predict((end - cutoff).days)
    inside = (pred.ds >= start) & (pred.ds <= end)
    actual = total[(total.ds >= start) & (total.ds <= end)].y.to_numpy()
    assert abs(metrics.bias(actual, pred.mean[inside])) < 0.03
