"""Shared test fixtures: the repository root, the optional ../shared evaluation material, and
papermill execution of the project's notebooks with the project's own kernel."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository (WORKBENCH_SHARED overrides, as in benchmarks/, e.g. for a git worktree)
SHARED = Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared`` beside the repository (or ``$WORKBENCH_SHARED``); tests that need it skip cleanly without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared (evaluation data and benchmark instances) is not present")
    return SHARED


@pytest.fixture
def run_notebook(tmp_path):
    """Execute ``notebooks/<name>`` under papermill with the ``workbench`` kernel; returns the
    executed notebook (nbformat node)."""
    import nbformat
    import papermill

    from workbench.reports.kernel import execution_options

    def run(name: str, parameters: dict | None = None):
        out = tmp_path / name
        with execution_options() as options:
            papermill.execute_notebook(str(REPO / "notebooks" / name), str(out), parameters=parameters or {},
                                       kernel_name="workbench", cwd=str(REPO / "notebooks"), progress_bar=False,
                                       **options)
        return nbformat.read(out, as_version=4)

    return run
