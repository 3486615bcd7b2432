"""Opportunity pages of the staff area, included by ``config.urls`` at ``/staff/opportunities/``."""

from django.urls import path

from kembar.participation import views, views_staff

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_create_view, name="create"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/status/", views.opportunity_transition_view, name="transition"),
    path("<int:pk>/reservations/", views.opportunity_accept_suggestions, name="reservations"),
    path("personal-data-log/", views.personal_data_log, name="personal-data-log"),
    # Registrations, selection and check-in (kembar.participation.views_staff).
    path("<int:pk>/registrations/", views_staff.registration_list, name="registrations"),
    path("<int:pk>/registrations.csv", views_staff.registration_export, name="registrations-csv"),
    path(
        "<int:pk>/registrations/<int:registration_pk>/cancel/",
        views_staff.registration_cancel_view,
        name="registration-cancel",
    ),
    path(
        "<int:pk>/registrations/<int:registration_pk>/scores/",
        views_staff.registration_scores_view,
        name="registration-scores",
    ),
    path("<int:pk>/selection/", views_staff.selection_view, name="selection"),
    path("<int:pk>/check-in/", views_staff.check_in_view, name="check-in"),
    path("<int:pk>/check-in/sw.js", views_staff.check_in_service_worker, name="check-in-sw"),
]
