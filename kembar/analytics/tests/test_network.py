from __future__ import annotations

import networkx as nx
import pytest

from kembar.analytics.exceptions import InvalidInput, UnknownNode
from kembar.analytics.network import (
    CityFinder,
    CountryFlow,
    Link,
    SecondDegreePartner,
    build_graph,
    city_community,
    city_degree,
    city_label,
    city_partners,
    country_flows,
    find_city,
    network_summary,
    parse_city,
    partners_of_partners,
    shortest_paths,
)

SEMARANG = ("Semarang", "Indonesia")
BRISBANE = ("Brisbane", "Australia")
FUZHOU = ("Fuzhou", "China")
BEIHAI = ("Beihai", "China")
KOBE = ("Kobe", "Japan")
CHONGQING = ("Chongqing", "China")
TACOMA = ("Tacoma", "United States")
SEATTLE = ("Seattle", "United States")

# Semarang's three partners, their partners, and one city three links away.
LINKS = [
    ("Semarang", "Indonesia", "Brisbane", "Australia"),
    ("Semarang", "Indonesia", "Fuzhou", "China"),
    ("Semarang", "Indonesia", "Beihai", "China"),
    ("Brisbane", "Australia", "Kobe", "Japan"),
    ("Fuzhou", "China", "Kobe", "Japan"),
    ("Brisbane", "Australia", "Chongqing", "China"),
    ("Beihai", "China", "Tacoma", "United States"),
    ("Kobe", "Japan", "Seattle", "United States"),
    ("Brisbane", "Australia", "Semarang", "Indonesia"),  # the same pair from the other side
    ("Surabaya", "Indonesia", "Surabaya", "Indonesia"),  # a self-link, dropped
]


@pytest.fixture
def graph() -> nx.Graph:
    return build_graph(LINKS)


def test_build_graph_dedupes_pairs_and_drops_self_links(graph: nx.Graph) -> None:
    assert graph.number_of_nodes() == 8
    assert graph.number_of_edges() == 8
    assert ("Surabaya", "Indonesia") not in graph
    assert graph.nodes[SEMARANG] == {"name": "Semarang", "country": "Indonesia"}


def test_build_graph_keeps_the_first_coordinates() -> None:
    graph = build_graph(
        [
            Link("Semarang", "Indonesia", "Brisbane", "Australia", -6.99, 110.4225, None, None),
            Link("Semarang", "Indonesia", "Fuzhou", "China", -7.0, 110.0, 26.0743, 119.2964),
        ]
    )
    assert graph.nodes[SEMARANG] == {
        "name": "Semarang",
        "country": "Indonesia",
        "lat": -6.99,
        "lng": 110.4225,
    }
    assert "lat" not in graph.nodes[BRISBANE]
    assert graph.nodes[FUZHOU]["lat"] == 26.0743


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (("", "Indonesia", "Brisbane", "Australia"), "link 1: a city name is empty"),
        (("Semarang", " ", "Brisbane", "Australia"), "link 1: the country of 'Semarang' is empty"),
        (("Semarang", "Indonesia", "Brisbane"), "link 1: expected 4 or 8 fields, found 3"),
        (
            ("Semarang", "Indonesia", "Brisbane", "Australia", 91.0, 0.0, None, None),
            "link 1, Semarang: latitude 91.0 is not between -90 and 90",
        ),
        (
            ("Semarang", "Indonesia", "Brisbane", "Australia", None, None, 0.0, 181.0),
            "link 1, Brisbane: longitude 181.0 is not between -180 and 180",
        ),
        (
            ("Semarang", "Indonesia", "Brisbane", "Australia", -6.99, None, None, None),
            "link 1, Semarang: a latitude needs its longitude",
        ),
    ],
)
def test_build_graph_refuses_bad_records(record: tuple[object, ...], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build_graph([record])


def test_degree_and_partners(graph: nx.Graph) -> None:
    assert city_degree(graph, SEMARANG) == 3
    assert city_degree(graph, SEATTLE) == 1
    assert city_partners(graph, SEMARANG) == [BEIHAI, BRISBANE, FUZHOU]
    assert city_partners(graph, KOBE) == [BRISBANE, FUZHOU, SEATTLE]


def test_partners_of_partners_say_via_whom(graph: nx.Graph) -> None:
    assert partners_of_partners(graph, SEMARANG) == [
        SecondDegreePartner(KOBE, (BRISBANE, FUZHOU)),
        SecondDegreePartner(CHONGQING, (BRISBANE,)),
        SecondDegreePartner(TACOMA, (BEIHAI,)),
    ]
    assert partners_of_partners(graph, SEATTLE) == [
        SecondDegreePartner(BRISBANE, (KOBE,)),
        SecondDegreePartner(FUZHOU, (KOBE,)),
    ]


def test_shortest_paths(graph: nx.Graph) -> None:
    assert shortest_paths(graph, SEMARANG, SEATTLE) == [
        [SEMARANG, BRISBANE, KOBE, SEATTLE],
        [SEMARANG, FUZHOU, KOBE, SEATTLE],
    ]
    assert shortest_paths(graph, SEMARANG, SEATTLE, limit=1) == [
        [SEMARANG, BRISBANE, KOBE, SEATTLE]
    ]
    assert shortest_paths(graph, SEMARANG, SEMARANG) == [[SEMARANG]]


def test_shortest_paths_between_unconnected_cities_are_none() -> None:
    graph = build_graph([("A", "X", "B", "X"), ("C", "X", "D", "X")])
    assert shortest_paths(graph, ("A", "X"), ("D", "X")) == []


def test_shortest_paths_limit_must_be_positive(graph: nx.Graph) -> None:
    with pytest.raises(InvalidInput, match="limit must be at least 1, not 0"):
        shortest_paths(graph, SEMARANG, SEATTLE, limit=0)


def two_triangles(order: int) -> nx.Graph:
    links = [
        ("A", "X", "B", "X"),
        ("B", "X", "C", "X"),
        ("A", "X", "C", "X"),
        ("D", "Y", "E", "Y"),
        ("E", "Y", "F", "Y"),
        ("D", "Y", "F", "Y"),
        ("C", "X", "D", "Y"),
        ("G", "Z", "H", "Z"),
    ]
    return build_graph(links[::order])


@pytest.mark.parametrize("order", [1, -1])
def test_community_is_deterministic_whatever_the_input_order(order: int) -> None:
    graph = two_triangles(order)
    assert city_community(graph, ("A", "X")) == frozenset({("A", "X"), ("B", "X"), ("C", "X")})
    assert city_community(graph, ("F", "Y")) == frozenset({("D", "Y"), ("E", "Y"), ("F", "Y")})
    assert city_community(graph, ("G", "Z")) == frozenset({("G", "Z"), ("H", "Z")})


def test_country_flows_count_links_between_and_within_countries(graph: nx.Graph) -> None:
    assert country_flows(graph) == [
        CountryFlow("China", "Indonesia", 2),
        CountryFlow("Australia", "China", 1),
        CountryFlow("Australia", "Indonesia", 1),
        CountryFlow("Australia", "Japan", 1),
        CountryFlow("China", "Japan", 1),
        CountryFlow("China", "United States", 1),
        CountryFlow("Japan", "United States", 1),
    ]
    domestic = build_graph([("A", "France", "B", "France"), ("A", "France", "C", "Germany")])
    assert country_flows(domestic) == [
        CountryFlow("France", "France", 1),
        CountryFlow("France", "Germany", 1),
    ]


def test_network_summary(graph: nx.Graph) -> None:
    summary = network_summary(graph, top=3)
    assert summary.cities == 8
    assert summary.links == 8
    assert summary.components == 1
    assert summary.largest_component == 8
    assert summary.degree_distribution == {1: 3, 2: 2, 3: 3}
    assert summary.average_clustering == 0.0
    assert summary.top_cities == [(BRISBANE, 3), (KOBE, 3), (SEMARANG, 3)]


def test_network_summary_clustering_and_components() -> None:
    summary = network_summary(two_triangles(1))
    assert (summary.components, summary.largest_component) == (2, 6)
    # A, B, E, F close a triangle each (1); C and D have 1 of 3 pairs linked; G, H have one link.
    assert summary.average_clustering == pytest.approx((4 + 2 / 3) / 8)


def test_network_summary_of_an_empty_graph_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the network is empty"):
        network_summary(nx.Graph())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Semarang, Indonesia", ("Semarang", "Indonesia")),
        ("  Bayside,  New South Wales , Australia", ("Bayside, New South Wales", "Australia")),
        ("Semarang", ("Semarang", None)),
        ("Semarang,", ("Semarang", None)),
    ],
)
def test_parse_city(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_city(text) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Semarang, Indonesia", SEMARANG),
        (SEMARANG, SEMARANG),
        ("  semarang ,  INDONESIA ", SEMARANG),
        ("Semarang", SEMARANG),
        ("kobe", KOBE),
    ],
)
def test_find_city(graph: nx.Graph, query: str, expected: tuple[str, str]) -> None:
    assert find_city(graph, query) == expected


def test_find_city_ignores_accents_and_commas_in_names_and_countries() -> None:
    graph = build_graph(
        [
            ("Piteşti", "Romania", "Leeds", "England, United Kingdom"),
            ("Bayside, New South Wales", "Australia", "Leeds", "England, United Kingdom"),
        ]
    )
    assert find_city(graph, "Pitesti, Romania") == ("Piteşti", "Romania")
    assert find_city(graph, "Leeds, England, United Kingdom") == (
        "Leeds",
        "England, United Kingdom",
    )
    assert find_city(graph, "Bayside, New South Wales") == ("Bayside, New South Wales", "Australia")


def test_unknown_city_raises_with_the_closest_matches(graph: nx.Graph) -> None:
    with pytest.raises(UnknownNode) as caught:
        find_city(graph, "Semarangg, Indonesia")
    assert caught.value.suggestions == ["Semarang, Indonesia"]
    assert str(caught.value) == (
        "unknown city 'Semarangg, Indonesia'; closest: Semarang, Indonesia"
    )


def test_a_name_of_several_cities_asks_for_the_country() -> None:
    graph = build_graph([("Paris", "France", "Paris", "United States")])
    with pytest.raises(UnknownNode) as caught:
        find_city(graph, "paris")
    assert caught.value.suggestions == ["Paris, France", "Paris, United States"]
    assert str(caught.value) == (
        "'paris' names 2 cities; add the country: Paris, France; Paris, United States"
    )


def test_an_exact_spelling_decides_between_two_spellings() -> None:
    graph = build_graph([("Curtea de Argeş", "Romania", "Curtea de Argeș", "Romania")])
    assert find_city(graph, "Curtea de Argeş, Romania") == ("Curtea de Argeş", "Romania")
    assert find_city(graph, "Curtea de Argeș") == ("Curtea de Argeș", "Romania")
    with pytest.raises(UnknownNode) as caught:
        find_city(graph, "curtea de arges, romania")
    assert str(caught.value) == (
        "'curtea de arges, romania' names 2 cities; write one exactly: "
        "Curtea de Argeş, Romania; Curtea de Argeș, Romania"
    )


def test_nothing_matches_in_an_empty_graph() -> None:
    with pytest.raises(UnknownNode) as caught:
        find_city(nx.Graph(), "Semarang")
    assert caught.value.suggestions == []


def test_functions_on_an_unknown_node_suggest(graph: nx.Graph) -> None:
    with pytest.raises(UnknownNode) as caught:
        city_degree(graph, ("Kobe", "Japn"))
    assert caught.value.suggestions == ["Kobe, Japan"]


def test_finder_and_label_round_trip(graph: nx.Graph) -> None:
    finder = CityFinder(graph)
    for node in graph:
        assert finder.find(city_label(node)) == node
