"""The staff search form: the query, a kind, the facet filters and the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kembar.search.models import DocumentKind


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all kinds")), *DocumentKind.choices]
    )
    sector = forms.IntegerField(required=False, min_value=0, max_value=32767)
    urusan = forms.RegexField(required=False, regex=r"^\d\.\d{2}$")
    sdg = forms.IntegerField(required=False, min_value=1, max_value=17)
    partner_city = forms.IntegerField(required=False, min_value=0)
    agency = forms.IntegerField(required=False, min_value=0)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def facets(self) -> dict[str, Any]:
        """The facet filters given and valid (invalid ones are ignored)."""
        data = getattr(self, "cleaned_data", {})
        names = ("sector", "urusan", "sdg", "partner_city", "agency", "year")
        return {name: data[name] for name in names if data.get(name) not in (None, "")}
