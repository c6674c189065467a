"""A series with one year of history reads its yearly season from that year, as its share of the
pooled series on the same days a year before (event_profile's ``_one_year_season``): trial 9's
sunscreen (four times more in summer, one summer seen) had its August level carried into the
autumn by the pooled path of a flat shop, its 双11 2026 window +197%."""

import numpy as np
import pandas as pd
import pytest

from test_event_profile_opening import shop_mean
from workbench.forecast.core import forecast

FLAT, SEASONAL = 12, 3
OPENED, CUT = "2025-08-15", pd.Timestamp("2026-08-25")
AUTUMN = (pd.Timestamp("2026-09-08"), pd.Timestamp("2026-10-18"))  # after the summer, before the Double 11 span


def summer(days: pd.DatetimeIndex) -> np.ndarray:
    """Log season of a summer product: x1 in mid-January to x4 in mid-July (trial 9's sunscreen)."""
    return np.log(1 + 3 * ((1 + np.cos(2 * np.pi * (days.dayofyear - 196) / 365.25)) / 2) ** 1.5)


def beauty_shop(seed: int, seasonal: int = SEASONAL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A shop opened at 40% of its level, settled over 45 days, no growth: ``FLAT`` flat SKUs and
    ``seasonal`` summer ones (levels 15-90 a day, Poisson counts around a log-normal day noise of
    sd 0.2); the history to ``CUT`` and the truth's mean to 2026-11-11."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(OPENED, "2026-11-11")
    shop = shop_mean(days, 0.4, 45, 0.0)
    frames, truths = [], []
    for i in range(FLAT + seasonal):
        sku = f"F{i}" if i < FLAT else f"S{i}"
        mean = np.exp(np.log(rng.uniform(15, 90)) + shop + (summer(days) if i >= FLAT else 0.0))
        y = rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days)))
        frames.append(pd.DataFrame({"sku": sku, "ds": days, "y": y.astype(float)}))
        truths.append(pd.DataFrame({"sku": sku, "ds": days, "mean": mean}))
    panel, truth = pd.concat(frames, ignore_index=True), pd.concat(truths, ignore_index=True)
    return panel[panel.ds <= CUT], truth


def notes_of(fc: pd.DataFrame, sku: str, text: str) -> list[str]:
    """The forecast's notes on ``sku`` that hold ``text``."""
    return [str(n) for n in fc.attrs["notes"] if f"sku={sku}:" in str(n) and text in str(n)]


D11 = pd.Timestamp("2026-11-11")


@pytest.mark.parametrize("seed", [1, 2])
def test_one_summer_seen_to_its_end_gives_an_autumn_forecast_not_the_summer_level(seed):
    """From the summer's end (2026-08-25, the shop a year and ten days old), asked through Double 11
    as a planner asks, the autumn weeks before the Double 11 span (09-08..10-18, truth about 0.55
    of the cut-off's level): the summer SKUs' total was +52 to +59% on seeds 1-4 (their summer
    read as level shifts, the panel's path carrying their August level on), then +28 to +31% at
    this horizon only (through Double 11 the season switched itself off, review 8.2 #4: +53%), now
    +26% on seeds 1 and 2 at every horizon, each summer SKU noted "season read from one year";
    the flat SKUs stay within 8% (-0.4% and +6%). What is left is the panel's own path: the shop's
    opening ramp rose while the summer fell, so the panel's ramp is read short and its path
    carries the ramp over those weeks."""
    history, truth = beauty_shop(seed)
    fc = forecast(history, horizon=int((D11 - CUT).days), keys=["sku"], n_jobs=1)
    inside = fc[(fc.ds >= AUTUMN[0]) & (fc.ds <= AUTUMN[1])]
    real = truth[(truth.ds >= AUTUMN[0]) & (truth.ds <= AUTUMN[1])]
    seasonal = inside.sku.str.startswith("S")
    ratio = inside.loc[seasonal, "yhat"].sum() / real.loc[real.sku.str.startswith("S"), "mean"].sum()
    flat = inside.loc[~seasonal, "yhat"].sum() / real.loc[real.sku.str.startswith("F"), "mean"].sum()
    assert 0.9 < ratio < 1.30, ratio
    assert abs(flat - 1) < 0.08, flat
    for s in (f"S{i}" for i in range(FLAT, FLAT + SEASONAL)):
        assert notes_of(fc, s, "season read from one year"), (s, fc.attrs["notes"])


def test_the_one_year_season_does_not_depend_on_the_horizon():
    """A forecast must not depend on how far ahead it is asked (review 8.2 #3): the one-year
    season was measured over the horizon's days only, so flat SKU F3's first 20 days were 1,903
    asked for 20 days and 1,483 asked for 120 (truth 1,600), and a 20-day run gave three flat
    SKUs a "season" by chance. Now read once over the year before the cut-off: the first 20 days
    are the same asked for 20 days or through Double 11."""
    history, _ = beauty_shop(1)
    short = forecast(history, horizon=20, keys=["sku"], n_jobs=1)
    long = forecast(history, horizon=int((D11 - CUT).days), keys=["sku"], n_jobs=1)
    both = short.merge(long, on=["sku", "ds"], suffixes=("_short", "_long"))
    assert len(both) == len(short) == 20 * (FLAT + SEASONAL)
    np.testing.assert_allclose(both.yhat_short, both.yhat_long, rtol=1e-9)


def price_cut_shop(seed: int) -> pd.DataFrame:
    """A flat shop opened like ``beauty_shop``'s, 8 SKUs at 10-60 a day (log-normal day noise of sd
    0.3 under the Poisson counts), no season; half of them doubled on 2026-04-01 (a price cut):
    their regime is under a year old, so they follow the pooled path with what their one year of
    history shows of a season (none). The history to ``CUT``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(OPENED, CUT)
    shop = shop_mean(days, 0.4, 45, 0.0)
    frames = []
    for i in range(8):
        cut = np.where(days >= pd.Timestamp("2026-04-01"), np.log(2.0), 0.0) if i < 4 else 0.0
        mean = np.exp(np.log(rng.uniform(10, 60)) + shop + cut)
        y = rng.poisson(mean * rng.lognormal(-0.045, 0.3, len(days)))
        frames.append(pd.DataFrame({"sku": f"P{i}", "ds": days, "y": y.astype(float)}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("seed", [1, 3])
def test_a_flat_noisy_sku_with_one_year_reads_no_season_and_says_why(seed):
    """Flat SKUs whose price cut made their regime young read no season from their one year
    (review 8.2 #3): 20 days ahead, one or two of the four read a "season" of up to +77% on seeds
    1-4 (its share's change over the 20 days a year before, a chance draw against a noise bound;
    seed 3's P1 +13% over its next 20 days, and a span ending on the price cut carried the doubled
    level back into the old). Now a season must stand out of the noise over the whole year read (a
    chi-squared test at ``SEASON_ALPHA``, on quiet days clear of the shift): none reads one, and
    each says why."""
    fc = forecast(price_cut_shop(seed), horizon=20, keys=["sku"], n_jobs=1)
    for s in (f"P{i}" for i in range(4)):
        assert not notes_of(fc, s, "season read from one year"), (s, fc.attrs["notes"])
        assert notes_of(fc, s, "no season read from its one year of history"), (s, fc.attrs["notes"])
