"""Two people edit the same activity: the second sees what changed and loses nothing typed.

The officer opens the edit page; meanwhile the agency officer saves a new
title through the API's service.  The officer's save then shows the conflict
box (their start, what is saved now and by whom, theirs) with their text
still in the form, and saving again keeps their value on top of the new version.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from kembar.programs.activities import ACTIVITY_FIELDS, ActivityData, activity_save
from kembar.programs.models import Activity
from kembar.programs.tests.test_views import People, people

from .test_lifecycle import sign_in, watch_csp

__all__ = ["people"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDIT = "/staff/activities/SMG-BNE-2024-01/edit/"


def _save_title_elsewhere(people: People, title: str) -> None:
    """What another person's save does: the activity with a new title, one version up."""
    activity = Activity.objects.get(reference="SMG-BNE-2024-01")
    values = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    data = ActivityData(reference=activity.reference, **{**values, "title_id": title})
    activity_save(actor=people.agency_officer, data=data, expected_version=1)


def test_a_stale_save_shows_the_conflict_and_keeps_the_typed_text(
    live_server: Any, page: Any, people: People
) -> None:
    violations = watch_csp(page)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    sign_in(page, live_server.url, people.officer.username, EDIT)
    page.fill("#id_title_id", "Lokakarya guru")
    _save_title_elsewhere(people, "Pelatihan guru SMK")

    page.locator("form.card button[type='submit']").click()

    box = page.locator("#conflict")
    assert box.locator("h2").inner_text() == (
        "Someone else saved this activity while you were working on it"
    )
    assert [
        cell.inner_text() for cell in box.locator("tbody tr").first.locator("th, td").all()
    ] == [
        "title (Indonesian)",
        "Pelatihan guru",
        "Pelatihan guru SMK",
        "Lokakarya guru",
    ]
    assert page.input_value("#id_title_id") == "Lokakarya guru"

    page.locator("form.card button[type='submit']").click()
    page.wait_for_url(f"{live_server.url}/staff/activities/SMG-BNE-2024-01/")
    saved = Activity.objects.get(reference="SMG-BNE-2024-01")
    assert (saved.title_id, saved.version) == ("Lokakarya guru", 3)
    assert violations == []
