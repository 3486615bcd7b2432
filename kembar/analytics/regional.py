"""Regionalising a national input-output table with location quotients.

No open input-output table exists for Central Java or Kota Semarang, so the
national technical coefficients are scaled down by how well the region can
supply each input itself, judged from the sector structure of the region
against the nation (output, employment or value added by sector, in the same
units for both).  :func:`regional_coefficients` returns the scaled matrix
together with the method and parameter that produced it, so a result can
always say how it was made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "DEFAULT_DELTA",
    "Method",
    "RegionalCoefficients",
    "cross_industry_location_quotients",
    "flegg_location_quotients",
    "flegg_scale",
    "regional_coefficients",
    "simple_location_quotients",
]

FloatArray = npt.NDArray[np.float64]
Method = Literal["SLQ", "CILQ", "FLQ"]

#: Flegg and Tohmo's value for regions of a few per cent of the nation (Finland,
#: 20 regions); Central Java is about 9 % of Indonesia's gross value added.
DEFAULT_DELTA = 0.3


@dataclass(frozen=True, eq=False)
class RegionalCoefficients:
    """Regional technical coefficients and how they were made.

    Attributes
    ----------
    coefficients : ndarray, shape (n, n)
        :math:`r_{ij} = a_{ij} \\min(LQ_{ij}, 1)`.
    quotients : ndarray, shape (n, n)
        The location quotients applied (the SLQ of the selling sector ``i`` in every
        column for ``method="SLQ"``).
    method : {"SLQ", "CILQ", "FLQ"}
    delta : float or None
        Flegg's δ for ``"FLQ"``; ``None`` otherwise.
    scale : float or None
        Flegg's :math:`λ^*` for ``"FLQ"``; ``None`` otherwise.
    """

    coefficients: FloatArray
    quotients: FloatArray
    method: Method
    delta: float | None = None
    scale: float | None = None


def _measures(regional: npt.ArrayLike, national: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r = np.array(regional, dtype=np.float64)
    m = np.array(national, dtype=np.float64)
    if r.ndim != 1 or r.shape != m.shape or r.size == 0:
        raise InvalidInput(
            f"regional and national measures must be vectors of the same length; "
            f"got shapes {r.shape} and {m.shape}"
        )
    for name, values in (("regional", r), ("national", m)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise InvalidInput(f"{name} measure of sector {bad[0] + 1} is {float(values[bad[0]])}")
    negative = np.flatnonzero(r < 0)
    if negative.size:
        raise InvalidInput(
            f"regional measure of sector {negative[0] + 1} is {r[negative[0]]:.12g}; "
            "it must not be negative"
        )
    absent = np.flatnonzero(m <= 0)
    if absent.size:
        raise InvalidInput(
            f"national measure of sector {absent[0] + 1} is {m[absent[0]]:.12g}; "
            "location quotients need every sector present in the nation"
        )
    if r.sum() <= 0:
        raise InvalidInput("the regional measures sum to zero")
    if r.sum() > m.sum():
        raise InvalidInput(
            f"the region ({r.sum():.12g}) is larger than the nation ({m.sum():.12g}); "
            "both measures must be in the same units"
        )
    return r, m


def simple_location_quotients(regional: npt.ArrayLike, national: npt.ArrayLike) -> FloatArray:
    """Simple location quotients (SLQ) of every sector.

    Parameters
    ----------
    regional, national : array_like, shape (n,)
        Output, employment or value added by sector, in the same units.

    Returns
    -------
    ndarray, shape (n,)
        :math:`SLQ_i = \\dfrac{RE_i / RE}{NE_i / NE}`; above 1 when the sector is
        more important in the region than in the nation.

    Raises
    ------
    InvalidInput
        If the vectors differ in length, a value is not finite, a regional value is
        negative, a national value is not positive, or the region exceeds the nation.

    References
    ----------
    R. E. Miller and P. D. Blair, *Input-Output Analysis: Foundations and
    Extensions*, 2nd ed., Cambridge University Press (2009), section 8.2.

    Examples
    --------
    >>> simple_location_quotients([40, 30, 30], [200, 300, 500])
    array([2. , 1. , 0.6])
    """
    r, m = _measures(regional, national)
    quotients: FloatArray = (r / r.sum()) / (m / m.sum())
    return quotients


def _cross_industry(slq: FloatArray) -> FloatArray:
    selling = slq[:, np.newaxis]
    buying = slq[np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cilq = np.where(buying > 0, selling / buying, np.where(selling > 0, np.inf, 0.0))
    np.fill_diagonal(cilq, slq)
    return np.asarray(cilq, dtype=np.float64)


def cross_industry_location_quotients(
    regional: npt.ArrayLike, national: npt.ArrayLike
) -> FloatArray:
    """Cross-industry location quotients (CILQ).

    Parameters
    ----------
    regional, national : array_like, shape (n,)
        Output, employment or value added by sector, in the same units.

    Returns
    -------
    ndarray, shape (n, n)
        :math:`CILQ_{ij} = SLQ_i / SLQ_j` for the selling sector ``i`` and the
        buying sector ``j``; on the diagonal :math:`SLQ_i` (Smith and Morrison's
        convention, since :math:`SLQ_i/SLQ_i = 1` says nothing).  Where the buying
        sector is absent from the region (:math:`SLQ_j = 0`) the quotient is
        ``inf`` (its column keeps the national coefficients, which then apply to
        no output), or 0 if the selling sector is absent as well.

    References
    ----------
    P. Smith and W. I. Morrison, *Simulating the Urban Economy*, Pion (1974);
    Miller and Blair (2009), section 8.2.3.

    Examples
    --------
    >>> cross_industry_location_quotients([40, 30, 30], [200, 300, 500])
    array([[2.   , 2.   , 3.333],
           [0.5  , 1.   , 1.667],
           [0.3  , 0.6  , 0.6  ]])
    """
    return _cross_industry(simple_location_quotients(regional, national))


def _check_delta(delta: float) -> float:
    if not (math.isfinite(delta) and 0 <= delta < 1):
        raise InvalidInput(f"delta {delta!r} must be in [0, 1)")
    return float(delta)


def flegg_scale(regional: npt.ArrayLike, national: npt.ArrayLike, *, delta: float) -> float:
    """Flegg's regional-size factor :math:`λ^*`.

    Parameters
    ----------
    regional, national : array_like, shape (n,)
        Output, employment or value added by sector, in the same units.
    delta : float
        :math:`0 ≤ δ < 1`; larger values allow more for imports from other regions.

    Returns
    -------
    float
        :math:`λ^* = [\\log_2(1 + RE/NE)]^δ`, between 0 and 1.

    References
    ----------
    A. T. Flegg and C. D. Webber, "Regional Size, Regional Specialization and the
    FLQ Formula", Regional Studies 34(6), 563–569 (2000).

    Examples
    --------
    >>> round(flegg_scale([40, 30, 30], [200, 300, 500], delta=0.3), 6)
    0.551435
    """
    r, m = _measures(regional, national)
    return float(math.log2(1 + r.sum() / m.sum()) ** _check_delta(delta))


def flegg_location_quotients(
    regional: npt.ArrayLike, national: npt.ArrayLike, *, delta: float = DEFAULT_DELTA
) -> FloatArray:
    """Flegg location quotients (FLQ).

    Parameters
    ----------
    regional, national : array_like, shape (n,)
        Output, employment or value added by sector, in the same units.
    delta : float
        Flegg's :math:`δ` (:func:`flegg_scale`).

    Returns
    -------
    ndarray, shape (n, n)
        :math:`FLQ_{ij} = λ^* \\, CILQ_{ij}` with the diagonal
        :math:`λ^* SLQ_i` (:func:`cross_industry_location_quotients`).

    References
    ----------
    A. T. Flegg, C. D. Webber and M. V. Elliott, "On the Appropriate Use of Location
    Quotients in Generating Regional Input-Output Tables", Regional Studies 29(6),
    547–561 (1995); Flegg and Webber (2000).

    Examples
    --------
    >>> flegg_location_quotients([40, 30, 30], [200, 300, 500], delta=0.3)
    array([[1.103, 1.103, 1.838],
           [0.276, 0.551, 0.919],
           [0.165, 0.331, 0.331]])
    """
    scale = flegg_scale(regional, national, delta=delta)
    quotients: FloatArray = scale * cross_industry_location_quotients(regional, national)
    return quotients


def regional_coefficients(
    coefficients: npt.ArrayLike,
    regional: npt.ArrayLike,
    national: npt.ArrayLike,
    *,
    method: Method = "FLQ",
    delta: float | None = None,
) -> RegionalCoefficients:
    """Regional technical coefficients from national ones and location quotients.

    Parameters
    ----------
    coefficients : array_like, shape (n, n)
        National technical coefficients ``A`` (:func:`kembar.analytics.io.technical_coefficients`).
    regional, national : array_like, shape (n,)
        Output, employment or value added by sector, in the same units.
    method : {"SLQ", "CILQ", "FLQ"}
    delta : float, optional
        Flegg's δ, for ``"FLQ"`` only; default :data:`DEFAULT_DELTA`.

    Returns
    -------
    RegionalCoefficients
        The coefficients, the quotients applied, the method and δ and λ*.

    Raises
    ------
    InvalidInput
        If the method is unknown, ``delta`` is given for SLQ or CILQ, or shapes
        or values are wrong (see :func:`simple_location_quotients`).

    Notes
    -----
    :math:`r_{ij} = a_{ij} \\min(LQ_{ij}, 1)`.  A quotient of 1 or more means the
    region can supply all it needs of that input itself, so the national
    coefficient is kept: a region cannot buy more from itself per unit of output
    than the nation does, and anything it produces beyond its needs is exported.
    Below 1, the missing share is taken to be imported from other regions or abroad.
    With SLQ every buyer ``j`` sees the quotient of the seller ``i``.

    References
    ----------
    Miller and Blair (2009), section 8.2; Flegg and Webber (2000).

    Examples
    --------
    >>> national_a = [[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.2, 0.1, 0.1]]
    >>> result = regional_coefficients(national_a, [40, 30, 30], [200, 300, 500])
    >>> result.method, result.delta, round(result.scale, 4)
    ('FLQ', 0.3, 0.5514)
    >>> result.coefficients
    array([[0.2  , 0.3  , 0.1  ],
           [0.028, 0.110, 0.276],
           [0.033, 0.033, 0.033]])
    >>> regional_coefficients(national_a, [40, 30, 30], [200, 300, 500], method="SLQ").coefficients
    array([[0.2 , 0.3 , 0.1 ],
           [0.1 , 0.2 , 0.3 ],
           [0.12, 0.06, 0.06]])
    """
    if method not in get_args(Method):
        raise InvalidInput(f"method {method!r} is not one of {', '.join(get_args(Method))}")
    national_a = np.array(coefficients, dtype=np.float64)
    slq = simple_location_quotients(regional, national)
    n = slq.size
    if national_a.shape != (n, n):
        raise InvalidInput(
            f"coefficients must be {n}×{n} like the measures; got shape {national_a.shape}"
        )
    if not np.isfinite(national_a).all():
        raise InvalidInput("coefficients must be finite numbers")
    scale: float | None = None
    if method == "FLQ":
        delta = _check_delta(DEFAULT_DELTA if delta is None else delta)
        scale = flegg_scale(regional, national, delta=delta)
        quotients = scale * _cross_industry(slq)
    elif delta is not None:
        raise InvalidInput(f"delta applies to FLQ only, not {method}")
    elif method == "CILQ":
        quotients = _cross_industry(slq)
    else:
        quotients = np.repeat(slq[:, np.newaxis], n, axis=1)
    quotients.setflags(write=False)
    regional_a = national_a * np.minimum(quotients, 1.0)
    regional_a.setflags(write=False)
    return RegionalCoefficients(
        coefficients=regional_a, quotients=quotients, method=method, delta=delta, scale=scale
    )
