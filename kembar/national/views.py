"""The ministry's pages under ``/staff/national/``, and recording a report sent.

- ``/staff/national/``: the map of Indonesia (provinces or kabupaten/kota) coloured by
  a measure, the table of every region beside it, the regions with no partnership,
  partner countries and cities as flows; every table as CSV (``?download=``).
- ``/staff/national/reports/``: who sent the Pasal 43 report of a period, on time or not.
- ``/staff/national/regions/<kode>/``: a region beside the regions most like it.
- ``/staff/national/reports/record/``: a region's cooperation officer records that
  the report was sent.

The first three are for the ministry and administrators (``national.view_national``),
read-only; the last for those who may act on the region (``national.record_report``).
The pages, their CSV files and the API show the same figures from the same selectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kembar.common.staff_views import apply_errors, require
from kembar.common.tabular import csv_writer
from kembar.national.comparison import similar_regions
from kembar.national.compliance import report_compliance
from kembar.national.forms import METRICS, MapForm, ReportRecordForm, ReportsForm
from kembar.national.models import ReportSubmission
from kembar.national.periods import REPORT_STATUSES, latest_due_period
from kembar.national.selectors import (
    country_flows,
    partner_city_flows,
    region_figures,
    region_flows,
    summary_years,
)
from kembar.national.services import report_submission_record
from kembar.partnerships.views import StaffRequest, staff_view

__all__ = [
    "COMPARISON_COLUMNS",
    "COMPLIANCE_COLUMNS",
    "REGION_COLUMNS",
    "csv_response",
    "national_map",
    "region_compare",
    "report_record",
    "reports",
]

#: The columns of the regions' table and of its CSV, in order.
REGION_COLUMNS = (
    "kode",
    "name",
    "province",
    "island",
    "population",
    "partnerships",
    "active",
    "at_risk",
    "dormant",
    "ended",
    "unknown",
    "share_active",
    "share_dormant",
    "activities",
    "participants",
    "participants_per_10k",
    "reported",
    "report_sent_on",
    "report_due_on",
)
#: Added for provinces.
PROVINCE_COLUMNS = ("with_kab_kota", "kab_kota_without")
FLOW_COLUMNS = ("region", "region_name", "country", "country_name", "partnerships")
COUNTRY_COLUMNS = ("country", "country_name", "partnerships", "regions")
COMPLIANCE_COLUMNS = (
    "kode",
    "name",
    "level",
    "province_name",
    "expected",
    "status",
    "due_on",
    "sent_on",
    "days_late",
    "reference",
)
COMPARISON_COLUMNS = (
    "kode",
    "name",
    "island",
    "population",
    "grdp_per_capita",
    "grdp_year",
    "grdp_basis",
    "distance",
    "partnerships",
    "active",
    "dormant",
    "share_active",
    "participants_per_10k",
    "reported",
)
BOUNDARIES = {
    "province": "boundaries/indonesia_provinsi.geojson",
    "kab_kota": "boundaries/indonesia_kabupaten_kota.geojson",
}


def csv_response(name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> HttpResponse:
    """``rows`` as a CSV download of ``columns`` (an empty cell for None)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kembar-national-{name}.csv"'
    writer = csv_writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else row[column] for column in columns])
    return response


def _value_text(metric: str, row: dict[str, Any]) -> str:
    value = row.get(metric)
    if value is None:
        if metric == "participants_per_10k" and row["participants"] is None:
            return _("not shown: fewer than 5 participants, or would reveal such a count")
        return _("no figure")
    if metric.startswith("share_"):
        return f"{formats.number_format(value * 100, 0)} %"
    if metric == "participants_per_10k":
        return _("%(rate)s per 10,000 residents") % {"rate": formats.number_format(value, 2)}
    return formats.number_format(value)


def _map_data(rows: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    return {
        "metric": metric,
        "regions": {
            row["kode"]: {
                "name": row["name"],
                "value": row.get(metric),
                "suppressed": metric == "participants_per_10k" and row["participants"] is None,
                "text": _value_text(metric, row),
            }
            for row in rows
        },
        "labels": {"metric": str(METRICS[metric]), "none": _("none")},
    }


@require_safe
@staff_view
def national_map(request: StaffRequest) -> HttpResponse:
    """The map, its table, the regions with none and the partner flows (CSV: ``?download=``)."""
    require(request, "national.view_national", None)
    years = summary_years()
    form = MapForm(request.GET or None, years=years)
    chosen = form.choices()
    level, metric = chosen["level"], chosen["metric"]
    figures = region_figures(level=level, within=chosen["province"], year=chosen["year"])
    columns = REGION_COLUMNS + (PROVINCE_COLUMNS if level == "province" else ())
    download = request.GET.get("download", "")
    if download == "regions":
        return csv_response(f"regions-{level}", columns, figures.rows)
    if download == "without":
        return csv_response(f"without-{level}", columns, figures.without_partnerships)
    if download == "flows":
        return csv_response(
            "flows", FLOW_COLUMNS, region_flows(level=level, within=chosen["province"])
        )
    if download == "countries":
        rows = country_flows(level=level, within=chosen["province"])
        return csv_response("countries", COUNTRY_COLUMNS, rows)
    # One reverse for the page, not two per row (514 rows at kab/kota level).
    region_url = reverse("national:national-region", kwargs={"kode": "00"}).removesuffix("00/")
    context = {
        "form": form,
        "region_url": region_url,
        "figures": figures,
        "totals": figures.totals(),
        "level": level,
        "metric": metric,
        "metric_label": METRICS[metric],
        "columns": columns,
        "boundaries_url": static(BOUNDARIES[level]),
        "countries_url": static("boundaries/world_countries_ne110m.geojson"),
        "map_data": _map_data(figures.rows, metric),
        "flow_data": {
            "lines": partner_city_flows(level=level, within=chosen["province"]),
        },
        "countries": country_flows(level=level, within=chosen["province"]),
        "statuses": REPORT_STATUSES,
    }
    return render(request, "national/map.html", context)


@require_safe
@staff_view
def reports(request: StaffRequest) -> HttpResponse:
    """Who sent the report of a period (default: the latest one due), on time or late."""
    require(request, "national.view_national", None)
    today = timezone.localdate()
    default = latest_due_period(today)
    periods = sorted({*summary_years(), default, today.year}, reverse=True)
    form = ReportsForm(request.GET or None, periods=periods, default=default)
    chosen = form.choices()
    compliance = report_compliance(period=chosen["period"], level=chosen["level"], today=today)
    if request.GET.get("download") == "reports":
        return csv_response(f"reports-{compliance.period}", COMPLIANCE_COLUMNS, compliance.rows)
    return render(request, "national/reports.html", {"form": form, "compliance": compliance})


@require_safe
@staff_view
def region_compare(request: StaffRequest, kode: str) -> HttpResponse:
    """A region and the regions most like it (population, GRDP per capita, island group)."""
    require(request, "national.view_national", None)
    comparison = similar_regions(kode)
    if comparison is None:
        raise Http404
    rows = []
    for row in comparison.rows:
        grdp = row["grdp_per_capita"] or {}
        rows.append(
            {
                **row,
                "grdp_per_capita": grdp.get("value"),
                "grdp_year": grdp.get("year"),
                "grdp_basis": grdp.get("basis"),
            }
        )
    if request.GET.get("download") == "comparison":
        return csv_response(f"similar-{kode}", COMPARISON_COLUMNS, rows)
    return render(
        request,
        "national/region.html",
        {"comparison": comparison, "rows": rows, "statuses": REPORT_STATUSES},
    )


def _writing_region(request: StaffRequest) -> str | None:
    organisation = request.user.organisation
    return organisation.home_region_id if organisation is not None else None


@require_http_methods(["GET", "POST"])
@staff_view
def report_record(request: StaffRequest) -> HttpResponse:
    """Record that the region's report for a period was sent (cooperation officers, admins)."""
    own = _writing_region(request)
    names_region = request.user.has_perm("national.record_report", None) and own is None
    require(request, "national.record_report", None if names_region else own)
    form = ReportRecordForm(request.POST or None, names_region=names_region)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data.get("region") or own or ""
        try:
            report = report_submission_record(
                actor=request.user,
                region_id=region.strip(),
                year=form.cleaned_data["year"],
                sent_on=form.cleaned_data["sent_on"],
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Recorded: the report for %(year)s was sent on %(date)s.")
                % {"year": report.year, "date": formats.date_format(report.sent_on)},
            )
            return redirect("national:national-report-record")
    recorded = ReportSubmission.objects.select_related("region").order_by("-year", "region_id")
    if own is not None:
        recorded = recorded.filter(region_id=own)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "recorded": recorded[:50], "region": own}
    return render(request, "national/report_record.html", context, status=status)
