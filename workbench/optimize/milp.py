"""A mixed-integer linear program in plain sparse-matrix form, and a builder for it.

Models are written as named blocks of variables and named blocks of rows into a
:class:`MilpBuilder`; the resulting :class:`Milp` is what :func:`workbench.optimize.solve_milp`
takes, and the block names let callers (and the read-back check's messages) find a variable or a
row by name. Building with numpy index arrays keeps model construction fast (no per-term Python
objects). :func:`to_pulp` writes the same model as a PuLP problem (the CBC route).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

INF = np.inf


@dataclass(frozen=True)
class Milp:
    """``min cost @ x + offset`` s.t. ``row_lower <= matrix @ x <= row_upper``,
    ``col_lower <= x <= col_upper`` and ``x[k]`` integer where ``integrality[k]``.

    ``blocks`` and ``row_blocks`` name contiguous ranges of columns and rows so that callers can
    read a solution back by name.
    """

    cost: np.ndarray
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray
    blocks: dict[str, slice] = field(default_factory=dict)
    row_blocks: dict[str, slice] = field(default_factory=dict)
    offset: float = 0.0

    @property
    def num_cols(self) -> int:
        return int(self.cost.size)

    @property
    def num_rows(self) -> int:
        return int(self.row_lower.size)

    def block(self, values: np.ndarray, name: str) -> np.ndarray:
        """The part of a solution vector ``values`` that belongs to variable block ``name``."""
        return values[self.blocks[name]]


class MilpBuilder:
    """Collects named blocks of variables and rows, then builds one :class:`Milp`."""

    def __init__(self) -> None:
        self._cost: list[np.ndarray] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self._blocks: dict[str, slice] = {}
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []
        self._row_blocks: dict[str, slice] = {}
        self.num_cols = 0
        self.num_rows = 0

    def add_vars(self, name, n, *, cost=0.0, lower=0.0, upper=INF, integer=False) -> np.ndarray:
        """Add ``n`` variables as block ``name``; returns their column indices."""
        if name in self._blocks:
            raise ValueError(f"variable block {name!r} added twice")
        self._cost.append(np.broadcast_to(np.asarray(cost, float), (n,)).copy())
        self._lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self._integer.append(np.broadcast_to(np.asarray(integer, bool), (n,)).copy())
        self._blocks[name] = slice(self.num_cols, self.num_cols + n)
        self.num_cols += n
        return np.arange(self._blocks[name].start, self._blocks[name].stop)

    def add_rows(self, name, n, rows, cols, vals, *, lower=-INF, upper=INF) -> np.ndarray:
        """Add ``n`` rows as block ``name`` from triplets (``rows`` are 0..n-1 within the block)."""
        if name in self._row_blocks:
            raise ValueError(f"row block {name!r} added twice")
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(vals, float), rows.shape)
        self._rows.append(rows + self.num_rows)
        self._cols.append(cols)
        self._vals.append(vals.copy())
        self._row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self._row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self._row_blocks[name] = slice(self.num_rows, self.num_rows + n)
        self.num_rows += n
        return np.arange(self._row_blocks[name].start, self._row_blocks[name].stop)

    def build(self, offset: float = 0.0) -> Milp:
        def cat(parts, dtype=float):
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        matrix = sp.csr_matrix(
            (cat(self._vals), (cat(self._rows, np.int64), cat(self._cols, np.int64))),
            shape=(self.num_rows, self.num_cols),
        )
        matrix.sum_duplicates()
        return Milp(
            cost=cat(self._cost),
            matrix=matrix,
            row_lower=cat(self._row_lower),
            row_upper=cat(self._row_upper),
            col_lower=cat(self._lower),
            col_upper=cat(self._upper),
            integrality=cat(self._integer, bool),
            blocks=dict(self._blocks),
            row_blocks=dict(self._row_blocks),
            offset=float(offset),
        )


def to_pulp(milp: Milp):
    """The same model as a ``pulp.LpProblem``; returns ``(problem, variables)`` with one PuLP
    variable per column, in column order, and the offset as the objective's constant."""
    import pulp

    prob = pulp.LpProblem("workbench", pulp.LpMinimize)
    variables = [
        prob.add_variable(
            f"x{k}",
            lowBound=None if np.isinf(lo) else float(lo),
            upBound=None if np.isinf(up) else float(up),
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for k, (lo, up, integer) in enumerate(
            zip(milp.col_lower, milp.col_upper, milp.integrality, strict=True)
        )
    ]
    nz = np.flatnonzero(milp.cost)
    prob += pulp.LpAffineExpression([(variables[k], float(milp.cost[k])) for k in nz],
                                    constant=float(milp.offset))
    csr = milp.matrix
    for r in range(milp.num_rows):
        sl = slice(csr.indptr[r], csr.indptr[r + 1])
        expr = pulp.LpAffineExpression(
            [(variables[c], float(v)) for c, v in zip(csr.indices[sl], csr.data[sl], strict=True)]
        )
        lo, up = milp.row_lower[r], milp.row_upper[r]
        if lo == up:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", float(lo))
            continue
        if np.isfinite(lo):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}", float(lo))
        if np.isfinite(up):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}u", float(up))
    return prob, variables
