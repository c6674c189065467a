"""A weekly launch whose history holds sale-event weeks: the ETS adds both the launch curve's
growth and the sales' lift ahead, and every per-period field of its Prediction has the
horizon's shape (review 9.3 #0: the sales' spread, one value per sale, had overwritten the
launch's spread, and the core's off-season step then failed the whole partition)."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.core import _check_prediction, established_series, panel_launch_curve
from workbench.forecast.models.base import Prediction
from workbench.forecast.models.ets import ETSModel, sale_shares

CAL = default_calendar()
HORIZON = 13


def _panel(seed: int) -> pd.DataFrame:
    """Weeks from 2025-01-06 to 2026-11-23: four mature series and four launched in 2025,
    each ramping to its level over ten weeks; 618 and Double 11 lift their weeks x1.5."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-06", "2026-11-23", freq="W-MON")
    lift = np.exp(np.log(1.5) * sale_shares(ds, "W", CAL)[1].sum(axis=1))
    rows = [pd.DataFrame({"sku": f"mature-{i}", "ds": ds, "y": rng.poisson(300 * lift).astype(float)})
            for i in range(4)]
    for i, start in enumerate(pd.to_datetime(["2025-03-03", "2025-04-07", "2025-05-05", "2025-06-02"])):
        age = (ds - start).days.to_numpy() / 7
        ramp = np.where(age < 0, 0.0, np.minimum(1.0, (age + 1) / 10))
        rows.append(pd.DataFrame({"sku": f"launch-{i}", "ds": ds, "y": rng.poisson(200 * ramp * lift).astype(float)}))
    return pd.concat(rows, ignore_index=True)


def test_a_launch_with_sale_weeks_has_per_period_fields_of_the_horizons_shape():
    frame = _panel(0)
    sums = pd.DataFrame({"established": established_series(frame, ["sku"]).groupby("ds")["y"].sum()})
    curve = panel_launch_curve(frame, ["sku"], "W", sums)
    assert curve.usable, curve.describe()
    series = frame[frame.sku == "launch-3"]
    model = ETSModel(form="trend", launch_curve=curve).fit(series.y.to_numpy(), series.ds, freq="W", calendar=CAL)
    assert model.sale_effects_, "the launch's history holds sale weeks: their lift is measured"
    pred = model.predict(HORIZON)
    assert pred.launch_growth is not None and pred.launch_spread is not None
    for name in ("mean", "baseline", "launch_growth", "launch_spread", "event_spread", "season_spread"):
        value = getattr(pred, name)
        assert value is None or np.shape(value) == (HORIZON,), (name, np.shape(value))


def test_the_core_sends_a_prediction_with_a_misshapen_field_to_the_fallback():
    """The core's check names a per-period field not of the horizon's shape, so that series goes
    to the fallback with the reason, instead of failing its whole partition downstream."""
    ds = pd.date_range("2026-12-07", periods=HORIZON, freq="W-MON")
    values = np.full(HORIZON, 10.0)
    job = SimpleNamespace(horizon=HORIZON, quantiles=(0.1, 0.5, 0.9))
    good = Prediction(ds, values, {q: values for q in job.quantiles}, launch_spread=np.zeros(HORIZON))
    assert _check_prediction(good, "ets", job) is None
    bad = replace(good, launch_spread=np.zeros(2))
    assert _check_prediction(bad, "ets", job) == "ets returned launch_spread of shape (2,), not one value per period (13)"
