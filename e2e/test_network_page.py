"""The network page draws a city's ego network offline and recommends new partners.

The small world of ``kembar/insights/tests/test_network_pages.py``: Semarang
with two partners (twinned with each other) and three partners of partners.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kembar.insights.network import network_cache_clear
from kembar.insights.tests.test_network_pages import (
    BRISBANE,
    DAEJEON,
    FUZHOU,
    KOBE,
    SEATTLE,
    SEMARANG,
    TACOMA,
    make_world,
)

from .test_lifecycle import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    network_cache_clear()
    yield
    network_cache_clear()


def data_cities(page: Any, selector: str) -> list[int]:
    return [
        int(value)
        for value in page.locator(selector).evaluate_all("rows => rows.map(r => r.dataset.city)")
    ]


def test_network_page_draws_the_ego_network_and_recommends(live_server: Any, page: Any) -> None:
    make_world()
    violations = watch_csp(page)

    page.goto(f"{live_server.url}/insights/network/")

    assert page.locator("html").get_attribute("lang") == "id"
    page.wait_for_selector("#network-map[data-markers='6'][data-lines='7']")
    assert page.locator("#network-map path.network-marker--ring0").count() == 1
    assert page.locator("#network-map path.network-marker--ring1").count() == 2
    assert page.locator("#network-map path.network-marker--ring2").count() == 3
    assert page.locator("#network-map path.network-line--partner").count() == 2
    assert page.locator("#network-map path.network-line--between_partners").count() == 1
    assert page.locator("#network-map path.network-line--second").count() == 4
    page.wait_for_selector("#network-map path.map-country")
    assert page.locator("#network-map path.map-country").count() > 100
    assert data_cities(page, "#network-nodes tbody tr") == [BRISBANE, FUZHOU, KOBE, TACOMA, DAEJEON]
    assert data_cities(page, "#network-recommendations tbody tr") == [
        KOBE,
        DAEJEON,
        TACOMA,
        SEATTLE,
    ]
    first_reason = page.locator("#network-recommendations tbody tr").first.locator("li").first
    assert first_reason.get_attribute("data-code") == "common_partners"

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text() == "Twin-city network of Semarang, Indonesia"
    assert first_reason.inner_text() == "shares 2 partners with Semarang: Brisbane, Fuzhou"

    # Kobe's own network: Semarang is a partner of its partners, and the best new partner.
    page.locator(f"#network-recommendations a[href$='/network/{KOBE}/']").click()
    page.wait_for_url(f"**/insights/network/{KOBE}/")
    page.wait_for_selector("#network-map[data-markers='6'][data-lines='7']")
    assert SEMARANG in data_cities(page, "#network-nodes tbody tr[data-ring='2']")
    recommended = data_cities(page, "#network-recommendations tbody tr")
    assert recommended[0] == SEMARANG
    assert {KOBE, BRISBANE, FUZHOU}.isdisjoint(recommended)
    assert violations == []
