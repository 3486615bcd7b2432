"""An agency officer fills the spreadsheet template, uploads it with one bad row, fixes it.

The officer downloads the template from the page, fills two activities with
participants (one with an unknown sector code), uploads it and sees the
row-level problem with sheet, row and column, and that nothing was applied;
then corrects the cell, uploads again and finds the activities in the list.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory
from kembar.programs.models import Activity
from kembar.programs.tests.test_spreadsheet import REF, REF2, World, full_sheets, world

from .test_lifecycle import sign_in, watch_csp

__all__ = ["world"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORT = "/staff/activities/import/"


def fill(template: bytes, sheets: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    book = load_workbook(io.BytesIO(template))
    for name, rows in sheets.items():
        sheet = book[name]
        keys = [cell.value for cell in sheet[1]]
        for offset, row in enumerate(rows):
            for key, value in row.items():
                sheet.cell(row=3 + offset, column=keys.index(key) + 1, value=value)
    book.save(path)
    return path


def test_upload_with_one_bad_row_then_fixed(
    live_server: Any, page: Any, world: World, tmp_path: Path
) -> None:
    UserFactory.create(
        username="ani", role=Role.COOPERATION_OFFICER, organisation=world.semarang
    )
    violations = watch_csp(page)
    sign_in(page, live_server.url, "ani", IMPORT)

    with page.expect_download() as download_info:
        page.locator("#template-download").click()
    template = Path(download_info.value.path()).read_bytes()

    sheets = full_sheets()
    sheets["Kegiatan"][1]["sector"] = 99
    bad = fill(template, sheets, tmp_path / "kegiatan-salah.xlsx")
    page.set_input_files("#id_file", str(bad))
    page.locator("form[enctype] button[type='submit']").click()

    page.wait_for_selector("#import-problems")
    rows = page.locator("#import-problems tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[:3] == ["Kegiatan", "4", "sector (O)"]
    assert "99" in cells[3]
    assert Activity.objects.count() == 0

    sheets["Kegiatan"][1]["sector"] = 9
    fixed = fill(template, sheets, tmp_path / "kegiatan.xlsx")
    page.set_input_files("#id_file", str(fixed))
    page.locator("form[enctype] button[type='submit']").click()
    page.wait_for_selector(f"#import-report a[href='/staff/activities/{REF}/']")
    assert page.locator("#import-problems").count() == 0

    page.goto(f"{live_server.url}/staff/activities/")
    references = page.locator("#activity-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.reference)"
    )
    assert sorted(references) == [REF, REF2]
    assert violations == []
