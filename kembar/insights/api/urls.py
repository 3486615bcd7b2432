from django.urls import path

from kembar.insights.api import views

urlpatterns = [
    path("insights/reach/", views.ReachView.as_view(), name="api-insights-reach"),
]
