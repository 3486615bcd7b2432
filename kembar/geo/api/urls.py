from django.urls import path, re_path

from kembar.geo.api import views

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="api-region-list"),
    re_path(
        r"^regions/(?P<kode>[0-9.]{1,13})/$",
        views.RegionDetailView.as_view(),
        name="api-region-detail",
    ),
    path("cities/", views.CityListView.as_view(), name="api-city-list"),
    re_path(
        r"^cities/(?P<geonameid>-?\d{1,18})/$",
        views.CityDetailView.as_view(),
        name="api-city-detail",
    ),
    re_path(
        r"^cities/(?P<geonameid>-?\d{1,18})/twins/$",
        views.CityTwinsView.as_view(),
        name="api-city-twins",
    ),
    path("network/summary/", views.NetworkSummaryView.as_view(), name="api-network-summary"),
]
