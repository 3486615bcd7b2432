"""API sign-in: a token for a username and password (and code), revoking it, who is signed in.

Tokens are django-rest-knox's: stored as digests, expiring after
``REST_KNOX["TOKEN_TTL"]``, revoked on sign-out, on request, and when the
password or the second factor changes.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.accounts import selectors, services
from kembar.accounts.api.serializers import (
    MeSerializer,
    RevokedSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from kembar.accounts.models import User
from kembar.accounts.throttles import SignInRateThrottle


class InvalidCredentials(exceptions.APIException):
    status_code = 400
    default_detail = _("The username or the password is not correct.")
    default_code = "invalid_credentials"


class LockedOut(exceptions.APIException):
    status_code = 429
    default_detail = _(
        "Too many failed sign-in attempts for this account from your address. "
        "Signing in is paused; try again later."
    )
    default_code = "locked_out"


def _axes_request(request: Request) -> HttpRequest:
    """DRF's request, handed to ``authenticate`` as Django's (it proxies all axes reads).

    axes marks the object it is given when it locks a client out.  Giving it
    DRF's request, as DRF's own ``ObtainAuthToken`` does, keeps the mark off
    Django's request: axes' middleware then leaves this JSON answer alone
    instead of swapping in its HTML lockout page, and the view answers 429.
    """
    return cast(HttpRequest, request)


def _locked_out(request: Request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


@extend_schema(tags=["auth"])
class TokenObtainView(APIView):
    """A token for API calls, for a username and password (and a code when the second factor is on).

    Failed attempts count towards the same lockout as the sign-in page.
    """

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes: list[type[BasePermission]] = [AllowAny]
    throttle_classes = [SignInRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Missing fields, wrong username or password, or a missing or "
                "wrong `otp` for an account with the second factor on."
            ),
            429: OpenApiResponse(
                description="Too many failed attempts for this username from this address, "
                "or too many requests from this address (see `Retry-After`)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(
            _axes_request(request), username=data["username"], password=data["password"]
        )
        if user is None:
            raise LockedOut if _locked_out(request) else InvalidCredentials
        if not isinstance(user, User):
            raise InvalidCredentials
        if user.totp_enabled:
            code = data.get("otp")
            if not code:
                raise exceptions.ValidationError(
                    {"otp": [_("This account signs in with a second factor: send the code.")]}
                )
            if not services.user_second_factor_consume(user=user, code=code):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=_axes_request(request),
                )
                if _locked_out(request):
                    raise LockedOut
                raise exceptions.ValidationError({"otp": [services.INVALID_CODE]})
        stored, token = services.user_token_issue(user=user)
        # A token is a sign-in: axes logs it and clears earlier failures.
        user_logged_in.send(sender=type(user), request=_axes_request(request), user=user)
        return Response(TokenSerializer({"token": token, "expiry": stored.expiry}).data)


@extend_schema(tags=["auth"])
class TokenRevokeView(APIView):
    """Sign out of the API: the token sent with this request stops working."""

    permission_classes: list[type[BasePermission]] = [IsAuthenticated]

    @extend_schema(request=None, responses={200: RevokedSerializer})
    def post(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, AuthToken) else None
        if token is None:
            return Response({"revoked": 0})
        revoked = services.user_tokens_revoke(user=cast(User, request.user), token=token)
        return Response({"revoked": revoked})


@extend_schema(tags=["auth"])
class TokenRevokeAllView(APIView):
    """Every API token of the signed-in user stops working (a lost laptop, a leaked script)."""

    permission_classes: list[type[BasePermission]] = [IsAuthenticated]

    @extend_schema(request=None, responses={200: RevokedSerializer})
    def post(self, request: Request) -> Response:
        return Response({"revoked": services.user_tokens_revoke(user=cast(User, request.user))})


@extend_schema(tags=["auth"])
class MeView(APIView):
    """The signed-in user: name, role and organisation."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = selectors.user_profile_get(user_id=cast(int, request.user.pk))
        return Response(MeSerializer(user).data)
