"""Opportunities API: published calls for everyone, anonymous visitors included.

Only published, closed and results-published calls are listed, never drafts,
under the partnerships the caller may see (the public ones for anonymous
visitors).  The answers hold the terms of a call only, no personal data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.geo.models import Region, RegionLevel
from kembar.participation import selectors
from kembar.participation.api.serializers import OpportunityQuerySerializer, OpportunitySerializer
from kembar.participation.models import Opportunity
from kembar.programs.api.serializers import does_not_exist

TAGS = ["opportunities"]


class OpportunityListView(PublicCacheMixin, generics.ListAPIView[Opportunity]):
    """Published calls for participation, newest first."""

    # Anyone may read published calls: the queryset holds nothing else.
    permission_classes = [AllowAny]
    serializer_class = OpportunitySerializer

    @extend_schema(parameters=[OpportunityQuerySerializer], tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Opportunity]:
        query = validated_query(OpportunityQuerySerializer, self.request)
        kecamatan = query.get("kecamatan", "")
        if (
            kecamatan
            and not Region.objects.filter(kode=kecamatan, level=RegionLevel.DISTRICT).exists()
        ):
            raise ValidationError({"kecamatan": [does_not_exist("kode", kecamatan)]})
        filters = selectors.OpportunityFilters(
            status=query.get("status", ""), kind=query.get("kind", ""), kecamatan=kecamatan
        )
        return selectors.public_opportunities(user=self.request.user, filters=filters)


class OpportunityDetailView(PublicCacheMixin, generics.RetrieveAPIView[Opportunity]):
    """One published call for participation (a draft answers 404)."""

    permission_classes = [AllowAny]
    serializer_class = OpportunitySerializer

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Opportunity]:
        return selectors.public_opportunities(user=self.request.user)
