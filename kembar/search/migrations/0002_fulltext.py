"""The full-text structures beside ``search_searchdocument``, one kind per database.

SQLite: an FTS5 table over the English text and the Indonesian stems, with
the search document table as its external content (``rowid`` = document id),
kept in sync by three triggers.  Porter stems the English; the stems pass
through it unchanged or the same way on both sides.

PostgreSQL: a stored generated ``tsvector`` column ``document``: the English
text by the ``english`` configuration, the Indonesian stems by ``simple``,
titles weighted A and bodies B; a GIN index on it.  Django's model does not
know the column; kembar.search.backends queries it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_en, body_en, title_stems, body_stems,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_en, body_en, title_stems, body_stems)
        VALUES (new.id, new.title_en, new.body_en, new.title_stems, new.body_stems);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_en, body_en, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_en, old.body_en, old.title_stems, old.body_stems);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_en, body_en, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_en, old.body_en, old.title_stems, old.body_stems);
        INSERT INTO search_fts(rowid, title_en, body_en, title_stems, body_stems)
        VALUES (new.id, new.title_en, new.body_en, new.title_stems, new.body_stems);
    END""",
    # Rows indexed before this migration (none on a new database).
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_CREATE = [
    """ALTER TABLE search_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title_en), 'A')
        || setweight(to_tsvector('simple'::regconfig, title_stems), 'A')
        || setweight(to_tsvector('english'::regconfig, body_en), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_stems), 'B')
    ) STORED""",
    "CREATE INDEX search_document_fts ON search_searchdocument USING GIN (document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_document_fts",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS document",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
