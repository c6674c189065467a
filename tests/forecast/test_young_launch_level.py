"""A young launch's level is read net of what else moved its days: the pooled event uplift, its
category's season over them and its ramp along the launch curve (``recent_level._read_level``);
and the launch curve reads each launch's share of its own category, not of the shop's mix
(``core.panel_launch_curve``), so a season is no ramp."""

import warnings

import numpy as np
import pandas as pd

from workbench.forecast.core import established_series, forecast, panel_launch_curve

DAYS = pd.date_range("2025-07-01", "2027-02-10")
CUT = pd.Timestamp("2026-11-30")
DOY = DAYS.day_of_year.to_numpy()
WINTER = np.clip(np.cos(2 * np.pi * (DOY - 355) / 365.0), 0, None) + 0.04  # peak about 21 December
SUMMER = np.clip(np.cos(2 * np.pi * (DOY - 166) / 365.0), 0, None) + 0.03  # peak about 15 June


def _double11() -> np.ndarray:
    """Trial 13's duvet Double 11: x2.6 on average over 10-20..11-11, rising through it, x4 on
    11-01 and 11-11; x0.8 the six days after."""
    m = np.ones(len(DAYS))
    for year in (2025, 2026):
        inside = (DAYS >= f"{year}-10-20") & (DAYS <= f"{year}-11-11")
        shape = np.linspace(0.6, 1.2, inside.sum())
        shape[[DAYS[inside].get_loc(pd.Timestamp(f"{year}-11-01")), -1]] *= 4.0
        m[inside] = 1 + 1.6 * shape / shape.mean()
        m[(DAYS > f"{year}-11-11") & (DAYS <= pd.Timestamp(f"{year}-11-11") + pd.Timedelta(days=6))] = 0.8
    return m


def _ramp(launch: str) -> np.ndarray:
    age = (DAYS - pd.Timestamp(launch)).days.to_numpy()
    return np.where(age < 0, 0.0, 1 - np.exp(-np.clip(age, 0, None) / 18.0))


def duvet_panel(seed: int) -> pd.DataFrame:
    """Five established winter duvets (20 to 60 a day on average, trial 13's 冬被 season and Double
    11), four flat towels (20 to 40 a day) and a duvet launched on 2026-10-08 at 30 a day on
    average, ramping up as ``1 - exp(-age / 18)`` (``sku`` ``duvet_new``). Gamma-Poisson day
    noise of shape 5. Columns ``cat, sku, ds, y, mu`` (``mu`` the mean)."""
    rng = np.random.default_rng(seed)
    lift = _double11()
    series = [("duvet", f"duvet{i}", rng.uniform(20, 60) * WINTER / WINTER.mean() * lift) for i in range(5)]
    series += [("towel", f"towel{i}", np.full(len(DAYS), rng.uniform(20, 40))) for i in range(4)]
    series += [("duvet", "duvet_new", 30.0 * WINTER / WINTER.mean() * lift * _ramp("2026-10-08"))]
    rows = [pd.DataFrame({"cat": cat, "sku": sku, "ds": DAYS, "mu": mu,
                          "y": rng.poisson(rng.gamma(5.0, np.maximum(mu, 1e-9) / 5.0)).astype(float)})
            for cat, sku, mu in series]
    return pd.concat(rows, ignore_index=True)


def test_a_winter_launch_into_double_11_is_read_net_of_its_season_and_the_event():
    """Trial 13 F13: a winter duvet launched on 2026-10-08 had its level read over its first weeks,
    inside Double 11 and its season's rise, as their plain mean net of 28% of the pooled uplift
    (a ramp through the event shows little of it), then laid along its category's path from the
    mean pool level of those days: +268% at the New Year sale, ranked #2 for 选品. Here, read that
    way, it was +55% over the window (seeds 1, 2: +68%, +56%); read net of the share of the uplift
    and of its category's path over the same days, it is within 30% of the mean (-23%, -19%, -24%:
    its ramp, which no launch curve in this panel measures, is read as its level). The guard lets
    its path fall from where it stands at the cut-off, not from its level's days."""
    panel = duvet_panel(13)
    history = panel[panel.ds <= CUT].drop(columns="mu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(history, horizon=60, keys=["cat", "sku"], n_jobs=1)
    inside = fc[(fc.ds >= "2027-01-02") & (fc.ds <= "2027-01-29") & (fc.sku == "duvet_new")].merge(
        panel, on=["cat", "sku", "ds"])
    ratio = inside.yhat.sum() / inside.mu.sum()
    assert abs(ratio - 1) < 0.3, (ratio, [str(n) for n in fc.attrs["notes"] if "duvet_new" in str(n)])


def launch_shop(seed: int) -> pd.DataFrame:
    """A winter-heavy shop: six winter duvets (200 to 400 a day on average), four flat towels and
    four summer mats (20 to 40); launches at 15 a day ramping up as ``1 - exp(-age / 18)``: three
    towels (2026-02-01, 03-01, 04-01) and a summer mat (2026-05-08). Columns ``cat, sku, ds, y``."""
    rng = np.random.default_rng(seed)
    shapes = {"duvet": WINTER / WINTER.mean(), "towel": np.ones(len(DAYS)), "mat": SUMMER / SUMMER.mean()}
    series = [("duvet", f"duvet{i}", rng.uniform(200, 400) * shapes["duvet"]) for i in range(6)]
    series += [(cat, f"{cat}{i}", rng.uniform(20, 40) * shapes[cat]) for cat in ("towel", "mat") for i in range(4)]
    series += [(cat, f"{cat}_new{i}", 15.0 * shapes[cat] * _ramp(launch))
               for i, (cat, launch) in enumerate([("towel", "2026-02-01"), ("towel", "2026-03-01"),
                                                  ("towel", "2026-04-01"), ("mat", "2026-05-08")])]
    rows = [pd.DataFrame({"cat": cat, "sku": sku, "ds": DAYS, "y": rng.poisson(mu).astype(float)})
            for cat, sku, mu in series]
    frame = pd.concat(rows, ignore_index=True)
    first = frame[frame.y > 0].groupby("sku").ds.min()  # a launch's rows start at its first sale
    return frame[(frame.ds <= CUT) & (frame.ds >= frame.sku.map(first))]


def test_the_launch_curve_reads_each_launch_against_its_own_category():
    """Trial 13 LX04: measured as shares of the shop's winter-heavy sum, the launches' shares fell
    from August as the winter lines rose, and the curve read that as a fall of x0.62 after its
    second month: a summer mat launched in May was laid x0.74 along it, 618 2027 -54%. Each launch
    read against its category's established series, the curve ramps and holds (here: its last
    level within 10% of its highest, seeds 3-5; against the shop's sum it fell to x0.49-0.51)."""
    frame = launch_shop(3)
    keys = ["cat", "sku"]
    sums = pd.DataFrame({"established": established_series(frame, keys).groupby("ds")["y"].sum()})
    borrows = {("towel", f"towel_new{i}"): ("cat", "towel") for i in range(3)} | {("mat", "mat_new3"): ("cat", "mat")}
    curve = panel_launch_curve(frame, keys, "D", sums, borrows)
    assert curve.usable and curve.launches == 4
    fall = curve.log_level[-1] - curve.log_level.max()
    assert fall > np.log(0.9), curve.log_level
    shop = panel_launch_curve(frame, keys, "D", sums)  # against the shop's sum: the season is read as a fall
    assert shop.log_level[-1] - shop.log_level.max() < np.log(0.7), shop.log_level

