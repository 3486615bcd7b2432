"""Settings for the test suite: the real settings, with static files served unhashed.

Tests render templates without running ``collectstatic`` first, so the
manifest storage used in production is swapped for the plain one.  Nothing
else differs: tests run against the same database engines, security
settings and password hashers as production.
"""

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
