"""The public menu leads to every public page, and a partnership has its own page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kembar.geo.models import Region
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.programs.tests.factories import ActivityFactory

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
        "/opportunities/",
        "/calendar/",
        "/search/",
        "/insights/reach/",
        "/insights/economy/",
        "/insights/network/",
        "/guidance/",
        "/open-data/",
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


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/partnerships/",
        "/partnerships/smg-brisbane/",
        "/calendar/",
        "/calendar/?month=2024-03",
        "/search/?q=semarang",
    ],
)
@pytest.mark.parametrize("width", [390, 360])
def test_public_pages_fit_a_phone(live_server: Any, page: Any, path: str, width: int) -> None:
    semarang_record_load()
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(live_server.url + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("nav.public-nav a").count() == 11


def test_search_to_an_activity_and_its_month_in_the_calendar(live_server: Any, page: Any) -> None:
    semarang_record_load()
    ActivityFactory.create(
        reference="SMG-BNE-2024-01",
        partnership=Partnership.objects.get(slug="smg-brisbane"),
        title_id="Kunjungan guru ke Brisbane",
        title_en="Teachers' visit to Brisbane",
        start_date=dt.date(2024, 3, 4),
        end_date=dt.date(2024, 3, 8),
    )
    page.set_viewport_size({"width": 360, "height": 800})
    violations = watch_csp(page)

    page.goto(live_server.url + "/")
    page.locator("nav.public-nav a[href='/search/']").click()
    page.wait_for_url("**/search/")
    page.fill("#search-q", "guru")
    page.locator("form.portal-search button").click()
    page.wait_for_url("**/search/?q=guru")
    assert page.locator("#search-activities li").count() == 1
    assert page.locator("#search-partnerships li").count() == 0

    page.locator("#search-activities a[href='/activities/SMG-BNE-2024-01/']").click()
    page.wait_for_url("**/activities/SMG-BNE-2024-01/")
    assert page.locator("h1").inner_text().startswith("Kunjungan guru ke Brisbane")
    assert "4 Maret 2024" in page.locator("#activity-facts").inner_text()

    page.locator("nav.public-nav a[href='/calendar/']").click()
    page.wait_for_url("**/calendar/")
    page.goto(live_server.url + "/calendar/?month=2024-03")
    assert page.locator("#calendar-2024-03 li").count() == 1
    page.locator("#calendar-months a[rel='prev']").click()
    page.wait_for_url("**/calendar/?month=2024-02")
    assert page.locator("#calendar-empty").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations == []
