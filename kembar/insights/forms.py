"""The reach dashboard's filters, from the query string; a bad value is dropped, not fatal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kembar.insights.reach import ReachFilters
from kembar.partnerships.models import Partnership
from kembar.programs.models import ActivityKind, Sector


class ReachFilterForm(forms.Form):
    DEMO_CHOICES = (("", _("Real and demonstration")), ("0", _("Real only")), ("1", _("Demo only")))

    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All partnerships"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("code"),
        required=False,
        empty_label=_("All sectors"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of activity"),
        choices=[("", _("All kinds")), *ActivityKind.choices],
        required=False,
    )
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1950)
    year_to = forms.IntegerField(label=_("To year"), required=False, max_value=2100)
    demo = forms.ChoiceField(label=_("Records"), choices=DEMO_CHOICES, required=False)

    def __init__(self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and end < start:
            self.add_error("year_to", _("The period ends before it starts."))
        return data

    def filters(self, region: str = "") -> ReachFilters:
        data = getattr(self, "cleaned_data", {})
        demo = data.get("demo")
        return ReachFilters(
            region=region or settings.KEMBAR_HOME_REGION,
            partnership=data["partnership"].slug if data.get("partnership") else "",
            sector=data["sector"].code if data.get("sector") else None,
            kind=data.get("kind") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to") if "year_to" not in self.errors else None,
            demo=None if not demo else demo == "1",
        )
