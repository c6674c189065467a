"""Deterministic sample history of weekly traffic spend and attributed GMV per channel.

Six channels at the scale of the base plan (traffic about 120M CNY a year across splash-screen,
feed and challenge campaigns, plus smaller DOU+ boosts, creator (KOL) partnerships and
live-stream sponsorship), over the 104 weeks to late October 2026 (the span of the workbench's
sample sales data). Each channel has a known yearly Hill curve (:data:`TRUE_CURVES`); weekly GMV
is that curve scaled to one week of even spend, times log-normal attribution noise. Spend moves
around its level week to week and rises in the 618, Double 11 (双11) and New Year sale (年货节)
campaign windows of the retail calendar, which spreads it over the curve so the fit can see its
shape. The last 52 weeks of spend add up to :data:`LAST_YEAR_SPEND` (to the fen).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.budget.curves import HillCurve
from workbench.calendar import default_calendar

SEED = 20250618
WEEKS = 104
LAST_WEEK = "2026-10-26"  # a Monday; weeks are labelled by their Monday

# yearly curves: GMV (CNY) for a year of even spend (CNY)
TRUE_CURVES = {
    "splash": HillCurve(900e6, 60e6, 1.0),
    "feed": HillCurve(700e6, 35e6, 0.9),
    "challenge": HillCurve(400e6, 30e6, 1.6),
    "dou_plus": HillCurve(300e6, 15e6, 0.8),
    "kol": HillCurve(500e6, 40e6, 1.4),
    "live_sponsorship": HillCurve(650e6, 45e6, 1.8),
}
LAST_YEAR_SPEND = {"splash": 45e6, "feed": 36e6, "challenge": 25e6, "dou_plus": 12e6, "kol": 15e6,
                   "live_sponsorship": 10e6}
LABELS = {
    "splash": "Splash-screen ads 开屏广告",
    "feed": "Feed ads 信息流广告",
    "challenge": "Challenge campaigns 挑战赛",
    "dou_plus": "DOU+ boosts DOU+加热",
    "kol": "Creator (KOL) partnerships 达人合作",
    "live_sponsorship": "Live-stream sponsorship 直播间赞助",
}
_CAMPAIGN_LIFT = {"618": 1.8, "double11": 2.1, "new_year_sale": 1.3}
_SPEND_SD = 0.45  # log-scale week-to-week spread of spend
_GMV_SD = 0.10  # log-scale attribution noise


def _campaign_multiplier(weeks: pd.DatetimeIndex) -> np.ndarray:
    """Spend lift per week from the campaign windows it overlaps."""
    calendar = default_calendar()
    lift = np.ones(len(weeks))
    ends = weeks + pd.Timedelta(days=6)
    for event, factor in _CAMPAIGN_LIFT.items():
        for window in calendar.windows(event, weeks.min(), ends.max()):
            overlaps = (weeks <= window.end) & (ends >= window.start)
            lift[overlaps] = np.maximum(lift[overlaps], factor)
    return lift


def sample_channel_history(seed: int = SEED) -> pd.DataFrame:
    """The sample history: ``week, channel, spend, gmv`` (CNY per week), one row per channel-week."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(end=LAST_WEEK, periods=WEEKS, freq="W-MON")
    campaign = _campaign_multiplier(weeks)
    trend = np.linspace(0.75, 1.0, WEEKS)  # traffic budgets grew over the two years
    frames = []
    for channel, curve in TRUE_CURVES.items():
        weekly = curve.rescaled(1 / 52)
        spend = trend * campaign * np.exp(rng.normal(0.0, _SPEND_SD, WEEKS))
        spend *= LAST_YEAR_SPEND[channel] / spend[-52:].sum()
        gmv = weekly.gmv(spend) * np.exp(rng.normal(0.0, _GMV_SD, WEEKS))
        frames.append(pd.DataFrame({"week": weeks, "channel": channel,
                                    "spend": spend.round(2), "gmv": gmv.round(2)}))
    return pd.concat(frames, ignore_index=True)


def is_sample_history(history: pd.DataFrame | None) -> bool:
    """Whether ``history`` (``week, channel, spend, gmv``, as a scenario reads it) is this sample
    history, to the fen: then a scenario's channels and their curves are the example's, not a
    team's own, and a plan built on a team's sales must say so.

    Returns False for None or any table that differs in a week, a channel or an amount.
    """
    if history is None:
        return False
    sample = sample_channel_history()
    if len(history) != len(sample) or set(history.columns) < set(sample.columns):
        return False
    keys = ["channel", "week"]
    mine = history.assign(week=pd.to_datetime(history["week"]), channel=history["channel"].astype(str))
    mine = mine.sort_values(keys).reset_index(drop=True)
    sample = sample.sort_values(keys).reset_index(drop=True)
    return bool(mine["channel"].eq(sample["channel"]).all() and mine["week"].eq(sample["week"]).all()
                and np.allclose(mine[["spend", "gmv"]].to_numpy(float), sample[["spend", "gmv"]].to_numpy(float),
                                rtol=0, atol=0.01))
