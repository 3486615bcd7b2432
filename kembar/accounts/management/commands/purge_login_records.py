"""Delete sign-in records (django-axes attempts and logs) older than the retention period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.accounts import services


class Command(BaseCommand):
    help = (
        "Delete sign-in records (failed attempts, sign-in and failure logs) older than "
        "KEMBAR_LOGIN_RECORD_DAYS days (or --days). Idempotent; run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep this many days (default: the setting KEMBAR_LOGIN_RECORD_DAYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.KEMBAR_LOGIN_RECORD_DAYS
        try:
            counts = services.login_records_purge(days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Deleted sign-in records older than {days} days: {counts['attempts']} attempts, "
            f"{counts['logs']} sign-in logs, {counts['failures']} failure logs."
        )
