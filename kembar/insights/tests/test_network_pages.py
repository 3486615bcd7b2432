"""The network pages and API on a small hand-made world network.

Semarang is twinned with Brisbane and Fuzhou, which are twinned with each
other; Kobe is twinned with both, Tacoma with Fuzhou, Daejeon with Brisbane,
Seattle with Tacoma (three steps from Semarang).  Lonely has no link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from kembar.accounts.tests.factories import UserFactory
from kembar.geo.models import City, Country, DiplomaticRelation
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory, twin_link
from kembar.insights.network import (
    CityNotFound,
    UnknownLearningNeed,
    city_ego_network,
    city_network_facts,
    city_recommendations,
    city_search,
    home_city_id,
    network_cache_clear,
    recommender_weights,
)
from kembar.partnerships.tests.factories import FocusAreaFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

SEMARANG, BRISBANE, FUZHOU, KOBE, TACOMA, DAEJEON, SEATTLE, LONELY = (
    1627896,
    2174003,
    1810821,
    1859171,
    5812944,
    1835235,
    5809844,
    9_999_001,
)


@dataclass(frozen=True)
class World:
    cities: dict[int, City]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    network_cache_clear()
    yield
    network_cache_clear()


def _country(iso2: str, iso3: str, name_en: str, name_id: str) -> Country:
    return CountryFactory.create(iso2=iso2, iso3=iso3, name_en=name_en, name_id=name_id)


def make_world() -> World:
    countries = {
        "ID": _country("ID", "IDN", "Indonesia", "Indonesia"),
        "AU": _country("AU", "AUS", "Australia", "Australia"),
        "CN": _country("CN", "CHN", "China", "Tiongkok"),
        "JP": _country("JP", "JPN", "Japan", "Jepang"),
        "US": _country("US", "USA", "United States", "Amerika Serikat"),
        "KR": _country("KR", "KOR", "South Korea", "Korea Selatan"),
    }
    rows = [
        (SEMARANG, "Semarang", "ID", -6.99, 110.42, 1_653_524),
        (BRISBANE, "Brisbane", "AU", -27.47, 153.03, 2_280_000),
        (FUZHOU, "Fuzhou", "CN", 26.06, 119.31, 2_124_435),
        (KOBE, "Kobe", "JP", 34.69, 135.18, 1_528_478),
        (TACOMA, "Tacoma", "US", 47.25, -122.44, 198_397),
        (DAEJEON, "Daejeon", "KR", 36.35, 127.38, 1_475_221),
        (SEATTLE, "Seattle", "US", 47.61, -122.33, 684_451),
        (LONELY, "Lonely", "JP", 35.0, 136.0, 5_000),
    ]
    cities = {
        city_id: CityFactory.create(
            id=city_id,
            name=name,
            search_text=name.casefold(),
            country=countries[iso2],
            latitude=lat,
            longitude=lng,
            population=population,
        )
        for city_id, name, iso2, lat, lng, population in rows
    }
    for line, (a, b) in enumerate(
        [
            (SEMARANG, BRISBANE),
            (SEMARANG, FUZHOU),
            (BRISBANE, FUZHOU),
            (BRISBANE, KOBE),
            (FUZHOU, KOBE),
            (FUZHOU, TACOMA),
            (BRISBANE, DAEJEON),
            (TACOMA, SEATTLE),
        ],
        start=2,
    ):
        twin_link(cities[a], cities[b], line=line)
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    return World(cities)


@pytest.fixture
def world() -> World:
    return make_world()


# --- The ego network ---------------------------------------------------------------------------


def test_ego_network_has_the_partners_and_their_partners_ranked(world: World) -> None:
    ego = city_ego_network(SEMARANG)

    assert [(node.id, node.ring, node.degree) for node in ego.nodes] == [
        (SEMARANG, 0, 2),
        (BRISBANE, 1, 4),
        (FUZHOU, 1, 4),
        (KOBE, 2, 2),  # through two partners
        (TACOMA, 2, 2),  # through one, more partners than Daejeon
        (DAEJEON, 2, 1),
    ]
    assert [(edge.source, edge.target, edge.kind) for edge in ego.edges] == [
        (SEMARANG, BRISBANE, "partner"),
        (SEMARANG, FUZHOU, "partner"),
        (FUZHOU, BRISBANE, "between_partners"),
        (BRISBANE, KOBE, "second"),
        (FUZHOU, KOBE, "second"),
        (FUZHOU, TACOMA, "second"),
        (BRISBANE, DAEJEON, "second"),
    ]
    assert ego.nodes[3].via == (BRISBANE, FUZHOU)
    assert ego.nodes[3].via_names == ("Brisbane", "Fuzhou")
    assert (ego.partners, ego.partners_of_partners, ego.left_out) == (2, 3, 0)
    assert ego.nodes[0].country == "ID"
    assert SEATTLE not in {node.id for node in ego.nodes}


def test_ego_network_limit_and_depth(world: World) -> None:
    limited = city_ego_network(SEMARANG, limit=2)
    assert [node.id for node in limited.ring2] == [KOBE, TACOMA]
    assert (limited.partners_of_partners, limited.left_out) == (3, 1)
    assert {edge.target for edge in limited.edges} == {BRISBANE, FUZHOU, KOBE, TACOMA}

    partners_only = city_ego_network(SEMARANG, depth=1)
    assert [node.id for node in partners_only.nodes] == [SEMARANG, BRISBANE, FUZHOU]
    assert len(partners_only.edges) == 3
    assert partners_only.partners_of_partners == 0

    with pytest.raises(ValueError, match="depth"):
        city_ego_network(SEMARANG, depth=3)
    with pytest.raises(ValueError, match="limit"):
        city_ego_network(SEMARANG, limit=0)


def test_a_city_without_links_is_alone_and_an_unknown_one_is_not_found(world: World) -> None:
    ego = city_ego_network(LONELY)
    assert not ego.in_network
    assert [(node.id, node.ring, node.degree) for node in ego.nodes] == [(LONELY, 0, 0)]
    assert ego.edges == []
    assert city_recommendations(LONELY).items == []
    with pytest.raises(CityNotFound):
        city_ego_network(424242)


def test_a_public_partnership_recorded_in_kembar_counts_as_a_link(world: World) -> None:
    """Seattle is not twinned with Semarang in the world list, but Kembar records it."""
    PartnershipFactory.create(
        partner_city=world.cities[SEATTLE], partner_country=world.cities[SEATTLE].country
    )

    ego = city_ego_network(SEMARANG, depth=1)

    assert [node.id for node in ego.ring1] == [BRISBANE, FUZHOU, SEATTLE]
    assert SEATTLE not in [item.id for item in city_recommendations(SEMARANG).items]


def test_an_internal_partnership_is_not_drawn(world: World) -> None:
    PartnershipFactory.create(
        partner_city=world.cities[SEATTLE],
        partner_country=world.cities[SEATTLE].country,
        is_public=False,
    )
    assert [node.id for node in city_ego_network(SEMARANG, depth=1).ring1] == [BRISBANE, FUZHOU]


def test_facts(world: World) -> None:
    facts = city_network_facts(SEMARANG)
    assert (facts.degree, facts.partners_of_partners, facts.component_size) == (2, 3, 7)
    assert 1 <= facts.community_size <= 7
    assert SEMARANG not in [member.id for member in facts.community_examples]
    assert [(flow.country, flow.links, flow.domestic) for flow in facts.country_flows] == [
        ("AU", 1, False),
        ("CN", 1, False),
    ]
    assert (facts.network_cities, facts.network_links) == (7, 8)


def test_home_city_is_the_city_of_the_home_region(world: World) -> None:
    CityFactory.create(
        name="Semarang", search_text="semarang", country=Country.objects.get(iso2="AU")
    )
    assert home_city_id() == SEMARANG


def test_search_puts_names_and_linked_cities_first(world: World) -> None:
    CityFactory.create(name="Sea Lake", search_text="sea lake", population=10_000_000)
    assert [result.id for result in city_search("sea")][:1] == [SEATTLE]
    assert city_search("s") == []


# --- Recommendations ---------------------------------------------------------------------------


def test_recommendations_in_order_never_a_partner_or_the_city(world: World) -> None:
    found = city_recommendations(SEMARANG, k=10)

    assert [item.id for item in found.items] == [KOBE, DAEJEON, TACOMA, SEATTLE]
    assert {SEMARANG, BRISBANE, FUZHOU}.isdisjoint(item.id for item in found.items)
    assert [item.rank for item in found.items] == [1, 2, 3, 4]
    kobe = found.items[0]
    assert kobe.reasons[0].code == "common_partners"
    assert kobe.reasons[0].params == {
        "count": 2,
        "city": "Semarang",
        "partners": ["Brisbane", "Fuzhou"],
    }
    assert kobe.score == pytest.approx(sum(kobe.components.values()), abs=1e-5)
    assert [item.id for item in city_recommendations(SEMARANG, k=2).items] == [KOBE, DAEJEON]


def test_learning_needs_lift_a_city_known_for_them(world: World) -> None:
    """Kabupaten Cilacap's partnership with Seattle covered port logistics."""
    FocusAreaFactory.create(
        slug="port-logistics", name_id="Logistik pelabuhan", name_en="Port logistics"
    )
    cilacap = CityFactory.create(
        name="Cilacap", search_text="cilacap", country=Country.objects.get(iso2="ID")
    )
    partnership = PartnershipFactory.create(
        local_region=RegionFactory.create(kode="33.01", name="Kabupaten Cilacap"),
        partner_city=world.cities[SEATTLE],
        partner_country=world.cities[SEATTLE].country,
    )
    partnership.focus_areas.add(FocusAreaFactory.create(slug="port-logistics"))

    plain = city_recommendations(SEMARANG)
    with translation.override("en"):
        needs = city_recommendations(SEMARANG, learning_needs=["port-logistics"])

    assert [item.id for item in plain.items] == [KOBE, TACOMA, DAEJEON, SEATTLE, cilacap.id]
    assert [item.id for item in needs.items] == [KOBE, SEATTLE, TACOMA, DAEJEON, cilacap.id]
    seattle = needs.items[1]
    assert seattle.components["know_how"] == 4.0  # the default weight, all needs met
    assert [reason.code for reason in seattle.reasons] == [
        "partners_of_partners",
        "know_how",
        "country_ties",
        "size",
    ]
    assert seattle.reasons[1].params == {"tags": ["port-logistics"]}
    assert seattle.reasons[1].text == "known for Port logistics"
    with pytest.raises(UnknownLearningNeed):
        city_recommendations(SEMARANG, learning_needs=["flood_control"])


def test_weights_come_from_the_settings(world: World, settings: Any) -> None:
    settings.KEMBAR_RECOMMENDER_WEIGHTS = {
        "common_partners": 0,
        "resource_allocation": 0,
        "partners_of_partners": 0,
        "popularity": 0,
        "country_ties": 0,
        "size": 0,
        "proximity": 1,
        "near_partner": 0,
    }
    assert recommender_weights().proximity == 1
    # Only distance counts: the nearest first.
    assert [item.id for item in city_recommendations(SEMARANG).items] == [
        DAEJEON,
        KOBE,
        SEATTLE,
        TACOMA,
    ]
    settings.KEMBAR_RECOMMENDER_WEIGHTS = {"populariti": 1}
    with pytest.raises(ImproperlyConfigured, match="populariti"):
        recommender_weights()
    settings.KEMBAR_RECOMMENDER_WEIGHTS = {"popularity": -1}
    with pytest.raises(ImproperlyConfigured, match="popularity"):
        recommender_weights()


# --- API ---------------------------------------------------------------------------------------


def test_api_ego_network(world: World, client: Client) -> None:
    response = client.get(f"/api/v1/network/cities/{SEMARANG}/ego/", {"limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["city"]["id"] == SEMARANG
    assert [(node["id"], node["ring"]) for node in body["nodes"]] == [
        (SEMARANG, 0),
        (BRISBANE, 1),
        (FUZHOU, 1),
        (KOBE, 2),
        (TACOMA, 2),
    ]
    assert body["nodes"][3] == {
        "id": KOBE,
        "name": "Kobe",
        "country": "JP",
        "country_name": "Jepang",
        "lat": 34.69,
        "lng": 135.18,
        "ring": 2,
        "degree": 2,
        "via": [BRISBANE, FUZHOU],
    }
    assert body["edges"][2] == {"source": FUZHOU, "target": BRISBANE, "kind": "between_partners"}
    assert (body["partners"], body["partners_of_partners"], body["left_out"]) == (2, 3, 1)
    assert (body["depth"], body["limit"], body["in_network"]) == (2, 2, True)


def test_api_recommendations_explained_in_the_language_asked(world: World, client: Client) -> None:
    response = client.get(
        f"/api/v1/network/cities/{SEMARANG}/recommendations/",
        {"k": 2},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [KOBE, DAEJEON]
    kobe = body["items"][0]
    assert kobe["country_name"] == "Japan"
    assert kobe["reasons"][0] == {
        "code": "common_partners",
        "params": {"count": 2, "city": "Semarang", "partners": ["Brisbane", "Fuzhou"]},
        "text": "shares 2 partners with Semarang: Brisbane, Fuzhou",
    }
    assert kobe["explanation"].startswith("shares 2 partners with Semarang: Brisbane, Fuzhou; ")
    assert (body["k"], body["needs"], body["in_network"]) == (2, [], True)


def test_api_recommendations_with_needs(world: World, client: Client) -> None:
    FocusAreaFactory.create(slug="education")
    response = client.get(
        f"/api/v1/network/cities/{SEMARANG}/recommendations/", {"needs": "education"}
    )
    assert response.status_code == 200
    assert response.json()["needs"] == ["education"]


@pytest.mark.parametrize(
    ("path", "query", "names"),
    [
        ("ego", {"depth": "3"}, ["depth"]),
        ("ego", {"limit": "0"}, ["limit"]),
        ("ego", {"limit": "501"}, ["limit"]),
        ("ego", {"radius": "1"}, ["radius"]),
        ("recommendations", {"k": "51"}, ["k"]),
        ("recommendations", {"k": "0"}, ["k"]),
        ("recommendations", {"needs": "flood_control"}, ["needs"]),
        ("recommendations", {"k": "x", "top": "3"}, ["top"]),
        ("recommendations", {"k": "x"}, ["k"]),
    ],
)
def test_api_refuses_bad_parameters_naming_them(
    world: World, client: Client, path: str, query: dict[str, str], names: list[str]
) -> None:
    response = client.get(f"/api/v1/network/cities/{SEMARANG}/{path}/", query)

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == names


@pytest.mark.parametrize("path", ["ego", "recommendations"])
def test_api_unknown_city_is_404(world: World, client: Client, path: str) -> None:
    assert client.get(f"/api/v1/network/cities/424242/{path}/").status_code == 404
    assert client.get(f"/api/v1/network/cities/{LONELY}/{path}/").status_code == 200


def test_schema_documents_both_endpoints_without_warnings(capsys: Any) -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)

    ego = schema["paths"]["/api/v1/network/cities/{city_id}/ego/"]["get"]
    recommendations = schema["paths"]["/api/v1/network/cities/{city_id}/recommendations/"]["get"]
    assert [p["name"] for p in ego["parameters"]] == ["city_id", "depth", "limit"]
    assert [p["name"] for p in recommendations["parameters"]] == ["city_id", "k", "needs"]
    assert ego["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EgoNetwork"
    }
    assert "explanation" in schema["components"]["schemas"]["RecommendedCity"]["properties"]
    mine = ("insights/api/network.py", "CityEgoNetworkView", "CityRecommendationsView")
    warnings = [
        line for line in capsys.readouterr().err.splitlines() if any(n in line for n in mine)
    ]
    assert warnings == []


def test_schema_endpoint_lists_the_paths(client: Client) -> None:
    body = client.get("/api/schema/").content.decode()
    assert "/api/v1/network/cities/{city_id}/ego/" in body
    assert "/api/v1/network/cities/{city_id}/recommendations/" in body


# --- Pages -------------------------------------------------------------------------------------


def _rows(html: str, table: str) -> list[str]:
    start = html.index(f'id="{table}"')
    body = html[start : html.index("</table>", start)]
    return [part.split('"', 1)[0] for part in body.split('data-city="')[1:]]


def test_page_shows_home_city_in_indonesian_by_default(world: World, client: Client) -> None:
    response = client.get("/insights/network/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert response.context["city"].id == SEMARANG
    assert _rows(html, "network-nodes") == [
        str(BRISBANE),
        str(FUZHOU),
        str(KOBE),
        str(TACOMA),
        str(DAEJEON),
    ]
    assert _rows(html, "network-recommendations") == [
        str(KOBE),
        str(DAEJEON),
        str(TACOMA),
        str(SEATTLE),
    ]
    assert "Jepang" in html and "Japan" not in html
    assert 'id="network-map-data"' in html
    assert 'data-nodes="6" data-edges="7"' in html
    assert "<script>" not in html  # data only through json_script, no inline script


def test_page_in_english_with_the_language_cookie(world: World, client: Client) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/insights/network/{SEMARANG}/").content.decode()

    assert '<html lang="en">' in html
    assert "Twin-city network of Semarang, Indonesia" in html
    assert "Japan" in html and "Jepang" not in html
    assert "shares 2 partners with Semarang: Brisbane, Fuzhou" in html


def test_page_learning_needs_checkboxes(world: World, client: Client) -> None:
    FocusAreaFactory.create(slug="education", name_id="Pendidikan", name_en="Education")
    html = client.get(f"/insights/network/{SEMARANG}/", {"needs": ["education"]}).content.decode()
    assert 'name="needs" value="education"' in html
    assert "checked" in html.split('value="education"', 1)[1].split(">", 1)[0]

    ignored = client.get(f"/insights/network/{SEMARANG}/", {"needs": ["nonsense"]})
    assert ignored.status_code == 200
    assert ignored.context["recommendations"].needs == []


def test_page_search_and_unknown_city(world: World, client: Client) -> None:
    html = client.get("/insights/network/", {"q": "kob"}).content.decode()
    assert _rows(html, "network-results") == [str(KOBE)]
    assert f'href="/insights/network/{KOBE}/"' in html
    none = client.get("/insights/network/", {"q": "zzzz"}).content.decode()
    assert 'id="network-no-results"' in none
    assert client.get("/insights/network/424242/").status_code == 404
    lonely = client.get(f"/insights/network/{LONELY}/").content.decode()
    assert 'id="network-not-linked"' in lonely
    assert 'id="network-map"' not in lonely


def test_staff_page_needs_sign_in_and_has_the_nav_item(world: World, client: Client) -> None:
    assert client.get("/staff/insights/network/").status_code == 302
    client.force_login(UserFactory.create())

    response = client.get("/staff/insights/network/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/staff/insights/network/"' in html
    assert f'href="/staff/insights/network/{KOBE}/"' in html
    assert client.get(f"/staff/insights/network/{KOBE}/").status_code == 200


# --- PP 28/2018 Pasal 27: no partner in a country without diplomatic relations ------------------


def _no_relations(iso2: str, note: str) -> None:
    DiplomaticRelation.objects.create(
        country_id=iso2,
        has_relations=False,
        note=note,
        source="test",
        checked_on=dt.date(2026, 12, 5),
    )


def test_a_country_without_relations_is_left_out_with_the_reason(world: World) -> None:
    _no_relations("KR", "test: no relations")
    with translation.override("en"):
        found = city_recommendations(SEMARANG, k=10)

    assert [item.id for item in found.items] == [KOBE, TACOMA, SEATTLE]
    assert [item.rank for item in found.items] == [1, 2, 3]
    assert [
        (item.rank, item.id, item.country, item.reason, item.note) for item in found.excluded
    ] == [(2, DAEJEON, "KR", "no diplomatic relations (PP 28/2018 Pasal 27)", "test: no relations")]


def test_only_an_indonesian_city_is_bound_by_the_indonesian_rule(world: World) -> None:
    _no_relations("KR", "")
    found = city_recommendations(FUZHOU, k=10)
    assert found.excluded == []
    assert DAEJEON in [item.id for item in found.items]


def test_page_and_api_say_why_a_city_is_left_out(world: World, client: Client) -> None:
    _no_relations("KR", "test")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/insights/network/{SEMARANG}/").content.decode()
    assert (
        "Daejeon (South Korea), which would rank 2: excluded, no diplomatic relations "
        "(PP 28/2018 Pasal 27)." in html
    )
    body = client.get(f"/api/v1/network/cities/{SEMARANG}/recommendations/").json()
    assert [item["id"] for item in body["items"]] == [KOBE, TACOMA, SEATTLE]
    assert body["excluded"] == [
        {
            "rank": 2,
            "id": DAEJEON,
            "name": "Daejeon",
            "country": "KR",
            "country_name": "South Korea",
            "reason": "no diplomatic relations (PP 28/2018 Pasal 27)",
            "note": "test",
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_staff_page_is_kept_until_the_network_changes(world: World, client: Client) -> None:
    client.force_login(UserFactory.create())
    path = f"/staff/insights/network/{SEMARANG}/"
    first = client.get(path)
    second = client.get(path)
    twin_link(world.cities[SEMARANG], world.cities[KOBE], line=20)
    third = client.get(path)

    # The second answer is the body rendered for the first; the committed link renews the
    # data stamp, and the third is computed on the new graph, where Kobe is a partner.
    assert ["ego" in page.context for page in (first, second, third)] == [True, False, True]
    assert f'data-city="{KOBE}" data-ring="2"' in first.content.decode()
    assert f'data-city="{KOBE}" data-ring="2"' in second.content.decode()
    assert f'data-city="{KOBE}" data-ring="1"' in third.content.decode()
    assert [node.id for node in third.context["ego"].ring1] == [BRISBANE, FUZHOU, KOBE]
