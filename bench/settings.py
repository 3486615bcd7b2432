"""The production settings plus a trivial JSON view (bench/urls.py), bench/http.py's anchor."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
