import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError
from workbench.forecast.core import ForecastNoteWarning, forecast, pooled_event_uplift
from workbench.calendar import default_calendar


def test_output_contract_one_row_per_series_and_day(categories):
    fc = forecast(categories, horizon=14, keys=["category"], n_jobs=1)
    assert list(fc.columns) == ["category", "ds", "yhat", "yhat_q10", "yhat_q50", "yhat_q90"]
    assert len(fc) == 6 * 14 and fc.groupby("category").ds.min().eq(pd.Timestamp("2026-11-01")).all()
    assert (fc.yhat_q10 <= fc.yhat_q50).all() and (fc.yhat_q50 <= fc.yhat_q90).all()


def test_parallel_and_serial_runs_agree(categories):
    serial = forecast(categories, horizon=10, keys=["category"], n_jobs=1)
    parallel = forecast(categories, horizon=10, keys=["category"], n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_event_profiles_are_pooled_across_series(categories):
    prior = pooled_event_uplift(categories, "auto", {}, "D", default_calendar())
    assert set(prior) >= {"618", "double11", "lunar_new_year"}
    assert max(prior["618"].values()) > 0.5  # the June peaks, in log units
    pooled = forecast(categories, horizon=10, keys=["category"], n_jobs=1)
    alone = forecast(categories, horizon=10, keys=["category"], n_jobs=1, pool_events=False)
    assert not np.allclose(pooled.yhat, alone.yhat)  # November 1-11 is inside the pooled Double 11


def test_a_failing_series_is_named_and_the_rest_finish(categories):
    # Prophet cannot fit a single observation
    broken = pd.DataFrame({"category": "tiny", "ds": pd.date_range("2026-10-31", periods=1), "y": [1.0]})
    frame = pd.concat([categories[categories.category == "food"], broken], ignore_index=True)
    with pytest.warns(ForecastNoteWarning, match=r"1 series failed .*'category': 'tiny'"):
        fc = forecast(frame, horizon=5, model="prophet", keys=["category"], n_jobs=1)
    assert set(fc.category) == {"food"}
    assert fc.attrs["failures"][0].key == {"category": "tiny"}
    with pytest.raises(ModelError, match="every series failed"):
        forecast(broken, horizon=5, model="prophet", keys=["category"], n_jobs=1)


def test_bad_quantiles_are_rejected(categories):
    with pytest.raises(ModelError, match="strictly between 0 and 1"):
        forecast(categories, horizon=5, quantiles=(0.1, 1.5), keys=["category"])
