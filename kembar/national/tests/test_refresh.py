"""The summaries of the record of :mod:`.record`, and how they follow a change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from kembar.national import triggers
from kembar.national.models import RegionSummary, RegionYearSummary
from kembar.national.refresh import status_state
from kembar.national.tests.record import Record
from kembar.partnerships.models import LifecycleState, Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import ParticipantCount
from kembar.programs.rollup import rollup_rebuild
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SUMMARY_FIELDS = (
    "region_id",
    "partnerships",
    "active",
    "at_risk",
    "dormant",
    "ended",
    "unknown",
    "from_status",
    "partner_countries",
    "activities",
    "participants",
    "participants_withheld",
)
YEAR_FIELDS = (
    "year",
    "partnerships",
    "active",
    "at_risk",
    "dormant",
    "ended",
    "activities",
    "participants",
    "participants_withheld",
    "expects_report",
)


def test_each_region_now(record: Record) -> None:
    rows = list(RegionSummary.objects.order_by("region_id").values_list(*SUMMARY_FIELDS))
    assert rows == [
        ("33", 2, 0, 0, 1, 1, 0, 1, 2, 0, 0, False),
        ("33.71", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, False),
        ("33.74", 4, 1, 0, 2, 0, 1, 1, 3, 3, 67, False),
        ("51", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, False),
        ("51.71", 1, 1, 0, 0, 0, 0, 0, 1, 1, 3, True),
    ]
    assert set(RegionSummary.objects.values_list("as_of", flat=True)) == {dt.date(2025, 6, 30)}


def test_semarang_by_year(record: Record) -> None:
    rows = list(
        RegionYearSummary.objects.filter(region_id="33.74")
        .order_by("year")
        .values_list(*YEAR_FIELDS)
    )
    assert rows == [
        (2019, 1, 1, 0, 0, 0, 0, 0, False, True),
        (2020, 1, 0, 1, 0, 0, 0, 0, False, True),
        (2021, 1, 0, 1, 0, 0, 0, 0, False, True),
        (2022, 1, 0, 0, 1, 0, 0, 0, False, True),
        # 2 people: hidden; 25 hidden too, or 2 would be 67 - 25 - 40.
        (2023, 2, 1, 0, 1, 0, 1, 2, True, True),
        (2024, 2, 1, 0, 1, 0, 1, 25, True, True),
        (2025, 2, 1, 0, 1, 0, 1, 40, False, True),
    ]


def test_an_ended_agreement_owes_no_report(record: Record) -> None:
    rows = dict(
        RegionYearSummary.objects.filter(region_id="33").values_list("year", "expects_report")
    )
    assert sorted(rows) == list(range(2010, 2026))
    assert [year for year, owed in sorted(rows.items()) if owed] == [2010, 2011, 2012, 2013, 2014]
    assert list(RegionYearSummary.objects.filter(region_id="51.71").values_list(*YEAR_FIELDS)) == [
        (2025, 1, 1, 0, 0, 0, 1, 3, True, True)
    ]


@pytest.mark.parametrize(
    ("stage", "terminal", "counts", "documented", "state"),
    [
        ("dormant", False, False, "active", "dormant"),
        ("lapsed", True, False, "active", "ended"),
        ("active", False, True, "dormant", "active"),
        ("exploration", False, False, "dormant", "dormant"),
        ("exploration", False, False, "listed_only", ""),
        (None, False, False, "revived_after_lapse", "active"),
        (None, False, False, "completed_programme", "ended"),
        (None, False, False, "agreement_signed", ""),
    ],
)
def test_state_from_stage_or_documented_status(
    stage: str | None, terminal: bool, counts: bool, documented: str, state: str
) -> None:
    partnership = Partnership(documented_status=documented)
    if stage is not None:
        partnership.state = LifecycleState(
            code=stage, is_terminal=terminal, counts_as_active=counts
        )
    assert status_state(partnership) == state


def test_a_committed_change_refreshes_its_region(
    record: Record, django_capture_on_commit_callbacks: Any
) -> None:
    magelang = "33.71"
    with django_capture_on_commit_callbacks(execute=False) as waiting, transaction.atomic():
        partnership = PartnershipFactory.create(
            slug="mgl-x", local_region_id=magelang, partner_name="X"
        )
        activity = ActivityFactory.create(
            partnership=partnership,
            start_date=dt.date(2025, 6, 1),
            end_date=dt.date(2025, 6, 1),
            participants_local=12,
        )
        ParticipantCount.objects.create(
            activity=activity,
            side="local",
            group="community",
            gender="male",
            age_band="15-24",
            count=12,
        )
        rollup_rebuild()
    # One refresh for the transaction, however many rows it wrote; nothing changed before it.
    refreshes = [callback for callback in waiting if isinstance(callback, triggers._Pending)]
    assert [sorted(callback.regions) for callback in refreshes] == [[magelang]]
    assert RegionSummary.objects.get(region_id=magelang).partnerships == 0
    refreshes[0]()
    summary = RegionSummary.objects.get(region_id=magelang)
    assert (summary.partnerships, summary.active, summary.activities, summary.participants) == (
        1,
        1,
        1,
        12,
    )
    assert list(RegionYearSummary.objects.filter(region_id=magelang).values_list(*YEAR_FIELDS)) == [
        (2025, 1, 1, 0, 0, 0, 1, 12, False, True)
    ]


def test_a_region_already_waiting_is_not_sent_again(
    record: Record, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    refreshed: list[list[str]] = []
    monkeypatch.setattr(
        "kembar.national.tasks.regions_refresh", lambda kodes: refreshed.append(list(kodes))
    )
    cache.add(triggers.PENDING_PREFIX + "51.71", 1)  # Denpasar's refresh waits in the queue
    with django_capture_on_commit_callbacks(execute=True):
        record.partnerships["darwin"].save()
        record.partnerships["brisbane"].save()
        record.partnerships["fuzhou"].save()
    assert refreshed == [["33.74"]]
    # The refresh cleared its own marker when it started; Denpasar's stays until its own does.
    assert cache.get(triggers.PENDING_PREFIX + "33.74") is None
    assert cache.get(triggers.PENDING_PREFIX + "51.71") == 1


def test_the_command_refreshes_everything_or_the_regions_named(record: Record) -> None:
    RegionSummary.objects.all().delete()
    RegionYearSummary.objects.all().delete()
    call_command("national_refresh", "--region", "33.74", "--region", "33.74.01")
    assert list(RegionSummary.objects.values_list("region_id", flat=True)) == ["33.74"]
    call_command("national_refresh", "--as-of", "2025-06-30")
    assert RegionSummary.objects.count() == 5
    assert RegionYearSummary.objects.count() == 16 + 7 + 1
