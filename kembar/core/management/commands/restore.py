from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.core.backups import (
    BackupError,
    backup_restore,
    backup_verify,
    restore_obstacles,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup`: checks every file against the manifest first, "
        "then loads the database and puts the uploaded files back. Refuses to replace a "
        "database that has tables, or files already there, unless --force (or you confirm "
        "at a terminal); replaced files are moved aside, not deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the backup's directory")
        parser.add_argument(
            "--force", action="store_true", help="replace the database and files that are there"
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="never ask; refuse instead unless --force",
        )  # fmt: skip
        parser.add_argument("--database", default="default", help="database alias (default)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        using: str = options["database"]
        force: bool = options["force"]
        try:
            manifest = backup_verify(directory)
            self.stdout.write(
                _(
                    "Checked %(count)s files of the backup made %(when)s: all complete and "
                    "unchanged."
                )
                % {"count": len(manifest["files"]), "when": manifest["created_at"]}
            )
            obstacles = restore_obstacles(manifest=manifest, using=using)
            if obstacles and not force and options["interactive"] and sys.stdin.isatty():
                try:
                    answer = input(
                        _("This replaces what is there (%(obstacles)s). Type yes to go on: ")
                        % {"obstacles": "; ".join(obstacles)}
                    )
                except EOFError:  # Ctrl-D
                    answer = ""
                if answer.strip().lower() not in {"yes", "ya"}:
                    raise CommandError(_("Not confirmed: nothing was restored."))
                force = True
            summary = backup_restore(directory=directory, force=force, using=using)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored the %(engine)s database and %(files)s uploaded files (%(bytes)s bytes).")
            % {"engine": summary.engine, "files": summary.files, "bytes": summary.bytes}
        )
        for path in summary.moved_aside:
            self.stdout.write(_("The files that were there are kept in %(path)s.") % {"path": path})
        self.stdout.write(
            _(
                "Run `manage.py migrate` if this code is newer than the backup, then restart "
                "the web server and the worker."
            )
        )
