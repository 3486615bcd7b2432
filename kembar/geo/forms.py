"""Form fields for reference data: countries listed by their name in the user's language."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

__all__ = ["CountryChoiceField", "name_sort_key"]


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key for a name written in the Latin alphabet, as a reader of it expects.

    Letters compare without their diacritics and case (Å with A, Ç with C);
    the name itself breaks ties.  Indonesian and English both sort this way.

    >>> sorted(["Zambia", "Åland", "Bahama", "Curaçao", "Ceko"], key=name_sort_key)
    ['Åland', 'Bahama', 'Ceko', 'Curaçao', 'Zambia']
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return letters.casefold(), name


class _ByLocalName(ModelChoiceIterator):
    """The choices sorted by each object's name in the active language (``obj.name``)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=lambda obj: name_sort_key(str(obj.name))):
            yield self.choice(obj)


class CountryChoiceField(forms.ModelChoiceField):
    """A country drop-down sorted by the country's name in the user's language."""

    iterator = _ByLocalName
