"""gunicorn for Kembar (``manage.py serve``, ``make run``).

Workers: ``KEMBAR_WEB_WORKERS`` processes (default: one per core, at least two), each with
``KEMBAR_WEB_THREADS`` threads (default 4; 1 gives plain sync workers).  Kembar's requests
are CPU-bound Python, so more processes than cores buy nothing, while threads let a worker
keep connections alive (wrk, browsers, a proxy reusing connections) and go on serving while
one request waits for the database or a slow client.  Each process holds its own copy of
the world network graph, so fewer processes also means less memory.  On this 2-core machine
2 × 4 threads served the public pages and the trivial view at least as fast as 5 sync
workers (bench/README.md, "HTTP throughput"; both measured on a busy machine).

The application is loaded once before the workers fork (``preload_app``): the network graph
and the public pages are warmed there (config/wsgi.py) and shared copy-on-write, and the
port opens only when that is done.  Access log on stdout.

gunicorn's control socket (``gunicornc``) lives under ``var/``, named by the address the
server listens on: its default path (``$XDG_RUNTIME_DIR/gunicorn.ctl`` or
``~/.gunicorn/gunicorn.ctl``) is one for every master of a user, and a second master on
the machine (two ``manage.py serve`` on two ports, as bench/scaleout.py runs them) took it
over, and removed it when it stopped.  ``KEMBAR_GUNICORN_CONTROL_SOCKET`` sets another
path; ``off`` turns the socket off.
"""

import multiprocessing
import os
import re
from pathlib import Path

os.environ.setdefault("KEMBAR_WARM_UP", "1")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return multiprocessing.cpu_count()


bind = os.environ.get("KEMBAR_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"


def _control_socket(address: str) -> str:
    """``var/gunicorn-<address>.ctl``: one per address, so one per master on a machine."""
    var_dir = Path(
        os.environ.get("KEMBAR_VAR_DIR") or Path(__file__).resolve().parent.parent / "var"
    )
    name = re.sub(r"[^A-Za-z0-9.]+", "-", address.removeprefix("unix:")).strip("-")
    return str(var_dir / f"gunicorn-{name}.ctl")


_control = os.environ.get("KEMBAR_GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = _control == "off"
control_socket = _control if _control not in ("", "off") else _control_socket(bind)
workers = int(os.environ.get("KEMBAR_WEB_WORKERS") or max(_cores(), 2))
threads = int(os.environ.get("KEMBAR_WEB_THREADS") or 4)
worker_class = "gthread" if threads > 1 else "sync"
preload_app = True
wsgi_app = "config.wsgi:application"
# One access line per request comes from Kembar itself (kembar.common.request_id: request id,
# path without the query string, no client address); gunicorn's own would repeat it.
accesslog = None
errorlog = "-"
# A request longer than this is stuck: the worker is replaced (long work belongs in the queue).
timeout = int(os.environ.get("KEMBAR_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Behind a reverse proxy on another address, trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("KEMBAR_FORWARDED_ALLOW_IPS", "127.0.0.1")
