"""The event profiles of event_profile: a profile fitted on few occurrences keeps its peaks and
loses the day noise it would otherwise repeat as the event's shape (issue 13: on the parcel
total's 618 2022 the profile came from 2021 alone, and its lull before June 1 came back as a
forecast 10-20% low)."""

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.features import event_offsets, named_days
from workbench.forecast.models import event_profile
from workbench.forecast.models.event_profile import EventProfile, _shrink_profile

OFFSETS = np.arange(-34, 11)
PEAK = np.exp(-np.abs(OFFSETS) / 3.0)  # a sharp sale peak on the anchor day (log uplift 1.0)


def test_one_occurrence_loses_its_noise_and_keeps_its_peak():
    """A profile read from one occurrence (true shape plus day noise of sd 0.08): the shrunk
    profile is closer to the truth (mean squared error under 60% of the raw one's over 200
    draws), its peak keeps at least 95% of the raw peak, and the event's mean lift stays."""
    raw_err, shrunk_err, peaks = [], [], []
    for seed in range(200):
        raw = PEAK + np.random.default_rng(seed).normal(0, 0.08, len(OFFSETS))
        shrunk = _shrink_profile(raw, np.ones(len(raw)), 0.08)
        raw_err.append(np.mean((raw - PEAK) ** 2))
        shrunk_err.append(np.mean((shrunk - PEAK) ** 2))
        peaks.append(shrunk[OFFSETS == 0][0] / raw[OFFSETS == 0][0])
        assert abs(shrunk.mean() - raw.mean()) < 0.02
    assert np.mean(shrunk_err) < 0.6 * np.mean(raw_err), (np.mean(shrunk_err), np.mean(raw_err))
    assert min(peaks) > 0.95


def test_many_occurrences_and_unknown_offsets_are_left_alone():
    """The noise of a mean over 100 occurrences is negligible: the profile is kept (within
    0.005); offsets without a value stay unknown (NaN), and a profile of one known offset is
    returned as it is."""
    raw = PEAK + np.random.default_rng(0).normal(0, 0.08, len(OFFSETS))
    raw[:5] = np.nan
    shrunk = _shrink_profile(raw, np.full(len(raw), 100.0), 0.08)
    assert np.isnan(shrunk[:5]).all()
    np.testing.assert_allclose(shrunk[5:], raw[5:], atol=0.005)
    single = np.full(len(OFFSETS), np.nan)
    single[3] = 0.4
    np.testing.assert_array_equal(_shrink_profile(single, np.ones(len(single)), 0.08), single)


def test_the_next_618_follows_the_event_not_last_years_noise(monkeypatch):
    """A seeded series with one 618 before the cut-off (weekly pattern, a sharp 618 peak, day
    noise of sd 0.1): its forecast of the next 618's days is nearer the true log uplift than
    the forecast made from the unshrunk profile: the root mean squared error of the forecast's
    log uplift against the truth is lower on every seed, and on average at most 85% of it
    (measured: 0.071 against 0.090; the rest is the baseline's own error across the span)."""
    days = pd.date_range("2023-01-01", "2024-06-30")
    off = event_offsets(days, default_calendar())["618"]
    inside = ~np.isnan(off)
    truth = np.where(inside, np.exp(-np.abs(np.nan_to_num(off)) / 3.0), 0.0)
    weekly = np.log([0.97, 0.98, 0.99, 1.0, 1.02, 1.08, 1.05])[days.day_of_week]
    cut = days <= pd.Timestamp("2024-03-20")
    horizon = int((~cut).sum())
    errors = {"shrunk": [], "raw": []}
    for seed in range(5):
        y = np.exp(np.log(800) + weekly + truth + np.random.default_rng(seed).normal(0, 0.1, len(days)))
        for kind in errors:
            if kind == "raw":
                monkeypatch.setattr(event_profile, "_shrink_profile", lambda profile, counts, noise, spread=None: profile)
            pred = EventProfile().fit(y[cut], days[cut]).predict(horizon)
            monkeypatch.undo()
            uplift = np.log1p(pred.mean) - np.log1p(pred.baseline)
            event = inside[~cut]
            errors[kind].append(np.sqrt(np.mean((uplift[event] - truth[~cut][event]) ** 2)))
    assert all(s < r for s, r in zip(errors["shrunk"], errors["raw"])), errors
    assert np.mean(errors["shrunk"]) < 0.85 * np.mean(errors["raw"]), errors


def test_a_one_off_spike_inside_an_event_span_is_not_repeated_next_year():
    """Trial 8: live-stream spike days (x2-x4 on about two random days a month) that fell inside
    an event span came back a year later as the event's shape (phantom +30-60% days). Two 618s
    in the history, each with a true peak (log uplift exp(-|offset| / 3), 1.0 on June 18) and
    one x3 spike (2023-06-03, 2024-06-08: offsets -15 and -10, one in each year): the next 618's
    forecast log uplift at those offsets is within 0.15 of the truth (0.41-0.55 over it before;
    now 0.03-0.12, five seeds), and the peak day's uplift is what the same history without the
    spikes gives (within 0.02)."""
    days = pd.date_range("2023-01-01", "2025-06-30")
    off = event_offsets(days, default_calendar())["618"]
    inside = ~np.isnan(off)
    truth = np.where(inside, np.exp(-np.abs(np.nan_to_num(off)) / 3.0), 0.0)
    spikes = np.isin(days, pd.DatetimeIndex(["2023-06-03", "2024-06-08"]))
    cut = days <= pd.Timestamp("2025-05-01")
    future_off, peak = off[~cut], off[~cut] == 0
    for seed in range(5):
        noise = np.random.default_rng(seed).normal(0, 0.1, len(days))
        uplifts = []
        for spiked in (True, False):
            y = np.exp(np.log(300) + truth + np.log(3) * spikes * spiked + noise)
            pred = EventProfile().fit(y[cut], days[cut]).predict(int((~cut).sum()))
            uplifts.append(np.log1p(pred.mean) - np.log1p(pred.baseline))
        for offset in (-15, -10):
            at = future_off == offset
            assert abs(uplifts[0][at][0] - truth[~cut][at][0]) < 0.15, (seed, offset, uplifts[0][at][0])
        assert abs(uplifts[0][peak][0] - uplifts[1][peak][0]) < 0.02, (seed, uplifts[0][peak][0], uplifts[1][peak][0])


def _live_shop(seed: int, days: pd.DatetimeIndex, forced: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """A shop's multipliers: live-stream days (x2-x5 on three random days a month, on no
    calendar, plus ``forced``; none on 11-11 or beside it) and the true event log uplift: Double 11 x4 on 11-11 with x1.6 the
    day before and x1.3 after, x1.2 over the rest of its span; the New Year sale x1.25 from
    SF-35 to SF-12. Returns (live multiplier, true log uplift)."""
    rng = np.random.default_rng(seed)
    live = np.ones(len(days))
    for _, idx in pd.Series(np.arange(len(days))).groupby([days.year, days.month]):
        live[rng.choice(idx.to_numpy(), 3, replace=False)] = rng.uniform(2, 5, 3)
    live[days.isin(forced)] = 3.5
    off = event_offsets(days, default_calendar())
    d11, ny = off["double11"], off["lunar_new_year"]
    live[np.abs(d11) <= 1] = 1.0  # a live day on the peak itself is the peak's, for all one can tell
    truth = np.where(~np.isnan(d11), np.log(1.2), 0.0)
    truth[d11 == 0], truth[d11 == -1], truth[d11 == 1] = np.log(4.0), np.log(1.6), np.log(1.3)
    truth += np.where((ny >= -35) & (ny <= -12), np.log(1.25), 0.0)
    return live, truth


def test_a_live_stream_shops_one_off_days_in_an_event_seen_once_are_not_replayed():
    """Trial 9: a young shop's live-stream days (x2-x5 on three random days a month, on no
    calendar) that fell inside the one New Year sale of its history came back a year later at
    the same lunar offsets as the sale's shape (2,559 units forecast against 521 sold). One
    festival seen: nothing tells a one-off day from the event's shape but the shop's quiet
    days, where such days are as common. Seeded shop (history 2024-08-01 to 2025-10-05: one
    Double 11, one Spring Festival, three live days forced at SF-30, SF-15, SF-12 of 2025):
    the next New Year sale's forecast log uplift at those offsets is within 0.2 of the truth
    (x3.5 = 1.25 over it before), and the Double 11 peak (11-11 x4, seen once, named by the
    calendar) keeps its uplift within 0.2 of the truth."""
    days = pd.date_range("2024-08-01", "2026-02-10")
    sf = pd.Timestamp("2025-01-29")
    forced = pd.DatetimeIndex([sf - pd.Timedelta(days=d) for d in (30, 15, 12)])
    cut = days <= pd.Timestamp("2025-10-05")
    future = days[~cut]
    ny = event_offsets(future, default_calendar())["lunar_new_year"]
    d11 = event_offsets(future, default_calendar())["double11"]
    weekly = np.log([0.97, 0.98, 0.99, 1.0, 1.02, 1.08, 1.05])[days.day_of_week]
    for seed in range(4):
        live, truth = _live_shop(seed, days, forced)
        noise = np.random.default_rng(100 + seed).normal(0, 0.08, len(days))
        y = np.exp(np.log(600) + weekly + truth + noise) * live
        pred = EventProfile().fit(y[cut], days[cut]).predict(int((~cut).sum()))
        uplift = np.log1p(pred.mean) - np.log1p(pred.baseline)
        for offset in (-30, -15, -12):
            at = ny == offset
            assert abs(uplift[at][0] - truth[~cut][at][0]) < 0.2, (seed, offset, uplift[at][0], truth[~cut][at][0])
        peak = d11 == 0
        assert abs(uplift[peak][0] - np.log(4.0)) < 0.2, (seed, uplift[peak][0])


def test_one_off_part_follows_how_often_the_quiet_days_jump():
    """The same event days (one occurrence: jumps of 6 day-noise sds on two days the calendar
    does not name, and on a named day) in two series: one whose quiet days carry only day
    noise keeps every jump (a parcel network's sharp event days), one whose quiet days jump as
    far on 10% of days loses the two un-named ones whole and keeps the named one."""
    rng = np.random.default_rng(0)
    n = 400
    quiet = np.ones(n, bool)
    quiet[200:240] = False
    named = np.zeros(n, bool)
    named[230] = True
    base = rng.normal(0, 0.1, n)
    base[[210, 220, 230]] += 0.6
    spiky = base.copy()
    spiky[np.flatnonzero(quiet)[::10]] += 0.6
    seen_once = ~quiet
    for residual, removed in ((base, False), (spiky, True)):
        noise = event_profile.robust_sd(residual[quiet])
        part = event_profile._one_off_part(residual, quiet, seen_once, named, noise)
        assert part[230] == 0.0
        if removed:
            assert (part[[210, 220]] > 0.5).all(), part[[210, 220]]
        else:
            np.testing.assert_array_equal(part[[210, 220]], 0.0)


def test_one_off_part_keeps_real_event_days_when_the_quiet_days_jump_twice():
    """Two real sharp event days seen once (jumps of 8 day-noise sds the calendar does not
    name) in a series whose 600 quiet days hold just 2 such jumps (a stock-out, an
    uncalendared sale): the quiet days' rate (0.3%) barely explains 2 jumps among 100 event
    days, so most of each real jump stays. A rule sending every candidate whole unless their
    count is significantly above the quiet rate removed 90% of them (20 seeds)."""
    removed = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = 700
        quiet = np.ones(n, bool)
        quiet[300:400] = False
        residual = rng.normal(0, 0.1, n)
        residual[np.flatnonzero(quiet)[[50, 90]]] += 0.8
        residual[[330, 360]] += 0.8
        noise = event_profile.robust_sd(residual[quiet])
        part = event_profile._one_off_part(residual, quiet, ~quiet, np.zeros(n, bool), noise)
        removed.append(part[[330, 360]].mean() / 0.8)
    assert np.mean(removed) < 0.25, np.mean(removed)


def test_named_days_are_the_calendars_anchor_window_edges_and_peaks():
    """Double 11 2025: its window's first day 10-20, the peak 11-01 and the anchor 11-11 are
    named, 11-05 is not; the New Year sale 2026 (Spring Festival 2026-02-17): SF-35 (start),
    SF-20 (peak), SF-8 (end) and the festival itself are named, SF-12 is not."""
    days = pd.date_range("2025-10-01", "2026-03-10")
    named = pd.Series(named_days(days, default_calendar()), index=days)
    assert named[["2025-10-20", "2025-11-01", "2025-11-11"]].all()
    assert not named["2025-11-05"]
    sf = pd.Timestamp("2026-02-17")
    assert named[[sf - pd.Timedelta(days=d) for d in (35, 20, 8, 0)]].all()
    assert not named[sf - pd.Timedelta(days=12)]
