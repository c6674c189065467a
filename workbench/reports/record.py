"""Named results recorded by a notebook for the report runner, e.g. an event's forecast total.

In a notebook::

    from workbench.reports.record import record, record_answer_status, record_data_range
    record("forecast_total_units", float(total))      # shown in the index, compared run to run
    record("uplift_share", 0.43, kind="share")          # shown as 43.0 %
    record("uplift_pct", 43.0)                          # a *_pct name holds percent: shown as 43.0 %
    record_data_range(history.ds.min(), history.ds.max())  # shown in the report header
    record_answer_status(outcome.status, outcome.message)  # an optimizer's answer, beside the run status

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

# An optimizer's answer, best first; the index shows a run's least good answer.
ANSWER_STATUSES = ("optimal", "feasible", "time_limit", "infeasible", "error")
MAX_ANSWER_DETAIL = 500  # characters kept of an answer's detail

# How a recorded number is shown: a share (0.43 -> 43.0 %), a percent (43.0 -> 43.0 %; a name's
# word pct), money (CNY, whole), units (whole).
KINDS = ("number", "share", "percent", "money", "units")
_HOURS = re.compile(r"^\d+h$")

_session: dict[str, Any] = {"results": {}, "data_range": None, "answers": [], "kinds": {}}


def default_kind(name: str, value: Any) -> str:
    """The kind of a result recorded without one, from its name's words (``_``-separated):
    ``percent``: a word ``pct`` (its value in percent, 43.0: the convention of every ``_pct``
    column); ``share``: a word ``share``, ``rate``, ``coverage``, ``within`` or an hours window
    like ``48h`` (``kpi_ship_48h_p90``, ``optimized_within_24h``); ``money``: a word ``cny``,
    ``gmv``, ``cost``, ``spend``; ``units``: a word ``units``; else ``number``. Only numbers
    have a kind other than ``number``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "number"
    words = name.lower().replace(".", "_").replace("-", "_").split("_")
    if "pct" in words:
        return "percent"
    if any(w in ("share", "rate", "coverage", "within") or _HOURS.match(w) for w in words):
        return "share"
    if any(w in ("cny", "gmv", "cost", "spend") for w in words):
        return "money"
    return "units" if "units" in words else "number"


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


def record(name: str, value: Any, kind: str | None = None) -> Any:
    """Record ``value`` under ``name`` for the report run; returns ``value`` unchanged.

    ``kind`` says how the index and the terminal show it: ``"share"`` (a fraction, 0.43 shown as
    43.0 %), ``"percent"`` (a value in percent, 43.0 shown as 43.0 %), ``"money"`` (CNY, whole),
    ``"units"`` (whole) or ``"number"``; None: from the name (:func:`default_kind`). Raises ``ParameterError`` for a bad name, value or kind.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ParameterError(
            f"record name {name!r} must start with a letter or '_' and use letters, digits, "
            "'_', '.', '-' (at most 64 characters)"
        )
    plain = _plain(value, name)
    if kind is None:
        kind = default_kind(name, plain)
    elif kind not in KINDS:
        raise ParameterError(f"record('{name}'): kind {kind!r} is not one of {', '.join(KINDS)}")
    _session["results"][name] = plain
    _session["kinds"][name] = kind
    _write(_session)
    return value


def record_data_range(start: Any, end: Any) -> None:
    """Record the time range of the data the report is based on (dates or timestamps)."""
    _session["data_range"] = {"start": _timestamp(start), "end": _timestamp(end)}
    _write(_session)


def record_answer_status(status: str, detail: str = "") -> None:
    """Record the status of an optimizer answer the report shows, for the index page.

    Call it once per answer (e.g. with a ``workbench.optimize`` ``SolveOutcome``'s ``status``
    and ``message``). The index shows, beside the run status, the least good answer of the run
    (order: ``error``, ``infeasible``, ``time_limit``, ``feasible``, ``optimal``) with its
    detail, so an infeasible plan is never read as a plain "success".

    Parameters
    ----------
    status : one of ``ANSWER_STATUSES``: "optimal", "feasible", "time_limit", "infeasible",
        "error".
    detail : a short text for people, e.g. what binds; at most ``MAX_ANSWER_DETAIL``
        characters are kept (longer text is cut with "...").

    Raises
    ------
    ParameterError
        ``status`` is not one of ``ANSWER_STATUSES`` or ``detail`` is not text.
    """
    if status not in ANSWER_STATUSES:
        raise ParameterError(
            f"record_answer_status: status {status!r} is not one of {', '.join(ANSWER_STATUSES)}"
        )
    if not isinstance(detail, str):
        raise ParameterError(f"record_answer_status: detail must be text, not {type(detail).__name__}")
    if len(detail) > MAX_ANSWER_DETAIL:
        detail = detail[: MAX_ANSWER_DETAIL - 3] + "..."
    _session["answers"].append({"status": status, "detail": detail})
    _write(_session)


def worst_answer(answers: list[dict[str, str]]) -> dict[str, str] | None:
    """The least good of ``answers`` (``{"status", "detail"}`` dicts), the first on ties; None if empty."""
    if not answers:
        return None
    return max(answers, key=lambda a: ANSWER_STATUSES.index(a["status"]))


def recorded() -> dict[str, Any]:
    """What this kernel session has recorded so far (results, data range, answer statuses)."""
    return {
        "results": dict(_session["results"]),
        "data_range": _session["data_range"],
        "answers": list(_session["answers"]),
        "kinds": dict(_session["kinds"]),
    }


def read_record_file(path: str | Path) -> dict[str, Any]:
    """The runner's view of a side file: ``{"results", "data_range", "answers", "kinds"}``."""
    path = Path(path)
    if not path.exists():
        return {"results": {}, "data_range": None, "answers": [], "kinds": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "results": dict(data.get("results") or {}),
        "data_range": data.get("data_range"),
        "answers": list(data.get("answers") or []),
        "kinds": dict(data.get("kinds") or {}),
    }
