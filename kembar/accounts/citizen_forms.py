"""allauth's code forms, with staff left out and django-axes counting wrong codes."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ConfirmLoginCodeForm, RequestLoginCodeForm
from allauth.core import context
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import user_login_failed
from django.core.exceptions import ValidationError

from kembar.accounts.citizen_adapter import is_citizen

__all__ = ["CitizenConfirmLoginCodeForm", "CitizenRequestLoginCodeForm"]


def _credentials(user: Any) -> dict[str, str]:
    return {"username": user.get_username()}


class CitizenRequestLoginCodeForm(RequestLoginCodeForm):
    """Asks for the e-mail address; a code goes to citizens only.

    Any other account found for the address is treated as no account at all
    (allauth's answer to an unknown address, so nobody learns who is staff).
    A person locked out by django-axes gets no code.
    """

    def clean_email(self) -> str:
        email: str = super().clean_email()
        user = getattr(self, "_user", None)
        if user is not None and not is_citizen(user):
            self._user = None
        elif user is not None and not AxesProxyHandler.is_allowed(
            context.request, _credentials(user)
        ):
            raise get_adapter().validation_error("too_many_login_attempts")
        return email


class CitizenConfirmLoginCodeForm(ConfirmLoginCodeForm):
    """The code from the mail; a wrong one counts as a failed sign-in for django-axes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user", None)
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        request = context.request
        if self.user is not None and not AxesProxyHandler.is_allowed(
            request, _credentials(self.user)
        ):
            raise get_adapter().validation_error("too_many_login_attempts")
        try:
            code: str = super().clean_code()
        except ValidationError:
            if self.user is not None:
                user_login_failed.send(
                    sender=__name__, credentials=_credentials(self.user), request=request
                )
            raise
        return code
