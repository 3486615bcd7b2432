"""The content of each report, from the hand-made record of ``record.py``: exact figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kembar.reports.content import Report, Table
from kembar.reports.services import ReportOptions, report_content
from kembar.reports.tests.record import Record, record_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> Record:
    return record_build()


def table(report: Report, key: str) -> Table:
    return next(t for section in report.sections for t in section.tables if t.key == key)


def council(language: str = "en") -> Report:
    options = ReportOptions(
        kind="council", region="33.74", year=2025, format="pdf", language=language
    )
    return report_content(options)


def test_council_partnerships_by_stage_with_their_legal_basis(record: Record) -> None:
    report = council()

    assert table(report, "stages").rows == (
        ("Agreement signed", "PP 28/2018 Pasal 33(4)", 1),
        ("Active", "PP 28/2018 Pasal 43", 2),
        ("Total", "", 3),
    )
    assert [row[0] for row in table(report, "partnerships").rows] == ["Brisbane", "Busan", "Toyama"]
    legal = {row[0]: row[4] for row in table(report, "partnerships").rows}
    assert legal["Busan"] == "not recorded"
    assert legal["Brisbane"] == (
        "Memorandum of understanding (MoU) / agreement: MoU Semarang–Brisbane, "
        "signed 1 July 2021, valid until 30 June 2026"
    )


def test_council_activities_of_the_year_with_protected_participants(record: Record) -> None:
    rows = table(council(), "activities").rows

    # The internal partnership's and 2024's activities are not in it; 4 people are hidden.
    assert [(row[0], row[6], row[7]) for row in rows] == [
        ("SMG-2025-01", 29, 0),
        ("SMG-2025-02", "hidden", "hidden"),
    ]


def test_council_money_by_source_is_summed_exactly(record: Record) -> None:
    assert table(council(), "money").rows == (
        ("regional budget (APBD)", Decimal("180000000.25"), Decimal("120500000.50")),
        ("partner", Decimal("105002500.00"), Decimal("0.00")),
        ("Total", Decimal("285002500.25"), Decimal("120500000.50")),
    )


def test_council_reach_hides_cells_under_five_and_what_would_reveal_them(record: Record) -> None:
    report = council()

    assert table(report, "reach_groups").rows == (
        ("business / UMKM", "hidden"),
        ("government", "hidden"),
        ("students and youth", 24),
    )
    assert table(report, "reach_gender").rows == (("female", 19), ("male", 14))
    assert table(report, "reach_districts").rows == (
        ("Semarang Tengah", 20),
        ("Gayamsari", "hidden"),
        ("outside the city", "hidden"),
    )
    reach = next(section for section in report.sections if section.key == "reach")
    assert reach.paragraphs == ("Local participants in 2025: 33.",)


def test_council_results_against_targets(record: Record) -> None:
    assert table(council(), "results").rows == (
        ("SMG-2025-01", "Guru terlatih", "Modul pelatihan selesai", "modul", 10, 8, 80),
        ("SMG-2025-01", "Guru terlatih", "Sekolah mitra", "sekolah", 4, 5, 125),
    )


def test_council_economic_effects_and_what_is_at_risk(record: Record) -> None:
    report = council()

    assert table(report, "effects").rows == (
        ("export contract", 1, Decimal("2000000000.00")),
        ("partner visitors' spending", 1, Decimal("15000000.00")),
        ("Total", 2, Decimal("2015000000.00")),
    )
    impact = table(report, "impact")
    assert impact.columns == ("Measure", "Direct", "Indirect", "Induced", "Total")
    # The direct output is the final demand itself.
    assert impact.rows[0][:2] == ("Output", Decimal("2015000000"))
    assert table(report, "expiring").rows == (("Brisbane", "2026-06-30"),)
    assert table(report, "dormant").rows == (("Toyama", "Agreement signed", "2023-05-02"),)


def test_council_lists_sources_and_assumptions_in_the_language_asked(record: Record) -> None:
    report = council("id")

    assert report.language == "id"
    assert len(report.sources) == 4
    assert len(report.assumptions) == 6
    # Stage names come from the lifecycle in the report's language.
    assert [row[0] for row in table(report, "stages").rows[:2]] == [
        "Penandatanganan",
        "Pelaksanaan",
    ]


def test_ministry_report_of_one_partnership(record: Record) -> None:
    options = ReportOptions(
        kind="ministry",
        region="33.74",
        year=2025,
        format="pdf",
        language="en",
        partnership="smg-brisbane",
    )
    report = report_content(options)

    assert ("Legal basis of the stage", "PP 28/2018 Pasal 43") in table(report, "partnership").rows
    assert table(report, "documents").rows == (
        (
            "Memorandum of understanding (MoU) / agreement",
            "MoU Semarang–Brisbane",
            "1 July 2021",
            "2021-07-01",
            "30 June 2026",
        ),
    )
    assert [row[0] for row in table(report, "activities").rows] == ["SMG-2025-01"]
    assert table(report, "funding").rows[-1] == (
        "Total",
        Decimal("255002500.00"),
        Decimal("120500000.50"),
    )
    assert table(report, "contributions").rows == (
        ("SMG-2025-01", "the partner", "expertise", "Guru tamu", "not recorded"),
    )
    notes = next(section for section in report.sections if section.key == "notes")
    assert notes.paragraphs == ("1 March 2025: activity — Teachers' visit",)


def test_profile_shows_both_languages_side_by_side(record: Record) -> None:
    options = ReportOptions(
        kind="profile", region="33.74", year=2025, format="pdf", partnership="smg-brisbane"
    )
    report = report_content(options)

    rows = table(report, "profile").rows
    assert table(report, "profile").columns == ("Bahasa Indonesia", "English")
    assert rows[0] == ("Mitra: Brisbane", "Partner: Brisbane")
    assert ("Tahap: Pelaksanaan", "Stage: Active") in rows
    assert rows[-1][1] == "Spending in 2025 (IDR): 120,500,000.50"
    assert str(rows[-1][0]).endswith(": 120.500.000,50")
    assert table(report, "activities").rows == (
        ("SMG-2025-01", "Pelatihan guru bahasa Inggris", "English teacher training"),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"region": "99.99"}, "Unknown region 99.99."),
        ({"kind": "ministry"}, "A ministry report is of one partnership"),
        ({"kind": "profile", "partnership": "nope"}, "Unknown partnership nope."),
    ],
)
def test_wrong_options_are_refused_with_a_reason(
    record: Record, changes: dict[str, str], message: str
) -> None:
    values: dict[str, object] = {"kind": "council", "region": "33.74", "year": 2025}
    values.update(changes)
    options = ReportOptions(format="pdf", language="en", **values)  # type: ignore[arg-type]

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        report_content(options)
    assert refused.value.messages[0].startswith(message)


def test_a_partnership_of_another_region_is_refused(record: Record) -> None:
    options = ReportOptions(
        kind="profile", region="33.71", year=2025, format="pdf", partnership="smg-brisbane"
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        report_content(options)
    assert refused.value.messages == ["The partnership smg-brisbane is not one of Kota Magelang."]
