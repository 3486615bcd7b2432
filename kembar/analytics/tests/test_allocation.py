from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kembar.analytics.allocation import (
    Allocation,
    Applicant,
    Reservation,
    allocate,
    lottery_key,
    method_order,
    panel_score,
    promote,
)
from kembar.analytics.exceptions import InvalidInput

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)

PEOPLE = [
    Applicant("K-001", 1, kecamatan="33.74.01", group="students_youth"),
    Applicant("K-002", 2, kecamatan="33.74.01", group="sme"),
    Applicant("K-003", 3, kecamatan="33.74.16", group="sme"),
    Applicant("K-004", 4, kecamatan=None, group="students_youth"),
    Applicant("K-005", 5, kecamatan="33.74.16", group="farmers"),
    Applicant("K-006", 6, kecamatan="33.74.02", group="farmers"),
]


# --- Exact examples -------------------------------------------------------------------------


def test_first_come_with_a_kecamatan_and_a_group_reservation() -> None:
    result = allocate(
        reversed(PEOPLE),
        places=4,
        method="first_come",
        reservations=[("kecamatan", "33.74.16", 1), ("group", "farmers", 1)],
    )

    # 33.74.16 takes K-003 (earliest there), farmers take K-005 (earliest farmer),
    # the two general places K-001 and K-002.
    assert result.confirmed == ("K-001", "K-002", "K-003", "K-005")
    assert result.waiting == ("K-004", "K-006")
    assert result.reasons == {
        "K-001": "general",
        "K-002": "general",
        "K-003": "reserved:kecamatan:33.74.16",
        "K-004": "waiting",
        "K-005": "reserved:group:farmers",
        "K-006": "waiting",
    }
    assert result.released == ()
    assert result.order == ("K-001", "K-002", "K-003", "K-004", "K-005", "K-006")


def test_first_come_by_aware_datetime_then_public_number() -> None:
    people = [
        Applicant("B", T0 + timedelta(seconds=1)),
        Applicant("C", T0),
        Applicant("A", T0 + timedelta(seconds=1)),
    ]

    result = allocate(people, places=2, method="first_come")

    assert result.confirmed == ("C", "A")
    assert result.waiting == ("B",)


def test_lottery_order_is_the_sorted_sha256_of_seed_and_number() -> None:
    seed = "semarang-2026"
    keys = {a.id: hashlib.sha256(f"{seed}:{a.id}".encode()).hexdigest() for a in PEOPLE}
    assert keys["K-001"] == "70ba6cdf0387ee3d257bb32571e817d35888e7e549865804a8ca7eac1cb7f6ad"
    assert {i: lottery_key(seed, i) for i in keys} == keys

    result = allocate(PEOPLE, places=3, method="lottery", seed=seed)

    assert result.order == tuple(sorted(keys, key=keys.__getitem__))
    # Keys start 3d7a, 70ba, 79d8, a72f, c0db, f7db.
    assert result.order == ("K-004", "K-001", "K-003", "K-005", "K-002", "K-006")
    assert result.confirmed == ("K-004", "K-001", "K-003")
    assert result.waiting == ("K-005", "K-002", "K-006")


def test_lottery_with_a_reservation() -> None:
    result = allocate(
        PEOPLE,
        places=3,
        method="lottery",
        seed="semarang-2026",
        reservations=[Reservation("kecamatan", "33.74.16", 2)],
    )

    assert result.confirmed == ("K-004", "K-003", "K-005")
    assert result.reasons["K-003"] == "reserved:kecamatan:33.74.16"
    assert result.reasons["K-005"] == "reserved:kecamatan:33.74.16"
    assert result.reasons["K-004"] == "general"
    assert result.waiting == ("K-001", "K-002", "K-006")


def test_panel_weighted_score_ties_by_arrival_missing_scores_zero() -> None:
    weights = {"motivation": 2, "relevance": 1}
    people = [
        Applicant("P-1", 1, scores={"motivation": 3, "relevance": 4}),  # 10
        Applicant("P-2", 2, scores={"motivation": 5}),  # 10, arrived later
        Applicant("P-3", 3, scores={"motivation": 4, "relevance": 4}),  # 12
        Applicant("P-4", 4),  # 0
        Applicant("P-5", 5, scores={"relevance": 9}),  # 9
    ]

    result = allocate(people, places=2, method="panel", weights=weights)

    assert result.order == ("P-3", "P-1", "P-2", "P-5", "P-4")
    assert result.confirmed == ("P-3", "P-1")
    assert result.waiting == ("P-2", "P-5", "P-4")
    assert panel_score(people[0].scores, weights) == 10


def test_panel_decimal_weights_tie_exactly() -> None:
    weights = {"a": 0.1, "b": 0.2}
    people = [Applicant("late", 2, scores={"a": 3}), Applicant("early", 1, scores={"b": 1.5})]

    assert [a.id for a in method_order(people, "panel", weights=weights)] == ["early", "late"]


def test_panel_accepts_decimal_and_fraction_weights() -> None:
    from decimal import Decimal
    from fractions import Fraction

    assert panel_score({"a": 3, "b": 2}, {"a": Decimal("0.5"), "b": Fraction(1, 4)}) == 2


def test_released_reservation_goes_to_the_general_pool() -> None:
    result = allocate(
        PEOPLE,
        places=3,
        method="first_come",
        reservations=[("kecamatan", "33.74.16", 1), ("group", "fishers", 1)],
    )

    assert result.released == (Reservation("group", "fishers", 1),)
    assert result.confirmed == ("K-001", "K-002", "K-003")
    assert result.reasons["K-003"] == "reserved:kecamatan:33.74.16"


def test_overlapping_reservations_the_earlier_one_has_the_applicant() -> None:
    # K-005 is both in 33.74.16 and a farmer; the kecamatan reservation comes first.
    result = allocate(
        [PEOPLE[4], PEOPLE[5]],
        places=2,
        method="first_come",
        reservations=[("kecamatan", "33.74.16", 1), ("group", "farmers", 1)],
    )

    assert result.reasons == {
        "K-005": "reserved:kecamatan:33.74.16",
        "K-006": "reserved:group:farmers",
    }


def test_more_places_than_applicants() -> None:
    result = allocate(PEOPLE[:2], places=5, method="first_come")

    assert result.confirmed == ("K-001", "K-002")
    assert result.waiting == ()


def test_promote_reserved_place_to_the_next_matching() -> None:
    result = allocate(PEOPLE, places=3, method="first_come", reservations=[("group", "farmers", 1)])
    assert result.confirmed == ("K-001", "K-002", "K-005")

    after = promote(result, "K-005")

    assert after.confirmed == ("K-001", "K-002", "K-006")
    assert after.waiting == ("K-003", "K-004")
    assert after.reasons["K-006"] == "reserved:group:farmers"
    assert after.reasons["K-005"] == "cancelled"
    assert after.cancelled == ("K-005",)
    assert result.confirmed == ("K-001", "K-002", "K-005")  # unchanged


def test_promote_reserved_place_released_when_nobody_matches() -> None:
    result = allocate(
        PEOPLE[:5], places=3, method="first_come", reservations=[("group", "farmers", 1)]
    )
    assert result.confirmed == ("K-001", "K-002", "K-005")

    after = promote(result, "K-005")

    assert after.confirmed == ("K-001", "K-002", "K-003")
    assert after.reasons["K-003"] == "general"
    assert after.released == (Reservation("group", "farmers", 1),)
    assert after.waiting == ("K-004",)


def test_promote_a_waiting_applicant_just_leaves() -> None:
    result = allocate(PEOPLE, places=2, method="first_come")

    after = promote(result, "K-004")

    assert after.confirmed == ("K-001", "K-002")
    assert after.waiting == ("K-003", "K-005", "K-006")
    with pytest.raises(InvalidInput, match="K-004"):
        promote(after, "K-004")
    with pytest.raises(InvalidInput, match="nobody"):
        promote(after, "nobody")


def test_promote_with_nobody_waiting_leaves_the_place_empty() -> None:
    result = allocate(PEOPLE[:2], places=2, method="first_come")

    after = promote(result, "K-001")

    assert after.confirmed == ("K-002",)
    assert after.waiting == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"places": -1, "method": "first_come"}, "places"),
        ({"places": 2, "method": "raffle"}, "method"),
        ({"places": 2, "method": "lottery"}, "seed"),
        ({"places": 2, "method": "lottery", "seed": ""}, "seed"),
        ({"places": 2, "method": "panel"}, "weights"),
        ({"places": 2, "method": "panel", "weights": {"a": -1}}, "≥ 0"),
        ({"places": 2, "method": "first_come", "reservations": [("kecamatan", "x", 3)]}, "3"),
        ({"places": 2, "method": "first_come", "reservations": [("gender", "x", 1)]}, "dimension"),
        ({"places": 2, "method": "first_come", "reservations": [("group", "x", 0)]}, "≥ 1"),
        (
            {
                "places": 2,
                "method": "first_come",
                "reservations": [("group", "x", 1), ("group", "x", 1)],
            },
            "twice",
        ),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        allocate(PEOPLE, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ([Applicant("A", 1), Applicant("A", 2)], "twice"),
        ([Applicant("A", 1), Applicant("B", T0)], "mix"),
        ([Applicant("A", datetime(2026, 1, 1))], "aware"),  # noqa: DTZ001
        ([Applicant("A", float("nan"))], "finite"),
        ([Applicant("", 1)], "public number"),
    ],
)
def test_invalid_applicants(people: list[Applicant], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        allocate(people, places=1, method="first_come")


def test_unknown_panel_criterion_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="motivaton"):
        allocate(
            [Applicant("A", 1, scores={"motivaton": 5})],
            places=1,
            method="panel",
            weights={"motivation": 1},
        )


# --- Properties -----------------------------------------------------------------------------

KECAMATAN = ["33.74.01", "33.74.02", "33.74.16"]
GROUPS = ["students_youth", "sme", "farmers"]
CRITERIA = ["motivation", "relevance"]


@st.composite
def applicant_lists(draw: st.DrawFn) -> list[Applicant]:
    count = draw(st.integers(0, 25))
    numbers = draw(st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True))
    return [
        Applicant(
            id=f"K-{number:03d}",
            arrival=draw(st.integers(0, 10)),
            kecamatan=draw(st.none() | st.sampled_from(KECAMATAN)),
            group=draw(st.sampled_from(GROUPS)),
            scores=draw(st.dictionaries(st.sampled_from(CRITERIA), st.integers(0, 5))),
        )
        for number in numbers
    ]


@st.composite
def calls(draw: st.DrawFn) -> tuple[list[Applicant], dict[str, object]]:
    people = draw(applicant_lists())
    places = draw(st.integers(0, 15))
    options = [("kecamatan", k) for k in KECAMATAN] + [("group", g) for g in GROUPS]
    chosen = draw(st.lists(st.sampled_from(options), unique=True, max_size=3))
    reservations: list[tuple[str, str, int]] = []
    left = places
    for dimension, value in chosen:
        if left == 0:
            break
        n = draw(st.integers(1, left))
        reservations.append((dimension, value, n))
        left -= n
    method = draw(st.sampled_from(["first_come", "lottery", "panel"]))
    kwargs: dict[str, object] = {
        "places": places,
        "method": method,
        "reservations": reservations,
        "seed": draw(st.text(min_size=1, max_size=8)),
        "weights": {"motivation": 2, "relevance": 1},
    }
    return people, kwargs


def _allocate(people: list[Applicant], kwargs: dict[str, object]) -> Allocation:
    return allocate(people, **kwargs)  # type: ignore[arg-type]


@given(calls())
def test_places_are_filled_once_and_everyone_is_accounted_for(
    call: tuple[list[Applicant], dict[str, object]],
) -> None:
    people, kwargs = call
    result = _allocate(people, kwargs)

    assert len(result.confirmed) == min(result.places, len(people))
    assert len(set(result.confirmed)) == len(result.confirmed)
    assert len(set(result.waiting)) == len(result.waiting)
    assert not set(result.confirmed) & set(result.waiting)
    assert set(result.confirmed) | set(result.waiting) == {a.id for a in people}
    # The waiting list is in method order, and so are the confirmed.
    assert result.waiting == tuple(i for i in result.order if i in set(result.waiting))
    assert result.confirmed == tuple(i for i in result.order if i in set(result.confirmed))
    assert result.order == tuple(
        a.id
        for a in method_order(
            people,
            kwargs["method"],  # type: ignore[arg-type]
            seed=kwargs["seed"],  # type: ignore[arg-type]
            weights=kwargs["weights"],  # type: ignore[arg-type]
        )
    )


@given(calls())
def test_reservations_get_their_places_when_enough_match(
    call: tuple[list[Applicant], dict[str, object]],
) -> None:
    people, kwargs = call
    result = _allocate(people, kwargs)
    released = {r.code: r.places for r in result.released}
    taken_earlier: set[str] = set()

    for reservation in result.reservations:
        available = [a.id for a in people if a.matches(reservation) and a.id not in taken_earlier]
        holders = {i for i, reason in result.reasons.items() if reason == reservation.code}
        assert holders <= set(available)
        if len(available) >= reservation.places:
            assert len(holders) == reservation.places
            assert reservation.code not in released
        else:
            assert holders == set(available)
            assert released[reservation.code] == reservation.places - len(available)
        # The holders are the first matching ones in method order.
        first = [i for i in result.order if i in set(available)][: reservation.places]
        assert holders == set(first)
        taken_earlier |= holders


@given(calls(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(
    call: tuple[list[Applicant], dict[str, object]], rng: random.Random
) -> None:
    people, kwargs = call
    shuffled = list(people)
    rng.shuffle(shuffled)

    first, again, other = (
        _allocate(people, kwargs),
        _allocate(people, kwargs),
        _allocate(shuffled, kwargs),
    )

    assert first == again
    assert first.to_dict() == other.to_dict()


@given(applicant_lists(), st.integers(0, 15), st.text(min_size=1, max_size=8))
def test_lottery_is_the_sha256_order(people: list[Applicant], places: int, seed: str) -> None:
    result = allocate(people, places=places, method="lottery", seed=seed)

    digests = {
        a.id: hashlib.sha256((seed + ":" + a.id).encode("utf-8")).hexdigest() for a in people
    }
    assert result.order == tuple(sorted(digests, key=digests.__getitem__))


@given(applicant_lists(), st.integers(0, 15))
def test_first_come_respects_arrival_in_the_general_pool(
    people: list[Applicant], places: int
) -> None:
    result = allocate(
        people,
        places=places,
        method="first_come",
        reservations=[("group", "farmers", 1)] if places else [],
    )
    arrival = {a.id: (a.arrival, a.id) for a in people}
    general = [i for i in result.confirmed if result.reasons[i] == "general"]

    assert general == sorted(general, key=arrival.__getitem__)
    assert list(result.waiting) == sorted(result.waiting, key=arrival.__getitem__)
    if general and result.waiting:
        assert max(arrival[i] for i in general) < min(arrival[i] for i in result.waiting)


@given(calls(), st.data())
def test_promote_keeps_counts(
    call: tuple[list[Applicant], dict[str, object]], data: st.DataObject
) -> None:
    people, kwargs = call
    result = _allocate(people, kwargs)
    steps = data.draw(st.integers(0, len(people)))

    for _ in range(steps):
        candidates = [*result.confirmed, *result.waiting]
        cancelled_id = data.draw(st.sampled_from(candidates))
        was_confirmed = cancelled_id in result.confirmed
        reason = result.reasons[cancelled_id]

        after = promote(result, cancelled_id)

        if was_confirmed and result.waiting:
            assert len(after.confirmed) == len(result.confirmed)
            assert len(after.waiting) == len(result.waiting) - 1
            promoted = after.confirmed[-1]
            assert promoted in result.waiting
            reservation = next((r for r in result.reservations if r.code == reason), None)
            matching = [
                i
                for i in result.waiting
                if reservation and after.applicants[i].matches(reservation)
            ]
            if matching:
                assert promoted == matching[0]
                assert after.reasons[promoted] == reason
            else:
                assert promoted == result.waiting[0]
                assert after.reasons[promoted] == "general"
        elif was_confirmed:
            assert len(after.confirmed) == len(result.confirmed) - 1
            assert after.waiting == ()
        else:
            assert after.confirmed == result.confirmed
            assert after.waiting == tuple(i for i in result.waiting if i != cancelled_id)
        assert after.reasons[cancelled_id] == "cancelled"
        assert set(after.confirmed) | set(after.waiting) | set(after.cancelled) == {
            a.id for a in people
        }
        assert len(after.confirmed) + len(after.waiting) + len(after.cancelled) == len(people)
        assert len(after.confirmed) <= after.places
        assert after.waiting == tuple(i for i in after.order if i in set(after.waiting))
        result = after
