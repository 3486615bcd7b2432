"""locust users for bench/http.py: signed-in staff reading their pages (not run on its own).

Each user holds one of the sessions bench/http.py made (``KEMBAR_BENCH_SESSIONS``) and opens
one of ``KEMBAR_BENCH_STAFF_PATHS`` every 1 to 3 seconds; anything but a 200 is a failure
(a redirect to the sign-in page would otherwise look fast).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

SESSIONS = json.loads(os.environ.get("KEMBAR_BENCH_SESSIONS", "[]"))
PATHS = json.loads(os.environ.get("KEMBAR_BENCH_STAFF_PATHS", "[]"))
_numbers = itertools.count()


class StaffUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", SESSIONS[next(_numbers) % len(SESSIONS)])

    @task
    def open_page(self) -> None:
        path = random.choice(PATHS)
        with self.client.get(path, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
