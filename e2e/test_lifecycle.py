"""A partnership moves from letter of intent to cooperation plan, through the real pages.

Two cooperation officers of Kota Semarang sign in through the login page in
their own browser contexts: the first uploads the cooperation plan and
proposes the move, the second approves it (maker–checker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import PASSWORD, UserFactory, standard_organisations
from kembar.geo.models import Country
from kembar.partnerships.documents import partnership_document_upload
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    LifecycleState,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.test_views import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETAIL = "/staff/partnerships/smg-brisbane/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def seed() -> tuple[User, User]:
    """Two officers of Kota Semarang and Brisbane at the letter of intent, its LoI uploaded."""
    lifecycle_seed_apply(lifecycle_read(django_settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    orgs = standard_organisations()
    maker, checker = (
        UserFactory.create(
            username=username,
            first_name=first_name,
            last_name="Officer",
            role=Role.COOPERATION_OFFICER,
            organisation=orgs.semarang,
        )
        for username, first_name in (("siti", "Siti"), ("budi", "Budi"))
    )
    partnership = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=orgs.partner_city,
        partner_country=Country.objects.get(iso2="AU"),
        state=LifecycleState.objects.get(code="letter_of_intent"),
        initiated_by="local",
    )
    partnership_document_upload(
        partnership=partnership,
        kind="loi",
        title="LoI Semarang–Brisbane",
        language="id+en",
        upload=SimpleUploadedFile("loi.pdf", tiny_pdf("Letter of intent")),
        uploader=maker,
    )
    return maker, checker


def sign_in(page: Any, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.locator("form.auth-form button[type='submit']").click()
    page.wait_for_url(f"{base_url}{next_path}")


def watch_csp(page: Any) -> list[str]:
    """Collect the page's Content Security Policy violations (reported on the console)."""
    violations: list[str] = []

    def record(message: Any) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("CSP"):
            violations.append(message.text)

    page.on("console", record)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('CSP ' + e.violatedDirective + ' ' + e.sourceFile));"
    )
    return violations


def test_plan_uploaded_move_proposed_and_approved_by_a_second_officer(
    live_server: Any, page: Any, browser: Any, tmp_path: Path
) -> None:
    maker, checker = seed()
    with translation.override("id"):
        awaiting = str(TransitionRecord.Status.PENDING.label)
    plan_file = tmp_path / "rencana-kerja-sama.pdf"
    plan_file.write_bytes(tiny_pdf("Rencana kerja sama Semarang-Brisbane"))
    violations = watch_csp(page)

    sign_in(page, live_server.url, "siti", DETAIL)

    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("#partnership-stage").inner_text() == "Pernyataan kehendak"
    page.locator("#upload summary").click()
    page.select_option("#id_kind", "cooperation_plan")
    page.fill("#id_title", "Rencana kerja sama Semarang–Brisbane")
    page.select_option("#id_language", "id")
    page.set_input_files("#id_file", str(plan_file))
    page.locator("#upload button[type='submit']").click()
    page.wait_for_selector(".message--success")
    assert page.locator("#documents tbody tr").count() == 2

    option = page.locator("li.option[data-target='cooperation_plan']")
    option.locator("textarea[name='reason']").fill("LoI ditandatangani; rencana kerja sama disusun")
    option.locator("button[type='submit']").click()

    page.wait_for_selector("#pending")
    assert page.locator("#pending .pill--pending").inner_text() == awaiting
    assert page.locator("#partnership-stage").inner_text() == "Pernyataan kehendak"
    # The maker is not offered the approval of their own move.
    assert page.locator("#pending form").count() == 0

    second = browser.new_context(locale="id-ID")
    try:
        checker_page = second.new_page()
        checker_page.set_default_timeout(15_000)
        checker_violations = watch_csp(checker_page)
        sign_in(checker_page, live_server.url, "budi", DETAIL)
        checker_page.locator("#pending textarea[name='note']").fill("LoI sudah diperiksa")
        checker_page.locator("#pending button[type='submit']:not([formaction])").click()
        checker_page.wait_for_selector(".message--success")

        assert checker_page.locator("#partnership-stage").inner_text() == "Rencana kerja sama"
        assert checker_page.locator("#pending").count() == 0
        assert checker_violations == []
    finally:
        second.close()

    page.reload()
    assert page.locator("#partnership-stage").inner_text() == "Rencana kerja sama"
    assert violations == []

    partnership = Partnership.objects.select_related("state").get(slug="smg-brisbane")
    assert (partnership.state.code if partnership.state else None) == "cooperation_plan"
    assert partnership.version == 2
    record = TransitionRecord.objects.get()
    assert (record.status, record.actor, record.approver) == ("applied", maker, checker)
    assert (record.reason, record.decision_note) == (
        "LoI ditandatangani; rencana kerja sama disusun",
        "LoI sudah diperiksa",
    )
    plan = PartnershipDocument.objects.get(kind__code="cooperation_plan")
    assert (plan.title, plan.version, plan.uploaded_by, plan.language) == (
        "Rencana kerja sama Semarang–Brisbane",
        1,
        maker,
        "id",
    )
    assert plan.file.read() == plan_file.read_bytes()


def test_list_filters_through_htmx_keep_the_url(live_server: Any, page: Any) -> None:
    seed()
    PartnershipFactory.create(
        slug="smg-beihai",
        partner_name="Beihai",
        partner_country=Country.objects.create(
            iso2="CN", iso3="CHN", name_en="China", name_id="Tiongkok"
        ),
    )
    violations = watch_csp(page)
    sign_in(page, live_server.url, "siti", "/staff/")
    assert page.locator("#staff-partnership-table tbody tr").count() == 2

    page.select_option("#id_country", "CN")

    page.wait_for_url("**/staff/?*country=CN*")
    page.wait_for_function(
        "document.querySelectorAll('#staff-partnership-table tbody tr').length === 1"
    )
    assert page.locator("#staff-partnership-table tbody tr").get_attribute("data-slug") == (
        "smg-beihai"
    )
    # The filter form was not swapped out: it still shows the choice.
    assert page.locator("#id_country").input_value() == "CN"
    page.reload()
    assert page.locator("#staff-partnership-table tbody tr").count() == 1
    assert violations == []
