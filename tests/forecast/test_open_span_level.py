"""A young series whose history ends inside an event span seen once (the New Year sale and
Spring Festival span reaches two weeks past the pause) starts its forecast at its level of the
days after the span's windows, not at the level before the span held across it (trial 17 F4: a
young winter line read at its December peak, 19.35 a day against 9.2 over its last weeks)."""

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import peaks_and_weekdays
from workbench.calendar import default_calendar
from workbench.forecast.core import forecast
from workbench.forecast.features import event_offsets, in_event_span, window_days
from workbench.forecast.models.event_profile import open_span_tail

DAYS = pd.date_range("2025-08-01", "2026-03-15")  # a shop opened in August, cut in the span's margin
AHEAD = 14


def winter_shop(seed: int) -> pd.DataFrame:
    """Four flat lines (20-60 a day) and a winter line (``winter``: 20 a day, x3 from
    2025-12-08 to late January, falling to x1.1 by the cut-off), all opened on the first day,
    with the 618 / Double 11 peaks, a New Year sale lift of x1.6 in its window, the Spring
    Festival pause at x0.3 from 02-12 to 02-22, a weekly pattern and gamma-Poisson day noise
    (shape 20). Columns ``sku, ds, y``."""
    rng = np.random.default_rng(seed)
    uplift, weekly = peaks_and_weekdays(DAYS, 0.8)
    sale = default_calendar().window("new_year_sale", 2026)
    uplift = uplift + np.where((DAYS >= sale.start) & (DAYS <= sale.end), np.log(1.6), 0.0)
    uplift = uplift + np.where((DAYS >= "2026-02-12") & (DAYS <= "2026-02-22"), np.log(0.3), 0.0)
    t = (DAYS - pd.Timestamp("2025-12-08")).days.to_numpy()
    # x3 from 12-08 to 01-25 (day 48), then down to x1.1 by 03-15 (day 97)
    season = np.where(t < 0, 1.0, np.where(t < 48, 3.0, 3.0 * np.exp(np.log(1.1 / 3.0) * (t - 48) / 49)))
    lines = [(f"flat{i}", rng.uniform(20, 60), np.ones(len(DAYS))) for i in range(4)] + [("winter", 20.0, season)]
    frames = []
    for sku, base, shape in lines:
        mu = base * shape * np.exp(uplift + weekly)
        frames.append(pd.DataFrame({"sku": sku, "ds": DAYS, "y": rng.poisson(rng.gamma(20.0, mu / 20.0)).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def test_the_margin_days_after_a_span_seen_once_and_open_at_the_end_are_its_tail():
    """The span open at 2026-03-15 (to 03-19: the pause's window ends 03-05) holds 10 days after
    its windows: those are read as the level's; a history with an earlier occurrence of those
    offsets, or fewer than a week of them, has none."""
    calendar = default_calendar()
    days = pd.date_range("2025-08-01", "2026-03-15")
    tail = open_span_tail(event_offsets(days, calendar), window_days(days, calendar))
    assert list(days[tail]) == list(pd.date_range("2026-03-06", "2026-03-15"))
    again = pd.date_range("2024-08-01", "2026-03-15")  # Spring Festival 2025 seen at the same offsets
    assert not open_span_tail(event_offsets(again, calendar), window_days(again, calendar)).any()
    short = pd.date_range("2025-08-01", "2026-03-10")  # five margin days: no level read on them
    assert not open_span_tail(event_offsets(short, calendar), window_days(short, calendar)).any()
    quiet = pd.date_range("2025-08-01", "2026-04-10")  # the span closed: nothing to read
    offsets = event_offsets(quiet, calendar)
    assert not in_event_span(offsets)[-1]
    assert not open_span_tail(offsets, window_days(quiet, calendar)).any()


@pytest.mark.parametrize("seed", range(4))
def test_a_young_winter_line_falling_at_a_cut_off_in_the_span_starts_at_its_current_level(seed):
    """Each line's first two weeks ahead are forecast within 30% of what it sold a day over its
    last two weeks (all after the span's windows, no event in them): on main the winter line was
    forecast at its December peak held across the span, x2.3 to x2.8 of them."""
    panel = winter_shop(seed)
    fc = forecast(panel, horizon=AHEAD, keys=["sku"], n_jobs=1)
    for sku, part in panel.groupby("sku"):
        now = part[part.ds > DAYS[-1] - pd.Timedelta(days=AHEAD)].y.mean()
        got = fc[fc.sku == sku].yhat.mean()
        assert got / now == pytest.approx(1.0, abs=0.3), (sku, got, now)
