"""Distances (km) and delivery times (hours) between places given by latitude and longitude."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine great-circle distance in km; inputs in degrees, broadcast like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix_km(lat_from, lon_from, lat_to, lon_to) -> np.ndarray:
    """Great-circle km from every ``from`` place (rows) to every ``to`` place (columns)."""
    lat_from, lon_from = np.asarray(lat_from, float)[:, None], np.asarray(lon_from, float)[:, None]
    lat_to, lon_to = np.asarray(lat_to, float)[None, :], np.asarray(lon_to, float)[None, :]
    return great_circle_km(lat_from, lon_from, lat_to, lon_to)


def road_km(great_circle: np.ndarray, road_factor: float) -> np.ndarray:
    """Road distance estimated as ``road_factor`` (typically 1.2-1.4) times great-circle km."""
    return np.asarray(great_circle, float) * road_factor


def delivery_hours(road: np.ndarray, *, handling_hours: float, line_haul_speed_kmh: float,
                   last_mile_km: float, last_mile_speed_kmh: float) -> np.ndarray:
    """Order-to-door hours: handling at the warehouse, the inter-city leg of ``road`` km at the
    line-haul speed, and the last mile of ``last_mile_km`` at the last-mile speed (km/h)."""
    return (handling_hours + np.asarray(road, float) / line_haul_speed_kmh
            + last_mile_km / last_mile_speed_kmh)
