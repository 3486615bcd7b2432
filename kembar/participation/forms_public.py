"""The registration form: only what the call needs, each consent with its text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region
from kembar.participation.models import ConsentPurpose, Opportunity
from kembar.participation.registrations import RegistrationData, city_kelurahan, consent_text
from kembar.programs.models import AgeBand, Gender, StakeholderGroup

OUTSIDE = "outside"


def _kelurahan_choices(opportunity: Opportunity) -> list[Any]:
    """The city's kelurahan grouped by kecamatan, then "outside the city"."""
    rows = city_kelurahan(opportunity).select_related("parent").order_by("parent__name", "name")
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        groups.setdefault(row.parent.name if row.parent else "", []).append((row.kode, row.name))
    choices: list[Any] = [("", _("Choose your kelurahan"))]
    choices += list(groups.items())
    choices.append((OUTSIDE, _("I live outside the city")))
    return choices


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    home_kelurahan = forms.ChoiceField(
        label=_("Home kelurahan"),
        help_text=_("It tells us your kecamatan, so that places reach every part of the city."),
    )
    group = forms.ChoiceField(label=_("You take part as"), choices=StakeholderGroup.choices)
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[
            (Gender.FEMALE, Gender.FEMALE.label),
            (Gender.MALE, Gender.MALE.label),
            (Gender.UNSPECIFIED, _("prefer not to say")),
        ],
        initial=Gender.UNSPECIFIED,
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=[
            *[(value, label) for value, label in AgeBand.choices if value != AgeBand.UNKNOWN],
            (AgeBand.UNKNOWN, _("prefer not to say")),
        ],
        initial=AgeBand.UNKNOWN,
    )

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        self.fields["home_kelurahan"].choices = _kelurahan_choices(opportunity)  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        english = (get_language() or "id").startswith("en")
        for question in opportunity.questions:
            if not isinstance(question, dict) or not question.get("key"):
                continue
            text = (question.get("text_en") if english else None) or question.get("text_id", "")
            self.fields[f"q_{question['key']}"] = forms.CharField(
                label=text,
                required=bool(question.get("required")),
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        language = (get_language() or "id")[:2]
        for purpose in ConsentPurpose.values:
            _version, text = consent_text(purpose, language)
            self.fields[f"consent_{purpose}"] = forms.BooleanField(
                label=text,
                required=purpose == ConsentPurpose.TAKING_PART,
                error_messages={
                    "required": _("To take part, agree that your data is used to run this call.")
                },
            )

    def data_for_service(self) -> RegistrationData:
        cleaned = self.cleaned_data
        kode = cleaned["home_kelurahan"]
        home = None if kode == OUTSIDE else Region.objects.filter(kode=kode).first()
        return RegistrationData(
            name=cleaned["name"],
            group=cleaned["group"],
            home_kelurahan=home,
            gender=cleaned["gender"],
            age_band=cleaned["age_band"],
            answers={
                name.removeprefix("q_"): value
                for name, value in cleaned.items()
                if name.startswith("q_") and value
            },
            consents={
                purpose for purpose in ConsentPurpose.values if cleaned.get(f"consent_{purpose}")
            },
            language=(get_language() or "id")[:2],
        )

    def clean_home_kelurahan(self) -> str:
        value = str(self.cleaned_data["home_kelurahan"])
        if not value:
            raise forms.ValidationError(_("Choose your kelurahan, or “I live outside the city”."))
        return value


class RegistrationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kembar.participation.models import OpportunityKind

        self.fields["kind"].choices = [("", _("every kind")), *OpportunityKind.choices]  # type: ignore[attr-defined]
