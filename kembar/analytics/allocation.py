"""Allocation: who gets the places of an opportunity, and who waits.

An *opportunity* is a call to take part in a sister-city activity (an
exchange, a training, a host family ...) with a fixed number of places.  The
officer chooses how places are given:

* ``"first_come"``: by arrival;
* ``"lottery"``: by a draw that anyone can repeat from the published seed
  (:func:`lottery_key`);
* ``"panel"``: by a panel's weighted score over published criteria
  (:func:`panel_score`).

Some places may be *reserved* for under-reached kecamatan, stakeholder groups
or age bands (the reach analysis' where-to-act list,
:func:`kembar.analytics.reach.where_to_act`).  :func:`allocate` fills them
first, releases what they cannot fill to everyone, fills the general places
and puts everyone else on the waiting list; :func:`promote` gives a cancelled
place to the next one waiting.

Conventions, the same in every function:

* Applicants are identified by their public registration number (a string,
  unique within the call); it is what a published result shows.  Personal
  data (name, contact) never enters this module.
* The *method order* is a total order over the applicants that depends only
  on the applicants' data, the method and the seed, never on the order the
  list was given in: ties go to the earlier arrival, then to the smaller
  public number (compared as strings).
* Eligibility (does the applicant meet the call's conditions?) is decided
  before: pass only eligible applicants.
* Invalid arguments raise :class:`~kembar.analytics.exceptions.InvalidInput`
  naming what is wrong.

Every applicant gets a *reason code*:

===================================  =====================================
``"reserved:<dimension>:<value>"``   confirmed on a reserved place, e.g.
                                     ``"reserved:kecamatan:33.74.01"``
``"general"``                        confirmed on a general place
``"waiting"``                        on the waiting list
``"cancelled"``                      cancelled (after :func:`promote`)
===================================  =====================================

References
----------
D. Eastlake 3rd, J. Schiller and S. Crocker, *Randomness Requirements for
Security*, RFC 4086, 2005, section 6 (mixing functions: a secure hash of a
public seed gives a verifiable, unpredictable order).

NIST, *Secure Hash Standard (SHS)*, FIPS PUB 180-4, 2015 (SHA-256).
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, get_args

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "Allocation",
    "Applicant",
    "Dimension",
    "Method",
    "Number",
    "Reservation",
    "allocate",
    "lottery_key",
    "method_order",
    "panel_score",
    "promote",
]

Method = Literal["first_come", "lottery", "panel"]
Dimension = Literal["kecamatan", "group", "age_band"]
#: A score or weight: an int, a float (read as its shortest decimal form), a
#: Decimal or a Fraction.
Number = float | Decimal | Fraction

GENERAL = "general"
WAITING = "waiting"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Applicant:
    """One (eligible) applicant, as the allocation sees them.

    Attributes
    ----------
    id : str
        The public registration number, unique within the call.
    arrival : int, float or datetime
        When the application arrived (an aware datetime) or its arrival
        number; all applicants of a call use the same kind.
    kecamatan : str or None
        BPS code of the home kecamatan (``"33.74.01"``); ``None`` when the
        home is outside the city or not given.
    group : str or None
        Stakeholder group code (``"students_youth"``).
    age_band : str or None
        Age band code (``"15-24"``); ``None`` for "prefer not to say".
    scores : mapping of str to number
        The panel's score per criterion (panel method only); a criterion
        without a score counts as 0.
    """

    id: str
    arrival: int | float | datetime
    kecamatan: str | None = None
    group: str | None = None
    age_band: str | None = None
    scores: Mapping[str, Number] = field(default_factory=dict)

    def matches(self, reservation: Reservation) -> bool:
        """Whether this applicant may take a place of ``reservation``."""
        value: str | None = getattr(self, reservation.dimension)
        return value is not None and value == reservation.value


@dataclass(frozen=True)
class Reservation:
    """Places kept for applicants of one kecamatan, group or age band.

    Attributes
    ----------
    dimension : {"kecamatan", "group", "age_band"}
    value : str
        The code the applicant's ``dimension`` must equal.
    places : int
        How many places are kept (in :attr:`Allocation.released`: how many
        were released to everyone).
    """

    dimension: Dimension
    value: str
    places: int

    @property
    def code(self) -> str:
        """The reason code of a place taken under this reservation."""
        return f"reserved:{self.dimension}:{self.value}"


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate` (or of :func:`promote`).

    Attributes
    ----------
    method : {"first_come", "lottery", "panel"}
    places : int
    reservations : tuple of Reservation
        As given, in the order they were filled.
    confirmed : tuple of str
        Public numbers of those with a place: at allocation in method order;
        those promoted later are appended in the order they were promoted.
    waiting : tuple of str
        Public numbers of those waiting, in method order.
    reasons : mapping of str to str
        Every applicant's reason code (see the module documentation).
    released : tuple of Reservation
        Reserved places that found nobody and went to everyone: one entry per
        such reservation, its ``places`` the number released.
    order : tuple of str
        Every applicant in method order (:func:`method_order`), to publish
        with the result.
    cancelled : tuple of str
        Public numbers of those who cancelled, in the order they did.
    """

    method: Method
    places: int
    reservations: tuple[Reservation, ...]
    confirmed: tuple[str, ...]
    waiting: tuple[str, ...]
    reasons: Mapping[str, str]
    released: tuple[Reservation, ...]
    order: tuple[str, ...]
    cancelled: tuple[str, ...] = ()
    applicants: Mapping[str, Applicant] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (public numbers and reason codes only).

        Examples
        --------
        >>> people = [Applicant("K-1", 1, kecamatan="33.74.01"), Applicant("K-2", 2)]
        >>> allocate(people, places=1, method="first_come").to_dict()["reasons"]
        {'K-1': 'general', 'K-2': 'waiting'}
        """
        return {
            "method": self.method,
            "places": self.places,
            "confirmed": list(self.confirmed),
            "waiting": list(self.waiting),
            "cancelled": list(self.cancelled),
            "reasons": dict(self.reasons),
            "released": [
                {"dimension": r.dimension, "value": r.value, "places": r.places}
                for r in self.released
            ],
            "order": list(self.order),
        }


# --- Orders ---------------------------------------------------------------------------------


def lottery_key(seed: str, public_id: str) -> str:
    """The draw key of one applicant: ``SHA-256(seed + ":" + public_id)`` in hexadecimal.

    The string ``seed + ":" + public_id`` is encoded as UTF-8 and hashed with
    SHA-256; the key is the 64-character lower-case hexadecimal digest.  The
    lottery order is the applicants sorted by key, smallest first (comparing
    the hexadecimal strings is comparing the 256-bit numbers).  Anyone with
    the published seed and list of public numbers can repeat the draw, e.g.
    with ``printf '%s' 'semarang-2026:K-001' | sha256sum``.  The seed must be
    published only after applications close, so nobody can choose a number.

    Examples
    --------
    >>> lottery_key("semarang-2026", "K-001")
    '70ba6cdf0387ee3d257bb32571e817d35888e7e549865804a8ca7eac1cb7f6ad'
    >>> lottery_key("semarang-2026", "K-004")
    '3d7a328988de1171969e9f75251018414b3b1f053b4bb3f99070dae706f9a9a8'
    """
    return hashlib.sha256(f"{seed}:{public_id}".encode()).hexdigest()


def panel_score(scores: Mapping[str, Number], weights: Mapping[str, Number]) -> Fraction:
    """The weighted panel score :math:`S = \\sum_c w_c s_c`, computed exactly.

    A criterion in ``weights`` without a score counts as :math:`s_c = 0`.  The
    sum is taken over exact fractions (a float is read as its shortest decimal
    form, 0.1 as 1/10), so two applicants with the same weighted total tie
    exactly, whatever the order of the terms: ``0.1 × 3`` ties with ``0.3 × 1``.

    Raises
    ------
    InvalidInput
        If a score is for a criterion without a weight (a misspelt criterion
        would otherwise be silently ignored), or a number is not finite.

    Examples
    --------
    >>> float(panel_score({"motivation": 4, "relevance": 3}, {"motivation": 2, "relevance": 1}))
    11.0
    >>> float(panel_score({"motivation": 4}, {"motivation": 0.5, "relevance": 0.5}))
    2.0
    """
    unknown = sorted(set(scores) - set(weights))
    if unknown:
        raise InvalidInput(f"scores for criteria without a weight: {unknown}")
    return sum(
        (
            _exact(f"weight of {c!r}", w) * _exact(f"score of {c!r}", scores.get(c, 0))
            for c, w in weights.items()
        ),
        Fraction(0),
    )


def _exact(what: str, value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise InvalidInput(f"the {what} must be a number; got {value!r}")
    if not math.isfinite(float(value)):
        raise InvalidInput(f"the {what} must be finite; got {value!r}")
    if isinstance(value, numbers.Rational | Decimal):
        return Fraction(value)
    return Fraction(repr(float(value)))


def method_order(
    applicants: Iterable[Applicant],
    method: Method,
    *,
    seed: str | None = None,
    weights: Mapping[str, Number] | None = None,
) -> list[Applicant]:
    """The applicants in the order the method gives places.

    Parameters
    ----------
    applicants : iterable of Applicant
    method : {"first_come", "lottery", "panel"}
    seed : str, optional
        The published lottery seed (lottery only; required there).
    weights : mapping of str to number, optional
        Criterion weights ≥ 0 (panel only; required there, not empty).

    Returns
    -------
    list of Applicant

    Notes
    -----
    * first come: arrival ascending;
    * lottery: :func:`lottery_key` ascending;
    * panel: :func:`panel_score` descending, then arrival ascending.

    Remaining ties go to the earlier arrival, then the smaller public number,
    so the order never depends on the order of the input.

    Examples
    --------
    The lottery of the four applicants of :func:`lottery_key`'s example, keys
    ``70ba…`` (K-001), ``c0db…`` (K-002), ``79d8…`` (K-003), ``3d7a…`` (K-004):

    >>> people = [Applicant(f"K-00{n}", n) for n in (1, 2, 3, 4)]
    >>> [a.id for a in method_order(people, "lottery", seed="semarang-2026")]
    ['K-004', 'K-001', 'K-003', 'K-002']
    """
    people = _checked_applicants(applicants)
    by_arrival = sorted(people, key=lambda a: (a.arrival, a.id))
    if method == "first_come":
        return by_arrival
    if method == "lottery":
        if not isinstance(seed, str) or not seed:
            raise InvalidInput("a lottery needs a published seed (a non-empty string)")
        return sorted(people, key=lambda a: (lottery_key(seed, a.id), a.id))
    if method == "panel":
        if not weights:
            raise InvalidInput("a panel needs criteria weights")
        for criterion, weight in weights.items():
            if _exact(f"weight of {criterion!r}", weight) < 0:
                raise InvalidInput(f"the weight of {criterion!r} must be ≥ 0; got {weight!r}")
        score = {a.id: panel_score(a.scores, weights) for a in people}
        # sorted() is stable: equal scores keep the arrival order.
        return sorted(by_arrival, key=lambda a: -score[a.id])
    raise InvalidInput(f"method must be one of {get_args(Method)}; got {method!r}")


def _checked_applicants(applicants: Iterable[Applicant]) -> list[Applicant]:
    people = list(applicants)
    seen: set[str] = set()
    kinds: set[str] = set()
    for applicant in people:
        if not isinstance(applicant, Applicant):
            raise InvalidInput(f"applicants must be Applicant; got {applicant!r}")
        if not isinstance(applicant.id, str) or not applicant.id:
            raise InvalidInput(f"a public number must be a non-empty string; got {applicant.id!r}")
        if applicant.id in seen:
            raise InvalidInput(f"public number {applicant.id!r} appears twice")
        seen.add(applicant.id)
        arrival = applicant.arrival
        if isinstance(arrival, datetime):
            if arrival.tzinfo is None:
                raise InvalidInput(f"arrival of {applicant.id!r} must be an aware datetime")
            kinds.add("datetime")
        elif isinstance(arrival, bool) or not isinstance(arrival, int | float):
            raise InvalidInput(f"arrival of {applicant.id!r} must be a number or a datetime")
        elif not math.isfinite(arrival):
            raise InvalidInput(f"arrival of {applicant.id!r} must be finite; got {arrival!r}")
        else:
            kinds.add("number")
    if len(kinds) > 1:
        raise InvalidInput("arrivals must be all numbers or all datetimes, not a mix")
    return people


def _checked_reservations(
    reservations: Iterable[Reservation | tuple[str, str, int]], places: int
) -> tuple[Reservation, ...]:
    checked: list[Reservation] = []
    for item in reservations:
        reservation = item if isinstance(item, Reservation) else Reservation(*item)  # type: ignore[arg-type]
        if reservation.dimension not in get_args(Dimension):
            raise InvalidInput(
                f"a reservation's dimension must be one of {get_args(Dimension)}; "
                f"got {reservation.dimension!r}"
            )
        if not isinstance(reservation.value, str) or not reservation.value:
            raise InvalidInput(f"a reservation's value must be a code; got {reservation.value!r}")
        count = reservation.places
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidInput(f"{reservation.code} must keep a whole number ≥ 1 of places")
        if any(r.code == reservation.code for r in checked):
            raise InvalidInput(f"{reservation.code} is reserved twice")
        checked.append(reservation)
    reserved = sum(r.places for r in checked)
    if reserved > places:
        raise InvalidInput(f"{reserved} places are reserved, more than the {places} places")
    return tuple(checked)


# --- Allocation -----------------------------------------------------------------------------


def allocate(
    applicants: Iterable[Applicant],
    *,
    places: int,
    method: Method,
    reservations: Iterable[Reservation | tuple[str, str, int]] = (),
    seed: str | None = None,
    weights: Mapping[str, Number] | None = None,
) -> Allocation:
    """Give the places of an opportunity: reserved ones first, then general, then a waiting list.

    Parameters
    ----------
    applicants : iterable of Applicant
        The eligible applicants, in any order; public numbers unique.
    places : int
        Places on offer, ≥ 0.
    method : {"first_come", "lottery", "panel"}
    reservations : iterable of Reservation or (dimension, value, places)
        Places kept for applicants whose ``dimension`` (``"kecamatan"``,
        ``"group"`` or ``"age_band"``) equals ``value``; together at most
        ``places``, each code at most once.
    seed : str, optional
        The published seed of a lottery (see :func:`lottery_key`).
    weights : mapping of str to number, optional
        The panel's criterion weights (see :func:`panel_score`).

    Returns
    -------
    Allocation

    Raises
    ------
    InvalidInput
        If an argument is invalid (the message says which).

    Notes
    -----
    With the applicants in method order (:func:`method_order`):

    1. Each reservation, in the order given, takes the first ``places``
       applicants who match it and have no place yet.  An applicant takes at
       most one place, so when reservations overlap (a student of a reserved
       kecamatan under a reserved group) the earlier reservation has them:
       list the narrowest reservation first.
    2. Reserved places left empty (too few matching applicants) are released:
       they join the general places and are listed in ``released``.
    3. The general places (``places`` − reserved places taken) go to the
       first applicants in method order who have no place yet.
    4. Everyone else waits, in method order.

    So ``len(confirmed) == min(places, len(applicants))`` and nobody is both
    confirmed and waiting.

    Examples
    --------
    Five applicants by arrival, three places, one kept for kecamatan
    33.74.16 (Tugu):

    >>> people = [
    ...     Applicant("K-1", 1, kecamatan="33.74.01"),
    ...     Applicant("K-2", 2, kecamatan="33.74.01"),
    ...     Applicant("K-3", 3, kecamatan="33.74.02"),
    ...     Applicant("K-4", 4, kecamatan="33.74.16"),
    ...     Applicant("K-5", 5, kecamatan="33.74.16"),
    ... ]
    >>> result = allocate(people, places=3, method="first_come",
    ...                   reservations=[("kecamatan", "33.74.16", 1)])
    >>> result.confirmed, result.waiting
    (('K-1', 'K-2', 'K-4'), ('K-3', 'K-5'))
    >>> result.reasons["K-4"], result.reasons["K-1"], result.reasons["K-3"]
    ('reserved:kecamatan:33.74.16', 'general', 'waiting')

    A reservation nobody can use is released to everyone:

    >>> result = allocate(people, places=3, method="first_come",
    ...                   reservations=[("group", "farmers", 2)])
    >>> result.confirmed, result.released
    (('K-1', 'K-2', 'K-3'), (Reservation(dimension='group', value='farmers', places=2),))
    """
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise InvalidInput(f"places must be a whole number ≥ 0; got {places!r}")
    kept = _checked_reservations(reservations, places)
    ordered = method_order(applicants, method, seed=seed, weights=weights)
    reasons: dict[str, str] = {}
    released: list[Reservation] = []
    for reservation in kept:
        taken = 0
        for applicant in ordered:
            if taken == reservation.places:
                break
            if applicant.id not in reasons and applicant.matches(reservation):
                reasons[applicant.id] = reservation.code
                taken += 1
        if taken < reservation.places:
            released.append(replace(reservation, places=reservation.places - taken))
    free = places - len(reasons)
    for applicant in ordered:
        if free == 0:
            break
        if applicant.id not in reasons:
            reasons[applicant.id] = GENERAL
            free -= 1
    for applicant in ordered:
        reasons.setdefault(applicant.id, WAITING)
    return Allocation(
        method=method,
        places=places,
        reservations=kept,
        confirmed=tuple(a.id for a in ordered if reasons[a.id] != WAITING),
        waiting=tuple(a.id for a in ordered if reasons[a.id] == WAITING),
        reasons={a.id: reasons[a.id] for a in ordered},
        released=tuple(released),
        order=tuple(a.id for a in ordered),
        applicants={a.id: a for a in ordered},
    )


def promote(result: Allocation, cancelled_id: str) -> Allocation:
    """Record a cancellation and give the freed place to the next one waiting.

    Parameters
    ----------
    result : Allocation
        From :func:`allocate` or an earlier :func:`promote`.
    cancelled_id : str
        The public number of the applicant who cancels, confirmed or waiting.

    Returns
    -------
    Allocation
        A new result; ``result`` is not changed.

    Raises
    ------
    InvalidInput
        If ``cancelled_id`` is not a confirmed or waiting applicant of
        ``result``.

    Notes
    -----
    * A waiting applicant who cancels leaves the waiting list; nobody moves up.
    * A place taken under a reservation goes to the first waiting applicant
      who matches that reservation, with the same reason code.  When nobody
      waiting matches, the place is released (added to ``released``) and
      goes to the first one waiting, as a general place.
    * A general place goes to the first one waiting.
    * With nobody waiting the place stays empty.

    The promoted applicant is appended to ``confirmed``; the cancelled one to
    ``cancelled``, with reason ``"cancelled"``.

    Examples
    --------
    >>> people = [Applicant("K-1", 1), Applicant("K-2", 2, group="farmers"),
    ...           Applicant("K-3", 3), Applicant("K-4", 4, group="farmers")]
    >>> result = allocate(people, places=2, method="first_come",
    ...                   reservations=[("group", "farmers", 1)])
    >>> result.confirmed, result.waiting
    (('K-1', 'K-2'), ('K-3', 'K-4'))
    >>> after = promote(result, "K-2")
    >>> after.confirmed, after.waiting, after.reasons["K-4"]
    (('K-1', 'K-4'), ('K-3',), 'reserved:group:farmers')
    >>> after = promote(after, "K-1")
    >>> after.confirmed, after.waiting, after.reasons["K-3"]
    (('K-4', 'K-3'), (), 'general')
    """
    reason = result.reasons.get(cancelled_id)
    if reason is None or reason == CANCELLED:
        raise InvalidInput(f"{cancelled_id!r} is not confirmed or waiting in this result")
    reasons = dict(result.reasons)
    reasons[cancelled_id] = CANCELLED
    waiting = [i for i in result.waiting if i != cancelled_id]
    confirmed = [i for i in result.confirmed if i != cancelled_id]
    released = list(result.released)
    if reason != WAITING and waiting:
        reservation = next((r for r in result.reservations if r.code == reason), None)
        chosen: str | None = None
        if reservation is not None:
            chosen = next((i for i in waiting if result.applicants[i].matches(reservation)), None)
            if chosen is None:
                released = _add_released(released, reservation)
        if chosen is None:
            chosen = waiting[0]
            reason = GENERAL
        waiting.remove(chosen)
        confirmed.append(chosen)
        reasons[chosen] = reason
    return replace(
        result,
        confirmed=tuple(confirmed),
        waiting=tuple(waiting),
        reasons=reasons,
        released=tuple(released),
        cancelled=(*result.cancelled, cancelled_id),
    )


def _add_released(released: Sequence[Reservation], reservation: Reservation) -> list[Reservation]:
    for position, item in enumerate(released):
        if item.code == reservation.code:
            return [
                *released[:position],
                replace(item, places=item.places + 1),
                *released[position + 1 :],
            ]
    return [*released, replace(reservation, places=1)]
