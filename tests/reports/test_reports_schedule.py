"""The reports.yaml manifest, `due` (idempotent, locked), run-all, retention and the index."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import yaml

from report_helpers import fixture_notebook, snapshot, write_manifest
from workbench.errors import ConfigError, ParameterError
from workbench.reports import runner, schedule
from workbench.reports.index import describe_change, write_index
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
        ({"../x": GOOD}, {}, None, "'../x' is not allowed"),
        ({"ok": {**GOOD, "schedule": "61 * * * *"}}, {}, None, "cron expression"),
        ({"ok": {**GOOD, "timezone": "Mars/Olympus"}}, {}, None, "unknown timezone 'Mars/Olympus'"),
        ({"ok": {**GOOD, "cron": "0 7 * * *"}}, {}, None, r"unknown field\(s\) \['cron'\]"),
        ({"ok": {**GOOD, "parameters": [1, 2]}}, {}, None, "'parameters' must be a mapping"),
        ({"ok": GOOD}, {"retention_days": 0}, None, "retention_days must be"),
        ({"ok": GOOD}, {"cell_timeout": -5}, None, "cell_timeout must be"),
        ({"ok": GOOD}, {"shedule": 1}, None, "unknown top-level field"),
    ],
)
def test_malformed_manifest_is_a_clear_error(tmp_path, reports, top, raw, message):
    path = write_manifest(tmp_path, reports or {}, **top)
    if raw is not None:
        path.write_text(raw)
    with pytest.raises(ConfigError, match=message) as err:
        schedule.load_manifest(path)
    assert str(path) in str(err.value)


def test_missing_notebook_fails_that_report_only(tmp_path):
    path = write_manifest(tmp_path, {"ok": GOOD})
    path.write_text(path.read_text().replace("notebooks/records_results.ipynb", "notebooks/gone.ipynb"))
    manifest = schedule.load_manifest(path)
    summary = schedule.due(manifest, now=at("2026-06-18T08:00:00"))
    (name, err), = summary.failed
    assert name == "ok" and isinstance(err, ConfigError) and "gone.ipynb not found" in str(err)
    assert summary.ran == [] and summary.exit_code == 2
    with pytest.raises(ConfigError, match="gone.ipynb not found"):
        schedule.run_all(manifest)  # the main job checks every report before running any
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

    assert removed == [reports / "records_results" / "2026-01-01"]
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
    with pytest.raises(ConfigError):
        schedule.due(schedule.load_manifest(path))
    assert snapshot(existing_reports) == before
