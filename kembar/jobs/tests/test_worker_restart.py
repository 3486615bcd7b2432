"""A job survives its worker being killed: a real ``run_huey`` worker is SIGKILLed mid-import.

The test is the web server: it saves the job and sends it to an SQLite queue
file (``job_enqueue``, as the upload page does).  A worker started with the
production settings (``manage.py run_huey``) takes it; once the job's page
would show rows being applied, the worker is killed with SIGKILL (no chance
to clean up).  A second worker started after the lease ran out sends the
job again on its start-up, runs it, and the activities exist exactly once.

The worker process needs the test's database.  On PostgreSQL it connects
to the test database by name.  pytest-django keeps an SQLite test database
in memory, which another process cannot open: the test copies it into a
file with SQLite's backup API for the workers, and copies the file back
afterwards to check the result with the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client, TestCase
from huey import SqliteHuey
from huey.contrib.djhuey import HUEY

from kembar.jobs import services, tasks
from kembar.jobs.models import Job, JobKind
from kembar.jobs.selectors import progress_cache_key
from kembar.programs.models import Activity, ImportBatch, ParticipantCount
from kembar.programs.tests.test_spreadsheet import (
    World,
    activity_row,
    participant_rows,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for this test

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ACTIVITIES = 1500
LEASE_SECONDS = 3


@dataclass
class Seen:
    state: str
    stage: str
    progress: dict[str, Any]
    attempts: int
    lease_until: dt.datetime | None


class Database:
    """The test database as the worker processes see it."""

    def __init__(self, tmp_path: Path) -> None:
        self.file: Path | None = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.file = tmp_path / "kembar.sqlite3"

    @property
    def url(self) -> str:
        if self.file is not None:
            return f"sqlite:///{self.file}"
        db = connection.settings_dict
        return (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )

    def hand_over(self) -> None:
        """Give the workers what the test committed."""
        if self.file is not None:
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        """Let the test's ORM see what the workers wrote."""
        if self.file is not None:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def applying(self, job_id: str, cache: FileBasedCache) -> bool:
        """Whether the job's page would show rows being applied, neither none nor all."""
        latest = cache.get(progress_cache_key(job_id)) or {}
        for progress in (latest.get("progress", {}), self.job(job_id).progress):
            numbers = progress.get("applying", {})
            if 0 < numbers.get("done", 0) < numbers.get("total", 0):
                return True
        return False

    def job(self, job_id: str) -> Seen:
        if self.file is None:
            job = Job.objects.get(pk=job_id)
            return Seen(job.state, job.stage, job.progress, job.attempts, job.lease_until)
        with sqlite3.connect(self.file, timeout=20) as db:
            row = db.execute(
                "SELECT state, stage, progress, attempts, lease_until FROM jobs_job WHERE id = ?",
                [job_id.replace("-", "")],
            ).fetchone()
        lease = dt.datetime.fromisoformat(row[4]).replace(tzinfo=dt.UTC) if row[4] else None
        return Seen(row[0], row[1], json.loads(row[2]), row[3], lease)


def wait_for(
    condition: Callable[[], bool], *, seconds: float, what: str, explain: Callable[[], str]
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}: {explain()}")
        time.sleep(0.05)


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--skip-checks", "-w", "1", "-m", "0.2"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def queued(queue: SqliteHuey) -> list[tuple[str, tuple[Any, ...]]]:
    """The tasks waiting in the queue file: (name, arguments)."""
    messages = [queue.serializer.deserialize(data) for data in queue.storage.enqueued_items()]
    return [(message.name, tuple(message.args)) for message in messages]


def big_workbook(world: World) -> bytes:
    references = [f"SMG-BNE-2024-{number:04d}" for number in range(1, ACTIVITIES + 1)]
    return workbook(
        world.officer,
        {
            "Kegiatan": [activity_row(reference) for reference in references],
            "Peserta": [row for reference in references for row in participant_rows(reference)],
        },
    )


def test_a_job_finishes_exactly_once_after_its_worker_is_killed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    database = Database(tmp_path)
    queue_file = tmp_path / "queue.sqlite3"
    # The test sends the job as the web server does, into the queue file the workers read.
    queue = SqliteHuey(HUEY.name, filename=str(queue_file))
    monkeypatch.setattr(tasks, "run_job", queue.task()(tasks.run_job.func))
    content = big_workbook(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=world.officer,
            params={"language": "en", "apply_valid": False},
            input_data=content,
            input_name="kegiatan-besar.xlsx",
        )
    job_id = str(job.pk)
    assert queued(queue) == [("kembar.jobs.tasks.run_job", (job_id,))]
    database.hand_over()
    env = {
        **{key: value for key, value in os.environ.items() if key != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database.url,
        "KEMBAR_VAR_DIR": str(tmp_path),
        "KEMBAR_QUEUE_FILE": str(queue_file),
        "KEMBAR_QUEUE_IMMEDIATE": "false",
        "KEMBAR_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "KEMBAR_PLAIN_STATIC": "true",
        "KEMBAR_LOG_LEVEL": "WARNING",
        "KEMBAR_DB_POOL_MAX": "0",
    }
    log = tmp_path / "worker.log"
    # The workers' cache (no REDIS_URL): a directory under their KEMBAR_VAR_DIR.
    worker_cache = FileBasedCache(str(tmp_path / "cache"), {})

    def explain() -> str:
        return f"{database.job(job_id)}\n{log.read_text(errors='replace')[-3000:]}"

    with worker(env, log) as first:
        wait_for(
            lambda: database.applying(job_id, worker_cache),
            seconds=60,
            what="the first worker to apply rows",
            explain=explain,
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = database.job(job_id)
    assert (at_kill.state, at_kill.attempts) == ("running", 1)
    # The latest progress is in the cache; the database copy may lag by a write (0.5 s).
    shown = (worker_cache.get(progress_cache_key(job_id)) or {}).get("progress") or {}
    progress = {**at_kill.progress, **shown}
    assert progress["checking"]["done"] == progress["checking"]["total"]
    # The task left the queue with the killed worker (the scheduler's own tasks may wait there).
    assert ("kembar.jobs.tasks.run_job", (job_id,)) not in queued(queue)

    # The next worker takes the job over once its lease has run out.
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
            lambda: database.job(job_id).state in ("done", "failed"),
            seconds=90,
            what="the second worker to finish the job",
            explain=explain,
        )

    database.take_back()
    job.refresh_from_db()
    log_text = log.read_text(errors="replace")
    assert job.state == "done", log_text[-3000:]
    assert job.attempts == 2
    assert [(e.kind, e.attempt) for e in job.events.all()] == [
        ("queued", 0),
        ("started", 1),
        ("requeued", 1),
        ("started", 2),
        ("done", 2),
    ]
    # Each activity once, with its participants once.
    assert Activity.objects.count() == ACTIVITIES
    assert Activity.objects.values("reference").distinct().count() == ACTIVITIES
    assert ParticipantCount.objects.count() == 3 * ACTIVITIES
    # The killed run left its upload log as stopped; the run that finished is the job's result.
    batches = list(ImportBatch.objects.order_by("pk"))
    assert [batch.outcome for batch in batches] == ["refused", "applied"]
    assert batches[0].reason == (
        "The import stopped at an error before it finished; nothing was applied."
    )
    assert job.result["batch"] == batches[1].pk
    assert job.result["outcome"] == "applied"
    assert len(job.result["applied_references"]) == ACTIVITIES
    activities = job.result["counts"]["activities"]
    # Rows the killed run had committed are found unchanged; none is created twice.
    assert activities["created"] + activities["unchanged"] == ACTIVITIES
    assert activities["created"] < ACTIVITIES
    assert (activities["updated"], activities["removed"]) == (0, 0)
    assert (job.result["problems"], job.result["attempt"]) == ([], 2)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.officer)
    page = client.get(f"/staff/jobs/{job_id}/").content.decode()
    assert '<p id="import-outcome" data-outcome="applied"><strong>applied</strong>' in page
    assert 'id="import-resumed"' in page
