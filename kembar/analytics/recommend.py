"""Partner recommendation: which cities a city could twin with next, and why.

A candidate's score is a weighted sum of *components*, each a number a person
can check:

* **network proximity** — common partners (their count, Adamic–Adar and
  resource allocation), partners of partners of partners (resource allocation
  over paths of three links), the ties between the two countries (existing
  links between them, relative to what their sizes would give), the
  candidate's number of partners, and how close it lies to the city and to the
  city's existing partners;
* **profile** (optional) — the criteria of the Home Affairs circular of 1993
  on sister cities (comparable status, size and function; similar problems;
  transferable know-how; complementary economies), as far as the profiles
  given say anything about them;
* **learning needs** (optional) — tags such as ``flood_control`` or
  ``port_logistics`` the city wants to learn about, matched to the tags a
  candidate is known for.

Everything works from the links alone; profiles only add components.  Every
recommendation carries the components it scored on and an explanation built
from the strongest of them, as English text and as structured data
(:class:`Reason`) an interface can translate.  :func:`evaluate_recommenders`
measures how well the ranking predicts links hidden from it, against simple
baselines.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sparse
from scipy.spatial import cKDTree

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.geodesy import EARTH_RADIUS_KM, haversine_km_many
from kembar.analytics.network import City, CityFinder, city_label, fold_name

__all__ = [
    "METHODS",
    "PROFILE_KEYS",
    "SIZE_CLASSES",
    "Evaluation",
    "MethodScores",
    "Reason",
    "RecommendWeights",
    "Recommendation",
    "Recommender",
    "adamic_adar",
    "average_precision",
    "common_partners",
    "evaluate_recommenders",
    "hide_links",
    "precision_at_k",
    "recall_at_k",
    "recommend_partners",
    "resource_allocation",
    "sampled_auc",
    "size_class",
    "top_k",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: Size classes of cities, smallest first (see :func:`size_class`).
SIZE_CLASSES = ("small", "medium", "large", "metropolitan")

#: The keys a city profile may have; all are optional.
PROFILE_KEYS = (
    "population",
    "size_class",
    "status",
    "capital",
    "port",
    "coastal",
    "functions",
    "problems",
    "known_for",
    "needs",
    "economy",
)

#: The methods :func:`evaluate_recommenders` compares, Kembar's first.
METHODS = ("kembar", "random", "popularity", "adamic_adar")

# Components in the order their contributions are summed and, on equal
# contributions, explained.
_COMPONENTS = (
    "common_partners",
    "partners_of_partners",
    "country_ties",
    "popularity",
    "proximity",
    "near_partner",
    "size",
    "status",
    "function",
    "problems",
    "know_how",
    "complementarity",
)
_FLAGS = ("capital", "port", "coastal")
# Distances are scored on a log scale from 0 km (1.0) to 20,000 km (0.0).
_DISTANCE_UNIT_KM = 100.0
_DISTANCE_SPAN = math.log1p(20_000.0 / _DISTANCE_UNIT_KM)
# How far (in kernel scales) a partner still counts as near.
_NEAR_CUTOFF = 4.0
# An explanation names at most this many components, each at least this share
# of the strongest one.
_EXPLAIN_MAX = 4
_EXPLAIN_SHARE = 0.1
# Popularity is named only for a candidate with at least this many partners.
_EXPLAIN_POPULAR = 10


# --- Weights, profiles, results --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecommendWeights:
    """How much each component counts; all weights are ≥ 0 (0 switches it off).

    The network defaults were tuned on *validation* links only: starting from
    hand-set values, each weight in turn was multiplied by 0, 0.5, 1.5 and 2
    and a change kept when it raised P@10/0.03 + R@50/0.25 + MAP/0.12 +
    AUC/0.88 of ``evaluate_recommenders(training, holdout=0.1, seed=7)``,
    where ``training`` is what ``hide_links(world, holdout=0.1, seed=42)``
    leaves of the world list.  The links that seed 42 holds out, on which
    ``bench/README.md`` reports, were never scored while tuning.  The profile
    weights are judgement, as no data set of city profiles exists to fit them
    on; learning needs weigh most because what a partner can teach is why a
    city looks for one.

    Attributes
    ----------
    common_partners : float
        Times :math:`\\ln(1 + |N(u) \\cap N(v)|)`.
    resource_allocation : float
        Times the resource-allocation index of the pair.
    adamic_adar : float
        Times the Adamic–Adar index of the pair.
    partners_of_partners : float
        Times the three-step resource allocation :math:`RA_3`.
    country_ties : float
        Times :math:`\\ln(1 + \\text{lift})` of the two countries.
    popularity : float
        Times :math:`\\ln(1 + k_v) / \\ln(1 + k_{max})`.
    proximity : float
        Times :math:`1 - \\ln(1 + d/100) / \\ln(201)`, *d* in km (0 if unknown).
    near_partner : float
        Times :math:`\\max_{p \\in N(u)} e^{-d(v, p)/s}` with *s* =
        ``near_partner_scale_km`` (0 beyond 4 *s*).
    near_partner_scale_km : float
        The kernel scale *s*, in km (> 0).
    size, status, function, problems, know_how, complementarity : float
        Times the profile features (see :class:`Recommender`).
    """

    common_partners: float = 1.5
    resource_allocation: float = 12.0
    adamic_adar: float = 0.0
    partners_of_partners: float = 40.0
    country_ties: float = 1.0
    popularity: float = 3.0
    proximity: float = 1.0
    near_partner: float = 2.0
    near_partner_scale_km: float = 37.5
    size: float = 1.0
    status: float = 1.0
    function: float = 1.0
    problems: float = 1.0
    know_how: float = 4.0
    complementarity: float = 1.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InvalidInput(f"weight {item.name} must be a finite number ≥ 0, not {value!r}")
        if self.near_partner_scale_km <= 0:
            raise InvalidInput("near_partner_scale_km must be above 0")


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of an explanation: a ``code``, its ``params`` and English ``text``.

    An interface translates from ``code`` and ``params``; ``text`` is the
    library's English rendering.
    """

    code: str
    params: Mapping[str, Any]
    text: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A candidate partner, its score, the score's components and why."""

    city: str
    country: str
    score: float
    components: Mapping[str, float]
    reasons: tuple[Reason, ...]

    @property
    def node(self) -> City:
        """The candidate as a node of the graph."""
        return (self.city, self.country)

    @property
    def explanation(self) -> str:
        """The reasons' texts joined by semicolons."""
        return "; ".join(reason.text for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class _Profile:
    size_class: str | None = None
    status: str | None = None
    functions: frozenset[str] = frozenset()
    problems: frozenset[str] = frozenset()
    known_for: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    economy: Mapping[str, float] | None = None


def size_class(population: float) -> str:
    """The size class of a city of ``population`` people.

    Notes
    -----
    small < 100,000 ≤ medium < 500,000 ≤ large < 1,000,000 ≤ metropolitan:
    the *kota kecil / sedang / besar / metropolitan* classes of Indonesian
    urban planning.

    References
    ----------
    Undang-Undang No. 26/2007 tentang Penataan Ruang (a metropolitan area has
    at least one million people) and its implementing regulations.

    Examples
    --------
    >>> size_class(1_650_000), size_class(250_000), size_class(99_999)
    ('metropolitan', 'medium', 'small')
    """
    if not (math.isfinite(population) and population >= 0):
        raise InvalidInput(f"population must be a finite number ≥ 0, not {population!r}")
    if population >= 1_000_000:
        return "metropolitan"
    if population >= 500_000:
        return "large"
    return "medium" if population >= 100_000 else "small"


def _tags(city: City, key: str, value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput(f"profile of {city_label(city)}: {key} must be a list of tags")
    tags = frozenset(str(tag).strip() for tag in value)
    if "" in tags:
        raise InvalidInput(f"profile of {city_label(city)}: {key} holds an empty tag")
    return tags


def _parse_profile(city: City, raw: Mapping[str, object]) -> _Profile:
    unknown = sorted(set(raw) - set(PROFILE_KEYS))
    if unknown:
        raise InvalidInput(
            f"profile of {city_label(city)}: unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(PROFILE_KEYS)}"
        )
    size = raw.get("size_class")
    if size is not None and size not in SIZE_CLASSES:
        raise InvalidInput(
            f"profile of {city_label(city)}: size_class {size!r} is not one of "
            f"{', '.join(SIZE_CLASSES)}"
        )
    population = raw.get("population")
    if size is None and population is not None:
        if not isinstance(population, int | float):
            raise InvalidInput(f"profile of {city_label(city)}: population must be a number")
        size = size_class(float(population))
    status = raw.get("status")
    functions = set(_tags(city, "functions", raw.get("functions", ())))
    for flag in _FLAGS:
        if raw.get(flag):
            functions.add(flag)
    economy = raw.get("economy")
    shares: dict[str, float] | None = None
    if economy is not None:
        if not isinstance(economy, Mapping) or not economy:
            raise InvalidInput(f"profile of {city_label(city)}: economy must map sectors to shares")
        values = {str(sector): float(share) for sector, share in economy.items()}
        total = sum(values.values())
        if any(not (math.isfinite(v) and v >= 0) for v in values.values()) or total <= 0:
            raise InvalidInput(
                f"profile of {city_label(city)}: economy shares must be ≥ 0, not all 0"
            )
        shares = {sector: share / total for sector, share in sorted(values.items())}
    return _Profile(
        size_class=str(size) if size is not None else None,
        status=str(status) if status is not None else None,
        functions=frozenset(functions),
        problems=_tags(city, "problems", raw.get("problems", ())),
        known_for=_tags(city, "known_for", raw.get("known_for", ())),
        needs=_tags(city, "needs", raw.get("needs", ())),
        economy=shares,
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _profile_features(
    mine: _Profile | None, theirs: _Profile, needs: frozenset[str]
) -> dict[str, float]:
    """Profile features in [0, 1] of a candidate (``theirs``) for a city (``mine``)."""
    features = {"know_how": len(needs & theirs.known_for) / len(needs) if needs else 0.0}
    if mine is None:
        return features
    if mine.size_class is not None and theirs.size_class is not None:
        gap = abs(SIZE_CLASSES.index(mine.size_class) - SIZE_CLASSES.index(theirs.size_class))
        features["size"] = {0: 1.0, 1: 0.5}.get(gap, 0.0)
    if mine.status is not None and mine.status == theirs.status:
        features["status"] = 1.0
    features["function"] = _jaccard(mine.functions, theirs.functions)
    features["problems"] = _jaccard(mine.problems, theirs.problems)
    if mine.economy is not None and theirs.economy is not None:
        sectors = set(mine.economy) | set(theirs.economy)
        features["complementarity"] = 0.5 * sum(
            abs(mine.economy.get(s, 0.0) - theirs.economy.get(s, 0.0)) for s in sectors
        )
    return features


# --- Pairwise indices on a networkx graph ------------------------------------------------------


def common_partners(graph: nx.Graph, u: City, v: City) -> list[City]:
    """The partners two cities share, sorted by name then country.

    Notes
    -----
    :math:`N(u) \\cap N(v)`.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social
    networks", J. Am. Soc. Inf. Sci. Technol. 58(7), 1019–1031 (2007).

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("A", "X", "C", "Y"), ("B", "X", "C", "Y"), ("A", "X", "D", "Y")])
    >>> common_partners(g, ("A", "X"), ("B", "X"))
    [('C', 'Y')]
    """
    for city in (u, v):
        if city not in graph:
            raise InvalidInput(f"{city_label(city)} is not in the graph")
    return sorted(set(graph.adj[u]) & set(graph.adj[v]))


def adamic_adar(graph: nx.Graph, u: City, v: City) -> float:
    """The Adamic–Adar index of two cities.

    Notes
    -----
    .. math:: AA(u, v) = \\sum_{z \\in N(u) \\cap N(v)} \\frac{1}{\\ln k_z}

    A shared partner with few partners says more than a hub.

    References
    ----------
    L. A. Adamic and E. Adar, "Friends and neighbors on the Web", Social
    Networks 25(3), 211–230 (2003).

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("A", "X", "C", "Y"), ("B", "X", "C", "Y")])
    >>> adamic_adar(g, ("A", "X"), ("B", "X")) == 1 / math.log(2)
    True
    """
    return sum(1.0 / math.log(graph.degree(z)) for z in common_partners(graph, u, v))


def resource_allocation(graph: nx.Graph, u: City, v: City) -> float:
    """The resource-allocation index of two cities.

    Notes
    -----
    .. math:: RA(u, v) = \\sum_{z \\in N(u) \\cap N(v)} \\frac{1}{k_z}

    References
    ----------
    T. Zhou, L. Lü and Y.-C. Zhang, "Predicting missing links via local
    information", Eur. Phys. J. B 71, 623–630 (2009).

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("A", "X", "C", "Y"), ("B", "X", "C", "Y"), ("C", "Y", "D", "Z")])
    >>> resource_allocation(g, ("A", "X"), ("B", "X"))
    0.3333333333333333
    """
    return sum(1.0 / graph.degree(z) for z in common_partners(graph, u, v))


# --- The recommender ---------------------------------------------------------------------------


def _dense_row(matrix: Any, row: int, size: int) -> FloatArray:
    dense = np.zeros(size)
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    dense[matrix.indices[start:end]] = matrix.data[start:end]
    return dense


def _unit_vectors(lat: FloatArray, lng: FloatArray) -> FloatArray:
    phi, lam = np.radians(lat), np.radians(lng)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


class Recommender:
    """Ranks candidate partners for cities of one twin-city graph.

    Building it prepares sparse matrices of the graph (about 0.5 s for the
    world network of 17,700 cities); a recommendation then scores every city
    at once with vectorised arithmetic (a few milliseconds).

    Parameters
    ----------
    graph : networkx.Graph
        As :func:`kembar.analytics.network.build_graph` returns it; node
        attributes ``lat`` and ``lng`` give distances where present.
    profiles : mapping of City to dict, optional
        What is known of cities besides their links; every key is optional:

        ``population`` (number) or ``size_class`` (one of
        :data:`SIZE_CLASSES`); ``status`` (e.g. ``"provincial_capital"``);
        ``capital``, ``port``, ``coastal`` (booleans); ``functions``
        (tags such as ``"industry"``, ``"tourism"``); ``problems`` (tags such
        as ``"flooding"``); ``known_for`` (what it can teach, e.g.
        ``"flood_control"``); ``needs`` (what it wants to learn); ``economy``
        (sector → share of output).  Profiles of cities not in the graph are
        ignored.
    weights : RecommendWeights, optional
        The defaults when not given.

    Notes
    -----
    The score of candidate *v* for city *u* is :math:`\\sum_c w_c f_c(u, v)`
    over the components below (*k* degree, *N* partners, *d* great-circle
    distance by :func:`kembar.analytics.geodesy.haversine_km_many`).

    ``common_partners``
        :math:`w_{cn} \\ln(1+|N(u) \\cap N(v)|) + w_{ra} RA(u,v) + w_{aa} AA(u,v)`.
    ``partners_of_partners``
        :math:`RA_3(u,v) = \\sum_{a \\in N(u)} \\sum_{b \\in N(v)} A_{ab}/(k_a k_b)`,
        the resource-allocation flow over paths of three links.
    ``country_ties``
        :math:`\\ln(1 + L_{c_u c_v})` with the lift
        :math:`L_{ab} = 2m\\,M_{ab} / (M_a M_b)`, where :math:`M_{ab}` counts
        link ends between countries *a* and *b* (twice the links within a
        country on the diagonal) and :math:`M_a` its row sums: how much more
        the two countries twin than their sizes predict.
    ``popularity``
        :math:`\\ln(1 + k_v) / \\ln(1 + k_{max})`.
    ``proximity``
        :math:`\\max(0, 1 - \\ln(1 + d/100) / \\ln(201))`; 0 without coordinates.
    ``near_partner``
        :math:`\\max_{p \\in N(u)} e^{-d(v,p)/s}`: twinnings cluster regionally.
    ``size``, ``status``, ``function``, ``problems``, ``complementarity``
        The Home Affairs criteria, from the two profiles: the same size class
        1, neighbouring classes 0.5; the same status 1; Jaccard similarity of
        functions (with the capital, port and coastal flags) and of problems;
        complementarity as the total-variation distance between the sector
        shares :math:`\\tfrac12 \\sum_s |e_{us} - e_{vs}|`.
    ``know_how``
        :math:`|\\text{needs}(u) \\cap \\text{known\\_for}(v)| / |\\text{needs}(u)|`.

    Ties are broken by name, then country.

    References
    ----------
    T. Zhou, L. Lü and Y.-C. Zhang, "Predicting missing links via local
    information", Eur. Phys. J. B 71, 623–630 (2009).
    L. Lü and T. Zhou, "Link prediction in complex networks: a survey",
    Physica A 390(6), 1150–1170 (2011).
    M. E. J. Newman, "Mixing patterns in networks", Phys. Rev. E 67, 026126 (2003).
    Surat Edaran Menteri Dalam Negeri No. 193/1652/PUOD (1993) on the
    procedure of sister-city and sister-province cooperation.

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([
    ...     ("Semarang", "Indonesia", "Brisbane", "Australia"),
    ...     ("Semarang", "Indonesia", "Fuzhou", "China"),
    ...     ("Brisbane", "Australia", "Kobe", "Japan"),
    ...     ("Fuzhou", "China", "Kobe", "Japan"),
    ...     ("Fuzhou", "China", "Tacoma", "United States"),
    ... ])
    >>> best = Recommender(g).recommend("Semarang", k=2)
    >>> [(r.city, round(r.score, 3)) for r in best]
    [('Kobe', 14.025), ('Tacoma', 6.54)]
    >>> best[0].explanation
    'shares 2 partners with Semarang: Brisbane, Fuzhou'
    """

    def __init__(
        self,
        graph: nx.Graph,
        *,
        profiles: Mapping[City, Mapping[str, object]] | None = None,
        weights: RecommendWeights | None = None,
    ) -> None:
        if graph.number_of_nodes() == 0:
            raise InvalidInput("the network is empty: no city to recommend from")
        self.graph = graph
        self.weights = weights or RecommendWeights()
        self.finder = CityFinder(graph)
        self.nodes: list[City] = sorted(graph)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        n = len(self.nodes)
        self.size = n
        edges = np.array(
            [(self.index[a], self.index[b]) for a, b in graph.edges], dtype=np.intp
        ).reshape(-1, 2)
        rows = np.concatenate((edges[:, 0], edges[:, 1]))
        cols = np.concatenate((edges[:, 1], edges[:, 0]))
        adjacency = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        adjacency.sum_duplicates()
        adjacency.sort_indices()
        self.adjacency = adjacency
        self.degree: FloatArray = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
        inverse = np.divide(1.0, self.degree, out=np.zeros(n), where=self.degree > 0)
        inverse_log = np.divide(
            1.0, np.log(np.maximum(self.degree, 1.0)), out=np.zeros(n), where=self.degree > 1
        )
        self.common = (adjacency @ adjacency).tocsr()
        self.adamic_adar = (adjacency @ sparse.diags(inverse_log) @ adjacency).tocsr()
        self.resource_allocation = (adjacency @ sparse.diags(inverse) @ adjacency).tocsr()
        self.resource_allocation_3 = (
            self.resource_allocation @ sparse.diags(inverse) @ adjacency
        ).tocsr()
        max_degree = float(self.degree.max())
        self.popularity: FloatArray = (
            np.log1p(self.degree) / math.log1p(max_degree) if max_degree > 0 else np.zeros(n)
        )

        self.countries = sorted({country for _name, country in self.nodes})
        country_index = {country: i for i, country in enumerate(self.countries)}
        self.country_index = country_index
        self.country_of: IntArray = np.array(
            [country_index[country] for _name, country in self.nodes], dtype=np.intp
        )
        c = len(self.countries)
        ends = np.zeros((c, c))
        np.add.at(ends, (self.country_of[rows], self.country_of[cols]), 1.0)
        self.country_links = ends.copy()
        self.country_links[np.diag_indices(c)] /= 2  # links, not link ends, within a country
        totals = ends.sum(axis=1)
        expected = np.outer(totals, totals)
        self.lift: FloatArray = np.divide(
            ends * totals.sum(), expected, out=np.zeros((c, c)), where=expected > 0
        )
        self.country_score: FloatArray = np.log1p(self.lift)

        self.lat = np.array([graph.nodes[node].get("lat", np.nan) for node in self.nodes])
        self.lng = np.array([graph.nodes[node].get("lng", np.nan) for node in self.nodes])
        self.located: IntArray = np.flatnonzero(~np.isnan(self.lat))
        self._tree = (
            cKDTree(_unit_vectors(self.lat[self.located], self.lng[self.located]))
            if len(self.located)
            else None
        )

        self.profiles: dict[int, _Profile] = {}
        for city, raw in (profiles or {}).items():
            if city in self.index:
                self.profiles[self.index[city]] = _parse_profile(city, raw)
        self._profiled = np.array(sorted(self.profiles), dtype=np.intp)

        self._same_name: dict[str, list[int]] = {}
        for i, (name, _country) in enumerate(self.nodes):
            self._same_name.setdefault(fold_name(name), []).append(i)
        self._country_parts = {
            country: frozenset(
                fold_name(part.split("(")[0]) for part in country.split(",") if part.strip()
            )
            for country in self.countries
        }

    # -- look-ups ---------------------------------------------------------------------------

    def find(self, query: str | City) -> City:
        """The node ``query`` names; raises ``UnknownNode`` with suggestions."""
        return self.finder.find(query)

    def aliases(self, node: int) -> list[int]:
        """Other nodes that are the same city spelt differently.

        The same name (ignoring case and accents) with countries that share a
        part: lists write "England" and "England, United Kingdom", "Georgia"
        and "Georgia (country)", "Piteşti" and "Pitești".
        """
        name, country = self.nodes[node]
        parts = self._country_parts[country]
        return [
            other
            for other in self._same_name[fold_name(name)]
            if other != node and parts & self._country_parts[self.nodes[other][1]]
        ]

    def excluded(self, node: int) -> list[int]:
        """The city, its partners, and their aliases: never recommended to ``node``."""
        known = [node, *self.partners(node).tolist()]
        return known + [alias for city in known for alias in self.aliases(city)]

    def partners(self, node: int) -> IntArray:
        """Indices of the partners of the city with index ``node``."""
        start, end = self.adjacency.indptr[node], self.adjacency.indptr[node + 1]
        return np.asarray(self.adjacency.indices[start:end], dtype=np.intp)

    # -- features ---------------------------------------------------------------------------

    def _km(self, u: int, v: int) -> float:
        """The distance between two located cities."""
        return float(
            haversine_km_many(
                float(self.lat[u]), float(self.lng[u]), self.lat[v : v + 1], self.lng[v : v + 1]
            )[0]
        )

    def _distance_row(self, u: int) -> FloatArray:
        if math.isnan(self.lat[u]):
            return np.full(self.size, np.nan)
        return haversine_km_many(float(self.lat[u]), float(self.lng[u]), self.lat, self.lng)

    def _near_row(self, u: int) -> tuple[FloatArray, IntArray]:
        """The near-partner kernel for every city, and which partner is nearest."""
        near = np.zeros(self.size)
        nearest = np.full(self.size, -1, dtype=np.intp)
        if self._tree is None:
            return near, nearest
        scale = self.weights.near_partner_scale_km
        cutoff = _NEAR_CUTOFF * scale
        chord = 2 * math.sin(min(cutoff / EARTH_RADIUS_KM, math.pi) / 2) * 1.000001
        for partner in self.partners(u):
            if math.isnan(self.lat[partner]):
                continue
            centre = _unit_vectors(self.lat[partner : partner + 1], self.lng[partner : partner + 1])
            hits = self.located[np.asarray(self._tree.query_ball_point(centre[0], chord), int)]
            if not len(hits):
                continue
            km = haversine_km_many(
                float(self.lat[partner]), float(self.lng[partner]), self.lat[hits], self.lng[hits]
            )
            kernel = np.where(km <= cutoff, np.exp(-km / scale), 0.0)
            better = kernel > near[hits]
            near[hits[better]] = kernel[better]
            nearest[hits[better]] = partner
        return near, nearest

    def _proximity(self, km: FloatArray) -> FloatArray:
        score = 1.0 - np.log1p(km / _DISTANCE_UNIT_KM) / _DISTANCE_SPAN
        return np.where(np.isnan(km), 0.0, np.clip(score, 0.0, 1.0))

    def _network_components(
        self,
        common: FloatArray,
        resource_allocation: FloatArray,
        adamic_adar: FloatArray,
        resource_allocation_3: FloatArray,
        countries: FloatArray,
        popularity: FloatArray,
        km: FloatArray,
        near: FloatArray,
    ) -> dict[str, FloatArray]:
        w = self.weights
        return {
            "common_partners": w.common_partners * np.log1p(common)
            + w.resource_allocation * resource_allocation
            + w.adamic_adar * adamic_adar,
            "partners_of_partners": w.partners_of_partners * resource_allocation_3,
            "country_ties": w.country_ties * countries,
            "popularity": w.popularity * popularity,
            "proximity": w.proximity * self._proximity(km),
            "near_partner": w.near_partner * near,
        }

    def _needs(self, u: int, needs: Iterable[str] | None) -> frozenset[str]:
        if needs is not None:
            return _tags(self.nodes[u], "needs", needs)
        profile = self.profiles.get(u)
        return profile.needs if profile is not None else frozenset()

    def _known_for(
        self, known_for: Mapping[City, Iterable[str]] | None
    ) -> dict[int, frozenset[str]]:
        """Extra tags by node index; cities not in the graph are ignored."""
        extra: dict[int, frozenset[str]] = {}
        for city, tags in (known_for or {}).items():
            v = self.index.get(city)
            if v is not None:
                extra[v] = _tags(city, "known_for", tags)
        return extra

    def _their_profile(self, v: int, extra: Mapping[int, frozenset[str]]) -> _Profile | None:
        theirs = self.profiles.get(v)
        if v not in extra:
            return theirs
        base = theirs if theirs is not None else _Profile()
        return replace(base, known_for=base.known_for | extra[v])

    def _profile_components(
        self,
        u: int,
        candidates: Iterable[int],
        needs: frozenset[str],
        extra: Mapping[int, frozenset[str]] | None = None,
    ) -> dict[int, dict[str, float]]:
        mine = self.profiles.get(u)
        w = self.weights
        extra = extra or {}
        result = {}
        for v in candidates:
            theirs = self._their_profile(int(v), extra)
            if theirs is None:
                continue
            features = _profile_features(mine, theirs, needs)
            result[int(v)] = {name: getattr(w, name) * value for name, value in features.items()}
        return result

    def components_row(
        self,
        u: int,
        *,
        needs: Iterable[str] | None = None,
        known_for: Mapping[City, Iterable[str]] | None = None,
    ) -> tuple[dict[str, FloatArray], IntArray]:
        """Every component for every city as a candidate of city ``u`` (an index).

        Also returns, per city, the index of ``u``'s nearest partner (-1 if none
        within reach), which explanations name.  ``known_for`` adds, for this
        question only, tags to what candidates are known for (see :meth:`recommend`).
        """
        n = self.size
        near, nearest = self._near_row(u)
        components = self._network_components(
            common=_dense_row(self.common, u, n),
            resource_allocation=_dense_row(self.resource_allocation, u, n),
            adamic_adar=_dense_row(self.adamic_adar, u, n),
            resource_allocation_3=_dense_row(self.resource_allocation_3, u, n),
            countries=self.country_score[self.country_of[u]][self.country_of],
            popularity=self.popularity,
            km=self._distance_row(u),
            near=near,
        )
        for name in _COMPONENTS[len(components) :]:
            components[name] = np.zeros(n)
        extra = self._known_for(known_for)
        candidates: Iterable[int] = (
            sorted(set(self._profiled.tolist()) | set(extra)) if extra else self._profiled
        )
        profiled = self._profile_components(u, candidates, self._needs(u, needs), extra)
        for v, values in profiled.items():
            for name, value in values.items():
                components[name][v] = value
        return components, nearest

    def score_row(self, u: int, *, needs: Iterable[str] | None = None) -> FloatArray:
        """The score of every city as a candidate for city ``u`` (an index)."""
        components, _nearest = self.components_row(u, needs=needs)
        return _total(components)

    def score_pairs(self, us: Sequence[int] | IntArray, vs: Sequence[int] | IntArray) -> FloatArray:
        """Scores of many pairs ``(us[i], vs[i])`` of indices at once.

        The same formula as :meth:`score_row` (with the learning needs of the
        cities' own profiles); used to sample AUC.
        """
        u_arr = np.asarray(us, dtype=np.intp)
        v_arr = np.asarray(vs, dtype=np.intp)
        if u_arr.shape != v_arr.shape:
            raise InvalidInput("us and vs differ in length")

        def pick(matrix: Any) -> FloatArray:
            return np.asarray(matrix[u_arr, v_arr], dtype=np.float64).ravel()

        km = np.full(len(u_arr), np.nan)
        near = np.zeros(len(u_arr))
        scale = self.weights.near_partner_scale_km
        for i, (u, v) in enumerate(zip(u_arr.tolist(), v_arr.tolist(), strict=True)):
            if math.isnan(self.lat[v]):
                continue
            if not math.isnan(self.lat[u]):
                km[i] = self._km(u, v)
            partners = self.partners(u)
            partners = partners[~np.isnan(self.lat[partners])]
            if len(partners):
                to_partners = haversine_km_many(
                    float(self.lat[v]), float(self.lng[v]), self.lat[partners], self.lng[partners]
                )
                closest = float(to_partners.min())
                if closest <= _NEAR_CUTOFF * scale:
                    near[i] = math.exp(-closest / scale)
        components = self._network_components(
            common=pick(self.common),
            resource_allocation=pick(self.resource_allocation),
            adamic_adar=pick(self.adamic_adar),
            resource_allocation_3=pick(self.resource_allocation_3),
            countries=self.country_score[self.country_of[u_arr], self.country_of[v_arr]],
            popularity=self.popularity[v_arr],
            km=km,
            near=near,
        )
        scores = _total(components)
        for i, (u, v) in enumerate(zip(u_arr.tolist(), v_arr.tolist(), strict=True)):
            extra = self._profile_components(u, [v], self._needs(u, None)).get(v)
            if extra:
                scores[i] += sum(extra.values())
        return scores

    # -- recommendations ----------------------------------------------------------------

    def recommend(
        self,
        city: str | City,
        *,
        k: int = 10,
        needs: Iterable[str] | None = None,
        exclude_countries: Collection[str] = (),
        known_for: Mapping[City, Iterable[str]] | None = None,
    ) -> list[Recommendation]:
        """The ``k`` best new partners for ``city``, best first.

        Never the city itself nor one of its partners, nor another spelling
        of them (:meth:`aliases`), nor a city of ``exclude_countries`` (the
        caller's rules, e.g. countries a law rules out).  ``needs`` (tags)
        replaces the learning needs of the city's profile.  ``known_for``
        (city → tags) adds to what candidates are known for in this question
        only: what one user's records say a city can teach, which the shared
        profiles do not hold.

        Raises
        ------
        UnknownNode
            If ``city`` is not in the graph (with the closest names).
        InvalidInput
            If ``k`` is below 1.
        """
        if k < 1:
            raise InvalidInput(f"k must be at least 1, not {k}")
        node = self.find(city)
        u = self.index[node]
        components, nearest = self.components_row(u, needs=needs, known_for=known_for)
        scores = _total(components)
        excluded = self.excluded(u)
        if exclude_countries:
            codes = [self.country_index[c] for c in exclude_countries if c in self.country_index]
            excluded += np.flatnonzero(np.isin(self.country_of, codes)).tolist()
        top = top_k(scores, k, exclude=excluded)
        wanted = self._needs(u, needs)
        extra = self._known_for(known_for)
        return [
            self._explain(u, int(v), float(scores[v]), components, nearest, wanted, extra)
            for v in top
        ]

    def _explain(
        self,
        u: int,
        v: int,
        score: float,
        components: Mapping[str, FloatArray],
        nearest: IntArray,
        needs: frozenset[str],
        extra: Mapping[int, frozenset[str]] | None = None,
    ) -> Recommendation:
        contributions = {name: float(components[name][v]) for name in _COMPONENTS}
        strongest = max(contributions.values(), default=0.0)
        ranked = sorted(
            (name for name, value in contributions.items() if value > 0),
            key=lambda name: (-contributions[name], _COMPONENTS.index(name)),
        )
        chosen = [name for name in ranked if contributions[name] >= _EXPLAIN_SHARE * strongest]
        if len(chosen) > 1 and self.degree[v] < _EXPLAIN_POPULAR:
            # Every city has partners; only many of them is a reason worth reading.
            chosen = [name for name in chosen if name != "popularity"]
        reasons = tuple(
            self._reason(name, u, v, nearest, needs, extra or {}) for name in chosen[:_EXPLAIN_MAX]
        )
        name, country = self.nodes[v]
        return Recommendation(name, country, score, contributions, reasons)

    def _reason(
        self,
        code: str,
        u: int,
        v: int,
        nearest: IntArray,
        needs: frozenset[str],
        extra: Mapping[int, frozenset[str]],
    ) -> Reason:
        me = self.nodes[u][0]
        if code == "common_partners":
            shared = sorted(set(self.partners(u).tolist()) & set(self.partners(v).tolist()))
            names = [self.nodes[z][0] for z in shared]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            noun = "partner" if len(names) == 1 else "partners"
            params: dict[str, Any] = {"count": len(names), "city": me, "partners": names}
            return Reason(code, params, f"shares {len(names)} {noun} with {me}: {shown}")
        if code == "partners_of_partners":
            second = set()
            for partner in self.partners(u).tolist():
                second.update(self.partners(partner).tolist())
            second.discard(u)
            count = len(second & set(self.partners(v).tolist()))
            verb = "is" if count == 1 else "are"
            return Reason(
                code,
                {"count": count, "city": me},
                f"{count} of its partners {verb} twinned with {me}'s partners",
            )
        if code == "country_ties":
            a, b = self.country_of[u], self.country_of[v]
            links = int(self.country_links[a, b])
            mine, theirs = self.countries[a], self.countries[b]
            noun = "link" if links == 1 else "links"
            where = f"within {mine}" if a == b else f"between {mine} and {theirs}"
            return Reason(
                code,
                {"links": links, "country": mine, "other_country": theirs},
                f"{links} {noun} {where}",
            )
        if code == "popularity":
            degree = int(self.degree[v])
            noun = "partner" if degree == 1 else "partners"
            return Reason(code, {"partners": degree}, f"well connected: {degree} {noun}")
        if code == "proximity":
            km = round(self._km(u, v))
            return Reason(code, {"km": km}, f"{km:,} km away")
        if code == "near_partner":
            partner = int(nearest[v])
            km = round(self._km(partner, v))
            name = self.nodes[partner][0]
            return Reason(
                code,
                {"km": km, "partner": name, "city": me},
                f"{km:,} km from {name}, a partner of {me}",
            )
        return self._profile_reason(code, u, v, needs, extra)

    def _profile_reason(
        self, code: str, u: int, v: int, needs: frozenset[str], extra: Mapping[int, frozenset[str]]
    ) -> Reason:
        theirs = self._their_profile(v, extra)
        assert theirs is not None  # noqa: S101 (a profile component scored above 0)
        mine = self.profiles.get(u, _Profile())
        if code == "size":
            same = mine.size_class == theirs.size_class
            return Reason(
                code,
                {"size_class": theirs.size_class, "same": same},
                "similar size" if same else "comparable size",
            )
        if code == "status":
            status = theirs.status or ""
            return Reason(code, {"status": status}, f"same status: {status.replace('_', ' ')}")
        if code == "function":
            shared = sorted(mine.functions & theirs.functions)
            flags = [f"{flag} city" for flag in _FLAGS if flag in shared]
            others = [tag.replace("_", " ") for tag in shared if tag not in _FLAGS]
            parts = flags + ([f"shared functions: {', '.join(others)}"] if others else [])
            return Reason(code, {"shared": shared}, "; ".join(parts))
        if code == "problems":
            shared = sorted(mine.problems & theirs.problems)
            words = ", ".join(tag.replace("_", " ") for tag in shared)
            return Reason(code, {"shared": shared}, f"similar problems: {words}")
        if code == "know_how":
            tags = sorted(needs & theirs.known_for)
            return Reason(
                code,
                {"tags": tags},
                f"known for {', '.join(tag.replace('_', ' ') for tag in tags)}",
            )
        return Reason(code, {}, "complementary economy")


def _total(components: Mapping[str, FloatArray]) -> FloatArray:
    total = np.zeros_like(next(iter(components.values())))
    for name in _COMPONENTS:
        if name in components:
            total = total + components[name]
    return total


def top_k(scores: FloatArray, k: int, *, exclude: Iterable[int] = ()) -> list[int]:
    """Indices of the ``k`` highest scores; ties to the lower index.

    Nodes are indexed in (name, country) order, so ties go by name, then country.

    Examples
    --------
    >>> top_k(np.array([0.5, 0.9, 0.5, 0.1]), 2, exclude=[1])
    [0, 2]
    """
    masked = np.array(scores, dtype=np.float64)
    masked[list(exclude)] = -np.inf
    candidates = np.flatnonzero(np.isfinite(masked))
    if len(candidates) > k:
        threshold = -np.partition(-masked[candidates], k - 1)[k - 1]
        candidates = candidates[masked[candidates] >= threshold]
    order = np.lexsort((candidates, -masked[candidates]))
    return [int(i) for i in candidates[order][:k]]


def recommend_partners(
    graph: nx.Graph,
    city: str | City,
    *,
    k: int = 10,
    profiles: Mapping[City, Mapping[str, object]] | None = None,
    needs: Iterable[str] | None = None,
    weights: RecommendWeights | None = None,
) -> list[Recommendation]:
    """The ``k`` best new partners for ``city``; see :class:`Recommender`.

    Builds the recommender each call; keep a :class:`Recommender` for many cities.

    Examples
    --------
    With profiles, learning needs and a profile match count:

    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("Semarang", "Indonesia", "Brisbane", "Australia"),
    ...                  ("Rotterdam", "Netherlands", "Brisbane", "Australia"),
    ...                  ("Lyon", "France", "Brisbane", "Australia")])
    >>> profiles = {("Rotterdam", "Netherlands"): {"port": True, "known_for": ["flood_control"]},
    ...             ("Semarang", "Indonesia"): {"port": True}}
    >>> best = recommend_partners(g, "Semarang", profiles=profiles, needs=["flood_control"])
    >>> [r.city for r in best], best[0].explanation
    (['Rotterdam', 'Lyon'],
     'shares 1 partner with Semarang: Brisbane; known for flood control; port city')
    """
    return Recommender(graph, profiles=profiles, weights=weights).recommend(city, k=k, needs=needs)


# --- Evaluation --------------------------------------------------------------------------------


def precision_at_k(ranked: Sequence[object], relevant: Collection[object], k: int) -> float:
    """The share of the first ``k`` recommendations that are relevant.

    Notes
    -----
    :math:`P@k = |R_k \\cap T| / k`, *R_k* the top *k*, *T* the relevant items
    (a list shorter than *k* still divides by *k*).

    References
    ----------
    C. D. Manning, P. Raghavan and H. Schütze, *Introduction to Information
    Retrieval*, Cambridge University Press (2008), §8.4.

    Examples
    --------
    >>> precision_at_k(["a", "b", "c", "d"], {"b", "d"}, 2)
    0.5
    """
    if k < 1:
        raise InvalidInput(f"k must be at least 1, not {k}")
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at_k(ranked: Sequence[object], relevant: Collection[object], k: int) -> float:
    """The share of the relevant items found in the first ``k`` recommendations.

    Notes
    -----
    :math:`R@k = |R_k \\cap T| / |T|`.

    References
    ----------
    C. D. Manning, P. Raghavan and H. Schütze, *Introduction to Information
    Retrieval*, Cambridge University Press (2008), §8.3.

    Examples
    --------
    >>> recall_at_k(["a", "b", "c", "d"], {"b", "d", "e"}, 2)
    0.3333333333333333
    """
    if k < 1:
        raise InvalidInput(f"k must be at least 1, not {k}")
    if not relevant:
        raise InvalidInput("recall needs at least one relevant item")
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def average_precision(ranked: Sequence[object], relevant: Collection[object], k: int) -> float:
    """Average precision at cut-off ``k``.

    Notes
    -----
    .. math:: AP@k = \\frac{1}{\\min(|T|, k)} \\sum_{i=1}^{k} P@i \\cdot [r_i \\in T]

    The mean over cities is MAP.

    References
    ----------
    C. D. Manning, P. Raghavan and H. Schütze, *Introduction to Information
    Retrieval*, Cambridge University Press (2008), §8.4.

    Examples
    --------
    >>> average_precision(["a", "b", "c", "d"], {"b", "d"}, 4)
    0.5
    """
    if k < 1:
        raise InvalidInput(f"k must be at least 1, not {k}")
    if not relevant:
        raise InvalidInput("average precision needs at least one relevant item")
    hits = 0
    total = 0.0
    for position, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / position
    return total / min(len(relevant), k)


def sampled_auc(
    positive_scores: Sequence[float] | FloatArray, negative_scores: Sequence[float] | FloatArray
) -> float:
    """AUC from sampled comparisons: the *i*-th positive against the *i*-th negative.

    Notes
    -----
    .. math:: AUC = \\frac{n' + 0.5\\,n''}{n}

    over *n* comparisons of a held-out link's score with a non-link's, *n'*
    of them higher and *n''* equal.

    References
    ----------
    L. Lü and T. Zhou, "Link prediction in complex networks: a survey",
    Physica A 390(6), 1150–1170 (2011), §2.

    Examples
    --------
    >>> sampled_auc([0.9, 0.4], [0.5, 0.4])
    0.75
    """
    pos = np.asarray(positive_scores, dtype=np.float64)
    neg = np.asarray(negative_scores, dtype=np.float64)
    if pos.shape != neg.shape or pos.ndim != 1 or not len(pos):
        raise InvalidInput("AUC needs as many negative as positive scores, at least one")
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def hide_links(
    graph: nx.Graph, *, holdout: float, seed: int
) -> tuple[nx.Graph, list[tuple[City, City]]]:
    """Split the links into a training graph and hidden (held-out) links.

    Notes
    -----
    The links, each as its two cities in sorted order and sorted, are
    shuffled with ``numpy.random.default_rng(seed)``; in that order a link is
    hidden when both its cities still have at least two links in the
    training graph (so each keeps at least one and can be recommended for),
    until ``round(holdout × links)`` are hidden or none is left.  Every city
    stays in the training graph.

    References
    ----------
    L. Lü and T. Zhou, "Link prediction in complex networks: a survey",
    Physica A 390(6), 1150–1170 (2011), §2.

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("A", "X", "B", "X"), ("B", "X", "C", "X"), ("A", "X", "C", "X")])
    >>> train, hidden = hide_links(g, holdout=0.34, seed=1)
    >>> train.number_of_edges(), len(hidden), train.number_of_nodes()
    (2, 1, 3)
    """
    if not 0.0 < holdout < 1.0:
        raise InvalidInput(f"holdout must be between 0 and 1, not {holdout!r}")
    edges = sorted((a, b) if a <= b else (b, a) for a, b in graph.edges)
    degree = dict(graph.degree)
    target = round(holdout * len(edges))
    hidden: list[tuple[City, City]] = []
    for position in np.random.default_rng(seed).permutation(len(edges)).tolist():
        if len(hidden) >= target:
            break
        a, b = edges[position]
        if degree[a] >= 2 and degree[b] >= 2:
            degree[a] -= 1
            degree[b] -= 1
            hidden.append((a, b))
    training = graph.copy()
    training.remove_edges_from(hidden)
    return training, sorted(hidden)


@dataclass(frozen=True, slots=True)
class MethodScores:
    """The four metrics of one method."""

    precision_at_10: float
    recall_at_50: float
    map: float
    auc: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The protocol and the result of :func:`evaluate_recommenders`."""

    holdout: float
    seed: int
    links: int
    hidden: int
    cities: int
    auc_samples: int
    methods: dict[str, MethodScores] = field(default_factory=dict)


def _sample_non_links(
    graph: nx.Graph, nodes: Sequence[City], count: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    us: list[int] = []
    vs: list[int] = []
    n = len(nodes)
    if n * (n - 1) // 2 <= graph.number_of_edges():
        raise InvalidInput("the network is complete: there is no non-link to compare with")
    while len(us) < count:
        pairs = rng.integers(n, size=(count, 2)).tolist()
        for a, b in pairs:
            if a != b and not graph.has_edge(nodes[a], nodes[b]):
                us.append(a)
                vs.append(b)
                if len(us) == count:
                    break
    return np.array(us, dtype=np.intp), np.array(vs, dtype=np.intp)


def evaluate_recommenders(
    graph: nx.Graph,
    *,
    holdout: float = 0.1,
    seed: int = 42,
    weights: RecommendWeights | None = None,
    auc_samples: int = 10_000,
) -> Evaluation:
    """How well Kembar's recommender and three baselines predict hidden links.

    Parameters
    ----------
    graph : networkx.Graph
        The full network (with coordinates where known).
    holdout : float
        Share of the links to hide (see :func:`hide_links`).
    seed : int
        Seeds the hiding, the random baseline and the AUC samples.
    weights : RecommendWeights, optional
        Kembar's weights (the defaults otherwise).
    auc_samples : int
        Comparisons in the sampled AUC.

    Returns
    -------
    Evaluation
        Per method of :data:`METHODS`: precision@10, recall@50, MAP and AUC.

    Notes
    -----
    Each method ranks, for every city with at least one hidden link, all
    cities of the training graph except the city, its training partners and
    their aliases (:meth:`Recommender.excluded`);
    a hidden link counts for both its cities.  Per city, P@10, R@50 and AP
    with cut-off 50 (:func:`average_precision`); the table reports their
    means over the cities (MAP is the mean AP).  AUC compares, ``auc_samples``
    times, the score of a hidden link (drawn uniformly, in a random
    direction) with that of a pair of distinct cities drawn uniformly that is
    not linked in the full network (:func:`sampled_auc`).

    The methods: ``kembar`` (:class:`Recommender`, links only);
    ``random`` (uniform random scores); ``popularity`` (preferential
    attachment: the candidate's degree for rankings, :math:`k_u k_v` for
    AUC); ``adamic_adar`` (:func:`adamic_adar`).  Ties in rankings go to
    name, then country.

    References
    ----------
    L. Lü and T. Zhou, "Link prediction in complex networks: a survey",
    Physica A 390(6), 1150–1170 (2011).

    Examples
    --------
    >>> from kembar.analytics.network import build_graph
    >>> g = build_graph([("A", "X", "B", "X"), ("B", "X", "C", "X"), ("A", "X", "C", "X"),
    ...                  ("C", "X", "D", "Y"), ("D", "Y", "E", "Y"), ("E", "Y", "F", "Y"),
    ...                  ("D", "Y", "F", "Y")])
    >>> result = evaluate_recommenders(g, holdout=0.3, seed=3, auc_samples=100)
    >>> result.hidden, result.cities, sorted(result.methods)
    (2, 4, ['adamic_adar', 'kembar', 'popularity', 'random'])
    """
    if auc_samples < 1:
        raise InvalidInput(f"auc_samples must be at least 1, not {auc_samples}")
    if graph.number_of_edges() == 0:
        raise InvalidInput("the network has no link to hide")
    training, hidden = hide_links(graph, holdout=holdout, seed=seed)
    if not hidden:
        raise InvalidInput("no link can be hidden: every link ends at a city with only that link")
    recommender = Recommender(training, weights=weights)
    index = recommender.index
    n = recommender.size
    held: dict[int, set[int]] = {}
    for a, b in hidden:
        held.setdefault(index[a], set()).add(index[b])
        held.setdefault(index[b], set()).add(index[a])
    cities = sorted(held)
    rng = np.random.default_rng([seed, 1])

    def rows(method: str, u: int) -> FloatArray:
        if method == "kembar":
            return recommender.score_row(u)
        if method == "random":
            return rng.random(n)
        if method == "popularity":
            return recommender.degree
        return _dense_row(recommender.adamic_adar, u, n)

    sums = {method: np.zeros(3) for method in METHODS}
    for u in cities:
        exclude = recommender.excluded(u)
        relevant = held[u]
        for method in METHODS:
            ranked = top_k(rows(method, u), 50, exclude=exclude)
            sums[method] += (
                precision_at_k(ranked, relevant, 10),
                recall_at_k(ranked, relevant, 50),
                average_precision(ranked, relevant, 50),
            )

    sampler = np.random.default_rng([seed, 2])
    picks = sampler.integers(len(hidden), size=auc_samples)
    flips = sampler.integers(2, size=auc_samples).astype(bool)
    pos_u = np.array([index[hidden[i][0]] for i in picks.tolist()], dtype=np.intp)
    pos_v = np.array([index[hidden[i][1]] for i in picks.tolist()], dtype=np.intp)
    pos_u, pos_v = np.where(flips, pos_v, pos_u), np.where(flips, pos_u, pos_v)
    neg_u, neg_v = _sample_non_links(graph, recommender.nodes, auc_samples, sampler)
    degree = recommender.degree
    pair_scores = {
        "kembar": (
            recommender.score_pairs(pos_u, pos_v),
            recommender.score_pairs(neg_u, neg_v),
        ),
        "random": (sampler.random(auc_samples), sampler.random(auc_samples)),
        "popularity": (degree[pos_u] * degree[pos_v], degree[neg_u] * degree[neg_v]),
        "adamic_adar": (
            np.asarray(recommender.adamic_adar[pos_u, pos_v], dtype=np.float64).ravel(),
            np.asarray(recommender.adamic_adar[neg_u, neg_v], dtype=np.float64).ravel(),
        ),
    }
    count = len(cities)
    methods = {
        method: MethodScores(
            precision_at_10=float(sums[method][0] / count),
            recall_at_50=float(sums[method][1] / count),
            map=float(sums[method][2] / count),
            auc=sampled_auc(*pair_scores[method]),
        )
        for method in METHODS
    }
    return Evaluation(
        holdout=holdout,
        seed=seed,
        links=graph.number_of_edges(),
        hidden=len(hidden),
        cities=count,
        auc_samples=auc_samples,
        methods=methods,
    )
