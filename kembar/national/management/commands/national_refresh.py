"""``manage.py national_refresh [--region KODE …]``: recompute the national summaries.

Without ``--region`` every province and kabupaten/kota, a batch of regions at a
time (what the queue's worker runs each night); with it, only those regions.
Idempotent: the rows of a region are replaced.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.national.refresh import BATCH, national_refresh, regions_refresh


class Command(BaseCommand):
    help = "Recompute the national summaries of every region (or of the regions named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            metavar="KODE",
            help="Kemendagri code of a province or kabupaten/kota (repeatable).",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="Compute the states as of this day (YYYY-MM-DD) instead of today.",
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="Regions computed together.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if options["region"]:
            rows = regions_refresh(options["region"], today=options["as_of"])
            self.stdout.write(
                f"{len(set(options['region']))} regions asked, {rows} year rows written "
                f"in {time.perf_counter() - started:.1f} s."
            )
            return

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{total} regions")

        regions = national_refresh(
            today=options["as_of"], batch=options["batch"], progress=progress
        )
        self.stdout.write(f"{regions} regions refreshed in {time.perf_counter() - started:.1f} s.")
