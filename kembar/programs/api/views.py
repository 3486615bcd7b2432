"""Activities API: reads for everyone the rules allow, writes through the activity services.

Anonymous readers see the activities of partnerships shown to the public;
signed-in users also those of the partnerships their role lets them see, and a
partner counterpart only their own partnerships'
(:func:`~kembar.partnerships.access.listed_partnerships`).
Lists and details carry everything recorded under an activity (participants,
budget, contributions, results), prefetched so that a page costs the same
number of queries whatever its length.  Only staff of the partnership's
region see the breakdown of participants; everyone else sees protected
one-way tables (``kembar.programs.disclosure``).  Trip reports have their own
endpoint, for the region's staff and council only.  Writes obey the same
rules and checks as the staff pages and the spreadsheet import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.fields import Field
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.common.versioning import ConflictSerializer, EditConflict, VersionConflict
from kembar.partnerships.access import listed_partnerships
from kembar.programs import selectors
from kembar.programs.activities import (
    ACTIVITY_FIELDS,
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    ResultRow,
    TravellerRow,
    activity_budget_set,
    activity_contributions_set,
    activity_delete,
    activity_report_participants,
    activity_result_record,
    activity_save,
    trip_report_save,
)
from kembar.programs.api.serializers import (
    PARTNER_CITY,
    ActivityCreateSerializer,
    ActivityPatchSerializer,
    ActivityQuerySerializer,
    ActivitySerializer,
    ActivityWriteSerializer,
    BudgetSetSerializer,
    ContributionSetSerializer,
    ParticipantReportSerializer,
    ResultRecordSerializer,
    TripReportSerializer,
    TripReportWriteSerializer,
    does_not_exist,
)
from kembar.programs.models import (
    Activity,
    TripReport,
)

T = TypeVar("T")

TAGS = ["activities"]

#: Service field names that the API calls otherwise.
_API_NAMES = {"place_region": "place", "in_partner_city": "place"}


def _require_signed_in(request: Request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated


def _visible(request: Request, reference: str) -> Activity:
    """The activity, if the caller may see it (404 otherwise), without its children."""
    activity = selectors.activity_list(user=request.user).filter(reference=reference).first()
    if activity is None:
        raise Http404
    return activity


def _changeable(request: Request, reference: str) -> Activity:
    """The activity, if the caller may see and change it (401, 404 or 403 otherwise)."""
    _require_signed_in(request)
    activity = _visible(request, reference)
    if not request.user.has_perm("programs.change_activity", activity):
        raise PermissionDenied
    return activity


def _detail(request: Request, reference: str, code: int = status.HTTP_200_OK) -> Response:
    activity = selectors.activity_detail_get(user=request.user, reference=reference)
    if activity is None:
        raise Http404
    return Response(ActivitySerializer(activity, context={"request": request}).data, status=code)


def _call(service: Callable[..., T], renames: dict[str, str] | None = None, **kwargs: Any) -> T:
    """Run a service; its refusals become 403, its problems 400 with the API's field names.

    A stale ``version`` becomes 409 with the conflicting fields (nothing is saved).
    """
    names = {**_API_NAMES, **(renames or {})}
    try:
        return service(**kwargs)
    except EditConflict as conflict:
        raise VersionConflict(conflict, names) from conflict
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        problems: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            problems.setdefault(names.get(name, name), []).extend(messages)
        raise ValidationError(problems) from exc


def _participant_rows(rows: list[dict[str, Any]]) -> list[ParticipantRow]:
    return [ParticipantRow(**row) for row in rows]


def _activity_data(
    reference: str, values: dict[str, Any], current: Activity | None
) -> ActivityData:
    """``values`` on top of ``current`` (for PATCH), as the services take them."""
    base: dict[str, Any] = {}
    if current is not None:
        base = {name: getattr(current, name) for name in ACTIVITY_FIELDS}
        base["sdg_goals"] = list(current.sdg_goals.all())
        base["sdg_targets"] = list(current.sdg_targets.all())
        base["focus_areas"] = list(current.focus_areas.all())
    given = {name: value for name, value in values.items() if name not in {"place", "participants"}}
    if "place" in values:
        place = values["place"]
        given["in_partner_city"] = place == PARTNER_CITY
        given["place_region"] = None if place is None or place == PARTNER_CITY else place
    given.pop("reference", None)
    return ActivityData(reference=reference, **{**base, **given})


class ActivityListView(PublicCacheMixin, generics.ListAPIView[Activity]):
    """Activities the caller may see, newest first; POST reports a new one."""

    permission_classes = [AllowAny]
    serializer_class = ActivitySerializer

    @extend_schema(parameters=[ActivityQuerySerializer], tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Activity]:
        user = self.request.user
        query = validated_query(ActivityQuerySerializer, self.request)
        slug = query.get("partnership", "")
        if (
            slug
            and not listed_partnerships(user).filter(slug=slug).exists()
        ):
            # Unknown and invisible partnerships answer alike, so that slugs do not leak.
            raise ValidationError({"partnership": [does_not_exist("slug", slug)]})
        agency = query.get("agency")
        sector = query.get("sector")
        filters = selectors.ActivityFilters(
            partnership=slug,
            agency=agency.slug if agency is not None else "",
            sector=sector.code if sector is not None else None,
            kind=query.get("kind", ""),
            year=query.get("year"),
            status=query.get("status", ""),
            search=query.get("search", ""),
            demo=query.get("demo"),
            sort=query.get("ordering", "-start"),
        )
        return selectors.activity_with_children(selectors.activity_list(user=user, filters=filters))

    @extend_schema(
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, 400: OpenApiResponse(description="invalid")},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        _require_signed_in(request)
        serializer = ActivityCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        reference = values["reference"]
        participants = values.get("participants")
        # POST only creates; PUT on the activity's URL changes it.
        _call(
            activity_save,
            actor=request.user,
            data=_activity_data(reference, values, None),
            participants=_participant_rows(participants) if participants is not None else None,
            create_only=True,
        )
        return _detail(request, reference, status.HTTP_201_CREATED)


class ActivityDetailView(PublicCacheMixin, APIView):
    """One activity with everything recorded under it; PUT/PATCH change it, DELETE removes it."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ActivitySerializer, tags=TAGS)
    def get(self, request: Request, reference: str) -> Response:
        return _detail(request, reference)

    def _save(self, request: Request, reference: str, *, partial: bool) -> Response:
        current = _changeable(request, reference)
        serializer = ActivityWriteSerializer(
            data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "version" not in values:
            # PATCH too: a change without the version read could overwrite someone's change.
            raise ValidationError({"version": [Field.default_error_messages["required"]]})
        version = values.pop("version")
        participants = values.get("participants")
        given = set(request.data) if partial else None
        if given is not None and "place" in given:
            given |= {"place_region", "in_partner_city"}
        _call(
            activity_save,
            actor=request.user,
            data=_activity_data(reference, values, current if partial else None),
            participants=_participant_rows(participants) if participants is not None else None,
            is_demo=current.is_demo,
            expected_version=version,
            given=given,
        )
        return _detail(request, reference)

    @extend_schema(
        request=ActivityWriteSerializer,
        responses={
            200: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def put(self, request: Request, reference: str) -> Response:
        return self._save(request, reference, partial=False)

    @extend_schema(
        request=ActivityPatchSerializer,
        responses={
            200: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def patch(self, request: Request, reference: str) -> Response:
        return self._save(request, reference, partial=True)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        _call(activity_delete, actor=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParticipantsView(APIView):
    """Replace the participant totals and their breakdown (which must add up)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=ParticipantReportSerializer,
        responses={
            200: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def put(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        serializer = ParticipantReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _call(
            activity_report_participants,
            renames={"participants": "counts"},
            actor=request.user,
            activity=activity,
            local_total=data["participants_local"],
            partner_total=data["participants_partner"],
            rows=_participant_rows(data["counts"]),
            expected_version=data["version"],
        )
        return _detail(request, reference)


class BudgetView(APIView):
    """Replace the budget lines (one per source and kind)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=BudgetSetSerializer,
        responses={
            200: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def put(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        serializer = BudgetSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [BudgetRow(**line) for line in serializer.validated_data["lines"]]
        _call(
            activity_budget_set,
            actor=request.user,
            activity=activity,
            rows=rows,
            expected_version=serializer.validated_data["version"],
        )
        return _detail(request, reference)


class ContributionsView(APIView):
    """Replace what each side contributed."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=ContributionSetSerializer,
        responses={
            200: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def put(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        serializer = ContributionSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [ContributionRow(**row) for row in serializer.validated_data["contributions"]]
        _call(
            activity_contributions_set,
            actor=request.user,
            activity=activity,
            rows=rows,
            expected_version=serializer.validated_data["version"],
        )
        return _detail(request, reference)


class ResultsView(APIView):
    """Record one period of an indicator: 201 when something changed, 200 when not."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=ResultRecordSerializer,
        responses={
            200: ActivitySerializer,
            201: ActivitySerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        serializer = ResultRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        values["disaggregation"] = {
            (item["dimension"], item["category"]): item["actual"]
            for item in values["disaggregation"]
        }
        changed = _call(
            activity_result_record,
            actor=request.user,
            activity=activity,
            row=ResultRow(**values),
            expected_version=version,
        )
        return _detail(
            request, reference, status.HTTP_201_CREATED if changed else status.HTTP_200_OK
        )


class TripReportView(APIView):
    """The trip report of an outbound activity: the region's staff and council only."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: TripReportSerializer, 403: OpenApiResponse(description="not yours")},
        tags=TAGS,
    )
    def get(self, request: Request, reference: str) -> Response:
        _require_signed_in(request)
        activity = _visible(request, reference)
        if not request.user.has_perm("programs.view_tripreport", activity):
            raise PermissionDenied
        report = (
            TripReport.objects.filter(activity=activity)
            .select_related("submitted_by")
            .prefetch_related("travellers")
            .first()
        )
        if report is None:
            raise Http404
        return Response(TripReportSerializer(report).data)

    @extend_schema(
        request=TripReportWriteSerializer,
        responses={
            200: TripReportSerializer,
            400: OpenApiResponse(description="invalid"),
            409: ConflictSerializer,
        },
        tags=TAGS,
    )
    def put(self, request: Request, reference: str) -> Response:
        activity = _changeable(request, reference)
        serializer = TripReportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        report = _call(
            trip_report_save,
            actor=request.user,
            activity=activity,
            purpose=data["purpose"],
            outputs=data["outputs"],
            days=data["days"],
            cost_idr=data["cost_idr"],
            travellers=[TravellerRow(**row) for row in data["travellers"]],
            expected_version=data["version"],
        )
        report = (
            TripReport.objects.select_related("submitted_by")
            .prefetch_related("travellers")
            .get(pk=report.pk)
        )
        return Response(TripReportSerializer(report).data)


__all__ = [
    "ActivityDetailView",
    "ActivityListView",
    "BudgetView",
    "ContributionsView",
    "ParticipantsView",
    "ResultsView",
    "TripReportView",
]
