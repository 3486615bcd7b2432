"""Activities in JSON: what the API returns and what it accepts.

Conventions, the same in both directions:

- code lists and other records are given by their code: sector by IO code
  (``15``), government affair by code (``"1.01"``), SDG goals by number and
  targets by code (``"4.7"``), focus areas, agencies and partnerships by slug,
  places and home kecamatan by Kemendagri code;
- the place of an activity is a kecamatan or kelurahan code of the city, or
  ``"partner_city"`` when it was held in the partner city;
- money, rates and indicator values are decimal **strings** (``"1250.50"``),
  as DRF renders decimals, so that no amount loses precision in a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kembar.accounts.models import Organisation
from kembar.common.api import NamedChoiceField, PrimaryKeyRelatedField, SlugRelatedField
from kembar.common.versioning import RequiredInPatch
from kembar.geo.models import Region
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.activities import officer_counts
from kembar.programs.disclosure import (
    participant_figures,
    participant_summary,
    protect_people_indicators,
    sees_participant_breakdown,
)
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    BudgetLine,
    Contribution,
    ContributionForm,
    ContributionSide,
    DisaggregationDimension,
    FundingSource,
    Gender,
    GovernmentAffair,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    MoneyKind,
    ParticipantCount,
    ParticipantSide,
    Result,
    ResultLevel,
    SdgGoal,
    SdgTarget,
    Sector,
    StakeholderGroup,
    StandardIndicator,
    Traveller,
    TripReport,
)
from kembar.programs.selectors import ACTIVITY_SORTS

#: The value of ``place`` for an activity held in the partner city.
PARTNER_CITY = "partner_city"


def does_not_exist(name: str, value: object) -> str:
    """DRF's own (translated) message for a code that names nothing."""
    message = serializers.SlugRelatedField.default_error_messages["does_not_exist"]
    return str(message).format(slug_name=name, value=value)


# --- Reading --------------------------------------------------------------------------------


class PartnershipBriefSerializer(serializers.ModelSerializer[Partnership]):
    class Meta:
        model = Partnership
        fields = ["slug", "partner_name"]


class AgencyBriefSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]


class SectorBriefSerializer(serializers.ModelSerializer[Sector]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Sector
        fields = ["code", "name"]


class AffairBriefSerializer(serializers.ModelSerializer[GovernmentAffair]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = GovernmentAffair
        fields = ["code", "name"]


class PlaceSerializer(serializers.Serializer[dict[str, Any]]):
    """Where an activity was held: a place in the city, or the partner city."""

    kind = serializers.ChoiceField(choices=[("region", "region"), (PARTNER_CITY, PARTNER_CITY)])
    kode = serializers.CharField(allow_null=True, help_text="Kemendagri code; null for abroad")
    name = serializers.CharField()


def _kind(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ActivityKind.choices, enum_name="ActivityKindEnum", **kwargs)


def _status(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ActivityStatus.choices, enum_name="ActivityStatusEnum", **kwargs)


def _participant_side(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ParticipantSide.choices, enum_name="ParticipantSideEnum", **kwargs)


def _contribution_side(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ContributionSide.choices, enum_name="ContributionSideEnum", **kwargs)


def _money_kind(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(MoneyKind.choices, enum_name="MoneyKindEnum", **kwargs)


def version_field() -> serializers.IntegerField:
    """The version of the activity the client last read; a stale one is answered 409."""
    return serializers.IntegerField(
        min_value=1,
        help_text="the activity's `version` you last read; if someone changed the activity "
        "since, the answer is 409 with the conflicting fields and nothing is saved",
    )


def _result_level(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(ResultLevel.choices, enum_name="ResultLevelEnum", **kwargs)


class ParticipantCountSerializer(serializers.ModelSerializer[ParticipantCount]):
    side = _participant_side(read_only=True)
    home_region = serializers.CharField(source="home_region_id", allow_null=True, read_only=True)
    home_region_name = serializers.CharField(
        source="home_region.name", allow_null=True, default=None, read_only=True
    )

    class Meta:
        model = ParticipantCount
        fields = ["side", "group", "gender", "age_band", "home_region", "home_region_name", "count"]


class OfficerCountListSerializer(serializers.ListSerializer[ParticipantCount]):
    """The counts officers typed, which add up to ``participants_local`` and ``_partner``.

    Not those of registrations checked in (``participants_registered``):
    the breakdown a client reads is the one it sends back to replace.
    """

    def get_attribute(self, instance: Any) -> list[ParticipantCount]:
        return officer_counts(instance)


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    kind = _money_kind(read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["source", "kind", "amount", "currency", "rate_to_idr", "amount_idr", "note"]


class ContributionSerializer(serializers.ModelSerializer[Contribution]):
    side = _contribution_side(read_only=True)

    class Meta:
        model = Contribution
        fields = ["side", "form", "description", "value", "currency", "rate_to_idr", "value_idr"]


class DisaggregationSerializer(serializers.ModelSerializer[IndicatorDisaggregation]):
    actual = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="null when not shown: a count of 1–4 people, or one that would reveal it",
    )

    class Meta:
        model = IndicatorDisaggregation
        fields = ["dimension", "category", "actual"]


class PeriodSerializer(serializers.ModelSerializer[IndicatorPeriod]):
    disaggregation = DisaggregationSerializer(source="disaggregations", many=True, read_only=True)

    class Meta:
        model = IndicatorPeriod
        fields = ["period_start", "period_end", "target", "actual", "disaggregation"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    standard = serializers.CharField(source="standard_id", allow_null=True, read_only=True)
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "title",
            "unit",
            "standard",
            "higher_is_better",
            "baseline_year",
            "baseline_value",
            "periods",
        ]


class ResultSerializer(serializers.ModelSerializer[Result]):
    level = _result_level(read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Result
        fields = ["level", "title", "indicators"]


class ParticipantCellSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(allow_null=True, help_text="null: from outside the city")
    name = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
    suppressed = serializers.BooleanField()


class ParticipantSummarySerializer(serializers.Serializer[dict[str, Any]]):
    """All participants (both sides, both sources) as one-way tables that add up to ``total``.

    ``source``: people typed by officers (``officer``, both sides) and local
    people counted from registrations checked in (``registrations``).

    Exact for staff of the partnership's region.  For everyone else counts of
    1–4 are null (``suppressed``), with enough other counts that none can be
    worked out from ``total`` (at least two per table, holding 5 or more
    people); a ``total`` of 1–4 is null and every table is withheld.  Tables
    named in ``withheld`` are empty.  Categories with nobody are not listed.
    """

    total = serializers.IntegerField(allow_null=True)
    withheld = serializers.ListField(child=serializers.CharField())
    side = ParticipantCellSerializer(many=True)
    source = ParticipantCellSerializer(many=True)  # type: ignore[assignment]
    gender = ParticipantCellSerializer(many=True)
    age_band = ParticipantCellSerializer(many=True)
    group = ParticipantCellSerializer(many=True)
    home_region = ParticipantCellSerializer(many=True)


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    """An activity with everything recorded under it (except the trip report).

    ``participants`` is the breakdown officers typed, which adds up to
    ``participants_local`` and ``participants_partner``;
    ``participants_registered`` are the local people counted from
    registrations checked in on the portal (never typed; local people who
    took part are ``participants_local`` + ``participants_registered``, and
    ``participant_summary`` holds both).  Amounts, rates and indicator values are decimal
    strings (``"13032085.75"``); ``amount_idr`` = ``amount`` × ``rate_to_idr``,
    rounded half up to the cent.

    Personal data (UU PDP 27/2022): the breakdown ``participants`` is given to
    staff of the partnership's own region and administrators only; for
    everyone else (anonymous callers included) it is null, and
    ``participant_summary``, ``participants_local``, ``participants_partner``,
    ``participants_registered`` and indicator values counted in people have
    counts of 1–4 people, and the counts that would reveal them, replaced by null.
    """

    partnership = PartnershipBriefSerializer(read_only=True)
    kind = _kind(read_only=True)
    status = _status(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    agency = AgencyBriefSerializer(read_only=True)
    place = serializers.SerializerMethodField()
    sector = SectorBriefSerializer(read_only=True)
    government_affair = AffairBriefSerializer(read_only=True)
    sdg_goals: PrimaryKeyRelatedField[SdgGoal] = PrimaryKeyRelatedField(many=True, read_only=True)
    sdg_targets: PrimaryKeyRelatedField[SdgTarget] = PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    focus_areas: SlugRelatedField[FocusArea] = SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    participants_local = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="null when suppressed (see participant_summary)"
    )
    participants_partner = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="null when suppressed (see participant_summary)"
    )
    participants_registered = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=(
            "local people counted from registrations checked in (not typed); "
            "null when suppressed (see participant_summary)"
        ),
    )
    participants = OfficerCountListSerializer(
        child=ParticipantCountSerializer(),
        source="participant_counts",
        read_only=True,
        allow_null=True,
        help_text=(
            "the breakdown typed by officers; null unless you are staff of the partnership's region"
        ),
    )
    participant_summary = serializers.SerializerMethodField()
    budget = BudgetLineSerializer(source="budget_lines", many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)
    results = ResultSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "reference",
            "partnership",
            "kind",
            "kind_label",
            "title_id",
            "title_en",
            "description_id",
            "description_en",
            "agency",
            "start_date",
            "end_date",
            "status",
            "status_label",
            "cancellation_reason",
            "place",
            "sector",
            "government_affair",
            "sdg_goals",
            "sdg_targets",
            "focus_areas",
            "participants_local",
            "participants_partner",
            "participants_registered",
            "is_demo",
            "participants",
            "participant_summary",
            "budget",
            "contributions",
            "results",
            "updated_at",
            "version",
        ]

    def _exact(self, activity: Activity) -> bool:
        request = self.context.get("request")
        return sees_participant_breakdown(getattr(request, "user", None), activity)

    @extend_schema_field(ParticipantSummarySerializer)
    def get_participant_summary(self, activity: Activity) -> dict[str, Any]:
        return participant_summary(activity, exact=self._exact(activity))

    def to_representation(self, instance: Activity) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not self._exact(instance):
            data["participants"] = None
            data.update(participant_figures(instance, exact=False))
            protect_people_indicators(data["results"])
        return data

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_place(self, activity: Activity) -> dict[str, Any] | None:
        if activity.in_partner_city:
            return {
                "kind": PARTNER_CITY,
                "kode": None,
                "name": activity.partnership.partner_name,
            }
        if activity.place_region is not None:
            return {
                "kind": "region",
                "kode": activity.place_region.kode,
                "name": activity.place_region.name,
            }
        return None


class TravellerSerializer(serializers.ModelSerializer[Traveller]):
    class Meta:
        model = Traveller
        fields = ["role", "organisation", "count"]


class TripReportSerializer(serializers.ModelSerializer[TripReport]):
    travellers = TravellerSerializer(many=True, read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.username", allow_null=True, default=None, read_only=True
    )
    version = serializers.IntegerField(
        source="activity.version", read_only=True, help_text="the activity's version"
    )

    class Meta:
        model = TripReport
        fields = [
            "purpose",
            "outputs",
            "days",
            "cost_idr",
            "travellers",
            "submitted_by",
            "submitted_at",
            "version",
        ]


# --- Query ----------------------------------------------------------------------------------


class ActivityQuerySerializer(serializers.Serializer[None]):
    partnership = serializers.SlugField(required=False, help_text="partnership slug")
    agency = SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="slug of the responsible agency",
    )
    sector = PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, help_text="IO sector code (1–17)"
    )
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)
    year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, help_text="activities running that year"
    )
    status = serializers.ChoiceField(choices=ActivityStatus.choices, required=False)
    search = serializers.CharField(
        required=False, max_length=100, help_text="in reference, titles and partner name"
    )
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: demonstration records only; false: real ones only",
    )
    ordering = serializers.ChoiceField(
        choices=[(key, key) for key in ACTIVITY_SORTS], required=False, default="-start"
    )


# --- Writing --------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class VisiblePartnershipField(SlugRelatedField[Partnership]):
    """A partnership by slug, among those the requesting user works on.

    Only the partnerships of their staff pages
    (:func:`~kembar.partnerships.access.staff_partnerships`): another public
    partnership answers like an unknown one.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return Partnership.objects.none()
        return staff_partnerships(user)


class ParticipantWriteSerializer(serializers.Serializer[dict[str, Any]]):
    side = _participant_side()
    group = serializers.ChoiceField(choices=StakeholderGroup.choices)
    gender = serializers.ChoiceField(choices=Gender.choices)
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    home_region = SlugRelatedField(
        slug_field="kode",
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="kecamatan code; null or absent for people from outside the city",
    )
    count = serializers.IntegerField(min_value=0)


class ActivityWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """An activity as PUT or PATCH gives it; its reference is the one in the URL.

    Without ``participants`` the stored breakdown stays and must still add up
    to the totals given.  ``version`` is required, for PATCH too.
    """

    version = version_field()

    partnership = VisiblePartnershipField(help_text="partnership slug")
    kind = _kind()
    title_id = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description_id = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    agency = SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), help_text="agency slug"
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = _status(required=False, default=ActivityStatus.PLANNED)
    cancellation_reason = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text='a kecamatan or kelurahan code of the city, or "partner_city"',
    )
    sector = PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), help_text="IO sector code (1–17)"
    )
    government_affair = PrimaryKeyRelatedField(
        queryset=GovernmentAffair.objects.all(), help_text='government affair code, e.g. "1.01"'
    )
    sdg_goals = PrimaryKeyRelatedField(
        queryset=SdgGoal.objects.all(), many=True, required=False, default=list
    )
    sdg_targets = PrimaryKeyRelatedField(
        queryset=SdgTarget.objects.all(), many=True, required=False, default=list
    )
    focus_areas = SlugRelatedField(
        slug_field="slug",
        queryset=FocusArea.objects.all(),
        many=True,
        required=False,
        default=list,
    )
    participants_local = serializers.IntegerField(min_value=0, required=False, default=0)
    participants_partner = serializers.IntegerField(min_value=0, required=False, default=0)
    participants = ParticipantWriteSerializer(many=True, required=False)

    def validate_place(self, value: str | None) -> Region | str | None:
        if not value:
            return None
        if value == PARTNER_CITY:
            return PARTNER_CITY
        region = Region.objects.filter(kode=value).first()
        if region is None:
            raise serializers.ValidationError(does_not_exist("kode", value))
        return region


class ActivityPatchSerializer(RequiredInPatch, ActivityWriteSerializer):
    """``version`` and any of the activity's fields; the fields left out stay as they are."""

    # Documents the body only: the view validates it as a partial ActivityWriteSerializer
    # (no defaults filled in) and refuses a body without ``version`` itself.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class ActivityCreateSerializer(ActivityWriteSerializer):
    version = None  # type: ignore[assignment]  # a new activity has none yet
    reference = serializers.CharField(
        max_length=40, help_text="your code for it, unique in Kembar, e.g. SMG-BNE-2024-01"
    )


class ParticipantReportSerializer(serializers.Serializer[dict[str, Any]]):
    """The totals and their breakdown; the breakdown must add up to the totals."""

    version = version_field()

    participants_local = serializers.IntegerField(min_value=0)
    participants_partner = serializers.IntegerField(min_value=0)
    counts = ParticipantWriteSerializer(many=True)


class BudgetLineWriteSerializer(serializers.Serializer[dict[str, Any]]):
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]
    kind = _money_kind()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.CharField(max_length=3, required=False, default="IDR")
    rate_to_idr = serializers.DecimalField(
        max_digits=18, decimal_places=6, required=False, default=Decimal(1)
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BudgetSetSerializer(serializers.Serializer[dict[str, Any]]):
    """All budget lines of the activity (one per source and kind); absent ones are removed."""

    version = version_field()

    lines = BudgetLineWriteSerializer(many=True)


class ContributionWriteSerializer(serializers.Serializer[dict[str, Any]]):
    side = _contribution_side()
    form = serializers.ChoiceField(choices=ContributionForm.choices)
    description = serializers.CharField(max_length=300)
    value = serializers.DecimalField(
        max_digits=20, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, default="IDR")
    rate_to_idr = serializers.DecimalField(
        max_digits=18, decimal_places=6, required=False, default=Decimal(1)
    )


class ContributionSetSerializer(serializers.Serializer[dict[str, Any]]):
    """All contributions of the activity; absent ones are removed."""

    version = version_field()

    contributions = ContributionWriteSerializer(many=True)


class DisaggregationWriteSerializer(serializers.Serializer[dict[str, Any]]):
    dimension = serializers.ChoiceField(choices=DisaggregationDimension.choices)
    category = serializers.CharField(max_length=40)
    actual = serializers.DecimalField(max_digits=20, decimal_places=4)


class ResultRecordSerializer(serializers.Serializer[dict[str, Any]]):
    """One period of one indicator of one result (created or corrected)."""

    version = version_field()

    level = _result_level()
    result_title = serializers.CharField(max_length=200)
    indicator_title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="empty: the standard indicator's name",
    )
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    standard = PrimaryKeyRelatedField(
        queryset=StandardIndicator.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="code of a standard indicator, e.g. students_exchanged",
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None
    )
    actual = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None
    )
    higher_is_better = serializers.BooleanField(required=False, default=True)
    baseline_year = serializers.IntegerField(required=False, allow_null=True, default=None)
    baseline_value = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None
    )
    disaggregation = DisaggregationWriteSerializer(many=True, required=False, default=list)


class TravellerWriteSerializer(serializers.Serializer[dict[str, Any]]):
    role = serializers.CharField(max_length=120)
    organisation = serializers.CharField(max_length=200)
    count = serializers.IntegerField(required=False, default=1)


class TripReportWriteSerializer(serializers.Serializer[dict[str, Any]]):
    version = version_field()
    purpose = serializers.CharField()
    outputs = serializers.CharField()
    days = serializers.IntegerField()
    cost_idr = serializers.DecimalField(max_digits=20, decimal_places=2)
    travellers = TravellerWriteSerializer(many=True)
