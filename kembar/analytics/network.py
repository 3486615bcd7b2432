"""The world twin-city network: who is twinned with whom.

A city is a node identified by its name and its country, ``(name, country)``,
as the twin-town lists spell them; a twinning (sister-city, friendship-city or
partnership link) is an undirected edge.  The functions here build that graph
from link records and answer the questions a cooperation office asks of it:
how connected a city is, who its partners' partners are, how two cities are
connected, which cluster it belongs to, which countries twin with which, and
what the whole network looks like.  Partner recommendation is in
:mod:`kembar.analytics.recommend`.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import networkx as nx

from kembar.analytics.exceptions import InvalidInput, UnknownNode

__all__ = [
    "City",
    "CityFinder",
    "CountryFlow",
    "Link",
    "NetworkSummary",
    "SecondDegreePartner",
    "build_graph",
    "city_community",
    "city_degree",
    "city_label",
    "city_partners",
    "country_flows",
    "find_city",
    "fold_name",
    "network_summary",
    "parse_city",
    "partners_of_partners",
    "shortest_paths",
]

#: A city in the network: ``(name, country)``.
City = tuple[str, str]


class Link(NamedTuple):
    """One row of a twin-town list; coordinates are optional (``None``)."""

    city1: str
    country1: str
    city2: str
    country2: str
    lat1: float | None = None
    lng1: float | None = None
    lat2: float | None = None
    lng2: float | None = None


def city_label(city: City) -> str:
    """The city as people write it, ``"Name, Country"``.

    Examples
    --------
    >>> city_label(("Semarang", "Indonesia"))
    'Semarang, Indonesia'
    """
    return f"{city[0]}, {city[1]}"


def parse_city(text: str) -> tuple[str, str | None]:
    """Split ``"Name, Country"`` at its last comma; the country may be absent.

    City names may hold commas themselves ("Bayside, New South Wales"), the
    country never does, so the last comma separates them.

    Examples
    --------
    >>> parse_city("Semarang, Indonesia")
    ('Semarang', 'Indonesia')
    >>> parse_city("Bayside, New South Wales, Australia")
    ('Bayside, New South Wales', 'Australia')
    >>> parse_city(" Semarang ")
    ('Semarang', None)
    """
    name, comma, country = text.rpartition(",")
    if not comma:
        return " ".join(text.split()), None
    return " ".join(name.split()), " ".join(country.split()) or None


def _check_coordinates(lat: float | None, lng: float | None, where: str) -> None:
    if lat is None and lng is None:
        return
    if lat is None or lng is None:
        raise InvalidInput(f"{where}: a latitude needs its longitude and the other way round")
    if not -90.0 <= lat <= 90.0:
        raise InvalidInput(f"{where}: latitude {lat!r} is not between -90 and 90")
    if not -180.0 <= lng <= 180.0:
        raise InvalidInput(f"{where}: longitude {lng!r} is not between -180 and 180")


def build_graph(links: Iterable[Link | Sequence[Any]]) -> nx.Graph:
    """The undirected twin-city graph of a list of links.

    Parameters
    ----------
    links : iterable of Link or tuple
        ``(city1, country1, city2, country2)``, optionally followed by
        ``lat1, lng1, lat2, lng2`` (``None`` where unknown).

    Returns
    -------
    networkx.Graph
        One node per ``(name, country)`` with attributes ``name``,
        ``country`` and, where known, ``lat`` and ``lng`` (the first
        coordinates given for the city win); one edge per unordered pair.

    Raises
    ------
    InvalidInput
        If a name or a country is empty, a record has the wrong length, or a
        coordinate is out of range or given without its partner.

    Notes
    -----
    Lists name the same pair twice (once from each side, A–B and B–A); both
    become one edge.  A city twinned with itself is a data error and is
    dropped.

    References
    ----------
    A. Hagberg, D. Schult and P. Swart, "Exploring network structure, dynamics,
    and function using NetworkX", Proc. SciPy 2008, 11–15.

    Examples
    --------
    >>> g = build_graph([
    ...     ("Semarang", "Indonesia", "Brisbane", "Australia"),
    ...     ("Brisbane", "Australia", "Semarang", "Indonesia"),
    ...     ("Semarang", "Indonesia", "Semarang", "Indonesia"),
    ... ])
    >>> g.number_of_nodes(), g.number_of_edges()
    (2, 1)
    """
    graph = nx.Graph()
    for number, record in enumerate(links, start=1):
        if len(record) not in (4, 8):
            raise InvalidInput(f"link {number}: expected 4 or 8 fields, found {len(record)}")
        link = Link(*record)
        ends = (
            (link.city1, link.country1, link.lat1, link.lng1),
            (link.city2, link.country2, link.lat2, link.lng2),
        )
        nodes: list[tuple[City, float | None, float | None]] = []
        for name, country, lat, lng in ends:
            if not (isinstance(name, str) and name.strip()):
                raise InvalidInput(f"link {number}: a city name is empty")
            if not (isinstance(country, str) and country.strip()):
                raise InvalidInput(f"link {number}: the country of {name!r} is empty")
            _check_coordinates(lat, lng, f"link {number}, {name}")
            nodes.append(((name.strip(), country.strip()), lat, lng))
        if nodes[0][0] == nodes[1][0]:
            continue
        for node, lat, lng in nodes:
            if node not in graph:
                graph.add_node(node, name=node[0], country=node[1])
            attributes = graph.nodes[node]
            if lat is not None and lng is not None and "lat" not in attributes:
                attributes["lat"], attributes["lng"] = float(lat), float(lng)
        graph.add_edge(nodes[0][0], nodes[1][0])
    return graph


def fold_name(text: str) -> str:
    """The case-, accent- and space-insensitive form of a name, for matching.

    Examples
    --------
    >>> fold_name("  Piteşti ") == fold_name("PITEȘTI")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class CityFinder:
    """Look cities up in a graph by the name people type.

    Builds its index once; use it for many look-ups (:func:`find_city` builds
    one per call).

    Examples
    --------
    >>> g = build_graph([("Semarang", "Indonesia", "Brisbane", "Australia")])
    >>> finder = CityFinder(g)
    >>> finder.find("semarang, INDONESIA")
    ('Semarang', 'Indonesia')
    >>> finder.find("Brisbane")
    ('Brisbane', 'Australia')
    >>> CityFinder(build_graph([("Leeds", "England, United Kingdom", "Lille", "France")])).find(
    ...     "leeds, england, united kingdom")
    ('Leeds', 'England, United Kingdom')
    """

    def __init__(self, graph: nx.Graph) -> None:
        self._graph = graph
        self._by_key: dict[tuple[str, str], list[City]] = defaultdict(list)
        self._by_name: dict[str, list[City]] = defaultdict(list)
        for node in sorted(graph):
            self._by_key[(fold_name(node[0]), fold_name(node[1]))].append(node)
            self._by_name[fold_name(node[0])].append(node)
        self._labels = {fold_name(city_label(node)): node for node in sorted(graph, reverse=True)}

    def find(self, query: str | City) -> City:
        """The city ``query`` names: ``"Name, Country"``, ``"Name"`` or a tuple.

        Matching ignores case, accents and extra spaces; a bare name is enough
        when only one city has it.

        Raises
        ------
        UnknownNode
            If no city, or more than one, matches; ``suggestions`` holds up to
            five ``"Name, Country"`` labels of the closest cities.
        """
        if isinstance(query, tuple):
            if query in self._graph:
                return query
            name: str = query[0]
            country: str | None = query[1]
            text = city_label(query)
        else:
            text = " ".join(query.split())
            name, country = parse_city(text)
        if not name:
            raise UnknownNode("no city given", [])
        matches: list[City] = []
        if country is not None:
            # Names and countries may both hold commas ("Bayside, New South Wales",
            # "England, United Kingdom"): try every split, the last comma first.
            parts = text.split(",")
            splits = [
                (",".join(parts[:cut]).strip(), ",".join(parts[cut:]).strip())
                for cut in range(len(parts) - 1, 0, -1)
            ]
            for split in splits:
                if split in self._graph:
                    return split
            for split in splits:
                matches = self._by_key.get((fold_name(split[0]), fold_name(split[1])), [])
                if matches:
                    break
        if not matches:
            matches = self._by_name.get(fold_name(text if country is not None else name), [])
        # Lists spell some cities two ways ("Curtea de Argeş", "Curtea de Argeș"):
        # an exact spelling decides between them.
        exact = [match for match in matches if match[0] == name or city_label(match) == text]
        if len(matches) == 1 or len(exact) == 1:
            return (exact or matches)[0]
        if len(matches) > 1:
            labels = [city_label(match) for match in matches]
            advice = "write one exactly" if country is not None else "add the country"
            raise UnknownNode(
                f"{text!r} names {len(matches)} cities; {advice}: {'; '.join(labels[:5])}",
                labels[:5],
            )
        suggestions = self.suggest(text)
        hint = f"; closest: {'; '.join(suggestions)}" if suggestions else ""
        raise UnknownNode(f"unknown city {text!r}{hint}", suggestions)

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` labels of the cities whose names are closest to ``text``."""
        name, _country = parse_city(text)
        found: list[City] = [
            self._labels[label]
            for label in difflib.get_close_matches(
                fold_name(text), self._labels, n=limit, cutoff=0.6
            )
        ]
        for folded in difflib.get_close_matches(
            fold_name(name), self._by_name, n=limit, cutoff=0.7
        ):
            found.extend(self._by_name[folded])
        unique = list(dict.fromkeys(found))
        return [city_label(city) for city in unique[:limit]]


def find_city(graph: nx.Graph, query: str | City) -> City:
    """The node of the city ``query`` names; see :meth:`CityFinder.find`.

    Raises
    ------
    UnknownNode
        With the closest matches (by :mod:`difflib` similarity) as suggestions.

    Examples
    --------
    >>> g = build_graph([("Semarang", "Indonesia", "Brisbane", "Australia")])
    >>> find_city(g, "Semarang")
    ('Semarang', 'Indonesia')
    >>> try:
    ...     find_city(g, "Semarangg, Indonesia")
    ... except UnknownNode as error:
    ...     print(error.suggestions)
    ['Semarang, Indonesia']
    """
    return CityFinder(graph).find(query)


def _node(graph: nx.Graph, city: City) -> City:
    if city not in graph:
        raise UnknownNode(
            f"unknown city {city_label(city)!r}", CityFinder(graph).suggest(city_label(city))
        )
    return city


def city_degree(graph: nx.Graph, city: City) -> int:
    """The number of partners of ``city``.

    Notes
    -----
    The degree :math:`k_i = \\sum_j A_{ij}` of node *i* in the adjacency matrix *A*.

    References
    ----------
    M. E. J. Newman, *Networks*, 2nd ed., Oxford University Press (2018), §6.10.

    Examples
    --------
    >>> g = build_graph([("A", "X", "B", "Y"), ("A", "X", "C", "Y")])
    >>> city_degree(g, ("A", "X"))
    2
    """
    return int(graph.degree(_node(graph, city)))


def city_partners(graph: nx.Graph, city: City) -> list[City]:
    """The partners of ``city``, sorted by name then country.

    Notes
    -----
    The neighbourhood :math:`N(i) = \\{j : A_{ij} = 1\\}`.

    References
    ----------
    M. E. J. Newman, *Networks*, 2nd ed., Oxford University Press (2018), §6.10.

    Examples
    --------
    >>> g = build_graph([("A", "X", "C", "Y"), ("A", "X", "B", "Y")])
    >>> city_partners(g, ("A", "X"))
    [('B', 'Y'), ('C', 'Y')]
    """
    return sorted(graph.adj[_node(graph, city)])


@dataclass(frozen=True, slots=True)
class SecondDegreePartner:
    """A partner of a partner, and the partners through whom it is reached."""

    city: City
    via: tuple[City, ...]


def partners_of_partners(graph: nx.Graph, city: City) -> list[SecondDegreePartner]:
    """Cities two steps from ``city`` that are not its partners, with via whom.

    Returns
    -------
    list of SecondDegreePartner
        Most shared partners first, then by name and country; ``via`` sorted.

    Notes
    -----
    :math:`N_2(i) = \\bigcup_{j \\in N(i)} N(j) \\setminus (N(i) \\cup \\{i\\})`;
    ``via`` of *l* is :math:`N(i) \\cap N(l)`, the common partners.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social
    networks", J. Am. Soc. Inf. Sci. Technol. 58(7), 1019–1031 (2007).

    Examples
    --------
    >>> g = build_graph([("A", "X", "B", "Y"), ("B", "Y", "C", "Z"), ("A", "X", "D", "Y"),
    ...                  ("D", "Y", "C", "Z"), ("D", "Y", "E", "Z")])
    >>> for p in partners_of_partners(g, ("A", "X")):
    ...     print(p.city, p.via)
    ('C', 'Z') (('B', 'Y'), ('D', 'Y'))
    ('E', 'Z') (('D', 'Y'),)
    """
    node = _node(graph, city)
    direct = set(graph.adj[node])
    via: dict[City, list[City]] = defaultdict(list)
    for partner in sorted(direct):
        for second in graph.adj[partner]:
            if second != node and second not in direct:
                via[second].append(partner)
    ranked = sorted(via.items(), key=lambda item: (-len(item[1]), item[0]))
    return [SecondDegreePartner(second, tuple(through)) for second, through in ranked]


def shortest_paths(
    graph: nx.Graph, source: City, target: City, *, limit: int = 10
) -> list[list[City]]:
    """Up to ``limit`` shortest chains of twinnings from ``source`` to ``target``.

    Returns
    -------
    list of list of City
        In lexicographic order; empty when the two are not connected.

    Notes
    -----
    Breadth-first search; the distance :math:`d(i, j)` is the least number of
    links between the two.

    References
    ----------
    M. E. J. Newman, *Networks*, 2nd ed., Oxford University Press (2018), §8.5.

    Examples
    --------
    >>> g = build_graph([("A", "X", "B", "Y"), ("B", "Y", "C", "Z"), ("A", "X", "D", "Y"),
    ...                  ("D", "Y", "C", "Z"), ("E", "X", "F", "Y")])
    >>> shortest_paths(g, ("A", "X"), ("C", "Z"))
    [[('A', 'X'), ('B', 'Y'), ('C', 'Z')], [('A', 'X'), ('D', 'Y'), ('C', 'Z')]]
    >>> shortest_paths(g, ("A", "X"), ("E", "X"))
    []
    """
    if limit < 1:
        raise InvalidInput(f"limit must be at least 1, not {limit}")
    start, end = _node(graph, source), _node(graph, target)
    try:
        paths = sorted(nx.all_shortest_paths(graph, start, end))
    except nx.NetworkXNoPath:
        return []
    return [list(path) for path in paths[:limit]]


def city_community(graph: nx.Graph, city: City, *, seed: int = 42) -> frozenset[City]:
    """The cluster of densely twinned cities ``city`` belongs to (Louvain).

    Parameters
    ----------
    seed : int
        Seed of the Louvain method's random order; the same seed and graph
        always give the same community.

    Notes
    -----
    The Louvain method greedily maximises the modularity

    .. math::

        Q = \\frac{1}{2m} \\sum_{ij} \\Big(A_{ij} - \\frac{k_i k_j}{2m}\\Big)
            \\delta(c_i, c_j)

    It runs on the city's connected component only (communities never span
    components), with nodes and edges in sorted order so that the input order
    of the links does not change the result.  On the world network (the giant
    component has about 14,000 cities) it takes a few seconds; cache it.

    References
    ----------
    V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast
    unfolding of communities in large networks", J. Stat. Mech. P10008 (2008).

    Examples
    --------
    Two triangles joined by one link:

    >>> g = build_graph([("A", "X", "B", "X"), ("B", "X", "C", "X"), ("A", "X", "C", "X"),
    ...                  ("D", "Y", "E", "Y"), ("E", "Y", "F", "Y"), ("D", "Y", "F", "Y"),
    ...                  ("C", "X", "D", "Y")])
    >>> sorted(city_community(g, ("A", "X")))
    [('A', 'X'), ('B', 'X'), ('C', 'X')]
    """
    node = _node(graph, city)
    component = nx.node_connected_component(graph, node)
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(component))
    ordered.add_edges_from(sorted(tuple(sorted(edge)) for edge in graph.subgraph(component).edges))
    for community in nx.community.louvain_communities(ordered, seed=seed):
        if node in community:
            return frozenset(community)
    raise AssertionError("Louvain partitions every node")  # pragma: no cover


class CountryFlow(NamedTuple):
    """Links between two countries (``country_a <= country_b``), or within one."""

    country_a: str
    country_b: str
    links: int


def country_flows(graph: nx.Graph) -> list[CountryFlow]:
    """How many links join each pair of countries, and each country with itself.

    Returns
    -------
    list of CountryFlow
        Most links first, then by the two country names.

    Notes
    -----
    :math:`F_{ab} = \\sum_{(i,j) \\in E} [\\{c_i, c_j\\} = \\{a, b\\}]`; the
    diagonal :math:`F_{aa}` counts domestic twinnings.

    References
    ----------
    W. Zelinsky, "The twinning of the world: sister cities in geographic and
    historical perspective", Ann. Assoc. Am. Geogr. 81(1), 1–31 (1991).

    Examples
    --------
    >>> g = build_graph([("A", "France", "B", "Germany"), ("C", "France", "B", "Germany"),
    ...                  ("A", "France", "C", "France")])
    >>> country_flows(g)
    [CountryFlow(country_a='France', country_b='Germany', links=2),
     CountryFlow(country_a='France', country_b='France', links=1)]
    """
    counts: Counter[tuple[str, str]] = Counter()
    for a, b in graph.edges:
        pair = (a[1], b[1]) if a[1] <= b[1] else (b[1], a[1])
        counts[pair] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [CountryFlow(a, b, links) for (a, b), links in ranked]


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    """The size and shape of a twin-city network."""

    cities: int
    links: int
    components: int
    largest_component: int
    degree_distribution: dict[int, int]
    average_clustering: float
    top_cities: list[tuple[City, int]]


def network_summary(graph: nx.Graph, *, top: int = 10) -> NetworkSummary:
    """Counts, components, degree distribution, clustering and the best-connected cities.

    Parameters
    ----------
    top : int
        How many cities to list in ``top_cities`` (most partners first, then
        by name and country).

    Raises
    ------
    InvalidInput
        If the graph has no city.

    Notes
    -----
    ``degree_distribution`` maps a degree *k* to the number of cities with
    *k* partners.  ``average_clustering`` is

    .. math::

        \\bar C = \\frac{1}{n} \\sum_i \\frac{2 T_i}{k_i (k_i - 1)}

    with :math:`T_i` the triangles through *i* (0 where :math:`k_i < 2`).

    References
    ----------
    D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world'
    networks", Nature 393, 440–442 (1998).

    Examples
    --------
    >>> g = build_graph([("A", "X", "B", "X"), ("B", "X", "C", "X"), ("A", "X", "C", "X"),
    ...                  ("D", "Y", "E", "Y")])
    >>> s = network_summary(g, top=2)
    >>> s.cities, s.links, s.components, s.largest_component
    (5, 4, 2, 3)
    >>> s.degree_distribution, round(s.average_clustering, 3), s.top_cities
    ({1: 2, 2: 3}, 0.6, [(('A', 'X'), 2), (('B', 'X'), 2)])
    """
    if graph.number_of_nodes() == 0:
        raise InvalidInput("the network is empty: no city, no link")
    if top < 0:
        raise InvalidInput(f"top must not be negative, not {top}")
    components = [len(c) for c in nx.connected_components(graph)]
    degrees = dict(graph.degree)
    distribution = Counter(degrees.values())
    ranked = sorted(degrees.items(), key=lambda item: (-item[1], item[0]))
    return NetworkSummary(
        cities=graph.number_of_nodes(),
        links=graph.number_of_edges(),
        components=len(components),
        largest_component=max(components),
        degree_distribution=dict(sorted(distribution.items())),
        average_clustering=float(nx.average_clustering(graph)),
        top_cities=[(city, int(degree)) for city, degree in ranked[:top]],
    )
