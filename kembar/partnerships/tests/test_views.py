"""The staff area: who sees what, and every action through the real views.

The client speaks English (the language cookie) so that messages are
asserted exactly whatever the state of the Indonesian catalogue; one test
checks that Indonesian stays the default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.geo.models import Country
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    Condition,
    ConditionCheck,
    CooperationPlan,
    DocumentKind,
    InboundRequest,
    LifecycleState,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import (
    FocusAreaFactory,
    PartnershipEventFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db


def tiny_pdf(text: str = "Rencana kerja sama") -> bytes:
    """A small valid one-page PDF, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lifecycle() -> None:
    lifecycle_seed_apply(lifecycle_read(django_settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))


@dataclass(frozen=True, slots=True)
class People:
    officer: User
    officer2: User
    council: User
    leadership: User
    partner: User
    magelang: User
    admin: User
    no_role: User


@pytest.fixture
def orgs() -> StandardOrganisations:
    return standard_organisations()


@pytest.fixture
def people(orgs: StandardOrganisations) -> People:
    def person(username: str, role: str, organisation: Any) -> User:
        return UserFactory.create(
            username=username,
            first_name=username.capitalize(),
            last_name="Tester",
            role=role,
            organisation=organisation,
        )

    return People(
        officer=person("siti", Role.COOPERATION_OFFICER, orgs.semarang),
        officer2=person("budi", Role.COOPERATION_OFFICER, orgs.semarang),
        council=person("dewi", Role.COUNCIL_MEMBER, orgs.dprd_semarang),
        leadership=person("walikota", Role.LEADERSHIP, orgs.semarang),
        partner=person("jane", Role.PARTNER_COUNTERPART, orgs.partner_government),
        magelang=person("agus", Role.COOPERATION_OFFICER, orgs.magelang),
        admin=person("admin", Role.ADMINISTRATOR, None),
        no_role=person("tamu", "", orgs.semarang),
    )


@dataclass(frozen=True, slots=True)
class Partnerships:
    brisbane: Partnership
    beihai: Partnership
    magelang: Partnership


def state(code: str) -> LifecycleState:
    return LifecycleState.objects.get(code=code)


@pytest.fixture
def partnerships(orgs: StandardOrganisations, lifecycle: None) -> Partnerships:
    china = CountryFactory.create(iso2="CN", iso3="CHN", name_en="China", name_id="Tiongkok")
    australia = Country.objects.get(iso2="AU")
    Country.objects.filter(iso2="AU").update(name_en="Australia", name_id="Australia")
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=orgs.partner_city,
        partner_country=australia,
        partner_region_name="Queensland",
        state=state("letter_of_intent"),
        initiated_by="local",
    )
    brisbane.focus_areas.set([FocusAreaFactory.create()])
    beihai = PartnershipFactory.create(
        slug="smg-beihai",
        partner_city=CityFactory.create(name="Beihai", country=china),
        partner_country=china,
        relationship_type="friendship_city",
        state=state("active"),
    )
    magelang = PartnershipFactory.create(
        slug="mgl-townsville",
        local_region=RegionFactory.create(kode="33.71"),
        partner_city=CityFactory.create(name="Townsville", country=australia),
        partner_country=australia,
        state=state("exploration"),
    )
    return Partnerships(brisbane=brisbane, beihai=beihai, magelang=magelang)


def as_user(user: User) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def add_document(
    partnership: Partnership,
    kind: str,
    uploader: User,
    *,
    content: bytes = b"",
    valid_until: dt.date | None = None,
) -> PartnershipDocument:
    """A stored document, written directly: these tests are about views, not uploads."""
    content = content or tiny_pdf(kind)
    document = PartnershipDocument(
        partnership=partnership,
        kind=DocumentKind.objects.get(code=kind),
        title=f"{kind} Semarang–{partnership.partner_name}",
        language="id+en",
        signed_on=dt.date(2025, 1, 10) if valid_until else None,
        valid_from=dt.date(2025, 1, 10) if valid_until else None,
        valid_until=valid_until,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        uploaded_by=uploader,
        uploaded_at=timezone.now(),
    )
    document.file.save(f"{kind}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def slugs(response: Any) -> list[str]:
    return [partnership.slug for partnership in response.context["page"].object_list]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/"


def test_anonymous_detail_is_sent_to_the_login_page(
    client: Client, partnerships: Partnerships
) -> None:
    response = client.get("/staff/partnerships/smg-brisbane/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/partnerships/smg-brisbane/"


def test_signed_in_user_without_a_role_is_forbidden(people: People) -> None:
    assert as_user(people.no_role).get("/staff/").status_code == 403


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", ["smg-beihai", "smg-brisbane"]),
        ("council", ["smg-beihai", "smg-brisbane"]),
        ("leadership", ["smg-beihai", "smg-brisbane"]),
        ("partner", ["smg-brisbane"]),
        ("magelang", ["mgl-townsville"]),
        ("admin", ["smg-beihai", "smg-brisbane", "mgl-townsville"]),
    ],
)
def test_list_shows_only_what_the_user_may_see(
    people: People, partnerships: Partnerships, who: str, expected: list[str]
) -> None:
    response = as_user(getattr(people, who)).get("/staff/")

    assert response.status_code == 200
    assert slugs(response) == expected
    html = response.content.decode()
    assert html.count("<tr data-slug=") == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["smg-beihai", "smg-brisbane"]),
        ({"state": "letter_of_intent"}, ["smg-brisbane"]),
        ({"country": "CN"}, ["smg-beihai"]),
        ({"relationship_type": "friendship_city"}, ["smg-beihai"]),
        ({"focus_area": "education"}, ["smg-brisbane"]),
        ({"q": "BRIS"}, ["smg-brisbane"]),
        ({"q": "smg-bei"}, ["smg-beihai"]),
        ({"sort": "-partner"}, ["smg-brisbane", "smg-beihai"]),
        ({"sort": "country"}, ["smg-brisbane", "smg-beihai"]),
        ({"sort": "-stage"}, ["smg-beihai", "smg-brisbane"]),
        # An unknown value is dropped, not an error: all rows, default order.
        ({"state": "nowhere", "sort": "password"}, ["smg-beihai", "smg-brisbane"]),
    ],
)
def test_list_filters_and_sorts(
    people: People, partnerships: Partnerships, query: dict[str, str], expected: list[str]
) -> None:
    response = as_user(people.officer).get("/staff/", query)

    assert response.status_code == 200
    assert slugs(response) == expected


def test_expiring_filter_finds_agreements_ending_within_180_days_or_expired(
    people: People, partnerships: Partnerships
) -> None:
    today = timezone.localdate()
    add_document(
        partnerships.beihai, "mou", people.officer, valid_until=today + dt.timedelta(days=90)
    )
    add_document(
        partnerships.brisbane, "mou", people.officer, valid_until=today + dt.timedelta(days=400)
    )
    client = as_user(people.officer)

    response = client.get("/staff/", {"expiring": "on"})

    assert slugs(response) == ["smg-beihai"]
    row = response.content.decode().split('data-slug="smg-beihai"')[1].split("</tr>")[0]
    assert 'class="flag flag--expiring"' in row
    PartnershipDocument.objects.filter(partnership=partnerships.brisbane).update(
        valid_until=today - dt.timedelta(days=1)
    )
    assert slugs(client.get("/staff/", {"expiring": "on"})) == ["smg-beihai", "smg-brisbane"]


def test_list_by_htmx_renders_only_the_results(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.officer).get(
        "/staff/", {"country": "CN"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count("<tr data-slug=") == 1
    assert "HX-Request" in response["Vary"]


def test_list_without_htmx_is_the_whole_page_with_the_filters(
    people: People, partnerships: Partnerships
) -> None:
    html = as_user(people.officer).get("/staff/", {"country": "CN"}).content.decode()

    assert "<html" in html
    assert 'hx-push-url="true"' in html
    assert '<option value="CN" selected>China</option>' in html


def test_list_empty_states(people: People, partnerships: Partnerships) -> None:
    client = as_user(people.officer)

    filtered = client.get("/staff/", {"q": "atlantis"}).content.decode()
    assert "No partnership matches these filters." in filtered
    Partnership.objects.all().delete()
    assert "There are no partnerships you may see yet." in client.get("/staff/").content.decode()


def test_list_pages_25_rows_keeping_the_filters(people: People, partnerships: Partnerships) -> None:
    for number in range(26):
        PartnershipFactory.create(
            slug=f"smg-extra-{number:02d}", partner_name=f"Extra {number:02d}"
        )
    client = as_user(people.officer)

    first = client.get("/staff/", {"q": "extra"})
    second = client.get("/staff/", {"q": "extra", "page": "2"})

    assert len(slugs(first)) == 25
    assert slugs(second) == ["smg-extra-25"]
    assert 'href="?q=extra&amp;page=2"' in first.content.decode()


def test_list_queries_do_not_grow_with_rows(people: People, partnerships: Partnerships) -> None:
    client = as_user(people.officer)
    client.get("/staff/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/")
    for number in range(10):
        PartnershipFactory.create(slug=f"smg-more-{number}").focus_areas.add(
            FocusAreaFactory.create()
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/")

    assert len(slugs(response)) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_indonesian_is_the_default(people: People, partnerships: Partnerships) -> None:
    client = Client()
    client.force_login(people.officer)

    html = client.get("/staff/partnerships/smg-brisbane/").content.decode()

    assert '<html lang="id">' in html
    assert "Pernyataan kehendak" in html


# --- Detail -------------------------------------------------------------------------------------


def test_detail_for_an_officer_has_every_action(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.officer).get("/staff/partnerships/smg-brisbane/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="stage stage--letter_of_intent" id="partnership-stage">' in html
    assert 'href="/staff/partnerships/smg-brisbane/edit/"' in html
    assert 'action="/staff/partnerships/smg-brisbane/documents/"' in html
    assert 'action="/staff/partnerships/smg-brisbane/conditions/"' in html
    assert 'action="/staff/partnerships/smg-brisbane/plan/"' in html
    options = {
        option.transition.target.code: option.blockers for option in response.context["options"]
    }
    assert options == {
        "cooperation_plan": ["Document missing: Letter of intent (LoI)."],
        "terminated": [],
    }
    assert "<li>Document missing: Letter of intent (LoI).</li>" in html
    # Only the allowed move has a form.
    assert html.count('action="/staff/partnerships/smg-brisbane/transition/"') == 1
    assert 'name="target" value="terminated"' in html


def test_council_member_sees_the_detail_without_any_action(
    people: People, partnerships: Partnerships
) -> None:
    response = as_user(people.council).get("/staff/partnerships/smg-brisbane/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Brisbane" in html
    assert "/edit/" not in html
    assert "/transition/" not in html
    assert "/documents/" not in html
    assert "/conditions/" not in html
    assert "/plan/" not in html
    assert response.context["options"] == []


def test_detail_queries_do_not_grow_with_documents_and_events(
    people: People, partnerships: Partnerships
) -> None:
    client = as_user(people.officer)
    add_document(partnerships.brisbane, "loi", people.officer)
    client.get("/staff/partnerships/smg-brisbane/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/partnerships/smg-brisbane/")
    for kind in ("expert_study", "regional_potential", "full_powers"):
        add_document(partnerships.brisbane, kind, people.officer2)
    for year in (2015, 2016, 2017):
        PartnershipEventFactory.create(
            partnership=partnerships.brisbane, date=dt.date(year, 1, 1), date_precision="year"
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/partnerships/smg-brisbane/")

    assert len(response.context["documents"]) == 4
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("who", "slug"),
    [("magelang", "smg-brisbane"), ("partner", "smg-beihai"), ("officer", "mgl-townsville")],
)
def test_detail_of_a_partnership_the_user_may_not_see_is_404(
    people: People, partnerships: Partnerships, who: str, slug: str
) -> None:
    assert as_user(getattr(people, who)).get(f"/staff/partnerships/{slug}/").status_code == 404


def test_timeline_merges_events_transitions_documents_and_audit_oldest_first(
    people: People, partnerships: Partnerships
) -> None:
    partnership = partnerships.brisbane
    PartnershipEventFactory.create(
        partnership=partnership,
        date=dt.date(2019, 5, 1),
        date_precision="month",
        kind="exploration",
    )
    add_document(partnership, "loi", people.officer)
    client = as_user(people.officer)
    client.post(
        "/staff/partnerships/smg-brisbane/transition/",
        {"target": "cooperation_plan", "reason": "LoI signed in March"},
    )
    as_user(people.officer2).post(
        f"/staff/transitions/{TransitionRecord.objects.get().pk}/approve/", {"note": "Agreed"}
    )

    response = client.get("/staff/partnerships/smg-brisbane/")

    timeline = response.context["timeline"]
    assert [(entry.kind, entry.title) for entry in timeline] == [
        ("event", "exploration"),
        ("history", "Record created"),
        ("history", "Record changed: focus areas"),
        ("document", "Letter of intent (LoI) uploaded: loi Semarang–Brisbane, version 1"),
        ("transition", "Letter of intent → Cooperation plan"),
        ("history", "Record changed: stage"),
    ]
    assert timeline[0].date_label == "May 2019"
    transition = timeline[4]
    assert (transition.status_label, transition.actor, transition.reason) == (
        "applied",
        "Siti Tester",
        "LoI signed in March",
    )
    assert (transition.approver, transition.note) == ("Budi Tester", "Agreed")
    assert (timeline[5].actor, timeline[5].reason) == (
        "Budi Tester",
        "letter_of_intent → cooperation_plan: LoI signed in March",
    )
    html = response.content.decode()
    assert "May 2019" in html
    assert "decided by Budi Tester" in html


# --- Transitions --------------------------------------------------------------------------------


def test_refused_transition_shows_its_reasons_and_changes_nothing(
    people: People, partnerships: Partnerships
) -> None:
    response = as_user(people.officer).post(
        "/staff/partnerships/smg-brisbane/transition/",
        {"target": "cooperation_plan", "reason": "ready"},
        follow=True,
    )

    assert response.redirect_chain == [("/staff/partnerships/smg-brisbane/", 302)]
    assert messages_of(response) == ["Document missing: Letter of intent (LoI)."]
    assert 'class="message message--error" role="alert">Document missing' in (
        response.content.decode()
    )
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.state == state("letter_of_intent")
    assert partnerships.brisbane.version == 1
    assert TransitionRecord.objects.count() == 0


def test_allowed_transition_applies(people: People, partnerships: Partnerships) -> None:
    partnership = PartnershipFactory.create(
        slug="smg-new", state=state("initiative"), initiated_by="partner"
    )

    response = as_user(people.officer).post(
        "/staff/partnerships/smg-new/transition/",
        {"target": "exploration", "reason": "Letter from the partner"},
        follow=True,
    )

    assert messages_of(response) == ["The partnership moved to Exploration."]
    partnership.refresh_from_db()
    assert partnership.state == state("exploration")
    assert partnership.version == 2
    record = TransitionRecord.objects.get()
    assert (record.status, record.actor, record.reason) == (
        "applied",
        people.officer,
        "Letter from the partner",
    )


def test_transition_needs_the_permission(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.council).post(
        "/staff/partnerships/smg-brisbane/transition/", {"target": "terminated", "reason": "x"}
    )

    assert response.status_code == 403
    assert TransitionRecord.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/staff/partnerships/smg-brisbane/transition/",
        "/staff/partnerships/smg-brisbane/documents/",
        "/staff/partnerships/smg-brisbane/conditions/",
        "/staff/partnerships/smg-brisbane/plan/",
    ],
)
def test_actions_are_post_only(people: People, partnerships: Partnerships, url: str) -> None:
    assert as_user(people.officer).get(url).status_code == 405


def test_maker_checker(people: People, partnerships: Partnerships) -> None:
    add_document(partnerships.brisbane, "loi", people.officer)
    maker = as_user(people.officer)

    proposed = maker.post(
        "/staff/partnerships/smg-brisbane/transition/",
        {"target": "cooperation_plan", "reason": "LoI signed"},
        follow=True,
    )

    assert messages_of(proposed) == [
        "The move to Cooperation plan now awaits approval by a second person."
    ]
    record = TransitionRecord.objects.get()
    assert record.status == "pending"
    html = proposed.content.decode()
    assert '<span class="pill pill--pending">awaiting approval</span>' in html
    assert f"/staff/transitions/{record.pk}/approve/" not in html

    own = maker.post(f"/staff/transitions/{record.pk}/approve/", {"note": ""}, follow=True)

    assert messages_of(own) == ["A different person must approve a move you proposed."]
    record.refresh_from_db()
    assert record.status == "pending"
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.state == state("letter_of_intent")

    council = as_user(people.council).post(
        f"/staff/transitions/{record.pk}/approve/", {"note": ""}, follow=True
    )
    assert messages_of(council) == ["Your role may not approve this move."]

    checker = as_user(people.officer2)
    page = checker.get("/staff/partnerships/smg-brisbane/").content.decode()
    assert f'action="/staff/transitions/{record.pk}/approve/"' in page
    assert f'formaction="/staff/transitions/{record.pk}/reject/"' in page

    approved = checker.post(
        f"/staff/transitions/{record.pk}/approve/", {"note": "Checked the LoI"}, follow=True
    )

    assert messages_of(approved) == ["Approved: the partnership moved to Cooperation plan."]
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.state == state("cooperation_plan")
    record.refresh_from_db()
    assert (record.status, record.approver, record.decision_note) == (
        "applied",
        people.officer2,
        "Checked the LoI",
    )
    assert '<strong class="stage stage--cooperation_plan" id="partnership-stage">' in (
        approved.content.decode()
    )


def test_rejection_needs_a_note_and_keeps_the_stage(
    people: People, partnerships: Partnerships
) -> None:
    add_document(partnerships.brisbane, "loi", people.officer)
    as_user(people.officer).post(
        "/staff/partnerships/smg-brisbane/transition/", {"target": "cooperation_plan"}
    )
    record = TransitionRecord.objects.get()
    checker = as_user(people.leadership)

    empty = checker.post(f"/staff/transitions/{record.pk}/reject/", {"note": " "}, follow=True)
    assert messages_of(empty) == ["Give a reason for rejecting."]
    rejected = checker.post(
        f"/staff/transitions/{record.pk}/reject/", {"note": "LoI unsigned"}, follow=True
    )

    assert messages_of(rejected) == ["Rejected: the partnership stays at Letter of intent."]
    record.refresh_from_db()
    assert (record.status, record.approver, record.decision_note) == (
        "rejected",
        people.leadership,
        "LoI unsigned",
    )
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.state == state("letter_of_intent")


def test_decision_on_a_partnership_the_user_may_not_see_is_404(
    people: People, partnerships: Partnerships
) -> None:
    add_document(partnerships.brisbane, "loi", people.officer)
    as_user(people.officer).post(
        "/staff/partnerships/smg-brisbane/transition/", {"target": "cooperation_plan"}
    )
    record = TransitionRecord.objects.get()

    response = as_user(people.magelang).post(f"/staff/transitions/{record.pk}/approve/")

    assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == "pending"


# --- Edit ----------------------------------------------------------------------------------------


def edit_data(partnership: Partnership, **changes: Any) -> dict[str, Any]:
    data = {
        "partner_name": partnership.partner_name,
        "partner_region_name": partnership.partner_region_name,
        "relationship_type": partnership.relationship_type,
        "initiated_by": partnership.initiated_by,
        "consultation_recorded_on": "",
        "sources": partnership.sources,
        "focus_areas": [area.pk for area in partnership.focus_areas.all()],
        "version": partnership.version,
    }
    if partnership.is_public:
        data["is_public"] = "on"
    data.update(changes)
    return data


def test_edit_saves_and_raises_the_version(people: People, partnerships: Partnerships) -> None:
    client = as_user(people.officer)
    form = client.get("/staff/partnerships/smg-brisbane/edit/")
    assert form.status_code == 200
    assert '<input type="hidden" name="version" value="1"' in form.content.decode()

    response = client.post(
        "/staff/partnerships/smg-brisbane/edit/",
        edit_data(partnerships.brisbane, partner_name="Brisbane City", is_public="on"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/partnerships/smg-brisbane/"
    partnerships.brisbane.refresh_from_db()
    assert (partnerships.brisbane.partner_name, partnerships.brisbane.is_public) == (
        "Brisbane City",
        True,
    )
    assert partnerships.brisbane.version == 2


def test_edit_conflict_keeps_both_sides(people: People, partnerships: Partnerships) -> None:
    first, second = as_user(people.officer), as_user(people.officer2)
    base = edit_data(partnerships.brisbane)
    assert first.get("/staff/partnerships/smg-brisbane/edit/").status_code == 200
    assert second.get("/staff/partnerships/smg-brisbane/edit/").status_code == 200
    saved = first.post(
        "/staff/partnerships/smg-brisbane/edit/", {**base, "partner_name": "Brisbane City"}
    )
    assert saved.status_code == 302

    response = second.post(
        "/staff/partnerships/smg-brisbane/edit/",
        {**base, "partner_name": "Kota Brisbane", "relationship_type": "friendship_city"},
    )

    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert conflict["changed_by"] == "Siti Tester"
    assert conflict["rows"] == [
        {
            "label": "partner name",
            "base": "Brisbane",
            "current": "Brisbane City",
            "yours": "Kota Brisbane",
        }
    ]
    html = response.content.decode()
    assert 'id="conflict"' in html
    assert "<td>Brisbane</td><td>Brisbane City</td><td>Kota Brisbane</td>" in html
    assert '<input type="hidden" name="version" value="2"' in html
    assert 'name="partner_name" value="Kota Brisbane"' in html
    partnerships.brisbane.refresh_from_db()
    assert (partnerships.brisbane.partner_name, partnerships.brisbane.relationship_type) == (
        "Brisbane City",
        "sister_city",
    )
    assert partnerships.brisbane.version == 2

    overwritten = second.post(
        "/staff/partnerships/smg-brisbane/edit/",
        {**base, "partner_name": "Kota Brisbane", "version": 2},
    )

    assert overwritten.status_code == 302
    partnerships.brisbane.refresh_from_db()
    assert (partnerships.brisbane.partner_name, partnerships.brisbane.version) == (
        "Kota Brisbane",
        3,
    )


def test_edit_validation_errors_in_the_users_language(
    people: People, partnerships: Partnerships
) -> None:
    data = edit_data(partnerships.brisbane, partner_name="", relationship_type="twin")
    english = as_user(people.officer)
    indonesian = Client()
    indonesian.force_login(people.officer)

    response = english.post("/staff/partnerships/smg-brisbane/edit/", data)
    in_indonesian = indonesian.post("/staff/partnerships/smg-brisbane/edit/", data)

    assert (response.status_code, in_indonesian.status_code) == (400, 400)
    html = response.content.decode()
    assert "<li>This field is required.</li>" in html
    assert "<li>Select a valid choice. twin is not one of the available choices.</li>" in html
    indonesian_html = in_indonesian.content.decode()
    assert "<li>Bidang ini harus diisi.</li>" in indonesian_html
    assert (
        "<li>Masukkan pilihan yang valid. twin bukan salah satu dari pilihan yang tersedia.</li>"
        in indonesian_html
    )
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.partner_name == "Brisbane"


@pytest.mark.parametrize(("who", "status"), [("council", 403), ("magelang", 404)])
def test_edit_needs_the_permission(
    people: People, partnerships: Partnerships, who: str, status: int
) -> None:
    client = as_user(getattr(people, who))
    data = edit_data(partnerships.brisbane, partner_name="Hacked")

    assert client.get("/staff/partnerships/smg-brisbane/edit/").status_code == status
    assert client.post("/staff/partnerships/smg-brisbane/edit/", data).status_code == status
    partnerships.brisbane.refresh_from_db()
    assert partnerships.brisbane.partner_name == "Brisbane"


# --- Documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("council", 200), ("partner", 200), ("admin", 200), ("magelang", 404)],
)
def test_document_download_is_permission_checked(
    people: People, partnerships: Partnerships, who: str, status: int
) -> None:
    content = tiny_pdf("LoI")
    document = add_document(partnerships.brisbane, "loi", people.officer, content=content)

    response = as_user(getattr(people, who)).get(f"/staff/documents/{document.pk}/download/")

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="loi.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]


def test_document_download_for_anonymous_goes_to_login(
    client: Client, people: People, partnerships: Partnerships
) -> None:
    document = add_document(partnerships.brisbane, "loi", people.officer)

    response = client.get(f"/staff/documents/{document.pk}/download/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_upload_through_the_form(people: People, partnerships: Partnerships) -> None:
    client = as_user(people.officer)

    response = client.post(
        "/staff/partnerships/smg-brisbane/documents/",
        {
            "kind": "cooperation_plan",
            "title": "Rencana kerja sama Semarang–Brisbane",
            "language": "id",
            "file": SimpleUploadedFile("plan.pdf", tiny_pdf(), content_type="application/pdf"),
        },
        follow=True,
    )

    assert messages_of(response) == ["Uploaded Rencana kerja sama Semarang–Brisbane (version 1)."]
    document = PartnershipDocument.objects.get()
    assert (document.kind.code, document.version, document.uploaded_by) == (
        "cooperation_plan",
        1,
        people.officer,
    )
    assert f'href="/staff/documents/{document.pk}/download/"' in response.content.decode()


def test_rejected_upload_shows_why_and_stores_nothing(
    people: People, partnerships: Partnerships
) -> None:
    response = as_user(people.officer).post(
        "/staff/partnerships/smg-brisbane/documents/",
        {
            "kind": "cooperation_plan",
            "title": "Plan",
            "language": "id",
            "file": SimpleUploadedFile("plan.pdf", b"not a pdf at all"),
        },
    )

    assert response.status_code == 400
    assert response.context["upload_form"].errors == {
        "__all__": [
            "The file's content is not a PDF; save or scan the document as PDF "
            "and upload that file."
        ]
    }
    assert PartnershipDocument.objects.count() == 0


def test_upload_needs_the_permission(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.council).post(
        "/staff/partnerships/smg-brisbane/documents/",
        {
            "kind": "loi",
            "title": "LoI",
            "language": "id",
            "file": SimpleUploadedFile("loi.pdf", tiny_pdf()),
        },
    )

    assert response.status_code == 403
    assert PartnershipDocument.objects.count() == 0


# --- Conditions and cooperation plan -------------------------------------------------------------


def test_conditions_checklist_is_recorded(people: People, partnerships: Partnerships) -> None:
    data = {f"met_{code}": "on" for code in Condition.values}
    data["met_no_office_abroad"] = ""
    data["note_diplomatic_relations"] = "Since 1959"

    response = as_user(people.officer).post(
        "/staff/partnerships/smg-brisbane/conditions/", data, follow=True
    )

    assert messages_of(response) == ["The conditions checklist is saved."]
    checks = {
        check.condition: (check.met, check.note, check.checked_by)
        for check in ConditionCheck.objects.all()
    }
    assert len(checks) == len(Condition.values)
    assert checks["diplomatic_relations"] == (True, "Since 1959", people.officer)
    assert checks["no_office_abroad"] == (False, "", people.officer)


def test_cooperation_plan_is_saved_and_checked(people: People, partnerships: Partnerships) -> None:
    contents = {name: f"The {name}" for name in CooperationPlan.CONTENTS}
    client = as_user(people.officer)

    partial = client.post(
        "/staff/partnerships/smg-brisbane/plan/", {**contents, "period_start": "2026-01-01"}
    )
    assert partial.status_code == 302
    page = client.get("/staff/partnerships/smg-brisbane/")
    assert page.context["plan_missing"] == ["implementation period"]

    bad = client.post(
        "/staff/partnerships/smg-brisbane/plan/",
        {**contents, "period_start": "2026-01-01", "period_end": "2025-01-01"},
    )
    assert bad.status_code == 400
    assert bad.context["plan_form"].errors == {
        "period_end": ["The implementation period must end after it starts."]
    }

    client.post(
        "/staff/partnerships/smg-brisbane/plan/",
        {**contents, "period_start": "2026-01-01", "period_end": "2030-12-31"},
    )
    plan = CooperationPlan.objects.get(partnership=partnerships.brisbane)
    assert plan.missing_contents() == []
    assert plan.period_end == dt.date(2030, 12, 31)


def test_plan_needs_the_permission(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.council).post(
        "/staff/partnerships/smg-brisbane/plan/", {"subject": "x"}
    )

    assert response.status_code == 403
    assert CooperationPlan.objects.count() == 0


# --- Inbound requests ----------------------------------------------------------------------------


@pytest.fixture
def inbound(people: People, partnerships: Partnerships, orgs: StandardOrganisations) -> Any:
    return InboundRequest.objects.create(
        local_region_id="33.74",
        partner_city=CityFactory.create(name="Perth", country=Country.objects.get(iso2="AU")),
        partner_name="Perth",
        partner_country_id="AU",
        received_on=dt.date(2026, 2, 1),
        subject="Sister-city proposal",
    )


def test_request_list_and_status_filter(people: People, inbound: InboundRequest) -> None:
    client = as_user(people.officer)

    assert list(client.get("/staff/requests/").context["page"].object_list) == [inbound]
    assert list(client.get("/staff/requests/", {"status": "declined"}).context["page"]) == []
    assert list(as_user(people.magelang).get("/staff/requests/").context["page"]) == []


@pytest.mark.parametrize("who", ["council", "partner", "leadership"])
def test_requests_need_the_permission(people: People, inbound: InboundRequest, who: str) -> None:
    client = as_user(getattr(people, who))

    assert client.get("/staff/requests/").status_code == 403
    assert client.post(f"/staff/requests/{inbound.pk}/accept/").status_code == 403
    inbound.refresh_from_db()
    assert inbound.status == "received"


def test_request_of_another_region_is_404(people: People, inbound: InboundRequest) -> None:
    client = as_user(people.magelang)

    assert client.get(f"/staff/requests/{inbound.pk}/").status_code == 404
    assert client.post(f"/staff/requests/{inbound.pk}/accept/").status_code == 404
    inbound.refresh_from_db()
    assert inbound.status == "received"


def test_request_is_recorded_through_the_form(people: People, partnerships: Partnerships) -> None:
    client = as_user(people.officer)
    form = client.get("/staff/requests/new/")
    assert form.status_code == 200

    response = client.post(
        "/staff/requests/new/",
        {
            "local_region": "33.74",
            "partner_name": "Beihai",
            "partner_country": "CN",
            "partner_city": str(partnerships.beihai.partner_city_id),
            "received_on": "2026-03-01",
            "channel": "Embassy letter",
            "subject": "Trade cooperation",
            "description": "",
        },
    )

    inbound = InboundRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/requests/{inbound.pk}/"
    assert (inbound.local_region_id, inbound.partner_city_id, inbound.status) == (
        "33.74",
        partnerships.beihai.partner_city_id,
        "received",
    )


def test_request_for_another_region_is_refused(people: People, partnerships: Partnerships) -> None:
    response = as_user(people.officer).post(
        "/staff/requests/new/",
        {
            "local_region": "33.71",
            "partner_name": "Beihai",
            "partner_country": "CN",
            "received_on": "2026-03-01",
            "subject": "Trade cooperation",
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["local_region"]
    assert InboundRequest.objects.count() == 0


def test_request_review_then_accept_opens_an_exploration(
    people: People, inbound: InboundRequest
) -> None:
    client = as_user(people.officer)

    reviewed = client.post(f"/staff/requests/{inbound.pk}/review/", follow=True)
    assert messages_of(reviewed) == ["The request is now in review."]
    accepted = client.post(f"/staff/requests/{inbound.pk}/accept/", follow=True)

    inbound.refresh_from_db()
    partnership = inbound.partnership
    assert partnership is not None
    assert messages_of(accepted) == [
        "Accepted: the partnership Perth is open at the exploration stage."
    ]
    assert (inbound.status, inbound.person_in_charge) == ("accepted", people.officer)
    assert (partnership.state, partnership.local_region_id, partnership.is_public) == (
        state("exploration"),
        "33.74",
        False,
    )
    assert f'href="/staff/partnerships/{partnership.slug}/"' in accepted.content.decode()
    again = client.post(f"/staff/requests/{inbound.pk}/accept/", follow=True)
    assert messages_of(again) == ["This request is already decided."]
    assert Partnership.objects.filter(partner_name="Perth").count() == 1


def test_request_decline_needs_a_reason(people: People, inbound: InboundRequest) -> None:
    client = as_user(people.officer)

    empty = client.post(f"/staff/requests/{inbound.pk}/decline/", {"reason": ""})
    assert empty.status_code == 400
    assert empty.context["decline_form"].errors == {"reason": ["This field is required."]}
    inbound.refresh_from_db()
    assert inbound.status == "received"

    declined = client.post(
        f"/staff/requests/{inbound.pk}/decline/", {"reason": "No common ground"}, follow=True
    )

    assert messages_of(declined) == ["The request is declined."]
    inbound.refresh_from_db()
    assert (inbound.status, inbound.decline_reason) == ("declined", "No common ground")
    assert inbound.partnership is None
