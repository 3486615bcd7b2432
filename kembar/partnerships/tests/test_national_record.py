"""The national starting record: Indonesian towns of the world twin-town list as partnerships.

Matching runs on the real shipped list and the real Kemendagri regions (the
session's ``reference_db``); the loader writes inside each test's transaction.
Reasons are asserted in English (``translation.override``), whatever the state
of the Indonesian catalogue.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import UserFactory
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import City, Region, TwinReviewRow
from kembar.partnerships import national
from kembar.partnerships.models import NationalReviewRow, Partnership, RecordOrigin
from kembar.partnerships.national import (
    Alias,
    RegionIndex,
    RegionName,
    load_national_record,
    match_place,
    national_rows_read,
)
from kembar.partnerships.services import partnership_confirm

LIST = (
    "World twin-town list (English Wikipedia lists of twin towns and sister cities, "
    "via github.com/Hekman/twincities): twin-towns/twin_cities_geocoded.csv"
)
NUSANTARA_REASON = (
    "Nusantara: not a region (curated): Nusantara, the new national capital (Ibu Kota "
    "Nusantara), is governed by the Otorita Ibu Kota Nusantara, not by a province, kabupaten "
    "or kota of the Kemendagri list"
)
KOTA_TUA_REASON = (
    "Kota Tua (Jakarta): not a region (curated): Kota Tua is Jakarta's historic old town, in "
    "Jakarta Barat and Jakarta Utara, not a region; the list does not say which government is "
    "party to the link (perhaps DKI Jakarta): a person must decide"
)


# --- The matching function, on made-up regions ---------------------------------------------------

INDEX = RegionIndex.of(
    [
        RegionName("32", "Jawa Barat", "province"),
        RegionName("32.04", "Kabupaten Bandung", "kabupaten"),
        RegionName("32.73", "Kota Bandung", "kota"),
        RegionName("34", "Daerah Istimewa Yogyakarta", "province"),
        RegionName("34.71", "Kota Yogyakarta", "kota"),
        RegionName("35.15", "Kabupaten Sidoarjo", "kabupaten"),
        RegionName("91.01", "Kabupaten Merauke", "kabupaten"),
        RegionName("99.01", "Kabupaten Merauke", "kabupaten"),
    ]
)
ALIASES = {
    "west java": Alias("West Java", "32", "province_english", "English name", "test"),
    "atlantis": Alias("Atlantis", "", "not_a_region", "a legend", "test"),
}


@pytest.mark.parametrize(
    ("name", "kode", "rule", "reason"),
    [
        (
            "Bandung",
            "32.73",
            "kota_over_kabupaten",
            "name of a kota (a kabupaten has the same name; the kota is the city)",
        ),
        # The list says which kind it means: the kabupaten is not weighed.
        ("Kota Bandung", "32.73", "kota", "name of a kota"),
        ("Bandung Regency", "32.04", "kabupaten", "name of a kabupaten"),
        ("Kabupaten Bandung", "32.04", "kabupaten", "name of a kabupaten"),
        (
            "Yogyakarta",
            "34.71",
            "kota_over_province",
            "name of a kota (a province has the same name; the kota is the city)",
        ),
        ("Sidoarjo", "35.15", "kabupaten", "name of a kabupaten"),
        ("Jawa Barat", "32", "province", "name of a province"),
        ("West Java", "32", "province_english", "English name of the province"),
    ],
)
def test_a_name_is_matched_with_its_reason(name: str, kode: str, rule: str, reason: str) -> None:
    match = match_place(name, index=INDEX, aliases=ALIASES)
    assert match.region is not None
    assert (match.region.kode, match.rule) == (kode, rule)
    with translation.override("en"):
        assert match.reason == reason


@pytest.mark.parametrize(
    ("name", "reason", "candidates"),
    [
        ("Atlantis", "not a region (curated): a legend", []),
        (
            "Merauke",
            "several regions bear this name: 91.01 Kabupaten Merauke, 99.01 Kabupaten Merauke",
            ["91.01", "99.01"],
        ),
        ("Sigli", "no province, kabupaten or kota of the Kemendagri list has this name", []),
        # "Kota ..." asks for a kota: Kabupaten Sidoarjo does not answer it.
        (
            "Kota Sidoarjo",
            "no province, kabupaten or kota of the Kemendagri list has this name",
            [],
        ),
    ],
)
def test_a_name_left_to_a_person_says_why(name: str, reason: str, candidates: list[str]) -> None:
    match = match_place(name, index=INDEX, aliases=ALIASES)
    assert match.region is None
    assert match.reason == reason
    assert [region.kode for region in match.candidates] == candidates


# --- The real list --------------------------------------------------------------------------------


def by_line() -> dict[int, national.NationalRow]:
    return {row.line: row for row in national_rows_read(django_settings.KEMBAR_DATA_DIR)}


@pytest.mark.django_db
@pytest.mark.slow
def test_the_shipped_list_counts(reference_db: None) -> None:
    rows = national_rows_read(django_settings.KEMBAR_DATA_DIR)
    assert len(rows) == 94
    assert len({row.town for row in rows}) == 35
    assert Counter(row.kind for row in rows if not row.review_reason) == {
        "kota": 66,
        "kabupaten": 5,
        "province": 21,
    }
    assert sorted(row.line for row in rows if row.review_reason) == [14541, 16917]
    assert (
        len({(row.match.region.kode, row.partner_city_id) for row in rows if row.match.region})
        == 91
    )


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize(
    ("line", "town", "kode", "region", "reason", "partner_city"),
    [
        (
            11024,
            "Bandung",
            "32.73",
            "Kota Bandung",
            "name of a kota (a kabupaten has the same name; the kota is the city)",
            2945024,  # Braunschweig
        ),
        (4917, "East Java", "35", "Jawa Timur", "English name of the province", 1796236),
        (
            14496,
            "Jakarta",
            "31",
            "Daerah Khusus Ibukota Jakarta",
            "Daerah Khusus Ibukota Jakarta is the province-level city (curated alias)",
            1609350,  # Bangkok
        ),
        (
            23770,
            "Sigli",
            "11.07",
            "Kabupaten Pidie",
            "seat of Kabupaten Pidie (curated alias)",
            740616,  # Pendik
        ),
        (22222, "Banten", "36", "Banten", "name of a province", 1843564),
        (23655, "Aceh", "11", "Aceh", "name of a province", 310859),
        (14544, "Siak", "14.08", "Kabupaten Siak", "name of a kabupaten", 1734759),
        (14546, "Subang", "32.13", "Kabupaten Subang", "name of a kabupaten", 1842944),
        (4635, "Sidoarjo", "35.15", "Kabupaten Sidoarjo", "name of a kabupaten", 1805753),
        (
            14529,
            "Yogyakarta",
            "34.71",
            "Kota Yogyakarta",
            "name of a kota (a province has the same name; the kota is the city)",
            1580240,  # Huế
        ),
        (14524, "Surabaya", "35.78", "Kota Surabaya", "name of a kota", 5809844),
    ],
)
def test_exact_matches_on_the_shipped_list(
    reference_db: None, line: int, town: str, kode: str, region: str, reason: str, partner_city: int
) -> None:
    row = by_line()[line]
    assert row.match.region is not None
    assert (row.town, row.match.region.kode, row.match.region.name) == (town, kode, region)
    assert (row.partner_city_id, row.review_reason) == (partner_city, "")
    with translation.override("en"):
        assert row.match.reason == reason


@pytest.mark.django_db
@pytest.mark.slow
def test_towns_that_are_no_region_go_to_review(reference_db: None) -> None:
    rows = by_line()
    assert (rows[14541].town, rows[14541].match.region) == ("Nusantara", None)
    assert rows[14541].review_reason == NUSANTARA_REASON
    assert rows[14541].partner_city_id is None
    assert rows[16917].review_reason == KOTA_TUA_REASON


# --- Loading -------------------------------------------------------------------------------------


def listed() -> Any:
    return Partnership.objects.filter(origin=RecordOrigin.WORLD_TWIN_LIST)


def record_snapshot() -> list[Any]:
    return [
        list(Partnership.objects.order_by("slug").values_list()),
        Partnership.history.count(),
        list(TwinReviewRow.objects.order_by("source", "line").values_list()),
    ]


@pytest.mark.django_db
@pytest.mark.slow
def test_the_load_creates_unverified_partnerships_and_keeps_semarang(reference_db: None) -> None:
    semarang_before = list(
        Partnership.objects.filter(local_region_id="33.74").order_by("slug").values_list()
    )

    result = load_national_record()

    assert result.as_dict() == {
        "rows": 94,
        "matched": {"kota": 66, "kabupaten": 5, "province": 21},
        "created": 88,
        "already_present": 3,
        "to_review": 2,
    }
    assert listed().count() == 88
    assert all(partnership.is_unverified for partnership in listed())
    # Brisbane, Beihai and Fuzhou are Semarang's detailed record: left as they are.
    assert not listed().filter(local_region_id="33.74").exists()
    assert (
        list(Partnership.objects.filter(local_region_id="33.74").order_by("slug").values_list())
        == semarang_before
    )

    braunschweig = Partnership.objects.get(local_region_id="32.73", partner_city_id=2945024)
    assert (
        braunschweig.slug,
        braunschweig.partner_name,
        braunschweig.partner_country_id,
        braunschweig.relationship_type,
        braunschweig.documented_status,
        braunschweig.confidence,
        braunschweig.is_public,
        braunschweig.state.code if braunschweig.state else None,
        braunschweig.region_match,
        braunschweig.sources,
        braunschweig.confirmed_at,
    ) == (
        "32-73-braunschweig",
        "Braunschweig",
        "DE",
        "sister_city",
        "listed_only",
        "weak",
        True,
        "initiative",
        "kota_over_kabupaten",
        f"{LIST}, line 11024",
        None,
    )
    history = list(braunschweig.history.all())
    assert [(record.history_type, record.history_change_reason) for record in history] == [
        ("+", "Loaded from the world twin-town list (national record)")
    ]
    shanghai = Partnership.objects.get(local_region_id="35", partner_city_id=1796236)
    assert (shanghai.relationship_type, shanghai.sources) == (
        "sister_province",
        f"{LIST}, line 4917",
    )
    liverpool = Partnership.objects.get(local_region_id="35.78", partner_city_id=2644210)
    assert liverpool.sources == f"{LIST}, lines 6784, 14522"
    assert Partnership.objects.filter(local_region_id="31", origin="world_twin_list").count() == 17
    # Both Suzhous of Padang's rows are different cities, so two partnerships.
    assert sorted(listed().filter(local_region_id="13.71").values_list("slug", flat=True)) == [
        "13-71-ba-ria-vung-tau",
        "13-71-beit-lahia",
        "13-71-suzhou",
        "13-71-suzhou-anhui",
    ]
    assert list(
        NationalReviewRow.objects.order_by("line").values_list("line", "city2", "reason")
    ) == [
        (14541, "Astana", NUSANTARA_REASON),
        (16917, "Kota Tua (Jakarta)", KOTA_TUA_REASON),
    ]
    # The world network's own rows to review are not the national record's.
    assert NationalReviewRow.objects.count() == 2
    assert TwinReviewRow.objects.exclude(source="national-record").count() > 0


@pytest.mark.django_db
@pytest.mark.slow
def test_a_second_load_changes_nothing(reference_db: None) -> None:
    load_national_record()
    before = record_snapshot()

    again = load_national_record()

    assert (again.created, again.already_present, again.to_review) == (0, 91, 2)
    assert record_snapshot() == before


@pytest.mark.django_db
@pytest.mark.slow
def test_a_dry_run_writes_nothing(reference_db: None) -> None:
    before = record_snapshot()

    result = load_national_record(dry_run=True)

    assert (result.dry_run, result.created, result.already_present, result.to_review) == (
        True,
        88,
        3,
        2,
    )
    assert record_snapshot() == before


@pytest.mark.django_db
@pytest.mark.slow
def test_a_load_for_one_region(reference_db: None) -> None:
    result = load_national_record(region="32.73")

    assert result.as_dict() == {
        "rows": 9,
        "matched": {"kota": 9, "kabupaten": 0, "province": 0},
        "created": 9,
        "already_present": 0,
        "to_review": 0,
    }
    assert set(listed().values_list("local_region_id", flat=True)) == {"32.73"}
    assert sorted(listed().values_list("partner_name", flat=True)) == [
        "Braunschweig",
        "Cotabato City",
        "Cuenca",
        "Fort Worth",
        "Liuzhou",
        "Namur",
        "Petaling Jaya",
        "Suwon",
        "Yingkou",
    ]
    assert not NationalReviewRow.objects.exists()  # the review list is the whole list's

    rest = load_national_record()
    assert (rest.created, rest.already_present) == (79, 12)

    with (
        translation.override("en"),
        pytest.raises(
            ValueError, match=r"No province, kabupaten or kota has the code 33\.74\.01\."
        ),
    ):
        load_national_record(region="33.74.01")


@pytest.mark.django_db
@pytest.mark.slow
def test_a_partnership_recorded_without_a_city_is_not_duplicated(reference_db: None) -> None:
    Partnership.objects.create(
        slug="bdg-braunschweig",
        local_region_id="32.73",
        partner_name="Braunschweig",
        partner_country_id="DE",
        relationship_type="sister_city",
        documented_status="active",
        confidence="documented",
    )

    result = load_national_record(region="32.73")

    assert (result.created, result.already_present) == (8, 1)
    assert (
        Partnership.objects.filter(local_region_id="32.73", partner_name="Braunschweig").count()
        == 1
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_a_failed_write_leaves_nothing(reference_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = record_snapshot()

    def fail(rows: Any) -> None:
        raise RuntimeError("the disk is full")

    # The review list is written after the partnerships: they must go with it.
    monkeypatch.setattr(national, "_review_apply", fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        load_national_record()

    assert record_snapshot() == before


@pytest.fixture
def data_copy(tmp_path: Path, settings: Any) -> Path:
    """A data directory with the files the loader reads, for breaking one of them."""
    target = tmp_path / "data"
    for relative in (national.ALIAS_FILE, national.TWIN_FILE, "lifecycle/ksdpl.json"):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(django_settings.KEMBAR_DATA_DIR / relative, target / relative)
    settings.KEMBAR_DATA_DIR = target
    return target


@pytest.mark.django_db
@pytest.mark.slow
def test_a_bad_alias_stops_the_load_before_any_write(reference_db: None, data_copy: Path) -> None:
    aliases = data_copy / national.ALIAS_FILE
    aliases.write_text(
        aliases.read_text(encoding="utf-8").replace("Sigli,11.07,", "Sigli,11.99,"),
        encoding="utf-8",
    )
    before = record_snapshot()

    with pytest.raises(ReferenceDataError) as caught:
        load_national_record()

    assert str(caught.value).startswith(
        "aliases.csv, line 3: column kode: '11.99' is not a kabupaten (rule seat)"
    )
    assert record_snapshot() == before

    with pytest.raises(CommandError, match="National record not loaded, nothing changed"):
        call_command("load_national_record", verbosity=0)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_command_prints_the_counts(
    reference_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_national_record", "--dry-run")
    call_command("load_national_record")

    out = capsys.readouterr().out.splitlines()
    counts = (
        "Rows with an Indonesian town: 94; matched to a kota 66, a kabupaten 5, a province 21; "
        "to review 2."
    )
    assert out == [
        counts,
        "Partnerships would be created: 88; already present: 3. Dry run: nothing written.",
        counts,
        "Partnerships created: 88; already present: 3.",
    ]


# --- Confirmation by the region -------------------------------------------------------------------


def person(username: str, role: str, organisation: Organisation | None) -> User:
    return UserFactory.create(username=username, role=role, organisation=organisation)


def government(slug: str, kode: str) -> Organisation:
    return Organisation.objects.create(
        slug=slug,
        name=slug,
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=Region.objects.get(kode=kode),
    )


def as_user(user: User) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def braunschweig(reference_db: None) -> Partnership:
    load_national_record(region="32.73")
    return Partnership.objects.get(slug="32-73-braunschweig")


@pytest.mark.django_db
@pytest.mark.slow
def test_an_officer_of_the_region_confirms(braunschweig: Partnership) -> None:
    officer = person("dadang", Role.COOPERATION_OFFICER, government("pemkot-bandung", "32.73"))
    client = as_user(officer)
    page = client.get(reverse("staff:partnership-detail", args=[braunschweig.slug]))
    assert "From the world twin-town list, not yet confirmed by the region" in page.content.decode()
    assert 'id="confirm-form"' in page.content.decode()
    listing = client.get(reverse("staff:partnership-list")).content.decode()
    assert listing.count("data-unverified") == 9

    response = client.post(reverse("staff:partnership-confirm", args=[braunschweig.slug]))

    assert response.status_code == 302
    braunschweig.refresh_from_db()
    assert (braunschweig.confirmed_by, braunschweig.is_unverified, braunschweig.version) == (
        officer,
        False,
        2,
    )
    latest = braunschweig.history.first()
    assert latest is not None
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        officer,
        "confirmed by the region",
    )
    assert latest.confirmed_at == braunschweig.confirmed_at
    confirmed = client.get(reverse("staff:partnership-detail", args=[braunschweig.slug]))
    assert b"The partnership is confirmed by the region." in confirmed.content
    assert b'id="unverified"' not in confirmed.content
    assert b"Confirmed by Siti" in confirmed.content
    assert (
        client.get(reverse("staff:partnership-list")).content.decode().count("data-unverified") == 8
    )

    # Confirming twice changes nothing.
    client.post(reverse("staff:partnership-confirm", args=[braunschweig.slug]))
    assert braunschweig.history.count() == 2
    with pytest.raises(ValidationError):
        partnership_confirm(actor=officer, partnership=braunschweig)


@pytest.mark.django_db
@pytest.mark.slow
def test_only_the_regions_officers_may_confirm(braunschweig: Partnership) -> None:
    semarang_officer = person(
        "sari", Role.COOPERATION_OFFICER, government("pemkot-semarang-test", "33.74")
    )
    council = person("dewi", Role.COUNCIL_MEMBER, government("dprd-bandung", "32.73"))
    counterpart = person(
        "jens",
        Role.PARTNER_COUNTERPART,
        Organisation.objects.create(
            slug="stadt-braunschweig",
            name="Stadt Braunschweig",
            kind=OrganisationKind.PARTNER_GOVERNMENT,
            city=City.objects.get(id=2945024),
        ),
    )
    url = reverse("staff:partnership-confirm", args=[braunschweig.slug])
    detail = reverse("staff:partnership-detail", args=[braunschweig.slug])

    # The partner counterpart and the council see the partnership, without the button.
    for user in (counterpart, council):
        client = as_user(user)
        page = client.get(detail).content.decode()
        assert "From the world twin-town list, not yet confirmed by the region" in page
        assert 'id="confirm-form"' not in page
        assert client.post(url).status_code == 403
    # Another region's officer does not even see it.
    assert as_user(semarang_officer).post(url).status_code == 404
    for user in (semarang_officer, counterpart, council):
        with pytest.raises(PermissionDenied):
            partnership_confirm(actor=user, partnership=braunschweig)

    braunschweig.refresh_from_db()
    assert (braunschweig.confirmed_at, braunschweig.version) == (None, 1)
    assert braunschweig.history.count() == 1


@pytest.mark.django_db
@pytest.mark.slow
def test_the_regions_own_record_needs_no_confirming(reference_db: None) -> None:
    administrator = person("root", Role.ADMINISTRATOR, None)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        partnership_confirm(
            actor=administrator, partnership=Partnership.objects.get(slug="smg-brisbane")
        )
    assert caught.value.messages == [
        "Only a partnership from the world twin-town list needs confirming."
    ]


@pytest.mark.django_db
@pytest.mark.slow
def test_the_public_page_says_not_yet_confirmed(braunschweig: Partnership, settings: Any) -> None:
    settings.KEMBAR_HOME_REGION = "32.73"
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("portal:partnership", args=[braunschweig.slug])).content.decode()
    assert "From the world twin-town list: not yet confirmed by the region." in page
    listing = client.get(reverse("portal:partnerships")).content.decode()
    assert listing.count("not yet confirmed by the region") == 9

    administrator = person("root", Role.ADMINISTRATOR, None)
    partnership_confirm(actor=administrator, partnership=braunschweig)
    page = client.get(reverse("portal:partnership", args=[braunschweig.slug])).content.decode()
    assert "not yet confirmed by the region" not in page


@pytest.mark.django_db
@pytest.mark.slow
def test_administrators_see_the_review_list_in_the_admin(reference_db: None) -> None:
    load_national_record()
    root = UserFactory.create(
        username="root",
        role=Role.ADMINISTRATOR,
        organisation=None,
        is_staff=True,
        is_superuser=True,
    )
    client = as_user(root)

    page = client.get(reverse("admin:partnerships_nationalreviewrow_changelist"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Nusantara" in text
    assert "Kota Tua (Jakarta)" in text
    assert "2 national record rows to review" in text
