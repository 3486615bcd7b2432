"""The staff portfolio of partnership health: ``/staff/insights/health/``.

Every partnership the user may see of their own region as a traffic light with
score, trend, reciprocity, capacity load and the reasons; sortable, filtered
by state, downloadable as CSV (``?download=csv``).  Staff who do not get the
region's internal figures see the public ones (no reasons, no warning date,
no capacity load).  The health parts of the partnership pages are in
:mod:`kembar.insights.health_sections`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kembar.accounts.regions import user_region
from kembar.common.tabular import csv_writer
from kembar.insights.health import STATE_LABELS
from kembar.insights.health_portfolio import STATE_FILTERS, HealthPortfolio, health_portfolio
from kembar.insights.reach import sees_internal_figures
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.views import StaffRequest, staff_view

__all__ = ["CSV_COLUMNS", "health_staff"]

#: The columns of the CSV download; public figures stop after ``reciprocity``.
CSV_COLUMNS = (
    "slug",
    "name",
    "state",
    "score",
    "trend",
    "reciprocity",
    "warning_since",
    "capacity_load",
    "reasons",
)
_PUBLIC_CSV_COLUMNS = CSV_COLUMNS[:6]


def _headers(query: QueryDict, sort: str) -> list[dict[str, Any]]:
    """The sortable headers: a link that sorts by the column (reversed when it already does)."""
    labels = {"name": _("Partnership"), "state": _("State"), "score": _("Score")}
    labels["trend"] = _("Trend (90 days)")
    headers = []
    for key, label in labels.items():
        ascending = sort == key
        descending = sort == f"-{key}"
        params = query.copy()
        params.pop("download", None)
        params["sort"] = f"-{key}" if ascending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "href": "?" + params.urlencode(),
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return headers


def _filters(query: QueryDict, state: str) -> list[dict[str, Any]]:
    # The states' own words; "none" is the filter's name for "no dated record".
    labels = {"": _("all"), **STATE_LABELS, "none": STATE_LABELS[""]}
    links = []
    for key in ("", *STATE_FILTERS):
        params = query.copy()
        params.pop("download", None)
        params.pop("state", None)
        if key:
            params["state"] = key
        links.append(
            {"label": labels[key], "href": "?" + params.urlencode(), "current": key == state}
        )
    return links


def _csv(portfolio: HealthPortfolio) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kembar-health-{portfolio.as_of.isoformat()}.csv"'
    )
    writer = csv_writer(response)
    columns = _PUBLIC_CSV_COLUMNS if portfolio.public else CSV_COLUMNS
    writer.writerow(columns)
    for row in portfolio.rows:
        values = {
            **row,
            "reasons": row["explanation"]["text"] if row["explanation"] else None,
        }
        writer.writerow(["" if values.get(name) is None else values[name] for name in columns])
    return response


@require_safe
@staff_view
def health_staff(request: StaffRequest) -> HttpResponse:
    """The portfolio of the user's region: every partnership they may see (else public figures)."""
    region = user_region(request.user)
    public = not sees_internal_figures(request.user, region)
    portfolio = health_portfolio(
        partnerships=staff_partnerships(request.user),
        region=region,
        public=public,
        sort=request.GET.get("sort", "score"),
        state=request.GET.get("state", ""),
    )
    if request.GET.get("download") == "csv":
        return _csv(portfolio)
    context = {
        "portfolio": portfolio,
        "headers": _headers(request.GET, portfolio.sort),
        "filters": _filters(request.GET, portfolio.state),
        "csv_href": "?" + _download_query(request.GET),
    }
    return render(request, "insights/health.html", context)


def _download_query(query: QueryDict) -> str:
    params = query.copy()
    params["download"] = "csv"
    return params.urlencode()
