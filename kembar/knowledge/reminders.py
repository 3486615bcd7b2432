"""Asking agencies for the reflection on a completed activity, and reminding them once.

Run once a day (``manage.py reflection_reminders``, and the task queue's
``knowledge.tasks.send_reflection_reminders``).  A completed activity that
is not a demonstration record and has no reflection yet is *due* from its
end date for :data:`REFLECTION_DAYS` days:

- on the first run in the due window its agency is asked
  (``reflection-request:<activity pk>``);
- from :data:`REMINDER_DAYS_BEFORE` days before the deadline it is reminded
  (``reflection-reminder:<activity pk>``); a first run that late sends the
  reminder only, which says all the request would;
- after the deadline nothing more is sent (the dashboard shows it missing).

The messages go, as notifications and e-mails, to the officers of the
activity's agency (role ``agency_officer``) and the cooperation officers of
the region.  The notification's ``dedupe_key`` makes every run idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kembar.accounts.delivery import DeliveryCounts, deliver_once, one_line
from kembar.accounts.models import Role, User
from kembar.accounts.rules import serves_region
from kembar.programs.models import Activity, ActivityStatus

__all__ = [
    "REFLECTION_DAYS",
    "REMINDER_DAYS_BEFORE",
    "ReflectionCounts",
    "reflection_deadline",
    "reflection_reminders_send",
    "reflection_stage",
]

#: Days after an activity's end within which its agency writes the reflection.
REFLECTION_DAYS = 30
#: Days before that deadline on which the reminder goes out.
REMINDER_DAYS_BEFORE = 7


#: What a run sent (notifications created, e-mails sent once committed).
ReflectionCounts = DeliveryCounts


def reflection_deadline(end_date: dt.date) -> dt.date:
    """The day by which the reflection on an activity that ended on ``end_date`` is due.

    >>> reflection_deadline(dt.date(2025, 3, 1))
    datetime.date(2025, 3, 31)
    """
    return end_date + dt.timedelta(days=REFLECTION_DAYS)


def reflection_stage(end_date: dt.date, *, today: dt.date) -> str | None:
    """``request``, ``reminder`` or ``None`` (not ended yet, or past the deadline).

    >>> end = dt.date(2025, 3, 1)
    >>> reflection_stage(end, today=end), reflection_stage(end, today=dt.date(2025, 3, 24))
    ('request', 'reminder')
    >>> print(reflection_stage(end, today=dt.date(2025, 4, 1)))
    None
    """
    deadline = reflection_deadline(end_date)
    if today < end_date or today > deadline:
        return None
    if (deadline - today).days <= REMINDER_DAYS_BEFORE:
        return "reminder"
    return "request"


@dataclass(frozen=True, slots=True)
class _Message:
    activity: Activity
    dedupe_key: str
    subject: str
    body: str
    link: str


def _message(activity: Activity, stage: str) -> _Message:
    values = {
        "reference": activity.reference,
        "title": activity.title,
        "date": date_format(reflection_deadline(activity.end_date), "j F Y"),
    }
    if stage == "request":
        subject = _("Reflection asked: %(reference)s %(title)s") % values
        lead = _("The activity %(reference)s “%(title)s” is completed.") % values
    else:
        subject = _("Reflection due by %(date)s: %(reference)s %(title)s") % values
        lead = _("The reflection on %(reference)s “%(title)s” has not been written yet.") % values
    body = "\n\n".join(
        [
            lead,
            _(
                "By %(date)s, write a short reflection: what we learned, what we will change, "
                "and who should know. The cooperation office turns it into a lesson others "
                "can use."
            )
            % values,
        ]
    )
    return _Message(
        activity=activity,
        dedupe_key=f"reflection-{stage}:{activity.pk}",
        subject=one_line(subject),
        body=body,
        link=reverse("knowledge:reflection", kwargs={"reference": activity.reference}),
    )


def _due(*, today: dt.date) -> Iterator[_Message]:
    activities = (
        Activity.objects.filter(
            status=ActivityStatus.COMPLETED,
            is_demo=False,
            reflection__isnull=True,
            end_date__lte=today,
            end_date__gte=today - dt.timedelta(days=REFLECTION_DAYS),
        )
        .select_related("partnership", "agency")
        .order_by("end_date", "pk")
    )
    for activity in activities:
        stage = reflection_stage(activity.end_date, today=today)
        if stage is not None:
            yield _message(activity, stage)


class _Recipients:
    """The officers of an agency and the cooperation officers of a region, each looked up once."""

    def __init__(self) -> None:
        active = User.objects.filter(is_active=True, organisation__isnull=False).order_by("id")
        self._agency_officers = list(active.filter(role=Role.AGENCY_OFFICER))
        self._cooperation = list(
            active.filter(role=Role.COOPERATION_OFFICER).select_related(
                "organisation__parent__parent"
            )
        )

    def for_activity(self, activity: Activity) -> list[User]:
        region_id = activity.partnership.local_region_id
        agency = [
            user for user in self._agency_officers if user.organisation_id == activity.agency_id
        ]
        office = [user for user in self._cooperation if serves_region(user, region_id)]
        return agency + office


def reflection_reminders_send(*, today: dt.date, language: str | None = None) -> ReflectionCounts:
    """Send the reflection requests and reminders due on ``today``; idempotent."""
    counts = ReflectionCounts()
    with translation.override(language or settings.LANGUAGE_CODE):
        messages = list(_due(today=today))
    if not messages:
        return counts
    recipients = _Recipients()
    for message in messages:
        for user in recipients.for_activity(message.activity):
            deliver_once(
                user,
                dedupe_key=message.dedupe_key,
                subject=message.subject,
                body=message.body,
                link=message.link,
                counts=counts,
            )
    return counts
