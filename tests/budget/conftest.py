"""Fixtures shared by the budget tests."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def workdir(tmp_path, repo, monkeypatch):
    """A folder with the shipped history and base plan; file names in errors are relative to it."""
    shutil.copy(repo / "budgets" / "channel_history.csv", tmp_path)
    shutil.copy(repo / "budgets" / "plan_base.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path
