"""Filters of the public guidance pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region
from kembar.guidance.selectors import SharedFilters
from kembar.programs.models import GovernmentAffair, Sector


class SharedFilterForm(forms.Form):
    """Narrow the shared practices and policies; a value that names nothing is ignored."""

    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("code"),
        required=False,
        empty_label=_("all sectors"),
    )
    urusan = forms.ModelChoiceField(
        label=_("Government affair"),
        queryset=GovernmentAffair.objects.order_by("code"),
        required=False,
        empty_label=_("all government affairs"),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("all regions"),
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def filters(self) -> SharedFilters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        sector, urusan, region = data.get("sector"), data.get("urusan"), data.get("region")
        return SharedFilters(
            q=(data.get("q") or "").strip(),
            sector=sector.pk if sector else None,
            urusan=urusan.pk if urusan else "",
            region=region.pk if region else "",
        )


class RecognitionFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("all regions"),
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def region_code(self) -> str:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        region = data.get("region")
        return region.pk if region else ""
