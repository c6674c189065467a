"""Running notebooks as reports in real papermill kernels: publish, record, fail safely."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from report_helpers import fixture_notebook, snapshot
from workbench import __version__
from workbench.errors import ConfigError, KernelDiedError, ParameterError, ReportError
from workbench.reports import runner
from workbench.reports.layout import LEDGER_FILE, WORK_DIR, param_tag
from workbench.reports.ledger import Ledger
from workbench.reports.lock import ReportLocked, report_lock

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 6, 18)


def test_success_publishes_notebook_html_ledger_and_results(tmp_path):
    reports = tmp_path / "reports"
    request = runner.prepare(
        fixture_notebook("records_results"),
        cli_pairs=[("scale", "1.5"), ("days", "4")],
        logical_date=DAY,
        reports_dir=reports,
    )
    outcome = runner.execute(request)

    folder = reports / "records_results" / "2026-06-18"
    stem = "records_results__days-4_scale-1.5-" + param_tag({"scale": 1.5, "days": 4})[-10:]
    assert outcome.status == "success" and outcome.exit_code == 0
    assert outcome.html_path == folder / f"{stem}.html" and outcome.notebook_path == folder / f"{stem}.ipynb"
    assert sorted(p.name for p in folder.iterdir()) == [f"{stem}.html", f"{stem}.ipynb"]
    assert outcome.results == {"total_units": 600.0, "label": "base"}
    assert not list((reports / ".work").iterdir()), "temporary files are cleaned up"

    executed = nbformat.read(outcome.notebook_path, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "scale = 1.5" in injected[0].source and "days = 4" in injected[0].source

    page = outcome.html_path.read_text(encoding="utf-8")
    assert "wb-error-banner\" role=\"alert\"" not in page
    assert "record_data_range" not in page, "no code cells in the report"
    for fact in ("records_results", "2026-06-18", "2025-01-01 to 2025-06-30", __version__, "scale", "600 units"):
        assert fact in page
    assert "<script src=" not in page

    (run,) = Ledger(reports / LEDGER_FILE).runs()
    assert run.run_id == outcome.run_id and run.status == "success" and run.exit_code == 0
    assert run.parameters == {"scale": 1.5, "days": 4} and run.param_tag == stem.split("__")[1]
    assert run.variant == {"scale": 1.5, "days": 4} and run.timezone == "Asia/Shanghai"
    assert run.logical_date == "2026-06-18" and run.package_version == __version__
    assert run.results == {"total_units": 600.0, "label": "base"}
    assert run.data_range == {"start": "2025-01-01", "end": "2025-06-30"}
    assert run.outputs == {"ipynb": f"records_results/2026-06-18/{stem}.ipynb",
                           "html": f"records_results/2026-06-18/{stem}.html"}
    assert run.duration_s > 0 and run.ended_at >= run.started_at
    assert (reports / "index.html").exists()


def test_failed_run_keeps_last_good_report_and_shows_error(tmp_path):
    reports = tmp_path / "reports"
    kwargs = dict(report="daily", tag="", logical_date=DAY, reports_dir=reports)
    good = runner.execute(runner.prepare(fixture_notebook("raises_error"), values={"fail": False}, **kwargs))
    before = snapshot(good.html_path.parent)

    with pytest.raises(ReportError) as err:
        runner.execute(runner.prepare(fixture_notebook("raises_error"), values={"fail": True}, **kwargs))
    exc = err.value
    assert type(exc) is ReportError and exc.exit_code == 3
    assert "ValueError: planned failure: fail=True" in str(exc) and "if fail:" in str(exc)
    assert f"report 'daily' ({DAY}) failed after " in str(exc)
    assert f"The last good report of this slot is unchanged ({good.html_path})." in str(exc)

    after = snapshot(good.html_path.parent)
    assert {k: v for k, v in after.items() if not k.startswith("failed")} == before, "good report untouched"
    failed = exc.outcome
    assert failed.html_path.parent == good.html_path.parent / "failed" / failed.run_id
    page = failed.html_path.read_text(encoding="utf-8")
    assert page.index('class="wb-error-banner"') < page.index('class="wb-header"') < page.index("first cell ran")
    assert "planned failure" in page
    partial = nbformat.read(failed.notebook_path, as_version=4)
    assert any(o.get("output_type") == "error" for c in partial.cells if c.cell_type == "code" for o in c.outputs)

    runs = Ledger(reports / LEDGER_FILE).runs()
    assert [r.status for r in runs] == ["success", "failed"]
    assert runs[1].exit_code == 3 and "planned failure" in runs[1].error
    assert runs[1].results == {"before_failure": 1.0}, "results recorded before the failure are kept"


def test_dead_kernel_is_told_apart_from_a_cell_error(tmp_path):
    with pytest.raises(KernelDiedError) as err:
        runner.execute(runner.prepare(fixture_notebook("kills_kernel"), reports_dir=tmp_path / "r"))
    assert err.value.exit_code == 4 and "kernel died" in str(err.value) and "out of memory" in str(err.value)
    assert err.value.outcome.html_path.exists()
    (run,) = Ledger(tmp_path / "r" / LEDGER_FILE).runs()
    assert (run.status, run.exit_code) == ("kernel_died", 4)


def test_cell_timeout(tmp_path):
    request = runner.prepare(fixture_notebook("slow_cell"), reports_dir=tmp_path / "r", cell_timeout_s=1)
    with pytest.raises(ReportError) as err:
        runner.execute(request)
    assert type(err.value) is ReportError and "per-cell timeout of 1 s" in str(err.value)


def test_locked_report_does_not_run(tmp_path):
    reports = tmp_path / "reports"
    request = runner.prepare(fixture_notebook("records_results"), reports_dir=reports)
    with report_lock(reports, "records_results"):
        with pytest.raises(ReportLocked, match="already running"):
            runner.execute(request)
    assert not (reports / "records_results").exists()
    assert Ledger(reports / LEDGER_FILE).runs() == []


@pytest.mark.parametrize(
    ("notebook", "kwargs", "error", "message"),
    [
        ("records_results", {"cli_pairs": [("scael", "2")]}, ParameterError, "unknown parameter 'scael'"),
        ("records_results", {"cli_pairs": [("days", "three")]}, ParameterError, "'days'.*expected int"),
        ("records_results", {"values": {"label": 5}}, ParameterError, "'label'.*expected str"),
        ("does_not_exist", {}, ConfigError, "not found"),
        ("no_parameters_cell", {}, ParameterError, "no cell tagged 'parameters'"),
        ("records_results", {"report": "../x"}, ConfigError, "'../x' is not allowed"),
        ("records_results", {"report": "records_results/../../x"}, ConfigError, "not allowed"),
    ],
)
def test_bad_input_fails_before_any_kernel_and_touches_nothing(existing_reports, notebook, kwargs, error, message):
    before = snapshot(existing_reports.parent)
    with pytest.raises(error, match=message):
        runner.prepare(fixture_notebook(notebook), reports_dir=existing_reports, **kwargs)
    assert snapshot(existing_reports.parent) == before


def test_parameters_file_and_cli_override(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("scale: 2\nlabel: from-file\n")
    request = runner.prepare(fixture_notebook("records_results"), parameters_file=params,
                             cli_pairs=[("label", "from-cli")], reports_dir=tmp_path / "r")
    assert request.parameters == {"scale": 2.0, "label": "from-cli"}
    assert request.slot.tag == param_tag({"label": "from-cli", "scale": 2.0})
    assert request.slot.tag.startswith("label-from-cli_scale-2.0-")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scale: lots\n")
    with pytest.raises(ParameterError, match="'scale'.*expected float"):
        runner.prepare(fixture_notebook("records_results"), parameters_file=bad, reports_dir=tmp_path / "r")


def test_overlapping_run_in_another_process_is_refused_and_a_killed_run_is_closed(tmp_path):
    reports = tmp_path / "reports"
    script = (
        "import sys; from workbench.reports import runner\n"
        "runner.execute(runner.prepare(sys.argv[1], reports_dir=sys.argv[2], tag=''))\n"
    )
    first = subprocess.Popen([sys.executable, "-c", script, str(fixture_notebook("slow_cell")), str(reports)],
                             start_new_session=True, stderr=subprocess.DEVNULL)
    ledger = Ledger(reports / LEDGER_FILE)
    try:
        deadline = time.monotonic() + 60
        while not ledger.runs() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [r.status for r in ledger.runs()] == ["running"]
        with pytest.raises(ReportLocked, match="already running"):
            runner.execute(runner.prepare(fixture_notebook("slow_cell"), reports_dir=reports, tag=""))
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the runner and its kernel, as a crash would
        first.wait()

    done = runner.execute(runner.prepare(fixture_notebook("slow_cell"), values={"seconds": 0.1},
                                         reports_dir=reports, tag=""))
    killed, finished = ledger.runs()
    assert (killed.status, finished.status) == ("interrupted", "success")
    assert "stopped without finishing" in killed.error and finished.run_id == done.run_id
    assert not (reports / WORK_DIR / killed.run_id).exists()


# --- a report is never lost or replaced by a bad one ------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("exits_early_with_sys_exit", "code cell 3 of 4 did not complete (SystemExit: 0); 1 later cell(s) never ran"),
        ("error_in_raises_exception_cell", "ValueError: tolerated by nbclient, not by a report (in the cell starting 'raise"),
    ],
)
def test_a_failed_or_skipped_cell_fails_the_run_and_keeps_the_last_good_report(tmp_path, fixture, message):
    reports = tmp_path / "reports"
    kwargs = dict(report="daily", tag="", logical_date=DAY, reports_dir=reports)
    good = runner.execute(runner.prepare(fixture_notebook("records_results"), **kwargs))
    before = snapshot(good.html_path.parent)

    with pytest.raises(ReportError) as err:
        runner.execute(runner.prepare(fixture_notebook(fixture), **kwargs))
    assert type(err.value) is ReportError and err.value.exit_code == 3
    assert message in str(err.value)

    after = snapshot(good.html_path.parent)
    assert {k: v for k, v in after.items() if not k.startswith("failed")} == before, "good report untouched"
    assert err.value.outcome.html_path.parent.parent.name == "failed"
    runs = Ledger(reports / LEDGER_FILE).runs()
    assert [(r.status, r.exit_code) for r in runs] == [("success", 0), ("failed", 3)]
    assert "after_exit" not in runs[1].results


def _sigint_as_a_terminal_sends_it() -> None:
    """The child's SIGINT at its default, as in a terminal: a test run started in the background
    of a non-interactive shell (a CI script's `cmd &`) ignores SIGINT, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_closes_the_ledger_row_without_a_traceback(tmp_path, signum):
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "workbench.cli", "report", "run", str(fixture_notebook("slow_cell")),
               "--reports-dir", str(reports)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=_sigint_as_a_terminal_sends_it)
    ledger = Ledger(reports / LEDGER_FILE)
    try:
        deadline = time.monotonic() + 90
        while not ledger.runs() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # inside the sleeping cell
        os.killpg(run.pid, signum)  # as the terminal (Ctrl-C) or systemd (stop) would
        out, err = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130
    (row,) = ledger.runs()
    assert (row.status, row.exit_code) == ("interrupted", 130) and row.ended_at
    assert "stopped (Ctrl-C or SIGTERM)" in row.error
    ours = [line for line in err.splitlines() if line.startswith("error:")]  # the kernel may log after it
    assert len(ours) == 1 and ours[0].startswith("error: report 'slow_cell'") and ") was interrupted after " in ours[0]
    assert f"{os.sep}workbench{os.sep}reports{os.sep}" not in err, "no traceback of ours"
    assert not list((reports / WORK_DIR).iterdir())
    assert not list((reports / "slow_cell").glob("*/slow_cell.html")), "no page published as good"


def test_a_publish_failure_after_the_notebook_ran_closes_the_ledger_row(tmp_path):
    reports = tmp_path / "reports"
    folder = reports / "blocks_its_output_folder" / DAY.isoformat()
    request = runner.prepare(fixture_notebook("blocks_its_output_folder"), values={"block": str(folder)},
                             tag="", logical_date=DAY, reports_dir=reports)
    with pytest.raises(ReportError) as err:
        runner.execute(request)
    assert err.value.exit_code == 3 and "the outputs could not be published" in str(err.value)
    assert "is closed" in str(err.value)
    (row,) = Ledger(reports / LEDGER_FILE).runs()
    assert (row.status, row.exit_code) == ("failed", 3) and row.ended_at and "could not be published" in row.error
    assert not list((reports / WORK_DIR).iterdir())
    assert "status-failed" in (reports / "index.html").read_text()


def test_a_failure_without_an_earlier_good_report_says_so(tmp_path):
    with pytest.raises(ReportError) as err:
        runner.execute(runner.prepare(fixture_notebook("raises_error"), values={"fail": True}, report="daily",
                                      tag="", logical_date=DAY, reports_dir=tmp_path / "reports"))
    text = str(err.value)
    assert text.endswith("There is no earlier good report of this slot.") and "unchanged" not in text


def test_ctrl_c_stops_run_all_not_only_the_report_it_fell_on(tmp_path):
    from report_helpers import write_manifest

    manifest = write_manifest(tmp_path, {"first": {"fixture": "slow_cell", "schedule": "0 7 * * *"},
                                         "second": {"fixture": "records_results", "schedule": "0 7 * * *"}},
                              output_dir=str(tmp_path / "reports"))
    command = [sys.executable, "-m", "workbench.cli", "report", "run-all", "--manifest", str(manifest)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=_sigint_as_a_terminal_sends_it)
    ledger = Ledger(tmp_path / "reports" / LEDGER_FILE)
    try:
        deadline = time.monotonic() + 90
        while not ledger.runs() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # inside the first report's sleeping cell
        os.killpg(run.pid, signal.SIGINT)
        out, _ = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130
    assert [(r.report, r.status) for r in ledger.runs()] == [("first", "interrupted")]  # second never started
    assert "second" in out and "not run: the batch was stopped" in out


def test_a_declared_input_check_that_is_no_workbench_function_is_a_config_error(tmp_path):
    """A notebook's metadata names its input checks (runner.check_inputs); only workbench
    functions, 'module:function', are run before the kernel."""
    import json

    nb = json.loads(fixture_notebook("records_results").read_text(encoding="utf-8"))
    nb["metadata"][runner.INPUT_CHECKS] = ["os:getcwd"]
    path = tmp_path / "declares_a_foreign_check.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ConfigError, match="'os:getcwd' is not 'workbench.module:function'"):
        runner.prepare(path, tag="", reports_dir=tmp_path / "reports")
