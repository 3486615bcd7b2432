"""Practices and policies one region shares, visible to every region; who may share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kembar.guidance.selectors import SharedFilters, shared_policies, shared_practices
from kembar.guidance.services import practice_share
from kembar.knowledge.models import Policy, Practice
from kembar.knowledge.services import policy_adopt, policy_publish
from kembar.programs.tests.factories import ActivityFactory

from .conftest import World, signed_in

pytestmark = pytest.mark.django_db


def _policy(world: World, title: str, *, public: bool, reviewed: bool = True) -> Policy:
    policy = policy_adopt(
        actor=world.magelang_officer,
        region_id="33.71",
        data={
            "title_id": title,
            "description_id": "Rincian internal",
            "instrument": "perwal",
            "number": f"Perwal No. {len(title)} Tahun 2025",
            "adopted_on": dt.date(2025, 9, 1),
            "agency": world.magelang_agency,
            "evidence_url": "https://jdih.magelangkota.go.id/",
        },
    )
    if reviewed:
        policy_publish(actor=world.magelang_officer, policy=policy, public=public)
    return policy


def _records(world: World) -> dict[str, object]:
    shared = world.practice(
        "Bank sampah sekolah", description_id="Sekolah menabung sampah plastik."
    )
    practice_share(actor=world.magelang_officer, practice=shared, shared=True)
    return {
        "shared": shared,
        "unshared": world.practice("Rencana internal pasar"),
        "public": _policy(world, "Perwal Bank Sampah", public=True),
        "withdrawn": _policy(world, "Perwal Ditarik", public=False),
        "unreviewed": _policy(world, "Perwal Belum Ditinjau", public=False, reviewed=False),
    }


def test_the_page_shows_another_regions_shared_practice_and_public_policy_only(
    world: World,
) -> None:
    _records(world)
    for client in (Client(), signed_in(world.semarang_officer)):
        response = client.get("/guidance/shared/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Bank sampah sekolah" in html
        assert "Sekolah menabung sampah plastik." in html
        assert "Perwal Bank Sampah" in html
        assert "Kota Magelang" in html
        assert "Rencana internal pasar" not in html
        assert "Perwal Ditarik" not in html
        assert "Perwal Belum Ditinjau" not in html
        # A policy's own description stays internal, as on the partnership page.
        assert "Rincian internal" not in html


def test_filters_by_sector_urusan_region_and_words(world: World) -> None:
    records = _records(world)
    tourism = world.practice(
        "Desa wisata", sector=world.tourism, government_affair=world.urusan_tourism
    )
    practice_share(actor=world.magelang_officer, practice=tourism, shared=True)
    semarang = world.practice("Kampung tematik", region="33.74")
    practice_share(actor=world.semarang_officer, practice=semarang, shared=True)
    public = records["public"]
    assert isinstance(public, Policy)
    activity = ActivityFactory.create(
        partnership__local_region=world.orgs.magelang.region,
        agency=world.magelang_agency,
        sector=world.tourism,
        government_affair=world.urusan_tourism,
    )
    public.activities.set([activity])

    def titles(filters: SharedFilters) -> tuple[list[str], list[str]]:
        return (
            [p.title_id for p in shared_practices(filters)],
            [p.title_id for p in shared_policies(filters)],
        )

    assert titles(SharedFilters()) == (
        ["Bank sampah sekolah", "Desa wisata", "Kampung tematik"],
        ["Perwal Bank Sampah"],
    )
    assert titles(SharedFilters(sector=12)) == (["Desa wisata"], ["Perwal Bank Sampah"])
    assert titles(SharedFilters(sector=16)) == (["Bank sampah sekolah", "Kampung tematik"], [])
    assert titles(SharedFilters(urusan="3.26")) == (["Desa wisata"], ["Perwal Bank Sampah"])
    assert titles(SharedFilters(region="33.74")) == (["Kampung tematik"], [])
    assert titles(SharedFilters(q="sampah")) == (["Bank sampah sekolah"], ["Perwal Bank Sampah"])
    html = Client().get("/guidance/shared/", {"region": "33.74"}).content.decode()
    assert "Kampung tematik" in html
    assert "Bank sampah sekolah" not in html
    # A value that names nothing is ignored, not an error.
    assert Client().get("/guidance/shared/", {"sector": "999"}).status_code == 200


def _share(client: Client, practice: Practice, value: str = "1") -> int:
    return client.post(
        f"/staff/guidance/practices/{practice.pk}/share/", {"shared": value}
    ).status_code


def test_the_regions_cooperation_office_shares_and_withdraws(world: World) -> None:
    practice = world.practice("Bank sampah sekolah")
    client = signed_in(world.magelang_officer)
    assert _share(client, practice) == 302
    practice.refresh_from_db()
    assert practice.shared is True
    assert practice.history.first().history_user == world.magelang_officer
    assert "Bank sampah sekolah" in Client().get("/guidance/shared/").content.decode()
    assert _share(client, practice, "0") == 302
    practice.refresh_from_db()
    assert practice.shared is False


@pytest.mark.parametrize("who", ["magelang_agency_officer", "semarang_officer"])
def test_an_agency_officer_or_another_region_may_not_share(world: World, who: str) -> None:
    practice = world.practice("Bank sampah sekolah")
    before = practice.history.count()
    assert _share(signed_in(getattr(world, who)), practice) == 403
    practice.refresh_from_db()
    assert practice.shared is False
    assert practice.history.count() == before


def test_anonymous_visitors_and_get_requests_change_nothing(world: World) -> None:
    practice = world.practice("Bank sampah sekolah")
    response = Client().post(f"/staff/guidance/practices/{practice.pk}/share/", {"shared": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client = signed_in(world.magelang_officer)
    assert client.get(f"/staff/guidance/practices/{practice.pk}/share/").status_code == 405
    assert _share(client, Practice(pk=987654)) == 404
    practice.refresh_from_db()
    assert practice.shared is False


def test_the_staff_page_offers_sharing_to_the_cooperation_office_only(world: World) -> None:
    practice = world.practice("Bank sampah sekolah")
    action = f"/staff/guidance/practices/{practice.pk}/share/"
    officer_page = signed_in(world.magelang_officer).get("/staff/guidance/")
    assert officer_page.status_code == 200
    assert action in officer_page.content.decode()
    agency_page = signed_in(world.magelang_agency_officer).get("/staff/guidance/")
    assert agency_page.status_code == 200
    assert "Bank sampah sekolah" in agency_page.content.decode()
    assert action not in agency_page.content.decode()
