from django.urls import path

from kembar.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_index, name="partnerships"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership"),
    path("activities/<slug:reference>/", views.activity_detail, name="public-activity"),
    path("calendar/", views.calendar, name="calendar"),
    path("search/", views.search, name="search"),
]
