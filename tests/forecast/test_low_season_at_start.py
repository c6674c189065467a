"""A yearly low season where the data start is no pre-launch trickle and no opening ramp
(``yearly_season.low_a_year_on``, asked by ``regime.after_trickle`` and ``regime.opening_ramp``).

Trial 13's monthly file (F20) starts in July: its electric blankets sold a trickle until October,
were read as launched in November and held at their winter level all next summer (x42-73 from
April to September), and its duvets' July-November were read as an opening ramp, so their summer
came from nothing."""

import numpy as np
import pandas as pd
import pytest

from workbench.forecast.core import forecast
from workbench.forecast.models.ets import ETSModel
from workbench.forecast.models.regime import opening_ramp, series_start
from workbench.forecast.models.yearly_season import low_a_year_on

MONTHS = pd.date_range("2025-07-01", "2027-06-01", freq="MS")  # 17 months of history, then 7 ahead
HISTORY = 17


def _winter(rng, level: float, trickle: float) -> np.ndarray:
    """Units per month of a winter product: ``level`` from October to February (Poisson, 10% log
    noise), ``trickle`` a month in the other months."""
    winter = np.isin(MONTHS.month, (10, 11, 12, 1, 2))
    mean = np.where(winter, level, trickle) * np.exp(rng.normal(0, 0.1, len(MONTHS)))
    return rng.poisson(mean).astype(float)


def test_a_trickle_back_a_year_on_is_the_low_season_and_a_launch_is_not():
    """The months before a winter level, at the same low a year on, are the start of the
    series' level (no trickle to skip); a launch after test sales, at its level a year on, still
    starts at its level."""
    y = np.array([110, 115, 210, 3900, 10900, 11400, 9900, 2700, 780, 114, 109, 111, 113, 132, 170, 3300, 10900.])
    assert series_start(y, "MS") == 0
    launch = np.array([110, 115, 210, 3900, 10900, 11400, 9900, 9700, 9800, 9500, 9900, 9800, 9900, 9700, 9600,
                       9900, 10000.])
    assert series_start(launch, "MS") == 3
    assert not low_a_year_on(np.log1p(launch), 0, 3, np.log1p(10900), 12)


def test_a_winter_rise_seen_again_a_year_on_is_no_opening_ramp():
    """Log months of a duvet from July: July-November rise to the winter level, and the same a
    year on: no opening ramp; a shop that opened at a third of its level and holds it a year on
    keeps its ramp."""
    duvet = np.log1p([290, 350, 450, 4900, 10100, 9700, 9700, 3000, 1230, 300, 300, 300, 330, 400, 370, 4900, 9700.])
    quiet = np.ones(len(duvet), bool)
    assert opening_ramp(duvet, quiet, 2, np.log(1.25), 6) > 0  # without the yearly check: a ramp
    assert opening_ramp(duvet, quiet, 2, np.log(1.25), 6, year=12) == 0
    shop = np.log1p([300, 600, 900] + [1000] * 14)
    assert opening_ramp(shop, quiet, 2, np.log(1.25), 6, year=12) == opening_ramp(shop, quiet, 2, np.log(1.25), 6) > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_winter_products_whose_months_start_in_summer_keep_their_summer_low(seed):
    """Three blankets (trickle about 1% of the winter level) and three duvets (3%), 17 months
    from July 2025 (trial 13's shape): none is read as a launch, and each one's ETS forecasts
    the next April-June, from November 2026, within a factor 2.5 of its trickle. Before, the
    blankets were launches of November 2025, fitted on their winter months alone (the level only,
    flat at the winter level all summer), and the duvets' July-November an opening ramp."""
    rng = np.random.default_rng(seed)
    products = {f"DR0{i}": (level, level * 0.01) for i, level in enumerate((11000, 3000, 1500), 1)}
    products |= {f"DB0{i}": (level, level * 0.03) for i, level in enumerate((10000, 5000, 1800), 1)}
    units = {name: _winter(rng, *shape)[:HISTORY] for name, shape in products.items()}
    summer = MONTHS[HISTORY:].month.isin((4, 5, 6))
    for name, (level, trickle) in products.items():
        model = ETSModel().fit(units[name], MONTHS[:HISTORY], freq="MS")
        got = model.predict(len(MONTHS) - HISTORY).mean[summer]
        assert model.launch_ is None and model.opening_ == 0 and model.form_ == "indices", name
        assert (got < 2.5 * trickle).all() and (got > trickle / 2.5).all(), (name, trickle, got)
    # through the core (its launch curve and routing): a steady line beside them, none a launch
    frame = pd.concat([pd.DataFrame({"sku": name, "ds": MONTHS[:HISTORY], "y": y}) for name, y in units.items()]
                      + [pd.DataFrame({"sku": "MJ01", "ds": MONTHS[:HISTORY],
                                       "y": rng.poisson(900, HISTORY).astype(float)})])
    out = forecast(frame, horizon=7, model="auto", keys=["sku"], freq="MS", n_jobs=1)
    assert not out.attrs.get("failures"), out.attrs.get("failures")
    assert not any("launch" in note for note in out.attrs["notes"]), out.attrs["notes"]
