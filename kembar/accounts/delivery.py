"""Deliver a message once: a notification in the application and, after commit, an e-mail.

The scheduled reminders (:mod:`kembar.partnerships.reminders`,
:mod:`kembar.knowledge.reminders`) name each message with a ``dedupe_key``;
the unique constraint on (user, dedupe_key) makes a second run, or a run on
two workers, deliver nothing twice.  They run in the task queue's worker,
so the e-mail is sent there and then (not queued again), once the
notification is committed.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils.text import Truncator

from kembar.accounts.models import Notification, User

__all__ = ["SUBJECT_MAX", "DeliveryCounts", "deliver_once", "one_line"]

logger = logging.getLogger(__name__)

#: The longest subject a notification holds.
SUBJECT_MAX = Notification._meta.get_field("subject").max_length or 200


@dataclass(slots=True)
class DeliveryCounts:
    """What a run delivered.

    E-mails go out once their notification is committed; inside an outer
    transaction ``emails`` grows when that transaction commits.
    """

    notifications: int = 0
    emails: int = 0


def one_line(text: str, length: int = SUBJECT_MAX) -> str:
    """``text`` on one line, cut to ``length`` characters (a subject).

    >>> one_line("Agreement  expires\\nsoon", 12)
    'Agreement e…'
    """
    return Truncator(" ".join(text.split())).chars(length)


def _mail(counts: DeliveryCounts, *, user: User, subject: str, body: str) -> None:
    try:
        counts.emails += send_mail(subject, body, None, [user.email])
    except (smtplib.SMTPException, OSError):
        # The notification stands; one unreachable mailbox must not stop the run.
        logger.warning("E-mail %r to user %s not sent", subject, user.pk, exc_info=True)


def deliver_once(
    user: User,
    *,
    dedupe_key: str,
    subject: str,
    body: str,
    link: str,
    counts: DeliveryCounts,
) -> bool:
    """Notify ``user`` unless ``dedupe_key`` already reached them; e-mail them after commit.

    Returns whether a notification was created (and ``counts`` grew).
    """
    with transaction.atomic():
        _notification, created = Notification.objects.get_or_create(
            user=user,
            dedupe_key=dedupe_key,
            defaults={"subject": subject, "body": body, "link": link},
        )
        if not created:
            return False
        counts.notifications += 1
        if user.email:
            transaction.on_commit(partial(_mail, counts, user=user, subject=subject, body=body))
    return True
