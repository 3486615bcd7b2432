"""A resident's whole journey on a 390 px phone, with an officer at the door.

From the home page the resident finds a call, signs up with the code read
from the outgoing mail, registers, and gets a check-in code.  An officer
checks them in on the check-in page; the resident answers the survey and the
public reach table counts them (5 people typed by officers + 1 registered = 6
in Semarang Tengah).  The resident then deletes their data: the count stays.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from kembar.accounts.tests.test_citizen_signin import code_from_mail
from kembar.participation.models import Registration, Resident, SurveyResponse
from kembar.participation.tests.conftest import People, people
from kembar.participation.tests.factories import kelurahan, published_call
from kembar.programs.models import ParticipantCount
from kembar.programs.rollup import activity_rollup_key, rollup_refresh

from .test_lifecycle import sign_in, watch_csp

__all__ = ["people"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _tengah_count(page: Any, base: str) -> str:
    page.goto(f"{base}/insights/reach/")
    cells = page.locator("#reach-districts tr[data-kode='33.74.01'] td").all_inner_texts()
    return str(cells[1])


def test_a_resident_registers_is_checked_in_answers_and_deletes(
    live_server: Any, browser: Any, people: People
) -> None:
    activity = people.activity
    activity.participants_local = 5
    activity.save()
    ParticipantCount.objects.create(
        activity=activity,
        side="local",
        group="community",
        gender="male",
        age_band="25-44",
        home_region=people.tengah,
        count=5,
    )
    rollup_refresh([activity_rollup_key(activity)])
    pekunden = kelurahan("33.74.01", name="Pekunden")
    call = published_call(
        activity,
        places=10,
        title_id="Pertukaran pemuda ke Brisbane",
        title_en="Youth exchange to Brisbane",
    )
    base = live_server.url

    resident = browser.new_context(viewport=PHONE, locale="id-ID")
    resident.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    phone = resident.new_page()
    phone.set_default_timeout(15_000)
    violations = watch_csp(phone)
    try:
        assert _tengah_count(phone, base) == "5"
        # Finds the call from the home page.
        phone.goto(base + "/")
        phone.locator("#home-opportunities a", has_text="Youth exchange to Brisbane").click()
        phone.wait_for_url(f"{base}/opportunities/{call.pk}/")
        phone.wait_for_selector("#availability.availability--open")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.locator("#register-link").click()
        # Not signed in: sign up with the e-mail address, confirmed by the code in the mail.
        phone.wait_for_url("**/warga/masuk/**")
        phone.locator("#signup-link").click()
        phone.fill("input[name='email']", "ani.rahma@example.test")
        mail.outbox.clear()
        phone.locator("form.auth-form button[type='submit']").click()
        phone.wait_for_url("**/warga/masuk/konfirmasi/**")
        phone.fill("input[name='code']", code_from_mail(mail.outbox[-1]))
        phone.locator("form.auth-form button[type='submit']").click()
        phone.wait_for_url(f"**/opportunities/{call.pk}/register/")
        # The form asks only what the call needs.
        phone.fill("#id_name", "Ani Rahmawati")
        phone.select_option("#id_home_kelurahan", pekunden.kode)
        phone.select_option("#id_group", "students_youth")
        phone.select_option("#id_gender", "female")
        phone.select_option("#id_age_band", "15-24")
        phone.check("#id_consent_taking_part")
        phone.check("#id_consent_statistics")
        phone.locator("#register-submit").click()
        registration = Registration.objects.get(resident__email="ani.rahma@example.test")
        phone.wait_for_url(f"{base}/warga/pendaftaran/{registration.pk}/")
        assert phone.get_attribute("#registration-status", "data-status") == "confirmed"
        code = phone.inner_text("#checkin-code").strip()
        assert code == registration.checkin_code
        assert phone.evaluate("document.querySelector('img.qr').naturalWidth") > 0
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The officer at the door checks the code in.
        officer = browser.new_context(viewport=PHONE, locale="en-US")
        officer.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
        door = officer.new_page()
        door.set_default_timeout(15_000)
        check_in = f"/staff/opportunities/{call.pk}/check-in/"
        sign_in(door, base, people.officer.username, check_in)
        door.fill("#id_code", code)
        door.locator(".check-in__submit").click()
        door.wait_for_selector(".check-in__result--checked_in, .check-in__result--valid")
        officer.close()
        registration.refresh_from_db()
        assert registration.status == "attended"

        # The resident answers the survey and sees the reach table count them.
        phone.goto(f"{base}/warga/pendaftaran/{registration.pk}/")
        phone.locator("#survey-link").click()
        phone.check("input[name='gained'][value='network']")
        phone.check("input[name='satisfaction'][value='5']")
        phone.check("input[name='again'][value='yes']")
        phone.fill("textarea[name='comment']", "Sangat bermanfaat")
        phone.locator("form:has(textarea[name='comment']) button[type='submit']").click()
        phone.wait_for_load_state()
        assert SurveyResponse.objects.get().satisfaction == 5
        assert _tengah_count(phone, base) == "6"

        # Deleting the data keeps the count.
        phone.goto(f"{base}/warga/data/")
        phone.locator("a[href='/warga/data/delete/']").click()
        phone.check("#delete-confirm")
        phone.locator("form.auth-form button[type='submit']").click()
        phone.wait_for_load_state()
        assert not Resident.objects.filter(email="ani.rahma@example.test").exists()
        assert not Registration.objects.exists()
        assert _tengah_count(phone, base) == "6"
        assert violations == []
    finally:
        resident.close()
