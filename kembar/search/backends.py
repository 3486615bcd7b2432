"""The SQL of a search on SQLite (FTS5) and on PostgreSQL (tsvector), behind one interface.

Both get the query as :class:`~kembar.search.analysis.Term` objects, whose
spellings are words of letters and digits only, and pass them as parameters:
on SQLite each spelling is a quoted FTS5 string (``"flood"``), on PostgreSQL
each goes through ``plainto_tsquery``.  A term matches when any of its
spellings does; a document when it matches every term.

How a search stays fast when a common word matches a third of 100,000
documents (bench/search.py): only ids and scores are sorted and the page's
rows read after the cut; the facets are counted in one pass (SQLite: one
``group_concat`` per facet over a covering index, with the SDG goals as a bit
mask; PostgreSQL: the page, GROUPING SETS and the SDG join over one
materialised match); who knows reuses the search's counts
(:func:`kembar.search.engine.search_with_experts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from kembar.search.analysis import Term
from kembar.search.models import SearchDocument, SearchDocumentSdg

__all__ = ["Backend", "Filters", "for_vendor"]

DOCUMENTS = SearchDocument._meta.db_table
SDGS = SearchDocumentSdg._meta.db_table
COLUMNS = "d.id, d.kind, d.object_id, d.title_id, d.title_en, d.body_id, d.body_en, d.url, d.public"

#: Column weights of bm25 on SQLite (title_en, body_en, title_stems, body_stems).
BM25_WEIGHTS = "10.0, 1.0, 10.0, 1.0"
#: The condition that keeps every document.
ALL = "1 = 1"
#: The name of the row of the number of matches among the facet counts.
TOTAL = "total"
#: Between the values ``group_concat`` joins (the unit separator, in no facet value).
SEPARATOR = "\x1f"
#: The covering index of the facet columns (migration 0003), read instead of the wide rows.
FACET_INDEX = "search_document_facets"


@dataclass(frozen=True, slots=True)
class Filters:
    """A SQL condition on the documents (alias ``d``) and its parameters."""

    sql: str
    params: list[Any]

    @property
    def empty(self) -> bool:
        """Whether the condition keeps every document."""
        return self.sql == ALL


class Backend(Protocol):
    def search(
        self,
        terms: Sequence[Term],
        where: Filters,
        facets: Sequence[str],
        *,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], dict[str, list[tuple[Any, int]]]]: ...

    def hits(
        self, terms: Sequence[Term], where: Filters, *, limit: int, offset: int
    ) -> list[dict[str, Any]]: ...

    def facet_counts(
        self, terms: Sequence[Term], where: Filters, facets: Sequence[str]
    ) -> dict[str, list[tuple[Any, int]]]: ...


def _fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


#: Facets stored on the document row (the SDG goals are rows of their own table).
ROW_FACETS = ("sector", "urusan", "partner_city", "agency", "year")


def _ordered(counts: dict[str, dict[Any, int]]) -> dict[str, list[tuple[Any, int]]]:
    """Each facet's (value, count) pairs, most first, ties by value as text."""
    return {
        name: sorted(values.items(), key=lambda item: (-item[1], str(item[0])))
        for name, values in counts.items()
    }


def _tally(name: str, joined: str | None) -> dict[Any, int]:
    """The values of one facet, joined by :data:`SEPARATOR`, counted (empty ones left out)."""
    if not joined:
        return {}
    counted = Counter(joined.split(SEPARATOR))
    counted.pop("", None)
    return dict(counted) if name == "urusan" else {int(v): n for v, n in counted.items()}


def _goals(masks: dict[int, int]) -> dict[int, int]:
    """Documents per SDG goal, from the number of documents with each mask (goal g: bit g - 1)."""
    goals: Counter[int] = Counter()
    for mask, n in masks.items():
        for goal in range(1, 18):
            if mask & (1 << (goal - 1)):
                goals[goal] += n
    return dict(goals)


class SqliteBackend:
    """FTS5: ``search_fts MATCH`` with bm25 ranking (smaller is better; the score is negated).

    Only the ids and scores of the matches are sorted; the page's rows are read
    after the cut.  The facet columns come from the covering index of
    migration 0003 and are counted in one pass.
    """

    @staticmethod
    def match(terms: Sequence[Term]) -> str:
        """The FTS5 query: every term, each as quoted alternatives.

        >>> from kembar.search.analysis import query_terms
        >>> SqliteBackend.match(query_terms("banjir rob"))
        '("banjir" OR "flood" OR "flooding" OR "floods" OR "genang" OR "rob") AND ("banjir" ...'
        """
        return " AND ".join(
            "(" + " OR ".join(f'"{spelling}"' for spelling in sorted(term.spellings)) + ")"
            for term in terms
        )

    def _matching(
        self,
        terms: Sequence[Term],
        where: Filters,
        columns: str,
        *,
        documents: bool = False,
    ) -> tuple[str, list]:
        """The matches' ``columns``, the documents joined (by the covering index) if needed."""
        joins = []
        if documents or not where.empty:
            joins.append(f"JOIN {DOCUMENTS} d INDEXED BY {FACET_INDEX} ON d.id = search_fts.rowid")
        sql = (
            f"SELECT {columns} FROM search_fts {' '.join(joins)} "  # noqa: S608 (constant names)
            f"WHERE search_fts MATCH %s AND {where.sql}"
        )
        return sql, [self.match(terms), *where.params]

    def hits(
        self, terms: Sequence[Term], where: Filters, *, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        ranked, params = self._matching(
            terms, where, f"search_fts.rowid AS id, -bm25(search_fts, {BM25_WEIGHTS}) AS score"
        )
        return _fetch(
            f"SELECT {COLUMNS}, r.score FROM ({ranked} ORDER BY score DESC, id "  # noqa: S608 (constant names)
            f"LIMIT %s OFFSET %s) r JOIN {DOCUMENTS} d ON d.id = r.id ORDER BY r.score DESC, d.id",
            [*params, limit, offset],
        )

    def search(
        self,
        terms: Sequence[Term],
        where: Filters,
        facets: Sequence[str],
        *,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], dict[str, list[tuple[Any, int]]]]:
        """The page (ranked on the FTS table alone) and the facets (from the covering index)."""
        return (
            self.hits(terms, where, limit=limit, offset=offset),
            self.facet_counts(terms, where, facets),
        )

    def facet_counts(
        self, terms: Sequence[Term], where: Filters, facets: Sequence[str]
    ) -> dict[str, list[tuple[Any, int]]]:
        """The total and every facet in one pass over the covering index.

        Each facet comes back as one string of the matches' values
        (``group_concat``), counted in Python: tens of thousands of matches
        cost a few strings instead of a Python tuple each.  The SDG goals come
        from the documents' bit masks.
        """
        names = [name for name in ROW_FACETS if name in facets]
        if "sdg" in facets:
            names.append("sdg_mask")
        columns = ", ".join(
            ["COUNT(*)", *(f"group_concat(d.{name}, char({ord(SEPARATOR)}))" for name in names)]
        )
        matches, params = self._matching(terms, where, columns, documents=True)
        with connection.cursor() as cursor:
            cursor.execute(matches, params)
            total, *joined = cursor.fetchone()
        counts = {name: _tally(name, values) for name, values in zip(names, joined, strict=True)}
        if "sdg" in facets:
            counts["sdg"] = _goals(counts.pop("sdg_mask"))
        return {"total": [(None, total)], **_ordered(counts)}


class PostgresBackend:
    """The generated ``document`` tsvector, its GIN index, and ``ts_rank``.

    ``ts_rank`` (term frequency, weights A for titles and B for texts, divided
    by one plus the log of the document's length) rather than ``ts_rank_cd``
    (cover density), which costs three to four times as much per match.
    """

    @staticmethod
    def tsquery(terms: Sequence[Term]) -> tuple[str, list[str]]:
        """A tsquery expression of ``terms`` and its parameters (English and simple parts)."""
        groups, params = [], []
        for term in terms:
            parts = ["plainto_tsquery('english', %s)" for _ in term.english]
            parts += ["plainto_tsquery('simple', %s)" for _ in term.indonesian]
            params += sorted(term.english) + sorted(term.indonesian)
            groups.append("(" + " || ".join(parts) + ")")
        return " && ".join(groups), params

    def _matching(self, terms: Sequence[Term], where: Filters, columns: str) -> tuple[str, list]:
        expression, params = self.tsquery(terms)
        sql = (
            f"SELECT {columns} FROM {DOCUMENTS} d, (SELECT {expression} AS q) query "  # noqa: S608 (constant names)
            f"WHERE d.document @@ query.q AND {where.sql}"
        )
        return sql, [*params, *where.params]

    def hits(
        self, terms: Sequence[Term], where: Filters, *, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        return self.search(terms, where, (), limit=limit, offset=offset)[0]

    def facet_counts(
        self, terms: Sequence[Term], where: Filters, facets: Sequence[str]
    ) -> dict[str, list[tuple[Any, int]]]:
        return self.search(terms, where, facets, limit=0, offset=0)[1]

    def search(
        self,
        terms: Sequence[Term],
        where: Filters,
        facets: Sequence[str],
        *,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], dict[str, list[tuple[Any, int]]]]:
        """The page and every facet in one statement over the matches, then the page's rows.

        The matches (id, score, facet columns) are computed once; the page is
        the top of them, the facets one GROUPING SETS pass and one join with
        the SDG goals.
        """
        names = [name for name in ROW_FACETS if name in facets]
        # Without a page (who knows) nothing needs a score.
        score = "ts_rank(d.document, query.q, 1)" if limit else "0"
        columns = ["d.id", f"{score} AS score"]
        matches, params = self._matching(
            terms, where, ", ".join(columns + [f"d.{name}" for name in names])
        )
        # Which facet a row of the GROUPING SETS counts, and its value (the total: neither).
        label, value = f"'{TOTAL}'", "NULL"
        if names:
            label = "CASE {} ELSE '{}' END".format(
                " ".join(f"WHEN GROUPING(m.{name}) = 0 THEN '{name}'" for name in names), TOTAL
            )
            value = "CASE {} END".format(
                " ".join(
                    f"WHEN GROUPING(m.{name}) = 0 THEN CAST(m.{name} AS TEXT)" for name in names
                )
            )
        sets = ", ".join([*(f"(m.{name})" for name in names), "()"])
        parts = [
            "SELECT 'hit' AS facet, CAST(page.id AS TEXT) AS value, page.score AS n FROM "
            "(SELECT m.id, CAST(m.score AS float8) AS score FROM m "
            "ORDER BY m.score DESC, m.id LIMIT %s OFFSET %s) page",
            f"SELECT {label}, {value}, CAST(COUNT(*) AS float8) "  # noqa: S608 (constant names)
            f"FROM m GROUP BY GROUPING SETS ({sets})",
        ]
        if "sdg" in facets:
            parts.append(
                f"SELECT 'sdg', CAST(s.goal AS TEXT), CAST(COUNT(*) AS float8) FROM m "  # noqa: S608 (constant names)
                f"JOIN {SDGS} s ON s.document_id = m.id GROUP BY s.goal"
            )
        rows = _fetch(
            f"WITH m AS MATERIALIZED ({matches}) {' UNION ALL '.join(parts)}",
            [*params, limit, offset],
        )
        scores: dict[int, float] = {}
        counts: dict[str, dict[Any, int]] = {name: {} for name in facets}
        total = 0
        for row in rows:
            name, found, n = row["facet"], row["value"], row["n"]
            if name == "hit":
                scores[int(found)] = float(n)
            elif name == TOTAL:
                total = int(n)
            elif name == "urusan" and found:
                counts[name][found] = int(n)
            elif name != "urusan" and found is not None:
                counts[name][int(found)] = int(n)
        return self._page(scores), {"total": [(None, total)], **_ordered(counts)}

    @staticmethod
    def _page(scores: dict[int, float]) -> list[dict[str, Any]]:
        if not scores:
            return []
        found = _fetch(
            f"SELECT {COLUMNS} FROM {DOCUMENTS} d WHERE d.id = ANY(%s)",  # noqa: S608 (constant names)
            [list(scores)],
        )
        for row in found:
            row["score"] = scores[row["id"]]
        return sorted(found, key=lambda row: (-row["score"], row["id"]))


def for_vendor(vendor: str) -> Backend:
    """The backend of the database in use (SQLite or PostgreSQL)."""
    if vendor == "postgresql":
        return PostgresBackend()
    if vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"search needs SQLite or PostgreSQL, not {vendor}")
