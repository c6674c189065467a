"""An event the history never saw borrows the uplift of the seen events of its kind
(``workbench.forecast.models.unseen``), and its band widens by their spread."""

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import RetailCalendar, default_calendar
from workbench.errors import ConfigError
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets
from workbench.forecast.models.unseen import TAU, UNSEEN, borrow_unseen, role_offsets

WINDOW = (pd.Timestamp("2026-05-20"), pd.Timestamp("2026-06-18"))
CUT = pd.Timestamp("2026-04-20")


def _sale(offsets: np.ndarray, size: float) -> np.ndarray:
    """A platform sale's log uplift by offset from its anchor: a pre-sale plateau, a first wave
    (18 and 10 days before the anchor) and the anchor's peak, ``size`` times a base shape."""
    out = np.zeros(len(offsets))
    inside = ~np.isnan(offsets)
    o = offsets[inside]
    base = np.where((o >= -29) & (o <= 0), 0.3, 0.0) + np.where(np.isin(o, [-18, -10]), 0.6, 0.0) \
        + np.where(o == 0, 1.2, 0.0) + np.where(o == -1, 0.6, 0.0)
    out[inside] = size * base
    return out


def young_shop(opened: str, seed: int = 7, n: int = 16) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded shop opened on ``opened``: ``n`` SKUs in two categories, levels 5-60 a day,
    weekday pattern, gamma-Poisson noise, and three platform sales of one shape: 双11 (size 1.1),
    the New Year sale (0.8, on its own window) and 618 (1.0); ``(history to CUT, truth of the
    618 2026 window)`` as standard frames ``[category, sku, ds, y]``."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(opened, "2026-06-30")
    off = event_offsets(ds, default_calendar())
    lunar = off["lunar_new_year"]
    lift = _sale(off["double11"], 1.1) + _sale(off["618"], 1.0)
    lift += np.where((lunar >= -35) & (lunar <= -8), 0.8 * 0.3, 0.0)  # the New Year sale's plateau
    lift += np.where((lunar >= -6) & (lunar <= 5), np.log(0.4), 0.0)  # the couriers' pause
    weekday = np.log([0.95, 0.95, 1.0, 1.0, 1.05, 1.05, 1.0])[ds.dayofweek]
    rows = []
    for i in range(n):
        level = rng.uniform(5, 60)
        mu = level * np.exp(weekday + lift)
        y = rng.poisson(rng.gamma(8.0, mu / 8.0))
        rows.append(pd.DataFrame({"category": f"c{i % 2}", "sku": f"S{i:02d}", "ds": ds, "y": y.astype(float)}))
    frame = pd.concat(rows, ignore_index=True)
    truth = frame[(frame.ds >= WINDOW[0]) & (frame.ds <= WINDOW[1])]
    return frame[frame.ds <= CUT].reset_index(drop=True), truth


def _window_totals(history: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    fc = forecast(history, keys=["category", "sku"], horizon=(WINDOW[1] - CUT).days, model="auto", window=WINDOW)
    bands = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku")
    bands["y"] = truth.groupby("sku")["y"].sum()
    bands.attrs["notes"] = fc.attrs["notes"]
    return bands


@pytest.mark.filterwarnings("ignore")
def test_a_young_shop_that_saw_double11_but_not_618_borrows_its_sales_uplift():
    """The shop opened 2025-08-15 and saw 双11 and the New Year sale, not 618. Before, 618 was
    a normal fortnight: the window total about -35% of the truth and most SKUs' totals above
    their P90. Now the total is within 15% of the truth and about 80% of the SKUs' window
    totals fall inside their P10-P90 (at least 11 of 16), and a note names what was borrowed."""
    history, truth = young_shop("2025-08-15")
    bands = _window_totals(history, truth)
    error = bands.yhat.sum() / bands.y.sum() - 1
    inside = ((bands.y >= bands.yhat_q10) & (bands.y <= bands.yhat_q90)).sum()
    assert abs(error) < 0.15, error
    assert inside >= 11, (inside, bands[["yhat_q10", "yhat", "yhat_q90", "y"]])
    notes = [n for n in bands.attrs["notes"] if "no history of event '618'" in n]
    assert notes and "borrow the uplift of the sales seen" in notes[0] and "双11" in notes[0]


@pytest.mark.filterwarnings("ignore")
def test_nothing_of_its_kind_seen_keeps_no_uplift_and_widens_the_band():
    """A shop opened after the New Year sale (2026-02-18) has seen no sale: 618 stays at the
    baseline (no uplift invented), its days' band widens by the measured ``UNSEEN["sale"]``, and
    the note says so."""
    history, truth = young_shop("2026-02-18", n=4)
    fc = forecast(history, keys=["category", "sku"], horizon=(WINDOW[1] - CUT).days, model="auto")
    notes = [n for n in fc.attrs["notes"] if "no history of event '618'" in n]
    assert notes and "nor of any other sale" in notes[0] and "no uplift" in notes[0]
    one = fc[fc.sku == "S00"].set_index("ds")
    width = np.log(one.yhat_q90 / one.yhat_q10)
    before = width["2026-05-01":"2026-05-10"].mean()
    inside = width["2026-05-21":"2026-06-10"].mean()
    assert inside > before + 0.5 * 2 * 1.2816 * UNSEEN["sale"] ** 2 / before  # wider, in quadrature
    assert abs(one.yhat["2026-05-21":"2026-06-10"].mean() / one.yhat["2026-04-21":"2026-05-14"].mean() - 1) < 0.25


def _profile(size: float, event: str, year: int, offsets_of: str) -> dict:
    calendar = default_calendar()
    roles = role_offsets(calendar, event, 8, 10, year) if offsets_of == "double11" else \
        role_offsets(calendar, event, 7, 0, year)
    return {int(o): size for r in roles.values() for o in r}


def test_borrowed_uplift_is_the_kinds_mean_shrunk_by_its_spread():
    """Two seen sales with window multipliers x2 and x1.5: the borrowed uplift is ``w`` times
    their mean log multiplier, ``w = M^2 / (M^2 + se^2)`` with ``tau^2 = (TAU^2 + s^2) / 2`` and
    ``se^2 = tau^2 / 2`` (on the days after the window, of the sales that have such days), and
    its spread ``sqrt(tau^2 + se^2 + ((1 - w) M)^2)``, on 618's days only; a holiday never seen borrows nothing from the sales (another kind)."""
    a, b = np.log(2.0), np.log(1.5)
    profiles = {"double11": _profile(a, "double11", 2025, "double11"),
                "lunar_new_year": _profile(b, "new_year_sale", 2026, "lunar_new_year")}
    future = pd.date_range("2026-04-21", "2026-06-30")
    offsets = event_offsets(future, default_calendar())
    got = borrow_unseen(profiles, offsets, future, CUT, default_calendar(), "m")
    mean, s2 = (a + b) / 2, np.var([a, b], ddof=1)
    tau2 = (TAU["sale"] ** 2 + s2) / 2
    w = mean ** 2 / (mean ** 2 + tau2 / 2)
    in_618 = ~np.isnan(offsets["618"])
    after = np.isin(offsets["618"], role_offsets(default_calendar(), "618", 5, 10, 2026)["after"])
    assert np.allclose(got.uplift[in_618 & ~after], w * mean)
    assert np.allclose(got.uplift[after], w * a)  # the New Year sale has no days after its window: 双11's alone
    assert np.allclose(got.spread[in_618], np.sqrt(tau2 + tau2 / 2 + ((1 - w) * mean) ** 2))
    labour = ~np.isnan(offsets["labor_day"])
    assert (got.uplift[labour] == 0).all() and np.allclose(got.spread[labour], UNSEEN["holiday"])
    assert not got.days[~(in_618 | labour)].any()
    assert any("nor of any other holiday" in n for n in got.notes)


def test_sales_that_lifted_a_series_unlike_one_another_lend_no_uplift():
    """A red 年货 set's festival x34 against its 双11 x1.9 (trial 13 F19): Cochran's Q, 12.4 / 0.17^2
    on one degree of freedom, says each lift is its own event's, so 618, never seen, stays at the
    baseline with the band of a sale never seen (``UNSEEN``), and the note says why; two lifts of
    an everyday line, x2.6 and x1.7 (Q 3.1, p 0.08), still lend their shrunk mean."""
    future = pd.date_range("2026-04-21", "2026-06-30")
    offsets = event_offsets(future, default_calendar())
    in_618 = ~np.isnan(offsets["618"])
    for d11, nys, lends in ((1.9, 34.0, False), (2.6, 1.7, True)):
        profiles = {"double11": _profile(np.log(d11), "double11", 2025, "double11"),
                    "lunar_new_year": _profile(np.log(nys), "new_year_sale", 2026, "lunar_new_year")}
        got = borrow_unseen(profiles, offsets, future, CUT, default_calendar(), "m")
        note = next(n for n in got.notes if "'618'" in n)
        if lends:
            assert (got.uplift[in_618] > 0.4).all() and "borrow the uplift" in note
        else:
            assert (got.uplift == 0).all() and np.allclose(got.spread[in_618], UNSEEN["sale"])
            assert "unlike one another" in note and "Cochran's Q" in note and "x34.00" in note


def test_an_events_kind_is_checked():
    """``kind`` in a planner's events file is one of sale, holiday, pause, named at its line."""
    assert default_calendar().kind("618") == "sale" and default_calendar().kind("spring_festival") == "pause"
    with pytest.raises(ConfigError, match="kind"):
        RetailCalendar({"events": {"618": {"kind": "promo"}}})


def test_recent_level_borrows_for_an_event_its_pooled_profile_never_saw():
    """A slow mover forecast by ``recent_level`` with a pooled prior that saw 双11 and the New
    Year sale but not 618: its 618 days carry the borrowed uplift (the same as the prior's
    series would get), its band and ``event_spread`` widen on them only, and a note says so."""
    from workbench.forecast.models.event_profile import PooledPrior
    from workbench.forecast.models.recent_level import RecentLevel

    a, b = np.log(2.0), np.log(1.5)
    prior = PooledPrior(uplift={"double11": _profile(a, "double11", 2025, "double11"),
                                "lunar_new_year": _profile(b, "new_year_sale", 2026, "lunar_new_year")})
    ds = pd.date_range("2026-01-01", CUT)
    y = np.random.default_rng(3).poisson(3.0, len(ds)).astype(float)
    pred = RecentLevel(prior=prior).fit(y, ds).predict(70)
    offsets = event_offsets(pred.ds, default_calendar())
    in_618 = ~np.isnan(offsets["618"])
    quiet = np.logical_and.reduce([np.isnan(v) for v in offsets.values()])
    lift = pred.mean / pred.baseline
    assert (lift[in_618] > 1.2).all() and np.allclose(lift[quiet], 1.0)
    assert pred.event_spread is not None and (pred.event_spread[in_618] > 0).all()
    assert (pred.event_spread[quiet] == 0).all()
    assert any("no history of event '618'" in n and "borrow" in n for n in pred.notes)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("kind", ["sale", None])
def test_a_planners_own_event_borrows_by_its_kind_or_says_it_has_none(kind):
    """A shop's own anniversary sale (09-01..09-09, never seen) with ``kind: sale`` borrows from
    the 双11 it saw; without a kind it stays at the baseline, unwidened, and the note says why,
    also from ``recent_level`` (a slow mover with the pooled prior), whose note is not lost."""
    from workbench.forecast.models.event_profile import PooledPrior
    from workbench.forecast.models.recent_level import RecentLevel

    spec = {"label": "店庆 / anniversary", "anchor": "09-09", "start": -8, "end": 0, "peaks": [0]}
    calendar = RetailCalendar({"events": {"anniversary": {**spec, **({"kind": kind} if kind else {})}}})
    profiles = {"double11": {int(o): np.log(2.0) for o in range(-30, 11)}}
    future = pd.date_range("2026-08-20", "2026-09-20")
    offsets = event_offsets(future, calendar)
    got = borrow_unseen(profiles, offsets, future, CUT, calendar, "m")
    days = ~np.isnan(offsets["anniversary"])
    note = next(n for n in got.notes if "'anniversary'" in n)
    if kind:
        assert (got.uplift[days] > 0.3).all() and (got.spread[days] > 0).all() and "双11" in note
    else:
        assert (got.uplift == 0).all() and (got.spread == 0).all() and "no kind" in note
    history = pd.date_range("2026-03-01", "2026-08-19")
    y = np.random.default_rng(5).poisson(3.0, len(history)).astype(float)
    pred = RecentLevel(prior=PooledPrior(uplift=profiles)).fit(y, history, calendar=calendar).predict(len(future))
    assert any("'anniversary'" in n and ("双11" in n if kind else "no kind" in n) for n in pred.notes), pred.notes
    assert (pred.event_spread is not None) == bool(kind)


@pytest.mark.filterwarnings("ignore")
def test_a_never_seen_events_band_is_widened_once_when_the_refits_missed_events():
    """A shop opened 2025-07-10: its refits (from 2026-01-26 and 2026-03-09) had not seen the
    New Year sale and the Spring Festival they forecast, so their errors on those days are
    whole missed uplifts (at least ``MIN_BAND_ERRORS``). 618 2026, never seen, borrows the
    sales' uplift and widens its band by the borrowed spread, once: its band is not replaced by
    the missed uplifts' errors on top (before: P10-P90 about 2.3 log wide, 95% of the window's
    days inside; now about 1.1 wide, 74%)."""
    from workbench.forecast.conformal import MIN_BAND_ERRORS
    from workbench.forecast.models import make_model

    history, truth = young_shop("2025-07-10", n=4)
    horizon = (WINDOW[1] - CUT).days
    inside, width = [], []
    for sku, s in history.groupby("sku"):
        model = make_model("event_profile").fit(s["y"].to_numpy(float), pd.DatetimeIndex(s["ds"]))
        assert sum(int(missed.sum()) for *_, missed in model.refit_errors_) >= MIN_BAND_ERRORS
        pred = model.predict(horizon)
        assert any("no history of event '618'" in n and "borrow" in n for n in pred.notes)
        y = truth[truth.sku == sku].set_index("ds")["y"]
        q10, q90 = (pd.Series(pred.quantiles[q], pred.ds)[y.index] for q in (0.1, 0.9))
        inside.append(((y >= q10) & (y <= q90)).to_numpy())
        width.append(np.log(q90 / q10).to_numpy())
    coverage, width = np.concatenate(inside).mean(), np.concatenate(width).mean()
    assert 0.6 <= coverage <= 0.9, coverage
    assert width < 1.6, width
