"""The public opportunities API: published calls only, filters, no personal data."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client

from kembar.participation.models import Opportunity, OpportunityReservation
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2030, 1, 31, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def calls(people: People) -> dict[str, int]:
    exchange = OpportunityFactory.create(
        activity=people.activity,
        kind="exchange",
        status="published",
        title_id="Pertukaran",
        title_en="Exchange",
        deadline=DEADLINE,
        places=12,
        allocation="lottery",
        lottery_seed="2030-01-31 Kompas headline",
        eligible_groups=["students_youth"],
        eligible_age_bands=["15-24"],
        eligibility_other="Pelajar SMA",
        created_by=people.officer,
    )
    exchange.eligible_kecamatan.set([people.tugu])
    OpportunityReservation.objects.create(
        opportunity=exchange, dimension="kecamatan", kecamatan=people.tugu, places=4
    )
    training = OpportunityFactory.create(
        activity=people.activity, kind="training", status="closed", title_id="Pelatihan"
    )
    training.eligible_kecamatan.set([people.utara])
    open_to_all = OpportunityFactory.create(
        activity=people.activity, kind="event", status="results_published", title_id="Festival"
    )
    draft = OpportunityFactory.create(activity=people.activity, kind="event", title_id="Draf")
    return {
        "exchange": exchange.pk,
        "training": training.pk,
        "open": open_to_all.pk,
        "draft": draft.pk,
    }


def titles(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return sorted(item["title_id"] for item in response.json()["results"])  # type: ignore[attr-defined]


def test_anonymous_list_shows_published_calls_only(calls: dict[str, int]) -> None:
    response = Client().get("/api/v1/opportunities/")
    assert response.json()["count"] == 3
    assert titles(response) == ["Festival", "Pelatihan", "Pertukaran"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, ["Pelatihan"]),
        ({"kind": "exchange"}, ["Pertukaran"]),
        ({"kind": "event"}, ["Festival"]),
        ({"kecamatan": "33.74.03"}, ["Festival", "Pertukaran"]),
        ({"kecamatan": "33.74.02"}, ["Festival", "Pelatihan"]),
        ({"kecamatan": "33.74.01", "status": "published"}, []),
    ],
)
def test_filters(calls: dict[str, int], query: dict[str, str], expected: list[str]) -> None:
    assert titles(Client().get("/api/v1/opportunities/", query)) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "draft"}, "status"),
        ({"kind": "picnic"}, "kind"),
        ({"kecamatan": "33.99.99"}, "kecamatan"),
        ({"kecamatan": "tugu"}, "kecamatan"),
        ({"owner": "x"}, "owner"),
    ],
)
def test_bad_filters_answer_400(calls: dict[str, int], query: dict[str, str], field: str) -> None:
    response = Client().get("/api/v1/opportunities/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_detail_shows_the_terms_and_no_personal_data(calls: dict[str, int]) -> None:
    response = Client().get(f"/api/v1/opportunities/{calls['exchange']}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": calls["exchange"],
        "kind": "exchange",
        "title_id": "Pertukaran",
        "title_en": "Exchange",
        "description_id": "",
        "description_en": "",
        "activity": "SMG-BNE-2026-01",
        "partnership": "smg-brisbane",
        "region": "33.74",
        "eligibility": {
            "kecamatan": [{"kode": "33.74.03", "name": "Tugu"}],
            "groups": ["students_youth"],
            "age_bands": ["15-24"],
            "others": "Pelajar SMA",
        },
        "places": 12,
        "deadline": "2030-02-01T00:00:00+07:00",
        "allocation": "lottery",
        # Secret until the results: only its commitment, sha256("2030-01-31 Kompas headline").
        "lottery_seed": None,
        "lottery_seed_sha256": "4eb58c2d7cb79745d5c17d4a2953febf48ebec4be5d16f0bd37bc763d3558ba4",
        "panel_criteria": [],
        "reserved_places": [{"dimension": "kecamatan", "kode": "33.74.03", "places": 4}],
        "status": "published",
        "published_at": None,
    }


def test_the_seed_is_published_with_the_results(calls: dict[str, int]) -> None:
    Opportunity.objects.filter(pk=calls["exchange"]).update(status="results_published")

    answer = Client().get(f"/api/v1/opportunities/{calls['exchange']}/").json()

    assert answer["lottery_seed"] == "2030-01-31 Kompas headline"
    assert (
        hashlib.sha256(answer["lottery_seed"].encode()).hexdigest() == answer["lottery_seed_sha256"]
    )


def test_a_draft_is_not_found(calls: dict[str, int]) -> None:
    assert Client().get(f"/api/v1/opportunities/{calls['draft']}/").status_code == 404
    assert Client().get("/api/v1/opportunities/999999/").status_code == 404


def test_the_list_is_in_the_schema() -> None:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/opportunities/"]["get"]
    names = [parameter["name"] for parameter in operation["parameters"]]
    assert names == ["kecamatan", "kind", "page", "page_size", "status"]
    assert "get" in schema["paths"]["/api/v1/opportunities/{id}/"]
