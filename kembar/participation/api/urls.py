from django.urls import path

from kembar.participation.api import views

urlpatterns = [
    path("opportunities/", views.OpportunityListView.as_view(), name="api-opportunity-list"),
    path(
        "opportunities/<int:pk>/",
        views.OpportunityDetailView.as_view(),
        name="api-opportunity-detail",
    ),
]
