"""``manage.py search_reindex [--kind KIND]``: rebuild the search index from the records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.search.registry import SOURCES, reindex


class Command(BaseCommand):
    help = "Rebuild the search index (every kind, or --kind), in batches; safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", help="only this kind (repeatable)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kind"] or sorted(SOURCES)
        unknown = sorted(set(kinds) - set(SOURCES))
        if unknown:
            raise CommandError(
                f"unknown kind {', '.join(unknown)}; known: {', '.join(sorted(SOURCES))}"
            )
        for kind in kinds:
            indexed, removed = reindex(kind, batch_size=options["batch_size"])
            self.stdout.write(f"{kind}: {indexed} indexed, {removed} removed")
