"""A series too young for a season of its own follows the season of the level it borrows from
(its category's pooled path), whichever model forecasts it: a winter launch is not held at its
December level into 618, nor a summer launch at its August level into the New Year sale."""

import warnings

import numpy as np
import pandas as pd
import pytest

from forecast_helpers import peaks_and_weekdays
from workbench.forecast.core import forecast

DAYS = pd.date_range("2024-06-01", "2026-06-30")


def season_panel(seed: int, launch: str, season: str) -> pd.DataFrame:
    """Three categories of five established series (from 40 to 80 a day, growing 10% a year, 618
    and Double 11 peaks, a weekly pattern, gamma-Poisson day noise of shape 8): ``winter`` (x1.7
    in mid-January, x0.3 in mid-July), ``summer`` (the reverse) and ``flat``; and one more series
    of the ``season`` category launched on ``launch`` (``sku`` ending ``new``). Columns ``cat,
    sku, ds, y, mu`` (``mu`` the mean)."""
    rng = np.random.default_rng(seed)
    doy = DAYS.day_of_year.to_numpy()
    uplift, weekly = peaks_and_weekdays(DAYS, 0.8)
    shapes = {"winter": np.log1p(0.7 * np.cos(2 * np.pi * (doy - 15) / 365.25)),
              "summer": np.log1p(0.7 * np.cos(2 * np.pi * (doy - 196) / 365.25)), "flat": np.zeros(len(DAYS))}
    t = np.arange(len(DAYS)) / 365.25
    rows = []
    for cat, shape in shapes.items():
        for i in range(6 if cat == season else 5):
            mu = np.exp(np.log(rng.uniform(40, 80)) + 0.1 * t + shape + uplift + weekly)
            mu = mu * (DAYS >= pd.Timestamp(launch)) if i == 5 else mu
            rows.append(pd.DataFrame({"cat": cat, "sku": f"{cat}{i}" + ("new" if i == 5 else ""), "ds": DAYS,
                                      "y": rng.poisson(rng.gamma(8.0, mu / 8.0)).astype(float), "mu": mu}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("launch,season,cut,window", [
    ("2025-11-01", "winter", "2025-12-15", ("2026-05-20", "2026-06-18")),
    ("2025-07-15", "summer", "2025-08-31", ("2026-01-13", "2026-02-09")),
])
def test_a_launch_under_its_models_history_follows_its_categorys_season(launch, season, cut, window):
    """Trial 12 (a November launch, a down jacket, held flat for 618: +535%): launched 45 or 47
    days before the cut-off, too young for event_profile, the launch went to recent_level, which
    held its level flat whatever its category's season: 618 +207%, the New Year sale +199% (three
    other seeds: +185 / +168 / +162% and +234 / +189 / +208%). It
    now follows its category's pooled path (season and growth) from the days its level was read
    on, as event_profile's young path does, and the guard lets the path's fall through (it is
    the category's season): within 25% of the mean over the window."""
    panel = season_panel(5, launch, season)
    history = panel[panel.ds <= pd.Timestamp(cut)].drop(columns="mu")
    horizon = int((pd.Timestamp(window[1]) - pd.Timestamp(cut)).days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(history, horizon=horizon, keys=["cat", "sku"], n_jobs=1)
    inside = fc[(fc.ds >= window[0]) & (fc.ds <= window[1]) & fc.sku.str.endswith("new")].merge(panel, on=["cat", "sku", "ds"])
    assert abs(inside.yhat.sum() / inside.mu.sum() - 1) < 0.25, inside.yhat.sum() / inside.mu.sum()
    said = [str(n) for n in fc.attrs["notes"] if "new" in str(n) and "recent_level" in str(n)]
    assert any("following the pooled series' seasonal path and growth" in n for n in said), said


def mix_panel(seed: int, launch: str, season: str, keys: tuple) -> pd.DataFrame:
    """A shop of summer and flat lines (``season_panel`` without its winter category: the sum is
    summer-heavy) with one launch of ``season``, keyed ``keys``: ``("sku",)`` (the category
    column dropped), or ``("region", "sku")``, two regions of it (seeds ``seed`` and ``seed + 100``)."""
    regions = ["R1", "R2"] if "region" in keys else ["R1"]
    parts = [season_panel(seed + 100 * i, launch, season).assign(region=r) for i, r in enumerate(regions)]
    panel = pd.concat(parts, ignore_index=True)
    return panel[panel.cat != "winter"].drop(columns=[c for c in ("cat", "region") if c not in keys])


@pytest.mark.parametrize("keys", [("region", "sku"), ("sku",)])
def test_a_launch_keyed_without_its_category_does_not_follow_the_shops_season(keys):
    """Review 10.3 #0: keyed region,sku or sku alone, a launch has no category above it and
    borrows the panel's prior, the shop's mix. A flat gift box launched on 1 November into a
    summer-heavy shop followed the summer lines' path from December into 618: +67% (region,sku)
    and +45% (sku). It has 24 days outside event spans, too few to show its season is the
    pool's, so its level is held (pool_season): -4% and -13%, within 25% of the mean over 618."""
    panel = mix_panel(5, "2025-11-01", "flat", keys)
    cut, window = pd.Timestamp("2025-12-15"), ("2026-05-20", "2026-06-18")
    history = panel[panel.ds <= cut].drop(columns="mu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(history, horizon=int((pd.Timestamp(window[1]) - cut).days), keys=list(keys), n_jobs=1)
    inside = fc[(fc.ds >= window[0]) & (fc.ds <= window[1]) & fc.sku.str.endswith("new")].merge(
        panel, on=[*keys, "ds"])
    assert abs(inside.yhat.sum() / inside.mu.sum() - 1) < 0.25, inside.yhat.sum() / inside.mu.sum()
    said = [str(n) for n in fc.attrs["notes"] if "new" in str(n) and "recent_level: mean" in str(n)]
    assert len(said) == len(keys) and all("its level held, not laid along the pooled series' seasonal path" in n
                                          for n in said), said


@pytest.mark.parametrize("season", ["flat", "summer"])
def test_a_launch_of_eight_months_keyed_by_sku_takes_the_shops_season_as_far_as_its_days_show_it(season):
    """The same shop keyed by sku alone, a launch of 1 April cut on 15 December (event_profile's
    young path): the flat line's own days moved with the shop's summer-heavy baseline by 0.27
    of its change (se 0.16, net of a straight line), so it takes 27% of the pool's path, not
    all of it: 618 +56% -> +9%. The summer line moved more than the pool (1.81 of its change,
    se 0.15), so it follows the pool's path whole, no further: -47% (held at its December
    level it would be -69%)."""
    panel = mix_panel(5, "2025-04-01", season, ("sku",))
    cut, window = pd.Timestamp("2025-12-15"), ("2026-05-20", "2026-06-18")
    history = panel[panel.ds <= cut].drop(columns="mu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(history, horizon=int((pd.Timestamp(window[1]) - cut).days), keys=["sku"], n_jobs=1)
    inside = fc[(fc.ds >= window[0]) & (fc.ds <= window[1]) & fc.sku.str.endswith("new")].merge(panel, on=["sku", "ds"])
    ratio = inside.yhat.sum() / inside.mu.sum()
    said = [str(n) for n in fc.attrs["notes"] if "new" in str(n) and "event_profile" in str(n)]
    if season == "flat":
        assert abs(ratio - 1) < 0.25, ratio
        assert any("of the pool's season taken" in n and "100% of the pool's season taken" not in n
                   for n in said), said
    else:
        assert ratio > 0.45, ratio
        assert any("follows the pooled series' seasonal path" in n and "100% of the pool's season taken" in n
                   for n in said), said


def test_a_young_series_refused_along_its_pooled_path_falls_back_to_its_level_held():
    """Review 10.3 #2: the guard's fallback kept the pooled prior, and with it the path the
    refusal was about, until its last attempt dropped the prior whole (its event profile too).
    A 124-day-old series at 50 a day whose category's path climbs x20 in 14 days is refused
    (x20 its level is past 10x its largest day); the fallback's next attempt holds its level
    with the pooled prior kept."""
    from workbench.calendar import default_calendar
    from workbench.forecast.core import _fallback, _Job
    from workbench.forecast.models.base import Prediction
    from workbench.forecast.models.event_profile import PooledPrior

    days = pd.date_range("2026-07-01", "2026-11-01")
    y = np.random.default_rng(4).poisson(50.0, len(days)).astype(float)
    numbers = days.to_numpy().astype("datetime64[D]").astype(np.int64)
    last = int(numbers[-1])
    prior = PooledPrior(recent={int(d): 0.0 for d in numbers},
                        path={last + h: float(np.log(20.0)) * h / 14 for h in range(15)}, grouping="cat")
    job = _Job(keys=("sku",), horizon=14, model="event_profile", params={"prior": prior},
               quantiles=(0.1, 0.5, 0.9), freq="D", calendar=default_calendar(), with_baseline=False)
    pred = _fallback(y, days, None, job, "event_profile", "a reason")
    assert isinstance(pred, Prediction), pred
    assert abs(pred.mean.mean() / 50.0 - 1) < 0.1 and pred.path_change is None
    assert "replaced by recent_level with its level held (no launch growth, no pooled seasonal path)" in pred.notes[-1]
