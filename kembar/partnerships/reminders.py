"""Reminders of agreements about to expire and of the council's deadline.

Run once a day (``manage.py send_reminders``).  Each reminder goes to the
cooperation officers serving the partnership's local region and to the
administrators, as a :class:`~kembar.accounts.models.Notification` and an
e-mail.  A notification's ``dedupe_key`` names the reminder, so running
again (the same day or after a missed one) sends nothing twice.

Which reminder is due
---------------------
An agreement (a current document of a kind with validity) passes the
stages of ``settings.KEMBAR_EXPIRY_REMINDER_DAYS`` (180, 90 and 30 days
left) and then ``expired``.  The reminder due is that of the most urgent
stage reached, once: a run that finds 89 days left sends the 90-day
reminder whether or not the 180-day one went out, and a run that finds 25
days left after a long pause sends only the 30-day one, since the earlier
ones would say less than it does.

A cooperation plan before the council (a partnership still in
``council_approval``, entered by an applied transition with a deadline) gets
a reminder from :data:`COUNCIL_REMINDER_WORKING_DAYS` working days before
the deadline, and one more once the deadline has passed.

A partnership whose health (:mod:`kembar.insights.health`) is ``at_risk`` as
of the day gets one warning per episode: the key holds the day the warning
started, so the same silence is announced once, and a partnership that
revives and falls silent again is announced again.  Partnerships in a
terminal lifecycle state are not watched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kembar.accounts.delivery import DeliveryCounts, deliver_once, one_line
from kembar.accounts.models import Notification, Role, User
from kembar.accounts.rules import serves_region
from kembar.analytics.health import health
from kembar.common.calendar import add_working_days
from kembar.geo.workdays import days_off
from kembar.insights.health import explanation_text, partnership_events
from kembar.insights.health_breadth import partnership_breadth
from kembar.partnerships.documents import documents_current
from kembar.partnerships.models import Partnership, PartnershipDocument, TransitionRecord

__all__ = [
    "COUNCIL_REMINDER_WORKING_DAYS",
    "COUNCIL_STATE",
    "ReminderCounts",
    "council_stage",
    "expiry_stage",
    "reminders_send",
]

#: The lifecycle state in which the regional council (DPRD) decides on the plan.
COUNCIL_STATE = "council_approval"
#: How many working days before the council's deadline the reminder goes out.
COUNCIL_REMINDER_WORKING_DAYS = 10


#: What a run sent (notifications created, e-mails sent once committed).
ReminderCounts = DeliveryCounts


@dataclass(frozen=True, slots=True)
class _Reminder:
    partnership: Partnership
    dedupe_key: str
    subject: str
    body: str
    link: str


def expiry_stage(days_left: int, thresholds: tuple[int, ...]) -> str | None:
    """The most urgent stage an agreement with ``days_left`` days has reached, if any.

    >>> expiry_stage(89, (180, 90, 30))
    '90'
    >>> expiry_stage(25, (180, 90, 30))
    '30'
    >>> expiry_stage(-1, (180, 90, 30))
    'expired'
    >>> print(expiry_stage(181, (180, 90, 30)))
    None
    """
    if days_left < 0:
        return "expired"
    reached = [threshold for threshold in thresholds if days_left <= threshold]
    return str(min(reached)) if reached else None


def council_stage(
    deadline: dt.date, *, today: dt.date, days_off: Container[dt.date] = frozenset()
) -> str | None:
    """``overdue`` after the deadline, ``due`` from 10 working days before it, else ``None``.

    ``days_off`` are the holidays and joint leave days the working days skip.

    >>> council_stage(dt.date(2026, 3, 20), today=dt.date(2026, 3, 6))  # a Friday, 2 weeks before
    'due'
    >>> print(council_stage(dt.date(2026, 3, 20), today=dt.date(2026, 3, 5)))
    None
    >>> council_stage(dt.date(2026, 3, 20), today=dt.date(2026, 3, 21))
    'overdue'
    """
    if today > deadline:
        return "overdue"
    if add_working_days(today, COUNCIL_REMINDER_WORKING_DAYS, holidays=days_off) >= deadline:
        return "due"
    return None


def _partnership_link(partnership: Partnership) -> str:
    return reverse("staff:partnership-detail", kwargs={"slug": partnership.slug})


def _expiry_reminder(
    document: PartnershipDocument, *, valid_until: dt.date, stage: str, today: dt.date
) -> _Reminder:
    partnership = document.partnership
    days_left = (valid_until - today).days
    values = {
        "partnership": str(partnership),
        "kind": document.kind.name,
        "title": document.title,
        "version": document.version,
        # As precisely as it is known: an end the sources give only as a year shows as the year.
        "date": document.valid_until_label(),
        "days": days_left,
    }
    if stage == "expired":
        subject = _("Agreement expired: %(partnership)s") % values
        body = (
            _(
                "%(kind)s “%(title)s” (version %(version)d) of the partnership %(partnership)s "
                "was valid until %(date)s and has expired. Upload the renewed agreement, or "
                "record that the cooperation has ended."
            )
            % values
        )
    else:
        if days_left == 0:
            subject = _("Agreement expires today: %(partnership)s") % values
        else:
            subject = (
                ngettext(
                    "Agreement expires in %(days)d day: %(partnership)s",
                    "Agreement expires in %(days)d days: %(partnership)s",
                    days_left,
                )
                % values
            )
        body = (
            _(
                "%(kind)s “%(title)s” (version %(version)d) of the partnership %(partnership)s "
                "is valid until %(date)s. If the cooperation is to continue, start the "
                "evaluation and the renewal now; a renewal takes several months."
            )
            % values
        )
    return _Reminder(
        partnership=partnership,
        dedupe_key=f"expiry:{document.pk}:{stage}",
        subject=one_line(subject),
        body=body,
        link=_partnership_link(partnership),
    )


def _expiry_reminders(*, today: dt.date) -> Iterator[_Reminder]:
    thresholds = tuple(settings.KEMBAR_EXPIRY_REMINDER_DAYS)
    documents = (
        documents_current()
        .filter(
            kind__has_validity=True,
            valid_until__isnull=False,
            valid_until__lte=today + dt.timedelta(days=max(thresholds, default=0)),
        )
        .exclude(partnership__state__is_terminal=True)
        .select_related("kind", "partnership__local_region")
        .order_by("valid_until", "id")
    )
    for document in documents:
        valid_until = document.valid_until
        if valid_until is None:  # excluded by the query; narrows the type
            continue
        stage = expiry_stage((valid_until - today).days, thresholds)
        if stage is not None:
            yield _expiry_reminder(document, valid_until=valid_until, stage=stage, today=today)


def _council_reminders(*, today: dt.date) -> Iterator[_Reminder]:
    records = (
        TransitionRecord.objects.filter(
            status=TransitionRecord.Status.APPLIED,
            target__code=COUNCIL_STATE,
            partnership__state__code=COUNCIL_STATE,
        )
        .select_related("partnership__local_region")
        .order_by("partnership_id", "-created_at", "-id")
    )
    seen: set[int] = set()
    calendar = days_off()
    for record in records:
        # A plan sent back and submitted again has a new deadline; only the
        # latest submission is before the council now.
        if record.partnership_id in seen:
            continue
        seen.add(record.partnership_id)
        if record.deadline is None:
            continue
        stage = council_stage(record.deadline, today=today, days_off=calendar)
        if stage is None:
            continue
        partnership = record.partnership
        values = {
            "partnership": str(partnership),
            "date": date_format(record.deadline, "j F Y"),
        }
        if stage == "overdue":
            subject = _("Council decision overdue: %(partnership)s") % values
            body = (
                _(
                    "The regional council (DPRD) was to decide on the cooperation plan of "
                    "%(partnership)s by %(date)s. Record its decision if it has arrived; "
                    "otherwise follow up with the council secretariat."
                )
                % values
            )
        else:
            subject = _("Council decision due by %(date)s: %(partnership)s") % values
            body = (
                _(
                    "The regional council (DPRD) is to decide on the cooperation plan of "
                    "%(partnership)s by %(date)s. If no decision has arrived yet, follow up "
                    "with the council secretariat."
                )
                % values
            )
        yield _Reminder(
            partnership=partnership,
            dedupe_key=f"council:{record.pk}:{stage}",
            subject=one_line(subject),
            body=body,
            link=_partnership_link(partnership),
        )


def _health_reminders(*, today: dt.date) -> Iterator[_Reminder]:
    partnerships = list(
        Partnership.objects.exclude(state__is_terminal=True)
        .select_related("local_region")
        .order_by("partner_name", "pk")
    )
    events, _includes_demo = partnership_events(partnerships)
    breadths = partnership_breadth(partnerships)
    for partnership in partnerships:
        result = health(events[partnership.pk], today, breadths[partnership.pk].as_of(today))
        if result is None or result.state != "at_risk" or result.warning_since is None:
            continue
        values = {
            "partnership": str(partnership),
            "date": date_format(result.warning_since, "j F Y"),
        }
        subject = _("Partnership at risk of going dormant: %(partnership)s") % values
        body = "\n\n".join(
            [
                _(
                    "Since %(date)s the partnership %(partnership)s has been quieter than its "
                    "own pace allows."
                )
                % values,
                explanation_text(result),
                _(
                    "Agree the next activity with the partner, or record why the cooperation "
                    "is paused. The partnership's page shows its health over time."
                ),
            ]
        )
        yield _Reminder(
            partnership=partnership,
            dedupe_key=f"health:{partnership.pk}:at_risk:{result.warning_since.isoformat()}",
            subject=one_line(subject),
            body=body,
            link=_partnership_link(partnership),
        )


class _Recipients:
    """Who hears about a partnership: its region's cooperation officers and the administrators."""

    def __init__(self) -> None:
        active = User.objects.filter(is_active=True).order_by("id")
        self._officers = list(
            active.filter(role=Role.COOPERATION_OFFICER, organisation__isnull=False).select_related(
                "organisation__parent__parent"
            )
        )
        self._administrators = list(active.filter(role=Role.ADMINISTRATOR))
        self._by_region: dict[str, list[User]] = {}

    def for_region(self, region_id: str) -> list[User]:
        if region_id not in self._by_region:
            officers = [user for user in self._officers if serves_region(user, region_id)]
            self._by_region[region_id] = officers + self._administrators
        return self._by_region[region_id]


def reminders_send(*, today: dt.date, language: str | None = None) -> ReminderCounts:
    """Send every reminder due on ``today`` that has not been sent; idempotent.

    Subjects and bodies are written in ``language`` (default
    ``settings.LANGUAGE_CODE``, Bahasa Indonesia).  Returns how many
    notifications were created and e-mails sent.
    """
    counts = ReminderCounts()
    with translation.override(language or settings.LANGUAGE_CODE):
        reminders = [
            *_expiry_reminders(today=today),
            *_council_reminders(today=today),
            *_health_reminders(today=today),
        ]
    if not reminders:
        return counts
    already = set(
        Notification.objects.filter(
            dedupe_key__in={reminder.dedupe_key for reminder in reminders}
        ).values_list("user_id", "dedupe_key")
    )
    recipients = _Recipients()
    for reminder in reminders:
        for user in recipients.for_region(reminder.partnership.local_region_id):
            if (user.pk, reminder.dedupe_key) not in already:
                deliver_once(
                    user,
                    dedupe_key=reminder.dedupe_key,
                    subject=reminder.subject,
                    body=reminder.body,
                    link=reminder.link,
                    counts=counts,
                )
    return counts
