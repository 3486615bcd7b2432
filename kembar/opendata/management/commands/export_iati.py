"""Write a region's IATI 2.03 activity file, and its organisation file next to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.opendata.iati import IatiError, activities_xml, iati_validate, organisation_xml


def organisation_path(activities_path: Path) -> Path:
    """Where the organisation file goes by default: ``FILE.xml`` → ``FILE-organisation.xml``."""
    return activities_path.with_name(f"{activities_path.stem}-organisation.xml")


def _write(path: Path, content: bytes) -> None:
    # Written beside the target, then renamed over it: a reader never sees half a file.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)


class Command(BaseCommand):
    help = (
        "Write the IATI 2.03 activity file of a region's public activities to --out, and the "
        "organisation file of its government to FILE-organisation.xml beside it (or "
        "--organisation-out). Both are validated against the shipped IATI schemas first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region", required=True, help="Kemendagri code of the region, e.g. 33.74"
        )
        parser.add_argument("--out", required=True, type=Path, help="the activity file to write")
        parser.add_argument(
            "--organisation-out",
            type=Path,
            default=None,
            help="the organisation file to write (default: FILE-organisation.xml beside --out)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        organisation_out: Path = options["organisation_out"] or organisation_path(out)
        try:
            activities = activities_xml(options["region"])
            organisation = organisation_xml(options["region"])
            iati_validate(activities, "activities")
            iati_validate(organisation, "organisations")
        except IatiError as error:
            raise CommandError(str(error)) from error
        if not out.parent.is_dir():
            raise CommandError(f"No directory {out.parent} to write {out.name} in.")
        _write(out, activities)
        _write(organisation_out, organisation)
        self.stdout.write(f"Wrote {out} and {organisation_out}.")
