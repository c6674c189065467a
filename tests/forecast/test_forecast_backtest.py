import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError
from workbench.forecast.backtest import backtest_windows, compare_models, event_windows


def test_history_ends_lead_days_before_each_window(national):
    """Values after the cutoff are poisoned; a model that saw them would forecast far too high."""
    windows = event_windows("618", [2025])
    cutoff = windows["618 2025"][0] - pd.Timedelta(days=90)
    poisoned = national.copy()
    poisoned.loc[(poisoned.ds > cutoff) & (poisoned.ds < windows["618 2025"][0]), "y"] *= 100
    result = backtest_windows(poisoned, windows=windows, model="seasonal_naive", lead=90)
    row = result.totals.iloc[0]
    assert row.window == "618 2025" and abs(row.bias) < 0.5
    assert result.forecasts.ds.min() == windows["618 2025"][0]


def test_compare_models_reports_every_metric(national):
    table = compare_models(national, models=["auto", "seasonal_naive"], windows=event_windows("618", [2025]))
    assert set(table.columns) >= {"model", "window", "wape", "bias", "mase", "total_error", "coverage"}
    assert len(table) == 2 and table.set_index("model").wape["auto"] < 0.2


def test_window_beyond_the_data_is_refused(national):
    with pytest.raises(ModelError, match="choose an earlier year"):
        backtest_windows(national, windows=event_windows("double11", [2026]))


def test_compare_models_reports_pooled_error_bias_spread_and_scaled_pinball(categories):
    table = compare_models(categories, models=["seasonal_naive"], windows=event_windows("618", [2025]),
                           keys=["category"])
    row = table.iloc[0]
    assert row.series == categories.category.nunique()
    for col in ("pooled_series_wape", "median_series_wape", "mean_series_bias", "series_bias_sd",
                "scaled_pinball"):
        assert np.isfinite(row[col]), col
    assert row.series_bias_sd > 0 and row.scaled_pinball > 0
