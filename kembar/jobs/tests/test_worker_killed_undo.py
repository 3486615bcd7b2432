"""An import whose worker is killed and which may not run again leaves nothing applied.

As ``test_worker_restart``: a real ``run_huey`` worker is SIGKILLed while it
applies the chunks of a large import, having committed some of them.  The
job may run only once (``KEMBAR_JOB_MAX_ATTEMPTS=1``), so the next worker's
start-up recovery fails it instead of running it again, and undoes the
chunks the killed worker had committed from the job's journal: no activity,
count, history record or summary row of the import is left.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.test import TestCase
from huey import SqliteHuey
from huey.contrib.djhuey import HUEY

from kembar.jobs import services, tasks
from kembar.jobs.models import Job, JobEvent, JobKind
from kembar.jobs.tests.test_worker_restart import (
    LEASE_SECONDS,
    Database,
    big_workbook,
    wait_for,
    worker,
)
from kembar.programs.models import (
    Activity,
    ImportUndo,
    ParticipantCount,
    ParticipantRollup,
)
from kembar.programs.rollup import rollup_differences
from kembar.programs.tests.test_spreadsheet import World, world

__all__ = ["world"]  # the fixture, imported for this test

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def event_kinds(database: Database, job_id: str) -> list[str]:
    if database.file is None:
        return list(
            JobEvent.objects.filter(job_id=job_id).order_by("pk").values_list("kind", flat=True)
        )
    with sqlite3.connect(database.file, timeout=20) as db:
        rows = db.execute(
            "SELECT kind FROM jobs_jobevent WHERE job_id = ? ORDER BY id",
            [job_id.replace("-", "")],
        ).fetchall()
    return [kind for (kind,) in rows]


def test_a_killed_import_out_of_attempts_is_undone(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(tmp_path)
    queue_file = tmp_path / "queue.sqlite3"
    queue = SqliteHuey(HUEY.name, filename=str(queue_file))
    monkeypatch.setattr(tasks, "run_job", queue.task()(tasks.run_job.func))
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=world.officer,
            params={"language": "en", "apply_valid": False},
            input_data=big_workbook(world),
            input_name="kegiatan-besar.xlsx",
        )
    job_id = str(job.pk)
    database.hand_over()
    env = {
        **{key: value for key, value in os.environ.items() if key != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database.url,
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_QUEUE_FILE": str(queue_file),
        "KEMBAR_QUEUE_IMMEDIATE": "false",
        "KEMBAR_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "KEMBAR_JOB_MAX_ATTEMPTS": "1",
        "KEMBAR_PLAIN_STATIC": "true",
        "KEMBAR_LOG_LEVEL": "WARNING",
        "KEMBAR_DB_POOL_MAX": "0",
    }
    log = tmp_path / "worker.log"
    worker_cache = FileBasedCache(str(tmp_path / "cache"), {})

    def explain() -> str:
        return f"{database.job(job_id)}\n{log.read_text(errors='replace')[-3000:]}"

    def committed() -> int:
        if database.file is None:
            return ImportUndo.objects.count()
        with sqlite3.connect(database.file, timeout=20) as db:
            return int(db.execute("SELECT count(*) FROM programs_importundo").fetchone()[0])

    with worker(env, log) as first:
        wait_for(
            lambda: database.applying(job_id, worker_cache) and committed() > 0,
            seconds=60,
            what="the first worker to commit a chunk",
            explain=explain,
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = database.job(job_id)
    assert (at_kill.state, at_kill.attempts) == ("running", 1)
    assert at_kill.lease_until is not None
    lease_over = at_kill.lease_until + dt.timedelta(seconds=0.2)
    wait_for(
        lambda: dt.datetime.now(dt.UTC) > lease_over,
        seconds=LEASE_SECONDS + 5,
        what="the lease to run out",
        explain=explain,
    )
    with worker(env, log):
        wait_for(
            lambda: "undone" in event_kinds(database, job_id),
            seconds=90,
            what="the second worker to fail the job and undo it",
            explain=explain,
        )

    database.take_back()
    job = Job.objects.get(pk=job_id)
    assert (job.state, job.attempts) == ("failed", 1)
    assert [(e.kind, e.attempt) for e in job.events.order_by("pk")] == [
        ("queued", 0),
        ("started", 1),
        ("failed", 0),
        ("undone", 1),
    ]
    assert Activity.objects.count() == 0
    assert ParticipantCount.objects.count() == 0
    assert Activity.history.count() == 0
    assert ParticipantCount.history.count() == 0
    assert ParticipantRollup.objects.count() == 0
    assert ImportUndo.objects.count() == 0
    assert rollup_differences() == []
