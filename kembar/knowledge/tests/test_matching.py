"""Needs and offers: Semarang's practices sought, matched with the practices of other cities.

On the small world network of the network page tests: Semarang is twinned with
Brisbane (a partnership recorded in Kembar) and Fuzhou; Seattle, Kobe, Tacoma
and Daejeon are cities it could partner with next.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.network import network_cache_clear
from kembar.insights.tests.test_network_pages import (
    BRISBANE,
    DAEJEON,
    KOBE,
    SEATTLE,
    SEMARANG,
    TACOMA,
    make_world,
)
from kembar.knowledge.matching import learning_region, network_learning, region_matches
from kembar.knowledge.models import Practice
from kembar.knowledge.tests.test_views import signed_in
from kembar.partnerships.models import FocusArea
from kembar.partnerships.tests.factories import FocusAreaFactory, PartnershipFactory
from kembar.programs.models import GovernmentAffair, Sector
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db


@dataclass
class Setting:
    officer: User
    agency_officer: User
    leader: User
    partner: User
    magelang_officer: User
    flood: FocusArea
    culture: FocusArea
    public_works: GovernmentAffair
    construction: Sector
    need: Practice


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    network_cache_clear()
    yield
    network_cache_clear()


def _practice(region: str, city: int | None, direction: str, **fields: object) -> Practice:
    areas = fields.pop("focus_areas", [])
    practice = Practice.objects.create(
        region_id=region, partner_city_id=city, direction=direction, **fields
    )
    practice.focus_areas.set(areas)  # type: ignore[arg-type]
    return practice


@pytest.fixture
def setting() -> Setting:
    world = make_world()
    semarang = OrganisationFactory.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=RegionFactory.create(kode="33.74"),
    )
    agency = OrganisationFactory.create(
        slug="dpu-semarang", name="Dinas PU", kind=OrganisationKind.AGENCY, parent=semarang
    )
    magelang = OrganisationFactory.create(
        slug="pemkot-magelang",
        name="Pemerintah Kota Magelang",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=RegionFactory.create(kode="33.71", name="Kota Magelang"),
    )
    partner_government = OrganisationFactory.create(
        slug="brisbane-city-council",
        kind=OrganisationKind.PARTNER_GOVERNMENT,
        city=world.cities[BRISBANE],
    )
    PartnershipFactory.create(
        slug="smg-brisbane",
        partner_city=world.cities[BRISBANE],
        partner_country=world.cities[BRISBANE].country,
        is_public=False,
    )
    flood = FocusAreaFactory.create(
        slug="flood-control", name_id="Pengendalian banjir", name_en="Flood control"
    )
    culture = FocusAreaFactory.create(slug="culture", name_id="Budaya", name_en="Culture")
    public_works = GovernmentAffairFactory.create(
        code="1.03", name_id="Pekerjaan umum dan penataan ruang", name_en="Public works"
    )
    construction = SectorFactory.create(
        code=6, kbli_sections="F", name_id="Konstruksi", name_en="Construction"
    )
    need = _practice(
        "33.74",
        None,
        "sought",
        title_id="Pengendalian banjir rob",
        sector=construction,
        government_affair=public_works,
        focus_areas=[flood],
    )

    def user(name: str, role: str, organisation: object) -> User:
        return UserFactory.create(username=name, role=role, organisation=organisation)

    return Setting(
        officer=user("ani", Role.COOPERATION_OFFICER, semarang),
        agency_officer=user("budi", Role.AGENCY_OFFICER, agency),
        leader=user("lurah", Role.LEADERSHIP, semarang),
        partner=user("dave", Role.PARTNER_COUNTERPART, partner_government),
        magelang_officer=user("maya", Role.COOPERATION_OFFICER, magelang),
        flood=flood,
        culture=culture,
        public_works=public_works,
        construction=construction,
        need=need,
    )


def offers(s: Setting) -> dict[str, Practice]:
    """Brisbane (a partner) and Seattle offer flood control, Kobe culture; Magelang's own."""
    education = SectorFactory.create()
    return {
        "brisbane": _practice(
            "33.74",
            BRISBANE,
            "offered",
            title_id="Polder pengendalian",
            title_en="Flood control polders",
            sector=s.construction,
            government_affair=s.public_works,
            focus_areas=[s.flood],
        ),
        "seattle": _practice(
            "33.74",
            SEATTLE,
            "offered",
            title_id="Drainase air hujan",
            title_en="Stormwater drainage",
            sector=s.construction,
            government_affair=s.public_works,
        ),
        "kobe": _practice(
            "33.74",
            KOBE,
            "offered",
            title_id="Festival budaya",
            sector=education,
            government_affair=GovernmentAffairFactory.create(),
            focus_areas=[s.culture],
        ),
        "magelang": _practice(
            "33.71",
            DAEJEON,
            "offered",
            title_id="Pengendalian banjir kota",
            sector=s.construction,
            government_affair=s.public_works,
            focus_areas=[s.flood],
        ),
    }


# --- The matches ----------------------------------------------------------------------------


def test_partner_offers_first_with_their_reasons_other_regions_never(setting: Setting) -> None:
    recorded = offers(setting)
    with translation.override("en"):
        (need,) = region_matches("33.74")

    assert need.practice == setting.need
    assert [(o.practice, o.city.pk, o.is_partner) for o in need.partner_offers] == [
        (recorded["brisbane"], BRISBANE, True)
    ]
    assert [(o.practice, o.city.pk, o.is_partner) for o in need.network_offers] == [
        (recorded["seattle"], SEATTLE, False)
    ]
    brisbane, seattle = need.partner_offers[0], need.network_offers[0]
    # Field 3 + urusan 2 + sector 1 + ideas 3 * 2 shared / sqrt(2 * 5): the need speaks of
    # kendali and banjir, the offer of polder, kendali, flood (banjir's idea), control, polders.
    assert brisbane.score == pytest.approx(6.0 + 6 / 10**0.5, abs=1e-3)
    assert brisbane.score == 7.897
    assert brisbane.reasons == [
        "same field of cooperation: Flood control",
        "same government affair: Public works",
        "the same topic: banjir ≈ flood, pengendalian",
        "same sector: Construction",
    ]
    assert (seattle.score, seattle.reasons) == (
        3.0,
        ["same government affair: Public works", "same sector: Construction"],
    )
    assert need.left_out == 0
    # Magelang's matches come from Magelang's own records only: it seeks nothing.
    assert region_matches("33.71") == []


def test_matches_page_for_the_region_and_refused_to_partners(setting: Setting) -> None:
    offers(setting)
    page = signed_in(setting.agency_officer).get("/staff/knowledge/practices/matches/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-practice="') == 2
    assert "Polder pengendalian" not in html  # English page: the English title
    assert "Flood control polders" in html and "Stormwater drainage" in html
    assert "Festival budaya" not in html and "Pengendalian banjir kota" not in html
    assert "same field of cooperation: Flood control" in html
    assert f'href="/staff/insights/network/{SEMARANG}/"' in html
    indonesian = signed_in(setting.officer, "id").get("/staff/knowledge/practices/matches/")
    assert "bidang kerja sama yang sama: Pengendalian banjir" in indonesian.content.decode()
    assert signed_in(setting.partner).get("/staff/knowledge/practices/matches/").status_code == 403
    magelang = signed_in(setting.magelang_officer).get("/staff/knowledge/practices/matches/")
    assert 'id="matches-empty"' in magelang.content.decode()
    assert "Flood control polders" not in magelang.content.decode()


def test_practice_form_records_an_offer_of_a_network_city_and_edits_it(setting: Setting) -> None:
    client = signed_in(setting.officer)
    form = client.get(f"/staff/knowledge/practices/new/?city={SEATTLE}")
    html = form.content.decode()
    assert form.status_code == 200
    assert f'<option value="{SEATTLE}" selected>Seattle, US</option>' in html
    assert '<option value="offered" selected>' in html
    response = client.post(
        "/staff/knowledge/practices/new/",
        {
            "direction": "offered",
            "partner_city": SEATTLE,
            "title_id": "Taman hujan",
            "sector": setting.construction.pk,
            "government_affair": setting.public_works.pk,
            "focus_areas": [setting.flood.pk],
        },
    )
    assert response.status_code == 302
    offer = Practice.objects.get(title_id="Taman hujan")
    assert (offer.partner_city_id, [a.slug for a in offer.focus_areas.all()]) == (
        SEATTLE,
        ["flood-control"],
    )
    edit = client.get(f"/staff/knowledge/practices/{offer.pk}/edit/")
    assert edit.status_code == 200
    assert f'<option value="{SEATTLE}" selected>Seattle, US</option>' in edit.content.decode()
    changed = client.post(
        f"/staff/knowledge/practices/{offer.pk}/edit/",
        {
            "direction": "offered",
            "partner_city": SEATTLE,
            "title_id": "Taman hujan kota",
            "sector": setting.construction.pk,
            "government_affair": setting.public_works.pk,
            "focus_areas": [setting.flood.pk, setting.culture.pk],
        },
    )
    assert changed.status_code == 302
    offer.refresh_from_db()
    assert offer.title_id == "Taman hujan kota"
    assert sorted(a.slug for a in offer.focus_areas.all()) == ["culture", "flood-control"]
    # A row for each save and each change of the fields (the audit of m2m fields).
    history = offer.history.order_by("history_id")
    rows = [(h.title_id, sorted(a.focusarea.slug for a in h.focus_areas.all())) for h in history]
    assert rows == [
        ("Taman hujan", []),
        ("Taman hujan", ["flood-control"]),
        ("Taman hujan kota", ["flood-control"]),
        ("Taman hujan kota", ["culture", "flood-control"]),
    ]
    # Leadership sees the records but may not change them; another region's officer not at all.
    leader = signed_in(setting.leader)
    assert leader.get(f"/staff/knowledge/practices/{offer.pk}/edit/").status_code == 403
    magelang = signed_in(setting.magelang_officer)
    assert magelang.get(f"/staff/knowledge/practices/{offer.pk}/edit/").status_code == 404


def test_a_practice_without_its_topic_is_refused_in_the_users_language(setting: Setting) -> None:
    client = signed_in(setting.officer, "id")
    response = client.post(
        "/staff/knowledge/practices/new/",
        {"direction": "sought", "sector": setting.construction.pk},
    )
    assert response.status_code == 400
    assert "Bidang ini harus diisi." in response.content.decode()
    assert Practice.objects.count() == 1


# --- The network page -----------------------------------------------------------------------


def _order(html: str) -> list[int]:
    table = html.split('id="network-recommendations"')[1].split("</table>")[0]
    return [int(city) for city in re.findall(r'<tr data-city="(\d+)"', table)]


def test_network_page_uses_the_needs_and_says_who_offers_them(setting: Setting) -> None:
    offers(setting)
    Practice.objects.filter(partner_city_id=SEATTLE).get().focus_areas.set([setting.flood])
    public = Client().get(f"/insights/network/{SEMARANG}/", HTTP_ACCEPT_LANGUAGE="en")
    staff = signed_in(setting.officer).get(f"/staff/insights/network/{SEMARANG}/")
    public_html, staff_html = public.content.decode(), staff.content.decode()

    # The public page knows nothing of the region's records.
    assert _order(public_html) == [KOBE, DAEJEON, TACOMA, SEATTLE]
    assert "network-needs-from-records" not in public_html
    assert 'data-code="recorded_offer"' not in public_html
    # The staff page takes the needs of the practice sought, and Seattle's recorded offer.
    assert _order(staff_html) == [KOBE, SEATTLE, DAEJEON, TACOMA]
    assert 'id="network-needs-from-records"' in staff_html
    assert "Pengendalian banjir rob" in staff_html
    assert 'value="flood-control" id="id_needs_1" checked>' in staff_html
    assert 'value="culture" id="id_needs_0">' in staff_html
    seattle = staff_html.split(f'<tr data-city="{SEATTLE}">')[1].split("</tr>")[0]
    assert '<li data-code="know_how">known for Flood control</li>' in seattle
    assert (
        '<li data-code="recorded_offer">offers “Stormwater drainage” (recorded by our city)</li>'
        in seattle
    )
    assert f'href="/staff/knowledge/practices/new/?city={SEMARANG}"' in staff_html
    # Needs chosen by hand replace the records' needs.
    chosen = signed_in(setting.officer).get(
        f"/staff/insights/network/{SEMARANG}/", {"needs": "culture"}
    )
    assert "network-needs-from-records" not in chosen.content.decode()
    assert _order(chosen.content.decode()) == [KOBE, DAEJEON, TACOMA, SEATTLE]


def test_network_page_of_a_partner_counterpart_has_no_records(setting: Setting) -> None:
    offers(setting)
    assert learning_region(setting.partner) is None
    assert learning_region(setting.officer) == "33.74"
    html = signed_in(setting.partner).get(f"/staff/insights/network/{SEMARANG}/").content.decode()
    assert "network-needs-from-records" not in html
    assert 'data-code="recorded_offer"' not in html
    assert "network-record-practice" not in html
    learning = network_learning("33.74")
    assert (learning.needs, learning.known_for) == (
        ["flood-control"],
        {BRISBANE: ["flood-control"], KOBE: ["culture"]},
    )


# --- The API --------------------------------------------------------------------------------


def test_practices_with_their_fields_through_the_api(setting: Setting) -> None:
    client = APIClient()
    client.force_authenticate(setting.officer)
    body = {
        "direction": "offered",
        "partner_city": SEATTLE,
        "title_id": "Taman hujan",
        "sector": setting.construction.pk,
        "government_affair": setting.public_works.pk,
        "focus_areas": ["flood-control"],
    }
    created = client.post("/api/v1/knowledge/practices/", body, format="json")
    assert created.status_code == 201, created.content
    practice = created.json()
    assert (practice["partner_city"], practice["focus_areas"]) == (SEATTLE, ["flood-control"])
    url = f"/api/v1/knowledge/practices/{practice['id']}/"
    changed = client.patch(url, {"focus_areas": ["culture", "flood-control"]}, format="json")
    assert changed.json()["focus_areas"] == ["culture", "flood-control"]
    unknown = client.patch(url, {"focus_areas": ["no-such-field"]}, format="json")
    assert unknown.status_code == 400
    assert "no-such-field" in unknown.content.decode()
    assert client.get(url).json()["focus_areas"] == ["culture", "flood-control"]
    # The new offer answers Semarang's need at once.
    (need,) = region_matches("33.74")
    assert [offer.practice.pk for offer in need.network_offers] == [practice["id"]]
    partner = APIClient()
    partner.force_authenticate(setting.partner)
    assert partner.get(url).status_code == 403
    assert partner.post("/api/v1/knowledge/practices/", body, format="json").status_code == 403
