"""Forms of the activity pages: they parse and validate input; services do the writing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kembar.accounts.models import Organisation
from kembar.geo.models import Region, RegionLevel
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    Problems,
    ResultRow,
    TravellerRow,
    budget_problems,
    contribution_problems,
    participant_problems,
)
from kembar.programs.effects import EffectData
from kembar.programs.formsets import RowForm, RowFormSet, formset_rows
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    ContributionForm,
    ContributionSide,
    EffectConfidence,
    EffectKind,
    FundingSource,
    Gender,
    GovernmentAffair,
    MoneyKind,
    ParticipantSide,
    ResultLevel,
    SdgGoal,
    SdgTarget,
    Sector,
    StakeholderGroup,
    StandardIndicator,
)
from kembar.programs.selectors import ACTIVITY_SORTS, ActivityFilters

__all__ = [
    "ActivityFilterForm",
    "ActivityForm",
    "BudgetFormSet",
    "ContributionFormSet",
    "EconomicEffectForm",
    "ImportForm",
    "ParticipantFormSet",
    "ResultForm",
    "TravellerFormSet",
    "TripReportForm",
    "breakdown_sums",
    "formset_rows",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _kecamatan(region_id: str) -> QuerySet[Region]:
    return Region.objects.filter(
        kode__startswith=region_id + ".", level=RegionLevel.DISTRICT
    ).order_by("name")


class ActivityFilterForm(forms.Form):
    """The list's filters, from the query string; a bad value is dropped, not fatal."""

    SORT_CHOICES = (
        ("-start", _("Start date (newest first)")),
        ("start", _("Start date (oldest first)")),
        ("reference", _("Reference")),
        ("partnership", _("Partnership")),
        ("agency", _("Agency")),
        ("participants", _("Most local participants")),
    )
    DEMO_CHOICES = (("", _("Real and demonstration")), ("0", _("Real only")), ("1", _("Demo only")))

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All partnerships"),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All agencies"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("code"),
        required=False,
        empty_label=_("All sectors"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *ActivityKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ActivityStatus.choices],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1950, max_value=2100)
    demo = forms.ChoiceField(label=_("Records"), choices=DEMO_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(
        self,
        *args: Any,
        partnerships: QuerySet[Partnership],
        agencies: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> ActivityFilters:
        data = getattr(self, "cleaned_data", {})
        demo = data.get("demo")
        sort = data.get("sort") or "-start"
        return ActivityFilters(
            partnership=data["partnership"].slug if data.get("partnership") else "",
            agency=data["agency"].slug if data.get("agency") else "",
            sector=data["sector"].code if data.get("sector") else None,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            year=data.get("year"),
            search=(data.get("q") or "").strip(),
            demo=None if not demo else demo == "1",
            sort=sort if sort in ACTIVITY_SORTS else "-start",
        )


class ActivityForm(forms.Form):
    """The activity record; the services check what needs the database (places, agencies).

    It does not ask for participant totals: they must equal their breakdown, which
    only the participants page collects (asking here refused any total but 0).
    """

    reference = forms.CharField(label=_("Reference"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_id = forms.CharField(
        label=_("Description (Indonesian)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Organisation.objects.none(), to_field_name="slug"
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    cancellation_reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    place_region = forms.ModelChoiceField(
        label=_("Place in the city (kecamatan or kelurahan)"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("— not in the city —"),
    )
    in_partner_city = forms.BooleanField(label=_("Held in the partner city"), required=False)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.order_by("code"))
    government_affair = forms.ModelChoiceField(
        label=_("Government affair (urusan)"), queryset=GovernmentAffair.objects.order_by("code")
    )
    sdg_goals = forms.ModelMultipleChoiceField(
        label=_("SDG goals"), queryset=SdgGoal.objects.order_by("code"), required=False
    )
    sdg_targets = forms.ModelMultipleChoiceField(
        label=_("SDG targets"),
        queryset=SdgTarget.objects.order_by("goal", "order"),
        required=False,
        help_text=_("A target's goal is added to the goals."),
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"), queryset=FocusArea.objects.order_by("slug"), required=False
    )
    #: Not stored: asked only when the activity would take the city over its capacity
    #: (kembar.insights.capacity.capacity_gate); the page shows it with the figures.
    confirm_over_capacity = forms.BooleanField(
        label=_("Save although it exceeds the capacity"), required=False
    )

    def __init__(
        self,
        *args: Any,
        partnership: Partnership,
        agencies: QuerySet[Organisation],
        instance: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(instance)
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance = instance
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        region_id = partnership.local_region_id
        self.fields["place_region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            kode__startswith=region_id + ".",
            level__in=[RegionLevel.DISTRICT, RegionLevel.VILLAGE],
        ).order_by("kode")
        if instance is not None:
            self.fields["reference"].disabled = True
        for name in ("sector", "government_affair", "sdg_goals", "sdg_targets"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
            field.label_from_instance = _code_and_name  # type: ignore[method-assign,assignment]

    def data_for_service(self) -> ActivityData:
        data = self.cleaned_data
        return ActivityData(
            reference=self.instance.reference if self.instance else data["reference"].strip(),
            partnership=self.partnership,
            kind=data["kind"],
            title_id=data["title_id"].strip(),
            title_en=data["title_en"].strip(),
            description_id=data["description_id"].strip(),
            description_en=data["description_en"].strip(),
            agency=data["agency"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            status=data["status"],
            cancellation_reason=data["cancellation_reason"].strip(),
            place_region=data["place_region"],
            in_partner_city=data["in_partner_city"],
            sector=data["sector"],
            government_affair=data["government_affair"],
            sdg_goals=list(data["sdg_goals"]),
            sdg_targets=list(data["sdg_targets"]),
            focus_areas=list(data["focus_areas"]),
            # Totals are reported with their breakdown on the participants page; this
            # form keeps what is recorded (a new activity starts with none).
            participants_local=self.instance.participants_local if self.instance else 0,
            participants_partner=self.instance.participants_partner if self.instance else 0,
        )


def _code_and_name(item: Any) -> str:
    return f"{item.code} {item.name}"


def _initial(activity: Activity) -> dict[str, Any]:
    return {
        "reference": activity.reference,
        "kind": activity.kind,
        "title_id": activity.title_id,
        "title_en": activity.title_en,
        "description_id": activity.description_id,
        "description_en": activity.description_en,
        "agency": activity.agency.slug,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "status": activity.status,
        "cancellation_reason": activity.cancellation_reason,
        "place_region": activity.place_region_id,
        "in_partner_city": activity.in_partner_city,
        "sector": activity.sector_id,
        "government_affair": activity.government_affair_id,
        "sdg_goals": [goal.pk for goal in activity.sdg_goals.all()],
        "sdg_targets": [target.pk for target in activity.sdg_targets.all()],
        "focus_areas": [area.pk for area in activity.focus_areas.all()],
    }


class ParticipantRowForm(RowForm):
    entry_fields = ("count",)

    side = forms.ChoiceField(label=_("Side"), choices=ParticipantSide.choices)
    group = forms.ChoiceField(label=_("Stakeholder group"), choices=StakeholderGroup.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    home_region = forms.ModelChoiceField(
        label=_("Home kecamatan"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("outside the city"),
    )
    count = forms.IntegerField(label=_("Number of people"), min_value=0)

    def __init__(self, *args: Any, region_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_region"].queryset = _kecamatan(region_id)  # type: ignore[attr-defined]

    def row(self) -> ParticipantRow:
        data = self.cleaned_data
        return ParticipantRow(
            side=data["side"],
            group=data["group"],
            gender=data["gender"],
            age_band=data["age_band"],
            home_region=data["home_region"],
            count=data["count"],
        )


class ParticipantRowFormSet(RowFormSet):
    def row_problems(self, rows: list[Any]) -> Mapping[Any, Problems]:
        local, partner = breakdown_sums(rows)  # the totals are reconciled separately
        return participant_problems(
            rows,
            local_region_id=self.form_kwargs["region_id"],
            local_total=local,
            partner_total=partner,
        )


ParticipantFormSet = forms.formset_factory(
    ParticipantRowForm, formset=ParticipantRowFormSet, extra=3, can_delete=True
)


class ParticipantTotalsForm(forms.Form):
    """The totals as the user typed them; empty means "the breakdown's sum"."""

    participants_local = forms.IntegerField(
        label=_("Local participants (total)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the sum of the rows."),
    )
    participants_partner = forms.IntegerField(
        label=_("Partner participants hosted (total)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the sum of the rows."),
    )

    def reconciled(
        self, rows: Sequence[ParticipantRow], *, use_breakdown: bool
    ) -> tuple[int, int] | None:
        """The local and partner totals to record, or None (and one error) when they differ.

        An empty total is the breakdown's sum; ``use_breakdown`` takes both sums,
        whatever was typed (the button under the error).
        """
        sums = breakdown_sums(rows)
        if use_breakdown:
            return sums
        local = self.cleaned_data["participants_local"]
        partner = self.cleaned_data["participants_partner"]
        wanted = (sums[0] if local is None else local, sums[1] if partner is None else partner)
        if wanted == sums:
            return sums
        self.add_error(
            None,
            _(
                "The breakdown adds up to %(local_sum)s local and %(partner_sum)s partner "
                "participants, but the totals say %(local)s and %(partner)s. Correct the rows "
                "or the totals, or use the breakdown's totals."
            )
            % {
                "local_sum": sums[0],
                "partner_sum": sums[1],
                "local": wanted[0],
                "partner": wanted[1],
            },
        )
        return None


def breakdown_sums(rows: Sequence[ParticipantRow]) -> tuple[int, int]:
    """The local and the partner people in the breakdown ``rows``."""
    local = sum(row.count for row in rows if row.side == ParticipantSide.LOCAL)
    partner = sum(row.count for row in rows if row.side == ParticipantSide.PARTNER)
    return local, partner


class BudgetRowForm(RowForm):
    entry_fields = ("amount", "note")

    source = forms.ChoiceField(label=_("Source"), choices=FundingSource.choices)
    kind = forms.ChoiceField(label=_("Budget or spending"), choices=MoneyKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=19, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="IDR")
    rate_to_idr = forms.DecimalField(
        label=_("Rate to IDR"), max_digits=18, decimal_places=6, initial=Decimal(1)
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def row(self) -> BudgetRow:
        data = self.cleaned_data
        return BudgetRow(
            source=data["source"],
            kind=data["kind"],
            amount=data["amount"],
            currency=data["currency"].strip().upper(),
            rate_to_idr=data["rate_to_idr"],
            note=data["note"].strip(),
        )


class BudgetRowFormSet(RowFormSet):
    def row_problems(self, rows: list[Any]) -> Mapping[Any, Problems]:
        return budget_problems(rows)


BudgetFormSet = forms.formset_factory(
    BudgetRowForm, formset=BudgetRowFormSet, extra=2, can_delete=True
)


class ContributionRowForm(RowForm):
    entry_fields = ("description", "value")

    side = forms.ChoiceField(label=_("Given by"), choices=ContributionSide.choices)
    form = forms.ChoiceField(label=_("Form"), choices=ContributionForm.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=19,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(0)],
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="IDR")
    rate_to_idr = forms.DecimalField(
        label=_("Rate to IDR"), max_digits=18, decimal_places=6, initial=Decimal(1)
    )

    def row(self) -> ContributionRow:
        data = self.cleaned_data
        return ContributionRow(
            side=data["side"],
            form=data["form"],
            description=data["description"].strip(),
            value=data["value"],
            currency=data["currency"].strip().upper(),
            rate_to_idr=data["rate_to_idr"],
        )


class ContributionRowFormSet(RowFormSet):
    def row_problems(self, rows: list[Any]) -> Mapping[Any, Problems]:
        return contribution_problems(rows)


ContributionFormSet = forms.formset_factory(
    ContributionRowForm, formset=ContributionRowFormSet, extra=2, can_delete=True
)


class ResultForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=ResultLevel.choices)
    result_title = forms.CharField(label=_("Result"), max_length=200)
    standard = forms.ModelChoiceField(
        label=_("Standard indicator"),
        queryset=StandardIndicator.objects.order_by("code"),
        required=False,
        empty_label=_("— my own indicator —"),
    )
    indicator_title = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    higher_is_better = forms.BooleanField(label=_("Higher is better"), required=False, initial=True)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False)
    baseline_value = forms.DecimalField(
        label=_("Baseline"), max_digits=20, decimal_places=4, required=False
    )
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
    target = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=4, required=False)
    actual = forms.DecimalField(label=_("Actual"), max_digits=20, decimal_places=4, required=False)

    def row(self) -> ResultRow:
        data = self.cleaned_data
        return ResultRow(
            level=data["level"],
            result_title=data["result_title"],
            indicator_title=data["indicator_title"] or "",
            unit=data["unit"] or "",
            standard=data["standard"],
            higher_is_better=data["higher_is_better"],
            baseline_year=data["baseline_year"],
            baseline_value=data["baseline_value"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            target=data["target"],
            actual=data["actual"],
        )


class TripReportForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    outputs = forms.CharField(label=_("Outputs"), widget=forms.Textarea(attrs={"rows": 3}))
    days = forms.IntegerField(label=_("Days away"), min_value=1)
    cost_idr = forms.DecimalField(
        label=_("Cost (IDR)"), max_digits=19, decimal_places=2, validators=[MinValueValidator(0)]
    )


class TravellerRowForm(RowForm):
    entry_fields = ("role", "organisation")

    role = forms.CharField(label=_("Role"), max_length=120)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    count = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)

    def row(self) -> TravellerRow:
        data = self.cleaned_data
        return TravellerRow(
            role=data["role"].strip(),
            organisation=data["organisation"].strip(),
            count=data["count"],
        )


TravellerFormSet = forms.formset_factory(
    TravellerRowForm, formset=RowFormSet, extra=2, can_delete=True
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx) or CSV"),
        help_text=_(
            "Download the template first; each problem is reported by sheet, row and column."
        ),
        # The import refuses (and logs) an empty file itself.
        allow_empty_file=True,
    )
    apply_valid = forms.BooleanField(
        label=_("Apply the valid rows and give me the rest back to correct"), required=False
    )


class EconomicEffectForm(forms.Form):
    """One economic effect of an activity: an export contract, investment or visitor spending."""

    kind = forms.ChoiceField(label=_("Kind of effect"), choices=EffectKind.choices)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("code"),
        help_text=_("The Input-Output sector whose products the money buys."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=20,
        decimal_places=2,
        required=False,
        help_text=_("Export contracts, investment and other kinds."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="IDR", required=False)
    rate_to_idr = forms.DecimalField(
        label=_("Rate to IDR"), max_digits=18, decimal_places=6, initial=1, required=False
    )
    visitors = forms.IntegerField(label=_("Visitors"), min_value=0, required=False)
    days = forms.IntegerField(label=_("Days per visitor"), min_value=0, required=False)
    spending_per_day_idr = forms.DecimalField(
        label=_("Spending per visitor and day (IDR)"),
        max_digits=16,
        decimal_places=2,
        required=False,
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=EffectConfidence.choices, initial=EffectConfidence.REPORTED
    )
    source = forms.CharField(label=_("Source"), max_length=300)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def data_for_service(self) -> EffectData:
        data = self.cleaned_data
        return EffectData(
            kind=data["kind"],
            sector=data["sector"],
            year=data["year"],
            source=data["source"],
            amount=data["amount"],
            currency=(data["currency"] or "IDR").upper(),
            rate_to_idr=data["rate_to_idr"] if data["rate_to_idr"] is not None else Decimal(1),
            visitors=data["visitors"],
            days=data["days"],
            spending_per_day_idr=data["spending_per_day_idr"],
            confidence=data["confidence"],
            note=data["note"],
        )
