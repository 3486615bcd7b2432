"""Passwords: staff change their own, and reset a forgotten one by e-mail.

Django's views and forms (one-use, time-limited reset links; no message says
whether an address has an account), in Kembar's pages.  A new password
revokes the user's API tokens; a reset does not sign in, so a person whose
second factor is on still needs it after choosing a new password.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kembar.accounts import services
from kembar.accounts.models import User

__all__ = [
    "PasswordChangeView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetView",
]


class PasswordChangeView(auth_views.PasswordChangeView):
    """The signed-in person's new password; this session stays signed in, others end."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(form.user, User):
            services.user_tokens_revoke(user=form.user)
        messages.success(
            self.request,
            _("Your password is changed. Other sessions and your API tokens are signed out."),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(form.user, User):
            services.user_tokens_revoke(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
