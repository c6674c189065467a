"""Checking the budget notebook's parameters before any work starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.errors import ParameterError


@dataclass(frozen=True)
class BudgetNotebookParams:
    """Validated parameters: scenario files (the first is shown in detail), the frontier's ROI
    target (``None``: the first scenario's) and budget levels (yuan), bootstrap refits."""

    scenario_files: tuple[Path, ...]
    roi_target: float | None
    budgets: np.ndarray
    bootstrap: int


def check_budget_notebook_params(*, scenario_files, roi_target, budget_range, budget_points,
                                 bootstrap) -> BudgetNotebookParams:
    """Validate the parameters of ``notebooks/budget_scenarios.ipynb``; raise
    :class:`ParameterError` naming the parameter at fault."""
    if isinstance(scenario_files, (str, Path)):
        scenario_files = [scenario_files]
    if not isinstance(scenario_files, (list, tuple)) or not scenario_files:
        raise ParameterError("scenario_files: give a list of one or more scenario YAML files")
    files = []
    for f in scenario_files:
        path = Path(f)
        if not path.is_file():
            raise ParameterError(f"scenario_files: {f!r} is not a file (paths are relative to notebooks/)")
        files.append(path)
    if roi_target is not None and (isinstance(roi_target, bool) or not isinstance(roi_target, (int, float))
                                   or not np.isfinite(roi_target) or roi_target <= 0):
        raise ParameterError(f"roi_target: must be a number > 0 (GMV / spend) or None, got {roi_target!r}")
    if (not isinstance(budget_range, (list, tuple)) or len(budget_range) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in budget_range)
            or not 0 <= budget_range[0] < budget_range[1]):
        raise ParameterError(f"budget_range: give [low, high] in CNY with 0 <= low < high, got {budget_range!r}")
    if isinstance(budget_points, bool) or not isinstance(budget_points, int) or budget_points < 2:
        raise ParameterError(f"budget_points: must be a whole number >= 2, got {budget_points!r}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ParameterError(f"bootstrap: must be a whole number >= 0, got {bootstrap!r}")
    budgets = np.linspace(float(budget_range[0]), float(budget_range[1]), budget_points)
    return BudgetNotebookParams(tuple(files), None if roi_target is None else float(roi_target), budgets, bootstrap)
