"""The page of a background job: its progress while it runs, then its result.

While the job waits or runs, the page asks for its status every second
(htmx, ``hx-trigger="every 1s"``); the same view answers an htmx request
with the status section alone, which stops asking once the job finished.
Without JavaScript the page offers a link to look again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.functions import Length
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kembar.jobs import selectors
from kembar.jobs.models import Job, JobKind, JobState
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs.forms import ImportForm
from kembar.programs.models import ImportBatch

__all__ = ["job_detail", "job_list"]

COUNTS = ("created", "updated", "unchanged", "removed")
#: The records an import counts (``kembar.programs.spreadsheet.KINDS``), as the page names them.
_COUNTED = {
    "activities": _("Activities"),
    "participants": _("Participant rows"),
    "budget_lines": _("Budget lines"),
    "contributions": _("Contributions"),
    "results": _("Results"),
}

#: Seconds between two looks at a running job's status.
POLL_SECONDS = 1


def _activity_import_context(request: StaffRequest, job: Job) -> dict[str, Any]:
    result: dict[str, Any] = job.result if isinstance(job.result, dict) else {}
    batch_id = result.get("batch")
    batch = (
        ImportBatch.objects.defer("rejected_file")
        .annotate(rejected_size=Length("rejected_file"))
        .filter(pk=int(batch_id))
        .first()
        if isinstance(batch_id, int)
        else None
    )
    report = {**result, "batch": batch}
    counts: dict[str, Any] = result.get("counts") or {}
    count_rows = [
        {"label": label, **{name: int(counts[key].get(name, 0)) for name in COUNTS}}
        for key, label in _COUNTED.items()
        if isinstance(counts.get(key), dict)
    ]
    return {
        "count_rows": count_rows,
        "report": report if job.state == JobState.DONE else None,
        "may_download_rejected": bool(
            batch is not None and batch.rejected_size and batch.uploaded_by_id == request.user.pk
        ),
        "form": ImportForm(),
        "result_template": "staff/activities/_import_report.html",
    }


def _report_context(request: StaffRequest, job: Job) -> dict[str, Any]:
    # Imported here: the reports app imports the jobs app's services.
    from kembar.reports.views import report_job_context

    return report_job_context(request, job)


#: What each kind of job adds to its page: the result template and what it shows.
PAGES: dict[str, Callable[[StaffRequest, Job], dict[str, Any]]] = {
    JobKind.ACTIVITY_IMPORT: _activity_import_context,
    JobKind.REPORT: _report_context,
}

#: The stages of each kind of job whose progress bars its page shows, with their labels.
STAGES: dict[str, tuple[tuple[str, Any], ...]] = {
    JobKind.ACTIVITY_IMPORT: (("checking", _("Rows checked")), ("applying", _("Rows applied"))),
    JobKind.REPORT: (("gathering", _("Figures gathered")), ("rendering", _("File written"))),
}


def _stage_rows(job: Job) -> list[dict[str, Any]]:
    stage, progress = selectors.job_progress(job)
    rows = []
    for key, label in STAGES.get(job.kind, STAGES[JobKind.ACTIVITY_IMPORT]):
        numbers = progress.get(key) or {}
        rows.append(
            {
                "key": key,
                "label": label,
                "current": key == stage,
                "done": int(numbers.get("done", 0)),
                "total": int(numbers.get("total", 0)),
                "known": bool(numbers),
            }
        )
    return rows


@require_safe
@staff_view
def job_detail(request: StaffRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(job_id=job_id)
    # Someone else's job is not shown, nor is it said to exist.
    if job is None or not request.user.has_perm("jobs.view_job", job):
        raise Http404
    context: dict[str, Any] = {
        "job": job,
        "stages": _stage_rows(job),
        "poll_seconds": POLL_SECONDS,
        **(PAGES[job.kind](request, job) if job.kind in PAGES else {}),
    }
    if request.htmx:
        return render(request, "staff/jobs/_status.html", context)
    return render(request, "staff/jobs/detail.html", context)


@require_safe
@staff_view
def job_list(request: StaffRequest) -> HttpResponse:
    """The user's own recent jobs."""
    jobs = selectors.jobs_of_user(user=request.user)[:25]
    return render(request, "staff/jobs/list.html", {"jobs": jobs})
