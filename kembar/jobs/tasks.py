"""The queue's tasks for jobs: run one, and put back those a dead worker left.

``manage.py run_huey`` finds this module.  A job survives a restart of the
web server (it is saved before it is sent, and a queued job the queue lost
is sent again) and of the worker (its lease runs out and it is sent again,
on the worker's start-up and every minute).
"""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.api import Task
from huey.contrib.djhuey import HUEY, close_db, db_periodic_task, db_task, on_startup
from huey.signals import SIGNAL_INTERRUPTED

from kembar.jobs.runner import job_run, jobs_in_flight_release
from kembar.jobs.services import jobs_recover

__all__ = [
    "jobs_pending",
    "recover_jobs",
    "recover_jobs_on_startup",
    "release_interrupted",
    "run_job",
]

logger = logging.getLogger(__name__)


# The tasks return nothing: huey would keep every return value in its result store.


@db_task()
def run_job(job_id: str) -> None:
    """Run the job (idempotent: a job another worker holds or that finished is skipped)."""
    outcome = job_run(job_id, heartbeat=not HUEY.immediate)
    logger.info("Job %s: %s", job_id, outcome)


def jobs_pending() -> set[str]:
    """The ids of the jobs waiting in the queue (or scheduled there for later)."""
    ids: set[str] = set()
    for task in [*HUEY.pending(), *HUEY.scheduled()]:
        if isinstance(task, run_job.task_class) and task.args:
            ids.add(str(task.args[0]))
    return ids


@db_periodic_task(crontab(minute="*"))
def recover_jobs() -> None:
    """Every minute: send again the jobs whose worker died, and those the queue lost."""
    jobs_recover(pending=jobs_pending())


@HUEY.signal(SIGNAL_INTERRUPTED)
def release_interrupted(signal: str, task: Task, *args: Any, **kwargs: Any) -> None:
    """A worker stopped at once (SIGTERM) gives up its jobs' leases on its way out."""
    if isinstance(task, run_job.task_class) and task.args:
        jobs_in_flight_release([str(task.args[0])])


@on_startup()
@close_db
def recover_jobs_on_startup() -> None:
    """When a worker starts, it first sends again what a worker killed before left."""
    jobs_recover(pending=jobs_pending())
