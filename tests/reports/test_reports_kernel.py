"""Report kernels start quietly: private IPC sockets (no TCP port, no 'without encryption'
warning) and no papermill 'unknown parameter' warning for hints its regex cannot read."""

from __future__ import annotations

import logging
import os
import tempfile

import nbformat
import pytest

from workbench.reports.kernel import execution_options
from workbench.reports.runner import execute, prepare


def literal_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "workbench", "language": "python", "display_name": "workbench"}
    cell = nbformat.v4.new_code_cell('from typing import Literal\n'
                                     'event: Literal["618", "double11"] = "618"  # double11 = 双11')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(event)")]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_report_run_is_quiet(tmp_path, capfd, caplog, monkeypatch):
    sockets = tmp_path / "tmp"
    sockets.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sockets))  # this run's socket folder, nobody else's
    request = prepare(str(literal_notebook(tmp_path / "literal.ipynb")), cli_pairs=[("event", "double11")],
                      reports_dir=str(tmp_path / "reports"))
    with caplog.at_level(logging.INFO):
        assert execute(request).status == "success"
    err = capfd.readouterr().err
    assert "without encryption" not in err
    assert "Passed unknown parameter" not in err + caplog.text
    assert "Unable to parse line" not in err + caplog.text
    assert list(sockets.iterdir()) == []  # the socket folder is gone


def test_kernels_listen_on_ipc_in_a_private_folder():
    with execution_options() as options:
        config = options["config"]
        folder = config.KernelManager.ip.rsplit("/", 1)[0]
        assert config.KernelManager.transport == "ipc"
        assert oct(os.stat(folder).st_mode)[-3:] == "700"
    assert not os.path.exists(folder)


def test_only_the_two_inference_warnings_are_dropped(caplog):
    log, translators = logging.getLogger("papermill"), logging.getLogger("papermill.translators")
    with execution_options():
        log.warning("Passed unknown parameter: event")
        translators.warning("Unable to parse line 5 'x: int = 1  # a = b'.")
        log.warning("Input notebook does not contain a cell with tag 'parameters'")
    log.warning("Passed unknown parameter: after")
    assert "event" not in caplog.text and "line 5" not in caplog.text
    assert "does not contain" in caplog.text and "after" in caplog.text
