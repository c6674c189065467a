"""The answer when no plan meets the rules: why, which channels, and the best achievable."""

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
    """

    kind: str
    reason: str
    channels: list[str] = field(default_factory=list)
    best_roi: float | None = None
    best_roi_spend: float | None = None
    best_roi_gmv: float | None = None
    best_plan: dict[str, float] | None = None
    max_gmv: float | None = None

    def to_dict(self) -> dict:
        return json_ready(dict(self.__dict__))
