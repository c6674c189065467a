"""A last day cut short (an export taken before it ended; payment-time days of an export cut by order
time: trial 12 F21, 5 units against ~1,700) is read as each series' level, not as a fall in demand
(``core.censor_short_period``, on the table's test ``validate.short_last_period``)."""

import warnings

import numpy as np
import pandas as pd

from workbench.forecast.core import censor_short_period, forecast
from workbench.notes import SeriesNote

from forecast_helpers import peaks_and_weekdays

END = pd.Timestamp("2026-09-16")  # a Wednesday, as trial 12's stub


def _panel(seed: int) -> pd.DataFrame:
    """Four seeded daily series, 2024-09-01..END: levels 150-1,500 a day, a weekday pattern, the 618
    and Double 11 peaks, 10% log noise and 20% a year of growth; ``[sku, ds, y]``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-09-01", END)
    uplift, weekday = peaks_and_weekdays(days, 1.0)
    growth = np.log(1.2) * np.arange(len(days)) / 365
    return pd.concat([pd.DataFrame({"sku": f"S{i}", "ds": days, "y": rng.poisson(
        level * np.exp(uplift + weekday + growth + rng.normal(0, 0.1, len(days)))).astype(float)})
        for i, level in enumerate((150, 400, 800, 1500))], ignore_index=True)


def _window_totals(frame: pd.DataFrame, horizon: int) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast(frame, keys=["sku"], horizon=horizon, model="event_profile", n_jobs=1)
    window = fc[(fc.ds >= "2026-10-20") & (fc.ds <= "2026-11-11")]
    return window.groupby("sku")["yhat"].sum()


def test_a_stub_last_day_moves_no_window_forecast():
    """Seeded panels (2 seeds x 4 series): the last day cut to 0.3% of its units (the orders paid
    after midnight) against the same history without that day, the Double 11 2026 window total per
    series. Read as a whole day, the stub moved them -14..-18% (the log-scale level reads one day at
    ~0 as a fall of a quarter over 28 days; measured with the censoring off); read as the series'
    level, under 3%."""
    moves = []
    for seed in (1, 2):
        panel = _panel(seed)
        cut = panel[panel.ds < END]
        stub = panel.copy()
        last = stub.ds == END
        stub.loc[last, "y"] = np.floor(stub.loc[last, "y"] * 0.003)
        moves.append(_window_totals(stub, 56) / _window_totals(cut, 57) - 1)
    moves = pd.concat(moves)
    assert moves.abs().max() < 0.03, moves.round(3).tolist()


def test_the_short_day_is_read_as_each_series_median_of_its_weekday_and_said():
    """The stub's value per series is the median of the same weekday in the 4 weeks before (the
    siblings the table's test read), its own sales where higher; a whole last day, and a series'
    own low day in a table whose total is whole, change nothing."""
    panel = _panel(3)
    assert censor_short_period(panel, ["sku"], "D") == (panel, [])
    one_low = panel.copy()
    one_low.loc[(one_low.ds == END) & (one_low.sku == "S0"), "y"] = 0.0  # 150 of ~2,900: the table is whole
    assert censor_short_period(one_low, ["sku"], "D")[1] == []
    stub = panel.copy()
    last = stub.ds == END
    stub.loc[last, "y"] = [0.0, 1.0, 1500.0, 3.0]  # S2's day above its weekday's median: kept
    read, notes = censor_short_period(stub, ["sku"], "D")
    weekdays = panel[panel.ds.isin(pd.date_range(END - pd.Timedelta(days=28), END, freq="7D")[:-1])]
    median = weekdays.groupby("sku")["y"].median()
    got = read[read.ds == END].set_index("sku")["y"]
    assert got.tolist() == [median["S0"], median["S1"], 1500.0, median["S3"]]
    assert (read[read.ds < END]["y"].to_numpy() == panel[panel.ds < END]["y"].to_numpy()).all()
    assert len(notes) == 1 and not isinstance(notes[0], SeriesNote)
    assert notes[0].startswith("forecast: the last day, 2026-09-16, is cut short (its total 1,504 under 60% of the "
                               "lowest of the same weekday in the 4 weeks before")
    assert f"(1,504 -> {got.sum():,.0f} over 4 series), not as a fall in demand" in notes[0]


def test_a_series_already_low_the_period_before_keeps_its_sales():
    """A line stopped 3 weeks before the end of a two-series weekly table leaves the table's last
    week under 60% of its quiet siblings' (before the stop): it looks cut short, but the stopped
    series' week before was short of its level too (by the same rule), so its zero stands (it had
    been read at its level, undoing the stop: ``test_forecast_regimes``'s weekly stop); a slow
    seller's chance zero the day before is no fall."""
    rng = np.random.default_rng(4)
    ds = pd.date_range("2024-06-03", periods=104, freq="W-MON")
    live, stopped = rng.poisson(50.0, 104).astype(float), rng.poisson(50.0, 104).astype(float)
    stopped[-3:] = 0
    panel = pd.concat([pd.DataFrame({"sku": s, "ds": ds, "y": y}) for s, y in (("live", live), ("stopped", stopped))])
    assert censor_short_period(panel, ["sku"], "W") == (panel, [])
    days = _panel(5)
    slow = days.assign(y=np.where(days.sku == "S0", 3.0, days.y))
    slow.loc[(slow.sku == "S0") & (slow.ds == END - pd.Timedelta(days=1)), "y"] = 0.0  # chance, at 3 a day
    slow.loc[slow.ds == END, "y"] = 0.0
    read, notes = censor_short_period(slow, ["sku"], "D")
    assert (read[read.ds == END].set_index("sku")["y"] > 0).all() and "over 4 series)" in notes[0]
