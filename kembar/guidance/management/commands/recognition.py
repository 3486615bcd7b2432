"""``manage.py recognition --year YYYY [--region KODE] [--format text|json]``: the year's ranking.

The public partnerships ranked by the published criteria
(:mod:`kembar.guidance.recognition`), as the public page shows them: every
criterion's figure, value and points, the total and the tie-break.  No count
of people is printed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kembar.guidance.recognition import FIRST_YEAR, recognition
from kembar.partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Rank the public partnerships of a year by the recognition criteria (reach, "
        "reciprocity, health, results, learning) and print each criterion's value."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the year, YYYY")
        parser.add_argument("--region", default="", help="only this local region (Kemendagri code)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        year, today = options["year"], timezone.localdate()
        if not FIRST_YEAR <= year <= today.year:
            raise CommandError(f"--year: {year} is not between {FIRST_YEAR} and {today.year}")
        partnerships = Partnership.objects.filter(is_public=True)
        if options["region"]:
            partnerships = partnerships.filter(local_region_id=options["region"])
        result = recognition(year=year, partnerships=partnerships, today=today)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
            return
        keys = [criterion.key for criterion in result.criteria]
        weights = ", ".join(f"{c.key} {c.weight:.2f}" for c in result.criteria)
        self.stdout.write(
            f"Recognition {year} (as of {result.as_of.isoformat()}); weights: {weights}"
        )
        self.stdout.write("\t".join(["rank", "partnership", *keys, "total", "recognised", "tie"]))
        for row in result.rows:
            values = [f"{row.value(key).value:.4f}" for key in keys]
            self.stdout.write(
                "\t".join(
                    [
                        str(row.rank),
                        row.slug,
                        *values,
                        f"{row.total:.4f}",
                        "yes" if row.recognised else "no",
                        row.tie_break,
                    ]
                )
            )
