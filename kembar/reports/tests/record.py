"""A small hand-made record of Kota Semarang in 2025, whose report figures are known by hand.

Public partnerships of 33.74:

- ``smg-brisbane`` (active), MoU valid until 30 June 2026 (ends within 12 months
  of 31 December 2025), activity ``SMG-2025-01``;
- ``smg-busan`` (active), no agreement recorded, activity ``SMG-2025-02``;
- ``smg-toyama`` (agreement signed), MoU until 2030, last activity in 2023
  (no activity in the 12 months before the end of 2025).

Not counted: ``smg-internal`` (not public, exploration) and its 2025 activity,
and ``SMG-2024-01`` (of 2024).

Money of 2025 (IDR): APBD budget 150,000,000.00 + 30,000,000.25 = 180,000,000.25,
APBD spending 120,500,000.50, partner budget 10,000 AUD × 10,500.25 = 105,002,500.00;
totals 285,002,500.25 budgeted and 120,500,000.50 spent.

Local participants of 2025 (33 in all): SMG-2025-01 has students 12 women +
8 men (Semarang Tengah), government 6 men and business 3 women (Gayamsari);
SMG-2025-02 has 4 students from outside the city.  In public: students 24
shown, government and business hidden (3 < 5, and 6 hidden with it);
Semarang Tengah 20 shown, Gayamsari 9 and outside the city 4 hidden; women 19,
men 14; SMG-2025-02's 4 local participants hidden.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    DocumentKind,
    LifecycleState,
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
)
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    EconomicEffect,
    Indicator,
    IndicatorPeriod,
    ParticipantCount,
    Result,
)
from kembar.programs.rollup import rollup_rebuild
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

__all__ = ["Record", "record_build"]


@dataclass(frozen=True, slots=True)
class Record:
    officer: User
    council_member: User
    agency_officer: User
    other_officer: User
    brisbane: Partnership
    busan: Partnership
    toyama: Partnership
    internal: Partnership
    first: Activity
    second: Activity


def _document(partnership: Partnership, *, title: str, signed: dt.date, until: dt.date) -> None:
    sha256 = hashlib.sha256(title.encode()).hexdigest()
    PartnershipDocument.objects.create(
        partnership=partnership,
        kind=DocumentKind.objects.get(code="mou"),
        title=title,
        language="id+en",
        signed_on=signed,
        valid_from=signed,
        valid_until=until,
        file=f"documents/{signed.year}/{sha256}.pdf",
        sha256=sha256,
        size_bytes=1000,
        uploaded_at=dt.datetime(signed.year, signed.month, signed.day, 9, tzinfo=dt.UTC),
    )


def _budget(activity: Activity, source: str, kind: str, amount: str, rate: str = "1") -> None:
    BudgetLine.objects.create(
        activity=activity,
        source=source,
        kind=kind,
        amount=Decimal(amount),
        currency="IDR" if rate == "1" else "AUD",
        rate_to_idr=Decimal(rate),
        amount_idr=(Decimal(amount) * Decimal(rate)).quantize(Decimal("0.01")),
    )


def _people(activity: Activity, group: str, gender: str, age: str, home: str, count: int) -> None:
    ParticipantCount.objects.create(
        activity=activity,
        side="local",
        group=group,
        gender=gender,
        age_band=age,
        home_region=RegionFactory.create(kode=home) if home else None,
        count=count,
    )


def record_build() -> Record:
    lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    organisations = standard_organisations()
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    RegionFactory.create(kode="33.74.02", name="Gayamsari")
    active = LifecycleState.objects.get(code="active")
    signed = LifecycleState.objects.get(code="agreement_signed")

    def partnership(slug: str, name: str, iso2: str, state: LifecycleState, **extra: object):
        country = CountryFactory.create(iso2=iso2)
        return PartnershipFactory.create(
            slug=slug,
            partner_name=name,
            partner_country=country,
            partner_city=CityFactory.create(name=name, country=country),
            state=state,
            **extra,
        )

    brisbane = partnership("smg-brisbane", "Brisbane", "AU", active)
    busan = partnership("smg-busan", "Busan", "KR", active)
    toyama = partnership("smg-toyama", "Toyama", "JP", signed)
    internal = partnership(
        "smg-internal",
        "Secretville",
        "FR",
        LifecycleState.objects.get(code="exploration"),
        is_public=False,
    )
    _document(
        brisbane,
        title="MoU Semarang–Brisbane",
        signed=dt.date(2021, 7, 1),
        until=dt.date(2026, 6, 30),
    )
    _document(
        toyama, title="MoU Semarang–Toyama", signed=dt.date(2025, 2, 1), until=dt.date(2030, 1, 31)
    )
    PartnershipEvent.objects.create(
        partnership=brisbane,
        date=dt.date(2025, 3, 1),
        date_precision="day",
        kind="activity",
        detail_id="Kunjungan guru",
        detail_en="Teachers' visit",
    )

    sector = SectorFactory.create()
    first = ActivityFactory.create(
        reference="SMG-2025-01",
        partnership=brisbane,
        title_id="Pelatihan guru bahasa Inggris",
        title_en="English teacher training",
        start_date=dt.date(2025, 3, 3),
        end_date=dt.date(2025, 3, 7),
        participants_local=29,
        sector=sector,
    )
    second = ActivityFactory.create(
        reference="SMG-2025-02",
        partnership=busan,
        title_id="Festival budaya Busan",
        title_en="Busan culture festival",
        kind="festival",
        start_date=dt.date(2025, 9, 10),
        end_date=dt.date(2025, 9, 12),
        participants_local=4,
        sector=sector,
    )
    older = ActivityFactory.create(
        reference="SMG-2024-01",
        partnership=brisbane,
        start_date=dt.date(2024, 5, 6),
        end_date=dt.date(2024, 5, 7),
        sector=sector,
    )
    ActivityFactory.create(
        reference="SMG-2023-01",
        partnership=toyama,
        start_date=dt.date(2023, 5, 2),
        end_date=dt.date(2023, 5, 3),
        sector=sector,
    )
    hidden = ActivityFactory.create(
        reference="SMG-2025-99",
        partnership=internal,
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2025, 4, 1),
        sector=sector,
    )

    _budget(first, "apbd", "budget", "150000000.00")
    _budget(first, "apbd", "spending", "120500000.50")
    _budget(first, "partner", "budget", "10000", rate="10500.25")
    _budget(second, "apbd", "budget", "30000000.25")
    _budget(older, "apbd", "budget", "999.00")
    _budget(hidden, "apbd", "budget", "777.00")
    Contribution.objects.create(
        activity=first, side="partner", form="expertise", description="Guru tamu"
    )

    _people(first, "students_youth", "female", "15-24", "33.74.01", 12)
    _people(first, "students_youth", "male", "15-24", "33.74.01", 8)
    _people(first, "government", "male", "25-44", "33.74.02", 6)
    _people(first, "business", "female", "25-44", "33.74.02", 3)
    _people(second, "students_youth", "female", "15-24", "", 4)
    _people(hidden, "students_youth", "female", "15-24", "33.74.01", 50)
    rollup_rebuild()

    result = Result.objects.create(activity=first, level="output", title="Guru terlatih")
    for title, unit, target, actual in (
        ("Modul pelatihan selesai", "modul", "10", "8"),
        ("Sekolah mitra", "sekolah", "4", "5"),
    ):
        indicator = Indicator.objects.create(result=result, title=title, unit=unit)
        IndicatorPeriod.objects.create(
            indicator=indicator,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            target=Decimal(target),
            actual=Decimal(actual),
        )

    EconomicEffect.objects.create(
        activity=first,
        kind="visitor_spending",
        sector=sector,
        year=2025,
        visitors=10,
        days=3,
        spending_per_day_idr=Decimal("500000"),
        amount_idr=Decimal("15000000"),
        source="Survei pengunjung",
    )
    EconomicEffect.objects.create(
        activity=first,
        kind="export_contract",
        sector=sector,
        year=2025,
        amount=Decimal("2000000000"),
        amount_idr=Decimal("2000000000"),
        source="Kontrak ekspor",
    )

    def user(name: str, role: str, organisation: object) -> User:
        return UserFactory.create(username=name, role=role, organisation=organisation)

    return Record(
        officer=user("officer", Role.COOPERATION_OFFICER, organisations.semarang),
        council_member=user("council", Role.COUNCIL_MEMBER, organisations.dprd_semarang),
        agency_officer=user("agency", Role.AGENCY_OFFICER, organisations.dinas_pendidikan),
        other_officer=user("magelang", Role.COOPERATION_OFFICER, organisations.magelang),
        brisbane=brisbane,
        busan=busan,
        toyama=toyama,
        internal=internal,
        first=first,
        second=second,
    )
