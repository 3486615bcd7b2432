from django.urls import path, re_path

from kembar.insights.api import economy, network, views

urlpatterns = [
    path("insights/reach/", views.ReachView.as_view(), name="api-insights-reach"),
    path("insights/health/", views.HealthView.as_view(), name="api-insights-health"),
    path("insights/capacity/", views.CapacityView.as_view(), name="api-insights-capacity"),
    path(
        "insights/multipliers/",
        economy.MultipliersView.as_view(),
        name="api-insights-multipliers",
    ),
    path("insights/impact/", economy.ImpactView.as_view(), name="api-insights-impact"),
    path(
        "insights/cross-sector/",
        economy.CrossSectorView.as_view(),
        name="api-insights-cross-sector",
    ),
    re_path(
        r"^network/cities/(?P<city_id>-?\d{1,18})/ego/$",
        network.CityEgoNetworkView.as_view(),
        name="api-network-city-ego",
    ),
    re_path(
        r"^network/cities/(?P<city_id>-?\d{1,18})/recommendations/$",
        network.CityRecommendationsView.as_view(),
        name="api-network-city-recommendations",
    ),
]
