"""Serializers of the knowledge API: the search's query and answer, and the records' writes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.accounts.models import Organisation
from kembar.common.api import NamedChoiceField, PrimaryKeyRelatedField, SlugRelatedField
from kembar.geo.models import City
from kembar.knowledge.models import (
    InstrumentKind,
    Language,
    Lesson,
    Policy,
    Practice,
    PracticeDirection,
    Reflection,
    ReflectionStatus,
)
from kembar.knowledge.services import LESSON_FIELDS, POLICY_FIELDS, PRACTICE_FIELDS
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.models import Activity, GovernmentAffair, SdgTarget, Sector
from kembar.search.models import DocumentKind

#: The largest page of search results.
MAX_LIMIT = 100


def _unknown(value: object) -> str:
    return str(_("Nothing is recorded under “%(value)s”.") % {"value": value})


# --- Search -------------------------------------------------------------------------------


class KnowledgeQuerySerializer(serializers.Serializer[dict[str, Any]]):
    """``GET /api/v1/knowledge/``: the words, a kind, the facet filters, the page."""

    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Words to find, in Indonesian or English (every word must match)."),
    )
    kind = NamedChoiceField(
        DocumentKind.choices, enum_name="SearchKind", required=False, help_text=_("Only this kind.")
    )
    sector = serializers.IntegerField(required=False, min_value=1, max_value=32767)
    urusan = serializers.RegexField(
        r"^\d\.\d{2}$", required=False, help_text=_('Government affair code, e.g. "1.01".')
    )
    sdg = serializers.IntegerField(required=False, min_value=1, max_value=17)
    partner_city = serializers.IntegerField(
        required=False, min_value=1, max_value=2**53, help_text=_("Partner city id.")
    )
    agency = serializers.IntegerField(
        required=False, min_value=1, max_value=2**53, help_text=_("Organisation id.")
    )
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=20)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=10_000, default=0)

    def validate_sector(self, value: int) -> int:
        if not Sector.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_unknown(value))
        return value

    def validate_urusan(self, value: str) -> str:
        if not GovernmentAffair.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_unknown(value))
        return value

    def validate_partner_city(self, value: int) -> int:
        if not City.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_unknown(value))
        return value

    def validate_agency(self, value: int) -> int:
        if not Organisation.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_unknown(value))
        return value


class SearchHitSerializer(serializers.Serializer[dict[str, Any]]):
    kind = NamedChoiceField(DocumentKind.choices, enum_name="SearchKind")
    id = serializers.IntegerField(help_text=_("The record's id (an activity's: its database id)."))
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField(help_text=_("The record's page."))
    score = serializers.FloatField()
    year = serializers.IntegerField(allow_null=True)
    sector = serializers.IntegerField(allow_null=True)
    partner_city = serializers.IntegerField(allow_null=True)
    agency = serializers.IntegerField(allow_null=True, help_text=_("Organisation id."))


class NumberFacetSerializer(serializers.Serializer[dict[str, Any]]):
    value = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label of one
    count = serializers.IntegerField(help_text=_("Matching records (not people)."))


class CodeFacetSerializer(serializers.Serializer[dict[str, Any]]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not the label of one
    count = serializers.IntegerField(help_text=_("Matching records (not people)."))


class FacetsSerializer(serializers.Serializer[dict[str, Any]]):
    """For each facet, its values among all matches (before the page is cut), most first."""

    sector = NumberFacetSerializer(many=True)
    urusan = CodeFacetSerializer(many=True)
    sdg = NumberFacetSerializer(many=True)
    partner_city = NumberFacetSerializer(many=True)
    agency = NumberFacetSerializer(many=True)
    year = NumberFacetSerializer(many=True)


class ExpertSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Matching records (not people)."))


class WhoKnowsSerializer(serializers.Serializer[dict[str, Any]]):
    agencies = ExpertSerializer(many=True)
    partner_cities = ExpertSerializer(many=True)


class KnowledgeSearchSerializer(serializers.Serializer[dict[str, Any]]):
    query = serializers.CharField()
    total = serializers.IntegerField()
    results = SearchHitSerializer(many=True)
    facets = FacetsSerializer()
    who_knows = WhoKnowsSerializer()


# --- Records ------------------------------------------------------------------------------


def _agency(**kwargs: Any) -> SlugRelatedField[Organisation]:
    return SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        help_text=_("Agency slug."),
        **kwargs,
    )


def _optional(model: type[Any], slug: str, help_text: str) -> Any:
    return SlugRelatedField(
        slug_field=slug,
        queryset=model._default_manager.all(),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


def _sector() -> Any:
    return PrimaryKeyRelatedField(queryset=Sector.objects.all(), help_text="IO sector code (1–17)")


def _affair() -> Any:
    return PrimaryKeyRelatedField(
        queryset=GovernmentAffair.objects.all(), help_text='government affair code, e.g. "1.01"'
    )


def _targets() -> Any:
    return PrimaryKeyRelatedField(queryset=SdgTarget.objects.all(), many=True, required=False)


def _city() -> Any:
    return PrimaryKeyRelatedField(
        queryset=City.objects.all(), required=False, allow_null=True, help_text="partner city id"
    )


class LessonSerializer(serializers.ModelSerializer[Lesson]):
    """A lesson; ``agency``, ``partnership`` and ``source_activity`` by slug or reference."""

    agency = _agency()
    partnership = _optional(Partnership, "slug", "partnership slug")
    source_activity = _optional(Activity, "reference", "activity reference")
    status = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    sector = _sector()
    government_affair = _affair()
    sdg_targets = _targets()
    partner_city = _city()

    class Meta:
        model = Lesson
        fields = ["id", "region", "status", *LESSON_FIELDS, "sdg_targets"]


class PracticeSerializer(serializers.ModelSerializer[Practice]):
    direction = NamedChoiceField(PracticeDirection.choices, enum_name="PracticeDirection")
    contact_agency = _agency(required=False, allow_null=True)
    region = serializers.CharField(source="region_id", read_only=True)
    sector = _sector()
    government_affair = _affair()
    sdg_targets = _targets()
    partner_city = _city()
    focus_areas = SlugRelatedField(
        slug_field="slug",
        queryset=FocusArea.objects.all(),
        many=True,
        required=False,
        help_text="fields of cooperation (focus-area codes): the network page's learning needs",
    )

    class Meta:
        model = Practice
        fields = ["id", "region", *PRACTICE_FIELDS, "sdg_targets", "focus_areas"]


class PolicySerializer(serializers.ModelSerializer[Policy]):
    """A policy adopted; the document as a link (``evidence_url``), activities by reference."""

    instrument = NamedChoiceField(InstrumentKind.choices, enum_name="PolicyInstrument")
    agency = _agency()
    partnership = _optional(Partnership, "slug", "partnership slug")
    activities = SlugRelatedField(
        slug_field="reference", queryset=Activity.objects.all(), many=True, required=False
    )
    lessons = PrimaryKeyRelatedField(queryset=Lesson.objects.all(), many=True, required=False)
    region = serializers.CharField(source="region_id", read_only=True)
    is_public = serializers.BooleanField(read_only=True)

    class Meta:
        model = Policy
        fields = ["id", "region", *POLICY_FIELDS, "activities", "lessons", "is_public"]


class PolicyPublishSerializer(serializers.Serializer[dict[str, Any]]):
    """The cooperation office's review of a policy: shown on the public pages or not."""

    is_public = serializers.BooleanField()


class ReflectionSerializer(serializers.ModelSerializer[Reflection]):
    activity = SlugRelatedField(
        slug_field="reference", queryset=Activity.objects.all(), help_text="activity reference"
    )
    language = NamedChoiceField(Language.choices, enum_name="ReflectionLanguage", required=False)
    status = NamedChoiceField(
        ReflectionStatus.choices, enum_name="ReflectionStatus", read_only=True
    )

    class Meta:
        model = Reflection
        fields = [
            "id",
            "activity",
            "learned",
            "will_change",
            "who_should_know",
            "language",
            "status",
            "review_note",
        ]
        read_only_fields = ["review_note"]


class ReflectionReviewSerializer(serializers.Serializer[dict[str, Any]]):
    decision = NamedChoiceField(
        [("accept", "accept"), ("return", "return")], enum_name="ReflectionDecision"
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReflectionReviewedSerializer(serializers.Serializer[dict[str, Any]]):
    status = NamedChoiceField(ReflectionStatus.choices, enum_name="ReflectionStatus")
    lesson = serializers.IntegerField(allow_null=True, help_text=_("The lesson made, if accepted."))
