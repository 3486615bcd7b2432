"""Dashboard pages: ``/staff/insights/`` for staff and ``/insights/`` for everyone."""

from django.urls import path, re_path

from kembar.insights import capacity_views, economy_views, health_views, network_views, views

app_name = "insights"
urlpatterns = [
    path("reach/", views.reach_public, name="reach-public"),
    path("economy/", economy_views.economy_public, name="economy-public"),
    path("network/", network_views.network_public, name="network"),
    re_path(
        r"^network/(?P<city_id>-?\d{1,18})/$",
        network_views.network_city_public,
        name="network-city",
    ),
]

staff_urlpatterns = [
    path("reach/", views.reach_staff, name="reach"),
    path("economy/", economy_views.economy_staff, name="economy"),
    path("health/", health_views.health_staff, name="health"),
    path("network/", network_views.network_staff, name="network"),
    path("capacity/", capacity_views.capacity_staff, name="capacity"),
    re_path(
        r"^network/(?P<city_id>-?\d{1,18})/$", network_views.network_city_staff, name="network-city"
    ),
]
