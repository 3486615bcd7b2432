"""The daily reminders warn once when a partnership's health turns ``at_risk``.

Brisbane's record: four completed activities on 2025-01-01, 02-01, 03-01 and
04-01.  Gaps 31, 28, 31 days, median 31, mean gap 31 / ln 2 = 44.72 shrunk
with three pseudo-gaps of 180 days: sqrt(44.72 × 180) = 89.72 days.  At risk
after 3 × 89.72 = 269.2 days of silence, so from 2025-04-01 + 270 days =
2025-12-27; dormant after 5.3 × 89.72 = 475.5 days, from 2026-07-20.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from kembar.accounts.models import Notification
from kembar.partnerships.models import LifecycleState
from kembar.partnerships.tests import test_reminders as reminders
from kembar.partnerships.tests.test_reminders import (
    LINK,
    OFFICER_MAIL,
    Send,
    World,
    sent,
    to_everyone,
)
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

# The partnership, its people and the daily run of the expiry reminders' tests.
world = reminders.world
send = reminders.send

KEY = "health:{pk}:at_risk:2025-12-27"


def _activities(world: World, *days: dt.date) -> None:
    agency = world.unit_officer.organisation
    for day in days:
        ActivityFactory.create(
            partnership=world.partnership, agency=agency, start_date=day, end_date=day
        )


@pytest.fixture
def record(world: World) -> World:
    _activities(
        world, dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 1)
    )
    return world


def test_nothing_while_the_partnership_keeps_its_pace(record: World, send: Send) -> None:
    counts = send(dt.date(2025, 12, 26))
    assert (counts.notifications, counts.emails) == (0, 0)
    assert sent() == set()


def test_warning_on_the_day_it_turns_at_risk(
    record: World, send: Send, mailoutbox: list[mail.EmailMessage]
) -> None:
    counts = send(dt.date(2025, 12, 27))
    key = KEY.format(pk=record.partnership.pk)
    assert sent() == to_everyone(key)
    assert (counts.notifications, counts.emails) == (3, 2)
    notification = Notification.objects.get(user=record.officer)
    assert notification.link == LINK
    assert notification.subject == (
        "Kemitraan berisiko menjadi tidak aktif: Kota Semarang – Brisbane"
    )
    assert [message.to for message in mailoutbox] == [[OFFICER_MAIL], ["admin@kembar.example"]]


def test_english_text_gives_the_reason(record: World, send: Send) -> None:
    send(dt.date(2026, 1, 10), language="en")
    notification = Notification.objects.get(user=record.officer)
    assert notification.subject == "Partnership at risk of going dormant: Kota Semarang – Brisbane"
    assert notification.body.split("\n\n") == [
        "Since 27 December 2025 the partnership Kota Semarang – Brisbane has been quieter than "
        "its own pace allows.",
        "No activity since 2025-04-01 (284 days), longer than the 270 days that its usual gap "
        "of 89.7 days allows.",
        "Agree the next activity with the partner, or record why the cooperation is paused. "
        "The partnership's page shows its health over time.",
    ]


def test_idempotent_over_the_whole_episode(record: World, send: Send) -> None:
    first = send(dt.date(2025, 12, 27))
    again = send(dt.date(2025, 12, 27))
    later = send(dt.date(2026, 3, 2))
    assert (first.notifications, again.notifications, later.notifications) == (3, 0, 0)
    # Dormant is not announced again: the warning was given when it turned at risk.
    assert send(dt.date(2026, 7, 20)).notifications == 0
    assert len(sent()) == 3


def test_a_new_silence_after_revival_is_a_new_warning(record: World, send: Send) -> None:
    send(dt.date(2025, 12, 27))
    _activities(record, dt.date(2026, 1, 5))
    assert send(dt.date(2026, 1, 6)).notifications == 0
    keys = {key for _user, key in sent()}
    assert keys == {KEY.format(pk=record.partnership.pk)}
    # Gaps 31, 28, 31, 279: median 31 still, but four own gaps now weigh against three
    # pseudo-gaps: exp((4 ln 44.72 + 3 ln 180) / 7) = 81.2 days, at risk after 244 days.
    assert send(dt.date(2026, 9, 5)).notifications == 0
    counts = send(dt.date(2026, 9, 6))
    assert counts.notifications == 3
    keys = {key for _user, key in sent()}
    assert keys == {
        KEY.format(pk=record.partnership.pk),
        f"health:{record.partnership.pk}:at_risk:2026-09-06",
    }


def test_ended_partnerships_are_not_watched(record: World, send: Send) -> None:
    record.partnership.state = LifecycleState.objects.get(code="lapsed")
    record.partnership.save()
    assert send(dt.date(2025, 12, 27)).notifications == 0


def test_planned_activities_do_not_count_as_activity(record: World, send: Send) -> None:
    ActivityFactory.create(
        partnership=record.partnership,
        agency=record.unit_officer.organisation,
        start_date=dt.date(2025, 11, 1),
        end_date=dt.date(2025, 11, 1),
        status="planned",
    )
    assert send(dt.date(2025, 12, 27)).notifications == 3
