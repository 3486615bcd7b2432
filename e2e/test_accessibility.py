"""Every page passes axe-core and fits a 390 px phone screen.

The pages are taken from the URLconf: each named route outside the API and
the admin is either visited (anonymously or as a cooperation officer) or
listed in ``NOT_PAGES`` with the reason it is not a page of its own (a form
target, a download).  A new page therefore fails this test until it is added
here.  On each page axe-core (axe-playwright-python, offline) must report no
critical or serious violation, and at 390 px wide nothing may scroll sideways.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kembar.accounts.models import Notification, OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.geo.models import City, Region, RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.network import network_cache_clear
from kembar.insights.tests.test_network_pages import BRISBANE, FUZHOU, KOBE, make_world
from kembar.jobs.models import JobKind
from kembar.jobs.services import job_enqueue
from kembar.knowledge.models import Reflection
from kembar.knowledge.services import (
    lesson_apply,
    policy_adopt,
    practice_save,
    reflection_review,
    reflection_submit,
)
from kembar.participation.links import manage_token, survey_token
from kembar.participation.models import Registration, RegistrationStatus, Resident
from kembar.participation.tests.factories import OpportunityFactory
from kembar.partnerships.documents import partnership_document_upload
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import LifecycleState
from kembar.partnerships.services import inbound_request_create, lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.partnerships.tests.test_views import tiny_pdf
from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ParticipantRow,
    TravellerRow,
    activity_budget_set,
    activity_save,
    trip_report_save,
)
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

from .test_lifecycle import sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: The narrowest phone the public pages are made for (issue 13).
SMALL_PHONE = {"width": 360, "height": 800}
REFERENCE = "SMG-BNE-2024-01"

#: Named routes that are not pages: form targets (POST only) and downloads.
NOT_PAGES = {
    "healthz": "JSON health check",
    "readyz": "JSON readiness check",
    "set_language": "form target of the language switch",
    "logout": "form target (POST)",
    "login-verify": "second step of signing in, only after a password (test_accounts covers it)",
    "totp-start": "form target (POST)",
    "totp-confirm": "form target (POST)",
    "totp-cancel": "form target (POST)",
    "totp-disable": "form target (POST)",
    "recovery-codes-renew": "form target (POST)",
    "tokens-revoke": "form target (POST)",
    "notification-read": "form target (POST)",
    "import-template": "spreadsheet download",
    "import-rejected": "spreadsheet download",
    "result-add": "form target (POST) on the activity page",
    "effects": "form target (POST) on the activity page",
    "partnership-transition": "form target (POST) on the partnership page",
    "partnership-conditions": "form target (POST) on the partnership page",
    "partnership-plan": "form target (POST) on the partnership page",
    "partnership-confirm": "form target (POST) on the partnership page",
    "document-upload": "form target (POST) on the partnership page",
    "document-download": "PDF download",
    "transition-approve": "form target (POST)",
    "transition-reject": "form target (POST)",
    "request-review": "form target (POST) on the request page",
    "request-accept": "form target (POST) on the request page",
    "request-decline": "form target (POST) on the request page",
    "transition": "form target (POST) on the opportunity page",
    "reservations": "form target (POST) on the opportunity page",
    "account_logout": "form target (POST) of the citizen's sign-out",
    "account_confirm_login_code": "second step of a citizen's sign-in, only after a code was sent",
    "account_email_verification_sent": "shown by allauth only after a sign-up it does not use",
    "availability": "fragment of the call's page (loaded into it by htmx)",
    "my-registration-cancel": "form target (POST) on the resident's registration page",
    "registration-qr": "SVG image on the resident's registration page",
    "registrations-csv": "CSV download of a call's registrations",
    "registration-cancel": "form target (POST) on the registrations page",
    "registration-scores": "form target (POST) on the registrations page",
    "selection": "form target (POST) on the registrations page",
    "check-in-sw": "the check-in page's service worker (JavaScript)",
    "personal-data-log": "administrators only (test_personal_data covers it); officers get 403",
    "certificate": "PDF download (participation certificate)",
    "certificate-own": "PDF download (participation certificate)",
    "data-json": "JSON download of the citizen's own data",
    "data-link-json": "JSON download of a resident's own data",
    "data-withdraw": "form target (POST) on the citizen's data page",
    "data-link-withdraw": "form target (POST) on a resident's data page",
    "iati-activities": "XML download (IATI 2.03 activity file)",
    "iati-org": "XML download (IATI 2.03 organisation file)",
    "datapackage": "JSON download (the open-data package's Frictionless descriptor)",
    "catalog": "JSON-LD download (DCAT catalogue of the open data, for harvesters)",
    "dataset-csv": "CSV download of an open dataset",
    "dataset-json": "JSON download of an open dataset",
    "report-download": "PDF or XLSX download of a finished report (its job's page links it)",
    "lesson-review": "form target (POST) on the lesson page",
    "lesson-apply": "form target (POST) on the lesson page",
    "followup-advance": "form target (POST) on the lesson page",
    "followup-drop": "form target (POST) on the lesson page",
    "policy-publish": "form target (POST) on the policy page",
    "policy-evidence": "PDF download (a policy's evidence document)",
    "reflection-review": "form target (POST) on the reflections-to-review page",
    "guidance-document-download": "text or DOCX download of a template or checklist",
    "guidance-staff-download": "text or DOCX download of a template filled in for the region",
    "guidance-practice-share": "form target (POST) on the staff guidance page",
    # The ministry's pages answer 403 to the officer who walks the pages here;
    # e2e/test_national_map.py signs in as the ministry and runs axe on each.
    "national-map": "the ministry's map (ministry and administrators only)",
    "national-reports": "the ministry's report list (ministry and administrators only)",
    "national-region": "the ministry's comparison of a region (ministry and administrators only)",
    "national-province": "the governor's view (province supervisor, ministry, administrators)",
    "national-province-home": "redirects to the supervisor's province (or the ministry's map)",
}

#: Pages seen without signing in; every other page is seen as a cooperation officer.
PUBLIC = {
    "home",
    "open-data",
    "partnerships",
    "partnership",
    "public-activity",
    "calendar",
    "search",
    "reach-public",
    "economy-public",
    "network",
    "network-city",
    "login",
    "password-reset",
    "password-reset-done",
    "password-reset-confirm",
    "password-reset-complete",
    "account_login",
    "account_request_login_code",
    "account_signup",
    "account_inactive",
    "survey",
    "opportunities",
    "opportunity",
    # A resident's own data from the signed link in their e-mails (no sign-in).
    "data-link",
    "data-link-delete",
    # Guidance (kembar.guidance): the library, shared practices and policies, recognition.
    "guidance",
    "guidance-document",
    "guidance-shared",
    "recognition",
    "recognition-year",
}
#: Pages seen as a citizen signed in by code.
CITIZEN = {
    "citizen-home",
    "data",
    "data-delete",
    "register",
    "my-registrations",
    "my-registration",
}

SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    network_cache_clear()
    yield
    network_cache_clear()


def seed() -> tuple[User, dict[str, str]]:
    """A small Semarang: two partnerships, an activity with everything, a request, a note.

    Returns the officer and the value of each URL parameter.
    """
    lifecycle_seed_apply(lifecycle_read(django_settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    world = make_world()
    semarang = OrganisationFactory.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=Region.objects.get(kode="33.74"),
    )
    agency = OrganisationFactory.create(
        slug="disdik-semarang",
        name="Dinas Pendidikan",
        kind=OrganisationKind.AGENCY,
        parent=semarang,
    )
    Region.objects.filter(kode="33.74").update(latitude=-7.0, longitude=110.4)
    path = (
        django_settings.KEMBAR_DATA_DIR / "semarang/semarang_penduduk_per_kecamatan_2012_2022.csv"
    )
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region = RegionFactory.create(kode=row["kode_kemendagri"], name=row["kecamatan"])
            RegionPopulation.objects.create(
                region=region, year=2022, kind="observed", population=int(row["2022"]), source="BPS"
            )
    officer = UserFactory.create(
        username="ani", role=Role.COOPERATION_OFFICER, organisation=semarang
    )
    active = LifecycleState.objects.get(code="letter_of_intent")
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=world.cities[BRISBANE],
        partner_country=world.cities[BRISBANE].country,
        partner_name="Brisbane",
        state=active,
        documented_status="revived_after_lapse",
    )
    PartnershipFactory.create(
        slug="smg-fuzhou",
        partner_city=world.cities[FUZHOU],
        partner_country=world.cities[FUZHOU].country,
        partner_name="Fuzhou",
        documented_status="dormant",
    )
    PartnershipEventFactory.create(partnership=brisbane)
    partnership_document_upload(
        partnership=brisbane,
        kind="loi",
        title="LoI Semarang–Brisbane",
        language="id+en",
        upload=SimpleUploadedFile("loi.pdf", tiny_pdf("Letter of intent")),
        uploader=officer,
    )
    activity, _changed = activity_save(
        actor=officer,
        data=ActivityData(
            reference=REFERENCE,
            partnership=brisbane,
            kind="exchange_outbound",
            title_id="Kunjungan guru ke Brisbane",
            title_en="Teachers' visit to Brisbane",
            agency=agency,
            start_date=dt.date(2024, 3, 4),
            end_date=dt.date(2024, 3, 8),
            status="completed",
            sector=SectorFactory.create(),
            government_affair=GovernmentAffairFactory.create(),
            participants_local=6,
        ),
        participants=[
            ParticipantRow(
                "local", "government", "female", "25-44", 6, Region.objects.get(kode="33.74.01")
            )
        ],
    )
    activity_budget_set(
        actor=officer,
        activity=activity,
        rows=[BudgetRow("apbd", "budget", Decimal(85_000_000))],
    )
    trip_report_save(
        actor=officer,
        activity=activity,
        purpose="Study visit",
        outputs="Draft curriculum",
        days=5,
        cost_idr=Decimal(85_000_000),
        travellers=[TravellerRow("Head of division", "Dinas Pendidikan", 2)],
    )
    inbound = inbound_request_create(
        actor=officer,
        data={
            "local_region": Region.objects.get(kode="33.74"),
            "partner_city": world.cities[KOBE],
            "partner_name": "Kobe",
            "partner_country": world.cities[KOBE].country,
            "received_on": dt.date(2024, 5, 1),
            "subject": "Friendship city proposal",
        },
    )
    Notification.objects.create(
        user=officer, subject="Agreement expires in 90 days", link="/staff/"
    )
    # A finished import job with a problem to show (the queue runs at once in the tests).
    job = job_enqueue(
        kind=JobKind.ACTIVITY_IMPORT,
        created_by=officer,
        params={"language": "id"},
        input_data=b"",
        input_name="kegiatan.xlsx",
    )
    opportunity = OpportunityFactory.create(activity=activity, status="published")
    # A second open call, for the public call page and the registration form.
    open_call = OpportunityFactory.create(
        activity=activity,
        status="published",
        questions=[{"key": "why", "text_id": "Mengapa Anda ikut?", "required": True}],
    )
    # Someone who took part, for the survey page of their e-mail's signed link.
    attended = Registration.objects.create(
        opportunity=opportunity,
        resident=Resident.objects.create(email="warga@example.org"),
        name="Warga Contoh",
        group="community",
        status=RegistrationStatus.ATTENDED,
    )
    lesson, policy = knowledge_seed(officer, activity)
    practice = practices_seed(officer, activity)
    params = {
        "practice": str(practice),
        "lesson": str(lesson),
        "policy": str(policy),
        "signed": survey_token(attended),
        "data_token": manage_token(attended.resident),
        "opportunity_pk": str(opportunity.pk),
        "open_call_pk": str(open_call.pk),
        "registration_pk": str(attended.pk),
        "job_id": str(job.pk),
        "slug": "smg-brisbane",
        "reference": REFERENCE,
        "city_id": str(KOBE),
        "pk": str(inbound.pk),
        "uidb64": urlsafe_base64_encode(force_bytes(officer.pk)),
        "token": default_token_generator.make_token(officer),
        # A guidance document and a recognition year (the activity above started in 2024).
        "template": "cooperation-plan",
        "year": "2024",
    }
    return officer, params


def practices_seed(officer: User, activity: Any) -> int:
    """A practice our city seeks and one Kobe offers that answers it, for the matches page."""
    common = {"sector": activity.sector, "government_affair": activity.government_affair}
    sought = practice_save(
        actor=officer,
        region_id="33.74",
        data={"direction": "sought", "title_id": "Kurikulum muatan lokal", **common},
    )
    practice_save(
        actor=officer,
        region_id="33.74",
        data={
            "direction": "offered",
            "partner_city": City.objects.get(pk=KOBE),
            "title_id": "Kurikulum lokal Kobe",
            "title_en": "Kobe's local curriculum",
            **common,
        },
    )
    return sought.pk


def knowledge_seed(officer: User, activity: Any) -> tuple[int, int]:
    """A lesson from the activity's reflection, being applied, and a policy it led to."""
    reflection_submit(
        actor=officer, activity=activity, learned="Kurikulum bersama", will_change="Uji coba"
    )
    lesson = reflection_review(
        actor=officer, reflection=Reflection.objects.get(activity=activity), accept=True
    )
    assert lesson is not None
    lesson_apply(actor=officer, lesson=lesson, note="Rencana uji coba")
    policy = policy_adopt(
        actor=officer,
        region_id="33.74",
        data={
            "title_id": "Perwal Kurikulum Bersama",
            "instrument": "perwal",
            "number": "Perwal No. 12 Tahun 2024",
            "adopted_on": dt.date(2024, 9, 1),
            "agency": activity.agency,
            "evidence_url": "https://jdih.semarangkota.go.id/",
            "partnership": activity.partnership,
            "lessons": [lesson],
        },
    )
    # Another reflection waits for review, for the queue's page.
    other, _changed = activity_save(
        actor=officer,
        data=ActivityData(
            reference="SMG-BNE-2024-02",
            partnership=activity.partnership,
            kind="seminar",
            title_id="Seminar kurikulum",
            agency=activity.agency,
            start_date=dt.date(2024, 4, 1),
            end_date=dt.date(2024, 4, 1),
            status="completed",
            sector=activity.sector,
            government_affair=activity.government_affair,
        ),
    )
    reflection_submit(actor=officer, activity=other, learned="Diskusi", will_change="Lanjut")
    return lesson.pk, policy.pk


def citizen_session(context: Any, base_url: str) -> None:
    """Sign a citizen in for the browser (the sign-in by code itself: test_citizen_signin)."""
    citizen = UserFactory.create(username="warga", email="warga@example.org", role=Role.CITIZEN)
    citizen.set_unusable_password()
    citizen.save()
    client = Client()
    client.force_login(citizen)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def routes() -> Iterator[tuple[str, str]]:
    """(name, route) of every named URL pattern outside the API and the admin.

    The API's documentation (``/api/docs/``, Swagger UI) is the API's, not a Kembar page.
    """

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("api/", "admin/", "i18n/")):
                    continue
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name and not route.startswith("api/"):
                yield pattern.name, "/" + route

    yield from walk(get_resolver().url_patterns, "")


def page_path(route: str, params: dict[str, str]) -> str:
    path = route.replace("^", "").replace("$", "")
    if path.startswith("/staff/opportunities/"):
        params = {**params, "pk": params["opportunity_pk"]}
    elif path.startswith("/opportunities/"):
        params = {**params, "pk": params["open_call_pk"]}
    elif path.startswith("/warga/pendaftaran/"):
        params = {**params, "pk": params["registration_pk"]}
    for name, value in params.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)|<(\w+:)?{name}>", value, path)
    assert "<" not in path, f"no value for a parameter of {route}"
    return path


def problems_on(page: Any, url: str) -> list[str]:
    """The serious and critical axe violations of ``url``, and sideways scrolling at 390 px."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response.status}"
    return problems_here(page, url)


def problems_here(page: Any, url: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    # Forms folded away in <details> (record a result, an effect) are checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found = []
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        if violation["impact"] in {"critical", "serious"}:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(
                f"{url}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])}"
                f" nodes, e.g. {targets})"
            )
    scroll_width, inner_width = page.evaluate(SCROLL_WIDTH)
    if scroll_width > inner_width:
        found.append(f"{url}: scrolls sideways at 390 px ({scroll_width} > {inner_width})")
    return found


def refused_forms(page: Any, base_url: str) -> list[str]:
    """The problems of the pages that show a refused form with its errors."""
    found = []
    page.goto(f"{base_url}/staff/activities/new/?partnership=smg-brisbane")
    page.locator("form.form-grid button.button[type='submit']").click()
    page.wait_for_selector(".form-error")
    found.extend(problems_here(page, "new activity, refused"))
    page.goto(f"{base_url}/staff/activities/{REFERENCE}/participants/")
    page.fill("#id_participants_local", "99")
    page.fill("#id_rows-1-count", "-1")
    page.locator("#participants-form button.button[type='submit']:not([name])").click()
    page.wait_for_selector("#id_rows-1-count[aria-invalid='true']")
    found.extend(problems_here(page, "participants, refused"))
    return found


def test_every_page_passes_axe_and_fits_a_phone(
    live_server: Any, browser: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    officer, params = seed()
    pages: dict[str, list[str]] = {"public": [], "citizen": [], "staff": []}
    for name, route in routes():
        if name in NOT_PAGES:
            continue
        path = page_path(route, params)
        who = "public" if name in PUBLIC else "citizen" if name in CITIZEN else "staff"
        pages[who].append(path)
    assert len(pages["public"]) >= 6 and len(pages["staff"]) >= 20
    # Search and calendar with something in them, not only their empty states.
    pages["public"] += ["/search/?q=guru", "/calendar/?month=2024-03"]

    found: list[str] = []
    csp: list[str] = []
    for who, paths in pages.items():
        context = browser.new_context(locale="id-ID", viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        csp.extend(watch_csp(page))
        if who == "staff":
            sign_in(page, live_server.url, officer.username, "/staff/")
        if who == "citizen":
            citizen_session(context, live_server.url)
        for path in paths:
            found.extend(problems_on(page, live_server.url + path))
            if who == "public":
                page.set_viewport_size(SMALL_PHONE)
                scroll_width, inner_width = page.evaluate(SCROLL_WIDTH)
                if scroll_width > inner_width:
                    found.append(f"{path}: scrolls sideways at 360 px ({scroll_width})")
                page.set_viewport_size(PHONE)
        if who == "staff":
            found.extend(refused_forms(page, live_server.url))
        context.close()
    assert found == [], "\n".join(found)
    assert csp == []
