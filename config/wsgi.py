"""The WSGI application; ``manage.py serve`` runs it under gunicorn (config/gunicorn.conf.py).

With ``KEMBAR_WARM_UP=1`` (gunicorn.conf.py sets it) this process, which then forks the
workers, first builds the world twin-city network with its communities and answers each
public page once in both languages (importing the URLconf, compiling templates, loading
translations).  The workers inherit all of it, and the port opens only afterwards: no
visitor waits for a cold start.  Nothing is warmed when the tables are missing or empty.
"""

import logging
import os
import time
from wsgiref.util import setup_testing_defaults

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

#: Pages (URL names) answered once per language at start-up.
WARM_PAGES = [
    "portal:home",
    "portal:partnerships",
    "insights:reach-public",
    "insights:economy-public",
    "insights:network",
    "api-partnership-list",
    "api-activity-list",
    "api-region-list",
    "api-city-list",
    "api-insights-reach",
]


def _warm_pages() -> list[str]:
    """GET each of WARM_PAGES through the application; returns the paths that did not answer 200."""
    from django.conf import settings
    from django.urls import reverse

    hosts = [host for host in settings.ALLOWED_HOSTS if host and host[0] not in ".*"]
    secure = bool(settings.SECURE_SSL_REDIRECT)
    failed = []
    for language, _name in settings.LANGUAGES:
        for name in WARM_PAGES:
            path = reverse(name)
            environ: dict[str, object] = {
                "PATH_INFO": path,
                "HTTP_HOST": hosts[0] if hosts else "localhost",
                "HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}={language}",
                "HTTP_ACCEPT_LANGUAGE": language,
                "wsgi.url_scheme": "https" if secure else "http",
            }
            if secure:
                environ["HTTP_X_FORWARDED_PROTO"] = "https"
            setup_testing_defaults(environ)
            answer = _Answer()
            body = application(environ, answer)  # type: ignore[arg-type]
            try:
                b"".join(body)
            finally:
                body.close()  # request_finished: closes the connections it opened
            if not answer.status.startswith("200"):
                failed.append(f"{path} ({language}): {answer.status or 'no answer'}")
    return failed


class _Answer:
    """A WSGI start_response that keeps the status."""

    status = ""

    def __call__(self, status: str, headers: list[tuple[str, str]], *exc_info: object) -> None:
        self.status = status


if os.environ.get("KEMBAR_WARM_UP") == "1":
    from django.core.cache import caches
    from django.db import connections

    from kembar.insights.network import network_warm_up

    log = logging.getLogger("kembar.server")
    started = time.perf_counter()
    if network_warm_up():
        failed = _warm_pages()
        log.info("warm-up done in %.1f s", time.perf_counter() - started)
        if failed:
            log.warning("warm-up: not answered with 200: %s", "; ".join(failed))
    else:
        log.info("warm-up skipped: no twin-town links in the database yet")
    # Each worker opens its own connections; none may inherit one from this process.
    # close_all() only hands pooled connections back to their pool (PostgreSQL), whose
    # sockets forked workers would then share: the pools are closed too.
    connections.close_all()
    for alias in connections:
        close_pool = getattr(connections[alias], "close_pool", None)
        if close_pool is not None:
            close_pool()
    caches.close_all()
