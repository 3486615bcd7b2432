"""Recompute a region's summary once a transaction that changed its record commits.

A change to a partnership, its documents or documented history, an activity or
what is recorded under it (participant counts, contributions, results, trip
reports) names the region whose summary it moves.  The regions a transaction
names are collected and, after it commits, handed to the task queue
(:func:`kembar.national.tasks.refresh_regions`), once per region however many
rows changed; a region already waiting in the queue is not sent again
(a marker in the shared cache, cleared when its refresh starts).

Signals are used here, against the project's rule of calling things
explicitly, for the reason :mod:`kembar.common.public_cache` gives: the data
apps must not know that a national summary exists.  Writers that send no
signal (the spreadsheet import's bulk writes, the demonstration generator) are
caught by the import's log entry (an applied import recomputes the uploader's
region, or every region for an administrator's upload) and, like everything
else, by the nightly refresh of every region.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from kembar.common.public_cache import CACHE_ERRORS

__all__ = ["PENDING_PREFIX", "connect_signals", "regions_changed"]

logger = logging.getLogger(__name__)

PENDING_PREFIX = "kembar:national:pending:"
#: Longest a region is marked as waiting (a refresh the queue lost is sent again after it).
PENDING_SECONDS = 600


class _Pending:
    """The regions one transaction changed; refreshed once it commits."""

    def __init__(self) -> None:
        self.regions: set[str] = set()
        self.partnerships: dict[int, str | None] = {}
        self.activities: dict[int, str | None] = {}

    def __call__(self) -> None:
        refresh_soon(self.regions)


def refresh_soon(regions: Iterable[str]) -> None:
    """Send the regions not already waiting to the queue (at once when it runs tasks at once)."""
    from kembar.national.tasks import refresh_regions

    wanted = []
    for kode in sorted(set(regions)):
        try:
            if not cache.add(PENDING_PREFIX + kode, 1, timeout=PENDING_SECONDS):
                continue
        except CACHE_ERRORS:
            logger.warning("cache unreachable: national refresh sent without a marker")
        wanted.append(kode)
    if not wanted:
        return
    if settings.HUEY.get("immediate"):
        refresh_regions(wanted)
    else:
        delay = int(getattr(settings, "KEMBAR_NATIONAL_REFRESH_DELAY", 5))
        refresh_regions.schedule(args=(wanted,), delay=delay)


def _pending(using: str) -> _Pending | None:
    """This transaction's collector, made when needed; None outside a transaction."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Pending):
            return entry[1]
    pending = _Pending()
    # robust: a queue that cannot be reached must not fail a write that has committed.
    transaction.on_commit(pending, using=using, robust=True)
    return pending


def regions_changed(regions: Iterable[str | None], *, using: str = "default") -> None:
    """Say that the record of ``regions`` changed: refreshed after the commit."""
    named = {kode for kode in regions if kode}
    if not named:
        return
    pending = _pending(using)
    if pending is None:
        # Outside a transaction the write has committed: run now, and like the callback of a
        # transaction never let a failure here fail the write (robust).
        transaction.on_commit(lambda: refresh_soon(named), using=using, robust=True)
    else:
        pending.regions |= named


def _partnership_region(pk: int | None, pending: _Pending | None) -> str | None:
    from kembar.partnerships.models import Partnership

    if pk is None:
        return None
    if pending is not None and pk in pending.partnerships:
        return pending.partnerships[pk]
    kode = Partnership.objects.filter(pk=pk).values_list("local_region_id", flat=True).first()
    if pending is not None:
        pending.partnerships[pk] = kode
    return kode


def _activity_region(pk: int | None, pending: _Pending | None) -> str | None:
    from kembar.programs.models import Activity

    if pk is None:
        return None
    if pending is not None and pk in pending.activities:
        return pending.activities[pk]
    kode = (
        Activity.objects.filter(pk=pk)
        .values_list("partnership__local_region_id", flat=True)
        .first()
    )
    if pending is not None:
        pending.activities[pk] = kode
    return kode


def _on_partnership(sender: Any, instance: Any, using: str = "default", **kwargs: Any) -> None:
    regions_changed([instance.local_region_id], using=using)


def _on_partnership_child(
    sender: Any, instance: Any, using: str = "default", **kwargs: Any
) -> None:
    pending = _pending(using)
    regions_changed([_partnership_region(instance.partnership_id, pending)], using=using)


def _on_activity_child(sender: Any, instance: Any, using: str = "default", **kwargs: Any) -> None:
    pending = _pending(using)
    regions_changed([_activity_region(instance.activity_id, pending)], using=using)


def _on_import(sender: Any, instance: Any, using: str = "default", **kwargs: Any) -> None:
    """An applied spreadsheet import wrote in bulk: the uploader's region, or every region."""
    from kembar.programs.models import ImportBatch

    if instance.outcome not in {ImportBatch.Outcome.APPLIED, ImportBatch.Outcome.PARTLY_APPLIED}:
        return
    organisation = getattr(instance.uploaded_by, "organisation", None)
    region = organisation.home_region_id if organisation is not None else None
    if region:
        regions_changed([region], using=using)
        return

    def everything() -> None:
        from kembar.national.tasks import refresh_national

        refresh_national()

    transaction.on_commit(everything, using=using, robust=True)


def connect_signals() -> None:
    """Connect the handlers (called once, from the app's ``ready``)."""
    from kembar.partnerships.models import Partnership, PartnershipDocument, PartnershipEvent
    from kembar.programs.models import (
        Activity,
        Contribution,
        ImportBatch,
        ParticipantCount,
        Result,
        TripReport,
    )

    handlers: list[tuple[type[models.Model], Any]] = [
        (Partnership, _on_partnership),
        (PartnershipDocument, _on_partnership_child),
        (PartnershipEvent, _on_partnership_child),
        (Activity, _on_partnership_child),
        (ParticipantCount, _on_activity_child),
        (Contribution, _on_activity_child),
        (Result, _on_activity_child),
        (TripReport, _on_activity_child),
    ]
    for model, handler in handlers:
        uid = f"national:{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(handler, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(
        _on_import, sender=ImportBatch, dispatch_uid="national:importbatch", weak=False
    )
