"""django-allauth, for citizens only: sign-in by a one-time code sent by e-mail.

Staff (every role but :attr:`~kembar.accounts.models.Role.CITIZEN`) never sign
in here: :meth:`CitizenAccountAdapter.pre_login` refuses them whatever way
allauth got there, and :class:`~kembar.accounts.citizen_forms.CitizenRequestLoginCodeForm`
sends them no code.  They keep Kembar's own sign-in (password, then the second
factor).  A citizen is made with no usable password, so the staff sign-in
cannot open a citizen's account either.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kembar.accounts.middleware import mark_signed_in
from kembar.accounts.models import Role

__all__ = ["CitizenAccountAdapter", "is_citizen"]

#: Sessions opened by a code are checked by Django's own backend (active users only).
CITIZEN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def is_citizen(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CITIZEN and not (
        getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    )


class CitizenAccountAdapter(DefaultAccountAdapter):
    def save_user(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        form: BaseForm,
        commit: bool = True,
    ) -> AbstractBaseUser:
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.CITIZEN  # type: ignore[attr-defined]
        user.is_staff = False  # type: ignore[attr-defined]
        user.is_superuser = False  # type: ignore[attr-defined]
        user.set_unusable_password()
        if commit:
            user.save()
        return user

    def pre_login(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        **kwargs: Any,
    ) -> HttpResponse | None:
        if not is_citizen(user):
            clear_login(request)
            raise PermissionDenied
        return super().pre_login(request, user, **kwargs)

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        if not is_citizen(user):
            raise PermissionDenied
        user.backend = CITIZEN_BACKEND  # type: ignore[attr-defined]
        super().login(request, user)
        mark_signed_in(request, second_factor=False)

    def send_account_already_exists_mail(self, email: str) -> None:
        """Someone registered an address that has an account: tell a citizen how to sign in.

        allauth's own mail points to a password reset, which citizens do not have;
        staff get no mail at all from the citizens' pages.
        """
        from allauth.account.utils import filter_users_by_email

        users = filter_users_by_email(email, is_active=True)
        if users and all(is_citizen(user) for user in users):
            context = {"login_url": self.request.build_absolute_uri(reverse("account_login"))}
            self.send_mail("accounts/citizen/email/account_already_exists", email, context)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("citizen-home")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("citizen-home")
