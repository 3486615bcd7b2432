"""The reports page: ask for a report, follow its job, download the file.

The file is made by a background job (``JobKind.REPORT``); its page is the
jobs app's, with the progress bars, and shows the download link once the job
has finished (:func:`report_job_context`).  Who may ask for which report is
the rule ``reports.request_report``; who may download a file is who may see
its job (``jobs.view_job``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kembar.common.staff_views import apply_errors, require
from kembar.jobs import selectors as job_selectors
from kembar.jobs.models import Job, JobKind, JobState
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.reports.forms import ReportForm
from kembar.reports.services import CONTENT_TYPES, report_permission, report_request

__all__ = ["report_download", "report_index", "report_job_context"]


@require_http_methods(["GET", "POST"])
@staff_view
def report_index(request: StaffRequest) -> HttpResponse:
    require(request, "reports.request_council_report", None)
    initial = {
        "year": timezone.localdate().year - 1,
        "language": "en" if (get_language() or "id").startswith("en") else "id",
        "format": "pdf",
    }
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        options = form.options()
        require(request, report_permission(options.kind), form.cleaned_data["region"])
        try:
            job = report_request(user=request.user, options=options)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("jobs:detail", job_id=job.pk)
    jobs = job_selectors.jobs_of_user(user=request.user, kind=JobKind.REPORT)[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/reports/index.html", {"form": form, "jobs": jobs}, status=status)


def _finished_file(job: Job | None) -> dict[str, Any] | None:
    if job is None or job.kind != JobKind.REPORT or job.state != JobState.DONE:
        return None
    result = job.result if isinstance(job.result, dict) else {}
    if not result.get("file") or result.get("format") not in CONTENT_TYPES:
        return None
    return result


@require_safe
@staff_view
def report_download(request: StaffRequest, job_id: str) -> FileResponse:
    job = job_selectors.job_get(job_id=job_id)
    # Someone else's report is not given, nor is it said to exist.
    if job is None or not request.user.has_perm("jobs.view_job", job):
        raise Http404
    result = _finished_file(job)
    if result is None or not default_storage.exists(result["file"]):
        raise Http404
    response = FileResponse(
        default_storage.open(result["file"], "rb"),
        as_attachment=True,
        filename=str(result["name"]),
        content_type=CONTENT_TYPES[result["format"]],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def report_job_context(request: StaffRequest, job: Job) -> dict[str, Any]:
    """What a report job's page adds: the download link once the file is made."""
    return {
        "report": _finished_file(job),
        "result_template": "staff/reports/_job_result.html",
        "failed_note": _("No file was made. Try again; if it fails again, tell an administrator.")
        if job.state == JobState.FAILED
        else "",
    }
