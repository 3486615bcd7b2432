"""Staff API of calls: the calls one manages, their registrations, the selection, check-in.

For the officers who may manage a call (``participation.change_opportunity``):
citizens, partners, the council and anonymous callers are refused (403), a
call outside the caller's staff area is 404 and one they see but may not
manage 403.  Registrations hold personal data: every answer that shows names
is logged (:func:`~kembar.participation.registrations.log_personal_data_access`).
The check-in endpoint takes a batch, so that a phone that was offline sends
everything it kept at once; each check-in is done on its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.participation import selectors
from kembar.participation.api.staff_serializers import (
    CheckInBatchResultSerializer,
    CheckInBatchSerializer,
    CheckInUndoResultSerializer,
    RegistrationQuerySerializer,
    SelectionResultSerializer,
    StaffOpportunitySerializer,
    StaffRegistrationSerializer,
)
from kembar.participation.models import Opportunity, Registration, RegistrationStatus
from kembar.participation.registrations import (
    RegistrationRefused,
    check_in_undo,
    log_personal_data_access,
    opportunity_select,
)
from kembar.participation.rules import manageable_q
from kembar.participation.staff_registrations import (
    CheckInItem,
    RegistrationFilters,
    check_in_batch,
    staff_registrations,
    status_counts,
    waiting_positions,
)

TAGS = ["staff: opportunities"]
MANAGE = "participation.change_opportunity"


class ManagesCalls(BasePermission):
    """Signed-in users whose role may manage calls (the call itself is checked in the view)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("participation.add_opportunity", None))


def _managed(request: Request, pk: int) -> Opportunity:
    """The call, if the caller sees it in the staff area (404) and may manage it (403)."""
    opportunity = selectors.staff_opportunities(user=request.user).filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    if not request.user.has_perm(MANAGE, opportunity):
        raise PermissionDenied
    return opportunity


def _attended(opportunity: Opportunity) -> int:
    return Registration.objects.filter(
        opportunity=opportunity, status=RegistrationStatus.ATTENDED
    ).count()


class StaffOpportunityListView(generics.ListAPIView[Opportunity]):
    """The calls the caller manages, drafts included, with their registrations per status."""

    permission_classes = [ManagesCalls]
    serializer_class = StaffOpportunitySerializer

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Opportunity]:
        user = self.request.user
        return selectors.staff_opportunities(user=user).filter(manageable_q(user))

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["counts"] = status_counts(args[0])
        return super().get_serializer(*args, **kwargs)


class StaffRegistrationListView(generics.ListAPIView[Registration]):
    """The registrations of a call in the order of places, with names (each answer is logged)."""

    permission_classes = [ManagesCalls]
    serializer_class = StaffRegistrationSerializer

    @extend_schema(parameters=[RegistrationQuerySerializer], tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Registration]:
        self.opportunity = _managed(self.request, self.kwargs["pk"])
        query = validated_query(RegistrationQuerySerializer, self.request)
        filters = RegistrationFilters(
            status=query.get("status", ""), search=query.get("search", "")
        )
        return staff_registrations(opportunity=self.opportunity, filters=filters)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            rows = list(args[0])
            log_personal_data_access(
                self.request, "registrations api", opportunity=self.opportunity, people=len(rows)
            )
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["positions"] = waiting_positions(
                opportunity=self.opportunity, registrations=rows
            )
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)


class SelectionView(APIView):
    """Run the lottery or the panel's selection of a closed call (again, until its results)."""

    permission_classes = [ManagesCalls]

    @extend_schema(
        request=None,
        responses={
            200: SelectionResultSerializer,
            400: OpenApiResponse(
                description="The call is not closed, its seed is missing, or an applicant "
                "has no score on a criterion."
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        opportunity = _managed(request, pk)
        try:
            result = opportunity_select(actor=request.user, opportunity=opportunity)
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response({"confirmed": list(result.confirmed), "waiting": list(result.waiting)})


class CheckInBatchView(APIView):
    """Check in one or more codes, each with the time it was made (a phone that was offline).

    Each check-in is done on its own and answered in the same order:
    ``checked_in``, ``already`` (nothing changed) or ``refused`` with the reason.
    """

    permission_classes = [ManagesCalls]

    @extend_schema(
        request=CheckInBatchSerializer, responses=CheckInBatchResultSerializer, tags=TAGS
    )
    def post(self, request: Request, pk: int) -> Response:
        opportunity = _managed(request, pk)
        serializer = CheckInBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [
            CheckInItem(code=item["code"], at=item.get("at"))
            for item in serializer.validated_data["check_ins"]
        ]
        outcomes = check_in_batch(actor=request.user, opportunity=opportunity, items=items)
        named = sum(1 for outcome in outcomes if outcome.registration is not None)
        if named:
            log_personal_data_access(request, "check-in", opportunity=opportunity, people=named)
        results = [
            {
                "code": outcome.code,
                "status": outcome.status,
                "number": outcome.registration.number if outcome.registration else None,
                "name": outcome.registration.name if outcome.registration else None,
                "registration": outcome.registration.pk if outcome.registration else None,
                "refusal": outcome.refusal,
                "message": outcome.message,
            }
            for outcome in outcomes
        ]
        return Response({"results": results, "attended": _attended(opportunity)})


class CheckInUndoView(APIView):
    """Undo a check-in made by mistake: the person is taken out of the counts again."""

    permission_classes = [ManagesCalls]

    @extend_schema(
        request=None,
        responses={
            200: CheckInUndoResultSerializer,
            400: OpenApiResponse(description="The registration is not checked in."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = (
            Registration.objects.filter(
                pk=pk,
                opportunity__in=selectors.staff_opportunities(user=request.user).values("pk"),
            )
            .select_related("opportunity__activity__partnership", "home_kecamatan")
            .first()
        )
        if registration is None:
            raise Http404
        if not request.user.has_perm(MANAGE, registration.opportunity):
            raise PermissionDenied
        try:
            undone = check_in_undo(actor=request.user, registration=registration)
        except RegistrationRefused as refused:
            raise ValidationError([refused.message]) from refused
        log_personal_data_access(
            request, "check-in undo", opportunity=registration.opportunity, people=1
        )
        return Response(
            {
                "registration": StaffRegistrationSerializer(undone).data,
                "attended": _attended(registration.opportunity),
            }
        )
