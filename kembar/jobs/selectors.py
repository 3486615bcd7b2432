"""Reads of jobs: one for its page, the recent ones of a user, the live progress."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from kembar.accounts.models import User
from kembar.jobs.models import Job, JobState

__all__ = ["job_get", "job_progress", "jobs_of_user", "progress_cache_key"]


def progress_cache_key(job_id: str) -> str:
    """Where a running job's worker keeps its latest progress (read by the job's page)."""
    return f"kembar:job-progress:{job_id}"


def job_get(*, job_id: Any) -> Job | None:
    """The job with its creator and their organisation, without the uploaded file."""
    return (
        Job.objects.defer("input_data")
        .select_related("created_by__organisation")
        .filter(pk=job_id)
        .first()
    )


def jobs_of_user(*, user: User, kind: str = "", unfinished: bool = False) -> QuerySet[Job]:
    """The jobs ``user`` started, newest first (of one ``kind``; only those still to finish)."""
    jobs = Job.objects.defer("input_data").filter(created_by=user)
    if kind:
        jobs = jobs.filter(kind=kind)
    if unfinished:
        jobs = jobs.filter(state__in=[JobState.QUEUED, JobState.RUNNING])
    return jobs


def job_progress(job: Job) -> tuple[str, dict[str, dict[str, int]]]:
    """The stage and per-stage progress: the worker's latest (cache) or the last saved."""
    if job.state == JobState.RUNNING:
        latest = cache.get(progress_cache_key(str(job.pk)))
        if isinstance(latest, dict):
            return str(latest.get("stage", "")), dict(latest.get("progress", {}))
    progress = job.progress if isinstance(job.progress, dict) else {}
    return job.stage, progress
