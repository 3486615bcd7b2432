"""Sign-in, second-factor and administrator forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kembar.accounts import services

__all__ = [
    "LoginForm",
    "SecondFactorResetForm",
    "SignInCodeForm",
    "TotpCodeForm",
    "TotpDisableForm",
]


class LoginForm(AuthenticationForm):
    """Username and password, checked with ``authenticate(request, ...)``: axes counts failures."""

    error_messages = {
        "invalid_login": _("The username or the password is not correct."),
        "inactive": _("This account is deactivated."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class TotpCodeField(forms.CharField):
    """A code of six digits; spaces (as apps show them, ``123 456``) are dropped."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Authentication code"))
        kwargs.setdefault("help_text", _("The 6-digit code your authenticator app shows now."))
        super().__init__(
            max_length=12,
            widget=forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "spellcheck": "false",
                }
            ),
            **kwargs,
        )

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace(" ", "")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not services.is_totp_code(value):
            raise forms.ValidationError(_("Enter the 6 digits of the code."), code="format")


class SignInCodeField(TotpCodeField):
    """A current code, or one of the recovery codes (``abcde-fghjk``) when the phone is lost."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            _("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        )
        super().__init__(**kwargs)
        self.widget.attrs["inputmode"] = "text"
        self.widget.attrs["autocapitalize"] = "none"

    def validate(self, value: Any) -> None:
        forms.CharField.validate(self, value)
        if services.is_totp_code(value):
            return
        if services.normalise_recovery_code(value) is None:
            raise forms.ValidationError(
                _("Enter the 6 digits of the code, or a recovery code."), code="format"
            )


class TotpCodeForm(forms.Form):
    code = TotpCodeField()


class SignInCodeForm(forms.Form):
    code = SignInCodeField()


class TotpDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = TotpCodeField()


class SecondFactorResetForm(forms.Form):
    """An administrator's reason for turning off someone's second factor (kept in the history)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=60,
        help_text=_("For example: phone lost, reported by e-mail on 3 March."),
    )
