"""The event profiles of event_profile: a profile fitted on few occurrences keeps its peaks and
loses the day noise it would otherwise repeat as the event's shape (issue 13: on the parcel
total's 618 2022 the profile came from 2021 alone, and its lull before June 1 came back as a
forecast 10-20% low)."""

import numpy as np
import pandas as pd

from workbench.calendar import default_calendar
from workbench.forecast.features import event_offsets
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
