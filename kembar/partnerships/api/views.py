"""Read-only API over partnerships.

Public for now: the starting record holds only what public sources document.
Object-level rules arrive with accounts and the lifecycle.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from kembar.common.api import validated_query
from kembar.partnerships import selectors
from kembar.partnerships.api.serializers import (
    PartnershipDetailSerializer,
    PartnershipQuerySerializer,
    PartnershipSerializer,
)
from kembar.partnerships.models import Partnership


@extend_schema(parameters=[PartnershipQuerySerializer], tags=["partnerships"])
class PartnershipListView(generics.ListAPIView[Partnership]):
    permission_classes = [AllowAny]
    serializer_class = PartnershipSerializer

    def get_queryset(self) -> QuerySet[Partnership]:
        return selectors.partnership_list(
            **validated_query(PartnershipQuerySerializer, self.request)
        )


@extend_schema(tags=["partnerships"])
class PartnershipDetailView(generics.RetrieveAPIView[Partnership]):
    """A partnership with its documented events, oldest first."""

    permission_classes = [AllowAny]
    serializer_class = PartnershipDetailSerializer

    def get_object(self) -> Partnership:
        partnership = selectors.partnership_get(self.kwargs["slug"])
        if partnership is None:
            raise Http404
        return partnership
