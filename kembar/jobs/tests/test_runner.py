"""The heartbeat: a running job's progress and lease are written on their own connection.

A transactional test, since the heartbeat thread has its own database
connection and must see the job committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory
from kembar.jobs import handlers
from kembar.jobs.models import Job, JobKind, JobState
from kembar.jobs.runner import job_run
from kembar.jobs.selectors import job_get, job_progress, progress_cache_key

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_progress_and_lease_are_written_while_the_work_runs(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.KEMBAR_JOB_LEASE_SECONDS = 4
    user = UserFactory.create(role=Role.ADMINISTRATOR, organisation=None)
    job = Job.objects.create(kind=JobKind.ACTIVITY_IMPORT, created_by=user)
    seen: dict[str, Any] = {}

    def work(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
        first_lease = Job.objects.get(pk=job.pk).lease_until
        progress("checking", 40, 40)
        progress("applying", 7, 20)
        seen["written"] = wait_for(
            lambda: Job.objects.get(pk=job.pk).progress.get("applying") == {"done": 7, "total": 20}
        )
        running = Job.objects.get(pk=job.pk)
        seen["stage"], seen["progress"] = job_progress(running)
        seen["renewed"] = wait_for(
            lambda: Job.objects.get(pk=job.pk).lease_until != first_lease, seconds=3
        )
        seen["cached"] = cache.get(progress_cache_key(str(job.pk)))
        progress("applying", 20, 20)
        return {"outcome": "applied"}

    monkeypatch.setitem(handlers.HANDLERS, JobKind.ACTIVITY_IMPORT, work)
    started = timezone.now()

    assert job_run(str(job.pk), heartbeat=True) == "done"

    assert seen["written"] and seen["renewed"]
    assert seen["stage"] == "applying"
    assert seen["progress"] == {
        "checking": {"done": 40, "total": 40},
        "applying": {"done": 7, "total": 20},
    }
    assert seen["cached"] == {"stage": "applying", "progress": seen["progress"]}
    finished = job_get(job_id=job.pk)
    assert finished is not None
    assert (finished.state, finished.stage, finished.result) == (
        JobState.DONE,
        "applying",
        {"outcome": "applied"},
    )
    assert finished.progress["applying"] == {"done": 20, "total": 20}
    assert finished.heartbeat_at is not None and finished.heartbeat_at >= started
    assert cache.get(progress_cache_key(str(job.pk))) is None
