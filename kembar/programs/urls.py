"""Activity pages of the staff area, included by ``config.urls`` at ``/staff/activities/``."""

from django.urls import path

from kembar.programs import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/<int:pk>/rows-to-correct.xlsx", views.import_rejected, name="import-rejected"),
    path("<slug:reference>/", views.activity_detail, name="detail"),
    path("<slug:reference>/edit/", views.activity_edit, name="edit"),
    path("<slug:reference>/delete/", views.activity_delete_view, name="delete"),
    path("<slug:reference>/participants/", views.activity_participants, name="participants"),
    path("<slug:reference>/money/", views.activity_money, name="money"),
    path("<slug:reference>/results/", views.activity_result_add, name="result-add"),
    path("<slug:reference>/effects/", views.activity_effects, name="effects"),
    path("<slug:reference>/trip-report/", views.activity_trip_report, name="trip-report"),
]
