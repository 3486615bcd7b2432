"""The index follows activities and trip reports; the staff page and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.programs.models import TripReport
from kembar.programs.tests.factories import ActivityFactory, SdgTargetFactory
from kembar.search.engine import search
from kembar.search.models import SearchDocument

pytestmark = pytest.mark.django_db

URL = "/staff/search/"


def _documents() -> list[tuple[str, bool, int | None, str]]:
    return list(
        SearchDocument.objects.order_by("kind", "object_id").values_list(
            "kind", "public", "year", "title_id"
        )
    )


def test_saving_and_deleting_an_activity_keeps_the_index_in_step() -> None:
    activity = ActivityFactory.create(
        title_id="Pelatihan pengelolaan sampah", title_en="", description_id="Bank sampah."
    )
    assert _documents() == [("activity", True, 2024, "Pelatihan pengelolaan sampah")]
    document = SearchDocument.objects.get()
    assert (document.region, document.sector, document.urusan, document.agency) == (
        "33.74",
        16,
        "1.01",
        activity.agency_id,
    )
    assert [hit.object_id for hit in search("waste").hits] == [activity.pk]

    activity.sdg_targets.add(SdgTargetFactory.create())
    assert list(document.sdgs.values_list("goal", flat=True)) == [4]

    activity.title_id = "Kunjungan banjir rob"
    activity.description_id = ""
    activity.save()
    assert search("waste").hits == []
    assert [hit.object_id for hit in search("flood").hits] == [activity.pk]

    activity.partnership.is_public = False
    activity.partnership.save()
    assert _documents() == [("activity", False, 2024, "Kunjungan banjir rob")]

    activity.delete()
    assert _documents() == []


def test_a_trip_report_is_indexed_as_internal_and_follows_its_activity() -> None:
    activity = ActivityFactory.create(
        title_id="Studi banding",
        title_en="",
        start_date=dt.date(2023, 5, 1),
        end_date=dt.date(2023, 5, 3),
    )
    report = TripReport.objects.create(
        activity=activity,
        purpose="Learn how Kobe recycles waste.",
        outputs="Dua guru dilatih.",
        days=3,
        cost_idr=1000,
    )
    assert [(hit.kind, hit.object_id, hit.public) for hit in search("pelatihan").hits] == [
        ("trip_report", report.pk, False)
    ]
    activity.title_id = "Studi banding Kobe"
    activity.save()
    assert SearchDocument.objects.get(kind="trip_report").title_id == "Studi banding Kobe"
    assert search("pelatihan", public_only=True).hits == []


def test_reindex_rebuilds_everything_and_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = ActivityFactory.create_batch(2)
    SearchDocument.objects.all().delete()
    call_command("search_reindex")
    assert capsys.readouterr().out == (
        "activity: 2 indexed, 0 removed\nlesson: 0 indexed, 0 removed\n"
        "policy: 0 indexed, 0 removed\npractice: 0 indexed, 0 removed\n"
        "trip_report: 0 indexed, 0 removed\n"
    )
    call_command("search_reindex", kind=["activity"])
    assert capsys.readouterr().out == "activity: 2 indexed, 0 removed\n"
    assert sorted(SearchDocument.objects.values_list("object_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )


def _client(role: str = Role.COOPERATION_OFFICER, organisation: object = None) -> Client:
    client = Client()
    client.cookies["kembar_language"] = "en"
    client.force_login(UserFactory.create(role=role, organisation=organisation))
    return client


def test_the_page_needs_a_signed_in_staff_user() -> None:
    response = Client().get(URL, {"q": "guru"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_officer_finds_their_region_and_the_public_records() -> None:
    organisations = standard_organisations()
    ours = ActivityFactory.create(title_id="Pelatihan guru", partnership__is_public=False)
    ActivityFactory.create(
        title_id="Guru dilatih di Magelang",
        partnership__is_public=False,
        partnership__local_region=organisations.magelang.region,
    )
    public_elsewhere = ActivityFactory.create(
        title_id="Pelatihan guru Magelang",
        partnership__local_region=organisations.magelang.region,
    )
    response = _client(organisation=organisations.semarang).get(URL, {"q": "training"})
    assert response.status_code == 200
    assert sorted(row["hit"].object_id for row in response.context["hits"]) == sorted(
        [ours.pk, public_elsewhere.pk]
    )
    content = response.content.decode()
    assert 'id="who-knows"' in content and "Dinas Pendidikan" in content
    assert response.context["facets"][0]["links"][0].label == "Education"

    admin = _client(role=Role.ADMINISTRATOR, organisation=organisations.semarang)
    assert admin.get(URL, {"q": "training"}).context["results"].total == 3


def test_the_page_without_a_query_and_with_hostile_input() -> None:
    organisation = standard_organisations().semarang
    client = _client(organisation=organisation)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="search-empty"' in response.content.decode()
    response = client.get(URL, {"q": '") OR *', "sdg": "x", "page": "-1", "kind": "nope"})
    assert response.status_code == 200
    assert 'id="search-empty"' not in response.content.decode()
    assert response.context["results"].total == 0
