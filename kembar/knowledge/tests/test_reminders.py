"""Reflection requests and reminders: each sent once, to the right people, within 30 days."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from kembar.accounts.models import Notification, Role
from kembar.accounts.tests.factories import UserFactory
from kembar.knowledge.reminders import reflection_reminders_send
from kembar.knowledge.services import reflection_submit
from kembar.knowledge.tests.conftest import END, World
from kembar.programs.models import Activity

pytestmark = pytest.mark.django_db


def sent() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("user__username", "dedupe_key"))


def test_request_on_completion_is_sent_once(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    key = f"reflection-request:{world.activity.pk}"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = reflection_reminders_send(today=END + dt.timedelta(days=1), language="en")
    assert (first.notifications, first.emails) == (2, 2)
    # The agency's officers and the region's cooperation office; not the other agency.
    assert sent() == [("ani", key), ("budi", key)]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ani@example.org",
        "budi@example.org",
    ]
    second = reflection_reminders_send(today=END + dt.timedelta(days=1))
    third = reflection_reminders_send(today=END + dt.timedelta(days=5))
    assert (second.notifications, third.notifications) == (0, 0)
    assert Notification.objects.count() == 2
    notification = Notification.objects.get(user__username="budi")
    assert notification.link == "/staff/knowledge/activities/SMG-BNE-2025-01/reflection/"
    assert notification.subject == "Reflection asked: SMG-BNE-2025-01 Teacher training"
    assert notification.body.startswith(
        "The activity SMG-BNE-2025-01 “Teacher training” is completed.\n\nBy 2 April 2025, "
    )


def test_reminder_seven_days_before_the_deadline_once(world: World) -> None:
    reflection_reminders_send(today=END)
    assert reflection_reminders_send(today=END + dt.timedelta(days=22)).notifications == 0
    reminded = reflection_reminders_send(today=END + dt.timedelta(days=23))
    assert reminded.notifications == 2
    assert reflection_reminders_send(today=END + dt.timedelta(days=24)).notifications == 0
    reminder = f"reflection-reminder:{world.activity.pk}"
    request = f"reflection-request:{world.activity.pk}"
    assert sent() == [("ani", reminder), ("ani", request), ("budi", reminder), ("budi", request)]


def test_nothing_after_the_deadline_nor_once_reflected(world: World) -> None:
    assert reflection_reminders_send(today=END + dt.timedelta(days=31)).notifications == 0
    assert reflection_reminders_send(today=END - dt.timedelta(days=1)).notifications == 0
    reflection_submit(
        actor=world.agency_officer, activity=world.activity, learned="a", will_change="b"
    )
    assert reflection_reminders_send(today=END + dt.timedelta(days=1)).notifications == 0
    assert Notification.objects.count() == 0


def test_a_late_first_run_sends_the_reminder_only(world: World) -> None:
    assert reflection_reminders_send(today=END + dt.timedelta(days=25)).notifications == 2
    assert {key for _user, key in sent()} == {f"reflection-reminder:{world.activity.pk}"}


def test_demo_and_unfinished_activities_are_not_asked(world: World) -> None:
    Activity.objects.filter(pk=world.activity.pk).update(is_demo=True)
    assert reflection_reminders_send(today=END).notifications == 0
    Activity.objects.filter(pk=world.activity.pk).update(is_demo=False, status="ongoing")
    assert reflection_reminders_send(today=END).notifications == 0


def test_inactive_officers_are_skipped(world: World) -> None:
    UserFactory.create(
        username="eko",
        role=Role.AGENCY_OFFICER,
        organisation=world.orgs.dinas_pendidikan,
        is_active=False,
    )
    reflection_reminders_send(today=END)
    assert [user for user, _key in sent()] == ["ani", "budi"]


def test_command_twice_sends_once(world: World) -> None:
    out = StringIO()
    call_command("reflection_reminders", "--today", "2025-03-04", "--language", "en", stdout=out)
    call_command("reflection_reminders", "--today", "2025-03-04", stdout=out)
    assert out.getvalue().splitlines() == [
        "Reflection reminders for 2025-03-04: 2 notifications created, 0 e-mails sent.",
        "Reflection reminders for 2025-03-04: 0 notifications created, 0 e-mails sent.",
    ]
    assert Notification.objects.get(user__username="budi").subject == (
        "Reflection asked: SMG-BNE-2025-01 Teacher training"
    )
