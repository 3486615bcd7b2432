"""Forms of the staff pages for opportunities: they parse input, the services validate."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region
from kembar.participation.models import (
    Allocation,
    OpportunityKind,
    OpportunityStatus,
)
from kembar.participation.selectors import OPPORTUNITY_SORTS, OpportunityFilters
from kembar.participation.services import OpportunityData
from kembar.programs.models import AgeBand, StakeholderGroup


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), *OpportunityStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *OpportunityKind.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-created", _("newest first")),
            ("deadline", _("deadline, soonest first")),
            ("-deadline", _("deadline, latest first")),
            ("title", _("title")),
        ],
    )

    def filters(self) -> OpportunityFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "-created"
        return OpportunityFilters(
            status=data.get("status", ""),
            kind=data.get("kind", ""),
            search=data.get("q", ""),
            sort=sort if sort in OPPORTUNITY_SORTS else "-created",
        )


class OpportunityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OpportunityKind.choices)
    title_id = forms.CharField(label=_("Title (Indonesian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_id = forms.CharField(
        label=_("Description (Indonesian)"), widget=forms.Textarea, required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea, required=False
    )
    eligible_kecamatan = forms.ModelMultipleChoiceField(
        label=_("Kecamatan that may apply"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("None chosen: people from every kecamatan may apply."),
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups that may apply"),
        choices=StakeholderGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_age_bands = forms.MultipleChoiceField(
        label=_("Age bands that may apply"),
        choices=AgeBand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligibility_other = forms.CharField(
        label=_("Other conditions"), widget=forms.Textarea, required=False
    )
    places = forms.IntegerField(label=_("Places"), min_value=0, initial=0)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    allocation = forms.ChoiceField(label=_("How places are given"), choices=Allocation.choices)
    lottery_seed = forms.CharField(label=_("Lottery seed"), max_length=200, required=False)
    panel_criteria = forms.CharField(
        label=_("Panel criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One criterion a line: its name, a colon and its weight, e.g. Motivation: 2"),
    )

    questions = forms.CharField(
        label=_("The call's own questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "At most five, one a line: the question in Indonesian, then | and the question in "
            "English; start the line with * when an answer is required, e.g. "
            "* Mengapa Anda ingin ikut? | Why do you want to take part?"
        ),
    )

    def __init__(
        self,
        *args: Any,
        kecamatan: Any,
        questions: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eligible_kecamatan"].queryset = kecamatan  # type: ignore[attr-defined]
        #: The call's questions as stored: a question kept keeps its key (answers use it).
        self.stored_questions = questions or []

    def clean_questions(self) -> list[dict[str, Any]]:
        keys = {q["text_id"]: q["key"] for q in self.stored_questions if isinstance(q, dict)}
        used = set(keys.values())
        parsed = []
        for line in self.cleaned_data["questions"].splitlines():
            line = line.strip()
            if not line:
                continue
            required = line.startswith("*")
            text_id, _bar, text_en = line.lstrip("*").partition("|")
            text_id, text_en = text_id.strip(), text_en.strip()
            key = keys.get(text_id)
            if key is None:
                number = 1
                while f"q{number}" in used:
                    number += 1
                key = f"q{number}"
                used.add(key)
            parsed.append(
                {"key": key, "text_id": text_id, "text_en": text_en, "required": required}
            )
        return parsed

    def clean_panel_criteria(self) -> list[dict[str, Any]]:
        criteria = []
        for number, line in enumerate(self.cleaned_data["panel_criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            name, colon, weight = line.rpartition(":")
            try:
                value = float(weight) if colon else None
            except ValueError:
                value = None
            if value is None or not name.strip():
                raise forms.ValidationError(
                    _("Line %(number)d: write the name, a colon and the weight.")
                    % {"number": number}
                )
            criteria.append({"name": name.strip(), "weight": value})
        return criteria

    def data_for_service(self) -> OpportunityData:
        values = dict(self.cleaned_data)
        values["eligible_kecamatan"] = list(values["eligible_kecamatan"])
        return OpportunityData(**values)

    @staticmethod
    def initial_from(data: OpportunityData) -> dict[str, Any]:
        initial: dict[str, Any] = dict(data.__dict__)
        initial["panel_criteria"] = "\n".join(
            f"{item['name']}: {json.dumps(item['weight'])}" for item in data.panel_criteria
        )
        initial["questions"] = "\n".join(
            ("* " if item.get("required") else "")
            + item.get("text_id", "")
            + (f" | {item['text_en']}" if item.get("text_en") else "")
            for item in data.questions
        )
        return initial


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=OpportunityStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    #: A change of status cannot be undone: the officer ticks that they mean it.
    confirm = forms.BooleanField(required=True)
