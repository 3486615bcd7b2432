"""``manage.py import_activities FILE [--mode all|valid] [--format json] [--user USERNAME]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.accounts.models import Role, User
from kembar.programs.spreadsheet import ImportReport, activity_import


def import_summary(report: ImportReport, rows: int) -> dict[str, Any]:
    """The JSON the command prints: rows read, applied, unchanged, and every problem."""
    applied = sum(
        report.counts[kind]["created"] + report.counts[kind]["updated"] for kind in report.counts
    )
    unchanged = sum(numbers["unchanged"] for numbers in report.counts.values())
    return {
        "rows": rows,
        "applied": applied,
        "unchanged": unchanged,
        "errors": [
            {
                "sheet": problem.sheet,
                "row": problem.row,
                "column": problem.column,
                "message": f"{problem.message} {problem.fix}".strip(),
            }
            for problem in report.problems
        ],
    }


class Command(BaseCommand):
    help = (
        "Check a workbook (or CSV) in the upload template's format and apply it, exactly as an "
        "upload on the staff pages: every row is checked first, then written in short "
        "transactions, all or nothing (--mode all, the default) or only the activities whose "
        "rows are all valid (--mode valid). The file is read by its values even if the same "
        "file was applied before. --format json prints exactly "
        '{"rows", "applied", "unchanged", "errors": [{"sheet", "row", "column", "message"}]}: '
        "rows = data rows read from the file (0 when the file itself is refused); applied = "
        "rows whose record was created or changed; unchanged = rows whose record was already "
        "exactly so (a participant row of 0 people stores nothing and counts in neither); "
        "errors = every problem, by sheet, row number as a spreadsheet shows it (0: the whole "
        "file or sheet), column key (row 1 of the sheet; empty when no column is concerned) "
        "and the message with how to fix it. Without --format json: the same as text. Exit "
        "status 0 when nothing failed, 1 otherwise. It acts as --user (default: the first "
        "active administrator) with that user's permissions. With --demo the file holds "
        "demonstration records (export_activities --demo) and they are imported as such."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the workbook (.xlsx) or CSV file")
        parser.add_argument(
            "--mode",
            choices=("all", "valid"),
            default="all",
            help="all: nothing unless every row is valid (default); valid: the valid activities",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="who imports (default: the first active administrator)",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="the file holds demonstration records (references DEMO-…); administrators only",
        )

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(
                    _("There is no active user %(username)s.") % {"username": username}
                )
            return user
        user = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(
                _(
                    "There is no active administrator to import as: create one "
                    "(createsuperuser) or name a user with --user."
                )
            )
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        if options["demo"] and actor.role != Role.ADMINISTRATOR:
            raise CommandError(_("Only an administrator may import demonstration records."))
        path = Path(options["file"])
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        # The size is checked before the file is read: a file over the limit is not read at all.
        content = b"" if size > settings.KEMBAR_MAX_UPLOAD_BYTES else path.read_bytes()
        rows_read: list[int] = [0]

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "checking":
                rows_read[0] = total

        report = activity_import(
            actor=actor,
            filename=path.name,
            content=content,
            size=size,
            apply_valid=options["mode"] == "valid",
            progress=progress,
            trust_digest=False,
            demo=options["demo"],
        )
        summary = import_summary(report, rows_read[0])
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(
                _(
                    "%(rows)s rows read: %(applied)s applied, %(unchanged)s unchanged, "
                    "%(errors)s problems."
                )
                % {
                    "rows": summary["rows"],
                    "applied": summary["applied"],
                    "unchanged": summary["unchanged"],
                    "errors": len(summary["errors"]),
                }
            )
            for problem in report.problems:
                self.stdout.write(f"  {problem}")
        if summary["errors"]:
            sys.exit(1)
