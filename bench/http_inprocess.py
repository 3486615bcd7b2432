"""CPU time per request of Kembar's answers inside one process, without HTTP.

``measure(paths, count)`` sends each path ``count`` times through Django's WSGI
handler with the real settings and middleware (as gunicorn would, minus the
socket), after two requests that fill the public cache, and returns for each the
process CPU microseconds per request (``time.process_time``, so other programs on
the machine hardly move it) and whether the last answer was a cache hit.
bench/http.py runs it next to the wrk runs: a cached public answer costing less
CPU than the trivial view is what lets it keep up with the trivial view under load.
"""

from __future__ import annotations

import io
import logging
import time
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.test.client import RequestFactory


def _call(app: WSGIHandler, factory: RequestFactory, path: str) -> dict[str, str]:
    environ = factory.get(path, HTTP_HOST="127.0.0.1").environ
    environ["wsgi.input"] = io.BytesIO(b"")
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"] = status
        seen.update({name.lower(): value for name, value in headers})

    body = app(environ, start_response)
    try:
        b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return seen


def measure(paths: list[str], count: int) -> dict[str, dict[str, Any]]:
    """CPU microseconds per request of each path, after two warming requests."""
    logging.disable(logging.INFO)  # the access line per request is not what is measured
    app = WSGIHandler()
    factory = RequestFactory()
    results: dict[str, dict[str, Any]] = {}
    for path in paths:
        _call(app, factory, path)
        seen = _call(app, factory, path)
        started = time.process_time()
        for _ in range(count):
            seen = _call(app, factory, path)
        spent = time.process_time() - started
        results[path] = {
            "status": seen["status"],
            "x_cache": seen.get("x-cache", "-"),
            "cpu_us": round(spent / count * 1e6, 1),
        }
    return results
