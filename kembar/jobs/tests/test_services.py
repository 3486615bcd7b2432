"""Jobs: enqueued and run once, claimed by one worker at a time, recovered when a worker dies.

The queue runs immediately in the tests (``KEMBAR_QUEUE_IMMEDIATE``): a job
sent once the transaction commits runs at once, in the test's own thread and
transaction, so ``execute=True`` on the captured commit callbacks runs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone, translation

from kembar.jobs import handlers, services
from kembar.jobs.models import Job, JobEvent, JobKind
from kembar.jobs.runner import Progress
from kembar.programs.models import Activity, ImportBatch
from kembar.programs.spreadsheet import activity_import
from kembar.programs.tests.test_spreadsheet import REF, REF2, World, full_sheets, workbook, world

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def enqueue(world: World, content: bytes, *, run: bool = True, **params: Any) -> Job:
    with TestCase.captureOnCommitCallbacks(execute=run):
        job = services.job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=world.officer,
            params={"language": "en", **params},
            input_data=content,
            input_name="kegiatan.xlsx",
        )
    job.refresh_from_db()
    return job


def events(job: Job) -> list[tuple[str, int]]:
    return list(JobEvent.objects.filter(job=job).values_list("kind", "attempt"))


def expire_lease(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


def test_an_enqueued_import_runs_once_and_keeps_its_result(world: World) -> None:
    job = enqueue(world, workbook(world.officer, full_sheets()))

    batch = ImportBatch.objects.get()
    assert (job.state, job.attempts, job.kind) == ("done", 1, "activity_import")
    assert job.result["outcome"] == "applied"
    assert job.result["batch"] == batch.pk
    assert job.result["applied_references"] == [REF, REF2]
    assert job.result["counts"]["activities"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert (job.result["problems"], job.result["attempt"]) == ([], 1)
    assert bytes(job.input_data) == b""  # the file is not kept once the job finished
    assert job.lease_until is None
    assert job.started_at is not None and job.finished_at is not None
    assert events(job) == [("queued", 0), ("started", 1), ("done", 1)]
    assert sorted(Activity.objects.values_list("reference", flat=True)) == [REF, REF2]


def test_problems_are_kept_in_the_users_language(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][1]["sector"] = 99

    english = enqueue(world, workbook(world.officer, sheets), language="en")
    indonesian = enqueue(world, workbook(world.officer, sheets), language="id")

    assert [(p["sheet"], p["row"], p["column"]) for p in english.result["problems"]] == [
        ("Kegiatan", 4, "sector")
    ]
    assert english.result["outcome"] == "refused"
    assert english.result["problems"][0]["message"] != indonesian.result["problems"][0]["message"]
    with translation.override("en"):
        assert "99" in english.result["problems"][0]["message"]
    assert Activity.objects.count() == 0


def test_an_unknown_kind_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.job_enqueue(kind="mine_bitcoin", created_by=world.officer)
    assert Job.objects.count() == 0


def test_a_job_is_claimed_by_one_worker_at_a_time(world: World) -> None:
    job = enqueue(world, b"", run=False)
    job_id = str(job.pk)

    first = services.job_claim(job_id=job_id)
    second = services.job_claim(job_id=job_id)

    assert (first, second) == (1, None)
    job.refresh_from_db()
    assert job.state == "running"
    assert job.lease_until is not None and job.lease_until > timezone.now()


def test_a_run_whose_lease_was_taken_over_can_no_longer_write(world: World) -> None:
    job = enqueue(world, b"", run=False)
    job_id = str(job.pk)
    assert services.job_claim(job_id=job_id) == 1
    expire_lease(job)

    assert services.job_claim(job_id=job_id) == 2
    assert not services.job_progress_save(
        job_id=job_id, attempt=1, stage="checking", progress={"checking": {"done": 1, "total": 2}}
    )
    assert not services.job_finish(job_id=job_id, attempt=1, result={"outcome": "applied"})
    assert not services.job_fail(job_id=job_id, attempt=1, error="late")
    assert services.job_progress_save(
        job_id=job_id, attempt=2, stage="checking", progress={"checking": {"done": 1, "total": 2}}
    )
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result, job.error) == ("running", 2, {}, "")
    assert job.progress == {"checking": {"done": 1, "total": 2}}


def test_a_finished_job_is_not_run_again(world: World) -> None:
    job = enqueue(world, workbook(world.officer, full_sheets()))

    assert services.job_claim(job_id=str(job.pk)) is None
    assert ImportBatch.objects.count() == 1


def test_recovery_runs_again_a_job_whose_worker_died(world: World) -> None:
    job = enqueue(world, workbook(world.officer, full_sheets()), run=False)
    assert services.job_claim(job_id=str(job.pk)) == 1  # a worker took it, then was killed
    expire_lease(job)

    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = services.jobs_recover()

    job.refresh_from_db()
    assert sent == [str(job.pk)]
    assert (job.state, job.attempts, job.result["outcome"]) == ("done", 2, "applied")
    assert [kind for kind, _attempt in events(job)] == [
        "queued",
        "started",
        "requeued",
        "started",
        "done",
    ]
    assert Activity.objects.count() == 2


def test_recovery_leaves_live_and_waiting_jobs_alone(world: World) -> None:
    running = enqueue(world, b"", run=False)
    services.job_claim(job_id=str(running.pk))
    fresh = enqueue(world, b"", run=False)
    Job.objects.filter(pk=fresh.pk).update(enqueued_at=timezone.now())
    in_queue = enqueue(world, b"", run=False)
    Job.objects.filter(pk=in_queue.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=5)
    )

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        sent = services.jobs_recover(pending=[str(in_queue.pk)])

    assert (sent, callbacks) == ([], [])
    states = dict(Job.objects.values_list("pk", "state"))
    assert states == {running.pk: "running", fresh.pk: "queued", in_queue.pk: "queued"}


def test_recovery_sends_a_queued_job_the_queue_lost(world: World) -> None:
    # The server stopped after saving the job and before sending it to the queue.
    lost = enqueue(world, workbook(world.officer, full_sheets()), run=False)
    later = timezone.now() + dt.timedelta(minutes=2)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.jobs_recover(now=later - dt.timedelta(minutes=2)) == []
        sent = services.jobs_recover(now=later)

    lost.refresh_from_db()
    assert sent == [str(lost.pk)]
    assert (lost.state, lost.attempts) == ("done", 1)


def test_recovery_gives_up_after_the_last_attempt(world: World, settings: Any) -> None:
    settings.KEMBAR_JOB_MAX_ATTEMPTS = 2
    job = enqueue(world, b"some bytes", run=False)
    for _attempt in range(2):
        services.job_claim(job_id=str(job.pk))
        expire_lease(job)

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        sent = services.jobs_recover()

    job.refresh_from_db()
    assert (sent, callbacks) == ([], [])
    assert (job.state, job.attempts) == ("failed", 2)
    assert job.error == "Stopped after 2 attempts; the worker stopped each time."
    assert bytes(job.input_data) == b""
    assert ImportBatch.objects.count() == 0


def test_a_job_that_raises_fails_with_its_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
        raise ZeroDivisionError("the work broke")

    monkeypatch.setitem(handlers.HANDLERS, JobKind.ACTIVITY_IMPORT, broken)

    job = enqueue(world, b"some bytes")

    assert (job.state, job.attempts) == ("failed", 1)
    assert "ZeroDivisionError: the work broke" in job.error
    assert bytes(job.input_data) == b""
    assert events(job)[-1] == ("failed", 1)


def test_an_import_applied_before_the_worker_died_is_not_counted_twice(world: World) -> None:
    """The worker committed the import and died before it marked the job finished."""
    content = workbook(world.officer, full_sheets())
    job = enqueue(world, content, run=False)
    assert services.job_claim(job_id=str(job.pk)) == 1
    with translation.override("en"):
        applied = activity_import(actor=world.officer, filename="kegiatan.xlsx", content=content)
    expire_lease(job)

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.jobs_recover()

    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)
    assert applied.batch is not None
    assert (job.result["outcome"], job.result["batch"]) == ("applied", applied.batch.pk)
    assert job.result["counts"]["activities"]["created"] == 2
    assert job.result["changed"] == applied.changed
    assert list(ImportBatch.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "unchanged",
    ]
    assert Activity.objects.count() == 2


def test_progress_is_recorded_per_stage() -> None:
    progress = Progress()

    progress("checking", 10, 40)
    progress("checking", 40, 40)
    progress("applying", 3, 12)

    assert progress.snapshot() == (
        3,
        "applying",
        {"checking": {"done": 40, "total": 40}, "applying": {"done": 3, "total": 12}},
    )


def test_a_queue_out_of_reach_leaves_the_job_for_recovery(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kembar.jobs import tasks

    def unreachable(job_id: str) -> None:
        raise ConnectionRefusedError("queue down")

    monkeypatch.setattr(tasks, "run_job", unreachable)

    job = enqueue(world, workbook(world.officer, full_sheets()))

    assert (job.state, job.attempts) == ("queued", 0)
    assert job.enqueued_at is not None
    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.jobs_recover(now=job.enqueued_at + dt.timedelta(minutes=2))
    job.refresh_from_db()
    assert (job.state, job.result["outcome"]) == ("done", "applied")
