"""An officer reports participants: adds a row with the button, removes one, saves.

The page starts with three spare rows; the officer fills the first, adds a
fourth for the partner side, removes the second, watches the live sums and
saves with the totals left empty (they are the rows' sums).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from kembar.programs.models import Activity, ParticipantCount
from kembar.programs.tests.test_views import People, people

from .test_lifecycle import sign_in, watch_csp

__all__ = ["people"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTICIPANTS = "/staff/activities/SMG-BNE-2024-01/participants/"


def test_add_a_row_remove_one_and_save(live_server: Any, page: Any, people: People) -> None:
    violations = watch_csp(page)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    sign_in(page, live_server.url, people.officer.username, PARTICIPANTS)
    rows = page.locator("#participant-rows tbody tr")
    assert rows.count() == 3

    page.fill("#id_rows-0-count", "5")
    page.fill("#id_rows-1-count", "9")
    page.locator("[data-add-row]").click()
    assert rows.count() == 4
    # The new row is labelled for its number and takes the focus.
    assert page.evaluate("document.activeElement.id") == "id_rows-3-side"
    assert page.locator("label[for='id_rows-3-count']").inner_text() == "Number of people, row 4"
    page.select_option("#id_rows-3-side", "partner")
    page.fill("#id_rows-3-count", "2")

    rows.nth(1).locator("[data-remove-row]").click()
    assert rows.nth(1).is_hidden()
    assert page.locator("#breakdown-sums").inner_text() == (
        "The rows add up to 5 local and 2 partner participants."
    )
    assert page.locator("#id_participants_local").get_attribute("placeholder") == "5"

    page.locator("#participants-form button.button[type='submit']:not([name])").click()
    page.wait_for_url(f"{live_server.url}/staff/activities/SMG-BNE-2024-01/")
    assert page.locator(".message--success").inner_text() == "Participants saved."
    activity = Activity.objects.get(reference="SMG-BNE-2024-01")
    assert (activity.participants_local, activity.participants_partner) == (5, 2)
    assert sorted(ParticipantCount.objects.values_list("side", "count")) == [
        ("local", 5),
        ("partner", 2),
    ]
    assert violations == []


CONTROL_GAPS = """form => Array.from(form.querySelectorAll('.field')).map(field => {
  const label = field.querySelector('label');
  const control = field.querySelector('input:not([type=hidden]), select, textarea');
  return [label.textContent, Math.round(control.getBoundingClientRect().top
          - label.getBoundingClientRect().bottom), field.querySelector('.errorlist') !== null];
})"""


def test_errors_keep_the_fields_in_line(live_server: Any, page: Any, people: People) -> None:
    """Errors and help text go under their input, so no input is pushed below its row."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    sign_in(page, live_server.url, people.officer.username, "/staff/activities/new/")
    page.goto(f"{live_server.url}/staff/activities/new/?partnership=smg-brisbane")
    page.locator("form.form-grid button[type='submit']").click()
    page.wait_for_selector(".form-error")
    fields = page.locator("form.form-grid").evaluate(CONTROL_GAPS)
    assert [label for label, _gap, has_error in fields if has_error] == [
        "Reference:",
        "Title (Indonesian):",
        "Responsible agency:",
        "Start date:",
        "End date:",
        "Sector:",
        "Government affair (urusan):",
    ]
    # Between a label and its control there is only the gap of the grid (and a checkbox's margin).
    assert [(label, gap) for label, gap, _has_error in fields if gap > 8] == []
