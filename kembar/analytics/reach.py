"""Reach: who takes part in the cooperation, measured against who lives in the city.

The *units* are either districts (kecamatan, keyed by their BPS code such as
``"33.74.01"``) or stakeholder groups (keyed by a group code such as
``"students_youth"``).  For each unit the functions take a participant count and
a population (residents of a district, or the size of a group in the city) and
report:

* ``per_10k``, participants per 10,000 residents;
* the unit's share of the participants and of the population, and their ratio,
  the *representation ratio* (1 means the unit takes part in proportion to its
  size, below 1 that it is under-reached);
* *coverage*, the share of units reached at all, and the *never reached* units;
* across districts, the population-weighted Gini and Theil indices of
  per-capita participation (:func:`gini`, :func:`theil`);
* :func:`where_to_act`, the under-reached units ranked by how many participants
  they lack, with the kinds of activity that reached similar units.

Conventions, the same in every function:

* Every unit with participants needs a population (0 if the unit has no
  residents); a participant key without a population raises
  :class:`~kembar.analytics.exceptions.InvalidInput` naming it.  People whose
  home is outside the city belong to no district: count them apart and pass
  them to :func:`summary` as ``outside_city``; they are reported, and take no
  part in shares or indices.
* Units with population 0 stay in :func:`reach_table` (``per_10k`` and
  ``representation_ratio`` are ``None``) but are left out of coverage, the
  never-reached list and the indices: a district with no residents cannot be
  under- or over-reached.
* A quantity that is undefined is ``None``, never ``nan`` and never an
  exception: the indices when nobody took part (there is no distribution to
  measure) or no unit has residents, coverage when no unit has residents.
* Participant counts must be whole numbers ≥ 0, populations finite numbers
  ≥ 0; anything else raises ``InvalidInput`` naming the key.
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "PER",
    "Reach",
    "ReachSummary",
    "SuggestedKind",
    "UnderReached",
    "UnitKind",
    "coverage",
    "gini",
    "never_reached",
    "reach_table",
    "summary",
    "theil",
    "where_to_act",
]

#: Participation rates are given per this many residents.
PER = 10_000

#: Decimal places kept by the ``to_dict`` methods.
_DECIMALS = 6

UnitKind = Literal["district", "group"]


@dataclass(frozen=True)
class Reach:
    """Participation of one unit (a district or a group).

    Attributes
    ----------
    code : str
        The unit's key: a district code (``"33.74.01"``) or a group code.
    name : str
        Its name; the code when no name was given.
    participants : int
    population : float
    per_10k : float or None
        ``participants / population × 10,000``; ``None`` when the population is 0.
    participant_share : float or None
        ``participants / Σ participants`` over the table; ``None`` when nobody
        in the table took part.
    population_share : float or None
        ``population / Σ population`` over the table; ``None`` when the table
        has no residents.
    representation_ratio : float or None
        ``participant_share / population_share``; ``None`` when either share is
        undefined or the population share is 0.
    """

    code: str
    name: str
    participants: int
    population: float
    per_10k: float | None
    participant_share: float | None
    population_share: float | None
    representation_ratio: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, floats rounded to 6 decimals, the code under ``"kode"``."""
        return {
            "kode": self.code,
            "name": self.name,
            "participants": self.participants,
            "population": _json_number(self.population),
            "per_10k": _rounded(self.per_10k),
            "participant_share": _rounded(self.participant_share),
            "population_share": _rounded(self.population_share),
            "representation_ratio": _rounded(self.representation_ratio),
        }


@dataclass(frozen=True)
class ReachSummary:
    """Reach by district and by group, as :func:`summary` computes it.

    Attributes
    ----------
    districts, groups : tuple of Reach
        The two tables of :func:`reach_table`, sorted by code.
    gini, theil : float or None
        Concentration of per-capita participation across districts
        (:func:`gini`, :func:`theil`).
    coverage_districts, coverage_groups : float or None
        :func:`coverage` of each table.
    never_reached_districts, never_reached_groups : tuple of str
        :func:`never_reached` of each table.
    outside_city : int
        Participants whose home is outside the city, in no district.
    """

    districts: tuple[Reach, ...]
    groups: tuple[Reach, ...]
    gini: float | None
    theil: float | None
    coverage_districts: float | None
    coverage_groups: float | None
    never_reached_districts: tuple[str, ...]
    never_reached_groups: tuple[str, ...]
    outside_city: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values for the API, floats rounded to 6 decimals.

        The shape::

            {
              "districts": [{"kode", "name", "participants", "population", "per_10k",
                             "participant_share", "population_share",
                             "representation_ratio"}, ...],
              "groups": [... the same keys ...],
              "gini": float | null,
              "theil": float | null,
              "coverage": {"districts": float | null, "groups": float | null},
              "never_reached": [{"kind": "district" | "group", "kode", "name",
                                 "population"}, ...],
              "outside_city": int
            }

        ``never_reached`` lists the districts first, then the groups, each by
        population descending, then code.

        Examples
        --------
        >>> result = summary({"33.74.01": 3}, {"33.74.01": 1000, "33.74.02": 500},
        ...                  {"students": 3}, {"students": 2000}, outside_city=1)
        >>> data = result.to_dict()
        >>> data["coverage"]
        {'districts': 0.5, 'groups': 1.0}
        >>> data["never_reached"]
        [{'kind': 'district', 'kode': '33.74.02', 'name': '33.74.02', 'population': 500}]
        """
        tables: tuple[tuple[UnitKind, tuple[Reach, ...], tuple[str, ...]], ...] = (
            ("district", self.districts, self.never_reached_districts),
            ("group", self.groups, self.never_reached_groups),
        )
        never: list[dict[str, Any]] = []
        for kind, table, codes in tables:
            by_code = {unit.code: unit for unit in table}
            never.extend(
                {
                    "kind": kind,
                    "kode": code,
                    "name": by_code[code].name,
                    "population": _json_number(by_code[code].population),
                }
                for code in codes
            )
        return {
            "districts": [unit.to_dict() for unit in self.districts],
            "groups": [unit.to_dict() for unit in self.groups],
            "gini": _rounded(self.gini),
            "theil": _rounded(self.theil),
            "coverage": {
                "districts": _rounded(self.coverage_districts),
                "groups": _rounded(self.coverage_groups),
            },
            "never_reached": never,
            "outside_city": self.outside_city,
        }


class SuggestedKind(NamedTuple):
    """A kind of activity worth trying, and the (weighted) participants it reached."""

    activity_kind: str
    participants: float


@dataclass(frozen=True)
class UnderReached:
    """An under-reached unit and the kinds of activity that reached similar units.

    Attributes
    ----------
    code, name : str
    kind : {"district", "group"}
    representation_ratio : float
        Below 1.
    missing_participants : float
        ``population_share × Σ participants − participants``: how many more
        participants the unit would have had with a fair share.
    suggested_kinds : tuple of SuggestedKind
        At most ``top`` kinds, best first (see :func:`where_to_act`).
    """

    code: str
    name: str
    kind: UnitKind
    representation_ratio: float
    missing_participants: float
    suggested_kinds: tuple[SuggestedKind, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, floats rounded to 6 decimals, the code under ``"kode"``."""
        return {
            "kind": self.kind,
            "kode": self.code,
            "name": self.name,
            "representation_ratio": _rounded(self.representation_ratio),
            "missing_participants": _rounded(self.missing_participants),
            "suggested_kinds": [
                {"activity_kind": s.activity_kind, "participants": _rounded(s.participants)}
                for s in self.suggested_kinds
            ],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, _DECIMALS)


def _json_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, _DECIMALS)


def _count(what: str, key: object, value: object) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value != math.floor(value)
    ):
        raise InvalidInput(f"{what} of {key!r} must be a whole number; got {value!r}")
    if value < 0:
        raise InvalidInput(f"{what} of {key!r} is negative: {value!r}")
    return value if isinstance(value, int) else int(float(value))


def _population(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidInput(f"population of {key!r} must be a finite number; got {value!r}")
    if value < 0:
        raise InvalidInput(f"population of {key!r} is negative: {value!r}")
    return float(value)


def _units(
    participants: Mapping[str, int], population: Mapping[str, float]
) -> list[tuple[str, int, float]]:
    """(code, participants, population) of every unit, checked and sorted by code."""
    counts = {code: _count("participants", code, n) for code, n in participants.items()}
    sizes = {code: _population(code, size) for code, size in population.items()}
    unknown = sorted(set(counts) - set(sizes))
    if unknown:
        raise InvalidInput(
            "participants in units without a population: "
            + ", ".join(repr(code) for code in unknown)
            + " (give every unit a population, 0 if it has no residents; count people "
            "from outside the city apart, as summary(outside_city=...))"
        )
    return [(code, counts.get(code, 0), sizes[code]) for code in sorted(sizes)]


def _inhabited(
    participants: Mapping[str, int], population: Mapping[str, float]
) -> tuple[list[tuple[str, int, float]], int, float] | None:
    """The units with residents and their totals, or None when nobody in them took part."""
    units = [unit for unit in _units(participants, population) if unit[2] > 0]
    total = sum(n for _code, n, _size in units)
    if total == 0:
        return None
    return units, total, math.fsum(size for _code, _n, size in units)


def reach_table(
    participants: Mapping[str, int],
    population: Mapping[str, float],
    names: Mapping[str, str] | None = None,
) -> list[Reach]:
    """Participants, rate per 10,000 and representation ratio of every unit.

    Parameters
    ----------
    participants : mapping of str to int
        Participants by unit code; a unit left out has none.
    population : mapping of str to float
        Residents by unit code: every unit of the table, reached or not.
    names : mapping of str to str, optional
        Names by code; a unit without one is named by its code.

    Returns
    -------
    list of Reach
        One per unit of ``population``, sorted by code.

    Raises
    ------
    InvalidInput
        If a count is negative or not whole, a population negative or not
        finite, or a participant key has no population; the message names the key.

    Notes
    -----
    With :math:`c_i` participants and :math:`n_i` residents in unit :math:`i`,
    :math:`C = Σ_j c_j` and :math:`N = Σ_j n_j`:

    .. math::

        \\text{per\\_10k}_i = 10^4 \\frac{c_i}{n_i}, \\quad
        s_i = \\frac{c_i}{C}, \\quad p_i = \\frac{n_i}{N}, \\quad
        \\text{ratio}_i = \\frac{s_i}{p_i} = \\frac{c_i / n_i}{C / N}

    so the representation ratio is also the unit's rate over the city's rate.

    Examples
    --------
    >>> table = reach_table({"33.74.01": 50, "33.74.02": 30},
    ...                     {"33.74.01": 10_000, "33.74.02": 20_000, "33.74.03": 70_000},
    ...                     names={"33.74.01": "Semarang Tengah"})
    >>> [(u.name, u.per_10k, u.representation_ratio) for u in table]
    [('Semarang Tengah', 50.0, 6.25), ('33.74.02', 15.0, 1.875), ('33.74.03', 0.0, 0.0)]
    """
    units = _units(participants, population)
    names = names or {}
    total = sum(n for _code, n, _size in units)
    total_population = math.fsum(size for _code, _n, size in units)
    table = []
    for code, n, size in units:
        participant_share = n / total if total else None
        population_share = size / total_population if total_population else None
        ratio = (
            participant_share / population_share
            if participant_share is not None and population_share
            else None
        )
        table.append(
            Reach(
                code=code,
                name=names.get(code, code),
                participants=n,
                population=size,
                per_10k=PER * n / size if size else None,
                participant_share=participant_share,
                population_share=population_share,
                representation_ratio=ratio,
            )
        )
    return table


def gini(participants: Mapping[str, int], population: Mapping[str, float]) -> float | None:
    """Population-weighted Gini index of per-capita participation across units.

    Parameters
    ----------
    participants : mapping of str to int
        Participants by unit code; a unit left out has none.
    population : mapping of str to float
        Residents by unit code.

    Returns
    -------
    float or None
        In :math:`[0, 1)`: 0 when every unit has the same rate, :math:`1 - p_k`
        when all participants come from unit :math:`k` (the largest value for the
        smallest unit).  ``None`` when nobody
        in a unit with residents took part, or no unit has residents.

    Raises
    ------
    InvalidInput
        As :func:`reach_table`.

    Notes
    -----
    Over the units with residents (units of population 0 are left out), with
    population shares :math:`p_i`, per-capita rates :math:`r_i = c_i / n_i`,
    mean rate :math:`\\bar r = Σ_i p_i r_i` and participant shares
    :math:`s_i = p_i r_i / \\bar r`:

    .. math::

        G = \\frac{1}{2 \\bar r} Σ_i Σ_j p_i p_j |r_i - r_j|
          = \\frac{1}{2} Σ_i Σ_j |s_i p_j - s_j p_i|

    the Gini index of the distribution in which every resident of unit :math:`i`
    has rate :math:`r_i`.  It is computed in :math:`O(n \\log n)` over the units
    sorted by rate.  It does not change when all counts, or all populations, are
    multiplied by the same positive factor.

    References
    ----------
    F. A. Cowell, *Measuring Inequality*, 3rd ed., Oxford University Press (2011),
    ch. 2 and Technical Appendix A.

    Examples
    --------
    Participants 50 / 30 / 20 from districts of 10,000 / 20,000 / 70,000 residents:

    >>> gini({"a": 50, "b": 30, "c": 20}, {"a": 10_000, "b": 20_000, "c": 70_000})
    0.57
    >>> gini({"a": 1, "b": 2}, {"a": 100, "b": 200})
    0.0
    >>> gini({}, {"a": 100}) is None
    True
    """
    inhabited = _inhabited(participants, population)
    if inhabited is None:
        return None
    units, total, total_population = inhabited
    # Summing c_i n_j - c_j n_i over pairs ordered by rate keeps every term ≥ 0.
    ordered = sorted(units, key=lambda unit: (unit[1] / unit[2], unit[0]))
    terms = []
    count_below = 0
    population_below = 0.0
    for _code, n, size in ordered:
        terms.append(n * population_below - size * count_below)
        count_below += n
        population_below += size
    return min(1.0, max(0.0, math.fsum(terms) / (total * total_population)))


def theil(participants: Mapping[str, int], population: Mapping[str, float]) -> float | None:
    """Population-weighted Theil index (Theil's T) of per-capita participation.

    Parameters
    ----------
    participants : mapping of str to int
        Participants by unit code; a unit left out has none.
    population : mapping of str to float
        Residents by unit code.

    Returns
    -------
    float or None
        ≥ 0: 0 when every unit has the same rate, :math:`\\ln(1 / p_k)` when all
        participants come from unit :math:`k` (the largest value for the smallest
        unit).  ``None`` when nobody in a unit with residents took part, or no unit
        has residents.

    Raises
    ------
    InvalidInput
        As :func:`reach_table`.

    Notes
    -----
    Over the units with residents (units of population 0 are left out), with
    participant shares :math:`s_i`, population shares :math:`p_i` and
    :math:`0 \\ln 0 = 0`:

    .. math::

        T = Σ_i s_i \\ln \\frac{s_i}{p_i}
          = Σ_i p_i \\frac{r_i}{\\bar r} \\ln \\frac{r_i}{\\bar r}

    the Kullback–Leibler divergence of the participants from the population.
    Unlike the Gini index it is decomposable: the inequality between wards of
    different districts adds up from within- and between-district terms.

    References
    ----------
    H. Theil, *Economics and Information Theory*, North-Holland (1967), ch. 4;
    F. A. Cowell, *Measuring Inequality*, 3rd ed., Oxford University Press (2011),
    ch. 3.

    Examples
    --------
    >>> import math
    >>> t = theil({"a": 50, "b": 30, "c": 20}, {"a": 10_000, "b": 20_000, "c": 70_000})
    >>> math.isclose(t, 0.5 * math.log(5) + 0.3 * math.log(1.5) + 0.2 * math.log(2 / 7))
    True
    >>> theil({"a": 1, "b": 2}, {"a": 100, "b": 200})
    0.0
    """
    inhabited = _inhabited(participants, population)
    if inhabited is None:
        return None
    units, total, total_population = inhabited
    terms = [
        n / total * math.log(n * total_population / (total * size))
        for _code, n, size in units
        if n > 0
    ]
    return max(0.0, math.fsum(terms))


def coverage(participants: Mapping[str, int], population: Mapping[str, float]) -> float | None:
    """Share of the units with residents that have at least one participant.

    Parameters
    ----------
    participants : mapping of str to int
        Participants by unit code; a unit left out has none.
    population : mapping of str to float
        Residents by unit code.

    Returns
    -------
    float or None
        In [0, 1]; ``None`` when no unit has residents.

    Raises
    ------
    InvalidInput
        As :func:`reach_table`.

    Notes
    -----
    :math:`|\\{i : n_i > 0, c_i ≥ 1\\}| \\,/\\, |\\{i : n_i > 0\\}|`; units of
    population 0 count in neither.

    Examples
    --------
    >>> coverage({"a": 5, "c": 2}, {"a": 100, "b": 300, "c": 0, "d": 50})
    0.3333333333333333
    >>> coverage({}, {"a": 100})
    0.0
    """
    units = [unit for unit in _units(participants, population) if unit[2] > 0]
    if not units:
        return None
    return sum(1 for _code, n, _size in units if n > 0) / len(units)


def never_reached(participants: Mapping[str, int], population: Mapping[str, float]) -> list[str]:
    """Codes of the units with residents and no participant, the most populous first.

    Parameters
    ----------
    participants : mapping of str to int
        Participants by unit code; a unit left out has none.
    population : mapping of str to float
        Residents by unit code.

    Returns
    -------
    list of str
        Ordered by population descending, then code.

    Raises
    ------
    InvalidInput
        As :func:`reach_table`.

    Examples
    --------
    >>> never_reached({"a": 5}, {"a": 100, "b": 300, "c": 0, "d": 300, "e": 50})
    ['b', 'd', 'e']
    """
    units = _units(participants, population)
    missed = [(size, code) for code, n, size in units if size > 0 and n == 0]
    return [code for size, code in sorted(missed, key=lambda unit: (-unit[0], unit[1]))]


def summary(
    district_participants: Mapping[str, int],
    district_population: Mapping[str, float],
    group_participants: Mapping[str, int],
    group_population: Mapping[str, float],
    *,
    district_names: Mapping[str, str] | None = None,
    group_names: Mapping[str, str] | None = None,
    outside_city: int = 0,
) -> ReachSummary:
    """Everything this module computes, for districts and groups at once.

    Parameters
    ----------
    district_participants, district_population : mapping
        Participants and residents by district code.
    group_participants, group_population : mapping
        Participants and city population by group code.
    district_names, group_names : mapping of str to str, optional
        Names by code.
    outside_city : int
        Participants whose home is outside the city: reported as they are, in
        no district, no share and no index.  (They do count in the groups if
        ``group_participants`` includes them.)

    Returns
    -------
    ReachSummary
        The Gini and Theil indices are those across districts.

    Raises
    ------
    InvalidInput
        As :func:`reach_table`, or if ``outside_city`` is not a whole number ≥ 0.

    Examples
    --------
    >>> result = summary({"33.74.01": 50, "33.74.02": 30, "33.74.03": 20},
    ...                  {"33.74.01": 10_000, "33.74.02": 20_000, "33.74.03": 70_000},
    ...                  {"government": 60}, {"government": 5_000, "business": 20_000},
    ...                  outside_city=4)
    >>> result.gini, result.coverage_groups, result.never_reached_groups
    (0.57, 0.5, ('business',))
    """
    outside = _count("participants", "outside_city", outside_city)
    return ReachSummary(
        districts=tuple(reach_table(district_participants, district_population, district_names)),
        groups=tuple(reach_table(group_participants, group_population, group_names)),
        gini=gini(district_participants, district_population),
        theil=theil(district_participants, district_population),
        coverage_districts=coverage(district_participants, district_population),
        coverage_groups=coverage(group_participants, group_population),
        never_reached_districts=tuple(never_reached(district_participants, district_population)),
        never_reached_groups=tuple(never_reached(group_participants, group_population)),
        outside_city=outside,
    )


def _by_unit(
    what: str, activity: Mapping[tuple[str, str], int] | None, known: set[str] | None
) -> dict[str, dict[str, int]]:
    """``{unit: {activity kind: participants}}``, checked; ``known`` limits the units."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for key, n in (activity or {}).items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InvalidInput(f"{what} keys must be (activity kind, unit code) pairs; got {key!r}")
        kind, code = key
        if known is not None and code not in known:
            raise InvalidInput(f"{what} names unit {code!r}, which is not in the reach table")
        table[code][kind] = _count(what, key, n)
    return table


def _ranked(scores: Mapping[str, float], top: int) -> tuple[SuggestedKind, ...]:
    best = sorted(
        ((kind, score) for kind, score in scores.items() if score > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return tuple(SuggestedKind(kind, score) for kind, score in best[:top])


def _district_suggestions(
    unit: Reach, table: tuple[Reach, ...], activity: Mapping[str, Mapping[str, int]], top: int
) -> tuple[SuggestedKind, ...]:
    scores: dict[str, float] = defaultdict(float)
    for other in table:
        if other.code == unit.code or other.population <= 0:
            continue
        weight = min(unit.population, other.population) / max(unit.population, other.population)
        for kind, n in activity.get(other.code, {}).items():
            scores[kind] += weight * n
    return _ranked(scores, top)


def _group_suggestions(
    unit: Reach,
    activity: Mapping[str, Mapping[str, int]],
    elsewhere: Mapping[str, Mapping[str, int]],
    top: int,
) -> tuple[SuggestedKind, ...]:
    there = _ranked(elsewhere.get(unit.code, {}), top)
    return there or _ranked(activity.get(unit.code, {}), top)


def where_to_act(
    reach: ReachSummary,
    *,
    district_activity: Mapping[tuple[str, str], int] | None = None,
    group_activity: Mapping[tuple[str, str], int] | None = None,
    group_elsewhere: Mapping[tuple[str, str], int] | None = None,
    top: int = 3,
) -> list[UnderReached]:
    """Under-reached districts and groups, the largest gap first, with what to try.

    Parameters
    ----------
    reach : ReachSummary
        From :func:`summary`.
    district_activity : mapping of (str, str) to int, optional
        Participants by ``(activity kind, district code)``.
    group_activity : mapping of (str, str) to int, optional
        Participants by ``(activity kind, group code)`` in this city.
    group_elsewhere : mapping of (str, str) to int, optional
        Participants by ``(activity kind, group code)`` in other partnerships or
        regions; its group codes need not be in ``reach``.
    top : int
        How many activity kinds to suggest per unit.

    Returns
    -------
    list of UnderReached
        Every district and group with a representation ratio below 1 (never
        reached ones included), by ``missing_participants`` descending, then
        code, then kind.

    Raises
    ------
    InvalidInput
        If a count is negative or not whole, a key is not an ``(activity kind,
        unit code)`` pair, ``district_activity`` or ``group_activity`` names a
        unit not in ``reach``, or ``top`` is negative.

    Notes
    -----
    A unit's gap is what it lacks against a share proportional to its size:

    .. math::

        m_i = p_i C - c_i = c_i \\left(\\frac{1}{\\text{ratio}_i} - 1\\right)

    with :math:`C` the participants of its table.  Suggested kinds are ranked
    by the participants they reached in *similar* units, ties by name, and kinds
    that reached nobody there are not suggested:

    * for a district :math:`d`, in every other district :math:`e` with
      residents, weighted by how close its population is,
      :math:`w_{de} = \\min(n_d, n_e) / \\max(n_d, n_e) \\in (0, 1]`; the
      suggested ``participants`` are these weighted sums;
    * for a group, the same group in ``group_elsewhere``; when that has no
      participant of the group (or is not given), the kinds that reached the
      group most in this city, from ``group_activity``.

    The activity counts need not add up to the participants in ``reach`` (they
    may cover another period); they only rank the kinds.

    Examples
    --------
    >>> reach = summary({"a": 50, "b": 30, "c": 20, "d": 0},
    ...                 {"a": 10_000, "b": 20_000, "c": 70_000, "d": 20_000}, {}, {})
    >>> gaps = where_to_act(reach, district_activity={
    ...     ("seminar", "a"): 30, ("exchange", "a"): 20,
    ...     ("exchange", "b"): 20, ("expo", "b"): 10, ("expo", "c"): 20})
    >>> [(g.code, round(g.missing_participants, 2)) for g in gaps]
    [('c', 38.33), ('d', 16.67)]
    >>> [(s.activity_kind, round(s.participants, 2)) for s in gaps[1].suggested_kinds]
    [('exchange', 30.0), ('expo', 15.71), ('seminar', 15.0)]
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise InvalidInput(f"top must be a whole number ≥ 0; got {top!r}")
    districts = _by_unit(
        "district_activity", district_activity, {unit.code for unit in reach.districts}
    )
    groups = _by_unit("group_activity", group_activity, {unit.code for unit in reach.groups})
    elsewhere = _by_unit("group_elsewhere", group_elsewhere, None)
    gaps: list[UnderReached] = []
    tables: tuple[tuple[UnitKind, tuple[Reach, ...]], ...] = (
        ("district", reach.districts),
        ("group", reach.groups),
    )
    for kind, table in tables:
        total = sum(unit.participants for unit in table)
        for unit in table:
            ratio = unit.representation_ratio
            if ratio is None or ratio >= 1 or unit.population_share is None:
                continue
            missing = unit.population_share * total - unit.participants
            if missing <= 0:  # a ratio a rounding error below 1
                continue
            suggestions = (
                _district_suggestions(unit, table, districts, top)
                if kind == "district"
                else _group_suggestions(unit, groups, elsewhere, top)
            )
            gaps.append(
                UnderReached(
                    code=unit.code,
                    name=unit.name,
                    kind=kind,
                    representation_ratio=ratio,
                    missing_participants=missing,
                    suggested_kinds=suggestions,
                )
            )
    return sorted(gaps, key=lambda gap: (-gap.missing_participants, gap.code, gap.kind))
