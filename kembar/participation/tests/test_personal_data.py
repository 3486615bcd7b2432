"""Residents' rights over their data (UU PDP 27/2022): export, withdrawal, erasure, retention,
the signed link, the staff access log, and no personal data in anything public."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any
from urllib.parse import unquote

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory
from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.participation.links import manage_path, manage_token
from kembar.participation.models import (
    Consent,
    Opportunity,
    PersonalDataAccess,
    Registration,
    RegistrationEvent,
    Resident,
    SurveyResponse,
)
from kembar.participation.personal_data import (
    consent_withdraw,
    purge_personal_data,
    resident_erase,
    resident_export,
)
from kembar.participation.registrations import (
    RegistrationData,
    check_in,
    consent_text,
    log_personal_data_access,
    registration_start,
)
from kembar.participation.tasks import personal_data_purge
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory
from kembar.programs.models import Activity, ParticipantCount, ParticipantRollup
from kembar.programs.rollup import rollup_differences
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [{"key": "motivation", "text_id": "Motivasi", "text_en": "Motivation"}]


# --- small helpers (the shared factories are being extended elsewhere) -------------------


def _activity(people: People, *, days: int = 10, reference: str = "") -> Activity:
    """An activity of Semarang–Brisbane starting in ``days`` days (negative: in the past)."""
    start = timezone.localdate() + dt.timedelta(days=days)
    values: dict[str, Any] = {"reference": reference} if reference else {}
    return ActivityFactory.create(
        partnership=people.partnership,
        agency=people.orgs.dinas_pendidikan,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        status="planned",
        **values,
    )


def _call(activity: Activity, places: int = 5) -> Opportunity:
    return OpportunityFactory.create(
        activity=activity, status="published", places=places, questions=QUESTIONS
    )


def _home(people: People) -> Region:
    return RegionFactory.create(kode="33.74.01.1001", name="Kelurahan Pekunden")


def _register(
    call: Opportunity,
    email: str,
    name: str,
    *,
    home: Region | None = None,
    phone: str = "",
    answer: str = "",
    consents: tuple[str, ...] = ("taking_part", "statistics"),
    verified: bool = True,
) -> Registration:
    data = RegistrationData(
        name=name,
        group="students_youth",
        home_kelurahan=home,
        gender="female",
        age_band="15-24",
        phone=phone,
        answers={"motivation": answer} if answer else {},
        consents=set(consents),
    )
    registration = registration_start(opportunity=call, email=email, data=data, verified=verified)
    registration.refresh_from_db()
    return registration


def _attend(people: People, registration: Registration) -> Registration:
    check_in(
        actor=people.officer,
        opportunity=registration.opportunity,
        code=registration.checkin_code,
    )
    registration.refresh_from_db()
    return registration


def _survey(registration: Registration, comment: str) -> SurveyResponse:
    return SurveyResponse.objects.create(
        registration=registration,
        activity=registration.opportunity.activity,
        opportunity=registration.opportunity,
        group=registration.group,
        home_kecamatan=registration.home_kecamatan,
        gained=["skills"],
        satisfaction=5,
        again="yes",
        comment=comment,
    )


def _counts() -> dict[str, Any]:
    """Every anonymous figure a check-in makes, to compare before and after."""
    return {
        "cells": sorted(
            ParticipantCount.objects.values_list(
                "activity_id",
                "source",
                "side",
                "group",
                "gender",
                "age_band",
                "home_region_id",
                "count",
            )
        ),
        "registered": sorted(Activity.objects.values_list("pk", "participants_registered")),
        "rollup": sorted(
            ParticipantRollup.objects.values_list("dimension", "category", "participants")
        ),
    }


def _citizen(email: str) -> User:
    user = UserFactory.create(username=email, email=email, role=Role.CITIZEN, organisation=None)
    user.set_unusable_password()
    user.save()
    return user


# --- export ------------------------------------------------------------------------------


def test_export_holds_exactly_the_persons_data(people: People) -> None:
    call = _call(_activity(people))
    mine = _register(
        call,
        "quokka@example.test",
        "Zyxwv Quokka",
        home=_home(people),
        phone="0812 7777 3141",
        answer="Quokkaberry motivation",
    )
    _register(call, "numbat@example.test", "Vwxyz Numbat", answer="Numbat motivation")
    _attend(people, mine)
    _survey(mine, "A quokka comment")

    data = resident_export(mine.resident)

    assert data["resident"]["email"] == "quokka@example.test"
    assert data["resident"]["signed_in_account"] is False
    [registration] = data["registrations"]
    assert registration["name"] == "Zyxwv Quokka"
    assert registration["phone"] == "0812 7777 3141"
    assert registration["answers"] == {"motivation": "Quokkaberry motivation"}
    assert registration["home_kelurahan"] == {"kode": "33.74.01.1001", "name": "Kelurahan Pekunden"}
    assert registration["status"] == "attended"
    assert registration["number"] == mine.number
    assert registration["call"] == call.title_id
    assert [e["event"] for e in registration["events"]] == [
        "started",
        "confirmed",
        "placed",
        "checked_in",
    ]
    assert sorted((c["purpose"], c["version"]) for c in data["consents"]) == [
        ("statistics", "2026-12"),
        ("taking_part", "2026-12"),
    ]
    texts = {c["purpose"]: c["text"] for c in data["consents"]}
    assert texts["taking_part"] == consent_text("taking_part", "id")[1]
    assert all(c["withdrawn_at"] is None for c in data["consents"])
    assert [s["comment"] for s in data["survey_answers"]] == ["A quokka comment"]
    text = json.dumps(data)
    for other in ("Numbat", "numbat@example.test", people.officer.username):
        assert other not in text


# --- withdrawal --------------------------------------------------------------------------


def test_withdrawing_taking_part_cancels_and_moves_the_next_one_up(people: People) -> None:
    call = _call(_activity(people), places=1)
    mine = _register(call, "quokka@example.test", "Zyxwv Quokka")
    waiting = _register(call, "numbat@example.test", "Vwxyz Numbat")
    attended_call = _call(_activity(people, days=0))
    attended = _attend(people, _register(attended_call, "quokka@example.test", "Zyxwv Quokka"))
    before = _counts()
    assert (mine.status, waiting.status) == ("confirmed", "waiting")

    withdrawn = consent_withdraw(resident=mine.resident, purpose="taking_part")

    assert withdrawn == 2
    mine.refresh_from_db()
    waiting.refresh_from_db()
    attended.refresh_from_db()
    assert (mine.status, waiting.status, attended.status) == ("cancelled", "confirmed", "attended")
    assert (
        list(
            Consent.objects.filter(resident=mine.resident, purpose="taking_part", withdrawn_at=None)
        )
        == []
    )
    assert (
        RegistrationEvent.objects.filter(kind="consent_withdrawn", number=mine.number).count() == 1
    )
    assert _counts() == before
    assert consent_withdraw(resident=mine.resident, purpose="taking_part") == 0


@pytest.mark.parametrize("purpose", ["future_calls", "statistics"])
def test_withdrawing_another_purpose_only_stops_it(people: People, purpose: str) -> None:
    call = _call(_activity(people))
    mine = _register(
        call,
        "quokka@example.test",
        "Zyxwv Quokka",
        consents=("taking_part", "future_calls", "statistics"),
    )
    _attend(people, mine)
    before = _counts()

    assert consent_withdraw(resident=mine.resident, purpose=purpose) == 1

    active = set(
        Consent.objects.filter(resident=mine.resident, withdrawn_at=None).values_list(
            "purpose", flat=True
        )
    )
    assert active == {"taking_part", "future_calls", "statistics"} - {purpose}
    assert Registration.objects.get(pk=mine.pk).status == "attended"
    assert _counts() == before
    assert consent_withdraw(resident=mine.resident, purpose=purpose) == 0


# --- erasure -----------------------------------------------------------------------------


def test_erasure_keeps_the_counts_and_moves_the_next_one_up(people: People) -> None:
    call = _call(_activity(people), places=1)
    mine = _register(call, "quokka@example.test", "Zyxwv Quokka")
    waiting = _register(call, "numbat@example.test", "Vwxyz Numbat")
    counted_call = _call(_activity(people, days=0))
    attended = _attend(people, _register(counted_call, "quokka@example.test", "Zyxwv Quokka"))
    _attend(people, _register(counted_call, "numbat@example.test", "Vwxyz Numbat"))
    survey = _survey(attended, "A quokka comment")
    user = _citizen("quokka@example.test")
    Resident.objects.filter(pk=mine.resident_id).update(user=user)
    before = _counts()
    assert before["registered"][-1][1] == 2
    assert rollup_differences() == []

    erased = resident_erase(resident=mine.resident)

    assert erased == {"registrations": 2, "consents": 3, "accounts": 1}
    assert _counts() == before
    assert rollup_differences() == []
    assert not Resident.objects.filter(email="quokka@example.test").exists()
    assert not Registration.objects.filter(name="Zyxwv Quokka").exists()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not User.history.filter(email="quokka@example.test").exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.place) == ("confirmed", "general")
    assert sorted(
        RegistrationEvent.objects.filter(kind="erased").values_list("number", "registration")
    ) == sorted([(mine.number, None), (attended.number, None)])
    survey.refresh_from_db()
    assert (survey.registration_id, survey.comment, survey.group) == (None, "", "students_youth")
    # Nothing of the person is left in the audit log.
    for event in RegistrationEvent.objects.all():
        assert "Quokka" not in event.detail


def test_erasure_never_deletes_a_staff_account(people: People) -> None:
    call = _call(_activity(people))
    mine = _register(call, "quokka@example.test", "Zyxwv Quokka")
    Resident.objects.filter(pk=mine.resident_id).update(user=people.officer)

    assert resident_erase(resident=mine.resident)["accounts"] == 0

    assert User.objects.filter(pk=people.officer.pk, role=Role.COOPERATION_OFFICER).exists()
    assert not Resident.objects.filter(pk=mine.resident_id).exists()


# --- retention ---------------------------------------------------------------------------


def test_purge_deletes_what_is_past_its_retention_once(people: People) -> None:
    now = timezone.now()
    old_call = _call(_activity(people, days=-400))
    old_attended = _attend(people, _register(old_call, "old@example.test", "Old Attended"))
    noshow = _register(old_call, "noshow@example.test", "Old Noshow")
    recent = _register(
        _call(_activity(people)),
        "recent@example.test",
        "Recent Person",
        consents=("taking_part", "future_calls"),
    )
    pending = _register(
        _call(_activity(people)), "pending@example.test", "Pending Person", verified=False
    )
    Registration.objects.filter(pk=pending.pk).update(created_at=now - dt.timedelta(days=2))
    Resident.objects.update(created_at=now - dt.timedelta(days=2))
    Consent.objects.filter(purpose="future_calls").update(given_at=now - dt.timedelta(days=4 * 365))
    before = _counts()

    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert out.getvalue().strip() == (
        "Would delete: 1 unconfirmed registrations, 2 registrations past their retention, "
        "1 consents to hear of future calls, 3 residents with nothing left."
    )
    assert Registration.objects.count() == 4

    assert purge_personal_data(now) == {
        "pending_registrations": 1,
        "registrations": 2,
        "future_calls_consents": 1,
        "residents": 3,
    }
    assert list(Resident.objects.values_list("email", flat=True)) == ["recent@example.test"]
    assert list(Registration.objects.values_list("pk", flat=True)) == [recent.pk]
    purged = RegistrationEvent.objects.filter(kind="purged")
    assert sorted(purged.values_list("number", flat=True)) == sorted(
        [old_attended.number, noshow.number]
    )
    assert _counts() == before
    assert rollup_differences() == []

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().strip() == (
        "Deleted: 0 unconfirmed registrations, 0 registrations past their retention, "
        "0 consents to hear of future calls, 0 residents with nothing left."
    )
    personal_data_purge.call_local()  # the task queue's daily run: the same, nothing left
    assert Resident.objects.count() == 1


# --- the signed link and the pages -------------------------------------------------------


def test_the_signed_link_shows_the_data_and_a_bad_one_is_404(people: People, settings: Any) -> None:
    mine = _register(_call(_activity(people)), "quokka@example.test", "Zyxwv Quokka")
    client = Client()
    page = client.get(manage_path(mine.resident))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zyxwv Quokka" in html and "quokka@example.test" in html
    assert "no-store" in page["Cache-Control"]
    token = manage_token(mine.resident)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(f"/warga/data/{tampered}/").status_code == 404
    assert client.get(f"/warga/data/{token}/json/").status_code == 200
    settings.KEMBAR_LINK_MAX_AGE_DAYS = -1  # every link is too old
    assert client.get(f"/warga/data/{token}/").status_code == 404
    settings.KEMBAR_LINK_MAX_AGE_DAYS = 365
    Resident.objects.filter(pk=mine.resident_id).update(link_key="a-new-key")
    assert client.get(f"/warga/data/{token}/").status_code == 404


def test_every_mail_links_to_the_data_page(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mine = _register(_call(_activity(people)), "quokka@example.test", "Zyxwv Quokka")
    [message] = mail.outbox
    assert manage_path(mine.resident) in message.body
    assert Client().get(manage_path(mine.resident)).status_code == 200


def test_json_download(people: People) -> None:
    mine = _register(_call(_activity(people)), "quokka@example.test", "Zyxwv Quokka")
    response = Client().get(f"/warga/data/{manage_token(mine.resident)}/json/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="kembar-data-\d{4}-\d{2}-\d{2}\.json"',
        response["Content-Disposition"],
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["resident"]["email"] == "quokka@example.test"
    assert [r["name"] for r in data["registrations"]] == ["Zyxwv Quokka"]


def test_withdraw_and_delete_through_the_link(people: People) -> None:
    mine = _register(_call(_activity(people)), "quokka@example.test", "Zyxwv Quokka")
    token = manage_token(mine.resident)
    statistics = Consent.objects.get(resident=mine.resident, purpose="statistics")
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(f"/warga/data/{token}/withdraw/", {"consent": statistics.pk}).status_code == 403
    )
    client = Client()
    assert client.get(f"/warga/data/{token}/withdraw/").status_code == 405
    response = client.post(f"/warga/data/{token}/withdraw/", {"consent": statistics.pk})
    assert (response.status_code, response["Location"]) == (302, f"/warga/data/{token}/")
    statistics.refresh_from_db()
    assert statistics.withdrawn_at is not None
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"
    other = _register(_call(_activity(people)), "numbat@example.test", "Vwxyz Numbat")
    foreign = Consent.objects.get(resident=other.resident, purpose="statistics")
    assert client.post(f"/warga/data/{token}/withdraw/", {"consent": foreign.pk}).status_code == 404

    confirm = client.get(f"/warga/data/{token}/delete/")
    assert confirm.status_code == 200
    assert client.post(f"/warga/data/{token}/delete/").status_code == 302
    assert Resident.objects.filter(pk=mine.resident_id).exists()
    done = client.post(f"/warga/data/{token}/delete/", {"confirm": "yes"})
    assert done.status_code == 200
    assert not Resident.objects.filter(pk=mine.resident_id).exists()
    assert Resident.objects.filter(pk=other.resident_id).exists()
    assert client.get(f"/warga/data/{token}/").status_code == 404


def test_the_citizens_own_page(people: People) -> None:
    mine = _register(_call(_activity(people)), "quokka@example.test", "Zyxwv Quokka")
    user = _citizen("quokka@example.test")
    assert Client().get("/warga/data/").status_code == 302
    staff = Client()
    staff.force_login(people.officer)
    assert staff.get("/warga/data/").status_code == 403
    client = Client()
    client.force_login(user)
    assert 'href="/warga/data/"' in client.get("/warga/").content.decode()
    page = client.get("/warga/data/")
    assert page.status_code == 200
    assert "Zyxwv Quokka" in page.content.decode()
    download = client.get("/warga/data/json/")
    assert json.loads(download.content)["resident"]["email"] == "quokka@example.test"
    done = client.post("/warga/data/delete/", {"confirm": "yes"})
    assert done.status_code == 200
    assert not Resident.objects.filter(pk=mine.resident_id).exists()
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_citizen_with_nothing_kept(people: People) -> None:
    client = Client()
    client.force_login(_citizen("nobody@example.test"))
    page = client.get("/warga/data/")
    assert page.status_code == 200
    assert page.context["resident"] is None
    assert client.get("/warga/data/json/").status_code == 404
    assert client.post("/warga/data/delete/", {"confirm": "yes"}).status_code == 404


# --- the staff access log ----------------------------------------------------------------


def test_access_log_is_for_administrators(people: People) -> None:
    call = _call(_activity(people))
    request = RequestFactory().get(f"/staff/opportunities/{call.pk}/registrations/")
    request.user = people.officer
    log_personal_data_access(request, "registrations list", opportunity=call, people=7)
    admin = UserFactory.create(role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    response = client.get("/staff/opportunities/personal-data-log/")
    assert response.status_code == 200
    [access] = response.context["page"].object_list
    assert (access.user, access.action, access.opportunity, access.people) == (
        people.officer,
        "registrations list",
        call,
        7,
    )
    html = response.content.decode()
    assert "registrations list" in html and f"/staff/opportunities/{call.pk}/registrations/" in html
    officer = Client()
    officer.force_login(people.officer)
    assert officer.get("/staff/opportunities/personal-data-log/").status_code == 403
    anonymous = Client().get("/staff/opportunities/personal-data-log/")
    assert anonymous.status_code == 302
    assert PersonalDataAccess.objects.count() == 1


# --- nothing personal in public ----------------------------------------------------------

PERSONAL = (
    "Zyxwv",
    "Quokka",
    "quokka@example.test",
    "Vwxyz",
    "Numbat",
    "numbat@example.test",
    "0812 7777 3141",
    "7777",
    "Quokkaberry",
)


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            found.append(text)
    return found


def _address(route: str, values: dict[str, str]) -> str:
    route = route.replace("^", "").replace("$", "")

    def value(match: re.Match[str]) -> str:
        return values.get(match.group(1), "1")

    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def test_no_personal_data_in_any_public_page_api_or_download(people: People) -> None:
    activity = _activity(people, days=-3, reference="SMG-BNE-2026-77")
    call = _call(activity, places=3)
    quokka = _register(
        call,
        "quokka@example.test",
        "Zyxwv Quokka",
        home=_home(people),
        phone="0812 7777 3141",
        answer="Quokkaberry motivation",
        consents=("taking_part", "future_calls", "statistics"),
    )
    numbat = _register(call, "numbat@example.test", "Vwxyz Numbat", answer="Numbat motivation")
    _attend(people, quokka)
    _attend(people, numbat)
    _survey(quokka, "Quokka said this")
    client = Client(raise_request_exception=False)
    addresses = [
        "/",
        "/partnerships/",
        f"/partnerships/{people.partnership.slug}/",
        f"/activities/{activity.reference}/",
        f"/activities/{people.activity.reference}/",
        "/calendar/",
        f"/calendar/?month={activity.start_date:%Y-%m}",
        "/search/?q=Quokka",
        "/search/?q=Zyxwv",
        "/search/?q=quokka%40example.test",
        "/api/v1/opportunities/",
        f"/api/v1/opportunities/{call.pk}/",
        "/api/v1/activities/",
        f"/api/v1/activities/{activity.reference}/",
        "/api/v1/partnerships/",
        "/insights/reach/",
        "/insights/economy/",
        "/insights/network/",
        *[f"/insights/reach/?download={t}" for t in ("districts", "groups", "gender", "years")],
    ]
    values = {
        "slug": people.partnership.slug,
        "reference": activity.reference,
        "pk": str(call.pk),
        "kode": "33.74",
        "token": "x",
    }
    addresses += [
        _address(route, values)
        for route in _routes(get_resolver().url_patterns)
        if not route.startswith(("admin/", "api/schema", "api/docs"))
    ]
    answered = []
    found = []
    for address in dict.fromkeys(addresses):
        response = client.get(address)
        if response.status_code != 200:
            continue
        answered.append(address)
        content = b"".join(response) if response.streaming else response.content
        text = content.decode(errors="replace")
        # A search page repeats its own query: that word is checked on the other pages.
        query = unquote(address.partition("?q=")[2]).lower()
        found += [
            f"{address}: {item}" for item in PERSONAL if item in text and item.lower() != query
        ]
    assert found == [], found
    for needed in (
        "/",
        f"/activities/{activity.reference}/",
        "/search/?q=Quokka",
        f"/api/v1/opportunities/{call.pk}/",
        f"/api/v1/activities/{activity.reference}/",
        "/insights/reach/?download=groups",
    ):
        assert needed in answered
    # The data is there to be found: the page of the person's own link shows it.
    assert "Zyxwv Quokka" in client.get(manage_path(quokka.resident)).content.decode()
