"""URLs of a resident's own data (see kembar.participation.public_urls and views_data).

The signed-in citizen's addresses come first: a token is never ``json`` or ``delete``.
"""

from django.urls import URLPattern, path

from kembar.participation import views_data

urlpatterns: list[URLPattern] = [
    path("warga/data/", views_data.citizen_data, name="data"),
    path("warga/data/json/", views_data.citizen_data_json, name="data-json"),
    path("warga/data/delete/", views_data.citizen_data_delete, name="data-delete"),
    path("warga/data/withdraw/", views_data.citizen_data_withdraw, name="data-withdraw"),
    path("warga/data/<str:data_token>/", views_data.link_data, name="data-link"),
    path("warga/data/<str:data_token>/json/", views_data.link_data_json, name="data-link-json"),
    path(
        "warga/data/<str:data_token>/delete/", views_data.link_data_delete, name="data-link-delete"
    ),
    path(
        "warga/data/<str:data_token>/withdraw/",
        views_data.link_data_withdraw,
        name="data-link-withdraw",
    ),
]
