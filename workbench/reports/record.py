"""Named results recorded by a notebook for the report runner, e.g. an event's forecast total.

In a notebook::

    from workbench.reports.record import record, record_data_range
    record("forecast_total_units", float(total))      # shown in the index, compared run to run
    record_data_range(history.ds.min(), history.ds.max())  # shown in the report header

The runner passes the path of a JSON side file to the kernel in the environment variable
``WORKBENCH_RECORD_FILE``; each call rewrites that file atomically, so results recorded before a
failing cell are kept. Without the variable (plain JupyterLab) the values are only kept in
:func:`recorded` for the session and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from workbench.errors import ParameterError

RECORD_FILE_ENV = "WORKBENCH_RECORD_FILE"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")

_session: dict[str, Any] = {"results": {}, "data_range": None}


def _plain(value: Any, name: str) -> Any:
    """``value`` as a JSON scalar or list of scalars (numpy scalars via ``.item()``)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"record('{name}'): value {value!r} is not a finite number")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item, name) for item in value]
    raise ParameterError(
        f"record('{name}'): value of type {type(value).__name__} cannot be stored; record a "
        "number, string, bool, date or a list of those"
    )


def _timestamp(value: Any) -> str:
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _write(state: dict[str, Any]) -> None:
    target = os.environ.get(RECORD_FILE_ENV)
    if not target:
        return
    path = Path(target)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def record(name: str, value: Any) -> Any:
    """Record ``value`` under ``name`` for the report run; returns ``value`` unchanged."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ParameterError(
            f"record name {name!r} must start with a letter or '_' and use letters, digits, "
            "'_', '.', '-' (at most 64 characters)"
        )
    _session["results"][name] = _plain(value, name)
    _write(_session)
    return value


def record_data_range(start: Any, end: Any) -> None:
    """Record the time range of the data the report is based on (dates or timestamps)."""
    _session["data_range"] = {"start": _timestamp(start), "end": _timestamp(end)}
    _write(_session)


def recorded() -> dict[str, Any]:
    """What this kernel session has recorded so far (results and data range)."""
    return {"results": dict(_session["results"]), "data_range": _session["data_range"]}


def read_record_file(path: str | Path) -> dict[str, Any]:
    """The runner's view of a side file: ``{"results": {...}, "data_range": {...} | None}``."""
    path = Path(path)
    if not path.exists():
        return {"results": {}, "data_range": None}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"results": dict(data.get("results") or {}), "data_range": data.get("data_range")}
