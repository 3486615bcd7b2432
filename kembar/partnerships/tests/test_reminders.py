from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from kembar.accounts.models import Notification, Organisation, Role, User
from kembar.accounts.tests.factories import standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.documents import document_expiry
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    DocumentKind,
    LifecycleState,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.reminders import ReminderCounts, expiry_stage, reminders_send
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)  # a Monday
NAME = "Kota Semarang – Brisbane"
LINK = "/staff/partnerships/smg-brisbane/"
OFFICER_MAIL = "kerjasama@semarangkota.go.id"
ADMIN_MAIL = "admin@kembar.example"

Send = Callable[..., ReminderCounts]


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def person(username: str, role: str, organisation: Organisation | None, *, email: str = "") -> User:
    # These users never sign in: an unusable password skips the slow Argon2 hash.
    user = User(username=username, role=role, organisation=organisation, email=email)
    user.set_unusable_password()
    user.save()
    return user


@dataclass(frozen=True)
class World:
    partnership: Partnership
    officer: User
    unit_officer: User
    administrator: User
    council_member: User
    other_officer: User
    retired_officer: User


@pytest.fixture
def world() -> World:
    lifecycle_seed_apply(lifecycle_read(django_settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    organisations = standard_organisations()
    officer = person(
        "officer", Role.COOPERATION_OFFICER, organisations.semarang, email=OFFICER_MAIL
    )
    retired = person(
        "retired", Role.COOPERATION_OFFICER, organisations.semarang, email="old@semarang.example"
    )
    retired.is_active = False
    retired.save()
    return World(
        partnership=PartnershipFactory.create(
            slug="smg-brisbane",
            partner_city=organisations.partner_city,
            partner_name="Brisbane",
            state=LifecycleState.objects.get(code="active"),
        ),
        officer=officer,
        # A cooperation officer of an agency serves the agency's region; no e-mail address.
        unit_officer=person(
            "unit-officer", Role.COOPERATION_OFFICER, organisations.dinas_pendidikan
        ),
        administrator=person("admin", Role.ADMINISTRATOR, None, email=ADMIN_MAIL),
        council_member=person(
            "council",
            Role.COUNCIL_MEMBER,
            organisations.dprd_semarang,
            email="dprd@semarangkota.go.id",
        ),
        other_officer=person(
            "magelang",
            Role.COOPERATION_OFFICER,
            organisations.magelang,
            email="kerjasama@magelangkota.go.id",
        ),
        retired_officer=retired,
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Send:
    """Run the reminders and the e-mails queued for after commit, as a daily run would."""

    def run(today: dt.date, **options: Any) -> ReminderCounts:
        with django_capture_on_commit_callbacks(execute=True):
            counts = reminders_send(today=today, **options)
        return counts

    return run


def agreement(
    world: World,
    *,
    valid_until: dt.date | None,
    kind: str = "mou",
    version: int = 1,
    supersedes: PartnershipDocument | None = None,
    partnership: Partnership | None = None,
) -> PartnershipDocument:
    partnership = partnership or world.partnership
    sha256 = hashlib.sha256(f"{partnership.slug}/{kind}/{version}".encode()).hexdigest()
    return PartnershipDocument.objects.create(
        partnership=partnership,
        kind=DocumentKind.objects.get(code=kind),
        title="MoU Semarang–Brisbane",
        language="id+en",
        version=version,
        supersedes=supersedes,
        signed_on=dt.date(2021, 8, 30) if valid_until else None,
        valid_from=dt.date(2021, 8, 30) if valid_until else None,
        valid_until=valid_until,
        file=f"documents/2021/{sha256}.pdf",
        sha256=sha256,
        size_bytes=2048,
        uploaded_by=world.officer,
        uploaded_at=dt.datetime(2021, 9, 1, 9, tzinfo=dt.UTC),
    )


def sent() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("user__username", "dedupe_key"))


def to_everyone(key: str) -> set[tuple[str, str]]:
    """The people a reminder about ``smg-brisbane`` goes to."""
    return {("officer", key), ("unit-officer", key), ("admin", key)}


def outbox(messages: Sequence[mail.EmailMessage]) -> list[tuple[list[str], str]]:
    return [(message.to, str(message.subject)) for message in messages]


# --- which stage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (181, None),
        (180, "180"),
        (179, "180"),
        (91, "180"),
        (90, "90"),
        (89, "90"),
        (31, "90"),
        (30, "30"),
        (1, "30"),
        (0, "30"),
        (-1, "expired"),
        (-400, "expired"),
    ],
)
def test_expiry_stage(days_left: int, stage: str | None) -> None:
    assert expiry_stage(days_left, (180, 90, 30)) == stage


# --- agreements about to expire ------------------------------------------------------------


@pytest.mark.parametrize("threshold", [180, 90, 30])
def test_reminder_on_the_day(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage], threshold: int
) -> None:
    document = agreement(world, valid_until=days(threshold))

    counts = send(TODAY, language="en")

    key = f"expiry:{document.pk}:{threshold}"
    subject = f"Agreement expires in {threshold} days: {NAME}"
    assert counts == ReminderCounts(notifications=3, emails=2)
    assert sent() == to_everyone(key)
    assert outbox(mailoutbox) == [([OFFICER_MAIL], subject), ([ADMIN_MAIL], subject)]
    assert mailoutbox[0].from_email == django_settings.DEFAULT_FROM_EMAIL
    notification = Notification.objects.get(user=world.officer)
    assert (notification.subject, notification.link, notification.read_at) == (
        subject,
        LINK,
        None,
    )
    assert notification.body == mailoutbox[0].body


def test_reminder_text(world: World, send: Send, mailoutbox: list[mail.EmailMessage]) -> None:
    agreement(world, valid_until=days(180))

    send(TODAY, language="en")

    assert mailoutbox[0].body == (
        "Memorandum of understanding (MoU) / agreement “MoU Semarang–Brisbane” (version 1) "
        f"of the partnership {NAME} is valid until 29 August 2026. If the cooperation is to "
        "continue, start the evaluation and the renewal now; a renewal takes several months."
    )


def test_reminders_are_in_indonesian_by_default(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    agreement(world, valid_until=days(180))

    send(TODAY)

    body = mailoutbox[0].body
    assert "Nota kesepahaman (MoU) / naskah kerja sama" in body
    assert "29 Agustus 2026" in body
    assert NAME in mailoutbox[0].subject


def test_day_before_the_first_threshold_sends_nothing(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    agreement(world, valid_until=days(181))

    assert send(TODAY) == ReminderCounts(notifications=0, emails=0)
    assert sent() == set()
    assert mailoutbox == []


def test_missed_day_sends_the_threshold_crossed(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    document = agreement(world, valid_until=days(89))

    counts = send(TODAY, language="en")

    assert counts == ReminderCounts(notifications=3, emails=2)
    assert sent() == to_everyone(f"expiry:{document.pk}:90")
    assert [message.subject for message in mailoutbox] == [
        f"Agreement expires in 89 days: {NAME}"
    ] * 2


def test_each_threshold_once_as_the_days_pass(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    document = agreement(world, valid_until=days(180))

    runs = [
        send(TODAY + dt.timedelta(days=elapsed), language="en") for elapsed in (0, 1, 91, 92, 150)
    ]

    assert runs == [
        ReminderCounts(notifications=3, emails=2),
        ReminderCounts(notifications=0, emails=0),
        ReminderCounts(notifications=3, emails=2),
        ReminderCounts(notifications=0, emails=0),
        ReminderCounts(notifications=3, emails=2),
    ]
    assert sent() == (
        to_everyone(f"expiry:{document.pk}:180")
        | to_everyone(f"expiry:{document.pk}:90")
        | to_everyone(f"expiry:{document.pk}:30")
    )
    assert [message.subject for message in mailoutbox[::2]] == [
        f"Agreement expires in 180 days: {NAME}",
        f"Agreement expires in 89 days: {NAME}",
        f"Agreement expires in 30 days: {NAME}",
    ]


def test_several_thresholds_crossed_at_once_send_only_the_most_urgent(
    world: World, send: Send
) -> None:
    document = agreement(world, valid_until=days(25))

    assert send(TODAY) == ReminderCounts(notifications=3, emails=2)
    assert sent() == to_everyone(f"expiry:{document.pk}:30")


def test_running_twice_sends_nothing_new(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    agreement(world, valid_until=days(90))
    send(TODAY)

    assert send(TODAY) == ReminderCounts(notifications=0, emails=0)
    assert Notification.objects.count() == 3
    assert len(mailoutbox) == 2


def test_superseded_document_gets_no_reminder(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    first = agreement(world, valid_until=days(90))
    agreement(world, valid_until=days(2000), version=2, supersedes=first)

    assert send(TODAY) == ReminderCounts(notifications=0, emails=0)
    assert mailoutbox == []


def test_reminder_follows_the_current_version(world: World, send: Send) -> None:
    first = agreement(world, valid_until=days(2000))
    current = agreement(world, valid_until=days(30), version=2, supersedes=first)

    send(TODAY)

    assert sent() == to_everyone(f"expiry:{current.pk}:30")


def test_document_without_validity_gets_no_reminder(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    agreement(world, kind="loi", valid_until=None)
    agreement(world, kind="council_letter", valid_until=None)

    assert send(TODAY) == ReminderCounts(notifications=0, emails=0)
    assert mailoutbox == []


def test_expired_agreement_is_reported_once(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    document = agreement(world, valid_until=days(-1))

    first = send(TODAY, language="en")
    again = send(TODAY + dt.timedelta(days=1), language="en")

    assert (first, again) == (
        ReminderCounts(notifications=3, emails=2),
        ReminderCounts(notifications=0, emails=0),
    )
    assert sent() == to_everyone(f"expiry:{document.pk}:expired")
    assert outbox(mailoutbox) == [
        ([OFFICER_MAIL], f"Agreement expired: {NAME}"),
        ([ADMIN_MAIL], f"Agreement expired: {NAME}"),
    ]
    assert mailoutbox[0].body == (
        "Memorandum of understanding (MoU) / agreement “MoU Semarang–Brisbane” (version 1) "
        f"of the partnership {NAME} was valid until 1 March 2026 and has expired. Upload the "
        "renewed agreement, or record that the cooperation has ended."
    )
    assert document_expiry(document, today=TODAY) == "expired"


def test_last_day_and_then_expired(world: World, send: Send) -> None:
    document = agreement(world, valid_until=TODAY)

    send(TODAY, language="en")
    send(TODAY + dt.timedelta(days=1), language="en")

    assert sent() == to_everyone(f"expiry:{document.pk}:30") | to_everyone(
        f"expiry:{document.pk}:expired"
    )
    assert list(
        Notification.objects.filter(user=world.officer).order_by("id").values_list("subject")
    ) == [(f"Agreement expires today: {NAME}",), (f"Agreement expired: {NAME}",)]


def test_a_finished_partnership_gets_no_reminder(world: World, send: Send) -> None:
    world.partnership.state = LifecycleState.objects.get(code="terminated")
    world.partnership.save()
    agreement(world, valid_until=days(30))

    assert send(TODAY) == ReminderCounts(notifications=0, emails=0)


def test_only_officers_of_the_region_and_administrators_hear(
    world: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    magelang = PartnershipFactory.create(
        slug="mgl-partner", local_region=RegionFactory.create(kode="33.71")
    )
    semarang_document = agreement(world, valid_until=days(30))
    magelang_document = agreement(world, valid_until=days(90), partnership=magelang)

    send(TODAY)

    assert sent() == to_everyone(f"expiry:{semarang_document.pk}:30") | {
        ("magelang", f"expiry:{magelang_document.pk}:90"),
        ("admin", f"expiry:{magelang_document.pk}:90"),
    }
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted(
        [OFFICER_MAIL, ADMIN_MAIL, ADMIN_MAIL, "kerjasama@magelangkota.go.id"]
    )
    assert not Notification.objects.filter(
        user__in=[world.council_member, world.retired_officer]
    ).exists()


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[mail.EmailMessage]) -> int:
        raise ConnectionRefusedError("no mail server")


def test_an_unreachable_mail_server_keeps_the_notifications(
    world: World, send: Send, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    agreement(world, valid_until=days(30))

    assert send(TODAY) == ReminderCounts(notifications=3, emails=0)
    assert Notification.objects.count() == 3


def test_emails_wait_for_the_commit(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    agreement(world, valid_until=days(30))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        counts = reminders_send(today=TODAY)
        assert (counts, mailoutbox) == (ReminderCounts(notifications=3, emails=0), [])

    assert len(callbacks) == 2
    assert counts == ReminderCounts(notifications=3, emails=2)
    assert len(mailoutbox) == 2


# --- the council's deadline ----------------------------------------------------------------

DEADLINE = dt.date(2026, 3, 20)  # a Friday; ten working days before is Friday 6 March


@pytest.fixture
def before_council(world: World) -> TransitionRecord:
    world.partnership.state = LifecycleState.objects.get(code="council_approval")
    world.partnership.save()
    return council_record(world, deadline=DEADLINE)


def council_record(
    world: World, *, deadline: dt.date, status: str = TransitionRecord.Status.APPLIED
) -> TransitionRecord:
    return TransitionRecord.objects.create(
        partnership=world.partnership,
        source=LifecycleState.objects.get(code="cooperation_plan"),
        target=LifecycleState.objects.get(code="council_approval"),
        status=status,
        actor=world.officer,
        created_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        deadline=deadline,
    )


def test_council_deadline_reminders(
    world: World,
    send: Send,
    mailoutbox: list[mail.EmailMessage],
    before_council: TransitionRecord,
) -> None:
    # 10 working days before 20 March 2026 is 4 March: 18 March (cuti bersama), 19 March
    # (Nyepi) and 20 March (cuti bersama Idul Fitri) are not working days.
    runs = {
        today: send(today, language="en")
        for today in (
            dt.date(2026, 3, 3),
            dt.date(2026, 3, 4),
            dt.date(2026, 3, 5),
            DEADLINE,
            dt.date(2026, 3, 21),
            dt.date(2026, 3, 23),
        )
    }

    assert list(runs.values()) == [
        ReminderCounts(notifications=0, emails=0),
        ReminderCounts(notifications=3, emails=2),
        ReminderCounts(notifications=0, emails=0),
        ReminderCounts(notifications=0, emails=0),
        ReminderCounts(notifications=3, emails=2),
        ReminderCounts(notifications=0, emails=0),
    ]
    assert sent() == to_everyone(f"council:{before_council.pk}:due") | to_everyone(
        f"council:{before_council.pk}:overdue"
    )
    assert outbox(mailoutbox) == [
        ([OFFICER_MAIL], f"Council decision due by 20 March 2026: {NAME}"),
        ([ADMIN_MAIL], f"Council decision due by 20 March 2026: {NAME}"),
        ([OFFICER_MAIL], f"Council decision overdue: {NAME}"),
        ([ADMIN_MAIL], f"Council decision overdue: {NAME}"),
    ]
    assert mailoutbox[0].body == (
        f"The regional council (DPRD) is to decide on the cooperation plan of {NAME} by "
        "20 March 2026. If no decision has arrived yet, follow up with the council secretariat."
    )
    assert mailoutbox[2].body == (
        f"The regional council (DPRD) was to decide on the cooperation plan of {NAME} by "
        "20 March 2026. Record its decision if it has arrived; otherwise follow up with the "
        "council secretariat."
    )


def test_council_deadline_first_seen_overdue_sends_only_overdue(
    world: World, send: Send, before_council: TransitionRecord
) -> None:
    assert send(dt.date(2026, 4, 1)) == ReminderCounts(notifications=3, emails=2)
    assert sent() == to_everyone(f"council:{before_council.pk}:overdue")


def test_no_council_reminder_once_the_partnership_moved_on(
    world: World, send: Send, before_council: TransitionRecord
) -> None:
    world.partnership.state = LifecycleState.objects.get(code="ministry_verification")
    world.partnership.save()

    assert send(dt.date(2026, 4, 1)) == ReminderCounts(notifications=0, emails=0)


def test_only_the_latest_submission_to_the_council_counts(
    world: World, send: Send, before_council: TransitionRecord
) -> None:
    resubmitted = council_record(world, deadline=dt.date(2026, 6, 30))
    resubmitted.created_at = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    resubmitted.save()

    assert send(dt.date(2026, 4, 2)) == ReminderCounts(notifications=0, emails=0)


def test_pending_submission_has_no_deadline_reminder(world: World, send: Send) -> None:
    world.partnership.state = LifecycleState.objects.get(code="council_approval")
    world.partnership.save()
    council_record(world, deadline=DEADLINE, status=TransitionRecord.Status.PENDING)

    assert send(dt.date(2026, 3, 23)) == ReminderCounts(notifications=0, emails=0)


# --- the command ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_send_reminders_command(world: World, mailoutbox: list[mail.EmailMessage]) -> None:
    agreement(world, valid_until=days(30))
    first, second = io.StringIO(), io.StringIO()

    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=first)
    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=second)

    assert first.getvalue() == (
        "Reminders for 2026-03-02: 3 notifications created, 2 e-mails sent.\n"
    )
    assert second.getvalue() == (
        "Reminders for 2026-03-02: 0 notifications created, 0 e-mails sent.\n"
    )
    assert [message.to for message in mailoutbox] == [[OFFICER_MAIL], [ADMIN_MAIL]]


def test_send_reminders_command_refuses_a_bad_date(world: World) -> None:
    with pytest.raises(CommandError) as error:
        call_command("send_reminders", "--today", "2026-02-30")

    assert str(error.value) == "--today: '2026-02-30' is not a date (YYYY-MM-DD)"
    assert Notification.objects.count() == 0
