"""The ministry's map draws the regions from the shipped boundaries, and the table lists them.

The record is the small one of :mod:`kembar.national.tests.record` (two provinces,
three kabupaten/kota) as of 2025-06-30.  Signed in as the ministry, the kab/kota
map draws exactly the three kab/kota (one SVG path each, out of the 514 of the
boundary file), coloured by the measure chosen: Magelang has no partnership;
Denpasar's rate per 10,000 is not shown (3 participants).  The province map draws
the two provinces; the flows map a line per partner city.  Each page passes axe
(the accessibility walk leaves them out: they answer 403 to its officer), and so does
the form with which a region's cooperation officer records a report.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kembar.national.refresh import national_refresh
from kembar.national.tests.record import AS_OF, build_record

from .test_accessibility import PHONE, problems_on
from .test_lifecycle import sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def classes(page: Any) -> dict[str, str]:
    return dict(
        page.locator("#national-map path.national-region").evaluate_all(
            "paths => paths.map(p => [p.dataset.kode, p.getAttribute('class')])"
        )
    )


def table_codes(page: Any) -> list[str]:
    return page.locator("#national-regions-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kode)"
    )


def test_the_map_draws_the_regions_and_the_table_lists_them(
    live_server: Any, page: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: AS_OF)
    build_record()
    national_refresh()
    violations = watch_csp(page)
    sign_in(page, live_server.url, "kemendagri", "/staff/national/")
    page.wait_for_selector("#national-map[data-regions='3']")

    drawn = classes(page)
    assert sorted(drawn) == ["33.71", "33.74", "51.71"]
    assert page.locator("#national-map path.national-region").count() == 3
    assert "national-none" in drawn["33.71"]
    assert "national-none" not in drawn["33.74"]
    assert "national-none" not in drawn["51.71"]
    assert table_codes(page) == ["33.71", "33.74", "51.71"]
    assert page.locator("#national-without li").evaluate_all(
        "items => items.map(i => i.dataset.kode)"
    ) == ["33.71"]
    page.wait_for_selector("#national-flows[data-lines='5']")

    page.select_option("#id_metric", "participants_per_10k")
    page.locator("#national-filters button[type='submit']").click()
    page.wait_for_url("**metric=participants_per_10k**")
    page.wait_for_selector("#national-map[data-regions='3']")
    drawn = classes(page)
    assert "national-suppressed" in drawn["51.71"]
    assert "national-none" in drawn["33.71"]
    assert "national-suppressed" not in drawn["33.74"]
    denpasar = page.locator("#national-regions-table tr[data-kode='51.71'] td").all_inner_texts()
    assert denpasar[13:15] == ["not shown", "—"] or denpasar[13:15] == ["tidak ditampilkan", "—"]

    page.select_option("#id_level", "province")
    page.locator("#national-filters button[type='submit']").click()
    page.wait_for_url("**level=province**")
    page.wait_for_selector("#national-map[data-regions='2']")
    assert sorted(classes(page)) == ["33", "51"]
    assert table_codes(page) == ["33", "51"]
    assert violations == []


def test_the_ministry_s_pages_pass_axe(live_server: Any, browser: Any) -> None:
    build_record()
    national_refresh(today=AS_OF)
    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = watch_csp(page)
    sign_in(page, live_server.url, "kemendagri", "/staff/national/")
    found: list[str] = []
    for path in (
        "/staff/national/",
        "/staff/national/?level=province&metric=with_kab_kota",
        "/staff/national/reports/?period=2024",
        "/staff/national/regions/33.74/",
        "/staff/national/province/33/",
    ):
        found.extend(problems_on(page, live_server.url + path))
    context.close()
    # The form a region's cooperation officer records a report with (the walk visits it too).
    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    officer_violations = watch_csp(page)
    sign_in(page, live_server.url, "sari", "/staff/national/reports/record/")
    found.extend(problems_on(page, live_server.url + "/staff/national/reports/record/"))
    context.close()
    assert found == [], "\n".join(found)
    assert violations == [] and officer_violations == []
