from __future__ import annotations

import pytest
from django.test import Client

from kembar.geo.models import ReferenceLoad, TwinReviewRow
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory, twin_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def semarang_regions() -> None:
    RegionFactory.create(kode="33", name="Jawa Tengah")
    RegionFactory.create(kode="33.74", name="Kota Semarang", kind="kota", population=1_700_000)
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah", population=54_338)
    RegionFactory.create(kode="33.74.02", name="Semarang Utara")
    RegionFactory.create(kode="33.74.01.1001", name="Miroto", kind="kelurahan")
    RegionFactory.create(kode="33.71", name="Kota Magelang", kind="kota")


def test_regions_filtered_by_parent_in_code_order(client: Client, semarang_regions: None) -> None:
    response = client.get("/api/v1/regions/", {"parent": "33.74"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [row["kode"] for row in body["results"]] == ["33.74.01", "33.74.02"]
    assert body["results"][0] == {
        "kode": "33.74.01",
        "name": "Semarang Tengah",
        "level": "kecamatan",
        "kind": "",
        "parent": "33.74",
        "population": 54338,
        "population_male": None,
        "population_female": None,
        "population_year": None,
        "area_km2": None,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "kabupaten_kota"}, ["33.71", "33.74"]),
        ({"q": "semarang"}, ["33.74", "33.74.01", "33.74.02"]),
        ({"q": "33.74.01"}, ["33.74.01", "33.74.01.1001"]),
        ({"level": "kecamatan", "q": "utara"}, ["33.74.02"]),
    ],
)
def test_regions_filters(
    client: Client, semarang_regions: None, params: dict[str, str], expected: list[str]
) -> None:
    response = client.get("/api/v1/regions/", params)

    assert response.status_code == 200
    assert [row["kode"] for row in response.json()["results"]] == expected


def test_region_detail(client: Client, semarang_regions: None) -> None:
    response = client.get("/api/v1/regions/33.74/")

    assert response.status_code == 200
    body = response.json()
    assert body["kode"] == "33.74"
    assert body["parent"] == "33"
    assert body["parent_name"] == "Jawa Tengah"
    assert body["children_count"] == 2


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"level": "city"}, "level"),
        ({"parent": "33-74"}, "parent"),
        ({"q": "x"}, "q"),
        ({"levle": "kecamatan"}, "levle"),
    ],
)
def test_regions_bad_parameter_is_named(
    client: Client, semarang_regions: None, params: dict[str, str], bad: str
) -> None:
    response = client.get("/api/v1/regions/", params)

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [bad]
    assert bad in body["detail"]


def test_unknown_region_is_404(client: Client, semarang_regions: None) -> None:
    assert client.get("/api/v1/regions/99.99/").status_code == 404


def test_cities_search_by_country_and_any_name(client: Client) -> None:
    indonesia = CountryFactory.create(iso2="ID")
    CityFactory.create(
        id=1627896,
        name="Semarang",
        country=indonesia,
        population=1_694_740,
        search_text="semarang|kota semarang|samarang",
    )
    CityFactory.create(
        id=1, name="Semarang Kecil", country=indonesia, population=600, search_text="semarang kecil"
    )
    CityFactory.create(
        id=2, name="Samarang Town", country=CountryFactory.create(iso2="AU"), search_text="samarang"
    )
    CityFactory.create(id=3, name="Surabaya", country=indonesia, search_text="surabaya")

    response = client.get("/api/v1/cities/", {"country": "id", "q": "SÁMARANG"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == 1627896
    assert body["results"][0]["geonameid"] == 1627896
    assert body["results"][0]["country"] == "ID"

    response = client.get("/api/v1/cities/", {"country": "ID", "q": "semarang"})
    assert [row["name"] for row in response.json()["results"]] == ["Semarang", "Semarang Kecil"]


def test_cities_unknown_country_is_400(client: Client) -> None:
    CountryFactory.create(iso2="ID")

    response = client.get("/api/v1/cities/", {"country": "QQ"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["country"]


def test_city_detail_twins_and_404(client: Client) -> None:
    semarang = CityFactory.create(
        id=1627896, name="Semarang", alternate_names="Kota Semarang|Samarang"
    )
    brisbane = CityFactory.create(
        id=2174003, name="Brisbane", country=CountryFactory.create(iso2="AU")
    )
    beihai = CityFactory.create(id=1816705, name="Beihai", country=CountryFactory.create(iso2="CN"))
    source_only = CityFactory.create(id=-42, name="Desa Kecil")
    CityFactory.create(id=5, name="Unlinked")
    twin_link(semarang, brisbane)
    twin_link(beihai, semarang)
    twin_link(source_only, brisbane)

    detail = client.get("/api/v1/cities/1627896/")
    assert detail.status_code == 200
    assert detail.json()["alternate_names"] == ["Kota Semarang", "Samarang"]

    twins = client.get("/api/v1/cities/1627896/twins/").json()
    assert twins["count"] == 2
    assert [row["id"] for row in twins["results"]] == [2174003, 1816705]

    twins_of_source = client.get("/api/v1/cities/-42/twins/").json()
    assert [row["id"] for row in twins_of_source["results"]] == [2174003]
    assert client.get("/api/v1/cities/-42/").json()["geonameid"] is None

    assert client.get("/api/v1/cities/999/").status_code == 404
    assert client.get("/api/v1/cities/999/twins/").status_code == 404


def test_network_summary(client: Client) -> None:
    a, b, c = CityFactory.create(), CityFactory.create(), CityFactory.create()
    CityFactory.create()  # not in the network
    twin_link(a, b)
    twin_link(b, c)
    TwinReviewRow.objects.create(source="test", line=9, reason="city1: no country")
    ReferenceLoad.objects.create(
        dataset="reference",
        fingerprint="x",
        loaded_at="2026-11-27T00:00:00Z",
        stats={"network": {"geonames_match_rate": 0.9123}},
    )

    response = client.get("/api/v1/network/summary/")

    assert response.status_code == 200
    assert response.json() == {
        "cities": 3,
        "links": 2,
        "unresolved_rows": 1,
        "geonames_match_rate": 0.9123,
    }


def test_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in [
        "/api/v1/regions/",
        "/api/v1/regions/{kode}/",
        "/api/v1/cities/",
        "/api/v1/cities/{geonameid}/",
        "/api/v1/cities/{geonameid}/twins/",
        "/api/v1/network/summary/",
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{slug}/",
    ]:
        assert expected in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
