"""How report notebooks are executed: quiet, private kernels.

Two start-up messages are noise for a report run and are removed at their source:

- Jupyter kernels started with the default TCP transport and no CurveZMQ keys log "Kernel is
  running over TCP without encryption" at every start. A report kernel only talks to the
  process that started it, on the same machine, which Unix domain sockets (ZeroMQ ``ipc``) do
  without opening a port; the socket files live in a folder only this user can read and are
  removed with it.
- jupyter_client interrupts a kernel (SIGINT) before it asks it to shut down, in case it is still
  busy. A report's kernel is idle by then, but if the signal lands while it handles a message it
  logs "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." on the run's stderr after a
  successful report (trial 8). :class:`ReportKernelManager` asks an idle kernel to shut down
  without that interrupt; a kernel that does not stop in time is still terminated by
  jupyter_client, and an interrupt outside a shutdown (a cell timeout) is sent as before.
- papermill infers a parameters cell with regular expressions: it warns "Passed unknown
  parameter" for every parameter whose hint it cannot read (``Literal[...]``, ``X | None``,
  ``Annotated[...]``) and "Unable to parse line" for a line with a second ``=`` (in a comment).
  The runner reads the cell with Python's own parser and has already refused every name the
  cell does not declare (:func:`workbench.reports.params.validate_parameters`), so exactly these
  two warnings are dropped.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jupyter_client import AsyncKernelManager
from traitlets.config import Config

# papermill's logger -> the start of the one message of it that is dropped
_INFERENCE_WARNINGS = {"papermill": "Passed unknown parameter: ",
                       "papermill.translators": "Unable to parse line "}


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


class ReportKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager without the interrupt it sends before a shutdown request
    (module doc); every other interrupt is sent as before."""

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # set by shutdown_kernel before its interrupt, reset by a start
            return
        await super()._async_interrupt_kernel()


@contextmanager
def execution_options() -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``papermill.execute_notebook`` (a kernel on IPC sockets in a new
    private temporary folder, removed when the block ends, run by :class:`ReportKernelManager`),
    with papermill's two parameter
    inference warnings dropped while the block runs."""
    filters = [(logging.getLogger(name), _DropMessage(prefix)) for name, prefix in _INFERENCE_WARNINGS.items()]
    for logger, drop in filters:
        logger.addFilter(drop)
    try:
        with tempfile.TemporaryDirectory(prefix="wb-kernel-") as folder:
            yield {"config": Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/kernel"}}),
                   "kernel_manager_class": ReportKernelManager}
    finally:
        for logger, drop in filters:
            logger.removeFilter(drop)
