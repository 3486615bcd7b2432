"""Settings for the test suite: the real settings, with static files served unhashed.

Tests render templates without running ``collectstatic`` first, so the
manifest storage used in production is swapped for the plain one.  Nothing
else differs: tests run against the same database engines, security
settings and password hashers as production.
"""

import os

# Tasks run at once in the test's own process unless a test starts a real worker.
os.environ.setdefault("KEMBAR_QUEUE_IMMEDIATE", "true")
# The settings require a key; tests (and the processes they start, which inherit the
# environment) use this one, never a real instance's.
os.environ.setdefault("DJANGO_SECRET_KEY", "kembar-tests-only-not-a-secret-0123456789abcdef")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns when STATIC_ROOT is missing; tests serve from the finders instead.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Live-server threads must not keep connections open past a test, or the test
# database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The suite's threads (live server, parallel-edit tests) each hold a connection
# for a whole test, more than a small pool lends; kembar/core/tests/
# test_connections.py checks the pool through a server run with the real settings.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

# One process runs the tests: an in-memory cache, emptied before each test (conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Reads go to a replica only in kembar/core/tests/test_db_router.py, which turns it on; the
# replica's connections are not pooled, like the primary's above.
KEMBAR_READ_REPLICA = ""
DATABASES.get("replica", {}).get("OPTIONS", {}).pop("pool", None)  # noqa: F405
