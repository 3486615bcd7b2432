"""The knowledge API: search over lessons, practices and policies, and the writes.

Search runs on the real index (the records reach it through the registry's
signals), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kembar.accounts.models import User
from kembar.knowledge.models import Lesson, LessonStatus, Policy, Reflection, ReflectionStatus
from kembar.knowledge.services import lesson_save, policy_adopt, policy_publish, practice_save
from kembar.knowledge.tests.conftest import World
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory
from kembar.search.models import SearchDocument

pytestmark = pytest.mark.django_db

URL = "/api/v1/knowledge/"


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    client.cookies["kembar_language"] = "en"
    if user is not None:
        client.force_authenticate(user)
    return client


def _lesson(world: World, **texts: str) -> Lesson:
    data: dict[str, Any] = {
        "agency": world.orgs.dinas_pendidikan,
        "sector": world.activity.sector,
        "government_affair": world.activity.government_affair,
        "partner_city": world.orgs.partner_city,
        **texts,
    }
    return lesson_save(actor=world.officer, data=data, region_id="33.74")


def _search(user: User | None, **params: Any) -> Any:
    response = _client(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def _found(answer: Any) -> list[tuple[str, int]]:
    return [(hit["kind"], hit["id"]) for hit in answer["results"]]


def test_a_lesson_is_found_by_an_indonesian_word_form(world: World) -> None:
    lesson = _lesson(
        world,
        title_id="Portofolio digital",
        title_en="Digital portfolios",
        what_happened_id="Pelatihan guru tentang portofolio berjalan baik.",
        what_happened_en="The teachers' course on portfolios went well.",
    )

    answer = _search(world.officer, q="dilatih", kind="lesson")

    assert _found(answer) == [("lesson", lesson.pk)]
    hit = answer["results"][0]
    assert hit["title"] == "Digital portfolios"
    assert hit["url"] == f"/staff/knowledge/lessons/{lesson.pk}/"
    assert hit["sector"] == world.activity.sector_id
    assert hit["agency"] == world.orgs.dinas_pendidikan.pk
    assert hit["year"] == lesson.created_at.year


def test_an_english_synonym_finds_an_indonesian_only_lesson(world: World) -> None:
    lesson = _lesson(
        world, title_id="Bank sampah sekolah", what_happened_id="Sampah plastik turun."
    )

    answer = _search(world.officer, q="waste")

    assert _found(answer) == [("lesson", lesson.pk)]
    assert answer["total"] == 1
    assert answer["who_knows"]["agencies"] == [
        {"id": world.orgs.dinas_pendidikan.pk, "name": world.orgs.dinas_pendidikan.name, "count": 1}
    ]


def test_the_kind_filter_keeps_one_kind(world: World) -> None:
    lesson = _lesson(world, title_id="Kebun sekolah")
    practice = practice_save(
        actor=world.officer,
        region_id="33.74",
        data={
            "direction": "offered",
            "title_id": "Kebun sekolah hidroponik",
            "sector": world.activity.sector,
            "government_affair": world.activity.government_affair,
        },
    )

    both = _search(world.officer, q="kebun")
    practices = _search(world.officer, q="kebun", kind="practice")

    assert sorted(_found(both)) == sorted([("lesson", lesson.pk), ("practice", practice.pk)])
    assert _found(practices) == [("practice", practice.pk)]
    assert practices["results"][0]["url"] == f"/staff/knowledge/practices/#practice-{practice.pk}"


def test_a_facet_filter_narrows_and_the_facets_count_exactly(world: World) -> None:
    health = SectorFactory.create(code=17, kbli_sections="Q", name_id="Kesehatan", name_en="Health")
    affair = GovernmentAffairFactory.create(code="1.02", name_id="Kesehatan", name_en="Health")
    education = [_lesson(world, title_id=f"Sampah sekolah {n}") for n in range(2)]
    clinic = lesson_save(
        actor=world.officer,
        region_id="33.74",
        data={
            "agency": world.orgs.dinas_pendidikan,
            "sector": health,
            "government_affair": affair,
            "title_id": "Sampah puskesmas",
        },
    )

    everything = _search(world.officer, q="sampah")
    narrowed = _search(world.officer, q="sampah", sector=17)

    assert everything["total"] == 3
    assert everything["facets"]["sector"] == [
        {"value": 16, "label": str(world.activity.sector), "count": 2},
        {"value": 17, "label": str(health), "count": 1},
    ]
    assert everything["facets"]["urusan"] == [
        {"value": "1.01", "label": str(world.activity.government_affair), "count": 2},
        {"value": "1.02", "label": str(affair), "count": 1},
    ]
    assert sorted(_found(everything)) == sorted([("lesson", x.pk) for x in [*education, clinic]])
    assert _found(narrowed) == [("lesson", clinic.pk)]
    assert narrowed["facets"]["sector"] == [{"value": 17, "label": str(health), "count": 1}]


def _policy(world: World, title: str, public: bool) -> Policy:
    policy = policy_adopt(
        actor=world.officer,
        region_id="33.74",
        data={
            "title_id": title,
            "instrument": "perwal",
            "adopted_on": dt.date(2025, 6, 1),
            "agency": world.orgs.dinas_pendidikan,
            "evidence_url": "https://jdih.semarangkota.go.id/perwal-12-2025",
            "partnership": world.partnership,
            "activities": [world.activity],
        },
    )
    if public:
        policy_publish(actor=world.officer, policy=policy, public=True)
    return policy


def test_anonymous_callers_find_public_policies_and_never_lessons(world: World) -> None:
    _lesson(world, title_id="Kurikulum sampah")
    shown = _policy(world, "Perwal sampah sekolah", public=True)
    _policy(world, "Perwal sampah pasar", public=False)

    anonymous = _search(None, q="sampah")
    staff = _search(world.officer, q="sampah")

    assert _found(anonymous) == [("policy", shown.pk)]
    assert anonymous["results"][0]["year"] == 2025
    assert anonymous["results"][0]["sector"] == world.activity.sector_id
    assert anonymous["results"][0]["partner_city"] == world.orgs.partner_city.pk
    assert staff["total"] == 3
    assert _search(world.partner, q="sampah")["total"] == 1


def test_the_index_follows_a_policy_made_public_and_a_lesson_deleted(world: World) -> None:
    policy = _policy(world, "Perwal sampah", public=False)
    lesson = _lesson(world, title_id="Sampah")
    assert SearchDocument.objects.get(kind="policy", object_id=policy.pk).public is False

    policy_publish(actor=world.officer, policy=policy, public=True)
    lesson_id = lesson.pk
    lesson.delete()

    assert SearchDocument.objects.get(kind="policy", object_id=policy.pk).public is True
    assert not SearchDocument.objects.filter(kind="lesson", object_id=lesson_id).exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"levle": "1"}, "levle"),
        ({"kind": "poem"}, "kind"),
        ({"sector": "999"}, "sector"),
        ({"urusan": "9.99"}, "urusan"),
        ({"sdg": "18"}, "sdg"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_parameters_answer_400_naming_them(
    world: World, params: dict[str, str], field: str
) -> None:
    response = _client().get(URL, {"q": "sampah", **params})

    assert response.status_code == 400
    assert response.json()["detail"] == f"Invalid parameter: {field}"
    assert list(response.json()["errors"]) == [field]


def _lesson_body(agency: str) -> dict[str, Any]:
    return {
        "agency": agency,
        "title_id": "Guru belajar portofolio",
        "sector": 16,
        "government_affair": "1.01",
        "sdg_targets": [],
    }


def test_an_agency_officer_writes_a_lesson_for_their_own_agency_only(world: World) -> None:
    client = _client(world.agency_officer)

    created = client.post(f"{URL}lessons/", _lesson_body("disdik-semarang"), format="json")
    refused = client.post(f"{URL}lessons/", _lesson_body("disbudpar-semarang"), format="json")

    assert created.status_code == 201, created.content
    lesson = Lesson.objects.get()
    assert created.json()["id"] == lesson.pk
    assert (lesson.agency, lesson.status, lesson.region_id) == (
        world.orgs.dinas_pendidikan,
        LessonStatus.DRAFT,
        "33.74",
    )
    assert refused.status_code == 403
    assert Lesson.objects.count() == 1


def test_a_lesson_is_read_and_changed_through_the_api(world: World) -> None:
    lesson = _lesson(world, title_id="Portofolio")
    client = _client(world.agency_officer)

    changed = client.patch(f"{URL}lessons/{lesson.pk}/", {"title_en": "Portfolios"}, format="json")
    other = _client(world.other_agency_officer).patch(
        f"{URL}lessons/{lesson.pk}/", {"title_en": "Mine"}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json()["title_en"] == "Portfolios"
    assert other.status_code == 403
    lesson.refresh_from_db()
    assert lesson.title_en == "Portfolios"
    assert _client(world.partner).get(f"{URL}lessons/{lesson.pk}/").status_code == 403
    assert _client().get(f"{URL}lessons/{lesson.pk}/").status_code == 403


def test_a_reflection_is_written_and_accepted_through_the_api(world: World) -> None:
    reference = world.activity.reference
    written = _client(world.agency_officer).post(
        f"{URL}reflections/",
        {
            "activity": reference,
            "learned": "Guru dilatih memakai portofolio.",
            "will_change": "Uji",
        },
        format="json",
    )
    reflection = Reflection.objects.get()
    by_agency = _client(world.agency_officer).post(
        f"{URL}reflections/{reflection.pk}/review/", {"decision": "accept"}, format="json"
    )
    no_note = _client(world.officer).post(
        f"{URL}reflections/{reflection.pk}/review/", {"decision": "return"}, format="json"
    )
    accepted = _client(world.officer).post(
        f"{URL}reflections/{reflection.pk}/review/",
        {"decision": "accept", "title": "Portofolio guru"},
        format="json",
    )

    assert written.status_code == 201, written.content
    assert written.json()["status"] == "submitted"
    assert by_agency.status_code == 403
    assert no_note.status_code == 400
    with translation.override("en"):
        assert no_note.json()["errors"] == {
            "note": ["Say what should change before the reflection is returned."]
        }
    assert accepted.status_code == 200, accepted.content
    lesson = Lesson.objects.get()
    assert accepted.json() == {"status": "accepted", "lesson": lesson.pk}
    assert (lesson.title_id, lesson.status) == ("Portofolio guru", LessonStatus.REVIEWED)
    assert Reflection.objects.get().status == ReflectionStatus.ACCEPTED
    assert _found(_search(world.officer, q="melatih", kind="lesson")) == [("lesson", lesson.pk)]


def test_a_reflection_on_an_activity_out_of_sight_is_refused(world: World) -> None:
    response = _client(world.agency_officer).post(
        f"{URL}reflections/",
        {"activity": "NOPE-1", "learned": "x", "will_change": "y"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["activity"]
    assert not Reflection.objects.exists()


def test_a_nul_character_in_a_reference_is_refused_not_looked_up(world: World) -> None:
    """PostgreSQL refuses NUL in a query's text: the field says the value is invalid (400)."""
    client = _client(world.agency_officer)
    body = {**_lesson_body("disdik-semarang"), "source_activity": "`\x00VP"}
    with translation.override("en"):
        answer = client.post(f"{URL}lessons/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert "source_activity" in answer.json()["errors"]
    assert Lesson.objects.count() == 0


def test_a_nul_character_in_a_code_is_refused_in_every_api(world: World) -> None:
    """The shared related fields (kembar.common.api) refuse NUL before the lookup: here a
    government affair code, looked up by its text primary key."""
    client = _client(world.agency_officer)
    body = {**_lesson_body("disdik-semarang"), "government_affair": "1.0\x001"}
    answer = client.post(f"{URL}lessons/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["errors"]) == ["government_affair"]
