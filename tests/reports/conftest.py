"""Fixtures for the report tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from report_helpers import fixture_notebook
from workbench.reports import runner


@pytest.fixture(scope="module")
def good_reports(tmp_path_factory) -> Path:
    """A reports folder holding one successful run of ``records_results`` (built once a module)."""
    reports_dir = tmp_path_factory.mktemp("good") / "reports"
    request = runner.prepare(fixture_notebook("records_results"), reports_dir=reports_dir)
    runner.execute(request)
    return reports_dir


@pytest.fixture
def existing_reports(good_reports, tmp_path) -> Path:
    """A private copy of ``good_reports`` that a test may try (and fail) to change."""
    target = tmp_path / "reports"
    shutil.copytree(good_reports, target)
    return target
