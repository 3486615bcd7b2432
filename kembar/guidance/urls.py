"""Guidance pages: ``/guidance/`` for everyone and ``/staff/guidance/`` for staff.

The parameters are named after what they expect: ``template`` (a document of
the library: a template or a checklist), ``year``, ``practice``.
"""

from django.urls import path

from kembar.guidance import staff_views, views

app_name = "guidance"
urlpatterns = [
    path("", views.index, name="guidance"),
    path("templates/<slug:template>/", views.document_detail, name="guidance-document"),
    path(
        "templates/<slug:template>/download/",
        views.document_download,
        name="guidance-document-download",
    ),
    path("shared/", views.shared, name="guidance-shared"),
    path("recognition/", views.recognition_criteria, name="recognition"),
    path("recognition/<int:year>/", views.recognition_year, name="recognition-year"),
]

staff_urlpatterns = [
    path("", staff_views.index, name="guidance-staff"),
    path("templates/<slug:template>/", staff_views.document_detail, name="guidance-staff-document"),
    path(
        "templates/<slug:template>/download/",
        staff_views.document_download,
        name="guidance-staff-download",
    ),
    path(
        "practices/<int:practice>/share/",
        staff_views.practice_share,
        name="guidance-practice-share",
    ),
]
