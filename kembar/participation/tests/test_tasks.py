"""The calls' periodic work: closing at the deadline, reminders, surveys (each once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from kembar.participation.models import (
    Consent,
    Opportunity,
    OpportunityReservation,
    Registration,
)
from kembar.participation.registrations import check_in
from kembar.participation.tasks import calls_close, mail_text, reminders_send, surveys_send
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import kelurahan, person, published_call, register


def _run(task: Any) -> None:
    # A periodic task object runs its function when called (huey's immediate mode in tests).
    task.call_local()


def test_calls_close_at_their_deadline_and_release_reserved_places(people: People) -> None:
    call = published_call(people.activity, places=2)
    OpportunityReservation.objects.create(
        opportunity=call, dimension="kecamatan", kecamatan=people.tugu, places=1
    )
    tengah = kelurahan("33.74.01")
    for name in ("A", "B"):
        register(call, f"{name}@example.test", person(name=name, home=tengah))
    open_call = published_call(people.activity)
    Opportunity.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    _run(calls_close)
    call.refresh_from_db()
    open_call.refresh_from_db()
    assert (call.status, call.status_reason, open_call.status) == (
        "closed",
        "deadline",
        "published",
    )
    assert dict(Registration.objects.values_list("name", "status")) == {
        "A": "confirmed",
        "B": "confirmed",
    }
    _run(calls_close)  # nothing more
    call.refresh_from_db()
    assert call.status == "closed"
    # In the history, like an officer's change, without an officer.
    latest = call.history.order_by("-history_id").first()
    assert (latest.status, latest.history_change_reason, latest.history_user) == (
        "closed",
        "deadline",
        None,
    )


def test_a_reminder_two_days_before_and_only_once(people: People) -> None:
    activity = people.activity
    activity.start_date = timezone.localdate() + dt.timedelta(days=2)
    activity.end_date = activity.start_date
    activity.save()
    call = published_call(activity, places=1)
    register(call, "a@example.test", person(name="A"))
    register(call, "b@example.test", person(name="B"))  # waiting: no reminder
    mail.outbox.clear()
    _run(reminders_send)
    _run(reminders_send)
    assert [message.to for message in mail.outbox] == [["a@example.test"]]
    first = Registration.objects.get(name="A")
    assert first.checkin_code in mail.outbox[0].body
    assert "/warga/data/" in mail.outbox[0].body


def test_the_survey_goes_once_to_those_who_took_part_and_still_consent(people: People) -> None:
    activity = people.activity  # ended in 2024
    call = published_call(activity, places=5)
    for name in ("A", "B", "C"):
        register(call, f"{name}@example.test", person(name=name))
    for name in ("A", "B"):
        code = Registration.objects.get(name=name).checkin_code
        check_in(actor=people.officer, opportunity=call, code=code)
    Consent.objects.filter(registration__name="B", purpose="taking_part").update(
        withdrawn_at=timezone.now()
    )
    mail.outbox.clear()
    _run(surveys_send)
    _run(surveys_send)
    assert [message.to for message in mail.outbox] == [["a@example.test"]]
    text = mail_text(Registration.objects.get(name="A"), "survey")
    assert text is not None
    assert "/warga/survei/" in text[1]
    assert mail_text(Registration.objects.get(name="C"), "survey") is None


def test_a_published_call_is_announced_to_those_who_asked(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    from kembar.participation.services import opportunity_transition
    from kembar.participation.tests.factories import OpportunityFactory

    first = published_call(people.activity)
    register(first, "yes@example.test", person(consents=("taking_part", "future_calls")))
    register(first, "no@example.test", person(consents=("taking_part",)))
    register(first, "later@example.test", person(consents=("taking_part", "future_calls")))
    Consent.objects.filter(resident__email="later@example.test", purpose="future_calls").update(
        withdrawn_at=timezone.now()
    )
    draft = OpportunityFactory.create(activity=people.activity, title_id="Magang di Brisbane")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_transition(actor=people.officer, opportunity=draft, target="published")
    assert [message.to for message in mail.outbox] == [["yes@example.test"]]
    assert mail.outbox[0].subject == "[Kembar] Peluang baru dibuka: Magang di Brisbane"
    assert f"/opportunities/{draft.pk}/" in mail.outbox[0].body
    assert "/warga/data/" in mail.outbox[0].body
