"""The index and the query on the real database (SQLite FTS5 or PostgreSQL tsvector).

Four documents of Kota Semarang (33.74) and one of Kota Magelang (33.71):

====  ===========  ======  ======  ======  =====  ====  ====  ====  ==============
id    kind         public  sector  urusan  sdg    city  agcy  year  says
====  ===========  ======  ======  ======  =====  ====  ====  ====  ==============
1     activity     yes     16      1.01    4      10    100   2024  melatih guru; teachers train
2     activity     no      16      1.01    4, 11  20    100   2023  pelatihan in the text only
3     lesson       yes     5       2.11    11     10    200   2024  sampah (id only)
4     trip_report  no      —       —       —      —     200   2022  waste in English only
5     activity     yes     16      1.01    4      30    300   2024  dilatih, Magelang
====  ===========  ======  ======  ======  =====  ====  ====  ====  ==============
"""

from __future__ import annotations

import pytest
from django.utils import translation

from kembar.search.engine import index_document, remove_document, search, who_knows
from kembar.search.models import SearchDocument, SearchDocumentSdg

pytestmark = pytest.mark.django_db

SEMARANG, MAGELANG = "33.74", "33.71"


@pytest.fixture
def documents() -> None:
    index_document(
        "activity",
        1,
        region=SEMARANG,
        public=True,
        title_id="Guru melatih guru: kelas digital",
        title_en="Teachers train teachers",
        body_id="Dinas Pendidikan melatih dua puluh guru.",
        body_en="Twenty teachers trained.",
        url="/staff/activities/a1/",
        sector=16,
        urusan="1.01",
        sdg=["4.7"],
        partner_city=10,
        agency=100,
        year=2024,
    )
    index_document(
        "activity",
        2,
        region=SEMARANG,
        public=False,
        title_id="Kunjungan ke Brisbane",
        title_en="Visit to Brisbane",
        body_id="Kunjungan kerja untuk pelatihan pengelolaan taman kota.",
        sector=16,
        urusan="1.01",
        sdg=[4, "11.6"],
        partner_city=20,
        agency=100,
        year=2023,
    )
    index_document(
        "lesson",
        3,
        region=SEMARANG,
        public=True,
        title_id="Bank sampah di kelurahan",
        body_id="Warga memilah sampah rumah tangga dan menjualnya ke bank sampah.",
        sector=5,
        urusan="2.11",
        sdg=["11.6"],
        partner_city=10,
        agency=200,
        year=2024,
    )
    index_document(
        "trip_report",
        4,
        region=SEMARANG,
        public=False,
        title_id="Laporan perjalanan ke Kobe",
        body_en="We saw how Kobe sorts household waste.",
        agency=200,
        year=2022,
    )
    index_document(
        "activity",
        5,
        region=MAGELANG,
        public=True,
        title_id="Pemandu wisata dilatih",
        body_id="Pemandu dilatih bahasa Inggris.",
        sector=16,
        urusan="1.01",
        sdg=["4"],
        partner_city=30,
        agency=300,
        year=2024,
    )


def _found(query: str, **options: object) -> list[tuple[str, int]]:
    return [(hit.kind, hit.object_id) for hit in search(query, **options).hits]  # type: ignore[arg-type]


def test_an_indonesian_word_form_finds_other_forms_of_its_root(documents: None) -> None:
    # pelatihan, melatih and dilatih share the root latih; "training" is its synonym.
    assert sorted(_found("pelatihan")) == [("activity", 1), ("activity", 2), ("activity", 5)]
    assert sorted(_found("latihan", region=SEMARANG)) == [("activity", 1), ("activity", 2)]


def test_an_english_synonym_finds_a_record_written_in_indonesian_only(documents: None) -> None:
    # Record 3 says "sampah" and has no English text; record 4 says "waste" in English only.
    assert sorted(_found("waste")) == [("lesson", 3), ("trip_report", 4)]
    assert sorted(_found("sampah")) == [("lesson", 3), ("trip_report", 4)]
    assert sorted(_found("training teachers")) == [("activity", 1)]


def test_every_word_must_match(documents: None) -> None:
    assert _found("pelatihan taman") == [("activity", 2)]
    assert _found("pelatihan kobe") == []


def test_a_title_match_ranks_first(documents: None) -> None:
    # Record 5 has "wisata" in its title; record 1 never says it.  "dilatih": 5 in the title,
    # 1 in its body (as "melatih" in the title too) — both titles; the body-only match is 2.
    hits = search("pelatihan", region=SEMARANG).hits
    assert [hit.object_id for hit in hits] == [1, 2]
    assert hits[0].score > hits[1].score > 0


def test_hits_carry_the_title_in_the_active_language(documents: None) -> None:
    assert [hit.title for hit in search("guru").hits] == ["Guru melatih guru: kelas digital"]
    with translation.override("en"):
        hit = search("guru").hits[0]
    assert (hit.title, hit.snippet, hit.url) == (
        "Teachers train teachers",
        "Twenty teachers trained.",
        "/staff/activities/a1/",
    )


def test_facet_counts_cover_every_match_before_the_page_is_cut(documents: None) -> None:
    results = search("pelatihan", limit=1)
    assert len(results.hits) == 1
    assert results.total == 3
    assert results.facets == {
        "sector": [(16, 3)],
        "urusan": [("1.01", 3)],
        "sdg": [(4, 3), (11, 1)],
        "partner_city": [(10, 1), (20, 1), (30, 1)],
        "agency": [(100, 2), (300, 1)],
        "year": [(2024, 2), (2023, 1)],
    }


def test_facet_filters_narrow_the_matches(documents: None) -> None:
    assert _found("pelatihan", facets={"year": 2024, "agency": 100}) == [("activity", 1)]
    assert sorted(_found("pelatihan", facets={"sdg": 11})) == [("activity", 2)]
    assert _found("waste", facets={"urusan": "2.11"}) == [("lesson", 3)]
    assert _found("waste", kinds=["trip_report"]) == [("trip_report", 4)]


def test_scopes_public_only_and_region_with_the_public(documents: None) -> None:
    assert sorted(_found("pelatihan", public_only=True)) == [("activity", 1), ("activity", 5)]
    assert sorted(_found("sampah", public_only=True)) == [("lesson", 3)]
    assert _found("pelatihan", region=MAGELANG) == [("activity", 5)]
    assert sorted(_found("pelatihan", region=MAGELANG, also_public=True)) == [
        ("activity", 1),
        ("activity", 5),
    ]


def test_who_knows_names_agencies_and_partner_cities_by_matches(documents: None) -> None:
    answer = who_knows("pelatihan guru")
    assert (answer.agencies, answer.partner_cities) == ([(100, 1)], [(10, 1)])
    answer = who_knows("pelatihan")
    assert answer.agencies == [(100, 2), (300, 1)]
    assert who_knows("   ").agencies == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND OR NOT",
        ")",
        "(",
        "NEAR(a b)",
        "title_en:guru",
        "'; DROP TABLE x; --",
        "a",
        "",
        "   ",
        "guru" * 200,
        " ".join(["guru"] * 500),
        "!@#$%^&*()",
        "^guru",
        "guru*",
    ],
)
def test_hostile_and_empty_queries_answer_cleanly(documents: None, query: str) -> None:
    results = search(query)
    assert results.total == len(results.hits) <= 1
    assert all(hit.object_id == 1 for hit in results.hits)


def test_indexing_again_replaces_and_removing_removes(documents: None) -> None:
    index_document("lesson", 3, region=SEMARANG, title_id="Banjir rob", sdg=["13.1"])
    assert _found("sampah") == [("trip_report", 4)]
    assert _found("flood") == [("lesson", 3)]
    assert list(
        SearchDocumentSdg.objects.filter(document__object_id=3).values_list("goal", flat=True)
    ) == [13]
    remove_document("lesson", 3)
    assert _found("flood") == []
    assert SearchDocument.objects.count() == 4
