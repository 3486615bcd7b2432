"""Partnerships API: reads for everyone the rules allow, writes for the cooperation office.

Anonymous readers see what the public portal shows (``is_public``); signed-in
users also see what their role lets them see.  Writes obey the same rules
and services as the web pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.common.versioning import ConflictSerializer, VersionConflict
from kembar.partnerships import selectors, services
from kembar.partnerships.access import visible_partnerships_q
from kembar.partnerships.api.serializers import (
    DecisionSerializer,
    DeclineSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    InboundRequestSerializer,
    LifecycleSerializer,
    LifecycleTransitionSerializer,
    PartnershipDetailSerializer,
    PartnershipQuerySerializer,
    PartnershipSerializer,
    PartnershipUpdateSerializer,
    RefusalSerializer,
    StateSerializer,
    TransitionRecordSerializer,
    TransitionRequestSerializer,
)
from kembar.partnerships.documents import DocumentRejected, partnership_document_upload
from kembar.partnerships.lifecycle import (
    TransitionRefused,
    partnership_transition,
    partnership_transition_approve,
    partnership_transition_reject,
)
from kembar.partnerships.models import (
    InboundRequest,
    LifecycleState,
    LifecycleTransition,
    Partnership,
    TransitionRecord,
)


def _visible_partnership(request: Request, slug: str) -> Partnership:
    partnership = selectors.partnership_get(slug, visible_to=request.user)
    if partnership is None:
        raise Http404
    return partnership


def _refusal(exc: TransitionRefused) -> Response:
    return Response({"detail": " ".join(exc.reasons), "reasons": exc.reasons}, status=exc.status)


def _require_signed_in(request: Request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated


@extend_schema(parameters=[PartnershipQuerySerializer], tags=["partnerships"])
class PartnershipListView(PublicCacheMixin, generics.ListAPIView[Partnership]):
    """Partnerships the caller may see (anonymous: those shown to the public)."""

    permission_classes = [AllowAny]
    serializer_class = PartnershipSerializer

    def get_queryset(self) -> QuerySet[Partnership]:
        query = validated_query(PartnershipQuerySerializer, self.request)
        return (
            selectors.partnership_list(**query)
            .select_related("state")
            .filter(visible_partnerships_q(self.request.user, include_public=True))
        )


class PartnershipDetailView(PublicCacheMixin, APIView):
    """A partnership with its documented events; PATCH changes it (with ``version``)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PartnershipDetailSerializer, tags=["partnerships"])
    def get(self, request: Request, slug: str) -> Response:
        return Response(PartnershipDetailSerializer(_visible_partnership(request, slug)).data)

    @extend_schema(
        request=PartnershipUpdateSerializer,
        responses={200: PartnershipDetailSerializer, 409: ConflictSerializer},
        tags=["partnerships"],
    )
    def patch(self, request: Request, slug: str) -> Response:
        _require_signed_in(request)
        partnership = _visible_partnership(request, slug)
        serializer = PartnershipUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            services.partnership_update(
                partnership=partnership, actor=request.user, expected_version=version, data=data
            )
        except services.EditConflict as conflict:
            raise VersionConflict(conflict) from conflict
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(PartnershipDetailSerializer(selectors.partnership_get(slug)).data)


class TransitionListView(APIView):
    """The lifecycle moves of a partnership; POST proposes or makes one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TransitionRecordSerializer(many=True), tags=["lifecycle"])
    def get(self, request: Request, slug: str) -> Response:
        partnership = _visible_partnership(request, slug)
        if not request.user.has_perm("partnerships.view_partnership", partnership):
            raise PermissionDenied
        records = partnership.transitions.select_related("source", "target", "actor", "approver")
        return Response(TransitionRecordSerializer(records, many=True).data)

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={
            201: TransitionRecordSerializer,
            400: RefusalSerializer,
            403: RefusalSerializer,
            409: RefusalSerializer,
        },
        tags=["lifecycle"],
    )
    def post(self, request: Request, slug: str) -> Response:
        partnership = _visible_partnership(request, slug)
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = partnership_transition(
                partnership=partnership,
                target=serializer.validated_data["to"],
                actor=request.user,  # type: ignore[arg-type]
                reason=serializer.validated_data["reason"],
            )
        except TransitionRefused as exc:
            return _refusal(exc)
        record.refresh_from_db()
        return Response(TransitionRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class TransitionDecisionView(APIView):
    """Approve or reject a pending move (a different person from the one who proposed it)."""

    permission_classes = [IsAuthenticated]
    decision = "approve"

    @extend_schema(
        request=DecisionSerializer,
        responses={200: TransitionRecordSerializer, 403: RefusalSerializer, 409: RefusalSerializer},
        tags=["lifecycle"],
    )
    def post(self, request: Request, slug: str, pk: int) -> Response:
        partnership = _visible_partnership(request, slug)
        record = get_object_or_404(TransitionRecord, pk=pk, partnership=partnership)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decide = (
            partnership_transition_approve
            if self.decision == "approve"
            else partnership_transition_reject
        )
        try:
            decide(record=record, approver=request.user, note=serializer.validated_data["note"])  # type: ignore[arg-type]
        except TransitionRefused as exc:
            return _refusal(exc)
        record.refresh_from_db()
        return Response(TransitionRecordSerializer(record).data)


class DocumentListView(APIView):
    """A partnership's documents (current and superseded); POST uploads a PDF."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=DocumentSerializer(many=True), tags=["documents"])
    def get(self, request: Request, slug: str) -> Response:
        partnership = _visible_partnership(request, slug)
        if not request.user.has_perm("partnerships.view_partnershipdocument", partnership):
            raise PermissionDenied
        documents = partnership.documents.select_related("kind", "uploaded_by")
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 400: RefusalSerializer},
        tags=["documents"],
    )
    def post(self, request: Request, slug: str) -> Response:
        partnership = _visible_partnership(request, slug)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            document = partnership_document_upload(
                partnership=partnership,
                upload=data.pop("file"),
                uploader=request.user,  # type: ignore[arg-type]
                **data,
            )
        except DocumentRejected as exc:
            return Response(
                {"detail": " ".join(exc.messages), "reasons": exc.messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class LifecycleView(PublicCacheMixin, APIView):
    """The lifecycle in force: stages and the transitions between them."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["lifecycle"], responses=LifecycleSerializer)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "states": StateSerializer(LifecycleState.objects.all(), many=True).data,
                "transitions": LifecycleTransitionSerializer(
                    LifecycleTransition.objects.select_related("source", "target").prefetch_related(
                        "required_documents"
                    ),
                    many=True,
                ).data,
            }
        )


class InboundRequestListView(generics.ListCreateAPIView[InboundRequest]):
    """Requests for cooperation received from cities abroad (cooperation office)."""

    permission_classes = [IsAuthenticated]
    serializer_class = InboundRequestSerializer

    def get_queryset(self) -> QuerySet[InboundRequest]:
        user: Any = self.request.user
        if not user.has_perm("partnerships.view_inboundrequest"):
            raise PermissionDenied
        return selectors.inbound_request_list(user=user)

    @extend_schema(tags=["inbound requests"])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            created = services.inbound_request_create(
                actor=request.user, data=dict(serializer.validated_data)
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(InboundRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class InboundRequestActionView(APIView):
    """review / accept / decline an inbound request."""

    permission_classes = [IsAuthenticated]
    action = "review"

    @extend_schema(
        request=DeclineSerializer, responses=InboundRequestSerializer, tags=["inbound requests"]
    )
    def post(self, request: Request, pk: int) -> Response:
        inbound = get_object_or_404(InboundRequest, pk=pk)
        if not request.user.has_perm("partnerships.view_inboundrequest", inbound):
            raise Http404
        try:
            if self.action == "review":
                services.inbound_request_review(request=inbound, actor=request.user)
            elif self.action == "accept":
                services.inbound_request_accept(request=inbound, actor=request.user)
            else:
                serializer = DeclineSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                services.inbound_request_decline(
                    request=inbound, actor=request.user, reason=serializer.validated_data["reason"]
                )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        inbound.refresh_from_db()
        return Response(InboundRequestSerializer(inbound).data)


__all__ = [
    "DocumentListView",
    "InboundRequestActionView",
    "InboundRequestListView",
    "LifecycleView",
    "PartnershipDetailView",
    "PartnershipListView",
    "TransitionDecisionView",
    "TransitionListView",
]
