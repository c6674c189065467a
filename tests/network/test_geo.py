"""Great-circle distance and delivery hours."""

import numpy as np
import pytest

from workbench.network.geo import delivery_hours, distance_matrix_km, great_circle_km, road_km


def test_beijing_shanghai_great_circle():
    # published great-circle distance Beijing - Shanghai is about 1,067 km
    assert great_circle_km(39.9075, 116.3972, 31.2222, 121.4581) == pytest.approx(1067, abs=5)


def test_quarter_meridian_is_a_quarter_of_the_circumference():
    assert great_circle_km(0, 0, 90, 0) == pytest.approx(np.pi * 6371.0088 / 2)


def test_distance_matrix_shape_and_zero_diagonal():
    lat, lon = [30.0, 40.0, 20.0], [100.0, 110.0, 120.0]
    m = distance_matrix_km(lat, lon, lat, lon)
    assert m.shape == (3, 3)
    assert np.allclose(np.diag(m), 0.0) and np.allclose(m, m.T)


def test_delivery_hours_adds_handling_line_haul_and_last_mile():
    # 12 h handling + 500 km at 50 km/h + 25 km at 20 km/h = 12 + 10 + 1.25
    hours = delivery_hours(road_km(400.0, 1.25), handling_hours=12, line_haul_speed_kmh=50,
                           last_mile_km=25, last_mile_speed_kmh=20)
    assert hours == pytest.approx(23.25)


@pytest.mark.parametrize("value, limit, decimals, text", [
    (72.3, 72, 0, "72.3"), (72.04, 72, 0, "72.04"), (72.0004, 72, 0, "> 72.000"), (81.2, 72, 0, "81"),
    (71.8, 72, 0, "71.8"), (72.0, 72, 0, "72"), (0.04, 0, 1, "0.04"), (0.12, 0, 1, "0.1"),
    (99.96, 100, 1, "99.96"), (99.7, 100, 1, "99.7")])
def test_a_value_beside_its_limit_never_reads_as_equal_to_it(value, limit, decimals, text):
    from workbench.network.params import beside

    assert beside(value, limit, decimals=decimals) == text
