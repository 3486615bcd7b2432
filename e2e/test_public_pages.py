"""The public menu leads to every public page, and a partnership has its own page."""

from __future__ import annotations

from typing import Any

import pytest

from kembar.geo.models import Region
from kembar.partnerships.tests.seeding import semarang_record_load

from .test_lifecycle import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_menu_to_a_partnership_page_and_back(live_server: Any, page: Any) -> None:
    semarang_record_load()
    Region.objects.filter(kode="33.74").update(latitude=-7.0, longitude=110.4)
    violations = watch_csp(page)

    page.goto(live_server.url + "/")
    menu = page.locator("nav.public-nav")
    assert menu.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "/",
        "/partnerships/",
        "/insights/reach/",
        "/insights/economy/",
        "/insights/network/",
        "/api/docs/",
    ]
    menu.locator("a[href='/partnerships/']").click()
    page.wait_for_url("**/partnerships/")
    assert page.locator("#partnership-table tbody tr").count() == 8

    page.locator("#partnership-table a[href='/partnerships/smg-brisbane/']").click()
    page.wait_for_url("**/partnerships/smg-brisbane/")
    assert page.locator("#partnership-stage").inner_text() == "Pelaksanaan"
    assert "11 Januari 1993" in page.locator("#partnership-agreements").inner_text()

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.locator("#partnership-stage").inner_text() == "Active"
    history = page.locator("#partnership-history").inner_text()
    assert "MoU expired without renewal" in history
    reach = page.locator("#partnership-reach a")
    assert reach.get_attribute("href") == "/insights/reach/?partnership=smg-brisbane"
    assert violations == []


@pytest.mark.parametrize("path", ["/", "/partnerships/", "/partnerships/smg-brisbane/"])
def test_public_pages_fit_a_phone(live_server: Any, page: Any, path: str) -> None:
    semarang_record_load()
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("nav.public-nav a").count() == 6
