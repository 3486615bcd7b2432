from django.urls import path

from kembar.accounts import password_views, views

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
    path("security/recovery-codes/", views.recovery_codes_renew, name="recovery-codes-renew"),
    path("security/tokens/revoke/", views.tokens_revoke, name="tokens-revoke"),
    path(
        "password/change/",
        password_views.PasswordChangeView.as_view(),
        name="password-change",
    ),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        password_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
