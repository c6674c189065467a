"""A last week or month short of a day or two (an export to 2026-11-29 summed to months: trial 9
F5, trial 10 F6) is no drop for ``ets``: a table of periods cannot show such a shortfall
(``validate.unfinished_period_note`` names the last period as read whole), so the model must not
turn it into a lower level ahead."""

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.models import make_model


@pytest.mark.parametrize("freq, periods, short", [("MS", 30, 29 / 30), ("W", 120, 6 / 7)])
def test_a_last_period_short_of_a_day_moves_the_forecast_less_than_its_noise(freq, periods, short):
    """Seeded series at 1,000 a period with 5% noise, 5 seeds: the last period at 29 of 30 days
    (months) or 6 of 7 (weeks) moves the point forecast of the next 3 periods by under half the
    noise's sd (5%): measured at a716cb7, months 0.03-1.5%, weeks 0.2-0.4%. A last period cut
    much shorter (a half-month export) is named by the unfinished-period note
    (``validate.short_period_note``), not judged here: at 55% of its days it moved a flat
    monthly series' next month by about 5 points (scratch run)."""
    ds = pd.date_range("2024-06-01" if freq == "MS" else "2024-06-03", periods=periods,
                       freq="MS" if freq == "MS" else "W-MON")
    moves = []
    for seed in range(5):
        y = 1000 * np.exp(np.random.default_rng(seed).normal(0, 0.05, periods))
        cut = y.copy()
        cut[-1] *= short
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the point forecast (the conformal band's refits change no point: left out for speed)
            whole = make_model("ets", calibration_windows=0).fit(y, ds, freq=freq).predict(3).mean
            shortened = make_model("ets", calibration_windows=0).fit(cut, ds, freq=freq).predict(3).mean
        moves.append(float(np.abs(shortened / whole - 1).max()))
    assert max(moves) < 0.025, moves
