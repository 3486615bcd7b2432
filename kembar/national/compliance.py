"""Who sent the implementation report to the Minister (PP 28/2018 Pasal 43), and when.

For one period (a year): every regional government that owed the report (its
year summary says so, :attr:`RegionYearSummary.expects_report`) or sent one,
with its status (:func:`kembar.national.periods.report_status`).  Regions that
owed nothing and sent nothing are not listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kembar.geo.models import Region
from kembar.national.models import RegionYearSummary, ReportSubmission
from kembar.national.periods import REPORT_STATUSES, report_due_on, report_status
from kembar.national.refresh import LEVELS as REGION_LEVELS
from kembar.national.selectors import LEVELS

__all__ = ["Compliance", "report_compliance"]


@dataclass
class Compliance:
    period: int
    due_on: dt.date
    today: dt.date
    rows: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> list[dict[str, Any]]:
        """How many regions are in each status, in the order of the statuses."""
        return [
            {
                "status": status,
                "label": str(label),
                "count": sum(1 for row in self.rows if row["status"] == status),
            }
            for status, label in REPORT_STATUSES.items()
        ]


def report_compliance(
    *,
    period: int,
    level: str | None = None,
    within: str | None = None,
    today: dt.date | None = None,
) -> Compliance:
    """The reports owed or sent for ``period`` (a year), by region code."""
    day = today or timezone.localdate()
    regions = Region.objects.filter(level__in=REGION_LEVELS)
    if level is not None:
        regions = regions.filter(level=LEVELS[level])
    if within:
        regions = regions.filter(kode=within) | regions.filter(parent_id=within)
    expected = set(
        RegionYearSummary.objects.filter(
            year=period, expects_report=True, region__in=regions
        ).values_list("region_id", flat=True)
    )
    sent = {
        report.region_id: report
        for report in ReportSubmission.objects.filter(year=period, region__in=regions)
    }
    wanted = expected | set(sent)
    rows = []
    for region in (
        regions.filter(kode__in=wanted)
        .order_by("kode")
        .values("kode", "name", "level", "parent__name")
    ):
        kode = region["kode"]
        report = sent.get(kode)
        due_on = report.due_on if report else report_due_on(period)
        status = report_status(
            expected=kode in expected,
            sent_on=report.sent_on if report else None,
            due_on=due_on,
            today=day,
        )
        rows.append(
            {
                "kode": kode,
                "name": region["name"],
                "level": "province" if region["level"] == LEVELS["province"] else "kab_kota",
                "province_name": region["parent__name"] or region["name"],
                "expected": kode in expected,
                "status": status,
                "status_label": str(REPORT_STATUSES[status]) if status else "",
                "due_on": due_on,
                "sent_on": report.sent_on if report else None,
                "days_late": (report.sent_on - due_on).days
                if report and report.sent_on > due_on
                else None,
                "reference": report.reference if report else "",
            }
        )
    return Compliance(period=period, due_on=report_due_on(period), today=day, rows=rows)
