"""Public and residents' pages of calls, included by ``config.urls`` at the site's root.

One namespace (``participation``) over the pieces: the calls and
registration (``views_public``), residents' data (``urls_data``), the
survey and certificate (``urls_survey``), check-in codes (``urls_checkin``).
"""

from django.urls import URLPattern, URLResolver, path

from kembar.participation import urls_checkin, urls_data, urls_survey, views_public

app_name = "participation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("opportunities/", views_public.opportunity_list, name="opportunities"),
    path("opportunities/<int:pk>/", views_public.opportunity_page, name="opportunity"),
    path(
        "opportunities/<int:pk>/availability/",
        views_public.opportunity_availability,
        name="availability",
    ),
    path("opportunities/<int:pk>/register/", views_public.register, name="register"),
    path("warga/pendaftaran/", views_public.my_registrations, name="my-registrations"),
    path("warga/pendaftaran/<int:pk>/", views_public.my_registration, name="my-registration"),
    path(
        "warga/pendaftaran/<int:pk>/batal/",
        views_public.my_registration_cancel,
        name="my-registration-cancel",
    ),
    *urls_data.urlpatterns,
    *urls_survey.urlpatterns,
    *urls_checkin.urlpatterns,
]
