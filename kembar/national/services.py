"""Writes of the national app: that a region sent its report to the Minister."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.geo.models import Region
from kembar.national.models import ReportSubmission
from kembar.national.periods import report_due_on
from kembar.national.refresh import LEVELS

__all__ = ["report_submission_record"]


def report_submission_record(
    *,
    actor: Any,
    region_id: str,
    year: int,
    sent_on: dt.date,
    reference: str = "",
    note: str = "",
) -> ReportSubmission:
    """Record that ``region_id`` sent its PP 28/2018 Pasal 43 report for ``year`` on ``sent_on``.

    The region's cooperation officers and administrators only
    (``national.record_report``).  A second record of the same region and year
    corrects the first (the history keeps both); the deadline is the rule's
    (:func:`kembar.national.periods.report_due_on`) when first recorded and is
    kept afterwards.
    """
    if not actor.has_perm("national.record_report", region_id):
        raise PermissionDenied(_("You may not record reports of this region."))
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    if not Region.objects.filter(kode=region_id, level__in=LEVELS).exists():
        problems["region"] = [_("No province, kabupaten or kota has this code.")]
    if year > today.year:
        problems["year"] = [_("The period has not begun yet.")]
    if sent_on > today:
        problems["sent_on"] = [_("The date is in the future.")]
    elif sent_on < dt.date(year, 1, 1):
        problems["sent_on"] = [_("A report cannot be sent before its period begins.")]
    if problems:
        raise ValidationError(problems)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _save(actor, region_id, year, sent_on, reference, note)
        except IntegrityError:
            # Someone recorded the same region and year at the same moment: correct theirs.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _save(
    actor: Any, region_id: str, year: int, sent_on: dt.date, reference: str, note: str
) -> ReportSubmission:
    report = (
        ReportSubmission.objects.select_for_update().filter(region_id=region_id, year=year).first()
    )
    if report is None:
        report = ReportSubmission(region_id=region_id, year=year, due_on=report_due_on(year))
    report.sent_on = sent_on
    report.reference = reference.strip()
    report.note = note.strip()
    report.recorded_by = actor
    report.save()
    return report
