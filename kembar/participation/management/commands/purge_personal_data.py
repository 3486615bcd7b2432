"""Delete residents' personal data past its retention (kembar.participation.personal_data)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kembar.participation.personal_data import purge_personal_data


class Command(BaseCommand):
    help = (
        "Delete residents' personal data past its retention: unconfirmed registrations after a "
        "day, registrations KEMBAR_RETENTION_TAKING_PART_DAYS after their activity, consents to "
        "hear of future calls after KEMBAR_RETENTION_FUTURE_CALLS_DAYS, and residents with "
        "nothing left. Anonymous counts stay. Idempotent; the task queue runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would be deleted, delete nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            counts = purge_personal_data()
            if options["dry_run"]:
                transaction.set_rollback(True)
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"{verb}: {counts['pending_registrations']} unconfirmed registrations, "
            f"{counts['registrations']} registrations past their retention, "
            f"{counts['future_calls_consents']} consents to hear of future calls, "
            f"{counts['residents']} residents with nothing left."
        )
