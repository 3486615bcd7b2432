from django.urls import path

from kembar.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.LoginVerifyView.as_view(), name="login-verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="security"),
    path("security/totp/start/", views.totp_start, name="totp-start"),
    path("security/totp/confirm/", views.totp_confirm, name="totp-confirm"),
    path("security/totp/cancel/", views.totp_cancel, name="totp-cancel"),
    path("security/totp/disable/", views.totp_disable, name="totp-disable"),
]
