"""config/settings.py: the task queue on its own Redis (KEMBAR_QUEUE_REDIS_URL), else the cache's.

The settings are read in a process of their own, as a server or worker reads them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

_PRINT = """
import json
from django.conf import settings
print(json.dumps({
    "cache": [settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1],
              settings.CACHES["default"]["LOCATION"]],
    "queue": [settings.HUEY["huey_class"],
              settings.HUEY.get("connection", {}).get("url") or settings.HUEY["filename"]],
}))
"""
CACHE = "redis://10.0.0.1:6379/0"
QUEUE = "redis://10.0.0.2:6379/0"


def _resolved(tmp_path: Path, **env: str) -> dict[str, list[str]]:
    base = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "KEMBAR_QUEUE_REDIS_URL", "KEMBAR_QUEUE_FILE")
    }
    completed = subprocess.run(
        [sys.executable, "-c", _PRINT],
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "config.settings",
             "KEMBAR_VAR_DIR": str(tmp_path)},
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    result: dict[str, list[str]] = json.loads(completed.stdout)
    return result


@pytest.mark.parametrize(
    ("env", "cache", "queue"),
    [
        ({}, ["FileBasedCache", "{var}/cache"], ["huey.SqliteHuey", "{var}/queue.sqlite3"]),
        ({"REDIS_URL": CACHE}, ["RedisCache", CACHE], ["huey.PriorityRedisHuey", CACHE]),
        (
            {"REDIS_URL": CACHE, "KEMBAR_QUEUE_REDIS_URL": QUEUE},
            ["RedisCache", CACHE],
            ["huey.PriorityRedisHuey", QUEUE],
        ),
        (
            {"KEMBAR_QUEUE_REDIS_URL": QUEUE},
            ["FileBasedCache", "{var}/cache"],
            ["huey.PriorityRedisHuey", QUEUE],
        ),
    ],
    ids=["neither", "one-redis", "two-redis", "queue-only"],
)
def test_the_queue_uses_its_own_redis_else_the_caches(
    tmp_path: Path, env: dict[str, str], cache: list[str], queue: list[str]
) -> None:
    expected = {
        "cache": [value.format(var=tmp_path) for value in cache],
        "queue": [value.format(var=tmp_path) for value in queue],
    }

    assert _resolved(tmp_path, **env) == expected
