"""Forms of the national pages: the map's choices, the reports' period, recording a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region, RegionLevel

__all__ = ["METRICS", "MapForm", "ReportRecordForm", "ReportsForm"]

#: What the map can be coloured by (the table shows all of them).
METRICS = {
    "partnerships": _("number of partnerships"),
    "share_active": _("share active"),
    "dormant": _("dormant partnerships"),
    "participants_per_10k": _("participants per 10,000 residents"),
    "with_kab_kota": _("partnerships with its kabupaten/kota (provinces)"),
}
LEVEL_CHOICES = [("kab_kota", _("kabupaten and kota")), ("province", _("provinces"))]


def _provinces() -> list[tuple[str, Any]]:
    return [
        ("", _("all of Indonesia")),
        *Region.objects.filter(level=RegionLevel.PROVINCE)
        .order_by("kode")
        .values_list("kode", "name"),
    ]


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the form's own field
    field.choices = choices


class MapForm(forms.Form):
    """The map's level, measure, year and province; a bad value falls back to the default."""

    level = forms.ChoiceField(label=_("Regions"), choices=LEVEL_CHOICES, required=False)
    metric = forms.ChoiceField(label=_("Colour by"), choices=list(METRICS.items()), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "year",
            [("", _("now (every year's reach)"))] + [(year, str(year)) for year in years],
        )
        _choices(self, "province", _provinces())

    def choices(self) -> dict[str, Any]:
        """The valid choices, the defaults where a value is missing or wrong."""
        data = self.cleaned_data if self.is_valid() else {}
        level = data.get("level") or "kab_kota"
        metric = data.get("metric") or "partnerships"
        if metric == "with_kab_kota" and level != "province":
            metric = "partnerships"
        return {
            "level": level,
            "metric": metric,
            "year": data.get("year"),
            "province": data.get("province") or None,
        }


class ReportsForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False)
    level = forms.ChoiceField(
        label=_("Regions"), choices=[("", _("all")), *LEVEL_CHOICES], required=False
    )

    def __init__(self, *args: Any, periods: list[int], default: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default
        self.initial.setdefault("period", default)
        _choices(self, "period", [(year, str(year)) for year in periods])

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"period": data.get("period") or self.default, "level": data.get("level") or None}


class ReportRecordForm(forms.Form):
    """That the region's report for a period was sent; administrators also name the region."""

    region = forms.CharField(
        label=_("Region code"),
        max_length=13,
        required=False,
        help_text=_("Kemendagri code of the province, kabupaten or kota, e.g. 33.74."),
    )
    year = forms.TypedChoiceField(label=_("Period (year)"), coerce=int)
    sent_on = forms.DateField(label=_("Sent on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Letter number"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, names_region: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        _choices(self, "year", [(year, str(year)) for year in range(this_year, this_year - 11, -1)])
        if not self.is_bound:
            self.initial.setdefault("year", this_year - 1)
            self.initial.setdefault("sent_on", timezone.localdate())
        if names_region:
            self.fields["region"].required = True
        else:
            del self.fields["region"]
