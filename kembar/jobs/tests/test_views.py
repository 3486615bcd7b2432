"""The job page: who may see it, the progress while it runs (htmx polling), then the result."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, TestCase

from kembar.accounts.models import Organisation, Role, User
from kembar.accounts.tests.factories import UserFactory
from kembar.jobs import handlers, services
from kembar.jobs.models import Job, JobKind
from kembar.programs.tests.test_spreadsheet import World, full_sheets, workbook, world

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def english(client: Client, user: User) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def job_of(user: User, content: bytes = b"", *, run: bool = False) -> Job:
    with TestCase.captureOnCommitCallbacks(execute=run):
        job = services.job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=user,
            params={"language": "en"},
            input_data=content,
            input_name="kegiatan.xlsx",
        )
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("creator", 200),
        ("officer_same_region", 200),
        ("administrator", 200),
        ("other_agency_officer", 404),
        ("officer_other_region", 404),
        ("council_member", 404),
    ],
)
def test_who_may_see_a_job(client: Client, world: World, who: str, status: int) -> None:
    creator = world.agency_officer
    others = {
        "creator": creator,
        "officer_same_region": world.officer,
        "administrator": UserFactory.create(role=Role.ADMINISTRATOR, organisation=None),
        "other_agency_officer": UserFactory.create(
            role=Role.AGENCY_OFFICER, organisation=world.dinkes
        ),
        "officer_other_region": UserFactory.create(
            role=Role.COOPERATION_OFFICER,
            organisation=Organisation.objects.get(slug="pemkot-magelang"),
        ),
        "council_member": UserFactory.create(
            role=Role.COUNCIL_MEMBER, organisation=world.semarang
        ),
    }
    job = job_of(creator)
    before = Job.objects.values_list("state", "attempts", "result").get()

    response = english(client, others[who]).get(f"/staff/jobs/{job.pk}/")

    assert response.status_code == status
    assert Job.objects.values_list("state", "attempts", "result").get() == before


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, world: World) -> None:
    job = job_of(world.officer)

    response = client.get(f"/staff/jobs/{job.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_job_is_not_found(client: Client, world: World) -> None:
    english(client, world.officer)
    assert client.get("/staff/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_waiting_job_polls_for_its_status(client: Client, world: World) -> None:
    job = job_of(world.officer)
    english(client, world.officer)

    page = client.get(f"/staff/jobs/{job.pk}/").content.decode()
    partial = client.get(f"/staff/jobs/{job.pk}/", headers={"HX-Request": "true"})

    assert f'hx-get="/staff/jobs/{job.pk}/" hx-trigger="every 1s"' in page
    assert "<h2>Waiting for a worker</h2>" in page
    assert '<progress id="job-progress-checking" max="1" value="0">' in page
    text = partial.content.decode()
    assert text.lstrip().startswith('<div id="job-status" data-state="queued"')
    assert "<html" not in text


def test_a_running_job_shows_rows_checked_and_applied(client: Client, world: World) -> None:
    job = job_of(world.officer)
    attempt = services.job_claim(job_id=str(job.pk))
    assert attempt == 1
    services.job_progress_save(
        job_id=str(job.pk),
        attempt=attempt,
        stage="applying",
        progress={"checking": {"done": 120, "total": 120}, "applying": {"done": 30, "total": 80}},
    )
    english(client, world.officer)

    text = client.get(f"/staff/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert 'data-state="running"' in text
    assert "<h2>Working on it</h2>" in text
    assert '<progress id="job-progress-checking" max="120" value="120">' in text
    assert '<progress id="job-progress-applying" max="80" value="30">' in text
    assert '<span class="job-count" id="job-count-applying">30 of 80</span>' in text


def test_a_finished_import_shows_its_report_and_stops_polling(
    client: Client, world: World
) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][1]["sector"] = 99
    job = job_of(world.officer, workbook(world.officer, sheets), run=True)
    english(client, world.officer)

    response = client.get(f"/staff/jobs/{job.pk}/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "hx-trigger" not in text
    assert 'id="import-problems"' in text
    assert '<p id="import-outcome" data-outcome="refused"><strong>refused</strong>' in text
    assert '<input type="file" name="file"' in text  # upload the corrected file from here
    assert 'action="/staff/activities/import/"' in text


def test_a_failed_job_says_so(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: Job, progress: Any) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setitem(handlers.HANDLERS, JobKind.ACTIVITY_IMPORT, broken)
    job = job_of(world.officer, b"x", run=True)
    english(client, world.officer)

    text = client.get(f"/staff/jobs/{job.pk}/").content.decode()

    assert '<section class="card card--attention" id="job-failed" role="alert">' in text
    assert "The job could not be finished" in text
    assert "disk full" not in text  # the traceback is for the administrators


def test_the_job_list_shows_only_ones_own_jobs(client: Client, world: World) -> None:
    mine = job_of(world.officer)
    theirs = job_of(world.agency_officer)
    english(client, world.officer)

    text = client.get("/staff/jobs/").content.decode()

    assert f"/staff/jobs/{mine.pk}/" in text
    assert f"/staff/jobs/{theirs.pk}/" not in text
    english(client, UserFactory.create(role=Role.ADMINISTRATOR, organisation=None))
    assert "You have started no background jobs yet." in client.get("/staff/jobs/").content.decode()


def test_the_import_page_lists_uploads_still_being_checked(client: Client, world: World) -> None:
    job = job_of(world.officer)
    english(client, world.officer)

    text = client.get("/staff/activities/import/").content.decode()

    assert f'<a href="/staff/jobs/{job.pk}/">kegiatan.xlsx</a> · waiting' in text
