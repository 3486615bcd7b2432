"""``/api/v1/national/…``: the ministry's figures per region, and partner flows.

For the ministry and administrators only (``national.view_national``): anonymous
callers are refused (403 without credentials), everyone else too.  The answers
come from the same selectors as the pages (:mod:`kembar.national.selectors`), so
the map, its CSV and the API agree.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import BasePermission, IsAuthenticated

from kembar.common.api import validated_query
from kembar.national.api.serializers import (
    FlowQuerySerializer,
    NationalFlowSerializer,
    NationalRegionSerializer,
    RegionQuerySerializer,
)
from kembar.national.selectors import region_figures, region_flows

TAGS = ["national"]


class ViewsNational(BasePermission):
    """The ministry and administrators (``national.view_national``)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("national.view_national"))


@extend_schema(parameters=[RegionQuerySerializer], tags=TAGS)
class NationalRegionsView(generics.ListAPIView[Any]):
    """Figures per regional government (paginated, by Kemendagri code), from the summaries."""

    permission_classes = [IsAuthenticated, ViewsNational]
    serializer_class = NationalRegionSerializer

    def get_queryset(self) -> Any:
        query = validated_query(RegionQuerySerializer, self.request)
        figures = region_figures(
            level=query["level"], within=query.get("province"), year=query.get("year")
        )
        return figures.rows


@extend_schema(parameters=[FlowQuerySerializer], tags=TAGS)
class NationalFlowsView(generics.ListAPIView[Any]):
    """Partnerships by regional government and partner country (paginated)."""

    permission_classes = [IsAuthenticated, ViewsNational]
    serializer_class = NationalFlowSerializer

    def get_queryset(self) -> Any:
        query = validated_query(FlowQuerySerializer, self.request)
        return region_flows(level=query.get("level"), within=query.get("province"))
