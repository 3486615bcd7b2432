"""Sign-in (password, then the second factor when it is on), sign-out, security settings.

Passwords (change, reset by e-mail) are in :mod:`kembar.accounts.password_views`.

Every password and code check goes through django-axes: the password step
through ``authenticate(request, ...)``, the code step by sending the same
``user_login_failed`` signal on a wrong code.  A person who fails
``AXES_FAILURE_LIMIT`` times from one address is locked out at either step.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView

from kembar.accounts import selectors, services, totp
from kembar.accounts.forms import LoginForm, SignInCodeForm, TotpCodeForm, TotpDisableForm
from kembar.accounts.middleware import mark_signed_in
from kembar.accounts.models import Role, User

__all__ = [
    "LoginVerifyView",
    "LoginView",
    "LogoutView",
    "recovery_codes_renew",
    "security",
    "tokens_revoke",
    "totp_cancel",
    "totp_confirm",
    "totp_disable",
    "totp_start",
]

#: Session keys of a sign-in waiting for its second factor.
PENDING_USER = "accounts:pending_user"
PENDING_BACKEND = "accounts:pending_backend"
PENDING_SINCE = "accounts:pending_since"
PENDING_NEXT = "accounts:pending_next"
#: Seconds a person has to enter the code after the password.
PENDING_SECONDS = 5 * 60
#: Session key of a second-factor secret shown but not yet confirmed.
SETUP_SESSION_KEY = "accounts:totp_setup_secret"

DEFAULT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _forget_pending(session: SessionBase) -> None:
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, PENDING_NEXT):
        session.pop(key, None)


def _pending_user(request: HttpRequest) -> User | None:
    session = request.session
    user_id = session.get(PENDING_USER)
    since = session.get(PENDING_SINCE)
    if user_id is None or since is None:
        return None
    if timezone.now().timestamp() - float(since) > PENDING_SECONDS:
        _forget_pending(session)
        return None
    user = selectors.user_pending_sign_in_get(user_id=int(user_id))
    if user is None or not user.totp_enabled:
        _forget_pending(session)
        return None
    return user


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _count_failure(request: HttpRequest, user: User) -> None:
    """Record a wrong code (or password, when turning the factor off) as a failed sign-in.

    axes counts it with the failed passwords, towards the same lockout.
    """
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


class LoginView(auth_views.LoginView):
    """The password step; it signs in at once unless the second factor is on."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not isinstance(user, User) or not user.totp_enabled:
            response = super().form_valid(form)
            mark_signed_in(self.request, second_factor=False)
            return response
        session = self.request.session
        # A new key for the half-signed-in session, as login() does for a full one.
        session.cycle_key()
        session[PENDING_USER] = user.pk
        session[PENDING_BACKEND] = getattr(user, "backend", DEFAULT_BACKEND)
        session[PENDING_SINCE] = timezone.now().timestamp()
        session[PENDING_NEXT] = self.get_redirect_url()
        return redirect("accounts:login-verify")


class LoginVerifyView(FormView):
    """The second-factor step: a current code from the authenticator app, or a recovery code."""

    form_class = SignInCodeForm
    template_name = "accounts/login_verify.html"
    pending: User

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pending = _pending_user(request)
        if pending is None:
            return redirect("accounts:login")
        self.pending = pending
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignInCodeForm) -> HttpResponse:
        request = self.request
        credentials = {"username": self.pending.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            _forget_pending(request.session)
            return get_lockout_response(request, None, credentials)
        code = form.cleaned_data["code"]
        if not services.user_second_factor_consume(user=self.pending, code=code):
            _count_failure(request, self.pending)
            form.add_error("code", services.INVALID_CODE)
            return self.form_invalid(form)
        backend = str(request.session.get(PENDING_BACKEND, DEFAULT_BACKEND))
        next_url = _safe_next(request, str(request.session.get(PENDING_NEXT, "")))
        _forget_pending(request.session)
        auth_login(request, self.pending, backend=backend)
        mark_signed_in(request, second_factor=True)
        if not services.is_totp_code(code):
            # Straight to the page where new codes (or a new phone) are set up.
            left = selectors.user_recovery_codes_left(user=self.pending)
            messages.warning(
                request,
                _("You signed in with a recovery code; %(left)d are left. Make new ones here.")
                % {"left": left},
            )
            return redirect("accounts:security")
        return redirect(next_url)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django's view)."""


def _signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _security_page(
    request: HttpRequest,
    *,
    confirm_form: TotpCodeForm | None = None,
    disable_form: TotpDisableForm | None = None,
    recovery_codes: list[str] | None = None,
) -> HttpResponse:
    user = _signed_in_user(request)
    secret = request.session.get(SETUP_SESSION_KEY)
    setup = None
    if secret and not user.totp_enabled:
        setup = {
            "key": totp.format_secret(secret),
            "uri": totp.provisioning_uri(secret, account=user.get_username()),
            "form": confirm_form or TotpCodeForm(),
        }
    return render(
        request,
        "accounts/security.html",
        {
            "totp_enabled": user.totp_enabled,
            "can_enable": bool(user.role) and user.role != Role.CITIZEN,
            "setup": setup,
            "disable_form": disable_form or TotpDisableForm(),
            # Shown in this one response only: the database keeps their digests.
            "recovery_codes": recovery_codes,
            "recovery_codes_left": selectors.user_recovery_codes_left(user=user),
            "api_tokens": selectors.user_api_tokens_active(user=user),
        },
    )


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """Whether the second factor is on, and the forms to turn it on or off."""
    return _security_page(request)


@login_required
@require_POST
def totp_start(request: HttpRequest) -> HttpResponse:
    """Make a new secret and show it; nothing changes until a code confirms it."""
    user = _signed_in_user(request)
    if not user.role or user.role == Role.CITIZEN:
        raise PermissionDenied(_("Only staff accounts can turn on the second factor."))
    if not user.totp_enabled:
        request.session[SETUP_SESSION_KEY] = totp.new_secret()
    return redirect("accounts:security")


@login_required
@require_POST
def totp_confirm(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    secret = request.session.get(SETUP_SESSION_KEY)
    if not secret:
        return redirect("accounts:security")
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.user_totp_enable(
                user=user, secret=secret, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(SETUP_SESSION_KEY, None)
            # This session has just proved the second factor.
            mark_signed_in(request, second_factor=True)
            messages.success(request, _("The second factor is on."))
            return _security_page(request, recovery_codes=codes)
    return _security_page(request, confirm_form=form)


@login_required
@require_POST
def totp_cancel(request: HttpRequest) -> HttpResponse:
    request.session.pop(SETUP_SESSION_KEY, None)
    return redirect("accounts:security")


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = TotpDisableForm(request.POST)
    if form.is_valid():
        try:
            services.user_totp_disable(
                user=user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            # Both factors are checked here: count a wrong one as a failed sign-in.
            if form.has_error("password") or form.has_error("code"):
                _count_failure(request, user)
        else:
            messages.success(request, _("The second factor is off."))
            return redirect("accounts:security")
    return _security_page(request, disable_form=form)


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the earlier ones stop working."""
    user = _signed_in_user(request)
    try:
        codes = services.user_recovery_codes_issue(user=user)
    except ValidationError:
        return redirect("accounts:security")
    messages.success(request, _("New recovery codes are made; the earlier ones no longer work."))
    return _security_page(request, recovery_codes=codes)


@login_required
@require_POST
def tokens_revoke(request: HttpRequest) -> HttpResponse:
    """Every API token of the signed-in user stops working."""
    revoked = services.user_tokens_revoke(user=_signed_in_user(request))
    messages.success(request, _("API tokens revoked: %(count)d.") % {"count": revoked})
    return redirect("accounts:security")
