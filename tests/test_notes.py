"""How notes are shown: one rule on many series is one line with the range of its figures, and
every series' own note is kept (trial 6: 141 festival notes, one per series, each with its own
figures, buried the few notes that mattered)."""

import pickle

from workbench.notes import SeriesNote, note_kind, note_rows, said_once, series_label

FESTIVAL = ("ets: Spring Festival and New Year sale effects (own and pooled): pre-festival {pre} (+-{sd} log), "
            "holiday -71% (+-0.19 log); windows: New Year sale days -35..-8, collapse -7..+16; 3 festival(s) seen")


def _festival(i: int, pre: str, sd: str) -> SeriesNote:
    return SeriesNote(series_label({"sku": f"SKU{i:03d}"}), FESTIVAL.format(pre=pre, sd=sd), {"sku": f"SKU{i:03d}"})


def test_a_note_of_one_kind_on_many_series_is_one_line_with_the_range_of_its_figures():
    notes = [_festival(1, "+62%", "0.16"), _festival(2, "+22%", "0.18"), _festival(3, "+150%", "0.12"),
             SeriesNote("sku=SKU004", "ets: no sales in the last 21 weeks (since 2026-07-06)", {"sku": "SKU004"}),
             _festival(5, "-4%", "0.16"), "levels reconciled to the direct national forecast, 272,758"]
    lines = said_once(notes)
    assert lines == [
        "4 series (sku=SKU001; sku=SKU002; sku=SKU003 and 1 more) (figures that differ "
        "between them as [lowest to highest]): ets: Spring Festival and New Year sale effects (own and pooled): "
        "pre-festival [-4% to +150%] (+-[0.12 to 0.18] log), holiday -71% (+-0.19 log); windows: New Year sale "
        "days -35..-8, collapse -7..+16; 3 festival(s) seen",
        "sku=SKU004: ets: no sales in the last 21 weeks (since 2026-07-06)",
        "levels reconciled to the direct national forecast, 272,758"]
    assert len(note_rows(notes)) == 6  # every series' own note is kept
    assert note_rows(notes)[2] == {"sku": "SKU003", "series": "sku=SKU003",
                                   "note": FESTIVAL.format(pre="+150%", sd="0.12")}
    assert note_rows(notes)[5] == {"series": "", "note": "levels reconciled to the direct national forecast, 272,758"}


def test_fewer_series_than_the_threshold_keep_their_own_notes_and_dates_span_as_dates():
    three = [_festival(i, f"+{i}%", "0.1") for i in range(3)]
    assert said_once(three) == three
    stopped = [SeriesNote(f"s{i}", f"ets: no sales in the last {w} weeks (since {d}), stopped")
               for i, (w, d) in enumerate([(21, "2026-07-06"), (48, "2025-12-29"), (30, "2026-05-04"), (21, "2026-07-06")])]
    assert said_once(stopped) == ["4 series (s0; s1; s2 and 1 more) (figures that differ between them as [lowest to "
                                  "highest]): ets: no sales in the last [21 to 48] weeks (since [2025-12-29 to "
                                  "2026-07-06]), stopped"]
    same = [SeriesNote(f"s{i}", "ets: forecast at zero") for i in range(5)]
    assert said_once(same + same) == ["5 series (s0; s1; s2 and 2 more): ets: forecast at zero"]


def test_figures_are_dates_and_numbers_not_digits_inside_names():
    kind, figures = note_kind("SKU023 at q10: x1.33 over 1,234.5 units (+-0.16 log), days -35..-8, since 2026-09-14")
    assert figures == ["1.33", "1,234.5", "0.16", "-35", "8", "2026-09-14"]
    assert kind == "SKU023 at q10: x{} over {} units (+-{} log), days {}..-{}, since {}"
    # a date range is two dates (its month and day were once figures of their own); a code's digits are its name
    kind, figures = note_kind("SKU-0012: span 2026-01-06..2026-03-20 fails")
    assert figures == ["2026-01-06", "2026-03-20"] and kind == "SKU-0012: span {}..{} fails"
    spans = [SeriesNote(f"s{i}", f"span 2026-0{i}-06..2026-0{i + 2}-2{i} fails") for i in range(1, 6)]
    assert said_once(spans)[0].endswith("span [2026-01-06 to 2026-05-06]..[2026-03-21 to 2026-07-25] fails")
    assert said_once(spans[:2], min_series=2)[0].startswith("2 series (s1; s2) (")  # no "and -1 more"
    note = SeriesNote("{'sku': 'a'}", "ets: a note", {"sku": "a"})  # crosses worker processes
    back = pickle.loads(pickle.dumps(note))
    assert back == note and (back.series, back.note, back.key) == ("{'sku': 'a'}", "ets: a note", {"sku": "a"})


def test_a_series_is_named_by_its_keys_in_a_planners_words():
    """Trial 8: notes named series as Python dicts ({'商品编码': 'LS008', '省份': '四川省'})."""
    assert series_label({"商品编码": "LS008", "省份": "四川省"}) == "商品编码=LS008, 省份=四川省"
    assert series_label({}) == "series" and series_label(None) == "series"
