"""The world twin-city network of one city, and new partners for it.  Public reference data.

``GET /api/v1/network/cities/{id}/ego/`` and
``GET /api/v1/network/cities/{id}/recommendations/``; the page
``/insights/network/{id}/`` shows the same.  Explanations come in the
language of ``Accept-Language`` (Indonesian by default).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.insights.network import (
    DEFAULT_EGO_LIMIT,
    MAX_EGO_LIMIT,
    MAX_RECOMMENDATIONS,
    CityNotFound,
    UnknownLearningNeed,
    city_ego_network,
    city_recommendations,
    learning_need_choices,
)

CITY_ID = OpenApiParameter(
    "city_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="City id: its GeoNames id, or a negative id for a city known only from the "
    "twin-town source.",
)


class EgoQuerySerializer(serializers.Serializer[Any]):
    depth = serializers.IntegerField(
        required=False,
        default=2,
        min_value=1,
        max_value=2,
        help_text=_("1: the city and its partners; 2: also its partners' partners."),
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_EGO_LIMIT,
        min_value=1,
        max_value=MAX_EGO_LIMIT,
        help_text=_("Most partners of partners to return, the best connected to the city first."),
    )


class RecommendationsQuerySerializer(serializers.Serializer[Any]):
    k = serializers.IntegerField(
        required=False,
        default=10,
        min_value=1,
        max_value=MAX_RECOMMENDATIONS,
        help_text=_("How many cities to recommend."),
    )
    needs = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=2000,
        help_text=_(
            "Learning needs: focus-area codes separated by commas, e.g. education,urban-planning."
        ),
    )

    def validate_needs(self, value: str) -> list[str]:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        known = {code for code, _name in learning_need_choices()}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown focus-area code(s): %(codes)s. Known: %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        return codes


class EgoNodeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    country_name = serializers.CharField(help_text="in the language of the request")
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    ring = serializers.IntegerField(help_text="0 the city, 1 a partner, 2 a partner's partner")
    degree = serializers.IntegerField(help_text="number of partners in the world network")
    via = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="ring 2: ids of the city's partners through which it is reached",
    )


class EgoEdgeSerializer(serializers.Serializer[Any]):
    source = serializers.IntegerField(  # type: ignore[assignment]
        help_text="city id of the end nearer the city"
    )
    target = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["partner", "between_partners", "second"])


class EgoNetworkSerializer(serializers.Serializer[Any]):
    city = EgoNodeSerializer()
    depth = serializers.IntegerField()
    limit = serializers.IntegerField()
    in_network = serializers.BooleanField(help_text="false when the city has no twin-town link")
    partners = serializers.IntegerField()
    partners_of_partners = serializers.IntegerField(help_text="all of them, drawn or not")
    left_out = serializers.IntegerField(help_text="partners of partners beyond the limit")
    nodes = EgoNodeSerializer(many=True)
    edges = EgoEdgeSerializer(many=True)


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="common_partners, partners_of_partners, country_ties, popularity, "
        "proximity, near_partner, size, know_how …"
    )
    params = serializers.DictField(help_text="the figures behind the reason, to translate from")
    text = serializers.CharField(help_text="in the language of the request")


class RecommendedCitySerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    id = serializers.IntegerField(help_text="city id, as in /api/v1/cities/{id}/")
    name = serializers.CharField()
    country = serializers.CharField()
    country_name = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    degree = serializers.IntegerField()
    score = serializers.FloatField()
    components = serializers.DictField(
        child=serializers.FloatField(), help_text="the weighted components summing to the score"
    )
    explanation = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class ExcludedCitySerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField(help_text="the rank the city would have had")
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    country_name = serializers.CharField()
    reason = serializers.CharField(help_text="in the language of the request")
    note = serializers.CharField(allow_blank=True, help_text="the note of the relations list")


class RecommendationsSerializer(serializers.Serializer[Any]):
    city = EgoNodeSerializer()
    k = serializers.IntegerField()
    needs = serializers.ListField(child=serializers.CharField())
    in_network = serializers.BooleanField()
    items = RecommendedCitySerializer(many=True)
    excluded = ExcludedCitySerializer(
        many=True,
        help_text="cities left out of an Indonesian city's recommendations: no diplomatic "
        "relations with their country (PP 28/2018 Pasal 27)",
    )


class CityEgoNetworkView(PublicCacheMixin, APIView):
    """A city, its twin towns and (depth 2) their twin towns, with the links to draw.

    Partners of partners are ranked by how many of the city's partners lead
    to them, then by their own number of partners; ``limit`` caps them and
    ``left_out`` says how many more there are.  The links of the public
    partnerships Kembar records count as twin-town links.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CITY_ID, EgoQuerySerializer],
        responses=EgoNetworkSerializer,
        tags=["network"],
    )
    def get(self, request: Request, city_id: str) -> Response:
        query = validated_query(EgoQuerySerializer, request)
        try:
            ego = city_ego_network(int(city_id), depth=query["depth"], limit=query["limit"])
        except CityNotFound:
            raise Http404 from None
        return Response(EgoNetworkSerializer(ego).data)


class CityRecommendationsView(PublicCacheMixin, APIView):
    """New partner cities for a city, best first, each with its score explained.

    Scored on network proximity (shared partners, partners of partners,
    ties between the countries, distance), comparable size and, with
    ``needs``, what a candidate's recorded partnerships covered.  Never the
    city itself or one of its partners.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CITY_ID, RecommendationsQuerySerializer],
        responses=RecommendationsSerializer,
        tags=["network"],
    )
    def get(self, request: Request, city_id: str) -> Response:
        query = validated_query(RecommendationsQuerySerializer, request)
        try:
            found = city_recommendations(int(city_id), k=query["k"], learning_needs=query["needs"])
        except CityNotFound:
            raise Http404 from None
        except UnknownLearningNeed as exc:  # pragma: no cover - validate_needs refused them
            raise serializers.ValidationError({"needs": [str(exc)]}) from exc
        return Response(RecommendationsSerializer(found).data)
