"""Piecewise-linear lower approximations of response curves with a proven error bound.

Where a curve is concave the approximation interpolates it (chords lie under the curve); where
it is convex (below the inflection point of an S-shaped curve) it follows tangent lines (which
also lie under it). The approximation is therefore never above the curve, so a plan that meets
an ROI or GMV constraint on the approximation meets it on the true curve too, and the true
optimum is at most the error bound above the approximate one.

Refinement is by bisection until every piece is within the tolerance:

* chord pieces: the gap between curve and chord is concave, largest where the curve's slope
  equals the chord's; that point is bracketed by bisection on the marginal and the bracket's
  effect added back, so the bound is an upper bound, not an estimate;
* tangent pieces: between two tangent points the gap is largest where the tangents cross, which
  is computed in closed form.

All curves of a problem are refined together (one vectorized pass per refinement level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.budget.curves import HillCurve, hill, hill_inflection, hill_marginal
from workbench.budget.explain import shown
from workbench.errors import ParameterError

_BISECTION_STEPS = 30
_START_POINTS = 9


@dataclass(frozen=True)
class PiecewiseLinear:
    """A continuous piecewise-linear function through breakpoints ``x`` (spend) and ``y`` (GMV),
    never above the curve it approximates and at most ``error`` (GMV units) below it."""

    x: np.ndarray
    y: np.ndarray
    error: float

    @property
    def n_segments(self) -> int:
        return len(self.x) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.x)

    @property
    def rises(self) -> np.ndarray:
        return np.diff(self.y)

    @property
    def slopes(self) -> np.ndarray:
        return self.rises / self.lengths

    @property
    def convex_prefix(self) -> int:
        """Number of leading segments that must be filled in order (0 when slopes never rise).

        After this prefix the slopes do not increase, so a linear program fills the remaining
        segments in order by itself; only the prefix needs binary ordering variables.
        """
        rising = np.flatnonzero(np.diff(self.slopes) > 0)
        return int(rising[-1] + 1) if len(rising) else 0

    def __call__(self, spend):
        return np.interp(spend, self.x, self.y)


def _chord_gaps(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Upper bound on curve minus chord over each concave segment [a, b]; ``p`` rows vmax, k, s."""
    vmax, k, s = p[:, 0], p[:, 1], p[:, 2]
    fa, fb = hill(a, vmax, k, s), hill(b, vmax, k, s)
    slope = (fb - fa) / (b - a)
    lo, hi = a.copy(), b.copy()
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        right = hill_marginal(mid, vmax, k, s) > slope
        lo = np.where(right, mid, lo)
        hi = np.where(right, hi, mid)
    x = 0.5 * (lo + hi)
    gap = hill(x, vmax, k, s) - (fa + slope * (x - a))
    with np.errstate(invalid="ignore"):
        slack = np.abs(hill_marginal(x, vmax, k, s) - slope) * (hi - lo)
    return gap + np.where(np.isfinite(slack), slack, 0.0)


def _tangent_cross(p: np.ndarray, a: np.ndarray, b: np.ndarray):
    """Where the tangents at a and b cross (spend), the envelope's value there, and its gap to
    the curve, for convex stretches [a, b]."""
    vmax, k, s = p[:, 0], p[:, 1], p[:, 2]
    fa, fb = hill(a, vmax, k, s), hill(b, vmax, k, s)
    ma, mb = hill_marginal(a, vmax, k, s), hill_marginal(b, vmax, k, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = (fb - mb * b - fa + ma * a) / (ma - mb)
    u = np.where(np.isfinite(u), np.clip(u, a, b), 0.5 * (a + b))
    value = fa + ma * (u - a)
    return u, value, hill(u, vmax, k, s) - value


def _refine(params, owner, a, b, tol, gap_fn, max_segments, curves):
    """Bisect pieces until each gap is within its curve's tolerance."""
    gaps = gap_fn(params[owner], a, b) if len(a) else np.zeros(0)
    while True:
        split = gaps > tol[owner]
        if not split.any():
            return owner, a, b, gaps
        mid = 0.5 * (a[split] + b[split])
        new_owner = np.concatenate([owner[split], owner[split]])
        new_a = np.concatenate([a[split], mid])
        new_b = np.concatenate([mid, b[split]])
        owner = np.concatenate([owner[~split], new_owner])
        a = np.concatenate([a[~split], new_a])
        b = np.concatenate([b[~split], new_b])
        gaps = np.concatenate([gaps[~split], gap_fn(params[new_owner], new_a, new_b)])
        counts = np.bincount(owner, minlength=len(curves))
        if counts.max() > max_segments:
            i = int(counts.argmax())
            raise ParameterError(
                f"approximating {curves[i]} within {tol[i]:g} needs more than {max_segments} "
                f"segments; use a looser tolerance")


def _start_pieces(lo, hi):
    owner, a, b = [], [], []
    for i in range(len(lo)):
        if hi[i] > lo[i]:
            points = np.linspace(lo[i], hi[i], _START_POINTS)
            owner.append(np.full(len(points) - 1, i))
            a.append(points[:-1])
            b.append(points[1:])
    if not owner:
        return np.zeros(0, dtype=int), np.zeros(0), np.zeros(0)
    return np.concatenate(owner), np.concatenate(a), np.concatenate(b)


def piecewise_linear_many(curves: list[HillCurve], lo, hi, tolerance, *,
                          max_segments: int = 5000) -> list[PiecewiseLinear]:
    """One lower approximation per curve on [lo[i], hi[i]] (spend) within ``tolerance[i]`` (GMV).

    Raises :class:`ParameterError` when a curve would need more than ``max_segments`` segments.
    """
    n = len(curves)
    lo, hi, tol = (np.array(np.broadcast_to(np.asarray(v, dtype=float), (n,))) for v in (lo, hi, tolerance))
    if np.any(~(tol > 0)):
        raise ParameterError(f"tolerance must be positive, got {shown(tol[~(tol > 0)][0])}")
    if np.any(hi < lo):
        i = int(np.flatnonzero(hi < lo)[0])
        raise ParameterError(f"spend range is empty for curve {i}: lo={lo[i]:g} > hi={hi[i]:g}")
    params = np.array([[c.vmax, c.k, c.s] for c in curves], dtype=float).reshape(n, 3)
    inflection = hill_inflection(params[:, 1], params[:, 2])
    split_at = np.clip(inflection, lo, hi)  # convex on [lo, split_at], concave on [split_at, hi]

    convex = _refine(params, *_start_pieces(lo, split_at), tol,
                     lambda p, a, b: _tangent_cross(p, a, b)[2], max_segments, curves)
    concave = _refine(params, *_start_pieces(split_at, hi), tol, _chord_gaps, max_segments, curves)

    out = []
    for i, curve in enumerate(curves):
        xs, ys, errors = [np.array([lo[i]])], [curve.gmv(np.array([lo[i]]))], [0.0]
        owner, a, b, gaps = convex
        mine = owner == i
        if mine.any():
            order = np.argsort(a[mine])
            ca, cb = a[mine][order], b[mine][order]
            u, value, _ = _tangent_cross(params[np.full(len(ca), i)], ca, cb)
            xs += [u, cb[-1:]]
            ys += [value, curve.gmv(cb[-1:])]
            errors.append(gaps[mine].max())
        owner, a, b, gaps = concave
        mine = owner == i
        if mine.any():
            cb = np.sort(b[mine])
            xs.append(cb)
            ys.append(curve.gmv(cb))
            errors.append(gaps[mine].max())
        x, y = np.concatenate(xs), np.concatenate(ys)
        keep = np.concatenate([[True], np.diff(x) > 0])  # tangent crossings can meet a piece's end
        out.append(PiecewiseLinear(x[keep], y[keep], float(max(errors))))
    return out


def piecewise_linear(curve: HillCurve, lo: float, hi: float, tolerance: float,
                     *, max_segments: int = 5000) -> PiecewiseLinear:
    """Lower approximation on [lo, hi] (spend) within ``tolerance`` (GMV units) of the curve."""
    return piecewise_linear_many([curve], lo, hi, tolerance, max_segments=max_segments)[0]
