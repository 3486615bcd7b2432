"""The spreadsheet pages: template download, upload with row-level problems, rows to correct.

An upload becomes a background job (``kembar.jobs``); the tests run the queue
immediately (``KEMBAR_QUEUE_IMMEDIATE``), so the job has finished when the
upload redirects to its page.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from openpyxl import load_workbook

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory
from kembar.programs.models import Activity, ImportBatch
from kembar.programs.tests.test_spreadsheet import (
    REF,
    REF2,
    World,
    activity_row,
    full_sheets,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def english(client: Client, user: User) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def post(client: Client, content: bytes, **extra: str) -> Any:
    """Upload, run the job once the request's transaction commits, and follow to its page."""
    upload = SimpleUploadedFile("kegiatan.xlsx", content, content_type=XLSX)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/staff/activities/import/", {"file": upload, **extra})
    if response.status_code != 302:
        return response
    assert response["Location"].startswith("/staff/jobs/")
    return client.get(response["Location"])


def result(response: Any) -> dict[str, Any]:
    report: dict[str, Any] = response.context["report"]
    return report


def test_template_download(client: Client, world: World) -> None:
    english(client, world.agency_officer)
    response = client.get("/staff/activities/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    assert "Kegiatan" in book.sheetnames


def test_roles_that_do_not_report_cannot_upload(client: Client, world: World) -> None:
    council = UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=world.semarang)
    english(client, council)
    assert client.get("/staff/activities/import/").status_code == 403
    assert client.get("/staff/activities/import/template.xlsx").status_code == 403
    assert post(client, b"x").status_code == 403
    assert ImportBatch.objects.count() == 0


def test_a_valid_upload_is_applied(client: Client, world: World) -> None:
    english(client, world.officer)
    response = post(client, workbook(world.officer, full_sheets()))
    assert response.status_code == 200
    report = result(response)
    assert (report["outcome"], report["applied_references"]) == ("applied", [REF, REF2])
    assert report["batch"] == ImportBatch.objects.get(outcome="applied")
    assert report["counts"]["activities"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert set(Activity.objects.values_list("reference", flat=True)) == {REF, REF2}
    again = post(client, workbook(world.officer, full_sheets()))
    assert result(again)["outcome"] == "unchanged"


def test_a_bad_row_is_reported_and_nothing_is_applied(client: Client, world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][1] = activity_row(
        REF2, sector=99, participants_local=0, participants_partner=0
    )
    english(client, world.officer)
    response = post(client, workbook(world.officer, sheets))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="import-problems"' in content
    problems = result(response)["problems"]
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("Kegiatan", 4, "sector")]
    assert Activity.objects.count() == 0


def test_valid_rows_applied_and_the_rest_returned(client: Client, world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][1] = activity_row(
        REF2, sector=99, participants_local=0, participants_partner=0
    )
    english(client, world.officer)
    response = post(client, workbook(world.officer, sheets), apply_valid="on")
    report = result(response)
    assert (report["outcome"], report["applied_references"], report["rejected_references"]) == (
        "partly_applied",
        [REF],
        [REF2],
    )
    batch = report["batch"]
    assert f'href="/staff/activities/import/{batch.pk}/rows-to-correct.xlsx"' in (
        response.content.decode()
    )
    download = client.get(f"/staff/activities/import/{batch.pk}/rows-to-correct.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert book["Kegiatan"]["A3"].value == REF2
    assert book["Kegiatan"]["A4"].value is None

    other = Client()
    english(other, world.agency_officer)
    assert (
        other.get(f"/staff/activities/import/{batch.pk}/rows-to-correct.xlsx").status_code
        == 404
    )


def test_a_file_over_the_limit_is_refused_unread_and_logged(
    client: Client, world: World, settings: Any
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20
    english(client, world.officer)

    response = post(client, b"x" * (2**20 + 1))

    assert response.status_code == 200
    assert [p["message"] for p in result(response)["problems"]] == [
        "The file is larger than the limit of 1 MB."
    ]
    batch = ImportBatch.objects.get()
    assert (batch.outcome, batch.filename, batch.reason) == (
        "refused",
        "kegiatan.xlsx",
        "The file is larger than the limit of 1 MB. "
        "Split the rows over several files and upload them one after the other.",
    )


def test_an_empty_file_is_refused_and_logged(client: Client, world: World) -> None:
    english(client, world.officer)

    response = post(client, b"")

    assert result(response)["outcome"] == "refused"
    batch = ImportBatch.objects.get()
    assert (batch.outcome, batch.reason) == (
        "refused",
        "The file is empty. Choose the filled-in workbook.",
    )


def test_the_recent_uploads_say_why_one_was_refused(client: Client, world: World) -> None:
    english(client, world.officer)
    post(client, b"name,age\nSiti,32\n")

    page = client.get("/staff/activities/import/").content.decode()

    assert (
        '<small class="batch-reason">This file is not an Excel workbook or a CSV file made '
        "from the Kembar template. Download the template, fill it in and upload that file."
        "</small>"
    ) in page
