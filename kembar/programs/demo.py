"""Demonstration activities for Semarang's real partnerships, 2016–2026.

``demo_generate(seed=N)`` fills activities, money, participants, results and
trip reports under the partnerships that ``load_reference`` loads, so that the
dashboards and analyses have something true to life to show before agencies
report real activities.  It is reproducible (the same seed gives the same
records, whatever day it runs) and deliberately unequal, as cooperation
usually is:

- activities only in plausible years: after a letter of intent, signing,
  revival or the start of a programme, few while a partnership is exploratory,
  none for the dormant (Beihai) and the merely listed (Split), online only in
  2020–2021;
- participants come mostly from the central kecamatan (Semarang Tengah,
  Semarang Selatan, Semarang Timur …) and from government, then academia and
  students; Mijen and Tugu are never reached; about 60 % men;
- money partly in the partner's currency (AUD, CNY, KRW, EUR) and USD from
  private sponsors, at plausible yearly rates; contributions both ways;
- results on the standard indicators, and trip reports for outbound visits.

Every record is marked: ``Activity.is_demo`` (the children belong to a demo
activity), references start with ``DEMO-``, titles with ``[DEMO]``, and the
description says so.  Records are written by no user (``created_by`` empty)
and carry no history: nobody reported them.  They are still checked with the
same functions as the services (``activity_problems``,
``participant_problems``, ``budget_problems`` …), so every invariant of real
records holds.  Running it again replaces the previous demonstration set;
``demo_remove`` deletes the set and its history, and nothing else.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model

from kembar.accounts.models import Organisation, Role
from kembar.geo.models import Region, RegionLevel, RegionPopulation
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.activities import (
    ACTIVITY_FIELDS,
    TRAVEL_KINDS,
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    ResultRow,
    TravellerRow,
    activity_problems,
    budget_problems,
    contribution_problems,
    participant_problems,
    result_problems,
    to_idr,
)
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    BudgetLine,
    Contribution,
    CountSource,
    EconomicEffect,
    EffectConfidence,
    EffectKind,
    GovernmentAffair,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    ParticipantCount,
    ParticipantRollup,
    Result,
    SdgGoal,
    SdgTarget,
    Sector,
    StandardIndicator,
    Traveller,
    TripReport,
)
from kembar.programs.rollup import rollup_rebuild
from kembar.search.models import DocumentKind
from kembar.search.registry import reindex as search_reindex

__all__ = [
    "AS_OF",
    "FIRST_YEAR",
    "LAST_YEAR",
    "REFERENCE_PREFIX",
    "TITLE_PREFIX",
    "DemoError",
    "DemoInvalid",
    "DemoSummary",
    "DemoUnavailable",
    "activity_digest",
    "demo_generate",
    "demo_remove",
]

REFERENCE_PREFIX = "DEMO-"
TITLE_PREFIX = "[DEMO] "
FIRST_YEAR, LAST_YEAR = 2016, 2026
#: The day statuses are reckoned from (completed, ongoing, planned).  Fixed, so
#: that a seed gives the same records whatever day the command runs.
AS_OF = date(2026, 11, 1)
#: Years in which cooperation went online (COVID-19): seminars and trainings only.
ONLINE_YEARS = frozenset({2020, 2021})

KIND = ActivityKind
LOCAL = "local"
PARTNER = "partner"


class DemoError(Exception):
    """The demonstration set cannot be generated."""


class DemoUnavailable(DemoError):
    """The reference data the demonstration needs is missing (run ``load_reference``)."""


class DemoInvalid(DemoError):
    """A generated record fails the checks real records pass (a bug in this module)."""


# --- What is generated ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """How active a partnership plausibly was: expected activities in each year from ``first``."""

    code: str
    currency: str
    first: int
    counts: tuple[int, ...]

    def expected(self, year: int) -> int:
        index = year - self.first
        return self.counts[index] if 0 <= index < len(self.counts) else 0


#: By partnership slug, following the documented events (semarang_partnership_events.csv).
PLANS: dict[str, Plan] = {
    # Letter of intent 2016, MoU October 2018, delegation visits since: the busiest.
    "smg-nanjing": Plan("NJG", "CNY", 2016, (2, 3, 5, 10, 3, 3, 8, 10, 12, 13, 6)),
    # Agreement signed November 2016.
    "smg-junggu-ulsan": Plan("ULS", "KRW", 2017, (5, 7, 8, 2, 3, 6, 7, 8, 8, 4)),
    # Dormant from 1997, lapsed 2005, revived 2023 with a seminar series.
    "smg-brisbane": Plan("BNE", "AUD", 2023, (8, 10, 10, 5)),
    # Letters of intent in 2016 and 2023, no agreement: a little around each.
    "smg-fuzhou": Plan("FUZ", "CNY", 2016, (1, 1, 0, 0, 0, 0, 0, 3, 3, 4, 2)),
    # Exploration in April 2018 only.
    "smg-jiaxing": Plan("JXG", "CNY", 2018, (3, 2)),
    # EU IURC city pairing from 2021, a programme of about three years.
    "smg-sofia-iurc": Plan("SOF", "EUR", 2021, (6, 7, 5)),
    # smg-beihai (dormant since 2008) and smg-split (listed only): nothing.
}


@dataclass(frozen=True, slots=True)
class Theme:
    """What activities under one focus area are about and who runs them."""

    topic_id: str
    topic_en: str
    agency: str
    sector: int
    affair: str
    goals: tuple[int, ...]
    targets: tuple[str, ...]
    kinds: dict[str, int]


THEMES: dict[str, Theme] = {
    "education": Theme(
        "pendidikan",
        "education",
        "disdik-semarang",
        15,
        "1.01",
        (4,),
        ("4.7",),
        {KIND.EXCHANGE_INBOUND: 3, KIND.EXCHANGE_OUTBOUND: 3, KIND.TRAINING: 3, KIND.SEMINAR: 2},
    ),
    "scholarships": Theme(
        "beasiswa pendidikan tinggi",
        "higher-education scholarships",
        "disdik-semarang",
        15,
        "1.01",
        (4,),
        ("4.b",),
        {KIND.SCHOLARSHIP: 5, KIND.SEMINAR: 1},
    ),
    "human-resources": Theme(
        "pengembangan SDM aparatur",
        "civil-service development",
        "bagian-kerja-sama-semarang",
        14,
        "2.07",
        (8, 17),
        ("17.9",),
        {KIND.TRAINING: 4, KIND.EXCHANGE_OUTBOUND: 2, KIND.TECHNICAL_ASSISTANCE: 2},
    ),
    "urban-planning": Theme(
        "perencanaan kota",
        "urban planning",
        "bappeda-semarang",
        14,
        "1.03",
        (11,),
        ("11.3",),
        {
            KIND.TECHNICAL_ASSISTANCE: 3,
            KIND.SEMINAR: 3,
            KIND.EXCHANGE_OUTBOUND: 2,
            KIND.JOINT_PROJECT: 1,
        },
    ),
    "smart-city": Theme(
        "kota cerdas",
        "smart city",
        "bappeda-semarang",
        10,
        "2.16",
        (9, 11),
        ("9.c",),
        {
            KIND.SEMINAR: 3,
            KIND.TRAINING: 2,
            KIND.TECHNICAL_ASSISTANCE: 2,
            KIND.EXCHANGE_OUTBOUND: 1,
        },
    ),
    "green-city": Theme(
        "kota hijau",
        "green city",
        "bappeda-semarang",
        5,
        "2.11",
        (11, 13),
        ("11.6", "13.3"),
        {KIND.JOINT_PROJECT: 2, KIND.SEMINAR: 2, KIND.TECHNICAL_ASSISTANCE: 2},
    ),
    "health": Theme(
        "layanan kesehatan",
        "health services",
        "dinkes-semarang",
        16,
        "1.02",
        (3,),
        ("3.8",),
        {KIND.TRAINING: 3, KIND.EXCHANGE_INBOUND: 2, KIND.EXCHANGE_OUTBOUND: 2, KIND.SEMINAR: 1},
    ),
    "tourism": Theme(
        "pariwisata",
        "tourism",
        "disbudpar-semarang",
        9,
        "3.26",
        (8,),
        ("8.9",),
        {KIND.FESTIVAL: 2, KIND.EXPO: 2, KIND.EXCHANGE_INBOUND: 2, KIND.EXCHANGE_OUTBOUND: 1},
    ),
    "culture-and-tourism": Theme(
        "budaya dan pariwisata",
        "culture and tourism",
        "disbudpar-semarang",
        9,
        "3.26",
        (8, 11),
        ("8.9", "11.4"),
        {KIND.FESTIVAL: 3, KIND.EXCHANGE_INBOUND: 2, KIND.EXCHANGE_OUTBOUND: 1, KIND.EXPO: 1},
    ),
    "arts-and-culture": Theme(
        "seni dan budaya",
        "arts and culture",
        "disbudpar-semarang",
        17,
        "2.22",
        (11,),
        ("11.4",),
        {KIND.FESTIVAL: 4, KIND.EXCHANGE_INBOUND: 2, KIND.EXCHANGE_OUTBOUND: 2},
    ),
    "trade-and-investment": Theme(
        "perdagangan dan investasi",
        "trade and investment",
        "disdag-semarang",
        7,
        "3.30",
        (8, 17),
        ("8.3", "17.11"),
        {KIND.TRADE_MISSION: 3, KIND.EXPO: 3, KIND.SEMINAR: 1},
    ),
    "investment": Theme(
        "investasi",
        "investment",
        "disdag-semarang",
        13,
        "2.18",
        (8, 9),
        ("8.3",),
        {KIND.TRADE_MISSION: 2, KIND.SEMINAR: 2, KIND.EXPO: 1},
    ),
    "governance": Theme(
        "tata kelola pemerintahan",
        "governance",
        "bagian-kerja-sama-semarang",
        14,
        "2.16",
        (16,),
        ("16.6", "16.7"),
        {KIND.SEMINAR: 3, KIND.EXCHANGE_OUTBOUND: 2, KIND.TECHNICAL_ASSISTANCE: 1},
    ),
    "sport": Theme(
        "olahraga",
        "sport",
        "disbudpar-semarang",
        17,
        "2.19",
        (3,),
        (),
        {KIND.FESTIVAL: 2, KIND.EXCHANGE_INBOUND: 2, KIND.EXCHANGE_OUTBOUND: 2},
    ),
    "urban-mobility": Theme(
        "mobilitas perkotaan",
        "urban mobility",
        "bappeda-semarang",
        8,
        "2.15",
        (11,),
        ("11.2",),
        {
            KIND.TECHNICAL_ASSISTANCE: 3,
            KIND.SEMINAR: 2,
            KIND.TRAINING: 2,
            KIND.JOINT_PROJECT: 1,
            KIND.EXCHANGE_OUTBOUND: 1,
        },
    ),
}

#: Kinds in which our people go to the partner city (held there, nobody hosted).
ABROAD = frozenset({KIND.EXCHANGE_OUTBOUND, KIND.SCHOLARSHIP, KIND.TRADE_MISSION})

#: Title templates (Indonesian, English) by kind.
TITLES: dict[str, tuple[str, str]] = {
    KIND.EXCHANGE_INBOUND: (
        "Kunjungan delegasi {partner} tentang {topic_id}",
        "{partner} delegation visit on {topic_en}",
    ),
    KIND.EXCHANGE_OUTBOUND: (
        "Kunjungan kerja ke {partner}: {topic_id}",
        "Study visit to {partner}: {topic_en}",
    ),
    KIND.TRAINING: (
        "Pelatihan {topic_id} bersama {partner}",
        "Training on {topic_en} with {partner}",
    ),
    KIND.SCHOLARSHIP: ("Program {topic_id} di {partner}", "{topic_en} programme in {partner}"),
    KIND.TRADE_MISSION: ("Misi dagang ke {partner}", "Trade mission to {partner}"),
    KIND.EXPO: ("Pameran produk Semarang–{partner}", "Semarang–{partner} product expo"),
    KIND.FESTIVAL: ("Festival Semarang–{partner}: {topic_id}", "Semarang–{partner} festival"),
    KIND.TECHNICAL_ASSISTANCE: (
        "Pendampingan teknis {topic_id} dari {partner}",
        "Technical assistance on {topic_en} from {partner}",
    ),
    KIND.JOINT_PROJECT: (
        "Proyek bersama {topic_id} dengan {partner}",
        "Joint project on {topic_en} with {partner}",
    ),
    KIND.SEMINAR: (
        "Seminar {topic_id} Semarang–{partner}",
        "Semarang–{partner} seminar on {topic_en}",
    ),
}

#: Days an activity of each kind lasts (first and last day included).
DURATION: dict[str, tuple[int, int]] = {
    KIND.EXCHANGE_INBOUND: (3, 7),
    KIND.EXCHANGE_OUTBOUND: (4, 9),
    KIND.TRAINING: (2, 5),
    KIND.SCHOLARSHIP: (120, 300),
    KIND.TRADE_MISSION: (4, 7),
    KIND.EXPO: (3, 5),
    KIND.FESTIVAL: (2, 4),
    KIND.TECHNICAL_ASSISTANCE: (20, 90),
    KIND.JOINT_PROJECT: (90, 240),
    KIND.SEMINAR: (1, 2),
}

#: (local, partner) participant ranges by kind.
HEADCOUNT: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    KIND.EXCHANGE_INBOUND: ((20, 80), (6, 30)),
    KIND.EXCHANGE_OUTBOUND: ((4, 14), (0, 0)),
    KIND.TRAINING: ((15, 50), (2, 6)),
    KIND.SCHOLARSHIP: ((2, 8), (0, 0)),
    KIND.TRADE_MISSION: ((6, 18), (0, 0)),
    KIND.EXPO: ((40, 160), (4, 20)),
    KIND.FESTIVAL: ((50, 220), (8, 40)),
    KIND.TECHNICAL_ASSISTANCE: ((10, 35), (2, 6)),
    KIND.JOINT_PROJECT: ((12, 45), (2, 8)),
    KIND.SEMINAR: ((30, 120), (2, 10)),
}

GOVERNMENT, ACADEMIA, STUDENTS = "government", "academia", "students_youth"
BUSINESS, CIVIL, COMMUNITY, MEDIA = "business", "civil_society", "community", "media"

#: Stakeholder groups of local participants: government first, then academia and students.
LOCAL_GROUPS = {
    GOVERNMENT: 50,
    ACADEMIA: 14,
    STUDENTS: 12,
    BUSINESS: 8,
    COMMUNITY: 7,
    CIVIL: 6,
    MEDIA: 3,
}
GROUPS_BY_KIND: dict[str, dict[str, int]] = {
    KIND.SCHOLARSHIP: {STUDENTS: 85, ACADEMIA: 15},
    KIND.TRADE_MISSION: {GOVERNMENT: 55, BUSINESS: 45},
    KIND.EXPO: {GOVERNMENT: 35, BUSINESS: 35, COMMUNITY: 12, STUDENTS: 8, MEDIA: 5, ACADEMIA: 5},
    KIND.FESTIVAL: {GOVERNMENT: 30, COMMUNITY: 28, STUDENTS: 22, CIVIL: 10, MEDIA: 5, BUSINESS: 5},
}
PARTNER_GROUPS = {GOVERNMENT: 50, ACADEMIA: 20, BUSINESS: 15, STUDENTS: 10, CIVIL: 5}
#: Exchanges under education focus areas are student exchanges, with teachers and officials.
STUDENT_THEMES = frozenset({"education", "scholarships"})
STUDENT_EXCHANGES = frozenset({KIND.EXCHANGE_INBOUND, KIND.EXCHANGE_OUTBOUND})
STUDENT_EXCHANGE_GROUPS = (
    {STUDENTS: 45, GOVERNMENT: 30, ACADEMIA: 20, MEDIA: 5},
    {STUDENTS: 60, ACADEMIA: 25, GOVERNMENT: 15},
)
#: (male, female, not stated) by group: about 60/40 overall.
GENDERS: dict[str, tuple[int, int, int]] = {
    GOVERNMENT: (63, 35, 2),
    STUDENTS: (48, 50, 2),
}
DEFAULT_GENDERS = (55, 43, 2)
AGES: dict[str, dict[str, int]] = {
    GOVERNMENT: {"25-44": 55, "45-64": 43, "15-24": 2},
    ACADEMIA: {"25-44": 50, "45-64": 40, "65+": 5, "15-24": 5},
    STUDENTS: {"15-24": 80, "0-14": 15, "25-44": 5},
    BUSINESS: {"25-44": 55, "45-64": 35, "15-24": 5, "65+": 5},
    MEDIA: {"25-44": 70, "45-64": 25, "15-24": 5},
}
DEFAULT_AGES = {"0-14": 5, "15-24": 15, "25-44": 40, "45-64": 30, "65+": 10}

#: How much more likely a resident of each kecamatan is to take part than the
#: city's average resident: the central kecamatan around the city hall far
#: ahead, the periphery behind, Mijen and Tugu never reached.
REACH: dict[str, float] = {
    "Semarang Tengah": 30,
    "Semarang Selatan": 20,
    "Semarang Timur": 12,
    "Candisari": 5,
    "Gajahmungkur": 5,
    "Semarang Utara": 3,
    "Semarang Barat": 2,
    "Gayamsari": 1.5,
    "Tembalang": 1.5,
    "Banyumanik": 1,
    "Pedurungan": 0.5,
    "Ngaliyan": 0.5,
    "Genuk": 0.4,
    "Gunungpati": 0.4,
    "Mijen": 0,
    "Tugu": 0,
}
#: Share of local participants living outside the city.
FROM_OUTSIDE = 0.04

#: APBD budget range by kind, in millions of rupiah.
BUDGET_MILLIONS: dict[str, tuple[int, int]] = {
    KIND.EXCHANGE_INBOUND: (40, 250),
    KIND.EXCHANGE_OUTBOUND: (120, 450),
    KIND.TRAINING: (25, 150),
    KIND.SCHOLARSHIP: (60, 300),
    KIND.TRADE_MISSION: (150, 600),
    KIND.EXPO: (200, 900),
    KIND.FESTIVAL: (250, 1200),
    KIND.TECHNICAL_ASSISTANCE: (30, 200),
    KIND.JOINT_PROJECT: (150, 1500),
    KIND.SEMINAR: (15, 90),
}


def _yearly(rates: str) -> dict[int, Decimal]:
    return dict(zip(range(FIRST_YEAR, LAST_YEAR + 1), map(Decimal, rates.split()), strict=True))


#: Rupiah per unit, yearly averages 2016–2026, rounded (Bank Indonesia reference rates).
RATES: dict[str, dict[int, Decimal]] = {
    "AUD": _yearly("9950 10250 10500 9900 10000 10750 10300 10200 10350 10400 10550"),
    "CNY": _yearly("2005 1990 2150 2040 2100 2220 2210 2150 2200 2250 2310"),
    "KRW": _yearly("11.49 11.98 12.92 12.12 12.31 12.50 11.52 11.68 11.58 11.42 11.61"),
    "USD": _yearly("13310 13380 14240 14150 14580 14310 14850 15240 15850 16300 16550"),
    "EUR": _yearly("14730 15120 16810 15840 16630 16920 15630 16480 17150 18250 19000"),
}

#: The standard indicator each kind reports on (and a second one for some kinds).
INDICATORS: dict[str, tuple[str, ...]] = {
    KIND.EXCHANGE_INBOUND: ("partner_visitors_hosted",),
    KIND.EXCHANGE_OUTBOUND: ("staff_trained",),
    KIND.TRAINING: ("staff_trained",),
    KIND.SCHOLARSHIP: ("students_exchanged",),
    KIND.TRADE_MISSION: ("export_value_idr", "umkm_reached"),
    KIND.EXPO: ("umkm_reached", "export_value_idr"),
    KIND.FESTIVAL: ("partner_visitors_hosted",),
    KIND.TECHNICAL_ASSISTANCE: ("staff_trained", "policies_adopted"),
    KIND.JOINT_PROJECT: ("staff_trained", "policies_adopted"),
    KIND.SEMINAR: ("staff_trained",),
}
RESULT_TITLES = {
    "students_exchanged": "Pelajar dan mahasiswa belajar di kota mitra",
    "staff_trained": "Kapasitas aparatur meningkat",
    "partner_visitors_hosted": "Delegasi kota mitra dijamu",
    "umkm_reached": "UMKM menjangkau pasar kota mitra",
    "export_value_idr": "Ekspor ke kota mitra meningkat",
    "policies_adopted": "Praktik baik kota mitra diadopsi",
}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """How many demonstration records were written (or removed)."""

    seed: int | None = None
    removed: int = 0
    activities: int = 0
    participants_local: int = 0
    participants_partner: int = 0
    participant_rows: int = 0
    budget_lines: int = 0
    contributions: int = 0
    results: int = 0
    indicator_periods: int = 0
    disaggregations: int = 0
    trip_reports: int = 0
    travellers: int = 0
    economic_effects: int = 0
    by_partnership: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Reading what exists --------------------------------------------------------------------


class _Checker:
    """Who the checks run as: an administrator may report for any agency of the region.

    Only the checking functions see it; the records themselves are written by
    no user.
    """

    is_authenticated = True
    role = Role.ADMINISTRATOR
    organisation = None
    organisation_id = None


@dataclass(slots=True)
class _Context:
    region: Region
    partnerships: list[tuple[Partnership, Plan, list[FocusArea]]]
    kecamatan: list[Region]
    kecamatan_weights: list[float]
    agencies: dict[str, Organisation]
    council: Organisation | None
    sectors: dict[int, Sector]
    affairs: dict[str, GovernmentAffair]
    goals: dict[int, SdgGoal]
    targets: dict[str, SdgTarget]
    standards: dict[str, StandardIndicator]


def _population(kecamatan: Sequence[Region]) -> dict[str, int]:
    """The latest observed population of each kecamatan (else the 2025 register's)."""
    latest: dict[str, int] = {}
    figures = RegionPopulation.objects.filter(
        region__in=kecamatan, kind=RegionPopulation.Kind.OBSERVED
    ).order_by("region_id", "year")
    for figure in figures:
        latest[figure.region_id] = figure.population
    return {region.kode: latest.get(region.kode) or region.population or 1 for region in kecamatan}


def _context(local_region_id: str) -> _Context:
    region = Region.objects.filter(kode=local_region_id).first()
    if region is None:
        raise DemoUnavailable(f"No region {local_region_id}: run load_reference first.")
    partnerships = []
    for partnership in (
        Partnership.objects.filter(local_region=region, slug__in=PLANS)
        .prefetch_related("focus_areas")
        .order_by("slug")
    ):
        areas = sorted(partnership.focus_areas.all(), key=lambda area: area.slug)
        areas = [area for area in areas if area.slug in THEMES]
        if areas:
            partnerships.append((partnership, PLANS[partnership.slug], areas))
    if not partnerships:
        raise DemoUnavailable(
            f"None of the partnerships {', '.join(sorted(PLANS))} exists: run load_reference first."
        )
    kecamatan = list(
        Region.objects.filter(
            kode__startswith=f"{local_region_id}.", level=RegionLevel.DISTRICT
        ).order_by("kode")
    )
    population = _population(kecamatan)
    weights = [population[k.kode] * REACH.get(k.name, 1.0) for k in kecamatan]
    if not any(weights):
        raise DemoUnavailable(f"No kecamatan of {local_region_id}: run load_reference first.")
    agencies = {
        organisation.slug: organisation
        for organisation in Organisation.objects.select_related("parent")
        if organisation.home_region_id == local_region_id
    }
    missing = sorted({theme.agency for theme in THEMES.values()} - set(agencies))
    if missing:
        raise DemoUnavailable(f"Missing agencies: {', '.join(missing)}.")
    context = _Context(
        region=region,
        partnerships=partnerships,
        kecamatan=kecamatan,
        kecamatan_weights=weights,
        agencies=agencies,
        council=next((o for o in agencies.values() if o.kind == "council"), None),
        sectors={sector.code: sector for sector in Sector.objects.all()},
        affairs={affair.code: affair for affair in GovernmentAffair.objects.all()},
        goals={goal.code: goal for goal in SdgGoal.objects.all()},
        targets={target.code: target for target in SdgTarget.objects.select_related("goal")},
        standards={standard.code: standard for standard in StandardIndicator.objects.all()},
    )
    _require_codes(context)
    return context


def _require_codes(context: _Context) -> None:
    missing: list[str] = []
    for theme in THEMES.values():
        missing += [f"sector {theme.sector}"] * (theme.sector not in context.sectors)
        missing += [f"affair {theme.affair}"] * (theme.affair not in context.affairs)
        missing += [f"SDG {goal}" for goal in theme.goals if goal not in context.goals]
        missing += [f"SDG target {t}" for t in theme.targets if t not in context.targets]
    for codes in INDICATORS.values():
        missing += [f"indicator {code}" for code in codes if code not in context.standards]
    if missing:
        raise DemoUnavailable(f"Missing code-list entries: {', '.join(sorted(set(missing)))}.")


# --- Building -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Built:
    """One demonstration activity with everything under it, before it is written."""

    data: ActivityData
    participants: list[ParticipantRow]
    budget: list[BudgetRow]
    contributions: list[ContributionRow]
    results: list[ResultRow]
    trip: dict[str, Any] | None
    travellers: list[TravellerRow]


def _pick(rng: random.Random, weights: dict[str, Any]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _round(value: float, step: int) -> Decimal:
    return Decimal(max(step, round(value / step) * step))


def _dates(rng: random.Random, kind: str, year: int) -> tuple[date, date]:
    # Less happens in the fasting month and at the year's end; months weighted accordingly.
    month = rng.choices(range(1, 13), weights=[5, 7, 9, 8, 9, 6, 8, 9, 10, 10, 9, 4])[0]
    start = date(year, month, rng.randint(1, 28))
    low, high = DURATION[kind]
    end = start + timedelta(days=rng.randint(low, high) - 1)
    return start, min(end, date(LAST_YEAR, 12, 31))


def _status(rng: random.Random, start: date, end: date) -> tuple[str, str]:
    if end < AS_OF:
        if rng.random() < 0.04:
            return ActivityStatus.CANCELLED, "Dibatalkan karena jadwal kedua pihak tidak cocok."
        return ActivityStatus.COMPLETED, ""
    if start <= AS_OF:
        return ActivityStatus.ONGOING, ""
    return ActivityStatus.PLANNED, ""


def _local_people(
    rng: random.Random, context: _Context, groups: dict[str, int], total: int
) -> list[ParticipantRow]:
    cells: Counter[tuple[str, str, str, Region | None]] = Counter()
    for _person in range(total):
        group = _pick(rng, groups)
        weights = GENDERS.get(group, DEFAULT_GENDERS)
        gender = rng.choices(("male", "female", "unspecified"), weights)[0]
        age = _pick(rng, AGES.get(group, DEFAULT_AGES))
        home = (
            None
            if rng.random() < FROM_OUTSIDE
            else rng.choices(context.kecamatan, weights=context.kecamatan_weights)[0]
        )
        cells[(group, gender, age, home)] += 1
    return [
        ParticipantRow(
            side=LOCAL, group=group, gender=gender, age_band=age, home_region=home, count=count
        )
        for (group, gender, age, home), count in cells.items()
    ]


def _partner_people(rng: random.Random, groups: dict[str, int], total: int) -> list[ParticipantRow]:
    cells: Counter[tuple[str, str, str]] = Counter()
    for _person in range(total):
        group = _pick(rng, groups)
        gender = rng.choices(("male", "female", "unspecified"), (55, 43, 2))[0]
        cells[(group, gender, _pick(rng, AGES.get(group, DEFAULT_AGES)))] += 1
    return [
        ParticipantRow(side=PARTNER, group=group, gender=gender, age_band=age, count=count)
        for (group, gender, age), count in cells.items()
    ]


def _money(
    rng: random.Random, kind: str, status: str, year: int, currency: str, online: bool
) -> tuple[list[BudgetRow], BudgetRow | None]:
    """Budget lines, and the partner's line (if any) for the matching contribution."""
    low, high = BUDGET_MILLIONS[kind]
    apbd = _round(rng.uniform(low, high) * (0.25 if online else 1) * 1_000_000, 100_000)
    spent = status in (ActivityStatus.COMPLETED, ActivityStatus.ONGOING)
    rows = [BudgetRow(source="apbd", kind="budget", amount=apbd)]
    if spent:
        share = rng.uniform(0.55, 0.8) if status == ActivityStatus.ONGOING else rng.uniform(0.72, 1)
        rows.append(
            BudgetRow(source="apbd", kind="spending", amount=_round(float(apbd) * share, 1000))
        )
    partner_row = None
    if not online and rng.random() < 0.45:
        rate = RATES[currency][year]
        foreign = _round(float(apbd) * rng.uniform(0.2, 0.8) / float(rate), 10)
        note = "Dana dari kota mitra"
        rows.append(
            BudgetRow("partner", "budget", foreign, currency=currency, rate_to_idr=rate, note=note)
        )
        if spent:
            partner_row = BudgetRow(
                "partner",
                "spending",
                _round(float(foreign) * rng.uniform(0.8, 1), 10),
                currency=currency,
                rate_to_idr=rate,
                note=note,
            )
            rows.append(partner_row)
    if kind in (KIND.SCHOLARSHIP, KIND.EXCHANGE_OUTBOUND) and rng.random() < 0.15:
        rows.append(
            BudgetRow("apbn", "budget", _round(float(apbd) * rng.uniform(0.1, 0.4), 100_000))
        )
    if kind in (KIND.TRADE_MISSION, KIND.EXPO) and rng.random() < 0.3:
        rate = RATES["USD"][year]
        sponsor = _round(rng.uniform(2_000, 25_000), 100)
        rows.append(
            BudgetRow(
                "private",
                "spending" if spent else "budget",
                sponsor,
                currency="USD",
                rate_to_idr=rate,
                note="Sponsor swasta",
            )
        )
    return rows, partner_row


def _contributions(
    rng: random.Random,
    kind: str,
    partner_name: str,
    agency: Organisation,
    partner: BudgetRow | None,
) -> list[ContributionRow]:
    rows: list[ContributionRow] = []
    if kind in ABROAD:
        rows.append(
            ContributionRow(
                "partner", "in_kind", f"Akomodasi dan transportasi lokal di {partner_name}"
            )
        )
    else:
        value = _round(rng.uniform(5, 60) * 1_000_000, 100_000)
        rows.append(ContributionRow("local", "in_kind", "Tempat dan logistik kegiatan", value))
    if rng.random() < 0.5:
        rows.append(ContributionRow("local", "expertise", f"Narasumber dari {agency.name}"))
    if kind not in (KIND.SCHOLARSHIP,) and rng.random() < 0.6:
        rows.append(ContributionRow("partner", "expertise", f"Tenaga ahli dari {partner_name}"))
    if partner is not None:
        rows.append(
            ContributionRow(
                "partner",
                "funds",
                f"Dana dari {partner_name}",
                partner.amount,
                currency=partner.currency,
                rate_to_idr=partner.rate_to_idr,
            )
        )
    return rows


def _by_gender(rows: Sequence[ParticipantRow], groups: set[str] | None) -> Counter[str]:
    return Counter(
        {
            gender: sum(
                row.count
                for row in rows
                if row.gender == gender and (groups is None or row.group in groups)
            )
            for gender in ("female", "male", "unspecified")
        }
    )


def _results(
    rng: random.Random,
    context: _Context,
    codes: Sequence[str],
    status: str,
    start: date,
    end: date,
    people: list[ParticipantRow],
) -> list[ResultRow]:
    if status == ActivityStatus.CANCELLED:
        return []
    reported = status != ActivityStatus.PLANNED
    local = [row for row in people if row.side == LOCAL]
    partner = [row for row in people if row.side == PARTNER]
    rows: list[ResultRow] = []
    for code in codes:
        genders: Counter[str] | None = None
        if code == "students_exchanged":
            genders = _by_gender(people, {STUDENTS})
        elif code == "staff_trained":
            genders = _by_gender(local, {GOVERNMENT})
        elif code == "partner_visitors_hosted":
            genders = _by_gender(partner, None)
        if genders is not None:
            actual = Decimal(sum(genders.values()))
            expected = Decimal(max(1, round(float(actual) * rng.uniform(0.8, 1.25))))
        elif code == "umkm_reached":
            expected = Decimal(rng.randint(5, 40))
            actual = Decimal(sum(row.count for row in local if row.group == BUSINESS))
        elif code == "export_value_idr":
            expected = _round(rng.uniform(0.5, 12) * 1e9, 1_000_000)
            actual = _round(float(expected) * rng.uniform(0.3, 1.4), 1_000_000)
        else:  # policies_adopted, for some technical assistance and joint projects
            if rng.random() > 0.45:
                continue
            expected, actual = Decimal(1), Decimal(rng.choice((0, 1, 1, 2)))
        if reported and not actual and code != "policies_adopted":
            continue  # nobody of that group took part: nothing to report
        standard = context.standards[code]
        disaggregation = (
            {("gender", g): Decimal(n) for g, n in sorted(genders.items()) if n}
            if reported and genders
            else {}
        )
        rows.append(
            ResultRow(
                level=standard.level,
                result_title=RESULT_TITLES[code],
                indicator_title=standard.name_id,
                unit=standard.unit_id,
                higher_is_better=standard.higher_is_better,
                standard=standard,
                period_start=start,
                period_end=end,
                target=expected,
                actual=actual if reported else None,
                disaggregation=disaggregation,
            )
        )
    return rows


def _trip(
    context: _Context,
    kind: str,
    status: str,
    start: date,
    end: date,
    partner_name: str,
    agency: Organisation,
    people: list[ParticipantRow],
    budget: list[BudgetRow],
    rng: random.Random,
) -> tuple[dict[str, Any] | None, list[TravellerRow]]:
    if kind not in TRAVEL_KINDS or status != ActivityStatus.COMPLETED:
        return None, []
    counts = Counter[str]()
    for row in people:
        if row.side == LOCAL:
            counts[row.group] += row.count
    government = counts.pop(GOVERNMENT, 0)
    business = counts.pop(BUSINESS, 0)
    others = sum(counts.values())
    council = min(rng.choice((0, 0, 1, 2)), max(0, government - 1))
    staff = government - council - (1 if government else 0)
    travellers = [
        TravellerRow(role, organisation, count)
        for role, organisation, count in (
            ("Kepala perangkat daerah", agency.name, 1 if government else 0),
            ("Staf", agency.name, staff),
            ("Anggota DPRD", context.council.name if context.council else "DPRD", council),
            ("Pelaku usaha", "UMKM Kota Semarang", business),
            ("Akademisi dan pelajar", "Perguruan tinggi dan sekolah di Semarang", others),
        )
        if count > 0
    ]
    spent = next(
        (row.amount for row in budget if (row.source, row.kind) == ("apbd", "spending")),
        Decimal(0),
    )
    purpose = (
        f"Misi dagang ke {partner_name}: mempertemukan UMKM Semarang dengan pembeli."
        if kind == KIND.TRADE_MISSION
        else f"Kunjungan kerja ke {partner_name} untuk mempelajari praktik baik."
    )
    report = {
        "purpose": purpose,
        "outputs": "Notulen pertemuan, daftar tindak lanjut, dan bahan paparan untuk pimpinan.",
        "days": (end - start).days + 1,
        "cost_idr": spent,
    }
    return report, travellers


def _activity(
    rng: random.Random,
    context: _Context,
    partnership: Partnership,
    plan: Plan,
    areas: list[FocusArea],
    year: int,
    number: int,
    seed: int,
) -> _Built:
    online = year in ONLINE_YEARS
    area = rng.choice(areas)
    theme = THEMES[area.slug]
    kinds = theme.kinds
    if online:
        kinds = {KIND.SEMINAR: 3, KIND.TRAINING: 2}
    kind = _pick(rng, kinds)
    start, end = _dates(rng, kind, year)
    status, reason = _status(rng, start, end)
    abroad = kind in ABROAD
    place = (
        None
        if online or abroad
        else rng.choices(context.kecamatan, weights=context.kecamatan_weights)[0]
    )
    (local_low, local_high), (partner_low, partner_high) = HEADCOUNT[kind]
    local_groups = GROUPS_BY_KIND.get(kind, LOCAL_GROUPS)
    partner_groups = PARTNER_GROUPS
    codes = INDICATORS[kind]
    if area.slug in STUDENT_THEMES and kind in STUDENT_EXCHANGES:
        local_groups, partner_groups = STUDENT_EXCHANGE_GROUPS
        codes = ("students_exchanged", *codes)
    people: list[ParticipantRow] = []
    local_total = partner_total = 0
    if status in (ActivityStatus.COMPLETED, ActivityStatus.ONGOING):
        local_total = rng.randint(local_low, local_high)
        partner_total = 0 if online else rng.randint(partner_low, partner_high)
        people = _local_people(rng, context, local_groups, local_total) + _partner_people(
            rng, partner_groups, partner_total
        )
    partner_name = partnership.partner_name
    agency = context.agencies[theme.agency]
    template_id, template_en = TITLES[kind]
    words = {"partner": partner_name, "topic_id": theme.topic_id, "topic_en": theme.topic_en}
    suffix_id = " (daring)" if online else ""
    suffix_en = " (online)" if online else ""
    data = ActivityData(
        reference=f"{REFERENCE_PREFIX}{plan.code}-{year}-{number:02d}",
        partnership=partnership,
        kind=kind,
        title_id=TITLE_PREFIX + template_id.format(**words) + suffix_id,
        title_en=TITLE_PREFIX + template_en.format(**words) + suffix_en,
        description_id=(
            f"Data demonstrasi yang dibangkitkan Kembar (seed {seed}); bukan kegiatan nyata."
        ),
        description_en=(
            f"Demonstration data generated by Kembar (seed {seed}); not a real activity."
        ),
        agency=agency,
        start_date=start,
        end_date=end,
        status=status,
        cancellation_reason=reason,
        place_region=place,
        in_partner_city=abroad,
        sector=context.sectors[theme.sector],
        government_affair=context.affairs[theme.affair],
        sdg_goals=[context.goals[goal] for goal in theme.goals],
        sdg_targets=[context.targets[target] for target in theme.targets],
        focus_areas=[area],
        participants_local=local_total,
        participants_partner=partner_total,
    )
    budget, partner_line = _money(rng, kind, status, year, plan.currency, online)
    contributions = (
        []
        if status in (ActivityStatus.PLANNED, ActivityStatus.CANCELLED)
        else _contributions(rng, kind, partner_name, agency, partner_line)
    )
    results = _results(rng, context, codes, status, start, end, people)
    trip, travellers = _trip(
        context, kind, status, start, end, partner_name, agency, people, budget, rng
    )
    return _Built(data, people, budget, contributions, results, trip, travellers)


def _build(rng: random.Random, context: _Context, seed: int) -> list[_Built]:
    built: list[_Built] = []
    for partnership, plan, areas in context.partnerships:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            expected = plan.expected(year)
            if not expected:
                continue
            count = max(1, expected + rng.choice((-1, 0, 0, 1)))
            for number in range(1, count + 1):
                built.append(_activity(rng, context, partnership, plan, areas, year, number, seed))
    return built


def _allocate(weights: Sequence[int], total: int) -> list[int]:
    """``total`` split in proportion to ``weights``, largest remainders first (ties: order).

    >>> _allocate([2, 3, 5], 20), _allocate([1, 1, 1], 4)
    ([4, 6, 10], [2, 1, 1])
    """
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda index: (counts[index] - shares[index], index))
    for index in order[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _build_scaled(
    rng: random.Random, context: _Context, seed: int, activities: int
) -> list[_Built]:
    """Exactly ``activities`` activities, spread over partnerships and years as the plans say."""
    slots = [
        (partnership, plan, areas, year)
        for partnership, plan, areas in context.partnerships
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
        if plan.expected(year)
    ]
    counts = _allocate([slot[1].expected(slot[3]) for slot in slots], activities)
    built: list[_Built] = []
    for (partnership, plan, areas, year), count in zip(slots, counts, strict=True):
        for number in range(1, count + 1):
            built.append(_activity(rng, context, partnership, plan, areas, year, number, seed))
    return built


def _check(item: _Built, local_region_id: str) -> None:
    """The same checks the services make; a demonstration record must pass them all."""
    problems: dict[str, Any] = {}
    problems.update(activity_problems(item.data, user=_Checker(), instance=None))
    found = participant_problems(
        item.participants,
        local_region_id=local_region_id,
        local_total=item.data.participants_local,
        partner_total=item.data.participants_partner,
    )
    problems.update({f"participants {key}": value for key, value in found.items()})
    problems.update({f"budget {k}": v for k, v in budget_problems(item.budget).items()})
    problems.update(
        {f"contribution {k}": v for k, v in contribution_problems(item.contributions).items()}
    )
    for row in item.results:
        problems.update({f"result {k}": v for k, v in result_problems(row).items()})
    if problems:
        raise DemoInvalid(f"{item.data.reference}: {problems}")


# --- Writing --------------------------------------------------------------------------------


def _write(items: list[_Built]) -> dict[str, int]:
    activities = [
        Activity(
            is_demo=True,
            created_by=None,
            **{name: getattr(item.data, name) for name in ("reference", *ACTIVITY_FIELDS)},
        )
        for item in items
    ]
    Activity.objects.bulk_create(activities)
    goals, targets, areas = (
        Activity.sdg_goals.through,
        Activity.sdg_targets.through,
        Activity.focus_areas.through,
    )
    goals.objects.bulk_create(
        goals(activity_id=activity.pk, sdggoal_id=goal.pk)
        for activity, item in zip(activities, items, strict=True)
        for goal in item.data.sdg_goals
    )
    targets.objects.bulk_create(
        targets(activity_id=activity.pk, sdgtarget_id=target.pk)
        for activity, item in zip(activities, items, strict=True)
        for target in item.data.sdg_targets
    )
    areas.objects.bulk_create(
        areas(activity_id=activity.pk, focusarea_id=area.pk)
        for activity, item in zip(activities, items, strict=True)
        for area in item.data.focus_areas
    )
    counts = ParticipantCount.objects.bulk_create(
        row.for_activity(activity)
        for activity, item in zip(activities, items, strict=True)
        for row in item.participants
    )
    lines = BudgetLine.objects.bulk_create(
        BudgetLine(
            activity=activity,
            source=row.source,
            kind=row.kind,
            amount=row.amount,
            currency=row.currency,
            rate_to_idr=row.rate_to_idr,
            amount_idr=to_idr(row.amount, row.rate_to_idr),
            note=row.note,
        )
        for activity, item in zip(activities, items, strict=True)
        for row in item.budget
    )
    given = Contribution.objects.bulk_create(
        Contribution(
            activity=activity,
            side=row.side,
            form=row.form,
            description=row.description,
            value=row.value,
            currency=row.currency,
            rate_to_idr=row.rate_to_idr,
            value_idr=None if row.value is None else to_idr(row.value, row.rate_to_idr),
        )
        for activity, item in zip(activities, items, strict=True)
        for row in item.contributions
    )
    pairs = [
        (activity, row)
        for activity, item in zip(activities, items, strict=True)
        for row in item.results
    ]
    results = Result.objects.bulk_create(
        Result(activity=activity, level=row.level, title=row.result_title)
        for activity, row in pairs
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            result=result,
            standard=row.standard,
            title=row.indicator_title,
            unit=row.unit,
            higher_is_better=row.higher_is_better,
        )
        for result, (_activity, row) in zip(results, pairs, strict=True)
    )
    periods = IndicatorPeriod.objects.bulk_create(
        IndicatorPeriod(
            indicator=indicator,
            period_start=row.period_start,
            period_end=row.period_end,
            target=row.target,
            actual=row.actual,
        )
        for indicator, (_activity, row) in zip(indicators, pairs, strict=True)
    )
    parts = IndicatorDisaggregation.objects.bulk_create(
        IndicatorDisaggregation(period=period, dimension=dimension, category=category, actual=value)
        for period, (_activity, row) in zip(periods, pairs, strict=True)
        for (dimension, category), value in row.disaggregation.items()
    )
    travelled = [
        (activity, item)
        for activity, item in zip(activities, items, strict=True)
        if item.trip is not None
    ]
    reports = TripReport.objects.bulk_create(
        TripReport(activity=activity, **(item.trip or {})) for activity, item in travelled
    )
    travellers = Traveller.objects.bulk_create(
        Traveller(report=report, role=row.role, organisation=row.organisation, count=row.count)
        for report, (_activity, item) in zip(reports, travelled, strict=True)
        for row in item.travellers
    )
    return {
        "participant_rows": len(counts),
        "budget_lines": len(lines),
        "contributions": len(given),
        "results": len(results),
        "indicator_periods": len(periods),
        "disaggregations": len(parts),
        "trip_reports": len(reports),
        "travellers": len(travellers),
    }


def demo_generate(
    *, seed: int, local_region_id: str = "33.74", activities: int | None = None
) -> DemoSummary:
    """Replace the demonstration set with the one ``seed`` gives; all or nothing.

    With ``activities`` the set has exactly that many activities, spread over
    the partnerships and years in proportion to the plans (the same seed and
    number give the same records); without, the plans' own numbers vary a
    little by seed (seed 1: 206 activities).
    """
    if activities is not None and activities < 1:
        raise DemoError("Ask for at least one activity.")
    rng = random.Random(seed)  # noqa: S311 -- reproducible sampling, not secrecy
    context = _context(local_region_id)
    with transaction.atomic():
        removed = demo_remove(reindex=False)
        items = (
            _build(rng, context, seed)
            if activities is None
            else _build_scaled(rng, context, seed, activities)
        )
        for item in items:
            _check(item, local_region_id)
        written = _write(items)
        effects_rng = random.Random(seed + 1)  # noqa: S311 -- reproducible sampling, not secrecy
        written["economic_effects"] = _write_effects(effects_rng)
        rollup_rebuild(demo_only=True)
        _search_reindex()
    by_partnership = Counter(item.data.partnership.slug for item in items)
    return DemoSummary(
        seed=seed,
        removed=removed,
        activities=len(items),
        participants_local=sum(item.data.participants_local for item in items),
        participants_partner=sum(item.data.participants_partner for item in items),
        by_partnership=dict(sorted(by_partnership.items())),
        **written,
    )


#: Plausible economic effects, by kind of activity: what each brought about.
VISITOR_KINDS = frozenset({"exchange_inbound", "festival", "expo", "seminar"})
ACCOMMODATION_AND_FOOD = 9
MANUFACTURING = 3


def _write_effects(rng: random.Random) -> int:
    """Export contracts from trade missions and partner visitors' spending, for the demo.

    Drawn from a random generator of their own (seed + 1), so the activities
    a seed gives are the same with or without them.  Completed activities
    only; amounts in rupiah of the activity's year.
    """
    effects = []
    demo = Activity.objects.filter(is_demo=True, status="completed").order_by("reference")
    for activity in demo:
        if activity.kind == "trade_mission":
            millions = round(rng.lognormvariate(7.0, 0.9))  # median ≈ Rp 1.1 billion
            amount = Decimal(millions) * 1_000_000
            effects.append(
                EconomicEffect(
                    activity=activity,
                    kind=EffectKind.EXPORT_CONTRACT,
                    sector_id=rng.choice([MANUFACTURING, MANUFACTURING, activity.sector_id]),
                    year=activity.start_date.year,
                    amount=amount,
                    amount_idr=amount,
                    confidence=EffectConfidence.REPORTED,
                    source="Demo: contracts reported after the mission",
                    is_demo=True,
                )
            )
        elif activity.kind in VISITOR_KINDS and activity.participants_partner >= 5:
            days = rng.randint(2, 5)
            per_day = Decimal(rng.randrange(900, 2600, 50)) * 1000
            effects.append(
                EconomicEffect(
                    activity=activity,
                    kind=EffectKind.VISITOR_SPENDING,
                    sector_id=ACCOMMODATION_AND_FOOD,
                    year=activity.start_date.year,
                    visitors=activity.participants_partner,
                    days=days,
                    spending_per_day_idr=per_day,
                    amount_idr=per_day * activity.participants_partner * days,
                    confidence=EffectConfidence.ESTIMATED,
                    source="Demo: visitors hosted × days × typical spending",
                    is_demo=True,
                )
            )
    EconomicEffect.objects.bulk_create(effects)
    return len(effects)


def _history_ids(model: type[Model], **lookup: Any) -> set[int]:
    """Primary keys of ``model`` rows, live or only in its history, matching ``lookup``."""
    history: Any = model.history  # type: ignore[attr-defined]
    live = set(model._default_manager.filter(**lookup).values_list("pk", flat=True))
    return live | set(history.filter(**lookup).values_list("id", flat=True))


#: Everything under a demonstration activity, children before parents, with the
#: path from each to the activity's ``is_demo``.
_DEMO_ROWS: list[tuple[type[Model], str]] = [
    (IndicatorDisaggregation, "period__indicator__result__activity__is_demo"),
    (IndicatorPeriod, "indicator__result__activity__is_demo"),
    (Indicator, "result__activity__is_demo"),
    (Result, "activity__is_demo"),
    (Traveller, "report__activity__is_demo"),
    (TripReport, "activity__is_demo"),
    (ParticipantCount, "activity__is_demo"),
    (BudgetLine, "activity__is_demo"),
    (Contribution, "activity__is_demo"),
    (EconomicEffect, "activity__is_demo"),
    (Activity.sdg_goals.through, "activity__is_demo"),
    (Activity.sdg_targets.through, "activity__is_demo"),
    (Activity.focus_areas.through, "activity__is_demo"),
    (Activity, "is_demo"),
]


def _search_reindex() -> None:
    """Rebuild the activities and trip reports in the search index.

    The demonstration set is written with ``bulk_create`` and removed with raw
    deletes, which send no signals, so the index would not follow on its own.
    """
    for kind in (DocumentKind.ACTIVITY, DocumentKind.TRIP_REPORT):
        search_reindex(kind)


def demo_remove(*, reindex: bool = True) -> int:
    """Delete every demonstration activity, everything under it and its history.

    Real activities are not touched: the selection is ``is_demo``, and every
    child belongs to one activity.  Returns the number of activities removed.

    The rows are deleted table by table, children first, without the ORM's
    per-row signals: those would only write a "deleted" history entry for
    each of thousands of rows, to be purged with the rest of the history of
    demonstration records a moment later.  A row of a table not listed here
    that still points at a demonstration activity makes the transaction fail
    (foreign keys are checked at commit) rather than being left orphaned.
    The search index is rebuilt for activities and trip reports at the end
    (unless ``reindex`` is false).
    """
    with transaction.atomic():
        demo = Activity.objects.filter(is_demo=True)
        removed = demo.count()
        ids = _history_ids(Activity, is_demo=True)
        results = _history_ids(Result, activity_id__in=ids)
        indicators = _history_ids(Indicator, result_id__in=results)
        periods = _history_ids(IndicatorPeriod, indicator_id__in=indicators)
        reports = _history_ids(TripReport, activity_id__in=ids)
        for model, path in _DEMO_ROWS:
            rows = model._default_manager.filter(**{path: True})
            rows._raw_delete(rows.db)
        ParticipantRollup.objects.filter(is_demo=True).delete()
        histories: list[tuple[Any, dict[str, Any]]] = [
            (IndicatorDisaggregation, {"period_id__in": periods}),
            (IndicatorPeriod, {"indicator_id__in": indicators}),
            (Indicator, {"result_id__in": results}),
            (Result, {"activity_id__in": ids}),
            (Traveller, {"report_id__in": reports}),
            (TripReport, {"activity_id__in": ids}),
            (ParticipantCount, {"activity_id__in": ids}),
            (BudgetLine, {"activity_id__in": ids}),
            (Contribution, {"activity_id__in": ids}),
            (EconomicEffect, {"activity_id__in": ids}),
            (Activity, {"id__in": ids}),
        ]
        for model, lookup in histories:
            model.history.filter(**lookup).delete()
        if reindex:  # demo_generate rebuilds the index once, at its end
            _search_reindex()
    return removed


def activity_digest(*, demo: bool) -> str:
    """SHA-256 over every demonstration (or real) activity and what the workbook holds of it.

    The activity's fields and who created it, its SDG goals, targets and
    focus areas, participant counts, budget lines, contributions and
    results (result, indicator, period), each by natural key and in a fixed
    order, so that an export, a deletion and an import of the same records
    give the same digest.  Trip reports, disaggregated values and economic
    effects are not in the workbook and not in the digest.
    """
    under = {"activity__is_demo": demo}
    tables: list[Any] = [
        Activity.objects.filter(is_demo=demo)
        .order_by("reference")
        .values_list(
            "reference",
            *(f"{name}_id" if name in _RELATIONS else name for name in ACTIVITY_FIELDS),
            "created_by_id",
        ),
        *(
            through.objects.filter(**under)
            .order_by("activity__reference", column)
            .values_list("activity__reference", column)
            for through, column in (
                (Activity.sdg_goals.through, "sdggoal_id"),
                (Activity.sdg_targets.through, "sdgtarget_id"),
                (Activity.focus_areas.through, "focusarea__slug"),
            )
        ),
        # The officers' counts, which the workbook holds (not those of registrations checked in).
        ParticipantCount.objects.filter(**under, source=CountSource.OFFICER)
        .order_by("activity__reference", "side", "group", "gender", "age_band", "home_region_id")
        .values_list(
            "activity__reference", "side", "group", "gender", "age_band", "home_region_id", "count"
        ),
        BudgetLine.objects.filter(**under)
        .order_by("activity__reference", "source", "kind")
        .values_list(
            "activity__reference",
            "source",
            "kind",
            "amount",
            "currency",
            "rate_to_idr",
            "amount_idr",
            "note",
        ),
        Contribution.objects.filter(**under)
        .order_by("activity__reference", "side", "form", "description")
        .values_list(
            "activity__reference",
            "side",
            "form",
            "description",
            "value",
            "currency",
            "rate_to_idr",
            "value_idr",
        ),
        IndicatorPeriod.objects.filter(indicator__result__activity__is_demo=demo)
        .order_by(
            "indicator__result__activity__reference",
            "indicator__result__level",
            "indicator__result__title",
            "indicator__title",
            "period_start",
        )
        .values_list(
            "indicator__result__activity__reference",
            "indicator__result__level",
            "indicator__result__title",
            "indicator__title",
            "indicator__standard_id",
            "indicator__unit",
            "indicator__higher_is_better",
            "indicator__baseline_year",
            "indicator__baseline_value",
            "period_start",
            "period_end",
            "target",
            "actual",
        ),
    ]
    hashed = hashlib.sha256()
    for rows in tables:
        for row in rows:
            hashed.update(repr(row).encode())
    return hashed.hexdigest()


#: The fields of :data:`ACTIVITY_FIELDS` that are relations (compared by their key).
_RELATIONS = frozenset({"partnership", "agency", "place_region", "sector", "government_affair"})
