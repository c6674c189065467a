"""A launch takes its category's own launch curve, and a category whose launches stop within weeks
is a short-life line (``core.grouping_launch_curves``, ``launch.grouping_curve``,
``LaunchCurve.survival``, ``core.short_life``): trial 14 F3/F7, lipstick shades that each sold
8-16 weeks, rising in their first days and falling to the stop, were grown x2 along the skincare
launches' ramp and carried through the next year at that level."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast
from workbench.forecast.models.launch import LaunchCurve

DAYS = pd.date_range("2024-06-01", "2026-11-30")
CUTOFF = DAYS[-1]
HORIZON = 180


def beauty_shop(seed: int = 14) -> tuple[pd.DataFrame, dict]:
    """Keys [cat, sku]: 6 skincare lines from the start and 6 skincare launches, each ramping to
    its level over about 3 weeks (``1 - exp(-age / 21)``); 20 lipstick shades, one every 40
    days from 2024-08-01 and the last three 50, 35 and 20 days before the cut-off, each living 8-16 weeks: up in 5 days, then down to 40% of its level by
    its stop (the generator of trial 14). Negative-binomial days around a weekday pattern.
    Returns the history and ``{sku: (launch, life in days)}`` of the shades."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(DAYS))
    week = np.array([1.0, .95, .95, 1.0, 1.05, 1.15, 1.1])[DAYS.day_of_week]
    rows, shades = [], {}

    def add(cat, sku, mu):
        y = rng.poisson(rng.gamma(20.0, np.maximum(mu, 1e-9) / 20.0))
        rows.append(pd.DataFrame({"cat": cat, "sku": sku, "ds": DAYS, "y": y.astype(float)}))

    for i in range(6):
        add("care", f"C{i}", rng.uniform(20, 40) * week)
    for i, start in enumerate([60, 200, 330, 480, 700, 820]):
        age = t - start
        add("care", f"N{i}", np.where(age >= 0, rng.uniform(15, 30) * (1 - np.exp(-np.clip(age, 0, None) / 21)), 0)
            * week)
    starts = [61 + 40 * i for i in range(17)] + [len(DAYS) - 50, len(DAYS) - 35, len(DAYS) - 20]
    for i, start in enumerate(starts):
        life = 7 * int(rng.integers(8, 17))
        age = t - start
        shape = np.clip(age / 5, 0, 1) * (1 - 0.6 * age / life)
        add("lip", f"K{i:02d}", np.where((age >= 0) & (age < life), rng.uniform(10, 22) * shape, 0) * week)
        shades[f"K{i:02d}"] = (DAYS[start], life)
    return pd.concat(rows, ignore_index=True), shades


@pytest.fixture(scope="module")
def run():
    history, shades = beauty_shop()
    with pytest.warns(UserWarning):
        fc = forecast(history, horizon=HORIZON, keys=["cat", "sku"], n_jobs=1)
    return history, shades, fc


def _selling(history: pd.DataFrame, shades: dict) -> list[str]:
    """The shades still selling in the history's last week."""
    last = history[history.ds > CUTOFF - pd.Timedelta(days=7)].groupby("sku")["y"].sum()
    return [s for s in shades if last.get(s, 0) > 0]


def test_a_shade_is_not_grown_beyond_its_categorys_launches(run):
    """The shades selling at the cut-off: their first 14 days forecast no higher than their last
    14 days sold (their category's launches fell from their first weeks on; the panel's curve,
    of the skincare launches' ramp, grew them)."""
    history, shades, fc = run
    selling = _selling(history, shades)
    assert selling
    for sku in selling:
        last = history[(history.sku == sku) & (history.ds > CUTOFF - pd.Timedelta(days=14))]["y"].sum()
        first = fc[(fc.sku == sku) & (fc.ds <= CUTOFF + pd.Timedelta(days=14))]["yhat"].sum()
        assert first <= 1.05 * last, (sku, first, last)


def test_a_short_life_line_is_forecast_to_stop_as_its_launches_did(run):
    """The shades' forecast over the horizon's second half (past the oldest shade's life from
    their launch) is nearly nothing (truth: 0): times the chance a shade still sells at that age,
    from its category's launches' lives; a note says it is a short-life line."""
    history, shades, fc = run
    selling = _selling(history, shades)
    late = fc[fc.sku.isin(selling) & (fc.ds > CUTOFF + pd.Timedelta(days=HORIZON // 2))]
    recent = history[history.sku.isin(selling) & (history.ds > CUTOFF - pd.Timedelta(days=14))]["y"].sum() / 14
    assert late["yhat"].sum() < 0.02 * recent * len(late.ds.unique()), late["yhat"].sum()
    assert (late["yhat_q10"] == 0).all()
    notes = [str(n) for n in fc.attrs["notes"] if "short-life line" in str(n)]
    assert {s for s in selling if any(f"sku={s}:" in n for n in notes)} == set(selling)
    assert not [n for n in fc.attrs["notes"] if "short-life" in str(n) and "cat=care" in str(n)]


def test_survival_is_the_kaplan_meier_of_the_lives():
    """Four launches stopped at 60, 80, 80 and 100 periods, one still selling at 90: S(70) = 4/5,
    S(85) = 2/5 (two of the four at risk at 80 stopped), the one still selling at 90 is no stop,
    and past 100 nothing; from age 70 on, the chance is relative to S(70)."""
    curve = LaunchCurve("D", pd.Timestamp("2024-01-01"), 0, np.zeros(1), np.zeros(0, int),
                        lives=((60, True), (80, True), (80, True), (100, True), (90, False)))
    assert curve.survival(0, [70, 85, 95, 101]) == pytest.approx([0.8, 0.4, 0.4, 0.0])
    assert curve.survival(70, [65, 85]) == pytest.approx([1.0, 0.5])
    assert curve.median_life == 80 and curve.short_life
