"""The form of the reports page: which report, of what, in which format and language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kembar.accounts.models import Role
from kembar.accounts.rules import has_role
from kembar.geo.models import Region
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import Partnership
from kembar.reports.services import ReportOptions

__all__ = ["ReportForm", "regions_for"]

KIND_CHOICES = (
    ("council", _("Annual report for the DPRD and the LKPJ")),
    ("ministry", _("Implementation report to the Minister (PP 28/2018 Pasal 43)")),
    ("profile", _("Partnership profile (Indonesian and English)")),
)
FORMAT_CHOICES = (("pdf", "PDF"), ("xlsx", _("Spreadsheet (XLSX)")))
LANGUAGE_CHOICES = (("id", "Bahasa Indonesia"), ("en", "English"))


def regions_for(user: Any) -> QuerySet[Region]:
    """The regions ``user`` may report on: their own; every region with partnerships for admins."""
    if has_role(user, Role.ADMINISTRATOR):
        return Region.objects.filter(partnerships__isnull=False).distinct().order_by("kode")
    organisation = getattr(user, "organisation", None)
    region = organisation.home_region_id if organisation is not None else None
    return Region.objects.filter(kode=region).order_by("kode")


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=KIND_CHOICES)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), to_field_name="kode", empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        to_field_name="slug",
        required=False,
        help_text=_("For the report to the Minister and the profile."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = regions_for(user)
        region_field: Any = self.fields["region"]
        partnership_field: Any = self.fields["partnership"]
        region_field.queryset = regions
        partnership_field.queryset = (
            staff_partnerships(user)
            .filter(local_region__in=regions)
            .order_by("local_region_id", "partner_name")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") in ("ministry", "profile") and not cleaned.get("partnership"):
            self.add_error("partnership", _("Choose the partnership this report is about."))
        partnership = cleaned.get("partnership")
        region = cleaned.get("region")
        if (
            partnership is not None
            and region is not None
            and partnership.local_region_id != region.kode
        ):
            self.add_error("partnership", _("This partnership is not one of the region chosen."))
        return cleaned

    def options(self) -> ReportOptions:
        data = self.cleaned_data
        partnership = data.get("partnership") if data["kind"] != "council" else None
        return ReportOptions(
            kind=data["kind"],
            region=data["region"].kode,
            year=data["year"],
            format=data["format"],
            language=data["language"],
            partnership=partnership.slug if partnership is not None else "",
        )
