"""A short history that holds one season's peak (trial 13 F19): a young home-textiles shop's
winter duvets rose from 8 a day in September to about 300 at Christmas and fell back to about
10 by the end of March. Backtested from a cut-off at the end of March, their young path's
current level (``EventProfile._recent_level``) read its 28 quiet days across the New Year sale's
and the Spring Festival's spans back into the December peak, and 618 was forecast at that
peak's level months later."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast

OPENED, CUT = pd.Timestamp("2025-07-01"), pd.Timestamp("2026-03-25")
WINDOW = (pd.Timestamp("2026-05-20"), pd.Timestamp("2026-06-18"))
SPRING_FESTIVAL = pd.Timestamp("2026-02-17")


def textiles(seed: int) -> pd.DataFrame:
    """Four all-year lines (30-80 a day) and two winter duvets (8 a day plus a winter bump of
    about 300 a day centred on 2025-12-25, sd 28 days: 10 a day again by the cut-off), weekends
    x1.15, 双11 (10-20..11-11), the New Year sale (35 to 8 days before the Spring Festival) and 618
    (05-20..06-18) x1.5 for every line, the couriers' pause x0.3 (5 days either side of the festival); gamma-Poisson day noise (sd about
    0.15); 2025-07-01 to the end of 618 2026 as a standard frame ``[category, sku, ds, y]``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(OPENED, WINDOW[1])
    t = (days - pd.Timestamp("2025-12-25")).days.to_numpy()
    sale = np.where(((days >= "2025-10-20") & (days <= "2025-11-11"))
                    | ((days >= SPRING_FESTIVAL - pd.Timedelta(days=35))
                       & (days <= SPRING_FESTIVAL - pd.Timedelta(days=8))), 1.5, 1.0)
    sale *= np.where(np.abs((days - SPRING_FESTIVAL).days.to_numpy()) <= 5, 0.3, 1.0)
    sale *= np.where((days >= WINDOW[0]) & (days <= WINDOW[1]), 1.5, 1.0)
    weekend = np.where(days.day_of_week >= 5, 1.15, 1.0)
    rows = []
    for i in range(6):
        winter = i >= 4
        mean = (8 + 300 * np.exp(-((t / 40.0) ** 2)) if winter else rng.uniform(30, 80)) * sale * weekend
        y = rng.poisson(rng.gamma(40.0, mean / 40.0))
        rows.append(pd.DataFrame({"category": "duvet" if winter else "sheet", "sku": f"{'DB' if winter else 'SJ'}{i}",
                                  "ds": days, "y": y.astype(float)}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("seed", [1, 2])
def test_a_winter_line_past_its_peak_is_not_held_at_it_into_618(seed):
    """The duvets' 618 2026 window total from the cut-off of 2026-03-25 (lead 56) within x2 of
    the truth (now x1.4-1.7; at b41f056 x17-x20, their level read at their peak weeks'), and the
    all-year lines', whose level is one, within 40% as before (x0.82-1.33, the 618 lift borrowed
    from the two sales seen)."""
    frame = textiles(seed)
    history = frame[frame.ds <= CUT]
    fc = forecast(history, keys=["category", "sku"], horizon=(WINDOW[1] - CUT).days, model="auto", n_jobs=1)
    inside = fc[(fc.ds >= WINDOW[0]) & (fc.ds <= WINDOW[1])].groupby("sku").yhat.sum()
    truth = frame[(frame.ds >= WINDOW[0]) & (frame.ds <= WINDOW[1])].groupby("sku").y.sum()
    ratio = inside / truth
    for sku in ("DB4", "DB5"):
        assert 0.5 <= ratio[sku] <= 2.0, ratio.round(2).to_dict()
    for sku in ("SJ0", "SJ1", "SJ2", "SJ3"):
        assert abs(ratio[sku] - 1) <= 0.4, ratio.round(2).to_dict()
