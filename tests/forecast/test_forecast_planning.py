import numpy as np
import pandas as pd
import pytest

from workbench.data.sample import load_sample
from workbench.errors import ParameterError
from workbench.forecast import planning


@pytest.fixture(scope="module")
def result():
    frame, keys = planning.load_planning_frame("sample", level="category_region", target="units")
    frame = frame[frame.ds >= "2024-06-01"]
    return planning.event_forecast(frame, event="new_year_sale", year=2026, lead=60, keys=keys, n_jobs=2)


def test_event_forecast_covers_the_window_with_actuals(result):
    assert result.window.anchor == pd.Timestamp("2026-02-17")
    assert result.cutoff == result.window.start - pd.Timedelta(days=60)
    assert result.has_actuals and len(result.totals) == 42
    assert (result.totals.uplift > 0).mean() > 0.9  # the sale lifts demand over the baseline
    assert result.totals.error_pct.abs().median() < 0.25


def test_levels_add_up(result):
    levels = planning.level_totals(result)
    national = levels[levels.level == "national"].iloc[0]
    for level in ("category", "region"):
        part = levels[levels.level == level]
        assert np.isclose(part.yhat.sum(), national.yhat)
        assert np.isclose(part.yhat_baseline.sum(), national.yhat_baseline)
    assert np.isclose(result.totals.yhat.sum(), national.yhat)
    assert planning.national_totals(result)["yhat"] == pytest.approx(national.yhat)


def test_future_event_uses_all_history():
    frame, keys = planning.load_planning_frame("sample", level="national", target="gmv")
    res = planning.event_forecast(frame, event="618", year=2027, keys=keys)
    assert res.cutoff == frame.ds.max() and not res.has_actuals
    assert res.totals.yhat.iloc[0] > 0


@pytest.mark.parametrize("change,field", [({"event": "black_friday"}, "event"), ({"year": 1990}, "year"),
                                          ({"lead": -5}, "lead"), ({"level": "city"}, "level"),
                                          ({"model": "lstm"}, "model"), ({"quantiles": [0.5]}, "quantiles"),
                                          ({"data": "/no/such.csv"}, "data"), ({"target": "qty"}, "target"),
                                          ({"backtest_models": ["x"]}, "backtest_models")])
def test_bad_parameters_name_the_parameter(change, field):
    args = dict(event="618", year=2026, lead=90, level="category")
    args.update(change)
    with pytest.raises(ParameterError, match=f"^{field}:"):
        planning.validate_event_params(**args)


def test_sample_file_round_trip(tmp_path):
    path = tmp_path / "cat.csv"
    load_sample("category").to_csv(path, index=False)
    frame, keys = planning.load_planning_frame(str(path), level="category", target="units")
    assert keys == ["category"] and frame.y.sum() == load_sample("category").units.sum()
