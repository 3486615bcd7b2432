"""The queue's work for the national summaries (``manage.py run_huey`` finds this module).

- :func:`refresh_regions`: the regions a committed change named
  (:mod:`kembar.national.triggers`), a few seconds after the change so that a
  burst of changes (a check-in desk, a form with many rows) is one refresh;
- :func:`refresh_national`: every region each night at 02:30 local time, since
  health states move with the date alone;
- :func:`refresh_if_stale`: when a worker starts, every region if the summaries
  are missing or older than today (a fresh install, a worker that was down at night).

The tasks return nothing: huey would keep every return value in its result store.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from kembar.common.public_cache import CACHE_ERRORS
from kembar.jobs.schedule import local_crontab
from kembar.national.models import RegionSummary
from kembar.national.refresh import national_refresh, regions_refresh
from kembar.national.triggers import PENDING_PREFIX
from kembar.partnerships.models import Partnership

__all__ = ["refresh_if_stale", "refresh_national", "refresh_regions"]

logger = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=60)
def refresh_regions(kodes: list[str]) -> None:
    """Recompute the summaries of ``kodes`` (idempotent: the rows are replaced)."""
    try:
        cache.delete_many([PENDING_PREFIX + kode for kode in kodes])
    except CACHE_ERRORS:
        logger.warning("cache unreachable: national refresh markers left to expire")
    regions_refresh(kodes)


@db_periodic_task(local_crontab(hour="2", minute="30"))
def refresh_national() -> None:
    """Every night: every province and kabupaten/kota (``manage.py national_refresh``)."""
    regions = national_refresh()
    logger.info("National summaries of %s regions refreshed.", regions)


@on_startup()
@close_db
def refresh_if_stale() -> None:
    """When a worker starts: send the full refresh if the summaries are missing or old."""
    today = timezone.localdate()
    try:
        missing = not RegionSummary.objects.exists() and Partnership.objects.exists()
        stale = missing or RegionSummary.objects.filter(as_of__lt=today).exists()
    except DatabaseError:  # not migrated yet: the nightly run will do it
        logger.warning("national summaries not checked at start-up", exc_info=True)
        return
    if stale:
        refresh_national()
