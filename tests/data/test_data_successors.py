"""Successor mapping (workbench.data.successors): the file's checks with file, line and column,
and the one place it is applied, before any forecast."""

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.data.successors import apply_successors, check_successors_file, likely_replacements, read_successors
from workbench.data.validate import prepare_long_frame
from workbench.errors import DataValidationError, ParameterError


def _write(tmp_path, text: str, name: str = "successors.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _panel() -> pd.DataFrame:
    """Two regions of three codes: A1 (category c1) sold until 2026-02-28, B1 (c2) from
    2026-03-01, Z (c1) throughout, 5 a day each; the standard frame."""
    days = pd.date_range("2026-01-01", "2026-03-31")
    rows = []
    for sku, cat, first, last in (("A1", "c1", "2026-01-01", "2026-02-28"), ("B1", "c2", "2026-03-01", "2026-03-31"),
                                  ("Z", "c1", "2026-01-01", "2026-03-31")):
        for region in ("north", "south"):
            d = days[(days >= first) & (days <= last)]
            rows.append(pd.DataFrame({"cat": cat, "sku": sku, "region": region, "ds": d, "y": 5.0}))
    with pytest.warns(UserWarning):  # A1's rows end early: filled with 0 (said)
        frame, _ = prepare_long_frame(pd.concat(rows), date_col="ds", target_col="y",
                                      keys=["cat", "sku", "region"], freq="D")
    return frame


@pytest.mark.parametrize("text, expected", [
    ("predecessor,successor\nA1,A1\n", r"line 2: 'A1' is replaced by itself"),
    ("predecessor,successor\nA1,B1\nA1,Z\n", r"column 'predecessor': 'A1' is mapped twice, at lines 2, 3"),
    ("predecessor,successor\nA1,B1\nB1,Z\nZ,A1\n", r"a cycle of replacements, A1 -> B1 -> Z -> A1 \(line 2, line 3, line 4\)"),
    ("predecessor,successor,from\nA1,B1,2026-13-01\n", r"column 'from' has unparseable dates at line 2"),
    ("predecessor,sucessor\nA1,B1\n", r"missing \['successor'\]"),
    ("predecessor,successor,form\nA1,B1,2026-03-01\n", r"unknown column\(s\) \['form'\]"),
    ("predecessor,successor\nA1,\n", r"column 'successor' is empty at line 2"),
    ("predecessor,successor\n", r"no rows"),
])
def test_a_bad_mapping_file_is_refused_with_its_line_and_column(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(DataValidationError, match=expected) as info:
        read_successors(path)
    assert str(path) in str(info.value)
    with pytest.raises(DataValidationError, match=expected):  # the notebooks' check before any kernel
        check_successors_file({"successors": path})


def test_a_code_not_in_the_data_is_refused_with_its_line(tmp_path):
    mapping = read_successors(_write(tmp_path, "predecessor,successor\nZ,A1\nA1,B2\n"))
    with pytest.raises(DataValidationError, match=r"line 3, column 'successor': code 'B2' is not in key column 'sku'"
                                                  r".*; the closest: 'B1'"):  # trial 12 F17: the likely meant code
        apply_successors(_panel(), ["cat", "sku", "region"], mapping)


def test_the_successor_continues_the_predecessor_region_by_region_and_no_total_changes(tmp_path):
    """A1's units continue B1's series in each region, under B1's category (a column that
    belongs to the code), and A1 is no series; a chain (Z -> A1 -> B1) ends in B1; with a
    ``from`` date the units from it on stay A1's own series (a sell-off)."""
    frame = _panel()
    keys = ["cat", "sku", "region"]
    out, notes = apply_successors(frame, keys, read_successors(_write(tmp_path, "predecessor,successor\nA1,B1\n")))
    series = out.groupby(keys).agg(days=("y", "size"), units=("y", "sum"), first=("ds", "min"))
    assert list(series.index) == [("c1", "Z", "north"), ("c1", "Z", "south"), ("c2", "B1", "north"), ("c2", "B1", "south")]
    assert (series.loc["c2", "units"] == 450).all() and (series.loc["c2", "first"] == pd.Timestamp("2026-01-01")).all()
    assert (series["days"] == 90).all() and out["y"].sum() == frame["y"].sum()
    assert len(notes) == 1 and "A1 -> B1: 590 units of 2026-01-01..2026-02-28" in notes[0]
    chained, notes = apply_successors(frame, keys, read_successors(_write(tmp_path, "predecessor,successor\nZ,A1\nA1,B1\n")))
    assert set(chained["sku"]) == {"B1"} and chained["y"].sum() == frame["y"].sum()
    assert "Z -> A1 (then B1)" in notes[0]
    dated, notes = apply_successors(frame, keys, read_successors(
        _write(tmp_path, "predecessor,successor,from\nA1,B1,2026-02-15\n")))
    kept = dated[dated["sku"] == "A1"]
    assert kept["ds"].min() == pd.Timestamp("2026-02-15") and kept["y"].sum() == 140  # 14 days x 5 x 2 regions
    assert dated["y"].sum() == frame["y"].sum() and "A1 keep their own series (a sell-off)" in notes[0]


def test_a_successor_new_to_a_region_runs_to_the_tables_end_with_a_from_date(tmp_path):
    """With a ``from`` date, A1's rows before it move to B1; in the south, where B1 never sold,
    that series is only the moved rows: it still runs to the table's last date (every series
    does; review 1 #1: it ended the day before ``from``, so its forecast began inside the
    history)."""
    frame = _panel()
    frame = frame[~((frame["sku"] == "B1") & (frame["region"] == "south"))]
    keys = ["cat", "sku", "region"]
    dated, _ = apply_successors(frame, keys, read_successors(
        _write(tmp_path, "predecessor,successor,from\nA1,B1,2026-02-15\n")))
    south = dated[(dated["sku"] == "B1") & (dated["region"] == "south")]
    assert south["ds"].min() == pd.Timestamp("2026-01-01") and south["ds"].max() == pd.Timestamp("2026-03-31")
    assert len(south) == 90 and south["y"].sum() == 5 * 45  # A1's days before 02-15, then zeros
    assert dated.groupby(keys)["ds"].max().eq(pd.Timestamp("2026-03-31")).all()


def _replaced_line(seed: int = 3):
    """A daily panel of 8 lines over 2024-06-01..2026-11-29 (weekday pattern, 618 and Double 11
    peaks, growth, Poisson noise), one of which, OLD, a gift line selling 2.5 times its level in
    the New Year sale, is replaced by NEW on 2026-10-01 (demand moves whole), and the truth of
    NEW over the 2027 New Year sale window from the same process. Returns (the table, the truth
    total, the window)."""
    from workbench.calendar import default_calendar
    from workbench.forecast.features import event_offsets

    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-06-01", "2027-01-31")
    offsets = event_offsets(days, default_calendar())
    uplift = sum(np.where(np.isnan(offsets[e]), 0.0, 0.5 * np.exp(-np.abs(offsets[e]) / 2)) for e in ("618", "double11"))
    weekly = np.log([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])[days.day_of_week]
    sale = ~np.isnan(default_calendar().event_offsets(days, "new_year_sale"))
    cutoff, switch = pd.Timestamp("2026-11-29"), pd.Timestamp("2026-10-01")
    rows, truth = [], None
    for i in range(8):
        level = rng.uniform(20, 60)
        gift = 0.9 * sale if i == 0 else 0.0  # only the replaced line is a gift: the panel cannot lend its lift
        mean = level * np.exp(weekly + uplift + gift) * (1 + 0.2 * (days.year - 2024))
        y = rng.poisson(mean).astype(float)
        if i == 0:
            window = (pd.Timestamp("2027-01-02"), pd.Timestamp("2027-01-29"))
            truth = y[(days >= window[0]) & (days <= window[1])].sum()
            rows.append(pd.DataFrame({"sku": "OLD", "ds": days, "units": y})[(days < switch)])
            rows.append(pd.DataFrame({"sku": "NEW", "ds": days, "units": y})[(days >= switch) & (days <= cutoff)])
        else:
            rows.append(pd.DataFrame({"sku": f"L{i}", "ds": days, "units": y})[days <= cutoff])
    return pd.concat(rows, ignore_index=True), truth, window


def test_with_the_mapping_the_successor_is_forecast_from_the_line_without_it_as_a_launch(tmp_path):
    """``workbench forecast --successors``: the new code's New Year sale window is within 15% of
    the truth (seed 3: -6%), and the notes file says what moved; without the mapping the new code
    is a series two months old (its note says so), more than 25% off (-60%), the old code a
    stopped line, and a note names the pair as a likely replacement."""
    table, truth, (start, end) = _replaced_line()
    table.to_csv(tmp_path / "sales.csv", index=False)
    _write(tmp_path, "predecessor,successor\nOLD,NEW\n")
    totals = {}
    for mapped in (True, False):
        out = tmp_path / f"fc_{mapped}.csv"
        notes = tmp_path / f"notes_{mapped}.csv"
        args = ["forecast", "--data", str(tmp_path / "sales.csv"), "--date-col", "ds", "--target", "units",
                "--keys", "sku", "--freq", "D", "--through-event", "new_year_sale", "--out", str(out),
                "--notes", str(notes), "--n-jobs", "1"]
        assert main(args + (["--successors", str(tmp_path / "successors.csv")] if mapped else [])) == 0
        fc = pd.read_csv(out, parse_dates=["ds"])
        inside = fc[(fc.ds >= start) & (fc.ds <= end)]
        totals[mapped] = inside.groupby("sku")["yhat"].sum()
        said = pd.read_csv(notes)
        if mapped:
            assert "OLD" not in set(fc["sku"])
            assert abs(totals[True]["NEW"] / truth - 1) < 0.15, (totals[True]["NEW"], truth)
            assert said["note"].str.contains("OLD -> NEW").any()  # the notes file says what moved
        else:  # a new series, with none of the line's New Year sales behind it
            assert said[said["series"].str.contains("NEW")]["note"].str.contains("started on 2026-10-01").any()
            assert said[said["series"].str.contains("OLD")]["note"].str.contains("stopped").any()
            assert said["note"].str.contains("OLD (last sale 2026-09-30", regex=False).any()  # the hint
    assert abs(totals[False]["NEW"] / truth - 1) > 0.25


@pytest.mark.parametrize("given_from", [False, True])
def test_a_successor_at_its_predecessors_level_is_forecast_as_the_code_that_never_changed(tmp_path, given_from):
    """F20 (a young shop's formula SKU read at 0.65 of its level): the mapping's series is the
    line's, so its forecast is the one of a code that never changed, to the unit, with and
    without ``from``, across a week where neither code sold (the new code listed a week after
    the old one's last sale: the old code's padded zeros and the new code's missing days are one
    gap), in the CLI's path (``load_series``: ``map_codes``)."""
    table, _, _ = _replaced_line()
    switch = pd.Timestamp("2026-10-01")
    table = table[~((table["sku"] == "NEW") & (table["ds"] < switch + pd.Timedelta(days=7)))]  # the gap week
    never = table.replace({"sku": {"OLD": "NEW"}})  # the same line under one code
    given = f"{(switch + pd.Timedelta(days=7)).date()}" if given_from else ""
    _write(tmp_path, f"predecessor,successor,from\nOLD,NEW,{given}\n")
    forecasts = {}
    for name, frame, mapping in (("never", never, None), ("mapped", table, tmp_path / "successors.csv")):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
        out = tmp_path / f"fc_{name}.csv"
        args = ["forecast", "--data", str(tmp_path / f"{name}.csv"), "--date-col", "ds", "--target", "units",
                "--keys", "sku", "--freq", "D", "--through-event", "new_year_sale",
                "--out", str(out), "--n-jobs", "1"]
        assert main(args + (["--successors", str(mapping)] if mapping else [])) == 0
        forecasts[name] = pd.read_csv(out, parse_dates=["ds"]).set_index(["sku", "ds"]).sort_index()
    assert "OLD" not in forecasts["mapped"].index.get_level_values("sku")
    pd.testing.assert_frame_equal(forecasts["mapped"], forecasts["never"], rtol=1e-9)


def test_every_entry_point_reads_the_mapped_line_as_the_code_that_never_changed(tmp_path):
    """The CLI's, the event report's and the planning cycle's loaders (each runs ``map_codes``)
    give the mapped line the never-renamed code's series, day by day, across a gap week where
    neither code sold, with and without ``from``: what each forecasts is then the same."""
    from workbench.forecast.jobs import load_series
    from workbench.forecast.planning import EventParams, load_planning_frame
    from workbench.fulfilment.cycle import CycleParams, load_history

    table, _, _ = _replaced_line()
    switch = pd.Timestamp("2026-10-01")
    table = table[~((table["sku"] == "NEW") & (table["ds"] < switch + pd.Timedelta(days=7)))]
    table = table.assign(category="formula", region="East")
    table.replace({"sku": {"OLD": "NEW"}}).to_csv(tmp_path / "never.csv", index=False)
    table.to_csv(tmp_path / "mapped.csv", index=False)
    loaders = {
        "cli": lambda data, mapping: load_series(data, date_col="ds", target="units", keys=["category", "sku"],
                                                 successors=mapping)[0],
        "event report": lambda data, mapping: load_planning_frame(EventParams(
            data=str(data), keys=("category", "sku"), freq="D", successors=mapping))[0],
        "cycle": lambda data, mapping: load_history(CycleParams(data=str(data), stock=str(data), category=None,
                                                                successors=mapping))[0],
    }
    for given in ("", f"{(switch + pd.Timedelta(days=7)).date()}"):
        mapping = str(_write(tmp_path, f"predecessor,successor,from\nOLD,NEW,{given}\n"))
        for name, load in loaders.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the loaders' notes: the padding, the mapping
                never, mapped = load(tmp_path / "never.csv", None), load(tmp_path / "mapped.csv", mapping)
            keys = [k for k in ("category", "sku", "region") if k in never.columns]
            never, mapped = (f.sort_values([*keys, "ds"]).reset_index(drop=True)[[*keys, "ds", "y"]]
                             for f in (never, mapped))
            pd.testing.assert_frame_equal(mapped.astype({k: str for k in keys}), never.astype({k: str for k in keys}),
                                          obj=f"{name}, from {given or 'none'}")


def test_the_event_notebook_and_the_cycle_refuse_a_missing_mapping_file_by_name(tmp_path):
    from workbench.forecast.planning import EventParams
    from workbench.fulfilment.cycle import CycleParams

    data = tmp_path / "sales.csv"
    data.write_text("ds,sku,region,units\n2026-01-01,A,north,1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="successors: .* is not an existing file"):
        EventParams(data=str(data), successors=str(tmp_path / "absent.csv"))
    with pytest.raises(ParameterError, match="successors: the sample data replaces no codes"):
        EventParams(successors=str(data))
    with pytest.raises(ParameterError, match="successors: .* is not an existing file"):
        CycleParams(data=str(data), stock=str(data), successors=str(tmp_path / "absent.csv"))


def test_the_event_report_and_the_cycle_read_their_sales_with_the_mapping(tmp_path):
    """The event notebook's loader applies the mapping before it sums finer key columns (the
    codes are finer than its keys here) and says so; the planning cycle's applies it to its SKU
    x region sales, and the replaced SKU is no series."""
    from workbench.forecast.planning import EventParams, load_planning_frame
    from workbench.fulfilment.cycle import CycleParams, load_history

    days = pd.date_range("2026-01-01", "2026-03-31")
    rows = [pd.DataFrame({"ds": days[days < "2026-03-01"], "category": "c1", "sku": "A1", "region": "north", "units": 4}),
            pd.DataFrame({"ds": days[days >= "2026-03-01"], "category": "c2", "sku": "B1", "region": "north", "units": 6}),
            pd.DataFrame({"ds": days, "category": "c1", "sku": "Z", "region": "north", "units": 1})]
    data = tmp_path / "sales.csv"
    pd.concat(rows).to_csv(data, index=False)
    mapping = _write(tmp_path, "predecessor,successor\nA1,B1\n")
    with pytest.warns(UserWarning):  # A1's rows end early: filled with 0 (said)
        frame, keys, freq, notes = load_planning_frame(EventParams(data=str(data), keys=("category",),
                                                                   sum_over=["sku"], successors=str(mapping)))
    by_category = frame.groupby("category")["y"].sum()
    assert keys == ["category"] and by_category["c2"] == 59 * 4 + 31 * 6 and by_category["c1"] == 90
    assert any("A1 -> B1" in note for note in notes)
    params = CycleParams(data=str(data), stock=str(data), successors=str(mapping), category=None)
    with pytest.warns(UserWarning):
        history, _, skus, notes = load_history(params)
    assert set(history["sku"]) == {"B1", "Z"} and history["y"].sum() == 59 * 4 + 31 * 6 + 90
    assert any("A1 -> B1" in note for note in notes) and skus == ["B1", "Z"]  # review 1 #5: planned after the mapping
    assert history.attrs["replaced"] == {"A1": "B1"}  # its stock rows are named (cycle.complete_stock)
    params_c2 = CycleParams(data=str(data), stock=str(data), successors=str(mapping), category="c2")
    with pytest.warns(UserWarning):
        assert load_history(params_c2)[2] == ["B1"]  # under its own category, not its predecessor's
    with pytest.warns(UserWarning):  # max_skus takes the successor, never the code it replaced
        assert load_history(CycleParams(data=str(data), stock=str(data), successors=str(mapping), category=None,
                                        max_skus=1))[2] == ["B1"]
    pd.concat(rows).assign(region="广东省").to_csv(data, index=False)  # provinces: summed into regions
    with pytest.warns(UserWarning):
        _, _, _, notes = load_history(params)
    assert any("A1 -> B1" in note for note in notes)
    assert any("read as the network's regions" in note for note in notes)  # review 1 #3: it was overwritten


def test_a_stop_next_to_a_launch_at_its_level_is_named_as_a_likely_replacement(tmp_path):
    """Trial 8: LS004 stopped on 2026-06-30 and LS004B started the next day at its level, and
    nothing hinted that a mapping exists. A stop beside a launch at a like level gets a note
    naming both and --successors; a launch at another level, or a declared pair, does not."""
    frame = _panel()
    keys = ["cat", "sku", "region"]
    notes = likely_replacements(frame, keys)
    assert len(notes) == 1 and "A1 (last sale 2026-02-28, 10 a day) -> B1 (first sale 2026-03-01, 10 a day)" in notes[0]
    assert "--successors" in notes[0] and "Z" not in notes[0].split(":")[1].split(".")[0]
    # trial 10: a pair across the category key is said to be one (A1 is in c1, B1 in c2)
    assert "in column 'sku', across 'cat' (c1 -> c2: a replacement rarely changes its 'cat')" in notes[0]
    # a launch in the stopped code's own category drops the cross-category candidate
    c1 = frame[frame["sku"] == "B1"].assign(sku="C1", cat="c1")
    both = likely_replacements(pd.concat([frame, c1], ignore_index=True), keys)
    assert len(both) == 1 and both[0].startswith("1 code(s) stopped") and "-> B1" not in both[0]
    assert "A1 (last sale 2026-02-28, 10 a day) -> C1 (first sale 2026-03-01, 10 a day) in column 'sku'." in both[0]
    # trial 14 F5: two codes stopped beside one launch in their category (shades turning over) name no pair
    a2 = frame[frame["sku"] == "A1"].assign(sku="A2")
    turned = likely_replacements(pd.concat([frame, c1, a2], ignore_index=True), keys)
    assert len(turned) == 1 and turned[0].startswith("3 code(s) stopped and launched in turn at like levels")
    assert "(A1, C1, A2)" in turned[0] and "->" not in turned[0]
    louder = frame.assign(y=frame["y"].where(frame["sku"] != "B1", 50.0))
    assert likely_replacements(louder, keys) == []
    merged, _ = apply_successors(frame, keys, read_successors(_write(tmp_path, "predecessor,successor\nA1,B1\n")))
    assert likely_replacements(merged, keys) == []


def test_every_entry_point_refuses_a_bad_mapping_before_any_work(tmp_path, capsys):
    """``workbench backtest --successors`` exits 2 with the file's line before any fit, and the
    report runner refuses it for both notebooks before any kernel starts (their metadata check)."""
    from pathlib import Path

    from workbench.reports import runner

    bad = _write(tmp_path, "predecessor,successor\nA1,A1\n")
    data = tmp_path / "sales.csv"
    data.write_text("ds,sku,region,units\n2026-01-01,A1,North,1\n", encoding="utf-8")
    code = main(["backtest", "--data", str(data), "--date-col", "ds", "--target", "units", "--keys", "sku",
                 "--freq", "D", "--event", "618", "--years", "2025", "--successors", str(bad)])
    assert code == 2 and "line 2: 'A1' is replaced by itself" in capsys.readouterr().err
    repo = Path(__file__).resolve().parents[2]
    for notebook, values in (("event_forecast.ipynb", {}), ("planning_cycle.ipynb", {"category": None, "stock": str(data)})):
        with pytest.raises(DataValidationError, match="line 2: 'A1' is replaced by itself"):
            runner.prepare(repo / "notebooks" / notebook, values={"data": str(data), "successors": str(bad), **values},
                           report=notebook, tag="", reports_dir=tmp_path / "reports")


def test_at_months_only_a_launch_in_the_next_month_is_named():
    """Recheck of trial 8: its monthly file named JG010 -> JG013 (two products, one stopping in
    the month the other started) and missed LS004 -> LS004B (June, then July): a month holds many
    launches and stops, so at months only a launch in the month after the stop is named."""
    months = pd.date_range("2025-01-01", "2026-12-01", freq="MS")
    rows = []
    for sku, first, last in (("OLD", "2025-01-01", "2026-06-01"), ("NEW", "2026-07-01", "2026-12-01"),
                             ("SAME", "2026-06-01", "2026-12-01"), ("KEEP", "2025-01-01", "2026-12-01")):
        d = months[(months >= first) & (months <= last)]
        rows.append(pd.DataFrame({"sku": sku, "ds": d, "y": 2400.0}))
    with pytest.warns(UserWarning):
        frame, _ = prepare_long_frame(pd.concat(rows), date_col="ds", target_col="y", keys=["sku"], freq="MS")
    notes = likely_replacements(frame, ["sku"])
    assert len(notes) == 1 and "OLD (last sale 2026-06-01, 2,400 a month) -> NEW (first sale 2026-07-01" in notes[0]
    assert "SAME" not in notes[0]


def test_a_code_typo_or_the_sample_data_is_refused_before_any_kernel(tmp_path):
    """Review 1 #8: a mapping's code that the sales lack (a typo), and a mapping given with the
    sample data, were refused only inside the kernel (51-74 s and a failed page). The runner's
    checks refuse both before any kernel starts, naming the line and the file's own column."""
    from pathlib import Path

    from workbench.reports import runner

    repo = Path(__file__).resolve().parents[2]
    data = tmp_path / "sales.csv"
    data.write_text("日期,商品编码,省份,销量\n2026-01-01,A1,广东省,1\n2026-01-02,B1,广东省,2\n", encoding="utf-8")
    typo = _write(tmp_path, "predecessor,successor\nA1,B1\nA2,B1\n")
    stock = _write(tmp_path, "sku,warehouse,on_hand,on_order\nB1,Guangzhou,5,0\n", name="stock.csv")
    cycle = {"data": str(data), "stock": str(stock), "date_col": "日期", "sku_col": "商品编码", "region_col": "省份",
             "target": "销量", "gmv": None}

    def prepare(notebook, values):
        runner.prepare(repo / "notebooks" / notebook, values=values, report=notebook, tag="",
                       reports_dir=tmp_path / "reports")

    event = {"data": str(data), "date_col": "日期", "target": "销量", "keys": ["商品编码"]}
    for notebook, values in (("planning_cycle.ipynb", cycle), ("event_forecast.ipynb", event)):
        with pytest.raises(DataValidationError, match="line 3, column 'predecessor': code 'A2' is not in key column "
                                                      "'商品编码'"):  # review 7.2 #4: the event notebook's too
            prepare(notebook, {**values, "successors": str(typo)})
        prepare(notebook, {**values, "successors": str(_write(tmp_path, "predecessor,successor\nA1,B1\n", name="ok.csv"))})
    finer = {**event, "keys": ["省份"]}  # the codes in a finer column the run sums over: found there too
    with pytest.raises(DataValidationError, match="code 'A2' is not in key column '商品编码'"):
        prepare("event_forecast.ipynb", {**finer, "successors": str(typo)})
    for notebook in ("event_forecast.ipynb", "planning_cycle.ipynb"):
        with pytest.raises(ParameterError, match="successors: the sample data replaces no codes"):
            prepare(notebook, {"successors": str(typo)})


def test_a_code_without_a_group_is_named_as_a_pair_without_an_across_claim():
    """Review 9.1 #7: with ``groups`` given, a code missing from its ``{code: group}`` dict crashed
    the hint (``'/'.join(None)``). An unknown group makes no "across" claim: the pair is named."""
    from workbench.data.successors import likely_replacements

    old, new = pd.date_range("2026-01-01", "2026-06-30"), pd.date_range("2026-07-01", "2026-11-29")
    frame = pd.concat([pd.DataFrame({"商品编码": "OLD", "region": "East", "ds": old, "y": 10.0}),
                       pd.DataFrame({"商品编码": "NEW", "region": "East", "ds": new, "y": 10.0}),
                       pd.DataFrame({"商品编码": "K", "region": "East", "ds": old.union(new), "y": 10.0})])
    hint = likely_replacements(frame, ["商品编码", "region"], {"商品编码": ("类目", {"NEW": "x", "K": "x"})})
    assert len(hint) == 1 and "OLD (last sale 2026-06-30, 10 a day) -> NEW (first sale 2026-07-01" in hint[0]
    assert "across" not in hint[0]
