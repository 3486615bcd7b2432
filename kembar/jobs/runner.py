"""Run one job: claim it, keep its lease alive, report progress, store the result.

The work reports progress through a callback that only records it in memory
(it is called for every row); a heartbeat thread writes it, at most every
:data:`PROGRESS_INTERVAL` seconds, with the renewed lease, on its own
database connection.  That connection is outside the work's transaction, so
the progress of an import that applies everything in one transaction is
seen while it runs, and the lease is renewed while the work reads a file and
reports nothing.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from kembar.jobs import services
from kembar.jobs.handlers import HANDLERS
from kembar.jobs.models import Job
from kembar.jobs.selectors import progress_cache_key

__all__ = ["PROGRESS_INTERVAL", "LeaseLost", "Progress", "job_run", "jobs_in_flight_release"]

logger = logging.getLogger(__name__)

#: Seconds between two progress writes at most (the callback itself never writes).
PROGRESS_INTERVAL = 0.5
#: How long a heartbeat waits for SQLite's write lock before it skips a beat (milliseconds).
BUSY_TIMEOUT_MS = 1000
#: How long the progress stays in the cache after its last write.
PROGRESS_CACHE_SECONDS = 3600


#: The jobs this process runs now, with the attempt it holds (for the release on shutdown).
_IN_FLIGHT: dict[str, int] = {}
_IN_FLIGHT_LOCK = threading.Lock()


def jobs_in_flight_release(job_ids: list[str]) -> list[str]:
    """Give up the leases this process holds on ``job_ids`` (its worker is being stopped).

    The work itself stops with the process; the next worker to start, or the
    recovery of a worker still running, runs the job again at once instead
    of after the lease.  Returns the ids released.
    """
    with _IN_FLIGHT_LOCK:
        held = {job_id: _IN_FLIGHT[job_id] for job_id in job_ids if job_id in _IN_FLIGHT}
    return [
        job_id
        for job_id, attempt in held.items()
        if services.job_release(job_id=job_id, attempt=attempt)
    ]


class LeaseLost(Exception):
    """This run's lease was taken over by another run: stop; the other run's result stands."""


@dataclass(slots=True)
class Progress:
    """The progress of a run, per stage, as the work reports it (thread-safe).

    Once the heartbeat finds the lease taken over (``lost``), the work's next report
    raises :class:`LeaseLost`: a run that lost its job stops between two of its steps
    (an import between two chunks) instead of going on beside the run that took it over,
    and never reaches its end (which would, for an import, drop the undo log).
    """

    stage: str = ""
    stages: dict[str, dict[str, int]] = field(default_factory=dict)
    version: int = 0
    lost: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.lost.is_set():
            raise LeaseLost(stage)
        with self._lock:
            self.stage = stage
            self.stages[stage] = {"done": int(done), "total": int(total)}
            self.version += 1

    def snapshot(self) -> tuple[int, str, dict[str, dict[str, int]]]:
        with self._lock:
            stages = {key: dict(value) for key, value in self.stages.items()}
            return self.version, self.stage, stages


class _Heartbeat(threading.Thread):
    """Renews the lease every quarter of it and writes new progress every half second."""

    def __init__(self, job_id: str, attempt: int, progress: Progress) -> None:
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.progress = progress
        self.stopped = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        renew_every = max(settings.KEMBAR_JOB_LEASE_SECONDS / 4, PROGRESS_INTERVAL)
        written_version, written_at = -1, 0.0
        try:
            if connection.vendor == "sqlite":
                # SQLite has one writer: give up a beat after a second rather than wait for
                # the work's writes (20 s by default), so that the cache keeps being told.
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            while not self.stopped.wait(PROGRESS_INTERVAL):
                version, stage, stages = self.progress.snapshot()
                now = time.monotonic()
                if version == written_version and now - written_at < renew_every:
                    continue
                # The cache first: it is never held up by the work's transaction.
                cache.set(
                    progress_cache_key(self.job_id),
                    {"stage": stage, "progress": stages},
                    PROGRESS_CACHE_SECONDS,
                )
                try:
                    held = services.job_progress_save(
                        job_id=self.job_id, attempt=self.attempt, stage=stage, progress=stages
                    )
                except DatabaseError:
                    # SQLite while the work writes: the lease outlasts a few missed beats.
                    logger.info("Job %s: progress not written this time", self.job_id)
                    continue
                if not held:
                    logger.warning("Job %s: lease lost by attempt %s", self.job_id, self.attempt)
                    self.lost.set()
                    self.progress.lost.set()
                    return
                written_version, written_at = version, now
        finally:
            connection.close()


def _stop(beat: _Heartbeat | None, job_id: str) -> None:
    with _IN_FLIGHT_LOCK:
        _IN_FLIGHT.pop(job_id, None)
    if beat is not None:
        beat.stopped.set()
        beat.join()


def job_run(job_id: str, *, heartbeat: bool = True) -> str:
    """Run the job ``job_id`` if this worker gets its lease; returns what became of it.

    ``"skipped"`` (another worker holds it, or it is finished), ``"done"``,
    ``"failed"`` or ``"lost"`` (the lease was taken over while it ran; the
    other run's result stands).  ``heartbeat`` False runs without the
    heartbeat thread (the queue's immediate mode: in the request, in tests).
    """
    attempt = services.job_claim(job_id=job_id)
    if attempt is None:
        return "skipped"
    job = Job.objects.select_related("created_by__organisation").get(pk=job_id)
    progress = Progress()
    beat = _Heartbeat(job_id, attempt, progress) if heartbeat else None
    if beat is not None:
        beat.start()
    with _IN_FLIGHT_LOCK:
        _IN_FLIGHT[job_id] = attempt
    try:
        result = HANDLERS[job.kind](job, progress)
    except LeaseLost:
        # Another run has the job now (or recovery ended it): its outcome stands, not ours.
        logger.warning("Job %s: attempt %s stopped, its lease was taken over", job_id, attempt)
        _stop(beat, job_id)
        return "lost"
    except Exception:  # any failure of the work ends the job as failed, with its traceback
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        error = traceback.format_exc()
        _stop(beat, job_id)
        failed = services.job_fail(job_id=job_id, attempt=attempt, error=error)
        if failed:
            # Failed for good: what the work committed before it failed is undone.
            services.job_undo(job_id=job_id, kind=job.kind, attempt=attempt)
        return "failed" if failed else "lost"
    _stop(beat, job_id)
    _version, stage, stages = progress.snapshot()
    finished = services.job_finish(
        job_id=job_id, attempt=attempt, result=result, stage=stage, progress=stages
    )
    cache.delete(progress_cache_key(job_id))
    return "done" if finished else "lost"
