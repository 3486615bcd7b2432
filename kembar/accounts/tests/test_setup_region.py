"""``manage.py setup_region KODE``: a region's government, its administrator, its record.

The regions are made with the region factory (the names of the Kemendagri list); the
government affairs come from the shipped ``government/urusan_pemerintahan.csv``.  The
national record is switched off (``kembar.partnerships.national`` made unimportable)
unless a test puts a stand-in loader in its place.
"""

from __future__ import annotations

import re
import sys
import types
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from kembar.accounts import region_setup
from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.region_setup import RegionSetupError, setup_region
from kembar.accounts.tests.factories import OrganisationFactory
from kembar.geo.errors import ReferenceDataError
from kembar.geo.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "surabaya-kota-pahlawan-2026"

#: The agencies of a kabupaten or kota by government affair: slug end, name before the region.
KOTA_AGENCIES = [
    ("1-01", "Dinas Pendidikan"),
    ("1-02", "Dinas Kesehatan"),
    ("1-03", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("1-04", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("1-05", "Satuan Polisi Pamong Praja"),
    ("1-06", "Dinas Sosial"),
    ("2-07", "Dinas Tenaga Kerja dan Transmigrasi"),
    ("2-08", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"),
    ("2-09", "Dinas Ketahanan Pangan"),
    ("2-10", "Dinas Pertanahan"),
    ("2-11", "Dinas Lingkungan Hidup"),
    ("2-12", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("2-13", "Dinas Pemberdayaan Masyarakat dan Desa"),
    ("2-14", "Dinas Pengendalian Penduduk dan Keluarga Berencana"),
    ("2-15", "Dinas Perhubungan"),
    ("2-16", "Dinas Komunikasi dan Informatika"),
    ("2-17", "Dinas Koperasi, Usaha Kecil, dan Menengah"),
    ("2-18", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("2-19", "Dinas Kepemudaan dan Olahraga"),
    ("2-22", "Dinas Kebudayaan"),
    ("2-23", "Dinas Perpustakaan dan Kearsipan"),
    ("3-25", "Dinas Perikanan"),
    ("3-26", "Dinas Pariwisata"),
    ("3-27", "Dinas Pertanian"),
    ("3-30", "Dinas Perdagangan"),
    ("3-31", "Dinas Perindustrian"),
]


#: Where the tests' stand-in national record lives (none there unless a test puts one).
STAND_IN = "kembar.accounts.tests.national_record_stand_in"


@pytest.fixture(autouse=True)
def _no_national_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """As before the national record existed: its module cannot be imported."""
    monkeypatch.setattr(region_setup, "NATIONAL_RECORD_MODULE", STAND_IN)


def _stand_in(monkeypatch: pytest.MonkeyPatch, load: Any) -> None:
    national = types.ModuleType(STAND_IN)
    national.load_national_record = load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, STAND_IN, national)


@pytest.fixture
def surabaya() -> None:
    RegionFactory.create(kode="35", name="Jawa Timur")
    RegionFactory.create(kode="35.78", name="Kota Surabaya")


@pytest.fixture
def jawa_barat() -> None:
    RegionFactory.create(kode="32", name="Jawa Barat")


def _organisations(prefix: str) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (o.slug, o.name, o.kind, o.parent.slug if o.parent else None, o.region_id)
        for o in Organisation.objects.filter(slug__startswith=prefix)
        .select_related("parent")
        .order_by("slug")
    ]


def test_setup_of_a_kota(surabaya: None) -> None:
    setup = setup_region("35.78")

    pemda = ("35-78-pemda", "Pemerintah Kota Surabaya", "local_government", None, "35.78")
    expected = [
        ("35-78-bappeda", "Bappeda Kota Surabaya", "agency", "35-78-pemda", None),
        ("35-78-dprd", "DPRD Kota Surabaya", "council", "35-78-pemda", None),
        (
            "35-78-kerja-sama",
            "Bagian Kerja Sama Setda Kota Surabaya",
            "agency",
            "35-78-pemda",
            None,
        ),
        pemda,
        *(
            (f"35-78-urusan-{code}", f"{name} Kota Surabaya", "agency", "35-78-pemda", None)
            for code, name in KOTA_AGENCIES
        ),
    ]
    assert _organisations("35-78-") == expected
    assert Organisation.objects.count() == 30
    assert len(setup.created) == 30
    assert setup.kept == []
    assert setup.local_government.slug == "35-78-pemda"
    assert setup.cooperation_office.slug == "35-78-kerja-sama"
    assert setup.council.slug == "35-78-dprd"
    assert {o.home_region_id for o in Organisation.objects.all()} == {"35.78"}
    # The invitation: the region's administrator of its records, no password until chosen.
    user = User.objects.get()
    assert (user.username, user.role, user.organisation_id, user.email, user.is_active) == (
        "kerjasama.35.78",
        Role.COOPERATION_OFFICER,
        setup.cooperation_office.pk,
        "",
        True,
    )
    assert not user.has_usable_password()
    assert setup.invitation.created is True
    assert re.fullmatch(
        r"http://127\.0\.0\.1:8000/accounts/password/reset/[\w-]+/[\w-]+/", setup.invitation.link
    )
    assert (setup.national_record_available, setup.national_record) == (False, None)
    assert 0 < setup.seconds < 10


def test_setup_of_a_province(jawa_barat: None) -> None:
    setup = setup_region("32")

    names = [name for _slug, name, *_rest in _organisations("32-")]
    province_agencies = sorted(
        [
            *((code, name) for code, name in KOTA_AGENCIES if code != "3-25"),
            ("3-25", "Dinas Kelautan dan Perikanan"),
            ("3-28", "Dinas Kehutanan"),
            ("3-29", "Dinas Energi dan Sumber Daya Mineral"),
        ]
    )
    assert names == [
        "Bappeda Provinsi Jawa Barat",
        "DPRD Provinsi Jawa Barat",
        "Biro Kerja Sama Setda Provinsi Jawa Barat",
        "Pemerintah Provinsi Jawa Barat",
        *(f"{name} Provinsi Jawa Barat" for _code, name in province_agencies),
    ]
    assert len(setup.created) == 32
    assert setup.local_government.region_id == "32"
    assert User.objects.get().username == "kerjasama.32"


def test_a_second_run_keeps_everything(surabaya: None) -> None:
    first = setup_region("35.78")
    before = _organisations("35-78-")

    second = setup_region("35.78")

    assert _organisations("35-78-") == before
    assert second.created == []
    assert [o.slug for o in second.kept] == [o.slug for o in first.created]
    assert User.objects.count() == 1
    assert second.invitation.created is False
    # Not accepted yet: a fresh link.
    assert second.invitation.link.startswith("http://127.0.0.1:8000/accounts/password/reset/")


def test_the_invitation_link_works_once(
    surabaya: None, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        setup = setup_region("35.78", admin_email="kerjasama@surabaya.go.id")

    assert setup.invitation.emailed is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kerjasama@surabaya.go.id"]
    assert message.subject == "Kembar: your invitation for Kota Surabaya"
    assert "Your username: kerjasama.35.78" in message.body
    assert setup.invitation.link in message.body
    assert User.objects.get().email == "kerjasama@surabaya.go.id"
    path = setup.invitation.link.removeprefix("http://127.0.0.1:8000")

    form = client.get(path, follow=True)
    assert form.context["validlink"] is True
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.headers["Location"] == "/accounts/password/reset/done/"
    signed_in = client.post(
        "/accounts/login/", {"username": "kerjasama.35.78", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == str(setup.invitation.user.pk)
    assert client.get("/staff/").status_code == 200

    client.logout()
    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    # Once the password is chosen, running the setup again makes no link and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        third = setup_region("35.78", admin_email="kerjasama@surabaya.go.id")
    assert (third.invitation.link, third.invitation.emailed, len(mail.outbox)) == ("", None, 1)
    assert third.invitation.accepted is True


@pytest.mark.parametrize(
    ("kode", "message"),
    [
        (
            "3578",
            "“3578” is not a region code: Kemendagri codes put a dot between the province and "
            "the kabupaten or kota. Did you mean 35.78?",
        ),
        (
            "Surabaya",
            "“Surabaya” is not a region code. Write a province as two digits (32 for Jawa "
            "Barat) or a kabupaten or kota as two pairs of digits joined by a dot (35.78 for "
            "Kota Surabaya).",
        ),
        (
            "35.78.01",
            "35.78.01 is the code of a district (kecamatan): only a province (e.g. 32) or a "
            "kabupaten or kota (e.g. 35.78) can be set up. Its kabupaten or kota is 35.78.",
        ),
        (
            "35.78.01.1001",
            "35.78.01.1001 is the code of a village (desa or kelurahan): only a province (e.g. "
            "32) or a kabupaten or kota (e.g. 35.78) can be set up. Its kabupaten or kota is "
            "35.78.",
        ),
        (
            "35.99",
            "No region has the code 35.99. Check the code in the Kemendagri list (e.g. 35.78 "
            "Kota Surabaya, 32 Jawa Barat), or load the reference data first (manage.py "
            "load_reference).",
        ),
        (
            "31.71",
            "Kota Administrasi Jakarta Pusat (31.71) is an administrative city or regency of "
            "Daerah Khusus Ibukota Jakarta, not an autonomous region: it has no council and no "
            "cooperation of its own. Set up 31 instead.",
        ),
    ],
)
def test_bad_codes_are_refused_with_what_to_fix(surabaya: None, kode: str, message: str) -> None:
    RegionFactory.create(kode="31", name="Daerah Khusus Ibukota Jakarta")
    RegionFactory.create(kode="31.71", name="Kota Administrasi Jakarta Pusat")

    with pytest.raises(CommandError) as refused:
        call_command("setup_region", kode, "--language", "en", stdout=StringIO())

    assert str(refused.value) == message
    assert (Organisation.objects.count(), User.objects.count()) == (0, 0)


def test_refusal_in_the_default_language_names_the_code(surabaya: None) -> None:
    with pytest.raises(CommandError, match=r"35\.99"):
        call_command("setup_region", "35.99", stdout=StringIO())


def test_a_bad_address_is_refused(surabaya: None) -> None:
    with translation.override("en"), pytest.raises(RegionSetupError) as refused:
        setup_region("35.78", admin_email="kerjasama@")

    assert str(refused.value) == "“kerjasama@” is not an e-mail address."
    assert Organisation.objects.count() == 0


def test_a_code_taken_by_another_organisation_is_refused(surabaya: None) -> None:
    OrganisationFactory.create(slug="35-78-dprd", name="DPRD Kota Magelang", kind="council")

    with translation.override("en"), pytest.raises(RegionSetupError) as refused:
        setup_region("35.78")

    assert str(refused.value) == (
        "The code 35-78-dprd is taken by DPRD Kota Magelang, which is not the regional council "
        "(DPRD) of Kota Surabaya. Give that organisation another code and run the setup again."
    )
    assert Organisation.objects.count() == 1


def test_a_region_already_recorded_keeps_its_organisations(db: None) -> None:
    """Semarang's own file made its government: the setup adds only what is missing."""
    pemkot = OrganisationFactory.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    kept = [
        ("bagian-kerja-sama-semarang", "Bagian Kerja Sama Setda Kota Semarang", "agency"),
        ("disdik-semarang", "Dinas Pendidikan Kota Semarang", "agency"),
        ("disbudpar-semarang", "Dinas Kebudayaan dan Pariwisata Kota Semarang", "agency"),
        ("dprd-semarang", "DPRD Kota Semarang", "council"),
    ]
    for slug, name, kind in kept:
        OrganisationFactory.create(slug=slug, name=name, kind=kind, parent=pemkot)

    setup = setup_region("33.74")

    assert [o.slug for o in setup.kept] == [
        "pemkot-semarang",
        "bagian-kerja-sama-semarang",
        "dprd-semarang",
        "disdik-semarang",
        "disbudpar-semarang",
    ]
    # Six units found (culture and tourism in one agency), 24 made, all under pemkot-semarang.
    assert len(setup.created) == 24
    assert {o.parent_id for o in setup.created} == {pemkot.pk}
    assert "33-74-urusan-2-22" not in {o.slug for o in setup.created}
    assert "33-74-urusan-3-26" not in {o.slug for o in setup.created}
    assert "33-74-bappeda" in {o.slug for o in setup.created}
    assert Organisation.objects.count() == 29
    assert User.objects.get().organisation == Organisation.objects.get(
        slug="bagian-kerja-sama-semarang"
    )


def test_the_starting_record_is_loaded_in_the_same_transaction(
    surabaya: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def load_national_record(**kwargs: Any) -> Any:
        calls.append(kwargs)
        assert Organisation.objects.filter(slug="35-78-pemda").exists()
        return types.SimpleNamespace(created=3, already_present=1, to_review=2)

    _stand_in(monkeypatch, load_national_record)
    out = StringIO()

    call_command("setup_region", "35.78", "--language", "en", stdout=out)

    assert calls == [{"region": "35.78"}]
    assert out.getvalue().splitlines()[-1] == (
        "National record: partnerships created: 3; already present: 1; rows of the list to "
        "review: 2."
    )


def test_a_failing_starting_record_leaves_nothing(
    surabaya: None, monkeypatch: pytest.MonkeyPatch
) -> None:

    def load_national_record(*, region: str) -> None:
        raise ReferenceDataError("twin_cities_geocoded.csv", "the world network is not loaded")

    _stand_in(monkeypatch, load_national_record)

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("setup_region", "35.78", "--language", "en", stdout=StringIO())

    assert (Organisation.objects.count(), User.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_command_says_what_it_did(surabaya: None) -> None:
    """Committed as on a real run: the e-mail goes out before the command reports."""
    out = StringIO()
    call_command(
        "setup_region",
        "35.78",
        "--email",
        "kerjasama@surabaya.go.id",
        "--language",
        "en",
        stdout=out,
    )
    lines = out.getvalue().splitlines()

    assert re.fullmatch(
        r"Kota Surabaya \(35\.78\) is set up, in \d+\.\d s \(of which the starting record "
        r"\d+\.\d s\)\.",
        lines[0],
    )
    assert lines[1] == "Organisations created: 30; kept as they were: 0."
    assert lines[2] == (
        "  created  35-78-pemda                Pemerintah Kota Surabaya (local government)"
    )
    assert len(lines) == 2 + 30 + 5
    assert lines[32:34] == [
        "Administrator kerjasama.35.78 created: a cooperation officer of Bagian Kerja Sama "
        "Setda Kota Surabaya, who keeps the region's records.",
        "Link to choose the password (it works once, for one hour):",
    ]
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", str(mail.outbox[0].body))
    assert link is not None
    assert lines[34] == f"  {link.group(0)}"
    assert lines[35:] == [
        "The link is e-mailed to kerjasama@surabaya.go.id.",
        "National record: not available.",
    ]

    again = StringIO()
    call_command("setup_region", "35.78", "--language", "en", stdout=again)
    assert again.getvalue().splitlines()[1] == "Organisations created: 0; kept as they were: 30."
