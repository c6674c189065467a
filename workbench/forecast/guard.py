"""The per-series sanity guard: is a model's forecast of one series believable next to its history?

The core calls ``check_prediction`` on every series' forecast; when it returns a reason the core
replaces the forecast by ``GUARD_FALLBACK``'s (as statsforecast's ``fallback_model`` does for a
failed fit) and the note names the series and the reason. (That values are finite and
non-negative the core checks first, for every model.) The checks, in order:

* the baseline (the forecast without event effects; the mean for models without one; for a
  launched series without the growth the panel's launch curve explains,
  ``Prediction.launch_growth``) never exceeds ``PEAK_FACTOR`` times the largest value of the
  last year of history, and its largest
  ``WINDOW``-period total never exceeds ``PEAK_FACTOR`` times the largest such total seen (for a
  series that first sold under ``WINDOW`` periods ago, its total since, scaled to the window): no
  series forecasts many times anything it has seen unless an event profile explains it (event
  uplift is the mean over the baseline, so it is allowed; the mean itself is capped at
  ``EVENT_FACTOR`` times the largest value seen, and so is the highest quantile: a band that
  reaches billions is no band);
* a series with volume in its last ``WINDOW`` periods is not forecast to collapse: the mean
  baseline over its first ``WINDOW`` periods (the same span whatever the horizon asked, so a
  day's forecast does not depend on how far past it one asks) stays above ``1 / PEAK_FACTOR``
  of the recent mean, or of that mean times the fall the series itself made over the same
  periods a year before (``seasonal_fall``: a crab or fruit season ending at the cut-off fell
  to zero last year too). A stop is a model's decision, stated in its notes. A series that has
  already gone quiet (nothing sold in its last ``QUIET`` periods, or a run of zeros that
  ``regime.stopped_since`` calls a stop, such as a week without sales after 18 a day, or a
  month after 300 a month) cannot trip this: a low forecast follows its own data (a monthly SKU
  that sold 1,224 in September and nothing in October is not forecast at 612 a month).

The factors are deliberately loose: the guard catches blow-ups and collapses (a year-on-year
growth factor from a near-zero base reached billions), not ordinary forecast error.
"""

from __future__ import annotations

import numpy as np

from workbench.forecast.models.base import Prediction
from workbench.forecast.models.regime import stopped_since
from workbench.forecast.text import readable

GUARD_FALLBACK = "recent_level"  # registry name of the model that replaces a refused forecast
PEAK_FACTOR = 3.0
EVENT_FACTOR = 10.0
WINDOW = {"D": 28, "W": 4, "MS": 3, "QS": 2}
QUIET = {"D": 14, "W": 2, "MS": 1, "QS": 1}  # periods without sales that make a low forecast believable
YEAR = {"D": 365, "W": 52, "MS": 12, "QS": 4}
SAME_PERIODS_BACK = {"D": 364, "W": 52, "MS": 12, "QS": 4}  # a year back, on the same weekdays for days


def _max_window_total(values: np.ndarray, width: int) -> float:
    width = max(1, min(width, len(values)))
    csum = np.concatenate([[0.0], np.cumsum(values)])
    return float((csum[width:] - csum[:-width]).max())


def seasonal_fall(y: np.ndarray, freq: str, window: int) -> float | None:
    """The fall a series made a year before its forecast starts: the mean of its ``window``
    periods a year before the forecast's first ones over the mean of the ``window`` periods
    before those (``SAME_PERIODS_BACK``). None when the history does not reach that far back or
    sold nothing then (no evidence of a season). ``y``: shape (n,), units per period."""
    back = SAME_PERIODS_BACK.get(freq, 364)
    start = len(y) - back
    if start - window < 0:
        return None
    before = float(np.mean(y[start - window:start]))
    if before <= 0:
        return None
    return float(np.mean(y[start:start + window])) / before


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
    # a launch's ramp, explained by the panel's launches, is no blow-up
    level = base if pred.launch_growth is None else base / np.exp(np.maximum(np.asarray(pred.launch_growth, float), 0))
    window, year = WINDOW.get(freq, 28), YEAR.get(freq, 365)
    recent = y[-year:]
    peak = float(recent.max()) if len(recent) else 0.0
    if level.max() > PEAK_FACTOR * peak and level.max() > 1:
        return (f"its baseline forecast reaches {readable(level.max())} per period, more than {readable(PEAK_FACTOR)}x "
                f"the largest value of the last year ({readable(peak)})")
    if mean.max() > EVENT_FACTOR * float(y.max()) and mean.max() > 1:
        return (f"its forecast reaches {readable(mean.max())} per period, more than {readable(EVENT_FACTOR)}x the "
                f"largest value ever seen ({readable(y.max())})")
    for q, values in sorted(pred.quantiles.items()):
        top = float(np.max(values))
        if top > EVENT_FACTOR * float(y.max()) and top > 1:
            return (f"its P{q * 100:g} reaches {readable(top)} per period, more than {readable(EVENT_FACTOR)}x the "
                    f"largest value ever seen ({readable(y.max())})")
    sold = np.flatnonzero(y > 0)
    since = len(y) - int(sold[0]) if len(sold) else len(y)
    # a series younger than the window has no whole window seen: its rate over its days, scaled up
    seen = _max_window_total(y, window) if since >= window else float(y[-since:].sum()) * window / since
    ahead = _max_window_total(level, window)
    if ahead > PEAK_FACTOR * seen and ahead > 1:
        return (f"its {window}-period baseline total reaches {readable(ahead)}, more than {readable(PEAK_FACTOR)}x the "
                f"largest {window}-period total seen ({readable(seen)})")
    recent_mean = float(y[-window:].mean())
    still_selling = bool((y[-QUIET.get(freq, 14):] > 0).any()) and stopped_since(y, freq, quiet) is None
    first = float(base[:window].mean())
    if still_selling and recent_mean > 0 and len(y) >= window and first < recent_mean / PEAK_FACTOR:
        fall = seasonal_fall(y, freq, window)
        if fall is not None and first >= recent_mean * fall / PEAK_FACTOR:
            return None  # the series fell as far over the same periods a year before: its season
        return (f"its baseline forecast averages {readable(first)} per period over its first {window} periods, "
                f"under 1/{readable(PEAK_FACTOR)} of the last {window} periods' mean ({readable(recent_mean)})"
                + ("" if fall is None else f" and of the fall it made over the same periods a year before "
                                           f"(x{fall:.2f})"))
    return None
