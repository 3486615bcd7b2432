"""``manage.py report``: make a report from the record, as the staff pages' job makes it.

    python manage.py report --kind council|ministry|profile --region 33.74 --year 2025 \\
        [--partnership SLUG] --format pdf|xlsx --out FILE [--language id|en]

The file is the same as the one downloaded from ``/staff/reports/`` for the
same options and data (:func:`kembar.reports.services.report_build`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.reports.content import KINDS
from kembar.reports.render import FORMATS
from kembar.reports.services import LANGUAGES, ReportOptions, report_build


class Command(BaseCommand):
    help = "Make the council or ministry report or a partnership profile as PDF or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--region", required=True, help="Region code, e.g. 33.74.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--partnership", default="", help="Slug (ministry and profile).")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True, type=Path, help="The file to write.")
        parser.add_argument("--language", default="id", choices=LANGUAGES)

    def handle(self, *args: Any, **options: Any) -> None:
        report = ReportOptions(
            kind=options["kind"],
            region=options["region"],
            year=options["year"],
            format=options["format"],
            language=options["language"],
            partnership=options["partnership"],
        )
        try:
            _name, content = report_build(report)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        out: Path = options["out"]
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}") from error
        self.stdout.write(f"{out} ({len(content)} bytes)")
