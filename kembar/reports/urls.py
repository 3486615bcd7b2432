"""Report pages of the staff area, included by ``config.urls`` at ``/staff/reports/``."""

from django.urls import URLPattern

app_name = "reports"
urlpatterns: list[URLPattern] = []
