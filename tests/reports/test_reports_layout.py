"""Output names: parameter tags are injective and stable; unwritable outputs are refused early."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from report_helpers import fixture_notebook, snapshot
from workbench.errors import ConfigError, ParameterError
from workbench.reports import runner
from workbench.reports.layout import HASH_CHARS, LEDGER_FILE, MAX_SLUG, Slot, param_tag

VALUES = [
    "华东", "华南", "华北", "", " ", "-", "+", "-1", "1", "+1", 1, -1, 1.0, -1.5, 0.0, True, False, None,
    "../../etc/passwd", "a/b", "a\\b", "x" * 300, "x" * 301, "a_b", "a-b", "a b", "A", "a",
    ["North", "East"], ["East", "North"], ["North,East"], [], {"douyin": 1.0}, {"douyin": 1.0, "kuaishou": 2.0},
    "2026-06-18", "618", "new_year_sale", "新年 年货节", "émigré", "🙂",
]


def test_param_tags_are_injective_over_awkward_values():
    sets = [{"region": value} for value in VALUES] + [{"region": "华东", "year": 2025}, {"region": "华东", "year": 2026}]
    tags = [param_tag(overrides) for overrides in sets]
    assert len(set(tags)) == len(tags), "two different parameter sets share a tag"
    assert param_tag({"region": "华东"}) != param_tag({"region": "华南"})  # the reported collision


@pytest.mark.parametrize("overrides", [{"region": v} for v in VALUES] + [{"a": 1, "b": "x" * 500}])
def test_param_tags_are_file_safe_short_and_readable(overrides):
    tag = param_tag(overrides)
    assert tag and len(tag) <= MAX_SLUG + 1 + HASH_CHARS
    assert all(c.isascii() and (c.isalnum() or c in "._+-") for c in tag), tag
    assert not tag.startswith((".", "-")) and ".." not in tag.split("-")[0] + "x"
    assert tag.startswith("region-") or tag.startswith("a-")


def test_param_tags_are_stable_whatever_the_order():
    a = param_tag({"event": "618", "year": 2026, "weights": {"douyin": 1.0, "kuaishou": 2.0}})
    b = param_tag({"weights": {"kuaishou": 2.0, "douyin": 1.0}, "year": 2026, "event": "618"})
    assert a == b and a.startswith("event-618_")
    assert param_tag({}) == ""
    for x, y in itertools.combinations([{"n": 1}, {"n": 1.0}, {"n": "1"}, {"n": True}], 2):
        assert param_tag(x) != param_tag(y)


# --- outputs that cannot be written are refused before any kernel starts ----------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda r: (r.parent.mkdir(parents=True, exist_ok=True), r.write_text("not a folder")), "is a file"),
        (lambda r: (r.mkdir(parents=True), (r / "records_results").write_text("x")), "is a file"),
        (lambda r: ((r / "records_results").mkdir(parents=True), (r / "records_results" / "2026-06-18").write_text("x")), "is a file"),
        (lambda r: (r.mkdir(parents=True), (r / ".work").write_text("x")), "is a file"),
        (lambda r: (r.mkdir(parents=True), (r / ".locks").write_text("x")), "is a file"),
        (lambda r: (r / "index.html").mkdir(parents=True), "is a folder"),
        (lambda r: (r / "records_results" / "2026-06-18" / "records_results.html").mkdir(parents=True), "is a folder"),
        (lambda r: (r / "records_results" / "2026-06-18" / "failed").parent.mkdir(parents=True)
         or (r / "records_results" / "2026-06-18" / "failed").write_text("x"), "is a file"),
    ],
)
def test_an_output_path_of_the_wrong_kind_is_refused_before_any_kernel(tmp_path, make, message):
    reports = tmp_path / "out" / "reports"
    make(reports)
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match=message) as err:
        runner.prepare(fixture_notebook("records_results"), reports_dir=reports, logical_date=dt.date(2026, 6, 18))
    assert err.value.exit_code == 2 and "cannot write report 'records_results'" in str(err.value)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database, it is garbage" * 100, "is not a workbench run ledger"),
        (b"", r"is empty \(0 bytes\): its run history was lost"),
        (None, "is a folder"),
    ],
)
def test_a_bad_ledger_is_refused_with_what_to_do(existing_reports, content, message):
    ledger = existing_reports / LEDGER_FILE
    ledger.unlink()
    if content is None:
        ledger.mkdir()
    else:
        ledger.write_bytes(content)
    before = snapshot(existing_reports)
    with pytest.raises(ConfigError, match=message) as err:
        runner.prepare(fixture_notebook("records_results"), reports_dir=existing_reports)
    assert "Restore the ledger from a backup, or move it away" in str(err.value)
    assert snapshot(existing_reports) == before


@pytest.mark.parametrize("seconds", [0, -5, 86401, float("inf"), float("nan")])
def test_cell_timeout_outside_its_range_is_refused(tmp_path, seconds):
    with pytest.raises(ParameterError, match=r"from 1 to 86400 \(24 h\)"):
        runner.prepare(fixture_notebook("records_results"), reports_dir=tmp_path, cell_timeout_s=seconds)


def test_slot_paths_use_the_tag(tmp_path):
    slot = Slot(tmp_path, "r", dt.date(2026, 6, 18), param_tag({"region": "华东"}))
    assert slot.html.name.startswith("r__region-x-") and slot.html.suffix == ".html"
