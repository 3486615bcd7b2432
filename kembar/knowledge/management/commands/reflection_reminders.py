"""``manage.py reflection_reminders [--today YYYY-MM-DD]``: ask for and remind of reflections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kembar.knowledge.reminders import reflection_reminders_send


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Ask the agencies of recently completed activities for their reflection, and remind "
        "them 7 days before the 30-day deadline, by notification and e-mail. Run daily; "
        "idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="the day to send for, YYYY-MM-DD (default: today in TIME_ZONE)"
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        counts = reflection_reminders_send(today=today, language=options["language"])
        self.stdout.write(
            f"Reflection reminders for {today.isoformat()}: {counts.notifications} "
            f"notifications created, {counts.emails} e-mails sent."
        )
