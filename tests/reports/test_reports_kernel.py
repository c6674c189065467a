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


@pytest.mark.parametrize("manager, interrupted", [("jupyter_client", True), ("report", False)])
def test_a_report_kernel_is_shut_down_without_an_interrupt(tmp_path, manager, interrupted):
    """Trial 8: a successful event report ended its stderr with "[IPKernelApp] ERROR |
    KeyboardInterrupt caught in kernel.": jupyter_client sends SIGINT to the kernel's process group
    before every shutdown request, and a kernel handling a message then logs it. A process the
    real kernel starts (in its group) records any SIGINT: jupyter_client's manager sends one at
    shutdown, the report's does not."""
    import asyncio
    import signal
    import time

    from jupyter_client import AsyncKernelManager

    from workbench.reports.kernel import ReportKernelManager

    mark, pid_file = tmp_path / "sigint", tmp_path / "pid"
    listener = (f"import os, signal, time\n"
                f"signal.signal(signal.SIGINT, lambda *a: (open({str(mark)!r}, 'w').close(), os._exit(0)))\n"
                f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                f"time.sleep(30)")
    cls = ReportKernelManager if manager == "report" else AsyncKernelManager

    async def run():
        km = cls(kernel_name="workbench")
        await km.start_kernel()
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        code = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {listener!r}])"
        assert (await client.execute_interactive(code, timeout=60))["content"]["status"] == "ok"
        for _ in range(100):  # the listener's handler is set once its pid is written
            if pid_file.exists() and pid_file.read_text():
                break
            await asyncio.sleep(0.1)
        client.stop_channels()
        await km.shutdown_kernel()
        assert not await km.is_alive()

    try:
        asyncio.run(run())
        time.sleep(0.5)
        assert mark.exists() is interrupted
    finally:
        if not mark.exists() and pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the listener this test started
            except ProcessLookupError:
                pass
