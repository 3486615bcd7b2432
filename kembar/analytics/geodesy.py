"""Distances on the Earth's surface.

The twin-town resolver uses :func:`haversine_km` to decide whether a gazetteer
city is the place a source row means, and :func:`haversine_km_many` to do the
same for many candidates at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from kembar.analytics.exceptions import InvalidInput

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_many"]

#: Mean Earth radius (IUGG), in kilometres.
EARTH_RADIUS_KM = 6371.0088


def _check(lat: float, lng: float) -> None:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InvalidInput(f"latitude {lat!r} is not between -90 and 90")
    if not (math.isfinite(lng) and -180.0 <= lng <= 180.0):
        raise InvalidInput(f"longitude {lng!r} is not between -180 and 180")


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance between two points, in kilometres.

    Parameters
    ----------
    lat1, lng1, lat2, lng2 : float
        Latitudes and longitudes in decimal degrees (WGS 84).

    Returns
    -------
    float
        The distance along the surface of a sphere of radius
        :data:`EARTH_RADIUS_KM`.

    Raises
    ------
    InvalidInput
        If a latitude is outside [-90, 90] or a longitude outside [-180, 180].

    Notes
    -----
    The haversine formula, with φ latitude, λ longitude and R the radius:

    .. math::

        d = 2R \\arcsin\\sqrt{\\sin^2\\frac{φ_2-φ_1}{2}
            + \\cos φ_1 \\cos φ_2 \\sin^2\\frac{λ_2-λ_1}{2}}

    It is well conditioned for small distances; treating the Earth as a sphere
    errs by at most about 0.5 %, far below the precision of geocoded place names.

    References
    ----------
    R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), 159 (1984).

    Examples
    --------
    Semarang to Brisbane:

    >>> round(haversine_km(-6.99, 110.4225, -27.4678, 153.0281))
    5029
    >>> haversine_km(0.0, 0.0, 0.0, 0.0)
    0.0
    """
    for lat, lng in ((lat1, lng1), (lat2, lng2)):
        _check(lat, lng)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_many(
    lat: float,
    lng: float,
    lats: Sequence[float] | npt.ArrayLike,
    lngs: Sequence[float] | npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Great-circle distances from one point to many, in kilometres.

    The vectorised form of :func:`haversine_km`, same formula and reference.

    Examples
    --------
    >>> haversine_km_many(0.0, 0.0, [0.0, 0.0], [0.0, 1.0]).round(3).tolist()
    [0.0, 111.195]
    """
    _check(lat, lng)
    lat_arr = np.radians(np.asarray(lats, dtype=np.float64))
    lng_arr = np.radians(np.asarray(lngs, dtype=np.float64))
    if lat_arr.shape != lng_arr.shape:
        raise InvalidInput(
            f"latitudes and longitudes differ in shape: {lat_arr.shape} and {lng_arr.shape}"
        )
    phi = math.radians(lat)
    h = (
        np.sin((lat_arr - phi) / 2) ** 2
        + math.cos(phi) * np.cos(lat_arr) * np.sin((lng_arr - math.radians(lng)) / 2) ** 2
    )
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result
