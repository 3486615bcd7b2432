"""The full reference load, on the real shipped files (loaded once per session)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import Client

from kembar.accounts.models import Organisation, Role, User
from kembar.core.services import reference_load
from kembar.geo.models import (
    City,
    CityOrigin,
    Country,
    ReferenceLoad,
    Region,
    RegionPopulation,
    TwinLink,
    TwinReviewRow,
)
from kembar.geo.selectors import city_twins, network_summary
from kembar.partnerships.models import Partnership, PartnershipEvent
from kembar.programs.models import GovernmentAffair, SdgGoal, SdgTarget, Sector

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def snapshot() -> str:
    """A digest of everything the loader writes, to prove a run changed nothing."""
    digest = hashlib.sha256()
    tables = [
        Country.objects.order_by("iso2").values_list(),
        Region.objects.order_by("kode").values_list(),
        RegionPopulation.objects.order_by("region_id", "kind", "year").values_list(
            "region_id", "year", "kind", "population", "note"
        ),
        TwinLink.objects.order_by("city_a_id", "city_b_id").values_list(
            "city_a_id", "city_b_id", "source_line"
        ),
        TwinReviewRow.objects.order_by("line").values_list("line", "reason"),
        Partnership.objects.order_by("slug").values_list(),
        PartnershipEvent.objects.order_by("partnership_id", "date").values_list(),
        ReferenceLoad.objects.values_list("dataset", "fingerprint"),
    ]
    for rows in tables:
        for row in rows.iterator(chunk_size=20000):
            digest.update(repr(row).encode())
    cities = City.objects.aggregate(n=Count("id"), ids=Sum("id"), people=Sum("population"))
    digest.update(repr(sorted(cities.items())).encode())
    return digest.hexdigest()


def test_indonesian_regions_complete(reference_db: None) -> None:
    counts = dict(Region.objects.values_list("level").annotate(n=Count("kode")))
    assert counts == {
        "provinsi": 38,
        "kabupaten_kota": 514,
        "kecamatan": 7285,
        "desa_kelurahan": 83762,
    }
    semarang = Region.objects.get(kode="33.74")
    assert (semarang.name, semarang.kind, semarang.parent_id) == ("Kota Semarang", "kota", "33")
    assert (semarang.population_male, semarang.population_female, semarang.population) == (
        842737,
        859642,
        1702379,
    )
    assert semarang.area_km2 == 374.747
    assert semarang.latitude is not None
    assert Region.objects.filter(parent_id="33.74").count() == 16
    assert Region.objects.filter(parent__parent_id="33.74").count() == 177
    tengah = Region.objects.get(kode="33.74.01")
    assert (tengah.name, tengah.area_km2) == ("Semarang Tengah", 6.14)


def test_semarang_population_series_kept_as_published(reference_db: None) -> None:
    tengah = RegionPopulation.objects.filter(region_id="33.74.01")
    observed = dict(tengah.filter(kind="observed").values_list("year", "population"))
    assert observed[2012] == observed[2014] == 71674
    assert observed[2022] == 54338
    flagged = set(RegionPopulation.objects.exclude(note="").values_list("year", flat=True))
    assert flagged == {2014}
    projected = dict(tengah.filter(kind="projection").values_list("year", "population"))
    assert projected == {2025: 46618, 2030: 37212, 2035: 26173, 2040: 20026, 2045: 16603}
    assert RegionPopulation.objects.count() == 16 * 11 + 16 * 5


def test_countries_and_cities(reference_db: None) -> None:
    assert Country.objects.count() == 250
    assert City.objects.filter(origin=CityOrigin.GEONAMES).count() == 234908
    semarang = City.objects.get(geonameid=1627896)
    assert (semarang.name, semarang.country_id) == ("Semarang", "ID")
    assert "Samarang" in semarang.alternate_names.split("|")
    source_only = City.objects.filter(origin=CityOrigin.SOURCE)
    assert source_only.exists()
    assert not source_only.filter(id__gt=0).exists()


@pytest.mark.parametrize(
    ("city", "twin"),
    [
        (1627896, 2174003),  # Semarang – Brisbane
        (1627896, 1816705),  # Semarang – Beihai
        (1625822, 5809844),  # Surabaya – Seattle
        (1650357, 2945024),  # Bandung – Braunschweig
    ],
)
def test_known_twin_links(reference_db: None, city: int, twin: int) -> None:
    pair = (min(city, twin), max(city, twin))
    assert TwinLink.objects.filter(city_a_id=pair[0], city_b_id=pair[1]).count() == 1


def test_semarang_twins_in_the_world_network(reference_db: None) -> None:
    twins = city_twins(City.objects.get(geonameid=1627896))
    assert sorted(twins.values_list("name", flat=True)) == ["Beihai", "Brisbane", "Fuzhou"]


def test_network_rates_meet_the_targets(reference_db: None) -> None:
    stats = ReferenceLoad.objects.get(dataset="reference").stats["network"]
    assert stats["rows"] == 25917
    assert stats["pair_rate"] >= 0.99
    assert stats["geonames_match_rate"] >= 0.85
    assert stats["rows_placed"] + stats["review_rows"] - stats["self_links"] == 25917
    summary = network_summary()
    assert summary["links"] == TwinLink.objects.count() == stats["links"]
    assert summary["unresolved_rows"] == stats["review_rows"]
    assert summary["geonames_match_rate"] == stats["geonames_match_rate"]


def test_codelists_loaded(reference_db: None) -> None:
    assert (
        Sector.objects.count(),
        GovernmentAffair.objects.count(),
        SdgGoal.objects.count(),
        SdgTarget.objects.count(),
    ) == (17, 32, 17, 169)


def test_semarang_partnerships(reference_db: None) -> None:
    partnerships = Partnership.objects.order_by("slug")
    assert list(partnerships.values_list("slug", flat=True)) == [
        "smg-beihai",
        "smg-brisbane",
        "smg-fuzhou",
        "smg-jiaxing",
        "smg-junggu-ulsan",
        "smg-nanjing",
        "smg-sofia-iurc",
        "smg-split",
    ]
    assert PartnershipEvent.objects.count() == 14
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    assert (brisbane.partner_city_id, brisbane.partner_country_id) == (2174003, "AU")
    assert brisbane.documented_status == "revived_after_lapse"
    assert list(brisbane.events.order_by("date").values_list("date__year", "kind")) == [
        (1993, "agreement_signed"),
        (1997, "became_dormant"),
        (2005, "agreement_lapsed"),
        (2023, "revived"),
    ]
    assert sorted(brisbane.focus_areas.values_list("slug", flat=True)) == [
        "education",
        "smart-city",
        "urban-planning",
    ]
    assert Partnership.objects.get(slug="smg-fuzhou").partner_city_id == 1810821
    history = list(brisbane.history.order_by("history_id"))
    assert [record.history_type for record in history] == ["+", "~"]  # created, then focus areas
    assert history[0].history_change_reason == "Loaded from the documented starting record"


def test_second_load_changes_nothing(reference_db: None) -> None:
    before = snapshot()

    skipped = reference_load(data_dir=settings.KEMBAR_DATA_DIR)
    assert skipped.skipped is True
    assert snapshot() == before

    forced = reference_load(data_dir=settings.KEMBAR_DATA_DIR, force=True)
    assert forced.skipped is False
    for table in ("countries", "regions", "region_population", "cities", "links", "review_rows"):
        changed = forced.stats[table]
        assert (changed["created"], changed["updated"], changed["deleted"]) == (0, 0, 0), table
    for table, changed in forced.stats["codelists"].items():
        assert (changed["created"], changed["updated"]) == (0, 0), table
    assert forced.stats["partnerships"]["partnerships"]["created"] == 0
    assert forced.stats["partnerships"]["events"]["created"] == 0
    assert forced.stats["partnerships"]["agreements"] == {"created": 0, "kept": 4}
    assert snapshot() == before


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.KEMBAR_DATA_DIR, target)
    return target


def break_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_malformed_file_stops_the_load_and_changes_nothing(
    reference_db: None, data_copy: Path
) -> None:
    # A change the loader would write if it got that far ...
    break_line(data_copy / "regions-id/wilayah_kemendagri_2025.csv", 2, "Aceh", "Aceh Baru")
    # ... and a broken file it reads last.
    break_line(data_copy / "semarang/semarang_partnership_events.csv", 4, "2005", "2005-13")
    before = snapshot()

    with pytest.raises(CommandError) as caught:
        call_command("load_reference", data_dir=data_copy, verbosity=0)

    message = str(caught.value)
    assert "nothing changed" in message
    assert "semarang_partnership_events.csv, line 4: column date: '2005-13'" in message
    assert Region.objects.get(kode="11").name == "Aceh"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("relative", "line", "old", "new", "expected"),
    [
        (
            "regions-id/wilayah_penduduk_2025.csv",
            3,
            "2815060",
            "lots",
            "wilayah_penduduk_2025.csv, line 3: column pria: 'lots' is not a whole number",
        ),
        (
            "twin-towns/twin_cities_geocoded.csv",
            7,
            "40.7022",
            "north",
            "twin_cities_geocoded.csv, line 7:",
        ),
    ],
)
def test_bad_value_is_reported_with_file_and_line(
    reference_db: None,
    data_copy: Path,
    relative: str,
    line: int,
    old: str,
    new: str,
    expected: str,
) -> None:
    break_line(data_copy / relative, line, old, new)
    before = snapshot()

    with pytest.raises(CommandError, match="nothing changed") as caught:
        call_command("load_reference", data_dir=data_copy, verbosity=0)

    assert expected in str(caught.value)
    assert snapshot() == before


def test_missing_file_is_named_and_changes_nothing(reference_db: None, data_copy: Path) -> None:
    (data_copy / "twin-towns/twin_cities_geocoded.csv").unlink()
    before = snapshot()

    with pytest.raises(CommandError, match=r"twin_cities_geocoded\.csv: file not found"):
        call_command("load_reference", data_dir=data_copy, verbosity=0)

    assert snapshot() == before


def test_brisbane_timeline_shows_the_real_history_to_staff(reference_db: None) -> None:
    officer = User.objects.create_user(
        username="officer",
        password="a-long-test-password",
        role=Role.COOPERATION_OFFICER,
        organisation=Organisation.objects.get(slug="bagian-kerja-sama-semarang"),
    )
    client = Client()
    client.force_login(officer)

    response = client.get("/staff/partnerships/smg-brisbane/")

    assert response.status_code == 200
    events = [
        (entry.date_label, entry.title)
        for entry in response.context["timeline"]
        if entry.kind == "event"
    ]
    assert events == [
        ("11 Januari 1993", "naskah kerja sama ditandatangani"),
        ("1997", "menjadi tidak aktif"),
        ("2005", "naskah kerja sama berakhir"),
        ("2023", "dihidupkan kembali"),
    ]
    assert Partnership.objects.get(slug="smg-brisbane").stage_code == "active"
