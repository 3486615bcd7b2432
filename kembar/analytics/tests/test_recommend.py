from __future__ import annotations

import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest

from kembar.analytics.exceptions import InvalidInput, UnknownNode
from kembar.analytics.geodesy import haversine_km
from kembar.analytics.network import Link, build_graph
from kembar.analytics.recommend import (
    METHODS,
    Reason,
    Recommender,
    RecommendWeights,
    adamic_adar,
    average_precision,
    common_partners,
    evaluate_recommenders,
    hide_links,
    precision_at_k,
    recall_at_k,
    recommend_partners,
    resource_allocation,
    sampled_auc,
    size_class,
    top_k,
)
from kembar.analytics.tests.test_network import (
    BRISBANE,
    CHONGQING,
    FUZHOU,
    KOBE,
    LINKS,
    SEATTLE,
    SEMARANG,
    TACOMA,
)

W = RecommendWeights()


@pytest.fixture
def graph() -> nx.Graph:
    return build_graph(LINKS)


# --- Pairwise indices ---------------------------------------------------------------------------


def test_common_partners(graph: nx.Graph) -> None:
    assert common_partners(graph, SEMARANG, KOBE) == [BRISBANE, FUZHOU]
    assert common_partners(graph, SEMARANG, SEATTLE) == []


@pytest.mark.parametrize(
    ("candidate", "shared_degrees"),
    [(KOBE, [3, 2]), (CHONGQING, [3]), (TACOMA, [2]), (SEATTLE, [])],
)
def test_adamic_adar_and_resource_allocation(
    graph: nx.Graph, candidate: tuple[str, str], shared_degrees: list[int]
) -> None:
    assert adamic_adar(graph, SEMARANG, candidate) == pytest.approx(
        sum(1 / math.log(k) for k in shared_degrees), rel=1e-15
    )
    assert Fraction(resource_allocation(graph, SEMARANG, candidate)).limit_denominator(100) == sum(
        (Fraction(1, k) for k in shared_degrees), Fraction(0)
    )


def test_kobe_scores_exactly(graph: nx.Graph) -> None:
    # Brisbane has 3 partners and Fuzhou 2.
    assert adamic_adar(graph, SEMARANG, KOBE) == pytest.approx(1 / math.log(3) + 1 / math.log(2))
    assert resource_allocation(graph, SEMARANG, KOBE) == pytest.approx(5 / 6)


def test_pairwise_indices_need_nodes_of_the_graph(graph: nx.Graph) -> None:
    with pytest.raises(InvalidInput, match="Nowhere, Atlantis is not in the graph"):
        adamic_adar(graph, SEMARANG, ("Nowhere", "Atlantis"))


def test_the_recommender_matrices_agree_with_the_pairwise_functions(graph: nx.Graph) -> None:
    recommender = Recommender(graph)
    u = recommender.index[SEMARANG]
    for node in graph:
        v = recommender.index[node]
        if node == SEMARANG or graph.has_edge(SEMARANG, node):
            continue
        assert recommender.adamic_adar[u, v] == pytest.approx(adamic_adar(graph, SEMARANG, node))
        assert recommender.resource_allocation[u, v] == pytest.approx(
            resource_allocation(graph, SEMARANG, node)
        )
        assert recommender.common[u, v] == len(common_partners(graph, SEMARANG, node))


# --- Recommendations on the hand-made graph -----------------------------------------------------

# Degrees: Semarang, Brisbane, Kobe 3; Fuzhou, Beihai 2; Chongqing, Tacoma, Seattle 1.
POP = {1: math.log(2) / math.log(4), 3: 1.0}
# Link ends per country: Australia 3, China 5, Indonesia 3, Japan 3, United States 2; 8 links.
LIFT_INDONESIA_CHINA = 16 * 2 / (3 * 5)
EXPECTED = {
    KOBE: W.common_partners * math.log(3) + W.resource_allocation * 5 / 6 + W.popularity,
    # Seattle is three links away: Semarang-Brisbane-Kobe-Seattle and Semarang-Fuzhou-Kobe-Seattle.
    SEATTLE: W.partners_of_partners * (1 / (3 * 3) + 1 / (2 * 3)) + W.popularity * POP[1],
    TACOMA: W.common_partners * math.log(2) + W.resource_allocation / 2 + W.popularity * POP[1],
    CHONGQING: W.common_partners * math.log(2)
    + W.resource_allocation / 3
    + W.country_ties * math.log1p(LIFT_INDONESIA_CHINA)
    + W.popularity * POP[1],
}


def test_recommendations_order_scores_and_explanations(graph: nx.Graph) -> None:
    recommendations = Recommender(graph).recommend("Semarang, Indonesia", k=10)
    assert [r.node for r in recommendations] == [KOBE, SEATTLE, TACOMA, CHONGQING]
    for recommendation in recommendations:
        assert recommendation.score == pytest.approx(EXPECTED[recommendation.node], rel=1e-12)
        assert sum(recommendation.components.values()) == pytest.approx(recommendation.score)
    assert [r.explanation for r in recommendations] == [
        "shares 2 partners with Semarang: Brisbane, Fuzhou",
        "1 of its partners is twinned with Semarang's partners",
        "shares 1 partner with Semarang: Beihai",
        "shares 1 partner with Semarang: Brisbane; 2 links between Indonesia and China",
    ]
    assert recommendations[3].reasons == (
        Reason(
            "common_partners",
            {"count": 1, "city": "Semarang", "partners": ["Brisbane"]},
            "shares 1 partner with Semarang: Brisbane",
        ),
        Reason(
            "country_ties",
            {"links": 2, "country": "Indonesia", "other_country": "China"},
            "2 links between Indonesia and China",
        ),
    )


def test_k_cuts_the_list(graph: nx.Graph) -> None:
    assert [r.city for r in recommend_partners(graph, "Semarang", k=2)] == ["Kobe", "Seattle"]


@pytest.mark.parametrize("city", sorted(build_graph(LINKS)))
def test_never_the_city_itself_nor_an_existing_partner(
    graph: nx.Graph, city: tuple[str, str]
) -> None:
    recommended = {r.node for r in Recommender(graph).recommend(city, k=100)}
    assert city not in recommended
    assert not recommended & set(graph.adj[city])
    assert recommended == set(graph) - {city} - set(graph.adj[city])


def test_other_spellings_of_the_city_and_its_partners_are_not_recommended() -> None:
    graph = build_graph(
        [
            ("Leeds", "England, United Kingdom", "Lille", "France"),
            ("Leeds", "England", "Lille", "France"),
            ("Lille", "France", "Batumi", "Georgia"),
            ("Lille", "Belgium", "Batumi", "Georgia (country)"),
            ("Liile", "France", "Cologne", "Germany"),
        ]
    )
    recommender = Recommender(graph)
    leeds = {r.node for r in recommender.recommend("Leeds, England", k=10)}
    assert leeds == {
        ("Batumi", "Georgia"),
        ("Batumi", "Georgia (country)"),
        ("Cologne", "Germany"),
        ("Liile", "France"),
        ("Lille", "Belgium"),
    }
    batumi = {r.node for r in recommender.recommend("Batumi, Georgia", k=10)}
    assert batumi == {
        ("Cologne", "Germany"),
        ("Leeds", "England"),
        ("Leeds", "England, United Kingdom"),
        ("Liile", "France"),
        ("Lille", "Belgium"),
    }


def test_ties_go_by_name_then_country() -> None:
    graph = build_graph(
        [
            ("Hub", "X", "Zeta", "Y"),
            ("Hub", "X", "Alpha", "Z"),
            ("Hub", "X", "Alpha", "Y"),
            ("Hub", "X", "Me", "W"),
        ]
    )
    recommended = [r.node for r in Recommender(graph).recommend("Me", k=3)]
    assert recommended == [("Alpha", "Y"), ("Alpha", "Z"), ("Zeta", "Y")]
    assert top_k(np.array([1.0, 2.0, 2.0, 0.5]), 2) == [1, 2]
    assert top_k(np.array([1.0, 2.0, 2.0, 0.5]), 9, exclude=[2]) == [1, 0, 3]


def test_distance_and_nearness_to_a_partner() -> None:
    graph = build_graph(
        [
            Link("Alpha", "X", "Beta", "Y", 0.0, 0.0, 0.0, 10.0),
            Link("Gamma", "Z", "Delta", "Z", 0.0, 10.2, 40.0, 40.0),
        ]
    )
    recommender = Recommender(graph)
    [gamma, delta] = recommender.recommend("Alpha", k=2)
    far, near = haversine_km(0.0, 0.0, 0.0, 10.2), haversine_km(0.0, 10.0, 0.0, 10.2)
    proximity = 1 - math.log1p(far / 100) / math.log(201)
    assert gamma.components["proximity"] == pytest.approx(W.proximity * proximity)
    assert gamma.components["near_partner"] == pytest.approx(
        W.near_partner * math.exp(-near / W.near_partner_scale_km)
    )
    # Popularity (every city has one partner) is not worth naming.
    assert gamma.explanation == f"{round(near)} km from Beta, a partner of Alpha; 1,134 km away"
    far_first = Recommender(graph, weights=RecommendWeights(proximity=100.0))
    assert far_first.recommend("Alpha", k=1)[0].reasons[0] == Reason(
        "proximity", {"km": 1134}, "1,134 km away"
    )
    assert delta.node == ("Delta", "Z")
    assert delta.components["near_partner"] == 0.0  # over 4 × 37.5 km from Beta
    u = [recommender.index[("Alpha", "X")]] * 2
    v = [recommender.index[gamma.node], recommender.index[delta.node]]
    assert recommender.score_pairs(u, v).tolist() == pytest.approx([gamma.score, delta.score])


def test_pair_scores_match_the_ranking(graph: nx.Graph) -> None:
    recommender = Recommender(graph)
    u = recommender.index[SEMARANG]
    row = recommender.score_row(u)
    pairs = recommender.score_pairs([u] * recommender.size, list(range(recommender.size)))
    assert pairs.tolist() == pytest.approx(row.tolist())


# --- Profiles and learning needs ----------------------------------------------------------------

PROFILES: dict[tuple[str, str], dict[str, object]] = {
    ("Semarang", "Indonesia"): {
        "population": 1_650_000,
        "status": "provincial_capital",
        "port": True,
        "coastal": True,
        "functions": ["trade", "industry"],
        "problems": ["flooding", "land_subsidence"],
        "economy": {"industry": 0.4, "trade": 0.3, "services": 0.3},
        "needs": ["smart_city"],
    },
    ("Rotterdam", "Netherlands"): {
        "population": 650_000,
        "status": "municipality",
        "port": True,
        "coastal": True,
        "functions": ["trade", "logistics"],
        "problems": ["flooding", "land_subsidence"],
        "known_for": ["flood_control", "port_logistics"],
        "economy": {"logistics": 5, "services": 5},
    },
    ("Lyon", "France"): {
        "size_class": "large",
        "functions": ["industry"],
        "known_for": ["tourism"],
    },
    ("Nowhere", "Atlantis"): {"population": 1},  # not in the graph: ignored
}
PROFILE_LINKS = [
    ("Semarang", "Indonesia", "Brisbane", "Australia"),
    ("Rotterdam", "Netherlands", "Brisbane", "Australia"),
    ("Lyon", "France", "Brisbane", "Australia"),
]


def test_profiles_and_learning_needs_add_components() -> None:
    graph = build_graph(PROFILE_LINKS)
    # One common partner (Brisbane, 3 partners); every candidate has 1 partner of at most 3.
    shared = W.common_partners * math.log(2) + W.resource_allocation / 3
    network = shared + W.popularity * math.log(2) / math.log(4)
    rotterdam, lyon = recommend_partners(
        graph, "Semarang", profiles=PROFILES, needs=["flood_control", "land_subsidence"]
    )
    assert rotterdam.node == ("Rotterdam", "Netherlands")
    assert {name: v for name, v in rotterdam.components.items() if v} == pytest.approx(
        {
            "common_partners": shared,
            "popularity": W.popularity / 2,
            "know_how": W.know_how * 0.5,  # one of two needs
            "size": W.size * 0.5,  # large next to metropolitan
            "function": W.function * 3 / 5,  # trade, port, coastal of five
            "problems": W.problems * 1.0,
            "complementarity": W.complementarity * 0.7,  # (0.4 + 0.3 + 0.2 + 0.5) / 2
        }
    )
    assert rotterdam.score == pytest.approx(network + 2 + 0.5 + 0.6 + 1 + 0.7)  # default weights
    assert rotterdam.explanation == (
        "shares 1 partner with Semarang: Brisbane; known for flood control; "
        "similar problems: flooding, land subsidence; complementary economy"
    )
    assert rotterdam.reasons[1] == Reason(
        "know_how", {"tags": ["flood_control"]}, "known for flood control"
    )
    assert lyon.score == pytest.approx(network + 0.5 + 1 / 4)  # size, function


def test_the_needs_of_the_profile_apply_when_none_are_given() -> None:
    graph = build_graph(PROFILE_LINKS)
    best = recommend_partners(graph, "Semarang", profiles=PROFILES)
    assert [r.city for r in best] == ["Rotterdam", "Lyon"]
    assert best[1].components["know_how"] == 0.0
    learning = recommend_partners(graph, "Semarang", profiles=PROFILES, needs=["tourism"])
    assert [r.city for r in learning] == ["Lyon", "Rotterdam"]
    # Lyon's size (0.5) is under a tenth of the common partner's contribution.
    assert learning[0].explanation == "shares 1 partner with Semarang: Brisbane; known for tourism"


def test_known_for_adds_to_one_question_only() -> None:
    """What one region's records say a city teaches lifts it for that question, not the profiles."""
    graph = build_graph(PROFILE_LINKS)
    recommender = Recommender(graph, profiles=PROFILES)
    extra = {("Lyon", "France"): ["flood_control"], ("Nowhere", "Atlantis"): ["tourism"]}

    lifted = recommender.recommend("Semarang", needs=["flood_control"], known_for=extra)
    plain = recommender.recommend("Semarang", needs=["flood_control"])

    assert [r.city for r in plain] == ["Rotterdam", "Lyon"]
    assert plain[1].components["know_how"] == 0.0
    assert [r.components["know_how"] for r in lifted] == [W.know_how, W.know_how]
    assert lifted[1].city == "Lyon"
    assert lifted[1].reasons[1] == Reason(
        "know_how", {"tags": ["flood_control"]}, "known for flood control"
    )
    # A city without a profile gets one for the question; the shared profiles are unchanged.
    bare = Recommender(graph)
    lyon = {("Lyon", "France"): ["tourism"]}
    only = bare.recommend("Semarang", needs=["tourism"], known_for=lyon)
    assert (only[0].city, only[0].components["know_how"]) == ("Lyon", W.know_how)
    assert recommender.recommend("Semarang", needs=["flood_control"]) == plain


def test_function_and_status_reasons() -> None:
    graph = build_graph(PROFILE_LINKS)
    weights = RecommendWeights(function=100.0, status=50.0)
    profiles = {**PROFILES, ("Lyon", "France"): {"status": "provincial_capital", "port": True}}
    lyon, rotterdam = recommend_partners(graph, "Semarang", profiles=profiles, weights=weights)
    # Lyon: status 50 + function 100 × 1/4; Rotterdam: function 100 × 3/5.
    assert (lyon.city, rotterdam.city) == ("Lyon", "Rotterdam")
    assert rotterdam.reasons[0] == Reason(
        "function",
        {"shared": ["coastal", "port", "trade"]},
        "port city; coastal city; shared functions: trade",
    )
    assert lyon.explanation.startswith("same status: provincial capital; port city")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"poulation": 5}, "unknown key\\(s\\) poulation"),
        ({"size_class": "huge"}, "size_class 'huge' is not one of small, medium"),
        ({"problems": "flooding"}, "problems must be a list of tags"),
        ({"economy": {"trade": -1}}, "economy shares must be ≥ 0"),
        ({"population": "many"}, "population must be a number"),
    ],
)
def test_bad_profiles_are_refused(profile: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Recommender(build_graph(PROFILE_LINKS), profiles={("Lyon", "France"): profile})


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, "small"),
        (99_999, "small"),
        (100_000, "medium"),
        (500_000, "large"),
        (1e6, "metropolitan"),
    ],
)
def test_size_class(population: float, expected: str) -> None:
    assert size_class(population) == expected


# --- Errors -------------------------------------------------------------------------------------


def test_unknown_city_suggests(graph: nx.Graph) -> None:
    with pytest.raises(UnknownNode) as caught:
        Recommender(graph).recommend("Semarangg, Indonesia")
    assert caught.value.suggestions == ["Semarang, Indonesia"]


def test_empty_graph_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the network is empty"):
        Recommender(nx.Graph())
    with pytest.raises(InvalidInput, match="the network has no link to hide"):
        evaluate_recommenders(nx.Graph())


def test_k_must_be_positive(graph: nx.Graph) -> None:
    with pytest.raises(InvalidInput, match="k must be at least 1, not 0"):
        Recommender(graph).recommend("Semarang", k=0)


@pytest.mark.parametrize(
    "weights",
    [{"popularity": -1.0}, {"proximity": math.nan}, {"near_partner_scale_km": 0.0}],
)
def test_bad_weights_are_refused(weights: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        RecommendWeights(**weights)


# --- Evaluation ---------------------------------------------------------------------------------

RANKED = ["a", "b", "c", "d", "e"]
RELEVANT = {"b", "d", "x"}


def test_metrics_on_a_hand_example() -> None:
    assert precision_at_k(RANKED, RELEVANT, 2) == 1 / 2
    assert precision_at_k(RANKED, RELEVANT, 10) == 2 / 10
    assert recall_at_k(RANKED, RELEVANT, 2) == 1 / 3
    assert recall_at_k(RANKED, RELEVANT, 5) == 2 / 3
    # Hits at ranks 2 and 4: (1/2 + 2/4) / min(3, 5).
    assert average_precision(RANKED, RELEVANT, 5) == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert average_precision(RANKED, RELEVANT, 2) == pytest.approx((1 / 2) / 2)
    assert average_precision(["b", "d"], {"b", "d"}, 50) == 1.0
    # Wins, a tie and a loss: (1 + 0.5 + 0) / 3.
    assert sampled_auc([0.9, 0.4, 0.1], [0.5, 0.4, 0.2]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: precision_at_k(RANKED, RELEVANT, 0), "k must be at least 1"),
        (lambda: recall_at_k(RANKED, set(), 5), "at least one relevant item"),
        (lambda: average_precision(RANKED, set(), 5), "at least one relevant item"),
        (lambda: sampled_auc([0.1], [0.1, 0.2]), "as many negative as positive"),
        (lambda: sampled_auc([], []), "as many negative as positive"),
    ],
)
def test_metric_errors(call: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        call()  # type: ignore[operator]


def ring_of_triangles(count: int) -> nx.Graph:
    links = []
    for i in range(count):
        a, b, c = (f"T{i}a", "X"), (f"T{i}b", "Y"), (f"T{i}c", "Z")
        links += [(*a, *b), (*b, *c), (*a, *c), (*c, f"T{(i + 1) % count}a", "X")]
    return build_graph(links)


def test_hide_links_keeps_every_city_linked_and_is_seeded() -> None:
    graph = ring_of_triangles(10)
    training, hidden = hide_links(graph, holdout=0.25, seed=5)
    assert len(hidden) == 10  # round(0.25 × 40)
    assert training.number_of_edges() == 30
    assert set(training) == set(graph)
    assert min(dict(training.degree).values()) >= 1
    assert all(graph.has_edge(a, b) and not training.has_edge(a, b) for a, b in hidden)
    assert hide_links(graph, holdout=0.25, seed=5)[1] == hidden
    assert hide_links(graph, holdout=0.25, seed=6)[1] != hidden


def test_hide_links_stops_when_no_link_can_go() -> None:
    star = build_graph([("Hub", "X", f"Leaf{i}", "Y") for i in range(5)])
    _training, hidden = hide_links(star, holdout=0.5, seed=1)
    assert hidden == []
    with pytest.raises(InvalidInput, match="no link can be hidden"):
        evaluate_recommenders(star)
    with pytest.raises(InvalidInput, match="holdout must be between 0 and 1"):
        hide_links(star, holdout=1.0, seed=1)


def test_evaluation_protocol_and_determinism() -> None:
    graph = ring_of_triangles(12)
    result = evaluate_recommenders(graph, holdout=0.2, seed=3, auc_samples=500)
    assert (result.links, result.hidden, result.holdout, result.seed) == (48, 10, 0.2, 3)
    assert result.cities == len(
        {city for pair in hide_links(graph, holdout=0.2, seed=3)[1] for city in pair}
    )
    assert list(result.methods) == list(METHODS)
    for scores in result.methods.values():
        for value in (scores.precision_at_10, scores.recall_at_50, scores.map, scores.auc):
            assert 0.0 <= value <= 1.0
    assert evaluate_recommenders(graph, holdout=0.2, seed=3, auc_samples=500) == result


def test_evaluation_on_a_hand_example() -> None:
    graph = build_graph(
        [
            ("A", "X", "B", "X"),
            ("B", "X", "C", "X"),
            ("A", "X", "C", "X"),
            ("C", "X", "D", "X"),
            ("B", "X", "D", "X"),
        ]
    )
    assert hide_links(graph, holdout=0.2, seed=0)[1] == [(("B", "X"), ("C", "X"))]
    result = evaluate_recommenders(graph, holdout=0.2, seed=0, auc_samples=50)
    assert (result.links, result.hidden, result.cities) == (5, 1, 2)
    # Training leaves the square A-B-D-C-A: B's only candidate is C and C's only one is B,
    # so every method ranks the hidden partner first.
    for scores in result.methods.values():
        assert (scores.precision_at_10, scores.recall_at_50, scores.map) == (0.1, 1.0, 1.0)
    # The only non-link is A-D, which the square makes the mirror image of B-C: a tie.
    assert result.methods["kembar"].auc == 0.5
    assert result.methods["adamic_adar"].auc == 0.5
    assert result.methods["popularity"].auc == 0.5


def test_cities_of_excluded_countries_are_never_recommended(graph: nx.Graph) -> None:
    recommender = Recommender(graph)
    kept = recommender.recommend("Semarang, Indonesia", k=10, exclude_countries={"Japan"})
    assert [r.node for r in kept] == [SEATTLE, TACOMA, CHONGQING]
    # The scores of the others do not change, and an unknown country excludes nothing.
    assert [r.score for r in kept] == [
        r.score for r in recommender.recommend("Semarang, Indonesia", k=10)[1:]
    ]
    unknown = recommender.recommend("Semarang, Indonesia", k=10, exclude_countries={"Atlantis"})
    assert [r.node for r in unknown] == [KOBE, SEATTLE, TACOMA, CHONGQING]
