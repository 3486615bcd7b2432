from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import City, Country, Region


class RelationshipType(models.TextChoices):
    SISTER_CITY = "sister_city", _("sister city")
    SISTER_PROVINCE = "sister_province", _("sister province")
    FRIENDSHIP_CITY = "friendship_city", _("friendship city")
    PROGRAMME_PAIRING = "programme_pairing", _("programme pairing")


class DocumentedStatus(models.TextChoices):
    """The status the public record documents, before Kembar tracked the lifecycle."""

    LISTED_ONLY = "listed_only", _("listed only")
    EXPLORATION = "exploration", _("exploration")
    LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
    AGREEMENT_SIGNED = "agreement_signed", _("agreement signed")
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")
    REVIVED_AFTER_LAPSE = "revived_after_lapse", _("revived after lapse")
    COMPLETED_PROGRAMME = "completed_programme", _("programme completed")


class Initiator(models.TextChoices):
    LOCAL = "local", _("our region")
    PARTNER = "partner", _("the partner city")
    MINISTRY = "ministry", _("a ministry (Kemendagri or Kemlu)")


class Confidence(models.TextChoices):
    DOCUMENTED = "documented", _("well documented")
    PARTIAL = "partial", _("partly documented")
    WEAK = "weak", _("weakly documented")


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class EventKind(models.TextChoices):
    EXPLORATION = "exploration", _("exploration")
    LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
    AGREEMENT_SIGNED = "agreement_signed", _("agreement signed")
    PROGRAMME_STARTED = "programme_started", _("programme started")
    ACTIVITY = "activity", _("activity")
    BECAME_DORMANT = "became_dormant", _("became dormant")
    AGREEMENT_LAPSED = "agreement_lapsed", _("agreement lapsed")
    REVIVED = "revived", _("revived")


class RecordOrigin(models.TextChoices):
    """Where a partnership's record comes from."""

    REGION = "region", _("the region's own record")
    WORLD_TWIN_LIST = "world_twin_list", _("the world twin-town list")


class RegionMatch(models.TextChoices):
    """How the local region of a partnership from the world twin-town list was found.

    The list names towns; Kembar's local regions are Kemendagri regions.  Each
    rule is one of :mod:`kembar.partnerships.national`'s matching steps.
    """

    KOTA = "kota", _("name of a kota")
    KOTA_OVER_KABUPATEN = (
        "kota_over_kabupaten",
        _("name of a kota (a kabupaten has the same name; the kota is the city)"),
    )
    KOTA_OVER_PROVINCE = (
        "kota_over_province",
        _("name of a kota (a province has the same name; the kota is the city)"),
    )
    KABUPATEN = "kabupaten", _("name of a kabupaten")
    PROVINCE = "province", _("name of a province")
    PROVINCE_ENGLISH = "province_english", _("English name of the province")
    SEAT = "seat", _("seat of the kabupaten (curated alias)")
    PROVINCE_CITY = "province_city", _("the province-level city (curated alias)")


# Rules whose reason names the region: "seat of Kabupaten Pidie (curated alias)".
_MATCH_WITH_REGION = {
    RegionMatch.SEAT: _("seat of %(region)s (curated alias)"),
    RegionMatch.PROVINCE_CITY: _("%(region)s is the province-level city (curated alias)"),
}


def region_match_reason(rule: str, region_name: str) -> str:
    """The reason a name of the world twin-town list was matched to a region, in words."""
    if not rule:
        return ""
    with_region = _MATCH_WITH_REGION.get(RegionMatch(rule))
    if with_region is not None:
        return str(with_region) % {"region": region_name}
    return str(RegionMatch(rule).label)


class FocusArea(models.Model):
    """A field of cooperation (education, tourism, urban planning …)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Partnership(models.Model):
    """A cooperation between a local region and a partner city or region abroad."""

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    local_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("local region"),
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("partner city"),
    )
    partner_name = models.CharField(_("partner name"), max_length=200)
    partner_region_name = models.CharField(_("partner's region"), max_length=200, blank=True)
    partner_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("country")
    )
    relationship_type = models.CharField(_("type"), max_length=24, choices=RelationshipType.choices)
    documented_status = models.CharField(
        _("documented status"), max_length=24, choices=DocumentedStatus.choices
    )
    confidence = models.CharField(_("documentation"), max_length=12, choices=Confidence.choices)
    sources = models.TextField(_("sources"), blank=True)
    state = models.ForeignKey(
        "partnerships.LifecycleState",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("stage"),
    )
    initiated_by = models.CharField(
        _("initiated by"), max_length=20, choices=Initiator.choices, blank=True
    )
    consultation_recorded_on = models.DateField(
        _("consultation with Kemendagri and Kemlu recorded on"), null=True, blank=True
    )
    is_public = models.BooleanField(
        _("shown to the public"),
        default=False,
        help_text=_("Partnerships under exploration may stay internal until agreed."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards against lost updates.")
    )
    origin = models.CharField(
        _("origin of the record"),
        max_length=20,
        choices=RecordOrigin.choices,
        default=RecordOrigin.REGION,
    )
    region_match = models.CharField(
        _("how the local region was matched"),
        max_length=24,
        choices=RegionMatch.choices,
        blank=True,
        help_text=_("For a partnership from the world twin-town list."),
    )
    confirmed_at = models.DateTimeField(_("confirmed by the region at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="partnerships", verbose_name=_("focus areas")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[focus_areas])

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["local_region", "partner_name"]

    def __str__(self) -> str:
        return f"{self.local_region.name} – {self.partner_name}"

    @property
    def stage_code(self) -> str:
        """The code of the current lifecycle stage, or "" before one is set."""
        return self.state.code if self.state is not None else ""

    @property
    def is_unverified(self) -> bool:
        """Loaded from the world twin-town list and not yet confirmed by the region."""
        return self.origin == RecordOrigin.WORLD_TWIN_LIST and self.confirmed_at is None

    @property
    def region_match_reason(self) -> str:
        """Why the world twin-town list's town is this local region, in words ("" otherwise)."""
        return region_match_reason(self.region_match, self.local_region.name)


class PartnershipEvent(models.Model):
    """A dated event in a partnership's history, as documented by a source.

    ``date`` holds the first day of the period when the source gives only a
    month or a year; ``date_precision`` says which, so it is shown as given.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices
    )
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    detail_id = models.TextField(_("detail (Indonesian)"), blank=True)
    detail_en = models.TextField(_("detail (English)"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partnership event")
        verbose_name_plural = _("partnership events")
        ordering = ["partnership", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "date", "kind"], name="partnerships_event_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership.slug} {self.date} {self.kind}"

    @property
    def detail(self) -> str:
        """The detail in the active language, the other one when it is missing."""
        if (get_language() or "id").startswith("en"):
            return self.detail_en or self.detail_id
        return self.detail_id or self.detail_en

    def date_label(self) -> str:
        """The date as precisely as the source gives it, in the active language."""
        return partial_date_label(self.date, self.date_precision)


def partial_date_label(date: dt.date, precision: str) -> str:
    """``date`` as precisely as ``precision`` (day, month, year) says, in the active language."""
    formats = {DatePrecision.DAY: "j F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}
    return date_format(date, formats[DatePrecision(precision)])
