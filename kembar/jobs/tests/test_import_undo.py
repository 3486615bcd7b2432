"""An import job that fails for good leaves the data as before it, however far its runs got.

An import applies its rows in chunks, each committed on its own; a worker
killed mid-import leaves the chunks it committed.  Each chunk's undo log is
kept in the job's journal, in the chunk's transaction, so that when the job
finally fails (out of attempts) or its last run is refused, what all its
runs applied is undone and the job's events say so.

The worker being killed is played by a progress callback that raises an
exception no ``except Exception`` catches, right after a chunk committed:
the import stops where a SIGKILL would have stopped it, with nothing undone
(``test_worker_restart`` kills a real worker process).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from kembar.jobs import handlers, services
from kembar.jobs.models import Job, JobEvent, JobKind
from kembar.jobs.runner import LeaseLost, Progress
from kembar.programs import spreadsheet_apply
from kembar.programs.models import (
    Activity,
    BudgetLine,
    ImportUndo,
    ParticipantCount,
    ParticipantRollup,
)
from kembar.programs.rollup import rollup_differences
from kembar.programs.spreadsheet import activity_import
from kembar.programs.tests.test_import_commands import meddle
from kembar.programs.tests.test_spreadsheet import (
    REF,
    REF2,
    World,
    activity_row,
    full_sheets,
    table_counts,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process ends here: no ``except Exception`` runs, nothing is cleaned up."""


def killed_at(call: int) -> Callable[[str, int, int], None]:
    """A progress callback that kills the run at its ``call``-th report of rows applied."""
    calls: list[int] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "applying":
            calls.append(done)
            if len(calls) == call:
                raise WorkerKilled

    return progress


def changed_sheets() -> dict[str, list[dict[str, Any]]]:
    """The file of the job: both activities changed (counts, money, SDGs), a third created."""
    sheets = full_sheets()
    sheets["Kegiatan"][0].update(
        title_en="Changed by the job", participants_local=25, sdg_goals="4", sdg_targets="4.7"
    )
    sheets["Kegiatan"][1].update(title_id="Diubah oleh pekerjaan", focus_areas="education")
    sheets["Kegiatan"].append(activity_row("SMG-C", participants_local=0, participants_partner=0))
    sheets["Peserta"][0]["count"] = 15
    sheets["Anggaran"][0]["amount"] = 16_000_000
    return sheets


def snapshot() -> dict[str, Any]:
    """Every value an import may change, and the history there is."""
    through = Activity.sdg_goals.through, Activity.sdg_targets.through, Activity.focus_areas.through
    return {
        "tables": table_counts(),
        "activities": list(Activity.objects.order_by("reference").values()),
        "m2m": [sorted(model.objects.values_list("pk", "activity_id")) for model in through],
        "participants": list(ParticipantCount.objects.order_by("pk").values()),
        "budget": list(BudgetLine.objects.order_by("pk").values()),
        "rollup": sorted(
            ParticipantRollup.objects.values_list(
                "partnership_id", "year", "dimension", "category", "participants"
            )
        ),
        "history": sorted(Activity.history.values_list("history_id", flat=True)),
    }


def started(world: World) -> Job:
    """An import job of :func:`changed_sheets` over the activities of ``full_sheets``."""
    activity_import(
        actor=world.officer, filename="1.xlsx", content=workbook(world.officer, full_sheets())
    )
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = services.job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=world.officer,
            params={"language": "en"},
            input_data=workbook(world.officer, changed_sheets()),
            input_name="kegiatan.xlsx",
        )
    return job


def run_killed(job: Job, call: int) -> None:
    """A worker takes the job and is killed after the ``call``-th chunk; its lease runs out."""
    attempt = services.job_claim(job_id=str(job.pk))
    assert attempt is not None
    with pytest.raises(WorkerKilled):
        handlers.activity_import_run(Job.objects.get(pk=job.pk), killed_at(call))
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


def journal(job: Job) -> int:
    return ImportUndo.objects.filter(journal=f"job:{job.pk}").count()


def events(job: Job) -> list[tuple[str, int, str]]:
    return list(
        JobEvent.objects.filter(job=job).order_by("pk").values_list("kind", "attempt", "note")
    )


@pytest.fixture
def one_per_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))


@pytest.mark.usefixtures("one_per_chunk")
def test_a_job_out_of_attempts_undoes_what_all_its_runs_applied(
    world: World, settings: Any
) -> None:
    settings.KEMBAR_JOB_MAX_ATTEMPTS = 2
    job = started(world)
    before = snapshot()

    run_killed(job, call=1)  # REF applied
    assert Activity.objects.get(reference=REF).title_en == "Changed by the job"
    assert journal(job) == 1
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert services.jobs_recover() == [str(job.pk)]
    run_killed(job, call=2)  # REF found applied (nothing to write), REF2 applied
    assert Activity.objects.get(reference=REF2).title_id == "Diubah oleh pekerjaan"
    assert not Activity.objects.filter(reference="SMG-C").exists()
    assert journal(job) == 2
    assert snapshot() != before

    assert services.jobs_recover() == []

    job.refresh_from_db()
    assert (job.state, job.attempts) == ("failed", 2)
    assert snapshot() == before
    assert rollup_differences() == []
    assert journal(job) == 0
    assert [(kind, attempt) for kind, attempt, _note in events(job)] == [
        ("queued", 0),
        ("started", 1),
        ("requeued", 1),
        ("started", 2),
        ("failed", 0),
        ("undone", 2),
    ]
    assert events(job)[-1][2] == "The 2 parts its runs had applied were undone, newest first."


@pytest.mark.usefixtures("one_per_chunk")
def test_a_job_refused_in_its_last_run_undoes_what_an_earlier_run_applied(
    world: World,
) -> None:
    job = started(world)
    before = snapshot()
    run_killed(job, call=1)  # REF applied
    assert services.job_claim(job_id=str(job.pk)) == 2

    # The next run finds REF applied, then REF2 changed by someone else meanwhile: refused.
    result = handlers.activity_import_run(Job.objects.get(pk=job.pk), meddle(world, REF2))

    assert result["outcome"] == "refused"
    assert result["undone"] == 1
    assert result["applied_references"] == []
    # As before the job, but for the other person's change to REF2.
    after = snapshot()
    assert after["activities"][0] == before["activities"][0]
    assert after["activities"][0]["reference"] == REF
    assert after["participants"] == before["participants"]
    assert after["budget"] == before["budget"]
    assert after["rollup"] == before["rollup"]
    assert Activity.objects.get(reference=REF2).title_id == "Changed meanwhile"
    assert (
        not Activity.history.filter(history_change_reason="imported", history_type="~")
        .exclude(reference=REF2)
        .exists()
    )
    assert rollup_differences() == []
    assert journal(job) == 0
    assert events(job)[-1][:2] == ("undone", 2)


@pytest.mark.usefixtures("one_per_chunk")
def test_recovery_finishes_an_undo_that_was_cut_short(world: World) -> None:
    job = started(world)
    before = snapshot()
    run_killed(job, call=2)  # REF and REF2 applied
    assert journal(job) == 2
    # The run failed and its worker died before it undid anything.
    assert services.job_fail(job_id=str(job.pk), attempt=1, error="Boom")

    assert services.jobs_recover() == []

    assert snapshot() == before
    assert journal(job) == 0
    assert [(kind, attempt) for kind, attempt, _note in events(job)][-2:] == [
        ("failed", 1),
        ("undone", 1),
    ]


def test_a_job_that_succeeds_keeps_no_undo_log(world: World) -> None:
    job = started(world)
    assert services.job_claim(job_id=str(job.pk)) == 1

    result = handlers.activity_import_run(Job.objects.get(pk=job.pk), lambda *args: None)

    assert result["outcome"] == "applied"
    assert "undone" not in result
    assert ImportUndo.objects.count() == 0
    assert Activity.objects.get(reference=REF).title_en == "Changed by the job"


@pytest.mark.usefixtures("one_per_chunk")
def test_a_run_that_lost_its_lease_stops_after_one_more_chunk_and_keeps_the_undo_log(
    world: World,
) -> None:
    """A worker still alive after its lease ran out (and the job failed) stops between chunks.

    Its heartbeat finds the lease taken over and marks the run's progress lost; the
    import's next report raises LeaseLost, so the run never reaches its end (which
    would drop the undo log), and what it committed late is undone by recovery.
    """
    job = started(world)
    before = snapshot()
    assert services.job_claim(job_id=str(job.pk)) == 1
    progress = Progress()

    def report(stage: str, done: int, total: int) -> None:
        progress(stage, done, total)
        if stage == "applying":
            # The heartbeat's finding, after this chunk committed: the job was taken over
            # (here: failed for good by recovery, with what was journalled so far undone).
            progress.lost.set()

    with pytest.raises(LeaseLost):
        handlers.activity_import_run(Job.objects.get(pk=job.pk), report)

    # The chunk under way when the lease was found lost (REF2) still commits; the run
    # stops at its report, before the third (SMG-C).
    assert Activity.objects.get(reference=REF).title_en == "Changed by the job"
    assert Activity.objects.get(reference=REF2).title_id == "Diubah oleh pekerjaan"
    assert not Activity.objects.filter(reference="SMG-C").exists()
    assert journal(job) == 2
    assert services.job_fail(job_id=str(job.pk), attempt=1, error="lease lost")
    assert services.jobs_recover() == []
    assert snapshot() == before
    assert journal(job) == 0
