"""The public side of calls: pages, registration by a signed-in resident, the registration API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from kembar.accounts.models import Role, User
from kembar.participation.models import Consent, Registration, Resident
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import (
    OpportunityFactory,
    kelurahan,
    person,
    published_call,
    register,
)


@pytest.fixture
def home(settings: Any) -> None:
    settings.KEMBAR_HOME_REGION = "33.74"


@pytest.fixture
def citizen(db: None) -> User:
    user = User.objects.create(username="warga1", email="ani@example.org", role=Role.CITIZEN)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _start(client: Client, pk: int, **values: Any) -> Any:
    body = {
        "email": "budi@example.test",
        "name": "Budi Santoso",
        "home_kelurahan": "33.74.01.1001",
        "group": "business",
        "gender": "male",
        "age_band": "25-44",
        "consents": ["taking_part"],
    } | values
    return client.post(
        f"/api/v1/opportunities/{pk}/registrations/", body, content_type="application/json"
    )


def _code(message: Any) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def test_api_registration_in_two_steps(client: Client, people: People) -> None:
    call = published_call(people.activity, places=1)
    kelurahan("33.74.01")
    started = _start(client, call.pk)
    assert started.status_code == 201
    registration = Registration.objects.get()
    assert started.json() == {
        "id": registration.pk,
        "number": registration.number,
        "status": "pending",
        "waiting_position": None,
        "checkin_code": None,
    }
    assert mail.outbox[0].to == ["budi@example.test"]
    wrong = client.post(
        f"/api/v1/registrations/{registration.pk}/confirm/",
        {"code": "12345x"},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "code_wrong")
    confirmed = client.post(
        f"/api/v1/registrations/{registration.pk}/confirm/",
        {"code": _code(mail.outbox[0])},
        content_type="application/json",
    )
    registration.refresh_from_db()
    assert confirmed.status_code == 200
    assert confirmed.json() == {
        "id": registration.pk,
        "number": registration.number,
        "status": "confirmed",
        "waiting_position": None,
        "checkin_code": registration.checkin_code,
    }
    # The consent given, with its text and version.
    consent = Consent.objects.get()
    assert (consent.purpose, consent.version, consent.language) == ("taking_part", "2026-12", "id")
    assert consent.text.startswith("Saya setuju") or consent.text.startswith("I agree")
    # A second person: the waiting list, number 1.
    _start(client, call.pk, email="cici@example.test", name="Cici")
    second = Registration.objects.get(resident__email="cici@example.test")
    answer = client.post(
        f"/api/v1/registrations/{second.pk}/confirm/",
        {"code": _code(mail.outbox[-1])},
        content_type="application/json",
    )
    assert answer.json()["status"] == "waiting"
    assert answer.json()["waiting_position"] == 1
    assert answer.json()["checkin_code"] is None


def test_api_refusals_say_what_to_do(client: Client, people: People, settings: Any) -> None:
    client.cookies["kembar_language"] = "en"
    call = published_call(people.activity)
    kelurahan("33.74.01")
    bad = _start(client, call.pk, email="x", name="", consents=[], home_kelurahan="33.74.09.1009")
    assert bad.status_code == 400
    assert _start(client, call.pk, home_kelurahan="33.74.09.1009").json() == {
        "home_kelurahan": ["No kelurahan has the kode 33.74.09.1009."]
    }
    no_consent = _start(client, call.pk, consents=["statistics"])
    assert no_consent.json() == {
        "consents": ["To take part, agree that your data is used to run this call (the first box)."]
    }
    draft = OpportunityFactory.create(activity=people.activity)
    assert _start(client, draft.pk).status_code == 404
    closed = published_call(people.activity, deadline=timezone.now() - timedelta(seconds=1))
    answer = _start(client, closed.pk)
    assert (answer.status_code, answer.json()) == (
        409,
        {"detail": "This call is closed: registrations are no longer taken.", "code": "closed"},
    )
    register(call, "dup@example.test")
    duplicate = _start(client, call.pk, email="DUP@example.test")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate")


def test_api_limits_per_contact_and_per_address(
    client: Client, people: People, settings: Any
) -> None:
    call = published_call(people.activity)
    other = published_call(people.activity)
    third = published_call(people.activity)
    kelurahan("33.74.01")
    settings.KEMBAR_REGISTRATION_PER_CONTACT_HOUR = 2
    assert _start(client, call.pk).status_code == 201
    assert _start(client, other.pk).status_code == 201
    limited = _start(client, third.pk)
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    settings.KEMBAR_API_RATES = settings.KEMBAR_API_RATES | {"registration": "4/hour"}
    assert _start(client, third.pk, email="e@example.test").status_code == 201
    assert _start(client, third.pk, email="f@example.test").status_code == 429


def test_public_pages_list_a_published_call_and_hide_drafts(
    client: Client, people: People, home: None
) -> None:
    call = published_call(people.activity, places=1, title_id="Pertukaran pelajar Brisbane")
    draft = OpportunityFactory.create(activity=people.activity, title_id="Rahasia draf")
    listing = client.get("/opportunities/").content.decode()
    assert "Pertukaran pelajar Brisbane" in listing
    assert "Rahasia draf" not in listing
    assert client.get(f"/opportunities/{call.pk}/").status_code == 200
    assert client.get(f"/opportunities/{draft.pk}/").status_code == 404
    assert (
        'id="availability" class="availability availability--open"'
        in client.get(f"/opportunities/{call.pk}/availability/").content.decode()
    )
    register(call, "a@example.test")
    assert (
        "availability--waiting"
        in client.get(f"/opportunities/{call.pk}/availability/").content.decode()
    )
    home_page = client.get("/").content.decode()
    assert "Pertukaran pelajar Brisbane" in home_page
    found = client.get("/search/", {"q": "Brisbane pelajar"}).content.decode()
    assert f'data-opportunity="{call.pk}"' in found


def test_a_signed_in_resident_registers_in_one_form(
    client: Client, people: People, citizen: User, home: None
) -> None:
    call = published_call(
        people.activity,
        places=5,
        questions=[{"key": "why", "text_id": "Mengapa Anda ikut?", "required": True}],
    )
    pekunden = kelurahan("33.74.01", name="Pekunden")
    anonymous = client.get(f"/opportunities/{call.pk}/register/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/warga/masuk/")
    client.force_login(citizen)
    form = client.get(f"/opportunities/{call.pk}/register/")
    assert form.status_code == 200
    assert "Mengapa Anda ikut?" in form.content.decode()
    empty = client.post(f"/opportunities/{call.pk}/register/", {})
    assert empty.status_code == 400
    assert Registration.objects.count() == 0
    answer = client.post(
        f"/opportunities/{call.pk}/register/",
        {
            "name": "Ani Rahmawati",
            "home_kelurahan": pekunden.kode,
            "group": "community",
            "gender": "unspecified",
            "age_band": "unknown",
            "q_why": "Belajar",
            "consent_taking_part": "on",
            "consent_future_calls": "on",
        },
    )
    registration = Registration.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/warga/pendaftaran/{registration.pk}/"
    assert (registration.status, registration.home_kecamatan_id, registration.answers) == (
        "confirmed",
        "33.74.01",
        {"why": "Belajar"},
    )
    assert Resident.objects.get().user == citizen
    assert sorted(Consent.objects.values_list("purpose", flat=True)) == [
        "future_calls",
        "taking_part",
    ]
    page = client.get(f"/warga/pendaftaran/{registration.pk}/").content.decode()
    assert registration.checkin_code in page
    assert client.get("/warga/pendaftaran/").status_code == 200
    # Cancelling needs the box ticked.
    client.post(f"/warga/pendaftaran/{registration.pk}/batal/", {})
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    client.post(f"/warga/pendaftaran/{registration.pk}/batal/", {"confirm": "yes"})
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_someone_elses_registration_is_not_found(
    client: Client, people: People, citizen: User
) -> None:
    call = published_call(people.activity)
    other = register(call, "other@example.test", person(name="Orang Lain"))
    client.force_login(citizen)
    assert client.get(f"/warga/pendaftaran/{other.pk}/").status_code == 404
    assert (
        client.post(f"/warga/pendaftaran/{other.pk}/batal/", {"confirm": "yes"}).status_code == 404
    )


def test_staff_may_not_register(client: Client, people: People, home: None) -> None:
    from kembar.accounts.tests.factories import force_login_with_second_factor

    call = published_call(people.activity)
    force_login_with_second_factor(client, people.officer)
    assert client.get(f"/opportunities/{call.pk}/register/").status_code == 403
