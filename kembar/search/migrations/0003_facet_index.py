"""The SDG goals as a bit mask on the document, and a covering index of the facets on SQLite.

A search reads the filter and facet columns of every match.  From the table
that means the whole row with its texts; from the index only a few numbers
(kembar.search.backends names it in ``INDEXED BY``), and with the goals as a
mask beside them no join with the SDG rows.  PostgreSQL counts from the heap
rows its GIN bitmap scan visits anyway and gets no index here.

On SQLite, Django adds the column by copying the table into a new one, which
drops the triggers that keep the FTS5 table in step (0002); they are made
again, after the masks are filled (the texts do not change).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations, models

FILL = (
    "UPDATE search_searchdocument SET sdg_mask = COALESCE(("
    "SELECT SUM(1 << (s.goal - 1)) FROM search_searchdocumentsdg s "
    "WHERE s.document_id = search_searchdocument.id), 0)"
)
CREATE = (
    "CREATE INDEX IF NOT EXISTS search_document_facets ON search_searchdocument "
    "(id, kind, public, region, sector, urusan, partner_city, agency, year, sdg_mask)"
)
DROP = "DROP INDEX IF EXISTS search_document_facets"


#: The three triggers of 0002 (insert, delete, update).
TRIGGERS = import_module("kembar.search.migrations.0002_fulltext").SQLITE_CREATE[1:4]


def _triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for trigger in TRIGGERS:
            schema_editor.execute(trigger.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


def _fill(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(FILL)
    _triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [
        # Backwards, removing the column copies the table again: the triggers come back last.
        migrations.RunPython(migrations.RunPython.noop, _triggers),
        migrations.AddField(
            model_name="searchdocument",
            name="sdg_mask",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(_fill, _drop),
    ]
