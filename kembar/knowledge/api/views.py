"""The knowledge API: search over everything the caller may see, and writes of knowledge records.

``GET /api/v1/knowledge/`` answers as the staff search page does (the same
engine and scope, :func:`kembar.search.selectors.scope_for`): anonymous
callers and users of no region find public records only (activities of
public partnerships, policies the cooperation office made public, never
lessons or practices).  The writes call :mod:`kembar.knowledge.services`,
so permissions and checks are those of the staff pages: a refusal is 403,
a problem 400 with the service's messages by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.knowledge import selectors, services
from kembar.knowledge.api.serializers import (
    KnowledgeQuerySerializer,
    KnowledgeSearchSerializer,
    LessonSerializer,
    PolicyPublishSerializer,
    PolicySerializer,
    PracticeSerializer,
    ReflectionReviewedSerializer,
    ReflectionReviewSerializer,
    ReflectionSerializer,
)
from kembar.knowledge.models import Lesson, Policy, Practice
from kembar.programs import selectors as activity_selectors
from kembar.programs.api.serializers import does_not_exist
from kembar.search.engine import FACETS, Hit, search_with_experts
from kembar.search.models import SearchDocument
from kembar.search.selectors import facet_labels, scope_for

T = TypeVar("T")
TAGS = ["knowledge"]
INVALID = OpenApiResponse(description="invalid: `detail` names the fields, `errors` says why")


class KnowledgeStaff(BasePermission):
    """The region's own staff and administrators (``knowledge.view_record``), as for the pages."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("knowledge.view_record", None))


STAFF = [IsAuthenticated, KnowledgeStaff]


def _call(service: Callable[..., T], **kwargs: Any) -> T:
    """Run a service: its refusal becomes 403, its problems 400 with the messages by field."""
    try:
        return service(**kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


# --- Search -------------------------------------------------------------------------------


def _hit_facets(hits: list[Hit]) -> dict[tuple[str, int], Any]:
    """The facets stored with each hit's document (one query)."""
    if not hits:
        return {}
    wanted = Q()
    for hit in hits:
        wanted |= Q(kind=hit.kind, object_id=hit.object_id)
    rows = SearchDocument.objects.filter(wanted).values(
        "kind", "object_id", "year", "sector", "partner_city", "agency"
    )
    return {(row["kind"], row["object_id"]): row for row in rows}


class KnowledgeSearchView(APIView):
    """Search lessons, practices, policies, activities and trip reports, with facets.

    Every word of ``q`` must match, in Indonesian or English, by its forms
    ("dilatih" finds "pelatihan") and bilingual synonyms ("waste" finds
    "sampah").  ``facets`` count all matches before the page is cut;
    ``who_knows`` names the agencies and partner cities with most matches.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[KnowledgeQuerySerializer],
        responses={200: KnowledgeSearchSerializer, 400: INVALID},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = validated_query(KnowledgeQuerySerializer, request)
        scope = scope_for(request.user)
        results, experts = search_with_experts(
            query["q"],
            kinds=[query["kind"]] if query.get("kind") else None,
            facets={name: query[name] for name in FACETS if name in query},
            limit=query["limit"],
            offset=query["offset"],
            **scope,
        )
        labels = facet_labels(results.facets)
        names = facet_labels({"agency": experts.agencies, "partner_city": experts.partner_cities})
        stored = _hit_facets(results.hits)
        empty = dict.fromkeys(("year", "sector", "partner_city", "agency"))
        answer = {
            "query": results.query,
            "total": results.total,
            "results": [
                {
                    "kind": hit.kind,
                    "id": hit.object_id,
                    "title": hit.title,
                    "snippet": hit.snippet,
                    "url": hit.url,
                    "score": hit.score,
                    **{
                        name: stored.get((hit.kind, hit.object_id), empty)[name]
                        for name in ("year", "sector", "partner_city", "agency")
                    },
                }
                for hit in results.hits
            ],
            "facets": {
                name: [
                    {"value": value, "label": labels[name][value], "count": count}
                    for value, count in results.facets[name]
                ]
                for name in FACETS
            },
            "who_knows": {
                "agencies": [
                    {"id": pk, "name": names["agency"][pk], "count": count}
                    for pk, count in experts.agencies
                ],
                "partner_cities": [
                    {"id": pk, "name": names["partner_city"][pk], "count": count}
                    for pk, count in experts.partner_cities
                ],
            },
        }
        return Response(KnowledgeSearchSerializer(answer).data)


# --- Lessons and practices ----------------------------------------------------------------


def _lesson(request: Request, pk: int) -> Lesson:
    lesson = selectors.lesson_get(user=request.user, pk=pk)
    if lesson is None:
        raise Http404
    return lesson


def _written(serializer_class: type[Any], request: Request, *, partial: bool) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class LessonListView(APIView):
    """Write a lesson (a draft) for an agency of the caller's region."""

    permission_classes = STAFF

    @extend_schema(
        request=LessonSerializer, responses={201: LessonSerializer, 400: INVALID}, tags=TAGS
    )
    def post(self, request: Request) -> Response:
        data = _written(LessonSerializer, request, partial=False)
        lesson = _call(
            services.lesson_save,
            actor=request.user,
            data=data,
            region_id=selectors.writing_region(request.user),
        )
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class LessonDetailView(APIView):
    """A lesson the caller may see (404 otherwise); PATCH changes it as the edit page does."""

    permission_classes = STAFF

    @extend_schema(responses=LessonSerializer, tags=TAGS)
    def get(self, request: Request, lesson: int) -> Response:
        return Response(LessonSerializer(_lesson(request, lesson)).data)

    @extend_schema(
        request=LessonSerializer, responses={200: LessonSerializer, 400: INVALID}, tags=TAGS
    )
    def patch(self, request: Request, lesson: int) -> Response:
        record = _lesson(request, lesson)
        data = _written(LessonSerializer, request, partial=True)
        saved = _call(services.lesson_save, actor=request.user, data=data, lesson=record)
        return Response(LessonSerializer(_lesson(request, saved.pk)).data)


def _practice(request: Request, pk: int) -> Practice:
    practice = selectors.practice_list(user=request.user).filter(pk=pk).first()
    if practice is None:
        raise Http404
    return practice


class PracticeListView(APIView):
    """Record a practice offered or sought in the caller's region."""

    permission_classes = STAFF

    @extend_schema(
        request=PracticeSerializer, responses={201: PracticeSerializer, 400: INVALID}, tags=TAGS
    )
    def post(self, request: Request) -> Response:
        data = _written(PracticeSerializer, request, partial=False)
        practice = _call(
            services.practice_save,
            actor=request.user,
            data=data,
            region_id=selectors.writing_region(request.user),
        )
        return Response(PracticeSerializer(practice).data, status=status.HTTP_201_CREATED)


class PracticeDetailView(APIView):
    """A practice the caller may see (404 otherwise); PATCH changes it."""

    permission_classes = STAFF

    @extend_schema(responses=PracticeSerializer, tags=TAGS)
    def get(self, request: Request, practice: int) -> Response:
        return Response(PracticeSerializer(_practice(request, practice)).data)

    @extend_schema(
        request=PracticeSerializer, responses={200: PracticeSerializer, 400: INVALID}, tags=TAGS
    )
    def patch(self, request: Request, practice: int) -> Response:
        record = _practice(request, practice)
        data = _written(PracticeSerializer, request, partial=True)
        saved = _call(services.practice_save, actor=request.user, data=data, practice=record)
        return Response(PracticeSerializer(_practice(request, saved.pk)).data)


# --- Policies -----------------------------------------------------------------------------


def _policy(request: Request, pk: int) -> Policy:
    policy = selectors.policy_get(user=request.user, pk=pk)
    if policy is None:
        raise Http404
    return policy


class PolicyListView(APIView):
    """Record a policy adopted; the document is given as a link (upload: the staff page)."""

    permission_classes = STAFF

    @extend_schema(
        request=PolicySerializer, responses={201: PolicySerializer, 400: INVALID}, tags=TAGS
    )
    def post(self, request: Request) -> Response:
        data = _written(PolicySerializer, request, partial=False)
        policy = _call(
            services.policy_adopt,
            actor=request.user,
            region_id=selectors.writing_region(request.user),
            data=data,
        )
        return Response(PolicySerializer(_policy(request, policy.pk)).data, status=201)


class PolicyDetailView(APIView):
    """A policy the caller may see (404 otherwise).

    PATCH is the cooperation office's review (``is_public``), as on the staff
    page; a policy's record is not changed after adoption, there or here.
    """

    permission_classes = STAFF

    @extend_schema(responses=PolicySerializer, tags=TAGS)
    def get(self, request: Request, policy: int) -> Response:
        return Response(PolicySerializer(_policy(request, policy)).data)

    @extend_schema(
        request=PolicyPublishSerializer,
        responses={200: PolicySerializer, 400: INVALID},
        tags=TAGS,
    )
    def patch(self, request: Request, policy: int) -> Response:
        record = _policy(request, policy)
        data = _written(PolicyPublishSerializer, request, partial=False)
        _call(services.policy_publish, actor=request.user, policy=record, public=data["is_public"])
        return Response(PolicySerializer(_policy(request, policy)).data)


# --- Reflections --------------------------------------------------------------------------


class ReflectionListView(APIView):
    """Write (or rewrite, after it was returned) the reflection on a completed activity."""

    permission_classes = STAFF

    @extend_schema(
        request=ReflectionSerializer,
        responses={201: ReflectionSerializer, 400: INVALID},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = _written(ReflectionSerializer, request, partial=False)
        reference = data.pop("activity").reference
        activity = activity_selectors.activity_detail_get(
            user=request.user, reference=reference, include_public=False
        )
        if activity is None:
            raise ValidationError({"activity": [does_not_exist("reference", reference)]})
        reflection = _call(
            services.reflection_submit, actor=request.user, activity=activity, **data
        )
        return Response(ReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED)


class ReflectionReviewView(APIView):
    """The cooperation office accepts a submitted reflection (it becomes a lesson) or returns it."""

    permission_classes = STAFF

    @extend_schema(
        request=ReflectionReviewSerializer,
        responses={200: ReflectionReviewedSerializer, 400: INVALID},
        tags=TAGS,
    )
    def post(self, request: Request, reflection: int) -> Response:
        record = selectors.reflection_get(user=request.user, pk=reflection)
        if record is None:
            raise Http404
        data = _written(ReflectionReviewSerializer, request, partial=False)
        lesson = _call(
            services.reflection_review,
            actor=request.user,
            reflection=record,
            accept=data["decision"] == "accept",
            note=data["note"],
            title=data["title"],
        )
        record.refresh_from_db()
        answer = {"status": record.status, "lesson": lesson.pk if lesson else None}
        return Response(ReflectionReviewedSerializer(answer).data)
