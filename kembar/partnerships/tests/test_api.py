from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.tests.factories import (
    FocusAreaFactory,
    PartnershipEventFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def brisbane() -> None:
    partnership = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=CityFactory.create(
            id=2174003, name="Brisbane", country=CountryFactory.create(iso2="AU")
        ),
        partner_region_name="Queensland",
        documented_status="revived_after_lapse",
    )
    partnership.focus_areas.set(
        [FocusAreaFactory.create(), FocusAreaFactory.create(slug="smart-city")]
    )
    PartnershipEventFactory.create(
        partnership=partnership,
        date=dt.date(2023, 1, 1),
        date_precision="year",
        kind="revived",
        detail_id="Dihidupkan kembali",
        detail_en="Revived",
    )
    PartnershipEventFactory.create(partnership=partnership)
    PartnershipFactory.create(slug="other-region", local_region=RegionFactory.create(kode="33.71"))


def test_list_filtered_by_local_region(client: Client, brisbane: None) -> None:
    response = client.get("/api/v1/partnerships/", {"local_region": "33.74"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["slug"] == "smg-brisbane"
    assert row["local_region"] == "33.74"
    assert row["partner_city"]["id"] == 2174003
    assert row["partner_country"] == "AU"
    assert row["documented_status"] == "revived_after_lapse"
    assert [area["slug"] for area in row["focus_areas"]] == ["education", "smart-city"]
    assert "events" not in row


@pytest.mark.parametrize(("language", "detail"), [("id", "Dihidupkan kembali"), ("en", "Revived")])
def test_detail_has_events_oldest_first(
    client: Client, brisbane: None, language: str, detail: str
) -> None:
    response = client.get("/api/v1/partnerships/smg-brisbane/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json()["events"] == [
        {
            "date": "1993-01-11",
            "date_precision": "day",
            "kind": "agreement_signed",
            "detail": "",
            "detail_id": "",
            "detail_en": "",
            "source": "",
        },
        {
            "date": "2023-01-01",
            "date_precision": "year",
            "kind": "revived",
            "detail": detail,
            "detail_id": "Dihidupkan kembali",
            "detail_en": "Revived",
            "source": "",
        },
    ]


@pytest.mark.parametrize("value", ["33-74", "99.99"])
def test_bad_local_region_is_400(client: Client, brisbane: None, value: str) -> None:
    response = client.get("/api/v1/partnerships/", {"local_region": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["local_region"]


def test_unknown_partnership_is_404(client: Client) -> None:
    assert client.get("/api/v1/partnerships/smg-nowhere/").status_code == 404


def test_list_queries_do_not_grow_with_rows(
    client: Client, brisbane: None, django_assert_max_num_queries: object
) -> None:
    for _ in range(5):
        PartnershipFactory.create().focus_areas.add(FocusAreaFactory.create())
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        response = client.get("/api/v1/partnerships/")
    assert response.json()["count"] == 7
