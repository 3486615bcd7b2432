"""Rows of the activity forms (participants, money, travellers): blank rows, added rows.

A page shows a few spare rows and an "Add a row" button.  A spare row the user
left alone is not blank in the browser's eyes: its drop-downs send their first
choice and currency and rate come pre-filled.  So a row counts as filled in
only when one of its *entry fields* (the count, the amount, the description …)
has a value; other rows are skipped, never refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

__all__ = ["RowForm", "RowFormSet", "formset_add_row", "formset_rows", "without_errors"]

ADD_ROW = "add_row"


class RowForm(forms.Form):
    """One row of a :class:`RowFormSet`; ``entry_fields`` say whether it is filled in."""

    entry_fields: ClassVar[tuple[str, ...]] = ()

    def is_blank(self) -> bool:
        if not self.is_bound:
            return True
        return all(
            not str(self.data.get(self.add_prefix(name), "")).strip() for name in self.entry_fields
        )

    def has_changed(self) -> bool:
        # Django validates an optional row only when it "has changed"; for these rows that
        # means "filled in", whatever the pre-selected choices and pre-filled defaults say.
        return not self.is_blank()

    def row(self) -> Any:
        raise NotImplementedError


class RowFormSet(forms.BaseFormSet[Any]):
    """Rows that may all be left blank: an emptied row is removed, not refused."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["empty_permitted"] = True
        return kwargs

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def row_problems(self, rows: list[Any]) -> Mapping[Any, Mapping[str, list[str]]]:
        """The service's checks of ``rows``, by row index; override per kind of row."""
        return {}

    def clean(self) -> None:
        """Put the service's problems on the row and field they are about.

        The service numbers the filled-in rows only; shown on the page's own row, a
        problem is found where it is even when a spare row above was left blank.
        """
        if any(self.errors):
            return
        forms = self.filled_forms()
        for index, problems in self.row_problems([form.row() for form in forms]).items():
            if not isinstance(index, int):
                continue
            form = forms[index]
            for name, messages in problems.items():
                form.add_error(name if name in form.fields else form.entry_fields[0], messages)

    def filled_forms(self) -> list[RowForm]:
        """The filled-in rows not marked for removal, in page order (valid formset only)."""
        return [
            form
            for form in self.forms
            if isinstance(form, RowForm)
            and not form.is_blank()
            and not form.cleaned_data.get("DELETE")
        ]


def formset_rows(formset: forms.BaseFormSet[Any]) -> list[Any]:
    """The service rows of a valid formset's filled-in rows; blank and removed rows are skipped."""
    assert isinstance(formset, RowFormSet)  # noqa: S101 - every row formset is one
    return [form.row() for form in formset.filled_forms()]


def formset_add_row(
    data: QueryDict, formset_class: type[forms.BaseFormSet[Any]], prefix: str
) -> QueryDict:
    """``data`` with one more row for the formset ``prefix``, pre-filled with its defaults.

    The "Add a row" button submits the page; without JavaScript this is how the
    row appears (with JavaScript the button adds it in the page instead).
    """
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        index = int(data.get(key, "0"))
    except ValueError:
        index = 0
    index = min(max(index, 0), formset_class.max_num)
    data[key] = str(index + 1)
    form = formset_class.form
    for name, field in form.base_fields.items():
        initial = field.initial() if callable(field.initial) else field.initial
        if initial is not None and not isinstance(initial, bool):
            data[f"{prefix}-{index}-{name}"] = str(initial)
    return data


def without_errors(*items: forms.Form | forms.BaseFormSet[Any]) -> None:
    """Show bound forms and formsets without validating them.

    After "Add a row" the page comes back with what was typed; a half-filled form
    is not yet an error.  Django validates on the first look at ``errors``, so an
    empty result is put in its place.
    """
    # Django has no public way to say "not validated"; these are the caches it fills.
    for item in items:
        if isinstance(item, forms.BaseFormSet):
            without_errors(*item.forms)
            item._errors = [ErrorDict() for _form in item.forms]  # type: ignore[attr-defined]
            item._non_form_errors = item.error_class()  # type: ignore[attr-defined]
        else:
            item._errors = ErrorDict()  # type: ignore[attr-defined]
