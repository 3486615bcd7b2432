from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite through its online backup API, PostgreSQL through "
        "pg_dump) and every uploaded file into a new directory, with a manifest holding the "
        "SHA-256 of each file. The application may keep running. Restore with `restore DIR`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="a new (or empty) directory for the backup"
        )
        parser.add_argument("--database", default="default", help="database alias (default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(out=options["out"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Backed up the %(engine)s database (%(database_bytes)s bytes) and %(files)s "
                "uploaded files (%(bytes)s bytes) to %(path)s, each with its SHA-256 in "
                "manifest.json."
            )
            % {
                "engine": summary.engine,
                "database_bytes": summary.database_bytes,
                "files": summary.files,
                "bytes": summary.bytes,
                "path": summary.directory,
            }
        )
