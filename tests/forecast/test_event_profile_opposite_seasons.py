"""Opposite seasons in one category (trial 11 F1): a children's-wear shop sells winter lines (high
October-January, low but not zero in summer) beside summer lines (the opposite), so the category's
pooled path is nearly flat. A summer line's spring rise, seen once, is read as a level shift; its
one-year season must still be read from the days after that shift (event_profile's
``_one_year_season``, net of what of the shift persists), or its winter forecast stays at its
summer share of the flat pooled path."""

import numpy as np
import pandas as pd

from workbench.forecast.core import forecast

OPENED, CUT, END = pd.Timestamp("2025-04-15"), pd.Timestamp("2026-11-29"), pd.Timestamp("2027-01-31")
CHANNEL = pd.Timestamp("2026-05-01")
SPRING_FESTIVAL = {2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06"}
WINTER_PEAK, SUMMER_PEAK = 345, 170  # day of the year of each line's peak


def shop(days: pd.DatetimeIndex) -> np.ndarray:
    """Mean units per day of a line at level 1 (trial 11's generator): opening ramp from half over
    ~25 days and +30% a year, weekends x1.15, a second channel from 2026-05-01 rising to 30% of
    the units (+29%), 618 (05-20..06-18, x1.28, peak days x1.8), Double 11 (10-20..11-11, x1.35,
    peak days x2) and the New Year sale (x1.5 from 35 to 8 days before the Spring Festival, the
    couriers' pause at 0 from 5 days before to 5 after, recovering over the week after)."""
    age = (days - OPENED).days.to_numpy()
    m = 1.3 ** (age / 365.0) * (1 - 0.5 * np.exp(-age / 25.0)) * np.where(days.day_of_week >= 5, 1.15, 1.0)
    r = np.where(days >= CHANNEL, 1 - np.exp(-(days - CHANNEL).days.to_numpy() / 50.0), 0.0)
    m *= (1 - 0.1 * r) / (1 - 0.3 * r)
    for y, festival in SPRING_FESTIVAL.items():
        off = (days - pd.Timestamp(f"{y}-06-18")).days.to_numpy()
        m *= np.where((off >= -29) & (off <= 0), np.where(off < -3, 1.28, 1.8), 1.0)
        off = (days - pd.Timestamp(f"{y}-11-11")).days.to_numpy()
        m *= np.where((off >= -22) & (off <= 0), np.where(off < -1, 1.35, 2.0), 1.0)
        off = (days - pd.Timestamp(festival)).days.to_numpy()
        m *= np.select([(off >= -35) & (off <= -8), (off >= -5) & (off <= 5), (off >= -7) & (off <= -6),
                        (off >= 6) & (off <= 12)], [1.5, 0.0, 0.6, 0.5 + 0.07 * (off - 6)], 1.0)
    return m


def kids_shop(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two winter lines (W0, W1) and two summer lines (S2, S3) at levels 2-3 units a day, each x(1 +
    0.75 cos) of its season (x7 peak to trough), three live-stream days a month at x2-3 for every
    line; orders gamma-Poisson (day noise sd ~0.1) of 1 + Poisson(0.45) units each. The history
    from 2025-04-15 to ``CUT`` (19.5 months: one winter seen) and the truth's mean to ``END``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(OPENED, END)
    base = shop(days)
    for month in pd.period_range(days[0], days[-1], freq="M"):
        inside = np.flatnonzero(days.to_period("M") == month)
        base[rng.choice(inside, 3, replace=False)] *= rng.uniform(2, 3, 3)
    frames, truths = [], []
    for i, (kind, peak) in enumerate([("W", WINTER_PEAK), ("W", WINTER_PEAK), ("S", SUMMER_PEAK), ("S", SUMMER_PEAK)]):
        mean = rng.uniform(2, 3) * base * (1 + 0.75 * np.cos(2 * np.pi * (days.day_of_year - peak) / 365.25))
        orders = rng.poisson(mean / 1.45 * rng.gamma(80.0, 1 / 80.0, len(days)))
        y = orders + rng.poisson(0.45 * orders)
        frames.append(pd.DataFrame({"sku": f"{kind}{i}", "ds": days, "y": y.astype(float)}))
        truths.append(pd.DataFrame({"sku": f"{kind}{i}", "ds": days, "mean": mean}))
    panel, truth = pd.concat(frames, ignore_index=True), pd.concat(truths, ignore_index=True)
    return panel[panel.ds <= CUT], truth


def test_a_summer_line_whose_spring_rise_reads_as_a_shift_keeps_its_winter_low():
    """Seed 1: summer line S3's spring rise is read as a level shift on 2026-02-23. When the
    one-year season read only the days before that shift (36 quiet days, too few), S3 read no
    season and its January 2027 followed the flat pooled path at its summer share: 2.17x the
    truth (trial 11: summer lines +48..+188% in 年货节 2027). Now the days from the shift on are
    read net of what of the shift persists: January 2027 per line against the truth's mean, summer
    lines at most 1.4x (at 06373ee: S2 1.01, S3 1.15), winter lines within 0.75-1.3x (1.00, 1.07).
    Seeds 2 and 3 (shifts in May and July) are not held here: S3 of seed 2 stays 1.7x before and
    after: not fixed, not diagnosed)."""
    history, truth = kids_shop(1)
    fc = forecast(history, horizon=int((END - CUT).days), keys=["sku"], n_jobs=1)
    notes = [str(n) for n in fc.attrs["notes"]]
    assert any("sku=S3:" in n and "level shift on 2026-02-23" in n for n in notes), notes
    january = truth.ds >= "2027-01-01"
    ratio = fc[fc.ds >= "2027-01-01"].groupby("sku").yhat.sum() / truth[january].groupby("sku")["mean"].sum()
    for sku in ("S2", "S3"):
        assert ratio[sku] <= 1.4, ratio.to_dict()
    for sku in ("W0", "W1"):
        assert 0.75 <= ratio[sku] <= 1.3, ratio.to_dict()
