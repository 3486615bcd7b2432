"""What each kind of job does: the service it calls and the result it keeps.

A handler takes the job and a progress callback ``(stage, done, total)`` and
returns the result as JSON, written in the language the user asked in.  It
must be idempotent: a run cut short by a dying worker is run again.

A job whose work commits in parts (an import applies its rows in short
transactions) keeps what it needs to undo them; its entry in :data:`UNDO`
undoes what its runs left applied once the job has failed for good (out of
attempts, or its work raised), and :data:`UNDO_PENDING` names the failed
jobs that still have something to undo (an undo cut short is taken up again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation

from kembar.jobs.models import Job, JobKind
from kembar.jobs.services import job_undo
from kembar.programs.models import ImportBatch, ImportUndo
from kembar.programs.spreadsheet import ImportReport, activity_import
from kembar.programs.spreadsheet_apply import journal_clear, journal_rollback, undo_journal
from kembar.reports.services import report_job_run

__all__ = ["HANDLERS", "UNDO", "UNDO_PENDING", "activity_import_run", "activity_import_undo"]

ProgressCallback = Callable[[str, int, int], None]
Handler = Callable[[Job, ProgressCallback], dict[str, Any]]


def _report_result(report: ImportReport) -> dict[str, Any]:
    return {
        "outcome": report.outcome,
        "batch": report.batch.pk if report.batch is not None else None,
        "changed": report.changed,
        "counts": report.counts,
        "applied_references": list(report.applied_references),
        "rejected_references": list(report.rejected_references),
        "problems": [
            {
                "sheet": problem.sheet,
                "row": problem.row,
                "column": problem.column,
                "letter": problem.letter,
                "message": problem.message,
                "fix": problem.fix,
            }
            for problem in report.problems
        ],
    }


def _earlier_batch(job: Job, digest: str) -> ImportBatch | None:
    """The upload log of an earlier run of this job that got as far as applying the file.

    A worker may die after the import committed and before the job was
    marked finished; the run again then finds the file applied and changes
    nothing, and the job's result must still name the upload that applied it.
    """
    if job.attempts <= 1 or job.started_at is None:
        return None
    return (
        ImportBatch.objects.filter(
            sha256=digest,
            uploaded_by=job.created_by,
            uploaded_at__gte=job.started_at,
            outcome__in=[ImportBatch.Outcome.APPLIED, ImportBatch.Outcome.PARTLY_APPLIED],
        )
        .order_by("uploaded_at", "pk")
        .first()
    )


_JOURNAL_PREFIX = "job:"


def _journal(job_id: Any) -> str:
    return f"{_JOURNAL_PREFIX}{job_id}"


def activity_import_run(job: Job, progress: ProgressCallback) -> dict[str, Any]:
    """Check and apply an uploaded spreadsheet (``spreadsheet.activity_import``).

    The chunks it applies keep their undo logs in the job's journal until
    the import ends.  Refused in the end, the job leaves the data as before
    it: what an earlier run cut short by a dying worker had applied is undone
    too (the result says how many parts, ``undone``).
    """
    params: Mapping[str, Any] = job.params
    content = bytes(job.input_data)
    size = params.get("size")
    language = params.get("language") or settings.LANGUAGE_CODE
    journal = _journal(job.pk)
    with translation.override(language), undo_journal(journal):
        earlier = _earlier_batch(job, hashlib.sha256(content).hexdigest())
        report = activity_import(
            actor=job.created_by,
            filename=job.input_name,
            content=content,
            apply_valid=bool(params.get("apply_valid")),
            size=None if size is None else int(size),
            progress=progress,
        )
    result = _report_result(report)
    if report.outcome == ImportBatch.Outcome.REFUSED:
        result["undone"] = job_undo(job_id=str(job.pk), kind=job.kind, attempt=job.attempts)
    else:
        journal_clear(journal)
    # A run after a dying worker: what the dead run had applied is found unchanged.
    result["attempt"] = job.attempts
    if earlier is not None and not report.changed:
        result.update(
            outcome=earlier.outcome,
            batch=earlier.pk,
            counts=earlier.summary,
            changed=_changed(earlier.summary),
        )
    return result


def _changed(summary: Any) -> int:
    if not isinstance(summary, dict):
        return 0
    return sum(
        int(numbers.get(name, 0))
        for numbers in summary.values()
        if isinstance(numbers, dict)
        for name in ("created", "updated", "removed")
    )


def activity_import_undo(job_id: str) -> int:
    """Undo what the runs of the import job ``job_id`` left applied; the parts undone."""
    return journal_rollback(_journal(job_id))


def activity_imports_to_undo() -> set[str]:
    """The ids of the import jobs whose journal still holds parts applied."""
    journals = ImportUndo.objects.filter(journal__startswith=_JOURNAL_PREFIX).values_list(
        "journal", flat=True
    )
    return {journal.removeprefix(_JOURNAL_PREFIX) for journal in journals.distinct()}


HANDLERS: dict[str, Handler] = {
    JobKind.ACTIVITY_IMPORT: activity_import_run,
    JobKind.REPORT: report_job_run,
}
UNDO: dict[str, Callable[[str], int]] = {JobKind.ACTIVITY_IMPORT: activity_import_undo}
UNDO_PENDING: dict[str, Callable[[], set[str]]] = {
    JobKind.ACTIVITY_IMPORT: activity_imports_to_undo
}
