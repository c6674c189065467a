"""Cost, time and policy parameters of the two-tier network model."""

from __future__ import annotations

import math
from numbers import Real
from dataclasses import dataclass

from workbench.errors import ParameterError


def shown(value) -> str:
    """``value`` for a message: numpy scalars as plain Python numbers (never ``np.float64(...)``)."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        value = item()
    return repr(value)


def beside(value: float, limit: float, *, decimals: int = 0, most: int = 3) -> str:
    """``value`` as text for a message that compares it with ``limit`` (hours against a promise,
    a share against a target or against 0): rounded to ``decimals`` places, or to more (up to
    ``most``) where that rounding would read as equal to ``limit`` or on its other side, so
    72.3 h beyond a 72 h promise reads ``"72.3"``, not ``"72"``, and 0.04 % reads ``"0.04"``,
    not ``"0.0"``; beyond ``most`` places ``"> 72.000"`` (or ``"< ..."``).

    Args:
        value, limit: numbers in the same unit.
        decimals: the places normally shown; most: the most places shown.

    Returns:
        The number's text (no unit).
    """
    value, limit = float(value), float(limit)
    if value == limit:
        return f"{value:.{decimals}f}"
    for places in range(decimals, most + 1):
        text = f"{value:.{places}f}"
        if (float(text) > limit) == (value > limit) and float(text) != limit:
            return text
    return f"{'>' if value > limit else '<'} {limit:.{most}f}"


@dataclass(frozen=True)
class NetworkParams:
    """Parameters of :func:`workbench.network.design.optimize_network` (defaults are planning
    guesses; money in CNY, distances in km, times in hours, shares in [0, 1]).

    * ``max_centrals`` (K), ``exact_centrals``: open exactly K central warehouses (else at most K);
      ``max_fronts`` (F), ``exact_fronts``: at most F front warehouses (exactly F if set).
    * ``promise_hours``: delivery promise, order to door; ``promise_share``: share of units that
      must meet it (1 = every unit, enforced per city).
    * ``front_hours``: a front serves only cities within this many hours (hot items);
      ``hot_target_share``: minimum share of hot units delivered within ``front_hours``;
      ``hot_share``: default share of a city's units that are hot items.
    * ``single_source``: one central per city, one front per city, one central per front.
    * ``road_factor``: road km per great-circle km; ``delivery_cost_per_unit_km`` (warehouse ->
      city) and ``linehaul_cost_per_unit_km`` (central -> front, bulk), CNY per unit per road-km;
      ``central_handling_cost``/``front_handling_cost``: CNY per unit handled.
    * ``line_haul_speed_kmh`` (incl. hub dwell), ``last_mile_km``, ``last_mile_speed_kmh``,
      ``central_handling_hours``/``front_handling_hours`` (order to departure): the travel-time
      model of :func:`workbench.network.geo.delivery_hours`.
    """

    max_centrals: int = 3
    exact_centrals: bool = True
    max_fronts: int = 20
    exact_fronts: bool = False
    promise_hours: float = 72.0
    promise_share: float = 1.0
    front_hours: float = 24.0
    hot_target_share: float = 0.0
    hot_share: float = 0.35
    single_source: bool = False
    road_factor: float = 1.25
    delivery_cost_per_unit_km: float = 0.004
    linehaul_cost_per_unit_km: float = 0.0008
    central_handling_cost: float = 1.0
    front_handling_cost: float = 1.2
    line_haul_speed_kmh: float = 50.0
    last_mile_km: float = 25.0
    last_mile_speed_kmh: float = 20.0
    central_handling_hours: float = 12.0
    front_handling_hours: float = 4.0

    def validate(self) -> NetworkParams:
        """Raise :class:`ParameterError` naming the first bad field; returns ``self``."""
        for name in ("max_centrals", "max_fronts"):
            value = getattr(self, name)
            low = 1 if name == "max_centrals" else 0
            if isinstance(value, bool) or not isinstance(value, Real) \
                    or not math.isfinite(value) or int(value) != value or value < low:
                raise ParameterError(f"{name}={shown(value)} must be a whole number >= {low}")
        for name in ("exact_centrals", "exact_fronts", "single_source"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(f"{name}={shown(getattr(self, name))} must be true or false")
        numbers = ("promise_share", "hot_target_share", "hot_share", "promise_hours",
                   "front_hours", "road_factor", "line_haul_speed_kmh", "last_mile_speed_kmh",
                   "delivery_cost_per_unit_km", "linehaul_cost_per_unit_km",
                   "central_handling_cost", "front_handling_cost", "last_mile_km",
                   "central_handling_hours", "front_handling_hours")
        for name in numbers:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise ParameterError(f"{name}={shown(value)} must be a finite number")
        for name in ("promise_share", "hot_target_share", "hot_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ParameterError(f"{name}={shown(getattr(self, name))} must be a share "
                                     "between 0 and 1")
        for name in ("promise_hours", "front_hours", "line_haul_speed_kmh", "last_mile_speed_kmh"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"{name}={shown(getattr(self, name))} must be > 0")
        for name in numbers[8:]:
            if not getattr(self, name) >= 0:
                raise ParameterError(f"{name}={shown(getattr(self, name))} must be >= 0")
        if self.road_factor < 1:
            raise ParameterError(f"road_factor={shown(self.road_factor)} must be >= 1 (road km are "
                                 "never shorter than great-circle km)")
        return self
