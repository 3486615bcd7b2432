"""The starting record: events in both languages, and the agreements the sources document.

Brisbane's 1993 MoU (ended 2005, as the sources say) and Nanjing's 2018 MoU (no
end stated) are loaded with their dates, so the expiring filter and the
reminders work on the real partnerships.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from kembar.accounts.models import Notification, Organisation, Role, User
from kembar.geo.errors import ReferenceDataError
from kembar.partnerships.documents import partnerships_expiring
from kembar.partnerships.models import PartnershipDocument, PartnershipEvent
from kembar.partnerships.reminders import reminders_send
from kembar.partnerships.selectors import PartnershipFilters, staff_partnership_list
from kembar.partnerships.services import partnership_agreements_apply, partnership_seed_apply
from kembar.partnerships.sources import partnership_seed_read
from kembar.partnerships.tests.seeding import _Anything, semarang_record_load

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 5)
KINDS = {"mou": True, "pks": True, "loi": False}


def agreements() -> dict[str, PartnershipDocument]:
    return {
        document.partnership.slug: document
        for document in PartnershipDocument.objects.select_related("partnership", "kind")
    }


def officer() -> User:
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region_id="33.74",
    )
    return User.objects.create_user(
        username="sari",
        password="a-long-test-password",
        role=Role.COOPERATION_OFFICER,
        organisation=semarang,
        email="kerjasama@semarangkota.go.id",
    )


def test_the_agreements_of_the_sources_are_loaded_with_their_dates() -> None:
    semarang_record_load()

    loaded = agreements()

    assert sorted(loaded) == ["smg-beihai", "smg-brisbane", "smg-junggu-ulsan", "smg-nanjing"]
    brisbane, nanjing = loaded["smg-brisbane"], loaded["smg-nanjing"]
    assert (brisbane.kind.code, brisbane.signed_on, brisbane.signed_on_precision) == (
        "mou",
        dt.date(1993, 1, 11),
        "day",
    )
    # The sources give the year the MoU ended, not the day.
    assert (brisbane.valid_until, brisbane.valid_until_precision) == (dt.date(2005, 1, 1), "year")
    assert "journals.usm.ac.id article 1595" in brisbane.source
    assert (nanjing.signed_on, nanjing.valid_until) == (dt.date(2018, 10, 24), None)
    assert "validity not stated" in nanjing.source
    assert (loaded["smg-beihai"].signed_on, loaded["smg-beihai"].signed_on_precision) == (
        dt.date(2008, 1, 1),
        "year",
    )
    for document in loaded.values():
        assert (document.file.name, document.uploaded_by, document.version) == ("", None, 1)
    with translation.override("id"):
        assert (brisbane.signed_on_label(), brisbane.valid_until_label()) == (
            "11 Januari 1993",
            "2005",
        )
        assert (nanjing.signed_on_label(), nanjing.valid_until_label()) == ("24 Oktober 2018", "")


def test_loading_again_adds_nothing_and_keeps_an_uploaded_agreement() -> None:
    seed = semarang_record_load()
    PartnershipDocument.objects.filter(partnership__slug="smg-nanjing").delete()
    PartnershipDocument.objects.filter(partnership__slug="smg-brisbane").update(
        title="MoU as uploaded", source=""
    )

    assert partnership_agreements_apply(seed) == {"created": 1, "kept": 3}
    assert partnership_agreements_apply(seed) == {"created": 0, "kept": 4}
    assert agreements()["smg-brisbane"].title == "MoU as uploaded"


def test_expiring_filter_and_reminders_see_the_real_agreements() -> None:
    semarang_record_load()
    user = officer()

    expiring = partnerships_expiring(today=TODAY, include_expired=True)
    found = [(row.slug, getattr(row, "agreement_valid_until", None)) for row in expiring]
    assert found == [("smg-brisbane", dt.date(2005, 1, 1))]
    listed = staff_partnership_list(user=user, filters=PartnershipFilters(expiring=True))
    assert [row.slug for row in listed] == ["smg-brisbane"]

    counts = reminders_send(today=TODAY)

    brisbane = agreements()["smg-brisbane"]
    notifications = list(Notification.objects.filter(user=user))
    assert counts.notifications == 1
    assert [note.dedupe_key for note in notifications] == [f"expiry:{brisbane.pk}:expired"]
    assert notifications[0].subject == "Naskah kerja sama telah berakhir: Kota Semarang – Brisbane"
    # The end as precisely as the sources give it: the year, not an invented first of January.
    assert "2005" in notifications[0].body
    assert "Januari 2005" not in notifications[0].body


def test_events_have_their_details_in_both_languages() -> None:
    semarang_record_load()

    events = PartnershipEvent.objects.all()
    assert events.count() == 14
    assert not events.filter(detail_id="").exists()
    assert not events.filter(detail_en="").exists()
    lapse = events.get(partnership__slug="smg-brisbane", kind="agreement_lapsed")
    with translation.override("id"):
        assert lapse.detail == "MoU berakhir tanpa diperpanjang"
    with translation.override("en"):
        assert lapse.detail == "MoU expired without renewal"


def test_events_loaded_before_details_were_bilingual_get_indonesian() -> None:
    seed = semarang_record_load()
    PartnershipEvent.objects.update(detail_id="")
    PartnershipEvent.objects.filter(kind="revived").update(detail_en="Written by staff")

    stats = partnership_seed_apply(seed)

    assert stats["events"] == {"created": 0, "kept": 14, "translated": 13}
    revived = PartnershipEvent.objects.get(kind="revived")
    assert (revived.detail_id, revived.detail_en) == ("", "Written by staff")
    lapse = PartnershipEvent.objects.get(kind="agreement_lapsed")
    assert lapse.detail_id == "MoU berakhir tanpa diperpanjang"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.KEMBAR_DATA_DIR / "semarang", target / "semarang")
    return target


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "smg-nanjing,mou,",
            "smg-nanjing,loi,",
            "line 4: column kind: 'loi' is not a kind of agreement (mou, pks)",
        ),
        (
            "smg-nanjing,mou,",
            "smg-nowhere,mou,",
            "line 4: column partnership_id: 'smg-nowhere' is not a partnership",
        ),
        (
            "1993-01-11,day,2005,year",
            "1993-01-11,day,1990,year",
            "line 2: column valid_until: the validity ends before the signing",
        ),
        (
            "1993-01-11,day,2005,year",
            "1993-01-11,day,2005-02,year",
            "line 2: column date: '2005-02' does not match precision year",
        ),
    ],
)
def test_a_bad_agreement_row_is_refused_with_its_line(
    data_copy: Path, old: str, new: str, expected: str
) -> None:
    path = data_copy / "semarang/semarang_partnership_agreements.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ReferenceDataError) as caught:
        partnership_seed_read(
            data_copy,
            regions=_Anything(),
            countries=_Anything(),
            geonameids=_Anything(),
            document_kinds=KINDS,
        )

    assert expected in str(caught.value)


def test_staff_see_where_the_dates_come_from_and_no_download(client: Client, settings: Any) -> None:
    semarang_record_load()
    client.force_login(officer())
    document = agreements()["smg-brisbane"]

    page = client.get("/staff/partnerships/smg-brisbane/")
    download = client.get(f"/staff/documents/{document.pk}/download/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "journals.usm.ac.id article 1595" in html
    # Dates as precisely as the sources give them: the end is a year, not 1 January.
    assert "<td>11 Januari 1993</td>" in html
    assert "<td>… – 2005</td>" in html
    assert f"/staff/documents/{document.pk}/download/" not in html
    assert download.status_code == 404


def test_the_api_gives_the_recorded_agreement_with_its_precision(client: Client) -> None:
    semarang_record_load()
    client.force_login(officer())

    response = client.get("/api/v1/partnerships/smg-brisbane/documents/")

    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [
        {key: row[key] for key in ("kind", "signed_on", "valid_until", "valid_until_precision")}
        for row in rows
    ] == [
        {
            "kind": "mou",
            "signed_on": "1993-01-11",
            "valid_until": "2005-01-01",
            "valid_until_precision": "year",
        }
    ]
    assert rows[0]["uploaded_by"] is None
    assert rows[0]["source"].startswith("journals.usm.ac.id article 1595")
