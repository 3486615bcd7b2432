"""Work of accounts that the task queue's worker runs (``manage.py run_huey``).

- ``purge_login_records``: every day, the sign-in records past their retention;
- ``email_send``: an e-mail to a user, sent by the worker so that no request
  waits for the mail server, and tried again while the server is away.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from huey.contrib.djhuey import db_periodic_task, db_task

from kembar.accounts.models import User
from kembar.accounts.services import login_records_purge
from kembar.jobs.schedule import local_crontab

__all__ = ["email_send", "purge_login_records"]

logger = logging.getLogger(__name__)


# The tasks return nothing: huey would keep every return value in its result store.


@db_periodic_task(local_crontab(hour="2", minute="30"))
def purge_login_records() -> None:
    """Every day at 02:30 local time: delete sign-in records past their retention.

    The same as ``manage.py purge_login_records`` (``KEMBAR_LOGIN_RECORD_DAYS``); idempotent.
    """
    days = settings.KEMBAR_LOGIN_RECORD_DAYS
    counts = login_records_purge(days=days)
    logger.info("Deleted sign-in records older than %s days: %s", days, counts)


@db_task(retries=5, retry_delay=120)
def email_send(recipient_id: int, subject: str, body: str) -> None:
    """Send ``subject`` and ``body`` to the user's current address (none: nothing to send).

    A failure (mail server unreachable) is retried five times, two minutes apart.
    """
    email = User.objects.filter(pk=recipient_id).values_list("email", flat=True).first()
    if email:
        send_mail(subject, body, None, [email])
