"""Opportunity pages of the staff area, included by ``config.urls`` at ``/staff/opportunities/``."""

from django.urls import path

from kembar.participation import views

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_create_view, name="create"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/status/", views.opportunity_transition_view, name="transition"),
    path("<int:pk>/reservations/", views.opportunity_accept_suggestions, name="reservations"),
]
