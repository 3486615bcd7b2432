"""``/api/v1/national/regions/`` and ``/api/v1/national/flows/``."""

from django.urls import path

from kembar.national.api import views

urlpatterns = [
    path("national/regions/", views.NationalRegionsView.as_view(), name="api-national-regions"),
    path("national/flows/", views.NationalFlowsView.as_view(), name="api-national-flows"),
]
