"""An own event lift read from one window of a few units is shrunk toward the pool by its count
noise (user trial 17 F2: a chili-oil SKU that sold 5 in its one 年货节 where 27 were expected
got x0.20 whole, its next 年货节 forecast at a third of the truth), while a lift read on many
units keeps nearly all of itself."""

import warnings

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.core import forecast
from workbench.forecast.models.own_lift import PRIOR_SD, own_lifts

OPENED, CUT = "2025-08-01", "2026-11-21"  # the young snack & tea shop's first day; 42 days before 年货节 2027


def _window(calendar, ds, event="new_year_sale"):
    return ~np.isnan(calendar.event_offsets(ds, event))


def test_one_low_window_of_few_units_is_shrunk_toward_the_pool_by_its_noise():
    """The chili oil, half a unit a day (Poisson, seed 0), in a shop whose pool lifts its 年货节
    window x2: its one window sold 5 units where 33 were expected. Read whole it was x0.16; now
    ``w log ratio`` with ``w = PRIOR_SD^2 / (PRIOR_SD^2 + v)``, v its count noise (about 0.2): x0.27,
    and its noise as read stays whole for the band."""
    calendar = default_calendar()
    ds = pd.date_range(OPENED, CUT)
    window = _window(calendar, ds)
    y = np.random.default_rng(0).poisson(0.5, len(ds)).astype(float)
    y[window] = 0.0
    y[np.flatnonzero(window)[[2, 9, 15, 21, 26]]] = 1.0  # 5 units in its one 年货节
    lifts = own_lifts(y, ds, calendar, pooled=np.where(window, np.log(2.0), 0.0))
    key = ("new_year_sale", "window")
    assert lifts.spans[key] == 1 and lifts.sold[key] == 5 and 20 < lifts.expected[key] < 36, lifts
    noise = lifts.spread[key] ** 2
    assert np.isclose(lifts.read[key], np.log(5.5 / (lifts.expected[key] + 0.5)))
    assert np.isclose(lifts.lift[key], PRIOR_SD ** 2 / (PRIOR_SD ** 2 + noise) * lifts.read[key])
    assert np.exp(lifts.read[key]) < 0.2 and 0.25 < np.exp(lifts.lift[key]) < 0.4, lifts
    assert "x0.27 (read x0.16: 5 units where 33 were expected, 1 time; shrunk" in lifts.describe(calendar)


def test_a_lift_read_on_many_units_keeps_nearly_all_of_itself():
    """A flat SKU at 3 a day in a shop whose pool lifts its 年货节 window x2, two windows seen:
    read at about x0.5 on some 170 units, it keeps 98% of its log (the flat SKUs of a lifted shop
    are not put back on the shop's lift)."""
    calendar = default_calendar()
    ds = pd.date_range("2024-06-01", CUT)
    window = _window(calendar, ds)
    y = np.random.default_rng(1).poisson(3.0, len(ds)).astype(float)
    lifts = own_lifts(y, ds, calendar, pooled=np.where(window, np.log(2.0), 0.0))
    key = ("new_year_sale", "window")
    assert lifts.spans[key] == 2 and lifts.sold[key] > 150
    assert 0.4 < np.exp(lifts.read[key]) < 0.6 and lifts.lift[key] / lifts.read[key] > 0.97, lifts


def snack_and_tea_shop(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Twelve SKUs of a young snack & tea shop (opened 2025-08-01; 0.4-1.5 units a day, Poisson
    around a log-normal day noise of sd 0.2), each lifted x3 in its 年货节 window as the shop is,
    the couriers' Spring Festival pause x0.3; SKU ``chili``, one of them at 0.3 a day, drew its
    one 年货节 (2026) far under, x0.2 of its truth (a live stream that skipped it: some 5 units
    where 25 were due). The frame ``[sku, ds, y]`` to the end of 年货节 2027 and each SKU's true
    年货节 2027 window total."""
    calendar = default_calendar()
    rng = np.random.default_rng(seed)
    ds = pd.date_range(OPENED, "2027-01-29")
    window = _window(calendar, ds)
    lift = np.where(window, 3.0, 1.0) * np.where(_window(calendar, ds, "spring_festival"), 0.3, 1.0)
    frames, truth = [], {}
    for i in range(12):
        sku = "chili" if i == 0 else f"s{i:02d}"
        mean = (0.3 if i == 0 else rng.uniform(0.4, 1.5)) * lift
        drawn = mean * np.where(window & (ds.year == 2026), 0.2 if i == 0 else 1.0, 1.0)
        y = rng.poisson(drawn * rng.lognormal(-0.02, 0.2, len(ds))).astype(float)
        frames.append(pd.DataFrame({"sku": sku, "ds": ds, "y": y}))
        truth[sku] = mean[window & (ds.year == 2027)].sum()
    return pd.concat(frames, ignore_index=True), pd.Series(truth)


def test_the_chili_oils_one_low_window_does_not_cancel_its_next_new_year_sale():
    """The young shop's 年货节 2027 from the cut-off 2026-11-21 (one 年货节 seen), seeds 0-3: the
    chili oil's window total was x0.17 / 0.31 / 0.40 / 0.15 of the truth with its one low window
    taken whole; shrunk by its count noise toward the shop's lift, x0.29 / 0.41 / 0.59 / 0.29 (its
    5-7 units in the window are evidence too: not back to the shop's x3); the other SKUs' total
    stays within 15% of theirs (1.04-1.11 either way)."""
    calendar = default_calendar()
    start, end = calendar.window("new_year_sale", 2027).start, calendar.window("new_year_sale", 2027).end
    for seed in range(4):
        frame, truth = snack_and_tea_shop(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(frame[frame.ds <= CUT], horizon=int((end - pd.Timestamp(CUT)).days), keys=["sku"], n_jobs=1)
        total = fc[(fc.ds >= start) & (fc.ds <= end)].groupby("sku").yhat.sum()
        ratio = total / truth
        others = truth.index != "chili"
        assert ratio["chili"] > 0.25, (seed, ratio.round(2).to_dict())
        assert abs(total[others].sum() / truth[others].sum() - 1) < 0.15, (seed, ratio.round(2).to_dict())
