"""The activity forms as a browser submits them: spare rows, added and removed rows, totals.

Each page is fetched, its form serialised the way a browser does (a drop-down
sends its selected or first choice, pre-filled fields their value, an unticked
box nothing) and posted back, so a spare row the user never touched comes back
exactly as it would from a real browser.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from kembar.programs.models import Activity, BudgetLine, ParticipantCount, TripReport
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

from .test_views import People, english, people

__all__ = ["people"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db

Fields = dict[str, list[str]]
ACTIVITY = "/staff/activities/SMG-BNE-2024-01/"


class _FormReader(HTMLParser):
    """The successful controls of each ``<form>``, outside ``<template>`` (no submit buttons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Fields] = []
        self._template_depth = 0
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all
        self._option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        if self.forms and name:
            self.forms[-1].setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "template":
            self._template_depth += 1
        if self._template_depth or "disabled" in attr:
            return
        if tag == "form":
            self.forms.append({})
        elif tag == "input":
            kind = attr.get("type", "text")
            if kind in {"submit", "button", "reset", "image", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attr:
                    self._add(attr.get("name", ""), attr.get("value", "on"))
                return
            self._add(attr.get("name", ""), attr.get("value", ""))
        elif tag == "select":
            self._select = (attr.get("name", ""), [], [])
        elif tag == "option" and self._select is not None:
            self._option = attr.get("value")
            self._text = ""
            if "selected" in attr:
                self._select[1].append(self._option or "")
        elif tag == "textarea":
            self._textarea = attr.get("name", "")
            self._text = ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template_depth -= 1
        elif tag == "option" and self._select is not None:
            value = self._option if self._option is not None else self._text.strip()
            self._select[2].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            name, selected, options = self._select
            for value in selected or options[:1]:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None


def browser_form(html: bytes, marker: str) -> Fields:
    """What a browser would send for the page's form that has a field named ``marker``."""
    reader = _FormReader()
    reader.feed(html.decode())
    return next(form for form in reader.forms if marker in form)


def test_untouched_spare_rows_do_not_stop_the_money_from_saving(
    client: Client, people: People
) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "money/").content, "budget-TOTAL_FORMS")
    # Two spare budget rows and two spare contribution rows, as the browser sends them.
    assert fields["budget-0-source"] == ["apbd"]
    assert fields["budget-0-currency"] == ["IDR"]
    fields["budget-0-amount"] = ["2500000"]
    response = client.post(ACTIVITY + "money/", fields)
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert (line.source, line.kind, str(line.amount_idr)) == ("apbd", "budget", "2500000.00")

    # The page again with the saved line and new spare rows: saving it unchanged changes nothing.
    fields = browser_form(client.get(ACTIVITY + "money/").content, "budget-TOTAL_FORMS")
    assert fields["budget-TOTAL_FORMS"] == ["3"]
    response = client.post(ACTIVITY + "money/", fields, follow=True)
    assert [str(message) for message in response.context["messages"]] == ["Nothing changed."]
    assert BudgetLine.objects.count() == 1


def test_participant_totals_are_the_rows_sums_when_left_empty(
    client: Client, people: People
) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "participants/").content, "rows-TOTAL_FORMS")
    assert (fields["participants_local"], fields["participants_partner"]) == ([""], [""])
    assert fields["rows-TOTAL_FORMS"] == ["3"]
    fields["rows-0-count"] = ["12"]
    fields["rows-1-side"] = ["partner"]
    fields["rows-1-count"] = ["3"]
    response = client.post(ACTIVITY + "participants/", fields)
    assert response.status_code == 302
    activity = Activity.objects.get(reference="SMG-BNE-2024-01")
    assert (activity.participants_local, activity.participants_partner) == (12, 3)
    assert sorted(ParticipantCount.objects.values_list("side", "count")) == [
        ("local", 12),
        ("partner", 3),
    ]


def test_totals_that_differ_name_both_sums_and_the_breakdown_can_be_taken(
    client: Client, people: People
) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "participants/").content, "rows-TOTAL_FORMS")
    fields["participants_local"] = ["10"]
    fields["rows-0-count"] = ["7"]
    response = client.post(ACTIVITY + "participants/", fields)
    assert response.status_code == 400
    problems = response.context["totals"].non_field_errors()
    assert problems == [
        "The breakdown adds up to 7 local and 0 partner participants, but the totals say "
        "10 and 0. Correct the rows or the totals, or use the breakdown's totals."
    ]
    assert ParticipantCount.objects.count() == 0

    again = browser_form(response.content, "rows-TOTAL_FORMS")
    assert again["participants_local"] == ["10"]
    response = client.post(ACTIVITY + "participants/", {**again, "use_breakdown": ["1"]})
    assert response.status_code == 302
    activity = Activity.objects.get(reference="SMG-BNE-2024-01")
    assert (activity.participants_local, activity.participants_partner) == (7, 0)


def test_add_a_row_without_javascript_keeps_what_was_typed(client: Client, people: People) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "participants/").content, "rows-TOTAL_FORMS")
    fields["rows-0-count"] = ["4"]
    response = client.post(ACTIVITY + "participants/", {**fields, "add_row": ["rows"]})
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 4
    assert formset.forms[0]["count"].value() == "4"
    assert b'class="errorlist' not in response.content
    assert ParticipantCount.objects.count() == 0

    english(client, people.officer)
    Activity.objects.filter(reference="SMG-BNE-2024-01").update(kind="exchange_outbound")
    fields = browser_form(client.get(ACTIVITY + "trip-report/").content, "travellers-TOTAL_FORMS")
    response = client.post(ACTIVITY + "trip-report/", {**fields, "add_row": ["travellers"]})
    assert response.status_code == 200
    travellers = response.context["travellers"]
    assert len(travellers.forms) == 3
    # The new row comes with its default, and the empty report is not an error yet.
    assert travellers.forms[2]["count"].value() == "1"
    assert b'class="errorlist' not in response.content
    assert not TripReport.objects.exists()


def test_a_ticked_remove_box_removes_the_row(client: Client, people: People) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "participants/").content, "rows-TOTAL_FORMS")
    fields["rows-0-count"] = ["5"]
    fields["rows-1-gender"] = ["male"]
    fields["rows-1-count"] = ["2"]
    assert client.post(ACTIVITY + "participants/", fields).status_code == 302

    fields = browser_form(client.get(ACTIVITY + "participants/").content, "rows-TOTAL_FORMS")
    assert fields["rows-INITIAL_FORMS"] == ["2"]
    fields["rows-1-DELETE"] = ["on"]
    assert client.post(ACTIVITY + "participants/", fields).status_code == 302
    assert list(ParticipantCount.objects.values_list("gender", "count")) == [("female", 5)]
    activity = Activity.objects.get(reference="SMG-BNE-2024-01")
    assert activity.participants_local == 5


def test_the_new_activity_form_saves_as_served(client: Client, people: People) -> None:
    sector = SectorFactory.create()
    affair = GovernmentAffairFactory.create()
    english(client, people.officer)
    page = client.get("/staff/activities/new/?partnership=smg-brisbane")
    fields = browser_form(page.content, "partnership_slug")
    # Totals are not asked here: they come with their breakdown on the participants page.
    assert "participants_local" not in fields
    fields.update(
        reference=["SMG-BNE-2025-07"],
        title_id=["Lokakarya banjir"],
        start_date=["2025-03-01"],
        end_date=["2025-03-02"],
        agency=["disdik-semarang"],
        sector=[str(sector.pk)],
        government_affair=[str(affair.pk)],
    )
    response = client.post("/staff/activities/new/?partnership=smg-brisbane", fields)
    assert response.status_code == 302
    activity = Activity.objects.get(reference="SMG-BNE-2025-07")
    assert (activity.participants_local, activity.participants_partner) == (0, 0)


def test_every_row_field_has_its_own_label(client: Client, people: People) -> None:
    english(client, people.officer)
    content = client.get(ACTIVITY + "money/").content.decode()
    assert '<label class="visually-hidden" for="id_budget-1-amount">Amount, row 2</label>' in (
        content
    )
    assert 'for="id_contributions-0-DELETE">Remove<span class="visually-hidden"> row 1' in content


def test_a_problem_shows_on_the_row_it_is_about(client: Client, people: People) -> None:
    english(client, people.officer)
    fields = browser_form(client.get(ACTIVITY + "money/").content, "budget-TOTAL_FORMS")
    fields["budget-0-amount"] = ["100"]
    page = client.post(ACTIVITY + "money/", {**fields, "add_row": ["budget"]})
    fields = browser_form(page.content, "budget-TOTAL_FORMS")
    # The second row is left blank; the third repeats the first source and kind.
    fields["budget-2-amount"] = ["50"]
    response = client.post(ACTIVITY + "money/", fields)
    assert response.status_code == 400
    budget = response.context["budget"]
    assert [form.errors for form in budget.forms] == [
        {},
        {},
        {"source": ["This source and kind is already on row 1: add the amounts up."]},
    ]
    assert 'id="id_budget-2-source_error"' in response.content.decode()
    assert not BudgetLine.objects.exists()
