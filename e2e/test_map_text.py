"""Stored names reach the maps as text, never as HTML, on every map page.

A partner city, a kecamatan and a twin town are named with markup that would
run script if a tooltip took it as HTML.  The tooltip must show the name
literally and the document must gain no element from it, whatever the
Content Security Policy would have blocked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from kembar.geo.models import City, Region
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.insights.network import network_cache_clear
from kembar.insights.tests.test_network_pages import FUZHOU, make_world
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<img src="x" onerror="window.kembarInjected=1">'
# Anything that would show the name was parsed as HTML, or its handler ran.
INJECTED = (
    "() => window.kembarInjected === 1 ||"
    " document.querySelectorAll('img[src=\"x\"], .leaflet-tooltip img').length > 0"
)


@pytest.fixture(autouse=True)
def _fresh_network_cache() -> Iterator[None]:
    network_cache_clear()
    yield
    network_cache_clear()


def tooltip_after_hover(page: Any, marker: Any) -> str:
    marker.hover()
    tooltip = page.locator(".leaflet-tooltip").last
    tooltip.wait_for()
    return str(tooltip.inner_text())


def test_home_map_shows_a_hostile_partner_name_as_text(live_server: Any, page: Any) -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    Region.objects.filter(kode="33.74").update(latitude=-7.0, longitude=110.4)
    partnership = PartnershipFactory.create(
        slug="smg-hostile",
        partner_name=HOSTILE,
        partner_city=CityFactory.create(
            name="Brisbane", country=CountryFactory.create(iso2="AU"), latitude=-27.5, longitude=153
        ),
    )
    PartnershipEventFactory.create(partnership=partnership, date=dt.date(2008, 1, 1))

    page.goto(live_server.url + "/")
    page.wait_for_selector("#partner-map[data-markers='1']")

    text = tooltip_after_hover(page, page.locator("path.kembar-marker--partner"))
    assert text.startswith(HOSTILE + " (AU) — ")
    assert page.evaluate(INJECTED) is False
    # The table shows it as text too.
    assert HOSTILE in page.locator("#partnership-table tbody th").inner_text()


def test_reach_map_shows_a_hostile_kecamatan_name_as_text(live_server: Any, page: Any) -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    RegionFactory.create(kode="33.74.01", name=HOSTILE)
    PartnershipFactory.create(slug="smg-hostile", partner_name=HOSTILE)

    page.goto(live_server.url + "/insights/reach/")
    page.wait_for_selector("#reach-map[data-districts='16']")

    text = tooltip_after_hover(page, page.locator("#reach-map path[data-kode='33.74.01']"))
    assert text.startswith(HOSTILE + ": ")
    assert page.evaluate(INJECTED) is False


def test_network_map_shows_a_hostile_city_name_as_text(live_server: Any, page: Any) -> None:
    make_world()
    City.objects.filter(id=FUZHOU).update(name=HOSTILE)

    page.goto(live_server.url + "/insights/network/")
    page.wait_for_selector("#network-map[data-markers='6']")

    texts = [
        tooltip_after_hover(page, marker)
        for marker in page.locator("#network-map path.network-marker--ring1").all()
    ]
    assert any(text.startswith(HOSTILE + " (") for text in texts), texts
    assert page.evaluate(INJECTED) is False
