"""``manage.py export_open_data --out DIR``: the public datasets as a Frictionless data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kembar.opendata.build import build_package


class Command(BaseCommand):
    help = (
        "Write DIR/datapackage.json and its resources (each public dataset as CSV and JSON), "
        "the same files /open-data/ serves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="folder to write (replaced)")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        descriptor = build_package(out)
        self.stdout.write(
            f"Wrote {out / 'datapackage.json'} with {len(descriptor['resources'])} resources."
        )
