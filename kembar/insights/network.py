"""The world twin-city network from the database: ego networks, facts and new partners.

The pages under ``/insights/network/`` and ``/api/v1/network/cities/{id}/…``
read everything from here; the figures come from :mod:`kembar.analytics.network`
and :mod:`kembar.analytics.recommend`.

The graph
    One node per :class:`~kembar.geo.models.City` with a twin-town link
    (:class:`~kembar.geo.models.TwinLink`, loaded by ``load_reference``), and
    one edge per link.  The public partnerships Kembar records join too: a
    local region's city (found by name, see :func:`region_city_id`) to the
    partner city, so that a partner Kembar knows of but the world list misses
    is drawn as a partner and never recommended.  A node is ``(name, English
    country name)`` as the library expects; when two cities of the network share
    both, their names carry the city id (``"Achim (#2955936)"``).

The cache
    Building the graph and the recommender takes about two seconds on the
    world network, so it is done once per process and kept until the data
    changes: the key is the fingerprint and time of the last reference load
    (``ReferenceLoad``, dataset ``"reference"``), the number and the last id of
    the links, the number, last change and versions of the public
    partnerships with a partner city, and the weights.  Reading the key costs
    three small queries; it is read again only when the data generation of
    :mod:`kembar.common.public_cache` has moved on (every write to those tables
    renews it), or while the request's own writes are not committed.
    Communities (Louvain, a few seconds on the giant component) are computed on
    first use, a whole component at a time.

Recommendations
    :class:`~kembar.analytics.recommend.Recommender` over the graph, with
    profiles: a city's population (its size class) and what it is *known for*,
    which is the focus areas of the public partnerships recorded with it.  The
    learning needs a user ticks are focus-area codes
    (:class:`~kembar.partnerships.models.FocusArea` slugs); a candidate known
    for them ranks higher.  Never the city, one of its partners, or another
    spelling of them.

Settings
    ``KEMBAR_RECOMMENDER_WEIGHTS`` (optional): a dict overriding any of the
    weights of :class:`~kembar.analytics.recommend.RecommendWeights`, all
    numbers ≥ 0 (0 switches a component off): ``common_partners``,
    ``resource_allocation``, ``adamic_adar``, ``partners_of_partners``,
    ``country_ties``, ``popularity``, ``proximity``, ``near_partner``,
    ``near_partner_scale_km`` (km, > 0), ``size``, ``status``, ``function``,
    ``problems``, ``know_how``, ``complementarity``.  An unknown key or a bad
    value raises ``ImproperlyConfigured`` on the first request that needs them.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import networkx as nx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import Count, Max, Q
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.network import (
    City as Node,
)
from kembar.analytics.network import (
    Link,
    build_graph,
    country_flows,
    partners_of_partners,
)
from kembar.analytics.recommend import Reason, Recommender, RecommendWeights
from kembar.geo.diplomacy import LEGAL_BASIS, countries_without_relations
from kembar.geo.models import City, Country, ReferenceLoad, Region, TwinLink
from kembar.geo.resolver import normalise_name
from kembar.insights.staff_cache import data_stamp
from kembar.partnerships.models import FocusArea, Partnership

__all__ = [
    "DEFAULT_EGO_LIMIT",
    "MAX_EGO_LIMIT",
    "MAX_RECOMMENDATIONS",
    "CityNotFound",
    "CitySearchResult",
    "CountryFlowRow",
    "EgoEdge",
    "EgoNetwork",
    "EgoNode",
    "ExcludedCity",
    "NetworkFacts",
    "RecommendationReason",
    "Recommendations",
    "RecommendedCity",
    "UnknownLearningNeed",
    "city_ego_network",
    "city_network_facts",
    "city_recommendations",
    "city_search",
    "home_city_id",
    "learning_need_choices",
    "network_cache_clear",
    "network_warm_up",
    "recommender_weights",
    "region_city_id",
]

#: Partners of partners drawn by default, and at most.
DEFAULT_EGO_LIMIT = 60
MAX_EGO_LIMIT = 500
#: Most recommendations one request may ask for.
MAX_RECOMMENDATIONS = 50
#: Louvain's seed, as :func:`kembar.analytics.network.city_community` uses it.
COMMUNITY_SEED = 42
#: Country flows listed for a city's country.
TOP_FLOWS = 10
#: Members of the community named on the page.
COMMUNITY_EXAMPLES = 5
#: How many partners a "shares N partners" reason names before "and N more".
_NAMED_PARTNERS = 5
# Words in front of a region's name that the city's name lacks.
_REGION_PREFIXES = ("kota administrasi ", "kabupaten administrasi ", "kota ", "kabupaten ", "kab ")


class CityNotFound(LookupError):
    """No city has this id."""


class UnknownLearningNeed(ValueError):
    """A learning need is not a focus-area code; ``codes`` lists the unknown ones."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = list(codes)
        super().__init__(f"unknown learning need(s): {', '.join(self.codes)}")


# --- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EgoNode:
    """A city of an ego network: ``ring`` 0 is the city, 1 a partner, 2 a partner's partner.

    ``via`` (ring 2 only) holds the ids of the partners through which it is
    reached, ``via_names`` their names.
    """

    id: int
    name: str
    country: str
    country_name: str
    lat: float
    lng: float
    ring: int
    degree: int
    via: tuple[int, ...] = ()
    via_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EgoEdge:
    """A link to draw: ``partner`` (city–partner), ``between_partners`` or ``second``.

    ``source`` is the end nearer the city (the lower ring, then the lower id).
    """

    source: int
    target: int
    kind: str


@dataclass(frozen=True, slots=True)
class EgoNetwork:
    """A city, its partners and (depth 2) the best-connected of its partners' partners.

    ``partners_of_partners`` counts them all, ``left_out`` those not drawn.
    """

    city: EgoNode
    depth: int
    limit: int
    in_network: bool
    nodes: list[EgoNode]
    edges: list[EgoEdge]
    partners: int
    partners_of_partners: int
    left_out: int

    @property
    def ring1(self) -> list[EgoNode]:
        return [node for node in self.nodes if node.ring == 1]

    @property
    def ring2(self) -> list[EgoNode]:
        return [node for node in self.nodes if node.ring == 2]

    def map_data(self) -> dict[str, Any]:
        """What the page's map script draws (ids, names, places, rings and links)."""
        return {
            "nodes": [
                {
                    "id": node.id,
                    "name": node.name,
                    "country": node.country_name,
                    "lat": node.lat,
                    "lng": node.lng,
                    "ring": node.ring,
                    "degree": node.degree,
                }
                for node in self.nodes
            ],
            "edges": [[edge.source, edge.target, edge.kind] for edge in self.edges],
        }


@dataclass(frozen=True, slots=True)
class CountryFlowRow:
    """Links between the city's country and ``country`` (itself when ``domestic``)."""

    country: str
    country_name: str
    links: int
    domestic: bool


@dataclass(frozen=True, slots=True)
class NetworkFacts:
    """Where a city stands in the world network."""

    city_id: int
    in_network: bool
    degree: int
    partners_of_partners: int
    component_size: int
    community_size: int
    community_examples: list[EgoNode]
    country: str
    country_name: str
    country_flows: list[CountryFlowRow]
    network_cities: int
    network_links: int


@dataclass(frozen=True, slots=True)
class RecommendationReason:
    """One part of an explanation: the library's ``code`` and ``params``, ``text`` translated."""

    code: str
    params: dict[str, Any]
    text: str


@dataclass(frozen=True, slots=True)
class RecommendedCity:
    """A candidate partner, its score, the score's components and why."""

    rank: int
    id: int
    name: str
    country: str
    country_name: str
    lat: float
    lng: float
    degree: int
    score: float
    components: dict[str, float]
    reasons: list[RecommendationReason]

    @property
    def explanation(self) -> str:
        return "; ".join(reason.text for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class ExcludedCity:
    """A city that would have ranked ``rank`` but the law rules out, and why."""

    rank: int
    id: int
    name: str
    country: str
    country_name: str
    reason: str
    note: str


@dataclass(frozen=True, slots=True)
class Recommendations:
    """The best new partners of ``city``, best first; empty when it has no link.

    ``excluded`` lists the cities that would have been among them but lie in a
    country Indonesia has no diplomatic relations with (PP 28/2018 Pasal 27);
    only an Indonesian city's recommendations leave such cities out.
    """

    city: EgoNode
    k: int
    needs: list[str]
    in_network: bool
    items: list[RecommendedCity]
    excluded: list[ExcludedCity] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CitySearchResult:
    id: int
    name: str
    country: str
    country_name: str
    population: int | None
    degree: int


# --- The cached world graph -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CityRow:
    id: int
    name: str
    country: str
    lat: float
    lng: float


@dataclass(slots=True)
class _World:
    key: tuple[Any, ...]
    graph: nx.Graph
    # None while the network has no link (before the reference data is loaded).
    recommender: Recommender | None
    node_of: dict[int, Node]
    id_of: dict[Node, int]
    cities: dict[int, _CityRow]
    countries: dict[str, tuple[str, str]]
    iso2_of: dict[str, str]
    flows: list[tuple[str, str, int]]
    communities: dict[Node, frozenset[Node]] = field(default_factory=dict)
    components: dict[Node, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Recommendations already computed on this graph, by (city, k, needs, countries left out).
    recommended: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    #: The data generation under which ``key`` was last found current (see :func:`_world`).
    stamp: str | None = None


#: Sets of recommendations kept per built graph (each a few kilobytes).
_RECOMMENDED_KEPT = 512


def _recommend(
    world: _World,
    node: Node,
    *,
    k: int,
    needs: list[str],
    exclude: Mapping[str, str],
    known_for: Mapping[Node, Sequence[str]] | None = None,
) -> list[Any]:
    """``world.recommender.recommend`` computed once per graph and question.

    The answer depends only on the graph (rebuilt, with an empty memory, when the
    data behind it changes) and on the arguments, so it is kept with the graph.
    """
    assert world.recommender is not None  # noqa: S101 (callers check)
    extra = tuple(sorted((city, tuple(sorted(tags))) for city, tags in (known_for or {}).items()))
    key = (node, k, tuple(needs), tuple(sorted(exclude.items())), extra)
    with world.lock:
        found = world.recommended.get(key)
    if found is None:
        found = list(
            world.recommender.recommend(
                node, k=k, needs=needs, exclude_countries=exclude, known_for=known_for
            )
        )
        with world.lock:
            if len(world.recommended) >= _RECOMMENDED_KEPT:
                world.recommended.clear()
            world.recommended[key] = found
    return found


_cache_lock = threading.Lock()
_cache: dict[str, _World] = {}


def network_cache_clear() -> None:
    """Forget the cached graph; the next request rebuilds it."""
    with _cache_lock:
        _cache.clear()


def network_warm_up() -> bool:
    """Build the graph and every component's communities now, so that no visitor waits for them.

    The server calls this once before it starts its workers (``config/wsgi.py``), which then
    share the result.  Nothing happens, and False is returned, when the tables are missing or
    hold no twin-town links yet (a database not migrated or not loaded).
    """
    try:
        if not TwinLink.objects.exists():
            return False
        world = _world()
    except DatabaseError:
        return False
    for component in nx.connected_components(world.graph):
        _community(world, min(component))
    home = home_city_id()
    if home is not None:
        city_recommendations(home, k=10)
    return True


def recommender_weights() -> RecommendWeights:
    """The recommender's weights: the defaults, overridden by ``KEMBAR_RECOMMENDER_WEIGHTS``."""
    configured = getattr(settings, "KEMBAR_RECOMMENDER_WEIGHTS", {}) or {}
    if not isinstance(configured, Mapping):
        raise ImproperlyConfigured("KEMBAR_RECOMMENDER_WEIGHTS must be a dict of weights")
    known = {item.name for item in fields(RecommendWeights)}
    unknown = sorted(set(configured) - known)
    if unknown:
        raise ImproperlyConfigured(
            f"KEMBAR_RECOMMENDER_WEIGHTS: unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    try:
        return RecommendWeights(**configured)
    except InvalidInput as exc:
        raise ImproperlyConfigured(f"KEMBAR_RECOMMENDER_WEIGHTS: {exc}") from exc


def _cache_key() -> tuple[Any, ...]:
    load = ReferenceLoad.objects.filter(dataset="reference").values_list("fingerprint", "loaded_at")
    links = TwinLink.objects.aggregate(count=Count("id"), last=Max("id"))
    # Only what the graph is built from: which region each public partnership links to which
    # city, with its focus areas.  Other edits (titles, stages, documents) keep the graph.
    partnerships = sorted(
        _public_partnerships().values_list(
            "local_region_id", "partner_city_id", "focus_areas__slug"
        ),
        key=repr,
    )
    return (
        tuple(load.first() or ()),
        links["count"],
        links["last"],
        tuple(partnerships),
        recommender_weights(),
    )


def _public_partnerships() -> Any:
    return Partnership.objects.filter(is_public=True, partner_city__isnull=False)


def _world() -> _World:
    # The key costs three queries, one of them counting every link; under a data generation
    # (kembar.common.public_cache) already checked it cannot have changed, since every write
    # to what it is made of renews the generation.  The stamp is read before the key.
    stamp = data_stamp()
    with _cache_lock:
        world = _cache.get("world")
    if (
        world is not None
        and stamp is not None
        and world.stamp == stamp
        and world.key[-1] == recommender_weights()
    ):
        return world
    key = _cache_key()
    with _cache_lock:
        world = _cache.get("world")
        if world is None or world.key != key:
            world = _build_world(key)
            _cache["world"] = world
        world.stamp = stamp
        return world


def _strip_region_prefix(name: str) -> str:
    folded = normalise_name(name)
    for prefix in _REGION_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def region_city_id(region: Region) -> int | None:
    """The city a kabupaten or kota is named after ("Kota Semarang" → Semarang), if any.

    A city of Indonesia whose name or alternate name is the region's name
    without "Kota" or "Kabupaten"; the nearest to the region's centre when
    several are, the most populous when the region has no centre.
    """
    needle = _strip_region_prefix(region.name)
    if not needle:
        return None
    candidates = [
        city
        for city in City.objects.filter(country_id="ID", search_text__contains=needle).only(
            "id", "name", "search_text", "latitude", "longitude", "population"
        )
        if needle in city.search_text.split("|")
    ]
    if not candidates:
        return None
    exact = [city for city in candidates if normalise_name(city.name) == needle] or candidates
    if region.latitude is not None and region.longitude is not None:
        lat, lng = region.latitude, region.longitude

        def distance(city: City) -> float:
            return math.hypot(
                city.latitude - lat, (city.longitude - lng) * math.cos(math.radians(lat))
            )

        return min(exact, key=lambda city: (distance(city), city.id)).id
    return min(exact, key=lambda city: (-(city.population or 0), city.id)).id


def home_city_id(region_kode: str | None = None) -> int | None:
    """The city of the home region (``KEMBAR_HOME_REGION``, Kota Semarang), if known."""
    region = Region.objects.filter(kode=region_kode or settings.KEMBAR_HOME_REGION).first()
    return region_city_id(region) if region is not None else None


def _build_world(key: tuple[Any, ...]) -> _World:
    linked: set[tuple[int, int]] = set(TwinLink.objects.values_list("city_a_id", "city_b_id"))
    pairs = set(linked)
    known_for: dict[int, set[str]] = defaultdict(set)
    region_city: dict[str, int | None] = {}
    regions = {
        region.kode: region
        for region in Region.objects.filter(
            kode__in=_public_partnerships().values("local_region_id")
        )
    }
    for region_kode, partner_id, focus in _public_partnerships().values_list(
        "local_region_id", "partner_city_id", "focus_areas__slug"
    ):
        if focus:
            known_for[partner_id].add(focus)
        if region_kode not in region_city:
            region_city[region_kode] = region_city_id(regions[region_kode])
        home = region_city[region_kode]
        if home is not None and home != partner_id:
            pairs.add((min(home, partner_id), max(home, partner_id)))

    recorded = {city_id for pair in pairs - linked for city_id in pair}
    in_links = Q(id__in=TwinLink.objects.values("city_a_id")) | Q(
        id__in=TwinLink.objects.values("city_b_id")
    )
    rows = City.objects.filter(in_links | Q(id__in=recorded)).values_list(
        "id", "name", "country_id", "latitude", "longitude", "population"
    )
    countries = {
        iso2: (name_en, name_id)
        for iso2, name_en, name_id in Country.objects.values_list("iso2", "name_en", "name_id")
    }
    cities: dict[int, _CityRow] = {}
    population: dict[int, int] = {}
    for city_id, name, iso2, lat, lng, people in rows:
        cities[city_id] = _CityRow(city_id, name, iso2, float(lat), float(lng))
        if people:
            population[city_id] = int(people)

    namesakes: dict[tuple[str, str], int] = defaultdict(int)
    for row in cities.values():
        namesakes[(row.name, row.country)] += 1
    node_of: dict[int, Node] = {}
    for row in cities.values():
        name = row.name if namesakes[(row.name, row.country)] == 1 else f"{row.name} (#{row.id})"
        node_of[row.id] = (name, countries[row.country][0])
    id_of = {node: city_id for city_id, node in node_of.items()}

    links = []
    for a, b in sorted(pairs):
        if a not in cities or b not in cities:
            continue
        first, second = cities[a], cities[b]
        links.append(Link(*node_of[a], *node_of[b], first.lat, first.lng, second.lat, second.lng))
    graph = build_graph(links)
    profiles: dict[Node, dict[str, object]] = {}
    for city_id, node in node_of.items():
        profile: dict[str, object] = {}
        if city_id in population:
            profile["population"] = population[city_id]
        if known_for.get(city_id):
            profile["known_for"] = sorted(known_for[city_id])
        if profile and node in graph:
            profiles[node] = profile
    recommender = Recommender(graph, profiles=profiles, weights=key[-1]) if len(graph) else None
    iso2_of = {name_en: iso2 for iso2, (name_en, _name_id) in countries.items()}
    return _World(
        key=key,
        graph=graph,
        recommender=recommender,
        node_of=node_of,
        id_of=id_of,
        cities=cities,
        countries=countries,
        iso2_of=iso2_of,
        flows=[(flow.country_a, flow.country_b, flow.links) for flow in country_flows(graph)],
    )


# --- Helpers over the world ----------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _country_name(world: _World, iso2: str) -> str:
    names = world.countries.get(iso2)
    if names is None:
        return iso2
    return names[0] if _english() else names[1]


def _country_label(world: _World, name_en: str) -> str:
    iso2 = world.iso2_of.get(name_en)
    return _country_name(world, iso2) if iso2 else name_en


def _focus_areas() -> dict[str, str]:
    """Focus-area codes and names in the active language (read each time: admins edit them)."""
    english = _english()
    return {
        slug: name_en if english else name_id
        for slug, name_id, name_en in FocusArea.objects.values_list("slug", "name_id", "name_en")
    }


def _ego_city(world: _World, city_id: int) -> tuple[EgoNode, Node | None]:
    """The city as ring 0, and its node when it has a link."""
    node = world.node_of.get(city_id)
    if node is not None and node in world.graph:
        row = world.cities[city_id]
        return _node(world, row, ring=0), node
    city = City.objects.filter(id=city_id).values_list(
        "id", "name", "country_id", "latitude", "longitude"
    )
    found = city.first()
    if found is None:
        raise CityNotFound(city_id)
    row = _CityRow(found[0], found[1], found[2], float(found[3]), float(found[4]))
    return _node(world, row, ring=0, degree=0), None


def _node(
    world: _World,
    row: _CityRow,
    *,
    ring: int,
    degree: int | None = None,
    via: Sequence[int] = (),
) -> EgoNode:
    if degree is None:
        degree = int(world.graph.degree(world.node_of[row.id]))
    return EgoNode(
        id=row.id,
        name=row.name,
        country=row.country,
        country_name=_country_name(world, row.country),
        lat=row.lat,
        lng=row.lng,
        ring=ring,
        degree=degree,
        via=tuple(via),
        via_names=tuple(world.cities[partner].name for partner in via),
    )


# --- Ego network -------------------------------------------------------------------------------


def city_ego_network(city_id: int, *, depth: int = 2, limit: int = DEFAULT_EGO_LIMIT) -> EgoNetwork:
    """The city, its partners and, at depth 2, up to ``limit`` partners of partners.

    Partners of partners are ranked by how many of the city's partners lead
    to them, then by their own number of partners, then by name; the first
    ``limit`` are drawn and the rest counted in ``left_out``.  The edges are
    the links from the city to its partners, between partners, and from
    partners to the partners of partners drawn (links among the latter are
    left out: they are not paths through the city).

    Raises
    ------
    CityNotFound
        If no city has this id.
    ValueError
        If ``depth`` is not 1 or 2, or ``limit`` not between 1 and
        :data:`MAX_EGO_LIMIT`.
    """
    if depth not in (1, 2):
        raise ValueError(f"depth must be 1 or 2, not {depth}")
    if not 1 <= limit <= MAX_EGO_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_EGO_LIMIT}, not {limit}")
    world = _world()
    centre, node = _ego_city(world, city_id)
    if node is None:
        return EgoNetwork(centre, depth, limit, False, [centre], [], 0, 0, 0)
    graph = world.graph
    partner_ids = sorted(
        (world.id_of[partner] for partner in graph.adj[node]),
        key=lambda i: (world.cities[i].name, world.cities[i].country, i),
    )
    ring1 = [_node(world, world.cities[i], ring=1) for i in partner_ids]
    nodes = [centre, *ring1]
    edges = [EgoEdge(city_id, partner, "partner") for partner in partner_ids]
    for position, one in enumerate(partner_ids):
        for other in partner_ids[position + 1 :]:
            if graph.has_edge(world.node_of[one], world.node_of[other]):
                edges.append(EgoEdge(min(one, other), max(one, other), "between_partners"))
    total = 0
    if depth == 2:
        seconds = partners_of_partners(graph, node)
        total = len(seconds)
        ranked = sorted(
            seconds,
            key=lambda second: (-len(second.via), -graph.degree(second.city), second.city),
        )[:limit]
        for candidate in ranked:
            second_id = world.id_of[candidate.city]
            via = sorted(
                (world.id_of[partner] for partner in candidate.via),
                key=lambda i: (world.cities[i].name, i),
            )
            nodes.append(_node(world, world.cities[second_id], ring=2, via=via))
            edges.extend(EgoEdge(partner, second_id, "second") for partner in via)
    shown = sum(1 for item in nodes if item.ring == 2)
    return EgoNetwork(
        city=centre,
        depth=depth,
        limit=limit,
        in_network=True,
        nodes=nodes,
        edges=edges,
        partners=len(ring1),
        partners_of_partners=total,
        left_out=total - shown,
    )


# --- Facts -------------------------------------------------------------------------------------


def _community(world: _World, node: Node) -> frozenset[Node]:
    """The node's Louvain community, computing its whole component's at once.

    The same partition as :func:`kembar.analytics.network.city_community`
    (its component, nodes and edges in sorted order, the same seed), kept for
    every member so that the next city of the component costs nothing.
    """
    with world.lock:
        if node not in world.communities:
            component = nx.node_connected_component(world.graph, node)
            ordered = nx.Graph()
            ordered.add_nodes_from(sorted(component))
            ordered.add_edges_from(
                sorted(tuple(sorted(edge)) for edge in world.graph.subgraph(component).edges)
            )
            for community in nx.community.louvain_communities(ordered, seed=COMMUNITY_SEED):
                members = frozenset(community)
                for member in members:
                    world.communities[member] = members
            for member in component:
                world.components[member] = len(component)
        return world.communities[node]


def city_network_facts(city_id: int) -> NetworkFacts:
    """The city's partners, partners of partners, component, community and country flows.

    ``country_flows`` lists the :data:`TOP_FLOWS` countries with the most
    links to the city's country (the country itself for domestic links),
    from :func:`kembar.analytics.network.country_flows`.

    Raises
    ------
    CityNotFound
        If no city has this id.
    """
    world = _world()
    centre, node = _ego_city(world, city_id)
    name_en = world.countries.get(centre.country, (centre.country, centre.country))[0]
    flows = []
    for country_a, country_b, links in world.flows:
        if name_en not in (country_a, country_b):
            continue
        other = country_b if country_a == name_en else country_a
        iso2 = world.iso2_of.get(other, other)
        flows.append(CountryFlowRow(iso2, _country_label(world, other), links, other == name_en))
        if len(flows) == TOP_FLOWS:
            break
    degree = seconds = component = community_size = 0
    examples: list[EgoNode] = []
    if node is not None:
        community = _community(world, node)
        degree = centre.degree
        seconds = len(partners_of_partners(world.graph, node))
        component = world.components[node]
        community_size = len(community)
        ranked = sorted(
            (member for member in community if member != node),
            key=lambda member: (-world.graph.degree(member), member),
        )
        examples = [
            _node(world, world.cities[world.id_of[member]], ring=0)
            for member in ranked[:COMMUNITY_EXAMPLES]
        ]
    return NetworkFacts(
        city_id=city_id,
        in_network=node is not None,
        degree=degree,
        partners_of_partners=seconds,
        component_size=component,
        community_size=community_size,
        community_examples=examples,
        country=centre.country,
        country_name=centre.country_name,
        country_flows=flows,
        network_cities=world.graph.number_of_nodes(),
        network_links=world.graph.number_of_edges(),
    )


# --- Recommendations -------------------------------------------------------------------------


def learning_need_choices() -> list[tuple[str, str]]:
    """The learning needs one may tick: focus-area codes with their names in the active language."""
    return sorted(_focus_areas().items(), key=lambda choice: choice[1].casefold())


def _partner_list(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_NAMED_PARTNERS])
    if len(names) > _NAMED_PARTNERS:
        return _("%(names)s and %(count)d more") % {
            "names": shown,
            "count": len(names) - _NAMED_PARTNERS,
        }
    return shown


def _reason_text(world: _World, reason: Reason, focus_areas: Mapping[str, str]) -> str:
    """The reason in the active language; the library's English for a code it has no words for."""
    params = reason.params
    code = reason.code
    if code == "common_partners":
        count = int(params["count"])
        return ngettext(
            "shares %(count)d partner with %(city)s: %(partners)s",
            "shares %(count)d partners with %(city)s: %(partners)s",
            count,
        ) % {"count": count, "city": params["city"], "partners": _partner_list(params["partners"])}
    if code == "partners_of_partners":
        count = int(params["count"])
        return ngettext(
            "%(count)d of its partners is twinned with partners of %(city)s",
            "%(count)d of its partners are twinned with partners of %(city)s",
            count,
        ) % {"count": count, "city": params["city"]}
    if code == "country_ties":
        links = int(params["links"])
        country = _country_label(world, params["country"])
        if params["country"] == params["other_country"]:
            return ngettext(
                "%(links)d link within %(country)s", "%(links)d links within %(country)s", links
            ) % {"links": links, "country": country}
        return ngettext(
            "%(links)d link between %(country)s and %(other)s",
            "%(links)d links between %(country)s and %(other)s",
            links,
        ) % {
            "links": links,
            "country": country,
            "other": _country_label(world, params["other_country"]),
        }
    if code == "popularity":
        partners = int(params["partners"])
        return ngettext(
            "well connected: %(count)d partner", "well connected: %(count)d partners", partners
        ) % {"count": partners}
    if code == "proximity":
        return _("%(km)s km away") % {"km": number_format(params["km"], force_grouping=True)}
    if code == "near_partner":
        return _("%(km)s km from %(partner)s, a partner of %(city)s") % {
            "km": number_format(params["km"], force_grouping=True),
            "partner": params["partner"],
            "city": params["city"],
        }
    if code == "size":
        return _("similar size") if params.get("same") else _("comparable size")
    if code == "know_how":
        areas = ", ".join(focus_areas.get(tag, tag) for tag in params["tags"])
        return _("known for %(areas)s") % {"areas": areas}
    return reason.text


def _json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, tuple | frozenset | set) else value
        for key, value in params.items()
    }


def city_recommendations(
    city_id: int,
    *,
    k: int = 10,
    learning_needs: Iterable[str] = (),
    known_for: Mapping[int, Iterable[str]] | None = None,
) -> Recommendations:
    """The ``k`` best new partners for the city, best first, each explained.

    ``learning_needs`` are focus-area codes; candidates known for them (the
    focus areas of public partnerships recorded with them, and those
    ``known_for`` adds by city id: the practices a region recorded as offered
    by them, :func:`kembar.knowledge.matching.network_learning`) rank higher.
    A city without a link gets no recommendation (``in_network`` false).

    Raises
    ------
    CityNotFound
        If no city has this id.
    UnknownLearningNeed
        If a learning need is not a focus-area code.
    ValueError
        If ``k`` is not between 1 and :data:`MAX_RECOMMENDATIONS`.
    """
    if not 1 <= k <= MAX_RECOMMENDATIONS:
        raise ValueError(f"k must be between 1 and {MAX_RECOMMENDATIONS}, not {k}")
    world = _world()
    focus_areas = _focus_areas()
    needs = sorted(set(learning_needs))
    unknown = [need for need in needs if need not in focus_areas]
    if unknown:
        raise UnknownLearningNeed(unknown)
    centre, node = _ego_city(world, city_id)
    if node is None:
        return Recommendations(centre, k, needs, False, [])
    # A node in the graph means the graph, and so its recommender, exists.
    assert world.recommender is not None  # noqa: S101
    ruled_out = countries_without_relations() if centre.country == "ID" else {}
    names = {world.countries[iso2][0]: iso2 for iso2 in ruled_out if iso2 in world.countries}
    extra = {
        world.node_of[city]: sorted(set(tags))
        for city, tags in (known_for or {}).items()
        if city in world.node_of and tags
    }
    found = _recommend(world, node, k=k, needs=needs, exclude=names, known_for=extra)
    excluded = []
    if names:
        unscreened = _recommend(world, node, k=k, needs=needs, exclude={}, known_for=extra)
        for rank, item in enumerate(unscreened, start=1):
            if item.country in names:
                row = world.cities[world.id_of[item.node]]
                excluded.append(
                    ExcludedCity(
                        rank=rank,
                        id=row.id,
                        name=row.name,
                        country=row.country,
                        country_name=_country_name(world, row.country),
                        reason=str(LEGAL_BASIS),
                        note=ruled_out[names[item.country]],
                    )
                )
    items = []
    for rank, item in enumerate(found, start=1):
        candidate = world.id_of[item.node]
        row = world.cities[candidate]
        reasons = [
            RecommendationReason(
                reason.code,
                _json_params(reason.params),
                _reason_text(world, reason, focus_areas),
            )
            for reason in item.reasons
        ]
        items.append(
            RecommendedCity(
                rank=rank,
                id=candidate,
                name=row.name,
                country=row.country,
                country_name=_country_name(world, row.country),
                lat=row.lat,
                lng=row.lng,
                degree=int(world.graph.degree(item.node)),
                score=round(item.score, 6),
                components={name: round(value, 6) for name, value in item.components.items()},
                reasons=reasons,
            )
        )
    return Recommendations(centre, k, needs, True, items, excluded)


# --- Search -------------------------------------------------------------------------------------


def city_search(query: str, *, limit: int = 20) -> list[CitySearchResult]:
    """Cities whose name or an alternate name contains ``query``, accents and case ignored.

    Ranked by how well the name matches (the name itself, then its start, then
    anywhere in it, then an alternate name only), cities with links before
    those without, then by number of partners, population and name.
    """
    needle = normalise_name(query)
    if len(needle) < 2:
        return []
    world = _world()
    rows = (
        City.objects.filter(search_text__contains=needle)
        .order_by("-population", "name", "id")
        .values_list("id", "name", "country_id", "population")[:500]
    )
    ranked = []
    for city_id, name, iso2, population in rows:
        node = world.node_of.get(city_id)
        degree = int(world.graph.degree(node)) if node is not None and node in world.graph else 0
        folded = normalise_name(name)
        match = (
            0
            if folded == needle
            else 1
            if folded.startswith(needle)
            else 2
            if needle in folded
            else 3
        )
        result = CitySearchResult(
            city_id, name, iso2, _country_name(world, iso2), population, degree
        )
        ranked.append(((match, degree == 0, -degree, -(population or 0), name, city_id), result))
    ranked.sort(key=lambda item: item[0])
    return [result for _key, result in ranked[:limit]]
