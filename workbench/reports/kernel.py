"""How report notebooks are executed: quiet, private kernels.

Two start-up messages are noise for a report run and are removed at their source:

- Jupyter kernels started with the default TCP transport and no CurveZMQ keys log "Kernel is
  running over TCP without encryption" at every start. A report kernel only talks to the
  process that started it, on the same machine, which Unix domain sockets (ZeroMQ ``ipc``) do
  without opening a port; the socket files live in a folder only this user can read and are
  removed with it.
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


@contextmanager
def execution_options() -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``papermill.execute_notebook`` (a kernel on IPC sockets in a new
    private temporary folder, removed when the block ends), with papermill's two parameter
    inference warnings dropped while the block runs."""
    filters = [(logging.getLogger(name), _DropMessage(prefix)) for name, prefix in _INFERENCE_WARNINGS.items()]
    for logger, drop in filters:
        logger.addFilter(drop)
    try:
        with tempfile.TemporaryDirectory(prefix="wb-kernel-") as folder:
            yield {"config": Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/kernel"}})}
    finally:
        for logger, drop in filters:
            logger.removeFilter(drop)
