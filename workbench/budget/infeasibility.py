"""The answer when no plan meets the rules: why, what binds, and the best achievable."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.data.io import json_ready


@dataclass
class Infeasibility:
    """Why no plan meets the rules, and the best that can be had instead (money in the
    channels' currency unit).

    ``kind``: ``bounds`` (channel minimums exceed the budget or a channel's own maximum),
    ``gmv_target`` (unreachable even at every channel's maximum), ``channel_roi`` (a channel's
    ROI floor cannot hold at its minimum spend) or ``roi`` (no spend keeps total ROI at target).
    ``best_roi`` / ``best_roi_spend`` / ``best_roi_gmv`` / ``best_plan`` describe the plan with
    the highest total ROI under the other rules (kind ``roi``); ``max_gmv`` the GMV at every
    channel's maximum (kind ``gmv_target``).

    ``binding`` (kind ``roi``): the rules that hold the best achievable ROI below the target,
    in :attr:`Allocation.binding`'s terms (``min_spend[c]``, ``max_spend[c]``,
    ``min_marginal_roi[c]``, ``min_roi[c]``, ``budget``, ``gmv_target``): relaxing any one of
    them alone raises the best achievable ROI. ``min_scale``: when channel minimums bind, the
    largest factor (0..1) on those minimums at which the ROI target can be met (``0.0``: not even
    without them). ``advice``: what to change, in words (the scenario layer words it in the
    scenario's own keys, e.g. ``min_vs_last``).
    """

    kind: str
    reason: str
    channels: list[str] = field(default_factory=list)
    best_roi: float | None = None
    best_roi_spend: float | None = None
    best_roi_gmv: float | None = None
    best_plan: dict[str, float] | None = None
    max_gmv: float | None = None
    binding: list[str] = field(default_factory=list)
    min_scale: float | None = None
    advice: str = ""

    @property
    def text(self) -> str:
        """The reason followed by the advice, one line."""
        return f"{self.reason}; {self.advice}" if self.advice else self.reason

    def to_dict(self) -> dict:
        return json_ready(dict(self.__dict__))
