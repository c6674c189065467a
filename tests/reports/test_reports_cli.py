"""`workbench report ...` end to end through the real CLI entry point."""

from __future__ import annotations

import pytest

import workbench.cli as cli
from report_helpers import fixture_notebook, snapshot, write_manifest
from workbench.reports.layout import param_tag


@pytest.fixture
def main():
    """The real ``workbench`` main (it imports only the command group being run)."""
    return cli.main


def test_every_subcommand_has_help(main, capsys):
    for sub in ("run", "due", "run-all", "history", "index", "prune", "params"):
        with pytest.raises(SystemExit) as done:
            main(["report", sub, "--help"])
        assert done.value.code == 0
        assert "usage: workbench report " + sub in capsys.readouterr().out


@pytest.mark.slow
def test_run_history_and_exit_codes(main, tmp_path, capsys):
    reports = str(tmp_path / "reports")
    nb = str(fixture_notebook("records_results"))
    assert main(["report", "run", nb, "-p", "days", "2", "--date", "2026-06-18", "--reports-dir", reports]) == 0
    out = capsys.readouterr().out
    tag = param_tag({"days": 2})
    assert "report records_results: success" in out and f"records_results__{tag}.html" in out
    assert "total_units = 200\n" in out and "label = base" in out

    assert main(["report", "run", str(fixture_notebook("raises_error")), "--reports-dir", reports]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: report 'raises_error'") and "planned failure" in err

    assert main(["report", "history", "--reports-dir", reports]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("run id") and "raises_error" in lines[1] and "failed" in lines[1]
    assert f"records_results__{tag}" in lines[2] and "days=2; total_units=200" in lines[2]
    assert main(["report", "history", "records_results", "--reports-dir", reports]) == 0
    assert "raises_error" not in capsys.readouterr().out

    assert main(["report", "index", "--reports-dir", reports]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "reports" / "index.html")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "dayz", "2"], "unknown parameter 'dayz'"),
        (["-p", "days", "two"], "parameter 'days'"),
        (["--name", "../x"], "'../x' is not allowed"),
    ],
)
def test_bad_run_input_exits_2_and_touches_nothing(main, existing_reports, capsys, args, message):
    before = snapshot(existing_reports)
    code = main(["report", "run", str(fixture_notebook("records_results")), *args,
                 "--reports-dir", str(existing_reports)])
    assert code == 2 and message in capsys.readouterr().err
    assert snapshot(existing_reports) == before


def test_bad_notebooks_and_manifest_exit_2(main, existing_reports, tmp_path, capsys):
    before = snapshot(existing_reports)
    for notebook, message in (("missing", "not found"), ("no_parameters_cell", "no cell tagged 'parameters'")):
        assert main(["report", "run", str(fixture_notebook(notebook)), "--reports-dir", str(existing_reports)]) == 2
        assert message in capsys.readouterr().err
    manifest = write_manifest(tmp_path, {"ok": {"fixture": "records_results", "schedule": "whenever"}},
                              output_dir=str(existing_reports))
    for command in ("due", "run-all"):
        assert main(["report", command, "--manifest", str(manifest)]) == 2
        assert "FAILED  ok:" in capsys.readouterr().out  # reported; nothing else to run
    assert snapshot(existing_reports) == before


def test_params_lists_the_parameters_cell(main, capsys, tmp_path, monkeypatch):
    assert main(["report", "params", str(fixture_notebook("records_results"))]) == 0
    out = capsys.readouterr().out
    assert "days      int" in out and "number of days summed" in out
    # a report's name, as `report run NAME` takes it: its notebook and the manifest's values
    manifest = write_manifest(tmp_path, {"weekly": {"fixture": "records_results", "schedule": "whenever",
                                                    "parameters": {"days": 7}}})
    assert main(["report", "params", "weekly", "--manifest", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "report 'weekly' of" in out and "the manifest sets: days=7" in out and "days      int" in out
    # a notebook's name, which reports of the manifest run (trial 9 F10: "notebook event_forecast not found")
    for command in ("params", "run"):
        assert main(["report", command, "records_results", "--manifest", str(manifest)]) == 2
        assert ("'records_results' is no report of" in (err := capsys.readouterr().err)
                and "of the report(s) weekly: give one of them" in err)
    # from a subfolder (a scratch/ beside the notebooks) the name is found in the manifest above
    (tmp_path / "scratch").mkdir()
    monkeypatch.chdir(tmp_path / "scratch")
    assert main(["report", "params", "weekly"]) == 0
    assert "the manifest sets: days=7" in capsys.readouterr().out
    # and so is a notebook path written from the project's folder, as the README writes it (trial 7 #10)
    assert main(["report", "params", "notebooks/records_results.ipynb"]) == 0
    printed = capsys.readouterr()
    assert "days      int" in printed.out
    assert (f"note: notebooks/records_results.ipynb is not under the current folder; using the project's "
            f"{tmp_path.resolve() / 'notebooks' / 'records_results.ipynb'}") in printed.err
    assert main(["report", "params", "notebooks/nosuch.ipynb"]) == 2
    assert "nosuch.ipynb" in capsys.readouterr().err


@pytest.mark.slow
def test_relative_reports_dir_is_the_callers(main, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # papermill runs the notebook in its own folder meanwhile
    assert main(["report", "run", str(fixture_notebook("records_results")), "--date", "2026-06-18"]) == 0
    assert (tmp_path / "reports" / "records_results" / "2026-06-18" / "records_results.html").exists()
    assert "total_units = 300\n" in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"garbage" * 200, b""])
def test_every_subcommand_refuses_a_bad_ledger_with_exit_2(main, existing_reports, tmp_path, capsys, content):
    (existing_reports / "ledger.sqlite").write_bytes(content)
    manifest = write_manifest(tmp_path, {"ok": {"fixture": "records_results", "schedule": "0 7 * * *"}},
                              output_dir=str(existing_reports))
    before = snapshot(existing_reports)
    nb = str(fixture_notebook("records_results"))
    for args in (["run", nb], ["history"], ["index"], ["prune", "--days", "30"]):
        assert main(["report", *args, "--reports-dir", str(existing_reports)]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: run ledger") and "Traceback" not in err
    for command in ("due", "run-all"):
        assert main(["report", command, "--manifest", str(manifest)]) == 2
        captured = capsys.readouterr()
        assert "run ledger" in captured.err + captured.out
    assert snapshot(existing_reports) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "NB", "--cell-timeout", "0"], "--cell-timeout must be a number of seconds from 1 to 86400"),
        (["run", "NB", "--timezone", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["prune", "--days", "0"], "--days must be a whole number of days from 1 to 36500"),
        (["prune", "--days", "100000000"], "from 1 to 36500"),
        (["history", "--limit", "-1"], "--limit must be a whole number from 1 to"),
    ],
)
def test_numbers_out_of_range_exit_2_with_the_allowed_range(main, existing_reports, capsys, args, message):
    before = snapshot(existing_reports)
    args = [str(fixture_notebook("records_results")) if a == "NB" else a for a in args]
    assert main(["report", *args, "--reports-dir", str(existing_reports)]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(existing_reports) == before


@pytest.mark.slow
def test_report_run_and_run_all_file_a_run_under_the_same_logical_date(main, tmp_path, capsys):
    import datetime as dt

    from workbench.reports.ledger import Ledger
    from workbench.reports.runner import logical_date_at

    zone = "Pacific/Kiritimati"  # UTC+14: its date is rarely the machine's
    manifest = write_manifest(tmp_path, {"ok": {"fixture": "records_results", "schedule": "0 7 * * *"}},
                              timezone=zone)
    reports = tmp_path / "out"
    before = dt.datetime.now(dt.timezone.utc)
    assert main(["report", "run", str(tmp_path / "notebooks" / "records_results.ipynb"), "--name", "ok",
                 "--manifest", str(manifest), "--reports-dir", str(reports)]) == 0
    assert main(["report", "run-all", "--manifest", str(manifest)]) == 0
    after = dt.datetime.now(dt.timezone.utc)
    manual, scheduled = Ledger(reports / "ledger.sqlite").runs()
    assert (manual.trigger, scheduled.trigger) == ("manual", "manual")
    assert manual.logical_date == scheduled.logical_date
    assert manual.logical_date in {logical_date_at(before, zone).isoformat(), logical_date_at(after, zone).isoformat()}
    assert manual.timezone == scheduled.timezone == zone
    page = (reports / "index.html").read_text()
    assert f"Logical dates and times are in {zone}" in page


def test_a_reports_folder_that_is_a_file_exits_2_in_every_subcommand(main, tmp_path, capsys):
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the reports folder goes")
    manifest = write_manifest(tmp_path, {"ok": {"fixture": "records_results", "schedule": "0 7 * * *"}},
                              output_dir="reports")
    for args in (["run", str(fixture_notebook("records_results"))], ["index"], ["prune", "--days", "30"]):
        assert main(["report", *args, "--reports-dir", str(blocked)]) == 2, args
        err = capsys.readouterr().err
        assert "is a file" in err and "Traceback" not in err
    for command in ("due", "run-all"):
        assert main(["report", command, "--manifest", str(manifest)]) == 2
        assert "is a file" in capsys.readouterr().out
    assert blocked.read_text() == "a file where the reports folder goes"


@pytest.mark.parametrize(("pair", "message"), [
    (("lead", "999"), "expected int >= 1, <= 366, got 999"),
    (("data", "销量.csv"), "parameter 'data' (from -p): file '销量.csv' not found"),
])
def test_a_refused_parameter_is_refused_without_the_heavy_stack(tmp_path, pair, message):
    """`report run -p lead 999` is refused by the light parameters module: papermill, nbformat
    and pandas are never imported (the check took 12-19 s with them, 0.6 s without)."""
    import subprocess
    import sys
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "event_forecast.ipynb"
    code = (
        "import sys, workbench.cli as cli\n"
        f"code = cli.main(['report', 'run', {str(notebook)!r}, '-p', {pair[0]!r}, {pair[1]!r}])\n"
        "heavy = sorted(m for m in ('papermill', 'nbformat', 'nbconvert', 'pandas', 'jsonschema') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    assert message in done.stderr


@pytest.mark.slow
def test_run_takes_a_report_name_of_the_manifest(main, tmp_path, capsys, monkeypatch):
    """`workbench report run planning_cycle` (docs/planning-cycle.md): a manifest NAME runs its
    notebook with its parameters under its name; -p adds to them."""
    manifest = write_manifest(tmp_path, {"weekly": {"fixture": "records_results", "schedule": "0 7 * * 1",
                                                     "parameters": {"days": 5}}})
    monkeypatch.chdir(tmp_path)
    reports = str(tmp_path / "out")
    assert main(["report", "run", "weekly", "--date", "2026-06-18", "--reports-dir", reports]) == 0
    out = capsys.readouterr().out
    assert "report weekly: success" in out and "weekly/2026-06-18/weekly.html" in out
    assert "total_units = 500\n" in out, "the manifest's parameters"
    assert main(["report", "run", "weekly", "-p", "days", "4", "--manifest", str(manifest),
                 "--date", "2026-06-18", "--reports-dir", reports]) == 0
    assert "total_units = 400\n" in capsys.readouterr().out
    assert main(["report", "run", "nosuch", "--reports-dir", reports]) == 2
    assert "notebook nosuch not found" in capsys.readouterr().err


def test_a_teams_own_data_does_not_inherit_the_sample_runs_category(tmp_path, capsys):
    """Review 7.2 #2: `workbench report run planning_cycle -p data sales.csv ...` (docs/planning-cycle.md)
    took reports.yaml's `category: beauty` (the sample's) and refused every file without it. The
    scheduled sample run keeps its category; a run with its own data takes the notebook's defaults."""
    import argparse
    from pathlib import Path

    from workbench.cli import report
    from workbench.reports import runner

    root = Path(__file__).resolve().parents[2]
    sales, stock = tmp_path / "sales.csv", tmp_path / "stock.csv"
    days = [f"2026-09-{d:02d}" for d in range(1, 31)] + [f"2026-10-{d:02d}" for d in range(1, 32)]
    sales.write_text("ds,sku,region,category,units\n" + "".join(f"{d},S1,East,snacks,5\n" for d in days),
                     encoding="utf-8")
    stock.write_text("sku,warehouse,on_hand,on_order\nS1,Shanghai,10,0\n", encoding="utf-8")

    def prepared(pairs):
        args = argparse.Namespace(notebook="planning_cycle", manifest=str(root / "reports.yaml"), param=pairs,
                                  parameters_file=None, name="planning_cycle")
        notebook, values, values_dir = report._manifest_report(args)
        return runner.prepare(notebook, values=report._own_data_values(args, values), values_dir=values_dir,
                              cli_pairs=pairs, report="planning_cycle", reports_dir=str(tmp_path / "out"))

    sample = prepared([])
    assert sample.parameters["data"] == "sample" and sample.parameters["category"] == "beauty"
    own = prepared([("data", str(sales)), ("stock", str(stock)), ("gmv", "null")])  # was refused: 'beauty'
    assert "category" not in own.parameters and str(own.parameters["data"]) == str(sales)  # the default: every SKU
    assert "sets data='sample', category='beauty' for its own data; with your data none" in capsys.readouterr().err
