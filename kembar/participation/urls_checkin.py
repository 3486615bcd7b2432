"""URLs of the residents' pages (see kembar.participation.public_urls)."""

from django.urls import URLPattern, path

from kembar.participation import views_checkin

urlpatterns: list[URLPattern] = [
    path(
        "warga/pendaftaran/<int:pk>/qr.svg",
        views_checkin.registration_qr,
        name="registration-qr",
    ),
]
