"""The public reach dashboard draws Semarang's 16 kecamatan, and a filter changes the map.

The kecamatan and their 2022 populations come from the shipped Semarang file;
two partnerships reach different kecamatan, so choosing one partnership
empties the other's kecamatan on the map and in the table.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.models import Region, RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

from .test_lifecycle import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed() -> None:
    orgs = standard_organisations()
    path = (
        django_settings.KEMBAR_DATA_DIR / "semarang/semarang_penduduk_per_kecamatan_2012_2022.csv"
    )
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region = RegionFactory.create(kode=row["kode_kemendagri"], name=row["kecamatan"])
            RegionPopulation.objects.create(
                region=region, year=2022, kind="observed", population=int(row["2022"]), source="BPS"
            )
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    for slug, kode, count in (("smg-brisbane", "33.74.01", 40), ("smg-nanjing", "33.74.10", 25)):
        partnership = PartnershipFactory.create(slug=slug, partner_name=slug.split("-")[1].title())
        activity_save(
            actor=officer,
            data=ActivityData(
                reference=f"{slug}-1",
                partnership=partnership,
                kind="seminar",
                title_id="Seminar",
                agency=orgs.dinas_pendidikan,
                start_date=dt.date(2024, 2, 1),
                end_date=dt.date(2024, 2, 1),
                status="completed",
                sector=SectorFactory.create(),
                government_affair=GovernmentAffairFactory.create(),
                participants_local=count,
            ),
            participants=[
                ParticipantRow(
                    "local", "government", "female", "25-44", count, Region.objects.get(kode=kode)
                )
            ],
        )


def district_classes(page: Any) -> dict[str, str]:
    return dict(
        page.locator("#reach-map path.reach-district").evaluate_all(
            "paths => paths.map(p => [p.dataset.kode, p.getAttribute('class')])"
        )
    )


def test_map_draws_16_kecamatan_and_a_filter_changes_it(live_server: Any, page: Any) -> None:
    seed()
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/insights/reach/")
    page.wait_for_selector("#reach-map[data-districts='16']")

    classes = district_classes(page)
    assert len(classes) == 16
    assert "reach-none" not in classes["33.74.01"]
    assert "reach-none" not in classes["33.74.10"]
    assert "reach-none" in classes["33.74.14"]

    page.select_option("#id_partnership", "smg-nanjing")
    page.locator("#reach-filters button[type='submit']").click()
    page.wait_for_url("**partnership=smg-nanjing**")
    page.wait_for_selector("#reach-map[data-districts='16']")

    classes = district_classes(page)
    assert "reach-none" in classes["33.74.01"]
    assert "reach-none" not in classes["33.74.10"]
    table = page.locator("#reach-districts tr[data-kode='33.74.01'] td").all_inner_texts()
    assert table[1] == "0"
    assert violations == []
