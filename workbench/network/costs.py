"""The network's one cost model, used by the objective and by the reported costs alike.

Per unit on every candidate arc (CNY per unit), split into the parts a report shows:

* central -> city (``x``): transport ``transport_cj`` (road km x ``delivery_cost_per_unit_km``
  or the lane's ``cost_per_unit``) + ``central_handling_cost``;
* front -> city (``w``): transport ``transport_rj`` + ``front_handling_cost``;
* central -> front (``u``, replenishment): line-haul ``transport_cr`` (road km x
  ``linehaul_cost_per_unit_km``) + ``central_handling_cost`` (the units leave a central).

Plus the fixed cost (CNY per period) of every open site. :func:`cost_parts` adds up a plan's
cost from exactly these numbers, so a reported total equals the solver's objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.network.params import NetworkParams
from workbench.network.tables import NetworkData


@dataclass(frozen=True)
class ArcCosts:
    """CNY per unit on each arc of the candidate pairs, by part (arrays aligned with the
    pairs: ``x`` central-city, ``w`` front-city, ``u`` central-front)."""

    x_transport: np.ndarray
    x_handling: np.ndarray
    w_transport: np.ndarray
    w_handling: np.ndarray
    u_transport: np.ndarray
    u_handling: np.ndarray

    @property
    def x_total(self) -> np.ndarray:
        return self.x_transport + self.x_handling

    @property
    def w_total(self) -> np.ndarray:
        return self.w_transport + self.w_handling

    @property
    def u_total(self) -> np.ndarray:
        return self.u_transport + self.u_handling


def arc_costs(data: NetworkData, params: NetworkParams, x_c, x_j, w_r, w_j, u_c, u_r) -> ArcCosts:
    """Unit costs (CNY per unit) of the arcs given by index arrays (see module docstring)."""
    return ArcCosts(
        x_transport=data.transport_cj[x_c, x_j],
        x_handling=np.full(np.size(x_c), params.central_handling_cost),
        w_transport=data.transport_rj[w_r, w_j],
        w_handling=np.full(np.size(w_r), params.front_handling_cost),
        u_transport=data.transport_cr[u_c, u_r],
        u_handling=np.full(np.size(u_c), params.central_handling_cost),
    )


def cost_parts(data: NetworkData, arcs: ArcCosts, central_open, front_open, x_units, w_units,
               u_units) -> dict:
    """A plan's cost in CNY per period: ``fixed_central``, ``fixed_front``, ``delivery``
    (warehouse -> city transport), ``linehaul`` (central -> front), ``handling`` and ``total``.

    ``central_open``/``front_open`` are booleans per site; ``*_units`` the units on each arc of
    ``arcs`` (same order)."""
    parts = {
        "fixed_central": float(data.central_fixed[central_open].sum()),
        "fixed_front": float(data.front_fixed[front_open].sum()),
        "delivery": float(x_units @ arcs.x_transport + w_units @ arcs.w_transport),
        "linehaul": float(u_units @ arcs.u_transport),
        "handling": float(x_units @ arcs.x_handling + w_units @ arcs.w_handling
                          + u_units @ arcs.u_handling),
    }
    parts["total"] = float(sum(parts.values()))
    return parts
