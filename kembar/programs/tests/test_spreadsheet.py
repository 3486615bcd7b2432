from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory, standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import FocusAreaFactory, PartnershipFactory
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    ImportBatch,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    ParticipantCount,
    Result,
    TripReport,
)
from kembar.programs.spreadsheet import (
    COLUMNS,
    MAX_ROWS,
    ImportReport,
    Problem,
    activity_export,
    activity_import,
    activity_template_build,
)
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SdgGoalFactory,
    SdgTargetFactory,
    SectorFactory,
    StandardIndicatorFactory,
)

pytestmark = pytest.mark.django_db

REF = "SMG-BNE-2024-01"
REF2 = "SMG-BNE-2024-02"
NOT_A_TEMPLATE = (
    "This file is not an Excel workbook or a CSV file made from the Kembar template.",
    "Download the template, fill it in and upload that file.",
)
NOT_APPLIED = "Not applied"


@dataclass(frozen=True, slots=True)
class World:
    partnership: Partnership
    semarang: Organisation
    disdik: Organisation
    dinkes: Organisation
    officer: User
    agency_officer: User


@pytest.fixture
def world() -> World:
    """Semarang with two agencies, a partnership with Brisbane, its kecamatan and code lists."""
    organisations = standard_organisations()
    partnership = PartnershipFactory.create(
        slug="smg-brisbane",
        partner_name="Brisbane",
        partner_city=organisations.partner_city,
        partner_country=organisations.partner_city.country,
    )
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    RegionFactory.create(kode="33.74.02", name="Semarang Utara")
    RegionFactory.create(kode="33.74.01.1001", name="Sekayu")
    RegionFactory.create(kode="33.71.01", name="Magelang Selatan")
    SectorFactory.create()
    SectorFactory.create(code=9, kbli_sections="I", name_id="Akomodasi", name_en="Accommodation")
    GovernmentAffairFactory.create()
    goal17 = SdgGoalFactory.create(code=17, name_id="Kemitraan", name_en="Partnerships")
    SdgTargetFactory.create()
    SdgTargetFactory.create(code="17.17", goal=goal17, order=17, name_en="Partnerships")
    FocusAreaFactory.create()
    StandardIndicatorFactory.create()
    dinkes = OrganisationFactory.create(
        slug="dinkes-semarang",
        name="Dinas Kesehatan",
        kind=OrganisationKind.AGENCY,
        parent=organisations.semarang,
    )
    return World(
        partnership=partnership,
        semarang=organisations.semarang,
        disdik=organisations.dinas_pendidikan,
        dinkes=dinkes,
        officer=UserFactory.create(
            role=Role.COOPERATION_OFFICER, organisation=organisations.semarang
        ),
        agency_officer=UserFactory.create(
            role=Role.AGENCY_OFFICER, organisation=organisations.dinas_pendidikan
        ),
    )


# --- Building uploads -----------------------------------------------------------------------


def activity_row(reference: str = REF, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "reference": reference,
        "partnership": "smg-brisbane",
        "kind": "training",
        "title_id": "Pelatihan guru bahasa Inggris",
        "title_en": "English teacher training",
        "description_id": "",
        "description_en": "",
        "agency": "disdik-semarang",
        "start_date": dt.date(2024, 3, 4),
        "end_date": dt.date(2024, 3, 8),
        "status": "completed",
        "cancellation_reason": "",
        "place": "33.74.01",
        "in_partner_city": "no",
        "sector": 16,
        "government_affair": "1.01",
        "sdg_goals": "4; 17",
        "sdg_targets": "4.7; 17.17",
        "focus_areas": "education",
        "participants_local": 30,
        "participants_partner": 5,
    }
    row.update(changes)
    return row


def participant_rows(reference: str = REF) -> list[dict[str, Any]]:
    return [
        {
            "reference": reference,
            "side": "local",
            "group": "government",
            "gender": "female",
            "age_band": "25-44",
            "home_kecamatan": "33.74.01",
            "count": 20,
        },
        {
            "reference": reference,
            "side": "local",
            "group": "government",
            "gender": "male",
            "age_band": "25-44",
            "home_kecamatan": "33.74.02",
            "count": 10,
        },
        {
            "reference": reference,
            "side": "partner",
            "group": "academia",
            "gender": "female",
            "age_band": "45-64",
            "home_kecamatan": None,
            "count": 5,
        },
    ]


def full_sheets() -> dict[str, list[dict[str, Any]]]:
    """Two activities: a training with everything, and an outbound visit with no one counted."""
    return {
        "Kegiatan": [
            activity_row(),
            activity_row(
                REF2,
                kind="exchange_outbound",
                title_id="Kunjungan ke Brisbane",
                title_en="",
                status="planned",
                place=None,
                in_partner_city="yes",
                sector=9,
                sdg_goals=17,
                sdg_targets=None,
                focus_areas=None,
                participants_local=0,
                participants_partner=0,
                start_date=dt.date(2024, 9, 1),
                end_date=dt.date(2024, 9, 5),
            ),
        ],
        "Peserta": participant_rows(),
        "Anggaran": [
            {
                "reference": REF,
                "source": "apbd",
                "kind": "budget",
                "amount": 15_000_000,
                "currency": "IDR",
                "rate_to_idr": 1,
                "note": "Konsumsi",
            },
            {
                "reference": REF,
                "source": "partner",
                "kind": "spending",
                "amount": 1250.5,
                "currency": "AUD",
                "rate_to_idr": 10421.5,
                "note": "",
            },
        ],
        "Kontribusi": [
            {
                "reference": REF,
                "side": "partner",
                "form": "expertise",
                "description": "Two trainers for a week",
                "value": None,
                "currency": None,
                "rate_to_idr": None,
            }
        ],
        "Hasil": [
            {
                "reference": REF,
                "level": "output",
                "result": "Teachers trained",
                "indicator": None,
                "standard_indicator": "students_exchanged",
                "unit": None,
                "higher_is_better": "yes",
                "baseline_year": None,
                "baseline_value": None,
                "period_start": dt.date(2024, 3, 4),
                "period_end": dt.date(2024, 3, 8),
                "target": 30,
                "actual": 35,
            }
        ],
    }


def workbook(user: User, sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    """The template downloaded by ``user`` with ``sheets`` filled in from row 3."""
    book = load_workbook(io.BytesIO(activity_template_build(user=user)))
    for name, rows in sheets.items():
        sheet = book[name]
        keys = [cell.value for cell in sheet[1]]
        for offset, row in enumerate(rows):
            for key, value in row.items():
                sheet.cell(row=3 + offset, column=keys.index(key) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user: User, content: bytes, *, apply_valid: bool = False) -> ImportReport:
    with translation.override("en"):
        return activity_import(
            actor=user, filename="kegiatan.xlsx", content=content, apply_valid=apply_valid
        )


def located(problems: list[Problem]) -> list[tuple[str, int, str, str, str]]:
    """The problems other than "not applied" notes, as (sheet, row, column, letter, message)."""
    return [
        (p.sheet, p.row, p.column, p.letter, p.message)
        for p in problems
        if not p.message.startswith(NOT_APPLIED)
    ]


def table_counts() -> dict[str, int]:
    models: list[Any] = [
        Activity,
        ParticipantCount,
        BudgetLine,
        Contribution,
        Result,
        Indicator,
        IndicatorPeriod,
        IndicatorDisaggregation,
        TripReport,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts.update({f"history {model.__name__}": model.history.count() for model in models})
    counts["m2m goals"] = Activity.sdg_goals.through.objects.count()
    counts["m2m targets"] = Activity.sdg_targets.through.objects.count()
    counts["m2m focus"] = Activity.focus_areas.through.objects.count()
    return counts


def counts(**changed: dict[str, int]) -> dict[str, dict[str, int]]:
    result = {
        kind: {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
        for kind in ("activities", "participants", "budget_lines", "contributions", "results")
    }
    for kind, numbers in changed.items():
        result[kind].update(numbers)
    return result


# --- The template ---------------------------------------------------------------------------


def test_template_has_the_sheets_keys_and_labels(world: World) -> None:
    with translation.override("en"):
        book = load_workbook(io.BytesIO(activity_template_build(user=world.officer)))

    assert book.sheetnames == [
        "Petunjuk",
        "Kegiatan",
        "Peserta",
        "Anggaran",
        "Kontribusi",
        "Hasil",
        "Kode",
    ]
    for name, columns in COLUMNS.items():
        assert [cell.value for cell in book[name][1]] == [column.key for column in columns]
    assert [cell.value for cell in book["Kegiatan"][2]][:4] == [
        "Reference",
        "Partnership",
        "Kind of activity",
        "Title (Indonesian)",
    ]
    assert [cell.value for cell in book["Peserta"][1]] == [
        "reference",
        "side",
        "group",
        "gender",
        "age_band",
        "home_kecamatan",
        "count",
    ]
    assert book["Kode"].protection.sheet is True
    assert book["Petunjuk"]["A1"].value == "How to fill in this workbook"


def validations(book: Any, sheet: str) -> dict[str, str]:
    return {
        str(validation.sqref): validation.formula1
        for validation in book[sheet].data_validations.dataValidation
    }


def test_template_offers_dropdowns_for_the_coded_columns(world: World) -> None:
    book = load_workbook(io.BytesIO(activity_template_build(user=world.officer)))

    activities = validations(book, "Kegiatan")
    assert activities["B3:B50002"] == "Kode!$B$2:$B$2"  # partnership
    assert activities["C3:C50002"] == "Kode!$D$2:$D$12"  # kind: 11 kinds
    assert activities["H3:H50002"] == "Kode!$H$2:$H$4"  # agency: pemkot, disdik, dinkes
    assert activities["K3:K50002"] == "Kode!$F$2:$F$5"  # status
    assert activities["M3:M50002"] == "Kode!$J$2:$J$4"  # place: 2 kecamatan, 1 kelurahan
    assert activities["O3:O50002"] == "Kode!$N$2:$N$3"  # sector: 2 sectors
    assert activities["P3:P50002"] == "Kode!$P$2:$P$2"  # government affair: 1
    participants = validations(book, "Peserta")
    assert participants["C3:C50002"] == "Kode!$Z$2:$Z$8"  # group: 7 groups
    assert participants["D3:D50002"] == "Kode!$AB$2:$AB$4"  # gender: 3
    assert participants["F3:F50002"] == "Kode!$AF$2:$AF$3"  # home kecamatan: 2
    codes = book["Kode"]
    assert [codes.cell(row=n, column=1).value for n in range(1, 3)] == [
        "partnership",
        "smg-brisbane",
    ]
    assert [codes.cell(row=n, column=9).value for n in range(1, 5)] == [
        "place",
        "33.74.01",
        "33.74.01.1001",
        "33.74.02",
    ]
    assert [codes.cell(row=n, column=13).value for n in range(1, 4)] == ["sector", 9, 16]


def test_an_agency_officer_is_offered_only_their_own_agency(world: World) -> None:
    book = load_workbook(io.BytesIO(activity_template_build(user=world.agency_officer)))

    assert validations(book, "Kegiatan")["H3:H50002"] == "Kode!$H$2:$H$2"
    assert book["Kode"]["G2"].value == "disdik-semarang"
    assert book["Kode"]["H2"].value == world.disdik.name


# --- Applying a valid upload ----------------------------------------------------------------


def test_a_valid_workbook_is_applied(world: World) -> None:
    content = workbook(world.officer, full_sheets())

    report = upload(world.officer, content)

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.APPLIED
    assert report.counts == counts(
        activities={"created": 2},
        participants={"created": 3},
        budget_lines={"created": 2},
        contributions={"created": 1},
        results={"created": 1},
    )
    assert report.applied_references == [REF, REF2]
    assert report.rejected_references == []
    assert list(
        Activity.objects.order_by("reference").values_list(
            "reference",
            "partnership__slug",
            "kind",
            "title_id",
            "title_en",
            "agency__slug",
            "start_date",
            "end_date",
            "status",
            "place_region_id",
            "in_partner_city",
            "sector_id",
            "government_affair_id",
            "participants_local",
            "participants_partner",
            "created_by",
        )
    ) == [
        (
            REF,
            "smg-brisbane",
            "training",
            "Pelatihan guru bahasa Inggris",
            "English teacher training",
            "disdik-semarang",
            dt.date(2024, 3, 4),
            dt.date(2024, 3, 8),
            "completed",
            "33.74.01",
            False,
            16,
            "1.01",
            30,
            5,
            world.officer.pk,
        ),
        (
            REF2,
            "smg-brisbane",
            "exchange_outbound",
            "Kunjungan ke Brisbane",
            "",
            "disdik-semarang",
            dt.date(2024, 9, 1),
            dt.date(2024, 9, 5),
            "planned",
            None,
            True,
            9,
            "1.01",
            0,
            0,
            world.officer.pk,
        ),
    ]
    training = Activity.objects.get(reference=REF)
    assert sorted(training.sdg_goals.values_list("code", flat=True)) == [4, 17]
    assert sorted(training.sdg_targets.values_list("code", flat=True)) == ["17.17", "4.7"]
    assert list(training.focus_areas.values_list("slug", flat=True)) == ["education"]
    assert list(Activity.objects.get(reference=REF2).sdg_goals.values_list("code", flat=True)) == [
        17
    ]
    assert list(
        ParticipantCount.objects.order_by("side", "gender").values_list(
            "activity__reference", "side", "group", "gender", "age_band", "home_region_id", "count"
        )
    ) == [
        (REF, "local", "government", "female", "25-44", "33.74.01", 20),
        (REF, "local", "government", "male", "25-44", "33.74.02", 10),
        (REF, "partner", "academia", "female", "45-64", None, 5),
    ]
    assert list(
        BudgetLine.objects.order_by("source").values_list(
            "source", "kind", "amount", "currency", "rate_to_idr", "amount_idr", "note"
        )
    ) == [
        ("apbd", "budget", Decimal("15000000"), "IDR", Decimal(1), Decimal("15000000"), "Konsumsi"),
        (
            "partner",
            "spending",
            Decimal("1250.50"),
            "AUD",
            Decimal("10421.5"),
            Decimal("13032085.75"),
            "",
        ),
    ]
    assert list(
        Contribution.objects.values_list("side", "form", "description", "value", "currency")
    ) == [("partner", "expertise", "Two trainers for a week", None, "IDR")]
    assert list(
        IndicatorPeriod.objects.values_list(
            "indicator__result__level",
            "indicator__result__title",
            "indicator__title",
            "indicator__unit",
            "indicator__standard_id",
            "period_start",
            "period_end",
            "target",
            "actual",
        )
    ) == [
        (
            "output",
            "Teachers trained",
            "Pelajar dan mahasiswa yang dipertukarkan",
            "orang",
            "students_exchanged",
            dt.date(2024, 3, 4),
            dt.date(2024, 3, 8),
            Decimal(30),
            Decimal(35),
        )
    ]
    batch = ImportBatch.objects.get()
    assert report.batch == batch
    assert (batch.sha256, batch.filename, batch.uploaded_by, batch.outcome) == (
        hashlib.sha256(content).hexdigest(),
        "kegiatan.xlsx",
        world.officer,
        ImportBatch.Outcome.APPLIED,
    )
    assert batch.summary == report.counts
    assert batch.problem_count == 0
    assert bytes(batch.rejected_file) == b""
    assert Activity.history.filter(reference=REF).latest().history_user == world.officer


def test_the_same_file_again_changes_nothing(world: World) -> None:
    content = workbook(world.officer, full_sheets())
    upload(world.officer, content)
    before = table_counts()

    report = upload(world.officer, content)

    assert report.outcome == ImportBatch.Outcome.UNCHANGED
    assert report.problems == []
    assert report.changed == 0
    assert report.counts == counts(
        activities={"unchanged": 2},
        participants={"unchanged": 3},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert table_counts() == before
    assert list(ImportBatch.objects.values_list("outcome", flat=True)) == [
        ImportBatch.Outcome.UNCHANGED,
        ImportBatch.Outcome.APPLIED,
    ]


def test_another_file_with_the_same_values_changes_nothing(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    before = table_counts()
    sheets = full_sheets()
    # Dates as ISO text and the rows in another order make another file with the same values.
    sheets["Kegiatan"] = [
        {
            **row,
            "start_date": row["start_date"].isoformat(),
            "end_date": row["end_date"].isoformat(),
        }
        for row in reversed(sheets["Kegiatan"])
    ]
    sheets["Peserta"].reverse()
    content = workbook(world.officer, sheets)
    assert not ImportBatch.objects.filter(sha256=hashlib.sha256(content).hexdigest()).exists()

    report = upload(world.officer, content)

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.UNCHANGED
    assert report.changed == 0
    assert report.counts == counts(
        activities={"unchanged": 2},
        participants={"unchanged": 3},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert table_counts() == before


def test_changed_values_update_and_replace(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    sheets = full_sheets()
    sheets["Kegiatan"][0]["title_en"] = "Training of English teachers"
    first, second, third = participant_rows()
    sheets["Peserta"] = [first, {**second, "gender": "unspecified"}, third]
    sheets["Anggaran"] = sheets["Anggaran"][:1]

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.outcome == ImportBatch.Outcome.APPLIED
    assert report.counts == counts(
        activities={"updated": 1, "unchanged": 1},
        participants={"created": 1, "unchanged": 2, "removed": 1},
        budget_lines={"unchanged": 1, "removed": 1},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert Activity.objects.get(reference=REF).title_en == "Training of English teachers"
    assert sorted(ParticipantCount.objects.values_list("gender", flat=True)) == [
        "female",
        "female",
        "unspecified",
    ]
    assert list(BudgetLine.objects.values_list("source", flat=True)) == ["apbd"]


def test_the_export_round_trips(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    before = table_counts()

    report = upload(world.officer, activity_export(user=world.officer))

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.UNCHANGED
    assert report.counts == counts(
        activities={"unchanged": 2},
        participants={"unchanged": 3},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert table_counts() == before


# --- Problems, row by row -------------------------------------------------------------------

KINDS = (
    "exchange_inbound, exchange_outbound, training, scholarship, trade_mission, expo, festival, "
    "technical_assistance, joint_project, seminar, other"
)


@pytest.mark.parametrize(
    ("sheet", "index", "changes", "expected"),
    [
        (
            "Kegiatan",
            0,
            {"start_date": "next week"},
            [("Kegiatan", 3, "start_date", "I", "“next week” is not a date.")],
        ),
        (
            "Kegiatan",
            0,
            {"end_date": "2024-02-30"},
            [("Kegiatan", 3, "end_date", "J", "“2024-02-30” is not a date.")],
        ),
        (
            "Peserta",
            1,
            {"count": "ten"},
            [("Peserta", 4, "count", "G", "“ten” is not a whole number.")],
        ),
        (
            "Kegiatan",
            0,
            {"participants_local": 12.5},
            [("Kegiatan", 3, "participants_local", "T", "“12.5” is not a whole number.")],
        ),
        (
            "Kegiatan",
            0,
            {"sector": 99},
            [
                (
                    "Kegiatan",
                    3,
                    "sector",
                    "O",
                    "“99” is not a code of the list Sector (Input-Output table).",
                )
            ],
        ),
        (
            "Kegiatan",
            0,
            {"government_affair": "9.99"},
            [
                (
                    "Kegiatan",
                    3,
                    "government_affair",
                    "P",
                    "“9.99” is not a code of the list Government affair.",
                )
            ],
        ),
        (
            "Kegiatan",
            0,
            {"sdg_goals": "4; 18", "sdg_targets": "4.7; 4.99"},
            [
                ("Kegiatan", 3, "sdg_goals", "Q", "“18” is not a code of the list SDG goals."),
                (
                    "Kegiatan",
                    3,
                    "sdg_targets",
                    "R",
                    "“4.99” is not a code of the list SDG targets.",
                ),
            ],
        ),
        (
            "Kegiatan",
            0,
            {"place": "33.71.01"},
            [
                (
                    "Kegiatan",
                    3,
                    "place",
                    "M",
                    "Magelang Selatan is not a kecamatan or kelurahan of Kota Semarang.",
                )
            ],
        ),
        (
            "Peserta",
            1,
            {"home_kecamatan": "33.71.01"},
            [
                (
                    "Peserta",
                    4,
                    "home_kecamatan",
                    "F",
                    "33.71.01 Magelang Selatan is not a kecamatan of the city.",
                )
            ],
        ),
        (
            "Peserta",
            1,
            {"home_kecamatan": "33.74.99"},
            [
                (
                    "Peserta",
                    4,
                    "home_kecamatan",
                    "F",
                    "“33.74.99” is not a code of the list Home kecamatan.",
                )
            ],
        ),
        (
            "Kegiatan",
            0,
            {"partnership": "smg-atlantis"},
            [
                (
                    "Kegiatan",
                    3,
                    "partnership",
                    "B",
                    "“smg-atlantis” is not a partnership you may report for.",
                )
            ],
        ),
        (
            "Kegiatan",
            0,
            {"kind": "picnic"},
            [("Kegiatan", 3, "kind", "C", f"“picnic” is not one of: {KINDS}.")],
        ),
        (
            "Kegiatan",
            0,
            {"title_id": None},
            [
                (
                    "Kegiatan",
                    3,
                    "title_id",
                    "D",
                    "The cell is empty, but Title (Indonesian) is required.",
                )
            ],
        ),
        (
            "Kegiatan",
            0,
            {"in_partner_city": "maybe"},
            [("Kegiatan", 3, "in_partner_city", "N", "“maybe” is neither yes nor no.")],
        ),
        (
            "Peserta",
            1,
            {"count": -10},
            [
                (
                    "Kegiatan",
                    3,
                    "participants_local",
                    "T",
                    "The breakdown adds up to 20 but the total says 30: correct one of them.",
                ),
                ("Peserta", 4, "count", "G", "Give a whole number, 0 or more."),
            ],
        ),
        (
            "Kegiatan",
            0,
            {"participants_local": 35},
            [
                (
                    "Kegiatan",
                    3,
                    "participants_local",
                    "T",
                    "The breakdown adds up to 30 but the total says 35: correct one of them.",
                )
            ],
        ),
        (
            "Anggaran",
            0,
            {"amount": "1.500.000"},
            [("Anggaran", 3, "amount", "D", "“1.500.000” is not a number.")],
        ),
        (
            "Anggaran",
            1,
            {"amount": 1250.555},
            [("Anggaran", 4, "amount", "D", "“1250.555” has more than 2 decimals.")],
        ),
        (
            "Anggaran",
            1,
            {"currency": "XYZ"},
            [
                (
                    "Anggaran",
                    4,
                    "currency",
                    "E",
                    "“XYZ” is not an ISO 4217 currency code (IDR, USD, AUD …).",
                )
            ],
        ),
        (
            "Hasil",
            0,
            {"period_end": dt.date(2024, 3, 1)},
            [("Hasil", 3, "period_end", "K", "The period ends before it starts.")],
        ),
        (
            "Hasil",
            0,
            {"standard_indicator": None},
            [
                ("Hasil", 3, "indicator", "D", "Name the indicator or choose a standard one."),
                ("Hasil", 3, "unit", "F", "Give the unit (people, rupiah, policies …)."),
            ],
        ),
        (
            "Kontribusi",
            0,
            {"reference": "SMG-NOWHERE"},
            [
                (
                    "Kontribusi",
                    3,
                    "reference",
                    "A",
                    "There is no activity SMG-NOWHERE on the sheet Kegiatan or in Kembar.",
                )
            ],
        ),
    ],
)
def test_a_problem_is_reported_where_it_is(
    world: World,
    sheet: str,
    index: int,
    changes: dict[str, Any],
    expected: list[tuple[str, int, str, str, str]],
) -> None:
    sheets = full_sheets()
    sheets[sheet][index] = {**sheets[sheet][index], **changes}
    before = table_counts()

    report = upload(world.officer, workbook(world.officer, sheets))

    assert located(report.problems) == expected
    assert all(problem.fix for problem in report.problems)
    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert report.applied_references == []
    assert table_counts() == before
    assert ImportBatch.objects.get().problem_count == len(report.problems)


def test_problems_say_how_to_fix_them(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["start_date"] = "4 Maret"

    report = upload(world.officer, workbook(world.officer, sheets))

    assert [(p.place, p.message, p.fix) for p in report.problems][:2] == [
        (
            "Kegiatan!I3",
            "“4 Maret” is not a date.",
            "Enter a date, or write it as YYYY-MM-DD, e.g. 2024-03-04.",
        ),
        (
            "Peserta!A3",
            "Not applied: other rows of the activity SMG-BNE-2024-01 have problems (Kegiatan 3).",
            "Correct those rows; this one can stay as it is.",
        ),
    ]


def test_the_totals_fix_names_the_rows(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["participants_local"] = 35

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.problems[0].fix == (
        "Correct this total or the rows 3, 4, 5 of this activity on the sheet Peserta."
    )


def test_rows_of_an_activity_with_problems_are_not_applicable(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["sector"] = 99

    report = upload(world.officer, workbook(world.officer, sheets))

    note = "Not applied: other rows of the activity SMG-BNE-2024-01 have problems (Kegiatan 3)."
    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Kegiatan",
            3,
            "sector",
            "“99” is not a code of the list Sector (Input-Output table).",
        ),
        ("Peserta", 3, "reference", note),
        ("Peserta", 4, "reference", note),
        ("Peserta", 5, "reference", note),
        ("Anggaran", 3, "reference", note),
        ("Anggaran", 4, "reference", note),
        ("Kontribusi", 3, "reference", note),
        ("Hasil", 3, "reference", note),
    ]
    assert report.rejected_references == [REF]


@pytest.mark.parametrize(
    ("sheet", "row", "expected"),
    [
        (
            "Kegiatan",
            activity_row(title_id="Lagi"),
            ("Kegiatan", 5, "reference", "A", f"The reference {REF} is already on row 3."),
        ),
        (
            "Peserta",
            {**participant_rows()[0], "count": 0},
            (
                "Peserta",
                6,
                "side",
                "B",
                "The same side, group, gender, age band and kecamatan is already on row 3 for "
                "this activity.",
            ),
        ),
        (
            "Anggaran",
            {"reference": REF, "source": "apbd", "kind": "budget", "amount": 5},
            (
                "Anggaran",
                5,
                "source",
                "B",
                "This source and kind is already on row 3 for this activity.",
            ),
        ),
        (
            "Hasil",
            {**full_sheets()["Hasil"][0], "actual": 36},
            (
                "Hasil",
                4,
                "level",
                "B",
                "The same result, indicator and period start is already on row 3 for this "
                "activity.",
            ),
        ),
    ],
)
def test_a_row_given_twice_is_reported(
    world: World, sheet: str, row: dict[str, Any], expected: tuple[str, int, str, str, str]
) -> None:
    sheets = full_sheets()
    sheets[sheet].append(row)

    report = upload(world.officer, workbook(world.officer, sheets))

    assert located(report.problems) == [expected]
    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert Activity.objects.count() == 0


def test_an_agency_officer_may_not_report_for_another_agency(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][1]["agency"] = "dinkes-semarang"
    before = table_counts()

    report = upload(world.agency_officer, workbook(world.agency_officer, sheets))

    assert located(report.problems) == [
        ("Kegiatan", 4, "agency", "H", "You may report only for your own agency.")
    ]
    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert report.rejected_references == [REF2]
    assert table_counts() == before


def test_an_agency_officer_may_not_change_another_agencys_activity(world: World) -> None:
    ActivityFactory.create(reference=REF2, partnership=world.partnership, agency=world.dinkes)
    sheets = full_sheets()
    before = table_counts()

    report = upload(world.agency_officer, workbook(world.agency_officer, sheets))

    assert located(report.problems) == [
        (
            "Kegiatan",
            4,
            "reference",
            "A",
            f"The activity {REF2} is reported by Dinas Kesehatan; you may not change it.",
        )
    ]
    assert table_counts() == before


def test_rows_may_refer_to_an_activity_already_in_kembar(world: World) -> None:
    activity = ActivityFactory.create(
        reference=REF, partnership=world.partnership, agency=world.disdik, participants_local=30
    )
    sheets = {"Peserta": participant_rows()[:2], "Hasil": full_sheets()["Hasil"]}

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.APPLIED
    assert report.counts == counts(participants={"created": 2}, results={"created": 1})
    assert activity.participant_counts.count() == 2
    assert IndicatorPeriod.objects.filter(indicator__result__activity=activity).count() == 1


# --- All or nothing, or the valid activities --------------------------------------------------


def good_and_bad() -> dict[str, list[dict[str, Any]]]:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["sector"] = 99
    return sheets


def test_nothing_is_applied_unless_every_row_is_valid(world: World) -> None:
    before = table_counts()

    report = upload(world.officer, workbook(world.officer, good_and_bad()))

    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert report.applied_references == []
    assert report.rejected_references == [REF]
    assert report.counts == counts()
    assert table_counts() == before
    batch = ImportBatch.objects.get()
    assert (batch.outcome, batch.problem_count) == (ImportBatch.Outcome.REFUSED, 8)


def test_apply_valid_applies_the_valid_activities_and_returns_the_rest(world: World) -> None:
    report = upload(world.officer, workbook(world.officer, good_and_bad()), apply_valid=True)

    assert report.outcome == ImportBatch.Outcome.PARTLY_APPLIED
    assert report.applied_references == [REF2]
    assert report.rejected_references == [REF]
    assert report.counts == counts(activities={"created": 1})
    assert list(Activity.objects.values_list("reference", flat=True)) == [REF2]
    assert ParticipantCount.objects.count() == 0
    assert BudgetLine.objects.count() == 0

    stored = load_workbook(io.BytesIO(bytes(ImportBatch.objects.get().rejected_file)))
    assert stored["Kegiatan"]["A3"].value == REF
    assert stored["Kegiatan"]["A4"].value is None
    with translation.override("en"):
        rejected = load_workbook(io.BytesIO(report.rejected_workbook()))
    activities = rejected["Kegiatan"]
    assert activities["A1"].value == "reference"
    assert activities["V1"].value == "problem"
    assert [activities.cell(row=n, column=1).value for n in (3, 4)] == [REF, None]
    assert activities["O3"].value == 99
    assert activities["V3"].value == (
        "sector: “99” is not a code of the list Sector (Input-Output table). Choose a value "
        "from the dropdown list; the sheet Kode says what each code means."
    )
    assert activities["O3"].comment.text.startswith("“99” is not a code")
    rows = {
        name: [
            row
            for row in rejected[name].iter_rows(min_row=3, values_only=True)
            if any(value is not None for value in row)
        ]
        for name in ("Peserta", "Anggaran", "Kontribusi", "Hasil")
    }
    assert {name: len(found) for name, found in rows.items()} == {
        "Peserta": 3,
        "Anggaran": 2,
        "Kontribusi": 1,
        "Hasil": 1,
    }
    assert rows["Peserta"][0][-1] == (
        "reference: Not applied: other rows of the activity SMG-BNE-2024-01 have problems "
        "(Kegiatan 3). Correct those rows; this one can stay as it is."
    )

    # Corrected and uploaded again, the rejected workbook applies the rest.
    activities["O3"] = 16
    corrected = io.BytesIO()
    rejected.save(corrected)
    again = upload(world.officer, corrected.getvalue())

    assert again.problems == []
    assert again.outcome == ImportBatch.Outcome.APPLIED
    assert again.counts == counts(
        activities={"created": 1},
        participants={"created": 3},
        budget_lines={"created": 2},
        contributions={"created": 1},
        results={"created": 1},
    )


# --- Problems with the file -----------------------------------------------------------------


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n",
        bytes(range(256)) * 8,
        a_zip(),
        b"name,age\nSiti,32\n",
    ],
    ids=["pdf", "random", "zip", "other-csv"],
)
def test_a_file_that_is_not_the_template_is_refused(world: World, content: bytes) -> None:
    before = table_counts()

    report = upload(world.officer, content)

    assert [(p.sheet, p.row, p.column, p.message, p.fix) for p in report.problems] == [
        ("", 0, "", *NOT_A_TEMPLATE)
    ]
    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert table_counts() == before
    batch = ImportBatch.objects.get()
    assert (batch.outcome, batch.problem_count) == (ImportBatch.Outcome.REFUSED, 1)


def test_an_old_xls_file_is_refused_with_advice(world: World) -> None:
    report = upload(world.officer, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    assert [(p.message, p.fix) for p in report.problems] == [
        (
            "This is a workbook in the old Excel 97–2003 format (.xls).",
            "Save it as an Excel workbook (.xlsx) and upload that file.",
        )
    ]


def test_an_empty_workbook_is_refused(world: World) -> None:
    out = io.BytesIO()
    Workbook().save(out)

    report = upload(world.officer, out.getvalue())

    assert [(p.sheet, p.row, p.message) for p in report.problems] == [
        (
            "",
            0,
            "The workbook has none of the sheets Kegiatan, Peserta, Anggaran, Kontribusi, Hasil.",
        )
    ]
    assert report.outcome == ImportBatch.Outcome.REFUSED


def test_an_empty_template_is_refused(world: World) -> None:
    report = upload(world.officer, activity_template_build(user=world.officer))

    assert [(p.message, p.fix) for p in report.problems] == [
        ("The file holds no rows to import.", "Write the activities from row 3 of the sheets.")
    ]


def test_an_empty_file_is_refused(world: World) -> None:
    report = upload(world.officer, b"")

    assert [p.message for p in report.problems] == ["The file is empty."]


def test_a_missing_sheet_is_reported(world: World) -> None:
    book = load_workbook(io.BytesIO(workbook(world.officer, full_sheets())))
    del book["Peserta"]
    out = io.BytesIO()
    book.save(out)
    before = table_counts()

    report = upload(world.officer, out.getvalue())

    assert report.problems == [
        Problem(
            sheet="Peserta",
            row=0,
            column="",
            letter="",
            message="The sheet Peserta is missing.",
            fix="Upload the workbook with all the sheets of the template; a sheet may stay empty.",
        )
    ]
    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert table_counts() == before


def test_a_missing_column_is_reported(world: World) -> None:
    book = load_workbook(io.BytesIO(workbook(world.officer, full_sheets())))
    book["Kegiatan"]["O1"] = "sektor"
    out = io.BytesIO()
    book.save(out)

    report = upload(world.officer, out.getvalue())

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        ("Kegiatan", 1, "sector", "The column sector is missing from row 1.")
    ]


def test_a_file_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20

    report = upload(world.officer, b"x" * (2**20 + 1))

    assert [(p.message, p.fix) for p in report.problems] == [
        (
            "The file is larger than the limit of 1 MB.",
            "Split the rows over several files and upload them one after the other.",
        )
    ]
    assert Activity.objects.count() == 0
    assert ImportBatch.objects.get().outcome == ImportBatch.Outcome.REFUSED


def test_a_sheet_over_the_row_limit_is_refused(world: World, settings: Any) -> None:
    assert MAX_ROWS == settings.KEMBAR_IMPORT_MAX_ROWS == 50_000
    settings.KEMBAR_IMPORT_MAX_ROWS = 5000
    keys = [column.key for column in COLUMNS["Kegiatan"]]
    lines = [",".join(keys), ",".join(keys)]
    lines += [f"SMG-{n}" + "," * (len(keys) - 1) for n in range(5000 + 1)]

    report = upload(world.officer, "\n".join(lines).encode())

    assert [(p.sheet, p.message) for p in report.problems] == [
        ("Kegiatan", "The sheet Kegiatan has more than 5,000 rows.")
    ]


def test_someone_who_may_not_report_is_refused(world: World) -> None:
    council = UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=world.semarang)

    report = upload(council, workbook(world.officer, full_sheets()))

    assert [p.message for p in report.problems] == ["You may not import activities."]
    assert Activity.objects.count() == 0
    assert ImportBatch.objects.get().uploaded_by == council


def test_problems_are_in_the_users_language(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["start_date"] = "besok"
    content = workbook(world.officer, sheets)

    with translation.override("id"):
        report = activity_import(actor=world.officer, filename="k.xlsx", content=content)
        template = load_workbook(io.BytesIO(activity_template_build(user=world.officer)))

    problem = report.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("Kegiatan", 3, "start_date")
    assert "besok" in problem.message
    assert problem.fix
    assert template["Kegiatan"]["A2"].value


# --- CSV ------------------------------------------------------------------------------------


def csv_sections(
    *, delimiter: str = ",", participants: list[dict[str, Any]] | None = None
) -> bytes:
    """Kegiatan and Peserta in one CSV, in sections."""
    activity_keys = [column.key for column in COLUMNS["Kegiatan"]]
    participant_keys = [column.key for column in COLUMNS["Peserta"]]
    row = activity_row(
        start_date="2024-03-04", end_date="2024-03-08", sdg_goals="4", sdg_targets=""
    )
    lines = [
        ["Kegiatan", *activity_keys],
        ["# names", *["…"] * len(activity_keys)],
        ["", *[str(row[key] or "") for key in activity_keys]],
        ["Peserta", *participant_keys],
        *[
            ["", *[str(item[key] if item[key] is not None else "") for key in participant_keys]]
            for item in (participant_rows() if participants is None else participants)
        ],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(lines)
    return out.getvalue().encode()


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_with_activities_and_participants_is_applied(world: World, delimiter: str) -> None:
    report = upload(world.officer, csv_sections(delimiter=delimiter))

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.APPLIED
    assert report.counts == counts(activities={"created": 1}, participants={"created": 3})
    activity = Activity.objects.get()
    assert (activity.reference, activity.start_date, activity.participants_local) == (
        REF,
        dt.date(2024, 3, 4),
        30,
    )
    assert sorted(activity.participant_counts.values_list("count", flat=True)) == [5, 10, 20]

    again = upload(world.officer, csv_sections(delimiter=delimiter))
    assert again.outcome == ImportBatch.Outcome.UNCHANGED


def test_csv_problems_name_the_record_and_column(world: World) -> None:
    rows = participant_rows()
    rows[1]["count"] = "ten"

    report = upload(world.officer, csv_sections(participants=rows))

    assert located(report.problems) == [
        ("Peserta", 6, "count", "H", "“ten” is not a whole number.")
    ]


def test_the_kegiatan_sheet_saved_as_csv_is_applied(world: World) -> None:
    keys = [column.key for column in COLUMNS["Kegiatan"]]
    row = activity_row(
        title_id="Pelatihan guru – bahasa Inggris",
        participants_local=0,
        participants_partner=0,
        sdg_goals="4",
        sdg_targets="4.7",
    )
    lines = [
        ",".join(keys),
        ",".join(["Kode"] * len(keys)),
        ",".join(str(row[key] or "") for key in keys),
    ]

    report = upload(world.officer, "\n".join(lines).encode("cp1252"))

    assert report.problems == []
    assert report.counts == counts(activities={"created": 1})
    activity = Activity.objects.get()
    assert activity.title_id == "Pelatihan guru – bahasa Inggris"
    assert list(activity.sdg_goals.values_list("code", flat=True)) == [4]
    assert list(activity.sdg_targets.values_list("code", flat=True)) == ["4.7"]


def test_cells_typed_otherwise_are_read_as_meant(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0].update(
        {
            "sector": "16",
            "government_affair": 1.01,
            "sdg_goals": 4,
            "sdg_targets": 4.7,
            "in_partner_city": False,
            "participants_local": "30",
            "participants_partner": 5.0,
            "kind": "Training",
            "start_date": dt.datetime(2024, 3, 4, 0, 0),  # noqa: DTZ001 - a spreadsheet date
        }
    )
    sheets["Peserta"][0]["count"] = "20"

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.problems == []
    activity = Activity.objects.get(reference=REF)
    assert (activity.kind, activity.sector_id, activity.government_affair_id) == (
        "training",
        16,
        "1.01",
    )
    assert list(activity.sdg_targets.values_list("code", flat=True)) == ["4.7"]
    assert (activity.participants_local, activity.participants_partner) == (30, 5)
