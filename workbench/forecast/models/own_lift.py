"""A count series' own event lifts: how far its past event windows sold over the pooled uplift.

A small SKU that sells on 60-75% of its days is intermittent by Syntetos & Boylan's cut-off (an
average interval of 1.32 days or more between sales), and ``event_profile`` forecasts it at a
rate (``recent_level``) times the pooled event profile: the shop's lift, not its own. On a flat
shop a SKU with a strong 年货节 / New Year sale of its own was forecast a third below its last
one, and a flat SKU in a lifted shop took the shop's lift (user trial F5; the seeded panel of
``benchmarks/intermittent_events.py``: flat SKUs +65-85% in their windows). The log of counts
of 0, 1 or 2 has no useful median, so the series' own profile is not read day by day; its
windows' totals are counted instead.

For each calendar event a profile holds (``features.profile_parts``: the New Year sale and the
Spring Festival pause apart, 618, 双11, the holidays and a planner's own events) and each of its
two ``ROLES``, its window's days and the days of its span around them (a pre-sale's days before,
a hangover after: one lift over both had put a flat SKU's 双11 window 28% high, its 18 margin
days diluting the shop's lift it was read against), over every past occurrence that the history
holds from before its span's first day (a span the history opened in is a launch's, not the
event's): ``N``, the units sold on those days, and ``E``,
those expected at the base rate times the pooled uplift, the base rate of each occurrence the mean
of the quiet days (outside every span) within ``AROUND`` days of it (a level that moved between
years is read where it stood). The series' lift over the pool is read from the ratio ``(N + 1/2)
/ (E + 1/2)`` (the half a unit keeps a window that sold nothing finite; for ``N`` a Poisson count of
mean ``E`` its mean is 1, so a flat slow mover's few units lift it by none on average), its noise
the sampling variance of two Poisson counts' logs, ``v = phi (1 / (N + 1/2) + 1 / (Q + 1/2))``
(``Q`` the quiet units the base rates were read on, ``phi`` the quiet days' variance-to-mean
ratio, at least 1: over-dispersed counts vary more). One window of a few units is a noisy ratio:
taken whole, a chili-oil SKU at about a unit a day that sold 5 in its one 年货节 where 27 were
expected got x0.20 and its next 年货节 a third of its truth (user trial 17 F2), and one high window
was replayed whole. So the log ratio is shrunk toward the pool (log lift 0) by its noise, the
posterior mean of a normal prior around the pool, ``w log((N + 1/2) / (E + 1/2))`` with ``w =
PRIOR_SD^2 / (PRIOR_SD^2 + v)`` (``PRIOR_SD``: the spread of series' own lifts around the pool's that
the prior allows, log sd): a lift read on many units keeps nearly all of itself, one read on a
few units little. ``PRIOR_SD`` is a constant just above the spread of SKUs' own lifts around the
pool measured at the sale events of the seeded panels of ``benchmarks/intermittent_events.py``
(0.39-0.67, method of moments): at the measured 0.5 the window totals of the flat SKUs of a
lifted shop (the pool wrong for them: half its SKUs flat, half lifted x1.5-x4) rose by 4-10% of
their truth, at 0.75 by 2-5% (docs/benchmarks.md, "One past window"), each SKU's own error
smaller either way.
A shrinkage estimated from the series' own lift (``conformal.wiener_factor``, the lift's square
as its prior variance) had its flat SKUs keep 8-18% of the shop's lift. The noise ``v`` is a
level error of the window no refit measured, added to the band whole (``Prediction.event_spread``):
the shrunk lift is biased where the series is unlike the pool, and its band must hold that.

Source: the ratio of observed to expected counts (a standardized incidence ratio) and its
log-scale variance, N. E. Breslow & N. E. Day, *Statistical Methods in Cancer Research* II,
IARC 1987, ch. 2; its shrinkage toward the pooled rate by its own sampling variance, the
empirical Bayes estimate of such ratios of D. Clayton & J. Kaldor, "Empirical Bayes estimates of
age-standardized relative risks for use in disease mapping", Biometrics 43, 1987 (their
log-normal model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.calendar import RetailCalendar
from workbench.data.validate import consecutive_runs
from workbench.forecast.features import event_offsets, in_event_span, profile_parts

ROLES = ("window", "margins")  # an event's window days, and its span's days around them
AROUND = 56  # days either side of a past span whose quiet days give its base rate
MIN_AROUND_DAYS = 14  # quiet days around a span, at least, for its base rate
PRIOR_SD = 0.75  # log sd of series' own lifts around the pool's that the prior allows (measured: module docstring)


@dataclass(frozen=True)
class OwnLifts:
    """Per calendar event and role seen (``lift``: (event, role) -> log lift over the pool, shrunk
    toward the pool by its noise; ``read``: the log ratio it was shrunk from), the units sold on
    those days of its past spans (``sold``), those the base rate and the pool expected
    (``expected``), the spans counted (``spans``) and the noise of each lift as read (``spread``:
    log sd)."""

    lift: dict[tuple[str, str], float] = field(default_factory=dict)
    read: dict[tuple[str, str], float] = field(default_factory=dict)
    sold: dict[tuple[str, str], float] = field(default_factory=dict)
    expected: dict[tuple[str, str], float] = field(default_factory=dict)
    spans: dict[tuple[str, str], int] = field(default_factory=dict)
    spread: dict[tuple[str, str], float] = field(default_factory=dict)

    def on(self, dates, calendar: RetailCalendar) -> tuple[np.ndarray, np.ndarray]:
        """``(lift, spread)`` on each of ``dates`` (log, shape (len(dates),)): the lift and its
        noise of the event whose span holds the day, 0 elsewhere and for an event not seen."""
        dates = pd.DatetimeIndex(dates)
        lift, spread = np.zeros(len(dates)), np.zeros(len(dates))
        for part, days in _part_days(dates, calendar).items():
            if part in self.lift:
                lift[days] += self.lift[part]
                spread[days] = np.hypot(spread[days], self.spread[part])
        return lift, spread

    def describe(self, calendar: RetailCalendar) -> str:
        """``"年货节 / New Year sale window x0.33 (read x0.20: 5 units where 27 were expected, 1 time;
        shrunk toward the pool by its noise), ..."``."""
        return ", ".join(f"{calendar.label(e)} {'window' if role == 'window' else 'days around it'} x{np.exp(v):.2f} "
                         f"(read x{np.exp(self.read[e, role]):.2f}: {self.sold[e, role]:.0f} units where "
                         f"{self.expected[e, role]:.0f} were expected, {self.spans[e, role]} "
                         f"time{'s' * (self.spans[e, role] > 1)}; shrunk toward the pool by its noise)"
                         for (e, role), v in self.lift.items())


def _part_days(dates: pd.DatetimeIndex, calendar: RetailCalendar) -> dict[tuple[str, str], np.ndarray]:
    """``{(calendar event, role): mask of dates}``: the days of each event's part of a profile's
    span (``profile_parts``; a day one profile's, as ``event_offsets`` gives it) inside its window
    (``"window"``) and around it (``"margins"``)."""
    offsets = event_offsets(dates, calendar)
    out = {}
    for name, parts in profile_parts(calendar).items():
        for event, before, after in parts:
            span = ~np.isnan(calendar.event_offsets(dates, event, before=before, after=after)) & ~np.isnan(offsets[name])
            window = ~np.isnan(calendar.event_offsets(dates, event))
            out[event, "window"], out[event, "margins"] = span & window, span & ~window
    return out


def own_lifts(y, ds, calendar: RetailCalendar, pooled=None) -> OwnLifts:
    """The series' own lift over the pooled uplift in each calendar event's spans it saw whole
    from before their start; see the module docstring.

    Parameters
    ----------
    y : array (n,), units a day (>= 0), from the series' first sale on.
    ds : the n consecutive days of ``y``.
    calendar : the retail calendar.
    pooled : array (n,), the pooled log uplift on each day (0 outside events); None: none.

    Returns
    -------
    ``OwnLifts``: empty when no event's span lies after the first day with quiet days around it;
    each lift the log ratio shrunk toward the pool by its noise (``PRIOR_SD``).
    """
    y = np.asarray(y, float)
    ds = pd.DatetimeIndex(ds)
    pooled = np.zeros(len(y)) if pooled is None else np.asarray(pooled, float)
    quiet = ~in_event_span(event_offsets(ds, calendar))
    quiet_y = y[quiet]
    phi = max(1.0, float(quiet_y.var() / quiet_y.mean())) if quiet_y.size and quiet_y.mean() > 0 else 1.0
    out = OwnLifts()
    parts = _part_days(ds, calendar)
    for event in dict.fromkeys(event for event, _ in parts):
        span = parts[event, "window"] | parts[event, "margins"]
        counted = {role: [0.0, 0.0, 0.0, 0] for role in ROLES}  # sold, expected, quiet units, spans
        for run in consecutive_runs(np.flatnonzero(span)):
            if run[0] == 0:  # the history opened inside it: a launch's days, not the event's
                continue
            near = np.zeros(len(y), bool)
            near[max(0, run[0] - AROUND):run[-1] + AROUND + 1] = True
            around = near & quiet
            if around.sum() < MIN_AROUND_DAYS:
                continue
            rate = float(y[around].mean())
            for role in ROLES:
                days = run[parts[event, role][run]]
                if len(days):
                    c = counted[role]
                    c[0] += float(y[days].sum())
                    c[1] += rate * float(np.exp(pooled[days]).sum())
                    c[2] += float(y[around].sum())
                    c[3] += 1
        for role, (sold, expected, quiet_units, spans) in counted.items():
            if not spans or expected <= 0:
                continue
            read = float(np.log((sold + 0.5) / (expected + 0.5)))
            noise = phi * (1.0 / (sold + 0.5) + 1.0 / (quiet_units + 0.5))
            # one window of a few units is no lift of the series' own: toward the pool by its noise
            out.lift[event, role] = PRIOR_SD ** 2 / (PRIOR_SD ** 2 + noise) * read
            out.read[event, role] = read
            out.sold[event, role], out.expected[event, role], out.spans[event, role] = sold, expected, spans
            out.spread[event, role] = float(np.sqrt(noise))
    return out
