"""The economy API: multipliers (public), portfolio impact and cross-sector view (staff).

``GET /api/v1/insights/multipliers/``, ``/impact/`` and ``/cross-sector/`` give
the same figures as the economy pages; unknown parameters are refused with 400.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.common.api import validated_query
from kembar.common.public_cache import PublicCacheMixin
from kembar.insights.economy import (
    DEFAULT_DELTA,
    DEFAULT_METHOD,
    METHODS,
    NATIONAL,
    REGIONS,
    CrossSectorFilters,
    ImpactFilters,
    cross_sector_figures,
    economy_table,
    impact_figures,
    multiplier_figures,
)
from kembar.partnerships.models import Partnership

REGION_CHOICES = [NATIONAL, *REGIONS]


def _home_table_region() -> str:
    home = settings.KEMBAR_HOME_REGION
    return home if home in REGIONS else NATIONAL


class StaffArea(BasePermission):
    """Signed-in users of the staff area (as the staff pages require)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("accounts.access_staff_area"))


# --- Query parameters -----------------------------------------------------------------------


@extend_schema_field(
    {"type": "number", "format": "double", "minimum": 0, "maximum": 1, "exclusiveMaximum": True}
)
class _DeltaField(serializers.FloatField):
    """Flegg's δ, 0 ≤ δ < 1: the schema says so (``max_value`` would admit 1)."""


class TableQuerySerializer(serializers.Serializer[Any]):
    region = serializers.ChoiceField(
        choices=REGION_CHOICES,
        required=False,
        help_text=_(
            "national, 33 (Jawa Tengah) or 33.74 (Kota Semarang); default: the home region."
        ),
    )
    method = serializers.ChoiceField(
        choices=list(METHODS),
        default=DEFAULT_METHOD,
        help_text=_("Location quotients for a regional table: slq, cilq or flq."),
    )
    delta = _DeltaField(
        default=DEFAULT_DELTA,
        min_value=0,
        help_text=_("Flegg's δ for flq, 0 ≤ δ < 1 (ignored for slq and cilq)."),
    )

    def validate_delta(self, value: float) -> float:
        if value >= 1:
            raise serializers.ValidationError(_("δ must be less than 1."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("region", _home_table_region())
        return attrs


class ImpactQuerySerializer(TableQuerySerializer):
    region = serializers.ChoiceField(
        choices=REGION_CHOICES,
        required=False,
        help_text=_(
            "national, 33 (Jawa Tengah) or 33.74 (Kota Semarang); default: the table of your own "
            "region where Kembar has one, else the national table."
        ),
    )
    partnership = serializers.SlugField(required=False, help_text=_("Partnership code (slug)."))
    year = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: demonstration records only; false: real records only."),
    )

    def validate_partnership(self, value: str) -> str:
        if not Partnership.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("No partnership has this code."))
        return value


class CrossSectorQuerySerializer(serializers.Serializer[Any]):
    year_from = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: demonstration records only; false: real records only."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("year_from"), attrs.get("year_to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"year_to": [_("The period ends before it starts.")]})
        return attrs


# --- Answers (for the schema) ---------------------------------------------------------------


class SectorMultipliersSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField()
    name = serializers.CharField()
    output_multiplier = serializers.FloatField()
    income_multiplier_type1 = serializers.FloatField()
    income_multiplier_type2 = serializers.FloatField()
    value_added_multiplier = serializers.FloatField()
    backward_linkage = serializers.FloatField()
    forward_linkage = serializers.FloatField()
    key_sector = serializers.BooleanField()


class MultipliersSerializer(serializers.Serializer[Any]):
    region = serializers.CharField()
    method = serializers.CharField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    table = serializers.DictField(help_text=_("How the table was made: source, units, method …"))
    sectors = SectorMultipliersSerializer(many=True)


class ImpactFiguresSerializer(serializers.Serializer[Any]):
    final_demand = serializers.FloatField()
    output_direct = serializers.FloatField()
    output_indirect = serializers.FloatField()
    output_induced = serializers.FloatField()
    output_total = serializers.FloatField()
    value_added_direct = serializers.FloatField()
    value_added_indirect = serializers.FloatField()
    value_added_induced = serializers.FloatField()
    value_added_total = serializers.FloatField()


class ImpactSectorSerializer(ImpactFiguresSerializer):
    code = serializers.IntegerField()
    name = serializers.CharField()


class ImpactPartnershipSerializer(ImpactFiguresSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ImpactYearSerializer(ImpactFiguresSerializer):
    year = serializers.IntegerField()


class EffectKindSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount_idr = serializers.FloatField()


class EffectSummarySerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    amount_idr = serializers.FloatField()
    untraced_idr = serializers.FloatField()
    by_kind = EffectKindSerializer(many=True)


class ImpactSerializer(serializers.Serializer[Any]):
    region = serializers.CharField()
    method = serializers.CharField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    table = serializers.DictField()
    units = serializers.CharField()
    totals = ImpactFiguresSerializer()
    by_sector = ImpactSectorSerializer(many=True)
    by_partnership = ImpactPartnershipSerializer(many=True)
    by_year = ImpactYearSerializer(many=True)
    effects = EffectSummarySerializer()
    filters = serializers.DictField()
    includes_demo = serializers.BooleanField()
    assumptions = serializers.ListField(child=serializers.CharField())


class MatrixCellSerializer(serializers.Serializer[Any]):
    sector = serializers.IntegerField()
    activities = serializers.IntegerField()
    participants = serializers.IntegerField(
        allow_null=True, help_text=_("null when it would reveal a count of 1–4 people")
    )
    agencies = serializers.IntegerField(required=False)


class MatrixRowSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    cells = MatrixCellSerializer(many=True)
    activities = serializers.IntegerField()
    participants = serializers.IntegerField(
        allow_null=True, help_text=_("null when it would reveal a count of 1–4 people")
    )
    sectors_covered = serializers.IntegerField()


class CrossSectorSectorSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField()
    name = serializers.CharField()
    kbli = serializers.CharField()
    priority = serializers.BooleanField()
    plans = serializers.ListField(child=serializers.CharField())
    activities = serializers.IntegerField()
    participants = serializers.IntegerField(
        allow_null=True, help_text=_("null when it would reveal a count of 1–4 people")
    )
    status = serializers.ChoiceField(choices=["covered", "gap", "outside_priorities", "none"])


class PrioritiesSerializer(serializers.Serializer[Any]):
    plans = serializers.ListField(child=serializers.CharField())
    gaps = serializers.ListField(child=serializers.IntegerField())
    covered = serializers.ListField(child=serializers.IntegerField())
    outside_priorities = serializers.ListField(child=serializers.IntegerField())


class CrossSectorSerializer(serializers.Serializer[Any]):
    region = serializers.CharField()
    sectors = CrossSectorSectorSerializer(many=True)
    partnerships = MatrixRowSerializer(many=True)
    agencies = MatrixRowSerializer(many=True)
    priorities = PrioritiesSerializer()
    filters = serializers.DictField()
    includes_demo = serializers.BooleanField()
    participants_withheld = serializers.BooleanField(
        help_text=_(
            "true when some participant figures are null: you may not see the breakdown of "
            "some partnerships' participants, and those figures would reveal a count of 1–4 people"
        )
    )


# --- Views ----------------------------------------------------------------------------------


class MultipliersView(PublicCacheMixin, APIView):
    """Output, income and value-added multipliers and linkages of every sector.

    From BPS's 2020 national input-output table, or a table for Jawa Tengah or
    Kota Semarang made from it with location quotients; ``table`` says how.
    Sector names follow the request's language.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[TableQuerySerializer], responses=MultipliersSerializer, tags=["insights"]
    )
    def get(self, request: Request) -> Response:
        query = validated_query(TableQuerySerializer, request)
        table = economy_table(query["region"], query["method"], query["delta"])
        return Response(multiplier_figures(table))


class ImpactView(APIView):
    """The estimated economy-wide effect of the cooperation portfolio (staff only).

    Direct, indirect and induced output and value added of the economic
    effects recorded on activities, by sector, partnership and year, in rupiah,
    with every assumption.
    """

    permission_classes = [StaffArea]

    @extend_schema(
        parameters=[ImpactQuerySerializer], responses=ImpactSerializer, tags=["insights"]
    )
    def get(self, request: Request) -> Response:
        query = validated_query(ImpactQuerySerializer, request)
        filters = ImpactFilters(
            # Left out: the table of the caller's own region (impact_figures).
            region=query["region"] if "region" in request.query_params else "",
            method=query["method"],
            delta=query["delta"],
            partnership=query.get("partnership", ""),
            year=query.get("year"),
            demo=query.get("demo"),
        )
        return Response(impact_figures(filters=filters, user=request.user))


class CrossSectorView(APIView):
    """Activities by partnership × sector and agency × sector, against the plan's priorities.

    Staff only; priority sectors with no activity are listed as gaps.  For
    partnerships whose participants' breakdown the caller may not see, a
    participant figure that would include a count the activities API hides is
    null.
    """

    permission_classes = [StaffArea]

    @extend_schema(
        parameters=[CrossSectorQuerySerializer], responses=CrossSectorSerializer, tags=["insights"]
    )
    def get(self, request: Request) -> Response:
        query = validated_query(CrossSectorQuerySerializer, request)
        filters = CrossSectorFilters(
            year_from=query.get("year_from"), year_to=query.get("year_to"), demo=query.get("demo")
        )
        return Response(cross_sector_figures(filters=filters, user=request.user))
