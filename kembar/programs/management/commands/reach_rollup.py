"""``manage.py reach_rollup [--check]``: rebuild (or check) the participant summary."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kembar.programs.rollup import rollup_differences, rollup_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the participant summary the reach dashboard reads, or with --check report "
        "where it differs from the participant counts (exit status 1 when it does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only compare; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            differences = rollup_differences()
            if differences:
                self.stdout.write(json.dumps(differences[:50], indent=2))
                raise CommandError(
                    _("%(count)s summary rows differ from the counts; run reach_rollup.")
                    % {"count": len(differences)}
                )
            self.stdout.write(_("The summary agrees with the participant counts."))
            return
        rows = rollup_rebuild()
        self.stdout.write(_("Summary rebuilt: %(rows)s rows.") % {"rows": rows})
