"""Defaults and allowed ranges of the report settings, in one light module.

The command line reads them to build its help without importing papermill or nbconvert; the
runner, the manifest reader and retention check values against them.
"""

from __future__ import annotations

CELL_TIMEOUT_S = 1800.0  # default per-cell limit, seconds
CELL_TIMEOUT_RANGE = (1.0, 86400.0)  # allowed per-cell limits, seconds (1 s to 24 h)
MAX_RETENTION_DAYS = 36500  # about 100 years: the longest retention accepted
MAX_HISTORY = 100000  # runs listed at most by `report history`
DEFAULT_TIMEZONE = "Asia/Shanghai"  # report time zone when the manifest names none
