"""The governor's view: ``/staff/national/province/`` and ``/staff/national/province/<kode>/``.

For the province supervisor (the governor's office) of the province, the ministry
and administrators (``national.view_province``), read-only.  ``…/province/``
opens the supervisor's own province; the ministry and administrators choose one
on the national map.  The table is also a CSV (``?download=regions``), and the
deadlines (``?download=deadlines``).
"""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from kembar.common.staff_views import require
from kembar.national.periods import REPORT_STATUSES
from kembar.national.province import province_overview
from kembar.national.views import REGION_COLUMNS, csv_response
from kembar.partnerships.views import StaffRequest, staff_view

__all__ = ["DEADLINE_COLUMNS", "province_home", "province_page"]

DEADLINE_COLUMNS = (
    "region",
    "region_name",
    "partnership",
    "partner_name",
    "kind",
    "date",
    "status",
    "days",
)


@require_safe
@staff_view
def province_home(request: StaffRequest) -> HttpResponse:
    """The supervisor's own province; the ministry and administrators pick one on the map."""
    require(request, "national.view_province", None)
    organisation = request.user.organisation
    own = organisation.home_region_id if organisation is not None else None
    if own and len(own) == 2:
        return redirect("national:national-province", kode=own)
    return redirect("national:national-map")


@require_safe
@staff_view
def province_page(request: StaffRequest, kode: str) -> HttpResponse:
    """Every kabupaten/kota of the province and the province's own cooperation."""
    require(request, "national.view_province", kode)
    overview = province_overview(kode)
    if overview is None:
        raise Http404
    rows = overview.rows
    download = request.GET.get("download", "")
    if download == "regions":
        stage_columns = [f"stage:{code or 'none'}" for code, _name in overview.stage_columns]
        flat = [{**row, **dict(zip(stage_columns, row["stages"], strict=True))} for row in rows]
        return csv_response(f"province-{kode}", (*REGION_COLUMNS, *stage_columns), flat)
    if download == "deadlines":
        deadlines = [asdict(item) for item in overview.deadlines]
        return csv_response(f"province-{kode}-deadlines", DEADLINE_COLUMNS, deadlines)
    reports = overview.reports()
    context = {
        "overview": overview,
        "rows": rows,
        "report_groups": [
            (status, label, [row["name"] for row in reports.get(status, [])])
            for status, label in REPORT_STATUSES.items()
        ],
        "period": overview.kab_kota.period,
    }
    return render(request, "national/province.html", context)
