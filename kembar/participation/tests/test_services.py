"""Opportunity services: validation, versions, forward-only status, reservations, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kembar.common.versioning import EditConflict
from kembar.participation.models import Opportunity, OpportunityReservation
from kembar.participation.services import (
    OpportunityData,
    ReservationRow,
    opportunity_create,
    opportunity_reservations_set,
    opportunity_transition,
    opportunity_update,
    suggested_reservations,
)
from kembar.participation.tests.conftest import People
from kembar.programs.activities import ParticipantRow, activity_report_participants

pytestmark = pytest.mark.django_db

DEADLINE = timezone.now() + dt.timedelta(days=14)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def terms(**changes: Any) -> OpportunityData:
    data = OpportunityData(
        kind="exchange",
        title_id="Pertukaran pelajar ke Brisbane",
        title_en="Student exchange to Brisbane",
        places=30,
        deadline=DEADLINE,
    )
    return dataclasses.replace(data, **changes)


def create(people: People, **changes: Any) -> Opportunity:
    return opportunity_create(actor=people.officer, activity=people.activity, data=terms(**changes))


def messages(error: ValidationError) -> dict[str, list[str]]:
    return {name: [str(m) for m in items] for name, items in error.message_dict.items()}


def test_create_from_an_activity_is_a_draft_with_history(people: People) -> None:
    opportunity = create(
        people,
        eligible_kecamatan=[people.tugu],
        eligible_groups=["students_youth"],
        eligible_age_bands=["15-24"],
        panel_criteria=[{"name": " Motivation ", "weight": 2}],
    )
    assert (opportunity.status, opportunity.version, opportunity.created_by) == (
        "draft",
        1,
        people.officer,
    )
    assert opportunity.activity.partnership.local_region_id == "33.74"
    assert list(opportunity.eligible_kecamatan.values_list("kode", flat=True)) == ["33.74.03"]
    assert opportunity.panel_criteria == [{"name": "Motivation", "weight": 2}]
    # The record, then its eligible kecamatan (simple-history records the m2m change too).
    created, kecamatan = opportunity.history.order_by("history_id")
    assert (created.history_type, created.history_user, created.status) == (
        "+",
        people.officer,
        "draft",
    )
    assert [row.region_id for row in kecamatan.eligible_kecamatan.all()] == ["33.74.03"]


def test_create_reports_every_problem(people: People) -> None:
    magelang = people.tugu.__class__.objects.get(kode="33.71.01")
    with pytest.raises(ValidationError) as raised:
        create(
            people,
            kind="picnic",
            title_id=" ",
            places=-1,
            eligible_kecamatan=[magelang],
            eligible_groups=["students_youth", "pirates"],
            eligible_age_bands=["15-24", "15-24"],
            panel_criteria=[{"name": "Motivation", "weight": 0}, {"name": "x"}],
        )
    assert messages(raised.value) == {
        "kind": ["Choose one of the kinds listed."],
        "title_id": ["Give the title in Indonesian."],
        "places": ["Give the number of places as a whole number, 0 or more."],
        "eligible_kecamatan": ["Magelang Selatan is not a kecamatan of the activity's region."],
        "eligible_groups": [
            "Choose from the codes listed: government, business, academia, students_youth, "
            "civil_society, community, media."
        ],
        "eligible_age_bands": ["Name each code once."],
        "panel_criteria": [
            "The weight of “Motivation” must be a number above 0.",
            "Each criterion needs a name and a weight, nothing else.",
        ],
    }
    assert Opportunity.objects.count() == 0


@pytest.mark.parametrize("who", ["agency_officer", "officer"])
def test_the_agency_and_the_cooperation_office_may_create(people: People, who: str) -> None:
    opportunity = opportunity_create(
        actor=getattr(people, who), activity=people.activity, data=terms()
    )
    assert opportunity.created_by == getattr(people, who)


@pytest.mark.parametrize("who", ["other_agency_officer", "magelang_officer", "council"])
def test_others_may_not_create(people: People, who: str) -> None:
    with pytest.raises(PermissionDenied):
        opportunity_create(actor=getattr(people, who), activity=people.activity, data=terms())
    assert Opportunity.objects.count() == 0


def test_update_with_a_stale_version_is_refused(people: People) -> None:
    opportunity = create(people)
    opportunity_update(
        actor=people.agency_officer,
        opportunity=opportunity,
        data=terms(places=40),
        expected_version=1,
    )
    with pytest.raises(EditConflict) as raised:
        opportunity_update(
            actor=people.officer, opportunity=opportunity, data=terms(places=25), expected_version=1
        )
    [conflict] = raised.value.conflicts
    assert (conflict.field, conflict.base, conflict.current, conflict.yours) == (
        "places",
        30,
        40,
        25,
    )
    opportunity.refresh_from_db()
    assert (opportunity.places, opportunity.version) == (40, 2)


def test_status_moves_forward_one_step_at_a_time(people: People) -> None:
    opportunity = create(people)
    with pytest.raises(ValidationError) as raised:
        opportunity_transition(actor=people.officer, opportunity=opportunity, target="closed")
    assert messages(raised.value) == {"status": ["A call that is draft cannot become closed."]}
    for target in ("published", "closed", "results_published"):
        opportunity = opportunity_transition(
            actor=people.officer, opportunity=opportunity, target=target, reason=f"to {target}"
        )
    assert (opportunity.status, opportunity.version) == ("results_published", 4)
    with pytest.raises(ValidationError):
        opportunity_transition(actor=people.officer, opportunity=opportunity, target="published")
    rows = list(
        opportunity.history.order_by("history_id").values_list(
            "status", "status_reason", "history_change_reason", "history_user"
        )
    )
    assert rows == [
        ("draft", "", None, people.officer.pk),
        ("published", "to published", "to published", people.officer.pk),
        ("closed", "to closed", "to closed", people.officer.pk),
        ("results_published", "to results_published", "to results_published", people.officer.pk),
    ]


def test_publishing_needs_places_a_future_deadline_and_both_titles(people: People) -> None:
    opportunity = create(
        people, places=0, deadline=timezone.now() - dt.timedelta(minutes=1), title_en=""
    )
    with pytest.raises(ValidationError) as raised:
        opportunity_transition(actor=people.officer, opportunity=opportunity, target="published")
    assert messages(raised.value) == {
        "places": ["A published call needs at least one place."],
        "deadline": ["A published call needs a deadline in the future."],
        "title_en": ["A published call needs its title in English."],
    }
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.version, opportunity.history.count()) == ("draft", 1, 1)


def test_a_lottery_needs_its_seed_before_results(people: People) -> None:
    opportunity = create(people, allocation="lottery")
    for target in ("published", "closed"):
        opportunity = opportunity_transition(
            actor=people.officer, opportunity=opportunity, target=target
        )
    with pytest.raises(ValidationError) as raised:
        opportunity_transition(
            actor=people.officer, opportunity=opportunity, target="results_published"
        )
    assert messages(raised.value) == {
        "lottery_seed": ["A lottery's seed must be given before its results."]
    }


def test_a_panel_needs_criteria_to_publish(people: People) -> None:
    opportunity = create(people, allocation="panel")
    with pytest.raises(ValidationError) as raised:
        opportunity_transition(actor=people.officer, opportunity=opportunity, target="published")
    assert messages(raised.value) == {
        "panel_criteria": ["Selection by a panel needs its criteria."]
    }


def test_another_region_may_not_move_a_call(people: People) -> None:
    opportunity = create(people)
    with pytest.raises(PermissionDenied):
        opportunity_transition(
            actor=people.magelang_officer, opportunity=opportunity, target="published"
        )
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.version) == ("draft", 1)


def test_reserved_places_at_most_the_places(people: People) -> None:
    opportunity = create(people, places=10)
    rows = [
        ReservationRow("kecamatan", "33.74.03", 6, "where to act"),
        ReservationRow("group", "community", 5),
    ]
    with pytest.raises(ValidationError) as raised:
        opportunity_reservations_set(
            actor=people.officer, opportunity=opportunity, rows=rows, expected_version=1
        )
    assert messages(raised.value) == {
        "reservations": ["11 places reserved, more than the 10 places of the call."]
    }
    rows[1] = ReservationRow("group", "community", 4)
    opportunity = opportunity_reservations_set(
        actor=people.officer, opportunity=opportunity, rows=rows, expected_version=1
    )
    assert list(
        OpportunityReservation.objects.order_by("dimension").values_list(
            "dimension", "kecamatan", "group", "places", "reason"
        )
    ) == [("group", None, "community", 4, ""), ("kecamatan", "33.74.03", "", 6, "where to act")]
    assert opportunity.version == 2
    assert OpportunityReservation.history.count() == 2
    with pytest.raises(ValidationError) as raised:
        opportunity_update(
            actor=people.officer, opportunity=opportunity, data=terms(places=9), expected_version=2
        )
    assert messages(raised.value) == {
        "places": ["10 places are reserved; the call cannot have fewer places."]
    }


def test_reservations_name_kecamatan_of_the_region_and_known_groups(people: People) -> None:
    opportunity = create(people)
    rows = [
        ReservationRow("kecamatan", "33.71.01", 2),
        ReservationRow("group", "pirates", 2),
        ReservationRow("group", "media", 0),
    ]
    with pytest.raises(ValidationError) as raised:
        opportunity_reservations_set(
            actor=people.officer, opportunity=opportunity, rows=rows, expected_version=1
        )
    assert messages(raised.value) == {
        "reservations": [
            "33.71.01 is not a kecamatan of the activity's region.",
            "pirates is not a stakeholder group.",
            "Reserve at least one place in each row.",
        ]
    }


def test_suggested_reservations_from_where_to_act(people: People) -> None:
    # 50 people of Semarang Tengah took part: Utara misses 0.2 × 50 = 10, Tugu 0.7 × 50 = 35.
    activity_report_participants(
        actor=people.officer,
        activity=people.activity,
        rows=[ParticipantRow("local", "government", "male", "25-44", 50, people.tengah)],
        local_total=50,
        partner_total=0,
    )
    opportunity = create(people, places=30)
    # 30% of 30 places = 9, shared 35 : 10 → 7 and 2.
    assert suggested_reservations(opportunity, user=people.officer) == [
        ReservationRow(
            "kecamatan",
            "33.74.03",
            7,
            "Where to act: Tugu has 35 fewer participants than its share.",
        ),
        ReservationRow(
            "kecamatan",
            "33.74.02",
            2,
            "Where to act: Semarang Utara has 10 fewer participants than its share.",
        ),
    ]
    narrowed = create(people, places=30, eligible_kecamatan=[people.utara])
    assert [row.code for row in suggested_reservations(narrowed, user=people.officer)] == [
        "33.74.02"
    ]
    assert [row.places for row in suggested_reservations(narrowed, user=people.officer)] == [9]
