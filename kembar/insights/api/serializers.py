"""Serializers of the insights API: query parameters and documented answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.common.api import NamedChoiceField
from kembar.geo.models import Region
from kembar.partnerships.models import Partnership
from kembar.programs.models import ActivityKind, Sector


class ReachQuerySerializer(serializers.Serializer[Any]):
    """The reach filters, as the dashboard's form and the API take them."""

    region = serializers.CharField(
        required=False,
        default=settings.KEMBAR_HOME_REGION,
        help_text=_("Kemendagri code of the kabupaten or kota, e.g. 33.74."),
    )
    partnership = serializers.SlugField(required=False, help_text=_("Partnership code (slug)."))
    sector = serializers.IntegerField(required=False, help_text=_("IO sector code, 1–17."))
    kind = NamedChoiceField(ActivityKind.choices, enum_name="ActivityKindEnum", required=False)
    year_from = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: demonstration records only; false: real records only."),
    )

    def validate_region(self, value: str) -> str:
        if not Region.objects.filter(kode=value).exists():
            raise serializers.ValidationError(_("No region has this code."))
        return value

    def validate_partnership(self, value: str) -> str:
        if not Partnership.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("No partnership has this code."))
        return value

    def validate_sector(self, value: int) -> int:
        if not Sector.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("No sector has this code."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("year_from"), attrs.get("year_to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"year_to": [_("The period ends before it starts.")]})
        return attrs


class ReachUnitSerializer(serializers.Serializer[Any]):
    kode = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    population = serializers.FloatField()
    per_10k = serializers.FloatField(allow_null=True)
    participant_share = serializers.FloatField(allow_null=True)
    population_share = serializers.FloatField(allow_null=True)
    representation_ratio = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(
        required=False,
        help_text=_(
            "Public figures only: true when this count is not shown (fewer than 5 people, or "
            "it would reveal such a count); its rate, shares and ratio are null too."
        ),
    )


UNIT_KINDS = {"district": "district", "group": "group"}


class NeverReachedSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(UNIT_KINDS, enum_name="ReachUnitKindEnum")
    kode = serializers.CharField()
    name = serializers.CharField()
    population = serializers.FloatField()


class CoverageSerializer(serializers.Serializer[Any]):
    districts = serializers.FloatField(allow_null=True)
    groups = serializers.FloatField(allow_null=True)


class GenderSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    population_share = serializers.FloatField(allow_null=True)
    representation_ratio = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(required=False)


class YearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    participants = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField(required=False)


class SuggestedKindSerializer(serializers.Serializer[Any]):
    activity_kind = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.FloatField(
        allow_null=True, help_text=_("Null in public figures: only the order of kinds is shown.")
    )


class WhereToActSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(UNIT_KINDS, enum_name="ReachUnitKindEnum")
    kode = serializers.CharField()
    name = serializers.CharField()
    representation_ratio = serializers.FloatField(allow_null=True)
    missing_participants = serializers.FloatField(allow_null=True)
    suggested_kinds = SuggestedKindSerializer(many=True)
    suppressed = serializers.BooleanField(required=False)


class ReachSerializer(serializers.Serializer[Any]):
    """``/api/v1/insights/reach/``: the contract keys first, then the rest of the dashboard.

    Public figures (``public: true``: anonymous callers and everyone who is not
    staff of the region) count public partnerships only and protect small
    cells (UU PDP 27/2022).  Districts (with ``outside_city``), groups, gender
    and years each add up to ``total``; in each, counts of 1–4 people are null
    with ``suppressed: true``, and so are enough other non-zero counts that
    none of them can be worked out from ``total``: at least two per table,
    holding at least 5 people together.  A ``total`` of 1–4 hides every count,
    zeros included.  Zeros are shown.  Rates, shares and ratios of hidden
    counts are null; shares, ratios, ``gini``, ``theil``, ``coverage``,
    ``never_reached`` and ``where_to_act`` are computed from the published
    counts, with the hidden remainder spread evenly over the hidden cells.
    """

    districts = ReachUnitSerializer(many=True)
    groups = ReachUnitSerializer(many=True)
    gini = serializers.FloatField(allow_null=True)
    theil = serializers.FloatField(allow_null=True)
    coverage = CoverageSerializer()
    never_reached = NeverReachedSerializer(many=True)
    outside_city = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(
        allow_null=True, help_text=_("Local participants; null in public figures when 1–4.")
    )
    gender = GenderSerializer(many=True)
    years = YearSerializer(many=True)
    where_to_act = WhereToActSerializer(many=True)
    region = serializers.DictField()
    population_year = serializers.IntegerField(allow_null=True)
    filters = serializers.DictField()
    includes_demo = serializers.BooleanField()
    public = serializers.BooleanField()


class HealthQuerySerializer(serializers.Serializer[Any]):
    """The region whose partnerships' health is asked for, and the demonstration filter."""

    region = serializers.CharField(
        required=False,
        default=settings.KEMBAR_HOME_REGION,
        help_text=_("Kemendagri code of the kabupaten or kota, e.g. 33.74."),
    )
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: demonstration records only; false: real records only."),
    )

    def validate_region(self, value: str) -> str:
        if not Region.objects.filter(kode=value).exists():
            raise serializers.ValidationError(_("No region has this code."))
        return value


class HealthComponentSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField(help_text=_("In [0, 1]."))
    weight = serializers.FloatField()
    points = serializers.FloatField(help_text=_("100 × weight × value."))


class HealthExplanationSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(
        choices=["recent_activity", "no_activity_since", "agreement_expired"]
    )
    params = serializers.DictField(help_text=_("The figures behind the reason."))
    text = serializers.CharField(help_text=_("The reason in words, in the active language."))
    reciprocity_parts = serializers.DictField(
        help_text=_("Per part (travel, contribution, hosting): local and partner counts, index.")
    )


class PartnershipHealthSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["active", "at_risk", "dormant", "ended"],
        allow_null=True,
        help_text=_("Null when the partnership has no dated record yet."),
    )
    warning_since = serializers.DateField(allow_null=True, help_text=_("Null in public figures."))
    score = serializers.FloatField(allow_null=True, help_text=_("Health score 0–100."))
    reciprocity = serializers.FloatField(
        allow_null=True,
        help_text=_("In [−1, 1]: 0 balanced, +1 the local city carries everything."),
    )
    components = serializers.DictField(
        child=HealthComponentSerializer(), allow_null=True, help_text=_("Null in public figures.")
    )
    explanation = HealthExplanationSerializer(
        allow_null=True, help_text=_("Null in public figures.")
    )


class HealthSerializer(serializers.Serializer[Any]):
    """``/api/v1/insights/health/``: the health of each partnership of a region as of today.

    Staff of the region (and administrators) get every partnership they may
    see with the warning date, the score's components and the explanation.
    Everyone else gets the partnerships they may see (the public ones for
    anonymous callers) with ``state``, ``score`` and ``reciprocity`` only:
    the rest is built from internal records.
    """

    region = serializers.CharField()
    as_of = serializers.DateField()
    public = serializers.BooleanField()
    includes_demo = serializers.BooleanField()
    partnerships = PartnershipHealthSerializer(many=True)
