"""Registration: codes, places, waiting list, reservations, cancellation, check-in and counting."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from kembar.participation.models import (
    Opportunity,
    OpportunityReservation,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)
from kembar.participation.registrations import (
    RegistrationRefused,
    check_in,
    check_in_undo,
    opportunity_select,
    registration_cancel,
    registration_confirm,
    registration_start,
    waiting_position,
)
from kembar.participation.services import opportunity_transition
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import kelurahan, person, published_call, register
from kembar.programs.models import CountSource, ParticipantCount, ParticipantRollup
from kembar.programs.rollup import activity_rollup_key, rollup_differences, rollup_refresh


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are asserted in English (the officer's and resident's choice)."""
    with translation.override("en"):
        yield


def _code_from(message: mail.EmailMessage) -> str:
    found = re.search(r"\b(\d{6})\b", str(message.subject))
    assert found is not None
    return found.group(1)


def _statuses(opportunity: Opportunity) -> list[tuple[str, str, str]]:
    return [
        (r.name, r.status, r.place)
        for r in Registration.objects.filter(opportunity=opportunity).order_by("rank")
    ]


def test_a_code_confirms_the_contact_then_the_place_is_given(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    call = published_call(people.activity, places=2)
    home = kelurahan("33.74.01", name="Pekunden")
    registration = registration_start(
        opportunity=call, email=" Sari@Example.TEST ", data=person(home=home)
    )
    assert (registration.status, registration.resident.email) == ("pending", "sari@example.test")
    assert registration.home_kecamatan_id == "33.74.01"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sari@example.test"]
    code = _code_from(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(RegistrationRefused) as refused:
        registration_confirm(registration=registration, code=wrong)
    assert (refused.value.code, refused.value.message) == (
        "code_wrong",
        "That code is not right. Tries left: 2.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = registration_confirm(registration=registration, code=code)
    assert (confirmed.status, confirmed.place, confirmed.rank) == ("confirmed", "general", 1)
    # The confirmation e-mail, from the task queue, with the check-in code and the data link.
    assert mail.outbox[1].subject == f"[Kembar] Tempat Anda: {call.title_id}"
    assert confirmed.checkin_code in mail.outbox[1].body
    assert "/warga/data/" in mail.outbox[1].body
    # Given again, the code is spent and nothing is told.
    with pytest.raises(RegistrationRefused) as spent:
        registration_confirm(registration=registration, code=code)
    assert (spent.value.code, spent.value.message) == (
        "state",
        "This registration needs no code any more.",
    )
    kinds = list(
        RegistrationEvent.objects.filter(registration=registration).values_list("kind", flat=True)
    )
    assert kinds == ["started", "confirmed", "placed"]


def test_three_wrong_codes_and_the_code_is_spent(people: People) -> None:
    call = published_call(people.activity)
    registration = registration_start(opportunity=call, email="a@example.test", data=person())
    for left in ("2", "1"):
        with pytest.raises(RegistrationRefused, match=f"Tries left: {left}"):
            registration_confirm(registration=registration, code="000001")
    with pytest.raises(RegistrationRefused, match="Ask for a new code"):
        registration_confirm(registration=registration, code="000001")
    code = _code_from(mail.outbox[0])
    with pytest.raises(RegistrationRefused) as refused:
        registration_confirm(registration=registration, code=code)
    assert refused.value.code == "code_tries"


def test_an_expired_code_is_refused(people: People) -> None:
    call = published_call(people.activity)
    registration = registration_start(opportunity=call, email="a@example.test", data=person())
    Registration.objects.filter(pk=registration.pk).update(
        code_sent_at=timezone.now() - timedelta(minutes=6)
    )
    registration.refresh_from_db()
    with pytest.raises(RegistrationRefused) as refused:
        registration_confirm(registration=registration, code=_code_from(mail.outbox[0]))
    assert refused.value.code == "code_expired"


def test_what_the_call_needs_is_checked_all_at_once(people: People) -> None:
    call = published_call(
        people.activity,
        eligible_groups=["academia"],
        eligible_age_bands=["25-44"],
        questions=[{"key": "why", "text_id": "Mengapa?", "text_en": "Why?", "required": True}],
    )
    call.eligible_kecamatan.set([people.tugu])
    with pytest.raises(ValidationError) as error:
        registration_start(
            opportunity=call,
            email="not an address",
            data=person(name="", home=kelurahan("33.74.01"), consents=()),
        )
    assert error.value.message_dict == {
        "email": ["Give a valid e-mail address, for example nama@contoh.id."],
        "name": ["Give your name."],
        "home_kelurahan": ["This call is only for people living in the kecamatan it names."],
        "group": ["This call is not open to your group."],
        "age_band": ["This call is only for the age bands it names."],
        "answers": ["Answer the question “Mengapa?”."],
        "consents": [
            "To take part, agree that your data is used to run this call (the first box)."
        ],
    }
    assert Registration.objects.count() == 0


def test_first_come_then_the_waiting_list_in_order_and_no_duplicate(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    call = published_call(people.activity, places=2)
    for number in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            register(call, f"p{number}@example.test", person(name=f"P{number}"))
    assert _statuses(call) == [
        ("P0", "confirmed", "general"),
        ("P1", "confirmed", "general"),
        ("P2", "waiting", ""),
        ("P3", "waiting", ""),
    ]
    with pytest.raises(RegistrationRefused) as refused:
        register(call, "P0@example.test", person(name="P0 again"))
    assert refused.value.code == "duplicate"
    p3 = Registration.objects.get(name="P3")
    assert waiting_position(p3) == 2
    # A cancelled place goes to the first one waiting.
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=Registration.objects.get(name="P1"))
    assert _statuses(call) == [
        ("P0", "confirmed", "general"),
        ("P1", "cancelled", ""),
        ("P2", "confirmed", "general"),
        ("P3", "waiting", ""),
    ]
    assert waiting_position(Registration.objects.get(name="P3")) == 1
    assert [message.subject.split(":")[0] for message in mail.outbox] == [
        "[Kembar] Tempat Anda",
        "[Kembar] Tempat Anda",
        "[Kembar] Dalam daftar tunggu",
        "[Kembar] Dalam daftar tunggu",
        "[Kembar] Pendaftaran dibatalkan",
        "[Kembar] Tempat Anda",
    ]
    assert mail.outbox[5].to == ["p2@example.test"]


def test_a_closed_call_takes_no_registration(people: People) -> None:
    call = published_call(people.activity, deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RegistrationRefused) as refused:
        register(call, "late@example.test")
    assert (refused.value.code, refused.value.message) == (
        "closed",
        "This call is closed: registrations are no longer taken.",
    )


def test_reserved_places_wait_for_their_people_then_go_to_the_list(people: People) -> None:
    call = published_call(people.activity, places=3)
    OpportunityReservation.objects.create(
        opportunity=call, dimension="kecamatan", kecamatan=people.tugu, places=1
    )
    tugu = kelurahan("33.74.03")
    tengah = kelurahan("33.74.01")
    for name in ("A", "B", "C"):
        register(call, f"{name}@example.test", person(name=name, home=tengah))
    # Two general places taken; the third place is kept for Tugu.
    assert _statuses(call) == [
        ("A", "confirmed", "general"),
        ("B", "confirmed", "general"),
        ("C", "waiting", ""),
    ]
    register(call, "d@example.test", person(name="D", home=tugu))
    assert _statuses(call)[-1] == ("D", "confirmed", "reserved:kecamatan:33.74.03")
    # D cancels while the call is open: the place waits for Tugu again, C still waits.
    registration_cancel(registration=Registration.objects.get(name="D"))
    assert Registration.objects.get(name="C").status == "waiting"
    # The call closes: the unclaimed reserved place goes to the first one waiting.
    opportunity_transition(actor=people.officer, opportunity=call, target="closed")
    assert Registration.objects.get(name="C").status == "confirmed"
    assert Registration.objects.get(name="C").place == "general"


def _fresh(activity_id: int) -> dict[str, object]:
    rows = ParticipantCount.objects.filter(
        activity_id=activity_id, source=CountSource.REGISTRATIONS
    )
    by_gender: Counter[str] = Counter()
    by_district: Counter[str | None] = Counter()
    for row in rows:
        by_gender[row.gender] += row.count
        by_district[row.home_region_id] += row.count
    attended = Registration.objects.filter(
        opportunity__activity_id=activity_id, status=RegistrationStatus.ATTENDED
    )
    return {
        "total": rows.aggregate(total=Sum("count"))["total"] or 0,
        "attended": attended.count(),
        "gender": dict(by_gender),
        "district": dict(by_district),
    }


def _rollup(dimension: str) -> dict[str, int]:
    return dict(
        ParticipantRollup.objects.filter(dimension=dimension).values_list(
            "category", "participants"
        )
    )


def test_check_ins_are_counted_once_and_reach_agrees_with_a_fresh_sum(people: People) -> None:
    activity = people.activity
    # Officers typed 10 people who did not register.
    activity.participants_local = 10
    activity.save()
    ParticipantCount.objects.create(
        activity=activity,
        side="local",
        group="community",
        gender="male",
        age_band="25-44",
        home_region=people.utara,
        count=10,
    )
    rollup_refresh([activity_rollup_key(activity)])
    call = published_call(activity, places=5)
    tengah = kelurahan("33.74.01")
    names = ["A", "B", "C", "D", "E", "F"]
    for name in names:
        consents = ("taking_part",) if name == "C" else ("taking_part", "statistics")
        register(call, f"{name}@example.test", person(name=name, home=tengah, consents=consents))
    registrations = {r.name: r for r in Registration.objects.filter(opportunity=call)}

    def check(expected_attended: int, gender: dict[str, int]) -> None:
        fresh = _fresh(activity.pk)
        activity.refresh_from_db()
        assert fresh["total"] == fresh["attended"] == expected_attended
        assert activity.participants_registered == expected_attended
        assert fresh["gender"] == gender
        assert rollup_differences() == []
        district = _rollup("district")
        assert district.get("33.74.01", 0) == expected_attended
        assert district["33.74.02"] == 10  # the typed count, untouched
        assert activity.participants_local == 10

    check(0, {})
    result = check_in(actor=people.officer, opportunity=call, code=registrations["A"].checkin_code)
    assert result.already is False
    check(1, {"female": 1})
    # Twice: nothing more.
    assert check_in(
        actor=people.officer, opportunity=call, code=registrations["A"].checkin_code.lower()
    ).already
    check(1, {"female": 1})
    # No consent to statistics: counted as "not stated".
    check_in(actor=people.officer, opportunity=call, code=registrations["C"].checkin_code)
    check(2, {"female": 1, "unspecified": 1})
    # F waits: refused at the door.
    with pytest.raises(RegistrationRefused) as refused:
        check_in(actor=people.officer, opportunity=call, code=registrations["F"].checkin_code)
    assert refused.value.code == "not_confirmed"
    # B withdraws: F moves up and is checked in.
    registration_cancel(registration=registrations["B"])
    check_in(actor=people.officer, opportunity=call, code=registrations["F"].checkin_code)
    check(3, {"female": 2, "unspecified": 1})
    # An attended registration cannot be cancelled; a mistaken check-in is undone.
    with pytest.raises(RegistrationRefused):
        registration_cancel(registration=registrations["A"])
    check_in_undo(actor=people.officer, registration=registrations["C"])
    check(2, {"female": 2})
    with pytest.raises(RegistrationRefused) as unknown:
        check_in(actor=people.officer, opportunity=call, code="NOPE-NOPE")
    assert unknown.value.message == "No registration of this call has the code NOPENOPE."


def test_a_lottery_is_repeatable_from_its_seed(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    call = published_call(people.activity, places=2, allocation="lottery", lottery_seed="abc")
    for name in "ABCDE":
        register(call, f"{name}@example.test", person(name=name))
    assert {r.status for r in Registration.objects.filter(opportunity=call)} == {"applied"}
    opportunity_transition(actor=people.officer, opportunity=call, target="closed")
    first = opportunity_select(actor=people.officer, opportunity=call)
    second = opportunity_select(actor=people.officer, opportunity=call)
    assert first.confirmed == second.confirmed
    assert len(first.confirmed) == 2
    confirmed = set(
        Registration.objects.filter(opportunity=call, status="confirmed").values_list(
            "number", flat=True
        )
    )
    assert confirmed == set(first.confirmed)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_transition(actor=people.officer, opportunity=call, target="results_published")
    assert sorted(message.subject.split(":")[0] for message in mail.outbox) == [
        "[Kembar] Dalam daftar tunggu",
        "[Kembar] Dalam daftar tunggu",
        "[Kembar] Dalam daftar tunggu",
        "[Kembar] Tempat Anda",
        "[Kembar] Tempat Anda",
    ]


def test_panel_scores_and_survey_answers_leave_an_audit_event(people: People) -> None:
    from kembar.participation.staff_registrations import registration_scores_set
    from kembar.participation.survey import survey_submit

    panel = published_call(
        people.activity,
        allocation="panel",
        panel_criteria=[{"name": "motivation", "weight": 1}],
    )
    applicant = register(panel, "a@example.test", person(name="A"))
    opportunity_transition(actor=people.officer, opportunity=panel, target="closed")
    registration_scores_set(actor=people.officer, registration=applicant, scores={"motivation": 4})
    call = published_call(people.activity)
    guest = register(call, "b@example.test", person(name="B"))
    check_in(actor=people.officer, opportunity=call, code=guest.checkin_code)
    survey_submit(registration=guest, gained=["skills"], satisfaction=4, again="yes", comment="")
    events = RegistrationEvent.objects.filter(kind__in=["scored", "survey_answered"])
    assert sorted(events.values_list("number", "kind", "detail", "actor")) == sorted(
        [
            (applicant.number, "scored", "motivation=4.0", people.officer.pk),
            (guest.number, "survey_answered", "", None),
        ]
    )
