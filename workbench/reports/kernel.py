"""How report notebooks are executed: quiet, private kernels.

Two start-up messages are noise for a report run and are removed at their source:

- Jupyter kernels started with the default TCP transport and no CurveZMQ keys log "Kernel is
  running over TCP without encryption" at every start. A report kernel only talks to the
  process that started it, on the same machine, which Unix domain sockets (ZeroMQ ``ipc``) do
  without opening a port; the socket files live in a folder only this user can read and are
  removed with it.
- papermill warns "Passed unknown parameter" for every parameter whose hint its regular
  expression cannot read (``Literal[...]``, ``X | None``, ``Annotated[...]``). The runner has
  already refused every name the parameters cell does not declare
  (:func:`workbench.reports.params.validate_parameters`), so exactly that warning is dropped.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from traitlets.config import Config

_UNKNOWN_PARAMETER = "Passed unknown parameter: "


class _DeclaredParametersOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_UNKNOWN_PARAMETER)


@contextmanager
def execution_options() -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``papermill.execute_notebook`` (a kernel on IPC sockets in a new
    private temporary folder, removed when the block ends), with papermill's unknown-parameter
    warning dropped while the block runs."""
    papermill_log = logging.getLogger("papermill")
    only_declared = _DeclaredParametersOnly()
    papermill_log.addFilter(only_declared)
    try:
        with tempfile.TemporaryDirectory(prefix="wb-kernel-") as folder:
            yield {"config": Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/kernel"}})}
    finally:
        papermill_log.removeFilter(only_declared)
