"""Read-only API over the geographic reference.  Public: it is open reference data."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.geo import selectors
from kembar.geo.api.serializers import (
    CityDetailSerializer,
    CityQuerySerializer,
    CitySerializer,
    NetworkSummarySerializer,
    RegionDetailSerializer,
    RegionQuerySerializer,
    RegionSerializer,
)
from kembar.geo.models import City, Region


@extend_schema(parameters=[RegionQuerySerializer], tags=["geo"])
class RegionListView(PublicCacheMixin, generics.ListAPIView[Region]):
    """Indonesian regions by Kemendagri code; filter by parent code, level or name."""

    permission_classes = [AllowAny]
    serializer_class = RegionSerializer

    def get_queryset(self) -> QuerySet[Region]:
        return selectors.region_list(**validated_query(RegionQuerySerializer, self.request))


@extend_schema(tags=["geo"])
class RegionDetailView(PublicCacheMixin, generics.RetrieveAPIView[Region]):
    permission_classes = [AllowAny]
    serializer_class = RegionDetailSerializer

    def get_object(self) -> Region:
        region = selectors.region_get(self.kwargs["kode"])
        if region is None:
            raise Http404
        return region


@extend_schema(parameters=[CityQuerySerializer], tags=["geo"])
class CityListView(PublicCacheMixin, generics.ListAPIView[City]):
    """World cities (GeoNames, and twin towns known only from the source)."""

    permission_classes = [AllowAny]
    serializer_class = CitySerializer

    def get_queryset(self) -> QuerySet[City]:
        return selectors.city_list(**validated_query(CityQuerySerializer, self.request))


@extend_schema(tags=["geo"])
class CityDetailView(PublicCacheMixin, generics.RetrieveAPIView[City]):
    """A city by id: its GeoNames id, or a negative id for a city known only from the source."""

    permission_classes = [AllowAny]
    serializer_class = CityDetailSerializer

    def get_object(self) -> City:
        city = selectors.city_get(int(self.kwargs["geonameid"]))
        if city is None:
            raise Http404
        return city


@extend_schema(tags=["network"])
class CityTwinsView(PublicCacheMixin, generics.ListAPIView[City]):
    """The twin towns of a city in the world network."""

    permission_classes = [AllowAny]
    serializer_class = CitySerializer

    def get_queryset(self) -> QuerySet[City]:
        city = selectors.city_get(int(self.kwargs["geonameid"]))
        if city is None:
            raise Http404
        return selectors.city_twins(city)


@extend_schema(responses=NetworkSummarySerializer, tags=["network"])
class NetworkSummaryView(PublicCacheMixin, APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(NetworkSummarySerializer(selectors.network_summary()).data)
