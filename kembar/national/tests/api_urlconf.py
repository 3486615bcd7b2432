"""Only the national API, for a schema of its own (``spectacular --urlconf``)."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("kembar.national.api.urls"))]
