import re

import numpy as np
import pandas as pd
import pytest

from workbench.data.sample import load_sample
from workbench.errors import ParameterError
from workbench.forecast import planning
from workbench.forecast.core import coarser_levels
from workbench.forecast.models.base import DEFAULT_QUANTILES
from workbench.forecast.request import MAX_LEAD


@pytest.fixture(scope="module")
def result():
    frame, keys, _, _ = planning.load_planning_frame(planning.EventParams(event="new_year_sale",
                                                                       level="category_region"))
    frame = frame[frame.ds >= "2024-06-01"]
    return planning.event_forecast(frame, event="new_year_sale", year=2026, lead=60, keys=keys, n_jobs=2)


def test_event_forecast_covers_the_window_with_actuals(result):
    assert result.window.anchor == pd.Timestamp("2026-02-17")
    assert result.cutoff == result.window.start - pd.Timedelta(days=60)
    assert result.has_actuals and len(result.totals) == 42
    assert (result.totals.uplift > 0).mean() > 0.9  # the sale lifts demand over the baseline
    assert result.totals.error_pct.abs().median() < 25  # percent


def test_levels_add_up(result):
    levels = planning.level_totals(result)
    national = levels[levels.level == "national"].iloc[0]
    for level in ("category", "region"):
        part = levels[levels.level == level]
        assert np.isclose(part.yhat.sum(), national.yhat)
        assert np.isclose(part.yhat_baseline.sum(), national.yhat_baseline)
    assert np.isclose(result.totals.yhat.sum(), national.yhat)
    assert planning.national_totals(result)["yhat"] == pytest.approx(national.yhat)


def test_a_files_own_key_columns_make_the_levels(result):
    """A new user's keys 类目 and 商品编码: the table had only the national row. Every key with
    fewer values than there are series is a level; a key that alone tells the series apart is
    not (it would repeat the series' table)."""
    import dataclasses

    names = {"category": "类目", "region": "区域"}
    own = dataclasses.replace(result, keys=["类目", "区域"], forecast=result.forecast.rename(columns=names),
                              direct_levels={names[k]: v.rename(columns=names) for k, v in result.direct_levels.items()},
                              window_bands={names.get(k, k): v.rename(columns=names) for k, v in result.window_bands.items()})
    ours, theirs = planning.level_totals(own), planning.level_totals(result)
    assert ours.level.tolist() == theirs.level.replace(names).tolist()
    np.testing.assert_allclose(ours.yhat, theirs.yhat)
    np.testing.assert_allclose(ours.yhat_q90, theirs.yhat_q90)
    codes = result.forecast.assign(商品编码=result.forecast.category + "/" + result.forecast.region)
    assert coarser_levels(codes, ["category", "商品编码"]) == ["category"]


def test_level_tables_are_reconciled_to_the_direct_national_forecast(result):
    """The 42 category x region series (mature: the default is mint_refits) and the national total
    forecast directly are reconciled: every level's table and the daily total add up (means and
    medians) to a national total between the direct one and the summed series each day."""
    direct = result.direct_total.set_index("ds")
    inside = direct.loc[result.window.start:result.window.end]
    national = planning.level_totals(result).query("level == 'national'").iloc[0]
    assert result.forecast.attrs["reconcile"]["method"] == "mint_refits"
    daily = planning.daily_total(result).set_index("ds")
    coherent = result.forecast.groupby("ds").yhat.sum()
    assert national.yhat == pytest.approx(coherent.loc[result.window.start:result.window.end].sum(), rel=1e-9)
    assert not np.allclose(coherent.to_numpy(), direct.yhat.reindex(coherent.index).to_numpy())
    # the national band is its series' refits summed per refit (their joint errors of 28-day
    # sums), around their summed forecast and scaled to the coherent point; narrower than the sum
    # of its days' P10..P90 and than the sum of the series'
    band = result.window_bands["national"].iloc[0]
    assert band.window_band == "summed refits"
    assert band.yhat == pytest.approx(result.window_bands["series"].yhat.sum(), rel=1e-9)
    for q in ("yhat_q10", "yhat_q50", "yhat_q90"):
        assert national[q] == pytest.approx(band[q] * national.yhat / band.yhat, rel=1e-9)
    assert national.yhat_q10 < national.yhat < national.yhat_q90
    summed = planning.window_totals(planning.aggregate(result.forecast, []), result.window, []).iloc[0]
    assert summed.yhat_q90 - summed.yhat_q10 > national.yhat_q90 - national.yhat_q10
    assert planning.national_totals(result)["yhat_q10"] == pytest.approx(national.yhat_q10)
    np.testing.assert_allclose(daily.yhat, coherent.reindex(daily.index), rtol=1e-9)
    (note,) = [n for n in result.notes if n.startswith("levels reconciled (mint_refits") and "chosen: 0% of the 42" in n]
    # how far the national total moved towards the series' sum, from the note's own figures
    summed_, national_, coherent_, share = re.search(r"summed to ([\d,]+) .*direct national forecast of ([\d,]+); "
                                                     r"every level now adds up to ([\d,]+), (\d+)% of the way", note).groups()
    summed_, national_, coherent_ = (float(x.replace(",", "")) for x in (summed_, national_, coherent_))
    assert int(share) == pytest.approx(100 * (coherent_ - national_) / (summed_ - national_), abs=1.5)


def test_every_level_band_is_its_own_not_the_sum_of_the_series_bands(result):
    """A category's and a region's window band is that of its series' refits summed per refit
    (the level's joint errors of 28-day sums; its direct forecast is the fallback), scaled to the
    coherent point forecast, which lies inside it; the series' too. Narrower than the summed
    series' P10..P90 over all levels."""
    assert set(result.direct_levels) == {"category", "region"}
    assert set(result.window_bands) == {"series", "national", "category", "region"}
    tables = planning.level_totals(result)
    for level in ("category", "region"):
        ours = tables[tables.level == level].set_index("key")
        summed = planning.window_totals(planning.aggregate(result.forecast, [level]), result.window, [level]) \
            .set_index(level)
        np.testing.assert_allclose(ours.yhat, summed.yhat.reindex(ours.index), rtol=1e-9)  # coherent points
        band = result.window_bands[level].set_index(level).reindex(ours.index)
        for q in ("yhat_q10", "yhat_q90"):
            np.testing.assert_allclose(ours[q], band[q] * ours.yhat / band.yhat, rtol=1e-9)
        assert (ours.window_band == "summed refits").all()
        assert (ours.yhat_q10 < ours.yhat).all() and (ours.yhat < ours.yhat_q90).all()
        width, summed_width = ours.yhat_q90 - ours.yhat_q10, (summed.yhat_q90 - summed.yhat_q10).reindex(ours.index)
        assert width.sum() < summed_width.sum()
    series = result.totals
    assert (series.yhat_q10 <= series.yhat).all() and (series.yhat <= series.yhat_q90).all()
    assert series.window_band.isin(["refits", "count", "independent days", "zero"]).all()
    chart = planning.level_daily(result, [])
    direct = result.direct_total.set_index("ds")
    chart = chart.set_index("ds")  # the direct total's own band, scaled each day to the coherent point
    np.testing.assert_allclose(chart.yhat_q90, (direct.yhat_q90 * chart.yhat / direct.yhat).reindex(chart.index), rtol=1e-9)


def test_bottom_up_keeps_the_series_and_a_bad_method_is_named():
    frame, keys, _, _ = planning.load_planning_frame(planning.EventParams(event="618", level="region"))
    frame = frame[frame.ds >= "2025-01-01"]
    kept = planning.event_forecast(frame, event="618", year=2026, lead=60, keys=keys, reconcile="bottom_up")
    assert "reconcile" not in kept.forecast.attrs  # the direct total gives the national band only
    assert [n for n in kept.notes if n.startswith("levels not reconciled (bottom_up)")]
    projected = planning.event_forecast(frame, event="618", year=2026, lead=60, keys=keys, reconcile="ols")
    assert projected.forecast.attrs["reconcile"]["method"] == "ols"
    assert [n for n in projected.notes if "reconciled (ols)" in n]
    inside = projected.direct_total.set_index("ds").loc[projected.window.start:projected.window.end]
    assert projected.totals.yhat.sum() != pytest.approx(inside.yhat.sum(), rel=1e-6)  # ols moves the total too
    with pytest.raises(ParameterError, match="reconcile: 'mint_shrink' is not one of"):
        planning.event_forecast(frame, event="618", year=2026, keys=keys, reconcile="mint_shrink")
    # mint_refits: the series' and the direct total's own refit span errors give W's correlations
    correlated = planning.event_forecast(frame, event="618", year=2026, lead=60, keys=keys, reconcile="mint_refits")
    info = correlated.forecast.attrs["reconcile"]
    assert info["method"] == "mint_refits" and info["error_rows"] > 0
    assert info["series_with_errors"] == correlated.forecast.groupby(keys).ngroups  # mature: every one
    (note,) = [n for n in correlated.notes if n.startswith("levels reconciled (mint_refits")]
    assert f"(correlation {info['correlation']:+.2f}, " in note and "% of the way from the direct" in note
    coherent = correlated.forecast.groupby("ds").yhat.sum()
    np.testing.assert_allclose(planning.daily_total(correlated).set_index("ds").yhat, coherent, rtol=1e-9)


def test_future_event_uses_all_history():
    frame, keys, _, _ = planning.load_planning_frame(planning.EventParams(event="618", level="national",
                                                                       target="gmv"))
    res = planning.event_forecast(frame, event="618", year=2027, keys=keys)
    assert res.cutoff == frame.ds.max() and not res.has_actuals
    assert res.totals.yhat.iloc[0] > 0


def test_year_none_is_the_next_window_after_the_data():
    frame, keys, _, _ = planning.load_planning_frame(planning.EventParams(event="618", level="national"))
    end = frame.ds.max()  # 2026-10-31: 618 2026 is over, 年货节 2027 (Spring Festival 2027-02-06) is next
    res = planning.event_forecast(frame, event="new_year_sale", keys=keys)
    assert res.window.year == 2027 and res.window.anchor == pd.Timestamp("2027-02-06")
    assert res.window.start > end and res.is_next_event and not res.has_actuals
    assert "actual" not in res.totals and "y" not in res.forecast
    assert res.describe().startswith(f"年货节 / New Year sale 2027: 2027-01-02 to 2027-01-29 (28 days); "
                                      f"history ends {end.date()}, 63 days before the window")
    assert planning.event_forecast(frame, event="618", keys=keys).window.year == 2027


@pytest.mark.parametrize("event, history_end, year", [
    ("618", "2026-05-19", 2026),            # the day before the window starts: this year's
    ("618", "2026-05-20", 2027),            # the window has started: the next one
    ("new_year_sale", "2025-12-31", 2026),  # Spring Festival 2026-02-17: window from 2026-01-13
    ("new_year_sale", "2026-01-13", 2027),
    ("double11", "2026-11-30", 2027),
])
def test_next_window_starts_after_the_history(event, history_end, year):
    window = planning.event_window(event, None, pd.Timestamp(history_end))
    assert window.year == year and window.start > pd.Timestamp(history_end)


def test_horizon_through_the_window():
    window = planning.event_window("new_year_sale", 2027, None)
    assert planning.horizon_through(window, pd.Timestamp("2026-10-31")) == 90  # Nov 1 .. Jan 29
    assert planning.horizon_through(window, pd.Timestamp("2027-01-28")) == 1
    # periods are dated by their first day: the week of Monday Jan 25 holds Jan 29, and the
    # data's last week (Nov 9-15) or month (October) ends after its date (a new user's weekly
    # horizon ran a week past the window, the monthly one a month)
    assert planning.horizon_through(window, pd.Timestamp("2026-11-09"), "W") == 11  # Nov 16 .. Jan 25
    assert planning.horizon_through(window, pd.Timestamp("2026-11-01"), "W") == 12  # Sundays: .. Jan 24
    assert planning.horizon_through(window, pd.Timestamp("2026-10-01"), "MS") == 3  # Nov, Dec, Jan
    with pytest.raises(ParameterError, match="ended on 2027-01-29, on or before the end of the data"):
        planning.horizon_through(window, pd.Timestamp("2027-02-01"))
    with pytest.raises(ParameterError, match=r"end of the data \(2027-01-31\)"):
        planning.horizon_through(window, pd.Timestamp("2027-01-01"), "MS")  # January holds the window


def test_a_period_ends_on_the_day_before_the_next_one_starts():
    from workbench.data.validate import period_end

    assert [str(period_end(pd.Timestamp(d), f).date()) for d, f in
            (("2026-11-09", "W"), ("2026-10-01", "MS"), ("2026-10-01", "QS"), ("2024-02-01", "MS"),
             ("2026-11-20", "D"))] == ["2026-11-15", "2026-10-31", "2026-12-31", "2024-02-29", "2026-11-20"]


def _chinese_two_years(tmp_path, encoding="gb18030"):
    s = load_sample("category")
    s = s[s.ds >= "2024-11-01"]
    path = tmp_path / "销量.csv"
    s.rename(columns={"ds": "日期", "category": "品类", "units": "销量"}).drop(columns="gmv") \
        .to_csv(path, index=False, encoding=encoding)
    return path


def test_own_file_with_chinese_columns(tmp_path):
    path = _chinese_two_years(tmp_path)
    p = planning.EventParams(event="618", data=str(path), date_col="日期", target="销量", keys=["品类"])
    frame, keys, _, notes = planning.load_planning_frame(p)
    assert keys == ["品类"] and notes == [] and frame.groupby("品类").ngroups == 6
    assert frame.y.sum() == load_sample("category").query("ds >= '2024-11-01'").units.sum()


def test_a_level_whose_key_columns_are_absent_is_refused(tmp_path):
    """It used to forecast the national total silently."""
    path = _chinese_two_years(tmp_path)
    p = planning.EventParams(event="618", data=str(path), date_col="日期", target="销量", level="sku")
    with pytest.raises(ParameterError, match=r"^level: 'sku' needs the key column\(s\) \['category', 'region', "
                                             r"'sku'\]; .* has no \['category', 'region', 'sku'\]"):
        planning.load_planning_frame(p)
    p = planning.EventParams(event="618", data=str(path), date_col="日期", target="销量", keys=["商品"])
    with pytest.raises(ParameterError, match=r"^keys: \['商品'\]"):
        planning.load_planning_frame(p)


def test_declared_finer_columns_are_summed_to_the_level_with_a_note(tmp_path):
    """Review 7.2 #5: a finer key is summed over only when declared (sum_over), never guessed
    from the text columns; undeclared, rows that differ in it are refused naming it and sum_over;
    any declared column is summed over (review 8.4 #1)."""
    from workbench.errors import DataValidationError

    path = tmp_path / "cr.csv"
    load_sample("category_region").to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"they differ in \['region'\]: add it to the keys to forecast "
                                                  r"each, sum over it \(sum_over \['region'\]\), or aggregate"):
        planning.load_planning_frame(planning.EventParams(event="618", data=str(path), level="category"))
    frame, keys, _, notes = planning.load_planning_frame(planning.EventParams(event="618", data=str(path),
                                                                            level="category", sum_over=["region"]))
    assert keys == ["category"] and frame.groupby("category").ngroups == 6
    assert notes and f"{path}: 42 series summed over region (7 values) to 6 series of category" == notes[0]
    assert frame.y.sum() == load_sample("category_region").units.sum()
    table = load_sample("category_region")
    # any declared column is summed over (review 8.4 #1): price points, digit store codes with
    # leading zeros, each to the same category totals
    table.assign(price=np.where(table.index % 2, "¥12.00", "¥9.90"),
                 store=np.where(table.index % 3, "001", "002")).to_csv(path, index=False)
    frame, keys, _, notes = planning.load_planning_frame(
        planning.EventParams(event="618", data=str(path), level="category", sum_over=["region", "price", "store"]))
    assert frame.y.sum() == table.units.sum() and frame.groupby("category").ngroups == 6
    assert "summed over region (7 values), price (2 values), store (2 values) to 6 series" in notes[0]
    with pytest.raises(ParameterError, match=r"^sum_over: the sample data has fixed columns"):
        planning.EventParams(level="category", sum_over=["region"])


def test_backtest_plan_skips_years_without_history_and_says_why(tmp_path):
    frame, _, _, _ = planning.load_planning_frame(planning.EventParams(event="618", level="national"))
    two_years = frame[frame.ds >= "2024-11-01"]
    plan = planning.backtest_plan(two_years, event="new_year_sale", lead=90)
    assert list(plan.windows) == ["new_year_sale 2026"]  # the 2025 sale is in the history before its cut-off
    # its cut-off falls before the data: nothing to fit (the command line refuses it by the same rule)
    assert any("2025 not backtested" in n and "a backtest needs 56" in n for n in plan.notes)
    plan = planning.backtest_plan(two_years, event="618", lead=90, years=[2024, 2025, 2026, 2027],
                                  models=["auto"])
    # trial 12 F20: a window the models never saw an earlier one of is backtested, as the command line does,
    # with the command line's note
    assert list(plan.windows) == ["618 2025", "618 2026"]
    assert not any("618 2025 not backtested" in n for n in plan.notes)
    assert ("618 2025: the history before its cut-off 2025-02-12 holds no earlier 618 window whole; the models "
            "forecast it without having seen the event (auto's") in "\n".join(plan.notes)
    assert any("618 2027 not backtested: the window ends 2027-06-18, after the data" in n for n in plan.notes)
    short = frame[frame.ds >= "2026-03-01"]
    plan = planning.backtest_plan(short, event="618", lead=90)
    assert plan.windows == {} and "can be backtested" in plan.notes[-1]


def test_selection_ranks_series_and_marks_new_ones():
    frame, keys, _, _ = planning.load_planning_frame(planning.EventParams(event="618", level="category"))
    new = frame[(frame.category == "food") & (frame.ds >= "2026-07-01")].assign(category="new_snacks")
    frame = pd.concat([frame, new], ignore_index=True)
    res = planning.event_forecast(frame, event="618", keys=keys)
    table = planning.selection_table(res, frame)
    assert list(table["rank"]) == list(range(1, 8)) and table.forecast.is_monotonic_decreasing
    assert table.set_index("category").no_event_history.to_dict() == {
        c: c == "new_snacks" for c in table.category}
    assert np.isclose(table.uplift_share.sum(), 1.0)
    assert np.allclose(table.uplift, table.forecast - table.baseline)


@pytest.mark.parametrize("change,field", [({"event": "black_friday"}, "event"), ({"year": 1990}, "year"),
                                          ({"year": 2026.5}, "year"), ({"lead": -5}, "lead"),
                                          ({"lead": 0}, "lead"), ({"level": "city"}, "level"),
                                          ({"model": "lstm"}, "model"), ({"quantiles": [0.5]}, "quantiles"),
                                          ({"data": "/no/such.csv"}, "data"), ({"target": "qty"}, "target"),
                                          ({"backtest_models": ["x"]}, "backtest_models"),
                                          ({"backtest_years": [2025.5]}, "backtest_years"),
                                          ({"keys": ["sku", "sku"]}, "keys"), ({"date_col": "日期"}, "date_col"),
                                          ({"freq": "QS"}, "freq"), ({"freq": "W"}, "freq")])  # the sample is daily
def test_bad_parameters_name_the_parameter(change, field):
    args = dict(event="618", year=2026, lead=90, level="category")
    args.update(change)
    with pytest.raises(ParameterError, match=f"^{field}:"):
        planning.EventParams(**args)


def test_params_are_one_frozen_object():
    import dataclasses

    p = planning.EventParams(event="618", quantiles=[0.9, 0.1])
    assert p.year is None and p.quantiles == (0.1, 0.9) and p.key_columns == ["category"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.year = 2027


def test_the_notebook_declares_the_same_choices(repo):
    """The parameters cell's Literal lists are checked before any kernel starts; keep them true."""
    from workbench.data.sample import LEVELS
    from workbench.forecast.models import MODEL_CHOICES
    from workbench.reports.params import read_notebook_parameters

    declared = read_notebook_parameters(repo / "notebooks" / "event_forecast.ipynb")
    assert declared["event"].type.kind == "str"  # checked against the calendar: planning.check_event_input
    assert set(declared["model"].type.args) == set(MODEL_CHOICES)
    assert set(declared["level"].type.args) == set(LEVELS)
    assert tuple(declared["quantiles"].default) == DEFAULT_QUANTILES  # a cell holds literals only
    assert str(MAX_LEAD) in declared_source(repo, "lead")  # Le(366): the one bound, MAX_LEAD
    assert all(f'"{f}"' in declared_source(repo, "freq") for f in planning.PLANNING_FREQUENCIES)


def declared_source(repo, name: str) -> str:
    import nbformat

    nb = nbformat.read(repo / "notebooks" / "event_forecast.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return next(line for line in cell.source.splitlines() if line.startswith(f"{name}:"))


def test_sample_file_round_trip(tmp_path):
    path = tmp_path / "cat.csv"
    load_sample("category").to_csv(path, index=False)
    frame, keys, _, notes = planning.load_planning_frame(planning.EventParams(event="618", data=str(path),
                                                                            level="category"))
    assert keys == ["category"] and frame.y.sum() == load_sample("category").units.sum()
    assert notes == [f"{path}: column(s) ['gmv'] not used: the forecast is of 'units' as it is"]  # nothing else


def test_report_tables_show_shares_in_percent_and_readable_flags():
    """The event report showed WAPE 0.029 under a chart in %, and no_event_history as False."""
    from workbench.forecast.planning import backtest_caption, backtest_view, selection_view
    from workbench.reports.tables import formatted_cells, table_html

    table = pd.DataFrame({"model": ["auto"], "window": ["618 2025"], "wape": [0.029], "bias": [-0.022],
                          "mase": [0.8], "total_error": [0.022], "coverage": [1.0], "scaled_pinball": [0.05],
                          "pooled_series_wape": [0.31], "median_series_wape": [0.25], "mean_series_bias": [0.01],
                          "series_bias_sd": [0.2], "series": [5]})
    shown, kinds, labels = backtest_view(table)
    headers, rows = formatted_cells(shown, kinds, labels=labels)
    assert dict(zip(headers, rows[0])) == {"model": "auto", "window": "618 2025", "WAPE": "2.9%", "bias": "-2.2%",
                                           "coverage": "100.0%", "MASE": "0.80", "pinball": "0.050",
                                           "series WAPE": "31.0%", "median": "25.0%",
                                           "series bias": "1.0%", "sd": "20.0%"}
    page = table_html(shown, kinds, labels=labels, caption=backtest_caption(table, 90, [0.1, 0.5, 0.9]),
                      download="backtest_618.csv")
    assert 'download="backtest_618.csv"' in page and "yhat_q10..yhat_q90" in page and "Backtest of 5 series" in page
    selection = pd.DataFrame({"sku": ["a", "b"], "forecast": [10.0, 5.0], "no_event_history": [True, False]})
    assert list(selection_view(selection).no_event_history) == ["yes", "no"]
    assert list(selection.no_event_history) == [True, False]  # the export keeps the flag


def test_a_series_without_a_baseline_never_counts_its_forecast_as_uplift():
    from workbench.calendar import default_calendar
    from workbench.forecast.planning import aggregate, window_totals
    from workbench.plots.forecast import uplift_figure

    window = default_calendar().window("new_year_sale", 2027)
    days = pd.date_range(window.start, window.end, freq="D")
    fc = pd.concat([
        pd.DataFrame({"sku": "with", "ds": days, "yhat": 12.0, "yhat_baseline": 10.0}),
        pd.DataFrame({"sku": "naive", "ds": days, "yhat": 50.0, "yhat_baseline": float("nan")}),
    ], ignore_index=True)
    n = len(days)
    per_sku = window_totals(fc, window, ["sku"]).set_index("sku")
    assert per_sku.loc["with", "uplift"] == 2.0 * n
    assert np.isnan(per_sku.loc["naive", "uplift"]) and np.isnan(per_sku.loc["naive", "uplift_pct"])
    for national in (window_totals(fc, window, []), window_totals(aggregate(fc, []), window, [])):
        row = national.iloc[0]
        assert row["yhat"] == 62.0 * n
        assert row["uplift"] == 2.0 * n  # not 62 n - 10 n
        assert row["uplift_pct"] == pytest.approx(20.0)  # percent, as every _pct column
    bars = {trace.name: list(trace.y) for trace in uplift_figure(per_sku.reset_index(), ["sku"]).data}
    assert bars["forecast (model without a baseline)"] == [50.0 * n, 0.0]  # sorted: naive, with


def test_a_weekly_window_total_takes_the_days_of_each_week_inside_the_window():
    """年货节 2027 runs Jan 2-29: the week of Monday Dec 28 has 2 days inside, the week of Monday
    Jan 25 has 5 (trial 6: weeks were counted whole by their start date)."""
    window = planning.event_window("new_year_sale", 2027, None)
    weeks = pd.date_range("2026-12-21", "2027-02-01", freq="W-MON")  # Dec 21 .. Feb 1: 7 weeks
    fc = pd.DataFrame({"sku": "a", "ds": weeks, "yhat": 70.0, "yhat_baseline": 35.0})
    totals = planning.window_totals(fc, window, ["sku"], "W").iloc[0]
    assert totals["yhat"] == pytest.approx(10 * 28) and totals["yhat_baseline"] == pytest.approx(5 * 28)
    months = pd.DataFrame({"sku": "a", "ds": pd.to_datetime(["2026-12-01", "2027-01-01", "2027-02-01"]),
                           "yhat": [31.0, 310.0, 28.0], "yhat_baseline": [31.0, 155.0, 28.0]})
    assert planning.window_totals(months, window, ["sku"], "MS").iloc[0]["yhat"] == pytest.approx(280.0)  # 28 of 31


def _weekly_file(tmp_path, name="weekly.csv"):
    """The sample's categories summed to weeks dated by their Monday (whole weeks only)."""
    s = load_sample("category")
    s = s[s.ds >= "2024-06-03"]
    weeks = s.assign(ds=s.ds - pd.to_timedelta(s.ds.dt.day_of_week, unit="D"))
    weeks = weeks.groupby(["ds", "category"], as_index=False)["units"].sum()
    path = tmp_path / name
    weeks[weeks.ds <= s.ds.max() - pd.Timedelta(days=6)].to_csv(path, index=False)
    return path


def test_a_weekly_file_is_read_as_weeks_with_a_note_and_planned_per_week(tmp_path):
    path = _weekly_file(tmp_path)
    p = planning.EventParams(event="new_year_sale", data=str(path), keys=["category"])
    frame, keys, freq, notes = planning.load_planning_frame(p)
    assert freq == "W" and any("read as weekly data (freq W)" in n for n in notes)
    result = planning.event_forecast(frame, event="new_year_sale", year=2026, keys=keys, freq=freq, lead=90)
    assert result.freq == "W" and (result.forecast.ds.dt.day_of_week == 0).all()
    # a past window: the actual window total is the share of each week inside it, as the forecast's
    truth = load_sample("category")
    truth = truth[(truth.ds >= result.window.start) & (truth.ds <= result.window.end)].units.sum()
    actual = planning.national_totals(result)["actual"]
    assert abs(actual / truth - 1) < 0.03  # spreading each week evenly over its days is close
    # its own band (71 weeks leave one refit, too few to measure one: the stated independent-weeks rule)
    national = planning.national_totals(result)
    assert national["window_band"] == "independent days"
    assert national["yhat_q10"] < national["yhat"] < national["yhat_q90"]
    assert (planning.level_totals(result)["window_band"] != "none").all()
    assert any("and so is its band's" in n for n in result.notes)
    plan = planning.backtest_plan(frame, event="new_year_sale", lead=90, freq=freq)
    assert not plan.windows and "no backtest on weekly data" in plan.notes[0]


def test_a_weekly_file_given_as_daily_names_the_freq_parameter(tmp_path):
    from workbench.errors import DataValidationError

    p = planning.EventParams(event="new_year_sale", data=str(_weekly_file(tmp_path)), keys=["category"], freq="D")
    with pytest.raises(DataValidationError, match="freq D .* weekly data\\? Use freq W"):
        planning.load_planning_frame(p)


def test_a_monthly_file_is_planned_per_month_through_the_month_that_holds_the_window(tmp_path):
    s = load_sample("category")
    months = s.assign(ds=s.ds.dt.to_period("M").dt.to_timestamp())
    path = tmp_path / "monthly.csv"
    months.groupby(["ds", "category"], as_index=False)["units"].sum().to_csv(path, index=False)
    p = planning.EventParams(event="618", data=str(path), keys=["category"])
    frame, keys, freq, notes = planning.load_planning_frame(p)
    assert freq == "MS" and any("read as monthly data (freq MS)" in n for n in notes)
    result = planning.event_forecast(frame, event="618", keys=keys, freq=freq)  # the next 618: 2027
    assert result.history_end == pd.Timestamp("2026-10-31") and result.window.year == 2027
    assert result.forecast.ds.max() == pd.Timestamp("2027-06-01")  # June holds the window's last day
    may, june = (result.forecast.groupby("ds").yhat.sum()[pd.Timestamp(d)] for d in ("2027-05-01", "2027-06-01"))
    window = result.window
    expected = may * ((pd.Timestamp("2027-05-31") - window.start).days + 1) / 31 \
        + june * ((window.end - pd.Timestamp("2027-06-01")).days + 1) / 30
    assert planning.national_totals(result)["yhat"] == pytest.approx(expected, rel=1e-9)


def test_a_number_column_beside_the_target_is_said_not_silently_left_out(tmp_path):
    """Trial 8: the report's note named the summed 商品名称 but not the 退货量 (returns) column it
    left out."""
    path = tmp_path / "cr.csv"
    load_sample("category_region").assign(退货量=1).to_csv(path, index=False)
    _, _, _, notes = planning.load_planning_frame(planning.EventParams(event="618", data=str(path), level="category",
                                                                      sum_over=["region"]))
    assert any("column(s) ['gmv', '退货量'] not used: the forecast is of 'units'" in note for note in notes)


def test_the_backtest_verdict_says_what_the_backtest_means_for_the_forecast_above():
    """Trial 8: the event report's backtest showed auto 24% high on 年货节 2026, its bands holding
    54% of the series' window totals and event_naive more accurate, but the page drew no
    conclusion. The verdict says each, and nothing for a window within the bar."""
    from workbench.forecast.planning import backtest_verdict

    table = pd.DataFrame({"model": ["auto", "event_naive", "auto", "event_naive"],
                          "window": ["年货节 2026", "年货节 2026", "年货节 2025", "年货节 2025"],
                          "wape": [0.337, 0.264, 0.12, 0.20], "bias": [0.244, -0.223, 0.04, -0.15],
                          "window_coverage": [0.543, 0.7, 0.82, np.nan]})
    verdict = backtest_verdict(table, "auto", [0.1, 0.5, 0.9])
    assert verdict == ["on 年货节 2026, auto's total was 24% high; 54% of the series' window totals fell inside "
                       "their band (nominal 80%: the bands were too narrow); event_naive was more accurate "
                       "(WAPE 26% against 34%)"]
    assert backtest_verdict(table, "ets", [0.1, 0.9]) == []
    assert backtest_verdict(table, "event_naive", [0.1, 0.9])[1] == ("on 年货节 2025, event_naive's total was 15% "
                                                                    "low; auto was more accurate (WAPE 12% against 20%)")


def test_mint_refits_note_says_when_w_is_wls_vars():
    """Two series that err against each other (one's gain is the other's loss): their refits'
    correlation is negative, which one equicorrelation cannot use, so W is wls_var's. The note
    says so and names the estimate, not "correlation -0.99 ... count as one error"."""
    rng = np.random.default_rng(5)
    ds = pd.date_range("2024-01-01", "2026-03-31")
    swing = np.cumsum(rng.normal(0, 3, len(ds)))
    frame = pd.concat([pd.DataFrame({"k": k, "ds": ds,
                                     "y": np.round(np.maximum(200 + sign * (swing - swing.mean())
                                                              + rng.normal(0, 2, len(ds)), 0))})
                       for k, sign in (("a", 1), ("b", -1))], ignore_index=True)
    runs = {method: planning.event_forecast(frame, event="618", year=2026, lead=60, keys=["k"], reconcile=method,
                                            model="seasonal_naive") for method in ("mint_refits", "wls_var")}
    info = runs["mint_refits"].forecast.attrs["reconcile"]
    assert info["estimated_correlation"] < 0 and info["correlation"] == 0.0, info
    (note,) = [n for n in runs["mint_refits"].notes if n.startswith("levels reconciled (mint_refits")]
    assert "weighed by the variance of its own band only, as wls_var: their refits' errors correlate -" in note
    assert "count as one error" not in note
    np.testing.assert_allclose(runs["mint_refits"].forecast.yhat, runs["wls_var"].forecast.yhat, rtol=1e-9)


def test_a_last_month_the_data_show_cut_short_is_named_on_any_day(tmp_path):
    """Trial 9 / recheck 9 NEW-3: a monthly table whose last month was summed before its end got
    the note only if the report ran before that month ended (the wall clock). The data say it:
    the same file gives the same note on any day; a whole month none."""
    months = pd.date_range("2025-01-01", "2026-09-01", freq="MS")
    frame = pd.DataFrame({"ds": months.strftime("%Y-%m-%d"), "units": 3000.0})
    path = tmp_path / "monthly.csv"
    frame.to_csv(path, index=False)
    params = planning.EventParams(event="double11", data=str(path), keys=[])
    assert planning.load_planning_frame(params)[3] == [
        f"{path}: every date is a month's first day, one month apart: read as monthly data (freq MS); the forecast "
        f"and its tables are per month (set freq to say otherwise)",
        f"{path}: the last month, 2026-09-01..2026-09-30, is read as a whole month; a table of months cannot show "
        f"whether it holds all its days: if the export ended before 2026-09-30, leave that row out"]
    frame.loc[frame.index[-1], "units"] = 900.0
    frame.to_csv(path, index=False)
    assert f"{path}: the last month, 2026-09-01..2026-09-30, totals 900" in planning.load_planning_frame(params)[3][-1]


def _launch_shop() -> pd.DataFrame:
    """Six SKUs in two categories, by province; SKU codes say nothing of their category."""
    days = pd.date_range("2025-01-01", periods=120)
    return pd.DataFrame([{"日期": d.strftime("%Y-%m-%d"), "商品编码": sku, "类目": cat, "商品名称": f"品{sku}",
                          "省份": prov, "上架价": "¥12.00" if sku < "S4" else "¥9.90", "销量": 3}
                         for d in days for sku, cat in zip(("S1", "S2", "S3", "S4", "S5", "S6"), "AAABBB")
                         for prov in ("广东省", "浙江省")])


def test_keys_without_a_product_level_get_a_note_naming_the_category_column(tmp_path):
    """Trial 8 (YP004 x3): with --keys 商品编码,省份 a launch borrowed its profile from the whole
    panel, and nothing told the user that 类目, in the file, would give it its category's. The
    note names the column and the keys to give, in the CLI's words and the notebook's; a product
    name (one per SKU), a price written as text and a province are no level; with 类目 in the
    keys, no note."""
    raw = _launch_shop()
    used = ["日期", "销量", "商品编码", "省份"]
    note = planning.product_level_note(raw, ["商品编码", "省份"], used, "shop.csv")
    assert note == ["shop.csv: the keys ['商品编码', '省份'] hold no product level above '商品编码', so a young or "
                    "launched series borrows its event profile and growth from the whole panel; column '类目' groups "
                    "the 商品编码 codes (2 values, each 商品编码 in one): add it to the keys (--keys 类目,商品编码,省份) so "
                    "they borrow from their own 类目"]
    assert "(keys=['类目', '商品编码', '省份'])" in planning.product_level_note(raw, ["商品编码", "省份"], used, "s",
                                                                        flag="keys")[0]
    assert planning.product_level_note(raw, ["类目", "商品编码", "省份"], used + ["类目"], "shop.csv") == []
    assert planning.product_level_note(raw.drop(columns="类目"), ["商品编码", "省份"], used, "shop.csv") == []
    path = tmp_path / "shop.csv"
    raw.to_csv(path, index=False)
    notes = planning.load_planning_frame(planning.EventParams(data=str(path), date_col="日期", target="销量",
                                                              keys=["商品编码", "省份"]))[3]
    assert any("column '类目' groups the 商品编码 codes" in n and "keys=['类目', '商品编码', '省份']" in n for n in notes)


def test_the_report_lists_a_models_series_furthest_off_first():
    """Trial 12 F12: the report shows the backtested model's window total per series, the series
    furthest off first (nothing sold: last), so a large series bias can be traced."""
    series = pd.DataFrame({"model": ["auto", "auto", "auto", "seasonal_naive"], "sku": ["A", "B", "C", "A"],
                           "window": "618 2025", "forecast": [10.0, 9.0, 3.0, 1.0], "actual": [8.0, 3.0, 0.0, 8.0],
                           "error": [2.0, 6.0, 3.0, -7.0], "bias": [0.25, 2.0, np.nan, -0.875]})
    table = pd.DataFrame({"model": ["auto", "seasonal_naive"]})
    table.attrs["series"] = series
    shown, kinds, caption = planning.backtest_series_view(table, "auto")
    assert list(shown.sku) == ["B", "A", "C"] and "model" not in shown and kinds["bias"] == "pct"
    assert planning.backtest_series_view(table, "event_naive")[0].empty


def test_a_declared_stock_out_in_a_seasonal_skus_season_leaves_every_band_sane():
    """Trial 14 F8/F21/F28: a young shop's winter SKU, out of stock three weeks of its first winter and
    declared so: its refits from the off season missed the winter, and its 双11 window's P90 came out at
    108,865 units against 606 sold, over every SKU's in the 选品 table, and its category's (itself alone) from
    the same refits summed. Every window total's band in the selection and level tables is held to the
    guard's cap (here 10x the point total): the SKU's takes the next rule, its category's summed refits give
    way to the category's direct forecast, each said in a note naming the series or the level."""
    from forecast_helpers import WINTER_OUT, winter_shop

    frame = winter_shop(0)
    spans = pd.DataFrame({"sku": ["SD01"], "start": [WINTER_OUT[0]], "end": [WINTER_OUT[1]], "line": [2]})
    with pytest.warns(Warning):
        result = planning.event_forecast(frame, event="double11", keys=["category", "sku"], n_jobs=1,
                                         unavailable=spans)
    selection = planning.selection_table(result, frame)
    levels = planning.level_totals(result)
    for table, point in ((selection, "forecast"), (levels, "yhat")):
        assert (table["yhat_q90"] <= 10 * table[point] * (1 + 1e-6)).all(), table
        assert (table["yhat_q10"] <= table[point]).all() and (table[point] <= table["yhat_q90"]).all(), table
    assert selection.sort_values("yhat_q90")["sku"].iloc[-1] != "SD01"
    said = [n for n in result.notes if "window total's band refused" in str(n)]
    assert any("sku=SD01" in str(n) for n in said), said
    assert any(str(n).startswith("category=睡袋: ") and "the level's direct forecast's band in its place" in str(n)
               for n in said), said
