from django.urls import path

from kembar.partnerships.api import views

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="api-partnership-list"),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="api-partnership-detail",
    ),
]
