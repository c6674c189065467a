"""The reports.yaml manifest, `due` (idempotent, locked), run-all, retention and the index."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import yaml

from report_helpers import fixture_notebook, snapshot, write_manifest
from workbench.errors import ConfigError, ParameterError
from workbench.reports import runner, schedule
from workbench.reports.index import describe_change, format_value, history_text, write_index
from workbench.reports.layout import LEDGER_FILE
from workbench.reports.ledger import Ledger
from workbench.reports.lock import report_lock
from workbench.reports.retention import prune

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# --- manifest --------------------------------------------------------------------------------

GOOD = {"fixture": "records_results", "schedule": "0 7 * * *"}


@pytest.mark.parametrize(
    ("reports", "top", "raw", "message"),
    [
        (None, {}, "reports: [unclosed", "not valid YAML"),
        (None, {}, "- a\n- b\n", "must be a mapping"),
        ({}, {}, None, "'reports' must be a non-empty mapping"),
        ({"ok": GOOD}, {"retention_days": 0}, None, "retention_days must be"),
        ({"ok": GOOD}, {"retention_days": 10**9}, None, "from 1 to 36500"),
        ({"ok": GOOD}, {"cell_timeout": -5}, None, "cell_timeout must be"),
        ({"ok": GOOD}, {"cell_timeout": 0}, None, r"from 1 to 86400"),
        ({"ok": GOOD}, {"shedule": 1}, None, "unknown top-level field"),
        (None, {}, "reports:\n  a: {notebook: x.ipynb, schedule: '0 7 * * *'}\n"
                   "  a: {notebook: y.ipynb, schedule: '0 8 * * *'}\n", "3: reports.a: duplicate key"),
    ],
)
def test_malformed_manifest_is_a_clear_error(tmp_path, reports, top, raw, message):
    path = write_manifest(tmp_path, reports or {}, **top)
    if raw is not None:
        path.write_text(raw)
    with pytest.raises(ConfigError, match=message) as err:
        schedule.load_manifest(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"schedule": "61 * * * *"}, "cron expression"),
        ({"schedule": "0 0 30 2 *"}, "never fires"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"cron": "0 7 * * *"}, r"unknown field\(s\) \['cron'\]"),
        ({"parameters": [1, 2]}, "'parameters' must be a mapping"),
        ({"cell_timeout": 0}, "from 1 to 86400"),
        ("just text", "must be a mapping"),
    ],
)
def test_a_bad_entry_is_reported_with_its_line_and_the_others_load(tmp_path, body, message):
    path = write_manifest(tmp_path, {"first": GOOD, "bad": GOOD, "last": GOOD})
    data = yaml.safe_load(path.read_text())
    good = data["reports"]["bad"]
    data["reports"]["bad"] = {**good, **body} if isinstance(body, dict) else body
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    manifest = schedule.load_manifest(path)
    assert [spec.name for spec in manifest.reports] == ["first", "last"]
    (name, err), = manifest.problems
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("  bad:"))
    assert name == "bad" and re.search(message, str(err)) and f"{path}:{line}:" in str(err)
    assert "skipped" in str(err)


def test_a_bad_report_name_is_reported_and_skipped(tmp_path):
    manifest = schedule.load_manifest(write_manifest(tmp_path, {"../x": GOOD, "ok": GOOD}))
    assert [spec.name for spec in manifest.reports] == ["ok"]
    assert "'../x' is not allowed" in str(manifest.problems[0][1])


@pytest.mark.slow
def test_an_entry_that_never_fires_does_not_stop_the_schedule(tmp_path):
    path = write_manifest(tmp_path, {"never": {**GOOD, "schedule": "0 7 30 2 *"}, "daily": GOOD})
    manifest = schedule.load_manifest(path)
    summary = schedule.due(manifest, now=at("2026-06-18T08:00:00"))
    assert [o.report for o in summary.ran] == ["daily"]
    (name, err), = summary.failed
    assert name == "never" and "never fires" in str(err) and summary.exit_code == 2
    assert "FAILED  never" in summary.describe()


def test_missing_notebook_fails_that_report_only(tmp_path):
    path = write_manifest(tmp_path, {"ok": GOOD})
    path.write_text(path.read_text().replace("notebooks/records_results.ipynb", "notebooks/gone.ipynb"))
    manifest = schedule.load_manifest(path)
    for summary in (schedule.due(manifest, now=at("2026-06-18T08:00:00")), schedule.run_all(manifest)):
        (name, err), = summary.failed
        assert name == "ok" and isinstance(err, ConfigError) and "gone.ipynb not found" in str(err)
        assert summary.ran == [] and summary.exit_code == 2
    assert Ledger(manifest.output_dir / LEDGER_FILE).runs() == []


def test_shipped_manifest_lists_the_notebooks_with_valid_parameters(tmp_path):
    repo = fixture_notebook("x").parents[3]
    data = yaml.safe_load((repo / "reports.yaml").read_text())
    notebooks = {spec["notebook"] for spec in data["reports"].values()}
    assert notebooks == {
        "notebooks/event_forecast.ipynb", "notebooks/network_plan.ipynb", "notebooks/budget_scenarios.ipynb",
        "notebooks/planning_cycle.ipynb",
    }
    missing = sorted(nb for nb in notebooks if not (repo / nb).exists())
    if missing:
        pytest.skip(f"notebooks not written yet: {missing}")
    manifest = schedule.load_manifest(repo / "reports.yaml")
    for spec in manifest.reports:  # parameters checked against each notebook, nothing run
        runner.prepare(spec.notebook, values=spec.parameters, report=spec.name, tag="", reports_dir=tmp_path)


def test_latest_slot_uses_the_report_time_zone(tmp_path):
    spec = schedule.load_manifest(write_manifest(tmp_path, {"daily": GOOD})).reports[0]
    assert spec.latest_slot(at("2026-06-18T07:00:00")) == at("2026-06-18T07:00:00")
    assert spec.latest_slot(at("2026-06-18T06:59:59")) == at("2026-06-17T07:00:00")
    utc = dt.datetime(2026, 6, 17, 23, 30, tzinfo=dt.timezone.utc)  # 07:30 on the 18th in Shanghai
    assert spec.latest_slot(utc).date() == dt.date(2026, 6, 18)


# --- due ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_due_is_idempotent_locked_and_isolates_bad_reports(tmp_path):
    manifest = schedule.load_manifest(write_manifest(tmp_path, {
        "daily": GOOD,
        "broken": {"fixture": "records_results", "schedule": "0 7 * * *", "parameters": {"scael": 2}},
    }))
    ledger = Ledger(manifest.output_dir / LEDGER_FILE)

    with report_lock(manifest.output_dir, "daily"):
        locked = schedule.due(manifest, now=at("2026-06-18T08:00:00"))
    assert locked.ran == [] and "already running" in dict(locked.skipped)["daily"]
    assert ledger.runs() == []

    first = schedule.due(manifest, now=at("2026-06-18T08:00:00"))
    assert [o.report for o in first.ran] == ["daily"]
    assert first.ran[0].html_path == manifest.output_dir / "daily" / "2026-06-18" / "daily.html"
    (name, err), = first.failed
    assert name == "broken" and isinstance(err, ParameterError) and "scael" in str(err)
    assert first.exit_code == 2 and first.index.exists()

    again = schedule.due(manifest, now=at("2026-06-18T08:00:30"))
    assert again.ran == [] and "up to date" in dict(again.skipped)["daily"]
    later_same_slot = schedule.due(manifest, now=at("2026-06-19T06:59:00"), names=["daily"])
    assert later_same_slot.ran == []
    (run,) = ledger.runs()
    assert (run.trigger, run.logical_date, run.slot_time) == ("schedule", "2026-06-18", "2026-06-17T23:00:00+00:00")

    next_slot = schedule.due(manifest, now=at("2026-06-19T07:00:01"), names=["daily"])
    assert [o.report for o in next_slot.ran] == ["daily"] and len(ledger.runs()) == 2


@pytest.mark.slow
def test_failed_scheduled_run_is_retried_and_run_all_reports_every_report(tmp_path):
    manifest = schedule.load_manifest(write_manifest(tmp_path, {
        "good": GOOD,
        "bad": {"fixture": "raises_error", "schedule": "0 7 * * *"},
    }))
    summary = schedule.run_all(manifest)
    assert [o.report for o in summary.ran] == ["good"]
    assert [name for name, _ in summary.failed] == ["bad"] and summary.exit_code == 3
    text = summary.describe()
    assert text.splitlines()[-1] == str(manifest.output_dir / "index.html")
    assert "FAILED  bad" in text

    retry = schedule.due(manifest, names=["bad"])
    assert [name for name, _ in retry.failed] == ["bad"], "a failed slot is tried again"
    assert [r.status for r in Ledger(manifest.output_dir / LEDGER_FILE).runs("bad")] == ["failed", "failed"]


# --- retention and index --------------------------------------------------------------------


@pytest.mark.slow
def test_retention_removes_old_outputs_keeps_ledger_and_newest_good(tmp_path):
    reports = tmp_path / "reports"
    for day in ("2026-01-01", "2026-05-01"):
        runner.execute(runner.prepare(fixture_notebook("records_results"), reports_dir=reports,
                                      logical_date=dt.date.fromisoformat(day)), update_index=False)
    with pytest.raises(runner.ReportError):
        runner.execute(runner.prepare(fixture_notebook("raises_error"), report="records_results",
                                      reports_dir=reports, logical_date=dt.date(2026, 6, 18)))
    (reports / "notes").mkdir()  # not a report folder: never touched
    ledger = Ledger(reports / LEDGER_FILE)

    removed = prune(reports, keep_days=30, today=dt.date(2026, 6, 20))

    old = reports / "records_results" / "2026-01-01"
    assert removed == [old / "records_results.html", old / "records_results.ipynb"]
    assert sorted(p.name for p in (reports / "records_results").iterdir()) == ["2026-05-01", "2026-06-18"]
    assert (reports / "notes").is_dir()
    runs = ledger.runs()
    assert len(runs) == 3 and [r.pruned_at is not None for r in runs] == [True, False, False]
    page = write_index(reports).read_text()
    assert "removed by retention" in page
    assert 'last good (2026-05-01):</span> <a href="records_results/2026-05-01/records_results.html"' in page
    assert prune(reports, keep_days=30, today=dt.date(2026, 6, 20)) == []
    with pytest.raises(ParameterError):
        prune(reports, keep_days=0)


@pytest.mark.slow
def test_index_compares_results_with_the_previous_run(tmp_path):
    reports = tmp_path / "reports"
    for day, scale in (("2026-06-11", 1.0), ("2026-06-18", 1.04)):
        runner.execute(runner.prepare(fixture_notebook("records_results"), values={"scale": scale},
                                      report="weekly", tag="", reports_dir=reports,
                                      logical_date=dt.date.fromisoformat(day)))
    page = (reports / "index.html").read_text()
    latest = page[page.index('id="latest"'):page.index("<h2>History")]
    assert "weekly" in latest and "status-success" in latest
    assert "total_units</code> = 312" in latest
    assert "moved +4.0% since the run of 2026-06-11 (was 300)" in latest
    assert 'href="weekly/2026-06-18/weekly.html"' in latest
    history = page[page.index("<h2>History"):]
    assert history.count('<tr class="run run-success">') == 2 and "first recorded run" in history
    assert "<script" not in page


@pytest.mark.parametrize(
    ("value", "text"),
    [(2473073.305399705, "2,473,073"), (101836920.166633, "101,836,920"), (4.061270e+08, "406,127,000"),
     (0.6124806647654017, "0.6125"), (0.00001234, "0.00001234"), (312.0, "312"), (-0.5, "-0.5"), (0.0, "0"),
     (1e-15, "0"), (7, "7"), (12345, "12,345"), (True, "True"), ("华东", "华东"), ([0.1, 2500.7], "0.1, 2,501")],
)
def test_recorded_values_are_shown_without_exponents(value, text):
    assert format_value(value) == text


def test_describe_change():
    assert describe_change(104.0, 100.0, "last week") == "moved +4.0% since last week (was 100)"
    assert describe_change(95, 100, "x") == "moved -5.0% since x (was 100)"
    assert describe_change(5.0, 0.0, "x") == "was 0 in x"
    assert describe_change(3, 3, "x") == "unchanged since x"
    assert describe_change("b", "a", "x") == "was 'a' in x"
    assert describe_change(True, False, "x") == "was False in x"


def test_malformed_manifest_leaves_existing_reports_untouched(existing_reports, tmp_path):
    before = snapshot(existing_reports)
    path = write_manifest(tmp_path, {"../x": GOOD}, output_dir=str(existing_reports))
    summary = schedule.due(schedule.load_manifest(path))
    assert summary.exit_code == 2 and summary.ran == []
    assert snapshot(existing_reports) == before


@pytest.mark.slow
def test_index_shows_the_answer_status_beside_the_run_status(tmp_path):
    reports = tmp_path / "reports"
    outcome = runner.execute(runner.prepare(
        fixture_notebook("records_answer_status"), reports_dir=reports, logical_date=dt.date(2026, 6, 18),
        values={"status": "infeasible", "detail": "ROI >= 5 cannot hold under the channel caps"}))
    assert outcome.status == "success" and outcome.exit_code == 0
    assert "answer:   infeasible (ROI >= 5 cannot hold under the channel caps)" in outcome.describe()
    (run,) = Ledger(reports / LEDGER_FILE).runs()
    assert [a["status"] for a in run.answers] == ["optimal", "infeasible"]

    page = (reports / "index.html").read_text()
    latest = page[page.index('id="latest"'):page.index("<h2>History")]
    assert 'status-success">success</span> <span class="answer answer-infeasible"' in latest
    assert "answer: infeasible" in latest and "ROI &gt;= 5 cannot hold under the channel caps" in latest
    assert "success/infeasible" in history_text(reports)
    report_page = outcome.html_path.read_text(encoding="utf-8")
    assert 'wb-answer-infeasible">infeasible</span>: ROI &gt;= 5 cannot hold under the channel caps' in report_page
    assert "2026-06-18 (Asia/Shanghai)" in report_page


# --- daylight saving time --------------------------------------------------------------------


def _record_success(ledger: Ledger, report: str, slot: dt.datetime, n: int) -> None:
    from workbench.reports.ledger import RunRecord

    when = slot.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    ledger.start(RunRecord(run_id=f"run-{n:04d}", report=report, notebook="x.ipynb",
                           logical_date=slot.date().isoformat(), slot_time=when, trigger="schedule",
                           started_at=when, package_version="test"))
    ledger.finish(f"run-{n:04d}", status="success", ended_at=when, duration_s=1.0, exit_code=0,
                  error=None, outputs={}, results={}, data_range=None)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize("cron", ["30 2 * * *", "30 1 * * *"])
def test_a_daily_slot_runs_once_per_local_day_across_dst_changes(tmp_path, zone, cron):
    path = write_manifest(tmp_path, {"daily": {**GOOD, "schedule": cron, "timezone": zone}})
    manifest = schedule.load_manifest(path)
    (spec,) = manifest.reports
    ledger = manifest.ledger
    tz = zoneinfo.ZoneInfo(zone)
    # `due` every 20 minutes over the days of the 2026 clock changes (Europe: Mar 29, Oct 25;
    # America: Mar 8, Nov 1).
    starts = (dt.date(2026, 3, 7), dt.date(2026, 3, 28), dt.date(2026, 10, 24), dt.date(2026, 10, 31))
    for start in starts:
        for step in range(3 * 24 * 3):
            # UTC arithmetic: aware local arithmetic would skip the repeated hour
            now = dt.datetime.combine(start, dt.time(), tz).astimezone(dt.timezone.utc) + dt.timedelta(minutes=20 * step)
            slot = spec.latest_slot(now)
            assert slot.replace(tzinfo=None) <= now.astimezone(tz).replace(tzinfo=None)
            if not spec.slot_done(ledger, slot):
                _record_success(ledger, "daily", slot, len(ledger.runs()))
    dates = [run.logical_date for run in ledger.runs()]
    assert len(dates) == len(set(dates)), f"a local day ran twice: {sorted(dates)}"
    days = {(start + dt.timedelta(days=d)).isoformat() for start in starts for d in range(3)}
    assert days <= set(dates), f"missing local days: {sorted(days - set(dates))}"


@pytest.mark.slow
def test_due_in_the_repeated_hour_runs_the_daily_slot_once(tmp_path):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    manifest = schedule.load_manifest(write_manifest(
        tmp_path, {"daily": {**GOOD, "schedule": "30 2 * * *", "timezone": "Europe/Berlin"}}))
    first = dt.datetime(2026, 10, 25, 2, 40, tzinfo=berlin)  # 02:40 CEST (UTC+2)
    second = dt.datetime(2026, 10, 25, 2, 40, fold=1, tzinfo=berlin)  # 02:40 CET, one hour later
    assert second.astimezone(dt.timezone.utc) - first.astimezone(dt.timezone.utc) == dt.timedelta(hours=1)
    assert [o.report for o in schedule.due(manifest, now=first).ran] == ["daily"]
    again = schedule.due(manifest, now=second)
    assert again.ran == [] and "up to date" in dict(again.skipped)["daily"]
    (run,) = manifest.ledger.runs()
    assert run.logical_date == "2026-10-25" and run.timezone == "Europe/Berlin"


def _fake_run(reports, n, report, day, status="success", tag="", variant=None):
    """A ledger row with its output files, as the runner leaves them (no kernel needed)."""
    from workbench.reports.ledger import RunRecord

    stem = f"{report}__{tag}" if tag else report
    folder = f"{report}/{day}" + ("" if status == "success" else f"/failed/run-{n:03d}")
    outputs = {"ipynb": f"{folder}/{stem}.ipynb", "html": f"{folder}/{stem}.html"}
    for rel in outputs.values():
        (reports / rel).parent.mkdir(parents=True, exist_ok=True)
        (reports / rel).write_text(f"run {n}")
    ledger = Ledger(reports / LEDGER_FILE)
    when = f"{day}T01:00:{n:02d}+00:00"
    ledger.start(RunRecord(run_id=f"run-{n:03d}", report=report, notebook="x.ipynb", logical_date=day,
                           slot_time=when, trigger="manual", started_at=when, package_version="test",
                           param_tag=tag, variant=variant or {}))
    ledger.finish(f"run-{n:03d}", status=status, ended_at=when, duration_s=1.0, exit_code=0 if status == "success" else 3,
                  error=None, outputs=outputs, results={}, data_range=None)
    return outputs


def test_retention_keeps_the_newest_good_run_of_every_variant_and_leaves_no_dead_links(tmp_path):
    reports = tmp_path / "reports"
    default_old = _fake_run(reports, 1, "plan", "2026-01-01")  # the default variant's only good run
    failed_old = _fake_run(reports, 2, "plan", "2026-01-02", status="failed")
    east_old = _fake_run(reports, 3, "plan", "2026-01-03", tag="region-x-aaaaaaaaaa", variant={"region": "华东"})
    east_new = _fake_run(reports, 4, "plan", "2026-06-01", tag="region-x-aaaaaaaaaa", variant={"region": "华东"})
    south = _fake_run(reports, 5, "plan", "2026-01-03", tag="region-x-bbbbbbbbbb", variant={"region": "华南"})
    (reports / "plan" / "2026-01-01" / "notes.txt").write_text("not the ledger's")

    removed = prune(reports, keep_days=30, today=dt.date(2026, 6, 20))

    assert sorted(p.relative_to(reports).as_posix() for p in removed) == sorted([*failed_old.values(), *east_old.values()])
    for kept in (default_old, east_new, south):
        assert all((reports / rel).is_file() for rel in kept.values())
    assert (reports / "plan" / "2026-01-01" / "notes.txt").is_file()
    assert not (reports / "plan" / "2026-01-02").exists(), "an emptied date folder goes"
    page = (reports / "index.html").read_text()
    links = re.findall(r'href="([^"#]+)"', page)
    assert links and all((reports / link).is_file() for link in links), "no dead links after pruning"
    assert page.count("removed by retention") == 3  # 2 in the history, 1 as the latest run of the default
    assert [r.pruned_at is not None for r in Ledger(reports / LEDGER_FILE).runs()] == [False, True, True, False, False]


def test_index_groups_parameter_sets_under_their_report_as_variants(tmp_path):
    reports = tmp_path / "reports"
    _fake_run(reports, 1, "plan", "2026-06-01")
    _fake_run(reports, 2, "plan", "2026-06-02", tag="region-x-aaaaaaaaaa", variant={"region": "华东", "year": 2025})
    _fake_run(reports, 3, "plan", "2026-06-03", tag="region-x-bbbbbbbbbb", variant={"region": "华南"})
    _fake_run(reports, 4, "other", "2026-06-03")
    page = write_index(reports).read_text()
    latest = page[page.index('id="latest"'):page.index("<h2>History")]
    assert latest.count('<th scope="rowgroup" class="report"') == 2
    assert '<th scope="rowgroup" class="report" rowspan="3">plan</th>' in latest
    labels = re.findall(r'<td class="variant"><a href="#([^"]+)">([^<]+)</a>', latest)
    assert labels == [("other", "default parameters"), ("plan", "default parameters"),
                      ("plan__region-x-aaaaaaaaaa", "region = 华东, year = 2025"),
                      ("plan__region-x-bbbbbbbbbb", "region = 华南")]
    history = page[page.index("<h2>History"):]
    assert history.count('<section class="report-history"') == 2 and history.count("<details") == 4
    assert "Logical dates and times are in Asia/Shanghai" in page and "UTC" not in page


@pytest.mark.slow
def test_run_all_reports_each_run_as_it_ends(tmp_path):
    """`make demo > log` shows each report's line when its run ends, not all at the end."""
    manifest = schedule.load_manifest(write_manifest(tmp_path, {
        "bad": {"fixture": "raises_error", "schedule": "0 7 * * *"},
        "good": GOOD,
    }))
    seen: list[tuple[str, int]] = []

    def progress(line: str) -> None:  # what the ledger holds when the line arrives
        seen.append((line.split(":")[0], len(Ledger(manifest.output_dir / LEDGER_FILE).runs())))

    summary = schedule.run_all(manifest, progress=progress)
    assert seen == [("FAILED  bad", 1), ("ran     good", 2)]
    text = summary.describe()
    assert "FAILED  bad" not in text and "ran     good" not in text, "lines already printed"
    assert text.splitlines()[-1] == str(manifest.output_dir / "index.html")


def test_index_shows_shares_in_percent_and_money_in_cny(tmp_path):
    """Recorded shares (0.4287) read 42.9% in the index and the history, with changes in points;
    old rows without kinds are shown by their names."""
    from workbench.reports.ledger import RunRecord

    reports = tmp_path / "reports"
    reports.mkdir()
    ledger = Ledger(reports / LEDGER_FILE)
    runs = [("2026-06-11", {"uplift": 0.40, "kpi_coverage_72h": 1, "cost": 6866488.7}, {}),
            ("2026-06-18", {"uplift": 0.4287, "kpi_coverage_72h": 1, "cost": 6674919.2},
             {"uplift": "share", "kpi_coverage_72h": "share", "cost": "money"})]
    for n, (day, results, kinds) in enumerate(runs):
        when = f"{day}T00:00:00+00:00"
        ledger.start(RunRecord(run_id=f"run-{n}", report="plan", notebook="x.ipynb", logical_date=day,
                               slot_time=when, trigger="manual", started_at=when, package_version="test"))
        ledger.finish(f"run-{n}", status="success", ended_at=when, duration_s=1.0, exit_code=0, error=None,
                      outputs={}, results=results, data_range=None, result_kinds=kinds)
    assert Ledger(reports / LEDGER_FILE).runs()[1].result_kinds == runs[1][2]
    page = write_index(reports).read_text()
    latest = page[page.index('id="latest"'):page.index("<h2>History")]
    assert "uplift</code> = 42.9%" in latest and "moved +2.9 pp since the run of 2026-06-11 (was 40.0%)" in latest
    assert "kpi_coverage_72h</code> = 100.0%" in latest and "cost</code> = 6,674,919 CNY" in latest
    history = history_text(reports, None, limit=10)
    old = history.splitlines()[2]  # recorded without kinds: from the name, 'uplift' says nothing
    assert "uplift=0.4, kpi_coverage_72h=100.0%, cost=6,866,489 CNY" in old
