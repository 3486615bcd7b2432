"""``manage.py export_activities --out FILE.xlsx [--partnership SLUG] [--user NAME] [--demo]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.accounts.models import User
from kembar.partnerships.models import Partnership
from kembar.programs.spreadsheet import activity_export


class Command(BaseCommand):
    help = (
        "Write the activities as the upload template, filled in (the workbook the staff pages "
        "export: one row per activity on Kegiatan, its participants, budget, contributions and "
        "results on the other sheets), to edit and import again. With --user: the activities "
        "that user may change, as the staff page gives them. Without --user the command works "
        "as the system: every real activity (with --partnership, every one of that "
        "partnership), whoever reported it. With --demo: the demonstration records instead "
        "(generate_demo), which import_activities --demo reads back as such."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
        parser.add_argument("--partnership", metavar="SLUG", help="only this partnership")
        parser.add_argument(
            "--user", metavar="USERNAME", help="export what this user may change (default: all)"
        )
        parser.add_argument(
            "--demo", action="store_true", help="the demonstration records instead of real ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(
                    _("There is no active user %(username)s.") % {"username": options["user"]}
                )
        partnership = None
        if options["partnership"]:
            partnership = Partnership.objects.filter(slug=options["partnership"]).first()
            if partnership is None:
                raise CommandError(
                    _("There is no partnership %(slug)s.") % {"slug": options["partnership"]}
                )
        try:
            content = activity_export(user=user, partnership=partnership, demo=options["demo"])
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        out = Path(options["out"])
        out.write_bytes(content)
        self.stdout.write(
            _("Wrote %(path)s (%(size)s bytes).") % {"path": out, "size": len(content)}
        )
