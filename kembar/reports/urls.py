"""Report pages of the staff area, included by ``config.urls`` at ``/staff/reports/``."""

from django.urls import path

from kembar.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="reports"),
    path("<uuid:job_id>/download/", views.report_download, name="report-download"),
]
