"""locust: the public browsing Kembar through two app servers (bench/scaleout.py).

Each simulated visitor opens pages and public API lists with a pause between them, the
time to read one (``KEMBAR_BENCH_WAIT``, seconds "low,high", default "2,8"), sending its
requests in turn to the app servers in ``KEMBAR_BENCH_HOSTS`` (comma-separated base URLs):
a tiny round-robin.
Like nginx in front of several upstreams (``proxy_next_upstream error``, its default), a
request that cannot reach a server or loses the connection before the answer is sent to the
next server, and then once more to the first (a kept-alive connection the server closed at
that moment fails once on a healthy server too).  Requests retried are counted apart and
written, with those that failed on every try, to ``KEMBAR_BENCH_FAILOVER_OUT`` (JSON) when
the run ends, with the answers counted by their ``X-Cache`` header (the public cache's hit
or miss).  The
time recorded for a request includes its retry.

``KEMBAR_BENCH_PATHS`` is a JSON list of ``[name, path]`` pairs; a quarter of the visitors
read in English (the language cookie), the others in Bahasa Indonesia.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from typing import Any

import requests
from locust import User, between, events, task

HOSTS = [host.rstrip("/") for host in os.environ.get("KEMBAR_BENCH_HOSTS", "").split(",") if host]
PATHS: list[list[str]] = json.loads(os.environ.get("KEMBAR_BENCH_PATHS", "[]"))
_LOW, _HIGH = (float(part) for part in os.environ.get("KEMBAR_BENCH_WAIT", "2,8").split(","))
TIMEOUT = 30

_lock = threading.Lock()
_retries: dict[str, int] = {"retried": 0, "failed_everywhere": 0}
#: Answers by their X-Cache header (the public cache: hit, miss, or none when not cacheable).
_cache: dict[str, int] = {}


def _count(key: str) -> None:
    with _lock:
        _retries[key] += 1


@events.quitting.add_listener
def _write_retries(environment: Any, **kwargs: Any) -> None:
    target = os.environ.get("KEMBAR_BENCH_FAILOVER_OUT")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({**_retries, "x_cache": _cache}, out)


class PublicVisitor(User):
    wait_time = between(_LOW, _HIGH)

    def on_start(self) -> None:
        if not HOSTS or not PATHS:
            raise RuntimeError("set KEMBAR_BENCH_HOSTS and KEMBAR_BENCH_PATHS")
        self.sessions = {host: requests.Session() for host in HOSTS}
        if random.random() < 0.25:
            for session in self.sessions.values():
                session.cookies.set("kembar_language", "en")
        start = random.randrange(len(HOSTS))
        self.turn = itertools.islice(itertools.cycle(HOSTS), start, None)

    def on_stop(self) -> None:
        for session in self.sessions.values():
            session.close()

    @task
    def visit(self) -> None:
        name, path = random.choice(PATHS)
        started = time.perf_counter()
        first = next(self.turn)
        exception: Exception | None = None
        length = 0
        others = [host for host in HOSTS if host != first][:1]
        for attempt, host in enumerate([first, *others, *([first] if others else [])]):
            try:
                response = self.sessions[host].get(host + path, timeout=TIMEOUT)
            except requests.ConnectionError as error:
                # Refused, reset or closed before the answer: the server is down or died.
                exception = error
                if attempt == 0 and len(HOSTS) > 1:
                    _count("retried")
                continue
            except requests.RequestException as error:  # a timeout (30 s): failed, no retry
                exception = error
                break
            length = len(response.content)
            state = response.headers.get("X-Cache", "none")
            with _lock:
                _cache[state] = _cache.get(state, 0) + 1
            exception = (
                None
                if response.status_code < 400
                else RuntimeError(f"HTTP {response.status_code} from {host}")
            )
            break
        else:
            _count("failed_everywhere")
        self.environment.events.request.fire(
            request_type="GET",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=exception,
            context={},
        )
