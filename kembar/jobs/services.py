"""Writes to jobs: enqueue, claim under a lease, report progress, finish, recover.

A job's state moves only by conditional UPDATEs, so that two workers never
run it at once and a worker that lost its lease can no longer write:

- :func:`job_claim` moves a job to ``running`` only if it is ``queued`` or its
  lease ran out, and raises ``attempts`` (the fencing token of this run);
- :func:`job_progress_save` renews the lease and stores the progress, and
  :func:`job_finish` / :func:`job_fail` end the job, only for the run that
  holds the lease (same ``attempts``);
- :func:`jobs_recover` puts back into the queue the jobs whose worker died
  (lease run out) and the queued jobs the queue lost (the server stopped
  between saving the job and sending it), at most
  ``KEMBAR_JOB_MAX_ATTEMPTS`` runs in all;
- :func:`job_undo` undoes what the work of a job that failed for good left
  applied (an import's committed chunks), and records it in the job's events.

The work itself must be idempotent (an import is one transaction, and the
same file again changes nothing), so a run cut short and run again changes
the data exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from kembar.accounts.models import User
from kembar.jobs.models import Job, JobEvent, JobKind, JobState

__all__ = [
    "QUEUE_ERRORS",
    "RECOVER_QUEUED_AFTER",
    "job_claim",
    "job_enqueue",
    "job_fail",
    "job_finish",
    "job_progress_save",
    "job_release",
    "job_undo",
    "jobs_recover",
]

logger = logging.getLogger(__name__)

#: What the queue raises when it cannot be reached (Redis down, SQLite file locked or gone).
QUEUE_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error, RedisError)

#: A queued job not picked up for this long and not in the queue is sent again.
RECOVER_QUEUED_AFTER = dt.timedelta(minutes=1)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.KEMBAR_JOB_LEASE_SECONDS)


def _send(job_id: str) -> None:
    """Hand the job to the task queue (run at once when the queue is immediate)."""
    # Imported here: the task module imports this one.
    from kembar.jobs.tasks import run_job

    Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    try:
        run_job(job_id)
    except QUEUE_ERRORS:
        # The job is saved: recovery sends it again within a minute or two of the queue's return.
        logger.exception("Job %s not sent to the queue; it waits for recovery", job_id)


def job_enqueue(
    *,
    kind: str,
    created_by: User,
    params: Mapping[str, Any] | None = None,
    input_data: bytes = b"",
    input_name: str = "",
) -> Job:
    """Save a job and send it to the queue once the transaction commits.

    ``params`` must be JSON; ``input_data`` (an uploaded file) is kept with
    the job until it has finished.
    """
    if kind not in JobKind.values:
        raise ValidationError(_("Unknown kind of job: %(kind)s.") % {"kind": kind})
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            created_by=created_by,
            params=dict(params or {}),
            input_data=input_data,
            input_name=input_name[-200:],
            input_size=len(input_data),
        )
        JobEvent.objects.create(job=job, kind=JobEvent.Kind.QUEUED)
        transaction.on_commit(partial(_send, str(job.pk)))
    return job


def job_claim(*, job_id: str) -> int | None:
    """Take the lease of a job that waits or whose worker died; the attempt number, or None.

    None when the job is running under a live lease, finished, or unknown:
    then this worker leaves it alone.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Job.objects.filter(pk=job_id)
            .filter(
                Q(state=JobState.QUEUED)
                | Q(state=JobState.RUNNING, lease_until__lt=now)
                | Q(state=JobState.RUNNING, lease_until__isnull=True)
            )
            .update(
                state=JobState.RUNNING,
                attempts=F("attempts") + 1,
                lease_until=now + _lease(),
                heartbeat_at=now,
                started_at=Coalesce(F("started_at"), now),
            )
        )
        if not claimed:
            return None
        # The row is ours until the commit (the write lock on SQLite, a row lock on PostgreSQL).
        attempt = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).get()
        JobEvent.objects.create(job_id=job_id, kind=JobEvent.Kind.STARTED, attempt=attempt)
    return int(attempt)


def _held(job_id: str, attempt: int) -> Any:
    return Job.objects.filter(pk=job_id, state=JobState.RUNNING, attempts=attempt)


def job_progress_save(
    *, job_id: str, attempt: int, stage: str, progress: Mapping[str, Any]
) -> bool:
    """Renew the lease and store the progress; False when this run no longer holds the job."""
    now = timezone.now()
    return bool(
        _held(job_id, attempt).update(
            lease_until=now + _lease(), heartbeat_at=now, stage=stage, progress=dict(progress)
        )
    )


def job_release(*, job_id: str, attempt: int) -> bool:
    """End this run's lease now (its worker is stopping), so that recovery runs the job at once."""
    return bool(_held(job_id, attempt).update(lease_until=timezone.now()))


def job_finish(
    *,
    job_id: str,
    attempt: int,
    result: Mapping[str, Any],
    stage: str = "",
    progress: Mapping[str, Any] | None = None,
) -> bool:
    """Store the result and end the job; False when this run no longer holds the job."""
    now = timezone.now()
    changes: dict[str, Any] = {
        "state": JobState.DONE,
        "finished_at": now,
        "lease_until": None,
        "heartbeat_at": now,
        "result": dict(result),
        "input_data": b"",
    }
    if progress is not None:
        changes.update(stage=stage, progress=dict(progress))
    with transaction.atomic():
        if not _held(job_id, attempt).update(**changes):
            return False
        JobEvent.objects.create(job_id=job_id, kind=JobEvent.Kind.DONE, attempt=attempt)
    return True


def job_fail(*, job_id: str, attempt: int | None, error: str) -> bool:
    """End the job as failed with ``error`` (for the administrators); the input is dropped.

    ``attempt`` None fails the job whoever holds it (recovery giving up).
    """
    now = timezone.now()
    jobs = (
        Job.objects.filter(pk=job_id, state__in=[JobState.QUEUED, JobState.RUNNING])
        if attempt is None
        else _held(job_id, attempt)
    )
    with transaction.atomic():
        if not jobs.update(
            state=JobState.FAILED,
            finished_at=now,
            lease_until=None,
            error=error[:10_000],
            input_data=b"",
        ):
            return False
        JobEvent.objects.create(
            job_id=job_id, kind=JobEvent.Kind.FAILED, attempt=attempt or 0, note=error[:2000]
        )
    return True


def job_undo(*, job_id: str, kind: str, attempt: int) -> int | None:
    """Undo what the work of a job that ended failed or refused left applied; how many parts.

    Only for kinds whose work commits in parts (``kembar.jobs.handlers.UNDO``);
    an undo is recorded as an event of the job.  None if the database
    failed meanwhile: what is left is undone by the next :func:`jobs_recover`.
    """
    # Imported here: the handlers import this module.
    from kembar.jobs.handlers import UNDO

    undo = UNDO.get(kind)
    if undo is None:
        return 0
    try:
        undone = undo(job_id)
    except DatabaseError:
        logger.exception("Job %s: what it applied could not be undone now; recovery will", job_id)
        return None
    if undone:
        JobEvent.objects.create(
            job_id=job_id,
            kind=JobEvent.Kind.UNDONE,
            attempt=attempt,
            note=f"The {undone} parts its runs had applied were undone, newest first.",
        )
        logger.warning("Job %s: %s applied parts undone", job_id, undone)
    return undone


def _undo_left() -> None:
    """Undo what failed jobs still have applied (an undo that was cut short)."""
    from kembar.jobs.handlers import UNDO_PENDING

    for kind, pending in UNDO_PENDING.items():
        ids = pending()
        if not ids:
            continue
        failed = Job.objects.filter(pk__in=ids, kind=kind, state=JobState.FAILED)
        for job_id, attempts in failed.values_list("pk", "attempts"):
            job_undo(job_id=str(job_id), kind=kind, attempt=attempts)


def _requeue(job: Job, *, now: dt.datetime, note: str) -> bool:
    """Send ``job`` again if no other worker did since it was read; whether this one did."""
    updated = Job.objects.filter(
        pk=job.pk,
        state=job.state,
        attempts=job.attempts,
        enqueued_at=job.enqueued_at,
        lease_until=job.lease_until,
    ).update(state=JobState.QUEUED, lease_until=None, enqueued_at=now)
    if not updated:
        return False
    JobEvent.objects.create(
        job_id=job.pk, kind=JobEvent.Kind.REQUEUED, attempt=job.attempts, note=note
    )
    transaction.on_commit(partial(_send, str(job.pk)))
    return True


def jobs_recover(*, pending: Iterable[str] = (), now: dt.datetime | None = None) -> list[str]:
    """Send again the jobs whose worker died and the queued jobs the queue lost.

    ``pending`` are the ids of the jobs that are in the queue now; they are
    left alone.  A job that was started ``KEMBAR_JOB_MAX_ATTEMPTS`` times
    already fails instead (a file that kills its worker must not kill the
    next one too), and what its runs applied is undone (:func:`job_undo`),
    as is what a failed job still has applied after an undo cut short.
    Returns the ids of the jobs sent again.
    """
    now = now or timezone.now()
    waiting = set(pending)
    waited = now - RECOVER_QUEUED_AFTER
    stale = Job.objects.filter(
        Q(state=JobState.RUNNING, lease_until__lt=now)
        | Q(state=JobState.QUEUED, enqueued_at__lt=waited)
        | Q(state=JobState.QUEUED, enqueued_at__isnull=True, created_at__lt=waited)
    ).defer("input_data")
    sent: list[str] = []
    for job in stale.order_by("created_at"):
        job_id = str(job.pk)
        if job.state == JobState.QUEUED and job_id in waiting:
            continue
        if job.state == JobState.RUNNING and job.attempts >= settings.KEMBAR_JOB_MAX_ATTEMPTS:
            # Failed first, so that no worker takes it up again, then undone.
            if job_fail(
                job_id=job_id,
                attempt=None,
                error=f"Stopped after {job.attempts} attempts; the worker stopped each time.",
            ):
                job_undo(job_id=job_id, kind=job.kind, attempt=job.attempts)
            continue
        with transaction.atomic():
            note = (
                "The worker stopped while running it (its lease ran out)."
                if job.state == JobState.RUNNING
                else "It was waiting and not in the queue."
            )
            if _requeue(job, now=now, note=note):
                sent.append(job_id)
    _undo_left()
    if sent:
        logger.warning("Jobs sent to the queue again: %s", ", ".join(sent))
    return sent
