from django.urls import path

from kembar.participation.api import registrations, staff, views

urlpatterns = [
    path("opportunities/", views.OpportunityListView.as_view(), name="api-opportunity-list"),
    path(
        "opportunities/<int:pk>/",
        views.OpportunityDetailView.as_view(),
        name="api-opportunity-detail",
    ),
    path(
        "opportunities/<int:pk>/registrations/",
        registrations.RegistrationStartView.as_view(),
        name="api-registration-start",
    ),
    path(
        "registrations/<int:pk>/confirm/",
        registrations.RegistrationConfirmView.as_view(),
        name="api-registration-confirm",
    ),
    # For the officers who manage calls (kembar.participation.api.staff).
    path(
        "staff/opportunities/",
        staff.StaffOpportunityListView.as_view(),
        name="api-staff-opportunity-list",
    ),
    path(
        "staff/opportunities/<int:pk>/registrations/",
        staff.StaffRegistrationListView.as_view(),
        name="api-staff-registration-list",
    ),
    path(
        "staff/opportunities/<int:pk>/selection/",
        staff.SelectionView.as_view(),
        name="api-staff-selection",
    ),
    path(
        "staff/opportunities/<int:pk>/check-ins/",
        staff.CheckInBatchView.as_view(),
        name="api-staff-check-ins",
    ),
    path(
        "staff/registrations/<int:pk>/check-in/undo/",
        staff.CheckInUndoView.as_view(),
        name="api-staff-check-in-undo",
    ),
]
