"""Make a report: check what was asked, build its content, render it, keep the file.

:func:`report_build` is what the ``report`` command and the background job
both call, so a file made on the command line and one downloaded from the
staff pages are the same bytes.  :func:`report_request` starts the job;
:func:`report_job_run` is its handler (``kembar.jobs.handlers``) and keeps the
file in the default storage under the job's id, where the download view
finds it through the job's result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _

from kembar.accounts.models import User
from kembar.geo.models import Region
from kembar.jobs.models import Job, JobKind
from kembar.jobs.services import job_enqueue
from kembar.partnerships.models import Partnership
from kembar.reports.content import KINDS, Report, council_report, ministry_report
from kembar.reports.content import partnership_profile as profile_report
from kembar.reports.render import FORMATS, render_pdf, render_xlsx

__all__ = [
    "CONTENT_TYPES",
    "LANGUAGES",
    "ReportOptions",
    "report_build",
    "report_content",
    "report_job_run",
    "report_options_check",
    "report_permission",
    "report_request",
]

LANGUAGES = ("id", "en")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Where the finished files are kept (default storage), one folder per job.
STORAGE_DIR = "reports"

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a report is asked for; ``partnership`` is a slug (ministry and profile only)."""

    kind: str
    region: str
    year: int
    format: str
    language: str = "id"
    partnership: str = ""

    def as_params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "region": self.region,
            "year": self.year,
            "format": self.format,
            "language": self.language,
            "partnership": self.partnership,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ReportOptions:
        return cls(
            kind=str(params.get("kind", "")),
            region=str(params.get("region", "")),
            year=int(params.get("year", 0)),
            format=str(params.get("format", "")),
            language=str(params.get("language") or "id"),
            partnership=str(params.get("partnership") or ""),
        )

    def filename(self) -> str:
        subject = self.partnership or self.region
        return f"kembar-{self.kind}-{subject}-{self.year}-{self.language}.{self.format}"


def report_options_check(options: ReportOptions) -> tuple[Region, Partnership | None]:
    """The region and partnership ``options`` name; ValidationError saying what is wrong."""
    if options.kind not in KINDS:
        raise ValidationError(
            _("Unknown kind of report %(kind)s: choose %(kinds)s.")
            % {"kind": options.kind, "kinds": ", ".join(KINDS)}
        )
    if options.format not in FORMATS:
        raise ValidationError(
            _("Unknown format %(format)s: choose %(formats)s.")
            % {"format": options.format, "formats": ", ".join(FORMATS)}
        )
    if options.language not in LANGUAGES:
        raise ValidationError(
            _("Unknown language %(language)s: choose id or en.") % {"language": options.language}
        )
    if not 1950 <= options.year <= 2100:
        raise ValidationError(_("The year must lie between 1950 and 2100."))
    region = Region.objects.filter(kode=options.region).first()
    if region is None:
        raise ValidationError(_("Unknown region %(region)s.") % {"region": options.region})
    partnership = None
    if options.kind in ("ministry", "profile"):
        if not options.partnership:
            raise ValidationError(
                _("A %(kind)s report is of one partnership: name it (--partnership SLUG).")
                % {"kind": options.kind}
            )
        partnership = (
            Partnership.objects.select_related("local_region", "state", "partner_country")
            .filter(slug=options.partnership)
            .first()
        )
        if partnership is None:
            raise ValidationError(
                _("Unknown partnership %(slug)s.") % {"slug": options.partnership}
            )
        if partnership.local_region_id != region.kode:
            raise ValidationError(
                _("The partnership %(slug)s is not one of %(region)s.")
                % {"slug": partnership.slug, "region": region.name}
            )
    return region, partnership


def report_content(options: ReportOptions) -> Report:
    """The content of the report ``options`` ask for, in its language."""
    region, partnership = report_options_check(options)
    with translation.override(options.language):
        if options.kind == "council":
            return council_report(region=region, year=options.year, language=options.language)
        if partnership is None:  # pragma: no cover - report_options_check requires it
            raise ValidationError(_("A partnership is required."))
        builder = ministry_report if options.kind == "ministry" else profile_report
        return builder(partnership=partnership, year=options.year, language=options.language)


def report_build(
    options: ReportOptions, *, progress: ProgressCallback | None = None
) -> tuple[str, bytes]:
    """The report's file name and bytes; the same data and options give the same bytes."""
    report_options_check(options)
    if progress is not None:
        progress("gathering", 0, 1)
    report = report_content(options)
    if progress is not None:
        progress("gathering", 1, 1)
        progress("rendering", 0, 1)
    content = render_pdf(report) if options.format == "pdf" else render_xlsx(report)
    if progress is not None:
        progress("rendering", 1, 1)
    return options.filename(), content


def report_permission(kind: str) -> str:
    """The rule that says who may have a report of ``kind`` made (``kembar.reports.rules``)."""
    return "reports.request_council_report" if kind == "council" else "reports.request_report"


def report_request(*, user: User, options: ReportOptions) -> Job:
    """Check the options and the user's right, and start the job that makes the report."""
    region, _partnership = report_options_check(options)
    if not user.has_perm(report_permission(options.kind), region):
        raise PermissionDenied
    return job_enqueue(
        kind=JobKind.REPORT,
        created_by=user,
        params=options.as_params(),
        input_name=options.filename(),
    )


def report_job_run(job: Job, progress: ProgressCallback) -> dict[str, Any]:
    """The job's work: build the report and keep the file (a run again overwrites it)."""
    options = ReportOptions.from_params(dict(job.params))
    name, content = report_build(options, progress=progress)
    path = f"{STORAGE_DIR}/{job.pk}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    stored = default_storage.save(path, ContentFile(content))
    return {
        "file": stored,
        "name": name,
        "format": options.format,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
