"""The demonstration set: reproducible, unequal as real cooperation is, labelled, removable."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import Client

from kembar.accounts.models import Organisation, User
from kembar.geo.models import Region, RegionLevel
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.activities import (
    BudgetRow,
    ParticipantRow,
    budget_problems,
    participant_problems,
    to_idr,
)
from kembar.programs.demo import demo_generate, demo_remove
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    EconomicEffect,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    ParticipantCount,
    ParticipantRollup,
    Result,
    StandardIndicator,
    Traveller,
    TripReport,
)
from kembar.programs.rollup import rollup_differences

pytestmark = pytest.mark.django_db

#: What seed 1 gives on the shipped reference data.
PARTNERSHIPS = {
    "smg-brisbane": 34,
    "smg-fuzhou": 15,
    "smg-jiaxing": 5,
    "smg-junggu-ulsan": 57,
    "smg-nanjing": 76,
    "smg-sofia-iurc": 19,
}
SEED_1: dict[str, Any] = {
    "seed": 1,
    "removed": 0,
    "activities": 206,
    "participants_local": 9704,
    "participants_partner": 1344,
    "participant_rows": 8091,
    "budget_lines": 587,
    "contributions": 509,
    "results": 244,
    "indicator_periods": 244,
    "disaggregations": 442,
    "trip_reports": 41,
    "travellers": 151,
    "economic_effects": 80,
    "by_partnership": PARTNERSHIPS,
}


def digest(*, demo: bool = True) -> str:
    """Every demonstration (or real) row by natural keys, hashed."""
    under = {"activity__is_demo": demo}
    tables: list[Any] = [
        Activity.objects.filter(is_demo=demo)
        .order_by("reference")
        .values_list(
            "reference",
            "partnership__slug",
            "kind",
            "title_id",
            "title_en",
            "description_id",
            "description_en",
            "agency__slug",
            "start_date",
            "end_date",
            "status",
            "cancellation_reason",
            "place_region_id",
            "in_partner_city",
            "sector_id",
            "government_affair_id",
            "participants_local",
            "participants_partner",
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
        ParticipantCount.objects.filter(**under)
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
        IndicatorDisaggregation.objects.filter(period__indicator__result__activity__is_demo=demo)
        .order_by(
            "period__indicator__result__activity__reference",
            "period__indicator__result__title",
            "dimension",
            "category",
        )
        .values_list(
            "period__indicator__result__activity__reference",
            "period__indicator__result__level",
            "period__indicator__result__title",
            "period__indicator__title",
            "period__indicator__standard_id",
            "period__indicator__unit",
            "period__period_start",
            "period__period_end",
            "period__target",
            "period__actual",
            "dimension",
            "category",
            "actual",
        ),
        IndicatorPeriod.objects.filter(indicator__result__activity__is_demo=demo)
        .order_by("indicator__result__activity__reference", "indicator__result__title")
        .values_list(
            "indicator__result__activity__reference",
            "indicator__result__title",
            "target",
            "actual",
        ),
        Traveller.objects.filter(report__activity__is_demo=demo)
        .order_by("report__activity__reference", "organisation", "role")
        .values_list(
            "report__activity__reference",
            "report__purpose",
            "report__outputs",
            "report__days",
            "report__cost_idr",
            "role",
            "organisation",
            "count",
        ),
    ]
    hashed = hashlib.sha256()
    for rows in tables:
        for row in rows:
            hashed.update(repr(row).encode())
    return hashed.hexdigest()


def test_without_reference_data_nothing_is_generated() -> None:
    with pytest.raises(CommandError, match=r"No region 33\.74: run load_reference first"):
        call_command("generate_demo", "--seed", "1")

    assert Activity.objects.count() == 0


@pytest.mark.slow
def test_seed_1_gives_these_records_and_no_users(reference_db: None) -> None:
    users = User.objects.count()

    summary = demo_generate(seed=1)

    assert summary.as_dict() == SEED_1
    demo = Activity.objects.filter(is_demo=True)
    assert demo.count() == Activity.objects.count() == 206
    assert demo.aggregate(Sum("participants_local"), Sum("participants_partner")) == {
        "participants_local__sum": 9704,
        "participants_partner__sum": 1344,
    }
    assert (
        ParticipantCount.objects.count(),
        BudgetLine.objects.count(),
        TripReport.objects.count(),
    ) == (8091, 587, 41)
    assert User.objects.count() == users
    assert not demo.exclude(created_by=None).exists()
    # The reach summary sums exactly the local participants generated.
    assert rollup_differences() == []
    assert (
        ParticipantRollup.objects.filter(dimension="group").aggregate(Sum("participants"))[
            "participants__sum"
        ]
        == 9704
    )
    # Export contracts from trade missions and partner visitors' spending, labelled as demo.
    assert sorted(
        EconomicEffect.objects.values_list("kind").annotate(n=Count("id"), total=Sum("amount_idr"))
    ) == [
        ("export_contract", 10, Decimal("12779000000.00")),
        ("visitor_spending", 70, Decimal("6107100000.00")),
    ]
    assert not EconomicEffect.objects.filter(is_demo=False).exists()
    demo_remove()
    assert ParticipantRollup.objects.count() == 0
    assert EconomicEffect.objects.count() == EconomicEffect.history.count() == 0


@pytest.mark.slow
def test_same_seed_same_records_other_seed_other_records(reference_db: None) -> None:
    demo_generate(seed=1)
    first = digest()

    again = demo_generate(seed=1)  # replaces the set it finds

    assert again.removed == 206
    assert digest() == first
    demo_remove()
    assert Activity.objects.count() == 0
    demo_generate(seed=1)
    assert digest() == first
    other = demo_generate(seed=2)
    assert digest() != first
    assert other.activities != 206 or other.participants_local != 9704


@pytest.mark.slow
def test_every_record_passes_the_services_checks(reference_db: None) -> None:
    demo_generate(seed=1)

    activities = Activity.objects.filter(is_demo=True).prefetch_related(
        "participant_counts__home_region", "budget_lines", "results__indicators__periods"
    )
    for activity in activities:
        rows = [
            ParticipantRow(
                side=row.side,
                group=row.group,
                gender=row.gender,
                age_band=row.age_band,
                count=row.count,
                home_region=row.home_region,
            )
            for row in activity.participant_counts.all()
        ]
        assert (
            participant_problems(
                rows,
                local_region_id="33.74",
                local_total=activity.participants_local,
                partner_total=activity.participants_partner,
            )
            == {}
        ), activity.reference
        lines = list(activity.budget_lines.all())
        budget = [
            BudgetRow(line.source, line.kind, line.amount, line.currency, line.rate_to_idr)
            for line in lines
        ]
        assert budget_problems(budget) == {}, activity.reference
        assert all(line.amount_idr == to_idr(line.amount, line.rate_to_idr) for line in lines)
        if activity.status in ("completed", "ongoing"):
            assert activity.participants_local > 0, activity.reference
        else:
            assert (activity.participants_local, activity.participants_partner) == (0, 0)
    for period in IndicatorPeriod.objects.prefetch_related("disaggregations"):
        values = [part.actual for part in period.disaggregations.all()]
        assert not values or sum(values, Decimal(0)) == period.actual
    assert not Contribution.objects.filter(value__isnull=False, value_idr__isnull=True).exists()


@pytest.mark.slow
def test_labelled_wherever_they_appear(reference_db: None) -> None:
    demo_generate(seed=1)

    demo = Activity.objects.filter(is_demo=True)
    assert all(
        reference.startswith("DEMO-") for reference in demo.values_list("reference", flat=True)
    )
    for title_id, title_en, description_en in demo.values_list(
        "title_id", "title_en", "description_en"
    ):
        assert title_id.startswith("[DEMO] ") and title_en.startswith("[DEMO] ")
        assert description_en == (
            "Demonstration data generated by Kembar (seed 1); not a real activity."
        )
    body = Client().get("/api/v1/activities/?demo=true&page_size=500").json()
    assert body["count"] == 206
    assert {item["is_demo"] for item in body["results"]} == {True}
    assert Client().get("/api/v1/activities/?demo=false").json()["count"] == 0


@pytest.mark.slow
def test_plausible_years_and_places(reference_db: None) -> None:
    demo_generate(seed=1)

    demo = Activity.objects.filter(is_demo=True)
    assert demo.filter(start_date__lt=dt.date(2016, 1, 1)).count() == 0
    assert demo.filter(end_date__gt=dt.date(2026, 12, 31)).count() == 0
    first_year = {
        slug: min(demo.filter(partnership__slug=slug).values_list("start_date__year", flat=True))
        for slug in PARTNERSHIPS
    }
    # After the documented letter of intent, signing, revival or programme start.
    assert first_year == {
        "smg-brisbane": 2023,
        "smg-fuzhou": 2016,
        "smg-jiaxing": 2018,
        "smg-junggu-ulsan": 2017,
        "smg-nanjing": 2016,
        "smg-sofia-iurc": 2021,
    }
    assert not demo.filter(partnership__slug__in=["smg-beihai", "smg-split"]).exists()
    online = demo.filter(start_date__year__in=[2020, 2021])
    assert set(online.values_list("kind", flat=True)) == {"seminar", "training"}
    assert not online.filter(participants_partner__gt=0).exists()
    # Focus areas and agencies come from the partnership and Semarang's government.
    for activity in demo.prefetch_related("focus_areas", "partnership__focus_areas"):
        assert set(activity.focus_areas.all()) <= set(activity.partnership.focus_areas.all())
    assert set(demo.values_list("agency__slug", flat=True)) <= set(
        Organisation.objects.filter(parent__slug="pemkot-semarang").values_list("slug", flat=True)
    )
    abroad = demo.filter(kind__in=["exchange_outbound", "trade_mission", "scholarship"])
    assert not abroad.filter(in_partner_city=False).exists()
    reports = TripReport.objects.filter(activity__is_demo=True)
    assert set(reports.values_list("activity__kind", flat=True)) == {
        "exchange_outbound",
        "trade_mission",
    }
    assert not reports.exclude(activity__status="completed").exists()


@pytest.mark.slow
def test_reach_is_deliberately_unequal(reference_db: None) -> None:
    demo_generate(seed=1)

    local = ParticipantCount.objects.filter(activity__is_demo=True, side="local")
    by_kecamatan = Counter(
        dict(
            local.exclude(home_region=None)
            .values_list("home_region__name")
            .annotate(Sum("count"))
            .values_list("home_region__name", "count__sum")
        )
    )
    top_three = by_kecamatan.most_common(3)
    assert [name for name, _n in top_three] == [
        "Semarang Tengah",
        "Semarang Selatan",
        "Semarang Timur",
    ]
    assert sum(n for _name, n in top_three) / sum(by_kecamatan.values()) > 0.5
    kecamatan = set(
        Region.objects.filter(kode__startswith="33.74.", level=RegionLevel.DISTRICT).values_list(
            "name", flat=True
        )
    )
    assert len(kecamatan) == 16
    assert kecamatan - set(by_kecamatan) == {"Mijen", "Tugu"}
    by_group = Counter(
        dict(local.values_list("group").annotate(Sum("count")).values_list("group", "count__sum"))
    )
    assert [group for group, _n in by_group.most_common(2)] == ["government", "students_youth"]
    by_gender = Counter(
        dict(local.values_list("gender").annotate(Sum("count")).values_list("gender", "count__sum"))
    )
    assert 0.55 < by_gender["male"] / sum(by_gender.values()) < 0.65
    currencies = set(
        BudgetLine.objects.filter(activity__is_demo=True).values_list("currency", flat=True)
    )
    assert currencies == {"IDR", "AUD", "CNY", "KRW", "EUR", "USD"}
    sides = set(Contribution.objects.values_list("side", flat=True))
    assert sides == {"local", "partner"}
    assert set(Indicator.objects.values_list("standard_id", flat=True)) == set(
        StandardIndicator.objects.exclude(code="investment_realised_idr").values_list(
            "code", flat=True
        )
    )


@pytest.mark.slow
def test_remove_deletes_the_demonstration_and_nothing_else(reference_db: None) -> None:
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    real = Activity.objects.create(
        reference="SMG-BNE-2024-01",
        partnership=brisbane,
        kind="exchange_outbound",
        title_id="Kunjungan kerja ke Brisbane",
        agency=Organisation.objects.get(slug="bappeda-semarang"),
        start_date=dt.date(2024, 5, 6),
        end_date=dt.date(2024, 5, 10),
        status="completed",
        in_partner_city=True,
        sector_id=14,
        government_affair_id="1.03",
        participants_local=3,
    )
    real.sdg_goals.add(11)
    real.focus_areas.add(FocusArea.objects.get(slug="urban-planning"))
    ParticipantCount.objects.create(
        activity=real,
        side="local",
        group="government",
        gender="female",
        age_band="25-44",
        home_region_id="33.74.14",
        count=3,
    )
    BudgetLine.objects.create(
        activity=real,
        source="apbd",
        kind="spending",
        amount=Decimal(90_000_000),
        amount_idr=Decimal(90_000_000),
    )
    Contribution.objects.create(
        activity=real, side="partner", form="expertise", description="City planners"
    )
    result = Result.objects.create(activity=real, level="output", title="Planners trained")
    indicator = Indicator.objects.create(result=result, title="Staff", unit="orang")
    period = IndicatorPeriod.objects.create(
        indicator=indicator,
        period_start=dt.date(2024, 5, 6),
        period_end=dt.date(2024, 5, 10),
        actual=Decimal(3),
    )
    IndicatorDisaggregation.objects.create(
        period=period, dimension="gender", category="female", actual=Decimal(3)
    )
    report = TripReport.objects.create(
        activity=real, purpose="Study visit", outputs="Notes", days=5, cost_idr=Decimal(90_000_000)
    )
    Traveller.objects.create(report=report, role="Staf", organisation="Bappeda", count=3)
    before = digest(demo=False)
    real_history = Activity.history.filter(reference="SMG-BNE-2024-01").count()
    demo_generate(seed=1)
    # Someone edits a demonstration record: it now has history, which goes with it.
    edited = Activity.objects.get(reference="DEMO-BNE-2023-01")
    edited.title_en = "[DEMO] Edited"
    edited.save()

    out = StringIO()
    call_command("generate_demo", "--remove", stdout=out)

    assert out.getvalue() == "Removed 206 demonstration activities and all under them.\n"
    assert digest(demo=False) == before
    assert (
        Activity.objects.count(),
        ParticipantCount.objects.count(),
        BudgetLine.objects.count(),
        Contribution.objects.count(),
        Result.objects.count(),
        Indicator.objects.count(),
        IndicatorPeriod.objects.count(),
        IndicatorDisaggregation.objects.count(),
        TripReport.objects.count(),
        Traveller.objects.count(),
        Activity.sdg_goals.through.objects.count(),
        Activity.focus_areas.through.objects.count(),
    ) == (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
    assert not Activity.history.filter(is_demo=True).exists()
    assert Activity.history.count() == real_history
    assert demo_remove() == 0


@pytest.mark.slow
def test_command_prints_a_summary(reference_db: None) -> None:
    out = StringIO()

    call_command("generate_demo", "--seed", "1", stdout=out)
    call_command("generate_demo", "--seed", "1", stdout=out)

    assert out.getvalue().splitlines() == [
        "Demonstration set from seed 1: 206 activities (smg-brisbane 34, smg-fuzhou 15, "
        "smg-jiaxing 5, smg-junggu-ulsan 57, smg-nanjing 76, smg-sofia-iurc 19).",
        "  participants: 9704 local, 1344 partner people hosted, in 8091 breakdown rows",
        "  budget lines: 587; contributions: 509",
        "  results: 244 (244 indicator periods, 442 disaggregated values)",
        "  trip reports: 41 (151 traveller rows)",
        "  economic effects: 80",
        "Replaced the previous 206 demonstration activities.",
        "Demonstration set from seed 1: 206 activities (smg-brisbane 34, smg-fuzhou 15, "
        "smg-jiaxing 5, smg-junggu-ulsan 57, smg-nanjing 76, smg-sofia-iurc 19).",
        "  participants: 9704 local, 1344 partner people hosted, in 8091 breakdown rows",
        "  budget lines: 587; contributions: 509",
        "  results: 244 (244 indicator periods, 442 disaggregated values)",
        "  trip reports: 41 (151 traveller rows)",
        "  economic effects: 80",
    ]
