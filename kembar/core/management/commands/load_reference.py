from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.core.services import reference_load
from kembar.geo.errors import ReferenceDataError


class Command(BaseCommand):
    help = (
        "Load countries, world cities, Indonesian regions, the world twin-town network and the "
        "documented partnerships. Idempotent; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.KEMBAR_DATA_DIR,
            help="folder with the reference files (default: the shipped kembar/data)",
        )
        parser.add_argument(
            "--force", action="store_true", help="compare and load even if no file changed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        try:
            result = reference_load(
                data_dir=options["data_dir"],
                force=options["force"],
                progress=(lambda msg: self.stdout.write(f"  {msg}"))
                if verbose
                else (lambda _m: None),
            )
        except ReferenceDataError as exc:
            raise CommandError(f"Reference data not loaded, nothing changed: {exc}") from exc
        if not verbose:
            return
        if result.skipped:
            self.stdout.write(
                f"Reference data unchanged ({result.fingerprint[:12]}); nothing to do."
            )
            return
        network = result.stats.get("network", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded in {result.seconds:.1f} s. Twin-town pairs placed: "
                f"{network.get('pair_rate', 0):.2%}; city ends matched to GeoNames within 50 km: "
                f"{network.get('geonames_match_rate', 0):.2%}."
            )
        )
        if options["verbosity"] >= 2:
            self.stdout.write(json.dumps(result.stats, indent=2, default=str))
