"""Check-in on an officer's phone without the network, synced when it comes back.

On a 390 px wide screen the officer opens the check-in page, loses the
network, checks in a valid code and an unknown one (the page tells which
from the codes' digests alone), reloads the page offline (the service worker
serves it), comes back online and syncs: the registration is attended at
the time it was checked in, not the time it was sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.response import Response

from kembar.participation.api.staff import CheckInBatchView
from kembar.participation.models import Registration
from kembar.participation.tests.conftest import People, people
from kembar.participation.tests.test_checkin import counted, enrol, open_call

from .test_lifecycle import sign_in, watch_csp

__all__ = ["people"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offline_check_ins_are_kept_and_synced(
    live_server: Any, browser: Any, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    opportunity = open_call(people)
    sari = enrol(opportunity, "Sari Wulandari")
    check_in = f"/staff/opportunities/{opportunity.pk}/check-in/"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = watch_csp(page)
    try:
        sign_in(page, live_server.url, people.officer.username, check_in)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        context.set_offline(True)
        # Chromium's offline emulation does not cover requests a service worker passes on to
        # the network (the page's calls go through the worker once it controls the page), so
        # the sync endpoint is made unreachable too while "offline", as a phone without network
        # would find it: it answers 503 and the page keeps its queue.
        monkeypatch.setattr(CheckInBatchView, "post", lambda *args, **kwargs: Response(status=503))
        # The page has seen the network go (its "offline" event) before the first check-in.
        expect(page.locator("#check-in-network")).to_have_text(
            "Offline: check-ins are kept on this phone."
        )
        before = timezone.now()
        page.fill("#id_code", sari.checkin_code.lower())
        page.locator(".check-in__submit").click()
        page.wait_for_selector(".check-in__result--valid")
        assert "Valid code" in page.inner_text("#check-in-result")
        page.fill("#id_code", "ZZZZ-ZZZZ-ZZ")
        page.locator(".check-in__submit").click()
        page.wait_for_selector(".check-in__result--unknown")
        assert (
            page.inner_text("#check-in-result")
            == "ZZZZZZZZZZ: Unknown code: no confirmed place has it."
        )
        assert page.inner_text("#check-in-pending") == "2"
        assert page.inner_text("#check-in-network") == "Offline: check-ins are kept on this phone."

        page.reload()
        page.wait_for_selector("#check-in-form")
        assert page.inner_text("#check-in-pending") == "2"
        sari.refresh_from_db()
        assert sari.status == "confirmed"

        monkeypatch.undo()
        context.set_offline(False)
        page.locator("#check-in-sync").click()
        expect(page.locator("#check-in-pending")).to_have_text("0")
        log = page.inner_text("#check-in-log")
        assert f"Sari Wulandari ({sari.number}) is checked in." in log
        assert "No registration of this call has the code ZZZZZZZZZZ." in log
        assert page.inner_text("#check-in-attended") == "1"
    finally:
        context.close()

    sari = Registration.objects.get(pk=sari.pk)
    assert (sari.status, sari.checked_in_by) == ("attended", people.officer)
    assert sari.checked_in_at is not None
    assert (
        before - dt.timedelta(seconds=5) <= sari.checked_in_at <= before + dt.timedelta(seconds=30)
    )
    assert counted(people.activity)[0] == 1
    assert violations == []
