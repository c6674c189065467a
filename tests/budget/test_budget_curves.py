"""Hill curves, their fitting with bootstrap uncertainty, and the piecewise-linear bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.budget.curves import HillCurve, HillFitter, fit_channel_curves, hill, hill_marginal
from workbench.budget.pwl import piecewise_linear, piecewise_linear_many
from workbench.budget.sample import LAST_YEAR_SPEND, TRUE_CURVES, sample_channel_history
from workbench.errors import ModelError, ParameterError


def test_hill_values_marginal_and_inflection():
    curve = HillCurve(400.0, 30.0, 2.0)
    assert curve.gmv(30.0) == pytest.approx(200.0)  # half of vmax at k
    assert curve.gmv(0.0) == 0.0
    x = np.linspace(1, 200, 50)
    numeric = (curve.gmv(x + 1e-5) - curve.gmv(x - 1e-5)) / 2e-5
    np.testing.assert_allclose(curve.marginal(x), numeric, rtol=1e-6)
    # the marginal peaks at the inflection point
    grid = np.linspace(1, 60, 100001)
    assert grid[np.argmax(curve.marginal(grid))] == pytest.approx(curve.inflection, rel=1e-3)
    assert HillCurve(1.0, 1.0, 0.7).inflection == 0.0
    assert hill_marginal(0.0, 1.0, 1.0, 0.5) == np.inf and hill_marginal(0.0, 2.0, 4.0, 1.0) == 0.5


def test_spend_at_marginal_is_where_marginal_falls_to_the_floor():
    for curve in (HillCurve(900.0, 60.0, 1.0), HillCurve(400.0, 30.0, 1.6)):
        x = curve.spend_at_marginal(3.0)
        assert curve.marginal(x) == pytest.approx(3.0, rel=1e-9)
        assert x > curve.inflection
    assert HillCurve(10.0, 30.0, 1.6).spend_at_marginal(5.0) == 0.0  # never that steep


def test_curve_parameters_must_be_positive():
    with pytest.raises(ParameterError, match="vmax"):
        HillCurve(-1.0, 1.0, 1.0)


def test_fitter_recovers_a_curve_and_its_interval_covers_it():
    true = HillCurve(5e6, 8e5, 1.3)
    rng = np.random.default_rng(3)
    spend = rng.uniform(1e5, 3e6, 120)
    gmv = true.gmv(spend) * np.exp(rng.normal(0, 0.05, spend.size))
    fit = HillFitter(n_bootstrap=40, seed=1).fit(spend, gmv)
    assert fit.curve_.s == pytest.approx(1.3, rel=0.1)
    assert fit.curve_.k == pytest.approx(8e5, rel=0.15)
    for name in ("vmax", "k", "s"):
        assert fit.interval_.loc[name, "low"] <= getattr(true, name) <= fit.interval_.loc[name, "high"]
    again = HillFitter(n_bootstrap=40, seed=1).fit(spend, gmv)
    assert again.samples_.equals(fit.samples_)  # seeded: identical bootstrap


def test_fitter_refuses_too_little_history():
    with pytest.raises(ModelError, match="at least 4"):
        HillFitter().fit([1.0, 2.0, 0.0], [3.0, 4.0, 5.0])
    with pytest.raises(ModelError, match="never varies"):
        HillFitter().fit([2.0] * 6, [3.0, 4.0, 5.0, 3.0, 4.0, 5.0])


def test_sample_history_is_deterministic_and_at_plan_scale(repo):
    history = sample_channel_history()
    assert history.equals(sample_channel_history())
    last_year = history.groupby("channel")["spend"].apply(lambda s: s.tail(52).sum())
    for channel, amount in LAST_YEAR_SPEND.items():
        assert last_year[channel] == pytest.approx(amount, abs=1.0)
    assert 100e6 <= sum(LAST_YEAR_SPEND[c] for c in ("splash", "feed", "challenge")) <= 120e6
    shipped = pd.read_csv(repo / "budgets" / "channel_history.csv", parse_dates=["week"])
    pd.testing.assert_frame_equal(shipped, history, check_dtype=False)  # the CSV is this generator's


def test_fit_channel_curves_on_sample_history_covers_true_shapes():
    history = sample_channel_history()
    fits = fit_channel_curves(history, n_bootstrap=20, periods_per_year=52)
    table = fits.table.set_index("channel")
    for channel, true in TRUE_CURVES.items():
        # yearly scale: GMV at last year's spend within 10% of the true curve
        x = LAST_YEAR_SPEND[channel]
        assert fits.curve(channel).gmv(x) == pytest.approx(true.gmv(x), rel=0.1)
        assert table.loc[channel, "n_weeks"] == 104
    assert set(fits.samples["channel"]) == set(TRUE_CURVES)
    assert len(fits.samples) == 20 * len(TRUE_CURVES)


@pytest.mark.parametrize("s", [0.3, 0.7, 1.0, 1.6, 3.0])
@pytest.mark.parametrize("lo", [0.0, 12.0])
def test_pwl_is_a_lower_bound_within_its_stated_error(s, lo):
    curve = HillCurve(500.0, 30.0, s)
    tol = 1e-4 * curve.gmv(120.0)
    pwl = piecewise_linear(curve, lo, 120.0, tol)
    x = np.linspace(lo, 120.0, 200001)
    gap = curve.gmv(x) - pwl(x)
    assert gap.min() >= -1e-9 * curve.vmax  # never above the curve
    assert gap.max() <= pwl.error <= tol  # the stated bound holds and meets the tolerance
    assert pwl.error <= 1.05 * gap.max() + 1e-12  # and it is tight
    slopes = pwl.slopes
    if s <= 1 or lo >= curve.inflection:
        assert pwl.convex_prefix == 0 and np.all(np.diff(slopes) <= 1e-12)
    else:
        assert pwl.convex_prefix > 0
        assert np.all(np.diff(slopes[pwl.convex_prefix:]) <= 1e-12)


def test_pwl_many_matches_single_and_handles_fixed_ranges():
    curves = [HillCurve(500.0, 30.0, 0.8), HillCurve(300.0, 20.0, 2.2)]
    many = piecewise_linear_many(curves, [0.0, 5.0], [100.0, 5.0], [0.01, 0.01])
    one = piecewise_linear(curves[0], 0.0, 100.0, 0.01)
    np.testing.assert_array_equal(many[0].x, one.x)
    assert many[1].n_segments == 0 and many[1].error == 0.0
    with pytest.raises(ParameterError, match="tolerance"):
        piecewise_linear(curves[0], 0.0, 1.0, 0.0)
    assert hill(np.array([0.0, 30.0]), 500.0, 30.0, 0.8)[1] == pytest.approx(250.0)


def campaign_history(lift: float, seed: int = 5) -> tuple[pd.DataFrame, HillCurve]:
    """104 weeks of one channel (weekly money) whose campaign weeks, the retail calendar's 618 /
    双11 / 年货节 windows, spend 1.8x and earn ``lift`` x the curve beyond it (log noise 0.08)."""
    from workbench.calendar import default_calendar

    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-12-02", periods=104, freq="7D")
    cal = default_calendar()
    windows = [w for e in ("618", "double11", "new_year_sale") for w in cal.windows(e, weeks[0], weeks[-1])]
    mid = weeks + pd.Timedelta(days=3)
    in_campaign = np.array([any(w.start <= d <= w.end for w in windows) for d in mid])
    curve = HillCurve(10e6, 800e3, 1.0)
    spend = 600e3 * np.where(in_campaign, 1.8, 1.0) * rng.lognormal(0, 0.35, len(weeks))
    gmv = curve.gmv(spend) * rng.lognormal(0, 0.08, len(weeks)) * np.where(in_campaign, lift, 1.0)
    return pd.DataFrame({"week": weeks, "channel": "feed", "spend": spend, "gmv": gmv,
                         "campaign": np.where(in_campaign, "618/双11/年货节", "")}), curve


def test_a_campaign_column_separates_the_campaigns_lift_from_the_spend_effect():
    history, truth = campaign_history(lift=1.15)
    x = np.quantile(history["spend"], [0.25, 0.5, 0.9])
    marked = fit_channel_curves(history, n_bootstrap=30)
    plain = fit_channel_curves(history.drop(columns="campaign"), n_bootstrap=30)
    row = marked.table.iloc[0]
    assert row["campaign_lift_low"] <= 1.15 <= row["campaign_lift_high"] and abs(row["campaign_lift"] - 1.15) < 0.05
    # the marked fit's curve is the response to spend alone: closer to the truth where spend is high
    error = lambda fits: np.abs(fits.curve("feed").gmv(x) / truth.gmv(x) - 1)  # noqa: E731
    assert error(marked)[-1] < 0.03 < error(plain)[-1]
    assert marked.notes == [] and "campaign_lift" in marked.samples.columns
    # without the column, the check says the calendar's campaign weeks run high and what to do
    assert len(plain.notes) == 1 and "Mark the campaign weeks in the history with a `campaign` column" in plain.notes[0]
    assert np.isnan(plain.table.iloc[0]["campaign_lift"])


def test_no_campaign_note_when_campaign_weeks_earn_only_what_their_spend_buys():
    history, _ = campaign_history(lift=1.0)
    assert fit_channel_curves(history.drop(columns="campaign"), n_bootstrap=5).notes == []
    shipped = sample_channel_history()
    assert fit_channel_curves(shipped, n_bootstrap=5, periods_per_year=52).notes == []


def test_all_campaign_weeks_cannot_tell_the_spend_effect():
    history, _ = campaign_history(lift=1.1)
    with pytest.raises(ModelError, match="channel 'feed': .* at least 4 weeks .* outside campaigns"):
        fit_channel_curves(history.assign(campaign="618"), n_bootstrap=5)


def test_cli_fit_prints_the_campaign_note(tmp_path, capsys):
    from workbench.cli import main

    history, _ = campaign_history(lift=1.15)
    history.drop(columns="campaign").assign(week=history["week"].dt.strftime("%Y-%m-%d")).to_csv(
        tmp_path / "h.csv", index=False)
    assert main(["budget", "fit", "--history", str(tmp_path / "h.csv"), "--bootstrap", "5",
                 "--out", str(tmp_path / "fits.csv")]) == 0
    assert "note: GMV in the calendar's campaign weeks" in capsys.readouterr().out
