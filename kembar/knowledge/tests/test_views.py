"""The knowledge pages through the real views: who may see and do what, and the forms."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import User
from kembar.knowledge.models import FollowUp, Lesson, Practice, Reflection, ReflectionStatus
from kembar.knowledge.tests.conftest import World
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User, language: str = "en") -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_pages_of_a_cooperation_officer(world: World) -> None:
    lesson = world.lesson()
    client = signed_in(world.officer)
    for url in (
        "/staff/knowledge/",
        "/staff/knowledge/lessons/new/",
        f"/staff/knowledge/lessons/{lesson.pk}/",
        f"/staff/knowledge/lessons/{lesson.pk}/edit/",
        "/staff/knowledge/practices/",
        "/staff/knowledge/practices/new/",
        "/staff/knowledge/policies/",
        "/staff/knowledge/policies/new/",
        "/staff/knowledge/reflections/",
        "/staff/knowledge/activities/SMG-BNE-2025-01/reflection/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get("/staff/activities/SMG-BNE-2025-01/").content.decode()
    assert "Reflection and lessons" in page
    assert f'href="/staff/knowledge/lessons/{lesson.pk}/"' in page


def test_anonymous_goes_to_sign_in_and_partner_sees_nothing(world: World) -> None:
    lesson = world.lesson()
    response = Client().get("/staff/knowledge/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    partner = signed_in(world.partner)
    assert partner.get("/staff/knowledge/").status_code == 403
    assert partner.get(f"/staff/knowledge/lessons/{lesson.pk}/").status_code == 404


def test_another_agency_officer_gets_403_and_nothing_changes(world: World) -> None:
    lesson = world.lesson()
    client = signed_in(world.other_agency_officer)
    assert client.get(f"/staff/knowledge/lessons/{lesson.pk}/").status_code == 200
    assert client.get(f"/staff/knowledge/lessons/{lesson.pk}/edit/").status_code == 403
    assert client.post(f"/staff/knowledge/lessons/{lesson.pk}/apply/").status_code == 403
    assert client.get("/staff/knowledge/activities/SMG-BNE-2025-01/reflection/").status_code == 403
    assert client.get("/staff/knowledge/reflections/").status_code == 403
    assert FollowUp.objects.count() == 0


def test_agency_writes_reflection_office_accepts_it(world: World) -> None:
    url = "/staff/knowledge/activities/SMG-BNE-2025-01/reflection/"
    agency = signed_in(world.agency_officer)
    refused = agency.post(url, {"learned": "", "will_change": "b", "language": "id"})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    response = agency.post(
        url, {"learned": "Portofolio", "will_change": "Uji coba", "language": "id"}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        "/staff/activities/SMG-BNE-2025-01/",
    )
    reflection = Reflection.objects.get()
    office = signed_in(world.officer)
    queue = office.get("/staff/knowledge/reflections/").content.decode()
    assert "Portofolio" in queue
    response = office.post(
        f"/staff/knowledge/reflections/{reflection.pk}/review/",
        {f"r{reflection.pk}-decision": "accept", f"r{reflection.pk}-title": "Portofolio digital"},
    )
    lesson = Lesson.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        f"/staff/knowledge/lessons/{lesson.pk}/",
    )
    assert (lesson.title_id, Reflection.objects.get().status) == (
        "Portofolio digital",
        ReflectionStatus.ACCEPTED,
    )


def test_follow_up_buttons_on_the_lesson_page(world: World) -> None:
    lesson = world.lesson()
    client = signed_in(world.agency_officer)
    page = client.get(f"/staff/knowledge/lessons/{lesson.pk}/").content.decode()
    assert "Mark as applied" in page
    client.post(f"/staff/knowledge/lessons/{lesson.pk}/apply/", {"note": "Rencana"})
    follow_up = FollowUp.objects.get()
    page = client.get(f"/staff/knowledge/lessons/{lesson.pk}/").content.decode()
    assert "Move on to “act”" in page
    client.post(f"/staff/knowledge/follow-ups/{follow_up.pk}/advance/", {"stage": "observe"})
    follow_up.refresh_from_db()
    assert follow_up.stage == "plan"
    page = client.get(f"/staff/knowledge/lessons/{lesson.pk}/").content.decode()
    assert "From the stage “plan” the follow-up can only move on to “act”." in page
    client.post(f"/staff/knowledge/follow-ups/{follow_up.pk}/advance/", {"stage": "act"})
    client.post(f"/staff/knowledge/follow-ups/{follow_up.pk}/drop/", {"reason": "Mahal"})
    follow_up.refresh_from_db()
    assert (follow_up.stage, follow_up.dropped_reason) == ("dropped", "Mahal")


def test_lesson_list_search_and_filters(world: World) -> None:
    world.lesson()
    client = signed_in(world.officer)
    found = client.get("/staff/knowledge/", {"q": "portofolio"}).content.decode()
    assert "1 lesson" in found and "Teacher training" in found
    other_sector = SectorFactory.create(code=9, name_id="Pariwisata", name_en="Tourism")
    none = client.get("/staff/knowledge/", {"sector": other_sector.pk}).content.decode()
    assert "No lesson matches these filters." in none
    city = world.orgs.partner_city.pk
    assert "1 lesson" in client.get("/staff/knowledge/", {"partner_city": city}).content.decode()


def test_lesson_and_practice_forms(world: World) -> None:
    sector, affair = SectorFactory.create(), GovernmentAffairFactory.create()
    client = signed_in(world.agency_officer)
    refused = client.post(
        "/staff/knowledge/lessons/new/",
        {"title_id": "Bank sampah", "agency": world.orgs.dinas_pendidikan.pk},
    )
    assert refused.status_code == 400
    response = client.post(
        "/staff/knowledge/lessons/new/",
        {
            "title_id": "Bank sampah",
            "agency": world.orgs.dinas_pendidikan.pk,
            "sector": sector.pk,
            "government_affair": affair.pk,
            "source_activity": world.activity.pk,
        },
    )
    lesson = Lesson.objects.get()
    assert (response.status_code, lesson.status, lesson.created_by) == (
        302,
        "draft",
        world.agency_officer,
    )
    response = client.post(
        "/staff/knowledge/practices/new/",
        {
            "direction": "offered",
            "title_id": "Kampung tematik",
            "sector": sector.pk,
            "government_affair": affair.pk,
            "contact_agency": world.orgs.dinas_pendidikan.pk,
        },
    )
    assert response.status_code == 302
    assert Practice.objects.get().partner_city is None


def test_indonesian_is_the_default(world: World) -> None:
    page = signed_in(world.officer, language="id").get("/staff/knowledge/")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "id"
