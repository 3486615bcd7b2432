"""Serializers of the insights API: query parameters and documented answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.common.api import NamedChoiceField
from kembar.geo.models import Region
from kembar.partnerships.models import Partnership
from kembar.programs.models import ActivityKind, FundingSource, Sector


class ReachQuerySerializer(serializers.Serializer[Any]):
    """The reach filters, as the dashboard's form and the API take them."""

    region = serializers.CharField(
        required=False,
        help_text=_(
            "Kemendagri code of the kabupaten or kota, e.g. 33.74; default: the region of "
            "your organisation, else the home region."
        ),
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
        help_text=_(
            "Kemendagri code of the kabupaten or kota, e.g. 33.74; default: the region of "
            "your organisation, else the home region."
        ),
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


class CapacityQuerySerializer(serializers.Serializer[Any]):
    """The region and year whose carrying capacity is asked for."""

    region = serializers.CharField(
        required=False,
        help_text=_(
            "Kemendagri code of the kabupaten or kota, e.g. 33.74; default: the region of "
            "your organisation, else the home region."
        ),
    )
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("The plan's year; the current year if left out."),
    )

    def validate_region(self, value: str) -> str:
        if not Region.objects.filter(kode=value).exists():
            raise serializers.ValidationError(_("No region has this code."))
        return value


CAPACITY_LEVELS = ["ok", "warn", "over"]
LEVEL_HELP = _(
    "ok: at most 85 %; warn: above 85 %; over: above 100 % (or demand on a capacity of zero). "
    "Null when no capacity is entered."
)


class CapacityThresholdsSerializer(serializers.Serializer[Any]):
    warn = serializers.IntegerField(help_text=_("Percent above which a load warns."))
    over = serializers.IntegerField(help_text=_("Percent above which a load is over capacity."))


class CapacityMonthSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text=_("YYYY-MM."))
    staff_days = serializers.FloatField(
        help_text=_("Staff-days the counted activities take in the month.")
    )
    load = serializers.FloatField(
        allow_null=True, help_text=_("Percent of the staff-days per month entered.")
    )
    level = NamedChoiceField(
        CAPACITY_LEVELS, enum_name="CapacityLevelEnum", allow_null=True, help_text=LEVEL_HELP
    )


class CapacityOrganisationSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    is_cooperation_office = serializers.BooleanField()
    staff_days_per_month = serializers.FloatField(
        allow_null=True, help_text=_("Null when none is entered for this organisation.")
    )
    months = CapacityMonthSerializer(many=True, help_text=_("January to December."))


class CapacityBudgetSerializer(serializers.Serializer[Any]):
    source = NamedChoiceField(FundingSource.choices, enum_name="FundingSourceEnum")  # type: ignore[assignment]
    ceiling_idr = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text=_("Rupiah, as a string.")
    )
    planned_idr = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text=_(
            "Rupiah, as a string: budget lines of activities starting in the year, else the "
            "default cost of their kind (under apbd)."
        ),
    )
    load = serializers.FloatField(allow_null=True)
    level = NamedChoiceField(
        CAPACITY_LEVELS, enum_name="CapacityLevelEnum", allow_null=True, help_text=LEVEL_HELP
    )


class CapacityHostingSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text=_("YYYY-MM."))
    delegations = serializers.FloatField(
        help_text=_("Delegations hosted, spread over the months by days.")
    )
    delegations_capacity = serializers.FloatField(allow_null=True)
    events = serializers.FloatField(help_text=_("Events hosted, spread over the months by days."))
    events_capacity = serializers.FloatField(allow_null=True)
    load = serializers.FloatField(
        allow_null=True, help_text=_("The larger of the delegations' and the events' load.")
    )
    level = NamedChoiceField(
        CAPACITY_LEVELS, enum_name="CapacityLevelEnum", allow_null=True, help_text=LEVEL_HELP
    )


class CapacityPartnershipSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    staff_days = serializers.FloatField(help_text=_("Office and agency staff-days in the year."))
    load = serializers.FloatField(
        allow_null=True,
        help_text=_("Percent of the year's staff-days of every organisation (12 × per month)."),
    )


class CapacitySerializer(serializers.Serializer[Any]):
    """``/api/v1/insights/capacity/``: what a region can carry in a year against what is planned.

    Counts the activities of the region's partnerships dated within the year
    that are planned, ongoing or completed (cancelled and demonstration
    records never).  Staff-days of an activity are spread over its months by
    days.  Percentages have one decimal; money is a string of rupiah with two
    decimals.  Without a capacity plan for the year every load is null.
    """

    region = serializers.CharField()
    year = serializers.IntegerField()
    thresholds = CapacityThresholdsSerializer()
    organisations = CapacityOrganisationSerializer(many=True)
    budget = CapacityBudgetSerializer(many=True)
    hosting = CapacityHostingSerializer(many=True)
    partnerships = CapacityPartnershipSerializer(many=True)
