"""The activity services: every field's check, totals that must add up, idempotence, permissions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kembar.accounts.models import OrganisationKind, Role
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.tests.factories import FocusAreaFactory, PartnershipFactory
from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    ResultRow,
    TravellerRow,
    activity_budget_set,
    activity_contributions_set,
    activity_delete,
    activity_report_participants,
    activity_result_record,
    activity_save,
    trip_report_save,
)
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    IndicatorDisaggregation,
    IndicatorPeriod,
    ParticipantCount,
    TripReport,
)
from kembar.programs.tests.factories import (
    GovernmentAffairFactory,
    SdgTargetFactory,
    SectorFactory,
    StandardIndicatorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs() -> StandardOrganisations:
    return standard_organisations()


@pytest.fixture
def officer(orgs: StandardOrganisations) -> Any:
    return UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)


@pytest.fixture
def base(orgs: StandardOrganisations) -> ActivityData:
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    partnership = PartnershipFactory.create(slug="smg-brisbane", partner_city=orgs.partner_city)
    return ActivityData(
        reference="SMG-BNE-2024-01",
        partnership=partnership,
        kind="training",
        title_id="Pelatihan guru bahasa Inggris",
        title_en="English teacher training",
        agency=orgs.dinas_pendidikan,
        start_date=dt.date(2024, 3, 4),
        end_date=dt.date(2024, 3, 8),
        status="completed",
        sector=SectorFactory.create(),
        government_affair=GovernmentAffairFactory.create(),
        participants_local=30,
        participants_partner=2,
    )


def rows_30_2() -> list[ParticipantRow]:
    from kembar.geo.models import Region

    tengah = Region.objects.get(kode="33.74.01")
    return [
        ParticipantRow("local", "government", "female", "25-44", 18, tengah),
        ParticipantRow("local", "academia", "male", "45-64", 12, None),
        ParticipantRow("partner", "academia", "female", "25-44", 2, None),
    ]


def problems(call: Any) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()
    return {
        name: [str(m) for m in messages] for name, messages in caught.value.message_dict.items()
    }


def test_save_creates_everything_and_a_second_save_changes_nothing(
    base: ActivityData, officer: Any
) -> None:
    target = SdgTargetFactory.create()
    area = FocusAreaFactory.create()
    data = dataclasses.replace(base, sdg_targets=[target], focus_areas=[area])

    activity, changed = activity_save(actor=officer, data=data, participants=rows_30_2())

    assert changed is True
    assert activity.created_by == officer
    assert [goal.code for goal in activity.sdg_goals.all()] == [4]  # the target's goal is added
    assert ParticipantCount.objects.filter(activity=activity).count() == 3
    history = Activity.history.count() + ParticipantCount.history.count()

    again, changed_again = activity_save(actor=officer, data=data, participants=rows_30_2())

    assert (again.pk, changed_again) == (activity.pk, False)
    assert Activity.history.count() + ParticipantCount.history.count() == history


def test_an_edit_is_recorded_with_its_author(base: ActivityData, officer: Any) -> None:
    activity_save(actor=officer, data=base, participants=rows_30_2())
    activity, changed = activity_save(
        actor=officer,
        data=dataclasses.replace(base, title_en="Teacher training"),
        participants=None,
    )
    assert changed is True
    latest = activity.history.first()
    assert (latest.title_en, latest.history_user) == ("Teacher training", officer)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"reference": "has space"},
            "reference",
            "Use 1–40 letters, digits, hyphens or underscores, starting with a letter or digit.",
        ),
        ({"reference": "-x"}, "reference", None),
        ({"kind": "picnic"}, "kind", None),
        ({"status": "paused"}, "status", None),
        ({"title_id": "  "}, "title_id", "Give the title in Indonesian."),
        ({"title_en": "x" * 201}, "title_en", "At most 200 characters."),
        ({"end_date": dt.date(2024, 3, 1)}, "end_date", "The end date is before the start date."),
        ({"status": "cancelled"}, "cancellation_reason", "Say why the activity was cancelled."),
        ({"participants_local": -1}, "participants_local", "Give a whole number, 0 or more."),
    ],
)
def test_each_field_is_checked(
    base: ActivityData, officer: Any, change: dict[str, Any], field: str, message: str | None
) -> None:
    found = problems(lambda: activity_save(actor=officer, data=dataclasses.replace(base, **change)))
    assert field in found
    if message is not None:
        assert message in found[field]
    assert Activity.objects.count() == 0


def test_kind_message_lists_the_allowed_values(base: ActivityData, officer: Any) -> None:
    found = problems(
        lambda: activity_save(actor=officer, data=dataclasses.replace(base, kind="picnic"))
    )
    assert found["kind"] == [
        "“picnic” is not one of: exchange_inbound, exchange_outbound, training, scholarship, "
        "trade_mission, expo, festival, technical_assistance, joint_project, seminar, other."
    ]


def test_the_reference_is_the_natural_key(base: ActivityData, officer: Any) -> None:
    activity_save(actor=officer, data=base, participants=rows_30_2())
    activity, changed = activity_save(
        actor=officer, data=dataclasses.replace(base, title_id="Pelatihan guru"), participants=None
    )
    assert (Activity.objects.count(), changed, activity.title_id) == (1, True, "Pelatihan guru")


def test_place_must_be_in_the_city_and_not_also_abroad(base: ActivityData, officer: Any) -> None:
    tengah = RegionFactory.create(kode="33.74.01")
    magelang_kecamatan = RegionFactory.create(kode="33.71.01", name="Magelang Selatan")
    found = problems(
        lambda: activity_save(
            actor=officer,
            data=dataclasses.replace(base, place_region=tengah, in_partner_city=True),
        )
    )
    assert found["place_region"] == [
        "Choose either a place in the city or the partner city, not both."
    ]
    found = problems(
        lambda: activity_save(
            actor=officer, data=dataclasses.replace(base, place_region=magelang_kecamatan)
        )
    )
    assert found["place_region"] == [
        "Magelang Selatan is not a kecamatan or kelurahan of Kota Semarang."
    ]
    city = RegionFactory.create(kode="33.74")
    found = problems(
        lambda: activity_save(actor=officer, data=dataclasses.replace(base, place_region=city))
    )
    assert "place_region" in found


def test_kelurahan_is_a_valid_place(base: ActivityData, officer: Any) -> None:
    kelurahan = RegionFactory.create(kode="33.74.01.1001", name="Pekunden")
    activity, _ = activity_save(
        actor=officer,
        data=dataclasses.replace(base, place_region=kelurahan),
        participants=rows_30_2(),
    )
    assert activity.place_region_id == "33.74.01.1001"


def test_agency_must_belong_to_the_region(
    base: ActivityData, officer: Any, orgs: StandardOrganisations
) -> None:
    found = problems(
        lambda: activity_save(actor=officer, data=dataclasses.replace(base, agency=orgs.magelang))
    )
    assert found["agency"] == ["This body does not belong to the region's government."]


def test_agency_officer_reports_only_for_their_agency(
    base: ActivityData, orgs: StandardOrganisations
) -> None:
    own = UserFactory.create(role=Role.AGENCY_OFFICER, organisation=orgs.dinas_pendidikan)
    tourism = OrganisationFactory.create(
        slug="disbudpar-semarang", kind=OrganisationKind.AGENCY, parent=orgs.semarang
    )
    found = problems(
        lambda: activity_save(actor=own, data=dataclasses.replace(base, agency=tourism))
    )
    assert found["agency"] == ["You may report only for your own agency."]

    activity, _ = activity_save(actor=own, data=base, participants=rows_30_2())
    other = UserFactory.create(role=Role.AGENCY_OFFICER, organisation=tourism)
    with pytest.raises(PermissionDenied):
        activity_save(actor=other, data=dataclasses.replace(base, title_en="Changed"))
    activity.refresh_from_db()
    assert activity.title_en == "English teacher training"


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.COUNCIL_MEMBER, Role.PARTNER_COUNTERPART])
def test_roles_that_do_not_report_are_refused(
    base: ActivityData, orgs: StandardOrganisations, role: str
) -> None:
    organisation = orgs.partner_government if role == Role.PARTNER_COUNTERPART else orgs.semarang
    user = UserFactory.create(role=role, organisation=organisation)
    with pytest.raises(PermissionDenied):
        activity_save(actor=user, data=base, participants=rows_30_2())
    assert Activity.objects.count() == 0


def test_totals_must_add_up(base: ActivityData, officer: Any) -> None:
    found = problems(
        lambda: activity_save(
            actor=officer,
            data=dataclasses.replace(base, participants_local=31),
            participants=rows_30_2(),
        )
    )
    assert found == {
        "participants_local": [
            "The breakdown adds up to 30 but the total says 31: correct one of them."
        ]
    }
    assert ParticipantCount.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            ParticipantRow("local", "government", "female", "25-44", -3),
            "participants",
            "Row 4: Give a whole number, 0 or more.",
        ),
        (
            ParticipantRow("local", "aliens", "female", "25-44", 0),
            "participants",
            "Row 4: “aliens” is not one of: government, business, academia, students_youth, "
            "civil_society, community, media.",
        ),
        (
            ParticipantRow("local", "government", "female", "25-44", 0),
            "participants",
            "Row 4: The same group, gender, age band and kecamatan is already on row 1.",
        ),
    ],
)
def test_participant_rows_are_checked(
    base: ActivityData, officer: Any, row: ParticipantRow, field: str, message: str
) -> None:
    from kembar.geo.models import Region

    if row.group == "government" and row.count == 0:
        row = dataclasses.replace(row, home_region=Region.objects.get(kode="33.74.01"))
    found = problems(
        lambda: activity_save(actor=officer, data=base, participants=[*rows_30_2(), row])
    )
    assert message in found[field]


def test_partner_people_have_no_home_kecamatan(base: ActivityData, officer: Any) -> None:
    from kembar.geo.models import Region

    rows = rows_30_2()
    rows[2] = dataclasses.replace(rows[2], home_region=Region.objects.get(kode="33.74.01"))
    found = problems(lambda: activity_save(actor=officer, data=base, participants=rows))
    assert found["participants"] == [
        "Row 3: Partner people hosted come from outside the city: leave it empty."
    ]


def test_report_participants_replaces_the_breakdown(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    rows = [ParticipantRow("local", "community", "female", "15-24", 40)]
    changed = activity_report_participants(
        actor=officer, activity=activity, local_total=40, partner_total=0, rows=rows
    )
    assert changed is True
    assert list(activity.participant_counts.values_list("group", "count")) == [("community", 40)]
    assert (activity.participants_local, activity.participants_partner) == (40, 0)
    assert (
        activity_report_participants(
            actor=officer, activity=activity, local_total=40, partner_total=0, rows=rows
        )
        is False
    )


def test_budget_lines_convert_to_rupiah_and_are_checked(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    rows = [
        BudgetRow("apbd", "budget", Decimal("150000000")),
        BudgetRow("partner", "spending", Decimal("12500.50"), "AUD", Decimal("10421.5")),
    ]
    assert activity_budget_set(actor=officer, activity=activity, rows=rows) is True
    assert list(BudgetLine.objects.order_by("source").values_list("source", "amount_idr")) == [
        ("apbd", Decimal("150000000.00")),
        ("partner", Decimal("130273960.75")),
    ]
    assert activity_budget_set(actor=officer, activity=activity, rows=rows) is False

    bad = [
        BudgetRow("lottery", "budget", Decimal(1)),
        BudgetRow("apbd", "budget", Decimal("-5")),
        BudgetRow("apbn", "budget", Decimal("1.005")),
        BudgetRow("partner", "budget", Decimal(1), "XYZ", Decimal(2)),
        BudgetRow("private", "budget", Decimal(1), "IDR", Decimal(2)),
        BudgetRow("other", "budget", Decimal(1), "USD", Decimal(0)),
        BudgetRow("apbd", "budget", Decimal(1)),
    ]
    found = problems(lambda: activity_budget_set(actor=officer, activity=activity, rows=bad))
    assert found == {
        "source": [
            "Row 1: “lottery” is not one of: apbd, apbn, partner, private, other.",
            "Row 7: This source and kind is already on row 2: add the amounts up.",
        ],
        "amount": [
            "Row 2: An amount cannot be negative.",
            "Row 3: Give an amount below 10^17 with at most two decimals.",
        ],
        "currency": ["Row 4: “XYZ” is not an ISO 4217 currency code (IDR, USD, AUD …)."],
        "rate_to_idr": [
            "Row 5: An amount in IDR has the rate 1.",
            "Row 6: Give the rate to IDR, greater than 0.",
        ],
    }
    assert BudgetLine.objects.count() == 2


def test_contributions_each_way(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    rows = [
        ContributionRow("partner", "expertise", "Two trainers for a week"),
        ContributionRow("local", "in_kind", "Venue and meals", Decimal("8000000")),
    ]
    assert activity_contributions_set(actor=officer, activity=activity, rows=rows) is True
    assert list(Contribution.objects.order_by("side").values_list("side", "form", "value_idr")) == [
        ("local", "in_kind", Decimal("8000000.00")),
        ("partner", "expertise", None),
    ]
    found = problems(
        lambda: activity_contributions_set(
            actor=officer,
            activity=activity,
            rows=[ContributionRow("local", "funds", " "), ContributionRow("us", "funds", "x")],
        )
    )
    assert found == {
        "description": ["Row 1: Say what was given."],
        "side": ["Row 2: “us” is not one of: local, partner."],
    }


def test_results_period_and_disaggregation(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    standard = StandardIndicatorFactory.create(
        code="staff_trained", name_id="Aparatur yang dilatih"
    )
    row = ResultRow(
        level="output",
        result_title="Guru terlatih",
        indicator_title="",
        unit="",
        standard=standard,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        target=Decimal(25),
        actual=Decimal(30),
        baseline_year=2023,
        baseline_value=Decimal(0),
        disaggregation={("gender", "female"): Decimal(18), ("gender", "male"): Decimal(12)},
    )
    assert activity_result_record(actor=officer, activity=activity, row=row) is True
    period = IndicatorPeriod.objects.get()
    assert (period.indicator.title, period.indicator.unit, period.actual) == (
        "Aparatur yang dilatih",
        "orang",
        Decimal("30.0000"),
    )
    assert IndicatorDisaggregation.objects.count() == 2
    assert activity_result_record(actor=officer, activity=activity, row=row) is False

    wrong = dataclasses.replace(
        row,
        level="vibe",
        result_title="",
        period_end=dt.date(2023, 1, 1),
        baseline_year=1066,
        disaggregation={("gender", "female"): Decimal(10)},
    )
    found = problems(lambda: activity_result_record(actor=officer, activity=activity, row=wrong))
    assert found == {
        "level": ["“vibe” is not one of: output, outcome, impact."],
        "result_title": ["Name the result."],
        "period_end": ["The period ends before it starts."],
        "baseline_year": ["Give a year between 1900 and 2100."],
        "disaggregation": ["The values by gender add up to 10, not to the actual 30."],
    }
    nothing = dataclasses.replace(row, target=None, actual=None, disaggregation={})
    assert problems(
        lambda: activity_result_record(actor=officer, activity=activity, row=nothing)
    ) == {"target": ["Give a target, an actual value, or both."]}


def test_trip_reports_only_for_travel(base: ActivityData, officer: Any) -> None:
    training, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    found = problems(
        lambda: trip_report_save(
            actor=officer,
            activity=training,
            purpose="x",
            outputs="y",
            days=3,
            cost_idr=Decimal(1),
            travellers=[TravellerRow("Kepala Dinas", "Dinas Pendidikan")],
        )
    )
    assert list(found) == ["activity"]

    visit, _ = activity_save(
        actor=officer,
        data=dataclasses.replace(
            base,
            reference="SMG-BNE-2024-02",
            kind="exchange_outbound",
            in_partner_city=True,
            participants_local=0,
            participants_partner=0,
        ),
        participants=[],
    )
    found = problems(
        lambda: trip_report_save(
            actor=officer,
            activity=visit,
            purpose="",
            outputs="",
            days=0,
            cost_idr=Decimal(-1),
            travellers=[],
        )
    )
    assert found == {
        "purpose": ["Say what the trip was for."],
        "outputs": ["Say what the trip produced."],
        "days": ["Give the number of days away, 1 or more."],
        "cost_idr": ["An amount cannot be negative."],
        "travellers": ["Say who travelled (role and organisation)."],
    }
    report = trip_report_save(
        actor=officer,
        activity=visit,
        purpose="Study Brisbane's flood early-warning system",
        outputs="Draft SOP for Banjir Kanal Timur",
        days=5,
        cost_idr=Decimal("85000000"),
        travellers=[TravellerRow("Kepala Bidang", "Dinas Pekerjaan Umum", 2)],
    )
    assert (report.submitted_by, report.travellers.get().count) == (officer, 2)
    assert TripReport.objects.count() == 1


def test_delete_removes_children_and_keeps_history(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    activity_delete(actor=officer, activity=activity)
    assert (Activity.objects.count(), ParticipantCount.objects.count()) == (0, 0)
    assert Activity.history.filter(history_type="-").count() == 1


def test_precision_beyond_what_is_stored_is_refused(base: ActivityData, officer: Any) -> None:
    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    found = problems(
        lambda: activity_budget_set(
            actor=officer,
            activity=activity,
            rows=[BudgetRow("partner", "budget", Decimal(1), "USD", Decimal("15800.1234567"))],
        )
    )
    assert found == {"rate_to_idr": ["Row 1: Give a rate below 10^12 with at most six decimals."]}
    row = ResultRow(
        level="output",
        result_title="Guru terlatih",
        indicator_title="Guru",
        unit="orang",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        actual=Decimal("1.00001"),
    )
    found = problems(lambda: activity_result_record(actor=officer, activity=activity, row=row))
    assert found == {"actual": ["Give a value below 10^16 with at most four decimals."]}


def test_the_reach_summary_follows_every_change(base: ActivityData, officer: Any) -> None:
    from kembar.programs.models import ParticipantRollup
    from kembar.programs.rollup import rollup_differences

    activity, _ = activity_save(actor=officer, data=base, participants=rows_30_2())
    summary = dict(
        ParticipantRollup.objects.filter(dimension="district").values_list(
            "category", "participants"
        )
    )
    assert summary == {"33.74.01": 18, "": 12}
    assert dict(
        ParticipantRollup.objects.filter(dimension="group").values_list("category", "participants")
    ) == {"government": 18, "academia": 12}

    moved = dataclasses.replace(base, start_date=dt.date(2025, 1, 6), end_date=dt.date(2025, 1, 7))
    activity_save(actor=officer, data=moved)
    assert set(ParticipantRollup.objects.values_list("year", flat=True)) == {2025}
    activity_report_participants(
        actor=officer,
        activity=activity,
        local_total=5,
        partner_total=0,
        rows=[ParticipantRow("local", "media", "male", "15-24", 5)],
    )
    assert rollup_differences() == []
    assert ParticipantRollup.objects.get(dimension="group").category == "media"
    activity_delete(actor=officer, activity=activity)
    assert ParticipantRollup.objects.count() == 0
