"""Forms of the staff pages of registrations and check-in (``views_staff``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.participation.models import RegistrationStatus
from kembar.participation.staff_registrations import RegistrationFilters


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False, max_length=120)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("every status")), *RegistrationStatus.choices],
    )

    def filters(self) -> RegistrationFilters:
        if not self.is_valid():
            return RegistrationFilters()
        return RegistrationFilters(
            status=self.cleaned_data.get("status") or "",
            search=self.cleaned_data.get("q") or "",
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    #: Cancelling cannot be undone: the officer ticks that they mean it.
    confirm = forms.BooleanField(label=_("Yes, cancel this registration."), required=True)


class SelectionForm(forms.Form):
    confirm = forms.BooleanField(required=True)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "class": "check-in__code",
            }
        ),
    )


class UndoForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
