"""The workbook's dropdowns offer names in the user's language; reading takes names or codes.

Also: what Kembar writes into a workbook is never a formula, and characters
stored before they were refused do not break the template.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from kembar.geo.models import Region
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    Gender,
    GovernmentAffair,
    ImportBatch,
    ParticipantSide,
    Sector,
    StakeholderGroup,
)
from kembar.programs.spreadsheet import activity_export, activity_template_build
from kembar.programs.tests.test_spreadsheet import (
    REF,
    World,
    full_sheets,
    located,
    upload,
    validations,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def template(world: World, language: str) -> Any:
    with translation.override(language):
        return load_workbook(io.BytesIO(activity_template_build(user=world.officer)))


def column_values(sheet: Any, column: int) -> list[Any]:
    return [sheet.cell(row=n, column=column).value for n in range(2, sheet.max_row + 1)]


def test_the_dropdowns_offer_names_in_the_users_language(world: World) -> None:
    indonesian = template(world, "id")
    english = template(world, "en")

    assert validations(indonesian, "Kegiatan")["C3:C50002"] == "Kode!$D$2:$D$12"
    kinds_id = column_values(indonesian["Kode"], 4)
    kinds_en = column_values(english["Kode"], 4)
    assert "pelatihan" in kinds_id
    assert "training" in kinds_en
    assert column_values(indonesian["Kode"], 3)[: len(kinds_id)].count("training") == 1
    assert column_values(indonesian["Kode"], 2)[0] == "Brisbane"  # the partnership's name
    assert indonesian["Kode"]["J2"].value == "Semarang Tengah"  # a place by name
    assert indonesian["Kode"]["I2"].value == "33.74.01"  # beside its code


def labelled(sheets: dict[str, list[dict[str, Any]]], world: World) -> None:
    """Replace the codes of the activities and participants by their names (active language)."""
    regions = {region.kode: region.name for region in Region.objects.all()}
    for activity in sheets["Kegiatan"]:
        activity.update(
            partnership=world.partnership.partner_name,
            kind=str(ActivityKind(activity["kind"]).label).upper(),  # case does not matter
            agency=world.disdik.name,
            status=str(ActivityStatus(activity["status"]).label),
            place=regions.get(activity["place"] or ""),
            in_partner_city=gettext(activity["in_partner_city"]),
            sector=Sector.objects.get(code=activity["sector"]).name,
            government_affair=GovernmentAffair.objects.get(code=activity["government_affair"]).name,
        )
    for row in sheets["Peserta"]:
        row.update(
            side=str(ParticipantSide(row["side"]).label),
            group=str(StakeholderGroup(row["group"]).label),
            gender=str(Gender(row["gender"]).label),
            age_band=str(AgeBand(row["age_band"]).label),
            home_kecamatan=regions.get(row["home_kecamatan"] or ""),
        )


def facts() -> list[tuple[Any, ...]]:
    return [
        (
            activity.reference,
            activity.partnership_id,
            activity.kind,
            activity.agency_id,
            activity.status,
            activity.place_region_id,
            activity.in_partner_city,
            activity.sector_id,
            activity.government_affair_id,
            sorted(
                activity.participant_counts.values_list(
                    "side", "group", "gender", "age_band", "home_region_id", "count"
                )
            ),
        )
        for activity in Activity.objects.order_by("reference")
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_names_are_read_as_their_codes(world: World, language: str) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    with_codes = facts()
    Activity.objects.all().delete()
    ImportBatch.objects.all().delete()
    sheets = full_sheets()
    with translation.override(language):
        labelled(sheets, world)
    assert sheets["Kegiatan"][0]["kind"] != "training"

    report = upload(world.officer, workbook(world.officer, sheets))

    assert located(report.problems) == []
    assert facts() == with_codes


def test_an_unknown_name_is_reported_as_such(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["sector"] = "Perikanan"

    report = upload(world.officer, workbook(world.officer, sheets))

    assert located(report.problems) == [
        (
            "Kegiatan",
            3,
            "sector",
            "O",
            "“Perikanan” is not a code of the list Sector (Input-Output table).",
        )
    ]


def test_the_export_shows_names_and_round_trips(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))

    with translation.override("id"):
        exported = activity_export(user=world.officer)
    book = load_workbook(io.BytesIO(exported))
    row = [cell.value for cell in book["Kegiatan"][3]]
    assert row[:3] == [REF, "Brisbane", "pelatihan"]

    report = upload(world.officer, exported)

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.UNCHANGED


# --- Formulas and stored characters ---------------------------------------------------------


def test_a_formula_stored_as_a_name_is_written_as_text(world: World) -> None:
    world.partnership.partner_name = '=HYPERLINK("http://evil.example","Brisbane")'
    world.partnership.save(update_fields=["partner_name"])

    cell = template(world, "en")["Kode"]["B2"]

    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        '=HYPERLINK("http://evil.example","Brisbane")',
        "s",
        True,
    )


def test_an_exported_title_starting_with_a_formula_character_is_text(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["title_id"] = "-5 persen emisi"
    upload(world.officer, workbook(world.officer, sheets))
    Activity.objects.filter(reference=REF).update(title_en="=1+1")

    book = load_workbook(io.BytesIO(activity_export(user=world.officer)))

    titles = [(cell.value, cell.data_type) for cell in book["Kegiatan"][3][3:5]]
    assert titles == [("-5 persen emisi", "s"), ("=1+1", "s")]


def test_a_control_character_stored_before_does_not_break_the_template(world: World) -> None:
    world.partnership.partner_name = "Brisbane\x07\ufffe"
    world.partnership.save(update_fields=["partner_name"])

    book = template(world, "en")

    assert book["Kode"]["B2"].value == "Brisbane\ufffd\ufffd"
