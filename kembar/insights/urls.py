"""Dashboard pages: ``/staff/insights/`` for staff and ``/insights/`` for everyone."""

from django.urls import path

from kembar.insights import views

app_name = "insights"
urlpatterns = [
    path("reach/", views.reach_public, name="reach-public"),
]

staff_urlpatterns = [
    path("reach/", views.reach_staff, name="reach"),
]
