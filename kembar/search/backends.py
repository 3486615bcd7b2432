"""The SQL of a search on SQLite (FTS5) and on PostgreSQL (tsvector), behind one interface.

Both get the query as :class:`~kembar.search.analysis.Term` objects, whose
spellings are words of letters and digits only, and pass them as parameters:
on SQLite each spelling is a quoted FTS5 string (``"flood"``), on PostgreSQL
each goes through ``plainto_tsquery``.  A term matches when any of its
spellings does; a document when it matches every term.

The matching set is computed once (a materialised common table expression)
and every facet counted over it in the same statement.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Filters:
    """A SQL condition on the documents (alias ``d``) and its parameters."""

    sql: str
    params: list[Any]


class Backend(Protocol):
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


def _facet_sql(facets: Sequence[str]) -> str:
    parts = ["SELECT 'total' AS facet, NULL AS value, COUNT(*) AS n FROM m"]
    for name in facets:
        if name == "sdg":
            parts.append(
                f"SELECT 'sdg', CAST(s.goal AS TEXT), COUNT(*) FROM m "  # noqa: S608 (constant names)
                f"JOIN {SDGS} s ON s.document_id = m.id GROUP BY s.goal"
            )
        else:
            present = f"m.{name} <> ''" if name == "urusan" else f"m.{name} IS NOT NULL"
            parts.append(
                f"SELECT '{name}', CAST(m.{name} AS TEXT), COUNT(*) FROM m "  # noqa: S608 (constant names)
                f"WHERE {present} GROUP BY m.{name}"
            )
    return " UNION ALL ".join(parts)


def _facets_from(rows: list[dict[str, Any]]) -> dict[str, list[tuple[Any, int]]]:
    found: dict[str, list[tuple[Any, int]]] = {}
    for row in rows:
        name, value = row["facet"], row["value"]
        if name not in ("urusan", "total") and value is not None:
            value = int(value)
        found.setdefault(name, []).append((value, int(row["n"])))
    for values in found.values():
        values.sort(key=lambda item: (-item[1], str(item[0])))
    return found


class SqliteBackend:
    """FTS5: ``search_fts MATCH`` with bm25 ranking (smaller is better; the score is negated)."""

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

    def _matching(self, terms: Sequence[Term], where: Filters, columns: str) -> tuple[str, list]:
        sql = (
            f"SELECT {columns} FROM search_fts JOIN {DOCUMENTS} d ON d.id = search_fts.rowid "  # noqa: S608 (constant names)
            f"WHERE search_fts MATCH %s AND {where.sql}"
        )
        return sql, [self.match(terms), *where.params]

    def hits(
        self, terms: Sequence[Term], where: Filters, *, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        sql, params = self._matching(
            terms, where, f"{COLUMNS}, -bm25(search_fts, {BM25_WEIGHTS}) AS score"
        )
        return _fetch(
            f"{sql} ORDER BY score DESC, d.id LIMIT %s OFFSET %s", [*params, limit, offset]
        )

    def facet_counts(
        self, terms: Sequence[Term], where: Filters, facets: Sequence[str]
    ) -> dict[str, list[tuple[Any, int]]]:
        names = ", ".join(f"d.{name}" for name in facets if name != "sdg")
        sql, params = self._matching(terms, where, "d.id" + (f", {names}" if names else ""))
        return _facets_from(_fetch(f"WITH m AS MATERIALIZED ({sql}) {_facet_sql(facets)}", params))


class PostgresBackend:
    """The generated ``document`` tsvector, its GIN index, and ``ts_rank_cd``."""

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
        sql, params = self._matching(
            terms, where, f"{COLUMNS}, ts_rank_cd(d.document, query.q) AS score"
        )
        return _fetch(
            f"{sql} ORDER BY score DESC, d.id LIMIT %s OFFSET %s", [*params, limit, offset]
        )

    def facet_counts(
        self, terms: Sequence[Term], where: Filters, facets: Sequence[str]
    ) -> dict[str, list[tuple[Any, int]]]:
        names = ", ".join(f"d.{name}" for name in facets if name != "sdg")
        sql, params = self._matching(terms, where, "d.id" + (f", {names}" if names else ""))
        return _facets_from(_fetch(f"WITH m AS MATERIALIZED ({sql}) {_facet_sql(facets)}", params))


def for_vendor(vendor: str) -> Backend:
    """The backend of the database in use (SQLite or PostgreSQL)."""
    if vendor == "postgresql":
        return PostgresBackend()
    if vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"search needs SQLite or PostgreSQL, not {vendor}")
