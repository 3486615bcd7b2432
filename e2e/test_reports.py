"""An officer asks for the council report on the staff page and downloads the finished PDF.

The report is made by a background job: the form sends the officer to the
job's page (the progress bars of the jobs app), which shows the download link
once the file is made; the browser downloads it, and the PDF names the region.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from kembar.jobs.models import Job, JobKind, JobState
from kembar.reports.tests.record import record_build

from .test_lifecycle import sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_downloads_the_council_report(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    record = record_build()
    violations = watch_csp(page)
    sign_in(page, live_server.url, record.officer.username, "/staff/reports/")

    page.select_option("#id_kind", "council")
    page.select_option("#id_region", "33.74")
    page.fill("#id_year", "2025")
    page.select_option("#id_format", "pdf")
    page.select_option("#id_language", "id")
    page.locator("#report-form button[type='submit']").click()

    page.wait_for_url(f"{live_server.url}/staff/jobs/**")
    page.wait_for_selector("#job-status[data-state='done'] #report-download")
    job = Job.objects.get(kind=JobKind.REPORT)
    assert job.state == JobState.DONE
    with page.expect_download() as download_info:
        page.locator("#report-download").click()
    download = download_info.value
    assert download.suggested_filename == "kembar-council-33.74-2025-id.pdf"
    content = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Kota Semarang" in text
    assert "285.002.500,25" in text
    assert violations == []
