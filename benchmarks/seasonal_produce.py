"""Seeded seasonal produce against its generator's truth (no ../shared data needed): the yearly
on/off season's rule (``models.yearly_season``), its edges, its level's band and its months.

Four measures, each printed with its figure (``--only`` picks some):

* ``closure``: a shop selling about 30 a day, closed from 10 days before to 20 days after each
  Spring Festival, 2023-03-01..2026-11-29, 150 days ahead: open days forecast at zero and
  closed days forecast above 1 a day (the closure's place in 2027 read on the calendar date or
  at the same distance from the festival);
* ``edges``: a fruit on sale about 20 a day (x1.2 a year) from 1 May to 30 September, each
  year's edges moved by a normal error of sd ``--jitter`` days, cut 2026-08-15, 300 days ahead:
  on the days within 21 of a true edge, the P10-P90 coverage and the share inside the band of
  the days on the other side of last year's edge; WAPE over all 300 days; how many seeds read
  the fruit's off season (which holds Spring Festival) at the festival's distance;
* ``spread``: a fruit on sale from 1 April to 31 July, each season's level the last one's times
  exp(N(log 1.3, tau)), 2, 3 or 4 seasons seen, cut 2026-12-31: the P10-P90 coverage of its
  window total 2027-04-05..05-30, the log error's root mean square and the band's mean log width;
* ``months``: monthly cherries (December to February) beside six year-round lines, all with a
  x2.5 New Year sale (35 to 8 days before the festival) and a x0.1 courier pause (7 before to 16
  after), cut at November 2026: forecast over expected units for December, January, February.

    .venv/bin/python benchmarks/seasonal_produce.py [--only closure edges spread months] [--seeds 12]

The seeded generators (``festival_closure``, ``closed_over_festival``, ``april_fruit``, ``festival``,
``cherries_panel``) are also the tests' (``tests/forecast/test_yearly_season.py``,
``test_event_profile_off_season.py``, ``test_ets_off_season.py``): one generator, the same arrays.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from workbench.calendar import spring_festival
from workbench.forecast.core import forecast
from workbench.forecast.models.yearly_season import yearly_off


def festival_closure(days: pd.DatetimeIndex) -> np.ndarray:
    """Boolean mask (shape (len(days),)) of the days from 10 before to 20 after each Spring Festival."""
    out = np.zeros(len(days), bool)
    for year in range(days[0].year, days[-1].year + 1):  # a year's last days are before the next festival's closure
        sf = spring_festival(year)
        out |= (days >= sf - pd.Timedelta(days=10)) & (days <= sf + pd.Timedelta(days=20))
    return out


def closed_over_festival(seed: int, first: str = "2023-03-01", end: str = "2026-11-29") -> pd.Series:
    """A shop's units a day, ``first``..``end``: about 30 (Poisson around a log-normal day noise of sd
    0.15), none from 10 days before to 20 after each Spring Festival (``festival_closure``:
    2024-02-10, 2025-01-29, 2026-02-17, 2027-02-06)."""
    days = pd.date_range(first, end)
    rng = np.random.default_rng(seed)
    y = rng.poisson(30.0 * rng.lognormal(0, 0.15, len(days))).astype(float)
    y[festival_closure(days)] = 0
    return pd.Series(y, days)


def steady(seed: int, sku: str, level: float, days: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({"sku": sku, "ds": days, "y": np.random.default_rng(seed).poisson(level, len(days))})


def closure(seeds: int) -> None:
    wrong_zero = wrong_sold = 0
    for seed in range(seeds):
        y = closed_over_festival(seed)
        frame = pd.concat([pd.DataFrame({"sku": "shop", "ds": y.index, "y": y.to_numpy()}),
                           steady(seed + 50, "tea", 25, y.index)])
        fc = forecast(frame, horizon=150, keys=["sku"], n_jobs=1)
        shop = fc[fc.sku == "shop"]
        truth = festival_closure(pd.DatetimeIndex(shop.ds))
        wrong_zero += int(((shop.yhat == 0).to_numpy() & ~truth).sum())
        wrong_sold += int(((shop.yhat > 1).to_numpy() & truth).sum())
    print(f"closure: {seeds} seeds, open days forecast at zero {wrong_zero}, closed days forecast above 1 a day "
          f"{wrong_sold}")


def jittered(seed: int, jitter: float) -> tuple[pd.Series, list[pd.Timestamp]]:
    days = pd.date_range("2023-04-01", "2027-06-30")
    rng = np.random.default_rng(seed)
    on, edges = np.zeros(len(days), bool), []
    for year in range(2023, 2028):
        start = pd.Timestamp(f"{year}-05-01") + pd.Timedelta(days=int(round(rng.normal(0, jitter))))
        stop = pd.Timestamp(f"{year}-09-30") + pd.Timedelta(days=int(round(rng.normal(0, jitter))))
        on |= (days >= start) & (days <= stop)
        edges += [start, stop + pd.Timedelta(days=1)]
    mean = np.where(on, 20.0 * 1.2 ** ((days - days[0]).days / 365.0), 0.0)
    return pd.Series(rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days))).astype(float), days), edges


def edges(seeds: int, jitter: float) -> None:
    cut, horizon = pd.Timestamp("2026-08-15"), 300
    near = inside = wrong = wrong_inside = lunar = 0
    errors, sold = 0.0, 0.0
    for seed in range(seeds):
        y, moved = jittered(seed, jitter)
        history = y[:cut]
        found = yearly_off(history.to_numpy(), "D", history.index)
        lunar += found is not None and found.festivals is not None
        frame = pd.concat([pd.DataFrame({"sku": "fruit", "ds": history.index, "y": history.to_numpy()}),
                           steady(100 + seed, "tea", 25, history.index), steady(200 + seed, "nuts", 40, history.index)])
        fc = forecast(frame, horizon=horizon, keys=["sku"], n_jobs=1)
        fruit = fc[fc.sku == "fruit"].set_index("ds")
        truth = y.reindex(fruit.index).to_numpy()
        close = np.zeros(horizon, bool)
        for edge in moved:
            close |= np.abs((fruit.index - edge).days) <= 21
        ok = (truth >= fruit.yhat_q10.to_numpy()) & (truth <= fruit.yhat_q90.to_numpy())
        other = close & ((truth > 0) != (fruit.yhat.to_numpy() > 0))
        near, inside = near + close.sum(), inside + ok[close].sum()
        wrong, wrong_inside = wrong + other.sum(), wrong_inside + ok[other].sum()
        errors, sold = errors + np.abs(fruit.yhat.to_numpy() - truth).sum(), sold + truth.sum()
    print(f"edges (sd {jitter:g} days): {seeds} seeds, days within 21 of an edge {near}: P10-P90 coverage "
          f"{inside / near:.1%}; on the other side of last year's edge {wrong}: inside P10-P90 "
          f"{wrong_inside / max(wrong, 1):.1%}; WAPE {errors / sold:.1%}; read at the festival's distance {lunar}")


def april_fruit(seed: int, seasons: int, tau: float, end: str = "2027-07-31") -> tuple[pd.Series, pd.Series]:
    """A fruit on sale from 1 April to 31 July, about 20 a day in its first season, each season's
    level the last one's times exp(N(log 1.3, tau)); ``seasons`` seasons before 2027: its units a day
    to ``end`` (Poisson around a log-normal day noise of sd 0.2) and its mean through July 2027."""
    days = pd.date_range(f"{2027 - seasons}-04-01", "2027-07-31")
    rng = np.random.default_rng(seed)
    mean, level = np.zeros(len(days)), 20.0
    for year in range(days[0].year, 2028):
        mean[(days >= f"{year}-04-01") & (days <= f"{year}-07-31")] = level
        level *= np.exp(rng.normal(np.log(1.3), tau))
    y = rng.poisson(mean * rng.lognormal(-0.02, 0.2, len(days))).astype(float)
    return pd.Series(y, days)[:end], pd.Series(mean, days)


def spread(seeds: int) -> None:
    cut, window = pd.Timestamp("2026-12-31"), (pd.Timestamp("2027-04-05"), pd.Timestamp("2027-05-30"))
    for seasons, tau in ((2, 0.15), (3, 0.15), (4, 0.05), (4, 0.15), (4, 0.3)):
        inside, errors, widths = 0, [], []
        for seed in range(seeds):
            y, _ = april_fruit(seed, seasons, tau)
            history = y[:cut]
            frame = pd.concat([pd.DataFrame({"sku": "fruit", "ds": history.index, "y": history.to_numpy()}),
                               steady(100 + seed, "tea", 25, history.index)])
            fc = forecast(frame, horizon=(window[1] - cut).days, keys=["sku"], window=window, n_jobs=1)
            band = pd.DataFrame(fc.attrs["window_bands"]).set_index("sku").loc["fruit"]
            truth = y[window[0]:window[1]].sum()
            inside += band["yhat_q10"] <= truth <= band["yhat_q90"]
            errors.append(np.log(max(band["yhat"], 1.0) / truth))
            widths.append(np.log(max(band["yhat_q90"], 1.0) / max(band["yhat_q10"], 1.0)))
        print(f"spread ({seasons} seasons, tau {tau:g}): {seeds} seeds, window P10-P90 coverage {inside}/{seeds}, "
              f"log error rms {np.sqrt(np.mean(np.square(errors))):.3f}, mean log width {np.mean(widths):.3f}")


def festival(days: pd.DatetimeIndex) -> np.ndarray:
    """The festival's day multipliers (shape (len(days),)): x2.5 New Year sale 35 to 8 days before
    Spring Festival, x0.1 courier pause 7 before to 16 after, 1 elsewhere."""
    out = np.ones(len(days))
    for year in range(days[0].year, days[-1].year + 2):
        k = (days - spring_festival(year)).days.to_numpy()
        out = np.where((k >= -35) & (k <= -8), 2.5, out)
        out = np.where((k >= -7) & (k <= 16), 0.1, out)
    return out


def cherries_panel(seed: int, lines: int = 6) -> tuple[pd.DataFrame, pd.Series]:
    """Monthly units, December 2022 to February 2027, of ``lines`` year-round lines (about 40 a day,
    x1.1 a year) and cherries (December to February, about 60 a day, x1.3 a year), all with the
    ``festival``'s sale and pause (Poisson around a log-normal day noise of sd 0.1, summed per
    month): the frame ``[sku, ds, y]`` and the cherries' expected units a month."""
    days = pd.date_range("2022-12-01", "2027-02-28")
    rng, lift = np.random.default_rng(seed), festival(days)
    frames = []
    for i in range(lines):
        mean = 40.0 * lift * 1.1 ** ((days - days[0]).days / 365)
        units = pd.Series(rng.poisson(mean * rng.lognormal(0, 0.1, len(days))), days).resample("MS").sum()
        frames.append(pd.DataFrame({"sku": f"line{i}", "ds": units.index, "y": units.to_numpy()}))
    mean = np.where(np.isin(days.month, (12, 1, 2)), 60.0 * lift * 1.3 ** ((days - days[0]).days / 365), 0.0)
    units = pd.Series(rng.poisson(mean * rng.lognormal(0, 0.1, len(days))), days).resample("MS").sum()
    frames.append(pd.DataFrame({"sku": "cherries", "ds": units.index, "y": units.to_numpy()}))
    return pd.concat(frames, ignore_index=True), pd.Series(mean, days).resample("MS").sum()


def months(seeds: int) -> None:
    ratios = []
    for seed in range(seeds):
        frame, expected = cherries_panel(seed)
        fc = forecast(frame[frame.ds <= "2026-11-01"], horizon=3, keys=["sku"], freq="MS", n_jobs=1)
        cherries = fc[fc.sku == "cherries"].set_index("ds").yhat
        ratios.append((cherries / expected.reindex(cherries.index)).to_numpy())
    ratios = np.array(ratios)
    print(f"months: {seeds} seeds, cherries' forecast over expected units, December / January / February: "
          + " / ".join(f"{r:.2f}" for r in ratios.mean(axis=0))
          + f"; mean |log ratio| {np.abs(np.log(ratios)).mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=("closure", "edges", "spread", "months"),
                        default=("closure", "edges", "spread", "months"))
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--jitter", type=float, default=7.0, help="sd (days) of the fruit's edges in `edges`")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: give at least 1 seed")
    if args.jitter < 0:
        parser.error(f"--jitter {args.jitter:g}: a standard deviation is 0 or more")
    warnings.filterwarnings("ignore")
    for name in args.only:
        if name == "edges":
            edges(args.seeds, args.jitter)
        else:
            {"closure": closure, "spread": spread, "months": months}[name](args.seeds)


if __name__ == "__main__":
    main()
