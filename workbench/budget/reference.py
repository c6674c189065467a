"""A peer for the PuLP allocator: scipy's SLSQP on the smooth curves (budget mode).

Local and gradient-based, so it is only trustworthy for concave curves (``s <= 1``); it is used
to check the piecewise-linear model in the tests and to time it in ``benchmarks/budget_speed.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from workbench.budget.curves import hill, hill_marginal


def slsqp_allocate(vmax, k, s, lo, hi, budget: float, *, min_roi: float | None = None,
                   x0=None) -> tuple[np.ndarray, bool]:
    """GMV-maximizing spend per channel with total <= ``budget`` (and GMV >= ``min_roi`` x spend).

    Arrays are per channel, money in one unit. Returns the spend per channel and whether SLSQP
    converged. Method: sequential least squares programming (Kraft 1988, "A software package
    for sequential quadratic programming", DFVLR-FB 88-28) through :func:`scipy.optimize.minimize`.
    """
    vmax, k, s, lo, hi = (np.asarray(v, dtype=float) for v in (vmax, k, s, lo, hi))
    unit = max(float(hi.max()), 1.0)  # SLSQP's tolerances are absolute: work near 1
    floor = np.maximum(lo, 1e-9 * hi) / unit  # the marginal is infinite at 0 when s < 1
    top = hi / unit
    if x0 is None:
        x0 = floor + (top - floor) * min(1.0, max(0.0, (budget / unit - floor.sum()) / max((top - floor).sum(), 1e-12)))
    gmv = lambda x: hill(x * unit, vmax, k, s) / unit  # noqa: E731
    grad = lambda x: hill_marginal(x * unit, vmax, k, s)  # noqa: E731
    constraints = [{"type": "ineq", "fun": lambda x: budget / unit - x.sum(), "jac": lambda x: -np.ones_like(x)}]
    if min_roi is not None:
        constraints.append({"type": "ineq", "fun": lambda x: gmv(x).sum() - min_roi * x.sum(),
                            "jac": lambda x: grad(x) - min_roi})
    result = minimize(lambda x: -gmv(x).sum(), np.asarray(x0, dtype=float), jac=lambda x: -grad(x),
                      bounds=list(zip(floor, top)), constraints=constraints, method="SLSQP",
                      options={"ftol": 1e-12, "maxiter": 500})
    return result.x * unit, bool(result.success)
