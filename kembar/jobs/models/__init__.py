"""Background jobs: what was asked, who runs it, how far it got, what came of it.

Dependency direction: ``jobs`` imports ``accounts`` (and, for each kind of job,
the service it runs, in ``kembar.jobs.handlers``); the apps that start jobs
import ``kembar.jobs.services``.
"""

from kembar.jobs.models.jobs import Job, JobEvent, JobKind, JobState

__all__ = ["Job", "JobEvent", "JobKind", "JobState"]
