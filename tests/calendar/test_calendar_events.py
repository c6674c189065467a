import numpy as np
import pandas as pd
import pytest

from workbench.calendar import RetailCalendar, default_calendar, spring_festival
from workbench.errors import ConfigError


@pytest.mark.parametrize("year,day", [(2021, "2021-02-12"), (2022, "2022-02-01"), (2023, "2023-01-22"),
                                      (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17")])
def test_spring_festival_follows_the_lunar_calendar(year, day):
    assert spring_festival(year) == pd.Timestamp(day)


def test_defaults_exist_for_every_year_to_2035():
    cal = default_calendar()
    for year in range(2021, 2036):
        for event in cal.events:
            window = cal.window(event, year)
            assert window.start <= window.anchor + pd.Timedelta(days=20)
            assert window.start <= window.end


def test_new_year_sale_is_anchored_on_spring_festival():
    cal = default_calendar()
    for year in (2024, 2025):
        window = cal.window("new_year_sale", year)
        assert window.anchor == spring_festival(year)
        assert window.end < window.anchor
    # moves with the lunar date: the 2025 sale starts in December 2024
    assert cal.window("new_year_sale", 2025).start == pd.Timestamp("2024-12-25")
    assert cal.window("new_year_sale", 2024).start == pd.Timestamp("2024-01-06")


def test_618_windows_differ_by_year_and_keep_peaks():
    cal = default_calendar()
    assert cal.window("618", 2023).start == pd.Timestamp("2023-05-25")
    assert cal.window("618", 2025).start == pd.Timestamp("2025-05-13")
    assert cal.window("618", 2030).peaks == (pd.Timestamp("2030-06-01"), pd.Timestamp("2030-06-18"))
    assert cal.window("double11", 2024).peaks[0] == pd.Timestamp("2024-11-01")


def test_makeup_workdays_from_holidays_package_and_yaml(tmp_path):
    cal = default_calendar()
    assert pd.Timestamp("2024-02-04") in cal.makeup_workdays("2024-01-01", "2024-12-31")
    override = tmp_path / "events.yaml"
    override.write_text("makeup_workdays: [2027-02-07]\nyears:\n  2027:\n    '618': {start: 2027-05-15}\n")
    custom = RetailCalendar(override)
    assert pd.Timestamp("2027-02-07") in custom.makeup_workdays("2027-01-01", "2027-12-31")
    assert custom.window("618", 2027).start == pd.Timestamp("2027-05-15")
    assert custom.window("618", 2026).start == default_calendar().window("618", 2026).start


def test_event_offsets_align_on_the_anchor():
    cal = default_calendar()
    dates = pd.date_range("2024-02-08", "2024-02-12")
    assert list(cal.event_offsets(dates, "spring_festival")) == [-2, -1, 0, 1, 2]
    assert pd.isna(cal.event_offsets(pd.DatetimeIndex(["2024-08-01"]), "618")[0])


@pytest.mark.parametrize("text,message", [
    ("bogus: 1\n", "unknown top-level key"),
    ("events:\n  '618': {start: '05-20', colour: red}\n", "unknown field(s) ['colour']"),
    ("years:\n  2027:\n    black_friday: {start: 2027-11-20}\n", "unknown event"),
    ("years:\n  2027:\n    '618': {start: not-a-date}\n", "is not a date"),
    ("years:\n  2027:\n    '618': {start: 2027-07-01}\n", "is after end"),
    ("events: [1, 2\n", "not valid YAML"),
])
def test_bad_events_file_names_the_file_and_field(tmp_path, text, message):
    path = tmp_path / "events.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        RetailCalendar(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_events_file():
    with pytest.raises(ConfigError, match="not found"):
        RetailCalendar("/nonexistent/events.yaml")


@pytest.mark.parametrize("text, line, message", [
    # issue 10: an impossible date gave a raw ValueError traceback from the YAML parser
    ('events:\n  "618":\n    start: 2025-02-30\n', 3, "'2025-02-30' is not a valid value"),
    ('years:\n  2027:\n    "618": {start: 2027-02-30}\n', 3, "'2027-02-30' is not a valid value"),
    # a bad "MM-DD" in the planner's own entry names the planner's file and line, not a default
    ('events:\n  "618":\n    start: "13-40"\n', 3, "events.618.start (2010): '2010-13-40' is not a date"),
    ('events:\n  "618":\n    start: "02-29"\n', 3, "'2010-02-29' is not a date"),
    ('years:\n  1999:\n    "618": {start: 1999-05-20}\n', 2, "the key must be a year from 2000 to 2099"),
    # an overlapping new event used to be silently ignored
    ('events:\n  brand_day:\n    anchor: "06-10"\n    start: "06-05"\n    end: "06-12"\n', 2,
     "overlaps 618 20"),
    ('events:\n  "618":\n    start: "04-28"\n', 2, "overlaps labor_day 20"),
    ('events:\n  "618":\n    start: "05-20"\n  "618":\n    end: "06-20"\n', 4, "duplicate key"),
])
def test_events_file_errors_name_the_planners_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "events.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        RetailCalendar(path)
    assert f"{path}:{line}: " in str(err.value) and message in str(err.value)


def test_a_new_event_is_announced_and_usable(tmp_path):
    from workbench.calendar.events import NewEventWarning

    path = tmp_path / "events.yaml"
    path.write_text('events:\n  brand_day:\n    label: Brand day\n    anchor: "08-08"\n    start: "08-06"\n'
                    '    end: "08-09"\n')
    with pytest.warns(NewEventWarning, match=r"events.yaml:2: events.brand_day is a new event: the daily "
                                             r"models learn its effect"):
        cal = RetailCalendar(path)
    assert cal.next_window("brand_day", pd.Timestamp("2026-08-07")).start == pd.Timestamp("2027-08-06")


def test_next_window_is_the_first_that_starts_after_the_date():
    cal = RetailCalendar()
    assert cal.next_window("new_year_sale", "2026-10-31").anchor == pd.Timestamp("2027-02-06")
    assert cal.next_window("618", "2026-05-19").year == 2026
    assert cal.next_window("618", "2026-05-20").year == 2027


@pytest.mark.parametrize("month,day,year,date", [(8, 15, 2024, "2024-09-17"), (8, 15, 2025, "2025-10-06"),
                                                (8, 15, 2027, "2027-09-15"), (5, 5, 2026, "2026-06-19"),
                                                (12, 8, 2026, "2027-01-15")])
def test_a_lunar_day_follows_the_lunar_calendar(month, day, year, date):
    """中秋 / Mid-Autumn (lunar 8-15), 端午 / Dragon Boat (5-5), and 腊八 (12-8), which falls in
    January of the next Gregorian year: the lunar year that begins in ``year``."""
    from workbench.calendar.events import lunar_day

    assert lunar_day(year, month, day) == pd.Timestamp(date)


def test_a_lunar_anchor_places_the_planners_event():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = RetailCalendar({"events": {"mid_autumn": {"anchor": "lunar:08-15", "start": -3, "end": -1}}})
    assert cal.anchor("mid_autumn", 2027) == pd.Timestamp("2027-09-15")
    assert cal.window("mid_autumn", 2026).start == pd.Timestamp("2026-09-22")
    # a lunar anchor and Spring Festival move against the solar year; a solar "MM-DD" does not
    assert cal.moves("mid_autumn") and cal.moves("new_year_sale") and cal.moves("spring_festival")
    assert not cal.moves("618") and not cal.moves("double11")


@pytest.mark.parametrize("anchor,message", [("lunar:13-01", r"events.yaml:3: events.own.anchor 'lunar:13-01': lunar "
                                                           r"months are 01-12"),
                                            ("lunar:08-30", r"events.yaml:3: events.own.anchor: 'lunar:08-30' is no day "
                                                            r"of the lunar year \d+ .*29 or 30 days"),
                                            ("lunar:12-08", r"events.yaml:3: .*months 11 and 12 fall in the next "
                                                            r"Gregorian year.*spring_festival"),
                                            ("lunar 08-15", r"events.yaml:3: .*write a lunar anchor as \"lunar:MM-DD\"")])
def test_a_bad_lunar_anchor_names_the_planners_file_and_line(tmp_path, anchor, message):
    path = tmp_path / "events.yaml"
    path.write_text(f'events:\n  own:\n    anchor: "{anchor}"\n    start: -3\n    end: -1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        RetailCalendar(path)


def test_a_planners_event_takes_the_public_holiday_days_it_shares_and_says_so():
    """Mid-Autumn's two weeks before it reach National Day's window in 2017, 2025 and 2028: the
    planner's event takes those days (one day belongs to one event: the forecast's profiles do
    not both hold them), said in the announcement; a planner's event overlapping a sale with peak
    days (Double 11) is still refused."""
    from workbench.calendar.events import NewEventWarning
    from workbench.forecast.features import event_offsets

    with pytest.warns(NewEventWarning, match=r"it takes the days it shares with national_day in .*2025, 2028"):
        cal = RetailCalendar({"events": {"mid_autumn": {"anchor": "lunar:08-15", "start": -14, "end": -1}}})
    days = pd.date_range("2025-09-20", "2025-10-12")
    off = event_offsets(days, cal)
    both = ~np.isnan(off["mid_autumn"]) & ~np.isnan(off["national_day"])
    assert not both.any()
    assert off["mid_autumn"][days == "2025-10-03"][0] == -3
    assert not np.isnan(off["national_day"][days == "2025-10-07"][0])
    with pytest.raises(ConfigError, match="overlaps double11"):
        RetailCalendar({"events": {"own": {"anchor": "11-08", "start": -3, "end": 0}}})


def test_a_shops_early_march_sale_takes_the_spring_festival_pauses_last_days():
    """Trial 14 F1: a beauty shop's 38女王节 (03-01..03-08, peak 03-08) was refused for overlapping
    the shipped Spring Festival pause "in 2010" (the pause ends SF+16: 2026-03-05). The pause's
    peak is Spring Festival's eve, outside the sale: the sale takes the shared days, said in the
    announcement; a window holding the pause's peak is still refused, naming the years it
    happens in and the one nearest today's."""
    from workbench.calendar.events import NewEventWarning
    from workbench.forecast.features import event_offsets

    queen = {"anchor": "03-08", "start": "03-01", "end": "03-08", "peaks": ["03-08"], "kind": "sale"}
    with pytest.warns(NewEventWarning, match=r"it takes the days it shares with spring_festival in 2010, 2015, "
                                             r"2018, 2026, 2029"):
        cal = RetailCalendar({"events": {"queen_day": queen}})
    days = pd.date_range("2026-02-20", "2026-03-12")
    off = event_offsets(days, cal)
    assert off["queen_day"][days == "2026-03-01"][0] == -7
    assert np.isnan(off["lunar_new_year"][days == "2026-03-02"][0])
    assert not np.isnan(off["lunar_new_year"][days == "2026-02-27"][0])
    on_eve = {"anchor": "02-16", "start": "02-14", "end": "02-18", "peaks": ["02-16"]}
    with pytest.raises(ConfigError, match=r"overlaps spring_festival \d{4} .*in \d+ of the years 2010-2040: "
                                          r".*2026.*one day belongs to one event"):
        RetailCalendar({"events": {"own": on_eve}})
    with pytest.raises(ConfigError, match=r"overlaps 618 \d{4} .*every year 2010-2040"):
        RetailCalendar({"events": {"brand_day": {"anchor": "06-10", "start": "06-05", "end": "06-12"}}})


@pytest.mark.parametrize("text,message", [
    ('events:\n  own:\n    anchor: "lunar:08-15"\n    start: "09-01"\n    end: -1\n',
     r"events.yaml:4: events.own.start '09-01': with a lunar anchor give days from it"),
    ('events:\n  own:\n    anchor: "lunar:08-15"\n    start: -14\n    end: -1\n    peaks: ["09-10"]\n',
     r"events.yaml:6: events.own.peaks '09-10'"),
    ('events:\n  lunar_new_year:\n    anchor: "05-05"\n    start: -1\n    end: 0\n',
     r"events.yaml:2: events.lunar_new_year: the name is the forecast's own")])
def test_a_lunar_window_in_solar_dates_and_a_reserved_name_are_refused_at_their_line(tmp_path, text, message):
    """Review 8.1 #5, #7: a solar "MM-DD" start or peak stays put while a lunar anchor moves up to a
    month (the peak fell 7, 26, 15 then 5 days before it in 2024-2027); a planner's event named
    like the forecast's own profile failed inside a report's kernel with no file or line."""
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        RetailCalendar(path)


def test_a_planners_rule_for_a_shipped_event_replaces_its_shipped_per_year_dates(tmp_path):
    """Trial 11 F8: moving 618 to start 06-02 to make room for the shop's 六一 week was refused as
    "618 2021 (2021-05-25 to ...) overlaps children_day 2021", at the planner's line: 2021's start
    came from the shipped per-year dates, which the planner had to find and copy. A rule the
    planner writes for an event holds in every year; their own per-year entries still apply."""
    import warnings

    from workbench.calendar.events import NewEventWarning

    path = tmp_path / "my_events.yaml"
    path.write_text('events:\n  "618":\n    start: "06-02"\n  children_day:\n    label: "六一"\n    anchor: "06-01"\n'
                    '    start: -7\n    end: -1\n    peaks: [-1]\n    kind: sale\n'
                    'years:\n  2024:\n    "618": {start: 2024-06-03}\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NewEventWarning)
        calendar = RetailCalendar(path)
    assert [calendar.window("618", y).start.date().isoformat() for y in (2021, 2023, 2024, 2025)] == \
        ["2021-06-02", "2023-06-02", "2024-06-03", "2025-06-02"]
    assert calendar.window("children_day", 2021).end == pd.Timestamp("2021-05-31")
    assert default_calendar().window("618", 2021).start == pd.Timestamp("2021-05-25")  # the shipped dates stand
    assert RetailCalendar({"events": {"618": {"label": "618 大促"}}}).window("618", 2021).start == \
        pd.Timestamp("2021-05-25")  # a label changes no date
