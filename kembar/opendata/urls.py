"""Open-data pages and files, included by ``config.urls`` at ``/open-data/``."""

from django.urls import URLPattern

app_name = "opendata"
urlpatterns: list[URLPattern] = []
