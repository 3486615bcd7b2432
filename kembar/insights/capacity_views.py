"""The carrying-capacity page: ``/staff/insights/capacity/?year=2026``.

The same figures as ``/api/v1/insights/capacity/``, as tables (organisation ×
month, budget by source, hosting by month), and a scenario: what one more
partnership with some activities a year would take, and how many such the
city can add.  Of the user's own region (administrators: the home region);
administrators, cooperation officers and leadership of the region only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kembar.accounts.models import Organisation, OrganisationKind
from kembar.accounts.regions import user_region
from kembar.insights.capacity import (
    capacity_figures,
    capacity_plan,
    capacity_scenario,
    demo_activities_left_out,
    sees_capacity,
)
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs.models import ActivityKind, FundingSource

PREFIX = "n_"


class CapacityForm(forms.Form):
    """The year, and the scenario: activities a year of each kind and the responsible agency."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Responsible agency"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("— the cooperation office —"),
    )

    def __init__(self, *args: Any, region: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            Q(region_id=region) | Q(parent__region_id=region), kind=OrganisationKind.AGENCY
        ).order_by("name")
        for kind, label in ActivityKind.choices:
            self.fields[PREFIX + kind] = forms.IntegerField(
                label=label, min_value=0, max_value=1000, required=False
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[PREFIX + kind] for kind in ActivityKind.values]

    def mix(self) -> dict[str, int]:
        """Activities a year by kind, the kinds asked for only."""
        data = self.cleaned_data
        return {kind: data[PREFIX + kind] for kind in ActivityKind.values if data[PREFIX + kind]}


def _labelled(figures: dict[str, Any]) -> dict[str, Any]:
    """The API's figures with what the page shows besides: month dates and source names."""
    sources = dict(FundingSource.choices)
    for row in figures["budget"]:
        row["label"] = sources.get(row["source"], row["source"])
    for row in figures["hosting"]:
        row["date"] = dt.date.fromisoformat(row["month"] + "-01")
    return figures


def _binding_text(result: dict[str, Any]) -> str:
    if result["binding"] is None:
        return ""
    kind, key = result["binding"]
    if kind == "staff":
        organisation = Organisation.objects.filter(pk=key).first()
        return _("staff-days of %(name)s") % {"name": organisation.name if organisation else key}
    if kind == "budget":
        return _("the %(source)s budget") % {"source": dict(FundingSource.choices).get(key, key)}
    if kind == "delegations":
        return _("delegations the city can host")
    return _("events the city can host")


@require_safe
@staff_view
def capacity_staff(request: StaffRequest) -> HttpResponse:
    region = user_region(request.user)
    if not sees_capacity(request.user, region):
        raise PermissionDenied
    this_year = timezone.localdate().year
    data = request.GET.copy()
    data.setdefault("year", str(this_year))
    form = CapacityForm(data, region=region)
    valid = form.is_valid()
    year = form.cleaned_data.get("year", this_year)
    figures = _labelled(capacity_figures(region, year))
    mix = form.mix() if valid else {}
    scenario = capacity_scenario(region, year, mix, form.cleaned_data["agency"]) if mix else None
    context = {
        "form": form,
        "year": year,
        "figures": figures,
        "has_plan": capacity_plan(region, year) is not None,
        "demo_activities": demo_activities_left_out(region, year),
        "month_dates": [dt.date(year, month, 1) for month in range(1, 13)],
        "scenario": scenario,
        "binding": _binding_text(scenario) if scenario else "",
        "mix": mix,
    }
    return render(request, "insights/capacity.html", context)
