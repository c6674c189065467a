"""The generic contract every registered model passes, plus model-specific behaviour."""

import inspect
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ModelError
from workbench.forecast.models import MODELS, make_model
from workbench.forecast.models.base import quantile_column

QUANTILES = (0.1, 0.5, 0.9)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_follows_the_estimator_contract(name, national):
    model = make_model(name)
    params = model.get_params()
    assert set(params) == set(inspect.signature(type(model).__init__).parameters) - {"self", "args", "kwargs"}
    assert not [a for a in vars(model) if a.endswith("_")]  # nothing fitted before fit
    history = national[national.ds <= "2025-12-31"]
    fitted = model.fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds), freq="D")
    assert fitted is model and [a for a in vars(model) if a.endswith("_")]
    pred = model.predict(30, QUANTILES)
    assert list(pred.ds) == list(pd.date_range("2026-01-01", periods=30))
    assert pred.mean.shape == (30,) and np.isfinite(pred.mean).all() and (pred.mean >= 0).all()
    lo, mid, hi = (pred.quantiles[q] for q in QUANTILES)
    assert (lo <= mid + 1e-9).all() and (mid <= hi + 1e-9).all() and (hi > lo).any()
    # a sane level: within a factor of three of the same weeks' actuals
    actual = national[(national.ds >= "2026-01-01")].y.to_numpy()[:30]
    assert 1 / 3 < pred.mean.sum() / actual.sum() < 3


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_handles_weekly_data(name, national):
    """Models that declare weekly data fit it; the others refuse it with a ModelError (the core
    then uses its fallback model, tested in test_forecast_core)."""
    weekly = national.set_index("ds").y.resample("W-SUN").sum().iloc[1:-1]
    model = make_model(name)
    if "W" not in model.capabilities.frequencies:
        with pytest.raises(ModelError, match="W data"):
            model.fit(weekly.to_numpy(), weekly.index, freq="W")
        return
    pred = model.fit(weekly.to_numpy(), weekly.index, freq="W").predict(8, QUANTILES)
    assert len(pred.mean) == 8 and (pred.ds.day_of_week == 6).all() and np.isfinite(pred.mean).all()


def _sparse_sku(days: int = 760, seed: int = 3) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """A slow mover: about four days in five sell nothing, the others one to three units."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(days) < 0.2, rng.integers(1, 4, days), 0).astype(float)
    return y, pd.date_range("2024-01-01", periods=days, freq="D")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_forecasts_non_negative_demand_in_every_quantile(name):
    """Issue 10 section 5: many zero days made the naive models' P10 and P50 negative."""
    y, ds = _sparse_sku()
    qs = (0.05, 0.1, 0.5, 0.9)
    pred = make_model(name).fit(y, ds, freq="D").predict(120, qs)
    assert (pred.mean >= 0).all()
    for q in qs:
        assert np.isfinite(pred.quantiles[q]).all() and (pred.quantiles[q] >= 0).all(), q
    if pred.baseline is not None:
        assert (pred.baseline >= 0).all()


def test_registry_names_and_the_default_choice():
    from workbench.forecast.models import DEFAULT_MODEL, MODEL_CHOICES, resolve_model

    assert "event_profile" in MODELS and "auto" not in MODELS and "auto" in MODEL_CHOICES
    assert resolve_model("auto", "D") == "event_profile" == DEFAULT_MODEL["D"]
    assert all(resolve_model("auto", f) in MODELS for f in ("D", "W", "MS", "QS"))
    assert type(make_model("auto")) is MODELS["event_profile"]
    with pytest.raises(ModelError, match="unknown model 'arima'; choose one of .*'auto'"):
        resolve_model("arima")


def test_models_declare_their_capabilities():
    caps = {name: cls.capabilities for name, cls in MODELS.items()}
    assert caps["event_profile"].frequencies == ("D",) and caps["event_profile"].pooling
    assert caps["event_profile"].pooling_param in make_model("event_profile").get_params()
    assert caps["ets"].pooling_param in make_model("ets").get_params()  # its lunar effects
    assert caps["ets"].pools_at("W") and caps["ets"].pools_at("MS") and not caps["ets"].pools_at("D")
    assert caps["event_profile"].pools_at("D") and not caps["event_profile"].pools_at("W")
    assert not any(c.pooling for n, c in caps.items() if n not in ("event_profile", "ets"))
    assert caps["seasonal_naive"].min_history == 1  # the fallback fits any series


def test_unknown_model_and_bad_parameters():
    with pytest.raises(ModelError, match="unknown model 'arima'"):
        make_model("arima")
    with pytest.raises(ModelError, match="bad model parameters"):
        make_model("auto", colour="red")


def test_quantile_column_names():
    assert [quantile_column(q) for q in (0.1, 0.5, 0.9, 0.975)] == ["yhat_q10", "yhat_q50", "yhat_q90", "yhat_q97.5"]


def test_auto_aligns_spring_festival_on_the_lunar_date(national):
    """Trained through 2024 (festival on Feb 10), the 2025 dip must land on Jan 28-29."""
    history = national[national.ds <= "2024-10-31"]
    model = make_model("auto").fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds))
    pred = model.predict(150)
    fc = pd.Series(pred.mean, index=pred.ds)
    lowest = fc["2025-01-10":"2025-02-20"].idxmin()
    assert pd.Timestamp("2025-01-27") <= lowest <= pd.Timestamp("2025-02-01")
    assert fc["2025-01-29"] < 0.5 * fc["2025-01-10":"2025-01-20"].mean()
    # the baseline has no event effects: no collapse there
    base = pd.Series(pred.baseline, index=pred.ds)
    assert base["2025-01-29"] > 0.7 * base["2025-01-10":"2025-01-20"].mean()


def test_auto_peaks_on_618_and_double11(national):
    history = national[national.ds <= "2025-02-28"]
    pred = make_model("auto").fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds)).predict(120)
    fc = pd.Series(pred.mean, index=pred.ds)
    june = fc["2025-05-25":"2025-06-25"]
    assert set(june.nlargest(2).index) == {pd.Timestamp("2025-06-01"), pd.Timestamp("2025-06-18")}


def test_event_without_history_is_stated(national):
    """History from March 2025: no 618 seen yet, so 618 days get the baseline and a note."""
    history = national[(national.ds >= "2024-07-01") & (national.ds <= "2025-03-31")]
    history = history[history.ds >= "2024-07-01"]
    pred = make_model("auto").fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds)).predict(90)
    assert any("no history of event '618'" in note for note in pred.notes)


def test_event_profile_refuses_short_history(national):
    """It declares 8 weeks; the core sends shorter series to the fallback (test_forecast_core)."""
    short = national.iloc[:30]
    with pytest.raises(ModelError, match="only 30 days of history"):
        make_model("event_profile").fit(short.y.to_numpy(), pd.DatetimeIndex(short.ds))


def test_seasonal_naive_is_same_date_last_year(national):
    history = national[national.ds <= "2025-12-31"]
    pred = make_model("seasonal_naive").fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds)).predict(10)
    last_year = national.set_index("ds").y["2025-01-01":"2025-01-10"].to_numpy()
    assert np.allclose(pred.mean, last_year)


def test_event_naive_aligns_the_lunar_event(national):
    """The 2025 Spring Festival eve (Jan 28) takes the 2024 eve (Feb 9) times growth."""
    history = national[national.ds <= "2024-12-31"]
    model = make_model("event_naive").fit(history.y.to_numpy(), pd.DatetimeIndex(history.ds))
    refs = model._references(pd.DatetimeIndex(["2025-01-28", "2025-07-15"]))
    assert list(refs) == [pd.Timestamp("2024-02-09"), pd.Timestamp("2024-07-16")]


def test_event_naive_leaves_a_stopped_line_stopped_and_a_launch_unblown():
    """Trial 14 F26: two lipstick shades sold December to March and stopped came back at their last
    New Year sale (725, 850 units; truth 0): with no sales a year before the last 56 days the
    growth was taken as 1. A stop by the regime's rule is forecast 0. A line launched in December
    2025 and still selling had its growth read over a zero base (x1e9)."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2025-06-15", "2026-11-30")
    shade = np.where((ds >= "2025-12-01") & (ds <= "2026-03-20"), rng.poisson(30.0, len(ds)), 0).astype(float)
    pred = make_model("event_naive").fit(shade, ds).predict(90)
    assert pred.mean.sum() == 0 and "no sale since 2026-03-21" in pred.notes[0]
    launch = np.where(ds >= "2025-12-01", rng.poisson(30.0, len(ds)), 0).astype(float)
    pred = make_model("event_naive").fit(launch, ds).predict(90)
    assert 0 < pred.mean.sum() < 90 * 30 * 3 and "growth taken as 1" in pred.notes[0]


def test_models_reject_inconsistent_input():
    with pytest.raises(ModelError, match="3 values but 2 dates"):
        make_model("seasonal_naive").fit(np.ones(3), pd.date_range("2024-01-01", periods=2))
    with pytest.raises(ModelError, match="missing values"):
        make_model("auto").fit(np.array([1.0, np.nan]), pd.date_range("2024-01-01", periods=2))


def test_event_profile_spans_never_overlap():
    """Each day belongs to at most one event profile, so no effect is counted twice."""
    from workbench.calendar import default_calendar
    from workbench.forecast.features import event_offsets

    offsets = event_offsets(pd.date_range("2020-01-01", "2035-12-31"), default_calendar())
    assert max(sum((~np.isnan(v)).astype(int) for v in offsets.values())) == 1


def test_prophet_fits_print_no_cmdstanpy_chatter():
    # a fresh process: cmdstanpy configures its logger on first use, so only the first fit shows it
    code = ("import warnings; warnings.simplefilter('ignore')\n"
            "import numpy as np, pandas as pd\n"
            "from workbench.forecast.core import forecast\n"
            "ds = pd.date_range('2025-01-01', periods=120)\n"
            "forecast(pd.DataFrame({'ds': ds, 'y': 50.0 + np.arange(120) % 7}), horizon=7, model='prophet', n_jobs=1)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "cmdstanpy" not in done.stderr + done.stdout


def test_an_event_seen_but_not_at_its_coming_days_is_named_as_the_planner_knows_it():
    """Trial 17 F9: a cut-off inside the Spring Festival pause's after-span said "no history of
    event 'lunar_new_year' ... at these days of it", an internal name and no days. The note names
    the calendar's events and the days."""
    rng = np.random.default_rng(17)
    ds = pd.date_range("2025-08-01", "2026-03-01")
    pred = make_model("event_profile").fit(rng.poisson(50, len(ds)).astype(float), ds).predict(60)
    said = [n for n in pred.notes if "at the days" in n]
    assert said and all("lunar_new_year" not in n for n in pred.notes), pred.notes
    assert "年货节 / New Year sale" in said[0] and "2026-03-02.." in said[0], said
