from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kembar.geo.errors import ReferenceDataError
from kembar.partnerships.national import load_national_record


class Command(BaseCommand):
    help = (
        "Load the Indonesian partnerships of the world twin-town list as the national starting "
        "record: each town matched to a kota, kabupaten or province with the reason, each pair "
        "unverified until the region confirms it; rows no region matches go to the review list "
        "(admin: Partnerships › National record rows to review). Run after load_reference. "
        "Idempotent; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what a load would do; write nothing"
        )
        parser.add_argument(
            "--region", metavar="KODE", help="only this region's rows (a Kemendagri code)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_national_record(region=options["region"], dry_run=options["dry_run"])
        except (ReferenceDataError, ValueError) as exc:
            raise CommandError(f"National record not loaded, nothing changed: {exc}") from exc
        if options["verbosity"] >= 2:
            with translation.override("en"):
                for row in result.details:
                    region = row.match.region
                    where = f"{region.kode} {region.name}" if region else "review"
                    why = row.review_reason or row.match.reason
                    self.stdout.write(f"  line {row.line}: {row.town} → {where} ({why})")
        if options["verbosity"] < 1:
            return
        matched = result.matched
        verb = "would be created" if result.dry_run else "created"
        self.stdout.write(
            f"Rows with an Indonesian town: {result.rows}; matched to a kota {matched['kota']}, "
            f"a kabupaten {matched['kabupaten']}, a province {matched['province']}; "
            f"to review {result.to_review}."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Partnerships {verb}: {result.created}; already present: "
                f"{result.already_present}."
                + (" Dry run: nothing written." if result.dry_run else "")
            )
        )
