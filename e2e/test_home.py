from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kembar.geo.models import Region
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed() -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    Region.objects.filter(kode="33.74").update(latitude=-7.0, longitude=110.4)
    partners = [
        ("smg-brisbane", 2174003, "Brisbane", "AU", -27.46794, 153.02809, "revived_after_lapse"),
        ("smg-beihai", 1816705, "Beihai", "CN", 21.48349, 109.11549, "dormant"),
        ("smg-split", 3190261, "Split", "HR", 43.50891, 16.43915, "listed_only"),
    ]
    for slug, geonameid, name, iso2, lat, lng, status in partners:
        partnership = PartnershipFactory.create(
            slug=slug,
            partner_city=CityFactory.create(
                id=geonameid,
                name=name,
                country=CountryFactory.create(iso2=iso2),
                latitude=lat,
                longitude=lng,
            ),
            documented_status=status,
        )
        PartnershipEventFactory.create(
            partnership=partnership, date=dt.date(2008, 1, 1), date_precision="year"
        )


def test_home_map_and_language_switch(live_server: Any, page: Any) -> None:
    seed()

    page.goto(live_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("h1").inner_text() == "Kerja sama internasional Kota Semarang"
    page.wait_for_selector("#partner-map[data-markers='3']")
    assert page.locator("path.kembar-marker--partner").count() == 3
    assert page.locator("path.kembar-marker--home").count() == 1
    assert page.locator("path.kembar-line").count() == 3
    page.wait_for_selector("path.map-country")
    assert page.locator("path.map-country").count() > 100
    assert page.locator("#partnership-table tbody tr").count() == 3

    page.get_by_role("button", name="English").click()

    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text() == "International partnerships of Kota Semarang"
    page.wait_for_selector("#partner-map[data-markers='3']")
    assert page.locator("path.kembar-marker--partner").count() == 3
    row = page.locator("#partnership-table tbody tr[data-slug='smg-beihai']")
    assert "dormant" in row.inner_text()


def test_home_runs_under_the_strict_csp_without_violations(live_server: Any, page: Any) -> None:
    seed()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('CSP ' + e.violatedDirective + ' ' + e.sourceFile));"
    )

    page.goto(live_server.url + "/")
    page.wait_for_selector("path.map-country")

    assert [text for text in violations if "Content Security Policy" in text or "CSP" in text] == []
