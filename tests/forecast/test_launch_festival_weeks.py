"""A weekly launch too young for the ETS (the guard's fallback, ``recent_level``, along the launch
curve) takes the panel's pooled Spring Festival and New Year sale effects (``lunar_prior``), not a
flat level through its first New Year sale (trial 12's weekly launches: -54..-56% in the 年货节
2027 window, held flat while the panel's weeks rose x1.4)."""

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import spring_festival
from workbench.forecast.core import forecast
from workbench.forecast.models.recent_level import RecentLevel

DAYS = pd.date_range("2025-02-03", "2027-02-28", freq="D")
CUT = pd.Timestamp("2026-09-13")  # a Sunday: the history ends on a whole week
WINDOW = (pd.Timestamp("2027-01-02"), pd.Timestamp("2027-01-29"))  # the 2027 New Year sale (days -35..-8)


def _festival(days: pd.DatetimeIndex) -> np.ndarray:
    """A day's multiplier: x1.8 from 35 to 8 days before Spring Festival, x0.3 from 7 before to 9 after."""
    out = np.ones(len(days))
    for year in (2025, 2026, 2027):
        offset = (days - spring_festival(year)).days
        out[(offset >= -35) & (offset <= -8)] = 1.8
        out[(offset >= -7) & (offset <= 9)] = 0.3
    return out


def _weekly(name: str, daily_mean: np.ndarray, rng) -> pd.DataFrame:
    units = rng.poisson(daily_mean)
    weeks = pd.Series(units, index=DAYS).loc[:CUT].resample("W-MON", label="left", closed="left").sum()
    return pd.DataFrame({"sku": name, "ds": weeks.index, "y": weeks.to_numpy(float)})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_weekly_launch_three_weeks_old_takes_the_pooled_new_year_sale(seed):
    """Eight established SKUs and one launched three weeks before the cut-off at its level at
    once: the launch's 2027 New Year sale weeks are forecast at least 1.4 times its level (the
    sale's x1.8 pooled, less its shrinkage), and its forecast has the pooled effects in its
    note. Before, the fallback held it flat at its level (x1.0)."""
    rng = np.random.default_rng(seed)
    festival = _festival(DAYS)
    frames = [_weekly(f"S{i}", np.full(len(DAYS), rng.uniform(40, 120)) * festival, rng) for i in range(8)]
    launched = np.where(DAYS >= CUT - pd.Timedelta(days=20), 60.0, 0.0) * festival
    frames.append(_weekly("NEW", launched, rng))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[(frame.sku != "NEW") | (frame.ds >= CUT - pd.Timedelta(days=20))]
    out = forecast(frame, horizon=22, model="auto", keys=["sku"], freq="W", n_jobs=1)
    new = out[out.sku == "NEW"].set_index("ds").yhat
    level = 60 * 7
    sale = new[(new.index >= WINDOW[0]) & (new.index + pd.Timedelta(days=6) <= WINDOW[1])]
    assert len(sale) >= 3 and (sale > 1.4 * level).all(), sale
    notes = [n for n in out.attrs["notes"] if "NEW" in n and "recent_level" in n]
    assert any("pooled Spring Festival and New Year sale effects" in n for n in notes), notes


def test_the_fallback_without_a_lunar_prior_holds_its_level():
    """No pooled effects (none given): the weeks ahead stay at the level (the old behaviour is
    the rule without a prior)."""
    y = np.full(6, 420.0)
    ds = pd.date_range("2026-08-03", periods=6, freq="7D")
    pred = RecentLevel().fit(y, ds, freq="W").predict(30)
    assert np.allclose(pred.mean, 420.0)
