from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.geodesy import EARTH_RADIUS_KM, haversine_km, haversine_km_many

lat = st.floats(min_value=-90, max_value=90, allow_nan=False)
lng = st.floats(min_value=-180, max_value=180, allow_nan=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0.0, 0.0), (0.0, 180.0), math.pi * EARTH_RADIUS_KM),
        ((90.0, 0.0), (-90.0, 0.0), math.pi * EARTH_RADIUS_KM),
        ((0.0, 0.0), (0.0, 90.0), math.pi / 2 * EARTH_RADIUS_KM),
        ((0.0, 179.5), (0.0, -179.5), math.radians(1.0) * EARTH_RADIUS_KM),
    ],
)
def test_known_distances(a: tuple[float, float], b: tuple[float, float], expected: float) -> None:
    assert haversine_km(*a, *b) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((91.0, 0.0, 0.0, 0.0), "latitude 91.0 is not between -90 and 90"),
        ((0.0, 0.0, 0.0, 181.0), "longitude 181.0 is not between -180 and 180"),
        ((math.nan, 0.0, 0.0, 0.0), "latitude nan"),
    ],
)
def test_out_of_range_is_refused(args: tuple[float, float, float, float], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        haversine_km(*args)


@given(lat, lng, lat, lng)
def test_symmetric_and_bounded(lat1: float, lng1: float, lat2: float, lng2: float) -> None:
    forward = haversine_km(lat1, lng1, lat2, lng2)
    assert forward == pytest.approx(haversine_km(lat2, lng2, lat1, lng1), abs=1e-6)
    assert 0.0 <= forward <= math.pi * EARTH_RADIUS_KM + 1e-9


@given(lat, lng, st.lists(st.tuples(lat, lng), min_size=1, max_size=20))
def test_many_agrees_with_one(lat0: float, lng0: float, points: list[tuple[float, float]]) -> None:
    lats, lngs = zip(*points, strict=True)
    many = haversine_km_many(lat0, lng0, lats, lngs)
    one = [haversine_km(lat0, lng0, a, b) for a, b in points]
    np.testing.assert_allclose(many, one, rtol=1e-9, atol=1e-6)


def test_many_refuses_mismatched_shapes() -> None:
    with pytest.raises(InvalidInput, match="differ in shape"):
        haversine_km_many(0.0, 0.0, [1.0, 2.0], [1.0])
