"""Moves awaiting a second person: who hears of a request, and the requester of the outcome.

The lifecycle services call these explicitly (no signals) inside their
transaction, so a notification exists exactly when the move it tells of
does; e-mail goes out after the commit.  Texts are written in the site's
default language (Bahasa Indonesia), as reminders are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from kembar.accounts.models import Notification, Role, User
from kembar.accounts.tasks import email_send
from kembar.jobs.services import QUEUE_ERRORS
from kembar.partnerships.models import TransitionRecord

__all__ = ["approval_candidates", "approvers_notify", "requester_notify"]

logger = logging.getLogger(__name__)
_SUBJECT_MAX = Notification._meta.get_field("subject").max_length or 200


def approval_candidates(record: TransitionRecord) -> list[User]:
    """Active users whose role may approve ``record``'s move (region not yet checked)."""
    transition = record.transition
    roles = list(transition.approver_roles) if transition else []
    users = User.objects.filter(is_active=True, role__in=[*roles, Role.ADMINISTRATOR])
    if record.actor_id is not None:
        users = users.exclude(pk=record.actor_id)
    return list(users.select_related("organisation__parent__parent").order_by("id"))


def _mail(user: User, subject: str, body: str) -> None:
    # The task queue sends it, so the decision's request does not wait for the mail server
    # (and a failure there is tried again); the notification stands whatever happens to it.
    try:
        email_send(user.pk, subject, body)
    except QUEUE_ERRORS:
        logger.warning("Approval e-mail %r to user %s not queued", subject, user.pk, exc_info=True)


def _notify(user: User, *, key: str, subject: str, body: str, link: str) -> None:
    subject = Truncator(" ".join(subject.split())).chars(_SUBJECT_MAX)
    _notification, created = Notification.objects.get_or_create(
        user=user, dedupe_key=key, defaults={"subject": subject, "body": body, "link": link}
    )
    if created and user.email:
        transaction.on_commit(partial(_mail, user, subject, body))


def _names(record: TransitionRecord) -> dict[str, str]:
    return {
        "partnership": record.partnership.partner_name,
        "source": record.source.name if record.source else "—",
        "target": record.target.name,
        "actor": str(record.actor) if record.actor else "—",
        "approver": str(record.approver) if record.approver else "—",
        "reason": record.reason or "—",
        "note": record.decision_note or "—",
    }


def approvers_notify(record: TransitionRecord, approvers: Iterable[User]) -> int:
    """Tell each of ``approvers`` that ``record`` awaits their decision; returns how many."""
    link = reverse("staff:approvals")
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        names = _names(record)
        subject = _("Approval requested: %(partnership)s to %(target)s") % names
        body = (
            _(
                "%(actor)s proposes to move %(partnership)s from %(source)s to %(target)s. "
                "Reason: %(reason)s. Approve or reject it under Approvals in the staff area."
            )
            % names
        )
        for user in approvers:
            _notify(
                user, key=f"approval:{record.pk}:request", subject=subject, body=body, link=link
            )
            count += 1
    return count


def requester_notify(record: TransitionRecord) -> None:
    """Tell whoever proposed ``record`` that it was approved or rejected, and why."""
    requester = record.actor
    if requester is None or not requester.is_active:
        return
    link = reverse("staff:partnership-detail", kwargs={"slug": record.partnership.slug})
    with translation.override(settings.LANGUAGE_CODE):
        names = _names(record)
        if record.status == TransitionRecord.Status.APPLIED:
            subject = _("Approved: %(partnership)s moved to %(target)s") % names
            body = (
                _(
                    "%(approver)s approved your proposal to move %(partnership)s from "
                    "%(source)s to %(target)s. Note: %(note)s"
                )
                % names
            )
        else:
            subject = _("Rejected: %(partnership)s stays at %(source)s") % names
            body = (
                _(
                    "%(approver)s rejected your proposal to move %(partnership)s from "
                    "%(source)s to %(target)s. Reason: %(note)s"
                )
                % names
            )
        _notify(
            requester,
            key=f"approval:{record.pk}:{record.status}",
            subject=subject,
            body=body,
            link=link,
        )
