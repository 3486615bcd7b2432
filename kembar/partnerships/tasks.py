"""Scheduled work of partnerships, run by the task queue's worker (``manage.py run_huey``)."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from kembar.jobs.schedule import local_crontab
from kembar.partnerships.reminders import reminders_send

__all__ = ["send_reminders"]

logger = logging.getLogger(__name__)


@db_periodic_task(local_crontab(hour="7", minute="0"))
def send_reminders() -> None:
    """Every day at 07:00 local time: the reminders due today (``manage.py send_reminders``).

    Expiring agreements, the council's deadline and partnerships whose health
    turned ``at_risk`` (:mod:`kembar.partnerships.reminders`).

    Idempotent: a second run the same day, or a run on two workers, sends nothing twice.
    Returns nothing (huey would keep it); the counts go to the log.
    """
    today = timezone.localdate()
    counts = reminders_send(today=today)
    logger.info(
        "Reminders for %s: %s notifications created, %s e-mails sent.",
        today.isoformat(),
        counts.notifications,
        counts.emails,
    )
