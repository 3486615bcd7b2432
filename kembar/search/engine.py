"""Writing to the search index and asking it: the API the rest of Kembar uses.

- :func:`index_document` / :func:`index_documents` store what a record says
  (insert or replace, by kind and record id); :func:`remove_document` drops it.
- :func:`search` answers a query: ranked hits (titles weigh more than text;
  bm25 on SQLite, ``ts_rank`` on PostgreSQL), the total, and facet counts
  over every match (before the page is cut).
- :func:`who_knows` names the agencies and partner cities with the most
  matching records ("who knows about X"); :func:`search_with_experts` gives
  both answers, taking who knows from the search's own facet counts when the
  search has no kind or facet filter (the same numbers, one match fewer).

Where results are limited: ``region`` keeps one region's records, with
``also_public`` the public records of every region too; ``public_only`` keeps
the public ones.  Which scope a user gets is :func:`kembar.search.selectors.scope_for`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

from kembar.search import backends
from kembar.search.analysis import indonesian_terms, query_terms, words
from kembar.search.models import DocumentKind, SearchDocument, SearchDocumentSdg

__all__ = [
    "FACETS",
    "Document",
    "Hit",
    "SearchResults",
    "WhoKnows",
    "index_document",
    "index_documents",
    "remove_document",
    "search",
    "search_with_experts",
    "who_knows",
]

#: The facets, in the order pages show them.
FACETS = ("sector", "urusan", "sdg", "partner_city", "agency", "year")
#: How many agencies and partner cities :func:`who_knows` names.
WHO_KNOWS_LIMIT = 5
SNIPPET_CHARS = 220


@dataclass(frozen=True, slots=True)
class Document:
    """What one record says, for the index (see :func:`index_document` for the fields)."""

    object_id: int
    region: str
    title_id: str
    title_en: str = ""
    body_id: str = ""
    body_en: str = ""
    url: str = ""
    public: bool = False
    sector: int | None = None
    urusan: str | None = None
    sdg: Sequence[str | int] = ()
    partner_city: int | None = None
    agency: int | None = None
    year: int | None = None


def _goals(codes: Iterable[str | int]) -> set[int]:
    """SDG goals of goal or target codes: 11 and "11.6" are both goal 11."""
    goals = set()
    for code in codes:
        head = str(code).split(".", 1)[0].strip()
        if head.isdigit() and 1 <= int(head) <= 17:
            goals.add(int(head))
    return goals


def _row(kind: str, document: Document) -> SearchDocument:
    return SearchDocument(
        kind=kind,
        object_id=document.object_id,
        region=document.region or "",
        title_id=document.title_id,
        title_en=document.title_en,
        body_id=document.body_id,
        body_en=document.body_en,
        title_stems=indonesian_terms(document.title_id),
        body_stems=indonesian_terms(document.body_id),
        url=document.url,
        public=document.public,
        sector=document.sector,
        urusan=document.urusan or "",
        partner_city=document.partner_city,
        agency=document.agency,
        year=document.year,
        sdg_mask=sum(1 << (goal - 1) for goal in _goals(document.sdg)),
        # bulk_update does not fill auto_now fields.
        updated_at=timezone.now(),
    )


_STORED = [
    name
    for name in (f.name for f in SearchDocument._meta.concrete_fields)
    if name not in {"id", "kind", "object_id"}
]


@transaction.atomic
def index_documents(kind: str, documents: Iterable[Document], *, batch_size: int = 500) -> int:
    """Store ``documents`` of ``kind``, replacing what the index held for their records."""
    if kind not in DocumentKind.values:
        raise ValueError(f"unknown kind of search document: {kind!r}")
    rows = {document.object_id: (_row(kind, document), document) for document in documents}
    existing = dict(
        SearchDocument.objects.filter(kind=kind, object_id__in=list(rows)).values_list(
            "object_id", "pk"
        )
    )
    new = [row for object_id, (row, _doc) in rows.items() if object_id not in existing]
    changed = []
    for object_id, pk in existing.items():
        row = rows[object_id][0]
        row.pk = pk
        changed.append(row)
    SearchDocument.objects.bulk_create(new, batch_size=batch_size)
    SearchDocument.objects.bulk_update(changed, _STORED, batch_size=batch_size)
    ids = {row.object_id: row.pk for row in new} | existing
    if new and any(row.pk is None for row in new):  # backends that return no ids
        ids |= dict(
            SearchDocument.objects.filter(kind=kind, object_id__in=list(rows)).values_list(
                "object_id", "pk"
            )
        )
    SearchDocumentSdg.objects.filter(document_id__in=list(ids.values())).delete()
    SearchDocumentSdg.objects.bulk_create(
        [
            SearchDocumentSdg(document_id=ids[object_id], goal=goal)
            for object_id, (_row_, document) in rows.items()
            for goal in sorted(_goals(document.sdg))
        ],
        batch_size=batch_size,
    )
    return len(rows)


def index_document(
    kind: str,
    object_id: int,
    *,
    region: str,
    title_id: str,
    title_en: str = "",
    body_id: str = "",
    body_en: str = "",
    url: str = "",
    public: bool = False,
    sector: int | None = None,
    urusan: str | None = None,
    sdg: Sequence[str | int] = (),
    partner_city: int | None = None,
    agency: int | None = None,
    year: int | None = None,
) -> None:
    """Store one record's text and facets (``sdg``: goal or target codes; goals are kept)."""
    index_documents(
        kind,
        [
            Document(
                object_id=object_id,
                region=region,
                title_id=title_id,
                title_en=title_en,
                body_id=body_id,
                body_en=body_en,
                url=url,
                public=public,
                sector=sector,
                urusan=urusan,
                sdg=sdg,
                partner_city=partner_city,
                agency=agency,
                year=year,
            )
        ],
    )


def remove_document(kind: str, object_id: int) -> None:
    """Drop a record from the index (nothing happens if it was not there)."""
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    object_id: int
    title: str
    snippet: str
    url: str
    score: float
    public: bool


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    #: For each facet, (value, number of matching records), most first.
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WhoKnows:
    #: (Organisation id, number of matching records), most first.
    agencies: list[tuple[int, int]]
    #: (City id, number of matching records), most first.
    partner_cities: list[tuple[int, int]]


def _filters(
    *,
    kinds: Iterable[str] | None,
    region: str | None,
    also_public: bool,
    public_only: bool,
    facets: Mapping[str, Any] | None,
) -> backends.Filters:
    clauses: list[str] = []
    params: list[Any] = []
    if kinds is not None:
        kinds = [kind for kind in kinds if kind in DocumentKind.values]
        clauses.append(f"d.kind IN ({', '.join(['%s'] * len(kinds)) or 'NULL'})")
        params.extend(kinds)
    if public_only:
        clauses.append("d.public = %s")
        params.append(True)
    if region is not None:
        clauses.append("(d.region = %s OR d.public = %s)" if also_public else "d.region = %s")
        params.extend([region, True] if also_public else [region])
    for name, value in (facets or {}).items():
        if name == "sdg":
            clauses.append(
                f"d.id IN (SELECT document_id FROM {SearchDocumentSdg._meta.db_table} "  # noqa: S608 (constant names)
                "WHERE goal = %s)"
            )
        elif name in FACETS:
            clauses.append(f"d.{name} = %s")
        else:
            raise ValueError(f"unknown facet: {name!r}")
        params.append(value)
    return backends.Filters(" AND ".join(clauses) or backends.ALL, params)


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _snippet(text: str, spellings: set[str]) -> str:
    """About :data:`SNIPPET_CHARS` characters of ``text`` around the first word of the query."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= SNIPPET_CHARS:
        return text
    start = 0
    for match in re.finditer(r"[^\W_]+", text):
        word = match.group().lower()
        if any(word.startswith(spelling[:5]) for spelling in spellings if len(spelling) > 2):
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            break
    piece = text[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def _hit(row: Mapping[str, Any], spellings: set[str]) -> Hit:
    english = _english()
    title = (row["title_en"] if english and row["title_en"] else row["title_id"]) or row["title_en"]
    body = (row["body_en"] if english and row["body_en"] else row["body_id"]) or row["body_en"]
    return Hit(
        kind=row["kind"],
        object_id=row["object_id"],
        title=title,
        snippet=_snippet(body, spellings),
        url=row["url"],
        score=float(row["score"]),
        public=bool(row["public"]),
    )


def search(
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    region: str | None = None,
    also_public: bool = False,
    facets: Mapping[str, Any] | None = None,
    public_only: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The records matching every word of ``query`` (each by its forms and synonyms), ranked."""
    terms = query_terms(query)
    if not terms:
        return SearchResults(query=query, hits=[], total=0, facets={name: [] for name in FACETS})
    where = _filters(
        kinds=kinds, region=region, also_public=also_public, public_only=public_only, facets=facets
    )
    backend = backends.for_vendor(connection.vendor)
    rows, counts = backend.search(terms, where, FACETS, limit=max(0, limit), offset=max(0, offset))
    spellings = {spelling for term in terms for spelling in term.spellings} | set(words(query))
    total = counts.pop("total", [(None, 0)])[0][1] if counts.get("total") else 0
    return SearchResults(
        query=query,
        hits=[_hit(row, spellings) for row in rows],
        total=total,
        facets={name: counts.get(name, []) for name in FACETS},
    )


def who_knows(
    query: str,
    *,
    region: str | None = None,
    also_public: bool = False,
    public_only: bool = False,
    limit: int = WHO_KNOWS_LIMIT,
) -> WhoKnows:
    """The agencies and partner cities with the most records matching ``query``."""
    terms = query_terms(query)
    if not terms:
        return WhoKnows(agencies=[], partner_cities=[])
    where = _filters(
        kinds=None, region=region, also_public=also_public, public_only=public_only, facets=None
    )
    counts = backends.for_vendor(connection.vendor).facet_counts(
        terms, where, ("agency", "partner_city")
    )
    return WhoKnows(
        agencies=counts.get("agency", [])[:limit],
        partner_cities=counts.get("partner_city", [])[:limit],
    )


def search_with_experts(
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    region: str | None = None,
    also_public: bool = False,
    facets: Mapping[str, Any] | None = None,
    public_only: bool = False,
    limit: int = 20,
    offset: int = 0,
    experts: int = WHO_KNOWS_LIMIT,
) -> tuple[SearchResults, WhoKnows]:
    """:func:`search` and :func:`who_knows` of the same query and scope.

    Who knows counts every match in the scope, whatever kinds and facet values
    the search keeps; without those filters the search's agency and partner
    city counts are exactly that.
    """
    scope: dict[str, Any] = {
        "region": region,
        "also_public": also_public,
        "public_only": public_only,
    }
    results = search(query, kinds=kinds, facets=facets, limit=limit, offset=offset, **scope)
    if kinds is None and not facets:
        return results, WhoKnows(
            agencies=results.facets["agency"][:experts],
            partner_cities=results.facets["partner_city"][:experts],
        )
    return results, who_knows(query, limit=experts, **scope)
