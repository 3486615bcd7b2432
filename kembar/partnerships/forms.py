"""Forms of the staff area: they parse and validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kembar.accounts.models import Role
from kembar.geo.forms import CountryChoiceField
from kembar.geo.models import City, Country, Region, RegionLevel
from kembar.partnerships.models import (
    Condition,
    CooperationPlan,
    DocumentKind,
    FocusArea,
    InboundRequest,
    LifecycleState,
    Partnership,
    PartnershipDocument,
    RelationshipType,
)
from kembar.partnerships.selectors import PartnershipFilters
from kembar.partnerships.services import EDITABLE_FIELDS

__all__ = [
    "ConditionsForm",
    "CooperationPlanForm",
    "DecisionForm",
    "DeclineForm",
    "DocumentUploadForm",
    "InboundRequestFilterForm",
    "InboundRequestForm",
    "PartnershipEditForm",
    "PartnershipFilterForm",
    "TransitionForm",
    "display_value",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartnershipFilterForm(forms.Form):
    """The staff list's filters, read from the query string; a bad value is dropped, not fatal."""

    SORT_CHOICES = (
        ("partner", _("Partner name (A–Z)")),
        ("-partner", _("Partner name (Z–A)")),
        ("country", _("Country (A–Z)")),
        ("-country", _("Country (Z–A)")),
        ("stage", _("Stage (earliest first)")),
        ("-stage", _("Stage (latest first)")),
        ("-updated", _("Last update (newest first)")),
        ("updated", _("Last update (oldest first)")),
    )

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=LifecycleState.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All stages"),
    )
    country = CountryChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        empty_label=_("All countries"),
    )
    relationship_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("All types")), *RelationshipType.choices],
        required=False,
    )
    focus_area = forms.ModelChoiceField(
        label=_("Focus area"),
        queryset=FocusArea.objects.order_by("slug"),
        to_field_name="slug",
        required=False,
        empty_label=_("All focus areas"),
    )
    expiring = forms.BooleanField(label=_("Agreement expiring or expired"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, countries: QuerySet[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country_field = self.fields["country"]
        assert isinstance(country_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        country_field.queryset = countries
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> PartnershipFilters:
        """The valid filters; call after ``is_valid()`` (invalid fields are left out)."""
        data = getattr(self, "cleaned_data", {})
        state = data.get("state")
        country = data.get("country")
        focus_area = data.get("focus_area")
        return PartnershipFilters(
            state=state.code if state else "",
            country=country.pk if country else "",
            relationship_type=data.get("relationship_type") or "",
            focus_area=focus_area.slug if focus_area else "",
            expiring=bool(data.get("expiring")),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or "partner",
        )


class PartnershipEditForm(forms.ModelForm[Partnership]):
    """The editable fields and focus areas, with the version the form was built from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Partnership
        fields = [*EDITABLE_FIELDS, "focus_areas"]
        widgets = {
            "consultation_recorded_on": DateInput(),
            "focus_areas": forms.CheckboxSelectMultiple,
            "sources": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def display_value(field_name: str, value: Any) -> str:
    """A stored value of a partnership field as a person reads it (choice labels, dates, yes/no)."""
    if value is None or value == "":
        return "—"
    field = Partnership._meta.get_field(field_name)
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(value)


class TransitionForm(forms.Form):
    target = forms.SlugField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject."),
    )


class DocumentUploadForm(forms.Form):
    """What an upload needs; the service checks the file and which dates a kind requires."""

    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=DocumentKind.objects.order_by("code"), to_field_name="code"
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=PartnershipDocument.Language.choices)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput())
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    file = forms.FileField(
        label=_("File (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ConditionsForm(forms.Form):
    """One box and one note per condition of PP 28/2018 Pasal 27.

    ``seen`` is the checklist's state the form was built from (see
    :func:`~kembar.partnerships.services.conditions_seen`), against lost updates.
    """

    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(
        self,
        *args: Any,
        checks: dict[str, tuple[bool, str]],
        seen: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initial["seen"] = seen
        for code, label in Condition.choices:
            met, note = checks.get(code, (False, ""))
            self.fields[f"met_{code}"] = forms.BooleanField(
                label=label, required=False, initial=met
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note"), required=False, initial=note, max_length=1000
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"met_{code}"], self[f"note_{code}"]) for code in Condition.values]

    def results(self) -> dict[str, tuple[bool, str]]:
        return {
            code: (
                bool(self.cleaned_data[f"met_{code}"]),
                self.cleaned_data[f"note_{code}"].strip(),
            )
            for code in Condition.values
        }


class CooperationPlanForm(forms.ModelForm[CooperationPlan]):
    """The seven contents of PP 28/2018 Pasal 30(3); the period is two dates.

    ``version`` is the plan's version the form was built from (0: no plan yet).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = CooperationPlan
        fields = [*CooperationPlan.CONTENTS, "period_start", "period_end"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 2}) for name in CooperationPlan.CONTENTS},
            "period_start": DateInput(),
            "period_end": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InboundRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *InboundRequest.Status.choices],
        required=False,
    )


class InboundRequestForm(forms.ModelForm[InboundRequest]):
    """A request received from abroad; the partner city is given by its GeoNames id."""

    class Meta:
        model = InboundRequest
        fields = [
            "local_region",
            "partner_name",
            "partner_country",
            "partner_city",
            "received_on",
            "channel",
            "subject",
            "description",
        ]
        labels = {
            "local_region": _("Region"),
            "partner_country": _("Partner's country"),
            "partner_city": _("Partner city (GeoNames id)"),
        }
        field_classes = {"partner_country": CountryChoiceField}
        widgets = {
            "received_on": DateInput(),
            "partner_city": forms.NumberInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["local_region"]
        assert isinstance(region_field, forms.ModelChoiceField)  # noqa: S101 - a foreign key
        region_field.queryset = _regions_for(user)
        region_field.empty_label = None
        city_field = self.fields["partner_city"]
        assert isinstance(city_field, forms.ModelChoiceField)  # noqa: S101 - a foreign key
        city_field.queryset = City.objects.all()
        city_field.error_messages["invalid_choice"] = _("No city has this GeoNames id.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        city, country = data.get("partner_city"), data.get("partner_country")
        if city is not None and country is not None and city.country_id != country.pk:
            self.add_error("partner_city", _("This city is not in the partner's country."))
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _regions_for(user: Any) -> QuerySet[Region]:
    """Administrators may record requests for any province, regency or city; officers their own."""
    if getattr(user, "role", "") == Role.ADMINISTRATOR:
        return Region.objects.filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY]
        ).order_by("kode")
    organisation = getattr(user, "organisation", None)
    home = organisation.home_region_id if organisation else None
    return Region.objects.filter(kode=home).order_by("kode")


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3})
    )
