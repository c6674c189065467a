"""Reading a notebook's parameters cell and checking values, without any kernel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from workbench.errors import ConfigError, ParameterError
from workbench.reports import params as P
from workbench.reports.layout import Slot, check_report_name

from report_helpers import fixture_notebook

CELL = '''
from typing import Literal
event: Literal["618", "new_year_sale"] = "618"  # campaign
year: int = 2025  # campaign year
time_limit: float = 60  # seconds per solve
regions: list[str] = ["North", "East"]  # regions planned
weights: dict[str, float] = {"douyin": 1.0}  # channel weights
cap: float | None = None  # optional cap, units
category: str | None = "beauty"  # None: every category
verbose: bool = False
note = "plain"  # no hint: type of the default
anything = None  # no hint, None default: any value
'''


@pytest.fixture
def declared():
    return P.parse_parameters_source(CELL, "test.ipynb")


def test_reads_types_defaults_and_comments(declared):
    assert list(declared) == ["event", "year", "time_limit", "regions", "weights", "cap", "category", "verbose",
                              "note", "anything"]
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
        ("note", "null", "null"),  # ... also 'null' where None is not allowed
        ("category", "null", None),  # str | None: null is None, as for every hint admitting None
        ("category", "None", None),
        ("category", "零食", "零食"),
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
        ("year: Decimal = '.'", "not supported"),
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


# --- ranges, and the typed object built inside the kernel -------------------------------------

RANGED_CELL = '''
from typing import Annotated, Literal, Optional
from workbench.reports.params import Ge, Gt, Le, Lt, MinLen
event: Literal["618", "new_year_sale", "double11"] = "618"  # campaign
roi_target: Annotated[float, Gt(0)] | None = 5.0  # GMV / spend; None: the scenario's
year: Annotated[int, Ge(2000), Le(2099)] = 2026
quantiles: Annotated[list[Annotated[float, Gt(0), Lt(1)]], MinLen(2)] = [0.1, 0.5, 0.9]
regions: list[str] = ["North"]
cap: Optional[Annotated[float, Ge(0)]] = None
'''


@pytest.fixture
def ranged():
    return P.parse_parameters_source(RANGED_CELL, "plan.ipynb")


def test_ranges_are_part_of_the_type(ranged):
    assert ranged["roi_target"].type.label == "float > 0 | None"
    assert ranged["year"].type.label == "int >= 2000, <= 2099"
    assert ranged["quantiles"].type.label == "list[float > 0, < 1] with at least 2 items"
    assert ranged["quantiles"].default == [0.1, 0.5, 0.9]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [("roi_target", "-5", "parameter 'roi_target' of nb (from -p): expected float > 0 | None, got -5"),
     ("roi_target", "0", "expected float > 0 | None, got 0"),
     ("roi_target", ".nan", "expected float > 0 | None"),
     ("event", "christmas", "expected one of '618', 'new_year_sale', 'double11', got 'christmas'"),
     ("year", "1999", "expected int >= 2000, <= 2099, got 1999"),
     ("quantiles", "[0.5]", "expected list[float > 0, < 1] with at least 2 items, got [0.5]"),
     ("quantiles", "[0.1, 1.5]", "1.5"),
     ("cap", "-1", "expected float >= 0 | None")],
)
def test_out_of_range_values_are_refused_before_any_kernel(ranged, name, text, expected):
    with pytest.raises(ParameterError, match=expected.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace("|", r"\|")):
        P.parse_cli_parameters([(name, text)], ranged, "nb")


def test_in_range_values_pass(ranged):
    pairs = [("roi_target", "null"), ("year", "2000"), ("quantiles", "[0.05, 0.95]"), ("cap", "0")]
    assert P.parse_cli_parameters(pairs, ranged, "nb") == {
        "roi_target": None, "year": 2000, "quantiles": [0.05, 0.95], "cap": 0.0}
    assert P.validate_parameters({"roi_target": 4}, ranged, "nb") == {"roi_target": 4.0}


def test_a_default_out_of_its_own_range_is_refused():
    with pytest.raises(ParameterError, match="line 3: default of 'n': expected int > 0, got 0"):
        P.parse_parameters_source("from typing import Annotated\nfrom workbench.reports.params import Gt\n"
                                  "n: Annotated[int, Gt(0)] = 0\n", "nb.ipynb")


@pytest.mark.parametrize("hint", ["Annotated[float, Between(0, 1)]", "Annotated[float, Gt(x)]",
                                  "Annotated[float, 'positive']"])
def test_unknown_constraints_are_refused(hint):
    with pytest.raises(ParameterError, match="is not a constraint; use Gt"):
        P.parse_parameters_source(f"x: {hint} = 0.5\n", "nb.ipynb")


def test_evaluated_hints_give_the_same_types_as_the_source():
    namespace: dict = {}
    exec(compile(RANGED_CELL, "cell", "exec", dont_inherit=True), namespace)  # as the kernel runs it
    from_source = P.parse_parameters_source(RANGED_CELL, "plan.ipynb")
    for name, hint in namespace["__annotations__"].items():
        assert not isinstance(hint, str)
        assert P.type_from_hint(hint, name) == from_source[name].type, name


@dataclasses.dataclass(frozen=True)
class PlanParams:
    event: str
    roi_target: float | None
    year: int
    quantiles: tuple[float, ...]
    regions: tuple[str, ...]
    verbose: bool = False  # not in the cell: keeps its default

    def __post_init__(self):
        if "Atlantis" in self.regions:
            raise ParameterError("regions: 'Atlantis' is not a region")


def kernel_namespace(**changes) -> dict:
    namespace: dict = {}
    exec(compile(RANGED_CELL, "cell", "exec", dont_inherit=True), namespace)
    namespace.update(changes)  # as papermill's injected cell or an edited cell would
    return namespace


def test_notebook_params_builds_the_typed_frozen_object():
    p = P.notebook_params(PlanParams, kernel_namespace(roi_target=4))
    assert p == PlanParams("618", 4.0, 2026, (0.1, 0.5, 0.9), ("North",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.year = 2027


def test_notebook_params_makes_the_workbenchs_warnings_plain_notes(capsys):
    """Trial 6: a notebook page showed a warning's source line ('with _notes_named(...)') each time."""
    import warnings

    from workbench.data.validate import GapsFilledWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        P.notebook_params(PlanParams, kernel_namespace())
        warnings.warn(GapsFilledWarning("3 missing days filled with 0 in series 'beauty'"))
        P.notebook_params(PlanParams, kernel_namespace())  # a second call adds no second handler
        warnings.warn(GapsFilledWarning("again"))
    assert capsys.readouterr().err == "note: 3 missing days filled with 0 in series 'beauty'\nnote: again\n"


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"roi_target": -5.0}, "parameter 'roi_target': expected float > 0 | None, got -5.0"),
     ({"event": "christmas"}, "parameter 'event': expected one of"),
     ({"quantiles": [0.9]}, "parameter 'quantiles': expected list"),
     ({"regions": ["Atlantis"]}, "regions: 'Atlantis' is not a region")],
)
def test_notebook_params_refuses_what_the_cell_forbids(changes, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        P.notebook_params(PlanParams, kernel_namespace(**changes))


def test_notebook_params_names_a_field_the_cell_lacks():
    namespace = kernel_namespace()
    del namespace["regions"]
    with pytest.raises(ParameterError, match="does not define 'regions', which PlanParams needs"):
        P.notebook_params(PlanParams, namespace)


def test_params_table_has_a_header_and_fits_100_columns():
    from workbench.reports.params import describe_parameters

    declared = P.parse_parameters_source(
        "from typing import Literal\n"
        "model: Literal['auto', 'ets', 'event_naive', 'event_profile', 'prophet', 'recent_level', "
        "'seasonal_naive', 'croston'] = 'auto'  # " + "the forecasting model of every series " * 6 + "\n"
        "lead: int = 90  # days of lead\n", "cell")
    lines = describe_parameters(declared).splitlines()
    assert lines[0].split() == ["name", "type", "=", "default"] and lines[1].split() == ["help"]
    assert max(map(len, lines)) <= 100
    assert lines[3].startswith("model ") and any(line.startswith("lead ") for line in lines)
    assert " ".join(line.strip() for line in lines).count("the forecasting model of every series") == 6


def _notebook_with(tmp_path, source: str):
    import json

    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": source,
            "outputs": [], "execution_count": None}
    path = tmp_path / "nb" / "files.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


FILES_CELL = (
    "from pathlib import Path\nfrom typing import Literal\n"
    "data: Path | Literal['sample'] = 'sample'  # sample or a file\n"
    "sites: Path | None = None\n"
    "scenarios: list[Path] = ['../a.yaml']\n"
    "label: str = 'x.csv'  # a plain text, never resolved\n"
)


def test_file_parameters_are_resolved_against_the_callers_folder(tmp_path, monkeypatch):
    from workbench.reports import runner

    notebook = _notebook_with(tmp_path, FILES_CELL)
    user = tmp_path / "user"
    (user / "in").mkdir(parents=True)
    for name in ("销量.csv", "in/sites.csv", "s1.yaml"):
        (user / name).write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(user)
    request = runner.prepare(notebook, reports_dir=tmp_path / "reports", cli_pairs=[
        ("data", "销量.csv"), ("sites", "in/sites.csv"), ("scenarios", '["s1.yaml"]'), ("label", "y.csv")])
    assert request.parameters == {"data": str(user / "销量.csv"), "sites": str(user / "in" / "sites.csv"),
                                  "scenarios": [str(user / "s1.yaml")], "label": "y.csv"}
    # the other member of the hint is not a path; a file parameter's default stays as written
    sample = runner.prepare(notebook, reports_dir=tmp_path / "reports", cli_pairs=[("data", "sample")])
    assert sample.parameters == {"data": "sample"}
    # -f values are relative to the parameters file's folder
    (user / "in" / "p.yaml").write_text("sites: sites.csv\n", encoding="utf-8")
    from_file = runner.prepare(notebook, reports_dir=tmp_path / "reports", parameters_file="in/p.yaml")
    assert from_file.parameters == {"sites": str(user / "in" / "sites.csv")}


def test_an_output_path_is_resolved_against_the_callers_folder_and_need_not_exist(tmp_path, monkeypatch):
    from workbench.reports import runner

    cell = ("from workbench.reports.params import OutputPath\n"
            "export_dir: OutputPath | None = None  # written by the notebook\n")
    notebook = _notebook_with(tmp_path, cell)
    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.chdir(user)
    request = runner.prepare(notebook, reports_dir=tmp_path / "reports", cli_pairs=[("export_dir", "nb_out")])
    assert request.parameters == {"export_dir": str(user / "nb_out")}  # not the notebook's folder
    assert not (user / "nb_out").exists()
    # inside the kernel the evaluated hint reads the same
    namespace: dict = {}
    exec(cell, namespace)
    assert P.type_from_hint(namespace["__annotations__"]["export_dir"], "cell").label == "an output path | None"


@pytest.mark.parametrize(("pair", "message"), [
    (("data", "nosuch.csv"), "parameter 'data' (from -p): file 'nosuch.csv' not found (looked for "),
    (("scenarios", '["s1.yaml", "gone.yaml"]'), "file 'gone.yaml' not found"),
])
def test_a_missing_file_parameter_is_refused_before_any_kernel(tmp_path, monkeypatch, pair, message):
    notebook = _notebook_with(tmp_path, FILES_CELL)
    (tmp_path / "s1.yaml").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    declared = P.read_notebook_parameters(notebook)
    values = P.parse_cli_parameters([pair], declared, "nb")
    with pytest.raises(ParameterError, match=re.escape(message)) as err:
        P.resolve_paths(values, declared, tmp_path, "-p")
    assert err.value.exit_code == 2 and str(tmp_path) in str(err.value)
