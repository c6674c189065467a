"""The per-series sanity guard: is a model's forecast of one series believable next to its history?

The core calls ``check_prediction`` on every series' forecast; when it returns a reason the core
replaces the forecast by ``GUARD_FALLBACK``'s (as statsforecast's ``fallback_model`` does for a
failed fit) and the note names the series and the reason. (That values are finite and
non-negative the core checks first, for every model.) The checks, in order:

* the baseline (the forecast without event effects; the mean for models without one; for a
  launched series without the growth the panel's launch curve explains,
  ``Prediction.launch_growth``, and for a young series without the change along the pooled path it
  follows, ``Prediction.path_change``: a path its models lay only where the pool's season is the
  series', ``models.pool_season``, and whose change is the pool's own, so no larger than the
  pool's own swings; a refused one is replaced with the level held, ``core._fallback``) never exceeds ``PEAK_FACTOR`` times the largest value of the
  last year of history, and its largest
  ``WINDOW``-period total never exceeds ``PEAK_FACTOR`` times the largest such total seen (for a
  series that first sold under ``WINDOW`` periods ago, its total since, scaled to the window): no
  series forecasts many times anything it has seen unless an event profile explains it (event
  uplift is the mean over the baseline, so it is allowed; the mean itself is capped at
  ``EVENT_FACTOR`` times the largest value seen, and so is the highest quantile: a band that
  reaches billions is no band; for a young series both net of the pool's own rise it borrows,
  ``Prediction.pooled_uplift``, set by ``recent_level``: its
  pooled path, no higher than the pool has been, and the
  pooled event uplift it takes whole: a red bedding set launched three weeks before its New
  Year sale rises as far as its category did, not 10x its launch trickle); each cap times the growth the series made over its last year
  (``own_growth``, at most ``MAX_OWN_GROWTH``: a channel growing x9 a year may do so again);
* a series with volume in its last ``WINDOW`` periods is not forecast to collapse: the mean
  baseline over each block of ``WINDOW`` periods of the horizon (a block is judged alone, so a
  longer horizon adds blocks and never changes the judgement of the first; a decay the panel's
  launch curve or a young series' pooled path explains is allowed, as its growth is, from where
  it stands at the cut-off: a winter launch's path is laid from its level's days, which lie below
  its last ones, and a fall from its peak to its January was read as a collapse, trial 13 F13) stays above
  ``1 / PEAK_FACTOR`` of the recent mean (the lower of the last ``WINDOW`` periods' mean and of
  its last quarter's, at least one period: a fall the series made inside the window is its own,
  not the forecast's; a winter duvet that fell from 96 to 10 a day over its last 28 days, forecast
  at 10, was refused against their mean of 54 and held at its peak weeks' level, trial 13 F19), or of that mean times the fall the series itself made
  over the same periods in every earlier year the history reaches (``seasonal_falls``: a crab or
  fruit season ending at the cut-off fell to zero, and stayed there, before; a month's stock-out
  recovers; that fall is of its sales, events and all, so the forecast's mean there is judged
  against it too: a winter sweater's baseline after a New Year sale's weeks falls further than its
  sales do, trial 12's 618 2026 backtest). A stop is a model's decision, stated in its notes. A series that has
  already gone quiet (nothing sold in its last ``QUIET`` periods, or a run of zeros that
  ``regime.stopped_since`` calls a stop, such as a week without sales after 18 a day, or a
  month after 300 a month) cannot trip this: a low forecast follows its own data (a monthly SKU
  that sold 1,224 in September and nothing in October is not forecast at 612 a month).

A window total's band is held to the same rule (``window_cap``: the core's window totals, a level's
summed refits in the event report): no quantile above ``EVENT_FACTOR`` times the largest total of the
window's length seen, or times its point total.

The factors are deliberately loose: the guard catches blow-ups and collapses (a year-on-year
growth factor from a near-zero base reached billions), not ordinary forecast error.
"""

from __future__ import annotations

import numpy as np

from workbench.calendar.years import CALENDAR_YEAR, YEAR_BACK
from workbench.forecast.models.base import Prediction
from workbench.forecast.models.regime import stopped_since
from workbench.forecast.text import readable

GUARD_FALLBACK = "recent_level"  # registry name of the model that replaces a refused forecast
PEAK_FACTOR = 3.0
EVENT_FACTOR = 10.0
WINDOW = {"D": 28, "W": 4, "MS": 3, "QS": 2}
QUIET = {"D": 14, "W": 2, "MS": 1, "QS": 1}  # periods without sales that make a low forecast believable
MAX_OWN_GROWTH = 10.0  # the most of the growth a series made over its last year that a forecast may repeat
GROWTH_WINDOWS = 3  # windows (WINDOW) whose medians a year apart measure that growth
BASE_SELLING = 0.5  # share of the year-before periods that sold: a base, not a trickle


def _explained(pred: Prediction) -> np.ndarray | None:
    """The log change of ``pred``'s baseline the panel explains (shape (horizon,)): a launch's
    growth along the panel's launch curve (``Prediction.launch_growth``) plus a young series'
    pooled path (``Prediction.path_change``, laid only where the pool's season is the series',
    ``models.pool_season``); None without either."""
    parts = [np.asarray(v, float) for v in (pred.launch_growth, pred.path_change) if v is not None]
    return sum(parts) if parts else None


def _pooled_lift(pred: Prediction) -> np.ndarray:
    """The multiple (shape (horizon,), >= 1) of ``pred``'s mean that the pool a young series
    borrows from explains, where it rises (``Prediction.pooled_uplift``: its path, no higher than
    the pool has been, and the event uplift it takes whole): a launch rises into its category's
    festival as far as the category did, not 10x its own few weeks (trial 13 F2); 1 without it."""
    if pred.pooled_uplift is None:
        return np.ones(len(pred.mean))
    return np.exp(np.maximum(np.asarray(pred.pooled_uplift, float), 0.0))


def _max_window_total(values: np.ndarray, width: int) -> float:
    width = max(1, min(width, len(values)))
    csum = np.concatenate([[0.0], np.cumsum(values)])
    return float((csum[width:] - csum[:-width]).max())


def own_growth(y: np.ndarray, freq: str) -> float:
    """How many times its level of a year before the series' recent level is: the median of its
    last ``GROWTH_WINDOWS`` x ``WINDOW`` periods over the median of the same periods a year
    before, between 1 and ``MAX_OWN_GROWTH``; 1 without a base a year before (a history under a
    year and those periods, or a year-before span that sold on under ``BASE_SELLING`` of its
    periods, or whose median is 0: a launch's or a trickle's zeros give no growth to repeat).
    A channel selling 1 a day on half its days a year ago and 91 a day now takes the cap: the
    caps stay finite, so a blow-up to billions from a near-zero base is still refused. Medians over three windows: a
    promotion's days or a short stock-out in either span is no growth (review 10.3 #2: a year-ago
    window half out of stock had allowed x10). ``y``: shape (n,), units per period. A channel
    that grew from 2% to 25% of a shop (x9 in a year) had its forecast 9 months ahead refused at
    3x its last year's largest day and held flat: 618 -67% against its truth, where the model's
    own was +28% (trial 12 F11)."""
    span, year = GROWTH_WINDOWS * WINDOW.get(freq, 28), CALENDAR_YEAR.get(freq, 365)
    if len(y) < year + span:
        return 1.0
    before = y[len(y) - year - span:len(y) - year]
    if (before > 0).mean() < BASE_SELLING or not np.median(before) > 0:
        return 1.0
    return float(np.clip(np.median(y[-span:]) / np.median(before), 1.0, MAX_OWN_GROWTH))


def seasonal_falls(y: np.ndarray, freq: str, window: int, start: int = 0) -> list[float]:
    """The falls a series made in earlier years over the periods of the year its forecast's
    block ``start``..``start + window`` covers: per year back (``YEAR_BACK``) that the
    history reaches, the mean over the same periods of that year (the block's place in the year,
    ``start`` modulo a year: a block 13-15 months ahead is judged by the months 1-3 after each
    earlier cut-off) and the ``window`` after them (a season's end stays low; a month's stock-out
    recovers) over the mean of the ``window`` periods before the cut-off's date that year (of the
    part of them the history holds, half of them at least, the fall then taken from the same days
    before this cut-off: their mean over the whole window's, a moving festival's weeks apart). The
    periods after the block stop ``window`` before the next year's cut-off date: the next season's
    run-up to it is the level the forecast is compared with (``recent_mean``), not a fall's end (a
    crab season from September to November, cut at its end: the months after June had counted
    its next September and read the forecast zero of June and July as a collapse); the block's
    own periods are always read. A trough is a fall too, whatever follows it: a block a window or
    more into the year takes the lower of that fall and the larger of its own periods' mean and the
    window's before them (a winter seller cut at its peak: its September trough a year back is
    followed by its next season's October rise, which read a fall of x0.01 as x0.23, trial 13 F6; a
    month's stock-out recovers before and after). Years that sold nothing before it give no evidence
    and are left out.
    ``y``: shape (n,), units per period; returns one finite ratio per year with evidence (may be
    empty)."""
    back = YEAR_BACK.get(freq, 364)
    place = start % back
    falls = []
    years = 1
    # a history that begins inside the window before that year's cut-off date reads the part it holds,
    # half a window at least (a year of history from February to a February cut-off, trial 12)
    while len(y) - years * back - (window + 1) // 2 >= 0:
        cut = len(y) - years * back
        held = min(window, cut)
        before = float(np.mean(y[cut - held:cut]))
        # cut + place < cut + back <= len(y): the block's first period is always in the history
        end = min(cut + place + 2 * window, max(cut + place + window, cut + back - window), len(y))
        # a part of the window: its fall, from the same days before this cut-off, to the whole window's mean
        same_days = float(np.mean(y[-held:]) / np.mean(y[-window:])) if held < window and y[-window:].any() else 1.0
        if before > 0:
            fall = float(np.mean(y[cut + place:end]))
            if place >= window:  # a trough: low over the block and the window before it, whatever follows
                fall = min(fall, max(float(np.mean(y[cut + place:cut + place + window])),
                                     float(np.mean(y[cut + place - window:cut + place]))))
            falls.append(fall / before * same_days)
        years += 1
    return falls


def check_prediction(y, pred: Prediction, freq: str = "D", quiet=None) -> str | None:
    """Why ``pred`` is not a sane forecast of the series with history ``y``, or None if it is.

    Parameters
    ----------
    y : the fitted history, shape (n,), units per period (>= 0).
    pred : the model's prediction for the periods after ``y``.
    freq : ``"D"``, ``"W"``, ``"MS"`` or ``"QS"`` (sets the comparison window and the year).
    quiet : boolean mask of ``y``'s quiet periods (``features.quiet_periods``), shape (n,), for
        ``regime.stopped_since`` (None: only its long rule).

    Returns
    -------
    A short reason in words (with the figures), or None.
    """
    y = np.asarray(y, float)
    mean = np.asarray(pred.mean, float)
    base = np.asarray(pred.baseline, float) if pred.baseline is not None else mean
    base = np.where(np.isfinite(base), base, mean)
    # a launch's ramp, explained by the panel's launches, and a young series' pooled path are no blow-up
    change = _explained(pred)
    level = base if change is None else base / np.exp(np.maximum(change, 0))
    window, year = WINDOW.get(freq, 28), CALENDAR_YEAR.get(freq, 365)
    recent = y[-year:]
    peak = float(recent.max()) if len(recent) else 0.0
    # a series that grew over its last year may grow as much again: the caps allow that growth
    # as far ahead as the forecast reaches: a year's growth over a year, its root over a quarter
    growth = own_growth(y, freq) ** min(1.0, len(level) / year)
    grown = f" times the growth it made over its last year, to its horizon (x{growth:.2f})" if growth > 1 else ""
    if level.max() > PEAK_FACTOR * growth * peak and level.max() > 1:
        return (f"its baseline forecast reaches {readable(level.max())} per period, more than {readable(PEAK_FACTOR)}x "
                f"the largest value of the last year ({readable(peak)}){grown}")
    # a young series' pooled path and the events it borrowed whole rise as far as the pool's own did
    lift = _pooled_lift(pred)
    lifted = mean / lift
    if lifted.max() > EVENT_FACTOR * growth * float(y.max()) and lifted.max() > 1:
        return (f"its forecast reaches {readable(mean.max())} per period, more than {readable(EVENT_FACTOR)}x the "
                f"largest value ever seen ({readable(y.max())}){grown}"
                + (f" and the pool's own rise it borrows (x{lift[lifted.argmax()]:.2f} there)"
                   if lift[lifted.argmax()] > 1 else ""))
    for q, values in sorted(pred.quantiles.items()):
        over = np.asarray(values, float) / lift
        if over.max() > EVENT_FACTOR * growth * float(y.max()) and over.max() > 1:
            return (f"its P{q * 100:g} reaches {readable(float(np.max(values)))} per period, more than "
                    f"{readable(EVENT_FACTOR)}x the largest value ever seen ({readable(y.max())}){grown}"
                    + (f" and the pool's own rise it borrows (x{lift[over.argmax()]:.2f} there)"
                       if lift[over.argmax()] > 1 else ""))
    sold = np.flatnonzero(y > 0)
    since = len(y) - int(sold[0]) if len(sold) else len(y)
    # a series younger than the window has no whole window seen: its rate over its days, scaled up
    seen = _max_window_total(y, window) if since >= window else float(y[-since:].sum()) * window / since
    ahead = _max_window_total(level, window)
    if ahead > PEAK_FACTOR * growth * seen and ahead > 1:
        return (f"its {window}-period baseline total reaches {readable(ahead)}, more than {readable(PEAK_FACTOR)}x the "
                f"largest {window}-period total seen ({readable(seen)}){grown}")
    # a fall the series made inside its last window is its own: judged from its last quarter of it;
    # days only, where a quarter holds a week (a week's or a month's quarter is one period, and one low
    # period would lower the bar to a third of it: review 12.1 F3)
    # and read on its quiet days: a closure in the Spring Festival pause is no fall of its own
    quarter = max(1, window // 4)
    recent_mean, span = float(y[-window:].mean()), window
    last = y[-quarter:] if quiet is None else y[-quarter:][np.asarray(quiet, bool)[-quarter:]]
    if (freq == "D" and len(last) * 2 >= quarter and float(last.mean()) < recent_mean
            and not np.isclose(last.mean(), recent_mean)):
        recent_mean, span = float(last.mean()), quarter
    still_selling = bool((y[-QUIET.get(freq, 14):] > 0).any()) and stopped_since(y, freq, quiet) is None
    # every block of WINDOW periods (the first always; a last part of at least half a window), net
    # of a decay the panel's launch curve or a young series' path explains from where it stands at the
    # cut-off (a path is read from its level's days, which a winter launch's lay below its last ones):
    # a longer horizon adds blocks, never changes one
    explained = base if change is None else base / np.exp(np.minimum(change - change[0], 0))
    if still_selling and recent_mean > 0 and len(y) >= window:
        for start in range(0, len(explained), window):
            block = explained[start:start + window]
            if start and len(block) < window / 2:
                break
            mean_block = float(block.mean())
            if mean_block >= recent_mean / PEAK_FACTOR:
                continue
            falls = seasonal_falls(y, freq, window, start)
            # the falls are of its sales, events and all: the forecast's own sales are judged against them
            sold_block = max(mean_block, float(np.mean(mean[start:start + window])))
            if falls and sold_block >= recent_mean * max(falls) / PEAK_FACTOR:
                continue  # the series fell as far over these periods in every earlier year: its season
            where = f"over its first {window} periods" if start == 0 else f"over its periods {start + 1}-{start + len(block)}"
            return (f"its baseline forecast averages {readable(mean_block)} per period {where}, under "
                    f"1/{readable(PEAK_FACTOR)} of the last {span} periods' mean ({readable(recent_mean)})"
                    + (f" and of the least fall it made over the same periods in an earlier year "
                       f"(x{max(falls):.2f})" if falls and max(falls) < 1 else ""))
    return None


def window_cap(y, total: float, length: int, reach: int, freq: str = "D", pooled: float = 1.0
               ) -> tuple[float, str]:
    """The largest believable quantile of a series' total over a window, and why: a band is held
    to the rule the forecast's point is (``check_prediction``'s ``EVENT_FACTOR`` cap on the mean and
    every quantile), read on the window's total: no quantile of it above ``EVENT_FACTOR`` times the
    largest total of the window's length the series has seen (for a series that first sold under
    that many periods ago, its total since, scaled to the window), times the growth it made over
    its last year (``own_growth``, to the window's end) and the pool's own rise a young series
    borrows there, nor above ``EVENT_FACTOR`` times the window's point total (the tighter of the
    two, never below the point total the guard passed): a band that reaches an order of magnitude
    past its point or the series' range is no band (trial 14 F8/F21/F28: a seasonal SKU's refits
    from its off season missed its first winter, and its 618 / 双11 / 年货节 P90s came out at 4,023 /
    108,865 / 294,809 units against 61 / 606 / 663 sold).

    Parameters
    ----------
    y : the fitted history, shape (n,), units per period (>= 0): the censored one the models read.
    total : the window's point total (units).
    length : the periods the window touches.
    reach : periods from the history's end to the window's last period (the growth's horizon).
    freq : ``"D"``, ``"W"``, ``"MS"`` or ``"QS"``.
    pooled : the multiple (>= 1) of the point total the pool a young series borrows from explains
        (``Prediction.pooled_uplift`` over the window, ``core._window_total``); 1 without it.

    Returns
    -------
    ``(cap, why)``: the cap in units (at least 1) and the words of the rule that sets it, for a
    note.
    """
    y = np.asarray(y, float)
    sold = np.flatnonzero(y > 0)
    since = len(y) - int(sold[0]) if len(sold) else len(y)
    seen = _max_window_total(y, length) if since >= length else float(y[-since:].sum()) * length / max(since, 1)
    growth = own_growth(y, freq) ** min(1.0, reach / CALENDAR_YEAR.get(freq, 365))
    ranged = EVENT_FACTOR * growth * pooled * seen
    if ranged < EVENT_FACTOR * total:  # the tighter of the two; never below the point, which the guard passed
        grown = f" times the growth it made over its last year (x{growth:.2f})" if growth > 1 else ""
        pool = f" and the pool's own rise it borrows (x{pooled:.2f})" if pooled > 1 else ""
        return max(ranged, total, 1.0), (f"{readable(EVENT_FACTOR)}x the largest {length}-period total seen "
                                         f"({readable(seen)}){grown}{pool}")
    return max(EVENT_FACTOR * total, 1.0), f"{readable(EVENT_FACTOR)}x its point total ({readable(total)})"
