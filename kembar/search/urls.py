from django.urls import path

from kembar.search import views

app_name = "search"

urlpatterns = [path("", views.staff_search, name="staff")]
