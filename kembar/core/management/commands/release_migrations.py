from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.core.migration_release import LISTING, release_check, release_new_migrations


class Command(BaseCommand):
    help = (
        "At a release: add the SHA-256 of each new migration to "
        "kembar/core/released_migrations.txt, which freezes it (a test then fails if it is "
        "ever edited). Refuses while a listed migration has changed. --check only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; exit 1 if a released migration changed or disappeared",
        )
        parser.add_argument(
            "--listing", type=Path, default=LISTING, help="the list of released migrations"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        listing: Path = options["listing"]
        check = release_check(listing=listing)
        if check.broken:
            raise CommandError(
                _(
                    "Released migrations were edited or removed (changed: %(changed)s; missing: "
                    "%(missing)s). Put them back as released and make a new migration instead."
                )
                % {
                    "changed": ", ".join(check.changed) or "-",
                    "missing": ", ".join(check.missing) or "-",
                }
            )
        if options["check"]:
            self.stdout.write(
                _("Released migrations unchanged; %(count)s not released yet: %(paths)s")
                % {"count": len(check.unreleased), "paths": ", ".join(check.unreleased) or "-"}
            )
            return
        new = release_new_migrations(listing=listing)
        self.stdout.write(
            _("Listed %(count)s new migrations as released in %(listing)s: %(paths)s")
            % {"count": len(new), "listing": listing.name, "paths": ", ".join(new) or "-"}
        )
