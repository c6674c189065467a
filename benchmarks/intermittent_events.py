"""Small SKUs with scattered zeros and their own event peaks: is each event's window total kept?

A seeded panel of a flat live-stream shop's small SKUs (count data, 20-90% of days with sales):
half of them flat, half with their own 年货节 / New Year sale, 618 and 双11 peaks (a window
multiplier drawn per SKU and event, x1.5-x4, higher on the window's peak days), Poisson counts
around a log-normal day noise, the couriers' Spring Festival pause for all. The shop's sum lifts
far less than an event SKU does, so a series given the pooled uplift alone loses its own (user
trial F5: a SKU at 60-75% sale days, intermittent by the Syntetos-Boylan cut-off, forecast a
third below last year's 年货节).

For each event window of ``WINDOWS`` the history is cut ``LEAD`` days before it and ``auto`` is
fitted on the panel; each SKU is scored on its window by its class of sale-day share (the share
of days with a sale at its base rate, outside events):

* window total forecast / actual: per SKU, the forecast total over the true expected total (the
  seeded mean; a count's own noise would swamp a slow mover's ratio), mean, median and P10-P90
  spread over the SKUs, split into the event SKUs and the flat ones, and its mean absolute log
  (``|log ratio|``: how far off a SKU is, either way);
* WAPE of the days in the window (pooled over the class), and P10-P90 coverage of those days;
* the quiet-day rate: the forecast over the true mean on the days between the cut-off and the
  window (a slow mover's rate must stay unbiased).

A second, young panel (``chance_panel``; ``--chance``) holds what one past window says (user trial
17 F2: a chili-oil SKU of a snack & tea shop opened 2025-08-01, about a unit a day, sold 5 in its
one 年货节 where 27 were expected, its own lift read x0.20 whole and its next 年货节 forecast at a
third of the truth): a shop opened on ``YOUNG_START`` whose 年货节 lifts three SKUs in four
(``YOUNG_LIFT``, each SKU's own around it by ``YOUNG_SPREAD``), the fourth flat, each SKU's event
windows drawn with an occurrence's chance (whether the live streams featured it: a log-normal
multiplier of sd ``OCCURRENCE``, mean 1) on its Poisson counts, cut ``LEAD`` days before 年货节
2027 with one 年货节 seen. Its SKUs are scored by what their one past 年货节 drew over its truth
(``chance_class``: a chance low, under ``CHANCE[0]``, or high, over ``CHANCE[1]``): the 2027
window total over the truth and whether the truth's window total lies in the P10-P90 band of the
window total (``forecast(window=...)``).

    WORKBENCH_SHARED=../shared .venv/bin/python benchmarks/intermittent_events.py [--seeds 0,1] [--skus 12] [--chance]

(the shared data is not read; the variable is not needed.)
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.core import forecast

START = "2022-06-01"  # first day of the history: two whole windows of each event before the first cut-off
# the windows scored, (event, year); each cut LEAD days before its start
WINDOWS = (("new_year_sale", 2025), ("618", 2025), ("double11", 2025), ("new_year_sale", 2026))
LEAD = 42  # days between the cut-off and the window's first day
SALE_EVENTS = ("new_year_sale", "618", "double11")
MULTIPLIER = (1.5, 4.0)  # an event SKU's window multiplier, drawn uniformly per SKU and event
PEAK = 1.5  # the peak days' multiplier over the rest of the window
PAUSE = 0.3  # the couriers' Spring Festival pause: every SKU's multiplier on its days
DAY_NOISE = 0.2  # log-normal day noise (sd) under the Poisson count
# sale-day shares of the SKUs drawn (the share of days with sales at the base rate, no events) and
# the classes they are scored in (lower bound inclusive)
SHARES = (0.2, 0.9)
CLASSES = ((0.0, 0.3, "under 30%"), (0.3, 0.5, "30-50%"), (0.5, 0.75, "50-75%"), (0.75, 1.01, "75-90%"))
YOUNG_START, YOUNG_WINDOW = "2025-08-01", ("new_year_sale", 2027)  # the young shop's first day, its window scored
YOUNG_RATES = (0.4, 1.5)  # units a day of the young shop's SKUs outside events, drawn uniformly (33-78% sale days)
YOUNG_LIFT = 3.0  # the shop's 年货节 window multiplier (the chili oil's)
YOUNG_SPREAD = 0.3  # sd (log) of a SKU's own 年货节 multiplier around the shop's, drawn per SKU
OCCURRENCE = 0.3  # sd (log) of an event window's occurrence multiplier, per SKU and window (a live stream's pick)
CHANCE = (0.6, 1.6)  # a past window drawn under / over these times its truth is a chance low / high


def panel(seed: int, skus: int = 12, end: str = "2026-03-31") -> pd.DataFrame:
    """``4 * skus`` SKUs over ``START``..``end``: ``[sku, ds, y, mean, events, share]`` (units a day;
    ``mean`` the truth y is drawn around; ``events`` True for the SKUs with their own event peaks;
    ``share`` the share of days with a sale at the base rate, which classes the SKU). Each of
    the four classes of ``CLASSES`` gets ``skus`` SKUs, half of them event SKUs, at a base rate
    whose share of days with a sale (Poisson: ``1 - exp(-rate)``) is drawn in the class."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    days = pd.date_range(START, end)
    pause = np.ones(len(days))
    for window in calendar.windows("spring_festival", days[0], days[-1]):
        pause[(days >= window.start) & (days <= window.end)] = PAUSE
    frames = []
    for c, (low, high, _) in enumerate(CLASSES):
        for i in range(skus):
            share = rng.uniform(max(low, SHARES[0]), min(high, SHARES[1]))
            rate = -np.log1p(-share)
            lifted = i % 2 == 0
            mult = pause.copy()
            for event in SALE_EVENTS if lifted else ():
                lift = rng.uniform(*MULTIPLIER)
                for window in calendar.windows(event, days[0], days[-1]):
                    inside = (days >= window.start) & (days <= window.end)
                    peak = days.isin(window.peaks)
                    # the window's mean multiplier is ``lift``: its peak days PEAK times its other days
                    base = lift * inside.sum() / (inside.sum() + (PEAK - 1) * (peak & inside).sum())
                    mult[inside] *= np.where(peak[inside], PEAK * base, base)
            mean = rate * mult
            y = rng.poisson(mean * rng.lognormal(-DAY_NOISE ** 2 / 2, DAY_NOISE, len(days)))
            frames.append(pd.DataFrame({"sku": f"c{c}-{i:02d}", "ds": days, "y": y.astype(float), "mean": mean,
                                        "events": lifted, "share": share}))
    return pd.concat(frames, ignore_index=True)


def chance_panel(seed: int, skus: int = 12) -> pd.DataFrame:
    """The young shop: ``4 * skus`` SKUs from ``YOUNG_START`` to the end of ``YOUNG_WINDOW``'s window,
    ``[sku, ds, y, mean, events, drawn]`` (``mean``: the truth, the expected units a day over the
    occurrences' chance; ``events``: the SKU lifts for 年货节, three in four, x``YOUNG_LIFT`` times
    a log-normal of sd ``YOUNG_SPREAD`` drawn per SKU (every window of it, the peak days ``PEAK``
    times the rest); ``drawn``: the units its one past 年货节 window sold over their truth). Every
    window of 年货节, 618 and 双11, lifted or not, draws its own occurrence multiplier (log-normal,
    sd ``OCCURRENCE``, mean 1); Spring Festival's couriers' pause for all."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    event, year = YOUNG_WINDOW
    last = next(w for w in calendar.windows(event, pd.Timestamp(f"{year - 1}-06-01"), pd.Timestamp(f"{year}-12-31"))
                if w.year == year).end
    days = pd.date_range(YOUNG_START, last)
    pause = np.ones(len(days))
    for window in calendar.windows("spring_festival", days[0], days[-1]):
        pause[(days >= window.start) & (days <= window.end)] = PAUSE
    frames = []
    for i in range(4 * skus):
        lifted = i % 4 != 3  # three in four SKUs lift for 年货节
        mean = rng.uniform(*YOUNG_RATES) * pause
        lift = YOUNG_LIFT * rng.lognormal(-YOUNG_SPREAD ** 2 / 2, YOUNG_SPREAD)
        drawn = mean.copy()
        past = np.zeros(len(days), bool)
        for name in SALE_EVENTS:
            for window in calendar.windows(name, days[0], days[-1]):
                inside = (days >= window.start) & (days <= window.end)
                if name == event and lifted:
                    peak = days.isin(window.peaks)
                    base = lift * inside.sum() / (inside.sum() + (PEAK - 1) * (peak & inside).sum())
                    mean[inside] *= np.where(peak[inside], PEAK * base, base)
                drawn[inside] = mean[inside] * rng.lognormal(-OCCURRENCE ** 2 / 2, OCCURRENCE)
                past |= inside & (name == event) & (window.year < year)
        y = rng.poisson(drawn * rng.lognormal(-DAY_NOISE ** 2 / 2, DAY_NOISE, len(days))).astype(float)
        frames.append(pd.DataFrame({"sku": f"y{i:02d}", "ds": days, "y": y, "mean": mean, "events": lifted,
                                    "drawn": y[past].sum() / mean[past].sum()}))
    return pd.concat(frames, ignore_index=True)


def chance_class(drawn: float) -> str:
    """A past window's draw over its truth as a class: ``"chance low"``, ``"typical"``, ``"chance high"``."""
    return "chance low" if drawn < CHANCE[0] else "chance high" if drawn > CHANCE[1] else "typical"


def chance_score(seed: int, skus: int) -> pd.DataFrame:
    """One row per SKU of the young shop (``chance_panel``): its class of past draw, whether it has
    its own lift, the forecast and true window totals of ``YOUNG_WINDOW`` cut ``LEAD`` days before
    it, and whether the truth lies in the window total's P10-P90 band."""
    calendar = default_calendar()
    data = chance_panel(seed, skus)
    event, year = YOUNG_WINDOW
    window = next(w for w in calendar.windows(event, pd.Timestamp(f"{year - 1}-06-01"), pd.Timestamp(f"{year}-12-31"))
                  if w.year == year)
    cut = window.start - pd.Timedelta(days=LEAD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = forecast(data[data.ds <= cut][["sku", "ds", "y"]], horizon=(window.end - cut).days, model="auto",
                       keys=["sku"], n_jobs=1, window=(window.start, window.end))
    bands = pd.DataFrame(out.attrs["window_bands"]).set_index("sku")
    inside = data[(data.ds >= window.start) & (data.ds <= window.end)]
    truth = inside.groupby("sku")["mean"].sum()
    first = data.groupby("sku").first()
    return pd.DataFrame({"seed": seed, "sku": truth.index, "events": first.events.to_numpy(),
                         "drawn": first.drawn.to_numpy(), "forecast": bands.yhat.reindex(truth.index).to_numpy(),
                         "truth": truth.to_numpy(),
                         "in_band": ((truth >= bands.yhat_q10.reindex(truth.index))
                                     & (truth <= bands.yhat_q90.reindex(truth.index))).to_numpy()})


def chance_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per class of past draw (``chance_class``) and kind of SKU: the window total's ratio to the
    truth (mean, median, P10, P90), its mean absolute log ratio, and the band's coverage of the
    truth's window total."""
    scores = scores.assign(klass=scores.drawn.map(chance_class), ratio=scores.forecast / scores.truth,
                           kind=np.where(scores.events, "event SKU", "flat SKU"))
    rows = []
    for (klass, kind), g in scores.groupby(["klass", "kind"]):
        rows.append({"past window": klass, "SKUs": kind, "n": len(g), "total/truth mean": g.ratio.mean(),
                     "median": g.ratio.median(), "P10": g.ratio.quantile(0.1), "P90": g.ratio.quantile(0.9),
                     "|log ratio|": np.abs(np.log(g.ratio)).mean(), "band coverage %": 100 * g.in_band.mean()})
    return pd.DataFrame(rows)


def score(seed: int, skus: int) -> pd.DataFrame:
    """One row per SKU and window: its class, whether it has events, the forecast and true window
    totals, the window days' absolute errors and band hits, and the quiet days' forecast and truth."""
    calendar = default_calendar()
    data = panel(seed, skus)
    rows = []
    for event, year in WINDOWS:
        window = next(w for w in calendar.windows(event, pd.Timestamp(f"{year - 1}-06-01"),
                                                  pd.Timestamp(f"{year}-12-31")) if w.year == year)
        cut = window.start - pd.Timedelta(days=LEAD)
        history = data[data.ds <= cut]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = forecast(history[["sku", "ds", "y"]], horizon=(window.end - cut).days, model="auto",
                           keys=["sku"], n_jobs=1)
        joined = out.merge(data, on=["sku", "ds"])
        inside = (joined.ds >= window.start) & (joined.ds <= window.end)
        for sku, s in joined.groupby("sku"):
            w, q = s[inside[s.index]], s[~inside[s.index]]
            rows.append({"seed": seed, "window": f"{event} {year}", "sku": sku, "events": bool(s.events.iloc[0]),
                         "sale_days": s.share.iloc[0], "forecast": w.yhat.sum(), "truth": w["mean"].sum(),
                         "actual": w.y.sum(), "abs_error": (w.yhat - w.y).abs().sum(),
                         "in_band": ((w.y >= w.yhat_q10) & (w.y <= w.yhat_q90)).sum(), "days": len(w),
                         "quiet_forecast": q.yhat.sum(), "quiet_truth": q["mean"].sum()})
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per class of sale-day share (and event SKUs or flat ones): the window total's ratio to the
    truth (mean, median, P10, P90 over the SKUs and windows) and its mean absolute log (how far off
    a SKU is, either way), WAPE and P10-P90 coverage of the window's days, and the quiet days'
    forecast over their truth (pooled)."""
    bins = [low for low, _, _ in CLASSES] + [CLASSES[-1][1]]
    scores = scores.assign(klass=pd.cut(scores.sale_days, bins, right=False, labels=[n for _, _, n in CLASSES]),
                           ratio=scores.forecast / scores.truth,
                           kind=np.where(scores.events, "event SKU", "flat SKU"))
    rows = []
    for (klass, kind), g in scores.groupby(["klass", "kind"], observed=True):
        rows.append({"sale days": klass, "SKUs": kind, "n": len(g),
                     "total/actual mean": g.ratio.mean(), "median": g.ratio.median(),
                     "P10": g.ratio.quantile(0.1), "P90": g.ratio.quantile(0.9),
                     "|log ratio|": np.abs(np.log(g.ratio)).mean(),
                     "WAPE %": 100 * g.abs_error.sum() / g.actual.sum(),
                     "coverage %": 100 * g.in_band.sum() / g.days.sum(),
                     "quiet rate": g.quiet_forecast.sum() / g.quiet_truth.sum()})
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1", help="panel seeds, comma-separated")
    parser.add_argument("--skus", type=int, default=12, help="SKUs per class of sale-day share")
    parser.add_argument("--chance", action="store_true", help="the young shop's one past window (chance_panel) only")
    args = parser.parse_args(argv)
    started = time.time()
    if args.chance:
        scores = pd.concat([chance_score(int(seed), args.skus) for seed in args.seeds.split(",")], ignore_index=True)
        print(chance_summary(scores).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        print(f"all SKUs: |log ratio| {np.abs(np.log(scores.forecast / scores.truth)).mean():.3f}, "
              f"band coverage {100 * scores.in_band.mean():.1f}%")
        print(f"\n{len(scores)} SKUs of the young shop, {' '.join(map(str, YOUNG_WINDOW))} (cut {LEAD} days before), "
              f"seeds {args.seeds}; {time.time() - started:.0f} s")
        return
    scores = pd.concat([score(int(seed), args.skus) for seed in args.seeds.split(",")], ignore_index=True)
    table = summary(scores)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\n{len(scores)} SKU-windows, windows {', '.join(f'{e} {y}' for e, y in WINDOWS)} "
          f"(cut {LEAD} days before), seeds {args.seeds}; {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
