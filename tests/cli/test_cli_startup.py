"""The ``workbench`` command starts fast: its top level imports no heavy library.

Checked in a fresh interpreter (a subprocess), by the modules it has loaded, not by timing:
timings belong in measurements, module lists do not flake on a busy machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import COMMANDS

HEAVY = ("pandas", "numpy", "scipy", "pyarrow", "prophet", "statsmodels", "pulp", "highspy", "dask",
         "distributed", "plotly", "papermill", "nbformat", "duckdb")

_PROBE = """
import json, sys
from workbench.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(*argv: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after ``workbench ARGV``."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


@pytest.mark.parametrize("argv", [["--help"], ["--version"], []])
def test_top_level_imports_no_heavy_library(argv):
    assert not loaded_modules(*argv) & set(HEAVY)


def test_a_command_loads_only_its_own_module():
    modules = subprocess.run(
        [sys.executable, "-c", _PROBE.replace("sorted(sys.modules)", "sorted(m for m in sys.modules "
                                              "if m.startswith('workbench.cli.'))"), "network", "--help"],
        capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    assert json.loads(modules) == ["workbench.cli.network"]


def test_every_command_is_listed_and_has_help(capsys):
    from workbench.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert name in listing and command.summary.split()[0] in listing
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        assert f"usage: workbench {name}" in capsys.readouterr().out


def test_unknown_command_lists_the_commands(capsys):
    from workbench.cli import main

    with pytest.raises(SystemExit) as done:
        main(["forecats"])
    assert done.value.code == 2
    assert "invalid choice: 'forecats'" in capsys.readouterr().err


def test_workbench_warnings_print_as_notes(capsys, monkeypatch):
    import warnings

    from workbench.notes import notes_as_lines
    from workbench.data.validate import GapsFilledWarning

    others = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, category, *rest: others.append(category))
    with notes_as_lines():
        warnings.simplefilter("always")
        warnings.warn(GapsFilledWarning("3 missing days filled with 0 in series 'beauty'"))
        warnings.warn(UserWarning("from a library"))
    assert capsys.readouterr().err == "note: 3 missing days filled with 0 in series 'beauty'\n"
    assert others == [UserWarning]  # shown as before, by the usual handler


def test_a_refused_report_parameter_loads_no_kernel_library():
    notebook = Path(__file__).resolve().parents[1] / "reports" / "fixtures" / "records_results.ipynb"
    probe = _PROBE.replace("try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass",
                           "code = main(sys.argv[1:])\nassert code == 2, code")
    done = subprocess.run([sys.executable, "-c", probe, "report", "run", str(notebook), "-p", "days", "soon"],
                          capture_output=True, text=True, check=True)
    assert "parameter 'days'" in done.stderr and "expected int" in done.stderr
    loaded = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    assert not loaded & {"papermill", "nbformat", "nbconvert", "nbclient", "jupyter_client", "pandas"}
