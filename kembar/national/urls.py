"""The ministry's pages: ``/staff/national/`` (included from ``config/urls.py``)."""

from django.urls import path, re_path

from kembar.national import province_views, views

app_name = "national"
urlpatterns = [
    path("", views.national_map, name="national-map"),
    path("reports/", views.reports, name="national-reports"),
    path("reports/record/", views.report_record, name="national-report-record"),
    path("province/", province_views.province_home, name="national-province-home"),
    re_path(
        r"^province/(?P<kode>\d{2})/$", province_views.province_page, name="national-province"
    ),
    re_path(
        r"^regions/(?P<kode>\d{2}(?:\.\d{2})?)/$", views.region_compare, name="national-region"
    ),
]
