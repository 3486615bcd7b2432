"""A small national record, built by hand, with its figures worked out below.

As of 2025-06-30 (:data:`AS_OF`).  Two provinces and three kabupaten/kota:

======  ===================  ==========  =================================================
kode    region               residents   partnerships
======  ===================  ==========  =================================================
33      Jawa Tengah          38,000,000  Queensland (AU): agreement signed 2010-01-01,
                                         lapsed 2015-12-31 → ended; Fujian (CN): no dated
                                         record, documented ``dormant`` → dormant
33.71   Kota Magelang           125,000  none
33.74   Kota Semarang         1,600,000  Brisbane (AU): training held 2023-09-01 (2 local
                                         participants), 2024-03-04 (25), 2025-05-01 (40) →
                                         active; Fuzhou (CN): a documented activity on
                                         2019-06-30 → active at the end of 2019, at risk
                                         2020–2021 (silence over 3 × 180 days), dormant from
                                         2022 (over 954 days); Kobe (JP): no dated record, at
                                         the stage ``dormant`` → dormant; Nanjing (CN): stage
                                         ``exploration``, documented ``listed_only`` → unknown
51      Bali                  4,000,000  none
51.71   Kota Denpasar           800,000  Darwin (AU): training held 2025-03-01 (3) → active
======  ===================  ==========  =================================================

Semarang's participants by year are 2, 25 and 40 (67 in all): 2023 is hidden (2
people) and so is 2024 (otherwise 2023 would be 67 − 25 − 40); 2025 and the total
are shown: 67 per 1,600,000 residents is 0.42 per 10,000, 40 in 2025 is 0.25.
Denpasar's 3 are hidden everywhere, with their rate.

Reports (PP 28/2018 Pasal 43, due 31 March of the next year): Semarang sent its
2024 report on 2025-03-20 (on time) and none for 2023 (missing); Jawa Tengah sent
2024's on 2025-04-15 (late) although its year rows owed none (its only dated
partnership had ended).  The latest period due by 2025-06-30 is 2024.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.geo.models import City, Region
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.national.models import ReportSubmission
from kembar.partnerships.models import LifecycleState, Partnership
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.programs.models import ParticipantCount
from kembar.programs.rollup import rollup_rebuild
from kembar.programs.tests.factories import ActivityFactory

AS_OF = dt.date(2025, 6, 30)

REGIONS = (
    ("33", "Jawa Tengah", 38_000_000, -7.2, 110.0),
    ("51", "Bali", 4_000_000, -8.4, 115.2),
    ("33.71", "Kota Magelang", 125_000, -7.48, 110.22),
    ("33.74", "Kota Semarang", 1_600_000, -7.0, 110.4),
    ("51.71", "Kota Denpasar", 800_000, -8.65, 115.22),
)


@dataclass
class Record:
    partnerships: dict[str, Partnership]
    users: dict[str, User]


COUNTRIES = (
    ("AU", "Australia", "Australia"),
    ("CN", "China", "Tiongkok"),
    ("JP", "Japan", "Jepang"),
)


def _city(name: str, country: str, latitude: float, longitude: float) -> City:
    return CityFactory.create(
        name=name,
        country=CountryFactory.create(iso2=country),
        latitude=latitude,
        longitude=longitude,
    )


def _partnership(slug: str, region: str, city: City, **fields: object) -> Partnership:
    return PartnershipFactory.create(
        slug=slug,
        local_region=Region.objects.get(kode=region),
        partner_city=city,
        partner_country=city.country,
        partner_name=city.name,
        **fields,
    )


def _held(partnership: Partnership, start: dt.date, people: int) -> None:
    activity = ActivityFactory.create(
        partnership=partnership,
        start_date=start,
        end_date=start,
        status="completed",
        participants_local=people,
    )
    ParticipantCount.objects.create(
        activity=activity,
        side="local",
        group="government",
        gender="female",
        age_band="25-44",
        count=people,
    )


def _users() -> dict[str, User]:
    semarang = Organisation.objects.get(slug="pemkot-semarang")
    province = OrganisationFactory.create(
        slug="pemprov-jateng",
        name="Pemerintah Provinsi Jawa Tengah",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=Region.objects.get(kode="33"),
    )
    partner = OrganisationFactory.create(
        slug="brisbane-city-council",
        name="Brisbane City Council",
        kind=OrganisationKind.PARTNER_GOVERNMENT,
        city=City.objects.get(name="Brisbane"),
    )
    kemendagri = OrganisationFactory.create(
        slug="kemendagri", name="Kementerian Dalam Negeri", kind=OrganisationKind.OTHER
    )
    return {
        "ministry": UserFactory.create(
            username="kemendagri", role=Role.MINISTRY, organisation=kemendagri
        ),
        "administrator": UserFactory.create(
            username="admin", role=Role.ADMINISTRATOR, organisation=None
        ),
        "officer": UserFactory.create(
            username="sari", role=Role.COOPERATION_OFFICER, organisation=semarang
        ),
        "agency": UserFactory.create(
            username="budi",
            role=Role.AGENCY_OFFICER,
            organisation=Organisation.objects.get(slug="disdik-semarang"),
        ),
        "partner": UserFactory.create(
            username="kate", role=Role.PARTNER_COUNTERPART, organisation=partner
        ),
        "supervisor": UserFactory.create(
            username="gubernur", role=Role.PROVINCE_SUPERVISOR, organisation=province
        ),
    }


def build_record() -> Record:
    """The record of the module's table, the reach summary rebuilt; not the national summaries."""
    for kode, name, population, latitude, longitude in REGIONS:
        region = RegionFactory.create(kode=kode, name=name)
        Region.objects.filter(kode=kode).update(
            population=population, population_year=2025, latitude=latitude, longitude=longitude
        )
        assert region.kode == kode
    for iso2, name_en, name_id in COUNTRIES:
        CountryFactory.create(iso2=iso2, name_en=name_en, name_id=name_id)
    dormant = LifecycleState.objects.create(
        code="dormant", name_id="Tidak aktif", name_en="Dormant", order=95
    )
    exploration = LifecycleState.objects.create(
        code="exploration", name_id="Penjajakan", name_en="Exploration", order=20
    )
    brisbane = _city("Brisbane", "AU", -27.47, 153.03)
    darwin = _city("Darwin", "AU", -12.46, 130.84)
    queensland = _city("Queensland", "AU", -20.9, 142.7)
    fuzhou = _city("Fuzhou", "CN", 26.06, 119.3)
    nanjing = _city("Nanjing", "CN", 32.06, 118.8)
    fujian = _city("Fujian", "CN", 26.0, 118.2)
    kobe = _city("Kobe", "JP", 34.69, 135.2)
    made = {
        "queensland": _partnership("jateng-queensland", "33", queensland),
        "fujian": _partnership("jateng-fujian", "33", fujian, documented_status="dormant"),
        "brisbane": _partnership("smg-brisbane", "33.74", brisbane),
        "fuzhou": _partnership("smg-fuzhou", "33.74", fuzhou),
        "kobe": _partnership("smg-kobe", "33.74", kobe, state=dormant),
        "nanjing": _partnership(
            "smg-nanjing", "33.74", nanjing, state=exploration, documented_status="listed_only"
        ),
        "darwin": _partnership("dps-darwin", "51.71", darwin),
    }
    PartnershipEventFactory.create(
        partnership=made["queensland"], date=dt.date(2010, 1, 1), kind="agreement_signed"
    )
    PartnershipEventFactory.create(
        partnership=made["queensland"], date=dt.date(2015, 12, 31), kind="agreement_lapsed"
    )
    PartnershipEventFactory.create(
        partnership=made["fuzhou"], date=dt.date(2019, 6, 30), kind="activity"
    )
    _held(made["brisbane"], dt.date(2023, 9, 1), 2)
    _held(made["brisbane"], dt.date(2024, 3, 4), 25)
    _held(made["brisbane"], dt.date(2025, 5, 1), 40)
    _held(made["darwin"], dt.date(2025, 3, 1), 3)
    rollup_rebuild()
    users = _users()
    ReportSubmission.objects.create(
        region_id="33.74",
        year=2024,
        sent_on=dt.date(2025, 3, 20),
        due_on=dt.date(2025, 3, 31),
        reference="500/123/2025",
        recorded_by=users["officer"],
    )
    ReportSubmission.objects.create(
        region_id="33",
        year=2024,
        sent_on=dt.date(2025, 4, 15),
        due_on=dt.date(2025, 3, 31),
        recorded_by=users["administrator"],
    )
    return Record(partnerships=made, users=users)
