"""Check-in at the door and the staff pages of registrations (kembar.participation.views_staff).

Counting is checked exactly after every step: the activity's
``participants_registered``, its participant counts from registrations and
the reach summary (``rollup_differences() == []``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
import segno
from django.db.models import F
from django.test import Client
from django.utils import translation

from kembar.accounts.models import Role, User
from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.participation.models import (
    Opportunity,
    PersonalDataAccess,
    Registration,
    RegistrationEvent,
    Resident,
)
from kembar.participation.registrations import (
    RegistrationData,
    opportunity_select,
    registration_start,
)
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory
from kembar.programs.models import Activity, ParticipantCount
from kembar.programs.rollup import rollup_differences

pytestmark = pytest.mark.django_db

_emails = count(1)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


# --- helpers (small on purpose: conftest and factories are shared) ---------------------


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are asserted in English (the officer's and resident's choice)."""
    with translation.override("en"):
        yield


def open_call(people: People, **values: Any) -> Opportunity:
    """A call of the people's activity, published and open for 30 days."""
    return OpportunityFactory.create(activity=people.activity, status="published", **values)


def home(kecamatan: Region, number: int = 1) -> Region:
    return RegionFactory.create(kode=f"{kecamatan.kode}.{1000 + number}")


def enrol(
    opportunity: Opportunity,
    name: str,
    *,
    home_kelurahan: Region | None = None,
    statistics: bool = True,
    group: str = "students_youth",
) -> Registration:
    """A registration with a verified contact: placed at once (or put on the waiting list)."""
    consents = {"taking_part", "statistics"} if statistics else {"taking_part"}
    data = RegistrationData(
        name=name,
        group=group,
        home_kelurahan=home_kelurahan,
        gender="female",
        age_band="15-24",
        consents=consents,
    )
    return registration_start(
        opportunity=opportunity,
        email=f"warga{next(_emails)}@example.org",
        data=data,
        verified=True,
    )


def close(opportunity: Opportunity) -> Opportunity:
    Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
    opportunity.refresh_from_db()
    return opportunity


def counted(activity: Activity) -> tuple[int, list[tuple[Any, ...]]]:
    """The activity's registered participants and its count rows from registrations."""
    activity.refresh_from_db()
    rows = list(
        ParticipantCount.objects.filter(activity=activity, source="registrations")
        # People from outside the city (no kecamatan) first, on SQLite and PostgreSQL alike.
        .order_by(F("home_region_id").asc(nulls_first=True), "gender")
        .values_list("side", "group", "gender", "age_band", "home_region_id", "count")
    )
    return activity.participants_registered, rows


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["kembar_language"] = "en"  # the messages below are asserted in English
    return client


def citizen_with(registration: Registration | None = None) -> User:
    user = User.objects.create(
        username=f"warga-{next(_emails)}", email=f"c{next(_emails)}@example.org", role=Role.CITIZEN
    )
    if registration is not None:
        Resident.objects.filter(pk=registration.resident_id).update(user=user)
    return user


def page_url(opportunity: Opportunity, tail: str) -> str:
    return f"/staff/opportunities/{opportunity.pk}/{tail}"


# --- check-in on the page ---------------------------------------------------------------


def test_check_in_by_code_counts_once_and_twice_is_already(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari Wulandari", home_kelurahan=home(people.tengah))
    client = signed_in(people.officer)
    url = page_url(opportunity, "check-in/")

    response = client.post(url, {"action": "check_in", "code": sari.checkin_code.lower()})

    assert response.status_code == 200
    assert response.context["result"]["kind"] == "checked_in"
    assert "Sari Wulandari" in response.content.decode()
    sari.refresh_from_db()
    assert (sari.status, sari.checked_in_by) == ("attended", people.officer)
    assert counted(people.activity) == (
        1,
        [("local", "students_youth", "female", "15-24", "33.74.01", 1)],
    )
    assert rollup_differences() == []

    again = client.post(url, {"action": "check_in", "code": sari.checkin_code})

    assert again.status_code == 200
    assert again.context["result"]["kind"] == "already"
    assert counted(people.activity) == (
        1,
        [("local", "students_youth", "female", "15-24", "33.74.01", 1)],
    )
    assert rollup_differences() == []
    assert list(
        PersonalDataAccess.objects.order_by("pk").values_list("action", "people", "user")
    ) == [("check-in", 1, people.officer.pk), ("check-in", 1, people.officer.pk)]


def test_two_people_in_one_cell_and_one_without_consent_to_statistics(people: People) -> None:
    opportunity = open_call(people)
    kelurahan = home(people.tengah)
    first = enrol(opportunity, "Sari", home_kelurahan=kelurahan)
    second = enrol(opportunity, "Dewi", home_kelurahan=kelurahan)
    private = enrol(opportunity, "Rina", statistics=False)
    client = signed_in(people.officer)
    url = page_url(opportunity, "check-in/")
    expected = []
    for registration, rows in (
        (first, [("local", "students_youth", "female", "15-24", "33.74.01", 1)]),
        (second, [("local", "students_youth", "female", "15-24", "33.74.01", 2)]),
        (
            private,
            [
                ("local", "students_youth", "unspecified", "unknown", None, 1),
                ("local", "students_youth", "female", "15-24", "33.74.01", 2),
            ],
        ),
    ):
        client.post(url, {"action": "check_in", "code": registration.checkin_code})
        expected.append(counted(people.activity))
        assert counted(people.activity) == (len(expected), rows)
        assert rollup_differences() == []


def test_unknown_code_and_no_confirmed_place_are_refused(people: People) -> None:
    opportunity = open_call(people, places=1)
    enrol(opportunity, "Sari")
    waiting = enrol(opportunity, "Dewi")
    assert waiting.status == "waiting"
    client = signed_in(people.officer)
    url = page_url(opportunity, "check-in/")

    unknown = client.post(url, {"action": "check_in", "code": "ZZZZ-ZZZZ-ZZ"})
    not_confirmed = client.post(url, {"action": "check_in", "code": waiting.checkin_code})

    assert unknown.status_code == 400
    assert unknown.context["result"] == {
        "kind": "refused",
        "message": "No registration of this call has the code ZZZZZZZZZZ.",
    }
    assert not_confirmed.status_code == 400
    assert not_confirmed.context["result"] == {
        "kind": "refused",
        "message": f"Registration {waiting.number} has no confirmed place (on the waiting list).",
    }
    assert counted(people.activity) == (0, [])
    assert PersonalDataAccess.objects.count() == 0


def test_a_code_of_another_call_is_unknown_here(people: People) -> None:
    opportunity = open_call(people)
    other = open_call(people)
    elsewhere = enrol(other, "Sari")

    response = signed_in(people.officer).post(
        page_url(opportunity, "check-in/"), {"action": "check_in", "code": elsewhere.checkin_code}
    )

    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.status == "confirmed"


def test_undo_takes_the_person_out_of_the_counts(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari", home_kelurahan=home(people.utara))
    client = signed_in(people.officer)
    url = page_url(opportunity, "check-in/")
    client.post(url, {"action": "check_in", "code": sari.checkin_code})

    response = client.post(url, {"action": "undo", "registration": sari.pk})

    assert response.status_code == 200
    assert response.context["result"] == {
        "kind": "undone",
        "message": f"Check-in of {sari.number} undone.",
    }
    sari.refresh_from_db()
    assert (sari.status, sari.checked_in_at, sari.counted_as) == ("confirmed", None, {})
    assert counted(people.activity) == (0, [])
    assert rollup_differences() == []
    assert list(
        RegistrationEvent.objects.filter(registration=sari)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["started", "confirmed", "placed", "checked_in", "check_in_undone"]

    twice = client.post(url, {"action": "undo", "registration": sari.pk})

    assert twice.status_code == 400
    assert twice.context["result"]["message"] == "This registration is not checked in."


def test_the_page_holds_digests_of_the_codes_and_no_names(people: People) -> None:
    opportunity = open_call(people, places=2)
    sari = enrol(opportunity, "Sari Wulandari")
    dewi = enrol(opportunity, "Dewi Lestari")
    waiting = enrol(opportunity, "Rina Marlina")
    client = signed_in(people.officer)
    client.post(
        page_url(opportunity, "check-in/"), {"action": "check_in", "code": dewi.checkin_code}
    )

    response = client.get(page_url(opportunity, "check-in/"))

    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<script id="check-in-codes" type="application/json">') + len(
        '<script id="check-in-codes" type="application/json">'
    )
    codes = json.loads(page[start : page.index("</script>", start)])
    digest = lambda code: hashlib.sha256(code.encode()).hexdigest()  # noqa: E731
    assert codes == {
        "confirmed": [digest(sari.checkin_code)],
        "attended": [digest(dewi.checkin_code)],
    }
    for secret in (
        "Sari Wulandari",
        "Dewi Lestari",
        "Rina Marlina",
        sari.checkin_code,
        waiting.number,
    ):
        assert secret not in page
    assert 'src="/static/participation/checkin.js"' in page


def test_the_service_worker_is_served_under_the_page(people: People) -> None:
    opportunity = open_call(people)

    response = signed_in(people.officer).get(page_url(opportunity, "check-in/sw.js"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert f'const PAGE = "/staff/opportunities/{opportunity.pk}/check-in/";' in body
    assert '"/static/participation/checkin.js"' in body


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "method"),
    [
        ("check-in/", "get"),
        ("check-in/", "post"),
        ("check-in/sw.js", "get"),
        ("registrations/", "get"),
        ("registrations.csv", "get"),
        ("selection/", "post"),
    ],
)
def test_only_those_who_manage_the_call(people: People, tail: str, method: str) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    url = page_url(opportunity, tail)
    data = {"action": "check_in", "code": sari.checkin_code, "confirm": "on"}

    def call(client: Client) -> int:
        return getattr(client, method)(url, data if method == "post" else None).status_code

    assert call(signed_in(people.magelang_officer)) == 404
    assert call(signed_in(people.other_agency_officer)) == 403
    assert call(signed_in(people.council)) == 403
    assert call(signed_in(citizen_with())) == 403
    anonymous = Client().get(url) if method == "get" else Client().post(url, data)
    assert (anonymous.status_code, anonymous["Location"].split("?")[0]) == (302, "/accounts/login/")
    sari.refresh_from_db()
    assert sari.status == "confirmed"
    assert counted(people.activity) == (0, [])
    assert PersonalDataAccess.objects.count() == 0


def test_the_agency_officer_of_the_activity_may_check_in(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")

    response = signed_in(people.agency_officer).post(
        page_url(opportunity, "check-in/"), {"action": "check_in", "code": sari.checkin_code}
    )

    assert response.status_code == 200
    sari.refresh_from_db()
    assert sari.checked_in_by == people.agency_officer


# --- the list of registrations ----------------------------------------------------------


def test_the_list_shows_every_registration_and_logs_the_view(people: People) -> None:
    opportunity = open_call(people, places=1)
    sari = enrol(opportunity, "Sari Wulandari", home_kelurahan=home(people.tugu))
    dewi = enrol(opportunity, "Dewi Lestari")
    rina = enrol(opportunity, "Rina Marlina")
    client = signed_in(people.officer)

    response = client.get(page_url(opportunity, "registrations/"))

    assert response.status_code == 200
    rows = [
        (r.number, r.name, r.status, getattr(r, "waiting_position", None))
        for r in response.context["rows"]
    ]
    assert rows == [
        (sari.number, "Sari Wulandari", "confirmed", None),
        (dewi.number, "Dewi Lestari", "waiting", 1),
        (rina.number, "Rina Marlina", "waiting", 2),
    ]
    assert "Tugu" in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.opportunity, access.people, access.path) == (
        people.officer,
        "registrations list",
        opportunity,
        3,
        f"/staff/opportunities/{opportunity.pk}/registrations/",
    )

    waiting = client.get(page_url(opportunity, "registrations/"), {"status": "waiting"})
    found = client.get(page_url(opportunity, "registrations/"), {"q": rina.number.lower()})
    by_name = client.get(page_url(opportunity, "registrations/"), {"q": "lestari"})

    assert [r.name for r in waiting.context["rows"]] == ["Dewi Lestari", "Rina Marlina"]
    assert [r.name for r in found.context["rows"]] == ["Rina Marlina"]
    assert [r.name for r in by_name.context["rows"]] == ["Dewi Lestari"]
    assert list(PersonalDataAccess.objects.order_by("pk").values_list("action", "people")) == [
        ("registrations list", 3),
        ("registrations list", 2),
        ("registrations list", 1),
        ("registrations list", 1),
    ]


def test_the_list_is_paginated(people: People) -> None:
    opportunity = open_call(people, places=60)
    for number in range(52):
        enrol(opportunity, f"Warga {number:02d}")
    client = signed_in(people.officer)

    first = client.get(page_url(opportunity, "registrations/"), {"status": "confirmed"})
    second = client.get(
        page_url(opportunity, "registrations/"), {"status": "confirmed", "page": "2"}
    )

    assert [len(first.context["rows"]), len(second.context["rows"])] == [50, 2]
    assert "?status=confirmed&amp;page=2" in first.content.decode()
    assert [r.name for r in second.context["rows"]] == ["Warga 50", "Warga 51"]
    assert list(PersonalDataAccess.objects.order_by("pk").values_list("people", flat=True)) == [
        50,
        2,
    ]


def test_the_csv_export_is_exact_and_logged(people: People) -> None:
    opportunity = open_call(people, places=1)
    sari = enrol(opportunity, "=Sari", home_kelurahan=home(people.tengah))
    dewi = enrol(opportunity, "Dewi")

    response = signed_in(people.officer).get(page_url(opportunity, "registrations.csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "number",
            "name",
            "phone",
            "kecamatan",
            "group",
            "status",
            "place",
            "rank",
            "waiting_position",
            "checked_in_at",
        ],
        [
            sari.number,
            "'=Sari",
            "",
            "Semarang Tengah",
            "students_youth",
            "confirmed",
            "general",
            str(sari.rank),
            "",
            "",
        ],
        [dewi.number, "Dewi", "", "", "students_youth", "waiting", "", str(dewi.rank), "1", ""],
    ]
    assert list(PersonalDataAccess.objects.values_list("action", "people")) == [
        ("registrations export", 2)
    ]


def test_cancel_needs_a_reason_and_the_box_and_moves_the_list_up(people: People) -> None:
    opportunity = open_call(people, places=1)
    sari = enrol(opportunity, "Sari")
    dewi = enrol(opportunity, "Dewi")
    client = signed_in(people.officer)
    url = page_url(opportunity, f"registrations/{sari.pk}/cancel/")

    unticked = client.post(url, {"reason": "Tidak bisa hadir"})
    sari.refresh_from_db()
    assert (unticked.status_code, sari.status) == (302, "confirmed")

    done = client.post(url, {"reason": "Tidak bisa hadir", "confirm": "on"})

    assert done.status_code == 302
    assert done["Location"] == f"/staff/opportunities/{opportunity.pk}/registrations/"
    sari.refresh_from_db()
    dewi.refresh_from_db()
    assert (sari.status, dewi.status, dewi.place) == ("cancelled", "confirmed", "general")
    event = RegistrationEvent.objects.get(registration=sari, kind="cancelled")
    assert (event.detail, event.actor) == ("Tidak bisa hadir", people.officer)


def test_an_attended_registration_cannot_be_cancelled(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    client = signed_in(people.officer)
    client.post(
        page_url(opportunity, "check-in/"), {"action": "check_in", "code": sari.checkin_code}
    )

    client.post(
        page_url(opportunity, f"registrations/{sari.pk}/cancel/"),
        {"reason": "salah", "confirm": "on"},
    )

    sari.refresh_from_db()
    assert sari.status == "attended"
    assert counted(people.activity)[0] == 1


# --- selection ----------------------------------------------------------------------------


def test_a_lottery_with_a_seed_gives_the_same_result_twice(people: People) -> None:
    opportunity = open_call(people, places=2, allocation="lottery", lottery_seed="semarang-2026")
    registrations = [enrol(opportunity, f"Warga {n}") for n in range(6)]
    assert {r.status for r in registrations} == {"applied"}
    close(opportunity)

    first = opportunity_select(actor=people.officer, opportunity=opportunity)
    states = dict(Registration.objects.values_list("number", "status"))
    second = opportunity_select(actor=people.officer, opportunity=opportunity)

    assert (first.confirmed, first.order) == (second.confirmed, second.order)
    assert len(first.confirmed) == 2
    assert dict(Registration.objects.values_list("number", "status")) == states
    assert sorted(states.values()) == ["confirmed", "confirmed"] + ["waiting"] * 4

    response = signed_in(people.officer).post(
        page_url(opportunity, "selection/"), {"confirm": "on"}, follow=True
    )

    assert response.status_code == 200
    assert dict(Registration.objects.values_list("number", "status")) == states
    assert [str(m) for m in response.context["messages"]] == [
        "Selection done: 2 with a place, 4 on the waiting list."
    ]


def test_selection_waits_for_the_close_and_the_box(people: People) -> None:
    opportunity = open_call(people, places=1, allocation="lottery", lottery_seed="x")
    sari = enrol(opportunity, "Sari")
    client = signed_in(people.officer)

    open_response = client.post(page_url(opportunity, "selection/"), {"confirm": "on"}, follow=True)
    close(opportunity)
    unticked = client.post(page_url(opportunity, "selection/"), {}, follow=True)

    assert [str(m) for m in open_response.context["messages"]] == [
        "The selection runs once the call is closed."
    ]
    assert [str(m) for m in unticked.context["messages"]] == ["Tick the box to run the selection."]
    sari.refresh_from_db()
    assert sari.status == "applied"


def test_panel_scores_then_selection_by_weighted_scores(people: People) -> None:
    criteria = [{"name": "motivation", "weight": 2}, {"name": "need", "weight": 1}]
    opportunity = open_call(people, places=1, allocation="panel", panel_criteria=criteria)
    sari = enrol(opportunity, "Sari")
    dewi = enrol(opportunity, "Dewi")
    close(opportunity)
    client = signed_in(people.officer)

    bad = client.post(
        page_url(opportunity, f"registrations/{sari.pk}/scores/"),
        {"score-0": "-1", "score-1": ""},
        follow=True,
    )
    assert [str(m) for m in bad.context["messages"]] == [
        "Give “motivation” a score of 0 or more.",
        "Give “need” a score of 0 or more.",
    ]
    for registration, scores in ((sari, ("3", "1")), (dewi, ("4", "2.5"))):
        client.post(
            page_url(opportunity, f"registrations/{registration.pk}/scores/"),
            {"score-0": scores[0], "score-1": scores[1]},
        )
    client.post(page_url(opportunity, "selection/"), {"confirm": "on"})

    sari.refresh_from_db()
    dewi.refresh_from_db()
    assert (dewi.scores, dewi.status, dewi.rank) == (
        {"motivation": 4.0, "need": 2.5},
        "confirmed",
        1,
    )
    assert (sari.scores, sari.status, sari.rank) == (
        {"motivation": 3.0, "need": 1.0},
        "waiting",
        2,
    )


# --- the resident's QR code ---------------------------------------------------------------


def test_the_qr_code_is_for_its_owner_only(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    owner = citizen_with(sari)
    url = f"/warga/pendaftaran/{sari.pk}/qr.svg"

    response = signed_in(owner).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    expected = io.BytesIO()
    segno.make(sari.checkin_code, error="m", micro=False).save(
        expected, kind="svg", scale=8, border=4, xmldecl=False, title=sari.number
    )
    assert response.content == expected.getvalue()
    assert signed_in(citizen_with(enrol(opportunity, "Dewi"))).get(url).status_code == 404
    assert signed_in(citizen_with()).get(url).status_code == 404
    assert signed_in(people.officer).get(url).status_code == 403
    assert Client().get(url).status_code == 403
    assert signed_in(owner).get(f"/warga/pendaftaran/{sari.pk + 999}/qr.svg").status_code == 404
