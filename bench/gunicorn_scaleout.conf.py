"""config/gunicorn.conf.py, plus closing the database pools before each worker is forked.

The production configuration loads the application in the master (``preload_app``) and
warms it up; on PostgreSQL that opens connection pools (``OPTIONS["pool"]``) whose
connections ``connections.close_all()`` only hands back to the pool.  Forked workers then
share those sockets and the server answers "lost synchronization with server".  Until
config/wsgi.py closes the pools itself (reported with bench/README.md's scale-out results),
this hook does it, so that every worker opens its own.
"""

import runpy
from pathlib import Path
from typing import Any

_PRODUCTION = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"
_production = runpy.run_path(str(_PRODUCTION))
globals().update({key: value for key, value in _production.items() if not key.startswith("__")})


def pre_fork(server: Any, worker: Any) -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    for alias, pool in list(DatabaseWrapper._connection_pools.items()):
        pool.close()
        del DatabaseWrapper._connection_pools[alias]
