"""Forms of the knowledge pages; the services check what needs the database."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kembar.accounts.models import Organisation
from kembar.geo.models import City
from kembar.knowledge.models import (
    FollowUpStage,
    InstrumentKind,
    Language,
    Lesson,
    Practice,
    PracticeDirection,
)
from kembar.knowledge.selectors import LessonFilters
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.forms import DateInput
from kembar.programs.models import Activity, GovernmentAffair, SdgTarget, Sector


def _area(label: Any, *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _codelists() -> dict[str, forms.Field]:
    return {
        "sector": forms.ModelChoiceField(
            label=_("Sector"), queryset=Sector.objects.order_by("code")
        ),
        "government_affair": forms.ModelChoiceField(
            label=_("Government affair (urusan)"),
            queryset=GovernmentAffair.objects.order_by("code"),
        ),
        "sdg_targets": forms.ModelMultipleChoiceField(
            label=_("SDG targets"),
            queryset=SdgTarget.objects.order_by("goal", "order"),
            required=False,
        ),
    }


class LessonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("code"),
        required=False,
        empty_label=_("all sectors"),
    )
    partner_city = forms.ModelChoiceField(
        label=_("Partner city"),
        queryset=City.objects.none(),
        required=False,
        empty_label=_("all partner cities"),
    )

    def __init__(self, *args: Any, cities: QuerySet[City], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_city"].queryset = cities  # type: ignore[attr-defined]

    def filters(self) -> LessonFilters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        sector = data.get("sector")
        city = data.get("partner_city")
        return LessonFilters(
            q=(data.get("q") or "").strip(),
            sector=sector.pk if sector else None,
            partner_city=city.pk if city else None,
        )


class _RegionForm(forms.Form):
    """A form whose choices are the region's agencies, partnerships, activities and cities."""

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Organisation],
        partnerships: QuerySet[Partnership],
        activities: QuerySet[Activity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_codelists())
        choices = {
            "agency": agencies,
            "contact_agency": agencies,
            "partnership": partnerships,
            "source_activity": activities,
            "activities": activities,
            "partner_city": City.objects.filter(
                pk__in=partnerships.values("partner_city")
            ).order_by("name"),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class LessonForm(_RegionForm):
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Organisation.objects.none()
    )
    context_id = _area(_("Context (Indonesian)"))
    context_en = _area(_("Context (English)"))
    partner_practice_id = _area(_("What the partner does (Indonesian)"))
    partner_practice_en = _area(_("What the partner does (English)"))
    what_we_tried_id = _area(_("What we tried (Indonesian)"))
    what_we_tried_en = _area(_("What we tried (English)"))
    what_happened_id = _area(_("What happened (Indonesian)"))
    what_happened_en = _area(_("What happened (English)"))
    evidence = _area(_("Evidence"), rows=2)
    evidence_url = forms.URLField(
        label=_("Link to the evidence"), required=False, assume_scheme="https"
    )
    partner_city = forms.ModelChoiceField(
        label=_("Partner city"), queryset=City.objects.none(), required=False
    )
    partnership = forms.ModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.none(), required=False
    )
    source_activity = forms.ModelChoiceField(
        label=_("Source activity"),
        queryset=Activity.objects.none(),
        required=False,
        help_text=_("Its trip report, if any, is linked to the lesson."),
    )

    @staticmethod
    def initial_of(lesson: Lesson) -> dict[str, Any]:
        initial = {name: getattr(lesson, name) for name in LessonForm.base_fields}
        initial["sector"] = lesson.sector_id
        initial["government_affair"] = lesson.government_affair_id
        initial["sdg_targets"] = list(lesson.sdg_targets.all())
        return initial


class PracticeForm(_RegionForm):
    direction = forms.ChoiceField(label=_("Offered or sought"), choices=PracticeDirection.choices)
    partner_city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.none(),
        required=False,
        empty_label=_("our own city"),
    )
    title_id = forms.CharField(label=_("Topic (Indonesian)"), max_length=200)
    title_en = forms.CharField(label=_("Topic (English)"), max_length=200, required=False)
    description_id = _area(_("Description (Indonesian)"))
    description_en = _area(_("Description (English)"))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Fields of cooperation"),
        queryset=FocusArea.objects.order_by("slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "What our city seeks in these fields becomes the learning needs of the network "
            "page; a city offering them ranks higher there."
        ),
    )
    contact_agency = forms.ModelChoiceField(
        label=_("Contact agency"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, other_city: int | None = None, **kwargs: Any) -> None:
        """``other_city``: a city besides the partner cities to offer (one of the world network)."""
        super().__init__(*args, **kwargs)
        field = self.fields["partner_city"]
        if other_city is not None:
            partners = field.queryset  # type: ignore[attr-defined]
            field.queryset = City.objects.filter(  # type: ignore[attr-defined]
                Q(pk__in=partners.values("pk")) | Q(pk=other_city)
            ).order_by("name")

    @staticmethod
    def initial_of(practice: Practice) -> dict[str, Any]:
        initial = {name: getattr(practice, name) for name in PracticeForm.base_fields}
        initial["partner_city"] = practice.partner_city_id
        initial["sector"] = practice.sector_id
        initial["government_affair"] = practice.government_affair_id
        initial["contact_agency"] = practice.contact_agency_id
        initial["sdg_targets"] = list(practice.sdg_targets.all())
        initial["focus_areas"] = list(practice.focus_areas.all())
        return initial


class PolicyForm(_RegionForm):
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    instrument = forms.ChoiceField(label=_("Instrument"), choices=InstrumentKind.choices)
    number = forms.CharField(
        label=_("Number"),
        max_length=100,
        required=False,
        help_text=_("E.g. Perwal No. 12 Tahun 2025."),
    )
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())
    agency = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Organisation.objects.none()
    )
    description_id = _area(_("What changed (Indonesian)"))
    description_en = _area(_("What changed (English)"))
    evidence_url = forms.URLField(
        label=_("Link to the document"), required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("Or upload the document (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    partnership = forms.ModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.none(), required=False
    )
    activities = forms.ModelMultipleChoiceField(
        label=_("Activities that led to it"), queryset=Activity.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("sector", "government_affair", "sdg_targets"):
            del self.fields[name]


class ReflectionForm(forms.Form):
    learned = _area(_("What we learned"), required=True, rows=4)
    will_change = _area(_("What we will change"), required=True, rows=3)
    who_should_know = _area(_("Who should know"), rows=2)
    language = forms.ChoiceField(label=_("Language of the reflection"), choices=Language.choices)


class ReflectionReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: it becomes a lesson")), ("return", _("Return it"))],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title of the lesson (Indonesian)"),
        max_length=200,
        required=False,
        help_text=_("Empty: the activity's title."),
    )
    note = _area(_("Note to the agency"), rows=2)


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=FollowUpStage.choices)
    note = _area(_("What was done or seen"), rows=2)


class DropForm(forms.Form):
    reason = _area(_("Why the idea is dropped"), rows=2)


class ApplyForm(forms.Form):
    note = _area(_("The plan"), rows=2)
