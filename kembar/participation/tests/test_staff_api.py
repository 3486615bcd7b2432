"""Staff API of calls: the calls one manages, registrations, selection, check-in and its undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from kembar.accounts.models import User
from kembar.participation.models import PersonalDataAccess, Registration
from kembar.participation.tests.conftest import People
from kembar.participation.tests.test_checkin import (
    citizen_with,
    close,
    counted,
    enrol,
    home,
    open_call,
)
from kembar.programs.rollup import rollup_differences

pytestmark = pytest.mark.django_db

API = "/api/v1/staff"


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def api(user: User | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_calls_one_manages_with_counts_per_status(people: People) -> None:
    managed = open_call(people, places=1)
    enrol(managed, "Sari")
    enrol(managed, "Dewi")

    response = api(people.officer).get(f"{API}/opportunities/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert (row["id"], row["activity"], row["status"], row["places"]) == (
        managed.pk,
        "SMG-BNE-2026-01",
        "published",
        1,
    )
    assert row["registrations"] == {
        "pending": 0,
        "applied": 0,
        "confirmed": 1,
        "waiting": 1,
        "cancelled": 0,
        "attended": 0,
    }
    assert api(people.magelang_officer).get(f"{API}/opportunities/").json()["count"] == 0
    assert api(people.other_agency_officer).get(f"{API}/opportunities/").json()["count"] == 0
    assert api(people.council).get(f"{API}/opportunities/").status_code == 403
    assert api(citizen_with()).get(f"{API}/opportunities/").status_code == 403
    assert api().get(f"{API}/opportunities/").status_code == 403
    assert PersonalDataAccess.objects.count() == 0


def test_registrations_with_names_are_logged(people: People) -> None:
    opportunity = open_call(people, places=1)
    sari = enrol(opportunity, "Sari", home_kelurahan=home(people.utara))
    dewi = enrol(opportunity, "Dewi")

    response = api(people.officer).get(f"{API}/opportunities/{opportunity.pk}/registrations/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": sari.pk,
            "number": sari.number,
            "name": "Sari",
            "home_kecamatan": "33.74.02",
            "group": "students_youth",
            "status": "confirmed",
            "place": "general",
            "rank": sari.rank,
            "waiting_position": None,
            "scores": {},
            "checked_in_at": None,
        },
        {
            "id": dewi.pk,
            "number": dewi.number,
            "name": "Dewi",
            "home_kecamatan": None,
            "group": "students_youth",
            "status": "waiting",
            "place": "",
            "rank": dewi.rank,
            "waiting_position": 1,
            "scores": {},
            "checked_in_at": None,
        },
    ]
    waiting = api(people.officer).get(
        f"{API}/opportunities/{opportunity.pk}/registrations/", {"status": "waiting"}
    )
    assert [row["name"] for row in waiting.json()["results"]] == ["Dewi"]
    assert list(
        PersonalDataAccess.objects.order_by("pk").values_list("action", "people", "user")
    ) == [
        ("registrations api", 2, people.officer.pk),
        ("registrations api", 1, people.officer.pk),
    ]


def test_an_offline_batch_is_answered_item_by_item_keeping_its_times(people: People) -> None:
    opportunity = open_call(people, places=2)
    kelurahan = home(people.tengah)
    sari = enrol(opportunity, "Sari", home_kelurahan=kelurahan)
    dewi = enrol(opportunity, "Dewi", home_kelurahan=kelurahan)
    waiting = enrol(opportunity, "Rina")
    made = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    later = made + dt.timedelta(minutes=3)
    future = timezone.now() + dt.timedelta(hours=1)
    body = {
        "check_ins": [
            {"code": sari.checkin_code, "at": made.isoformat()},
            {"code": "ABCD-EFGH-JK", "at": made.isoformat()},
            {"code": sari.checkin_code.lower(), "at": later.isoformat()},
            {"code": waiting.checkin_code, "at": later.isoformat()},
            {"code": dewi.checkin_code, "at": future.isoformat()},
            {"code": dewi.checkin_code},
        ]
    }

    response = api(people.officer).post(
        f"{API}/opportunities/{opportunity.pk}/check-ins/", body, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "code": sari.checkin_code,
                "status": "checked_in",
                "number": sari.number,
                "name": "Sari",
                "registration": sari.pk,
                "refusal": "",
                "message": f"Sari ({sari.number}) is checked in.",
            },
            {
                "code": "ABCD-EFGH-JK",
                "status": "refused",
                "number": None,
                "name": None,
                "registration": None,
                "refusal": "unknown",
                "message": "No registration of this call has the code ABCDEFGHJK.",
            },
            {
                "code": sari.checkin_code.lower(),
                "status": "already",
                "number": sari.number,
                "name": "Sari",
                "registration": sari.pk,
                "refusal": "",
                "message": f"Sari ({sari.number}) is already checked in.",
            },
            {
                "code": waiting.checkin_code,
                "status": "refused",
                "number": None,
                "name": None,
                "registration": None,
                "refusal": "not_confirmed",
                "message": (
                    f"Registration {waiting.number} has no confirmed place (on the waiting list)."
                ),
            },
            {
                "code": dewi.checkin_code,
                "status": "refused",
                "number": None,
                "name": None,
                "registration": None,
                "refusal": "state",
                "message": "A check-in cannot be in the future.",
            },
            {
                "code": dewi.checkin_code,
                "status": "checked_in",
                "number": dewi.number,
                "name": "Dewi",
                "registration": dewi.pk,
                "refusal": "",
                "message": f"Dewi ({dewi.number}) is checked in.",
            },
        ],
        "attended": 2,
    }
    sari.refresh_from_db()
    dewi.refresh_from_db()
    waiting.refresh_from_db()
    assert (sari.status, sari.checked_in_at, sari.checked_in_by) == (
        "attended",
        made,
        people.officer,
    )
    assert dewi.status == "attended"
    assert dewi.checked_in_at is not None
    assert abs((timezone.now() - dewi.checked_in_at).total_seconds()) < 60
    assert waiting.status == "waiting"
    assert counted(people.activity) == (
        2,
        [("local", "students_youth", "female", "15-24", "33.74.01", 2)],
    )
    assert rollup_differences() == []
    assert list(PersonalDataAccess.objects.values_list("action", "people")) == [("check-in", 3)]


def test_a_malformed_batch_changes_nothing(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    url = f"{API}/opportunities/{opportunity.pk}/check-ins/"

    empty = api(people.officer).post(url, {"check_ins": []}, format="json")
    bad_time = api(people.officer).post(
        url, {"check_ins": [{"code": sari.checkin_code, "at": "yesterday"}]}, format="json"
    )

    assert (empty.status_code, bad_time.status_code) == (400, 400)
    sari.refresh_from_db()
    assert sari.status == "confirmed"
    assert counted(people.activity) == (0, [])


def test_undo_by_the_api(people: People) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    client = api(people.officer)
    client.post(
        f"{API}/opportunities/{opportunity.pk}/check-ins/",
        {"check_ins": [{"code": sari.checkin_code}]},
        format="json",
    )
    assert counted(people.activity)[0] == 1

    response = client.post(f"{API}/registrations/{sari.pk}/check-in/undo/")

    assert response.status_code == 200
    assert (response.json()["registration"]["status"], response.json()["attended"]) == (
        "confirmed",
        0,
    )
    assert counted(people.activity) == (0, [])
    assert rollup_differences() == []
    again = client.post(f"{API}/registrations/{sari.pk}/check-in/undo/")
    assert (again.status_code, again.json()["detail"]) == (
        400,
        "This registration is not checked in.",
    )


def test_lottery_selection_by_the_api_repeats(people: People) -> None:
    opportunity = open_call(people, places=2, allocation="lottery", lottery_seed="brisbane")
    for number in range(5):
        enrol(opportunity, f"Warga {number}")
    url = f"{API}/opportunities/{opportunity.pk}/selection/"

    too_early = api(people.officer).post(url)
    close(opportunity)
    first = api(people.officer).post(url)
    second = api(people.officer).post(url)

    assert (too_early.status_code, too_early.json()["detail"]) == (
        400,
        "The selection runs once the call is closed.",
    )
    assert first.status_code == 200
    assert first.json() == second.json()
    assert (len(first.json()["confirmed"]), len(first.json()["waiting"])) == (2, 3)
    assert sorted(first.json()["confirmed"]) == sorted(
        Registration.objects.filter(status="confirmed").values_list("number", flat=True)
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/opportunities/{call}/registrations/"),
        ("post", "/opportunities/{call}/selection/"),
        ("post", "/opportunities/{call}/check-ins/"),
        ("post", "/registrations/{registration}/check-in/undo/"),
    ],
)
def test_only_those_who_manage_the_call(people: People, method: str, path: str) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari")
    api(people.officer).post(
        f"{API}/opportunities/{opportunity.pk}/check-ins/",
        {"check_ins": [{"code": sari.checkin_code}]},
        format="json",
    )
    PersonalDataAccess.objects.all().delete()
    url = API + path.format(call=opportunity.pk, registration=sari.pk)
    body = {"check_ins": [{"code": sari.checkin_code}]}

    def status(user: User | None) -> int:
        client = api(user)
        if method == "get":
            return client.get(url).status_code
        return client.post(url, body, format="json").status_code

    assert status(people.magelang_officer) == 404
    assert status(people.other_agency_officer) == 403
    assert status(people.council) == 403
    assert status(citizen_with(sari)) == 403
    assert status(None) == 403
    sari.refresh_from_db()
    assert sari.status == "attended"
    assert counted(people.activity)[0] == 1
    assert PersonalDataAccess.objects.count() == 0
