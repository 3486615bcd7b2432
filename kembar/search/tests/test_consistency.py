"""The faster search gives the same answers: facets, totals, pages and who knows agree.

The documents are those of :mod:`kembar.search.tests.test_engine` (its fixture).
"""

from __future__ import annotations

import pytest

from kembar.search.engine import FACETS, search, search_with_experts, who_knows
from kembar.search.tests.test_engine import MAGELANG, SEMARANG, documents

pytestmark = pytest.mark.django_db

__all__ = ["documents"]  # the fixture, used by name

SCOPES = [
    {},
    {"public_only": True},
    {"region": SEMARANG},
    {"region": MAGELANG, "also_public": True},
]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("query", ["pelatihan", "sampah", "guru", "kota"])
def test_every_facet_count_is_the_total_of_that_filter(
    documents: None, query: str, scope: dict[str, object]
) -> None:
    results = search(query, **scope)  # type: ignore[arg-type]
    assert results.total == len(search(query, limit=100, **scope).hits)  # type: ignore[arg-type]
    for name in FACETS:
        for value, count in results.facets[name]:
            narrowed = search(query, facets={name: value}, **scope)  # type: ignore[arg-type]
            assert (name, value, narrowed.total) == (name, value, count)


def test_the_year_counts_add_up_to_the_total(documents: None) -> None:
    # Every document has a year, so the year counts cover every match.
    results = search("pelatihan")
    assert sum(count for _year, count in results.facets["year"]) == results.total == 3


def test_pages_cut_one_ranking(documents: None) -> None:
    whole = [(hit.kind, hit.object_id, hit.score) for hit in search("pelatihan").hits]
    pages = [
        (hit.kind, hit.object_id, hit.score)
        for offset in range(3)
        for hit in search("pelatihan", limit=1, offset=offset).hits
    ]
    assert pages == whole
    assert [object_id for _kind, object_id, _score in whole] == [1, 5, 2]
    assert search("pelatihan", offset=3).hits == []
    assert search("pelatihan", limit=0).total == 3


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("query", ["pelatihan", "sampah", "pelatihan guru", "waste"])
def test_who_knows_is_the_agency_and_partner_city_facets(
    documents: None, query: str, scope: dict[str, object]
) -> None:
    results, experts = search_with_experts(query, **scope)  # type: ignore[arg-type]
    assert experts == who_knows(query, **scope)  # type: ignore[arg-type]
    assert experts.agencies == results.facets["agency"][:5]
    assert experts.partner_cities == results.facets["partner_city"][:5]
    assert results == search(query, **scope)  # type: ignore[arg-type]


def test_who_knows_ignores_the_kind_and_facet_filters_of_the_search(documents: None) -> None:
    results, experts = search_with_experts("pelatihan", facets={"year": 2023})
    assert [hit.object_id for hit in results.hits] == [2]
    assert results.facets["agency"] == [(100, 1)]
    assert experts.agencies == [(100, 2), (300, 1)]
    assert experts.partner_cities == [(10, 1), (20, 1), (30, 1)]
    results, experts = search_with_experts("waste", kinds=["lesson"], experts=1)
    assert results.total == 1
    assert (experts.agencies, experts.partner_cities) == ([(200, 2)], [(10, 1)])


def test_an_empty_query_and_no_match(documents: None) -> None:
    results, experts = search_with_experts("  ")
    assert (results.total, results.hits, experts.agencies) == (0, [], [])
    results, experts = search_with_experts("kobe guru")
    assert (results.total, results.facets["sdg"], experts.partner_cities) == (0, [], [])
