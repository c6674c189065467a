"""Reader for Beasley's OR-Library capacitated warehouse location files (cap41..cap134, capa/b/c).

Format (capinfo): ``m n``; then ``m`` times ``capacity fixed_cost``; then for each of the ``n``
customers ``demand`` followed by ``m`` costs, where cost ``c_ij`` is the cost of allocating ALL of
customer ``j``'s demand to warehouse ``i`` (not a per-unit cost). Files are parsed as a stream of
whitespace tokens because copies differ in line wrapping. In capa/capb/capc every capacity is the
literal word ``capacity``; the instance is defined by the capacity substituted for it (Beasley
1988, Table 1), so :func:`read_cap` then needs ``capacity=``.

This module only reads files; the data are not shipped with the workbench.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError


@dataclass(frozen=True)
class CapInstance:
    """One capacitated facility-location instance: ``cost[i, j]`` is for customer j's whole demand."""

    name: str
    capacity: np.ndarray  # units, per site
    fixed_cost: np.ndarray  # per site
    demand: np.ndarray  # units, per customer
    cost: np.ndarray  # (sites, customers), cost of serving the whole demand of j from i

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The instance as the ``network solve`` tables (sites, customers, costs).

        The unit cost is ``c_ij / d_j`` so that shipping all of ``d_j`` costs ``c_ij``.
        """
        m, n = self.cost.shape
        sites = pd.DataFrame({"site": [f"s{i + 1}" for i in range(m)],
                              "fixed_cost": self.fixed_cost, "capacity": self.capacity})
        customers = pd.DataFrame({"customer": [f"c{j + 1}" for j in range(n)], "demand": self.demand})
        costs = pd.DataFrame({
            "site": np.repeat(sites["site"].to_numpy(), n),
            "customer": np.tile(customers["customer"].to_numpy(), m),
            "unit_cost": (self.cost / self.demand[None, :]).ravel(),
        })
        return sites, customers, costs


def read_cap(path: str | Path, capacity: float | None = None) -> CapInstance:
    """Read an OR-Library ``cap*`` file; ``capacity`` replaces the word ``capacity`` (capa/b/c)."""
    path = Path(path)
    tokens = path.read_text().split()
    try:
        m, n = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError) as exc:
        raise DataValidationError(f"{path}: first two tokens must be 'm n'") from exc
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise DataValidationError(
            f"{path}: {len(tokens)} tokens, expected {expected} for m={m} sites and n={n} customers"
        )
    site_tokens = tokens[2: 2 + 2 * m]
    raw_capacity = site_tokens[0::2]
    if any(t == "capacity" for t in raw_capacity):
        if capacity is None:
            raise DataValidationError(
                f"{path}: capacities are the word 'capacity'; pass capacity= (e.g. 8000 for capa)"
            )
        caps = np.full(m, float(capacity))
    else:
        caps = np.array(raw_capacity, float)
        if capacity is not None:
            caps = np.full(m, float(capacity))
    fixed = np.array(site_tokens[1::2], float)
    body = np.array(tokens[2 + 2 * m:], float).reshape(n, 1 + m)
    return CapInstance(name=path.stem, capacity=caps, fixed_cost=fixed,
                       demand=body[:, 0].copy(), cost=body[:, 1:].T.copy())


_OPT_LINE = re.compile(r"^(?P<name>cap\w+)?\s+(?P<value>\d+\.\d+)(?:\s*\(capacity\s+(?P<cap>\d+)\))?")


def read_cap_optima(path: str | Path) -> pd.DataFrame:
    """Parse ``capopt.txt`` into columns ``instance, capacity, optimum``.

    ``capacity`` is NaN for instances whose capacities are in the file; capa/b/c rows carry the
    substituted capacity (continuation lines without a name belong to the instance above).
    """
    rows, current = [], None
    for line in Path(path).read_text().splitlines():
        match = _OPT_LINE.match(line)
        if not match:
            continue
        current = match["name"] or current
        if current is None:
            raise DataValidationError(f"{path}: value {match['value']} before any instance name")
        rows.append({"instance": current,
                     "capacity": float(match["cap"]) if match["cap"] else np.nan,
                     "optimum": float(match["value"])})
    return pd.DataFrame(rows)
