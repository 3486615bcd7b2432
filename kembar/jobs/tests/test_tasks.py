"""The periodic schedule that replaces the daily cron, and what each periodic task does.

The worker finds every app's ``tasks`` module (``manage.py run_huey``); here
they are imported as it imports them.  The schedules are checked minute by
minute over a whole day in local time (Asia/Jakarta, UTC+7).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_INTERRUPTED

from kembar.accounts.models import Notification
from kembar.accounts.tasks import email_send, purge_login_records
from kembar.jobs import handlers, services
from kembar.jobs.models import Job, JobState
from kembar.jobs.tasks import (
    jobs_pending,
    recover_jobs,
    recover_jobs_on_startup,
    release_interrupted,
    run_job,
)
from kembar.partnerships.tasks import send_reminders
from kembar.partnerships.tests.test_reminders import World, agreement, world
from kembar.programs.tests.test_spreadsheet import World as ImportWorld
from kembar.programs.tests.test_spreadsheet import full_sheets, workbook
from kembar.programs.tests.test_spreadsheet import world as import_world

__all__ = ["import_world", "world"]  # the fixtures, imported for these tests

pytestmark = pytest.mark.django_db


def minutes_of_a_day(day: dt.date) -> list[dt.datetime]:
    """Every minute of ``day`` in Jakarta, as the naive UTC times huey checks."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) - dt.timedelta(hours=7)
    return [(start + dt.timedelta(minutes=n)).replace(tzinfo=None) for n in range(24 * 60)]


def runs(task: Any, day: dt.date) -> list[str]:
    """The local times (HH:MM, Jakarta) at which ``task`` runs on ``day``."""
    check = task.s()
    return [
        (moment + dt.timedelta(hours=7)).strftime("%H:%M")
        for moment in minutes_of_a_day(day)
        if check.validate_datetime(moment)
    ]


def test_the_periodic_tasks_are_registered() -> None:
    names = {task.name for task in HUEY._registry.periodic_tasks}

    assert {"send_reminders", "purge_login_records", "recover_jobs"} <= names


@pytest.mark.parametrize(
    ("task", "times"),
    [
        (send_reminders, ["07:00"]),
        (purge_login_records, ["02:30"]),
    ],
)
def test_daily_tasks_run_once_a_day_at_a_local_hour(task: Any, times: list[str]) -> None:
    assert runs(task, dt.date(2026, 3, 2)) == times
    assert runs(task, dt.date(2026, 12, 31)) == times


def test_job_recovery_runs_every_minute() -> None:
    assert len(runs(recover_jobs, dt.date(2026, 3, 2))) == 24 * 60


def test_send_reminders_sends_what_is_due_today(world: World) -> None:
    agreement(world, valid_until=timezone.localdate() + dt.timedelta(days=30))

    for _day_run in range(2):  # the second run the same day sends nothing new
        with TestCase.captureOnCommitCallbacks(execute=True):
            send_reminders.call_local()

    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "officer",
        "unit-officer",
        "admin",
    }
    assert sorted(message.to[0] for message in mail.outbox) == [
        "admin@kembar.example",
        "kerjasama@semarangkota.go.id",
    ]


def test_purge_login_records_keeps_the_retention_period(settings: Any) -> None:
    settings.KEMBAR_LOGIN_RECORD_DAYS = 90
    for days_ago in (120, 10):
        common = {"username": f"u{days_ago}", "ip_address": "203.0.113.7"}
        moment = timezone.now() - dt.timedelta(days=days_ago)
        for model, extra in (
            (AccessAttempt, {"failures_since_start": 1}),
            (AccessLog, {}),
            (AccessFailureLog, {}),
        ):
            row = model.objects.create(**common, **extra)
            model.objects.filter(pk=row.pk).update(attempt_time=moment)

    purge_login_records.call_local()
    purge_login_records.call_local()

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["u10"]


def test_recovery_tasks_run_again_a_job_whose_worker_died(import_world: ImportWorld) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = Job.objects.create(
            kind="activity_import",
            created_by=import_world.officer,
            params={"language": "en"},
            input_data=workbook(import_world.officer, full_sheets()),
            input_name="kegiatan.xlsx",
            state=JobState.RUNNING,
            attempts=1,
            lease_until=timezone.now() - dt.timedelta(seconds=5),
        )

    with TestCase.captureOnCommitCallbacks(execute=True):
        recover_jobs.call_local()
    job.refresh_from_db()

    assert (job.state, job.attempts, job.result["outcome"]) == ("done", 2, "applied")
    with TestCase.captureOnCommitCallbacks(execute=True):
        recover_jobs_on_startup()
    job.refresh_from_db()
    assert job.attempts == 2  # finished jobs stay finished


def test_jobs_pending_reads_the_queue() -> None:
    # Immediate mode runs a task at once, so nothing is ever waiting in its queue.
    assert HUEY.immediate
    assert jobs_pending() == set()
    run_job.call_local("00000000-0000-0000-0000-000000000000")  # an unknown job: nothing
    assert Job.objects.count() == 0


def test_email_send_writes_to_the_current_address(import_world: ImportWorld) -> None:
    officer = import_world.officer
    officer.email = "baru@semarangkota.go.id"
    officer.save(update_fields=["email"])

    # Through the queue (immediate here), as the approvals send it.
    email_send(officer.pk, "Subjek", "Isi pesan")
    email_send.call_local(10**9, "Subjek", "Isi pesan")  # no such user any more: nothing sent

    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["baru@semarangkota.go.id"], "Subjek", "Isi pesan")
    ]


def test_a_worker_stopped_at_once_gives_up_the_leases_it_holds(
    import_world: ImportWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = Job.objects.create(kind="activity_import", created_by=import_world.officer)
    other = Job.objects.create(kind="activity_import", created_by=import_world.officer)
    services.job_claim(job_id=str(other.pk))  # held by another worker, not this process
    seen: dict[str, Any] = {}

    def work(running: Job, progress: Any) -> dict[str, Any]:
        # What huey does for each task in flight when SIGTERM stops the worker.
        for each in (running, other):
            release_interrupted(SIGNAL_INTERRUPTED, run_job.s(str(each.pk)))
        seen["leases"] = dict(Job.objects.values_list("pk", "lease_until"))
        seen["now"] = timezone.now()
        return {"outcome": "applied"}

    monkeypatch.setitem(handlers.HANDLERS, "activity_import", work)

    run_job.call_local(str(job.pk))

    assert seen["leases"][job.pk] <= seen["now"]  # recovery sends it again at once
    assert seen["leases"][other.pk] > seen["now"] + dt.timedelta(seconds=30)
