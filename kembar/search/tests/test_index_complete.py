"""A new instance has a complete index: load_reference, then generate_demo and its removal.

``generate_demo`` writes with ``bulk_create`` and removes with raw deletes (no
signals); it rebuilds the activities and trip reports in the index at its end.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kembar.programs.models import Activity, TripReport
from kembar.search.engine import search
from kembar.search.models import DocumentKind, SearchDocument

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _indexed(kind: str) -> set[int]:
    return set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True))


def _complete() -> None:
    assert _indexed(DocumentKind.ACTIVITY) == set(Activity.objects.values_list("pk", flat=True))
    assert _indexed(DocumentKind.TRIP_REPORT) == set(
        TripReport.objects.values_list("pk", flat=True)
    )


def test_load_reference_leaves_the_index_complete(reference_db: None) -> None:
    _complete()


def test_generate_demo_and_its_removal_keep_the_index_complete(reference_db: None) -> None:
    call_command("generate_demo", "--seed", "1", "--activities", "12", stdout=None)
    assert Activity.objects.filter(is_demo=True).count() == 12
    assert TripReport.objects.filter(activity__is_demo=True).exists()
    _complete()
    first = Activity.objects.filter(is_demo=True).order_by("reference").first()
    assert first is not None
    found = search(first.title_id, limit=100)
    assert (DocumentKind.ACTIVITY, first.pk) in {(hit.kind, hit.object_id) for hit in found.hits}

    call_command("generate_demo", "--seed", "2", "--activities", "5")
    assert Activity.objects.filter(is_demo=True).count() == 5
    _complete()

    call_command("generate_demo", "--remove")
    assert not Activity.objects.filter(is_demo=True).exists()
    _complete()
