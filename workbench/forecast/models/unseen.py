"""An event a series' history has never seen: its uplift borrowed from the seen events of its kind.

A shop eight months old has seen 双11 and 年货节 but not 618. Forecast at the baseline, 618 is a
normal fortnight with the tight band of one (trial 9: its window total -47%, 8 of 33 SKUs' totals
inside their P10-P90). The calendar says what each event is (``kind`` in
``calendar/default_events.yaml``: ``sale``, ``holiday``, ``pause``), and an event of a kind is
evidence for another of the same kind. The rule, per event (a calendar event inside an event
profile: ``features.profile_parts``) whose profile has no value on any day of its span:

* the level above first: a series that borrows a pooled prior (``core.level_priors``) takes the
  prior's profile of the event when the prior saw it; this module only sees events that neither
  the series nor its prior saw;
* the seen events of its kind are its sources: events whose profile (the series' own, or the
  pooled one it took) has a value on at least half of their window's days. Each source gives a
  log multiplier per role of a day (``ROLES``: the days before the window, the window's days,
  its peak days (the calendar's peaks and the anchor), the days after the window), the log of
  the mean of ``exp(uplift)`` over its days of that role (a role's total, not its median day),
  and one over its whole window, ``M_e``;
* the borrowed uplift of a day of role ``r`` is ``w`` times the sources' mean multiplier of
  that role: ``w = M^2 / (M^2 + se^2)`` (``conformal.wiener_factor``, the one home of the
  shrinkage toward none), ``M`` the sources' mean ``M_e`` and ``se^2 = tau^2 / m`` its
  variance over ``m`` sources, ``tau^2`` the spread of uplift between events of the kind:
  ``(TAU[kind]^2 + (m - 1) s^2) / m``, the sources' own sample variance ``s^2`` pooled with
  the measured spread ``TAU`` counted as one event's worth (two events that agree do not show
  that a third will; DerSimonian-Laird's between-study variance). A mean uplift several of its
  noise from none is kept nearly whole, one within its noise little;
* the new event is another draw of its kind: the borrowed uplift's error has the standard
  deviation ``sqrt(tau^2 + se^2 + ((1 - w) M)^2)`` (its spread around the kind's mean, the mean's
  own error, and what the shrinkage left out), one error shared by the event's days. The daily
  bands widen by it, and so does a window total's band (``Prediction.event_spread``,
  ``window_band.with_level_spread``): coverage holds whichever way the event goes. It is the one
  widening for what was borrowed: the days' band before it is the one of days whose events are
  known, never the refits' errors on event days they missed (``event_profile``'s band for days
  no profile knows: the error of forecasting without the uplift, which the borrowing removes);
* with no source (nothing of its kind seen), the event's days stay at the baseline (no uplift
  is invented from nothing) and their bands widen by ``UNSEEN[kind]``, the measured size of an
  event of that kind's uplift;
* so do they where the sources disagree beyond the spread between events of a kind: Cochran's
  ``Q = (m - 1) s^2 / TAU^2`` is chi-squared with ``m - 1`` degrees of freedom when they are draws
  of one kind's uplift, and at ``Q``'s p-value under ``HETEROGENEITY_ALPHA`` each source's uplift
  is its own event's (a winter duvet's 双11 x9.75 on its season's rise against its 年货节 x2.87; a
  red 年货 set's festival x34 against its 双11 x1.89), no evidence of a third: their mean had put
  both at x5 on 618 2026, sold at x1.1 in their off season (trial 13 F19). An event without a kind (a planner's own event that gives
  none) borrows nothing and widens nothing, and its note says so.

``TAU`` and ``UNSEEN`` are measured on the real parcel series (``benchmarks/unseen_events.py
--constants``: the total and the 20 largest origins, each event seen in 2021 and 2022), by
estimators consistent for normal multipliers and robust to a series that exploded (a young
origin's first 双11 read as x30 rules a mean of squares): ``TAU^2`` the median over the series
of ``s_i^2 df_i / chi2_{0.5}(df_i)``, ``s_i^2`` the sample variance of the window multipliers
``M_e`` between a series' events of a kind (a bare median of the ``s_i^2`` is 0.69 of
``TAU^2`` for three events, 0.45 for two), ``UNSEEN^2`` the mean square of ``M_e`` around none
read as ``median(M_e)^2 + (1.4826 MAD(M_e))^2`` over the series and events of the kind.
docs/benchmarks.md gives the figures and the command.

Sources: DerSimonian & Laird, "Meta-analysis in clinical trials", Controlled Clinical Trials 7
(1986) 177-188 (the between-event variance and the predictive spread of a new event: Higgins,
Thompson & Spiegelhalter, "A re-evaluation of random-effects meta-analysis", JRSS A 172 (2009)
137-159).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.stats import chi2

from workbench.calendar import RetailCalendar
from workbench.forecast.conformal import wiener_factor
from workbench.forecast.features import profile_parts

ROLES = ("before", "window", "peak", "after")
# measured spreads (log) by kind (benchmarks/unseen_events.py, docs/benchmarks.md): between the
# window multipliers of events of one kind (TAU; a kind with one event lends to none, and a user's
# kind without a measured TAU takes its UNSEEN), and of an event's multiplier around none (UNSEEN)
TAU = {"sale": 0.172, "holiday": 0.117}
UNSEEN = {"sale": 0.315, "holiday": 0.231, "pause": 0.121}
MIN_SEEN_SHARE = 0.5  # share of its window's days an event's profile must hold to lend its uplift
# Cochran's Q test of the sources' uplifts as draws of one kind (spread TAU): under this p-value they
# are each their own event's and lend none (1%: two sales of an everyday line, x2.6 and x1.7, pass)
HETEROGENEITY_ALPHA = 0.01


@dataclass
class Borrowed:
    """What an event never seen gets on the forecast's days (shape (h,) each): ``uplift``, the
    borrowed log uplift (0 elsewhere); ``spread``, the standard deviation (log) of its error,
    shared by the event's days (0 elsewhere); ``days``, the days of events never seen (their
    uplift borrowed or, with nothing of their kind seen, kept at 0); ``notes``."""

    uplift: np.ndarray
    spread: np.ndarray
    days: np.ndarray
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def role_offsets(calendar: RetailCalendar, event: str, before: int, after: int, year: int) -> dict[str, np.ndarray]:
    """The day offsets from the anchor of ``event``'s occurrence in ``year`` by role
    (``ROLES``): the ``before`` days before its window, its window's days that are no peak, its
    peaks (the calendar's peak days and the anchor, when inside the window) and the ``after``
    days after it (``features.profile_spans`` gives ``before`` and ``after``). Kept per
    arguments (every series of a run asks the same): the arrays are shared, not to be changed."""
    window = calendar.window(event, year)
    start, end = window.offset(window.start), window.offset(window.end)
    peaks = {window.offset(p) for p in window.peaks} | {0}
    peaks = np.array(sorted(p for p in peaks if start <= p <= end), int)
    inside = np.arange(start, end + 1)
    return {"before": np.arange(start - before, start), "window": inside[~np.isin(inside, peaks)],
            "peak": peaks, "after": np.arange(end + 1, end + after + 1)}


def _multiplier(profile: dict, offsets: np.ndarray) -> float | None:
    """Log of the mean of ``exp(uplift)`` of ``profile`` (``{offset: log uplift}``) over the
    ``offsets`` it holds; None when it holds none."""
    values = np.array([profile[int(o)] for o in offsets if int(o) in profile])
    return float(np.log(np.mean(np.exp(values)))) if len(values) else None


@lru_cache(maxsize=1024)
def _occurrence_year(calendar: RetailCalendar, event: str, last_day: pd.Timestamp) -> int:
    """The year of ``event``'s latest window that starts on or before ``last_day``."""
    year = last_day.year
    while calendar.window(event, year).start > last_day:
        year -= 1
    return year


def borrow_unseen(profiles: dict[str, dict], future_offsets: dict[str, np.ndarray], future: pd.DatetimeIndex,
                  last_day, calendar: RetailCalendar, name: str = "") -> Borrowed:
    """The uplift, its spread and notes for the forecast's days of events that ``profiles``
    never saw (the rule of the module docstring).

    Parameters
    ----------
    profiles : ``{profile name: {day offset: log uplift}}``, the event profiles the forecast
        uses (a series' own, pooled; or the pooled prior's): an event whose profile holds no
        offset of its span was never seen.
    future_offsets : ``{profile name: array (h,)}``, each forecast day's offset from the
        profile's anchor (NaN outside its span: ``features.event_offsets``).
    future : the h forecast days.
    last_day : the history's last day (the sources' occurrences are the latest before it).
    calendar : the retail calendar (events' windows and kinds).
    name : the model's name, for the notes.

    Returns
    -------
    ``Borrowed``: arrays of shape (h,) and one note per event never seen.
    """
    last_day = pd.Timestamp(last_day)
    h = len(future)
    out = Borrowed(np.zeros(h), np.zeros(h), np.zeros(h, bool))
    parts = profile_parts(calendar)
    seen, unseen = [], []  # (kind, event, year, profile, roles) of each seen part; (..., days) of each unseen one
    for profile_name, specs in parts.items():
        profile = profiles.get(profile_name) or {}
        for event, before, after in specs:
            year = _occurrence_year(calendar, event, last_day)
            roles = role_offsets(calendar, event, before, after, year)
            if not any(int(o) in profile for r in ROLES for o in roles[r]):
                unseen.append((calendar.kind(event), event, profile_name, before, after))
                continue
            whole = np.concatenate([roles["window"], roles["peak"]])
            if calendar.kind(event) and sum(int(o) in profile for o in whole) >= MIN_SEEN_SHARE * len(whole):
                seen.append((calendar.kind(event), event, year, profile, roles))
    if not unseen:
        return out
    for kind, event, profile_name, before, after in unseen:
        off = future_offsets.get(profile_name)
        if off is None:
            continue
        days = np.flatnonzero(~np.isnan(off))
        anchors = future[days] - pd.to_timedelta(off[days], unit="D")
        for year in sorted(set(anchors.year)):
            roles = role_offsets(calendar, event, before, after, year)
            at = days[anchors.year == year]
            role_of = {int(o): r for r in ROLES for o in roles[r]}
            at = np.array([i for i in at if int(off[i]) in role_of], int)
            if not len(at):
                continue
            out.days[at] = True
            sources = [s for s in seen if s[0] == kind]
            label = f"{calendar.label(event)} {year}"
            where = f"{name}: no history of event {event!r} ({label}) before {last_day.date()}"
            if kind is None:
                out.notes.append(f"{where}: its days are forecast at the baseline (no uplift; the calendar gives "
                                 f"the event no kind, so nothing lends it one and its band is not widened)")
                continue
            if not sources:
                out.spread[at] = UNSEEN[kind]
                out.notes.append(f"{where}, nor of any other {kind}: its days are forecast at the baseline "
                                 f"(no uplift), its band widened by ±{UNSEEN[kind]:.2f} log (the measured size of a "
                                 f"{kind}'s uplift)")
                continue
            whole = np.array([_multiplier(p, np.concatenate([r["window"], r["peak"]])) for *_, p, r in sources])
            m = len(whole)
            mean = float(whole.mean())
            s2 = float(whole.var(ddof=1)) if m > 1 else 0.0
            kind_tau = TAU.get(kind, UNSEEN[kind])
            lent = ", ".join(f"{calendar.label(e)} {y} x{np.exp(v):.2f}" for (_, e, y, _, _), v in zip(sources, whole))
            p = float(chi2.sf((m - 1) * s2 / kind_tau ** 2, m - 1)) if m > 1 else 1.0
            if p < HETEROGENEITY_ALPHA:
                out.spread[at] = UNSEEN[kind]
                out.notes.append(f"{where}: the {kind}s seen lifted it unlike one another ({lent} over their "
                                 f"windows; Cochran's Q p = {p:.1g} against the spread between events of a {kind}): "
                                 f"each lift is its own event's (its season or its festival), so its days are "
                                 f"forecast at the baseline (no uplift), its band widened by ±{UNSEEN[kind]:.2f} log "
                                 f"(the measured size of a {kind}'s uplift)")
                continue
            tau2 = (kind_tau ** 2 + (m - 1) * s2) / m
            se2 = tau2 / m
            w = wiener_factor(mean, se2)
            by_role = {}
            for r in ROLES:
                values = [v for *_, p, roles_e in sources for v in [_multiplier(p, roles_e[r])] if v is not None]
                by_role[r] = w * float(np.mean(values)) if values else 0.0
            out.uplift[at] = [by_role[role_of[int(off[i])]] for i in at]
            sd = float(np.sqrt(tau2 + se2 + ((1 - w) * mean) ** 2))
            out.spread[at] = sd
            out.notes.append(f"{where}: its days borrow the uplift of the {kind}s seen ({lent} over their windows), "
                             f"x{np.exp(w * mean):.2f} (their mean x{np.exp(mean):.2f}, kept as far as it stands out "
                             f"of the spread between events of a {kind}), its band widened by ±{sd:.2f} log")
    return out

