"""Moving (lunar) holiday effects on weekly and monthly series: the New Year sale
(年货节) before Spring Festival and the parcel collapse around it, which move by up to a month
between years, so a fixed 52-week or 12-month seasonal index cannot hold them.

Pure functions on one series' arrays and dates. The method is the Chinese New Year regressors
of X-13ARIMA-SEATS' regARIMA (Lin & Liu, "Modelling lunar calendar holiday effects in Taiwan",
Taiwan Economic Forecast and Policy 33, 2003; U.S. Census Bureau, ``genhol``):
- one regressor per window around the festival (``WINDOWS``: the calendar's ``new_year_sale``
  and ``spring_festival`` windows; for weeks the latter split into the wind-down, the statutory
  holiday and the recovery), valued per period as the share of the period's days inside it;
- a week's lift is its days' mean (``share_lift``): a day inside window j sells ``exp(beta_j)``
  times a day outside, so a week of 4 collapse days at x0.25 and 3 normal ones sells
  ``(4 x 0.25 + 3) / 7 = 0.57`` of a normal week. genhol's regressors enter regARIMA's log
  model linearly, ``sum_j share_j beta_j``: the days' geometric mean, 0.45 there, so a week
  straddling a window's edge, whose days differ most, was forecast a quarter off (seeded); the
  linear form is the mean's first-order expansion at no effect and the estimate's starting
  point. Months keep the linear form (``DAY_MEAN_FREQUENCIES`` says why);
- the weekly windows' boundaries (the sale's first day, the collapse's first day, the recovery's last
  day; from two festivals seen also the holiday's last day) are chosen by AICc among a small
  grid around the calendar's (``SALE_STARTS``, ``COLLAPSE_STARTS`` or from two festivals
  ``COLLAPSE_DAYS``, ``RECOVERY_ENDS``, ``HOLIDAY_ENDS``), as X-13ARIMA-SEATS chooses
  ``easter[w]``'s window length (``aictest``); in a panel on the pooled sum, then used by every
  series; a planner's calendar that sets the windows (``--events``) fixes them;
- each regressor is centred on its long-run mean at the same calendar position (month of year,
  week of year; over the calendar's years 2000-2099), so that the seasonal index keeps
  the festival's average effect and the regressor carries only its movement (genhol's
  "calendar" centring). A model with no season gets the uncentred regressors: the whole effect;
- their coefficients (log lift of a period wholly inside the window) are estimated on log demand
  by least squares (non-linear at weeks: ``fit_lift``) jointly with the season (one dummy per
  seasonal position) and a
  piecewise-linear trend (a bend each season) when the history holds the whole festival span
  at least ``MIN_PLACEMENTS`` times (``own_effect``);
- from one or two whole festivals (a young shop's one or two years) the columns are not
  identified beside a season (two festivals identify them only by their shift, a few days to a
  month), and beside a trend alone they are dummies of their periods, which hold whatever else
  happened in them. There each festival is measured against its own neighbourhood
  (``local_effect``): the line through the quiet periods either side of its span
  (``LOCAL_BASELINE`` of them; no 618 or Double 11 period), and the excess over it of the
  periods the spans touch regressed on their shares, one set of effects for all the festivals
  seen. That festival-anchored part of a one- or two-season history is removed at its dates
  and added back at this year's, with uncentred regressors (``LunarEffect.centred``; the season
  seen then holds no festival): next year's collapse falls on its lunar weeks and months, not
  on last year's calendar ones;
- a series' estimate is combined with a pooled one (the same fit on the sum of a panel's
  established series) by precision weighting, the pooled one's variance widened by
  ``PRIOR_SD`` squared (partial pooling: Gelman & Hill, *Data Analysis Using Regression and
  Multilevel/Hierarchical Models*, 2007, ch. 12); a series that cannot identify its own takes
  the pooled one whole.

618 and Double 11 are solar: they keep their month, so the monthly season holds
them; against a 52-week season they drift by one day a year (two after a leap day), as every
solar date does, and need no moving-holiday regressor.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar, default_calendar, spring_festival
from workbench.data.validate import SEASON_LENGTH
from workbench.errors import CalendarRangeError

PRE, WIND_DOWN, HOLIDAY, POST, FESTIVAL = "pre-festival", "wind-down", "holiday", "recovery", "festival"
FESTIVAL_EVENTS = ("new_year_sale", "spring_festival")  # the calendar's windows this module models
# the frequencies with moving-holiday effects: a quarter holds the whole festival but for up to
# two weeks of the sale in December (under 6% of a quarter's days); on the seeded quarterly panel
# the effects moved WAPE 2.35 -> 2.40% (docs/benchmarks.md), so quarters keep their season only
WINDOWS = {"W": (PRE, WIND_DOWN, HOLIDAY, POST), "MS": (PRE, FESTIVAL)}
# weeks resolve the festival window's parts: the days before the statutory holiday, the holiday
# (eve to day 6: the deepest collapse) and the recovery after it (a synthetic collapse twice as
# deep in the holiday as before it was 20% over-forecast in its weeks with one festival column);
# months cannot (the parts would be one column three times), so there the
# festival is the whole ``spring_festival`` window
HOLIDAY_DAYS = (-1, 6)  # the statutory Spring Festival holiday, days from the festival (eve to day 6)
# whole festival spans a series' history needs to estimate its own effects beside the season; with
# one, even a model with no season read noise as effects (parcel origins' months: WAPE 16.7 ->
# 20.3%); with two, measured against their neighbours (``local_effect``), the parcel origins' months
# went 17.9 -> 17.5% and a seeded two-festival shop's collapse week +83..+232% -> -23..+34%
# (docs/benchmarks.md)
MIN_PLACEMENTS = 3
MIN_RESIDUAL_DOF = 4  # fewest residual degrees of freedom of that regression
LIFT_BOUNDS = (-5.0, 3.0)  # log lift of a day inside a window: x0.007 (closed) to x20
# the frequencies whose periods' lift is their days' mean multiplier (``share_lift``): a week is
# shorter than the windows, and one straddling an edge holds days either side of it (a seeded
# young shop's straddling weeks: -24..-28% with the linear form, within 10% with the mean,
# tests/forecast/test_lunar_straddling_weeks.py). Months keep genhol's linear form: a month holds
# most of a window, whose days are not alike (the collapse's trough and its shallow edges), and
# the mean of one flat multiplier lost on the parcel origins' months, 18.3 -> 21.8% pooled WAPE
# (two festivals beside a season: one origin's New Year sale +318%; docs/benchmarks.md)
DAY_MEAN_FREQUENCIES = ("W",)
PRIOR_SD = 0.3  # spread of a series' effect around the pooled one (log points)
# candidate window boundaries, days from the festival (X-13ARIMA-SEATS chooses a moving holiday's
# window length among candidates by AICc: ``easter[w]`` with ``aictest``): the sale's first day,
# the collapse's first day (the sale ends the day before), the recovery's last day and the
# holiday's last day (the statutory holiday's, ``HOLIDAY_DAYS``, or the shop's restart). The
# calendar's defaults (-35, -7, 16, 6) are the first; shops differ (a sale to day -4, a collapse
# from day -3: the trial's shop). A planner's ``--events`` file that sets either window fixes them.
SALE_STARTS = (-35, -28, -21)
COLLAPSE_STARTS = (-7, -10, -3)
RECOVERY_ENDS = (16, 9, 23)
# two festivals seen (``candidate_spans``): on other weekdays, they see an edge at other places in their weeks,
# so the collapse's first day is chosen among the days in between and the holiday's end among
# these (a shop collapsing from day -5 to +4, two festivals seen: its collapse week +79..+106%
# with the coarse grid and the statutory holiday, +19..+34% with these; docs/benchmarks.md). One
# festival at one weekday cannot place an edge among days that share its weeks: the coarse grid
COLLAPSE_DAYS = (-7, -10, -3, -9, -8, -6, -5, -4)
HOLIDAY_ENDS = (6, 4, 8)
# one whole festival: the quiet periods either side of its span (up to this many on each side)
# whose line is the level its effects are measured against (``local_effect``); both sides needed
LOCAL_BASELINE = {"W": 6, "MS": 2}
# how far a side without a quiet period within LOCAL_BASELINE looks for its nearest (a third of a
# year): months before an early festival's December are Double 11's (October, November: September
# is 3 back), and after a Double 11 before an early festival December to February are the
# festival's (March is 4 on)
LOCAL_LIMIT = {"W": 17, "MS": 4}
MIN_NOISE_STEPS = 3  # fewest steps between calm periods that give a one-festival measure's noise
ROBUST_STEPS = 8  # steps from which their noise is the MAD's; fewer: the t-widened sample variance
LOCAL_LEVEL = 0.05  # significance a series' own one-festival effects need when nothing is pooled
# with this many whole festivals or fewer the note says to plan the festival from daily data: a
# new user's shop with 2 (weekly cut 2025-12-01) had per-SKU weekly WAPE 26.6% against 3.4% for
# the daily model summed to weeks (docs/benchmarks.md); the seeded panel's 4-6 gave 6.6%
FEW_FESTIVALS = 3
REFERENCE_YEARS = range(2000, 2100)  # the calendar's years: the long-run means, and the dates served
_REF_START = pd.Timestamp(f"{REFERENCE_YEARS[0]}-01-01")
_REF_END = pd.Timestamp(f"{REFERENCE_YEARS[-1] + 1}-01-01")  # exclusive


@dataclass(frozen=True)
class LunarEffect:
    """Fitted moving-holiday effects of one series (or of a pooled sum).

    ``windows``: the regressor names; ``beta``: shape (k,), log lift of a period wholly inside
    each window; ``cov``: shape (k, k), the estimate's covariance (log points squared);
    ``spread``: the extra variance (log points squared) of a period the festival touches, over
    the others' (the effect's shape within a window varies, a share cannot hold it);
    ``source``: ``"own"``, ``"own and pooled"`` or ``"pooled"``; ``placements``: whole festival
    spans in the history; ``spans``: the window boundaries the regressors used, ``(sale start,
    collapse start, recovery end, holiday end)`` in days from the festival (None: the planner's
    calendar's);
    ``centred``: the series' season holds the festival's average and the regressors are centred
    (``lunar_regressors``; estimated from ``MIN_PLACEMENTS`` festivals beside a season), else
    they carry the whole effect."""

    windows: tuple[str, ...]
    beta: np.ndarray
    cov: np.ndarray
    spread: float
    source: str
    placements: int
    spans: tuple[int, int, int, int] | None = None
    centred: bool = True


    def lift(self, ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar) -> tuple[np.ndarray, np.ndarray]:
        """``(lift, jacobian)`` of the periods ``ds`` (``festival_lift`` with these effects, their
        windows and centring): shape (n,) log lift and (n, k) its derivative in ``beta``."""
        return festival_lift(ds, freq, calendar, centred=self.centred, spans=self.spans)(self.beta)

    def variance(self, J: np.ndarray, touched: np.ndarray) -> np.ndarray:
        """Shape (h,): the variance the effects add to the log forecast of periods whose lift
        has the jacobian ``J`` (shape (h, k), ``lift``; the delta method) and ``touched`` (shape
        (h,), bool: inside a window)."""
        return np.einsum("hi,ij,hj->h", J, self.cov, J) + self.spread * touched

    def describe(self) -> str:
        """The effects in words, e.g. ``pre-festival +18% (+-0.05 log), festival -52% (+-0.09 log)``."""
        se = np.sqrt(np.diag(self.cov))
        return ", ".join(f"{name} {np.expm1(b):+.0%} (+-{s:.2f} log)" for name, b, s in zip(self.windows, self.beta, se))


def festival_windows(calendar: RetailCalendar, year: int, freq: str,
                     spans: tuple[int, int, int, int] | None = None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The regressor windows ``[(first day, last day)]`` of the festival of ``year``, in the order
    of ``WINDOWS[freq]``: the New Year sale and the festival (collapse and recovery), the latter
    split for weekly data at the holiday (``HOLIDAY_DAYS``, its end ``spans``' fourth). ``spans``:
    ``(sale start, collapse start, recovery end, holiday end)`` in days from the festival (the
    sale ends the day before the collapse), or None for the calendar's ``new_year_sale`` and
    ``spring_festival`` windows and the statutory holiday. A part left empty (a short festival
    window) has its first day after its last."""
    day = pd.Timedelta(days=1)
    holiday_end = HOLIDAY_DAYS[1] if spans is None else spans[3]
    if spans is None:
        pre, festival = calendar.window("new_year_sale", year), calendar.window("spring_festival", year)
        pre_window, (start, end, anchor) = (pre.start, pre.end), (festival.start, festival.end, festival.anchor)
    else:
        anchor = spring_festival(year)
        pre_window = (anchor + spans[0] * day, anchor + (spans[1] - 1) * day)
        start, end = anchor + spans[1] * day, anchor + spans[2] * day
    if freq != "W":
        return [pre_window, (start, end)]
    first = min(max(start, anchor + HOLIDAY_DAYS[0] * day), end + day)
    last = max(min(end, anchor + holiday_end * day), first - day)
    return [pre_window, (start, first - day), (first, last), (last + day, end)]


def candidate_spans(calendar: RetailCalendar, freq: str, festivals: int = 1) -> list[tuple[int, int, int, int] | None]:
    """The window boundaries ``fit_lunar_effect`` chooses among for a history of ``festivals``
    whole festivals: for weekly data the grid ``SALE_STARTS`` x ``COLLAPSE_STARTS`` x
    ``RECOVERY_ENDS`` with the statutory holiday's end, or for two festivals up to
    ``MIN_PLACEMENTS`` (each measured against its neighbours) ``SALE_STARTS`` x ``COLLAPSE_DAYS``
    x ``RECOVERY_ENDS`` x ``HOLIDAY_ENDS`` (the calendar's defaults first, and the grids'
    extremes the same; beside a season, from ``MIN_PLACEMENTS`` festivals, the finer grid chose
    by noise: a seeded four-festival series' collapse start -4 for its -3, and a young panel's
    pooled windows lost its borrowed festival weeks), when the planner's calendar keeps the shipped
    ``new_year_sale`` and ``spring_festival`` windows; else only ``None``, the calendar's
    windows (an ``--events`` file is the override).
    Months keep the calendar's: a month holds most of the festival, so the boundaries are
    barely identified (the seeded panel's months: WAPE 3.4 -> 3.6%, P10-P90 coverage 80 ->
    66% with the search; a trial shop's per-SKU WAPE 15.0 -> 15.6%)."""
    if freq != "W" or _user_windows(calendar):
        return [None]
    fine = 2 <= festivals < MIN_PLACEMENTS  # measured against their neighbours (``local_effect``)
    collapse, holiday = (COLLAPSE_DAYS, HOLIDAY_ENDS) if fine else (COLLAPSE_STARTS, HOLIDAY_DAYS[1:])
    return [(a, b, c, d) for a in SALE_STARTS for b in collapse for c in RECOVERY_ENDS for d in holiday]


@lru_cache(maxsize=8)
def _user_windows(calendar: RetailCalendar) -> bool:
    """Whether ``calendar``'s New Year sale or Spring Festival window differs from the shipped
    one in any of the calendar's years."""
    shipped = default_calendar()
    return any((calendar.window(event, year).start, calendar.window(event, year).end)
               != (shipped.window(event, year).start, shipped.window(event, year).end) for event in FESTIVAL_EVENTS for year in REFERENCE_YEARS)


def describe_spans(spans: tuple[int, int, int, int] | None) -> str:
    """The window boundaries in words, for notes."""
    if spans is None:
        return "the calendar's new_year_sale and spring_festival windows"
    return (f"New Year sale days {spans[0]}..{spans[1] - 1}, collapse and recovery {spans[1]}..{spans[2]:+d}, "
            f"holiday to day {spans[3]:+d} (days from the festival)")


@lru_cache(maxsize=128)
def _cumulative_days(calendar: RetailCalendar, freq: str, spans: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Shape (days + 1, k): running count of the days inside each window from 2000-01-01 (row i:
    the days before ``_REF_START + i``), for overlaps by differences."""
    n = (_REF_END - _REF_START).days
    inside = np.zeros((n, len(WINDOWS[freq])))
    for year in REFERENCE_YEARS:
        for j, (lo, hi) in enumerate(festival_windows(calendar, year, freq, spans)):
            a, b = max((lo - _REF_START).days, 0), min((hi - _REF_START).days + 1, n)
            inside[a:b, j] = 1.0
    return np.vstack([np.zeros((1, inside.shape[1])), np.cumsum(inside, axis=0)])


def _period_ends(ds: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The day after each period: weekly dates label the week they start, as month starts do
    (``MS``)."""
    if freq == "W":
        return ds + pd.Timedelta(days=7)
    return ds + pd.tseries.frequencies.to_offset(freq)


def _raw_shares(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, spans=None) -> np.ndarray:
    cum = _cumulative_days(calendar, freq, spans)
    start = np.asarray((ds - _REF_START).days)
    end = np.asarray((_period_ends(ds, freq) - _REF_START).days)
    return (cum[end] - cum[start]) / (end - start)[:, None]


def calendar_position(ds: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Position of each period in the calendar year: month 0-11 or week 0-51 (the week of its
    first day; the days after the 364th join week 51)."""
    if freq == "MS":
        return np.asarray(ds.month - 1)
    return np.minimum(np.asarray(ds.day_of_year - 1) // 7, SEASON_LENGTH["W"] - 1)


@lru_cache(maxsize=256)
def _reference_shares(calendar: RetailCalendar, freq: str, weekday: int, spans=None) -> tuple[np.ndarray, np.ndarray]:
    """``(position, shares)`` of every period of ``REFERENCE_YEARS`` (weeks starting on
    ``weekday``): shapes (m,) and (m, k), as ``calendar_position`` and ``_raw_shares``."""
    ds = _reference_periods(freq, weekday)
    return calendar_position(ds, freq), _raw_shares(ds, freq, calendar, spans)


@lru_cache(maxsize=16)
def _reference_periods(freq: str, weekday: int) -> pd.DatetimeIndex:
    """The periods of ``REFERENCE_YEARS`` but the last 400 days (weeks starting on ``weekday``)."""
    last = _REF_END - pd.Timedelta(days=400)
    if freq != "W":
        return pd.date_range(_REF_START, last, freq=freq)
    first = _REF_START + pd.Timedelta(days=(weekday - _REF_START.weekday()) % 7)
    return pd.DatetimeIndex(first + pd.to_timedelta(np.arange(0, (last - first).days + 1, 7), unit="D"))


def _position_means(position: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Shape (positions, k): the sum of ``values`` (shape (m, k)) at each calendar position
    ``position`` (shape (m,)) over ``counts`` (shape (positions,), the periods at each position,
    those not in ``values`` included: their value is 0)."""
    return np.column_stack([np.bincount(position, weights=v, minlength=len(counts))
                            for v in values.T]) / counts[:, None]


def share_lift(shares: np.ndarray, beta: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """``(lift, jacobian)`` of periods at ``freq`` whose days lie in disjoint windows by
    ``shares`` (shape (n, k), 0..1 each, summing to 1 at most) when a day inside window j sells
    ``exp(beta[j])`` times a day outside: ``lift``, shape (n,), log points, and ``jacobian``,
    shape (n, k), its derivative in ``beta``. A period wholly inside window j: ``beta[j]``; none
    of its days inside: 0.

    At ``DAY_MEAN_FREQUENCIES`` (weeks) the log of the days' mean multiplier,
    ``log(1 - sum_j s_j + sum_j s_j exp(beta_j))`` (jacobian ``s_j exp(beta_j)`` over the
    mean), floored at ``exp(LIFT_BOUNDS[0])`` (a shop closed for the whole window). At months,
    genhol's linear form ``sum_j s_j beta_j`` (the days' geometric mean), see
    ``DAY_MEAN_FREQUENCIES``."""
    shares = np.asarray(shares, float)
    if freq not in DAY_MEAN_FREQUENCIES:
        return shares @ np.asarray(beta, float), shares.copy()
    multiplier = np.exp(np.asarray(beta, float))
    mean = np.maximum(1.0 - shares.sum(axis=1) + shares @ multiplier, np.exp(LIFT_BOUNDS[0]))
    return np.log(mean), shares * multiplier / mean[:, None]


def festival_lift(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, *, centred: bool,
                  spans: tuple[int, int, int, int] | None = None):
    """The lift of the periods ``ds`` (weekly: week starts; ``MS``) as a function of the festival
    effects: ``beta`` (shape (k,), log lift of a day inside each window of ``WINDOWS[freq]``;
    ``spans`` as in ``festival_windows``) -> ``(lift, jacobian)``, ``share_lift`` of the periods'
    shares, shape (n,), and its derivative in ``beta``, shape (n, k). ``centred``: minus the
    mean lift at the same calendar position over ``REFERENCE_YEARS`` (and the same for the
    derivative), the part a season that holds the festival's average does not (genhol's
    calendar centring, on the lift). The shares are computed once, here. Raises as
    ``lunar_regressors``."""
    raw = lunar_regressors(ds, freq, calendar, spans=spans)
    if not centred:
        return lambda beta: share_lift(raw, beta, freq)
    weekday = int(pd.DatetimeIndex(ds)[0].weekday()) if freq == "W" else 0
    position, shares, counts = _reference_touched(calendar, freq, weekday, spans)
    at = calendar_position(pd.DatetimeIndex(ds), freq)

    def lift(beta):
        g, J = share_lift(raw, beta, freq)
        means = _position_means(position, np.column_stack(share_lift(shares, beta, freq)), counts)
        return g - means[at, 0], J - means[at, 1:]
    return lift


@lru_cache(maxsize=256)
def _reference_touched(calendar: RetailCalendar, freq: str, weekday: int, spans=None):
    """``(position, shares, counts)``: the periods of ``REFERENCE_YEARS`` a window touches (the
    others' lift is 0), their calendar positions and shares, and the number of periods at each
    position (touched or not), for the long-run mean lift."""
    position, shares = _reference_shares(calendar, freq, weekday, spans)
    touched = shares.sum(axis=1) > 0
    return position[touched], shares[touched], np.bincount(position, minlength=SEASON_LENGTH[freq]).astype(float)


def lunar_regressors(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, *,
                     spans: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Shape (n, k): per period of ``ds`` (weekly: week starts; ``MS``) the share of its
    days inside each window of ``WINDOWS[freq]`` (0-1); ``spans``: as in ``festival_windows``.
    Their centring, where the season holds the festival's average, is on the lift
    (``festival_lift``), the one home of it. Raises
    ``errors.CalendarRangeError`` for dates outside the calendar's years 2000-2099, ``ValueError``
    for a frequency other than W and MS."""
    if freq not in WINDOWS:
        raise ValueError(f"moving-holiday regressors are for W and MS data, not {freq!r}")
    ds = pd.DatetimeIndex(ds)
    _check_dates(ds, freq)
    return _raw_shares(ds, freq, calendar, spans)


def _check_dates(ds: pd.DatetimeIndex, freq: str) -> None:
    """Raises ``errors.CalendarRangeError`` when the periods of ``ds`` reach outside the
    calendar's years (the one type for it: ``features.quiet_periods`` and ``ets`` catch it)."""
    if ds.min() < _REF_START or _period_ends(ds[-1:], freq)[0] > _REF_END:
        raise CalendarRangeError(f"dates {ds.min().date()}..{ds.max().date()} reach outside the calendar's years "
                         f"{REFERENCE_YEARS[0]}-{REFERENCE_YEARS[-1]}")


def whole_festivals(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar,
                    spans: tuple[int, int, int, int] | None = None) -> int:
    """How many festival spans (the first window's first day to the last window's last day;
    ``spans`` as in ``festival_windows``) lie wholly inside the periods of ``ds``."""
    first, end = ds[0], _period_ends(ds[-1:], freq)[0]
    count = 0
    for year in range(first.year, end.year + 1):
        windows = festival_windows(calendar, year, freq, spans)
        count += bool(windows[0][0] >= first and windows[-1][1] < end)
    return count


def _nuisance(n: int, season: int | None) -> np.ndarray:
    """Shape (n, p): one dummy per seasonal position (``t % season``; an intercept when
    ``season`` is None) and a piecewise-linear trend with a bend each season (while half a
    season follows the bend)."""
    t = np.arange(n, dtype=float)
    span = season or n
    cols = [(t[:, None] % season == np.arange(season)[None, :]).astype(float)] if season else [np.ones((n, 1))]
    trend = [t / span] + [np.maximum(0.0, t - k * span) / span for k in range(1, n // span + 1)
                          if season and n - k * span >= span / 2]
    return np.column_stack(cols + trend)


def _aicc(rss: float, n: int, p: int) -> float:
    """AICc of a least-squares fit with ``p`` coefficients (Hurvich & Tsai, Biometrika 76, 1989)."""
    return n * np.log(max(rss, 1e-300) / n) + 2 * p + 2 * p * (p + 1) / max(n - p - 1, 1)


def fit_lift(z: np.ndarray, A: np.ndarray, lift, k: int,
             freq: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(coef, beta, jacobian, resid)``: least squares of ``z`` (shape (n,)) on the linear
    columns ``A`` (shape (n, p), p >= 0) plus the non-linear ``lift(beta)`` (``(lift, jacobian)``
    of shapes (n,) and (n, k), e.g. ``festival_lift``, at ``freq``), with ``beta`` within
    ``LIFT_BOUNDS``. The linear fit on the lift's expansion at ``beta = 0`` (the genhol shares)
    is the fit where the lift is linear (``share_lift`` outside ``DAY_MEAN_FREQUENCIES``); at
    the others it starts trust-region reflective least squares (``scipy.optimize.least_squares``,
    ``trf``) on ``beta`` alone, the linear part projected out (variable projection: G. Golub &
    V. Pereyra, SIAM J. Numer. Anal. 10, 1973). ``jacobian``: the lift's at the solution;
    ``resid``: ``z`` minus the fit."""
    from scipy.optimize import least_squares

    p = A.shape[1]
    Q, R = np.linalg.qr(A) if p else (np.zeros((len(z), 0)), np.zeros((0, 0)))

    def project(r):  # r minus its least-squares fit on A
        return r - Q @ (Q.T @ r)

    start = np.linalg.lstsq(project(lift(np.zeros(k))[1]), project(z), rcond=None)[0]
    if freq not in DAY_MEAN_FREQUENCIES:
        g, J = lift(start)
        coef = np.linalg.solve(R, Q.T @ (z - g)) if p else np.zeros(0)
        return coef, start, J, z - g - A @ coef

    def residual(beta):
        return project(z - lift(beta)[0])

    def jacobian(beta):
        return project(-lift(beta)[1])

    solution = least_squares(residual, np.clip(start, LIFT_BOUNDS[0] + 1e-6, LIFT_BOUNDS[1] - 1e-6), jac=jacobian,
                             bounds=LIFT_BOUNDS, method="trf")
    beta = solution.x
    g, J = lift(beta)
    coef = np.linalg.solve(R, Q.T @ (z - g)) if p else np.zeros(0)
    return coef, beta, J, z - g - A @ coef


def at_bounds(beta: np.ndarray) -> np.ndarray:
    """Shape (k,), bool: the effects ``beta`` (log lift of a day inside each window) at or
    beyond ``LIFT_BOUNDS``. At weeks ``fit_lift`` stops there (a day x0.007 or x20 of a plain
    one), so the data asked for more than the fit gave; at months the fit is linear and has no
    bound, and an effect beyond one is as doubtful. Either way the note says so
    (``bound_note``): a clipped or extreme effect is no measure."""
    return (np.asarray(beta) <= LIFT_BOUNDS[0] + 1e-6) | (np.asarray(beta) >= LIFT_BOUNDS[1] - 1e-6)


def bound_note(names, beta: np.ndarray, freq: str) -> str:
    """``"; ..."`` naming the effects of ``names`` (shape (k,)) whose ``beta`` is at a bound
    (``at_bounds``), or ``""``."""
    hit = [name for name, b in zip(names, at_bounds(beta)) if b]
    if not hit:
        return ""
    low, high = np.exp(LIFT_BOUNDS)
    how = "clipped at" if freq in DAY_MEAN_FREQUENCIES else "beyond"
    return (f"; {', '.join(hit)} {how} the bound of a day's lift (x{low:.3f} or x{high:.0f} of a plain day): "
            f"the data ask for a more extreme effect than the fit allows; check those periods")


def own_effect(z: np.ndarray, lift, k: int, freq: str, season: int | None, touched: np.ndarray):
    """``(beta, cov, spread, chosen, aicc)``: least-squares effects ``beta`` (shape (k,)) of the
    lift ``lift(beta)`` (``(lift, jacobian)`` over the n periods at ``freq``, ``festival_lift``) on the log
    series ``z`` (shape (n,)) jointly with the season and trend (``_nuisance``; ``fit_lift``),
    their covariance (residual variance times the inverse normal matrix's block, the lift's
    jacobian at the solution in it), and the extra residual variance of the periods ``touched`` (shape (n,), bool) by a
    window over the others' (0 at least; both scaled by n / residual degrees of freedom). None
    when the coefficients are not identified (rank) or leave fewer than ``MIN_RESIDUAL_DOF``
    residual degrees of freedom. ``chosen``: the regressors lower the AICc of the fit, the test
    X-13ARIMA-SEATS' ``aictest`` applies to holiday regressors; ``aicc``: the fit's AICc (with
    the regressors), by which ``fit_lunar_effect`` compares candidate windows."""
    A = _nuisance(len(z), season)
    dof = len(z) - A.shape[1] - k
    if dof < MIN_RESIDUAL_DOF or np.linalg.matrix_rank(np.column_stack([A, lift(np.zeros(k))[1]])) < A.shape[1] + k:
        return None
    _, beta, J, resid = fit_lift(z, A, lift, k, freq)
    design = np.column_stack([A, J])
    gram_inv = np.linalg.inv(design.T @ design)
    without = z - A @ np.linalg.lstsq(A, z, rcond=None)[0]
    aicc = _aicc(float(resid @ resid), len(z), design.shape[1])
    chosen = aicc < _aicc(float(without @ without), len(z), A.shape[1])
    resid2 = resid ** 2 * len(z) / dof
    sigma2 = float(resid2.mean())
    spread = float(resid2[touched].mean() - resid2[~touched].mean()) if touched.any() and (~touched).any() else 0.0
    return beta, sigma2 * gram_inv[-k:, -k:], max(spread, 0.0), chosen, aicc


def festival_neighbourhoods(ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar,
                            spans: tuple[int, int, int, int] | None, sale: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(rows, base)]`` of ``neighbourhood`` around each festival span (``spans`` as in
    ``festival_windows``) lying wholly inside the periods ``ds``, oldest first, its quiet
    neighbours none of the ``sale`` periods (shape (n,), bool, e.g. 618 or Double 11). A span
    with no quiet neighbour on either side (a shop that opened just before the festival:
    nothing before it says its level) has none; no whole span: ``[]``."""
    ends = _period_ends(ds, freq)
    hoods = []
    for year in range(ds[0].year, ends[-1].year + 1):
        windows = festival_windows(calendar, year, freq, spans)
        opens, closes = windows[0][0], windows[-1][1]
        if opens >= ds[0] and closes < ends[-1]:
            hood = neighbourhood(np.asarray((ds <= closes) & (ends > opens)), np.asarray(sale, bool),
                                 LOCAL_BASELINE[freq], LOCAL_LIMIT[freq])
            if hood is not None:
                hoods.append(hood)
    return hoods


def neighbourhood(touched: np.ndarray, excluded: np.ndarray, reach: int,
                  limit: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(rows, base)``, boolean masks of shape (n,): ``base`` the quiet neighbours of the run of
    ``touched`` periods (shape (n,), bool; one event's sighting), up to ``reach`` periods each
    side, none of them ``excluded`` (shape (n,), bool: other events' periods), and ``rows`` those
    with the touched periods: the rows ``local_effect`` measures the event on. A side with no
    quiet period within ``reach`` looks farther, up to ``limit`` periods (default ``reach``),
    and takes the nearest quiet one (review R4: a Spring Festival before about February 4
    starts its New Year sale in December, whose two months before are Double 11's, and a Double
    11 before such a festival has only festival months for two months after it; half of all
    years gave no measure). None when either side has no quiet neighbour within ``limit``."""
    inside = np.flatnonzero(touched)
    quiet = ~touched & ~excluded
    base = np.zeros(len(touched), bool)
    for side in (np.arange(inside[0] - 1, -1, -1), np.arange(inside[-1] + 1, len(touched))):
        near = side[:reach][quiet[side[:reach]]]
        if not len(near):  # the nearest quiet period beyond reach, within the limit
            near = side[:max(limit or reach, reach)][quiet[side[:max(limit or reach, reach)]]][:1]
        if not len(near):
            return None
        base[near] = True
    return touched | base, base


def step_noise(steps: np.ndarray) -> float:
    """The noise variance of one period (log points squared) read from ``steps``, shape (m,),
    m >= 3, first differences of log demand between periods no event touches (a difference
    holds two periods' noise, hence the half).

    With ``ROBUST_STEPS`` steps or more it is the MAD's (robust to a stray step: a level shift,
    an uncalendared sale). With fewer, the MAD is the smaller of a few deviations and reads the
    noise at half its size or less as often as not (1.4826 MAD / sd over 3 normal steps: median
    0.54, under a third one time in three), so a festival's effect on pure noise passed a 5%
    test 23% of the time: the sample variance (unbiased) is taken instead, widened by
    ``(t_{m-1} / z)^2`` at ``LOCAL_LEVEL`` so a Wald test on an effect of that variance keeps
    its level although the noise is estimated from m - 1 degrees of freedom (Student's t, as in
    any regression whose error variance is estimated). Floored at 1e-6."""
    from scipy.stats import norm, t as student

    steps = np.asarray(steps, float)
    if len(steps) >= ROBUST_STEPS:
        return max(float((1.4826 * np.median(np.abs(steps - np.median(steps)))) ** 2 / 2), 1e-6)
    df = len(steps) - 1
    widen = (student.ppf(1 - LOCAL_LEVEL / 2, df) / norm.ppf(1 - LOCAL_LEVEL / 2)) ** 2
    return max(float(np.var(steps, ddof=1)) / 2 * widen, 1e-6)


def local_effect(z: np.ndarray, shares: np.ndarray, freq: str, hoods: list[tuple[np.ndarray, np.ndarray]],
                 calm: np.ndarray | None = None):
    """``(beta, cov, spread, chosen, aicc)`` of an event measured against its neighbourhood on
    each of its sightings, as ``own_effect`` returns them, or None when the effects are not
    identified there.

    ``z``: shape (n,), log demand; ``shares``: shape (n, k), the uncentred shares of each
    period's days in each window, at ``freq``; ``hoods``: one ``(rows, base)`` pair of masks per
    sighting (``neighbourhood``; ``festival_neighbourhoods``). Each sighting's level is the
    least-squares line through its ``base`` periods (the quiet neighbours either side of its
    span); ``beta``, common to the sightings, fits the excess over those lines of all their
    ``rows`` by their lift (``share_lift``: the days' mean multiplier; ``fit_lift``), and ``cov``
    uses the lift's jacobian at the solution. Two sightings whose festival falls on other
    weekdays and dates see a window's edge at other places in their weeks and months, so
    stacked they place it where one alone cannot (a shop collapsing from day -5, two festivals
    seen: its collapse week +187% with the joint fit beside the season, +17% stacked; scratch
    run in docs/benchmarks.md). The noise variance of a period is read from
    the whole history's first differences outside the sightings' spans (``step_noise``: the
    MAD's with many steps, a t-widened sample variance with few), so that two neighbours and a
    few festival periods still give a covariance; the lines' own error widens it by ``1 + 1 /
    base`` periods (the fewest of a sighting's).
    ``calm``: shape (n,), bool, the periods no event touches (no sale, no festival): the
    differences between two of them, where there are ``MIN_NOISE_STEPS`` or more, give the
    noise, since a step into or out of a sale period holds the sale's lift, not noise (a young
    shop's months: the noise sd 0.17 with its 618 and Double 11 steps, 0.07 without); None, or
    fewer: every step outside the spans.
    ``spread``: the residual variance of the spans' periods beyond that noise; ``chosen``: a
    Wald test of all effects at ``LOCAL_LEVEL``; ``aicc``: of the regression over the rows (the
    same rows for every candidate window, so comparable). The method is the festival
    counterpart of ``event_profile``'s daily uplift over a local baseline; the regressors are
    X-13ARIMA-SEATS' genhol shares, as beside a season."""
    from scipy.stats import chi2

    t = np.arange(len(z), dtype=float)
    k = shares.shape[1]
    quiet = np.ones(len(z), bool)
    excess, Xr, span = [], [], []
    for rows, base in hoods:
        slope, intercept = np.polyfit(t[base], z[base], 1)
        excess.append((z - (intercept + slope * t))[rows])
        Xr.append(shares[rows])
        span.append((rows & ~base)[rows])
        quiet[np.flatnonzero(rows & ~base)] = False
    excess, Xr, span = np.concatenate(excess), np.vstack(Xr), np.concatenate(span)
    if np.linalg.matrix_rank(Xr) < k:
        return None
    steps = np.diff(z)[quiet[1:] & quiet[:-1]]
    if calm is not None and (calm[1:] & calm[:-1]).sum() >= MIN_NOISE_STEPS:
        steps = np.diff(z)[calm[1:] & calm[:-1]]
    if len(steps) < 3:
        return None
    sigma2 = step_noise(steps)
    _, coef, J, resid = fit_lift(excess, np.zeros((len(excess), 0)), lambda b: share_lift(Xr, b, freq), k, freq)
    cov = sigma2 * (1 + 1 / min(base.sum() for _, base in hoods)) * np.linalg.pinv(J.T @ J)
    extra = span.sum() - k
    spread = max(float(resid[span] @ resid[span]) / extra - sigma2, 0.0) if extra > 0 else 0.0
    chosen = float(coef @ np.linalg.solve(cov, coef)) > chi2.ppf(1 - LOCAL_LEVEL, k)
    return coef, cov, spread, chosen, _aicc(float(resid @ resid), len(excess), k)


def combine(own, prior: LunarEffect | None, prior_sd: float = PRIOR_SD):
    """``(beta, cov, spread, source)``: the precision-weighted mean of a series' own estimate
    ``(beta, cov, spread)`` (from ``own_effect``) and the pooled one (its covariance plus
    ``prior_sd**2`` on the diagonal), or whichever exists; None when neither does. The spread
    is the series' own when it has one."""
    if prior is None:
        return None if own is None else (*own, "own")
    prior_cov = prior.cov + prior_sd ** 2 * np.eye(len(prior.beta))
    if own is None:
        return prior.beta.copy(), prior_cov, prior.spread, "pooled"
    beta, cov, spread = own
    precision_own, precision_prior = np.linalg.pinv(cov), np.linalg.inv(prior_cov)
    posterior = np.linalg.inv(precision_own + precision_prior)
    return posterior @ (precision_own @ beta + precision_prior @ prior.beta), posterior, spread, "own and pooled"


def fit_lunar_effect(z: np.ndarray, ds: pd.DatetimeIndex, freq: str, calendar: RetailCalendar, *,
                     season: int | None, prior: LunarEffect | None = None,
                     sale: np.ndarray | None = None) -> tuple[LunarEffect | None, str]:
    """Moving-holiday effects of one series and a note saying what was done.

    ``z``: shape (n,), log demand (``log1p``) per period; ``ds``: its n dates (weekly: week
    starts); ``season``: the seasonal period the model fits, or None for a model with no season;
    ``prior``: a pooled ``LunarEffect`` (from a fit on a panel's sum) or None; ``sale``: shape
    (n,), bool, the periods of solar sale events (618, Double 11), which are no level for a
    festival's neighbourhood (None: none).
    From ``MIN_PLACEMENTS`` whole festivals the effects are estimated beside the season and
    trend (``own_effect``; centred regressors when there is a season); from one or two, against
    the quiet periods either side of each (``local_effect``, one set of effects for them;
    uncentred: the whole effect); from ``MIN_PLACEMENTS`` or more whose joint fit keeps none and
    with nothing pooled, the last one as one is (a season would otherwise repeat last year's
    festival at this year's calendar dates). The
    windows: a pooled effect's ``spans`` (chosen on the panel's sum, where the signal is
    strongest), else the candidate (``candidate_spans``, a finer grid from two festivals seen)
    whose fit has the lowest AICc (the
    calendar's defaults on ties; X-13ARIMA-SEATS' choice of a holiday window's length).
    Returns ``(effect or None, note)``; the effect's ``beta`` and ``cov`` are in log points per
    period wholly inside each window. A history outside the calendar's years gets none, with a
    note."""
    choices = [prior.spans] if prior is not None else candidate_spans(calendar, freq)
    # festivals counted over the widest candidate span, so that no candidate is identified by
    # a narrower span alone
    widest = None if choices == [None] else (min(c[0] for c in choices), min(c[1] for c in choices),
                                             max(c[2] for c in choices), max(c[3] for c in choices))
    dates = pd.DatetimeIndex(ds)
    busy = np.zeros(len(z), bool) if sale is None else sale  # no level for a festival's neighbourhood
    try:
        _check_dates(dates, freq)
    except CalendarRangeError as exc:
        return None, f"Spring Festival and New Year sale effects not estimated: {exc}"
    placements = whole_festivals(ds, freq, calendar, widest)
    if prior is None:  # the same extremes: ``widest`` holds
        choices = candidate_spans(calendar, freq, placements)
    # the periods no sale or festival touches: the steps between them are the noise (local_effect)
    calm = ~(np.zeros(len(z), bool) if sale is None else np.asarray(sale, bool)) & ~(
        lunar_regressors(ds, freq, calendar, spans=widest).sum(axis=1) > 0)
    joint = placements >= MIN_PLACEMENTS  # beside the season; fewer: against each one's neighbours
    centred = season is not None and joint
    hoods = festival_neighbourhoods(dates, freq, calendar, widest, busy) if placements and not joint else []
    if not joint and not hoods:
        choices = choices[:1]  # nothing is estimated: the calendar's windows stand
    best = None  # (aicc, spans, estimate)
    for spans in choices:
        raw = lunar_regressors(ds, freq, calendar, spans=spans)
        if joint:
            estimate = own_effect(z, festival_lift(dates, freq, calendar, centred=centred, spans=spans), raw.shape[1],
                                  freq, season if centred else None, raw.sum(axis=1) > 0)
        else:
            estimate = local_effect(z, raw, freq, hoods, calm) if hoods else None
        aicc = estimate[4] if estimate is not None else np.inf
        if best is None or aicc < best[0]:
            best = (aicc, spans, estimate)
    _, spans, estimate = best
    # festivals enough for a joint fit beside the season that keeps no effect, alone: the season
    # would repeat last year's festival weeks at this year's calendar dates (a new user's shop:
    # the New Year sale peak forecast in the collapse week, +657%), so the last festival is
    # measured against its neighbours as one festival is, and moved whole
    fallback = joint and prior is None and (estimate is None or not estimate[3])
    if fallback:
        hoods = festival_neighbourhoods(dates, freq, calendar, widest, busy)[-1:]
        local = None
        for candidate in choices if hoods else ():
            measured = local_effect(z, lunar_regressors(ds, freq, calendar, spans=candidate), freq, hoods, calm)
            if measured is not None and (local is None or measured[4] < local[0]):
                local = (measured[4], candidate, measured)
        fallback = local is not None and local[2][3]
        if fallback:
            _, spans, estimate = local
            centred = False
    own = estimate[:3] if estimate is not None else None
    # alone, a series keeps only effects that earn their place; beside a pooled estimate its own
    # (even near zero) is weighed by its precision
    fitted = combine(own if prior is not None or estimate is not None and estimate[3] else None, prior)
    daily = (f"; with {placements} festival(s) seen, weekly and monthly festival forecasts are far less accurate "
             f"than the daily model's summed (docs/benchmarks.md): plan the festival from daily data where you have it"
             if placements <= FEW_FESTIVALS else "")
    if fitted is None:
        why = ("no whole Spring Festival span in the history" if not placements else
               "1 whole Spring Festival span in the history, without quiet periods on both sides of it to measure "
               "it against" if placements == 1 and not hoods else
               f"{placements} whole Spring Festival spans in the history, without quiet periods on both sides of "
               f"any to measure them against" if not joint and not hoods else
               "too few periods to identify them beside the season" if estimate is None else
               "they do not lower the fit's AICc, nor is the last festival significant against the periods "
               "either side of it" if joint else
               f"the effects of its {placements} festival(s) are not significant against the periods either side "
               f"of each")
        return None, (f"Spring Festival and New Year sale effects not estimated ({why}) and none pooled: "
                      + (f"the season repeats last year's {'weeks' if freq == 'W' else 'periods'}" if season
                         else "the forecast has no festival") + daily)
    beta, cov, spread, source = fitted
    effect = LunarEffect(WINDOWS[freq], beta, cov, spread, source, placements, spans, centred)
    clipped = bound_note(WINDOWS[freq], own[0], freq) if own is not None else ""
    how = ("chosen by AICc among the candidates" if spans is not None else "fixed") + (
        "; set your own with an --events file (new_year_sale, spring_festival start/end)")
    seen = "one festival against the periods either side of it" if len(hoods) == 1 else \
        f"{len(hoods)} festivals against the periods either side of each"
    measured = (f", its own from {seen}" if own is not None and not joint else
                ", its own from its last festival against the periods either side of it (the joint fit with the "
                "season kept none)" if fallback else "")
    return effect, (f"Spring Festival and New Year sale effects ({source}{measured}, moved to this year's dates): "
                    f"{effect.describe()}{clipped}; windows: {describe_spans(spans)} ({how}){daily}")
