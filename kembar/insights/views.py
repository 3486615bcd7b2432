"""Dashboards: the reach of cooperation, for staff and (aggregated) for the public.

The page and its CSV downloads show the same figures as
``/api/v1/insights/reach/``; every chart has its table beside it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kembar.accounts.regions import user_region
from kembar.common.public_cache import public_cacheable
from kembar.common.tabular import csv_writer
from kembar.insights.forms import ReachFilterForm
from kembar.insights.reach import (
    SMALL_CELL,
    ReachFigures,
    reach_figures,
    reach_filters_label,
    reach_visibility,
    sees_internal_figures,
)
from kembar.insights.staff_cache import cached
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import Partnership
from kembar.partnerships.views import StaffRequest, staff_view

#: The tables a page offers as CSV, with their columns.
DOWNLOADS: dict[str, tuple[str, ...]] = {
    "districts": (
        "kode",
        "name",
        "participants",
        "population",
        "per_10k",
        "participant_share",
        "population_share",
        "representation_ratio",
    ),
    "groups": (
        "kode",
        "name",
        "participants",
        "population",
        "participant_share",
        "population_share",
        "representation_ratio",
    ),
    "gender": ("code", "name", "participants", "share", "population", "population_share"),
    "years": ("year", "participants"),
}


def _render(
    request: HttpRequest,
    *,
    region: str,
    public: bool,
    partnerships: Any,
    user: Any = None,
    staff_layout: bool = False,
) -> HttpResponse:
    table = request.GET.get("download", "")
    if table in DOWNLOADS:
        form = _form(request, partnerships)
        figures = reach_figures(filters=form.filters(region), user=user, public=public)
        return _csv(figures, figures.as_dict(), table)

    def body() -> SafeString:
        context = _context(
            request, region=region, public=public, partnerships=partnerships, user=user
        )
        return render_to_string("insights/_reach_body.html", context, request)

    if staff_layout:
        # What the user may see is part of the key, read on every request (staff_cache).
        seen = (
            region,
            public,
            tuple(partnerships.values_list("pk", flat=True)),
            reach_visibility(public=public, user=user, region=region),
        )
        content = cached("reach", (seen, sorted(request.GET.lists())), body)
    else:
        content = body()
    context = {"body": content, "staff_layout": staff_layout}
    return render(request, "insights/reach.html", context)


def _form(request: HttpRequest, partnerships: Any) -> ReachFilterForm:
    form = ReachFilterForm(request.GET or None, partnerships=partnerships)
    if request.GET:
        form.is_valid()
    return form


def _context(
    request: HttpRequest, *, region: str, public: bool, partnerships: Any, user: Any
) -> dict[str, Any]:
    form = _form(request, partnerships)
    figures = reach_figures(filters=form.filters(region), user=user, public=public)
    data = figures.as_dict()
    return {
        "form": form,
        "figures": figures,
        "data": data,
        "public": public,
        "small_cell": SMALL_CELL,
        "total": data["total"],
        "map_data": {
            "districts": {
                row["kode"]: {
                    "name": row["name"],
                    "per_10k": row["per_10k"],
                    "participants": row["participants"],
                }
                for row in data["districts"]
            },
            "labels": {
                "per10k": _("participants per 10,000 residents"),
                "none": _("no participants"),
                "suppressed": _(
                    "not shown: fewer than 5 participants, or would reveal such a count"
                ),
            },
        },
        "chart_data": {
            "groups": [
                [row["name"], row["participant_share"], row["population_share"]]
                for row in data["groups"]
            ],
            "gender": [
                [row["name"], row["share"], row["population_share"]] for row in data["gender"]
            ],
            # Years as text, so that no number format turns 2024 into "2.024".
            "years": [[str(row["year"]), row["participants"]] for row in data["years"]],
            "labels": {
                "participants": _("share of participants"),
                "population": _("share of population"),
                "people": _("participants"),
                "share": _("share (%)"),
                "group": _("stakeholder group"),
                "gender": _("gender"),
                "year": _("year"),
            },
        },
    }


def _csv(figures: ReachFigures, data: dict[str, Any], table: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kembar-reach-{table}.csv"'
    writer = csv_writer(response)
    writer.writerow([f"# {reach_filters_label(figures.filters)}"])
    columns = DOWNLOADS[table]
    writer.writerow(columns)
    for row in data[table]:
        writer.writerow(["" if row.get(name) is None else row.get(name) for name in columns])
    return response


@require_safe
@staff_view
def reach_staff(request: StaffRequest) -> HttpResponse:
    """The staff dashboard of the user's region: every partnership the user may see.

    Staff of another region (supervisors, partner counterparts) get the public figures.
    """
    region = user_region(request.user)
    public = not sees_internal_figures(request.user, region)
    partnerships = (
        staff_partnerships(request.user).select_related("local_region").order_by("partner_name")
    )
    return _render(
        request,
        region=region,
        public=public,
        partnerships=partnerships,
        user=request.user,
        staff_layout=True,
    )


@require_safe
@public_cacheable
def reach_public(request: HttpRequest) -> HttpResponse:
    """The public dashboard: public partnerships only, small cells suppressed."""
    partnerships = (
        Partnership.objects.filter(is_public=True)
        .select_related("local_region")
        .order_by("partner_name")
    )
    return _render(
        request, region=settings.KEMBAR_HOME_REGION, public=True, partnerships=partnerships
    )
