"""E-mails to residents and the calls' daily work, run by the task queue's worker.

- ``registration_mail``: one e-mail about one registration (confirmed, on
  the waiting list, moved up, cancelled, the selection's result, a
  reminder, the survey), in the person's language, with the link to see,
  download or delete their data and withdraw consent; retried while the
  mail server is away;
- ``calls_close``: every five minutes, published calls past their deadline
  are closed (and a first-come call's unclaimed reserved places released);
- ``reminders_send``: every day at 07:00, a reminder two days before;
- ``surveys_send``: every day at 09:00, the survey to those who took part in
  an activity that has ended.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kembar.jobs.schedule import local_crontab
from kembar.participation.links import manage_path, survey_path
from kembar.participation.models import (
    ConsentPurpose,
    Opportunity,
    OpportunityStatus,
    Registration,
    RegistrationStatus,
    Resident,
)

__all__ = [
    "call_announce",
    "calls_close",
    "mail_text",
    "registration_mail",
    "reminders_send",
    "surveys_send",
]

logger = logging.getLogger(__name__)


def _url(path: str) -> str:
    return settings.KEMBAR_SITE_URL + path


def mail_text(registration: Registration, kind: str) -> tuple[str, str] | None:
    """The subject and body of the ``kind`` e-mail (None: nothing to say any more)."""
    from kembar.participation.registrations import waiting_position

    opportunity = registration.opportunity
    with translation.override(registration.language):
        title = opportunity.title
        values = {
            "title": title,
            "number": registration.number,
            "code": registration.checkin_code,
            "start": opportunity.activity.start_date.isoformat(),
        }
        if kind in ("confirmed", "promoted", "result_confirmed"):
            if registration.status != RegistrationStatus.CONFIRMED:
                return None
            subject = _("[Kembar] Your place: %(title)s") % values
            body = (
                _(
                    "You have a place in “%(title)s” (registration %(number)s), starting "
                    "%(start)s.\n\nShow this check-in code, or its QR code on your page, at the "
                    "event: %(code)s\n\nCannot come? Cancel on your page so that someone waiting "
                    "gets your place."
                )
                % values
            )
        elif kind in ("waiting", "result_waiting"):
            if registration.status != RegistrationStatus.WAITING:
                return None
            values["position"] = str(waiting_position(registration) or "-")
            subject = _("[Kembar] On the waiting list: %(title)s") % values
            body = (
                _(
                    "All places of “%(title)s” are taken. You are number %(position)s on the "
                    "waiting list (registration %(number)s); we will write as soon as a place is "
                    "free for you."
                )
                % values
            )
        elif kind == "applied":
            if registration.status != RegistrationStatus.APPLIED:
                return None
            subject = _("[Kembar] Application received: %(title)s") % values
            body = (
                _(
                    "We received your application for “%(title)s” (registration %(number)s). "
                    "Places are given after the call closes; we will write with the result."
                )
                % values
            )
        elif kind == "cancelled":
            subject = _("[Kembar] Registration cancelled: %(title)s") % values
            body = (
                _(
                    "Your registration %(number)s for “%(title)s” is cancelled. Thank you for "
                    "letting us know."
                )
                % values
            )
        elif kind == "reminder":
            if registration.status != RegistrationStatus.CONFIRMED:
                return None
            subject = _("[Kembar] Reminder: %(title)s starts %(start)s") % values
            body = (
                _(
                    "A reminder: “%(title)s” starts %(start)s. Your check-in code is %(code)s.\n\n"
                    "Cannot come? Cancel on your page so that someone waiting gets your place."
                )
                % values
            )
        elif kind == "survey":
            if registration.status != RegistrationStatus.ATTENDED:
                return None
            values["survey"] = _url(survey_path(registration))
            subject = _("[Kembar] What did “%(title)s” bring you?") % values
            body = (
                _(
                    "Thank you for taking part in “%(title)s”. Four short questions help the "
                    "city plan the next activities: %(survey)s\n\nYour participation certificate "
                    "can be downloaded on the same page."
                )
                % values
            )
        else:
            raise ValueError(kind)
        footer = _("\n\n--\nSee, download or delete your data, or withdraw a consent: %(link)s") % {
            "link": _url(manage_path(registration.resident))
        }
    return subject, body + footer


@db_task(retries=5, retry_delay=120)
def registration_mail(registration_id: int, kind: str) -> None:
    """Send the ``kind`` e-mail about a registration (gone or changed since: nothing)."""
    registration = (
        Registration.objects.select_related("resident", "opportunity__activity")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    text = mail_text(registration, kind)
    if text is None:
        return
    send_mail(text[0], text[1], None, [registration.resident.email])


@db_task(retries=5, retry_delay=120)
def call_announce(opportunity_id: int) -> None:
    """Tell the residents who asked to hear of future calls that a call is open (once each).

    Only while their consent stands; each e-mail names the call and ends with the
    link to withdraw that consent.
    """
    opportunity = (
        Opportunity.objects.select_related("activity__partnership")
        .filter(pk=opportunity_id, status=OpportunityStatus.PUBLISHED)
        .first()
    )
    if opportunity is None:
        return
    residents = Resident.objects.filter(
        consents__purpose=ConsentPurpose.FUTURE_CALLS, consents__withdrawn_at__isnull=True
    ).distinct()
    for resident in residents.iterator():
        with translation.override(resident.language):
            values = {
                "title": opportunity.title,
                "deadline": opportunity.deadline.date().isoformat()
                if opportunity.deadline
                else "-",
                "url": _url(reverse("participation:opportunity", args=[opportunity.pk])),
                "link": _url(manage_path(resident)),
            }
            subject = _("[Kembar] A new call is open: %(title)s") % values
            body = (
                _(
                    "A new call of the city's sister-city cooperation is open: “%(title)s”, "
                    "registration until %(deadline)s.\n\n%(url)s\n\n--\nYou get this e-mail "
                    "because you asked to hear of future calls. Stop it, or see and delete your "
                    "data: %(link)s"
                )
                % values
            )
        send_mail(subject, body, None, [resident.email])


@db_periodic_task(crontab(minute="*/5"))
def calls_close() -> None:
    """Close published calls past their deadline (an officer may also close one earlier)."""
    from kembar.participation.services import opportunity_close_at_deadline

    for opportunity in Opportunity.objects.filter(
        status=OpportunityStatus.PUBLISHED, deadline__lte=timezone.now()
    ):
        if opportunity_close_at_deadline(opportunity):
            logger.info("Closed call %s at its deadline", opportunity.pk)


@db_periodic_task(local_crontab(hour="7", minute="0"))
def reminders_send() -> None:
    """Remind people with a place two days before their activity starts (once)."""
    today = timezone.localdate()
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminded_at__isnull=True,
        opportunity__activity__start_date__gte=today,
        opportunity__activity__start_date__lte=today + timedelta(days=2),
    )
    for pk in list(due.values_list("pk", flat=True)):
        if Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        ):
            registration_mail(pk, "reminder")


@db_periodic_task(local_crontab(hour="9", minute="0"))
def surveys_send() -> None:
    """Send the survey once to those who took part in an activity that has ended."""
    today = timezone.localdate()
    # Only while the consent to take part (which covers the survey) stands.
    due = Registration.objects.filter(
        status=RegistrationStatus.ATTENDED,
        survey_sent_at__isnull=True,
        opportunity__activity__end_date__lt=today,
        consents__purpose=ConsentPurpose.TAKING_PART,
        consents__withdrawn_at__isnull=True,
    ).distinct()
    for pk in list(due.values_list("pk", flat=True)):
        if Registration.objects.filter(pk=pk, survey_sent_at__isnull=True).update(
            survey_sent_at=timezone.now()
        ):
            registration_mail(pk, "survey")


@db_periodic_task(local_crontab(hour="3", minute="0"))
def personal_data_purge() -> None:
    """Every day at 03:00 local time: personal data past its retention is deleted.

    The same as ``manage.py purge_personal_data`` (kembar.participation.personal_data);
    idempotent.  Returns nothing: huey would keep a return value in its result store.
    """
    from kembar.participation.personal_data import purge_personal_data

    counts = purge_personal_data()
    logger.info("Deleted personal data past its retention: %s", counts)
