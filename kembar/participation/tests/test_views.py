"""Staff pages for opportunities: list, create from an activity, status with confirmation,
reserved places from the suggestions; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import User
from kembar.participation.models import Opportunity
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory
from kembar.programs.activities import ParticipantRow, activity_report_participants

pytestmark = pytest.mark.django_db


def english(user: User) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_list_empty_state_then_rows_search_and_htmx(people: People) -> None:
    client = english(people.officer)
    response = client.get("/staff/opportunities/")
    assert response.status_code == 200
    assert "No calls for participation yet." in response.content.decode()
    OpportunityFactory.create(activity=people.activity, title_en="Youth training", places=20)
    OpportunityFactory.create(
        activity=people.activity, title_en="Host families", status="published"
    )
    response = client.get("/staff/opportunities/", {"q": "Host"})
    assert [item.title_en for item in response.context["page"].object_list] == ["Host families"]
    response = client.get("/staff/opportunities/", {"q": "nothing"})
    assert "No call matches these filters." in response.content.decode()
    partial = client.get("/staff/opportunities/", {"sort": "title"}, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "staff/opportunities/_results.html"
    assert partial.context["page"].paginator.count == 2


def test_list_needs_sign_in() -> None:
    response = Client().get("/staff/opportunities/")
    assert response.status_code == 302


def test_create_from_an_activity(people: People) -> None:
    client = english(people.agency_officer)
    choose = client.get("/staff/opportunities/new/")
    assert [a.reference for a in choose.context["activities"]] == ["SMG-BNE-2026-01"]
    form = client.get("/staff/opportunities/new/", {"activity": "SMG-BNE-2026-01"})
    assert [r.kode for r in form.context["form"].fields["eligible_kecamatan"].queryset] == [
        "33.74.01",
        "33.74.02",
        "33.74.03",
    ]
    response = client.post(
        "/staff/opportunities/new/",
        {
            "activity": "SMG-BNE-2026-01",
            "kind": "host_family",
            "title_id": "Keluarga angkat",
            "title_en": "Host families",
            "places": "8",
            "deadline": "2030-03-01T12:00",
            "allocation": "panel",
            "panel_criteria": "Motivation: 2\nSpace at home: 1.5",
            "eligible_kecamatan": ["33.74.03"],
            "eligible_groups": ["community"],
        },
    )
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/opportunities/{opportunity.pk}/"
    assert (opportunity.status, opportunity.places, opportunity.created_by) == (
        "draft",
        8,
        people.agency_officer,
    )
    assert opportunity.panel_criteria == [
        {"name": "Motivation", "weight": 2.0},
        {"name": "Space at home", "weight": 1.5},
    ]
    # 12:00 in Asia/Jakarta.
    assert opportunity.deadline == dt.datetime(2030, 3, 1, 5, 0, tzinfo=dt.UTC)


def test_create_shows_the_service_problems(people: People) -> None:
    response = english(people.officer).post(
        "/staff/opportunities/new/",
        {
            "activity": "SMG-BNE-2026-01",
            "kind": "event",
            "title_id": "Festival",
            "places": "1",
            "allocation": "first_come",
            "panel_criteria": "Motivation: 0",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "panel_criteria": ["The weight of “Motivation” must be a number above 0."]
    }
    assert Opportunity.objects.count() == 0


@pytest.mark.parametrize("who", ["other_agency_officer", "council"])
def test_others_may_not_create(people: People, who: str) -> None:
    response = english(getattr(people, who)).post(
        "/staff/opportunities/new/",
        {
            "activity": "SMG-BNE-2026-01",
            "kind": "event",
            "title_id": "x",
            "places": "1",
            "allocation": "first_come",
        },
    )
    assert response.status_code == 403
    assert Opportunity.objects.count() == 0


def test_transition_needs_confirmation_and_keeps_history(people: People) -> None:
    opportunity = OpportunityFactory.create(activity=people.activity)
    client = english(people.officer)
    url = f"/staff/opportunities/{opportunity.pk}/status/"
    client.post(url, {"target": "published", "version": "1", "reason": "ready"})
    opportunity.refresh_from_db()
    assert opportunity.status == "draft"
    response = client.post(
        url, {"target": "published", "version": "1", "reason": "ready", "confirm": "on"}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.version, opportunity.status_reason) == (
        "published",
        2,
        "ready",
    )
    detail = client.get(f"/staff/opportunities/{opportunity.pk}/")
    assert detail.context["next_status"] == "closed"
    assert [row.status for row in detail.context["history"]] == ["published", "draft"]


def test_another_regions_officer_gets_404_on_a_draft_and_403_on_a_published_call(
    people: People,
) -> None:
    draft = OpportunityFactory.create(activity=people.activity)
    client = english(people.other_agency_officer)
    assert client.get(f"/staff/opportunities/{draft.pk}/").status_code == 404
    published = OpportunityFactory.create(activity=people.activity, status="published")
    assert client.get(f"/staff/opportunities/{published.pk}/").status_code == 200
    response = client.post(
        f"/staff/opportunities/{published.pk}/status/",
        {"target": "closed", "version": "1", "confirm": "on"},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.status, published.version) == ("published", 1)
    magelang = english(people.magelang_officer)
    assert magelang.get(f"/staff/opportunities/{published.pk}/").status_code == 404


def test_accept_the_suggested_reservations(people: People) -> None:
    activity_report_participants(
        actor=people.officer,
        activity=people.activity,
        rows=[ParticipantRow("local", "government", "male", "25-44", 50, people.tengah)],
        local_total=50,
        partner_total=0,
    )
    opportunity = OpportunityFactory.create(activity=people.activity, places=30)
    client = english(people.officer)
    detail = client.get(f"/staff/opportunities/{opportunity.pk}/")
    assert [(row.code, row.places) for row in detail.context["suggestions"]] == [
        ("33.74.03", 7),
        ("33.74.02", 2),
    ]
    response = client.post(f"/staff/opportunities/{opportunity.pk}/reservations/", {"version": "1"})
    assert response.status_code == 302
    assert list(
        opportunity.reservations.order_by("kecamatan").values_list("kecamatan", "places")
    ) == [("33.74.02", 2), ("33.74.03", 7)]


def test_edit_with_a_stale_version_shows_the_conflict(people: People) -> None:
    opportunity = OpportunityFactory.create(activity=people.activity, places=20)
    client = english(people.officer)
    form = client.get(f"/staff/opportunities/{opportunity.pk}/edit/").context["form"]
    assert form.initial["places"] == 20
    values = {
        "kind": "training",
        "title_id": opportunity.title_id,
        "title_en": opportunity.title_en,
        "places": "25",
        "allocation": "first_come",
        "version": "1",
    }
    assert client.post(f"/staff/opportunities/{opportunity.pk}/edit/", values).status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.places, opportunity.version) == (25, 2)
    stale = client.post(f"/staff/opportunities/{opportunity.pk}/edit/", {**values, "places": "30"})
    assert stale.status_code == 409
    assert [row["label"] for row in stale.context["conflict"]["rows"]] == ["places"]
    opportunity.refresh_from_db()
    assert (opportunity.places, opportunity.version) == (25, 2)


def test_the_calls_own_questions_keep_their_keys_when_edited(people: People) -> None:
    opportunity = OpportunityFactory.create(activity=people.activity, places=20)
    client = english(people.officer)
    values = {
        "kind": "training",
        "title_id": opportunity.title_id,
        "title_en": opportunity.title_en,
        "places": "20",
        "allocation": "first_come",
        "version": "1",
        "questions": "* Mengapa Anda ingin ikut? | Why do you want to take part?\nSekolah Anda?",
    }
    assert client.post(f"/staff/opportunities/{opportunity.pk}/edit/", values).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.questions == [
        {
            "key": "q1",
            "text_id": "Mengapa Anda ingin ikut?",
            "text_en": "Why do you want to take part?",
            "required": True,
        },
        {"key": "q2", "text_id": "Sekolah Anda?", "text_en": "", "required": False},
    ]
    form = client.get(f"/staff/opportunities/{opportunity.pk}/edit/").context["form"]
    assert form.initial["questions"] == (
        "* Mengapa Anda ingin ikut? | Why do you want to take part?\nSekolah Anda?"
    )
    # The first question removed and a new one added: the kept one keeps q2; the new one gets
    # a key the call's questions did not use before this edit.
    values |= {"version": "2", "questions": "Sekolah Anda?\nKelas berapa?"}
    assert client.post(f"/staff/opportunities/{opportunity.pk}/edit/", values).status_code == 302
    opportunity.refresh_from_db()
    assert [(q["key"], q["text_id"]) for q in opportunity.questions] == [
        ("q2", "Sekolah Anda?"),
        ("q3", "Kelas berapa?"),
    ]
    too_many = "\n".join(f"Pertanyaan {n}?" for n in range(6))
    refused = client.post(
        f"/staff/opportunities/{opportunity.pk}/edit/",
        values | {"version": "3", "questions": too_many},
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["questions"] == [
        "A call may ask at most 5 questions of its own."
    ]
