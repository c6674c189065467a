"""Every shipped notebook states its parameters one way: a typed parameters cell whose numbers
carry their ranges (checked before any kernel starts), and one ``notebook_params`` call that
builds the typed object (checked again inside the kernel). No kernel runs here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.errors import ParameterError
from workbench.reports.params import (
    PARAMETERS_TAG, Ge, Gt, Le, Lt, ParamType, parse_cli_parameters, parse_parameters_source,
    read_notebook_parameters,
)

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def unbounded_number(ptype: ParamType) -> bool:
    """An int or float (also inside ``X | None`` or a list) without a range."""
    if ptype.kind == "union":
        return any(unbounded_number(arg) for arg in ptype.args)
    if ptype.kind == "list":
        return bool(ptype.args) and unbounded_number(ptype.args[0])
    return ptype.kind in ("int", "float") and not ptype.constraints


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_typed_and_bounded(notebook):
    declared = read_notebook_parameters(notebook)  # every hint supported, every default in range
    assert declared
    assert [name for name, p in declared.items() if p.type.kind == "any"] == [], "untyped parameters"
    assert [name for name, p in declared.items() if unbounded_number(p.type)] == [], \
        "numbers need a range: Annotated[float, Gt(0)], Ge/Le/Lt (workbench.reports.params)"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_one_call_builds_the_typed_parameters(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    index = next(i for i, c in enumerate(cells) if PARAMETERS_TAG in c["metadata"].get("tags", []))
    code = [("".join(c["source"])) for c in cells[index + 1:] if c["cell_type"] == "code"]
    assert "notebook_params(" in code[0], "the cell after the parameters builds them with notebook_params"
    assert sum(text.count("notebook_params(") for text in code) == 1


def _out_of_range(ptype: ParamType) -> str | None:
    """A command-line value outside ``ptype``'s range (of a number, a union member or a list's
    items), or None when it has no numeric range."""
    if ptype.kind == "union":
        return next((text for arg in ptype.args if (text := _out_of_range(arg)) is not None), None)
    if ptype.kind == "list" and ptype.args:
        item = _out_of_range(ptype.args[0])
        return None if item is None else f"[{item}, {item}, {item}]"
    for constraint in ptype.constraints:
        if isinstance(constraint, (Ge, Gt)):
            return repr(constraint.bound - 1)
        if isinstance(constraint, (Le, Lt)):
            return repr(constraint.bound + 1)
    return None


RANGED = [
    pytest.param(notebook, name, id=f"{notebook.stem}-{name}")
    for notebook in NOTEBOOKS
    for name, p in read_notebook_parameters(notebook).items()
    if _out_of_range(p.type) is not None
]


@pytest.mark.parametrize(("notebook", "name"), RANGED)
def test_every_range_is_refused_before_the_kernel(notebook, name):
    """The pre-kernel check (``-p NAME VALUE``) refuses a value out of every declared range."""
    declared = read_notebook_parameters(notebook)
    text = _out_of_range(declared[name].type)
    with pytest.raises(ParameterError, match=rf"parameter '{name}' .*expected"):
        parse_cli_parameters([(name, text)], declared, str(notebook))


def test_a_float_out_of_range_is_refused_from_the_command_line():
    declared = parse_parameters_source(
        "from typing import Annotated\nlevel: Annotated[float, Ge(0.5), Lt(1)] = 0.95\n", "cell")
    with pytest.raises(ParameterError, match=r"expected float >= 0.5, < 1, got 1.5"):
        parse_cli_parameters([("level", "1.5")], declared, "cell")
    assert parse_cli_parameters([("level", "0.9")], declared, "cell") == {"level": 0.9}
