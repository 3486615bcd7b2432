"""The job page follows a running import by itself: progress bars, then the result.

The officer opens the page of an upload that waits for a worker.  The test
plays the worker: it takes the job and reports rows checked and applied,
then runs the import; the page (htmx polling every second, under the strict
Content-Security-Policy) shows each step without being reloaded, and stops
asking once the result is there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kembar.jobs import services
from kembar.jobs.models import Job, JobKind
from kembar.jobs.runner import job_run
from kembar.programs.tests.test_spreadsheet import REF, World, full_sheets, workbook, world

from .test_lifecycle import sign_in, watch_csp

__all__ = ["world"]  # the fixture, imported for this test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_shows_progress_then_the_result(
    live_server: Any, page: Any, world: World
) -> None:
    officer = world.officer
    # Saved, not yet sent: the worker is this test.
    job = Job.objects.create(
        kind=JobKind.ACTIVITY_IMPORT,
        created_by=officer,
        params={"language": "id"},
        input_data=workbook(officer, full_sheets()),
        input_name="kegiatan.xlsx",
    )
    path = f"/staff/jobs/{job.pk}/"
    violations = watch_csp(page)
    sign_in(page, live_server.url, officer.username, path)
    status = page.locator("#job-status")
    assert status.get_attribute("data-state") == "queued"
    assert status.get_attribute("hx-trigger") == "every 1s"

    attempt = services.job_claim(job_id=str(job.pk))
    assert attempt == 1
    services.job_progress_save(
        job_id=str(job.pk),
        attempt=attempt,
        stage="applying",
        progress={"checking": {"done": 6, "total": 6}, "applying": {"done": 3, "total": 8}},
    )
    page.wait_for_selector("#job-status[data-state='running'] #job-progress-applying[value='3']")
    assert page.locator("#job-progress-checking").get_attribute("value") == "6"

    # The worker died; the next one runs the import to its end.
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert job_run(str(job.pk), heartbeat=False) == "done"

    page.wait_for_selector(
        f"#job-status[data-state='done'] #import-report a[href='/staff/activities/{REF}/']"
    )
    assert page.locator("#job-status").get_attribute("hx-trigger") is None
    assert page.locator("#import-resumed").count() == 1
    assert page.locator("#import-outcome").get_attribute("data-outcome") == "applied"
    assert violations == []
