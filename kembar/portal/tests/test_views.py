from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def semarang_with_brisbane() -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    region = RegionFactory.create(kode="33.74")
    region.latitude, region.longitude = -7.0, 110.4
    region.save()
    partnership = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=CityFactory.create(
            id=2174003,
            name="Brisbane",
            country=CountryFactory.create(iso2="AU", name_id="Australia"),
            latitude=-27.46794,
            longitude=153.02809,
        ),
        documented_status="revived_after_lapse",
    )
    PartnershipEventFactory.create(partnership=partnership)
    PartnershipEventFactory.create(
        partnership=partnership, date=dt.date(2025, 5, 1), date_precision="month", kind="activity"
    )


def test_home_in_indonesian_by_default(client: Client, semarang_with_brisbane: None) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Kerja sama internasional Kota Semarang" in html
    assert "dihidupkan kembali setelah berakhir" in html
    assert "11 Januari 1993" in html
    assert "Mei 2025" in html
    data = response.context["page"].map_data
    assert data["home"] == {"name": "Kota Semarang", "lat": -7.0, "lng": 110.4}
    assert [partner["slug"] for partner in data["partners"]] == ["smg-brisbane"]


def test_home_in_english_after_switch(client: Client, semarang_with_brisbane: None) -> None:
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "International partnerships of Kota Semarang" in html
    assert "revived after lapse" in html
    assert "11 January 1993" in html


def test_home_without_partnerships_says_so(client: Client) -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")

    html = client.get("/").content.decode()

    assert "Belum ada kerja sama yang tercatat untuk daerah ini." in html


def test_home_sends_security_headers(client: Client, semarang_with_brisbane: None) -> None:
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_ignore_browser_language_until_the_user_switches(
    client: Client, semarang_with_brisbane: None
) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="id">' in html


def test_api_follows_accept_language(client: Client) -> None:
    english = client.get("/api/v1/regions/", {"level": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.get("/api/v1/regions/", {"level": "x"}, HTTP_ACCEPT_LANGUAGE="id")

    assert english.json()["detail"] == "Invalid parameter: level"
    assert indonesian.json()["detail"] == "Parameter tidak valid: level"
