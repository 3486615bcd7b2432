"""The insights API: the same figures as the dashboards, as JSON."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.accounts.regions import user_region
from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.insights.api.serializers import (
    CapacityQuerySerializer,
    CapacitySerializer,
    HealthQuerySerializer,
    HealthSerializer,
    ReachQuerySerializer,
    ReachSerializer,
)
from kembar.insights.capacity import capacity_figures, sees_capacity
from kembar.insights.health import health_figures
from kembar.insights.reach import ReachFilters, reach_figures, sees_internal_figures
from kembar.partnerships.access import listed_partnerships


class ReachView(PublicCacheMixin, APIView):
    """Who took part, where and in which group, against the population.

    Staff of the region (and administrators) get the exact figures of every
    partnership they may see.  Everyone else (anonymous callers, staff of
    other regions, partner counterparts) gets the figures of public
    partnerships with small cells suppressed and complementary cells hidden
    so that no hidden count can be worked out from the totals (see the
    answer's schema).
    """

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ReachQuerySerializer], responses=ReachSerializer, tags=["insights"])
    def get(self, request: Request) -> Response:
        query = validated_query(ReachQuerySerializer, request)
        query.setdefault("region", user_region(request.user))
        filters = ReachFilters(**query)
        public = not sees_internal_figures(request.user, filters.region)
        figures = reach_figures(filters=filters, user=request.user, public=public)
        return Response(figures.as_dict())


class HealthView(APIView):
    """The health of a region's partnerships as of today: state, score, reciprocity.

    Not shared through the public cache (unlike reach): its entries live until
    the data changes, and this answer changes with the date alone.

    Staff of the region (and administrators) get every partnership they may
    see with the warning date, the score's components and the explanation.
    Everyone else gets the partnerships they may see (the public ones for
    anonymous callers) with state, score and reciprocity only.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[HealthQuerySerializer], responses=HealthSerializer, tags=["insights"]
    )
    def get(self, request: Request) -> Response:
        query = validated_query(HealthQuerySerializer, request)
        query.setdefault("region", user_region(request.user))
        public = not sees_internal_figures(request.user, query["region"])
        figures = health_figures(
            partnerships=listed_partnerships(request.user),
            public=public,
            region=query["region"],
            demo=query["demo"],
        )
        return Response(figures.as_dict())


class CapacityView(APIView):
    """What the region can carry in a year: staff, budget and hosting load by month.

    Signed-in administrators, and cooperation officers and leadership of the
    region, only (403 for everyone else): the figures are internal plans.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CapacityQuerySerializer], responses=CapacitySerializer, tags=["insights"]
    )
    def get(self, request: Request) -> Response:
        query = validated_query(CapacityQuerySerializer, request)
        query.setdefault("region", user_region(request.user))
        if not sees_capacity(request.user, query["region"]):
            raise PermissionDenied
        year = query.get("year") or timezone.localdate().year
        return Response(capacity_figures(query["region"], year))
