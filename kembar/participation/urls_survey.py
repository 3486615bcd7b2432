"""URLs of the residents' pages (see kembar.participation.public_urls): the survey, certificates."""

from django.urls import URLPattern, path

from kembar.participation import views_survey

urlpatterns: list[URLPattern] = [
    path("warga/survei/<str:signed>/", views_survey.survey, name="survey"),
    path("warga/sertifikat/<str:signed>.pdf", views_survey.certificate, name="certificate"),
    path(
        "warga/pendaftaran/<int:pk>/sertifikat.pdf",
        views_survey.certificate_own,
        name="certificate-own",
    ),
]
