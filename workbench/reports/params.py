"""A notebook's parameters: read its ``parameters`` cell, then check and coerce values.

The cell tagged ``parameters`` holds literal defaults with type hints, one a line::

    event: str = "618"          # campaign: "618" or "new_year_sale"
    year: int = 2025            # campaign year
    time_limit: float = 60.0    # seconds per solve

The cell is parsed with :mod:`ast`, never executed, so unknown names and values of the wrong
type are rejected before any kernel starts (papermill itself only warns about unknown names).
Supported hints: ``int``, ``float``, ``str``, ``bool``, ``Path``, ``list[...]``,
``dict[..., ...]``, ``X | None`` / ``Optional[X]`` and ``Literal[...]``. A line without a hint
takes the type of its default (``None`` accepts anything).

``Path`` (:class:`pathlib.Path`) marks an input file; the notebook receives it as a string. The
kernel runs in the notebook's folder, so the report runner makes a file given with ``-p``
absolute against the current directory (``-f`` and manifest values: against that file's folder)
and refuses a missing file before any kernel starts. ``OutputPath`` (from this module) marks a
file or folder the notebook writes: resolved the same way, but it need not exist yet::

    data: Path | Literal["sample"] = "sample"       # "sample", or your file
    sites: Path | None = None
    export_dir: OutputPath | None = None            # written by the notebook

Ranges and lengths are part of the hint, with :class:`typing.Annotated` and the markers of this
module (the names of the ``annotated-types`` package that pydantic uses)::

    from typing import Annotated, Literal
    from workbench.reports.params import Ge, Gt, Le, Lt, MinLen

    event: Literal["618", "new_year_sale"] = "618"                  # one of these names
    roi_target: Annotated[float, Gt(0)] | None = 5.0                # None, or a number > 0
    year: Annotated[int, Ge(2000), Le(2099)] = 2026
    quantiles: Annotated[list[Annotated[float, Gt(0), Lt(1)]], MinLen(2)] = [0.1, 0.5, 0.9]

The same hints are checked twice from this one declaration: by the report runner before any
kernel starts (read from the cell's source), and inside the kernel by :func:`notebook_params`
(read from the evaluated annotations), which also builds the notebook's typed, frozen
parameters object.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import difflib
import io
import json
import math
import operator
import textwrap
import tokenize
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, ClassVar, TypeVar

import yaml

from workbench.errors import ConfigError, ParameterError

PARAMETERS_TAG = "parameters"


# --- constraints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    """A bound for ``Annotated[...]`` hints: the value compared with ``bound`` by ``compare``."""

    bound: float
    symbol: ClassVar[str]
    compare: ClassVar[Callable[[Any, Any], bool]]

    def holds(self, value: Any) -> bool:
        return type(self).compare(value, self.bound)

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.bound!r}"


class Gt(_Bound):
    """The value must be greater than ``bound``."""

    symbol, compare = ">", operator.gt


class Ge(_Bound):
    """The value must be greater than or equal to ``bound``."""

    symbol, compare = ">=", operator.ge


class Lt(_Bound):
    """The value must be less than ``bound``."""

    symbol, compare = "<", operator.lt


class Le(_Bound):
    """The value must be less than or equal to ``bound``."""

    symbol, compare = "<=", operator.le


@dataclass(frozen=True)
class MinLen:
    """A list or text must have at least ``length`` items (characters)."""

    length: int

    def holds(self, value: Any) -> bool:
        return len(value) >= self.length

    @property
    def label(self) -> str:
        return f"with at least {self.length} item{'s' if self.length != 1 else ''}"


CONSTRAINTS = {cls.__name__: cls for cls in (Gt, Ge, Lt, Le, MinLen)}

# A file or folder a notebook WRITES: like ``Path``, a relative value is resolved against the
# folder the user meant (not the kernel's, the notebook's folder), but it need not exist yet.
OutputPath = typing.NewType("OutputPath", str)


# --- types -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamType:
    """A parameter's expected type: ``kind`` is a scalar name, list, dict, union, literal or any;
    ``constraints`` are the bounds of an ``Annotated[...]`` hint (checked on non-None values)."""

    kind: str
    args: tuple = ()
    constraints: tuple = ()

    @property
    def label(self) -> str:
        """The type as written in a hint, for messages."""
        base = self._base_label
        if not self.constraints:
            return base
        return f"{base} {', '.join(c.label for c in self.constraints)}"

    @property
    def _base_label(self) -> str:
        if self.kind == "list":
            return f"list[{self.args[0].label}]" if self.args else "list"
        if self.kind == "dict":
            return f"dict[{self.args[0].label}, {self.args[1].label}]" if self.args else "dict"
        if self.kind == "union":
            return " | ".join(arg.label for arg in self.args)
        if self.kind == "literal":
            return "one of " + ", ".join(repr(choice) for choice in self.args)
        if self.kind == "outpath":
            return "an output path"
        return self.kind

    @property
    def accepts_text(self) -> bool:
        """Whether a command-line string is taken as is rather than parsed."""
        if self.kind == "union":
            return any(arg.accepts_text for arg in self.args)
        if self.kind == "literal":
            return all(isinstance(choice, str) for choice in self.args)
        return self.kind in ("str", "path", "outpath")

    @property
    def names_paths(self) -> bool:
        """Whether a value may be a file path (a ``Path`` or ``OutputPath`` hint, alone, in a
        union or a list)."""
        return self.kind in ("path", "outpath") or any(
            isinstance(arg, ParamType) and arg.names_paths for arg in self.args
        )


_SCALARS = {"int", "float", "str", "bool", "None", "any"}
ANY = ParamType("any")


def check_value(value: Any, ptype: ParamType) -> Any:
    """``value`` converted to ``ptype`` (int -> float, date -> ISO string) and checked against its
    constraints; ``TypeError`` saying what was expected otherwise."""
    checked = _check_type(value, ptype)
    if checked is None:
        return checked
    for constraint in ptype.constraints:
        try:
            holds = not (isinstance(checked, float) and math.isnan(checked)) and constraint.holds(checked)
        except TypeError:  # e.g. a bound on a text
            holds = False
        if not holds:
            raise TypeError(f"expected {ptype.label}, got {value!r}")
    return checked


def _check_type(value: Any, ptype: ParamType) -> Any:
    kind = ptype.kind
    if kind == "any":
        return value
    if kind == "None":
        if value is None:
            return None
    elif kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind in ("path", "outpath"):
        if isinstance(value, (str, PurePath)):
            return str(value)
    elif kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, dt.date):  # YAML reads 2025-06-18 as a date
            return value.isoformat()
    elif kind == "list":
        if isinstance(value, (list, tuple)):
            if not ptype.args:
                return list(value)
            try:
                return [check_value(item, ptype.args[0]) for item in value]
            except TypeError as exc:
                raise TypeError(f"expected {ptype.label}, got {value!r}: {exc}") from None
    elif kind == "dict":
        if isinstance(value, dict):
            if not ptype.args:
                return dict(value)
            key_type, value_type = ptype.args
            try:
                return {check_value(k, key_type): check_value(v, value_type) for k, v in value.items()}
            except TypeError as exc:
                raise TypeError(f"expected {ptype.label}, got {value!r}: {exc}") from None
    elif kind == "literal":
        if any(value == choice and type(value) is type(choice) for choice in ptype.args):
            return value
    elif kind == "union":
        for arg in ptype.args:
            try:
                return check_value(value, arg)
            except TypeError:
                continue
    raise TypeError(f"expected {ptype.label}, got {value!r} ({type(value).__name__})")


_NONE_TEXTS = ("null", "None", "~")


def parse_text(text: str, ptype: ParamType) -> Any:
    """A command-line string (``-p NAME VALUE``) parsed for ``ptype``, or ``TypeError``.

    Text is kept as typed for a text type, except ``null`` / ``None`` / ``~`` for a hint that
    admits None (``str | None``): that is None, as YAML reads it for every other type."""
    if ptype.accepts_text:
        admits_none = ptype.kind == "union" and any(arg.kind == "None" for arg in ptype.args)
        if admits_none and text.strip() in _NONE_TEXTS:
            return None
        return check_value(text, ptype)
    if ptype.kind == "float":
        try:
            number = float(text)
        except ValueError:
            raise TypeError(f"expected {ptype.label}, got {text!r}") from None
        return check_value(number, ptype)  # its range too
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise TypeError(f"expected {ptype.label}, got {text!r} (not a valid value)") from None
    return check_value(value, ptype)


def _type_from_annotation(node: ast.expr, where: str) -> ParamType:
    if isinstance(node, ast.Constant) and node.value is None:
        return ParamType("None")
    if isinstance(node, ast.Name):
        name = {"Any": "any", "List": "list", "Dict": "dict", "Path": "path", "OutputPath": "outpath"}.get(node.id, node.id)
        if name in _SCALARS | {"list", "dict", "path", "outpath"}:
            return ParamType(name)
    if isinstance(node, ast.Attribute) and node.attr in ("Any",):
        return ANY
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _type_from_annotation(node.left, where)
        right = _type_from_annotation(node.right, where)
        members = tuple(
            member
            for side in (left, right)
            for member in (side.args if side.kind == "union" and not side.constraints else (side,))
        )
        return ParamType("union", members)
    if isinstance(node, ast.Subscript):
        base = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Annotated" and len(inner) >= 2:
            ptype = _type_from_annotation(inner[0], where)
            constraints = tuple(_constraint_from_node(item, where) for item in inner[1:])
            return dataclasses.replace(ptype, constraints=ptype.constraints + constraints)
        if base == "Literal":
            try:
                return ParamType("literal", tuple(ast.literal_eval(item) for item in inner))
            except ValueError:
                pass
        elif base == "Optional" and len(inner) == 1:
            return ParamType("union", (_type_from_annotation(inner[0], where), ParamType("None")))
        elif base in ("list", "List") and len(inner) == 1:
            return ParamType("list", (_type_from_annotation(inner[0], where),))
        elif base in ("dict", "Dict") and len(inner) == 2:
            return ParamType("dict", tuple(_type_from_annotation(item, where) for item in inner))
    raise ParameterError(
        f"{where}: type hint {ast.unparse(node)!r} is not supported; use int, float, str, bool, "
        "Path, list[...], dict[..., ...], X | None, Literal[...] or Annotated[X, Gt(0), ...]"
    )


def _constraint_from_node(node: ast.expr, where: str):
    """``Gt(0)``, ``Le(2099)``, ``MinLen(2)``... of an ``Annotated[...]`` hint."""
    if isinstance(node, ast.Call) and not node.keywords and len(node.args) == 1:
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in CONSTRAINTS:
            try:
                return CONSTRAINTS[name](ast.literal_eval(node.args[0]))
            except ValueError:
                pass
    raise ParameterError(
        f"{where}: {ast.unparse(node)!r} in Annotated[...] is not a constraint; use "
        f"{', '.join(f'{name}(<number>)' for name in CONSTRAINTS)} from workbench.reports.params"
    )


def type_from_hint(hint: Any, where: str) -> ParamType:
    """The :class:`ParamType` of an evaluated type hint (as found in ``__annotations__``), the
    same one :func:`parse_parameters_source` reads from the hint's source text.

    Raises ``ParameterError`` naming ``where`` for a hint it does not support.
    """
    if isinstance(hint, str):  # postponed evaluation (``from __future__ import annotations``)
        try:
            return _type_from_annotation(ast.parse(hint, mode="eval").body, where)
        except SyntaxError:
            raise ParameterError(f"{where}: type hint {hint!r} is not valid Python") from None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is None or hint is type(None):
        return ParamType("None")
    if hint is Any:
        return ANY
    if hint is Path:
        return ParamType("path")
    if hint is OutputPath:
        return ParamType("outpath")
    if isinstance(hint, type) and hint.__name__ in _SCALARS | {"list", "dict"} and origin is None:
        return ParamType(hint.__name__)
    if origin is typing.Annotated:
        ptype = type_from_hint(args[0], where)
        constraints = tuple(hint.__metadata__)
        unknown = [c for c in constraints if type(c) not in CONSTRAINTS.values()]
        if unknown:
            raise ParameterError(f"{where}: {unknown[0]!r} in Annotated[...] is not a constraint; use "
                                 f"{', '.join(CONSTRAINTS)} from workbench.reports.params")
        return dataclasses.replace(ptype, constraints=ptype.constraints + constraints)
    if origin is typing.Literal:
        return ParamType("literal", args)
    if origin in (typing.Union, types.UnionType):
        members: tuple = ()
        for arg in args:
            member = type_from_hint(arg, where)
            members += member.args if member.kind == "union" and not member.constraints else (member,)
        return ParamType("union", members)
    if origin is list and len(args) == 1:
        return ParamType("list", (type_from_hint(args[0], where),))
    if origin is dict and len(args) == 2:
        return ParamType("dict", tuple(type_from_hint(arg, where) for arg in args))
    raise ParameterError(
        f"{where}: type hint {hint!r} is not supported; use int, float, str, bool, Path, list[...], "
        "dict[..., ...], X | None, Literal[...] or Annotated[X, Gt(0), ...]"
    )


def _type_of_default(value: Any) -> ParamType:
    if value is None:
        return ANY
    if isinstance(value, bool):
        return ParamType("bool")
    for kind in ("int", "float", "str", "list", "dict"):
        if type(value).__name__ == kind:
            return ParamType(kind)
    return ANY


# --- the parameters cell ---------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookParameter:
    """One line of a parameters cell: name, expected type, literal default and its comment."""

    name: str
    type: ParamType
    default: Any
    comment: str = ""


def _line_comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except tokenize.TokenError:
        pass
    return comments


def parse_parameters_source(source: str, where: str) -> dict[str, NotebookParameter]:
    """The parameters declared by a parameters cell's source, in order of appearance."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: the parameters cell is not valid Python: {exc}") from None
    comments = _line_comments(source)
    params: dict[str, NotebookParameter] = {}
    for stmt in tree.body:
        line = f"{where}, parameters cell line {stmt.lineno}"
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, value_node = stmt.target.id, stmt.value
            ptype = _type_from_annotation(stmt.annotation, line)
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            name, value_node, ptype = stmt.targets[0].id, stmt.value, None
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue  # e.g. ``from typing import Literal`` for a hint
        else:
            raise ParameterError(
                f"{line}: only 'name: type = literal' assignments belong in the parameters cell, "
                f"found {ast.unparse(stmt)!r}"
            )
        if value_node is None:
            raise ParameterError(f"{line}: parameter '{name}' needs a literal default value")
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            raise ParameterError(
                f"{line}: the default of '{name}' must be a literal (number, string, bool, None, "
                f"list or dict), not {ast.unparse(value_node)!r}; compute derived values in a "
                "later cell"
            ) from None
        if ptype is None:
            ptype = _type_of_default(default)
        else:
            try:
                default = check_value(default, ptype)
            except TypeError as exc:
                raise ParameterError(f"{line}: default of '{name}': {exc}") from None
        params[name] = NotebookParameter(name, ptype, default, comments.get(stmt.lineno, ""))
    return params


def read_notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters of ``notebook``, read from its cell tagged ``parameters`` (not executed);
    ``read_notebook`` gives its metadata from the same read. Raises as ``read_notebook`` does."""
    return read_notebook(notebook)[0]


def read_notebook(notebook: str | Path) -> tuple[dict[str, NotebookParameter], dict]:
    """The parameters of ``notebook``, read from its cell tagged ``parameters`` (not executed),
    and its metadata (``{}`` when it has none), from one read of the file.

    Raises ``ConfigError`` when the file is missing or not a notebook and ``ParameterError``
    when it has no parameters cell or the cell is not a list of literal defaults.
    """
    path = Path(notebook)
    if not path.is_file():
        raise ConfigError(f"notebook {path} not found; give the path of an .ipynb file (report run also takes the name of a report in reports.yaml)")
    # Plain json, not nbformat: the check before the kernel stays fast (no jsonschema import).
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise ValueError("'cells' is not a list")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a readable Jupyter notebook: {exc}") from None
    cells = [
        c for c in cells
        if isinstance(c, dict) and PARAMETERS_TAG in ((c.get("metadata") or {}).get("tags") or [])
    ]
    if not cells:
        raise ParameterError(
            f"{path} has no cell tagged 'parameters'; tag the cell of literal defaults "
            "(e.g. 'year: int = 2025') with 'parameters' so reports can be parameterized"
        )
    if len(cells) > 1 or cells[0].get("cell_type") != "code":
        raise ParameterError(f"{path} must have exactly one code cell tagged 'parameters'")
    source = cells[0].get("source", "")
    return (parse_parameters_source("".join(source) if isinstance(source, list) else source, str(path)),
            nb.get("metadata") or {})


# --- validation ------------------------------------------------------------------------------


def _unknown(name: str, declared: dict[str, NotebookParameter], where: str) -> ParameterError:
    known = ", ".join(f"{p.name} ({p.type.label})" for p in declared.values()) or "none"
    close = difflib.get_close_matches(name, list(declared), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return ParameterError(f"unknown parameter '{name}' for {where}; known parameters: {known}.{hint}")


def validate_parameters(
    values: dict[str, Any], declared: dict[str, NotebookParameter], where: str
) -> dict[str, Any]:
    """``values`` checked against ``declared`` and converted to the declared types.

    Raises ``ParameterError`` naming the first unknown parameter or wrong-typed value.
    """
    return _converted(values.items(), declared, where, check_value, "")


def parse_cli_parameters(
    pairs: list[tuple[str, str]], declared: dict[str, NotebookParameter], where: str
) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs parsed into the declared types (strings stay strings)."""
    return _converted(pairs, declared, where, parse_text, " (from -p)")


def _converted(pairs, declared: dict[str, NotebookParameter], where: str, convert, origin: str) -> dict[str, Any]:
    """``(name, value)`` pairs converted by ``convert(value, type)`` to their declared types; a
    ``TypeError`` of ``convert`` becomes a ``ParameterError`` naming the parameter (and ``origin``)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name not in declared:
            raise _unknown(name, declared, where)
        try:
            out[name] = convert(value, declared[name].type)
        except TypeError as exc:
            raise ParameterError(f"parameter '{name}' of {where}{origin}: {exc}") from None
    return out


def resolve_paths(
    values: dict[str, Any], declared: dict[str, NotebookParameter], base: str | Path, origin: str
) -> dict[str, Any]:
    """``values`` with every file parameter (a ``Path`` or ``OutputPath`` hint) made absolute
    against ``base`` (a ``Path`` must exist; an ``OutputPath`` is written by the notebook).

    The kernel runs in the notebook's folder, so a relative file name given on the command line
    (``origin`` says where it came from, e.g. "-p") is resolved here, against the folder the
    user meant: the current directory for ``-p``, the file's folder for ``-f`` and a manifest.
    A value that matches another member of the hint (``"sample"`` of
    ``Path | Literal["sample"]``, ``None``) is not a path. Raises ``ParameterError`` naming the
    parameter, the value and the absolute path looked for when the file does not exist.
    """
    base = Path(base)
    resolved = dict(values)
    for name, value in values.items():
        if name in declared and declared[name].type.names_paths:
            resolved[name] = _resolve(value, declared[name].type, base, f"parameter '{name}' (from {origin})")
    return resolved


def _resolve(value: Any, ptype: ParamType, base: Path, where: str) -> Any:
    if value is None:
        return None
    if ptype.kind == "outpath":
        path = Path(value).expanduser()
        return str((path if path.is_absolute() else base / path).absolute())
    if ptype.kind == "path":
        path = Path(value).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.exists():
            raise ParameterError(
                f"{where}: file {value!r} not found (looked for {path}); give a path relative to "
                f"{base} or an absolute one"
            )
        return str(path.absolute())
    if ptype.kind == "union":
        for arg in ptype.args:
            if not arg.names_paths:
                try:
                    check_value(value, arg)
                    return value
                except TypeError:
                    continue
        return next(_resolve(value, arg, base, where) for arg in ptype.args if arg.names_paths)
    if ptype.kind == "list" and isinstance(value, (list, tuple)):
        return [_resolve(item, ptype.args[0], base, where) for item in value]
    return value


def load_parameters_file(path: str | Path) -> dict[str, Any]:
    """A YAML mapping of parameter values (``-f PARAMS.yaml``), read by the project's one safe
    YAML reader; raises ``ConfigError`` naming the file (and line) when it is not such a mapping."""
    from workbench.data.io import read_yaml

    data = read_yaml(path, what="parameters file")
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigError(f"parameters file {path} must be a mapping of parameter name to value")
    return data


def describe_parameters(declared: dict[str, NotebookParameter], width: int = 100) -> str:
    """The parameters as a table that fits ``width`` columns: a header, then per parameter its
    name, type and default on one line (wrapped when long) and its help text wrapped below."""
    if not declared:
        return "(the parameters cell declares no parameters)"
    name_width = max(len("name"), *(len(name) for name in declared)) + 2
    rest = width - name_width
    lines = [f"{'name':<{name_width}}type = default", f"{'':<{name_width}}  help", "-" * width]
    for p in declared.values():
        spec = textwrap.wrap(f"{p.type.label} = {p.default!r}", rest, break_on_hyphens=False) or [""]
        lines.append(f"{p.name:<{name_width}}{spec[0]}")
        lines += [" " * name_width + part for part in spec[1:]]
        lines += [" " * (name_width + 2) + part for part in textwrap.wrap(p.comment, rest - 2)]
    return "\n".join(lines)


P = TypeVar("P")


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return types.MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def notebook_params(params_class: type[P], namespace: Mapping[str, Any]) -> P:
    """The notebook's parameters as one typed, frozen object, checked against the parameters
    cell's own hints: call it in the cell after the parameters cell as
    ``p = notebook_params(EventParams, globals())``.

    ``params_class`` is a frozen dataclass whose fields are the parameters cell's names (lists
    arrive as tuples, dicts as read-only mappings; a field with a default may be absent from the
    cell and keeps its default); its ``__post_init__`` holds the checks the hints cannot say (a
    file exists, a model is registered) and raises ``ParameterError``.
    ``namespace`` is the notebook's ``globals()``: each field's value is checked against the
    hint the parameters cell gave it (``__annotations__``), ranges included, so an edited cell
    in JupyterLab is refused as the report runner refuses a bad ``-p`` value.

    It also makes the workbench's warnings in the notebook read as ``note: ...`` lines
    (:func:`workbench.notes.show_notes_as_lines`), as on the command line.

    Raises ``ParameterError`` naming the parameter missing from the cell or at fault.
    """
    from workbench.notes import show_notes_as_lines

    show_notes_as_lines()
    if not dataclasses.is_dataclass(params_class):
        raise TypeError(f"{params_class!r} must be a frozen dataclass of the notebook's parameters")
    hints = namespace.get("__annotations__", {})
    values: dict[str, Any] = {}
    for field in dataclasses.fields(params_class):
        if field.name not in namespace:
            if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING:
                continue  # not a notebook parameter (e.g. a command-line option): the class default
            raise ParameterError(f"the parameters cell does not define '{field.name}', which "
                                 f"{params_class.__name__} needs; add it with its type and default")
        value = namespace[field.name]
        if field.name in hints:
            ptype = type_from_hint(hints[field.name], f"parameter '{field.name}'")
            try:
                value = check_value(value, ptype)
            except TypeError as exc:
                raise ParameterError(f"parameter '{field.name}': {exc}") from None
        values[field.name] = _frozen(value)
    return params_class(**values)


def non_default(values: dict[str, Any], declared: dict[str, NotebookParameter]) -> dict[str, Any]:
    """The entries of ``values`` that differ from the notebook's defaults, in declared order."""
    return {
        name: values[name]
        for name in declared
        if name in values and values[name] != declared[name].default
    }
