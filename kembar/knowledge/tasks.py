"""Scheduled work of the knowledge app, run by the task queue's worker (``manage.py run_huey``)."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from kembar.jobs.schedule import local_crontab
from kembar.knowledge.reminders import reflection_reminders_send

__all__ = ["send_reflection_reminders"]

logger = logging.getLogger(__name__)


@db_periodic_task(local_crontab(hour="7", minute="15"))
def send_reflection_reminders() -> None:
    """Every day at 07:15 local time: reflection requests and reminders due today.

    Idempotent (:mod:`kembar.knowledge.reminders`): a second run sends nothing twice.
    """
    today = timezone.localdate()
    counts = reflection_reminders_send(today=today)
    logger.info(
        "Reflection reminders for %s: %s notifications created, %s e-mails sent.",
        today.isoformat(),
        counts.notifications,
        counts.emails,
    )
