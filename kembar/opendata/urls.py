"""Open-data pages and files, included by ``config.urls`` at ``/open-data/``."""

from django.urls import URLPattern, path

from kembar.opendata import views, views_iati

app_name = "opendata"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="open-data"),
    path("datapackage.json", views.datapackage, name="datapackage"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog"),
    path("iati/<str:kode>/activities.xml", views_iati.iati_activities, name="iati-activities"),
    path("iati/<str:kode>/organisation.xml", views_iati.iati_organisation, name="iati-org"),
    path("<slug:dataset>.csv", views.dataset_file, {"suffix": "csv"}, name="dataset-csv"),
    path("<slug:dataset>.json", views.dataset_file, {"suffix": "json"}, name="dataset-json"),
]
