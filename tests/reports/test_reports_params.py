"""Reading a notebook's parameters cell and checking values, without any kernel."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.errors import ConfigError, ParameterError
from workbench.reports import params as P
from workbench.reports.layout import Slot, check_report_name, param_tag

from report_helpers import fixture_notebook

CELL = '''
from typing import Literal
event: Literal["618", "new_year_sale"] = "618"  # campaign
year: int = 2025  # campaign year
time_limit: float = 60  # seconds per solve
regions: list[str] = ["North", "East"]  # regions planned
weights: dict[str, float] = {"douyin": 1.0}  # channel weights
cap: float | None = None  # optional cap, units
verbose: bool = False
note = "plain"  # no hint: type of the default
anything = None  # no hint, None default: any value
'''


@pytest.fixture
def declared():
    return P.parse_parameters_source(CELL, "test.ipynb")


def test_reads_types_defaults_and_comments(declared):
    assert list(declared) == ["event", "year", "time_limit", "regions", "weights", "cap", "verbose", "note",
                              "anything"]
    assert declared["year"].type.label == "int" and declared["year"].comment == "campaign year"
    assert declared["time_limit"].default == 60.0 and isinstance(declared["time_limit"].default, float)
    assert declared["cap"].type.label == "float | None"
    assert declared["event"].type.label == "one of '618', 'new_year_sale'"
    assert declared["note"].type.label == "str"


def test_reads_the_fixture_notebook():
    declared = P.read_notebook_parameters(fixture_notebook("records_results"))
    assert {name: p.type.label for name, p in declared.items()} == {
        "scale": "float", "days": "int", "label": "str", "channels": "list[str]",
    }


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("year", "2026", 2026),
        ("time_limit", "7", 7.0),
        ("time_limit", "1e3", 1000.0),
        ("event", "new_year_sale", "new_year_sale"),
        ("regions", "[South, Central]", ["South", "Central"]),
        ("weights", "{douyin: 2, kuaishou: 0.5}", {"douyin": 2.0, "kuaishou": 0.5}),
        ("cap", "null", None),
        ("cap", "12.5", 12.5),
        ("verbose", "true", True),
        ("note", "2025", "2025"),  # a str parameter keeps the text as typed
        ("anything", "2025", 2025),  # an untyped one is read as YAML
        ("anything", "[a, 1]", ["a", 1]),
    ],
)
def test_coerces_command_line_strings(declared, name, text, expected):
    assert P.parse_cli_parameters([(name, text)], declared, "nb") == {name: expected}


@pytest.mark.parametrize(
    ("name", "text", "expected_type"),
    [
        ("year", "twenty", "int"),
        ("year", "2025.5", "int"),
        ("time_limit", "fast", "float"),
        ("event", "double11", "one of '618', 'new_year_sale'"),
        ("verbose", "maybe", "bool"),
        ("regions", "[1, 2]", "list[str]"),
    ],
)
def test_wrong_type_names_parameter_and_type(declared, name, text, expected_type):
    with pytest.raises(ParameterError) as err:
        P.parse_cli_parameters([(name, text)], declared, "nb")
    assert f"'{name}'" in str(err.value) and f"expected {expected_type}" in str(err.value)


def test_yaml_values_are_checked_not_parsed(declared):
    assert P.validate_parameters({"year": 2026, "time_limit": 5}, declared, "nb") == {"year": 2026, "time_limit": 5.0}
    assert P.validate_parameters({"note": dt.date(2025, 6, 18)}, declared, "nb") == {"note": "2025-06-18"}
    with pytest.raises(ParameterError, match="'year'.*expected int, got '2026'"):
        P.validate_parameters({"year": "2026"}, declared, "nb")
    with pytest.raises(ParameterError, match="'verbose'.*expected bool, got 1"):
        P.validate_parameters({"verbose": 1}, declared, "nb")


def test_unknown_parameter_lists_known_ones_and_suggests(declared):
    with pytest.raises(ParameterError) as err:
        P.parse_cli_parameters([("yeer", "2025")], declared, "nb")
    message = str(err.value)
    assert "unknown parameter 'yeer'" in message and "year (int)" in message and "Did you mean 'year'" in message


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("year: int = 2024 + 1", "must be a literal"),
        ("import os\nyear = os.getpid()", "must be a literal"),
        ("year: int = 'x'", "expected int"),
        ("year: Path = '.'", "not supported"),
        ("print('hi')", "only 'name: type = literal'"),
        ("year: int", "needs a literal default"),
        ("year: int = (", "not valid Python"),
    ],
)
def test_bad_parameters_cell(source, problem):
    with pytest.raises(ParameterError, match=problem):
        P.parse_parameters_source(source, "nb.ipynb")


def test_notebook_without_parameters_cell():
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        P.read_notebook_parameters(fixture_notebook("no_parameters_cell"))


def test_missing_notebook(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        P.read_notebook_parameters(tmp_path / "nope.ipynb")


def test_parameters_file(tmp_path):
    good = tmp_path / "p.yaml"
    good.write_text("year: 2026\nregions: [South]\n")
    assert P.load_parameters_file(good) == {"year": 2026, "regions": ["South"]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        P.load_parameters_file(bad)
    with pytest.raises(ConfigError, match="not found"):
        P.load_parameters_file(tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", ["../x", "..", "a/b", "/abs", "x/../../y", "", ".hidden", "a b"])
def test_report_names_cannot_escape(name, tmp_path):
    with pytest.raises(ConfigError, match="not allowed"):
        check_report_name(name)
    with pytest.raises(ConfigError):
        Slot(tmp_path, name, dt.date(2026, 6, 18)).inside_reports()


def test_param_tag_is_safe_short_and_deterministic():
    assert param_tag({}) == ""
    assert param_tag({"event": "618", "year": 2026}) == "event-618_year-2026"
    assert param_tag({"path": "../../etc/passwd"}) == "path-..-..-etc-passwd"  # no "/" left
    long = param_tag({"regions": ["region-%d" % i for i in range(40)]})
    assert len(long) <= 80 and long == param_tag({"regions": ["region-%d" % i for i in range(40)]})
    assert "/" not in param_tag({"a": "x/y"})
