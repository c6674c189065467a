"""The efficient frontier: best GMV and its ROI against the total budget, with the ROI target.

Each point is the GMV-maximizing allocation of one budget without an ROI rule; ROI falls as the
budget grows (diminishing returns). Budgets below the channel minimums cannot be spent; beyond
the channel caps the curve is flat. The target point is the largest spend whose best allocation
still has ROI >= ``min_roi`` (the ``max_spend`` mode), solved exactly rather than read off the
grid; when every channel reaches its cap first, the caps, not the ROI target, set it
(:mod:`workbench.budget.explain` words this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from workbench.budget.allocate import DEFAULT_TOLERANCE, Allocation, allocate, budget_sweep, channel_caps
from workbench.budget.channels import ChannelSpec, as_specs
from workbench.budget.explain import frontier_levels_text, frontier_target_text, shown
from workbench.data.io import json_ready
from workbench.errors import ParameterError
from workbench.optimize import DEFAULT_SOLVER, SOLVED


@dataclass
class Frontier:
    """``points``: one row per budget (see :func:`~workbench.budget.allocate.budget_sweep`);
    ``target``: the max-spend allocation at ``min_roi`` (status ``infeasible`` with the reason
    when no spend reaches it); ``min_total``: the channel minimums' sum (no smaller budget can
    be spent); ``cap_total``: the channel caps' sum (no larger budget can be spent; the curve
    is flat beyond it). Money in the channels' unit.
    """

    points: pd.DataFrame
    min_roi: float | None
    target: Allocation | None
    min_total: float = 0.0
    cap_total: float = float("inf")

    def describe(self) -> str:
        """The frontier's levels (which are left out and why), its ends and the ROI-target point."""
        ok = self.points[self.points["status"].isin(SOLVED)]
        lines = [frontier_levels_text(self)]
        if len(ok):
            first, last = ok.iloc[0], ok.iloc[-1]
            lines.append(f"budget {first['budget']:,.0f}: GMV {first['gmv']:,.0f}, ROI {first['roi']:.3f}")
            lines.append(f"budget {last['budget']:,.0f}: GMV {last['gmv']:,.0f}, ROI {last['roi']:.3f}")
        if self.target is not None:
            lines.append(frontier_target_text(self))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        cols = ["budget", "status", "spend", "gmv", "roi", "next_yuan_gmv"]
        points = self.points[[c for c in cols if c in self.points.columns]]
        return json_ready({
            "min_roi": self.min_roi,
            "min_total": self.min_total,
            "cap_total": self.cap_total,
            "levels": frontier_levels_text(self),
            "target_text": frontier_target_text(self) if self.target is not None else None,
            "points": points.to_dict("records"),
            "target": self.target.to_dict() if self.target is not None else None,
        })


def default_budgets(channels: pd.DataFrame | Sequence[ChannelSpec], n: int = 50, start: float | None = None,
                    stop: float | None = None) -> np.ndarray:
    """``n`` evenly spaced budgets (money) from ``start`` (default: the channel minimums, or a
    50th of the maxima if larger) to ``stop`` (default: the sum of the maxima).

    Raises :class:`ParameterError` when ``n < 2`` or the range is empty.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ParameterError(f"a frontier needs at least 2 budget levels, got {shown(n)}")
    specs = as_specs(channels)
    top = float(sum(c.max_spend for c in specs))
    low = max(float(sum(c.min_spend for c in specs)), top / 50.0)
    start, stop = (low if start is None else start), (top if stop is None else stop)
    if not (0 <= start < stop):
        raise ParameterError(f"budget range must satisfy 0 <= start < stop, got {start:g} .. {stop:g}")
    return np.linspace(start, stop, n)


def efficient_frontier(channels: pd.DataFrame | Sequence[ChannelSpec], budgets=None, *, min_roi: float | None = None,
                       solver: str = DEFAULT_SOLVER, tolerance: float = DEFAULT_TOLERANCE,
                       time_limit: float = 60.0) -> Frontier:
    """GMV and ROI against total budget, and the ROI-target point.

    ``channels``: a channel table or :class:`ChannelSpec` sequence; ``budgets``: money levels
    (default :func:`default_budgets`); ``min_roi``: GMV / spend target (``None``: no target
    point); ``tolerance`` and ``time_limit`` as in :func:`~workbench.budget.allocate.allocate`.
    Returns a :class:`Frontier`; raises :class:`ParameterError` for invalid arguments.
    """
    channels = as_specs(channels)
    if budgets is None:
        budgets = default_budgets(channels)
    if min_roi is not None and not (np.isfinite(min_roi) and min_roi >= 0):
        raise ParameterError(f"min_roi must be a number >= 0, got {shown(min_roi)}")
    points = budget_sweep(channels, budgets, solver=solver, tolerance=tolerance, time_limit=time_limit)
    target = None
    if min_roi is not None:
        target = allocate(channels, mode="max_spend", min_roi=min_roi, solver=solver,
                          tolerance=tolerance, time_limit=time_limit)
    return Frontier(points, min_roi, target, float(sum(c.min_spend for c in channels)),
                    float(channel_caps(channels)[0].sum()))
