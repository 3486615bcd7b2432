"""The reports page: who may ask for which report, the job it starts, and the download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.shortcuts import resolve_url
from django.test import Client, TestCase
from django.test.utils import override_settings

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory
from kembar.jobs.models import Job, JobKind, JobState
from kembar.reports.services import ReportOptions, report_build, report_job_run
from kembar.reports.tests.record import Record, record_build

pytestmark = pytest.mark.django_db

URL = "/staff/reports/"


@pytest.fixture
def record(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield record_build()


def signed_in(client: Client, user: User) -> Client:
    """``client`` signed in as ``user``, in English (the messages asserted are English)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def form(kind: str = "council", **changes: str) -> dict[str, str]:
    data = {
        "kind": kind,
        "region": "33.74",
        "year": "2025",
        "partnership": "",
        "format": "pdf",
        "language": "en",
    }
    data.update(changes)
    return data


def post(client: Client, data: dict[str, str]) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, data)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 200),
        ("council_member", 200),
        ("administrator", 200),
        ("agency_officer", 403),
        ("partner", 403),
    ],
)
def test_who_may_open_the_reports_page(
    client: Client, record: Record, who: str, status: int
) -> None:
    users = {
        "officer": record.officer,
        "council_member": record.council_member,
        "administrator": UserFactory.create(role=Role.ADMINISTRATOR, organisation=None),
        "agency_officer": record.agency_officer,
        "partner": UserFactory.create(role=Role.PARTNER_COUNTERPART),
    }

    response = signed_in(client, users[who]).get(URL)

    assert response.status_code == status
    if status == 200:
        assert b'id="report-form"' in response.content


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, record: Record) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={URL}"


def test_an_officer_gets_the_council_report_from_the_job(client: Client, record: Record) -> None:
    response = post(signed_in(client, record.officer), form())

    job = Job.objects.get(kind=JobKind.REPORT)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/jobs/{job.pk}/"
    assert job.state == JobState.DONE
    assert job.input_name == "kembar-council-33.74-2025-en.pdf"
    page = client.get(f"/staff/jobs/{job.pk}/")
    assert f'href="/staff/reports/{job.pk}/download/"'.encode() in page.content
    download = client.get(f"/staff/reports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="kembar-council-33.74-2025-en.pdf"'
    )
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    options = ReportOptions(kind="council", region="33.74", year=2025, format="pdf", language="en")
    assert content == report_build(options)[1]


def test_a_council_member_may_ask_for_the_council_report_only(
    client: Client, record: Record
) -> None:
    client = signed_in(client, record.council_member)

    assert post(client, form()).status_code == 302
    refused = post(client, form("ministry", partnership="smg-brisbane"))

    assert refused.status_code == 403
    assert list(Job.objects.values_list("params__kind", flat=True)) == ["council"]


def test_an_officer_of_another_region_cannot_ask_for_this_one(
    client: Client, record: Record
) -> None:
    response = post(signed_in(client, record.other_officer), form())

    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_ministry_report_needs_its_partnership(client: Client, record: Record) -> None:
    response = post(signed_in(client, record.officer), form("ministry"))

    assert response.status_code == 400
    assert b"Choose the partnership this report is about." in response.content
    assert not Job.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("other_officer", 404), ("agency_officer", 404)])
def test_someone_elses_report_is_not_given(
    client: Client, record: Record, who: str, status: int
) -> None:
    post(signed_in(client, record.officer), form())
    job = Job.objects.get()
    client.logout()

    response = signed_in(client, getattr(record, who)).get(f"/staff/reports/{job.pk}/download/")

    assert response.status_code == status


def test_the_staff_menu_links_the_reports_page(client: Client, record: Record) -> None:
    officer_page = signed_in(client, record.officer).get("/staff/")
    client.logout()
    agency_page = signed_in(client, record.agency_officer).get("/staff/")

    assert b'href="/staff/reports/"' in officer_page.content
    assert b'href="/staff/reports/"' not in agency_page.content


def test_a_waiting_report_shows_its_progress_bars(client: Client, record: Record) -> None:
    job = Job.objects.create(
        kind=JobKind.REPORT,
        created_by=record.officer,
        params={"kind": "council", "region": "33.74", "year": 2025, "format": "pdf"},
        input_name="kembar-council-33.74-2025-id.pdf",
    )

    page = signed_in(client, record.officer).get(f"/staff/jobs/{job.pk}/")

    assert page.status_code == 200
    assert b'<label for="job-progress-gathering">Figures gathered</label>' in page.content
    assert b'<label for="job-progress-rendering">File written</label>' in page.content
    assert b'id="report-download"' not in page.content
    assert client.get(f"/staff/reports/{job.pk}/download/").status_code == 404


def test_a_job_run_again_keeps_one_file_under_the_same_name(record: Record) -> None:
    job = Job.objects.create(
        kind=JobKind.REPORT,
        created_by=record.officer,
        params=ReportOptions(
            kind="profile", region="33.74", year=2025, format="xlsx", partnership="smg-busan"
        ).as_params(),
    )
    seen: list[tuple[str, int, int]] = []

    first = report_job_run(job, lambda stage, done, total: seen.append((stage, done, total)))
    second = report_job_run(job, lambda stage, done, total: None)

    assert first == second
    assert first["file"] == f"reports/{job.pk}/kembar-profile-smg-busan-2025-id.xlsx"
    assert default_storage.listdir(f"reports/{job.pk}")[1] == [
        "kembar-profile-smg-busan-2025-id.xlsx"
    ]
    assert seen == [
        ("gathering", 0, 1),
        ("gathering", 1, 1),
        ("rendering", 0, 1),
        ("rendering", 1, 1),
    ]
