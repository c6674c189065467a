"""Every shipped notebook states its parameters one way: a typed parameters cell whose numbers
carry their ranges (checked before any kernel starts), and one ``notebook_params`` call that
builds the typed object (checked again inside the kernel). No kernel runs here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.reports.params import PARAMETERS_TAG, ParamType, read_notebook_parameters

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
