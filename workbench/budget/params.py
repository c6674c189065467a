"""The budget notebook's parameters as one typed, frozen object.

The notebook's parameters cell states each parameter's type and range (``Annotated`` hints);
the report runner checks ``-p`` values against them before any kernel starts, and
:func:`budget_notebook_params` checks the same hints inside the kernel
(:func:`workbench.reports.params.notebook_params`) and adds the checks a hint cannot say: the
scenario files exist and the budget range is two increasing amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import ParameterError
from workbench.reports.params import notebook_params


@dataclass(frozen=True)
class BudgetNotebookParams:
    """Parameters of ``notebooks/budget_scenarios.ipynb``.

    ``scenario_files``: scenario YAML paths relative to ``notebooks/`` (the first is shown in
    detail); ``roi_target``: the frontier's ROI target (GMV / spend; ``None``: the first
    scenario's ``min_roi``); ``budget_range``: ``[low, high]`` frontier budgets in CNY;
    ``budget_points``: number of frontier levels; ``bootstrap``: refits per fitted curve.
    Raises :class:`ParameterError` naming the parameter at fault.
    """

    scenario_files: tuple[str, ...]
    roi_target: float | None
    budget_range: tuple[float, ...]
    budget_points: int
    bootstrap: int

    def __post_init__(self):
        for f in self.scenario_files:
            if not Path(f).is_file():
                raise ParameterError(f"scenario_files: {f!r} is not a file (paths are relative to notebooks/)")
        if len(self.budget_range) != 2 or not self.budget_range[0] < self.budget_range[1]:
            raise ParameterError(f"budget_range: give [low, high] in CNY with 0 <= low < high, "
                                 f"got {list(self.budget_range)!r}")

    @property
    def scenario_paths(self) -> tuple[Path, ...]:
        return tuple(Path(f) for f in self.scenario_files)

    @property
    def budgets(self) -> np.ndarray:
        """The frontier's budget levels (CNY), evenly spaced over ``budget_range``."""
        return np.linspace(float(self.budget_range[0]), float(self.budget_range[1]), self.budget_points)


def budget_notebook_params(namespace: Mapping[str, Any]) -> BudgetNotebookParams:
    """The notebook's parameters from its ``globals()``, checked against the parameters cell's
    hints and the rules above; raises :class:`ParameterError` naming the parameter."""
    return notebook_params(BudgetNotebookParams, namespace)
