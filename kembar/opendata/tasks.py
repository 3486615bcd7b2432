"""Work of the open data that the task queue's worker runs (``manage.py run_huey``).

- ``open_data_refresh``: every 5 minutes, rebuild the package served at
  ``/open-data/`` when the public data changed since it was built (the
  public-data generation of :mod:`kembar.common.public_cache`); otherwise
  nothing is written.
"""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from kembar.jobs.schedule import local_crontab
from kembar.opendata.build import publish_if_changed

__all__ = ["open_data_refresh"]

logger = logging.getLogger(__name__)


@db_periodic_task(local_crontab(minute="*/5"))
def open_data_refresh() -> None:
    """Rebuild the open-data package when the public data changed; idempotent."""
    state = publish_if_changed()
    if state is not None:
        logger.info("Open-data package rebuilt under generation %s", state.generation)
