"""Citizens' sign-in by e-mail code, under /warga/ (django-allauth's views, only these).

The URL names are allauth's own (it reverses them); allauth's password,
e-mail management and reset views are deliberately not mounted.
"""

from allauth.account import views as allauth_views
from django.urls import path
from django.views.decorators.cache import never_cache

from kembar.accounts import citizen_views
from kembar.accounts.citizen_forms import CitizenRequestLoginCodeForm

request_login_code = never_cache(
    allauth_views.RequestLoginCodeView.as_view(
        form_class=CitizenRequestLoginCodeForm,
        template_name="accounts/citizen/request_login_code.html",
    )
)

urlpatterns = [
    path("", citizen_views.citizen_home, name="citizen-home"),
    # allauth sends people to "account_login" (its password page): here it is the code page.
    path("masuk/", request_login_code, name="account_login"),
    path("masuk/", request_login_code, name="account_request_login_code"),
    path(
        "masuk/konfirmasi/",
        citizen_views.CitizenConfirmLoginCodeView.as_view(),
        name="account_confirm_login_code",
    ),
    path(
        "daftar/",
        never_cache(allauth_views.SignupView.as_view(template_name="accounts/citizen/signup.html")),
        name="account_signup",
    ),
    path(
        "daftar/konfirmasi/",
        allauth_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    path(
        "keluar/",
        allauth_views.LogoutView.as_view(template_name="accounts/citizen/logout.html"),
        name="account_logout",
    ),
    path(
        "nonaktif/",
        allauth_views.AccountInactiveView.as_view(
            template_name="accounts/citizen/account_inactive.html"
        ),
        name="account_inactive",
    ),
]
