from django.urls import path

from kembar.programs.api import views

urlpatterns = [
    path("activities/", views.ActivityListView.as_view(), name="api-activity-list"),
    path(
        "activities/<slug:reference>/",
        views.ActivityDetailView.as_view(),
        name="api-activity-detail",
    ),
    path(
        "activities/<slug:reference>/participants/",
        views.ParticipantsView.as_view(),
        name="api-activity-participants",
    ),
    path(
        "activities/<slug:reference>/budget/",
        views.BudgetView.as_view(),
        name="api-activity-budget",
    ),
    path(
        "activities/<slug:reference>/contributions/",
        views.ContributionsView.as_view(),
        name="api-activity-contributions",
    ),
    path(
        "activities/<slug:reference>/results/",
        views.ResultsView.as_view(),
        name="api-activity-results",
    ),
    path(
        "activities/<slug:reference>/trip-report/",
        views.TripReportView.as_view(),
        name="api-activity-trip-report",
    ),
]
