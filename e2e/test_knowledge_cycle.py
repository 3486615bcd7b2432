"""Learning by doing in the browser: a reflection becomes a lesson that search finds.

The agency officer opens the completed activity and writes the reflection;
the cooperation officer accepts it in the review queue (it becomes a
lesson) and finds that lesson on the staff search page by another form of
a word the reflection used ("dilatih" for "pelatihan").
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kembar.knowledge.models import Lesson, Reflection, ReflectionStatus
from kembar.knowledge.tests.conftest import World, world

from .test_lifecycle import sign_in, watch_csp

__all__ = ["world"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNED = "Pelatihan kader bank sampah di Brisbane memakai modul bergambar."


def _context(browser: Any, base_url: str) -> Any:
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])
    return context


def test_a_reflection_is_written_accepted_as_a_lesson_and_found(
    live_server: Any, browser: Any, world: World
) -> None:
    reference = world.activity.reference
    agency = _context(browser, live_server.url)
    page = agency.new_page()
    page.set_default_timeout(15_000)
    violations = watch_csp(page)
    try:
        sign_in(
            page, live_server.url, world.agency_officer.username, f"/staff/activities/{reference}/"
        )
        page.get_by_role("link", name="Write the reflection").click()
        page.wait_for_url(f"{live_server.url}/staff/knowledge/activities/{reference}/reflection/")
        page.fill("#id_learned", LEARNED)
        page.fill("#id_will_change", "Modul bergambar untuk kader di 16 kecamatan.")
        page.select_option("#id_language", "id")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{live_server.url}/staff/activities/{reference}/")
    finally:
        agency.close()
    reflection = Reflection.objects.get(activity=world.activity)
    assert (reflection.learned, reflection.status) == (LEARNED, ReflectionStatus.SUBMITTED)

    office = _context(browser, live_server.url)
    page = office.new_page()
    page.set_default_timeout(15_000)
    violations += watch_csp(page)
    try:
        sign_in(page, live_server.url, world.officer.username, "/staff/knowledge/reflections/")
        card = page.locator(f"section[aria-labelledby='reflection-{reflection.pk}']")
        expect(card).to_contain_text(LEARNED)
        card.locator("input[type='radio'][value='accept']").check()
        card.locator(f"#id_r{reflection.pk}-title").fill("Modul bergambar untuk kader bank sampah")
        card.get_by_role("button", name="Save the decision").click()
        lesson = Lesson.objects.get(reflection=reflection)
        page.wait_for_url(f"{live_server.url}/staff/knowledge/lessons/{lesson.pk}/")

        page.goto(f"{live_server.url}/staff/search/")
        page.fill("#search-form input[name='q']", "dilatih")
        page.locator("#search-form button[type='submit']").click()
        page.wait_for_url("**/staff/search/?*q=dilatih*")
        found = page.locator(f"a[href='/staff/knowledge/lessons/{lesson.pk}/']")
        # The review names the Indonesian title; the English one is still the activity's.
        expect(found).to_have_text("Teacher training")
        found.click()
        page.wait_for_url(f"{live_server.url}/staff/knowledge/lessons/{lesson.pk}/")
        expect(page.locator("main")).to_contain_text(LEARNED)
    finally:
        office.close()
    assert violations == []
